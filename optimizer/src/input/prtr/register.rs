//! Imports the EU PRTR public files (facilities and off-site waste transfers, `;`-separated
//! UTF-8, joined on `facilityId`) for one reporting year into a circulate [`Dataset`],
//! through a [`Mapping`] of activity codes to materials.
//!
//! Facilities are placed from their WGS84 lon/lat, else from x/y through the mapping's
//! projection (proj4rs), else dropped and counted. Each transfer's tonnes (HW/NONHW x R/D)
//! are split into materials by the mapping's shares, so the tonnes written equal the tonnes
//! read. Demands and processes come from the mapping's per-activity inputs and processes.

use super::files::{file_name, read_facilities, read_transfers};
use super::mapping::{Activity, Mapping};
use crate::model::domain::*;
use crate::model::error::{Error, FieldErrors, Location};
use crate::model::ids::{Km, MaterialId, MaterialIdx, ProcessId, SiteId, SiteIdx, Tonnes};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Counts and totals of an import, for the report and for checking against the raw files.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// Reporting year imported.
    pub year: u32,
    /// Facilities in the register file.
    pub facilities_read: usize,
    /// Facilities placed from their lon/lat.
    pub facilities_placed_from_lonlat: usize,
    /// Facilities placed from projected x/y.
    pub facilities_placed_from_xy: usize,
    /// Facilities with a stream, demand or process but no usable coordinates.
    pub facilities_dropped_no_coordinates: usize,
    /// Sites written to the dataset.
    pub sites_written: usize,
    /// Waste transfer records of the year.
    pub transfers_in_year: usize,
    /// Transfers naming a facility missing from the facilities file.
    pub transfers_unknown_facility: usize,
    /// Transfers with a receiver abroad (exports of hazardous waste).
    pub transfers_exported: usize,
    /// Tonnes by class (`HW.R`, `HW.D`, `NONHW.R`, `NONHW.D`) as reported.
    pub tonnes_reported: BTreeMap<String, f64>,
    /// Tonnes written as supplies (reported minus those of dropped or unknown facilities).
    pub tonnes_written: f64,
    /// Tonnes of transfers that could not be placed.
    pub tonnes_dropped: f64,
    /// Supplies written.
    pub supplies: usize,
    /// Demands written.
    pub demands: usize,
    /// Processes written.
    pub processes: usize,
    /// Activity codes that fell back to the default mapping, with facility counts.
    pub unmapped_activity_codes: BTreeMap<String, usize>,
}

/// Reads both files and builds the dataset for `year`.
pub fn import(
    facilities: &Path,
    transfers: &Path,
    year: u32,
    mapping: &Mapping,
) -> Result<(Dataset, ImportReport), Error> {
    let mut report = ImportReport {
        year,
        ..Default::default()
    };
    let mut errors = FieldErrors::default();
    let facilities = read_facilities(facilities, &mut errors)?;
    report.facilities_read = facilities.len();
    let by_id: HashMap<&str, usize> = facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();

    let materials: Vec<Material> = mapping
        .materials
        .iter()
        .map(|m| Material {
            id: MaterialId::from(m.id.clone()),
            name: m.name.clone(),
            ewc: m.ewc.clone(),
            hazardous: m.hazardous,
            import_cost: m.import_cost,
            import_co2_kg: m.import_co2,
            disposal_cost: m.disposal_cost,
            disposal_co2_kg: m.disposal_co2,
            max_haul: m.max_haul_km.map(Km),
            transport_cost_per_tkm: None,
            transport_co2_kg_per_tkm: None,
        })
        .collect();
    let material: HashMap<&str, MaterialIdx> = mapping
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), MaterialIdx(i as u32)))
        .collect();

    // Tonnes per (facility, material), in file order of first appearance for stable output.
    let mut supplied: BTreeMap<(usize, u32), f64> = BTreeMap::new();
    let mut years_in_file = std::collections::BTreeSet::new();
    read_transfers(transfers, year, &mut years_in_file, &mut errors, |row| {
        report.transfers_in_year += 1;
        *report.tonnes_reported.entry(row.class.clone()).or_default() += row.tonnes;
        if row.exported {
            report.transfers_exported += 1;
        }
        let Some(&f) = by_id.get(row.facility.as_str()) else {
            report.transfers_unknown_facility += 1;
            report.tonnes_dropped += row.tonnes;
            return;
        };
        let activity = mapping.activity(&facilities[f].activity);
        for (m, share) in mapping.shares(activity, &row.class) {
            *supplied.entry((f, material[m.as_str()].0)).or_default() += row.tonnes * share;
        }
    })?;
    if errors.is_empty() && report.transfers_in_year == 0 {
        let years: Vec<String> = years_in_file.iter().map(u32::to_string).collect();
        errors.push(
            Location::table(&file_name(transfers)).column("reportingYear"),
            format!(
                "no transfers reported for {year}; the file has {}",
                if years.is_empty() {
                    "none".to_owned()
                } else {
                    years.join(", ")
                }
            ),
        );
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }

    let projection = match &mapping.xy_proj {
        Some(p) => Some(Projection::new(p)?),
        None => None,
    };
    let mut site_of: HashMap<usize, Option<SiteIdx>> = HashMap::new();
    let mut sites = Vec::new();
    let mut place = |f: usize, report: &mut ImportReport| -> Option<SiteIdx> {
        *site_of.entry(f).or_insert_with(|| {
            let fac = &facilities[f];
            let (lon, lat) = match (fac.lonlat, fac.xy, &projection) {
                (Some(ll), _, _) => {
                    report.facilities_placed_from_lonlat += 1;
                    ll
                }
                (None, Some((x, y)), Some(p)) => match p.to_lonlat(x, y) {
                    Some(ll) => {
                        report.facilities_placed_from_xy += 1;
                        ll
                    }
                    None => {
                        report.facilities_dropped_no_coordinates += 1;
                        return None;
                    }
                },
                _ => {
                    report.facilities_dropped_no_coordinates += 1;
                    return None;
                }
            };
            sites.push(Site {
                id: SiteId::from(fac.id.clone()),
                name: fac.name.clone(),
                lon: (lon * 1e6).round() / 1e6,
                lat: (lat * 1e6).round() / 1e6,
                nace: None,
                region: None,
            });
            Some(SiteIdx(sites.len() as u32 - 1))
        })
    };

    let mut supplies = Vec::new();
    for (&(f, m), &t) in &supplied {
        match place(f, &mut report) {
            Some(site) => {
                report.tonnes_written += t;
                supplies.push(Stream {
                    site,
                    material: MaterialIdx(m),
                    quantity: Tonnes(round_t(t)),
                    unit_cost: None,
                    max_haul: None,
                });
            }
            None => report.tonnes_dropped += t,
        }
    }
    let mut demands = Vec::new();
    let mut processes = Vec::new();
    for (f, fac) in facilities.iter().enumerate() {
        let activity: &Activity = mapping.activity(&fac.activity);
        if activity.codes.iter().any(|c| c == "*") && !fac.activity.is_empty() {
            *report
                .unmapped_activity_codes
                .entry(fac.activity.clone())
                .or_default() += 1;
        }
        if activity.inputs.is_empty() && activity.process.is_none() {
            continue;
        }
        let Some(site) = place(f, &mut report) else {
            continue;
        };
        for (m, &t) in &activity.inputs {
            demands.push(Stream {
                site,
                material: material[m.as_str()],
                quantity: Tonnes(t),
                unit_cost: None,
                max_haul: None,
            });
        }
        if let Some(p) = &activity.process {
            processes.push(Process {
                id: ProcessId::from(format!("{}-{}", fac.id, slug(&activity.label))),
                name: format!("{} ({})", activity.label, fac.name),
                // Checked by `Mapping::parse`.
                route: p
                    .route
                    .as_deref()
                    .and_then(Route::parse)
                    .unwrap_or_default(),
                site,
                capacity: p.capacity,
                cost_per_unit: p.cost_per_unit,
                co2_kg_per_unit: p.co2_kg_per_unit,
                candidate_capex: p.candidate_capex,
                fixed_cost: 0.0,
                min_new_capacity: 0.0,
                max_new_capacity: None,
                inputs: p
                    .inputs
                    .iter()
                    .map(|(m, &c)| (material[m.as_str()], c))
                    .collect(),
                outputs: p
                    .outputs
                    .iter()
                    .map(|(m, &c)| (material[m.as_str()], c))
                    .collect(),
            });
        }
    }
    report.sites_written = sites.len();
    report.supplies = supplies.len();
    report.demands = demands.len();
    report.processes = processes.len();

    let t = &mapping.transport;
    let defaults = Transport::default();
    let ds = Dataset {
        meta: DatasetMeta {
            name: format!("{}-{year}", mapping.name),
            description: format!("{} Reporting year {year}.", mapping.description),
            source: mapping.source.clone(),
            currency: mapping.currency.clone(),
        },
        co2_price: mapping.co2_price,
        border: None,
        investment: Default::default(),
        transport: Transport {
            cost_per_tkm: t.cost_per_tkm.unwrap_or(defaults.cost_per_tkm),
            co2_kg_per_tkm: t.co2_kg_per_tkm.unwrap_or(defaults.co2_kg_per_tkm),
            detour_factor: t.detour_factor.unwrap_or(defaults.detour_factor),
            max_haul: t.max_haul_km.map(Km),
        },
        materials,
        sites,
        supplies,
        demands,
        substitutions: mapping
            .substitutions
            .iter()
            .map(|s| Substitution {
                from: material[s.from.as_str()],
                to: material[s.to.as_str()],
                ratio: s.ratio,
            })
            .collect(),
        processes,
    };
    Ok((ds, report))
}

/// Tonnes to the gram: short CSV cells, and at most 0.5 g per stream off the reported total.
fn round_t(t: f64) -> f64 {
    (t * 1e6).round() / 1e6
}

fn slug(s: &str) -> String {
    s.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// x/y to WGS84 through proj4rs.
#[derive(Debug)]
pub struct Projection {
    from: proj4rs::Proj,
    to: proj4rs::Proj,
}

impl Projection {
    /// A projection from a PROJ string to WGS84 lon/lat.
    pub fn new(proj: &str) -> Result<Self, Error> {
        let bad = |e: proj4rs::errors::Error| {
            let mut errors = FieldErrors::default();
            errors.push(
                Location::table("mapping").column("xy_proj"),
                format!("{e:?}"),
            );
            Error::Invalid(errors)
        };
        Ok(Projection {
            from: proj4rs::Proj::from_proj_string(proj).map_err(bad)?,
            to: proj4rs::Proj::from_proj_string("+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs")
                .map_err(bad)?,
        })
    }

    /// Degrees lon/lat of a projected point, `None` when it falls outside the globe.
    pub fn to_lonlat(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (lon, lat) = proj4rs::adaptors::transform_xy(&self.from, &self.to, x, y).ok()?;
        let (lon, lat) = (lon.to_degrees(), lat.to_degrees());
        ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)).then_some((lon, lat))
    }
}
