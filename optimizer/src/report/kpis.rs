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

/// The baseline every saving is measured against, in words (summary, `result.json`, report).
pub const BASELINE: &str = "Baseline: nothing is exchanged within the region. Every demand is \
imported at its material's import cost and every supply is disposed of at its disposal cost; \
no process runs and nothing is trucked between the region's sites.";

/// What a KPI means, for readers who did not write the model.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct KpiDefinition {
    /// The field in `kpis`.
    pub key: &'static str,
    /// A short label.
    pub label: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// What it is, in one sentence.
    pub definition: &'static str,
    /// What it rests on.
    pub assumption: &'static str,
}

/// Every KPI a report shows, in the order it shows them.
pub const KPI_DEFINITIONS: &[KpiDefinition] = &[
    KpiDefinition {
        key: "cost_saved",
        label: "Cost saved",
        unit: "currency/yr",
        definition: "Baseline cost minus the plan's cost: transport, imports, disposal, process \
            operation, annualised new capacity and emissions at the CO2 price.",
        assumption: "Import and disposal prices per material and the transport cost per \
            tonne-km of the dataset; the CO2 price of the dataset.",
    },
    KpiDefinition {
        key: "co2_saved_t",
        label: "CO2e avoided",
        unit: "t CO2e/yr",
        definition: "Baseline emissions minus the plan's: imports, disposal, trucking and \
            process operation.",
        assumption: "The emission factors per tonne imported, disposed of and per tonne-km \
            listed with the dataset; avoided primary production is credited through the \
            import factors.",
    },
    KpiDefinition {
        key: "diverted_from_disposal_t",
        label: "Diverted from disposal",
        unit: "t/yr",
        definition: "Supplied waste and by-products sent to recovery: straight to another \
            site's demand or into a recovery process (R operations). Supplies sent to \
            disposal processes (D operations such as stabilisation) do not count.",
        assumption: "Each process's route (recovery or disposal) as given in the dataset; \
            unmarked processes count as recovery.",
    },
    KpiDefinition {
        key: "recovery_rate",
        label: "Recovery rate",
        unit: "share of supply",
        definition: "Diverted from disposal over all supplied tonnes.",
        assumption: "As for diverted tonnes.",
    },
    KpiDefinition {
        key: "imports_substituted_t",
        label: "Imports substituted",
        unit: "t/yr",
        definition: "Demand met from the region's own supplies and process outputs instead \
            of imports.",
        assumption: "Substituted tonnes count at the substitution ratio (1 t of fibre \
            rejects may serve 0.9 t of wood residue).",
    },
    KpiDefinition {
        key: "secondary_input_rate",
        label: "Secondary input rate",
        unit: "share of demand",
        definition: "Imports substituted over all demanded tonnes: the share of the region's \
            input needs met by local secondary material. It is not the Eurostat circular \
            material use rate, which divides recycled material by an economy's whole \
            material use.",
        assumption: "Only the demands listed in the dataset count.",
    },
    KpiDefinition {
        key: "tonne_km",
        label: "Trucking",
        unit: "tkm/yr",
        definition: "Tonnes times road kilometres of every flow in the plan.",
        assumption: "Road km = great-circle km times the dataset's detour factor.",
    },
];

/// The KPIs as a Markdown table (the README's, kept equal by a test).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| KPI (`kpis.` key) | unit | what it is | what it rests on |\n| --- | --- | --- | --- |\n",
    );
    for d in KPI_DEFINITIONS {
        // The definitions are wrapped in the source; one line per cell here.
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "| {} (`{}`) | {} | {} | {} |\n",
            d.label,
            d.key,
            d.unit,
            flat(d.definition),
            flat(d.assumption)
        ));
    }
    out
}

/// `part` over `whole`, 0 when the whole is empty.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

impl Kpis {
    /// Recomputes the rates from the tonnages (after adding KPIs of several parts).
    pub fn finish_rates(&mut self) {
        self.recovery_rate = share(self.diverted_from_disposal_t, self.total_supply_t);
        self.secondary_input_rate = share(self.imports_substituted_t, self.total_demand_t);
    }
}

/// The KPIs of a plan from its totals.
pub(crate) fn kpis(
    ds: &Dataset,
    imported_t: f64,
    recovered_t: f64,
    tonne_km: f64,
    plan: &CostParts,
    base: &CostParts,
) -> Kpis {
    let total_supply: f64 = ds.supplies.iter().map(|s| s.quantity.0).sum();
    let total_demand: f64 = ds.demands.iter().map(|d| d.quantity.0).sum();
    let mut kpis = Kpis {
        total_supply_t: total_supply,
        total_demand_t: total_demand,
        diverted_from_disposal_t: recovered_t,
        imports_substituted_t: (total_demand - imported_t).max(0.0),
        tonne_km,
        co2_saved_t: (base.emissions_kg.total - plan.emissions_kg.total) / 1000.0,
        cost_saved: base.total - plan.total,
        recovery_rate: 0.0,
        secondary_input_rate: 0.0,
    };
    kpis.finish_rates();
    kpis
}
