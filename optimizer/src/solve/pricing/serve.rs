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

use super::pass::{Search, bar, keep_best};
use super::residual::Residual;
use crate::model::domain::Dataset;
use crate::network::{SinkIdx, SourceIdx};
use crate::solve::model::Model;
use crate::solve::status::LpSolution;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// Neighbours taken per step at first; a search whose answer lies beyond them is run again
/// with four times as many.
const FIRST_NEIGHBOURS: usize = 8;
/// At most this many neighbours per step (then the gap is an upper bound).
const MOST_NEIGHBOURS: usize = 128;
/// Nodes one search settles at most; past them the best route found so far is reported as
/// an upper bound. A recycler's input served by hundreds of suppliers fans out into as
/// many free steps (each supplier could send elsewhere), and a search without a cap settled
/// thousands of nodes per stream: on a generated 10,000-site region with recyclers,
/// explaining 1,186 streams took 228 s with a cap of 4,096 and a retry with more
/// neighbours, against the solve's 8 s.
const MOST_STEPS: usize = 256;

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

/// A state of the search: a node and what its row must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Need {
    /// The sink takes `amount` more through its pairs (or imports it).
    SinkMore(SinkIdx),
    /// The sink takes `amount` less: it imports less or drops a pair serving it.
    SinkLess(SinkIdx),
    /// The source sends `amount` more through its pairs (or disposes of it).
    SourceMore(SourceIdx),
    /// The source sends `amount` less: it disposes of less or drops a pair it serves.
    SourceLess(SourceIdx),
}

/// A frontier entry: cost so far, tonnes at the node per tonne of the stream, the first
/// pair's counterpart and km, and whether a later step displaced a partner.
#[derive(Clone, Copy, Debug)]
struct Label {
    cost: f64,
    amount: f64,
    need: Need,
    first: Option<(usize, f64)>,
    steps: usize,
}

impl PartialEq for Label {
    fn eq(&self, other: &Self) -> bool {
        self.cost.total_cmp(&other.cost) == Ordering::Equal
    }
}
impl Eq for Label {}
impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Label {
    /// Reversed: the cheapest first out of a max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        other.cost.total_cmp(&self.cost)
    }
}

/// The cheapest local route for each stream of `streams` (searched in parallel), or `None`
/// when the solution has no duals to price them with.
pub fn local_routes(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
    streams: &[UnservedStream],
) -> Option<Vec<LocalRoute>> {
    let (Some(x), Some(y)) = (&solution.primal, &solution.row_dual) else {
        return None;
    };
    let (source_dual, sink_dual) = super::node_duals(model, solution);
    let search = Search::new(
        ds,
        &model.network,
        (&source_dual, &sink_dual),
        FIRST_NEIGHBOURS,
        0.0,
    )
    .with_existing_pairs();
    let residual = Residual::of(model, x, y);
    let unit_ratios = model
        .network
        .index
        .substitutes
        .iter()
        .flatten()
        .all(|&(_, ratio)| ratio == 1.0);
    let no_processes = !model.lp.layout.has_processes();
    let routes = streams
        .par_iter()
        .map(|&start| {
            let mut neighbours = FIRST_NEIGHBOURS;
            loop {
                let searched = dijkstra(&search, &residual, start, neighbours);
                // More neighbours help only when the cap on them was what left the gap open,
                // and only where it can then be exact.
                let retry = !searched.complete
                    && !searched.exhausted
                    && unit_ratios
                    && no_processes
                    && neighbours < MOST_NEIGHBOURS;
                if !retry {
                    return match (searched.best, searched.cheapest_pair) {
                        (Some(r), _) => LocalRoute::Found(ServingRoute {
                            exact: searched.complete && unit_ratios && no_processes,
                            ..r
                        }),
                        (None, Some((counterpart, km))) => LocalRoute::Blocked { counterpart, km },
                        (None, None) => LocalRoute::OutOfRange,
                    };
                }
                neighbours *= 4;
            }
        })
        .collect();
    Some(routes)
}

/// What one search found.
struct Searched {
    best: Option<ServingRoute>,
    /// Whether no pair left out by the cap on neighbours could have made a cheaper route.
    complete: bool,
    /// Whether the search stopped at [`MOST_STEPS`].
    exhausted: bool,
    /// The start's cheapest pair in range: counterpart and km.
    cheapest_pair: Option<(usize, f64)>,
}

/// One search from `start`, taking at most `neighbours` pairs per step.
fn dijkstra(
    search: &Search,
    residual: &Residual,
    start: UnservedStream,
    neighbours: usize,
) -> Searched {
    let mut frontier = BinaryHeap::new();
    frontier.push(Label {
        cost: 0.0,
        amount: 1.0,
        need: match start {
            UnservedStream::Demand(t) => Need::SinkMore(t),
            UnservedStream::Supply(s) => Need::SourceMore(s),
        },
        first: None,
        steps: 0,
    });
    let mut settled: HashMap<Need, f64> = HashMap::new();
    let mut best: Option<ServingRoute> = None;
    // The least cost a pair cut off by the cap could have led to.
    let mut cut_off = f64::INFINITY;
    let mut complete = true;
    let mut exhausted = false;
    let mut cheapest_pair = None;
    let mut steps = 0;
    while let Some(label) = frontier.pop() {
        let best_cost = best.map_or(f64::INFINITY, |b| b.gap);
        if label.cost >= best_cost {
            break;
        }
        if settled.contains_key(&label.need) {
            continue;
        }
        settled.insert(label.need, label.cost);
        steps += 1;
        if steps > MOST_STEPS {
            complete = false;
            exhausted = true;
            break;
        }
        let mut finish = |extra: f64| {
            let cost = label.cost + extra * label.amount;
            if let Some((counterpart, km)) = label.first
                && best.is_none_or(|b| cost < b.gap)
            {
                best = Some(ServingRoute {
                    gap: cost,
                    counterpart,
                    km,
                    displaces: label.steps > 1,
                    exact: true,
                });
            }
        };
        let is_start = label.steps == 0;
        let budget = (best_cost - label.cost) / label.amount;
        let mut push = |need: Need, cost: f64, amount: f64, first: Option<(usize, f64)>| {
            if !settled.contains_key(&need) {
                frontier.push(Label {
                    cost,
                    amount,
                    need,
                    first: label.first.or(first),
                    steps: label.steps + 1,
                });
            }
        };
        match label.need {
            Need::SinkMore(t) => {
                // Importing one more ends the route; a pair brings it from a source.
                if let (false, (_, Some(reduced))) = (is_start, residual.import[t.get()]) {
                    finish(reduced);
                }
                let pairs = search.sources_of(t, neighbours, budget);
                if is_start {
                    cheapest_pair = pairs.first().map(|p| (p.1.get(), p.2));
                }
                if let Some(&(reduced, _, _, ratio)) = pairs.get(neighbours - 1) {
                    cut_off = cut_off.min(label.cost + reduced / ratio * label.amount);
                }
                for (reduced, s, km, ratio) in pairs {
                    let sent = label.amount / ratio;
                    let cost = label.cost + reduced * sent;
                    push(Need::SourceLess(s), cost, sent, Some((s.get(), km)));
                }
            }
            Need::SourceMore(s) => {
                if let (false, (_, Some(reduced))) = (is_start, residual.disposal[s.get()]) {
                    finish(reduced);
                }
                let pairs = search.sinks_of(s, neighbours, budget);
                if is_start {
                    cheapest_pair = pairs.first().map(|p| (p.1.get(), p.2));
                }
                if let Some(&(reduced, ..)) = pairs.get(neighbours - 1) {
                    cut_off = cut_off.min(label.cost + reduced * label.amount);
                }
                for (reduced, t, km, ratio) in pairs {
                    let cost = label.cost + reduced * label.amount;
                    push(
                        Need::SinkLess(t),
                        cost,
                        label.amount * ratio,
                        Some((t.get(), km)),
                    );
                }
            }
            Need::SourceLess(s) => {
                // Disposing of one less is free at the optimum (the column is basic).
                if residual.disposal[s.get()].0 {
                    finish(0.0);
                }
                for &a in &residual.sends[s.get()] {
                    let net = search.network();
                    let t = net.arcs.sink(a);
                    push(
                        Need::SinkMore(t),
                        label.cost,
                        label.amount * net.arcs.ratio(a),
                        None,
                    );
                }
            }
            Need::SinkLess(t) => {
                if residual.import[t.get()].0 {
                    finish(0.0);
                }
                for &a in &residual.takes[t.get()] {
                    let net = search.network();
                    let s = net.arcs.source(a);
                    push(
                        Need::SourceMore(s),
                        label.cost,
                        label.amount / net.arcs.ratio(a),
                        None,
                    );
                }
            }
        }
    }
    Searched {
        best,
        complete: complete && best.is_none_or(|b| b.gap <= cut_off),
        exhausted,
        cheapest_pair,
    }
}

impl Search<'_> {
    /// Source `s`'s pairs below `below` (per tonne sent), the `keep` cheapest, cheapest
    /// first: reduced cost, sink, km and ratio.
    fn sinks_of(&self, s: SourceIdx, keep: usize, below: f64) -> Vec<(f64, SinkIdx, f64, f64)> {
        let mut found: Vec<(f64, SinkIdx, f64, f64)> = Vec::new();
        for &(served, ratio) in self.served_materials(s) {
            let mut best = Vec::with_capacity(keep + 1);
            self.each_sink_pair(s, (served, ratio), -below, |pair| {
                keep_best(&mut best, pair, keep);
                bar(&best, keep, -below)
            });
            found.extend(best.into_iter().map(|(r, t, km)| (r, t, km, ratio)));
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.truncate(keep);
        found
    }

    /// Sink `t`'s pairs below `below` (per tonne taken), the `keep` cheapest per tonne
    /// taken first: reduced cost per tonne sent, source, km and ratio.
    fn sources_of(&self, t: SinkIdx, keep: usize, below: f64) -> Vec<(f64, SourceIdx, f64, f64)> {
        let mut found = Vec::new();
        for &(from, ratio) in self.serving_materials(t) {
            // `below` is per tonne taken; a pair's reduced cost is per tonne sent.
            let below = below * ratio;
            let mut best: Vec<(f64, SourceIdx, f64)> = Vec::with_capacity(keep + 1);
            self.each_source_pair(t, (from, ratio), -below, |(r, s, km)| {
                let at = best.partition_point(|b| b.0 <= r);
                if at < keep {
                    best.insert(at, (r, s, km));
                    best.truncate(keep);
                }
                if best.len() >= keep {
                    best[keep - 1].0.min(below)
                } else {
                    below
                }
            });
            found.extend(best.into_iter().map(|(r, s, km)| (r, s, km, ratio)));
        }
        found.sort_by(|a, b| (a.0 / a.3).total_cmp(&(b.0 / b.3)));
        found.truncate(keep);
        found
    }
}
