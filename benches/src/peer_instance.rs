//! Writes the peer-comparison instance (`optimizer::generate::uniform`) for the harness in
//! `benches/peers/`: the dataset folder circulate reads, and the same problem as plain
//! integer arrays for OR-Tools, highspy and networkx.
//!
//! Files in `--out`:
//! - `dataset/`: the dataset folder (`circulate solve` input);
//! - `nodes.csv`: `supply_t,disposal_micro` per supply, then `-demand_t,import_micro` per
//!   demand (rows in dataset order, supplies first);
//! - `arcs.csv`: `supply,demand,cost_micro`: circulate's candidate arcs at `--k` (k nearest
//!   demands per supply plus k nearest supplies per demand), costs in millionths of EUR per
//!   tonne, exactly the integers circulate's transportation solver uses;
//! - with `--recycler`, `model.lp` (CPLEX LP of the same candidate arcs) instead of the two
//!   CSV files, since a recycler with a yield is not a min-cost flow.
//!
//! `cargo run --release -p circulate-benches --bin peer-instance -- --n 100000 --out DIR`

use anyhow::Context;
use clap::Parser;
use optimizer::lp::ColKind;
use optimizer::{CandidateOptions, SolveOptions};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(about = "Write the peer-comparison instance")]
struct Args {
    /// Supply points (and as many demand points).
    #[arg(long)]
    n: usize,
    #[arg(long, default_value_t = optimizer::DEFAULT_K)]
    k: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The multi-material variant with recyclers.
    #[arg(long)]
    recycler: bool,
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let ds = optimizer::generate::uniform::generate(args.n, args.seed, args.recycler);
    optimizer::input::write_folder(&ds, &args.out.join("dataset"))?;
    let options = SolveOptions {
        candidates: CandidateOptions {
            k: args.k,
            exact: false,
            price: false,
        },
        ..Default::default()
    };
    let model = optimizer::build_model(&ds, &options);
    if args.recycler {
        let path = args.out.join("model.lp");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
        optimizer::lp::write_lp(&ds, &model.network, &model.lp, &mut w)
            .with_context(|| format!("writing {}", path.display()))?;
        println!(
            "wrote {} ({} arcs)",
            path.display(),
            model.network.arcs.len()
        );
        return Ok(());
    }
    let lp = &model.lp;
    // The peers take integer costs: micro-currency per tonne.
    let micro = |c: f64| (c * 1e6).round() as i64;
    let mut nodes = std::io::BufWriter::new(std::fs::File::create(args.out.join("nodes.csv"))?);
    writeln!(nodes, "tonnes,slack_cost_micro")?;
    let mut slack_cost = vec![0i64; ds.supplies.len() + ds.demands.len()];
    for j in lp.layout.fixed_columns() {
        match lp.layout.column(j) {
            ColKind::Disposal(s) => slack_cost[s.get()] = micro(lp.cost(j)),
            ColKind::Import(t) => slack_cost[ds.supplies.len() + t.get()] = micro(lp.cost(j)),
            _ => {}
        }
    }
    for (s, supply) in ds.supplies.iter().enumerate() {
        writeln!(nodes, "{},{}", supply.quantity.0, slack_cost[s])?;
    }
    for (t, demand) in ds.demands.iter().enumerate() {
        let cost = slack_cost[ds.supplies.len() + t];
        writeln!(nodes, "{},{}", -demand.quantity.0, cost)?;
    }
    nodes.flush()?;
    let mut arcs = std::io::BufWriter::new(std::fs::File::create(args.out.join("arcs.csv"))?);
    writeln!(arcs, "supply,demand,cost_micro")?;
    let net = &model.network;
    for (a, j) in lp.layout.flows() {
        let (s, t) = (net.arcs.source(a).get(), net.arcs.sink(a).get());
        writeln!(arcs, "{s},{t},{}", micro(lp.cost(j)))?;
    }
    arcs.flush()?;
    println!(
        "wrote {} ({} supplies, {} demands, {} arcs)",
        args.out.display(),
        ds.supplies.len(),
        ds.demands.len(),
        net.arcs.len()
    );
    Ok(())
}
