//! The "why not" table: every stream the plan leaves unserved, why, its best counterpart
//! in range and how far its own price would have to rise before one more tonne of it is
//! served locally. Sortable by any column (`report.js` sorts a table whose header cells
//! carry `data-sort`, by each cell's `data-v`).

use super::svg::{attr, text};
use crate::format::grouped;
use optimizer::Dataset;
use optimizer::SolveResult;
use optimizer::report::{UnmatchedReason, Unserved, UnservedKind};
use std::collections::HashMap;
use std::fmt::Write;

/// Rows shown at most: the largest unserved tonnages first.
pub const WHY_NOT_ROWS: usize = 500;

/// The section, or nothing when every stream is served.
pub fn why_not(ds: &Dataset, result: &SolveResult) -> String {
    if result.unserved.is_empty() {
        return String::new();
    }
    let site_name: HashMap<&str, &str> = ds
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let material_name: HashMap<&str, &str> = ds
        .materials
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect();
    let name = |names: &HashMap<&str, &str>, id: &str| -> String {
        text(names.get(id).copied().unwrap_or(id))
    };
    let mut rows: Vec<&Unserved> = result.unserved.iter().collect();
    rows.sort_by(|a, b| b.tonnes.total_cmp(&a.tonnes));
    let cur = text(&result.currency);
    let mut out = format!(
        "<section id=\"why-not\"><h2>Why not served locally</h2><p class=\"muted\">Every \
         demand still imported and supply still disposed of: why, the best counterpart in \
         range and how far the stream's own price (import price, disposal cost) would have \
         to rise before one more tonne of it is served locally. \"Full\": the counterparts in \
         range serve others today; \"outbid\": one has tonnes to spare, but importing or \
         disposing was cheaper. A gap marked \u{2264} is an upper bound (processes take part). \
         Click a column to sort.{}</p><table id=\"why-not-table\" class=\"sortable\"><thead>\
         <tr><th data-sort>Kind</th><th data-sort>Site</th><th data-sort>Material</th>\
         <th data-sort>t/yr</th><th data-sort>Reason</th><th data-sort>Price gap {cur}/t</th>\
         <th data-sort>Counterpart</th><th data-sort>km</th></tr></thead><tbody>",
        if rows.len() > WHY_NOT_ROWS {
            format!(
                " The {WHY_NOT_ROWS} largest of {} are shown; result.json lists them all.",
                rows.len()
            )
        } else {
            String::new()
        }
    );
    for u in rows.iter().take(WHY_NOT_ROWS) {
        let reason = match u.reason {
            UnmatchedReason::NoCounterpartInRange => "nothing in range",
            UnmatchedReason::Capacity => "full",
            UnmatchedReason::Outbid => "outbid",
        };
        let gap = match u.price_gap {
            Some(g) if u.price_gap_exact => grouped(g, 2),
            Some(g) => format!("\u{2264} {}", grouped(g, 2)),
            None => "-".to_owned(),
        };
        let counterpart = u
            .counterpart
            .as_ref()
            .map_or_else(|| "-".to_owned(), |c| name(&site_name, c.as_str()));
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td>\
             <td>{reason}</td><td class=\"n\" data-v=\"{}\">{gap}</td><td>{counterpart}</td>\
             <td class=\"n\" data-v=\"{}\">{}</td></tr>",
            match u.kind {
                UnservedKind::Supply => "supply",
                UnservedKind::Demand => "demand",
            },
            name(&site_name, u.site.as_str()),
            name(&material_name, u.material.as_str()),
            u.tonnes,
            grouped(u.tonnes, 1),
            attr(&u.price_gap.map_or("".to_owned(), |g| g.to_string())),
            attr(&u.km.map_or("".to_owned(), |k| k.to_string())),
            u.km.map_or_else(|| "-".to_owned(), |k| grouped(k, 1)),
        );
    }
    out.push_str("</tbody></table></section>");
    out
}
