//! JSON over HTTP for every RPC, where its `google.api.http` option puts it: the route table
//! ([`rules`]) and the OpenAPI document are generated from the proto at build time
//! (`build/openapi.rs`), so neither can drift from the gRPC API. A request's body is read in
//! the proto3 JSON mapping ([`json`]), its path variables are set on it, its bearer token and
//! deadline (`timeout` in seconds, or `grpc-timeout`) come from the headers, and then the
//! same handler as gRPC runs it ([`dispatch`]): the same validation, admission, lanes,
//! sessions and cancellation when the client goes away. Errors are `google.rpc.Status` JSON
//! under the HTTP status gRPC transcoding gives their code ([`errors`]).

mod dispatch;
pub mod errors;
pub mod json;
pub mod rules;

use crate::grpc::auth::Tokens;
use crate::grpc::service::CirculateService;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, Uri};
use std::sync::Arc;
use std::time::Instant;

/// The OpenAPI 3.1 document of the REST API, generated from the proto's HTTP options.
pub const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

#[derive(Debug)]
struct Rest {
    service: CirculateService,
    tokens: Tokens,
    max_body_bytes: usize,
}

/// The REST routes over `service`: every rule of [`rules::RULES`] and `GET /v1/openapi.json`.
pub fn router(service: CirculateService, tokens: Tokens, max_body_bytes: usize) -> axum::Router {
    let rest = Arc::new(Rest {
        service,
        tokens,
        max_body_bytes,
    });
    axum::Router::new()
        .route("/v1/openapi.json", axum::routing::get(openapi))
        .fallback(route)
        .with_state(rest)
}

async fn openapi() -> Response {
    ([(http::header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn route(
    State(rest): State<Arc<Rest>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let Some((rule, path_variables)) = rules::find(method.as_str(), uri.path()) else {
        let known = rules::RULES.iter().any(|r| r.matches(uri.path()).is_some());
        let (status, message) = if known {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not served at {}", uri.path()),
            )
        } else {
            (
                StatusCode::NOT_FOUND,
                format!("no call at {}; GET /v1/openapi.json lists them", uri.path()),
            )
        };
        return errors::plain(status, &message);
    };
    // Fields a call without a body takes from the query string (`?pageSize=10`), as gRPC
    // transcoding reads them.
    let mut variables: Vec<(String, String)> = path_variables
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    if rule.body.is_empty() {
        match json::query_parameters(uri.query().unwrap_or_default()) {
            Ok(pairs) => variables.extend(pairs),
            Err(status) => return errors::response(&status),
        }
    }
    let response = match axum::body::to_bytes(body, rest.max_body_bytes).await {
        Ok(bytes) => dispatch::call(
            &rest.service,
            &rest.tokens,
            rule,
            &variables,
            &headers,
            bytes,
            started,
        )
        .await
        .unwrap_or_else(|status| errors::response(&status)),
        Err(_) => errors::response(&tonic::Status::resource_exhausted(format!(
            "request body larger than the server's limit of {} bytes (--max-message-mb)",
            rest.max_body_bytes
        ))),
    };
    crate::grpc::metrics::request_done(
        "http",
        rule.rpc,
        errors::grpc_code(&response),
        started.elapsed().as_secs_f64(),
    );
    response
}
