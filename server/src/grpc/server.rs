//! Runs the gRPC server: the Circulate service, grpc.health.v1 and server reflection (v1 and
//! v1alpha), with message-size limits and graceful shutdown.

use super::pb::circulate_server::CirculateServer;
use super::{pb, service::CirculateService};
use optimizer::CancelToken;
use std::future::Future;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

/// Server settings.
#[derive(Clone, Copy, Debug)]
pub struct ServeConfig {
    /// Solves running at once; more get RESOURCE_EXHAUSTED at once.
    pub max_concurrent_solves: usize,
    /// Largest request or response message, bytes.
    pub max_message_bytes: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            max_concurrent_solves: std::thread::available_parallelism().map_or(2, |n| n.get()),
            // A 50k-site region with its streams is about 10 MB of protobuf; leave room.
            max_message_bytes: 256 * 1024 * 1024,
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
    let service = CirculateService::new(config.max_concurrent_solves, stop_solves.clone());
    let circulate = CirculateServer::new(service)
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);
    tonic::transport::Server::builder()
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
