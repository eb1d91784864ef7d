//! What a solve measured: sizes, timings, pricing rounds and the gap to the certified
//! optimum, added up over the parts of a decomposed solve.

use serde::Serialize;
use std::ops::AddAssign;

/// Sizes and timings.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct SolveStats {
    /// Independent parts solved (material groups); timings and sizes are summed over them.
    pub components: usize,
    /// Parts solved by the min-cost-flow path of [`crate::flow`] (pure transportation
    /// problems); the generalised network simplex or HiGHS solved the others.
    pub min_cost_flow_parts: usize,
    /// Nearest sinks kept per source.
    pub k: usize,
    /// Whether every pair in range was kept.
    pub exact: bool,
    /// Whether left-out arcs were priced in until certified.
    pub priced: bool,
    /// Re-solves after pricing added arcs (0: the k-nearest optimum was already exact).
    pub pricing_rounds: usize,
    /// Arcs pricing added over all rounds.
    pub arcs_added_by_pricing: usize,
    /// Arcs in the final LP (pruned plus priced in).
    pub candidate_arcs: usize,
    /// LP columns.
    pub columns: usize,
    /// LP rows.
    pub rows: usize,
    /// Seconds finding candidate arcs.
    pub network_seconds: f64,
    /// Seconds building the LP.
    pub lp_build_seconds: f64,
    /// Solver time (HiGHS or min-cost flow) over all rounds.
    pub solve_seconds: f64,
    /// Time spent searching left-out arcs with negative reduced cost.
    pub pricing_seconds: f64,
    /// How far the plan can be above the certified optimum over every pair in range,
    /// currency/yr: 0 when certified, the plan's cost minus a lower bound from the duals of
    /// the last complete pricing pass when time-limited, unset when unknown (no complete
    /// pass, or `no_pricing`).
    pub optimality_gap: Option<f64>,
    /// With investment decisions: the relative gap of the openings' MIP (at most the target,
    /// 1e-4 unless asked for another, when optimal); unset without decisions.
    pub mip_gap: Option<f64>,
    /// MIP solves (one per round of pricing that added arcs, plus the last).
    pub mip_rounds: usize,
}

/// The stats of parts solved side by side: sizes and times add up, the pricing rounds are
/// those of the part that needed most, the options are the same for all.
impl AddAssign<&SolveStats> for SolveStats {
    fn add_assign(&mut self, b: &SolveStats) {
        let SolveStats {
            components,
            min_cost_flow_parts,
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
        } = b;
        // Parts' relative gaps do not add up; the largest bounds them all.
        self.mip_gap = match (self.mip_gap, *mip_gap) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.mip_rounds += mip_rounds;
        // Gaps add up; one part without a known gap leaves the whole unknown.
        self.optimality_gap = if self.components == 0 {
            *optimality_gap
        } else {
            self.optimality_gap.zip(*optimality_gap).map(|(a, b)| a + b)
        };
        self.components += components;
        self.min_cost_flow_parts += min_cost_flow_parts;
        self.k = *k;
        self.exact = *exact;
        self.priced = *priced;
        self.pricing_rounds = self.pricing_rounds.max(*pricing_rounds);
        self.arcs_added_by_pricing += arcs_added_by_pricing;
        self.candidate_arcs += candidate_arcs;
        self.columns += columns;
        self.rows += rows;
        self.network_seconds += network_seconds;
        self.lp_build_seconds += lp_build_seconds;
        self.solve_seconds += solve_seconds;
        self.pricing_seconds += pricing_seconds;
    }
}
