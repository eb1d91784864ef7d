//! Why a stream is not served locally, with numbers: for every demand still (partly)
//! imported and every supply still (partly) disposed of, the reason, its best counterpart
//! in range and the distance to it, and the price gap, by how much the stream's own price
//! (import price, disposal cost) would have to rise before one more tonne of it is served
//! locally ([`crate::solve`]'s route search). Exchange matching reads the same list: offers
//! are supplies, requests demands.

use super::flows::FLOW_EPSILON_T;
use super::schema::{UnmatchedReason, Unserved, UnservedKind};
use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, MaterialIdx, SupplyIdx};
use crate::network::candidates::{is_self_loop, servers_of};
use crate::network::spatial::{IndexedPoint, build_index, road_km, unit_vector};
use crate::network::{Network, SinkIdx, SourceIdx};
use crate::solve::{LocalRoute, LpSolution, Model, UnservedStream, local_routes};
use std::collections::HashMap;

/// A stream's (listing's) unserved tonnes, the reason and the numbers behind it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unmatched {
    /// Index of the supply (offer) or demand (request).
    pub index: usize,
    /// Tonnes left unserved, t.
    pub tonnes: f64,
    /// Why.
    pub reason: UnmatchedReason,
    /// Currency per tonne the stream's own price must rise by before one more tonne is
    /// served locally; `None` when nothing compatible is in range (or without duals).
    pub price_gap: Option<f64>,
    /// Whether `price_gap` is exact (else an upper bound: processes take part).
    pub price_gap_exact: bool,
    /// The best counterpart in range (the nearest compatible one beyond range when none is
    /// in range): a supply for a demand, a demand for a supply; `None` for a process.
    pub counterpart: Option<usize>,
    /// Road km to `counterpart` (for one beyond range, the haul limit that would serve it).
    pub km: Option<f64>,
}

/// Unserved supplies (still disposed of) and demands (still imported) of a solved model,
/// each with its reason; empty without a solution.
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
    let offers: Vec<(usize, f64)> = (0..ds.supplies.len())
        .map(|s| (s, value(l.disposal(SupplyIdx::new(s)))))
        .filter(|&(_, t)| t > FLOW_EPSILON_T)
        .collect();
    let requests: Vec<(usize, f64)> = (0..ds.demands.len())
        .map(|d| (d, value(l.import(DemandIdx::new(d)))))
        .filter(|&(_, t)| t > FLOW_EPSILON_T)
        .collect();
    // Supplies and demands are the first sources and sinks, in stream order.
    let starts: Vec<UnservedStream> = offers
        .iter()
        .map(|&(s, _)| UnservedStream::Supply(SourceIdx::new(s)))
        .chain(
            requests
                .iter()
                .map(|&(d, _)| UnservedStream::Demand(SinkIdx::new(d))),
        )
        .collect();
    let routes = local_routes(ds, model, solution, &starts);
    let nearest = Nearest::new(ds);
    let explain = |(&start, &(index, tonnes)): (&UnservedStream, &(usize, f64)), route| {
        let (reason, price_gap, price_gap_exact, counterpart, km) = match route {
            Some(LocalRoute::Found(r)) => (
                if r.displaces {
                    UnmatchedReason::Capacity
                } else {
                    UnmatchedReason::Outbid
                },
                Some(r.gap),
                r.exact,
                stream_of(net, start, r.counterpart),
                Some(r.km),
            ),
            // Pairs in range, but every way to a tonne runs through a process's activity.
            Some(LocalRoute::Blocked { counterpart, km }) => (
                UnmatchedReason::Capacity,
                None,
                false,
                stream_of(net, start, counterpart),
                Some(km),
            ),
            Some(LocalRoute::OutOfRange) | None => {
                let beyond = nearest.of(ds, net, start);
                (
                    UnmatchedReason::NoCounterpartInRange,
                    None,
                    false,
                    beyond.and_then(|(c, _)| stream_of(net, start, c)),
                    beyond.map(|(_, km)| km),
                )
            }
        };
        Unmatched {
            index,
            tonnes,
            reason,
            price_gap,
            price_gap_exact,
            counterpart,
            km,
        }
    };
    let mut found: Vec<Unmatched> = match &routes {
        Some(routes) => starts
            .iter()
            .zip(offers.iter().chain(&requests))
            .zip(routes)
            .map(|(start, route)| explain(start, Some(*route)))
            .collect(),
        None => starts
            .iter()
            .zip(offers.iter().chain(&requests))
            .map(|start| explain(start, None))
            .collect(),
    };
    let requests = found.split_off(offers.len());
    (found, requests)
}

/// The stream (supply or demand index) of a counterpart node, `None` for a process.
fn stream_of(net: &Network, start: UnservedStream, node: usize) -> Option<usize> {
    match start {
        // A demand's counterpart is a source: supplies come first among them.
        UnservedStream::Demand(_) => matches!(
            net.sources[node].kind,
            crate::network::SourceKind::Supply(_)
        )
        .then_some(node),
        UnservedStream::Supply(_) => {
            matches!(net.sinks[node].kind, crate::network::SinkKind::Demand(_)).then_some(node)
        }
    }
}

/// Unserved supplies and demands ([`unmatched`]) as the report lists them.
pub(crate) fn unserved(
    ds: &Dataset,
    offers: &[Unmatched],
    requests: &[Unmatched],
) -> Vec<Unserved> {
    let record = |kind, u: &Unmatched| {
        let (site, material) = match kind {
            UnservedKind::Supply => {
                let s = ds.supply(SupplyIdx::new(u.index));
                (s.site, s.material)
            }
            UnservedKind::Demand => {
                let d = ds.demand(DemandIdx::new(u.index));
                (d.site, d.material)
            }
        };
        let counterpart_site = u.counterpart.map(|c| match kind {
            UnservedKind::Supply => ds.demand(DemandIdx::new(c)).site,
            UnservedKind::Demand => ds.supply(SupplyIdx::new(c)).site,
        });
        Unserved {
            kind,
            site: ds.site(site).id.clone(),
            material: ds.material(material).id.clone(),
            tonnes: u.tonnes,
            reason: u.reason,
            price_gap: u.price_gap,
            price_gap_exact: u.price_gap_exact,
            counterpart: counterpart_site.map(|s| ds.site(s).id.clone()),
            km: u.km,
        }
    };
    offers
        .iter()
        .map(|u| record(UnservedKind::Supply, u))
        .chain(requests.iter().map(|u| record(UnservedKind::Demand, u)))
        .collect()
}

/// The nearest compatible counterpart at any distance, for a stream with none in range.
struct Nearest {
    /// Supplies by material, for demands.
    supplies: HashMap<MaterialIdx, rstar::RTree<IndexedPoint>>,
    /// Per served material, the materials that can serve it.
    servers: HashMap<MaterialIdx, Vec<(MaterialIdx, f64)>>,
}

impl Nearest {
    fn new(ds: &Dataset) -> Self {
        let mut groups: HashMap<MaterialIdx, Vec<(f64, f64, u32)>> = HashMap::new();
        for (s, supply) in ds.supplies.iter().enumerate() {
            if !supply.is_empty() {
                let site = ds.site(supply.site);
                groups
                    .entry(supply.material)
                    .or_default()
                    .push((site.lon, site.lat, s as u32));
            }
        }
        Nearest {
            supplies: groups
                .into_iter()
                .map(|(m, points)| (m, build_index(points.into_iter())))
                .collect(),
            servers: servers_of(ds),
        }
    }

    /// The nearest compatible counterpart node of `start` and its road km.
    fn of(&self, ds: &Dataset, net: &Network, start: UnservedStream) -> Option<(usize, f64)> {
        let detour = ds.transport.detour_factor;
        let km = |from: crate::model::ids::SiteIdx, to: crate::model::ids::SiteIdx| {
            let (a, b) = (ds.site(from), ds.site(to));
            road_km(a.lon, a.lat, b.lon, b.lat, detour).0
        };
        match start {
            UnservedStream::Supply(s) => {
                let source = net.source(s);
                let site = ds.site(source.site);
                let q = unit_vector(site.lon, site.lat);
                net.index.substitutes[source.material.get()]
                    .iter()
                    .flat_map(|&(served, _)| {
                        [false, true]
                            .into_iter()
                            .filter_map(move |p| net.index.trees.get(&(served, p)))
                    })
                    .filter_map(|tree| {
                        tree.nearest_neighbor_iter(&q)
                            .map(|p| SinkIdx::new(p.data as usize))
                            .find(|&t| !is_self_loop(source, net.sink(t)))
                    })
                    .map(|t| (t.get(), km(source.site, net.sink(t).site)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
            }
            UnservedStream::Demand(t) => {
                let sink = net.sink(t);
                let site = ds.site(sink.site);
                let q = unit_vector(site.lon, site.lat);
                self.servers
                    .get(&sink.material)
                    .into_iter()
                    .flatten()
                    .filter_map(|(from, _)| self.supplies.get(from)?.nearest_neighbor(&q))
                    .map(|p| {
                        let s = p.data as usize;
                        (s, km(ds.supplies[s].site, sink.site))
                    })
                    .min_by(|a, b| a.1.total_cmp(&b.1))
            }
        }
    }
}
