//! The `circulate.v1.Circulate` handlers. Each one validates, converts, runs the solve on
//! the blocking pool under a concurrency bound, and converts back; the deadline the client
//! sent becomes the solver's time limit, and a client that goes away (or a server that shuts
//! down) cancels the solve, so its slot and its CPU are freed within about a second.

use super::convert;
use super::pb;
use super::status::{invalid, to_status, violation};
use optimizer::{Algorithm, CancelToken, Dataset, SolveOptions, SolveResult};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

/// Default matches per streamed chunk.
const DEFAULT_CHUNK: usize = 10_000;

#[derive(Debug, Clone)]
pub struct CirculateService {
    solves: Arc<Semaphore>,
    /// Cancelled at shutdown; every request's token is its child.
    shutdown: CancelToken,
}

/// Cancels its token when dropped: tonic drops a handler's future when the client cancels,
/// disconnects or passes its deadline, and this guard, held across the await, turns that
/// into a stop of the blocking solve.
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl CirculateService {
    /// A service running at most `max_concurrent_solves` solves at once; more get
    /// RESOURCE_EXHAUSTED immediately. Cancelling `shutdown` stops every running solve.
    pub fn new(max_concurrent_solves: usize, shutdown: CancelToken) -> Self {
        CirculateService {
            solves: Arc::new(Semaphore::new(max_concurrent_solves.max(1))),
            shutdown,
        }
    }

    /// Runs a solve on the blocking pool, holding a permit for its whole duration; the job
    /// gets a token that is cancelled when the request is abandoned.
    async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let permit = self.solves.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("all solve slots are busy; retry later ({what})"))
        })?;
        let started = Instant::now();
        let cancel = self.shutdown.child();
        let guard = CancelOnDrop(cancel.clone());
        // Logged from the blocking task, so an abandoned request logs its end too.
        let out = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let out = job(cancel.clone());
            tracing::info!(
                rpc = what,
                seconds = started.elapsed().as_secs_f64(),
                ok = out.is_ok(),
                cancelled = cancel.is_cancelled(),
                "request done"
            );
            out
        })
        .await
        .map_err(|e| Status::internal(format!("solve task failed: {e}")))?;
        drop(guard);
        out
    }
}

/// The client's deadline, from the `grpc-timeout` header (e.g. `500m`, `2S`).
fn deadline<T>(request: &Request<T>) -> Option<Duration> {
    let v = request.metadata().get("grpc-timeout")?.to_str().ok()?;
    let (n, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The options of a request: the library builds them, the deadline caps the time limit.
fn solve_options(
    o: Option<pb::SolveOptions>,
    deadline: Option<Duration>,
) -> Result<SolveOptions, Status> {
    let pb::SolveOptions {
        k,
        exact,
        no_pricing,
        time_limit_s,
    } = o.unwrap_or_default();
    Ok(SolveOptions::requested(
        k as usize,
        exact,
        no_pricing,
        checked_time_limit(time_limit_s)?,
        deadline,
        Algorithm::Auto,
    ))
}

/// A requested time limit, or INVALID_ARGUMENT naming `options.time_limit_s`.
fn checked_time_limit(seconds: Option<f64>) -> Result<Option<f64>, Status> {
    seconds
        .map(optimizer::check_time_limit)
        .transpose()
        .map_err(|e| violation("options.time_limit_s", &e))
}

fn validated(raw: &optimizer::input::RawDataset) -> Result<Dataset, Status> {
    optimizer::input::validate(raw).map_err(|e| invalid(&e))
}

fn optimize_blocking(
    request: pb::OptimizeRequest,
    deadline: Option<Duration>,
    started: Instant,
    cancel: CancelToken,
) -> Result<SolveResult, Status> {
    let options = solve_options(request.options, deadline)?
        .charged(started)
        .with_cancel(cancel);
    let Some(dataset) = request.dataset else {
        return Err(violation("dataset", "is required"));
    };
    let ds = validated(&convert::raw_dataset(dataset))?;
    optimizer::solve(&ds, &options).map_err(to_status)
}

/// A solved match batch: summary, matches and unmatched listings.
fn match_blocking(
    request: pb::MatchBatchRequest,
    deadline: Option<Duration>,
    started: Instant,
    cancel: CancelToken,
) -> Result<pb::MatchBatchResponse, Status> {
    let ds = validated(&convert::raw_match_dataset(&request))?;
    let pb::MatchOptions {
        k,
        exact,
        no_pricing,
        time_limit_s,
        chunk_size: _,
    } = request.options.unwrap_or_default();
    let options = SolveOptions::requested(
        k as usize,
        exact,
        no_pricing,
        checked_time_limit(time_limit_s)?,
        deadline,
        Algorithm::Auto,
    );
    let options = options.charged(started).with_cancel(cancel);
    let solved = optimizer::solve_keeping_model(&ds, &options).map_err(to_status)?;
    let (offers, requests) = optimizer::report::unmatched(&ds, &solved.model, &solved.solution);
    let result = solved.result;
    let matches = convert::matches(&result);
    let summary = pb::MatchSummary {
        status: convert::status(result.status) as i32,
        objective: result.objective,
        baseline: result.baseline,
        matched_t: matches.iter().map(|m| m.quantity_t).sum(),
        matches: matches.len() as u64,
        unmatched_offers: offers.len() as u64,
        unmatched_requests: requests.len() as u64,
        stats: Some((&result.stats).into()),
    };
    Ok(pb::MatchBatchResponse {
        summary: Some(summary),
        matches,
        unmatched_offers: convert::unmatched(&offers, |i| request.offers[i].id.clone()),
        unmatched_requests: convert::unmatched(&requests, |i| request.requests[i].id.clone()),
    })
}

impl CirculateService {
    /// The solved dataset of an `OptimizeRequest` (Optimize and ImportSubstitution).
    async fn optimized(
        &self,
        what: &'static str,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<SolveResult, Status> {
        let (deadline, started) = (deadline(&request), Instant::now());
        let body = request.into_inner();
        self.run(what, move |cancel| {
            optimize_blocking(body, deadline, started, cancel)
        })
        .await
    }

    /// The solved batch of a `MatchBatchRequest` (unary and streamed).
    async fn matched(
        &self,
        what: &'static str,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<pb::MatchBatchResponse, Status> {
        let (deadline, started) = (deadline(&request), Instant::now());
        let body = request.into_inner();
        self.run(what, move |cancel| {
            match_blocking(body, deadline, started, cancel)
        })
        .await
    }
}

#[tonic::async_trait]
impl pb::circulate_server::Circulate for CirculateService {
    async fn optimize(
        &self,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<Response<pb::OptimizeResponse>, Status> {
        let result = self.optimized("Optimize", request).await?;
        Ok(Response::new((&result).into()))
    }

    async fn import_substitution(
        &self,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<Response<pb::ImportSubstitutionResponse>, Status> {
        let result = self.optimized("ImportSubstitution", request).await?;
        Ok(Response::new(pb::ImportSubstitutionResponse {
            status: convert::status(result.status) as i32,
            targets: result.targets.iter().map(Into::into).collect(),
            currency: result.currency.clone(),
        }))
    }

    async fn match_batch(
        &self,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<Response<pb::MatchBatchResponse>, Status> {
        let response = self.matched("MatchBatch", request).await?;
        Ok(Response::new(response))
    }

    type MatchBatchStreamStream = ReceiverStream<Result<pb::MatchBatchChunk, Status>>;

    async fn match_batch_stream(
        &self,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<Response<Self::MatchBatchStreamStream>, Status> {
        let chunk = request
            .get_ref()
            .options
            .as_ref()
            .map(|o| o.chunk_size as usize)
            .filter(|&c| c > 0)
            .unwrap_or(DEFAULT_CHUNK);
        let response = self.matched("MatchBatchStream", request).await?;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            let pb::MatchBatchResponse {
                summary,
                matches,
                unmatched_offers,
                unmatched_requests,
            } = response;
            let mut first = Some(summary);
            let mut matches = matches.into_iter().peekable();
            let mut offers = unmatched_offers.into_iter().peekable();
            let mut requests = unmatched_requests.into_iter().peekable();
            while first.is_some()
                || matches.peek().is_some()
                || offers.peek().is_some()
                || requests.peek().is_some()
            {
                let msg = pb::MatchBatchChunk {
                    summary: first.take().flatten(),
                    matches: matches.by_ref().take(chunk).collect(),
                    unmatched_offers: offers.by_ref().take(chunk).collect(),
                    unmatched_requests: requests.by_ref().take(chunk).collect(),
                };
                if tx.send(Ok(msg)).await.is_err() {
                    break; // the client went away
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}
