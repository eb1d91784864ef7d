//! The progress line of a long `solve` on a terminal: the stage, and each pricing round with
//! the plan's cost and the most negative reduced cost still found (how far from certified).
//! Nothing is drawn when stderr is not a terminal (logs, pipes, CI).

use indicatif::{ProgressBar, ProgressStyle};
use optimizer::{Progress, ProgressEvent};
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner on stderr, or nothing off a terminal.
pub struct SolveProgress {
    bar: Option<ProgressBar>,
}

impl SolveProgress {
    /// Starts the spinner at `stage` if stderr is a terminal.
    pub fn start(stage: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message(stage.to_owned());
            bar
        });
        SolveProgress { bar }
    }

    /// Shows `stage`.
    pub fn stage(&self, stage: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(stage.to_owned());
        }
    }

    /// What the solver reports, drawn on the spinner's line (`currency` names the money).
    pub fn watcher(&self, currency: &str) -> Progress {
        let Some(bar) = self.bar.clone() else {
            return Progress::default();
        };
        let currency = currency.to_owned();
        Progress::to(move |event| bar.set_message(describe(event, &currency)))
    }

    /// Clears the line, before the summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for SolveProgress {
    /// An error ends the run mid-way: the line is cleared so the message reads cleanly.
    fn drop(&mut self) {
        self.finish();
    }
}

/// One line for an event.
fn describe(event: ProgressEvent, currency: &str) -> String {
    match event {
        ProgressEvent::Solving { columns, rows } => format!(
            "solving an LP of {} columns x {} rows",
            circulate::format::grouped(columns as f64, 0),
            circulate::format::grouped(rows as f64, 0)
        ),
        ProgressEvent::Priced {
            round,
            objective,
            most_negative_reduced_cost,
            arcs_added,
        } => format!(
            "pricing round {round}: plan {} {currency}/yr, most negative reduced cost {:.2} {currency}/t, {} pairs added",
            objective.map_or_else(|| "-".to_owned(), |o| circulate::format::grouped(o, 0)),
            most_negative_reduced_cost,
            circulate::format::grouped(arcs_added as f64, 0)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_reads_as_cost_and_distance_from_certified() {
        let line = describe(
            ProgressEvent::Priced {
                round: 3,
                objective: Some(754_060_058.4),
                most_negative_reduced_cost: -12.345,
                arcs_added: 1234,
            },
            "EUR",
        );
        assert_eq!(
            line,
            "pricing round 3: plan 754,060,058 EUR/yr, most negative reduced cost -12.35 EUR/t, 1,234 pairs added"
        );
    }
}
