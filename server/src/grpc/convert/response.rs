//! Results back into protobuf: statuses, cost parts, stats, targets, the whole optimize
//! response, matches and unmatched listings, the MatchBatch answer and its chunks.

use super::request::{OFFER_SITE, REQUEST_SITE};
use crate::grpc::pb;
use optimizer::report as r;
use optimizer::report::{Unmatched, UnmatchedReason, Unserved, UnservedKind};
use optimizer::{SolveResult, SolveStatus};

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
            optimality_gap,
            mip_gap,
            mip_rounds,
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
            optimality_gap,
            mip_gap,
            mip_rounds: mip_rounds as u32,
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
                    site_name: c.site_name.clone(),
                    lon: c.lon,
                    lat: c.lat,
                    new_capacity: c.new_capacity,
                    capex: c.capex,
                    fixed_cost: c.fixed_cost,
                })
                .collect(),
            import_cost_avoided: t.import_cost_avoided,
            delivery_cost: t.delivery_cost,
            process_cost: t.process_cost,
            net_savings: t.net_savings,
            price_gap: t.price_gap,
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

fn kpis(k: &r::Kpis) -> pb::Kpis {
    pb::Kpis {
        total_supply_t: k.total_supply_t,
        total_demand_t: k.total_demand_t,
        diverted_from_disposal_t: k.diverted_from_disposal_t,
        imports_substituted_t: k.imports_substituted_t,
        tonne_km: k.tonne_km,
        co2_saved_t: k.co2_saved_t,
        cost_saved: k.cost_saved,
        secondary_input_rate: k.secondary_input_rate,
        recovery_rate: k.recovery_rate,
    }
}

pub(super) fn flows(list: &[r::Flow]) -> Vec<pb::Flow> {
    let opt =
        |s: &Option<optimizer::ProcessId>| s.as_ref().map(|p| p.to_string()).unwrap_or_default();
    list.iter()
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
            cost_margin: f.cost_margin,
            cost_margin_exact: f.cost_margin_exact,
        })
        .collect()
}

fn alternative(a: &r::Alternative) -> pb::Alternative {
    pb::Alternative {
        rank: a.rank as u32,
        status: status(a.status) as i32,
        objective: a.objective,
        over_optimum: a.over_optimum,
        shared_with_optimum: a.shared_with_optimum,
        partners: a.partners as u64,
        objective_parts: a.objective_parts.as_ref().map(Into::into),
        kpis: a.kpis.as_ref().map(kpis),
        flows: flows(&a.flows),
        stats: Some((&a.stats).into()),
    }
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
            baseline_description: res.baseline_description.to_owned(),
            unserved: unserved(&res.unserved),
            objective_parts: res.objective_parts.as_ref().map(Into::into),
            baseline_parts: Some((&res.baseline_parts).into()),
            kpis: res.kpis.as_ref().map(kpis),
            flows: flows(&res.flows),
            alternatives: res.alternatives.iter().map(alternative).collect(),
            // Set by the handler when asked for: it needs the dataset.
            valueflows_jsonld: String::new(),
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
                    opened: p.opened,
                    fixed_cost: p.fixed_cost,
                    objective_if_open: p.objective_if_open,
                    objective_if_closed: p.objective_if_closed,
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

/// Listings left (partly) unmatched, named by `ids` (their own) and `counterpart_ids` (the
/// other side's).
pub fn unmatched(
    list: &[Unmatched],
    ids: impl Fn(usize) -> String,
    counterpart_ids: impl Fn(usize) -> String,
) -> Vec<pb::Unmatched> {
    list.iter()
        .map(|u| pb::Unmatched {
            id: ids(u.index),
            quantity_t: u.tonnes,
            reason: reason(u.reason) as i32,
            price_gap: u.price_gap,
            price_gap_exact: u.price_gap_exact,
            counterpart: u.counterpart.map(&counterpart_ids).unwrap_or_default(),
            km: u.km,
        })
        .collect()
}

fn reason(reason: UnmatchedReason) -> pb::UnmatchedReason {
    match reason {
        UnmatchedReason::NoCounterpartInRange => pb::UnmatchedReason::NoCounterpartInRange,
        UnmatchedReason::Capacity => pb::UnmatchedReason::Capacity,
        UnmatchedReason::Outbid => pb::UnmatchedReason::Outbid,
    }
}

fn unserved(list: &[Unserved]) -> Vec<pb::Unserved> {
    list.iter()
        .map(|u| pb::Unserved {
            kind: match u.kind {
                UnservedKind::Supply => "supply",
                UnservedKind::Demand => "demand",
            }
            .to_string(),
            site: u.site.to_string(),
            material: u.material.to_string(),
            tonnes: u.tonnes,
            reason: reason(u.reason) as i32,
            price_gap: u.price_gap,
            price_gap_exact: u.price_gap_exact,
            counterpart: u
                .counterpart
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            km: u.km,
        })
        .collect()
}

/// The answer to a `MatchBatchRequest`: a summary, the matches and the unmatched offers and
/// requests, named by the ids the request gave them.
pub fn match_batch_response(
    request: &pb::MatchBatchRequest,
    result: &SolveResult,
    offers: &[Unmatched],
    requests: &[Unmatched],
) -> pb::MatchBatchResponse {
    let matches = matches(result);
    let summary = pb::MatchSummary {
        status: status(result.status) as i32,
        objective: result.objective,
        baseline: result.baseline,
        matched_t: matches.iter().map(|m| m.quantity_t).sum(),
        matches: matches.len() as u64,
        unmatched_offers: offers.len() as u64,
        unmatched_requests: requests.len() as u64,
        stats: Some((&result.stats).into()),
    };
    pb::MatchBatchResponse {
        summary: Some(summary),
        matches,
        unmatched_offers: unmatched(
            offers,
            |i| request.offers[i].id.clone(),
            |i| request.requests[i].id.clone(),
        ),
        unmatched_requests: unmatched(
            requests,
            |i| request.requests[i].id.clone(),
            |i| request.offers[i].id.clone(),
        ),
    }
}

/// The answer as streamed chunks: the summary in the first, then up to `chunk` matches and
/// unmatched listings of each kind per chunk; one chunk at least.
pub fn chunks(
    response: pb::MatchBatchResponse,
    chunk: usize,
) -> impl Iterator<Item = pb::MatchBatchChunk> {
    let chunk = chunk.max(1);
    let pb::MatchBatchResponse {
        summary,
        matches,
        unmatched_offers,
        unmatched_requests,
    } = response;
    let mut first = Some(summary);
    let mut matches = matches.into_iter().peekable();
    let mut offers = unmatched_offers.into_iter().peekable();
    let mut requests = unmatched_requests.into_iter().peekable();
    std::iter::from_fn(move || {
        let more = first.is_some()
            || matches.peek().is_some()
            || offers.peek().is_some()
            || requests.peek().is_some();
        more.then(|| pb::MatchBatchChunk {
            summary: first.take().flatten(),
            matches: matches.by_ref().take(chunk).collect(),
            unmatched_offers: offers.by_ref().take(chunk).collect(),
            unmatched_requests: requests.by_ref().take(chunk).collect(),
        })
    })
}
