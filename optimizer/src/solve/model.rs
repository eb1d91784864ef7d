//! The model of one solve: the candidate network of a dataset and the LP over it, built but
//! not solved (the run loop solves it; `--write-lp` and the benches read it as it is).

use super::options::SolveOptions;
use crate::lp::LinearProgram;
use crate::model::domain::Dataset;
use crate::model::ids::{DemandIdx, SupplyIdx};
use crate::network::Network;
use std::time::Instant;

/// The network and LP of a dataset.
#[derive(Debug)]
pub struct Model {
    /// Sources, sinks and candidate arcs.
    pub network: Network,
    /// The LP over them.
    pub lp: LinearProgram,
    /// Seconds spent finding candidate arcs.
    pub network_seconds: f64,
    /// Seconds spent building the LP.
    pub lp_build_seconds: f64,
}

/// Builds the candidate network and the LP.
pub fn build_model(ds: &Dataset, options: &SolveOptions) -> Model {
    let started = Instant::now();
    let network = Network::build(ds, options.candidates);
    let network_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let lp = LinearProgram::build(ds, &network);
    Model {
        network,
        lp,
        network_seconds,
        lp_build_seconds: started.elapsed().as_secs_f64(),
    }
}

/// The plan every dataset has: every demand imported, every supply disposed of, nothing
/// run or sent.
pub(crate) fn baseline_plan(ds: &Dataset, lp: &LinearProgram) -> Vec<f64> {
    let mut x = vec![0.0; lp.num_cols()];
    for (d, demand) in ds.demands.iter().enumerate() {
        x[lp.layout.import(DemandIdx::new(d)).get()] = demand.quantity.0;
    }
    for (s, supply) in ds.supplies.iter().enumerate() {
        x[lp.layout.disposal(SupplyIdx::new(s)).get()] = supply.quantity.0;
    }
    x
}
