//! The report of a near-optimal alternative: its cost, KPIs and flows read as the optimum's
//! are, and what it shares with the optimum (the share of tonnes on the same pairs).

use super::assemble::assemble;
use super::schema::{Alternative, Flow, SolveResult};
use crate::model::domain::Dataset;
use crate::solve::AlternativeSolve;
use std::collections::{HashMap, HashSet};

/// A flow's pair: which stream went where, whatever the tonnes.
type PairKey<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
);

fn pair(f: &Flow) -> PairKey<'_> {
    (
        f.from_site.as_str(),
        f.from_process.as_ref().map(|p| p.as_str()),
        f.to_site.as_str(),
        f.to_process.as_ref().map(|p| p.as_str()),
        f.material_sent.as_str(),
        f.material_served.as_str(),
    )
}

/// Tonnes sent per pair.
fn tonnes_by_pair(flows: &[Flow]) -> HashMap<PairKey<'_>, f64> {
    let mut by_pair = HashMap::new();
    for f in flows {
        *by_pair.entry(pair(f)).or_insert(0.0) += f.tonnes_sent;
    }
    by_pair
}

/// The share of tonnes two plans send on the same pairs: the tonnes both send on each pair
/// (the smaller of the two), over the larger plan's tonnes; 1 for two plans without flows.
pub fn shared_tonnes(a: &[Flow], b: &[Flow]) -> f64 {
    let (ta, tb) = (tonnes_by_pair(a), tonnes_by_pair(b));
    let common: f64 = ta
        .iter()
        .filter_map(|(k, &t)| tb.get(k).map(|&u| t.min(u)))
        .sum();
    let larger = f64::max(ta.values().sum(), tb.values().sum());
    if larger > 0.0 { common / larger } else { 1.0 }
}

/// Distinct pairs of sites a plan links (a flow within a site counts once).
pub fn partners(flows: &[Flow]) -> usize {
    flows
        .iter()
        .map(|f| (f.from_site.as_str(), f.to_site.as_str()))
        .collect::<HashSet<_>>()
        .len()
}

/// The report of alternative `rank` (1 first) against the `optimum`'s.
pub(crate) fn alternative(
    ds: &Dataset,
    solve: AlternativeSolve,
    optimum: &SolveResult,
    rank: usize,
) -> Alternative {
    let AlternativeSolve {
        model,
        solution,
        stats,
    } = solve;
    let r = assemble(ds, &model.network, &model.lp, &solution, stats, None);
    let over = match (r.objective, optimum.objective) {
        (Some(a), Some(o)) if o != 0.0 => Some((a - o) / o.abs()),
        (Some(a), Some(_)) => Some(a),
        _ => None,
    };
    Alternative {
        rank,
        status: r.status,
        objective: r.objective,
        over_optimum: over,
        shared_with_optimum: shared_tonnes(&r.flows, &optimum.flows),
        partners: partners(&r.flows),
        objective_parts: r.objective_parts,
        kpis: r.kpis,
        flows: r.flows,
        stats: r.stats,
    }
}
