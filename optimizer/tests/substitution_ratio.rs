//! One substitution at a ratio below 1: 1 t of waste A serves 0.5 t of demand for B.
//!
//! Sites on the equator, 1 degree apart: d = 111.195080 km; transport 0.1 per tkm, so a
//! tonne of A sent costs 11.1195080. Supply A = 150 t (disposal 10/t); demand B = 50 t
//! (import 100/t). Sending a tonne of A costs 11.1195 - 10 (disposal avoided) - 0.5 * 100
//! (import avoided) = -48.88 < 0, so A is sent until B is met: 100 t of A serve 50 t of B,
//! the other 50 t of A are disposed of.
//!   objective = 100 * 11.1195080 + 50 * 10 = 1611.95080
//!   baseline  = 50 * 100 + 150 * 10 = 6500
//! Shadow prices: the supply has slack going to disposal, so its dual is 10. For the demand,
//! the flow's reduced cost 11.1195080 - 10 - 0.5 * y_d = 0 gives y_d = 2.2390160.
mod common;
use common::*;

fn dataset() -> optimizer::Dataset {
    Builder::new()
        .material("A", 0.0, 10.0)
        .material("B", 100.0, 0.0)
        .site("s", 0.0)
        .site("d", 1.0)
        .supply("s", "A", 150.0)
        .demand("d", "B", 50.0)
        .substitution("A", "B", 0.5)
        .build()
}

#[test]
fn substitution_at_ratio_below_one_matches_hand_optimum() {
    let ds = dataset();
    let r = solve(&ds);
    assert_eq!(r.status, optimizer::SolveStatus::Optimal);
    assert_close(
        r.objective.unwrap(),
        100.0 * 0.1 * KM_PER_DEGREE + 500.0,
        "objective",
    );
    assert_close(r.baseline, 6500.0, "baseline");
    assert_eq!(r.flows.len(), 1);
    let f = &r.flows[0];
    assert_close(f.tonnes_sent, 100.0, "tonnes sent");
    assert_close(f.tonnes_served, 50.0, "tonnes served");
    assert_close(f.km, KM_PER_DEGREE, "km");
    assert_eq!(
        (f.material_sent.as_str(), f.material_served.as_str()),
        ("A", "B")
    );
    assert!(r.imports.is_empty());
    assert_close(r.disposals[0].disposed_t, 50.0, "disposed");
    let k = r.kpis.as_ref().unwrap();
    assert_close(k.imports_substituted_t, 50.0, "substituted");
    assert_close(k.diverted_from_disposal_t, 100.0, "diverted");
    assert_close(k.secondary_input_rate, 1.0, "circularity");
    assert_close(k.tonne_km, 100.0 * KM_PER_DEGREE, "tonne-km");
    assert_mass_balance(&ds, &r);
}

#[test]
fn shadow_prices_match_hand_duals() {
    let r = solve(&dataset());
    let prices = r.shadow_prices.unwrap();
    assert_close(prices.supplies[0].marginal_cost, 10.0, "supply dual");
    assert_close(
        prices.demands[0].marginal_cost,
        2.0 * (0.1 * KM_PER_DEGREE - 10.0),
        "demand dual",
    );
}

/// Each cost part by hand: 100 t hauled one degree, 50 t disposed of, nothing imported,
/// run or built, no CO2 price. (`solve` also checks the report's objective against the
/// LP's own objective of the plan.)
#[test]
fn objective_parts_are_the_hand_computed_ones() {
    let r = solve(&dataset());
    let p = r.objective_parts.unwrap();
    assert_close(p.transport, 100.0 * 0.1 * KM_PER_DEGREE, "transport");
    assert_close(p.disposal, 500.0, "disposal");
    for (part, what) in [
        (p.import, "import"),
        (p.process, "process"),
        (p.capex, "capex"),
        (p.co2, "co2"),
    ] {
        assert_close(part, 0.0, what);
    }
}
