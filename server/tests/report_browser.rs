//! `report.html` of the Finland dataset in a real headless browser: the page's script runs
//! without errors, the map and the Sankey diagram have one element per flow and per link,
//! the KPI numbers in the page are result.json's, and nothing is loaded from elsewhere.
//! A screenshot is left in `target/report-screenshot.png` (a test artefact).
//!
//! Needs Chromium (`scripts/prereqs.sh --test` installs `chromium-headless-shell` on
//! Debian/Ubuntu; `CIRCULATE_CHROMIUM` names another binary).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CIRCULATE_CHROMIUM") {
        return path.into();
    }
    for name in [
        "chromium-headless-shell",
        "chromium",
        "chromium-browser",
        "google-chrome",
    ] {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join(name))
            .find(|p| p.is_file());
        if let Some(path) = found {
            return path;
        }
    }
    panic!(
        "no Chromium found: run scripts/prereqs.sh --test (Debian/Ubuntu) or set \
         CIRCULATE_CHROMIUM to a Chromium or Chrome binary"
    );
}

/// Runs the browser on `page` with `args`; returns stdout and stderr.
fn browse(page: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            // Nothing may come from the network: any attempt fails, and shows.
            "--proxy-server=127.0.0.1:9",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The part of `html` from the element whose opening tag contains `start` to `end`.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The value of `data-value` of the element with `data-kpi="key"`.
fn kpi_in_page(dom: &str, key: &str) -> f64 {
    let marker = format!("data-kpi=\"{key}\"");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("KPI {key} not in the page"));
    let rest = &dom[at..];
    let v = rest.find("data-value=\"").unwrap() + "data-value=\"".len();
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].parse().unwrap()
}

#[test]
fn finland_report_renders_in_a_browser() {
    let dataset = repo().join("datasets/finland-2023");
    let out = tempfile::tempdir().unwrap();
    let solved = Command::new(env!("CARGO_BIN_EXE_circulate"))
        .args(["solve", dataset.to_str().unwrap(), "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        solved.status.success(),
        "{}",
        String::from_utf8_lossy(&solved.stderr)
    );
    let page = out.path().join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();

    // Self-contained: no script, style, image or font from anywhere.
    for reference in ["src=", "href=\"http", "<link", "url(", "@import", "//cdn"] {
        assert!(
            !html.contains(reference),
            "the page references {reference:?}"
        );
    }

    let (dom, log) = browse(&page, &["--dump-dom"]);
    assert!(
        dom.contains("data-ready=\"yes\""),
        "the page's script did not finish:\n{log}"
    );
    let errors = section(&dom, "<pre id=\"errors\"", "</pre>");
    assert!(
        errors.contains("hidden"),
        "script errors on the page: {errors}"
    );
    assert!(!log.contains("Uncaught"), "console errors:\n{log}");
    assert!(
        !log.contains("ERR_"),
        "the page tried to load something:\n{log}"
    );

    // One map element per flow (on-site flows as squares), one Sankey path per link.
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("result.json")).unwrap())
            .unwrap();
    let flows = result["flows"].as_array().unwrap();
    let on_site = flows
        .iter()
        .filter(|f| f["from_site"] == f["to_site"])
        .count();
    let map = section(&dom, "<svg id=\"map\"", "</svg>");
    assert_eq!(map.matches("class=\"flow\"").count(), flows.len() - on_site);
    assert_eq!(map.matches("class=\"flow on-site\"").count(), on_site);
    assert!(on_site > 0, "Finland has flows within a site");

    let ds = optimizer::input::load(&dataset).unwrap();
    let plan = optimizer::solve(&ds, &optimizer::SolveOptions::default()).unwrap();
    let graph = circulate::html::sankey::graph(&ds, &plan);
    let sankey = section(&dom, "<svg id=\"sankey\"", "</svg>");
    assert_eq!(sankey.matches("class=\"link ").count(), graph.links.len());
    assert_eq!(sankey.matches("class=\"node ").count(), graph.nodes.len());

    // The KPI cards carry result.json's numbers.
    for d in optimizer::report::KPI_DEFINITIONS {
        let expected = result["kpis"][d.key].as_f64().unwrap();
        let shown = kpi_in_page(&dom, d.key);
        assert!(
            (shown - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{}: page {shown}, result.json {expected}",
            d.key
        );
    }
    let baseline = result["baseline_description"].as_str().unwrap();
    assert!(dom.contains(baseline.split(';').next().unwrap()));

    // A screenshot, kept as an artefact of the test run.
    let shot = repo().join("target/report-screenshot.png");
    browse(
        &page,
        &[
            "--window-size=1280,3000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "empty screenshot"
    );
}

#[test]
fn every_batch_region_gets_a_report_and_the_index_links_them() {
    let out = tempfile::tempdir().unwrap();
    let batch = Command::new(env!("CARGO_BIN_EXE_circulate"))
        .arg("batch")
        .arg(repo().join("datasets/finland-2023-nuts3"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        batch.status.success(),
        "{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let regions = std::fs::read_dir(repo().join("datasets/finland-2023-nuts3"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("dataset.toml").is_file())
        .count();
    assert_eq!(index.matches("/report.html\"").count(), regions);
    for entry in std::fs::read_dir(repo().join("datasets/finland-2023-nuts3")).unwrap() {
        let path = entry.unwrap().path();
        if path.join("dataset.toml").is_file() {
            let name = path.file_name().unwrap();
            let report =
                std::fs::read_to_string(out.path().join(name).join("report.html")).unwrap();
            // Its own outline is drawn.
            assert!(report.contains("class=\"area\""), "{name:?} has no outline");
        }
    }
}
