//! `processes.csv` and `process_flows.csv`: each process at a known site with its route,
//! capacity, costs and (for a candidate) its sizes, then its inputs and outputs.

use super::numbers::{optional, required, within};
use super::{Refs, cell, check_unique_ids, index_of, investment, lookup};
use crate::input::limits::{CAPEX, CO2_PER_UNIT, MONEY_PER_UNIT, RATIO, TONNES};
use crate::input::raw::{Located, RawProcess, RawProcessFlow};
use crate::model::domain::{Process, Route};
use crate::model::error::{FieldErrors, Location};
use crate::model::ids::ProcessId;
use foldhash::{HashSet, HashSetExt};

pub(super) fn check_processes(
    rows: &[Located<RawProcess>],
    refs: &Refs<'_>,
    errors: &mut FieldErrors,
) -> Vec<Process> {
    check_unique_ids(
        rows.iter().map(|r| (r.row.id.as_str(), &r.at)),
        "process",
        errors,
    );
    rows.iter()
        .filter_map(|Located { at, row }| {
            let site = refs.site(&row.site, cell(at, "site"), errors);
            let route = route(row.route.as_deref(), at, errors);
            let (fixed_cost, min_new_capacity, max_new_capacity) =
                investment::check_new_capacity(row, at, errors);
            let process = Process {
                id: ProcessId::from(row.id.clone()),
                name: row.name.clone().unwrap_or_else(|| row.id.clone()),
                route: route?,
                site: site?,
                capacity: required(row.capacity, TONNES, cell(at, "capacity"), errors)?,
                cost_per_unit: within(
                    row.cost_per_unit,
                    0.0,
                    MONEY_PER_UNIT,
                    cell(at, "cost_per_unit"),
                    errors,
                ),
                co2_kg_per_unit: within(
                    row.co2_kg_per_unit,
                    0.0,
                    CO2_PER_UNIT,
                    cell(at, "co2_kg_per_unit"),
                    errors,
                ),
                candidate_capex: optional(
                    row.candidate_capex,
                    CAPEX,
                    cell(at, "candidate_capex"),
                    errors,
                ),
                fixed_cost,
                min_new_capacity,
                max_new_capacity,
                inputs: Vec::new(),
                outputs: Vec::new(),
            };
            Some(process)
        })
        .collect()
}

/// A process's route; empty is recovery (the default for recyclers and sorters).
fn route(text: Option<&str>, at: &Location, errors: &mut FieldErrors) -> Option<Route> {
    let Some(text) = text else {
        return Some(Route::default());
    };
    let route = Route::parse(text);
    if route.is_none() {
        errors.push(
            at.column("route"),
            format!("must be recovery, disposal, R1-R13 or D1-D15 (got {text:?})"),
        );
    }
    route
}

pub(super) fn check_process_flows(
    rows: &[Located<RawProcessFlow>],
    refs: &Refs<'_>,
    processes: &mut [Process],
    errors: &mut FieldErrors,
) {
    let process_index = index_of(processes.iter().map(|p| p.id.as_str()));
    let mut seen = HashSet::new();
    for Located { at, row } in rows {
        let process = lookup(
            &process_index,
            &row.process,
            "process",
            cell(at, "process"),
            errors,
        );
        let material = refs.material(&row.material, cell(at, "material"), errors);
        let is_input = match row.direction.to_ascii_lowercase().as_str() {
            "in" => Some(true),
            "out" => Some(false),
            other => {
                errors.push(
                    at.column("direction"),
                    format!("must be \"in\" or \"out\" (got {other:?})"),
                );
                None
            }
        };
        let coefficient = required(row.coefficient, RATIO, cell(at, "coefficient"), errors);
        let (Some(p), Some(m), Some(is_input), Some(c)) =
            (process, material, is_input, coefficient)
        else {
            continue;
        };
        if !seen.insert((p, m, is_input)) {
            errors.push(
                at.column("material"),
                format!(
                    "duplicate {} flow of material {:?} for process {:?}",
                    if is_input { "input" } else { "output" },
                    row.material,
                    row.process
                ),
            );
            continue;
        }
        let proc = &mut processes[p as usize];
        if is_input {
            proc.inputs.push((m, c));
        } else {
            proc.outputs.push((m, c));
        }
    }
}
