//! Assembles a [`SolveResult`] from a solution read through the LP's layout: cost parts,
//! flows, imports, disposals, process use, KPIs, shadow prices and targets.

use super::flows::{FLOW_EPSILON_T, FlowMargins, flow_arcs_in_report_order};
use super::kpis::{BASELINE, Part, baseline, kpis};
use super::plan::Plan;
use super::schema::*;
use super::targets::targets;
use crate::lp::LinearProgram;
use crate::lp::costs;
use crate::model::domain::{Dataset, RouteKind, Stream};
use crate::model::ids::{MaterialIdx, ProcessIdx};
use crate::network::{Network, SinkKind, SourceKind};
use crate::solve::LpSolution;

/// Assembles the result of a solve, each flow with its cost margin where `margins` has one.
pub(crate) fn assemble(
    ds: &Dataset,
    net: &Network,
    lp: &LinearProgram,
    solution: &LpSolution,
    stats: SolveStats,
    margins: Option<&FlowMargins>,
) -> SolveResult {
    let baseline_parts = baseline(ds);
    let mut result = SolveResult {
        dataset: ds.meta.name.clone(),
        currency: ds.meta.currency.clone(),
        status: solution.status,
        objective: None,
        baseline: baseline_parts.total,
        baseline_description: BASELINE,
        objective_parts: None,
        baseline_parts,
        kpis: None,
        flows: Vec::new(),
        imports: Vec::new(),
        disposals: Vec::new(),
        unserved: Vec::new(),
        processes: Vec::new(),
        shadow_prices: None,
        targets: Vec::new(),
        stats,
        alternatives: Vec::new(),
    };
    let Some(x) = &solution.primal else {
        return result;
    };
    let plan = Plan { ds, net, lp, x };
    let parts = plan.cost_parts();
    result.objective = Some(parts.total);
    result.flows = plan.flows(margins);
    result.imports = plan.imports();
    result.disposals = plan.disposals();
    result.processes = plan.process_uses();
    let tonne_km = result.flows.iter().map(|f| f.tonnes_sent * f.km).sum();
    result.kpis = Some(kpis(
        ds,
        plan.imported_t(),
        plan.recovered_t(),
        tonne_km,
        &parts,
        &result.baseline_parts,
    ));
    result.targets = targets(&plan);
    result.objective_parts = Some(parts);
    result.shadow_prices = solution
        .row_dual
        .as_ref()
        .map(|_| plan.shadow_prices(solution));
    result
}

impl Plan<'_> {
    fn cost_parts(&self) -> CostParts {
        let (ds, l) = (self.ds, &self.lp.layout);
        let mut parts = CostParts::default();
        for (a, _) in l.flows() {
            let f = self.flow(a);
            if f == 0.0 {
                continue;
            }
            // Border costs, if any, count as transport.
            parts.add(Part::Transport, f, costs::arc(ds, self.net, a));
        }
        for (d, demand) in self.demands() {
            parts.add(
                Part::Import,
                self.value(l.import(d)),
                costs::import(ds, demand),
            );
        }
        for (s, supply) in self.supplies() {
            let cost = costs::disposal(ds, supply);
            parts.add(Part::Disposal, self.value(l.disposal(s)), cost);
        }
        for (_, m, col) in self.outputs() {
            let cost = costs::output_disposal(ds, m);
            parts.add(Part::Disposal, self.value(col), cost);
        }
        for (p, process) in ds.processes.iter().enumerate() {
            let p = ProcessIdx::new(p);
            parts.add(
                Part::Process,
                self.value(l.activity(p)),
                costs::activity(process),
            );
            let added = self.new_capacity_of(p);
            parts.add(Part::Capex, added, costs::new_capacity(process));
            let opened = self.opened_of(p).map_or(0.0, f64::from);
            parts.add(Part::Capex, opened, costs::opening(process));
        }
        parts.finish(ds.co2_price_per_kg());
        parts
    }

    fn imported_t(&self) -> f64 {
        let l = &self.lp.layout;
        self.demands().map(|(d, _)| self.value(l.import(d))).sum()
    }

    /// Supplied tonnes sent to a demand or into a recovery process.
    fn recovered_t(&self) -> f64 {
        let (ds, net, l) = (self.ds, self.net, &self.lp.layout);
        l.flows()
            .map(|(a, _)| a)
            .filter(|&a| {
                let from_supply =
                    matches!(net.source(net.arcs.source(a)).kind, SourceKind::Supply(_));
                let to_recovery = match net.sink(net.arcs.sink(a)).kind {
                    SinkKind::Demand(_) => true,
                    SinkKind::ProcessInput { process, .. } => {
                        ds.process(process).route.kind == RouteKind::Recovery
                    }
                };
                from_supply && to_recovery
            })
            .map(|a| self.flow(a))
            .sum()
    }

    fn flows(&self, margins: Option<&FlowMargins>) -> Vec<Flow> {
        let (ds, net) = (self.ds, self.net);
        use rayon::prelude::*;
        // Built straight into one array of the known length: a filtered parallel collect
        // gathered them in chunks and then copied them (heaptrack, the uniform 300k
        // instance: 201 MB of chunks beside 141 MB of flows at the results' peak).
        flow_arcs_in_report_order(self.lp, self.x)
            .into_par_iter()
            .map(|a| {
                let t = self.flow(a);
                let source = net.source(net.arcs.source(a));
                let sink = net.sink(net.arcs.sink(a));
                let (from, to) = (ds.site(source.site), ds.site(sink.site));
                let km = net.arcs.km(a);
                let haul = costs::arc(ds, net, a);
                let margin = margins.and_then(|m| m.get(&a));
                Flow {
                    from_site: from.id.clone(),
                    from_name: from.name.clone(),
                    from_process: match source.kind {
                        SourceKind::Supply(_) => None,
                        SourceKind::ProcessOutput { process, .. } => {
                            Some(ds.process(process).id.clone())
                        }
                    },
                    to_site: to.id.clone(),
                    to_name: to.name.clone(),
                    to_process: match sink.kind {
                        SinkKind::Demand(_) => None,
                        SinkKind::ProcessInput { process, .. } => {
                            Some(ds.process(process).id.clone())
                        }
                    },
                    material_sent: ds.material(source.material).id.clone(),
                    material_served: ds.material(sink.material).id.clone(),
                    tonnes_sent: t,
                    tonnes_served: t * net.arcs.ratio(a),
                    km,
                    cost: t * haul.money,
                    co2_kg: t * haul.co2_kg,
                    from_lon: from.lon,
                    from_lat: from.lat,
                    to_lon: to.lon,
                    to_lat: to.lat,
                    cost_margin: margin.and_then(|m| m.per_tonne),
                    cost_margin_exact: margin.map(|m| m.exact),
                }
            })
            .collect()
    }

    fn imports(&self) -> Vec<Import> {
        let ds = self.ds;
        self.demands()
            .filter_map(|(d, demand)| {
                let t = self.value(self.lp.layout.import(d));
                (t > FLOW_EPSILON_T).then(|| {
                    let cost = costs::import(ds, demand);
                    Import {
                        site: ds.site(demand.site).id.clone(),
                        material: ds.material(demand.material).id.clone(),
                        demand_t: demand.quantity.0,
                        imported_t: t,
                        cost: t * cost.money,
                        co2_kg: t * cost.co2_kg,
                    }
                })
            })
            .collect()
    }

    fn disposals(&self) -> Vec<Disposal> {
        let (ds, l) = (self.ds, &self.lp.layout);
        let disposal = |t: f64, site, material: MaterialIdx, cost: costs::UnitCost, process| {
            (t > FLOW_EPSILON_T).then(|| Disposal {
                site: ds.site(site).id.clone(),
                material: ds.material(material).id.clone(),
                process,
                disposed_t: t,
                cost: t * cost.money,
                co2_kg: t * cost.co2_kg,
            })
        };
        let supplies = self.supplies().filter_map(|(s, supply)| {
            disposal(
                self.value(l.disposal(s)),
                supply.site,
                supply.material,
                costs::disposal(ds, supply),
                None,
            )
        });
        let outputs = self.outputs().filter_map(|(p, m, col)| {
            let process = ds.process(p);
            disposal(
                self.value(col),
                process.site,
                m,
                costs::output_disposal(ds, m),
                Some(process.id.clone()),
            )
        });
        supplies.chain(outputs).collect()
    }

    fn process_uses(&self) -> Vec<ProcessUse> {
        self.ds
            .processes
            .iter()
            .enumerate()
            .map(|(p, process)| {
                let p = ProcessIdx::new(p);
                ProcessUse {
                    id: process.id.clone(),
                    site: self.ds.site(process.site).id.clone(),
                    activity: self.value(self.lp.layout.activity(p)),
                    capacity: process.capacity,
                    new_capacity: self.new_capacity_of(p),
                    opened: self.opened_of(p),
                    fixed_cost: self.fixed_cost_of(p),
                    // Set by the pipeline when asked for (`value_openings`).
                    objective_if_open: None,
                    objective_if_closed: None,
                }
            })
            .collect()
    }

    fn shadow_prices(&self, solution: &LpSolution) -> ShadowPrices {
        let (ds, l) = (self.ds, &self.lp.layout);
        let price = |s: &Stream, row| StreamPrice {
            site: ds.site(s.site).id.clone(),
            material: ds.material(s.material).id.clone(),
            quantity_t: s.quantity.0,
            marginal_cost: solution.dual(row).unwrap_or(0.0),
        };
        ShadowPrices {
            supplies: self
                .supplies()
                .map(|(i, s)| price(s, l.supply_row(i)))
                .collect(),
            demands: self
                .demands()
                .map(|(i, d)| price(d, l.demand_row(i)))
                .collect(),
        }
    }
}
