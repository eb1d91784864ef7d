//! circulate's optimizer: the domain model of a region's material streams, its validation,
//! the spatial candidate network, the LP of closed-loop routings and import substitution,
//! and the results a planner reads. Free of any transport (gRPC) code; the `circulate`
//! binary wraps it.
//!
//! The folders are the pipeline, each layer importing only the ones below it:
//!
//! | layer | owns |
//! | --- | --- |
//! | [`model`] | typed ids, indices and units; the validated [`Dataset`]; errors |
//! | [`input`] | the dataset schema as data, reading, validating and writing folders, importers |
//! | [`generate`] | seeded synthetic regions and benchmark instances |
//! | `network` | the spatial index, sources and sinks, candidate arcs |
//! | [`lp`] | the LP's layout (typed columns and rows), one cost rule per column kind, building, LP files |
//! | `solve` | the solve request and options, the model, the run loop, the backends (HiGHS, the two network engines), pricing |
//! | [`report`] | what a solve reports: schema, assembly, KPIs, targets, merging parts, why streams are not served (price gaps), result files (the HTML page is the application's) |
//! | `pipeline` | a solve end to end: decompose into independent parts, solve each, assemble and merge the reports |
//! | [`regions`] | statistical areas (NUTS) and a dataset split into one dataset per area |
//!
//! ```no_run
//! let dataset = optimizer::input::load(std::path::Path::new("datasets/example")).unwrap();
//! let result = optimizer::solve(&dataset, &optimizer::SolveOptions::default()).unwrap();
//! println!("{} {:?}", result.status.as_str(), result.objective);
//! ```

#![warn(missing_docs)]

pub mod generate;
pub mod input;
pub mod lp;
pub mod model;
mod network;
mod pipeline;
pub mod regions;
pub mod report;
mod solve;

pub use model::domain::{
    Border, Dataset, DatasetMeta, Material, Process, Route, RouteKind, Site, Stream, Substitution,
    Transport,
};
pub use model::error::{
    Error, FieldError, FieldErrors, KEPT_PROBLEMS, LISTED_ON_CLI, LISTED_OVER_API, Location,
    SHOWN_CHARS, shorten,
};
pub use model::ids::{
    DemandIdx, Km, MaterialId, MaterialIdx, ProcessId, ProcessIdx, SiteId, SiteIdx, SupplyIdx,
    Tonnes,
};
pub use network::spatial::great_circle_km;
pub use network::{
    ArcIdx, Arcs, CandidateOptions, DEFAULT_K, Network, Node, SinkIdx, SinkKind, SourceIdx,
    SourceKind,
};
pub use pipeline::revision::{self, Change, PlanChanges, StreamKind};
pub use pipeline::{
    Revised, Solved, WhatIf, decompose, solve, solve_keeping_model, solve_monolithic,
};
pub use report::SolveResult;
pub use solve::flow;
pub use solve::{
    Algorithm, Alternatives, CancelToken, CostMargin, DEADLINE_SHARE, DEFAULT_WITHIN, LpSolution,
    MOST_ALTERNATIVES, Model, PRICING_PER_SOURCE, Progress, ProgressEvent, RELATIVE_GAP,
    SolveOptions, SolveRequest, SolveStats, SolveStatus, SolverOptions, build_model,
    check_alternatives, check_mip_gap, check_time_limit, check_within, cost_margins,
};
