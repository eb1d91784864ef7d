//! Tests of the solve layer as a whole, through the run loop: the transport start is a basis
//! of the whole LP, a stop during it keeps its plan, the started solve reaches the cold
//! optimum, and one pricing pass bounds the exact optimum from below. Plans and optima are
//! checked by the shared certificate checker ([`crate::lp::certificate`]).

use super::model::{Model, baseline_plan, build_model};
use super::options::{Algorithm, SolveOptions, SolveRequest};
use super::pricing::{PRICING_PER_SOURCE, negative_arcs, node_duals};
use super::run::run_model;
use super::scale;
use super::status::{LpSolution, SolveStatus};
use super::transport_start::transport_basis;
use crate::generate::{SyntheticOptions, generate};
use crate::lp::ColKind;
use crate::lp::certificate::{PlainLp, Tolerance, check_feasible, check_optimal};
use crate::model::domain::Dataset;
use std::time::Instant;

fn solved(ds: &Dataset, request: SolveRequest) -> (Model, LpSolution) {
    let options = SolveOptions::from(request);
    let mut model = build_model(ds, &options);
    let (solution, _) = run_model(ds, &mut model, &options).expect("solves");
    assert_eq!(solution.status, SolveStatus::Optimal, "{}", ds.meta.name);
    (model, solution)
}

/// Regions with recyclers, candidate recyclers and a substitution that changes the tonnage
/// (the synthetic generator's); the same without the substitution, so the recyclers are the
/// only way from ash to aggregate and run; plain recyclers (the uniform instance).
fn regions() -> Vec<Dataset> {
    let mut regions = synthetic_regions();
    regions.push(crate::generate::uniform::generate(300, 4, true));
    regions
}

/// A generated region of `sites` sites with `processes` recyclers and `candidates`
/// candidate recyclers (the engines' tests share it).
pub(crate) fn region(seed: u64, sites: usize, processes: usize, candidates: usize) -> Dataset {
    generate(&SyntheticOptions {
        sites,
        seed,
        processes,
        candidates,
        ..SyntheticOptions::default()
    })
}

/// The generator's regions of [`regions`], whose supplies and demands share materials.
fn synthetic_regions() -> Vec<Dataset> {
    let mut regions = Vec::new();
    for seed in 1..=3 {
        let ds = region(seed, 400, 4, 2);
        let mut recyclers_only = ds.clone();
        recyclers_only.substitutions.clear();
        regions.extend([ds, recyclers_only]);
    }
    regions
}

/// Stopped while its transport start is still being priced (here cancelled before it
/// begins, so the start gets no further than its first pass), a part with processes still
/// reports the start's plan: it meets every row and costs less than the baseline, which is
/// what a stopped solve without a start falls back to.
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
        check_feasible(&PlainLp::from(lp), plan, 1e-6).expect("a feasible plan");
        let cost = lp.objective_of(plan);
        let baseline = lp.objective_of(&baseline_plan(&ds, lp));
        assert!(
            cost < baseline - 1.0,
            "{}: {cost} against the baseline {baseline}",
            ds.meta.name
        );
    }
}

/// The transport tree is a basis of the LP with its processes: one basic column or row
/// slack per row, every basic flow a supply-to-demand pair of the model at the ratio the
/// dataset gives its two materials (substitutions below 1 included: they split into units),
/// every process column out of it.
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
                let sent = ds.supplies[net.arcs.source(a).get()].material;
                let served = ds.demands[net.arcs.sink(a).get()].material;
                let ratio = ds.substitutes_of(sent).into_iter().find(|s| s.0 == served);
                assert_eq!(Some(net.arcs.ratio(a)), ratio.map(|s| s.1));
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

/// Started from the transport tree, the certified optimum is the one HiGHS reaches from its
/// own start (`Algorithm::Highs` leaves the transport problem to HiGHS too, so no tree is
/// made), and the duals certify the plan on the final LP.
#[test]
fn the_started_solve_reaches_the_cold_optimum() {
    let mut processes_run = 0;
    for ds in regions() {
        let (warm_model, warm) = solved(&ds, SolveRequest::default());
        let highs = SolveRequest {
            algorithm: Algorithm::Highs,
            ..Default::default()
        };
        let (cold_model, cold) = solved(&ds, highs);
        let warm_cost = warm.objective(&warm_model.lp).expect("a plan");
        let cold_cost = cold.objective(&cold_model.lp).expect("a plan");
        assert!(
            (warm_cost - cold_cost).abs() <= 1e-7 * cold_cost.abs().max(1.0),
            "{}: warm {warm_cost} vs cold {cold_cost}",
            ds.meta.name
        );
        let lp = &warm_model.lp;
        let plan = warm.primal.as_ref().expect("a plan");
        let duals = warm.row_dual.as_ref().expect("duals");
        check_optimal(&PlainLp::from(lp), plan, duals, Tolerance::default())
            .unwrap_or_else(|e| panic!("{}: {e}", ds.meta.name));
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

/// The bound one pricing pass gives from a pruned optimum lies between the pruned optimum
/// and the exact one, on plain matching and with a recycler in between.
#[test]
fn a_pass_bounds_the_exact_optimum_from_below() {
    for (seed, recycler) in [(1, false), (2, false), (3, true)] {
        let ds = crate::generate::uniform::generate(300, seed, recycler);
        let unpriced = |k, exact| SolveRequest {
            k,
            exact,
            pricing: false,
            ..Default::default()
        };
        let (exact_model, exact) = solved(&ds, unpriced(0, true));
        let exact = exact.objective(&exact_model.lp).expect("a point");
        let (model, pruned) = solved(&ds, unpriced(1, false));
        let pruned_objective = pruned.objective(&model.lp).expect("a point");
        let (source_dual, sink_dual) = node_duals(&model, &pruned);
        let pass = negative_arcs(
            &ds,
            &model.network,
            &source_dual,
            &sink_dual,
            PRICING_PER_SOURCE,
            scale::pricing_tolerance(&model.lp, Some(pruned_objective)).0,
            &|| false,
        )
        .expect("not stopped");
        let bound = pruned_objective + pass.penalty.expect("every node is bounded");
        let slack = 1e-6 * exact.abs().max(1.0);
        assert!(
            pruned_objective > exact + slack,
            "seed {seed}: k = 1 should lose something ({pruned_objective} vs {exact})"
        );
        assert!(!pass.arcs.is_empty());
        assert!(
            bound <= exact + slack,
            "seed {seed}: bound {bound} above the optimum {exact}"
        );
    }
}

/// A MIP (candidates with start-up costs) whose token is cancelled after it was loaded
/// stops at HiGHS's first interrupt check, through the callback: with only the time limit
/// (none here) it would run to its optimum.
#[test]
fn a_cancelled_token_interrupts_a_running_mip() {
    let mut ds = region(1, 400, 4, 4);
    for p in ds
        .processes
        .iter_mut()
        .filter(|p| p.candidate_capex.is_some())
    {
        p.fixed_cost = 50_000.0;
    }
    let options = SolveOptions::default();
    let model = build_model(&ds, &options);
    assert!(model.lp.layout.has_decisions());
    let mut mip = super::highs::LpSession::new(&model.lp, options.solver.clone()).expect("loads");
    options.solver.cancel.cancel();
    let solution = mip.solve(&model.lp).expect("solves");
    assert_eq!(solution.status, SolveStatus::TimeLimit);
}
