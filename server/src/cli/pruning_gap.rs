//! `circulate pruning-gap`: the optimum with the k nearest candidates, plain and priced,
//! for several k, against the exact optimum over every compatible pair in range.

use optimizer::SolveRequest;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GapArgs {
    /// Dataset folder.
    pub dir: PathBuf,
    /// Values of k to compare with the exact optimum.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2, 4, 8, 16])]
    pub k: Vec<usize>,
}

pub fn run(args: &GapArgs) -> anyhow::Result<ExitCode> {
    let ds = match super::solve::load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => return Ok(code),
    };
    let solve = |k: usize, exact: bool, pricing: bool| {
        let request = SolveRequest {
            k,
            exact,
            pricing,
            ..SolveRequest::default()
        };
        optimizer::solve(&ds, &request.into())
    };
    let exact = solve(1, true, false)?;
    let Some(best) = exact.objective else {
        anyhow::bail!("exact solve ended with status {}", exact.status.as_str());
    };
    println!(
        "dataset {}: exact optimum {best:.2} {} over {} arcs",
        ds.meta.name, ds.meta.currency, exact.stats.candidate_arcs
    );
    println!(
        "{:>4} {:>10} {:>18} {:>10}   {:>10} {:>7} {:>18} {:>10}",
        "k", "arcs", "k-nearest only", "gap %", "arcs", "rounds", "with pricing", "gap %"
    );
    let gap = |obj: f64| {
        if best.abs() > 0.0 {
            (obj - best) / best.abs() * 100.0
        } else {
            0.0
        }
    };
    for &k in &args.k {
        let k = k.max(1);
        let plain = solve(k, false, false)?;
        let priced = solve(k, false, true)?;
        let (p, q) = (
            plain.objective.unwrap_or(f64::NAN),
            priced.objective.unwrap_or(f64::NAN),
        );
        println!(
            "{:>4} {:>10} {:>18.2} {:>10.4}   {:>10} {:>7} {:>18.2} {:>10.4}",
            k,
            plain.stats.candidate_arcs,
            p,
            gap(p),
            priced.stats.candidate_arcs,
            priced.stats.pricing_rounds,
            q,
            gap(q)
        );
    }
    Ok(ExitCode::SUCCESS)
}
