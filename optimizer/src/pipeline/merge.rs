//! Merges the reports of independent parts ([`super::decompose`]) into the report of the
//! whole, in the original stream and process order: the inverse of the decomposition.

use super::decompose::Part;
use crate::model::domain::Dataset;
use crate::report::schema::{CostParts, Kpis, ShadowPrices, SolveResult, SolveStats};
use crate::report::{rank_targets, sort_flows};
use crate::solve::SolveStatus;

/// Merges the results of the parts of `ds` back into one, in the original stream and
/// process order.
pub(crate) fn merge(ds: &Dataset, parts: &[Part], results: Vec<SolveResult>) -> SolveResult {
    let status = results
        .iter()
        .map(|r| r.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(SolveStatus::Optimal);
    let mut baseline_parts = CostParts::default();
    let mut objective_parts = Some(CostParts::default());
    let mut kpis = Some(Kpis::default());
    let mut flows = Vec::new();
    let (mut imports, mut disposals, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    let mut unserved = Vec::new();
    let mut processes = vec![None; ds.processes.len()];
    let mut supply_prices = vec![None; ds.supplies.len()];
    let mut demand_prices = vec![None; ds.demands.len()];
    let mut stats = SolveStats::default();
    for (part, r) in parts.iter().zip(results) {
        baseline_parts += &r.baseline_parts;
        match (&mut objective_parts, &r.objective_parts) {
            (Some(acc), Some(p)) => *acc += p,
            _ => objective_parts = None,
        }
        match (&mut kpis, &r.kpis) {
            (Some(acc), Some(k)) => *acc += k,
            _ => kpis = None,
        }
        flows.extend(r.flows);
        imports.extend(r.imports);
        disposals.extend(r.disposals);
        unserved.extend(r.unserved);
        targets.extend(r.targets);
        for (use_, &p) in r.processes.into_iter().zip(&part.processes) {
            processes[p] = Some(use_);
        }
        if let Some(prices) = r.shadow_prices {
            for (price, &i) in prices.supplies.into_iter().zip(&part.supplies) {
                supply_prices[i] = Some(price);
            }
            for (price, &i) in prices.demands.into_iter().zip(&part.demands) {
                demand_prices[i] = Some(price);
            }
        }
        stats += &r.stats;
    }
    if let Some(k) = kpis.as_mut() {
        k.finish_rates();
    }
    sort_flows(&mut flows);
    rank_targets(&mut targets);
    let shadow_prices = (status == SolveStatus::Optimal)
        .then(|| {
            Some(ShadowPrices {
                supplies: supply_prices.into_iter().collect::<Option<Vec<_>>>()?,
                demands: demand_prices.into_iter().collect::<Option<Vec<_>>>()?,
            })
        })
        .flatten();
    let objective = objective_parts.as_ref().map(|p| p.total);
    SolveResult {
        dataset: ds.meta.name.clone(),
        currency: ds.meta.currency.clone(),
        status,
        objective,
        baseline: baseline_parts.total,
        baseline_description: crate::report::BASELINE,
        objective_parts,
        baseline_parts,
        kpis,
        flows,
        imports,
        disposals,
        unserved,
        processes: processes.into_iter().flatten().collect(),
        shadow_prices,
        targets,
        stats,
        alternatives: Vec::new(),
    }
}
