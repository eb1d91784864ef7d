//! Revising a solved problem in place: new stream quantities, slack costs and flow-arc
//! costs on the same nodes and arcs, continued from the kept spanning tree rather than from
//! the all-slack one (a what-if session's revision).
//!
//! A new cost leaves the tree primal feasible: the potentials are worked out again along
//! the thread and the primal pivots go on from there. A new quantity changes the tree's
//! flows, which follow from the balances alone (each tree arc carries what its subtree puts
//! in or takes out), and some may come out negative. Each such arc is repaired by a forced
//! exchange with a slack arc: the subtree below it, which needs tonnes brought in (or sent
//! out), is hung from the hub by the import arc of one of its demands (the disposal arc of
//! one of its supplies), and the shortfall goes round that cycle, taking the bad arc to 0
//! and out of the tree. Slack arcs always exist and the all-slack tree is feasible, so a
//! repair always ends; it touches only the cycles of the arcs that went wrong, where a
//! fresh start would throw away the whole basis.
//!
//! Trees repaired this way need not be strongly feasible (a degenerate arc may point
//! towards the hub). The block search still ends on every instance measured; the tests in
//! `optimizer/tests/sessions.rs` check the optimum against a cold solve of every revision.

use super::{DOWN, NetworkSimplex, UP};

impl NetworkSimplex {
    /// Sets supply `s` to `units` with disposal cost `cost` per unit.
    pub fn set_supply(&mut self, s: usize, units: i64, cost: i64) {
        let node = self.node_of[s] as usize;
        self.balance[node] = units;
        self.cost[node] = cost;
    }

    /// Sets demand `t` to `units` with import cost `cost` per unit.
    pub fn set_demand(&mut self, t: usize, units: i64, cost: i64) {
        let node = self.node_of[self.supplies + t] as usize;
        self.balance[node] = -units;
        self.cost[node] = cost;
    }

    /// Sets the cost per unit of flow arc `a`.
    pub fn set_flow_cost(&mut self, a: usize, cost: i64) {
        self.cost[self.supplies + self.demands + a] = cost;
    }

    /// Replaces the all-slack tree by the arcs `in_tree` marks (as [`Self::tree`] lists
    /// them: disposals and imports in the caller's numbering, then flow arcs), when they
    /// form a spanning tree; returns whether they did (the tree is left as it was if not).
    /// Flows and potentials are then [`refit`](Self::refit)'s to work out.
    pub fn set_tree(&mut self, in_tree: &[bool]) -> bool {
        let root = self.supplies + self.demands;
        let nodes = root + 1;
        if in_tree.len() != self.source.len() {
            return false;
        }
        // Engine arc of each listed arc: slack arc `node_of[i]` for the caller's node `i`.
        let engine_arc = |listed: usize| {
            if listed < root {
                self.node_of[listed] as usize
            } else {
                listed
            }
        };
        let tree_arcs: Vec<usize> = (0..in_tree.len())
            .filter(|&i| in_tree[i])
            .map(engine_arc)
            .collect();
        if tree_arcs.len() != nodes - 1 {
            return false;
        }
        // The tree's adjacency in CSR form.
        let mut start = vec![0u32; nodes + 1];
        for &e in &tree_arcs {
            start[self.source[e] as usize + 1] += 1;
            start[self.target[e] as usize + 1] += 1;
        }
        for u in 0..nodes {
            start[u + 1] += start[u];
        }
        let mut fill = start.clone();
        let mut adjacent = vec![0u32; 2 * tree_arcs.len()];
        for &e in &tree_arcs {
            for end in [self.source[e], self.target[e]] {
                adjacent[fill[end as usize] as usize] = e as u32;
                fill[end as usize] += 1;
            }
        }
        // Depth first from the hub: parents, preorder, subtree sizes.
        let mut parent = vec![super::NONE; nodes];
        let mut pred = vec![0u32; nodes];
        let mut pred_dir = vec![UP; nodes];
        let mut preorder = Vec::with_capacity(nodes);
        let mut seen = vec![false; nodes];
        let mut stack = vec![root];
        seen[root] = true;
        while let Some(u) = stack.pop() {
            preorder.push(u);
            for &e in &adjacent[start[u] as usize..start[u + 1] as usize] {
                let e = e as usize;
                let v = (self.source[e] as usize) ^ (self.target[e] as usize) ^ u;
                if seen[v] {
                    continue;
                }
                seen[v] = true;
                parent[v] = u as u32;
                pred[v] = e as u32;
                pred_dir[v] = if self.source[e] as usize == v {
                    UP
                } else {
                    DOWN
                };
                stack.push(v);
            }
        }
        if preorder.len() != nodes {
            return false; // not connected: not a spanning tree
        }
        let mut succ_num = vec![1u32; nodes];
        let mut last_succ: Vec<u32> = (0..nodes as u32).collect();
        for &u in preorder.iter().rev() {
            if u != root {
                let p = parent[u] as usize;
                succ_num[p] += succ_num[u];
            }
        }
        // The last of a subtree's preorder block is its last successor: the block of `u`
        // starts at `u` and holds `succ_num[u]` nodes.
        let mut position = vec![0usize; nodes];
        for (i, &u) in preorder.iter().enumerate() {
            position[u] = i;
        }
        for u in 0..nodes {
            last_succ[u] = preorder[position[u] + succ_num[u] as usize - 1] as u32;
        }
        for (i, &u) in preorder.iter().enumerate() {
            let next = preorder[(i + 1) % nodes];
            self.thread[u] = next as u32;
            self.rev_thread[next] = u as u32;
        }
        // Arcs out of the tree carry nothing (all are uncapacitated); the tree's flows are
        // `refit`'s.
        self.in_tree.fill(false);
        self.flow.fill(0);
        for &e in &tree_arcs {
            self.in_tree[e] = true;
        }
        self.parent = parent;
        self.pred = pred;
        self.pred_dir = pred_dir;
        self.succ_num = succ_num;
        self.last_succ = last_succ;
        // A tree from a solved problem: no start heuristic before the next run.
        self.pivots = self.pivots.max(1);
        true
    }

    /// Makes the kept tree a feasible basis of the revised problem: the flows from the
    /// balances, negative ones repaired by exchanges with slack arcs, and the potentials
    /// from the costs. Returns the number of exchanges made. The next
    /// [`run`](Self::run) pivots on from this tree.
    pub fn refit(&mut self) -> usize {
        self.flows_from_balances();
        let exchanges = self.repair_negative_flows();
        self.potentials_from_costs();
        self.next_arc = 0;
        exchanges
    }

    /// Each tree arc's flow: what the subtree below it puts in, in the arc's direction.
    fn flows_from_balances(&mut self) {
        let root = self.supplies + self.demands;
        let mut net = self.balance.clone();
        // Reverse preorder visits every node after all of its descendants.
        let mut u = self.rev_thread[root] as usize;
        while u != root {
            let parent = self.parent[u] as usize;
            self.flow[self.pred[u] as usize] = i64::from(self.pred_dir[u]) * net[u];
            net[parent] += net[u];
            u = self.rev_thread[u] as usize;
        }
    }

    /// The potentials that give every tree arc a zero reduced cost, the hub at 0.
    fn potentials_from_costs(&mut self) {
        let root = self.supplies + self.demands;
        self.pi[root] = 0;
        // Preorder visits every node after its parent.
        let mut u = self.thread[root] as usize;
        while u != root {
            let parent = self.parent[u] as usize;
            let cost = self.cost[self.pred[u] as usize];
            // Up: c + pi(u) - pi(parent) = 0; down: c + pi(parent) - pi(u) = 0.
            self.pi[u] = self.pi[parent] - i64::from(self.pred_dir[u]) * cost;
            u = self.thread[u] as usize;
        }
    }

    /// Exchanges every tree arc with a negative flow for a slack arc (see the module
    /// header); returns how many exchanges it took.
    fn repair_negative_flows(&mut self) -> usize {
        let root = self.supplies + self.demands;
        let mut bad: Vec<usize> = (0..root)
            .filter(|&u| self.flow[self.pred[u] as usize] < 0)
            .collect();
        let mut exchanges = 0;
        let mut cycle = Vec::new();
        while let Some(u) = bad.pop() {
            let e = self.pred[u] as usize;
            if u == root || self.flow[e] >= 0 {
                continue;
            }
            exchanges += 1;
            let shortfall = -self.flow[e];
            // Up arc short: the subtree needs tonnes in, from a demand's import arc; down
            // arc short: it has tonnes to send out, through a supply's disposal arc.
            let needs_in = self.pred_dir[u] == UP;
            let t = self.slack_node_below(u, needs_in);
            let in_arc = t; // slack arc `t` belongs to node `t`
            // Push the shortfall round the cycle: the slack arc, then the tree path from `t`
            // to the hub (up when tonnes come in, down when they go out).
            self.flow[in_arc] += shortfall;
            let moving_up = if needs_in { shortfall } else { -shortfall };
            cycle.clear();
            let mut w = t;
            while w != root {
                let arc = self.pred[w] as usize;
                self.flow[arc] += i64::from(self.pred_dir[w]) * moving_up;
                cycle.push(arc);
                w = self.parent[w] as usize;
            }
            debug_assert_eq!(self.flow[e], 0);
            self.in_tree[in_arc] = true;
            self.in_tree[e] = false;
            self.update_tree(in_arc, root, t, root, u);
            // The arcs of the cycle that stayed in the tree may have gone negative.
            for &arc in &cycle {
                if self.in_tree[arc] && self.flow[arc] < 0 {
                    let (a, b) = (self.source[arc] as usize, self.target[arc] as usize);
                    bad.push(if self.pred[a] as usize == arc { a } else { b });
                }
            }
        }
        exchanges
    }

    /// The node of `u`'s subtree nearest `u` in preorder whose slack arc goes the way
    /// asked: a demand (import arc in) when `needs_in`, else a supply (disposal arc out).
    /// One exists: a subtree that needs tonnes in holds a demand, one with tonnes to spare
    /// a supply.
    fn slack_node_below(&self, u: usize, needs_in: bool) -> usize {
        let wanted = if needs_in { DOWN } else { UP };
        let end = self.thread[self.last_succ[u] as usize] as usize;
        let mut w = u;
        while w != end {
            // Slack arc `w` runs hub -> w for a demand (down), w -> hub for a supply (up).
            let dir = if self.source[w] as usize == w {
                UP
            } else {
                DOWN
            };
            if dir == wanted {
                return w;
            }
            w = self.thread[w] as usize;
        }
        unreachable!("a subtree short of tonnes holds a node whose slack arc supplies them")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_solved_tree_carried_to_a_larger_problem_reaches_its_optimum() {
        // Solve, then carry the tree to the same problem with one more supply and demand
        // (their slack arcs join the tree) and compare with a cold solve.
        let mut small = dense(&[5, 3, 8, 2], &[4, 4, 6, 1], 10, 12);
        assert_eq!(small.run(&|| false), SimplexEnd::Optimal);
        let tree = small.tree();
        let (supply, demand) = ([5, 3, 8, 2, 7], [4, 4, 6, 1, 3]);
        let mut carried = dense(&supply, &demand, 10, 12);
        // dense() numbers arcs supply-major, so the small problem's arcs move: list them.
        let mut flags = vec![false; carried.source.len()];
        for (i, &f) in tree[..4].iter().enumerate() {
            flags[i] = f;
        }
        flags[4] = true; // the new supply's disposal
        for (t, &f) in tree[4..8].iter().enumerate() {
            flags[5 + t] = f;
        }
        flags[9] = true; // the new demand's import
        for s in 0..4 {
            for t in 0..4 {
                flags[10 + s * 5 + t] = tree[8 + s * 4 + t];
            }
        }
        assert!(carried.set_tree(&flags));
        carried.refit();
        check_tree(&carried);
        assert_eq!(carried.run(&|| false), SimplexEnd::Optimal);
        let mut cold = dense(&supply, &demand, 10, 12);
        assert_eq!(cold.run(&|| false), SimplexEnd::Optimal);
        assert_eq!(cost(&carried), cost(&cold));
        // Flags that are no spanning tree are refused.
        assert!(!cold.set_tree(&vec![false; flags.len()]));
    }

    use super::super::SimplexEnd;
    use super::super::tests::check_tree;
    use super::*;

    /// The optimal cost of an engine's current flow.
    fn cost(e: &NetworkSimplex) -> i64 {
        (0..e.cost.len()).map(|a| e.cost[a] * e.flow[a]).sum()
    }

    /// A small dense problem: 4 supplies, 4 demands, every pair an arc.
    fn dense(supply: &[i64], demand: &[i64], disposal: i64, import: i64) -> NetworkSimplex {
        let mut e = NetworkSimplex::new(
            supply,
            &vec![disposal; supply.len()],
            demand,
            &vec![import; demand.len()],
            &[],
        );
        for s in 0..supply.len() as u32 {
            for t in 0..demand.len() as u32 {
                e.add_arc(s, t, i64::from(1 + (s * 7 + t * 3) % 9));
            }
        }
        e
    }

    #[test]
    fn revised_quantities_and_costs_reach_the_fresh_optimum() {
        let mut warm = dense(&[5, 3, 8, 2], &[4, 4, 6, 1], 10, 12);
        assert_eq!(warm.run(&|| false), SimplexEnd::Optimal);
        // Quantities that turn tree flows negative, and new costs.
        let (supply, demand) = ([1, 9, 0, 6], [7, 0, 2, 5]);
        for (s, &q) in supply.iter().enumerate() {
            warm.set_supply(s, q, 11);
        }
        for (t, &q) in demand.iter().enumerate() {
            warm.set_demand(t, q, 4);
        }
        warm.set_flow_cost(5, 1);
        let exchanges = warm.refit();
        assert!(exchanges > 0, "the revision makes some tree flow negative");
        check_tree(&warm);
        assert_eq!(warm.run(&|| false), SimplexEnd::Optimal);
        check_tree(&warm);
        let mut cold = dense(&supply, &demand, 11, 4);
        cold.set_flow_cost(5, 1);
        let cold_start = cold.refit();
        assert_eq!(cold_start, 0, "the all-slack tree is feasible");
        assert_eq!(cold.run(&|| false), SimplexEnd::Optimal);
        assert_eq!(cost(&warm), cost(&cold));
    }
}
