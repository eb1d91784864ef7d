//! The primal simplex on a generalised network: columns enter by block search (LEMON's
//! pivot rule: the most negative reduced cost within each block of about sqrt(columns)
//! columns), the ratio test runs over the components of the entering column's rows only,
//! and the duals of those components are found again after the exchange ([`super::basis`]).
//! It starts from a primal feasible basis and keeps it feasible, so a stop at the deadline
//! still leaves a plan.

use super::basis::{Column, Forest, Singular};

/// Where a column sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Basic,
    AtLower,
    AtUpper,
}

/// Reduced costs within this of zero count as zero (HiGHS's dual feasibility tolerance).
const DUAL_TOLERANCE: f64 = 1e-7;
/// Changes of a basic column per unit of the entering one smaller than this are taken as
/// zero in the ratio test.
const PIVOT_TOLERANCE: f64 = 1e-9;
/// A basic value this far outside its bounds (relative to the bound) is a lost basis.
const PRIMAL_TOLERANCE: f64 = 1e-6;
/// How many times larger a tied column's change must be to leave instead of the first.
const TIE_STEADIER: f64 = 1e3;
/// Pivots between recomputing every value and dual from scratch, so rounding does not
/// build up.
const REFRESH_EVERY: u64 = 5_000;
/// Pivots between checks of the deadline.
const CHECK_EVERY: u64 = 256;

/// How [`Simplex::run`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    Optimal,
    Stopped,
    Unbounded,
    /// The basis became singular or infeasible in floating point.
    Lost,
}

/// The problem, its basis and its current point.
#[derive(Debug)]
pub(super) struct Simplex {
    pub(super) columns: Vec<Column>,
    pub(super) value: Vec<f64>,
    pub(super) state: Vec<State>,
    pub(super) dual: Vec<f64>,
    forest: Forest,
    next_block: usize,
    pub(super) pivots: u64,
    since_refresh: u64,
    /// (column, change per unit of the entering column) of the last solve.
    change: Vec<(u32, f64)>,
}

impl Simplex {
    /// The simplex over `rows` rows from the basis `state` marks (nonbasic columns at the
    /// bound marked); `None` when that is not a primal feasible basis.
    pub(super) fn new(rows: usize, columns: Vec<Column>, state: Vec<State>) -> Option<Self> {
        let basic = state
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == State::Basic);
        let forest = Forest::new(rows, &columns, basic.map(|(j, _)| j));
        let value = vec![0.0; columns.len()];
        let mut simplex = Simplex {
            columns,
            value,
            state,
            dual: vec![0.0; rows],
            forest,
            next_block: 0,
            pivots: 0,
            since_refresh: 0,
            change: Vec::new(),
        };
        simplex.refresh().ok()?;
        Some(simplex)
    }

    /// Appends nonbasic columns at their lower bound.
    pub(super) fn add_columns(&mut self, columns: impl Iterator<Item = Column>) {
        for column in columns {
            self.value.push(column.lower);
            self.state.push(State::AtLower);
            self.columns.push(column);
        }
    }

    /// Every nonbasic value at its bound, every basic value and dual solved from scratch;
    /// `Err` when the basis is singular or not primal feasible.
    fn refresh(&mut self) -> Result<(), Singular> {
        let forest = &mut self.forest;
        for (j, column) in self.columns.iter().enumerate() {
            let at = match self.state[j] {
                State::Basic => continue,
                State::AtLower => column.lower,
                State::AtUpper => column.upper,
            };
            self.value[j] = at;
            for (i, a) in column.entries() {
                forest.add_rhs(i, -a * at);
            }
        }
        let since = forest.epoch();
        forest.clear_order();
        for row in 0..forest.rows() {
            if forest.walked_since(row, since) {
                continue;
            }
            let comp = forest.component(&self.columns, row)?;
            let value = &mut self.value;
            forest.solve(&self.columns, comp, |j, w| value[j] = w)?;
            forest.duals(&self.columns, comp, &mut self.dual)?;
        }
        forest.clear_order();
        self.since_refresh = 0;
        for (j, column) in self.columns.iter().enumerate() {
            if self.state[j] == State::Basic {
                let x = self.value[j];
                let slack = |bound: f64| PRIMAL_TOLERANCE * bound.abs().max(1.0);
                if x < column.lower - slack(column.lower) || x > column.upper + slack(column.upper)
                {
                    tracing::debug!(
                        column = j,
                        x,
                        lower = column.lower,
                        upper = column.upper,
                        "infeasible basic value"
                    );
                    return Err(Singular);
                }
            }
        }
        Ok(())
    }

    fn reduced_cost(&self, j: usize) -> f64 {
        let column = &self.columns[j];
        column.cost - column.entries().map(|(i, a)| a * self.dual[i]).sum::<f64>()
    }

    /// How much `j` gains per unit moved in its improving direction (0 when none).
    fn violation(&self, j: usize) -> f64 {
        match self.state[j] {
            State::Basic => 0.0,
            State::AtLower => {
                let column = &self.columns[j];
                if column.upper > column.lower {
                    (-self.reduced_cost(j)).max(0.0)
                } else {
                    0.0
                }
            }
            State::AtUpper => self.reduced_cost(j).max(0.0),
        }
    }

    /// The entering column: the most violating one of the first block, scanned from where
    /// the last search stopped, that has any.
    fn entering(&mut self) -> Option<usize> {
        let n = self.columns.len();
        let block = ((n as f64).sqrt() as usize).max(10);
        let (mut best, mut best_violation) = (None, DUAL_TOLERANCE);
        let mut j = self.next_block;
        for scanned in 0..n {
            let v = self.violation(j);
            if v > best_violation {
                best = Some(j);
                best_violation = v;
            }
            j += 1;
            if j == n {
                j = 0;
            }
            if best.is_some() && (scanned + 1) % block == 0 {
                break;
            }
        }
        self.next_block = j;
        best
    }

    /// Pivots until optimal, `stop` says so (checked every few hundred pivots) or the basis
    /// is lost.
    pub(super) fn run(&mut self, stop: &dyn Fn() -> bool) -> End {
        loop {
            if self.pivots % CHECK_EVERY == 0 && stop() {
                return End::Stopped;
            }
            if self.since_refresh >= REFRESH_EVERY && self.refresh().is_err() {
                return End::Lost;
            }
            let Some(q) = self.entering() else {
                // Confirm on values and duals free of rounding.
                if self.since_refresh == 0 {
                    return End::Optimal;
                }
                if self.refresh().is_err() {
                    return End::Lost;
                }
                if self.entering().is_none() {
                    return End::Optimal;
                }
                continue;
            };
            match self.pivot(q) {
                Ok(true) => {}
                Ok(false) => return End::Unbounded,
                Err(Singular) => return End::Lost,
            }
            self.pivots += 1;
            self.since_refresh += 1;
        }
    }

    /// Moves `q` into the basis (or to its other bound); `Ok(false)` when nothing bounds
    /// the move (the LP is unbounded).
    fn pivot(&mut self, q: usize) -> Result<bool, Singular> {
        let direction = if self.state[q] == State::AtLower {
            1.0
        } else {
            -1.0
        };
        let entering = self.columns[q];
        // The change of every basic column per unit of q.
        self.change.clear();
        self.forest
            .column_change(&self.columns, &entering, &mut self.change)?;
        // Ratio test: the basic column that reaches a bound first leaves. Ties go to the
        // first listed (nearest the entering column's rows, so the piece to re-hang is
        // small) unless a later one changes far more, a much steadier pivot.
        let mut step = entering.upper - entering.lower;
        let mut leaving: Option<(usize, f64)> = None;
        for &(j, w) in &self.change {
            let g = direction * w;
            if g.abs() <= PIVOT_TOLERANCE {
                continue;
            }
            let (j, column) = (j as usize, &self.columns[j as usize]);
            let room = if g > 0.0 {
                (self.value[j] - column.lower).max(0.0) / g
            } else {
                (column.upper - self.value[j]).max(0.0) / -g
            };
            let better = match leaving {
                None => room < step,
                Some((_, best_g)) => {
                    room < step - 1e-12
                        || (room <= step + 1e-12 && g.abs() > TIE_STEADIER * best_g.abs())
                }
            };
            if better {
                step = step.min(room);
                leaving = Some((j, g));
            }
        }
        if step.is_infinite() {
            return Ok(false);
        }
        for &(j, w) in &self.change {
            self.value[j as usize] -= step * direction * w;
        }
        self.value[q] += step * direction;
        let Some((l, g)) = leaving else {
            // q reaches its other bound first and stays out of the basis.
            self.state[q] = if direction > 0.0 {
                State::AtUpper
            } else {
                State::AtLower
            };
            self.value[q] = if direction > 0.0 {
                entering.upper
            } else {
                entering.lower
            };
            return Ok(true);
        };
        let column = self.columns[l];
        (self.state[l], self.value[l]) = if g > 0.0 {
            (State::AtLower, column.lower)
        } else {
            (State::AtUpper, column.upper)
        };
        self.state[q] = State::Basic;
        self.forest
            .exchange(&self.columns, l, q, &mut self.dual)
            .map(|()| true)
    }
}
