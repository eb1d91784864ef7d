//! The KPIs' definitions on a hand-computed region: only recovery counts as diverted.
//!
//! Hazardous waste H (disposal 300/t) at a (lon 0), 1000 t. A stabilisation plant s at lon
//! 0.1 (route D9, capacity 600, 150 per unit) turns 1 t H into 0.6 t of mineral residue M;
//! a recycler at lon 0.1 for waste W (route R3, capacity 200, 10 per unit) turns 1 t W
//! into 1 t of product P. W (disposal 50/t) at a, 300 t; P demanded at c (lon 0.2), 250 t,
//! import 100/t. M disposal 15/t; nobody demands M.
//!
//! Hop = 0.1 degree = 11.1195080 km at 0.1/tkm: 1.1119508 per t.
//! - Stabilising 1 t of H: -300 + 1.11195 + 150 + 0.6 * 15 = -139.9 < 0: all 600 units run;
//!   400 t H disposed of.
//! - Recycling 1 t of W: -50 + 1.11195 + 10 + 1.11195 - 100 = -137.8 < 0: 200 units run,
//!   100 t W disposed of, 50 t P imported. Sending W straight to the demand is impossible
//!   (no substitution).
//!
//! Supplied 1300 t; diverted to recovery only the 200 t of W into the recycler (the 600 t
//! into stabilisation are a disposal operation): recovery rate 200 / 1300.
//! Demanded 250 t, 200 t met locally: secondary input rate 0.8.
mod common;
use common::*;

fn dataset() -> optimizer::Dataset {
    let ds = Builder::new()
        .material("H", 0.0, 300.0)
        .material("M", 0.0, 15.0)
        .material("W", 0.0, 50.0)
        .material("P", 100.0, 0.0)
        .site("a", 0.0)
        .site("s", 0.1)
        .site("c", 0.2)
        .supply("a", "H", 1000.0)
        .supply("a", "W", 300.0)
        .demand("c", "P", 250.0)
        .process(
            "stab",
            "s",
            600.0,
            150.0,
            None,
            &[("H", 1.0)],
            &[("M", 0.6)],
        )
        .process("rec", "s", 200.0, 10.0, None, &[("W", 1.0)], &[("P", 1.0)])
        .build();
    with_route(with_route(ds, "stab", "D9"), "rec", "R3")
}

#[test]
fn diverted_counts_recovery_only() {
    let ds = dataset();
    let r = solve(&ds);
    assert_eq!(r.status, optimizer::SolveStatus::Optimal);
    let k = r.kpis.as_ref().unwrap();
    assert_close(k.total_supply_t, 1300.0, "supply");
    assert_close(k.diverted_from_disposal_t, 200.0, "diverted");
    assert_close(k.recovery_rate, 200.0 / 1300.0, "recovery rate");
    assert_close(k.imports_substituted_t, 200.0, "substituted");
    assert_close(k.secondary_input_rate, 0.8, "secondary input rate");
    let stabilised: f64 = r
        .processes
        .iter()
        .filter(|p| p.id.as_str() == "stab")
        .map(|p| p.activity)
        .sum();
    assert_close(stabilised, 600.0, "stabilised");
    assert_mass_balance(&ds, &r);
}

#[test]
fn the_same_plant_marked_recovery_counts_as_diverted() {
    let ds = with_route(dataset(), "stab", "recovery");
    let k = solve(&ds).kpis.unwrap();
    assert_close(k.diverted_from_disposal_t, 800.0, "diverted");
}

#[test]
fn the_baseline_is_stated_in_words() {
    let r = solve(&dataset());
    assert!(
        r.baseline_description
            .contains("every supply is disposed of")
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["baseline_description"], r.baseline_description);
    for d in optimizer::report::KPI_DEFINITIONS {
        assert!(
            json["kpis"].get(d.key).is_some(),
            "KPI definition {} names no KPI",
            d.key
        );
    }
}

#[test]
fn route_codes_parse_and_bad_ones_are_refused() {
    use optimizer::RouteKind;
    let kind = |t: &str| optimizer::Route::parse(t).map(|r| r.kind);
    assert_eq!(kind("R12"), Some(RouteKind::Recovery));
    assert_eq!(kind("d9"), Some(RouteKind::Disposal));
    assert_eq!(kind("Disposal"), Some(RouteKind::Disposal));
    assert_eq!(kind("R14"), None);
    assert_eq!(kind("D0"), None);
    assert_eq!(kind("landfill"), None);
}
