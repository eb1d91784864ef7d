//! Pricing, the certificate that pruning lost nothing: after a solve on the pruned arcs,
//! every left-out pair whose reduced cost under the optimal duals is negative would lower
//! the cost if added. They are added and the LP re-solved (warm) until none is left, so the
//! optimum reported is the optimum over every compatible pair within haul range.
//!
//! A flow column's reduced cost is `cost_per_tkm * km - y_source - ratio * y_sink`
//! ([`crate::lp::costs::haul_per_tkm`] with CO2 priced in), so only sinks within
//! `(y_source + ratio * y_sink) / cost_per_tkm` km can price out; an R-tree over the
//! sinks' places and duals together ([`dual_tree`]) finds them. One pass ([`pass`]) finds
//! them and the Lagrangian bound the duals give, from the most each node can send or take
//! ([`bounds`]); this file is the loop around the passes.

mod bounds;
mod dual_tree;
mod pass;
mod ranging;
mod residual;
mod serve;
mod walk;

pub(crate) use pass::negative_arcs;
pub use ranging::{CostMargin, cost_margins};
pub use serve::{LocalRoute, UnservedStream, local_routes};

use super::backend::Session;
use super::model::Model;
use super::options::SolverOptions;
use super::progress::ProgressEvent;
use super::scale;
use super::status::{LpSolution, SolveStatus};
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::network::{SinkIdx, SourceIdx};
use pass::PricingPass;
use std::time::Instant;

/// Left-out arcs added per source and pricing round (plus each sink's best offer), in the
/// first [`ROUNDS_PER_DOUBLING`] rounds. Measured on the 10k-site bench region with HiGHS:
/// 1 or 2 need the least total solve time; 8 floods each round with arcs that later turn out
/// useless.
pub const PRICING_PER_SOURCE: usize = 2;

/// On the network simplex the count doubles after this many rounds, up to
/// [`MOST_PER_SOURCE`]. A solve still pricing then is one whose optimum hauls far (a region's
/// heavy-tailed streams, a substitution worth more than any haul in range), and two arcs per
/// source reach those hauls only step by step, a full pass per step. The uniform instances
/// certify in 8-9 rounds (a million listings in 9), so they keep 2 and their memory; measured on the generated regions
/// with recyclers (docs/performance.md, "Regions with processes").
pub const ROUNDS_PER_DOUBLING: usize = 10;
const MOST_PER_SOURCE: usize = 8;

/// The same for the generalised network simplex, whose re-solves cost little per column
/// added: on the 10,000-site region with recyclers, 2 / 4 / 8 / 16 arcs per source took
/// 59 / 32 / 19 / 12 rounds and 13.9 / 10.9 / 9.1 / 9.9 s.
pub const GENERALISED_PRICING_PER_SOURCE: usize = 8;

/// Left-out arcs to add per source in pricing round `round` (from 0).
fn per_source(generalised: bool, round: usize) -> usize {
    if generalised {
        return GENERALISED_PRICING_PER_SOURCE;
    }
    let doublings = u32::try_from(round / ROUNDS_PER_DOUBLING).unwrap_or(u32::MAX);
    PRICING_PER_SOURCE
        .saturating_mul(1usize.checked_shl(doublings).unwrap_or(usize::MAX))
        .min(MOST_PER_SOURCE)
}

/// What the pricing loop did.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PricingOutcome {
    pub(crate) rounds: usize,
    pub(crate) arcs_added: usize,
    pub(crate) seconds: f64,
    /// The plan's LP objective minus the best lower bound found (0 when certified).
    pub(crate) gap: Option<f64>,
}

/// The duals of `model`'s source rows and sink rows under `solution` (0 without duals), in
/// currency per tonne: divided by [`cost_dual`] in an alternative's LP.
pub(crate) fn node_duals(model: &Model, solution: &LpSolution) -> (Vec<f64>, Vec<f64>) {
    let layout = &model.lp.layout;
    let per_currency = 1.0 / cost_dual(model, solution);
    let dual = |row| solution.dual(row).unwrap_or(0.0) * per_currency;
    let source_dual = (0..model.network.sources.len())
        .map(|s| dual(layout.source_row(SourceIdx::new(s))))
        .collect();
    let sink_dual = (0..model.network.sinks.len())
        .map(|t| dual(layout.sink_row(SinkIdx::new(t))))
        .collect();
    (source_dual, sink_dual)
}

/// What one currency unit of cost is worth in `model`'s objective: 1, except in a
/// near-optimal alternative's LP, whose objective is tonnes on earlier plans' flows and
/// whose costs sit in the cost-cap row. There a left-out pair's column would have weight 0
/// and its cost `c` in the cap row, so its reduced cost is `-mu * c - y_source - ratio *
/// y_sink` with `mu <= 0` the cap's dual: `|mu|` times the usual reduced cost under the
/// duals divided by `|mu|`. The same search then prices both. A cap with no dual (not
/// binding) makes cost free; a tiny floor keeps the division finite, and every pair whose
/// duals pay then prices out whatever its haul.
pub(crate) fn cost_dual(model: &Model, solution: &LpSolution) -> f64 {
    match model.lp.layout.cost_cap_row() {
        Some(row) => solution.dual(row).unwrap_or(0.0).abs().max(1e-12),
        None => 1.0,
    }
}

/// Re-solves `model` with the arcs pricing finds until none is left, the time limit is
/// reached (the plan is then reported as time-limited, without duals that would claim more
/// than they show) or the solve is not optimal.
pub(crate) fn price_until_certified(
    ds: &Dataset,
    model: &mut Model,
    session: &mut Session,
    solution: &mut LpSolution,
    options: &SolverOptions,
    started: Instant,
) -> Result<PricingOutcome, Error> {
    let mut outcome = PricingOutcome::default();
    // Any duals give a valid lower bound; the best one found is kept.
    let mut lower_bound: Option<f64> = None;
    // Relative to the plan's cost, so "certified" means the same in any unit; set each round
    // from the plan being priced.
    let mut tolerance = scale::pricing_tolerance(&model.lp, solution.objective(&model.lp));
    let generalised = session.is_generalised();
    while solution.status == SolveStatus::Optimal {
        if options.must_stop(started) {
            solution.status = SolveStatus::TimeLimit;
            solution.row_dual = None;
            break;
        }
        if solution.row_dual.is_none() {
            break;
        }
        let priced_at = Instant::now();
        tolerance = scale::pricing_tolerance(&model.lp, solution.objective(&model.lp));
        let (source_dual, sink_dual) = node_duals(model, solution);
        let per_objective = cost_dual(model, solution);
        let new_arcs = negative_arcs(
            ds,
            &model.network,
            &source_dual,
            &sink_dual,
            per_source(generalised, outcome.rounds),
            tolerance.0 / per_objective,
            &|| options.must_stop(started),
        );
        outcome.seconds += priced_at.elapsed().as_secs_f64();
        let Some(PricingPass {
            arcs: new_arcs,
            penalty,
            most_negative,
        }) = new_arcs
        else {
            // The search was cut off: the plan is optimal over the arcs so far, not certified.
            solution.status = SolveStatus::TimeLimit;
            solution.row_dual = None;
            break;
        };
        if let (Some(objective), Some(penalty)) = (solution.objective(&model.lp), penalty) {
            let bound = objective + penalty * per_objective;
            lower_bound = Some(lower_bound.map_or(bound, |b: f64| b.max(bound)));
        }
        if new_arcs.is_empty() {
            break;
        }
        outcome.rounds += 1;
        outcome.arcs_added += new_arcs.len();
        options.progress.report(ProgressEvent::Priced {
            round: outcome.rounds,
            objective: solution.objective(&model.lp),
            most_negative_reduced_cost: most_negative,
            arcs_added: new_arcs.len(),
        });
        model.network.extend(new_arcs);
        model.lp.append_flows(ds, &model.network);
        session.add_new_columns(&model.lp)?;
        let mut next = session.solve(&model.lp)?;
        if next.primal.is_none()
            && let Some(mut plan) = solution.primal.take()
        {
            // The re-solve stopped before reaching a plan: the last round's stays the best
            // known, with the new arcs unused (they were appended as the last columns).
            plan.resize(model.lp.num_cols(), 0.0);
            next.primal = Some(plan);
        }
        *solution = next;
    }
    outcome.gap = if solution.status == SolveStatus::Optimal {
        Some(scale::certified_gap(&model.lp, tolerance))
    } else {
        solution
            .objective(&model.lp)
            .zip(lower_bound)
            .map(|(objective, bound)| (objective - bound).max(0.0))
    };
    Ok(outcome)
}
