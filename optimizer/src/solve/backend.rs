//! The backend contract: one solver kept across the rounds of a solve, whichever it is.
//! The min-cost-flow path takes a pure transportation problem, the generalised network
//! simplex a generalised network with a start basis, and HiGHS the rest
//! ([`Algorithm::Auto`]; `Highs` asks for HiGHS throughout). Each backend solves the LP it
//! is given, takes the columns pricing appends, and returns an [`LpSolution`]; the run loop
//! and pricing see only this file.

use super::flow::{FlowSession, NodeScale};
use super::generalised::GeneralisedSession;
use super::highs::LpSession;
use super::model::Model;
use super::options::{Algorithm, SolverOptions};
use super::status::{LpSolution, StartingBasis};
use crate::lp::LinearProgram;
use crate::model::domain::Dataset;
use crate::model::error::Error;

/// How a revision carried the basis of the last solve over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carried {
    /// The backend goes on from its own basis.
    Kept,
    /// The revised costs outgrew the min-cost-flow path's 64-bit integers: HiGHS solves
    /// the revised LP from its own start (on the same arcs).
    Restarted,
    /// The generalised engine's basis was handed to HiGHS, which goes on from it.
    Handed,
}

impl Carried {
    /// The name in results and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Carried::Kept => "kept",
            Carried::Restarted => "restarted on HiGHS",
            Carried::Handed => "handed to HiGHS",
        }
    }
}

/// The backend of one solve.
#[derive(Debug)]
pub(crate) enum Session {
    Highs(LpSession),
    // Boxed: the engine's state is large and lives as long as the solve.
    Flow(Box<FlowSession>),
    Generalised(Box<GeneralisedSession>),
}

impl Session {
    /// The backend for `model`, built from `ds`, starting from `start` when given.
    pub(crate) fn new(
        ds: &Dataset,
        model: &Model,
        options: SolverOptions,
        start: Option<&StartingBasis>,
    ) -> Result<Self, Error> {
        let lp = &model.lp;
        if options.algorithm != Algorithm::Highs {
            if let Some(units) = NodeScale::of(ds)
                && let Some(flow) = FlowSession::new(lp, units, options.clone(), || {
                    model.network.spatial_order(ds)
                })
            {
                return Ok(Session::Flow(Box::new(flow)));
            }
            // Investment rows (sizes, a budget, openings) are no part of a generalised network.
            if let Some(start) = start
                && !lp.layout.has_investment()
                && let Some(engine) = GeneralisedSession::new(lp, start, options.clone())
            {
                return Ok(Session::Generalised(Box::new(engine)));
            }
        }
        let mut session = LpSession::new(lp, options)?;
        if let Some(start) = start {
            session.start_from(start)?;
        }
        Ok(Session::Highs(session))
    }

    /// Takes the columns `lp` gained since the last solve.
    pub(crate) fn add_new_columns(&mut self, lp: &LinearProgram) -> Result<(), Error> {
        match self {
            Session::Highs(session) => session.add_new_columns(lp),
            // The flow path keeps its engine and takes the new flow columns from `lp` at its
            // next solve.
            Session::Flow(_) => Ok(()),
            Session::Generalised(engine) => {
                if engine.add_new_columns(lp).is_err() {
                    self.fall_back_to_highs(lp)?;
                }
                Ok(())
            }
        }
    }

    pub(crate) fn solve(&mut self, lp: &LinearProgram) -> Result<LpSolution, Error> {
        match self {
            Session::Highs(session) => session.solve(lp),
            Session::Flow(session) => Ok(session.solve(lp)),
            Session::Generalised(engine) => match engine.solve() {
                Ok(solution) => Ok(solution),
                Err(_) => {
                    self.fall_back_to_highs(lp)?;
                    self.solve(lp)
                }
            },
        }
    }

    /// Takes the revised costs and bounds of `lp` (the rows and columns of the last solve;
    /// `bounds_changed` when quantities or capacities moved) with a new clock and time
    /// limit, so the next [`solve`](Self::solve) goes on from the kept basis. Returns how the
    /// basis carried over.
    pub(crate) fn revise(
        &mut self,
        lp: &LinearProgram,
        options: SolverOptions,
        bounds_changed: bool,
    ) -> Result<Carried, Error> {
        match self {
            Session::Highs(session) => {
                session.revise(lp, options)?;
                Ok(Carried::Kept)
            }
            Session::Flow(session) => {
                if session.revise(lp, options.clone()) {
                    return Ok(Carried::Kept);
                }
                *self = Session::Highs(LpSession::new(lp, options)?);
                Ok(Carried::Restarted)
            }
            // The engine takes no new numbers in place (its basis factors hold the old
            // ones); HiGHS goes on from its basis instead: with the primal simplex when only
            // costs changed (the basis stays feasible), the dual one when bounds did.
            Session::Generalised(engine) => {
                let mut session = LpSession::new(lp, options)?;
                session.start_from(&engine.current_basis(lp))?;
                if bounds_changed {
                    session.prefer_dual();
                }
                *self = Session::Highs(session);
                Ok(Carried::Handed)
            }
        }
    }

    /// A backend for `model`, the model of `ds` after a revision appended `added` supplies
    /// and demands to the last solve's (arcs renumbered, new ones after), going on from this
    /// backend's basis: the network simplex's tree with the new nodes' slack arcs in it.
    /// `None` when this backend has no such tree (the caller starts a new one).
    pub(crate) fn extended(
        &self,
        ds: &Dataset,
        model: &Model,
        options: SolverOptions,
        added: (usize, usize),
    ) -> Option<Session> {
        let old = self.transport_tree()?;
        let l = &model.lp.layout;
        let (old_supplies, old_demands) = (l.supplies - added.0, l.demands - added.1);
        let mut tree = Vec::with_capacity(l.supplies + l.demands + l.arcs());
        tree.extend_from_slice(&old[..old_supplies]);
        tree.extend(std::iter::repeat_n(true, added.0));
        tree.extend_from_slice(&old[old_supplies..old_supplies + old_demands]);
        tree.extend(std::iter::repeat_n(true, added.1));
        tree.extend_from_slice(&old[old_supplies + old_demands..]);
        tree.resize(l.supplies + l.demands + l.arcs(), false);
        let session = FlowSession::with_tree(
            &model.lp,
            NodeScale::of(ds)?,
            options,
            || model.network.spatial_order(ds),
            &tree,
        )?;
        Some(Session::Flow(Box::new(session)))
    }

    /// Replaces the generalised engine, whose basis was lost to rounding, by HiGHS from
    /// the engine's start, within what is left of the time limit.
    fn fall_back_to_highs(&mut self, lp: &LinearProgram) -> Result<(), Error> {
        let Session::Generalised(engine) = self else {
            return Ok(());
        };
        tracing::warn!("the generalised network simplex lost its basis; HiGHS goes on");
        let mut session = LpSession::new(lp, engine.options_left())?;
        session.start_from(&engine.start_for(lp))?;
        *self = Session::Highs(session);
        Ok(())
    }

    /// The min-cost-flow path's basis after the last solve (see [`FlowSession::tree`]).
    pub(crate) fn transport_tree(&self) -> Option<Vec<bool>> {
        match self {
            Session::Highs(_) | Session::Generalised(_) => None,
            Session::Flow(session) => session.tree(),
        }
    }

    /// Whether the generalised network simplex solves this part.
    pub(crate) fn is_generalised(&self) -> bool {
        matches!(self, Session::Generalised(_))
    }

    pub(crate) fn is_min_cost_flow(&self) -> bool {
        matches!(self, Session::Flow(_))
    }
}
