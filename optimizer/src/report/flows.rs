//! The two rules every list of flows in a report follows: what counts as a flow at all, and
//! the order flows are listed in.

use super::schema::Flow;
use crate::lp::LinearProgram;
use crate::network::ArcIdx;
use crate::solve::CostMargin;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Values below this many tonnes are solver noise, not flows.
pub const FLOW_EPSILON_T: f64 = 1e-6;

/// Largest flows first, the order reports list them in.
fn larger_first(a: f64, b: f64) -> Ordering {
    b.total_cmp(&a)
}

/// Largest flows first, the order reports list them in.
pub fn sort_flows(flows: &mut [Flow]) {
    use rayon::slice::ParallelSliceMut;
    // Stable, so equal flows keep arc order and reports are the same run to run.
    flows.par_sort_by(|a, b| larger_first(a.tonnes_sent, b.tonnes_sent));
}

/// The arcs a report lists as flows under the primal solution `x`, in arc order.
pub fn flow_arcs(lp: &LinearProgram, x: &[f64]) -> Vec<ArcIdx> {
    lp.layout
        .flows()
        .filter(|&(_, col)| x[col.get()] > FLOW_EPSILON_T)
        .map(|(a, _)| a)
        .collect()
}

/// The same arcs in the order [`sort_flows`] gives their flows built in arc order (ties in
/// arc order), so a report can build its flows straight in that order. Sorting the built
/// flows instead took a buffer as large as them (heaptrack, the uniform 300k instance: 141
/// MB of flows).
pub(crate) fn flow_arcs_in_report_order(lp: &LinearProgram, x: &[f64]) -> Vec<ArcIdx> {
    use rayon::slice::ParallelSliceMut;
    let mut arcs = flow_arcs(lp, x);
    let tonnes = |a: ArcIdx| x[lp.layout.flow(a).get()];
    arcs.par_sort_unstable_by(|&a, &b| larger_first(tonnes(a), tonnes(b)).then(a.cmp(&b)));
    arcs
}

/// The cost margin of each flow's arc, when cost ranging was asked for.
pub type FlowMargins = HashMap<ArcIdx, CostMargin>;
