//! The "how firm" table (with cost ranging): the plan's largest flows with how much dearer
//! per tonne each haul could get before the optimum moves tonnes off it. A small margin is a
//! flow a planner should watch (a toll, a fuel price or a detour may undo it); a large one
//! holds under most changes. Sortable like the "why not" table.

use super::svg::{attr, text};
use crate::format::grouped;
use optimizer::SolveResult;
use optimizer::report::Flow;
use std::fmt::Write;

/// Rows shown at most: the largest flows first.
pub const MARGIN_ROWS: usize = 500;

/// The section, or nothing when the flows were not ranged.
pub fn margins(result: &SolveResult) -> String {
    let mut rows: Vec<&Flow> = result
        .flows
        .iter()
        .filter(|f| f.cost_margin_exact.is_some())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    rows.sort_by(|a, b| b.tonnes_sent.total_cmp(&a.tonnes_sent));
    let cur = text(&result.currency);
    let mut out = format!(
        "<section id=\"margins\"><h2>How firm each flow is</h2><p class=\"muted\">How much \
         dearer per tonne each flow's haul could get before the optimum moves tonnes off it \
         (its cost margin): another partner, disposal or import takes over beyond it. A \
         margin marked \u{2264} is an upper bound (processes take part); \"-\": no other way \
         was found without changing a process's activity. Click a column to sort.{}</p>\
         <table id=\"margins-table\" class=\"sortable\"><thead><tr><th data-sort>From</th>\
         <th data-sort>To</th><th data-sort>Material</th><th data-sort>t/yr</th>\
         <th data-sort>Haul {cur}/t</th><th data-sort>Margin {cur}/t</th></tr></thead><tbody>",
        if rows.len() > MARGIN_ROWS {
            format!(
                " The {MARGIN_ROWS} largest of {} flows are shown; result.json lists them all.",
                rows.len()
            )
        } else {
            String::new()
        }
    );
    for f in rows.iter().take(MARGIN_ROWS) {
        let margin = match (f.cost_margin, f.cost_margin_exact) {
            (Some(m), Some(true)) => grouped(m, 2),
            (Some(m), _) => format!("\u{2264} {}", grouped(m, 2)),
            (None, _) => "-".to_owned(),
        };
        let haul = if f.tonnes_sent > 0.0 {
            f.cost / f.tonnes_sent
        } else {
            0.0
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td>\
             <td class=\"n\" data-v=\"{haul}\">{}</td><td class=\"n\" data-v=\"{}\">{margin}</td>\
             </tr>",
            text(&f.from_name),
            text(&f.to_name),
            text(f.material_sent.as_str()),
            f.tonnes_sent,
            grouped(f.tonnes_sent, 1),
            grouped(haul, 2),
            attr(&f.cost_margin.map_or(String::new(), |m| m.to_string())),
        );
    }
    out.push_str("</tbody></table></section>");
    out
}
