//! Pricing, the certificate that pruning lost nothing: after a solve on the pruned arcs,
//! every left-out pair whose reduced cost under the optimal duals is negative would lower
//! the cost if added. They are added and the LP re-solved (warm) until none is left, so the
//! optimum reported is the optimum over every compatible pair within haul range.
//!
//! A flow column's reduced cost is `cost_per_tkm * km - y_source - ratio * y_sink`
//! ([`crate::lp::costs::haul_per_tkm`] with CO2 priced in), so only sinks within
//! `(y_source + ratio * max y_sink) / cost_per_tkm` km can price out, and an R-tree radius
//! query finds exactly those.

use super::Model;
use super::pricing_bounds::{lower_to, most_sent, most_taken};
use super::progress::ProgressEvent;
use super::session::Session;
use super::status::{LpSolution, SolveStatus, SolverOptions};
use crate::lp::costs;
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::network::arcs::{ArcSet, Arcs};
use crate::network::candidates::{SourceQuery, is_self_loop, sends_nothing};
use crate::network::spatial::{IndexedPoint, chord_km, chord2_for_km};
use crate::network::{Network, SinkIdx, SourceIdx};
use rayon::prelude::*;
use rstar::RTree;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Reduced costs above `-PRICING_TOLERANCE` (currency per tonne) count as non-negative;
/// HiGHS's own dual feasibility tolerance is 1e-7.
pub const PRICING_TOLERANCE: f64 = 1e-6;

/// Left-out arcs added per source and pricing round (plus each sink's best offer).
/// Measured on the 10k-site bench region: 1 or 2 need the least total solve time; 8
/// floods each round with arcs that later turn out useless.
pub const PRICING_PER_SOURCE: usize = 2;

/// Pricing looks at this many times `per_source` negative arcs per source, so each sink's
/// best offer can be found among them.
const WIDE_PRICING: usize = 4;

/// Dual bands per sink group in the pricing search. Measured on the 20k uniform instance
/// (priced, 7 rounds), pricing seconds: 1 band (one tree per group) 2.2, 4 bands 1.9,
/// 8 bands 1.2, 16 bands 1.7, 32 bands 2.8; at 100k, 8 bands took pricing from 30 s to 16 s.
const DUAL_BANDS: usize = 8;

/// What the pricing loop did.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PricingOutcome {
    pub(crate) rounds: usize,
    pub(crate) arcs_added: usize,
    pub(crate) seconds: f64,
    /// The plan's LP objective minus the best lower bound found (0 when certified).
    pub(crate) gap: Option<f64>,
}

/// One complete search of the left-out pairs.
pub(crate) struct PricingPass {
    /// The arcs to add.
    pub(crate) arcs: Arcs,
    /// The sum over sources of the most a source can send times its most negative reduced
    /// cost over the left-out pairs, or `None` when a source with such a pair has no bound
    /// (a process that may grow). Added to the restricted optimum it gives the Lagrangian
    /// lower bound of the full problem under the same duals, with each source's total
    /// outflow kept as a constraint: `L = sum b*y + sum_s U_s * min(0, min_t rc_st)`; or the
    /// same over sinks with their intake kept, whichever bound is higher.
    pub(crate) penalty: Option<f64>,
    /// The most negative reduced cost found (0 when none is negative).
    pub(crate) most_negative: f64,
}

/// Re-solves `model` with the arcs pricing finds until none is left, the time limit is
/// reached (the plan is then reported as time-limited, without duals that would claim more
/// than they show) or the solve is not optimal.
pub(crate) fn price_until_certified(
    ds: &Dataset,
    model: &mut Model,
    session: &mut Session,
    solution: &mut LpSolution,
    options: &SolverOptions,
    started: Instant,
) -> Result<PricingOutcome, Error> {
    let mut outcome = PricingOutcome::default();
    // Any duals give a valid lower bound; the best one found is kept.
    let mut lower_bound: Option<f64> = None;
    while solution.status == SolveStatus::Optimal {
        if options.must_stop(started) {
            solution.status = SolveStatus::TimeLimit;
            solution.row_dual = None;
            break;
        }
        if solution.row_dual.is_none() {
            break;
        }
        let priced_at = Instant::now();
        let layout = &model.lp.layout;
        let dual = |row| solution.dual(row).unwrap_or(0.0);
        let source_dual: Vec<f64> = (0..model.network.sources.len())
            .map(|s| dual(layout.source_row(SourceIdx::new(s))))
            .collect();
        let sink_dual: Vec<f64> = (0..model.network.sinks.len())
            .map(|t| dual(layout.sink_row(SinkIdx::new(t))))
            .collect();
        let new_arcs = negative_arcs(
            ds,
            &model.network,
            &source_dual,
            &sink_dual,
            PRICING_PER_SOURCE,
            PRICING_TOLERANCE,
            &|| options.must_stop(started),
        );
        outcome.seconds += priced_at.elapsed().as_secs_f64();
        let Some(PricingPass {
            arcs: new_arcs,
            penalty,
            most_negative,
        }) = new_arcs
        else {
            // The search was cut off: the plan is optimal over the arcs so far, not certified.
            solution.status = SolveStatus::TimeLimit;
            solution.row_dual = None;
            break;
        };
        if let (Some(objective), Some(penalty)) = (solution.objective(&model.lp), penalty) {
            let bound = objective + penalty;
            lower_bound = Some(lower_bound.map_or(bound, |b: f64| b.max(bound)));
        }
        if new_arcs.is_empty() {
            break;
        }
        outcome.rounds += 1;
        outcome.arcs_added += new_arcs.len();
        options.progress.report(ProgressEvent::Priced {
            round: outcome.rounds,
            objective: solution.objective(&model.lp),
            most_negative_reduced_cost: most_negative,
            arcs_added: new_arcs.len(),
        });
        model.network.extend(new_arcs);
        model.lp.append_flows(ds, &model.network);
        session.add_new_columns(&model.lp)?;
        let mut next = session.solve(&model.lp)?;
        if next.primal.is_none()
            && let Some(mut plan) = solution.primal.take()
        {
            // The re-solve stopped before reaching a plan: the last round's stays the best
            // known, with the new arcs unused (they were appended as the last columns).
            plan.resize(model.lp.num_cols(), 0.0);
            next.primal = Some(plan);
        }
        *solution = next;
    }
    outcome.gap = if solution.status == SolveStatus::Optimal {
        Some(0.0)
    } else {
        solution
            .objective(&model.lp)
            .zip(lower_bound)
            .map(|(objective, bound)| (objective - bound).max(0.0))
    };
    Ok(outcome)
}

/// Sinks of one (material, kind) group whose duals lie in one band, with the band's best.
struct DualBand {
    best_dual: f64,
    tree: RTree<IndexedPoint>,
}

/// A left-out pair found by pricing: reduced cost, sink, km and ratio.
type Priced = (f64, SinkIdx, f64, f64);

/// Sink bands per group. A source searches each band within the radius its best dual
/// allows, so the many sinks with low duals are searched in a small circle instead of the
/// radius the group's single best dual would give (measured: see [`DUAL_BANDS`]).
fn dual_bands(tree: &RTree<IndexedPoint>, sink_dual: &[f64]) -> Vec<DualBand> {
    let mut points: Vec<IndexedPoint> = tree.iter().copied().collect();
    points.sort_by(|a, b| sink_dual[b.data as usize].total_cmp(&sink_dual[a.data as usize]));
    let size = points.len().div_ceil(DUAL_BANDS).max(1);
    let mut bands = Vec::new();
    while !points.is_empty() {
        let rest = points.split_off(size.min(points.len()));
        let best_dual = sink_dual[points[0].data as usize];
        bands.push(DualBand {
            best_dual,
            tree: RTree::bulk_load(std::mem::replace(&mut points, rest)),
        });
    }
    bands
}

/// The pairs left out by pruning whose reduced cost under the duals is negative. At most
/// `per_source` of the most negative are returned per source and served material, so one
/// round does not flood the LP, plus each sink's single best offer. Sources are searched
/// in the network's Z order of their sites, so neighbouring searches share R-tree
/// nodes and duals in the cache (100k uniform, 8 rounds, pricing seconds: 11.9 in input
/// order, 6.6 in Z order); its arcs come in that order too. `None` when `stop`
/// said so before every source was searched (asked before each source, so a deadline or a
/// cancellation is overshot by one source's search at most).
pub(crate) fn negative_arcs(
    ds: &Dataset,
    net: &Network,
    source_dual: &[f64],
    sink_dual: &[f64],
    per_source: usize,
    tolerance: f64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<PricingPass> {
    let cut_off = AtomicBool::new(false);
    // Per sink, the most negative reduced cost per tonne served over its left-out pairs.
    let sink_most_negative: Vec<AtomicU64> = (0..net.sinks.len())
        .map(|_| AtomicU64::new(0.0_f64.to_bits()))
        .collect();
    let existing = ArcSet::new(&net.arcs, net.sources.len());
    let bands: HashMap<_, Vec<DualBand>> = net
        .index
        .trees
        .iter()
        .map(|(key, tree)| (*key, dual_bands(tree, sink_dual)))
        .collect();
    // Per source: its best few negative pairs and its share of the pass's penalty.
    let source_order = &net.source_order;
    let found_in_order: Vec<(Vec<Priced>, Option<f64>)> = source_order
        .par_iter()
        .map(|&s| {
            let s = s as usize;
            let source = &net.sources[s];
            let mut found = Vec::new();
            if sends_nothing(ds, source) || cut_off.load(Ordering::Relaxed) {
                return (found, Some(0.0));
            }
            if stop() {
                cut_off.store(true, Ordering::Relaxed);
                return (found, Some(0.0));
            }
            let mut most_negative = 0.0_f64;
            let s = SourceIdx::new(s);
            let q = SourceQuery::new(ds, source);
            let per_tkm = costs::haul_per_tkm(ds, source.material).objective(ds);
            let y_source = source_dual[s.get()];
            let detour = ds.transport.detour_factor;
            for &(served, ratio) in &net.index.substitutes[source.material.get()] {
                let mut priced: Vec<(f64, SinkIdx, f64)> = Vec::new();
                for is_process in [false, true] {
                    let Some(bands) = bands.get(&(served, is_process)) else {
                        continue;
                    };
                    for band in bands {
                        let tree = &band.tree;
                        let gain = y_source + ratio * band.best_dual;
                        if gain <= tolerance {
                            // Bands come in falling order of their best dual: none further pays.
                            break;
                        }
                        let radius_km = if per_tkm > 0.0 {
                            q.max_km.map_or(gain / per_tkm, |m| m.min(gain / per_tkm))
                        } else {
                            q.max_km.unwrap_or(f64::INFINITY)
                        };
                        let chord2 = chord2_for_km(radius_km / ds.transport.detour_factor);
                        let mut consider = |point: &IndexedPoint| {
                            let t = SinkIdx::new(point.data as usize);
                            let gain = y_source + ratio * sink_dual[t.get()];
                            if gain <= tolerance {
                                return;
                            }
                            // One asin from the chord instead of a full haversine screens out
                            // most pairs; survivors get the exact distance.
                            let estimate = chord_km(point.geom(), &q.point) * detour;
                            if per_tkm * estimate - gain >= 0.0 {
                                return;
                            }
                            let sink = net.sink(t);
                            if is_self_loop(source, sink) || existing.contains(s, t) {
                                return;
                            }
                            let Some(km) = q.km_to(ds, sink) else { return };
                            // The border cost is never negative, so the screens above,
                            // which leave it out, skip no pair that pays.
                            let border = costs::border(ds, source.site, sink.site);
                            let reduced = per_tkm * km + border.objective(ds) - gain;
                            if reduced < -tolerance {
                                priced.push((reduced, t, km));
                                lower_to(&sink_most_negative[t.get()], reduced / ratio);
                            }
                        };
                        match chord2 {
                            Some(c2) => tree
                                .locate_within_distance(q.point, c2)
                                .for_each(&mut consider),
                            None => tree.iter().for_each(&mut consider),
                        }
                    }
                }
                most_negative = priced.iter().map(|p| p.0).fold(most_negative, f64::min);
                priced.sort_by(|a, b| a.0.total_cmp(&b.0));
                found.extend(
                    priced
                        .iter()
                        .take(per_source * WIDE_PRICING)
                        .map(|&(reduced, sink, km)| (reduced, sink, km, ratio)),
                );
            }
            // The source's pairs together carry at most what it can send, so the left-out
            // ones can lower the cost by at most that much at the most negative reduced cost.
            let penalty = if most_negative < 0.0 {
                most_sent(ds, source).map(|q| q * most_negative)
            } else {
                Some(0.0)
            };
            (found, penalty)
        })
        .collect();
    if cut_off.into_inner() {
        return None;
    }
    let mut per_source_found: Vec<(Vec<Priced>, Option<f64>)> =
        vec![(Vec::new(), Some(0.0)); net.sources.len()];
    for (&s, found) in source_order.iter().zip(found_in_order) {
        per_source_found[s as usize] = found;
    }
    let source_penalty = per_source_found
        .iter()
        .map(|(_, p)| *p)
        .sum::<Option<f64>>();
    let sink_penalty = net
        .sinks
        .iter()
        .zip(&sink_most_negative)
        .map(
            |(sink, m)| match f64::from_bits(m.load(Ordering::Relaxed)) {
                m if m < 0.0 => most_taken(ds, sink).map(|d| d * m),
                _ => Some(0.0),
            },
        )
        .sum::<Option<f64>>();
    // Either side's caps give a valid bound; the larger (less negative) is kept.
    let penalty = match (source_penalty, sink_penalty) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let per_source_found: Vec<_> = per_source_found.into_iter().map(|(f, _)| f).collect();
    let most_negative = per_source_found
        .iter()
        .flatten()
        .map(|p| p.0)
        .fold(0.0, f64::min);
    // Each source's best few, plus each sink's single best offer: a sink short of supply
    // gets an outlet in the same round instead of waiting for its sources' turn.
    let mut best_for_sink: HashMap<SinkIdx, (f64, usize, usize)> = HashMap::new();
    for (s, found) in per_source_found.iter().enumerate() {
        for (i, &(reduced, sink, _, _)) in found.iter().enumerate() {
            let entry = best_for_sink.entry(sink).or_insert((reduced, s, i));
            if reduced < entry.0 {
                *entry = (reduced, s, i);
            }
        }
    }
    let mut chosen: HashSet<(usize, usize)> =
        best_for_sink.values().map(|&(_, s, i)| (s, i)).collect();
    let mut arcs = Arcs::default();
    // Added in the sources' Z order, like the candidate arcs: the engine scans arcs in the
    // order they come, and neighbouring arcs then share nodes in the cache.
    for &s in source_order {
        let s = s as usize;
        let found = &per_source_found[s];
        let mut by_cost: Vec<usize> = (0..found.len()).collect();
        by_cost.sort_by(|&a, &b| found[a].0.total_cmp(&found[b].0));
        for (rank, &i) in by_cost.iter().enumerate() {
            if rank < per_source || chosen.remove(&(s, i)) {
                let (_, sink, km, ratio) = found[i];
                arcs.push(SourceIdx::new(s), sink, km, ratio);
            }
        }
    }
    Some(PricingPass {
        arcs,
        penalty,
        most_negative,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::{Algorithm, SolveOptions, build_model, run_model};

    fn lp_optimum(ds: &Dataset, k: usize, exact: bool) -> (Model, LpSolution) {
        let options = SolveOptions::requested(k, exact, true, None, None, Algorithm::Auto);
        let mut model = build_model(ds, &options);
        let (solution, _) = run_model(ds, &mut model, &options).expect("solves");
        assert_eq!(solution.status, SolveStatus::Optimal);
        (model, solution)
    }

    /// The bound one pricing pass gives from a pruned optimum lies between the pruned
    /// optimum and the exact one, on plain matching and with a recycler in between.
    #[test]
    fn a_pass_bounds_the_exact_optimum_from_below() {
        for (seed, recycler) in [(1, false), (2, false), (3, true)] {
            let ds = crate::generate::uniform::generate(300, seed, recycler);
            let (exact_model, exact) = lp_optimum(&ds, 0, true);
            let exact = exact.objective(&exact_model.lp).expect("a point");
            let (model, pruned) = lp_optimum(&ds, 1, false);
            let pruned_objective = pruned.objective(&model.lp).expect("a point");
            let layout = &model.lp.layout;
            let source_dual: Vec<f64> = (0..model.network.sources.len())
                .map(|s| {
                    pruned
                        .dual(layout.source_row(SourceIdx::new(s)))
                        .unwrap_or(0.0)
                })
                .collect();
            let sink_dual: Vec<f64> = (0..model.network.sinks.len())
                .map(|t| pruned.dual(layout.sink_row(SinkIdx::new(t))).unwrap_or(0.0))
                .collect();
            let pass = negative_arcs(
                &ds,
                &model.network,
                &source_dual,
                &sink_dual,
                PRICING_PER_SOURCE,
                PRICING_TOLERANCE,
                &|| false,
            )
            .expect("not stopped");
            let bound = pruned_objective + pass.penalty.expect("every node is bounded");
            let slack = 1e-6 * exact.abs().max(1.0);
            assert!(
                pruned_objective > exact + slack,
                "seed {seed}: k = 1 should lose something ({pruned_objective} vs {exact})"
            );
            assert!(!pass.arcs.is_empty());
            assert!(
                bound <= exact + slack,
                "seed {seed}: bound {bound} above the optimum {exact}"
            );
        }
    }
}
