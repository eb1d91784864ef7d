//! The material flow network: sources (supplies and process outputs), sinks (demands and
//! process inputs) and the candidate arcs between them, found by spatial pruning
//! ([`candidates`]). Pricing (in the solve layer) later adds the left-out pairs that an
//! optimal solution's duals say would pay, so pruning loses nothing.

pub(crate) mod arcs;
pub(crate) mod candidates;
pub(crate) mod spatial;

pub use arcs::{ArcIdx, Arcs};

use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, MaterialIdx, ProcessIdx, SiteIdx, SupplyIdx, index};
use candidates::SinkIndex;

index!(
    /// Position of a source in [`Network::sources`]: supplies first, then process outputs.
    SourceIdx
);
index!(
    /// Position of a sink in [`Network::sinks`]: demands first, then process inputs.
    SinkIdx
);

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

impl CandidateOptions {
    /// The options a client asks for; `k` of 0 means [`DEFAULT_K`], the one default the CLI
    /// and the API share.
    pub fn requested(k: usize, exact: bool, no_pricing: bool) -> Self {
        CandidateOptions {
            k: if k == 0 { DEFAULT_K } else { k },
            exact,
            price: !no_pricing,
        }
    }
}

/// Default `k`; see docs/design.md for the pruning gap measured with it.
pub const DEFAULT_K: usize = 8;

/// What a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A supply.
    Supply(SupplyIdx),
    /// A process and the position of this output among its outputs.
    ProcessOutput {
        /// The process.
        process: ProcessIdx,
        /// Position in the process's outputs.
        output: u32,
    },
}

/// What a sink is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// A demand.
    Demand(DemandIdx),
    /// A process and the position of this input among its inputs.
    ProcessInput {
        /// The process.
        process: ProcessIdx,
        /// Position in the process's inputs.
        input: u32,
    },
}

/// A node of the network: a material at a site.
#[derive(Clone, Copy, Debug)]
pub struct Node<K> {
    /// What the node is.
    pub kind: K,
    /// Where it is.
    pub site: SiteIdx,
    /// The material it sends or takes.
    pub material: MaterialIdx,
}

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
        let (sources, sinks) = nodes(ds);
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

fn nodes(ds: &Dataset) -> (Vec<Node<SourceKind>>, Vec<Node<SinkKind>>) {
    let mut sources: Vec<_> = ds
        .supplies
        .iter()
        .enumerate()
        .map(|(i, s)| Node {
            kind: SourceKind::Supply(SupplyIdx::new(i)),
            site: s.site,
            material: s.material,
        })
        .collect();
    let mut sinks: Vec<_> = ds
        .demands
        .iter()
        .enumerate()
        .map(|(i, d)| Node {
            kind: SinkKind::Demand(DemandIdx::new(i)),
            site: d.site,
            material: d.material,
        })
        .collect();
    for (p, process) in ds.processes.iter().enumerate() {
        let process_idx = ProcessIdx::new(p);
        for (o, &(material, _)) in process.outputs.iter().enumerate() {
            sources.push(Node {
                kind: SourceKind::ProcessOutput {
                    process: process_idx,
                    output: o as u32,
                },
                site: process.site,
                material,
            });
        }
        for (i, &(material, _)) in process.inputs.iter().enumerate() {
            sinks.push(Node {
                kind: SinkKind::ProcessInput {
                    process: process_idx,
                    input: i as u32,
                },
                site: process.site,
                material,
            });
        }
    }
    (sources, sinks)
}
