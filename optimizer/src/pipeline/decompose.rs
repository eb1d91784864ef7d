//! Exact decomposition by material groups. Materials that no substitution or process links
//! never share a flow, and import and disposal are unlimited slacks, so the LP splits into
//! one independent LP per group of linked materials. The parts are solved in parallel and
//! their reports merged ([`super::merge`]); the merged optimum equals the
//! monolithic one.

use crate::model::domain::Dataset;
use crate::model::ids::MaterialIdx;
use petgraph::unionfind::UnionFind;

/// One independent part: a dataset holding only some streams and processes (all sites and
/// materials kept, so indices into them are unchanged), with the original stream and process
/// positions for merging.
#[derive(Debug)]
pub struct Part {
    /// The part's streams and processes, with every site and material of the whole.
    pub dataset: Dataset,
    /// Position in the whole of each of the part's supplies.
    pub supplies: Vec<usize>,
    /// Position in the whole of each of the part's demands.
    pub demands: Vec<usize>,
    /// Position in the whole of each of the part's processes.
    pub processes: Vec<usize>,
}

/// The group (smallest material index of it) of every material.
/// Materials are the nodes of a graph whose edges are substitutions and shared processes;
/// its connected components are the groups (petgraph's union-find). A budget or a limit on
/// openings ties every candidate together, so their materials form one group.
pub fn material_groups(ds: &Dataset) -> Vec<usize> {
    let mut groups = UnionFind::<usize>::new(ds.materials.len());
    for s in &ds.substitutions {
        groups.union(s.from.get(), s.to.get());
    }
    let i = &ds.investment;
    if i.budget.is_some() || i.max_new_processes.is_some() {
        let candidates = ds.processes.iter().filter(|p| p.candidate_capex.is_some());
        let mut materials = candidates.flat_map(|p| p.inputs.iter().chain(&p.outputs));
        if let Some(&(first, _)) = materials.next() {
            for &(m, _) in materials {
                groups.union(first.get(), m.get());
            }
        }
    }
    for p in &ds.processes {
        let mut materials = p.inputs.iter().chain(&p.outputs).map(|&(m, _)| m.get());
        if let Some(first) = materials.next() {
            for m in materials {
                groups.union(first, m);
            }
        }
    }
    // Named by their smallest member, so groups come out in material order.
    let labels = groups.into_labeling();
    let mut smallest = vec![usize::MAX; ds.materials.len()];
    for (m, &label) in labels.iter().enumerate() {
        smallest[label] = smallest[label].min(m);
    }
    labels.iter().map(|&label| smallest[label]).collect()
}

/// Splits a dataset into its independent parts (one when everything is linked).
pub fn split(ds: &Dataset) -> Vec<Part> {
    let group = material_groups(ds);
    let mut groups: Vec<usize> = group.clone();
    groups.sort_unstable();
    groups.dedup();
    let part_of = |m: MaterialIdx| groups.binary_search(&group[m.get()]).unwrap_or(0);
    let mut parts: Vec<Part> = groups
        .iter()
        .map(|_| Part {
            dataset: Dataset {
                supplies: Vec::new(),
                demands: Vec::new(),
                processes: Vec::new(),
                ..ds.clone_without_streams()
            },
            supplies: Vec::new(),
            demands: Vec::new(),
            processes: Vec::new(),
        })
        .collect();
    for (i, s) in ds.supplies.iter().enumerate() {
        let part = &mut parts[part_of(s.material)];
        part.dataset.supplies.push(*s);
        part.supplies.push(i);
    }
    for (i, d) in ds.demands.iter().enumerate() {
        let part = &mut parts[part_of(d.material)];
        part.dataset.demands.push(*d);
        part.demands.push(i);
    }
    for (i, p) in ds.processes.iter().enumerate() {
        let Some(&(m, _)) = p.inputs.first().or(p.outputs.first()) else {
            // A process with no flows links nothing; it goes with the first part.
            parts[0].dataset.processes.push(p.clone());
            parts[0].processes.push(i);
            continue;
        };
        let part = &mut parts[part_of(m)];
        part.dataset.processes.push(p.clone());
        part.processes.push(i);
    }
    parts.retain(|p| {
        !(p.dataset.supplies.is_empty()
            && p.dataset.demands.is_empty()
            && p.dataset.processes.is_empty())
    });
    // The investment limits belong to the part with the candidates; the others are plain
    // LPs for the network engines.
    for part in &mut parts {
        if !part
            .dataset
            .processes
            .iter()
            .any(|p| p.candidate_capex.is_some())
        {
            part.dataset.investment = Default::default();
        }
    }
    parts
}
