//! The batch at European scale: one synthetic region per NUTS-3 area of the EU/EEA, each
//! generated around the real towns inside the area's outline (`generate --towns` restricted
//! to the polygon; synthetic town centres in its bounding box where no town of the list lies
//! inside), then all of them solved by `circulate batch` to their certified optimum. Prints
//! regions per minute and the peak resident memory.
//!
//! `cargo run --release -p circulate-benches --bin eu-regions -- --out target/eu-regions`
//! (`make eu-regions`); `--limit N` for a quick run on the first N areas.

mod rss;

use anyhow::Context;
use circulate::batch::{BatchOptions, Region, Shard, run_batch};
use clap::Parser;
use geo::Intersects;
use optimizer::generate::{SyntheticOptions, Town, generate, load_towns};
use optimizer::regions::load_areas;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(about = "Every NUTS-3 region of the EU/EEA as a synthetic region, solved as a batch")]
struct Args {
    /// NUTS-3 outlines (plain or .gz); default the NUTS 2021 polygons in datasets/sources/.
    #[arg(
        long,
        default_value = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../datasets/sources/nuts2021/NUTS_RG_60M_2021_4326_LEVL_3.geojson.gz"
        )
    )]
    areas: PathBuf,
    /// Towns (GeoNames cities1000 layout, plain or .gz); default the GeoNames towns of
    /// Europe in datasets/sources/.
    #[arg(
        long,
        default_value = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../datasets/sources/geonames/europe_cities1000.csv.gz"
        )
    )]
    towns: PathBuf,
    /// Sites per region.
    #[arg(long, default_value_t = 2000)]
    sites: usize,
    /// Recyclers and candidate recyclers per region.
    #[arg(long, default_value_t = 6)]
    processes: usize,
    #[arg(long, default_value_t = 3)]
    candidates: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only the first N areas (by NUTS id).
    #[arg(long)]
    limit: Option<usize>,
    /// Datasets go to OUT/datasets, results to OUT/solved.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let mut areas = load_areas(&args.areas, "NUTS_ID", "NAME_LATN", None)?;
    areas.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(n) = args.limit {
        areas.truncate(n);
    }
    let towns = load_towns(&args.towns, None, None)?;
    let datasets = args.out.join("datasets");
    let regions: Vec<Region> = areas
        .par_iter()
        .enumerate()
        .map(|(i, area)| -> anyhow::Result<Region> {
            let inside: Vec<Town> = towns
                .iter()
                .filter(|t| {
                    let p = geo::Point::new(t.lon, t.lat);
                    area.bounds.intersects(&p) && area.shape.intersects(&p)
                })
                .cloned()
                .collect();
            let b = area.bounds;
            let ds = generate(&SyntheticOptions {
                sites: args.sites,
                seed: args.seed + i as u64,
                processes: args.processes,
                candidates: args.candidates,
                bbox: [b.min().x, b.min().y, b.max().x, b.max().y],
                towns: (!inside.is_empty()).then_some(inside),
                ..SyntheticOptions::default()
            });
            let dir = datasets.join(&area.id);
            optimizer::input::write_folder(&ds, &dir)
                .with_context(|| format!("writing {}", dir.display()))?;
            Ok(Region {
                name: area.id.clone(),
                dir,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let generated = started.elapsed().as_secs_f64();
    eprintln!(
        "eu-regions: {} regions of {} sites generated in {generated:.0} s",
        regions.len(),
        args.sites
    );
    let solving = Instant::now();
    let options = BatchOptions {
        out: args.out.join("solved"),
        solve: optimizer::SolveOptions::default(),
        resume: false,
        shard: Shard::default(),
        formats: None,
    };
    let outcome = run_batch(&regions, &options, &|_| {})?;
    let seconds = solving.elapsed().as_secs_f64();
    let failed = outcome.rows.iter().filter(|r| r.is_failure()).count();
    let certified = outcome
        .rows
        .iter()
        .filter(|r| r.status == "optimal" && r.optimality_gap == Some(0.0))
        .count();
    let slowest = outcome
        .rows
        .iter()
        .max_by(|a, b| a.seconds.total_cmp(&b.seconds));
    println!(
        "| regions | sites each | generated s | solved s | regions/min | certified | failed | slowest | peak RSS MB |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
    println!(
        "| {} | {} | {generated:.0} | {seconds:.0} | {:.0} | {certified} | {failed} | {} | {:.0} |",
        regions.len(),
        args.sites,
        regions.len() as f64 / seconds * 60.0,
        slowest.map_or("-".to_owned(), |r| format!(
            "{} {:.1} s",
            r.region, r.seconds
        )),
        rss::peak_rss_mb("self").unwrap_or(f64::NAN)
    );
    println!("summary: {}", outcome.summary.display());
    Ok(())
}
