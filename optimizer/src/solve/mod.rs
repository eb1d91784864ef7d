//! The solve layer: what a caller asks for ([`options`]), the model of a dataset
//! ([`model`]), the run loop ([`run`]) over one backend ([`backend`]: HiGHS, the
//! min-cost-flow path of [`flow`] or the generalised network simplex), started for parts
//! with processes from their transport problem ([`transport_start`]), and pricing, the
//! certificate that the optimum over the pruned arcs is the optimum over every pair in range
//! ([`pricing`]). Backends share one status and solution ([`status`]); what a solve measured
//! is in [`stats`]; units are normalised in [`scale`]; a watcher follows a long solve
//! ([`progress`]); [`cancel`] stops one; [`alternatives`] finds near-optimal plans that
//! differ from the optimum.
//!
//! This file only names the rooms and what leaves the layer.

mod alternatives;
mod backend;
mod cancel;
mod decisions;
pub mod flow;
mod generalised;
mod highs;
mod model;
mod options;
mod pricing;
pub mod progress;
mod run;
mod scale;
mod stats;
mod status;
mod transport_start;

#[cfg(test)]
mod tests;

pub use alternatives::{
    AlternativeSolve, Alternatives, DEFAULT_WITHIN, MOST_ALTERNATIVES, alternatives,
    check_alternatives, check_within,
};
pub(crate) use backend::Session as Backend;
pub use cancel::CancelToken;
pub(crate) use decisions::opening_values;
pub use model::{Model, build_model};
pub use options::{
    Algorithm, DEADLINE_SHARE, SolveOptions, SolveRequest, SolverOptions, check_mip_gap,
    check_time_limit,
};
pub use pricing::{
    CostMargin, LocalRoute, PRICING_PER_SOURCE, UnservedStream, cost_margins, local_routes,
};
pub use progress::{Progress, ProgressEvent};
pub use run::run_model;
pub(crate) use run::{KeptRun, rerun, rerun_extended, run_keeping_backend};
pub use scale::RELATIVE_GAP;
pub use stats::SolveStats;
pub use status::{LpSolution, SolveStatus};
