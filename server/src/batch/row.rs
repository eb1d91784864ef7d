//! One region's line in a batch's `summary.csv`: status, cost against the baseline, the
//! KPIs, time, and the error when it failed. Written beside the region's results too, so a
//! resumed run rebuilds the summary without solving again.

use optimizer::SolveResult;
use serde::{Deserialize, Serialize};

/// A region's summary row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionRow {
    /// The region's name (its path under the batch root).
    pub region: String,
    /// `optimal`, `time_limit`, ... or `failed`.
    pub status: String,
    /// Cost of the plan, currency/yr (empty without a plan).
    pub objective: Option<f64>,
    /// Cost with everything disposed of and imported.
    pub baseline: Option<f64>,
    /// Baseline minus the plan.
    pub saved: Option<f64>,
    /// Supplied tonnes sent to recovery (demands and recovery processes).
    pub diverted_t: Option<f64>,
    /// `diverted_t` over the tonnes supplied, 0..1.
    pub recovery_rate: Option<f64>,
    /// Demand met locally instead of imported, t.
    pub imports_substituted_t: Option<f64>,
    /// Share of demand met by local secondary material, 0..1.
    pub secondary_input_rate: Option<f64>,
    /// t CO2e/yr saved against the baseline.
    pub co2_saved_t: Option<f64>,
    /// How far the plan can be above the certified optimum (0: certified).
    pub optimality_gap: Option<f64>,
    /// Wall seconds of reading, solving and writing the region.
    pub seconds: f64,
    /// Why it failed (empty when it did not).
    pub error: String,
}

impl RegionRow {
    /// The row of a solved region.
    pub fn solved(region: &str, result: &SolveResult, seconds: f64) -> Self {
        let k = result.kpis.as_ref();
        let money = |x: f64| round(x, 2);
        let tonnes = |x: f64| round(x, 3);
        RegionRow {
            region: region.to_owned(),
            status: result.status.as_str().to_owned(),
            objective: result.objective.map(money),
            baseline: Some(money(result.baseline)),
            saved: result.objective.map(|o| money(result.baseline - o)),
            diverted_t: k.map(|k| tonnes(k.diverted_from_disposal_t)),
            recovery_rate: k.map(|k| round(k.recovery_rate, 4)),
            imports_substituted_t: k.map(|k| tonnes(k.imports_substituted_t)),
            secondary_input_rate: k.map(|k| round(k.secondary_input_rate, 4)),
            co2_saved_t: k.map(|k| tonnes(k.co2_saved_t)),
            optimality_gap: result.stats.optimality_gap.map(money),
            seconds: round(seconds, 3),
            error: String::new(),
        }
    }

    /// The row of a region that could not be solved.
    pub fn failed(region: &str, error: String, seconds: f64) -> Self {
        RegionRow {
            region: region.to_owned(),
            status: "failed".to_owned(),
            seconds,
            error,
            ..RegionRow::default()
        }
    }

    /// Whether the region failed.
    pub fn is_failure(&self) -> bool {
        self.status == "failed"
    }
}

/// `x` to `decimals` places: money to the cent, tonnes to the kilogram, as a spreadsheet
/// should show them.
pub(super) fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// Writes `rows` as CSV (header first) to `path`, atomically: a temporary file renamed over.
pub fn write_rows(path: &std::path::Path, rows: &[RegionRow]) -> anyhow::Result<()> {
    write_csv(path, rows, HEADERS)
}

/// Writes serialisable rows as CSV to `path` (`empty_headers` when there is no row to take
/// the header from), atomically: a temporary file renamed over, so a killed run never
/// leaves half a file.
pub fn write_csv<T: Serialize>(
    path: &std::path::Path,
    rows: &[T],
    empty_headers: &[&str],
) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("csv.tmp-{}", std::process::id()));
    {
        let mut w = csv::Writer::from_path(&tmp)?;
        for row in rows {
            w.serialize(row)?;
        }
        if rows.is_empty() {
            w.write_record(empty_headers)?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The summary's columns (written for an empty summary, where serde writes none).
const HEADERS: &[&str] = &[
    "region",
    "status",
    "objective",
    "baseline",
    "saved",
    "diverted_t",
    "recovery_rate",
    "imports_substituted_t",
    "secondary_input_rate",
    "co2_saved_t",
    "optimality_gap",
    "seconds",
    "error",
];

/// Reads the rows of a summary file.
pub fn read_rows(path: &std::path::Path) -> anyhow::Result<Vec<RegionRow>> {
    let mut r = csv::Reader::from_path(path)?;
    let mut rows = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        let row: RegionRow =
            row.map_err(|e| anyhow::anyhow!("{} row {}: {e}", path.display(), i + 2))?;
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_a_round_trip_and_headers_match() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("summary.csv");
        let rows = vec![
            RegionRow {
                region: "a/b".into(),
                status: "optimal".into(),
                objective: Some(1.5),
                seconds: 2.0,
                ..RegionRow::default()
            },
            RegionRow::failed("c", "bad, \"quoted\"\nerror".into(), 0.1),
        ];
        write_rows(&path, &rows).expect("written");
        assert_eq!(read_rows(&path).expect("read"), rows);
        let header = std::fs::read_to_string(&path).expect("read");
        assert_eq!(header.lines().next(), Some(HEADERS.join(",").as_str()));
        write_rows(&path, &[]).expect("written");
        assert!(read_rows(&path).expect("read").is_empty());
    }
}
