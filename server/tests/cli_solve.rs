//! `circulate solve` end to end on the shipped example dataset: exit codes, the summary,
//! and the four result files (result.json, flows.csv, flows.geojson, targets.csv).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example")
}

fn circulate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_circulate"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn solve_example_writes_all_outputs() {
    let out = tempfile::tempdir().unwrap();
    let o = circulate(&[
        "solve",
        example().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("status      optimal"), "{stdout}");
    assert!(
        stdout.contains("Lahti Sawmill"),
        "top flows name real sites: {stdout}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("result.json")).unwrap())
            .unwrap();
    assert_eq!(json["status"], "optimal");
    let objective = json["objective"].as_f64().unwrap();
    let baseline = json["baseline"].as_f64().unwrap();
    assert!(
        objective < baseline,
        "the example has worthwhile loops: {objective} vs {baseline}"
    );
    let flows = json["flows"].as_array().unwrap();
    assert!(!flows.is_empty());

    let csv_rows = std::fs::read_to_string(out.path().join("flows.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(csv_rows, flows.len() + 1);

    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("flows.geojson")).unwrap())
            .unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let first = &geo["features"][0];
    assert_eq!(first["geometry"]["type"], "LineString");
    let start = first["geometry"]["coordinates"][0].as_array().unwrap();
    // [lon, lat] order: the example lies at about 25.5-26 E, 60.8-61.2 N.
    assert!((25.0..27.0).contains(&start[0].as_f64().unwrap()));
    assert!((60.0..62.0).contains(&start[1].as_f64().unwrap()));

    let targets = std::fs::read_to_string(out.path().join("targets.csv")).unwrap();
    assert!(targets.starts_with("\"rank\",\"material\","));
    assert!(targets.lines().count() > 1);
}

#[test]
fn result_tables_keep_ids_as_text_with_names_rounded_numbers_and_points_on_site() {
    let out = tempfile::tempdir().unwrap();
    let finland = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/finland-2023");
    let o = circulate(&[
        "solve",
        finland.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let flows = std::fs::read_to_string(out.path().join("flows.csv")).unwrap();
    // An id with leading zeros is quoted text; the row carries both names.
    let row = flows
        .lines()
        .find(|l| l.starts_with("\"0000001152\""))
        .unwrap();
    assert!(
        row.contains("\"Boliden Harjavalta Oy, Harjavallan tehtaat\""),
        "{row}"
    );
    let csvt = std::fs::read_to_string(out.path().join("flows.csvt")).unwrap();
    assert_eq!(csvt.matches("String").count(), 8);
    let mut reader = csv::Reader::from_path(out.path().join("flows.csv")).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        // tonnes to 3 decimals, km to 1, money to 2.
        for (column, decimals) in [(8, 3), (10, 1), (11, 2)] {
            let cell = &r[column];
            assert_eq!(
                cell.split('.').nth(1).map_or(0, str::len),
                decimals,
                "{cell}"
            );
        }
    }
    // Each new capacity is listed once, under one target, with its facility's name.
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("result.json")).unwrap())
            .unwrap();
    let mut listed = Vec::new();
    for t in result["targets"].as_array().unwrap() {
        for c in t["new_capacity"].as_array().unwrap() {
            assert!(!c["site_name"].as_str().unwrap().is_empty());
            listed.push(c["process"].as_str().unwrap().to_owned());
        }
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(listed.len(), unique.len(), "{listed:?}");
    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("flows.geojson")).unwrap())
            .unwrap();
    for f in geo["features"].as_array().unwrap() {
        let p = &f["properties"];
        let kind = f["geometry"]["type"].as_str().unwrap();
        assert_eq!(kind == "Point", p["from_site"] == p["to_site"], "{p}");
    }
}

#[test]
fn json_flag_prints_the_result() {
    let o = circulate(&["solve", example().to_str().unwrap(), "--json"]);
    assert!(o.status.success());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["status"], "optimal");
    assert!(json["kpis"]["secondary_input_rate"].as_f64().unwrap() > 0.0);
}

#[test]
fn exact_is_never_worse_than_pruned_on_the_example() {
    let obj = |extra: &[&str]| {
        let dir = example();
        let mut args = vec!["solve", dir.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        let o = circulate(&args);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        json["objective"].as_f64().unwrap()
    };
    let (exact, k1) = (obj(&["--exact"]), obj(&["--k", "1"]));
    assert!(exact <= k1 + 1e-6, "{exact} > {k1}");
}

#[test]
fn invalid_dataset_exits_2_with_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(example()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("supplies.csv"),
        "site,material,quantity_t\nlahti-sawmill,wood-residue,-5\nghost,wood-residue,1\n",
    )
    .unwrap();
    let o = circulate(&["solve", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "supplies.csv line 2, column quantity_t: must be a number between 0 and 1e12 (got -5)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("supplies.csv line 3, column site: unknown site id \"ghost\""),
        "{stderr}"
    );
}

#[test]
fn write_lp_dumps_a_readable_model() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("model.lp");
    let o = circulate(&[
        "solve",
        example().to_str().unwrap(),
        "--write-lp",
        lp.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(lp).unwrap();
    assert!(text.starts_with("\\ circulate LP"));
    assert!(text.contains("Subject To") && text.trim_end().ends_with("End"));
}

#[test]
fn finland_dataset_solves_optimal_and_diverts_waste() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/finland-2023");
    let o = circulate(&["solve", dir.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["status"], "optimal");
    assert!(json["kpis"]["diverted_from_disposal_t"].as_f64().unwrap() > 0.0);
    assert!(json["objective"].as_f64().unwrap() < json["baseline"].as_f64().unwrap());
    let flow = &json["flows"][0];
    assert!(
        flow["from_name"].as_str().unwrap().contains("Oy"),
        "real facility names: {flow}"
    );
}

#[test]
fn generate_is_deterministic_and_a_10k_region_solves() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for out in [&a, &b] {
        let o = circulate(&[
            "generate",
            "--sites",
            "10000",
            "--seed",
            "3",
            "--processes",
            "10",
            "--candidates",
            "5",
            // No value: the built-in GeoNames towns (datasets/sources/geonames/).
            "--towns",
            "--country",
            "FI",
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let tables = optimizer::input::schema::TABLES.map(|t| t.file);
    for file in std::iter::once("dataset.toml").chain(tables) {
        assert_eq!(
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
            "{file} differs between two runs with the same seed"
        );
    }
    let sites = std::fs::read_to_string(a.path().join("sites.csv")).unwrap();
    assert_eq!(sites.lines().count(), 10_001);
    // Plain k-nearest keeps this test quick; the exact (priced) solve is what the bench times.
    let o = circulate(&[
        "solve",
        a.path().to_str().unwrap(),
        "--json",
        "--no-pricing",
    ]);
    assert!(o.status.success());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["status"], "optimal");
}

/// A time limit that is not a finite number of seconds is a usage error (exit 2) naming the
/// flag, not a panic (exit 101).
#[test]
fn bad_time_limits_are_usage_errors() {
    for bad in ["inf", "NaN", "-1", "1e400"] {
        let flag = format!("--time-limit={bad}");
        let o = circulate(&["solve", example().to_str().unwrap(), &flag]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--time-limit"), "{stderr}");
    }
    let o = circulate(&[
        "solve",
        example().to_str().unwrap(),
        "--time-limit",
        "1e300",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The long flags of `circulate <command> --help`, `--help` and `--version` aside.
fn help_flags(command: &[&str]) -> std::collections::BTreeSet<String> {
    let mut args = command.to_vec();
    args.push("--help");
    let help = String::from_utf8(circulate(&args).stdout).unwrap();
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            // `-h, --help`: the long form follows the short one.
            let l = match l.as_bytes() {
                [b'-', c, b',', b' ', ..] if *c != b'-' => &l[4..],
                _ => l,
            };
            l.strip_prefix("--").map(|r| {
                r.split([' ', '=', '<'])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .filter(|f| f != "help" && f != "version")
        .collect()
}

#[test]
fn the_readmes_synopsis_lists_exactly_the_flags_of_help() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let start = readme.find("## The CLI\n\n```\n").unwrap();
    let block = &readme[start..];
    let block = &block[block.find("```\n").unwrap() + 4..];
    let block = &block[..block.find("```").unwrap()];
    // Each command's text: its first line and the indented lines that continue it.
    let mut commands: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix("circulate ") {
            let words: Vec<&str> = rest.split_whitespace().take(2).collect();
            let name = if words[0] == "import" {
                words.join(" ")
            } else {
                words[0].to_owned()
            };
            commands.push((name, line.to_owned()));
        } else if let Some(last) = commands.last_mut() {
            last.1.push_str(line);
        }
    }
    let top = String::from_utf8(circulate(&["--help"]).stdout).unwrap();
    for (name, text) in &commands {
        let listed: std::collections::BTreeSet<String> = text
            .split(|c: char| c.is_whitespace() || "[]|".contains(c))
            .filter_map(|w| w.strip_prefix("--"))
            .map(|w| {
                w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                    .to_owned()
            })
            .collect();
        let words: Vec<&str> = name.split(' ').collect();
        assert_eq!(
            listed,
            help_flags(&words),
            "README synopsis of `circulate {name}`"
        );
        assert!(top.contains(words[0]), "{name} is not a command");
    }
    // And every command of --help is in the synopsis.
    let in_help: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    for c in in_help {
        assert!(
            commands.iter().any(|(n, _)| n.split(' ').next() == Some(c)),
            "{c} missing from the README synopsis"
        );
    }
}

#[test]
fn generate_takes_a_bbox_west_of_greenwich_in_one_argument() {
    let out = tempfile::tempdir().unwrap();
    let o = circulate(&[
        "generate",
        "--sites",
        "20",
        "--bbox",
        "-3.5,40,-1,42",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sites = std::fs::read_to_string(out.path().join("sites.csv")).unwrap();
    assert!(
        sites.lines().skip(1).all(|l| {
            let lon: f64 = l.split(',').nth(2).unwrap().parse().unwrap();
            (-3.5..=-1.0).contains(&lon)
        }),
        "{sites}"
    );
}

#[test]
fn importing_a_year_without_data_names_the_years_there_are() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/sources/prtr-finland");
    let out = tempfile::tempdir().unwrap();
    let o = circulate(&[
        "import",
        "prtr",
        "--facilities",
        data.join("facilities.csv.gz").to_str().unwrap(),
        "--transfers",
        data.join("waste_transfers.csv.gz").to_str().unwrap(),
        "--year",
        "2010",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "no transfers reported for 2010; the file has 2017, 2018, 2019, 2020, 2021, 2022, 2023"
        ),
        "{stderr}"
    );
}
