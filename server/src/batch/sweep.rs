//! Scenario sweeps: one dataset solved under every combination of overridden settings (CO2
//! price, transport cost per tkm, haul limit, investment budget), side by side, with each
//! scenario's cost, emissions, KPIs and openings, and the Pareto-efficient ones marked: no
//! other scenario costs less (CO2 price excluded) and emits less at once. A budget axis is
//! the planner's curve: savings against what the region may invest.

use optimizer::{Change, Dataset, Km, SolveOptions, SolveResult, WhatIf};
use rayon::prelude::*;
use serde::Serialize;

/// The settings of one scenario; `None` keeps the dataset's.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scenario {
    /// Currency per t CO2e in the objective.
    pub co2_price: Option<f64>,
    /// Trucking cost per tonne-km.
    pub transport_cost_per_tkm: Option<f64>,
    /// Longest haul, km (`Some(None)`: no limit).
    pub max_haul_km: Option<Option<f64>>,
    /// Investment budget, currency/yr (`Some(None)`: no budget).
    pub budget: Option<Option<f64>>,
}

impl Scenario {
    /// `ds` with this scenario's settings.
    pub fn apply(&self, ds: &Dataset) -> Dataset {
        let mut ds = ds.clone();
        if let Some(p) = self.co2_price {
            ds.co2_price = p;
        }
        if let Some(c) = self.transport_cost_per_tkm {
            ds.transport.cost_per_tkm = c;
            // A per-material transport cost would ignore the override; the sweep sets all.
            for m in &mut ds.materials {
                m.transport_cost_per_tkm = None;
            }
        }
        if let Some(limit) = self.max_haul_km {
            ds.transport.max_haul = limit.map(Km);
            for m in &mut ds.materials {
                m.max_haul = None;
            }
        }
        if let Some(budget) = self.budget {
            ds.investment.budget = budget;
        }
        ds
    }
}

/// The values to try of each setting; an empty list keeps the dataset's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Grid<'a> {
    /// CO2 prices, currency per t CO2e.
    pub co2_prices: &'a [f64],
    /// Trucking costs per tonne-km.
    pub transport_costs: &'a [f64],
    /// Haul limits, km (`None`: no limit).
    pub max_hauls: &'a [Option<f64>],
    /// Investment budgets, currency/yr (`None`: no budget).
    pub budgets: &'a [Option<f64>],
}

/// Every combination of the grid's values (an empty list keeps the dataset's setting).
pub fn combinations(grid: &Grid<'_>) -> Vec<Scenario> {
    fn or_keep<T: Copy>(values: &[T]) -> Vec<Option<T>> {
        if values.is_empty() {
            vec![None]
        } else {
            values.iter().copied().map(Some).collect()
        }
    }
    let mut out = Vec::new();
    for co2_price in or_keep(grid.co2_prices) {
        for transport_cost_per_tkm in or_keep(grid.transport_costs) {
            for max_haul_km in or_keep(grid.max_hauls) {
                for budget in or_keep(grid.budgets) {
                    out.push(Scenario {
                        co2_price,
                        transport_cost_per_tkm,
                        max_haul_km,
                        budget,
                    });
                }
            }
        }
    }
    out
}

/// One scenario's line in `scenarios.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioRow {
    /// 1-based, in the order of the combinations.
    pub scenario: usize,
    /// The settings used.
    pub co2_price: f64,
    /// Trucking cost per tkm used.
    pub transport_cost_per_tkm: f64,
    /// Haul limit used (empty: none).
    pub max_haul_km: Option<f64>,
    /// Investment budget used, currency/yr (empty: none).
    pub budget: Option<f64>,
    /// How the solve ended.
    pub status: String,
    /// The objective (money plus priced CO2), currency/yr.
    pub objective: Option<f64>,
    /// Money alone (CO2 price excluded), currency/yr.
    pub cost: Option<f64>,
    /// Emissions, t CO2e/yr.
    pub emissions_t: Option<f64>,
    /// Tonnes kept from disposal.
    pub diverted_t: Option<f64>,
    /// Share of demand met locally.
    pub secondary_input_rate: Option<f64>,
    /// Tonne-km trucked.
    pub tonne_km: Option<f64>,
    /// Baseline cost minus the plan's, currency/yr.
    pub cost_saved: Option<f64>,
    /// What the plan spends on new capacity and openings, currency/yr.
    pub invested: Option<f64>,
    /// The candidates the plan opens (or gives new capacity), `;`-separated.
    pub opened: String,
    /// Whether no other scenario has both lower cost and lower emissions.
    pub pareto: bool,
}

/// How a sweep solves its scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chaining {
    /// As warm chains, one what-if session per core: scenarios that share a haul limit and
    /// a budget differ only in prices, so each after the first is a revision of the one
    /// before, solved from its basis.
    Warm,
    /// Each from scratch, side by side.
    Cold,
}

/// Solves every scenario; rows in scenario order, Pareto marks set.
pub fn run_sweep(
    ds: &Dataset,
    scenarios: &[Scenario],
    options: &SolveOptions,
    chaining: Chaining,
) -> anyhow::Result<Vec<ScenarioRow>> {
    let results: Vec<(Dataset, anyhow::Result<SolveResult>)> = match chaining {
        Chaining::Warm => solve_in_chains(ds, scenarios, options),
        Chaining::Cold => scenarios
            .par_iter()
            .map(|s| {
                let scenario_ds = s.apply(ds);
                let result = optimizer::solve(&scenario_ds, options).map_err(Into::into);
                (scenario_ds, result)
            })
            .collect(),
    };
    let mut rows = Vec::with_capacity(results.len());
    for (i, (sds, result)) in results.into_iter().enumerate() {
        let result = result?;
        let parts = result.objective_parts.as_ref();
        let kpis = result.kpis.as_ref();
        rows.push(ScenarioRow {
            scenario: i + 1,
            co2_price: sds.co2_price,
            transport_cost_per_tkm: sds.transport.cost_per_tkm,
            max_haul_km: sds.transport.max_haul.map(|k| k.0),
            budget: sds.investment.budget,
            status: result.status.as_str().to_owned(),
            objective: result.objective,
            cost: parts.map(|p| p.total - p.co2),
            emissions_t: parts.map(|p| p.emissions_kg.total / 1000.0),
            diverted_t: kpis.map(|k| k.diverted_from_disposal_t),
            secondary_input_rate: kpis.map(|k| k.secondary_input_rate),
            tonne_km: kpis.map(|k| k.tonne_km),
            cost_saved: kpis.map(|k| k.cost_saved),
            invested: parts.map(|p| p.capex),
            opened: result
                .processes
                .iter()
                .filter(|p| {
                    p.opened
                        .unwrap_or(p.new_capacity > optimizer::report::FLOW_EPSILON_T)
                })
                .map(|p| p.id.to_string())
                .collect::<Vec<_>>()
                .join(";"),
            pareto: false,
        });
    }
    mark_pareto(&mut rows);
    Ok(rows)
}

type Solved = (Dataset, anyhow::Result<SolveResult>);

/// The scenarios solved as warm chains (see [`Chaining::Warm`]), in scenario order.
fn solve_in_chains(ds: &Dataset, scenarios: &[Scenario], options: &SolveOptions) -> Vec<Solved> {
    // Scenarios with the same haul limit and budget share a model (a haul limit changes the
    // candidate arcs; a budget the investment MIP).
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        let same = |g: &Vec<usize>| {
            let first = &scenarios[g[0]];
            first.max_haul_km == s.max_haul_km && first.budget == s.budget
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    let chains_per_group = (rayon::current_num_threads() / groups.len().max(1)).max(1);
    let chains: Vec<Vec<usize>> = groups
        .iter()
        .flat_map(|g| {
            let length = g.len().div_ceil(chains_per_group);
            g.chunks(length).map(<[usize]>::to_vec).collect::<Vec<_>>()
        })
        .collect();
    let mut solved: Vec<(usize, Solved)> = chains
        .par_iter()
        .flat_map_iter(|chain| run_chain(ds, scenarios, chain, options))
        .collect();
    solved.sort_by_key(|(i, _)| *i);
    solved.into_iter().map(|(_, s)| s).collect()
}

/// One chain: a session on its first scenario, revised to each next one's prices.
fn run_chain(
    ds: &Dataset,
    scenarios: &[Scenario],
    chain: &[usize],
    options: &SolveOptions,
) -> Vec<(usize, Solved)> {
    let first = scenarios[chain[0]].apply(ds);
    let mut session = match WhatIf::open(first.clone(), options.clone()) {
        Ok(session) => session,
        Err(e) => {
            let e = anyhow::Error::from(e);
            return chain
                .iter()
                .map(|&i| (i, (scenarios[i].apply(ds), Err(anyhow::anyhow!("{e:#}")))))
                .collect();
        }
    };
    let mut out = vec![(chain[0], (first, Ok(session.result().clone())))];
    for &i in &chain[1..] {
        let scenario_ds = scenarios[i].apply(ds);
        let mut changes = vec![Change::Co2Price(scenario_ds.co2_price)];
        if scenarios[i].transport_cost_per_tkm.is_some() {
            changes.push(Change::TransportCost(scenario_ds.transport.cost_per_tkm));
        }
        let result = session
            .revise(&changes, options.solver.clone())
            .map(|revised| revised.result.clone())
            .map_err(Into::into);
        out.push((i, (scenario_ds, result)));
    }
    out
}

/// Marks the rows no other row beats on both cost and emissions (ties are not beaten).
fn mark_pareto(rows: &mut [ScenarioRow]) {
    let points: Vec<Option<(f64, f64)>> = rows.iter().map(|r| r.cost.zip(r.emissions_t)).collect();
    for (i, row) in rows.iter_mut().enumerate() {
        let Some((c, e)) = points[i] else { continue };
        let beaten = points.iter().flatten().any(|&(c2, e2)| {
            let tol = 1e-9 * (c.abs() + e.abs()).max(1.0);
            c2 <= c + tol && e2 <= e + tol && (c2 < c - tol || e2 < e - tol)
        });
        row.pareto = !beaten;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_cover_the_grid_and_keep_unset_settings() {
        let all = combinations(&Grid {
            co2_prices: &[0.0, 100.0],
            max_hauls: &[Some(50.0), None],
            budgets: &[Some(0.0), Some(1e6), None],
            ..Grid::default()
        });
        assert_eq!(all.len(), 12);
        assert!(all.iter().all(|s| s.transport_cost_per_tkm.is_none()));
        assert_eq!(all[3].max_haul_km, Some(None));
        assert_eq!(all[2].budget, Some(None));
        assert_eq!(combinations(&Grid::default()), vec![Scenario::default()]);
    }

    fn row(cost: f64, emissions: f64) -> ScenarioRow {
        ScenarioRow {
            scenario: 0,
            co2_price: 0.0,
            transport_cost_per_tkm: 0.0,
            max_haul_km: None,
            budget: None,
            status: "optimal".into(),
            objective: Some(cost),
            cost: Some(cost),
            emissions_t: Some(emissions),
            diverted_t: None,
            secondary_input_rate: None,
            tonne_km: None,
            cost_saved: None,
            invested: None,
            opened: String::new(),
            pareto: false,
        }
    }

    #[test]
    fn pareto_marks_the_non_dominated() {
        let mut rows = vec![
            row(10.0, 5.0),
            row(8.0, 7.0),
            row(11.0, 6.0),
            row(10.0, 5.0),
        ];
        mark_pareto(&mut rows);
        let marks: Vec<bool> = rows.iter().map(|r| r.pareto).collect();
        assert_eq!(marks, [true, true, false, true]);
    }
}
