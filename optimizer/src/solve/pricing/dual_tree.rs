//! Nodes indexed by place and dual together, for the pricing search.
//!
//! A pair `(source, sink)` prices out when `per_km * km < y_source + ratio * y_sink`. Each
//! node of one side is a 4-D point: its position on the unit sphere and its dual. An R-tree
//! node's envelope then bounds both the distance from the other end (the nearest point of
//! its box) and the best dual inside (the top of its fourth side), so it bounds from below
//! the reduced cost of every pair into it. The search ([`best_first`]) opens nodes in
//! increasing order of that bound and stops once it cannot beat the best few pairs found:
//! it finds a source's most negative pairs without visiting the others that also price out.
//! A radius query per source would visit every pair that prices out, millions in one pass
//! on a large region, to keep a few (docs/performance.md, "The pricing search").

use crate::network::spatial::{EARTH_RADIUS_KM, IndexedPoint};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree, RTreeNode, RTreeObject};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A node: unit-sphere position and dual, with its index.
pub(crate) type DualPoint = GeomWithData<[f64; 4], u32>;

/// The nodes of one group, by place and dual.
pub(crate) struct DualTree {
    tree: RTree<DualPoint>,
}

impl DualTree {
    /// Indexes `points` (positions carrying node indices) with the nodes' duals.
    pub(crate) fn new<'a>(points: impl Iterator<Item = &'a IndexedPoint>, dual: &[f64]) -> Self {
        let points = points
            .map(|p| {
                let [x, y, z] = *p.geom();
                GeomWithData::new([x, y, z, dual[p.data as usize]], p.data)
            })
            .collect();
        DualTree {
            tree: RTree::bulk_load(points),
        }
    }
}

/// The pairs from one node at `at` with dual `y_source` into a tree of the other side:
/// reduced cost `per_km * km - y_source - ratio * y_other`, with `km <= max_km` and
/// `km >= detour * great-circle km`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MayPay {
    pub(crate) at: [f64; 3],
    pub(crate) y_source: f64,
    pub(crate) ratio: f64,
    /// Cost per km of road (per tonne), with CO2 priced in.
    pub(crate) per_km: f64,
    pub(crate) detour: f64,
    pub(crate) max_km: Option<f64>,
    pub(crate) tolerance: f64,
}

impl MayPay {
    /// A lower bound of the reduced cost of every pair into `envelope`, or `None` when none
    /// of them is in range. The nearest point of the box gives the least distance (a chord,
    /// and the great circle is never shorter) and its top the best dual.
    fn least_reduced(&self, envelope: &AABB<[f64; 4]>) -> Option<f64> {
        let (lo, hi) = (envelope.lower(), envelope.upper());
        let chord2: f64 = (0..3)
            .map(|i| {
                (lo[i] - self.at[i])
                    .max(self.at[i] - hi[i])
                    .max(0.0)
                    .powi(2)
            })
            .sum();
        // The chord itself, never longer than its arc: one square root where the arc needs
        // an `asin` too (this runs for every node opened). Shortened a hair so rounding never
        // skips a pair the exact check would keep.
        let least_km = EARTH_RADIUS_KM * chord2.sqrt() * self.detour * (1.0 - 1e-9);
        if self.max_km.is_some_and(|m| least_km > m) {
            return None;
        }
        Some(self.per_km * least_km - self.y_source - self.ratio * hi[3])
    }

    /// `node` to be opened, unless its bound shows no pair in it beats `bar`.
    fn open<'a>(&self, node: &'a RTreeNode<DualPoint>, bar: f64) -> Option<Open<'a>> {
        let bound = self.least_reduced(&node.envelope())?;
        (bound < bar).then_some(Open { bound, node })
    }
}

/// A tree node or point with the lower bound of its pairs' reduced costs, least first.
struct Open<'a> {
    bound: f64,
    node: &'a RTreeNode<DualPoint>,
}

impl PartialEq for Open<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bound.total_cmp(&other.bound) == Ordering::Equal
    }
}
impl Eq for Open<'_> {}
impl PartialOrd for Open<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Open<'_> {
    /// Reversed: `BinaryHeap` pops its greatest, and the least bound comes first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.bound.total_cmp(&self.bound)
    }
}

/// Offers `visit` the points of `trees` in increasing order of their bound, while the bound
/// is below the bar `visit` returns (start: `-reach.tolerance`). `visit` computes a point's
/// exact reduced cost, keeps the best few and returns the bar a point must beat from then
/// on (the worst it keeps, once it keeps enough). Since a bound is never above the exact
/// reduced cost, every pair below the final bar is offered.
pub(crate) fn best_first(
    trees: &[&DualTree],
    reach: &MayPay,
    mut visit: impl FnMut(&DualPoint) -> f64,
) {
    let mut bar = -reach.tolerance;
    let mut open = BinaryHeap::new();
    let children = trees.iter().flat_map(|tree| tree.tree.root().children());
    open.extend(children.filter_map(|node| reach.open(node, bar)));
    while let Some(Open { bound, node }) = open.pop() {
        if bound >= bar {
            break;
        }
        match node {
            RTreeNode::Leaf(point) => bar = visit(point),
            RTreeNode::Parent(parent) => {
                open.extend(parent.children().iter().filter_map(|n| reach.open(n, bar)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::spatial::{build_index, great_circle_km, unit_vector};

    /// Against every pair checked directly, on random sinks in two trees: keeping the best
    /// `keep`, the search ends with exactly the `keep` most negative reduced costs; keeping
    /// all, with every negative one; and it opens fewer points than there are.
    #[test]
    fn finds_the_most_negative_pairs_and_every_negative_one() {
        let mut state = 7_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let sinks: Vec<(f64, f64, f64)> = (0..3_000)
            .map(|_| {
                (
                    20.0 + 10.0 * next(),
                    60.0 + 5.0 * next(),
                    40.0 * next() - 20.0,
                )
            })
            .collect();
        let duals: Vec<f64> = sinks.iter().map(|s| s.2).collect();
        let half = |range: std::ops::Range<usize>| {
            let index = build_index(range.map(|i| (sinks[i].0, sinks[i].1, i as u32)));
            DualTree::new(index.iter(), &duals)
        };
        let trees = [half(0..1_500), half(1_500..3_000)];
        let trees: Vec<&DualTree> = trees.iter().collect();
        let (detour, per_km, ratio) = (1.3, 0.5, 0.9);
        for (lon, lat, y_source, max_km) in [
            (25.0, 62.0, 10.0, None),
            (21.0, 60.5, 60.0, Some(150.0)),
            (29.0, 64.5, -5.0, None),
            (24.0, 61.0, 200.0, None),
        ] {
            let reduced = |t: usize| {
                let (slon, slat, dual) = sinks[t];
                let km = great_circle_km(lon, lat, slon, slat) * detour;
                max_km
                    .is_none_or(|m| km <= m)
                    .then_some(per_km * km - y_source - ratio * dual)
            };
            let mut negative: Vec<f64> = (0..sinks.len())
                .filter_map(reduced)
                .filter(|&r| r < -1e-6)
                .collect();
            negative.sort_by(f64::total_cmp);
            let reach = MayPay {
                at: unit_vector(lon, lat),
                y_source,
                ratio,
                per_km,
                detour,
                max_km,
                tolerance: 1e-6,
            };
            for keep in [1, 8, usize::MAX] {
                let (mut best, mut offered) = (Vec::new(), 0);
                best_first(&trees, &reach, |point| {
                    offered += 1;
                    if let Some(r) = reduced(point.data as usize).filter(|&r| r < -1e-6) {
                        let at = best.partition_point(|&b| b <= r);
                        best.insert(at, r);
                        best.truncate(keep);
                    }
                    match best.get(keep.saturating_sub(1)) {
                        Some(&worst) if best.len() >= keep => worst.min(-1e-6),
                        _ => -1e-6,
                    }
                });
                let expected = &negative[..keep.min(negative.len())];
                assert_eq!(best.len(), expected.len(), "keep {keep} at ({lon}, {lat})");
                for (got, want) in best.iter().zip(expected) {
                    assert!((got - want).abs() < 1e-9, "keep {keep}: {got} vs {want}");
                }
                if keep == 8 {
                    assert!(offered < sinks.len() / 2, "{offered} offered to keep 8");
                }
            }
        }
    }
}
