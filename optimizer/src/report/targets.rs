//! Import-substitution targets: per imported material, what the plan meets locally, from
//! which materials and new capacity, and what that saves net of delivery and process cost.

use super::flows::FLOW_EPSILON_T;
use super::plan::Plan;
use super::schema::{CapacityTarget, ServedBy, Target, Unserved, UnservedKind};
use crate::lp::costs;
use crate::model::ids::{MaterialIdx, ProcessIdx};
use crate::network::{SinkKind, SourceKind};
use std::collections::BTreeMap;

/// Ranks targets by net savings (then by tonnes still imported), 1 = best.
pub fn rank_targets(targets: &mut [Target]) {
    targets.sort_by(|a, b| {
        b.net_savings
            .total_cmp(&a.net_savings)
            .then(b.imported_t.total_cmp(&a.imported_t))
    });
    for (i, t) in targets.iter_mut().enumerate() {
        t.rank = i + 1;
    }
}

/// Each target's least price gap over the unserved demands of its material.
pub(crate) fn set_price_gaps(targets: &mut [Target], unserved: &[Unserved]) {
    for t in targets {
        t.price_gap = unserved
            .iter()
            .filter(|u| u.kind == UnservedKind::Demand && u.material == t.material)
            .filter_map(|u| u.price_gap)
            .min_by(f64::total_cmp);
    }
}

/// Per-process cost (activity with CO2 priced in, and new capacity) per tonne of output,
/// to apportion process costs to the demands the outputs serve.
fn process_cost_per_output_t(plan: &Plan) -> Vec<f64> {
    let (ds, l) = (plan.ds, &plan.lp.layout);
    ds.processes
        .iter()
        .enumerate()
        .map(|(p, process)| {
            let p = ProcessIdx::new(p);
            let activity = plan.value(l.activity(p));
            let out_t: f64 = process.outputs.iter().map(|&(_, c)| c * activity).sum();
            if out_t <= FLOW_EPSILON_T {
                return 0.0;
            }
            let cost = activity * costs::activity(process).objective(ds)
                + plan.new_capacity_of(p) * costs::new_capacity(process).money
                + plan.fixed_cost_of(p);
            cost / out_t
        })
        .collect()
}

/// What the plan does about each demanded material, ranked.
pub(crate) fn targets(plan: &Plan) -> Vec<Target> {
    let (ds, net, l) = (plan.ds, plan.net, &plan.lp.layout);
    let per_output_t = process_cost_per_output_t(plan);
    #[derive(Default)]
    struct Acc {
        demand: f64,
        imported: f64,
        /// Import cost (CO2 priced in) of the tonnes met locally.
        avoided: f64,
        served_by: BTreeMap<MaterialIdx, f64>,
        /// Tonnes each process's outputs deliver to this material's demands.
        processes: BTreeMap<ProcessIdx, f64>,
        delivery: f64,
        process_cost: f64,
    }
    let mut acc: BTreeMap<MaterialIdx, Acc> = BTreeMap::new();
    for (d, demand) in plan.demands() {
        let a = acc.entry(demand.material).or_default();
        let imported = plan.value(l.import(d));
        a.demand += demand.quantity.0;
        a.imported += imported;
        a.avoided +=
            (demand.quantity.0 - imported).max(0.0) * costs::import(ds, demand).objective(ds);
    }
    for (arc, _) in l.flows() {
        let t = plan.flow(arc);
        let sink = net.sink(net.arcs.sink(arc));
        if t <= FLOW_EPSILON_T || !matches!(sink.kind, SinkKind::Demand(_)) {
            continue;
        }
        let source = net.source(net.arcs.source(arc));
        let a = acc.entry(sink.material).or_default();
        *a.served_by.entry(source.material).or_default() += t;
        a.delivery += t * costs::arc(ds, net, arc).objective(ds);
        if let SourceKind::ProcessOutput { process, .. } = source.kind {
            a.process_cost += t * per_output_t[process.get()];
            *a.processes.entry(process).or_default() += t;
        }
    }
    // A process's new capacity is listed once, under the material its outputs serve most.
    let mut owner: BTreeMap<ProcessIdx, (f64, MaterialIdx)> = BTreeMap::new();
    for (&material, a) in &acc {
        for (&p, &t) in &a.processes {
            let best = owner.entry(p).or_insert((t, material));
            if t > best.0 {
                *best = (t, material);
            }
        }
    }
    let mut targets: Vec<Target> = acc
        .into_iter()
        .filter(|(_, a)| a.demand > 0.0)
        .map(|(material, a)| {
            let substituted = (a.demand - a.imported).max(0.0);
            let avoided = a.avoided;
            Target {
                rank: 0,
                material: ds.material(material).id.clone(),
                demand_t: a.demand,
                imported_t: a.imported,
                substituted_t: substituted,
                served_by: a
                    .served_by
                    .iter()
                    .map(|(&m, &t)| ServedBy {
                        material: ds.material(m).id.clone(),
                        tonnes_sent: t,
                    })
                    .collect(),
                new_capacity: a
                    .processes
                    .keys()
                    .filter(|p| owner.get(p).is_some_and(|&(_, m)| m == material))
                    .filter_map(|&p| {
                        let process = ds.process(p);
                        let added = plan.new_capacity_of(p);
                        (added > FLOW_EPSILON_T).then(|| {
                            let site = ds.site(process.site);
                            CapacityTarget {
                                process: process.id.clone(),
                                site: site.id.clone(),
                                site_name: site.name.clone(),
                                lon: site.lon,
                                lat: site.lat,
                                new_capacity: added,
                                capex: added * costs::new_capacity(process).money,
                                fixed_cost: plan.fixed_cost_of(p),
                            }
                        })
                    })
                    .collect(),
                import_cost_avoided: avoided,
                delivery_cost: a.delivery,
                process_cost: a.process_cost,
                net_savings: avoided - a.delivery - a.process_cost,
                price_gap: None,
            }
        })
        .collect();
    rank_targets(&mut targets);
    targets
}
