//! The Valueflows export against the plan it describes, on the example (with recyclers) and
//! on Finland: every flow is one transfer commitment with its tonnes, every supply and
//! demand one intent with its tonnes, the open tonnes are the unserved ones, process
//! commitments are activity x coefficient, and every reference names a node of the file.
#![allow(clippy::unwrap_used)]

use optimizer::report::valueflows::plan;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn solved(dir: &str) -> (optimizer::Dataset, optimizer::SolveResult) {
    let ds = optimizer::input::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).unwrap();
    let result = optimizer::solve(&ds, &optimizer::SolveOptions::default()).unwrap();
    (ds, result)
}

fn of_type<'a>(graph: &'a [Value], t: &str) -> Vec<&'a Value> {
    graph.iter().filter(|n| n["@type"] == t).collect()
}

fn quantity(node: &Value) -> f64 {
    assert_eq!(node["resourceQuantity"]["hasUnit"], "om2:tonne");
    node["resourceQuantity"]["hasNumericalValue"]
        .as_f64()
        .unwrap()
}

fn check(dir: &str) {
    let (ds, result) = solved(dir);
    let doc = plan(&ds, &result);
    assert!(
        doc["@context"]["vf"]
            .as_str()
            .unwrap()
            .starts_with("https://w3id.org/valueflows/")
    );
    let graph = doc["@graph"].as_array().unwrap();
    let ids: HashSet<&str> = graph.iter().map(|n| n["@id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), graph.len(), "node ids are unique");

    let transfers: Vec<&Value> = of_type(graph, "vf:Commitment")
        .into_iter()
        .filter(|c| c["action"] == "vf:transfer")
        .collect();
    assert_eq!(transfers.len(), result.flows.len());
    for (c, f) in transfers.iter().zip(&result.flows) {
        assert_eq!(quantity(c), f.tonnes_sent);
        assert!(
            c["provider"]
                .as_str()
                .unwrap()
                .ends_with(&format!(":site:{}", f.from_site))
        );
        assert!(
            c["receiver"]
                .as_str()
                .unwrap()
                .ends_with(&format!(":site:{}", f.to_site))
        );
        // A flow from a supply to a demand satisfies an intent of each side.
        let satisfied = c["satisfies"].as_array().unwrap();
        let sides = usize::from(f.from_process.is_none()) + usize::from(f.to_process.is_none());
        assert!(satisfied.len() >= sides, "{c}");
    }

    let intents = of_type(graph, "vf:Intent");
    assert_eq!(intents.len(), ds.supplies.len() + ds.demands.len());
    let offered: f64 = intents
        .iter()
        .filter(|i| i.get("provider").is_some())
        .map(|i| quantity(i))
        .sum();
    let supplied: f64 = ds.supplies.iter().map(|s| s.quantity.0).sum();
    assert!((offered - supplied).abs() <= 1e-9 * supplied);
    let open: f64 = intents
        .iter()
        .map(|i| i["openTonnes"].as_f64().unwrap())
        .sum();
    let unserved: f64 = result.unserved.iter().map(|u| u.tonnes).sum();
    assert!(
        (open - unserved).abs() <= 1e-6 * unserved.max(1.0),
        "{open} vs {unserved}"
    );
    let published: usize = of_type(graph, "vf:Proposal")
        .iter()
        .map(|p| p["publishes"].as_array().unwrap().len())
        .sum();
    assert_eq!(published, intents.len(), "every intent in one proposal");

    let activity: HashMap<String, f64> = result
        .processes
        .iter()
        .map(|p| (p.id.to_string(), p.activity))
        .collect();
    for c in of_type(graph, "vf:Commitment") {
        if c["action"] == "vf:consume" {
            let process = c["inputOf"].as_str().unwrap();
            let id = process.rsplit(':').next().unwrap();
            let p = ds.processes.iter().find(|p| p.id.as_str() == id).unwrap();
            let (_, coefficient) = p.inputs[0];
            if p.inputs.len() == 1 {
                assert!(
                    (quantity(c) - activity[id] * coefficient).abs() <= 1e-9 * quantity(c).max(1.0)
                );
            }
        }
    }

    // Every reference resolves, and every site has its location.
    for node in graph {
        for key in [
            "provider",
            "receiver",
            "resourceConformsTo",
            "plannedWithin",
            "inputOf",
            "outputOf",
            "inScopeOf",
            "atLocation",
        ] {
            if let Some(r) = node.get(key).and_then(Value::as_str) {
                let known =
                    ids.contains(r) || graph.iter().any(|n| n["primaryLocation"]["@id"] == r);
                assert!(known, "{key} {r} names no node");
            }
        }
        for key in ["satisfies", "publishes"] {
            for r in node
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                assert!(ids.contains(r.as_str().unwrap()), "{key} {r} names no node");
            }
        }
    }
}

#[test]
fn the_example_with_recyclers_exports_whole() {
    check("../datasets/example");
}

#[test]
fn finland_exports_whole() {
    check("../datasets/finland-2023");
}
