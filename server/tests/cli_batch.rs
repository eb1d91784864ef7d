//! `circulate batch` and `batch-merge` end to end: a corrupt region is reported while the
//! others solve, `--resume` redoes nothing complete and finishes a killed run, and shards
//! merged give the unsharded summary.
#![allow(clippy::unwrap_used)]

use circulate::batch::RegionRow;
use circulate::batch::row::read_rows;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn circulate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_circulate"))
        .args(args)
        .output()
        .unwrap()
}

/// A batch folder: five copies of the example region under two subfolders, one made
/// corrupt.
fn regions() -> tempfile::TempDir {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    let root = tempfile::tempdir().unwrap();
    for name in ["north/a", "north/b", "south/c", "south/d", "broken"] {
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&example).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        root.path().join("broken/supplies.csv"),
        "site,material,quantity_t\nnowhere,x,-1\n",
    )
    .unwrap();
    root
}

fn batch(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "batch",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    circulate(&args)
}

fn summary(out: &Path) -> Vec<RegionRow> {
    read_rows(&out.join("summary.csv")).unwrap()
}

fn modified(path: PathBuf) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_corrupt_region_is_reported_and_the_others_solve() {
    let root = regions();
    let out = tempfile::tempdir().unwrap();
    let o = batch(root.path(), out.path(), &[]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows = summary(out.path());
    let names: Vec<&str> = rows.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(
        names,
        ["broken", "north/a", "north/b", "south/c", "south/d"]
    );
    let broken = &rows[0];
    assert_eq!(broken.status, "failed");
    assert!(
        broken.error.contains("supplies.csv line 2"),
        "{}",
        broken.error
    );
    assert!(
        !out.path().join("broken").exists(),
        "a failed region writes no results"
    );
    // Every solved copy of the same region has the same certified optimum.
    for r in &rows[1..] {
        assert_eq!(r.status, "optimal");
        assert_eq!(r.objective, rows[1].objective);
        assert_eq!(r.optimality_gap, Some(0.0));
        assert!(out.path().join(&r.region).join("result.json").is_file());
    }
}

#[test]
fn resume_redoes_nothing_complete_and_finishes_a_killed_run() {
    let root = regions();
    std::fs::remove_dir_all(root.path().join("broken")).unwrap();
    let out = tempfile::tempdir().unwrap();
    assert!(batch(root.path(), out.path(), &[]).status.success());
    let kept = out.path().join("north/a/result.json");
    let before = modified(kept.clone());
    // A killed run: one region never finished (no results), one left a staging folder.
    std::fs::remove_dir_all(out.path().join("south/c")).unwrap();
    std::fs::create_dir_all(out.path().join(".staging/south__d-1")).unwrap();
    std::fs::remove_file(out.path().join("summary.csv")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = batch(root.path(), out.path(), &["--resume"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 region(s) solved, 3 resumed, 0 failed"),
        "{stderr}"
    );
    assert_eq!(
        modified(kept),
        before,
        "a complete region was not rewritten"
    );
    assert!(out.path().join("south/c/result.json").is_file());
    assert_eq!(summary(out.path()).len(), 4);
}

#[test]
fn shards_merged_give_the_whole_batch_once() {
    let root = regions();
    let whole = tempfile::tempdir().unwrap();
    batch(root.path(), whole.path(), &[]);
    let shared = tempfile::tempdir().unwrap();
    for shard in ["0/3", "1/3", "2/3"] {
        batch(root.path(), shared.path(), &["--shard", shard]);
    }
    let early = circulate(&["batch-merge", shared.path().to_str().unwrap()]);
    assert_eq!(
        early.status.code(),
        Some(3),
        "the broken region still counts as failed"
    );
    let merged = summary(shared.path());
    let expected = summary(whole.path());
    let key = |rows: &[RegionRow]| -> Vec<(String, String, Option<f64>)> {
        rows.iter()
            .map(|r| (r.region.clone(), r.status.clone(), r.objective))
            .collect()
    };
    assert_eq!(key(&merged), key(&expected));

    // A missing shard is named.
    std::fs::remove_file(shared.path().join("summary.shard-1-of-3.csv")).unwrap();
    let o = circulate(&["batch-merge", shared.path().to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("shards [1] of 3"));
}

/// Every file of a folder, by relative path.
fn files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_shipped_nuts3_split_is_what_split_writes_and_every_region_solves() {
    // No --areas: the built-in NUTS 2021 polygons (datasets/sources/nuts2021/), as a user who
    // has only the clone would run it.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let o = circulate(&[
        "split",
        repo.join("datasets/finland-2023").to_str().unwrap(),
        "--by",
        "nuts3",
        "--country",
        "FI",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut shipped = files(&repo.join("datasets/finland-2023-nuts3"));
    shipped.remove("README.md");
    assert_eq!(
        files(out.path()).keys().collect::<Vec<_>>(),
        shipped.keys().collect::<Vec<_>>()
    );
    assert!(
        files(out.path()) == shipped,
        "rebuild with the command in its README"
    );

    let solved = tempfile::tempdir().unwrap();
    let o = batch(out.path(), solved.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = summary(solved.path());
    assert_eq!(rows.len(), 18);
    assert!(
        rows.iter()
            .all(|r| r.status == "optimal" && r.saved.unwrap() >= 0.0)
    );
}

use circulate::batch::exchange::TradeRow as Trade;

/// Finland's NUTS-3 regions batched with `--exchange` and `extra`: the output folder, the
/// trade ledger and the federation's (certified) objective.
fn federation(extra: &[&str]) -> (tempfile::TempDir, Vec<Trade>, f64) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["--exchange"];
    args.extend_from_slice(extra);
    let o = batch(&repo.join("datasets/finland-2023-nuts3"), out.path(), &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let trades: Vec<Trade> = csv::Reader::from_path(out.path().join("trade.csv"))
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect();
    let federated: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("federation/result.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(federated["status"], "optimal");
    let objective = federated["objective"].as_f64().unwrap();
    (out, trades, objective)
}

#[test]
fn the_federation_never_costs_more_than_the_regions_alone_and_its_ledger_balances() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (out, trades, federated) = federation(&[]);
    assert_eq!(trades.len(), 18);
    let isolated: f64 = trades.iter().map(|t| t.isolated_objective.unwrap()).sum();
    assert!(
        federated <= isolated + 1e-6 * isolated.abs(),
        "{federated} > {isolated}"
    );
    // The whole of Finland is the federation of its regions: the same certified optimum.
    let whole = circulate(&[
        "solve",
        repo.join("datasets/finland-2023").to_str().unwrap(),
        "--json",
    ]);
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    let whole = whole["objective"].as_f64().unwrap();
    assert!(
        (federated - whole).abs() <= 1e-6 * whole.abs(),
        "{federated} vs {whole}"
    );
    // Every tonne exported is imported somewhere; the balances sum to zero.
    let exported: f64 = trades.iter().map(|t| t.exported_t).sum();
    let imported: f64 = trades.iter().map(|t| t.imported_t).sum();
    assert!(exported > 0.0 && (exported - imported).abs() < 0.01 * trades.len() as f64);
    let traded: f64 = trades.iter().map(|t| t.exported_value.abs()).sum();
    let balance: f64 = trades.iter().map(|t| t.balance).sum();
    assert!(
        balance.abs() <= 1e-6 * traded + 0.01 * trades.len() as f64,
        "{balance}"
    );
    for t in &trades {
        let b = t.exported_value - t.imported_value;
        assert!(
            (b - t.balance).abs() < 0.02,
            "{}: {b} vs {}",
            t.region,
            t.balance
        );
    }
    let exchange = std::fs::read_to_string(out.path().join("exchange.csv")).unwrap();
    assert!(exchange.starts_with("from_region,to_region,material,tonnes,km,value,border_cost\n"));
}

/// The federation's objective, the regions' own optima summed, and the tonnes crossing.
fn federation_with(extra: &[&str]) -> (f64, f64, f64) {
    let (_, trades, objective) = federation(extra);
    let isolated: f64 = trades.iter().map(|t| t.isolated_objective.unwrap()).sum();
    let crossed: f64 = trades.iter().map(|t| t.exported_t).sum();
    (objective, isolated, crossed)
}

#[test]
fn a_border_cost_or_haul_limit_makes_trade_dearer_down_to_none() {
    let (free, isolated, crossed_free) = federation_with(&[]);
    let (taxed, _, crossed_taxed) = federation_with(&["--border-cost", "20"]);
    let (closed, _, crossed_closed) = federation_with(&["--border-cost", "1e9"]);
    let (no_haul, _, crossed_no_haul) = federation_with(&["--border-max-haul", "0"]);
    let tol = 1e-6 * isolated.abs();
    // Dearer borders, dearer federation, less traded; closed borders are the regions alone.
    assert!(
        free <= taxed + tol && taxed <= isolated + tol,
        "{free} {taxed} {isolated}"
    );
    assert!(
        taxed > free + 1.0,
        "a border cost of 20/t changes nothing: {taxed} vs {free}"
    );
    assert!(
        crossed_taxed < crossed_free,
        "{crossed_taxed} vs {crossed_free}"
    );
    for (objective, crossed) in [(closed, crossed_closed), (no_haul, crossed_no_haul)] {
        assert!(
            (objective - isolated).abs() <= tol,
            "{objective} vs {isolated}"
        );
        assert_eq!(crossed, 0.0);
    }
    // Bad values are refused before anything runs.
    let o = circulate(&[
        "batch",
        "x",
        "--out",
        "y",
        "--exchange",
        "--border-cost",
        "-1",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--border-cost"));
}

/// The rows of a sweep's `scenarios.csv` in `out`.
fn scenario_rows<T: serde::de::DeserializeOwned>(out: &Path) -> Vec<T> {
    csv::Reader::from_path(out.join("scenarios.csv"))
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_sweeps_scenarios_equal_separate_solves() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    let out = tempfile::tempdir().unwrap();
    let o = circulate(&[
        "sweep",
        example.to_str().unwrap(),
        "--co2-price",
        "0,200",
        "--max-haul",
        "30,none",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = scenario_rows(out.path());
    assert_eq!(rows.len(), 4);
    let config = std::fs::read_to_string(example.join("dataset.toml")).unwrap();
    for (row, co2, haul) in [(0, "0.0", "30.0"), (3, "200.0", "")] {
        // The same scenario written into the dataset and solved on its own.
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&example).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        let mut changed = config.replace("co2_price = 80.0", &format!("co2_price = {co2}"));
        changed = if haul.is_empty() {
            changed.replace("max_haul_km = 250.0", "")
        } else {
            changed.replace("max_haul_km = 250.0", &format!("max_haul_km = {haul}"))
        };
        std::fs::write(dir.path().join("dataset.toml"), changed).unwrap();
        let solved = circulate(&["solve", dir.path().to_str().unwrap(), "--json"]);
        let solved: serde_json::Value = serde_json::from_slice(&solved.stdout).unwrap();
        let alone = solved["objective"].as_f64().unwrap();
        let swept = match &rows[row]["objective"] {
            serde_json::Value::String(s) => s.parse().unwrap(),
            v => v.as_f64().unwrap(),
        };
        assert!(
            (alone - swept).abs() <= 1e-6 * alone.abs(),
            "scenario {row}: {swept} vs {alone}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| r["pareto"] == "true" || r["pareto"] == true)
    );
}

/// The planner's curve: the example with a start-up cost of 20,000 a year on its candidate
/// line, swept over budgets. Nothing opens at 0; what is invested never exceeds the budget;
/// the savings never fall as the budget grows, and without a budget they are the solve's.
#[test]
fn a_budget_sweep_is_the_curve_of_savings_against_investment() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&example).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let processes = std::fs::read_to_string(example.join("processes.csv")).unwrap();
    let mut lines = processes.lines();
    let mut with_cost = format!("{},fixed_cost\n", lines.next().unwrap());
    for line in lines {
        let candidate = !line.split(',').nth(6).unwrap().is_empty();
        with_cost.push_str(&format!(
            "{line},{}\n",
            if candidate { "20000" } else { "" }
        ));
    }
    std::fs::write(dir.path().join("processes.csv"), with_cost).unwrap();
    let out = tempfile::tempdir().unwrap();
    let budgets = [0.0, 25_000.0, 50_000.0, 100_000.0];
    let o = circulate(&[
        "sweep",
        dir.path().to_str().unwrap(),
        "--budget",
        "0,25000,50000,100000,none",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<std::collections::HashMap<String, String>> = scenario_rows(out.path());
    assert_eq!(rows.len(), 5);
    let number =
        |r: &std::collections::HashMap<String, String>, c: &str| -> f64 { r[c].parse().unwrap() };
    assert_eq!(rows[0]["opened"], "");
    let mut saved = f64::NEG_INFINITY;
    for (row, budget) in rows.iter().zip(budgets.iter().map(Some).chain([None])) {
        assert_eq!(row["status"], "optimal");
        if let Some(&budget) = budget {
            assert!(number(row, "invested") <= budget + 1e-6, "{row:?}");
        }
        assert!(number(row, "cost_saved") >= saved - 1e-6, "{row:?}");
        saved = number(row, "cost_saved");
    }
    let solved = circulate(&["solve", dir.path().to_str().unwrap(), "--json"]);
    let solved: serde_json::Value = serde_json::from_slice(&solved.stdout).unwrap();
    let unlimited = solved["kpis"]["cost_saved"].as_f64().unwrap();
    assert!(
        (saved - unlimited).abs() <= 1e-6 * unlimited,
        "{saved} vs {unlimited}"
    );
    assert!(number(&rows[2], "cost_saved") > number(&rows[0], "cost_saved"));
    // The curve as a page: one point per budget.
    let page = std::fs::read_to_string(out.path().join("scenarios.html")).unwrap();
    assert_eq!(page.matches("<circle").count(), 5);
}
