//! What it would take to serve one more tonne of an unserved stream locally: how far its own
//! price (a demand's import price, a supply's disposal cost) would have to rise before the
//! optimum moves a tonne of it onto local flows.
//!
//! Raising the price by `delta` makes a change of the plan pay exactly when some feasible
//! direction that takes one tonne off the stream's import (disposal) costs less than
//! `delta` at the optimum's reduced costs (every other column's cost is unchanged, and a
//! direction's cost is the sum of its columns' reduced costs). In a transport part that
//! direction is a path in the residual network: the stream takes a tonne from a counterpart
//! in range (its pair's reduced cost), the counterpart gives up a tonne it disposed of
//! (imported), or takes it from a partner it served, who then imports (disposes of) one
//! more or turns to another counterpart, and so on. Reduced costs are never negative at a
//! certified optimum, so the cheapest path is found by Dijkstra's search, each step over
//! *every* pair in range (the pricing search's dual trees, not only the network's arcs).
//!
//! The gap is exact where every pair on the path has ratio 1 and no process takes part;
//! where processes do, a route that changes a process's activity is not searched, so the
//! gap is an upper bound: raising the price by more always serves the stream more.

use super::walk::{Need, Walk, Walker};
use crate::model::domain::Dataset;
use crate::network::{SinkIdx, SourceIdx};
use crate::solve::model::Model;
use crate::solve::status::LpSolution;
use rayon::prelude::*;

/// The stream a search starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnservedStream {
    /// A demand (or process input) that imports: it would take one more tonne locally.
    Demand(SinkIdx),
    /// A supply (or process output) that is disposed of: it would send one more tonne.
    Supply(SourceIdx),
}

/// What the search found for one stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LocalRoute {
    /// The cheapest way to serve one more tonne locally.
    Found(ServingRoute),
    /// Pairs in range, but every way to a tonne would change a process's activity, which the
    /// search does not follow: the cheapest pair's counterpart and km.
    Blocked {
        /// The counterpart node of the cheapest pair.
        counterpart: usize,
        /// Its road km.
        km: f64,
    },
    /// No compatible pair in range.
    OutOfRange,
}

/// The cheapest way to serve one more tonne of a stream locally.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServingRoute {
    /// Currency per tonne of the stream: how far its own price must rise.
    pub gap: f64,
    /// The counterpart of the first pair (a source for a demand, a sink for a supply).
    pub counterpart: usize,
    /// Road km of that pair.
    pub km: f64,
    /// Whether the counterpart's tonne is taken from another stream it serves today (it has
    /// no tonne disposed of or imported to spare).
    pub displaces: bool,
    /// Whether the gap is exact (else an upper bound).
    pub exact: bool,
}

/// The cheapest local route for each stream of `streams` (searched in parallel), or `None`
/// when the solution has no duals to price them with.
pub fn local_routes(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
    streams: &[UnservedStream],
) -> Option<Vec<LocalRoute>> {
    let (source_dual, sink_dual) = super::node_duals(model, solution);
    let walker = Walker::of(ds, model, solution, (&source_dual, &sink_dual))?;
    let routes = streams
        .par_iter()
        .map(|&start| {
            let walked = walker.walk(Walk::to_hub(match start {
                UnservedStream::Demand(t) => Need::SinkMore(t),
                UnservedStream::Supply(s) => Need::SourceMore(s),
            }));
            // Without its own slack, a walk's end always comes after a first pair.
            match (
                walked.best.and_then(|r| Some((r, r.first?))),
                walked.cheapest_pair,
            ) {
                (Some((r, (counterpart, km))), _) => LocalRoute::Found(ServingRoute {
                    gap: r.cost,
                    counterpart,
                    km,
                    displaces: r.displaces,
                    exact: walked.exact,
                }),
                (None, Some((counterpart, km))) => LocalRoute::Blocked { counterpart, km },
                (None, None) => LocalRoute::OutOfRange,
            }
        })
        .collect();
    Some(routes)
}
