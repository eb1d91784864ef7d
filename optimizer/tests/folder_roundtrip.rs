//! Writing a dataset folder and reading it back gives the same dataset and the same optimum;
//! the shipped example loads; the LP dump names rows and columns readably.
#![allow(clippy::unwrap_used)]

use optimizer::generate::{SyntheticOptions, generate};
use optimizer::{SolveOptions, input as dataset};
use std::path::Path;

#[test]
fn write_then_read_gives_the_same_optimum() {
    let ds = generate(&SyntheticOptions {
        sites: 300,
        processes: 3,
        candidates: 2,
        materials: 6,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    dataset::write_folder(&ds, dir.path()).unwrap();
    let back = dataset::load(dir.path()).unwrap();
    assert_eq!(back.sites.len(), ds.sites.len());
    assert_eq!(back.supplies.len(), ds.supplies.len());
    assert_eq!(back.processes.len(), 5);
    assert_eq!(back.substitutions.len(), ds.substitutions.len());
    let a = optimizer::solve(&ds, &SolveOptions::default()).unwrap();
    let b = optimizer::solve(&back, &SolveOptions::default()).unwrap();
    let (a, b) = (a.objective.unwrap(), b.objective.unwrap());
    assert!((a - b).abs() <= 1e-9 * a.abs(), "{a} vs {b}");
}

#[test]
fn generator_is_deterministic() {
    let opts = SyntheticOptions {
        sites: 200,
        processes: 2,
        ..Default::default()
    };
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    dataset::write_folder(&generate(&opts), d1.path()).unwrap();
    dataset::write_folder(&generate(&opts), d2.path()).unwrap();
    let tables = optimizer::input::schema::TABLES.map(|t| t.file);
    for file in std::iter::once("dataset.toml").chain(tables) {
        let a = std::fs::read(d1.path().join(file)).unwrap();
        let b = std::fs::read(d2.path().join(file)).unwrap();
        assert_eq!(a, b, "{file} differs");
    }
}

#[test]
fn lp_dump_has_readable_names_and_every_row() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/example");
    let ds = dataset::load(&root).unwrap();
    let model = optimizer::build_model(&ds, &SolveOptions::default());
    let mut out = Vec::new();
    optimizer::lp::write_lp(&ds, &model.network, &model.lp, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("supply_balance(lahti_sawmill/wood_residue): "),
        "{text}"
    );
    assert!(text.contains("demand_balance(hollola_pipes/plastic_recyclate): "));
    assert!(text.contains("flow(lahti_sawmill/wood_residue,lahti_energy/wood_residue)"));
    assert!(
        text.contains("capacity(kujala_plastics_line): + 1 activity(kujala_plastics_line) <= 1000")
    );
    assert!(text.contains("new_capacity(kujala_plastics_line_2)"));
    let body = text.split("Subject To").nth(1).unwrap();
    let constraints = body
        .lines()
        .filter(|l| l.starts_with(' ') && !l.starts_with("  "))
        .count();
    assert_eq!(constraints, model.lp.num_rows(), "{text}");
}
