//! Reading the two PRTR register files: facilities (id, name, activity, lon/lat or x/y) and
//! off-site waste transfers of one reporting year, each problem reported at its line.

use crate::model::error::{Error, FieldErrors, Location};
use std::collections::HashMap;
use std::path::Path;

/// A facility as the register lists it.
pub(super) struct Facility {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) activity: String,
    pub(super) lonlat: Option<(f64, f64)>,
    pub(super) xy: Option<(f64, f64)>,
}

/// A register file being read, plain or gzip-compressed.
type RegisterReader = csv::Reader<Box<dyn std::io::Read>>;

/// A `;`-separated file with named columns, plain or gzip-compressed.
fn open(path: &Path) -> Result<(RegisterReader, HashMap<String, usize>), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    let file = crate::input::source::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').to_owned(), i))
        .collect();
    Ok((reader, headers))
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The record, or `None` after reporting why it could not be read.
fn record_or_report(
    record: csv::Result<csv::StringRecord>,
    file: &str,
    errors: &mut FieldErrors,
) -> Option<csv::StringRecord> {
    record
        .map_err(|e| crate::input::read::csv_problem(errors, file, &e))
        .ok()
}

pub(super) fn read_facilities(
    path: &Path,
    errors: &mut FieldErrors,
) -> Result<Vec<Facility>, Error> {
    let (mut reader, cols) = open(path)?;
    let file = file_name(path);
    for c in ["facilityId", "nameOfFeature", "mainActivityCode"] {
        if !cols.contains_key(c) {
            errors.push(
                Location::table(&file).column(c),
                "required column is missing",
            );
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(std::mem::take(errors)));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let Some(record) = record_or_report(record, &file, errors) else {
            continue;
        };
        let get = |c: &str| {
            cols.get(c)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .trim()
        };
        let num = |c: &str| get(c).parse::<f64>().ok().filter(|v| v.is_finite());
        let id = get("facilityId").to_owned();
        let raw_name = get("nameOfFeature");
        let name = if raw_name.is_empty() || raw_name.eq_ignore_ascii_case("confidential") {
            format!("Confidential facility {id}")
        } else {
            raw_name.to_owned()
        };
        out.push(Facility {
            name,
            activity: get("mainActivityCode").to_owned(),
            lonlat: num("pointGeometryLon")
                .zip(num("pointGeometryLat"))
                .filter(|&(lon, lat)| {
                    lon.abs() <= 180.0 && lat.abs() <= 90.0 && (lon, lat) != (0.0, 0.0)
                }),
            xy: num("x").zip(num("y")),
            id,
        });
    }
    Ok(out)
}

/// One transfer of the year asked for.
pub(super) struct TransferRow {
    pub(super) facility: String,
    pub(super) class: String,
    pub(super) tonnes: f64,
    pub(super) exported: bool,
}

pub(super) fn read_transfers(
    path: &Path,
    year: u32,
    years_seen: &mut std::collections::BTreeSet<u32>,
    errors: &mut FieldErrors,
    mut each: impl FnMut(TransferRow),
) -> Result<(), Error> {
    let (mut reader, cols) = open(path)?;
    let file = file_name(path);
    let required = [
        "facilityId",
        "reportingYear",
        "wasteClassificationCode",
        "wasteTreatmentCode",
        "totalWasteQuantityTNE",
    ];
    for c in required {
        if !cols.contains_key(c) {
            errors.push(
                Location::table(&file).column(c),
                "required column is missing",
            );
        }
    }
    if !errors.is_empty() {
        return Ok(());
    }
    for record in reader.records() {
        let Some(record) = record_or_report(record, &file, errors) else {
            continue;
        };
        let line = record.position().map(|p| p.line());
        let get = |c: &str| {
            cols.get(c)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .trim()
        };
        let row_year = get("reportingYear").parse::<u32>().ok();
        years_seen.extend(row_year);
        if row_year != Some(year) {
            continue;
        }
        let at = |c: &str| {
            Location {
                line,
                ..Location::table(&file)
            }
            .column(c)
        };
        let class = get("wasteClassificationCode");
        let treatment = get("wasteTreatmentCode");
        if !["HW", "NONHW"].contains(&class) {
            errors.push(
                at("wasteClassificationCode"),
                format!("expected HW or NONHW, got {class:?}"),
            );
            continue;
        }
        if !["R", "D"].contains(&treatment) {
            errors.push(
                at("wasteTreatmentCode"),
                format!("expected R or D, got {treatment:?}"),
            );
            continue;
        }
        let tonnes = match get("totalWasteQuantityTNE").parse::<f64>() {
            Ok(t) if t.is_finite() && t >= 0.0 => t,
            _ => {
                errors.push(
                    at("totalWasteQuantityTNE"),
                    format!(
                        "must be a number >= 0, got {:?}",
                        get("totalWasteQuantityTNE")
                    ),
                );
                continue;
            }
        };
        each(TransferRow {
            facility: get("facilityId").to_owned(),
            class: format!("{class}.{treatment}"),
            tonnes,
            exported: !get("ReceivingSite_countryName").is_empty(),
        });
    }
    Ok(())
}
