//! The EU PRTR importer: on a checked-in excerpt (9 facilities, 40 transfers of 2022-2023,
//! one facility placed from x/y only, confidential names) the sites, streams and totals are
//! asserted; on the full register files (`datasets/sources/prtr-finland/`, gzip) the counts must match totals computed here, independently,
//! from the raw CSV; and the EPSG:3067 projection must agree with the lon/lat the register gives.
#![allow(clippy::unwrap_used)]

use optimizer::input::prtr::Mapping;
use optimizer::input::prtr::{self, Projection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn mapping() -> Mapping {
    let path = repo().join("datasets/prtr-mapping.toml");
    Mapping::parse(
        &std::fs::read_to_string(&path).unwrap(),
        "prtr-mapping.toml",
    )
    .unwrap()
}

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/prtr")
        .join(file)
}

/// A full register file as shipped, gzip-compressed.
fn register(file: &str) -> PathBuf {
    repo()
        .join("datasets/sources/prtr-finland")
        .join(format!("{file}.gz"))
}

/// A register file's text; a `.gz` is unpacked here with flate2 alone (not the importer's
/// reader).
fn unpacked(path: &Path) -> String {
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()),
            &mut text,
        )
        .unwrap();
        text
    } else {
        std::fs::read_to_string(path).unwrap()
    }
}

/// Totals of a transfers file for one year, read with nothing but the csv crate.
fn raw_totals(path: &Path, year: &str) -> (usize, BTreeMap<String, f64>, BTreeMap<String, f64>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(std::io::Cursor::new(unpacked(path)));
    let h = reader.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (y, c, t, q, f) = (
        col("reportingYear"),
        col("wasteClassificationCode"),
        col("wasteTreatmentCode"),
        col("totalWasteQuantityTNE"),
        col("facilityId"),
    );
    let (mut n, mut by_class, mut by_facility) = (0, BTreeMap::new(), BTreeMap::new());
    for r in reader.records() {
        let r = r.unwrap();
        if &r[y] != year {
            continue;
        }
        n += 1;
        let tonnes: f64 = r[q].parse().unwrap();
        *by_class
            .entry(format!("{}.{}", &r[c], &r[t]))
            .or_insert(0.0) += tonnes;
        *by_facility
            .entry(format!("{}/{}.{}", &r[f], &r[c], &r[t]))
            .or_insert(0.0) += tonnes;
    }
    (n, by_class, by_facility)
}

#[test]
fn excerpt_gives_the_expected_sites_streams_and_totals() {
    let m = mapping();
    let (ds, report) = prtr::import(
        &fixture("facilities.csv"),
        &fixture("waste_transfers.csv"),
        2023,
        &m,
    )
    .unwrap();
    assert_eq!(report.facilities_read, 9);
    assert_eq!(report.transfers_in_year, 22, "2022 rows are filtered out");
    let expected = [
        ("HW.D", 10365.4),
        ("HW.R", 1296.96),
        ("NONHW.D", 13600.747),
        ("NONHW.R", 97710.0),
    ];
    for (class, t) in expected {
        assert!((report.tonnes_reported[class] - t).abs() < 1e-6, "{class}");
    }
    // Tonnes in = tonnes out of the mapping.
    let written: f64 = ds.supplies.iter().map(|s| s.quantity.0).sum();
    assert!(
        (written - 122_973.107).abs() <= 1e-6 * ds.supplies.len() as f64,
        "{written}"
    );
    assert!((report.tonnes_written - 122_973.107).abs() < 1e-6);
    assert_eq!(report.tonnes_dropped, 0.0);

    // The poultry farm 0000007001 has no lon/lat: placed from x/y, named as confidential.
    assert_eq!(report.facilities_placed_from_xy, 1);
    let farm = ds
        .sites
        .iter()
        .find(|s| s.id.as_str() == "0000007001")
        .unwrap();
    assert_eq!(farm.name, "Confidential facility 0000007001");
    assert!(
        (60.0..62.0).contains(&farm.lat) && (21.0..24.0).contains(&farm.lon),
        "{farm:?}"
    );

    // Stora Enso Uimaharju (6(a)): 40 % of its NONHW.R tonnes become wood residue.
    let (_, _, per_facility) = raw_totals(&fixture("waste_transfers.csv"), "2023");
    let nonhw_r = per_facility
        .get("0000001111/NONHW.R")
        .copied()
        .unwrap_or(0.0);
    let site = ds
        .sites
        .iter()
        .position(|s| s.id.as_str() == "0000001111")
        .unwrap();
    let wood = ds
        .materials
        .iter()
        .position(|m| m.id.as_str() == "wood-residue")
        .unwrap();
    let supplied: f64 = ds
        .supplies
        .iter()
        .filter(|s| s.site.get() == site && s.material.get() == wood)
        .map(|s| s.quantity.0)
        .sum();
    assert!(
        (supplied - 0.4 * nonhw_r).abs() < 1e-3,
        "{supplied} vs {}",
        0.4 * nonhw_r
    );

    // The cement kiln takes ash, gypsum and RDF; the 5(c) treatment plant is a process.
    let kiln = ds
        .sites
        .iter()
        .position(|s| s.id.as_str() == "0000002577")
        .unwrap();
    assert_eq!(
        ds.demands.iter().filter(|d| d.site.get() == kiln).count(),
        3
    );
    let plant = ds
        .processes
        .iter()
        .find(|p| p.id.as_str().starts_with("0000003782-"))
        .unwrap();
    assert_eq!(plant.candidate_capex, Some(25.0));
    assert_eq!(report.unmapped_activity_codes.get("9(c)"), Some(&1));

    // And the result solves.
    let r = optimizer::solve(&ds, &optimizer::SolveOptions::default()).unwrap();
    assert_eq!(r.status, optimizer::SolveStatus::Optimal);
}

#[test]
fn full_files_match_totals_computed_from_the_raw_csv() {
    let m = mapping();
    let (ds, report) = prtr::import(
        &register("facilities.csv"),
        &register("waste_transfers.csv"),
        2023,
        &m,
    )
    .unwrap();
    let (n, by_class, _) = raw_totals(&register("waste_transfers.csv"), "2023");
    let facilities = unpacked(&register("facilities.csv")).lines().count() - 1;
    assert_eq!(report.facilities_read, facilities);
    assert_eq!(report.transfers_in_year, n);
    for (class, t) in &by_class {
        assert!(
            (report.tonnes_reported[class] - t).abs() < 1e-6 * t,
            "{class}"
        );
    }
    let reported: f64 = by_class.values().sum();
    let written: f64 = ds.supplies.iter().map(|s| s.quantity.0).sum();
    // Supplies are rounded to the gram each.
    assert!((written + report.tonnes_dropped - reported).abs() <= 1e-6 * ds.supplies.len() as f64);
}

#[test]
fn tm35fin_projection_matches_the_registers_lon_lat() {
    let proj = Projection::new(mapping().xy_proj.as_deref().unwrap()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(std::io::Cursor::new(unpacked(&register("facilities.csv"))));
    let h = reader.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (lo, la, x, y) = (
        col("pointGeometryLon"),
        col("pointGeometryLat"),
        col("x"),
        col("y"),
    );
    let mut errors_km = Vec::new();
    for r in reader.records() {
        let r = r.unwrap();
        let (Ok(lon), Ok(lat), Ok(x), Ok(y)) = (
            r[lo].parse::<f64>(),
            r[la].parse::<f64>(),
            r[x].parse::<f64>(),
            r[y].parse::<f64>(),
        ) else {
            continue;
        };
        let (plon, plat) = proj.to_lonlat(x, y).unwrap();
        errors_km.push(optimizer::great_circle_km(lon, lat, plon, plat));
    }
    errors_km.sort_by(f64::total_cmp);
    let n = errors_km.len();
    let median = errors_km[n / 2];
    let max = errors_km[n - 1];
    assert!(n > 700, "{n}");
    // The register's lon/lat have 5 decimals (about 1 m); measured here: median 0.3 m, max
    // 0.6 m. A wrong zone, datum or axis order would be off by tens to hundreds of km.
    assert!(median < 0.001, "median {median} km");
    assert!(max < 0.002, "max {max} km");
}
