//! Parses `dataset.toml` into a [`RawConfig`], reporting every problem at once (each syntax
//! error the parser recovers from, each unknown key, each value of the wrong type) with its
//! line, where deserializing into the struct would stop at the first.

use super::raw::{RawConfig, RawInvestment, RawTransport};
use crate::model::error::{FieldErrors, Location};
use toml::de::{DeTable, DeValue};

/// The keys of the top level, and of `[transport]`.
const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "source",
    "currency",
    "co2_price",
    "transport",
    "investment",
];
const TRANSPORT_KEYS: &[&str] = &[
    "cost_per_tkm",
    "co2_kg_per_tkm",
    "detour_factor",
    "max_haul_km",
];
const INVESTMENT_KEYS: &[&str] = &["budget", "max_new_processes"];

/// The settings in `text` (read from `file`), with every problem added to `errors`; keys
/// with problems are left unset.
pub fn parse_config(text: &str, file: &str, errors: &mut FieldErrors) -> RawConfig {
    let (document, syntax) = DeTable::parse_recoverable(text);
    let line_of = |offset: usize| 1 + text[..offset.min(text.len())].matches('\n').count() as u64;
    for e in syntax {
        let at = Location {
            line: e.span().map(|s| line_of(s.start)),
            ..Location::table(file)
        };
        errors.push(at, e.message().trim().to_owned());
    }
    let mut reader = Reader {
        file,
        line_of: &line_of,
        errors,
    };
    let top = document.get_ref();
    reader.unknown_keys(top, "", TOP_KEYS);
    let transport = reader
        .table(top, "transport", TRANSPORT_KEYS)
        .map(|t| RawTransport {
            cost_per_tkm: reader.number(t, "transport.", "cost_per_tkm"),
            co2_kg_per_tkm: reader.number(t, "transport.", "co2_kg_per_tkm"),
            detour_factor: reader.number(t, "transport.", "detour_factor"),
            max_haul_km: reader.number(t, "transport.", "max_haul_km"),
        })
        .unwrap_or_default();
    let investment = reader
        .table(top, "investment", INVESTMENT_KEYS)
        .map(|t| RawInvestment {
            budget: reader.number(t, "investment.", "budget"),
            max_new_processes: reader.number(t, "investment.", "max_new_processes"),
        })
        .unwrap_or_default();
    RawConfig {
        name: reader.text(top, "name"),
        description: reader.text(top, "description"),
        source: reader.text(top, "source"),
        currency: reader.text(top, "currency"),
        co2_price: reader.number(top, "", "co2_price"),
        transport,
        investment,
        origin: Some(file.to_owned()),
    }
}

struct Reader<'a> {
    file: &'a str,
    line_of: &'a dyn Fn(usize) -> u64,
    errors: &'a mut FieldErrors,
}

impl Reader<'_> {
    fn at(&self, key: &str, offset: usize) -> Location {
        Location {
            line: Some((self.line_of)(offset)),
            ..Location::table(self.file)
        }
        .column(key)
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, prefix: &str, known: &[&str]) {
        for (key, _) in table.iter() {
            if !known.contains(&key.get_ref().as_ref()) {
                let at = self.at(&format!("{prefix}{}", key.get_ref()), key.span().start);
                self.errors
                    .push(at, format!("unknown key (known: {})", known.join(", ")));
            }
        }
    }

    fn wrong_type(&mut self, key: &str, offset: usize, expected: &str, got: &DeValue<'_>) {
        let at = self.at(key, offset);
        self.errors
            .push(at, format!("must be {expected} (got a {})", got.type_str()));
    }

    /// The sub-table `key` of `top`, its unknown keys reported; `None` when absent or not a
    /// table (reported).
    fn table<'t>(
        &mut self,
        top: &'t DeTable<'t>,
        key: &str,
        known: &[&str],
    ) -> Option<&'t DeTable<'t>> {
        let value = top.get(key)?;
        match value.get_ref() {
            DeValue::Table(t) => {
                self.unknown_keys(t, &format!("{key}."), known);
                Some(t)
            }
            other => {
                self.wrong_type(key, value.span().start, "a table", other);
                None
            }
        }
    }

    fn text(&mut self, table: &DeTable<'_>, key: &str) -> Option<String> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.wrong_type(key, value.span().start, "text", other);
                None
            }
        }
    }

    fn number(&mut self, table: &DeTable<'_>, prefix: &str, key: &str) -> Option<f64> {
        let value = table.get(key)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .ok()
                .map(|i| i as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                self.wrong_type(
                    &format!("{prefix}{key}"),
                    value.span().start,
                    "a number",
                    other,
                );
                return None;
            }
        };
        if parsed.is_none() {
            let at = self.at(&format!("{prefix}{key}"), value.span().start);
            self.errors.push(at, "not a number");
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let mut errors = FieldErrors::default();
        let text = "nmae = \"typo\"\nco2_price = \"high\"\n[transport]\ncost_per_tkm = 0.2\ndetour = 2\nmax_haul_km = true\n";
        let c = parse_config(text, "dataset.toml", &mut errors);
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "dataset.toml line 1, column nmae: unknown key (known: name, description, source, currency, co2_price, transport, investment)",
                "dataset.toml line 5, column transport.detour: unknown key (known: cost_per_tkm, co2_kg_per_tkm, detour_factor, max_haul_km)",
                "dataset.toml line 6, column transport.max_haul_km: must be a number (got a boolean)",
                "dataset.toml line 2, column co2_price: must be a number (got a string)",
            ]
        );
        assert_eq!(c.transport.cost_per_tkm, Some(0.2));
        assert_eq!(c.co2_price, None);
    }

    #[test]
    fn numbers_in_every_toml_spelling() {
        let mut errors = FieldErrors::default();
        let c = parse_config(
            "co2_price = 1_000\n[transport]\ncost_per_tkm = 0x10\nco2_kg_per_tkm = 1e-1\ndetour_factor = inf\n",
            "dataset.toml",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(c.co2_price, Some(1000.0));
        assert_eq!(c.transport.cost_per_tkm, Some(16.0));
        assert_eq!(c.transport.co2_kg_per_tkm, Some(0.1));
        assert_eq!(c.transport.detour_factor, Some(f64::INFINITY));
    }

    #[test]
    fn syntax_errors_are_reported_and_the_rest_still_read() {
        let mut errors = FieldErrors::default();
        let c = parse_config(
            "name = \"a\"\nco2_price = = 3\n",
            "dataset.toml",
            &mut errors,
        );
        assert!(!errors.is_empty());
        assert!(
            errors.iter().all(|e| e.location.line == Some(2)),
            "{errors}"
        );
        assert_eq!(c.name.as_deref(), Some("a"));
    }
}
