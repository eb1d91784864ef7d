//! The `circulate.v1.Circulate` handlers. Each one converts the request ([`convert`]), runs
//! the solve in its lane ([`Lanes`]: admission, a slot, a pool, cancellation when the
//! client goes away) and converts the answer back; the deadline the client sent becomes
//! the solver's time limit. The session calls are in [`super::what_if`], the operations'
//! in [`super::submit`].

use super::admission::{Budget, Shape};
use super::auth::bearer;
use super::idempotency::{Idempotency, IdempotencyLimits};
use super::lanes::Lanes;
use super::operations::{OperationLimits, Operations};
use super::sessions::{SessionLimits, Sessions};
use super::status::{invalid, to_status, violation};
use super::{convert, pb};
use optimizer::{CancelToken, Dataset, SolveOptions, SolveRequest, SolveResult};
use prost::Message;
use std::future::Future;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

/// Default matches per streamed chunk.
const DEFAULT_CHUNK: usize = 10_000;

#[derive(Debug, Clone)]
pub struct CirculateService {
    pub(super) lanes: Lanes,
    pub(super) sessions: Sessions,
    pub(super) operations: Operations,
    idempotency: Idempotency,
}

impl CirculateService {
    /// A service running at most `max_concurrent_solves` large solves at once (see
    /// [`Lanes::new`]), holding what-if sessions within `limits` and the answers to
    /// retried request ids within `idempotency` and long-running operations within
    /// `operations`; cancelling `shutdown` stops every running solve.
    pub fn new(
        max_concurrent_solves: usize,
        budget: Budget,
        limits: SessionLimits,
        idempotency: IdempotencyLimits,
        operations: OperationLimits,
        shutdown: CancelToken,
    ) -> Self {
        CirculateService {
            lanes: Lanes::new(max_concurrent_solves, budget, shutdown),
            sessions: Sessions::new(limits),
            operations: Operations::new(operations),
            idempotency: Idempotency::new(idempotency),
        }
    }

    /// The service's long-running operations (the server expires old ones).
    pub fn operations(&self) -> &Operations {
        &self.operations
    }

    /// `call` once per request id of the caller's token (see [`Idempotency`]).
    pub(super) async fn idempotent<Req, Resp, F, Fut>(
        &self,
        rpc: &'static str,
        request: Request<Req>,
        request_id: fn(&Req) -> &str,
        call: F,
    ) -> Result<Response<Resp>, Status>
    where
        Req: Message,
        Resp: Message + Default,
        F: FnOnce(Request<Req>) -> Fut,
        Fut: Future<Output = Result<Resp, Status>>,
    {
        let id = request_id(request.get_ref()).to_string();
        if id.is_empty() {
            return call(request).await.map(Response::new);
        }
        let owner = bearer(request.metadata());
        let encoded = request.get_ref().encode_to_vec();
        self.idempotency
            .once(owner.as_deref(), rpc, &encoded, &id, || call(request))
            .await
            .map(Response::new)
    }

    /// The service's sessions (the server sweeps idle ones).
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The solved dataset of an `OptimizeRequest` (Optimize and ImportSubstitution), with
    /// the plan as Valueflows JSON-LD when the options ask for it.
    async fn optimized(
        &self,
        what: &'static str,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<(SolveResult, Option<String>), Status> {
        let (started, deadline) = (Instant::now(), convert::deadline(request.metadata()));
        let body = request.into_inner();
        let shape = Shape::of_optimize(&body);
        let valueflows = body.options.as_ref().is_some_and(|o| o.valueflows);
        self.lanes
            .run(what, shape, move |cancel| {
                let solve = convert::solve_request(body.options, deadline)?;
                let dataset = body
                    .dataset
                    .ok_or_else(|| violation("dataset", "is required"))?;
                let ds = validated(&convert::raw_dataset(dataset))?;
                let result =
                    optimizer::solve(&ds, &options(solve, started, cancel)).map_err(to_status)?;
                let jsonld = valueflows
                    .then(|| optimizer::report::valueflows::plan(&ds, &result).to_string());
                Ok((result, jsonld))
            })
            .await
    }

    /// The solved batch of a `MatchBatchRequest` (unary and streamed).
    async fn matched(
        &self,
        what: &'static str,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<pb::MatchBatchResponse, Status> {
        let (started, deadline) = (Instant::now(), convert::deadline(request.metadata()));
        let body = request.into_inner();
        let shape = Shape::of_match(&body);
        self.lanes
            .run(what, shape, move |cancel| {
                let ds = validated(&convert::raw_match_dataset(&body))?;
                let solve = convert::match_request(body.options, deadline)?;
                let options = options(solve, started, cancel);
                let solved = optimizer::solve_keeping_model(&ds, &options).map_err(to_status)?;
                let (offers, requests) = &solved.unmatched;
                Ok(convert::match_batch_response(
                    &body,
                    &solved.result,
                    offers,
                    requests,
                ))
            })
            .await
    }
}

/// The options of a request's solve: what was asked, less the time already spent since
/// `started` (reading and checking it), stopped by `cancel`.
pub(super) fn options(
    request: SolveRequest,
    started: Instant,
    cancel: CancelToken,
) -> SolveOptions {
    SolveOptions::from(request)
        .charged(started)
        .with_cancel(cancel)
}

pub(super) fn validated(raw: &optimizer::input::RawDataset) -> Result<Dataset, Status> {
    optimizer::input::validate(raw).map_err(|e| invalid(&e))
}

#[tonic::async_trait]
impl pb::circulate_server::Circulate for CirculateService {
    async fn optimize(
        &self,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<Response<pb::OptimizeResponse>, Status> {
        self.idempotent(
            "Optimize",
            request,
            |r| &r.request_id,
            |request| async {
                let (result, valueflows) = self.optimized("Optimize", request).await?;
                let mut answer: pb::OptimizeResponse = (&result).into();
                answer.valueflows_jsonld = valueflows.unwrap_or_default();
                Ok(answer)
            },
        )
        .await
    }

    async fn import_substitution(
        &self,
        request: Request<pb::OptimizeRequest>,
    ) -> Result<Response<pb::ImportSubstitutionResponse>, Status> {
        self.idempotent(
            "ImportSubstitution",
            request,
            |r| &r.request_id,
            |request| async {
                let (result, _) = self.optimized("ImportSubstitution", request).await?;
                Ok(pb::ImportSubstitutionResponse {
                    status: convert::status(result.status) as i32,
                    targets: result.targets.iter().map(Into::into).collect(),
                    currency: result.currency.clone(),
                })
            },
        )
        .await
    }

    async fn match_batch(
        &self,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<Response<pb::MatchBatchResponse>, Status> {
        self.idempotent(
            "MatchBatch",
            request,
            |r| &r.request_id,
            |request| self.matched("MatchBatch", request),
        )
        .await
    }

    async fn open_session(
        &self,
        request: Request<pb::OpenSessionRequest>,
    ) -> Result<Response<pb::SessionPlan>, Status> {
        self.idempotent(
            "OpenSession",
            request,
            |r| &r.request_id,
            |request| self.open(request),
        )
        .await
    }

    async fn revise(
        &self,
        request: Request<pb::ReviseRequest>,
    ) -> Result<Response<pb::SessionPlan>, Status> {
        self.idempotent(
            "Revise",
            request,
            |r| &r.request_id,
            |request| self.revise_session(request),
        )
        .await
    }

    async fn submit_match_batch(
        &self,
        request: Request<pb::MatchBatchRequest>,
    ) -> Result<Response<pb::google::longrunning::Operation>, Status> {
        self.idempotent(
            "SubmitMatchBatch",
            request,
            |r| &r.request_id,
            |request| self.submit_match(request),
        )
        .await
    }

    async fn submit_batch(
        &self,
        request: Request<pb::BatchRequest>,
    ) -> Result<Response<pb::google::longrunning::Operation>, Status> {
        self.idempotent(
            "SubmitBatch",
            request,
            |r| &r.request_id,
            |request| self.submit_regions(request),
        )
        .await
    }

    async fn close_session(
        &self,
        request: Request<pb::CloseSessionRequest>,
    ) -> Result<Response<pb::CloseSessionResponse>, Status> {
        self.close(request).map(Response::new)
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
        let response = self
            .idempotent(
                "MatchBatchStream",
                request,
                |r| &r.request_id,
                |request| self.matched("MatchBatchStream", request),
            )
            .await?
            .into_inner();
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            for message in convert::chunks(response, chunk) {
                if tx.send(Ok(message)).await.is_err() {
                    break; // the client went away
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}
