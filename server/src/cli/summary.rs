//! The human-readable summary `circulate solve` prints: status, objective against the
//! baseline, KPIs, model size and timings, top flows and top targets.

use circulate::format::grouped as num;
use optimizer::{Dataset, SolveResult};
use std::path::Path;

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('~');
        t
    }
}

/// Wall seconds of a run's stages, as `circulate solve` timed them.
#[derive(Clone, Copy, Debug)]
pub struct Timings {
    /// Reading and checking the dataset.
    pub read: f64,
    /// The solve and its report (candidate arcs, solves, pricing, assembly).
    pub solved: f64,
    /// Writing the result files (0 without `--out`).
    pub written: f64,
    /// The whole run so far.
    pub wall: f64,
}

impl Timings {
    /// What no solve can skip: reading and checking the files, building the candidate arcs
    /// (`network_seconds`) and writing the results. The certified run's wall time over it
    /// says how much the solving itself costs.
    pub fn floor(&self, network_seconds: f64) -> f64 {
        self.read + network_seconds + self.written
    }
}

/// Prints the summary with the run's `timings` beside the stage times, which are summed
/// over the independent parts.
pub fn print(
    ds: &Dataset,
    r: &SolveResult,
    top: usize,
    out: Option<(&Path, optimizer::report::Formats)>,
    timings: Timings,
) {
    let cur = &r.currency;
    println!(
        "circulate: {} ({} sites, {} supplies, {} demands, {} processes)",
        r.dataset,
        ds.sites.len(),
        ds.supplies.len(),
        ds.demands.len(),
        ds.processes.len()
    );
    println!("status      {}", r.status.as_str());
    let s = &r.stats;
    println!(
        "model       {} independent LP(s), {} candidate arcs ({}), {} columns x {} rows\ntime        {:.3} s wall: read and checked {:.3} s, solved and reported {:.3} s, files written {:.3} s; stages summed over the parts: network {:.3} s, LP build {:.3} s, solve {:.3} s, pricing {:.3} s ({} rounds)",
        s.components,
        s.candidate_arcs,
        if s.exact {
            "exact".to_owned()
        } else {
            format!("k={}", s.k)
        },
        s.columns,
        s.rows,
        timings.wall,
        timings.read,
        timings.solved,
        timings.written,
        s.network_seconds,
        s.lp_build_seconds,
        s.solve_seconds,
        s.pricing_seconds,
        s.pricing_rounds
    );
    let floor = timings.floor(s.network_seconds);
    println!(
        "floor       {floor:.3} s (read, candidate arcs and files: what no solve can skip); wall / floor {:.2}",
        timings.wall / floor.max(1e-9)
    );
    match s.optimality_gap {
        Some(0.0) => {}
        Some(gap) => println!(
            "certified   no: the plan costs at most {} {cur}/yr more than the optimum (a bound from the duals)",
            num(gap, 0)
        ),
        None if !s.priced && !s.exact => {
            println!("certified   no: solved over the {} nearest pairs only", s.k)
        }
        None => println!("certified   no: stopped before a bound was known"),
    }
    let (Some(obj), Some(parts), Some(k)) = (r.objective, &r.objective_parts, &r.kpis) else {
        println!(
            "no solution to report (baseline cost {} {cur}/yr)",
            num(r.baseline, 0)
        );
        return;
    };
    let pct = if r.baseline.abs() > 0.0 {
        k.cost_saved / r.baseline.abs() * 100.0
    } else {
        0.0
    };
    println!(
        "objective   {} {cur}/yr   baseline {} {cur}/yr   saved {} {cur}/yr ({:.1}%)",
        num(obj, 0),
        num(r.baseline, 0),
        num(k.cost_saved, 0),
        pct
    );
    println!(
        "cost parts  transport {}  import {}  disposal {}  process {}  capex {}  CO2 {}",
        num(parts.transport, 0),
        num(parts.import, 0),
        num(parts.disposal, 0),
        num(parts.process, 0),
        num(parts.capex, 0),
        num(parts.co2, 0)
    );
    println!("            ({})", r.baseline_description);
    println!(
        "KPIs        diverted to recovery {} of {} t/yr supplied ({:.1}%; disposal operations such as stabilisation excluded)",
        num(k.diverted_from_disposal_t, 1),
        num(k.total_supply_t, 1),
        k.recovery_rate * 100.0
    );
    println!(
        "            imports substituted {} of {} t/yr demanded (secondary input rate {:.1}%)",
        num(k.imports_substituted_t, 1),
        num(k.total_demand_t, 1),
        k.secondary_input_rate * 100.0
    );
    println!(
        "            tonne-km {}   CO2e avoided {} t/yr (emission factors of the dataset; source: {})",
        num(k.tonne_km, 0),
        num(k.co2_saved_t, 1),
        if ds.meta.source.is_empty() {
            "not stated"
        } else {
            ds.meta.source.as_str()
        }
    );
    println!();
    println!(
        "top flows ({} of {})",
        top.min(r.flows.len()),
        r.flows.len()
    );
    // Numbers first and names last, whole: a cut name can be the wrong facility.
    println!(
        "  {:>12} {:>8} {:>12}  {:<24} from -> to",
        "t/yr", "km", "cost", "material (sent>served)"
    );
    for f in r.flows.iter().take(top) {
        let from = f.from_process.as_ref().map_or_else(
            || f.from_name.clone(),
            |p| format!("{} [{}]", f.from_name, p),
        );
        let to = f
            .to_process
            .as_ref()
            .map_or_else(|| f.to_name.clone(), |p| format!("{} [{}]", f.to_name, p));
        let mat = if f.material_sent == f.material_served {
            f.material_sent.to_string()
        } else {
            format!("{}>{}", f.material_sent, f.material_served)
        };
        println!(
            "  {:>12} {:>8} {:>12}  {:<24} {from} -> {to}",
            num(f.tonnes_sent, 1),
            num(f.km, 1),
            num(f.cost, 0),
            mat,
        );
    }
    println!();
    println!(
        "import-substitution targets ({} of {})",
        top.min(r.targets.len()),
        r.targets.len()
    );
    println!(
        "  {:>4} {:<20} {:>12} {:>12} {:>12} {:>14}  new capacity",
        "rank", "material", "demand t", "imported t", "local t", "net savings"
    );
    for t in r.targets.iter().take(top) {
        let cap: Vec<String> = t
            .new_capacity
            .iter()
            .map(|c| {
                format!(
                    "{} units/yr at {} ({})",
                    num(c.new_capacity, 1),
                    c.site_name,
                    c.process
                )
            })
            .collect();
        println!(
            "  {:>4} {:<20} {:>12} {:>12} {:>12} {:>14}  {}",
            t.rank,
            cut(t.material.as_str(), 20),
            num(t.demand_t, 1),
            num(t.imported_t, 1),
            num(t.substituted_t, 1),
            num(t.net_savings, 0),
            if cap.is_empty() {
                "-".to_owned()
            } else {
                cap.join(", ")
            }
        );
    }
    if !r.alternatives.is_empty() {
        println!();
        println!("near-optimal alternatives ({})", r.alternatives.len());
        println!(
            "  {:>4} {:>16} {:>10} {:>14} {:>9} {:>14}",
            "rank", "cost", "over opt.", "diverted t", "partners", "shared tonnes"
        );
        for a in &r.alternatives {
            println!(
                "  {:>4} {:>16} {:>10} {:>14} {:>9} {:>13}%",
                a.rank,
                a.objective.map_or_else(|| "-".to_owned(), |o| num(o, 0)),
                a.over_optimum
                    .map_or_else(|| "-".to_owned(), |o| format!("{}%", num(100.0 * o, 2))),
                a.kpis
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |k| num(k.diverted_from_disposal_t, 1)),
                a.partners,
                num(100.0 * a.shared_with_optimum, 1),
            );
        }
    }
    let gaps: Vec<f64> = r.unserved.iter().filter_map(|u| u.price_gap).collect();
    if !r.unserved.is_empty() {
        println!();
        println!(
            "unserved streams: {} ({} with a counterpart in range; the least price gap {})",
            r.unserved.len(),
            gaps.len(),
            gaps.iter().copied().min_by(f64::total_cmp).map_or_else(
                || "-".to_owned(),
                |g| format!("{} {}/t", num(g, 2), r.currency)
            ),
        );
    }
    if let Some((dir, formats)) = out {
        let files: Vec<&str> = [
            (true, "result.json"),
            (formats.csv, "flows.csv"),
            (formats.geojson, "flows.geojson"),
            (formats.parquet, "flows.parquet"),
            (true, "targets.csv"),
            (formats.valueflows, "plan.vf.jsonld"),
        ]
        .into_iter()
        .filter_map(|(written, name)| written.then_some(name))
        .collect();
        println!();
        println!(
            "wrote {}/report.html (open it in a browser), {}",
            dir.display(),
            files.join(", ")
        );
    }
}
