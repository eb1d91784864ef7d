//! The page's charts as SVG: the Sankey diagram drawn from its layout, and the cost and
//! emission parts of the plan beside the baseline's as paired bars.

use super::sankey::{Graph, Layout, NodeKind};
use super::svg::{Svg, attr, num, text};
use crate::format::grouped;
use optimizer::report::CostParts;
use optimizer::shorten;

const SANKEY_WIDTH: f64 = 1000.0;
const LABEL_ROOM: f64 = 215.0;

/// The Sankey diagram of `g` laid out as `l` (made for `SANKEY_WIDTH - 2 * LABEL_ROOM`).
pub fn sankey(g: &Graph, l: &Layout, height: f64) -> String {
    let mut svg = Svg::new("sankey", SANKEY_WIDTH, height + 20.0);
    let x0 = LABEL_ROOM;
    svg.open_group("links");
    for (k, p) in g.links.iter().zip(&l.links) {
        let (a, b) = (&l.nodes[k.from], &l.nodes[k.to]);
        let (xa, xb) = (x0 + a.x + l.node_width, x0 + b.x);
        let mid = (xa + xb) / 2.0;
        let d = format!(
            "M{},{}C{},{} {},{} {},{}",
            num(xa),
            num(p.y_from + 10.0),
            num(mid),
            num(p.y_from + 10.0),
            num(mid),
            num(p.y_to + 10.0),
            num(xb),
            num(p.y_to + 10.0)
        );
        let tip = format!(
            "{} \u{2192} {}\n{} t/yr",
            g.nodes[k.from].label,
            g.nodes[k.to].label,
            grouped(k.tonnes, 1)
        );
        svg.raw(&format!(
            "<path class=\"link {}\" d=\"{d}\" stroke-width=\"{}\" data-tip=\"{}\"/>",
            kind_class(g.nodes[k.from].kind),
            num(p.width.max(0.5)),
            attr(&tip)
        ));
    }
    svg.close_group();
    svg.open_group("nodes");
    let last = l.nodes.iter().map(|b| b.column).max().unwrap_or(0);
    for (node, b) in g.nodes.iter().zip(&l.nodes) {
        let x = x0 + b.x;
        let tip = if node.detail.is_empty() {
            format!("{}\n{} t/yr", node.label, grouped(b.tonnes, 1))
        } else {
            format!(
                "{}\n{}\n{} t/yr",
                node.label,
                node.detail,
                grouped(b.tonnes, 1)
            )
        };
        svg.raw(&format!(
            "<rect class=\"node {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" data-tip=\"{}\"/>",
            kind_class(node.kind),
            num(x),
            num(b.y + 10.0),
            num(l.node_width),
            num(b.height.max(1.0)),
            attr(&tip)
        ));
        // Labels outside the diagram: left of the first column, right of the others.
        let (lx, anchor) = if b.column == 0 {
            (x - 6.0, "end")
        } else if b.column == last {
            (x + l.node_width + 6.0, "start")
        } else {
            (x + l.node_width + 4.0, "start")
        };
        // Name over tonnes, so a label fits beside the diagram.
        let y = b.y + 10.0 + b.height / 2.0;
        svg.raw(&format!(
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\">{}<tspan class=\"muted\" x=\"{x}\" dy=\"14\">{} t/yr</tspan></text>",
            num(y - 3.0),
            text(&shorten(&node.label, 27)),
            grouped(b.tonnes, 0),
            x = num(lx),
        ));
    }
    svg.close_group();
    svg.finish()
}

/// The width the Sankey layout should use.
pub fn sankey_inner_width() -> f64 {
    SANKEY_WIDTH - 2.0 * LABEL_ROOM
}

fn kind_class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Supply => "supply",
        NodeKind::Import => "import",
        NodeKind::Gain => "gain",
        NodeKind::DirectReuse => "reuse",
        NodeKind::Process => "process",
        NodeKind::Demand => "demand",
        NodeKind::Disposal => "disposal",
        NodeKind::Loss => "loss",
    }
}

/// Paired horizontal bars: each part of the baseline and of the plan, in `unit`.
pub fn parts_bars(id: &str, rows: &[(&str, f64, f64)], unit: &str) -> String {
    let (label_w, bar_w, row_h) = (150.0, 600.0, 34.0);
    let height = rows.len() as f64 * row_h + 30.0;
    let largest = rows
        .iter()
        .flat_map(|&(_, b, p)| [b.abs(), p.abs()])
        .fold(0.0, f64::max)
        .max(1e-9);
    // Negative parts (revenue from sold scrap) extend left of a zero line.
    let most_negative = rows
        .iter()
        .flat_map(|&(_, b, p)| [b, p])
        .fold(0.0, f64::min);
    let scale = bar_w / (largest + most_negative.abs());
    let zero = label_w + most_negative.abs() * scale;
    let mut svg = Svg::new(id, label_w + bar_w + 200.0, height);
    for (i, &(label, base, plan)) in rows.iter().enumerate() {
        let y = 10.0 + i as f64 * row_h;
        svg.raw(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            num(label_w - 8.0),
            num(y + 17.0),
            text(label)
        ));
        for (j, (value, class, which)) in [(base, "baseline", "baseline"), (plan, "plan", "plan")]
            .into_iter()
            .enumerate()
        {
            let w = value.abs() * scale;
            let x = if value < 0.0 { zero - w } else { zero };
            let by = y + j as f64 * 13.0;
            let tip = format!("{label}, {which}: {} {unit}", grouped(value, 0));
            svg.raw(&format!(
                "<rect class=\"bar {class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" data-tip=\"{}\"/>",
                num(x),
                num(by),
                num(w.max(0.5)),
                attr(&tip)
            ));
            svg.raw(&format!(
                "<text class=\"muted\" x=\"{}\" y=\"{}\">{}</text>",
                num(zero.max(x + w) + 4.0),
                num(by + 10.0),
                grouped(value, 0)
            ));
        }
    }
    svg.raw(&format!(
        "<line class=\"axis\" x1=\"{z}\" y1=\"4\" x2=\"{z}\" y2=\"{}\"/>",
        num(height - 16.0),
        z = num(zero)
    ));
    svg.finish()
}

/// The money parts of a cost split, for [`parts_bars`].
pub fn money_rows(base: &CostParts, plan: &CostParts) -> Vec<(&'static str, f64, f64)> {
    vec![
        ("Transport", base.transport, plan.transport),
        ("Imports", base.import, plan.import),
        ("Disposal", base.disposal, plan.disposal),
        ("Processes", base.process, plan.process),
        ("New capacity and openings", base.capex, plan.capex),
        ("CO2 priced", base.co2, plan.co2),
    ]
}

/// The emission parts of a cost split in t CO2e, for [`parts_bars`].
pub fn emission_rows(base: &CostParts, plan: &CostParts) -> Vec<(&'static str, f64, f64)> {
    let (b, p) = (&base.emissions_kg, &plan.emissions_kg);
    vec![
        ("Transport", b.transport / 1e3, p.transport / 1e3),
        ("Imports", b.import / 1e3, p.import / 1e3),
        ("Disposal", b.disposal / 1e3, p.disposal / 1e3),
        ("Processes", b.process / 1e3, p.process / 1e3),
    ]
}
