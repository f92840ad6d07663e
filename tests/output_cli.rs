//! End-to-end tests of where `mlpy transpile` writes, with the real binary: output never
//! destroys input.
//!
//! * `--out-dir D` replaces or removes only the files its manifest (`D/.mlpy-output`) lists
//!   with their unchanged SHA-256; every other file in D survives, and overwriting one is
//!   refused unless `--force`;
//! * a D that holds ML sources, or is, contains or lies in the project root or an import
//!   path, is refused outright (`--force` too), and nothing in it changes;
//! * `-o FILE` replaces only a file with mlpy's header, never the program's own sources.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use support::{python, run, stderr, stdout, Project};

/// Every file and link under the project (relative path → bytes, or the link's target),
/// the cache excluded: what must not change when a write is refused.
fn snapshot(project: &Project) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            let name = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if name.starts_with(".cache") {
                continue;
            }
            let kind = entry.file_type().expect("file type");
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                out.insert(name, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                out.insert(format!("{name}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(name, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(project.dir.path(), project.dir.path(), &mut out);
    out
}

fn read(project: &Project, relative: &str) -> String {
    std::fs::read_to_string(project.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn ok(out: &Output) {
    assert!(out.status.success(), "failed:\n{}", stderr(out));
}

/// Exit status 2 and `message` in the report.
fn refused(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(2), "not refused:\n{}", stderr(out));
    assert!(stderr(out).contains(message), "{}", stderr(out));
}

/// Runs `python3 ENTRY` from an empty folder.
fn run_entry(project: &Project, entry: &str) -> Output {
    let cwd = project.path("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    let mut command = python();
    command.arg(project.path(entry)).current_dir(&cwd);
    run(command, None)
}

/// The file names a manifest lists.
fn manifest_files(project: &Project, dir: &str) -> Vec<String> {
    let text = read(project, &format!("{dir}/.mlpy-output"));
    let value: serde_json::Value = serde_json::from_str(&text).expect("the manifest is JSON");
    value["files"]
        .as_object()
        .expect("files")
        .keys()
        .cloned()
        .collect()
}

/// A project layout where `--out-dir` must be refused.
struct Layout {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    entry: &'static str,
    args: &'static [&'static str],
    out_dir: &'static str,
    message: &'static str,
}

const LEGACY_MARKER: &str =
    "Written by mlpy; the next transpile to this folder replaces it entirely.\n";

const REFUSED_LAYOUTS: &[Layout] = &[
    Layout {
        name: "the import path, with a leftover marker",
        files: &[
            ("mlpy.json", r#"{"import_paths": ["lib"]}"#),
            ("main.ml", "import util;\nprint(util.f());\n"),
            ("lib/util.ml", "function f() { return 42; }\n"),
            ("lib/.mlpy-output", LEGACY_MARKER),
            ("lib/notes.txt", "mine\n"),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: "lib",
        message: "it is an import path of the project",
    },
    Layout {
        name: "inside the import path",
        files: &[
            ("mlpy.json", r#"{"import_paths": ["lib"]}"#),
            ("main.ml", "import util;\nprint(util.f());\n"),
            ("lib/util.ml", "function f() { return 42; }\n"),
            ("lib/gen/.mlpy-output", LEGACY_MARKER),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: "lib/gen",
        message: "it is inside an import path of the project",
    },
    Layout {
        name: "an import path given on the command line",
        files: &[
            ("main.ml", "import util;\nprint(util.f());\n"),
            ("vendor/util.ml", "function f() { return 42; }\n"),
            ("vendor/.mlpy-output", LEGACY_MARKER),
        ],
        entry: "main.ml",
        args: &["--import-paths", "vendor"],
        out_dir: "vendor",
        message: "it is an import path of the project",
    },
    Layout {
        name: "the second of two import paths, written another way",
        files: &[
            (
                "mlpy.json",
                r#"{"import_paths": ["lib", "third_party/ml"]}"#,
            ),
            ("main.ml", "import util;\nprint(util.f());\n"),
            ("lib/util.ml", "function f() { return 42; }\n"),
            ("third_party/ml/.keep", ""),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: "./lib/../third_party/ml/",
        message: "it is an import path of the project",
    },
    Layout {
        name: "a folder holding an import path",
        files: &[
            ("mlpy.json", r#"{"import_paths": ["src/lib"]}"#),
            ("main.ml", "import util;\nprint(util.f());\n"),
            ("src/lib/util.ml", "function f() { return 42; }\n"),
            ("src/.mlpy-output", LEGACY_MARKER),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: "src",
        message: "it contains an import path of the project",
    },
    Layout {
        name: "the project root",
        files: &[
            ("mlpy.json", "{}"),
            ("main.ml", "print(1);\n"),
            (".mlpy-output", LEGACY_MARKER),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: ".",
        message: "it is the project root",
    },
    Layout {
        name: "the project root, without mlpy.json",
        files: &[
            ("app/main.ml", "print(1);\n"),
            ("app/.mlpy-output", LEGACY_MARKER),
        ],
        entry: "app/main.ml",
        args: &[],
        out_dir: "app",
        message: "it is the project root",
    },
    Layout {
        name: "a folder holding the project root",
        files: &[
            ("app/mlpy.json", "{}"),
            ("app/main.ml", "print(1);\n"),
            (".mlpy-output", LEGACY_MARKER),
        ],
        entry: "app/main.ml",
        args: &[],
        out_dir: ".",
        message: "it contains the project root",
    },
    Layout {
        name: "a folder holding ML sources of another program",
        files: &[
            ("main.ml", "print(1);\n"),
            ("other/deep/er/tool.ml", "print(2);\n"),
            ("other/.mlpy-output", LEGACY_MARKER),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: "other",
        message: "holds ML sources ('other/deep/er/tool.ml')",
    },
    Layout {
        name: "a folder holding an upper-case .ML file",
        files: &[("main.ml", "print(1);\n"), ("out/OLD.ML", "print(2);\n")],
        entry: "main.ml",
        args: &[],
        out_dir: "out",
        message: "holds ML sources",
    },
    Layout {
        name: "a folder holding an mlpy.json",
        files: &[
            ("main.ml", "print(1);\n"),
            ("cfg/mlpy.json", "{}"),
            ("cfg/.mlpy-output", LEGACY_MARKER),
        ],
        entry: "main.ml",
        args: &[],
        out_dir: "cfg",
        message: "holds ML sources ('cfg/mlpy.json')",
    },
];

#[test]
fn out_dir_never_holds_or_touches_sources() {
    for layout in REFUSED_LAYOUTS {
        let project = Project::new();
        for (path, text) in layout.files {
            project.file(path, text);
        }
        let before = snapshot(&project);
        for force in [false, true] {
            let mut args = vec!["transpile", layout.entry, "--out-dir", layout.out_dir];
            args.extend_from_slice(layout.args);
            if force {
                args.push("--force");
            }
            let out = project.mlpy(&args);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{} (force: {force}): not refused\n{}",
                layout.name,
                stderr(&out)
            );
            let err = stderr(&out);
            assert!(
                err.contains(layout.message),
                "{} (force: {force}):\n{err}",
                layout.name
            );
            assert_eq!(
                snapshot(&project),
                before,
                "{} (force: {force}): files changed",
                layout.name
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn out_dir_through_a_link_to_an_import_path_is_refused() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib"]}"#)
        .file("main.ml", "import util;\nprint(util.f());\n")
        .file("lib/util.ml", "function f() { return 42; }\n");
    std::os::unix::fs::symlink(project.path("lib"), project.path("link")).expect("symlink");
    std::os::unix::fs::symlink(project.path("lib"), project.path("to_lib")).expect("symlink");
    let before = snapshot(&project);
    for dir in ["link", "link/gen", "to_lib/"] {
        let out = project.mlpy(&["transpile", "main.ml", "--out-dir", dir, "--force"]);
        refused(&out, "import path of the project");
    }
    assert_eq!(snapshot(&project), before);
}

#[test]
fn out_dir_beside_the_sources_is_fine_when_the_root_is_an_import_path() {
    // "." as an import path is common: out/ inside it is the usual place.
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": [".", "lib"]}"#)
        .file("main.ml", "import util;\nprint(util.f());\n")
        .file("lib/util.ml", "function f() { return 42; }\n");
    for dir in ["out", "build/py", "out"] {
        ok(&project.mlpy(&["transpile", "main.ml", "--out-dir", dir]));
        let run = run_entry(&project, &format!("{dir}/main.py"));
        assert_eq!(stdout(&run), "42\n", "{}", stderr(&run));
    }
}

#[test]
fn user_files_beside_a_stale_marker_survive() {
    let project = Project::new();
    project
        .file("main.ml", "import helper;\nprint(helper.x);\n")
        .file("helper.ml", "x = 7;\n")
        .file("out/.mlpy-output", LEGACY_MARKER)
        .file("out/notes.txt", "keep me\n")
        .file("out/data/keep.csv", "a,b\n1,2\n")
        .file("out/mlpy_runtime/my_extra.py", "# mine\n")
        .file("out/ml_helper_notes.md", "# mine too\n");
    let out = project.mlpy(&[
        "transpile",
        "main.ml",
        "--allow-current-dir",
        "--out-dir",
        "out",
    ]);
    ok(&out);
    for (path, text) in [
        ("out/notes.txt", "keep me\n"),
        ("out/data/keep.csv", "a,b\n1,2\n"),
        ("out/mlpy_runtime/my_extra.py", "# mine\n"),
        ("out/ml_helper_notes.md", "# mine too\n"),
    ] {
        assert_eq!(read(&project, path), text, "{path}");
    }
    let run = run_entry(&project, "out/main.py");
    assert_eq!(stdout(&run), "7\n", "{}", stderr(&run));
    // The marker is now a manifest of exactly what mlpy wrote.
    let listed = manifest_files(&project, "out");
    assert!(listed.contains(&"main.py".to_string()), "{listed:?}");
    assert!(listed.contains(&"helper.py".to_string()), "{listed:?}");
    assert!(listed.iter().any(|f| f == "mlpy_runtime/__init__.py"));
    assert!(!listed
        .iter()
        .any(|f| f.contains("notes") || f.contains("keep")));

    // The next transpile removes what the program no longer has, and keeps the rest.
    project.file("main.ml", "print(\"alone\");\n");
    ok(&project.mlpy(&[
        "transpile",
        "main.ml",
        "--allow-current-dir",
        "--out-dir",
        "out",
    ]));
    assert!(!project.path("out/helper.py").exists());
    assert_eq!(read(&project, "out/notes.txt"), "keep me\n");
    assert_eq!(read(&project, "out/mlpy_runtime/my_extra.py"), "# mine\n");
    assert!(!manifest_files(&project, "out").contains(&"helper.py".to_string()));
    let run = run_entry(&project, "out/main.py");
    assert_eq!(stdout(&run), "alone\n", "{}", stderr(&run));
}

#[test]
fn a_user_file_where_the_output_goes_is_refused_without_force() {
    let project = Project::new();
    project
        .file("main.ml", "print(\"new\");\n")
        .file("out/.mlpy-output", LEGACY_MARKER)
        .file("out/main.py", "print('my own main')\n")
        .file("out/notes.txt", "keep me\n");
    let before = snapshot(&project);
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "out"]);
    refused(&out, "'out/main.py'");
    refused(&out, "pass --force to overwrite it");
    refused(&out, "written by an older mlpy and does not list its files");
    assert_eq!(
        snapshot(&project),
        before,
        "a refused transpile changed files"
    );

    ok(&project.mlpy(&["transpile", "main.ml", "--out-dir", "out", "--force"]));
    assert_eq!(read(&project, "out/notes.txt"), "keep me\n");
    let run = run_entry(&project, "out/main.py");
    assert_eq!(stdout(&run), "new\n", "{}", stderr(&run));
}

#[test]
fn tampered_output_is_refused_without_force() {
    let project = Project::new();
    project
        .file("main.ml", "import helper;\nprint(helper.x);\n")
        .file("helper.ml", "x = 1;\n");
    let args = [
        "transpile",
        "main.ml",
        "--allow-current-dir",
        "--out-dir",
        "tree",
    ];
    ok(&project.mlpy(&args));
    project.file("helper.ml", "x = 2;\n");
    // Edited by hand since: main.py (which the new output would leave as it is) and
    // helper.py (which it would change).
    let edited = "# my edit\nprint('patched')\n";
    project.file("tree/helper.py", edited);
    project.file("tree/mlpy_runtime/errors.py", "# patched runtime\n");
    let before = snapshot(&project);
    let out = project.mlpy(&args);
    refused(&out, "'tree/helper.py'");
    refused(&out, "'tree/mlpy_runtime/errors.py'");
    refused(&out, "pass --force to overwrite them");
    assert_eq!(
        snapshot(&project),
        before,
        "a refused transpile changed files"
    );
    let leftovers: Vec<String> = snapshot(&project)
        .into_keys()
        .filter(|k| k.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    ok(&project.mlpy(&[
        "transpile",
        "main.ml",
        "--allow-current-dir",
        "--out-dir",
        "tree",
        "--force",
    ]));
    let run = run_entry(&project, "tree/main.py");
    assert_eq!(stdout(&run), "2\n", "{}", stderr(&run));
    // Forced files are mlpy's again: the next transpile needs no --force.
    project.file("helper.ml", "x = 3;\n");
    ok(&project.mlpy(&args));
    let run = run_entry(&project, "tree/main.py");
    assert_eq!(stdout(&run), "3\n", "{}", stderr(&run));
}

#[test]
fn a_changed_file_the_program_no_longer_needs_stays() {
    let project = Project::new();
    project
        .file("main.ml", "import a;\nimport b;\nprint(a.x + b.x);\n")
        .file("a.ml", "x = 1;\n")
        .file("b.ml", "x = 2;\n");
    let args = [
        "transpile",
        "main.ml",
        "--allow-current-dir",
        "--out-dir",
        "tree",
    ];
    ok(&project.mlpy(&args));
    project.file("tree/b.py", "# edited\n");
    project.file("main.ml", "import a;\nprint(a.x);\n");
    ok(&project.mlpy(&args));
    assert_eq!(read(&project, "tree/b.py"), "# edited\n");
    assert!(!manifest_files(&project, "tree").contains(&"b.py".to_string()));
    // b.py is the user's now: needed again, it is refused.
    project.file("main.ml", "import a;\nimport b;\nprint(a.x + b.x);\n");
    refused(&project.mlpy(&args), "'tree/b.py'");
}

#[test]
fn re_transpiling_to_the_same_out_dir() {
    // A program changing shape between transpiles: modules come, go and become packages.
    let versions: &[(&[(&str, &str)], &str)] = &[
        (
            &[
                (
                    "main.ml",
                    "import geo.shapes;\nprint(geo.shapes.area(2));\n",
                ),
                ("lib/geo/shapes.ml", "function area(r) { return r * r; }\n"),
            ],
            "4\n",
        ),
        (
            &[
                (
                    "main.ml",
                    "import geo.shapes;\nimport util;\nprint(geo.shapes.area(3), util.name);\n",
                ),
                ("lib/util.ml", "name = \"u\";\n"),
            ],
            "9 u\n",
        ),
        (
            &[
                ("main.ml", "import geo;\nprint(geo.unit);\n"),
                ("lib/geo/__init__.ml", "unit = \"cm\";\n"),
            ],
            "cm\n",
        ),
        (&[("main.ml", "print(\"bare\");\n")], "bare\n"),
        (
            &[(
                "main.ml",
                "import geo.shapes;\nprint(geo.shapes.area(5));\n",
            )],
            "25\n",
        ),
    ];
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib"]}"#)
        .file("tree/README.txt", "my notes about the output\n");
    for (step, (files, expected)) in versions.iter().enumerate() {
        for (path, text) in *files {
            project.file(path, text);
        }
        for _ in 0..2 {
            let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "tree"]);
            assert!(out.status.success(), "step {step}:\n{}", stderr(&out));
            let run = run_entry(&project, "tree/main.py");
            assert_eq!(stdout(&run), *expected, "step {step}:\n{}", stderr(&run));
        }
        // The folder holds exactly the manifest's files, the manifest and the user's file.
        let mut listed: Vec<String> = manifest_files(&project, "tree")
            .into_iter()
            .map(|f| format!("tree/{f}"))
            .collect();
        listed.push("tree/.mlpy-output".to_string());
        listed.push("tree/README.txt".to_string());
        listed.sort();
        let mut present: Vec<String> = project
            .files()
            .into_iter()
            .filter(|f| f.starts_with("tree/") && !f.contains("__pycache__"))
            .collect();
        present.sort();
        assert_eq!(present, listed, "step {step}");
    }
    assert_eq!(
        read(&project, "tree/README.txt"),
        "my notes about the output\n"
    );
}

#[test]
fn single_file_output_replaces_only_mlpy_files() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib"]}"#)
        .file("main.ml", "import util;\nprint(util.f());\n")
        .file("lib/util.ml", "function f() { return 42; }\n")
        .file("other.ml", "print(\"another program\");\n")
        .file("tool.py", "print('my tool')\n")
        .file("empty.py", "");
    // mlpy.json last: once overwritten, the project has no configuration to load.
    let foreign = ["other.ml", "tool.py", "empty.py", "mlpy.json"];
    for target in foreign {
        let before = snapshot(&project);
        let out = project.mlpy(&["transpile", "main.ml", "-o", target]);
        refused(
            &out,
            &format!("refusing to overwrite '{target}': mlpy did not write it"),
        );
        refused(&out, "--force");
        assert_eq!(snapshot(&project), before, "{target} changed");
    }
    // The program's own sources: never, not even with --force.
    for target in ["main.ml", "lib/util.ml", "./lib/../main.ml"] {
        let before = snapshot(&project);
        let out = project.mlpy(&["transpile", "main.ml", "-o", target, "--force"]);
        refused(&out, "refusing to write the output over the ML source");
        assert_eq!(snapshot(&project), before, "{target} changed");
    }
    // A folder: never.
    std::fs::create_dir_all(project.path("folder")).expect("mkdir");
    refused(
        &project.mlpy(&["transpile", "main.ml", "-o", "folder", "--force"]),
        "is a folder",
    );
    // mlpy's own output (header on line 1, or on line 2 after a coding line): replaced.
    project.file(
        "old.py",
        "# -*- coding: utf-8 -*-\n# Generated by mlpy from main.ml. Do not edit.\nprint(0)\n",
    );
    for target in ["out.py", "out.py", "old.py"] {
        ok(&project.mlpy(&["transpile", "main.ml", "-o", target]));
        let run = run_entry(&project, target);
        assert_eq!(stdout(&run), "42\n", "{}", stderr(&run));
    }
    // With --force every foreign file is written.
    for target in foreign {
        ok(&project.mlpy(&["transpile", "main.ml", "-o", target, "--force"]));
        assert!(
            read(&project, target).contains("# Generated by mlpy"),
            "{target}"
        );
    }
    let run = run_entry(&project, "tool.py");
    assert_eq!(stdout(&run), "42\n", "{}", stderr(&run));
}
