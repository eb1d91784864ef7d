//! Near-optimal alternatives side by side with the optimum: cost, how much dearer, CO2
//! saved, tonnes diverted from disposal, partners linked and the share of tonnes each
//! sends on the optimum's own pairs.

use super::svg::text;
use crate::format::grouped;
use optimizer::SolveResult;
use optimizer::report::alternatives::partners;
use std::fmt::Write;

/// The section, or nothing without alternatives.
pub fn alternatives(result: &SolveResult) -> String {
    if result.alternatives.is_empty() {
        return String::new();
    }
    let cur = text(&result.currency);
    let mut out = format!(
        "<section id=\"alternatives\"><h2>Near-optimal alternatives</h2><p class=\"muted\">\
         Plans within the asked share of the optimum's cost that differ from it, and from \
         each other, as much as they can (each minimises the tonnes on the pairs the plans \
         before it used, its cost capped, and is certified like the optimum). Where they \
         agree, the choice is robust; where they differ, the region has room to choose.</p>\
         <table id=\"alternatives-table\"><thead><tr><th>Plan</th><th>Cost {cur}/yr</th>\
         <th>Over optimum</th><th>CO2 saved t/yr</th><th>Diverted t/yr</th>\
         <th>Partners</th><th>Tonnes on the optimum's pairs</th></tr></thead><tbody>"
    );
    let kpi = |k: Option<&optimizer::report::Kpis>, f: fn(&optimizer::report::Kpis) -> f64| {
        k.map_or_else(|| "-".to_owned(), |k| grouped(f(k), 0))
    };
    let money = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| grouped(x, 0));
    let _ = write!(
        out,
        "<tr><td>optimum</td><td class=\"n\">{}</td><td class=\"n\">0 %</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">100 %</td></tr>",
        money(result.objective),
        kpi(result.kpis.as_ref(), |k| k.co2_saved_t),
        kpi(result.kpis.as_ref(), |k| k.diverted_from_disposal_t),
        partners(&result.flows),
    );
    for a in &result.alternatives {
        let _ = write!(
            out,
            "<tr><td>alternative {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{} %</td></tr>",
            a.rank,
            money(a.objective),
            a.over_optimum.map_or_else(
                || "-".to_owned(),
                |o| format!("{} %", grouped(100.0 * o, 2))
            ),
            kpi(a.kpis.as_ref(), |k| k.co2_saved_t),
            kpi(a.kpis.as_ref(), |k| k.diverted_from_disposal_t),
            a.partners,
            grouped(100.0 * a.shared_with_optimum, 1),
        );
    }
    out.push_str("</tbody></table></section>");
    out
}
