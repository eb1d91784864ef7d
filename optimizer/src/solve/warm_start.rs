//! A start in the right neighbourhood for a part with processes (or with substitutions that
//! change the tonnage). Such a part is a generalised network, solved by the generalised
//! network simplex (`generalised`) or by HiGHS, and both start here. From the all-slack
//! basis HiGHS's dual simplex spends thousands of iterations and many pricing rounds
//! finding supply-to-demand hauls that the same part without its processes already needs.
//! That transport problem is pure min-cost flow: the network simplex certifies it in
//! milliseconds. Its spanning tree is a basis of the whole LP too (every process idle, the
//! process rows' slacks basic), primal feasible because import and disposal are unlimited,
//! so the solve starts there with the tree's pairs among its columns and only has to bring
//! the processes in.
//!
//! Measured on the 151 regions of every tenth EU NUTS-3 area (`make eu-regions` data,
//! `batch --regions-from`): see docs/performance.md. Pricing still certifies the optimum of
//! the whole part; the start only changes how long it takes.

use super::pricing;
use super::session::Session;
use super::status::{SolverOptions, StartingBasis};
use super::{Model, SolveOptions, SolveStatus, build_model};
use crate::lp::{Col, RowKind};
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::model::ids::{DemandIdx, SupplyIdx};
use crate::network::{ArcIdx, Arcs, SinkIdx, SourceIdx};
use std::collections::HashMap;
use std::time::Instant;

/// The transport problem of `ds`: its supplies and demands, no processes, and only the
/// substitutions that keep the tonnage (the others make a generalised network too).
fn transport_problem(ds: &Dataset) -> Dataset {
    let mut transport = Dataset {
        supplies: ds.supplies.clone(),
        demands: ds.demands.clone(),
        ..ds.clone_without_streams()
    };
    transport.substitutions.retain(|s| s.ratio == 1.0);
    transport
}

/// A transport problem solved by the network simplex (priced to its certified optimum when
/// pricing is on): its final model and spanning tree. `None` when it is not one for the
/// network simplex. A deadline or cancellation that stops it early still leaves a spanning
/// tree of a feasible plan, and that is kept: the part then reports the start's plan rather
/// than the baseline (on the 100,000-site region at `--time-limit 120`, the baseline of the
/// part with recyclers made the whole plan 2.4 times the optimum).
fn certified_transport(
    transport: &Dataset,
    options: &SolveOptions,
    started: Instant,
) -> Result<Option<(Model, Vec<bool>)>, Error> {
    // The caller reports its own progress; this inner solve stays quiet.
    let solver = SolverOptions {
        progress: Default::default(),
        ..options.solver.clone()
    };
    let quiet = SolveOptions {
        candidates: options.candidates,
        solver: solver.clone(),
    };
    let mut start = build_model(transport, &quiet);
    let mut session = Session::new(transport, &start, solver.clone(), None)?;
    if !session.is_min_cost_flow() {
        return Ok(None);
    }
    let mut solution = session.solve(&start.lp)?;
    // Certified, not just optimal over k-nearest: the tree of the k-nearest optimum is a
    // poorer start (every tenth EU region: 79.8 s against 48.4 s for the batch).
    if options.candidates.price && !options.candidates.exact {
        pricing::price_until_certified(
            transport,
            &mut start,
            &mut session,
            &mut solution,
            &solver,
            started,
        )?;
    }
    if solution.status != SolveStatus::Optimal {
        tracing::debug!(
            status = solution.status.as_str(),
            "transport start not certified"
        );
    }
    Ok(session.transport_tree().map(|tree| (start, tree)))
}

/// The supply-to-demand pairs of `start`'s spanning tree, as arcs of `model`: those
/// `model` lacks are added to its network and LP. Supplies and demands come first in both
/// networks with the same indices, so a pair is the same (source, sink) in both.
fn tree_arcs_in(ds: &Dataset, model: &mut Model, start: &Model, tree: &[bool]) -> Vec<ArcIdx> {
    let (supplies, demands) = (ds.supplies.len(), ds.demands.len());
    let net = &model.network;
    let mut arc_of: HashMap<(SourceIdx, SinkIdx), ArcIdx> = net
        .arcs
        .indices()
        .filter(|&a| net.arcs.source(a).get() < supplies && net.arcs.sink(a).get() < demands)
        .map(|a| ((net.arcs.source(a), net.arcs.sink(a)), a))
        .collect();
    let arcs = &start.network.arcs;
    let mut missing = Arcs::default();
    let first_new = net.arcs.len();
    let in_tree: Vec<ArcIdx> = arcs
        .indices()
        .filter(|a| tree[supplies + demands + a.get()])
        .map(|a| {
            let pair = (arcs.source(a), arcs.sink(a));
            *arc_of.entry(pair).or_insert_with(|| {
                missing.push(pair.0, pair.1, arcs.km(a), arcs.ratio(a));
                ArcIdx::new(first_new + missing.len() - 1)
            })
        })
        .collect();
    tracing::debug!(
        tree_pairs = in_tree.len(),
        added = missing.len(),
        "transport tree"
    );
    model.network.extend(missing);
    model.lp.append_flows(ds, &model.network);
    in_tree
}

/// Solves `ds` without its processes on the network simplex, adds the supply-to-demand
/// pairs of its optimal tree (its last one, if stopped early) that `model` lacks, and
/// returns that tree as a basis of `model`'s LP. `None` when the LP is a transportation
/// problem itself or the transport problem is not one for the network simplex.
pub(crate) fn transport_basis(
    ds: &Dataset,
    model: &mut Model,
    options: &SolveOptions,
    started: Instant,
) -> Result<Option<StartingBasis>, Error> {
    if super::flow::is_transportation(&model.lp) {
        // The min-cost-flow path solves it as it is.
        return Ok(None);
    }
    let transport = transport_problem(ds);
    let Some((start, tree)) = certified_transport(&transport, options, started)? else {
        return Ok(None);
    };
    let tree_arcs = tree_arcs_in(ds, model, &start, &tree);
    let (supplies, demands) = (ds.supplies.len(), ds.demands.len());
    let lp = &model.lp;
    let layout = &lp.layout;
    let mut basic_column = vec![false; lp.num_cols()];
    let mut basic = |c: Col| basic_column[c.get()] = true;
    for s in (0..supplies).filter(|&s| tree[s]) {
        basic(layout.disposal(SupplyIdx::new(s)));
    }
    for t in (0..demands).filter(|&t| tree[supplies + t]) {
        basic(layout.import(DemandIdx::new(t)));
    }
    for &a in &tree_arcs {
        basic(layout.flow(a));
    }
    // The process rows keep their slacks in the basis: with every process idle they hold
    // at zero whatever the flows.
    let basic_row: Vec<bool> = lp
        .rows()
        .map(|i| {
            !matches!(
                layout.row(i),
                RowKind::SupplyBalance(_) | RowKind::DemandBalance(_)
            )
        })
        .collect();
    let size = basic_column
        .iter()
        .chain(&basic_row)
        .filter(|&&b| b)
        .count();
    if size != lp.num_rows() {
        // Not a basis (cannot happen for a spanning tree; kept as a guard): start cold.
        tracing::debug!(size, rows = lp.num_rows(), "transport tree is not a basis");
        return Ok(None);
    }
    Ok(Some(StartingBasis {
        basic_column,
        basic_row,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{SyntheticOptions, generate};
    use crate::lp::{ColKind, LinearProgram};
    use crate::solve::{Algorithm, LpSolution, run_model};

    fn solved(ds: &Dataset, algorithm: Algorithm) -> (Model, LpSolution) {
        let options = SolveOptions::requested(0, false, false, None, None, algorithm);
        let mut model = build_model(ds, &options);
        let (solution, _) = run_model(ds, &mut model, &options).expect("solves");
        assert_eq!(solution.status, SolveStatus::Optimal);
        (model, solution)
    }

    /// Regions with recyclers, candidate recyclers and a substitution that changes the
    /// tonnage (the synthetic generator's); the same without the substitution, so the
    /// recyclers are the only way from ash to aggregate and run; plain recyclers (the
    /// uniform instance).
    fn regions() -> Vec<Dataset> {
        let mut regions = synthetic_regions();
        regions.push(crate::generate::uniform::generate(300, 4, true));
        regions
    }

    /// The generator's regions of [`regions`], whose supplies and demands share materials.
    fn synthetic_regions() -> Vec<Dataset> {
        let mut regions = Vec::new();
        for seed in 1..=3 {
            let ds = generate(&SyntheticOptions {
                sites: 400,
                seed,
                processes: 4,
                candidates: 2,
                ..SyntheticOptions::default()
            });
            let mut recyclers_only = ds.clone();
            recyclers_only.substitutions.clear();
            regions.extend([ds, recyclers_only]);
        }
        regions
    }

    /// Every row of `lp` holds within its bounds under `plan`.
    fn assert_meets_every_row(lp: &LinearProgram, plan: &[f64]) {
        let mut row_activity = vec![0.0; lp.num_rows()];
        for j in lp.cols() {
            for (row, value) in lp.column_entries(j) {
                row_activity[row.get()] += value * plan[j.get()];
            }
        }
        for i in lp.rows() {
            let (lo, hi) = lp.row_bounds(i);
            let activity = row_activity[i.get()];
            assert!(activity >= lo - 1e-6 && activity <= hi + 1e-6, "row {i:?}");
        }
    }

    /// Stopped while its transport start is still being priced (here cancelled before it
    /// begins, so the start gets no further than its first pass), a part with processes
    /// still reports the start's plan: it meets every row and costs less than the baseline,
    /// which is what a stopped solve without a start falls back to.
    #[test]
    fn a_stop_during_the_start_keeps_the_start_plan() {
        for ds in synthetic_regions() {
            let options = SolveOptions::default();
            options.solver.cancel.cancel();
            let mut model = build_model(&ds, &options);
            let (solution, _) = run_model(&ds, &mut model, &options).expect("solves");
            assert_eq!(solution.status, SolveStatus::TimeLimit, "{}", ds.meta.name);
            let lp = &model.lp;
            let plan = solution.primal.as_ref().expect("a plan");
            assert_meets_every_row(lp, plan);
            let cost = lp.objective_of(plan);
            let baseline = lp.objective_of(&crate::solve::baseline_plan(&ds, lp));
            assert!(
                cost < baseline - 1.0,
                "{}: {cost} against the baseline {baseline}",
                ds.meta.name
            );
        }
    }

    /// The transport tree is a basis of the LP with its processes: one basic column or row
    /// slack per row, every basic flow a supply-to-demand pair of the model, every process
    /// column out of it.
    #[test]
    fn the_transport_tree_is_a_basis_of_the_whole_lp() {
        for ds in regions() {
            let options = SolveOptions::default();
            let mut model = build_model(&ds, &options);
            let basis = transport_basis(&ds, &mut model, &options, Instant::now())
                .expect("solves")
                .expect("a transport problem for the network simplex");
            let lp = &model.lp;
            assert_eq!(basis.basic_column.len(), lp.num_cols());
            assert_eq!(basis.basic_row.len(), lp.num_rows());
            let basic = basis.basic_column.iter().chain(&basis.basic_row);
            assert_eq!(basic.filter(|&&b| b).count(), lp.num_rows());
            let net = &model.network;
            for (a, column) in lp.layout.flows() {
                if basis.basic_column[column.get()] {
                    assert!(net.arcs.source(a).get() < ds.supplies.len());
                    assert!(net.arcs.sink(a).get() < ds.demands.len());
                    assert_eq!(net.arcs.ratio(a), 1.0);
                }
            }
            for column in lp.cols() {
                let is_process = matches!(
                    lp.layout.column(column),
                    ColKind::Activity(_) | ColKind::NewCapacity(_) | ColKind::OutputDisposal(_)
                );
                assert!(!(is_process && basis.basic_column[column.get()]));
            }
        }
    }

    /// Started from the transport tree, the certified optimum is the one HiGHS reaches from
    /// its own start (`Algorithm::Highs` leaves the transport problem to HiGHS too, so no
    /// tree is made), and the plan meets every row.
    #[test]
    fn the_warm_start_reaches_the_cold_optimum() {
        let mut processes_run = 0;
        for ds in regions() {
            let (warm_model, warm) = solved(&ds, Algorithm::Auto);
            let (cold_model, cold) = solved(&ds, Algorithm::Highs);
            let warm_cost = warm.objective(&warm_model.lp).expect("a plan");
            let cold_cost = cold.objective(&cold_model.lp).expect("a plan");
            assert!(
                (warm_cost - cold_cost).abs() <= 1e-7 * cold_cost.abs().max(1.0),
                "{}: warm {warm_cost} vs cold {cold_cost}",
                ds.meta.name
            );
            let lp = &warm_model.lp;
            let plan = warm.primal.as_ref().expect("a plan");
            assert_meets_every_row(lp, plan);
            processes_run += lp
                .cols()
                .filter(|&j| {
                    matches!(lp.layout.column(j), ColKind::Activity(_)) && plan[j.get()] > 1e-6
                })
                .count();
        }
        // The start leaves every process idle; the optimum must have moved away from it.
        assert!(processes_run > 0, "no region runs a process");
    }
}
