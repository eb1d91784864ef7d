//! Solving a batch: the regions side by side (rayon, all cores), each read, solved and
//! written into a staging folder that is swapped into place when complete
//! ([`crate::publish`]), so a killed
//! run leaves no half-written region and `resume` skips exactly the complete ones. A region
//! that fails (invalid input, solver error, even a panic) is recorded with its error and
//! the others go on.

use super::discover::Region;
use super::merge::shard_file_name;
use super::row::{RegionRow, read_rows, write_rows};
use super::shard::Shard;
use anyhow::Context;
use optimizer::{Error, SolveOptions};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The row a complete region keeps beside its results.
pub const ROW_FILE: &str = "summary-row.csv";

/// How a batch runs.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Results go to `out/<region>/`, the summary to `out/summary.csv`.
    pub out: PathBuf,
    /// Options of every solve.
    pub solve: SolveOptions,
    /// Skip regions whose results are complete.
    pub resume: bool,
    /// This process's share of the regions.
    pub shard: Shard,
    /// The flow tables each region gets (default: by its size, see
    /// [`optimizer::report::Formats::default_for`]).
    pub formats: Option<optimizer::report::Formats>,
}

/// What a batch did.
#[derive(Debug)]
pub struct BatchOutcome {
    /// One row per region of the shard, sorted by region.
    pub rows: Vec<RegionRow>,
    /// Regions skipped as already complete.
    pub resumed: usize,
    /// The summary file written.
    pub summary: PathBuf,
}

/// One finished region, for progress reports.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Its row.
    pub row: &'a RegionRow,
    /// Whether it was complete already.
    pub resumed: bool,
}

/// Runs the shard's regions, calling `progress` after each, and writes the summary.
pub fn run_batch(
    regions: &[Region],
    options: &BatchOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> anyhow::Result<BatchOutcome> {
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let mine: Vec<&Region> = regions
        .iter()
        .filter(|r| options.shard.owns(&r.name))
        .collect();
    let done: Vec<(RegionRow, bool)> = mine
        .par_iter()
        .map(|region| {
            let target = options.out.join(&region.name);
            if options.resume {
                if let Some(row) = complete_row(&target) {
                    progress(Progress {
                        row: &row,
                        resumed: true,
                    });
                    return (row, true);
                }
            }
            let row = solve_region(region, &target, &options.solve, options.formats);
            progress(Progress {
                row: &row,
                resumed: false,
            });
            (row, false)
        })
        .collect();
    let resumed = done.iter().filter(|(_, r)| *r).count();
    let mut rows: Vec<RegionRow> = done.into_iter().map(|(row, _)| row).collect();
    rows.sort_by(|a, b| a.region.cmp(&b.region));
    let summary = options.out.join(if options.shard.count == 1 {
        "summary.csv".to_owned()
    } else {
        shard_file_name(options.shard.index, options.shard.count)
    });
    write_rows(&summary, &rows)?;
    if options.shard.count == 1 {
        write_index(&options.out, &rows)?;
    }
    Ok(BatchOutcome {
        rows,
        resumed,
        summary,
    })
}

/// The row of a region whose results are complete (its row file exists, which the rename
/// makes true only once everything else is written).
fn complete_row(target: &Path) -> Option<RegionRow> {
    read_rows(&target.join(ROW_FILE)).ok()?.into_iter().next()
}

/// Reads, solves and writes one region; a failure becomes a row, never an early return.
fn solve_region(
    region: &Region,
    target: &Path,
    solve: &SolveOptions,
    formats: Option<optimizer::report::Formats>,
) -> RegionRow {
    let started = Instant::now();
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        solve_and_write(region, target, solve, formats, started)
    }));
    let error = match attempt {
        Ok(Ok(row)) => return row,
        Ok(Err(e)) => format!("{e:#}"),
        Err(panic) => format!(
            "internal error (a bug; please report it): {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panic")
        ),
    };
    tracing::debug!(region = %region.name, %error, "region failed");
    RegionRow::failed(&region.name, error, started.elapsed().as_secs_f64())
}

fn solve_and_write(
    region: &Region,
    target: &Path,
    solve: &SolveOptions,
    formats: Option<optimizer::report::Formats>,
    started: Instant,
) -> anyhow::Result<RegionRow> {
    let ds = optimizer::input::load(&region.dir).map_err(|e| match e {
        Error::Invalid(errors) => {
            let (first, more) = errors.first(3);
            let listed: Vec<String> = first.iter().map(ToString::to_string).collect();
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            anyhow::anyhow!(
                "invalid dataset, {} problem(s): {}{more}",
                errors.len(),
                listed.join("; ")
            )
        }
        other => other.into(),
    })?;
    let result = optimizer::solve(&ds, solve)?;
    // Written beside the target, then swapped into place: only this region's own leftovers
    // are touched, so shards sharing `out` never disturb each other.
    let staging = crate::publish::stage(target)?;
    let (formats, note) = optimizer::report::Formats::or_default(formats, result.flows.len());
    if let Some(note) = note {
        tracing::warn!(region = %region.name, "{note}");
    }
    optimizer::report::write_plan_files(&ds, &result, staging.path(), formats)?;
    let outline = optimizer::regions::dataset_outline(&region.dir)?;
    crate::html::write_report(&ds, &result, &outline, staging.path())?;
    let row = RegionRow::solved(&region.name, &result, started.elapsed().as_secs_f64());
    write_rows(&staging.path().join(ROW_FILE), std::slice::from_ref(&row))?;
    staging.publish()?;
    Ok(row)
}

/// `index.html` in `out`: every region with its status and a link to its report.
pub fn write_index(out: &Path, rows: &[RegionRow]) -> anyhow::Result<()> {
    let index: Vec<super::index_page::IndexRow<'_>> = rows
        .iter()
        .map(|r| super::index_page::IndexRow {
            region: &r.region,
            status: &r.status,
            objective: r.objective,
            saved: r.saved,
            error: &r.error,
        })
        .collect();
    super::index_page::write_index(&index, out)?;
    Ok(())
}
