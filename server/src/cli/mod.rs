//! The `circulate` command line: one file per subcommand, each turning its arguments into
//! library options and printing or writing what the library returns.

mod batch;
mod generate;
mod health;
mod import;
mod progress;
mod pruning_gap;
mod serve;
mod solve;
mod sources;
mod split;
mod summary;
mod sweep;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// circulate: plans circular material flows for regional clusters of enterprises.
#[derive(Debug, Parser)]
#[command(name = "circulate", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve a dataset folder: optimal flows, imports, disposals, KPIs, shadow prices and
    /// import-substitution targets.
    Solve(solve::SolveArgs),
    /// Solve every dataset folder under a folder (or listed in a manifest) side by side,
    /// writing OUT/<region>/ and OUT/summary.csv; exit code 3 when a region failed.
    Batch(batch::BatchArgs),
    /// Merge the summaries of a sharded batch (OUT/summary.shard-I-of-N.csv) into one.
    BatchMerge(batch::MergeArgs),
    /// Measure the pruning gap: the optimum with k nearest candidates for several k against
    /// the exact optimum over every compatible pair in range.
    PruningGap(pruning_gap::GapArgs),
    /// Write a seeded synthetic region (for scale tests and benches) as a dataset folder.
    Generate(generate::GenerateArgs),
    /// Run the gRPC server (Optimize, MatchBatch, ImportSubstitution, health, reflection).
    Serve(serve::ServeArgs),
    /// Solve one dataset under a grid of settings (CO2 price, transport cost, haul limit):
    /// cost, emissions and KPIs per scenario, the Pareto-efficient ones marked.
    Sweep(sweep::SweepArgs),
    /// Cut a dataset into one dataset folder per NUTS-3 region its sites fall in.
    Split(split::SplitArgs),
    /// Write a dataset folder's outline.geojson (the NUTS-3 areas its sites fall in), which
    /// the report draws under the map.
    Outline(split::OutlineArgs),
    /// Ask a running server whether it is serving (exit 0 if so), for container health checks.
    Health(health::HealthArgs),
    /// Build a dataset folder from a public register.
    #[command(subcommand)]
    Import(import::ImportSource),
}

impl Cli {
    /// Runs the subcommand.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Solve(args) => solve::run(&args),
            Command::Batch(args) => batch::run(&args),
            Command::BatchMerge(args) => batch::merge(&args),
            Command::PruningGap(args) => pruning_gap::run(&args),
            Command::Generate(args) => generate::run(&args),
            Command::Import(source) => import::run(&source),
            Command::Serve(args) => serve::run(&args),
            Command::Health(args) => health::run(&args),
            Command::Split(args) => split::run(&args),
            Command::Outline(args) => split::outline(&args),
            Command::Sweep(args) => sweep::run(&args),
        }
    }
}
