//! The gRPC service in-process on an ephemeral 127.0.0.1 port: every RPC, the error details
//! of bad requests, deadlines, the concurrency bound, health and reflection.
#![allow(clippy::unwrap_used)]

use circulate::grpc::admission::Budget;
use circulate::grpc::pb;
use circulate::grpc::pb::circulate_client::CirculateClient;
use circulate::grpc::server::{ServeConfig, serve};
use optimizer::Dataset;
use std::path::Path;
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic_types::StatusExt;

struct Server {
    addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start(max_concurrent_solves: usize) -> Server {
    start_with(ServeConfig {
        max_concurrent_solves,
        // Explicit, so the tests do not depend on the machine's memory.
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        ..ServeConfig::default()
    })
    .await
}

async fn start_with(config: ServeConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        serve(listener, config, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Server {
        addr,
        stop: Some(stop),
    }
}

async fn client(server: &Server) -> CirculateClient<Channel> {
    CirculateClient::connect(server.addr.clone()).await.unwrap()
}

/// A validated dataset as the API message, the way a Python client would send it.
fn to_pb(ds: &Dataset) -> pb::Dataset {
    let stream = |s: &optimizer::Stream| pb::Stream {
        site: ds.site(s.site).id.to_string(),
        material: ds.material(s.material).id.to_string(),
        quantity_t: s.quantity.0,
        unit_cost: s.unit_cost,
        max_haul_km: s.max_haul.map(|k| k.0),
    };
    let flow = |&(m, c): &(optimizer::MaterialIdx, f64)| pb::ProcessFlow {
        material: ds.material(m).id.to_string(),
        coefficient: c,
    };
    pb::Dataset {
        name: ds.meta.name.clone(),
        description: ds.meta.description.clone(),
        source: ds.meta.source.clone(),
        currency: ds.meta.currency.clone(),
        co2_price: Some(ds.co2_price),
        transport: Some(pb::Transport {
            cost_per_tkm: Some(ds.transport.cost_per_tkm),
            co2_kg_per_tkm: Some(ds.transport.co2_kg_per_tkm),
            detour_factor: Some(ds.transport.detour_factor),
            max_haul_km: ds.transport.max_haul.map(|k| k.0),
        }),
        materials: ds
            .materials
            .iter()
            .map(|m| pb::Material {
                id: m.id.to_string(),
                name: m.name.clone(),
                ewc: m.ewc.clone().unwrap_or_default(),
                hazardous: m.hazardous,
                import_cost: Some(m.import_cost),
                import_co2: Some(m.import_co2_kg),
                disposal_cost: Some(m.disposal_cost),
                disposal_co2: Some(m.disposal_co2_kg),
                max_haul_km: m.max_haul.map(|k| k.0),
                transport_cost_per_tkm: m.transport_cost_per_tkm,
                transport_co2_kg_per_tkm: m.transport_co2_kg_per_tkm,
            })
            .collect(),
        sites: ds
            .sites
            .iter()
            .map(|s| pb::Site {
                id: s.id.to_string(),
                name: s.name.clone(),
                lon: s.lon,
                lat: s.lat,
                nace: s.nace.clone().unwrap_or_default(),
                region: s.region.clone().unwrap_or_default(),
            })
            .collect(),
        supplies: ds.supplies.iter().map(stream).collect(),
        demands: ds.demands.iter().map(stream).collect(),
        substitutions: ds
            .substitutions
            .iter()
            .map(|s| pb::Substitution {
                from: ds.material(s.from).id.to_string(),
                to: ds.material(s.to).id.to_string(),
                ratio: s.ratio,
            })
            .collect(),
        processes: ds
            .processes
            .iter()
            .map(|p| pb::Process {
                id: p.id.to_string(),
                site: ds.site(p.site).id.to_string(),
                name: p.name.clone(),
                route: p.route.label(),
                capacity: p.capacity,
                cost_per_unit: Some(p.cost_per_unit),
                candidate_capex: p.candidate_capex,
                co2_kg_per_unit: Some(p.co2_kg_per_unit),
                inputs: p.inputs.iter().map(flow).collect(),
                outputs: p.outputs.iter().map(flow).collect(),
            })
            .collect(),
    }
}

fn example() -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    optimizer::input::load(&dir).unwrap()
}

/// A region whose certified optimum takes about 20 s in a release build: 12,000 sites with
/// recyclers and candidate recyclers.
fn big_region() -> Dataset {
    optimizer::generate::generate(&optimizer::generate::SyntheticOptions {
        sites: 12_000,
        processes: 6,
        candidates: 3,
        ..Default::default()
    })
}

#[tokio::test]
async fn optimize_matches_the_cli_solve() {
    let server = start(2).await;
    let response = client(&server)
        .await
        .optimize(pb::OptimizeRequest {
            dataset: Some(to_pb(&example())),
            options: None,
        })
        .await
        .unwrap()
        .into_inner();
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

    let targets = client(&server)
        .await
        .import_substitution(pb::OptimizeRequest {
            dataset: Some(to_pb(&example())),
            options: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(targets.targets, response.targets);
}

/// Offers o1 (10 t at lon 0) and o2 (10 t at lon 20); requests r1 (6 t at lon 0.1, within
/// 200 km) and r2 (5 t at lon 3, within 1000 km, worth only 1 per t). Transport 0.1 per tkm,
/// no detour, disposal 10 per t, import 50 per t (material defaults).
/// - o1 -> r1: 6 t over 11.1195 km (saves 60 per t for 1.11 of haul).
/// - o1's other 4 t could reach r2 (333.6 km, 33.4 per t) but save only 10 + 1: outbid.
/// - o2 reaches nobody: 2,000+ km from r2 (limit 1000) and r1 (limit 200).
///
/// Objective = 6 * 1.111951 + (4 + 10) * 10 + 5 * 1 = 151.6717.
fn hand_batch() -> pb::MatchBatchRequest {
    let offer = |id: &str, lon: f64| pb::Offer {
        id: id.into(),
        material: "pallets".into(),
        quantity_t: 10.0,
        lon,
        lat: 0.0,
        disposal_cost_avoided: None,
    };
    pb::MatchBatchRequest {
        materials: vec![pb::Material {
            id: "pallets".into(),
            import_cost: Some(50.0),
            disposal_cost: Some(10.0),
            ..Default::default()
        }],
        substitutions: vec![],
        transport: Some(pb::Transport {
            cost_per_tkm: Some(0.1),
            co2_kg_per_tkm: Some(0.0),
            detour_factor: Some(1.0),
            max_haul_km: None,
        }),
        co2_price: None,
        offers: vec![offer("o1", 0.0), offer("o2", 20.0)],
        requests: vec![
            pb::Request {
                id: "r1".into(),
                material: "pallets".into(),
                quantity_t: 6.0,
                lon: 0.1,
                lat: 0.0,
                max_km: Some(200.0),
                value_per_t: None,
            },
            pb::Request {
                id: "r2".into(),
                material: "pallets".into(),
                quantity_t: 5.0,
                lon: 3.0,
                lat: 0.0,
                max_km: Some(1000.0),
                value_per_t: Some(1.0),
            },
        ],
        options: None,
    }
}

#[tokio::test]
async fn match_batch_returns_the_hand_computed_matches() {
    let server = start(2).await;
    let r = client(&server)
        .await
        .match_batch(hand_batch())
        .await
        .unwrap()
        .into_inner();
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
    assert!(
        r.unmatched_requests.iter().all(|u| u.id != "r1"),
        "r1 is fully served"
    );
}

/// Every supply and demand of a synthetic region as offers and requests, one site each.
fn synthetic_batch(sites: usize, seed: u64) -> pb::MatchBatchRequest {
    let ds = optimizer::generate::generate(&optimizer::generate::SyntheticOptions {
        sites,
        seed,
        ..Default::default()
    });
    batch_of(&ds)
}

/// Every supply and demand of `ds` as offers and requests, one site each.
fn batch_of(ds: &Dataset) -> pb::MatchBatchRequest {
    let mut batch = pb::MatchBatchRequest {
        materials: to_pb(ds).materials,
        substitutions: to_pb(ds).substitutions,
        transport: to_pb(ds).transport,
        ..Default::default()
    };
    for (i, s) in ds.supplies.iter().enumerate() {
        let site = ds.site(s.site);
        batch.offers.push(pb::Offer {
            id: format!("o{i}"),
            material: ds.material(s.material).id.to_string(),
            quantity_t: s.quantity.0,
            lon: site.lon,
            lat: site.lat,
            disposal_cost_avoided: None,
        });
    }
    for (i, d) in ds.demands.iter().enumerate() {
        let site = ds.site(d.site);
        batch.requests.push(pb::Request {
            id: format!("r{i}"),
            material: ds.material(d.material).id.to_string(),
            quantity_t: d.quantity.0,
            lon: site.lon,
            lat: site.lat,
            max_km: None,
            value_per_t: None,
        });
    }
    batch
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

#[tokio::test]
async fn streamed_and_unary_match_batch_agree() {
    let mut batch = synthetic_batch(400, 5);
    batch.options = Some(pb::MatchOptions {
        chunk_size: 17,
        ..Default::default()
    });
    let server = start(2).await;
    let unary = client(&server)
        .await
        .match_batch(batch.clone())
        .await
        .unwrap()
        .into_inner();
    let mut stream = client(&server)
        .await
        .match_batch_stream(batch)
        .await
        .unwrap()
        .into_inner();
    let (mut summary, mut matches, mut chunks) = (None::<pb::MatchSummary>, Vec::new(), 0);
    while let Some(chunk) = stream.message().await.unwrap() {
        chunks += 1;
        if chunk.summary.is_some() {
            assert!(summary.is_none(), "summary only on the first chunk");
            summary = chunk.summary;
        }
        assert!(chunk.matches.len() <= 17);
        matches.extend(chunk.matches);
    }
    assert!(unary.matches.len() > 17 && chunks > 1);
    // Timings differ between two solves; everything else must not.
    assert_eq!(
        summary_stats_arcs(&summary),
        summary_stats_arcs(&unary.summary)
    );
    let strip = |s: Option<pb::MatchSummary>| s.map(|s| pb::MatchSummary { stats: None, ..s });
    assert_eq!(strip(summary), strip(unary.summary));
    assert_eq!(matches, unary.matches);
}

fn summary_stats_arcs(s: &Option<pb::MatchSummary>) -> Option<u64> {
    s.as_ref()
        .and_then(|s| s.stats.as_ref())
        .map(|s| s.candidate_arcs)
}

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
        .optimize(pb::OptimizeRequest {
            dataset: Some(to_pb(&example())),
            options: None,
        })
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
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert!(
        status
            .message()
            .contains("limit of 100 MB (--max-model-mb)"),
        "{}",
        status.message()
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refused, not solved"
    );
}

/// A message that is not a valid `MatchBatchRequest`: field 5 (`offers`) as a number.
#[derive(Clone, PartialEq, prost::Message)]
struct NotAMatchBatch {
    #[prost(uint64, tag = "5")]
    offers: u64,
}

async fn raw_call(server: &Server, message: NotAMatchBatch) -> tonic::Status {
    let channel = Channel::from_shared(server.addr.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let codec = tonic_prost::ProstCodec::<NotAMatchBatch, pb::MatchBatchResponse>::default();
    let path = http::uri::PathAndQuery::from_static("/circulate.v1.Circulate/MatchBatch");
    grpc.unary(tonic::Request::new(message), path, codec)
        .await
        .unwrap_err()
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

/// Ids that begin with the batch's internal site prefixes come back as sent, and a time
/// limit that is not a finite number of seconds is INVALID_ARGUMENT naming the field (it
/// used to panic the solve thread).
#[tokio::test]
async fn ids_come_back_untouched_and_bad_time_limits_are_invalid() {
    let server = start(2).await;
    let mut batch = hand_batch();
    batch.offers[0].id = "offer:o1".to_owned();
    batch.requests[0].id = "request:r1".to_owned();
    let r = client(&server)
        .await
        .match_batch(batch)
        .await
        .unwrap()
        .into_inner();
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
        assert!(
            status.message().contains("options.time_limit_s"),
            "{}",
            status.message()
        );
    }
    let mut batch = hand_batch();
    batch.offers[0].id = String::new();
    let status = client(&server).await.match_batch(batch).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status.message().contains("offers[0].id"),
        "{}",
        status.message()
    );
    // Finite and >= 0 but beyond any clock: a limit that never binds, solved as usual.
    let mut batch = hand_batch();
    batch.options.get_or_insert_default().time_limit_s = Some(1e300);
    let r = client(&server)
        .await
        .match_batch(batch)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.summary.unwrap().status, pb::SolveStatus::Optimal as i32);
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

#[tokio::test]
async fn tls_and_bearer_tokens_guard_the_service_but_not_health() {
    use tonic::transport::{Certificate, ClientTlsConfig};
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let token = "platform-a-0123456789abcdef";
    let server = start_with(ServeConfig {
        tls: Some(circulate::grpc::server::TlsFiles {
            cert_pem: generated.cert.pem().into_bytes(),
            key_pem: generated.signing_key.serialize_pem().into_bytes(),
        }),
        tokens: circulate::grpc::auth::Tokens::parse(token).unwrap(),
        ..ServeConfig::default()
    })
    .await;
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(generated.cert.pem()))
        .domain_name("localhost");
    let channel = Channel::from_shared(server.addr.replace("http://", "https://"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let request = || {
        tonic::Request::new(pb::OptimizeRequest {
            dataset: Some(to_pb(&example())),
            options: None,
        })
    };
    let mut circulate = CirculateClient::new(channel.clone());
    let status = circulate.optimize(request()).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let mut wrong = request();
    wrong.metadata_mut().insert(
        "authorization",
        "Bearer platform-b-0123456789abcdef".parse().unwrap(),
    );
    let status = circulate.optimize(wrong).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let mut right = request();
    right
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let response = circulate.optimize(right).await.unwrap().into_inner();
    assert_eq!(response.status, pb::SolveStatus::Optimal as i32);

    use tonic_health::pb::health_client::HealthClient;
    let health = HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await;
    assert!(health.is_ok(), "health needs no token: {health:?}");
    // Plaintext to a TLS port fails.
    let plain = CirculateClient::connect(server.addr.clone()).await;
    if let Ok(mut plain) = plain {
        assert!(plain.optimize(request()).await.is_err());
    }
}

/// The body of `GET http://addr/metrics`.
async fn scrape(addr: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    body
}

#[tokio::test]
async fn metrics_count_requests_by_method_and_code() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_addr = free.local_addr().unwrap();
    drop(free);
    circulate::grpc::metrics::serve_metrics(metrics_addr).unwrap();
    let server = start(1).await;
    let mut c = client(&server).await;
    c.optimize(pb::OptimizeRequest {
        dataset: Some(to_pb(&example())),
        options: None,
    })
    .await
    .unwrap();
    let bad = c
        .optimize(pb::OptimizeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    let mut text = String::new();
    for _ in 0..50 {
        text = scrape(metrics_addr).await;
        if text.contains("circulate_solve_seconds") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for expected in [
        r#"circulate_requests_total{method="Optimize",code="Ok"}"#,
        r#"circulate_requests_total{method="Optimize",code="InvalidArgument"}"#,
        r#"circulate_request_seconds_bucket{method="Optimize",le="0.25"}"#,
        r#"circulate_solve_seconds_count{method="Optimize",outcome="ok"}"#,
        "circulate_solves_in_flight 0",
    ] {
        assert!(text.contains(expected), "no {expected} in\n{text}");
    }
}
