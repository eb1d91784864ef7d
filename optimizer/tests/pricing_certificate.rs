//! Pruning to the k nearest sinks can miss the optimum; pricing the left-out pairs with the
//! balance duals recovers it exactly.
//!
//! Hand case: 100 t of A at lon 0 (disposal 20/t); demand for A of 10 t at lon 0.01 and of
//! 90 t at lon 0.5 (import 50/t); transport 0.1/tkm. With k = 1 the supply only sees the
//! near demand, so 90 t are disposed of and 90 t imported:
//!   k=1 objective = 10 * 0.1 * 1.11195 + 90 * 20 + 90 * 50 = 6301.112
//! The far pair costs 0.1 * 55.5975 = 5.56/t against 70/t saved, so the exact optimum ships
//! it too: objective = 10 * 0.111195 + 90 * 5.559754 = 501.489. Pricing sees the far pair's
//! reduced cost 5.56 - y_supply (20) - y_demand (50) < 0, adds it, and re-solves once.
mod common;
use common::*;
use optimizer::{CandidateOptions, SolveOptions};

fn with(k: usize, exact: bool, price: bool) -> SolveOptions {
    SolveOptions {
        candidates: CandidateOptions { k, exact, price },
        ..Default::default()
    }
}

#[test]
fn pricing_recovers_the_exact_optimum_that_k_nearest_misses() {
    let ds = Builder::new()
        .material("A", 50.0, 20.0)
        .site("s", 0.0)
        .site("near", 0.01)
        .site("far", 0.5)
        .supply("s", "A", 100.0)
        .demand("near", "A", 10.0)
        .demand("far", "A", 90.0)
        .build();
    let per_t = |deg: f64| 0.1 * deg * KM_PER_DEGREE;
    let plain = optimizer::solve(&ds, &with(1, false, false)).unwrap();
    assert_close(
        plain.objective.unwrap(),
        10.0 * per_t(0.01) + 90.0 * 70.0,
        "k=1 objective",
    );
    let exact = optimizer::solve(&ds, &with(1, true, false)).unwrap();
    let expected = 10.0 * per_t(0.01) + 90.0 * per_t(0.5);
    assert_close(exact.objective.unwrap(), expected, "exact objective");
    let priced = optimizer::solve(&ds, &with(1, false, true)).unwrap();
    assert_close(priced.objective.unwrap(), expected, "priced objective");
    assert_eq!(priced.stats.pricing_rounds, 1);
    assert_eq!(priced.stats.arcs_added_by_pricing, 1);
    assert_mass_balance(&ds, &priced);
}
