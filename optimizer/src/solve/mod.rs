//! The solve layer: builds the model of a dataset, picks a backend ([`session`]: HiGHS or the
//! min-cost-flow path of [`flow`]), prices left-out arcs until the optimum is certified
//! ([`pricing`]) and splits a dataset into independent material groups ([`decompose`]).
//! A part with processes starts HiGHS from the optimal tree of its transport problem
//! ([`warm_start`]).
//! Backends share one status and solution type ([`status`]); the report reads them. A
//! watcher can follow a long solve ([`progress`]).

pub mod decompose;
mod dual_tree;
pub mod flow;
mod generalised;
mod highs;
mod pricing;
mod pricing_bounds;
mod pricing_pass;
pub mod progress;
mod scale;
mod session;
mod status;
mod warm_start;

pub use pricing::PRICING_PER_SOURCE;
pub use progress::{Progress, ProgressEvent};
pub use scale::RELATIVE_GAP;
pub use status::{
    Algorithm, CancelToken, LpSolution, SolveStats, SolveStatus, SolverOptions, check_time_limit,
};

use crate::lp::LinearProgram;
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::model::ids::{DemandIdx, SupplyIdx};
use crate::network::{CandidateOptions, Network};
use session::Session;
use std::time::{Duration, Instant};

/// Options of one solve, built in one place for the CLI and the API alike.
#[derive(Clone, Debug, Default)]
pub struct SolveOptions {
    /// How candidate arcs are chosen and whether pricing certifies the optimum.
    pub candidates: CandidateOptions,
    /// Which solver runs, for how long.
    pub solver: SolverOptions,
}

/// Share of a client's deadline given to the solve; the rest covers converting the result
/// and sending it.
pub const DEADLINE_SHARE: f64 = 0.8;

impl SolveOptions {
    /// The same options, stopped by `cancel`.
    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.solver.cancel = cancel;
        self
    }

    /// The options a client asks for: `k` of 0 means the default, the time limit is the
    /// tighter of the one asked for and [`DEADLINE_SHARE`] of the time to the deadline.
    pub fn requested(
        k: usize,
        exact: bool,
        no_pricing: bool,
        time_limit: Option<f64>,
        deadline: Option<Duration>,
        algorithm: Algorithm,
    ) -> Self {
        let from_deadline = deadline.map(|d| d.as_secs_f64() * DEADLINE_SHARE);
        let time_limit = match (time_limit, from_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        SolveOptions {
            candidates: CandidateOptions::requested(k, exact, no_pricing),
            solver: SolverOptions {
                time_limit,
                algorithm,
                cancel: CancelToken::default(),
                progress: Progress::default(),
            },
        }
    }
}

impl SolveOptions {
    /// The same options with the time spent since `started` (reading and checking the
    /// request) taken off the time limit.
    pub fn charged(mut self, started: Instant) -> Self {
        self.solver = self.solver.charged(started);
        self
    }
}

/// The network and LP of a dataset, built but not solved (for `--write-lp` and benches).
#[derive(Debug)]
pub struct Model {
    /// Sources, sinks and candidate arcs.
    pub network: Network,
    /// The LP over them.
    pub lp: LinearProgram,
    /// Seconds spent finding candidate arcs.
    pub network_seconds: f64,
    /// Seconds spent building the LP.
    pub lp_build_seconds: f64,
}

/// The plan every dataset has: every demand imported, every supply disposed of, nothing
/// run or sent.
fn baseline_plan(ds: &Dataset, lp: &LinearProgram) -> Vec<f64> {
    let mut x = vec![0.0; lp.num_cols()];
    for (d, demand) in ds.demands.iter().enumerate() {
        x[lp.layout.import(DemandIdx::new(d)).get()] = demand.quantity.0;
    }
    for (s, supply) in ds.supplies.iter().enumerate() {
        x[lp.layout.disposal(SupplyIdx::new(s)).get()] = supply.quantity.0;
    }
    x
}

/// Builds the candidate network and the LP.
pub fn build_model(ds: &Dataset, options: &SolveOptions) -> Model {
    let started = Instant::now();
    let network = Network::build(ds, options.candidates);
    let network_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let lp = LinearProgram::build(ds, &network);
    Model {
        network,
        lp,
        network_seconds,
        lp_build_seconds: started.elapsed().as_secs_f64(),
    }
}

/// Solves a built model and returns the backend's solution with the solve's stats. With
/// pricing on (the default), the pruned network grows by the left-out arcs with negative
/// reduced cost until none is left ([`pricing`]); `model` ends holding the final network
/// and LP.
pub fn run_model(
    ds: &Dataset,
    model: &mut Model,
    options: &SolveOptions,
) -> Result<(LpSolution, SolveStats), Error> {
    let started = Instant::now();
    let basis = warm_start::transport_basis(ds, model, options, started)?;
    // The backend's clock starts now: what the start took comes off its time limit.
    let mut session = Session::new(
        ds,
        model,
        options.clone().charged(started).solver,
        basis.as_ref(),
    )?;
    options.solver.progress.report(ProgressEvent::Solving {
        columns: model.lp.num_cols(),
        rows: model.lp.num_rows(),
    });
    let mut solution = session.solve(&model.lp)?;
    if solution.status == SolveStatus::TimeLimit && solution.primal.is_none() {
        // Stopped before the solver reached any plan: the baseline is one, and the best known.
        solution.primal = Some(baseline_plan(ds, &model.lp));
    }
    let priced = options.candidates.price && !options.candidates.exact;
    let pricing = if priced {
        pricing::price_until_certified(
            ds,
            model,
            &mut session,
            &mut solution,
            &options.solver,
            started,
        )?
    } else {
        pricing::PricingOutcome::default()
    };
    let solve_seconds = started.elapsed().as_secs_f64() - pricing.seconds;
    tracing::debug!(
        arcs = model.network.arcs.len(),
        network_s = model.network_seconds,
        lp_build_s = model.lp_build_seconds,
        solve_s = solve_seconds,
        pricing_rounds = pricing.rounds,
        status = solution.status.as_str(),
        "solved"
    );
    let stats = SolveStats {
        components: 1,
        min_cost_flow_parts: usize::from(session.is_min_cost_flow()),
        k: options.candidates.k,
        exact: options.candidates.exact,
        priced,
        pricing_rounds: pricing.rounds,
        arcs_added_by_pricing: pricing.arcs_added,
        candidate_arcs: model.network.arcs.len(),
        columns: model.lp.num_cols(),
        rows: model.lp.num_rows(),
        network_seconds: model.network_seconds,
        lp_build_seconds: model.lp_build_seconds,
        solve_seconds,
        pricing_seconds: pricing.seconds,
        optimality_gap: if priced {
            pricing.gap
        } else if options.candidates.exact && solution.status == SolveStatus::Optimal {
            Some(0.0)
        } else {
            None
        },
    };
    Ok((solution, stats))
}
