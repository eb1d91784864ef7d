//! Fuzzing on stable Rust: arbitrary bytes and near-valid text fed to the dataset reader
//! (every CSV file and `dataset.toml`) must give a dataset or a list of problems, never a
//! panic, and a dataset that loads must solve to a status. CI runs the default 256 cases per
//! property; a longer run: `PROPTEST_CASES=20000 cargo test --release -p circulate-optimizer
//! --test fuzz_input`.
#![allow(clippy::unwrap_used)]

use optimizer::{Error, SolveOptions, SolveRequest};
use proptest::prelude::*;

const CONFIG: &str = "name = \"f\"\n";
const MATERIALS: &str = "id,import_cost,disposal_cost\nA,10,5\nB,20,5\n";
const SITES: &str = "id,lon,lat\ns1,24.9,60.2\ns2,25.0,60.3\n";
const SUPPLIES: &str = "site,material,quantity_t\ns1,A,100\n";
const DEMANDS: &str = "site,material,quantity_t\ns2,A,50\n";
const FILES: [&str; 8] = [
    "dataset.toml",
    "materials.csv",
    "sites.csv",
    "supplies.csv",
    "demands.csv",
    "substitutions.csv",
    "processes.csv",
    "process_flows.csv",
];

/// Loads a valid base dataset with `file` replaced by `content`; solves it when it loads.
fn load_with(file: &str, content: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("dataset.toml", CONFIG),
        ("materials.csv", MATERIALS),
        ("sites.csv", SITES),
        ("supplies.csv", SUPPLIES),
        ("demands.csv", DEMANDS),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join(file), content).unwrap();
    match optimizer::input::load(dir.path()) {
        Ok(ds) => {
            let options = SolveOptions::from(SolveRequest {
                time_limit: Some(5.0),
                ..Default::default()
            });
            let result = optimizer::solve(&ds, &options);
            assert!(
                result.is_ok(),
                "a loaded dataset failed to solve: {result:?}"
            );
        }
        Err(Error::Invalid(errors)) => assert!(!errors.is_empty()),
        Err(e) => panic!("only invalid input is expected here, got {e}"),
    }
}

/// Cells that look like numbers, ids and the special values parsers trip on.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{0,4}(\\.[0-9]{0,3})?(e-?[0-9]{1,3})?",
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("-inf".to_owned()),
        Just("1e308".to_owned()),
        Just("".to_owned()),
        "[a-zA-Z0-9_\"' ]{0,6}",
        Just("A".to_owned()),
        Just("s1".to_owned()),
        Just("in".to_owned()),
        Just("out".to_owned()),
    ]
}

/// A CSV file of the dataset's headers (shuffled a little) and rows of such cells.
fn near_valid_csv() -> impl Strategy<Value = (usize, String)> {
    let headers = [
        "id,import_cost,disposal_cost,max_haul_km",
        "id,lon,lat",
        "site,material,quantity_t,max_haul_km,unit_cost",
        "site,material,quantity_t",
        "from,to,ratio",
        "id,site,capacity,cost_per_unit,candidate_capex",
        "process,material,direction,coefficient",
    ];
    (
        1..8usize,
        prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..6),
    )
        .prop_map(move |(file, rows)| {
            let mut text = headers[file - 1].to_owned();
            text.push('\n');
            for row in rows {
                text.push_str(&row.join(","));
                text.push('\n');
            }
            (file, text)
        })
}

proptest! {
    #[test]
    fn arbitrary_bytes_in_any_file_never_panic(
        file in 0..FILES.len(),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        load_with(FILES[file], &bytes);
    }

    #[test]
    fn near_valid_tables_never_panic((file, text) in near_valid_csv()) {
        load_with(FILES[file], text.as_bytes());
    }

    #[test]
    fn arbitrary_settings_never_panic(
        keys in prop::collection::vec(
            (
                prop_oneof![
                    Just("name"), Just("co2_price"), Just("currency"), Just("[transport]"),
                    Just("cost_per_tkm"), Just("detour_factor"), Just("max_haul_km"), Just("x"),
                ],
                prop_oneof![cell(), Just("\"text\"".to_owned()), Just("true".to_owned()),
                    Just("[1, 2]".to_owned()), Just("{ a = 1 }".to_owned())],
            ),
            0..6,
        ),
    ) {
        let text: String = keys
            .iter()
            .map(|(k, v)| if k.starts_with('[') { format!("{k}\n") } else { format!("{k} = {v}\n") })
            .collect();
        load_with("dataset.toml", text.as_bytes());
    }
}
