//! `solve --out` publishes its folder in one step: a solve killed at any moment of writing
//! leaves the old results folder whole or the new one whole, never old and new files mixed;
//! a folder holding files circulate did not write is refused, not replaced; and a missing
//! dataset folder is named once, with its reason.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dataset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../datasets")
        .join(name)
}

fn solve(dataset: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_circulate"));
    command
        .args([
            "solve",
            dataset.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Every file `solve --out` writes: the result files and the report.
fn files() -> Vec<&'static str> {
    [
        optimizer::report::RESULT_FILES,
        &[
            circulate::html::REPORT_FILE,
            optimizer::report::valueflows::VALUEFLOWS_FILE,
        ],
    ]
    .concat()
}

/// The objective of the results in `out`, after checking the folder is one solve's whole
/// output: every file there, and the CSVs and GeoJSON holding as many rows as result.json.
fn whole_results(out: &Path) -> f64 {
    for file in files() {
        assert!(
            out.join(file).is_file(),
            "{file} missing in {}",
            out.display()
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json")).unwrap()).unwrap();
    let rows = |file: &str| {
        std::fs::read_to_string(out.join(file))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    let flows = json["flows"].as_array().unwrap().len();
    assert_eq!(rows("flows.csv"), flows, "flows.csv from another solve");
    assert_eq!(
        rows("targets.csv"),
        json["targets"].as_array().unwrap().len(),
        "targets.csv from another solve"
    );
    let geojson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("flows.geojson")).unwrap()).unwrap();
    assert_eq!(geojson["features"].as_array().unwrap().len(), flows);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.trim_end().ends_with("</html>"),
        "report.html cut short"
    );
    json["objective"].as_f64().unwrap()
}

/// Whether a staging folder of `out` sits beside it.
fn staging_beside(out: &Path) -> bool {
    let prefix = format!(".{}.staging-", out.file_name().unwrap().to_string_lossy());
    std::fs::read_dir(out.parent().unwrap()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(&prefix)
    })
}

#[test]
fn a_solve_killed_while_writing_leaves_the_old_folder_or_the_new_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (small, large) = (dataset("example"), dataset("finland-2023"));
    let elsewhere = dir.path().join("finland");
    assert!(solve(&large, &elsewhere).status().unwrap().success());
    let new = whole_results(&elsewhere);
    assert!(solve(&small, &out).status().unwrap().success());
    let old = whole_results(&out);
    assert!(
        (new - old).abs() > 1.0,
        "the two solves must be told apart: {new} vs {old}"
    );
    let mut kept_old_while_writing = 0;
    // Kills spread from the moment the staging folder appears to after the swap.
    for delay_ms in [0, 0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80] {
        let mut child = solve(&large, &out).spawn().unwrap();
        let started = Instant::now();
        while !staging_beside(&out) && started.elapsed() < Duration::from_secs(60) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let writing = staging_beside(&out);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = whole_results(&out);
        let is_old = (now - old).abs() < 1e-6;
        assert!(
            is_old || (now - new).abs() < 1e-6,
            "killed after {delay_ms} ms: {now}"
        );
        if writing && is_old {
            kept_old_while_writing += 1;
        }
        // Back to the old results for the next kill, written in one go.
        assert!(solve(&small, &out).status().unwrap().success());
        assert_eq!(whole_results(&out), old);
        assert!(
            !staging_beside(&out),
            "a complete solve leaves no staging folder"
        );
    }
    assert!(
        kept_old_while_writing > 0,
        "no kill landed while the files were being written"
    );
    // Uninterrupted, the new results replace the old ones whole.
    assert!(solve(&large, &out).status().unwrap().success());
    assert_eq!(whole_results(&out), new);
}

#[test]
fn a_folder_with_files_circulate_did_not_write_is_refused_before_solving() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let o = solve(&dataset("example"), dir.path()).output().unwrap();
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing else written"
    );
}

#[test]
fn a_missing_dataset_folder_is_named_once_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let o = Command::new(env!("CARGO_BIN_EXE_circulate"))
        .args(["solve", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        format!("error: {}: no such folder", missing.display())
    );
}
