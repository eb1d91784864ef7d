//! The documented mapping file that turns E-PRTR facility activities into circulate's
//! materials, supplies, demands and processes (`datasets/prtr-mapping.toml`). Everything a
//! country-specific import needs (projection of x/y, prices, shares) lives in the file, so
//! the importer itself holds no country assumptions.

use crate::model::domain::Route;
use crate::model::error::{FieldErrors, Location};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole mapping file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Dataset name prefix; the year is appended (`finland` -> `finland-2023`).
    pub name: String,
    pub description: String,
    /// Attribution written into `dataset.toml`.
    pub source: String,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Currency per t CO2e.
    #[serde(default)]
    pub co2_price: f64,
    /// PROJ string of the facilities' `x`/`y` columns (EPSG:3067 for Finland).
    pub xy_proj: Option<String>,
    #[serde(default)]
    pub transport: MappingTransport,
    pub materials: Vec<MappingMaterial>,
    #[serde(default)]
    pub substitutions: Vec<MappingSubstitution>,
    pub activities: Vec<Activity>,
}

fn default_currency() -> String {
    "EUR".to_owned()
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingTransport {
    pub cost_per_tkm: Option<f64>,
    pub co2_kg_per_tkm: Option<f64>,
    pub detour_factor: Option<f64>,
    pub max_haul_km: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingMaterial {
    pub id: String,
    pub name: String,
    pub ewc: Option<String>,
    #[serde(default)]
    pub hazardous: bool,
    #[serde(default)]
    pub import_cost: f64,
    #[serde(default)]
    pub import_co2: f64,
    #[serde(default)]
    pub disposal_cost: f64,
    #[serde(default)]
    pub disposal_co2: f64,
    pub max_haul_km: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSubstitution {
    pub from: String,
    pub to: String,
    pub ratio: f64,
}

/// What facilities of some activity codes produce, take and do.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Annex I code prefixes (`"6(a)"`, `"2(e)"`, `"*"` for the default); the longest
    /// matching prefix wins.
    pub codes: Vec<String>,
    pub label: String,
    /// Material shares of reported waste by class: `HW`, `NONHW`, or the narrower
    /// `HW.R`, `HW.D`, `NONHW.R`, `NONHW.D`. A class missing here falls back to the
    /// default activity's. Shares of one class sum to 1.
    #[serde(default)]
    pub waste: BTreeMap<String, BTreeMap<String, f64>>,
    /// Secondary materials each facility can take, t/yr.
    #[serde(default)]
    pub inputs: BTreeMap<String, f64>,
    /// Each facility runs this process (waste installations).
    pub process: Option<MappingProcess>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingProcess {
    /// Recovery or disposal, or an R/D operation code; default recovery.
    pub route: Option<String>,
    pub capacity: f64,
    #[serde(default)]
    pub cost_per_unit: f64,
    #[serde(default)]
    pub co2_kg_per_unit: f64,
    pub candidate_capex: Option<f64>,
    pub inputs: BTreeMap<String, f64>,
    pub outputs: BTreeMap<String, f64>,
}

/// The four classes of reported transfers.
pub const CLASSES: [&str; 4] = ["HW.R", "HW.D", "NONHW.R", "NONHW.D"];

impl Mapping {
    /// Parses and checks a mapping file: known material ids, shares summing to 1, a
    /// default activity.
    pub fn parse(text: &str, origin: &str) -> Result<Mapping, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mapping: Mapping = toml::from_str(text).map_err(|e| {
            let mut errs = FieldErrors::default();
            errs.push(Location::table(origin), e.message().to_owned());
            errs
        })?;
        let known: std::collections::HashSet<&str> =
            mapping.materials.iter().map(|m| m.id.as_str()).collect();
        let at = |key: String| Location::table(origin).column(&key);
        let check_material = |id: &str, key: String, errors: &mut FieldErrors| {
            if !known.contains(id) {
                errors.push(at(key), format!("unknown material {id:?}"));
            }
        };
        for (i, s) in mapping.substitutions.iter().enumerate() {
            check_material(&s.from, format!("substitutions[{i}].from"), &mut errors);
            check_material(&s.to, format!("substitutions[{i}].to"), &mut errors);
        }
        match mapping
            .activities
            .iter()
            .find(|a| a.codes.iter().any(|c| c == "*"))
        {
            None => errors.push(
                at("activities".into()),
                "needs a default activity with codes = [\"*\"]",
            ),
            Some(default) => {
                // Every reported tonne must land in some material.
                for class in CLASSES {
                    let broad = class.split('.').next().unwrap_or(class);
                    if !default.waste.contains_key(class) && !default.waste.contains_key(broad) {
                        errors.push(
                            at("activities[*].waste".into()),
                            format!("the default activity has no shares for {class}"),
                        );
                    }
                }
            }
        }
        for (i, a) in mapping.activities.iter().enumerate() {
            for (class, shares) in &a.waste {
                let key = format!("activities[{i}].waste.{class}");
                if !["HW", "NONHW"].contains(&class.as_str()) && !CLASSES.contains(&class.as_str())
                {
                    errors.push(
                        at(key.clone()),
                        "class must be HW, NONHW, HW.R, HW.D, NONHW.R or NONHW.D",
                    );
                }
                let total: f64 = shares.values().sum();
                if (total - 1.0).abs() > 1e-9 {
                    errors.push(at(key.clone()), format!("shares sum to {total}, not 1"));
                }
                for m in shares.keys() {
                    check_material(m, key.clone(), &mut errors);
                }
            }
            for m in a.inputs.keys() {
                check_material(m, format!("activities[{i}].inputs"), &mut errors);
            }
            if let Some(p) = &a.process {
                for m in p.inputs.keys().chain(p.outputs.keys()) {
                    check_material(m, format!("activities[{i}].process"), &mut errors);
                }
                if let Some(route) = &p.route
                    && Route::parse(route).is_none()
                {
                    errors.push(
                        at(format!("activities[{i}].process.route")),
                        format!("must be recovery, disposal, R1-R13 or D1-D15 (got {route:?})"),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(mapping)
        } else {
            Err(errors)
        }
    }

    /// The activity for an Annex I code: the longest matching prefix, else the default.
    pub fn activity(&self, code: &str) -> &Activity {
        let mut best: Option<(&Activity, usize)> = None;
        for a in &self.activities {
            for c in &a.codes {
                let len = if c == "*" {
                    0
                } else if code.starts_with(c.as_str()) {
                    c.len()
                } else {
                    continue;
                };
                if best.is_none_or(|(_, l)| len > l) {
                    best = Some((a, len));
                }
            }
        }
        // parse() guarantees a default activity exists.
        best.map(|(a, _)| a).unwrap_or(&self.activities[0])
    }

    fn default_activity(&self) -> &Activity {
        self.activity("*")
    }

    /// Material shares for a class (`NONHW.R`, ...) of an activity, with fallbacks from
    /// the narrow class to the broad one and from the activity to the default.
    pub fn shares<'a>(&'a self, activity: &'a Activity, class: &str) -> &'a BTreeMap<String, f64> {
        let broad = class.split('.').next().unwrap_or(class);
        for a in [activity, self.default_activity()] {
            if let Some(s) = a.waste.get(class).or_else(|| a.waste.get(broad)) {
                return s;
            }
        }
        static EMPTY: BTreeMap<String, f64> = BTreeMap::new();
        &EMPTY
    }
}
