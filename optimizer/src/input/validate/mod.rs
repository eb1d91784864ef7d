//! Converts a [`RawDataset`] into a validated [`Dataset`], one function per check (the
//! PyPSA `consistency.py` way). Every problem is collected with its location; the dataset is
//! returned only when there is none, so nothing downstream sees a bad value.

mod numbers;

use super::limits::{
    CAPEX, CO2_PER_UNIT, DETOUR, FIXED_COST, KM, MONEY_PER_UNIT, NEW_CAPACITY, NEW_PROCESSES,
    PRICE, RATIO, TONNES,
};
use super::raw::*;
use crate::model::domain::*;
use crate::model::error::{FieldErrors, Location};
use crate::model::ids::{Km, MaterialId, MaterialIdx, ProcessId, SiteId, SiteIdx, Tonnes};
use numbers::{coordinate, optional, required, within};
// foldhash, not SipHash: ids of a million-row table are hashed twice each, and SipHash was
// the largest single cost of loading one (foldhash is seeded per map, so still resists
// crafted collisions).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Checks every value and reference; returns the dataset or all the problems found.
pub fn validate(raw: &RawDataset) -> Result<Dataset, FieldErrors> {
    let mut errors = FieldErrors::default();
    let (meta, co2_price, transport) = check_config(&raw.config, &mut errors);
    let investment = check_investment(&raw.config, &mut errors);
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
    let mut processes = check_processes(&raw.processes, &refs, &mut errors);
    check_process_flows(&raw.process_flows, &refs, &mut processes, &mut errors);

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
    check_openings_bounded(&ds, &raw.processes, &mut errors);
    if errors.is_empty() {
        Ok(ds)
    } else {
        Err(errors)
    }
}

/// A candidate whose opening is a decision needs a largest size: its `max_new_capacity`, or
/// one its inputs imply (what could ever reach them, see [`Dataset::activity_bounds`]).
/// Without either, the opening cannot be tied to the new capacity it pays for. Run on a
/// dataset whose processes are the rows of `rows`, one for one.
fn check_openings_bounded(ds: &Dataset, rows: &[Located<RawProcess>], errors: &mut FieldErrors) {
    let unsized_decision = |p: &Process| ds.opening_decided(p) && p.max_new_capacity.is_none();
    if !ds.processes.iter().any(unsized_decision) {
        return;
    }
    let most = ds.activity_bounds();
    for ((p, row), most) in ds.processes.iter().zip(rows).zip(most) {
        if unsized_decision(p) && most.is_none() {
            errors.push(
                cell(&row.at, "max_new_capacity").location(),
                "is needed: opening this candidate is a decision (fixed_cost, min_new_capacity or \
                 [investment] max_new_processes), and nothing bounds what its inputs could receive",
            );
        }
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

/// `[investment]`: a budget in currency/yr and a whole number of openings.
fn check_investment(c: &RawConfig, errors: &mut FieldErrors) -> Investment {
    let at = Location::table(c.origin.as_deref().unwrap_or("dataset.toml"));
    let i = &c.investment;
    let budget = optional(i.budget, FIXED_COST, cell(&at, "investment.budget"), errors);
    let openings = cell(&at, "investment.max_new_processes");
    let max_new_processes = optional(i.max_new_processes, NEW_PROCESSES, openings, errors)
        .and_then(|n| {
            if n.fract() == 0.0 {
                Some(n as usize)
            } else {
                errors.push(
                    openings.location(),
                    format!("must be a whole number (got {n})"),
                );
                None
            }
        });
    Investment {
        budget,
        max_new_processes,
    }
}

/// The sizes and start-up cost of a candidate: only on rows with `candidate_capex`, and
/// `min_new_capacity` at most `max_new_capacity`.
fn check_new_capacity(
    row: &RawProcess,
    at: &Location,
    errors: &mut FieldErrors,
) -> (f64, f64, Option<f64>) {
    let fixed = optional(row.fixed_cost, FIXED_COST, cell(at, "fixed_cost"), errors);
    let min = optional(
        row.min_new_capacity,
        NEW_CAPACITY,
        cell(at, "min_new_capacity"),
        errors,
    );
    let max = optional(
        row.max_new_capacity,
        NEW_CAPACITY,
        cell(at, "max_new_capacity"),
        errors,
    );
    if row.candidate_capex.is_none() {
        let given = [
            (row.fixed_cost, "fixed_cost"),
            (row.min_new_capacity, "min_new_capacity"),
            (row.max_new_capacity, "max_new_capacity"),
        ];
        for (_, column) in given.iter().filter(|(v, _)| v.is_some()) {
            errors.push(
                cell(at, column).location(),
                "applies to candidates only: set candidate_capex on this row, or leave it empty",
            );
        }
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(
            cell(at, "min_new_capacity").location(),
            format!("must be at most max_new_capacity ({max}), got {min}"),
        );
    }
    (fixed.unwrap_or(0.0), min.unwrap_or(0.0), max)
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

fn check_processes(
    rows: &[Located<RawProcess>],
    refs: &Refs<'_>,
    errors: &mut FieldErrors,
) -> Vec<Process> {
    check_unique_ids(
        rows.iter().map(|r| (r.row.id.as_str(), &r.at)),
        "process",
        errors,
    );
    rows.iter()
        .filter_map(|Located { at, row }| {
            let site = refs.site(&row.site, cell(at, "site"), errors);
            let route = route(row.route.as_deref(), at, errors);
            let (fixed_cost, min_new_capacity, max_new_capacity) =
                check_new_capacity(row, at, errors);
            let process = Process {
                id: ProcessId::from(row.id.clone()),
                name: row.name.clone().unwrap_or_else(|| row.id.clone()),
                route: route?,
                site: site?,
                capacity: required(row.capacity, TONNES, cell(at, "capacity"), errors)?,
                cost_per_unit: within(
                    row.cost_per_unit,
                    0.0,
                    MONEY_PER_UNIT,
                    cell(at, "cost_per_unit"),
                    errors,
                ),
                co2_kg_per_unit: within(
                    row.co2_kg_per_unit,
                    0.0,
                    CO2_PER_UNIT,
                    cell(at, "co2_kg_per_unit"),
                    errors,
                ),
                candidate_capex: optional(
                    row.candidate_capex,
                    CAPEX,
                    cell(at, "candidate_capex"),
                    errors,
                ),
                fixed_cost,
                min_new_capacity,
                max_new_capacity,
                inputs: Vec::new(),
                outputs: Vec::new(),
            };
            Some(process)
        })
        .collect()
}

/// A process's route; empty is recovery (the default for recyclers and sorters).
fn route(text: Option<&str>, at: &Location, errors: &mut FieldErrors) -> Option<Route> {
    let Some(text) = text else {
        return Some(Route::default());
    };
    let route = Route::parse(text);
    if route.is_none() {
        errors.push(
            at.column("route"),
            format!("must be recovery, disposal, R1-R13 or D1-D15 (got {text:?})"),
        );
    }
    route
}

fn check_process_flows(
    rows: &[Located<RawProcessFlow>],
    refs: &Refs<'_>,
    processes: &mut [Process],
    errors: &mut FieldErrors,
) {
    let process_index = index_of(processes.iter().map(|p| p.id.as_str()));
    let mut seen = HashSet::new();
    for Located { at, row } in rows {
        let process = lookup(
            &process_index,
            &row.process,
            "process",
            cell(at, "process"),
            errors,
        );
        let material = refs.material(&row.material, cell(at, "material"), errors);
        let is_input = match row.direction.to_ascii_lowercase().as_str() {
            "in" => Some(true),
            "out" => Some(false),
            other => {
                errors.push(
                    at.column("direction"),
                    format!("must be \"in\" or \"out\" (got {other:?})"),
                );
                None
            }
        };
        let coefficient = required(row.coefficient, RATIO, cell(at, "coefficient"), errors);
        let (Some(p), Some(m), Some(is_input), Some(c)) =
            (process, material, is_input, coefficient)
        else {
            continue;
        };
        if !seen.insert((p, m, is_input)) {
            errors.push(
                at.column("material"),
                format!(
                    "duplicate {} flow of material {:?} for process {:?}",
                    if is_input { "input" } else { "output" },
                    row.material,
                    row.process
                ),
            );
            continue;
        }
        let proc = &mut processes[p as usize];
        if is_input {
            proc.inputs.push((m, c));
        } else {
            proc.outputs.push((m, c));
        }
    }
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
