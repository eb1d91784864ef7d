//! An independent check of what a solver claims, written once for every engine and test: a
//! plan meets every row and bound ([`check_feasible`]), and with row duals it is optimal
//! ([`check_optimal`]): no column prices out, every dual has the sign its row's bounds allow,
//! and the dual objective equals the plan's cost. It reads the LP in the plainest form
//! ([`PlainLp`]), so a test can hand it any LP, not only one circulate built.

use super::LinearProgram;

/// Minimise `cost . x` subject to `row_bounds.0 <= A x <= row_bounds.1` and
/// `col_bounds.0 <= x <= col_bounds.1`, with `A` given column by column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlainLp {
    /// Objective coefficient of each column.
    pub cost: Vec<f64>,
    /// Lower and upper bound of each column (infinite when there is none).
    pub col_bounds: Vec<(f64, f64)>,
    /// Lower and upper bound of each row (infinite when there is none).
    pub row_bounds: Vec<(f64, f64)>,
    /// Each column's entries `(row, value)`.
    pub columns: Vec<Vec<(usize, f64)>>,
}

impl From<&LinearProgram> for PlainLp {
    fn from(lp: &LinearProgram) -> Self {
        PlainLp {
            cost: lp.col_cost.clone(),
            col_bounds: lp.cols().map(|j| lp.col_bounds(j)).collect(),
            row_bounds: lp.rows().map(|i| lp.row_bounds(i)).collect(),
            columns: lp
                .cols()
                .map(|j| lp.column_entries(j).map(|(i, v)| (i.get(), v)).collect())
                .collect(),
        }
    }
}

/// How far a certificate may be off, each relative to the size of what it compares (at
/// least 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// A column or row activity past its bound.
    pub feasibility: f64,
    /// A reduced cost below zero, or a dual of the wrong sign.
    pub dual: f64,
    /// The plan's cost against the dual objective.
    pub gap: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            feasibility: 1e-6,
            dual: 1e-6,
            gap: 1e-6,
        }
    }
}

/// `value` within `tolerance` of `[lo, hi]`, relative to the bound it passes.
fn within(value: f64, (lo, hi): (f64, f64), tolerance: f64) -> bool {
    value >= lo - tolerance * lo.abs().max(1.0) && value <= hi + tolerance * hi.abs().max(1.0)
}

/// The row activities `A x`.
fn activities(lp: &PlainLp, x: &[f64]) -> Vec<f64> {
    let mut activity = vec![0.0; lp.row_bounds.len()];
    for (column, &value) in lp.columns.iter().zip(x) {
        for &(i, a) in column {
            activity[i] += a * value;
        }
    }
    activity
}

/// Checks that `x` meets every bound and row of `lp`; the first that fails, named.
pub fn check_feasible(lp: &PlainLp, x: &[f64], tolerance: f64) -> Result<(), String> {
    if x.len() != lp.cost.len() {
        return Err(format!(
            "the plan has {} values for {} columns",
            x.len(),
            lp.cost.len()
        ));
    }
    if let Some(j) = (0..x.len()).find(|&j| !within(x[j], lp.col_bounds[j], tolerance)) {
        return Err(format!(
            "column {j} = {} is outside its bounds {:?}",
            x[j], lp.col_bounds[j]
        ));
    }
    let activity = activities(lp, x);
    if let Some(i) =
        (0..activity.len()).find(|&i| !within(activity[i], lp.row_bounds[i], tolerance))
    {
        return Err(format!(
            "row {i}: activity {} is outside its bounds {:?}",
            activity[i], lp.row_bounds[i]
        ));
    }
    Ok(())
}

/// `multiplier x bound`, the term a dual or a reduced cost adds to the dual objective: 0
/// for a multiplier within `tolerance` of 0, an error for one that leans on a bound that
/// is not there.
fn dual_term(multiplier: f64, (lo, hi): (f64, f64), tolerance: f64) -> Result<f64, ()> {
    let bound = if multiplier > 0.0 { lo } else { hi };
    if bound.is_finite() {
        Ok(multiplier * bound)
    } else if multiplier.abs() <= tolerance {
        Ok(0.0)
    } else {
        Err(())
    }
}

/// Checks that `x` with row duals `y` (d objective / d row bound) certifies an optimum of
/// `lp`: `x` is feasible, every reduced cost `c_j - y . A_j` and every dual has the sign
/// the bounds allow, and the dual objective equals `cost . x`. Returns the dual objective,
/// a lower bound on every plan's cost.
pub fn check_optimal(
    lp: &PlainLp,
    x: &[f64],
    y: &[f64],
    tolerance: Tolerance,
) -> Result<f64, String> {
    check_feasible(lp, x, tolerance.feasibility)?;
    if y.len() != lp.row_bounds.len() {
        return Err(format!(
            "{} duals for {} rows",
            y.len(),
            lp.row_bounds.len()
        ));
    }
    let mut dual_objective = 0.0;
    for (i, (&dual, &bounds)) in y.iter().zip(&lp.row_bounds).enumerate() {
        dual_objective += dual_term(dual, bounds, tolerance.dual).map_err(|()| {
            format!("row {i}: dual {dual} has the wrong sign for its bounds {bounds:?}")
        })?;
    }
    for (j, column) in lp.columns.iter().enumerate() {
        let reduced = lp.cost[j] - column.iter().map(|&(i, a)| a * y[i]).sum::<f64>();
        let scaled = tolerance.dual * lp.cost[j].abs().max(1.0);
        dual_objective += dual_term(reduced, lp.col_bounds[j], scaled)
            .map_err(|()| format!("column {j} prices out: reduced cost {reduced}"))?;
    }
    let objective: f64 = lp.cost.iter().zip(x).map(|(c, v)| c * v).sum();
    if (objective - dual_objective).abs() > tolerance.gap * objective.abs().max(1.0) {
        return Err(format!(
            "the plan costs {objective} but the duals prove only {dual_objective}"
        ));
    }
    Ok(dual_objective)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two supplies of 1 t and one demand of 2 t: haul at 1 and 3 per t, or import at 2.
    /// The optimum hauls the first (1) and imports the rest (2): cost 3, duals (-1, 2)
    /// under `supply row: x_haul + x_dispose = 1`, `demand row: hauls + import = 2`.
    fn small() -> PlainLp {
        PlainLp {
            // haul 0->d, haul 1->d, dispose 0, dispose 1, import
            cost: vec![1.0, 3.0, 0.0, 0.0, 2.0],
            col_bounds: vec![(0.0, f64::INFINITY); 5],
            row_bounds: vec![(1.0, 1.0), (1.0, 1.0), (2.0, 2.0)],
            columns: vec![
                vec![(0, 1.0), (2, 1.0)],
                vec![(1, 1.0), (2, 1.0)],
                vec![(0, 1.0)],
                vec![(1, 1.0)],
                vec![(2, 1.0)],
            ],
        }
    }

    #[test]
    fn the_hand_computed_optimum_is_certified_and_others_are_caught() {
        let lp = small();
        let optimum = [1.0, 0.0, 0.0, 1.0, 1.0];
        let duals = [-1.0, 0.0, 2.0];
        assert_eq!(
            check_optimal(&lp, &optimum, &duals, Tolerance::default()),
            Ok(3.0)
        );
        // Feasible but dearer: the duals cannot prove it.
        let dearer = [0.0, 1.0, 1.0, 0.0, 1.0];
        let e = check_optimal(&lp, &dearer, &duals, Tolerance::default()).unwrap_err();
        assert!(e.contains("duals prove only"), "{e}");
        // Duals under which the first haul prices out.
        let e = check_optimal(&lp, &optimum, &[-2.0, 0.0, 4.0], Tolerance::default()).unwrap_err();
        assert!(e.contains("prices out"), "{e}");
        // A plan that sends more than the first supply has.
        let e = check_feasible(&lp, &[2.0, 0.0, 0.0, 1.0, 0.0], 1e-9).unwrap_err();
        assert!(e.starts_with("row 0"), "{e}");
    }

    #[test]
    fn a_dual_against_its_rows_bound_is_caught() {
        // One <= row (capacity): its dual must be at most 0.
        let lp = PlainLp {
            cost: vec![-1.0],
            col_bounds: vec![(0.0, f64::INFINITY)],
            row_bounds: vec![(f64::NEG_INFINITY, 5.0)],
            columns: vec![vec![(0, 1.0)]],
        };
        assert_eq!(
            check_optimal(&lp, &[5.0], &[-1.0], Tolerance::default()),
            Ok(-5.0)
        );
        let e = check_optimal(&lp, &[5.0], &[1.0], Tolerance::default()).unwrap_err();
        assert!(e.contains("wrong sign"), "{e}");
    }
}
