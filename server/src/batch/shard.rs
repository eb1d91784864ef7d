//! A stable share of the regions for one node of a cluster: region `r` belongs to shard
//! `hash(r) mod N`, with a fixed hash of its name, so every node computes the same split,
//! shards 0..N-1 cover each region exactly once, and adding a region moves no other. The
//! shard comes from `--shard I/N`, else from a Kubernetes Indexed Job
//! (`JOB_COMPLETION_INDEX`, with N from `CIRCULATE_SHARD_COUNT`) or a Slurm array
//! (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`).

use anyhow::{Context, bail};

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    pub index: u64,
    /// At least 1.
    pub count: u64,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 0, count: 1 }
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `I/N`, with `0 <= I < N`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("expected I/N such as 0/4, got {s:?}"))?;
        let index: u64 = i.trim().parse().map_err(|e| format!("shard index: {e}"))?;
        let count: u64 = n.trim().parse().map_err(|e| format!("shard count: {e}"))?;
        Shard::new(index, count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Shard `index` of `count`, checked.
    pub fn new(index: u64, count: u64) -> Result<Self, String> {
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 <= index < count"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the region named `name` is this shard's.
    pub fn owns(&self, name: &str) -> bool {
        fnv1a(name.as_bytes()) % self.count == self.index
    }

    /// The shard the scheduler gave this process, if any: Kubernetes Indexed Job or Slurm
    /// array, read from `var`.
    pub fn from_scheduler(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Shard>> {
        let number = |name: &str| -> anyhow::Result<Option<u64>> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .with_context(|| format!("{name}={v:?}"))
                })
                .transpose()
        };
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let Some(count) = number("CIRCULATE_SHARD_COUNT")? else {
                bail!(
                    "JOB_COMPLETION_INDEX is set but CIRCULATE_SHARD_COUNT is not: set it to the \
                     Job's completions (see deploy/kubernetes/batch-job.yaml)"
                );
            };
            return Ok(Some(Shard::new(index, count).map_err(anyhow::Error::msg)?));
        }
        if let Some(task) = number("SLURM_ARRAY_TASK_ID")? {
            let first = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let Some(count) = number("SLURM_ARRAY_TASK_COUNT")? else {
                bail!("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
            };
            let index = task
                .checked_sub(first)
                .context("SLURM_ARRAY_TASK_ID below _MIN")?;
            return Ok(Some(Shard::new(index, count).map_err(anyhow::Error::msg)?));
        }
        Ok(None)
    }
}

/// 64-bit FNV-1a: fixed across versions and platforms (unlike std's or foldhash's seeded
/// hashers), which is all a shard split needs; five lines, so no crate.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_region_exactly_once() {
        let names: Vec<String> = (0..1000).map(|i| format!("FI{i:03}/region")).collect();
        for count in [1, 2, 3, 7, 16] {
            let mut owners = vec![0; names.len()];
            for index in 0..count {
                let shard = Shard::new(index, count).expect("valid");
                for (i, n) in names.iter().enumerate() {
                    owners[i] += usize::from(shard.owns(n));
                }
            }
            assert!(owners.iter().all(|&o| o == 1), "count {count}");
        }
        // Not all in one shard: the split spreads work.
        let first = Shard::new(0, 4).expect("valid");
        let mine = names.iter().filter(|n| first.owns(n)).count();
        assert!((150..350).contains(&mine), "{mine} of 1000 in shard 0/4");
    }

    #[test]
    fn the_scheduler_gives_the_shard() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(Shard::from_scheduler(env(&[])).expect("ok"), None);
        let k8s = env(&[
            ("JOB_COMPLETION_INDEX", "2"),
            ("CIRCULATE_SHARD_COUNT", "5"),
        ]);
        assert_eq!(
            Shard::from_scheduler(k8s).expect("ok"),
            Some(Shard { index: 2, count: 5 })
        );
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "11"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(
            Shard::from_scheduler(slurm).expect("ok"),
            Some(Shard { index: 1, count: 4 })
        );
        assert!(Shard::from_scheduler(env(&[("JOB_COMPLETION_INDEX", "0")])).is_err());
        assert!("3/3".parse::<Shard>().is_err());
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
    }
}
