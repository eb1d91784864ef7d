//! What the gRPC tests share: the service in-process on an ephemeral 127.0.0.1 port, a
//! client, datasets as API messages, hand-made and synthetic batches, a raw call with a
//! message that is not the method's, a scrape of the metrics endpoint, and a plain HTTP/1.1
//! client for the REST and gRPC-Web calls.
#![allow(dead_code, clippy::unwrap_used)]

use circulate::grpc::admission::Budget;
use circulate::grpc::pb;
use circulate::grpc::pb::circulate_client::CirculateClient;
use circulate::grpc::server::{ServeConfig, serve_with_http};
use optimizer::Dataset;
use std::path::Path;
use tonic::transport::Channel;

pub struct Server {
    pub addr: String,
    /// The REST API's address, when started with it.
    pub http: Option<std::net::SocketAddr>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(max_concurrent_solves: usize) -> Server {
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

pub async fn start_with(config: ServeConfig) -> Server {
    serving(config, false).await
}

/// The server with the REST API on a second port.
pub async fn start_rest(config: ServeConfig) -> Server {
    serving(config, true).await
}

async fn serving(config: ServeConfig, rest: bool) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let http = match rest {
        true => Some(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()),
        false => None,
    };
    let http_addr = http.as_ref().map(|l| l.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        serve_with_http(listener, http, config, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Server {
        addr,
        http: http_addr,
        stop: Some(stop),
    }
}

/// An HTTP/1.1 answer: status, headers and the whole body.
pub struct HttpAnswer {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request on a connection of its own.
pub async fn http_call(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> HttpAnswer {
    use http_body_util::BodyExt;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let mut request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(http_body_util::Full::new(hyper::body::Bytes::from(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes().to_vec();
    HttpAnswer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

pub async fn client(server: &Server) -> CirculateClient<Channel> {
    CirculateClient::connect(server.addr.clone()).await.unwrap()
}

/// A validated dataset as the API message, the way a Python client would send it.
pub fn to_pb(ds: &Dataset) -> pb::Dataset {
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
                // Only candidates may carry these.
                fixed_cost: p.candidate_capex.map(|_| p.fixed_cost),
                min_new_capacity: p.candidate_capex.map(|_| p.min_new_capacity),
                max_new_capacity: p.max_new_capacity,
            })
            .collect(),
        investment: Some(pb::Investment {
            budget: ds.investment.budget,
            max_new_processes: ds.investment.max_new_processes.map(|n| n as u32),
        }),
    }
}

pub fn example() -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    optimizer::input::load(&dir).unwrap()
}

/// A region whose certified optimum takes about 20 s in a release build: 12,000 sites with
/// recyclers and candidate recyclers.
pub fn big_region() -> Dataset {
    optimizer::generate::generate(&optimizer::generate::SyntheticOptions {
        sites: 12_000,
        processes: 6,
        candidates: 3,
        ..Default::default()
    })
}

/// Offers o1 (10 t at lon 0) and o2 (10 t at lon 20); requests r1 (6 t at lon 0.1, within
/// 200 km) and r2 (5 t at lon 3, within 1000 km, worth only 1 per t). Transport 0.1 per tkm,
/// no detour, disposal 10 per t, import 50 per t (material defaults).
/// - o1 -> r1: 6 t over 11.1195 km (saves 60 per t for 1.11 of haul).
/// - o1's other 4 t could reach r2 (333.6 km, 33.4 per t) but save only 10 + 1: outbid.
/// - o2 reaches nobody: 2,000+ km from r2 (limit 1000) and r1 (limit 200).
///
/// Objective = 6 * 1.111951 + (4 + 10) * 10 + 5 * 1 = 151.6717.
pub fn hand_batch() -> pb::MatchBatchRequest {
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
        request_id: String::new(),
    }
}

/// Every supply and demand of a synthetic region as offers and requests, one site each.
pub fn synthetic_batch(sites: usize, seed: u64) -> pb::MatchBatchRequest {
    let ds = optimizer::generate::generate(&optimizer::generate::SyntheticOptions {
        sites,
        seed,
        ..Default::default()
    });
    batch_of(&ds)
}

/// Every supply and demand of `ds` as offers and requests, one site each.
pub fn batch_of(ds: &Dataset) -> pb::MatchBatchRequest {
    let mut batch = pb::MatchBatchRequest {
        materials: to_pb(ds).materials,
        substitutions: to_pb(ds).substitutions,
        transport: to_pb(ds).transport,
        ..Default::default()
    };
    // A stream's listing fields: material, tonnes and place.
    let listed = |s: &optimizer::Stream| {
        let site = ds.site(s.site);
        let material = ds.material(s.material).id.to_string();
        (material, s.quantity.0, site.lon, site.lat)
    };
    for (i, (material, quantity_t, lon, lat)) in ds.supplies.iter().map(listed).enumerate() {
        let id = format!("o{i}");
        let disposal_cost_avoided = None;
        batch.offers.push(pb::Offer {
            id,
            material,
            quantity_t,
            lon,
            lat,
            disposal_cost_avoided,
        });
    }
    for (i, (material, quantity_t, lon, lat)) in ds.demands.iter().map(listed).enumerate() {
        let (id, max_km, value_per_t) = (format!("r{i}"), None, None);
        let request = pb::Request {
            id,
            material,
            quantity_t,
            lon,
            lat,
            max_km,
            value_per_t,
        };
        batch.requests.push(request);
    }
    batch
}

pub fn summary_stats_arcs(s: &Option<pb::MatchSummary>) -> Option<u64> {
    s.as_ref()
        .and_then(|s| s.stats.as_ref())
        .map(|s| s.candidate_arcs)
}

/// A message that is not a valid `MatchBatchRequest`: field 5 (`offers`) as a number.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NotAMatchBatch {
    #[prost(uint64, tag = "5")]
    pub offers: u64,
}

pub async fn raw_call(server: &Server, message: NotAMatchBatch) -> tonic::Status {
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

/// The body of `GET http://addr/metrics`.
pub async fn scrape(addr: std::net::SocketAddr) -> String {
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

/// An `OptimizeRequest` for `ds` with the default options.
pub fn optimize_request(ds: &Dataset) -> pb::OptimizeRequest {
    pb::OptimizeRequest {
        dataset: Some(to_pb(ds)),
        options: None,
        request_id: String::new(),
    }
}

/// Asserts that `status`'s message contains `text`, showing the message when not.
pub fn assert_says(status: &tonic::Status, text: &str) {
    assert!(status.message().contains(text), "{}", status.message());
}

/// MatchBatch on `server`, answered.
pub async fn matched(server: &Server, batch: pb::MatchBatchRequest) -> pb::MatchBatchResponse {
    let response = client(server).await.match_batch(batch).await.unwrap();
    response.into_inner()
}
