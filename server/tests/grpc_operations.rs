//! Long-running operations (AIP-151): a submitted MatchBatch and a submitted batch of regions
//! come back as the unary calls' answers (checked against them), a sweep's scenarios each
//! equal a separate solve, a running operation is cancelled and frees its slot for the next
//! one, bad requests are refused at submission naming the field, names are private to the
//! token that submitted them and a name from another server instance says it was lost; the
//! same over REST (`POST /v1/match-batch:submit`, `GET /v1/operations/...`).
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::admission::Budget;
use circulate::grpc::pb;
use circulate::grpc::pb::google::longrunning as lro;
use circulate::grpc::server::ServeConfig;
use grpc_support::*;
use lro::operations_client::OperationsClient;
use prost::Message;
use std::time::{Duration, Instant};

fn config(max_concurrent_solves: usize) -> ServeConfig {
    ServeConfig {
        max_concurrent_solves,
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        ..ServeConfig::default()
    }
}

async fn operations(server: &Server) -> OperationsClient<tonic::transport::Channel> {
    OperationsClient::connect(server.addr.clone())
        .await
        .unwrap()
}

fn progress(op: &lro::Operation) -> pb::OperationProgress {
    let any = op.metadata.as_ref().expect("every operation has metadata");
    assert_eq!(
        any.type_url,
        "type.googleapis.com/circulate.v1.OperationProgress"
    );
    pb::OperationProgress::decode(any.value.as_slice()).unwrap()
}

/// The operation once done (WaitOperation, retried until done within `within`).
async fn finished(server: &Server, name: &str, within: Duration) -> lro::Operation {
    let started = Instant::now();
    loop {
        let op = operations(server)
            .await
            .wait_operation(lro::WaitOperationRequest {
                name: name.into(),
                timeout: Some(prost_types::Duration {
                    seconds: 5,
                    nanos: 0,
                }),
            })
            .await
            .unwrap()
            .into_inner();
        if op.done {
            return op;
        }
        assert!(
            started.elapsed() < within,
            "{name} not done after {within:?}"
        );
    }
}

/// The operation as it stands (GetOperation).
async fn get(server: &Server, name: &str) -> lro::Operation {
    operations(server)
        .await
        .get_operation(lro::GetOperationRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

fn response<M: Message + Default>(op: &lro::Operation, type_name: &str) -> M {
    match &op.result {
        Some(lro::operation::Result::Response(any)) => {
            assert_eq!(any.type_url, format!("type.googleapis.com/{type_name}"));
            M::decode(any.value.as_slice()).unwrap()
        }
        other => panic!("expected a response, got {other:?}"),
    }
}

/// `request` submitted, waited for, and its BatchResponse.
async fn batch_answered(
    server: &Server,
    request: pb::BatchRequest,
) -> (lro::Operation, pb::BatchResponse) {
    let submitted = client(server)
        .await
        .submit_batch(request)
        .await
        .unwrap()
        .into_inner();
    let op = finished(server, &submitted.name, Duration::from_secs(120)).await;
    let answer = response(&op, "circulate.v1.BatchResponse");
    (op, answer)
}

#[tokio::test]
async fn a_submitted_match_batch_answers_as_match_batch_does() {
    let server = start_with(config(2)).await;
    let batch = hand_batch();
    let unary = matched(&server, batch.clone()).await;
    let first = client(&server)
        .await
        .submit_match_batch(batch)
        .await
        .unwrap()
        .into_inner();
    assert!(first.name.starts_with("operations/"), "{}", first.name);
    assert!(!first.done, "answered before the solve");
    assert_eq!(progress(&first).state, pb::OperationState::Queued as i32);
    let op = finished(&server, &first.name, Duration::from_secs(60)).await;
    let answer: pb::MatchBatchResponse = response(&op, "circulate.v1.MatchBatchResponse");
    // The hand-computed optimum of hand_batch, and the unary call's plan.
    let objective = answer.summary.as_ref().unwrap().objective.unwrap();
    assert!((objective - 151.6717).abs() < 1e-3, "{objective}");
    assert_eq!(answer.matches, unary.matches);
    assert_eq!(answer.unmatched_offers, unary.unmatched_offers);
    let p = progress(&op);
    assert_eq!(p.state, pb::OperationState::Succeeded as i32);
    assert_eq!((p.regions_total, p.regions_done), (1, 1));
    assert_eq!(p.best_objective, Some(objective));
    assert!(p.end_time.is_some() && p.create_time.is_some());

    // Get answers the same; List finds it; Delete forgets it.
    let mut ops = operations(&server).await;
    let got = get(&server, &first.name).await;
    assert_eq!(got, op);
    let listed = ops
        .list_operations(lro::ListOperationsRequest {
            name: "operations".into(),
            filter: "done=true".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.operations, vec![op]);
    ops.delete_operation(lro::DeleteOperationRequest {
        name: first.name.clone(),
    })
    .await
    .unwrap();
    let gone = ops
        .get_operation(lro::GetOperationRequest { name: first.name })
        .await
        .unwrap_err();
    assert_eq!(gone.code(), tonic::Code::NotFound);
}

#[tokio::test]
async fn a_batch_of_regions_and_a_sweep_equal_separate_solves() {
    let server = start_with(config(2)).await;
    let ds = example();
    let mut dear = to_pb(&ds);
    dear.name = "example, dear trucks".into();
    dear.transport.as_mut().unwrap().cost_per_tkm = Some(0.4);
    let mut cheap = to_pb(&ds);
    cheap.name = "example".into();
    let separately = |d: pb::Dataset| {
        let server = &server;
        async move {
            let r = pb::OptimizeRequest {
                dataset: Some(d),
                options: None,
                request_id: String::new(),
            };
            client(server).await.optimize(r).await.unwrap().into_inner()
        }
    };
    let (op, answer) = batch_answered(
        &server,
        pb::BatchRequest {
            datasets: vec![cheap.clone(), dear.clone()],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(answer.results.len(), 2);
    let mut total = 0.0;
    for (result, dataset) in answer.results.iter().zip([cheap.clone(), dear.clone()]) {
        assert_eq!(result.name, dataset.name);
        let alone = separately(dataset).await;
        let got = result.result.as_ref().unwrap();
        assert_eq!(got.objective, alone.objective, "{}", result.name);
        assert_eq!(got.flows, alone.flows, "{}", result.name);
        total += alone.objective.unwrap();
    }
    assert!(
        answer.results[1].result.as_ref().unwrap().objective
            > answer.results[0].result.as_ref().unwrap().objective
    );
    let p = progress(&op);
    assert_eq!((p.regions_total, p.regions_done), (2, 2));
    assert!((p.best_objective.unwrap() - total).abs() <= 1e-9 * total.abs());

    // A sweep of two CO2 prices: each scenario is the dataset solved at that price.
    let (_, answer) = batch_answered(
        &server,
        pb::BatchRequest {
            datasets: vec![cheap.clone()],
            sweep: Some(pb::Sweep {
                co2_prices: vec![0.0, 250.0],
                transport_costs_per_tkm: vec![],
            }),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(answer.results.len(), 2);
    for (i, price) in [0.0, 250.0].into_iter().enumerate() {
        let scenario = &answer.results[i];
        assert_eq!(
            (scenario.scenario, scenario.co2_price),
            (i as u32 + 1, price)
        );
        let mut priced = cheap.clone();
        priced.co2_price = Some(price);
        let alone = separately(priced).await;
        assert_eq!(scenario.result.as_ref().unwrap().objective, alone.objective);
    }
}

#[tokio::test]
async fn a_cancelled_operation_ends_cancelled_and_frees_its_slot() {
    // One slot: the next operation can only run once the cancelled one has let go.
    let server = start_with(config(1)).await;
    let long = client(&server)
        .await
        .submit_batch(pb::BatchRequest {
            datasets: vec![to_pb(&big_region())],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let queued = client(&server)
        .await
        .submit_match_batch(hand_batch())
        .await
        .unwrap()
        .into_inner();
    let mut ops = operations(&server).await;
    // Running, with the solver's progress showing, before it is cancelled.
    let started = Instant::now();
    loop {
        let op = get(&server, &long.name).await;
        let p = progress(&op);
        if p.state == pb::OperationState::Running as i32 && p.pricing_round > 0 {
            assert!(p.most_negative_reduced_cost.is_some());
            break;
        }
        assert!(!op.done, "finished before it could be cancelled");
        assert!(started.elapsed() < Duration::from_secs(60), "never ran");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waiting = get(&server, &queued.name).await;
    assert_eq!(progress(&waiting).state, pb::OperationState::Queued as i32);
    let cancelled_at = Instant::now();
    ops.cancel_operation(lro::CancelOperationRequest {
        name: long.name.clone(),
    })
    .await
    .unwrap();
    let op = finished(&server, &long.name, Duration::from_secs(30)).await;
    eprintln!(
        "cancelled operation done after {:?}",
        cancelled_at.elapsed()
    );
    match &op.result {
        Some(lro::operation::Result::Error(s)) => {
            assert_eq!(s.code, tonic::Code::Cancelled as i32, "{}", s.message)
        }
        other => panic!("expected CANCELLED, got {other:?}"),
    }
    assert_eq!(progress(&op).state, pb::OperationState::Cancelled as i32);
    // The queued one gets the slot and completes.
    let next = finished(&server, &queued.name, Duration::from_secs(60)).await;
    let _: pb::MatchBatchResponse = response(&next, "circulate.v1.MatchBatchResponse");
    // Cancelling a finished operation leaves it as it was.
    ops.cancel_operation(lro::CancelOperationRequest {
        name: queued.name.clone(),
    })
    .await
    .unwrap();
    let again = get(&server, &queued.name).await;
    assert_eq!(again, next);
}

#[tokio::test]
async fn bad_submissions_are_refused_at_once_naming_the_field() {
    let server = start_with(config(1)).await;
    let mut c = client(&server).await;
    let mut bad = to_pb(&example());
    bad.name = "another".into();
    bad.sites[2].lat = 123.0;
    let err = c
        .submit_batch(pb::BatchRequest {
            datasets: vec![to_pb(&example()), bad],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert_says(&err, "datasets[1].sites[2].lat");
    let err = c
        .submit_batch(pb::BatchRequest {
            datasets: vec![to_pb(&example()), to_pb(&example())],
            sweep: Some(pb::Sweep {
                co2_prices: vec![10.0],
                transport_costs_per_tkm: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_says(&err, "exactly one dataset");
    let err = c
        .submit_batch(pb::BatchRequest {
            datasets: vec![to_pb(&example())],
            sweep: Some(pb::Sweep {
                co2_prices: vec![10.0, f64::NAN],
                transport_costs_per_tkm: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_says(&err, "sweep.co2_prices[1]");
    let err = c
        .submit_batch(pb::BatchRequest::default())
        .await
        .unwrap_err();
    assert_says(&err, "datasets");
    let mut batch = hand_batch();
    batch.offers[0].quantity_t = -1.0;
    let err = c.submit_match_batch(batch).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    // Nothing was filed.
    let listed = operations(&server)
        .await
        .list_operations(lro::ListOperationsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(listed.operations.is_empty());
    // A name of another server instance (before a restart) says it was lost.
    let err = operations(&server)
        .await
        .get_operation(lro::GetOperationRequest {
            name: "operations/00000000-0123".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert!(
        err.message().contains("restarted") || err.message().contains("never submitted"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn operations_over_rest() {
    let server = start_rest(config(2)).await;
    let http = server.http.unwrap();
    let body = serde_json::to_vec(&serde_json::json!({
        "offers": [{"id": "o1", "material": "m", "quantityT": 10, "lon": 0.0, "lat": 0.0}],
        "requests": [{"id": "r1", "material": "m", "quantityT": 6, "lon": 0.1, "lat": 0.0}],
        "materials": [{"id": "m", "importCost": 50, "disposalCost": 10}]
    }))
    .unwrap();
    let submitted = http_call(http, "POST", "/v1/match-batch:submit", &[], body).await;
    assert_eq!(
        submitted.status,
        200,
        "{}",
        String::from_utf8_lossy(&submitted.body)
    );
    let op = submitted.json();
    let name = op["name"].as_str().unwrap().to_string();
    assert_eq!(
        op["metadata"]["@type"],
        "type.googleapis.com/circulate.v1.OperationProgress"
    );
    let started = Instant::now();
    let done = loop {
        let got = http_call(http, "GET", &format!("/v1/{name}"), &[], Vec::new()).await;
        assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
        let op = got.json();
        if op["done"] == true {
            break op;
        }
        assert!(started.elapsed() < Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let response = &done["response"];
    assert_eq!(
        response["@type"],
        "type.googleapis.com/circulate.v1.MatchBatchResponse"
    );
    assert_eq!(response["matches"][0]["offerId"], "o1");
    assert_eq!(response["matches"][0]["quantityT"], 6.0);
    assert_eq!(done["metadata"]["state"], "OPERATION_STATE_SUCCEEDED");
    let listed = http_call(http, "GET", "/v1/operations?pageSize=1", &[], Vec::new()).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["operations"][0]["name"], name.as_str());
    let bad = http_call(http, "GET", "/v1/operations?pageSize=lots", &[], Vec::new()).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("pageSize")
    );
    let cancel = http_call(
        http,
        "POST",
        &format!("/v1/{name}:cancel"),
        &[],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        cancel.status,
        200,
        "{}",
        String::from_utf8_lossy(&cancel.body)
    );
    let deleted = http_call(http, "DELETE", &format!("/v1/{name}"), &[], Vec::new()).await;
    assert_eq!(deleted.status, 200);
    let gone = http_call(http, "GET", &format!("/v1/{name}"), &[], Vec::new()).await;
    assert_eq!(gone.status, 404);
}
