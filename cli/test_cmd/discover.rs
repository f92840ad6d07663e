//! Which files are test files and which functions are tests: `*_test.ml` and `test_*.ml`
//! under folders (the workspace walk's rules: hidden, dependency and output folders
//! skipped), files named on the command line as they are; a test is a top-level
//! `function test_*`, found in the parse without running anything.

use mlpy_modules::workspace;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::LineIndex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Whether a file name is a test file's: `NAME_test.ml` or `test_NAME.ml`.
pub(crate) fn is_test_file_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".ml") else {
        return false;
    };
    (stem.ends_with("_test") && stem.len() > "_test".len())
        || (stem.starts_with("test_") && stem.len() > "test_".len())
}

/// The test files under `paths` (files as given, folders walked), sorted, each once.
/// A path that does not exist is an error that names it.
pub(crate) fn test_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = BTreeSet::new();
    for path in paths {
        if path.is_dir() {
            for file in workspace::ml_sources(path, usize::MAX) {
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
                if name.as_deref().is_some_and(is_test_file_name) {
                    found.insert(clean(&file));
                }
            }
        } else if path.is_file() {
            found.insert(clean(path));
        } else {
            anyhow::bail!("{}: no such file or folder", path.display());
        }
    }
    Ok(found.into_iter().collect())
}

/// `./a/b_test.ml` as `a/b_test.ml`: the walk of `.` prefixes every path with it.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".").unwrap_or(path).to_path_buf()
}

/// One test function of a file.
#[derive(Debug, Clone)]
pub(crate) struct TestFn {
    pub name: String,
    /// One-based line of `function test_…`.
    pub line: u32,
    /// How many parameters it declares: a test is called with none.
    pub params: usize,
}

/// The top-level `function test_*` of a module, in source order. A name defined twice is
/// listed once (the later definition is the one that runs).
pub(crate) fn test_functions(tree: &ast::SourceFile, text: &str) -> Vec<TestFn> {
    let index = LineIndex::new(text);
    let mut out: Vec<TestFn> = Vec::new();
    for stmt in tree.statements() {
        let ast::Stmt::Function(function) = stmt else {
            continue;
        };
        let Some(name) = function.name() else {
            continue;
        };
        let name = name.text();
        if !name.starts_with("test_") {
            continue;
        }
        let (line, _) = index.human_line_col(function.range().start(), text);
        let test = TestFn {
            name,
            line,
            params: function.params().count(),
        };
        match out.iter_mut().find(|t| t.name == test.name) {
            Some(existing) => *existing = test,
            None => out.push(test),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_file_names() {
        for name in [
            "a_test.ml",
            "test_a.ml",
            "math_utils_test.ml",
            "test_x_test.ml",
        ] {
            assert!(is_test_file_name(name), "{name}");
        }
        for name in [
            "_test.ml",
            "test_.ml",
            "test.ml",
            "a_test.py",
            "atest.ml",
            "a_tests.ml",
        ] {
            assert!(!is_test_file_name(name), "{name}");
        }
    }

    #[test]
    fn tests_are_top_level_test_functions() {
        let text = "function test_a() { }\nfunction helper() { }\nif (true) {\n  function test_nested() { }\n}\nfunction test_b(x) { }\nfunction test_a() { }\n";
        let parse = mlpy_syntax::parse(text);
        let found = test_functions(&parse.tree(), text);
        let names: Vec<(&str, u32, usize)> = found
            .iter()
            .map(|t| (t.name.as_str(), t.line, t.params))
            .collect();
        assert_eq!(names, [("test_a", 7, 0), ("test_b", 6, 1)]);
    }
}
