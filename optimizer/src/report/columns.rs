//! The columns of a flow table, once: their names, types, how a flow fills them and how
//! `flows.csv` rounds them. `flows.csv` and `flows.parquet` both write exactly these, in this
//! order (the Parquet file typed and at full precision, plus its geometry).

use super::schema::Flow;

/// How a flow fills one column.
#[derive(Clone, Copy)]
pub enum FlowColumn {
    /// Text that is always there.
    Text(fn(&Flow) -> &str),
    /// Text that may be absent (no process at that end): empty in CSV, null in Parquet.
    OptionalText(fn(&Flow) -> Option<&str>),
    /// A number, rounded in CSV to this many decimals.
    Number(fn(&Flow) -> f64, usize),
}

impl std::fmt::Debug for FlowColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FlowColumn::Text(_) => "Text",
            FlowColumn::OptionalText(_) => "OptionalText",
            FlowColumn::Number(..) => "Number",
        })
    }
}

fn from_site(f: &Flow) -> &str {
    f.from_site.as_str()
}
fn from_name(f: &Flow) -> &str {
    &f.from_name
}
fn from_process(f: &Flow) -> Option<&str> {
    f.from_process.as_ref().map(|p| p.as_str())
}
fn to_site(f: &Flow) -> &str {
    f.to_site.as_str()
}
fn to_name(f: &Flow) -> &str {
    &f.to_name
}
fn to_process(f: &Flow) -> Option<&str> {
    f.to_process.as_ref().map(|p| p.as_str())
}
fn material_sent(f: &Flow) -> &str {
    f.material_sent.as_str()
}
fn material_served(f: &Flow) -> &str {
    f.material_served.as_str()
}

/// Every column of a flow table: tonnes to the kg, km to 100 m, money to the cent, CO2 to
/// 100 g in CSV.
pub const FLOW_COLUMNS: &[(&str, FlowColumn)] = &[
    ("from_site", FlowColumn::Text(from_site)),
    ("from_name", FlowColumn::Text(from_name)),
    ("from_process", FlowColumn::OptionalText(from_process)),
    ("to_site", FlowColumn::Text(to_site)),
    ("to_name", FlowColumn::Text(to_name)),
    ("to_process", FlowColumn::OptionalText(to_process)),
    ("material_sent", FlowColumn::Text(material_sent)),
    ("material_served", FlowColumn::Text(material_served)),
    ("tonnes_sent", FlowColumn::Number(|f| f.tonnes_sent, 3)),
    ("tonnes_served", FlowColumn::Number(|f| f.tonnes_served, 3)),
    ("km", FlowColumn::Number(|f| f.km, 1)),
    ("cost", FlowColumn::Number(|f| f.cost, 2)),
    ("co2_kg", FlowColumn::Number(|f| f.co2_kg, 1)),
];
