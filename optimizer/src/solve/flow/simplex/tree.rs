//! The spanning-tree update of a pivot: re-hanging the subtree cut off by the leaving arc
//! below the entering arc, with thread (preorder), reverse thread, subtree sizes and last
//! successors repaired along the stem, and the moved side's potentials shifted. The
//! bookkeeping follows LEMON's `NetworkSimplex`; it is kept apart from the pivoting rules in
//! [`super`] because it is the one intricate piece.

use super::{DOWN, NONE, NetworkSimplex, UP};

impl NetworkSimplex {
    /// Re-hangs the subtree of `u_out` (cut from its parent) below `v_in` through `u_in`,
    /// reversing the stem from `u_in` up to `u_out`, and repairs thread, reverse thread,
    /// subtree sizes and last successors.
    pub(super) fn update_tree(
        &mut self,
        in_arc: usize,
        join: usize,
        u_in: usize,
        v_in: usize,
        u_out: usize,
    ) {
        let old_rev_thread = self.rev_thread[u_out] as usize;
        let old_succ_num = self.succ_num[u_out];
        let old_last_succ = self.last_succ[u_out] as usize;
        let v_out = self.parent[u_out] as usize;
        let dir_of = |u: usize, source: u32| if u as u32 == source { UP } else { DOWN };

        if u_in == u_out {
            self.parent[u_in] = v_in as u32;
            self.pred[u_in] = in_arc as u32;
            self.pred_dir[u_in] = dir_of(u_in, self.source[in_arc]);
            if self.thread[v_in] as usize != u_out {
                // Move u_out's preorder block right after v_in.
                let after = self.thread[old_last_succ] as usize;
                self.thread[old_rev_thread] = after as u32;
                self.rev_thread[after] = old_rev_thread as u32;
                let after = self.thread[v_in] as usize;
                self.thread[v_in] = u_out as u32;
                self.rev_thread[u_out] = v_in as u32;
                self.thread[old_last_succ] = after as u32;
                self.rev_thread[after] = old_last_succ as u32;
            }
        } else {
            // Where the thread continues after the moved block.
            let thread_continue = if old_rev_thread == v_in {
                self.thread[old_last_succ] as usize
            } else {
                self.thread[v_in] as usize
            };
            // Walk the stem u_in -> u_out: each stem node becomes the child of the previous
            // one, and its remaining subtree is spliced into the thread after it.
            let mut stem = u_in;
            let mut par_stem = v_in;
            let mut last = self.last_succ[u_in] as usize;
            let mut after = self.thread[last] as usize;
            self.thread[v_in] = u_in as u32;
            self.dirty_revs.clear();
            self.dirty_revs.push(v_in as u32);
            while stem != u_out {
                let next_stem = self.parent[stem] as usize;
                self.thread[last] = next_stem as u32;
                self.dirty_revs.push(last as u32);
                let before = self.rev_thread[stem] as usize;
                self.thread[before] = after as u32;
                self.rev_thread[after] = before as u32;
                self.parent[stem] = par_stem as u32;
                par_stem = stem;
                stem = next_stem;
                last = if self.last_succ[stem] == self.last_succ[par_stem] {
                    self.rev_thread[par_stem] as usize
                } else {
                    self.last_succ[stem] as usize
                };
                after = self.thread[last] as usize;
            }
            self.parent[u_out] = par_stem as u32;
            self.thread[last] = thread_continue as u32;
            self.rev_thread[thread_continue] = last as u32;
            self.last_succ[u_out] = last as u32;
            if old_rev_thread != v_in {
                self.thread[old_rev_thread] = after as u32;
                self.rev_thread[after] = old_rev_thread as u32;
            }
            for i in 0..self.dirty_revs.len() {
                let u = self.dirty_revs[i] as usize;
                let t = self.thread[u] as usize;
                self.rev_thread[t] = u as u32;
            }
            // Stem nodes from u_out down to u_in take their old parent's arc, reversed.
            let mut tmp_sc: i64 = 0;
            let tmp_ls = self.last_succ[u_out];
            let mut u = u_out;
            while u != u_in {
                let p = self.parent[u] as usize;
                self.pred[u] = self.pred[p];
                self.pred_dir[u] = -self.pred_dir[p];
                tmp_sc += i64::from(self.succ_num[u]) - i64::from(self.succ_num[p]);
                self.succ_num[u] = tmp_sc as u32;
                self.last_succ[p] = tmp_ls;
                u = p;
            }
            self.pred[u_in] = in_arc as u32;
            self.pred_dir[u_in] = dir_of(u_in, self.source[in_arc]);
            self.succ_num[u_in] = old_succ_num;
        }

        // Last successors from v_in up, and from v_out up (to the join at most).
        let up_limit_out = if self.last_succ[join] as usize == v_in {
            join
        } else {
            usize::MAX
        };
        let last_succ_out = self.last_succ[u_out];
        let mut u = v_in;
        while u != NONE as usize && self.last_succ[u] as usize == v_in {
            self.last_succ[u] = last_succ_out;
            u = self.parent[u] as usize;
        }
        let replacement = if join != old_rev_thread && v_in != old_rev_thread {
            Some(old_rev_thread as u32)
        } else if last_succ_out as usize != old_last_succ {
            Some(last_succ_out)
        } else {
            None
        };
        if let Some(replacement) = replacement {
            let mut u = v_out;
            while u != up_limit_out
                && u != NONE as usize
                && self.last_succ[u] as usize == old_last_succ
            {
                self.last_succ[u] = replacement;
                u = self.parent[u] as usize;
            }
        }
        // Subtree sizes along both sides of the cycle.
        let mut u = v_in;
        while u != join {
            self.succ_num[u] += old_succ_num;
            u = self.parent[u] as usize;
        }
        let mut u = v_out;
        while u != join {
            self.succ_num[u] -= old_succ_num;
            u = self.parent[u] as usize;
        }
    }

    /// Shifts the potentials of the moved subtree so the entering arc's reduced cost is 0.
    /// Only differences of potentials matter, so when the subtree is most of the tree the
    /// rest moves the other way instead (fewer nodes to touch); [`Self::potential`] reads
    /// every potential relative to the hub's.
    pub(super) fn update_potentials(&mut self, in_arc: usize, u_in: usize, v_in: usize) {
        let sigma =
            self.pi[v_in] - self.pi[u_in] - i64::from(self.pred_dir[u_in]) * self.cost[in_arc];
        let end = self.thread[self.last_succ[u_in] as usize] as usize;
        if 2 * self.succ_num[u_in] as usize <= self.pi.len() {
            let mut u = u_in;
            while u != end {
                self.pi[u] += sigma;
                u = self.thread[u] as usize;
            }
        } else {
            let mut u = end;
            while u != u_in {
                self.pi[u] -= sigma;
                u = self.thread[u] as usize;
            }
            // The hub moved with the rest. Each such pivot moves it by one reduced cost, so
            // over millions of pivots it could drift towards overflow; past an eighth of the
            // range every potential is taken back to the hub at 0 (rare, and O(nodes)). With
            // costs at most `i64::MAX / ((nodes + 1) x 8)` (`flow::Resolution`), potentials
            // relative to the hub stay within an eighth of the range too, so no potential,
            // reduced cost or sigma ever leaves it.
            let hub = self.supplies + self.demands;
            if self.pi[hub].unsigned_abs() > (i64::MAX / 8) as u64 {
                let shift = self.pi[hub];
                for p in &mut self.pi {
                    *p -= shift;
                }
            }
        }
    }
}
