//! The whole pipeline of a solve, from a validated dataset to its report: decompose into
//! independent parts ([`decompose`]), build and solve each (the solve layer), assemble and
//! merge the reports (the report layer). It sits above both, so neither imports the other's
//! caller. What-if sessions ([`WhatIf`]) keep a solve's model and basis for revisions.

pub mod decompose;
mod merge;
pub mod revision;
mod session;

pub use session::{Revised, WhatIf};

use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::report::{self, SolveResult, Unmatched};
use crate::solve::{
    LpSolution, Model, SolveOptions, SolveStats, alternatives, build_model, cost_margins,
    opening_values, run_model,
};
use std::time::Instant;

/// Builds and solves the LP of a validated dataset.
///
/// Infeasible, unbounded and time-limited solves are `Ok` with the matching status; `Err` is
/// kept for a solver that rejects the model outright.
///
/// Independent material groups are solved as separate LPs in parallel and merged
/// ([`decompose`]); the optimum is the same as one LP's.
pub fn solve(ds: &Dataset, options: &SolveOptions) -> Result<SolveResult, Error> {
    use rayon::prelude::*;
    let started = Instant::now();
    let parts = decompose::split(ds);
    // Alternatives cap the cost of the whole plan, which couples the parts.
    if parts.len() <= 1 || options.alternatives.count > 0 {
        // The parts copy the dataset's sites and streams; solving the whole, they are of no
        // use, and kept they stayed resident through the solve (peak of the uniform 300k
        // instance 813 -> 718 MB without them, 1M 2,722 -> 2,393 MB).
        drop(parts);
        return solve_monolithic(ds, options);
    }
    // One time limit for the whole solve: a part that starts late, after others, gets
    // what is left of it.
    let results = parts
        .par_iter()
        .map(|part| solve_monolithic(&part.dataset, &options.clone().charged(started)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(merge::merge(ds, &parts, results))
}

/// Solves as one LP, without decomposition (for comparisons and `--write-lp`).
pub fn solve_monolithic(ds: &Dataset, options: &SolveOptions) -> Result<SolveResult, Error> {
    solve_keeping_model(ds, options).map(|solved| solved.result)
}

/// A solve as one LP with what it was solved on.
#[derive(Debug)]
pub struct Solved {
    /// The final network and LP (pricing's arcs included).
    pub model: Model,
    /// The backend's solution of that LP.
    pub solution: LpSolution,
    /// The report.
    pub result: SolveResult,
    /// Supplies still disposed of and demands still imported, by index, with reasons.
    pub unmatched: (Vec<Unmatched>, Vec<Unmatched>),
}

/// Builds the model and solves it as one LP, charging the build to the time limit, and
/// keeps the model and solution with the result (matching reads them; `--write-lp` the LP).
pub fn solve_keeping_model(ds: &Dataset, options: &SolveOptions) -> Result<Solved, Error> {
    let started = Instant::now();
    let mut model = build_model(ds, options);
    let options = options.clone().charged(started);
    let (solution, stats) = run_model(ds, &mut model, &options)?;
    let (mut result, unmatched) = assemble(ds, &model, &solution, stats, &options);
    if options.solver.value_openings && model.lp.layout.has_decisions() {
        for value in opening_values(ds, &model, &solution, &options)? {
            let process = &mut result.processes[value.process.get()];
            process.objective_if_open = value.objective_open;
            process.objective_if_closed = value.objective_closed;
        }
    }
    if options.alternatives.count > 0 {
        let found = alternatives(ds, &model, &solution, options.alternatives, &options)?;
        result.alternatives = found
            .into_iter()
            .enumerate()
            .map(|(i, alt)| report::alternatives::alternative(ds, alt, &result, i + 1))
            .collect();
    }
    Ok(Solved {
        model,
        solution,
        result,
        unmatched,
    })
}

/// The report (with each flow's cost margin when `options` ask for cost ranging), and the
/// unserved supplies and demands by index (exchange matching names them by the listings'
/// ids).
fn assemble(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
    stats: SolveStats,
    options: &SolveOptions,
) -> (SolveResult, (Vec<Unmatched>, Vec<Unmatched>)) {
    let started = Instant::now();
    let margins = match &solution.primal {
        Some(x) if options.solver.cost_ranging => {
            let arcs = report::flow_arcs(&model.lp, x);
            let margins = cost_margins(ds, model, solution, &arcs);
            tracing::debug!(
                seconds = started.elapsed().as_secs_f64(),
                flows = arcs.len(),
                "flows ranged"
            );
            margins.map(|m| arcs.into_iter().zip(m).collect::<report::FlowMargins>())
        }
        _ => None,
    };
    let mut result = report::assemble(
        ds,
        &model.network,
        &model.lp,
        solution,
        stats,
        margins.as_ref(),
    );
    let explained = Instant::now();
    let (offers, requests) = report::unmatched(ds, model, solution);
    tracing::debug!(
        seconds = explained.elapsed().as_secs_f64(),
        unserved = offers.len() + requests.len(),
        "unserved streams explained"
    );
    result.unserved = report::unserved(ds, &offers, &requests);
    report::targets::set_price_gaps(&mut result.targets, &result.unserved);
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "results assembled"
    );
    (result, (offers, requests))
}
