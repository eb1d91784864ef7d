//! The material flow network: sources (supplies and process outputs), sinks (demands and
//! process inputs) and the candidate arcs between them, found by spatial pruning.
//!
//! For each source and each material it can serve (itself, and every substitution from it),
//! the `k` nearest sinks of that material are kept, separately for demands and for process
//! inputs so a cluster of demands never hides a recycler. Only pairs within the sent
//! material's haul limit are kept. `exact` mode keeps every compatible pair in range, so the
//! pruning gap can be measured. [`Network::price`] then finds the left-out pairs whose
//! reduced cost is negative under an optimal solution's duals, so pruning loses nothing.
//!
//! Arcs are stored as a struct of arrays with `u32` indices: at a million listings the
//! arc list is the largest thing in memory.

use crate::domain::Dataset;
use crate::ids::{MaterialIdx, SiteIdx};
use crate::spatial::{
    IndexedPoint, build_index, chord_km, chord2_for_km, road_km, unit_vector, z_order,
};
use rayon::prelude::*;
use rstar::RTree;
use std::collections::{HashMap, HashSet};

/// How candidate arcs are chosen.
#[derive(Clone, Copy, Debug)]
pub struct CandidateOptions {
    /// Nearest sinks kept per source, per served material and sink kind.
    pub k: usize,
    /// Keep every compatible pair within range instead of the `k` nearest.
    pub exact: bool,
    /// After solving on the pruned arcs, add every left-out pair whose reduced cost is
    /// negative and re-solve until none is left (a dual certificate that the pruned optimum
    /// is the exact one). Off gives plain k-nearest pruning.
    pub price: bool,
}

impl Default for CandidateOptions {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            exact: false,
            price: true,
        }
    }
}

/// Default `k`; see the README for the pruning gap measured with it.
pub const DEFAULT_K: usize = 8;

/// Pricing looks at this many times `per_source` negative arcs per source, so each sink's
/// best offer can be found among them.
const WIDE_PRICING: usize = 4;

/// What a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// Index into [`Dataset::supplies`].
    Supply(u32),
    /// Process index and position in its outputs.
    ProcessOutput { process: u32, output: u32 },
}

/// What a sink is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// Index into [`Dataset::demands`].
    Demand(u32),
    /// Process index and position in its inputs.
    ProcessInput { process: u32, input: u32 },
}

/// A node of the network: a material at a site.
#[derive(Clone, Copy, Debug)]
pub struct Node<K> {
    pub kind: K,
    pub site: SiteIdx,
    pub material: MaterialIdx,
}

/// Candidate arcs as parallel arrays.
#[derive(Clone, Debug, Default)]
pub struct Arcs {
    pub source: Vec<u32>,
    pub sink: Vec<u32>,
    /// Road km (great circle x detour).
    pub km: Vec<f64>,
    /// Tonnes of the sink's material served per tonne sent.
    pub ratio: Vec<f64>,
}

impl Arcs {
    pub fn len(&self) -> usize {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    fn append(&mut self, other: Arcs) {
        self.source.extend(other.source);
        self.sink.extend(other.sink);
        self.km.extend(other.km);
        self.ratio.extend(other.ratio);
    }

    fn push(&mut self, source: u32, sink: u32, km: f64, ratio: f64) {
        self.source.push(source);
        self.sink.push(sink);
        self.km.push(km);
        self.ratio.push(ratio);
    }
}

/// Sources, sinks and candidate arcs of a dataset.
#[derive(Clone, Debug)]
pub struct Network {
    /// Supplies first (source `i` is supply `i`), then process outputs in process order.
    pub sources: Vec<Node<SourceKind>>,
    /// Demands first (sink `i` is demand `i`), then process inputs in process order.
    pub sinks: Vec<Node<SinkKind>>,
    pub arcs: Arcs,
    index: SinkIndex,
}

impl Network {
    /// Builds the nodes and the candidate arcs.
    pub fn build(ds: &Dataset, options: CandidateOptions) -> Self {
        let (sources, sinks) = nodes(ds);
        let index = SinkIndex::new(ds, &sinks);
        let mut arcs = candidate_arcs(ds, &index, &sources, &sinks, options);
        if !options.exact {
            let reverse = reverse_arcs(ds, &sources, &sinks, &arcs, options.k);
            arcs.append(reverse);
        }
        Network {
            sources,
            sinks,
            arcs,
            index,
        }
    }
}

fn nodes(ds: &Dataset) -> (Vec<Node<SourceKind>>, Vec<Node<SinkKind>>) {
    let mut sources: Vec<_> = ds
        .supplies
        .iter()
        .enumerate()
        .map(|(i, s)| Node {
            kind: SourceKind::Supply(i as u32),
            site: s.site,
            material: s.material,
        })
        .collect();
    let mut sinks: Vec<_> = ds
        .demands
        .iter()
        .enumerate()
        .map(|(i, d)| Node {
            kind: SinkKind::Demand(i as u32),
            site: d.site,
            material: d.material,
        })
        .collect();
    for (p, process) in ds.processes.iter().enumerate() {
        for (o, &(material, _)) in process.outputs.iter().enumerate() {
            sources.push(Node {
                kind: SourceKind::ProcessOutput {
                    process: p as u32,
                    output: o as u32,
                },
                site: process.site,
                material,
            });
        }
        for (i, &(material, _)) in process.inputs.iter().enumerate() {
            sinks.push(Node {
                kind: SinkKind::ProcessInput {
                    process: p as u32,
                    input: i as u32,
                },
                site: process.site,
                material,
            });
        }
    }
    (sources, sinks)
}

/// R-trees of sinks by (material, is a process input), kept with the network so pricing can
/// search the pairs that pruning left out.
#[derive(Debug, Clone, Default)]
pub struct SinkIndex {
    trees: HashMap<(MaterialIdx, bool), RTree<IndexedPoint>>,
    /// `(served material, ratio)` per sent material, itself first.
    substitutes: Vec<Vec<(MaterialIdx, f64)>>,
}

impl SinkIndex {
    fn new(ds: &Dataset, sinks: &[Node<SinkKind>]) -> Self {
        let mut groups: HashMap<(MaterialIdx, bool), Vec<u32>> = HashMap::new();
        for (i, sink) in sinks.iter().enumerate() {
            let is_process = match sink.kind {
                // A demand of zero tonnes can take no flow.
                SinkKind::Demand(d) if ds.demands[d as usize].quantity.0 <= 0.0 => continue,
                SinkKind::Demand(_) => false,
                SinkKind::ProcessInput { .. } => true,
            };
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
            .map(|m| ds.substitutes_of(MaterialIdx(m as u32)))
            .collect();
        SinkIndex { trees, substitutes }
    }
}

/// Where a source is and how far its material may travel.
struct SourceQuery {
    lon: f64,
    lat: f64,
    point: [f64; 3],
    max_km: Option<f64>,
    chord2: Option<f64>,
}

impl SourceQuery {
    fn new(ds: &Dataset, source: &Node<SourceKind>) -> Self {
        let site = ds.site(source.site);
        let max_km = ds.max_haul(source.material).map(|k| k.0);
        SourceQuery {
            lon: site.lon,
            lat: site.lat,
            point: unit_vector(site.lon, site.lat),
            max_km,
            chord2: max_km.and_then(|km| chord2_for_km(km / ds.transport.detour_factor)),
        }
    }

    /// Road km to a sink, or `None` when beyond the sent material's or the sink's haul limit.
    fn km_to(&self, ds: &Dataset, sink: &Node<SinkKind>) -> Option<f64> {
        let to = ds.site(sink.site);
        let km = road_km(
            self.lon,
            self.lat,
            to.lon,
            to.lat,
            ds.transport.detour_factor,
        )
        .0;
        let sink_limit = match sink.kind {
            SinkKind::Demand(d) => ds.demands[d as usize].max_haul.map(|k| k.0),
            SinkKind::ProcessInput { .. } => None,
        };
        let beyond = |limit: Option<f64>| limit.is_some_and(|m| km > m);
        (!beyond(self.max_km) && !beyond(sink_limit)).then_some(km)
    }
}

fn is_idle_supply(ds: &Dataset, source: &Node<SourceKind>) -> bool {
    matches!(source.kind, SourceKind::Supply(i) if ds.supplies[i as usize].quantity.0 <= 0.0)
}

fn candidate_arcs(
    ds: &Dataset,
    index: &SinkIndex,
    sources: &[Node<SourceKind>],
    sinks: &[Node<SinkKind>],
    options: CandidateOptions,
) -> Arcs {
    let order = spatial_order(ds, sources.iter().map(|n| n.site));
    arcs_in_order(&order, |s, arcs| {
        let source = &sources[s as usize];
        if is_idle_supply(ds, source) {
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
                        arcs.push(s, point.data, km, ratio);
                        taken += 1;
                    }
                }
            }
        }
    })
}

/// Node positions in Z order of their sites ([`crate::spatial::z_order`]).
fn spatial_order(ds: &Dataset, sites: impl Iterator<Item = SiteIdx>) -> Vec<u32> {
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
    concat(parts)
}

/// The `k` nearest supplies of every demand (that the forward pass did not already link):
/// a large demand among many small supplies otherwise gets too few arcs, which pricing would
/// have to find round by round.
fn reverse_arcs(
    ds: &Dataset,
    sources: &[Node<SourceKind>],
    sinks: &[Node<SinkKind>],
    forward: &Arcs,
    k: usize,
) -> Arcs {
    let existing = ArcSet::new(forward, sources.len());
    let mut by_material: HashMap<MaterialIdx, Vec<u32>> = HashMap::new();
    for (s, source) in sources.iter().enumerate() {
        if matches!(source.kind, SourceKind::Supply(_)) && !is_idle_supply(ds, source) {
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
    // Served material -> (sent material, ratio).
    let mut servers: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>> = HashMap::new();
    for m in 0..ds.materials.len() {
        let from = MaterialIdx(m as u32);
        for (to, ratio) in ds.substitutes_of(from) {
            servers.entry(to).or_default().push((from, ratio));
        }
    }
    let order = spatial_order(ds, sinks.iter().map(|n| n.site));
    arcs_in_order(&order, |t, arcs| {
        let sink = &sinks[t as usize];
        let SinkKind::Demand(d) = sink.kind else {
            return;
        };
        if ds.demands[d as usize].quantity.0 <= 0.0 {
            return;
        }
        let site = ds.site(sink.site);
        let point = unit_vector(site.lon, site.lat);
        for &(sent, ratio) in servers.get(&sink.material).map_or(&[][..], Vec::as_slice) {
            let Some(tree) = trees.get(&sent) else {
                continue;
            };
            for p in tree.nearest_neighbor_iter(&point).take(k) {
                let s = p.data;
                let q = SourceQuery::new(ds, &sources[s as usize]);
                let Some(km) = q.km_to(ds, sink) else {
                    // Nearest first: once one is out of range of its own haul limit,
                    // farther ones of the same material are too.
                    break;
                };
                if !existing.contains(s, t) {
                    arcs.push(s, t, km, ratio);
                }
            }
        }
    })
}

/// Which (source, sink) pairs already have an arc: the sinks of each source side by side
/// (CSR). A source has a few dozen arcs at most, so a scan beats hashing millions of pairs.
struct ArcSet {
    start: Vec<u32>,
    sinks: Vec<u32>,
}

impl ArcSet {
    fn new(arcs: &Arcs, sources: usize) -> Self {
        let (start, by_source) = crate::ssp::group(&arcs.source, sources);
        let sinks = by_source.iter().map(|&a| arcs.sink[a as usize]).collect();
        ArcSet { start, sinks }
    }

    fn contains(&self, source: u32, sink: u32) -> bool {
        let s = source as usize;
        self.sinks[self.start[s] as usize..self.start[s + 1] as usize].contains(&sink)
    }
}

fn concat(parts: Vec<Arcs>) -> Arcs {
    let total = parts.iter().map(Arcs::len).sum();
    let mut arcs = Arcs {
        source: Vec::with_capacity(total),
        sink: Vec::with_capacity(total),
        km: Vec::with_capacity(total),
        ratio: Vec::with_capacity(total),
    };
    for part in parts {
        arcs.append(part);
    }
    arcs
}

impl Network {
    /// Pricing: the pairs left out by pruning whose reduced cost under the current duals is
    /// negative, i.e. the arcs that would lower the cost if added. At most `per_source` of
    /// the most negative are returned per source and served material, so one round does
    /// not flood the LP.
    ///
    /// `row_dual(s_or_t)` gives the balance-row dual of a source or sink. The search is
    /// bounded: a flow column's reduced cost is `cost_per_tkm * km - y_source - ratio *
    /// y_sink`, so only sinks within `(y_source + ratio * max y_sink) / cost_per_tkm` km can
    /// price out, and an R-tree radius query finds exactly those.
    pub fn price(
        &self,
        ds: &Dataset,
        source_dual: &[f64],
        sink_dual: &[f64],
        per_source: usize,
        tolerance: f64,
    ) -> Arcs {
        let existing = ArcSet::new(&self.arcs, self.sources.len());
        let mut best_dual: HashMap<(MaterialIdx, bool), f64> = HashMap::new();
        for (key, tree) in &self.index.trees {
            let best = tree
                .iter()
                .map(|p| sink_dual[p.data as usize])
                .fold(f64::NEG_INFINITY, f64::max);
            best_dual.insert(*key, best);
        }
        let per_source_found: Vec<Vec<(f64, u32, f64, f64)>> = self
            .sources
            .par_iter()
            .enumerate()
            .map(|(s, source)| {
                let mut found = Vec::new();
                if is_idle_supply(ds, source) {
                    return found;
                }
                let q = SourceQuery::new(ds, source);
                let per_tkm = ds.haul_cost_per_tkm(source.material);
                let y_source = source_dual[s];
                let detour = ds.transport.detour_factor;
                for &(served, ratio) in &self.index.substitutes[source.material.get()] {
                    let mut priced: Vec<(f64, u32, f64)> = Vec::new();
                    for is_process in [false, true] {
                        let key = (served, is_process);
                        let Some(tree) = self.index.trees.get(&key) else {
                            continue;
                        };
                        let gain = y_source + ratio * best_dual[&key];
                        if gain <= tolerance {
                            continue;
                        }
                        let radius_km = if per_tkm > 0.0 {
                            q.max_km.map_or(gain / per_tkm, |m| m.min(gain / per_tkm))
                        } else {
                            q.max_km.unwrap_or(f64::INFINITY)
                        };
                        let chord2 = chord2_for_km(radius_km / ds.transport.detour_factor);
                        let mut consider = |point: &IndexedPoint| {
                            let sink_idx = point.data;
                            let gain = y_source + ratio * sink_dual[sink_idx as usize];
                            if gain <= tolerance {
                                return;
                            }
                            // One asin from the chord instead of a full haversine screens out
                            // most pairs; survivors get the exact distance.
                            let estimate = chord_km(point.geom(), &q.point) * detour;
                            if per_tkm * estimate - gain >= 0.0 {
                                return;
                            }
                            let sink = &self.sinks[sink_idx as usize];
                            if is_self_loop(source, sink) || existing.contains(s as u32, sink_idx) {
                                return;
                            }
                            let Some(km) = q.km_to(ds, sink) else { return };
                            let reduced = per_tkm * km - gain;
                            if reduced < -tolerance {
                                priced.push((reduced, sink_idx, km));
                            }
                        };
                        match chord2 {
                            Some(c2) => tree
                                .locate_within_distance(q.point, c2)
                                .for_each(&mut consider),
                            None => tree.iter().for_each(&mut consider),
                        }
                    }
                    priced.sort_by(|a, b| a.0.total_cmp(&b.0));
                    found.extend(
                        priced
                            .iter()
                            .take(per_source * WIDE_PRICING)
                            .map(|&(reduced, sink, km)| (reduced, sink, km, ratio)),
                    );
                }
                found
            })
            .collect();
        // Each source's best few, plus each sink's single best offer: a sink short of supply
        // gets an outlet in the same round instead of waiting for its sources' turn.
        let mut best_for_sink: HashMap<u32, (f64, usize, usize)> = HashMap::new();
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
        for (s, found) in per_source_found.iter().enumerate() {
            let mut order: Vec<usize> = (0..found.len()).collect();
            order.sort_by(|&a, &b| found[a].0.total_cmp(&found[b].0));
            for (rank, &i) in order.iter().enumerate() {
                if rank < per_source || chosen.remove(&(s, i)) {
                    let (_, sink, km, ratio) = found[i];
                    arcs.push(s as u32, sink, km, ratio);
                }
            }
        }
        arcs
    }

    /// Adds arcs found by pricing.
    pub fn extend(&mut self, arcs: Arcs) {
        self.arcs.append(arcs);
    }
}

/// A process feeding its own inputs adds nothing its yields do not already net out.
fn is_self_loop(source: &Node<SourceKind>, sink: &Node<SinkKind>) -> bool {
    matches!(
        (source.kind, sink.kind),
        (SourceKind::ProcessOutput { process: a, .. }, SinkKind::ProcessInput { process: b, .. }) if a == b
    )
}
