//! The specialised path for LPs that are pure transportation problems (no processes, every
//! arc ratio 1): the LP becomes a min-cost flow over supplies, demands and one "world" node
//! (disposal arcs into it, import arcs out of it) and is solved exactly by successive
//! shortest paths ([`crate::ssp`]).
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
//! `-COST_STEP/2`, inside [`crate::PRICING_TOLERANCE`].

use crate::lp::{Column, LinearProgram, RowKind};
use crate::solver::{LpSolution, SolveStatus, SolverOptions};
use crate::ssp::{self, Transportation};
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

/// The transportation path of one solve (all pricing rounds).
#[derive(Debug)]
pub struct FlowSession {
    options: SolverOptions,
    started: Instant,
    /// Augmenting paths over all solves of the session.
    pub augmentations: u64,
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
        // Path lengths add up to (nodes + 1) costs; keep them far from overflow.
        let room = i64::MAX as f64 / ((nodes as f64 + 1.0) * 8.0);
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
            augmentations: 0,
        })
    }

    /// Solves `lp` (which may have gained flow columns since the last call).
    pub fn solve(&mut self, lp: &LinearProgram) -> LpSolution {
        let l = &lp.layout;
        let (supplies, demands) = (l.supplies, l.demands);
        let units = |t: f64| (t / QUANTITY_STEP).floor() as i64;
        let price_units = |c: f64| (c / COST_STEP).round() as i64;
        let flows = lp.num_cols() - l.flow(0);
        let mut problem = Transportation {
            supply: (0..supplies)
                .map(|s| units(lp.row_upper[l.supply_row(s)]))
                .collect(),
            disposal_cost: (0..supplies)
                .map(|s| price_units(lp.col_cost[l.disposal(s)]))
                .collect(),
            demand: (0..demands)
                .map(|t| units(lp.row_upper[l.demand_row(t)]))
                .collect(),
            import_cost: (0..demands)
                .map(|t| price_units(lp.col_cost[l.import(t)]))
                .collect(),
            from: Vec::with_capacity(flows),
            to: Vec::with_capacity(flows),
            cost: Vec::with_capacity(flows),
        };
        for j in l.flow(0)..lp.num_cols() {
            let (mut from, mut to) = (0, 0);
            for (row, _) in lp.column_entries(j) {
                match l.row(row) {
                    RowKind::SupplyBalance(s) => from = s,
                    RowKind::DemandBalance(t) => to = t,
                    _ => {}
                }
            }
            problem.from.push(from as u32);
            problem.to.push(to as u32);
            problem.cost.push(price_units(lp.col_cost[j]));
        }
        let deadline = self
            .options
            .time_limit
            .map(|limit| self.started + Duration::from_secs_f64(limit.max(0.0)));
        let plan = ssp::solve(&problem, deadline);
        self.augmentations += plan.augmentations;
        tracing::debug!(
            augmentations = plan.augmentations,
            settled = plan.settled,
            "transportation solved"
        );
        let status = if plan.optimal {
            SolveStatus::Optimal
        } else {
            SolveStatus::TimeLimit
        };
        let row_dual = plan.optimal.then(|| {
            let mut dual = vec![0.0; lp.num_rows()];
            for (s, &p) in plan.supply_potential.iter().enumerate() {
                dual[l.supply_row(s)] = -(p as f64) * COST_STEP;
            }
            for (t, &p) in plan.demand_potential.iter().enumerate() {
                dual[l.demand_row(t)] = p as f64 * COST_STEP;
            }
            dual
        });
        LpSolution {
            status,
            primal: Some(self::plan(lp, &plan.flow)),
            row_dual,
        }
    }
}

/// Column values of the LP from the flow of each flow column: flows in tonnes, and import
/// and disposal as what the flows leave of each stream, so balance rows hold exactly.
fn plan(lp: &LinearProgram, flow: &[i64]) -> Vec<f64> {
    let l = &lp.layout;
    let mut x = vec![0.0; lp.num_cols()];
    let mut left_row: Vec<f64> = lp.row_upper.clone();
    for j in l.flow(0)..lp.num_cols() {
        let tonnes = flow[j - l.flow(0)] as f64 * QUANTITY_STEP;
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
