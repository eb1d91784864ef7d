//! One pivot's work on the rooted forest of [`super::basis`], in time proportional to what
//! the pivot changes rather than to the components it touches:
//! - the entering column's change of each basic column only runs up from its rows to
//!   their roots (and around a root's cycle), since the basis solve is linear and each
//!   row's tree column carries exactly what reaches the row from below;
//! - taking the leaving column out leaves one piece without a root; the entering column
//!   hangs that piece from the rest of the forest (or closes it), so only that piece's
//!   duals are found again. This is the network simplex's subtree re-hang, with a root
//!   column or a cycle in place of the one root node; the piece's rows come off the thread
//!   (`super::thread`), re-linked along the path the pivot turns round.

use super::basis::{Column, Forest, NONE, Singular};

#[cfg(test)]
thread_local! {
    /// Pivots of this thread that walked a component again because a column on its cycle
    /// left, for tests to know they reached that case.
    pub(super) static CYCLE_REWALKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Forest {
    /// Adds to `change` every basic column's change per unit of `entering` (the solution
    /// of `B w = a_entering`), skipping zeros.
    pub(super) fn column_change(
        &mut self,
        columns: &[Column],
        entering: &Column,
        change: &mut Vec<(u32, f64)>,
    ) -> Result<(), Singular> {
        for (i, a) in entering.entries() {
            self.push_up(i, a, false);
        }
        let roots = std::mem::take(&mut self.roots);
        let mut extras = Vec::with_capacity(roots.len());
        let mut result = Ok(());
        for &root in &roots {
            let root = root as usize;
            let extra_column = self.extra_at[root];
            let extra = &columns[extra_column as usize];
            let t = if extra.entries == 1 {
                self.rhs[root] / extra.coef[0]
            } else {
                // The closing column's unit amount, pushed up from its other row, with its
                // own entry at the root.
                let other = extra.other_row(root).expect("a cycle column has two rows");
                self.touched_cycle.clear();
                self.push_up(other, -extra.coef_at(other), true);
                let gain = self.rhs_cycle[root] - extra.coef_at(root);
                if gain.abs() < 1e-11 {
                    result = Err(Singular);
                    0.0
                } else {
                    let t = -self.rhs[root] / gain;
                    for k in 0..self.touched_cycle.len() {
                        let i = self.touched_cycle[k] as usize;
                        if self.change[i] == 0.0 {
                            self.touched.push(i as u32);
                        }
                        self.change[i] += t * self.change_cycle[i];
                        self.change_cycle[i] = 0.0;
                    }
                    self.rhs_cycle[root] = 0.0;
                    t
                }
            };
            self.rhs[root] = 0.0;
            if t != 0.0 {
                extras.push((extra_column, t));
            }
        }
        self.roots = roots;
        self.roots.clear();
        for k in 0..self.touched.len() {
            let i = self.touched[k] as usize;
            if self.change[i] != 0.0 {
                change.push((self.parent[i], self.change[i]));
            }
            self.change[i] = 0.0;
        }
        self.touched.clear();
        // Listed last: the columns nearest the entering one's rows come first, so the
        // ratio test's ties leave the smallest piece to re-hang.
        change.extend(extras);
        result
    }

    /// Pushes `amount` at `row` up to its root: each tree column on the way takes what
    /// reaches its lower row. The cycle part goes to `change_cycle` and `rhs_cycle`.
    fn push_up(&mut self, row: usize, amount: f64, cycle: bool) {
        let (mut node, mut rest) = (row, amount);
        loop {
            let e = self.parent[node];
            if e == NONE {
                if cycle {
                    self.rhs_cycle[node] += rest;
                } else {
                    if !self.roots.contains(&(node as u32)) {
                        self.roots.push(node as u32);
                    }
                    self.rhs[node] += rest;
                }
                return;
            }
            let l = self.link[node];
            let w = rest / l.own;
            if cycle {
                if self.change_cycle[node] == 0.0 {
                    self.touched_cycle.push(node as u32);
                }
                self.change_cycle[node] += w;
            } else {
                if self.change[node] == 0.0 {
                    self.touched.push(node as u32);
                }
                self.change[node] += w;
            }
            rest = -l.other * w;
            node = l.up as usize;
        }
    }

    /// Takes `leaving` out of the basis and `entering` in, re-hangs the piece left without
    /// a root and finds its duals again.
    pub(super) fn exchange(
        &mut self,
        columns: &[Column],
        leaving: usize,
        entering: usize,
        dual: &mut [f64],
    ) -> Result<(), Singular> {
        let out = &columns[leaving];
        if out.entries == 1 && self.extra_at[out.row[0] as usize] != leaving as u32 {
            return Err(Singular);
        }
        let first = out.row[0] as usize;
        // The row from which the piece without a root is reached once `leaving` is out.
        let start = if self.parent[first] == NONE && self.extra_at[first] == leaving as u32 {
            self.extra_at[first] = NONE;
            first
        } else if self.parent[first] == leaving as u32 {
            first
        } else {
            out.row[1] as usize
        };
        // The piece is the subtree below `start`, or the whole component when `leaving`
        // is its extra or lies on its cycle (the closing column's other row is below it).
        let whole = if start == first && self.parent[first] == NONE {
            true
        } else {
            let root = self.root_of(start);
            let extra = &columns[self.extra_at[root] as usize];
            extra.entries == 2
                && self.reaches(
                    extra.other_row(root).expect("a cycle column has two rows"),
                    start,
                )
        };
        let component_root = if whole {
            self.root_of(start)
        } else {
            NONE as usize
        };
        let in_piece = |forest: &Self, row: usize| {
            if whole {
                forest.root_of(row) == component_root
            } else {
                forest.reaches(row, start)
            }
        };
        let column = &columns[entering];
        let (u, v) = (
            column.row[0] as usize,
            column.other_row(column.row[0] as usize),
        );
        let (hang, outside) = match v {
            Some(v) if in_piece(self, u) && !in_piece(self, v) => (u, Some(v)),
            Some(v) if in_piece(self, v) && !in_piece(self, u) => (v, Some(u)),
            _ if in_piece(self, u) => (u, None),
            _ => return Err(Singular),
        };
        for (i, _) in out.entries() {
            let at = &mut self.incident[i];
            if let Some(k) = at.iter().position(|&(c, _)| c as usize == leaving) {
                at.swap_remove(k);
            }
        }
        for (i, _) in column.entries() {
            let other = column.other_row(i).map_or(NONE, |o| o as u32);
            self.incident[i].push((entering as u32, other));
        }
        let leaving_is_extra = start == first && self.parent[first] == NONE;
        if whole && !leaving_is_extra {
            // A column on the component's cycle leaves, so its closing column joins the
            // tree: the tree itself changes, not just its root, and is walked again (rare:
            // only processes close cycles).
            #[cfg(test)]
            CYCLE_REWALKS.with(|n| n.set(n.get() + 1));
            let (rooted_start, _, found) = self.walk(hang, entering as u32);
            if found != 0 {
                return Err(Singular);
            }
            self.thread(columns, rooted_start);
            self.order.truncate(rooted_start);
        } else {
            if !whole {
                self.cut_out(start, out.other_row(start).expect("a tree column"));
            }
            self.reroot(columns, hang, start);
        }
        let (cost, a_hang) = (column.cost, column.coef_at(hang));
        match outside {
            Some(o) => {
                self.hang_after(hang, o);
                self.parent[hang] = entering as u32;
                self.relink(columns, hang);
                dual[hang] = (cost - column.coef_at(o) * dual[o]) / a_hang;
                self.dual_cycle[hang] = 0.0;
            }
            None => {
                self.parent[hang] = NONE;
                self.extra_at[hang] = entering as u32;
                self.root_dual(column, hang, dual);
            }
        }
        let result = self.duals_below(
            columns,
            hang,
            outside.is_none() && column.entries == 2,
            entering,
            dual,
        );
        #[cfg(test)]
        self.assert_threaded(hang);
        result
    }

    /// The root of `row`'s component.
    pub(super) fn root_of(&self, row: usize) -> usize {
        let mut node = row;
        while self.parent[node] != NONE {
            node = self.up(node);
        }
        node
    }

    /// Whether `ancestor` lies on the way from `row` to its root (or is `row`).
    fn reaches(&self, row: usize, ancestor: usize) -> bool {
        let mut node = row;
        loop {
            if node == ancestor {
                return true;
            }
            if self.parent[node] == NONE {
                return false;
            }
            node = self.up(node);
        }
    }

    /// The row that `row`'s tree column leads to.
    pub(super) fn up(&self, row: usize) -> usize {
        self.link[row].up as usize
    }

    /// The duals of the subtree of `first` (its thread from `first` to `last[first]`),
    /// whose own dual is set; with `cycle`, that dual is an unknown that `closing` then fixes.
    pub(super) fn duals_below(
        &mut self,
        columns: &[Column],
        first: usize,
        cycle: bool,
        closing: usize,
        dual: &mut [f64],
    ) -> Result<(), Singular> {
        let end = self.last[first] as usize;
        let mut i = first;
        if !cycle {
            // No unknown to carry: `dual_cycle` is zero outside a cycle's solve.
            while i != end {
                i = self.next[i] as usize;
                let l = self.link[i];
                dual[i] = (l.cost - l.other * dual[l.up as usize]) / l.own;
            }
            return Ok(());
        }
        while i != end {
            i = self.next[i] as usize;
            let l = self.link[i];
            let p = l.up as usize;
            dual[i] = (l.cost - l.other * dual[p]) / l.own;
            self.dual_cycle[i] = -l.other * self.dual_cycle[p] / l.own;
        }
        let extra = &columns[closing];
        let (mut constant, mut per_s) = (extra.cost, 0.0);
        for (i, a) in extra.entries() {
            constant -= a * dual[i];
            per_s += a * self.dual_cycle[i];
        }
        if per_s.abs() < 1e-11 {
            return Err(Singular);
        }
        let s = constant / per_s;
        let mut i = first;
        loop {
            dual[i] += self.dual_cycle[i] * s;
            self.dual_cycle[i] = 0.0;
            if i == end {
                return Ok(());
            }
            i = self.next[i] as usize;
        }
    }
}
