//! Git imports: 100 modules of one repository, imported cold (empty cache: a bare clone,
//! a shallow fetch of the tag, `git cat-file` per module, atomic cache writes, lockfile
//! recording) versus warm (the same cache, a new resolver: every module read and
//! verified from the module cache by the commit the lockfile pins — no `git` process at
//! all, which the benchmark proves by running warm builds with an empty `PATH`).
//!
//! The repository is served by a real `git daemon` on 127.0.0.1 (`git://`) and read
//! directly (`git+file://`). The entry imports 10 packages by URL; each imports 9
//! siblings by dotted name. Median of several runs.
//! Run: `cargo bench -p mlpy-remote --bench git` (runs: `MLPY_BENCH_RUNS=5`).

mod common;

use common::{build, median, module_text, ms, PACKAGES, SIBLINGS};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mlpy_remote::{Network, RemoteOptions};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=bench@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn options(cache: &Path) -> RemoteOptions {
    RemoteOptions {
        network: Network::Online,
        cache_dir: cache.to_path_buf(),
        timeout: Duration::from_secs(30),
        ..RemoteOptions::from_env()
    }
}

fn main() {
    let runs: usize = std::env::var("MLPY_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    git(&tree, &["init", "-q", "-b", "main"]);
    for p in 0..PACKAGES {
        let siblings: Vec<String> = (0..SIBLINGS).map(|s| format!("sub{s}")).collect();
        let dir = tree.join(format!("lib/pkg{p}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("mod.ml"),
            module_text("Git", &format!("pkg{p}"), &siblings),
        )
        .unwrap();
        for s in 0..SIBLINGS {
            std::fs::write(
                dir.join(format!("sub{s}.ml")),
                module_text("Git", &format!("pkg{p}.sub{s}"), &[]),
            )
            .unwrap();
        }
    }
    git(&tree, &["add", "-A"]);
    git(&tree, &["commit", "-q", "-m", "modules"]);
    git(&tree, &["tag", "v1"]);
    let srv = work.path().join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    git(
        work.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &tree.to_string_lossy(),
            "srv/mods.git",
        ],
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let exec_path = git(work.path(), &["--exec-path"]);
    let mut daemon = Command::new(Path::new(&exec_path).join("git-daemon"))
        .args(["--export-all", "--reuseaddr", "--listen=127.0.0.1"])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", srv.display()))
        .arg(&srv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "git daemon");
        std::thread::sleep(Duration::from_millis(20));
    }

    let real_path = std::env::var_os("PATH").unwrap_or_default();
    let empty = work.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    for (label, repo) in [
        (
            "git:// (git daemon)",
            format!("git://127.0.0.1:{port}/mods.git"),
        ),
        (
            "git+file://",
            format!("git+file://{}", srv.join("mods.git").display()),
        ),
    ] {
        let project = work.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        let main: String = (0..PACKAGES)
            .map(|p| format!("import {repo}@v1/lib/pkg{p}/mod as p{p};\n"))
            .collect();
        std::fs::write(project.join("main.ml"), main).unwrap();
        std::fs::write(
            project.join("mlpy.json"),
            serde_json::json!({"capabilities": ["git.clone"]}).to_string(),
        )
        .unwrap();
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        let mut modules = 0;
        for run in 0..runs {
            let cache = work.path().join(format!("cache-{run}"));
            let _ = std::fs::remove_dir_all(&cache);
            let _ = std::fs::remove_file(project.join("mlpy.lock"));
            std::env::set_var("PATH", &real_path);
            let (t, n) = build(&project, options(&cache));
            cold.push(t);
            modules = n;
            // Warm: no git on PATH — a git process would fail the build.
            std::env::set_var("PATH", &empty);
            for _ in 0..3 {
                let (t, n) = build(&project, options(&cache));
                assert_eq!(n, modules);
                warm.push(t);
            }
        }
        std::env::set_var("PATH", &real_path);
        assert_eq!(modules, PACKAGES * (SIBLINGS + 1));
        let (c, w) = (median(cold), median(warm));
        println!(
            "git imports over {label}: {modules} modules; cold (empty cache) {}, warm (from cache, no git process) {}, {:.1}x",
            ms(c),
            ms(w),
            c.as_secs_f64() / w.as_secs_f64()
        );
    }
    let _ = daemon.kill();
    let _ = daemon.wait();
}
