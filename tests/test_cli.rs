//! `mlpy test` end to end, with the real binary and the real `python3`: discovery, every
//! assertion of the `testing` module with generated values and the failure reports they
//! give (ML file and line, both values, diffs), `--filter`, `--format json`, `--junit`
//! (read back by Python's XML parser), parallel runs with fresh module state per file,
//! capabilities, files that do not compile, errors that are not assertions, and the exit
//! statuses (0, 1, 5).

mod support;

use serde_json::Value;
use std::process::Output;
use support::{stderr, stdout, Project};

fn project() -> Project {
    let project = Project::new();
    project.file("mlpy.json", r#"{"import_paths": ["src"]}"#);
    project.file(
        "src/lib.ml",
        "function add(a, b) { return a + b; }\nfunction boom() { return [1][3]; }\n",
    );
    project
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code")
}

fn both(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", both(output)))
}

/// The test named `name` in the JSON report.
fn test_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["tests"].as_array().expect("tests"))
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test {name} in {report:#}"))
}

#[test]
fn passing_and_failing_files_a_line_each_a_summary_and_the_exit_status() {
    let p = project();
    p.file(
        "tests/math_test.ml",
        "import lib;\nimport testing;\n\nfunction test_add() {\n    testing.assert_equal(lib.add(1, 2), 3);\n}\n\nfunction test_wrong() {\n    testing.assert_equal(lib.add(2, 2), 5, \"two and two\");\n}\n\nfunction helper() {\n    return 1;\n}\n",
    );
    p.file(
        "tests/test_strings.ml",
        "import testing;\nfunction test_upper() { testing.assert_equal(\"ab\".upper(), \"AB\"); }\nfunction test_len() { testing.assert_true(\"abc\".length == 3); }\n",
    );
    // Not test files: neither name matches, and output folders are skipped.
    p.file(
        "tests/helpers.ml",
        "function test_not_run() { x = 1 / 0; }\n",
    );
    p.file("out/.mlpy-output", "{}");
    p.file("out/x_test.ml", "function test_never() { x = 1 / 0; }\n");

    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        text.contains("FAIL tests/math_test.ml (1 of 2 tests failed"),
        "{text}"
    );
    assert!(
        text.contains("PASS tests/test_strings.ml (2 tests"),
        "{text}"
    );
    assert!(
        !text.contains("helpers.ml") && !text.contains("x_test"),
        "{text}"
    );
    assert!(
        text.contains(
            "---- tests/math_test.ml::test_wrong ----\ntests/math_test.ml:9: failed: two and two: values are not equal\n  actual:   4\n  expected: 5\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("test result: FAILED. 3 passed, 1 failed; 2 files in"),
        "{text}"
    );

    // Only the passing file: exit 0.
    let output = p.mlpy(&["test", "tests/test_strings.ml"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert!(stdout(&output).contains("test result: ok. 2 passed, 0 failed; 1 file in"));

    // A path that does not exist.
    let output = p.mlpy(&["test", "nowhere"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("nowhere: no such file or folder"));
}

/// A value generated for the equality tests, written as ML and as the failure report
/// prints it.
#[derive(Clone, Debug)]
enum V {
    Num(i64),
    Str(String),
    Bool(bool),
    Null,
    Arr(Vec<V>),
    Obj(Vec<(String, V)>),
}

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

impl V {
    fn gen(rng: &mut Rng, depth: u32) -> V {
        match rng.next(if depth < 3 { 7 } else { 4 }) {
            0 => V::Num(rng.next(40) as i64 - 20),
            1 => V::Str(
                (0..rng.next(5))
                    .map(|_| (b'a' + rng.next(5) as u8) as char)
                    .collect(),
            ),
            2 => V::Bool(rng.next(2) == 0),
            3 => V::Null,
            4 | 5 => V::Arr((0..rng.next(4)).map(|_| V::gen(rng, depth + 1)).collect()),
            _ => {
                let mut fields: Vec<(String, V)> = Vec::new();
                for _ in 0..rng.next(4) {
                    let key = format!("k{}", rng.next(6));
                    if !fields.iter().any(|(k, _)| *k == key) {
                        fields.push((key, V::gen(rng, depth + 1)));
                    }
                }
                V::Obj(fields)
            }
        }
    }

    fn ml(&self) -> String {
        match self {
            V::Num(n) => n.to_string(),
            V::Str(s) => format!("\"{s}\""),
            V::Bool(b) => b.to_string(),
            V::Null => "null".to_string(),
            V::Arr(items) => format!(
                "[{}]",
                items.iter().map(V::ml).collect::<Vec<_>>().join(", ")
            ),
            V::Obj(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.ml()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// As the report shows it: ML's `repr` (a top-level boolean and null in ML words,
    /// nested values in Python's notation, as `print` shows them).
    fn shown(&self, top: bool) -> String {
        match self {
            V::Num(n) => n.to_string(),
            V::Str(s) => format!("'{s}'"),
            V::Bool(b) if top => b.to_string(),
            V::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            V::Null if top => "null".to_string(),
            V::Null => "None".to_string(),
            V::Arr(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|v| v.shown(false))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            V::Obj(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("'{k}': {}", v.shown(false)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            V::Num(_) => "number",
            V::Str(_) => "string",
            V::Bool(_) => "boolean",
            V::Null => "null",
            V::Arr(_) => "array",
            V::Obj(_) => "object",
        }
    }

    /// The same value with every object's keys in reverse order: still equal.
    fn reordered(&self) -> V {
        match self {
            V::Arr(items) => V::Arr(items.iter().map(V::reordered).collect()),
            V::Obj(fields) => V::Obj(
                fields
                    .iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), v.reordered()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Paths of the scalar leaves inside containers.
    fn leaves(&self, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match self {
            V::Arr(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    v.leaves(path, out);
                    path.pop();
                }
            }
            V::Obj(fields) => {
                for (k, v) in fields {
                    path.push(Step::Key(k.clone()));
                    v.leaves(path, out);
                    path.pop();
                }
            }
            _ if !path.is_empty() => out.push(path.clone()),
            _ => {}
        }
    }

    fn at_mut(&mut self, path: &[Step]) -> &mut V {
        match (self, path.first()) {
            (v, None) => v,
            (V::Arr(items), Some(Step::Index(i))) => items[*i].at_mut(&path[1..]),
            (V::Obj(fields), Some(Step::Key(k))) => fields
                .iter_mut()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v)
                .expect("key")
                .at_mut(&path[1..]),
            _ => unreachable!("a path of this value"),
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    Index(usize),
    Key(String),
}

fn path_text(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Index(i) => format!("[{i}]"),
            Step::Key(k) => format!(".{k}"),
        })
        .collect()
}

/// `assert_equal` on generated values: equal ones (object keys in another order) pass;
/// one changed leaf fails with both values as ML prints them and the path of the change.
#[test]
fn assert_equal_on_generated_values_reports_values_and_where_they_differ() {
    let mut rng = Rng(20240607);
    let mut source = String::from("import testing;\n");
    let mut expectations = Vec::new();
    let mut made = 0;
    while made < 60 {
        let value = V::gen(&mut rng, 0);
        let mut leaves = Vec::new();
        value.leaves(&mut Vec::new(), &mut leaves);
        if leaves.is_empty() {
            continue;
        }
        made += 1;
        let line = source.lines().count() + 1;
        source.push_str(&format!(
            "function test_same_{made}() {{ testing.assert_equal({}, {}); }}\n",
            value.reordered().ml(),
            value.ml()
        ));
        let path = &leaves[rng.next(leaves.len() as u64) as usize];
        let mut changed = value.clone();
        let leaf = changed.at_mut(path);
        let old = leaf.clone();
        *leaf = match &old {
            V::Num(n) => V::Num(n + 1),
            V::Str(s) => V::Str(format!("{s}z")),
            V::Bool(_) => V::Num(1),
            _ => V::Str("x".to_string()),
        };
        let new = leaf.clone();
        let where_ = path_text(path);
        let difference = if new.type_name() == old.type_name() {
            format!(
                "at {where_}: {}, expected {}",
                new.shown(true),
                old.shown(true)
            )
        } else {
            format!(
                "at {where_}: {} {}, expected {} {}",
                new.type_name(),
                new.shown(true),
                old.type_name(),
                old.shown(true)
            )
        };
        expectations.push((
            made,
            line + 1,
            changed.shown(true),
            value.shown(true),
            difference,
        ));
        source.push_str(&format!(
            "function test_changed_{made}() {{ testing.assert_equal({}, {}); }}\n",
            changed.ml(),
            value.ml()
        ));
    }
    let p = project();
    p.file("gen_test.ml", &source);
    let output = p.mlpy(&["test", "gen_test.ml"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        text.contains("test result: FAILED. 60 passed, 60 failed"),
        "{text}"
    );
    for (n, line, actual, expected, difference) in expectations {
        let block = format!(
            "---- gen_test.ml::test_changed_{n} ----\ngen_test.ml:{line}: failed: values are not equal\n  actual:   {actual}\n  expected: {expected}\n  differences:\n    {difference}\n"
        );
        assert!(text.contains(&block), "expected\n{block}\nin\n{text}");
        assert!(!text.contains(&format!("test_same_{n} ")), "{text}");
    }
}

#[test]
fn strings_diff_by_line_and_the_other_assertions_report_their_values() {
    let p = project();
    p.file(
        "report_test.ml",
        r#"import testing;
function test_lines() {
    testing.assert_equal("one\ntwo\nthree\nfour", "one\n2\nthree\nfour");
}
function test_true() {
    testing.assert_true([], "a list");
}
function test_false() {
    testing.assert_false({a: 1});
}
function test_fail() {
    testing.fail("not written yet");
}
function test_numbers() {
    testing.assert_equal(0.1 + 0.2, 0.3);
}
function test_bool_is_not_number() {
    testing.assert_equal(true, 1);
}
function test_passes() {
    testing.assert_equal(1, 1.0);
    testing.assert_true("x");
    testing.assert_false(null);
}
"#,
    );
    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{text}");
    for expected in [
        "report_test.ml:3: failed: values are not equal\n  actual:   'one\\ntwo\\nthree\\nfour'\n  expected: 'one\\n2\\nthree\\nfour'\n  diff (-expected +actual):\n    @@ -1,4 +1,4 @@\n     one\n    -2\n    +two\n     three\n",
        "report_test.ml:6: failed: a list: expected a true value, got []\n",
        "report_test.ml:9: failed: expected a false value, got {'a': 1}\n",
        "report_test.ml:12: failed: not written yet\n",
        "report_test.ml:15: failed: values are not equal\n  actual:   0.30000000000000004\n  expected: 0.3\n",
        "report_test.ml:18: failed: values are not equal\n  actual:   true\n  expected: 1\n",
        "1 passed, 6 failed",
    ] {
        assert!(text.contains(expected), "expected\n{expected}\nin\n{text}");
    }
}

#[test]
fn assert_throws_checks_the_kind_of_error() {
    let p = project();
    p.file(
        "throws_test.ml",
        r#"import testing;
import lib;
function test_kinds() {
    testing.assert_throws(fn() => 1 / 0);
    testing.assert_throws(fn() => 1 / 0, "ZeroDivisionError");
    testing.assert_throws(fn() => 1 / 0, "ArithmeticError");
    testing.assert_throws(fn() => lib.boom(), "IndexError");
    testing.assert_throws(fn() => {a: 1}["b"], "LookupError");
    e = testing.assert_throws(fn() => { throw {message: "bad input", type: "ParseError"}; }, "ParseError");
    testing.assert_equal(e.message, "bad input");
    testing.assert_throws(fn() => { throw {message: "m"}; }, "MLUserException");
}
function test_wrong_kind() {
    testing.assert_throws(fn() => 1 / 0, "KeyError");
}
function test_no_error() {
    testing.assert_throws(fn() => 1);
}
function test_thrown_wrong_kind() {
    testing.assert_throws(fn() => { throw {message: "bad", type: "A"}; }, "B");
}
"#,
    );
    let output = p.mlpy(&["test", "--format", "json"]);
    let report = json(&output);
    assert_eq!(code(&output), 1);
    assert_eq!(
        test_of(&report, "test_kinds")["status"],
        "pass",
        "{report:#}"
    );
    let wrong = &test_of(&report, "test_wrong_kind")["failure"];
    assert_eq!(
        wrong["message"],
        "expected an error of kind 'KeyError', got ZeroDivisionError: division by zero"
    );
    assert_eq!(wrong["line"], 14);
    assert_eq!(
        test_of(&report, "test_no_error")["failure"]["message"],
        "expected the function to throw, but it returned normally"
    );
    assert_eq!(
        test_of(&report, "test_thrown_wrong_kind")["failure"]["message"],
        "expected an error of kind 'B', got A: bad"
    );
}

#[test]
fn filter_json_and_an_error_that_is_not_an_assertion() {
    let p = project();
    p.file(
        "a_test.ml",
        r#"import testing;
import lib;
import console;
function check(x) {
    testing.assert_equal(x, 2);
}
function test_helper_fails() {
    console.log("before the check");
    check(3);
}
function test_index_error() {
    lib.boom();
}
function test_thrown() {
    throw {message: "custom", code: 7};
}
function test_ok() {
    console.log("quiet");
}
"#,
    );
    let output = p.mlpy(&["test", "--format", "json"]);
    let report = json(&output);
    assert_eq!(code(&output), 1);
    let helper = test_of(&report, "test_helper_fails");
    assert_eq!(helper["status"], "fail");
    assert_eq!(helper["output"], "before the check\n");
    assert_eq!(helper["line"], 7);
    // The place of the assertion call (in the helper), and the way there.
    assert_eq!(helper["failure"]["file"], "a_test.ml");
    assert_eq!(helper["failure"]["line"], 5);
    assert_eq!(helper["failure"]["actual"], "3");
    assert_eq!(helper["failure"]["expected"], "2");
    let frames: Vec<(String, u64)> = helper["failure"]["frames"]
        .as_array()
        .expect("frames")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    assert_eq!(
        frames,
        [("a_test.ml".to_string(), 9), ("a_test.ml".to_string(), 5)]
    );
    let index = test_of(&report, "test_index_error");
    assert_eq!(index["status"], "error");
    assert_eq!(
        index["failure"]["message"],
        "IndexError: list index out of range"
    );
    assert_eq!(index["failure"]["file"], "src/lib.ml");
    assert_eq!(index["failure"]["line"], 2);
    let thrown = test_of(&report, "test_thrown");
    assert_eq!(thrown["status"], "error");
    assert_eq!(thrown["failure"]["line"], 15);
    assert!(thrown["failure"]["message"]
        .as_str()
        .expect("message")
        .contains("custom"));
    assert_eq!(test_of(&report, "test_ok")["status"], "pass");
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["errors"], 2);

    // Human output: the error's ML place, the output of failing tests only.
    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert!(
        text.contains("src/lib.ml:2: error: IndexError: list index out of range"),
        "{text}"
    );
    assert!(text.contains("output:\n  | before the check\n"), "{text}");
    assert!(!text.contains("quiet"), "{text}");
    assert!(text.contains("ML traceback (most recent call last):\n  a_test.ml:9 in test_helper_fails\n  a_test.ml:5 in check\n"), "{text}");

    // --filter: by name, or FILE::NAME.
    let output = p.mlpy(&["test", "--filter", "ok", "--format", "json"]);
    let report = json(&output);
    assert_eq!(code(&output), 0, "{report:#}");
    let names: Vec<&str> = report["files"][0]["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["test_ok"]);
    let output = p.mlpy(&["test", "--filter", "a_test.ml::test_thr"]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("0 passed, 1 failed (1 error)"),
        "{}",
        both(&output)
    );
}

/// `--exact`: the one test of that name (or `FILE::NAME`), never the tests whose names
/// merely contain it — what an editor's "Run test" asks for.
#[test]
fn exact_filter_runs_one_test() {
    let p = project();
    p.file(
        "a_test.ml",
        "import testing;\nfunction test_a() { testing.assert_true(true); }\nfunction test_ab() { testing.fail(\"not this one\"); }\nfunction test_a_b() { testing.fail(\"nor this\"); }\n",
    );
    let names = |args: &[&str]| -> (i32, Vec<String>) {
        let mut all = vec!["test", "--format", "json"];
        all.extend_from_slice(args);
        let output = p.mlpy(&all);
        let report = json(&output);
        let names = report["files"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["tests"].as_array().cloned().unwrap_or_default())
            .map(|t| t["name"].as_str().expect("name").to_string())
            .collect();
        (code(&output), names)
    };
    assert_eq!(
        names(&["--filter", "test_a", "--exact"]),
        (0, vec!["test_a".to_string()])
    );
    assert_eq!(
        names(&["--filter", "a_test.ml::test_a", "--exact"]),
        (0, vec!["test_a".to_string()])
    );
    let (status, all) = names(&["--filter", "test_a"]);
    assert_eq!((status, all.len()), (1, 3), "{all:?}");
    // No test of exactly that name: none run, exit 5 as when none are found.
    let output = p.mlpy(&["test", "--filter", "test_", "--exact"]);
    assert_eq!(code(&output), 5, "{}", both(&output));
    assert!(
        stderr(&output).contains("matches --filter \"test_\" --exact"),
        "{}",
        both(&output)
    );
    // --exact alone is a usage error.
    let output = p.mlpy(&["test", "--exact"]);
    assert_eq!(code(&output), 2, "{}", both(&output));
}

#[test]
fn a_junit_report_that_cannot_be_written_is_refused_before_the_tests_run() {
    // It used to be found out after the whole run, whose results the error then hid (the
    // failures and the summary were never printed). A report that can be written (a new
    // folder included) is written after the results are shown.
    let p = project();
    p.file(
        "x_test.ml",
        "import testing;\nfunction test_slow_and_failing() {\n    testing.assert_equal(1, 2);\n}\n",
    );
    p.file("notes.txt", "mine\n");
    for (target, message) in [
        (".", "'.' is a folder"),
        ("x_test.ml", "refusing to overwrite 'x_test.ml'"),
        ("notes.txt/r.xml", "'notes.txt' is a file, not a folder"),
        (
            "notes.txt/deeper/r.xml",
            "'notes.txt' is a file, not a folder",
        ),
    ] {
        let output = p.mlpy(&["test", "--junit", target]);
        assert_eq!(code(&output), 2, "{target}: {}", both(&output));
        assert!(
            stderr(&output).contains("--junit: ") && stderr(&output).contains(message),
            "{target}: {}",
            both(&output)
        );
        // Nothing ran.
        assert!(
            !stdout(&output).contains("x_test.ml"),
            "{target}: {}",
            both(&output)
        );
    }
    assert_eq!(
        std::fs::read_to_string(p.path("notes.txt")).unwrap(),
        "mine\n"
    );
    let output = p.mlpy(&["test", "--junit", "new/folder/r.xml"]);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        stdout(&output).contains("test result: FAILED"),
        "{}",
        both(&output)
    );
    assert!(p.path("new/folder/r.xml").is_file());
}

#[test]
fn junit_xml_is_well_formed_and_escaped() {
    let p = project();
    p.file(
        "x_test.ml",
        "import testing;\nimport console;\nfunction test_specials() {\n    console.log(\"<out> & 'quotes' \\\"x\\\"\");\n    testing.assert_equal(\"a<b&c\", \"a>b]]>\", \"<msg>\");\n}\nfunction test_fine() {\n    testing.assert_true(true);\n}\nfunction test_err() {\n    x = 1 / 0;\n}\n",
    );
    p.file("broken_test.ml", "function test_x() {\n    x = ;\n}\n");
    let output = p.mlpy(&["test", "--junit", "report/junit.xml"]);
    assert_eq!(code(&output), 1, "{}", both(&output));
    // Python's own XML parser reads it back.
    let script = r#"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {"root": root.tag, "tests": root.get("tests"), "failures": root.get("failures"), "errors": root.get("errors"), "cases": []}
for suite in root:
    for case in suite:
        entry = {"suite": suite.get("name"), "name": case.get("name"), "line": case.get("line")}
        for child in case:
            entry[child.tag] = {"message": child.get("message"), "text": child.text}
        out["cases"].append(entry)
print(json.dumps(out))
"#;
    let mut python = support::python();
    python.arg("-c").arg(script).arg(p.path("report/junit.xml"));
    let parsed = support::run(python, None);
    assert!(parsed.status.success(), "{}", both(&parsed));
    let xml: Value = serde_json::from_str(&stdout(&parsed)).expect("json");
    assert_eq!(xml["root"], "testsuites");
    assert_eq!(xml["tests"], "4");
    assert_eq!(xml["failures"], "1");
    assert_eq!(xml["errors"], "2");
    let cases = xml["cases"].as_array().expect("cases");
    let case = |name: &str| {
        cases
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {xml:#}"))
    };
    let specials = case("test_specials");
    assert_eq!(specials["suite"], "x_test.ml");
    assert_eq!(specials["line"], "3");
    assert_eq!(
        specials["failure"]["message"],
        "<msg>: values are not equal"
    );
    let text = specials["failure"]["text"].as_str().expect("text");
    assert!(text.starts_with("x_test.ml:5: <msg>"), "{text}");
    assert!(
        text.contains("actual:   'a<b&c'") && text.contains("'a>b]]>'"),
        "{text}"
    );
    assert_eq!(specials["system-out"]["text"], "<out> & 'quotes' \"x\"\n");
    assert!(case("test_fine").get("failure").is_none());
    assert_eq!(
        case("test_err")["error"]["message"],
        "ZeroDivisionError: division by zero"
    );
    let broken = cases
        .iter()
        .find(|c| c["suite"] == "broken_test.ml")
        .expect("the file that does not compile");
    assert!(broken["error"]["text"]
        .as_str()
        .expect("text")
        .contains("broken_test.ml:2:9: error"));
}

/// Each file runs in its own process (module state starts fresh), several at once.
#[test]
fn files_run_in_parallel_with_fresh_module_state() {
    let p = project();
    p.file(
        "src/counter.ml",
        "count = 0;\nfunction bump() { nonlocal count; count = count + 1; return count; }\n",
    );
    let mut names = Vec::new();
    for i in 0..4 {
        let name = format!("c{i}_test.ml");
        p.file(
            &name,
            r#"import testing;
import counter;
import datetime;
import console;
function test_a_counts_from_one() {
    testing.assert_equal(counter.bump(), 1);
    testing.assert_equal(counter.bump(), 2);
}
function test_b_state_is_shared_within_the_file() {
    testing.assert_equal(counter.bump(), 3);
}
function test_c_busy() {
    start = datetime.now().timestamp();
    console.log(start);
    while (datetime.now().timestamp() - start < 1.5) { }
    console.log(datetime.now().timestamp());
    testing.fail("show the times");
}
"#,
        );
        names.push(name);
    }
    let output = p.mlpy(&["test", "--jobs", "2", "--format", "json"]);
    let report = json(&output);
    assert_eq!(report["summary"]["passed"], 8, "{report:#}");
    assert_eq!(report["summary"]["failed"], 4, "{report:#}");
    // The busy tests of two files at once: their time spans overlap.
    let spans: Vec<(f64, f64)> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let busy = f["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .find(|t| t["name"] == "test_c_busy")
                .expect("busy test");
            let times: Vec<f64> = busy["output"]
                .as_str()
                .expect("output")
                .lines()
                .map(|l| l.parse().expect("a time"))
                .collect();
            (times[0], times[1])
        })
        .collect();
    let overlapping = (0..spans.len())
        .flat_map(|i| (i + 1..spans.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| spans[i].0 < spans[j].1 && spans[j].0 < spans[i].1)
        .count();
    assert!(overlapping >= 1, "no two files ran at once: {spans:?}");
}

#[test]
fn capabilities_are_those_of_mlpy_run() {
    let p = project();
    p.file("data.txt", "hello");
    p.file(
        "file_test.ml",
        "import testing;\nimport file;\nfunction test_read() {\n    testing.assert_equal(file.read(\"data.txt\"), \"hello\");\n}\n",
    );
    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        text.contains(
            "file_test.ml:4: error: CapabilityError: capability 'file.read' is not granted"
        ),
        "{text}"
    );
    let output = p.mlpy(&["test", "--allow", "file.read"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    // From mlpy.json as well.
    p.file(
        "mlpy.json",
        r#"{"import_paths": ["src"], "capabilities": ["file.read"]}"#,
    );
    let output = p.mlpy(&["test"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
}

#[test]
fn a_file_that_does_not_compile_fails_with_its_place_and_the_others_still_run() {
    let p = project();
    p.file(
        "bad_test.ml",
        "import testing;\nfunction test_x() {\n    x = (1 + ;\n}\n",
    );
    p.file(
        "unknown_test.ml",
        "import testing;\nfunction test_y() {\n    testing.assert_equl(1, 1);\n}\n",
    );
    p.file(
        "good_test.ml",
        "import testing;\nfunction test_z() { testing.assert_true(true); }\n",
    );
    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{text}");
    assert!(
        text.contains("ERROR bad_test.ml: could not be compiled"),
        "{text}"
    );
    assert!(text.contains("bad_test.ml:3:14: error"), "{text}");
    assert!(
        text.contains("unknown_test.ml:3:13: error: module 'testing' has no member 'assert_equl'"),
        "{text}"
    );
    assert!(text.contains("PASS good_test.ml"), "{text}");
    assert!(
        text.contains("1 passed, 0 failed; 2 files could not run; 3 files in"),
        "{text}"
    );
}

#[test]
fn failing_top_level_code_and_tests_with_parameters() {
    let p = project();
    p.file(
        "top_test.ml",
        "import testing;\nimport lib;\nx = lib.boom();\nfunction test_never() { testing.fail(\"this test ran\"); }\n",
    );
    p.file(
        "param_test.ml",
        "import testing;\nfunction test_param(x) { }\nfunction test_fine() { }\n",
    );
    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{text}");
    assert!(
        text.contains("src/lib.ml:2: error: IndexError: list index out of range"),
        "{text}"
    );
    assert!(text.contains("  top_test.ml:3 in <module>"), "{text}");
    assert!(!text.contains("this test ran"), "{text}");
    assert!(
        text.contains(
            "param_test.ml:2: error: a test function takes no parameters (test_param declares 1)"
        ),
        "{text}"
    );
}

#[test]
fn no_tests_found_exits_with_status_5() {
    let p = project();
    let output = p.mlpy(&["test"]);
    assert_eq!(code(&output), 5, "{}", both(&output));
    assert!(stderr(&output).contains("no tests found: no test files (`*_test.ml`, `test_*.ml`)"));
    p.file("empty_test.ml", "function helper() { }\n");
    let output = p.mlpy(&["test"]);
    assert_eq!(code(&output), 5, "{}", both(&output));
    assert!(stderr(&output).contains("define no top-level `function test_*`"));
    p.file("some_test.ml", "function test_a() { }\n");
    let output = p.mlpy(&["test", "--filter", "zzz", "--format", "json"]);
    assert_eq!(code(&output), 5, "{}", both(&output));
    assert_eq!(json(&output)["summary"]["files"], 0);
    assert!(stderr(&output).contains("matches --filter \"zzz\""));
    let output = p.mlpy(&["test"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
}

#[test]
fn jobs_must_be_a_positive_number() {
    let p = project();
    p.file("some_test.ml", "function test_a() { }\n");
    for bad in ["0", "-1", "two", ""] {
        let flag = format!("--jobs={bad}");
        let output = p.mlpy(&["test", &flag]);
        assert_eq!(code(&output), 2, "{bad}: {}", both(&output));
        assert!(
            stderr(&output).contains("--jobs"),
            "{bad}: {}",
            both(&output)
        );
    }
    let output = p.mlpy(&["test", "-j", "1"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
}

#[test]
fn warnings_of_a_test_program_are_shown_once_each() {
    let p = project();
    // A warning in an imported module (two test files import it) and one in a test file:
    // the unknown function is why `test_shout` fails.
    p.file(
        "src/util.ml",
        "function shout(s) { return upcase(s); }\nfunction one() { return 1; }\n",
    );
    p.file(
        "a_test.ml",
        "import util;\nimport testing;\nfunction test_shout() { testing.assert_equal(util.shout(\"a\"), \"A\"); }\nfunction test_other() { nosuch(1); }\n",
    );
    p.file(
        "b_test.ml",
        "import util;\nimport testing;\nfunction test_one() { testing.assert_equal(util.one(), 1); }\n",
    );
    let output = p.mlpy(&["test"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{text}");
    let in_util = "src/util.ml:1:28: warning: Unknown function 'upcase'";
    assert_eq!(text.matches(in_util).count(), 1, "{text}");
    assert_eq!(
        text.matches("a_test.ml:4:25: warning: Unknown function 'nosuch'")
            .count(),
        1,
        "{text}"
    );
    // Before the failures they explain.
    assert!(
        text.find(in_util) < text.find("---- a_test.ml::test_shout ----"),
        "{text}"
    );
    assert!(text.contains("PASS b_test.ml"), "{text}");

    // JSON: each file's program's warnings with that file.
    let report = json(&p.mlpy(&["test", "--format", "json"]));
    let warnings = |file: &str| -> Vec<(String, String)> {
        let entry = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == file)
            .unwrap_or_else(|| panic!("{report:#}"));
        entry["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["file"].as_str().unwrap().to_string(),
                    w["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(warnings("b_test.ml").len(), 1, "{report:#}");
    assert_eq!(warnings("b_test.ml")[0].0, "src/util.ml");
    assert_eq!(warnings("a_test.ml").len(), 2, "{report:#}");
}

/// A test that never ends is stopped at `--test-timeout` and reported as an error at its
/// line; the tests after it still run (in a new process), and a file whose top-level code
/// hangs is reported as such.
#[test]
fn a_test_that_hangs_is_stopped_at_the_timeout_and_the_others_still_run() {
    let p = project();
    p.file(
        "hang_test.ml",
        "import testing;\n\
         function test_first() { }\n\
         function test_hangs() { while (true) { } }\n\
         function test_fails_after() { testing.assert_equal(1, 2); }\n\
         function test_passes_after() { }\n",
    );
    p.file(
        "top_test.ml",
        "while (true) { }\nfunction test_never() { }\n",
    );
    let started = std::time::Instant::now();
    let output = p.mlpy(&["test", "--test-timeout", "0.5", "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", both(&output));
    let report = json(&output);
    assert_eq!(test_of(&report, "test_first")["status"], "pass");
    let hung = test_of(&report, "test_hangs");
    assert_eq!(hung["status"], "error", "{report:#}");
    assert_eq!(
        hung["failure"]["message"],
        "test_hangs did not finish within 0.5s (--test-timeout): stopped"
    );
    assert_eq!(hung["failure"]["line"], 3);
    assert_eq!(test_of(&report, "test_fails_after")["status"], "fail");
    assert_eq!(test_of(&report, "test_passes_after")["status"], "pass");
    let top = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["file"] == "top_test.ml")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(top["status"], "error", "{top:#}");
    assert!(
        top.to_string()
            .contains("the top-level code did not finish within 0.5s"),
        "{top:#}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));

    let output = p.mlpy(&["test", "hang_test.ml", "--test-timeout", "0.5"]);
    let text = stdout(&output);
    assert!(
        text.contains("hang_test.ml:3: error: test_hangs did not finish within 0.5s"),
        "{text}"
    );
    for bad in ["0", "-2", "later"] {
        let flag = format!("--test-timeout={bad}");
        let output = p.mlpy(&["test", &flag]);
        assert_eq!(code(&output), 2, "{bad}: {}", both(&output));
        assert!(
            stderr(&output).contains("--test-timeout"),
            "{}",
            both(&output)
        );
    }
}

/// The children of process `pid` (Linux: every thread's list).
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        out.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    out
}

/// Ctrl-C (or any signal) ending `mlpy test` while a test runs leaves nothing behind: no
/// results file in the temporary folder, no test process.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_leaves_no_file_and_no_process_behind() {
    use std::time::{Duration, Instant};
    let p = project();
    p.file(
        "slow_test.ml",
        "function test_slow() { while (true) { } }\n",
    );
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let mut child = support::mlpy(&p.path(".cache"))
        .arg("test")
        .current_dir(p.dir.path())
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mlpy starts");
    // Until the test process runs (and has had time to open its results).
    let started = Instant::now();
    let python = loop {
        if let Some(&pid) = children_of(child.id()).first() {
            break pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no test process"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: kill(2) on the process this test started.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = child.wait().expect("mlpy ends");
    assert!(!status.success());
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read the folder")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let gone = Instant::now();
    while std::path::Path::new(&format!("/proc/{python}")).exists() {
        // A zombie is gone as far as the user is concerned: it holds nothing.
        let stat = std::fs::read_to_string(format!("/proc/{python}/stat")).unwrap_or_default();
        if stat.contains(") Z ") || stat.is_empty() {
            break;
        }
        assert!(
            gone.elapsed() < Duration::from_secs(10),
            "the test process {python} outlived mlpy"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
