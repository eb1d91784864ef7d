//! The transportation solvers (successive shortest paths, and the network simplex solved in
//! two warm-started rounds, its nodes numbered in a random order) against HiGHS: on random integer problems their optima equal
//! HiGHS's LP optimum exactly and their potentials certify it; on
//! random regions without processes the `auto` path (transportation solver) and the `highs`
//! path give the same optimum within the documented rounding bound, with mass balance.
mod common;
use common::*;
use optimizer::flow::simplex::{NetworkSimplex, SimplexEnd};
use optimizer::flow::ssp::{self, Transportation};
use optimizer::lp::certificate::{PlainLp, Tolerance, check_optimal};
use optimizer::*;
use optimizer::{Algorithm, CandidateOptions, SolveOptions, SolveStatus, SolverOptions};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A random transportation problem (zero quantities, free slacks and parallel arcs
/// included).
fn transportation() -> impl Strategy<Value = Transportation> {
    (1..8usize, 1..8usize)
        .prop_flat_map(|(ns, nt)| {
            (
                prop::collection::vec((0..40i64, 0..50i64), ns),
                prop::collection::vec((0..40i64, 0..50i64), nt),
                prop::collection::vec((0..ns as u32, 0..nt as u32, 0..80i64), 0..30),
            )
        })
        .prop_map(|(supplies, demands, arcs)| Transportation {
            supply: supplies.iter().map(|s| s.0).collect(),
            disposal_cost: supplies.iter().map(|s| s.1).collect(),
            demand: demands.iter().map(|d| d.0).collect(),
            import_cost: demands.iter().map(|d| d.1).collect(),
            from: arcs.iter().map(|a| a.0).collect(),
            to: arcs.iter().map(|a| a.1).collect(),
            cost: arcs.iter().map(|a| a.2).collect(),
        })
}

/// The plan's cost: flows, plus disposal and import of what they leave.
fn plan_cost(p: &Transportation, flow: &[i64]) -> i64 {
    let mut left_supply = p.supply.clone();
    let mut left_demand = p.demand.clone();
    let mut cost = 0;
    for a in 0..flow.len() {
        left_supply[p.from[a] as usize] -= flow[a];
        left_demand[p.to[a] as usize] -= flow[a];
        cost += flow[a] * p.cost[a];
    }
    assert!(
        left_supply.iter().chain(&left_demand).all(|&q| q >= 0),
        "over-routed"
    );
    cost + (0..p.supply.len())
        .map(|s| left_supply[s] * p.disposal_cost[s])
        .sum::<i64>()
        + (0..p.demand.len())
            .map(|t| left_demand[t] * p.import_cost[t])
            .sum::<i64>()
}

/// The problem as an LP: a row per supply (routed + disposed = supply) and per demand
/// (served + imported = demand); columns disposal per supply, import per demand (each at
/// most its stream, as the row implies, so a slack that takes the whole stream may price
/// out, as in the engines' residual network), then the arcs.
fn as_lp(p: &Transportation) -> PlainLp {
    let (ns, nt) = (p.supply.len(), p.demand.len());
    let fixed = |q: &i64| (*q as f64, *q as f64);
    let mut columns: Vec<Vec<(usize, f64)>> = (0..ns + nt).map(|r| vec![(r, 1.0)]).collect();
    columns.extend(
        (0..p.from.len()).map(|a| vec![(p.from[a] as usize, 1.0), (ns + p.to[a] as usize, 1.0)]),
    );
    let costs = p.disposal_cost.iter().chain(&p.import_cost).chain(&p.cost);
    PlainLp {
        cost: costs.map(|&c| c as f64).collect(),
        col_bounds: p
            .supply
            .iter()
            .chain(&p.demand)
            .map(|&q| (0.0, q as f64))
            .chain(p.from.iter().map(|_| (0.0, f64::INFINITY)))
            .collect(),
        row_bounds: p.supply.iter().chain(&p.demand).map(fixed).collect(),
        columns,
    }
}

/// HiGHS's optimum of the same problem as an LP.
fn highs_optimum(p: &Transportation) -> f64 {
    let plain = as_lp(p);
    let x = highs_columns(&plain, &plain.cost);
    x.iter().zip(&plain.cost).map(|(x, c)| x * c).sum()
}

/// Whether potentials certify a plan, checked by the shared LP certificate checker: the
/// plan as the LP's columns (what the flows leave is disposed of or imported), the
/// potentials as row duals (a supply row's dual is minus its potential, a demand row's its
/// potential, the hub at 0). Integer data, so the tolerances are only for the sums.
fn certificate(p: &Transportation, flow: &[i64], ps: &[i64], pt: &[i64]) -> Result<(), String> {
    let mut left: Vec<i64> = p.supply.iter().chain(&p.demand).copied().collect();
    for (a, &f) in flow.iter().enumerate() {
        left[p.from[a] as usize] -= f;
        left[p.supply.len() + p.to[a] as usize] -= f;
    }
    let x: Vec<f64> = left.iter().chain(flow).map(|&v| v as f64).collect();
    let y: Vec<f64> = ps
        .iter()
        .map(|&v| -v as f64)
        .chain(pt.iter().map(|&v| v as f64))
        .collect();
    let exact = Tolerance {
        feasibility: 1e-12,
        dual: 1e-12,
        gap: 1e-12,
    };
    check_optimal(&as_lp(p), &x, &y, exact).map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// The network simplex, its nodes numbered in a random order, solves the first `split`
    /// arcs, then takes the rest and continues from its basis (as in a pricing round): the
    /// optimum must equal HiGHS's, and the basis it reports must hold every slack that
    /// carries flow, in the caller's numbering.
    #[test]
    fn network_simplex_warm_started_equals_highs(
        p in transportation(),
        split in 0..30usize,
        order_seed in any::<u64>(),
    ) {
        let nodes = p.supply.len() + p.demand.len();
        let mut order: Vec<u32> = (0..nodes as u32).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(order_seed));
        let mut engine =
            NetworkSimplex::new(&p.supply, &p.disposal_cost, &p.demand, &p.import_cost, &order);
        let split = split.min(p.from.len());
        for a in 0..split {
            engine.add_arc(p.from[a], p.to[a], p.cost[a]);
        }
        prop_assert_eq!(engine.run(&|| false), SimplexEnd::Optimal);
        for a in split..p.from.len() {
            engine.add_arc(p.from[a], p.to[a], p.cost[a]);
        }
        prop_assert_eq!(engine.run(&|| false), SimplexEnd::Optimal);
        let flow: Vec<i64> = (0..p.from.len()).map(|a| engine.flow(a)).collect();
        let cost = plan_cost(&p, &flow);
        let reference = highs_optimum(&p);
        prop_assert!((cost as f64 - reference).abs() < 1e-6, "network simplex {} != HiGHS {}", cost, reference);
        let ps: Vec<i64> = (0..p.supply.len()).map(|s| engine.supply_potential(s)).collect();
        let pt: Vec<i64> = (0..p.demand.len()).map(|t| engine.demand_potential(t)).collect();
        let certified = certificate(&p, &flow, &ps, &pt);
        prop_assert!(certified.is_ok(), "{:?}", certified);
        let tree = engine.tree();
        prop_assert_eq!(tree.iter().filter(|&&b| b).count(), nodes, "a spanning tree");
        let mut left: Vec<i64> = p.supply.iter().chain(&p.demand).copied().collect();
        for (a, f) in flow.iter().enumerate() {
            left[p.from[a] as usize] -= f;
            left[p.supply.len() + p.to[a] as usize] -= f;
        }
        for (u, &l) in left.iter().enumerate() {
            prop_assert!(l == 0 || tree[u], "slack {} carries {} but is not basic", u, l);
        }
    }

    #[test]
    fn shortest_paths_equal_highs_on_random_problems(p in transportation()) {
        let plan = ssp::solve(&p, None);
        prop_assert!(plan.optimal);
        let cost = plan_cost(&p, &plan.flow);
        let reference = highs_optimum(&p);
        prop_assert!((cost as f64 - reference).abs() < 1e-6, "shortest paths {} != HiGHS {}", cost, reference);
        // The potentials certify it (hub at 0).
        let (ps, pt) = (&plan.supply_potential, &plan.demand_potential);
        let certified = certificate(&p, &plan.flow, ps, pt);
        prop_assert!(certified.is_ok(), "{:?}", certified);
    }
}

#[test]
fn hand_computed_problem() {
    // Supplies a, b (5 t each, disposal 10), demands x, y (5 t each, import 10).
    // Arcs a->x 1, a->y 3, b->x 2, b->y 9, all cheaper than disposal plus import (20), so
    // everything moves: {a->x, b->y} costs 5*1 + 5*9 = 50, {a->y, b->x} 5*3 + 5*2 = 25.
    // The optimum avoids the cheapest arc a->x, which a greedy plan would take first.
    let p = Transportation {
        supply: vec![5, 5],
        disposal_cost: vec![10, 10],
        demand: vec![5, 5],
        import_cost: vec![10, 10],
        from: vec![0, 0, 1, 1],
        to: vec![0, 1, 0, 1],
        cost: vec![1, 3, 2, 9],
    };
    let plan = ssp::solve(&p, None);
    assert!(plan.optimal);
    assert_eq!(plan.flow, vec![0, 5, 5, 0]);
    assert_eq!(plan_cost(&p, &plan.flow), 25);
}

#[test]
fn unprofitable_arcs_are_left_empty() {
    // Moving costs 25 per tonne, disposal plus import only 20: nothing moves.
    let p = Transportation {
        supply: vec![7],
        disposal_cost: vec![10],
        demand: vec![7],
        import_cost: vec![10],
        from: vec![0],
        to: vec![0],
        cost: vec![25],
    };
    let plan = ssp::solve(&p, None);
    assert_eq!(plan.flow, vec![0]);
    assert_eq!(plan_cost(&p, &plan.flow), 140);
}

#[test]
fn a_passed_deadline_still_gives_a_feasible_plan() {
    let p = Transportation {
        supply: vec![3; 600],
        disposal_cost: vec![10; 600],
        demand: vec![3; 600],
        import_cost: vec![10; 600],
        from: (0..600).collect(),
        to: (0..600).collect(),
        cost: vec![1; 600],
    };
    let plan = ssp::solve(&p, Some(std::time::Instant::now()));
    assert!(!plan.optimal);
    // Feasible: nothing over-routed (plan_cost checks) and no more than the baseline.
    assert!(plan_cost(&p, &plan.flow) <= 600 * 3 * 20);
}

/// A random one- or two-material region without processes, optionally with a substitution
/// of m0 for m1: at ratio 1 a pure transportation problem, at another ratio one once m1's
/// streams are counted in units of that ratio (`flow::NodeScale`).
fn region() -> impl Strategy<Value = Dataset> {
    (
        prop::collection::vec((24.0..25.0f64, 60.0..60.6f64), 2..10),
        prop::collection::vec((0..10usize, 0..2usize, 0.0..500.0f64), 1..12),
        prop::collection::vec((0..10usize, 0..2usize, 0.0..500.0f64), 1..12),
        (1.0..80.0f64, 0.0..80.0f64, 0.05..3.0f64),
        prop_oneof![Just(None), Just(Some(1.0)), (0.3..1.5f64).prop_map(Some)],
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
                if let Some(ratio) = substitute {
                    b = b.substitution("m0", "m1", ratio);
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
            ..Default::default()
        },
    )
    .expect("a valid dataset solves")
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

/// Two materials that each serve the other at half a tonne per tonne: the way round from
/// m0 through m1 and back gains 0.25, so no units make it a transportation problem. It
/// stays off the min-cost-flow path and has HiGHS's optimum, a plan found by hand:
/// the m0 supply serves the m0 demand beside it, and the m1 supply, with no m1 demand,
/// sends 80 t to serve the rest of the m0 demand (40 t at 0.5) one degree away rather than
/// paying its disposal.
#[test]
fn ratios_with_a_gain_round_a_cycle_stay_off_the_min_cost_flow_path() {
    let ds = Builder::new()
        .material("m0", 100.0, 10.0)
        .material("m1", 100.0, 10.0)
        .site("a", 0.0)
        .site("b", 1.0)
        .supply("a", "m0", 60.0)
        .demand("a", "m0", 100.0)
        .supply("b", "m1", 80.0)
        .demand("b", "m1", 0.0)
        .substitution("m0", "m1", 0.5)
        .substitution("m1", "m0", 0.5)
        .build();
    solved_as_by_hand(&ds, 80.0 * 0.1 * KM_PER_DEGREE, 0);
}

/// `ds` solved on the `auto` path and on HiGHS: both optimal at `expected`, with mass
/// balance, and `min_cost_flow_parts` parts on the min-cost-flow path. The `auto` result.
fn solved_as_by_hand(ds: &Dataset, expected: f64, min_cost_flow_parts: usize) -> SolveResult {
    let candidates = CandidateOptions::default();
    let auto = solve_with(ds, Algorithm::Auto, candidates);
    let highs = solve_with(ds, Algorithm::Highs, candidates);
    assert_eq!(auto.status, SolveStatus::Optimal);
    assert_eq!(auto.stats.min_cost_flow_parts, min_cost_flow_parts);
    assert_close(auto.objective.expect("a plan"), expected, "objective");
    assert_close(
        highs.objective.expect("a plan"),
        expected,
        "HiGHS objective",
    );
    assert_mass_balance(ds, &auto);
    auto
}

/// Ash slag serving aggregate at 0.9 beside aggregate's own supply: the part goes to the
/// min-cost-flow path counted in units (aggregate in 0.9 t) and its plan is the one worked
/// out by hand. Sites a, b, c one degree apart on the equator; a haul costs
/// `h = 0.1 x 111.195 = 11.12` per tonne and degree.
/// - ash at a (100 t, disposal 70) serves the ash demand at a (30 t, import 40) on site,
///   and aggregate at b (90 t, import 25) with what is left: 70 t serve 63 t, at `h` each
///   against 70 + 0.9 x 25 = 92.5 saved;
/// - aggregate supply at c (40 t, disposal 20) serves the other 27 t at b for `h` each
///   against 20 + 25 saved, and disposes of 13 t.
#[test]
fn a_substitution_below_one_is_solved_as_a_transportation_problem() {
    let ds = Builder::new()
        .material("ash", 40.0, 70.0)
        .material("aggregate", 25.0, 20.0)
        .site("a", 0.0)
        .site("b", 1.0)
        .site("c", 2.0)
        .supply("a", "ash", 100.0)
        .demand("a", "ash", 30.0)
        .demand("b", "aggregate", 90.0)
        .supply("c", "aggregate", 40.0)
        .substitution("ash", "aggregate", 0.9)
        .build();
    let h = 0.1 * KM_PER_DEGREE;
    let auto = solved_as_by_hand(&ds, 70.0 * h + 27.0 * h + 13.0 * 20.0, 1);
    let prices = auto
        .shadow_prices
        .as_ref()
        .expect("duals of an optimal plan");
    // The aggregate demand's dual is what one more tonne of it costs: hauled from c for h,
    // less the disposal c then saves. The ash supply's follows from its flow to b, which
    // costs nothing at the margin: h - y_ash - 0.9 x y_aggregate = 0.
    let aggregate = prices
        .demands
        .iter()
        .find(|d| d.material.as_str() == "aggregate");
    assert_close(
        aggregate.unwrap().marginal_cost,
        h - 20.0,
        "aggregate demand dual",
    );
    let ash = prices
        .supplies
        .iter()
        .find(|s| s.material.as_str() == "ash");
    assert_close(
        ash.unwrap().marginal_cost,
        h - 0.9 * (h - 20.0),
        "ash supply dual",
    );
}
