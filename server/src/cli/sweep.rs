//! `circulate sweep`: one dataset under a grid of settings (CO2 price, transport cost, haul
//! limit, investment budget), writing OUT/scenarios.csv with cost, emissions, KPIs and
//! openings per scenario and the Pareto-efficient ones marked.

use super::solve::SolveFlags;
use circulate::batch::sweep::{Chaining, Grid, combinations, run_sweep};
use optimizer::SolveOptions;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The dataset folder.
    pub dir: PathBuf,
    /// CO2 prices to try, currency per t CO2e (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub co2_price: Vec<f64>,
    /// Transport costs to try, currency per tonne-km (overrides per-material costs).
    #[arg(long, value_delimiter = ',')]
    pub transport_cost: Vec<f64>,
    /// Haul limits to try, km; `none` for no limit (overrides per-material limits).
    #[arg(long, value_delimiter = ',', value_parser = haul)]
    pub max_haul: Vec<Option<f64>>,
    /// Investment budgets to try, currency/yr; `none` for no budget: savings against what
    /// the region may invest, with the openings at each.
    #[arg(long, value_delimiter = ',', value_parser = budget)]
    pub budget: Vec<Option<f64>>,
    /// scenarios.csv is written here.
    #[arg(long)]
    pub out: PathBuf,
    /// Solve every scenario from scratch, instead of as warm chains of revisions (one
    /// what-if session per core).
    #[arg(long)]
    pub cold: bool,
    #[command(flatten)]
    pub solve: SolveFlags,
}

fn haul(text: &str) -> Result<Option<f64>, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let km: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if optimizer::input::limits::KM.contains(km) {
        Ok(Some(km))
    } else {
        Err(format!(
            "must be {}",
            optimizer::input::limits::KM.describe()
        ))
    }
}

fn budget(text: &str) -> Result<Option<f64>, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let budget: f64 = text.replace('_', "").parse().map_err(|e| format!("{e}"))?;
    let range = optimizer::input::limits::FIXED_COST;
    if range.contains(budget) {
        Ok(Some(budget))
    } else {
        Err(format!("must be {}", range.describe()))
    }
}

pub fn run(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    for (name, values, range) in [
        (
            "--co2-price",
            &args.co2_price,
            optimizer::input::limits::PRICE,
        ),
        (
            "--transport-cost",
            &args.transport_cost,
            optimizer::input::limits::PRICE,
        ),
    ] {
        if let Some(bad) = values.iter().find(|v| !range.contains(**v)) {
            anyhow::bail!("{name} {bad}: must be {}", range.describe());
        }
    }
    let ds = match super::solve::load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => return Ok(code),
    };
    let scenarios = combinations(&Grid {
        co2_prices: &args.co2_price,
        transport_costs: &args.transport_cost,
        max_hauls: &args.max_haul,
        budgets: &args.budget,
    });
    let started = std::time::Instant::now();
    let options = SolveOptions::from(&args.solve);
    // A session keeps one plan, without alternatives or the worth of each opening: those
    // are solved with each scenario from scratch.
    let chaining = if args.cold || options.alternatives.count > 0 || options.solver.value_openings {
        Chaining::Cold
    } else {
        Chaining::Warm
    };
    let rows = run_sweep(&ds, &scenarios, &options, chaining)?;
    std::fs::create_dir_all(&args.out)?;
    let path = args.out.join("scenarios.csv");
    circulate::batch::row::write_csv(&path, &rows, &[])?;
    if !args.budget.is_empty() {
        circulate::html::curve::write_curve(&rows, &ds.meta.currency, &args.out)?;
    }
    println!(
        "{:>3} {:>9} {:>8} {:>8} {:>12} {:>11} {:>16} {:>14} {:>7}  opened",
        "#", "co2", "EUR/tkm", "haul km", "budget", "status", "cost/yr", "t CO2e/yr", "pareto"
    );
    for r in &rows {
        println!(
            "{:>3} {:>9} {:>8} {:>8} {:>12} {:>11} {:>16.0} {:>14.1} {:>7}  {}",
            r.scenario,
            r.co2_price,
            r.transport_cost_per_tkm,
            r.max_haul_km.map_or("-".to_owned(), |k| k.to_string()),
            r.budget.map_or("-".to_owned(), |b| b.to_string()),
            r.status,
            r.cost.unwrap_or(f64::NAN),
            r.emissions_t.unwrap_or(f64::NAN),
            if r.pareto { "yes" } else { "" },
            r.opened
        );
    }
    println!(
        "{} scenario(s) in {:.1} s; {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
