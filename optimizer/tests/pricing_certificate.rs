//! Pruning to the k nearest pairs can miss the optimum; pricing the left-out pairs with the
//! balance duals recovers it exactly.
//!
//! Hand case (transport 0.1/tkm, sites on the equator, A: disposal 20/t, import 50/t):
//! supply S = 100 t at lon 0; supply S2 = 1 t at lon 0.5; demand N = 10 t at lon 0.01;
//! demand F = 90 t at lon 0.5 (same site as S2). With k = 1, S only sees its nearest demand N
//! and F only sees its nearest supply S2, so the pair S -> F is left out:
//!   k=1 objective = 10 * 0.0111195 (S->N) + 1 * 0 (S2->F) + 90 * 20 + 89 * 50 = 6251.1120
//! S -> F costs 0.1 * 55.5975 = 5.56/t against 70/t saved, so the exact optimum ships 89 t:
//!   exact objective = 10 * 0.0111195 + 89 * 5.5597540 + 1 * 20 = 515.9299
//! Pricing sees S -> F's reduced cost 5.56 - y_S (20) - y_F (50) < 0, adds it, re-solves once.
mod common;
use common::*;
use optimizer::{SolveOptions, SolveRequest};

fn with(k: usize, exact: bool, pricing: bool) -> SolveOptions {
    SolveRequest {
        k,
        exact,
        pricing,
        ..Default::default()
    }
    .into()
}

#[test]
fn pricing_recovers_the_exact_optimum_that_k_nearest_misses() {
    let ds = Builder::new()
        .material("A", 50.0, 20.0)
        .site("s", 0.0)
        .site("near", 0.01)
        .site("far", 0.5)
        .supply("s", "A", 100.0)
        .supply("far", "A", 1.0)
        .demand("near", "A", 10.0)
        .demand("far", "A", 90.0)
        .build();
    let per_t = |deg: f64| 0.1 * deg * KM_PER_DEGREE;
    let plain = optimizer::solve(&ds, &with(1, false, false)).unwrap();
    assert_close(
        plain.objective.unwrap(),
        10.0 * per_t(0.01) + 90.0 * 20.0 + 89.0 * 50.0,
        "k=1 objective",
    );
    let exact = optimizer::solve(&ds, &with(1, true, false)).unwrap();
    let expected = 10.0 * per_t(0.01) + 89.0 * per_t(0.5) + 20.0;
    assert_close(exact.objective.unwrap(), expected, "exact objective");
    let priced = optimizer::solve(&ds, &with(1, false, true)).unwrap();
    assert_close(priced.objective.unwrap(), expected, "priced objective");
    assert_eq!(priced.stats.pricing_rounds, 1);
    assert_eq!(priced.stats.arcs_added_by_pricing, 1);
    assert_mass_balance(&ds, &priced);
}

/// Over several rounds (each adding only a few pairs per source, under duals that move from
/// round to round) pricing still ends at the exact optimum, on plain matching (the network
/// simplex) and with recyclers in between (the generalised engine, started from the
/// transport tree). The recycler instances lose their direct scrap-to-feed substitution:
/// the transport start already prices that to its optimum, and feed served only through
/// the recyclers leaves the rounds to the whole part.
#[test]
fn pricing_over_many_rounds_reaches_the_exact_optimum() {
    for (seed, recycler) in [(11, false), (12, false), (13, true), (14, true)] {
        let mut ds = optimizer::generate::uniform::generate(400, seed, recycler);
        ds.substitutions.clear();
        let exact = optimizer::solve(&ds, &with(1, true, false)).unwrap();
        let priced = optimizer::solve(&ds, &with(1, false, true)).unwrap();
        assert!(
            priced.stats.pricing_rounds >= 3,
            "seed {seed}: {} rounds are too few to test rounds",
            priced.stats.pricing_rounds
        );
        assert_eq!(priced.stats.optimality_gap, Some(0.0));
        assert_close(
            priced.objective.unwrap(),
            exact.objective.unwrap(),
            &format!("seed {seed} priced objective"),
        );
        assert_mass_balance(&ds, &priced);
    }
}
