//! Candidate arcs as a struct of arrays with typed `u32` handles (at a million listings the
//! arc list is the largest thing in memory), and the CSR grouping that lets a scan of one
//! node's arcs replace hashing millions of pairs.

use super::nodes::{SinkIdx, SourceIdx};
use crate::model::ids::index;

index!(
    /// Position of an arc in [`Arcs`].
    ArcIdx
);

/// Candidate arcs as parallel arrays.
#[derive(Clone, Debug, Default)]
pub struct Arcs {
    pub(crate) source: Vec<SourceIdx>,
    pub(crate) sink: Vec<SinkIdx>,
    /// Road km (great circle x detour).
    pub(crate) km: Vec<f64>,
    /// Tonnes of the sink's material served per tonne sent.
    pub(crate) ratio: Ratios,
}

/// Substitution ratios, one per arc or column. Nearly every pair moves one material (ratio
/// 1), so they take no memory until one differs: at a million supplies and demands that is
/// 8 bytes of each of 12.7 million arcs, in the network and again in the LP.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ratios {
    len: usize,
    /// Every ratio, once one is not 1; `None` while all are.
    listed: Option<Vec<f64>>,
}

impl Ratios {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, i: usize) -> f64 {
        debug_assert!(i < self.len);
        self.listed.as_ref().map_or(1.0, |listed| listed[i])
    }

    pub(crate) fn push(&mut self, ratio: f64) {
        if ratio != 1.0 && self.listed.is_none() {
            self.listed = Some(vec![1.0; self.len]);
        }
        if let Some(listed) = &mut self.listed {
            listed.push(ratio);
        }
        self.len += 1;
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        if let Some(listed) = &mut self.listed {
            listed.reserve(additional);
        }
    }

    fn extend(&mut self, other: Ratios) {
        match other.listed {
            None if self.listed.is_none() => self.len += other.len,
            None => (0..other.len).for_each(|_| self.push(1.0)),
            Some(listed) => listed.into_iter().for_each(|r| self.push(r)),
        }
    }

    fn since(&self, first: usize) -> Ratios {
        Ratios {
            len: self.len - first,
            listed: self.listed.as_ref().map(|listed| listed[first..].to_vec()),
        }
    }
}

impl Arcs {
    /// Number of arcs.
    pub fn len(&self) -> usize {
        self.source.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// Every arc's handle, in order.
    pub fn indices(&self) -> impl Iterator<Item = ArcIdx> + use<> {
        (0..self.len()).map(ArcIdx::new)
    }

    /// Where arc `a` starts.
    pub fn source(&self, a: ArcIdx) -> SourceIdx {
        self.source[a.get()]
    }

    /// Where arc `a` ends.
    pub fn sink(&self, a: ArcIdx) -> SinkIdx {
        self.sink[a.get()]
    }

    /// Road km of arc `a`.
    pub fn km(&self, a: ArcIdx) -> f64 {
        self.km[a.get()]
    }

    /// Tonnes served per tonne sent on arc `a`.
    pub fn ratio(&self, a: ArcIdx) -> f64 {
        self.ratio.get(a.get())
    }

    pub(crate) fn append(&mut self, other: Arcs) {
        self.source.extend(other.source);
        self.sink.extend(other.sink);
        self.km.extend(other.km);
        self.ratio.extend(other.ratio);
    }

    /// A copy of the arcs from position `first` on (those added after a network had
    /// `first`).
    pub(crate) fn since(&self, first: usize) -> Arcs {
        let first = first.min(self.len());
        Arcs {
            source: self.source[first..].to_vec(),
            sink: self.sink[first..].to_vec(),
            km: self.km[first..].to_vec(),
            ratio: self.ratio.since(first),
        }
    }

    pub(crate) fn push(&mut self, source: SourceIdx, sink: SinkIdx, km: f64, ratio: f64) {
        self.source.push(source);
        self.sink.push(sink);
        self.km.push(km);
        self.ratio.push(ratio);
    }

    /// The parts joined in order, allocated once.
    pub(crate) fn concat(parts: Vec<Arcs>) -> Arcs {
        let total = parts.iter().map(Arcs::len).sum();
        let mut arcs = Arcs {
            source: Vec::with_capacity(total),
            sink: Vec::with_capacity(total),
            km: Vec::with_capacity(total),
            ratio: Ratios::default(),
        };
        for part in parts {
            arcs.append(part);
        }
        arcs
    }
}

/// Positions grouped by `key` (CSR): the positions whose key is `v` are
/// `members[start[v]..start[v + 1]]`, in increasing order.
pub(crate) fn group(
    key: impl Iterator<Item = usize> + Clone,
    nodes: usize,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; nodes + 1];
    let mut len = 0;
    for k in key.clone() {
        start[k + 1] += 1;
        len += 1;
    }
    for v in 0..nodes {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut members = vec![0u32; len];
    for (a, k) in key.enumerate() {
        members[fill[k] as usize] = a as u32;
        fill[k] += 1;
    }
    (start, members)
}

/// Which (source, sink) pairs already have an arc: the sinks of each source side by side
/// (CSR). A source has a few dozen arcs at most, so a scan beats hashing millions of pairs.
pub(crate) struct ArcSet {
    start: Vec<u32>,
    sinks: Vec<SinkIdx>,
}

impl ArcSet {
    pub(crate) fn new(arcs: &Arcs, sources: usize) -> Self {
        let (start, by_source) = group(arcs.source.iter().map(|s| s.get()), sources);
        let sinks = by_source.iter().map(|&a| arcs.sink[a as usize]).collect();
        ArcSet { start, sinks }
    }

    pub(crate) fn contains(&self, source: SourceIdx, sink: SinkIdx) -> bool {
        let s = source.get();
        self.sinks[self.start[s] as usize..self.start[s + 1] as usize].contains(&sink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(ratios: &Ratios) -> Vec<f64> {
        (0..ratios.len()).map(|i| ratios.get(i)).collect()
    }

    /// Ratios of 1 are counted, not stored, until one differs; from then on every ratio is
    /// listed, and joining and splitting keep each in its place.
    #[test]
    fn ratios_are_stored_once_one_differs() {
        let mut ones = Ratios::default();
        (0..3).for_each(|_| ones.push(1.0));
        assert_eq!((ones.listed.is_none(), all(&ones)), (true, vec![1.0; 3]));

        let mut mixed = ones.clone();
        mixed.push(0.5);
        mixed.push(1.0);
        assert_eq!(all(&mixed), [1.0, 1.0, 1.0, 0.5, 1.0]);
        assert_eq!(all(&mixed.since(3)), [0.5, 1.0]);
        assert_eq!(all(&mixed.since(5)), Vec::<f64>::new());

        let mut joined = ones.clone();
        joined.extend(mixed.since(2));
        joined.extend(ones.clone());
        assert_eq!(all(&joined), [1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0]);
        let mut still_ones = ones.clone();
        still_ones.extend(ones);
        assert_eq!(still_ones.listed, None);
        assert_eq!(still_ones.len(), 6);
    }
}
