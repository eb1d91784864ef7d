//! The map: the region's outline, sites sized by the tonnes they supply and demand, flows
//! as lines whose width is tonnes and colour is material, flows within a site as markers.
//! Drawn as SVG in a local equirectangular projection (x scaled by the cosine of the mean
//! latitude), which is true to a few per cent across a region; the page's script adds pan,
//! zoom and tooltips from each element's `data-tip`.

use super::svg::{Svg, attr, num};
use crate::format::grouped;
use geo::{BoundingRect, MultiPolygon};
use optimizer::Dataset;
use optimizer::SolveResult;
use std::collections::HashMap;
use std::fmt::Write;

/// The map's width in SVG units; the height follows the region's shape.
const WIDTH: f64 = 1000.0;
/// More lines than this make a page browsers draw slowly; the rest are counted, not drawn.
pub const MAX_FLOW_LINES: usize = 5_000;

/// Lon/lat to SVG units.
struct Projection {
    lon0: f64,
    lat_top: f64,
    cos: f64,
    scale: f64,
    margin: f64,
}

impl Projection {
    fn fit(points: impl Iterator<Item = (f64, f64)>) -> (Projection, f64) {
        let (mut west, mut east, mut south, mut north) = (180.0f64, -180.0f64, 90.0f64, -90.0f64);
        let mut any = false;
        for (lon, lat) in points {
            any = true;
            west = west.min(lon);
            east = east.max(lon);
            south = south.min(lat);
            north = north.max(lat);
        }
        if !any {
            (west, east, south, north) = (0.0, 1.0, 0.0, 1.0);
        }
        let cos = ((south + north) / 2.0).to_radians().cos().max(0.05);
        let span_x = ((east - west) * cos).max(1e-3);
        let span_y = (north - south).max(1e-3);
        let margin = 20.0;
        let scale = (WIDTH - 2.0 * margin) / span_x;
        // Very tall regions are shrunk to a readable page height.
        let scale = scale.min(1400.0 / span_y);
        let height = span_y * scale + 2.0 * margin;
        (
            Projection {
                lon0: west,
                lat_top: north,
                cos,
                scale,
                margin,
            },
            height,
        )
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.margin + (lon - self.lon0) * self.cos * self.scale,
            self.margin + (self.lat_top - lat) * self.scale,
        )
    }
}

/// A colour per material, in dataset order (Tableau 10, then repeated lighter).
pub fn material_colours(ds: &Dataset) -> HashMap<String, &'static str> {
    const PALETTE: [&str; 12] = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
        "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
    ];
    ds.materials
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.to_string(), PALETTE[i % PALETTE.len()]))
        .collect()
}

/// The map as an SVG element, and how many flows it leaves out.
pub fn render(
    ds: &Dataset,
    result: &SolveResult,
    outline: &[MultiPolygon<f64>],
) -> (String, usize) {
    let mut tonnes_at: HashMap<usize, f64> = HashMap::new();
    for s in ds.supplies.iter().chain(&ds.demands) {
        *tonnes_at.entry(s.site.get()).or_default() += s.quantity.0;
    }
    let outline_points = outline
        .iter()
        .filter_map(|p| p.bounding_rect())
        .flat_map(|r| [(r.min().x, r.min().y), (r.max().x, r.max().y)]);
    let site_points = tonnes_at
        .keys()
        .map(|&s| (ds.sites[s].lon, ds.sites[s].lat));
    let (proj, height) = Projection::fit(site_points.chain(outline_points));
    let colours = material_colours(ds);
    let mut svg = Svg::new("map", WIDTH, height);
    svg.open_group("outline");
    for shape in outline {
        let mut d = String::new();
        for polygon in shape {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for (i, c) in ring.coords().enumerate() {
                    let (x, y) = proj.xy(c.x, c.y);
                    let _ = write!(d, "{}{},{}", if i == 0 { "M" } else { "L" }, num(x), num(y));
                }
                d.push('Z');
            }
        }
        svg.raw(&format!("<path class=\"area\" d=\"{d}\"/>"));
    }
    svg.close_group();

    let drawn = result.flows.len().min(MAX_FLOW_LINES);
    let largest = result
        .flows
        .iter()
        .map(|f| f.tonnes_sent)
        .fold(0.0, f64::max);
    let width_of = |t: f64| 0.6 + 7.0 * (t / largest.max(1e-9)).sqrt();
    svg.open_group("flows");
    // Smallest first, so the large flows are drawn on top.
    for f in result.flows[..drawn].iter().rev() {
        let colour = colours
            .get(f.material_sent.as_str())
            .copied()
            .unwrap_or("#888");
        let tip = format!(
            "{} \u{2192} {}\n{} t/yr {}{}, {} km\ncost {} {}/yr, {} kg CO2e/yr",
            f.from_name,
            f.to_name,
            num_t(f.tonnes_sent),
            f.material_sent,
            if f.material_served == f.material_sent {
                String::new()
            } else {
                format!(" serving {}", f.material_served)
            },
            grouped(f.km, 1),
            grouped(f.cost, 0),
            result.currency,
            grouped(f.co2_kg, 0),
        );
        let (x1, y1) = proj.xy(f.from_lon, f.from_lat);
        let (x2, y2) = proj.xy(f.to_lon, f.to_lat);
        if f.from_site == f.to_site {
            let r = 1.5 + width_of(f.tonnes_sent) / 2.0;
            svg.raw(&format!(
                "<rect class=\"flow on-site\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" data-tip=\"{}\"/>",
                num(x1 - r),
                num(y1 - r),
                num(2.0 * r),
                num(2.0 * r),
                attr(&tip)
            ));
        } else {
            svg.raw(&format!(
                "<line class=\"flow\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"{}\" data-tip=\"{}\"/>",
                num(x1),
                num(y1),
                num(x2),
                num(y2),
                num(width_of(f.tonnes_sent)),
                attr(&tip)
            ));
        }
    }
    svg.close_group();

    let heaviest = tonnes_at.values().copied().fold(0.0, f64::max);
    let mut sites: Vec<(&usize, &f64)> = tonnes_at.iter().collect();
    // Largest first so small sites stay visible on top.
    sites.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    svg.open_group("sites");
    for (&s, &t) in sites {
        let site = &ds.sites[s];
        let (x, y) = proj.xy(site.lon, site.lat);
        let r = 1.5 + 9.0 * (t / heaviest.max(1e-9)).sqrt();
        let tip = format!(
            "{} ({})\n{} t/yr supplied and demanded",
            site.name,
            site.id,
            num_t(t)
        );
        svg.raw(&format!(
            "<circle class=\"site\" cx=\"{}\" cy=\"{}\" r=\"{}\" data-tip=\"{}\"/>",
            num(x),
            num(y),
            num(r),
            attr(&tip)
        ));
    }
    svg.close_group();
    (svg.finish(), result.flows.len() - drawn)
}

fn num_t(t: f64) -> String {
    grouped(t, 1)
}
