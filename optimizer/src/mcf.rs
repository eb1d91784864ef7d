//! Minimum-cost flow by cost scaling: Goldberg's push-relabel method with ε-scaling
//! ("An efficient implementation of a scaling minimum-cost flow algorithm", J. Algorithms
//! 1997), written for circulate's transportation problems but general: any network with
//! integer supplies, capacities and costs that has a feasible flow.
//!
//! Costs are multiplied by `n + 1` so that a flow that is 1-optimal in scaled units is optimal
//! (Bertsekas/Goldberg: ε < 1/n suffices for integer costs). Each phase divides ε by
//! [`ALPHA`]; inside a phase, active nodes are discharged in FIFO order with the two
//! heuristics that matter most in practice:
//! - *push look-ahead*: a push to a node without excess and without an admissible arc of its
//!   own relabels that node instead, so flow is not sent into dead ends;
//! - *global price update*: a Dijkstra (buckets of ε) back from the deficit nodes resets
//!   prices so every excess sees a short admissible path, run at each phase start and after
//!   every `n` relabels.
//!
//! The residual graph is held as struct-of-arrays with `u32` node and arc indices (24 bytes
//! per residual arc), so ten million arcs take under half a gigabyte.

use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

/// ε is divided by this at each phase (LEMON's default; OR-Tools uses 5).
pub const ALPHA: i64 = 16;

/// A min-cost flow problem. Node `v` has net supply `supply[v]` (negative: demand); the
/// supplies sum to zero. Arc `a` goes `tail[a] -> head[a]` with capacity `cap[a] >= 0` and
/// cost `cost[a]` per unit.
#[derive(Clone, Debug, Default)]
pub struct FlowProblem {
    pub supply: Vec<i64>,
    pub tail: Vec<u32>,
    pub head: Vec<u32>,
    pub cap: Vec<i64>,
    pub cost: Vec<i64>,
}

impl FlowProblem {
    pub fn add_arc(&mut self, tail: u32, head: u32, cap: i64, cost: i64) {
        self.tail.push(tail);
        self.head.push(head);
        self.cap.push(cap);
        self.cost.push(cost);
    }

    /// The largest absolute arc cost (0 without arcs).
    pub fn max_abs_cost(&self) -> i64 {
        self.cost.iter().map(|c| c.abs()).max().unwrap_or(0)
    }
}

/// How a min-cost flow solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowStatus {
    Optimal,
    /// No flow meets the supplies (or they do not sum to zero).
    Infeasible,
    /// The deadline passed; the flow is the last feasible one (ε-optimal for the ε of the
    /// last finished phase) or none.
    TimeLimit,
}

/// The result: a flow per arc, node prices in the problem's cost units (reduced cost
/// `cost + price[tail] - price[head] >= -1/(n+1)` on every arc with residual capacity when
/// optimal), and statistics.
#[derive(Clone, Debug)]
pub struct FlowSolution {
    pub status: FlowStatus,
    pub flow: Option<Vec<i64>>,
    pub price: Vec<f64>,
    pub phases: usize,
    pub relabels: u64,
    pub pushes: u64,
    pub price_updates: usize,
}

impl FlowSolution {
    /// Total cost of the flow (exact, in the problem's integer units).
    pub fn cost(&self, problem: &FlowProblem) -> Option<i128> {
        self.flow.as_ref().map(|flow| {
            flow.iter()
                .zip(&problem.cost)
                .map(|(&f, &c)| f as i128 * c as i128)
                .sum()
        })
    }
}

/// A warm start: a feasible flow and prices from an earlier solve of a problem with the same
/// nodes and a prefix of the same arcs (pricing appends arcs). Only the appended arcs can
/// violate optimality, so scaling starts at the largest violation instead of the largest cost.
#[derive(Clone, Debug)]
pub struct WarmStart<'a> {
    pub flow: &'a [i64],
    /// Prices in scaled units, as kept by [`Solver::scaled_prices`].
    pub scaled_price: &'a [i64],
}

/// Why a problem cannot be given to the solver.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("costs times node count overflow 64-bit integers (largest cost {0})")]
    CostOverflow(i64),
    #[error("arc {0} has a negative capacity")]
    NegativeCapacity(usize),
}

/// The residual network and the state of the algorithm.
#[derive(Debug)]
pub struct Solver {
    n: usize,
    first: Vec<u32>,
    head: Vec<u32>,
    rev: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    /// Residual slot of each problem arc (its reverse slot holds the flow).
    slot: Vec<u32>,
    price: Vec<i64>,
    excess: Vec<i64>,
    current: Vec<u32>,
    multiplier: i64,
    relabels: u64,
    pushes: u64,
    price_updates: usize,
    relabels_since_update: usize,
    /// Prices at the start of the phase, for the infeasibility bound of [`Solver::relabel`].
    phase_start_price: Vec<i64>,
}

impl Solver {
    /// Builds the residual network (costs scaled by `n + 1`).
    pub fn new(problem: &FlowProblem) -> Result<Self, FlowError> {
        let n = problem.supply.len();
        let m = problem.tail.len();
        let multiplier = n as i64 + 1;
        let max_cost = problem.max_abs_cost();
        if max_cost
            .checked_mul(multiplier)
            .and_then(|c| c.checked_mul(4 * ALPHA))
            .is_none()
        {
            return Err(FlowError::CostOverflow(max_cost));
        }
        if let Some(a) = problem.cap.iter().position(|&c| c < 0) {
            return Err(FlowError::NegativeCapacity(a));
        }
        let mut degree = vec![0u32; n + 1];
        for a in 0..m {
            degree[problem.tail[a] as usize + 1] += 1;
            degree[problem.head[a] as usize + 1] += 1;
        }
        for v in 0..n {
            degree[v + 1] += degree[v];
        }
        let first = degree;
        let mut fill: Vec<u32> = first[..n].to_vec();
        let mut head = vec![0u32; 2 * m];
        let mut rev = vec![0u32; 2 * m];
        let mut cap = vec![0i64; 2 * m];
        let mut cost = vec![0i64; 2 * m];
        let mut slot = vec![0u32; m];
        for a in 0..m {
            let (u, v) = (problem.tail[a] as usize, problem.head[a] as usize);
            let forward = fill[u] as usize;
            fill[u] += 1;
            let backward = fill[v] as usize;
            fill[v] += 1;
            head[forward] = v as u32;
            head[backward] = u as u32;
            rev[forward] = backward as u32;
            rev[backward] = forward as u32;
            cap[forward] = problem.cap[a];
            cost[forward] = problem.cost[a] * multiplier;
            cost[backward] = -problem.cost[a] * multiplier;
            slot[a] = forward as u32;
        }
        Ok(Solver {
            n,
            current: first[..n].to_vec(),
            first,
            head,
            rev,
            cap,
            cost,
            slot,
            price: vec![0; n],
            excess: problem.supply.clone(),
            multiplier,
            relabels: 0,
            pushes: 0,
            price_updates: 0,
            relabels_since_update: 0,
            phase_start_price: Vec::new(),
        })
    }

    /// Prices in scaled units (for a later [`WarmStart`]).
    pub fn scaled_prices(&self) -> &[i64] {
        &self.price
    }

    /// Solves from zero flow, or from `warm`; `deadline` stops between discharges.
    pub fn solve(
        mut self,
        warm: Option<WarmStart<'_>>,
        deadline: Option<Instant>,
    ) -> (FlowSolution, Vec<i64>) {
        if self.excess.iter().sum::<i64>() != 0 {
            return self.finish(FlowStatus::Infeasible, None);
        }
        let mut epsilon = match warm {
            Some(warm) => (self.apply_warm_start(warm) / ALPHA).max(1),
            None => {
                let max = self.cost.iter().map(|c| c.abs()).max().unwrap_or(0);
                (max / ALPHA).max(1)
            }
        };
        let mut phases = 0;
        let mut last_feasible: Option<Vec<i64>> = None;
        loop {
            phases += 1;
            match self.refine(epsilon, deadline) {
                Refined::Done => {}
                Refined::Infeasible => return self.finish(FlowStatus::Infeasible, None),
                Refined::OutOfTime => {
                    let mut solution = self.finish(FlowStatus::TimeLimit, last_feasible);
                    solution.0.phases = phases;
                    return solution;
                }
            }
            if epsilon == 1 {
                break;
            }
            if deadline.is_some() {
                last_feasible = Some(self.flows());
            }
            epsilon = (epsilon / ALPHA).max(1);
        }
        let flows = self.flows();
        let mut solution = self.finish(FlowStatus::Optimal, Some(flows));
        solution.0.phases = phases;
        solution
    }

    fn finish(self, status: FlowStatus, flow: Option<Vec<i64>>) -> (FlowSolution, Vec<i64>) {
        let scale = self.multiplier as f64;
        let solution = FlowSolution {
            status,
            flow,
            price: self.price.iter().map(|&p| p as f64 / scale).collect(),
            phases: 0,
            relabels: self.relabels,
            pushes: self.pushes,
            price_updates: self.price_updates,
        };
        (solution, self.price)
    }

    fn flows(&self) -> Vec<i64> {
        self.slot
            .iter()
            .map(|&s| self.cap[self.rev[s as usize] as usize])
            .collect()
    }

    /// Loads the warm flow and prices; returns the starting ε (the largest violation).
    fn apply_warm_start(&mut self, warm: WarmStart<'_>) -> i64 {
        self.price.copy_from_slice(warm.scaled_price);
        for (a, &f) in warm.flow.iter().enumerate() {
            let s = self.slot[a] as usize;
            let r = self.rev[s] as usize;
            let f = f.min(self.cap[s]);
            self.cap[s] -= f;
            self.cap[r] += f;
            let (u, v) = (self.head[r] as usize, self.head[s] as usize);
            self.excess[u] -= f;
            self.excess[v] += f;
        }
        let mut violation = 0;
        for u in 0..self.n {
            for a in self.first[u] as usize..self.first[u + 1] as usize {
                if self.cap[a] > 0 {
                    let reduced = self.cost[a] + self.price[u] - self.price[self.head[a] as usize];
                    violation = violation.max(-reduced);
                }
            }
        }
        violation.max(1)
    }

    #[inline]
    fn reduced(&self, u: usize, a: usize) -> i64 {
        self.cost[a] + self.price[u] - self.price[self.head[a] as usize]
    }

    #[inline]
    fn push(&mut self, u: usize, a: usize, amount: i64) {
        let v = self.head[a] as usize;
        self.cap[a] -= amount;
        self.cap[self.rev[a] as usize] += amount;
        self.excess[u] -= amount;
        self.excess[v] += amount;
        self.pushes += 1;
    }

    /// One ε phase: saturate every arc with negative reduced cost, then discharge until no
    /// node has excess. Ends ε-optimal and feasible.
    fn refine(&mut self, epsilon: i64, deadline: Option<Instant>) -> Refined {
        for u in 0..self.n {
            for a in self.first[u] as usize..self.first[u + 1] as usize {
                if self.cap[a] > 0 && self.reduced(u, a) < 0 {
                    let amount = self.cap[a];
                    self.push(u, a, amount);
                }
            }
        }
        self.current.copy_from_slice(&self.first[..self.n]);
        self.phase_start_price.clone_from(&self.price);
        self.global_update(epsilon);
        let mut active: VecDeque<u32> = (0..self.n as u32)
            .filter(|&v| self.excess[v as usize] > 0)
            .collect();
        let mut steps = 0u32;
        while let Some(u) = active.pop_front() {
            steps = steps.wrapping_add(1);
            if steps % 1024 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                return Refined::OutOfTime;
            }
            if !self.discharge(u as usize, epsilon, &mut active) {
                return Refined::Infeasible;
            }
            if self.relabels_since_update > self.n {
                self.global_update(epsilon);
            }
        }
        Refined::Done
    }

    /// Pushes `u`'s excess along admissible arcs, relabelling when none is left. False when
    /// `u` has excess but no residual arc at all (no feasible flow).
    fn discharge(&mut self, u: usize, epsilon: i64, active: &mut VecDeque<u32>) -> bool {
        let end = self.first[u + 1] as usize;
        while self.excess[u] > 0 {
            let mut a = self.current[u] as usize;
            while a < end && self.excess[u] > 0 {
                if self.cap[a] > 0 && self.reduced(u, a) < 0 {
                    let v = self.head[a] as usize;
                    // Look-ahead: a node without excess and without an admissible arc of
                    // its own would only send the flow back; relabel it first.
                    // (A node with no residual arc at all cannot be relabelled; the push
                    // itself gives it one, back to `u`.)
                    if self.excess[v] >= 0 && !self.has_admissible(v) && self.relabel(v, epsilon) {
                        if self.reduced(u, a) >= 0 {
                            a += 1;
                            continue;
                        }
                    }
                    let was_inactive = self.excess[v] <= 0;
                    let amount = self.excess[u].min(self.cap[a]);
                    self.push(u, a, amount);
                    if was_inactive && self.excess[v] > 0 {
                        active.push_back(v as u32);
                    }
                    if self.excess[u] == 0 {
                        break;
                    }
                }
                a += 1;
            }
            self.current[u] = a.min(end) as u32;
            if self.excess[u] > 0 {
                if !self.relabel(u, epsilon) {
                    return false;
                }
                // A node with excess has a residual path to a deficit, so within one phase
                // its price drops by at most about (α + 1)·n·ε (Goldberg and Tarjan); far
                // beyond that, no deficit can be reached and no feasible flow exists.
                let bound = (2 * ALPHA + 4) * (self.n as i64 + 1) * epsilon;
                if self.phase_start_price[u] - self.price[u] > bound {
                    return false;
                }
            }
        }
        true
    }

    /// Whether `v` has an admissible arc from its current arc on (advancing the pointer past
    /// arcs that are not).
    fn has_admissible(&mut self, v: usize) -> bool {
        let end = self.first[v + 1] as usize;
        let mut a = self.current[v] as usize;
        while a < end {
            if self.cap[a] > 0 && self.reduced(v, a) < 0 {
                self.current[v] = a as u32;
                return true;
            }
            a += 1;
        }
        self.current[v] = end as u32;
        false
    }

    /// Lowers `v`'s price as far as ε-optimality allows, making at least one arc admissible.
    fn relabel(&mut self, v: usize, epsilon: i64) -> bool {
        let (start, end) = (self.first[v] as usize, self.first[v + 1] as usize);
        let mut best = i64::MIN;
        let mut best_arc = start;
        for a in start..end {
            if self.cap[a] > 0 {
                let candidate = self.price[self.head[a] as usize] - self.cost[a];
                if candidate > best {
                    best = candidate;
                    best_arc = a;
                }
            }
        }
        if best == i64::MIN {
            return false;
        }
        self.price[v] = best - epsilon;
        self.current[v] = best_arc as u32;
        self.relabels += 1;
        self.relabels_since_update += 1;
        true
    }

    /// Global price update: shortest distances (in units of ε, arc length
    /// `floor(reduced / ε) + 1 >= 0`) from every node to the deficit nodes over residual arcs;
    /// each price drops by ε times its distance, capped at the distance of the farthest
    /// excess. Keeps ε-optimality and gives every excess an admissible path.
    fn global_update(&mut self, epsilon: i64) {
        self.relabels_since_update = 0;
        let mut remaining = self.excess.iter().filter(|&&e| e > 0).count();
        if remaining == 0 {
            return;
        }
        self.price_updates += 1;
        const UNREACHED: i64 = i64::MAX;
        let mut dist = vec![UNREACHED; self.n];
        let mut heap = BinaryHeap::new();
        for v in 0..self.n {
            if self.excess[v] < 0 {
                dist[v] = 0;
                heap.push(std::cmp::Reverse((0i64, v as u32)));
            }
        }
        let mut reached = 0;
        while let Some(std::cmp::Reverse((d, w))) = heap.pop() {
            let w = w as usize;
            if d > dist[w] {
                continue;
            }
            reached = d;
            if self.excess[w] > 0 {
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            for a in self.first[w] as usize..self.first[w + 1] as usize {
                let r = self.rev[a] as usize;
                if self.cap[r] == 0 {
                    continue;
                }
                let v = self.head[a] as usize;
                let reduced = self.cost[r] + self.price[v] - self.price[w];
                let length = reduced.div_euclid(epsilon) + 1;
                let candidate = d + length.max(0);
                if candidate < dist[v] {
                    dist[v] = candidate;
                    heap.push(std::cmp::Reverse((candidate, v as u32)));
                }
            }
        }
        for v in 0..self.n {
            self.price[v] -= dist[v].min(reached) * epsilon;
        }
        self.current.copy_from_slice(&self.first[..self.n]);
    }
}

enum Refined {
    Done,
    Infeasible,
    OutOfTime,
}

/// Solves `problem` from scratch.
pub fn solve(problem: &FlowProblem, deadline: Option<Instant>) -> Result<FlowSolution, FlowError> {
    Ok(Solver::new(problem)?.solve(None, deadline).0)
}
