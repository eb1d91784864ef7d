//! `circulate solve` and `circulate pruning-gap`: load a dataset folder, solve, report.

use crate::{output, summary};
use anyhow::Context;
use optimizer::{CandidateOptions, DEFAULT_K, Dataset, Error, SolveOptions, SolverOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Exit code for input that failed validation (errors on stderr).
const EXIT_INVALID_INPUT: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// Dataset folder (dataset.toml, materials.csv, sites.csv, supplies.csv, demands.csv, ...).
    pub dir: PathBuf,
    /// Keep every compatible pair within haul range instead of the k nearest.
    #[arg(long)]
    pub exact: bool,
    /// Plain k-nearest pruning: skip pricing in the left-out pairs with negative reduced
    /// cost (the optimum may then be above the exact one).
    #[arg(long)]
    pub no_pricing: bool,
    /// Nearest sinks kept per source, per served material and sink kind.
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: usize,
    /// Solver time limit in seconds; a solve cut short reports status time_limit.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// `auto`: the min-cost flow solver for parts that are pure transportation problems
    /// (no processes, every substitution ratio 1), HiGHS for the rest; `highs`: HiGHS for all.
    #[arg(long, value_enum, default_value_t = SolverChoice::Auto)]
    pub solver: SolverChoice,
    /// Folder to write result.json, flows.csv, flows.geojson and targets.csv into.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print result.json to stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Also write the LP (CPLEX LP format, readable names) to this file.
    #[arg(long)]
    pub write_lp: Option<PathBuf>,
    /// Rows shown in the summary's flow and target tables.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// Which solver `solve` uses.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SolverChoice {
    Auto,
    Highs,
}

#[derive(Debug, clap::Args)]
pub struct GapArgs {
    /// Dataset folder.
    pub dir: PathBuf,
    /// Values of k to compare with the exact optimum.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2, 4, 8, 16])]
    pub k: Vec<usize>,
}

/// Loads a dataset, printing every validation problem to stderr on failure.
fn load(dir: &Path) -> anyhow::Result<Result<Dataset, ExitCode>> {
    match optimizer::dataset::load(dir) {
        Ok(ds) => Ok(Ok(ds)),
        Err(Error::Invalid(errors)) => {
            eprintln!(
                "error: dataset {} is invalid ({} problem(s)):",
                dir.display(),
                errors.len()
            );
            for e in errors.iter() {
                eprintln!("  {e}");
            }
            Ok(Err(ExitCode::from(EXIT_INVALID_INPUT)))
        }
        Err(e) => Err(e).with_context(|| format!("loading {}", dir.display())),
    }
}

pub fn run(args: &SolveArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let ds = match load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => return Ok(code),
    };
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "dataset read and validated"
    );
    let started = Instant::now();
    let options = SolveOptions {
        candidates: CandidateOptions {
            k: args.k.max(1),
            exact: args.exact,
            price: !args.no_pricing,
        },
        solver: SolverOptions {
            time_limit: args.time_limit,
            algorithm: match args.solver {
                SolverChoice::Auto => optimizer::Algorithm::Auto,
                SolverChoice::Highs => optimizer::Algorithm::Highs,
            },
        },
    };
    let result = match &args.write_lp {
        // The LP file shows the one LP that was solved, so no decomposition then.
        Some(path) => {
            let mut model = optimizer::build_model(&ds, &options);
            let result = optimizer::solve_model(&ds, &mut model, &options)?;
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            optimizer::lp_file::write_lp(&ds, &model.network, &model.lp, &mut w)
                .with_context(|| format!("writing {}", path.display()))?;
            result
        }
        None => optimizer::solve(&ds, &options)?,
    };
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "solved");
    if let Some(out) = &args.out {
        let started = Instant::now();
        output::write_all(&result, out)?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "result files written"
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        summary::print(&ds, &result, args.top, args.out.as_deref());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_gap(args: &GapArgs) -> anyhow::Result<ExitCode> {
    let ds = match load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => return Ok(code),
    };
    let solve = |candidates| {
        let options = SolveOptions {
            candidates,
            solver: SolverOptions::default(),
        };
        optimizer::solve(&ds, &options)
    };
    let exact = solve(CandidateOptions {
        k: 1,
        exact: true,
        price: false,
    })?;
    let Some(best) = exact.objective else {
        anyhow::bail!("exact solve ended with status {}", exact.status.as_str());
    };
    println!(
        "dataset {}: exact optimum {best:.2} {} over {} arcs",
        ds.meta.name, ds.meta.currency, exact.stats.candidate_arcs
    );
    println!(
        "{:>4} {:>10} {:>18} {:>10}   {:>10} {:>7} {:>18} {:>10}",
        "k", "arcs", "k-nearest only", "gap %", "arcs", "rounds", "with pricing", "gap %"
    );
    let gap = |obj: f64| {
        if best.abs() > 0.0 {
            (obj - best) / best.abs() * 100.0
        } else {
            0.0
        }
    };
    for &k in &args.k {
        let k = k.max(1);
        let plain = solve(CandidateOptions {
            k,
            exact: false,
            price: false,
        })?;
        let priced = solve(CandidateOptions {
            k,
            exact: false,
            price: true,
        })?;
        let (p, q) = (
            plain.objective.unwrap_or(f64::NAN),
            priced.objective.unwrap_or(f64::NAN),
        );
        println!(
            "{:>4} {:>10} {:>18.2} {:>10.4}   {:>10} {:>7} {:>18.2} {:>10.4}",
            k,
            plain.stats.candidate_arcs,
            p,
            gap(p),
            priced.stats.candidate_arcs,
            priced.stats.pricing_rounds,
            q,
            gap(q)
        );
    }
    Ok(ExitCode::SUCCESS)
}
