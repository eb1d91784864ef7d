//! Near-optimal alternatives, by modelling to generate alternatives ("hop-skip-jump", Brill
//! 1982): plans that cost at most `(1 + within)` times the optimum and differ from it and
//! from each other as much as possible. Each alternative minimises the tonnes on the flows
//! that the optimum and the alternatives before it used, with the plan's cost as one more
//! row, `cost <= optimum + within x |optimum|` ([`crate::lp::LinearProgram::with_cost_cap`]).
//!
//! The cost row couples every column, so the LP is no longer a network: HiGHS solves it,
//! on the optimum's final arcs, and pricing certifies it over every pair in range as it
//! does the optimum. A left-out pair would carry weight 0 (no earlier plan used it) and its
//! cost in the cap row, so its reduced cost is the cap's dual times the usual reduced cost
//! under the node duals divided by that dual ([`super::pricing::cost_dual`]): the same
//! search finds the pairs that pay. When the optimum had investment decisions, the
//! alternatives keep its openings (its LP has them fixed).

use super::backend::Session;
use super::highs::LpSession;
use super::model::Model;
use super::options::SolveOptions;
use super::pricing::{self, PricingOutcome};
use super::run::stats_of;
use super::stats::SolveStats;
use super::status::LpSolution;
use crate::model::domain::Dataset;
use crate::model::error::Error;
use std::time::Instant;

/// Tonnes below this on a flow do not count as the flow being used.
const USED_T: f64 = 1e-6;

/// How many alternatives to find and how much dearer than the optimum they may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alternatives {
    /// Alternatives wanted (0: none).
    pub count: usize,
    /// Their cost at most `optimum + within x |optimum|`.
    pub within: f64,
}

/// The slack of [`Alternatives`] when none is given: 5 % of the optimum's cost.
pub const DEFAULT_WITHIN: f64 = 0.05;

/// At most this many alternatives per solve: each is one more LP solve with pricing.
pub const MOST_ALTERNATIVES: usize = 20;

impl Default for Alternatives {
    fn default() -> Self {
        Alternatives {
            count: 0,
            within: DEFAULT_WITHIN,
        }
    }
}

/// Checks a slack given by a user: a share of the optimum's cost from 0 to 10.
pub fn check_within(within: f64) -> Result<f64, String> {
    if (0.0..=10.0).contains(&within) {
        Ok(within)
    } else {
        Err(format!(
            "must be a share of the optimum's cost between 0 and 10, got {within}"
        ))
    }
}

/// Checks a number of alternatives given by a user.
pub fn check_alternatives(count: usize) -> Result<usize, String> {
    if count <= MOST_ALTERNATIVES {
        Ok(count)
    } else {
        Err(format!(
            "at most {MOST_ALTERNATIVES} alternatives per solve, got {count}"
        ))
    }
}

/// One alternative: the model it was solved on (the optimum's network and the arcs its own
/// pricing added, the capped LP), its solution and what the solve took.
#[derive(Debug)]
pub struct AlternativeSolve {
    /// Network and capped LP.
    pub model: Model,
    /// The plan (no duals: the capped LP's duals price tonnes, not money).
    pub solution: LpSolution,
    /// Sizes, timings, certification.
    pub stats: SolveStats,
}

/// Up to `wanted.count` alternatives to the optimum `solution` of `model`; fewer when a
/// solve ends without a plan (time limit, cancellation).
pub fn alternatives(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
    wanted: Alternatives,
    options: &SolveOptions,
) -> Result<Vec<AlternativeSolve>, Error> {
    let (Some(x), Some(optimum)) = (&solution.primal, solution.objective(&model.lp)) else {
        return Ok(Vec::new());
    };
    let cap = optimum + wanted.within * optimum.abs();
    let mut capped = Model {
        network: model.network.clone(),
        lp: model.lp.with_cost_cap(cap),
        network_seconds: model.network_seconds,
        lp_build_seconds: model.lp_build_seconds,
    };
    let mut used: Vec<bool> = model
        .lp
        .layout
        .flows()
        .map(|(_, col)| x[col.get()] > USED_T)
        .collect();
    let mut found = Vec::new();
    for _ in 0..wanted.count {
        let started = Instant::now();
        if options.solver.must_stop(started) {
            break;
        }
        capped
            .lp
            .weigh_flows(|a| used.get(a.get()).copied().unwrap_or(false));
        let mut session = Session::Highs(LpSession::new(
            &capped.lp,
            options.solver.clone().charged(started),
        )?);
        let mut plan = session.solve(&capped.lp)?;
        let pricing = if options.priced() {
            pricing::price_until_certified(
                ds,
                &mut capped,
                &mut session,
                &mut plan,
                &options.solver,
                started,
            )?
        } else {
            PricingOutcome::default()
        };
        let Some(y) = plan.primal.as_ref() else {
            break;
        };
        used.resize(capped.lp.layout.arcs(), false);
        for (a, col) in capped.lp.layout.flows() {
            used[a.get()] |= y[col.get()] > USED_T;
        }
        let stats = stats_of(&capped, options, &plan, &pricing, started, false);
        plan.row_dual = None;
        found.push(AlternativeSolve {
            model: Model {
                network: capped.network.clone(),
                lp: capped.lp.clone(),
                network_seconds: capped.network_seconds,
                lp_build_seconds: capped.lp_build_seconds,
            },
            solution: plan,
            stats,
        });
    }
    Ok(found)
}
