//! Small numbers for module paths: the engine's workspace indexes (the import graph, the
//! programs) keep their per-module facts in vectors indexed by them.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub(crate) struct PathIds {
    ids: HashMap<PathBuf, u32>,
    paths: Vec<PathBuf>,
}

impl PathIds {
    /// The id of `path`, if it has one.
    pub(crate) fn get(&self, path: &Path) -> Option<u32> {
        self.ids.get(path).copied()
    }

    /// The id of `path`, and whether it is new (the caller then grows its vectors).
    pub(crate) fn intern(&mut self, path: &Path) -> (u32, bool) {
        if let Some(&id) = self.ids.get(path) {
            return (id, false);
        }
        let id = self.paths.len() as u32;
        self.ids.insert(path.to_path_buf(), id);
        self.paths.push(path.to_path_buf());
        (id, true)
    }

    /// The path of `id`.
    pub(crate) fn path(&self, id: u32) -> &Path {
        &self.paths[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut ids = PathIds::default();
        assert_eq!(ids.intern(Path::new("/a.ml")), (0, true));
        assert_eq!(ids.intern(Path::new("/b.ml")), (1, true));
        assert_eq!(ids.intern(Path::new("/a.ml")), (0, false));
        assert_eq!(ids.get(Path::new("/b.ml")), Some(1));
        assert_eq!(ids.get(Path::new("/c.ml")), None);
        assert_eq!(ids.path(1), Path::new("/b.ml"));
    }
}
