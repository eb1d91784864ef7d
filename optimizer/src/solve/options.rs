//! What a caller asks of a solve, and what the solve layer runs with. Every front end (the
//! CLI, gRPC, batch runs and sweeps) fills in one [`SolveRequest`] by name; it becomes the
//! [`SolveOptions`] of the solve: how candidate arcs are chosen ([`CandidateOptions`]) and
//! the solver's settings ([`SolverOptions`]).

use super::alternatives::{Alternatives, DEFAULT_WITHIN};
use super::cancel::CancelToken;
use super::progress::Progress;
use crate::network::{CandidateOptions, DEFAULT_K};
use std::time::{Duration, Instant};

/// Share of a client's deadline given to the solve; the rest covers converting the result
/// and sending it.
pub const DEADLINE_SHARE: f64 = 0.8;

/// A solve as a client asks for it, each choice by name; [`Default`] is the certified
/// solve on the default arcs, with no time limit.
///
/// ```
/// let options: optimizer::SolveOptions = optimizer::SolveRequest {
///     exact: true,
///     time_limit: Some(60.0),
///     ..Default::default()
/// }
/// .into();
/// assert!(options.candidates.exact);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SolveRequest {
    /// Nearest sinks kept per source; 0 means [`DEFAULT_K`].
    pub k: usize,
    /// Keep every compatible pair within range instead of the `k` nearest.
    pub exact: bool,
    /// Price the left-out pairs in until the optimum over every pair in range is certified
    /// (on by default; off gives plain k-nearest pruning).
    pub pricing: bool,
    /// Seconds for the whole solve, pricing rounds included.
    pub time_limit: Option<f64>,
    /// Time left until the client's deadline: the solve gets [`DEADLINE_SHARE`] of it, or
    /// the time limit when that is tighter.
    pub deadline: Option<Duration>,
    /// Which solver takes the LP.
    pub algorithm: Algorithm,
    /// The relative gap at which a solve with investment decisions (a MIP) may stop;
    /// `None` is 1e-4.
    pub mip_gap: Option<f64>,
    /// With investment decisions: also solve each candidate's opening flipped, for what
    /// opening it is worth (one more solve per decided candidate).
    pub value_openings: bool,
    /// Also find, for each flow of the plan, how much dearer per tonne its haul could get
    /// before the optimum moves tonnes off it (two route searches per flow).
    pub cost_ranging: bool,
    /// Near-optimal alternatives wanted besides the optimum (0: none).
    pub alternatives: usize,
    /// How much dearer than the optimum an alternative may be, a share of its cost;
    /// `None` is [`DEFAULT_WITHIN`].
    pub within: Option<f64>,
}

impl Default for SolveRequest {
    fn default() -> Self {
        SolveRequest {
            k: 0,
            exact: false,
            pricing: true,
            time_limit: None,
            deadline: None,
            algorithm: Algorithm::Auto,
            mip_gap: None,
            value_openings: false,
            cost_ranging: false,
            alternatives: 0,
            within: None,
        }
    }
}

impl From<SolveRequest> for SolveOptions {
    fn from(request: SolveRequest) -> Self {
        let SolveRequest {
            k,
            exact,
            pricing,
            time_limit,
            deadline,
            algorithm,
            mip_gap,
            value_openings,
            cost_ranging,
            alternatives,
            within,
        } = request;
        let from_deadline = deadline.map(|d| d.as_secs_f64() * DEADLINE_SHARE);
        let time_limit = match (time_limit, from_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        SolveOptions {
            candidates: CandidateOptions {
                k: if k == 0 { DEFAULT_K } else { k },
                exact,
                price: pricing,
            },
            solver: SolverOptions {
                time_limit,
                algorithm,
                mip_gap,
                value_openings,
                cost_ranging,
                ..SolverOptions::default()
            },
            alternatives: Alternatives {
                count: alternatives,
                within: within.unwrap_or(DEFAULT_WITHIN),
            },
        }
    }
}

/// Options of one solve, as the solve layer reads them.
#[derive(Clone, Debug, Default)]
pub struct SolveOptions {
    /// How candidate arcs are chosen and whether pricing certifies the optimum.
    pub candidates: CandidateOptions,
    /// Which solver runs, for how long.
    pub solver: SolverOptions,
    /// Near-optimal alternatives to find besides the optimum.
    pub alternatives: Alternatives,
}

impl SolveOptions {
    /// The same options, stopped by `cancel`.
    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.solver.cancel = cancel;
        self
    }

    /// The same options with the time spent since `started` (reading and checking the
    /// request) taken off the time limit.
    pub fn charged(mut self, started: Instant) -> Self {
        self.solver = self.solver.charged(started);
        self
    }

    /// Whether left-out arcs are priced in after the first solve (pricing on, and the arcs
    /// not already every pair in range).
    pub(crate) fn priced(&self) -> bool {
        self.candidates.price && !self.candidates.exact
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
    pub progress: Progress,
    /// The relative gap at which a MIP (investment decisions) may stop; `None` is 1e-4.
    pub mip_gap: Option<f64>,
    /// Whether to find what each decided candidate's opening is worth.
    pub value_openings: bool,
    /// Whether to find each flow's cost margin ([`super::cost_margins`]).
    pub cost_ranging: bool,
}

impl SolverOptions {
    /// The instant the time limit runs out, counted from `started`; `None` without a limit
    /// or with one too far away to matter (a limit of 1e300 s is no limit).
    pub(crate) fn deadline(&self, started: Instant) -> Option<Instant> {
        let limit = self.time_limit?;
        let span = Duration::try_from_secs_f64(limit.max(0.0)).ok()?;
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

/// Checks a MIP gap given by a user: a relative gap between 0 and 1.
pub fn check_mip_gap(gap: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&gap) {
        Ok(gap)
    } else {
        Err(format!("must be a relative gap between 0 and 1, got {gap}"))
    }
}

/// Which solver takes an LP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    /// The network simplex of [`crate::flow`] for pure transportation problems, warm
    /// across pricing rounds, the generalised network simplex for parts whose processes
    /// each take one input and give one output, and HiGHS for the rest.
    #[default]
    Auto,
    /// HiGHS for every LP (a cross-check of the network engines).
    Highs,
    /// Like `Auto`, with successive shortest paths instead of the network simplex for
    /// transportation problems (for comparison).
    ShortestPaths,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deadline's share caps the time limit, and the tighter of the two wins.
    #[test]
    fn the_tighter_of_time_limit_and_deadline_share_wins() {
        let limit = |time_limit, deadline: Option<u64>| {
            SolveOptions::from(SolveRequest {
                time_limit,
                deadline: deadline.map(Duration::from_secs),
                ..Default::default()
            })
            .solver
            .time_limit
        };
        assert_eq!(limit(None, None), None);
        assert_eq!(limit(Some(30.0), None), Some(30.0));
        assert_eq!(limit(None, Some(10)), Some(10.0 * DEADLINE_SHARE));
        assert_eq!(limit(Some(5.0), Some(10)), Some(5.0));
        assert_eq!(limit(Some(50.0), Some(10)), Some(10.0 * DEADLINE_SHARE));
    }

    /// `k` of 0 is the default the CLI and the API share; pricing is on unless asked off.
    #[test]
    fn the_default_request_is_the_certified_solve_on_the_default_arcs() {
        let options = SolveOptions::from(SolveRequest::default());
        assert_eq!(options.candidates.k, DEFAULT_K);
        assert!(options.candidates.price && !options.candidates.exact);
        assert!(options.priced());
        let k3 = SolveOptions::from(SolveRequest {
            k: 3,
            pricing: false,
            ..Default::default()
        });
        assert_eq!(k3.candidates.k, 3);
        assert!(!k3.priced());
    }
}
