//! Ids for ML breakpoints that share one Python line: debugpy keeps one breakpoint per line
//! and so one id, but each ML breakpoint the editor set is a breakpoint of its own to it
//! (two lines that have no code of their own can both move onto the next line with code).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The first id the adapter gives: far above the ids debugpy counts up from 0, so the two
/// never meet, and far below the 2⁵³ a JavaScript editor reads exactly.
const FIRST_ID: i64 = 1 << 40;

/// The adapter's own ids for the second and later ML breakpoints of a Python line.
#[derive(Debug, Default)]
pub struct SharedLineIds {
    next: i64,
    /// A file's n-th breakpoint keeps its id from one `setBreakpoints` (or restart) to the
    /// next, so that a `changed` event after a restart names a breakpoint the editor knows.
    by_place: HashMap<(PathBuf, usize), i64>,
    /// Per file: (debugpy's id of the line, an adapter id sharing it).
    sharing: HashMap<PathBuf, Vec<(i64, i64)>>,
}

impl SharedLineIds {
    /// Forgets what a file's breakpoints shared (the editor sets its breakpoints again).
    pub fn reset(&mut self, file: &Path) {
        self.sharing.remove(file);
    }

    /// Forgets every sharing: a new debugpy gives ids of its own.
    pub fn new_run(&mut self) {
        self.sharing.clear();
    }

    /// The id of `file`'s `index`-th breakpoint, on the line of debugpy's breakpoint `shared`.
    pub fn share(&mut self, file: &Path, index: usize, shared: i64) -> i64 {
        let next = &mut self.next;
        let id = *self
            .by_place
            .entry((file.to_path_buf(), index))
            .or_insert_with(|| {
                *next += 1;
                FIRST_ID + *next
            });
        self.sharing
            .entry(file.to_path_buf())
            .or_default()
            .push((shared, id));
        id
    }

    /// The editor's ids for debugpy's breakpoint `id`: it, then those sharing its line.
    pub fn editor_ids(&self, id: i64) -> Vec<i64> {
        let shared = self
            .sharing
            .values()
            .flatten()
            .filter(|(debugpy, _)| *debugpy == id)
            .map(|(_, own)| *own);
        std::iter::once(id).chain(shared).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_lines_get_ids_of_their_own_stable_per_place() {
        let mut ids = SharedLineIds::default();
        let file = Path::new("/p/main.ml");
        let a = ids.share(file, 1, 3);
        let b = ids.share(file, 2, 3);
        assert!(a > 1 << 40 && b > a);
        assert_eq!(ids.editor_ids(3), [3, a, b]);
        assert_eq!(ids.editor_ids(4), [4]);
        ids.reset(file);
        assert_eq!(ids.editor_ids(3), [3]);
        // The same place after a reset (or a restart): the same id.
        assert_eq!(ids.share(file, 1, 7), a);
        ids.new_run();
        assert_eq!(ids.editor_ids(7), [7]);
        let other = ids.share(Path::new("/p/b.ml"), 1, 7);
        assert!(other != a && other != b);
    }
}
