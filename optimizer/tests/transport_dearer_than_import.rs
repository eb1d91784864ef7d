//! When hauling costs more than importing plus disposing, nothing is routed.
//!
//! Supply of A (disposal 0) at lon 0 and demand for A (import 10/t) at lon 10: 1111.95 km at
//! 0.1/tkm is 111.2 per t, far above the 10 saved. Optimum = baseline = 100 * 10 = 1000.
mod common;
use common::*;

#[test]
fn nothing_is_routed_when_transport_exceeds_the_saving() {
    let ds = Builder::new()
        .material("A", 10.0, 0.0)
        .site("s", 0.0)
        .site("d", 10.0)
        .supply("s", "A", 100.0)
        .demand("d", "A", 100.0)
        .build();
    let r = solve(&ds);
    assert_eq!(r.status, optimizer::SolveStatus::Optimal);
    assert!(r.flows.is_empty(), "{:?}", r.flows);
    assert_close(r.objective.unwrap(), 1000.0, "objective");
    assert_close(r.baseline, 1000.0, "baseline");
    assert_close(r.kpis.as_ref().unwrap().cost_saved, 0.0, "saved");
    assert_mass_balance(&ds, &r);
}

/// A haul limit below the distance removes the arc even when routing would pay.
#[test]
fn haul_limit_removes_long_arcs() {
    let mut ds = Builder::new()
        .material("A", 1000.0, 0.0)
        .site("s", 0.0)
        .site("d", 1.0)
        .supply("s", "A", 100.0)
        .demand("d", "A", 100.0)
        .build();
    assert_eq!(solve(&ds).flows.len(), 1);
    ds.materials[0].max_haul = Some(optimizer::Km(100.0)); // < 111.2 km
    let r = solve(&ds);
    assert!(r.flows.is_empty());
    assert_eq!(r.stats.candidate_arcs, 0);
}

/// A supply's own haul limit binds like the material's: a supply limited to 1 km sends
/// nothing to a demand 5.56 km away, though routing would pay (it used to be ignored).
#[test]
fn a_supply_limit_of_its_own_removes_long_arcs() {
    let mut ds = Builder::new()
        .material("A", 1000.0, 0.0)
        .site("s", 0.0)
        .site("d", 0.05) // 0.05 degrees of longitude on the equator: 5.56 km
        .supply("s", "A", 6.0)
        .demand("d", "A", 6.0)
        .build();
    let r = solve(&ds);
    assert_eq!(r.flows.len(), 1);
    assert!((r.flows[0].km - 5.5598).abs() < 1e-3, "{}", r.flows[0].km);
    ds.supplies[0].max_haul = Some(optimizer::Km(1.0));
    let r = solve(&ds);
    assert!(r.flows.is_empty(), "{:?}", r.flows);
    assert_close(r.objective.unwrap(), 6000.0, "everything imported");
    assert_mass_balance(&ds, &r);
}
