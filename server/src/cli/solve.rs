//! `circulate solve`: load a dataset folder, solve, print the summary, write the result files.

use super::progress::SolveProgress;
use super::summary;
use anyhow::Context;
use optimizer::{Algorithm, DEFAULT_K, Dataset, Error, SolveOptions, SolveRequest};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Exit code for input that failed validation (errors on stderr).
const EXIT_INVALID_INPUT: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// Dataset folder (dataset.toml, materials.csv, sites.csv, supplies.csv, demands.csv, ...).
    pub dir: PathBuf,
    #[command(flatten)]
    pub solve: SolveFlags,
    /// Folder to write result.json, flows.csv, flows.geojson, flows.parquet, targets.csv
    /// and report.html into (the report draws the dataset folder's outline.geojson, if it
    /// has one).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The optional files written with --out: a comma-separated list of csv, geojson,
    /// parquet (GeoParquet), valueflows (plan.vf.jsonld); default all four, without geojson
    /// and valueflows above 100,000 flows.
    #[arg(long, value_parser = formats, value_name = "LIST")]
    pub formats: Option<optimizer::report::Formats>,
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

/// How each dataset is solved (`solve` and `batch` alike).
#[derive(Debug, clap::Args)]
pub struct SolveFlags {
    /// Keep every compatible pair within haul range instead of the k nearest.
    #[arg(long)]
    pub exact: bool,
    /// Plain k-nearest pruning: skip pricing in the left-out pairs with negative reduced
    /// cost (the optimum may then be above the exact one).
    #[arg(long)]
    pub no_pricing: bool,
    /// Nearest sinks kept per source, per served material and sink kind (0: the default).
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: usize,
    /// Solver time limit in seconds; a solve cut short reports status time_limit.
    #[arg(long, value_parser = time_limit)]
    pub time_limit: Option<f64>,
    /// `auto`: the network simplex for parts that are pure transportation problems (no
    /// processes, every substitution ratio 1), the generalised network simplex for parts
    /// whose processes each take one input and give one output (or whose ratios differ from
    /// 1), HiGHS for the rest; `highs`: HiGHS for all.
    #[arg(long, value_enum, default_value_t = SolverChoice::Auto)]
    pub solver: SolverChoice,
    /// With investment decisions (fixed costs, smallest sizes, a limit on openings): the
    /// relative gap the openings' MIP may stop at (default 1e-4; 0 proves the optimum).
    #[arg(long, value_parser = mip_gap)]
    pub mip_gap: Option<f64>,
    /// With investment decisions: also solve each candidate's opening flipped, for what
    /// opening it is worth (in result.json and the report; one more solve per candidate).
    #[arg(long)]
    pub value_openings: bool,
    /// Also find each flow's cost margin: how much dearer per tonne its haul could get
    /// before the optimum moves tonnes off it (in result.json and the report; two route
    /// searches per flow).
    #[arg(long)]
    pub cost_ranging: bool,
    /// Also find N near-optimal alternatives: plans costing at most (1 + --within) x the
    /// optimum that differ from it and from each other as much as possible (each one more
    /// certified solve; in result.json and the report).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = alternatives)]
    pub alternatives: usize,
    /// How much dearer than the optimum an alternative may be, a share of its cost.
    #[arg(long, value_name = "F", default_value_t = optimizer::DEFAULT_WITHIN, value_parser = within)]
    pub within: f64,
}

/// A `--formats` list.
pub fn formats(text: &str) -> Result<optimizer::report::Formats, String> {
    optimizer::report::Formats::parse(text)
}

fn alternatives(text: &str) -> Result<usize, String> {
    let count: usize = text.parse().map_err(|e| format!("{e}"))?;
    optimizer::check_alternatives(count)
}

fn within(text: &str) -> Result<f64, String> {
    let share: f64 = text.parse().map_err(|e| format!("{e}"))?;
    optimizer::check_within(share)
}

fn time_limit(text: &str) -> Result<f64, String> {
    let seconds: f64 = text.parse().map_err(|e| format!("{e}"))?;
    optimizer::check_time_limit(seconds)
}

fn mip_gap(text: &str) -> Result<f64, String> {
    let gap: f64 = text.parse().map_err(|e| format!("{e}"))?;
    optimizer::check_mip_gap(gap)
}

/// Which solver `solve` uses.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SolverChoice {
    /// The network simplex for transportation parts, the generalised network simplex for
    /// parts with one-input, one-output processes or other ratios, HiGHS for the rest.
    Auto,
    /// HiGHS for every part.
    Highs,
    /// Successive shortest paths for transportation parts (for comparison), HiGHS for the rest.
    Ssp,
}

impl From<&SolveFlags> for SolveRequest {
    fn from(args: &SolveFlags) -> Self {
        SolveRequest {
            k: args.k,
            exact: args.exact,
            pricing: !args.no_pricing,
            time_limit: args.time_limit,
            deadline: None,
            mip_gap: args.mip_gap,
            value_openings: args.value_openings,
            cost_ranging: args.cost_ranging,
            alternatives: args.alternatives,
            within: Some(args.within),
            algorithm: match args.solver {
                SolverChoice::Auto => Algorithm::Auto,
                SolverChoice::Highs => Algorithm::Highs,
                SolverChoice::Ssp => Algorithm::ShortestPaths,
            },
        }
    }
}

impl From<&SolveFlags> for SolveOptions {
    fn from(args: &SolveFlags) -> Self {
        SolveRequest::from(args).into()
    }
}

/// Loads a dataset, printing every validation problem to stderr on failure.
pub(super) fn load(dir: &Path) -> anyhow::Result<Result<Dataset, ExitCode>> {
    match optimizer::input::load(dir) {
        Ok(ds) => Ok(Ok(ds)),
        Err(Error::Invalid(errors)) => {
            eprintln!(
                "error: dataset {} is invalid ({} problem(s)):",
                dir.display(),
                errors.len()
            );
            let (listed, more) = errors.first(optimizer::LISTED_ON_CLI);
            for e in &listed {
                eprintln!("  {e}");
            }
            if more > 0 {
                eprintln!("  ... and {more} more");
            }
            Ok(Err(ExitCode::from(EXIT_INVALID_INPUT)))
        }
        // The error names the folder already.
        Err(e) => Err(e.into()),
    }
}

pub fn run(args: &SolveArgs) -> anyhow::Result<ExitCode> {
    let run_started = Instant::now();
    let started = run_started;
    let progress = SolveProgress::start("reading the dataset");
    let ds = match load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => {
            progress.finish();
            return Ok(code);
        }
    };
    let read_seconds = started.elapsed().as_secs_f64();
    tracing::info!(seconds = read_seconds, "dataset read and validated");
    // Checked before solving, so a broken outline or an --out that cannot be replaced fails
    // fast, not after a long solve.
    let outline = match &args.out {
        Some(out) => {
            // An existing folder is replaced only when it holds what `solve --out` writes.
            let ours = [
                optimizer::report::RESULT_FILES,
                &[
                    circulate::html::REPORT_FILE,
                    optimizer::report::valueflows::VALUEFLOWS_FILE,
                ],
            ]
            .concat();
            circulate::publish::check_replaceable(out, &ours)?;
            optimizer::regions::dataset_outline(&args.dir)?
        }
        None => Vec::new(),
    };
    let started = Instant::now();
    let mut options = SolveOptions::from(&args.solve);
    options.solver.progress = progress.watcher(&ds.meta.currency);
    progress.stage("building the candidate network");
    let result = match &args.write_lp {
        // The LP file shows the one LP that was solved, so no decomposition then.
        Some(path) => {
            let solved = optimizer::solve_keeping_model(&ds, &options)?;
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            optimizer::lp::write_lp(&ds, &solved.model.network, &solved.model.lp, &mut w)
                .with_context(|| format!("writing {}", path.display()))?;
            solved.result
        }
        None => optimizer::solve(&ds, &options)?,
    };
    let solved_seconds = started.elapsed().as_secs_f64();
    tracing::info!(seconds = solved_seconds, "solved");
    let mut written = None;
    let mut written_seconds = 0.0;
    if let Some(out) = &args.out {
        progress.stage("writing the result files");
        let started = Instant::now();
        // Every file into a staging folder, swapped into place once all are written: a killed
        // solve leaves the old folder or the new one, whole.
        let staging = circulate::publish::stage(out)?;
        let (formats, note) =
            optimizer::report::Formats::or_default(args.formats, result.flows.len());
        if let Some(note) = note {
            eprintln!("{}: {note}", out.display());
        }
        optimizer::report::write_plan_files(&ds, &result, staging.path(), formats)?;
        circulate::html::write_report(&ds, &result, &outline, staging.path())?;
        written = Some(formats);
        staging.publish()?;
        written_seconds = started.elapsed().as_secs_f64();
        tracing::info!(seconds = written_seconds, "result files written");
    }
    progress.finish();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        summary::print(
            &ds,
            &result,
            args.top,
            args.out.as_deref().zip(written),
            summary::Timings {
                read: read_seconds,
                solved: solved_seconds,
                written: written_seconds,
                wall: run_started.elapsed().as_secs_f64(),
            },
        );
    }
    Ok(ExitCode::SUCCESS)
}
