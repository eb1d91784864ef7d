//! `circulate serve`: the gRPC server, configured by flags or environment.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CIRCULATE_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: String,
    /// Solves running at once; requests beyond get RESOURCE_EXHAUSTED (default: cores).
    #[arg(long, env = "CIRCULATE_MAX_SOLVES")]
    pub max_concurrent_solves: Option<usize>,
    /// Largest request or response message, MiB.
    #[arg(long, env = "CIRCULATE_MAX_MESSAGE_MB", default_value_t = 256)]
    pub max_message_mb: usize,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let defaults = circulate::grpc::server::ServeConfig::default();
    let config = circulate::grpc::server::ServeConfig {
        max_concurrent_solves: args
            .max_concurrent_solves
            .unwrap_or(defaults.max_concurrent_solves),
        max_message_bytes: args.max_message_mb.saturating_mul(1024 * 1024),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.addr).await?;
        tracing::info!(addr = %listener.local_addr()?, ?config, "circulate serving");
        eprintln!("circulate serving on {}", listener.local_addr()?);
        circulate::grpc::server::serve(listener, config, shutdown_signal())
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        tracing::info!("circulate stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("circulate: shutting down, finishing in-flight requests");
}
