//! The HiGHS backend: loads a [`LinearProgram`] and keeps the model between pricing rounds,
//! so columns added by pricing are solved warm from the previous basis.

use super::status::{LpSolution, SolveStatus, SolverOptions};
use crate::lp::LinearProgram;
use crate::model::error::Error;
use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Model, Row, Sense};
use std::time::Instant;

/// A HiGHS model kept between solves, so columns added by pricing are solved warm from the
/// previous basis instead of from scratch.
#[derive(Debug)]
pub(crate) struct LpSession {
    model: Option<Model>,
    rows: Vec<Row>,
    columns: usize,
    options: SolverOptions,
    started: Instant,
    /// Seconds spent inside HiGHS's solves so far. HiGHS compares its `time_limit` with
    /// its run clock, which adds up over every solve of one model rather than restarting,
    /// so each call's limit is this plus the time left.
    in_highs: f64,
}

impl LpSession {
    /// Loads the LP into HiGHS.
    pub(crate) fn new(lp: &LinearProgram, options: SolverOptions) -> Result<Self, Error> {
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
            problem.add_column(
                lp.cost(j),
                lo..=hi,
                lp.column_entries(j).map(|(r, v)| (rows[r.get()], v)),
            );
        }
        let model = if lp.num_cols() == 0 {
            None
        } else {
            let mut model = Model::try_new(problem)
                .map_err(|s| Error::Solver(format!("HiGHS rejected the model: {s:?}")))?;
            model.set_sense(Sense::Minimise);
            Some(model)
        };
        Ok(LpSession {
            model,
            rows,
            columns: lp.num_cols(),
            options,
            started: Instant::now(),
            in_highs: 0.0,
        })
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
                    lp.cost(j),
                    lo..=hi,
                    lp.column_entries(j).map(|(r, v)| (self.rows[r.get()], v)),
                )
                .map_err(|s| Error::Solver(format!("HiGHS rejected a column: {s:?}")))?;
        }
        self.columns = lp.num_cols();
        Ok(())
    }

    /// Solves (warm after the first call); the time limit counts from the session's start.
    pub(crate) fn solve(&mut self) -> Result<LpSolution, Error> {
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
            HighsModelStatus::ReachedTimeLimit => SolveStatus::TimeLimit,
            HighsModelStatus::ReachedIterationLimit => SolveStatus::IterationLimit,
            _ => SolveStatus::SolverError,
        };
        let has_point = status == SolveStatus::Optimal
            || (matches!(status, SolveStatus::TimeLimit | SolveStatus::IterationLimit)
                && solved.primal_solution_status() == HighsSolutionStatus::Feasible);
        let solution = has_point.then(|| solved.get_solution());
        self.model = Some(Model::from(solved));
        Ok(LpSolution {
            status,
            row_dual: solution
                .as_ref()
                .filter(|_| status == SolveStatus::Optimal)
                .map(|s| s.dual_rows().to_vec()),
            primal: solution.map(|s| s.columns().to_vec()),
        })
    }
}
