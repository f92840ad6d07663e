//! `mlpy check` and `mlpy graph` on the module-system fixture projects, through the real
//! binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn mlpy(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlpy"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("mlpy runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn check(fixture: &str, extra: &[&str]) -> Output {
    let main = format!("tests/testdata/{fixture}/main.ml");
    let mut args = vec!["check", main.as_str()];
    args.extend_from_slice(extra);
    mlpy(&root(), &args)
}

/// Copies a fixture into a temp folder, for tests that add special files.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("tests/testdata").join(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_valid_project_checks_cleanly() {
    let out = check("modules_ok", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("Checked 7 files: no problems found."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn graph_tree_shows_nesting_packages_aliases_and_the_diamond_once() {
    let out = mlpy(&root(), &["graph", "tests/testdata/modules_ok/main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let expected = "\
main (tests/testdata/modules_ok/main.ml)
├── geometry.shapes (tests/testdata/modules_ok/lib/geometry/shapes.ml)
├── geometry.shapes as gs (tests/testdata/modules_ok/lib/geometry/shapes.ml) (*)
├── utils (tests/testdata/modules_ok/lib/utils/__init__.ml)
├── top.middle.leaf as leaf (tests/testdata/modules_ok/lib/top/middle/leaf.ml)
├── left (tests/testdata/modules_ok/lib/left.ml)
│   └── base (tests/testdata/modules_ok/lib/base.ml)
└── right (tests/testdata/modules_ok/lib/right.ml)
    └── base (tests/testdata/modules_ok/lib/base.ml) (*)

7 modules
";
    assert_eq!(text, expected);
}

#[test]
fn graph_json_and_dot() {
    let out = mlpy(
        &root(),
        &[
            "graph",
            "--format",
            "json",
            "tests/testdata/modules_ok/main.ml",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["entry"], "main");
    let modules = json["modules"].as_array().unwrap();
    assert_eq!(modules.len(), 7);
    let utils = modules.iter().find(|m| m["name"] == "utils").unwrap();
    assert_eq!(utils["package"], true);
    let main = &modules[0];
    assert_eq!(main["imports"][3]["alias"], "leaf");
    assert_eq!(main["imports"][3]["line"], 4);
    assert_eq!(main["imports"][3]["column"], 8);
    let out = mlpy(
        &root(),
        &[
            "graph",
            "--format",
            "dot",
            "tests/testdata/modules_ok/main.ml",
        ],
    );
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph modules {"));
    assert!(dot.contains("\"left\" -> \"base\";"), "{dot}");
    assert!(dot.contains("\"right\" -> \"base\";"), "{dot}");
}

#[test]
fn cycles_name_the_full_path_at_every_import() {
    let out = check("cycles", &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for (site, cycle) in [
        // Each import reads the cycle from its own module.
        ("a.ml:1:8", "a → b → a"),
        ("b.ml:1:8", "b → a → b"),
        ("selfish.ml:1:8", "selfish → selfish"),
        ("p.ml:1:8", "p → q → r → p"),
        ("q.ml:1:8", "q → r → p → q"),
        ("r.ml:1:8", "r → p → q → r"),
    ] {
        let line =
            format!("tests/testdata/cycles/{site}: error: Circular dependency detected: {cycle}");
        assert!(text.contains(&line), "missing `{line}` in:\n{text}");
    }
    assert!(
        text.contains("--> tests/testdata/cycles/q.ml:1:8: 'q' imports 'r' here"),
        "{text}"
    );
    assert!(
        text.contains("Checked 7 files: 6 errors, 0 warnings."),
        "{text}"
    );

    let out = mlpy(&root(), &["graph", "tests/testdata/cycles/main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("(cycle)"), "{}", stdout(&out));
    assert!(stdout(&out).contains("Circular dependency detected: p → q → r → p"));
}

#[test]
fn missing_modules_list_the_search_and_suggest_near_names() {
    let out = check("missing", &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("tests/testdata/missing/main.ml:1:8: error: Module 'geometri' not found"),
        "{text}"
    );
    assert!(
        text.contains("              lib/geometri.ml\n              lib/geometri/__init__.ml"),
        "{text}"
    );
    assert!(text.contains("did you mean 'geometry'?"), "{text}");
    assert!(
        text.contains("main.ml:2:8: error: Module 'utils.strngs' not found"),
        "{text}"
    );
    assert!(text.contains("did you mean 'utils.strings'?"), "{text}");
    assert!(
        text.contains("main.ml:4:16: error: module 'geometry' has no member 'areaa'"),
        "{text}"
    );
    assert!(text.contains("did you mean 'area'?"), "{text}");
    // The existing member on line 5 is fine.
    assert!(!text.contains("main.ml:5:"), "{text}");
}

#[test]
fn json_diagnostics_carry_positions_notes_and_related_places() {
    let out = check("cycles", &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 6);
    let first = &json["diagnostics"][0];
    assert_eq!(first["code"], "import-cycle");
    assert_eq!(first["range"]["start"]["line"], 1);
    assert_eq!(first["range"]["start"]["column"], 8);
    assert_eq!(first["related"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn unsafe_and_unusable_module_files_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = copy_fixture("security");
    let lib = dir.path().join("lib");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.ml"), "SECRET = 1;\n").unwrap();
    symlink(lib.join("real/target.ml"), lib.join("inside_link.ml")).unwrap();
    symlink(outside.path().join("secret.ml"), lib.join("escape.ml")).unwrap();
    symlink(lib.join("nowhere.ml"), lib.join("dangling.ml")).unwrap();
    let status = Command::new("mkfifo")
        .arg(lib.join("pipe.ml"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(lib.join("latin1.ml"), b"name = \"caf\xe9\";\n").unwrap();
    std::fs::write(lib.join("huge.ml"), "x = 1;\n".repeat(200_000)).unwrap();

    let out = mlpy(dir.path(), &["check", "main.ml"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // A symlink that stays inside the root is an ordinary module.
    assert!(!text.contains("main.ml:1:8"), "{text}");
    let real_outside = std::fs::canonicalize(outside.path().join("secret.ml")).unwrap();
    let real_root = std::fs::canonicalize(&lib).unwrap();
    assert!(
        text.contains(&format!(
            "main.ml:2:8: error: Module 'escape' resolves to '{}', which is outside the import root '{}'",
            real_outside.display(),
            real_root.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("main.ml:3:8: error: Module 'dangling' not found"),
        "{text}"
    );
    assert!(
        text.contains("main.ml:4:8: error: Module 'folder' at"),
        "{text}"
    );
    assert!(text.contains("is not a regular file"), "{text}");
    assert!(
        text.contains("main.ml:5:8: error: Module 'pipe' at"),
        "{text}"
    );
    assert!(text.contains("main.ml:6:8: error: Module 'latin1' is not valid UTF-8: the first invalid byte is at lib/latin1.ml:1:12"), "{text}");
    assert!(text.contains("main.ml:7:8: error: Module 'huge' at 'lib/huge.ml' is 1400000 bytes, over the limit of 1048576 bytes"), "{text}");
    assert!(
        text.contains("main.ml:8:8: error: Import of Python module 'os' is refused"),
        "{text}"
    );
    assert!(
        text.contains("main.ml:9:8: error: no import protocol handles 'file://'"),
        "{text}"
    );
}

#[test]
fn traversal_tricks_are_syntax_errors_and_touch_nothing() {
    let out = check("traversal", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("main.ml:1:8: error: expected a module path"),
        "{text}"
    );
    assert!(
        text.contains("main.ml:2:12: error: expected a module name after `.`"),
        "{text}"
    );
    assert!(
        text.contains("main.ml:3:8: error: expected a module path"),
        "{text}"
    );
    assert!(
        !text.contains("not found"),
        "nothing is resolved from a broken import:\n{text}"
    );
    assert!(text.contains("Checked 1 file: 3 errors"), "{text}");
}

#[test]
fn configuration_errors_name_the_key_and_the_place() {
    for (fixture, expected) in [
        ("config_unknown_key", "tests/testdata/config_unknown_key/mlpy.json:3:15: error: unknown key in mlpy.json: `import_path`"),
        (
            "config_wrong_type",
            "tests/testdata/config_wrong_type/mlpy.json:2:28: error: invalid value for \"allow_current_dir\": expected true or false, found the string \"yes\"",
        ),
        ("config_bad_json", "tests/testdata/config_bad_json/mlpy.json:1:26: error: invalid JSON: trailing comma"),
    ] {
        let out = check(fixture, &[]);
        assert_eq!(out.status.code(), Some(2), "{fixture}");
        assert!(stderr(&out).starts_with(expected), "{fixture}: {}", stderr(&out));
    }
    let out = check("config_size", &[]);
    assert!(
        stdout(&out).contains("Module 'big' at 'big.ml' is 88 bytes, over the limit of 64 bytes"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn current_folder_only_when_allowed() {
    let out = check("current_dir", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "helper.ml exists next to the importing file, but that folder is not searched"
        ),
        "{}",
        stdout(&out)
    );
    let out = check("current_dir", &["--allow-current-dir"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = check(
        "current_dir",
        &["--import-paths", "tests/testdata/current_dir"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn stdlib_shadowing_is_a_warning() {
    let out = check("shadow", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("main.ml:1:8: warning: 'math' is the standard-library module; the user module math.ml is shadowed by it"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unreadable_entry_files_are_clear_errors() {
    let out = mlpy(&root(), &["check", "tests/testdata/no/such/file.ml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot load 'tests/testdata/no/such/file.ml'"),
        "{}",
        stderr(&out)
    );
    // With other entries: they are checked and reported (as JSON too), the missing ones
    // said after them, and the status is still 2.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.ml"),
        "x = nope;
",
    )
    .unwrap();
    for format in ["human", "json"] {
        let out = mlpy(
            dir.path(),
            &[
                "check",
                "gone.ml",
                "a.ml",
                "also_gone.ml",
                "--format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        let text = stdout(&out);
        assert!(
            text.contains("Unknown identifier 'nope'"),
            "{format}: {text}"
        );
        if format == "json" {
            let report: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(report["summary"]["errors"], 1, "{report}");
        }
        let err = stderr(&out);
        assert!(err.contains("cannot load 'gone.ml'"), "{format}: {err}");
        assert!(
            err.contains("cannot load 'also_gone.ml'"),
            "{format}: {err}"
        );
    }
}

/// An import path that is no folder finds nothing: said (once, at its place in mlpy.json or
/// as written on the command line) before anything else, and the program is checked as
/// before — a warning, not a refusal.
#[test]
fn import_paths_that_are_no_folder_are_warned_about_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("lib")).unwrap();
    std::fs::write(root.join("lib/util.ml"), "x = 1;\n").unwrap();
    std::fs::write(root.join("afile"), "").unwrap();
    std::fs::write(
        root.join("mlpy.json"),
        "{\n  \"import_paths\": [\"lib\",\n    \"missing\", \"afile\"]\n}\n",
    )
    .unwrap();
    std::fs::write(root.join("main.ml"), "import util;\nprint(util.x);\n").unwrap();
    for command in ["check", "run", "transpile"] {
        let mut args = vec![command, "main.ml"];
        if command == "transpile" {
            args.extend(["-o", "out.py", "--force"]);
        }
        let out = mlpy(root, &args);
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(
                "mlpy.json:3:5: warning: the import path 'missing' does not exist: no module is found there"
            ),
            "{command}: {err}"
        );
        assert!(
            err.contains("mlpy.json:3:16: warning: the import path 'afile' is not a folder"),
            "{command}: {err}"
        );
        assert_eq!(err.matches("'missing'").count(), 1, "once: {err}");
        assert!(!err.contains("'lib'"), "{command}: {err}");
    }
    // On the command line, as written; mlpy.json's paths are replaced, so not warned about.
    let out = mlpy(
        root,
        &["check", "main.ml", "--import-paths", "lib:nowhere:afile"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("mlpy: warning: --import-paths: 'nowhere' does not exist"),
        "{err}"
    );
    assert!(
        err.contains("mlpy: warning: --import-paths: 'afile' is not a folder"),
        "{err}"
    );
    assert!(!err.contains("missing"), "{err}");
    // A project whose paths all exist hears nothing.
    std::fs::write(root.join("mlpy.json"), "{\"import_paths\": [\"lib\"]}\n").unwrap();
    let out = mlpy(root, &["check", "main.ml"]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

/// A module imported without the package it lives in is suggested with it, in `mlpy check`
/// as in every other command (one resolver).
#[test]
fn a_module_imported_without_its_package_is_suggested_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("lib/geometry")).unwrap();
    std::fs::write(root.join("lib/geometry/shapes.ml"), "x = 1;\n").unwrap();
    std::fs::write(root.join("mlpy.json"), "{\"import_paths\": [\"lib\"]}\n").unwrap();
    std::fs::write(root.join("main.ml"), "import shapes;\nprint(shapes.x);\n").unwrap();
    let out = mlpy(root, &["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("main.ml:1:8: error: Module 'shapes' not found"),
        "{text}"
    );
    assert!(text.contains("did you mean 'geometry.shapes'?"), "{text}");
}

/// Names starting with `__` belong to the generated Python: refused in any part of an
/// import, for ML packages as for anything else (not called a Python module), and a
/// package's `__init__` is pointed to by the package's name.
#[test]
fn reserved_module_names_are_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pk/sub")).unwrap();
    std::fs::write(root.join("pk/__init__.ml"), "x = 1;\n").unwrap();
    std::fs::write(root.join("pk/sub/__init__.ml"), "y = 1;\n").unwrap();
    std::fs::write(root.join("mlpy.json"), "{\"import_paths\": [\".\"]}\n").unwrap();
    let cases = [
        ("pk.__init__", "`__init__`", Some("import pk;")),
        ("pk.sub.__init__", "`__init__`", Some("import pk.sub;")),
        ("__init__", "`__init__`", None),
        ("__main__", "`__main__`", None),
        ("pk.__secret", "`__secret`", None),
        ("__pk.x", "`__pk`", None),
    ];
    for (module, part, hint) in cases {
        std::fs::write(root.join("main.ml"), format!("import {module} as m;\n")).unwrap();
        let out = mlpy(root, &["check", "main.ml"]);
        assert_eq!(out.status.code(), Some(1), "{module}: {}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!(
                "main.ml:1:8: error: Import of '{module}' is refused: module names starting with `__` ({part}) are reserved"
            )),
            "{text}"
        );
        assert!(!text.contains("Python module"), "{text}");
        match hint {
            Some(hint) => assert!(text.contains(hint), "{text}"),
            None => assert!(!text.contains("imported by the package's name"), "{text}"),
        }
    }
}

/// A Python module ML can never import is refused where it is allowed — in mlpy.json's
/// `python_whitelist` at its place, and in `--allow-python-modules` — instead of being
/// accepted there and refused at every import.
#[test]
fn python_modules_that_can_never_be_imported_are_refused_where_they_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("main.ml"), "print(1);\n").unwrap();
    for (name, problem) in [
        ("os", "can never be imported from ML"),
        ("os.path", "can never be imported from ML"),
        ("_thread", "can never be imported from ML"),
        ("subprocess", "can never be imported from ML"),
        ("pydevd", "can never be imported from ML"),
        ("not a name", "is not a Python module name"),
        ("", "is not a Python module name"),
    ] {
        std::fs::write(
            root.join("mlpy.json"),
            format!("{{\n  \"stdlib_mode\": \"python\",\n  \"python_whitelist\": [\"json\", \"{name}\"]\n}}\n"),
        )
        .unwrap();
        let out = mlpy(root, &["check", "main.ml"]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("mlpy.json:3:"), "{name}: {err}");
        assert!(err.contains(problem), "{name}: {err}");
        if name.is_empty() {
            continue;
        }
        std::fs::write(root.join("mlpy.json"), "{}\n").unwrap();
        let flag = format!("--allow-python-modules=json,{name}");
        let out = mlpy(
            root,
            &["check", "main.ml", "--stdlib-mode", "python", &flag],
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stdout(&out));
        assert!(stderr(&out).contains(problem), "{name}: {}", stderr(&out));
    }
    // Allowed ones stay allowed.
    std::fs::write(
        root.join("mlpy.json"),
        "{\"stdlib_mode\": \"python\", \"python_whitelist\": [\"numpy\", \"json.decoder\"]}\n",
    )
    .unwrap();
    let out = mlpy(
        root,
        &["check", "main.ml", "--allow-python-modules", "statistics"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
