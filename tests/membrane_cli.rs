//! End-to-end: Python modules behind the membrane (`--stdlib-mode python`, the default
//! whitelist, no grants) give ML no way around the gates.
//!
//! * an object that forwards its attribute reads (`functools.GenericAlias(x, [])`) reads
//!   nothing of what it forwards to, whatever `x` is (a runtime module, a string, a module
//!   the program imported);
//! * no runtime or ML module, and no runtime object, is handed to Python code;
//! * `str.format` on a Python string (which reads attributes by name) is refused;
//! * no array or object is shared between Python code and ML: what ML puts into one it got
//!   from Python (`functools.partial(re.sub).keywords`) never reaches Python code;
//! * native code loads only from Python's own installation (the audit layer).
//!
//! Each program would, unrefused, print an environment variable's value or start a
//! process; the test reads its output for the secret and checks the canary file.

mod support;

use support::{run, stderr, stdout, Project};

const SECRET: &str = "membrane-secret-8137";

fn run_python_mode(project: &Project, source: &str) -> (String, bool) {
    let (out, err, ok) = run_python_mode_with(project, source, &[]);
    (format!("{out}{err}"), ok)
}

/// `mlpy run --stdlib-mode python EXTRA attack.ml`: stdout, stderr, success.
fn run_python_mode_with(project: &Project, source: &str, extra: &[&str]) -> (String, String, bool) {
    project.file("attack.ml", source);
    let mut command = support::mlpy(&project.path(".cache"));
    command
        .args(["run", "--stdlib-mode", "python"])
        .args(extra)
        .arg("attack.ml")
        .current_dir(project.dir.path())
        .env("MLPY_MEMBRANE_SECRET", SECRET);
    let out = run(command, None);
    (stdout(&out), stderr(&out), out.status.success())
}

#[test]
fn forwarding_objects_and_string_formatting_reach_nothing() {
    let project = Project::new();
    let canary = project.path("CANARY");
    let u = "chr(95) + chr(95)";
    let format_field = format!(
        "\"{{0.\" + {u} + \"globals\" + {u} + \"[_sys].modules[os].environ[MLPY_MEMBRANE_SECRET]}}\""
    );
    let forwarders = [
        "functools.GenericAlias(x, [])",
        "functools.GenericAlias(x, [1, 2])",
        "functools.GenericAlias(x, x)",
    ];
    let mut programs = Vec::new();
    for forward in forwarders {
        let wrap = format!("function open_(x) {{ return {}; }}\n", forward);
        // a runtime module, read through the forwarder
        programs.push(format!(
            "import functools;\nimport console;\n{wrap}s = open_(console).sys;\nprint(str(open_(s).modules[\"os\"]));\n"
        ));
        // a module the program imported, and then what it leads to
        programs.push(format!(
            "import functools;\nimport base64;\n{wrap}print(str(open_(base64).binascii));\n"
        ));
        // `str.format` of a string, through the forwarder
        programs.push(format!(
            "import functools;\n{wrap}s = {format_field};\nfunction f() {{ return 1; }}\nprint(open_(s).format(f));\n"
        ));
    }
    // runtime modules and objects handed to Python functions directly
    for value in [
        "console",
        "builtin",
        "regex.compile(\"a\")",
        "[console]",
        "{k: console}",
    ] {
        programs.push(format!(
            "import functools;\nimport console;\nimport regex;\nimport json;\nf = functools.partial(print, {value});\nf();\n"
        ));
    }
    // native code from beside the program or from memory
    programs.push(format!(
        "import functools;\nimport console;\nfunction open_(x) {{ return functools.GenericAlias(x, []); }}\nm = open_(open_(console).sys).modules;\nos = open_(m[\"os\"]);\nos.system(\"touch {}\");\n",
        canary.display()
    ));
    for source in &programs {
        let (text, ok) = run_python_mode(&project, source);
        assert!(!ok, "ran:\n{source}\n{text}");
        assert!(
            text.contains("SecurityError"),
            "not refused by the sandbox:\n{source}\n{text}"
        );
        assert!(!text.contains(SECRET), "secret read:\n{source}\n{text}");
        assert!(
            !text.contains("<module '"),
            "a module reached:\n{source}\n{text}"
        );
        assert!(!canary.exists(), "a process ran:\n{source}");
    }
}

/// What the membrane is for still works: Python modules of the whitelist, called with ML
/// values and ML functions, their results used from ML.
#[test]
fn python_modules_still_work_behind_the_membrane() {
    let project = Project::new();
    let (text, ok) = run_python_mode(
        &project,
        "import functools;\nimport base64;\nimport re;\n\
         print(functools.reduce(fn(a, b) => a + b, [1, 2, 3]));\n\
         print(functools.reduce(max, [4, 9, 2]));\n\
         print(len(base64.b64encode(base64.b64decode(\"aGk=\"))));\n\
         m = re.search(\"a(b)\", \"xab\");\nprint(m.group(1));\nprint(m.string);\n\
         print(re.sub(\"a+\", fn(m) => \"<\" + m.group(0) + \">\", \"caat\"));\n",
    );
    assert!(ok, "{text}");
    assert!(text.starts_with("6\n9\n4\n"), "{text}");
    assert!(text.contains("b\nxab\nc<aa>t\n"), "{text}");
}

/// Arrays and objects cross the membrane as copies: ML filling the keyword arguments of a
/// `functools.partial` it read (`p.keywords`) changes nothing Python holds, so Python never
/// calls an ML function directly nor gets a runtime module; every whitelisted module that
/// hands out a container, and every way it is read, gives a copy.
#[test]
fn containers_cross_the_membrane_as_copies() {
    let project = Project::new();
    let (out, err, ok) = run_python_mode_with(
        &project,
        "import functools;\nimport re;\nimport base64;\nimport itertools;\nimport file;\n\
         function f(m) { print(\"CALLED\", typeof(m), m); return \"X\"; }\n\
         p = functools.partial(re.sub);\nkw = p.keywords;\n\
         kw[\"repl\"] = f; kw[\"pattern\"] = \"a\"; kw[\"string\"] = \"banana\";\n\
         print(p.keywords);\ntry { print(p()); } except (e) { print(\"refused\", e.type); }\n\
         q = functools.partial(base64.encode);\n\
         q.keywords[\"input\"] = file; q.keywords[\"output\"] = file;\n\
         try { q(); } except (e) { print(\"refused\", e.type); }\n\
         r = functools.partial(itertools.repeat);\n\
         r.keywords[\"object\"] = file; r.keywords[\"times\"] = 1;\n\
         try { for (x in r()) { print(x); } } except (e) { print(\"refused\", e.type); }\n\
         args = [1];\ns = functools.partial(max, args);\nargs.append(file);\n\
         print(s(), s.args);\n\
         t = functools.partial(max, [[1]]);\nt.args[0].append(file);\nprint(t());\n",
        &[],
    );
    assert!(ok, "{out}{err}");
    assert_eq!(
        out, "{}\nrefused TypeError\nrefused TypeError\nrefused TypeError\n1 ([1],)\n[1]\n",
        "{err}"
    );
    assert!(
        !out.contains("CALLED") && !err.contains("CALLED"),
        "{out}{err}"
    );
}

/// What a call changes in place in a copy of an ML array (`heapq`) comes back into the
/// program's array when the call returns, the arrays inside it kept; cycles cross as
/// cycles.
#[test]
fn in_place_changes_of_python_calls_come_back() {
    let project = Project::new();
    let (out, err, ok) = run_python_mode_with(
        &project,
        "import heapq;\nimport operator;\n\
         h = [];\nheapq.heappush(h, 5);\nheapq.heappush(h, 1);\nheapq.heappush(h, 3);\n\
         print(h);\nprint(heapq.heappop(h), h);\n\
         a = [[3], [1], [2]];\nfirst = a[0];\nheapq.heapify(a);\nfirst.append(9);\nprint(a);\n\
         c = [];\nc.append(c);\nprint(len(operator.getitem(operator.getitem(c, 0), 0)));\n",
        &["--allow-python-modules", "heapq"],
    );
    assert!(ok, "{out}{err}");
    assert_eq!(out, "[1, 5, 3]\n1 [3, 5]\n[[1], [3, 9], [2]]\n1\n", "{err}");
}

/// The process's arguments need `args.read`, also for Python code the program calls:
/// `base64.main()` reads `sys.argv` and opens the file its first argument names, and the
/// refusal would tell the name. Without the grant the runtime takes the arguments out of
/// `sys.argv` before any ML code runs; with it, `args` and Python code see them.
#[test]
fn python_code_reads_no_process_arguments_without_args_read() {
    let project = Project::new();
    let secret = "argument-secret-5521";
    project.file(
        "attack.ml",
        "import base64;\nimport args;\n\
         try { base64.main(); } except (e) { print(\"caught\", e.message); }\n\
         try { print(args.rest()); } except (e) { print(\"refused\", e.type); }\n",
    );
    let run_with = |grants: &[&str]| {
        let mut command = support::mlpy(&project.path(".cache"));
        command
            .args(["run", "--stdlib-mode", "python"])
            .args(grants)
            .args(["attack.ml", "--", secret])
            .current_dir(project.dir.path());
        let out = run(command, None);
        (stdout(&out), stderr(&out), out.status.success())
    };
    let (out, err, ok) = run_with(&[]);
    assert!(ok, "{out}{err}");
    assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
    assert!(out.contains("refused CapabilityError"), "{out}{err}");

    let (out, err, ok) = run_with(&["--allow", "args.read"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("['{secret}']")), "{out}{err}");
}

/// `str.format` reads attributes by name: `"{0.__globals__[_sys].modules[os].environ}"`
/// walks from any function it is given to a module's globals. ML never holds it in any
/// form — read from the `str` class through a subclass (`enum.StrEnum.format`), bound to
/// a string, or as what a `functools.partial` holds — whatever module hands it out.
#[test]
fn str_format_is_out_of_reach_in_every_form() {
    let project = Project::new();
    let field = "\"{0.\" + u + u + \"globals\" + u + u + \"[_sys].modules[os].environ[MLPY_MEMBRANE_SECRET]}\"";
    for form in [
        "enum.StrEnum.format",
        "enum.StrEnum.format_map",
        "functools.partial(enum.StrEnum.format).func",
    ] {
        let source = format!(
            "import enum;\nimport functools;\nu = \"_\";\nfunction f() {{ return 1; }}\n\
             try {{ g = {form}; print(g({field}, f)); }} except (e) {{ print(\"refused\", e.type); }}\n"
        );
        let (out, err, ok) =
            run_python_mode_with(&project, &source, &["--allow-python-modules", "enum"]);
        assert!(ok, "{source}\n{out}{err}");
        assert!(
            !out.contains(SECRET) && !err.contains(SECRET),
            "secret read:\n{source}\n{out}{err}"
        );
        assert!(out.starts_with("refused "), "{source}\n{out}{err}");
    }
}

/// Python code never ends the program: `argparse`'s error path (`sys.exit(2)`),
/// `parser.exit()` and an iteration that calls it raise `SystemExit`, which is no
/// `Exception`. Each is an ML error instead: caught by `except`, and uncaught reported at
/// the ML line with a non-zero status — never a silent end.
#[test]
fn python_code_cannot_end_the_program() {
    let project = Project::new();
    let (out, err, ok) = run_python_mode_with(
        &project,
        "import argparse;\nimport itertools;\np = argparse.ArgumentParser();\n\
         try { p.parse_args([\"--bad\"]); } except (e) { print(\"caught\", e.type); }\n\
         try { p.exit(0); } except (e) { print(\"caught\", e.message); }\n\
         try { for (x in itertools.starmap(p.exit, [[0]])) { print(x); } }\n\
         except (e) { print(\"caught\", e.type); }\n\
         print(\"still running\");\np.exit(0);\nprint(\"not reached\");\n",
        &["--allow-python-modules", "argparse"],
    );
    assert!(!ok, "{out}{err}");
    assert_eq!(
        out,
        "caught SecurityError\n\
         caught Python code tried to end the program (SystemExit(0)): only the ML program ends itself\n\
         caught SecurityError\nstill running\n",
        "{err}"
    );
    assert!(
        err.contains("attack.ml:9: SecurityError: Python code tried to end the program"),
        "{err}"
    );
}
