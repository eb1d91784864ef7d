//! Splitting the LP by material groups is exact: the merged result equals the single LP's
//! on a region with eight materials in five independent groups, stream by stream.
use optimizer::generate::{SyntheticOptions, generate};
use optimizer::{SolveOptions, decompose};

#[test]
fn merged_parts_equal_the_monolithic_solve() {
    let ds = generate(&SyntheticOptions {
        sites: 1500,
        materials: 8,
        processes: 4,
        candidates: 2,
        seed: 11,
        ..Default::default()
    });
    let parts = decompose::split(&ds);
    assert!(parts.len() >= 3, "{} parts", parts.len());
    let split = optimizer::solve(&ds, &SolveOptions::default()).expect("solve");
    let mono = optimizer::solve_monolithic(&ds, &SolveOptions::default()).expect("solve");
    assert_eq!(split.stats.components, parts.len());
    let (a, b) = (
        split.objective.expect("optimal"),
        mono.objective.expect("optimal"),
    );
    assert!((a - b).abs() <= 1e-7 * b.abs(), "{a} vs {b}");
    assert!((split.baseline - mono.baseline).abs() <= 1e-9 * mono.baseline);
    let (ka, kb) = (split.kpis.expect("kpis"), mono.kpis.expect("kpis"));
    assert!((ka.secondary_input_rate - kb.secondary_input_rate).abs() < 1e-9);
    assert!((ka.diverted_from_disposal_t - kb.diverted_from_disposal_t).abs() < 1e-3);
    assert_eq!(split.processes.len(), ds.processes.len());
    for (p, q) in split.processes.iter().zip(&ds.processes) {
        assert_eq!(p.id, q.id, "processes keep their order");
    }
    let prices = split.shadow_prices.expect("optimal solves have prices");
    assert_eq!(prices.supplies.len(), ds.supplies.len());
    for (price, supply) in prices.supplies.iter().zip(&ds.supplies) {
        assert_eq!(
            price.material,
            ds.material(supply.material).id,
            "prices keep stream order"
        );
    }
    assert_eq!(split.targets.len(), mono.targets.len());
}
