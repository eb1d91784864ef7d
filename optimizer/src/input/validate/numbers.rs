//! Number checks of the validator: each value against its [`Range`] from
//! [`crate::input::limits`], reported at its cell. A value outside its range is reported and
//! replaced by the default, so validation goes on and finds the other problems.

use super::Cell;
use crate::input::limits::Range;
use crate::model::error::FieldErrors;

/// `v` when in `range`; the default when empty; reported and the default when outside.
pub(super) fn within(
    v: Option<f64>,
    default: f64,
    range: Range,
    at: Cell<'_>,
    errors: &mut FieldErrors,
) -> f64 {
    optional(v, range, at, errors).unwrap_or(default)
}

/// `v` when in `range`; `None` when empty, or reported and `None` when outside.
pub(super) fn optional(
    v: Option<f64>,
    range: Range,
    at: Cell<'_>,
    errors: &mut FieldErrors,
) -> Option<f64> {
    match v {
        Some(x) if range.contains(x) => Some(x),
        Some(x) => {
            errors.push(
                at.location(),
                format!("must be {} (got {x})", range.describe()),
            );
            None
        }
        None => None,
    }
}

/// `v` when in `range`; reported when empty or outside.
pub(super) fn required(
    v: Option<f64>,
    range: Range,
    at: Cell<'_>,
    errors: &mut FieldErrors,
) -> Option<f64> {
    if v.is_none() {
        errors.push(at.location(), "is required");
        return None;
    }
    optional(v, range, at, errors)
}

/// A longitude or latitude within `limit` degrees; required.
pub(super) fn coordinate(
    v: Option<f64>,
    limit: f64,
    at: Cell<'_>,
    errors: &mut FieldErrors,
) -> f64 {
    match v {
        None => {
            errors.push(at.location(), "is required");
            0.0
        }
        Some(x) if x.is_finite() && (-limit..=limit).contains(&x) => x,
        Some(x) => {
            errors.push(
                at.location(),
                format!("must be between -{limit} and {limit} degrees (got {x})"),
            );
            0.0
        }
    }
}
