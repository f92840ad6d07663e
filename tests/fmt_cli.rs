//! `mlpy fmt` end to end: formatted conformance programs still print their expected
//! output; `--check`, `--diff` and `-`; the folder walk; files with syntax errors left
//! untouched; options from mlpy.json; atomic writes.

mod support;

use std::path::{Path, PathBuf};
use support::conformance::{
    corpus, masked, masks, printed, programs, run_command, DOCUMENTED_DEVIATIONS,
};
use support::{diff, parallel, run, stderr, stdout, Project};

const UNFORMATTED: &str = "x=1;\nif(x>0){print( \"positive\" );}\n";
const FORMATTED: &str = "x = 1;\nif (x > 0) {\n    print(\"positive\");\n}\n";

fn read(project: &Project, relative: &str) -> String {
    std::fs::read_to_string(project.path(relative)).expect("read")
}

/// Every program of the corpus, formatted by `mlpy fmt`, prints what the unformatted
/// program must print.
#[test]
fn formatted_conformance_programs_print_their_expected_output() {
    let corpus = corpus();
    let copy = Project::new();
    let mut sources = Vec::new();
    copy_tree(
        &corpus.join("programs"),
        &copy.path("programs"),
        &mut sources,
    );
    let args: Vec<String> = std::iter::once("fmt".to_string())
        .chain(sources.iter().map(|p| p.to_string_lossy().into_owned()))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = copy.mlpy(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let changed = sources
        .iter()
        .filter(|p| {
            let relative = p.strip_prefix(copy.path("programs")).expect("inside");
            std::fs::read(p).ok() != std::fs::read(corpus.join("programs").join(relative)).ok()
        })
        .count();
    assert!(
        changed > 60,
        "only {changed} of {} files changed: the test would prove little",
        sources.len()
    );
    // Formatting again changes nothing.
    let mut check = vec!["fmt", "--check"];
    check.extend(&args[1..]);
    let again = copy.mlpy(&check);
    assert!(again.status.success(), "{}", stdout(&again));

    let masks = masks(&corpus);
    let programs = programs(&corpus);
    let cache = tempfile::tempdir().expect("cache dir");
    let failures: Vec<String> = parallel(&programs, |program| {
        let (suite, _) = program.split_once('/').expect("SUITE/NAME");
        let cwd = tempfile::tempdir().expect("working dir");
        let command = run_command(
            cache.path(),
            &copy.path(&format!("programs/{program}.ml")),
            &copy.path(&format!("programs/{suite}")),
            cwd.path(),
        );
        let output = run(command, None);
        let expected_text =
            std::fs::read_to_string(corpus.join("expected").join(format!("{program}.stdout")))
                .expect("expected output");
        let mut expected = masked(&masks, program, &expected_text);
        for (name, reference, ours, _) in DOCUMENTED_DEVIATIONS {
            if name == program {
                expected = expected.replace(reference, ours);
            }
        }
        let actual = masked(&masks, program, &printed(&output, cwd.path()));
        (actual != expected).then(|| format!("--- {program}\n{}", diff(&expected, &actual)))
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(
        failures.is_empty(),
        "formatted programs print something else:\n{}",
        failures.join("\n")
    );
}

fn copy_tree(from: &Path, to: &Path, ml_files: &mut Vec<PathBuf>) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target, ml_files);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
            if target.extension().is_some_and(|e| e == "ml") {
                ml_files.push(target);
            }
        }
    }
}

#[test]
fn formats_in_place_and_reports_what_it_did() {
    let project = Project::new();
    project
        .file("mlpy.json", "{}")
        .file("a.ml", UNFORMATTED)
        .file("b.ml", FORMATTED);
    let output = project.mlpy(&["fmt", "a.ml", "b.ml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, "a.ml"), FORMATTED);
    assert_eq!(read(&project, "b.ml"), FORMATTED);
    assert!(
        stderr(&output).contains("1 file reformatted, 1 left unchanged"),
        "{}",
        stderr(&output)
    );
    // Atomic writes leave nothing beside the files.
    assert_eq!(project.files(), ["a.ml", "b.ml", "mlpy.json"]);
}

#[test]
fn check_lists_the_files_that_would_change_and_changes_nothing() {
    let project = Project::new();
    project
        .file("mlpy.json", "{}")
        .file("a.ml", UNFORMATTED)
        .file("lib/b.ml", UNFORMATTED)
        .file("c.ml", FORMATTED);
    let output = project.mlpy(&["fmt", "--check", "."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let listed: Vec<String> = stdout(&output)
        .lines()
        .map(|l| l.replace('\\', "/"))
        .collect();
    assert_eq!(listed, ["./a.ml", "./lib/b.ml"]);
    assert_eq!(read(&project, "a.ml"), UNFORMATTED);
    assert_eq!(read(&project, "lib/b.ml"), UNFORMATTED);

    let output = project.mlpy(&["fmt", "--check", "c.ml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    // With no path: the current folder.
    project.mlpy(&["fmt"]);
    let output = project.mlpy(&["fmt", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

/// A file keeps its line ending (the first line break between tokens decides, as
/// rustfmt's and ruff's "auto" do): a `\r\n` file is formatted with `\r\n` in place, on
/// standard output and in `--diff`, and then passes `--check`.
#[test]
fn files_keep_their_line_ending() {
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let project = Project::new();
    project
        .file("mlpy.json", "{}")
        .file("windows.ml", &crlf(UNFORMATTED))
        .file("mixed.ml", &format!("x=1;\r\n{}", UNFORMATTED))
        .file("unix.ml", UNFORMATTED)
        .file("done.ml", &crlf(FORMATTED));
    let output = project.mlpy(&["fmt", "--check", "done.ml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = project.mlpy(&["fmt", "--diff", "windows.ml"]);
    assert!(
        stdout(&output).contains("\n+x = 1;\r\n"),
        "{}",
        stdout(&output)
    );
    let output = project.mlpy_stdin(&["fmt", "-"], &crlf(UNFORMATTED));
    assert_eq!(stdout(&output), crlf(FORMATTED));
    let output = project.mlpy(&["fmt", "."]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, "windows.ml"), crlf(FORMATTED));
    assert_eq!(
        read(&project, "mixed.ml"),
        crlf(&format!("x = 1;\n{FORMATTED}"))
    );
    assert_eq!(read(&project, "unix.ml"), FORMATTED);
    let output = project.mlpy(&["fmt", "--check", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn diff_prints_a_unified_diff() {
    let project = Project::new();
    project.file("mlpy.json", "{}").file("a.ml", UNFORMATTED);
    let output = project.mlpy(&["fmt", "--diff", "a.ml"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("--- a.ml\t(original)\n+++ a.ml\t(formatted)\n@@ "),
        "{text}"
    );
    assert!(
        text.contains("\n-x=1;\n") && text.contains("\n+x = 1;\n"),
        "{text}"
    );
    assert!(text.contains("\n+    print(\"positive\");\n"), "{text}");
    assert_eq!(read(&project, "a.ml"), UNFORMATTED);
}

#[test]
fn standard_input_goes_to_standard_output() {
    let project = Project::new();
    let output = project.mlpy_stdin(&["fmt", "-"], UNFORMATTED);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), FORMATTED);

    let output = project.mlpy_stdin(&["fmt", "--check", "-"], UNFORMATTED);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let output = project.mlpy_stdin(&["fmt", "--check", "-"], FORMATTED);
    assert_eq!(output.status.code(), Some(0));

    let output = project.mlpy_stdin(&["fmt", "--diff", "-"], UNFORMATTED);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("+x = 1;"), "{}", stdout(&output));

    let output = project.mlpy_stdin(&["fmt", "-"], "x = (1 +;\ny = 2;\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("<stdin>:1:9: error:"),
        "{}",
        stderr(&output)
    );

    let output = project.mlpy_stdin(&["fmt", "-", "a.ml"], "");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn folders_are_walked_like_the_workspace_scan() {
    let project = Project::new();
    project
        .file("app/mlpy.json", "{}")
        .file("app/main.ml", UNFORMATTED)
        .file("app/lib/util.ml", UNFORMATTED)
        .file("app/.git/x.ml", UNFORMATTED)
        .file("app/.cache/x.ml", UNFORMATTED)
        .file("app/node_modules/x.ml", UNFORMATTED)
        .file("app/target/x.ml", UNFORMATTED)
        .file("app/__pycache__/x.ml", UNFORMATTED)
        .file("app/venv/x.ml", UNFORMATTED)
        .file("app/out/.mlpy-output", "{}")
        .file("app/out/x.ml", UNFORMATTED)
        .file("app/notes.txt", UNFORMATTED)
        .file("ocaml/main.ml", "let x=1")
        .file("marked/main.ml", &format!("// mlpy\n{UNFORMATTED}"));
    let output = project.mlpy(&["fmt", "app", "ocaml", "marked"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, "app/main.ml"), FORMATTED);
    assert_eq!(read(&project, "app/lib/util.ml"), FORMATTED);
    assert_eq!(
        read(&project, "marked/main.ml"),
        format!("// mlpy\n{FORMATTED}")
    );
    for skipped in [
        "app/.git/x.ml",
        "app/.cache/x.ml",
        "app/node_modules/x.ml",
        "app/target/x.ml",
        "app/__pycache__/x.ml",
        "app/venv/x.ml",
        "app/out/x.ml",
        "app/notes.txt",
    ] {
        assert_eq!(read(&project, skipped), UNFORMATTED, "{skipped}");
    }
    assert_eq!(read(&project, "ocaml/main.ml"), "let x=1");
    assert!(
        stderr(&output).contains("no ML sources under 'ocaml'"),
        "{}",
        stderr(&output)
    );
    // A file named on the command line is formatted whatever its folder.
    project.file("loose/one.ml", UNFORMATTED);
    let output = project.mlpy(&["fmt", "loose/one.ml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, "loose/one.ml"), FORMATTED);
}

#[test]
fn files_with_syntax_errors_are_left_untouched_and_reported() {
    let project = Project::new();
    let broken = "x = 1;\nif (x > 0 {\n    y = ;\n}\n";
    project
        .file("mlpy.json", "{}")
        .file("broken.ml", broken)
        .file("good.ml", UNFORMATTED);
    for args in [
        vec!["fmt", "."],
        vec!["fmt", "--check", "."],
        vec!["fmt", "--diff", "."],
    ] {
        let output = project.mlpy(&args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        let errors = stderr(&output).replace('\\', "/");
        assert!(
            errors.contains("./broken.ml:2:11: error: expected `)`"),
            "{args:?}: {errors}"
        );
        assert!(
            errors.contains("./broken.ml:3:9: error:"),
            "{args:?}: {errors}"
        );
        assert_eq!(read(&project, "broken.ml"), broken);
    }
    // The other file was still formatted (by the first run).
    assert_eq!(read(&project, "good.ml"), FORMATTED);
    // Not UTF-8: reported at its place, nothing written, exit 2.
    std::fs::write(project.path("latin1.ml"), b"x = \"caf\xe9\";\n").expect("write");
    let output = project.mlpy(&["fmt", "latin1.ml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("latin1.ml:1:9: error: not valid UTF-8"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn code_nested_deeper_than_the_formatter_goes_is_reported_at_its_place() {
    let project = Project::new();
    project.file("mlpy.json", "{}");
    // Arrays, objects and parentheses, on the third line, deeper than the formatter's 600
    // levels (not than the parser's 1000): each is reported where the formatter gave up,
    // the file left as it is.
    for (open, close, n) in [("[", "]", 700), ("{a: ", "}", 700), ("(", ")", 700)] {
        let deep = format!(
            "x = 1;\ny = 2;\nz = {}1{};\n",
            open.repeat(n),
            close.repeat(n)
        );
        project.file("deep.ml", &deep);
        for args in [vec!["fmt", "deep.ml"], vec!["fmt", "--check", "deep.ml"]] {
            let output = project.mlpy(&args);
            assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
            let errors = stderr(&output);
            let line = errors
                .lines()
                .find(|l| l.contains("nested too deeply to format"))
                .unwrap_or_else(|| panic!("{open}: {errors}"));
            assert!(line.starts_with("deep.ml:3:"), "{open}: {line}");
            assert_eq!(read(&project, "deep.ml"), deep);
        }
        let output = project.mlpy_stdin(&["fmt", "-"], &deep);
        assert!(!output.status.success());
        assert!(
            stderr(&output).contains("<stdin>:3:"),
            "{open}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn options_come_from_mlpy_json() {
    let project = Project::new();
    let long = "values = [\"alpha\", \"beta\", \"gamma\", \"delta\"];\nif (x) {\n    y = 1;\n}\n";
    project
        .file(
            "narrow/mlpy.json",
            r#"{"format": {"line_width": 30, "indent_width": 2}}"#,
        )
        .file("narrow/a.ml", long)
        .file("wide/mlpy.json", "{}")
        .file("wide/a.ml", long);
    let output = project.mlpy(&["fmt", "narrow", "wide"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        read(&project, "narrow/a.ml"),
        "values = [\n  \"alpha\",\n  \"beta\",\n  \"gamma\",\n  \"delta\"\n];\nif (x) {\n  y = 1;\n}\n"
    );
    assert_eq!(read(&project, "wide/a.ml"), long);
    // Standard input takes the options of the current folder's project.
    let mut command = support::mlpy(&project.path(".cache"));
    command
        .args(["fmt", "-"])
        .current_dir(project.path("narrow"));
    let output = run(command, Some("if (x) { y = 1; }"));
    assert_eq!(stdout(&output), "if (x) {\n  y = 1;\n}\n");

    project.file("bad/mlpy.json", "{\n  \"format\": {\"line_width\": 5}\n}\n");
    project.file("bad/a.ml", UNFORMATTED);
    project.file("bad/b.ml", UNFORMATTED);
    let output = project.mlpy(&["fmt", "bad"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output).replace('\\', "/");
    let message = "bad/mlpy.json:2:28: error: invalid value for \"format.line_width\"";
    assert_eq!(
        errors.matches(message).count(),
        1,
        "reported once: {errors}"
    );
    assert_eq!(read(&project, "bad/a.ml"), UNFORMATTED);
    assert_eq!(read(&project, "bad/b.ml"), UNFORMATTED);
}

#[cfg(unix)]
#[test]
fn writes_keep_permissions_and_go_through_symbolic_links() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    project.file("mlpy.json", "{}").file("real.ml", UNFORMATTED);
    std::fs::set_permissions(
        project.path("real.ml"),
        std::fs::Permissions::from_mode(0o750),
    )
    .expect("chmod");
    std::os::unix::fs::symlink(project.path("real.ml"), project.path("link.ml")).expect("link");
    let output = project.mlpy(&["fmt", "link.ml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, "real.ml"), FORMATTED);
    let link = std::fs::symlink_metadata(project.path("link.ml")).expect("stat");
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let mode = std::fs::metadata(project.path("real.ml"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    assert_eq!(project.files(), ["link.ml", "mlpy.json", "real.ml"]);
}

/// The repository's examples are formatted (`mlpy fmt --check examples`).
#[test]
fn the_examples_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = support::mlpy(&std::env::temp_dir());
    command
        .args(["fmt", "--check", "examples"])
        .current_dir(root);
    let output = run(command, None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

/// A comment ending a line inside an expression continues the expression on an indented
/// line (not at the statement's column, where it would read as a statement), and a
/// comment on its own line before `else` leaves no space at the end of the `}` line; the
/// program prints what it printed, and the result is formatted already.
#[test]
fn comments_inside_expressions_and_before_clauses_are_laid_out_cleanly() {
    let project = Project::new();
    let source = "x = -// the sign\n 5;\npoint = {y: 2};\nw = point.// the field\n y;\n\
                  if (x > 0) {\n  print(\"positive\");\n}\n// otherwise\nelse {\n  print(x * w);\n}\n";
    let formatted = "x = - // the sign\n    5;\npoint = {y: 2};\nw = point. // the field\n    y;\n\
                     if (x > 0) {\n    print(\"positive\");\n}\n// otherwise\nelse {\n    print(x * w);\n}\n";
    project.file("mlpy.json", "{}").file("main.ml", source);
    let before = project.mlpy(&["run", "main.ml"]);
    assert!(before.status.success(), "{}", stderr(&before));
    let output = project.mlpy(&["fmt", "main.ml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, "main.ml"), formatted);
    let after = project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&after), stdout(&before));
    assert_eq!(stdout(&after), "-10\n");
    let output = project.mlpy(&["fmt", "--check", "main.ml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}
