//! The investment fields: `[investment]` in `dataset.toml` (a budget, a whole number of
//! openings), the sizes and start-up cost of each candidate (only on candidates, the
//! smallest at most the largest), and a largest size for every candidate whose opening is
//! a decision.

use super::cell;
use super::numbers::optional;
use crate::input::limits::{FIXED_COST, NEW_CAPACITY, NEW_PROCESSES};
use crate::input::raw::{Located, RawConfig, RawProcess};
use crate::model::domain::{Dataset, Investment, Process};
use crate::model::error::{FieldErrors, Location};

/// `[investment]`: a budget in currency/yr and a whole number of openings.
pub(super) fn check_investment(c: &RawConfig, errors: &mut FieldErrors) -> Investment {
    let at = Location::table(c.origin.as_deref().unwrap_or("dataset.toml"));
    let i = &c.investment;
    let budget = optional(i.budget, FIXED_COST, cell(&at, "investment.budget"), errors);
    let openings = cell(&at, "investment.max_new_processes");
    let max_new_processes = optional(i.max_new_processes, NEW_PROCESSES, openings, errors)
        .and_then(|n| {
            if n.fract() == 0.0 {
                Some(n as usize)
            } else {
                errors.push(
                    openings.location(),
                    format!("must be a whole number (got {n})"),
                );
                None
            }
        });
    Investment {
        budget,
        max_new_processes,
    }
}

/// The sizes and start-up cost of a candidate: only on rows with `candidate_capex`, and
/// `min_new_capacity` at most `max_new_capacity`.
pub(super) fn check_new_capacity(
    row: &RawProcess,
    at: &Location,
    errors: &mut FieldErrors,
) -> (f64, f64, Option<f64>) {
    let fixed = optional(row.fixed_cost, FIXED_COST, cell(at, "fixed_cost"), errors);
    let min = optional(
        row.min_new_capacity,
        NEW_CAPACITY,
        cell(at, "min_new_capacity"),
        errors,
    );
    let max = optional(
        row.max_new_capacity,
        NEW_CAPACITY,
        cell(at, "max_new_capacity"),
        errors,
    );
    if row.candidate_capex.is_none() {
        let given = [
            (row.fixed_cost, "fixed_cost"),
            (row.min_new_capacity, "min_new_capacity"),
            (row.max_new_capacity, "max_new_capacity"),
        ];
        for (_, column) in given.iter().filter(|(v, _)| v.is_some()) {
            errors.push(
                cell(at, column).location(),
                "applies to candidates only: set candidate_capex on this row, or leave it empty",
            );
        }
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(
            cell(at, "min_new_capacity").location(),
            format!("must be at most max_new_capacity ({max}), got {min}"),
        );
    }
    (fixed.unwrap_or(0.0), min.unwrap_or(0.0), max)
}

/// A candidate whose opening is a decision needs a largest size: its `max_new_capacity`, or
/// one its inputs imply (what could ever reach them, see [`Dataset::activity_bounds`]).
/// Without either, the opening cannot be tied to the new capacity it pays for. Run on a
/// dataset whose processes are the rows of `rows`, one for one.
pub(super) fn check_openings_bounded(
    ds: &Dataset,
    rows: &[Located<RawProcess>],
    errors: &mut FieldErrors,
) {
    let unsized_decision = |p: &Process| ds.opening_decided(p) && p.max_new_capacity.is_none();
    if !ds.processes.iter().any(unsized_decision) {
        return;
    }
    let most = ds.activity_bounds();
    for ((p, row), most) in ds.processes.iter().zip(rows).zip(most) {
        if unsized_decision(p) && most.is_none() {
            errors.push(
                cell(&row.at, "max_new_capacity").location(),
                "is needed: opening this candidate is a decision (fixed_cost, min_new_capacity or \
                 [investment] max_new_processes), and nothing bounds what its inputs could receive",
            );
        }
    }
}
