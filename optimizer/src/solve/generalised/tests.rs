//! The engine against HiGHS on random regions with recyclers, candidate recyclers and a
//! substitution that changes the tonnage, before and after pricing adds columns; and its
//! answer checked on its own as an LP certificate (a feasible plan, feasible duals, equal
//! objectives). In tests every pivot also checks the thread it re-linked.

use super::GeneralisedSession;
use super::exchange::CYCLE_REWALKS;
use crate::lp::LinearProgram;
use crate::lp::certificate::{PlainLp, Tolerance, check_optimal};
use crate::model::domain::Dataset;
use crate::solve::highs::LpSession;
use crate::solve::model::build_model;
use crate::solve::options::{SolveOptions, SolveRequest, SolverOptions};
use crate::solve::pricing::{negative_arcs, node_duals};
use crate::solve::status::{LpSolution, SolveStatus};
use crate::solve::transport_start::transport_basis;
use proptest::prelude::*;
use std::time::Instant;

fn region(seed: u64, sites: usize, ratio_one: bool) -> Dataset {
    let mut ds = crate::solve::tests::region(seed, sites, 3, 1);
    if ratio_one {
        // Recyclers then are the only gain other than one.
        ds.substitutions.clear();
    }
    ds
}

fn highs_objective(lp: &LinearProgram) -> f64 {
    let mut highs = LpSession::new(lp, SolverOptions::default()).expect("loads");
    let solution = highs.solve(lp).expect("solves");
    assert_eq!(solution.status, SolveStatus::Optimal);
    solution.objective(lp).expect("a plan")
}

/// The engine's answer as an LP certificate: the plan meets every row and bound, the duals
/// leave no column with a negative reduced cost (capacity rows' duals at most zero), and the
/// dual objective equals the plan's cost.
fn assert_certified(lp: &LinearProgram, solution: &LpSolution) {
    let x = solution.primal.as_ref().expect("a plan");
    let y = solution.row_dual.as_ref().expect("duals");
    if let Err(e) = check_optimal(&PlainLp::from(lp), x, y, Tolerance::default()) {
        panic!("not certified: {e}");
    }
}

/// Solves `ds` on the engine from its transport tree, checks it against HiGHS, adds the
/// arcs one pricing pass finds and checks the warm re-solve the same way.
fn engine_equals_highs(ds: &Dataset) {
    let options = SolveOptions::from(SolveRequest {
        k: 2,
        pricing: false,
        ..Default::default()
    });
    let mut model = build_model(ds, &options);
    let basis = transport_basis(ds, &mut model, &options, Instant::now())
        .expect("solves")
        .expect("a transport tree");
    let mut engine = GeneralisedSession::new(&model.lp, &basis, SolverOptions::default())
        .expect("the engine takes a region whose processes have one input and one output");
    for round in 0..2 {
        let solution = engine.solve().expect("keeps its basis");
        assert_eq!(solution.status, SolveStatus::Optimal);
        let objective = solution.objective(&model.lp).expect("a plan");
        let reference = highs_objective(&model.lp);
        assert!(
            (objective - reference).abs() <= 1e-7 * reference.abs().max(1.0),
            "round {round}: engine {objective} vs HiGHS {reference}"
        );
        assert_certified(&model.lp, &solution);
        let (source_dual, sink_dual) = node_duals(&model, &solution);
        let pass = negative_arcs(
            ds,
            &model.network,
            &source_dual,
            &sink_dual,
            4,
            1e-6,
            &|| false,
        )
        .expect("not stopped");
        model.network.extend(pass.arcs);
        model.lp.append_flows(ds, &model.network);
        engine.add_new_columns(&model.lp).expect("flow columns");
    }
}

#[test]
fn the_engine_equals_highs_on_regions_with_recyclers() {
    for seed in 1..=4 {
        engine_equals_highs(&region(seed, 300, false));
        engine_equals_highs(&region(seed, 300, true));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_engine_equals_highs_on_random_regions(seed in 0u64..1_000_000, sites in 40usize..250, ratio_one: bool) {
        engine_equals_highs(&region(seed, sites, ratio_one));
    }
}

/// Regions where a column on a component's cycle leaves the basis, the one case whose pivot
/// walks the component again instead of re-linking its thread: the engine still equals
/// HiGHS, and every pivot leaves a valid thread (`Forest::assert_threaded`).
#[test]
fn the_engine_equals_highs_when_a_cycle_opens() {
    for seed in [10, 14, 33, 43] {
        let ds = crate::solve::tests::region(seed, 300, 6, 3);
        let before = CYCLE_REWALKS.with(|n| n.get());
        engine_equals_highs(&ds);
        let rewalks = CYCLE_REWALKS.with(|n| n.get()) - before;
        assert!(rewalks > 0, "seed {seed}: no cycle opened");
    }
}
