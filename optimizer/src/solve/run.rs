//! The run loop of one solve: start a part with processes from its transport problem's tree
//! ([`super::transport_start`]), solve on the backend the LP calls for ([`super::backend`]),
//! price left-out arcs in until the optimum is certified ([`super::pricing`]) and count what
//! it took ([`SolveStats`]). A part with investment decisions goes round the MIP instead
//! ([`super::decisions`]). A what-if session keeps the backend and reruns from its basis
//! after each revision ([`rerun`]).

use super::backend::{Carried, Session};
use super::decisions;
use super::model::{Model, baseline_plan};
use super::options::SolveOptions;
use super::pricing::{self, PricingOutcome};
use super::progress::ProgressEvent;
use super::stats::SolveStats;
use super::status::{LpSolution, SolveStatus};
use super::transport_start;
use crate::model::domain::Dataset;
use crate::model::error::Error;
use std::time::Instant;

/// Solves a built model and returns the backend's solution with the solve's stats. With
/// pricing on (the default), the pruned network grows by the left-out arcs with negative
/// reduced cost until none is left; `model` ends holding the final network and LP.
pub fn run_model(
    ds: &Dataset,
    model: &mut Model,
    options: &SolveOptions,
) -> Result<(LpSolution, SolveStats), Error> {
    let run = run_keeping_backend(ds, model, options)?;
    Ok((run.solution, run.stats))
}

/// A solve with the backend that made it, kept so a what-if session's revisions go on
/// from its basis.
#[derive(Debug)]
pub(crate) struct KeptRun {
    pub solution: LpSolution,
    pub stats: SolveStats,
    /// `None` for a part with investment decisions: each MIP round builds its own.
    pub backend: Option<Session>,
}

/// [`run_model`], keeping the backend.
pub(crate) fn run_keeping_backend(
    ds: &Dataset,
    model: &mut Model,
    options: &SolveOptions,
) -> Result<KeptRun, Error> {
    let started = Instant::now();
    if model.lp.layout.has_decisions() {
        let (solution, outcome) = decisions::solve_decisions(ds, model, options, started)?;
        let mut stats = stats_of(model, options, &solution, &outcome.pricing, started, false);
        stats.mip_gap = outcome.mip_gap;
        stats.mip_rounds = outcome.mip_rounds;
        return Ok(KeptRun {
            solution,
            stats,
            backend: None,
        });
    }
    let basis = transport_start::transport_basis(ds, model, options, started)?;
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
    let solution = session.solve(&model.lp)?;
    finish(ds, model, session, solution, options, started)
}

/// Solves `model` again after a revision of its numbers (its LP's costs and bounds, on the
/// same rows and columns), from the basis `backend` kept from the last solve, then prices
/// until certified as a first solve does. Returns how the basis carried over.
pub(crate) fn rerun(
    ds: &Dataset,
    model: &mut Model,
    mut backend: Session,
    options: &SolveOptions,
    bounds_changed: bool,
) -> Result<(KeptRun, Carried), Error> {
    let started = Instant::now();
    let carried = backend.revise(&model.lp, options.solver.clone(), bounds_changed)?;
    let solution = backend.solve(&model.lp)?;
    Ok((
        finish(ds, model, backend, solution, options, started)?,
        carried,
    ))
}

/// Solves `model`, built for a revision that appended streams, from `backend`'s basis
/// carried over to it when `backend` is the network simplex ([`Session::extended`]: its
/// tree with the new nodes on their slack arcs); other parts start anew on the kept arcs
/// (the generalised engine from its transport start). Returns whether the basis carried.
///
/// Why not HiGHS from the old basis mapped onto the new LP: measured on the generalised
/// 10,000-site region with recyclers (1 % of quantities, 0.5 % of streams added and 0.5 %
/// removed), HiGHS from the mapped basis took 11.5 s over 20 pricing rounds, a new start on
/// the kept arcs 3.9 s and a cold solve 3.1 s: each pricing round on HiGHS costs about
/// half a second, on the generalised engine milliseconds.
pub(crate) fn rerun_extended(
    ds: &Dataset,
    model: &mut Model,
    backend: &Session,
    added: (usize, usize),
    options: &SolveOptions,
) -> Result<(KeptRun, bool), Error> {
    let started = Instant::now();
    if let Some(mut carried) = backend.extended(ds, model, options.solver.clone(), added) {
        let solution = carried.solve(&model.lp)?;
        return Ok((
            finish(ds, model, carried, solution, options, started)?,
            true,
        ));
    }
    Ok((run_keeping_backend(ds, model, options)?, false))
}

/// The rest of a solve after the backend's first answer: the baseline when it stopped
/// without a plan, pricing, the stats.
fn finish(
    ds: &Dataset,
    model: &mut Model,
    mut session: Session,
    mut solution: LpSolution,
    options: &SolveOptions,
    started: Instant,
) -> Result<KeptRun, Error> {
    if solution.status == SolveStatus::TimeLimit && solution.primal.is_none() {
        // Stopped before the solver reached any plan: the baseline is one, and the best known.
        solution.primal = Some(baseline_plan(ds, &model.lp));
    }
    let pricing = if options.priced() {
        pricing::price_until_certified(
            ds,
            model,
            &mut session,
            &mut solution,
            &options.solver,
            started,
        )?
    } else {
        PricingOutcome::default()
    };
    let stats = stats_of(
        model,
        options,
        &solution,
        &pricing,
        started,
        session.is_min_cost_flow(),
    );
    Ok(KeptRun {
        solution,
        stats,
        backend: Some(session),
    })
}

/// The stats of a solve of `model` begun at `started`.
pub(crate) fn stats_of(
    model: &Model,
    options: &SolveOptions,
    solution: &LpSolution,
    pricing: &PricingOutcome,
    started: Instant,
    min_cost_flow: bool,
) -> SolveStats {
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
    SolveStats {
        components: 1,
        min_cost_flow_parts: usize::from(min_cost_flow),
        k: options.candidates.k,
        exact: options.candidates.exact,
        priced: options.priced(),
        pricing_rounds: pricing.rounds,
        arcs_added_by_pricing: pricing.arcs_added,
        candidate_arcs: model.network.arcs.len(),
        columns: model.lp.num_cols(),
        rows: model.lp.num_rows(),
        network_seconds: model.network_seconds,
        lp_build_seconds: model.lp_build_seconds,
        solve_seconds,
        pricing_seconds: pricing.seconds,
        optimality_gap: if options.priced() {
            pricing.gap
        } else if options.candidates.exact && solution.status == SolveStatus::Optimal {
            Some(0.0)
        } else {
            None
        },
        mip_gap: None,
        mip_rounds: 0,
    }
}
