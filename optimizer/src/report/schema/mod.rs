//! What a solve reports, as serialised into `result.json` and the API: status, objective and
//! its parts, flows, imports, disposals, process use, KPIs, shadow prices, targets, stats.
//! Field names are the JSON keys; units are in each field's doc. The import-substitution
//! targets have a file of their own ([`target`]).

use crate::model::ids::{MaterialId, ProcessId, SiteId};
pub use crate::solve::SolveStats;
use crate::solve::SolveStatus;
use serde::Serialize;
use std::ops::AddAssign;

mod target;
pub use target::{CapacityTarget, ServedBy, Target};

/// Everything a solve reports. `status`, `objective` and `baseline` are top-level numbers so
/// scripts can read them without digging.
#[derive(Clone, Debug, Serialize)]
pub struct SolveResult {
    /// The dataset's name.
    pub dataset: String,
    /// The currency of every cost.
    pub currency: String,
    /// How the solve ended.
    pub status: SolveStatus,
    /// Total cost of the plan (currency/yr), CO2 priced in; `None` without a solution.
    pub objective: Option<f64>,
    /// Cost of the baseline: every demand imported, every supply disposed of.
    pub baseline: f64,
    /// The baseline in words.
    pub baseline_description: &'static str,
    /// The plan's cost by kind; `None` without a solution.
    pub objective_parts: Option<CostParts>,
    /// The baseline's cost by kind.
    pub baseline_parts: CostParts,
    /// Key figures against the baseline; `None` without a solution.
    pub kpis: Option<Kpis>,
    /// Every routed stream, largest first.
    pub flows: Vec<Flow>,
    /// Demand still imported.
    pub imports: Vec<Import>,
    /// Supplies and process outputs still disposed of.
    pub disposals: Vec<Disposal>,
    /// Why each supply still disposed of and each demand still imported is not served
    /// locally, with the price gap; empty without a solution.
    pub unserved: Vec<Unserved>,
    /// How each process is used.
    pub processes: Vec<ProcessUse>,
    /// Present only for optimal solves.
    pub shadow_prices: Option<ShadowPrices>,
    /// Import-substitution targets ranked by net savings.
    pub targets: Vec<Target>,
    /// Sizes and timings.
    pub stats: SolveStats,
    /// Near-optimal alternatives, when asked for: plans within the asked share of the
    /// optimum's cost that differ from it and from each other as much as possible.
    pub alternatives: Vec<Alternative>,
}

/// A near-optimal alternative to the optimum.
#[derive(Clone, Debug, Serialize)]
pub struct Alternative {
    /// 1 for the first found (the most different from the optimum), then in order.
    pub rank: usize,
    /// How its solve ended.
    pub status: SolveStatus,
    /// Its total cost, currency/yr, CO2 priced in.
    pub objective: Option<f64>,
    /// How much dearer than the optimum, a share of the optimum's cost (0.03 = 3 %).
    pub over_optimum: Option<f64>,
    /// The share of tonnes it sends on the same pairs as the optimum (1 = the same plan).
    pub shared_with_optimum: f64,
    /// Distinct pairs of sites its flows link.
    pub partners: usize,
    /// Its cost by kind.
    pub objective_parts: Option<CostParts>,
    /// Its key figures against the baseline.
    pub kpis: Option<Kpis>,
    /// Its flows, largest first.
    pub flows: Vec<Flow>,
    /// Sizes, timings and certification of its solve (its `optimality_gap` is in tonnes on
    /// earlier plans' pairs, what the alternative minimises).
    pub stats: SolveStats,
}

/// Costs by kind (currency/yr) and emissions (kg CO2e/yr). `co2` is the priced emissions;
/// the other cost parts exclude it, so the parts add up to `total`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct CostParts {
    /// Trucking, currency/yr.
    pub transport: f64,
    /// Imports, currency/yr.
    pub import: f64,
    /// Disposal, currency/yr.
    pub disposal: f64,
    /// Process activity, currency/yr.
    pub process: f64,
    /// Annualised new capacity and the fixed cost of each opened candidate, currency/yr.
    pub capex: f64,
    /// Emissions at the CO2 price, currency/yr.
    pub co2: f64,
    /// The sum of the parts above.
    pub total: f64,
    /// Emissions by kind.
    pub emissions_kg: Emissions,
}

/// Emissions by kind, kg CO2e/yr.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Emissions {
    /// Trucking.
    pub transport: f64,
    /// Imports, delivered.
    pub import: f64,
    /// Disposal.
    pub disposal: f64,
    /// Process activity.
    pub process: f64,
    /// The sum of the parts above.
    pub total: f64,
}

/// Key figures against the baseline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Kpis {
    /// Tonnes supplied, t/yr.
    pub total_supply_t: f64,
    /// Tonnes demanded, t/yr.
    pub total_demand_t: f64,
    /// Supplied tonnes sent to recovery: to another site's demand or into a recovery process
    /// (R operations). Supplies fed to disposal processes (D operations: stabilisation,
    /// incineration without recovery status) are not diverted. The baseline diverts nothing.
    pub diverted_from_disposal_t: f64,
    /// `diverted_from_disposal_t` over `total_supply_t`, 0..1.
    pub recovery_rate: f64,
    /// Demand met locally instead of by import.
    pub imports_substituted_t: f64,
    /// Tonne-km trucked, tkm/yr.
    pub tonne_km: f64,
    /// Baseline emissions minus the plan's, t CO2e/yr.
    pub co2_saved_t: f64,
    /// Baseline cost minus the plan's, currency/yr.
    pub cost_saved: f64,
    /// Share of demand met by local secondary material (waste, by-products, recyclates)
    /// instead of imports, 0..1. Not the Eurostat circular material use rate, which divides
    /// recycled material by an economy's whole material use.
    pub secondary_input_rate: f64,
}

/// One routed stream.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    /// The sending site.
    pub from_site: SiteId,
    /// Its name.
    pub from_name: String,
    /// Set when the flow leaves a process output.
    pub from_process: Option<ProcessId>,
    /// The receiving site.
    pub to_site: SiteId,
    /// Its name.
    pub to_name: String,
    /// Set when the flow feeds a process input.
    pub to_process: Option<ProcessId>,
    /// The material leaving the sender.
    pub material_sent: MaterialId,
    /// The material it serves at the receiver (differs under a substitution).
    pub material_served: MaterialId,
    /// Tonnes sent, t/yr.
    pub tonnes_sent: f64,
    /// Tonnes served (sent times the substitution ratio), t/yr.
    pub tonnes_served: f64,
    /// Road km.
    pub km: f64,
    /// Transport cost, currency/yr (excluding priced CO2).
    pub cost: f64,
    /// Transport emissions, kg CO2e/yr.
    pub co2_kg: f64,
    /// Sender longitude (WGS84).
    pub from_lon: f64,
    /// Sender latitude.
    pub from_lat: f64,
    /// Receiver longitude.
    pub to_lon: f64,
    /// Receiver latitude.
    pub to_lat: f64,
    /// With cost ranging: how much dearer per tonne sent the haul could get before the
    /// optimum moves tonnes off this flow, currency/t. Absent when no other way to place
    /// the tonne was found (a process's activity would have to change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_margin: Option<f64>,
    /// With cost ranging: whether `cost_margin` is exact; else an upper bound (processes or
    /// substitution ratios take part): raising the haul by more moves tonnes off the flow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_margin_exact: Option<bool>,
}

/// Demand still imported.
#[derive(Clone, Debug, Serialize)]
pub struct Import {
    /// Where.
    pub site: SiteId,
    /// What.
    pub material: MaterialId,
    /// The demand, t/yr.
    pub demand_t: f64,
    /// Of it imported, t/yr.
    pub imported_t: f64,
    /// Import cost, currency/yr (CO2 excluded).
    pub cost: f64,
    /// Import emissions, kg CO2e/yr.
    pub co2_kg: f64,
}

/// Supply (or process output) still disposed of.
#[derive(Clone, Debug, Serialize)]
pub struct Disposal {
    /// Where.
    pub site: SiteId,
    /// What.
    pub material: MaterialId,
    /// The process whose output it is, if any.
    pub process: Option<ProcessId>,
    /// Tonnes disposed of, t/yr.
    pub disposed_t: f64,
    /// Disposal cost, currency/yr (CO2 excluded).
    pub cost: f64,
    /// Disposal emissions, kg CO2e/yr.
    pub co2_kg: f64,
}

/// Which side of the plan a stream is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnservedKind {
    /// A supply still (partly) disposed of.
    Supply,
    /// A demand still (partly) imported.
    Demand,
}

/// Why (part of) a stream or listing found no partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// No compatible counterpart within haul range.
    NoCounterpartInRange,
    /// The counterparts in range are full: serving this stream means taking tonnes from
    /// the streams they serve today.
    Capacity,
    /// A counterpart in range has tonnes to spare, but import or disposal was cheaper.
    Outbid,
}

/// A stream the plan leaves (partly) unserved, why, and what would change it.
#[derive(Clone, Debug, Serialize)]
pub struct Unserved {
    /// Supply or demand.
    pub kind: UnservedKind,
    /// Where.
    pub site: SiteId,
    /// What.
    pub material: MaterialId,
    /// Tonnes still disposed of (imported), t/yr.
    pub tonnes: f64,
    /// Why: no compatible counterpart in range, counterparts full (capacity), or import or
    /// disposal cheaper (outbid).
    pub reason: UnmatchedReason,
    /// How much the stream's own price (a demand's import price, a supply's disposal cost)
    /// must rise, currency/t, before one more tonne is served locally; `None` when nothing
    /// compatible is in range.
    pub price_gap: Option<f64>,
    /// Whether `price_gap` is exact; where processes take part it is an upper bound (a
    /// route through a process's activity is not searched).
    pub price_gap_exact: bool,
    /// The site of the best counterpart in range (the nearest compatible one when none is
    /// in range); `None` when it is a process.
    pub counterpart: Option<SiteId>,
    /// Road km to that counterpart.
    pub km: Option<f64>,
}

/// How a process is used.
#[derive(Clone, Debug, Serialize)]
pub struct ProcessUse {
    /// The process.
    pub id: ProcessId,
    /// Its site.
    pub site: SiteId,
    /// Units of activity per year.
    pub activity: f64,
    /// Existing capacity, units/yr.
    pub capacity: f64,
    /// Capacity the LP added at a candidate process (units/yr).
    pub new_capacity: f64,
    /// For a candidate whose opening is a decision (a fixed cost, a smallest size or a limit
    /// on openings): whether the plan opens it; unset for any other process.
    pub opened: Option<bool>,
    /// The fixed cost the plan pays for opening it, currency/yr (0 unless opened).
    pub fixed_cost: f64,
    /// With `value_openings`: the optimum with this candidate forced open, currency/yr.
    pub objective_if_open: Option<f64>,
    /// With `value_openings`: the optimum with it forced closed. Closed minus open is what
    /// opening it is worth to the region.
    pub objective_if_closed: Option<f64>,
}

/// Marginal cost of one more tonne of each stream: the balance row's dual. For a supply,
/// a negative value means one more tonne would lower the region's cost (it is worth that
/// much); for a demand it is what meeting one more tonne would cost.
#[derive(Clone, Debug, Serialize)]
pub struct ShadowPrices {
    /// One per supply, in dataset order.
    pub supplies: Vec<StreamPrice>,
    /// One per demand, in dataset order.
    pub demands: Vec<StreamPrice>,
}

/// The shadow price of one stream.
#[derive(Clone, Debug, Serialize)]
pub struct StreamPrice {
    /// Where.
    pub site: SiteId,
    /// What.
    pub material: MaterialId,
    /// The stream's quantity, t/yr.
    pub quantity_t: f64,
    /// Currency per tonne.
    pub marginal_cost: f64,
}

impl AddAssign<&Emissions> for Emissions {
    fn add_assign(&mut self, b: &Emissions) {
        let Emissions {
            transport,
            import,
            disposal,
            process,
            total,
        } = b;
        self.transport += transport;
        self.import += import;
        self.disposal += disposal;
        self.process += process;
        self.total += total;
    }
}

impl AddAssign<&CostParts> for CostParts {
    fn add_assign(&mut self, b: &CostParts) {
        let CostParts {
            transport,
            import,
            disposal,
            process,
            capex,
            co2,
            total,
            emissions_kg,
        } = b;
        self.transport += transport;
        self.import += import;
        self.disposal += disposal;
        self.process += process;
        self.capex += capex;
        self.co2 += co2;
        self.total += total;
        self.emissions_kg += emissions_kg;
    }
}

/// Adds every tonnage and money figure; the rates are left for the caller to recompute
/// from the sums ([`Kpis::finish_rates`]).
impl AddAssign<&Kpis> for Kpis {
    fn add_assign(&mut self, b: &Kpis) {
        let Kpis {
            total_supply_t,
            total_demand_t,
            diverted_from_disposal_t,
            imports_substituted_t,
            tonne_km,
            co2_saved_t,
            cost_saved,
            recovery_rate: _,
            secondary_input_rate: _,
        } = b;
        self.total_supply_t += total_supply_t;
        self.total_demand_t += total_demand_t;
        self.diverted_from_disposal_t += diverted_from_disposal_t;
        self.imports_substituted_t += imports_substituted_t;
        self.tonne_km += tonne_km;
        self.co2_saved_t += co2_saved_t;
        self.cost_saved += cost_saved;
    }
}
