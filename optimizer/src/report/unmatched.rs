//! Exchange matching on top of the LP: offers are supplies, requests are demands, one site
//! each. This module explains what the LP left unmatched: no compatible counterpart within
//! range, counterparts in range already full (capacity), or counterparts with room that the
//! import/disposal alternative outbid.

use super::FLOW_EPSILON_T;
use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, MaterialIdx, SupplyIdx};
use crate::network::candidates::{haul_limit_km, servers_of};
use crate::network::spatial::{IndexedPoint, build_index, chord2_for_km, road_km, unit_vector};
use crate::network::{Network, SinkKind, SourceKind};
use crate::solve::{LpSolution, Model};
use std::collections::HashMap;

/// Why (part of) a listing found no partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// No compatible counterpart within haul range.
    NoCounterpartInRange,
    /// Every counterpart in range is already full.
    Capacity,
    /// Counterparts in range had room, but import or disposal was cheaper.
    Outbid,
}

/// A listing's unmatched tonnes and the reason.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unmatched {
    /// Index of the supply (offer) or demand (request).
    pub index: usize,
    /// Tonnes left unmatched, t.
    pub tonnes: f64,
    /// Why.
    pub reason: UnmatchedReason,
}

/// Unmatched offers (supplies still disposed of) and requests (demands still imported) of a
/// solved model; empty without a solution.
pub fn unmatched(
    ds: &Dataset,
    model: &Model,
    solution: &LpSolution,
) -> (Vec<Unmatched>, Vec<Unmatched>) {
    let (net, l) = (&model.network, &model.lp.layout);
    if solution.primal.is_none() {
        return (Vec::new(), Vec::new());
    }
    let value = |col| solution.value(col).unwrap_or(0.0);
    let disposed: Vec<f64> = (0..ds.supplies.len())
        .map(|s| value(l.disposal(SupplyIdx::new(s))))
        .collect();
    let imported: Vec<f64> = (0..ds.demands.len())
        .map(|d| value(l.import(DemandIdx::new(d))))
        .collect();
    let (sinks_of, sources_of) = counterparts(ds, net);
    let offers = disposed
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t > FLOW_EPSILON_T)
        .map(|(s, &t)| {
            // Candidate generation keeps at least one arc to any compatible sink in range.
            let reason = if sinks_of[s].is_empty() {
                UnmatchedReason::NoCounterpartInRange
            } else if sinks_of[s]
                .iter()
                .all(|&d| imported[d.get()] <= FLOW_EPSILON_T)
            {
                UnmatchedReason::Capacity
            } else {
                UnmatchedReason::Outbid
            };
            Unmatched {
                index: s,
                tonnes: t,
                reason,
            }
        })
        .collect();
    let in_range = SourceRange::new(ds);
    let requests = imported
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t > FLOW_EPSILON_T)
        .map(|(d, &t)| {
            let reason = if sources_of[d].is_empty() && !in_range.any_source_for(ds, d) {
                UnmatchedReason::NoCounterpartInRange
            } else if sources_of[d]
                .iter()
                .all(|&s| disposed[s.get()] <= FLOW_EPSILON_T)
            {
                UnmatchedReason::Capacity
            } else {
                UnmatchedReason::Outbid
            };
            Unmatched {
                index: d,
                tonnes: t,
                reason,
            }
        })
        .collect();
    (offers, requests)
}

/// The demands each supply has an arc to, and the supplies each demand has one from.
fn counterparts(ds: &Dataset, net: &Network) -> (Vec<Vec<DemandIdx>>, Vec<Vec<SupplyIdx>>) {
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

/// R-trees of supplies by material, for "is any offer in range of this request" (arcs are
/// generated from the offers' side, so a request can be in range yet have no arc).
struct SourceRange {
    trees: HashMap<MaterialIdx, rstar::RTree<IndexedPoint>>,
    servers: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>>,
}

impl SourceRange {
    fn new(ds: &Dataset) -> Self {
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
        SourceRange {
            trees,
            servers: servers_of(ds),
        }
    }

    fn any_source_for(&self, ds: &Dataset, d: usize) -> bool {
        let d = DemandIdx::new(d);
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
