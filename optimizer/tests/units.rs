//! Certified in any unit: the same region written with money in EUR or in millions (or any
//! power of ten from 1e-6 to 1e6), and without processes with tonnes in kt or in kg, has the
//! same optimum, within 1e-9 of it, on the network simplex, the generalised engine and HiGHS,
//! with pricing. And a hand-checked plan in MEUR:
//!
//! A supply of 100 t of W at S (lon 0 on the equator, disposal 3e-5 MEUR/t) and two demands
//! of 100 t of W: D1 at lon 0.13 (import 5e-5 MEUR/t), D2 at lon 0.23 (a request worth
//! 5.14e-5 MEUR/t). Transport 1e-7 MEUR/tkm, detour factor 1, no CO2.
//! - km: S-D1 = 0.13 x 111.19507973463 = 14.45536036550 km, S-D2 = 25.57486833897 km;
//!   hauls 1.445536e-6 and 2.557487e-6 MEUR/t.
//! - Serving D1 saves 5e-5 + 3e-5 - 1.445536e-6 = 7.855446e-5 MEUR/t; serving D2 saves
//!   5.14e-5 + 3e-5 - 2.557487e-6 = 7.884251e-5 MEUR/t: D2 wins by 2.88e-7 MEUR/t.
//! - The optimum sends the 100 t to D2 and imports D1's 100 t:
//!   100 x 2.557487e-6 + 100 x 5e-5 = 5.2557487e-3 MEUR/yr; the baseline (all imported and
//!   disposed of) is 100 x (5e-5 + 5.14e-5 + 3e-5) = 1.314e-2 MEUR/yr.
//!
//! Rounding costs to a fixed 1e-6 per tonne (what the network simplex once did) makes the
//! hauls 1 and 3 steps and D2's price 51 steps: serving D2 then looks one step worse, and the
//! plan sends the supply to D1 at 5.2845536e-3 MEUR/yr, 0.55 % above the optimum.
#![allow(clippy::unwrap_used)]
mod common;
use common::*;
use optimizer::generate::{SyntheticOptions, generate};
use optimizer::*;
use proptest::prelude::*;

/// `ds` with every amount of money multiplied by `factor`: prices, per-stream prices,
/// process and capacity costs, transport and border costs, the CO2 price.
fn money_times(ds: &Dataset, factor: f64) -> Dataset {
    let mut ds = ds.clone();
    ds.co2_price *= factor;
    ds.transport.cost_per_tkm *= factor;
    if let Some(border) = ds.border.as_mut() {
        border.cost_per_t *= factor;
    }
    for m in &mut ds.materials {
        m.import_cost *= factor;
        m.disposal_cost *= factor;
        if let Some(c) = m.transport_cost_per_tkm.as_mut() {
            *c *= factor;
        }
    }
    for stream in ds.supplies.iter_mut().chain(ds.demands.iter_mut()) {
        if let Some(c) = stream.unit_cost.as_mut() {
            *c *= factor;
        }
    }
    for p in &mut ds.processes {
        p.cost_per_unit *= factor;
        if let Some(c) = p.candidate_capex.as_mut() {
            *c *= factor;
        }
    }
    ds
}

/// `ds` (without processes) with every quantity multiplied by `factor` and every per-tonne
/// amount, of money or of CO2, divided by it, so the plan and its cost stay the same.
fn tonnes_times(ds: &Dataset, factor: f64) -> Dataset {
    assert!(ds.processes.is_empty());
    let mut ds = ds.clone();
    let per_tonne = 1.0 / factor;
    ds.transport.cost_per_tkm *= per_tonne;
    ds.transport.co2_kg_per_tkm *= per_tonne;
    if let Some(border) = ds.border.as_mut() {
        border.cost_per_t *= per_tonne;
    }
    for m in &mut ds.materials {
        m.import_cost *= per_tonne;
        m.disposal_cost *= per_tonne;
        m.import_co2_kg *= per_tonne;
        m.disposal_co2_kg *= per_tonne;
        for c in [
            &mut m.transport_cost_per_tkm,
            &mut m.transport_co2_kg_per_tkm,
        ]
        .into_iter()
        .flatten()
        {
            *c *= per_tonne;
        }
    }
    for stream in ds.supplies.iter_mut().chain(ds.demands.iter_mut()) {
        stream.quantity = Tonnes(stream.quantity.0 * factor);
        if let Some(c) = stream.unit_cost.as_mut() {
            *c *= per_tonne;
        }
    }
    ds
}

/// The certified objective of `ds`.
fn optimum(ds: &Dataset) -> f64 {
    let r = optimizer::solve(ds, &SolveOptions::default()).unwrap();
    assert_eq!(r.status, SolveStatus::Optimal);
    assert_eq!(r.stats.optimality_gap, Some(0.0), "certified");
    r.objective.unwrap()
}

fn assert_same(scaled: f64, reference: f64, what: &str) {
    assert!(
        (scaled - reference).abs() <= 1e-9 * reference.abs(),
        "{what}: {scaled} vs {reference} ({:e} relative)",
        (scaled - reference) / reference
    );
}

fn region(seed: u64, sites: usize, processes: usize, candidates: usize) -> Dataset {
    generate(&SyntheticOptions {
        sites,
        seed,
        processes,
        candidates,
        ..SyntheticOptions::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    /// Money in any power of ten: regions with and without recyclers (network simplex,
    /// generalised engine, HiGHS for the candidates), priced to the certificate.
    #[test]
    fn the_optimum_does_not_depend_on_the_unit_of_money(
        seed in 0u64..100_000,
        sites in 40usize..160,
        processes in 0usize..4,
        candidates in 0usize..3,
    ) {
        let ds = region(seed, sites, processes, candidates);
        let reference = optimum(&ds);
        for k in -6..=6 {
            let factor = 10f64.powi(k);
            let scaled = optimum(&money_times(&ds, factor)) / factor;
            assert_same(scaled, reference, &format!("money x 1e{k}"));
        }
    }

    /// Tonnes in any power of ten from kt to kg, on regions without processes.
    #[test]
    fn the_optimum_does_not_depend_on_the_unit_of_tonnes(
        seed in 0u64..100_000,
        sites in 40usize..300,
    ) {
        let ds = region(seed, sites, 0, 0);
        let reference = optimum(&ds);
        for k in -3..=3 {
            let scaled = optimum(&tonnes_times(&ds, 10f64.powi(k)));
            assert_same(scaled, reference, &format!("tonnes x 1e{k}"));
        }
    }
}

/// The scenario of the header, in MEUR and in EUR.
fn two_requests(money: f64) -> Dataset {
    let mut ds = Builder::new()
        .material("W", 5e-5, 3e-5)
        .site("S", 0.0)
        .site("D1", 0.13)
        .site("D2", 0.23)
        .supply("S", "W", 100.0)
        .demand("D1", "W", 100.0)
        .demand("D2", "W", 100.0)
        .build();
    ds.meta.currency = "MEUR".into();
    ds.transport.cost_per_tkm = 1e-7;
    ds.demands[1].unit_cost = Some(5.14e-5);
    money_times(&ds, money)
}

#[test]
fn a_plan_in_meur_is_the_hand_checked_optimum() {
    let km_d2 = 0.23 * KM_PER_DEGREE;
    let optimum_meur = 100.0 * 1e-7 * km_d2 + 100.0 * 5e-5;
    assert!(
        (optimum_meur - 5.255_748_7e-3).abs() < 1e-10,
        "{optimum_meur}"
    );
    for (money, unit) in [(1.0, "MEUR"), (1e6, "EUR")] {
        for options in [SolveOptions::default(), exact()] {
            let r = optimizer::solve(&two_requests(money), &options).unwrap();
            assert_eq!(r.status, SolveStatus::Optimal);
            let objective = r.objective.unwrap() / money;
            assert!(
                (objective - optimum_meur).abs() <= 1e-9 * optimum_meur,
                "{unit}: {objective} MEUR/yr, optimum {optimum_meur}"
            );
            assert!((r.baseline / money - 1.314e-2).abs() < 1e-15, "{unit}");
            assert_eq!(r.flows.len(), 1, "{unit}");
            let flow = &r.flows[0];
            assert_eq!(
                flow.to_site.as_str(),
                "D2",
                "{unit}: the dearer request is served"
            );
            assert!((flow.tonnes_sent - 100.0).abs() < 1e-9, "{unit}");
            assert_mass_balance(&two_requests(money), &r);
        }
    }
}

fn exact() -> SolveOptions {
    SolveOptions::from(SolveRequest {
        exact: true,
        ..Default::default()
    })
}
