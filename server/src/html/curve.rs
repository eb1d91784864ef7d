//! `scenarios.html` of a budget sweep: the planner's curve, what the region saves against
//! what it may invest, one point per budget with the candidates it opens, and the table
//! under it.

use super::svg::{Svg, attr, num, text};
use super::{page, write_atomically};
use crate::batch::sweep::ScenarioRow;
use crate::format::grouped;
use optimizer::Error;
use std::fmt::Write;
use std::path::Path;

/// The file [`write_curve`] writes.
pub const CURVE_FILE: &str = "scenarios.html";

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const MARGIN: f64 = 60.0;

/// The curve of `rows` (a sweep with a budget axis) as a page in `dir`; rows without a plan
/// are left out of the chart and marked in the table.
pub fn write_curve(rows: &[ScenarioRow], currency: &str, dir: &Path) -> Result<(), Error> {
    write_atomically(&dir.join(CURVE_FILE), &render(rows, currency))
}

fn render(rows: &[ScenarioRow], currency: &str) -> String {
    let cur = text(currency);
    // No budget plots right of the largest one.
    let largest = rows.iter().filter_map(|r| r.budget).fold(0.0_f64, f64::max);
    let x_of = |r: &ScenarioRow| r.budget.unwrap_or(largest * 1.1 + 1.0);
    let points: Vec<(f64, f64, &ScenarioRow)> = rows
        .iter()
        .filter_map(|r| Some((x_of(r), r.cost_saved?, r)))
        .collect();
    let x_max = points.iter().map(|p| p.0).fold(1.0_f64, f64::max);
    let (y_min, y_max) = points
        .iter()
        .fold((0.0_f64, 1.0_f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let sx = |x: f64| MARGIN + x / x_max * (WIDTH - 2.0 * MARGIN);
    let sy = |y: f64| HEIGHT - MARGIN - (y - y_min) / (y_max - y_min) * (HEIGHT - 2.0 * MARGIN);
    let mut svg = Svg::new("budget-curve", WIDTH, HEIGHT);
    svg.raw(&format!(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#888\"/>\
         <line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\" stroke=\"#888\"/>\
         <text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">budget, {cur}/yr</text>\
         <text x=\"14\" y=\"{6}\" transform=\"rotate(-90 14 {6})\" text-anchor=\"middle\">saved, {cur}/yr</text>",
        num(MARGIN),
        num(HEIGHT - MARGIN),
        num(WIDTH - MARGIN),
        num(MARGIN),
        num(WIDTH / 2.0),
        num(HEIGHT - 16.0),
        num(HEIGHT / 2.0),
    ));
    for y in [y_min, y_max] {
        svg.raw(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            num(MARGIN - 4.0),
            num(sy(y) + 4.0),
            grouped(y, 0)
        ));
    }
    let path: Vec<String> = points
        .iter()
        .map(|p| format!("{},{}", num(sx(p.0)), num(sy(p.1))))
        .collect();
    svg.raw(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#2a7\" stroke-width=\"2\"/>",
        path.join(" ")
    ));
    for &(x, y, r) in &points {
        let label = r
            .budget
            .map_or_else(|| "no limit".to_owned(), |b| grouped(b, 0));
        svg.raw(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#2a7\"><title>{}</title></circle>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            num(sx(x)),
            num(sy(y)),
            attr(&format!(
                "budget {label}: saves {}; opens {}",
                grouped(y, 0),
                r.opened
            )),
            num(sx(x)),
            num(sy(y) - 8.0),
            text(&label)
        ));
    }
    let mut body = format!(
        "<header><h1>Savings against the investment budget</h1></header><section>{}\
         <table id=\"scenarios\"><thead><tr><th>Budget</th><th>Status</th><th>Saved</th>\
         <th>Invested</th><th>Opened</th></tr></thead><tbody>",
        svg.finish()
    );
    for r in rows {
        let money = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| grouped(x, 0));
        let _ = write!(
            body,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{}</td></tr>",
            r.budget
                .map_or_else(|| "no limit".to_owned(), |b| grouped(b, 0)),
            text(&r.status),
            money(r.cost_saved),
            money(r.invested),
            text(&r.opened.replace(';', ", "))
        );
    }
    body.push_str("</tbody></table></section>");
    page("circulate: savings against the budget", &body)
}
