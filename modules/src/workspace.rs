//! Which files under a folder are ML sources: the one walk for every tool that looks at
//! a project's `.ml` files as a whole (`mlpy fmt` on a folder; the language server's
//! workspace scan follows the same rules).
//!
//! A `.ml` file is ML, not OCaml (which uses the same extension), when an `mlpy.json`
//! is in its folder or a folder above, or when its first line is `// mlpy`. The walk
//! skips hidden folders (`.git`, `.mlpy-cache`…), dependency and build folders
//! ([`SKIPPED_DIRS`]), and mlpy's output folders (those holding `.mlpy-output`), and
//! never follows symbolic links.

use crate::config::find_config_file;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Folders never searched for sources.
/// `testdata` is Go's rule: files kept as they are for tests (broken or unformatted on
/// purpose), which no tool treats as the project's sources.
pub const SKIPPED_DIRS: &[&str] = &["node_modules", "target", "__pycache__", "venv", "testdata"];

/// The file mlpy writes into every folder it transpiles into (`mlpy transpile
/// --out-dir`): such a folder holds output, not sources.
pub const OUTPUT_MARKER: &str = ".mlpy-output";

/// Whether `path` has the `.ml` extension.
pub fn is_module_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ml")
}

/// Answers of "is this folder in a project", memoised per folder across a walk.
#[derive(Debug, Default)]
pub struct ProjectMemo(HashMap<PathBuf, bool>);

/// Whether a `.ml` file on disk is ML rather than OCaml: an `mlpy.json` is in its
/// folder or a folder above, or its first line is `// mlpy`. The editor plugins apply
/// the same rule (`editors/*`).
pub fn is_ml_source(path: &Path, memo: &mut ProjectMemo) -> bool {
    is_module_file(path)
        && (path.parent().is_some_and(|dir| in_project(dir, memo)) || has_ml_marker(path))
}

fn in_project(dir: &Path, memo: &mut ProjectMemo) -> bool {
    if let Some(&known) = memo.0.get(dir) {
        return known;
    }
    let found = find_config_file(dir).is_some();
    memo.0.insert(dir.to_path_buf(), found);
    found
}

/// `// mlpy` on the first line (after an optional byte-order mark and spaces).
pub fn has_ml_marker(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 128];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..n]);
    let line = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .trim_start();
    line.strip_prefix("//")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("mlpy"))
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// Whether the walk skips the folder `dir` named `name`: hidden, a dependency or build
/// folder, or mlpy's output.
pub fn is_skipped_dir(dir: &Path, name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name) || dir.join(OUTPUT_MARKER).exists()
}

/// The ML sources under `dir` (paths as found, sorted), at most `limit` of them.
pub fn ml_sources(dir: &Path, limit: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut memo = ProjectMemo::default();
    walk(dir, limit, &mut memo, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, limit: usize, memo: &mut ProjectMemo, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if out.len() >= limit {
            return;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // The entry's own type: a symbolic link is neither a folder nor a file here.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !is_skipped_dir(&path, &name) {
                walk(&path, limit, memo, out);
            }
        } else if kind.is_file() && name.ends_with(".ml") && is_ml_source(&path, memo) {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn walks_sources_and_skips_what_is_not_source() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "proj/mlpy.json", "{}");
        write(root, "proj/main.ml", "x = 1;");
        write(root, "proj/lib/util.ml", "y = 2;");
        write(root, "proj/.hidden/a.ml", "");
        write(root, "proj/node_modules/b.ml", "");
        write(root, "proj/target/c.ml", "");
        write(root, "proj/testdata/broken.ml", "x = ;");
        write(root, "proj/out/.mlpy-output", "{}");
        write(root, "proj/out/d.ml", "");
        write(root, "ocaml/main.ml", "let x = 1");
        write(root, "marked/main.ml", "// mlpy\nx = 1;");
        write(root, "proj/notes.txt", "");
        let found: Vec<String> = ml_sources(root, usize::MAX)
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            found,
            ["marked/main.ml", "proj/lib/util.ml", "proj/main.ml"]
        );
        assert_eq!(ml_sources(root, 1).len(), 1);
    }

    #[test]
    fn the_marker_is_a_whole_word() {
        let dir = tempfile::tempdir().unwrap();
        for (text, marked) in [
            ("// mlpy\n", true),
            ("\u{feff}  //mlpy project\n", true),
            ("// mlpython\n", false),
            ("x = 1; // mlpy\n", false),
        ] {
            let path = dir.path().join("a.ml");
            std::fs::write(&path, text).unwrap();
            assert_eq!(has_ml_marker(&path), marked, "{text:?}");
        }
    }
}
