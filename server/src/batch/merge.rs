//! `batch-merge`: the summaries of a batch's shards (`summary.shard-I-of-N.csv`, in one or
//! several output folders) joined into one, sorted by region, with missing shards and regions
//! reported twice named.

use super::row::{RegionRow, read_rows};
use anyhow::bail;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The merged rows of every shard summary in `outs`, and the shard files read. Fails when
/// two shards report the same region, or when the shards of an N-way split are incomplete.
pub fn merge_summaries(outs: &[PathBuf]) -> anyhow::Result<(Vec<RegionRow>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    for out in outs {
        for entry in std::fs::read_dir(out)? {
            let path = entry?.path();
            if shard_of(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("no summary.shard-I-of-N.csv in {outs:?}");
    }
    let mut seen_shards = BTreeMap::new();
    for f in &files {
        let (i, n) = shard_of(f).unwrap_or_default();
        seen_shards.entry(n).or_insert_with(Vec::new).push(i);
    }
    if seen_shards.len() > 1 {
        bail!(
            "shard summaries of different splits: {:?}",
            seen_shards.keys().collect::<Vec<_>>()
        );
    }
    if let Some((n, got)) = seen_shards.iter().next() {
        let missing: Vec<u64> = (0..*n).filter(|i| !got.contains(i)).collect();
        if !missing.is_empty() {
            bail!("shards {missing:?} of {n} have no summary yet");
        }
    }
    let mut by_region: BTreeMap<String, (RegionRow, &Path)> = BTreeMap::new();
    for f in &files {
        for row in read_rows(f)? {
            if let Some((_, other)) = by_region.get(&row.region) {
                bail!(
                    "region {} is in both {} and {}",
                    row.region,
                    other.display(),
                    f.display()
                );
            }
            by_region.insert(row.region.clone(), (row, f));
        }
    }
    let rows = by_region.into_values().map(|(r, _)| r).collect();
    Ok((rows, files))
}

/// `(I, N)` of a `summary.shard-I-of-N.csv` path.
fn shard_of(path: &Path) -> Option<(u64, u64)> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_prefix("summary.shard-")?.strip_suffix(".csv")?;
    let (i, n) = rest.split_once("-of-")?;
    Some((i.parse().ok()?, n.parse().ok()?))
}

/// The file name a shard writes its summary to.
pub fn shard_file_name(index: u64, count: u64) -> String {
    format!("summary.shard-{index}-of-{count}.csv")
}
