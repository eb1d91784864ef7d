//! Parts whose candidates open or not (a start-up cost, a smallest size, a limit on how many
//! open): a MIP on HiGHS over the arcs so far, then the LP of the flows for the openings it
//! chose, priced to its certified optimum on the same loop as every other part
//! ([`super::pricing`]). Arcs that pricing adds go back into the MIP, which is solved again,
//! until a round adds none. What the result certifies: the openings are optimal within the
//! MIP's relative gap over the arcs of the last round, and the flows are the certified
//! optimum over every pair in range for those openings.

use super::backend::Session;
use super::highs::LpSession;
use super::model::{Model, baseline_plan};
use super::options::SolveOptions;
use super::pricing::{self, PricingOutcome};
use super::status::{LpSolution, SolveStatus};
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::model::ids::ProcessIdx;
use std::time::Instant;

/// What the rounds of a decided part did.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DecisionOutcome {
    /// Pricing of every round's openings, added up (its gap the last round's).
    pub(crate) pricing: PricingOutcome,
    /// MIP solves.
    pub(crate) mip_rounds: usize,
    /// The relative gap of the last MIP solve.
    pub(crate) mip_gap: Option<f64>,
}

/// Solves a part with investment decisions. `model` ends holding the final network and the
/// LP of the chosen openings (each opened column fixed), which the report reads.
pub(crate) fn solve_decisions(
    ds: &Dataset,
    model: &mut Model,
    options: &SolveOptions,
    started: Instant,
) -> Result<(LpSolution, DecisionOutcome), Error> {
    let mut outcome = DecisionOutcome::default();
    loop {
        let mut mip = LpSession::new(&model.lp, options.solver.clone().charged(started))?;
        let chosen = mip.solve(&model.lp)?;
        outcome.mip_rounds += 1;
        outcome.mip_gap = mip.mip_gap();
        let Some(plan) = chosen.primal.as_ref() else {
            // No integer plan yet (stopped early, or the solver failed): the baseline, which
            // opens nothing, is one.
            let status = chosen.status;
            let primal = Some(baseline_plan(ds, &model.lp));
            let solution = LpSolution {
                status,
                primal,
                row_dual: None,
            };
            return Ok((solution, outcome));
        };
        let mut fixed = Model {
            network: model.network.clone(),
            lp: model.lp.with_openings_fixed(plan),
            network_seconds: model.network_seconds,
            lp_build_seconds: model.lp_build_seconds,
        };
        let solver = options.solver.clone().charged(started);
        let mut session = Session::new(ds, &fixed, solver, None)?;
        let mut flows = session.solve(&fixed.lp)?;
        if flows.primal.is_none() {
            // Stopped before the flows were solved: the MIP's plan is one for its openings.
            flows.primal = Some(plan.clone());
        }
        let round = if options.priced() && chosen.status == SolveStatus::Optimal {
            pricing::price_until_certified(
                ds,
                &mut fixed,
                &mut session,
                &mut flows,
                &options.solver,
                started,
            )?
        } else {
            PricingOutcome::default()
        };
        outcome.pricing.rounds += round.rounds;
        outcome.pricing.arcs_added += round.arcs_added;
        outcome.pricing.seconds += round.seconds;
        outcome.pricing.gap = round.gap;
        if chosen.status != SolveStatus::Optimal && flows.status == SolveStatus::Optimal {
            // The openings are the best the MIP found in time, not proven within the gap.
            flows.status = chosen.status;
        }
        let added = fixed.network.arcs.since(model.network.arcs.len());
        if added.is_empty() || flows.status != SolveStatus::Optimal {
            *model = fixed;
            return Ok((flows, outcome));
        }
        model.network.extend(added);
        model.lp.append_flows(ds, &model.network);
    }
}

/// What opening one decided candidate is worth: the optimum with it forced open and with it
/// forced closed (one of them is the plan's own); their difference ranks the candidates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OpeningValue {
    /// The candidate.
    pub(crate) process: ProcessIdx,
    /// The optimum with it open, currency/yr (`None` when that solve found none in time).
    pub(crate) objective_open: Option<f64>,
    /// The optimum with it closed.
    pub(crate) objective_closed: Option<f64>,
}

/// For every decided candidate of a solved part (`model` and `solution` as
/// [`solve_decisions`] left them), the optimum with its opening flipped, solved like the
/// part itself on the final arcs; the plan's own objective stands for the other side.
pub(crate) fn opening_values(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
    options: &SolveOptions,
) -> Result<Vec<OpeningValue>, Error> {
    let (Some(x), Some(objective)) = (solution.primal.as_ref(), solution.objective(&model.lp))
    else {
        return Ok(Vec::new());
    };
    let layout = &model.lp.layout;
    let mut values = Vec::with_capacity(layout.decided.len());
    for (k, &c) in layout.decided.iter().enumerate() {
        let open = x[layout.opened(k).get()] > 0.5;
        let mut flipped = Model {
            network: model.network.clone(),
            lp: model.lp.with_opening_forced(k, !open),
            network_seconds: 0.0,
            lp_build_seconds: 0.0,
        };
        let (other, _) = solve_decisions(ds, &mut flipped, options, Instant::now())?;
        let other = (other.status == SolveStatus::Optimal)
            .then(|| other.objective(&flipped.lp))
            .flatten();
        let (objective_open, objective_closed) = if open {
            (Some(objective), other)
        } else {
            (other, Some(objective))
        };
        values.push(OpeningValue {
            process: layout.candidates[c],
            objective_open,
            objective_closed,
        });
    }
    Ok(values)
}
