//! Shared helpers for the scenario tests: a small builder of validated datasets and the
//! mass-balance checks every solved plan must pass.
#![allow(dead_code, clippy::unwrap_used)]

use optimizer::*;
use optimizer::{SolveOptions, SolveResult};

/// Kilometres per degree of longitude on the equator with geo's radius 6371.0088 km:
/// 2 * pi * 6371.0088 / 360.
pub const KM_PER_DEGREE: f64 = 111.195_079_734_632_3;

/// Builds a [`Dataset`] by ids; sites on the equator make distances easy to compute by hand.
pub struct Builder {
    pub ds: Dataset,
}

impl Builder {
    /// Transport 0.1 per tkm, no CO2 anywhere, detour factor 1, no haul limit.
    pub fn new() -> Self {
        Builder {
            ds: Dataset {
                meta: DatasetMeta {
                    name: "test".into(),
                    currency: "EUR".into(),
                    ..Default::default()
                },
                co2_price: 0.0,
                transport: Transport {
                    cost_per_tkm: 0.1,
                    co2_kg_per_tkm: 0.0,
                    detour_factor: 1.0,
                    max_haul: None,
                },
                ..Default::default()
            },
        }
    }

    fn m(&self, id: &str) -> MaterialIdx {
        MaterialIdx::new(
            self.ds
                .materials
                .iter()
                .position(|m| m.id.as_str() == id)
                .unwrap(),
        )
    }

    fn s(&self, id: &str) -> SiteIdx {
        SiteIdx::new(
            self.ds
                .sites
                .iter()
                .position(|s| s.id.as_str() == id)
                .unwrap(),
        )
    }

    pub fn material(mut self, id: &str, import_cost: f64, disposal_cost: f64) -> Self {
        self.ds.materials.push(Material {
            id: id.into(),
            name: id.into(),
            ewc: None,
            hazardous: false,
            import_cost,
            import_co2_kg: 0.0,
            disposal_cost,
            disposal_co2_kg: 0.0,
            max_haul: None,
            transport_cost_per_tkm: None,
            transport_co2_kg_per_tkm: None,
        });
        self
    }

    /// A site on the equator at `lon` degrees.
    pub fn site(mut self, id: &str, lon: f64) -> Self {
        self.ds.sites.push(Site {
            id: id.into(),
            name: id.into(),
            lon,
            lat: 0.0,
            nace: None,
            region: None,
        });
        self
    }

    pub fn supply(mut self, site: &str, material: &str, t: f64) -> Self {
        let stream = Stream::new(self.s(site), self.m(material), Tonnes(t));
        self.ds.supplies.push(stream);
        self
    }

    pub fn demand(mut self, site: &str, material: &str, t: f64) -> Self {
        let stream = Stream::new(self.s(site), self.m(material), Tonnes(t));
        self.ds.demands.push(stream);
        self
    }

    pub fn substitution(mut self, from: &str, to: &str, ratio: f64) -> Self {
        let sub = Substitution {
            from: self.m(from),
            to: self.m(to),
            ratio,
        };
        self.ds.substitutions.push(sub);
        self
    }

    #[allow(clippy::too_many_arguments)]
    pub fn process(
        mut self,
        id: &str,
        site: &str,
        capacity: f64,
        cost_per_unit: f64,
        candidate_capex: Option<f64>,
        inputs: &[(&str, f64)],
        outputs: &[(&str, f64)],
    ) -> Self {
        let p = Process {
            id: id.into(),
            name: id.to_owned(),
            route: Route::default(),
            site: self.s(site),
            capacity,
            cost_per_unit,
            co2_kg_per_unit: 0.0,
            candidate_capex,
            fixed_cost: 0.0,
            min_new_capacity: 0.0,
            max_new_capacity: None,
            inputs: inputs.iter().map(|&(m, c)| (self.m(m), c)).collect(),
            outputs: outputs.iter().map(|&(m, c)| (self.m(m), c)).collect(),
        };
        self.ds.processes.push(p);
        self
    }

    pub fn build(self) -> Dataset {
        self.ds
    }
}

/// The default solve of `ds`, its report's objective checked against the LP's.
pub fn solve(ds: &Dataset) -> SolveResult {
    let options = SolveOptions::default();
    assert_objective_is_the_lps(ds, &options);
    optimizer::solve(ds, &options).unwrap()
}

/// The report's objective (the sum of its cost parts, each from the cost rules of
/// `lp/costs.rs`) equals the LP's own objective evaluated on the plan the solver returned,
/// `LinearProgram::objective_of`: what `lp/costs.rs` promises. Solved as one LP, so the
/// report and the plan are the same solve's.
pub fn assert_objective_is_the_lps(ds: &Dataset, options: &SolveOptions) {
    let solved = optimizer::solve_keeping_model(ds, options).unwrap();
    let plan = solved.solution.primal.as_ref();
    match (solved.result.objective, plan) {
        (Some(reported), Some(x)) => {
            let lp = solved.model.lp.objective_of(x);
            assert!(
                (reported - lp).abs() <= 1e-9 * lp.abs().max(1.0),
                "{}: the report says {reported}, the LP's objective of the plan is {lp}",
                ds.meta.name
            );
        }
        (None, None) => {}
        (reported, _) => panic!(
            "{}: a reported objective {reported:?} without a plan, or a plan without one",
            ds.meta.name
        ),
    }
}

pub fn assert_close(actual: f64, expected: f64, what: &str) {
    let tol = 1e-6 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual}, expected {expected}"
    );
}

/// Checks the plan's mass balances from the reported flows, imports and disposals:
/// every supply is routed or disposed, every demand is met locally or imported, every
/// process receives and releases what its activity implies.
pub fn assert_mass_balance(ds: &Dataset, r: &SolveResult) {
    use std::collections::HashMap;
    let tol = 1e-5;
    let key = |site: &SiteId, m: &MaterialId| (site.to_string(), m.to_string());
    let mut supplied: HashMap<_, f64> = HashMap::new();
    for s in &ds.supplies {
        *supplied
            .entry(key(&ds.site(s.site).id, &ds.material(s.material).id))
            .or_default() += s.quantity.0;
    }
    let mut demanded: HashMap<_, f64> = HashMap::new();
    for d in &ds.demands {
        *demanded
            .entry(key(&ds.site(d.site).id, &ds.material(d.material).id))
            .or_default() += d.quantity.0;
    }
    let mut out_of_supplies: HashMap<_, f64> = HashMap::new();
    let mut into_demands: HashMap<_, f64> = HashMap::new();
    let mut process_in: HashMap<(String, String), f64> = HashMap::new();
    let mut process_out: HashMap<(String, String), f64> = HashMap::new();
    for f in &r.flows {
        assert!(f.tonnes_sent > 0.0);
        match &f.from_process {
            None => {
                *out_of_supplies
                    .entry(key(&f.from_site, &f.material_sent))
                    .or_default() += f.tonnes_sent
            }
            Some(p) => {
                *process_out
                    .entry((p.to_string(), f.material_sent.to_string()))
                    .or_default() += f.tonnes_sent
            }
        }
        match &f.to_process {
            None => {
                *into_demands
                    .entry(key(&f.to_site, &f.material_served))
                    .or_default() += f.tonnes_served
            }
            Some(p) => {
                *process_in
                    .entry((p.to_string(), f.material_served.to_string()))
                    .or_default() += f.tonnes_served
            }
        }
    }
    for d in &r.disposals {
        match &d.process {
            None => {
                *out_of_supplies
                    .entry(key(&d.site, &d.material))
                    .or_default() += d.disposed_t
            }
            Some(p) => {
                *process_out
                    .entry((p.to_string(), d.material.to_string()))
                    .or_default() += d.disposed_t
            }
        }
    }
    for i in &r.imports {
        *into_demands.entry(key(&i.site, &i.material)).or_default() += i.imported_t;
    }
    for (k, q) in &supplied {
        let got = out_of_supplies.get(k).copied().unwrap_or(0.0);
        assert!(
            (got - q).abs() <= tol * q.max(1.0),
            "supply {k:?}: routed+disposed {got} != {q}"
        );
    }
    for k in out_of_supplies.keys() {
        assert!(supplied.contains_key(k), "flow from a non-supply {k:?}");
    }
    for (k, q) in &demanded {
        let got = into_demands.get(k).copied().unwrap_or(0.0);
        assert!(
            (got - q).abs() <= tol * q.max(1.0),
            "demand {k:?}: served+imported {got} != {q}"
        );
    }
    for (p, process) in ds.processes.iter().enumerate() {
        let activity = r.processes[p].activity;
        assert!(activity <= process.capacity + r.processes[p].new_capacity + tol);
        for &(m, c) in &process.inputs {
            let got = process_in
                .get(&(process.id.to_string(), ds.material(m).id.to_string()))
                .copied()
                .unwrap_or(0.0);
            assert!(
                (got - c * activity).abs() <= tol * (c * activity).max(1.0),
                "process {} input",
                process.id
            );
        }
        for &(m, c) in &process.outputs {
            let got = process_out
                .get(&(process.id.to_string(), ds.material(m).id.to_string()))
                .copied()
                .unwrap_or(0.0);
            assert!(
                (got - c * activity).abs() <= tol * (c * activity).max(1.0),
                "process {} output",
                process.id
            );
        }
    }
}

/// Marks process `id` with a route (`recovery`, `disposal`, `R3`, `D9`, ...).
pub fn with_route(mut ds: Dataset, id: &str, route: &str) -> Dataset {
    let p = ds
        .processes
        .iter_mut()
        .find(|p| p.id.as_str() == id)
        .expect("process id");
    p.route = Route::parse(route).expect("route");
    ds
}

/// HiGHS's optimal columns of `plain` with its costs replaced by `cost`.
pub fn highs_columns(plain: &optimizer::lp::certificate::PlainLp, cost: &[f64]) -> Vec<f64> {
    let mut lp = highs::ColProblem::default();
    let rows: Vec<_> = plain
        .row_bounds
        .iter()
        .map(|&(lo, hi)| lp.add_row(lo..=hi))
        .collect();
    for ((column, &cost), &(lo, hi)) in plain.columns.iter().zip(cost).zip(&plain.col_bounds) {
        lp.add_column(cost, lo..=hi, column.iter().map(|&(r, v)| (rows[r], v)));
    }
    let mut model = highs::Model::new(lp);
    model.set_sense(highs::Sense::Minimise);
    model.set_option("primal_feasibility_tolerance", 1e-9);
    let solved = model.solve();
    assert_eq!(solved.status(), highs::HighsModelStatus::Optimal);
    solved.get_solution().columns().to_vec()
}

/// Sites on the equator: A (lon 0), B (1), C (3), E (6), transport 0.1 per tkm (one degree
/// costs 11.1195 per t); material m, import 20 and disposal 5: A has 10 t, B and C want 10 t
/// each, E has 10 t. The optimum sends A's 10 t to B (11.12 per t against the 25 it saves);
/// C imports and E disposes of its 10 t (E -> C would cost 33.36).
pub fn four_on_a_line() -> Builder {
    Builder::new()
        .material("m", 20.0, 5.0)
        .site("A", 0.0)
        .site("B", 1.0)
        .site("C", 3.0)
        .site("E", 6.0)
        .supply("A", "m", 10.0)
        .demand("B", "m", 10.0)
        .demand("C", "m", 10.0)
        .supply("E", "m", 10.0)
}
