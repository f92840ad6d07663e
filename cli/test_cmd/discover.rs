//! Which files are test files and which functions are tests: `*_test.ml` and `test_*.ml`
//! under folders (the workspace walk's rules: hidden, dependency and output folders
//! skipped), files named on the command line as they are; a test is a top-level
//! `function test_*`, found in the parse without running anything.

use mlpy_analysis::ide::runnables::{self, is_test_file_name};
use mlpy_modules::workspace;
use mlpy_syntax::ast;
use mlpy_syntax::LineIndex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
            anyhow::bail!("{}: {}", path.display(), mlpy_fsutil::why_unusable(path));
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

/// The top-level `function test_*` of a module (the rule of
/// [`runnables::test_functions`]), with their lines.
pub(crate) fn test_functions(tree: &ast::SourceFile, text: &str) -> Vec<TestFn> {
    let index = LineIndex::new(text);
    runnables::test_functions(tree)
        .into_iter()
        .map(|t| TestFn {
            line: index.human_line_col(t.range.start(), text).0,
            name: t.name,
            params: t.params,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
