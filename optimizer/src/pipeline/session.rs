//! What-if sessions: a dataset solved once and then revised ([`Change`]) as often as asked,
//! each revision solved from what the last solve left rather than from nothing.
//!
//! What is kept between revisions: the model (candidate arcs with every arc pricing added,
//! and the LP over them) and the backend with its basis. A revision of numbers (prices,
//! the CO2 price, transport cost, quantities, streams removed, a site closed) keeps the
//! LP's rows and columns, so the LP takes the new costs and bounds and the backend goes on
//! from its basis: the network simplex refits its tree, HiGHS keeps its factorisation
//! (the revision's `start` says which). Pricing then certifies the revised optimum over every
//! pair in range, adding the arcs the new numbers call for.
//!
//! A revision that adds streams adds rows: the network keeps every arc it had, renumbered,
//! and gains the new sources' candidate arcs (pricing finds the rest), the LP is built on
//! it, and the network simplex goes on from its tree with the new nodes hung from the hub
//! by their slack arcs (`extended`); parts with processes start anew on the kept arcs
//! (`arcs kept`: the generalised engine from its transport start, faster than HiGHS from the
//! old basis, see `solve::run::rerun_extended`).
//!
//! Built again from the revised dataset, as a first solve (`rebuilt`): a dataset with
//! investment decisions (each MIP round builds its own LP), and, without pricing, a
//! revision that adds streams or wakes an empty one (neither has candidate arcs yet, and
//! nothing else would add them).
//!
//! A revision whose changes fail their checks changes nothing. One the client cancels, or
//! that runs out of time, keeps its best plan and a feasible basis, so the next goes on.

use super::revision::{self, Change, PlanChanges};
use super::{Unmatched, assemble};
use crate::lp::LinearProgram;
use crate::model::domain::Dataset;
use crate::model::error::Error;
use crate::report::SolveResult;
use crate::solve::{
    Backend, KeptRun, Model, SolveOptions, SolverOptions, build_model, rerun, rerun_extended,
    run_keeping_backend,
};
use std::time::Instant;

/// A dataset, its current plan and what its next revision starts from.
#[derive(Debug)]
pub struct WhatIf {
    ds: Dataset,
    options: SolveOptions,
    model: Model,
    /// `None` when the next revision builds the model again.
    backend: Option<Backend>,
    result: SolveResult,
    unmatched: (Vec<Unmatched>, Vec<Unmatched>),
}

/// One revision's answer: the new plan and what changed.
#[derive(Debug)]
pub struct Revised<'a> {
    /// The revised plan.
    pub result: &'a SolveResult,
    /// Flows added, removed and resized, and the objective's change.
    pub changes: PlanChanges,
    /// How the revision started: `kept`, `handed to HiGHS`, `restarted on HiGHS`, `extended`, `arcs kept`
    /// or `rebuilt`.
    pub start: &'static str,
    /// Seconds from the changes to the certified plan (the report included).
    pub seconds: f64,
}

impl WhatIf {
    /// Solves `ds` (one LP, undecomposed) and keeps what its revisions start from.
    pub fn open(ds: Dataset, options: SolveOptions) -> Result<Self, Error> {
        let started = Instant::now();
        let mut model = build_model(&ds, &options);
        let run = run_keeping_backend(&ds, &mut model, &options.clone().charged(started))?;
        let (result, unmatched) = assemble(&ds, &model, &run.solution, run.stats, &options);
        Ok(WhatIf {
            ds,
            options,
            model,
            backend: run.backend,
            result,
            unmatched,
        })
    }

    /// The current dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// The current plan.
    pub fn result(&self) -> &SolveResult {
        &self.result
    }

    /// Supplies still disposed of and demands still imported, by index, with reasons.
    pub fn unmatched(&self) -> &(Vec<Unmatched>, Vec<Unmatched>) {
        &self.unmatched
    }

    /// The options every revision solves with (their time limit and cancellation are
    /// given per revision).
    pub fn options(&self) -> &SolveOptions {
        &self.options
    }

    /// Applies `changes` and solves the revised dataset from the kept basis, under
    /// `solver`'s time limit and cancellation. Changes that fail their checks are an
    /// `Error::Invalid` naming each (`changes[i].field`) and leave the session as it was.
    pub fn revise(
        &mut self,
        changes: &[Change],
        solver: SolverOptions,
    ) -> Result<Revised<'_>, Error> {
        let started = Instant::now();
        let revised = revision::apply(&self.ds, changes)?;
        let options = SolveOptions {
            solver,
            ..self.options.clone()
        };
        let woken = !options.priced() && woken_streams(&self.ds, &revised);
        let structural = changes.iter().any(Change::changes_structure);
        let backend = if woken { None } else { self.backend.take() };
        let outcome = match backend {
            Some(backend) if !structural => {
                let bounds_changed = self.model.lp.revise_numbers(&revised, &self.model.network);
                rerun(&revised, &mut self.model, backend, &options, bounds_changed)
                    .map(|(run, carried)| (run, carried.as_str()))
            }
            Some(backend) if options.priced() => {
                let building = Instant::now();
                let network = self.model.network.extended(&revised, options.candidates);
                let network_seconds = building.elapsed().as_secs_f64();
                let building = Instant::now();
                let lp = LinearProgram::build(&revised, &network);
                let mut model = Model {
                    network,
                    lp,
                    network_seconds,
                    lp_build_seconds: building.elapsed().as_secs_f64(),
                };
                tracing::debug!(
                    since_changes = started.elapsed().as_secs_f64(),
                    network_s = model.network_seconds,
                    lp_build_s = model.lp_build_seconds,
                    "extended model built"
                );
                let added = (
                    revised.supplies.len() - self.ds.supplies.len(),
                    revised.demands.len() - self.ds.demands.len(),
                );
                let run = rerun_extended(&revised, &mut model, &backend, added, &options);
                self.model = model;
                run.map(|(run, carried)| (run, if carried { "extended" } else { "arcs kept" }))
            }
            _ => {
                let mut model = build_model(&revised, &options);
                let run = run_keeping_backend(&revised, &mut model, &options);
                self.model = model;
                run.map(|run| (run, "rebuilt"))
            }
        };
        // From here the session holds the revised model; a backend that failed is gone,
        // and the next revision builds from the revised dataset.
        self.ds = revised;
        let (run, start): (KeptRun, &'static str) = outcome?;
        let (result, unmatched) = assemble(
            &self.ds,
            &self.model,
            &run.solution,
            run.stats,
            &self.options,
        );
        self.backend = run.backend;
        let changes = revision::plan_changes(&self.result, &result);
        self.result = result;
        self.unmatched = unmatched;
        tracing::debug!(
            start,
            seconds = started.elapsed().as_secs_f64(),
            added = changes.added.len(),
            removed = changes.removed.len(),
            resized = changes.resized.len(),
            "revision solved"
        );
        Ok(Revised {
            result: &self.result,
            changes,
            start,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// Whether a stream empty in `old` has tonnes in `new` (same positions).
fn woken_streams(old: &Dataset, new: &Dataset) -> bool {
    let woke = |a: &[crate::model::domain::Stream], b: &[crate::model::domain::Stream]| {
        a.iter().zip(b).any(|(a, b)| a.is_empty() && !b.is_empty())
    };
    woke(&old.supplies, &new.supplies) || woke(&old.demands, &new.demands)
}
