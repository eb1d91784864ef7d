//! A tower layer around every RPC: it counts requests by method and status code, times them,
//! and corrects two codes tonic gives to errors that are the client's: a message that is
//! not valid protobuf (INTERNAL in tonic, as gRPC's own table suggests) becomes
//! INVALID_ARGUMENT, and a message over the size limit (OUT_OF_RANGE) becomes
//! RESOURCE_EXHAUSTED, the code gRPC uses for exceeded limits. Errors raised before or in a
//! handler travel as response headers (a "trailers-only" response), so they can be read
//! and rewritten here without touching the body.

use super::metrics;
use http::{HeaderValue, Request, Response};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

/// The layer; see the module header.
#[derive(Clone, Copy, Debug, Default)]
pub struct ObserveLayer;

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe { inner }
    }
}

/// The service the layer wraps around the router.
#[derive(Clone, Debug)]
pub struct Observe<S> {
    inner: S,
}

impl<S, B, RB> tower::Service<Request<B>> for Observe<S>
where
    S: tower::Service<Request<B>, Response = Response<RB>>,
    S::Future: Send + 'static,
    S::Error: 'static,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<RB>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let method = method_name(request.uri().path());
        let started = Instant::now();
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = response.await?;
            let code = corrected_code(response.headers_mut());
            metrics::request_done("grpc", method, code, started.elapsed().as_secs_f64());
            Ok(response)
        })
    }
}

/// The RPC's method (`MatchBatch`) from its path (`/circulate.v1.Circulate/MatchBatch`);
/// one fixed label for anything else, so label values stay few whatever clients send.
fn method_name(path: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "Optimize",
        "ImportSubstitution",
        "MatchBatch",
        "MatchBatchStream",
        "OpenSession",
        "Revise",
        "CloseSession",
        "Check",
        "Watch",
        "ServerReflectionInfo",
    ];
    let last = path.rsplit('/').next().unwrap_or_default();
    KNOWN
        .iter()
        .find(|&&m| m == last)
        .copied()
        .unwrap_or("other")
}

/// The status code of a response whose status is in its headers, rewritten when it is one
/// of the two tonic misclassifies; `0` (OK) when the status will come in the trailers.
fn corrected_code(headers: &mut http::HeaderMap) -> i32 {
    let Some(code) = headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
    else {
        return 0;
    };
    let message = headers
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let corrected = match code {
        // tonic: "failed to decode Protobuf message: ..." (percent-encoded).
        13 if message.contains("failed%20to%20decode%20Protobuf") => 3,
        // tonic: "Error, decoded message length too large: ...".
        11 if message.contains("message%20length%20too%20large") => 8,
        other => other,
    };
    if corrected != code {
        headers.insert("grpc-status", HeaderValue::from(corrected));
    }
    corrected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_get_client_codes() {
        let mut h = http::HeaderMap::new();
        h.insert("grpc-status", HeaderValue::from(13));
        h.insert(
            "grpc-message",
            HeaderValue::from_static("failed%20to%20decode%20Protobuf%20message"),
        );
        assert_eq!(corrected_code(&mut h), 3);
        assert_eq!(h["grpc-status"], "3");
        h.insert("grpc-status", HeaderValue::from(11));
        h.insert(
            "grpc-message",
            HeaderValue::from_static("Error,%20decoded%20message%20length%20too%20large"),
        );
        assert_eq!(corrected_code(&mut h), 8);
        h.insert("grpc-status", HeaderValue::from(13));
        h.insert("grpc-message", HeaderValue::from_static("solver%20failure"));
        assert_eq!(
            corrected_code(&mut h),
            13,
            "a real internal error stays one"
        );
        assert_eq!(corrected_code(&mut http::HeaderMap::new()), 0);
    }

    #[test]
    fn method_labels_are_a_closed_set() {
        assert_eq!(
            method_name("/circulate.v1.Circulate/MatchBatch"),
            "MatchBatch"
        );
        assert_eq!(method_name("/x.Y/Anything"), "other");
    }
}
