//! The `circulate` binary: batch CLI subcommands and the gRPC server over the optimizer library.

mod generate_cmd;
mod import_cmd;
mod output;
mod serve_cmd;
mod solve_cmd;
mod summary;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// circulate: plans circular material flows for regional clusters of enterprises.
#[derive(Debug, Parser)]
#[command(name = "circulate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve a dataset folder: optimal flows, imports, disposals, KPIs, shadow prices and
    /// import-substitution targets.
    Solve(solve_cmd::SolveArgs),
    /// Measure the pruning gap: the optimum with k nearest candidates for several k against
    /// the exact optimum over every compatible pair in range.
    PruningGap(solve_cmd::GapArgs),
    /// Write a seeded synthetic region (for scale tests and benches) as a dataset folder.
    Generate(generate_cmd::GenerateArgs),
    /// Run the gRPC server (Optimize, MatchBatch, ImportSubstitution, health, reflection).
    Serve(serve_cmd::ServeArgs),
    /// Build a dataset folder from a public register.
    #[command(subcommand)]
    Import(import_cmd::ImportSource),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CIRCULATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Solve(args) => solve_cmd::run(&args),
        Command::PruningGap(args) => solve_cmd::run_gap(&args),
        Command::Generate(args) => generate_cmd::run(&args),
        Command::Import(source) => import_cmd::run(&source),
        Command::Serve(args) => serve_cmd::run(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
