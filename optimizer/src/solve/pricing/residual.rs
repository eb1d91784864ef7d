//! The plan as the price-gap search ([`super::serve`]) walks it: which columns carry
//! tonnes, and the reduced costs of the import and disposal columns, by node.

use crate::lp::Col;
use crate::network::arcs::ArcIdx;
use crate::network::{SinkKind, SourceKind};
use crate::solve::model::Model;

/// Tonnes below this are not "positive" flows, disposals or imports.
const POSITIVE_T: f64 = 1e-9;

/// The plan's positive columns and the reduced costs of the slack columns, by node.
pub(super) struct Residual {
    /// Arcs carrying flow out of each source.
    pub(super) sends: Vec<Vec<ArcIdx>>,
    /// Arcs carrying flow into each sink.
    pub(super) takes: Vec<Vec<ArcIdx>>,
    /// Per source: whether it disposes of a positive amount, and its disposal column's
    /// reduced cost (`None` without one).
    pub(super) disposal: Vec<(bool, Option<f64>)>,
    /// Per sink: the same for imports.
    pub(super) import: Vec<(bool, Option<f64>)>,
}

impl Residual {
    pub(super) fn of(model: &Model, x: &[f64], y: &[f64]) -> Self {
        let (net, lp) = (&model.network, &model.lp);
        let l = &lp.layout;
        let mut sends = vec![Vec::new(); net.sources.len()];
        let mut takes = vec![Vec::new(); net.sinks.len()];
        for (a, col) in l.flows() {
            if x[col.get()] > POSITIVE_T {
                sends[net.arcs.source(a).get()].push(a);
                takes[net.arcs.sink(a).get()].push(a);
            }
        }
        let slack = |col: Option<Col>| match col {
            Some(col) => {
                let reduced = lp.cost(col)
                    - lp.column_entries(col)
                        .map(|(row, a)| a * y[row.get()])
                        .sum::<f64>();
                (x[col.get()] > POSITIVE_T, Some(reduced.max(0.0)))
            }
            None => (false, None),
        };
        let disposal = net
            .sources
            .iter()
            .map(|source| {
                slack(Some(match source.kind {
                    SourceKind::Supply(s) => l.disposal(s),
                    SourceKind::ProcessOutput { process, output } => {
                        l.output_disposal(l.output_slot(process, output))
                    }
                }))
            })
            .collect();
        let import = net
            .sinks
            .iter()
            .map(|sink| {
                slack(match sink.kind {
                    SinkKind::Demand(d) => Some(l.import(d)),
                    SinkKind::ProcessInput { .. } => None,
                })
            })
            .collect();
        Residual {
            sends,
            takes,
            disposal,
            import,
        }
    }
}
