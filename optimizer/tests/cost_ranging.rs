//! Cost ranging: each flow's `cost_margin` is how much dearer per tonne sent its haul could
//! get before the optimum moves tonnes off it. Checked by hand on a four-site line, and on
//! generated regions by re-solving the LP over every pair in range with HiGHS, the flow's
//! own cost raised by 1.01 x its margin (the flow loses tonnes) and, where the margin is
//! exact, 0.99 x (it keeps every tonne).
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use optimizer::lp::certificate::PlainLp;
use optimizer::report::flow_arcs;
use optimizer::{Dataset, SolveOptions, SolveRequest, SolveStatus};

fn ranging(exact: bool) -> SolveOptions {
    SolveRequest {
        exact,
        cost_ranging: true,
        ..Default::default()
    }
    .into()
}

/// The four sites of [`four_on_a_line`].
fn line() -> Dataset {
    four_on_a_line().build()
}

/// By hand. Taking a tonne off A -> B: A disposes of it (5) and B imports one (20), 25 in
/// all, against the 11.1195 the haul costs; or A sends it to C (33.3585), C imports one less
/// (-20) and B one more (20), 22.239 over the haul. So the haul may get dearer by
/// 25 - 11.1195 = 13.8805 per tonne before the plan drops it.
#[test]
fn hand_computed_margin_on_a_line() {
    let r = optimizer::solve(&line(), &ranging(false)).unwrap();
    assert_eq!(r.status, SolveStatus::Optimal);
    assert_eq!(r.flows.len(), 1, "{:?}", r.flows);
    let f = &r.flows[0];
    assert_eq!((f.from_site.as_str(), f.to_site.as_str()), ("A", "B"));
    assert_close(
        f.cost_margin.unwrap(),
        25.0 - 0.1 * KM_PER_DEGREE,
        "A -> B's margin",
    );
    assert_eq!(f.cost_margin_exact, Some(true));
}

/// Without ranging asked for, flows carry no margin.
#[test]
fn margins_only_when_asked() {
    let r = optimizer::solve(&line(), &SolveOptions::default()).unwrap();
    assert!(
        r.flows
            .iter()
            .all(|f| f.cost_margin.is_none() && f.cost_margin_exact.is_none())
    );
}

/// HiGHS's value of column `col` in `plain` with its cost raised by `by`.
fn highs_value(plain: &PlainLp, col: usize, by: f64) -> f64 {
    let mut cost = plain.cost.clone();
    cost[col] += by;
    highs_columns(plain, &cost)[col]
}

/// Whether raising arc `a`'s (column `col`'s) cost by 1.01 x its `margin` moves tonnes off
/// it, as it must even where the margin is an upper bound.
fn assert_margin_reached(plain: &PlainLp, col: usize, before: f64, margin: f64) {
    let above = highs_value(plain, col, margin * 1.01 + 1e-6);
    assert!(
        above < before - 1e-6,
        "column {col}: margin {margin}, raised by 1.01 x it still carries {above} of {before} t"
    );
}

/// Ranges `ds` over every pair in range and re-solves up to `samples` flows (spread over
/// them) with their cost raised. Returns how many exact margins were checked both ways.
fn check_margins(ds: &Dataset, samples: usize) -> usize {
    let solved = optimizer::solve_keeping_model(ds, &ranging(true)).unwrap();
    assert_eq!(solved.result.status, SolveStatus::Optimal);
    let x = solved.solution.primal.as_ref().unwrap();
    let arcs = flow_arcs(&solved.model.lp, x);
    let margins = optimizer::cost_margins(ds, &solved.model, &solved.solution, &arcs).unwrap();
    // The report carries the same margins.
    let mut reported: Vec<f64> = solved
        .result
        .flows
        .iter()
        .filter_map(|f| f.cost_margin)
        .collect();
    let mut found: Vec<f64> = margins.iter().filter_map(|m| m.per_tonne).collect();
    reported.sort_by(f64::total_cmp);
    found.sort_by(f64::total_cmp);
    assert_eq!(reported, found);
    let plain = PlainLp::from(&solved.model.lp);
    let layout = &solved.model.lp.layout;
    let ranged: Vec<_> = arcs
        .iter()
        .zip(&margins)
        .filter(|(_, m)| m.per_tonne.is_some_and(|g| g > 1e-3))
        .collect();
    assert!(!ranged.is_empty());
    // Every sampled margin must be reached (an upper bound is one too); exact ones, sampled
    // apart, must also be the least raise that moves tonnes.
    let exact: Vec<_> = ranged.iter().copied().filter(|(_, m)| m.exact).collect();
    for &(&a, m) in spread(&ranged, samples).iter() {
        let col = layout.flow(a).get();
        assert_margin_reached(&plain, col, x[col], m.per_tonne.unwrap());
    }
    let checked = spread(&exact, samples);
    for &(&a, m) in &checked {
        let col = layout.flow(a).get();
        let margin = m.per_tonne.unwrap();
        let before = x[col];
        assert_margin_reached(&plain, col, before, margin);
        let below = highs_value(&plain, col, margin * 0.99);
        assert!(
            (below - before).abs() <= 1e-6 * before.max(1.0),
            "arc {a:?}: margin {margin} (exact), raised by 0.99 x it carries {below}, not {before} t"
        );
    }
    checked.len()
}

/// Up to `samples` entries spread over `list`.
fn spread<T: Copy>(list: &[T], samples: usize) -> Vec<T> {
    let step = (list.len() / samples).max(1);
    list.iter().step_by(step).take(samples).copied().collect()
}

/// The peer instance spread over three times its side, so that flows compete with imports,
/// disposals and one another; hauls limited to 25 km (pairs worth routing reach about 40),
/// so that the LP over every pair in range stays small enough to re-solve many times.
fn sparse(seed: u64, recycler: bool) -> Dataset {
    let mut ds = optimizer::generate::uniform::generate(400, seed, recycler);
    for site in &mut ds.sites {
        site.lon *= 3.0;
        site.lat *= 3.0;
    }
    ds.transport.max_haul = Some(optimizer::Km(25.0));
    ds
}

#[test]
fn margins_hold_on_a_generated_region() {
    assert!(check_margins(&sparse(11, false), 8) >= 7);
    assert!(check_margins(&sparse(3, false), 8) >= 7);
}

/// With recyclers a margin may be an upper bound (a way that changes a process's activity
/// is not searched): raising the haul by more still moves tonnes off the flow.
#[test]
fn margins_hold_with_recyclers() {
    check_margins(&sparse(5, true), 8);
}
