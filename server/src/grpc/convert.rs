//! The one conversion layer between the API and the optimizer: protobuf requests into the
//! optimizer's raw dataset (validated by the same code as dataset folders, with field paths
//! such as `dataset.supplies[3].quantity_t`), and results back into protobuf.

use super::pb;
use optimizer::input::raw::*;
use optimizer::report as r;
use optimizer::report::{Unmatched, UnmatchedReason};
use optimizer::{FieldErrors, Location, SolveResult, SolveStatus};

fn at(table: &str, index: usize) -> Location {
    Location {
        index: Some(index),
        ..Location::table(table)
    }
}

fn text(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

// Every conversion below destructures its message whole, so a field added to the proto
// fails to compile here until it is carried (or explicitly ignored with a reason).

fn transport(t: Option<pb::Transport>) -> RawTransport {
    let pb::Transport {
        cost_per_tkm,
        co2_kg_per_tkm,
        detour_factor,
        max_haul_km,
    } = t.unwrap_or_default();
    RawTransport {
        cost_per_tkm,
        co2_kg_per_tkm,
        detour_factor,
        max_haul_km,
    }
}

fn material(m: pb::Material) -> RawMaterial {
    let pb::Material {
        id,
        name,
        ewc,
        hazardous,
        import_cost,
        import_co2,
        disposal_cost,
        disposal_co2,
        max_haul_km,
        transport_cost_per_tkm,
        transport_co2_kg_per_tkm,
    } = m;
    RawMaterial {
        id,
        name: text(name),
        ewc: text(ewc),
        hazardous: Some(hazardous),
        import_cost,
        import_co2,
        disposal_cost,
        disposal_co2,
        max_haul_km,
        transport_cost_per_tkm,
        transport_co2_kg_per_tkm,
    }
}

fn substitutions(table: &str, subs: Vec<pb::Substitution>) -> Vec<Located<RawSubstitution>> {
    subs.into_iter()
        .enumerate()
        .map(|(i, pb::Substitution { from, to, ratio })| Located {
            at: at(table, i),
            row: RawSubstitution {
                from,
                to,
                ratio: Some(ratio),
            },
        })
        .collect()
}

fn materials(table: &str, list: Vec<pb::Material>) -> Vec<Located<RawMaterial>> {
    list.into_iter()
        .enumerate()
        .map(|(i, m)| Located {
            at: at(table, i),
            row: material(m),
        })
        .collect()
}

fn site(s: pb::Site) -> RawSite {
    let pb::Site {
        id,
        name,
        lon,
        lat,
        nace,
        region,
    } = s;
    RawSite {
        id,
        name: text(name),
        lon: Some(lon),
        lat: Some(lat),
        nace: text(nace),
        region: text(region),
    }
}

fn stream(s: pb::Stream) -> RawStream {
    let pb::Stream {
        site,
        material,
        quantity_t,
        unit_cost,
        max_haul_km,
    } = s;
    RawStream {
        site,
        material,
        quantity_t: Some(quantity_t),
        unit_cost,
        max_haul_km,
    }
}

fn located<T, U>(table: &str, list: Vec<T>, convert: impl Fn(T) -> U) -> Vec<Located<U>> {
    list.into_iter()
        .enumerate()
        .map(|(i, row)| Located {
            at: at(table, i),
            row: convert(row),
        })
        .collect()
}

/// A process and its flows (nested as `inputs` and `outputs` over the API, a row each in
/// `process_flows.csv`).
fn process(
    i: usize,
    p: pb::Process,
    processes: &mut Vec<Located<RawProcess>>,
    process_flows: &mut Vec<Located<RawProcessFlow>>,
) {
    let pb::Process {
        id,
        site,
        capacity,
        cost_per_unit,
        candidate_capex,
        co2_kg_per_unit,
        inputs,
        outputs,
    } = p;
    for (direction, field, flows) in [("in", "inputs", inputs), ("out", "outputs", outputs)] {
        let table = format!("dataset.processes[{i}].{field}");
        for (
            j,
            pb::ProcessFlow {
                material,
                coefficient,
            },
        ) in flows.into_iter().enumerate()
        {
            process_flows.push(Located {
                at: at(&table, j),
                row: RawProcessFlow {
                    process: id.clone(),
                    material,
                    direction: direction.to_owned(),
                    coefficient: Some(coefficient),
                },
            });
        }
    }
    processes.push(Located {
        at: at("dataset.processes", i),
        row: RawProcess {
            id,
            site,
            capacity: Some(capacity),
            cost_per_unit,
            candidate_capex,
            co2_kg_per_unit,
        },
    });
}

/// An API dataset as a raw dataset; `optimizer::input::validate` checks it.
pub fn raw_dataset(d: pb::Dataset) -> RawDataset {
    let pb::Dataset {
        name,
        description,
        source,
        currency,
        co2_price,
        transport: transport_defaults,
        materials: material_list,
        sites,
        supplies,
        demands,
        substitutions: substitution_list,
        processes: process_list,
    } = d;
    let mut processes = Vec::new();
    let mut process_flows = Vec::new();
    for (i, p) in process_list.into_iter().enumerate() {
        process(i, p, &mut processes, &mut process_flows);
    }
    RawDataset {
        config: RawConfig {
            name: text(name),
            description: text(description),
            source: text(source),
            currency: text(currency),
            co2_price,
            transport: transport(transport_defaults),
            origin: Some("dataset".to_owned()),
        },
        materials: materials("dataset.materials", material_list),
        sites: located("dataset.sites", sites, site),
        supplies: located("dataset.supplies", supplies, stream),
        demands: located("dataset.demands", demands, stream),
        substitutions: substitutions("dataset.substitutions", substitution_list),
        processes,
        process_flows,
    }
}

/// Site id prefixes that keep offer and request ids apart.
pub const OFFER_SITE: &str = "offer:";
pub const REQUEST_SITE: &str = "request:";

/// A match batch as a raw dataset: one site and one stream per listing.
pub fn raw_match_dataset(req: &pb::MatchBatchRequest) -> RawDataset {
    let mut sites = Vec::new();
    let mut supplies = Vec::new();
    let mut demands = Vec::new();
    // One site per listing, and the listing as a stream there.
    let mut listing = |table: &str, prefix: &str, i: usize, id: &str, lon: f64, lat: f64| {
        let site = RawSite {
            // An empty listing id stays empty, so validation reports it as missing.
            id: if id.is_empty() {
                String::new()
            } else {
                format!("{prefix}{id}")
            },
            name: Some(id.to_owned()),
            lon: Some(lon),
            lat: Some(lat),
            nace: None,
            region: None,
        };
        let site_id = site.id.clone();
        sites.push(Located {
            at: at(table, i),
            row: site,
        });
        site_id
    };
    for (i, o) in req.offers.iter().enumerate() {
        let pb::Offer {
            id,
            material,
            quantity_t,
            lon,
            lat,
            disposal_cost_avoided,
        } = o;
        let site = listing("offers", OFFER_SITE, i, id, *lon, *lat);
        supplies.push(Located {
            at: at("offers", i),
            row: RawStream {
                site,
                material: material.clone(),
                quantity_t: Some(*quantity_t),
                unit_cost: *disposal_cost_avoided,
                max_haul_km: None,
            },
        });
    }
    for (i, q) in req.requests.iter().enumerate() {
        let pb::Request {
            id,
            material,
            quantity_t,
            lon,
            lat,
            max_km,
            value_per_t,
        } = q;
        let site = listing("requests", REQUEST_SITE, i, id, *lon, *lat);
        demands.push(Located {
            at: at("requests", i),
            row: RawStream {
                site,
                material: material.clone(),
                quantity_t: Some(*quantity_t),
                unit_cost: *value_per_t,
                max_haul_km: *max_km,
            },
        });
    }
    RawDataset {
        config: RawConfig {
            name: Some("match-batch".to_owned()),
            co2_price: req.co2_price,
            transport: transport(req.transport),
            origin: Some("transport".to_owned()),
            ..Default::default()
        },
        materials: materials("materials", req.materials.clone()),
        sites,
        supplies,
        demands,
        substitutions: substitutions("substitutions", req.substitutions.clone()),
        processes: Vec::new(),
        process_flows: Vec::new(),
    }
}

/// Field path of a validation problem, in the API's own field names.
pub fn field_path(location: &Location) -> String {
    let path = location.field_path();
    if location.table == "offers" {
        path.replace(".unit_cost", ".disposal_cost_avoided")
    } else if location.table == "requests" {
        path.replace(".unit_cost", ".value_per_t")
            .replace(".max_haul_km", ".max_km")
    } else if location.table == "transport" {
        // Config fields of a match batch live on the request itself.
        path.replacen("transport.transport.", "transport.", 1)
            .replacen("transport.co2_price", "co2_price", 1)
    } else {
        path
    }
}

/// Violations as (field, description) pairs, every one of them.
/// The first [`optimizer::LISTED_OVER_API`] problems as (field path, description), each cut
/// to [`optimizer::SHOWN_CHARS`], and how many more there are.
pub fn violations(errors: &FieldErrors) -> (Vec<(String, String)>, usize) {
    let (listed, more) = errors.first(optimizer::LISTED_OVER_API);
    let listed = listed
        .into_iter()
        .map(|e| {
            let path = optimizer::shorten(&field_path(&e.location), optimizer::SHOWN_CHARS);
            (path, e.message)
        })
        .collect();
    (listed, more)
}

pub fn status(s: SolveStatus) -> pb::SolveStatus {
    match s {
        SolveStatus::Optimal => pb::SolveStatus::Optimal,
        SolveStatus::Infeasible => pb::SolveStatus::Infeasible,
        SolveStatus::Unbounded => pb::SolveStatus::Unbounded,
        SolveStatus::InfeasibleOrUnbounded => pb::SolveStatus::InfeasibleOrUnbounded,
        SolveStatus::TimeLimit => pb::SolveStatus::TimeLimit,
        SolveStatus::IterationLimit => pb::SolveStatus::IterationLimit,
        SolveStatus::SolverError => pb::SolveStatus::SolverError,
    }
}

impl From<&r::CostParts> for pb::CostParts {
    fn from(p: &r::CostParts) -> Self {
        let r::CostParts {
            transport,
            import,
            disposal,
            process,
            capex,
            co2,
            total,
            emissions_kg,
        } = *p;
        let r::Emissions {
            transport: emissions_transport_kg,
            import: emissions_import_kg,
            disposal: emissions_disposal_kg,
            process: emissions_process_kg,
            total: emissions_total_kg,
        } = emissions_kg;
        pb::CostParts {
            transport,
            import,
            disposal,
            process,
            capex,
            co2,
            total,
            emissions_transport_kg,
            emissions_import_kg,
            emissions_disposal_kg,
            emissions_process_kg,
            emissions_total_kg,
        }
    }
}

impl From<&r::SolveStats> for pb::SolveStats {
    fn from(s: &r::SolveStats) -> Self {
        let r::SolveStats {
            // Decomposition and backend detail: in result.json, not (yet) in the API.
            components: _,
            min_cost_flow_parts: _,
            k,
            exact,
            priced,
            pricing_rounds,
            arcs_added_by_pricing,
            candidate_arcs,
            columns,
            rows,
            network_seconds,
            lp_build_seconds,
            solve_seconds,
            pricing_seconds,
        } = *s;
        pb::SolveStats {
            k: k as u32,
            exact,
            priced,
            pricing_rounds: pricing_rounds as u32,
            arcs_added_by_pricing: arcs_added_by_pricing as u64,
            candidate_arcs: candidate_arcs as u64,
            columns: columns as u64,
            rows: rows as u64,
            network_seconds,
            lp_build_seconds,
            solve_seconds,
            pricing_seconds,
        }
    }
}

impl From<&r::Target> for pb::Target {
    fn from(t: &r::Target) -> Self {
        pb::Target {
            rank: t.rank as u32,
            material: t.material.to_string(),
            demand_t: t.demand_t,
            imported_t: t.imported_t,
            substituted_t: t.substituted_t,
            served_by: t
                .served_by
                .iter()
                .map(|s| pb::ServedBy {
                    material: s.material.to_string(),
                    tonnes_sent: s.tonnes_sent,
                })
                .collect(),
            new_capacity: t
                .new_capacity
                .iter()
                .map(|c| pb::CapacityTarget {
                    process: c.process.to_string(),
                    site: c.site.to_string(),
                    lon: c.lon,
                    lat: c.lat,
                    new_capacity: c.new_capacity,
                    capex: c.capex,
                })
                .collect(),
            import_cost_avoided: t.import_cost_avoided,
            delivery_cost: t.delivery_cost,
            process_cost: t.process_cost,
            net_savings: t.net_savings,
        }
    }
}

fn prices(list: &[r::StreamPrice]) -> Vec<pb::StreamPrice> {
    list.iter()
        .map(|p| pb::StreamPrice {
            site: p.site.to_string(),
            material: p.material.to_string(),
            quantity_t: p.quantity_t,
            marginal_cost: p.marginal_cost,
        })
        .collect()
}

impl From<&SolveResult> for pb::OptimizeResponse {
    fn from(res: &SolveResult) -> Self {
        let opt = |s: &Option<optimizer::ProcessId>| {
            s.as_ref().map(|p| p.to_string()).unwrap_or_default()
        };
        pb::OptimizeResponse {
            status: status(res.status) as i32,
            objective: res.objective,
            baseline: res.baseline,
            objective_parts: res.objective_parts.as_ref().map(Into::into),
            baseline_parts: Some((&res.baseline_parts).into()),
            kpis: res.kpis.as_ref().map(|k| pb::Kpis {
                total_supply_t: k.total_supply_t,
                total_demand_t: k.total_demand_t,
                diverted_from_disposal_t: k.diverted_from_disposal_t,
                imports_substituted_t: k.imports_substituted_t,
                tonne_km: k.tonne_km,
                co2_saved_t: k.co2_saved_t,
                cost_saved: k.cost_saved,
                circularity_rate: k.circularity_rate,
            }),
            flows: res
                .flows
                .iter()
                .map(|f| pb::Flow {
                    from_site: f.from_site.to_string(),
                    from_name: f.from_name.clone(),
                    from_process: opt(&f.from_process),
                    to_site: f.to_site.to_string(),
                    to_name: f.to_name.clone(),
                    to_process: opt(&f.to_process),
                    material_sent: f.material_sent.to_string(),
                    material_served: f.material_served.to_string(),
                    tonnes_sent: f.tonnes_sent,
                    tonnes_served: f.tonnes_served,
                    km: f.km,
                    cost: f.cost,
                    co2_kg: f.co2_kg,
                    from_lon: f.from_lon,
                    from_lat: f.from_lat,
                    to_lon: f.to_lon,
                    to_lat: f.to_lat,
                })
                .collect(),
            imports: res
                .imports
                .iter()
                .map(|i| pb::Import {
                    site: i.site.to_string(),
                    material: i.material.to_string(),
                    demand_t: i.demand_t,
                    imported_t: i.imported_t,
                    cost: i.cost,
                    co2_kg: i.co2_kg,
                })
                .collect(),
            disposals: res
                .disposals
                .iter()
                .map(|d| pb::Disposal {
                    site: d.site.to_string(),
                    material: d.material.to_string(),
                    process: opt(&d.process),
                    disposed_t: d.disposed_t,
                    cost: d.cost,
                    co2_kg: d.co2_kg,
                })
                .collect(),
            processes: res
                .processes
                .iter()
                .map(|p| pb::ProcessUse {
                    id: p.id.to_string(),
                    site: p.site.to_string(),
                    activity: p.activity,
                    capacity: p.capacity,
                    new_capacity: p.new_capacity,
                })
                .collect(),
            supply_prices: res
                .shadow_prices
                .as_ref()
                .map(|p| prices(&p.supplies))
                .unwrap_or_default(),
            demand_prices: res
                .shadow_prices
                .as_ref()
                .map(|p| prices(&p.demands))
                .unwrap_or_default(),
            targets: res.targets.iter().map(Into::into).collect(),
            stats: Some((&res.stats).into()),
            currency: res.currency.clone(),
        }
    }
}

/// The listing id of a batch site: the site id without the one prefix the batch added.
fn listing_id(site: &optimizer::SiteId, prefix: &str) -> String {
    let id = site.as_str();
    id.strip_prefix(prefix).unwrap_or(id).to_owned()
}

/// The matches of a solved batch: flows from offer sites to request sites.
pub fn matches(res: &SolveResult) -> Vec<pb::Match> {
    res.flows
        .iter()
        .map(|f| pb::Match {
            // One prefix off, never more: an offer named `offer:x` stays `offer:x`.
            offer_id: listing_id(&f.from_site, OFFER_SITE),
            request_id: listing_id(&f.to_site, REQUEST_SITE),
            quantity_t: f.tonnes_sent,
            served_t: f.tonnes_served,
            km: f.km,
            cost: f.cost,
            co2_kg: f.co2_kg,
        })
        .collect()
}

pub fn unmatched(list: &[Unmatched], ids: impl Fn(usize) -> String) -> Vec<pb::Unmatched> {
    list.iter()
        .map(|u| pb::Unmatched {
            id: ids(u.index),
            quantity_t: u.tonnes,
            reason: match u.reason {
                UnmatchedReason::NoCounterpartInRange => pb::UnmatchedReason::NoCounterpartInRange,
                UnmatchedReason::Capacity => pb::UnmatchedReason::Capacity,
                UnmatchedReason::Outbid => pb::UnmatchedReason::Outbid,
            } as i32,
        })
        .collect()
}
