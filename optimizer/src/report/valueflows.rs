//! The plan in Valueflows 1.0 (the REA vocabulary of open value networks: hREA, Bonfire), as
//! JSON-LD with its context embedded, so reading it needs no network (`plan.vf.jsonld`):
//! - sites are `vf:Organization`s with a `vf:SpatialThing` as `vf:primaryLocation`;
//! - materials are `vf:ResourceSpecification`s (`vf:resourceClassifiedAs` the EWC code);
//! - every supply is a `vf:Intent` with a provider only, every demand one with a receiver
//!   only, each site's offers and requests grouped in a `vf:Proposal` (`vf:publishes`);
//! - every flow is a `vf:Commitment` (action `transfer`, `vf:resourceQuantity` in tonnes,
//!   `om2:tonne`) that `vf:satisfies` the intents it serves;
//! - every process in use is a `vf:Process` with `consume` and `produce` commitments;
//! - the whole is a `vf:Plan` (`vf:plannedWithin`).
//!
//! A need not met locally stays an open intent: its `circulate:openTonnes` says how much is
//! still imported or disposed of. Costs, emissions, distances and shadow prices are in a
//! `circulate:` namespace of the file's own (a URN, not a web address).

use crate::report::schema::{SolveResult, UnservedKind};
use crate::{Dataset, Process};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The file's name in a results folder.
pub const VALUEFLOWS_FILE: &str = "plan.vf.jsonld";

/// The Valueflows 1.0 namespace (`vann:preferredNamespaceUri` of the 1.0 ontology).
pub const VF: &str = "https://w3id.org/valueflows/ont/vf#";
/// Units of measure (OM 2), which Valueflows' `vf:Unit` and `vf:Measure` refine.
pub const OM2: &str = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
/// circulate's own terms.
pub const CIRCULATE: &str = "urn:circulate:vocab:";

fn context() -> Value {
    let id = |term: &str| json!({"@id": term, "@type": "@id"});
    let number =
        |term: &str| json!({"@id": term, "@type": "http://www.w3.org/2001/XMLSchema#double"});
    json!({
        "vf": VF,
        "om2": OM2,
        "circulate": CIRCULATE,
        "name": "vf:name",
        "note": "vf:note",
        "lat": number("vf:lat"),
        "long": number("vf:long"),
        "primaryLocation": id("vf:primaryLocation"),
        "atLocation": id("vf:atLocation"),
        "resourceClassifiedAs": "vf:resourceClassifiedAs",
        "resourceConformsTo": id("vf:resourceConformsTo"),
        "provider": id("vf:provider"),
        "receiver": id("vf:receiver"),
        "action": id("vf:action"),
        "resourceQuantity": "vf:resourceQuantity",
        "hasNumericalValue": number("vf:hasNumericalValue"),
        "hasUnit": id("vf:hasUnit"),
        "satisfies": id("vf:satisfies"),
        "publishes": id("vf:publishes"),
        "purpose": "vf:purpose",
        "inputOf": id("vf:inputOf"),
        "outputOf": id("vf:outputOf"),
        "inScopeOf": id("vf:inScopeOf"),
        "plannedWithin": id("vf:plannedWithin"),
        "finished": {"@id": "vf:finished", "@type": "http://www.w3.org/2001/XMLSchema#boolean"},
        "km": number("circulate:km"),
        "costPerYear": number("circulate:costPerYear"),
        "co2KgPerYear": number("circulate:co2KgPerYear"),
        "openTonnes": number("circulate:openTonnes"),
        "marginalCost": number("circulate:marginalCost"),
        "toProcess": id("circulate:toProcess"),
        "fromProcess": id("circulate:fromProcess"),
        "tonnesServed": number("circulate:tonnesServed"),
        "materialServed": id("circulate:materialServed"),
        "objective": number("circulate:objective"),
        "baseline": number("circulate:baseline"),
        "currency": "circulate:currency",
        "status": "circulate:status"
    })
}

/// An IRI segment: unreserved characters kept, everything else percent-encoded.
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Node ids under the plan's own URN.
struct Ids {
    base: String,
}

impl Ids {
    fn of(&self, kind: &str, id: &str) -> String {
        format!("{}{kind}:{}", self.base, segment(id))
    }
}

fn tonnes(t: f64) -> Value {
    json!({"@type": "vf:Measure", "hasNumericalValue": t, "hasUnit": "om2:tonne"})
}

/// The plan as a JSON-LD document, in memory (for the API's answer and the tests; a file is
/// written node by node by [`write`]).
pub fn plan(ds: &Dataset, result: &SolveResult) -> Value {
    let mut graph = Vec::new();
    let done: Result<(), std::convert::Infallible> = each_node(ds, result, &mut |node| {
        graph.push(node);
        Ok(())
    });
    let Ok(()) = done;
    json!({"@context": context(), "@graph": graph})
}

/// Every node of the plan's `@graph`, in order, handed to `emit` one at a time, so a plan of
/// millions of flows is never held as one JSON tree (that took 20 GB at a million flows).
fn each_node<E>(
    ds: &Dataset,
    result: &SolveResult,
    emit: &mut dyn FnMut(Value) -> Result<(), E>,
) -> Result<(), E> {
    let ids = Ids {
        base: format!("urn:circulate:plan:{}:", segment(&ds.meta.name)),
    };
    let plan_id = ids.of("plan", "optimum");
    emit(json!({
        "@id": plan_id,
        "@type": "vf:Plan",
        "name": format!("circulate plan for {}", ds.meta.name),
        "note": ds.meta.description,
        "status": format!("{:?}", result.status),
        "objective": result.objective,
        "baseline": result.baseline,
        "currency": result.currency,
    }))?;
    let site = |i: usize| ids.of("site", ds.sites[i].id.as_str());
    for s in &ds.sites {
        let location = ids.of("location", s.id.as_str());
        emit(json!({
            "@id": ids.of("site", s.id.as_str()),
            "@type": "vf:Organization",
            "name": s.name,
            "primaryLocation": {"@id": location, "@type": "vf:SpatialThing", "name": s.name,
                                "lat": s.lat, "long": s.lon},
        }))?;
    }
    let material = |id: &str| ids.of("material", id);
    for m in &ds.materials {
        let mut node = json!({
            "@id": material(m.id.as_str()),
            "@type": "vf:ResourceSpecification",
            "name": m.name,
        });
        if let Some(ewc) = &m.ewc {
            node["resourceClassifiedAs"] = json!(format!("EWC {ewc}"));
        }
        emit(node)?;
    }

    // Intents, by (site, material) for the flows to satisfy; open tonnes from `unserved`.
    let mut open: HashMap<(bool, &str, &str), f64> = HashMap::new();
    for u in &result.unserved {
        let supply = u.kind == UnservedKind::Supply;
        *open
            .entry((supply, u.site.as_str(), u.material.as_str()))
            .or_default() += u.tonnes;
    }
    let prices = |supply: bool| -> HashMap<(&str, &str), f64> {
        result
            .shadow_prices
            .iter()
            .flat_map(|p| if supply { &p.supplies } else { &p.demands })
            .map(|p| ((p.site.as_str(), p.material.as_str()), p.marginal_cost))
            .collect()
    };
    let (supply_prices, demand_prices) = (prices(true), prices(false));
    let mut intents: HashMap<(bool, &str, &str), Vec<String>> = HashMap::new();
    let mut proposals: HashMap<(bool, usize), Vec<String>> = HashMap::new();
    for (supply, streams) in [(true, &ds.supplies), (false, &ds.demands)] {
        for (i, stream) in streams.iter().enumerate() {
            let (s, m) = (ds.site(stream.site), ds.material(stream.material));
            let id = ids.of(if supply { "supply" } else { "demand" }, &i.to_string());
            let key = (s.id.as_str(), m.id.as_str());
            // Several streams of one material at one site share what is left open, first
            // come first.
            let left = open.entry((supply, key.0, key.1)).or_default();
            let open_here = left.min(stream.quantity.0);
            *left -= open_here;
            let mut node = json!({
                "@id": id,
                "@type": "vf:Intent",
                "action": "vf:transfer",
                "resourceConformsTo": material(key.1),
                "resourceQuantity": tonnes(stream.quantity.0),
                "atLocation": ids.of("location", key.0),
                "openTonnes": open_here,
                "finished": open_here <= 0.0,
                "plannedWithin": plan_id,
            });
            let agent = site(stream.site.0 as usize);
            node[if supply { "provider" } else { "receiver" }] = json!(agent);
            let price = if supply {
                &supply_prices
            } else {
                &demand_prices
            };
            if let Some(p) = price.get(&key) {
                node["marginalCost"] = json!(p);
            }
            emit(node)?;
            intents
                .entry((supply, key.0, key.1))
                .or_default()
                .push(id.clone());
            proposals
                .entry((supply, stream.site.0 as usize))
                .or_default()
                .push(id);
        }
    }
    let mut grouped: Vec<_> = proposals.into_iter().collect();
    grouped.sort_by_key(|&((supply, site), _)| (site, !supply));
    for ((supply, s), published) in grouped {
        let (what, purpose) = if supply {
            ("offers", "offer")
        } else {
            ("requests", "request")
        };
        emit(json!({
            "@id": ids.of(&format!("proposal-{what}"), ds.sites[s].id.as_str()),
            "@type": "vf:Proposal",
            "name": format!("{} {what}", ds.sites[s].name),
            "purpose": purpose,
            "publishes": published,
        }))?;
    }

    let process_id = |id: &str| ids.of("process", id);
    for (i, f) in result.flows.iter().enumerate() {
        let mut satisfies = Vec::new();
        if f.from_process.is_none() {
            satisfies.extend(
                intents
                    .get(&(true, f.from_site.as_str(), f.material_sent.as_str()))
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
        if f.to_process.is_none() {
            satisfies.extend(
                intents
                    .get(&(false, f.to_site.as_str(), f.material_served.as_str()))
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
        let mut node = json!({
            "@id": ids.of("flow", &i.to_string()),
            "@type": "vf:Commitment",
            "action": "vf:transfer",
            "provider": ids.of("site", f.from_site.as_str()),
            "receiver": ids.of("site", f.to_site.as_str()),
            "resourceConformsTo": material(f.material_sent.as_str()),
            "resourceQuantity": tonnes(f.tonnes_sent),
            "satisfies": satisfies,
            "plannedWithin": plan_id,
            "km": f.km,
            "costPerYear": f.cost,
            "co2KgPerYear": f.co2_kg,
        });
        if f.material_served != f.material_sent {
            node["materialServed"] = json!(material(f.material_served.as_str()));
            node["tonnesServed"] = json!(f.tonnes_served);
        }
        if let Some(p) = &f.from_process {
            node["fromProcess"] = json!(process_id(p.as_str()));
        }
        if let Some(p) = &f.to_process {
            node["toProcess"] = json!(process_id(p.as_str()));
        }
        emit(node)?;
    }

    let by_id: HashMap<&str, &Process> = ds.processes.iter().map(|p| (p.id.as_str(), p)).collect();
    for used in result.processes.iter().filter(|p| p.activity > 0.0) {
        let Some(p) = by_id.get(used.id.as_str()) else {
            continue;
        };
        let id = process_id(used.id.as_str());
        emit(json!({
            "@id": id,
            "@type": "vf:Process",
            "name": p.name,
            "inScopeOf": ids.of("site", used.site.as_str()),
            "plannedWithin": plan_id,
        }))?;
        let sides = [
            ("consume", "inputOf", &p.inputs),
            ("produce", "outputOf", &p.outputs),
        ];
        for (action, link, flows) in sides {
            for &(m, coefficient) in flows.iter() {
                let m = ds.material(m).id.as_str();
                emit(json!({
                    "@id": ids.of(&format!("{action}-{}", segment(used.id.as_str())), m),
                    "@type": "vf:Commitment",
                    "action": format!("vf:{action}"),
                    link: id,
                    "resourceConformsTo": material(m),
                    "resourceQuantity": tonnes(used.activity * coefficient),
                    "plannedWithin": plan_id,
                }))?;
            }
        }
    }
    Ok(())
}

/// Writes [`plan`] to `path`, streamed: the same bytes as serialising [`plan`], one node in
/// memory at a time.
pub fn write(
    ds: &Dataset,
    result: &SolveResult,
    path: &std::path::Path,
) -> Result<(), crate::Error> {
    use std::io::Write;
    let write = || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
        w.write_all(br#"{"@context":"#)?;
        serde_json::to_writer(&mut w, &context())?;
        w.write_all(br#","@graph":["#)?;
        let mut first = true;
        each_node(ds, result, &mut |node| {
            if !std::mem::take(&mut first) {
                w.write_all(b",")?;
            }
            serde_json::to_writer(&mut w, &node).map_err(std::io::Error::from)
        })?;
        w.write_all(b"]}")?;
        w.flush()
    };
    write().map_err(|source| crate::Error::Io {
        path: path.display().to_string(),
        source,
    })
}
