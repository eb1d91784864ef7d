//! The `circulate` binary: the batch CLI subcommands ([`cli`]) and the gRPC server over the
//! optimizer library.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// jemalloc in place of the system allocator. glibc's per-thread arenas keep what the
/// solve's growing columns and the parallel passes free, so the resident set ran well
/// above the heap: uniform 300k (`peer-instance --n 300000 --seed 2`), `circulate solve`,
/// peak RSS 1,611 MB with glibc and 1,108 MB with jemalloc, 57.2 s and 50.9 s wall
/// (2 cores; the same run at 100k: 598 and 437 MB). MSVC targets keep the system's.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CIRCULATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::Cli::parse().run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
