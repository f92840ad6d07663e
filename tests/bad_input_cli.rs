//! Bad input meets the real binary (issue 11): whatever a user feeds `mlpy`, the error
//! names `file:line:col` (one-based) in words of ML and JSON, the exit status is not 0,
//! and nothing panics; what Python would refuse or warn about is reported by `mlpy check`
//! at the ML place, never at run time against a cache path.
//!
//! * integer literals over 4300 digits, indexing that always fails;
//! * string escapes: surrogate pairs are one character, lone halves are errors;
//! * ML files that are not UTF-8, as the entry and as an import;
//! * `mlpy.json` and `mlpy.lock` that are not what they should be;
//! * `-o` naming a folder;
//! * a tampered `mlpy run` cache.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::{stderr, stdout, Project};

fn assert_no_panic(out: &Output) {
    let text = format!("{}{}", stdout(out), stderr(out));
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("RUST_BACKTRACE"), "{text}");
}

/// The first `file:line:col:` of a text, with line and column as numbers.
fn first_place(text: &str) -> Option<(String, u32, u32)> {
    text.lines().find_map(|line| {
        let mut parts = line.splitn(4, ':');
        let file = parts.next()?.to_string();
        let line_no = parts.next()?.trim().parse().ok()?;
        let col = parts.next()?.trim().parse().ok()?;
        Some((file, line_no, col))
    })
}

// ------------------------------------------------------------------ what Python refuses

#[test]
fn a_huge_integer_literal_is_reported_by_check_not_by_python() {
    let project = Project::new();
    let huge = "9".repeat(5000);
    project.file("main.ml", &format!("x = 1;\ny = {huge};\nprint(y);\n"));
    for command in ["check", "run"] {
        let out = project.mlpy(&[command, "main.ml"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            text.contains("main.ml:2:5: error: integer literal of 5000 digits"),
            "{command}: {text}"
        );
        // Python never saw it: no SyntaxError, no cache path.
        assert!(!text.contains("SyntaxError"), "{text}");
        assert!(!text.contains(".cache"), "{text}");
    }
    // 4300 digits still run.
    let limit = "7".repeat(4300);
    project.file("main.ml", &format!("y = {limit};\nprint(len(str(y)));\n"));
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "4300\n", "{}", stderr(&out));
}

#[test]
fn indexing_that_always_fails_is_reported_at_the_ml_place() {
    let project = Project::new();
    project.file(
        "main.ml",
        "items = [1, 2];\nfunction never() {\n    return \"abc\"[\"x\"] + 1[0];\n}\nprint(items[1]);\n",
    );
    let out = project.mlpy(&["check", "main.ml"]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("main.ml:3:18: error: a string cannot be indexed with a string"),
        "{text}"
    );
    assert!(
        text.contains("main.ml:3:25: error: a number cannot be indexed"),
        "{text}"
    );
    // A program Python would warn about never runs: no SyntaxWarning naming the cache.
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("SyntaxWarning"), "{}", stderr(&out));
}

/// A runaway recursion's traceback shows a repeated frame three times, then counts the
/// rest (as Python does), in `mlpy run` and in `mlpy test`'s report; mutual recursion
/// alternates frames and is counted by pairs of lines no more.
#[test]
fn deep_recursion_tracebacks_count_repeated_frames() {
    let project = Project::new();
    project.file(
        "main.ml",
        "function r(n) { return r(n + 1); }
r(0);
",
    );
    let out = project.mlpy(&["run", "main.ml"]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.starts_with("main.ml:1: RecursionError: maximum recursion depth exceeded"),
        "{text}"
    );
    assert_eq!(text.matches("  main.ml:1 in r\n").count(), 3, "{text}");
    assert!(text.contains("  [Previous line repeated "), "{text}");
    assert!(text.lines().count() < 10, "{text}");

    project.file(
        "deep_test.ml",
        "function down(n) { return down(n + 1); }
function test_deep() { down(0); }
",
    );
    let out = project.mlpy(&["test", "deep_test.ml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(
        text.matches("  deep_test.ml:1 in down\n").count(),
        3,
        "{text}"
    );
    assert!(text.contains("  [Previous line repeated "), "{text}");
    assert!(text.lines().count() < 30, "{text}");
}

/// A file that starts with a byte-order mark: columns of its first line and the line
/// shown do not include the mark (an editor shows none).
#[test]
fn a_byte_order_mark_is_no_column() {
    let project = Project::new();
    project.file("main.ml", "\u{FEFF}print(yy);\nprint(zz);\n");
    let out = project.mlpy(&["check", "main.ml"]);
    assert_no_panic(&out);
    let text = stdout(&out);
    assert!(
        text.contains("main.ml:1:7: error: Unknown identifier 'yy'"),
        "{text}"
    );
    assert!(text.contains("1 | print(yy);\n"), "{text}");
    assert!(
        text.contains("main.ml:2:7: error: Unknown identifier 'zz'"),
        "{text}"
    );
    assert!(!text.contains('\u{FEFF}'), "{text}");
}

// ------------------------------------------------------------------ string escapes

#[test]
fn surrogate_pairs_are_one_character_in_both_output_modes() {
    let project = Project::new();
    let pair = r"\uD83D\uDE00";
    let program = format!(
        "a = \"{pair}\";\nprint(a, len(a));\nprint(\"x{pair}y\", '{pair}{pair}', \"{pair}!\", len(\"{pair}{pair}\"));\nprint(\"\\ud83d\\ude00\" == \"😀\", \"\\uDBFF\\uDFFF\" == \"\\u{{10FFFF}}\");\n"
    );
    // `\u{…}` is not an escape of ML: the braces stay text. Use the character itself.
    let program = program.replace("\"\\u{10FFFF}\"", "\"\u{10FFFF}\"");
    project.file("main.ml", &program);
    let expected = "😀 1\nx😀y 😀😀 😀! 2\ntrue true\n";
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
    let out = project.mlpy(&["transpile", "main.ml", "-o", "out/main.py"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut python = support::python();
    python.arg(project.path("out/main.py"));
    let out = support::run(python, None);
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
}

#[test]
fn lone_surrogates_are_errors_at_the_escape() {
    let project = Project::new();
    for (text, places) in [
        ("x = \"\\uD83D\";\n", vec![(1, 6)]),
        ("x = \"ab\\uDE00\";\n", vec![(1, 8)]),
        ("x = 'é\\uDE00\\uD83D';\n", vec![(1, 7), (1, 13)]),
        (
            "x = 1;\ny = \"\\uD83D\\u0041 \\uD83D\";\n",
            vec![(2, 6), (2, 19)],
        ),
        ("x = \"\\uD83D\\uD83D\\uDE00\";\n", vec![(1, 6)]),
    ] {
        project.file("main.ml", text);
        let out = project.mlpy(&["check", "main.ml"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        let report = stdout(&out);
        let found: Vec<(u32, u32)> = report
            .lines()
            .filter(|l| l.contains("error: lone surrogate"))
            .filter_map(first_place)
            .map(|(_, l, c)| (l, c))
            .collect();
        assert_eq!(found, places, "{text}: {report}");
    }
    // An escaped backslash makes it text.
    project.file("main.ml", "print(\"\\\\uD83D\");\n");
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "\\uD83D\n", "{}", stderr(&out));
}

// ------------------------------------------------------------------ not UTF-8

#[test]
fn files_that_are_not_utf8_are_reported_at_the_first_invalid_byte() {
    let project = Project::new();
    project.file("mlpy.json", r#"{"import_paths": ["."]}"#);
    // Line 2, after "é" (one character, two bytes) and 5 more characters.
    std::fs::write(
        project.path("bad.ml"),
        b"x = 1;\ny = \"\xc3\xa9t\xe9\";\n".as_slice(),
    )
    .unwrap();
    for args in [
        vec!["check", "bad.ml"],
        vec!["run", "bad.ml"],
        vec!["transpile", "bad.ml", "-o", "out.py"],
        vec!["parse", "bad.ml"],
        vec!["graph", "bad.ml"],
    ] {
        let out = project.mlpy(&args);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).starts_with("bad.ml:2:8: error: not valid UTF-8"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("offset"), "{}", stderr(&out));
    }
    // Imported: reported at the import, naming the file's place.
    project.file("main.ml", "x = 2;\nimport bad;\n");
    let out = project.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "main.ml:2:8: error: Module 'bad' is not valid UTF-8: the first invalid byte is at bad.ml:2:8"
        ),
        "{}",
        stdout(&out)
    );
    // The first byte of the file.
    std::fs::write(project.path("bad.ml"), b"\xff".as_slice()).unwrap();
    let out = project.mlpy(&["check", "bad.ml"]);
    assert!(
        stderr(&out).starts_with("bad.ml:1:1: error: not valid UTF-8"),
        "{}",
        stderr(&out)
    );
}

// ------------------------------------------------------------------ mlpy.json, mlpy.lock

/// Words of Rust and serde that must never reach a person.
const INTERNAL_WORDS: &[&str] = &[
    "Raw", "struct", "u64", "sequence", "a map", "Option", "enum", "variant", "os error",
];

fn config_error(project: &Project, file: &str, contents: &[u8]) -> (String, u32, u32, String) {
    std::fs::write(project.path(file), contents).unwrap();
    let out = project.mlpy(&["check", "main.ml"]);
    assert_no_panic(&out);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{contents:?}: {text}");
    let (name, line, column) =
        first_place(&text).unwrap_or_else(|| panic!("{contents:?}: no place: {text}"));
    assert!(line >= 1 && column >= 1, "{contents:?}: {text}");
    for word in INTERNAL_WORDS {
        assert!(!text.contains(word), "{contents:?}: {word:?} in {text}");
    }
    let message = text.lines().next().unwrap_or_default().to_string();
    (name, line, column, message)
}

#[test]
fn configuration_files_that_are_not_objects_or_not_json() {
    let project = Project::new();
    project.file("main.ml", "print(1);\n");
    for (text, found, line, column) in [
        ("1", "found a number", 1, 1),
        ("\"x\"", "found a string", 1, 1),
        ("null", "found null", 1, 1),
        ("true", "found a boolean", 1, 1),
        ("[]", "found an array", 1, 1),
        ("\n  [{}]", "found an array", 2, 3),
        ("{", "invalid JSON", 1, 1),
        ("", "the file is empty", 1, 1),
        ("   \n", "only white space", 2, 1),
        ("\u{FEFF}", "the file is empty", 1, 1),
        ("\u{FEFF}[]", "found an array", 1, 1),
        (
            "{\"import_sources\": [[\"https\", \"x\"]]}",
            "expected an object, found an array",
            1,
            20,
        ),
        (
            "{\"stdlib_mode\": 3}",
            "expected \"native\" or \"python\", found the number 3",
            1,
            17,
        ),
        (
            "{\"max_module_size\": 0}",
            "greater than 0, found the number 0",
            1,
            21,
        ),
        ("{\n  \"é😀\": 1}", "unknown key in mlpy.json", 2, 6),
        (
            "{\"trusted_keys\": [\"nope\"]}",
            "\"trusted_keys[0]\"",
            1,
            19,
        ),
        (
            "{\"import_sources\": [{\"protocol\": \"https\",\n \"location\": \"not a url\"}]}",
            "\"import_sources[0].location\"",
            2,
            14,
        ),
    ] {
        let (name, l, c, message) = config_error(&project, "mlpy.json", text.as_bytes());
        assert_eq!(name, "mlpy.json", "{text:?}");
        assert!(message.contains(found), "{text:?}: {message}");
        assert_eq!((l, c), (line, column), "{text:?}: {message}");
    }
    // Not UTF-8: the place of the first invalid byte.
    let (_, l, c, message) = config_error(&project, "mlpy.json", b"{\n  \"name\": \"caf\xe9\"}");
    assert_eq!((l, c), (2, 15), "{message}");
    assert!(message.contains("not valid UTF-8"), "{message}");
    // A BOM before a good configuration is accepted.
    std::fs::write(
        project.path("mlpy.json"),
        "\u{FEFF}{\"import_paths\": [\".\"]}",
    )
    .unwrap();
    let out = project.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn lockfiles_that_are_not_objects_or_not_json() {
    let project = Project::new();
    project
        .file("main.ml", "print(1);\n")
        .file("mlpy.json", "{}");
    for (text, found, line, column) in [
        ("[]", "it must hold a JSON object, found an array", 1, 1),
        ("", "the file is empty", 1, 1),
        (
            "{\"version\": 7}",
            "lockfile version 7 is not supported",
            1,
            13,
        ),
        (
            "{\"version\": 1, \"modules\": []}",
            "expected an object, found an array",
            1,
            26,
        ),
    ] {
        let (name, l, c, message) = config_error(&project, "mlpy.lock", text.as_bytes());
        assert_eq!(name, "mlpy.lock", "{text:?}");
        assert!(message.contains(found), "{text:?}: {message}");
        assert_eq!((l, c), (line, column), "{text:?}: {message}");
    }
}

// ------------------------------------------------------------------ -o

#[test]
fn output_paths_that_name_folders_say_so() {
    let project = Project::new();
    project.file("main.ml", "print(1);\n");
    std::fs::create_dir(project.path("out")).unwrap();
    for (path, words) in [
        ("out", "'out' is a folder"),
        ("newdir/", "names a folder"),
        ("main.ml/x.py", "'main.ml' is a file, not a folder"),
    ] {
        let out = project.mlpy(&["transpile", "main.ml", "-o", path]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{path}");
        let text = stderr(&out);
        assert!(text.contains(words), "{path}: {text}");
        assert!(
            text.contains("--out-dir") || path.contains(".ml/"),
            "{path}: {text}"
        );
        assert!(!text.contains("os error"), "{path}: {text}");
    }
    assert!(!project.path("newdir").exists());
    assert_eq!(
        std::fs::read_to_string(project.path("main.ml")).unwrap(),
        "print(1);\n"
    );
}

// ------------------------------------------------------------------ mlpy run's cache

/// The folders under the project's cache that hold a `main.py`.
fn cached_programs(project: &Project) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.join("main.py").is_file() {
                    out.push(path.clone());
                }
                walk(&path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&project.path(".cache/run"), &mut out);
    out
}

#[test]
fn a_tampered_run_cache_is_rebuilt_before_it_runs() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["."]}"#)
        .file("helper.ml", "function twice(x) { return x * 2; }\n")
        .file(
            "main.ml",
            "import helper;\nimport json;\nprint(helper.twice(21), json.stringify([1]));\n",
        );
    let run = || project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&run()), "42 [1]\n");
    let folders = cached_programs(&project);
    assert_eq!(folders.len(), 1, "{folders:?}");
    let dir = &folders[0];
    // Unchanged: reused, silently.
    let out = run();
    assert_eq!(stdout(&out), "42 [1]\n");
    assert_eq!(stderr(&out), "");

    // Edit the cached entry and a module: no effect, and a warning naming them.
    std::fs::write(dir.join("main.py"), "print('TAMPERED')\n").unwrap();
    let helper = std::fs::read_to_string(dir.join("helper.py")).unwrap();
    std::fs::write(dir.join("helper.py"), helper.replace("x * 2", "x * 3")).unwrap();
    let out = run();
    assert_eq!(stdout(&out), "42 [1]\n", "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was changed since mlpy wrote it"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("'main.py'"), "{}", stderr(&out));
    assert!(stderr(&out).contains("'helper.py'"), "{}", stderr(&out));
    assert_eq!(stdout(&run()), "42 [1]\n");

    // A planted module beside the program (it would shadow Python's `json`) and a
    // changed runtime file: removed from the program's folder; the planted file is kept
    // aside, not deleted.
    std::fs::write(dir.join("json.py"), "raise SystemExit('PLANTED')\n").unwrap();
    let runtime = std::fs::read_dir(dir.join("mlpy_runtime"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "py"))
        .unwrap();
    std::fs::write(&runtime, "raise SystemExit('PLANTED')\n").unwrap();
    let out = run();
    assert_eq!(stdout(&out), "42 [1]\n", "{}", stderr(&out));
    assert!(
        stderr(&out).contains("'json.py' (added)"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("kept in"), "{}", stderr(&out));
    assert!(!dir.join("json.py").exists());
    let kept: Vec<PathBuf> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("json.py").is_file())
        .collect();
    assert_eq!(kept.len(), 1, "the planted file is kept aside");

    // A deleted file and a replaced manifest: rebuilt too.
    std::fs::remove_file(dir.join("helper.py")).unwrap();
    let out = run();
    assert_eq!(stdout(&out), "42 [1]\n", "{}", stderr(&out));
    assert_eq!(stdout(&run()), "42 [1]\n");
    assert_eq!(stderr(&run()), "");
}

// ------------------------------------------------------------------ a reader that leaves

/// `mlpy check … | head -1`, `mlpy fmt - | head -1`, `mlpy graph … | head -1`: the reader
/// closes the pipe after one line; the command ends quietly (by `SIGPIPE`, as Unix tools
/// do), never with a panic and a backtrace.
#[test]
fn a_reader_that_closes_the_pipe_early_is_no_crash() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let project = Project::new();
    let mut program = String::new();
    for i in 0..3000 {
        program.push_str(&format!("x{i} = y{i};\n"));
    }
    project.file("many.ml", &program);
    for (args, stdin) in [
        (vec!["check", "many.ml"], None),
        (vec!["check", "--format", "json", "many.ml"], None),
        (vec!["fmt", "-"], Some(program.replace('\n', "\n\n"))),
        (vec!["parse", "many.ml"], None),
        // 150 inputs of 2,000 bytes each: more than a pipe holds, so the REPL's Python
        // writes after the reader left.
        (
            vec!["repl"],
            Some(
                (0..150)
                    .map(|i| format!("print(\"{i}\" + \"x\" * 2000);\n"))
                    .collect(),
            ),
        ),
    ] {
        let mut command = support::mlpy(&project.path(".cache"));
        command
            .args(&args)
            .current_dir(project.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("mlpy starts");
        let mut input = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || {
            if let Some(text) = stdin {
                let _ = input.write_all(text.as_bytes());
            }
        });
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        reader.read_line(&mut line).expect("a first line");
        assert!(!line.is_empty(), "{args:?}: no output");
        drop(reader);
        let out = child.wait_with_output().expect("mlpy ends");
        writer.join().expect("writer");
        assert_no_panic(&out);
        assert_ne!(out.status.code(), Some(101), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("BrokenPipe"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

// ------------------------------------------------------------------ invisible characters

/// A character that shows as nothing, as white space or not as itself (NUL, other
/// controls, no-break space, zero-width space, a byte-order mark in the middle, bidi
/// controls) is named by its code in the message, and the snippet under it shows no raw
/// control byte: each such character is one visible column, the caret under it.
#[test]
fn invisible_characters_are_named_by_their_code() {
    let project = Project::new();
    for c in [
        '\u{0}', '\u{1}', '\u{7}', '\u{B}', '\u{1B}', '\u{7F}', '\u{85}', '\u{A0}', '\u{AD}',
        '\u{200B}', '\u{200E}', '\u{2028}', '\u{202E}', '\u{2066}', '\u{3000}', '\u{FEFF}',
    ] {
        project.file("inv.ml", &format!("x = 1;\ny = {c} 2;\n"));
        let out = project.mlpy(&["check", "inv.ml"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{c:?}");
        let text = stdout(&out) + &stderr(&out);
        let code = format!("U+{:04X}", c as u32);
        assert!(
            text.contains(&format!("inv.ml:2:5: error: unexpected character {code}")),
            "{c:?}: {text}"
        );
        assert!(!text.contains(c), "{c:?} printed raw: {text:?}");
        assert!(
            !text.chars().any(|ch| ch.is_control() && ch != '\n'),
            "{c:?}: a control character in {text:?}"
        );
        let snippet: Vec<&str> = text.lines().filter(|l| l.contains(" | ")).collect();
        let (source, carets) = (snippet[0], snippet[1]);
        let caret = carets.find('^').expect("a caret");
        let under: String = source
            .chars()
            .skip(carets[..caret].chars().count())
            .take(1)
            .collect();
        assert_ne!(
            under, " ",
            "{c:?}: the caret is not under the character\n{text}"
        );
    }
}

/// A `nonlocal` that names no enclosing variable is one error, at the `nonlocal`: the
/// uses of the name in that function (assigned, read, called, in a nested arrow) add no
/// "Unknown identifier" after it.
#[test]
fn a_nonlocal_naming_nothing_is_reported_once() {
    let project = Project::new();
    for body in [
        "q = 1;",
        "print(q);",
        "q = q + 1;",
        "q();",
        "g = fn() => q;",
        "function h() { return q; }",
    ] {
        project.file(
            "nl.ml",
            &format!("function f() {{\n  nonlocal q;\n  {body}\n}}\n"),
        );
        let out = project.mlpy(&["check", "--format", "json", "nl.ml"]);
        assert_eq!(out.status.code(), Some(1), "{body}");
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
        let list = report["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let messages: Vec<&str> = list.iter().filter_map(|d| d["message"].as_str()).collect();
        assert_eq!(messages.len(), 1, "{body}: {messages:?}");
        assert!(messages[0].contains("`nonlocal`"), "{body}: {messages:?}");
    }
}

/// Lines end at `\n`, `\r\n` and a lone `\r` (old Mac files), as in Python, editors and the
/// reference: a compile error and a run-time error are reported at the line an editor
/// shows, and a `//` comment ends at any of them.
#[test]
fn every_line_ending_numbers_lines_as_an_editor_does() {
    let project = Project::new();
    for endings in [
        ["\n", "\n", "\n"],
        ["\r", "\r", "\r"],
        ["\r\n", "\r\n", "\r\n"],
        ["\r", "\n", "\r\n"],
    ] {
        let [a, b, c] = endings;
        project.file("bad.ml", &format!("x = 1; // one{a}print(x);{b}y = ;{c}"));
        let out = project.mlpy(&["check", "bad.ml"]);
        assert_no_panic(&out);
        let text = stdout(&out) + &stderr(&out);
        assert_eq!(
            first_place(&text),
            Some(("bad.ml".to_string(), 3, 5)),
            "{endings:?}: {text}"
        );
        assert!(!text.contains('\r'), "{endings:?}: a raw CR in {text:?}");

        project.file(
            "run.ml",
            &format!("x = 1; // one{a}print(x);{b}y = [1][5];{c}"),
        );
        let out = project.mlpy(&["run", "run.ml"]);
        assert_eq!(stdout(&out), "1\n", "{endings:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("run.ml:3: IndexError"),
            "{endings:?}: {}",
            stderr(&out)
        );
    }
}

// ------------------------------------------------------------------ nesting Python refuses

/// Code nested deeper than Python compiles is `mlpy check`'s error at the ML place,
/// whatever adds the nesting: brackets in the text, or brackets the emitted Python has and
/// the text does not (a chain of comparisons is emitted `((a < b) < c) < …`, since Python
/// would chain them). Every construct just under, at and far over the limits: it runs, or
/// is refused with `file:line:col`; Python never sees code it cannot compile.
#[test]
fn nesting_of_every_construct_is_refused_before_python_sees_it() {
    type Template = fn(usize) -> String;
    let templates: &[(&str, Template)] = &[
        ("<", |n| format!("z = 1{};", " < 2".repeat(n))),
        ("==", |n| format!("z = 1{};", " == 2".repeat(n))),
        ("!=", |n| format!("z = 1{};", " != 2".repeat(n))),
        (">=", |n| format!("z = 1{};", " >= 2".repeat(n))),
        ("mixed comparisons", |n| {
            format!("z = 1{};", [" < 2", " == true", " != 3"].repeat(n).concat())
        }),
        ("comparison in a call", |n| {
            format!(
                "function f(x) {{ return x; }}\nz = f(1{});",
                " <= 2".repeat(n)
            )
        }),
        ("parentheses", |n| {
            format!("z = {}1{};", "(".repeat(n), ")".repeat(n))
        }),
        ("calls", |n| {
            format!(
                "function f(x) {{ return x; }}\nz = {}1{};",
                "f(".repeat(n),
                ")".repeat(n)
            )
        }),
        ("arrays", |n| {
            format!("z = {}1{};", "[".repeat(n), "]".repeat(n))
        }),
        ("objects", |n| {
            format!("z = {}1{};", "{a: ".repeat(n), "}".repeat(n))
        }),
        ("string +", |n| {
            format!("x = 1;\nz = {}x{};", "(\"a\" + ".repeat(n), ")".repeat(n))
        }),
        ("ternaries", |n| {
            format!("c = true;\nz = {}2;", "c ? 1 : ".repeat(n))
        }),
        ("comparison of comparisons", |n| {
            format!("z = {}2{};", "(1 < ".repeat(n), ") == true".repeat(n))
        }),
        ("blocks", |n| {
            format!(
                "x = 1;\n{}x = 2;\n{}",
                "if (x) {\n".repeat(n),
                "}\n".repeat(n)
            )
        }),
    ];
    let mut cases = Vec::new();
    for (name, template) in templates {
        for n in [60, 149, 151, 250, 1100] {
            cases.push((*name, n, template(n)));
        }
    }
    let results = support::parallel(&cases, |(name, n, program)| {
        let project = Project::new();
        project.file("p.ml", &format!("{program}\nprint(\"done\");\n"));
        let out = project.mlpy(&["run", "p.ml"]);
        (*name, *n, out)
    });
    for (name, n, out) in results {
        assert_no_panic(&out);
        let err = stderr(&out);
        assert!(
            !err.contains("SyntaxError")
                && !err.contains("RecursionError")
                && !err.contains("Traceback"),
            "{name} × {n}: Python saw it: {err}"
        );
        match out.status.code() {
            Some(0) => assert_eq!(stdout(&out), "done\n", "{name} × {n}"),
            Some(1) => {
                let (file, _, _) =
                    first_place(&err).unwrap_or_else(|| panic!("{name} × {n}: {err}"));
                assert_eq!(file, "p.ml", "{name} × {n}: {err}");
                assert!(err.contains("nest"), "{name} × {n}: {err}");
            }
            other => panic!("{name} × {n}: exit {other:?}: {err}"),
        }
        if n >= 250 && !name.contains("blocks") {
            assert_eq!(out.status.code(), Some(1), "{name} × {n} must be refused");
        }
    }
}
