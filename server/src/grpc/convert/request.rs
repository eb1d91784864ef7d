//! Requests into the optimizer's raw dataset, validated by the same code as dataset folders,
//! with field paths such as `dataset.supplies[3].quantity_t`; and validation problems back
//! as those field paths.

use crate::grpc::pb;
use optimizer::input::raw::*;
use optimizer::{FieldErrors, Location};

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
    root: &str,
    i: usize,
    p: pb::Process,
    processes: &mut Vec<Located<RawProcess>>,
    process_flows: &mut Vec<Located<RawProcessFlow>>,
) {
    let pb::Process {
        id,
        site,
        name,
        route,
        capacity,
        cost_per_unit,
        candidate_capex,
        co2_kg_per_unit,
        inputs,
        outputs,
        fixed_cost,
        min_new_capacity,
        max_new_capacity,
    } = p;
    for (direction, field, flows) in [("in", "inputs", inputs), ("out", "outputs", outputs)] {
        let table = format!("{root}.processes[{i}].{field}");
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
        at: at(&format!("{root}.processes"), i),
        row: RawProcess {
            id,
            site,
            name: (!name.is_empty()).then_some(name),
            route: (!route.is_empty()).then_some(route),
            capacity: Some(capacity),
            cost_per_unit,
            candidate_capex,
            fixed_cost,
            min_new_capacity,
            max_new_capacity,
            co2_kg_per_unit,
        },
    });
}

/// An API dataset as a raw dataset; `optimizer::input::validate` checks it.
pub fn raw_dataset(d: pb::Dataset) -> RawDataset {
    raw_dataset_at("dataset", d)
}

/// [`raw_dataset`] for a dataset that stands at `root` in its request (`datasets[2]` of a
/// BatchRequest), so its problems are named by their field paths there.
pub fn raw_dataset_at(root: &str, d: pb::Dataset) -> RawDataset {
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
        investment,
    } = d;
    let pb::Investment {
        budget,
        max_new_processes,
    } = investment.unwrap_or_default();
    let mut processes = Vec::new();
    let mut process_flows = Vec::new();
    for (i, p) in process_list.into_iter().enumerate() {
        process(root, i, p, &mut processes, &mut process_flows);
    }
    RawDataset {
        config: RawConfig {
            name: text(name),
            description: text(description),
            source: text(source),
            currency: text(currency),
            co2_price,
            transport: transport(transport_defaults),
            investment: RawInvestment {
                budget,
                max_new_processes: max_new_processes.map(f64::from),
            },
            origin: Some(root.to_owned()),
        },
        materials: materials(&format!("{root}.materials"), material_list),
        sites: located(&format!("{root}.sites"), sites, site),
        supplies: located(&format!("{root}.supplies"), supplies, stream),
        demands: located(&format!("{root}.demands"), demands, stream),
        substitutions: substitutions(&format!("{root}.substitutions"), substitution_list),
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
