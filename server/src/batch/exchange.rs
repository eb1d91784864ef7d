//! `batch --exchange`: after each region is solved alone, all of them solved as one network
//! in which flows may cross borders ([`optimizer::regions::federation`]). Writes the
//! federated plan (`OUT/federation/`), what crosses which border (`OUT/exchange.csv`) and each
//! region's trade (`OUT/trade.csv`), and says how much the federation saves against the sum
//! of the regions alone.

use super::discover::Region;
use super::row::{RegionRow, round, write_csv};
use anyhow::Context;
use optimizer::regions::federation::{self, TradeBalance};
use optimizer::{Border, SolveOptions, SolveStatus};
use std::path::Path;

/// What the federation did.
#[derive(Debug)]
pub struct ExchangeOutcome {
    /// How the federated solve ended.
    pub status: SolveStatus,
    /// Sum of the regions' own optima (the regions that solved).
    pub isolated_total: f64,
    /// The federation's optimum.
    pub federated: Option<f64>,
    /// Tonnes crossing a border.
    pub traded_t: f64,
    /// Value of what crosses borders, currency/yr.
    pub traded_value: f64,
    /// Border costs paid, currency/yr.
    pub border_cost: f64,
    /// Regions joined (those that solved alone).
    pub regions: usize,
    /// Materials defined differently in two regions.
    pub material_conflicts: Vec<String>,
}

/// Joins the regions whose rows say they solved, solves the federation and writes its files.
pub fn run_exchange(
    regions: &[Region],
    rows: &[RegionRow],
    out: &Path,
    options: &SolveOptions,
    border: Option<Border>,
) -> anyhow::Result<ExchangeOutcome> {
    let mut parts = Vec::new();
    let mut isolated_total = 0.0;
    for row in rows
        .iter()
        .filter(|r| !r.is_failure() && r.objective.is_some())
    {
        let Some(region) = regions.iter().find(|r| r.name == row.region) else {
            continue;
        };
        let ds = optimizer::input::load(&region.dir)
            .with_context(|| format!("reloading {}", region.name))?;
        isolated_total += row.objective.unwrap_or(0.0);
        parts.push((region.name.clone(), ds));
    }
    let Some(fed) = federation::federate(&parts, border) else {
        anyhow::bail!("no region solved, so there is nothing to federate");
    };
    let solved = optimizer::solve_keeping_model(&fed.dataset, options)?;
    optimizer::report::write_all(&solved.result, &out.join("federation"))?;
    let (exchanges, balances) = federation::exchanges(&fed, &solved);
    write_csv(&out.join("exchange.csv"), &exchanges, &[])?;
    let trade: Vec<TradeRow> = balances.iter().map(|b| TradeRow::new(b, rows)).collect();
    write_csv(&out.join("trade.csv"), &trade, &[])?;
    Ok(ExchangeOutcome {
        status: solved.result.status,
        isolated_total,
        federated: solved.result.objective,
        traded_t: exchanges.iter().map(|e| e.tonnes).sum(),
        traded_value: exchanges.iter().map(|e| e.value).sum(),
        border_cost: exchanges.iter().map(|e| e.border_cost).sum(),
        regions: parts.len(),
        material_conflicts: fed.material_conflicts,
    })
}

/// A region's line in `trade.csv`: what it gives and receives across its borders.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct TradeRow {
    /// The region's folder name.
    pub region: String,
    /// Its optimum solved alone, currency/yr (none when that solve found no plan).
    pub isolated_objective: Option<f64>,
    /// Tonnes sent to other regions.
    pub exported_t: f64,
    /// Tonnes received from other regions.
    pub imported_t: f64,
    /// Value of what it sends, currency/yr.
    pub exported_value: f64,
    /// Value of what it receives, currency/yr.
    pub imported_value: f64,
    /// Exported minus imported value; the balances of all regions sum to zero.
    pub balance: f64,
}

impl TradeRow {
    fn new(b: &TradeBalance, rows: &[RegionRow]) -> Self {
        TradeRow {
            region: b.region.clone(),
            isolated_objective: rows
                .iter()
                .find(|r| r.region == b.region)
                .and_then(|r| r.objective),
            exported_t: round(b.exported_t, 3),
            imported_t: round(b.imported_t, 3),
            exported_value: round(b.exported_value, 2),
            imported_value: round(b.imported_value, 2),
            balance: round(b.balance, 2),
        }
    }
}
