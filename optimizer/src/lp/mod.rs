//! The LP of docs/design.md, built column-wise from a [`crate::Network`] into a plain sparse form
//! ([`LinearProgram`]) that the solver backends and the LP-file writer all read. Its layout
//! (`layout`) gives typed handles for columns and rows; [`costs`] holds the one cost rule
//! of each column kind; `build` owns the rows and lists each row's contributors; `columns`
//! stores the columns, the flows in a compact form of their own;
//! [`certificate`] checks a solver's claim independently.

mod build;
pub mod certificate;
mod columns;
pub mod costs;
mod layout;
mod lp_file;

use columns::Columns;
pub use layout::{Col, ColKind, Layout, Row, RowKind};
pub use lp_file::write_lp;

/// A sparse LP in column-compressed form, minimised.
#[derive(Clone, Debug, Default)]
pub struct LinearProgram {
    pub(crate) col_cost: Vec<f64>,
    /// Every column's bounds and entries.
    pub(crate) columns: Columns,
    pub(crate) row_lower: Vec<f64>,
    pub(crate) row_upper: Vec<f64>,
    /// Where each kind of column and row sits.
    pub layout: Layout,
    /// Whether the opened columns are fixed at chosen values, so the LP has no integer
    /// column left ([`LinearProgram::with_openings_fixed`]).
    pub(crate) openings_fixed: bool,
}

impl LinearProgram {
    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.col_cost.len()
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    /// Every column, in order.
    pub fn cols(&self) -> impl Iterator<Item = Col> + use<> {
        (0..self.num_cols()).map(Col::new)
    }

    /// Every row, in order.
    pub fn rows(&self) -> impl Iterator<Item = Row> + use<> {
        (0..self.num_rows()).map(Row::new)
    }

    /// Objective coefficient of column `j`.
    pub fn cost(&self, j: Col) -> f64 {
        self.col_cost[j.get()]
    }

    /// The cost of the point `x` (one value per column).
    pub fn objective_of(&self, x: &[f64]) -> f64 {
        self.cols().map(|j| self.cost(j) * x[j.get()]).sum()
    }

    /// Whether column `j` takes whole values only (a candidate's opened, 0 or 1).
    pub fn is_integer(&self, j: Col) -> bool {
        self.has_integers() && matches!(self.layout.column(j), ColKind::Opened(_))
    }

    /// Whether any column takes whole values only (a MIP).
    pub fn has_integers(&self) -> bool {
        !self.openings_fixed && self.layout.has_decisions()
    }

    /// The same LP with decided candidate `decided`'s opening forced (`open` or closed) and
    /// every other opening free again: a MIP, for what that opening is worth.
    pub fn with_opening_forced(&self, decided: usize, open: bool) -> LinearProgram {
        let mut forced = self.clone();
        let listed = &mut forced.columns.listed;
        for k in 0..self.layout.decided.len() {
            let j = self.layout.opened(k).get();
            (listed.lower[j], listed.upper[j]) = (0.0, 1.0);
        }
        let j = self.layout.opened(decided).get();
        let v = f64::from(u8::from(open));
        (listed.lower[j], listed.upper[j]) = (v, v);
        forced.openings_fixed = false;
        forced
    }

    /// The same LP with each opened column fixed at its value in `x`, rounded to 0 or 1: the
    /// LP of the flows for those openings, whose duals price the left-out arcs.
    pub fn with_openings_fixed(&self, x: &[f64]) -> LinearProgram {
        let mut fixed = self.clone();
        let listed = &mut fixed.columns.listed;
        for k in 0..self.layout.decided.len() {
            let j = self.layout.opened(k).get();
            let v = x[j].round().clamp(0.0, 1.0);
            (listed.lower[j], listed.upper[j]) = (v, v);
        }
        fixed.openings_fixed = true;
        fixed
    }

    /// Bounds of column `j`.
    pub fn col_bounds(&self, j: Col) -> (f64, f64) {
        self.columns.bounds(j.get())
    }

    /// Bounds of row `i` (equal for balance rows).
    pub fn row_bounds(&self, i: Row) -> (f64, f64) {
        (self.row_lower[i.get()], self.row_upper[i.get()])
    }

    /// Entries `(row, value)` of column `j`.
    pub fn column_entries(&self, j: Col) -> impl Iterator<Item = (Row, f64)> + '_ {
        self.columns.entries(j.get())
    }
}
