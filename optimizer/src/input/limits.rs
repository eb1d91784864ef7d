//! The range every number of a dataset must lie in, defined once: the validator checks each
//! value against its [`Range`], and the README's limits table ([`markdown_table`]) is
//! generated from the same list.
//!
//! Why limits at all: HiGHS reads any magnitude of 1e20 or more as infinite, and products of
//! a cost and a quantity enter the objective, so a quantity of 1e20 t or a ratio of 1e308
//! that passed a finiteness check would come back as a solver error with no field to blame.
//! The limits are far above any real value (world material use is about 1e11 t a year) and
//! keep every product of a cost, a quantity and a ratio below 1e18.

/// A closed range of allowed values, or half-open at zero when `above_zero`.
#[derive(Clone, Copy, Debug)]
pub struct Range {
    /// What the values are, for the table.
    pub what: &'static str,
    /// Smallest allowed value.
    pub min: f64,
    /// Whether `min` itself is excluded (ratios must be positive).
    pub above_zero: bool,
    /// Largest allowed value.
    pub max: f64,
}

impl Range {
    /// Whether `x` is a finite number inside the range.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite()
            && x <= self.max
            && (if self.above_zero {
                x > 0.0
            } else {
                x >= self.min
            })
    }

    /// The range in words, for error messages and the README.
    pub fn describe(&self) -> String {
        if self.above_zero {
            format!("a number > 0 and <= {}", number(self.max))
        } else {
            format!(
                "a number between {} and {}",
                number(self.min),
                number(self.max)
            )
        }
    }
}

/// Limits written as powers of ten where that is shorter.
fn number(x: f64) -> String {
    if x != 0.0 && x.abs() >= 1e6 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Tonnes (stream quantities) and process capacities, per year.
pub const TONNES: Range = Range {
    what: "quantities and capacities (t/yr, units/yr)",
    min: 0.0,
    above_zero: false,
    max: 1e12,
};

/// Money per tonne or per unit; negative values are revenues.
pub const MONEY_PER_UNIT: Range = Range {
    what: "costs per t or per unit (negative: a revenue)",
    min: -1e9,
    above_zero: false,
    max: 1e9,
};

/// Prices that cannot be revenues.
pub const PRICE: Range = Range {
    what: "transport costs per tkm; co2_price (per t CO2e)",
    min: 0.0,
    above_zero: false,
    max: 1e9,
};

/// Emissions per tonne, unit or tonne-km.
pub const CO2_PER_UNIT: Range = Range {
    what: "kg CO2e per t, per unit or per tkm",
    min: 0.0,
    above_zero: false,
    max: 1e9,
};

/// The annualised cost of new capacity (not a one-off sum: the LP compares it with the
/// yearly costs it saves).
pub const CAPEX: Range = Range {
    what: "candidate_capex (currency per unit/yr)",
    min: 0.0,
    above_zero: false,
    max: 1e15,
};

/// The annualised cost of opening a candidate, and the investment budget.
pub const FIXED_COST: Range = Range {
    what: "fixed_cost and [investment] budget (currency/yr)",
    min: 0.0,
    above_zero: false,
    max: 1e15,
};

/// Sizes of new capacity.
pub const NEW_CAPACITY: Range = Range {
    what: "min_new_capacity and max_new_capacity (units/yr)",
    min: 0.0,
    above_zero: false,
    max: 1e15,
};

/// How many candidates may be opened.
pub const NEW_PROCESSES: Range = Range {
    what: "[investment] max_new_processes",
    min: 0.0,
    above_zero: false,
    max: 1e6,
};

/// Substitution ratios and process coefficients.
pub const RATIO: Range = Range {
    what: "ratios and coefficients",
    min: 0.0,
    above_zero: true,
    max: 1e6,
};

/// Haul limits: more than twice round the Earth means no limit, and should be left empty.
pub const KM: Range = Range {
    what: "max_haul_km (km)",
    min: 0.0,
    above_zero: false,
    max: 1e5,
};

/// Road km over great-circle km.
pub const DETOUR: Range = Range {
    what: "detour_factor",
    min: 1.0,
    above_zero: false,
    max: 100.0,
};

/// Longitudes, WGS84 degrees (the README states coordinates apart from this table).
pub const LONGITUDE: Range = Range {
    what: "lon",
    min: -180.0,
    above_zero: false,
    max: 180.0,
};

/// Latitudes, WGS84 degrees.
pub const LATITUDE: Range = Range {
    what: "lat",
    min: -90.0,
    above_zero: false,
    max: 90.0,
};

/// Every range, in the README's order.
pub const RANGES: &[Range] = &[
    TONNES,
    MONEY_PER_UNIT,
    PRICE,
    CO2_PER_UNIT,
    CAPEX,
    FIXED_COST,
    NEW_CAPACITY,
    NEW_PROCESSES,
    RATIO,
    KM,
    DETOUR,
];

/// The limits as a Markdown table (the README's, kept equal by a test).
pub fn markdown_table() -> String {
    let mut out = String::from("| values | allowed |\n| --- | --- |\n");
    for r in RANGES {
        out.push_str(&format!("| {} | {} |\n", r.what, r.describe()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_exclude_what_highs_reads_as_infinite() {
        for r in RANGES {
            assert!(!r.contains(1e20) && !r.contains(-1e20) && !r.contains(f64::NAN));
            assert!(r.contains(r.max) && !r.contains(r.max * 1.001));
        }
        assert!(!RATIO.contains(0.0) && RATIO.contains(1e-9));
        assert!(TONNES.contains(0.0) && !TONNES.contains(-1e-9));
        assert!(MONEY_PER_UNIT.contains(-1e9) && !MONEY_PER_UNIT.contains(-1.1e9));
    }
}
