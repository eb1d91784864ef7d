//! The plan as a Sankey diagram: supplied materials and imports on the left, direct reuse
//! and the processes (grouped by what they turn into what) in the middle, served demands,
//! disposal and process losses on the right. Every link is in tonnes *sent*, so each middle
//! node's inflow equals its outflow (a process's mass lost in conversion goes to
//! "Process losses", a gain comes from "Process gains").
//! [`layout`] places it (the usual layout, as d3-sankey does it).

use optimizer::Dataset;
use optimizer::SolveResult;
use optimizer::report::FLOW_EPSILON_T;
use optimizer::{MaterialIdx, ProcessIdx};
use std::collections::{BTreeMap, HashMap};

mod layout;
pub use layout::{Layout, LinkPath, NodeBox, layout};

/// What a node stands for; also its colour class in the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A supplied material.
    Supply,
    /// Imports.
    Import,
    /// Mass a process makes beyond its inputs' (the dataset's yields can exceed 1).
    Gain,
    /// Supplies straight to demands.
    DirectReuse,
    /// A group of processes.
    Process,
    /// A demanded material, served locally or imported.
    Demand,
    /// Disposal of supplies and process outputs.
    Disposal,
    /// Mass a process does not turn into modelled outputs.
    Loss,
}

/// A node of the diagram.
#[derive(Clone, Debug)]
pub struct Node {
    /// Its label.
    pub label: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// A longer description for its tooltip (a process group's inputs, outputs and route).
    pub detail: String,
}

/// Tonnes from one node to another.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// Source node.
    pub from: usize,
    /// Target node.
    pub to: usize,
    /// Tonnes per year.
    pub tonnes: f64,
}

/// The diagram's graph.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Nodes, in creation order.
    pub nodes: Vec<Node>,
    /// Links, merged per node pair.
    pub links: Vec<Link>,
}

/// Builds the graph, merging links between the same nodes.
#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    index: HashMap<(NodeKind, String), usize>,
    links: BTreeMap<(usize, usize), f64>,
}

impl Builder {
    fn node(&mut self, kind: NodeKind, label: &str) -> usize {
        let key = (kind, label.to_owned());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.nodes.push(Node {
            label: label.to_owned(),
            kind,
            detail: String::new(),
        });
        self.index.insert(key, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn link(&mut self, from: usize, to: usize, tonnes: f64) {
        // A process group feeding itself (a sorter to a recycler of the same kind) adds the
        // same to its inflow and outflow: left out, the balance still holds.
        if from != to && tonnes > FLOW_EPSILON_T {
            *self.links.entry((from, to)).or_default() += tonnes;
        }
    }

    fn finish(mut self) -> Graph {
        // Balance every middle node: what a process group loses or gains in conversion.
        let mut net = vec![0.0; self.nodes.len()];
        for (&(from, to), &t) in &self.links {
            net[from] -= t;
            net[to] += t;
        }
        for (i, &balance) in net.iter().enumerate() {
            if self.nodes[i].kind != NodeKind::Process {
                continue;
            }
            if balance > FLOW_EPSILON_T {
                let loss = self.node(NodeKind::Loss, "Process losses");
                self.link(i, loss, balance);
            } else if balance < -FLOW_EPSILON_T {
                let gain = self.node(NodeKind::Gain, "Process gains");
                self.link(gain, i, -balance);
            }
        }
        Graph {
            nodes: self.nodes,
            links: self
                .links
                .into_iter()
                .map(|((from, to), tonnes)| Link { from, to, tonnes })
                .collect(),
        }
    }
}

/// What groups processes in the diagram: what they take in and give out, and their route.
pub fn process_group(ds: &Dataset, p: ProcessIdx) -> String {
    let process = ds.process(p);
    let names = |list: &[(MaterialIdx, f64)]| {
        list.iter()
            .map(|&(m, _)| ds.material(m).name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{} \u{2192} {} ({})",
        names(&process.inputs),
        names(&process.outputs),
        process.route.label()
    )
}

/// The plan's graph.
pub fn graph(ds: &Dataset, result: &SolveResult) -> Graph {
    // Each process's group, once: flows name processes by id, many flows per process.
    let group_of: HashMap<&str, String> = ds
        .processes
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), process_group(ds, ProcessIdx::new(i))))
        .collect();
    let material_name: HashMap<&str, &str> = ds
        .materials
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect();
    let name = |id: &str| material_name.get(id).copied().unwrap_or(id).to_owned();
    let mut b = Builder::default();
    let group = |b: &mut Builder, id: &str| {
        b.node(
            NodeKind::Process,
            group_of.get(id).map_or(id, String::as_str),
        )
    };
    for f in &result.flows {
        let from = match &f.from_process {
            Some(p) => group(&mut b, p.as_str()),
            None => b.node(NodeKind::Supply, &name(f.material_sent.as_str())),
        };
        match &f.to_process {
            Some(p) => {
                let to = group(&mut b, p.as_str());
                b.link(from, to, f.tonnes_sent);
            }
            None => {
                let demand = b.node(NodeKind::Demand, &name(f.material_served.as_str()));
                if f.from_process.is_none() {
                    let reuse = b.node(NodeKind::DirectReuse, "Direct reuse");
                    b.link(from, reuse, f.tonnes_sent);
                    b.link(reuse, demand, f.tonnes_sent);
                } else {
                    b.link(from, demand, f.tonnes_sent);
                }
            }
        }
    }
    for i in &result.imports {
        let import = b.node(NodeKind::Import, "Import");
        let demand = b.node(NodeKind::Demand, &name(i.material.as_str()));
        b.link(import, demand, i.imported_t);
    }
    for d in &result.disposals {
        let from = match &d.process {
            Some(p) => group(&mut b, p.as_str()),
            None => b.node(NodeKind::Supply, &name(d.material.as_str())),
        };
        let disposal = b.node(NodeKind::Disposal, "Disposal");
        b.link(from, disposal, d.disposed_t);
    }
    let mut graph = b.finish();
    name_process_groups(ds, &group_of, &mut graph);
    graph
}

/// Labels each process group by what its processes' names share ("Hazardous waste
/// treatment" from "Hazardous waste treatment (Plant A)", ...) and its route, keeping the
/// inputs and outputs as the detail; a group whose names share too little keeps its
/// inputs and outputs as its label.
fn name_process_groups(ds: &Dataset, group_of: &HashMap<&str, String>, graph: &mut Graph) {
    // Per group: its processes' names and its route (part of the group, so one per group).
    let mut names: HashMap<&str, (Vec<&str>, String)> = HashMap::new();
    for p in &ds.processes {
        let entry = names
            .entry(group_of[p.id.as_str()].as_str())
            .or_insert_with(|| (Vec::new(), p.route.label()));
        entry.0.push(p.name.as_str());
    }
    for node in graph
        .nodes
        .iter_mut()
        .filter(|n| n.kind == NodeKind::Process)
    {
        let Some((list, route)) = names.get(node.label.as_str()) else {
            continue;
        };
        let shared = shared_words(list);
        node.detail = node.label.clone();
        if shared.len() >= 6 {
            node.label = format!("{shared} ({route})");
        }
    }
}

/// The whole words every name starts with ("Waste treatment" of "Waste treatment (A)" and
/// "Waste treatment (B)"); the name itself for a single name.
fn shared_words(names: &[&str]) -> String {
    let Some((first, rest)) = names.split_first() else {
        return String::new();
    };
    let mut end = first.len();
    for name in rest {
        end = first
            .char_indices()
            .zip(name.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(name.len()), |((i, _), _)| i.min(end));
    }
    let prefix = &first[..end];
    if end == first.len() && rest.iter().all(|n| n.len() == end) {
        return prefix.trim().to_owned();
    }
    // Cut back to a word boundary, before any bracket (what differs is usually inside).
    let prefix = prefix.split('(').next().unwrap_or_default();
    let cut = prefix.rfind(' ').map_or("", |i| &prefix[..i]);
    cut.trim_end_matches([' ', '(', '-', ',']).to_owned()
}

/// A graph of `nodes` and `links` (by node position), balanced as [`graph`] balances it.
#[cfg(test)]
pub(super) fn graph_of(nodes: &[(NodeKind, &str)], links: &[(usize, usize, f64)]) -> Graph {
    let mut b = Builder::default();
    for &(kind, label) in nodes {
        b.node(kind, label);
    }
    for &(from, to, t) in links {
        b.link(from, to, t);
    }
    b.finish()
}

#[cfg(test)]
/// Waste (100 t) into a recycler with yield 0.8 that serves a demand (80 t), 20 t
/// of which are imported; 30 t of waste disposed of.
pub(super) fn recycler() -> Graph {
    use NodeKind::*;
    graph_of(
        &[
            (Supply, "waste"),
            (Process, "recycler"),
            (Demand, "product"),
            (Import, "Import"),
            (Disposal, "Disposal"),
        ],
        &[(0, 1, 100.0), (1, 2, 80.0), (3, 2, 20.0), (0, 4, 30.0)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(g: &Graph) -> Vec<f64> {
        let mut net = vec![0.0; g.nodes.len()];
        for l in &g.links {
            net[l.from] -= l.tonnes;
            net[l.to] += l.tonnes;
        }
        net
    }

    #[test]
    fn a_process_node_balances_through_its_losses() {
        let g = recycler();
        let loss = g
            .nodes
            .iter()
            .position(|n| n.kind == NodeKind::Loss)
            .unwrap();
        let to_loss: f64 = g
            .links
            .iter()
            .filter(|l| l.to == loss)
            .map(|l| l.tonnes)
            .sum();
        assert!((to_loss - 20.0).abs() < 1e-9);
        let net = balance(&g);
        let recycler = 1;
        assert!(
            net[recycler].abs() < 1e-9,
            "recycler in - out = {}",
            net[recycler]
        );
    }

    #[test]
    fn a_yield_above_one_is_balanced_by_a_gain() {
        use NodeKind::*;
        let g = graph_of(
            &[(Supply, "a"), (Process, "p"), (Demand, "b")],
            &[(0, 1, 10.0), (1, 2, 12.0)],
        );
        let gain = g.nodes.iter().position(|n| n.kind == Gain).unwrap();
        assert!(
            g.links
                .iter()
                .any(|l| l.from == gain && (l.tonnes - 2.0).abs() < 1e-9)
        );
        assert!(balance(&g)[1].abs() < 1e-9);
    }

    #[test]
    fn a_self_link_is_left_out_and_the_balance_holds() {
        use NodeKind::*;
        let g = graph_of(
            &[(Supply, "a"), (Process, "p"), (Demand, "b")],
            &[(0, 1, 10.0), (1, 1, 5.0), (1, 2, 10.0)],
        );
        assert!(g.links.iter().all(|l| l.from != l.to));
        assert!(g.nodes.iter().all(|n| n.kind != Loss && n.kind != Gain));
    }

    #[test]
    fn groups_are_named_by_the_words_their_processes_share() {
        assert_eq!(
            shared_words(&["Waste treatment (Plant A)", "Waste treatment (Plant B)"]),
            "Waste treatment"
        );
        assert_eq!(shared_words(&["Sorting line"]), "Sorting line");
        assert_eq!(shared_words(&["Recycler 1", "Recycler 12"]), "Recycler");
        assert_eq!(shared_words(&["abc", "xyz"]), "");
    }
}
