//! What a running solve tells a watcher: each part's first solve and each pricing round with
//! the plan's cost and how far the duals still are from certifying it. The CLI draws a
//! progress line from it on a terminal; nothing listens by default.

use std::sync::Arc;

/// One step of a running solve. Independent parts are solved side by side, so events of
/// different parts interleave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ProgressEvent {
    /// A part's LP goes to the solver for the first time.
    Solving {
        /// Its columns.
        columns: usize,
        /// Its rows.
        rows: usize,
    },
    /// A pricing round of a part found left-out pairs that lower the cost and added them.
    Priced {
        /// 1 for the first round.
        round: usize,
        /// The part's cost over the arcs it had (currency/yr), before the new ones.
        objective: Option<f64>,
        /// The most negative reduced cost found (currency per tonne): how strongly the
        /// duals still contradict optimality over every pair. 0 would certify the plan.
        most_negative_reduced_cost: f64,
        /// Arcs added this round.
        arcs_added: usize,
    },
}

/// Where a solve reports its progress.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Fn(ProgressEvent) + Send + Sync>>);

impl Progress {
    /// Reports to `watch`, from whichever thread the solve runs on.
    pub fn to(watch: impl Fn(ProgressEvent) + Send + Sync + 'static) -> Self {
        Progress(Some(Arc::new(watch)))
    }

    /// Tells the watcher, if there is one.
    pub(crate) fn report(&self, event: ProgressEvent) {
        if let Some(watch) = &self.0 {
            watch(event);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(watched)"
        } else {
            "Progress(none)"
        })
    }
}
