//! Turns an LP solution into what a planner reads: flows between named sites, imports and
//! disposals, costs split by kind, KPIs against the do-nothing baseline, shadow prices and
//! ranked import-substitution targets.

use crate::domain::Dataset;
use crate::ids::{MaterialId, MaterialIdx, ProcessId, SiteId};
use crate::lp::LinearProgram;
use crate::network::{Network, SinkKind, SourceKind};
use crate::solver::{LpSolution, SolveStatus};
use serde::Serialize;
use std::collections::BTreeMap;

/// Values below this many tonnes are solver noise, not flows.
pub const FLOW_EPSILON_T: f64 = 1e-6;

/// Everything a solve reports. `status`, `objective` and `baseline` are top-level numbers so
/// scripts can read them without digging.
#[derive(Clone, Debug, Serialize)]
pub struct SolveResult {
    pub dataset: String,
    pub currency: String,
    pub status: SolveStatus,
    /// Total cost of the plan (currency/yr), CO2 priced in; `None` without a solution.
    pub objective: Option<f64>,
    /// Cost of the baseline: every demand imported, every supply disposed of.
    pub baseline: f64,
    pub objective_parts: Option<CostParts>,
    pub baseline_parts: CostParts,
    pub kpis: Option<Kpis>,
    pub flows: Vec<Flow>,
    pub imports: Vec<Import>,
    pub disposals: Vec<Disposal>,
    pub processes: Vec<ProcessUse>,
    /// Present only for optimal solves.
    pub shadow_prices: Option<ShadowPrices>,
    pub targets: Vec<Target>,
    pub stats: SolveStats,
}

/// Costs by kind (currency/yr) and emissions (kg CO2e/yr). `co2` is the priced emissions;
/// the other cost parts exclude it, so the parts add up to `total`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CostParts {
    pub transport: f64,
    pub import: f64,
    pub disposal: f64,
    pub process: f64,
    pub capex: f64,
    pub co2: f64,
    pub total: f64,
    pub emissions_kg: Emissions,
}

/// Emissions by kind, kg CO2e/yr.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Emissions {
    pub transport: f64,
    pub import: f64,
    pub disposal: f64,
    pub process: f64,
    pub total: f64,
}

/// Key figures against the baseline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Kpis {
    pub total_supply_t: f64,
    pub total_demand_t: f64,
    /// Baseline disposal (all supplies) minus the plan's disposal (supplies and process outputs).
    pub diverted_from_disposal_t: f64,
    /// Demand met locally instead of by import.
    pub imports_substituted_t: f64,
    pub tonne_km: f64,
    pub co2_saved_t: f64,
    pub cost_saved: f64,
    /// Share of demand met from local secondary material, 0..1.
    pub circularity_rate: f64,
}

/// One routed stream.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    pub from_site: SiteId,
    pub from_name: String,
    /// Set when the flow leaves a process output.
    pub from_process: Option<ProcessId>,
    pub to_site: SiteId,
    pub to_name: String,
    /// Set when the flow feeds a process input.
    pub to_process: Option<ProcessId>,
    pub material_sent: MaterialId,
    pub material_served: MaterialId,
    pub tonnes_sent: f64,
    pub tonnes_served: f64,
    pub km: f64,
    /// Transport cost, currency/yr (excluding priced CO2).
    pub cost: f64,
    pub co2_kg: f64,
    pub from_lon: f64,
    pub from_lat: f64,
    pub to_lon: f64,
    pub to_lat: f64,
}

/// Demand still imported.
#[derive(Clone, Debug, Serialize)]
pub struct Import {
    pub site: SiteId,
    pub material: MaterialId,
    pub demand_t: f64,
    pub imported_t: f64,
    pub cost: f64,
    pub co2_kg: f64,
}

/// Supply (or process output) still disposed of.
#[derive(Clone, Debug, Serialize)]
pub struct Disposal {
    pub site: SiteId,
    pub material: MaterialId,
    pub process: Option<ProcessId>,
    pub disposed_t: f64,
    pub cost: f64,
    pub co2_kg: f64,
}

/// How a process is used.
#[derive(Clone, Debug, Serialize)]
pub struct ProcessUse {
    pub id: ProcessId,
    pub site: SiteId,
    pub activity: f64,
    pub capacity: f64,
    /// Capacity the LP added at a candidate process (units/yr).
    pub new_capacity: f64,
}

/// Marginal cost of one more tonne of each stream: the balance row's dual. For a supply,
/// a negative value means one more tonne would lower the region's cost (it is worth that
/// much); for a demand it is what meeting one more tonne would cost.
#[derive(Clone, Debug, Serialize)]
pub struct ShadowPrices {
    pub supplies: Vec<StreamPrice>,
    pub demands: Vec<StreamPrice>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StreamPrice {
    pub site: SiteId,
    pub material: MaterialId,
    pub quantity_t: f64,
    /// Currency per tonne.
    pub marginal_cost: f64,
}

/// An import-substitution target: what the plan does about one imported material.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub rank: usize,
    pub material: MaterialId,
    pub demand_t: f64,
    pub imported_t: f64,
    pub substituted_t: f64,
    /// Tonnes sent, by material, that serve this demand locally.
    pub served_by: Vec<ServedBy>,
    /// Candidate processes the LP sized whose outputs serve this material.
    pub new_capacity: Vec<CapacityTarget>,
    /// Tonnes met locally times their demands' import cost (CO2 priced in).
    pub import_cost_avoided: f64,
    /// Transport (CO2 priced in) of the flows serving this demand.
    pub delivery_cost: f64,
    /// Share of process and new-capacity cost of the processes serving this demand,
    /// apportioned by their output tonnes.
    pub process_cost: f64,
    pub net_savings: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServedBy {
    pub material: MaterialId,
    pub tonnes_sent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CapacityTarget {
    pub process: ProcessId,
    pub site: SiteId,
    pub lon: f64,
    pub lat: f64,
    pub new_capacity: f64,
    pub capex: f64,
}

/// Sizes and timings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SolveStats {
    /// Independent parts solved (material groups); timings and sizes are summed over them.
    pub components: usize,
    /// Parts solved by the min-cost flow path ([`crate::transport`]); HiGHS solved the rest.
    pub min_cost_flow_parts: usize,
    pub k: usize,
    pub exact: bool,
    /// Whether left-out arcs were priced in (see [`crate::solve_model`]).
    pub priced: bool,
    /// Re-solves after pricing added arcs (0: the k-nearest optimum was already exact).
    pub pricing_rounds: usize,
    pub arcs_added_by_pricing: usize,
    /// Arcs in the final LP (pruned plus priced in).
    pub candidate_arcs: usize,
    pub columns: usize,
    pub rows: usize,
    pub network_seconds: f64,
    pub lp_build_seconds: f64,
    /// Solver time (HiGHS or min-cost flow) over all rounds.
    pub solve_seconds: f64,
    /// Time spent searching left-out arcs with negative reduced cost.
    pub pricing_seconds: f64,
}

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

/// Largest flows first, the order reports list them in.
pub fn sort_flows(flows: &mut [Flow]) {
    use rayon::slice::ParallelSliceMut;
    // Stable, so equal flows keep arc order and reports are the same run to run.
    flows.par_sort_by(|a, b| b.tonnes_sent.total_cmp(&a.tonnes_sent));
}

/// Assembles the result of a solve.
pub fn assemble(
    ds: &Dataset,
    net: &Network,
    lp: &LinearProgram,
    solution: &LpSolution,
    stats: SolveStats,
) -> SolveResult {
    let baseline_parts = baseline(ds);
    let mut result = SolveResult {
        dataset: ds.meta.name.clone(),
        currency: ds.meta.currency.clone(),
        status: solution.status,
        objective: None,
        baseline: baseline_parts.total,
        objective_parts: None,
        baseline_parts,
        kpis: None,
        flows: Vec::new(),
        imports: Vec::new(),
        disposals: Vec::new(),
        processes: Vec::new(),
        shadow_prices: None,
        targets: Vec::new(),
        stats,
    };
    let Some(x) = &solution.primal else {
        return result;
    };
    let plan = Plan { ds, net, lp, x };
    let parts = plan.cost_parts();
    result.objective = Some(parts.total);
    result.flows = plan.flows();
    result.imports = plan.imports();
    result.disposals = plan.disposals();
    result.processes = plan.process_uses();
    result.kpis = Some(plan.kpis(&parts, &result.baseline_parts, &result.flows));
    result.targets = plan.targets();
    result.objective_parts = Some(parts);
    result.shadow_prices = solution.row_dual.as_ref().map(|y| plan.shadow_prices(y));
    result
}

fn baseline(ds: &Dataset) -> CostParts {
    let mut parts = CostParts::default();
    for d in &ds.demands {
        let m = ds.material(d.material);
        parts.import += d.quantity.0 * ds.import_cost(d);
        parts.emissions_kg.import += d.quantity.0 * m.import_co2_kg;
    }
    for s in &ds.supplies {
        let m = ds.material(s.material);
        parts.disposal += s.quantity.0 * ds.disposal_cost(s);
        parts.emissions_kg.disposal += s.quantity.0 * m.disposal_co2_kg;
    }
    parts.finish(ds.co2_price_per_kg());
    parts
}

impl CostParts {
    fn finish(&mut self, co2_price_per_kg: f64) {
        let e = &mut self.emissions_kg;
        e.total = e.transport + e.import + e.disposal + e.process;
        self.co2 = co2_price_per_kg * e.total;
        self.total =
            self.transport + self.import + self.disposal + self.process + self.capex + self.co2;
    }
}

/// A primal solution read through the layout.
struct Plan<'a> {
    ds: &'a Dataset,
    net: &'a Network,
    lp: &'a LinearProgram,
    x: &'a [f64],
}

impl Plan<'_> {
    fn value(&self, col: usize) -> f64 {
        self.x[col].max(0.0)
    }

    fn flow(&self, arc: usize) -> f64 {
        self.value(self.lp.layout.flow(arc))
    }

    fn process_output_index(&self, process: u32, output: u32) -> usize {
        self.lp.layout.first_output[process as usize] as usize + output as usize
    }

    fn new_capacity_of(&self, process: usize) -> f64 {
        let l = &self.lp.layout;
        l.candidates
            .iter()
            .position(|&p| p as usize == process)
            .map_or(0.0, |c| self.value(l.new_capacity(c)))
    }

    fn cost_parts(&self) -> CostParts {
        let (ds, l) = (self.ds, &self.lp.layout);
        let mut parts = CostParts::default();
        for a in 0..l.arcs {
            let f = self.flow(a);
            if f == 0.0 {
                continue;
            }
            let m = self.net.sources[self.net.arcs.source[a] as usize].material;
            let tkm = f * self.net.arcs.km[a];
            parts.transport += tkm * ds.transport_cost_per_tkm(m);
            parts.emissions_kg.transport += tkm * ds.transport_co2_kg_per_tkm(m);
        }
        for (d, demand) in ds.demands.iter().enumerate() {
            let t = self.value(l.import(d));
            let m = ds.material(demand.material);
            parts.import += t * ds.import_cost(demand);
            parts.emissions_kg.import += t * m.import_co2_kg;
        }
        let mut dispose = |t: f64, m: MaterialIdx, unit_cost: Option<f64>| {
            let m = ds.material(m);
            parts.disposal += t * unit_cost.unwrap_or(m.disposal_cost);
            parts.emissions_kg.disposal += t * m.disposal_co2_kg;
        };
        for (s, supply) in ds.supplies.iter().enumerate() {
            dispose(self.value(l.disposal(s)), supply.material, supply.unit_cost);
        }
        for (p, process) in ds.processes.iter().enumerate() {
            for (o, &(m, _)) in process.outputs.iter().enumerate() {
                let col = l.output_disposal(self.process_output_index(p as u32, o as u32));
                dispose(self.value(col), m, None);
            }
        }
        for (p, process) in ds.processes.iter().enumerate() {
            let activity = self.value(l.activity(p));
            parts.process += activity * process.cost_per_unit;
            parts.emissions_kg.process += activity * process.co2_kg_per_unit;
            parts.capex += self.new_capacity_of(p) * process.candidate_capex.unwrap_or(0.0);
        }
        parts.finish(ds.co2_price_per_kg());
        parts
    }

    fn flows(&self) -> Vec<Flow> {
        let ds = self.ds;
        use rayon::prelude::*;
        let mut flows: Vec<Flow> = (0..self.lp.layout.arcs)
            .into_par_iter()
            .filter(|&a| self.flow(a) > FLOW_EPSILON_T)
            .map(|a| {
                let t = self.flow(a);
                let source = &self.net.sources[self.net.arcs.source[a] as usize];
                let sink = &self.net.sinks[self.net.arcs.sink[a] as usize];
                let (from, to) = (ds.site(source.site), ds.site(sink.site));
                let km = self.net.arcs.km[a];
                Flow {
                    from_site: from.id.clone(),
                    from_name: from.name.clone(),
                    from_process: match source.kind {
                        SourceKind::Supply(_) => None,
                        SourceKind::ProcessOutput { process, .. } => {
                            Some(ds.processes[process as usize].id.clone())
                        }
                    },
                    to_site: to.id.clone(),
                    to_name: to.name.clone(),
                    to_process: match sink.kind {
                        SinkKind::Demand(_) => None,
                        SinkKind::ProcessInput { process, .. } => {
                            Some(ds.processes[process as usize].id.clone())
                        }
                    },
                    material_sent: ds.material(source.material).id.clone(),
                    material_served: ds.material(sink.material).id.clone(),
                    tonnes_sent: t,
                    tonnes_served: t * self.net.arcs.ratio[a],
                    km,
                    cost: t * km * ds.transport_cost_per_tkm(source.material),
                    co2_kg: t * km * ds.transport_co2_kg_per_tkm(source.material),
                    from_lon: from.lon,
                    from_lat: from.lat,
                    to_lon: to.lon,
                    to_lat: to.lat,
                }
            })
            .collect();
        sort_flows(&mut flows);
        flows
    }

    fn imports(&self) -> Vec<Import> {
        let ds = self.ds;
        ds.demands
            .iter()
            .enumerate()
            .filter_map(|(d, demand)| {
                let t = self.value(self.lp.layout.import(d));
                (t > FLOW_EPSILON_T).then(|| {
                    let m = ds.material(demand.material);
                    Import {
                        site: ds.site(demand.site).id.clone(),
                        material: m.id.clone(),
                        demand_t: demand.quantity.0,
                        imported_t: t,
                        cost: t * ds.import_cost(demand),
                        co2_kg: t * m.import_co2_kg,
                    }
                })
            })
            .collect()
    }

    fn disposals(&self) -> Vec<Disposal> {
        let (ds, l) = (self.ds, &self.lp.layout);
        let mut out = Vec::new();
        let mut push = |t: f64, site, material: MaterialIdx, unit_cost: Option<f64>, process| {
            if t > FLOW_EPSILON_T {
                let m = ds.material(material);
                out.push(Disposal {
                    site: ds.site(site).id.clone(),
                    material: m.id.clone(),
                    process,
                    disposed_t: t,
                    cost: t * unit_cost.unwrap_or(m.disposal_cost),
                    co2_kg: t * m.disposal_co2_kg,
                });
            }
        };
        for (s, supply) in ds.supplies.iter().enumerate() {
            push(
                self.value(l.disposal(s)),
                supply.site,
                supply.material,
                supply.unit_cost,
                None,
            );
        }
        for (p, process) in ds.processes.iter().enumerate() {
            for (o, &(m, _)) in process.outputs.iter().enumerate() {
                let col = l.output_disposal(self.process_output_index(p as u32, o as u32));
                push(
                    self.value(col),
                    process.site,
                    m,
                    None,
                    Some(process.id.clone()),
                );
            }
        }
        out
    }

    fn process_uses(&self) -> Vec<ProcessUse> {
        self.ds
            .processes
            .iter()
            .enumerate()
            .map(|(p, process)| ProcessUse {
                id: process.id.clone(),
                site: self.ds.site(process.site).id.clone(),
                activity: self.value(self.lp.layout.activity(p)),
                capacity: process.capacity,
                new_capacity: self.new_capacity_of(p),
            })
            .collect()
    }

    fn kpis(&self, parts: &CostParts, base: &CostParts, flows: &[Flow]) -> Kpis {
        let ds = self.ds;
        let total_supply: f64 = ds.supplies.iter().map(|s| s.quantity.0).sum();
        let total_demand: f64 = ds.demands.iter().map(|d| d.quantity.0).sum();
        let l = &self.lp.layout;
        let imported: f64 = (0..l.demands).map(|d| self.value(l.import(d))).sum();
        let disposed: f64 = (0..l.supplies)
            .map(|s| self.value(l.disposal(s)))
            .chain((0..l.process_outputs).map(|o| self.value(l.output_disposal(o))))
            .sum();
        let substituted = (total_demand - imported).max(0.0);
        Kpis {
            total_supply_t: total_supply,
            total_demand_t: total_demand,
            diverted_from_disposal_t: total_supply - disposed,
            imports_substituted_t: substituted,
            tonne_km: flows.iter().map(|f| f.tonnes_sent * f.km).sum(),
            co2_saved_t: (base.emissions_kg.total - parts.emissions_kg.total) / 1000.0,
            cost_saved: base.total - parts.total,
            circularity_rate: if total_demand > 0.0 {
                substituted / total_demand
            } else {
                0.0
            },
        }
    }

    fn shadow_prices(&self, dual: &[f64]) -> ShadowPrices {
        let (ds, l) = (self.ds, &self.lp.layout);
        let price = |streams: &[crate::domain::Stream], row: &dyn Fn(usize) -> usize| {
            streams
                .iter()
                .enumerate()
                .map(|(i, s)| StreamPrice {
                    site: ds.site(s.site).id.clone(),
                    material: ds.material(s.material).id.clone(),
                    quantity_t: s.quantity.0,
                    marginal_cost: dual[row(i)],
                })
                .collect()
        };
        ShadowPrices {
            supplies: price(&ds.supplies, &|i| l.supply_row(i)),
            demands: price(&ds.demands, &|i| l.demand_row(i)),
        }
    }

    /// Per-process cost (activity, CO2 and new capacity) per tonne of output, to apportion
    /// process costs to the demands the outputs serve.
    fn process_cost_per_output_t(&self) -> Vec<f64> {
        let (ds, l) = (self.ds, &self.lp.layout);
        ds.processes
            .iter()
            .enumerate()
            .map(|(p, process)| {
                let activity = self.value(l.activity(p));
                let out_t: f64 = process.outputs.iter().map(|&(_, c)| c * activity).sum();
                if out_t <= FLOW_EPSILON_T {
                    return 0.0;
                }
                let cost = activity
                    * (process.cost_per_unit + ds.co2_price_per_kg() * process.co2_kg_per_unit)
                    + self.new_capacity_of(p) * process.candidate_capex.unwrap_or(0.0);
                cost / out_t
            })
            .collect()
    }

    fn targets(&self) -> Vec<Target> {
        let (ds, net, l) = (self.ds, self.net, &self.lp.layout);
        let per_output_t = self.process_cost_per_output_t();
        #[derive(Default)]
        struct Acc {
            demand: f64,
            imported: f64,
            /// Import cost (CO2 priced in) of the tonnes met locally.
            avoided: f64,
            served_by: BTreeMap<u32, f64>,
            processes: BTreeMap<u32, ()>,
            delivery: f64,
            process_cost: f64,
        }
        let mut acc: BTreeMap<u32, Acc> = BTreeMap::new();
        for (d, demand) in ds.demands.iter().enumerate() {
            let a = acc.entry(demand.material.0).or_default();
            let imported = self.value(l.import(d));
            a.demand += demand.quantity.0;
            a.imported += imported;
            a.avoided += (demand.quantity.0 - imported).max(0.0) * ds.import_cost_with_co2(demand);
        }
        for arc in 0..l.arcs {
            let t = self.flow(arc);
            let sink = &net.sinks[net.arcs.sink[arc] as usize];
            if t <= FLOW_EPSILON_T || !matches!(sink.kind, SinkKind::Demand(_)) {
                continue;
            }
            let source = &net.sources[net.arcs.source[arc] as usize];
            let a = acc.entry(sink.material.0).or_default();
            *a.served_by.entry(source.material.0).or_default() += t;
            let m = source.material;
            a.delivery += t * net.arcs.km[arc] * ds.haul_cost_per_tkm(m);
            if let SourceKind::ProcessOutput { process, .. } = source.kind {
                a.process_cost += t * per_output_t[process as usize];
                a.processes.insert(process, ());
            }
        }
        let mut targets: Vec<Target> = acc
            .into_iter()
            .filter(|(_, a)| a.demand > 0.0)
            .map(|(m, a)| {
                let material = MaterialIdx(m);
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
                            material: ds.material(MaterialIdx(m)).id.clone(),
                            tonnes_sent: t,
                        })
                        .collect(),
                    new_capacity: a
                        .processes
                        .keys()
                        .filter_map(|&p| {
                            let process = &ds.processes[p as usize];
                            let added = self.new_capacity_of(p as usize);
                            (added > FLOW_EPSILON_T).then(|| {
                                let site = ds.site(process.site);
                                CapacityTarget {
                                    process: process.id.clone(),
                                    site: site.id.clone(),
                                    lon: site.lon,
                                    lat: site.lat,
                                    new_capacity: added,
                                    capex: added * process.candidate_capex.unwrap_or(0.0),
                                }
                            })
                        })
                        .collect(),
                    import_cost_avoided: avoided,
                    delivery_cost: a.delivery,
                    process_cost: a.process_cost,
                    net_savings: avoided - a.delivery - a.process_cost,
                }
            })
            .collect();
        rank_targets(&mut targets);
        targets
    }
}
