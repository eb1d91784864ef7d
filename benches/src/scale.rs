//! Scale benchmark: generates a synthetic region and reports the time of each stage
//! (candidate network, LP build, HiGHS solve, pricing) separately. Stage times are summed
//! over the independent parts, which are solved in parallel; `total s` is wall time.
//!
//! `cargo run --release -p circulate-benches --bin scale -- --sites 10000`

use clap::Parser;
use optimizer::generate::{SyntheticOptions, generate};
use optimizer::{CandidateOptions, SolveOptions};
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(about = "Time circulate's stages on a synthetic region")]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    sites: usize,
    #[arg(long, default_value_t = 5)]
    materials: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = optimizer::DEFAULT_K)]
    k: usize,
    #[arg(long, default_value_t = 0)]
    processes: usize,
    #[arg(long, default_value_t = 0)]
    candidates: usize,
    /// Keep every compatible pair in range (slow on big regions).
    #[arg(long)]
    exact: bool,
    /// Plain k-nearest pruning, without pricing in left-out arcs.
    #[arg(long)]
    no_pricing: bool,
    /// One LP for the whole region instead of one per independent material group.
    #[arg(long)]
    monolithic: bool,
    /// Instead of a synthetic region: the peer-comparison instance (`--sites` supply and as
    /// many demand points, uniform; see `optimizer::generate::uniform`).
    #[arg(long)]
    uniform: bool,
    /// With `--uniform`: the multi-material variant with recyclers.
    #[arg(long)]
    recycler: bool,
    /// HiGHS for every part (no min-cost flow path).
    #[arg(long)]
    highs: bool,
    /// Runs to time; the table shows each run.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let ds = if args.uniform {
        optimizer::generate::uniform::generate(args.sites, args.seed, args.recycler)
    } else {
        generate(&SyntheticOptions {
            sites: args.sites,
            materials: args.materials,
            seed: args.seed,
            processes: args.processes,
            candidates: args.candidates,
            ..Default::default()
        })
    };
    println!(
        "region: {} sites, {} supplies, {} demands, {} processes, {} materials (generated in {:.3} s)",
        ds.sites.len(),
        ds.supplies.len(),
        ds.demands.len(),
        ds.processes.len(),
        ds.materials.len(),
        started.elapsed().as_secs_f64()
    );
    let options = SolveOptions {
        candidates: CandidateOptions {
            k: args.k,
            exact: args.exact,
            price: !args.no_pricing,
        },
        solver: optimizer::SolverOptions {
            algorithm: if args.highs {
                optimizer::Algorithm::Highs
            } else {
                optimizer::Algorithm::Auto
            },
            ..Default::default()
        },
        ..Default::default()
    };
    println!(
        "{:>3} {:>5} {:>4} {:>10} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>16}",
        "run",
        "parts",
        "mcf",
        "arcs",
        "rounds",
        "network s",
        "LP s",
        "solve s",
        "pricing s",
        "wall s",
        "build %",
        "objective"
    );
    for run in 1..=args.runs {
        let started = Instant::now();
        let result = if args.monolithic {
            optimizer::solve_monolithic(&ds, &options)?
        } else {
            optimizer::solve(&ds, &options)?
        };
        let wall = started.elapsed().as_secs_f64();
        let s = &result.stats;
        // Stage times are summed over the parts, which run in parallel; build % is the
        // share of model building in that work.
        let work = s.network_seconds + s.lp_build_seconds + s.solve_seconds + s.pricing_seconds;
        println!(
            "{:>3} {:>5} {:>4} {:>10} {:>7} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>8.2} {:>16.2}",
            run,
            s.components,
            s.min_cost_flow_parts,
            s.candidate_arcs,
            s.pricing_rounds,
            s.network_seconds,
            s.lp_build_seconds,
            s.solve_seconds,
            s.pricing_seconds,
            wall,
            (s.network_seconds + s.lp_build_seconds) / work.max(f64::MIN_POSITIVE) * 100.0,
            result.objective.unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
