//! The peer-comparison instance of issue 5: `n` supply and `n` demand points spread
//! uniformly over a square on the equator, one material, integer tonnes, import and disposal
//! 20 per tonne, transport 1 per tonne-km (detour factor 1, no CO2), so pairs up to 40 km
//! apart are worth routing. The square grows with `n` (side 2·sqrt(n) km: a supply and a
//! demand point per 4 km² on average), so the instance stays alike in every size.
//!
//! The recycler variant adds a second material: supplies are scrap, demands want feed, one
//! recycler per 100 points turns scrap into feed at 90 % yield (capacity 2,000 t, 5 per
//! tonne), and scrap substitutes feed directly at 0.8 t per t. It is not a pure
//! transportation problem, so HiGHS solves it.

use crate::model::domain::*;
use crate::model::ids::{MaterialId, MaterialIdx, ProcessId, SiteId, SiteIdx, Tonnes};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Kilometres per degree on the equator (geo's mean radius 6371.0088 km).
const KM_PER_DEGREE: f64 = 111.195_079_734_632_3;

/// Import and disposal cost per tonne of the instance.
pub const SLACK_COST: f64 = 20.0;

fn material(id: &str) -> Material {
    Material {
        id: MaterialId::from(id.to_owned()),
        name: id.to_owned(),
        ewc: None,
        hazardous: false,
        import_cost: SLACK_COST,
        import_co2_kg: 0.0,
        disposal_cost: SLACK_COST,
        disposal_co2_kg: 0.0,
        max_haul: None,
        transport_cost_per_tkm: None,
        transport_co2_kg_per_tkm: None,
    }
}

/// Generates the instance (same `n`, `seed` and variant give the same dataset).
pub fn generate(n: usize, seed: u64, recycler: bool) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let side_km = 2.0 * (n as f64).sqrt();
    let point = |rng: &mut ChaCha8Rng| {
        let x: f64 = rng.random_range(0.0..side_km);
        let y: f64 = rng.random_range(-side_km / 2.0..side_km / 2.0);
        (x / KM_PER_DEGREE, y / KM_PER_DEGREE)
    };
    let mut sites = Vec::with_capacity(2 * n);
    let mut supplies = Vec::with_capacity(n);
    let mut demands = Vec::with_capacity(n);
    let demand_material = MaterialIdx(u32::from(recycler));
    for (prefix, streams, m) in [
        ("s", &mut supplies, MaterialIdx(0)),
        ("d", &mut demands, demand_material),
    ] {
        for i in 0..n {
            let (lon, lat) = point(&mut rng);
            let site = SiteIdx(sites.len() as u32);
            sites.push(Site {
                id: SiteId::from(format!("{prefix}{i}")),
                name: String::new(),
                lon,
                lat,
                nace: None,
                region: None,
            });
            let tonnes = rng.random_range(1..=100u32);
            streams.push(Stream::new(site, m, Tonnes(f64::from(tonnes))));
        }
    }
    let mut materials = vec![material(if recycler { "scrap" } else { "m" })];
    let mut substitutions = Vec::new();
    let mut processes = Vec::new();
    if recycler {
        materials.push(material("feed"));
        substitutions.push(Substitution {
            from: MaterialIdx(0),
            to: MaterialIdx(1),
            ratio: 0.8,
        });
        for r in 0..(n / 100).max(1) {
            processes.push(Process {
                id: ProcessId::from(format!("rec{r}")),
                name: format!("Recycler {r}"),
                route: Route::default(),
                site: SiteIdx(rng.random_range(0..sites.len()) as u32),
                capacity: 2000.0,
                cost_per_unit: 5.0,
                co2_kg_per_unit: 0.0,
                candidate_capex: None,
                fixed_cost: 0.0,
                min_new_capacity: 0.0,
                max_new_capacity: None,
                inputs: vec![(MaterialIdx(0), 1.0)],
                outputs: vec![(MaterialIdx(1), 0.9)],
            });
        }
    }
    Dataset {
        meta: DatasetMeta {
            name: format!("uniform-{n}{}", if recycler { "-recycler" } else { "" }),
            description: "Peer-comparison instance: uniform supply and demand points".into(),
            source: format!("circulate uniform generator, seed {seed}"),
            currency: "EUR".into(),
        },
        co2_price: 0.0,
        border: None,
        transport: Transport {
            cost_per_tkm: 1.0,
            co2_kg_per_tkm: 0.0,
            detour_factor: 1.0,
            max_haul: None,
        },
        materials,
        sites,
        supplies,
        demands,
        substitutions,
        processes,
        investment: Default::default(),
    }
}
