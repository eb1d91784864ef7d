//! Candidate arcs by spatial pruning. For each source and each material it can serve
//! (itself, and every substitution from it), the `k` nearest sinks of that material are
//! kept, separately for demands and for process inputs so a cluster of demands never hides a
//! recycler; then each demand's `k` nearest supplies (the reverse pass). Only pairs within
//! the haul limits are kept ([`SourceQuery::km_to`], the one place that rule lives: the
//! tightest of the material's (or the dataset's) limit, a supply's own, a demand's own and,
//! across a border, the border's). `exact`
//! mode keeps every compatible pair in range, so the pruning gap can be measured.

use super::arcs::{ArcSet, Arcs};
use super::nodes::{CandidateOptions, Node, SinkIdx, SinkKind, SourceIdx, SourceKind};
use super::spatial::{IndexedPoint, build_index, chord2_for_km, road_km, unit_vector, z_order};
use crate::model::domain::Dataset;
use crate::model::ids::{MaterialIdx, SiteIdx};
use rayon::prelude::*;
use rstar::RTree;
use std::collections::HashMap;

/// R-trees of sinks by (material, is a process input), kept with the network so pricing can
/// search the pairs that pruning left out.
#[derive(Debug, Clone, Default)]
pub(crate) struct SinkIndex {
    pub(crate) trees: HashMap<(MaterialIdx, bool), RTree<IndexedPoint>>,
    /// `(served material, ratio)` per sent material, itself first.
    pub(crate) substitutes: Vec<Vec<(MaterialIdx, f64)>>,
}

impl SinkIndex {
    pub(crate) fn new(ds: &Dataset, sinks: &[Node<SinkKind>]) -> Self {
        let mut groups: HashMap<(MaterialIdx, bool), Vec<u32>> = HashMap::new();
        for (i, sink) in sinks.iter().enumerate() {
            if takes_no_flow(ds, sink) {
                continue;
            }
            let is_process = matches!(sink.kind, SinkKind::ProcessInput { .. });
            groups
                .entry((sink.material, is_process))
                .or_default()
                .push(i as u32);
        }
        let trees = groups
            .into_iter()
            .map(|(key, members)| {
                let index = build_index(members.iter().map(|&i| {
                    let site = ds.site(sinks[i as usize].site);
                    (site.lon, site.lat, i)
                }));
                (key, index)
            })
            .collect();
        let substitutes = (0..ds.materials.len())
            .map(|m| ds.substitutes_of(MaterialIdx::new(m)))
            .collect();
        SinkIndex { trees, substitutes }
    }
}

/// A demand of zero tonnes can take no flow, so it gets no arcs (process inputs always can).
pub(crate) fn takes_no_flow(ds: &Dataset, sink: &Node<SinkKind>) -> bool {
    matches!(sink.kind, SinkKind::Demand(d) if ds.demand(d).is_empty())
}

/// A supply of zero tonnes has nothing to send, so it gets no arcs.
pub(crate) fn sends_nothing(ds: &Dataset, source: &Node<SourceKind>) -> bool {
    matches!(source.kind, SourceKind::Supply(s) if ds.supply(s).is_empty())
}

/// A demand's own limit (process inputs have none).
fn sink_limit_km(ds: &Dataset, sink: &SinkKind) -> Option<f64> {
    match *sink {
        SinkKind::Demand(d) => ds.demand(d).max_haul.map(|k| k.0),
        SinkKind::ProcessInput { .. } => None,
    }
}

/// The limit a source brings to every pair: its material's and, for a supply, its own.
fn source_limit_km(ds: &Dataset, sent: MaterialIdx, source: &SourceKind) -> Option<f64> {
    let own = match *source {
        SourceKind::Supply(s) => ds.supply(s).max_haul.map(|k| k.0),
        SourceKind::ProcessOutput { .. } => None,
    };
    tighter(ds.max_haul(sent).map(|k| k.0), own)
}

fn tighter(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Where a source is and how far its material may travel.
pub(crate) struct SourceQuery {
    site: SiteIdx,
    lon: f64,
    lat: f64,
    pub(crate) point: [f64; 3],
    pub(crate) max_km: Option<f64>,
    pub(crate) chord2: Option<f64>,
}

impl SourceQuery {
    pub(crate) fn new(ds: &Dataset, source: &Node<SourceKind>) -> Self {
        let site = ds.site(source.site);
        let max_km = source_limit_km(ds, source.material, &source.kind);
        SourceQuery {
            site: source.site,
            lon: site.lon,
            lat: site.lat,
            point: unit_vector(site.lon, site.lat),
            max_km,
            chord2: max_km.and_then(|km| chord2_for_km(km / ds.transport.detour_factor)),
        }
    }

    /// Road km to a sink, or `None` when beyond the tightest haul limit of the pair: the
    /// material's (or the dataset's), the supply's and the demand's own and, for a sink
    /// across a border, the border's.
    pub(crate) fn km_to(&self, ds: &Dataset, sink: &Node<SinkKind>) -> Option<f64> {
        let to = ds.site(sink.site);
        let km = road_km(
            self.lon,
            self.lat,
            to.lon,
            to.lat,
            ds.transport.detour_factor,
        )
        .0;
        // `max_km` already holds the source's part of the limit; this runs for every
        // candidate pair, so only the sink's part is looked up.
        let mut limit = tighter(self.max_km, sink_limit_km(ds, &sink.kind));
        if let Some(border) = ds.border
            && ds.crosses_border(self.site, sink.site)
        {
            limit = tighter(limit, border.max_haul.map(|k| k.0));
        }
        (!limit.is_some_and(|m| km > m)).then_some(km)
    }
}

pub(crate) fn candidate_arcs(
    ds: &Dataset,
    index: &SinkIndex,
    sources: &[Node<SourceKind>],
    sinks: &[Node<SinkKind>],
    source_order: &[u32],
    options: CandidateOptions,
) -> Arcs {
    arcs_in_order(source_order, |s, arcs| {
        let source = &sources[s as usize];
        if sends_nothing(ds, source) {
            return;
        }
        let q = SourceQuery::new(ds, source);
        for &(served, ratio) in &index.substitutes[source.material.get()] {
            for is_process in [false, true] {
                let Some(tree) = index.trees.get(&(served, is_process)) else {
                    continue;
                };
                let mut taken = 0;
                for (point, d2) in tree.nearest_neighbor_iter_with_distance_2(&q.point) {
                    if q.chord2.is_some_and(|c| d2 > c) || (!options.exact && taken >= options.k) {
                        break;
                    }
                    let sink = &sinks[point.data as usize];
                    if is_self_loop(source, sink) {
                        continue;
                    }
                    if let Some(km) = q.km_to(ds, sink) {
                        arcs.push(SourceIdx(s), SinkIdx(point.data), km, ratio);
                        taken += 1;
                    }
                }
            }
        }
    })
}

/// Node positions in Z order of their sites ([`super::spatial::z_order`]).
pub(crate) fn spatial_order(ds: &Dataset, sites: impl Iterator<Item = SiteIdx>) -> Vec<u32> {
    let points: Vec<(f64, f64)> = sites
        .map(|i| {
            let site = ds.site(i);
            (site.lon, site.lat)
        })
        .collect();
    z_order(&points)
}

/// Runs `visit(node, arcs)` for every node of `order`, in parallel over chunks, and
/// concatenates the arcs in that order (so the result is the same on any thread count).
fn arcs_in_order(order: &[u32], visit: impl Fn(u32, &mut Arcs) + Sync) -> Arcs {
    const CHUNK: usize = 2048;
    let parts: Vec<Arcs> = order
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut arcs = Arcs::default();
            for &node in chunk {
                visit(node, &mut arcs);
            }
            arcs
        })
        .collect();
    Arcs::concat(parts)
}

/// The `k` nearest supplies of every demand (that the forward pass did not already link):
/// a large demand among many small supplies otherwise gets too few arcs, which pricing would
/// have to find round by round.
pub(crate) fn reverse_arcs(
    ds: &Dataset,
    sources: &[Node<SourceKind>],
    sinks: &[Node<SinkKind>],
    forward: &Arcs,
    k: usize,
) -> Arcs {
    let order = spatial_order(ds, sinks.iter().map(|n| n.site));
    reverse_arcs_of(ds, sources, sinks, forward, k, &order)
}

/// [`reverse_arcs`] of the sinks in `order` alone (a what-if session's added demands).
pub(crate) fn reverse_arcs_of(
    ds: &Dataset,
    sources: &[Node<SourceKind>],
    sinks: &[Node<SinkKind>],
    forward: &Arcs,
    k: usize,
    order: &[u32],
) -> Arcs {
    let existing = ArcSet::new(forward, sources.len());
    let mut by_material: HashMap<MaterialIdx, Vec<u32>> = HashMap::new();
    for (s, source) in sources.iter().enumerate() {
        if matches!(source.kind, SourceKind::Supply(_)) && !sends_nothing(ds, source) {
            by_material
                .entry(source.material)
                .or_default()
                .push(s as u32);
        }
    }
    let trees: HashMap<MaterialIdx, RTree<IndexedPoint>> = by_material
        .into_iter()
        .map(|(m, members)| {
            let tree = build_index(members.iter().map(|&s| {
                let site = ds.site(sources[s as usize].site);
                (site.lon, site.lat, s)
            }));
            (m, tree)
        })
        .collect();
    let servers = servers_of(ds);
    arcs_in_order(order, |t, arcs| {
        let sink = &sinks[t as usize];
        if !matches!(sink.kind, SinkKind::Demand(_)) || takes_no_flow(ds, sink) {
            return;
        }
        let site = ds.site(sink.site);
        let point = unit_vector(site.lon, site.lat);
        for &(sent, ratio) in servers.get(&sink.material).map_or(&[][..], Vec::as_slice) {
            let Some(tree) = trees.get(&sent) else {
                continue;
            };
            for p in tree.nearest_neighbor_iter(&point).take(k) {
                let s = SourceIdx(p.data);
                let q = SourceQuery::new(ds, &sources[s.get()]);
                let Some(km) = q.km_to(ds, sink) else {
                    // Supplies have limits of their own, so a farther one may still reach.
                    continue;
                };
                if !existing.contains(s, SinkIdx(t)) {
                    arcs.push(s, SinkIdx(t), km, ratio);
                }
            }
        }
    })
}

/// Served material -> every `(sent material, ratio)` that can serve it, itself included.
pub(crate) fn servers_of(ds: &Dataset) -> HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>> {
    let mut servers: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>> = HashMap::new();
    for m in 0..ds.materials.len() {
        let from = MaterialIdx::new(m);
        for (to, ratio) in ds.substitutes_of(from) {
            servers.entry(to).or_default().push((from, ratio));
        }
    }
    servers
}

/// A process feeding its own inputs adds nothing its yields do not already net out.
pub(crate) fn is_self_loop(source: &Node<SourceKind>, sink: &Node<SinkKind>) -> bool {
    matches!(
        (source.kind, sink.kind),
        (SourceKind::ProcessOutput { process: a, .. }, SinkKind::ProcessInput { process: b, .. }) if a == b
    )
}
