//! Writes a [`Dataset`] as a dataset folder in the README's "Dataset format", the inverse of
//! [`super::read_folder`]. Used by generators and importers; output is deterministic
//! (same dataset, same bytes).

use super::read::CONFIG_FILE;
use super::schema;
use crate::model::domain::Dataset;
use crate::model::error::Error;
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
        schema::MATERIALS,
        ds.materials.iter().map(|m| {
            vec![
                m.id.to_string(),
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
        schema::SITES,
        ds.sites.iter().map(|s| {
            vec![
                s.id.to_string(),
                s.name.clone(),
                s.lon.to_string(),
                s.lat.to_string(),
                s.nace.clone().unwrap_or_default(),
                s.region.clone().unwrap_or_default(),
            ]
        }),
        true,
    )?;
    for (table, streams) in [
        (schema::SUPPLIES, &ds.supplies),
        (schema::DEMANDS, &ds.demands),
    ] {
        // Per-stream prices and limits are rare outside exchange batches: columns only if used.
        let extra = streams
            .iter()
            .any(|s| s.unit_cost.is_some() || s.max_haul.is_some());
        let mut header = table.headers();
        if !extra {
            header.truncate(table.required_columns().len());
        }
        write_rows(
            dir,
            table.file,
            &header,
            streams.iter().map(|s| {
                let mut row = vec![
                    ds.site(s.site).id.to_string(),
                    ds.material(s.material).id.to_string(),
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
        schema::SUBSTITUTIONS,
        ds.substitutions.iter().map(|s| {
            vec![
                ds.material(s.from).id.to_string(),
                ds.material(s.to).id.to_string(),
                s.ratio.to_string(),
            ]
        }),
        false,
    )?;
    write_csv(
        dir,
        schema::PROCESSES,
        ds.processes.iter().map(|p| {
            vec![
                p.id.to_string(),
                ds.site(p.site).id.to_string(),
                p.name.clone(),
                p.route.label(),
                p.capacity.to_string(),
                p.cost_per_unit.to_string(),
                fmt_opt(p.candidate_capex),
                // Defaults are left empty: on a process that is no candidate they are errors.
                fmt_opt(Some(p.fixed_cost).filter(|&c| c > 0.0)),
                fmt_opt(Some(p.min_new_capacity).filter(|&c| c > 0.0)),
                fmt_opt(p.max_new_capacity),
                p.co2_kg_per_unit.to_string(),
            ]
        }),
        false,
    )?;
    write_csv(
        dir,
        schema::PROCESS_FLOWS,
        ds.processes.iter().flat_map(|p| {
            let row = |m: crate::model::ids::MaterialIdx, dir: &str, c: f64| {
                vec![
                    p.id.to_string(),
                    ds.material(m).id.to_string(),
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
    let i = &ds.investment;
    if i.budget.is_some() || i.max_new_processes.is_some() {
        out.push_str("\n[investment]\n");
        if let Some(budget) = i.budget {
            out.push_str(&format!("budget = {budget:?}\n"));
        }
        if let Some(n) = i.max_new_processes {
            out.push_str(&format!("max_new_processes = {n}\n"));
        }
    }
    out
}

/// Writes a table of the schema, its headers in schema order.
fn write_csv(
    dir: &Path,
    table: schema::Table,
    rows: impl Iterator<Item = Vec<String>>,
    always: bool,
) -> Result<(), Error> {
    write_rows(dir, table.file, &table.headers(), rows, always)
}

fn write_rows(
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
