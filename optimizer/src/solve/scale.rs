//! The units of a part, so that its optimum does not depend on them. A dataset may keep money
//! in EUR or in MEUR and tonnes in t or kt; every resolution and tolerance of the solve is
//! taken relative to the part's own numbers, never fixed in absolute units:
//! - [`largest_cost`], the unit every cost resolution is relative to: the network simplex's
//!   integer cost step (`flow`);
//! - [`normalising_factor`], the power of two that HiGHS and the generalised engine divide
//!   costs by, so their absolute tolerances (HiGHS's dual feasibility 1e-7) act on costs of
//!   the same order whatever the currency (from the streams' prices);
//! - [`stream_tonnes`], the unit of quantities: the network simplex's integer tonne step;
//! - [`pricing_tolerance`]: how negative a left-out pair's reduced cost may be and still count
//!   as zero, relative to the objective, so that "certified" means the same in every unit.

use crate::lp::{ColKind, LinearProgram};
use crate::model::ids::{DemandIdx, SupplyIdx};

/// A part is certified when no pair in range has a reduced cost below
/// `-RELATIVE_GAP x objective / stream tonnes` per tonne: even if every tonne of the part's
/// streams took such a pair, the cost would fall by at most `RELATIVE_GAP` of the objective.
pub const RELATIVE_GAP: f64 = 1e-9;

/// When the objective is 0 the relative tolerance is too, and reduced costs are compared
/// with this share of the largest cost instead, the resolution of `f64` arithmetic on it.
const NOISE: f64 = 1e-15;

/// The largest cost coefficient of `lp` in absolute value (1 when every cost is 0).
pub(crate) fn largest_cost(lp: &LinearProgram) -> f64 {
    let largest = lp.cols().fold(0.0_f64, |m, j| m.max(lp.cost(j).abs()));
    if largest > 0.0 && largest.is_finite() {
        largest
    } else {
        1.0
    }
}

/// The power of two near `median price / 256` that HiGHS and the generalised engine divide
/// `lp`'s costs by (and multiply the duals by), the median over the import and disposal
/// prices per tonne: a power of two, so the scaling itself is exact; the prices of the
/// streams, not the largest or the typical cost, so prohibitive costs on many arcs (a closed
/// border at 1e9 per tonne) do not squash the hauls towards the solvers' tolerances; and 256
/// so that in EUR, where a tonne is priced at tens to hundreds, the scaled LP is the LP as
/// written.
pub(crate) fn normalising_factor(lp: &LinearProgram) -> f64 {
    let l = &lp.layout;
    let mut prices: Vec<f64> = l
        .fixed_columns()
        .filter(|&j| matches!(l.column(j), ColKind::Import(_) | ColKind::Disposal(_)))
        .map(|j| lp.cost(j).abs())
        .filter(|c| *c > 0.0 && c.is_finite())
        .collect();
    if prices.is_empty() {
        return 1.0;
    }
    let middle = prices.len() / 2;
    let (_, median, _) = prices.select_nth_unstable_by(middle, f64::total_cmp);
    (*median / 256.0).log2().round().exp2()
}

/// The tonnes of `lp`'s supplies and demands together (1 when there are none).
pub(crate) fn stream_tonnes(lp: &LinearProgram) -> f64 {
    let l = &lp.layout;
    let supplies = (0..l.supplies).map(|s| lp.row_bounds(l.supply_row(SupplyIdx::new(s))).1);
    let demands = (0..l.demands).map(|t| lp.row_bounds(l.demand_row(DemandIdx::new(t))).1);
    let total: f64 = supplies.chain(demands).filter(|q| q.is_finite()).sum();
    if total > 0.0 { total } else { 1.0 }
}

/// The reduced cost per tonne below whose negative a left-out pair of `lp` prices in, for a
/// plan costing `objective`: [`RELATIVE_GAP`] of the objective spread over the part's stream
/// tonnes, but never finer than floating point resolves. Also whether that floor set it,
/// when the certificate is only as good as the floor (see [`certified_gap`]).
pub(crate) fn pricing_tolerance(lp: &LinearProgram, objective: Option<f64>) -> (f64, bool) {
    let relative = RELATIVE_GAP * objective.unwrap_or(0.0).abs() / stream_tonnes(lp);
    let floor = NOISE * largest_cost(lp);
    if relative >= floor {
        (relative, false)
    } else {
        (floor, true)
    }
}

/// The optimality gap a certificate at `tolerance` proves: 0 when the tolerance was relative
/// to the objective (the gap is then within [`RELATIVE_GAP`] of it), else what the floor
/// leaves, `tolerance x stream tonnes`.
pub(crate) fn certified_gap(lp: &LinearProgram, tolerance: (f64, bool)) -> f64 {
    match tolerance {
        (_, false) => 0.0,
        (per_tonne, true) => per_tonne * stream_tonnes(lp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money_times_two(ds: &crate::Dataset) -> crate::Dataset {
        let mut ds = ds.clone();
        ds.transport.cost_per_tkm *= 2.0;
        ds.co2_price *= 2.0;
        for m in &mut ds.materials {
            m.import_cost *= 2.0;
            m.disposal_cost *= 2.0;
            if let Some(c) = m.transport_cost_per_tkm.as_mut() {
                *c *= 2.0;
            }
        }
        ds
    }

    #[test]
    fn the_factor_is_a_power_of_two_that_follows_the_units() {
        let ds = crate::generate::uniform::generate(50, 1, false);
        let lp = crate::solve::model::build_model(&ds, &Default::default()).lp;
        let factor = normalising_factor(&lp);
        assert_eq!(factor.log2().fract(), 0.0, "{factor}");
        let doubled =
            crate::solve::model::build_model(&money_times_two(&ds), &Default::default()).lp;
        assert_eq!(
            normalising_factor(&doubled),
            2.0 * factor,
            "it follows the currency"
        );
        let (per_tonne, floored) = pricing_tolerance(&lp, Some(1e6));
        assert!(!floored);
        assert!((per_tonne * stream_tonnes(&lp) - 1e6 * RELATIVE_GAP).abs() < 1e-12);
        let (floor, floored) = pricing_tolerance(&lp, Some(0.0));
        assert!(floored && floor > 0.0);
        assert_eq!(certified_gap(&lp, (per_tonne, false)), 0.0);
        assert!(certified_gap(&lp, (floor, true)) > 0.0);
    }
}
