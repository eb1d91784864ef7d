//! The basis of a generalised network as a graph on the rows. Every column has one or two
//! entries, so a basic column is an edge between two rows or a half-edge on one. A basis
//! matrix is square and invertible exactly when each connected component holds as many
//! basic columns as rows: a spanning tree plus one more column, either a half-edge (the
//! component's root) or an edge closing a cycle whose gain is not one. Solving with the
//! basis (for flows) or its transpose (for duals) is then one pass up or down that tree;
//! a cycle adds a single unknown, solved from the closing column's equation.
//!
//! Each component is kept rooted and threaded: every row knows its tree column towards the
//! root, the root its extra column, and the thread lists the component's rows in preorder
//! with the last row of each row's subtree, so a subtree's rows are one run of it. A full
//! walk of every component ([`Forest::component`]) sets that up at the start and whenever
//! values and duals are solved again from scratch; a pivot then changes only what it must
//! (`exchange`). The walks read each row's basic columns and their other rows from one
//! list per row, not the columns themselves.

/// No column or row.
pub(super) const NONE: u32 = u32::MAX;

/// A column of the engine's problem: one or two `(row, coefficient)` entries, a cost per
/// unit and bounds.
#[derive(Clone, Copy, Debug)]
pub(super) struct Column {
    pub(super) row: [u32; 2],
    pub(super) coef: [f64; 2],
    /// 1 or 2.
    pub(super) entries: u8,
    pub(super) cost: f64,
    pub(super) lower: f64,
    pub(super) upper: f64,
}

impl Column {
    /// The entries `(row, coefficient)`.
    pub(super) fn entries(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        (0..usize::from(self.entries)).map(|k| (self.row[k] as usize, self.coef[k]))
    }

    /// The coefficient at `row` (which must be one of the column's rows).
    pub(super) fn coef_at(&self, row: usize) -> f64 {
        if self.row[0] as usize == row {
            self.coef[0]
        } else {
            self.coef[1]
        }
    }

    /// The column's other row than `row`, if it has two.
    pub(super) fn other_row(&self, row: usize) -> Option<usize> {
        (self.entries == 2).then(|| {
            if self.row[0] as usize == row {
                self.row[1] as usize
            } else {
                self.row[0] as usize
            }
        })
    }
}

/// A row's tree column as the pivots read it, kept beside the row whenever its parent is
/// set: the row the column leads to, the column's coefficients at the row and there, and its
/// cost. Reading these through the column meant a cache miss per row into the column array
/// (56 bytes each, hundreds of thousands of them), in the dual update of every re-hung piece
/// and every climb to a root; the rows' links fit in cache.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct UpLink {
    pub(super) up: u32,
    pub(super) own: f64,
    pub(super) other: f64,
    pub(super) cost: f64,
}

impl UpLink {
    /// The link of `row` through its tree column `column`.
    pub(super) fn of(column: &Column, row: usize) -> Self {
        let up = column.other_row(row).expect("a tree column has two rows");
        UpLink {
            up: up as u32,
            own: column.coef_at(row),
            other: column.coef_at(up),
            cost: column.cost,
        }
    }
}

/// A basis that is not one: a component with no root and no cycle, two of them, or a
/// cycle whose gain is one (numerically).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Singular;

/// One component as the last walk found it: its rows are `order[start..end]` (root first,
/// each row after the row its tree column leads to), `extra` is the column beyond the tree.
#[derive(Clone, Copy, Debug)]
pub(super) struct Component {
    start: usize,
    end: usize,
    extra: u32,
}

/// The basic columns at each row, and the scratch space of the walks and solves.
#[derive(Debug)]
pub(super) struct Forest {
    /// Per row: each basic column there and its other row (`NONE` for a half-edge), so a
    /// walk never reads the columns themselves.
    pub(super) incident: Vec<Vec<(u32, u32)>>,
    /// Walk stamps: a row was reached by the walk stamped `epoch`.
    pub(super) stamp: Vec<u32>,
    pub(super) epoch: u32,
    /// Each row's tree column towards its component's root (`NONE` at the root).
    pub(super) parent: Vec<u32>,
    /// Each row's tree column as [`UpLink`] (unused at a root), set with `parent` by
    /// [`Forest::thread`], [`Forest::reroot`] and [`Forest::relink`].
    pub(super) link: Vec<UpLink>,
    /// At a root row: its component's column beyond the tree, whose first row it is.
    pub(super) extra_at: Vec<u32>,
    /// Per row: a pivot's change of the row's tree column, split like `rhs` (see
    /// [`Forest::column_change`]); rows whose entry is set are listed in `touched`.
    pub(super) change: Vec<f64>,
    pub(super) change_cycle: Vec<f64>,
    pub(super) touched: Vec<u32>,
    pub(super) touched_cycle: Vec<u32>,
    pub(super) roots: Vec<u32>,
    /// Rows of the components walked since the last [`Forest::clear_order`].
    pub(super) order: Vec<u32>,
    /// The thread: each component's rows in preorder (root first, every subtree in one
    /// run), linked both ways (`NONE` at the ends), and the last row of each row's subtree.
    /// A pivot re-links it in time proportional to the path it reverses (`thread`), so
    /// its rows are found without a walk.
    pub(super) next: Vec<u32>,
    pub(super) prev: Vec<u32>,
    pub(super) last: Vec<u32>,
    /// Scratch of `Forest::thread`: subtree sizes, preorder places, rows by place.
    pub(super) size: Vec<u32>,
    pub(super) position: Vec<u32>,
    pub(super) preorder: Vec<u32>,
    /// Scratch of a pivot's re-root: the rows from the new root up, and the thread's runs.
    pub(super) path: Vec<u32>,
    pub(super) runs: Vec<(u32, u32)>,
    /// Right-hand sides being eliminated: a constant part and a part per unit of the
    /// cycle's closing column.
    pub(super) rhs: Vec<f64>,
    pub(super) rhs_cycle: Vec<f64>,
    /// The same split for the dual of each row of a cycle component.
    pub(super) dual_cycle: Vec<f64>,
}

impl Forest {
    /// The forest of `basic` columns over `rows` rows.
    pub(super) fn new(rows: usize, columns: &[Column], basic: impl Iterator<Item = usize>) -> Self {
        let mut incident = vec![Vec::new(); rows];
        for j in basic {
            for (i, _) in columns[j].entries() {
                let other = columns[j].other_row(i).map_or(NONE, |o| o as u32);
                incident[i].push((j as u32, other));
            }
        }
        Forest {
            incident,
            stamp: vec![0; rows],
            epoch: 0,
            parent: vec![NONE; rows],
            link: vec![UpLink::default(); rows],
            extra_at: vec![NONE; rows],
            change: vec![0.0; rows],
            change_cycle: vec![0.0; rows],
            touched: Vec::new(),
            touched_cycle: Vec::new(),
            roots: Vec::new(),
            order: Vec::new(),
            next: vec![NONE; rows],
            prev: vec![NONE; rows],
            last: vec![NONE; rows],
            size: vec![0; rows],
            position: vec![0; rows],
            preorder: Vec::new(),
            path: Vec::new(),
            runs: Vec::new(),
            rhs: vec![0.0; rows],
            rhs_cycle: vec![0.0; rows],
            dual_cycle: vec![0.0; rows],
        }
    }

    /// Sets `row`'s link from its tree column (after its parent changed).
    pub(super) fn relink(&mut self, columns: &[Column], row: usize) {
        let e = self.parent[row];
        if e != NONE {
            self.link[row] = UpLink::of(&columns[e as usize], row);
        }
    }

    pub(super) fn rows(&self) -> usize {
        self.incident.len()
    }

    pub(super) fn clear_order(&mut self) {
        self.order.clear();
    }

    /// Whether `row` lies in a component walked since the last stamp was taken by `since`.
    pub(super) fn walked_since(&self, row: usize, since: u32) -> bool {
        self.stamp[row] > since
    }

    /// The current stamp, to ask [`Forest::walked_since`] later.
    pub(super) fn epoch(&self) -> u32 {
        self.epoch
    }

    pub(super) fn next_epoch(&mut self) -> u32 {
        if self.epoch == u32::MAX {
            self.stamp.fill(0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch
    }

    /// Walks from `from` over basic columns, skipping `skip`, appending the rows reached to
    /// `order`; returns where they start and every column beyond the tree (a half-edge, or
    /// an edge between two rows already reached), at most two.
    pub(super) fn walk(&mut self, from: usize, skip: u32) -> (usize, [u32; 2], usize) {
        let epoch = self.next_epoch();
        let start = self.order.len();
        let mut extras = [NONE; 2];
        let mut found = 0;
        let mut note = |c: u32, extras: &mut [u32; 2]| {
            if !extras.contains(&c) {
                if found < 2 {
                    extras[found] = c;
                }
                found += 1;
            }
        };
        self.stamp[from] = epoch;
        self.parent[from] = NONE;
        // `order` is the queue: rows are appended when reached and read in turn.
        self.order.push(from as u32);
        let mut next = start;
        while next < self.order.len() {
            let i = self.order[next] as usize;
            next += 1;
            let parent = self.parent[i];
            for &(c, o) in &self.incident[i] {
                if c == skip || c == parent {
                    continue;
                }
                if o == NONE || self.stamp[o as usize] == epoch {
                    note(c, &mut extras);
                } else {
                    self.stamp[o as usize] = epoch;
                    self.parent[o as usize] = c;
                    self.order.push(o);
                }
            }
        }
        (start, extras, found)
    }

    /// The component of `row`, rooted at its extra column's first row; its rows are
    /// appended to `order`.
    pub(super) fn component(
        &mut self,
        columns: &[Column],
        row: usize,
    ) -> Result<Component, Singular> {
        let (start, extras, found) = self.walk(row, NONE);
        if found != 1 {
            return Err(Singular);
        }
        self.order.truncate(start);
        let extra = extras[0];
        let root = columns[extra as usize].row[0] as usize;
        let (start, _, _) = self.walk(root, extra);
        self.extra_at[root] = extra;
        self.thread(columns, start);
        Ok(Component {
            start,
            end: self.order.len(),
            extra,
        })
    }

    /// Adds `value` to the right-hand side at `row`, for the next [`Forest::solve`].
    pub(super) fn add_rhs(&mut self, row: usize, value: f64) {
        self.rhs[row] += value;
    }

    /// Solves the basis restricted to `comp` for the right-hand sides added at its rows
    /// (then cleared): calls `value(column, w)` for each basic column of the component.
    pub(super) fn solve(
        &mut self,
        columns: &[Column],
        comp: Component,
        mut value: impl FnMut(usize, f64),
    ) -> Result<(), Singular> {
        let rows = &self.order[comp.start..comp.end];
        let root = rows[0] as usize;
        let extra = &columns[comp.extra as usize];
        let cycle = extra.entries == 2;
        if cycle {
            // The closing column's unknown amount t moves to the right-hand side.
            for (i, a) in extra.entries() {
                self.rhs_cycle[i] -= a;
            }
        }
        // Leaves first: each row's tree column takes what is left at the row.
        for &i in rows[1..].iter().rev() {
            let i = i as usize;
            let e = self.parent[i] as usize;
            let column = &columns[e];
            let a = column.coef_at(i);
            let (w, w_cycle) = (self.rhs[i] / a, self.rhs_cycle[i] / a);
            // Kept at the row for the second pass.
            self.rhs[i] = w;
            self.rhs_cycle[i] = w_cycle;
            let p = column.other_row(i).expect("a tree column has two rows");
            let b = column.coef_at(p);
            self.rhs[p] -= b * w;
            self.rhs_cycle[p] -= b * w_cycle;
        }
        let t = if cycle {
            let gain = self.rhs_cycle[root];
            if gain.abs() < 1e-11 {
                self.clear(comp);
                return Err(Singular);
            }
            -self.rhs[root] / gain
        } else {
            self.rhs[root] / extra.coef[0]
        };
        value(comp.extra as usize, t);
        for &i in &rows[1..] {
            let i = i as usize;
            value(self.parent[i] as usize, self.rhs[i] + self.rhs_cycle[i] * t);
        }
        self.clear(comp);
        Ok(())
    }

    fn clear(&mut self, comp: Component) {
        for &i in &self.order[comp.start..comp.end] {
            self.rhs[i as usize] = 0.0;
            self.rhs_cycle[i as usize] = 0.0;
        }
    }

    /// Sets the dual of `root`, whose component's extra column is `extra`: known for a root
    /// column; for a cycle an unknown `s` (dual 0, and 1 per unit of `s`) that
    /// [`Forest::duals_below`] then fixes.
    pub(super) fn root_dual(&mut self, extra: &Column, root: usize, dual: &mut [f64]) {
        if extra.entries == 2 {
            dual[root] = 0.0;
            self.dual_cycle[root] = 1.0;
        } else {
            dual[root] = extra.cost / extra.coef[0];
            self.dual_cycle[root] = 0.0;
        }
    }

    /// The duals of `comp`'s rows, the component walked last: every basic column's reduced
    /// cost is zero.
    pub(super) fn duals(
        &mut self,
        columns: &[Column],
        comp: Component,
        dual: &mut [f64],
    ) -> Result<(), Singular> {
        let root = self.order[comp.start] as usize;
        let extra = &columns[comp.extra as usize];
        self.root_dual(extra, root, dual);
        let cycle = extra.entries == 2;
        self.duals_below(columns, root, cycle, comp.extra as usize, dual)
    }
}
