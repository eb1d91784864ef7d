//! The engine for parts with processes whose processes each take one input and give one
//! output: such an LP is a generalised network (every column has at most two entries, a
//! flow's ratio and a process's yield are its gains). A process's capacity row would be a
//! third entry of its activity column, so the engine splits the activity instead: one
//! column up to the capacity at the running cost, and, for a candidate process, one
//! without limit that also pays the new capacity ([`GeneralisedSession::new`]).
//!
//! The primal simplex ([`simplex`]) starts from the transport tree (a primal feasible
//! basis, see `transport_start`) and keeps its basis across pricing rounds: columns pricing
//! adds come in nonbasic at zero, so each re-solve goes on from the last optimum.
//! Results are the LP's own columns and row duals, as HiGHS would give them. The engine sees
//! the costs divided by a power of two ([`super::scale::normalising_factor`]), so its
//! tolerances, absolute like HiGHS's, mean the same whether money is in EUR or MEUR.
//! It exists because HiGHS, even started from the same tree, spends most of a large region's
//! solve on what a network basis does cheaply (docs/performance.md, "Regions with
//! processes").

mod basis;
mod exchange;
mod simplex;
mod thread;

use super::options::SolverOptions;
use super::status::{LpSolution, SolveStatus, StartingBasis};
use crate::lp::{Col, ColKind, LinearProgram, Row, RowKind};
use basis::Column;
use simplex::{End, Simplex, State};
use std::time::Instant;

/// A process's capacity row, folded into its activity columns.
#[derive(Clone, Copy, Debug)]
struct Capacity {
    row: usize,
    activity: usize,
    new_capacity: Option<usize>,
}

/// The engine kept across the rounds of one solve.
#[derive(Debug)]
pub(crate) struct GeneralisedSession {
    simplex: Simplex,
    /// LP rows; engine column `i < rows` is row `i`'s slack, column `rows + j` is LP column `j`.
    rows: usize,
    lp_columns: usize,
    capacities: Vec<Capacity>,
    options: SolverOptions,
    started: Instant,
    /// The basis the session started from, for HiGHS should the engine lose its own.
    start: StartingBasis,
    /// What the engine's costs are the LP's divided by.
    cost_factor: f64,
}

/// Why the engine gave up on a solve: its basis became singular or infeasible in floating
/// point. The caller goes on with HiGHS.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lost;

/// LP column `j`'s cost (divided by `cost_factor`) and bounds, without entries yet.
fn cost_and_bounds(lp: &LinearProgram, j: Col, cost_factor: f64) -> Column {
    let (lower, upper) = lp.col_bounds(j);
    Column {
        row: [0; 2],
        coef: [0.0; 2],
        entries: 0,
        cost: lp.cost(j) / cost_factor,
        lower,
        upper,
    }
}

/// LP column `j` as an engine column, leaving out entries in folded capacity rows; `None`
/// when it has no entry left or more than two.
fn engine_column(
    lp: &LinearProgram,
    j: Col,
    skip_row: &[bool],
    cost_factor: f64,
) -> Option<Column> {
    let mut column = cost_and_bounds(lp, j, cost_factor);
    for (row, a) in lp.column_entries(j) {
        if skip_row[row.get()] {
            continue;
        }
        if column.entries == 2 || (column.entries == 1 && column.row[0] as usize == row.get()) {
            return None;
        }
        column.row[usize::from(column.entries)] = row.get() as u32;
        column.coef[usize::from(column.entries)] = a;
        column.entries += 1;
    }
    (column.entries > 0 && column.cost.is_finite() && column.lower.is_finite()).then_some(column)
}

impl GeneralisedSession {
    /// The engine for `lp` from `start`; `None` when `lp` is not a generalised network of
    /// this shape or `start` is not a primal feasible basis of it with every process idle.
    pub(crate) fn new(
        lp: &LinearProgram,
        start: &StartingBasis,
        options: SolverOptions,
    ) -> Option<Self> {
        let started = Instant::now();
        let layout = &lp.layout;
        let rows = lp.num_rows();
        let cost_factor = super::scale::normalising_factor(lp);
        let mut capacities = Vec::new();
        let mut folded = vec![false; rows];
        for i in lp.rows() {
            let RowKind::Capacity(p) = layout.row(i) else {
                continue;
            };
            let activity = layout.activity(p);
            let new_capacity = layout.new_capacity_of(p);
            let entry = |j: Col| lp.column_entries(j).find(|(r, _)| *r == i).map(|(_, a)| a);
            let shape_ok = lp.row_bounds(i).0 == f64::NEG_INFINITY
                && entry(activity) == Some(1.0)
                && new_capacity.is_none_or(|n| {
                    entry(n) == Some(-1.0)
                        && lp.column_entries(n).count() == 1
                        && lp.col_bounds(n) == (0.0, f64::INFINITY)
                });
            if !shape_ok || !start.basic_row[i.get()] {
                tracing::debug!(shape_ok, "capacity row not foldable");
                return None;
            }
            folded[i.get()] = true;
            capacities.push(Capacity {
                row: i.get(),
                activity: activity.get(),
                new_capacity: new_capacity.map(Col::get),
            });
        }
        let mut columns = Vec::with_capacity(rows + lp.num_cols());
        for i in lp.rows() {
            let (lower, upper) = lp.row_bounds(i);
            columns.push(Column {
                row: [i.get() as u32, 0],
                coef: [-1.0, 0.0],
                entries: 1,
                cost: 0.0,
                lower,
                upper,
            });
        }
        let mut is_new_capacity = vec![false; lp.num_cols()];
        for n in capacities.iter().filter_map(|c| c.new_capacity) {
            is_new_capacity[n] = true;
        }
        for j in lp.cols() {
            if is_new_capacity[j.get()] {
                // Its entries are its activity's, set below.
                columns.push(cost_and_bounds(lp, j, cost_factor));
                continue;
            }
            let Some(column) = engine_column(lp, j, &folded, cost_factor) else {
                tracing::debug!(column = j.get(), kind = ?layout.column(j), "not a network column");
                return None;
            };
            columns.push(column);
        }
        for c in &capacities {
            let activity = columns[rows + c.activity];
            columns[rows + c.activity].upper = activity.upper.min(lp.row_bounds(Row::new(c.row)).1);
            if let Some(n) = c.new_capacity {
                let extra = &mut columns[rows + n];
                extra.row = activity.row;
                extra.coef = activity.coef;
                extra.entries = activity.entries;
                extra.cost += activity.cost;
            }
        }
        let mut state = Vec::with_capacity(columns.len());
        let basic = start.basic_row.iter().chain(&start.basic_column);
        for (k, (&is_basic, column)) in basic.zip(&columns).enumerate() {
            let process = k >= rows
                && matches!(
                    layout.column(Col::new(k - rows)),
                    ColKind::Activity(_) | ColKind::NewCapacity(_)
                );
            state.push(if is_basic && process {
                return None;
            } else if is_basic {
                State::Basic
            } else if column.lower.is_finite() {
                State::AtLower
            } else if column.upper.is_finite() {
                State::AtUpper
            } else {
                return None;
            });
        }
        let Some(simplex) = Simplex::new(rows, columns, state) else {
            tracing::debug!("the start is not a primal feasible basis");
            return None;
        };
        Some(GeneralisedSession {
            simplex,
            rows,
            lp_columns: lp.num_cols(),
            capacities,
            options,
            started,
            start: start.clone(),
            cost_factor,
        })
    }

    /// Takes the columns `lp` gained since the last solve (flows, two entries each).
    pub(crate) fn add_new_columns(&mut self, lp: &LinearProgram) -> Result<(), Lost> {
        let none_folded = vec![false; self.rows];
        let mut added = Vec::with_capacity(lp.num_cols() - self.lp_columns);
        for j in lp.cols().skip(self.lp_columns) {
            added.push(engine_column(lp, j, &none_folded, self.cost_factor).ok_or(Lost)?);
        }
        self.simplex.add_columns(added.into_iter());
        self.lp_columns = lp.num_cols();
        Ok(())
    }

    /// Solves from the current basis until optimal or the time limit.
    pub(crate) fn solve(&mut self) -> Result<LpSolution, Lost> {
        let solving = Instant::now();
        let pivots_before = self.simplex.pivots;
        let end = self.simplex.run(&|| self.options.must_stop(self.started));
        tracing::debug!(
            seconds = solving.elapsed().as_secs_f64(),
            pivots = self.simplex.pivots - pivots_before,
            columns = self.lp_columns,
            rows = self.rows,
            end = ?end,
            "generalised network simplex solved"
        );
        let status = match end {
            End::Optimal => SolveStatus::Optimal,
            End::Stopped => SolveStatus::TimeLimit,
            End::Unbounded => SolveStatus::Unbounded,
            End::Lost => return Err(Lost),
        };
        let primal = (status != SolveStatus::Unbounded).then(|| self.primal());
        let row_dual = (status == SolveStatus::Optimal).then(|| self.row_dual());
        Ok(LpSolution {
            status,
            primal,
            row_dual,
        })
    }

    /// The LP's column values: an activity is its two engine columns together, a new
    /// capacity the part above the capacity.
    fn primal(&self) -> Vec<f64> {
        let value = &self.simplex.value[self.rows..];
        let mut primal = value.to_vec();
        for c in &self.capacities {
            if let Some(n) = c.new_capacity {
                primal[c.activity] += value[n];
            }
        }
        primal
    }

    /// The LP's row duals, in the LP's own currency; a capacity row's is what one more unit
    /// of capacity saves: the activity's reduced cost when it runs at capacity, zero below it.
    fn row_dual(&self) -> Vec<f64> {
        let simplex = &self.simplex;
        let mut dual = simplex.dual.clone();
        for c in &self.capacities {
            let column = &simplex.columns[self.rows + c.activity];
            let reduced = column.cost
                - column
                    .entries()
                    .map(|(i, a)| a * simplex.dual[i])
                    .sum::<f64>();
            dual[c.row] = reduced.min(0.0);
        }
        for y in &mut dual {
            *y *= self.cost_factor;
        }
        dual
    }

    /// The start basis over `lp`'s current columns (those added since nonbasic), for HiGHS.
    pub(crate) fn start_for(&self, lp: &LinearProgram) -> StartingBasis {
        let mut basis = self.start.clone();
        basis.basic_column.resize(lp.num_cols(), false);
        basis
    }

    /// The engine's current basis over `lp`'s columns, for HiGHS to go on from (a what-if
    /// revision). A capacity row is folded into its activity's bound here, so an activity at
    /// that bound is basic in HiGHS's terms and the row's slack nonbasic; nonbasic columns
    /// at an upper bound are listed as nonbasic, and HiGHS places them.
    pub(crate) fn current_basis(&self, lp: &LinearProgram) -> StartingBasis {
        let state = &self.simplex.state;
        let mut basis = StartingBasis {
            basic_row: state[..self.rows]
                .iter()
                .map(|s| *s == State::Basic)
                .collect(),
            basic_column: state[self.rows..]
                .iter()
                .map(|s| *s == State::Basic)
                .collect(),
        };
        for c in &self.capacities {
            if state[self.rows + c.activity] == State::AtUpper {
                basis.basic_column[c.activity] = true;
                basis.basic_row[c.row] = false;
            }
        }
        basis.basic_column.resize(lp.num_cols(), false);
        basis
    }

    /// The options and start time of the session, for HiGHS to go on within the same limit.
    pub(crate) fn options_left(&self) -> SolverOptions {
        self.options.clone().charged(self.started)
    }
}

#[cfg(test)]
mod tests;
