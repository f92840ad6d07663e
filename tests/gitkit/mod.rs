//! Test support for git imports and plugins: real repositories made with the real `git`,
//! a real `git daemon` on 127.0.0.1, the `mlpy-import-db` binary, and running `mlpy`.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the real `git` with a configuration of its own (no user or system files).
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository: a work tree where commits are made, pushed to a bare repository at
/// `bare` (which the imports name).
pub(crate) struct Repo {
    pub work: PathBuf,
    pub bare: PathBuf,
}

impl Repo {
    /// A new repository at `<root>/work/<name>`, its bare copy at `<root>/srv/<name>.git`.
    pub(crate) fn new(root: &Path, name: &str) -> Repo {
        let work = root.join("work").join(name);
        let bare = root.join("srv").join(format!("{name}.git"));
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&bare).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        git(&bare, &["init", "-q", "--bare"]);
        Repo { work, bare }
    }

    pub(crate) fn write(&self, path: &str, text: &str) -> &Repo {
        let full = self.work.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// Commits everything and pushes the branch; returns the commit.
    pub(crate) fn commit(&self, message: &str) -> String {
        git(&self.work, &["add", "-A"]);
        git(&self.work, &["commit", "-q", "-m", message]);
        let bare = self.bare.to_string_lossy().into_owned();
        git(&self.work, &["push", "-q", &bare, "HEAD:refs/heads/main"]);
        git(&self.work, &["rev-parse", "HEAD"])
    }

    /// Tags HEAD (moving the tag if it exists: an annotated tag) and pushes it.
    pub(crate) fn tag(&self, name: &str) {
        git(&self.work, &["tag", "-f", "-a", "-m", name, name]);
        let bare = self.bare.to_string_lossy().into_owned();
        git(
            &self.work,
            &["push", "-q", "-f", &bare, &format!("refs/tags/{name}")],
        );
    }

    /// `git+file:///…/name.git`
    pub(crate) fn file_url(&self) -> String {
        format!("git+file://{}", self.bare.display())
    }
}

/// A `git daemon` serving `base` (every repository under it) on 127.0.0.1.
pub(crate) struct Daemon {
    child: Child,
    pub port: u16,
}

impl Daemon {
    pub(crate) fn start(base: &Path) -> Daemon {
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            // `git daemon` would run git-daemon as a child process that killing `git`
            // leaves behind: start git-daemon itself.
            let exec_path = git(Path::new("."), &["--exec-path"]);
            let mut child = Command::new(Path::new(&exec_path).join("git-daemon"))
                .args([
                    "--export-all",
                    "--reuseaddr",
                    "--informative-errors",
                    "--listen=127.0.0.1",
                ])
                .arg(format!("--port={port}"))
                .arg(format!("--base-path={}", base.display()))
                .arg(base)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("git daemon starts");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // the port was taken meanwhile: try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Daemon { child, port };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("git daemon did not start");
    }

    pub(crate) fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }

    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The `mlpy` binary with an isolated cache (and git configuration).
pub(crate) fn mlpy(cache: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mlpy"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("MLPY_CACHE_DIR", cache)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("MLPY_AUTH_TOKENS")
        .env_remove("MLPY_HTTP_TIMEOUT")
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null());
    command
}

pub(crate) fn run(command: &mut Command) -> Output {
    command.output().expect("mlpy runs")
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The folder holding `mlpy-import-db`, built if needed (`cargo test --workspace` builds
/// it beside `mlpy`, since its package has tests).
pub(crate) fn db_plugin_dir() -> PathBuf {
    let mlpy = PathBuf::from(env!("CARGO_BIN_EXE_mlpy"));
    let dir = mlpy.parent().unwrap().to_path_buf();
    let exe = dir.join("mlpy-import-db");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugins/db/src/main.rs");
    let stale = match (std::fs::metadata(&exe), std::fs::metadata(&sources)) {
        (Ok(e), Ok(s)) => e.modified().unwrap() < s.modified().unwrap(),
        _ => true,
    };
    if stale {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let profile_release = dir.ends_with("release");
        let mut build = Command::new(cargo);
        build
            .args(["build", "-q", "-p", "mlpy-import-db"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_release {
            build.arg("--release");
        }
        let status = build.status().expect("cargo builds mlpy-import-db");
        assert!(status.success(), "cargo build -p mlpy-import-db failed");
    }
    assert!(exe.is_file(), "{} is missing", exe.display());
    dir
}

/// A PATH with `dirs` first, then the current PATH.
pub(crate) fn path_with(dirs: &[&Path]) -> std::ffi::OsString {
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    if let Some(path) = std::env::var_os("PATH") {
        all.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(all).unwrap()
}
