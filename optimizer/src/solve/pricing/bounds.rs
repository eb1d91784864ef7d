//! The caps behind pricing's Lagrangian bound: the most each source can send and each sink
//! can take (fixed for existing capacity, unbounded where the LP may add some).

use crate::model::domain::Dataset;
use crate::network::{Node, SinkKind, SourceKind};

/// Tonnes a process moves through one of its flows at full capacity (`coefficient` t per
/// unit), or `None` when new capacity may be added.
fn fixed_capacity(p: &crate::model::domain::Process, coefficient: f64) -> Option<f64> {
    p.candidate_capex
        .is_none()
        .then_some(p.capacity * coefficient)
}

/// The most a sink can take in total, in tonnes served: a demand's quantity, a process
/// input's capacity times its coefficient; `None` for a process that may be given new
/// capacity.
pub(super) fn most_taken(ds: &Dataset, sink: &Node<SinkKind>) -> Option<f64> {
    match sink.kind {
        SinkKind::Demand(i) => Some(ds.demands[i.get()].quantity.0),
        SinkKind::ProcessInput { process, input } => {
            let p = &ds.processes[process.get()];
            fixed_capacity(p, p.inputs[input as usize].1)
        }
    }
}

/// The most a source can send in total: a supply's quantity, a process output's capacity
/// times its coefficient; `None` for a process that may be given new capacity.
pub(super) fn most_sent(ds: &Dataset, source: &Node<SourceKind>) -> Option<f64> {
    match source.kind {
        SourceKind::Supply(i) => Some(ds.supplies[i.get()].quantity.0),
        SourceKind::ProcessOutput { process, output } => {
            let p = &ds.processes[process.get()];
            fixed_capacity(p, p.outputs[output as usize].1)
        }
    }
}
