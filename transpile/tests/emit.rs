//! What the emitter writes: exact Python text for representative ML, checks and their
//! positions, source maps. (Running the emitted code is tested end to end in the root
//! package's `tests/transpile_cli.rs`.)

use mlpy_modules::{Diagnostic, ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use std::sync::Arc;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        if !files.iter().any(|(p, _)| *p == "mlpy.json") {
            std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
        }
        Project { dir }
    }

    fn graph(&self) -> (ModuleGraph, ProjectConfig) {
        let config = ProjectConfig::load(&self.dir.path().join("mlpy.json")).unwrap();
        let resolver = Resolver::new(Arc::new(config.clone()));
        let graph = ModuleGraph::build(
            &self.dir.path().join("main.ml"),
            &resolver,
            &ModuleCache::new(),
        )
        .unwrap();
        (graph, config)
    }

    /// The multi-file output: (path, text) of every non-runtime file.
    fn multi(&self) -> Vec<(String, String)> {
        let (graph, config) = self.graph();
        let out = mlpy_transpile::transpile_multi(&graph, &mlpy_transpile::Options::new(&config))
            .unwrap_or_else(|d| panic!("errors: {}", messages(&d)));
        out.files
            .iter()
            .filter(|f| !f.path.starts_with("mlpy_runtime"))
            .map(|f| (f.path.display().to_string(), f.contents.to_string()))
            .collect()
    }

    fn errors(&self) -> Vec<Diagnostic> {
        let (graph, config) = self.graph();
        match mlpy_transpile::transpile_multi(&graph, &mlpy_transpile::Options::new(&config)) {
            Ok(_) => Vec::new(),
            Err(d) => d,
        }
    }
}

fn messages(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The body of the entry module (the lines of `__mlpy_body`, dedented): without the glue
/// around it, its `global` line and its imports of builtins.
fn body(main: &str) -> String {
    let project = Project::new(&[("main.ml", main)]);
    let files = project.multi();
    let text = &files
        .iter()
        .find(|(p, _)| p == "main.py")
        .expect("main.py")
        .1;
    text.lines()
        .skip_while(|l| *l != "def __mlpy_body():")
        .skip(1)
        .take_while(|l| !l.starts_with("__ml.source_map("))
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .filter(|l| {
            !l.starts_with('#')
                && !l.starts_with("global ")
                && !l.starts_with("from mlpy_runtime.builtins import")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn source_map(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with("__ml.source_map("))
        .expect("a source map");
    line.rsplit_once(", \"")
        .unwrap()
        .1
        .trim_end_matches("\")")
        .to_string()
}

#[test]
fn readable_python_one_line_per_ml_line() {
    let main = "// totals\nfunction total(items) {\n    sum = 0;\n    for (x in items) {\n        sum = sum + x; // add\n    }\n    return sum;\n}\n\nvalues = [1,\n          2,\n          3];\nprint(\"total: \" + total(values));\n";
    assert_eq!(
        body(main),
        "def total(items):\n    sum = 0\n    for x in items:\n        sum = sum + x  # add\n    return sum\n\nvalues = [1,\n    2,\n    3]\nprint(\"total: \" + __ml.pystr(total(values)))"
    );
    let project = Project::new(&[("main.ml", main)]);
    let files = project.multi();
    let main_py = &files.iter().find(|(p, _)| p == "main.py").unwrap().1;
    // Glue lines have no origin; every other line maps to its ML line.
    assert_eq!(source_map(main_py), "~11,1,2,3,4,5,7,,10,11,12,13,");
    let lines: Vec<&str> = main_py.lines().collect();
    assert_eq!(lines[0], "# -*- coding: utf-8 -*-");
    assert_eq!(lines[11], "    # totals");
    assert_eq!(
        lines[21],
        "    print(\"total: \" + __ml.pystr(total(values)))"
    );
}

#[test]
fn precedence_and_grouping() {
    assert_eq!(
        body("a = 1; b = 2; c = 3;\nx = !a == b;\ny = a < b < c;\nz = a < b == b < c;\nw = -(-a);\nt = (a > b ? a : b) + 1;\nu = [1][a > b ? 0 : 0];\nv = !(a && b) || c;\ns = (a - b) - (c - a);\n"),
        "a = 1\nb = 2\nc = 3\nx = (not a) == b\ny = (a < b) < c\nz = (a < b) == (b < c)\nw = - -a\nt = (a if a > b else b) + 1\nu = [1][(0 if a > b else 0)]\nv = not (a and b) or c\ns = a - b - (c - a)"
    );
}

#[test]
fn string_plus_coerces_with_python_str() {
    assert_eq!(
        body("n = 1;\na = \"n=\" + n;\nb = n + \"!\";\nc = \"x\" + str(n) + n;\nd = n + n;\ne = (\"a\" + n) + (n + \"b\");\n"),
        "n = 1\na = \"n=\" + __ml.pystr(n)\nb = __ml.pystr(n) + \"!\"\nc = \"x\" + str(n) + __ml.pystr(n)\nd = n + n\ne = \"a\" + __ml.pystr(n) + (__ml.pystr(n) + \"b\")"
    );
}

#[test]
fn calls_direct_when_the_callee_is_known() {
    let out = body(
        "import math;\nfunction f(x) { return x; }\nfunction g(x) { return x; }\ng = 5;\nfunction run(h) {\n    a = f(1);\n    b = h(2);\n    c = g(3);\n    d = math.sqrt(4);\n    e = len([]);\n    k = {m: f};\n    return k.m(5) + math.pi;\n}\n",
    );
    assert!(out.contains("a = f(1)"), "{out}");
    assert!(out.contains("b = __ml.call(h, 2)"), "{out}");
    assert!(out.contains("c = __ml.call(g, 3)"), "{out}");
    assert!(out.contains("d = math.sqrt(4)"), "{out}");
    assert!(out.contains("e = len([])"), "{out}");
    assert!(
        out.contains("return __ml.mcall(k, \"m\", 5) + math.pi"),
        "{out}"
    );
}

#[test]
fn nonlocal_declarations_come_first() {
    assert_eq!(
        body("count = 0;\nfunction outer() {\n    n = 0;\n    function inner() {\n        n = n + 1;\n        if (true) { nonlocal n, count; }\n        count = count + n;\n    }\n    inner();\n    return n;\n}\n"),
        "count = 0\ndef outer():\n    n = 0\n    def inner():\n        global count\n        nonlocal n\n        n = n + 1\n        if True:\n            pass\n        count = count + n\n    inner()\n    return n"
    );
}

#[test]
fn block_arrows_become_defs_before_their_statement() {
    assert_eq!(
        body("x = 1;\nif (x > 2) {\n    print(1);\n} elif (call(fn(v) => { return v > 0; }, x)) {\n    print(2);\n}\nadd = fn(a) => fn(b) => { return a + b; };\n"),
        "x = 1\ndef __arrow_1(v):\n    return v > 0\nif x > 2:\n    print(1)\nelif call(__arrow_1, x):\n    print(2)\ndef __arrow_2(a):\n    def __arrow_3(b):\n        return a + b\n    return __arrow_3\nadd = __arrow_2"
    );
}

#[test]
fn destructuring_evaluates_once_and_members_are_keys() {
    assert_eq!(
        body("function f() { return {a: 1, from: 2}; }\n{a, from} = f();\n[x, y] = [1, 2];\no = {};\no.k = x;\no.from = y;\n"),
        "def f():\n    return {\"a\": 1, \"from\": 2}\n__v1 = f(); a = __v1[\"a\"]; ml_from = __v1[\"from\"]\nx, y = [1, 2]\no = {}\no[\"k\"] = x\no[\"from\"] = y"
    );
}

#[test]
fn modules_are_python_imports() {
    let project = Project::new(&[
        (
            "main.ml",
            "import geo.shapes;\nimport geo.shapes as gs;\nimport class;\nimport string;\nimport math as m;\nprint(geo.shapes.area(2), gs.from, class.new(), string.up(\"a\"), m.floor(1.5));\nf = gs.area;\n",
        ),
        ("geo/__init__.ml", "unit = \"cm\";\n"),
        ("geo/shapes.ml", "function area(r) { return r * r; }\nfrom = 1;\n"),
        ("class.ml", "function new() { return {}; }\n"),
        ("string.ml", "function up(s) { return s.upper(); }\n"),
    ]);
    let files = project.multi();
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "main.py",
            "geo/__init__.py",
            "geo/shapes.py",
            "ml_class.py",
            "ml_string.py"
        ]
    );
    let main = &files[0].1;
    for expected in [
        "import geo.shapes\n",
        "import geo.shapes as gs\n",
        "import ml_class\n",
        "import ml_string\n",
        "from mlpy_runtime.stdlib import math as m\n",
        "print(geo.shapes.area(2), gs.ml_from, ml_class.new(), ml_string.up(\"a\"), m.floor(1.5))\n",
        "f = gs.area\n",
    ] {
        assert!(main.contains(expected), "{expected:?} not in:\n{main}");
    }
    let shapes = &files[2].1;
    assert!(shapes.contains("__mlpy_module__ = True\n"), "{shapes}");
    assert!(shapes.contains("ml_from = 1\n"), "{shapes}");
}

#[test]
fn errors_have_positions_and_suggestions() {
    let project = Project::new(&[(
        "main.ml",
        "total = 1;\nprint(totl);\nwhile (true) { function f() { break; } }\nnull = 2;\nx = math.pi;\n",
    )]);
    let errors = project.errors();
    let text = messages(&errors);
    assert!(
        text.contains("unknown-identifier: Unknown identifier 'totl'"),
        "{text}"
    );
    assert!(text.contains("break-outside-loop"), "{text}");
    assert!(
        text.contains("invalid-assignment: cannot assign to 'null'"),
        "{text}"
    );
    assert!(text.contains("Unknown identifier 'math'"), "{text}");
    let unknown = errors
        .iter()
        .find(|d| d.code == "unknown-identifier")
        .unwrap();
    assert_eq!(u32::from(unknown.range.start()), 17);
    assert_eq!(unknown.notes, ["did you mean 'total'?"]);
}

#[test]
fn nesting_beyond_python_limits_is_an_error() {
    let mut deep = String::new();
    for _ in 0..25 {
        deep.push_str("while (true) { ");
    }
    deep.push_str("break;");
    for _ in 0..25 {
        deep.push_str(" }");
    }
    let project = Project::new(&[("main.ml", &format!("{deep}\n"))]);
    assert!(messages(&project.errors()).contains("too-deep"));
    let parens = format!("x = {}1{};\n", "(".repeat(300), ")".repeat(300));
    let project = Project::new(&[("main.ml", &parens)]);
    assert!(messages(&project.errors()).contains("too-deep"));
}

#[test]
fn single_file_declares_modules_in_dependency_order() {
    let project = Project::new(&[
        ("main.ml", "import b;\nimport a;\nprint(a.x, b.y);\n"),
        ("a.ml", "x = 1;\n"),
        ("b.ml", "import a;\ny = a.x + 1;\n"),
    ]);
    let (graph, config) = project.graph();
    let out =
        mlpy_transpile::transpile_single(&graph, &mlpy_transpile::Options::new(&config)).unwrap();
    let text = out.text;
    // Declared only: each runs at the first import that reaches it.
    let a = text.find("__ml.declare_module(\"a\", __module_a)").unwrap();
    let b = text.find("__ml.declare_module(\"b\", __module_b)").unwrap();
    let entry = text.find("\n    import b\n").unwrap();
    assert!(a < b && b < entry);
    assert!(
        text.contains("def __module_b():\n    global __ml, a, y\n"),
        "{text}"
    );
    assert!(text.contains("\"mlpy_runtime.access\": (False,"));
    assert!(!text.contains("\"mlpy_runtime.stdlib.math\""));
    let map = source_map(&text);
    assert!(map.ends_with(",1:1,~6,2:1,2:2,~6,1,2,3,"), "{map}");
    assert!(text.contains("__ml.source_map(__file__, [\"main.ml\", \"a.ml\", \"b.ml\"]"));
}

#[test]
fn comments_stay_comments() {
    let out = body("x = 1; // a\u{0}b\u{b}c\u{2028}d\u{c}e\n");
    assert_eq!(out, "x = 1  # a b c d e");
}

#[test]
fn a_module_function_with_a_builtins_name_is_the_builtin_until_defined() {
    // The body binds the name to the builtin first; the `def` rebinds it. No error for the
    // call above the definition (it reaches the builtin, as the reference's call did).
    let main = "print(max(1, 2));\nfunction max(a, b) { return a; }\nprint(max(1, 2));\nfunction f() { function len(x) { return 0; } return len([]); }\n";
    let project = Project::new(&[("main.ml", main)]);
    assert!(
        project.errors().is_empty(),
        "{}",
        messages(&project.errors())
    );
    let files = project.multi();
    let main_py = &files.iter().find(|(p, _)| p == "main.py").unwrap().1;
    assert!(
        main_py.contains("    from mlpy_runtime.builtins import max, print\n"),
        "{main_py}"
    );
    assert_eq!(
        body(main),
        "print(max(1, 2))\ndef max(a, b):\n    return a\nprint(max(1, 2))\ndef f():\n    def len(x):\n        return 0\n    return len([])"
    );
}
