//! `report.html`: one self-contained page a planner opens offline in any browser. A map of
//! the plan ([`map`]), a Sankey diagram of where the tonnes go ([`sankey`], drawn by
//! [`charts`]), KPI cards with their definitions, cost and emission parts against the
//! baseline, the targets and the shadow prices ([`tables`]), why streams are not served
//! ([`why_not`]), how firm each flow is (its cost margin, [`margins`]) and near-optimal
//! alternatives beside the optimum ([`alternatives`]). Everything is inline SVG
//! rendered here plus a little hand-written script (`report.js`: tooltips, pan and zoom);
//! the page loads nothing from anywhere.

mod alternatives;
mod charts;
pub mod curve;
mod map;
mod margins;
pub mod sankey;
mod svg;
mod tables;
mod why_not;

pub(crate) use svg::{attr, text};

use crate::format::grouped;
use geo::MultiPolygon;
use optimizer::Dataset;
use optimizer::Error;
use optimizer::SolveResult;
use optimizer::report::BASELINE;
use std::fmt::Write;
use std::path::Path;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Rows in each shadow-price-by-site table.
const PRICE_ROWS: usize = 15;

/// The page for `result`, a solve of `ds`, with the region's `outline` on the map.
pub fn render(ds: &Dataset, result: &SolveResult, outline: &[MultiPolygon<f64>]) -> String {
    let mut body = String::new();
    let cur = text(&result.currency);
    let title = format!("circulate: {}", text(&result.dataset));
    let _ = write!(
        body,
        "<header><h1>{title}</h1><p class=\"muted\">{}</p>{}</header>",
        text(&ds.meta.description),
        status_line(result)
    );
    let (Some(objective), Some(parts), Some(k)) =
        (result.objective, &result.objective_parts, &result.kpis)
    else {
        let _ = write!(
            body,
            "<section><h2>No plan</h2><p>The solve ended with status <b>{}</b> and no \
             solution. The baseline costs {} {cur}/yr.</p><p>{}</p></section>",
            result.status.as_str(),
            grouped(result.baseline, 0),
            text(BASELINE)
        );
        return page(&title, &body);
    };
    let _ = write!(
        body,
        "<section id=\"kpis\"><h2>Against the baseline</h2><p class=\"lead\">The plan costs \
         <b data-objective=\"{objective}\">{} {cur}/yr</b>; the baseline \
         <b data-baseline=\"{}\">{} {cur}/yr</b>.</p><p class=\"baseline-note\">{}</p>{}</section>",
        grouped(objective, 0),
        result.baseline,
        grouped(result.baseline, 0),
        text(BASELINE),
        tables::kpi_cards(result, k)
    );
    let (map_svg, not_drawn) = map::render(ds, result, outline);
    let colours = map::material_colours(ds);
    let mut legend = String::new();
    for m in &ds.materials {
        if result.flows.iter().any(|f| f.material_sent == m.id) {
            let _ = write!(
                legend,
                "<span><i style=\"background:{}\"></i>{}</span>",
                colours[m.id.as_str()],
                text(&m.name)
            );
        }
    }
    let _ = write!(
        body,
        "<section id=\"map-section\"><h2>Map</h2><p class=\"muted\">Sites sized by the tonnes \
         they supply and demand; lines are flows, width by tonnes, colour by material sent; \
         squares are flows within a site. Scroll or use the buttons to zoom, drag to pan, \
         point at anything for details.{}</p>\
         <div class=\"map-tools\"><button data-zoom=\"in\">+</button>\
         <button data-zoom=\"out\">&minus;</button><button data-zoom=\"reset\">reset</button>\
         </div><div class=\"map-frame\">{map_svg}</div><div class=\"legend\">{legend}</div>\
         </section>",
        if not_drawn > 0 {
            format!(
                " The map draws the {} largest of {} flows; all are in flows.csv.",
                grouped(map::MAX_FLOW_LINES as f64, 0),
                grouped(result.flows.len() as f64, 0)
            )
        } else {
            String::new()
        }
    );
    let graph = sankey::graph(ds, result);
    // Bars at least two label lines apart, so no two labels overlap.
    let height = (300.0 + 30.0 * graph.nodes.len() as f64).clamp(360.0, 1400.0);
    let layout = sankey::layout(&graph, charts::sankey_inner_width(), height, 30.0);
    let _ = write!(
        body,
        "<section id=\"sankey-section\"><h2>Where the tonnes go</h2><p class=\"muted\">Tonnes \
         sent per year: supplied materials and imports on the left, direct reuse and the \
         processes (grouped by what they turn into what, with their R/D route) in the middle, \
         served demands, disposal and the mass processes do not turn into outputs on the \
         right.</p>{}</section>",
        charts::sankey(&graph, &layout, height)
    );
    let _ = write!(
        body,
        "<section id=\"parts\"><h2>Cost and emissions by part</h2>\
         <p class=\"legend\"><span><i class=\"baseline\"></i>baseline</span>\
         <span><i class=\"plan\"></i>plan</span></p><h3>Cost, {cur}/yr</h3>{}\
         <h3>Emissions, t CO2e/yr</h3>{}</section>",
        charts::parts_bars(
            "cost-bars",
            &charts::money_rows(&result.baseline_parts, parts),
            &format!("{}/yr", result.currency)
        ),
        charts::parts_bars(
            "emission-bars",
            &charts::emission_rows(&result.baseline_parts, parts),
            "t CO2e/yr"
        )
    );
    let _ = write!(
        body,
        "<section id=\"targets-section\"><h2>Import-substitution targets</h2><p class=\"muted\">\
         Per imported material: what the plan meets locally and from what, the new capacity \
         it sizes (each listed once, under the material its outputs serve most) and what that \
         saves net of delivery and process cost. The shadow price is what one more tonne of \
         demand would cost the region (tonne-weighted mean, range in brackets).</p>{}</section>",
        tables::targets(ds, result)
    );
    body.push_str(&tables::opening_values(result));
    body.push_str(&why_not::why_not(ds, result));
    body.push_str(&margins::margins(result));
    body.push_str(&alternatives::alternatives(result));
    let _ = write!(
        body,
        "<section id=\"prices\"><h2>Shadow prices</h2><p class=\"muted\">The change in the \
         region's cost for one more tonne of a stream, from the certified optimum's duals: \
         positive, the tonne adds that much to the cost; negative, it saves that much.</p>{}</section>",
        tables::shadow_prices(ds, result, PRICE_ROWS)
    );
    let _ = write!(
        body,
        "<section id=\"factors-section\"><h2>Emission factors</h2>{}</section>",
        tables::emission_factors(ds)
    );
    page(&title, &body)
}

/// Status, certification and size in one line.
fn status_line(result: &SolveResult) -> String {
    let s = &result.stats;
    let certified = match s.optimality_gap {
        Some(0.0) => "certified optimal over every pair in range".to_owned(),
        Some(gap) => format!(
            "not certified: at most {} {}/yr above the optimum",
            grouped(gap, 0),
            text(&result.currency)
        ),
        None if s.priced || s.exact => "not certified".to_owned(),
        None => format!("solved over the {} nearest pairs only (not certified)", s.k),
    };
    format!(
        "<p class=\"status\" data-status=\"{}\">Status <b>{}</b>: {certified}. {} flows, {} \
         candidate arcs.</p>",
        result.status.as_str(),
        result.status.as_str(),
        grouped(result.flows.len() as f64, 0),
        grouped(s.candidate_arcs as f64, 0)
    )
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>{body}\
         <div id=\"tip\" hidden></div><pre id=\"errors\" hidden></pre>\
         <script>{SCRIPT}</script></body></html>\n"
    )
}

/// The file [`write_report`] writes.
pub const REPORT_FILE: &str = "report.html";

/// Writes `report.html` into `dir` (atomically: a half-written page is never left).
pub fn write_report(
    ds: &Dataset,
    result: &SolveResult,
    outline: &[MultiPolygon<f64>],
    dir: &Path,
) -> Result<(), Error> {
    write_atomically(&dir.join(REPORT_FILE), &render(ds, result, outline))
}

/// Writes `content` to `path` through a temporary file beside it, so a reader never sees
/// half a page.
pub(crate) fn write_atomically(path: &Path, content: &str) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, content).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
