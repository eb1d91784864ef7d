//! Exact transportation problems with unlimited import and disposal, by successive shortest
//! paths with node potentials (the primal-dual method of the Hungarian and Jonker–Volgenant
//! assignment algorithms, extended to quantities).
//!
//! The problem is written as a circulation through a hub `H`: arc `H -> s` (cost `-d_s`,
//! capacity `q_s`) routes supply `s` instead of disposing of it, `s -> t` carries the flow,
//! and `t -> H` (cost `-m_t`, capacity `q_t`) serves demand `t` instead of importing. A plan
//! is optimal exactly when potentials `p` make every residual arc's reduced cost
//! `c + p(u) - p(v)` non-negative; `H` keeps potential 0.
//!
//! Supplies are taken one at a time. For supply `s`, a Dijkstra search from `s` over reduced
//! costs finds the cheapest way back to `H` (a demand still importing, or a supply whose
//! routing can be undone); if it beats `s`'s own disposal, flow is sent round that cycle.
//! Only the nodes the search settled change potential (by `d(v) - D`), so reduced costs stay
//! non-negative. Why this is fast here: a search never goes farther than the saving of one
//! tonne of `s` allows (disposal plus import, 40 km in the peer instance), so it stays
//! local, and the work grows almost linearly with the number of streams. Every state is a
//! feasible plan, so a deadline stops with a usable, if not optimal, plan.
//!
//! All numbers are integers (the caller scales tonnes and costs), so optima are exact.

use crate::network::arcs::group;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// A transportation problem: supplies `0..supply.len()`, demands `0..demand.len()`, arcs
/// `from[a] -> to[a]` with cost `cost[a]` per unit and no capacity of their own.
#[derive(Clone, Debug, Default)]
pub struct Transportation {
    /// Units of each supply.
    pub supply: Vec<i64>,
    /// Cost per unit of disposing of each supply.
    pub disposal_cost: Vec<i64>,
    /// Units of each demand.
    pub demand: Vec<i64>,
    /// Cost per unit of importing each demand.
    pub import_cost: Vec<i64>,
    /// Supply of each arc.
    pub from: Vec<u32>,
    /// Demand of each arc.
    pub to: Vec<u32>,
    /// Cost per unit of each arc.
    pub cost: Vec<i64>,
}

/// The plan: flow per arc, and potentials (`supply_potential[s]`, `demand_potential[t]`, with
/// the hub at 0). The marginal cost of one more unit of supply `s` is `-supply_potential[s]`,
/// of demand `t` is `demand_potential[t]`.
#[derive(Clone, Debug)]
pub struct TransportPlan {
    /// Solved to optimality (false: stopped at the deadline with a feasible plan).
    pub optimal: bool,
    /// Units on each arc.
    pub flow: Vec<i64>,
    /// Potential of each supply.
    pub supply_potential: Vec<i64>,
    /// Potential of each demand.
    pub demand_potential: Vec<i64>,
    /// Augmenting paths sent.
    pub augmentations: u64,
    /// Nodes settled by all searches.
    pub settled: u64,
}

/// Where the search reached a node from (for tracing the path back).
#[derive(Clone, Copy)]
enum Via {
    Start,
    /// Forward along arc `a` (supply to demand).
    Forward(u32),
    /// Backward along arc `a` (demand back to its supply, undoing flow).
    Backward(u32),
    /// Into the hub from a demand (serving it) or a supply (disposing again).
    Hub(u32),
}

struct Search {
    dist: Vec<i64>,
    via: Vec<Via>,
    settled: Vec<bool>,
    touched: Vec<u32>,
    settled_list: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

const FAR: i64 = i64::MAX;

/// Solves the problem exactly (or stops at `deadline` with a feasible plan).
///
/// Supplies and demands are first renumbered in breadth-first order of the arc graph, so
/// nodes close in the network are close in memory and are taken one after the other (on
/// the 100k peer instance this alone makes the solve several times faster).
pub fn solve(problem: &Transportation, deadline: Option<Instant>) -> TransportPlan {
    let (supply_order, demand_order) = breadth_first_order(problem);
    let mut supply_rank = vec![0u32; supply_order.len()];
    for (rank, &s) in supply_order.iter().enumerate() {
        supply_rank[s as usize] = rank as u32;
    }
    let mut demand_rank = vec![0u32; demand_order.len()];
    for (rank, &t) in demand_order.iter().enumerate() {
        demand_rank[t as usize] = rank as u32;
    }
    let pick = |values: &[i64], order: &[u32]| -> Vec<i64> {
        order.iter().map(|&i| values[i as usize]).collect()
    };
    // Arcs too, by their supply's new number, so a supply's arcs sit side by side.
    let mut arc_order: Vec<u32> = (0..problem.from.len() as u32).collect();
    arc_order.sort_unstable_by_key(|&a| supply_rank[problem.from[a as usize] as usize]);
    let renumbered = Transportation {
        supply: pick(&problem.supply, &supply_order),
        disposal_cost: pick(&problem.disposal_cost, &supply_order),
        demand: pick(&problem.demand, &demand_order),
        import_cost: pick(&problem.import_cost, &demand_order),
        from: arc_order
            .iter()
            .map(|&a| supply_rank[problem.from[a as usize] as usize])
            .collect(),
        to: arc_order
            .iter()
            .map(|&a| demand_rank[problem.to[a as usize] as usize])
            .collect(),
        cost: pick(&problem.cost, &arc_order),
    };
    let mut plan = solve_in_order(&renumbered, deadline);
    let mut flow = vec![0; plan.flow.len()];
    for (&a, &f) in arc_order.iter().zip(&plan.flow) {
        flow[a as usize] = f;
    }
    plan.flow = flow;
    plan.supply_potential = supply_rank
        .iter()
        .map(|&r| plan.supply_potential[r as usize])
        .collect();
    plan.demand_potential = demand_rank
        .iter()
        .map(|&r| plan.demand_potential[r as usize])
        .collect();
    plan
}

/// Supplies and demands in the order a breadth-first search over the arcs meets them.
fn breadth_first_order(problem: &Transportation) -> (Vec<u32>, Vec<u32>) {
    let (ns, nt) = (problem.supply.len(), problem.demand.len());
    let (out_start, out_arcs) = group(problem.from.iter().map(|&v| v as usize), ns);
    let (in_start, in_arcs) = group(problem.to.iter().map(|&v| v as usize), nt);
    let mut seen_supply = vec![false; ns];
    let mut seen_demand = vec![false; nt];
    let mut supplies = Vec::with_capacity(ns);
    let mut demands = Vec::with_capacity(nt);
    let mut queue = std::collections::VecDeque::new();
    for root in 0..ns {
        if seen_supply[root] {
            continue;
        }
        seen_supply[root] = true;
        queue.push_back(root as u32);
        while let Some(s) = queue.pop_front() {
            supplies.push(s);
            let s = s as usize;
            for &a in &out_arcs[out_start[s] as usize..out_start[s + 1] as usize] {
                let t = problem.to[a as usize] as usize;
                if seen_demand[t] {
                    continue;
                }
                seen_demand[t] = true;
                demands.push(t as u32);
                for &b in &in_arcs[in_start[t] as usize..in_start[t + 1] as usize] {
                    let v = problem.from[b as usize] as usize;
                    if !seen_supply[v] {
                        seen_supply[v] = true;
                        queue.push_back(v as u32);
                    }
                }
            }
        }
    }
    demands.extend((0..nt as u32).filter(|&t| !seen_demand[t as usize]));
    (supplies, demands)
}

fn solve_in_order(problem: &Transportation, deadline: Option<Instant>) -> TransportPlan {
    let (ns, nt) = (problem.supply.len(), problem.demand.len());
    let m = problem.from.len();
    // Arcs grouped by supply (forward) and by demand (backward).
    let (out_start, out_arcs) = group(problem.from.iter().map(|&v| v as usize), ns);
    let (in_start, in_arcs) = group(problem.to.iter().map(|&v| v as usize), nt);
    // Node ids: supplies 0..ns, demands ns..ns+nt, hub ns+nt.
    let hub = ns + nt;
    let mut potential = vec![0i64; ns + nt];
    // Start: nothing routed. `t -> H` needs p(t) >= m_t; `s -> t` needs p(s) >= p(t) - c.
    potential[ns..].copy_from_slice(&problem.import_cost);
    for s in 0..ns {
        let arcs = &out_arcs[out_start[s] as usize..out_start[s + 1] as usize];
        potential[s] = arcs
            .iter()
            .map(|&a| potential[ns + problem.to[a as usize] as usize] - problem.cost[a as usize])
            .max()
            .unwrap_or(0);
    }
    let mut flow = vec![0i64; m];
    let mut routed = vec![0i64; ns];
    let mut served = vec![0i64; nt];
    let mut search = Search {
        dist: vec![FAR; hub + 1],
        via: vec![Via::Start; hub + 1],
        settled: vec![false; hub + 1],
        touched: Vec::new(),
        settled_list: Vec::new(),
        heap: BinaryHeap::new(),
    };
    let (mut augmentations, mut settled_total) = (0u64, 0u64);
    let mut optimal = true;
    for s in 0..ns {
        if s % 256 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
            optimal = false;
            break;
        }
        while routed[s] < problem.supply[s] {
            // Routing one more unit of s saves its disposal: worth it only along a path back
            // to the hub of reduced length below `bound`.
            let bound = problem.disposal_cost[s] + potential[s];
            if bound <= 0 {
                break;
            }
            let reached = {
                let p = &potential;
                let relax = |search: &mut Search, v: usize, d: i64, via: Via| {
                    if d < search.dist[v] {
                        if search.dist[v] == FAR {
                            search.touched.push(v as u32);
                        }
                        search.dist[v] = d;
                        search.via[v] = via;
                        search.heap.push(Reverse((d, v as u32)));
                    }
                };
                relax(&mut search, s, 0, Via::Start);
                let mut found = None;
                while let Some(Reverse((d, u))) = search.heap.pop() {
                    let u = u as usize;
                    if search.settled[u] || d > search.dist[u] {
                        continue;
                    }
                    if d >= bound {
                        break;
                    }
                    if u == hub {
                        found = Some(d);
                        break;
                    }
                    search.settled[u] = true;
                    search.settled_list.push(u as u32);
                    if u < ns {
                        for &a in &out_arcs[out_start[u] as usize..out_start[u + 1] as usize] {
                            let t = ns + problem.to[a as usize] as usize;
                            let reduced = problem.cost[a as usize] + p[u] - p[t];
                            relax(&mut search, t, d + reduced, Via::Forward(a));
                        }
                        if routed[u] > 0 && u != s {
                            let reduced = problem.disposal_cost[u] + p[u];
                            relax(&mut search, hub, d + reduced, Via::Hub(u as u32));
                        }
                    } else {
                        let t = u - ns;
                        if served[t] < problem.demand[t] {
                            let reduced = p[u] - problem.import_cost[t];
                            relax(&mut search, hub, d + reduced, Via::Hub(u as u32));
                        }
                        for &a in &in_arcs[in_start[t] as usize..in_start[t + 1] as usize] {
                            if flow[a as usize] > 0 {
                                let v = problem.from[a as usize] as usize;
                                let reduced = p[u] - problem.cost[a as usize] - p[v];
                                relax(&mut search, v, d + reduced, Via::Backward(a));
                            }
                        }
                    }
                }
                found
            };
            // New potentials: settled nodes move by d(v) - D (D = the distance reached, or
            // the bound when the search gave up), which keeps reduced costs non-negative and
            // makes the path found tight.
            let horizon = reached.unwrap_or(bound);
            settled_total += search.settled_list.len() as u64;
            for &v in &search.settled_list {
                let v = v as usize;
                potential[v] += search.dist[v] - horizon;
                search.settled[v] = false;
            }
            search.settled_list.clear();
            if reached.is_some() {
                augment(
                    problem,
                    s,
                    hub,
                    &search.via,
                    &mut flow,
                    &mut routed,
                    &mut served,
                    ns,
                );
                augmentations += 1;
            }
            for &v in &search.touched {
                search.dist[v as usize] = FAR;
            }
            search.touched.clear();
            search.dist[hub] = FAR;
            search.heap.clear();
            if reached.is_none() {
                break;
            }
        }
    }
    TransportPlan {
        optimal,
        flow,
        demand_potential: potential.split_off(ns),
        supply_potential: potential,
        augmentations,
        settled: settled_total,
    }
}

/// Sends the largest amount the cycle `H -> s -> ... -> H` allows.
#[allow(clippy::too_many_arguments)]
fn augment(
    problem: &Transportation,
    s: usize,
    hub: usize,
    via: &[Via],
    flow: &mut [i64],
    routed: &mut [i64],
    served: &mut [i64],
    ns: usize,
) {
    let mut amount = problem.supply[s] - routed[s];
    let mut v = hub;
    loop {
        match via[v] {
            Via::Start => break,
            Via::Forward(a) => v = problem.from[a as usize] as usize,
            Via::Backward(a) => {
                amount = amount.min(flow[a as usize]);
                v = ns + problem.to[a as usize] as usize;
            }
            Via::Hub(u) => {
                let u = u as usize;
                amount = amount.min(if u < ns {
                    routed[u]
                } else {
                    problem.demand[u - ns] - served[u - ns]
                });
                v = u;
            }
        }
    }
    routed[s] += amount;
    let mut v = hub;
    loop {
        match via[v] {
            Via::Start => break,
            Via::Forward(a) => {
                flow[a as usize] += amount;
                v = problem.from[a as usize] as usize;
            }
            Via::Backward(a) => {
                flow[a as usize] -= amount;
                v = ns + problem.to[a as usize] as usize;
            }
            Via::Hub(u) => {
                let u = u as usize;
                if u < ns {
                    routed[u] -= amount;
                } else {
                    served[u - ns] += amount;
                }
                v = u;
            }
        }
    }
}
