//! The dataset format defined once, as data: every file and column with its unit, default,
//! whether it is required, and what it means. The folder reader takes its required columns
//! from here, the writer its headers, and a test checks that the README's format table
//! ([`markdown_table`]) and the proto's messages agree with it.

/// One column of a CSV file.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The header.
    pub name: &'static str,
    /// Unit, or the allowed values.
    pub unit: &'static str,
    /// Value when the cell is empty (`""`: none, the value stays unset).
    pub default: &'static str,
    /// Whether the column must be present.
    pub required: bool,
    /// What it means.
    pub doc: &'static str,
}

/// One CSV file of a dataset folder.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// File name.
    pub file: &'static str,
    /// Whether the file must exist.
    pub required: bool,
    /// The proto message that carries a row of it over the API.
    pub message: &'static str,
    /// Its columns, in the order the writer writes them.
    pub columns: &'static [Column],
}

impl Table {
    /// The columns that must be present.
    pub fn required_columns(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|c| c.required)
            .map(|c| c.name)
            .collect()
    }

    /// Every header, in order.
    pub fn headers(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }
}

const fn col(
    name: &'static str,
    unit: &'static str,
    default: &'static str,
    required: bool,
    doc: &'static str,
) -> Column {
    Column {
        name,
        unit,
        default,
        required,
        doc,
    }
}

/// `materials.csv`.
pub const MATERIALS: Table = Table {
    file: "materials.csv",
    required: true,
    message: "Material",
    columns: &[
        col("id", "text", "", true, "the material's id"),
        col("name", "text", "", false, "a readable name"),
        col(
            "ewc",
            "6-digit EWC code",
            "",
            false,
            "the waste code, when it is a waste",
        ),
        col(
            "hazardous",
            "true/false",
            "false",
            false,
            "a hazardous waste",
        ),
        col(
            "import_cost",
            "currency per t",
            "0",
            false,
            "a tonne bought from outside the region, delivered",
        ),
        col(
            "import_co2",
            "kg CO2e per t",
            "0",
            false,
            "emissions of a tonne imported",
        ),
        col(
            "disposal_cost",
            "currency per t",
            "0",
            false,
            "a tonne landfilled, incinerated or exported (negative = revenue)",
        ),
        col(
            "disposal_co2",
            "kg CO2e per t",
            "0",
            false,
            "emissions of a tonne disposed of",
        ),
        col(
            "max_haul_km",
            "km",
            "",
            false,
            "haul limit of this material (else the dataset's)",
        ),
        col(
            "transport_cost_per_tkm",
            "currency per tonne-km",
            "",
            false,
            "overrides the dataset's transport cost",
        ),
        col(
            "transport_co2_kg_per_tkm",
            "kg CO2e per tonne-km",
            "",
            false,
            "overrides the dataset's transport emissions",
        ),
    ],
};

/// `sites.csv`.
pub const SITES: Table = Table {
    file: "sites.csv",
    required: true,
    message: "Site",
    columns: &[
        col("id", "text", "", true, "the site's id"),
        col("name", "text", "", false, "the enterprise or facility"),
        col("lon", "WGS84 degrees", "", true, "longitude, -180..180"),
        col("lat", "WGS84 degrees", "", true, "latitude, -90..90"),
        col("nace", "NACE code", "", false, "economic activity"),
        col("region", "NUTS code", "", false, "region"),
    ],
};

/// The columns of `supplies.csv` and `demands.csv`.
const STREAM_COLUMNS: &[Column] = &[
    col("site", "site id", "", true, "where"),
    col("material", "material id", "", true, "what"),
    col("quantity_t", "t/yr, >= 0", "", true, "how much per year"),
    col(
        "unit_cost",
        "currency per t",
        "",
        false,
        "this stream's own disposal (supply) or import (demand) price, overriding the material's (exchange listings)",
    ),
    col(
        "max_haul_km",
        "km",
        "",
        false,
        "this stream's own haul limit, on top of the material's",
    ),
];

/// `supplies.csv`: outputs and waste; what is not routed is disposed of.
pub const SUPPLIES: Table = Table {
    file: "supplies.csv",
    required: true,
    message: "Stream",
    columns: STREAM_COLUMNS,
};

/// `demands.csv`: input needs; what is not met locally is imported.
pub const DEMANDS: Table = Table {
    file: "demands.csv",
    required: true,
    message: "Stream",
    columns: STREAM_COLUMNS,
};

/// `substitutions.csv` (optional).
pub const SUBSTITUTIONS: Table = Table {
    file: "substitutions.csv",
    required: false,
    message: "Substitution",
    columns: &[
        col("from", "material id", "", true, "the material sent"),
        col(
            "to",
            "material id",
            "",
            true,
            "the material whose demand it serves",
        ),
        col(
            "ratio",
            "> 0",
            "",
            true,
            "1 t of `from` serves `ratio` t of `to` (every material serves itself at 1)",
        ),
    ],
};

/// `processes.csv` (optional).
pub const PROCESSES: Table = Table {
    file: "processes.csv",
    required: false,
    message: "Process",
    columns: &[
        col("id", "text", "", true, "the process's id"),
        col("site", "site id", "", true, "where it runs"),
        col(
            "name",
            "text",
            "the id",
            false,
            "a readable name for reports",
        ),
        col(
            "route",
            "recovery, disposal, R1-R13 or D1-D15",
            "recovery",
            false,
            "what it does with waste (EU Waste Framework Directive operation); only recovery counts as diverted from disposal",
        ),
        col(
            "capacity",
            "units of activity per yr",
            "",
            true,
            "existing capacity",
        ),
        col(
            "cost_per_unit",
            "currency per unit",
            "0",
            false,
            "operating cost",
        ),
        col(
            "candidate_capex",
            "currency per unit/yr",
            "",
            false,
            "annualised cost of new capacity; makes the process a candidate the LP sizes",
        ),
        col(
            "fixed_cost",
            "currency/yr",
            "0",
            false,
            "candidates only: annualised cost of opening, paid once the candidate gets any new capacity (a yes/no decision)",
        ),
        col(
            "min_new_capacity",
            "units of activity per yr",
            "0",
            false,
            "candidates only: new capacity is 0 or at least this",
        ),
        col(
            "max_new_capacity",
            "units of activity per yr",
            "unlimited",
            false,
            "candidates only: new capacity is at most this",
        ),
        col(
            "co2_kg_per_unit",
            "kg CO2e per unit",
            "0",
            false,
            "operating emissions",
        ),
    ],
};

/// `process_flows.csv` (optional): yields.
pub const PROCESS_FLOWS: Table = Table {
    file: "process_flows.csv",
    required: false,
    message: "ProcessFlow",
    columns: &[
        col("process", "process id", "", true, "the process"),
        col("material", "material id", "", true, "the material"),
        col("direction", "in/out", "", true, "consumed or produced"),
        col(
            "coefficient",
            "t per unit of activity, > 0",
            "",
            true,
            "tonnes per unit of activity",
        ),
    ],
};

/// Every CSV file of a dataset folder, in the order the README lists them.
pub const TABLES: [Table; 7] = [
    MATERIALS,
    SITES,
    SUPPLIES,
    DEMANDS,
    SUBSTITUTIONS,
    PROCESSES,
    PROCESS_FLOWS,
];

/// The format of the CSV files as a Markdown table (the README's, kept equal by a test).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| file | column | unit | default | meaning |\n| --- | --- | --- | --- | --- |\n",
    );
    for table in TABLES {
        let file = if table.required {
            format!("`{}`", table.file)
        } else {
            format!("`{}` (optional)", table.file)
        };
        for (i, c) in table.columns.iter().enumerate() {
            let name = if c.required {
                format!("`{}` (required)", c.name)
            } else {
                format!("`{}`", c.name)
            };
            let default = if c.default.is_empty() { "" } else { c.default };
            let file = if i == 0 { file.as_str() } else { "" };
            out.push_str(&format!(
                "| {file} | {name} | {} | {default} | {} |\n",
                c.unit, c.doc
            ));
        }
    }
    out
}
