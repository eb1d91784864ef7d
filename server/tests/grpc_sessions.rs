//! What-if sessions over gRPC: each revision's plan equals a cold MatchBatch or Optimize of
//! the revised request (and the hand-computed numbers), listings are named by id and may be
//! added, bad changes are refused by field and leave the session as it was, a time-limited
//! revision answers with its best plan and the next goes on; the bounds (count, idle time,
//! the owning token) refuse with the code and limit named.
#![allow(clippy::unwrap_used)]

mod grpc_support;
use circulate::grpc::admission::Budget;
use circulate::grpc::auth::Tokens;
use circulate::grpc::pb;
use circulate::grpc::server::ServeConfig;
use circulate::grpc::sessions::SessionLimits;
use grpc_support::*;
use std::time::Duration;
use tonic::Code;

const DEGREE_KM: f64 = 111.195_079_734_632_3;

fn open_batch(batch: pb::MatchBatchRequest) -> pb::OpenSessionRequest {
    pb::OpenSessionRequest {
        problem: Some(pb::open_session_request::Problem::Batch(batch)),
        request_id: String::new(),
    }
}

fn listing(kind: pb::StreamKind, id: &str) -> Option<pb::StreamRef> {
    Some(pb::StreamRef {
        kind: kind as i32,
        index: 0,
        listing_id: id.into(),
    })
}

fn change(c: pb::change::Change) -> pb::Change {
    pb::Change { change: Some(c) }
}

fn revise(session: &str, changes: Vec<pb::Change>) -> pb::ReviseRequest {
    pb::ReviseRequest {
        session_id: session.into(),
        changes,
        time_limit_s: None,
        request_id: String::new(),
    }
}

fn batch_of_plan(plan: &pb::SessionPlan) -> &pb::MatchBatchResponse {
    match plan.plan.as_ref().unwrap() {
        pb::session_plan::Plan::Batch(b) => b,
        pb::session_plan::Plan::Optimize(_) => panic!("a batch session answers with a batch"),
    }
}

fn objective(r: &pb::MatchBatchResponse) -> f64 {
    r.summary.as_ref().unwrap().objective.unwrap()
}

/// The matches as sorted (offer, request, tonnes) rows.
fn match_rows(r: &pb::MatchBatchResponse) -> Vec<(String, String, i64)> {
    let mut rows: Vec<_> = r
        .matches
        .iter()
        .map(|m| {
            (
                m.offer_id.clone(),
                m.request_id.clone(),
                (m.quantity_t * 1e6).round() as i64,
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_batch_session_revises_to_what_a_cold_match_gives() {
    let server = start(2).await;
    let mut c = client(&server).await;
    let opened = c
        .open_session(open_batch(hand_batch()))
        .await
        .unwrap()
        .into_inner();
    let hop = 0.1 * 0.1 * DEGREE_KM;
    assert!((objective(batch_of_plan(&opened)) - (6.0 * hop + 145.0)).abs() < 1e-6);
    assert_eq!(opened.diff.as_ref().unwrap().start, "opened");
    let id = opened.session_id.clone();
    assert_eq!(id.len(), 32);

    // r2 now worth 60 per t: o1's spare 4 t go to r2 (33.36 per t of haul saves 10 + 60).
    let revised = c
        .revise(revise(
            &id,
            vec![change(pb::change::Change::StreamPrice(
                pb::StreamPriceChange {
                    stream: listing(pb::StreamKind::Demand, "r2"),
                    price_per_t: Some(60.0),
                },
            ))],
        ))
        .await
        .unwrap()
        .into_inner();
    let long_haul = 0.1 * 3.0 * DEGREE_KM;
    let expected = 6.0 * hop + 4.0 * long_haul + 100.0 + 60.0;
    let plan = batch_of_plan(&revised);
    assert!(
        (objective(plan) - expected).abs() < 1e-6,
        "{}",
        objective(plan)
    );
    let diff = revised.diff.as_ref().unwrap();
    assert_eq!(diff.start, "kept");
    assert_eq!(diff.added.len(), 1);
    assert!(diff.removed.is_empty());
    assert!((diff.objective_delta.unwrap() - (expected - 6.0 * hop - 145.0)).abs() < 1e-6);
    assert_eq!(revised.revision, 1);
    let mut cold = hand_batch();
    cold.requests[1].value_per_t = Some(60.0);
    let cold_answer = c.match_batch(cold.clone()).await.unwrap().into_inner();
    assert_eq!(match_rows(plan), match_rows(&cold_answer));

    // A new request r3 next to o2, and o1 gone.
    let revised = c
        .revise(revise(
            &id,
            vec![
                change(pb::change::Change::Add(pb::AddStream {
                    kind: pb::StreamKind::Demand as i32,
                    material: "pallets".into(),
                    quantity_t: 8.0,
                    listing_id: "r3".into(),
                    lon: 20.05,
                    lat: 0.0,
                    ..Default::default()
                })),
                change(pb::change::Change::Remove(
                    listing(pb::StreamKind::Supply, "o1").unwrap(),
                )),
            ],
        ))
        .await
        .unwrap()
        .into_inner();
    cold.requests.push(pb::Request {
        id: "r3".into(),
        material: "pallets".into(),
        quantity_t: 8.0,
        lon: 20.05,
        lat: 0.0,
        max_km: None,
        value_per_t: None,
    });
    cold.offers[0].quantity_t = 0.0;
    let cold_answer = c.match_batch(cold).await.unwrap().into_inner();
    let plan = batch_of_plan(&revised);
    assert_eq!(match_rows(plan), match_rows(&cold_answer));
    assert!((objective(plan) - objective(&cold_answer)).abs() < 1e-6);
    assert!(match_rows(plan).contains(&("o2".into(), "r3".into(), 8_000_000)));
    // The new listing is named in later revisions.
    let revised = c
        .revise(revise(
            &id,
            vec![change(pb::change::Change::Quantity(pb::QuantityChange {
                stream: listing(pb::StreamKind::Demand, "r3"),
                quantity_t: 2.0,
            }))],
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(match_rows(batch_of_plan(&revised)).contains(&("o2".into(), "r3".into(), 2_000_000)));
    let closed = c
        .close_session(pb::CloseSessionRequest {
            session_id: id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(closed.revisions, 3);
    let gone = c.revise(revise(&id, vec![])).await.unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
}

#[tokio::test]
async fn a_region_session_takes_a_new_co2_price_like_a_cold_optimize() {
    let server = start(2).await;
    let mut c = client(&server).await;
    let ds = example();
    let request = pb::OptimizeRequest {
        dataset: Some(to_pb(&ds)),
        options: None,
        request_id: String::new(),
    };
    let opened = c
        .open_session(pb::OpenSessionRequest {
            problem: Some(pb::open_session_request::Problem::Optimize(request.clone())),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let id = opened.session_id;
    let revised = c
        .revise(revise(
            &id,
            vec![change(pb::change::Change::Co2Price(ds.co2_price + 150.0))],
        ))
        .await
        .unwrap()
        .into_inner();
    let Some(pb::session_plan::Plan::Optimize(plan)) = revised.plan else {
        panic!("a region session answers with a region's plan");
    };
    let mut cold = request;
    cold.dataset.as_mut().unwrap().co2_price = Some(ds.co2_price + 150.0);
    let cold = c.optimize(cold).await.unwrap().into_inner();
    let (w, k) = (plan.objective.unwrap(), cold.objective.unwrap());
    assert!((w - k).abs() <= 1e-6 * k.abs().max(1.0), "{w} vs {k}");
    assert_ne!(revised.diff.unwrap().start, "rebuilt");
}

#[tokio::test]
async fn bad_changes_are_refused_by_field_and_the_session_goes_on() {
    let server = start(2).await;
    let mut c = client(&server).await;
    let opened = c
        .open_session(open_batch(hand_batch()))
        .await
        .unwrap()
        .into_inner();
    let id = opened.session_id.clone();
    let before = objective(batch_of_plan(&opened));
    let bad = [
        (
            change(pb::change::Change::Quantity(pb::QuantityChange {
                stream: listing(pb::StreamKind::Supply, "o1"),
                quantity_t: -3.0,
            })),
            "changes[0].tonnes",
        ),
        (
            change(pb::change::Change::Quantity(pb::QuantityChange {
                stream: listing(pb::StreamKind::Supply, "nope"),
                quantity_t: 3.0,
            })),
            "changes[0].quantity.stream.listing_id",
        ),
        (
            change(pb::change::Change::Co2Price(f64::INFINITY)),
            "changes[0].co2_price",
        ),
        (
            change(pb::change::Change::CloseSite("offer:o1".into())),
            "changes[0].close_site",
        ),
        (pb::Change { change: None }, "changes[0].change"),
    ];
    for (bad, field) in bad {
        let e = c.revise(revise(&id, vec![bad])).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
        assert!(e.message().contains(field), "{field}: {}", e.message());
    }
    // A time limit of nothing answers with the best plan found, and the session goes on.
    let mut limited = revise(&id, vec![change(pb::change::Change::Co2Price(10.0))]);
    limited.time_limit_s = Some(0.0);
    let answer = c.revise(limited).await.unwrap().into_inner();
    let summary = batch_of_plan(&answer).summary.unwrap();
    assert!(
        summary.objective.is_some(),
        "a plan comes back: {summary:?}"
    );
    let unchanged = c
        .revise(revise(&id, vec![change(pb::change::Change::Co2Price(0.0))]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        batch_of_plan(&unchanged).summary.as_ref().unwrap().status,
        pb::SolveStatus::Optimal as i32
    );
    assert!((objective(batch_of_plan(&unchanged)) - before).abs() < 1e-9);
}

#[tokio::test]
async fn sessions_are_bounded_in_count_and_idle_time() {
    let server = start_with(ServeConfig {
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        sessions: SessionLimits {
            max_sessions: 1,
            max_bytes: 1 << 40,
            idle: Duration::from_millis(300),
        },
        ..ServeConfig::default()
    })
    .await;
    let mut c = client(&server).await;
    let first = c
        .open_session(open_batch(hand_batch()))
        .await
        .unwrap()
        .into_inner();
    let e = c.open_session(open_batch(hand_batch())).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(e.message().contains("--max-sessions 1"), "{}", e.message());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let e = c
        .revise(revise(&first.session_id, vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "expired: {e:?}");
    // Its room is free again.
    c.open_session(open_batch(hand_batch())).await.unwrap();
}

#[tokio::test]
async fn the_memory_bound_refuses_a_session_naming_it() {
    let server = start_with(ServeConfig {
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        sessions: SessionLimits {
            max_sessions: 8,
            max_bytes: 1_000_000,
            idle: Duration::from_secs(60),
        },
        ..ServeConfig::default()
    })
    .await;
    let mut c = client(&server).await;
    let e = c
        .open_session(open_batch(synthetic_batch(300, 1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(e.message().contains("--max-session-mb"), "{}", e.message());
}

#[tokio::test]
async fn a_session_belongs_to_the_token_that_opened_it() {
    let (alice, bob) = ("alice-0123456789abcdef", "bob-0123456789abcdefgh");
    let server = start_with(ServeConfig {
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        tokens: Tokens::parse(&format!("{alice}\n{bob}")).unwrap(),
        ..ServeConfig::default()
    })
    .await;
    let mut c = client(&server).await;
    fn with<T>(token: &str, body: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(body);
        r.metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        r
    }
    let opened = c
        .open_session(with(alice, open_batch(hand_batch())))
        .await
        .unwrap()
        .into_inner();
    let id = opened.session_id;
    let e = c.revise(with(bob, revise(&id, vec![]))).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let e = c
        .close_session(with(
            bob,
            pb::CloseSessionRequest {
                session_id: id.clone(),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    c.revise(with(alice, revise(&id, vec![]))).await.unwrap();
}
