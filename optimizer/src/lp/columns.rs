//! How the LP's columns are stored: the few columns before the flows (imports, disposals,
//! activities, new capacities, openings) in plain column-compressed form, and the flow
//! columns, which are nearly all of them, in a compact form of their own.
//!
//! Every flow column has the same shape: from 0 with no upper bound, one tonne out of its
//! source's row and `ratio` tonnes into its sink's row (and, in the LP of an alternative,
//! its cost in the cost-cap row). So a flow stores its two rows, and its ratio only when
//! some ratio is not 1 (8 or 16 bytes), where the general form stored two bounds, a start
//! and two (row, value) entries (48 bytes). At a million supplies and demands the
//! certificate holds 12.7 million flows (docs/performance.md, "Compact columns").

use super::layout::Row;
use crate::network::arcs::Ratios;
use either::Either;

/// The columns before the flows, in column-compressed form.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ListedColumns {
    pub(crate) lower: Vec<f64>,
    pub(crate) upper: Vec<f64>,
    /// Column `j`'s entries are `start[j]..start[j + 1]`.
    start: Vec<usize>,
    entry_row: Vec<u32>,
    entry_value: Vec<f64>,
}

impl ListedColumns {
    pub(crate) fn len(&self) -> usize {
        self.lower.len()
    }

    /// Appends a column with `bounds` and `entries`.
    pub(crate) fn push(
        &mut self,
        (lower, upper): (f64, f64),
        entries: impl IntoIterator<Item = (Row, f64)>,
    ) {
        if self.start.is_empty() {
            self.start.push(0);
        }
        self.lower.push(lower);
        self.upper.push(upper);
        for (r, v) in entries {
            self.entry_row.push(r.0);
            self.entry_value.push(v);
        }
        self.start.push(self.entry_row.len());
    }

    fn entries(&self, j: usize) -> impl Iterator<Item = (Row, f64)> + '_ {
        let range = self.start[j]..self.start[j + 1];
        self.entry_row[range.clone()]
            .iter()
            .zip(&self.entry_value[range])
            .map(|(&r, &v)| (Row(r), v))
    }
}

/// The flow columns, each from 0 with no upper bound.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FlowColumns {
    /// Each flow's source row (coefficient 1) and sink row (coefficient `ratio`).
    rows: Vec<[u32; 2]>,
    ratio: Ratios,
    /// In the LP of an alternative: the cost-cap row, and each flow's coefficient in it (its
    /// cost; the entry is left out when that is 0). Empty otherwise.
    cap_row: Option<u32>,
    cap_weight: Vec<f64>,
}

impl FlowColumns {
    pub(crate) fn len(&self) -> usize {
        self.ratio.len()
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
        self.ratio.reserve(additional);
        if self.cap_row.is_some() {
            self.cap_weight.reserve(additional);
        }
    }

    /// Appends a flow out of `source` into `sink` at `ratio`, with `cap_weight` in the cost
    /// cap row when the LP has one.
    pub(crate) fn push(&mut self, (source, sink): (Row, Row), ratio: f64, cap_weight: f64) {
        self.rows.push([source.0, sink.0]);
        self.ratio.push(ratio);
        if self.cap_row.is_some() {
            self.cap_weight.push(cap_weight);
        }
    }

    /// The same flows with `cap_row` added, each weighing its cost in `cost`.
    pub(crate) fn with_cost_cap(&self, cap_row: Row, cost: &[f64]) -> FlowColumns {
        FlowColumns {
            rows: self.rows.clone(),
            ratio: self.ratio.clone(),
            cap_row: Some(cap_row.0),
            cap_weight: cost.to_vec(),
        }
    }

    fn entries(&self, k: usize) -> impl Iterator<Item = (Row, f64)> + use<> {
        let [source, sink] = self.rows[k];
        let cap = self
            .cap_row
            .map(|r| (Row(r), self.cap_weight[k]))
            .filter(|&(_, w)| w != 0.0);
        [(Row(source), 1.0), (Row(sink), self.ratio.get(k))]
            .into_iter()
            .chain(cap)
    }
}

/// Every column's bounds and entries: the listed ones first, then the flows.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Columns {
    pub(crate) listed: ListedColumns,
    pub(crate) flows: FlowColumns,
}

impl Columns {
    /// Bounds of column `j`.
    pub(crate) fn bounds(&self, j: usize) -> (f64, f64) {
        match j.checked_sub(self.listed.len()) {
            None => (self.listed.lower[j], self.listed.upper[j]),
            Some(_) => (0.0, f64::INFINITY),
        }
    }

    /// Entries `(row, value)` of column `j`.
    pub(crate) fn entries(&self, j: usize) -> impl Iterator<Item = (Row, f64)> + '_ {
        match j.checked_sub(self.listed.len()) {
            None => Either::Left(self.listed.entries(j)),
            Some(k) => Either::Right(self.flows.entries(k)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(columns: &Columns, j: usize) -> Vec<(u32, f64)> {
        columns.entries(j).map(|(r, v)| (r.0, v)).collect()
    }

    /// Listed columns keep their bounds and entries as given; flows come after them, from 0
    /// with no bound, one tonne out of the source row and the ratio into the sink row; with
    /// a cost cap each flow's cost joins the cap row, and a flow that costs nothing does not.
    #[test]
    fn both_forms_give_back_what_was_put_in() {
        let mut columns = Columns::default();
        columns.listed.push((0.0, f64::INFINITY), [(Row(0), 1.0)]);
        columns
            .listed
            .push((1.0, 1.0), [(Row(2), -3.5), (Row(3), 1.0)]);
        columns.flows.push((Row(0), Row(1)), 1.0, 7.0);
        columns.flows.push((Row(4), Row(2)), 0.8, 0.0);
        assert_eq!(columns.bounds(0), (0.0, f64::INFINITY));
        assert_eq!(columns.bounds(1), (1.0, 1.0));
        assert_eq!(columns.bounds(3), (0.0, f64::INFINITY));
        assert_eq!(entries(&columns, 0), [(0, 1.0)]);
        assert_eq!(entries(&columns, 1), [(2, -3.5), (3, 1.0)]);
        assert_eq!(entries(&columns, 2), [(0, 1.0), (1, 1.0)]);
        assert_eq!(entries(&columns, 3), [(4, 1.0), (2, 0.8)]);

        let mut capped = Columns {
            flows: columns.flows.with_cost_cap(Row(9), &[7.0, 0.0]),
            ..columns.clone()
        };
        assert_eq!(entries(&capped, 2), [(0, 1.0), (1, 1.0), (9, 7.0)]);
        assert_eq!(entries(&capped, 3), [(4, 1.0), (2, 0.8)]);
        capped.flows.push((Row(5), Row(6)), 1.0, 2.5);
        assert_eq!(entries(&capped, 4), [(5, 1.0), (6, 1.0), (9, 2.5)]);
        assert_eq!(
            entries(&columns, 2),
            [(0, 1.0), (1, 1.0)],
            "the original keeps no cap"
        );
    }
}
