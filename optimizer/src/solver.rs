//! Solves a [`LinearProgram`] with HiGHS and reports the outcome as a status, never as a
//! panic: infeasible, unbounded and time-limited solves are ordinary results.

use crate::error::Error;
use crate::lp::LinearProgram;
use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Model, Row, Sense};
use serde::Serialize;
use std::time::Instant;

/// How a solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// A proven optimum.
    Optimal,
    /// No solution satisfies the constraints.
    Infeasible,
    /// The cost can be lowered without limit (e.g. a process earning money with unbounded
    /// candidate capacity).
    Unbounded,
    /// Infeasible or unbounded; the solver could not tell which.
    InfeasibleOrUnbounded,
    /// Stopped at the time limit; the flows, if any, are the best found so far.
    TimeLimit,
    /// Stopped at the iteration limit.
    IterationLimit,
    /// The solver gave up (numerical trouble); details in the log.
    SolverError,
}

impl SolveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::Infeasible => "infeasible",
            SolveStatus::Unbounded => "unbounded",
            SolveStatus::InfeasibleOrUnbounded => "infeasible_or_unbounded",
            SolveStatus::TimeLimit => "time_limit",
            SolveStatus::IterationLimit => "iteration_limit",
            SolveStatus::SolverError => "solver_error",
        }
    }
}

/// Solver settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct SolverOptions {
    /// Wall-clock limit in seconds for all solver calls of one solve (pricing rounds included).
    pub time_limit: Option<f64>,
    pub algorithm: Algorithm,
}

/// Which solver takes an LP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    /// The min-cost flow solver for pure transportation problems ([`crate::transport`]),
    /// HiGHS for the rest.
    #[default]
    Auto,
    /// HiGHS for every LP (a cross-check of the min-cost flow path).
    Highs,
}

/// A solver kept between the rounds of one solve: HiGHS, or the min-cost flow path when
/// the LP is a pure transportation problem and [`Algorithm::Auto`] allows it.
#[derive(Debug)]
pub enum Session {
    Highs(LpSession),
    Flow(crate::transport::FlowSession),
}

impl Session {
    pub fn new(lp: &LinearProgram, options: SolverOptions) -> Result<Self, Error> {
        if options.algorithm == Algorithm::Auto
            && let Some(flow) = crate::transport::FlowSession::new(lp, options)
        {
            return Ok(Session::Flow(flow));
        }
        Ok(Session::Highs(LpSession::new(lp, options)?))
    }

    /// Takes the columns `lp` gained since the last solve.
    pub fn add_new_columns(&mut self, lp: &LinearProgram) -> Result<(), Error> {
        match self {
            Session::Highs(session) => session.add_new_columns(lp),
            // The flow path rebuilds its network from `lp` at each solve.
            Session::Flow(_) => Ok(()),
        }
    }

    pub fn solve(&mut self, lp: &LinearProgram) -> Result<LpSolution, Error> {
        match self {
            Session::Highs(session) => session.solve(),
            Session::Flow(session) => Ok(session.solve(lp)),
        }
    }

    pub fn is_min_cost_flow(&self) -> bool {
        matches!(self, Session::Flow(_))
    }
}

/// What the solver returned.
#[derive(Clone, Debug)]
pub struct LpSolution {
    pub status: SolveStatus,
    /// Column values, present when the solver has a feasible point (optimal, or a time-limited
    /// solve that found one).
    pub primal: Option<Vec<f64>>,
    /// Row duals (d objective / d right-hand side), present when optimal.
    pub row_dual: Option<Vec<f64>>,
}

/// A HiGHS model kept between solves, so columns added by pricing are solved warm from the
/// previous basis instead of from scratch.
#[derive(Debug)]
pub struct LpSession {
    model: Option<Model>,
    rows: Vec<Row>,
    columns: usize,
    options: SolverOptions,
    started: Instant,
}

impl LpSession {
    /// Loads the LP into HiGHS.
    pub fn new(lp: &LinearProgram, options: SolverOptions) -> Result<Self, Error> {
        let mut problem = ColProblem::default();
        let rows: Vec<Row> = lp
            .row_lower
            .iter()
            .zip(&lp.row_upper)
            .map(|(&lo, &hi)| problem.add_row(lo..=hi))
            .collect();
        for j in 0..lp.num_cols() {
            problem.add_column(
                lp.col_cost[j],
                lp.col_lower[j]..=lp.col_upper[j],
                lp.column_entries(j).map(|(r, v)| (rows[r], v)),
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
        })
    }

    /// Adds the columns of `lp` that the session does not have yet.
    pub fn add_new_columns(&mut self, lp: &LinearProgram) -> Result<(), Error> {
        let Some(model) = self.model.as_mut() else {
            return Err(Error::Solver("columns added to an empty model".into()));
        };
        for j in self.columns..lp.num_cols() {
            model
                .try_add_column(
                    lp.col_cost[j],
                    lp.col_lower[j]..=lp.col_upper[j],
                    lp.column_entries(j).map(|(r, v)| (self.rows[r], v)),
                )
                .map_err(|s| Error::Solver(format!("HiGHS rejected a column: {s:?}")))?;
        }
        self.columns = lp.num_cols();
        Ok(())
    }

    /// Solves (warm after the first call); the time limit counts from the session's start.
    pub fn solve(&mut self) -> Result<LpSolution, Error> {
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
                .try_set_option("time_limit", left)
                .map_err(|e| Error::Solver(format!("time_limit: {e:?}")))?;
        }
        let solved = model
            .try_solve()
            .map_err(|s| Error::Solver(format!("HiGHS failed: {s:?}")))?;
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

/// Solves the LP with HiGHS once.
pub fn solve_lp(lp: &LinearProgram, options: SolverOptions) -> Result<LpSolution, Error> {
    LpSession::new(lp, options)?.solve()
}
