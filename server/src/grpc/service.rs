//! The `circulate.v1.Circulate` handlers. Each one validates, converts, runs the solve on
//! the blocking pool under a concurrency bound, and converts back; the deadline the client
//! sent becomes the solver's time limit.

use super::convert;
use super::pb;
use optimizer::{CandidateOptions, Dataset, Error, SolveOptions, SolveResult, SolverOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// Share of the client's deadline given to the solver; the rest covers building the model,
/// converting the result and the network.
const DEADLINE_SHARE: f64 = 0.8;

/// Default matches per streamed chunk.
const DEFAULT_CHUNK: usize = 10_000;

#[derive(Debug, Clone)]
pub struct CirculateService {
    solves: Arc<Semaphore>,
}

impl CirculateService {
    /// A service running at most `max_concurrent_solves` solves at once; more get
    /// RESOURCE_EXHAUSTED immediately.
    pub fn new(max_concurrent_solves: usize) -> Self {
        CirculateService {
            solves: Arc::new(Semaphore::new(max_concurrent_solves.max(1))),
        }
    }

    /// Runs a solve on the blocking pool, holding a permit for its whole duration.
    async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce() -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let permit = self.solves.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("all solve slots are busy; retry later ({what})"))
        })?;
        let started = Instant::now();
        let out = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|e| Status::internal(format!("solve task failed: {e}")))?;
        tracing::info!(
            rpc = what,
            seconds = started.elapsed().as_secs_f64(),
            ok = out.is_ok(),
            "request done"
        );
        out
    }
}

/// The one mapping from library errors to gRPC statuses.
pub fn to_status(e: Error) -> Status {
    match e {
        Error::Invalid(errors) => invalid(&errors),
        Error::Io { path, source } => Status::internal(format!("cannot read {path}: {source}")),
        Error::Solver(msg) => Status::internal(format!("solver failure: {msg}")),
    }
}

fn invalid(errors: &optimizer::FieldErrors) -> Status {
    let violations = convert::violations(errors);
    let mut details = ErrorDetails::new();
    for (field, description) in &violations {
        details.add_bad_request_violation(field.clone(), description.clone());
    }
    let summary = violations
        .iter()
        .take(3)
        .map(|(f, d)| format!("{f}: {d}"))
        .collect::<Vec<_>>()
        .join("; ");
    Status::with_error_details(
        tonic::Code::InvalidArgument,
        format!("{} invalid field(s): {summary}", violations.len()),
        details,
    )
}

/// The client's deadline, from the `grpc-timeout` header (e.g. `500m`, `2S`).
fn deadline<T>(request: &Request<T>) -> Option<Duration> {
    let v = request.metadata().get("grpc-timeout")?.to_str().ok()?;
    let (n, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The tighter of the requested time limit and the share of the deadline.
fn time_limit(requested: Option<f64>, deadline: Option<Duration>) -> Option<f64> {
    let from_deadline = deadline.map(|d| d.as_secs_f64() * DEADLINE_SHARE);
    match (requested, from_deadline) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn solve_options(o: Option<pb::SolveOptions>, deadline: Option<Duration>) -> SolveOptions {
    let o = o.unwrap_or_default();
    SolveOptions {
        candidates: CandidateOptions {
            k: if o.k == 0 {
                optimizer::DEFAULT_K
            } else {
                o.k as usize
            },
            exact: o.exact,
            price: !o.no_pricing,
        },
        solver: SolverOptions {
            time_limit: time_limit(o.time_limit_s, deadline),
            ..SolverOptions::default()
        },
    }
}

fn validated(raw: &optimizer::dataset::RawDataset) -> Result<Dataset, Status> {
    optimizer::dataset::validate(raw).map_err(|e| invalid(&e))
}

/// Builds the model, then solves with what is left of the time budget (the model build
/// cannot be interrupted, so it is charged to the budget first).
fn solve_within(
    ds: &Dataset,
    mut options: SolveOptions,
    started: Instant,
) -> Result<(optimizer::Model, SolveResult), Status> {
    let mut model = optimizer::build_model(ds, &options);
    if let Some(limit) = options.solver.time_limit.as_mut() {
        *limit = (*limit - started.elapsed().as_secs_f64()).max(0.0);
    }
    let result = optimizer::solve_model(ds, &mut model, &options).map_err(to_status)?;
    Ok((model, result))
}

fn optimize_blocking(
    request: pb::OptimizeRequest,
    deadline: Option<Duration>,
    started: Instant,
) -> Result<SolveResult, Status> {
    let Some(dataset) = request.dataset else {
        let mut details = ErrorDetails::new();
        details.add_bad_request_violation("dataset", "is required");
        return Err(Status::with_error_details(
            tonic::Code::InvalidArgument,
            "dataset is required",
            details,
        ));
    };
    let ds = validated(&convert::raw_dataset(dataset))?;
    let options = solve_options(request.options, deadline);
    solve_within(&ds, options, started).map(|(_, result)| result)
}

/// A solved match batch: summary, matches and unmatched listings.
fn match_blocking(
    request: pb::MatchBatchRequest,
    deadline: Option<Duration>,
    started: Instant,
) -> Result<pb::MatchBatchResponse, Status> {
    let ds = validated(&convert::raw_match_dataset(&request))?;
    let o = request.options.unwrap_or_default();
    let options = solve_options(
        Some(pb::SolveOptions {
            k: o.k,
            exact: o.exact,
            no_pricing: o.no_pricing,
            time_limit_s: o.time_limit_s,
        }),
        deadline,
    );
    let (model, result) = solve_within(&ds, options, started)?;
    let (offers, requests) = if result.objective.is_some() {
        optimizer::matching::unmatched(&ds, &model.network, &result)
    } else {
        (Vec::new(), Vec::new())
    };
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

#[tonic::async_trait]
impl pb::circulate_server::Circulate for CirculateService {
    async fn optimize(
        &self,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<Response<pb::OptimizeResponse>, Status> {
        let (deadline, started) = (deadline(&request), Instant::now());
        let body = request.into_inner();
        let result = self
            .run("Optimize", move || {
                optimize_blocking(body, deadline, started)
            })
            .await?;
        Ok(Response::new((&result).into()))
    }

    async fn import_substitution(
        &self,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<Response<pb::ImportSubstitutionResponse>, Status> {
        let (deadline, started) = (deadline(&request), Instant::now());
        let body = request.into_inner();
        let result = self
            .run("ImportSubstitution", move || {
                optimize_blocking(body, deadline, started)
            })
            .await?;
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
        let (deadline, started) = (deadline(&request), Instant::now());
        let body = request.into_inner();
        let response = self
            .run("MatchBatch", move || {
                match_blocking(body, deadline, started)
            })
            .await?;
        Ok(Response::new(response))
    }

    type MatchBatchStreamStream = ReceiverStream<Result<pb::MatchBatchChunk, Status>>;

    async fn match_batch_stream(
        &self,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<Response<Self::MatchBatchStreamStream>, Status> {
        let (deadline, started) = (deadline(&request), Instant::now());
        let body = request.into_inner();
        let chunk = body
            .options
            .as_ref()
            .map(|o| o.chunk_size as usize)
            .filter(|&c| c > 0)
            .unwrap_or(DEFAULT_CHUNK);
        let response = self
            .run("MatchBatchStream", move || {
                match_blocking(body, deadline, started)
            })
            .await?;
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
