//! `mlpy dap` end to end: a DAP client (tests/dap_client) drives the real binary, which
//! runs programs under the real debugpy (the interpreter `cargo xtask test` prepares), on
//! copies of tests/testdata/dap_project (nested modules, a package, a renamed name, a
//! throw) and on a program importing a remote module from the cache.

mod dap_client;

use dap_client::{Dap, Frame};
use mlpy_testkit::{Route, Server};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A copy of the fixture project and a cache folder of its own.
struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/dap_project"),
            dir.path(),
        );
        Project {
            dir,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    fn dap(&self) -> Dap {
        Dap::start(self.cache.path())
    }

    /// `initialize` and `launch` of `program` with `extra` launch settings.
    fn launch(&self, dap: &mut Dap, program: &str, extra: Value) -> i64 {
        let mut args = json!({"program": program, "cwd": self.root()});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            args[k] = v;
        }
        dap.launch(args)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `(file, line, function)` of each frame: what the tests compare.
fn places(frames: &[Frame], root: &Path) -> Vec<(String, u64, String)> {
    frames
        .iter()
        .map(|f| (f.file(root), f.line, f.name.clone()))
        .collect()
}

/// Every frame is an ML file's: no emitted Python, no runtime, no launcher.
fn assert_ml_only(frames: &[Frame]) {
    assert!(!frames.is_empty());
    for f in frames {
        let path = f.path.to_string_lossy();
        assert!(path.ends_with(".ml"), "not an ML frame: {f:?}");
        assert!(!path.contains("mlpy_runtime"), "a runtime frame: {f:?}");
    }
}

/// name → (value, type, variablesReference) of a variables list.
fn by_name(variables: &[Value]) -> std::collections::BTreeMap<String, (String, String, i64)> {
    variables
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_string(),
                (
                    v["value"].as_str().unwrap().to_string(),
                    v["type"].as_str().unwrap().to_string(),
                    v["variablesReference"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

fn tuple(file: &str, line: u64, function: &str) -> (String, u64, String) {
    (file.to_string(), line, function.to_string())
}

#[test]
fn breakpoints_stacks_variables_conditions_and_evaluate_in_ml_terms() {
    let project = Project::new();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({}));

    // main.ml 12 is blank: the breakpoint moves to the next line with code.
    let set = dap.breakpoints(&project.path("main.ml"), json!([{"line": 12}]));
    assert_eq!(set[0]["verified"], true, "{set:?}");
    assert_eq!(set[0]["line"], 13);
    // In a module's function, with an ML condition (square(2) has area 4: no stop).
    let set = dap.breakpoints(
        &project.path("lib/geo/shapes.ml"),
        json!([{"line": 16, "condition": "a > 5 && shape.kind != \"nothing\""},
               {"line": 99},
               {"line": 5, "condition": "no_such_name > 1"}]),
    );
    assert_eq!(set[0]["verified"], true, "{set:?}");
    assert_eq!(set[0]["line"], 16);
    assert_eq!(set[1]["verified"], false);
    assert!(
        set[1]["message"].as_str().unwrap().contains("no code"),
        "{set:?}"
    );
    assert_eq!(set[2]["verified"], false);
    assert!(
        set[2]["message"].as_str().unwrap().contains("no_such_name"),
        "{set:?}"
    );
    dap.ok("setExceptionBreakpoints", json!({"filters": ["uncaught"]}));
    dap.configuration_done(launch);

    let stop = dap.stopped();
    assert_eq!(stop["reason"], "breakpoint");
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    assert_eq!(places(&frames, &root), [tuple("main.ml", 13, "<module>")]);
    assert_eq!(frames[0].column, 1);

    // The conditional breakpoint: area(rect(2, 3)) inside total(), two modules deep.
    let stop = dap.continue_to_stop(thread);
    assert_eq!(stop["reason"], "breakpoint");
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(
        places(&frames, &root),
        [
            tuple("lib/geo/shapes.ml", 16, "area"),
            tuple("main.ml", 8, "total"),
            tuple("main.ml", 15, "<module>"),
        ]
    );
    assert_eq!(frames[0].column, 5);

    // The frame's locals come first, with ML values; objects expand.
    let scopes = dap.scopes(frames[0].id);
    assert_eq!(scopes[0].0, "Locals");
    assert_eq!(scopes[1].0, "Module");
    let locals = by_name(&dap.variables(scopes[0].1));
    assert_eq!(locals["a"], ("6".to_string(), "number".to_string(), 0));
    let (shape, kind, reference) = &locals["shape"];
    assert_eq!(shape, "{kind: \"rect\", w: 2, h: 3}");
    assert_eq!(kind, "object");
    let fields = dap.variables(*reference);
    let names: Vec<&str> = fields.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["kind", "w", "h"], "{fields:?}");
    assert_eq!(fields[0]["evaluateName"], "shape.kind");
    assert_eq!(fields[0]["value"], "\"rect\"");
    // The module's names as ML sees them: no glue, no builtins imported by the glue.
    let module = by_name(&dap.variables(scopes[1].1));
    let names: Vec<&str> = module.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["area", "check", "fmt", "rect", "square"],
        "{module:?}"
    );
    assert_eq!(module["fmt"].0, "module geo.util.fmt");
    assert_eq!(module["area"].0, "function area");

    // The caller's frame: its locals, and the entry's globals with a renamed name.
    let scopes = dap.scopes(frames[1].id);
    let locals = by_name(&dap.variables(scopes[0].1));
    assert_eq!(locals["sum"].0, "4");
    assert_eq!(locals["items"].1, "array");
    let globals = by_name(&dap.variables(scopes[1].1));
    assert_eq!(
        globals["pass"].0, "{name: \"renamed\", ok: true, none: null}",
        "{globals:?}"
    );
    assert!(!globals
        .keys()
        .any(|k| k.starts_with("__") || k.starts_with("ml_")));
    let items = dap.variables(locals["items"].2);
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[1]["evaluateName"], "items[1]");

    // ML expressions, evaluated in the frame they are typed in.
    let value = dap.evaluate(frames[0].id, "shape.w * shape.h + len(shape.kind)");
    assert_eq!(value["body"]["result"], "10", "{value}");
    assert_eq!(value["body"]["type"], "number");
    let value = dap.evaluate(frames[1].id, "[sum + 1, pass.ok, pass.none]");
    assert_eq!(value["body"]["result"], "[5, true, null]", "{value}");
    let value = dap.evaluate(frames[1].id, "shapes.area(shapes.rect(3, 3))");
    assert_eq!(value["body"]["result"], "9", "{value}");
    // `items` is the caller's: not a name at the breakpoint.
    let value = dap.evaluate(frames[0].id, "items");
    assert_eq!(value["success"], false);
    assert!(
        value["message"].as_str().unwrap().contains("items"),
        "{value}"
    );
    let value = dap.evaluate(frames[0].id, "a = 1");
    assert_eq!(value["success"], false);

    // The condition holds again for square(5) only.
    dap.continue_to_stop(thread);
    let frames = dap.stack(thread);
    assert_eq!(frames[0].line, 16);
    let value = dap.evaluate(frames[0].id, "a");
    assert_eq!(value["body"]["result"], "25");

    assert_eq!(dap.run_to_end(thread), 0);
    assert!(dap.output.contains("total: 35"), "{}", dap.output);
    assert!(dap.disconnect().success());

    // The program ran from multi-file output in mlpy's cache: one file per module, the
    // runtime package, the launcher.
    let mut files = Vec::new();
    list_files(project.cache.path(), project.cache.path(), &mut files);
    for file in [
        "main.py",
        "geo/__init__.py",
        "geo/shapes.py",
        "geo/util/fmt.py",
        "mlpy_runtime/sandbox.py",
        "__mlpy_debug__.py",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(&format!("/{file}"))),
            "{file} not in {files:?}"
        );
    }
}

/// Every file under `dir`, relative to `root`, `/`-separated.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn steps_cross_modules_and_stop_only_on_ml_lines() {
    let project = Project::new();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({"stopOnEntry": true}));
    dap.breakpoints(&project.path("main.ml"), json!([{"line": 8}]));
    dap.configuration_done(launch);

    // On entry: the first line of the entry with code.
    let stop = dap.stopped();
    assert_eq!(stop["reason"], "entry");
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(
        places(&dap.stack(thread), &root),
        [tuple("main.ml", 2, "<module>")]
    );
    // Into the import: the package's own code runs first.
    let stop = dap.step("stepIn", thread);
    assert_eq!(stop["reason"], "step");
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(
        places(&frames, &root),
        [
            tuple("lib/geo/__init__.ml", 2, "<module>"),
            tuple("main.ml", 2, "<module>"),
        ]
    );

    let stop = dap.continue_to_stop(thread);
    assert_eq!(stop["reason"], "breakpoint");
    assert_eq!(
        places(&dap.stack(thread), &root),
        [
            tuple("main.ml", 8, "total"),
            tuple("main.ml", 15, "<module>")
        ]
    );
    // Into a function of another module.
    dap.step("stepIn", thread);
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(
        places(&frames, &root)[..2],
        [
            tuple("lib/geo/shapes.ml", 15, "area"),
            tuple("main.ml", 8, "total"),
        ]
    );
    dap.step("next", thread);
    assert_eq!(
        places(&dap.stack(thread), &root)[0],
        tuple("lib/geo/shapes.ml", 16, "area")
    );
    // Out: back on the calling line.
    dap.step("stepOut", thread);
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(
        places(&frames, &root)[..2],
        [
            tuple("main.ml", 8, "total"),
            tuple("main.ml", 15, "<module>")
        ]
    );
    // Over: the loop goes on in the same function.
    dap.step("next", thread);
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(frames[0].name, "total");
    assert!(matches!(frames[0].line, 7 | 8), "{frames:?}");

    // Steps through the runtime (`str`, `fmt.label`) never stop in it.
    dap.ok(
        "setBreakpoints",
        json!({"source": {"path": project.path("main.ml")}, "breakpoints": [{"line": 16}]}),
    );
    let stop = dap.continue_to_stop(thread);
    assert_eq!(stop["reason"], "breakpoint");
    dap.step("stepIn", thread);
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(
        places(&frames, &root),
        [
            tuple("lib/geo/util/fmt.ml", 4, "label"),
            tuple("main.ml", 16, "<module>"),
        ]
    );
    dap.step("stepOut", thread);
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(frames[0].file(&root), "main.ml");
    assert_eq!(dap.run_to_end(thread), 0);
    dap.disconnect();
}

/// The ML line of thread `thread`'s innermost frame, after a stop.
fn top_line(dap: &mut Dap, thread: i64, root: &Path) -> (String, u64, String) {
    places(&dap.stack(thread), root)[0].clone()
}

#[test]
fn a_step_is_one_ml_line_whatever_python_lines_it_became() {
    let project = Project::new();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "lines.ml", json!({}));
    dap.breakpoints(&project.path("lines.ml"), json!([{"line": 4}, {"line": 7}]));
    dap.configuration_done(launch);

    // `a = 1; b = 2; c = 3;` is three Python lines and one stop; `d = shapes.rect(a,⏎b);`
    // is one statement over two lines: `next` goes over each in one step.
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(
        top_line(&mut dap, thread, &root),
        tuple("lines.ml", 4, "<module>")
    );
    for line in [5, 7] {
        let stop = dap.step("next", thread);
        assert_eq!(
            top_line(&mut dap, thread, &root),
            tuple("lines.ml", line, "<module>"),
            "{stop}"
        );
    }
    // Line 7 has a breakpoint, and Python comes back to a call's first line after its
    // others: `next` still ends on the next line, not on the same breakpoint again.
    dap.step("next", thread);
    assert_eq!(
        top_line(&mut dap, thread, &root),
        tuple("lines.ml", 9, "<module>")
    );
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(dap.output.contains("6 11"), "{}", dap.output);
    dap.disconnect();

    // `continue` from a statement over several lines does not stop on it again; `stepIn`
    // goes into each call of it in turn.
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "lines.ml", json!({}));
    dap.breakpoints(&project.path("lines.ml"), json!([{"line": 5}, {"line": 7}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    assert_eq!(
        top_line(&mut dap, thread, &root),
        tuple("lines.ml", 5, "<module>")
    );
    let stop = dap.continue_to_stop(thread);
    assert_eq!(stop["reason"], "breakpoint");
    assert_eq!(
        top_line(&mut dap, thread, &root),
        tuple("lines.ml", 7, "<module>")
    );
    dap.step("stepIn", thread);
    assert_eq!(
        places(&dap.stack(thread), &root),
        [
            tuple("lib/geo/shapes.ml", 15, "area"),
            tuple("lines.ml", 7, "<module>")
        ]
    );
    dap.step("stepOut", thread);
    dap.step("stepIn", thread);
    assert_eq!(
        places(&dap.stack(thread), &root),
        [
            tuple("lib/geo/shapes.ml", 5, "rect"),
            tuple("lines.ml", 8, "<module>")
        ]
    );
    // Back out on the statement's second line, `next` ends on the next statement (not on
    // its first line, nor its breakpoint, which Python comes back to).
    dap.step("stepOut", thread);
    assert_eq!(
        top_line(&mut dap, thread, &root),
        tuple("lines.ml", 8, "<module>")
    );
    dap.step("next", thread);
    assert_eq!(
        top_line(&mut dap, thread, &root),
        tuple("lines.ml", 9, "<module>")
    );
    assert_eq!(dap.run_to_end(thread), 0);
    dap.disconnect();
}

#[test]
fn an_uncaught_exception_stops_at_its_ml_line_with_the_ml_message() {
    let project = Project::new();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "crash.ml", json!({}));
    dap.ok("setExceptionBreakpoints", json!({"filters": ["uncaught"]}));
    dap.configuration_done(launch);

    let stop = dap.stopped();
    assert_eq!(stop["reason"], "exception");
    assert_eq!(stop["text"], "negative size: -1");
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    assert_eq!(
        places(&frames, &root),
        [
            tuple("lib/geo/shapes.ml", 21, "check"),
            tuple("crash.ml", 7, "<module>"),
        ]
    );
    let info = dap.ok("exceptionInfo", json!({"threadId": thread}));
    assert_eq!(info["description"], "negative size: -1");
    assert_eq!(info["exceptionId"], "throw");
    assert!(
        info["details"]["stackTrace"]
            .as_str()
            .unwrap()
            .contains("lib/geo/shapes.ml:21 in check"),
        "{info}"
    );
    let scopes = dap.scopes(frames[0].id);
    let locals = by_name(&dap.variables(scopes[0].1));
    assert_eq!(locals["size"].0, "-1");

    // On: the program ends as `mlpy run` ends it, with the ML report and status 1.
    assert_eq!(dap.run_to_end(thread), 1);
    assert!(
        dap.output
            .contains("lib/geo/shapes.ml:21: negative size: -1"),
        "{}",
        dap.output
    );
    assert!(dap.output.contains("checking"), "{}", dap.output);
    dap.disconnect();
}

#[test]
fn without_exception_settings_uncaught_exceptions_stop_by_default() {
    // A client that never sends `setExceptionBreakpoints` (it is optional) gets the filters
    // advertised as on by default: the uncaught throw stops.
    let project = Project::new();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "crash.ml", json!({}));
    dap.configuration_done(launch);
    let stop = dap.stopped();
    assert_eq!(stop["reason"], "exception");
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(
        places(&dap.stack(thread), &root)[0],
        tuple("lib/geo/shapes.ml", 21, "check")
    );
    assert_eq!(dap.run_to_end(thread), 1);
    dap.disconnect();
}

#[test]
fn caught_exceptions_stop_once_by_filter() {
    let project = Project::new();
    std::fs::write(
        project.path("caught.ml"),
        "import geo.shapes as shapes;\ntry {\n    shapes.check(-2);\n} except (e) {\n    print(\"caught: \" + e.message);\n}\n",
    )
    .unwrap();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "caught.ml", json!({}));
    dap.ok(
        "setExceptionBreakpoints",
        json!({"filters": ["uncaught", "raised"]}),
    );
    dap.configuration_done(launch);
    let stop = dap.stopped();
    assert_eq!(stop["reason"], "exception");
    assert_eq!(stop["text"], "negative size: -2");
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(
        places(&dap.stack(thread), &root)[0],
        tuple("lib/geo/shapes.ml", 21, "check")
    );
    // Once: not again in every frame it leaves on its way to the `except`.
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(
        dap.output.contains("caught: negative size: -2"),
        "{}",
        dap.output
    );
    dap.disconnect();
}

#[test]
fn launch_problems_are_clear_errors() {
    let project = Project::new();
    std::fs::write(project.path("broken.ml"), "x = ;\n").unwrap();
    let mut dap = project.dap();
    dap.ok(
        "initialize",
        json!({"clientID": "mlpy-tests", "adapterID": "mlpy"}),
    );
    let response = dap.request(
        "launch",
        json!({"program": "broken.ml", "cwd": project.root()}),
    );
    assert_eq!(response["success"], false);
    assert!(
        response["message"]
            .as_str()
            .unwrap()
            .contains("could not compile"),
        "{response}"
    );
    assert!(dap.output.contains("broken.ml:1"), "{}", dap.output);
    let response = dap.request("launch", json!({"cwd": project.root()}));
    assert!(
        response["message"]
            .as_str()
            .unwrap()
            .contains("\"program\""),
        "{response}"
    );
    let response = dap.request(
        "launch",
        json!({"program": "missing.ml", "cwd": project.root()}),
    );
    assert_eq!(response["success"], false);
    assert!(
        response["message"].as_str().unwrap().contains("missing.ml"),
        "{response}"
    );
    let response = dap.request("attach", json!({}));
    assert_eq!(response["success"], false);
    assert!(dap.disconnect().success());
}

#[test]
fn without_debugpy_the_error_says_how_to_install_it() {
    let project = Project::new();
    let (_keep, python) = python_without_debugpy();
    let mut dap = project.dap();
    let launch = project.launch_raw(
        &mut dap,
        json!({"program": "main.ml", "cwd": project.root(), "python": python}),
    );
    let response = dap.response(launch);
    assert_eq!(response["success"], false);
    let message = response["message"].as_str().unwrap();
    assert!(
        message.contains("-m pip install debugpy"),
        "{message}\n{}",
        dap.output
    );
    dap.disconnect();
}

impl Project {
    /// `initialize`, then a `launch` that is expected to fail before `initialized`.
    fn launch_raw(&self, dap: &mut Dap, arguments: Value) -> i64 {
        dap.ok(
            "initialize",
            json!({"clientID": "mlpy-tests", "adapterID": "mlpy"}),
        );
        dap.send("launch", arguments)
    }
}

/// A `python3` that sees no installed package (debugpy included): isolated mode, no
/// site-packages. The folder holding the script goes with it.
fn python_without_debugpy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("python-without-debugpy");
    std::fs::write(&script, "#!/bin/sh\nexec python3 -I -S \"$@\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (dir, script)
}

#[test]
fn restart_runs_the_program_again_with_its_breakpoints() {
    let project = Project::new();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({}));
    // In a package's own module (line 1 is a comment: the breakpoint moves to line 2).
    let set = dap.breakpoints(&project.path("lib/geo/__init__.ml"), json!([{"line": 1}]));
    assert_eq!(
        (set[0]["verified"].clone(), set[0]["line"].clone()),
        (json!(true), json!(2))
    );
    dap.breakpoints(&project.path("lib/geo/util/fmt.ml"), json!([{"line": 4}]));
    dap.configuration_done(launch);
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    assert_eq!(
        places(&frames, &project.root()),
        [
            tuple("lib/geo/__init__.ml", 2, "<module>"),
            tuple("main.ml", 2, "<module>"),
        ]
    );
    let stop = dap.continue_to_stop(thread);
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(dap.stack(thread)[0].line, 4);
    dap.ok("restart", json!({}));
    // The same breakpoints, in the new run.
    let stop = dap.stopped();
    assert_eq!(stop["reason"], "breakpoint");
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(
        dap.stack(thread)[0].file(&project.root()),
        "lib/geo/__init__.ml"
    );
    let stop = dap.continue_to_stop(thread);
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    assert_eq!(frames[0].file(&project.root()), "lib/geo/util/fmt.ml");
    assert_eq!(dap.run_to_end(thread), 0);
    // Once: the first run's output, then the second's.
    assert_eq!(dap.output.matches("total: 35").count(), 1, "{}", dap.output);
    dap.disconnect();
}

#[test]
fn threads_before_a_launch_are_none() {
    let project = Project::new();
    let mut dap = project.dap();
    dap.ok(
        "initialize",
        json!({"clientID": "mlpy-tests", "adapterID": "mlpy"}),
    );
    assert_eq!(dap.ok("threads", json!({})), json!({"threads": []}));
    assert!(dap.disconnect().success());
}

#[test]
fn terminate_ends_the_program() {
    let project = Project::new();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({"stopOnEntry": true}));
    dap.configuration_done(launch);
    dap.stopped();
    // Answered with an object body (debugpy's is null, which typed clients refuse).
    let response = dap.request("terminate", json!({}));
    assert_eq!(response["success"], true, "{response}");
    assert!(response["body"].is_object(), "{response}");
    dap.event("terminated");
    // Clients still ask about threads (and press stop again): no program, no threads, no
    // error from the debugpy that is gone.
    assert_eq!(dap.ok("threads", json!({})), json!({"threads": []}));
    dap.ok("terminate", json!({}));
    let response = dap.request("stackTrace", json!({"threadId": 1}));
    assert_eq!(response["success"], false);
    assert_eq!(response["message"], "the program has ended", "{response}");
    assert!(!dap.output.contains("total: 35"), "{}", dap.output);
    assert!(dap.disconnect().success());
}

#[test]
fn a_remote_module_from_the_cache_is_debugged_in_its_cached_file() {
    let project = Project::new();
    let server = Server::http();
    const REMOTE: &str =
        "// A module served over http.\nfunction twice(x) {\n    y = 2 * x;\n    return y;\n}\n";
    server.route("/lib/calc.ml", Route::ok(REMOTE));
    let grant = format!("network.{}/*", server.base());
    std::fs::create_dir_all(project.path("remote")).unwrap();
    std::fs::write(
        project.path("remote/mlpy.json"),
        json!({"capabilities": [grant]}).to_string(),
    )
    .unwrap();
    std::fs::write(
        project.path("remote/main.ml"),
        format!(
            "import {} {{ verify: false }};\nprint(calc.twice(21));\n",
            server.url("/lib/calc")
        ),
    )
    .unwrap();
    // Fetched once into the cache; debugged from the cache only.
    let fetch = std::process::Command::new(env!("CARGO_BIN_EXE_mlpy"))
        .args(["fetch", "main.ml"])
        .current_dir(project.path("remote"))
        .env("MLPY_CACHE_DIR", project.cache.path())
        .output()
        .unwrap();
    assert!(
        fetch.status.success(),
        "{}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    let cached = find_file_with(project.cache.path(), REMOTE).expect("the module is cached");

    let mut dap = project.dap();
    let launch = dap.launch(json!({
        "program": "main.ml", "cwd": project.path("remote"), "cachedOnly": true,
    }));
    let set = dap.breakpoints(&cached, json!([{"line": 3}]));
    assert_eq!(set[0]["verified"], true, "{set:?}");
    dap.configuration_done(launch);
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(
        std::fs::canonicalize(&frames[0].path).unwrap(),
        std::fs::canonicalize(&cached).unwrap()
    );
    assert_eq!((frames[0].line, frames[0].name.as_str()), (3, "twice"));
    assert_eq!(frames[1].file(&project.path("remote")), "main.ml");
    let value = dap.evaluate(frames[0].id, "x + 1");
    assert_eq!(value["body"]["result"], "22", "{value}");
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(dap.output.contains("42"), "{}", dap.output);
    dap.disconnect();
}

/// A file under `dir` whose text is `text`.
fn find_file_with(dir: &Path, text: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file_with(&path, text) {
                return Some(found);
            }
        } else if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            return Some(path);
        }
    }
    None
}

#[test]
fn under_the_debugger_a_program_still_has_only_its_capabilities() {
    let project = Project::new();
    let secret = project.path("secret.txt");
    std::fs::write(&secret, "TOP-SECRET").unwrap();
    std::fs::write(
        project.path("snoop.ml"),
        format!(
            "import file;\nfunction read(p) {{\n    try {{\n        return file.read(p);\n    }} except (e) {{\n        return \"refused: \" + e.message;\n    }}\n}}\nprint(read({secret:?}));\n",
            secret = secret.to_string_lossy()
        ),
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "snoop.ml", json!({}));
    dap.breakpoints(&project.path("snoop.ml"), json!([{"line": 4}]));
    dap.configuration_done(launch);
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    // The console is no way around the capabilities either.
    let value = dap.evaluate(frames[0].id, "file.read(p)");
    assert_eq!(value["success"], false, "{value}");
    assert!(!value.to_string().contains("TOP-SECRET"), "{value}");
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(dap.output.contains("refused: "), "{}", dap.output);
    assert!(!dap.output.contains("TOP-SECRET"), "{}", dap.output);
    dap.disconnect();

    // The same program granted `file.read` reads it: the debugger changes nothing.
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "snoop.ml", json!({"allow": ["file.read"]}));
    dap.configuration_done(launch);
    dap.event("exited");
    assert!(dap.output.contains("TOP-SECRET"), "{}", dap.output);
    dap.disconnect();
}

#[test]
fn python_code_outside_debugpy_gets_no_exemption() {
    // The interpreter the debugger uses, with the real debugpy named to the sandbox:
    // tracing, compiling, connecting and reading from the program's own code are still
    // refused, and naming the debugger once armed is refused.
    let python = dap_client::python();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("transpile/runtime");
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let script = format!(
        r#"
import os, socket, sys
sys.path.insert(0, {runtime:?})
import debugpy
import mlpy_runtime as __ml
from mlpy_runtime import sandbox
sandbox.allow_debugger(os.path.dirname(os.path.abspath(debugpy.__file__)))
__ml.grant([])
__ml.arm()
results = []
def attempt(name, action):
    try:
        action()
        results.append(name + "=done")
    except __ml.SecurityError:
        results.append(name + "=refused")
attempt("settrace", lambda: sys.settrace(None))
attempt("frames", lambda: sys._current_frames())
attempt("compile", lambda: compile("1", "<x>", "eval"))
attempt("exec", lambda: exec("1"))
attempt("read", lambda: open({secret:?}).read())
attempt("connect", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2))
attempt("again", lambda: sandbox.allow_debugger("/"))
print(" ".join(results))
"#,
        runtime = runtime.to_string_lossy(),
        secret = secret.to_string_lossy(),
    );
    let out = std::process::Command::new(&python)
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "settrace", "frames", "compile", "exec", "read", "connect", "again",
    ] {
        assert!(
            stdout
                .split_whitespace()
                .any(|w| w == format!("{name}=refused")),
            "{name}: {stdout}"
        );
    }
    assert!(
        listener.accept().is_err(),
        "the program's own code connected"
    );
}

#[test]
fn stepping_into_a_runtime_function_stops_in_the_ml_callback() {
    let project = Project::new();
    std::fs::write(
        project.path("callback.ml"),
        "import functional;\n\nfunction double(x) {\n    y = x * 2;\n    return y;\n}\n\nr = functional.map(double, [1, 2]);\nprint(r);\n",
    )
    .unwrap();
    let root = project.root();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "callback.ml", json!({}));
    dap.breakpoints(&project.path("callback.ml"), json!([{"line": 8}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    dap.step("stepIn", thread);
    let frames = dap.stack(thread);
    assert_ml_only(&frames);
    assert_eq!(
        places(&frames, &root),
        [
            tuple("callback.ml", 4, "double"),
            tuple("callback.ml", 8, "<module>"),
        ]
    );
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(dap.output.contains("[2, 4]"), "{}", dap.output);
    // debugpy's advice about Python settings is not the user's business.
    assert!(!dap.output.contains("justMyCode"), "{}", dap.output);
    dap.disconnect();
}

#[test]
fn in_the_editors_terminal_the_program_runs_where_the_editor_starts_it() {
    let project = Project::new();
    let mut dap = project.dap();
    dap.ok(
        "initialize",
        json!({"clientID": "mlpy-tests", "adapterID": "mlpy", "linesStartAt1": true,
               "supportsRunInTerminalRequest": true}),
    );
    let launch = dap.send(
        "launch",
        json!({"program": "main.ml", "cwd": project.root(), "console": "integratedTerminal"}),
    );
    // The editor starts the command it is given (here: this test, as the terminal).
    let request = dap.reverse_request("runInTerminal");
    let args = &request["arguments"];
    let argv: Vec<String> = args["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let mut command = std::process::Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .current_dir(args["cwd"].as_str().unwrap())
        .stdout(std::process::Stdio::piped());
    for (name, value) in args["env"].as_object().cloned().unwrap_or_default() {
        match value.as_str() {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let terminal = command.spawn().unwrap();
    dap.respond(&request, json!({"processId": terminal.id()}));
    dap.event("initialized");
    dap.breakpoints(&project.path("lib/geo/util/fmt.ml"), json!([{"line": 4}]));
    dap.configuration_done(launch);
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(dap.stack(thread)[0].line, 4);
    dap.ok("continue", json!({"threadId": thread}));
    let output = terminal.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("total: 35"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    dap.event("terminated");
    dap.disconnect();
}

#[test]
fn hit_counts_stop_on_the_nth_hit_only() {
    let project = Project::new();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({}));
    let shapes = project.path("lib/geo/shapes.ml");
    let set = dap.breakpoints(
        &shapes,
        json!([{"line": 16, "hitCondition": "2"}, {"line": 15, "hitCondition": "> 1 or True"}]),
    );
    assert_eq!(set[0]["verified"], true, "{set:?}");
    // Only numbers and comparisons: debugpy would run anything else as Python.
    assert_eq!(set[1]["verified"], false, "{set:?}");
    assert!(set[1]["message"].as_str().unwrap().contains("hit count"));
    dap.configuration_done(launch);
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    let frames = dap.stack(thread);
    assert_eq!(frames[0].line, 16);
    // The second call of area(): rect(2, 3).
    let value = dap.evaluate(frames[0].id, "a");
    assert_eq!(value["body"]["result"], "6", "{value}");
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(!dap.has_event("stopped"));
    dap.disconnect();
}

#[test]
fn requests_with_a_bad_thread_id_are_refused_and_the_session_goes_on() {
    let project = Project::new();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({}));
    let shapes = project.path("lib/geo/shapes.ml");
    dap.breakpoints(&shapes, json!([{"line": 16}]));
    dap.configuration_done(launch);
    let stop = dap.stopped();
    let thread = stop["threadId"].as_i64().unwrap();
    // Missing, text, a float, an object: each refused with a message, before debugpy
    // (which drops its connection on them) sees it.
    for command in [
        "next",
        "stepIn",
        "stepOut",
        "stackTrace",
        "exceptionInfo",
        "pause",
    ] {
        for arguments in [
            json!({}),
            json!({"threadId": "abc"}),
            json!({"threadId": 1.5}),
            json!({"threadId": {"id": 1}}),
        ] {
            let response = dap.request(command, arguments.clone());
            assert_eq!(
                response["success"], false,
                "{command} {arguments}: {response}"
            );
            assert!(
                response["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("threadId"),
                "{command} {arguments}: {response}"
            );
        }
    }
    let response = dap.request("continue", json!({"threadId": "abc"}));
    assert_eq!(response["success"], false, "{response}");
    // Still paused where it was, and the program runs on to its end.
    let frames = dap.stack(thread);
    assert_eq!(frames[0].line, 16);
    dap.breakpoints(&shapes, json!([]));
    assert_eq!(dap.run_to_end(thread), 0);
    dap.disconnect();
}

#[test]
fn long_arrays_and_large_objects_show_ml_indexes_and_expressions() {
    let project = Project::new();
    std::fs::write(
        project.path("long.ml"),
        "big = [];\nfor (i in range(1250)) {\n    big = big + [i * 10];\n}\nwide = {};\nfor (i in range(600)) {\n    wide[\"k\" + str(i)] = i;\n}\nprint(len(big));\n",
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "long.ml", json!({}));
    dap.breakpoints(&project.path("long.ml"), json!([{"line": 9}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    let frame = dap.stack(thread)[0].id;
    let (_, locals) = dap.scopes(frame)[0].clone();
    let locals = dap.variables(locals);
    let row = |rows: &[Value], name: &str| -> Value {
        rows.iter()
            .find(|v| v["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {rows:?}"))
    };
    // Items are named by their index as ML writes it (debugpy pads them: `0042`), and
    // each one's expression reads it.
    let items = dap.variables(row(&locals, "big")["variablesReference"].as_i64().unwrap());
    assert_eq!(row(&items, "42")["evaluateName"], "big[42]", "{items:?}");
    assert!(!items.iter().any(|v| v["name"] == "0042"), "{items:?}");
    // The rest of the array is in groups: no ML value, no expression, no Python type;
    // their items read the array itself.
    let more = row(&items, "more");
    assert!(more.get("evaluateName").is_none(), "{more}");
    assert_eq!(more["type"], "", "{more}");
    let groups = dap.variables(more["variablesReference"].as_i64().unwrap());
    let names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["[100..1099]", "[1100..1249]"], "{groups:?}");
    let last = dap.variables(groups[1]["variablesReference"].as_i64().unwrap());
    let item = row(&last, "1249");
    assert_eq!(item["value"], "12490", "{item}");
    assert_eq!(item["evaluateName"], "big[1249]", "{item}");
    let value = dap.evaluate(frame, item["evaluateName"].as_str().unwrap());
    assert_eq!(value["body"]["result"], "12490", "{value}");
    // debugpy's note about a setting of its own is said in ML words.
    let keys = dap.variables(row(&locals, "wide")["variablesReference"].as_i64().unwrap());
    assert!(
        !keys.iter().any(|v| v.to_string().contains("PYDEVD")),
        "{:?}",
        keys.last()
    );
    assert_eq!(
        row(&keys, "…")["value"],
        "only the first 500 keys are shown"
    );
    assert_eq!(dap.run_to_end(thread), 0);
    dap.disconnect();
}

#[test]
fn the_runtimes_modules_and_objects_show_only_what_ml_reaches() {
    let project = Project::new();
    std::fs::write(
        project.path("runtime_values.ml"),
        "import collections;\nimport regex;\nm = regex.match(\"a+\", \"aaa\");\nprint(m.end());\n",
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "runtime_values.ml", json!({}));
    dap.breakpoints(&project.path("runtime_values.ml"), json!([{"line": 4}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    let frame = dap.stack(thread)[0].id;
    let (_, locals) = dap.scopes(frame)[0].clone();
    let locals = by_name(&dap.variables(locals));
    // A standard-library module: its members, not the runtime's helpers in its file.
    let members = by_name(&dap.variables(locals["collections"].2));
    assert_eq!(
        members.get("map").map(|m| m.0.as_str()),
        Some("function map"),
        "{members:?}"
    );
    for hidden in ["ml_function", "ML_DESCRIPTION"] {
        assert!(!members.contains_key(hidden), "{hidden}: {members:?}");
    }
    // An object of the runtime's: its methods as ML functions, not its own protocol.
    let fields = by_name(&dap.variables(locals["m"].2));
    assert_eq!(
        fields.get("end").map(|m| m.0.as_str()),
        Some("function end"),
        "{fields:?}"
    );
    for (name, (value, _, _)) in &fields {
        assert!(!name.starts_with("ml_"), "{name}: {fields:?}");
        assert!(!value.contains("mlpy_runtime"), "{name} = {value}");
    }
    assert_eq!(dap.run_to_end(thread), 0);
    dap.disconnect();
}

#[test]
fn a_condition_that_fails_is_reported_in_ml_terms_and_does_not_stop() {
    let project = Project::new();
    std::fs::write(
        project.path("cond.ml"),
        "items = [1, 2];\nfor (i in items) {\n    print(i);\n}\nprint(\"end\");\n",
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "cond.ml", json!({}));
    let set = dap.breakpoints(
        &project.path("cond.ml"),
        json!([{"line": 3, "condition": "1 / (i - i) == 1"}, {"line": 5, "condition": "items.nothing == 1"}]),
    );
    assert!(set.iter().all(|b| b["verified"] == true), "{set:?}");
    dap.configuration_done(launch);
    let exited = dap.event("exited");
    assert_eq!(exited["body"]["exitCode"], 0, "{exited}");
    dap.event("terminated");
    // Neither stopped (a condition that fails counts as false) ...
    assert!(!dap.has_event("stopped"));
    // ... and each failure is said with the condition as typed and its ML place, without
    // the Python debugpy evaluated or a Python traceback.
    let output = &dap.output;
    assert!(
        output.contains(
            "the condition `1 / (i - i) == 1` of the breakpoint at cond.ml:3 failed: ZeroDivisionError"
        ),
        "{output}"
    );
    assert!(
        output
            .contains("the condition `items.nothing == 1` of the breakpoint at cond.ml:5 failed:"),
        "{output}"
    );
    for python in ["pydevd", "Traceback", "lambda", "__ml", "File \""] {
        assert!(!output.contains(python), "{python}: {output}");
    }
    dap.disconnect();
}

#[test]
fn exception_info_outside_an_exception_stop_is_refused_without_python_output() {
    let project = Project::new();
    std::fs::write(project.path("plain.ml"), "x = 1;\nprint(x);\n").unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "plain.ml", json!({}));
    dap.breakpoints(&project.path("plain.ml"), json!([{"line": 2}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    let info = dap.request("exceptionInfo", json!({"threadId": thread}));
    assert_eq!(info["success"], false, "{info}");
    assert_eq!(
        info["message"], "the program is not stopped on an exception",
        "{info}"
    );
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(!dap.output.contains("Traceback"), "{}", dap.output);
    assert!(!dap.output.contains("pydevd"), "{}", dap.output);
    dap.disconnect();
}

#[test]
fn breakpoints_moved_onto_one_line_keep_ids_of_their_own() {
    let project = Project::new();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "main.ml", json!({}));
    // 11 (`}`) and 12 (blank) move onto 13, where the third one is: three breakpoints, one
    // Python line; each is its own breakpoint to the editor.
    let set = dap.breakpoints(
        &project.path("main.ml"),
        json!([{"line": 12}, {"line": 13}, {"line": 11}]),
    );
    let ids: Vec<i64> = set.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    assert_eq!(
        set.iter().map(|b| b["line"].as_i64()).collect::<Vec<_>>(),
        [Some(13), Some(13), Some(13)],
        "{set:?}"
    );
    assert!(set.iter().all(|b| b["verified"] == true), "{set:?}");
    let distinct: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), 3, "{set:?}");
    // Set again (as an editor does on every change): the ids stay distinct.
    let again = dap.breakpoints(
        &project.path("main.ml"),
        json!([{"line": 12}, {"line": 13}]),
    );
    assert_ne!(again[0]["id"], again[1]["id"], "{again:?}");
    let again_ids: Vec<i64> = again.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    dap.configuration_done(launch);
    // The stop names every breakpoint on the line.
    let stop = dap.stopped();
    assert_eq!(stop["reason"], "breakpoint");
    let mut hit: Vec<i64> = stop["hitBreakpointIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    hit.sort_unstable();
    let mut expected = again_ids.clone();
    expected.sort_unstable();
    assert_eq!(hit, expected, "{stop:?}");
    let thread = stop["threadId"].as_i64().unwrap();
    assert_eq!(dap.run_to_end(thread), 0);
    dap.disconnect();
}

#[test]
fn errors_name_variables_by_their_ml_names_not_pythons() {
    // `class` is `ml_class` in the emitted Python; read before it is assigned, Python's
    // error names `ml_class`: the console, the exception stop and the report say `class`.
    let project = Project::new();
    std::fs::write(
        project.path("unbound.ml"),
        "function f() {\n    return class + 1;\n}\nprint(f());\nclass = 2;\n",
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "unbound.ml", json!({}));
    dap.breakpoints(&project.path("unbound.ml"), json!([{"line": 4}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    let frame = dap.stack(thread)[0].id;
    for expression in ["class", "f()", "[class]"] {
        let failed = dap.evaluate(frame, expression);
        assert_eq!(failed["success"], false, "{failed}");
        assert_eq!(
            failed["message"], "NameError: name 'class' is not defined",
            "{expression}: {failed}"
        );
    }

    let stop = dap.continue_to_stop(thread);
    assert_eq!(stop["reason"], "exception", "{stop}");
    assert_eq!(stop["text"], "NameError: name 'class' is not defined");
    let info = dap.ok("exceptionInfo", json!({"threadId": thread}));
    assert_eq!(
        info["description"],
        "NameError: name 'class' is not defined"
    );
    assert_eq!(dap.run_to_end(thread), 1);
    assert!(
        dap.output
            .contains("unbound.ml:2: NameError: name 'class' is not defined"),
        "{}",
        dap.output
    );
    assert!(!dap.output.contains("ml_class"), "{}", dap.output);
    dap.disconnect();
}

#[test]
fn log_points_print_ml_expressions_in_order_without_stopping() {
    let project = Project::new();
    std::fs::write(
        project.path("logs.ml"),
        "function str(x) {\n    return \"mine\";\n}\nitems = [true, null];\n\
         for (i in [1, 2, 3]) {\n    print(str(i));\n    x = i * 2;\n}\nprint(\"end\");\n\
         done = true;\n",
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "logs.ml", json!({}));
    let set = dap.breakpoints(
        &project.path("logs.ml"),
        json!([
            // ML values as ML's `str` gives them (not the program's own `str`); braces of
            // an object literal stay in their expression; `@`, `%` and `{}` are text.
            {"line": 6, "logMessage": "i={i} next={i + 1} first={items[0]} o={ {a: i}.a } {} 5% @LINE@"},
            // With a condition: only when it holds (before the line runs).
            {"line": 7, "logMessage": "big {x}", "condition": "i > 2"},
            // With a hit count.
            {"line": 9, "logMessage": "at the end: {len(items)}", "hitCondition": "1"},
            {"line": 4, "logMessage": "{nosuch}"},
            {"line": 10, "logMessage": "{1 / (i - i)}"},
            // A condition cut short is refused in words about what was typed.
            {"line": 2, "condition": "i =="},
        ]),
    );
    let verified: Vec<&Value> = set.iter().map(|b| &b["verified"]).collect();
    assert_eq!(verified, [true, true, true, false, true, false], "{set:?}");
    assert_eq!(
        set[5]["message"], "condition: expected an expression, found the end of the expression",
        "{set:?}"
    );
    assert_eq!(
        set[3]["message"], "log message: `{nosuch}`: Unknown identifier 'nosuch'",
        "{set:?}"
    );
    dap.configuration_done(launch);
    let exited = dap.event("exited");
    assert_eq!(exited["body"]["exitCode"], 0, "{exited}");
    dap.event("terminated");
    assert!(!dap.has_event("stopped"));
    // A log message that fails is said in ML terms, without Python.
    let failed = "mlpy dap: the log message `{1 / (i - i)}` of the breakpoint at logs.ml:10 \
                  failed: ZeroDivisionError: division by zero\n";
    assert_eq!(dap.output.matches(failed).count(), 1, "{}", dap.output);
    // A log point with a hit count is debugpy's log message, which comes by another way
    // than the program's output (so its place among the program's lines is not fixed).
    let counted = "at the end: 2\n";
    assert_eq!(dap.output.matches(counted).count(), 1, "{}", dap.output);
    let rest = dap.output.replace(failed, "").replace(counted, "");
    // The others in order with the program's own output.
    let expected = [
        "i=1 next=2 first=true o=1 {} 5% @LINE@",
        "mine",
        "i=2 next=3 first=true o=2 {} 5% @LINE@",
        "mine",
        "i=3 next=4 first=true o=3 {} 5% @LINE@",
        "mine",
        "big 4",
        "end",
    ];
    assert_eq!(rest.lines().collect::<Vec<_>>(), expected, "{}", dap.output);
    dap.disconnect();
}

#[test]
fn the_console_calls_the_programs_functions_with_builtin_names() {
    // A function named like a builtin wins over it in call position (a parameter does not):
    // the console calls what the program would call.
    let project = Project::new();
    std::fs::write(
        project.path("named.ml"),
        "function len(x) {\n    return 100;\n}\nfunction f(str) {\n    return str;\n}\n\
         print(len([1]), f(2));\n",
    )
    .unwrap();
    let mut dap = project.dap();
    let launch = project.launch(&mut dap, "named.ml", json!({}));
    dap.breakpoints(&project.path("named.ml"), json!([{"line": 2}, {"line": 5}]));
    dap.configuration_done(launch);
    let thread = dap.stopped()["threadId"].as_i64().unwrap();
    let frame = dap.stack(thread)[0].id;
    for (expression, value) in [("len([1, 2])", "100"), ("len", "function len")] {
        let result = dap.evaluate(frame, expression);
        assert_eq!(result["body"]["result"], value, "{expression}: {result}");
    }
    dap.continue_to_stop(thread);
    let frame = dap.stack(thread)[0].id;
    for (expression, value) in [
        ("str(5) + \"!\"", "\"5!\""),
        ("str", "2"),
        ("len([1, 2]) + str", "102"),
    ] {
        let result = dap.evaluate(frame, expression);
        assert_eq!(result["body"]["result"], value, "{expression}: {result}");
    }
    assert_eq!(dap.run_to_end(thread), 0);
    assert!(dap.output.contains("100 2"), "{}", dap.output);
    dap.disconnect();
}
