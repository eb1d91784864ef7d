//! Fuzzing the API boundary on stable Rust: arbitrary bytes decoded as requests, and
//! arbitrary structured requests (any float, NaN and infinities included, any `k`, any time
//! limit, unknown and duplicate ids) sent to a real in-process server. Every answer must be
//! a result or a client error (INVALID_ARGUMENT, RESOURCE_EXHAUSTED), never a panic or an
//! INTERNAL. CI runs 256 cases per property; a longer run:
//! `PROPTEST_CASES=20000 cargo test --release -p circulate --test fuzz_proto`.
#![allow(clippy::unwrap_used)]

use circulate::grpc::admission::Budget;
use circulate::grpc::pb;
use circulate::grpc::pb::circulate_client::CirculateClient;
use circulate::grpc::server::{ServeConfig, serve};
use proptest::prelude::*;
use prost::Message;
use std::sync::OnceLock;
use tonic::transport::Channel;

/// One server for every case, on its own runtime.
fn server() -> &'static (tokio::runtime::Runtime, String) {
    static SERVER: OnceLock<(tokio::runtime::Runtime, String)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let config = ServeConfig {
            max_concurrent_solves: 2,
            budget: Budget {
                max_model_bytes: 2_000_000_000,
            },
            ..ServeConfig::default()
        };
        runtime.spawn(serve(listener, config, std::future::pending()));
        (runtime, addr)
    })
}

fn send(request: pb::MatchBatchRequest) -> Result<pb::MatchBatchResponse, tonic::Status> {
    let (runtime, addr) = server();
    runtime.block_on(async {
        let channel = Channel::from_shared(addr.clone())
            .unwrap()
            .connect()
            .await
            .unwrap();
        CirculateClient::new(channel)
            .match_batch(request)
            .await
            .map(tonic::Response::into_inner)
    })
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..100.0f64,
        1 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-1e300),
        1 => Just(1e19),
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-c]{1,2}",
        Just("offer:x".to_owned())
    ]
}

prop_compose! {
    fn offer()(id in id(), material in "[mn]", quantity_t in number(),
               lon in number(), lat in number(), avoided in prop::option::of(number()))
        -> pb::Offer {
        pb::Offer { id, material, quantity_t, lon: lon % 200.0, lat: lat % 100.0,
                    disposal_cost_avoided: avoided }
    }
}

prop_compose! {
    fn request()(id in id(), material in "[mn]", quantity_t in number(),
                 lon in number(), lat in number(), max_km in prop::option::of(number()),
                 value in prop::option::of(number()))
        -> pb::Request {
        pb::Request { id, material, quantity_t, lon: lon % 200.0, lat: lat % 100.0,
                      max_km, value_per_t: value }
    }
}

prop_compose! {
    fn batch()(
        import_cost in number(), disposal_cost in number(), max_haul in prop::option::of(number()),
        offers in prop::collection::vec(offer(), 0..6),
        requests in prop::collection::vec(request(), 0..6),
        k in prop_oneof![Just(0u32), 1..4u32, Just(u32::MAX)],
        exact in any::<bool>(), no_pricing in any::<bool>(),
        time_limit in prop::option::of(number()),
        co2_price in prop::option::of(number()),
    ) -> pb::MatchBatchRequest {
        pb::MatchBatchRequest {
            materials: ["m", "n"].iter().map(|m| pb::Material {
                id: (*m).to_owned(),
                import_cost: Some(import_cost),
                disposal_cost: Some(disposal_cost),
                max_haul_km: max_haul,
                ..Default::default()
            }).collect(),
            substitutions: Vec::new(),
            transport: None,
            co2_price,
            offers,
            requests,
            options: Some(pb::MatchOptions { k, exact, no_pricing, time_limit_s: time_limit,
                                             chunk_size: 0 }),
            request_id: String::new(),
        }
    }
}

fn assert_answered(outcome: Result<pb::MatchBatchResponse, tonic::Status>) {
    if let Err(status) = outcome {
        assert!(
            matches!(
                status.code(),
                tonic::Code::InvalidArgument | tonic::Code::ResourceExhausted
            ),
            "{status:?}"
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_decode_to_a_request_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(request) = pb::OptimizeRequest::decode(bytes.as_slice()) {
            if let Some(dataset) = request.dataset {
                let _ = optimizer::input::validate(&circulate::grpc::convert::raw_dataset(dataset));
            }
        }
        if let Ok(request) = pb::MatchBatchRequest::decode(bytes.as_slice()) {
            let _ = optimizer::input::validate(&circulate::grpc::convert::raw_match_dataset(&request));
        }
    }

    #[test]
    fn arbitrary_batches_get_a_result_or_a_client_error(request in batch()) {
        assert_answered(send(request));
    }
}
