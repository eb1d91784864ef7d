//! Near-optimal alternatives (modelling to generate alternatives): each costs at most
//! `(1 + within)` x the optimum (checked against a separate solve), shares less with the
//! optimum than the optimum does with itself, and the plans are distinct; by hand on a
//! region with two equally good routes.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use optimizer::report::alternatives::shared_tonnes;
use optimizer::{Dataset, SolveOptions, SolveRequest, SolveResult, SolveStatus};

fn with_alternatives(count: usize, within: f64) -> SolveOptions {
    SolveRequest {
        alternatives: count,
        within: Some(within),
        ..Default::default()
    }
    .into()
}

/// A supply of 10 t at S (lon 0) and two demands of 10 t each, at A (lon 1) and B (lon -1):
/// the same haul either way (11.12 per t, saving 25). Import 20, disposal 5, so serving one
/// of them is worth 25 - 11.12 per t, and both routes are optimal. The optimum takes one;
/// the alternative, asked to avoid the optimum's flow at no extra cost, takes the other.
fn two_equal_routes() -> Dataset {
    Builder::new()
        .material("m", 20.0, 5.0)
        .site("S", 0.0)
        .site("A", 1.0)
        .site("B", -1.0)
        .supply("S", "m", 10.0)
        .demand("A", "m", 10.0)
        .demand("B", "m", 10.0)
        .build()
}

#[test]
fn two_equally_good_routes_give_the_other_one_at_no_extra_cost() {
    let ds = two_equal_routes();
    let r = optimizer::solve(&ds, &with_alternatives(1, 0.0)).unwrap();
    assert_eq!(r.status, SolveStatus::Optimal);
    let optimum = r.objective.unwrap();
    let expected = 10.0 * (0.1 * KM_PER_DEGREE) + 10.0 * 20.0;
    assert_close(optimum, expected, "optimum");
    assert_eq!(r.alternatives.len(), 1);
    let alt = &r.alternatives[0];
    assert_eq!(alt.status, SolveStatus::Optimal);
    assert_close(
        alt.objective.unwrap(),
        expected,
        "the other route costs the same",
    );
    assert_eq!(
        alt.shared_with_optimum, 0.0,
        "{:?} vs {:?}",
        alt.flows, r.flows
    );
    assert_eq!(alt.flows.len(), 1);
    assert_ne!(alt.flows[0].to_site, r.flows[0].to_site);
    assert!(
        alt.stats.optimality_gap.unwrap() < 1e-6,
        "certified: {:?}",
        alt.stats.optimality_gap
    );
}

/// With no slack and a unique optimum the alternative is the optimum itself: the cost cap
/// binds.
#[test]
fn without_slack_a_unique_optimum_has_no_other_plan() {
    let mut ds = two_equal_routes();
    ds.sites[2].lon = -2.0; // B further away: A's route is the only optimum
    let r = optimizer::solve(&ds, &with_alternatives(1, 0.0)).unwrap();
    let alt = &r.alternatives[0];
    assert!(alt.objective.unwrap() <= r.objective.unwrap() * (1.0 + 1e-9));
    assert_close(alt.shared_with_optimum, 1.0, "the same plan");
}

/// The checks every alternative must pass, the optimum from a separate solve.
fn check(ds: &Dataset, count: usize, within: f64) -> SolveResult {
    let separate = optimizer::solve(ds, &SolveOptions::default()).unwrap();
    let optimum = separate.objective.unwrap();
    let r = optimizer::solve(ds, &with_alternatives(count, within)).unwrap();
    assert_close(r.objective.unwrap(), optimum, "the optimum is the optimum");
    assert_eq!(r.alternatives.len(), count);
    let cap = optimum + within * optimum.abs();
    for (i, alt) in r.alternatives.iter().enumerate() {
        assert_eq!(alt.status, SolveStatus::Optimal);
        let cost = alt.objective.unwrap();
        assert!(
            cost <= cap + 1e-6 * cap.abs().max(1.0),
            "alternative {} costs {cost}, over the cap {cap}",
            i + 1
        );
        assert!(
            cost >= optimum - 1e-6 * optimum.abs().max(1.0),
            "cheaper than the optimum"
        );
        assert!(
            alt.shared_with_optimum < 1.0 - 1e-6,
            "alternative {} is the optimum again",
            i + 1
        );
        assert_close(
            alt.shared_with_optimum,
            shared_tonnes(&alt.flows, &r.flows),
            "share",
        );
        for earlier in &r.alternatives[..i] {
            assert!(
                shared_tonnes(&alt.flows, &earlier.flows) < 1.0 - 1e-6,
                "alternatives {} and {} are the same plan",
                earlier.rank,
                alt.rank
            );
        }
        assert!(
            alt.stats.optimality_gap.unwrap() < 1e-6,
            "certified: {:?}",
            alt.stats.optimality_gap
        );
    }
    r
}

#[test]
fn alternatives_on_a_generated_region_stay_within_the_cap_and_differ() {
    check(
        &optimizer::generate::uniform::generate(300, 3, false),
        3,
        0.05,
    );
}

#[test]
fn alternatives_with_recyclers_stay_within_the_cap_and_differ() {
    check(
        &optimizer::generate::uniform::generate(300, 4, true),
        2,
        0.02,
    );
}

#[test]
fn alternatives_on_finland() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/finland-2023");
    let ds = optimizer::input::load(&dir).unwrap();
    let r = check(&ds, 2, 0.05);
    assert!(r.alternatives[0].shared_with_optimum < 0.99);
}

#[test]
fn out_of_range_requests_are_refused() {
    assert!(optimizer::check_within(-0.1).is_err());
    assert!(optimizer::check_within(f64::NAN).is_err());
    assert!(optimizer::check_alternatives(optimizer::MOST_ALTERNATIVES + 1).is_err());
    assert_eq!(optimizer::check_within(0.05), Ok(0.05));
}
