//! `circulate serve`: the gRPC server (and gRPC-Web on its port, and the REST API on
//! `--http-addr`), configured by flags or environment.

use anyhow::Context;
use circulate::grpc::admission::Budget;
use circulate::grpc::auth::Tokens;
use circulate::grpc::idempotency::IdempotencyLimits;
use circulate::grpc::operations::OperationLimits;
use circulate::grpc::server::{ServeConfig, TlsFiles};
use circulate::grpc::sessions::SessionLimits;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CIRCULATE_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: String,
    /// Also serve the REST API (JSON over HTTP/1.1 and HTTP/2, OpenAPI at
    /// /v1/openapi.json) on this address, with the same TLS, tokens and limits.
    #[arg(long, env = "CIRCULATE_HTTP_ADDR")]
    pub http_addr: Option<String>,
    /// Origins whose browser pages may call gRPC-Web and REST (comma-separated, or `*` for
    /// any); default none (same-origin pages and non-browser clients only).
    #[arg(long, env = "CIRCULATE_CORS_ORIGIN", value_delimiter = ',')]
    pub cors_origin: Vec<String>,
    /// Solves running at once; requests beyond get RESOURCE_EXHAUSTED (default: cores).
    #[arg(long, env = "CIRCULATE_MAX_SOLVES")]
    pub max_concurrent_solves: Option<usize>,
    /// Largest request or response message, MiB.
    #[arg(long, env = "CIRCULATE_MAX_MESSAGE_MB", default_value_t = 256)]
    pub max_message_mb: usize,
    /// Largest estimated memory of one request, MB; larger ones get RESOURCE_EXHAUSTED
    /// (default: half the machine's memory over the concurrent solves).
    #[arg(long, env = "CIRCULATE_MAX_MODEL_MB")]
    pub max_model_mb: Option<u64>,
    /// What-if sessions open at once; more get RESOURCE_EXHAUSTED.
    #[arg(long, env = "CIRCULATE_MAX_SESSIONS", default_value_t = 32)]
    pub max_sessions: usize,
    /// Estimated memory all open sessions may hold together, MB (default: a quarter of the
    /// machine's memory).
    #[arg(long, env = "CIRCULATE_MAX_SESSION_MB")]
    pub max_session_mb: Option<u64>,
    /// Seconds a session may stay without a call before it is dropped.
    #[arg(long, env = "CIRCULATE_SESSION_IDLE_S", default_value_t = 900)]
    pub session_idle_s: u64,
    /// Seconds the answer to a request with a `request_id` is kept for its repeats.
    #[arg(long, env = "CIRCULATE_IDEMPOTENCY_TTL_S", default_value_t = 600)]
    pub idempotency_ttl_s: u64,
    /// Answers kept for repeated request ids, at most (the oldest go first).
    #[arg(long, env = "CIRCULATE_IDEMPOTENCY_ENTRIES", default_value_t = 1024)]
    pub idempotency_entries: usize,
    /// MiB of answers kept for repeated request ids, at most.
    #[arg(long, env = "CIRCULATE_IDEMPOTENCY_MB", default_value_t = 256)]
    pub idempotency_mb: usize,
    /// Long-running operations held at once, running, queued or finished and kept; the
    /// oldest finished ones make room, and beyond that submits get RESOURCE_EXHAUSTED.
    #[arg(long, env = "CIRCULATE_MAX_OPERATIONS", default_value_t = 64)]
    pub max_operations: usize,
    /// MB of the requests of running operations and the answers kept, at most.
    #[arg(long, env = "CIRCULATE_MAX_OPERATION_MB", default_value_t = 1024)]
    pub max_operation_mb: u64,
    /// Seconds a finished operation's answer is kept.
    #[arg(long, env = "CIRCULATE_OPERATION_TTL_S", default_value_t = 3600)]
    pub operation_ttl_s: u64,
    /// TLS certificate chain, PEM (with --tls-key).
    #[arg(long, env = "CIRCULATE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key, PEM (with --tls-cert).
    #[arg(long, env = "CIRCULATE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// File of accepted bearer tokens, one per line (or comma-separated).
    #[arg(long, env = "CIRCULATE_TOKENS_FILE", conflicts_with = "tokens")]
    pub tokens_file: Option<PathBuf>,
    /// Accepted bearer tokens, comma-separated (prefer --tokens-file: arguments are visible
    /// to other users of the machine; the environment variable is not).
    #[arg(long, env = "CIRCULATE_TOKENS", hide_env_values = true)]
    pub tokens: Option<String>,
    /// Serve on a non-loopback address without TLS or tokens (e.g. behind a proxy that
    /// terminates TLS and authenticates).
    #[arg(long)]
    pub insecure: bool,
    /// Serve Prometheus metrics on this address (`GET /metrics`).
    #[arg(long, env = "CIRCULATE_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let config = config(args)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.addr).await?;
        let http = match &args.http_addr {
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("--http-addr {addr}"))?,
            ),
            None => None,
        };
        let addr = listener.local_addr()?;
        let protected = config.tls.is_some() && config.tokens.is_enabled();
        let addrs = std::iter::once(addr).chain(http.iter().filter_map(|l| l.local_addr().ok()));
        for addr in addrs {
            if !addr.ip().is_loopback() && !protected && !args.insecure {
                anyhow::bail!(
                    "refusing to serve on {addr} without TLS (--tls-cert, --tls-key) and tokens \
                     (--tokens-file): anyone who reaches the port could use it; pass --insecure \
                     if a proxy in front terminates TLS and authenticates"
                );
            }
        }
        if let Some(metrics_addr) = args.metrics_addr {
            circulate::grpc::metrics::serve_metrics(metrics_addr)?;
            eprintln!("circulate metrics on http://{metrics_addr}/metrics");
        }
        tracing::info!(%addr, ?config, "circulate serving");
        eprintln!("circulate serving on {}", listener.local_addr()?);
        if let Some(http) = &http {
            let scheme = if config.tls.is_some() {
                "https"
            } else {
                "http"
            };
            eprintln!(
                "circulate REST on {scheme}://{}/v1/ (OpenAPI at /v1/openapi.json)",
                http.local_addr()?
            );
        }
        circulate::grpc::server::serve_with_http(listener, http, config, shutdown_signal())
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        tracing::info!("circulate stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The server's settings from the flags, with files read.
fn config(args: &ServeArgs) -> anyhow::Result<ServeConfig> {
    let defaults = ServeConfig::default();
    let max_concurrent_solves = args
        .max_concurrent_solves
        .unwrap_or(defaults.max_concurrent_solves);
    let budget = match args.max_model_mb {
        Some(mb) => Budget {
            max_model_bytes: mb.saturating_mul(1_000_000),
        },
        None => Budget::default_for(max_concurrent_solves),
    };
    let read = |path: &PathBuf| {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let tokens = match (&args.tokens_file, &args.tokens) {
        (Some(path), _) => Tokens::parse(&String::from_utf8_lossy(&read(path)?))
            .with_context(|| format!("in {}", path.display()))?,
        (None, Some(list)) => Tokens::parse(list).context("in --tokens")?,
        (None, None) => Tokens::default(),
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
        }),
        _ => None,
    };
    let sessions = SessionLimits {
        max_sessions: args.max_sessions,
        max_bytes: args
            .max_session_mb
            .map_or(defaults.sessions.max_bytes, |mb| {
                mb.saturating_mul(1_000_000)
            }),
        idle: std::time::Duration::from_secs(args.session_idle_s),
    };
    Ok(ServeConfig {
        max_concurrent_solves,
        max_message_bytes: args.max_message_mb.saturating_mul(1024 * 1024),
        budget,
        sessions,
        tokens,
        tls,
        cors_origins: args.cors_origin.clone(),
        idempotency: IdempotencyLimits {
            ttl: std::time::Duration::from_secs(args.idempotency_ttl_s),
            max_entries: args.idempotency_entries,
            max_bytes: args.idempotency_mb.saturating_mul(1 << 20),
        },
        operations: OperationLimits {
            max_operations: args.max_operations.max(1),
            max_bytes: args.max_operation_mb.saturating_mul(1_000_000),
            ttl: std::time::Duration::from_secs(args.operation_ttl_s),
        },
    })
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
