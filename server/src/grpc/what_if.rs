//! The handlers of what-if sessions: OpenSession (admitted like the solve it starts, and
//! counted against the session bounds), Revise (run like any solve, so the client's
//! deadline and going away stop it; the session keeps its best plan and basis) and
//! CloseSession. Both solves run in the sessions' own lane, so sessions never take the
//! slots of one-off requests. A session takes one revision at a time; another arriving meanwhile is
//! refused with ABORTED rather than queued behind it.

use super::admission::Shape;
use super::convert::{self, Listings, Problem};
use super::pb;
use super::service::{CirculateService, options, validated};
use super::sessions::Held;
use super::status::{to_status, violation};
use optimizer::WhatIf;
use std::time::Instant;
use tonic::{Request, Status};

/// A session's plan in the answer's form.
fn plan(held: &Held) -> pb::SessionPlan {
    let result = held.what_if.result();
    let plan = match &held.problem {
        Problem::Region => pb::session_plan::Plan::Optimize(result.into()),
        Problem::Batch { batch, .. } => {
            let (offers, requests) = held.what_if.unmatched();
            pb::session_plan::Plan::Batch(convert::match_batch_response(
                batch, result, offers, requests,
            ))
        }
    };
    pb::SessionPlan {
        session_id: String::new(),
        plan: Some(plan),
        diff: None,
        revision: held.revisions,
    }
}

impl CirculateService {
    pub(super) async fn open(
        &self,
        request: Request<pb::OpenSessionRequest>,
    ) -> Result<pb::SessionPlan, Status> {
        let (started, deadline) = (Instant::now(), convert::deadline(request.metadata()));
        let owner = super::auth::bearer(request.metadata());
        let problem = request
            .into_inner()
            .problem
            .ok_or_else(|| violation("problem", "an optimize or a batch request is required"))?;
        let shape = match &problem {
            pb::open_session_request::Problem::Optimize(o) => Shape::of_optimize(o),
            pb::open_session_request::Problem::Batch(b) => Shape::of_match(b),
        };
        // The model is kept after the answer: its estimate is what the session holds.
        let room = self.sessions.reserve(shape.bytes() as u64)?;
        let sessions = self.sessions.clone();
        self.lanes
            .run_session("OpenSession", shape, move |cancel| {
                let (ds, request, problem) = match problem {
                    pb::open_session_request::Problem::Optimize(o) => {
                        if o.options.is_some_and(|o| o.alternatives > 0) {
                            return Err(violation(
                                "optimize.options.alternatives",
                                "alternatives are solved by Optimize; a session keeps one plan",
                            ));
                        }
                        let request = convert::solve_request(o.options, deadline)?;
                        let dataset = o
                            .dataset
                            .ok_or_else(|| violation("optimize.dataset", "is required"))?;
                        let ds = validated(&convert::raw_dataset(dataset))?;
                        (ds, request, Problem::Region)
                    }
                    pb::open_session_request::Problem::Batch(b) => {
                        let ds = validated(&convert::raw_match_dataset(&b))?;
                        let request = convert::match_request(b.options, deadline)?;
                        let listings = Listings::of(&b);
                        let batch = Box::new(b);
                        (ds, request, Problem::Batch { listings, batch })
                    }
                };
                let what_if =
                    WhatIf::open(ds, options(request, started, cancel)).map_err(to_status)?;
                let held = Held {
                    what_if,
                    problem,
                    revisions: 0,
                };
                let mut answer = plan(&held);
                answer.diff = Some(pb::PlanDiff {
                    start: "opened".into(),
                    seconds: started.elapsed().as_secs_f64(),
                    ..pb::PlanDiff::default()
                });
                answer.session_id = sessions.insert(room, owner, held);
                Ok(answer)
            })
            .await
    }

    pub(super) async fn revise_session(
        &self,
        request: Request<pb::ReviseRequest>,
    ) -> Result<pb::SessionPlan, Status> {
        let (started, deadline) = (Instant::now(), convert::deadline(request.metadata()));
        let owner = super::auth::bearer(request.metadata());
        let body = request.into_inner();
        let held = self.sessions.get(&body.session_id, owner.as_deref())?;
        let shape = {
            let guard = held.try_lock().map_err(|_| {
                Status::aborted("a revision of this session is running; retry once it answers")
            })?;
            let ds = guard.what_if.dataset();
            Shape {
                message_bytes: prost::Message::encoded_len(&body),
                sources: ds.supplies.len(),
                sinks: ds.demands.len(),
                ..Shape::default()
            }
        };
        self.lanes
            .run_session("Revise", shape, move |cancel| {
                let mut guard = held.try_lock().map_err(|_| {
                    Status::aborted("a revision of this session is running; retry once it answers")
                })?;
                let held = &mut *guard;
                let changes = convert::changes(&held.problem, &body.changes)?;
                let time_limit = body
                    .time_limit_s
                    .map(optimizer::check_time_limit)
                    .transpose()
                    .map_err(|e| violation("time_limit_s", &e))?;
                let request = optimizer::SolveRequest {
                    time_limit,
                    deadline,
                    ..optimizer::SolveRequest::default()
                };
                let solver = options(request, started, cancel).solver;
                let outcome = held.what_if.revise(&changes, solver);
                // Changes that passed their checks are in the session's dataset even when
                // the solve then failed, so the listings they added are named from now on.
                if !matches!(outcome, Err(optimizer::Error::Invalid(_))) {
                    convert::record_added(&mut held.problem, &body.changes);
                }
                let revised = outcome.map_err(to_status)?;
                let diff = convert::plan_diff(&revised.changes, revised.start, revised.seconds);
                held.revisions += 1;
                tracing::info!(
                    session = %body.session_id,
                    revision = held.revisions,
                    changes = changes.len(),
                    start = diff.start,
                    seconds = diff.seconds,
                    "session revised"
                );
                let mut answer = plan(held);
                answer.session_id = body.session_id;
                answer.diff = Some(diff);
                Ok(answer)
            })
            .await
    }

    pub(super) fn close(
        &self,
        request: Request<pb::CloseSessionRequest>,
    ) -> Result<pb::CloseSessionResponse, Status> {
        let owner = super::auth::bearer(request.metadata());
        let held = self
            .sessions
            .remove(&request.get_ref().session_id, owner.as_deref())?;
        let revisions = held.try_lock().map_or(0, |h| h.revisions);
        Ok(pb::CloseSessionResponse { revisions })
    }
}
