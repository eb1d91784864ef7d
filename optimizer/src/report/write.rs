//! Result files: `result.json` (everything), `flows.csv` (edge list), `flows.geojson`
//! (RFC 7946 LineStrings, [lon, lat]) and `targets.csv`.

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

fn flows_csv(result: &SolveResult, path: &Path) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "from_site",
        "from_process",
        "to_site",
        "to_process",
        "material_sent",
        "material_served",
        "tonnes_sent",
        "tonnes_served",
        "km",
        "cost",
        "co2_kg",
    ])?;
    for f in &result.flows {
        w.write_record([
            f.from_site.as_str(),
            f.from_process.as_ref().map_or("", |p| p.as_str()),
            f.to_site.as_str(),
            f.to_process.as_ref().map_or("", |p| p.as_str()),
            f.material_sent.as_str(),
            f.material_served.as_str(),
            &f.tonnes_sent.to_string(),
            &f.tonnes_served.to_string(),
            &f.km.to_string(),
            &f.cost.to_string(),
            &f.co2_kg.to_string(),
        ])?;
    }
    w.flush()
}

/// One GeoJSON feature, serialised straight from a flow (no intermediate JSON tree).
#[derive(serde::Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    geometry: LineString,
    properties: Properties<'a>,
}

#[derive(serde::Serialize)]
struct LineString {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [[f64; 2]; 2],
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
        let feature = Feature {
            kind: "Feature",
            geometry: LineString {
                kind: "LineString",
                coordinates: [[f.from_lon, f.from_lat], [f.to_lon, f.to_lat]],
            },
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
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "rank",
        "material",
        "demand_t",
        "imported_t",
        "substituted_t",
        "import_cost_avoided",
        "delivery_cost",
        "process_cost",
        "net_savings",
        "new_capacity",
    ])?;
    for t in &result.targets {
        let capacity: Vec<String> = t
            .new_capacity
            .iter()
            .map(|c| format!("{}@{}:{:.1}", c.process, c.site, c.new_capacity))
            .collect();
        w.write_record([
            t.rank.to_string(),
            t.material.to_string(),
            t.demand_t.to_string(),
            t.imported_t.to_string(),
            t.substituted_t.to_string(),
            t.import_cost_avoided.to_string(),
            t.delivery_cost.to_string(),
            t.process_cost.to_string(),
            t.net_savings.to_string(),
            capacity.join(";"),
        ])?;
    }
    w.flush()
}
