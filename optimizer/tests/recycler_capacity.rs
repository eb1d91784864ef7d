//! A recycler with a yield and a capacity that binds.
//!
//! Waste W (disposal 50/t) at a (lon 0), 1000 t; recycler r at lon 0.1 turns 1 t W into
//! 0.8 t of product P at 30 per unit, capacity 500 units; demand for P (import 400/t) at c
//! (lon 0.2), 600 t. Each hop is 0.1 degree = 11.1195080 km, 1.1119508 per t at 0.1/tkm.
//! A unit of activity: -50 (disposal avoided) + 1.11195 (haul in) + 30 + 0.8 * 1.11195
//! (haul out) - 0.8 * 400 (import avoided) = -338.0 < 0, so the recycler runs at its
//! capacity of 500: 500 t W in, 400 t P out, 200 t P imported, 500 t W disposed.
//!   objective = 900 * 1.1119508 + 500 * 30 + 200 * 400 + 500 * 50 = 121000.75572
//!   baseline  = 600 * 400 + 1000 * 50 = 290000
mod common;
use common::*;

fn dataset(capacity: f64, capex: Option<f64>) -> optimizer::Dataset {
    Builder::new()
        .material("W", 0.0, 50.0)
        .material("P", 400.0, 0.0)
        .site("a", 0.0)
        .site("r", 0.1)
        .site("c", 0.2)
        .supply("a", "W", 1000.0)
        .demand("c", "P", 600.0)
        .process(
            "rec",
            "r",
            capacity,
            30.0,
            capex,
            &[("W", 1.0)],
            &[("P", 0.8)],
        )
        .build()
}

#[test]
fn recycler_runs_at_binding_capacity() {
    let ds = dataset(500.0, None);
    let r = solve(&ds);
    let hop = 0.1 * 0.1 * KM_PER_DEGREE;
    assert_close(
        r.objective.unwrap(),
        900.0 * hop + 15_000.0 + 80_000.0 + 25_000.0,
        "objective",
    );
    assert_close(r.baseline, 290_000.0, "baseline");
    assert_close(r.processes[0].activity, 500.0, "activity");
    assert_close(r.imports[0].imported_t, 200.0, "import");
    assert_mass_balance(&ds, &r);
    let p = r.objective_parts.unwrap();
    assert_close(p.process, 15_000.0, "process cost");
    assert_close(p.capex, 0.0, "capex");
}

/// The same recycler as a candidate with no capacity, capex 20 per unit: each unit still
/// saves 318, so the LP sizes it to serve all of P: 750 units (600 t P), leaving 250 t W.
///   objective = (750 + 600) * 1.1119508 + 750 * 30 + 750 * 20 + 250 * 50 = 51501.13358
#[test]
fn candidate_capacity_is_sized_to_the_demand() {
    let ds = dataset(0.0, Some(20.0));
    let r = solve(&ds);
    let hop = 0.1 * 0.1 * KM_PER_DEGREE;
    assert_close(
        r.objective.unwrap(),
        1350.0 * hop + 22_500.0 + 15_000.0 + 12_500.0,
        "objective",
    );
    assert_close(r.processes[0].new_capacity, 750.0, "new capacity");
    assert!(r.imports.is_empty());
    let target = &r.targets[0];
    assert_eq!(target.material.as_str(), "P");
    assert_close(target.substituted_t, 600.0, "substituted");
    assert_eq!(target.new_capacity.len(), 1);
    assert_close(
        target.new_capacity[0].new_capacity,
        750.0,
        "target capacity",
    );
    assert_close(r.objective_parts.as_ref().unwrap().capex, 15_000.0, "capex");
    assert_mass_balance(&ds, &r);
}

/// With capex above the saving per unit (capex 400 > 338), no capacity is built.
#[test]
fn candidate_too_dear_is_not_built() {
    let ds = dataset(0.0, Some(400.0));
    let r = solve(&ds);
    assert_close(r.processes[0].new_capacity, 0.0, "new capacity");
    assert_close(
        r.objective.unwrap(),
        r.baseline,
        "objective equals baseline",
    );
}
