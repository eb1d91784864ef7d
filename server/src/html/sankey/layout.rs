//! Where the Sankey diagram's nodes and links go: columns by longest path from the sources,
//! sinks pushed to the last column, nodes stacked in each column at one tonnes-per-pixel
//! scale, links ordered at both ends to avoid crossing inside a node.

use super::{Graph, NodeKind};

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
    use super::super::{Graph, Link, recycler};
    use super::*;

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
            let width_where = |at: fn(&Link) -> usize| -> f64 {
                g.links
                    .iter()
                    .zip(&l.links)
                    .filter(|(k, _)| at(k) == i)
                    .map(|(_, p)| p.width)
                    .sum()
            };
            let (out, inn) = (width_where(|k| k.from), width_where(|k| k.to));
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
    fn an_empty_plan_lays_out_to_nothing() {
        let l = layout(&Graph::default(), 800.0, 400.0, 10.0);
        assert!(l.nodes.is_empty() && l.links.is_empty());
    }
}
