//! An import-substitution target in `result.json` and the API: what the plan does about one
//! imported material, what serves its demand, and the new capacity the LP sized for it.

use crate::model::ids::{MaterialId, ProcessId, SiteId};
use serde::Serialize;

/// An import-substitution target: what the plan does about one imported material.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    /// 1 = the largest net savings.
    pub rank: usize,
    /// The imported material.
    pub material: MaterialId,
    /// Demand for it, t/yr.
    pub demand_t: f64,
    /// Of it still imported, t/yr.
    pub imported_t: f64,
    /// Of it met locally, t/yr.
    pub substituted_t: f64,
    /// Tonnes sent, by material, that serve this demand locally.
    pub served_by: Vec<ServedBy>,
    /// Candidate processes the LP sized whose outputs serve this material.
    pub new_capacity: Vec<CapacityTarget>,
    /// Tonnes met locally times their demands' import cost (CO2 priced in).
    pub import_cost_avoided: f64,
    /// Transport (CO2 priced in) of the flows serving this demand.
    pub delivery_cost: f64,
    /// Share of process and new-capacity cost of the processes serving this demand,
    /// apportioned by their output tonnes.
    pub process_cost: f64,
    /// Import cost avoided less delivery and process cost, currency/yr.
    pub net_savings: f64,
    /// The least rise of this material's import price, currency/t, at which one more tonne
    /// of it would be met locally (the least `price_gap` of its unserved demands); `None`
    /// when nothing is imported or nothing compatible is in range.
    pub price_gap: Option<f64>,
}

/// Tonnes of one material sent to serve a target's demand.
#[derive(Clone, Debug, Serialize)]
pub struct ServedBy {
    /// The material sent.
    pub material: MaterialId,
    /// Tonnes sent, t/yr.
    pub tonnes_sent: f64,
}

/// New capacity the LP sized at a candidate process.
#[derive(Clone, Debug, Serialize)]
pub struct CapacityTarget {
    /// The process.
    pub process: ProcessId,
    /// Its site.
    pub site: SiteId,
    /// The site's name (the facility).
    pub site_name: String,
    /// Site longitude.
    pub lon: f64,
    /// Site latitude.
    pub lat: f64,
    /// New capacity, units of activity per year (the unit of the process's `capacity`).
    pub new_capacity: f64,
    /// Annualised cost of it, currency/yr.
    pub capex: f64,
    /// The annualised cost of opening the candidate, currency/yr (0 without one).
    pub fixed_cost: f64,
}
