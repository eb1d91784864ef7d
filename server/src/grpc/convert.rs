//! The one conversion layer between the API and the optimizer: protobuf requests into the
//! optimizer's raw dataset (validated by the same code as dataset folders, with field paths
//! such as `dataset.supplies[3].quantity_t`), and results back into protobuf.

use super::pb;
use optimizer::dataset::raw::*;
use optimizer::matching::{Unmatched, UnmatchedReason};
use optimizer::results as r;
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

fn transport(t: Option<pb::Transport>) -> RawTransport {
    let t = t.unwrap_or_default();
    RawTransport {
        cost_per_tkm: t.cost_per_tkm,
        co2_kg_per_tkm: t.co2_kg_per_tkm,
        detour_factor: t.detour_factor,
        max_haul_km: t.max_haul_km,
    }
}

fn material(m: pb::Material) -> RawMaterial {
    RawMaterial {
        id: m.id,
        name: text(m.name),
        ewc: text(m.ewc),
        hazardous: Some(m.hazardous),
        import_cost: m.import_cost,
        import_co2: m.import_co2,
        disposal_cost: m.disposal_cost,
        disposal_co2: m.disposal_co2,
        max_haul_km: m.max_haul_km,
        transport_cost_per_tkm: m.transport_cost_per_tkm,
        transport_co2_kg_per_tkm: m.transport_co2_kg_per_tkm,
    }
}

fn substitutions(table: &str, subs: Vec<pb::Substitution>) -> Vec<Located<RawSubstitution>> {
    subs.into_iter()
        .enumerate()
        .map(|(i, s)| Located {
            at: at(table, i),
            row: RawSubstitution {
                from: s.from,
                to: s.to,
                ratio: Some(s.ratio),
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

/// An API dataset as a raw dataset; `optimizer::dataset::validate` checks it.
pub fn raw_dataset(d: pb::Dataset) -> RawDataset {
    let streams = |table: &str, list: Vec<pb::Stream>| {
        list.into_iter()
            .enumerate()
            .map(|(i, s)| Located {
                at: at(table, i),
                row: RawStream {
                    site: s.site,
                    material: s.material,
                    quantity_t: Some(s.quantity_t),
                    unit_cost: s.unit_cost,
                    max_haul_km: s.max_haul_km,
                },
            })
            .collect()
    };
    let mut processes = Vec::new();
    let mut process_flows = Vec::new();
    for (i, p) in d.processes.into_iter().enumerate() {
        for (direction, flows) in [("in", p.inputs), ("out", p.outputs)] {
            let table = format!(
                "dataset.processes[{i}].{}",
                if direction == "in" {
                    "inputs"
                } else {
                    "outputs"
                }
            );
            for (j, f) in flows.into_iter().enumerate() {
                process_flows.push(Located {
                    at: at(&table, j),
                    row: RawProcessFlow {
                        process: p.id.clone(),
                        material: f.material,
                        direction: direction.to_owned(),
                        coefficient: Some(f.coefficient),
                    },
                });
            }
        }
        processes.push(Located {
            at: at("dataset.processes", i),
            row: RawProcess {
                id: p.id,
                site: p.site,
                capacity: Some(p.capacity),
                cost_per_unit: p.cost_per_unit,
                candidate_capex: p.candidate_capex,
                co2_kg_per_unit: p.co2_kg_per_unit,
            },
        });
    }
    RawDataset {
        config: RawConfig {
            name: text(d.name),
            description: text(d.description),
            source: text(d.source),
            currency: text(d.currency),
            co2_price: d.co2_price,
            transport: transport(d.transport),
            origin: Some("dataset".to_owned()),
        },
        materials: materials("dataset.materials", d.materials),
        sites: d
            .sites
            .into_iter()
            .enumerate()
            .map(|(i, s)| Located {
                at: at("dataset.sites", i),
                row: RawSite {
                    id: s.id,
                    name: text(s.name),
                    lon: Some(s.lon),
                    lat: Some(s.lat),
                    nace: text(s.nace),
                    region: text(s.region),
                },
            })
            .collect(),
        supplies: streams("dataset.supplies", d.supplies),
        demands: streams("dataset.demands", d.demands),
        substitutions: substitutions("dataset.substitutions", d.substitutions),
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
    for (i, o) in req.offers.iter().enumerate() {
        let site = format!("{OFFER_SITE}{}", o.id);
        sites.push(Located {
            at: at("offers", i),
            row: RawSite {
                id: site.clone(),
                name: Some(o.id.clone()),
                lon: Some(o.lon),
                lat: Some(o.lat),
                nace: None,
                region: None,
            },
        });
        supplies.push(Located {
            at: at("offers", i),
            row: RawStream {
                site,
                material: o.material.clone(),
                quantity_t: Some(o.quantity_t),
                unit_cost: o.disposal_cost_avoided,
                max_haul_km: None,
            },
        });
    }
    for (i, q) in req.requests.iter().enumerate() {
        let site = format!("{REQUEST_SITE}{}", q.id);
        sites.push(Located {
            at: at("requests", i),
            row: RawSite {
                id: site.clone(),
                name: Some(q.id.clone()),
                lon: Some(q.lon),
                lat: Some(q.lat),
                nace: None,
                region: None,
            },
        });
        demands.push(Located {
            at: at("requests", i),
            row: RawStream {
                site,
                material: q.material.clone(),
                quantity_t: Some(q.quantity_t),
                unit_cost: q.value_per_t,
                max_haul_km: q.max_km,
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
pub fn violations(errors: &FieldErrors) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| (field_path(&e.location), e.message.clone()))
        .collect()
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
        pb::CostParts {
            transport: p.transport,
            import: p.import,
            disposal: p.disposal,
            process: p.process,
            capex: p.capex,
            co2: p.co2,
            total: p.total,
            emissions_transport_kg: p.emissions_kg.transport,
            emissions_import_kg: p.emissions_kg.import,
            emissions_disposal_kg: p.emissions_kg.disposal,
            emissions_process_kg: p.emissions_kg.process,
            emissions_total_kg: p.emissions_kg.total,
        }
    }
}

impl From<&r::SolveStats> for pb::SolveStats {
    fn from(s: &r::SolveStats) -> Self {
        pb::SolveStats {
            k: s.k as u32,
            exact: s.exact,
            priced: s.priced,
            pricing_rounds: s.pricing_rounds as u32,
            arcs_added_by_pricing: s.arcs_added_by_pricing as u64,
            candidate_arcs: s.candidate_arcs as u64,
            columns: s.columns as u64,
            rows: s.rows as u64,
            network_seconds: s.network_seconds,
            lp_build_seconds: s.lp_build_seconds,
            solve_seconds: s.solve_seconds,
            pricing_seconds: s.pricing_seconds,
        }
    }
}

impl From<&r::Target> for pb::Target {
    fn from(t: &r::Target) -> Self {
        pb::Target {
            rank: t.rank as u32,
            material: t.material.0.clone(),
            demand_t: t.demand_t,
            imported_t: t.imported_t,
            substituted_t: t.substituted_t,
            served_by: t
                .served_by
                .iter()
                .map(|s| pb::ServedBy {
                    material: s.material.0.clone(),
                    tonnes_sent: s.tonnes_sent,
                })
                .collect(),
            new_capacity: t
                .new_capacity
                .iter()
                .map(|c| pb::CapacityTarget {
                    process: c.process.0.clone(),
                    site: c.site.0.clone(),
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
            site: p.site.0.clone(),
            material: p.material.0.clone(),
            quantity_t: p.quantity_t,
            marginal_cost: p.marginal_cost,
        })
        .collect()
}

impl From<&SolveResult> for pb::OptimizeResponse {
    fn from(res: &SolveResult) -> Self {
        let opt = |s: &Option<optimizer::ids::ProcessId>| {
            s.as_ref().map(|p| p.0.clone()).unwrap_or_default()
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
                    from_site: f.from_site.0.clone(),
                    from_name: f.from_name.clone(),
                    from_process: opt(&f.from_process),
                    to_site: f.to_site.0.clone(),
                    to_name: f.to_name.clone(),
                    to_process: opt(&f.to_process),
                    material_sent: f.material_sent.0.clone(),
                    material_served: f.material_served.0.clone(),
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
                    site: i.site.0.clone(),
                    material: i.material.0.clone(),
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
                    site: d.site.0.clone(),
                    material: d.material.0.clone(),
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
                    id: p.id.0.clone(),
                    site: p.site.0.clone(),
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

/// The matches of a solved batch: flows from offer sites to request sites.
pub fn matches(res: &SolveResult) -> Vec<pb::Match> {
    res.flows
        .iter()
        .map(|f| pb::Match {
            offer_id: f.from_site.0.trim_start_matches(OFFER_SITE).to_owned(),
            request_id: f.to_site.0.trim_start_matches(REQUEST_SITE).to_owned(),
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
