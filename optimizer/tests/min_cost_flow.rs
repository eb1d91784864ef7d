//! The min-cost flow solver against HiGHS: on random networks (negative costs, tight
//! capacities) the cost-scaling optimum equals HiGHS's LP optimum exactly (integer data), the
//! flow is feasible and the prices certify it; on random transportation regions the `auto`
//! path (min-cost flow) and the `highs` path give the same optimum within the documented
//! rounding bound, with duals that agree with complementary slackness.
mod common;
use common::*;
use highs::{ColProblem, Sense};
use optimizer::domain::*;
use optimizer::mcf::{self, FlowProblem, FlowStatus};
use optimizer::{Algorithm, CandidateOptions, SolveOptions, SolveStatus, SolverOptions};
use proptest::prelude::*;

/// A random network with supplies made from a random feasible flow, so a feasible flow
/// always exists.
fn network() -> impl Strategy<Value = FlowProblem> {
    (2..12usize)
        .prop_flat_map(|n| {
            let arc = (0..n as u32, 0..n as u32, 0..20i64, -30..60i64, 0.0..1.0f64);
            (Just(n), prop::collection::vec(arc, 1..40))
        })
        .prop_map(|(n, arcs)| {
            let mut p = FlowProblem {
                supply: vec![0; n],
                ..Default::default()
            };
            for (u, v, cap, cost, share) in arcs {
                if u == v {
                    continue;
                }
                let f = (cap as f64 * share).floor() as i64;
                p.supply[u as usize] += f;
                p.supply[v as usize] -= f;
                p.add_arc(u, v, cap, cost);
            }
            p
        })
}

/// HiGHS's optimum of the same network as an LP.
fn highs_optimum(p: &FlowProblem) -> f64 {
    let mut lp = ColProblem::default();
    let rows: Vec<_> = p
        .supply
        .iter()
        .map(|&b| lp.add_row(b as f64..=b as f64))
        .collect();
    for a in 0..p.tail.len() {
        lp.add_column(
            p.cost[a] as f64,
            0.0..=p.cap[a] as f64,
            [
                (rows[p.tail[a] as usize], 1.0),
                (rows[p.head[a] as usize], -1.0),
            ],
        );
    }
    let mut model = highs::Model::new(lp);
    model.set_sense(Sense::Minimise);
    let solved = model.solve();
    if solved.status() == highs::HighsModelStatus::ModelEmpty {
        return 0.0;
    }
    assert_eq!(solved.status(), highs::HighsModelStatus::Optimal);
    let x = solved.get_solution().columns().to_vec();
    x.iter().zip(&p.cost).map(|(x, &c)| x * c as f64).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn cost_scaling_equals_highs_on_random_networks(p in network()) {
        let solution = mcf::solve(&p, None).unwrap();
        prop_assert_eq!(solution.status, FlowStatus::Optimal);
        let flow = solution.flow.as_ref().unwrap();
        // Feasible: capacities and node balances.
        let mut balance = p.supply.clone();
        for a in 0..p.tail.len() {
            prop_assert!(flow[a] >= 0 && flow[a] <= p.cap[a]);
            balance[p.tail[a] as usize] -= flow[a];
            balance[p.head[a] as usize] += flow[a];
        }
        prop_assert!(balance.iter().all(|&b| b == 0), "unbalanced {:?}", balance);
        // Optimal: equal to HiGHS, and certified by the prices (no residual arc with
        // reduced cost below -1/(n+1)).
        let cost = solution.cost(&p).unwrap() as f64;
        let reference = highs_optimum(&p);
        prop_assert!((cost - reference).abs() < 1e-6, "cost scaling {} != HiGHS {}", cost, reference);
        let slack = 1.0 / (p.supply.len() as f64 + 1.0) + 1e-9;
        for a in 0..p.tail.len() {
            let reduced = p.cost[a] as f64 + solution.price[p.tail[a] as usize]
                - solution.price[p.head[a] as usize];
            if flow[a] < p.cap[a] {
                prop_assert!(reduced >= -slack, "arc {} forward reduced {}", a, reduced);
            }
            if flow[a] > 0 {
                prop_assert!(reduced <= slack, "arc {} backward reduced {}", a, reduced);
            }
        }
    }
}

#[test]
fn hand_computed_network() {
    // Supplies 0 and 1 (5 each), demands 2 and 3 (5 each). Every plan is a mix of
    // {0->2, 1->3} = 5*1 + 5*9 = 50 and {0->3, 1->2} = 5*3 + 5*2 = 25; the second is optimal
    // even though 0->2 is the cheapest arc (a greedy plan would take it).
    let mut p = FlowProblem {
        supply: vec![5, 5, -5, -5],
        ..Default::default()
    };
    p.add_arc(0, 2, 10, 1);
    p.add_arc(1, 3, 10, 9);
    p.add_arc(0, 3, 10, 3);
    p.add_arc(1, 2, 10, 2);
    let solution = mcf::solve(&p, None).unwrap();
    assert_eq!(solution.status, FlowStatus::Optimal);
    assert_eq!(solution.cost(&p), Some(25));
    assert_eq!(solution.flow, Some(vec![0, 0, 5, 5]));
}

#[test]
fn infeasible_network_is_a_status() {
    // Node 0 must send 5 but its only arc carries 3.
    let mut p = FlowProblem {
        supply: vec![5, -5],
        ..Default::default()
    };
    p.add_arc(0, 1, 3, 1);
    assert_eq!(mcf::solve(&p, None).unwrap().status, FlowStatus::Infeasible);
    // Supplies that do not sum to zero.
    let q = FlowProblem {
        supply: vec![5, -4],
        ..Default::default()
    };
    assert_eq!(mcf::solve(&q, None).unwrap().status, FlowStatus::Infeasible);
}

#[test]
fn costs_that_would_overflow_are_refused() {
    let mut p = FlowProblem {
        supply: vec![1, -1],
        ..Default::default()
    };
    p.add_arc(0, 1, 1, i64::MAX / 4);
    assert!(mcf::solve(&p, None).is_err());
}

/// A random one- or two-material region without processes (a pure transportation problem),
/// optionally with a ratio-1 substitution.
fn region() -> impl Strategy<Value = Dataset> {
    (
        prop::collection::vec((24.0..25.0f64, 60.0..60.6f64), 2..10),
        prop::collection::vec((0..10usize, 0..2usize, 0.0..500.0f64), 1..12),
        prop::collection::vec((0..10usize, 0..2usize, 0.0..500.0f64), 1..12),
        (1.0..80.0f64, 0.0..80.0f64, 0.05..3.0f64),
        any::<bool>(),
    )
        .prop_map(
            |(sites, supplies, demands, (import, disposal, tkm), substitute)| {
                let mut b = Builder::new().material("m0", import, disposal).material(
                    "m1",
                    import + 7.0,
                    disposal,
                );
                for (i, &(lon, _)) in sites.iter().enumerate() {
                    b = b.site(&format!("s{i}"), lon);
                }
                let n = sites.len();
                for &(s, m, q) in &supplies {
                    b = b.supply(&format!("s{}", s % n), &format!("m{m}"), q);
                }
                for &(s, m, q) in &demands {
                    b = b.demand(&format!("s{}", s % n), &format!("m{m}"), q);
                }
                if substitute {
                    b = b.substitution("m0", "m1", 1.0);
                }
                let mut ds = b.build();
                ds.transport.cost_per_tkm = tkm;
                for (site, &(_, lat)) in ds.sites.iter_mut().zip(&sites) {
                    site.lat = lat;
                }
                ds
            },
        )
}

fn solve_with(
    ds: &Dataset,
    algorithm: Algorithm,
    candidates: CandidateOptions,
) -> optimizer::SolveResult {
    optimizer::solve(
        ds,
        &SolveOptions {
            candidates,
            solver: SolverOptions {
                algorithm,
                ..Default::default()
            },
        },
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn transportation_path_equals_highs(ds in region(), k in 1..4usize, price in any::<bool>()) {
        let candidates = CandidateOptions { k, exact: false, price };
        let flow = solve_with(&ds, Algorithm::Auto, candidates);
        let highs = solve_with(&ds, Algorithm::Highs, candidates);
        prop_assert_eq!(flow.status, SolveStatus::Optimal);
        prop_assert_eq!(highs.status, SolveStatus::Optimal);
        prop_assert!(flow.stats.min_cost_flow_parts >= 1);
        prop_assert_eq!(highs.stats.min_cost_flow_parts, 0);
        let (f, h) = (flow.objective.unwrap(), highs.objective.unwrap());
        // The documented bound: 1e-6 per tonne of supply and demand for cost rounding, plus a
        // gram per stream at up to its import or disposal cost.
        let tonnes: f64 = ds.supplies.iter().chain(&ds.demands).map(|s| s.quantity.0).sum();
        let streams = (ds.supplies.len() + ds.demands.len()) as f64;
        let bound = 1e-6 * tonnes + 1e-6 * streams * 200.0 + 1e-9 * h.abs();
        prop_assert!((f - h).abs() <= bound, "min-cost flow {} vs HiGHS {} (bound {})", f, h, bound);
        assert_mass_balance(&ds, &flow);
    }
}
