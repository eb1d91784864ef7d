//! The nodes of the network and how its arcs are chosen: a source is a supply or a process
//! output, a sink a demand or a process input, each a material at a site, numbered
//! supplies (demands) first so a stream's index is its node's.

use crate::model::domain::{Dataset, Stream};
use crate::model::ids::{DemandIdx, MaterialIdx, ProcessIdx, SiteIdx, SupplyIdx, index};

index!(
    /// Position of a source in [`super::Network::sources`]: supplies first, then process outputs.
    SourceIdx
);
index!(
    /// Position of a sink in [`super::Network::sinks`]: demands first, then process inputs.
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

/// The sources and sinks of `ds`: supplies then process outputs, demands then process
/// inputs.
pub(super) fn nodes(ds: &Dataset) -> (Vec<Node<SourceKind>>, Vec<Node<SinkKind>>) {
    let mut sources = stream_nodes(&ds.supplies, |i| SourceKind::Supply(SupplyIdx::new(i)));
    let mut sinks = stream_nodes(&ds.demands, |i| SinkKind::Demand(DemandIdx::new(i)));
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

/// One node per stream, in stream order, of the kind `kind` gives its index.
fn stream_nodes<K>(streams: &[Stream], kind: impl Fn(usize) -> K) -> Vec<Node<K>> {
    streams
        .iter()
        .enumerate()
        .map(|(i, s)| Node {
            kind: kind(i),
            site: s.site,
            material: s.material,
        })
        .collect()
}
