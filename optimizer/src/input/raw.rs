//! The raw dataset: values as written, typed but not yet checked. Both the folder reader and
//! the API conversion produce this; [`super::validate`](mod@super::validate) is the single place that checks it.

use crate::model::error::Location;

/// A row together with where it came from, so errors can point at it.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub at: Location,
    pub row: T,
}

#[derive(Clone, Debug, Default)]
pub struct RawDataset {
    pub config: RawConfig,
    pub materials: Vec<Located<RawMaterial>>,
    pub sites: Vec<Located<RawSite>>,
    pub supplies: Vec<Located<RawStream>>,
    pub demands: Vec<Located<RawStream>>,
    pub substitutions: Vec<Located<RawSubstitution>>,
    pub processes: Vec<Located<RawProcess>>,
    pub process_flows: Vec<Located<RawProcessFlow>>,
}

/// `dataset.toml` (parsed by `input::config`).
#[derive(Clone, Debug, Default)]
pub struct RawConfig {
    pub name: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
    pub currency: Option<String>,
    /// Currency per tonne CO2e.
    pub co2_price: Option<f64>,
    pub transport: RawTransport,
    pub investment: RawInvestment,
    /// Where the config came from, for error messages (set by the reader).
    pub origin: Option<String>,
}

/// `[transport]` in `dataset.toml`.
#[derive(Clone, Debug, Default)]
pub struct RawTransport {
    pub cost_per_tkm: Option<f64>,
    pub co2_kg_per_tkm: Option<f64>,
    pub detour_factor: Option<f64>,
    pub max_haul_km: Option<f64>,
}

/// `[investment]` in `dataset.toml`.
#[derive(Clone, Debug, Default)]
pub struct RawInvestment {
    /// Currency/yr for new capacity and openings together.
    pub budget: Option<f64>,
    /// How many candidates may be opened (a whole number, read as a number).
    pub max_new_processes: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct RawMaterial {
    pub id: String,
    pub name: Option<String>,
    pub ewc: Option<String>,
    pub hazardous: Option<bool>,
    pub import_cost: Option<f64>,
    pub import_co2: Option<f64>,
    pub disposal_cost: Option<f64>,
    pub disposal_co2: Option<f64>,
    pub max_haul_km: Option<f64>,
    pub transport_cost_per_tkm: Option<f64>,
    pub transport_co2_kg_per_tkm: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct RawSite {
    pub id: String,
    pub name: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub nace: Option<String>,
    pub region: Option<String>,
}

/// A row of `supplies.csv` or `demands.csv`.
#[derive(Clone, Debug, Default)]
pub struct RawStream {
    pub site: String,
    pub material: String,
    pub quantity_t: Option<f64>,
    /// Overrides the material's disposal (supply) or import (demand) cost.
    pub unit_cost: Option<f64>,
    pub max_haul_km: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct RawSubstitution {
    pub from: String,
    pub to: String,
    pub ratio: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct RawProcess {
    pub id: String,
    pub site: String,
    pub name: Option<String>,
    pub route: Option<String>,
    pub capacity: Option<f64>,
    pub cost_per_unit: Option<f64>,
    pub candidate_capex: Option<f64>,
    pub fixed_cost: Option<f64>,
    pub min_new_capacity: Option<f64>,
    pub max_new_capacity: Option<f64>,
    pub co2_kg_per_unit: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct RawProcessFlow {
    pub process: String,
    pub material: String,
    pub direction: String,
    pub coefficient: Option<f64>,
}
