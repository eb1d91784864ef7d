//! The `circulate.v1.Circulate` handlers. Each one validates, converts, runs the solve on
//! the blocking pool under a concurrency bound, and converts back; the deadline the client
//! sent becomes the solver's time limit, and a client that goes away (or a server that shuts
//! down) cancels the solve, so its slot and its CPU are freed within about a second.

use super::admission::{Budget, Shape, Weight};
use super::status::{invalid, to_status, violation};
use super::{convert, metrics, pb};
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
    budget: Budget,
    /// Slots of large solves.
    heavy: Lane,
    /// Slots of small requests, so they never wait behind a large solve.
    light: Lane,
    /// Cancelled at shutdown; every request's token is its child.
    shutdown: CancelToken,
}

/// A bound on requests running at once.
#[derive(Debug, Clone)]
struct Lane {
    name: &'static str,
    slots: Arc<Semaphore>,
}

impl Lane {
    fn new(name: &'static str, slots: usize) -> Self {
        Lane {
            name,
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// A rayon pool for one request. Each request gets its own: in a shared pool, a request
    /// waiting for its parallel loop to finish runs other requests' queued work meanwhile,
    /// so a cancelled solve was seen to hold its slot for 84 s behind a neighbour's pricing
    /// (measured with `make load`). Starting a pool costs well under a millisecond.
    fn pool(&self) -> Result<rayon::ThreadPool, Status> {
        let name = self.name;
        rayon::ThreadPoolBuilder::new()
            .thread_name(move |i| format!("{name}-{i}"))
            .build()
            .map_err(|e| Status::unavailable(format!("cannot start threads: {e}")))
    }
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
    /// A service running at most `max_concurrent_solves` large solves at once, and as many
    /// small ones beside them; more get RESOURCE_EXHAUSTED immediately, as do requests
    /// estimated above `budget`. Cancelling `shutdown` stops every running solve.
    pub fn new(max_concurrent_solves: usize, budget: Budget, shutdown: CancelToken) -> Self {
        CirculateService {
            budget,
            heavy: Lane::new("solve", max_concurrent_solves),
            light: Lane::new("light", max_concurrent_solves),
            shutdown,
        }
    }

    /// Runs a request on the blocking pool inside a thread pool of its own, holding a slot
    /// of its lane for its whole duration; the job gets a token that is cancelled when the request is
    /// abandoned.
    async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        shape: Shape,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let weight = self.budget.admit(&shape).inspect_err(|_| {
            metrics::refused("over_budget");
        })?;
        let lane = match weight {
            Weight::Light => &self.light,
            Weight::Heavy => &self.heavy,
        };
        let permit = lane.slots.clone().try_acquire_owned().map_err(|_| {
            metrics::refused("busy");
            Status::resource_exhausted(format!("all solve slots are busy; retry later ({what})"))
        })?;
        let started = Instant::now();
        let cancel = self.shutdown.child();
        let guard = CancelOnDrop(cancel.clone());
        let pool = lane.pool()?;
        // Logged from the blocking task, so an abandoned request logs its end too.
        let out = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut in_flight = metrics::SolveInFlight::start(what);
            let out = pool.install(|| job(cancel.clone()));
            let outcome = match (&out, cancel.is_cancelled()) {
                (_, true) => "cancelled",
                (Ok(_), false) => "ok",
                (Err(_), false) => "error",
            };
            in_flight.ended(outcome);
            tracing::info!(
                rpc = what,
                ?weight,
                seconds = started.elapsed().as_secs_f64(),
                outcome,
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

/// The cost-relevant shape of an `OptimizeRequest`.
fn optimize_shape(request: &pb::OptimizeRequest) -> Shape {
    let o = request.options.unwrap_or_default();
    let (mut sources, mut sinks) = (0, 0);
    if let Some(ds) = &request.dataset {
        sources = ds.supplies.len();
        sinks = ds.demands.len();
        for p in &ds.processes {
            sources += p.outputs.len();
            sinks += p.inputs.len();
        }
    }
    Shape {
        message_bytes: prost::Message::encoded_len(request),
        sources,
        sinks,
        k: o.k,
        exact: o.exact,
        no_pricing: o.no_pricing,
    }
}

/// The cost-relevant shape of a `MatchBatchRequest`.
fn match_shape(request: &pb::MatchBatchRequest) -> Shape {
    let o = request.options.unwrap_or_default();
    Shape {
        message_bytes: prost::Message::encoded_len(request),
        sources: request.offers.len(),
        sinks: request.requests.len(),
        k: o.k,
        exact: o.exact,
        no_pricing: o.no_pricing,
    }
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
        let shape = optimize_shape(&body);
        self.run(what, shape, move |cancel| {
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
        let shape = match_shape(&body);
        self.run(what, shape, move |cancel| {
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
