//! Turns an LP solution into what a planner reads ([`schema`]): flows between named sites,
//! imports and disposals, costs split by kind, KPIs against the do-nothing baseline
//! ([`kpis`]), shadow prices and ranked import-substitution targets ([`targets`]), the
//! why streams are not served locally and by how much their price would have to change
//! ([`unserved`](mod@unserved)), near-optimal alternatives against the optimum
//! ([`alternatives`](mod@alternatives)), and the result
//! files ([`write`](mod@write)), the flows as GeoParquet ([`parquet`](mod@parquet)) and the plan in Valueflows among them ([`valueflows`]). What counts as a flow and the order flows are listed in
//! are one rule each, in `flows`. The HTML page is the application's (it reads
//! [`SolveResult`]).

pub mod alternatives;
mod assemble;
pub mod columns;
mod flows;
pub mod kpis;
pub mod parquet;
mod plan;
pub mod schema;
pub mod targets;
pub mod unserved;
pub mod valueflows;
pub mod write;

pub(crate) use assemble::assemble;
pub use flows::{FLOW_EPSILON_T, FlowMargins, flow_arcs, sort_flows};
pub use kpis::{BASELINE, KPI_DEFINITIONS, KpiDefinition};
pub use schema::*;
pub use targets::rank_targets;
pub(crate) use unserved::unserved;
pub use unserved::{Unmatched, unmatched};
pub use write::{
    Formats, GEOJSON_DEFAULT_MAX_FLOWS, RESULT_FILES, write_all, write_formats, write_plan_files,
};
