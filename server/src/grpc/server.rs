//! Runs the gRPC server: the Circulate service (behind bearer-token auth when tokens are
//! set), grpc.health.v1 and server reflection (v1 and v1alpha), with TLS when configured,
//! message-size limits, admission by cost, request metrics and graceful shutdown.

use super::admission::Budget;
use super::auth::Tokens;
use super::observe::ObserveLayer;
use super::pb::circulate_server::CirculateServer;
use super::sessions::SessionLimits;
use super::{pb, service::CirculateService};
use optimizer::CancelToken;
use std::future::Future;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, ServerTlsConfig};

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
    /// Accepted bearer tokens (none: no authentication).
    pub tokens: Tokens,
    /// Certificate chain and key, PEM (none: plaintext).
    pub tls: Option<TlsFiles>,
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
            tokens: Tokens::default(),
            tls: None,
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
        stop_solves.clone(),
    );
    service.sessions().sweep_in_background();
    let circulate = CirculateServer::new(service)
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);
    let tokens = config.tokens.clone();
    let circulate = InterceptedService::new(circulate, move |r| tokens.check(r));
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = &config.tls {
        let identity = Identity::from_pem(&tls.cert_pem, &tls.key_pem);
        builder = builder.tls_config(ServerTlsConfig::new().identity(identity))?;
    }
    builder
        .layer(ObserveLayer)
        .add_service(health_service)
        .add_service(reflection().build_v1()?)
        .add_service(reflection().build_v1alpha()?)
        .add_service(circulate)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
            shutdown.await;
            stop_solves.cancel();
        })
        .await?;
    Ok(())
}
