//! What-if benchmark: revisions solved in a session from the kept basis against cold solves
//! of the same revised datasets, side by side in one run. Rows: a share of the streams'
//! quantities changed; the same with streams added and removed; a new CO2 price; a sweep
//! of CO2 prices as one warm chain against one cold solve each. Every warm plan is checked
//! against its cold solve's objective.
//!
//! `cargo run --release -p circulate-benches --bin what-if -- --uniform 100000`
//! `cargo run --release -p circulate-benches --bin what-if -- --dataset datasets/finland-2023`
//! `cargo run --release -p circulate-benches --bin what-if -- --region 10000`

use clap::Parser;
use optimizer::{Change, Dataset, SolveOptions, SolverOptions, StreamKind, WhatIf};
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(about = "Time what-if revisions warm against cold solves")]
struct Args {
    /// The peer-comparison instance with this many supply (and as many demand) points.
    #[arg(long)]
    uniform: Option<usize>,
    /// A generated region with this many sites, recyclers and candidate recyclers
    /// (`generate --sites N --processes 6 --candidates 3`).
    #[arg(long)]
    region: Option<usize>,
    /// A dataset folder instead.
    #[arg(long)]
    dataset: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Share of the streams whose quantity a revision changes.
    #[arg(long, default_value_t = 0.01)]
    share: f64,
    /// Share added and share removed in the structural row.
    #[arg(long, default_value_t = 0.005)]
    churn: f64,
    /// CO2 prices of the sweep row (currency per t CO2e).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,25,50,75,100,150,200,300"
    )]
    co2_prices: Vec<f64>,
}

/// A small deterministic generator, so every run revises the same streams.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n - 1)
    }
}

fn quantity_changes(ds: &Dataset, share: f64, rng: &mut Lcg) -> Vec<Change> {
    let streams = ds.supplies.len() + ds.demands.len();
    let count = ((streams as f64 * share).round() as usize).max(1);
    (0..count)
        .map(|_| {
            let i = rng.below(streams);
            let (kind, index, tonnes) = if i < ds.supplies.len() {
                (StreamKind::Supply, i, ds.supplies[i].quantity.0)
            } else {
                let t = i - ds.supplies.len();
                (StreamKind::Demand, t, ds.demands[t].quantity.0)
            };
            Change::Quantity {
                kind,
                index,
                tonnes: tonnes * (0.5 + rng.next()),
            }
        })
        .collect()
}

fn churn_changes(ds: &Dataset, share: f64, rng: &mut Lcg) -> Vec<Change> {
    let streams = ds.supplies.len() + ds.demands.len();
    let count = ((streams as f64 * share).round() as usize).max(1);
    let mut changes = Vec::new();
    for _ in 0..count {
        let i = rng.below(ds.supplies.len());
        changes.push(Change::Remove {
            kind: StreamKind::Supply,
            index: i,
        });
        let like = &ds.demands[rng.below(ds.demands.len())];
        changes.push(Change::Add {
            kind: StreamKind::Demand,
            site: ds.sites[rng.below(ds.sites.len())].id.clone(),
            material: ds.material(like.material).id.clone(),
            tonnes: like.quantity.0,
            price: like.unit_cost,
        });
    }
    changes
}

/// Revises `session` by `changes` and solves the revised dataset cold; prints the row.
fn row(what: &str, session: &mut WhatIf, changes: &[Change], options: &SolveOptions) {
    let revised = session
        .revise(changes, SolverOptions::default())
        .expect("revision");
    let (warm_s, start) = (revised.seconds, revised.start);
    let warm = revised.result.objective;
    let started = Instant::now();
    let cold = optimizer::solve_monolithic(session.dataset(), options).expect("cold solve");
    let cold_s = started.elapsed().as_secs_f64();
    let agree = match (warm, cold.objective) {
        (Some(w), Some(c)) => (w - c).abs() <= 4.0 * optimizer::RELATIVE_GAP * c.abs().max(1.0),
        _ => false,
    };
    println!(
        "| {what} | {warm_s:.3} | {start} | {cold_s:.3} | {:.3} | {} |",
        warm_s / cold_s,
        if agree { "yes" } else { "NO" }
    );
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // `CIRCULATE_LOG=debug` shows where a revision's time goes.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CIRCULATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let ds = match (&args.uniform, &args.region, &args.dataset) {
        (Some(n), _, _) => optimizer::generate::uniform::generate(*n, args.seed, false),
        (None, Some(sites), _) => {
            optimizer::generate::generate(&optimizer::generate::SyntheticOptions {
                sites: *sites,
                processes: 6,
                candidates: 3,
                seed: args.seed,
                ..Default::default()
            })
        }
        (None, None, Some(dir)) => optimizer::input::load(dir)?,
        (None, None, None) => anyhow::bail!("give --uniform N, --region N or --dataset DIR"),
    };
    let options = SolveOptions::default();
    let mut rng = Lcg(args.seed);
    let started = Instant::now();
    let mut session = WhatIf::open(ds, options.clone())?;
    println!(
        "opened: {} supplies, {} demands, certified in {:.3} s",
        session.dataset().supplies.len(),
        session.dataset().demands.len(),
        started.elapsed().as_secs_f64()
    );
    println!("| revision | warm s | start | cold s | warm / cold | same optimum |");
    println!("| --- | ---: | --- | ---: | ---: | --- |");
    let changes = quantity_changes(session.dataset(), args.share, &mut rng);
    let what = format!("{:.1} % of quantities", 100.0 * args.share);
    row(&what, &mut session, &changes, &options);
    let mut changes = quantity_changes(session.dataset(), args.share, &mut rng);
    changes.extend(churn_changes(session.dataset(), args.churn, &mut rng));
    let what = format!(
        "{:.1} % of quantities, {:.1} % added, {:.1} % removed",
        100.0 * args.share,
        100.0 * args.churn,
        100.0 * args.churn
    );
    row(&what, &mut session, &changes, &options);
    let price = session.dataset().co2_price + 50.0;
    row(
        &format!("CO2 price {price}"),
        &mut session,
        &[Change::Co2Price(price)],
        &options,
    );
    // The sweep: one warm chain against one cold solve per price.
    let (mut warm_s, mut cold_s) = (0.0, 0.0);
    for &price in &args.co2_prices {
        let revised = session.revise(&[Change::Co2Price(price)], SolverOptions::default())?;
        warm_s += revised.seconds;
        let started = Instant::now();
        optimizer::solve_monolithic(session.dataset(), &options)?;
        cold_s += started.elapsed().as_secs_f64();
    }
    println!(
        "| sweep of {} CO2 prices | {warm_s:.3} | chain | {cold_s:.3} | {:.3} | |",
        args.co2_prices.len(),
        warm_s / cold_s
    );
    Ok(())
}
