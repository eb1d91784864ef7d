//! What-if sessions: after every revision the plan is a cold solve's of the revised
//! dataset (same objective to the certificate's tolerance, same status, mass balance), over
//! random sequences of revisions of every kind, on transport-only regions (the network
//! simplex refits its tree) and regions with recyclers (HiGHS goes on from its basis); bad
//! changes are refused by field and change nothing.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use optimizer::{
    Change, Dataset, Error, SolveOptions, SolveStatus, SolverOptions, StreamKind, WhatIf,
};
use proptest::prelude::*;

/// One revision drawn at random: which kind, and numbers to fill it from.
#[derive(Clone, Debug)]
struct Draw {
    kind: u8,
    index: usize,
    factor: f64,
}

fn draws() -> impl Strategy<Value = Vec<Vec<Draw>>> {
    let draw = (0u8..8, 0usize..10_000, 0.0f64..3.0).prop_map(|(kind, index, factor)| Draw {
        kind,
        index,
        factor,
    });
    prop::collection::vec(prop::collection::vec(draw, 1..6), 1..5)
}

/// The change a draw stands for, on `ds`.
fn change(ds: &Dataset, d: &Draw) -> Change {
    let supply = d.index % ds.supplies.len();
    let demand = d.index % ds.demands.len();
    match d.kind {
        0 => Change::Co2Price(100.0 * d.factor),
        1 => Change::TransportCost(0.05 + 0.1 * d.factor),
        2 => {
            let m = &ds.materials[d.index % ds.materials.len()];
            Change::MaterialPrice {
                material: m.id.clone(),
                import_cost: Some(m.import_cost * d.factor),
                disposal_cost: Some(m.disposal_cost * (1.5 - d.factor / 2.0)),
            }
        }
        3 => Change::Quantity {
            kind: StreamKind::Supply,
            index: supply,
            tonnes: ds.supplies[supply].quantity.0 * d.factor,
        },
        4 => Change::Quantity {
            kind: StreamKind::Demand,
            index: demand,
            tonnes: ds.demands[demand].quantity.0 * d.factor + 1.0,
        },
        5 => Change::StreamPrice {
            kind: StreamKind::Demand,
            index: demand,
            price: Some(20.0 * d.factor),
        },
        6 => Change::Remove {
            kind: if d.factor < 1.5 {
                StreamKind::Supply
            } else {
                StreamKind::Demand
            },
            index: d.index,
        }
        .clamped(ds),
        _ => {
            let site = &ds.sites[d.index % ds.sites.len()];
            if d.factor < 1.0 {
                Change::CloseSite(site.id.clone())
            } else {
                let m = &ds.materials[d.index % ds.materials.len()];
                Change::Add {
                    kind: StreamKind::Demand,
                    site: site.id.clone(),
                    material: m.id.clone(),
                    tonnes: 10.0 * d.factor,
                    price: None,
                }
            }
        }
    }
}

trait Clamped {
    fn clamped(self, ds: &Dataset) -> Change;
}

impl Clamped for Change {
    /// The same change with its index inside its list.
    fn clamped(self, ds: &Dataset) -> Change {
        match self {
            Change::Remove { kind, index } => Change::Remove {
                kind,
                index: index
                    % match kind {
                        StreamKind::Supply => ds.supplies.len(),
                        StreamKind::Demand => ds.demands.len(),
                    },
            },
            other => other,
        }
    }
}

/// Opens a session on `ds`, revises it by each batch of draws, and checks every plan
/// against a cold solve of the revised dataset.
fn revisions_match_cold_solves(ds: Dataset, batches: &[Vec<Draw>]) {
    let options = SolveOptions::default();
    let mut session = WhatIf::open(ds, options.clone()).unwrap();
    for batch in batches {
        let changes: Vec<Change> = batch.iter().map(|d| change(session.dataset(), d)).collect();
        let revised = session.revise(&changes, SolverOptions::default()).unwrap();
        let warm = revised.result.clone();
        let start = revised.start;
        if !changes.iter().any(Change::changes_structure) {
            assert_ne!(
                start, "rebuilt",
                "a revision of numbers goes on from the basis"
            );
        }
        let cold = optimizer::solve_monolithic(session.dataset(), &options).unwrap();
        assert_eq!(warm.status, cold.status, "{changes:?}");
        if cold.status == SolveStatus::Optimal {
            let (w, c) = (warm.objective.unwrap(), cold.objective.unwrap());
            // Both are certified to the relative gap; two certified optima agree within it.
            let tolerance = 4.0 * optimizer::RELATIVE_GAP * w.abs().max(c.abs()).max(1.0);
            assert!(
                (w - c).abs() <= tolerance,
                "revised from a kept basis ({start}): {w} against a cold solve's {c} after {changes:?}"
            );
            assert_mass_balance(session.dataset(), &warm);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn revisions_of_a_transport_region_equal_cold_solves(seed in 0u64..1000, batches in draws()) {
        revisions_match_cold_solves(optimizer::generate::uniform::generate(150, seed, false), &batches);
    }

    #[test]
    fn revisions_of_a_region_with_recyclers_equal_cold_solves(seed in 0u64..1000, batches in draws()) {
        revisions_match_cold_solves(optimizer::generate::uniform::generate(120, seed, true), &batches);
    }
}

#[test]
fn a_new_price_keeps_the_basis_and_moves_the_plan() {
    // S (lon 0) has 10 t; A (lon 1) wants 10 t at 20 per t, disposal 5: routing saves
    // 25 - 11.12 per t, so the optimum serves A. Import at 10 makes routing (11.12) dearer
    // than importing (10) and disposing (5) is not: 11.12 > 15 is false, so it still serves.
    // Import at 4: 11.12 > 9, so the revised plan imports and disposes instead.
    let ds = Builder::new()
        .material("m", 20.0, 5.0)
        .site("S", 0.0)
        .site("A", 1.0)
        .supply("S", "m", 10.0)
        .demand("A", "m", 10.0)
        .build();
    let mut session = WhatIf::open(ds, SolveOptions::default()).unwrap();
    assert_eq!(session.result().flows.len(), 1);
    let haul = 10.0 * 0.1 * KM_PER_DEGREE;
    let price = |import| Change::MaterialPrice {
        material: "m".into(),
        import_cost: Some(import),
        disposal_cost: None,
    };
    let revised = session
        .revise(&[price(10.0)], SolverOptions::default())
        .unwrap();
    assert_eq!(revised.start, "kept");
    assert!(revised.changes.added.is_empty() && revised.changes.removed.is_empty());
    assert_close(revised.result.objective.unwrap(), haul, "still served");
    let revised = session
        .revise(&[price(4.0)], SolverOptions::default())
        .unwrap();
    assert_eq!(revised.start, "kept");
    assert_eq!(revised.changes.removed.len(), 1);
    assert!(revised.result.flows.is_empty());
    assert_close(
        revised.result.objective.unwrap(),
        10.0 * 4.0 + 10.0 * 5.0,
        "imported and disposed of",
    );
    assert_close(
        revised.changes.objective_delta.unwrap(),
        90.0 - haul,
        "objective delta",
    );
}

#[test]
fn bad_changes_are_refused_by_field_and_change_nothing() {
    let ds = optimizer::generate::uniform::generate(60, 3, false);
    let mut session = WhatIf::open(ds, SolveOptions::default()).unwrap();
    let before = session.result().objective;
    let tonnes_before = session.dataset().supplies[0].quantity.0;
    let bad = [
        Change::Quantity {
            kind: StreamKind::Supply,
            index: 0,
            tonnes: 1.0,
        },
        Change::Co2Price(f64::NAN),
        Change::Quantity {
            kind: StreamKind::Demand,
            index: 99_999,
            tonnes: 1.0,
        },
        Change::CloseSite("nowhere".into()),
        Change::Quantity {
            kind: StreamKind::Supply,
            index: 1,
            tonnes: -4.0,
        },
    ];
    let Err(Error::Invalid(errors)) = session.revise(&bad, SolverOptions::default()) else {
        panic!("bad changes accepted");
    };
    let fields: Vec<String> = errors.iter().map(|e| e.location.field_path()).collect();
    assert_eq!(
        fields,
        [
            "changes[1].co2_price",
            "changes[2].index",
            "changes[3].site",
            "changes[4].tonnes"
        ]
    );
    assert_eq!(session.result().objective, before);
    assert_eq!(session.dataset().supplies[0].quantity.0, tonnes_before);
}

#[test]
fn streams_added_to_a_transport_region_carry_the_tree_over() {
    let ds = optimizer::generate::uniform::generate(200, 5, false);
    let options = SolveOptions::default();
    let mut session = WhatIf::open(ds, options.clone()).unwrap();
    let d = session.dataset();
    let add = |kind, i: usize| Change::Add {
        kind,
        site: d.sites[i].id.clone(),
        material: d.materials[0].id.clone(),
        tonnes: 40.0,
        price: None,
    };
    let changes = [
        add(StreamKind::Supply, 3),
        add(StreamKind::Demand, 17),
        add(StreamKind::Demand, 101),
        Change::Remove {
            kind: StreamKind::Supply,
            index: 0,
        },
    ];
    let revised = session.revise(&changes, SolverOptions::default()).unwrap();
    assert_eq!(revised.start, "extended");
    let warm = revised.result.clone();
    let cold = optimizer::solve_monolithic(session.dataset(), &options).unwrap();
    assert_close(
        warm.objective.unwrap(),
        cold.objective.unwrap(),
        "extended against cold",
    );
    assert_mass_balance(session.dataset(), &warm);
}

#[test]
fn streams_added_to_a_region_with_recyclers_keep_the_arcs() {
    let ds = optimizer::generate::uniform::generate(150, 9, true);
    let options = SolveOptions::default();
    let mut session = WhatIf::open(ds, options.clone()).unwrap();
    let d = session.dataset();
    let changes = [
        Change::Add {
            kind: StreamKind::Demand,
            site: d.sites[7].id.clone(),
            material: d.materials[0].id.clone(),
            tonnes: 60.0,
            price: None,
        },
        Change::Add {
            kind: StreamKind::Supply,
            site: d.sites[40].id.clone(),
            material: d.materials[1 % d.materials.len()].id.clone(),
            tonnes: 25.0,
            price: None,
        },
    ];
    let revised = session.revise(&changes, SolverOptions::default()).unwrap();
    assert_eq!(revised.start, "arcs kept");
    let warm = revised.result.clone();
    let cold = optimizer::solve_monolithic(session.dataset(), &options).unwrap();
    assert_close(
        warm.objective.unwrap(),
        cold.objective.unwrap(),
        "kept arcs against cold",
    );
    assert_mass_balance(session.dataset(), &warm);
}
