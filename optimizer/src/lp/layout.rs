//! Where each kind of column and row sits in the LP, as typed handles: a [`Col`] can never be
//! passed as a [`Row`], nor a supply's position as a demand's.
//!
//! Columns, in order: one import per demand, one disposal per supply, one disposal per
//! process output, one activity per process, one new capacity per candidate process, one
//! "opened" (0 or 1) per candidate whose opening is a decision, then one flow per candidate
//! arc (last, so arcs added by pricing append columns without renumbering). Rows: supply
//! balance, demand balance, process input balance, process output balance, process capacity,
//! then for each decided candidate its largest and its smallest new capacity when opened,
//! and the investment budget and the number of openings when the dataset limits them; last,
//! in the LP of a near-optimal alternative only, the cost cap.

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
    /// Whether a decided candidate is opened, 0 or 1 (its position among decided ones).
    Opened(usize),
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
    /// A decided candidate's new capacity at most its largest size times opened.
    OpeningMax(usize),
    /// A decided candidate's new capacity at least its smallest size times opened.
    OpeningMin(usize),
    /// New capacity and openings within the investment budget.
    Budget,
    /// Openings at most the number allowed.
    Openings,
    /// A near-optimal alternative's cost at most the cap ([`super::LinearProgram::with_cost_cap`]).
    CostCap,
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
    /// Candidate position of each decided candidate (opened column).
    pub(crate) decided: Vec<usize>,
    /// Whether there is a budget row.
    pub(crate) budget: bool,
    /// Whether there is a row limiting the openings.
    pub(crate) openings: bool,
    /// Whether there is a cost-cap row (the LP of a near-optimal alternative).
    pub(crate) cost_cap: bool,
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
        let candidates: Vec<ProcessIdx> = ds
            .processes
            .iter()
            .enumerate()
            .filter(|(_, p)| p.candidate_capex.is_some())
            .map(|(i, _)| ProcessIdx::new(i))
            .collect();
        let decided = (0..candidates.len())
            .filter(|&c| ds.opening_decided(ds.process(candidates[c])))
            .collect();
        Layout {
            arcs: 0,
            demands: ds.demands.len(),
            supplies: ds.supplies.len(),
            process_outputs: outputs as usize,
            process_inputs: inputs as usize,
            processes: ds.processes.len(),
            candidates,
            decided,
            budget: ds.investment.budget.is_some(),
            openings: ds.investment.max_new_processes.is_some(),
            cost_cap: false,
            first_output,
            first_input,
        }
    }

    /// Flow columns in the LP (arcs so far).
    pub fn arcs(&self) -> usize {
        self.arcs
    }

    /// Whether the LP has investment decisions or limits: opened columns (then it is a MIP),
    /// a budget or a limit on openings.
    pub fn has_investment(&self) -> bool {
        !self.decided.is_empty() || self.budget || self.openings
    }

    /// Whether the LP has integer (opened) columns.
    pub fn has_decisions(&self) -> bool {
        !self.decided.is_empty()
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
    /// The opened column of decided candidate `decided` (its position among decided ones).
    pub fn opened(&self, decided: usize) -> Col {
        col(self.new_capacity(self.candidates.len()).get() + decided)
    }
    /// The opened column of a process, if its opening is a decision.
    pub fn opened_of(&self, process: ProcessIdx) -> Option<Col> {
        let c = self.candidates.iter().position(|&p| p == process)?;
        self.decided
            .iter()
            .position(|&d| d == c)
            .map(|k| self.opened(k))
    }
    /// The flow column of an arc.
    pub fn flow(&self, arc: ArcIdx) -> Col {
        col(self.first_flow() + arc.get())
    }
    fn first_flow(&self) -> usize {
        self.opened(self.decided.len()).get()
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
    /// The row bounding decided candidate `decided`'s new capacity by its largest size.
    pub fn opening_max_row(&self, decided: usize) -> Row {
        row(self.capacity_row(ProcessIdx::new(self.processes)).get() + decided)
    }
    /// The row bounding it by its smallest size.
    pub fn opening_min_row(&self, decided: usize) -> Row {
        row(self.opening_max_row(self.decided.len()).get() + decided)
    }
    /// The budget row, if there is one.
    pub fn budget_row(&self) -> Option<Row> {
        self.budget
            .then(|| self.opening_min_row(self.decided.len()))
    }
    /// The row limiting the openings, if there is one.
    pub fn openings_row(&self) -> Option<Row> {
        let after = self.opening_min_row(self.decided.len()).get() + usize::from(self.budget);
        self.openings.then(|| row(after))
    }
    /// The cost-cap row, if there is one.
    pub fn cost_cap_row(&self) -> Option<Row> {
        let after = self.opening_min_row(self.decided.len()).get()
            + usize::from(self.budget)
            + usize::from(self.openings);
        self.cost_cap.then(|| row(after))
    }
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.opening_min_row(self.decided.len()).get()
            + usize::from(self.budget)
            + usize::from(self.openings)
            + usize::from(self.cost_cap)
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
            self.opened(0).get(),
            self.first_flow(),
        ];
        match bounds.iter().position(|&b| j < b) {
            Some(0) => ColKind::Import(DemandIdx::new(j)),
            Some(1) => ColKind::Disposal(SupplyIdx::new(j - bounds[0])),
            Some(2) => ColKind::OutputDisposal(j - bounds[1]),
            Some(3) => ColKind::Activity(ProcessIdx::new(j - bounds[2])),
            Some(4) => ColKind::NewCapacity(j - bounds[3]),
            Some(_) => ColKind::Opened(j - bounds[4]),
            None => ColKind::Flow(ArcIdx::new(j - bounds[5])),
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
            self.opening_max_row(0).get(),
            self.opening_min_row(0).get(),
            self.opening_min_row(self.decided.len()).get(),
        ];
        match bounds.iter().position(|&b| i < b) {
            Some(0) => RowKind::SupplyBalance(SupplyIdx::new(i)),
            Some(1) => RowKind::DemandBalance(DemandIdx::new(i - bounds[0])),
            Some(2) => RowKind::InputBalance(i - bounds[1]),
            Some(3) => RowKind::OutputBalance(i - bounds[2]),
            Some(4) => RowKind::Capacity(ProcessIdx::new(i - bounds[3])),
            Some(5) => RowKind::OpeningMax(i - bounds[4]),
            Some(_) => RowKind::OpeningMin(i - bounds[5]),
            None if Some(Row::new(i)) == self.budget_row() => RowKind::Budget,
            None if Some(Row::new(i)) == self.openings_row() => RowKind::Openings,
            None => RowKind::CostCap,
        }
    }
}
