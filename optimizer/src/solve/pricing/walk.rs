//! Cheapest walks through the residual network of a certified optimum, the one search behind
//! the price gaps of unserved streams ([`super::serve`]) and the cost margins of the plan's
//! flows ([`super::ranging`]).
//!
//! A walk moves one tonne: it starts where a row is short of (or has to spare) a tonne and
//! ends where the change is absorbed: at the hub (a stream imports or disposes of one more,
//! at its slack column's reduced cost, or one less, free when that column carries tonnes),
//! or, for a margin, at the sink that gives up a tonne of the flow being ranged. Each step
//! either takes a pair in range (its reduced cost, never negative at a certified optimum,
//! over *every* pair in range through the pricing search's dual trees, the network's arcs
//! included) or gives up a tonne of a flow of the plan (free: the column is basic). So
//! Dijkstra's search finds the cheapest walk, and its cost is what a change of the plan in
//! that direction costs at the optimum.
//!
//! A walk that would change a process's activity is not followed, so where processes take
//! part, or pairs have substitution ratios other than 1, the cost found is an upper bound.

use super::pass::{Search, bar, keep_best};
use super::residual::Residual;
use crate::model::domain::Dataset;
use crate::network::{SinkIdx, SourceIdx};
use crate::solve::model::Model;
use crate::solve::status::LpSolution;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// Neighbours taken per step at first; a search whose answer lies beyond them is run again
/// with four times as many.
const FIRST_NEIGHBOURS: usize = 8;
/// At most this many neighbours per step (then the cost is an upper bound).
const MOST_NEIGHBOURS: usize = 128;
/// Nodes one search settles at most; past them the best walk found so far is reported as
/// an upper bound. A recycler's input served by hundreds of suppliers fans out into as
/// many free steps (each supplier could send elsewhere), and a search without a cap settled
/// thousands of nodes per stream: on a generated 10,000-site region with recyclers,
/// explaining 1,186 streams took 228 s with a cap of 4,096 and a retry with more
/// neighbours, against the solve's 8 s.
pub(super) const MOST_STEPS: usize = 256;

/// A state of the search: a node and what its row must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Need {
    /// The sink takes `amount` more through its pairs (or imports it).
    SinkMore(SinkIdx),
    /// The sink takes `amount` less: it imports less or drops a pair serving it.
    SinkLess(SinkIdx),
    /// The source sends `amount` more through its pairs (or disposes of it).
    SourceMore(SourceIdx),
    /// The source sends `amount` less: it disposes of less or drops a pair it serves.
    SourceLess(SourceIdx),
}

/// Where one search starts and what ends it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Walk {
    /// The start's need, one tonne of it.
    pub(super) start: Need,
    /// Whether the start's own import or disposal may absorb the tonne. Not for a price gap
    /// (that slack is what the gap prices), yes for a margin.
    pub(super) own_slack: bool,
    /// A pair the start may not take: the flow being ranged.
    pub(super) skip: Option<(SourceIdx, SinkIdx)>,
    /// A sink whose giving up a tonne ends the walk at no further cost: the ranged flow's
    /// sink, which takes the tonne over another pair and one less over the flow.
    pub(super) meet: Option<SinkIdx>,
    /// Added to a walk that ends at the hub: what the rest of the way costs from there.
    pub(super) from_hub: f64,
    /// Nodes the search settles at most ([`MOST_STEPS`] for a price gap).
    pub(super) most_steps: usize,
}

impl Walk {
    /// A walk from `start` that ends only at the hub, its own slack excluded (a price gap).
    pub(super) fn to_hub(start: Need) -> Self {
        Walk {
            start,
            own_slack: false,
            skip: None,
            meet: None,
            from_hub: 0.0,
            most_steps: MOST_STEPS,
        }
    }
}

/// The cheapest walk found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Route {
    /// Its cost per tonne of the start.
    pub(super) cost: f64,
    /// The counterpart node and km of its first pair (`None`: the start's own slack).
    pub(super) first: Option<(usize, f64)>,
    /// Whether a later step gave up a tonne of another stream's flow.
    pub(super) displaces: bool,
}

/// What one search found.
pub(super) struct Walked {
    pub(super) best: Option<Route>,
    /// Whether the cost is exact: no pair left out by the cap on neighbours could have made
    /// a cheaper walk, the cap on steps was not reached, and no process or ratio other
    /// than 1 takes part.
    pub(super) exact: bool,
    /// The start's cheapest pair in range: counterpart and km.
    pub(super) cheapest_pair: Option<(usize, f64)>,
}

/// The residual network of one solution, searched by many walks (in parallel).
pub(super) struct Walker<'a> {
    search: Search<'a>,
    residual: Residual,
    /// Whether every pair has ratio 1 and no process takes part: walks can then be exact.
    plain: bool,
}

impl<'a> Walker<'a> {
    /// The walker of `solution`, or `None` without duals to price it with. `duals` are the
    /// node duals ([`super::node_duals`]) the search borrows.
    pub(super) fn of(
        ds: &'a Dataset,
        model: &'a Model,
        solution: &LpSolution,
        duals: (&'a [f64], &'a [f64]),
    ) -> Option<Self> {
        let (Some(x), Some(y)) = (&solution.primal, &solution.row_dual) else {
            return None;
        };
        let search =
            Search::new(ds, &model.network, duals, FIRST_NEIGHBOURS, 0.0).with_existing_pairs();
        let unit_ratios = model
            .network
            .index
            .substitutes
            .iter()
            .flatten()
            .all(|&(_, ratio)| ratio == 1.0);
        Some(Walker {
            search,
            residual: Residual::of(model, x, y),
            plain: unit_ratios && !model.lp.layout.has_processes(),
        })
    }

    /// The cheapest walk of `walk`, with more neighbours per step while the cap on them was
    /// what left it open (only where it can then be exact).
    pub(super) fn walk(&self, walk: Walk) -> Walked {
        let mut neighbours = FIRST_NEIGHBOURS;
        loop {
            let searched = dijkstra(&self.search, &self.residual, walk, neighbours);
            let retry = !searched.complete
                && !searched.exhausted
                && self.plain
                && neighbours < MOST_NEIGHBOURS;
            if !retry {
                return Walked {
                    best: searched.best,
                    exact: searched.complete && self.plain,
                    cheapest_pair: searched.cheapest_pair,
                };
            }
            neighbours *= 4;
        }
    }
}

/// A frontier entry: cost so far, tonnes at the node per tonne of the start, the first
/// pair's counterpart and km, and the steps taken.
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

/// What one search with a given number of neighbours found.
struct Searched {
    best: Option<Route>,
    /// Whether no pair left out by the cap on neighbours could have made a cheaper walk.
    complete: bool,
    /// Whether the search stopped at the walk's cap on steps.
    exhausted: bool,
    cheapest_pair: Option<(usize, f64)>,
}

/// One search of `walk`, taking at most `neighbours` pairs per step.
fn dijkstra(search: &Search, residual: &Residual, walk: Walk, neighbours: usize) -> Searched {
    let mut frontier = BinaryHeap::new();
    frontier.push(Label {
        cost: 0.0,
        amount: 1.0,
        need: walk.start,
        first: None,
        steps: 0,
    });
    let mut settled: HashMap<Need, f64> = HashMap::new();
    let mut best: Option<Route> = None;
    // The least cost a pair cut off by the cap could have led to.
    let mut cut_off = f64::INFINITY;
    let mut complete = true;
    let mut exhausted = false;
    let mut cheapest_pair = None;
    let mut steps = 0;
    // The start asks for one more pair than it keeps when it must leave one out.
    let start_neighbours = neighbours + usize::from(walk.skip.is_some());
    while let Some(label) = frontier.pop() {
        let best_cost = best.map_or(f64::INFINITY, |b| b.cost);
        if label.cost >= best_cost {
            break;
        }
        if settled.contains_key(&label.need) {
            continue;
        }
        settled.insert(label.need, label.cost);
        steps += 1;
        if steps > walk.most_steps {
            complete = false;
            exhausted = true;
            break;
        }
        let is_start = label.steps == 0;
        let mut end = |cost: f64| {
            if best.is_none_or(|b| cost < b.cost) {
                best = Some(Route {
                    cost,
                    first: label.first,
                    displaces: label.steps > 1,
                });
            }
        };
        // The walk's cost when the tonne is absorbed at the hub, `extra` per tonne here.
        let via_hub = |extra: f64| label.cost + extra * label.amount + walk.from_hub;
        let slack_allowed = !is_start || walk.own_slack;
        let budget = (best_cost - label.cost) / label.amount;
        let wanted = if is_start {
            start_neighbours
        } else {
            neighbours
        };
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
                // Importing one more ends the walk; a pair brings it from a source.
                if let (true, (_, Some(reduced))) = (slack_allowed, residual.import[t.get()]) {
                    end(via_hub(reduced));
                }
                let mut pairs = search.sources_of(t, wanted, budget);
                if is_start {
                    pairs.retain(|p| walk.skip != Some((p.1, t)));
                    pairs.truncate(neighbours);
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
                if let (true, (_, Some(reduced))) = (slack_allowed, residual.disposal[s.get()]) {
                    end(via_hub(reduced));
                }
                let mut pairs = search.sinks_of(s, wanted, budget);
                if is_start {
                    pairs.retain(|p| walk.skip != Some((s, p.1)));
                    pairs.truncate(neighbours);
                    cheapest_pair = pairs.first().map(|p| (p.1.get(), p.2));
                }
                if let Some(&(reduced, ..)) = pairs.get(neighbours - 1) {
                    cut_off = cut_off.min(label.cost + reduced * label.amount);
                }
                for (reduced, t, km, ratio) in pairs {
                    let cost = label.cost + reduced * label.amount;
                    if walk.meet == Some(t) {
                        // The ranged flow's sink takes this tonne instead of the flow's.
                        end(cost);
                        continue;
                    }
                    let first = Some((t.get(), km));
                    push(Need::SinkLess(t), cost, label.amount * ratio, first);
                }
            }
            Need::SourceLess(s) => {
                // Disposing of one less is free at the optimum (the column is basic).
                if residual.disposal[s.get()].0 {
                    end(via_hub(0.0));
                }
                let net = search.network();
                for &a in &residual.sends[s.get()] {
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
                    end(via_hub(0.0));
                }
                let net = search.network();
                for &a in &residual.takes[t.get()] {
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
        complete: complete && best.is_none_or(|b| b.cost <= cut_off),
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
