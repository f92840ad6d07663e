//! The sandbox's attack suite: thousands of generated escape attempts
//! (`mlpy_testkit::attacks`), every one run for real in `python3`, in three builds:
//!
//! * **shipped** — what `mlpy run` does: the static checks, the language layer (closed
//!   namespace, call gate, membrane) and the audit hook. An attack the checker refuses
//!   never runs; every other one runs.
//! * **language layer only** — no static checks (`transpile_multi_unchecked`) and a copy
//!   of the runtime whose `AUDIT_LAYER` line says `False`.
//! * **audit layer only** — no static checks and a copy of the runtime whose
//!   `LANGUAGE_LAYER` line says `False` (Python's builtins reachable, the call and
//!   attribute gates letting everything through).
//!
//! In every build no canary effect may happen: no process started (`canary-N` files), no
//! secret text printed, no connection to the loopback listener. The closed namespace is
//! probed on its own too: every Python builtin name, read while unbound, must fail.
//! Regressions found so far live in `tests/sandbox/regressions/` and run the same way; one
//! that needs a grant to show its escape (reading with `file.write` alone) names it on a
//! first line `// grants: CAP, CAP`, and one whose escape leaves no file, secret or
//! connection behind (a listening socket) prints a line `ESCAPED …` when it succeeds. The
//! modules a regression imports besides itself follow it, each after a line
//! `// module: PATH`.

mod support;

use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use mlpy_testkit::attacks::{self, Attack, Canaries};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{python, run};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Build {
    Shipped,
    LanguageOnly,
    AuditOnly,
    /// Both layers off: the control that shows the attacks are real.
    Neither,
}

impl Build {
    fn static_checks(self) -> bool {
        self == Build::Shipped
    }
}

/// A loopback listener that counts connections.
struct Listener {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl Listener {
    fn start() -> Listener {
        let socket = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = socket.local_addr().expect("port").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for stream in socket.incoming() {
                if stream.is_ok() {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Listener { port, accepted }
    }
}

struct Arena {
    _dir: tempfile::TempDir,
    root: PathBuf,
    canaries: Canaries,
    secret_text: String,
    listener: Listener,
}

impl Arena {
    fn new() -> Arena {
        let dir = tempfile::Builder::new()
            .prefix("mlpy-attacks-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        let effects = root.join("effects");
        let secrets = root.join("secrets");
        let links = root.join("links");
        let modules = root.join("modules");
        for d in [&effects, &secrets, &links, &modules] {
            std::fs::create_dir_all(d).expect("folder");
        }
        let secret_text = format!("SECRET-{}-TEXT", std::process::id());
        let secret = secrets.join("secret.txt");
        std::fs::write(&secret, &secret_text).expect("secret");
        let link = links.join("innocent.txt");
        std::os::unix::fs::symlink(&secret, &link).expect("symlink");
        let listener = Listener::start();
        let canaries = Canaries {
            dir: effects.display().to_string(),
            secret_path: secret.display().to_string(),
            secret_link: link.display().to_string(),
            port: listener.port,
        };
        Arena {
            _dir: dir,
            root,
            canaries,
            secret_text,
            listener,
        }
    }

    fn effects(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(&self.canaries.dir)
            .expect("effects folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }
}

/// What running one batch of attacks showed.
#[derive(Default, Debug)]
struct Outcome {
    refused_statically: usize,
    ran: usize,
    output: String,
}

/// Writes `batch` as a project (`main.ml` importing one module per attack), transpiles it
/// for `build` and runs it. Attacks the static checks refuse are left out of the program.
fn run_batch(
    arena: &Arena,
    build: Build,
    name: &str,
    batch: &[Attack],
    grants: &[String],
) -> Outcome {
    let project = arena.root.join("projects").join(name);
    std::fs::create_dir_all(&project).expect("project folder");
    // `modules`: the modules regressions import besides themselves (`// module: PATH`)
    let modules = arena.root.join("modules");
    let config = serde_json::json!({
        "import_paths": [".", modules.display().to_string()],
        "capabilities": grants,
    });
    std::fs::write(project.join("mlpy.json"), config.to_string()).expect("mlpy.json");
    for (i, attack) in batch.iter().enumerate() {
        std::fs::write(project.join(format!("attack_{i}.ml")), &attack.source).expect("module");
    }
    let mut included: Vec<usize> = (0..batch.len()).collect();
    let mut outcome = Outcome::default();
    let main = project.join("main.ml");
    let write_main = |included: &[usize]| {
        let text: String = included
            .iter()
            .map(|i| format!("import attack_{i};\n"))
            .collect();
        std::fs::write(&main, format!("{text}print(\"done\");\n")).expect("main");
    };
    write_main(&included);
    let config = ProjectConfig::discover(&main).expect("config");
    let resolver = Resolver::new(Arc::new(config.clone()));
    let mut graph = ModuleGraph::build(&main, &resolver, &ModuleCache::new()).expect("graph");
    if build.static_checks() {
        let diagnostics = mlpy_analysis::program_diagnostics(&graph, &config.capabilities);
        let refused: Vec<PathBuf> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.file.clone())
            .collect();
        // An error in a module an attack brings (`// module: PATH`) refuses that attack:
        // the one whose imports name the module's top-level package.
        let brings = |attack: &Attack, file: &Path| {
            file.strip_prefix(&modules)
                .ok()
                .and_then(|rest| rest.iter().next())
                .and_then(|top| top.to_str())
                .map(|top| top.trim_end_matches(".ml"))
                .is_some_and(|top| {
                    attack.source.lines().any(|l| {
                        l.strip_prefix("import ")
                            .is_some_and(|m| m.split(['.', ';', ' ']).next() == Some(top))
                    })
                })
        };
        included.retain(|i| {
            let path = project.join(format!("attack_{i}.ml"));
            !refused.iter().any(|r| {
                r == &path || r.ends_with(format!("attack_{i}.ml")) || brings(&batch[*i], r)
            })
        });
        outcome.refused_statically = batch.len() - included.len();
        write_main(&included);
        graph = ModuleGraph::build(&main, &resolver, &ModuleCache::new()).expect("graph");
    }
    let options = mlpy_transpile::Options::new(&config);
    let output = if build.static_checks() {
        match mlpy_transpile::transpile_multi(&graph, &options) {
            Ok(out) => out,
            Err(diagnostics) => panic!(
                "{name}: the program left after refusals does not transpile: {:#?}",
                diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .collect::<Vec<_>>()
            ),
        }
    } else {
        mlpy_transpile::transpile_multi_unchecked(&graph, &options)
    };
    let out_dir = arena.root.join("out").join(name);
    for file in &output.files {
        let path = out_dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("out folder");
        let mut text = file.contents.to_string();
        if file.path == Path::new(attacks::SANDBOX_FILE) {
            text = test_only_runtime(&text, build);
        }
        std::fs::write(&path, text).expect("write");
    }
    let cwd = arena.root.join("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    let mut command = python();
    command.arg(out_dir.join(&output.entry)).current_dir(&cwd);
    let out = run(command, None);
    outcome.ran = included.len();
    outcome.output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        outcome.output.contains("done\n"),
        "{name} ({build:?}): the program did not finish:\n{}",
        tail(&outcome.output)
    );
    outcome
}

/// The test-only builds of the runtime: one layer's switch flipped in the copy under test.
fn test_only_runtime(text: &str, build: Build) -> String {
    let (language, audit) = match build {
        Build::Shipped => (true, true),
        Build::LanguageOnly => (true, false),
        Build::AuditOnly => (false, true),
        Build::Neither => (false, false),
    };
    attacks::runtime_with_layers(text, language, audit)
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Runs `attacks` in batches for `build`, with `grants`, and asserts no effect; returns
/// (refused statically, ran).
fn run_all(
    arena: &Arena,
    build: Build,
    family: &str,
    attacks: &[Attack],
    grants: &[String],
) -> (usize, usize) {
    let results = run_batches(arena, build, family, attacks, grants);
    let mut refused = 0;
    let mut ran = 0;
    for (n, outcome) in &results {
        refused += outcome.refused_statically;
        ran += outcome.ran;
        assert!(
            !outcome.output.contains(&arena.secret_text),
            "{family} batch {n} ({build:?}): the secret was read:\n{}",
            tail(&outcome.output)
        );
        if let Some(line) = outcome.output.lines().find(|l| l.starts_with("LEAK ")) {
            panic!(
                "{family} batch {n} ({build:?}): an unbound name reached a Python builtin: {line}"
            );
        }
        if let Some(line) = outcome.output.lines().find(|l| l.starts_with("ESCAPED ")) {
            panic!("{family} batch {n} ({build:?}): an attack escaped: {line}");
        }
    }
    let effects = arena.effects();
    assert!(
        effects.is_empty(),
        "{family} ({build:?}): attacks had effects: {effects:?} (attack numbers are positions in the generated list)"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        arena.listener.accepted.load(Ordering::SeqCst),
        0,
        "{family} ({build:?}): an attack connected to the listener"
    );
    (refused, ran)
}

fn run_batches(
    arena: &Arena,
    build: Build,
    family: &str,
    attacks: &[Attack],
    grants: &[String],
) -> Vec<(usize, Outcome)> {
    const BATCH: usize = 120;
    let batches: Vec<(usize, &[Attack])> = attacks.chunks(BATCH).enumerate().collect();
    let next = AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((n, batch)) = batches.get(i) else {
                    break;
                };
                let name = if grants.is_empty() {
                    format!("{family}-{build:?}-{n}")
                } else {
                    format!("{family}-{build:?}-{}-{n}", grants.join("+"))
                };
                let outcome = run_batch(arena, build, &name, batch, grants);
                results.lock().expect("results").push((*n, outcome));
            });
        }
    });
    results.into_inner().expect("results")
}

fn python_builtin_names() -> Vec<String> {
    let mut command = python();
    command.args([
        "-c",
        "import builtins\nfor n in sorted(dir(builtins)):\n    print(n)",
    ]);
    let out = run(command, None);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .filter(|n| !matches!(*n, "True" | "False" | "None"))
        .map(str::to_string)
        .collect()
}

#[test]
fn generated_attacks_have_no_effect_in_any_build() {
    let arena = Arena::new();
    let generated = attacks::all(&arena.canaries);
    assert!(generated.len() > 3000, "{}", generated.len());
    let mut report = Vec::new();
    for build in [Build::AuditOnly, Build::LanguageOnly, Build::Shipped] {
        let (refused, ran) = run_all(&arena, build, "attacks", &generated, &[]);
        report.push(format!(
            "{build:?}: {ran} ran, {refused} refused by the checker"
        ));
    }
    eprintln!("{} attacks: {}", generated.len(), report.join("; "));
}

#[test]
fn no_unbound_name_reaches_a_python_builtin() {
    let arena = Arena::new();
    let names = python_builtin_names();
    assert!(names.len() > 100, "{names:?}");
    let probes = attacks::namespace_probes(&names, mlpy_modules::stdlib::BUILTINS);
    assert!(probes.len() > 1500, "{}", probes.len());
    for build in [Build::LanguageOnly, Build::Shipped] {
        let (refused, ran) = run_all(&arena, build, "namespace", &probes, &[]);
        eprintln!(
            "{} namespace probes ({build:?}): {ran} ran, {refused} refused by the checker",
            probes.len()
        );
    }
}

/// The regressions: programs that escaped once, each run as it is (entry file of its own).
#[test]
fn regressions_have_no_effect_in_any_build() {
    let arena = Arena::new();
    let groups = regression_attacks(&arena);
    let found: usize = groups.iter().map(|(_, attacks)| attacks.len()).sum();
    assert!(found >= 5, "{groups:?}");
    for build in [Build::AuditOnly, Build::LanguageOnly, Build::Shipped] {
        for (grants, attacks) in &groups {
            run_all(&arena, build, "regressions", attacks, grants);
        }
    }
}

/// The control: with both layers off the regressions do escape (each leaves its canary,
/// reads the secret or connects), so the suite's canaries are real.
#[test]
fn with_both_layers_off_the_regressions_escape() {
    let arena = Arena::new();
    let groups = regression_attacks(&arena);
    let mut output = String::new();
    for (grants, attacks) in &groups {
        let results = run_batches(&arena, Build::Neither, "control", attacks, grants);
        output.extend(results.iter().map(|(_, o)| o.output.as_str()));
    }
    let regressions: usize = groups.iter().map(|(_, attacks)| attacks.len()).sum();
    let effects = arena.effects();
    std::thread::sleep(Duration::from_millis(200));
    let connections = arena.listener.accepted.load(Ordering::SeqCst);
    let secrets = output.matches(&arena.secret_text).count();
    let escaped = output.lines().filter(|l| l.starts_with("ESCAPED ")).count();
    assert_eq!(
        effects.len() + connections + secrets + escaped,
        regressions,
        "effects {effects:?}, connections {connections}, secrets read {secrets}, \
         escapes reported {escaped}:\n{}",
        tail(&output)
    );
}

#[test]
fn with_both_layers_off_generated_attacks_escape() {
    let arena = Arena::new();
    let generated = attacks::all(&arena.canaries);
    // one in seven, spread over the whole space
    let sample: Vec<Attack> = generated.iter().step_by(7).cloned().collect();
    let results = run_batches(&arena, Build::Neither, "control", &sample, &[]);
    let effects = arena.effects().len();
    let output: String = results.iter().map(|(_, o)| o.output.as_str()).collect();
    let secrets = output.matches(&arena.secret_text).count();
    eprintln!(
        "control: {effects} processes started and {secrets} secrets read by {} attacks",
        sample.len()
    );
    assert!(
        effects + secrets > sample.len() / 2,
        "only {effects} effects and {secrets} secrets read out of {} attacks",
        sample.len()
    );
}

/// The regressions, grouped by the grants they run with (`// grants: …` on the first line).
fn regression_attacks(arena: &Arena) -> Vec<(Vec<String>, Vec<Attack>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sandbox/regressions");
    let mut found: Vec<(Vec<String>, Attack)> = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .expect("regressions folder")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "ml") {
            let mut text = String::new();
            std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_string(&mut text))
                .expect("read regression");
            let text = text
                .replace("@CANARY_DIR@", &arena.canaries.dir)
                .replace("@SECRET@", &arena.canaries.secret_path)
                .replace("@PORT@", &arena.canaries.port.to_string());
            // A line `// module: PATH` starts a module the attack imports, written to
            // PATH under the arena's `modules` folder (an import path of every project).
            let mut sections = text.split("\n// module: ");
            let text = sections.next().unwrap_or_default().to_string();
            for section in sections {
                let (module, body) = section.split_once('\n').unwrap_or((section, ""));
                let path = arena.root.join("modules").join(module.trim());
                std::fs::create_dir_all(path.parent().expect("parent")).expect("module folder");
                std::fs::write(&path, body).expect("regression module");
            }
            // Imports stay at the top level; the rest runs in a `try`, so that one refusal
            // does not stop the others.
            let (imports, body): (Vec<&str>, Vec<&str>) =
                text.lines().partition(|l| l.starts_with("import "));
            let grants: Vec<String> = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("// grants:"))
                .map(|l| l.split(',').map(|g| g.trim().to_string()).collect())
                .unwrap_or_default();
            found.push((grants, Attack {
                label: path.file_name().unwrap().to_string_lossy().into_owned(),
                source: format!(
                    "{}\ntry {{\n{}\n}} except (refused) {{\n    print(\"stopped: \" + str(refused));\n}}\n",
                    imports.join("\n"),
                    body.join("\n")
                ),
            }));
        }
    }
    found.sort_by(|a, b| a.1.label.cmp(&b.1.label));
    let mut groups: Vec<(Vec<String>, Vec<Attack>)> = Vec::new();
    for (grants, attack) in found {
        match groups.iter_mut().find(|(g, _)| *g == grants) {
            Some((_, attacks)) => attacks.push(attack),
            None => groups.push((grants, vec![attack])),
        }
    }
    groups
}

/// What the attacks below call on `…_b`, which the checker takes for an ML module and the
/// attack for Python's builtins (the standard library's `math` and `functional` hold them
/// as `_b`): a process started through `getattr`, `map` and `list` called directly.
const FAKE_BUILTINS: &str = "function getattr(o, name) { return null; }\n\
    function map(f, items) { return [f, items]; }\n\
    function list(items) { return items; }\n";

/// The calls that start the process through `B` (a chain the emitter once read as
/// Python attributes and called directly), in a `try`.
fn through_builtins(b: &str, canary: &str, dir: &str) -> String {
    format!(
        "try {{\n    imp = {b}.getattr({b}, \"__imp\" + \"ort__\");\n    \
         os = {b}.list({b}.map(imp, [\"os\"]))[0];\n    \
         {b}.list({b}.map({b}.getattr(os, \"sys\" + \"tem\"), [\"touch {dir}/{canary}\"]));\n\
         }} except (e) {{\n    print(\"stopped: \" + str(e));\n}}\n"
    )
}

/// Names and chains the emitter reads as modules while at run time they may hold
/// another value, each spelled several ways: a name two imports bind to different
/// modules (either order, read at the top level or in a function run between them), and
/// a package whose own code rebinds the attribute Python reaches a submodule through (a
/// function with `nonlocal`, an assignment or a `for` after importing its own submodule,
/// read through the package or through an aliased import). Writes the modules they
/// import into the arena's `modules` folder.
fn module_confusion_attacks(arena: &Arena) -> Vec<Attack> {
    let dir = &arena.canaries.dir;
    let modules = arena.root.join("modules");
    let write = |path: &str, text: &str| {
        let path = modules.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let mut out = Vec::new();
    let mut add = |label: &str, source: String| {
        out.push(Attack {
            label: label.to_string(),
            source,
        })
    };
    // One name, two modules.
    write("c1/_b.ml", FAKE_BUILTINS);
    add(
        "package, then the standard library under its name",
        format!(
            "import c1._b;\nimport functional as c1;\n{}",
            through_builtins("c1._b", "c1", dir)
        ),
    );
    write("c2/_b.ml", FAKE_BUILTINS);
    add(
        "the standard library, then the package, read in a function run between them",
        format!(
            "import math as c2;\nfunction go() {{\n{}}}\ngo();\nimport c2._b;\n",
            through_builtins("c2._b", "c2", dir)
        ),
    );
    write("c3/_b.ml", FAKE_BUILTINS);
    add(
        "package, a function, then the standard library",
        format!(
            "import c3._b;\nfunction go() {{\n{}}}\nimport math as c3;\ngo();\n",
            through_builtins("c3._b", "c3", dir)
        ),
    );
    write("c4/inner/_b.ml", FAKE_BUILTINS);
    write("c4m.ml", "import math;\ninner = math;\n");
    add(
        "a package and an ML module under one alias",
        format!(
            "import c4.inner._b;\nimport c4m as c4;\n{}",
            through_builtins("c4.inner._b", "c4", dir)
        ),
    );
    // A package rebinds the attribute of its submodule.
    write(
        "c5/__init__.ml",
        "import math;\nshapes = null;\nfunction swap() { nonlocal shapes; shapes = math; }\n",
    );
    write("c5/shapes/__init__.ml", "x = 1;\n");
    write("c5/shapes/_b.ml", FAKE_BUILTINS);
    add(
        "a package's function rebinds it, read through an aliased import",
        format!(
            "import c5.shapes;\ntry {{ c5.swap(); }} except (e) {{ print(\"stopped: \" + str(e)); }}\n\
             import c5.shapes._b as b5;\n{}",
            through_builtins("b5", "c5", dir)
        ),
    );
    write(
        "c6/__init__.ml",
        "import c6.shapes._b;\nimport functional;\nshapes = functional;\n",
    );
    write("c6/shapes/_b.ml", FAKE_BUILTINS);
    add(
        "a package assigns it after importing its own submodule",
        format!(
            "import c6.shapes._b;\n{}",
            through_builtins("c6.shapes._b", "c6", dir)
        ),
    );
    write(
        "c7/__init__.ml",
        "import c7.shapes._b;\nimport math;\nfor (shapes in [math]) { x = 1; }\n",
    );
    write("c7/shapes/_b.ml", FAKE_BUILTINS);
    add(
        "a package's loop variable",
        format!(
            "import c7.shapes._b;\n{}",
            through_builtins("c7.shapes._b", "c7", dir)
        ),
    );
    out
}

/// Round 6: the emitter reads the members of a module reference as Python attributes and
/// calls its functions directly; every spelling of a reference that may hold another
/// value at run time reaches nothing in any build (regressions 14 and 15 are two of
/// them), and with both layers off each one does start its process.
#[test]
fn module_references_that_may_hold_another_value_reach_nothing() {
    let arena = Arena::new();
    let attacks = module_confusion_attacks(&arena);
    for build in [Build::AuditOnly, Build::LanguageOnly, Build::Shipped] {
        let (refused, ran) = run_all(&arena, build, "confusion", &attacks, &[]);
        assert_eq!(refused + ran, attacks.len());
    }
    run_batches(&arena, Build::Neither, "confusion-control", &attacks, &[]);
    assert_eq!(
        arena.effects().len(),
        attacks.len(),
        "{:?}",
        arena.effects()
    );
}
