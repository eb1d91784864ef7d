//! The REST API and gRPC-Web against gRPC: the same batch matched the same three ways,
//! bad input answered 400 with the field paths, the OpenAPI document listing every RPC and
//! resolving every reference, tokens and sessions over REST, NDJSON streaming, CORS for the
//! configured origins only, and an abandoned REST call freeing its slot.
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::admission::Budget;
use circulate::grpc::auth::Tokens;
use circulate::grpc::pb;
use circulate::grpc::server::ServeConfig;
use circulate::rest::{json, rules::RULES};
use grpc_support::*;
use prost::Message;

fn config() -> ServeConfig {
    ServeConfig {
        max_concurrent_solves: 2,
        budget: Budget {
            max_model_bytes: 1 << 40,
        },
        ..ServeConfig::default()
    }
}

/// Two lists of matches alike: the same pairs in the same order with the same numbers, to
/// the bit (JSON doubles are read back exactly: serde_json's float_roundtrip).
#[track_caller]
fn assert_same_matches(a: &[pb::Match], b: &[pb::Match]) {
    assert_eq!(a.len(), b.len(), "match counts");
    let close = |x: f64, y: f64| x.to_bits() == y.to_bits();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let same = x.offer_id == y.offer_id
            && x.request_id == y.request_id
            && close(x.quantity_t, y.quantity_t)
            && close(x.served_t, y.served_t)
            && close(x.km, y.km)
            && close(x.cost, y.cost);
        assert!(same, "match {i}: {x:?} against {y:?}");
    }
}

fn grpc_addr(server: &Server) -> std::net::SocketAddr {
    server.addr.trim_start_matches("http://").parse().unwrap()
}

async fn post_json(server: &Server, path: &str, body: &serde_json::Value) -> HttpAnswer {
    let headers = [("content-type", "application/json")];
    http_call(
        server.http.unwrap(),
        "POST",
        path,
        &headers,
        body.to_string().into_bytes(),
    )
    .await
}

/// The batch as a client would write it: JSON names, numbers as numbers.
fn batch_json(batch: &pb::MatchBatchRequest) -> serde_json::Value {
    let bytes = json::encode("circulate.v1.MatchBatchRequest", batch).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A gRPC-Web call by hand (the wire format of the gRPC-Web protocol, not tonic's client):
/// a length-prefixed message in, data frames and a trailers frame out.
async fn grpc_web(server: &Server, method: &str, message: &[u8]) -> (Vec<u8>, String) {
    let mut body = vec![0u8];
    body.extend((message.len() as u32).to_be_bytes());
    body.extend(message);
    let headers = [
        ("content-type", "application/grpc-web+proto"),
        ("x-grpc-web", "1"),
    ];
    let path = format!("/circulate.v1.Circulate/{method}");
    let answer = http_call(grpc_addr(server), "POST", &path, &headers, body).await;
    assert_eq!(answer.status, 200);
    let (mut data, mut trailers, mut rest) = (Vec::new(), String::new(), &answer.body[..]);
    while rest.len() >= 5 {
        let flag = rest[0];
        let len = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
        let frame = &rest[5..5 + len];
        if flag & 0x80 != 0 {
            trailers.push_str(&String::from_utf8_lossy(frame));
        } else {
            data.extend(frame);
        }
        rest = &rest[5 + len..];
    }
    assert!(rest.is_empty(), "a partial frame");
    (data, trailers)
}

#[tokio::test]
async fn the_same_batch_matches_alike_over_grpc_rest_and_grpc_web() {
    let server = start_rest(config()).await;
    let batch = synthetic_batch(400, 11);
    let over_grpc = matched(&server, batch.clone()).await;
    assert!(!over_grpc.matches.is_empty());

    let answer = post_json(&server, "/v1/match-batch", &batch_json(&batch)).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.headers["content-type"], "application/json");
    let raw = answer.json();
    let objective = over_grpc.summary.as_ref().unwrap().objective.unwrap();
    assert_eq!(raw["summary"]["objective"].as_f64().unwrap(), objective);
    assert_eq!(
        raw["matches"].as_array().unwrap().len(),
        over_grpc.matches.len()
    );
    let over_rest: pb::MatchBatchResponse =
        json::decode("circulate.v1.MatchBatchResponse", &answer.body, &[]).unwrap();
    assert_same_matches(&over_rest.matches, &over_grpc.matches);
    assert_eq!(
        over_rest.unmatched_offers.len(),
        over_grpc.unmatched_offers.len()
    );
    assert_eq!(
        over_rest.unmatched_requests.len(),
        over_grpc.unmatched_requests.len()
    );

    let (data, trailers) = grpc_web(&server, "MatchBatch", &batch.encode_to_vec()).await;
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    let over_web = pb::MatchBatchResponse::decode(&data[..]).unwrap();
    assert_same_matches(&over_web.matches, &over_grpc.matches);
    assert_eq!(over_web.summary.unwrap().objective, Some(objective));
}

#[tokio::test]
async fn bad_rest_input_is_a_400_naming_the_fields() {
    let server = start_rest(ServeConfig {
        max_message_bytes: 64 * 1024,
        ..config()
    })
    .await;
    let mut bad = batch_json(&hand_batch());
    bad["offers"][0]["quantityT"] = serde_json::json!(-5.0);
    bad["requests"][1]["lon"] = serde_json::json!(400.0);
    let answer = post_json(&server, "/v1/match-batch", &bad).await;
    assert_eq!(answer.status, 400);
    let status = answer.json();
    assert_eq!(status["code"], 3);
    let fields: Vec<&str> = status["details"][0]["fieldViolations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    let mut fields = fields;
    fields.sort_unstable();
    assert_eq!(fields, ["offers[0].quantity_t", "requests[1].lon"]);

    // JSON that is not the message: the field where reading stopped.
    let mut wrong = batch_json(&hand_batch());
    wrong["offers"][1]["quantityT"] = serde_json::json!("ten");
    let answer = post_json(&server, "/v1/match-batch", &wrong).await;
    assert_eq!(answer.status, 400);
    let status = answer.json();
    assert_eq!(
        status["details"][0]["fieldViolations"][0]["field"],
        "offers[1].quantityT"
    );
    let answer = post_json(
        &server,
        "/v1/match-batch",
        &serde_json::json!({"offerz": []}),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["message"]
            .as_str()
            .unwrap()
            .contains("offerz")
    );

    let addr = server.http.unwrap();
    let answer = http_call(addr, "POST", "/v1/match-batch", &[], b"{".to_vec()).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json()["details"][0]["fieldViolations"][0]["field"],
        "body"
    );
    let answer = http_call(addr, "GET", "/v1/match-batch", &[], Vec::new()).await;
    assert_eq!(answer.status, 405);
    let answer = http_call(addr, "POST", "/v1/nothing-here", &[], Vec::new()).await;
    assert_eq!(answer.status, 404);
    let answer = http_call(addr, "POST", "/v1/match-batch", &[], vec![b' '; 100 * 1024]).await;
    assert_eq!(answer.status, 429, "over --max-message-mb");
    let answer = http_call(
        addr,
        "POST",
        "/v1/match-batch",
        &[("timeout", "soon")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json()["details"][0]["fieldViolations"][0]["field"],
        "timeout"
    );
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(|r| r.as_str()) {
                out.push(r);
            }
            map.values().for_each(|v| refs(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_rpc_and_resolves() {
    let server = start_rest(config()).await;
    let answer = http_call(
        server.http.unwrap(),
        "GET",
        "/v1/openapi.json",
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(answer.status, 200);
    let doc = answer.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for rule in RULES {
        // OpenAPI's forms of the templates: JSON names, a resource name as its collection
        // and id.
        let path = rule
            .path
            .replace("{session_id}", "{sessionId}")
            .replace("{name=operations/**}", "operations/{operationsId}")
            .replace("{name=operations}", "operations");
        let operation = &doc["paths"][&path][rule.method.to_ascii_lowercase()];
        assert_eq!(operation["operationId"], rule.rpc, "{} {path}", rule.method);
        assert!(operation["responses"]["200"].is_object());
    }
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(operations, RULES.len(), "no operation without an RPC");
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50);
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is missing"
        );
    }
    let offer = &doc["components"]["schemas"]["circulate.v1.Offer"]["properties"];
    assert_eq!(offer["quantityT"]["type"], "number");
    assert!(
        offer["id"]["description"]
            .as_str()
            .unwrap()
            .contains("Unique")
    );
}

#[tokio::test]
async fn sessions_over_rest_belong_to_their_token() {
    let (ours, theirs) = ("rest-token-0123456789", "other-token-0123456789");
    let server = start_rest(ServeConfig {
        tokens: Tokens::parse(&format!("{ours}\n{theirs}")).unwrap(),
        ..config()
    })
    .await;
    let addr = server.http.unwrap();
    let open = serde_json::json!({"batch": batch_json(&hand_batch())}).to_string();
    let answer = http_call(addr, "POST", "/v1/sessions", &[], open.clone().into_bytes()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["code"], 16);

    let auth = |token: &str| format!("Bearer {token}");
    let (a, b) = (auth(ours), auth(theirs));
    let answer = http_call(
        addr,
        "POST",
        "/v1/sessions",
        &[("authorization", &a)],
        open.into_bytes(),
    )
    .await;
    assert_eq!(answer.status, 200);
    let plan = answer.json();
    let id = plan["sessionId"].as_str().unwrap().to_string();
    let before = plan["batch"]["summary"]["objective"].as_f64().unwrap();

    let revise = serde_json::json!({"changes": [{"co2Price": 500.0}]}).to_string();
    let path = format!("/v1/sessions/{id}:revise");
    let answer = http_call(
        addr,
        "POST",
        &path,
        &[("authorization", &b)],
        revise.clone().into_bytes(),
    )
    .await;
    assert_eq!(answer.status, 404, "another token's session");
    let answer = http_call(
        addr,
        "POST",
        &path,
        &[("authorization", &a)],
        revise.into_bytes(),
    )
    .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let revised = answer.json();
    assert_eq!(revised["revision"], 1);
    let after = revised["batch"]["summary"]["objective"].as_f64().unwrap();
    let delta = revised["diff"]["objectiveDelta"].as_f64().unwrap();
    assert!((after - before - delta).abs() < 1e-6 * before.abs().max(1.0));

    let close = format!("/v1/sessions/{id}");
    let answer = http_call(addr, "DELETE", &close, &[("authorization", &a)], Vec::new()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["revisions"], 1);
    let answer = http_call(addr, "DELETE", &close, &[("authorization", &a)], Vec::new()).await;
    assert_eq!(answer.status, 404, "closed");
}

#[tokio::test]
async fn a_streamed_batch_comes_as_ndjson() {
    let server = start_rest(config()).await;
    let mut batch = synthetic_batch(400, 11);
    let whole = matched(&server, batch.clone()).await;
    batch
        .options
        .get_or_insert_with(Default::default)
        .chunk_size = 7;
    let answer = post_json(&server, "/v1/match-batch:stream", &batch_json(&batch)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["content-type"], "application/x-ndjson");
    let text = String::from_utf8(answer.body).unwrap();
    let chunks: Vec<pb::MatchBatchChunk> = text
        .lines()
        .map(|line| json::decode("circulate.v1.MatchBatchChunk", line.as_bytes(), &[]).unwrap())
        .collect();
    assert!(chunks.len() > 2, "{} lines", chunks.len());
    let matches: Vec<pb::Match> = chunks.into_iter().flat_map(|c| c.matches).collect();
    assert_same_matches(&matches, &whole.matches);
}

#[tokio::test]
async fn cors_answers_the_configured_origins_only() {
    let origin = "https://platform.example";
    let server = start_rest(ServeConfig {
        cors_origins: vec![origin.to_string()],
        ..config()
    })
    .await;
    for addr in [grpc_addr(&server), server.http.unwrap()] {
        for (from, allowed) in [(origin, true), ("https://elsewhere.example", false)] {
            let headers = [
                ("origin", from),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "content-type,x-grpc-web,authorization",
                ),
            ];
            let answer = http_call(
                addr,
                "OPTIONS",
                "/circulate.v1.Circulate/MatchBatch",
                &headers,
                Vec::new(),
            )
            .await;
            let allow = answer.headers.get("access-control-allow-origin");
            assert_eq!(allow.is_some(), allowed, "{from} at {addr}");
            if allowed {
                assert_eq!(allow.unwrap(), origin);
                let headers = answer.headers["access-control-allow-headers"]
                    .to_str()
                    .unwrap();
                assert!(headers.contains("x-grpc-web"), "{headers}");
            }
        }
    }
}

/// A REST client that gives up on a long solve frees its slot, as a gRPC one does.
#[tokio::test]
async fn an_abandoned_rest_call_frees_its_slot() {
    let server = start_rest(ServeConfig {
        max_concurrent_solves: 1,
        ..config()
    })
    .await;
    // About 5 s to solve on this 2-core machine when it is quiet, given up after 1 s.
    let big = batch_of(&optimizer::generate::uniform::generate(40_000, 7, false));
    let body = batch_json(&big);
    let abandoned = tokio::time::timeout(
        std::time::Duration::from_millis(1000),
        post_json(&server, "/v1/match-batch", &body),
    )
    .await;
    assert!(abandoned.is_err(), "the big batch should still be running");
    let given_up = std::time::Instant::now();
    loop {
        match client(&server).await.match_batch(hand_batch()).await {
            Ok(_) => break,
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
