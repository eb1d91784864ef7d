//! A primal solution read through the LP's layout: the value of each column by what it
//! stands for. The report's parts (assembly, targets) all read the plan through this.

use crate::lp::{Col, LinearProgram};
use crate::model::domain::{Dataset, Stream};
use crate::model::ids::{DemandIdx, MaterialIdx, ProcessIdx, SupplyIdx};
use crate::network::{ArcIdx, Network};

/// A primal solution read through the layout.
pub(crate) struct Plan<'a> {
    pub(crate) ds: &'a Dataset,
    pub(crate) net: &'a Network,
    pub(crate) lp: &'a LinearProgram,
    pub(crate) x: &'a [f64],
}

impl Plan<'_> {
    /// The value of a column, clamped at its lower bound 0 (solver noise can dip below).
    pub(crate) fn value(&self, col: Col) -> f64 {
        self.x[col.get()].max(0.0)
    }

    pub(crate) fn flow(&self, arc: ArcIdx) -> f64 {
        self.value(self.lp.layout.flow(arc))
    }

    pub(crate) fn new_capacity_of(&self, process: ProcessIdx) -> f64 {
        self.lp
            .layout
            .new_capacity_of(process)
            .map_or(0.0, |c| self.value(c))
    }

    /// Whether a candidate whose opening is a decision is opened (`None` for any other
    /// process).
    pub(crate) fn opened_of(&self, process: ProcessIdx) -> Option<bool> {
        let col = self.lp.layout.opened_of(process)?;
        Some(self.value(col) > 0.5)
    }

    /// The fixed cost the plan pays for opening `process` (0 unless opened).
    pub(crate) fn fixed_cost_of(&self, process: ProcessIdx) -> f64 {
        if self.opened_of(process) == Some(true) {
            self.ds.process(process).fixed_cost
        } else {
            0.0
        }
    }

    pub(crate) fn supplies(&self) -> impl Iterator<Item = (SupplyIdx, &Stream)> {
        self.ds
            .supplies
            .iter()
            .enumerate()
            .map(|(i, s)| (SupplyIdx::new(i), s))
    }

    pub(crate) fn demands(&self) -> impl Iterator<Item = (DemandIdx, &Stream)> {
        self.ds
            .demands
            .iter()
            .enumerate()
            .map(|(i, d)| (DemandIdx::new(i), d))
    }

    /// Every process output: process, position, material and its disposal column.
    pub(crate) fn outputs(&self) -> impl Iterator<Item = (ProcessIdx, MaterialIdx, Col)> + '_ {
        let l = &self.lp.layout;
        self.ds
            .processes
            .iter()
            .enumerate()
            .flat_map(move |(p, process)| {
                let p = ProcessIdx::new(p);
                process
                    .outputs
                    .iter()
                    .enumerate()
                    .map(move |(o, &(m, _))| (p, m, l.output_disposal(l.output_slot(p, o as u32))))
            })
    }
}
