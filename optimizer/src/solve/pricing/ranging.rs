//! Cost ranging of the plan's flows: for each flow, how much dearer per tonne its haul could
//! get before the optimum moves tonnes off it.
//!
//! Raising flow `s -> t`'s cost by `delta` changes the optimum exactly when taking a tonne
//! off it pays: `s` then has a tonne to place and `t` lacks one, and the cheapest way to
//! mend both at the optimum's reduced costs is either a walk from `s` to `t` over other
//! pairs and flows (another sink takes `s`'s tonne, gives up one from another source, which
//! sends it to `t`, ...) or the two halves through the hub: `s`'s tonne disposed of (or
//! sent on until some stream disposes of one more or imports one less) and `t`'s tonne
//! imported (or brought in the same way). If that costs `L`, the cycle "the flow less one
//! tonne, the walk" costs `L - delta`, so the plan keeps every tonne of the flow while
//! `delta < L` and drops some once `delta > L`: `L` is the margin. Both halves are
//! [`super::walk`] searches over every pair in range, the ranged pair left out.

use super::walk::{MOST_STEPS, Need, Walk, Walker};

use crate::model::domain::Dataset;
use crate::network::ArcIdx;
use crate::solve::model::Model;
use crate::solve::status::LpSolution;
use rayon::prelude::*;

/// How much dearer a flow's haul could get before the plan drops it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostMargin {
    /// Currency per tonne sent; `None` when no other way to place or take the tonne was
    /// found (a flow into a process whose activity would have to change).
    pub per_tonne: Option<f64>,
    /// Whether the margin is exact; else an upper bound (processes or substitution ratios
    /// take part, or a search reached its cap): raising the haul by more always moves
    /// tonnes off the flow.
    pub exact: bool,
}

/// The margin of each arc of `arcs` (each carrying tonnes in `solution`), searched in
/// parallel, or `None` without duals to price them with.
pub fn cost_margins(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
    arcs: &[ArcIdx],
) -> Option<Vec<CostMargin>> {
    let (source_dual, sink_dual) = super::node_duals(model, solution);
    let walker = Walker::of(ds, model, solution, (&source_dual, &sink_dual))?;
    let net = &model.network;
    // Walks stop at the price gaps' cap on steps. A margin is usually larger than a gap (the flow is
    // worth keeping), so its walk settles every node closer than that, and more walks reach
    // the cap: on the uniform 100k instance (195,883 flows) 156,116 margins came out exact
    // in 20.4 s with 256 steps, 157,147 in 78.5 s with 1,024, and 4,096 took 313 s. Those
    // that reach it are upper bounds, and say so.
    let margins = arcs
        .par_iter()
        .map(|&a| {
            let (s, t) = (net.arcs.source(a), net.arcs.sink(a));
            let skip = Some((s, t));
            // What taking one more tonne into `t` from the hub costs: its own import, or a
            // walk that ends in one more import or disposal elsewhere.
            let into_sink = walker.walk(Walk {
                start: Need::SinkMore(t),
                own_slack: true,
                skip,
                meet: None,
                from_hub: 0.0,
                most_steps: MOST_STEPS,
            });
            // Per tonne sent on the flow, `t` lacks `ratio` tonnes.
            let from_hub = into_sink.best.map_or(f64::INFINITY, |r| r.cost) * net.arcs.ratio(a);
            let from_source = walker.walk(Walk {
                start: Need::SourceMore(s),
                own_slack: true,
                skip,
                meet: Some(t),
                from_hub,
                most_steps: MOST_STEPS,
            });
            let best = from_source.best.map(|r| r.cost).filter(|c| c.is_finite());
            CostMargin {
                per_tonne: best.map(|c| c.max(0.0)),
                exact: best.is_some() && from_source.exact && into_sink.exact,
            }
        })
        .collect();
    Some(margins)
}
