//! Result files: `result.json` (everything, full precision), `flows.csv` (edge list with
//! names, text quoted, numbers rounded for spreadsheets), `flows.geojson` (RFC 7946,
//! [lon, lat]: LineStrings between sites, Points for flows within a site) and `targets.csv`.

use super::schema::SolveResult;
use crate::model::error::Error;
use std::io::{self, Write};
use std::path::Path;

/// The error of writing `path`.
fn at(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The files [`write_all`] writes (each CSV with its QGIS `.csvt` beside it).
pub const RESULT_FILES: &[&str] = &[
    "result.json",
    "flows.csv",
    "flows.csvt",
    "flows.geojson",
    "targets.csv",
    "targets.csvt",
];

/// Writes the four result files into `dir` (created if missing).
pub fn write_all(result: &SolveResult, dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(at(dir))?;
    // The files are independent; with millions of flows each takes seconds, so they are
    // written side by side.
    let (json, (flows, geojson)) = rayon::join(
        || write_json(result, &dir.join("result.json")),
        || {
            rayon::join(
                || write_flows_csv(result, &dir.join("flows.csv")),
                || write_geojson(result, &dir.join("flows.geojson")),
            )
        },
    );
    json?;
    flows?;
    geojson?;
    write_targets_csv(result, &dir.join("targets.csv"))
}

fn write_json(result: &SolveResult, path: &Path) -> Result<(), Error> {
    let write = || -> io::Result<()> {
        // Streamed, not built in memory: a national run has millions of flows.
        let mut w = io::BufWriter::new(std::fs::File::create(path)?);
        serde_json::to_writer_pretty(&mut w, result)?;
        w.flush()
    };
    write().map_err(at(path))
}

fn write_flows_csv(result: &SolveResult, path: &Path) -> Result<(), Error> {
    flows_csv(result, path).map_err(at(path))
}

/// `x` to `decimals` places, as text: tonnes to the kg, money to the cent, km to 100 m; full
/// precision stays in result.json.
fn rounded(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    // "-0.000" reads as a sign error in a spreadsheet.
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        format!("{:.decimals$}", 0.0)
    } else {
        text
    }
}

/// One cell of a result CSV: text is always quoted, so ids with leading zeros
/// (`0000001152`) read as text in spreadsheets that honour quoting (and in QGIS, with the
/// `.csvt` beside the file), while numbers stay bare. The csv crate quotes by the look of a
/// value, which leaves such ids bare, hence this small writer.
enum Cell<'a> {
    Text(&'a str),
    Number(String),
}

fn write_row(w: &mut impl Write, cells: &[Cell<'_>]) -> io::Result<()> {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        match cell {
            Cell::Text(t) => write!(w, "\"{}\"", t.replace('"', "\"\""))?,
            Cell::Number(n) => w.write_all(n.as_bytes())?,
        }
    }
    w.write_all(b"\n")
}

/// A text column of a result CSV.
const fn text(name: &str) -> (&str, bool) {
    (name, false)
}

/// A number column of a result CSV.
const fn number(name: &str) -> (&str, bool) {
    (name, true)
}

/// The header row and the QGIS `.csvt` column types (`String` or `Real`) of a result CSV.
fn write_header(w: &mut impl Write, path: &Path, columns: &[(&str, bool)]) -> io::Result<()> {
    let names: Vec<Cell<'_>> = columns.iter().map(|(n, _)| Cell::Text(n)).collect();
    write_row(w, &names)?;
    let types: Vec<String> = columns
        .iter()
        .map(|&(_, number)| format!("\"{}\"", if number { "Real" } else { "String" }))
        .collect();
    std::fs::write(path.with_extension("csvt"), types.join(",") + "\n")
}

fn flows_csv(result: &SolveResult, path: &Path) -> io::Result<()> {
    let mut w = io::BufWriter::new(std::fs::File::create(path)?);
    write_header(
        &mut w,
        path,
        &[
            text("from_site"),
            text("from_name"),
            text("from_process"),
            text("to_site"),
            text("to_name"),
            text("to_process"),
            text("material_sent"),
            text("material_served"),
            number("tonnes_sent"),
            number("tonnes_served"),
            number("km"),
            number("cost"),
            number("co2_kg"),
        ],
    )?;
    for f in &result.flows {
        write_row(
            &mut w,
            &[
                Cell::Text(f.from_site.as_str()),
                Cell::Text(&f.from_name),
                Cell::Text(f.from_process.as_ref().map_or("", |p| p.as_str())),
                Cell::Text(f.to_site.as_str()),
                Cell::Text(&f.to_name),
                Cell::Text(f.to_process.as_ref().map_or("", |p| p.as_str())),
                Cell::Text(f.material_sent.as_str()),
                Cell::Text(f.material_served.as_str()),
                Cell::Number(rounded(f.tonnes_sent, 3)),
                Cell::Number(rounded(f.tonnes_served, 3)),
                Cell::Number(rounded(f.km, 1)),
                Cell::Number(rounded(f.cost, 2)),
                Cell::Number(rounded(f.co2_kg, 1)),
            ],
        )?;
    }
    w.flush()
}

/// One GeoJSON feature, serialised straight from a flow (no intermediate JSON tree).
#[derive(serde::Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    geometry: Geometry,
    properties: Properties<'a>,
}

/// A line between two sites, or a point for a flow within one site (a process's output used
/// on site), which as a line would have zero length.
#[derive(serde::Serialize)]
#[serde(tag = "type")]
enum Geometry {
    LineString { coordinates: [[f64; 2]; 2] },
    Point { coordinates: [f64; 2] },
}

#[derive(serde::Serialize)]
struct Properties<'a> {
    from_site: &'a str,
    from_name: &'a str,
    from_process: Option<&'a str>,
    to_site: &'a str,
    to_name: &'a str,
    to_process: Option<&'a str>,
    material_sent: &'a str,
    material_served: &'a str,
    tonnes_sent: f64,
    tonnes_served: f64,
    km: f64,
    cost: f64,
    co2_kg: f64,
}

fn write_geojson(result: &SolveResult, path: &Path) -> Result<(), Error> {
    geojson(result, path).map_err(at(path))
}

fn geojson(result: &SolveResult, path: &Path) -> io::Result<()> {
    let mut w = io::BufWriter::new(std::fs::File::create(path)?);
    // One feature at a time, so memory stays flat however many flows there are.
    w.write_all(br#"{"type":"FeatureCollection","features":["#)?;
    for (i, f) in result.flows.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let geometry = if f.from_site == f.to_site {
            Geometry::Point {
                coordinates: [f.from_lon, f.from_lat],
            }
        } else {
            Geometry::LineString {
                coordinates: [[f.from_lon, f.from_lat], [f.to_lon, f.to_lat]],
            }
        };
        let feature = Feature {
            kind: "Feature",
            geometry,
            properties: Properties {
                from_site: f.from_site.as_str(),
                from_name: &f.from_name,
                from_process: f.from_process.as_ref().map(|p| p.as_str()),
                to_site: f.to_site.as_str(),
                to_name: &f.to_name,
                to_process: f.to_process.as_ref().map(|p| p.as_str()),
                material_sent: f.material_sent.as_str(),
                material_served: f.material_served.as_str(),
                tonnes_sent: f.tonnes_sent,
                tonnes_served: f.tonnes_served,
                km: f.km,
                cost: f.cost,
                co2_kg: f.co2_kg,
            },
        };
        serde_json::to_writer(&mut w, &feature)?;
    }
    w.write_all(b"]}")?;
    w.flush()
}

fn write_targets_csv(result: &SolveResult, path: &Path) -> Result<(), Error> {
    targets_csv(result, path).map_err(at(path))
}

fn targets_csv(result: &SolveResult, path: &Path) -> io::Result<()> {
    let mut w = io::BufWriter::new(std::fs::File::create(path)?);
    write_header(
        &mut w,
        path,
        &[
            number("rank"),
            text("material"),
            number("demand_t"),
            number("imported_t"),
            number("substituted_t"),
            number("import_cost_avoided"),
            number("delivery_cost"),
            number("process_cost"),
            number("net_savings"),
            number("price_gap"),
            text("new_capacity"),
        ],
    )?;
    for t in &result.targets {
        let capacity: Vec<String> = t
            .new_capacity
            .iter()
            .map(|c| {
                let at = format!(
                    "{} units/yr at {} (site {}, process {})",
                    rounded(c.new_capacity, 3),
                    c.site_name,
                    c.site,
                    c.process
                );
                if c.fixed_cost > 0.0 {
                    format!(
                        "open {at}: fixed {} + capacity {} {}/yr",
                        rounded(c.fixed_cost, 0),
                        rounded(c.capex, 0),
                        result.currency
                    )
                } else {
                    at
                }
            })
            .collect();
        write_row(
            &mut w,
            &[
                Cell::Number(t.rank.to_string()),
                Cell::Text(t.material.as_str()),
                Cell::Number(rounded(t.demand_t, 3)),
                Cell::Number(rounded(t.imported_t, 3)),
                Cell::Number(rounded(t.substituted_t, 3)),
                Cell::Number(rounded(t.import_cost_avoided, 2)),
                Cell::Number(rounded(t.delivery_cost, 2)),
                Cell::Number(rounded(t.process_cost, 2)),
                Cell::Number(rounded(t.net_savings, 2)),
                Cell::Number(t.price_gap.map_or_else(String::new, |g| rounded(g, 2))),
                Cell::Text(&capacity.join("; ")),
            ],
        )?;
    }
    w.flush()
}
