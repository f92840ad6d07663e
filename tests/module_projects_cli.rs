//! Multi-module programs through every way of running them: `mlpy check`, `mlpy run`,
//! single-file output (`-o`) and a package tree (`--out-dir`) run by a plain `python3`.
//! A good program checks cleanly and prints the same thing in all three; a bad one is
//! refused by all four at the same `file:line:col` with the same code.

mod support;

use std::process::Output;
use support::{python, stderr, stdout, Project};

fn project(files: &[(&str, &str)]) -> Project {
    let p = Project::new();
    p.file("mlpy.json", r#"{"import_paths": ["."]}"#);
    for (path, text) in files {
        p.file(path, text);
    }
    p
}

fn report(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// The program's output in each mode, after checking that `mlpy check` finds nothing.
fn outputs(p: &Project) -> Vec<(&'static str, String)> {
    let check = p.mlpy(&["check", "main.ml"]);
    assert!(
        check.status.success() && stdout(&check).contains("no problems found"),
        "check:\n{}",
        report(&check)
    );
    let mut out = Vec::new();
    let run = p.mlpy(&["run", "main.ml"]);
    assert!(run.status.success(), "run:\n{}", report(&run));
    out.push(("run", stdout(&run)));
    let one = p.mlpy(&["transpile", "main.ml", "-o", "gen/one.py"]);
    assert!(one.status.success(), "-o:\n{}", report(&one));
    let tree = p.mlpy(&["transpile", "main.ml", "--out-dir", "gen/out"]);
    assert!(tree.status.success(), "--out-dir:\n{}", report(&tree));
    for (mode, file) in [
        ("single file", "gen/one.py"),
        ("package tree", "gen/out/main.py"),
    ] {
        let mut command = python();
        // Run from elsewhere: the output must not depend on the current folder.
        command.arg(p.path(file)).current_dir(std::env::temp_dir());
        let o = support::run(command, None);
        assert!(o.status.success(), "{mode}:\n{}", report(&o));
        out.push((mode, stdout(&o)));
    }
    out
}

fn prints_everywhere(files: &[(&str, &str)], expected: &str) {
    let p = project(files);
    for (mode, text) in outputs(&p) {
        assert_eq!(text, expected, "{mode}");
    }
}

/// Every command refuses the program with exit status 1 and reports `error` (the start
/// of the line `file:line:col: error: …`) with `code` in the JSON form; nothing is
/// written.
fn refused_everywhere(files: &[(&str, &str)], error: &str, code: &str) {
    let p = project(files);
    let check = p.mlpy(&["check", "main.ml"]);
    assert_eq!(check.status.code(), Some(1), "{}", report(&check));
    assert!(
        report(&check).lines().any(|l| l.starts_with(error)),
        "wanted `{error}`:\n{}",
        report(&check)
    );
    let json = p.mlpy(&["check", "main.ml", "--format", "json"]);
    assert!(
        stdout(&json).contains(&format!("\"code\":\"{code}\""))
            || stdout(&json).contains(&format!("\"code\": \"{code}\"")),
        "wanted code {code}:\n{}",
        stdout(&json)
    );
    for args in [
        &["run", "main.ml"][..],
        &["transpile", "main.ml", "-o", "one.py"],
        &["transpile", "main.ml", "--out-dir", "out"],
    ] {
        let o = p.mlpy(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}:\n{}", report(&o));
        assert!(
            stderr(&o).lines().any(|l| l.starts_with(error)),
            "{args:?} wanted `{error}`:\n{}",
            report(&o)
        );
    }
    assert!(!p.path("one.py").exists() && !p.path("out").exists());
}

#[test]
fn top_level_code_reading_a_name_before_it_is_bound_is_refused_in_every_mode() {
    // A module calling its own function above the definition.
    refused_everywhere(
        &[
            ("main.ml", "import um;\nprint(um.n);\n"),
            ("um.ml", "n = g();\nfunction g() { return 1; }\n"),
        ],
        "um.ml:1:5: error: 'g' is read here before function 'g' is defined",
        "unknown-identifier",
    );
    // The entry using an import above the import.
    refused_everywhere(
        &[
            ("main.ml", "print(um.n);\nimport um;\n"),
            ("um.ml", "n = 1;\n"),
        ],
        "main.ml:1:7: error: 'um' is read here before 'um' is imported",
        "unknown-identifier",
    );
    // A package's own variable, read in an argument deep in a member chain.
    refused_everywhere(
        &[
            ("main.ml", "import p.q;\nprint(p.q.v);\n"),
            ("p/__init__.ml", "w = [1, later + 1];\nlater = 2;\n"),
            ("p/q.ml", "v = 3;\n"),
        ],
        "p/__init__.ml:1:9: error: 'later' is read here before 'later' is assigned",
        "unknown-identifier",
    );
    // A variable read in its own first assignment.
    refused_everywhere(
        &[
            ("main.ml", "import um;\n"),
            ("um.ml", "total = total + 1;\n"),
        ],
        "um.ml:1:9: error: 'total' is read here before 'total' is assigned",
        "unknown-identifier",
    );
}

#[test]
fn reads_before_a_binding_that_may_run_first_are_accepted_or_only_warned() {
    // Inside functions, in a loop that binds the name on an earlier turn, after a
    // function that binds it through `nonlocal`: all run fine.
    prints_everywhere(
        &[
            (
                "main.ml",
                "import um;\nfunction f() { return um.n + late; }\nlate = 10;\nprint(f());\nprint(um.seen);\n",
            ),
            (
                "um.ml",
                "function init() { nonlocal n; n = 1; }\ninit();\nprint(n);\nn = 2;\nseen = [];\ni = 0;\nwhile (i < 3) {\n    if (i > 0) { seen.append(prev); }\n    prev = i;\n    i = i + 1;\n}\n",
            ),
        ],
        "1\n12\n[0, 1]\n",
    );
    // Guarded by a condition: a warning, the program still runs (the read never does).
    let p = project(&[
        ("main.ml", "import um;\nprint(um.v);\n"),
        (
            "um.ml",
            "if (false) { print(w); }\nv = false && z;\nw = 1;\nz = 2;\n",
        ),
    ]);
    let check = p.mlpy(&["check", "main.ml"]);
    let text = report(&check);
    assert_eq!(check.status.code(), Some(0), "{text}");
    assert!(
        text.contains("um.ml:1:20: warning: 'w' is read here before 'w' is assigned"),
        "{text}"
    );
    assert!(
        text.contains("um.ml:2:14: warning: 'z' is read here"),
        "{text}"
    );
    let run = p.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&run), "false\n", "{}", report(&run));
}

#[test]
fn a_top_level_name_of_a_package_that_is_also_its_submodule_is_refused() {
    // A variable of the package beside the submodule of that name.
    refused_everywhere(
        &[
            ("main.ml", "import p;\nimport p.b;\nprint(p.b.n);\n"),
            ("p/__init__.ml", "b = 5;\nfunction getb() { return b; }\n"),
            ("p/b.ml", "n = 1;\n"),
        ],
        "p/__init__.ml:1:1: error: 'b' is a top-level name of 'p' and also its submodule 'p.b'",
        "name-collision",
    );
    // An alias of another module, named like a sub-package on the way to a submodule
    // (a Python keyword, renamed in the output: the collision stays).
    refused_everywhere(
        &[
            ("main.ml", "import geo;\n"),
            (
                "geo/__init__.ml",
                "import geo.True.geo as True;\nimport geo.True.geo;\nprint(geo.True.geo.n);\n",
            ),
            ("geo/True/geo.ml", "n = 1;\n"),
        ],
        "geo/__init__.ml:1:24: error: 'True' is a top-level name of 'geo' and also the package 'geo.True' of its submodule 'geo.True.geo'",
        "name-collision",
    );
    // The root name an import binds inside the package (`import deep.deep;` in `deep`
    // binds `deep`), beside a sub-package `deep.deep`.
    refused_everywhere(
        &[
            ("main.ml", "import deep.deep.m as x;\nprint(x.n);\n"),
            ("deep/__init__.ml", "import deep.deep;\n"),
            ("deep/deep/__init__.ml", "k = 1;\n"),
            ("deep/deep/m.ml", "n = 1;\n"),
        ],
        "deep/__init__.ml:1:8: error: 'deep' is a top-level name of 'deep' and also its submodule 'deep.deep'",
        "name-collision",
    );
    // A module file `u.ml` is the parent of `u/v.ml` too, and a function counts.
    refused_everywhere(
        &[
            ("main.ml", "import u;\nimport u.v;\nprint(u.v.n);\n"),
            ("u.ml", "function v() { return 1; }\n"),
            ("u/v.ml", "n = 1;\n"),
        ],
        "u.ml:1:10: error: 'v' is a top-level name of 'u' and also its submodule 'u.v'",
        "name-collision",
    );
    // A builtin the package uses (a global of its Python module) named like a submodule:
    // after `import modules.print;`, Python's `print` there would be the module.
    refused_everywhere(
        &[
            ("main.ml", "import modules;\n"),
            ("modules/__init__.ml", "import modules.print;\nprint(modules.print.n);\n"),
            ("modules/print.ml", "n = 1;\n"),
        ],
        "modules/__init__.ml:2:1: error: 'print' is the builtin used by 'modules' and also its submodule 'modules.print'",
        "name-collision",
    );
    // Used only in a function, the submodule imported by someone else.
    refused_everywhere(
        &[
            ("main.ml", "import util;\nimport util.len;\nprint(util.size([1]));\n"),
            ("util/__init__.ml", "function size(a) { return len(a); }\n"),
            ("util/len.ml", "n = 1;\n"),
        ],
        "util/__init__.ml:1:27: error: 'len' is the builtin used by 'util' and also its submodule 'util.len'",
        "name-collision",
    );
}

#[test]
fn packages_whose_names_do_not_meet_their_submodules_run_alike_everywhere() {
    // The submodule under its own name as an alias in its package is the same module;
    // a package's submodule not in the program does not count; state in `__init__` is one
    // instance whoever imports it, under whatever alias.
    prints_everywhere(
        &[
            ("main.ml", "import p;\nimport p.b as pb;\nimport r;\nprint(p.b.n + pb.n);\nprint(p.count());\n"),
            (
                "p/__init__.ml",
                "print(\"p\");\nimport p.b as b;\nc = 0;\nunused = 1;\nfunction count() { nonlocal c; c = c + 1; return c; }\n",
            ),
            ("p/b.ml", "n = 1;\n"),
            ("p/unused.ml", "n = 1;\n"),
            ("r.ml", "import p as again;\nprint(\"r \" + str(again.count()));\n"),
        ],
        "p\nr 1\n2\n2\n",
    );
}

#[test]
fn indexing_a_module_is_refused_in_every_mode() {
    for (main, error) in [
        (
            "import um;\num[\"x\"] = 5;\n",
            "main.ml:2:1: error: module 'um' cannot be indexed",
        ),
        (
            "import um as u;\nprint(u[\"x\"]);\n",
            "main.ml:2:7: error: module 'u' cannot be indexed",
        ),
        (
            "import a.b;\nprint(a.b[\"c\"]);\n",
            "main.ml:2:7: error: module 'a.b' cannot be indexed",
        ),
        (
            "import math;\nprint(math[\"pi\"]);\n",
            "main.ml:2:7: error: module 'math' cannot be indexed",
        ),
    ] {
        refused_everywhere(
            &[
                ("main.ml", main),
                ("um.ml", "x = 1;\n"),
                ("a/b.ml", "c = 1;\n"),
            ],
            error,
            "invalid-index",
        );
    }
    // A module kept in an object is reached through the object at run time: not told by
    // the form of the code, left to the run (which refuses it alike everywhere).
    let p = project(&[
        ("main.ml", "import um;\no = {m: um};\nprint(o.m.x);\n"),
        ("um.ml", "x = 1;\n"),
    ]);
    for (mode, text) in outputs(&p) {
        assert_eq!(text, "1\n", "{mode}");
    }
}

#[test]
fn calling_a_module_is_refused_in_every_mode() {
    for (main, error) in [
        (
            "import um;\nx = um(1);\n",
            "main.ml:2:5: error: module 'um' cannot be called",
        ),
        (
            "import um as u;\nprint(u());\n",
            "main.ml:2:7: error: module 'u' cannot be called",
        ),
        (
            "import a.b;\nfunction f() { return a.b(2); }\n",
            "main.ml:2:23: error: module 'a.b' cannot be called",
        ),
        (
            "import a.b;\nprint(a(3));\n",
            "main.ml:2:7: error: module 'a' cannot be called",
        ),
        (
            "import math;\nprint((math)(4));\n",
            "main.ml:2:7: error: module 'math' cannot be called",
        ),
    ] {
        refused_everywhere(
            &[
                ("main.ml", main),
                ("um.ml", "x = 1;\n"),
                ("a/b.ml", "c = 1;\n"),
            ],
            error,
            "not-callable",
        );
    }
    // Its functions are called as ever; a builtin's name in call position is the builtin
    // even where a module of that name is imported (docs/compatibility.md).
    prints_everywhere(
        &[
            (
                "main.ml",
                "import um;\nimport print;\nprint(um.f(2), print.v);\n",
            ),
            ("um.ml", "function f(x) { return x * 2; }\n"),
            ("print.ml", "v = 7;\n"),
        ],
        "4 7\n",
    );
}

#[test]
fn modules_named_like_python_keywords_stdlib_and_runtime_internals_run_alike() {
    // Each name as a top-level module, as a submodule, and as an alias of another.
    let names = [
        "class", "None", "True", "pass", "def", "lambda", "from", "await", "nonlocal", "print",
        "len", "test", "string", "operator", "email", "copy", "enum", "keyword", "sandbox",
        "compat", "access", "builtin", "self",
    ];
    let mut files: Vec<(String, String)> = Vec::new();
    let mut main = String::new();
    for (i, name) in names.iter().enumerate() {
        files.push((format!("{name}.ml"), format!("v = {i};\n")));
        files.push((format!("lib/{name}.ml"), format!("v = {};\n", i * 100)));
        main.push_str(&format!(
            "import {name};\nimport lib.{name};\nimport lib.{name} as {name}2;\nprint({name}.v + lib.{name}.v + {name}2.v);\n"
        ));
    }
    files.push(("main.ml".to_string(), main));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let expected: String = (0..names.len())
        .map(|i| format!("{}\n", i + 200 * i))
        .collect();
    prints_everywhere(&borrowed, &expected);
}

#[test]
fn a_module_file_and_a_package_of_one_name_are_refused_with_both_files_named() {
    let files = [
        ("main.ml", "import a;\nimport a.b.c;\n"),
        ("a.ml", "x = 1;\n"),
        ("a/__init__.ml", "y = 1;\n"),
        ("a/b/c.ml", "z = 1;\n"),
    ];
    refused_everywhere(
        &files,
        "main.ml:1:8: error: module 'a' would be the same Python module 'a' as 'a'",
        "module-name-collision",
    );
    let p = project(&files);
    let text = report(&p.mlpy(&["check", "main.ml"]));
    assert!(text.contains("--> a.ml:1:1: the module 'a'"), "{text}");
    assert!(
        text.contains("--> a/__init__.ml:1:1: the module 'a'"),
        "{text}"
    );
    // Without the package's `__init__.ml` the folder is no module: both run alike.
    prints_everywhere(
        &[
            (
                "main.ml",
                "import a;\nimport a.b.c;\nprint(a.x + a.b.c.z);\n",
            ),
            ("a.ml", "x = 1;\n"),
            ("a/b/c.ml", "z = 2;\n"),
        ],
        "3\n",
    );
}
