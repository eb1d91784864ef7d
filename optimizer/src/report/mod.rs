//! Turns an LP solution into what a planner reads ([`schema`]): flows between named sites,
//! imports and disposals, costs split by kind, KPIs against the do-nothing baseline
//! ([`kpis`]), shadow prices and ranked import-substitution targets ([`targets`]), the
//! reasons exchange listings went unmatched ([`unmatched`](mod@unmatched)), and the result files ([`write`](mod@write)).

mod assemble;
pub mod html;
pub mod kpis;
mod merge;
mod plan;
pub mod schema;
pub mod targets;
pub mod unmatched;
pub mod write;

pub(crate) use assemble::assemble;
pub use kpis::{BASELINE, KPI_DEFINITIONS, KpiDefinition};
pub use merge::merge;
pub use schema::*;
pub use targets::rank_targets;
pub use unmatched::{Unmatched, UnmatchedReason, unmatched};
pub use write::{RESULT_FILES, write_all};

/// Values below this many tonnes are solver noise, not flows.
pub const FLOW_EPSILON_T: f64 = 1e-6;

/// Largest flows first, the order reports list them in.
pub fn sort_flows(flows: &mut [Flow]) {
    use rayon::slice::ParallelSliceMut;
    // Stable, so equal flows keep arc order and reports are the same run to run.
    flows.par_sort_by(|a, b| b.tonnes_sent.total_cmp(&a.tonnes_sent));
}
