//! One REST call: the headers as gRPC metadata (the bearer token, the deadline), the token
//! checked, the body decoded to the RPC's request, the gRPC handler awaited, its answer
//! encoded as JSON (a stream as NDJSON, one message a line, an error mid-stream as a last
//! line `{"error": Status}`). Decoding and encoding run on the blocking pool: a 30k x 30k
//! batch is megabytes of JSON, and reading it on a runtime thread was measured (make load)
//! to hold small requests up to a second.

use super::{errors, json, rules::HttpRule};
use crate::grpc::auth::Tokens;
use crate::grpc::lanes::blocking;
use crate::grpc::pb::circulate_server::Circulate;
use crate::grpc::pb::google::longrunning::operations_server::Operations;
use crate::grpc::service::CirculateService;
use crate::grpc::status::violation;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;
use tonic::metadata::MetadataMap;
use tonic::{Request, Status};

/// Runs `rule`'s RPC on `service` for an HTTP request.
pub async fn call(
    service: &CirculateService,
    tokens: &Tokens,
    rule: &'static HttpRule,
    variables: &[(String, String)],
    headers: &HeaderMap,
    body: Bytes,
    arrived: Instant,
) -> Result<Response, Status> {
    let metadata = metadata(headers, arrived.elapsed())?;
    tokens.check(Request::from_parts(
        metadata.clone(),
        Default::default(),
        (),
    ))?;
    let variables = variables.to_vec();
    // The deadline counts from the request's arrival: reading megabytes of JSON is part of
    // what the client waits for (gRPC's clock starts in the handler, after a decode of
    // protobuf that is ten times faster).
    let remaining = |metadata: MetadataMap| -> Result<MetadataMap, Status> {
        if headers.contains_key("timeout") {
            self::metadata(headers, arrived.elapsed())
        } else {
            Ok(metadata)
        }
    };
    macro_rules! unary {
        ($method:ident) => {{
            let message = blocking(move || json::decode(rule.input, &body, &variables)).await?;
            let metadata = remaining(metadata)?;
            let answer = service
                .$method(Request::from_parts(metadata, Default::default(), message))
                .await?
                .into_inner();
            let body = blocking(move || json::encode(rule.output, &answer)).await?;
            Ok(([(http::header::CONTENT_TYPE, "application/json")], body).into_response())
        }};
    }
    match rule.rpc {
        "Optimize" => unary!(optimize),
        "MatchBatch" => unary!(match_batch),
        "ImportSubstitution" => unary!(import_substitution),
        "OpenSession" => unary!(open_session),
        "Revise" => unary!(revise),
        "CloseSession" => unary!(close_session),
        "SubmitMatchBatch" => unary!(submit_match_batch),
        "SubmitBatch" => unary!(submit_batch),
        "ListOperations" => unary!(list_operations),
        "GetOperation" => unary!(get_operation),
        "CancelOperation" => unary!(cancel_operation),
        "DeleteOperation" => unary!(delete_operation),
        "MatchBatchStream" => {
            let message = blocking(move || json::decode(rule.input, &body, &variables)).await?;
            let metadata = remaining(metadata)?;
            let chunks = service
                .match_batch_stream(Request::from_parts(metadata, Default::default(), message))
                .await?
                .into_inner();
            let lines = chunks.map(move |chunk| {
                let mut line = match chunk {
                    Ok(chunk) => json::encode(rule.output, &chunk)
                        .unwrap_or_else(|status| error_line(&status)),
                    Err(status) => error_line(&status),
                };
                line.push(b'\n');
                Ok::<_, std::convert::Infallible>(Bytes::from(line))
            });
            Ok((
                [(http::header::CONTENT_TYPE, "application/x-ndjson")],
                Body::from_stream(lines),
            )
                .into_response())
        }
        other => Err(Status::unimplemented(format!(
            "{other} has an HTTP rule but no REST handler"
        ))),
    }
}

fn error_line(status: &Status) -> Vec<u8> {
    serde_json::json!({"error": errors::status_json(status)})
        .to_string()
        .into_bytes()
}

/// The gRPC metadata of an HTTP request: its headers, with a `timeout` header in seconds,
/// less the `spent` time, turned into the `grpc-timeout` the handlers read.
fn metadata(headers: &HeaderMap, spent: Duration) -> Result<MetadataMap, Status> {
    let mut headers = headers.clone();
    if let Some(value) = headers.remove("timeout") {
        let seconds = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| violation("timeout", "must be a number of seconds, >= 0"))?;
        let seconds = (seconds - spent.as_secs_f64()).max(0.0);
        // grpc-timeout takes at most 8 digits: milliseconds up to a day, whole seconds past.
        let grpc = if seconds < 86_400.0 {
            format!("{}m", (seconds * 1000.0).ceil() as u64)
        } else {
            format!("{}S", (seconds.ceil() as u64).min(99_999_999))
        };
        headers.insert(
            "grpc-timeout",
            grpc.parse().expect("digits and a unit are a valid header"),
        );
    }
    Ok(MetadataMap::from_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_become_grpc_deadlines() {
        let mut h = HeaderMap::new();
        h.insert("timeout", "2.5".parse().expect("header"));
        let m = metadata(&h, Duration::ZERO).expect("valid");
        assert_eq!(m.get("grpc-timeout").expect("set"), "2500m");
        let d = crate::grpc::convert::deadline(&m).expect("a deadline");
        assert_eq!(d, std::time::Duration::from_millis(2500));
        h.insert("timeout", "soon".parse().expect("header"));
        let err = metadata(&h, Duration::ZERO).expect_err("not a number");
        assert!(err.message().starts_with("timeout"), "{}", err.message());
        h.insert("timeout", "2.5".parse().expect("header"));
        let m = metadata(&h, Duration::from_millis(500)).expect("valid");
        assert_eq!(m.get("grpc-timeout").expect("set"), "2000m", "what is left");
    }
}
