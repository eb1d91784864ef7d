//! The service's Prometheus metrics, named and recorded in one place: requests by method
//! and code, request and solve latency, solves in flight, refused requests. They are
//! recorded through the `metrics` facade (no-ops until [`serve_metrics`] installs the
//! Prometheus exporter) and served in the text format on `--metrics-addr`.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use std::net::SocketAddr;

/// Latency buckets, seconds: from a health check to a long platform batch.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// Serves the metrics on `addr` (`GET /metrics`), from a task on the current runtime.
/// Once per process: the recorder is global.
pub fn serve_metrics(addr: SocketAddr) -> anyhow::Result<()> {
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS_BUCKETS)?
        .install()?;
    metrics::describe_counter!(
        "circulate_requests_total",
        "Requests answered, by method and gRPC status code"
    );
    metrics::describe_histogram!(
        "circulate_request_seconds",
        metrics::Unit::Seconds,
        "Time from request to response headers, by method"
    );
    metrics::describe_histogram!(
        "circulate_solve_seconds",
        metrics::Unit::Seconds,
        "Time a solve held its slot, by method and outcome"
    );
    metrics::describe_gauge!("circulate_solves_in_flight", "Solves running now");
    metrics::describe_counter!(
        "circulate_refused_total",
        "Requests refused before solving, by reason (busy, over_budget)"
    );
    Ok(())
}

/// One answered request, over `protocol` (`grpc`, which counts gRPC-Web, or `http`).
pub fn request_done(protocol: &'static str, method: &'static str, code: i32, seconds: f64) {
    let code = format!("{:?}", tonic::Code::from(code));
    metrics::counter!("circulate_requests_total", "protocol" => protocol, "method" => method, "code" => code)
        .increment(1);
    metrics::histogram!("circulate_request_seconds", "protocol" => protocol, "method" => method)
        .record(seconds);
}

/// One request refused before its solve started.
pub fn refused(reason: &'static str) {
    metrics::counter!("circulate_refused_total", "reason" => reason).increment(1);
}

/// A call of `rpc` with a `request_id`: `stored`, `replayed`, `waited` (for a first call
/// still running), `conflict` (the id with another body), `evicted`, `too_large`.
pub fn idempotent(rpc: &'static str, outcome: &'static str) {
    metrics::counter!("circulate_idempotent_total", "rpc" => rpc, "outcome" => outcome)
        .increment(1);
}

/// Bytes of answers kept for repeated request ids.
pub fn idempotency_bytes(bytes: usize) {
    metrics::gauge!("circulate_idempotency_bytes").set(bytes as f64);
}

/// What-if sessions open now.
pub fn sessions_open(count: usize) {
    metrics::gauge!("circulate_sessions_open").set(count as f64);
}

/// Counts a solve in flight while it lives and records its time when dropped.
#[derive(Debug)]
pub struct SolveInFlight {
    method: &'static str,
    started: std::time::Instant,
    outcome: &'static str,
}

impl SolveInFlight {
    /// A solve of `method` starting now.
    pub fn start(method: &'static str) -> Self {
        metrics::gauge!("circulate_solves_in_flight").increment(1.0);
        SolveInFlight {
            method,
            started: std::time::Instant::now(),
            outcome: "error",
        }
    }

    /// How the solve ended (`ok`, `cancelled`, `error`), recorded when dropped.
    pub fn ended(&mut self, outcome: &'static str) {
        self.outcome = outcome;
    }
}

impl Drop for SolveInFlight {
    fn drop(&mut self) {
        metrics::gauge!("circulate_solves_in_flight").decrement(1.0);
        metrics::histogram!(
            "circulate_solve_seconds",
            "method" => self.method,
            "outcome" => self.outcome
        )
        .record(self.started.elapsed().as_secs_f64());
    }
}
