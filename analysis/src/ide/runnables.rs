//! Tests, as `mlpy test` finds them and the editors offer to run them: a test file is
//! `NAME_test.ml` or `test_NAME.ml`; a test is a top-level `function test_*` (found in
//! the parse, without running anything). One rule for the CLI's discovery and the
//! server's "Run test" code lenses.

use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::TextRange;
use std::path::Path;

/// Whether a file name is a test file's: `NAME_test.ml` or `test_NAME.ml`.
pub fn is_test_file_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".ml") else {
        return false;
    };
    (stem.ends_with("_test") && stem.len() > "_test".len())
        || (stem.starts_with("test_") && stem.len() > "test_".len())
}

/// Whether the file at `path` is a test file (by its name).
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_test_file_name)
}

/// One test function of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFunction {
    pub name: String,
    /// The whole `function test_…(…) { … }` statement.
    pub range: TextRange,
    /// The function's name.
    pub name_range: TextRange,
    /// How many parameters it declares: a test is called with none, so one with
    /// parameters is reported, not run.
    pub params: usize,
}

/// The top-level `function test_*` of a module, in the order of their names' first
/// definitions. A name defined twice is listed once, with its last definition (the one
/// that runs).
pub fn test_functions(tree: &ast::SourceFile) -> Vec<TestFunction> {
    let mut out: Vec<TestFunction> = Vec::new();
    for stmt in tree.statements() {
        let ast::Stmt::Function(function) = stmt else {
            continue;
        };
        let Some(name) = function.name() else {
            continue;
        };
        let text = name.text();
        if !text.starts_with("test_") {
            continue;
        }
        let test = TestFunction {
            name: text,
            range: function.range(),
            name_range: name.range(),
            params: function.params().count(),
        };
        match out.iter_mut().find(|t| t.name == test.name) {
            Some(existing) => *existing = test,
            None => out.push(test),
        }
    }
    out
}

/// What an editor can run in a file: each test of a test file that takes no parameters
/// (what `mlpy test FILE --filter NAME --exact` runs). Nothing for other files.
pub fn runnable_tests(path: &Path, tree: &ast::SourceFile) -> Vec<TestFunction> {
    if !is_test_file(path) {
        return Vec::new();
    }
    let mut tests = test_functions(tree);
    tests.retain(|t| t.params == 0);
    tests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ast::SourceFile {
        mlpy_syntax::parse(text).tree()
    }

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
            "test_a.ml.bak",
        ] {
            assert!(!is_test_file_name(name), "{name}");
        }
        assert!(is_test_file(Path::new("/p/q/util_test.ml")));
        assert!(!is_test_file(Path::new("/p/test_dir/util.ml")));
    }

    #[test]
    fn tests_are_top_level_test_functions_the_last_definition_counting() {
        let text = "function test_a() { }\nfunction helper() { }\nif (true) {\n  function test_nested() { }\n}\nfunction test_b(x) { }\nfunction test_a() { }\n";
        let found = test_functions(&parse(text));
        let names: Vec<(&str, &str, usize)> = found
            .iter()
            .map(|t| (t.name.as_str(), &text[t.name_range], t.params))
            .collect();
        assert_eq!(names, [("test_a", "test_a", 0), ("test_b", "test_b", 1)]);
        let last_a = text.rfind("function test_a").unwrap();
        assert_eq!(usize::from(found[0].range.start()), last_a);
    }

    #[test]
    fn runnable_tests_only_in_test_files_and_without_parameters() {
        let text = "import testing;\nfunction test_one() { testing.assert_true(true); }\nfunction test_two(x) { }\nfunction helper() { }\n";
        let tree = parse(text);
        let names = |path: &str| -> Vec<String> {
            runnable_tests(Path::new(path), &tree)
                .into_iter()
                .map(|t| t.name)
                .collect()
        };
        assert_eq!(names("/w/math_test.ml"), ["test_one"]);
        assert_eq!(names("/w/test_math.ml"), ["test_one"]);
        assert!(names("/w/math.ml").is_empty());
    }

    #[test]
    fn broken_files_still_list_their_tests() {
        let text = "function test_ok() { }\nfunction test_broken( { \nfunction test_after() { }\n";
        let names: Vec<String> = test_functions(&parse(text))
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert!(names.contains(&"test_ok".to_string()), "{names:?}");
    }
}
