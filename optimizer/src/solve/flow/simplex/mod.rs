//! Primal network simplex for the transportation problem with unlimited import and
//! disposal, kept alive across pricing rounds.
//!
//! The network: supplies, demands and a hub `H` that is the root of the spanning tree.
//! Disposal arcs `s -> H` (cost `d_s`) and import arcs `H -> t` (cost `m_t`) are the slacks;
//! flow arcs `s -> t` carry routed tonnes. All arcs are uncapacitated, so an arc out of the
//! tree always sits at its lower bound 0. Slack arcs come first, flow arcs after, so arcs
//! that pricing adds are appended without renumbering.
//!
//! The all-slack plan (everything disposed of and imported) is a feasible spanning tree with
//! `H` as root, so no artificial arcs or phase one are needed. Potentials `pi` make every tree
//! arc's reduced cost `c + pi(u) - pi(v)` zero; the plan is optimal when no arc
//! has a negative reduced cost. The LP duals follow: a supply row's dual is `-pi(s)`, a
//! demand row's `pi(t)` (read relative to the hub, whose own potential may drift: only
//! differences matter to the pivots).
//!
//! Why a network simplex and not successive shortest paths: its pivots stay cheap when the
//! optimum routes tonnes far (each pivot touches one cycle and one subtree, not a region-wide
//! search), and adding arcs leaves the basis feasible, so pricing rounds continue from the
//! last basis instead of starting over. The design follows the textbook primal method with
//! block-search pivoting and strongly feasible trees as in LEMON (Kovacs 2015, "Minimum-cost
//! flow algorithms: an experimental evaluation"): the tree is kept as parent, thread
//! (preorder), reverse thread, subtree sizes and last successors.
//!
//! Nodes are numbered in an order the caller gives (supplies and demands along a
//! space-filling curve): a pivot walks a subtree and a cycle of nodes that lie near each
//! other, and with nearby nodes at nearby indices those walks hit the cache (what that saves
//! is in docs/performance.md, "Why the engines are built as they are").

mod revise;
mod tree;

/// The block search scans `sqrt(arcs) / BLOCK_DIVISOR` arcs per pivot (at least
/// [`MIN_BLOCK`]). LEMON scans `sqrt(arcs)`; on these spatial transportation problems
/// smaller blocks win by far: a less negative entering arc found sooner tends to touch a
/// small subtree, so pivots get cheaper faster than they get more numerous. Measured on the
/// 100k uniform instance, priced from k = 8 (solve seconds without pricing, same optimum,
/// one binary): divisor 1: 39, 3.3: 17, 10: 12, 33: 9.2, 100: 8.7 (with 1.7 times the
/// pivots of divisor 1); on the million-point instance, from validated input to the end of
/// the k = 8 solve (candidate arcs and LP included): divisor 1: 98 s, 32: 29 s, 100: 28 s.
const BLOCK_DIVISOR: f64 = 32.0;
const MIN_BLOCK: usize = 10;

/// An arc of the tree points up (towards the root) or down.
const UP: i8 = 1;
const DOWN: i8 = -1;
/// The root's parent.
const NONE: u32 = u32::MAX;

/// The spanning-tree basis and flow of one transportation problem.
#[derive(Clone, Debug)]
pub struct NetworkSimplex {
    supplies: usize,
    demands: usize,
    /// The engine's node for each supply, then each demand (the caller's numbering).
    node_of: Vec<u32>,
    // Arcs: `0..supplies` disposal `s -> H`, then `demands` imports `H -> t`, then flows.
    source: Vec<u32>,
    target: Vec<u32>,
    cost: Vec<i64>,
    flow: Vec<i64>,
    in_tree: Vec<bool>,
    /// Units each node puts in (a supply's tonnes) or takes out (minus a demand's); the
    /// hub's is never read. Kept so a revision can work out the tree's flows again.
    balance: Vec<i64>,
    // Tree, per node.
    parent: Vec<u32>,
    pred: Vec<u32>,
    pred_dir: Vec<i8>,
    thread: Vec<u32>,
    rev_thread: Vec<u32>,
    succ_num: Vec<u32>,
    last_succ: Vec<u32>,
    pi: Vec<i64>,
    /// Where the block search resumes.
    next_arc: usize,
    /// First arc added since the last run, if any.
    added_from: Option<usize>,
    dirty_revs: Vec<u32>,
    /// Pivots made over the engine's life.
    pub pivots: u64,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimplexEnd {
    /// No arc has a negative reduced cost.
    Optimal,
    /// Stopped (deadline or cancellation); the flow is feasible, not optimal.
    Stopped,
}

impl NetworkSimplex {
    /// The all-slack basis for supplies and demands of the given units, with disposal and
    /// import costs per unit. `order` lists the supplies (`0..supplies`) and demands
    /// (`supplies..supplies + demands`) in the order the engine numbers them, ideally so that
    /// nodes near each other come together; empty keeps the given order.
    pub fn new(
        supply: &[i64],
        disposal_cost: &[i64],
        demand: &[i64],
        import_cost: &[i64],
        order: &[u32],
    ) -> Self {
        let (ns, nt) = (supply.len(), demand.len());
        let nodes = ns + nt + 1;
        let root = ns + nt;
        let mut node_of: Vec<u32> = (0..root as u32).collect();
        if !order.is_empty() {
            assert_eq!(order.len(), root, "the order lists every supply and demand");
            for (node, &outer) in order.iter().enumerate() {
                node_of[outer as usize] = node as u32;
            }
        }
        let mut engine = NetworkSimplex {
            supplies: ns,
            demands: nt,
            node_of,
            source: Vec::with_capacity(ns + nt),
            target: Vec::with_capacity(ns + nt),
            cost: Vec::with_capacity(ns + nt),
            flow: Vec::with_capacity(ns + nt),
            in_tree: Vec::with_capacity(ns + nt),
            balance: vec![0; nodes],
            parent: vec![root as u32; nodes],
            pred: vec![0; nodes],
            pred_dir: vec![UP; nodes],
            thread: vec![0; nodes],
            rev_thread: vec![0; nodes],
            succ_num: vec![1; nodes],
            last_succ: (0..nodes as u32).collect(),
            pi: vec![0; nodes],
            next_arc: 0,
            added_from: None,
            dirty_revs: Vec::new(),
            pivots: 0,
        };
        // Slack arc `u` is node `u`'s disposal or import arc, so tree walks read the arcs of
        // nearby nodes together too; [`Self::tree`] maps them back to the caller's numbering.
        for node in 0..root {
            let outer = if order.is_empty() {
                node
            } else {
                order[node] as usize
            };
            if outer < ns {
                engine.push_arc(node, root, disposal_cost[outer], supply[outer], true);
                engine.balance[node] = supply[outer];
                engine.pred_dir[node] = UP;
                engine.pi[node] = -disposal_cost[outer];
            } else {
                let t = outer - ns;
                engine.push_arc(root, node, import_cost[t], demand[t], true);
                engine.balance[node] = -demand[t];
                engine.pred_dir[node] = DOWN;
                engine.pi[node] = import_cost[t];
            }
            engine.pred[node] = node as u32;
        }
        // Preorder from the root: root, 0, 1, ..., root - 1, and back to the root.
        let order: Vec<usize> = std::iter::once(root).chain(0..root).collect();
        for (i, &u) in order.iter().enumerate() {
            let next = order[(i + 1) % nodes];
            engine.thread[u] = next as u32;
            engine.rev_thread[next] = u as u32;
        }
        engine.parent[root] = NONE;
        engine.succ_num[root] = nodes as u32;
        engine.last_succ[root] = order[nodes - 1] as u32;
        engine
    }

    fn push_arc(&mut self, from: usize, to: usize, cost: i64, flow: i64, in_tree: bool) {
        self.source.push(from as u32);
        self.target.push(to as u32);
        self.cost.push(cost);
        self.flow.push(flow);
        self.in_tree.push(in_tree);
    }

    /// Flow arcs so far.
    pub fn flow_arcs(&self) -> usize {
        self.source.len() - self.supplies - self.demands
    }

    /// Adds a flow arc `supply -> demand` at flow 0 (out of the tree): the basis stays
    /// feasible, so the next [`run`](Self::run) continues from it.
    pub fn add_arc(&mut self, supply: u32, demand: u32, cost: i64) {
        if self.pivots > 0 && self.added_from.is_none() {
            // Arcs added to a solved basis are where the next run's pivots are: scan them first.
            self.added_from = Some(self.source.len());
        }
        let from = self.node_of[supply as usize] as usize;
        let to = self.node_of[self.supplies + demand as usize] as usize;
        self.push_arc(from, to, cost, 0, false);
    }

    /// Units on flow arc `a`.
    pub fn flow(&self, a: usize) -> i64 {
        self.flow[self.supplies + self.demands + a]
    }

    /// Which arcs are in the spanning tree (the basis): disposals, then imports (in the
    /// caller's numbering of supplies and demands), then flow arcs in the order they were
    /// added.
    pub fn tree(&self) -> Vec<bool> {
        let slack = self.node_of.iter().map(|&node| self.in_tree[node as usize]);
        let flows = self.in_tree[self.supplies + self.demands..].iter().copied();
        slack.chain(flows).collect()
    }

    /// Potential of supply `s` (its row dual is minus this).
    pub fn supply_potential(&self, s: usize) -> i64 {
        self.potential(self.node_of[s] as usize)
    }

    /// Potential of demand `t` (its row dual).
    pub fn demand_potential(&self, t: usize) -> i64 {
        self.potential(self.node_of[self.supplies + t] as usize)
    }

    #[inline]
    fn reduced_cost(&self, e: usize) -> i64 {
        self.cost[e] + self.pi[self.source[e] as usize] - self.pi[self.target[e] as usize]
    }

    /// Pivots until no arc has a negative reduced cost, or until `stop` says so (asked every
    /// 256 pivots, well under a second even on a million nodes).
    pub fn run(&mut self, stop: &dyn Fn() -> bool) -> SimplexEnd {
        if self.pivots == 0 {
            self.initial_pivots();
        }
        if let Some(first) = self.added_from.take() {
            self.next_arc = first;
        }
        let arcs = self.source.len();
        // Block search (LEMON's default): scan a block of arcs, enter the most negative one
        // found; a full pass without one proves optimality.
        let block = ((arcs as f64).sqrt() / BLOCK_DIVISOR) as usize;
        let block = block.max(MIN_BLOCK);
        loop {
            for _ in 0..256 {
                let Some(entering) = self.find_entering(block) else {
                    return SimplexEnd::Optimal;
                };
                self.pivot(entering);
            }
            if stop() {
                return SimplexEnd::Stopped;
            }
        }
    }

    /// Each demand's cheapest incoming flow arc, pivoted in first while the tree is still
    /// shallow (LEMON's start heuristic): most of them stay in the optimum.
    fn initial_pivots(&mut self) {
        let first_flow = self.supplies + self.demands;
        let mut best = vec![(i64::MAX, usize::MAX); self.pi.len()];
        for e in first_flow..self.source.len() {
            let t = self.target[e] as usize;
            if self.cost[e] < best[t].0 {
                best[t] = (self.cost[e], e);
            }
        }
        for (_, e) in best {
            if e != usize::MAX && !self.in_tree[e] && self.reduced_cost(e) < 0 {
                self.pivot(e);
            }
        }
    }

    fn find_entering(&mut self, block: usize) -> Option<usize> {
        let arcs = self.source.len();
        if self.next_arc >= arcs {
            self.next_arc = 0;
        }
        let (mut best, mut best_arc) = (0i64, usize::MAX);
        let mut left = block;
        let start = self.next_arc;
        for e in (start..arcs).chain(0..start) {
            if !self.in_tree[e] {
                let c = self.reduced_cost(e);
                if c < best {
                    best = c;
                    best_arc = e;
                }
            }
            left -= 1;
            if left == 0 {
                if best < 0 {
                    self.next_arc = e + 1;
                    return Some(best_arc);
                }
                left = block;
            }
        }
        (best < 0).then(|| {
            self.next_arc = start;
            best_arc
        })
    }

    /// The lowest common ancestor of `u` and `v`.
    fn join(&self, mut u: usize, mut v: usize) -> usize {
        while u != v {
            if self.succ_num[u] < self.succ_num[v] {
                u = self.parent[u] as usize;
            } else {
                v = self.parent[v] as usize;
            }
        }
        u
    }

    fn pivot(&mut self, in_arc: usize) {
        self.pivots += 1;
        let (first, second) = (self.source[in_arc] as usize, self.target[in_arc] as usize);
        let join = self.join(first, second);
        // Flow goes first -> second on the entering arc, up from second to the join, and
        // down from the join to first. Only arcs whose flow falls can block (no capacities).
        // Ties go to the last blocking arc met in the cycle's direction from the join,
        // which keeps the tree strongly feasible (no cycling on degenerate pivots).
        let mut delta = i64::MAX;
        let mut u_out = usize::MAX;
        let mut on_first = true;
        let mut u = first;
        while u != join {
            if self.pred_dir[u] == UP {
                let f = self.flow[self.pred[u] as usize];
                if f < delta {
                    delta = f;
                    u_out = u;
                }
            }
            u = self.parent[u] as usize;
        }
        u = second;
        while u != join {
            if self.pred_dir[u] == DOWN {
                let f = self.flow[self.pred[u] as usize];
                if f <= delta {
                    delta = f;
                    u_out = u;
                    on_first = false;
                }
            }
            u = self.parent[u] as usize;
        }
        debug_assert!(
            u_out != usize::MAX,
            "an uncapacitated cycle here has a blocking arc"
        );
        if delta > 0 {
            self.flow[in_arc] += delta;
            let mut u = first;
            while u != join {
                let e = self.pred[u] as usize;
                self.flow[e] -= i64::from(self.pred_dir[u]) * delta;
                u = self.parent[u] as usize;
            }
            let mut u = second;
            while u != join {
                let e = self.pred[u] as usize;
                self.flow[e] += i64::from(self.pred_dir[u]) * delta;
                u = self.parent[u] as usize;
            }
        }
        self.in_tree[in_arc] = true;
        self.in_tree[self.pred[u_out] as usize] = false;
        // The subtree hanging below the leaving arc is re-hung from the entering arc's end on
        // its own side of the cycle.
        let (u_in, v_in) = if on_first {
            (first, second)
        } else {
            (second, first)
        };
        self.update_tree(in_arc, join, u_in, v_in, u_out);
        self.update_potentials(in_arc, u_in, v_in);
    }

    /// Potential of node `u` with the hub at 0.
    fn potential(&self, u: usize) -> i64 {
        self.pi[u] - self.pi[self.supplies + self.demands]
    }

    /// The hub, root of the tree.
    #[cfg(test)]
    fn root(&self) -> usize {
        self.supplies + self.demands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the tree invariants the pivots rely on.
    pub(super) fn check_tree(e: &NetworkSimplex) {
        let n = e.root() + 1;
        // Thread is one cycle through every node in preorder from the root.
        let mut seen = vec![false; n];
        let mut u = e.root();
        for _ in 0..n {
            assert!(!seen[u], "thread revisits {u}");
            seen[u] = true;
            assert_eq!(e.rev_thread[e.thread[u] as usize] as usize, u);
            u = e.thread[u] as usize;
        }
        assert_eq!(u, e.root());
        // Reduced cost zero on tree arcs; tree arcs match pred.
        for v in 0..n {
            if v == e.root() {
                continue;
            }
            let a = e.pred[v] as usize;
            assert!(e.in_tree[a]);
            assert_eq!(e.reduced_cost(a), 0, "tree arc {a} of node {v}");
            assert!(e.flow[a] >= 0);
        }
        assert_eq!(e.potential(e.root()), 0);
    }

    #[test]
    fn two_by_two_matches_a_hand_computed_optimum() {
        // Supplies 5 and 3 t (disposal 10 each), demands 4 and 4 t (import 10 each); routing
        // costs 1 or 2 per t, so every tonne that can be routed is (saves 18-19).
        let mut e = NetworkSimplex::new(&[5, 3], &[10, 10], &[4, 4], &[10, 10], &[]);
        e.add_arc(0, 0, 1);
        e.add_arc(0, 1, 2);
        e.add_arc(1, 1, 1);
        check_tree(&e);
        assert_eq!(e.run(&|| false), SimplexEnd::Optimal);
        check_tree(&e);
        // Optimum: 4 t 0->0 (1), 1 t 0->1 (2), 3 t 1->1 (1): routing 9, no disposal, no import.
        assert_eq!((e.flow(0), e.flow(1), e.flow(2)), (4, 1, 3));
    }

    #[test]
    fn arcs_added_after_a_run_continue_from_the_basis() {
        let mut e = NetworkSimplex::new(&[5, 3], &[10, 10], &[4, 4], &[10, 10], &[]);
        e.add_arc(0, 0, 1);
        assert_eq!(e.run(&|| false), SimplexEnd::Optimal);
        assert_eq!(e.flow(0), 4);
        e.add_arc(0, 1, 2);
        e.add_arc(1, 1, 1);
        assert_eq!(e.run(&|| false), SimplexEnd::Optimal);
        check_tree(&e);
        assert_eq!((e.flow(0), e.flow(1), e.flow(2)), (4, 1, 3));
    }
}
