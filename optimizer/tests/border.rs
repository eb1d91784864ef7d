//! A border between two regions: its cost per tonne and its haul limit, hand-computed.
//!
//! Region A has waste W at lon 0 (100 t, disposal 50/t); region B demands W at lon 1
//! (100 t, import 80/t). The haul is one degree on the equator, 0.1 per tkm: 11.1195080 per
//! t. Sending a tonne saves 50 + 80 = 130 and costs the haul plus the border cost c:
//!   c = 0:   objective = 100 * 11.1195080            =  1,111.95080
//!   c = 30:  objective = 100 * (11.1195080 + 30)     =  4,111.95080
//!   c = 200: nothing crosses: 100 * 50 + 100 * 80    = 13,000
//! A border haul limit of 100 km (< 111.2) also stops the flow.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use optimizer::{Border, Km};

fn federation(border: Option<Border>) -> optimizer::Dataset {
    let a = Builder::new()
        .material("W", 80.0, 50.0)
        .site("a", 0.0)
        .supply("a", "W", 100.0)
        .build();
    let b = Builder::new()
        .material("W", 80.0, 50.0)
        .site("b", 1.0)
        .demand("b", "W", 100.0)
        .build();
    let parts = [("A".to_owned(), a), ("B".to_owned(), b)];
    optimizer::regions::federation::federate(&parts, border)
        .unwrap()
        .dataset
}

fn objective(border: Option<Border>) -> f64 {
    let r = solve(&federation(border));
    assert_eq!(r.status, optimizer::SolveStatus::Optimal);
    r.objective.unwrap()
}

fn cost(c: f64) -> Option<Border> {
    Some(Border {
        cost_per_t: c,
        max_haul: None,
    })
}

#[test]
fn the_border_cost_is_paid_per_tonne_on_top_of_the_haul() {
    let haul = 0.1 * KM_PER_DEGREE;
    assert_close(objective(None), 100.0 * haul, "no border rule");
    assert_close(objective(cost(0.0)), 100.0 * haul, "a free border");
    assert_close(objective(cost(30.0)), 100.0 * (haul + 30.0), "c = 30");
    assert_close(objective(cost(200.0)), 13_000.0, "c = 200");
    let r = solve(&federation(cost(30.0)));
    let f = &r.flows[0];
    assert_close(
        f.cost,
        100.0 * (haul + 30.0),
        "the flow's cost carries the border",
    );
    assert_close(
        f.co2_kg,
        0.0,
        "the border emits nothing (and trucking here neither)",
    );
}

#[test]
fn the_border_haul_limit_stops_longer_flows_across_only() {
    let limit = |km: f64| {
        Some(Border {
            cost_per_t: 0.0,
            max_haul: Some(Km(km)),
        })
    };
    assert_close(objective(limit(100.0)), 13_000.0, "111 km > 100 km");
    assert_close(
        objective(limit(120.0)),
        100.0 * 0.1 * KM_PER_DEGREE,
        "111 km <= 120 km",
    );
    // Pricing and the exact candidate set agree.
    let ds = federation(limit(100.0));
    let exact = optimizer::solve(
        &ds,
        &optimizer::SolveRequest {
            exact: true,
            ..Default::default()
        }
        .into(),
    )
    .unwrap();
    assert_close(exact.objective.unwrap(), 13_000.0, "exact");
}
