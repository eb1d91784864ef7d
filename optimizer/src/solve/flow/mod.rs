//! The specialised path for LPs that are pure transportation problems (no processes, every
//! arc ratio 1, or ratios that [`scaling`] measures away): the LP becomes a min-cost flow
//! over supplies, demands and one "world" node
//! (disposal arcs into it, import arcs out of it) and is solved exactly by the network
//! simplex ([`simplex`]), whose basis carries over from one pricing round to the next, or on
//! request by successive shortest paths ([`ssp`]).
//! It returns the same [`LpSolution`] as HiGHS would (column values and row duals), so
//! pricing, results and reports are shared.
//!
//! Scaling to integers, and the error it allows. Both steps are chosen per part from its own
//! numbers ([`Resolution::of`]), so the plan is the same whether money is in EUR or MEUR and
//! tonnes in t or kt:
//! - quantities are rounded *down* to whole steps of `stream tonnes / 2^50`, so routed flows
//!   never exceed a stream; what rounding leaves (under one step per stream, about 1e-15 of
//!   the part's tonnes) is disposed or imported, and mass balance holds exactly in the
//!   returned plan;
//! - costs per tonne are rounded to the nearest step of `largest cost / R`, with `R` as large
//!   as 64-bit arithmetic allows: a potential is a sum of at most `nodes` arc costs along a
//!   tree path and a reduced cost adds three potentials' worth, so every cost, potential and
//!   reduced cost stays below `i64::MAX` when `R x (nodes + 1) x 8 <= i64::MAX`; `R` is also
//!   at most 2^50, so `cost / step` is exact in an `f64` before it is rounded. On a
//!   200,000-node part that is a step of 1.7e-13 of the largest cost.
//!
//! The plan is optimal for the rounded costs, so its true cost is within
//! `cost step x (tonnes supplied + tonnes demanded)` of the LP optimum, plus the cost of
//! routing the sub-step remainders. Row duals are exact for the rounded costs, so every
//! reduced cost is at least `-cost step / 2`, far inside pricing's tolerance
//! ([`crate::solve::scale`]).

mod scaling;
pub mod simplex;
pub mod ssp;

pub(crate) use scaling::NodeScale;

use super::options::{Algorithm, SolverOptions};
use super::scale;
use super::status::{LpSolution, SolveStatus};
use crate::lp::{Col, ColKind, LinearProgram, RowKind};
use crate::model::ids::{DemandIdx, SupplyIdx};
use simplex::{NetworkSimplex, SimplexEnd};
use ssp::Transportation;
use std::time::Instant;

/// The finest integer resolution: `x / step` stays exact in an `f64` below 2^53.
const FINEST: f64 = (1u64 << 50) as f64;

/// The integer steps of one part: tonnes and currency per tonne per unit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resolution {
    /// Tonnes per flow unit.
    quantity_step: f64,
    /// Currency per tonne per cost unit.
    cost_step: f64,
    /// The largest cost in units: an arc pricing adds later is capped here (see
    /// [`Resolution::price_units`]).
    cost_cap: i64,
}

impl Resolution {
    /// The steps for `lp` counted in `units`, or `None` when its costs are not all finite.
    fn of(lp: &LinearProgram, units: &NodeScale) -> Option<Self> {
        let nodes = lp.num_rows() as f64 + 1.0;
        let room = (i64::MAX as f64 / ((nodes + 1.0) * 8.0)).min(FINEST);
        // Arcs pricing adds may cost more than any column has so far; one that costs more
        // than disposing of its supply and importing its demand together never carries
        // flow, so twice the largest slack cost bounds every useful arc. A unit of `f`
        // tonnes costs `f` times a tonne and holds `1 / f` of one.
        let (most, least) = units.range();
        let largest = most * scale::largest_cost(lp).max(2.0 * largest_slack_cost(lp));
        if !largest.is_finite() || room < 1.0 {
            return None;
        }
        Some(Resolution {
            quantity_step: scale::stream_tonnes(lp) / least / FINEST,
            cost_step: largest / room,
            cost_cap: room as i64,
        })
    }

    /// Tonnes as whole units, rounded down so routed flows never exceed a stream.
    fn units(&self, tonnes: f64) -> i64 {
        (tonnes / self.quantity_step).floor() as i64
    }

    /// A cost per tonne as whole units. Arcs costlier than the cap (added by pricing after
    /// the steps were chosen) are capped: they cost more than any slack pair, so they stay
    /// out of every optimal tree either way.
    fn price_units(&self, cost: f64) -> i64 {
        ((cost / self.cost_step).round() as i64).clamp(-self.cost_cap, self.cost_cap)
    }

    /// Tonnes of `units` flow units.
    fn tonnes(&self, units: i64) -> f64 {
        units as f64 * self.quantity_step
    }

    /// Currency per tonne of a potential of `units`.
    fn currency(&self, units: i64) -> f64 {
        units as f64 * self.cost_step
    }
}

/// The largest import or disposal cost of `lp`.
fn largest_slack_cost(lp: &LinearProgram) -> f64 {
    lp.layout
        .fixed_columns()
        .filter(|&j| {
            matches!(
                lp.layout.column(j),
                ColKind::Import(_) | ColKind::Disposal(_)
            )
        })
        .fold(0.0_f64, |m, j| m.max(lp.cost(j).abs()))
}

/// Whether `lp` is a pure transportation problem this path solves exactly once counted in
/// `units`: no process rows or columns and every flow one unit out of its supply's row and
/// one unit into its demand's, with no other entry.
pub(crate) fn is_transportation(lp: &LinearProgram, units: &NodeScale) -> bool {
    let l = &lp.layout;
    if l.has_processes() {
        return false;
    }
    l.flows().all(|(_, j)| {
        if lp.col_bounds(j) != (0.0, f64::INFINITY) || lp.column_entries(j).count() != 2 {
            return false;
        }
        let (mut from, mut to, mut sent, mut ratio) = (None, None, 0.0, 0.0);
        for (row, v) in lp.column_entries(j) {
            match l.row(row) {
                RowKind::SupplyBalance(s) => (from, sent) = (Some(s.get()), v),
                RowKind::DemandBalance(t) => (to, ratio) = (Some(t.get()), v),
                _ => return false,
            }
        }
        match (from, to) {
            (Some(s), Some(t)) => sent == 1.0 && units.is_unit_flow(s, t, ratio),
            _ => false,
        }
    }) && lp.cols().all(|j| lp.cost(j).is_finite())
}

/// The transportation path of one solve (all pricing rounds).
#[derive(Debug)]
pub(crate) struct FlowSession {
    options: SolverOptions,
    started: Instant,
    /// The tonnes per unit of each supply and demand.
    units: NodeScale,
    resolution: Resolution,
    /// The network simplex and its basis, kept across pricing rounds.
    simplex: Option<NetworkSimplex>,
    /// Supplies then demands in the order the network simplex numbers them (see
    /// [`NetworkSimplex::new`]).
    node_order: Vec<u32>,
}

impl FlowSession {
    /// A session for `lp` counted in `units`, or `None` when it is not a transportation
    /// problem in them or its costs are too large for 64-bit scaled integers (HiGHS then
    /// solves it). `node_order` gives its supplies then demands with nearby ones together
    /// (see [`NetworkSimplex::new`]).
    pub(crate) fn new(
        lp: &LinearProgram,
        units: NodeScale,
        options: SolverOptions,
        node_order: impl FnOnce() -> Vec<u32>,
    ) -> Option<Self> {
        if !is_transportation(lp, &units) {
            return None;
        }
        let resolution = Resolution::of(lp, &units)?;
        let mut node_order = node_order();
        if node_order.len() != lp.layout.supplies + lp.layout.demands {
            node_order.clear();
        }
        Some(FlowSession {
            options,
            started: Instant::now(),
            units,
            resolution,
            simplex: None,
            node_order,
        })
    }

    /// A session for `lp` whose network simplex starts from `tree` (arcs listed as
    /// [`NetworkSimplex::tree`] lists them, in `lp`'s numbering) instead of the all-slack
    /// tree, when they span it; `None` as for [`FlowSession::new`].
    pub(crate) fn with_tree(
        lp: &LinearProgram,
        units: NodeScale,
        options: SolverOptions,
        node_order: impl FnOnce() -> Vec<u32>,
        tree: &[bool],
    ) -> Option<Self> {
        let started = Instant::now();
        let mut session = Self::new(lp, units, options, node_order)?;
        let (r, units) = (session.resolution, &session.units);
        let mut engine = start_simplex(lp, units, &session.node_order, &r);
        for (_, j) in lp.layout.flows() {
            let (from, to) = endpoints(lp, j);
            engine.add_arc(from, to, flow_cost(lp, units, &r, j));
        }
        if engine.set_tree(tree) {
            let exchanges = engine.refit();
            tracing::debug!(
                exchanges,
                seconds = started.elapsed().as_secs_f64(),
                "network simplex tree carried to the extended problem"
            );
        }
        session.simplex = Some(engine);
        Some(session)
    }

    /// The network simplex's spanning tree after the last solve ([`NetworkSimplex::tree`]),
    /// or `None` on the shortest-path solver or before a solve.
    pub(crate) fn tree(&self) -> Option<Vec<bool>> {
        self.simplex.as_ref().map(NetworkSimplex::tree)
    }

    /// Solves `lp` (which may have gained flow columns since the last call).
    pub(crate) fn solve(&mut self, lp: &LinearProgram) -> LpSolution {
        let deadline = self.options.deadline(self.started);
        let (options, started, resolution) = (&self.options, self.started, self.resolution);
        let units = &self.units;
        let (optimal, flow, supply_potential, demand_potential) =
            if self.options.algorithm == Algorithm::ShortestPaths {
                let plan = ssp::solve(&transportation(lp, units, &resolution), deadline);
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
                let engine = self
                    .simplex
                    .get_or_insert_with(|| start_simplex(lp, units, order, &resolution));
                // Arcs pricing added since the last solve join the basis out of the tree.
                let l = &lp.layout;
                for (_, j) in l.flows().skip(engine.flow_arcs()) {
                    let (from, to) = endpoints(lp, j);
                    engine.add_arc(from, to, flow_cost(lp, units, &resolution, j));
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
            // Per unit, and a unit of a row is its factor in tonnes.
            for (s, &p) in supply_potential.iter().enumerate() {
                dual[l.supply_row(SupplyIdx::new(s)).get()] =
                    -resolution.currency(p) / units.supply(s);
            }
            for (t, &p) in demand_potential.iter().enumerate() {
                dual[l.demand_row(DemandIdx::new(t)).get()] =
                    resolution.currency(p) / units.demand(t);
            }
            dual
        });
        LpSolution {
            status,
            primal: Some(self::plan(lp, units, &flow, &resolution)),
            row_dual,
        }
    }
}

impl FlowSession {
    /// Takes the revised costs and quantities of `lp` (the same rows and columns as the
    /// last solve's) onto the kept basis, with a new clock and time limit. The integer steps
    /// are chosen again for the revised numbers: the tree is a set of arcs, whatever the
    /// units, and [`NetworkSimplex::refit`] works its flows and potentials out anew. Returns
    /// `false` when the revised costs no longer fit 64-bit integers (the caller hands the
    /// LP to HiGHS).
    pub(crate) fn revise(&mut self, lp: &LinearProgram, options: SolverOptions) -> bool {
        self.options = options;
        self.started = Instant::now();
        let Some(r) = Resolution::of(lp, &self.units) else {
            return false;
        };
        self.resolution = r;
        let Some(engine) = self.simplex.as_mut() else {
            // Not solved yet: the next solve starts from the all-slack tree in the new steps.
            return true;
        };
        let units = &self.units;
        let (supply, disposal_cost, demand, import_cost) = scaled_nodes(lp, units, &r);
        for (s, (&q, &c)) in supply.iter().zip(&disposal_cost).enumerate() {
            engine.set_supply(s, q, c);
        }
        for (t, (&q, &c)) in demand.iter().zip(&import_cost).enumerate() {
            engine.set_demand(t, q, c);
        }
        // Arcs added since the last solve join the engine at the next one, at their cost.
        for (a, j) in lp.layout.flows().take(engine.flow_arcs()) {
            engine.set_flow_cost(a.get(), flow_cost(lp, units, &r, j));
        }
        let exchanges = engine.refit();
        tracing::debug!(exchanges, "network simplex basis refitted to the revision");
        true
    }
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

/// Tonnes sent per unit of flow column `j` (its supply's factor; 1 without factors, with no
/// look-up of its supply).
fn sent_per_unit(lp: &LinearProgram, units: &NodeScale, j: Col) -> f64 {
    if units.is_identity() {
        1.0
    } else {
        units.supply(endpoints(lp, j).0 as usize)
    }
}

/// The cost in whole steps of one unit of flow column `j`.
fn flow_cost(lp: &LinearProgram, units: &NodeScale, r: &Resolution, j: Col) -> i64 {
    r.price_units(lp.cost(j) * sent_per_unit(lp, units, j))
}

/// The supplies, demands and slack costs of `lp` in `units` and the steps of `r`:
/// `(supply, disposal_cost, demand, import_cost)`.
fn scaled_nodes(
    lp: &LinearProgram,
    units: &NodeScale,
    r: &Resolution,
) -> (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) {
    let l = &lp.layout;
    let supplies = (0..l.supplies).map(SupplyIdx::new);
    let demands = (0..l.demands).map(DemandIdx::new);
    (
        supplies
            .clone()
            .map(|s| r.units(lp.row_bounds(l.supply_row(s)).1 / units.supply(s.get())))
            .collect(),
        supplies
            .map(|s| r.price_units(lp.cost(l.disposal(s)) * units.supply(s.get())))
            .collect(),
        demands
            .clone()
            .map(|t| r.units(lp.row_bounds(l.demand_row(t)).1 / units.demand(t.get())))
            .collect(),
        demands
            .map(|t| r.price_units(lp.cost(l.import(t)) * units.demand(t.get())))
            .collect(),
    )
}

/// The network simplex on the all-slack basis of `lp`, its nodes numbered in `order` (its
/// flow arcs are added by the caller, like those of later rounds).
fn start_simplex(
    lp: &LinearProgram,
    units: &NodeScale,
    order: &[u32],
    r: &Resolution,
) -> NetworkSimplex {
    let (supply, disposal_cost, demand, import_cost) = scaled_nodes(lp, units, r);
    NetworkSimplex::new(&supply, &disposal_cost, &demand, &import_cost, order)
}

/// `lp` as a scaled transportation problem for the shortest-path solver.
fn transportation(lp: &LinearProgram, units: &NodeScale, r: &Resolution) -> Transportation {
    let (supply, disposal_cost, demand, import_cost) = scaled_nodes(lp, units, r);
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
        problem.cost.push(flow_cost(lp, units, r, j));
    }
    problem
}

/// Column values of the LP from the flow of each flow column: flows in tonnes sent, and
/// import and disposal as what the flows leave of each stream, so balance rows hold
/// exactly.
fn plan(lp: &LinearProgram, units: &NodeScale, flow: &[i64], r: &Resolution) -> Vec<f64> {
    let l = &lp.layout;
    let mut x = vec![0.0; lp.num_cols()];
    let mut left_row: Vec<f64> = lp.rows().map(|i| lp.row_bounds(i).1).collect();
    for (a, j) in l.flows() {
        let tonnes = r.tonnes(flow[a.get()]) * sent_per_unit(lp, units, j);
        x[j.get()] = tonnes;
        for (row, v) in lp.column_entries(j) {
            left_row[row.get()] -= v * tonnes;
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
