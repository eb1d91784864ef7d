//! The thread of each component of the basis forest (`super::basis`): its rows in preorder,
//! root first, linked both ways, with the last row of each row's subtree, so the rows of any
//! subtree are one run of it. A pivot re-hangs the piece below its leaving column; the thread
//! hands it over without a walk, and re-linking it costs what the path from the entering
//! column's row up to the leaving one costs ([`Forest::cut_out`], [`Forest::reroot`],
//! [`Forest::hang_after`]), as in LEMON's network simplex, instead of walking the piece's
//! rows over their basic columns, which dominated the profile of large regions
//! (docs/performance.md, "Why the engines are built as they are").

use super::basis::{Column, Forest, NONE, UpLink};

impl Forest {
    /// Threads the rows `order[start..]`: a walk's component or piece, parents before
    /// children, with their tree columns set; in preorder from its first row.
    pub(super) fn thread(&mut self, columns: &[Column], start: usize) {
        let Forest {
            order,
            parent,
            link,
            size,
            position,
            preorder,
            next,
            prev,
            last,
            ..
        } = self;
        let rows = &order[start..];
        // The walk set the rows' parents: their links follow.
        for &i in &rows[1..] {
            let i = i as usize;
            link[i] = UpLink::of(&columns[parent[i] as usize], i);
        }
        let up = |i: usize| link[i].up as usize;
        // Subtree sizes, children first.
        for &i in rows {
            size[i as usize] = 1;
        }
        for &i in rows[1..].iter().rev() {
            size[up(i as usize)] += size[i as usize];
        }
        // Preorder places: each child right after the subtrees of the children placed
        // before it (`last` holds a row's next free place meanwhile).
        position[rows[0] as usize] = 0;
        last[rows[0] as usize] = 1;
        for &i in &rows[1..] {
            let (i, p) = (i as usize, up(i as usize));
            position[i] = last[p];
            last[p] += size[i];
            last[i] = position[i] + 1;
        }
        preorder.clear();
        preorder.resize(rows.len(), NONE);
        for &i in rows {
            preorder[position[i as usize] as usize] = i;
        }
        for (k, &i) in preorder.iter().enumerate() {
            let i = i as usize;
            prev[i] = if k == 0 { NONE } else { preorder[k - 1] };
            next[i] = preorder.get(k + 1).copied().unwrap_or(NONE);
            last[i] = preorder[k + size[i] as usize - 1];
        }
    }

    /// Panics unless the thread of `row`'s component is a preorder of it: linked both
    /// ways, every row of the component once, each subtree one run ending at its `last`.
    /// Tests call it after every pivot.
    #[cfg(test)]
    pub(super) fn assert_threaded(&mut self, row: usize) {
        let root = self.root_of(row);
        assert_eq!(self.prev[root], NONE, "the root starts its thread");
        let mut list = vec![root];
        while let Some(&i) = list.last().filter(|&&i| self.next[i] != NONE) {
            let n = self.next[i] as usize;
            assert_eq!(self.prev[n] as usize, i, "linked both ways");
            list.push(n);
        }
        let (start, _, _) = self.walk(root, self.extra_at[root]);
        assert_eq!(
            self.order.len() - start,
            list.len(),
            "every row of the component"
        );
        self.order.truncate(start);
        let mut position = vec![usize::MAX; self.rows()];
        for (k, &i) in list.iter().enumerate() {
            position[i] = k;
        }
        let mut size = vec![1; self.rows()];
        for &i in list[1..].iter().rev() {
            let p = self.up(i);
            assert!(position[p] < position[i], "a parent comes before its rows");
            size[p] += size[i];
        }
        for &i in &list {
            let end = position[self.last[i] as usize];
            assert_eq!(
                end,
                position[i] + size[i] - 1,
                "row {i}'s subtree is one run"
            );
        }
    }

    /// Takes the subtree of `start` (whose tree column leads to `above`) out of its
    /// component's thread, leaving it a thread of its own.
    pub(super) fn cut_out(&mut self, start: usize, above: usize) {
        let (before, end) = (self.prev[start], self.last[start]);
        let after = self.next[end as usize];
        self.next[before as usize] = after;
        if after != NONE {
            self.prev[after as usize] = before;
        }
        self.prev[start] = NONE;
        self.next[end as usize] = NONE;
        // The subtrees that ended with it now end just before it.
        let mut x = above;
        while self.last[x] == end {
            self.last[x] = before;
            if self.parent[x] == NONE {
                break;
            }
            x = self.up(x);
        }
    }

    /// Re-roots the thread of `top`'s subtree (a thread of its own) at `hang` below it:
    /// the tree columns on the way from `hang` up to `top` turn round, and each row on the
    /// way takes, after the rows below it there, the rest of its old subtree. `parent[hang]`
    /// is left to the caller.
    pub(super) fn reroot(&mut self, columns: &[Column], hang: usize, top: usize) {
        let mut path = std::mem::take(&mut self.path);
        let mut runs = std::mem::take(&mut self.runs);
        path.clear();
        runs.clear();
        let mut row = hang;
        path.push(row as u32);
        while row != top {
            row = self.up(row);
            path.push(row as u32);
        }
        // Every run is read off the old thread before any is re-linked.
        runs.push((hang as u32, self.last[hang]));
        for pair in path.windows(2) {
            let (below, at) = (pair[0] as usize, pair[1] as usize);
            runs.push((at as u32, self.prev[below]));
            let below_end = self.last[below];
            if below_end != self.last[at] {
                runs.push((self.next[below_end as usize], self.last[at]));
            }
        }
        for pair in runs.windows(2) {
            let ((_, end), (next_start, _)) = (pair[0], pair[1]);
            self.next[end as usize] = next_start;
            self.prev[next_start as usize] = end;
        }
        let end = runs.last().expect("at least the first run").1;
        self.prev[hang] = NONE;
        self.next[end as usize] = NONE;
        for k in (1..path.len()).rev() {
            let (at, below) = (path[k] as usize, path[k - 1] as usize);
            self.parent[at] = self.parent[below];
            self.relink(columns, at);
            self.last[at] = end;
        }
        self.last[hang] = end;
        self.path = path;
        self.runs = runs;
    }

    /// Links the thread of `hang`'s subtree (a thread of its own) in right after `o`, its
    /// new parent row.
    pub(super) fn hang_after(&mut self, hang: usize, o: usize) {
        let end = self.last[hang];
        let after = self.next[o];
        self.next[o] = hang as u32;
        self.prev[hang] = o as u32;
        self.next[end as usize] = after;
        if after != NONE {
            self.prev[after as usize] = end;
        }
        // The subtrees that ended at `o` (a leaf) now end with the new rows.
        let mut x = o;
        while self.last[x] == o as u32 {
            self.last[x] = end;
            if self.parent[x] == NONE {
                break;
            }
            x = self.up(x);
        }
    }
}
