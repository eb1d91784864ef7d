//! The specialised path for LPs that are pure transportation problems (no processes, every
//! arc ratio 1): the LP becomes a min-cost flow over supplies, demands and one "world" node
//! (disposal arcs into it, import arcs out of it) and is solved exactly by the network
//! simplex ([`simplex`]), whose basis carries over from one pricing round to the next, or on
//! request by successive shortest paths ([`ssp`]).
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

pub mod simplex;
pub mod ssp;

use super::status::{Algorithm, LpSolution, SolveStatus, SolverOptions};
use crate::lp::{Col, ColKind, LinearProgram, RowKind};
use crate::model::ids::{DemandIdx, SupplyIdx};
use simplex::{NetworkSimplex, SimplexEnd};
use ssp::Transportation;
use std::time::Instant;

/// Resolution of quantities on this path, in tonnes.
pub const QUANTITY_STEP: f64 = 1e-6;

/// Resolution of costs on this path, in currency units per tonne.
pub const COST_STEP: f64 = 1e-6;

/// Whether `lp` is a pure transportation problem this path solves exactly: no process
/// rows or columns and every flow moving one tonne into one tonne.
pub fn is_transportation(lp: &LinearProgram) -> bool {
    let l = &lp.layout;
    if l.has_processes() {
        return false;
    }
    l.flows().all(|(_, j)| {
        lp.col_bounds(j) == (0.0, f64::INFINITY) && lp.column_entries(j).all(|(_, v)| v == 1.0)
    }) && lp.cols().all(|j| lp.cost(j).is_finite())
}

/// The transportation path of one solve (all pricing rounds).
#[derive(Debug)]
pub(crate) struct FlowSession {
    options: SolverOptions,
    started: Instant,
    /// Augmenting paths over all solves of the session.
    /// The network simplex and its basis, kept across pricing rounds.
    simplex: Option<NetworkSimplex>,
    /// Supplies then demands in the order the network simplex numbers them (see
    /// [`NetworkSimplex::new`]).
    node_order: Vec<u32>,
}

impl FlowSession {
    /// A session for `lp`, or `None` when it is not a transportation problem or its costs
    /// are too large for 64-bit scaled integers (HiGHS then solves it). `node_order` gives
    /// its supplies then demands with nearby ones together (see [`NetworkSimplex::new`]).
    pub(crate) fn new(
        lp: &LinearProgram,
        options: SolverOptions,
        node_order: impl FnOnce() -> Vec<u32>,
    ) -> Option<Self> {
        if !is_transportation(lp) {
            return None;
        }
        let nodes = lp.num_rows() + 1;
        let largest = lp.cols().fold(0.0f64, |m, j| m.max(lp.cost(j).abs())) / COST_STEP;
        // Room for the solver's own scaling by (nodes + 1) and its ε arithmetic.
        // Path lengths add up to (nodes + 1) costs; keep them far from overflow.
        let room = i64::MAX as f64 / ((nodes as f64 + 1.0) * 8.0);
        if largest >= room {
            return None;
        }
        let total: f64 = lp.rows().map(|i| lp.row_bounds(i).1).sum::<f64>() / QUANTITY_STEP;
        if total >= (i64::MAX / 4) as f64 {
            return None;
        }
        let mut node_order = node_order();
        if node_order.len() != lp.layout.supplies + lp.layout.demands {
            node_order.clear();
        }
        Some(FlowSession {
            options,
            started: Instant::now(),
            simplex: None,
            node_order,
        })
    }

    /// The network simplex's spanning tree after the last solve ([`NetworkSimplex::tree`]),
    /// or `None` on the shortest-path solver or before a solve.
    pub(crate) fn tree(&self) -> Option<Vec<bool>> {
        self.simplex.as_ref().map(NetworkSimplex::tree)
    }

    /// Solves `lp` (which may have gained flow columns since the last call).
    pub(crate) fn solve(&mut self, lp: &LinearProgram) -> LpSolution {
        let deadline = self.options.deadline(self.started);
        let (options, started) = (&self.options, self.started);
        let (optimal, flow, supply_potential, demand_potential) =
            if self.options.algorithm == Algorithm::ShortestPaths {
                let plan = ssp::solve(&transportation(lp), deadline);
                tracing::debug!(
                    augmentations = plan.augmentations,
                    settled = plan.settled,
                    "transportation solved by shortest paths"
                );
                (
                    plan.optimal,
                    plan.flow,
                    plan.supply_potential,
                    plan.demand_potential,
                )
            } else {
                let order = &self.node_order;
                let engine = self.simplex.get_or_insert_with(|| start_simplex(lp, order));
                // Arcs pricing added since the last solve join the basis out of the tree.
                let l = &lp.layout;
                for (_, j) in l.flows().skip(engine.flow_arcs()) {
                    let (from, to) = endpoints(lp, j);
                    engine.add_arc(from, to, price_units(lp.cost(j)));
                }
                let pivots = engine.pivots;
                let end = engine.run(&|| options.must_stop(started));
                tracing::debug!(
                    pivots = engine.pivots - pivots,
                    arcs = engine.flow_arcs(),
                    "transportation solved by network simplex"
                );
                (
                    end == SimplexEnd::Optimal,
                    (0..l.arcs()).map(|a| engine.flow(a)).collect(),
                    (0..l.supplies)
                        .map(|s| engine.supply_potential(s))
                        .collect(),
                    (0..l.demands).map(|t| engine.demand_potential(t)).collect(),
                )
            };
        let l = &lp.layout;
        let status = if optimal {
            SolveStatus::Optimal
        } else {
            SolveStatus::TimeLimit
        };
        let row_dual = optimal.then(|| {
            let mut dual = vec![0.0; lp.num_rows()];
            for (s, &p) in supply_potential.iter().enumerate() {
                dual[l.supply_row(SupplyIdx::new(s)).get()] = -(p as f64) * COST_STEP;
            }
            for (t, &p) in demand_potential.iter().enumerate() {
                dual[l.demand_row(DemandIdx::new(t)).get()] = p as f64 * COST_STEP;
            }
            dual
        });
        LpSolution {
            status,
            primal: Some(self::plan(lp, &flow)),
            row_dual,
        }
    }
}

/// Tonnes as whole units of [`QUANTITY_STEP`], rounded down so routed flows never exceed a
/// stream.
fn units(tonnes: f64) -> i64 {
    (tonnes / QUANTITY_STEP).floor() as i64
}

/// A cost per tonne as whole units of [`COST_STEP`].
fn price_units(cost: f64) -> i64 {
    (cost / COST_STEP).round() as i64
}

/// The supply and demand a flow column joins.
fn endpoints(lp: &LinearProgram, j: Col) -> (u32, u32) {
    let (mut from, mut to) = (0, 0);
    for (row, _) in lp.column_entries(j) {
        match lp.layout.row(row) {
            RowKind::SupplyBalance(s) => from = s.get(),
            RowKind::DemandBalance(t) => to = t.get(),
            _ => {}
        }
    }
    (from as u32, to as u32)
}

/// The scaled supplies, demands and slack costs of `lp`:
/// `(supply, disposal_cost, demand, import_cost)`.
fn scaled_nodes(lp: &LinearProgram) -> (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) {
    let l = &lp.layout;
    let supplies = (0..l.supplies).map(SupplyIdx::new);
    let demands = (0..l.demands).map(DemandIdx::new);
    (
        supplies
            .clone()
            .map(|s| units(lp.row_bounds(l.supply_row(s)).1))
            .collect(),
        supplies
            .map(|s| price_units(lp.cost(l.disposal(s))))
            .collect(),
        demands
            .clone()
            .map(|t| units(lp.row_bounds(l.demand_row(t)).1))
            .collect(),
        demands.map(|t| price_units(lp.cost(l.import(t)))).collect(),
    )
}

/// The network simplex on the all-slack basis of `lp`, its nodes numbered in `order` (its
/// flow arcs are added by the caller, like those of later rounds).
fn start_simplex(lp: &LinearProgram, order: &[u32]) -> NetworkSimplex {
    let (supply, disposal_cost, demand, import_cost) = scaled_nodes(lp);
    NetworkSimplex::new(&supply, &disposal_cost, &demand, &import_cost, order)
}

/// `lp` as a scaled transportation problem for the shortest-path solver.
fn transportation(lp: &LinearProgram) -> Transportation {
    let (supply, disposal_cost, demand, import_cost) = scaled_nodes(lp);
    let l = &lp.layout;
    let mut problem = Transportation {
        supply,
        disposal_cost,
        demand,
        import_cost,
        from: Vec::with_capacity(l.arcs()),
        to: Vec::with_capacity(l.arcs()),
        cost: Vec::with_capacity(l.arcs()),
    };
    for (_, j) in l.flows() {
        let (from, to) = endpoints(lp, j);
        problem.from.push(from);
        problem.to.push(to);
        problem.cost.push(price_units(lp.cost(j)));
    }
    problem
}

/// Column values of the LP from the flow of each flow column: flows in tonnes, and import
/// and disposal as what the flows leave of each stream, so balance rows hold exactly.
fn plan(lp: &LinearProgram, flow: &[i64]) -> Vec<f64> {
    let l = &lp.layout;
    let mut x = vec![0.0; lp.num_cols()];
    let mut left_row: Vec<f64> = lp.rows().map(|i| lp.row_bounds(i).1).collect();
    for (a, j) in l.flows() {
        let tonnes = flow[a.get()] as f64 * QUANTITY_STEP;
        x[j.get()] = tonnes;
        for (row, _) in lp.column_entries(j) {
            left_row[row.get()] -= tonnes;
        }
    }
    for j in l.fixed_columns() {
        let row = match l.column(j) {
            ColKind::Import(t) => l.demand_row(t),
            ColKind::Disposal(s) => l.supply_row(s),
            _ => continue,
        };
        x[j.get()] = left_row[row.get()].max(0.0);
    }
    x
}
