//! Converts a [`RawDataset`] into a validated [`Dataset`], one function per check (the
//! PyPSA `consistency.py` way). Every problem is collected with its location; the dataset is
//! returned only when there is none, so nothing downstream sees a bad value.

mod investment;
mod numbers;
mod processes;

use super::limits::{CO2_PER_UNIT, DETOUR, KM, MONEY_PER_UNIT, PRICE, RATIO, TONNES};
use super::raw::*;
use crate::model::domain::*;
use crate::model::error::{FieldErrors, Location};
use crate::model::ids::{Km, MaterialId, MaterialIdx, SiteId, SiteIdx, Tonnes};
use numbers::{coordinate, optional, required, within};
// foldhash, not SipHash: ids of a million-row table are hashed twice each, and SipHash was
// the largest single cost of loading one (foldhash is seeded per map, so still resists
// crafted collisions).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Checks every value and reference; returns the dataset or all the problems found.
pub fn validate(raw: &RawDataset) -> Result<Dataset, FieldErrors> {
    let mut errors = FieldErrors::default();
    let (meta, co2_price, transport) = check_config(&raw.config, &mut errors);
    let investment = investment::check_investment(&raw.config, &mut errors);
    let materials = check_materials(&raw.materials, &mut errors);
    let sites = check_sites(&raw.sites, &mut errors);
    let material_index = index_of(materials.iter().map(|m| m.id.as_str()));
    let site_index = index_of(sites.iter().map(|s| s.id.as_str()));
    let refs = Refs {
        materials: &material_index,
        sites: &site_index,
    };
    // The two largest tables, checked side by side; problems keep file order.
    let streams = |rows| {
        let mut errors = FieldErrors::default();
        (check_streams(rows, &refs, &mut errors), errors)
    };
    let ((supplies, supply_errors), (demands, demand_errors)) =
        rayon::join(|| streams(&raw.supplies), || streams(&raw.demands));
    errors.append(supply_errors);
    errors.append(demand_errors);
    let substitutions = check_substitutions(&raw.substitutions, &refs, &mut errors);
    let mut processes = processes::check_processes(&raw.processes, &refs, &mut errors);
    processes::check_process_flows(&raw.process_flows, &refs, &mut processes, &mut errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    let ds = Dataset {
        meta,
        co2_price,
        transport,
        border: None,
        materials,
        sites,
        supplies,
        demands,
        substitutions,
        processes,
        investment,
    };
    investment::check_openings_bounded(&ds, &raw.processes, &mut errors);
    if errors.is_empty() {
        Ok(ds)
    } else {
        Err(errors)
    }
}

/// Where a cell is: its row and column. The [`Location`] (two strings) is built only when
/// a problem is reported, since a million-row table has few problems and many cells.
#[derive(Clone, Copy)]
struct Cell<'a> {
    row: &'a Location,
    column: &'static str,
}

impl Cell<'_> {
    fn location(&self) -> Location {
        self.row.column(self.column)
    }
}

fn cell<'a>(row: &'a Location, column: &'static str) -> Cell<'a> {
    Cell { row, column }
}

struct Refs<'a> {
    materials: &'a HashMap<String, u32>,
    sites: &'a HashMap<String, u32>,
}

impl Refs<'_> {
    fn material(&self, id: &str, at: Cell<'_>, errors: &mut FieldErrors) -> Option<MaterialIdx> {
        lookup(self.materials, id, "material", at, errors).map(MaterialIdx)
    }

    fn site(&self, id: &str, at: Cell<'_>, errors: &mut FieldErrors) -> Option<SiteIdx> {
        lookup(self.sites, id, "site", at, errors).map(SiteIdx)
    }
}

fn lookup(
    index: &HashMap<String, u32>,
    id: &str,
    kind: &str,
    at: Cell<'_>,
    errors: &mut FieldErrors,
) -> Option<u32> {
    if id.is_empty() {
        errors.push(at.location(), "is empty");
        return None;
    }
    let found = index.get(id).copied();
    if found.is_none() {
        errors.push(at.location(), format!("unknown {kind} id {id:?}"));
    }
    found
}

/// Id -> position; duplicates keep the first (they are reported by the table's own check).
fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, u32> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        map.entry(id.to_owned()).or_insert(i as u32);
    }
    map
}

fn check_config(c: &RawConfig, errors: &mut FieldErrors) -> (DatasetMeta, f64, Transport) {
    let at = Location::table(c.origin.as_deref().unwrap_or("dataset.toml"));
    let defaults = Transport::default();
    let meta = DatasetMeta {
        name: c.name.clone().unwrap_or_else(|| "unnamed".to_owned()),
        description: c.description.clone().unwrap_or_default(),
        source: c.source.clone().unwrap_or_default(),
        currency: c.currency.clone().unwrap_or_else(|| "EUR".to_owned()),
    };
    let co2_price = within(c.co2_price, 0.0, PRICE, cell(&at, "co2_price"), errors);
    let t = &c.transport;
    let transport = Transport {
        cost_per_tkm: within(
            t.cost_per_tkm,
            defaults.cost_per_tkm,
            PRICE,
            cell(&at, "transport.cost_per_tkm"),
            errors,
        ),
        co2_kg_per_tkm: within(
            t.co2_kg_per_tkm,
            defaults.co2_kg_per_tkm,
            CO2_PER_UNIT,
            cell(&at, "transport.co2_kg_per_tkm"),
            errors,
        ),
        detour_factor: within(
            t.detour_factor,
            defaults.detour_factor,
            DETOUR,
            cell(&at, "transport.detour_factor"),
            errors,
        ),
        max_haul: optional(
            t.max_haul_km,
            KM,
            cell(&at, "transport.max_haul_km"),
            errors,
        )
        .map(Km),
    };
    (meta, co2_price, transport)
}

fn check_materials(rows: &[Located<RawMaterial>], errors: &mut FieldErrors) -> Vec<Material> {
    check_unique_ids(
        rows.iter().map(|r| (r.row.id.as_str(), &r.at)),
        "material",
        errors,
    );
    rows.iter()
        .map(|Located { at, row }| Material {
            id: MaterialId::from(row.id.clone()),
            name: row.name.clone().unwrap_or_else(|| row.id.clone()),
            ewc: row.ewc.clone(),
            hazardous: row.hazardous.unwrap_or(false),
            import_cost: within(
                row.import_cost,
                0.0,
                MONEY_PER_UNIT,
                cell(at, "import_cost"),
                errors,
            ),
            import_co2_kg: within(
                row.import_co2,
                0.0,
                CO2_PER_UNIT,
                cell(at, "import_co2"),
                errors,
            ),
            disposal_cost: within(
                row.disposal_cost,
                0.0,
                MONEY_PER_UNIT,
                cell(at, "disposal_cost"),
                errors,
            ),
            disposal_co2_kg: within(
                row.disposal_co2,
                0.0,
                CO2_PER_UNIT,
                cell(at, "disposal_co2"),
                errors,
            ),
            max_haul: optional(row.max_haul_km, KM, cell(at, "max_haul_km"), errors).map(Km),
            transport_cost_per_tkm: optional(
                row.transport_cost_per_tkm,
                PRICE,
                cell(at, "transport_cost_per_tkm"),
                errors,
            ),
            transport_co2_kg_per_tkm: optional(
                row.transport_co2_kg_per_tkm,
                CO2_PER_UNIT,
                cell(at, "transport_co2_kg_per_tkm"),
                errors,
            ),
        })
        .collect()
}

fn check_sites(rows: &[Located<RawSite>], errors: &mut FieldErrors) -> Vec<Site> {
    check_unique_ids(
        rows.iter().map(|r| (r.row.id.as_str(), &r.at)),
        "site",
        errors,
    );
    rows.iter()
        .map(|Located { at, row }| Site {
            id: SiteId::from(row.id.clone()),
            name: row.name.clone().unwrap_or_else(|| row.id.clone()),
            lon: coordinate(row.lon, 180.0, cell(at, "lon"), errors),
            lat: coordinate(row.lat, 90.0, cell(at, "lat"), errors),
            nace: row.nace.clone(),
            region: row.region.clone(),
        })
        .collect()
}

fn check_streams(
    rows: &[Located<RawStream>],
    refs: &Refs<'_>,
    errors: &mut FieldErrors,
) -> Vec<Stream> {
    rows.iter()
        .filter_map(|Located { at, row }| {
            let site = refs.site(&row.site, cell(at, "site"), errors);
            let material = refs.material(&row.material, cell(at, "material"), errors);
            let quantity = required(row.quantity_t, TONNES, cell(at, "quantity_t"), errors);
            let unit_cost = row
                .unit_cost
                .map(|c| within(Some(c), 0.0, MONEY_PER_UNIT, cell(at, "unit_cost"), errors));
            let max_haul = optional(row.max_haul_km, KM, cell(at, "max_haul_km"), errors).map(Km);
            Some(Stream {
                site: site?,
                material: material?,
                quantity: Tonnes(quantity?),
                unit_cost,
                max_haul,
            })
        })
        .collect()
}

fn check_substitutions(
    rows: &[Located<RawSubstitution>],
    refs: &Refs<'_>,
    errors: &mut FieldErrors,
) -> Vec<Substitution> {
    let mut seen = HashSet::new();
    rows.iter()
        .filter_map(|Located { at, row }| {
            let from = refs.material(&row.from, cell(at, "from"), errors);
            let to = refs.material(&row.to, cell(at, "to"), errors);
            let ratio = required(row.ratio, RATIO, cell(at, "ratio"), errors);
            let (from, to) = (from?, to?);
            if from == to {
                errors.push(
                    at.column("to"),
                    "a material substitutes itself at ratio 1 implicitly; remove this row",
                );
                return None;
            }
            if !seen.insert((from, to)) {
                errors.push(
                    at.column("to"),
                    format!("duplicate substitution {} -> {}", row.from, row.to),
                );
                return None;
            }
            Some(Substitution {
                from,
                to,
                ratio: ratio?,
            })
        })
        .collect()
}

fn check_unique_ids<'a>(
    ids: impl Iterator<Item = (&'a str, &'a Location)>,
    kind: &str,
    errors: &mut FieldErrors,
) {
    let mut first_seen: HashMap<&str, &Location> = HashMap::new();
    for (id, at) in ids {
        if id.is_empty() {
            errors.push(at.column("id"), format!("{kind} id is empty"));
            continue;
        }
        if let Some(first) = first_seen.get(id) {
            errors.push(
                at.column("id"),
                format!("duplicate {kind} id {id:?} (first at {first})"),
            );
        } else {
            first_seen.insert(id, at);
        }
    }
}
