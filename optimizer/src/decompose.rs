//! Exact decomposition by material groups. Materials that no substitution or process links
//! never share a flow, and import and disposal are unlimited slacks, so the LP splits into
//! one independent LP per group of linked materials. The parts are solved in parallel
//! (rayon) and their results merged; the merged optimum equals the monolithic one.

use crate::domain::Dataset;
use crate::ids::MaterialIdx;
use crate::results::{CostParts, Kpis, ShadowPrices, SolveResult, SolveStats};
use crate::solver::SolveStatus;

/// One independent part: a dataset holding only some streams and processes (all sites and
/// materials kept, so indices into them are unchanged), with the original stream and process
/// positions for merging.
#[derive(Debug)]
pub struct Part {
    pub dataset: Dataset,
    pub supplies: Vec<usize>,
    pub demands: Vec<usize>,
    pub processes: Vec<usize>,
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// The group (smallest material index of it) of every material.
pub fn material_groups(ds: &Dataset) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..ds.materials.len()).collect();
    for s in &ds.substitutions {
        union(&mut parent, s.from.get(), s.to.get());
    }
    for p in &ds.processes {
        let mut materials = p.inputs.iter().chain(&p.outputs).map(|&(m, _)| m.get());
        if let Some(first) = materials.next() {
            for m in materials {
                union(&mut parent, first, m);
            }
        }
    }
    (0..ds.materials.len())
        .map(|m| find(&mut parent, m))
        .collect()
}

/// Splits a dataset into its independent parts (one when everything is linked).
pub fn split(ds: &Dataset) -> Vec<Part> {
    let group = material_groups(ds);
    let mut groups: Vec<usize> = group.clone();
    groups.sort_unstable();
    groups.dedup();
    let part_of = |m: MaterialIdx| groups.binary_search(&group[m.get()]).unwrap_or(0);
    let mut parts: Vec<Part> = groups
        .iter()
        .map(|_| Part {
            dataset: Dataset {
                supplies: Vec::new(),
                demands: Vec::new(),
                processes: Vec::new(),
                ..ds.clone_without_streams()
            },
            supplies: Vec::new(),
            demands: Vec::new(),
            processes: Vec::new(),
        })
        .collect();
    for (i, s) in ds.supplies.iter().enumerate() {
        let part = &mut parts[part_of(s.material)];
        part.dataset.supplies.push(*s);
        part.supplies.push(i);
    }
    for (i, d) in ds.demands.iter().enumerate() {
        let part = &mut parts[part_of(d.material)];
        part.dataset.demands.push(*d);
        part.demands.push(i);
    }
    for (i, p) in ds.processes.iter().enumerate() {
        let Some(&(m, _)) = p.inputs.first().or(p.outputs.first()) else {
            // A process with no flows links nothing; it goes with the first part.
            parts[0].dataset.processes.push(p.clone());
            parts[0].processes.push(i);
            continue;
        };
        let part = &mut parts[part_of(m)];
        part.dataset.processes.push(p.clone());
        part.processes.push(i);
    }
    parts.retain(|p| {
        !(p.dataset.supplies.is_empty()
            && p.dataset.demands.is_empty()
            && p.dataset.processes.is_empty())
    });
    parts
}

fn add_parts(a: &mut CostParts, b: &CostParts) {
    a.transport += b.transport;
    a.import += b.import;
    a.disposal += b.disposal;
    a.process += b.process;
    a.capex += b.capex;
    a.co2 += b.co2;
    a.total += b.total;
    let (e, f) = (&mut a.emissions_kg, &b.emissions_kg);
    e.transport += f.transport;
    e.import += f.import;
    e.disposal += f.disposal;
    e.process += f.process;
    e.total += f.total;
}

/// How bad a status is, for picking the merged one.
fn severity(s: SolveStatus) -> u8 {
    match s {
        SolveStatus::Optimal => 0,
        SolveStatus::TimeLimit => 1,
        SolveStatus::IterationLimit => 2,
        SolveStatus::InfeasibleOrUnbounded => 3,
        SolveStatus::Unbounded => 4,
        SolveStatus::Infeasible => 5,
        SolveStatus::SolverError => 6,
    }
}

/// Merges the results of the parts of `ds` back into one, in the original stream and
/// process order.
pub fn merge(ds: &Dataset, parts: &[Part], results: Vec<SolveResult>) -> SolveResult {
    let status = results
        .iter()
        .map(|r| r.status)
        .max_by_key(|&s| severity(s))
        .unwrap_or(SolveStatus::Optimal);
    let mut baseline_parts = CostParts::default();
    let mut objective_parts = Some(CostParts::default());
    let mut kpis = Some(Kpis::default());
    let mut flows = Vec::new();
    let (mut imports, mut disposals, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    let mut processes = vec![None; ds.processes.len()];
    let mut supply_prices = vec![None; ds.supplies.len()];
    let mut demand_prices = vec![None; ds.demands.len()];
    let mut stats = SolveStats {
        components: results.len(),
        ..SolveStats::default()
    };
    for (part, r) in parts.iter().zip(results) {
        add_parts(&mut baseline_parts, &r.baseline_parts);
        match (&mut objective_parts, &r.objective_parts) {
            (Some(acc), Some(p)) => add_parts(acc, p),
            _ => objective_parts = None,
        }
        match (&mut kpis, &r.kpis) {
            (Some(acc), Some(k)) => {
                acc.total_supply_t += k.total_supply_t;
                acc.total_demand_t += k.total_demand_t;
                acc.diverted_from_disposal_t += k.diverted_from_disposal_t;
                acc.imports_substituted_t += k.imports_substituted_t;
                acc.tonne_km += k.tonne_km;
                acc.co2_saved_t += k.co2_saved_t;
                acc.cost_saved += k.cost_saved;
            }
            _ => kpis = None,
        }
        flows.extend(r.flows);
        imports.extend(r.imports);
        disposals.extend(r.disposals);
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
        let s = &r.stats;
        stats.k = s.k;
        stats.exact = s.exact;
        stats.priced = s.priced;
        stats.pricing_rounds = stats.pricing_rounds.max(s.pricing_rounds);
        stats.min_cost_flow_parts += s.min_cost_flow_parts;
        stats.arcs_added_by_pricing += s.arcs_added_by_pricing;
        stats.candidate_arcs += s.candidate_arcs;
        stats.columns += s.columns;
        stats.rows += s.rows;
        stats.network_seconds += s.network_seconds;
        stats.lp_build_seconds += s.lp_build_seconds;
        stats.solve_seconds += s.solve_seconds;
        stats.pricing_seconds += s.pricing_seconds;
    }
    if let Some(k) = kpis.as_mut() {
        k.circularity_rate = if k.total_demand_t > 0.0 {
            k.imports_substituted_t / k.total_demand_t
        } else {
            0.0
        };
    }
    crate::results::sort_flows(&mut flows);
    crate::results::rank_targets(&mut targets);
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
        objective_parts,
        baseline_parts,
        kpis,
        flows,
        imports,
        disposals,
        processes: processes.into_iter().flatten().collect(),
        shadow_prices,
        targets,
        stats,
    }
}
