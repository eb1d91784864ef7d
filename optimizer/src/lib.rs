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
pub mod decompose;
pub mod domain;
pub mod error;
pub mod ids;
pub mod import;
pub mod lp;
pub mod lp_file;
pub mod matching;
pub mod network;
pub mod results;
pub mod solver;
pub mod spatial;
pub mod ssp;
pub mod synthetic;
pub mod transport;
pub mod uniform;

pub use domain::Dataset;
pub use error::{Error, FieldError, FieldErrors, Location};
pub use network::{CandidateOptions, DEFAULT_K, Network};
pub use results::SolveResult;
pub use solver::{Algorithm, SolveStatus, SolverOptions};

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

/// Reduced costs above `-PRICING_TOLERANCE` (currency per tonne) count as non-negative;
/// HiGHS's own dual feasibility tolerance is 1e-7.
pub const PRICING_TOLERANCE: f64 = 1e-6;

/// Left-out arcs added per source and pricing round (plus each sink's best offer).
/// Measured on the 10k-site bench region: 1 or 2 need the least total solve time; 8
/// floods each round with arcs that later turn out useless.
pub const PRICING_PER_SOURCE: usize = 2;

/// Builds and solves the LP of a validated dataset.
///
/// Infeasible, unbounded and time-limited solves are `Ok` with the matching status; `Err` is
/// kept for a solver that rejects the model outright.
///
/// Independent material groups are solved as separate LPs in parallel and merged
/// ([`decompose`]); the optimum is the same as one LP's.
pub fn solve(ds: &Dataset, options: &SolveOptions) -> Result<SolveResult, Error> {
    use rayon::prelude::*;
    let parts = decompose::split(ds);
    if parts.len() <= 1 {
        let mut model = build_model(ds, options);
        return solve_model(ds, &mut model, options);
    }
    let results = parts
        .par_iter()
        .map(|part| {
            let mut model = build_model(&part.dataset, options);
            solve_model(&part.dataset, &mut model, options)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(decompose::merge(ds, &parts, results))
}

/// Solves as one LP, without decomposition (for comparisons and `--write-lp`).
pub fn solve_monolithic(ds: &Dataset, options: &SolveOptions) -> Result<SolveResult, Error> {
    let mut model = build_model(ds, options);
    solve_model(ds, &mut model, options)
}

/// Solves a built model. With pricing on (the default), the pruned network grows by the
/// left-out arcs with negative reduced cost until none is left, so the optimum reported is
/// the optimum over every compatible pair within haul range; `model` ends holding the
/// final network and LP.
pub fn solve_model(
    ds: &Dataset,
    model: &mut Model,
    options: &SolveOptions,
) -> Result<SolveResult, Error> {
    let started = Instant::now();
    let mut session = solver::Session::new(&model.lp, options.solver)?;
    let mut solution = session.solve(&model.lp)?;
    let (mut rounds, mut added, mut pricing_seconds) = (0, 0, 0.0);
    let pricing = options.candidates.price && !options.candidates.exact;
    while pricing && solution.status == SolveStatus::Optimal {
        if options
            .solver
            .time_limit
            .is_some_and(|limit| started.elapsed().as_secs_f64() >= limit)
        {
            // Optimal over the arcs so far but not certified over all pairs: report the
            // plan as time-limited, without duals that would claim more than they show.
            solution.status = SolveStatus::TimeLimit;
            solution.row_dual = None;
            break;
        }
        let Some(dual) = solution.row_dual.as_ref() else {
            break;
        };
        let priced_at = Instant::now();
        let layout = &model.lp.layout;
        let source_dual: Vec<f64> = (0..model.network.sources.len())
            .map(|s| dual[layout.source_row(s)])
            .collect();
        let sink_dual: Vec<f64> = (0..model.network.sinks.len())
            .map(|t| dual[layout.sink_row(t)])
            .collect();
        let new_arcs = model.network.price(
            ds,
            &source_dual,
            &sink_dual,
            PRICING_PER_SOURCE,
            PRICING_TOLERANCE,
        );
        pricing_seconds += priced_at.elapsed().as_secs_f64();
        if new_arcs.is_empty() {
            break;
        }
        rounds += 1;
        added += new_arcs.len();
        tracing::debug!(round = rounds, arcs = new_arcs.len(), "pricing added arcs");
        model.network.extend(new_arcs);
        model.lp.append_flows(ds, &model.network);
        session.add_new_columns(&model.lp)?;
        solution = session.solve(&model.lp)?;
    }
    let solve_seconds = started.elapsed().as_secs_f64() - pricing_seconds;
    tracing::debug!(
        arcs = model.network.arcs.len(),
        network_s = model.network_seconds,
        lp_build_s = model.lp_build_seconds,
        solve_s = solve_seconds,
        pricing_rounds = rounds,
        status = solution.status.as_str(),
        "solved"
    );
    let stats = results::SolveStats {
        components: 1,
        min_cost_flow_parts: usize::from(session.is_min_cost_flow()),
        k: options.candidates.k,
        exact: options.candidates.exact,
        priced: pricing,
        pricing_rounds: rounds,
        arcs_added_by_pricing: added,
        candidate_arcs: model.network.arcs.len(),
        columns: model.lp.num_cols(),
        rows: model.lp.num_rows(),
        network_seconds: model.network_seconds,
        lp_build_seconds: model.lp_build_seconds,
        solve_seconds,
        pricing_seconds,
    };
    let assembled_at = Instant::now();
    let result = results::assemble(ds, &model.network, &model.lp, &solution, stats);
    tracing::debug!(
        seconds = assembled_at.elapsed().as_secs_f64(),
        "results assembled"
    );
    Ok(result)
}
