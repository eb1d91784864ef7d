//! `circulate batch` and `circulate batch-merge`: many regional datasets solved side by
//! side, with a progress bar on a terminal and plain log lines elsewhere; and the summaries
//! of a sharded batch joined into one.

use super::solve::SolveFlags;
use anyhow::bail;
use circulate::batch::{self, BatchOptions, Progress, Shard};
use indicatif::{ProgressBar, ProgressStyle};
use optimizer::SolveOptions;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Exit code when at least one region failed (the others are solved and written).
pub const EXIT_SOME_FAILED: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Folder searched for dataset folders (any folder holding dataset.toml, at any depth).
    #[arg(
        required_unless_present = "regions_from",
        conflicts_with = "regions_from"
    )]
    pub dir: Option<PathBuf>,
    /// A manifest instead: one dataset folder per line, relative to the manifest.
    #[arg(long)]
    pub regions_from: Option<PathBuf>,
    /// Results: OUT/<region>/ (as `solve --out`) and OUT/summary.csv.
    #[arg(long)]
    pub out: PathBuf,
    /// Skip regions whose results are complete (a killed run goes on where it stopped).
    #[arg(long)]
    pub resume: bool,
    /// Solve only shard I of N (stable, by region name); default: from a Kubernetes Indexed
    /// Job (JOB_COMPLETION_INDEX with CIRCULATE_SHARD_COUNT) or a Slurm array, else all.
    /// Sharded summaries are written as OUT/summary.shard-I-of-N.csv for `batch-merge`.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Then solve all regions as one network in which flows may cross borders: writes
    /// OUT/federation/, OUT/exchange.csv (what crosses which border) and OUT/trade.csv
    /// (each region's trade balance at the federation's shadow prices).
    #[arg(long, conflicts_with = "shard")]
    pub exchange: bool,
    /// With --exchange: currency per tonne a flow pays to cross from one region to another,
    /// on top of its haul (transaction costs of trading between clusters); default 0.
    #[arg(long, requires = "exchange", value_parser = border_cost, allow_hyphen_values = true)]
    pub border_cost: Option<f64>,
    /// With --exchange: longest haul across a border, km; default: only the materials' own
    /// limits.
    #[arg(long, requires = "exchange", value_parser = border_km, allow_hyphen_values = true)]
    pub border_max_haul: Option<f64>,
    /// The optional files each region gets: a comma-separated list of csv, geojson, parquet
    /// (GeoParquet), valueflows (plan.vf.jsonld); default all four, without geojson and
    /// valueflows for regions above 100,000 flows.
    #[arg(long, value_parser = super::solve::formats, value_name = "LIST")]
    pub formats: Option<optimizer::report::Formats>,
    #[command(flatten)]
    pub solve: SolveFlags,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Output folders of the shards (often one shared folder).
    #[arg(required = true)]
    pub outs: Vec<PathBuf>,
    /// Where the merged summary goes (default: summary.csv in the first folder).
    #[arg(long)]
    pub into: Option<PathBuf>,
}

/// A border cost: a price per tonne within the limits the dataset's prices have.
fn border_cost(text: &str) -> Result<f64, String> {
    in_range(text, optimizer::input::limits::PRICE)
}

/// A border haul limit: km within the limits the dataset's haul limits have.
fn border_km(text: &str) -> Result<f64, String> {
    in_range(text, optimizer::input::limits::KM)
}

fn in_range(text: &str, range: optimizer::input::limits::Range) -> Result<f64, String> {
    let x: f64 = text.parse().map_err(|e| format!("not a number: {e}"))?;
    if range.contains(x) {
        Ok(x)
    } else {
        Err(format!("must be {}", range.describe()))
    }
}

pub fn run(args: &BatchArgs) -> anyhow::Result<ExitCode> {
    let regions = match (&args.dir, &args.regions_from) {
        (Some(dir), _) => batch::regions_under(dir)?,
        (None, Some(manifest)) => batch::regions_from_manifest(manifest)?,
        (None, None) => bail!("give a folder or --regions-from"),
    };
    let shard = match args.shard {
        Some(s) => s,
        None => Shard::from_scheduler(|k| std::env::var(k).ok())?.unwrap_or_default(),
    };
    let total = regions.iter().filter(|r| shard.owns(&r.name)).count();
    eprintln!(
        "circulate batch: {total} of {} region(s) (shard {shard}) into {}",
        regions.len(),
        args.out.display()
    );
    let options = BatchOptions {
        out: args.out.clone(),
        solve: SolveOptions::from(&args.solve),
        resume: args.resume,
        shard,
        formats: args.formats,
    };

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {pos}/{len} regions, {msg} [{elapsed_precise}, {per_sec}, eta {eta}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let (done, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let started = Instant::now();
    let report = |p: Progress<'_>| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        let new_failure = usize::from(p.row.is_failure());
        let f = failed.fetch_add(new_failure, Ordering::Relaxed) + new_failure;
        match &bar {
            Some(bar) => {
                bar.set_message(format!("{f} failed"));
                bar.inc(1);
            }
            None => eprintln!(
                "[{n}/{total}] {} {}{} ({:.1} s; {f} failed; {:.1} regions/min)",
                p.row.region,
                p.row.status,
                if p.resumed { ", resumed" } else { "" },
                p.row.seconds,
                n as f64 / started.elapsed().as_secs_f64().max(1e-9) * 60.0
            ),
        }
    };
    let outcome = batch::run_batch(&regions, &options, &report)?;
    if let Some(bar) = bar {
        bar.finish();
    }
    let failures: Vec<_> = outcome.rows.iter().filter(|r| r.is_failure()).collect();
    for f in &failures {
        eprintln!(
            "failed: {}: {}",
            f.region,
            optimizer::shorten(&f.error, 300)
        );
    }
    eprintln!(
        "{} region(s) solved, {} resumed, {} failed in {:.1} s; summary in {}",
        outcome.rows.len() - failures.len() - outcome.resumed,
        outcome.resumed,
        failures.len(),
        started.elapsed().as_secs_f64(),
        outcome.summary.display()
    );
    if args.exchange {
        let started = Instant::now();
        let border = (args.border_cost.is_some() || args.border_max_haul.is_some()).then(|| {
            optimizer::Border {
                cost_per_t: args.border_cost.unwrap_or(0.0),
                max_haul: args.border_max_haul.map(optimizer::Km),
            }
        });
        let ex = batch::exchange::run_exchange(
            &regions,
            &outcome.rows,
            &args.out,
            &options.solve,
            border,
        )?;
        let saved = ex.federated.map(|f| ex.isolated_total - f);
        eprintln!(
            "federation of {} regions: {} in {:.1} s; objective {} against {:.0} for the regions \
             alone (saves {}); {:.1} t/yr cross borders, valued {:.0} at the federation's shadow \
             prices, {:.0} paid in border costs; exchange.csv and trade.csv in {}",
            ex.regions,
            ex.status.as_str(),
            started.elapsed().as_secs_f64(),
            ex.federated
                .map_or("none".to_owned(), |f| format!("{f:.0}")),
            ex.isolated_total,
            saved.map_or("-".to_owned(), |s| format!("{s:.0}")),
            ex.traded_t,
            ex.traded_value,
            ex.border_cost,
            args.out.display()
        );
        if !ex.material_conflicts.is_empty() {
            eprintln!(
                "note: materials defined differently in two regions (the first definition used): {}",
                ex.material_conflicts.join(", ")
            );
        }
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_SOME_FAILED)
    })
}

pub fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let (rows, files) = batch::merge_summaries(&args.outs)?;
    let into = args
        .into
        .clone()
        .unwrap_or_else(|| args.outs[0].join("summary.csv"));
    batch::row::write_rows(&into, &rows)?;
    if let Some(dir) = into.parent() {
        batch::run::write_index(dir, &rows)?;
    }
    let failed = rows.iter().filter(|r| r.is_failure()).count();
    eprintln!(
        "merged {} shard summaries: {} region(s), {failed} failed, into {}",
        files.len(),
        rows.len(),
        into.display()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_SOME_FAILED)
    })
}
