//! The page's cards and tables: KPIs with their definitions, import-substitution targets a
//! planner can act on, shadow prices by material and by site, and the emission factors the
//! CO2 figures rest on.

use super::svg::{attr, text};
use crate::format::grouped;
use optimizer::Dataset;
use optimizer::SolveResult;
use optimizer::report::{KPI_DEFINITIONS, Kpis, StreamPrice};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// A KPI's value by its key in `kpis` (the keys of [`KPI_DEFINITIONS`]).
pub fn kpi_value(k: &Kpis, key: &str) -> Option<f64> {
    Some(match key {
        "cost_saved" => k.cost_saved,
        "co2_saved_t" => k.co2_saved_t,
        "diverted_from_disposal_t" => k.diverted_from_disposal_t,
        "recovery_rate" => k.recovery_rate,
        "imports_substituted_t" => k.imports_substituted_t,
        "secondary_input_rate" => k.secondary_input_rate,
        "tonne_km" => k.tonne_km,
        _ => return None,
    })
}

/// One card per KPI: value, unit, definition and assumption. Each value carries its exact
/// number in `data-value`, so a reader (or a test) can check it against `result.json`.
pub fn kpi_cards(result: &SolveResult, k: &Kpis) -> String {
    let mut out = String::from("<div class=\"cards\">");
    for d in KPI_DEFINITIONS {
        let Some(value) = kpi_value(k, d.key) else {
            continue;
        };
        let shown = match d.unit {
            "currency/yr" => format!("{} {}/yr", grouped(value, 0), text(&result.currency)),
            unit if unit.starts_with("share") => format!("{:.1}%", value * 100.0),
            // A decimal place only where it is still readable.
            unit => format!(
                "{} {}",
                grouped(value, if value.abs() >= 1e5 { 0 } else { 1 }),
                text(unit)
            ),
        };
        let context = match d.key {
            "cost_saved" if result.baseline.abs() > 0.0 => format!(
                "{:.1}% of the baseline's {} {}/yr",
                value / result.baseline.abs() * 100.0,
                grouped(result.baseline, 0),
                text(&result.currency)
            ),
            "diverted_from_disposal_t" => {
                format!("of {} t/yr supplied", grouped(k.total_supply_t, 1))
            }
            "imports_substituted_t" => {
                format!("of {} t/yr demanded", grouped(k.total_demand_t, 1))
            }
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"label\">{}</div>\
             <div class=\"value\" data-kpi=\"{}\" data-value=\"{}\">{}</div>\
             <div class=\"context\">{}</div>\
             <p class=\"definition\">{}</p><p class=\"assumption\">Rests on: {}</p></div>",
            text(d.label),
            attr(d.key),
            value,
            shown,
            context,
            text(d.definition),
            text(d.assumption)
        );
    }
    out.push_str("</div>");
    out
}

/// The targets table: material, tonnes, where new capacity goes, investment, savings and
/// the material's shadow price.
pub fn targets(ds: &Dataset, result: &SolveResult) -> String {
    if result.targets.is_empty() {
        return "<p>No demand to substitute.</p>".to_owned();
    }
    let names = material_names(ds);
    let prices = result
        .shadow_prices
        .as_ref()
        .map(|p| by_material(&p.demands));
    let process_name: HashMap<&str, &str> = ds
        .processes
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let input_unit: HashMap<&str, String> = ds
        .processes
        .iter()
        .map(|p| {
            let unit = p.inputs.first().map_or_else(
                || "units of activity/yr".to_owned(),
                |&(m, c)| {
                    format!(
                        "units/yr (1 unit takes in {} t of {})",
                        grouped(c, 2),
                        ds.material(m).name
                    )
                },
            );
            (p.id.as_str(), unit)
        })
        .collect();
    let mut out = String::from(
        "<table id=\"targets\"><thead><tr><th>#</th><th>Material</th><th>Demand t/yr</th>\
         <th>Still imported t/yr</th><th>Met locally t/yr</th><th>From</th>\
         <th>New capacity (where, how much)</th><th>Investment /yr</th><th>Net savings /yr</th>\
         <th>Shadow price /t</th></tr></thead><tbody>",
    );
    for t in &result.targets {
        let served: Vec<String> = t
            .served_by
            .iter()
            .map(|s| {
                format!(
                    "{} t {}",
                    grouped(s.tonnes_sent, 1),
                    text(name_of(&names, s.material.as_str()))
                )
            })
            .collect();
        let capacity: Vec<String> = t
            .new_capacity
            .iter()
            .map(|c| {
                let process = process_name
                    .get(c.process.as_str())
                    .copied()
                    .unwrap_or(c.process.as_str());
                // Named once: PRTR process names already carry their facility's.
                let place = if process.contains(c.site_name.as_str()) {
                    String::new()
                } else {
                    format!(" at {}", text(&c.site_name))
                };
                // A candidate with a start-up cost is a decision to open it.
                let open = if c.fixed_cost > 0.0 { "open " } else { "" };
                format!(
                    "{open}<b>{}</b>{place}: {} {}",
                    text(process),
                    grouped(c.new_capacity, 1),
                    text(
                        input_unit
                            .get(c.process.as_str())
                            .map_or("units/yr", |u| u.as_str())
                    )
                )
            })
            .collect();
        // What the new capacity costs a year: per unit and, where opened, to start.
        let capex: f64 = t.new_capacity.iter().map(|c| c.capex + c.fixed_cost).sum();
        let price = prices
            .as_ref()
            .and_then(|p| p.get(t.material.as_str()))
            .map_or_else(|| "-".to_owned(), PriceRange::show);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            t.rank,
            text(name_of(&names, t.material.as_str())),
            grouped(t.demand_t, 1),
            grouped(t.imported_t, 1),
            grouped(t.substituted_t, 1),
            if served.is_empty() {
                "-".to_owned()
            } else {
                served.join("<br>")
            },
            if capacity.is_empty() {
                "-".to_owned()
            } else {
                capacity.join("<br>")
            },
            if capex > 0.0 {
                grouped(capex, 0)
            } else {
                "-".to_owned()
            },
            grouped(t.net_savings, 0),
            price
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The range and tonne-weighted mean of a material's shadow prices.
#[derive(Clone, Copy, Debug)]
struct PriceRange {
    low: f64,
    high: f64,
    weighted: f64,
    tonnes: f64,
}

impl PriceRange {
    fn show(&self) -> String {
        let mean = if self.tonnes > 0.0 {
            self.weighted / self.tonnes
        } else {
            0.0
        };
        if (self.high - self.low).abs() < 0.005 {
            grouped(mean, 2)
        } else {
            format!(
                "{} ({} to {})",
                grouped(mean, 2),
                grouped(self.low, 2),
                grouped(self.high, 2)
            )
        }
    }
}

fn by_material(prices: &[StreamPrice]) -> BTreeMap<&str, PriceRange> {
    let mut out: BTreeMap<&str, PriceRange> = BTreeMap::new();
    for p in prices {
        let r = out.entry(p.material.as_str()).or_insert(PriceRange {
            low: f64::INFINITY,
            high: f64::NEG_INFINITY,
            weighted: 0.0,
            tonnes: 0.0,
        });
        r.low = r.low.min(p.marginal_cost);
        r.high = r.high.max(p.marginal_cost);
        r.weighted += p.marginal_cost * p.quantity_t;
        r.tonnes += p.quantity_t;
    }
    out
}

fn material_names(ds: &Dataset) -> HashMap<&str, &str> {
    ds.materials
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect()
}

fn name_of<'a>(names: &HashMap<&str, &'a str>, id: &'a str) -> &'a str {
    names.get(id).copied().unwrap_or(id)
}

/// Shadow prices by material (supplies and demands) and the sites where one more tonne is
/// worth most.
pub fn shadow_prices(ds: &Dataset, result: &SolveResult, rows: usize) -> String {
    let Some(prices) = &result.shadow_prices else {
        return "<p>Shadow prices are reported for certified optima only; this plan is not \
                certified.</p>"
            .to_owned();
    };
    let names = material_names(ds);
    let site_name: HashMap<&str, &str> = ds
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let cur = text(&result.currency);
    let mut out = String::new();
    let supplies = by_material(&prices.supplies);
    let demands = by_material(&prices.demands);
    let _ = write!(
        out,
        "<table id=\"prices-by-material\"><thead><tr><th>Material</th>\
         <th>One more tonne supplied ({cur}/t)</th><th>One more tonne demanded ({cur}/t)</th>\
         </tr></thead><tbody>"
    );
    let mut materials: Vec<&str> = supplies.keys().chain(demands.keys()).copied().collect();
    materials.sort_unstable();
    materials.dedup();
    for m in materials {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            text(name_of(&names, m)),
            supplies
                .get(m)
                .map_or_else(|| "-".to_owned(), PriceRange::show),
            demands
                .get(m)
                .map_or_else(|| "-".to_owned(), PriceRange::show),
        );
    }
    out.push_str("</tbody></table>");
    // A supply's dual is the cost of one more tonne: the most negative is worth most.
    let mut valuable: Vec<&StreamPrice> = prices.supplies.iter().collect();
    valuable.sort_by(|a, b| a.marginal_cost.total_cmp(&b.marginal_cost));
    let mut costly: Vec<&StreamPrice> = prices.demands.iter().collect();
    costly.sort_by(|a, b| b.marginal_cost.total_cmp(&a.marginal_cost));
    for (id, title, list, sign) in [
        (
            "prices-supplies",
            "Where one more tonne of supply is worth most (the region's cost falls by)",
            valuable,
            -1.0,
        ),
        (
            "prices-demands",
            "Where one more tonne of demand costs most to meet",
            costly,
            1.0,
        ),
    ] {
        let _ = write!(
            out,
            "<h3>{title}</h3><table id=\"{id}\"><thead><tr><th>Site</th><th>Material</th>\
             <th>t/yr</th><th>{cur}/t</th></tr></thead><tbody>"
        );
        for p in list.iter().take(rows) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                text(
                    site_name
                        .get(p.site.as_str())
                        .copied()
                        .unwrap_or(p.site.as_str())
                ),
                text(name_of(&names, p.material.as_str())),
                grouped(p.quantity_t, 1),
                grouped(sign * p.marginal_cost, 2)
            );
        }
        out.push_str("</tbody></table>");
    }
    out
}

/// The emission factors behind every CO2 figure, with the dataset's source.
pub fn emission_factors(ds: &Dataset) -> String {
    let mut out = format!(
        "<p>Trucking: {} kg CO2e per tonne-km (road km = great-circle km x {}), CO2 priced at \
         {} {}/t in the objective.</p><table id=\"factors\"><thead><tr><th>Material</th>\
         <th>kg CO2e per t imported</th><th>kg CO2e per t disposed of</th>\
         <th>kg CO2e per tkm</th></tr></thead><tbody>",
        grouped(ds.transport.co2_kg_per_tkm, 3),
        grouped(ds.transport.detour_factor, 2),
        grouped(ds.co2_price, 2),
        text(&ds.meta.currency)
    );
    for m in &ds.materials {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            text(&m.name),
            grouped(m.import_co2_kg, 1),
            grouped(m.disposal_co2_kg, 1),
            grouped(
                m.transport_co2_kg_per_tkm
                    .unwrap_or(ds.transport.co2_kg_per_tkm),
                3
            )
        );
    }
    let _ = write!(
        out,
        "</tbody></table><p class=\"source\">Source: {}</p>",
        if ds.meta.source.is_empty() {
            "not stated in the dataset".to_owned()
        } else {
            text(&ds.meta.source)
        }
    );
    out
}

/// "What each opening is worth": for every candidate solved both ways (`--value-openings`),
/// the optimum with it open and closed and the difference, largest first; empty when none.
pub fn opening_values(result: &SolveResult) -> String {
    let mut valued: Vec<(&optimizer::report::ProcessUse, f64, f64)> = result
        .processes
        .iter()
        .filter_map(|p| Some((p, p.objective_if_open?, p.objective_if_closed?)))
        .collect();
    if valued.is_empty() {
        return String::new();
    }
    valued.sort_by(|a, b| (b.2 - b.1).total_cmp(&(a.2 - a.1)));
    let cur = text(&result.currency);
    let mut out = format!(
        "<section id=\"openings\"><h2>What each opening is worth</h2><p class=\"muted\">The \
         optimum with each candidate forced open and forced closed, the rest chosen freely; \
         closed minus open is what opening it saves the region ({cur}/yr).</p><table \
         id=\"opening-values\"><thead><tr><th>Candidate</th><th>Site</th><th>Opened</th>\
         <th>If open</th><th>If closed</th><th>Opening saves</th></tr></thead><tbody>"
    );
    for (p, open, closed) in valued {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            text(p.id.as_str()),
            text(p.site.as_str()),
            if p.opened == Some(true) { "yes" } else { "no" },
            grouped(open, 0),
            grouped(closed, 0),
            grouped(closed - open, 0)
        );
    }
    out.push_str("</tbody></table></section>");
    out
}
