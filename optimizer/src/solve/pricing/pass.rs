//! One pricing pass: the left-out pairs whose reduced cost under a solve's duals is
//! negative, each source's best few found by a best-first search over the sinks' places and
//! duals ([`super::dual_tree`]), and the Lagrangian bound those duals give, whose sink side
//! takes each sink's most negative pair from the same search over the sources.

use super::bounds::{most_sent, most_taken};
use super::dual_tree::{DualPoint, DualTree, MayPay, best_first};
use crate::lp::costs;
use crate::model::domain::Dataset;
use crate::model::ids::MaterialIdx;
use crate::network::arcs::{ArcSet, Arcs};
use crate::network::candidates::{SourceQuery, is_self_loop, sends_nothing};
use crate::network::spatial::{IndexedPoint, unit_vector};
use crate::network::{Network, SinkIdx, SourceIdx};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

/// Pricing looks at this many times `per_source` negative arcs per source, so each sink's
/// best offer can be found among them.
const WIDE_PRICING: usize = 4;

/// What one pass found.
pub(crate) struct PricingPass {
    /// The arcs to add.
    pub(crate) arcs: Arcs,
    /// The sum over sources of the most a source can send times its most negative reduced
    /// cost over the left-out pairs, or `None` when a source with such a pair has no bound
    /// (a process that may grow). Added to the restricted optimum it gives the Lagrangian
    /// lower bound of the full problem under the same duals, with each source's total
    /// outflow kept as a constraint: `L = sum b*y + sum_s U_s * min(0, min_t rc_st)`; or the
    /// same over sinks with their intake kept, whichever bound is higher.
    pub(crate) penalty: Option<f64>,
    /// The most negative reduced cost found (0 when none is negative).
    pub(crate) most_negative: f64,
}

/// A left-out pair found by pricing: reduced cost, sink, km and ratio.
type Priced = (f64, SinkIdx, f64, f64);

/// What one source's search found: its best few pairs and its share of the penalty.
type SourceFound = (Vec<Priced>, Option<f64>);

/// The inputs every search of a pass shares.
pub(super) struct Search<'a> {
    ds: &'a Dataset,
    net: &'a Network,
    /// Sinks by (material, is a process input), as in the network's index.
    sink_trees: HashMap<(MaterialIdx, bool), DualTree>,
    /// Sources by material.
    source_trees: HashMap<MaterialIdx, DualTree>,
    /// Per served material, the materials that can serve it and their ratios.
    served_by: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>>,
    existing: ArcSet,
    source_dual: &'a [f64],
    sink_dual: &'a [f64],
    keep: usize,
    tolerance: f64,
    /// Whether pairs the network holds already are skipped (pricing) or offered too.
    skip_existing: bool,
}

impl<'a> Search<'a> {
    pub(super) fn new(
        ds: &'a Dataset,
        net: &'a Network,
        (source_dual, sink_dual): (&'a [f64], &'a [f64]),
        keep: usize,
        tolerance: f64,
    ) -> Self {
        let mut source_points: HashMap<MaterialIdx, Vec<IndexedPoint>> = HashMap::new();
        for (s, source) in net.sources.iter().enumerate() {
            let site = ds.site(source.site);
            let point = IndexedPoint::new(unit_vector(site.lon, site.lat), s as u32);
            source_points
                .entry(source.material)
                .or_default()
                .push(point);
        }
        let mut served_by: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>> = HashMap::new();
        for (from, served) in net.index.substitutes.iter().enumerate() {
            for &(material, ratio) in served {
                served_by
                    .entry(material)
                    .or_default()
                    .push((MaterialIdx::new(from), ratio));
            }
        }
        Search {
            ds,
            net,
            sink_trees: net
                .index
                .trees
                .iter()
                .map(|(key, tree)| (*key, DualTree::new(tree.iter(), sink_dual)))
                .collect(),
            source_trees: source_points
                .into_iter()
                .map(|(m, points)| (m, DualTree::new(points.iter(), source_dual)))
                .collect(),
            served_by,
            existing: ArcSet::new(&net.arcs, net.sources.len()),
            source_dual,
            sink_dual,
            keep,
            tolerance,
            skip_existing: true,
        }
    }

    /// The same search over every pair in range, the network's own included.
    pub(super) fn with_existing_pairs(self) -> Self {
        Search {
            skip_existing: false,
            ..self
        }
    }

    pub(super) fn network(&self) -> &'a Network {
        self.net
    }

    /// The materials source `s` can serve, with their ratios.
    pub(super) fn served_materials(&self, s: SourceIdx) -> &[(MaterialIdx, f64)] {
        &self.net.index.substitutes[self.net.sources[s.get()].material.get()]
    }

    /// The materials that can serve sink `t`, with their ratios.
    pub(super) fn serving_materials(&self, t: SinkIdx) -> &[(MaterialIdx, f64)] {
        self.served_by
            .get(&self.net.sink(t).material)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The reduced cost and km of the left-out pair `(s, t)` (`q` is source `s`'s query), or
    /// `None` when it is not one: in the network already, a self loop, or out of range.
    fn reduced(
        &self,
        (s, q): (SourceIdx, &SourceQuery),
        t: SinkIdx,
        ratio: f64,
    ) -> Option<(f64, f64)> {
        let (ds, net) = (self.ds, self.net);
        let (source, sink) = (&net.sources[s.get()], net.sink(t));
        if is_self_loop(source, sink) || (self.skip_existing && self.existing.contains(s, t)) {
            return None;
        }
        let km = q.km_to(ds, sink)?;
        let per_tkm = costs::haul_per_tkm(ds, source.material).objective(ds);
        // The border cost is never negative, so the trees' bounds, which leave it out,
        // skip no pair that pays.
        let border = costs::border(ds, source.site, sink.site).objective(ds);
        let gain = self.source_dual[s.get()] + ratio * self.sink_dual[t.get()];
        Some((per_tkm * km + border - gain, km))
    }

    /// Offers `visit` source `s`'s pairs into sinks of `served` (at `ratio`) in increasing
    /// order of their bound while it is below the bar `visit` returns (at first
    /// `-tolerance`): reduced cost per tonne sent, sink and km.
    pub(super) fn each_sink_pair(
        &self,
        s: SourceIdx,
        (served, ratio): (MaterialIdx, f64),
        tolerance: f64,
        mut visit: impl FnMut((f64, SinkIdx, f64)) -> f64,
    ) {
        let (ds, net) = (self.ds, self.net);
        let source = &net.sources[s.get()];
        if sends_nothing(ds, source) {
            return;
        }
        let q = SourceQuery::new(ds, source);
        let trees: Vec<&DualTree> = [false, true]
            .iter()
            .filter_map(|&is_process| self.sink_trees.get(&(served, is_process)))
            .collect();
        let reach = MayPay {
            at: q.point,
            y_source: self.source_dual[s.get()],
            ratio,
            per_km: costs::haul_per_tkm(ds, source.material).objective(ds),
            detour: ds.transport.detour_factor,
            max_km: q.max_km,
            tolerance,
        };
        let mut current = -tolerance;
        best_first(&trees, &reach, |point: &DualPoint| {
            let t = SinkIdx::new(point.data as usize);
            if let Some((reduced, km)) = self.reduced((s, &q), t, ratio) {
                current = visit((reduced, t, km));
            }
            current
        });
    }

    /// Offers `visit` sink `t`'s pairs from sources of `from` (at `ratio`), as
    /// [`Search::each_sink_pair`] does from a source: reduced cost per tonne sent, source
    /// and km.
    pub(super) fn each_source_pair(
        &self,
        t: SinkIdx,
        (from, ratio): (MaterialIdx, f64),
        tolerance: f64,
        mut visit: impl FnMut((f64, SourceIdx, f64)) -> f64,
    ) {
        let (ds, sink) = (self.ds, self.net.sink(t));
        let Some(tree) = self.source_trees.get(&from) else {
            return;
        };
        let site = ds.site(sink.site);
        // The same reduced cost seen from the sink: the sink's dual is the fixed part.
        let reach = MayPay {
            at: unit_vector(site.lon, site.lat),
            y_source: ratio * self.sink_dual[t.get()],
            ratio: 1.0,
            per_km: costs::haul_per_tkm(ds, from).objective(ds),
            detour: ds.transport.detour_factor,
            max_km: None,
            tolerance,
        };
        let mut current = -tolerance;
        best_first(&[tree], &reach, |point: &DualPoint| {
            let s = SourceIdx::new(point.data as usize);
            let source = &self.net.sources[s.get()];
            if sends_nothing(ds, source) {
                return current;
            }
            let q = SourceQuery::new(ds, source);
            if let Some((reduced, km)) = self.reduced((s, &q), t, ratio) {
                current = visit((reduced, s, km));
            }
            current
        });
    }

    /// The best `keep` negative pairs of source `s` per served material, and its share of
    /// the penalty.
    fn source(&self, s: SourceIdx) -> SourceFound {
        let (ds, net) = (self.ds, self.net);
        let source = &net.sources[s.get()];
        let mut found = Vec::new();
        if sends_nothing(ds, source) {
            return (found, Some(0.0));
        }
        let mut most_negative = 0.0_f64;
        for &(served, ratio) in self.served_materials(s) {
            let mut best: Vec<(f64, SinkIdx, f64)> = Vec::with_capacity(self.keep + 1);
            self.each_sink_pair(s, (served, ratio), self.tolerance, |pair| {
                keep_best(&mut best, pair, self.keep);
                bar(&best, self.keep, self.tolerance)
            });
            most_negative = best
                .first()
                .map_or(most_negative, |b| most_negative.min(b.0));
            found.extend(best.iter().map(|&(r, t, km)| (r, t, km, ratio)));
        }
        // The source's pairs together carry at most what it can send, so the left-out
        // ones can lower the cost by at most that much at the most negative reduced cost.
        let penalty = if most_negative < 0.0 {
            most_sent(ds, source).map(|q| q * most_negative)
        } else {
            Some(0.0)
        };
        (found, penalty)
    }

    /// Sink `t`'s most negative reduced cost per tonne served over its left-out pairs (0
    /// when none is negative).
    fn sink_most_negative(&self, t: SinkIdx) -> f64 {
        let mut most_negative = 0.0_f64;
        for &(from, ratio) in self.serving_materials(t) {
            let mut best: Option<f64> = None;
            self.each_source_pair(t, (from, ratio), self.tolerance, |(reduced, _, _)| {
                let least = best.map_or(reduced, |b| b.min(reduced));
                best = Some(least);
                least.min(-self.tolerance)
            });
            if let Some(reduced) = best {
                most_negative = most_negative.min(reduced / ratio);
            }
        }
        most_negative
    }
}

/// Adds `pair` to `best` (sorted, most negative first) if it is among the `keep` best.
pub(super) fn keep_best(
    best: &mut Vec<(f64, SinkIdx, f64)>,
    pair: (f64, SinkIdx, f64),
    keep: usize,
) {
    let at = best.partition_point(|b| b.0 <= pair.0);
    if at < keep {
        best.insert(at, pair);
        best.truncate(keep);
    }
}

/// What a pair must beat to enter `best`: below `-tolerance`, and once `best` is full
/// below its worst.
pub(super) fn bar(best: &[(f64, SinkIdx, f64)], keep: usize, tolerance: f64) -> f64 {
    if best.len() >= keep {
        best[keep - 1].0.min(-tolerance)
    } else {
        -tolerance
    }
}

/// The pairs left out by pruning whose reduced cost under the duals is negative. At most
/// `per_source` of the most negative are returned per source and served material, so one
/// round does not flood the LP, plus each sink's single best offer. Sources are searched
/// in the network's Z order of their sites, so neighbouring searches share R-tree
/// nodes and duals in the cache (100k uniform, 8 rounds, pricing seconds: 11.9 in input
/// order, 6.6 in Z order); its arcs come in that order too. `None` when `stop`
/// said so before the pass ended (asked before each source and sink, so a deadline or a
/// cancellation is overshot by one search at most).
pub(crate) fn negative_arcs(
    ds: &Dataset,
    net: &Network,
    source_dual: &[f64],
    sink_dual: &[f64],
    per_source: usize,
    tolerance: f64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<PricingPass> {
    let keep = per_source * WIDE_PRICING;
    let search = Search::new(ds, net, (source_dual, sink_dual), keep, tolerance);
    let cut_off = AtomicBool::new(false);
    let stopped = || {
        let stopped = cut_off.load(Ordering::Relaxed) || stop();
        if stopped {
            cut_off.store(true, Ordering::Relaxed);
        }
        stopped
    };
    let order = &net.source_order;
    let found_in_order: Vec<SourceFound> = order
        .par_iter()
        .map(|&s| {
            if stopped() {
                return (Vec::new(), Some(0.0));
            }
            search.source(SourceIdx::new(s as usize))
        })
        .collect();
    // The sink side only matters for the bound: when no source found a negative pair, no
    // sink has one either (100k uniform: the sink side costs 3.3 s of the 8.3 s of pricing,
    // and the certifying pass, one of eight, is spared it). Sinks go in their Z order, as
    // sources do, for the cache.
    let any_negative = found_in_order.iter().any(|(found, _)| !found.is_empty());
    let mut sink_most_negative = vec![0.0; net.sinks.len()];
    if any_negative {
        let in_order: Vec<f64> = net
            .sink_order
            .par_iter()
            .map(|&t| {
                if stopped() {
                    return 0.0;
                }
                search.sink_most_negative(SinkIdx::new(t as usize))
            })
            .collect();
        for (&t, m) in net.sink_order.iter().zip(in_order) {
            sink_most_negative[t as usize] = m;
        }
    }
    if cut_off.into_inner() {
        return None;
    }
    let mut per_source_found: Vec<SourceFound> = vec![(Vec::new(), Some(0.0)); net.sources.len()];
    for (&s, found) in order.iter().zip(found_in_order) {
        per_source_found[s as usize] = found;
    }
    let source_penalty = per_source_found.iter().map(|(_, p)| *p).sum();
    let sink_penalty = net
        .sinks
        .iter()
        .zip(&sink_most_negative)
        .map(|(sink, &m)| match m {
            m if m < 0.0 => most_taken(ds, sink).map(|d| d * m),
            _ => Some(0.0),
        })
        .sum();
    // Either side's caps give a valid bound; the larger (less negative) is kept.
    let penalty = match (source_penalty, sink_penalty) {
        (Some(a), Some(b)) => Some(f64::max(a, b)),
        (a, b) => a.or(b),
    };
    let per_source_found: Vec<_> = per_source_found.into_iter().map(|(f, _)| f).collect();
    let most_negative = per_source_found
        .iter()
        .flatten()
        .map(|p| p.0)
        .fold(0.0, f64::min);
    Some(PricingPass {
        arcs: chosen_arcs(order, &per_source_found, per_source),
        penalty,
        most_negative,
    })
}

/// Each source's best `per_source`, plus each sink's single best offer: a sink short of
/// supply gets an outlet in the same round instead of waiting for its sources' turn. Added
/// in the sources' Z order, like the candidate arcs: the engine scans arcs in the order
/// they come, and neighbouring arcs then share nodes in the cache.
fn chosen_arcs(order: &[u32], per_source_found: &[Vec<Priced>], per_source: usize) -> Arcs {
    let mut best_for_sink: HashMap<SinkIdx, (f64, usize, usize)> = HashMap::new();
    for (s, found) in per_source_found.iter().enumerate() {
        for (i, &(reduced, sink, _, _)) in found.iter().enumerate() {
            let entry = best_for_sink.entry(sink).or_insert((reduced, s, i));
            if reduced < entry.0 {
                *entry = (reduced, s, i);
            }
        }
    }
    let mut chosen: HashSet<(usize, usize)> =
        best_for_sink.values().map(|&(_, s, i)| (s, i)).collect();
    let mut arcs = Arcs::default();
    for &s in order {
        let s = s as usize;
        // Each source's list is sorted by reduced cost per served material; rank overall.
        let found = &per_source_found[s];
        let mut by_cost: Vec<usize> = (0..found.len()).collect();
        by_cost.sort_by(|&a, &b| found[a].0.total_cmp(&found[b].0));
        for (rank, &i) in by_cost.iter().enumerate() {
            if rank < per_source || chosen.remove(&(s, i)) {
                let (_, sink, km, ratio) = found[i];
                arcs.push(SourceIdx::new(s), sink, km, ratio);
            }
        }
    }
    arcs
}
