//! One cost rule per kind of LP column: what one unit of it costs in money (the dataset's
//! currency, CO2 excluded) and in kg CO2e. The LP builder, pricing and the report all call
//! these, so the objective, the reduced costs and the reported cost parts agree by
//! construction. Priced CO2 enters the objective through [`UnitCost::objective`] alone.

use crate::model::domain::{Dataset, Process, Stream};
use crate::model::ids::{MaterialIdx, SiteIdx};
use crate::network::{ArcIdx, Network};

/// What one unit of a column costs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UnitCost {
    /// Currency per unit, CO2 excluded.
    pub money: f64,
    /// kg CO2e per unit.
    pub co2_kg: f64,
}

impl UnitCost {
    /// The objective coefficient: money plus emissions at the dataset's CO2 price.
    #[inline]
    pub fn objective(self, ds: &Dataset) -> f64 {
        self.money + ds.co2_price_per_kg() * self.co2_kg
    }
}

/// One tonne-km of material `sent` on the road: its own transport cost and CO2 per tkm, or
/// the dataset's defaults. A flow column costs this times its arc's km per tonne sent.
pub fn haul_per_tkm(ds: &Dataset, sent: MaterialIdx) -> UnitCost {
    let m = ds.material(sent);
    UnitCost {
        money: m
            .transport_cost_per_tkm
            .unwrap_or(ds.transport.cost_per_tkm),
        co2_kg: m
            .transport_co2_kg_per_tkm
            .unwrap_or(ds.transport.co2_kg_per_tkm),
    }
}

/// One tonne sent from site `from` to site `to` across a border: the border's cost per
/// tonne, on top of the haul ([`haul_per_tkm`] times km); nothing within a region.
pub fn border(ds: &Dataset, from: SiteIdx, to: SiteIdx) -> UnitCost {
    match ds.border {
        Some(b) if ds.crosses_border(from, to) => UnitCost {
            money: b.cost_per_t,
            co2_kg: 0.0,
        },
        _ => UnitCost::default(),
    }
}

/// One tonne sent along an arc of `km` road km from `from` to `to`: the haul plus any
/// border cost. A flow column costs this per tonne sent.
pub fn flow(ds: &Dataset, sent: MaterialIdx, from: SiteIdx, to: SiteIdx, km: f64) -> UnitCost {
    let haul = haul_per_tkm(ds, sent);
    let border = border(ds, from, to);
    UnitCost {
        money: haul.money * km + border.money,
        co2_kg: haul.co2_kg * km + border.co2_kg,
    }
}

/// One tonne sent along arc `a` of `net` ([`flow`] with the arc's ends and km).
pub fn arc(ds: &Dataset, net: &Network, a: ArcIdx) -> UnitCost {
    let source = net.source(net.arcs.source(a));
    let sink = net.sink(net.arcs.sink(a));
    flow(ds, source.material, source.site, sink.site, net.arcs.km(a))
}

/// One tonne of a demand imported: the demand's own price (an exchange request's value per
/// tonne), else its material's import cost; the material's import emissions.
pub fn import(ds: &Dataset, demand: &Stream) -> UnitCost {
    let m = ds.material(demand.material);
    UnitCost {
        money: demand.unit_cost.unwrap_or(m.import_cost),
        co2_kg: m.import_co2_kg,
    }
}

/// One tonne of a supply disposed of: the supply's own price (an exchange offer's avoided
/// disposal cost), else its material's disposal cost; the material's disposal emissions.
pub fn disposal(ds: &Dataset, supply: &Stream) -> UnitCost {
    let m = ds.material(supply.material);
    UnitCost {
        money: supply.unit_cost.unwrap_or(m.disposal_cost),
        co2_kg: m.disposal_co2_kg,
    }
}

/// One tonne of a process output disposed of, at its material's disposal cost.
pub fn output_disposal(ds: &Dataset, material: MaterialIdx) -> UnitCost {
    let m = ds.material(material);
    UnitCost {
        money: m.disposal_cost,
        co2_kg: m.disposal_co2_kg,
    }
}

/// One unit of a process's activity.
pub fn activity(process: &Process) -> UnitCost {
    UnitCost {
        money: process.cost_per_unit,
        co2_kg: process.co2_kg_per_unit,
    }
}

/// One unit/yr of new capacity at a candidate process (annualised; no emissions counted).
pub fn new_capacity(process: &Process) -> UnitCost {
    UnitCost {
        money: process.candidate_capex.unwrap_or(0.0),
        co2_kg: 0.0,
    }
}

/// Opening a decided candidate: its annualised `fixed_cost` (no emissions counted).
pub fn opening(process: &Process) -> UnitCost {
    UnitCost {
        money: process.fixed_cost,
        co2_kg: 0.0,
    }
}
