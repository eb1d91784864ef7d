//! What the service refuses and how: invalid fields with their paths, deadlines, the
//! concurrency bound, the memory budget, malformed and oversized messages, abandoned solves,
//! many violations in small trailers.
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::admission::Budget;
use circulate::grpc::pb;
use circulate::grpc::server::ServeConfig;
use grpc_support::*;
use std::time::{Duration, Instant};
use tonic_types::StatusExt;

#[tokio::test]
async fn bad_requests_get_invalid_argument_with_every_field_path() {
    let mut ds = to_pb(&example());
    ds.supplies[1].quantity_t = -3.0;
    ds.demands[0].material = "unobtainium".into();
    ds.sites[2].lat = 95.0;
    let server = start(2).await;
    let status = client(&server)
        .await
        .optimize(pb::OptimizeRequest {
            dataset: Some(ds),
            options: None,
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let bad = status.get_details_bad_request().unwrap();
    let fields: Vec<&str> = bad
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    for expected in [
        "dataset.supplies[1].quantity_t",
        "dataset.demands[0].material",
        "dataset.sites[2].lat",
    ] {
        assert!(fields.contains(&expected), "{expected} not in {fields:?}");
    }
    let missing = client(&server)
        .await
        .optimize(pb::OptimizeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::InvalidArgument);

    let mut batch = hand_batch();
    batch.requests[0].max_km = Some(-1.0);
    let status = client(&server).await.match_batch(batch).await.unwrap_err();
    let bad = status.get_details_bad_request().unwrap();
    assert_eq!(bad.field_violations[0].field, "requests[0].max_km");
}

#[tokio::test]
async fn a_short_deadline_returns_in_time_with_a_status() {
    let server = start(2).await;
    // This region takes well over 10 s with pricing; the deadline allows 3 s.
    let mut request = tonic::Request::new(pb::OptimizeRequest {
        dataset: Some(to_pb(&big_region())),
        options: None,
        request_id: String::new(),
    });
    request.set_timeout(Duration::from_secs(3));
    let started = Instant::now();
    let outcome = client(&server).await.optimize(request).await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    match outcome {
        // The usual case: the solver stopped at its share of the deadline.
        Ok(r) => assert_eq!(r.into_inner().status, pb::SolveStatus::TimeLimit as i32),
        // Under heavy load the deadline can pass first; tonic's client reports its own
        // expired deadline as CANCELLED "Timeout expired".
        Err(s) => assert!(
            s.code() == tonic::Code::DeadlineExceeded
                || (s.code() == tonic::Code::Cancelled && s.message().contains("Timeout")),
            "{s:?} after {elapsed:?}"
        ),
    }
}

#[tokio::test]
async fn large_solves_beyond_the_bound_are_refused_and_small_ones_still_run() {
    let server = start(1).await;
    let slow = pb::OptimizeRequest {
        dataset: Some(to_pb(&big_region())),
        options: Some(pb::SolveOptions {
            exact: true,
            time_limit_s: Some(3.0),
            ..Default::default()
        }),
        request_id: String::new(),
    };
    let mut first = client(&server).await;
    let first_request = slow.clone();
    let running = tokio::spawn(async move { first.optimize(first_request).await });
    // Until the slow solve holds the only large slot, a second one may still get through.
    let mut refused = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let second = client(&server).await.optimize(slow.clone()).await;
        if let Err(status) = second {
            refused = Some(status);
            break;
        }
    }
    let refused = refused.unwrap();
    assert_eq!(
        refused.code(),
        tonic::Code::ResourceExhausted,
        "{refused:?}"
    );
    assert!(
        !running.is_finished(),
        "the slow solve ended before the check"
    );
    // A small request runs in its own lane beside the large solve, and is answered first.
    let quick = client(&server)
        .await
        .optimize(optimize_request(&example()))
        .await
        .unwrap();
    assert_eq!(quick.into_inner().status, pb::SolveStatus::Optimal as i32);
    assert!(
        !running.is_finished(),
        "the small request waited for the large one"
    );
    assert!(running.await.unwrap().is_ok());
}

#[tokio::test]
async fn requests_estimated_over_the_memory_budget_are_refused_before_solving() {
    let server = start_with(ServeConfig {
        budget: Budget {
            max_model_bytes: 100_000_000,
        },
        ..ServeConfig::default()
    })
    .await;
    let started = Instant::now();
    let status = client(&server)
        .await
        .optimize(pb::OptimizeRequest {
            dataset: Some(to_pb(&big_region())),
            options: Some(pb::SolveOptions {
                exact: true,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert_says(&status, "limit of 100 MB (--max-model-mb)");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refused, not solved"
    );
}

#[tokio::test]
async fn malformed_and_oversized_messages_get_client_error_codes() {
    let server = start(1).await;
    let status = raw_call(&server, NotAMatchBatch { offers: 7 }).await;
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    let small = start_with(ServeConfig {
        max_message_bytes: 1000,
        ..ServeConfig::default()
    })
    .await;
    let request = pb::MatchBatchRequest {
        offers: (0..100)
            .map(|i| pb::Offer {
                id: format!("offer-{i}"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let status = client(&small).await.match_batch(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("too large"), "{status:?}");
}

/// A client that gives up on a long solve frees its slot at once: the server cancels the
/// solve (it used to run to the end, answering RESOURCE_EXHAUSTED to everyone meanwhile).
#[tokio::test]
async fn an_abandoned_solve_frees_its_slot() {
    let server = start(1).await;
    // 20,000 offers and requests on the uniform instance: a priced solve of several seconds
    // on the min-cost flow engine, which watches the cancellation.
    let big = batch_of(&optimizer::generate::uniform::generate(20_000, 7, false));
    let mut c = client(&server).await;
    let abandoned =
        tokio::time::timeout(std::time::Duration::from_millis(1500), c.match_batch(big)).await;
    assert!(abandoned.is_err(), "the big batch should still be running");
    let given_up = std::time::Instant::now();
    loop {
        match client(&server).await.match_batch(hand_batch()).await {
            Ok(r) => {
                let status = r.into_inner().summary.unwrap().status;
                assert_eq!(status, pb::SolveStatus::Optimal as i32);
                break;
            }
            Err(e) => {
                assert_eq!(e.code(), tonic::Code::ResourceExhausted, "{e}");
                assert!(
                    given_up.elapsed().as_secs_f64() < 3.0,
                    "the slot is still held {:.1} s after the client left",
                    given_up.elapsed().as_secs_f64()
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// A request with 1,001 bad fields (1,000 negative quantities and a 4,000-character unknown
/// material id) is answered INVALID_ARGUMENT with the first violations listed and the rest
/// counted, in trailers well under the 16 KB gRPC C-core clients accept (it used to list all
/// of them: megabytes).
#[tokio::test]
async fn many_violations_stay_within_small_trailers() {
    use tonic_types::StatusExt;
    let server = start(2).await;
    let mut batch = hand_batch();
    let template = batch.offers[0].clone();
    batch.offers = (0..1000)
        .map(|i| pb::Offer {
            id: format!("bad{i}"),
            quantity_t: -1.0,
            ..template.clone()
        })
        .collect();
    batch.offers[0].material = "m".repeat(4000);
    let status = client(&server).await.match_batch(batch).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status
            .message()
            .starts_with("1001 invalid field(s) (the first 20 listed)"),
        "{}",
        status.message()
    );
    let details = status.get_error_details();
    let violations = details.bad_request().unwrap().field_violations.clone();
    assert_eq!(violations.len(), 20);
    assert!(
        violations
            .iter()
            .all(|v| v.description.chars().count() <= 121)
    );
    let trailer_bytes = status.details().len() * 4 / 3 + status.message().len();
    assert!(
        trailer_bytes < 8 * 1024,
        "{trailer_bytes} bytes of trailers"
    );
}
