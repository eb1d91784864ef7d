//! The material flow network: sources (supplies and process outputs), sinks (demands and
//! process inputs) and the candidate arcs between them, found by spatial pruning
//! ([`candidates`]); the nodes and their kinds are [`nodes`]'s. Pricing (in the solve
//! layer) later adds the left-out pairs that an optimal solution's duals say would pay, so
//! pruning loses nothing.

pub(crate) mod arcs;
pub(crate) mod candidates;
mod nodes;
pub(crate) mod spatial;

pub use arcs::{ArcIdx, Arcs};
pub use nodes::{CandidateOptions, DEFAULT_K, Node, SinkIdx, SinkKind, SourceIdx, SourceKind};

use crate::model::domain::Dataset;
use candidates::SinkIndex;

/// Sources, sinks and candidate arcs of a dataset.
#[derive(Clone, Debug)]
pub struct Network {
    /// Supplies first (source `i` is supply `i`), then process outputs in process order.
    pub sources: Vec<Node<SourceKind>>,
    /// Demands first (sink `i` is demand `i`), then process inputs in process order.
    pub sinks: Vec<Node<SinkKind>>,
    /// The candidate arcs.
    pub arcs: Arcs,
    pub(crate) index: SinkIndex,
    /// Sources in Z order of their sites: the candidate search and every pricing pass visit
    /// them in this order (see [`Self::spatial_order`]).
    pub(crate) source_order: Vec<u32>,
    /// Sinks in Z order of their sites, the order of the sink side of a pricing pass.
    pub(crate) sink_order: Vec<u32>,
}

impl Network {
    /// Builds the nodes and the candidate arcs.
    pub fn build(ds: &Dataset, options: CandidateOptions) -> Self {
        let (sources, sinks) = nodes::nodes(ds);
        let index = SinkIndex::new(ds, &sinks);
        let source_order = candidates::spatial_order(ds, sources.iter().map(|n| n.site));
        let sink_order = candidates::spatial_order(ds, sinks.iter().map(|n| n.site));
        let mut arcs =
            candidates::candidate_arcs(ds, &index, &sources, &sinks, &source_order, options);
        if !options.exact {
            let reverse = candidates::reverse_arcs(ds, &sources, &sinks, &arcs, options.k);
            arcs.append(reverse);
        }
        Network {
            sources,
            sinks,
            arcs,
            index,
            source_order,
            sink_order,
        }
    }

    /// The network of `ds`, a revision of the dataset this one was built for that appended
    /// supplies and demands (a what-if session's added streams): every arc this one has,
    /// pricing's included, renumbered past the new nodes, and the candidate arcs of the new
    /// streams (the new supplies' nearest sinks, the new demands' nearest supplies). Arcs
    /// from old nodes to new ones beyond those are left to pricing, which searches every
    /// pair in range; so this is for priced solves only.
    pub(crate) fn extended(&self, ds: &Dataset, options: CandidateOptions) -> Self {
        let (sources, sinks) = nodes::nodes(ds);
        let old_supplies = self.supplies();
        let old_demands = self.demands();
        let added_supplies = (ds.supplies.len() - old_supplies) as u32;
        let added_demands = (ds.demands.len() - old_demands) as u32;
        let mut arcs = Arcs::default();
        for a in self.arcs.indices() {
            let (s, t) = (self.arcs.source(a).0, self.arcs.sink(a).0);
            let s = if (s as usize) < old_supplies {
                s
            } else {
                s + added_supplies
            };
            let t = if (t as usize) < old_demands {
                t
            } else {
                t + added_demands
            };
            arcs.push(
                SourceIdx(s),
                SinkIdx(t),
                self.arcs.km(a),
                self.arcs.ratio(a),
            );
        }
        let index = SinkIndex::new(ds, &sinks);
        let source_order = candidates::spatial_order(ds, sources.iter().map(|n| n.site));
        let sink_order = candidates::spatial_order(ds, sinks.iter().map(|n| n.site));
        let new_sources: Vec<u32> =
            (old_supplies as u32..old_supplies as u32 + added_supplies).collect();
        let new_sinks: Vec<u32> =
            (old_demands as u32..old_demands as u32 + added_demands).collect();
        let forward =
            candidates::candidate_arcs(ds, &index, &sources, &sinks, &new_sources, options);
        // The new demands' nearest supplies too, as a first build gives every demand.
        let reverse =
            candidates::reverse_arcs_of(ds, &sources, &sinks, &forward, options.k, &new_sinks);
        arcs.append(forward);
        arcs.append(reverse);
        Network {
            sources,
            sinks,
            arcs,
            index,
            source_order,
            sink_order,
        }
    }

    /// Sources that are supplies (they come first).
    fn supplies(&self) -> usize {
        self.sources
            .iter()
            .take_while(|n| matches!(n.kind, SourceKind::Supply(_)))
            .count()
    }

    /// Sinks that are demands (they come first).
    fn demands(&self) -> usize {
        self.sinks
            .iter()
            .take_while(|n| matches!(n.kind, SinkKind::Demand(_)))
            .count()
    }

    /// Source `s`.
    pub fn source(&self, s: SourceIdx) -> &Node<SourceKind> {
        &self.sources[s.get()]
    }

    /// Sink `t`.
    pub fn sink(&self, t: SinkIdx) -> &Node<SinkKind> {
        &self.sinks[t.get()]
    }

    /// Sources, then sinks (numbered `sources.len()..`), in Z order of their sites
    /// ([`spatial::z_order`]): work that visits nodes in this order touches nearby ones
    /// together, so it stays in the cache.
    pub fn spatial_order(&self, ds: &Dataset) -> Vec<u32> {
        let sites = self.sources.iter().map(|n| n.site);
        candidates::spatial_order(ds, sites.chain(self.sinks.iter().map(|n| n.site)))
    }

    /// Adds arcs found by pricing.
    pub fn extend(&mut self, arcs: Arcs) {
        self.arcs.append(arcs);
    }
}
