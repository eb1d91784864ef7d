//! Cost parts and KPIs against the baseline (every demand imported, every supply disposed
//! of). Costs come from [`crate::lp::costs`], so the parts add up to the LP's objective.

use super::schema::{CostParts, Kpis};
use crate::lp::costs::{self, UnitCost};
use crate::model::domain::Dataset;

impl CostParts {
    /// Completes the totals: emissions summed, priced at the dataset's CO2 price, and every
    /// money part added up.
    pub(crate) fn finish(&mut self, co2_price_per_kg: f64) {
        let e = &mut self.emissions_kg;
        e.total = e.transport + e.import + e.disposal + e.process;
        self.co2 = co2_price_per_kg * e.total;
        self.total =
            self.transport + self.import + self.disposal + self.process + self.capex + self.co2;
    }
}

/// Which part of [`CostParts`] a column kind's cost goes to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Part {
    Transport,
    Import,
    Disposal,
    Process,
    Capex,
}

impl CostParts {
    /// Adds `units` of a column costing `cost` each to `part`.
    pub(crate) fn add(&mut self, part: Part, units: f64, cost: UnitCost) {
        let (money, co2) = match part {
            Part::Transport => (&mut self.transport, Some(&mut self.emissions_kg.transport)),
            Part::Import => (&mut self.import, Some(&mut self.emissions_kg.import)),
            Part::Disposal => (&mut self.disposal, Some(&mut self.emissions_kg.disposal)),
            Part::Process => (&mut self.process, Some(&mut self.emissions_kg.process)),
            Part::Capex => (&mut self.capex, None),
        };
        *money += units * cost.money;
        if let Some(co2) = co2 {
            *co2 += units * cost.co2_kg;
        }
    }
}

/// The baseline's cost: every demand imported, every supply disposed of.
pub(crate) fn baseline(ds: &Dataset) -> CostParts {
    let mut parts = CostParts::default();
    for d in &ds.demands {
        parts.add(Part::Import, d.quantity.0, costs::import(ds, d));
    }
    for s in &ds.supplies {
        parts.add(Part::Disposal, s.quantity.0, costs::disposal(ds, s));
    }
    parts.finish(ds.co2_price_per_kg());
    parts
}

/// Share of demand met from local secondary material, 0..1 (0 without demand).
pub fn circularity_rate(substituted_t: f64, demand_t: f64) -> f64 {
    if demand_t > 0.0 {
        substituted_t / demand_t
    } else {
        0.0
    }
}

/// The KPIs of a plan from its totals.
pub(crate) fn kpis(
    ds: &Dataset,
    imported_t: f64,
    disposed_t: f64,
    tonne_km: f64,
    plan: &CostParts,
    base: &CostParts,
) -> Kpis {
    let total_supply: f64 = ds.supplies.iter().map(|s| s.quantity.0).sum();
    let total_demand: f64 = ds.demands.iter().map(|d| d.quantity.0).sum();
    let substituted = (total_demand - imported_t).max(0.0);
    Kpis {
        total_supply_t: total_supply,
        total_demand_t: total_demand,
        diverted_from_disposal_t: total_supply - disposed_t,
        imports_substituted_t: substituted,
        tonne_km,
        co2_saved_t: (base.emissions_kg.total - plan.emissions_kg.total) / 1000.0,
        cost_saved: base.total - plan.total,
        circularity_rate: circularity_rate(substituted, total_demand),
    }
}
