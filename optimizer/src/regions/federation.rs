//! Exchange between regions: the regions' datasets joined into one network in which flows
//! may cross borders, and, from its certified optimum, what crosses (by pair of regions and
//! material) and a trade ledger valued at the federation's shadow prices.
//!
//! A tonne crossing from region A to B is valued at the receiving node's dual (what one more
//! tonne served there is worth to the federation) times the tonnes it serves. Each flow is
//! credited to its exporter and debited to its importer at the same value, so the regions'
//! balances sum to zero: a ledger for a commons credit between micro-clusters. The
//! federated optimum is never above the sum of the regions' own optima, since their plans
//! together are a plan of the federation; the difference is what trade saves.

use crate::model::domain::{Border, Dataset, Material, Site, Substitution};
use crate::model::ids::{MaterialIdx, SiteId, SiteIdx};
use crate::pipeline::Solved;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The joined dataset and which region each of its sites came from.
#[derive(Debug)]
pub struct Federation {
    /// All regions as one dataset; site ids are prefixed `region/` so they stay unique.
    pub dataset: Dataset,
    /// Region of each site, by site position.
    pub region_of_site: Vec<usize>,
    /// The regions' names, in the order given.
    pub regions: Vec<String>,
    /// Materials that differ between regions (the first region's definition is used).
    pub material_conflicts: Vec<String>,
}

/// Joins regional datasets. Materials and substitutions are matched by id (a material
/// defined differently in two regions keeps the first definition and is listed in
/// `material_conflicts`); settings (transport, CO2 price) are the first region's. A flow
/// between two regions pays `border`'s cost per tonne on top of its haul and may not be
/// longer than its haul limit; `None` lets flows cross as if there were no border.
pub fn federate(parts: &[(String, Dataset)], border: Option<Border>) -> Option<Federation> {
    let (_, first) = parts.first()?;
    let mut materials: Vec<Material> = Vec::new();
    let mut material_index: HashMap<String, MaterialIdx> = HashMap::new();
    let mut conflicts = Vec::new();
    let mut substitutions: Vec<Substitution> = Vec::new();
    let mut ds = Dataset {
        meta: first.meta.clone(),
        co2_price: first.co2_price,
        transport: first.transport.clone(),
        border,
        ..Dataset::default()
    };
    ds.meta.name = format!("federation of {} regions", parts.len());
    let mut region_of_site = Vec::new();
    for (r, (name, part)) in parts.iter().enumerate() {
        let material_map: Vec<MaterialIdx> = part
            .materials
            .iter()
            .map(|m| {
                let id = m.id.as_str().to_owned();
                if let Some(&i) = material_index.get(&id) {
                    let known = &materials[i.get()];
                    let same = known.import_cost == m.import_cost
                        && known.disposal_cost == m.disposal_cost
                        && known.max_haul.map(|k| k.0) == m.max_haul.map(|k| k.0);
                    if !same && !conflicts.contains(&id) {
                        conflicts.push(id);
                    }
                    i
                } else {
                    let i = MaterialIdx(materials.len() as u32);
                    materials.push(m.clone());
                    material_index.insert(id, i);
                    i
                }
            })
            .collect();
        let site_offset = ds.sites.len() as u32;
        for s in &part.sites {
            ds.sites.push(Site {
                id: SiteId::from(format!("{name}/{}", s.id.as_str())),
                region: Some(name.clone()),
                ..s.clone()
            });
            region_of_site.push(r);
        }
        let moved_site = |s: SiteIdx| SiteIdx(s.0 + site_offset);
        let moved_material = |m: MaterialIdx| material_map[m.get()];
        for (from, to) in [
            (&part.supplies, &mut ds.supplies),
            (&part.demands, &mut ds.demands),
        ] {
            to.extend(from.iter().map(|s| crate::model::domain::Stream {
                site: moved_site(s.site),
                material: moved_material(s.material),
                ..*s
            }));
        }
        for p in &part.processes {
            let mut p = p.clone();
            p.id = format!("{name}/{}", p.id.as_str()).into();
            p.site = moved_site(p.site);
            for (m, _) in p.inputs.iter_mut().chain(p.outputs.iter_mut()) {
                *m = moved_material(*m);
            }
            ds.processes.push(p);
        }
        for s in &part.substitutions {
            let (from, to) = (moved_material(s.from), moved_material(s.to));
            if !substitutions.iter().any(|k| k.from == from && k.to == to) {
                substitutions.push(Substitution { from, to, ..*s });
            }
        }
    }
    ds.materials = materials;
    ds.substitutions = substitutions;
    Some(Federation {
        dataset: ds,
        region_of_site,
        regions: parts.iter().map(|(n, _)| n.clone()).collect(),
        material_conflicts: conflicts,
    })
}

/// Tonnes of one material going from one region to another.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Exchange {
    /// Exporting region.
    pub from_region: String,
    /// Importing region.
    pub to_region: String,
    /// The material sent.
    pub material: String,
    /// Tonnes sent, t/yr.
    pub tonnes: f64,
    /// Tonne-weighted mean road km.
    pub km: f64,
    /// Value at the receiving nodes' shadow prices, currency/yr.
    pub value: f64,
    /// Border cost paid on these tonnes, currency/yr (0 without a border cost).
    pub border_cost: f64,
}

/// One region's trade.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TradeBalance {
    /// The region.
    pub region: String,
    /// Tonnes it sends to other regions.
    pub exported_t: f64,
    /// Tonnes it receives from other regions.
    pub imported_t: f64,
    /// Value of what it sends, currency/yr.
    pub exported_value: f64,
    /// Value of what it receives.
    pub imported_value: f64,
    /// Exported minus imported value; the balances of all regions sum to zero.
    pub balance: f64,
}

/// What crosses borders in a solved federation, by (from, to, material), and each region's
/// balance. Needs the solve's duals (a certified or at least optimal solve).
pub fn exchanges(federation: &Federation, solved: &Solved) -> (Vec<Exchange>, Vec<TradeBalance>) {
    let ds = &federation.dataset;
    let net = &solved.model.network;
    let layout = &solved.model.lp.layout;
    let mut by_key: BTreeMap<(usize, usize, MaterialIdx), (f64, f64, f64)> = BTreeMap::new();
    for (arc, col) in layout.flows() {
        let tonnes = solved.solution.value(col).unwrap_or(0.0);
        if tonnes <= 1e-9 {
            continue;
        }
        let (source, sink) = (
            net.source(net.arcs.source(arc)),
            net.sink(net.arcs.sink(arc)),
        );
        let (from, to) = (
            federation.region_of_site[source.site.0 as usize],
            federation.region_of_site[sink.site.0 as usize],
        );
        if from == to {
            continue;
        }
        let price = solved
            .solution
            .dual(layout.sink_row(net.arcs.sink(arc)))
            .unwrap_or(0.0);
        let entry = by_key.entry((from, to, source.material)).or_default();
        entry.0 += tonnes;
        entry.1 += tonnes * net.arcs.km(arc);
        entry.2 += tonnes * net.arcs.ratio(arc) * price;
    }
    let mut balances: Vec<TradeBalance> = federation
        .regions
        .iter()
        .map(|r| TradeBalance {
            region: r.clone(),
            ..TradeBalance::default()
        })
        .collect();
    let mut rows = Vec::new();
    for ((from, to, material), (tonnes, tkm, value)) in by_key {
        balances[from].exported_t += tonnes;
        balances[from].exported_value += value;
        balances[to].imported_t += tonnes;
        balances[to].imported_value += value;
        rows.push(Exchange {
            from_region: federation.regions[from].clone(),
            to_region: federation.regions[to].clone(),
            material: ds.material(material).id.as_str().to_owned(),
            tonnes,
            km: tkm / tonnes,
            value,
            border_cost: tonnes * ds.border.map_or(0.0, |b| b.cost_per_t),
        });
    }
    for b in &mut balances {
        b.balance = b.exported_value - b.imported_value;
    }
    (rows, balances)
}
