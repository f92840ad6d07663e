//! `mlpy check --format json` and the language server report the same diagnostics — file,
//! range, code, severity and message — on the same projects: unresolved imports and
//! members, cycles, Python-name collisions, syntax errors, security rules and a clean
//! project. Both ask the one diagnostics entry point (`mlpy_analysis::diagnostics`).
//! Also after edits in the editor: import cycles made and broken by random import lines
//! (self-imports inside larger cycles, components of several cycles), the texts then
//! saved and checked by `mlpy check` with every file as an entry; and the diagnostics that
//! depend on the whole program a module is part of (Python-name collisions, package names
//! that are submodules, package prefixes), made and undone by random and by scripted edits.

mod lsp_client;

use lsp_client::{file_uri, Client};
use mlpy_testkit::Rng;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// (start line, start column, end line, end column, code, severity, message), 0-based.
type Item = (u64, u64, u64, u64, String, String, String);

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("mlpy-parity-")
        .tempdir()
        .expect("temp dir");
    std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// What `mlpy check main.ml --format json` reports, per file (relative path).
fn cli(root: &Path) -> BTreeMap<String, BTreeSet<Item>> {
    cli_of(root, &["main.ml"])
}

/// What `mlpy check ENTRIES… --format json` reports, per file (relative path). Columns
/// are the CLI's (characters): the tests' texts are ASCII, where they are LSP's too.
fn cli_of(root: &Path, entries: &[&str]) -> BTreeMap<String, BTreeSet<Item>> {
    let out = Command::new(env!("CARGO_BIN_EXE_mlpy"))
        .arg("check")
        .args(entries)
        .args(["--format", "json"])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .expect("mlpy check runs");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let mut by_file: BTreeMap<String, BTreeSet<Item>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        let n = |v: &Value| v.as_u64().expect("number") - 1;
        // The editor shows the notes under the message, one per line.
        let mut message = d["message"].as_str().unwrap().to_string();
        for note in d["notes"].as_array().into_iter().flatten() {
            message.push('\n');
            message.push_str(note.as_str().unwrap());
        }
        let r = &d["range"];
        by_file
            .entry(d["file"].as_str().unwrap().to_string())
            .or_default()
            .insert((
                n(&r["start"]["line"]),
                n(&r["start"]["column"]),
                n(&r["end"]["line"]),
                n(&r["end"]["column"]),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                message,
            ));
    }
    by_file
}

/// What the language server publishes for each `.ml` file of the project, opened.
fn server(root: &Path, files: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<Item>> {
    let mut client = Client::start(root);
    let mut uris = Vec::new();
    for (path, _) in files.iter().filter(|(p, _)| p.ends_with(".ml")) {
        uris.push((path.to_string(), client.open(path)));
    }
    client.flush();
    let mut by_file = BTreeMap::new();
    for (path, uri) in uris {
        let list = client.wait_diagnostics(&uri, |_| true);
        let items = items(&list);
        if !items.is_empty() {
            by_file.insert(path, items);
        }
    }
    let _ = file_uri(root);
    client.shutdown();
    by_file
}

/// A published list of diagnostics as [`Item`]s.
fn items(list: &[Value]) -> BTreeSet<Item> {
    list.iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &Value| v.as_u64().expect("number");
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                Some(3) => "info",
                _ => "hint",
            };
            (
                n(&r["start"]["line"]),
                n(&r["start"]["character"]),
                n(&r["end"]["line"]),
                n(&r["end"]["character"]),
                d["code"].as_str().unwrap_or_default().to_string(),
                severity.to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn assert_parity(name: &str, files: &[(&str, &str)], expected_codes: &[&str]) {
    let dir = project(files);
    let root = dir.path().canonicalize().unwrap();
    let from_cli = cli(&root);
    let from_server = server(&root, files);
    assert_eq!(
        from_cli, from_server,
        "{name}: `mlpy check` (left) and the language server (right) differ"
    );
    let codes: BTreeSet<&str> = from_cli
        .values()
        .flatten()
        .map(|(_, _, _, _, code, _, _)| code.as_str())
        .collect();
    for code in expected_codes {
        assert!(codes.contains(code), "{name}: no {code} in {from_cli:#?}");
    }
}

#[test]
fn unresolved_imports_and_members() {
    assert_parity(
        "unresolved",
        &[
            (
                "main.ml",
                "import missing;\nimport util;\nimport math;\nprint(util.tripel(2), math.sqroot(4));\n",
            ),
            ("util.ml", "function triple(x) { return x * 3; }\n"),
        ],
        &["unresolved-import", "unknown-member"],
    );
}

#[test]
fn import_cycles() {
    assert_parity(
        "cycle",
        &[
            ("main.ml", "import a;\nprint(a.x);\n"),
            ("a.ml", "import b;\nx = 1;\n"),
            ("b.ml", "import a;\ny = 2;\n"),
        ],
        &["import-cycle"],
    );
}

#[test]
fn python_name_collisions() {
    assert_parity(
        "collision",
        &[
            (
                "main.ml",
                "import class;\nimport ml_class;\nprint(class.a, ml_class.b);\n",
            ),
            ("class.ml", "a = 1;\n"),
            ("ml_class.ml", "b = 2;\n"),
        ],
        &["module-name-collision"],
    );
}

#[test]
fn syntax_errors() {
    assert_parity(
        "syntax",
        &[
            ("main.ml", "import lib;\nx = (1 + ;\nprint(lib.f(1));\n"),
            ("lib.ml", "function f(a) { return a + ; }\ny = [1, 2;\n"),
        ],
        &["syntax"],
    );
}

#[test]
fn security_rules() {
    assert_parity(
        "security",
        &[
            (
                "main.ml",
                "import tools;\nx = __secret;\nprint(eval(\"1\"), tools.run());\n",
            ),
            (
                "tools.ml",
                "function run() { return \"os.system('id')\"; }\nz = {}.__class__;\n",
            ),
        ],
        &["security-dunder", "security-call", "security-string"],
    );
}

#[test]
fn a_clean_project() {
    assert_parity(
        "clean",
        &[
            ("main.ml", "import geo.shapes as s;\nprint(s.area(2));\n"),
            ("geo/shapes.ml", "function area(r) { return 3 * r * r; }\n"),
        ],
        &[],
    );
}

/// The messages of one file's import-cycle errors, as `mlpy check` reports them.
fn cycle_messages(report: &BTreeMap<String, BTreeSet<Item>>, file: &str) -> Vec<String> {
    report
        .get(file)
        .into_iter()
        .flatten()
        .filter(|(_, _, _, _, code, _, _)| code == "import-cycle")
        .map(|(_, _, _, _, _, _, message)| message.clone())
        .collect()
}

#[test]
fn every_module_of_a_cycle_is_reported_whatever_the_entry() {
    // A self-import inside a larger cycle (a), and a component of two cycles sharing q:
    // every module of a cycle gets its error, from every entry, the editor's too.
    let files: &[(&str, &str)] = &[
        ("main.ml", "import a;\nimport p;\n"),
        ("a.ml", "import b;\nimport a;\n"),
        ("b.ml", "import a;\n"),
        ("p.ml", "import q;\n"),
        ("q.ml", "import p;\nimport r;\n"),
        ("r.ml", "import q;\n"),
    ];
    assert_parity("cycles", files, &["import-cycle"]);
    let dir = project(files);
    let root = dir.path().canonicalize().unwrap();
    let from_main = cli(&root);
    for (file, expected) in [
        (
            "a.ml",
            &[
                "Circular dependency detected: a → b → a",
                "Circular dependency detected: a → a",
            ][..],
        ),
        ("b.ml", &["Circular dependency detected: b → a → b"]),
        ("p.ml", &["Circular dependency detected: p → q → p"]),
        (
            "q.ml",
            &[
                "Circular dependency detected: q → p → q",
                "Circular dependency detected: q → r → q",
            ],
        ),
        ("r.ml", &["Circular dependency detected: r → q → r"]),
    ] {
        assert_eq!(cycle_messages(&from_main, file), expected, "{file}");
    }
    for entry in ["a.ml", "b.ml", "p.ml", "q.ml", "r.ml"] {
        let from_entry = cli_of(&root, &[entry]);
        for (file, list) in &from_entry {
            assert_eq!(list, &from_main[file], "{file} checked from {entry}");
        }
    }
}

/// Import lines the random edits put in the modules of [`random_import_edits_keep_parity`].
const IMPORT_LINES: &[&str] = &[
    "import a;",
    "import b;",
    "import c;",
    "import d;",
    "import a; import b;",
    "import c; import a;",
    "import missing;",
    "x = 1;",
    "",
];

#[test]
fn random_import_edits_keep_parity() {
    // Five modules of four lines, edited line by line in the editor (a fixed seed):
    // cycles appear, merge, split and shrink to self-imports.
    let names = ["main.ml", "a.ml", "b.ml", "c.ml", "d.ml"];
    random_edits_keep_parity(
        &names,
        &[],
        "import a;\nx = 1;\n\n\n",
        IMPORT_LINES,
        0x5eed_cafe_f00d_0001,
        30,
    );
}

/// Import lines of [`random_whole_program_edits_keep_parity`]: modules whose Python names
/// collide (`class`, `ml_class`), package prefixes (`pkg.b` is no module: `pkg` is only a
/// package prefix of `pkg.d`), a package whose top-level name (or a builtin it uses) is
/// also its submodule's (`p.b`, `p.print`), the allowed alias of that submodule.
const PROGRAM_LINES: &[&str] = &[
    "import x;",
    "import y;",
    "import class;",
    "import ml_class;",
    "import x; import ml_class;",
    "import pkg.d; pkg.b.g(1);",
    "import pkg.d; pkg.d.g(1);",
    "import p;",
    "import p.b;",
    "b = 5;",
    "import y; import class;",
    "import p.b as b;",
    "import p.b.c;",
    "print(1);",
    "import main;",
    "",
];

#[test]
fn random_whole_program_edits_keep_parity() {
    // Diagnostics that depend on the whole program a module is part of, not only on what
    // it imports: Python-name collisions between modules another module brings in, a
    // package's top-level name beside a submodule the program loads. Every module is an
    // entry of `mlpy check`, which reports what each program finds: the server must too,
    // after every edit.
    let names = [
        "main.ml",
        "x.ml",
        "y.ml",
        "class.ml",
        "ml_class.ml",
        "p/__init__.ml",
    ];
    let fixed = [
        ("pkg/d.ml", "function g(a) { return a; }\n"),
        ("p/b.ml", "n = 1;\n"),
        ("p/b/c.ml", "m = 1;\n"),
        ("p/print.ml", "k = 1;\n"),
        ("q.ml", "import p.print;\nimport x;\n"),
    ];
    for seed in [
        0x5eed_cafe_f00d_0002,
        0x5eed_cafe_f00d_0003,
        0x5eed_cafe_f00d_0004,
    ] {
        random_edits_keep_parity(&names, &fixed, "\n\n\n", PROGRAM_LINES, seed, 25);
    }
}

/// Opens `names` (each `initial`, beside the `fixed` files), edits random lines of them
/// to random `lines` in the editor, six edits a round (a fixed `seed`). After each round
/// the texts are saved, and the server's diagnostics of every module must be what
/// `mlpy check` reports with every module (the fixed ones too) as an entry.
fn random_edits_keep_parity(
    names: &[&str],
    fixed: &[(&str, &str)],
    initial: &str,
    lines: &[&str],
    seed: u64,
    rounds: usize,
) {
    let mut files: Vec<(&str, &str)> = names.iter().map(|n| (*n, initial)).collect();
    files.extend_from_slice(fixed);
    let dir = project(&files);
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start(&root);
    let line_count = initial.lines().count();
    let mut texts: Vec<Vec<String>> = names
        .iter()
        .map(|n| {
            c.open_text(n, initial);
            initial.lines().map(str::to_string).collect()
        })
        .collect();
    let mut versions = vec![1; names.len()];
    let mut entries: Vec<&str> = names.to_vec();
    entries.extend(fixed.iter().map(|(n, _)| *n));
    let mut rng = Rng(seed);
    for round in 0..rounds {
        for _ in 0..6 {
            let m = rng.below(names.len());
            let line = rng.below(line_count);
            let new = rng.pick(lines).to_string();
            let old_len = texts[m][line].len() as u32;
            versions[m] += 1;
            c.change(
                &c.uri(names[m]),
                versions[m],
                json!([{
                    "range": {
                        "start": {"line": line, "character": 0},
                        "end": {"line": line, "character": old_len},
                    },
                    "text": new,
                }]),
            );
            texts[m][line] = new;
        }
        for (m, name) in names.iter().enumerate() {
            let text = texts[m].join("\n") + "\n";
            std::fs::write(root.join(name), &text).unwrap();
            c.notify(
                "textDocument/didSave",
                json!({"textDocument": {"uri": c.uri(name)}}),
            );
        }
        c.flush();
        let from_cli: BTreeMap<String, BTreeSet<Item>> = cli_of(&root, &entries)
            .into_iter()
            .filter(|(file, _)| names.contains(&file.as_str()))
            .collect();
        let mut from_server = BTreeMap::new();
        for (m, name) in names.iter().enumerate() {
            let uri = c.uri(name);
            let last = c
                .notifications
                .iter()
                .rev()
                .find(|n| {
                    n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
                })
                .expect("an open document gets diagnostics");
            assert_eq!(last["params"]["version"], versions[m], "{name}");
            let list = c.diagnostics[&uri].clone();
            if !list.is_empty() {
                from_server.insert(name.to_string(), items(&list));
            }
        }
        if from_cli != from_server {
            let files: BTreeSet<&String> = from_cli.keys().chain(from_server.keys()).collect();
            let differ: Vec<String> = files
                .into_iter()
                .filter(|f| from_cli.get(*f) != from_server.get(*f))
                .map(|f| {
                    format!(
                        "{f}:\n  cli:    {:?}\n  server: {:?}",
                        from_cli.get(f),
                        from_server.get(f)
                    )
                })
                .collect();
            panic!(
                "seed {seed:#x} round {round}: `mlpy check` and the language server differ:\n{}\ntexts: {texts:#?}",
                differ.join("\n")
            );
        }
    }
    c.shutdown();
}

/// One step of [`edits_keep_parity`]: a file, its new text, and `(file, code, present)`.
type Step<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str, bool)]);

/// Opens the `.ml` files of `files`, then replaces whole texts in the editor step by step
/// (and saves them). After each step the server's diagnostics of every module are what
/// `mlpy check` reports with every module as an entry, and each `(file, code, present)` of
/// the step's list holds: whether that file has a diagnostic with that code.
fn edits_keep_parity(files: &[(&str, &str)], steps: &[Step<'_>]) {
    let dir = project(files);
    let root = dir.path().canonicalize().unwrap();
    let names: Vec<&str> = files
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| n.ends_with(".ml"))
        .collect();
    let mut c = Client::start(&root);
    let mut versions: BTreeMap<&str, i32> = BTreeMap::new();
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".ml")) {
        c.open_text(name, text);
        versions.insert(name, 1);
    }
    c.flush();
    for (i, (file, text, expected)) in steps.iter().enumerate() {
        let version = versions.get_mut(file).expect("an open module");
        *version += 1;
        let uri = c.uri(file);
        c.replace_all(&uri, *version, text);
        std::fs::write(root.join(file), text).unwrap();
        c.flush();
        let from_cli = cli_of(&root, &names);
        let mut from_server = BTreeMap::new();
        for name in &names {
            let list = c.diagnostics.get(&c.uri(name)).cloned().unwrap_or_default();
            if !list.is_empty() {
                from_server.insert(name.to_string(), items(&list));
            }
        }
        assert_eq!(
            from_cli, from_server,
            "step {i} ({file}): `mlpy check` (left) and the language server (right) differ"
        );
        for (file, code, present) in expected.iter() {
            let found = from_cli
                .get(*file)
                .into_iter()
                .flatten()
                .any(|(_, _, _, _, c, _, _)| c == code);
            assert_eq!(found, *present, "step {i}: {code} in {file}: {from_cli:#?}");
        }
    }
    c.shutdown();
}

#[test]
fn a_collision_another_module_brings_in_is_kept_through_edits() {
    // `x` imports `class`; `main` imports `x` and `ml_class`: main's program has both, so
    // both imports are reported, though neither `x` nor `main` imports both. An edit of
    // x's body keeps it; main dropping `ml_class` ends it in x too, taking it back
    // restores it.
    let collision = "module-name-collision";
    edits_keep_parity(
        &[
            ("main.ml", "import x;\nimport ml_class;\n"),
            ("x.ml", "import class;\n"),
            ("class.ml", "a = 1;\n"),
            ("ml_class.ml", "b = 2;\n"),
        ],
        &[
            (
                "x.ml",
                "import class;\ny = 3;\n",
                &[("x.ml", collision, true), ("main.ml", collision, true)],
            ),
            (
                "main.ml",
                "import x;\n",
                &[("x.ml", collision, false), ("main.ml", collision, false)],
            ),
            (
                "main.ml",
                "import x;\nimport ml_class;\n",
                &[("x.ml", collision, true), ("main.ml", collision, true)],
            ),
            (
                "x.ml",
                "y = 3;\n",
                &[("x.ml", collision, false), ("main.ml", collision, false)],
            ),
        ],
    );
}

#[test]
fn a_module_is_checked_in_every_program_that_holds_it() {
    // `ml_class.ml` importing `class`: alone (an entry) it is written under another name,
    // no collision; once `main` imports it, main's program holds both modules, and both
    // imports of them are reported.
    let collision = "module-name-collision";
    edits_keep_parity(
        &[
            ("main.ml", "x = 1;\n"),
            ("ml_class.ml", "import class;\n"),
            ("class.ml", "a = 1;\n"),
        ],
        &[
            (
                "main.ml",
                "import ml_class;\n",
                &[
                    ("ml_class.ml", collision, true),
                    ("main.ml", collision, true),
                ],
            ),
            (
                "ml_class.ml",
                "import class;\nz = 2;\n",
                &[("ml_class.ml", collision, true)],
            ),
            ("main.ml", "x = 1;\n", &[("ml_class.ml", collision, false)]),
        ],
    );
}

#[test]
fn a_package_name_met_by_a_submodule_another_module_loads() {
    // `p`'s `b = 5;` is the name of the submodule `p.b` in the programs that load it
    // (`y` imports `p.b`), not in main's, which imports `p` alone.
    let name = "name-collision";
    edits_keep_parity(
        &[
            ("main.ml", "import p;\n"),
            ("y.ml", "x = 1;\n"),
            ("p/__init__.ml", "b = 5;\n"),
            ("p/b.ml", "n = 1;\n"),
        ],
        &[
            ("y.ml", "import p.b;\n", &[("p/__init__.ml", name, true)]),
            (
                "p/__init__.ml",
                "c = 1;\nb = 5;\n",
                &[("p/__init__.ml", name, true)],
            ),
            ("y.ml", "x = 1;\n", &[("p/__init__.ml", name, false)]),
            ("main.ml", "import p.b;\n", &[("p/__init__.ml", name, true)]),
        ],
    );
}

#[test]
fn whole_program_messages_are_the_same_from_every_entry() {
    // Which submodule a package-name error names, and in which order a collision names
    // the other modules, do not depend on the order a program loads its modules: every
    // entry (and the editor, which merges what every program says) reports one text.
    let files: &[(&str, &str)] = &[
        ("e1.ml", "import p.b.d;\nimport p.b.c;\n"),
        ("e2.ml", "import p.b.c;\n"),
        ("p/__init__.ml", "b = 5;\n"),
        ("p/b/c.ml", "m = 1;\n"),
        ("p/b/d.ml", "n = 1;\n"),
    ];
    let dir = project(files);
    let root = dir.path().canonicalize().unwrap();
    let from_e1 = cli_of(&root, &["e1.ml"]);
    let from_e2 = cli_of(&root, &["e2.ml"]);
    let package = &from_e1["p/__init__.ml"];
    assert_eq!(package, &from_e2["p/__init__.ml"]);
    assert!(
        package.iter().any(|(_, _, _, _, _, _, m)| m.starts_with(
            "'b' is a top-level name of 'p' and also the package 'p.b' of its submodule 'p.b.c'"
        )),
        "{package:#?}"
    );
    assert_eq!(cli_of(&root, &["e1.ml", "e2.ml"]), from_e1);
}
