//! The HiGHS backend: loads a [`LinearProgram`] and keeps the model between pricing rounds,
//! so columns added by pricing are solved warm from the previous basis. HiGHS sees the costs
//! divided by a power of two ([`super::scale::normalising_factor`]) and its duals are
//! multiplied back: its tolerances are absolute (dual feasibility 1e-7), so without this a
//! plan in MEUR, whose costs are a millionth of the same plan's in EUR, would be accepted
//! with reduced costs as negative as 10% of them.
//!
//! An LP with opened columns (investment decisions) is a MIP: HiGHS's branch and bound
//! solves it to the relative gap asked for, reports the gap it reached, and stops within
//! moments of a cancellation through its interrupt callback (its time limit alone would let
//! a cancelled MIP run on).

use super::cancel::CancelToken;
use super::options::SolverOptions;
use super::status::{LpSolution, SolveStatus, StartingBasis};
use crate::lp::LinearProgram;
use crate::model::error::Error;
use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Model, Row, Sense};
use highs_sys::{
    Highs_changeColsBoundsByRange, Highs_changeColsCostByRange, Highs_changeRowsBoundsByRange,
    Highs_setBasis, Highs_setCallback, Highs_startCallback, HighsCallbackDataIn,
    HighsCallbackDataOut, HighsInt, kHighsCallbackMipInterrupt,
};
use std::ffi::{c_char, c_int, c_void};
use std::time::Instant;

/// The relative MIP gap HiGHS stops at unless asked for another.
pub const DEFAULT_MIP_GAP: f64 = 1e-4;

/// A HiGHS model kept between solves, so columns added by pricing are solved warm from the
/// previous basis instead of from scratch.
#[derive(Debug)]
pub(crate) struct LpSession {
    model: Option<Model>,
    rows: Vec<Row>,
    columns: usize,
    options: SolverOptions,
    started: Instant,
    /// Seconds spent inside this model's solves so far. HiGHS compares its `time_limit`
    /// with its run clock, which adds up over every solve of one model rather than
    /// restarting, so each call's limit is this plus the time left.
    in_highs: f64,
    /// Whether the next solve starts from a basis (a previous solve's or one given).
    warm: bool,
    /// No time was left when the session began (a start used it up, or the client
    /// cancelled): the LP is not loaded and every solve reports the time limit.
    out_of_time: bool,
    /// The next solve runs the primal simplex (from a given primal feasible basis).
    primal_once: bool,
    /// What HiGHS's costs are the LP's divided by.
    cost_factor: f64,
    /// Whether the LP has integer columns (a MIP: no duals, a gap).
    mip: bool,
    /// The relative gap of the last MIP solve (0 when proven optimal).
    mip_gap: Option<f64>,
    /// The token the interrupt callback reads, boxed so its address outlives moves of the
    /// session (HiGHS keeps the pointer).
    _interrupt: Box<CancelToken>,
}

// SAFETY: the session owns its HiGHS instance alone (the `highs` crate's handle is not
// `Send` only because it is a raw pointer) and every call on it takes `&mut self`, so it is
// used by one thread at a time; HiGHS keeps no state tied to the thread that made an
// instance (servers and the batch runner already solve many instances on many threads).
// A what-if session moves its kept LP between the tokio blocking threads its revisions
// run on. The interrupt callback reads a `CancelToken`, which is `Send` and `Sync`.
#[allow(unsafe_code)]
unsafe impl Send for LpSession {}

/// HiGHS's interrupt callback: asks the MIP to stop once the solve's token is cancelled.
/// HiGHS's C API is the only way to a callback; the `highs` crate has none.
///
/// # Safety
/// `user` is the address of the session's boxed [`CancelToken`], alive as long as the
/// HiGHS instance that calls this; `data_in` is HiGHS's own, valid for the call or null.
#[allow(unsafe_code)]
unsafe extern "C" fn interrupt_when_cancelled(
    _kind: c_int,
    _message: *const c_char,
    _data_out: *const HighsCallbackDataOut,
    data_in: *mut HighsCallbackDataIn,
    user: *mut c_void,
) {
    // SAFETY: see the function's contract.
    unsafe {
        let token = &*(user as *const CancelToken);
        if token.is_cancelled() && !data_in.is_null() {
            (*data_in).user_interrupt = 1;
        }
    }
}

/// HiGHS's basis statuses (`kHighsBasisStatus*`) and its error status (`kHighsStatusError`).
const BASIS_LOWER: HighsInt = 0;
const BASIS_BASIC: HighsInt = 1;
const STATUS_ERROR: HighsInt = -1;

/// HiGHS's `simplex_strategy` values: its default, the dual simplex, and the primal one.
const SIMPLEX_DUAL: HighsInt = 1;
const SIMPLEX_PRIMAL: HighsInt = 4;

/// The LP as a HiGHS model (`None` when it has no columns) and its row handles, with every
/// cost divided by `cost_factor`.
fn load(lp: &LinearProgram, cost_factor: f64) -> Result<(Option<Model>, Vec<Row>), Error> {
    let mut problem = ColProblem::default();
    let rows: Vec<Row> = lp
        .rows()
        .map(|i| {
            let (lo, hi) = lp.row_bounds(i);
            problem.add_row(lo..=hi)
        })
        .collect();
    for j in lp.cols() {
        let (lo, hi) = lp.col_bounds(j);
        problem.add_column_with_integrality(
            lp.cost(j) / cost_factor,
            lo..=hi,
            lp.column_entries(j).map(|(r, v)| (rows[r.get()], v)),
            lp.is_integer(j),
        );
    }
    if lp.num_cols() == 0 {
        return Ok((None, rows));
    }
    let mut model = Model::try_new(problem)
        .map_err(|s| Error::Solver(format!("HiGHS rejected the model: {s:?}")))?;
    model.set_sense(Sense::Minimise);
    Ok((Some(model), rows))
}

impl LpSession {
    /// Loads the LP into HiGHS, unless no time is left: loading only to stop at once costs
    /// seconds and memory at scale (a 100,000-site region whose start used up a 120 s limit:
    /// 129 s and 891 MB loaded, 122 s and 475 MB not).
    #[allow(unsafe_code)]
    pub(crate) fn new(lp: &LinearProgram, options: SolverOptions) -> Result<Self, Error> {
        let started = Instant::now();
        let out_of_time = options.must_stop(started);
        let cost_factor = super::scale::normalising_factor(lp);
        let (mut model, rows) = if out_of_time {
            (None, Vec::new())
        } else {
            load(lp, cost_factor)?
        };
        let mip = lp.has_integers();
        let interrupt = Box::new(options.cancel.clone());
        if mip && let Some(model) = model.as_mut() {
            let gap = options.mip_gap.unwrap_or(DEFAULT_MIP_GAP);
            model
                .try_set_option("mip_rel_gap", gap)
                .map_err(|e| Error::Solver(format!("mip_rel_gap: {e:?}")))?;
            let user = std::ptr::from_ref::<CancelToken>(&interrupt)
                .cast_mut()
                .cast();
            // SAFETY: `model` is a live HiGHS instance; `user` points into the box the
            // session keeps as long as the model, and the callback only reads it.
            let code = unsafe {
                Highs_setCallback(model.as_mut_ptr(), Some(interrupt_when_cancelled), user);
                Highs_startCallback(model.as_mut_ptr(), kHighsCallbackMipInterrupt)
            };
            if code == STATUS_ERROR {
                return Err(Error::Solver("HiGHS refused the interrupt callback".into()));
            }
        }
        Ok(LpSession {
            model,
            rows,
            columns: lp.num_cols(),
            options,
            started,
            in_highs: 0.0,
            warm: false,
            out_of_time,
            primal_once: false,
            cost_factor,
            mip,
            mip_gap: None,
            _interrupt: interrupt,
        })
    }

    /// The relative gap the last MIP solve reached, if this is a MIP.
    pub(crate) fn mip_gap(&self) -> Option<f64> {
        self.mip_gap
    }

    /// Starts the next solve from `basis` instead of the all-slack one. Nonbasic columns
    /// and rows sit at their lower bound (at their upper one when there is no lower).
    #[allow(unsafe_code)]
    pub(crate) fn start_from(&mut self, basis: &StartingBasis) -> Result<(), Error> {
        let Some(model) = self.model.as_mut() else {
            return Ok(());
        };
        let status = |basic: bool| {
            if basic { BASIS_BASIC } else { BASIS_LOWER }
        };
        let columns: Vec<HighsInt> = basis.basic_column.iter().map(|&b| status(b)).collect();
        let rows: Vec<HighsInt> = basis.basic_row.iter().map(|&b| status(b)).collect();
        if columns.len() != self.columns || rows.len() != self.rows.len() {
            return Err(Error::Solver("starting basis of the wrong size".into()));
        }
        // The `highs` crate has no call for a basis; this is HiGHS's own C API on the model
        // the crate owns, with arrays of the lengths HiGHS reads (checked above).
        // SAFETY: `model` is a live HiGHS instance; `columns` and `rows` hold one status per
        // column and row of it and outlive the call, which copies them.
        let code = unsafe { Highs_setBasis(model.as_mut_ptr(), columns.as_ptr(), rows.as_ptr()) };
        if code == STATUS_ERROR {
            return Err(Error::Solver("HiGHS rejected the starting basis".into()));
        }
        self.warm = true;
        // The basis given is primal feasible (see `transport_start`), so the primal simplex
        // starts right from it, where the dual simplex first gives that feasibility up for
        // its own (the 30,000-site region's process part: 46 s and 18,894 iterations
        // instead of 60-70 s and about 27,000). Only for this solve: the re-solves after
        // pricing stay with the dual simplex, which is faster there (the 10,000-site region:
        // 47 s either way with the primal first, 60 s with the primal throughout).
        model.set_option("simplex_strategy", SIMPLEX_PRIMAL);
        self.primal_once = true;
        Ok(())
    }

    /// Takes the revised costs and bounds of `lp` (the same rows and columns as loaded) with
    /// a new clock and time limit; HiGHS solves on from the basis it kept (the primal simplex
    /// after new costs, the dual one after new bounds, as it chooses).
    #[allow(unsafe_code)]
    pub(crate) fn revise(
        &mut self,
        lp: &LinearProgram,
        options: SolverOptions,
    ) -> Result<(), Error> {
        self.options = options;
        // `in_highs` stays: HiGHS's run clock goes on adding up over this model's solves.
        self.started = Instant::now();
        self.out_of_time = false;
        let factor = super::scale::normalising_factor(lp);
        let Some(model) = self.model.as_mut() else {
            // Nothing loaded (no columns, or no time was left): load the revised LP.
            (self.model, self.rows) = load(lp, factor)?;
            self.cost_factor = factor;
            self.columns = lp.num_cols();
            return Ok(());
        };
        if lp.num_cols() != self.columns || lp.num_rows() != self.rows.len() {
            return Err(Error::Solver("a revision changed the LP's shape".into()));
        }
        self.cost_factor = factor;
        let cost: Vec<f64> = lp.cols().map(|j| lp.cost(j) / factor).collect();
        let (col_lower, col_upper): (Vec<f64>, Vec<f64>) =
            lp.cols().map(|j| lp.col_bounds(j)).unzip();
        let (row_lower, row_upper): (Vec<f64>, Vec<f64>) =
            lp.rows().map(|i| lp.row_bounds(i)).unzip();
        let last_col = lp.num_cols() as HighsInt - 1;
        let last_row = lp.num_rows() as HighsInt - 1;
        // The `highs` crate changes one column at a time through handles it hands out on
        // adding; HiGHS's C API changes a range at once.
        // SAFETY: `model` is a live HiGHS instance with `columns` columns and `rows` rows
        // (checked above); each array holds one value per column or row of the range and
        // outlives the call, which copies it.
        let codes = unsafe {
            let h = model.as_mut_ptr();
            let mut codes = vec![Highs_changeColsCostByRange(h, 0, last_col, cost.as_ptr())];
            codes.push(Highs_changeColsBoundsByRange(
                h,
                0,
                last_col,
                col_lower.as_ptr(),
                col_upper.as_ptr(),
            ));
            if last_row >= 0 {
                codes.push(Highs_changeRowsBoundsByRange(
                    h,
                    0,
                    last_row,
                    row_lower.as_ptr(),
                    row_upper.as_ptr(),
                ));
            }
            codes
        };
        if codes.contains(&STATUS_ERROR) {
            return Err(Error::Solver("HiGHS rejected a revision".into()));
        }
        Ok(())
    }

    /// Runs the next solve with the dual simplex after all: a start basis that new bounds
    /// made primal infeasible stays dual feasible, where the primal simplex would first
    /// have to find feasibility again.
    pub(crate) fn prefer_dual(&mut self) {
        if let Some(model) = self.model.as_mut() {
            model.set_option("simplex_strategy", SIMPLEX_DUAL);
        }
        self.primal_once = false;
    }

    /// Adds the columns of `lp` that the session does not have yet.
    pub(crate) fn add_new_columns(&mut self, lp: &LinearProgram) -> Result<(), Error> {
        let Some(model) = self.model.as_mut() else {
            return Err(Error::Solver("columns added to an empty model".into()));
        };
        for j in lp.cols().skip(self.columns) {
            let (lo, hi) = lp.col_bounds(j);
            model
                .try_add_column(
                    lp.cost(j) / self.cost_factor,
                    lo..=hi,
                    lp.column_entries(j).map(|(r, v)| (self.rows[r.get()], v)),
                )
                .map_err(|s| Error::Solver(format!("HiGHS rejected a column: {s:?}")))?;
        }
        self.columns = lp.num_cols();
        Ok(())
    }

    /// Solves `lp` (warm after the first call); the time limit counts from the session's
    /// start. A warm solve that HiGHS ends without an answer (status unknown: seen on one
    /// of 151 EU regions after columns were added to an optimal basis) is repeated once
    /// from scratch, as a fresh model of the same LP.
    pub(crate) fn solve(&mut self, lp: &LinearProgram) -> Result<LpSolution, Error> {
        let warm = std::mem::replace(&mut self.warm, true);
        let solution = self.solve_loaded()?;
        if !(warm && solution.status == SolveStatus::SolverError) {
            return Ok(solution);
        }
        tracing::debug!("warm HiGHS solve ended without an answer; solving from scratch");
        (self.model, self.rows) = load(lp, self.cost_factor)?;
        self.columns = lp.num_cols();
        // A fresh model's run clock starts at zero.
        let spent_before = std::mem::take(&mut self.in_highs);
        let solution = self.solve_loaded();
        self.in_highs += spent_before;
        solution
    }

    fn solve_loaded(&mut self) -> Result<LpSolution, Error> {
        if self.out_of_time {
            return Ok(LpSolution {
                status: SolveStatus::TimeLimit,
                primal: None,
                row_dual: None,
            });
        }
        let Some(mut model) = self.model.take() else {
            // Nothing to decide: the empty plan is optimal.
            return Ok(LpSolution {
                status: SolveStatus::Optimal,
                primal: Some(Vec::new()),
                row_dual: Some(vec![0.0; self.rows.len()]),
            });
        };
        if let Some(limit) = self.options.time_limit {
            let left = (limit - self.started.elapsed().as_secs_f64()).max(0.0);
            model
                .try_set_option("time_limit", self.in_highs + left)
                .map_err(|e| Error::Solver(format!("time_limit: {e:?}")))?;
        }
        let solving = Instant::now();
        let solved = model
            .try_solve()
            .map_err(|s| Error::Solver(format!("HiGHS failed: {s:?}")))?;
        self.in_highs += solving.elapsed().as_secs_f64();
        let status = match solved.status() {
            HighsModelStatus::Optimal | HighsModelStatus::ModelEmpty => SolveStatus::Optimal,
            HighsModelStatus::Infeasible => SolveStatus::Infeasible,
            HighsModelStatus::Unbounded => SolveStatus::Unbounded,
            HighsModelStatus::UnboundedOrInfeasible => SolveStatus::InfeasibleOrUnbounded,
            // A cancelled solve ends as time-limited, on every path.
            HighsModelStatus::ReachedTimeLimit | HighsModelStatus::ReachedInterrupt => {
                SolveStatus::TimeLimit
            }
            HighsModelStatus::ReachedIterationLimit => SolveStatus::IterationLimit,
            _ => SolveStatus::SolverError,
        };
        tracing::debug!(
            seconds = solving.elapsed().as_secs_f64(),
            columns = self.columns,
            rows = self.rows.len(),
            iterations = solved.simplex_iteration_count(),
            status = ?solved.status(),
            "HiGHS solved"
        );
        let has_point = status == SolveStatus::Optimal
            || (matches!(status, SolveStatus::TimeLimit | SolveStatus::IterationLimit)
                && solved.primal_solution_status() == HighsSolutionStatus::Feasible);
        let solution = has_point.then(|| solved.get_solution());
        if self.mip {
            self.mip_gap = has_point.then(|| solved.mip_gap());
        }
        let mut model = Model::from(solved);
        if std::mem::take(&mut self.primal_once) {
            model.set_option("simplex_strategy", SIMPLEX_DUAL);
        }
        self.model = Some(model);
        Ok(LpSolution {
            status,
            // A MIP's duals would be those of its last node's LP, not of the problem.
            row_dual: solution
                .as_ref()
                .filter(|_| status == SolveStatus::Optimal && !self.mip)
                .map(|s| s.dual_rows().iter().map(|y| y * self.cost_factor).collect()),
            primal: solution.map(|s| s.columns().to_vec()),
        })
    }
}
