//! The plan as a Sankey diagram: supplied materials and imports on the left, direct reuse
//! and the processes (grouped by what they turn into what) in the middle, served demands,
//! disposal and process losses on the right. Every link is in tonnes *sent*, so each middle
//! node's inflow equals its outflow (a process's mass lost in conversion goes to
//! "Process losses", a gain comes from "Process gains").
//!
//! The layout is the usual one (Kennedy and Sankey's diagrams as d3-sankey lays them out):
//! columns by longest path from the sources, sinks pushed to the last column, nodes
//! stacked in each column at one tonnes-per-pixel scale, links ordered at both ends to
//! avoid crossing inside a node.

use crate::model::domain::Dataset;
use crate::model::ids::{MaterialIdx, ProcessIdx};
use crate::report::{FLOW_EPSILON_T, SolveResult};
use std::collections::{BTreeMap, HashMap};

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
    let process_of: HashMap<&str, ProcessIdx> = ds
        .processes
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), ProcessIdx::new(i)))
        .collect();
    let material_name: HashMap<&str, &str> = ds
        .materials
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect();
    let name = |id: &str| material_name.get(id).copied().unwrap_or(id).to_owned();
    let mut b = Builder::default();
    let group = |b: &mut Builder, id: &str| {
        let label = process_of
            .get(id)
            .map_or_else(|| id.to_owned(), |&p| process_group(ds, p));
        b.node(NodeKind::Process, &label)
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
    name_process_groups(ds, &mut graph);
    graph
}

/// Labels each process group by what its processes' names share ("Hazardous waste
/// treatment" from "Hazardous waste treatment (Plant A)", ...) and its route, keeping the
/// inputs and outputs as the detail; a group whose names share too little keeps its
/// inputs and outputs as its label.
fn name_process_groups(ds: &Dataset, graph: &mut Graph) {
    let mut names: HashMap<String, Vec<&str>> = HashMap::new();
    for (i, p) in ds.processes.iter().enumerate() {
        names
            .entry(process_group(ds, ProcessIdx::new(i)))
            .or_default()
            .push(p.name.as_str());
    }
    let route_of: HashMap<String, String> = ds
        .processes
        .iter()
        .enumerate()
        .map(|(i, p)| (process_group(ds, ProcessIdx::new(i)), p.route.label()))
        .collect();
    for node in graph
        .nodes
        .iter_mut()
        .filter(|n| n.kind == NodeKind::Process)
    {
        let Some(list) = names.get(&node.label) else {
            continue;
        };
        let shared = shared_words(list);
        node.detail = node.label.clone();
        if shared.len() >= 6 {
            node.label = format!("{shared} ({})", route_of[&node.detail]);
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

/// Where a node sits, in pixels.
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeBox {
    /// Column.
    pub column: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Height: tonnes times the scale.
    pub height: f64,
    /// Tonnes through it: the larger of inflow and outflow.
    pub tonnes: f64,
}

/// Where a link leaves and enters, in pixels (its centre line) and how wide it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkPath {
    /// Centre of the link at its source node.
    pub y_from: f64,
    /// Centre of the link at its target node.
    pub y_to: f64,
    /// Width: tonnes times the scale.
    pub width: f64,
}

/// The laid-out diagram.
#[derive(Clone, Debug)]
pub struct Layout {
    /// One per node.
    pub nodes: Vec<NodeBox>,
    /// One per link.
    pub links: Vec<LinkPath>,
    /// Pixels per tonne.
    pub scale: f64,
    /// Width of a node bar.
    pub node_width: f64,
}

/// Lays `g` out in a `width` x `height` box with `gap` pixels between stacked nodes.
pub fn layout(g: &Graph, width: f64, height: f64, gap: f64) -> Layout {
    let n = g.nodes.len();
    let node_width = 14.0;
    let mut inflow = vec![0.0; n];
    let mut outflow = vec![0.0; n];
    for l in &g.links {
        outflow[l.from] += l.tonnes;
        inflow[l.to] += l.tonnes;
    }
    let column = columns(g);
    let last = column.iter().copied().max().unwrap_or(0);
    let mut by_column: Vec<Vec<usize>> = vec![Vec::new(); last + 1];
    for (i, &c) in column.iter().enumerate() {
        by_column[c].push(i);
    }
    let tonnes: Vec<f64> = (0..n).map(|i| f64::max(inflow[i], outflow[i])).collect();
    // One scale for all columns: the fullest column fills the height.
    let scale = by_column
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| {
            let sum: f64 = c.iter().map(|&i| tonnes[i]).sum();
            let room = height - gap * (c.len() as f64 - 1.0);
            if sum > 0.0 {
                room.max(1.0) / sum
            } else {
                f64::INFINITY
            }
        })
        .fold(f64::INFINITY, f64::min);
    let scale = if scale.is_finite() { scale } else { 0.0 };
    // Order each column by the mean position of its nodes' sources (one sweep left to
    // right), largest first among the sources, to keep links from crossing.
    let mut nodes = vec![NodeBox::default(); n];
    let step = if last == 0 {
        0.0
    } else {
        (width - node_width) / last as f64
    };
    for (c, members) in by_column.iter_mut().enumerate() {
        let key = |i: usize| -> f64 {
            let (mut sum, mut weight) = (0.0, 0.0);
            for l in g.links.iter().filter(|l| l.to == i && column[l.from] < c) {
                let source = &nodes[l.from];
                sum += (source.y + source.height / 2.0) * l.tonnes;
                weight += l.tonnes;
            }
            if weight > 0.0 {
                sum / weight
            } else {
                -tonnes[i]
            }
        };
        let mut keyed: Vec<(f64, NodeKind, usize)> = members
            .iter()
            .map(|&i| (key(i), g.nodes[i].kind, i))
            .collect();
        keyed.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.total_cmp(&b.0)));
        *members = keyed.into_iter().map(|(_, _, i)| i).collect();
        let mut y = 0.0;
        for &i in members.iter() {
            let h = tonnes[i] * scale;
            nodes[i] = NodeBox {
                column: c,
                x: c as f64 * step,
                y,
                height: h,
                tonnes: tonnes[i],
            };
            y += h + gap;
        }
    }
    // Links leave a node in the order of their targets' heights and enter in the order of
    // their sources', each taking its share of the node's edge.
    let mut links = vec![LinkPath::default(); g.links.len()];
    let centre = |b: &NodeBox| b.y + b.height / 2.0;
    let mut out_order: Vec<usize> = (0..g.links.len()).collect();
    out_order
        .sort_by(|&a, &b| centre(&nodes[g.links[a].to]).total_cmp(&centre(&nodes[g.links[b].to])));
    let mut used_out = vec![0.0; n];
    for &k in &out_order {
        let l = &g.links[k];
        let w = l.tonnes * scale;
        links[k].width = w;
        links[k].y_from = nodes[l.from].y + used_out[l.from] + w / 2.0;
        used_out[l.from] += w;
    }
    let mut in_order: Vec<usize> = (0..g.links.len()).collect();
    in_order.sort_by(|&a, &b| {
        centre(&nodes[g.links[a].from]).total_cmp(&centre(&nodes[g.links[b].from]))
    });
    let mut used_in = vec![0.0; n];
    for &k in &in_order {
        let l = &g.links[k];
        let w = l.tonnes * scale;
        links[k].y_to = nodes[l.to].y + used_in[l.to] + w / 2.0;
        used_in[l.to] += w;
    }
    Layout {
        nodes,
        links,
        scale,
        node_width,
    }
}

/// Each node's column: the longest path from a node without inflow; nodes without
/// outflow go to the last column. A cycle between process groups is cut where the
/// topological sweep cannot continue (its nodes keep the column reached so far).
fn columns(g: &Graph) -> Vec<usize> {
    let n = g.nodes.len();
    let mut indegree = vec![0usize; n];
    let mut has_out = vec![false; n];
    for l in &g.links {
        indegree[l.to] += 1;
        has_out[l.from] = true;
    }
    let mut column = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut done = vec![false; n];
    while let Some(i) = queue.pop() {
        done[i] = true;
        for l in g.links.iter().filter(|l| l.from == i) {
            column[l.to] = column[l.to].max(column[i] + 1);
            indegree[l.to] -= 1;
            if indegree[l.to] == 0 && !done[l.to] {
                queue.push(l.to);
            }
        }
    }
    let last = column.iter().copied().max().unwrap_or(0).max(1);
    for i in 0..n {
        if !has_out[i] {
            column[i] = last;
        }
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(nodes: &[(NodeKind, &str)], links: &[(usize, usize, f64)]) -> Graph {
        let mut b = Builder::default();
        for &(kind, label) in nodes {
            b.node(kind, label);
        }
        for &(from, to, t) in links {
            b.link(from, to, t);
        }
        b.finish()
    }

    fn balance(g: &Graph) -> Vec<f64> {
        let mut net = vec![0.0; g.nodes.len()];
        for l in &g.links {
            net[l.from] -= l.tonnes;
            net[l.to] += l.tonnes;
        }
        net
    }

    /// Waste (100 t) into a recycler with yield 0.8 that serves a demand (80 t), 20 t
    /// of which are imported; 30 t of waste disposed of.
    fn recycler() -> Graph {
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
    fn layout_conserves_flow_and_stacks_without_overlap() {
        let g = recycler();
        let (height, gap) = (400.0, 10.0);
        let l = layout(&g, 800.0, height, gap);
        // Columns: sources at 0, the recycler at 1, sinks at the last.
        assert_eq!(l.nodes[0].column, 0);
        assert_eq!(l.nodes[1].column, 1);
        assert_eq!(l.nodes[2].column, 2);
        assert_eq!(l.nodes[4].column, 2);
        for (i, b) in l.nodes.iter().enumerate() {
            assert!((b.height - b.tonnes * l.scale).abs() < 1e-9);
            assert!(
                b.y >= -1e-9 && b.y + b.height <= height + 1e-6,
                "node {i} outside"
            );
            // Links use exactly the node's edge on each side where they carry all of it.
            let out: f64 = g
                .links
                .iter()
                .zip(&l.links)
                .filter(|(k, _)| k.from == i)
                .map(|(_, p)| p.width)
                .sum();
            let inn: f64 = g
                .links
                .iter()
                .zip(&l.links)
                .filter(|(k, _)| k.to == i)
                .map(|(_, p)| p.width)
                .sum();
            assert!(out <= b.height + 1e-9 && inn <= b.height + 1e-9);
        }
        for c in 0..=2 {
            let mut column: Vec<&NodeBox> = l.nodes.iter().filter(|b| b.column == c).collect();
            column.sort_by(|a, b| a.y.total_cmp(&b.y));
            for pair in column.windows(2) {
                assert!(pair[0].y + pair[0].height + gap <= pair[1].y + 1e-9);
            }
        }
        // Each link starts and ends inside its nodes.
        for (k, p) in g.links.iter().zip(&l.links) {
            let (a, b) = (&l.nodes[k.from], &l.nodes[k.to]);
            assert!(p.y_from - p.width / 2.0 >= a.y - 1e-9);
            assert!(p.y_from + p.width / 2.0 <= a.y + a.height + 1e-9);
            assert!(p.y_to - p.width / 2.0 >= b.y - 1e-9);
            assert!(p.y_to + p.width / 2.0 <= b.y + b.height + 1e-9);
        }
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

    #[test]
    fn an_empty_plan_lays_out_to_nothing() {
        let l = layout(&Graph::default(), 800.0, 400.0, 10.0);
        assert!(l.nodes.is_empty() && l.links.is_empty());
    }
}
