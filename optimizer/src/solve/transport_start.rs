//! The transport start: the first basis of a part with processes (or with substitution
//! ratios that do not split into units, `flow::NodeScale`), not a warm restart (those live in the backends, across pricing
//! rounds). Such a part is a generalised network, solved by the generalised network simplex
//! (`generalised`) or by HiGHS, and both start here. From the all-slack basis HiGHS's dual
//! simplex spends thousands of iterations and many pricing rounds finding supply-to-demand
//! hauls that the same part without its processes already needs. That transport problem is
//! pure min-cost flow (counted in units when its ratios split): the network simplex
//! certifies it far faster. Its spanning tree
//! is a basis of the whole LP too (every process idle, the process rows' slacks basic),
//! primal feasible because import and disposal are unlimited, so the solve starts there with
//! the tree's pairs among its columns and only has to bring the processes in.
//! Pricing still certifies the optimum of the whole part; the start only changes how long it
//! takes (docs/performance.md, "Regions with processes").

use super::backend::Session;
use super::flow::{NodeScale, is_transportation};
use super::model::{Model, build_model};
use super::options::{SolveOptions, SolverOptions};
use super::pricing;
use super::status::{SolveStatus, StartingBasis};
use crate::lp::{Col, RowKind};
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::model::ids::{DemandIdx, SupplyIdx};
use crate::network::{ArcIdx, Arcs, SinkIdx, SourceIdx};
use std::collections::HashMap;
use std::time::Instant;

/// The transport problem of `ds`: its supplies and demands, no processes, and its
/// substitutions when the min-cost-flow path can count their ratios away (`flow::NodeScale`),
/// else only those that keep the tonnage (the others make a generalised network too). With
/// every substitution in it, the start already routes what the substitutions carry (on the
/// 100,000-site region of seed 1, ash slag serving aggregate at 0.9: 2.3 million pivots of
/// the generalised engine before, docs/performance.md).
fn transport_problem(ds: &Dataset) -> Dataset {
    let mut transport = Dataset {
        supplies: ds.supplies.clone(),
        demands: ds.demands.clone(),
        ..ds.clone_without_streams()
    };
    if NodeScale::of(&transport).is_none() {
        transport.substitutions.retain(|s| s.ratio == 1.0);
    }
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
        alternatives: Default::default(),
    };
    let mut start = build_model(transport, &quiet);
    let mut session = Session::new(transport, &start, solver.clone(), None)?;
    if !session.is_min_cost_flow() {
        return Ok(None);
    }
    let mut solution = session.solve(&start.lp)?;
    // Certified, not just optimal over k-nearest: the tree of the k-nearest optimum is a
    // poorer start (every tenth EU region: 79.8 s against 48.4 s for the batch).
    if options.priced() {
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
    if NodeScale::of(ds).is_some_and(|units| is_transportation(&model.lp, &units)) {
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
