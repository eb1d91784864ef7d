//! How a solve ended and what a backend returns, whichever backend it is (HiGHS or one of
//! the network engines): a status and, when there is one, a point and its duals.
//! Infeasible, unbounded and time-limited solves are ordinary results, never errors. Also
//! what a backend may start from ([`StartingBasis`]).

use crate::lp::{Col, LinearProgram, Row};
use serde::Serialize;

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
    /// The status as written in results (`optimal`, `time_limit`, ...).
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

    /// How bad a status is, for picking the one that stands for several parts.
    pub(crate) fn severity(self) -> u8 {
        match self {
            SolveStatus::Optimal => 0,
            SolveStatus::TimeLimit => 1,
            SolveStatus::IterationLimit => 2,
            SolveStatus::InfeasibleOrUnbounded => 3,
            SolveStatus::Unbounded => 4,
            SolveStatus::Infeasible => 5,
            SolveStatus::SolverError => 6,
        }
    }
}

/// What a backend returned.
#[derive(Clone, Debug)]
pub struct LpSolution {
    /// How the solve ended.
    pub status: SolveStatus,
    /// Column values, present when the solver has a feasible point (optimal, or a time-limited
    /// solve that found one).
    pub primal: Option<Vec<f64>>,
    /// Row duals (d objective / d right-hand side), present when optimal.
    pub row_dual: Option<Vec<f64>>,
}

impl LpSolution {
    /// The dual of row `i`, when there are duals.
    pub fn dual(&self, i: Row) -> Option<f64> {
        self.row_dual.as_ref().map(|y| y[i.get()])
    }

    /// The LP objective of the point, when there is one.
    pub fn objective(&self, lp: &LinearProgram) -> Option<f64> {
        self.primal.as_ref().map(|x| lp.objective_of(x))
    }

    /// The value of column `j` (clamped at 0, the lower bound of every column), when there
    /// is a point.
    pub fn value(&self, j: Col) -> Option<f64> {
        self.primal.as_ref().map(|x| x[j.get()].max(0.0))
    }
}

/// A basis of the LP to start HiGHS from: which columns and which rows' slacks are basic
/// (every other column sits at its lower bound, every other row at its bound).
#[derive(Clone, Debug)]
pub(crate) struct StartingBasis {
    pub(crate) basic_column: Vec<bool>,
    pub(crate) basic_row: Vec<bool>,
}
