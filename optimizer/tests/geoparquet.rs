//! `flows.parquet` read back with the Parquet reader and held against `flows.csv` and the
//! plan: the same columns in the same order, the same rows (text equal, a missing process
//! null where the CSV is empty, numbers equal to the CSV's at its rounding and to the plan's
//! exactly), each geometry the WKB line (or on-site point) between the flow's sites, and the
//! GeoParquet `geo` metadata naming that column; on Finland (with recyclers, and flows
//! within a site) and on a generated region. Also which files each `--formats` choice writes.
#![allow(clippy::unwrap_used)]

use optimizer::report::columns::{FLOW_COLUMNS, FlowColumn};
use optimizer::report::{Formats, write_formats};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;

fn solved(ds: &optimizer::Dataset) -> optimizer::SolveResult {
    optimizer::solve(ds, &optimizer::SolveOptions::default()).unwrap()
}

fn finland() -> optimizer::Dataset {
    optimizer::input::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/finland-2023"))
        .unwrap()
}

/// The coordinates in a little-endian WKB Point or two-point LineString.
fn coordinates(wkb: &[u8]) -> Vec<f64> {
    assert_eq!(wkb[0], 1, "little endian");
    let kind = u32::from_le_bytes(wkb[1..5].try_into().unwrap());
    let start = match kind {
        1 => 5,
        2 => {
            assert_eq!(u32::from_le_bytes(wkb[5..9].try_into().unwrap()), 2);
            9
        }
        other => panic!("geometry type {other}"),
    };
    let values: Vec<f64> = wkb[start..]
        .chunks(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(values.len(), if kind == 1 { 2 } else { 4 });
    values
}

fn check(ds: &optimizer::Dataset) {
    let result = solved(ds);
    assert!(!result.flows.is_empty());
    let dir = tempfile::tempdir().unwrap();
    write_formats(&result, dir.path(), Formats::ALL).unwrap();
    let reader =
        SerializedFileReader::new(std::fs::File::open(dir.path().join("flows.parquet")).unwrap())
            .unwrap();
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.num_rows() as usize, result.flows.len());
    let geo = meta
        .key_value_metadata()
        .unwrap()
        .iter()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.clone())
        .unwrap();
    let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    assert_eq!(geo["columns"]["geometry"]["encoding"], "WKB");
    let bbox: Vec<f64> =
        serde_json::from_value(geo["columns"]["geometry"]["bbox"].clone()).unwrap();

    let mut csv = csv::Reader::from_path(dir.path().join("flows.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let mut csv_rows = csv.records();
    let (mut nulls, mut points) = (0, 0);
    for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
        let row = row.unwrap();
        let fields: Vec<(&String, &Field)> = row.get_column_iter().collect();
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names[..names.len() - 1],
            header.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        let record = csv_rows.next().unwrap().unwrap();
        let flow = &result.flows[i];
        for (c, (_, column)) in FLOW_COLUMNS.iter().enumerate() {
            let cell = &record[c];
            match (column, fields[c].1) {
                (FlowColumn::Text(get), Field::Str(s)) => {
                    assert_eq!((s.as_str(), cell), (get(flow), get(flow)));
                }
                (FlowColumn::OptionalText(get), Field::Null) => {
                    assert_eq!((get(flow), cell), (None, ""));
                    nulls += 1;
                }
                (FlowColumn::OptionalText(get), Field::Str(s)) => {
                    assert_eq!((Some(s.as_str()), cell), (get(flow), s.as_str()));
                }
                (FlowColumn::Number(get, decimals), Field::Double(x)) => {
                    assert_eq!(*x, get(flow), "full precision");
                    let rounded: f64 = cell.parse().unwrap();
                    let step = 0.5 * 10f64.powi(-(*decimals as i32));
                    assert!(
                        (x - rounded).abs() <= step * (1.0 + 1e-9),
                        "row {i} col {c}: {x} vs {cell}"
                    );
                }
                (column, field) => panic!("row {i} column {c}: {column:?} as {field:?}"),
            }
        }
        let Field::Bytes(wkb) = fields.last().unwrap().1 else {
            panic!("geometry is not bytes")
        };
        let xy = coordinates(wkb.data());
        if flow.from_site == flow.to_site {
            points += 1;
            assert_eq!(xy, [flow.from_lon, flow.from_lat]);
        } else {
            assert_eq!(xy, [flow.from_lon, flow.from_lat, flow.to_lon, flow.to_lat]);
        }
        for pair in xy.chunks(2) {
            assert!(
                bbox[0] <= pair[0]
                    && pair[0] <= bbox[2]
                    && bbox[1] <= pair[1]
                    && pair[1] <= bbox[3]
            );
        }
    }
    assert!(csv_rows.next().is_none(), "as many rows as flows.csv");
    let types = geo["columns"]["geometry"]["geometry_types"]
        .as_array()
        .unwrap();
    assert_eq!(types.iter().any(|t| t == "Point"), points > 0);
    eprintln!(
        "{} flows, {nulls} null process cells, {points} on-site points",
        result.flows.len()
    );
}

#[test]
fn finland_reads_back_as_its_csv() {
    check(&finland());
}

#[test]
fn a_generated_region_with_recyclers_reads_back_as_its_csv() {
    check(&optimizer::generate::generate(
        &optimizer::generate::SyntheticOptions {
            sites: 2_000,
            processes: 4,
            candidates: 2,
            ..Default::default()
        },
    ));
}

#[test]
fn formats_choose_the_files() {
    let result = solved(&finland());
    for (list, expected) in [
        ("csv", ["flows.csv"].as_slice()),
        ("parquet,geojson", &["flows.geojson", "flows.parquet"]),
        (
            "csv,geojson,parquet",
            &["flows.csv", "flows.geojson", "flows.parquet"],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_formats(&result, dir.path(), Formats::parse(list).unwrap()).unwrap();
        for table in ["flows.csv", "flows.geojson", "flows.parquet"] {
            assert_eq!(
                dir.path().join(table).exists(),
                expected.contains(&table),
                "{list}: {table}"
            );
        }
        assert!(dir.path().join("result.json").exists() && dir.path().join("targets.csv").exists());
    }
    let err = Formats::parse("csv,shapefile").unwrap_err();
    assert!(err.contains("shapefile"), "{err}");
    assert_eq!(Formats::default_for(100_000), Formats::ALL);
    let large = Formats::default_for(100_001);
    assert!(!large.geojson && !large.valueflows && large.parquet && large.csv);
    assert_eq!(
        Formats::left_out_by_default(100_001),
        ["flows.geojson", "plan.vf.jsonld"]
    );
    assert!(Formats::left_out_by_default(10).is_empty());
    assert!(Formats::parse("valueflows").unwrap().valueflows);
}
