//! Exchange matching on top of the LP: offers are supplies, requests are demands, one site
//! each. This module explains what the LP left unmatched: no compatible counterpart within
//! range, counterparts in range already full (capacity), or counterparts with room that the
//! import/disposal alternative outbid.

use crate::domain::Dataset;
use crate::ids::MaterialIdx;
use crate::network::{Network, SinkKind, SourceKind};
use crate::results::{FLOW_EPSILON_T, SolveResult};
use crate::spatial::{build_index, chord2_for_km, road_km, unit_vector};
use std::collections::HashMap;

/// Why (part of) a listing found no partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmatchedReason {
    NoCounterpartInRange,
    Capacity,
    Outbid,
}

/// A listing's unmatched tonnes and the reason.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unmatched {
    /// Index of the supply (offer) or demand (request).
    pub index: usize,
    pub tonnes: f64,
    pub reason: UnmatchedReason,
}

/// Unmatched offers (supplies still disposed of) and requests (demands still imported),
/// from a solved model whose every stream has its own site.
pub fn unmatched(ds: &Dataset, net: &Network, r: &SolveResult) -> (Vec<Unmatched>, Vec<Unmatched>) {
    let site_index: HashMap<&str, usize> = ds
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.0.as_str(), i))
        .collect();
    let mut disposed = vec![0.0; ds.sites.len()];
    for d in &r.disposals {
        disposed[site_index[d.site.0.as_str()]] += d.disposed_t;
    }
    let mut imported = vec![0.0; ds.sites.len()];
    for i in &r.imports {
        imported[site_index[i.site.0.as_str()]] += i.imported_t;
    }
    let mut sinks_of: Vec<Vec<u32>> = vec![Vec::new(); ds.supplies.len()];
    let mut sources_of: Vec<Vec<u32>> = vec![Vec::new(); ds.demands.len()];
    for a in 0..net.arcs.len() {
        if let (SourceKind::Supply(s), SinkKind::Demand(d)) = (
            net.sources[net.arcs.source[a] as usize].kind,
            net.sinks[net.arcs.sink[a] as usize].kind,
        ) {
            sinks_of[s as usize].push(d);
            sources_of[d as usize].push(s);
        }
    }
    let offers = ds
        .supplies
        .iter()
        .enumerate()
        .filter_map(|(s, supply)| {
            let t = disposed[supply.site.get()];
            (t > FLOW_EPSILON_T).then(|| {
                // Candidate generation keeps at least one arc to any compatible sink in range.
                let reason = if sinks_of[s].is_empty() {
                    UnmatchedReason::NoCounterpartInRange
                } else if sinks_of[s]
                    .iter()
                    .all(|&d| imported[ds.demands[d as usize].site.get()] <= FLOW_EPSILON_T)
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
        })
        .collect();
    let in_range = SourceRange::new(ds);
    let requests = ds
        .demands
        .iter()
        .enumerate()
        .filter_map(|(d, demand)| {
            let t = imported[demand.site.get()];
            (t > FLOW_EPSILON_T).then(|| {
                let reason = if sources_of[d].is_empty() && !in_range.any_source_for(ds, d) {
                    UnmatchedReason::NoCounterpartInRange
                } else if sources_of[d]
                    .iter()
                    .all(|&s| disposed[ds.supplies[s as usize].site.get()] <= FLOW_EPSILON_T)
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
        })
        .collect();
    (offers, requests)
}

/// R-trees of supplies by material, for "is any offer in range of this request" (arcs are
/// generated from the offers' side, so a request can be in range yet have no arc).
struct SourceRange {
    trees: HashMap<MaterialIdx, rstar::RTree<crate::spatial::IndexedPoint>>,
}

impl SourceRange {
    fn new(ds: &Dataset) -> Self {
        let mut groups: HashMap<MaterialIdx, Vec<u32>> = HashMap::new();
        for (s, supply) in ds.supplies.iter().enumerate() {
            if supply.quantity.0 > 0.0 {
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
        SourceRange { trees }
    }

    fn any_source_for(&self, ds: &Dataset, d: usize) -> bool {
        let demand = &ds.demands[d];
        let to = ds.site(demand.site);
        let q = unit_vector(to.lon, to.lat);
        for (m, tree) in &self.trees {
            if !ds
                .substitutes_of(*m)
                .iter()
                .any(|&(t, _)| t == demand.material)
            {
                continue;
            }
            let limit = match (ds.max_haul(*m), demand.max_haul) {
                (Some(a), Some(b)) => Some(a.0.min(b.0)),
                (a, b) => a.or(b).map(|k| k.0),
            };
            let Some(km) = limit else { return true };
            let chord2 = chord2_for_km(km / ds.transport.detour_factor);
            let near = match chord2 {
                Some(c2) => tree.locate_within_distance(q, c2).any(|p| {
                    let from = ds.site(ds.supplies[p.data as usize].site);
                    road_km(
                        from.lon,
                        from.lat,
                        to.lon,
                        to.lat,
                        ds.transport.detour_factor,
                    )
                    .0 <= km
                }),
                None => tree.size() > 0,
            };
            if near {
                return true;
            }
        }
        false
    }
}
