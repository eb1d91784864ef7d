//! Solves that do not end in an ordinary optimum are results with a status, not errors.
//!
//! The LP always has a feasible point (import and disposal are unbounded slacks, processes
//! may idle), so infeasibility cannot arise from a valid dataset; what can happen is an empty
//! region, an unbounded model (a process that earns money per unit with unlimited candidate
//! capacity and nothing it consumes), and a solve cut short by the time limit.
mod common;
use common::*;
use optimizer::generate::{SyntheticOptions, generate};
use optimizer::{Algorithm, SolveOptions, SolveStatus, SolverOptions};

#[test]
fn empty_region_is_optimal_with_zero_everything() {
    let ds = Builder::new()
        .material("A", 1.0, 1.0)
        .site("s", 0.0)
        .build();
    let r = solve(&ds);
    assert_eq!(r.status, SolveStatus::Optimal);
    assert_eq!(r.objective, Some(0.0));
    assert_eq!(r.baseline, 0.0);
    let k = r.kpis.unwrap();
    assert_eq!(k.secondary_input_rate, 0.0);
    assert!(r.flows.is_empty() && r.targets.is_empty());
}

#[test]
fn unbounded_model_reports_a_status() {
    let ds = Builder::new()
        .material("X", 0.0, 0.0)
        .site("s", 0.0)
        .process(
            "money-printer",
            "s",
            0.0,
            -5.0,
            Some(0.0),
            &[],
            &[("X", 1.0)],
        )
        .build();
    let r = solve(&ds);
    assert!(
        matches!(
            r.status,
            SolveStatus::Unbounded | SolveStatus::InfeasibleOrUnbounded
        ),
        "{:?}",
        r.status
    );
    assert!(r.objective.is_none() && r.flows.is_empty());
}

#[test]
fn zero_time_limit_reports_time_limit() {
    let ds = generate(&SyntheticOptions {
        sites: 3000,
        ..Default::default()
    });
    let options = SolveOptions {
        solver: SolverOptions {
            time_limit: Some(0.0),
            ..Default::default()
        },
        ..Default::default()
    };
    let r = optimizer::solve(&ds, &options).unwrap();
    assert_eq!(r.status, SolveStatus::TimeLimit);
    assert!(r.shadow_prices.is_none());
}

/// A region whose LP needs HiGHS (processes) and many pricing rounds: cut short, it still
/// returns the best plan found, feasible and no dearer than the baseline, and it uses the
/// time it was given (HiGHS's clock adds up over the warm re-solves of one model, so a limit
/// passed on naively would stop it at about half). HiGHS solves every part here
/// (`Algorithm::Highs`): with the default, the transport parts and the process part's start
/// go to the network simplex and this region certifies in about 5 s.
#[test]
fn a_time_limited_highs_solve_returns_its_best_plan_after_using_its_time() {
    let ds = generate(&SyntheticOptions {
        sites: 10_000,
        processes: 6,
        candidates: 3,
        ..Default::default()
    });
    let limit = 10.0;
    let options = SolveOptions {
        solver: SolverOptions {
            time_limit: Some(limit),
            algorithm: Algorithm::Highs,
            ..Default::default()
        },
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let r = optimizer::solve(&ds, &options).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(r.status, SolveStatus::TimeLimit);
    let objective = r.objective.expect("a plan");
    assert!(
        objective <= r.baseline + 1e-6 * r.baseline,
        "{objective} > {}",
        r.baseline
    );
    assert_mass_balance(&ds, &r);
    assert!(
        seconds >= 0.8 * limit,
        "stopped after {seconds:.2} s of a {limit} s limit"
    );
}
