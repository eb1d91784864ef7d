//! Writes a [`Dataset`] as a dataset folder in the DESIGN.md format, the inverse of
//! [`super::read_folder`]. Used by generators and importers; output is deterministic
//! (same dataset, same bytes).

use super::folder::*;
use crate::domain::Dataset;
use crate::error::Error;
use std::path::Path;

/// Writes every file of `ds` into `dir` (created if missing). Optional files are written
/// only when they have rows.
pub fn write_folder(ds: &Dataset, dir: &Path) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source: std::io::Error| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let config = config_toml(ds);
    let path = dir.join(CONFIG_FILE);
    std::fs::write(&path, config).map_err(io(&path))?;

    let fmt_opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    write_csv(
        dir,
        MATERIALS_FILE,
        &[
            "id",
            "name",
            "ewc",
            "hazardous",
            "import_cost",
            "import_co2",
            "disposal_cost",
            "disposal_co2",
            "max_haul_km",
            "transport_cost_per_tkm",
            "transport_co2_kg_per_tkm",
        ],
        ds.materials.iter().map(|m| {
            vec![
                m.id.0.clone(),
                m.name.clone(),
                m.ewc.clone().unwrap_or_default(),
                m.hazardous.to_string(),
                m.import_cost.to_string(),
                m.import_co2_kg.to_string(),
                m.disposal_cost.to_string(),
                m.disposal_co2_kg.to_string(),
                fmt_opt(m.max_haul.map(|k| k.0)),
                fmt_opt(m.transport_cost_per_tkm),
                fmt_opt(m.transport_co2_kg_per_tkm),
            ]
        }),
        true,
    )?;
    write_csv(
        dir,
        SITES_FILE,
        &["id", "name", "lon", "lat", "nace", "region"],
        ds.sites.iter().map(|s| {
            vec![
                s.id.0.clone(),
                s.name.clone(),
                s.lon.to_string(),
                s.lat.to_string(),
                s.nace.clone().unwrap_or_default(),
                s.region.clone().unwrap_or_default(),
            ]
        }),
        true,
    )?;
    for (file, streams) in [(SUPPLIES_FILE, &ds.supplies), (DEMANDS_FILE, &ds.demands)] {
        // Per-stream prices and limits are rare outside exchange batches: columns only if used.
        let extra = streams
            .iter()
            .any(|s| s.unit_cost.is_some() || s.max_haul.is_some());
        let mut header = vec!["site", "material", "quantity_t"];
        if extra {
            header.extend(["unit_cost", "max_haul_km"]);
        }
        write_csv(
            dir,
            file,
            &header,
            streams.iter().map(|s| {
                let mut row = vec![
                    ds.site(s.site).id.0.clone(),
                    ds.material(s.material).id.0.clone(),
                    s.quantity.0.to_string(),
                ];
                if extra {
                    row.push(fmt_opt(s.unit_cost));
                    row.push(fmt_opt(s.max_haul.map(|k| k.0)));
                }
                row
            }),
            true,
        )?;
    }
    write_csv(
        dir,
        SUBSTITUTIONS_FILE,
        &["from", "to", "ratio"],
        ds.substitutions.iter().map(|s| {
            vec![
                ds.material(s.from).id.0.clone(),
                ds.material(s.to).id.0.clone(),
                s.ratio.to_string(),
            ]
        }),
        false,
    )?;
    write_csv(
        dir,
        PROCESSES_FILE,
        &[
            "id",
            "site",
            "capacity",
            "cost_per_unit",
            "candidate_capex",
            "co2_kg_per_unit",
        ],
        ds.processes.iter().map(|p| {
            vec![
                p.id.0.clone(),
                ds.site(p.site).id.0.clone(),
                p.capacity.to_string(),
                p.cost_per_unit.to_string(),
                fmt_opt(p.candidate_capex),
                p.co2_kg_per_unit.to_string(),
            ]
        }),
        false,
    )?;
    write_csv(
        dir,
        PROCESS_FLOWS_FILE,
        &["process", "material", "direction", "coefficient"],
        ds.processes.iter().flat_map(|p| {
            let row = |m: crate::ids::MaterialIdx, dir: &str, c: f64| {
                vec![
                    p.id.0.clone(),
                    ds.material(m).id.0.clone(),
                    dir.to_owned(),
                    c.to_string(),
                ]
            };
            p.inputs
                .iter()
                .map(move |&(m, c)| row(m, "in", c))
                .chain(p.outputs.iter().map(move |&(m, c)| row(m, "out", c)))
                .collect::<Vec<_>>()
        }),
        false,
    )
}

fn config_toml(ds: &Dataset) -> String {
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut out = format!(
        "name = {}\ndescription = {}\nsource = {}\ncurrency = {}\nco2_price = {:?}\n\n[transport]\n\
         cost_per_tkm = {:?}\nco2_kg_per_tkm = {:?}\ndetour_factor = {:?}\n",
        q(&ds.meta.name),
        q(&ds.meta.description),
        q(&ds.meta.source),
        q(&ds.meta.currency),
        ds.co2_price,
        ds.transport.cost_per_tkm,
        ds.transport.co2_kg_per_tkm,
        ds.transport.detour_factor,
    );
    if let Some(km) = ds.transport.max_haul {
        out.push_str(&format!("max_haul_km = {:?}\n", km.0));
    }
    out
}

fn write_csv(
    dir: &Path,
    file: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    always: bool,
) -> Result<(), Error> {
    let path = dir.join(file);
    let err = |e: csv::Error| Error::Io {
        path: path.display().to_string(),
        source: e.into(),
    };
    let mut rows = rows.peekable();
    if !always && rows.peek().is_none() {
        return Ok(());
    }
    let mut w = csv::Writer::from_path(&path).map_err(err)?;
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(&row).map_err(err)?;
    }
    w.flush().map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e,
    })
}
