//! Runs the gRPC server: the Circulate service and google.longrunning.Operations for its
//! operations (behind bearer-token auth when tokens are set), grpc.health.v1 and server reflection (v1 and v1alpha), with TLS when configured,
//! message-size limits, admission by cost, request metrics and graceful shutdown. The same
//! port answers gRPC-Web (HTTP/1.1, for browsers; CORS for the configured origins), and,
//! given a second listener, the REST API ([`crate::rest`]) serves the same service (its
//! lanes and sessions shared) with the same TLS.

use super::admission::Budget;
use super::auth::Tokens;
use super::idempotency::IdempotencyLimits;
use super::observe::ObserveLayer;
use super::operations::OperationLimits;
use super::pb::circulate_server::CirculateServer;
use super::pb::google::longrunning::operations_server::OperationsServer;
use super::sessions::SessionLimits;
use super::{pb, service::CirculateService};
use optimizer::CancelToken;
use std::future::Future;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, ServerTlsConfig};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Large solves running at once (as many small ones may run beside them); more get
    /// RESOURCE_EXHAUSTED at once.
    pub max_concurrent_solves: usize,
    /// Largest request or response message, bytes.
    pub max_message_bytes: usize,
    /// Largest estimated memory of one request.
    pub budget: Budget,
    /// Bounds on what-if sessions.
    pub sessions: SessionLimits,
    /// Bounds on the answers kept for retried request ids.
    pub idempotency: IdempotencyLimits,
    /// Bounds on long-running operations.
    pub operations: OperationLimits,
    /// Accepted bearer tokens (none: no authentication).
    pub tokens: Tokens,
    /// Certificate chain and key, PEM (none: plaintext).
    pub tls: Option<TlsFiles>,
    /// Origins a browser page may call gRPC-Web and REST from (`*` for any; none: only
    /// same-origin pages and non-browser clients).
    pub cors_origins: Vec<String>,
}

/// PEM contents of the server's certificate chain and private key.
#[derive(Clone)]
pub struct TlsFiles {
    /// Certificate chain.
    pub cert_pem: Vec<u8>,
    /// Private key.
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsFiles { .. }")
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        let max_concurrent_solves = std::thread::available_parallelism().map_or(2, |n| n.get());
        ServeConfig {
            max_concurrent_solves,
            // A 50k-site region with its streams is about 10 MB of protobuf; leave room.
            max_message_bytes: 256 * 1024 * 1024,
            budget: Budget::default_for(max_concurrent_solves),
            sessions: SessionLimits::default_for(Budget::default_for(1).max_model_bytes),
            idempotency: IdempotencyLimits::default(),
            operations: OperationLimits::default(),
            tokens: Tokens::default(),
            tls: None,
            cors_origins: Vec::new(),
        }
    }
}

/// Serves on `listener` until `shutdown` completes; then running solves are cancelled (they
/// answer with their best plan so far) and the server stops.
pub async fn serve(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    serve_with_http(listener, None, config, shutdown).await
}

/// [`serve`], and the REST API on `http` when given.
pub async fn serve_with_http(
    listener: TcpListener,
    http: Option<TcpListener>,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<CirculateServer<CirculateService>>()
        .await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let stop_solves = CancelToken::new();
    let service = CirculateService::new(
        config.max_concurrent_solves,
        config.budget,
        config.sessions,
        config.idempotency,
        config.operations,
        stop_solves.clone(),
    );
    service.sessions().sweep_in_background();
    service.operations().sweep_in_background();
    let cors = cors(&config.cors_origins)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stopped_signal = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|&stop| stop).await;
    };
    let rest = match http {
        Some(listener) => {
            let routes = crate::rest::router(
                service.clone(),
                config.tokens.clone(),
                config.max_message_bytes,
            );
            let mut builder = tonic::transport::Server::builder().accept_http1(true);
            if let Some(tls) = &config.tls {
                builder = builder.tls_config(tls_config(tls))?;
            }
            let server = builder
                .layer(cors.clone())
                .add_routes(Routes::from(routes))
                .serve_with_incoming_shutdown(
                    TcpListenerStream::new(listener),
                    stopped_signal(stopped.clone()),
                );
            Some(tokio::spawn(server))
        }
        None => None,
    };
    let operations =
        OperationsServer::new(service.clone()).max_encoding_message_size(config.max_message_bytes);
    let tokens = config.tokens.clone();
    let operations = InterceptedService::new(operations, move |r| tokens.check(r));
    let circulate = CirculateServer::new(service)
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);
    let tokens = config.tokens.clone();
    let circulate = InterceptedService::new(circulate, move |r| tokens.check(r));
    // HTTP/1.1 as well as HTTP/2: gRPC-Web comes over either.
    let mut builder = tonic::transport::Server::builder().accept_http1(true);
    if let Some(tls) = &config.tls {
        builder = builder.tls_config(tls_config(tls))?;
    }
    let grpc = builder
        .layer(cors)
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(ObserveLayer)
        .add_service(health_service)
        .add_service(reflection().build_v1()?)
        .add_service(reflection().build_v1alpha()?)
        .add_service(circulate)
        .add_service(operations)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
            shutdown.await;
            stop_solves.cancel();
            let _ = stop.send(true);
        })
        .await;
    if let Some(rest) = rest {
        rest.await??;
    }
    grpc?;
    Ok(())
}

fn tls_config(tls: &TlsFiles) -> ServerTlsConfig {
    ServerTlsConfig::new().identity(Identity::from_pem(&tls.cert_pem, &tls.key_pem))
}

/// CORS for `origins`: the headers a gRPC-Web or REST call sends allowed, the gRPC status
/// headers exposed to the page. No origins: no CORS headers, so browsers keep pages of
/// other origins out.
fn cors(origins: &[String]) -> Result<CorsLayer, Box<dyn std::error::Error + Send + Sync>> {
    use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName};
    if origins.is_empty() {
        return Ok(CorsLayer::new());
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list = origins
            .iter()
            .map(|o| {
                o.parse()
                    .map_err(|_| format!("--cors-origin {o:?} is not a valid origin"))
            })
            .collect::<Result<Vec<http::HeaderValue>, _>>()?;
        AllowOrigin::list(list)
    };
    let names = |names: &[&'static str]| -> Vec<HeaderName> {
        names.iter().map(|n| HeaderName::from_static(n)).collect()
    };
    let mut allowed = names(&["x-grpc-web", "x-user-agent", "grpc-timeout", "timeout"]);
    allowed.extend([AUTHORIZATION, CONTENT_TYPE]);
    Ok(CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([http::Method::GET, http::Method::POST, http::Method::DELETE])
        .allow_headers(allowed)
        .expose_headers(names(&[
            "grpc-status",
            "grpc-message",
            "grpc-status-details-bin",
        ]))
        .max_age(std::time::Duration::from_secs(3600)))
}
