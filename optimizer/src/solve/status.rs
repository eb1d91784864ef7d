//! What every solver backend returns, whichever it is (HiGHS or the min-cost-flow path): a
//! status and, when there is one, a point and its duals. Infeasible, unbounded and
//! time-limited solves are ordinary results, never errors. Also what a backend may start
//! from ([`StartingBasis`]).

use crate::lp::{Col, Row};
use serde::Serialize;
use std::ops::AddAssign;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Solver settings.
#[derive(Clone, Debug, Default)]
pub struct SolverOptions {
    /// Wall-clock limit in seconds for all solver calls of one solve (pricing rounds included).
    pub time_limit: Option<f64>,
    /// Which solver takes the LP.
    pub algorithm: Algorithm,
    /// Stops the solve early when cancelled (the client went away, the server shuts down).
    /// The min-cost-flow engine and the pricing search look at it at least every second; a
    /// HiGHS call ends at its time limit. A cancelled solve ends as time-limited.
    pub cancel: CancelToken,
    /// Where each part's solve and pricing rounds are reported.
    pub progress: super::progress::Progress,
}

/// A flag that stops a solve from another thread. Clones share it; a child also stops when
/// its parent does (a request's token under the server's shutdown token).
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    own: Arc<AtomicBool>,
    parent: Option<Arc<AtomicBool>>,
}

impl CancelToken {
    /// A fresh token.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// A token that is cancelled with this one, or on its own.
    pub fn child(&self) -> Self {
        CancelToken {
            own: Arc::new(AtomicBool::new(false)),
            parent: Some(self.own.clone()),
        }
    }

    /// Asks every loop that watches this token to stop.
    pub fn cancel(&self) {
        self.own.store(true, Ordering::Relaxed);
    }

    /// Whether the solve should stop.
    pub fn is_cancelled(&self) -> bool {
        self.own.load(Ordering::Relaxed)
            || self
                .parent
                .as_ref()
                .is_some_and(|p| p.load(Ordering::Relaxed))
    }
}

impl SolverOptions {
    /// The instant the time limit runs out, counted from `started`; `None` without a limit
    /// or with one too far away to matter (a limit of 1e300 s is no limit).
    pub(crate) fn deadline(&self, started: Instant) -> Option<Instant> {
        let limit = self.time_limit?;
        let span = std::time::Duration::try_from_secs_f64(limit.max(0.0)).ok()?;
        started.checked_add(span)
    }

    /// The same options with the time spent since `started` taken off the time limit.
    pub(crate) fn charged(mut self, started: Instant) -> Self {
        if let Some(limit) = self.time_limit.as_mut() {
            *limit = (*limit - started.elapsed().as_secs_f64()).max(0.0);
        }
        self
    }

    /// Whether work started at `started` must stop now: cancelled, or past the time limit.
    pub(crate) fn must_stop(&self, started: Instant) -> bool {
        self.cancel.is_cancelled() || self.deadline(started).is_some_and(|d| Instant::now() >= d)
    }
}

/// Checks a time limit given by a user: a finite number of seconds, at least 0.
pub fn check_time_limit(seconds: f64) -> Result<f64, String> {
    if seconds.is_finite() && seconds >= 0.0 {
        Ok(seconds)
    } else {
        Err(format!(
            "must be a finite number of seconds >= 0, got {seconds}"
        ))
    }
}

/// Which solver takes an LP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    /// The network simplex of [`crate::flow`] for pure transportation problems, warm
    /// across pricing rounds, the generalised network simplex of `generalised` for parts
    /// whose processes each take one input and give one output, and HiGHS for the rest.
    #[default]
    Auto,
    /// HiGHS for every LP (a cross-check of the min-cost flow path).
    Highs,
    /// Like `Auto`, with successive shortest paths instead of the network simplex for
    /// transportation problems (for comparison).
    ShortestPaths,
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
    pub fn objective(&self, lp: &crate::lp::LinearProgram) -> Option<f64> {
        self.primal.as_ref().map(|x| lp.objective_of(x))
    }

    /// The value of column `j` (clamped at 0, the lower bound of every column), when there
    /// is a point.
    pub fn value(&self, j: Col) -> Option<f64> {
        self.primal.as_ref().map(|x| x[j.get()].max(0.0))
    }
}

/// Sizes and timings.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct SolveStats {
    /// Independent parts solved (material groups); timings and sizes are summed over them.
    pub components: usize,
    /// Parts solved by the min-cost flow path ([`crate::flow`]); HiGHS solved the rest.
    pub min_cost_flow_parts: usize,
    /// Nearest sinks kept per source.
    pub k: usize,
    /// Whether every pair in range was kept.
    pub exact: bool,
    /// Whether left-out arcs were priced in (see [`crate::solve_model`]).
    pub priced: bool,
    /// Re-solves after pricing added arcs (0: the k-nearest optimum was already exact).
    pub pricing_rounds: usize,
    /// Arcs pricing added over all rounds.
    pub arcs_added_by_pricing: usize,
    /// Arcs in the final LP (pruned plus priced in).
    pub candidate_arcs: usize,
    /// LP columns.
    pub columns: usize,
    /// LP rows.
    pub rows: usize,
    /// Seconds finding candidate arcs.
    pub network_seconds: f64,
    /// Seconds building the LP.
    pub lp_build_seconds: f64,
    /// Solver time (HiGHS or min-cost flow) over all rounds.
    pub solve_seconds: f64,
    /// Time spent searching left-out arcs with negative reduced cost.
    pub pricing_seconds: f64,
    /// How far the plan can be above the certified optimum over every pair in range,
    /// currency/yr: 0 when certified, the plan's cost minus a lower bound from the duals of
    /// the last complete pricing pass when time-limited, unset when unknown (no complete
    /// pass, or `no_pricing`).
    pub optimality_gap: Option<f64>,
}

/// The stats of parts solved side by side: sizes and times add up, the pricing rounds are
/// those of the part that needed most, the options are the same for all.
impl AddAssign<&SolveStats> for SolveStats {
    fn add_assign(&mut self, b: &SolveStats) {
        let SolveStats {
            components,
            min_cost_flow_parts,
            k,
            exact,
            priced,
            pricing_rounds,
            arcs_added_by_pricing,
            candidate_arcs,
            columns,
            rows,
            network_seconds,
            lp_build_seconds,
            solve_seconds,
            pricing_seconds,
            optimality_gap,
        } = b;
        // Gaps add up; one part without a known gap leaves the whole unknown.
        self.optimality_gap = if self.components == 0 {
            *optimality_gap
        } else {
            self.optimality_gap.zip(*optimality_gap).map(|(a, b)| a + b)
        };
        self.components += components;
        self.min_cost_flow_parts += min_cost_flow_parts;
        self.k = *k;
        self.exact = *exact;
        self.priced = *priced;
        self.pricing_rounds = self.pricing_rounds.max(*pricing_rounds);
        self.arcs_added_by_pricing += arcs_added_by_pricing;
        self.candidate_arcs += candidate_arcs;
        self.columns += columns;
        self.rows += rows;
        self.network_seconds += network_seconds;
        self.lp_build_seconds += lp_build_seconds;
        self.solve_seconds += solve_seconds;
        self.pricing_seconds += pricing_seconds;
    }
}

/// A basis of the LP to start HiGHS from: which columns and which rows' slacks are basic
/// (every other column sits at its lower bound, every other row at its bound).
#[derive(Clone, Debug)]
pub(crate) struct StartingBasis {
    pub(crate) basic_column: Vec<bool>,
    pub(crate) basic_row: Vec<bool>,
}
