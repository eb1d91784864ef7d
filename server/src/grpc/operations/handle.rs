//! The job's side of an operation: what a running solve reports into the store (its state,
//! each pricing round, each region done) and how it ends (its answer, its error, or
//! CANCELLED), with the answer counted against the store's byte bound.

use super::{OperationLimits, Store, make_room};
use crate::grpc::lock;
use crate::grpc::pb;
use crate::grpc::pb::google::longrunning as lro;
use optimizer::ProgressEvent;
use prost::Message;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};
use tonic::Status;

/// One running operation's side of the store: what its job reports.
#[derive(Debug, Clone)]
pub struct Handle {
    pub(super) store: Arc<Mutex<Store>>,
    pub(super) name: String,
    /// The store's bounds, which an answer is held to.
    pub(super) limits: OperationLimits,
}

impl Handle {
    /// The operation's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn update(&self, change: impl FnOnce(&mut pb::OperationProgress)) {
        let mut store = lock(&self.store);
        if let Some(e) = store.held.get_mut(&self.name) {
            change(&mut e.progress);
            e.progress.update_time = Some(SystemTime::now().into());
        }
    }

    /// The job has its slot.
    pub fn running(&self) {
        self.update(|p| p.state = pb::OperationState::Running as i32);
    }

    /// What the solve reports: the pricing round, the part's cost and how far from
    /// certified.
    pub fn solver(&self, event: ProgressEvent) {
        if let ProgressEvent::Priced {
            round,
            objective,
            most_negative_reduced_cost,
            ..
        } = event
        {
            self.update(|p| {
                p.pricing_round = round as u32;
                p.best_objective = objective.or(p.best_objective);
                p.most_negative_reduced_cost = Some(most_negative_reduced_cost);
            });
        }
    }

    /// One more region solved; `objective` is what all solved so far sum to.
    pub fn region_done(&self, objective: Option<f64>) {
        self.update(|p| {
            p.regions_done += 1;
            p.pricing_round = 0;
            p.best_objective = objective;
            p.most_negative_reduced_cost = None;
        });
    }

    /// Ends the operation with its answer (packed) or error; `cancelled` turns either into
    /// CANCELLED, as AIP-151 asks. An answer larger than the byte limit leaves room for
    /// nothing else, so it is replaced by RESOURCE_EXHAUSTED naming the limit.
    pub fn finish(
        &self,
        answer: Result<prost_types::Any, Status>,
        objective: Option<f64>,
        cancelled: bool,
    ) {
        let limits = &self.limits;
        let (result, state) = match answer {
            _ if cancelled => (
                Err(Status::cancelled("the operation was cancelled")),
                pb::OperationState::Cancelled,
            ),
            Ok(any) if any.value.len() as u64 > limits.max_bytes => (
                Err(Status::resource_exhausted(format!(
                    "the answer is {} MB, above the server's limit for kept answers of {} MB \
                     (--max-operation-mb); MatchBatchStream sends one this large in chunks",
                    (any.value.len() as u64).div_ceil(1_000_000),
                    limits.max_bytes / 1_000_000
                ))),
                pb::OperationState::Failed,
            ),
            Ok(any) => (Ok(any), pb::OperationState::Succeeded),
            Err(status) if status.code() == tonic::Code::Cancelled => {
                (Err(status), pb::OperationState::Cancelled)
            }
            Err(status) => (Err(status), pb::OperationState::Failed),
        };
        let result = match result {
            Ok(any) => lro::operation::Result::Response(any),
            Err(status) => lro::operation::Result::Error(rpc_status(&status)),
        };
        let bytes = match &result {
            lro::operation::Result::Response(any) => any.value.len() as u64,
            lro::operation::Result::Error(s) => s.encoded_len() as u64,
        };
        let mut store = lock(&self.store);
        // Room for the answer: finished operations go, oldest first (this one is not yet
        // finished, so it stays).
        let held = store.held.get(&self.name).map_or(0, |e| e.bytes);
        let _ = make_room(
            &mut store,
            &OperationLimits {
                max_operations: usize::MAX,
                ..*limits
            },
            bytes.saturating_sub(held),
        );
        let Store {
            held: ops,
            bytes: total,
            ..
        } = &mut *store;
        let Some(e) = ops.get_mut(&self.name) else {
            return; // deleted while it ran
        };
        *total = *total - e.bytes + bytes;
        e.bytes = bytes;
        let now = SystemTime::now();
        e.progress.state = state as i32;
        e.progress.update_time = Some(now.into());
        e.progress.end_time = Some(now.into());
        if state == pb::OperationState::Succeeded {
            e.progress.best_objective = objective;
            e.progress.most_negative_reduced_cost = None;
        }
        e.result = Some(result);
        e.ended = Some(Instant::now());
        e.done.send_replace(true);
        tracing::info!(operation = %self.name, state = ?state, "operation done");
    }
}

/// A tonic status as the `google.rpc.Status` an operation's error carries (its details,
/// such as BadRequest field violations, kept).
fn rpc_status(status: &Status) -> pb::google::rpc::Status {
    let details = pb::google::rpc::Status::decode(status.details())
        .map(|s| s.details)
        .unwrap_or_default();
    pb::google::rpc::Status {
        code: status.code() as i32,
        message: status.message().to_string(),
        details,
    }
}
