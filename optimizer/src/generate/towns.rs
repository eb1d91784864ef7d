//! Seeded synthetic regions for scale tests and benches: sites clustered around town
//! centres in a bounding box, a realistic material mix, heavy-tailed stream sizes and
//! optional recycler processes. Same options and seed give the same dataset.
//!
//! Material prices and emission factors below are rounded, order-of-magnitude figures
//! (assumptions, not sourced data): good enough to make routing decisions realistic, not
//! to quote.

use crate::model::domain::*;
use crate::model::ids::{Km, MaterialId, MaterialIdx, ProcessId, SiteId, SiteIdx, Tonnes};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SyntheticOptions {
    /// Number of sites.
    pub sites: usize,
    /// How many materials of the catalogue to use (1..=8).
    pub materials: usize,
    /// Random seed; the same seed writes the same files.
    pub seed: u64,
    /// Existing recycler processes.
    pub processes: usize,
    /// Candidate recycler processes (zero capacity, capex per unit of new capacity).
    pub candidates: usize,
    /// lon_min, lat_min, lon_max, lat_max.
    pub bbox: [f64; 4],
    /// Real towns to place sites around (population-weighted); `None` scatters synthetic
    /// town centres uniformly in `bbox`.
    pub towns: Option<Vec<Town>>,
}

/// A populated place sites cluster around.
#[derive(Clone, Debug)]
pub struct Town {
    /// Town name.
    pub name: String,
    /// Longitude (WGS84).
    pub lon: f64,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Inhabitants, the weight of the town.
    pub population: f64,
}

/// Reads towns from a GeoNames-style CSV (`name`, `latitude`, `longitude`, `countrycode`,
/// `population` columns), plain or gzip-compressed, keeping those of `country` (ISO code) and
/// inside `bbox`.
pub fn load_towns(
    path: &std::path::Path,
    country: Option<&str>,
    bbox: Option<[f64; 4]>,
) -> Result<Vec<Town>, crate::model::error::Error> {
    let file = crate::input::source::open(path)?;
    read_towns(file, &path.display().to_string(), country, bbox)
}

/// [`load_towns`] from any reader of the CSV's text; `label` names it in errors.
pub fn read_towns(
    csv_text: impl std::io::Read,
    label: &str,
    country: Option<&str>,
    bbox: Option<[f64; 4]>,
) -> Result<Vec<Town>, crate::model::error::Error> {
    let io = |e: std::io::Error| crate::model::error::Error::Io {
        path: label.to_owned(),
        source: e,
    };
    let mut reader = csv::Reader::from_reader(csv_text);
    let headers = reader
        .headers()
        .map_err(|e| io(std::io::Error::other(e)))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(n), Some(la), Some(lo), Some(cc), Some(pop)) = (
        col("name"),
        col("latitude"),
        col("longitude"),
        col("countrycode"),
        col("population"),
    ) else {
        return Err(io(std::io::Error::other(
            "needs columns name, latitude, longitude, countrycode, population",
        )));
    };
    let mut towns = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| io(std::io::Error::other(e)))?;
        let num = |i: usize| r.get(i).and_then(|v| v.parse::<f64>().ok());
        let (Some(lat), Some(lon), Some(population)) = (num(la), num(lo), num(pop)) else {
            continue;
        };
        if country.is_some_and(|c| !r.get(cc).unwrap_or("").eq_ignore_ascii_case(c)) {
            continue;
        }
        if bbox.is_some_and(|[x0, y0, x1, y1]| lon < x0 || lon > x1 || lat < y0 || lat > y1) {
            continue;
        }
        if population > 0.0 {
            towns.push(Town {
                name: r.get(n).unwrap_or("").to_owned(),
                lon,
                lat,
                population,
            });
        }
    }
    Ok(towns)
}

impl Default for SyntheticOptions {
    fn default() -> Self {
        Self {
            sites: 1000,
            materials: 5,
            seed: 1,
            processes: 0,
            candidates: 0,
            // Southern Finland, about 220 x 220 km.
            bbox: [23.0, 60.0, 27.0, 62.0],
            towns: None,
        }
    }
}

/// id, import cost, import kg CO2e, disposal cost, disposal kg CO2e (per t); assumptions.
const CATALOGUE: [(&str, f64, f64, f64, f64); 8] = [
    ("wood-residue", 60.0, 60.0, 45.0, 30.0),
    ("metal-scrap", 380.0, 1900.0, 60.0, 10.0),
    ("ash-slag", 40.0, 30.0, 70.0, 15.0),
    ("aggregate", 25.0, 10.0, 20.0, 5.0),
    ("plastic-waste", 150.0, 100.0, 130.0, 2700.0),
    ("plastic-recyclate", 1100.0, 1900.0, 130.0, 2700.0),
    ("paper-fibre", 220.0, 900.0, 80.0, 250.0),
    ("organic", 30.0, 120.0, 60.0, 450.0),
];

/// from, to, ratio: direct substitutions among catalogue materials (assumptions).
const SUBSTITUTIONS: [(usize, usize, f64); 2] = [(2, 3, 0.9), (0, 7, 0.5)];

/// input, output, yield, cost per unit: recycler templates (assumptions).
const RECYCLERS: [(usize, usize, f64, f64); 3] =
    [(4, 5, 0.75, 180.0), (2, 3, 0.95, 8.0), (6, 0, 0.85, 40.0)];

/// Generates a synthetic region.
pub fn generate(opts: &SyntheticOptions) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let nmat = opts.materials.clamp(1, CATALOGUE.len());
    let materials: Vec<Material> = CATALOGUE[..nmat]
        .iter()
        .map(|&(id, ic, ico2, dc, dco2)| Material {
            id: MaterialId::from(id.to_owned()),
            name: id.replace('-', " "),
            ewc: None,
            hazardous: false,
            import_cost: ic,
            import_co2_kg: ico2,
            disposal_cost: dc,
            disposal_co2_kg: dco2,
            max_haul: None,
            transport_cost_per_tkm: None,
            transport_co2_kg_per_tkm: None,
        })
        .collect();
    let [lon0, lat0, lon1, lat1] = opts.bbox;
    let towns: Vec<Town> = match &opts.towns {
        Some(t) if !t.is_empty() => t.clone(),
        _ => (0..(opts.sites / 200).max(1))
            .map(|i| Town {
                name: format!("Town {i}"),
                lon: rng.random_range(lon0..=lon1),
                lat: rng.random_range(lat0..=lat1),
                population: 10_000.0, // 5 km spread, see below
            })
            .collect(),
    };
    // Population-weighted choice by binary search over the cumulative weights.
    let cumulative: Vec<f64> = towns
        .iter()
        .scan(0.0, |acc, t| {
            *acc += t.population;
            Some(*acc)
        })
        .collect();
    let total_weight = cumulative.last().copied().unwrap_or(1.0);
    let mut sites = Vec::with_capacity(opts.sites);
    let mut supplies = Vec::with_capacity(opts.sites);
    let mut demands = Vec::with_capacity(opts.sites);
    for i in 0..opts.sites {
        let pick = rng.random_range(0.0..total_weight);
        let town = &towns[cumulative
            .partition_point(|&c| c <= pick)
            .min(towns.len() - 1)];
        // Industrial sites spread wider around bigger towns: 2 km at 1,000 people, about
        // 11 km at a million (assumption).
        let spread_km = 2.0 + 3.0 * (town.population / 1000.0).max(1.0).log10();
        let spread_deg = spread_km / 111.2;
        let lat = (town.lat + normal(&mut rng) * spread_deg).clamp(-90.0, 90.0);
        let lon = (town.lon + normal(&mut rng) * spread_deg / town.lat.to_radians().cos().max(0.1))
            .clamp(-180.0, 180.0);
        sites.push(Site {
            id: SiteId::from(format!("s{i}")),
            name: format!("Site {i} ({})", town.name),
            lon: round6(lon),
            lat: round6(lat),
            nace: None,
            region: None,
        });
        let supply = rng.random_range(0..nmat);
        supplies.push(Stream {
            site: SiteIdx(i as u32),
            material: MaterialIdx(supply as u32),
            quantity: Tonnes(pareto(&mut rng)),
            unit_cost: None,
            max_haul: None,
        });
        if nmat > 1 {
            let mut demand = rng.random_range(0..nmat - 1);
            if demand >= supply {
                demand += 1;
            }
            demands.push(Stream {
                site: SiteIdx(i as u32),
                material: MaterialIdx(demand as u32),
                quantity: Tonnes(pareto(&mut rng)),
                unit_cost: None,
                max_haul: None,
            });
        }
    }
    let substitutions = SUBSTITUTIONS
        .iter()
        .filter(|&&(f, t, _)| f < nmat && t < nmat)
        .map(|&(f, t, ratio)| Substitution {
            from: MaterialIdx(f as u32),
            to: MaterialIdx(t as u32),
            ratio,
        })
        .collect();
    let templates: Vec<_> = RECYCLERS
        .iter()
        .filter(|&&(i, o, _, _)| i < nmat && o < nmat)
        .collect();
    let mut processes = Vec::new();
    if !templates.is_empty() && !sites.is_empty() {
        for p in 0..opts.processes + opts.candidates {
            let &&(input, output, yield_, cost) = &templates[p % templates.len()];
            let candidate = p >= opts.processes;
            processes.push(Process {
                id: ProcessId::from(format!("{}{p}", if candidate { "cand" } else { "rec" })),
                name: format!(
                    "{} {p}",
                    if candidate {
                        "Candidate recycler"
                    } else {
                        "Recycler"
                    }
                ),
                route: Route::default(),
                site: SiteIdx(rng.random_range(0..sites.len()) as u32),
                capacity: if candidate {
                    0.0
                } else {
                    (pareto(&mut rng) * 20.0).round()
                },
                cost_per_unit: cost,
                co2_kg_per_unit: 20.0,
                candidate_capex: candidate.then_some(cost * 0.5),
                fixed_cost: 0.0,
                min_new_capacity: 0.0,
                max_new_capacity: None,
                inputs: vec![(MaterialIdx(input as u32), 1.0)],
                outputs: vec![(MaterialIdx(output as u32), yield_)],
            });
        }
    }
    Dataset {
        meta: DatasetMeta {
            name: format!("synthetic-{}-s{}", opts.sites, opts.seed),
            description: format!(
                "Synthetic region: {} sites around {} town centres, {} materials, seed {}",
                opts.sites,
                towns.len(),
                nmat,
                opts.seed
            ),
            source: "circulate synthetic generator (assumed prices and factors)".to_owned(),
            currency: "EUR".to_owned(),
        },
        co2_price: 80.0,
        border: None,
        transport: Transport {
            max_haul: Some(Km(300.0)),
            ..Transport::default()
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

/// Standard normal by Box-Muller (keeps the dependency list short).
fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Heavy-tailed stream size (Pareto, alpha 1.3, minimum 5 t, capped at 200 kt), 0.1 t steps.
fn pareto(rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    ((5.0 / u.powf(1.0 / 1.3)).min(200_000.0) * 10.0).round() / 10.0
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
