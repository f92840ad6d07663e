//! End-to-end: ML code never runs in, nor is trusted in, a Python module it did not define.
//!
//! A module loaded before the program starts (here by a `sitecustomize` on `PYTHONPATH`,
//! as a `.pth` file or a virtualenv does) may have the name of one of the program's ML
//! modules. Python would hand that module to the program's imports; the runtime refuses to
//! start instead — in every way a program runs: `mlpy run`, single-file and folder output
//! run by `python3`, and `mlpy repl` — and the preloaded module is left as it was. Names
//! that Python's start-up commonly loads (`sitecustomize`, setuptools' `_distutils_hack`)
//! are renamed like standard-library names, so ML modules of those names work.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::{python, run, stderr, stdout, Project};

/// A folder whose `sitecustomize` loads `victim` (at top level or as a package module)
/// and records, at exit, whether anything ran in it or changed it.
fn preloading(project: &Project, module: &str) {
    let top = module.split('.').next().expect("a name");
    project.file(
        "pre/sitecustomize.py",
        &format!(
            "import atexit, importlib\n\
             m = importlib.import_module({module:?})\n\
             def report():\n\
             \x20   print('victim intact' if m.__dict__.get('secret') == 'S' and \
             '__mlpy_defined__' not in m.__dict__ else 'victim CHANGED')\n\
             atexit.register(report)\n"
        ),
    );
    if module.contains('.') {
        project.file(&format!("pre/{top}/__init__.py"), "secret = 'S'\n");
        let leaf = module.rsplit('.').next().expect("a leaf");
        project.file(&format!("pre/{top}/{leaf}.py"), "secret = 'S'\n");
    } else {
        project.file(&format!("pre/{module}.py"), "secret = 'S'\n");
    }
}

fn with_preload(mut command: Command, project: &Project) -> Command {
    command.env("PYTHONPATH", project.path("pre"));
    command
}

fn mlpy(project: &Project, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = support::mlpy(&project.path(".cache"));
    command.args(args).current_dir(project.dir.path());
    run(with_preload(command, project), stdin)
}

fn python_file(project: &Project, file: &Path) -> Output {
    let mut command = python();
    command.arg(file).current_dir(project.dir.path());
    run(with_preload(command, project), None)
}

/// `mlpy transpile --import-paths lib main.ml OUTPUT…` (no preloading: transpiling runs
/// no Python), which must succeed.
fn transpile(project: &Project, output: &[&str]) {
    let mut args = vec!["transpile", "--import-paths", "lib", "main.ml"];
    args.extend_from_slice(output);
    let out = project.mlpy(&args);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Refused with the module's name, nothing of ML ran, the preloaded module intact.
fn refused(out: &Output, name: &str, how: &str) {
    let err = stderr(out);
    assert!(!out.status.success(), "{how}: ran\n{}", stdout(out));
    assert!(
        err.contains(&format!("the ML module '{name}'")) && err.contains("rename the ML module"),
        "{how}: {err}"
    );
    assert!(
        !err.contains("Traceback"),
        "{how}: a Python traceback\n{err}"
    );
    assert!(
        !stdout(out).contains("ML RAN"),
        "{how}: ML code ran\n{}",
        stdout(out)
    );
    assert!(
        stdout(out).contains("victim intact"),
        "{how}: {}{err}",
        stdout(out)
    );
}

#[test]
fn a_module_loaded_before_the_program_is_never_entered() {
    // The ML module at the preloaded name, at its package's name, and below it.
    for (preloaded, ml_module, taken) in [
        ("victim", "victim", "victim"),
        ("vpkg.inner", "vpkg.inner", "vpkg"),
        ("vtop", "vtop.sub", "vtop"),
    ] {
        let project = Project::new();
        preloading(&project, preloaded);
        let path = format!("lib/{}.ml", ml_module.replace('.', "/"));
        project.file(&path, "secret = 1;\nprint(\"ML RAN\");\n");
        project.file(
            "main.ml",
            &format!("import {ml_module} as v;\nprint(v.secret);\n"),
        );
        let how = format!("{ml_module} (preloaded {preloaded})");
        let out = mlpy(&project, &["run", "--import-paths", "lib", "main.ml"], None);
        refused(&out, taken, &format!("{how}, mlpy run"));

        transpile(&project, &["-o", "one.py"]);
        refused(
            &python_file(&project, &project.path("one.py")),
            taken,
            &format!("{how}, single file"),
        );

        transpile(&project, &["--out-dir", "tree"]);
        refused(
            &python_file(&project, &project.path("tree/main.py")),
            taken,
            &format!("{how}, folder"),
        );

        let out = mlpy(
            &project,
            &["repl", "--import-paths", "lib"],
            Some(&format!("import {ml_module} as v;\nv.secret;\n")),
        );
        refused(&out, taken, &format!("{how}, repl"));

        // Without the preloaded module the same program runs.
        let out = project.mlpy(&["run", "--import-paths", "lib", "main.ml"]);
        assert_eq!(stdout(&out), "ML RAN\n1\n", "{}", stderr(&out));
    }
}

#[test]
fn modules_of_python_start_up_names_work() {
    for name in ["sitecustomize", "_distutils_hack", "usercustomize"] {
        let project = Project::new();
        project.file(&format!("lib/{name}.ml"), "x = 41;\n");
        project.file(
            "main.ml",
            &format!("import {name} as m;\nprint(m.x + 1);\n"),
        );
        let out = project.mlpy(&["run", "--import-paths", "lib", "main.ml"]);
        assert_eq!(stdout(&out), "42\n", "{name}: {}", stderr(&out));
        transpile(&project, &["-o", "one.py"]);
        let mut command = python();
        command.arg(project.path("one.py"));
        let out = run(command, None);
        assert_eq!(stdout(&out), "42\n", "{name}: {}", stderr(&out));
    }
}
