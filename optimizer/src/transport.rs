//! The specialised path for LPs that are pure transportation problems (no processes, every
//! arc ratio 1): the LP becomes a min-cost flow over supplies, demands and one "world" node
//! (disposal arcs into it, import arcs out of it) and is solved by [`crate::mcf`].
//! It returns the same [`LpSolution`] as HiGHS would (column values and row duals), so
//! pricing, results and reports are shared.
//!
//! Scaling to integers, and the error it allows:
//! - quantities are rounded *down* to [`QUANTITY_STEP`] tonnes (1 gram), so routed flows never
//!   exceed a stream; what rounding leaves (under 1 g per stream) is disposed or imported,
//!   and mass balance holds exactly in the returned plan;
//! - costs per tonne are rounded to the nearest [`COST_STEP`] (10^-6 currency units).
//!
//! The plan is optimal for the rounded costs, so its true cost is within
//! `COST_STEP x (tonnes supplied + tonnes demanded)` of the LP optimum, plus the cost of
//! routing the sub-gram remainders (at most one gram per stream at its import or disposal
//! cost). Row duals are exact for the rounded costs, so every reduced cost is at least
//! `-(COST_STEP/2 + COST_STEP/(n+1))`, inside [`crate::PRICING_TOLERANCE`].

use crate::lp::{Column, LinearProgram};
use crate::mcf::{FlowProblem, FlowStatus, Solver, WarmStart};
use crate::solver::{LpSolution, SolveStatus, SolverOptions};
use std::time::{Duration, Instant};

/// Resolution of quantities on this path, in tonnes.
pub const QUANTITY_STEP: f64 = 1e-6;

/// Resolution of costs on this path, in currency units per tonne.
pub const COST_STEP: f64 = 1e-6;

/// Whether `lp` is a pure transportation problem this path solves exactly: no process
/// rows or columns and every flow moving one tonne into one tonne.
pub fn is_transportation(lp: &LinearProgram) -> bool {
    let l = &lp.layout;
    if l.processes > 0 || l.process_inputs > 0 || l.process_outputs > 0 {
        return false;
    }
    (l.flow(0)..lp.num_cols()).all(|j| {
        lp.col_lower[j] == 0.0
            && lp.col_upper[j] == f64::INFINITY
            && lp.column_entries(j).all(|(_, v)| v == 1.0)
    }) && lp.col_cost.iter().all(|c| c.is_finite())
}

/// A transportation problem kept between solves, so a pricing round starts from the previous
/// flow and prices.
#[derive(Debug)]
pub struct FlowSession {
    options: SolverOptions,
    started: Instant,
    /// Flow and scaled prices of the last optimal solve (the warm start of the next).
    warm: Option<(Vec<i64>, Vec<i64>)>,
    pub phases: usize,
}

impl FlowSession {
    /// A session for `lp`, or `None` when it is not a transportation problem or its costs
    /// are too large for 64-bit scaled integers (HiGHS then solves it).
    pub fn new(lp: &LinearProgram, options: SolverOptions) -> Option<Self> {
        if !is_transportation(lp) {
            return None;
        }
        let nodes = lp.layout.supplies + lp.layout.demands + 1;
        let largest = lp.col_cost.iter().fold(0.0f64, |m, c| m.max(c.abs())) / COST_STEP;
        // Room for the solver's own scaling by (nodes + 1) and its ε arithmetic.
        let room = i64::MAX as f64 / ((nodes as f64 + 1.0) * 4.0 * crate::mcf::ALPHA as f64);
        if largest >= room {
            return None;
        }
        let total: f64 = lp.row_upper.iter().sum::<f64>() / QUANTITY_STEP;
        if total >= (i64::MAX / 4) as f64 {
            return None;
        }
        Some(FlowSession {
            options,
            started: Instant::now(),
            warm: None,
            phases: 0,
        })
    }

    /// Solves `lp` (which may have gained flow columns since the last call).
    pub fn solve(&mut self, lp: &LinearProgram) -> LpSolution {
        let l = &lp.layout;
        let (supplies, demands) = (l.supplies, l.demands);
        let world = (supplies + demands) as u32;
        let units = |t: f64| (t / QUANTITY_STEP).floor() as i64;
        let price_units = |c: f64| (c / COST_STEP).round() as i64;
        let mut problem = FlowProblem {
            supply: Vec::with_capacity(supplies + demands + 1),
            ..Default::default()
        };
        for s in 0..supplies {
            problem.supply.push(units(lp.row_upper[l.supply_row(s)]));
        }
        for t in 0..demands {
            problem.supply.push(-units(lp.row_upper[l.demand_row(t)]));
        }
        problem.supply.push(-problem.supply.iter().sum::<i64>());
        let arcs = supplies + demands + lp.num_cols() - l.flow(0);
        for v in [&mut problem.tail, &mut problem.head] {
            v.reserve(arcs);
        }
        problem.cap.reserve(arcs);
        problem.cost.reserve(arcs);
        // Disposal and import first, flows after: pricing appends flows, so an earlier
        // solve's arcs are a prefix of this one's (what a warm start needs).
        for s in 0..supplies {
            let cost = price_units(lp.col_cost[l.disposal(s)]);
            problem.add_arc(s as u32, world, problem.supply[s], cost);
        }
        for t in 0..demands {
            let node = supplies + t;
            let cost = price_units(lp.col_cost[l.import(t)]);
            problem.add_arc(world, node as u32, -problem.supply[node], cost);
        }
        for j in l.flow(0)..lp.num_cols() {
            let (mut from, mut to) = (0, 0);
            for (row, _) in lp.column_entries(j) {
                match l.row(row) {
                    crate::lp::RowKind::SupplyBalance(s) => from = s,
                    crate::lp::RowKind::DemandBalance(t) => to = supplies + t,
                    _ => {}
                }
            }
            // No single flow can carry more than its source sends or its sink takes.
            let cap = problem.supply[from].min(-problem.supply[to]);
            problem.add_arc(from as u32, to as u32, cap, price_units(lp.col_cost[j]));
        }
        let deadline = self
            .options
            .time_limit
            .map(|limit| self.started + Duration::from_secs_f64(limit.max(0.0)));
        let solver = match Solver::new(&problem) {
            Ok(solver) => solver,
            Err(e) => {
                tracing::warn!(error = %e, "min-cost flow rejected the problem");
                return LpSolution {
                    status: SolveStatus::SolverError,
                    primal: None,
                    row_dual: None,
                };
            }
        };
        let warm = self.warm.as_ref().map(|(flow, price)| WarmStart {
            flow,
            scaled_price: price,
        });
        let (solution, scaled_price) = solver.solve(warm, deadline);
        self.phases += solution.phases;
        tracing::debug!(
            phases = solution.phases,
            relabels = solution.relabels,
            pushes = solution.pushes,
            price_updates = solution.price_updates,
            "min-cost flow solved"
        );
        let status = match solution.status {
            FlowStatus::Optimal => SolveStatus::Optimal,
            FlowStatus::TimeLimit => SolveStatus::TimeLimit,
            // Import and disposal are unlimited, so this cannot happen for a valid LP.
            FlowStatus::Infeasible => SolveStatus::SolverError,
        };
        let primal = solution.flow.as_ref().map(|flow| plan(lp, flow));
        let row_dual = (status == SolveStatus::Optimal).then(|| {
            let world_price = solution.price[world as usize];
            let mut dual = vec![0.0; lp.num_rows()];
            for s in 0..supplies {
                dual[l.supply_row(s)] = (world_price - solution.price[s]) * COST_STEP;
            }
            for t in 0..demands {
                dual[l.demand_row(t)] = (solution.price[supplies + t] - world_price) * COST_STEP;
            }
            dual
        });
        if status == SolveStatus::Optimal {
            self.warm = solution.flow.map(|flow| (flow, scaled_price));
        }
        LpSolution {
            status,
            primal,
            row_dual,
        }
    }
}

/// Column values of the LP from a flow (arcs ordered disposal, import, flows): flows in
/// tonnes, and import and disposal as what the flows leave of each stream, so balance rows
/// hold exactly.
fn plan(lp: &LinearProgram, flow: &[i64]) -> Vec<f64> {
    let l = &lp.layout;
    let first_flow = l.supplies + l.demands;
    let mut x = vec![0.0; lp.num_cols()];
    let mut left_row: Vec<f64> = lp.row_upper.clone();
    for j in l.flow(0)..lp.num_cols() {
        let tonnes = flow[first_flow + j - l.flow(0)] as f64 * QUANTITY_STEP;
        x[j] = tonnes;
        for (row, _) in lp.column_entries(j) {
            left_row[row] -= tonnes;
        }
    }
    for (j, value) in x.iter_mut().enumerate().take(l.flow(0)) {
        let row = match l.column(j) {
            Column::Import(t) => l.demand_row(t),
            Column::Disposal(s) => l.supply_row(s),
            _ => continue,
        };
        *value = left_row[row].max(0.0);
    }
    x
}
