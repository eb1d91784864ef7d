//! Property tests on random small regions: whatever the data, the plan keeps mass balance
//! (supplies, demands, processes), respects haul limits, never costs more than the baseline,
//! its cost parts add up, the exact candidate set never does worse than k-nearest pruning,
//! and k-nearest pruning with pricing reaches exactly the exact optimum.
mod common;
use common::*;
use optimizer::*;
use optimizer::{SolveOptions, SolveRequest, SolveStatus};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Spec {
    sites: Vec<(f64, f64)>,
    materials: Vec<(f64, f64)>,
    supplies: Vec<(usize, usize, f64)>,
    demands: Vec<(usize, usize, f64)>,
    substitution: Option<f64>,
    process: Option<(usize, f64, f64, f64, Option<f64>)>,
    haul_limit: Option<f64>,
    co2_price: f64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec((24.0..25.0f64, 60.0..60.6f64), 2..8),
        prop::collection::vec((0.0..300.0f64, 0.0..120.0f64), 2..4),
        prop::collection::vec((0..8usize, 0..4usize, 0.0..1000.0f64), 1..8),
        prop::collection::vec((0..8usize, 0..4usize, 0.0..1000.0f64), 1..8),
        prop::option::of(0.2..1.5f64),
        prop::option::of((
            0..8usize,
            0.3..1.0f64,
            0.0..600.0f64,
            0.0..60.0f64,
            prop::option::of(0.0..80.0f64),
        )),
        prop::option::of(10.0..60.0f64),
        0.0..120.0f64,
    )
        .prop_map(
            |(
                sites,
                materials,
                supplies,
                demands,
                substitution,
                process,
                haul_limit,
                co2_price,
            )| Spec {
                sites,
                materials,
                supplies,
                demands,
                substitution,
                process,
                haul_limit,
                co2_price,
            },
        )
}

fn dataset(s: &Spec) -> Dataset {
    let nm = s.materials.len();
    let ns = s.sites.len();
    let mut b = Builder::new();
    for (i, &(import, disposal)) in s.materials.iter().enumerate() {
        b = b.material(&format!("m{i}"), import, disposal);
    }
    for (i, &(lon, _)) in s.sites.iter().enumerate() {
        b = b.site(&format!("s{i}"), lon);
    }
    let mut ds = b.build();
    for (site, &(_, lat)) in ds.sites.iter_mut().zip(&s.sites) {
        site.lat = lat;
    }
    ds.co2_price = s.co2_price;
    ds.transport.co2_kg_per_tkm = 0.1;
    ds.transport.detour_factor = 1.3;
    for m in &mut ds.materials {
        m.import_co2_kg = 500.0;
        m.disposal_co2_kg = 200.0;
    }
    ds.materials[0].max_haul = s.haul_limit.map(Km);
    let stream = |&(site, m, q): &(usize, usize, f64)| {
        Stream::new(SiteIdx::new(site % ns), MaterialIdx::new(m % nm), Tonnes(q))
    };
    ds.supplies = s.supplies.iter().map(stream).collect();
    ds.demands = s.demands.iter().map(stream).collect();
    if let Some(ratio) = s.substitution {
        ds.substitutions.push(Substitution {
            from: MaterialIdx::new(0),
            to: MaterialIdx::new(1),
            ratio,
        });
    }
    if let Some((site, yield_, capacity, cost, capex)) = s.process {
        ds.processes.push(Process {
            id: "p".into(),
            name: "Recycler".into(),
            route: Route::default(),
            site: SiteIdx::new(site % ns),
            capacity,
            cost_per_unit: cost,
            co2_kg_per_unit: 10.0,
            candidate_capex: capex,
            fixed_cost: 0.0,
            min_new_capacity: 0.0,
            max_new_capacity: None,
            inputs: vec![(MaterialIdx::new(0), 1.0)],
            outputs: vec![(MaterialIdx::new(nm - 1), yield_)],
        });
    }
    ds
}

fn solve_with(ds: &Dataset, k: usize, exact: bool, pricing: bool) -> optimizer::SolveResult {
    let options = SolveOptions::from(SolveRequest {
        k,
        exact,
        pricing,
        ..Default::default()
    });
    assert_objective_is_the_lps(ds, &options);
    optimizer::solve(ds, &options).expect("solver error")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn plans_keep_balance_limits_and_beat_the_baseline(s in spec()) {
        let ds = dataset(&s);
        let pruned = solve_with(&ds, 1, false, false);
        let exact = solve_with(&ds, 1, true, false);
        let priced = solve_with(&ds, 1, false, true);
        for r in [&pruned, &exact, &priced] {
            prop_assert_eq!(r.status, SolveStatus::Optimal);
            assert_mass_balance(&ds, r);
            let obj = r.objective.unwrap();
            let tol = 1e-6 * r.baseline.abs().max(1.0);
            prop_assert!(obj <= r.baseline + tol, "objective {} > baseline {}", obj, r.baseline);
            for f in &r.flows {
                let m = ds.materials.iter().position(|m| m.id == f.material_sent).unwrap();
                if let Some(limit) = ds.max_haul(MaterialIdx::new(m)) {
                    prop_assert!(f.km <= limit.0 + 1e-9, "flow of {} km over limit {}", f.km, limit.0);
                }
            }
        }
        let (e, p) = (exact.objective.unwrap(), pruned.objective.unwrap());
        prop_assert!(e <= p + 1e-6 * p.abs().max(1.0), "exact {} > pruned {}", e, p);
        // Decomposition by material groups changes nothing.
        let mono = optimizer::solve_monolithic(&ds, &SolveRequest { k: 1, ..Default::default() }.into()).unwrap();
        let m = mono.objective.unwrap();
        prop_assert!((m - e).abs() <= 1e-6 * e.abs().max(1.0), "monolithic {} != exact {}", m, e);
        // The dual certificate: pruning plus pricing reaches the exact optimum.
        let q = priced.objective.unwrap();
        prop_assert!((q - e).abs() <= 1e-6 * e.abs().max(1.0), "priced {} != exact {}", q, e);
    }
}
