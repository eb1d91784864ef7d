//! Every RPC answered as the CLI answers: Optimize against `circulate solve`, MatchBatch
//! against a hand-computed batch and against plain k-nearest, ids returned as sent, health and
//! reflection.
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::pb;
use grpc_support::*;
use std::path::Path;
use tonic::transport::Channel;

#[tokio::test]
async fn optimize_matches_the_cli_solve() {
    let server = start(2).await;
    let mut circulate = client(&server).await;
    let request = optimize_request(&example());
    let response = circulate.optimize(request.clone()).await.unwrap();
    let response = response.into_inner();
    assert_eq!(response.status, pb::SolveStatus::Optimal as i32);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_circulate"))
        .args(["solve", dir.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let expected = json["objective"].as_f64().unwrap();
    let got = response.objective.unwrap();
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs(),
        "{got} vs {expected}"
    );
    assert_eq!(
        response.flows.len(),
        json["flows"].as_array().unwrap().len()
    );
    assert_eq!(
        response.targets.len(),
        json["targets"].as_array().unwrap().len()
    );
    assert_eq!(response.demand_prices.len(), example().demands.len());

    let targets = circulate.import_substitution(request).await.unwrap();
    let targets = targets.into_inner();
    assert_eq!(targets.targets, response.targets);
}

/// The example dataset optimized with default options, and with `options`.
async fn example_plainly_and_with(
    options: pb::SolveOptions,
) -> (pb::OptimizeResponse, pb::OptimizeResponse) {
    let server = start(2).await;
    let mut request = optimize_request(&example());
    let mut circulate = client(&server).await;
    let plain = circulate
        .optimize(request.clone())
        .await
        .unwrap()
        .into_inner();
    request.options = Some(options);
    let with = circulate.optimize(request).await.unwrap().into_inner();
    (plain, with)
}

/// The plan as Valueflows over the API, when asked for: one transfer commitment a flow, with
/// its tonnes; not sent otherwise.
#[tokio::test]
async fn optimize_answers_with_valueflows_when_asked() {
    let (plain, r) = example_plainly_and_with(pb::SolveOptions {
        valueflows: true,
        ..Default::default()
    })
    .await;
    assert!(plain.valueflows_jsonld.is_empty());
    let doc: serde_json::Value = serde_json::from_str(&r.valueflows_jsonld).unwrap();
    let graph = doc["@graph"].as_array().unwrap();
    let tonnes: Vec<f64> = graph
        .iter()
        .filter(|n| n["@type"] == "vf:Commitment" && n["action"] == "vf:transfer")
        .map(|n| n["resourceQuantity"]["hasNumericalValue"].as_f64().unwrap())
        .collect();
    let flows: Vec<f64> = r.flows.iter().map(|f| f.tonnes_sent).collect();
    assert_eq!(tonnes, flows);
}

/// Cost ranging over the API, when asked for: every flow carries the margin the CLI writes
/// to result.json (the same walks on the same plan); none otherwise.
#[tokio::test]
async fn optimize_ranges_the_flows_when_asked() {
    let (plain, r) = example_plainly_and_with(pb::SolveOptions {
        cost_ranging: true,
        ..Default::default()
    })
    .await;
    assert!(plain.flows.iter().all(|f| f.cost_margin_exact.is_none()));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    let out = tempfile::tempdir().unwrap();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_circulate"))
        .args(["solve", dir.to_str().unwrap(), "--cost-ranging", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(cli.status.success());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("result.json")).unwrap()).unwrap();
    let margins: Vec<Option<f64>> = json["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cost_margin"].as_f64())
        .collect();
    assert_eq!(margins.len(), r.flows.len());
    assert!(r.flows.iter().all(|f| f.cost_margin_exact.is_some()));
    assert!(margins.iter().any(Option::is_some));
    for (f, m) in r.flows.iter().zip(&margins) {
        match (f.cost_margin, m) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}"),
            (a, b) => assert_eq!(a, *b),
        }
    }
    // The report lists them.
    let report = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(report.contains("<section id=\"margins\">"));
}

/// Alternatives over the API: within the cap, each with its flows; a slack out of range is
/// refused naming its field.
#[tokio::test]
async fn optimize_returns_alternatives_within_the_cap() {
    let server = start(2).await;
    let mut request = optimize_request(&example());
    request.options = Some(pb::SolveOptions {
        alternatives: 2,
        within: Some(0.1),
        ..Default::default()
    });
    let r = client(&server)
        .await
        .optimize(request.clone())
        .await
        .unwrap()
        .into_inner();
    let optimum = r.objective.unwrap();
    assert_eq!(r.alternatives.len(), 2);
    for a in &r.alternatives {
        assert!(a.objective.unwrap() <= optimum * 1.1 * (1.0 + 1e-9));
        assert!(!a.flows.is_empty() && a.shared_with_optimum < 1.0);
    }
    request.options.as_mut().unwrap().within = Some(-1.0);
    let status = client(&server).await.optimize(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_says(&status, "options.within");
}

#[tokio::test]
async fn match_batch_returns_the_hand_computed_matches() {
    let server = start(2).await;
    let r = matched(&server, hand_batch()).await;
    let summary = r.summary.unwrap();
    assert_eq!(summary.status, pb::SolveStatus::Optimal as i32);
    let hop = 0.1 * 0.1 * 111.195_079_734_632_3;
    assert!((summary.objective.unwrap() - (6.0 * hop + 140.0 + 5.0)).abs() < 1e-6);
    assert_eq!(r.matches.len(), 1);
    let m = &r.matches[0];
    assert_eq!((m.offer_id.as_str(), m.request_id.as_str()), ("o1", "r1"));
    assert!((m.quantity_t - 6.0).abs() < 1e-9);
    let reason = |list: &[pb::Unmatched], id: &str| {
        let u = list.iter().find(|u| u.id == id).unwrap();
        (
            u.quantity_t,
            pb::UnmatchedReason::try_from(u.reason).unwrap(),
        )
    };
    let (t, why) = reason(&r.unmatched_offers, "o1");
    assert!((t - 4.0).abs() < 1e-9);
    assert_eq!(why, pb::UnmatchedReason::Outbid);
    assert_eq!(
        reason(&r.unmatched_offers, "o2").1,
        pb::UnmatchedReason::NoCounterpartInRange
    );
    assert_eq!(
        reason(&r.unmatched_requests, "r2").1,
        pb::UnmatchedReason::Outbid
    );
    // The numbers behind the reasons: o1 -> r2 costs 0.1 x 3 degrees = 33.36 per t and saves
    // o1's disposal (10) and r2's value (1), so either's price must rise by 22.36; o2 has
    // nothing in range, r2 being the nearest, 17 degrees away.
    let degree = 111.195_079_734_632_3;
    let by_id =
        |list: &[pb::Unmatched], id: &str| list.iter().find(|u| u.id == id).cloned().unwrap();
    for u in [
        by_id(&r.unmatched_requests, "r2"),
        by_id(&r.unmatched_offers, "o1"),
    ] {
        let gap = u.price_gap.unwrap();
        assert!(
            (gap - (0.3 * degree - 11.0)).abs() < 1e-6,
            "{}: {gap}",
            u.id
        );
        assert!(u.price_gap_exact);
        assert!((u.km.unwrap() - 3.0 * degree).abs() < 1e-4, "{u:?}");
    }
    assert_eq!(by_id(&r.unmatched_requests, "r2").counterpart, "o1");
    let o2 = by_id(&r.unmatched_offers, "o2");
    assert_eq!((o2.price_gap, o2.counterpart.as_str()), (None, "r2"));
    assert!((o2.km.unwrap() - 17.0 * degree).abs() < 1e-3, "{o2:?}");
    assert!(
        r.unmatched_requests.iter().all(|u| u.id != "r1"),
        "r1 is fully served"
    );
}

#[tokio::test]
async fn match_batch_without_pricing_is_plain_k_nearest_and_never_better() {
    let mut batch = synthetic_batch(400, 5);
    let server = start(2).await;
    let mut solve = |no_pricing: bool| {
        batch.options = Some(pb::MatchOptions {
            k: 1,
            no_pricing,
            ..Default::default()
        });
        let request = batch.clone();
        let server = &server;
        async move {
            let r = client(server)
                .await
                .match_batch(request)
                .await
                .unwrap()
                .into_inner();
            r.summary.unwrap()
        }
    };
    let priced = solve(false).await;
    let plain = solve(true).await;
    let (ps, ns) = (priced.stats.unwrap(), plain.stats.unwrap());
    assert!(ps.priced && !ns.priced);
    assert_eq!((ns.pricing_rounds, ns.arcs_added_by_pricing), (0, 0));
    // Pricing only adds arcs that lower the cost: the priced optimum is never above the plain.
    assert!(priced.objective.unwrap() <= plain.objective.unwrap() + 1e-6);
    assert!(ns.candidate_arcs <= ps.candidate_arcs);
}

/// Ids that begin with the batch's internal site prefixes come back as sent, and a time
/// limit that is not a finite number of seconds is INVALID_ARGUMENT naming the field (it
/// used to panic the solve thread).
#[tokio::test]
async fn ids_come_back_untouched_and_bad_time_limits_are_invalid() {
    let server = start(2).await;
    let mut batch = hand_batch();
    batch.offers[0].id = "offer:o1".to_owned();
    batch.requests[0].id = "request:r1".to_owned();
    let r = matched(&server, batch).await;
    let m = &r.matches[0];
    assert_eq!(
        (m.offer_id.as_str(), m.request_id.as_str()),
        ("offer:o1", "request:r1")
    );
    for bad in [f64::INFINITY, f64::NAN, -1.0] {
        let mut batch = hand_batch();
        batch.options.get_or_insert_default().time_limit_s = Some(bad);
        let status = client(&server).await.match_batch(batch).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{bad}");
        assert_says(&status, "options.time_limit_s");
    }
    let mut batch = hand_batch();
    batch.offers[0].id = String::new();
    let status = client(&server).await.match_batch(batch).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_says(&status, "offers[0].id");
    // Finite and >= 0 but beyond any clock: a limit that never binds, solved as usual.
    let mut batch = hand_batch();
    batch.options.get_or_insert_default().time_limit_s = Some(1e300);
    let r = matched(&server, batch).await;
    assert_eq!(r.summary.unwrap().status, pb::SolveStatus::Optimal as i32);
}

#[tokio::test]
async fn health_reports_serving_and_reflection_lists_the_services() {
    use tonic_health::pb::health_client::HealthClient;
    let server = start(1).await;
    let channel = Channel::from_shared(server.addr.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let health = HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: "circulate.v1.Circulate".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = ServerReflectionClient::new(channel.clone())
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .unwrap()
        .into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) =
        responses.message().await.unwrap().unwrap().message_response
    else {
        panic!("expected a service list");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"circulate.v1.Circulate".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"grpc.health.v1.Health".to_owned()),
        "{names:?}"
    );

    use tonic_reflection::pb::v1alpha as alpha;
    let request = alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut responses = alpha::server_reflection_client::ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .unwrap()
        .into_inner();
    assert!(
        responses
            .message()
            .await
            .unwrap()
            .unwrap()
            .message_response
            .is_some()
    );
}

/// Investment decisions over the API: the example's candidate line with a start-up cost of
/// 1,000 a year still opens (its 800 units save far more), so the plan is the divisible one
/// plus 1,000; the response says it opened, what it pays, and the MIP's gap. With a budget
/// below what opening costs, it stays closed.
#[tokio::test]
async fn optimize_carries_openings_and_the_mip_gap() {
    let server = start(2).await;
    let mut circulate = client(&server).await;
    let divisible = circulate
        .optimize(optimize_request(&example()))
        .await
        .unwrap();
    let divisible = divisible.into_inner().objective.unwrap();
    let mut ds = example();
    let line = ds
        .processes
        .iter_mut()
        .find(|p| p.candidate_capex.is_some())
        .unwrap();
    line.fixed_cost = 1_000.0;
    let id = line.id.to_string();
    let r = circulate
        .optimize(optimize_request(&ds))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.status, pb::SolveStatus::Optimal as i32);
    let got = r.objective.unwrap();
    assert!(
        (got - (divisible + 1_000.0)).abs() <= 1e-6 * got,
        "{got} vs {divisible} + 1,000"
    );
    let opened = r.processes.iter().find(|p| p.id == id).unwrap();
    assert_eq!((opened.opened, opened.fixed_cost), (Some(true), 1_000.0));
    assert!(r.stats.unwrap().mip_gap.is_some_and(|g| g <= 1e-4));
    ds.investment.budget = Some(500.0);
    let r = circulate
        .optimize(optimize_request(&ds))
        .await
        .unwrap()
        .into_inner();
    let closed = r.processes.iter().find(|p| p.id == id).unwrap();
    assert_eq!((closed.opened, closed.new_capacity), (Some(false), 0.0));
    assert!(r.objective.unwrap() > got);
}
