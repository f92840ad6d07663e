//! The conformance corpus (`../shared/conformance`, or `MLPY_CONFORMANCE_DIR`): shared by
//! the syntax tests and the parse benchmarks.

use std::path::{Path, PathBuf};

pub(super) fn corpus_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("MLPY_CONFORMANCE_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
}

/// Every `.ml` file of the corpus's programs (modules included), in a stable order.
pub(crate) fn corpus_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect_ml_files(&corpus_dir().join("programs"), &mut out);
    out
}

fn collect_ml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_ml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ml") {
            out.push(path);
        }
    }
}
