//! Retried calls with a `request_id`: solved once (the metrics' solve counter proves it),
//! a concurrent repeat waits for the first, the same id with another body is refused over
//! gRPC (ALREADY_EXISTS) and REST (409), and a retried revision is applied once.
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::admission::Budget;
use circulate::grpc::pb;
use circulate::grpc::server::ServeConfig;
use grpc_support::*;
use std::time::Duration;

/// The value of the metric line starting with `name` (0 when absent).
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0.0, |v| v.parse().unwrap())
}

async fn solves(metrics: std::net::SocketAddr) -> f64 {
    // The solve histogram is recorded when the blocking task ends, just after the answer.
    tokio::time::sleep(Duration::from_millis(200)).await;
    metric(
        &scrape(metrics).await,
        r#"circulate_solve_seconds_count{method="MatchBatch",outcome="ok"}"#,
    )
}

#[tokio::test]
async fn a_repeated_request_id_is_solved_once() {
    let metrics = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    circulate::grpc::metrics::serve_metrics(metrics).unwrap();
    let server = start_rest(ServeConfig {
        max_concurrent_solves: 2,
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        ..ServeConfig::default()
    })
    .await;
    let mut batch = synthetic_batch(300, 5);
    batch.request_id = "3f1c9a52-0d8e-4b7a-9c61-5b2e8f7d0a14".into();
    let first = matched(&server, batch.clone()).await;
    assert_eq!(solves(metrics).await, 1.0);
    let repeat = matched(&server, batch.clone()).await;
    // The stored answer, to the solve timings: no second solve happened.
    assert_eq!(repeat, first);
    assert_eq!(solves(metrics).await, 1.0, "the repeat was solved again");

    // Two at once: one solves, the other waits for its answer.
    batch.request_id = "second-id".into();
    let (a, b) = tokio::join!(
        matched(&server, batch.clone()),
        matched(&server, batch.clone())
    );
    assert_eq!(a, b);
    assert_eq!(solves(metrics).await, 2.0);
    let text = scrape(metrics).await;
    assert_eq!(
        metric(
            &text,
            r#"circulate_idempotent_total{rpc="MatchBatch",outcome="replayed"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &text,
            r#"circulate_idempotent_total{rpc="MatchBatch",outcome="waited"}"#
        ),
        1.0
    );

    // The same id with another body.
    let mut other = batch.clone();
    other.offers[0].quantity_t += 1.0;
    let err = client(&server)
        .await
        .match_batch(other.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::AlreadyExists, "{err}");
    assert_says(&err, "second-id");
    let body = circulate::rest::json::encode("circulate.v1.MatchBatchRequest", &other).unwrap();
    let answer = http_call(server.http.unwrap(), "POST", "/v1/match-batch", &[], body).await;
    assert_eq!(answer.status, 409);
    assert_eq!(answer.json()["code"], 6);
    // Over REST with the first body: the stored answer.
    let body = circulate::rest::json::encode("circulate.v1.MatchBatchRequest", &batch).unwrap();
    let answer = http_call(server.http.unwrap(), "POST", "/v1/match-batch", &[], body).await;
    assert_eq!(answer.status, 200);
    let over_rest: pb::MatchBatchResponse =
        circulate::rest::json::decode("circulate.v1.MatchBatchResponse", &answer.body, &[])
            .unwrap();
    assert_eq!(over_rest, a);
    assert_eq!(solves(metrics).await, 2.0);

    // A bad id names the field.
    batch.request_id = "not an id".into();
    let err = client(&server).await.match_batch(batch).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert_says(&err, "request_id");
}

#[tokio::test]
async fn a_retried_revision_is_applied_once() {
    let server = start(2).await;
    let mut c = client(&server).await;
    let opened = c
        .open_session(pb::OpenSessionRequest {
            problem: Some(pb::open_session_request::Problem::Batch(hand_batch())),
            request_id: "open-1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let reopened = c
        .open_session(pb::OpenSessionRequest {
            problem: Some(pb::open_session_request::Problem::Batch(hand_batch())),
            request_id: "open-1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        reopened.session_id, opened.session_id,
        "one session, not two"
    );
    let revise = pb::ReviseRequest {
        session_id: opened.session_id.clone(),
        changes: vec![pb::Change {
            change: Some(pb::change::Change::Co2Price(200.0)),
        }],
        time_limit_s: None,
        request_id: "revise-1".into(),
    };
    let first = c.revise(revise.clone()).await.unwrap().into_inner();
    let again = c.revise(revise.clone()).await.unwrap().into_inner();
    assert_eq!(first.revision, 1);
    assert_eq!(again, first, "the stored answer");
    let next = c
        .revise(pb::ReviseRequest {
            request_id: String::new(),
            ..revise
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next.revision, 2, "the retry was not applied");
}
