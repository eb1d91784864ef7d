//! A solver kept across the rounds of one solve: HiGHS, or the min-cost-flow path when the
//! LP is a pure transportation problem and [`Algorithm::Auto`] allows it.

use super::Model;
use super::flow::FlowSession;
use super::highs::LpSession;
use super::status::{Algorithm, LpSolution, SolverOptions, StartingBasis};
use crate::lp::LinearProgram;
use crate::model::domain::Dataset;
use crate::model::error::Error;

/// The backend of one solve.
#[derive(Debug)]
pub(crate) enum Session {
    Highs(LpSession),
    // Boxed: the engine's state is large and lives as long as the solve.
    Flow(Box<FlowSession>),
}

impl Session {
    /// The backend for `model`, built from `ds`.
    pub(crate) fn new(ds: &Dataset, model: &Model, options: SolverOptions) -> Result<Self, Error> {
        let lp = &model.lp;
        if options.algorithm != Algorithm::Highs
            && let Some(flow) =
                FlowSession::new(lp, options.clone(), || model.network.spatial_order(ds))
        {
            return Ok(Session::Flow(Box::new(flow)));
        }
        Ok(Session::Highs(LpSession::new(lp, options)?))
    }

    /// Starts the next solve from `basis` (HiGHS; the flow path finds its own).
    pub(crate) fn start_from(&mut self, basis: &StartingBasis) -> Result<(), Error> {
        match self {
            Session::Highs(session) => session.start_from(basis),
            Session::Flow(_) => Ok(()),
        }
    }

    /// Takes the columns `lp` gained since the last solve.
    pub(crate) fn add_new_columns(&mut self, lp: &LinearProgram) -> Result<(), Error> {
        match self {
            Session::Highs(session) => session.add_new_columns(lp),
            // The flow path rebuilds its network from `lp` at each solve.
            Session::Flow(_) => Ok(()),
        }
    }

    pub(crate) fn solve(&mut self, lp: &LinearProgram) -> Result<LpSolution, Error> {
        match self {
            Session::Highs(session) => session.solve(lp),
            Session::Flow(session) => Ok(session.solve(lp)),
        }
    }

    /// The min-cost-flow path's basis after the last solve (see [`FlowSession::tree`]).
    pub(crate) fn transport_tree(&self) -> Option<Vec<bool>> {
        match self {
            Session::Highs(_) => None,
            Session::Flow(session) => session.tree(),
        }
    }

    pub(crate) fn is_min_cost_flow(&self) -> bool {
        matches!(self, Session::Flow(_))
    }
}
