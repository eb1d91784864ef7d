//! The material flow network: sources (supplies and process outputs), sinks (demands and
//! process inputs) and the candidate arcs between them, found by spatial pruning.
//!
//! For each source and each material it can serve (itself, and every substitution from it),
//! the `k` nearest sinks of that material are kept, separately for demands and for process
//! inputs so a cluster of demands never hides a recycler. Only pairs within the sent
//! material's haul limit are kept. `exact` mode keeps every compatible pair in range, so the
//! pruning gap can be measured.
//!
//! Arcs are stored as a struct of arrays with `u32` indices: at a million listings the
//! arc list is the largest thing in memory.

use crate::domain::Dataset;
use crate::ids::{MaterialIdx, SiteIdx};
use crate::spatial::{IndexedPoint, build_index, chord2_for_km, road_km, unit_vector};
use rayon::prelude::*;
use rstar::RTree;
use std::collections::HashMap;

/// How candidate arcs are chosen.
#[derive(Clone, Copy, Debug)]
pub struct CandidateOptions {
    /// Nearest sinks kept per source, per served material and sink kind.
    pub k: usize,
    /// Keep every compatible pair within range instead of the `k` nearest.
    pub exact: bool,
}

impl Default for CandidateOptions {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            exact: false,
        }
    }
}

/// Default `k`; see the README for the pruning gap measured with it.
pub const DEFAULT_K: usize = 8;

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
}

impl Network {
    /// Builds the nodes and the candidate arcs.
    pub fn build(ds: &Dataset, options: CandidateOptions) -> Self {
        let (sources, sinks) = nodes(ds);
        let arcs = candidate_arcs(ds, &sources, &sinks, options);
        Network {
            sources,
            sinks,
            arcs,
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

/// Sink indexes by (material, is a process input).
type SinkIndexes = HashMap<(MaterialIdx, bool), RTree<IndexedPoint>>;

fn sink_indexes(ds: &Dataset, sinks: &[Node<SinkKind>]) -> SinkIndexes {
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
    groups
        .into_iter()
        .map(|(key, members)| {
            let index = build_index(members.iter().map(|&i| {
                let site = ds.site(sinks[i as usize].site);
                (site.lon, site.lat, i)
            }));
            (key, index)
        })
        .collect()
}

fn candidate_arcs(
    ds: &Dataset,
    sources: &[Node<SourceKind>],
    sinks: &[Node<SinkKind>],
    options: CandidateOptions,
) -> Arcs {
    let indexes = sink_indexes(ds, sinks);
    let substitutes: Vec<Vec<(MaterialIdx, f64)>> = (0..ds.materials.len())
        .map(|m| ds.substitutes_of(MaterialIdx(m as u32)))
        .collect();
    let per_source: Vec<Arcs> = sources
        .par_iter()
        .enumerate()
        .map(|(s, source)| {
            let mut arcs = Arcs::default();
            if let SourceKind::Supply(i) = source.kind
                && ds.supplies[i as usize].quantity.0 <= 0.0
            {
                return arcs;
            }
            let site = ds.site(source.site);
            let query = unit_vector(site.lon, site.lat);
            let max_km = ds.max_haul(source.material).map(|k| k.0);
            let chord2 = max_km.and_then(|km| chord2_for_km(km / ds.transport.detour_factor));
            for &(served, ratio) in &substitutes[source.material.get()] {
                for is_process in [false, true] {
                    let Some(index) = indexes.get(&(served, is_process)) else {
                        continue;
                    };
                    let mut taken = 0;
                    for (point, d2) in index.nearest_neighbor_iter_with_distance_2(&query) {
                        if chord2.is_some_and(|c| d2 > c) || (!options.exact && taken >= options.k)
                        {
                            break;
                        }
                        let sink = point.data;
                        if is_self_loop(source, &sinks[sink as usize]) {
                            continue;
                        }
                        let to = ds.site(sinks[sink as usize].site);
                        let km = road_km(
                            site.lon,
                            site.lat,
                            to.lon,
                            to.lat,
                            ds.transport.detour_factor,
                        )
                        .0;
                        if max_km.is_some_and(|m| km > m) {
                            continue;
                        }
                        arcs.push(s as u32, sink, km, ratio);
                        taken += 1;
                    }
                }
            }
            arcs
        })
        .collect();
    let total = per_source.iter().map(Arcs::len).sum();
    let mut arcs = Arcs {
        source: Vec::with_capacity(total),
        sink: Vec::with_capacity(total),
        km: Vec::with_capacity(total),
        ratio: Vec::with_capacity(total),
    };
    for part in per_source {
        arcs.source.extend(part.source);
        arcs.sink.extend(part.sink);
        arcs.km.extend(part.km);
        arcs.ratio.extend(part.ratio);
    }
    arcs
}

/// A process feeding its own inputs adds nothing its yields do not already net out.
fn is_self_loop(source: &Node<SourceKind>, sink: &Node<SinkKind>) -> bool {
    matches!(
        (source.kind, sink.kind),
        (SourceKind::ProcessOutput { process: a, .. }, SinkKind::ProcessInput { process: b, .. }) if a == b
    )
}
