//! Exchange matching on top of the LP: offers are supplies, requests are demands, one site
//! each. This module explains what the LP left unmatched: no compatible counterpart within
//! range, counterparts in range already full (capacity), or counterparts with room that the
//! import/disposal alternative outbid.

use super::flows::FLOW_EPSILON_T;
use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, SupplyIdx};
use crate::network::reach::{SupplyReach, supply_demand_pairs};
use crate::solve::{LpSolution, Model};

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
    let (sinks_of, sources_of) = supply_demand_pairs(ds, net);
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
    let in_range = SupplyReach::new(ds);
    let requests = imported
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t > FLOW_EPSILON_T)
        .map(|(d, &t)| {
            let reason =
                if sources_of[d].is_empty() && !in_range.any_supply_for(ds, DemandIdx::new(d)) {
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
