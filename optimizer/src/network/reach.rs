//! Which supplies and demands can reach each other: the pairs the candidate network holds,
//! and for a demand without any, whether a supply that could serve it lies within haul range
//! at all (the search the candidate arcs make, asked from the demand's side).

use super::candidates::{haul_limit_km, servers_of};
use super::spatial::{IndexedPoint, build_index, chord2_for_km, road_km, unit_vector};
use super::{Network, SinkKind, SourceKind};
use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, MaterialIdx, SupplyIdx};
use std::collections::HashMap;

/// The demands each supply has an arc to, and the supplies each demand has one from.
pub(crate) fn supply_demand_pairs(
    ds: &Dataset,
    net: &Network,
) -> (Vec<Vec<DemandIdx>>, Vec<Vec<SupplyIdx>>) {
    let mut sinks_of = vec![Vec::new(); ds.supplies.len()];
    let mut sources_of = vec![Vec::new(); ds.demands.len()];
    for a in net.arcs.indices() {
        if let (SourceKind::Supply(s), SinkKind::Demand(d)) = (
            net.source(net.arcs.source(a)).kind,
            net.sink(net.arcs.sink(a)).kind,
        ) {
            sinks_of[s.get()].push(d);
            sources_of[d.get()].push(s);
        }
    }
    (sinks_of, sources_of)
}

/// R-trees of supplies by material, for "is any supply in range of this demand" (arcs are
/// generated from the supplies' side, so a demand can be in range yet have no arc).
pub(crate) struct SupplyReach {
    trees: HashMap<MaterialIdx, rstar::RTree<IndexedPoint>>,
    servers: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>>,
}

impl SupplyReach {
    /// The supplies of `ds` indexed by material and place.
    pub(crate) fn new(ds: &Dataset) -> Self {
        let mut groups: HashMap<MaterialIdx, Vec<u32>> = HashMap::new();
        for (s, supply) in ds.supplies.iter().enumerate() {
            if !supply.is_empty() {
                groups.entry(supply.material).or_default().push(s as u32);
            }
        }
        let trees = groups
            .into_iter()
            .map(|(m, members)| {
                let tree = build_index(members.iter().map(|&s| {
                    let site = ds.site(ds.supplies[s as usize].site);
                    (site.lon, site.lat, s)
                }));
                (m, tree)
            })
            .collect();
        SupplyReach {
            trees,
            servers: servers_of(ds),
        }
    }

    /// Whether any supply that can serve demand `d` is within the haul range of both.
    pub(crate) fn any_supply_for(&self, ds: &Dataset, d: DemandIdx) -> bool {
        let demand = ds.demand(d);
        let to = ds.site(demand.site);
        let q = unit_vector(to.lon, to.lat);
        let servers = self
            .servers
            .get(&demand.material)
            .map_or(&[][..], Vec::as_slice);
        for (m, tree) in servers
            .iter()
            .filter_map(|(m, _)| Some((m, self.trees.get(m)?)))
        {
            let sink = SinkKind::Demand(d);
            // Within the material's and the demand's limit; each supply's own limit too.
            let in_range = |s: u32| {
                let supply = SupplyIdx::new(s as usize);
                let from = ds.site(ds.supply(supply).site);
                let detour = ds.transport.detour_factor;
                let km = road_km(from.lon, from.lat, to.lon, to.lat, detour).0;
                haul_limit_km(ds, *m, Some(&SourceKind::Supply(supply)), &sink)
                    .is_none_or(|limit| km <= limit)
            };
            let reach = haul_limit_km(ds, *m, None, &sink);
            let near = match reach.and_then(|km| chord2_for_km(km / ds.transport.detour_factor)) {
                Some(c2) => tree.locate_within_distance(q, c2).any(|p| in_range(p.data)),
                None => tree.iter().any(|p| in_range(p.data)),
            };
            if near {
                return true;
            }
        }
        false
    }
}
