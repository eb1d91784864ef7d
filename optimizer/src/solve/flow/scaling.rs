//! Substitutions that change the tonnage, taken into the min-cost-flow path when they can be
//! measured away. A flow from a supply of material `a` to a demand of material `b` delivers
//! `ratio(a, b)` tonnes per tonne sent, which makes the LP a generalised network. When every
//! ratio a part can use splits as `ratio(a, b) = demand_factor(b) / supply_factor(a)` (one
//! factor per material and side), counting each supply in units of `supply_factor` tonnes
//! and each demand in units of `demand_factor` tonnes turns every flow into one unit in, one
//! unit out: a pure transportation problem, which the network simplex certifies. This is the
//! classic relabelling of a generalised network whose every cycle has gain one (Ahuja,
//! Magnanti & Orlin, "Network Flows", 15.5); a substitution chain such as ash slag serving
//! aggregate at 0.9 splits this way, with every aggregate stream counted in units of 0.9 t.
//!
//! A part whose ratios do not split (two ways from one material to another with different
//! gains) stays a generalised network (`generalised` or HiGHS). Processes are never
//! relabelled: the caller sends a part with processes elsewhere whatever its ratios.
//!
//! In units, with `a` a supply's factor and `b` a demand's:
//! - a supply of `S` t is `S / a` units, its disposal costs `a x` its price per tonne;
//! - a demand of `D` t is `D / b` units, its import costs `b x` its price per tonne;
//! - a flow's unit is `a` tonnes sent (`b` tonnes delivered), and costs `a x` its cost per
//!   tonne sent;
//! - the LP's row duals are the unit potentials divided by the row's factor, so that every
//!   reduced cost per tonne is the unit one divided by `a`.

use crate::model::domain::Dataset;
use crate::model::ids::MaterialIdx;

/// How close a flow's ratio must be to `demand factor / supply factor` to count as that
/// (relative): products of a few ratios in `f64` agree to about 1e-16.
const RATIO_TOLERANCE: f64 = 1e-12;

/// The tonnes per unit of each supply and demand of a part.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeScale {
    /// `None` when every factor is 1 (no substitution changes the tonnage): the numbers go
    /// to the network simplex as they are.
    factors: Option<Factors>,
}

#[derive(Clone, Debug)]
struct Factors {
    supply: Vec<f64>,
    demand: Vec<f64>,
}

impl NodeScale {
    /// The factors of `ds`'s supplies and demands, or `None` when its ratios do not split
    /// into one factor per material and side.
    pub(crate) fn of(ds: &Dataset) -> Option<Self> {
        let materials = ds.materials.len();
        let mut supplied = vec![false; materials];
        let mut demanded = vec![false; materials];
        for s in &ds.supplies {
            supplied[s.material.get()] = true;
        }
        for t in &ds.demands {
            demanded[t.material.get()] = true;
        }
        // The pairs a flow may join, as edges between material nodes: supply side `m`,
        // demand side `materials + n`, with `factor(n) = ratio x factor(m)`.
        let mut edges: Vec<Vec<(usize, f64)>> = vec![Vec::new(); 2 * materials];
        let mut tonnage_changes = false;
        for m in (0..materials).filter(|&m| supplied[m]) {
            for (n, ratio) in ds.substitutes_of(MaterialIdx::new(m)) {
                let n = n.get();
                if !(demanded[n] && ratio.is_finite() && ratio > 0.0) {
                    continue;
                }
                tonnage_changes |= ratio != 1.0;
                edges[m].push((materials + n, ratio));
                edges[materials + n].push((m, 1.0 / ratio));
            }
        }
        if !tonnage_changes {
            return Some(NodeScale { factors: None });
        }
        let factor = material_factors(&edges)?;
        Some(NodeScale {
            factors: Some(Factors {
                supply: ds
                    .supplies
                    .iter()
                    .map(|s| factor[s.material.get()])
                    .collect(),
                demand: ds
                    .demands
                    .iter()
                    .map(|t| factor[materials + t.material.get()])
                    .collect(),
            }),
        })
    }

    /// Whether every factor is 1.
    pub(crate) fn is_identity(&self) -> bool {
        self.factors.is_none()
    }

    /// Tonnes per unit of supply `s`.
    pub(crate) fn supply(&self, s: usize) -> f64 {
        self.factors.as_ref().map_or(1.0, |f| f.supply[s])
    }

    /// Tonnes per unit of demand `t`.
    pub(crate) fn demand(&self, t: usize) -> f64 {
        self.factors.as_ref().map_or(1.0, |f| f.demand[t])
    }

    /// Whether a flow from `s` to `t` delivering `ratio` tonnes per tonne is one unit in,
    /// one unit out. Without factors only a ratio of exactly 1 is.
    pub(crate) fn is_unit_flow(&self, s: usize, t: usize, ratio: f64) -> bool {
        match &self.factors {
            None => ratio == 1.0,
            Some(f) => {
                let expected = f.demand[t] / f.supply[s];
                (ratio - expected).abs() <= RATIO_TOLERANCE * expected
            }
        }
    }

    /// The largest and smallest factor (1 and 1 without factors).
    pub(crate) fn range(&self) -> (f64, f64) {
        self.factors.as_ref().map_or((1.0, 1.0), |f| {
            f.supply
                .iter()
                .chain(&f.demand)
                .fold((1.0_f64, 1.0_f64), |(hi, lo), &x| (hi.max(x), lo.min(x)))
        })
    }
}

/// A factor per material node with `factor(to) = gain x factor(from)` along every edge, each
/// connected group's first node at 1; `None` when some cycle's gains do not multiply to 1.
fn material_factors(edges: &[Vec<(usize, f64)>]) -> Option<Vec<f64>> {
    let mut factor = vec![f64::NAN; edges.len()];
    let mut stack = Vec::new();
    for first in 0..edges.len() {
        if !factor[first].is_nan() {
            continue;
        }
        factor[first] = 1.0;
        stack.push(first);
        while let Some(node) = stack.pop() {
            for &(next, gain) in &edges[node] {
                let wanted = gain * factor[node];
                if factor[next].is_nan() {
                    factor[next] = wanted;
                    stack.push(next);
                } else if (factor[next] - wanted).abs() > RATIO_TOLERANCE * wanted {
                    return None;
                }
            }
        }
    }
    Some(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_of_gains_splits_and_a_second_way_with_another_gain_does_not() {
        // Supply side 0..3, demand side 3..6: material 0 serves 0 and (at 0.9) 1, material
        // 1 serves 1, material 2 serves 2.
        let mut edges = vec![Vec::new(); 6];
        let mut join = |m: usize, n: usize, gain: f64| {
            edges[m].push((3 + n, gain));
            edges[3 + n].push((m, 1.0 / gain));
        };
        join(0, 0, 1.0);
        join(0, 1, 0.9);
        join(1, 1, 1.0);
        join(2, 2, 1.0);
        let factor = material_factors(&edges).expect("the gains split");
        assert_eq!(factor[0], 1.0);
        assert_eq!(factor[3], 1.0);
        assert!((factor[4] - 0.9).abs() < 1e-15);
        assert!(
            (factor[1] - 0.9).abs() < 1e-15,
            "material 1 counts in 0.9 t units"
        );
        // Material 1 also serving material 0 at 1.2 closes a cycle of gain 1.2 x 0.9 != 1.
        edges[1].push((3, 1.2));
        edges[3].push((1, 1.0 / 1.2));
        assert!(material_factors(&edges).is_none());
    }
}
