//! Where each kind of column and row sits in the LP, as typed handles: a [`Col`] can never be
//! passed as a [`Row`], nor a supply's position as a demand's.
//!
//! Columns, in order: one import per demand, one disposal per supply, one disposal per
//! process output, one activity per process, one new capacity per candidate process, then
//! one flow per candidate arc (last, so arcs added by pricing append columns without
//! renumbering). Rows: supply balance, demand balance, process input balance, process output
//! balance, process capacity.

use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, ProcessIdx, SupplyIdx, index};
use crate::network::{ArcIdx, SinkIdx, SourceIdx};

index!(
    /// A column (variable) of the LP.
    Col
);
index!(
    /// A row (constraint) of the LP.
    Row
);

/// What a column stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColKind {
    /// Tonnes sent along a candidate arc.
    Flow(ArcIdx),
    /// Tonnes of a demand imported.
    Import(DemandIdx),
    /// Tonnes of a supply disposed of.
    Disposal(SupplyIdx),
    /// Tonnes of a process output disposed of (its slot among all outputs).
    OutputDisposal(usize),
    /// Units of a process's activity.
    Activity(ProcessIdx),
    /// New capacity of a candidate process (its position among candidates).
    NewCapacity(usize),
}

/// What a row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// Flows out of a supply plus its disposal equal its quantity.
    SupplyBalance(SupplyIdx),
    /// Served flows into a demand plus its import equal its quantity.
    DemandBalance(DemandIdx),
    /// Tonnes into a process input equal its coefficient times activity (slot among inputs).
    InputBalance(usize),
    /// Tonnes out of a process output equal its coefficient times activity (slot among outputs).
    OutputBalance(usize),
    /// Activity at most capacity plus new capacity.
    Capacity(ProcessIdx),
}

/// Counts of each kind of column and row.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub(crate) arcs: usize,
    pub(crate) demands: usize,
    pub(crate) supplies: usize,
    pub(crate) process_outputs: usize,
    pub(crate) process_inputs: usize,
    pub(crate) processes: usize,
    /// Process of each candidate (new capacity) column.
    pub(crate) candidates: Vec<ProcessIdx>,
    /// First output/input slot of each process, so `(process, position)` maps to one slot.
    pub(crate) first_output: Vec<u32>,
    pub(crate) first_input: Vec<u32>,
}

fn col(i: usize) -> Col {
    Col::new(i)
}

fn row(i: usize) -> Row {
    Row::new(i)
}

impl Layout {
    pub(crate) fn new(ds: &Dataset) -> Self {
        let mut first_output = Vec::with_capacity(ds.processes.len());
        let mut first_input = Vec::with_capacity(ds.processes.len());
        let (mut outputs, mut inputs) = (0u32, 0u32);
        for p in &ds.processes {
            first_output.push(outputs);
            first_input.push(inputs);
            outputs += p.outputs.len() as u32;
            inputs += p.inputs.len() as u32;
        }
        Layout {
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
                .map(|(i, _)| ProcessIdx::new(i))
                .collect(),
            first_output,
            first_input,
        }
    }

    /// Flow columns in the LP (arcs so far).
    pub fn arcs(&self) -> usize {
        self.arcs
    }

    /// Whether the LP has any process rows or columns.
    pub fn has_processes(&self) -> bool {
        self.processes > 0 || self.process_inputs > 0 || self.process_outputs > 0
    }

    /// The import column of a demand.
    pub fn import(&self, demand: DemandIdx) -> Col {
        col(demand.get())
    }
    /// The disposal column of a supply.
    pub fn disposal(&self, supply: SupplyIdx) -> Col {
        col(self.demands + supply.get())
    }
    /// The disposal column of output slot `output`.
    pub fn output_disposal(&self, output: usize) -> Col {
        col(self.demands + self.supplies + output)
    }
    /// The activity column of a process.
    pub fn activity(&self, process: ProcessIdx) -> Col {
        col(self.output_disposal(self.process_outputs).get() + process.get())
    }
    /// The new-capacity column of candidate `candidate`.
    pub fn new_capacity(&self, candidate: usize) -> Col {
        col(self.activity(ProcessIdx::new(self.processes)).get() + candidate)
    }
    /// The new-capacity column of a process, if it is a candidate.
    pub fn new_capacity_of(&self, process: ProcessIdx) -> Option<Col> {
        self.candidates
            .iter()
            .position(|&p| p == process)
            .map(|c| self.new_capacity(c))
    }
    /// The flow column of an arc.
    pub fn flow(&self, arc: ArcIdx) -> Col {
        col(self.first_flow() + arc.get())
    }
    fn first_flow(&self) -> usize {
        self.new_capacity(self.candidates.len()).get()
    }
    /// Every flow column with its arc.
    pub fn flows(&self) -> impl Iterator<Item = (ArcIdx, Col)> + '_ {
        (0..self.arcs).map(|a| (ArcIdx::new(a), col(self.first_flow() + a)))
    }
    /// Every column before the flows (imports, disposals, activities, new capacities).
    pub fn fixed_columns(&self) -> impl Iterator<Item = Col> + use<> {
        (0..self.first_flow()).map(col)
    }
    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.first_flow() + self.arcs
    }

    /// The output slot of a process's `output`-th output.
    pub fn output_slot(&self, process: ProcessIdx, output: u32) -> usize {
        self.first_output[process.get()] as usize + output as usize
    }
    /// The input slot of a process's `input`-th input.
    pub fn input_slot(&self, process: ProcessIdx, input: u32) -> usize {
        self.first_input[process.get()] as usize + input as usize
    }

    /// The balance row of a supply.
    pub fn supply_row(&self, supply: SupplyIdx) -> Row {
        row(supply.get())
    }
    /// The balance row of a demand.
    pub fn demand_row(&self, demand: DemandIdx) -> Row {
        row(self.supplies + demand.get())
    }
    /// The balance row of input slot `input`.
    pub fn input_row(&self, input: usize) -> Row {
        row(self.supplies + self.demands + input)
    }
    /// The balance row of output slot `output`.
    pub fn output_row(&self, output: usize) -> Row {
        row(self.input_row(self.process_inputs).get() + output)
    }
    /// The capacity row of a process.
    pub fn capacity_row(&self, process: ProcessIdx) -> Row {
        row(self.output_row(self.process_outputs).get() + process.get())
    }
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.capacity_row(ProcessIdx::new(self.processes)).get()
    }

    /// The balance row of a source of the network (supplies first, then process outputs).
    pub fn source_row(&self, s: SourceIdx) -> Row {
        if s.get() < self.supplies {
            self.supply_row(SupplyIdx::new(s.get()))
        } else {
            self.output_row(s.get() - self.supplies)
        }
    }

    /// The balance row of a sink (demands first, then process inputs).
    pub fn sink_row(&self, t: SinkIdx) -> Row {
        if t.get() < self.demands {
            self.demand_row(DemandIdx::new(t.get()))
        } else {
            self.input_row(t.get() - self.demands)
        }
    }

    /// The network source of output slot `output`.
    pub fn output_source(&self, output: usize) -> SourceIdx {
        SourceIdx::new(self.supplies + output)
    }
    /// The network sink of input slot `input`.
    pub fn input_sink(&self, input: usize) -> SinkIdx {
        SinkIdx::new(self.demands + input)
    }

    /// What column `j` is.
    pub fn column(&self, j: Col) -> ColKind {
        let j = j.get();
        let bounds = [
            self.disposal(SupplyIdx::new(0)).get(),
            self.output_disposal(0).get(),
            self.activity(ProcessIdx::new(0)).get(),
            self.new_capacity(0).get(),
            self.first_flow(),
        ];
        match bounds.iter().position(|&b| j < b) {
            Some(0) => ColKind::Import(DemandIdx::new(j)),
            Some(1) => ColKind::Disposal(SupplyIdx::new(j - bounds[0])),
            Some(2) => ColKind::OutputDisposal(j - bounds[1]),
            Some(3) => ColKind::Activity(ProcessIdx::new(j - bounds[2])),
            Some(_) => ColKind::NewCapacity(j - bounds[3]),
            None => ColKind::Flow(ArcIdx::new(j - bounds[4])),
        }
    }

    /// What row `i` is.
    pub fn row(&self, i: Row) -> RowKind {
        let i = i.get();
        let bounds = [
            self.demand_row(DemandIdx::new(0)).get(),
            self.input_row(0).get(),
            self.output_row(0).get(),
            self.capacity_row(ProcessIdx::new(0)).get(),
        ];
        match bounds.iter().position(|&b| i < b) {
            Some(0) => RowKind::SupplyBalance(SupplyIdx::new(i)),
            Some(1) => RowKind::DemandBalance(DemandIdx::new(i - bounds[0])),
            Some(2) => RowKind::InputBalance(i - bounds[1]),
            Some(_) => RowKind::OutputBalance(i - bounds[2]),
            None => RowKind::Capacity(ProcessIdx::new(i - bounds[3])),
        }
    }
}
