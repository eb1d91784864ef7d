//! Builds the [`LinearProgram`] of a dataset and its network. Rows are owned here; each
//! row's contributors are listed where it is created, so a rule of the LP lives in one place.
//! Costs come from [`super::costs`].

use super::LinearProgram;
use super::columns::Columns;
use super::costs;
use super::layout::{Col, Layout, Row};
use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, ProcessIdx, SupplyIdx};
use crate::network::Network;

impl LinearProgram {
    /// Builds the LP of docs/design.md for a dataset and its network.
    pub fn build(ds: &Dataset, net: &Network) -> Self {
        let layout = Layout::new(ds);
        let ncols = layout.columns() + net.arcs.len();
        let mut lp = LinearProgram {
            col_cost: Vec::with_capacity(ncols),
            columns: Columns::default(),
            row_lower: Vec::with_capacity(layout.rows()),
            row_upper: Vec::with_capacity(layout.rows()),
            layout,
            openings_fixed: false,
        };
        lp.add_rows(ds);
        lp.add_fixed_columns(ds);
        lp.append_flows(ds, net);
        lp
    }

    /// Takes the costs and bounds of `ds`, a revision of the dataset this LP was built from
    /// that keeps its streams, processes and `net`'s arcs (new numbers only). They come
    /// from a fresh build, so every rule of the LP stays in one place. Returns whether any
    /// bound changed (quantities, capacities), not only costs.
    pub fn revise_numbers(&mut self, ds: &Dataset, net: &Network) -> bool {
        let fresh = LinearProgram::build(ds, net);
        assert_eq!(
            (fresh.num_cols(), fresh.num_rows()),
            (self.num_cols(), self.num_rows()),
            "a revision of the numbers keeps the LP's rows and columns"
        );
        // Flows are never bounded, so only the listed columns' bounds can change.
        let (listed, fresh_listed) = (&mut self.columns.listed, fresh.columns.listed);
        let bounds_changed = fresh_listed.lower != listed.lower
            || fresh_listed.upper != listed.upper
            || fresh.row_lower != self.row_lower
            || fresh.row_upper != self.row_upper;
        self.col_cost = fresh.col_cost;
        listed.lower = fresh_listed.lower;
        listed.upper = fresh_listed.upper;
        self.row_lower = fresh.row_lower;
        self.row_upper = fresh.row_upper;
        bounds_changed
    }

    /// The rows and their contributors (coefficient in parentheses):
    ///
    /// | row | contributors | = |
    /// | --- | --- | --- |
    /// | `supply_balance(s)` | flow on each arc out of `s` (1), disposal of `s` (1) | quantity of `s` |
    /// | `demand_balance(d)` | flow on each arc into `d` (its ratio), import of `d` (1) | quantity of `d` |
    /// | `input_balance(p, i)` | flow on each arc into the input (its ratio), activity of `p` (-coefficient) | 0 |
    /// | `output_balance(p, o)` | flow on each arc out of the output (1), its disposal (1), activity of `p` (-coefficient) | 0 |
    /// | `capacity(p)` | activity of `p` (1), new capacity of `p` if a candidate (-1) | <= capacity of `p` |
    /// | `opening_max(k)` | new capacity of decided candidate `k` (1), its opened (-largest size) | <= 0 |
    /// | `opening_min(k)` | new capacity of decided candidate `k` (1), its opened (-smallest size) | >= 0 |
    /// | `budget` | each candidate's new capacity (its capex), each opened (its fixed cost) | <= budget |
    /// | `openings` | each opened (1) | <= max_new_processes |
    /// | `cost_cap` (alternatives only) | every column (its cost) | <= the cap |
    ///
    /// The largest size of a decided candidate is its `max_new_capacity`, or what its inputs
    /// could ever receive beyond its capacity ([`Dataset::activity_bounds`]; validation
    /// refuses a decided candidate that has neither), and at least its smallest size.
    fn add_rows(&mut self, ds: &Dataset) {
        for s in &ds.supplies {
            self.row_lower.push(s.quantity.0);
            self.row_upper.push(s.quantity.0);
        }
        for d in &ds.demands {
            self.row_lower.push(d.quantity.0);
            self.row_upper.push(d.quantity.0);
        }
        let balances = self.layout.process_inputs + self.layout.process_outputs;
        self.row_lower.extend(std::iter::repeat_n(0.0, balances));
        self.row_upper.extend(std::iter::repeat_n(0.0, balances));
        for p in &ds.processes {
            self.row_lower.push(f64::NEG_INFINITY);
            self.row_upper.push(p.capacity);
        }
        let decided = self.layout.decided.len();
        self.row_lower
            .extend(std::iter::repeat_n(f64::NEG_INFINITY, decided));
        self.row_upper.extend(std::iter::repeat_n(0.0, decided));
        self.row_lower.extend(std::iter::repeat_n(0.0, decided));
        self.row_upper
            .extend(std::iter::repeat_n(f64::INFINITY, decided));
        let i = &ds.investment;
        for limit in [i.budget, i.max_new_processes.map(|n| n as f64)]
            .into_iter()
            .flatten()
        {
            self.row_lower.push(f64::NEG_INFINITY);
            self.row_upper.push(limit);
        }
    }

    fn push_column(&mut self, cost: f64, entries: &[(Row, f64)]) -> Col {
        self.push_bounded_column(cost, f64::INFINITY, entries)
    }

    /// A column from 0 to `upper`, listed before the flows.
    fn push_bounded_column(&mut self, cost: f64, upper: f64, entries: &[(Row, f64)]) -> Col {
        debug_assert_eq!(
            self.columns.flows.len(),
            0,
            "listed columns precede the flows"
        );
        let col = Col::new(self.col_cost.len());
        self.col_cost.push(cost);
        self.columns
            .listed
            .push((0.0, upper), entries.iter().copied());
        col
    }

    fn add_fixed_columns(&mut self, ds: &Dataset) {
        let l = self.layout.clone();
        for (d, demand) in ds.demands.iter().enumerate() {
            let d = DemandIdx::new(d);
            let cost = costs::import(ds, demand).objective(ds);
            self.push_column(cost, &[(l.demand_row(d), 1.0)]);
        }
        for (s, supply) in ds.supplies.iter().enumerate() {
            let s = SupplyIdx::new(s);
            let cost = costs::disposal(ds, supply).objective(ds);
            self.push_column(cost, &[(l.supply_row(s), 1.0)]);
        }
        for (p, process) in ds.processes.iter().enumerate() {
            let p = ProcessIdx::new(p);
            for (o, &(material, _)) in process.outputs.iter().enumerate() {
                let slot = l.output_slot(p, o as u32);
                let cost = costs::output_disposal(ds, material).objective(ds);
                self.push_column(cost, &[(l.output_row(slot), 1.0)]);
            }
        }
        let mut entries = Vec::new();
        for (p, process) in ds.processes.iter().enumerate() {
            let p = ProcessIdx::new(p);
            entries.clear();
            for (i, &(_, coeff)) in process.inputs.iter().enumerate() {
                entries.push((l.input_row(l.input_slot(p, i as u32)), -coeff));
            }
            for (o, &(_, coeff)) in process.outputs.iter().enumerate() {
                entries.push((l.output_row(l.output_slot(p, o as u32)), -coeff));
            }
            entries.push((l.capacity_row(p), 1.0));
            let cost = costs::activity(process).objective(ds);
            self.push_column(cost, &entries);
        }
        for (c, &p) in l.candidates.iter().enumerate() {
            let process = ds.process(p);
            let unit = costs::new_capacity(process);
            entries.clear();
            entries.push((l.capacity_row(p), -1.0));
            if let Some(k) = l.decided.iter().position(|&d| d == c) {
                entries.push((l.opening_max_row(k), 1.0));
                entries.push((l.opening_min_row(k), 1.0));
            }
            entries.extend(l.budget_row().map(|r| (r, unit.money)));
            let largest = process.max_new_capacity.unwrap_or(f64::INFINITY);
            self.push_bounded_column(unit.objective(ds), largest, &entries);
        }
        let most = if l.decided.is_empty() {
            Vec::new()
        } else {
            ds.activity_bounds()
        };
        for (k, &c) in l.decided.iter().enumerate() {
            let p = l.candidates[c];
            let process = ds.process(p);
            let largest = process.max_new_capacity.unwrap_or_else(|| {
                // Validation makes sure there is a bound. Capacity past what the inputs can
                // feed is of no use, but a smallest size may still call for it.
                let most = most[p.get()].unwrap_or(f64::INFINITY);
                (most - process.capacity).max(process.min_new_capacity)
            });
            let unit = costs::opening(process);
            entries.clear();
            entries.push((l.opening_max_row(k), -largest));
            entries.push((l.opening_min_row(k), -process.min_new_capacity));
            entries.extend(l.budget_row().map(|r| (r, unit.money)));
            entries.extend(l.openings_row().map(|r| (r, 1.0)));
            self.push_bounded_column(unit.objective(ds), 1.0, &entries);
        }
    }

    /// Appends a flow column for every arc of `net` not yet in the LP (all of them on the
    /// first call; the arcs pricing added on later calls). Under a cost cap an arc's cost
    /// goes into the cap row and its objective weight is 0: no earlier plan used it.
    pub fn append_flows(&mut self, ds: &Dataset, net: &Network) {
        let cap = self.layout.cost_cap_row();
        let new = net.arcs.len().saturating_sub(self.layout.arcs);
        self.col_cost.reserve(new);
        self.columns.flows.reserve(new);
        for a in net.arcs.indices().skip(self.layout.arcs) {
            let (s, t) = (net.arcs.source(a), net.arcs.sink(a));
            let cost = costs::arc(ds, net, a).objective(ds);
            let rows = (self.layout.source_row(s), self.layout.sink_row(t));
            self.col_cost.push(if cap.is_some() { 0.0 } else { cost });
            self.columns.flows.push(rows, net.arcs.ratio(a), cost);
        }
        self.layout.arcs = net.arcs.len();
    }

    /// The LP of a near-optimal alternative (modelling to generate alternatives): the same
    /// rows plus `cost_cap`, the objective of this LP at most `cap`, and every objective
    /// weight 0; [`LinearProgram::weigh_flows`] then sets what the alternative minimises.
    pub fn with_cost_cap(&self, cap: f64) -> LinearProgram {
        let mut layout = self.layout.clone();
        layout.cost_cap = true;
        let cap_row = Row::new(self.num_rows());
        let listed = self.columns.listed.len();
        let mut columns = Columns {
            flows: (self.columns.flows).with_cost_cap(cap_row, &self.col_cost[listed..]),
            ..Columns::default()
        };
        for j in self.cols().take(listed) {
            let cost = self.col_cost[j.get()];
            let cap_entry = (cost != 0.0).then_some((cap_row, cost));
            let entries = self.column_entries(j).chain(cap_entry);
            columns.listed.push(self.col_bounds(j), entries);
        }
        let mut capped = LinearProgram {
            col_cost: vec![0.0; self.num_cols()],
            columns,
            row_lower: self.row_lower.clone(),
            row_upper: self.row_upper.clone(),
            layout,
            openings_fixed: self.openings_fixed,
        };
        capped.row_lower.push(f64::NEG_INFINITY);
        capped.row_upper.push(cap);
        capped
    }

    /// Sets the objective of an alternative's LP: 1 per tonne on every flow `used` marks
    /// (flows earlier plans carried), 0 elsewhere.
    pub fn weigh_flows(&mut self, used: impl Fn(crate::network::ArcIdx) -> bool) {
        for (a, col) in self.layout.flows() {
            self.col_cost[col.get()] = if used(a) { 1.0 } else { 0.0 };
        }
    }

    /// The cost of plan `x` by the cost-cap row (an alternative's cost), `None` without one.
    pub fn capped_cost_of(&self, x: &[f64]) -> Option<f64> {
        let cap = self.layout.cost_cap_row()?;
        Some(
            self.cols()
                .flat_map(|j| {
                    self.column_entries(j)
                        .filter(move |&(r, _)| r == cap)
                        .map(move |(_, v)| v * x[j.get()])
                })
                .sum(),
        )
    }
}
