//! Reads a dataset folder (`dataset.toml` and the CSVs of the README's "Dataset format")
//! into a [`RawDataset`]. Number and boolean cells are parsed here, with every unparsable
//! cell reported by file, line and column; semantic checks (ranges, ids) are left to [`super::validate`](mod@super::validate).
//! Extra columns are ignored so planners can keep notes beside the data.

use super::raw::*;
use super::schema;
use crate::model::error::{Error, FieldErrors, Location};
use csv::StringRecord;
use std::collections::HashMap;
use std::path::Path;

/// The dataset's settings file.
pub const CONFIG_FILE: &str = "dataset.toml";

/// Reads every file of a dataset folder. Cells that cannot be parsed are left empty in the
/// raw dataset and reported in the returned list, so validation can still check the rest;
/// `Err` only when the folder itself cannot be read.
pub fn read_folder(dir: &Path) -> Result<(RawDataset, FieldErrors), Error> {
    let problem = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => None,
        Ok(_) => {
            Some("not a folder (a dataset is a folder holding dataset.toml and the CSV files)")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("no such folder"),
        Err(_) => Some("cannot open the folder"),
    };
    if let Some(problem) = problem {
        return Err(Error::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, problem),
        });
    }
    let mut errors = FieldErrors::default();
    let config = read_config(dir, &mut errors);
    let read = |table: schema::Table| {
        let mut errors = FieldErrors::default();
        let table = Table::read(dir, table, &mut errors);
        (table, errors)
    };
    // The three large tables are read side by side, each into its own error list; the lists
    // are joined in file order so messages come out the same on any thread count.
    let (sites, (supplies, demands)) = rayon::join(
        || rows(read(schema::SITES), site_row),
        || {
            rayon::join(
                || rows(read(schema::SUPPLIES), stream_row),
                || rows(read(schema::DEMANDS), stream_row),
            )
        },
    );
    let materials = rows(read(schema::MATERIALS), material_row);
    let substitutions = rows(read(schema::SUBSTITUTIONS), substitution_row);
    let processes = rows(read(schema::PROCESSES), process_row);
    let process_flows = rows(read(schema::PROCESS_FLOWS), process_flow_row);
    let raw = RawDataset {
        config,
        materials: take(&mut errors, materials),
        sites: take(&mut errors, sites),
        supplies: take(&mut errors, supplies),
        demands: take(&mut errors, demands),
        substitutions: take(&mut errors, substitutions),
        processes: take(&mut errors, processes),
        process_flows: take(&mut errors, process_flows),
    };
    Ok((raw, errors))
}

/// The rows, with their problems moved to `errors` (called in file order).
/// A CSV record that could not be read (malformed quoting, invalid UTF-8, a ragged row),
/// reported at its line of `file`.
pub(super) fn csv_problem(errors: &mut FieldErrors, file: &str, e: &csv::Error) {
    let line = e.position().map(|p| p.line());
    errors.push(
        Location {
            line,
            ..Location::table(file)
        },
        e.to_string(),
    );
}

fn take<T>(errors: &mut FieldErrors, (rows, more): (Vec<T>, FieldErrors)) -> Vec<T> {
    errors.append(more);
    rows
}

/// The rows of a table read by [`Table::read`], with the problems of reading and parsing it.
fn rows<T>(
    (table, mut errors): (Table, FieldErrors),
    parse: impl FnMut(&mut Cells<'_>) -> T,
) -> (Vec<Located<T>>, FieldErrors) {
    let rows = table.rows(&mut errors, parse);
    (rows, errors)
}

fn material_row(r: &mut Cells<'_>) -> RawMaterial {
    RawMaterial {
        id: r.text("id"),
        name: r.opt_text("name"),
        ewc: r.opt_text("ewc"),
        hazardous: r.boolean("hazardous"),
        import_cost: r.number("import_cost"),
        import_co2: r.number("import_co2"),
        disposal_cost: r.number("disposal_cost"),
        disposal_co2: r.number("disposal_co2"),
        max_haul_km: r.number("max_haul_km"),
        transport_cost_per_tkm: r.number("transport_cost_per_tkm"),
        transport_co2_kg_per_tkm: r.number("transport_co2_kg_per_tkm"),
    }
}

fn site_row(r: &mut Cells<'_>) -> RawSite {
    RawSite {
        id: r.text("id"),
        name: r.opt_text("name"),
        lon: r.number("lon"),
        lat: r.number("lat"),
        nace: r.opt_text("nace"),
        region: r.opt_text("region"),
    }
}

fn substitution_row(r: &mut Cells<'_>) -> RawSubstitution {
    RawSubstitution {
        from: r.text("from"),
        to: r.text("to"),
        ratio: r.number("ratio"),
    }
}

fn process_row(r: &mut Cells<'_>) -> RawProcess {
    RawProcess {
        id: r.text("id"),
        site: r.text("site"),
        name: r.opt_text("name"),
        route: r.opt_text("route"),
        capacity: r.number("capacity"),
        cost_per_unit: r.number("cost_per_unit"),
        candidate_capex: r.number("candidate_capex"),
        fixed_cost: r.number("fixed_cost"),
        min_new_capacity: r.number("min_new_capacity"),
        max_new_capacity: r.number("max_new_capacity"),
        co2_kg_per_unit: r.number("co2_kg_per_unit"),
    }
}

fn process_flow_row(r: &mut Cells<'_>) -> RawProcessFlow {
    RawProcessFlow {
        process: r.text("process"),
        material: r.text("material"),
        direction: r.text("direction"),
        coefficient: r.number("coefficient"),
    }
}

fn stream_row(r: &mut Cells<'_>) -> RawStream {
    RawStream {
        site: r.text("site"),
        material: r.text("material"),
        quantity_t: r.number("quantity_t"),
        unit_cost: r.number("unit_cost"),
        max_haul_km: r.number("max_haul_km"),
    }
}

fn read_config(dir: &Path, errors: &mut FieldErrors) -> RawConfig {
    match read_regular_file(&dir.join(CONFIG_FILE)) {
        Ok(text) => super::config::parse_config(&text, CONFIG_FILE, errors),
        Err(e) => {
            errors.push(Location::table(CONFIG_FILE), format!("cannot read: {e}"));
            RawConfig::default()
        }
    }
}

/// The text of a regular file. A device (`/dev/zero`), a FIFO or a socket is refused before
/// it is opened: the first would be read without end, the others wait for a writer.
fn read_regular_file(path: &Path) -> std::io::Result<String> {
    check_regular_file(path)?;
    std::fs::read_to_string(path)
}

fn check_regular_file(path: &Path) -> std::io::Result<()> {
    if std::fs::metadata(path)?.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

/// One CSV file held in memory with its header positions.
struct Table {
    file: &'static str,
    columns: HashMap<String, usize>,
    records: Vec<(u64, StringRecord)>,
}

impl Table {
    fn read(dir: &Path, schema: schema::Table, errors: &mut FieldErrors) -> Table {
        let file = schema.file;
        let mut table = Table {
            file,
            columns: HashMap::new(),
            records: Vec::new(),
        };
        let path = dir.join(file);
        if !path.exists() {
            if schema.required {
                errors.push(Location::table(file), "file is missing");
            }
            return table;
        }
        let opened = check_regular_file(&path)
            .map_err(csv::Error::from)
            .and_then(|()| {
                csv::ReaderBuilder::new()
                    .trim(csv::Trim::All)
                    .from_path(&path)
            });
        let mut reader = match opened {
            Ok(r) => r,
            Err(e) => {
                errors.push(Location::table(file), format!("cannot read: {e}"));
                return table;
            }
        };
        match reader.headers() {
            Ok(h) => {
                for (i, name) in h.iter().enumerate() {
                    table.columns.entry(name.to_owned()).or_insert(i);
                }
            }
            Err(e) => {
                errors.push(Location::table(file), format!("bad header: {e}"));
                return table;
            }
        }
        let header_at = Location {
            line: Some(1),
            ..Location::table(file)
        };
        let mut missing = false;
        for col in schema.required_columns() {
            if !table.columns.contains_key(col) {
                errors.push(header_at.column(col), "required column is missing");
                missing = true;
            }
        }
        if missing {
            return table;
        }
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    if r.iter().all(str::is_empty) {
                        continue; // spreadsheets leave blank trailing rows
                    }
                    table.records.push((line, r));
                }
                Err(e) => csv_problem(errors, file, &e),
            }
        }
        table
    }

    fn rows<T>(
        &self,
        errors: &mut FieldErrors,
        mut parse: impl FnMut(&mut Cells<'_>) -> T,
    ) -> Vec<Located<T>> {
        self.records
            .iter()
            .map(|(line, record)| {
                let at = Location {
                    line: Some(*line),
                    ..Location::table(self.file)
                };
                let mut cells = Cells {
                    table: self,
                    record,
                    at: &at,
                    errors,
                };
                let row = parse(&mut cells);
                Located { at, row }
            })
            .collect()
    }
}

/// The cells of one record, parsed by column name.
struct Cells<'a> {
    table: &'a Table,
    record: &'a StringRecord,
    at: &'a Location,
    errors: &'a mut FieldErrors,
}

impl Cells<'_> {
    fn raw(&self, column: &str) -> Option<&str> {
        let i = *self.table.columns.get(column)?;
        self.record.get(i).filter(|s| !s.is_empty())
    }

    fn text(&self, column: &str) -> String {
        self.raw(column).unwrap_or_default().to_owned()
    }

    fn opt_text(&self, column: &str) -> Option<String> {
        self.raw(column).map(str::to_owned)
    }

    fn number(&mut self, column: &str) -> Option<f64> {
        let s = self.raw(column)?;
        match s.parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                let msg = format!("not a number: {s:?}");
                self.errors.push(self.at.column(column), msg);
                None
            }
        }
    }

    fn boolean(&mut self, column: &str) -> Option<bool> {
        let s = self.raw(column)?;
        match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "y" => Some(true),
            "false" | "no" | "0" | "n" => Some(false),
            _ => {
                let msg = format!("not a boolean (true/false): {s:?}");
                self.errors.push(self.at.column(column), msg);
                None
            }
        }
    }
}
