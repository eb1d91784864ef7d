//! The two rules every list of flows in a report follows: what counts as a flow at all, and
//! the order flows are listed in.

use super::schema::Flow;
use crate::lp::LinearProgram;
use crate::network::ArcIdx;
use crate::solve::CostMargin;
use std::collections::HashMap;

/// Values below this many tonnes are solver noise, not flows.
pub const FLOW_EPSILON_T: f64 = 1e-6;

/// Largest flows first, the order reports list them in.
pub fn sort_flows(flows: &mut [Flow]) {
    use rayon::slice::ParallelSliceMut;
    // Stable, so equal flows keep arc order and reports are the same run to run.
    flows.par_sort_by(|a, b| b.tonnes_sent.total_cmp(&a.tonnes_sent));
}

/// The arcs a report lists as flows under the primal solution `x`, in arc order.
pub fn flow_arcs(lp: &LinearProgram, x: &[f64]) -> Vec<ArcIdx> {
    lp.layout
        .flows()
        .filter(|&(_, col)| x[col.get()] > FLOW_EPSILON_T)
        .map(|(a, _)| a)
        .collect()
}

/// The cost margin of each flow's arc, when cost ranging was asked for.
pub type FlowMargins = HashMap<ArcIdx, CostMargin>;
