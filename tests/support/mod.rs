//! Helpers for the end-to-end tests of `mlpy transpile` and `mlpy run`: temporary
//! projects, the real binary, the real `python3`, timeouts, parallel runs.

#![allow(dead_code)]

pub(crate) mod conformance;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `mlpy` binary under test, with an isolated cache folder.
pub(crate) fn mlpy(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mlpy"));
    command
        .env("MLPY_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONSTARTUP");
    command
}

/// The Python interpreter the tests run emitted code with.
pub(crate) fn python() -> Command {
    let exe = std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let mut command = Command::new(exe);
    command.env_remove("PYTHONPATH").env_remove("PYTHONSTARTUP");
    command
}

/// A temporary project folder.
pub(crate) struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub(crate) fn new() -> Project {
        Project {
            dir: tempfile::Builder::new()
                .prefix("mlpy-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub(crate) fn file(&self, relative: &str, text: &str) -> &Project {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// `mlpy ARGS` run in the project folder.
    pub(crate) fn mlpy(&self, args: &[&str]) -> Output {
        let mut command = mlpy(&self.path(".cache"));
        command.args(args).current_dir(self.dir.path());
        run(command, None)
    }

    /// `mlpy ARGS` with `stdin` as standard input.
    pub(crate) fn mlpy_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = mlpy(&self.path(".cache"));
        command.args(args).current_dir(self.dir.path());
        run(command, Some(stdin))
    }

    /// Every file under the project (relative paths, sorted), the cache excluded.
    pub(crate) fn files(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out.retain(|p| !p.starts_with(".cache"));
        out.sort();
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

/// Runs a command to completion (2 minutes at most), feeding `stdin`.
pub(crate) fn run(mut command: Command, stdin: Option<&str>) -> Output {
    run_with_timeout(&mut command, stdin, Duration::from_secs(120))
}

pub(crate) fn run_with_timeout(
    command: &mut Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Output {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        let text = text.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("timed out after {timeout:?}: {command:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out_thread.join().expect("stdout reader"),
        stderr: err_thread.join().expect("stderr reader"),
    }
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `f` on every item, several at a time (Python programs spend their time starting
/// up and waiting), results in input order.
pub(crate) fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i]);
                *results[i].lock().expect("result slot") = Some(r);
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().expect("slot").expect("computed"))
        .collect()
}

/// A unified diff of two texts, for failure messages.
pub(crate) fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header("expected", "actual")
        .to_string()
}

/// `mlpy run main.ml` of a new project holding `program`: its standard output (the run
/// must succeed).
pub(crate) fn run_ok(program: &str) -> String {
    let project = Project::new();
    project.file("main.ml", program);
    let out = project.mlpy(&["run", "main.ml"]);
    assert!(out.status.success(), "failed:\n{}", stderr(&out));
    stdout(&out)
}
