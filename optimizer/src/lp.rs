//! The LP of DESIGN.md, built column-wise from a [`Network`] into a plain sparse form
//! ([`LinearProgram`]) that the solver backend and the LP-file writer both read.
//!
//! Columns, in order: one flow per candidate arc, one import per demand, one disposal per
//! supply, one disposal per process output, one activity per process, one new capacity per
//! candidate process. Rows: supply balance, demand balance, process input balance, process
//! output balance, process capacity. [`Layout`] maps between the two.

use crate::domain::Dataset;
use crate::network::Network;

/// A sparse LP in column-compressed form, minimised.
#[derive(Clone, Debug, Default)]
pub struct LinearProgram {
    pub col_cost: Vec<f64>,
    pub col_lower: Vec<f64>,
    pub col_upper: Vec<f64>,
    /// Column `j`'s entries are `col_start[j]..col_start[j + 1]`.
    pub col_start: Vec<usize>,
    pub entry_row: Vec<u32>,
    pub entry_value: Vec<f64>,
    pub row_lower: Vec<f64>,
    pub row_upper: Vec<f64>,
    pub layout: Layout,
}

/// Where each kind of column and row starts.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub arcs: usize,
    pub demands: usize,
    pub supplies: usize,
    pub process_outputs: usize,
    pub process_inputs: usize,
    pub processes: usize,
    /// Process index of each candidate (new capacity) column.
    pub candidates: Vec<u32>,
    /// First output/input slot of each process, so `(process, slot)` maps to one index.
    pub first_output: Vec<u32>,
    pub first_input: Vec<u32>,
}

/// What a column stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Flow(usize),
    Import(usize),
    Disposal(usize),
    OutputDisposal(usize),
    Activity(usize),
    NewCapacity(usize),
}

/// What a row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    SupplyBalance(usize),
    DemandBalance(usize),
    InputBalance(usize),
    OutputBalance(usize),
    Capacity(usize),
}

impl Layout {
    pub fn import(&self, demand: usize) -> usize {
        demand
    }
    pub fn disposal(&self, supply: usize) -> usize {
        self.demands + supply
    }
    pub fn output_disposal(&self, output: usize) -> usize {
        self.demands + self.supplies + output
    }
    pub fn activity(&self, process: usize) -> usize {
        self.output_disposal(self.process_outputs) + process
    }
    pub fn new_capacity(&self, candidate: usize) -> usize {
        self.activity(self.processes) + candidate
    }
    /// Flows come last so arcs added by pricing append columns without renumbering.
    pub fn flow(&self, arc: usize) -> usize {
        self.new_capacity(self.candidates.len()) + arc
    }
    pub fn columns(&self) -> usize {
        self.flow(self.arcs)
    }

    pub fn supply_row(&self, supply: usize) -> usize {
        supply
    }
    pub fn demand_row(&self, demand: usize) -> usize {
        self.supplies + demand
    }
    pub fn input_row(&self, input: usize) -> usize {
        self.supplies + self.demands + input
    }
    pub fn output_row(&self, output: usize) -> usize {
        self.input_row(self.process_inputs) + output
    }
    pub fn capacity_row(&self, process: usize) -> usize {
        self.output_row(self.process_outputs) + process
    }
    pub fn rows(&self) -> usize {
        self.capacity_row(self.processes)
    }

    /// The balance row of source `s` of a [`Network`] (supplies first, then process outputs).
    pub fn source_row(&self, s: usize) -> usize {
        if s < self.supplies {
            self.supply_row(s)
        } else {
            self.output_row(s - self.supplies)
        }
    }

    /// The balance row of sink `t` (demands first, then process inputs).
    pub fn sink_row(&self, t: usize) -> usize {
        if t < self.demands {
            self.demand_row(t)
        } else {
            self.input_row(t - self.demands)
        }
    }

    /// What column `j` is.
    pub fn column(&self, j: usize) -> Column {
        let bounds = [
            self.disposal(0),
            self.output_disposal(0),
            self.activity(0),
            self.new_capacity(0),
            self.flow(0),
        ];
        match bounds.iter().position(|&b| j < b) {
            Some(0) => Column::Import(j),
            Some(1) => Column::Disposal(j - bounds[0]),
            Some(2) => Column::OutputDisposal(j - bounds[1]),
            Some(3) => Column::Activity(j - bounds[2]),
            Some(_) => Column::NewCapacity(j - bounds[3]),
            None => Column::Flow(j - bounds[4]),
        }
    }

    /// What row `i` is.
    pub fn row(&self, i: usize) -> RowKind {
        let bounds = [
            self.demand_row(0),
            self.input_row(0),
            self.output_row(0),
            self.capacity_row(0),
        ];
        match bounds.iter().position(|&b| i < b) {
            Some(0) => RowKind::SupplyBalance(i),
            Some(1) => RowKind::DemandBalance(i - bounds[0]),
            Some(2) => RowKind::InputBalance(i - bounds[1]),
            Some(_) => RowKind::OutputBalance(i - bounds[2]),
            None => RowKind::Capacity(i - bounds[3]),
        }
    }
}

impl LinearProgram {
    pub fn num_cols(&self) -> usize {
        self.col_cost.len()
    }

    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    /// Entries `(row, value)` of column `j`.
    pub fn column_entries(&self, j: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.col_start[j]..self.col_start[j + 1];
        self.entry_row[range.clone()]
            .iter()
            .zip(&self.entry_value[range])
            .map(|(&r, &v)| (r as usize, v))
    }

    /// Builds the LP of DESIGN.md for a dataset and its network.
    pub fn build(ds: &Dataset, net: &Network) -> Self {
        let mut first_output = Vec::with_capacity(ds.processes.len());
        let mut first_input = Vec::with_capacity(ds.processes.len());
        let (mut outputs, mut inputs) = (0u32, 0u32);
        for p in &ds.processes {
            first_output.push(outputs);
            first_input.push(inputs);
            outputs += p.outputs.len() as u32;
            inputs += p.inputs.len() as u32;
        }
        let layout = Layout {
            arcs: 0,
            demands: ds.demands.len(),
            supplies: ds.supplies.len(),
            process_outputs: outputs as usize,
            process_inputs: inputs as usize,
            processes: ds.processes.len(),
            candidates: ds
                .processes
                .iter()
                .enumerate()
                .filter(|(_, p)| p.candidate_capex.is_some())
                .map(|(i, _)| i as u32)
                .collect(),
            first_output,
            first_input,
        };
        let ncols = layout.columns() + net.arcs.len();
        let mut lp = LinearProgram {
            col_cost: Vec::with_capacity(ncols),
            col_lower: Vec::with_capacity(ncols),
            col_upper: Vec::with_capacity(ncols),
            col_start: Vec::with_capacity(ncols + 1),
            entry_row: Vec::with_capacity(2 * ncols),
            entry_value: Vec::with_capacity(2 * ncols),
            row_lower: Vec::with_capacity(layout.rows()),
            row_upper: Vec::with_capacity(layout.rows()),
            layout,
        };
        lp.add_rows(ds);
        lp.add_fixed_columns(ds);
        lp.append_flows(ds, net);
        lp
    }

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
    }

    fn push_column(&mut self, cost: f64, entries: &[(usize, f64)]) {
        if self.col_start.is_empty() {
            self.col_start.push(0);
        }
        self.col_cost.push(cost);
        self.col_lower.push(0.0);
        self.col_upper.push(f64::INFINITY);
        for &(r, v) in entries {
            self.entry_row.push(r as u32);
            self.entry_value.push(v);
        }
        self.col_start.push(self.entry_row.len());
    }

    fn add_fixed_columns(&mut self, ds: &Dataset) {
        let l = self.layout.clone();
        let co2_price = ds.co2_price_per_kg();
        for (d, demand) in ds.demands.iter().enumerate() {
            let cost = ds.import_cost_with_co2(demand);
            self.push_column(cost, &[(l.demand_row(d), 1.0)]);
        }
        for (s, supply) in ds.supplies.iter().enumerate() {
            let cost = ds.disposal_cost(supply)
                + ds.co2_price_per_kg() * ds.material(supply.material).disposal_co2_kg;
            self.push_column(cost, &[(l.supply_row(s), 1.0)]);
        }
        for (p, process) in ds.processes.iter().enumerate() {
            for (o, &(material, _)) in process.outputs.iter().enumerate() {
                let output = l.first_output[p] as usize + o;
                let cost = ds.disposal_cost_with_co2(material);
                self.push_column(cost, &[(l.output_row(output), 1.0)]);
            }
        }
        let mut entries = Vec::new();
        for (p, process) in ds.processes.iter().enumerate() {
            entries.clear();
            for (i, &(_, coeff)) in process.inputs.iter().enumerate() {
                entries.push((l.input_row(l.first_input[p] as usize + i), -coeff));
            }
            for (o, &(_, coeff)) in process.outputs.iter().enumerate() {
                entries.push((l.output_row(l.first_output[p] as usize + o), -coeff));
            }
            entries.push((l.capacity_row(p), 1.0));
            let cost = process.cost_per_unit + co2_price * process.co2_kg_per_unit;
            self.push_column(cost, &entries);
        }
        for &p in &l.candidates {
            let capex = ds.processes[p as usize].candidate_capex.unwrap_or(0.0);
            self.push_column(capex, &[(l.capacity_row(p as usize), -1.0)]);
        }
    }

    /// Appends a flow column for every arc of `net` not yet in the LP (all of them on the
    /// first call; the arcs pricing added on later calls).
    pub fn append_flows(&mut self, ds: &Dataset, net: &Network) {
        let per_tkm: Vec<f64> = (0..ds.materials.len())
            .map(|m| ds.haul_cost_per_tkm(crate::ids::MaterialIdx(m as u32)))
            .collect();
        for a in self.layout.arcs..net.arcs.len() {
            let (s, t) = (net.arcs.source[a] as usize, net.arcs.sink[a] as usize);
            let cost = per_tkm[net.sources[s].material.get()] * net.arcs.km[a];
            let entries = [
                (self.layout.source_row(s), 1.0),
                (self.layout.sink_row(t), net.arcs.ratio[a]),
            ];
            self.push_column(cost, &entries);
        }
        self.layout.arcs = net.arcs.len();
    }
}
