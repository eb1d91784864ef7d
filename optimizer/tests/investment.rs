//! Investment decisions by hand: opening a candidate is a yes/no decision once it has a
//! start-up cost (`fixed_cost`), a smallest size or a limit on openings, and the plan pays
//! the fixed cost only for what it opens.
//!
//! The region (sites on the equator, one degree = 111.195080 km, transport 0.1 per tkm): 100 t
//! of waste W at S (lon 0, disposal 50 per t) and a demand of 100 t of product P at S (import
//! 100 per t). A recycler turns 1 t of W into 1 t of P per unit of activity, at no running
//! cost; a candidate has no existing capacity and pays 1 per unit/yr of new capacity.
//! Baseline: 100 x 50 + 100 x 100 = 15,000. A recycler at distance d degrees hauls W out and
//! P back: 0.2 x d x 111.195 per unit. Each unit run saves 150 (disposal and import) less its
//! haul and capex.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use optimizer::{Dataset, SolveResult, SolveStatus};

const BASELINE: f64 = 15_000.0;

/// The region with recycler candidates at `sites` (id, lon).
fn region(candidates: &[(&str, f64)]) -> Dataset {
    let mut b = Builder::new()
        .material("W", 0.0, 50.0)
        .material("P", 100.0, 0.0)
        .site("S", 0.0);
    for &(id, lon) in candidates {
        b = b.site(&format!("at-{id}"), lon);
    }
    b = b.supply("S", "W", 100.0).demand("S", "P", 100.0);
    for &(id, _) in candidates {
        b = b.process(
            id,
            &format!("at-{id}"),
            0.0,
            0.0,
            Some(1.0),
            &[("W", 1.0)],
            &[("P", 1.0)],
        );
    }
    b.build()
}

fn set(ds: &mut Dataset, id: &str, change: impl FnOnce(&mut optimizer::Process)) {
    let p = ds
        .processes
        .iter_mut()
        .find(|p| p.id.as_str() == id)
        .expect("a process");
    change(p);
}

fn process<'a>(r: &'a SolveResult, id: &str) -> &'a optimizer::report::ProcessUse {
    r.processes
        .iter()
        .find(|p| p.id.as_str() == id)
        .expect("reported")
}

fn solved(ds: &Dataset) -> SolveResult {
    let r = solve(ds);
    assert_eq!(r.status, SolveStatus::Optimal);
    assert_close(r.baseline, BASELINE, "baseline");
    assert_mass_balance(ds, &r);
    r
}

/// Near (0.1 degree away) would be the LP's choice, but starting it costs 5,000 a year and
/// starting Far (1 degree away) 1,000: Far opens, 100 units.
/// objective = 100 x 0.2 x 111.195 (haul) + 100 (capex) + 1,000 (fixed) = 3,323.90.
#[test]
fn a_start_up_cost_makes_the_farther_site_the_better_choice() {
    let mut ds = region(&[("near", 0.1), ("far", 1.0)]);
    set(&mut ds, "near", |p| p.fixed_cost = 5_000.0);
    set(&mut ds, "far", |p| p.fixed_cost = 1_000.0);
    let r = solved(&ds);
    assert_close(
        r.objective.unwrap(),
        20.0 * KM_PER_DEGREE + 1_100.0,
        "objective",
    );
    assert_eq!(process(&r, "far").opened, Some(true));
    assert_eq!(process(&r, "near").opened, Some(false));
    assert_close(process(&r, "far").new_capacity, 100.0, "far's new capacity");
    assert_close(
        process(&r, "far").fixed_cost,
        1_000.0,
        "far's fixed cost paid",
    );
    assert_close(
        r.objective_parts.as_ref().unwrap().capex,
        1_100.0,
        "capex and fixed cost",
    );
    assert!(
        r.stats.mip_gap.is_some_and(|g| g <= 1e-4),
        "{:?}",
        r.stats.mip_gap
    );
    // Without start-up costs the LP takes the nearer site: 2 x 0.1 x 0.1 x 111.195 x 100 + 100.
    let lp = solved(&region(&[("near", 0.1), ("far", 1.0)]));
    assert_close(
        lp.objective.unwrap(),
        2.0 * KM_PER_DEGREE + 100.0,
        "LP objective",
    );
    assert_eq!(process(&lp, "near").opened, None);
    assert_eq!(lp.stats.mip_gap, None);
}

/// A budget of 1,050 a year leaves Far 50 units after its 1,000 start-up cost:
/// objective = 15,000 + 1,000 - 50 x (150 - 22.239 - 1) = 9,661.95.
#[test]
fn a_binding_budget_sizes_the_opening() {
    let mut ds = region(&[("far", 1.0)]);
    set(&mut ds, "far", |p| p.fixed_cost = 1_000.0);
    ds.investment.budget = Some(1_050.0);
    let r = solved(&ds);
    let per_unit = 150.0 - 0.2 * KM_PER_DEGREE - 1.0;
    assert_close(
        r.objective.unwrap(),
        BASELINE + 1_000.0 - 50.0 * per_unit,
        "objective",
    );
    assert_close(
        process(&r, "far").new_capacity,
        50.0,
        "new capacity within the budget",
    );
    // A budget below what opening costs opens nothing, and the plan is still optimal.
    ds.investment.budget = Some(999.0);
    let r = solved(&ds);
    assert_eq!(process(&r, "far").opened, Some(false));
    assert_close(r.objective.unwrap(), BASELINE, "nothing opened");
}

/// Far must be built at 20,000 units or not at all: 1,000 + 20,000 + 2,223.90 of haul is
/// more than the 15,000 it saves, so it stays closed. At 5,000 units it pays:
/// 1,000 + 5,000 + 2,223.90 = 8,223.90. A budget below the smallest size opens nothing.
#[test]
fn a_smallest_size_can_make_opening_not_worth_it() {
    let mut ds = region(&[("far", 1.0)]);
    set(&mut ds, "far", |p| {
        (p.fixed_cost, p.min_new_capacity) = (1_000.0, 20_000.0);
    });
    let r = solved(&ds);
    assert_eq!(process(&r, "far").opened, Some(false));
    assert_close(r.objective.unwrap(), BASELINE, "closed");
    set(&mut ds, "far", |p| p.min_new_capacity = 5_000.0);
    let r = solved(&ds);
    assert_eq!(process(&r, "far").opened, Some(true));
    assert_close(
        process(&r, "far").new_capacity,
        5_000.0,
        "the smallest size",
    );
    assert_close(
        r.objective.unwrap(),
        6_000.0 + 20.0 * KM_PER_DEGREE,
        "opened at 5,000",
    );
    ds.investment.budget = Some(3_000.0);
    let r = solved(&ds);
    assert_eq!(process(&r, "far").opened, Some(false));
    assert_close(
        r.objective.unwrap(),
        BASELINE,
        "the budget is below the smallest size",
    );
}

/// Two waste streams, each with its own recycler at S (no haul): R1 takes 100 t of W1 into
/// P1 (saves 100 x 149 - 1,000 = 13,900), R2 50 t of W2 into P2 (50 x 149 - 1,000 = 6,450).
/// Baseline 22,500. One opening allowed: R1, 8,600; without the limit both, 2,150.
#[test]
fn a_limit_on_openings_takes_the_most_valuable() {
    let ds = || {
        let mut ds = Builder::new()
            .material("W1", 0.0, 50.0)
            .material("P1", 100.0, 0.0)
            .material("W2", 0.0, 50.0)
            .material("P2", 100.0, 0.0)
            .site("S", 0.0)
            .supply("S", "W1", 100.0)
            .demand("S", "P1", 100.0)
            .supply("S", "W2", 50.0)
            .demand("S", "P2", 50.0)
            .process(
                "r1",
                "S",
                0.0,
                0.0,
                Some(1.0),
                &[("W1", 1.0)],
                &[("P1", 1.0)],
            )
            .process(
                "r2",
                "S",
                0.0,
                0.0,
                Some(1.0),
                &[("W2", 1.0)],
                &[("P2", 1.0)],
            )
            .build();
        for p in &mut ds.processes {
            p.fixed_cost = 1_000.0;
        }
        ds
    };
    let free = solve(&ds());
    assert_close(free.objective.unwrap(), 2_150.0, "both open");
    let mut limited = ds();
    limited.investment.max_new_processes = Some(1);
    let r = solve(&limited);
    assert_eq!(r.status, SolveStatus::Optimal);
    assert_close(r.objective.unwrap(), 8_600.0, "one opening");
    assert_eq!(process(&r, "r1").opened, Some(true));
    assert_eq!(process(&r, "r2").opened, Some(false));
}

/// A candidate with 60 units of existing capacity runs them without opening; opening for
/// the other 40 would save 40 x 149 = 5,960, less than its 10,000 start-up cost.
/// objective = 15,000 - 60 x 150 = 6,000.
#[test]
fn existing_capacity_of_a_candidate_runs_without_opening() {
    let mut ds = region(&[("here", 0.0)]);
    set(&mut ds, "here", |p| {
        (p.capacity, p.fixed_cost) = (60.0, 10_000.0)
    });
    let r = solved(&ds);
    let here = process(&r, "here");
    assert_eq!(here.opened, Some(false));
    assert_close(here.activity, 60.0, "existing capacity used");
    assert_close(here.new_capacity, 0.0, "no new capacity");
    assert_close(r.objective.unwrap(), 6_000.0, "objective");
}

mod against_enumeration {
    use super::*;
    use optimizer::generate::{SyntheticOptions, generate};
    use proptest::prelude::*;

    /// The optimum over every choice of openings, each an LP: the candidates left closed
    /// keep only their existing capacity, the opened ones pay their fixed cost up front.
    fn enumerated(ds: &Dataset) -> f64 {
        let candidates: Vec<usize> = (0..ds.processes.len())
            .filter(|&i| ds.processes[i].candidate_capex.is_some())
            .collect();
        (0..1u32 << candidates.len())
            .map(|open| {
                let mut choice = ds.clone();
                let mut fixed = 0.0;
                for (bit, &i) in candidates.iter().enumerate() {
                    let p = &mut choice.processes[i];
                    if open & (1 << bit) == 0 {
                        p.candidate_capex = None;
                    } else {
                        fixed += p.fixed_cost;
                    }
                    p.fixed_cost = 0.0;
                }
                let r = solve(&choice);
                assert_eq!(r.status, SolveStatus::Optimal);
                r.objective.unwrap() + fixed
            })
            .fold(f64::INFINITY, f64::min)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// On generated regions with recyclers and candidates given start-up costs, the
        /// priced MIP reaches the best of every choice of openings, within its gap.
        #[test]
        fn the_mip_equals_the_best_choice_of_openings(
            seed in 0u64..10_000,
            sites in 40usize..120,
            fixed in prop::collection::vec(0.0..200_000.0f64, 3),
        ) {
            let mut ds = generate(&SyntheticOptions {
                sites,
                seed,
                processes: 2,
                candidates: 3,
                ..SyntheticOptions::default()
            });
            let candidates = ds.processes.iter_mut().filter(|p| p.candidate_capex.is_some());
            for (p, &f) in candidates.zip(&fixed) {
                p.fixed_cost = f;
            }
            let r = solve(&ds);
            prop_assert_eq!(r.status, SolveStatus::Optimal);
            let best = enumerated(&ds);
            let objective = r.objective.unwrap();
            let tolerance = 1e-4 * best.abs().max(1.0) + 1e-6;
            prop_assert!(objective >= best - 1e-6 * best.abs().max(1.0), "{} below the best {}", objective, best);
            prop_assert!(objective <= best + tolerance, "{} above the best {}", objective, best);
        }
    }
}

/// A decided region cancelled part-way (here 300 ms in, long before its MIP rounds end)
/// stops and still reports a plan no dearer than the baseline, as time-limited: the MIP
/// listens to the cancel token through HiGHS's interrupt callback, not only to a time limit
/// (none is set here).
#[test]
fn a_cancelled_decision_stops_with_a_plan() {
    use optimizer::generate::{SyntheticOptions, generate};
    let mut ds = generate(&SyntheticOptions {
        sites: 3_000,
        seed: 1,
        processes: 6,
        candidates: 20,
        ..SyntheticOptions::default()
    });
    for p in ds
        .processes
        .iter_mut()
        .filter(|p| p.candidate_capex.is_some())
    {
        p.fixed_cost = 50_000.0;
    }
    let options = optimizer::SolveOptions::default();
    let cancel = options.solver.cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        cancel.cancel();
    });
    let r = optimizer::solve(&ds, &options).unwrap();
    stopper.join().unwrap();
    assert_eq!(r.status, SolveStatus::TimeLimit);
    let objective = r.objective.expect("a plan");
    assert!(
        objective <= r.baseline + 1e-6 * r.baseline,
        "{objective} vs {}",
        r.baseline
    );
}

/// What each opening is worth (`value_openings`), by hand on the two sites of the first
/// scenario: Far open is the plan (3,323.90); Far closed leaves Near, 5,000 + 100 + 222.39
/// = 5,322.39. Near open costs the same 5,322.39 (Far then adds nothing); Near closed is the
/// plan.
#[test]
fn each_opening_is_valued_open_and_closed() {
    let mut ds = region(&[("near", 0.1), ("far", 1.0)]);
    set(&mut ds, "near", |p| p.fixed_cost = 5_000.0);
    set(&mut ds, "far", |p| p.fixed_cost = 1_000.0);
    let options = optimizer::SolveRequest {
        value_openings: true,
        ..Default::default()
    };
    let r = optimizer::solve(&ds, &options.into()).unwrap();
    let plan = 20.0 * KM_PER_DEGREE + 1_100.0;
    let near_only = 2.0 * KM_PER_DEGREE + 5_100.0;
    let far = process(&r, "far");
    assert_close(far.objective_if_open.unwrap(), plan, "far open");
    assert_close(far.objective_if_closed.unwrap(), near_only, "far closed");
    let near = process(&r, "near");
    assert_close(near.objective_if_open.unwrap(), near_only, "near open");
    assert_close(near.objective_if_closed.unwrap(), plan, "near closed");
    // Not asked for: not computed.
    assert_eq!(process(&solve(&ds), "far").objective_if_open, None);
}
