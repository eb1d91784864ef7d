//! Writes the LP in CPLEX LP format with readable row and column names, so a person (or
//! another solver: HiGHS, CBC, Gurobi all read it) can inspect exactly what was solved.
//!
//! Names use only characters the LP format allows: `supply_balance(site/material)`,
//! `flow(from_site/material,to_site/material)`, `proc@id` for process nodes. Repeated
//! names (two streams of one material at one site) get a `#n` suffix.

use super::{ColKind, LinearProgram, RowKind};
use crate::model::domain::Dataset;
use crate::model::ids::{MaterialIdx, ProcessIdx};
use crate::network::{Network, Node, SinkIdx, SinkKind, SourceIdx, SourceKind};
use std::collections::HashMap;
use std::io::{self, Write};

/// Writes `lp` (built from `ds` and `net`) to `out`.
pub fn write_lp(
    ds: &Dataset,
    net: &Network,
    lp: &LinearProgram,
    out: &mut impl Write,
) -> io::Result<()> {
    let names = Names::new(ds, net, lp);
    writeln!(out, "\\ circulate LP for dataset {:?}", ds.meta.name)?;
    writeln!(
        out,
        "\\ {} columns, {} rows; costs in {} per year, CO2 priced at {} per t",
        lp.num_cols(),
        lp.num_rows(),
        ds.meta.currency,
        ds.co2_price
    )?;
    writeln!(out, "Minimize")?;
    write!(out, " cost:")?;
    let mut on_line = 0;
    for j in lp.cols() {
        if lp.cost(j) != 0.0 {
            write_term(out, lp.cost(j), &names.cols[j.get()], &mut on_line)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Subject To")?;
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); lp.num_rows()];
    for j in lp.cols() {
        for (r, v) in lp.column_entries(j) {
            rows[r.get()].push((j.get(), v));
        }
    }
    for (i, terms) in rows.iter().enumerate() {
        write!(out, " {}:", names.rows[i])?;
        let mut on_line = 0;
        for &(j, v) in terms {
            write_term(out, v, &names.cols[j], &mut on_line)?;
        }
        if terms.is_empty() {
            write!(out, " 0 {}", names.cols.first().map_or("x", String::as_str))?;
        }
        let (lo, hi) = lp.row_bounds(super::Row::new(i));
        if lo == hi {
            writeln!(out, " = {}", lo)?;
        } else if lo == f64::NEG_INFINITY {
            writeln!(out, " <= {}", hi)?;
        } else {
            writeln!(out, " >= {}", lo)?;
        }
    }
    // Every column is at least 0 (the format's default); only upper bounds are written.
    let bounded: Vec<_> = lp
        .cols()
        .filter(|&j| lp.col_bounds(j).1.is_finite())
        .collect();
    if !bounded.is_empty() {
        writeln!(out, "Bounds")?;
        for j in bounded {
            writeln!(out, " {} <= {}", names.cols[j.get()], lp.col_bounds(j).1)?;
        }
    }
    let binary: Vec<_> = lp.cols().filter(|&j| lp.is_integer(j)).collect();
    if !binary.is_empty() {
        writeln!(out, "Binaries")?;
        for j in binary {
            writeln!(out, " {}", names.cols[j.get()])?;
        }
    }
    writeln!(out, "End")
}

fn write_term(out: &mut impl Write, v: f64, name: &str, on_line: &mut usize) -> io::Result<()> {
    if *on_line == 4 {
        write!(out, "\n   ")?;
        *on_line = 0;
    }
    *on_line += 1;
    if v < 0.0 {
        write!(out, " - {} {}", -v, name)
    } else {
        write!(out, " + {} {}", v, name)
    }
}

struct Names {
    cols: Vec<String>,
    rows: Vec<String>,
}

impl Names {
    fn new(ds: &Dataset, net: &Network, lp: &LinearProgram) -> Self {
        let source_name = |n: &Node<SourceKind>| match n.kind {
            SourceKind::Supply(_) => node(ds, ds.site(n.site).id.as_str(), n.material),
            SourceKind::ProcessOutput { process, .. } => process_node(ds, process, n.material),
        };
        let sink_name = |n: &Node<SinkKind>| match n.kind {
            SinkKind::Demand(_) => node(ds, ds.site(n.site).id.as_str(), n.material),
            SinkKind::ProcessInput { process, .. } => process_node(ds, process, n.material),
        };
        let l = &lp.layout;
        let decided = |k: usize| clean(ds.process(l.candidates[l.decided[k]]).id.as_str());
        let mut seen = HashMap::new();
        let cols = lp
            .cols()
            .map(|j| {
                let name = match l.column(j) {
                    ColKind::Flow(a) => format!(
                        "flow({},{})",
                        source_name(net.source(net.arcs.source(a))),
                        sink_name(net.sink(net.arcs.sink(a)))
                    ),
                    ColKind::Import(d) => {
                        format!("import({})", sink_name(net.sink(SinkIdx::new(d.get()))))
                    }
                    ColKind::Disposal(s) => format!(
                        "dispose({})",
                        source_name(net.source(SourceIdx::new(s.get())))
                    ),
                    ColKind::OutputDisposal(o) => {
                        format!("dispose({})", source_name(net.source(l.output_source(o))))
                    }
                    ColKind::Activity(p) => {
                        format!("activity({})", clean(ds.process(p).id.as_str()))
                    }
                    ColKind::NewCapacity(c) => format!(
                        "new_capacity({})",
                        clean(ds.process(l.candidates[c]).id.as_str())
                    ),
                    ColKind::Opened(k) => format!("opened({})", decided(k)),
                };
                unique(name, &mut seen)
            })
            .collect();
        seen.clear();
        let rows = lp
            .rows()
            .map(|i| {
                let name = match l.row(i) {
                    RowKind::SupplyBalance(s) => format!(
                        "supply_balance({})",
                        source_name(net.source(SourceIdx::new(s.get())))
                    ),
                    RowKind::DemandBalance(d) => format!(
                        "demand_balance({})",
                        sink_name(net.sink(SinkIdx::new(d.get())))
                    ),
                    RowKind::InputBalance(k) => {
                        format!("input_balance({})", sink_name(net.sink(l.input_sink(k))))
                    }
                    RowKind::OutputBalance(o) => format!(
                        "output_balance({})",
                        source_name(net.source(l.output_source(o)))
                    ),
                    RowKind::Capacity(p) => {
                        format!("capacity({})", clean(ds.process(p).id.as_str()))
                    }
                    RowKind::OpeningMax(k) => format!("largest_opening({})", decided(k)),
                    RowKind::OpeningMin(k) => format!("smallest_opening({})", decided(k)),
                    RowKind::Budget => "investment_budget".to_owned(),
                    RowKind::Openings => "openings".to_owned(),
                    RowKind::CostCap => "cost_cap".to_owned(),
                };
                unique(name, &mut seen)
            })
            .collect();
        Names { cols, rows }
    }
}

fn node(ds: &Dataset, site: &str, m: MaterialIdx) -> String {
    format!("{}/{}", clean(site), clean(ds.material(m).id.as_str()))
}

fn process_node(ds: &Dataset, process: ProcessIdx, m: MaterialIdx) -> String {
    node(ds, &format!("proc@{}", ds.process(process).id), m)
}

fn unique(name: String, seen: &mut HashMap<String, u32>) -> String {
    let n = seen.entry(name.clone()).or_insert(0);
    *n += 1;
    if *n == 1 { name } else { format!("{name}#{n}") }
}

/// Replaces characters the LP format does not allow in names.
fn clean(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!\"#$%&/,.;?@_`'{}|~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
