//! circulate's optimizer: the domain model of a region's material streams, its validation,
//! the spatial candidate network, the LP of closed-loop routings and import substitution,
//! and the results a planner reads. Free of any transport (gRPC) code; the `circulate`
//! binary wraps it.
//!
//! ```no_run
//! let dataset = optimizer::dataset::load(std::path::Path::new("datasets/example")).unwrap();
//! let result = optimizer::solve(&dataset, &optimizer::SolveOptions::default()).unwrap();
//! println!("{} {:?}", result.status.as_str(), result.objective);
//! ```

pub mod dataset;
pub mod domain;
pub mod error;
pub mod ids;
pub mod lp;
pub mod lp_file;
pub mod network;
pub mod results;
pub mod solver;
pub mod spatial;
pub mod synthetic;

pub use domain::Dataset;
pub use error::{Error, FieldError, FieldErrors, Location};
pub use network::{CandidateOptions, DEFAULT_K, Network};
pub use results::SolveResult;
pub use solver::{SolveStatus, SolverOptions};

use lp::LinearProgram;
use std::time::Instant;

/// Options of one solve.
#[derive(Clone, Copy, Debug, Default)]
pub struct SolveOptions {
    pub candidates: CandidateOptions,
    pub solver: SolverOptions,
}

/// The network and LP of a dataset, built but not solved (for `--write-lp` and benches).
#[derive(Debug)]
pub struct Model {
    pub network: Network,
    pub lp: LinearProgram,
    pub network_seconds: f64,
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

/// Builds and solves the LP of a validated dataset.
///
/// Infeasible, unbounded and time-limited solves are `Ok` with the matching status; `Err` is
/// kept for a solver that rejects the model outright.
pub fn solve(ds: &Dataset, options: &SolveOptions) -> Result<SolveResult, Error> {
    let model = build_model(ds, options);
    solve_model(ds, &model, options)
}

/// Solves an already built model.
pub fn solve_model(
    ds: &Dataset,
    model: &Model,
    options: &SolveOptions,
) -> Result<SolveResult, Error> {
    let started = Instant::now();
    let solution = solver::solve_lp(&model.lp, options.solver)?;
    let solve_seconds = started.elapsed().as_secs_f64();
    tracing::debug!(
        arcs = model.network.arcs.len(),
        network_s = model.network_seconds,
        lp_build_s = model.lp_build_seconds,
        solve_s = solve_seconds,
        status = solution.status.as_str(),
        "solved"
    );
    let stats = results::SolveStats {
        k: options.candidates.k,
        exact: options.candidates.exact,
        candidate_arcs: model.network.arcs.len(),
        columns: model.lp.num_cols(),
        rows: model.lp.num_rows(),
        network_seconds: model.network_seconds,
        lp_build_seconds: model.lp_build_seconds,
        solve_seconds,
    };
    Ok(results::assemble(
        ds,
        &model.network,
        &model.lp,
        &solution,
        stats,
    ))
}
