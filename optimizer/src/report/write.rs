//! Result files: `result.json` (everything, full precision), `flows.csv` (edge list with
//! names, text quoted, numbers rounded for spreadsheets), `flows.geojson` (RFC 7946,
//! [lon, lat]: LineStrings between sites, Points for flows within a site), `flows.parquet`
//! (GeoParquet, [`parquet`](super::parquet)) and `targets.csv`; which of the flow files is
//! chosen by [`Formats`].

use super::columns::{FLOW_COLUMNS, FlowColumn};
use super::schema::SolveResult;
use crate::model::domain::Dataset;
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

/// Every file [`write_all`] may write (each CSV with its QGIS `.csvt` beside it).
pub const RESULT_FILES: &[&str] = &[
    "result.json",
    "flows.csv",
    "flows.csvt",
    "flows.geojson",
    "flows.parquet",
    "targets.csv",
    "targets.csvt",
];

/// Above this many flows the default leaves the text-heavy files out: at a million flows
/// `flows.geojson` is 0.9 GB that no desktop GIS opens comfortably (GeoParquet holds the same
/// lines) and `plan.vf.jsonld` 3.3 GB (measured, docs/performance.md).
pub const GEOJSON_DEFAULT_MAX_FLOWS: usize = 100_000;

/// Which of the optional files to write (`result.json` and `targets.csv` are always
/// written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    /// `flows.csv`.
    pub csv: bool,
    /// `flows.geojson`.
    pub geojson: bool,
    /// `flows.parquet` (GeoParquet).
    pub parquet: bool,
    /// `plan.vf.jsonld` (Valueflows), which the caller writes: it needs the dataset.
    pub valueflows: bool,
}

impl Formats {
    /// Every format.
    pub const ALL: Formats = Formats {
        csv: true,
        geojson: true,
        parquet: true,
        valueflows: true,
    };

    /// The default for a plan of `flows` flows: every format, less GeoJSON and Valueflows
    /// above [`GEOJSON_DEFAULT_MAX_FLOWS`].
    pub fn default_for(flows: usize) -> Formats {
        let small = flows <= GEOJSON_DEFAULT_MAX_FLOWS;
        Formats {
            geojson: small,
            valueflows: small,
            ..Formats::ALL
        }
    }

    /// The files of the default left out for a plan of `flows` flows (empty when none is).
    pub fn left_out_by_default(flows: usize) -> Vec<&'static str> {
        let chosen = Formats::default_for(flows);
        let mut out = Vec::new();
        if !chosen.geojson {
            out.push("flows.geojson");
        }
        if !chosen.valueflows {
            out.push("plan.vf.jsonld");
        }
        out
    }

    /// The formats `asked` for, or the default for a plan of `flows` flows with a note naming
    /// what that default leaves out (none when it leaves nothing out), for the caller to show.
    pub fn or_default(asked: Option<Formats>, flows: usize) -> (Formats, Option<String>) {
        if let Some(asked) = asked {
            return (asked, None);
        }
        let left_out = Formats::left_out_by_default(flows);
        let note = (!left_out.is_empty()).then(|| {
            format!(
                "{} left out ({flows} flows, over {GEOJSON_DEFAULT_MAX_FLOWS}); flows.parquet \
                 (GeoParquet) holds the flows' lines; --formats csv,geojson,parquet,valueflows \
                 writes every file",
                left_out.join(" and ")
            )
        });
        (Formats::default_for(flows), note)
    }

    /// A comma-separated list of `csv`, `geojson`, `parquet`, `valueflows`; an unknown name
    /// is an error naming it.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut f = Formats {
            csv: false,
            geojson: false,
            parquet: false,
            valueflows: false,
        };
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name.to_ascii_lowercase().as_str() {
                "csv" => f.csv = true,
                "geojson" => f.geojson = true,
                "parquet" | "geoparquet" => f.parquet = true,
                "valueflows" | "jsonld" => f.valueflows = true,
                other => {
                    return Err(format!(
                        "unknown format {other:?}: the formats are csv, geojson, parquet and \
                         valueflows"
                    ));
                }
            }
        }
        Ok(f)
    }
}

/// Writes every result file into `dir` (created if missing), the flow tables in the default
/// formats for the plan's size ([`Formats::default_for`]).
pub fn write_all(result: &SolveResult, dir: &Path) -> Result<(), Error> {
    write_formats(result, dir, Formats::default_for(result.flows.len()))
}

/// Writes every file of `formats` into `dir`: [`write_formats`]'s, and the plan as
/// Valueflows when asked for (it names the dataset's sites and processes).
pub fn write_plan_files(
    ds: &Dataset,
    result: &SolveResult,
    dir: &Path,
    formats: Formats,
) -> Result<(), Error> {
    write_formats(result, dir, formats)?;
    if formats.valueflows {
        super::valueflows::write(ds, result, &dir.join(super::valueflows::VALUEFLOWS_FILE))?;
    }
    Ok(())
}

/// Writes `result.json`, `targets.csv` and the flow tables of `formats` into `dir` (not the
/// Valueflows file: see [`write_plan_files`]).
pub fn write_formats(result: &SolveResult, dir: &Path, formats: Formats) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(at(dir))?;
    // The files are independent; with millions of flows each takes seconds, so they are
    // written side by side.
    let timed = |name: &str, write: &dyn Fn(&Path) -> Result<(), Error>| {
        let started = std::time::Instant::now();
        let path = dir.join(name);
        let out = write(&path);
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        tracing::debug!(
            file = name,
            seconds = started.elapsed().as_secs_f64(),
            bytes,
            "result file written"
        );
        out
    };
    let ((json, csv), (geojson, parquet)) = rayon::join(
        || {
            rayon::join(
                || timed("result.json", &|p| write_json(result, p)),
                || match formats.csv {
                    true => timed("flows.csv", &|p| write_flows_csv(result, p)),
                    false => Ok(()),
                },
            )
        },
        || {
            rayon::join(
                || match formats.geojson {
                    true => timed("flows.geojson", &|p| write_geojson(result, p)),
                    false => Ok(()),
                },
                || match formats.parquet {
                    true => timed("flows.parquet", &|p| super::parquet::write_flows(result, p)),
                    false => Ok(()),
                },
            )
        },
    );
    json?;
    csv?;
    geojson?;
    parquet?;
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
    let header: Vec<(&str, bool)> = FLOW_COLUMNS
        .iter()
        .map(|(name, column)| (*name, matches!(column, FlowColumn::Number(..))))
        .collect();
    write_header(&mut w, path, &header)?;
    let mut cells = Vec::with_capacity(FLOW_COLUMNS.len());
    for f in &result.flows {
        cells.clear();
        cells.extend(FLOW_COLUMNS.iter().map(|(_, column)| match column {
            FlowColumn::Text(get) => Cell::Text(get(f)),
            FlowColumn::OptionalText(get) => Cell::Text(get(f).unwrap_or("")),
            FlowColumn::Number(get, decimals) => Cell::Number(rounded(get(f), *decimals)),
        }));
        write_row(&mut w, &cells)?;
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
