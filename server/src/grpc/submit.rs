//! Long-running operations (AIP-151). `SubmitMatchBatch` and `SubmitBatch` check their
//! request as the unary calls do (validation, admission by estimated memory), file an
//! operation ([`Operations`]) and answer with it at once; the solve then waits for a slot in
//! the operations' lane and reports its progress into the operation's metadata. The
//! `google.longrunning.Operations` service reads, waits on, lists, cancels and deletes
//! them, for the token that submitted them.

use super::admission::Shape;
use super::auth::bearer;
use super::lanes::blocking;
use super::operations::{Handle, pack};
use super::pb::google::longrunning as lro;
use super::service::{CirculateService, options, validated};
use super::status::{to_status, violation};
use super::{convert, pb};
use crate::batch::sweep::{Grid, Scenario, combinations};
use optimizer::{CancelToken, Dataset, Progress, SolveRequest};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tonic::{Request, Response, Status};

/// Resident bytes an operation holds per byte of its request while it waits and runs: the
/// message and the validated dataset beside it (the solve's own peak is admitted by the
/// budget like any request's).
const HELD_PER_REQUEST_BYTE: u64 = 4;

/// Scenarios one sweep may ask for.
const MAX_SCENARIOS: usize = 1000;

/// How long WaitOperation waits when the caller gives neither a timeout nor a deadline.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// The regions of a batch operation, as solved: each dataset, or one dataset's scenarios.
#[derive(Debug)]
enum Regions {
    Datasets(Vec<Dataset>),
    Sweep(Box<Dataset>, Vec<Scenario>),
}

impl Regions {
    fn len(&self) -> usize {
        match self {
            Regions::Datasets(d) => d.len(),
            Regions::Sweep(_, s) => s.len(),
        }
    }
}

/// The options of one region's solve in an operation: no client deadline, the request's
/// time limit, progress into the operation.
fn watched(solve: SolveRequest, cancel: CancelToken, handle: &Handle) -> optimizer::SolveOptions {
    let mut o = options(solve, Instant::now(), cancel);
    let watcher = handle.clone();
    o.solver.progress = Progress::to(move |event| watcher.solver(event));
    o
}

impl CirculateService {
    /// Files a MatchBatch as an operation and starts it.
    pub(super) async fn submit_match(
        &self,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<lro::Operation, Status> {
        let owner = bearer(request.metadata());
        let body = request.into_inner();
        let shape = Shape::of_match(&body);
        self.lanes.admit(&shape)?;
        let (ds, solve, body) = blocking(move || {
            let ds = validated(&convert::raw_match_dataset(&body))?;
            let solve = convert::match_request(body.options, None)?;
            Ok((ds, solve, body))
        })
        .await?;
        let held = shape.message_bytes as u64 * HELD_PER_REQUEST_BYTE;
        let request_id = body.request_id.clone();
        self.start(
            "SubmitMatchBatch",
            owner,
            &request_id,
            1,
            held,
            move |cancel, job| {
                let solved = optimizer::solve_keeping_model(&ds, &watched(solve, cancel, job))
                    .map_err(to_status)?;
                let (offers, requests) = &solved.unmatched;
                let answer = convert::match_batch_response(&body, &solved.result, offers, requests);
                job.region_done(solved.result.objective);
                Ok((
                    pack("circulate.v1.MatchBatchResponse", &answer),
                    solved.result.objective,
                ))
            },
        )
    }

    /// Files a batch of regions (or a sweep) as an operation and starts it.
    pub(super) async fn submit_regions(
        &self,
        request: Request<pb::BatchRequest>,
    ) -> Result<lro::Operation, Status> {
        let owner = bearer(request.metadata());
        let body = request.into_inner();
        for ds in &body.datasets {
            self.lanes
                .admit(&Shape::of_dataset(Some(ds), body.options))?;
        }
        let message_bytes = prost::Message::encoded_len(&body) as u64;
        let request_id = body.request_id.clone();
        let (regions, solve) = blocking(move || checked_batch(body)).await?;
        let held = message_bytes * HELD_PER_REQUEST_BYTE;
        let max_bytes = self.operations.limits().max_bytes;
        let total = regions.len() as u32;
        self.start(
            "SubmitBatch",
            owner,
            &request_id,
            total,
            held,
            move |cancel, job| {
                let (answer, objective) = solve_regions(&regions, &solve, &cancel, job, max_bytes)?;
                Ok((pack("circulate.v1.BatchResponse", &answer), objective))
            },
        )
    }

    /// Files an operation of `kind` for `owner` and runs `job` for it in the operations'
    /// lane once a slot is free; `job` answers with the packed response and its objective.
    /// The operation ends with that answer, its error, or CANCELLED.
    fn start(
        &self,
        kind: &'static str,
        owner: Option<Vec<u8>>,
        request_id: &str,
        regions: u32,
        held_bytes: u64,
        job: impl FnOnce(CancelToken, &Handle) -> Result<(prost_types::Any, Option<f64>), Status>
        + Send
        + 'static,
    ) -> Result<lro::Operation, Status> {
        let cancel = self.lanes.token();
        let (handle, first) =
            self.operations
                .submit(owner, kind, request_id, regions, held_bytes, cancel.clone())?;
        let lanes = self.lanes.clone();
        tokio::spawn(async move {
            let running = handle.clone();
            let out = lanes
                .run_queued(kind, cancel.clone(), move |cancel| {
                    running.running();
                    job(cancel, &running)
                })
                .await;
            let objective = out.as_ref().ok().and_then(|(_, o)| *o);
            handle.finish(out.map(|(any, _)| any), objective, cancel.is_cancelled());
        });
        Ok(first)
    }
}

/// The regions and the solve a `BatchRequest` asks for, every field checked; errors name
/// the field (`datasets[2].sites[0].lon`, `sweep.co2_prices[1]`).
fn checked_batch(body: pb::BatchRequest) -> Result<(Regions, SolveRequest), Status> {
    let pb::BatchRequest {
        datasets,
        options,
        sweep,
        request_id: _,
    } = body;
    if datasets.is_empty() {
        return Err(violation("datasets", "at least one dataset is required"));
    }
    let solve = convert::solve_request(options, None)?;
    let pb::Sweep {
        co2_prices,
        transport_costs_per_tkm,
    } = sweep.unwrap_or_default();
    let sweeping = !(co2_prices.is_empty() && transport_costs_per_tkm.is_empty());
    let one_dataset = |n: usize| {
        violation(
            "sweep",
            &format!("a sweep takes exactly one dataset; this request has {n}"),
        )
    };
    if sweeping && datasets.len() != 1 {
        return Err(one_dataset(datasets.len()));
    }
    for (field, values) in [
        ("sweep.co2_prices", &co2_prices),
        ("sweep.transport_costs_per_tkm", &transport_costs_per_tkm),
    ] {
        if let Some(i) = values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(violation(
                &format!("{field}[{i}]"),
                &format!("{} is not a finite number >= 0", values[i]),
            ));
        }
    }
    let scenarios = co2_prices.len().max(1) * transport_costs_per_tkm.len().max(1);
    if scenarios > MAX_SCENARIOS {
        return Err(violation(
            "sweep",
            &format!("{scenarios} scenarios; at most {MAX_SCENARIOS} in one operation"),
        ));
    }
    let mut names = HashSet::new();
    for (i, ds) in datasets.iter().enumerate() {
        if !ds.name.is_empty() && !names.insert(ds.name.clone()) {
            return Err(violation(
                &format!("datasets[{i}].name"),
                &format!(
                    "{:?} names an earlier dataset too; names must be unique",
                    ds.name
                ),
            ));
        }
    }
    let regions = datasets
        .into_iter()
        .enumerate()
        .map(|(i, ds)| validated(&convert::raw_dataset_at(&format!("datasets[{i}]"), ds)))
        .collect::<Result<Vec<_>, _>>()?;
    if !sweeping {
        return Ok((Regions::Datasets(regions), solve));
    }
    let [ds]: [Dataset; 1] = regions
        .try_into()
        .map_err(|r: Vec<Dataset>| one_dataset(r.len()))?;
    let grid = Grid {
        co2_prices: &co2_prices,
        transport_costs: &transport_costs_per_tkm,
        max_hauls: &[],
        budgets: &[],
    };
    Ok((Regions::Sweep(Box::new(ds), combinations(&grid)), solve))
}

/// Solves every region in order, reporting each into `handle`; stops at cancellation (the
/// operation then ends CANCELLED) and once the answers pass `max_bytes`.
fn solve_regions(
    regions: &Regions,
    solve: &SolveRequest,
    cancel: &CancelToken,
    handle: &Handle,
    max_bytes: u64,
) -> Result<(pb::BatchResponse, Option<f64>), Status> {
    let mut answer = pb::BatchResponse::default();
    let mut total: Option<f64> = None;
    let mut bytes = 0u64;
    for i in 0..regions.len() {
        if cancel.is_cancelled() {
            return Err(Status::cancelled("the operation was cancelled"));
        }
        let (ds, scenario) = match regions {
            Regions::Datasets(list) => (std::borrow::Cow::Borrowed(&list[i]), 0),
            Regions::Sweep(ds, scenarios) => (
                std::borrow::Cow::Owned(scenarios[i].apply(ds)),
                i as u32 + 1,
            ),
        };
        let options = watched(solve.clone(), cancel.clone(), handle);
        let result = optimizer::solve(&ds, &options).map_err(to_status)?;
        if let Some(o) = result.objective {
            total = Some(total.unwrap_or(0.0) + o);
        }
        let region = pb::BatchResult {
            name: if ds.meta.name.is_empty() {
                format!("region {}", i + 1)
            } else {
                ds.meta.name.clone()
            },
            scenario,
            co2_price: ds.co2_price,
            transport_cost_per_tkm: ds.transport.cost_per_tkm,
            result: Some((&result).into()),
        };
        bytes += prost::Message::encoded_len(&region) as u64;
        if bytes > max_bytes {
            return Err(Status::resource_exhausted(format!(
                "the answers of the first {} regions pass the server's limit for kept answers \
                 of {} MB (--max-operation-mb); submit fewer regions at once",
                i + 1,
                max_bytes / 1_000_000
            )));
        }
        answer.results.push(region);
        handle.region_done(total);
    }
    Ok((answer, total))
}

#[tonic::async_trait]
impl lro::operations_server::Operations for CirculateService {
    async fn list_operations(
        &self,
        request: Request<lro::ListOperationsRequest>,
    ) -> Result<Response<lro::ListOperationsResponse>, Status> {
        let owner = bearer(request.metadata());
        let lro::ListOperationsRequest {
            name,
            filter,
            page_size,
            page_token,
            return_partial_success: _,
        } = request.into_inner();
        if !(name.is_empty() || name == "operations") {
            return Err(violation(
                "name",
                "must be `operations` (or empty): this server has one collection",
            ));
        }
        self.operations
            .list(owner.as_deref(), &filter, page_size, &page_token)
            .map(Response::new)
    }

    async fn get_operation(
        &self,
        request: Request<lro::GetOperationRequest>,
    ) -> Result<Response<lro::Operation>, Status> {
        let owner = bearer(request.metadata());
        let lro::GetOperationRequest { name } = request.into_inner();
        self.operations
            .get(&name, owner.as_deref())
            .map(Response::new)
    }

    async fn delete_operation(
        &self,
        request: Request<lro::DeleteOperationRequest>,
    ) -> Result<Response<()>, Status> {
        let owner = bearer(request.metadata());
        let lro::DeleteOperationRequest { name } = request.into_inner();
        self.operations
            .delete(&name, owner.as_deref())
            .map(Response::new)
    }

    async fn cancel_operation(
        &self,
        request: Request<lro::CancelOperationRequest>,
    ) -> Result<Response<()>, Status> {
        let owner = bearer(request.metadata());
        let lro::CancelOperationRequest { name } = request.into_inner();
        self.operations
            .cancel(&name, owner.as_deref())
            .map(Response::new)
    }

    async fn wait_operation(
        &self,
        request: Request<lro::WaitOperationRequest>,
    ) -> Result<Response<lro::Operation>, Status> {
        let owner = bearer(request.metadata());
        let deadline = convert::deadline(request.metadata());
        let lro::WaitOperationRequest { name, timeout } = request.into_inner();
        let asked = timeout
            .map(|t| {
                Duration::try_from(t).map_err(|_| violation("timeout", "must be a duration >= 0"))
            })
            .transpose()?;
        // The caller's deadline bounds the wait, less a margin to carry the answer back.
        let bound = deadline.map(|d| d.saturating_sub(Duration::from_millis(50)));
        let wait = match (asked, bound) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => DEFAULT_WAIT,
        };
        self.operations
            .wait(&name, owner.as_deref(), wait)
            .await
            .map(Response::new)
    }
}
