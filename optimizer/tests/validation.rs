//! Bad input: every validation rule gets a test asserting that the error names the file,
//! the line and the column, and that all problems are reported together, never a panic.
#![allow(clippy::unwrap_used)]

use optimizer::Error;
use std::path::Path;

const CONFIG: &str = "name = \"v\"\n[transport]\ncost_per_tkm = 0.1\n";
const MATERIALS: &str = "id,name,import_cost,disposal_cost\nA,a,10,5\nB,b,20,5\n";
const SITES: &str = "id,name,lon,lat\ns1,one,24.9,60.2\ns2,two,25.0,60.3\n";
const SUPPLIES: &str = "site,material,quantity_t\ns1,A,100\n";
const DEMANDS: &str = "site,material,quantity_t\ns2,B,50\n";
const PROCESSES: &str = "id,site,capacity,cost_per_unit\np1,s1,10,1\n";
const FLOWS: &str = "process,material,direction,coefficient\np1,A,in,1\np1,B,out,0.5\n";

/// Writes a valid dataset with `file` replaced by `content`, and returns the load errors.
fn errors_with(file: &str, content: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("dataset.toml", CONFIG),
        ("materials.csv", MATERIALS),
        ("sites.csv", SITES),
        ("supplies.csv", SUPPLIES),
        ("demands.csv", DEMANDS),
        ("processes.csv", PROCESSES),
        ("process_flows.csv", FLOWS),
    ];
    for (name, text) in files {
        let text = if name == file { content } else { text };
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    if !files.iter().any(|(n, _)| *n == file) {
        std::fs::write(dir.path().join(file), content).unwrap();
    }
    load_errors(dir.path())
}

fn load_errors(dir: &Path) -> Vec<String> {
    match optimizer::input::load(dir) {
        Ok(_) => Vec::new(),
        Err(Error::Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

fn assert_one(errors: &[String], expected: &str) {
    assert!(
        errors.iter().any(|e| e.contains(expected)),
        "expected an error containing {expected:?}, got {errors:#?}"
    );
}

#[test]
fn the_valid_base_dataset_loads() {
    assert_eq!(errors_with("none.txt", ""), Vec::<String>::new());
}

#[test]
fn unknown_site_in_supplies() {
    let e = errors_with("supplies.csv", "site,material,quantity_t\nnowhere,A,1\n");
    assert_one(
        &e,
        "supplies.csv line 2, column site: unknown site id \"nowhere\"",
    );
}

#[test]
fn unknown_material_in_demands() {
    let e = errors_with(
        "demands.csv",
        "site,material,quantity_t\ns2,B,5\ns2,unobtainium,5\n",
    );
    assert_one(
        &e,
        "demands.csv line 3, column material: unknown material id \"unobtainium\"",
    );
}

#[test]
fn duplicate_site_and_material_ids() {
    let e = errors_with("sites.csv", "id,lon,lat\ns1,1,1\ns2,1,1\ns1,2,2\n");
    assert_one(
        &e,
        "sites.csv line 4, column id: duplicate site id \"s1\" (first at sites.csv line 2)",
    );
    let e = errors_with("materials.csv", "id\nA\nB\nA\n");
    assert_one(
        &e,
        "materials.csv line 4, column id: duplicate material id \"A\"",
    );
}

#[test]
fn negative_nan_and_infinite_quantities() {
    let e = errors_with(
        "supplies.csv",
        "site,material,quantity_t\ns1,A,-3\ns1,A,NaN\ns1,A,inf\ns1,A,lots\n",
    );
    assert_one(
        &e,
        "supplies.csv line 2, column quantity_t: must be a number between 0 and 1e12 (got -3)",
    );
    assert_one(
        &e,
        "supplies.csv line 3, column quantity_t: must be a number between 0 and 1e12 (got NaN)",
    );
    assert_one(
        &e,
        "supplies.csv line 4, column quantity_t: must be a number between 0 and 1e12 (got inf)",
    );
    assert_one(
        &e,
        "supplies.csv line 5, column quantity_t: not a number: \"lots\"",
    );
    assert_eq!(e.len(), 4, "all problems are collected: {e:#?}");
}

#[test]
fn missing_quantity_is_reported() {
    let e = errors_with("demands.csv", "site,material,quantity_t\ns2,B,\n");
    assert_one(&e, "demands.csv line 2, column quantity_t: is required");
}

#[test]
fn coordinates_out_of_range() {
    let e = errors_with("sites.csv", "id,lon,lat\ns1,181,0\ns2,0,-91\n");
    assert_one(
        &e,
        "sites.csv line 2, column lon: must be between -180 and 180 degrees (got 181)",
    );
    assert_one(
        &e,
        "sites.csv line 3, column lat: must be between -90 and 90 degrees (got -91)",
    );
}

#[test]
fn ratio_must_be_positive() {
    let e = errors_with("substitutions.csv", "from,to,ratio\nA,B,0\nB,A,-1\n");
    assert_one(
        &e,
        "substitutions.csv line 2, column ratio: must be a number > 0 and <= 1e6 (got 0)",
    );
    assert_one(
        &e,
        "substitutions.csv line 3, column ratio: must be a number > 0 and <= 1e6 (got -1)",
    );
}

#[test]
fn process_flow_naming_an_unknown_process() {
    let e = errors_with(
        "process_flows.csv",
        "process,material,direction,coefficient\nghost,A,in,1\n",
    );
    assert_one(
        &e,
        "process_flows.csv line 2, column process: unknown process id \"ghost\"",
    );
}

#[test]
fn direction_other_than_in_or_out() {
    let e = errors_with(
        "process_flows.csv",
        "process,material,direction,coefficient\np1,A,sideways,1\n",
    );
    assert_one(
        &e,
        "process_flows.csv line 2, column direction: must be \"in\" or \"out\" (got \"sideways\")",
    );
}

#[test]
fn missing_required_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dataset.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("materials.csv"), MATERIALS).unwrap();
    std::fs::write(dir.path().join("sites.csv"), "id,lon\ns1,1\n").unwrap();
    let e = load_errors(dir.path());
    assert_one(
        &e,
        "sites.csv line 1, column lat: required column is missing",
    );
    assert_one(&e, "supplies.csv: file is missing");
    assert_one(&e, "demands.csv: file is missing");
}

#[test]
fn bad_config_values() {
    let e = errors_with(
        "dataset.toml",
        "co2_price = -1\n[transport]\ndetour_factor = 0.5\n",
    );
    assert_one(
        &e,
        "dataset.toml, column co2_price: must be a number between 0 and 1e9 (got -1)",
    );
    assert_one(
        &e,
        "dataset.toml, column transport.detour_factor: must be a number between 1 and 100 (got 0.5)",
    );
    let e = errors_with("dataset.toml", "nmae = \"typo\"\n");
    assert_one(&e, "dataset.toml line 1, column nmae: unknown key");
}

#[test]
fn ragged_rows_and_garbage_do_not_panic() {
    let e = errors_with(
        "supplies.csv",
        "site,material,quantity_t\ns1,A\n\u{0}\u{1},\"unterminated\n",
    );
    assert!(!e.is_empty());
    assert!(e.iter().all(|m| m.starts_with("supplies.csv")), "{e:#?}");
}

#[test]
fn missing_folder_is_an_io_error() {
    let e = optimizer::input::load(Path::new("/definitely/not/here")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    // The path in the message, the reason as the source: a chain printer says each once.
    assert_eq!(e.to_string(), "/definitely/not/here");
    assert_eq!(
        std::error::Error::source(&e).unwrap().to_string(),
        "no such folder"
    );
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("dataset.toml", CONFIG),
        ("materials.csv", MATERIALS),
        ("demands.csv", DEMANDS),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // An endless file behind a link, and a pipe nobody writes to (opening it would block).
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("sites.csv")).unwrap();
    let fifo = dir.path().join("supplies.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let e = load_errors(dir.path());
    assert_one(&e, "sites.csv: cannot read: not a regular file");
    if made.is_ok_and(|s| s.success()) {
        assert_one(&e, "supplies.csv: cannot read: not a regular file");
    }
}

#[test]
fn magnitudes_the_solver_reads_as_infinite_are_named_at_their_cell() {
    let e = errors_with("supplies.csv", "site,material,quantity_t\ns1,A,1e20\n");
    assert_one(
        &e,
        "supplies.csv line 2, column quantity_t: must be a number between 0 and 1e12 (got 100000000000000000000)",
    );
    let e = errors_with(
        "materials.csv",
        "id,import_cost,disposal_cost\nA,-1e308,5\nB,20,5\n",
    );
    assert_one(
        &e,
        "materials.csv line 2, column import_cost: must be a number between -1e9 and 1e9",
    );
    let e = errors_with(
        "process_flows.csv",
        "process,material,direction,coefficient\np1,A,in,1e308\np1,B,out,0.5\n",
    );
    assert_one(
        &e,
        "process_flows.csv line 2, column coefficient: must be a number > 0 and <= 1e6",
    );
    let e = errors_with("substitutions.csv", "from,to,ratio\nA,B,1e7\n");
    assert_one(
        &e,
        "substitutions.csv line 2, column ratio: must be a number > 0 and <= 1e6",
    );
}

#[test]
fn a_million_bad_rows_keep_a_bounded_list_and_count_the_rest() {
    let rows: String = (0..5000).map(|_| "x,y,\n").collect();
    let e = match read_supplies(&format!("site,material,quantity_t\n{rows}")) {
        Err(Error::Invalid(errors)) => errors,
        other => panic!("expected invalid input, got {other:?}"),
    };
    // Three problems per row (unknown site, unknown material, missing quantity).
    assert_eq!(e.len(), 15_000);
    assert_eq!(e.iter().count(), optimizer::KEPT_PROBLEMS);
    assert!(e.to_string().ends_with("... and 14000 more"));
}

fn read_supplies(content: &str) -> Result<optimizer::Dataset, Error> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("dataset.toml", CONFIG),
        ("materials.csv", MATERIALS),
        ("sites.csv", SITES),
        ("supplies.csv", content),
        ("demands.csv", DEMANDS),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    optimizer::input::load(dir.path())
}

#[test]
fn unknown_process_route() {
    let e = errors_with(
        "processes.csv",
        "id,site,route,capacity\np1,s1,R3,10\np2,s1,landfill,10\n",
    );
    assert_one(
        &e,
        "processes.csv line 3, column route: must be recovery, disposal, R1-R13 or D1-D15 (got \"landfill\")",
    );
    assert_eq!(e.len(), 1, "{e:#?}");
}

/// The investment columns: only on candidates, within their ranges, the smallest size at
/// most the largest; `[investment]` takes known keys and a whole number of openings.
#[test]
fn investment_fields_are_checked_cell_by_cell() {
    let processes = "id,site,capacity,candidate_capex,fixed_cost,min_new_capacity,max_new_capacity\n\
                     p1,s1,10,,5,,\n\
                     p2,s1,10,1,-3,20,10\n\
                     p3,s1,10,1,inf,,\n";
    assert_eq!(
        errors_with("processes.csv", processes),
        [
            "processes.csv line 2, column fixed_cost: applies to candidates only: set candidate_capex on this row, or leave it empty",
            "processes.csv line 3, column fixed_cost: must be a number between 0 and 1e15 (got -3)",
            "processes.csv line 3, column min_new_capacity: must be at most max_new_capacity (10), got 20",
            "processes.csv line 4, column fixed_cost: must be a number between 0 and 1e15 (got inf)",
        ]
    );
    let config =
        format!("{CONFIG}[investment]\nbudget = -1\nmax_new_processes = 1.5\nbudjet = 3\n");
    assert_eq!(
        errors_with("dataset.toml", &config),
        [
            "dataset.toml line 7, column investment.budjet: unknown key (known: budget, max_new_processes)",
            "dataset.toml, column investment.budget: must be a number between 0 and 1e15 (got -1)",
            "dataset.toml, column investment.max_new_processes: must be a whole number (got 1.5)",
        ]
    );
}

/// A candidate whose opening is a decision needs a largest size when nothing bounds what
/// its inputs could receive: here its input comes only from another unlimited candidate.
#[test]
fn an_opening_without_any_largest_size_is_refused() {
    let processes = "id,site,capacity,candidate_capex,fixed_cost\np1,s1,0,1,100\np2,s1,0,1,\n";
    let flows =
        "process,material,direction,coefficient\np1,B,in,1\np1,A,out,1\np2,A,in,1\np2,B,out,1\n";
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("dataset.toml", CONFIG),
        ("materials.csv", MATERIALS),
        ("sites.csv", SITES),
        ("supplies.csv", "site,material,quantity_t\n"),
        ("demands.csv", DEMANDS),
        ("processes.csv", processes),
        ("process_flows.csv", flows),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let errors = load_errors(dir.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("processes.csv line 2, column max_new_capacity: is needed"),
        "{errors:?}"
    );
}
