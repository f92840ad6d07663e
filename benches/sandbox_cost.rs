//! What the sandbox costs emitted code: each workload of `benches/sandbox_workloads/` is
//! transpiled once and run with `python3` in two builds of the runtime — the shipped one
//! (closed namespace, call gate, membrane, audit hook) and a copy with both layers switched
//! off (the test-only switch lines of `mlpy_runtime/sandbox.py` flipped) — alternating,
//! seven runs each, medians compared. The goal (issue: a sandbox closed by construction):
//! at most 10 % more time. Results go to docs/performance.md, "The sandbox's cost".

use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

const RUNS: usize = 7;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workloads = root.join("benches/sandbox_workloads");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&workloads)
        .expect("workloads folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ml"))
        .collect();
    names.sort();
    let scratch = tempfile::tempdir().expect("temp dir");
    let python = std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    println!(
        "{:<12} {:>12} {:>14} {:>8}",
        "workload", "shipped ms", "no sandbox ms", "ratio"
    );
    for path in names {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let shipped = emit(
            &path,
            &scratch.path().join(format!("{stem}-shipped")),
            false,
        );
        let bare = emit(&path, &scratch.path().join(format!("{stem}-bare")), true);
        let cwd = scratch.path().join(format!("{stem}-cwd"));
        std::fs::create_dir_all(&cwd).expect("cwd");
        let mut a = Vec::new();
        let mut b = Vec::new();
        for _ in 0..RUNS {
            a.push(time(&python, &shipped, &cwd));
            b.push(time(&python, &bare, &cwd));
        }
        let (ma, mb) = (median(a), median(b));
        println!("{stem:<12} {ma:>12.1} {mb:>14.1} {:>8.3}", ma / mb);
    }
}

/// Transpiles `entry` (granted `file`) to `dest`; `bare` flips both layers off.
fn emit(entry: &Path, dest: &Path, bare: bool) -> PathBuf {
    let project = dest.with_extension("src");
    std::fs::create_dir_all(&project).expect("project");
    let main = project.join("main.ml");
    std::fs::copy(entry, &main).expect("copy workload");
    let config = ProjectConfig::discover(&main).expect("config");
    let resolver = Resolver::new(Arc::new(config.clone()));
    let graph = ModuleGraph::build(&main, &resolver, &ModuleCache::new()).expect("graph");
    let mut options = mlpy_transpile::Options::new(&config);
    options.capabilities = vec!["file".to_string()];
    let out = mlpy_transpile::transpile_multi(&graph, &options).expect("workload transpiles");
    for file in &out.files {
        let path = dest.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).expect("folder");
        let mut text = file.contents.to_string();
        if bare && file.path == Path::new(mlpy_testkit::attacks::SANDBOX_FILE) {
            text = mlpy_testkit::attacks::runtime_with_layers(&text, false, false);
        }
        std::fs::write(&path, text).expect("write");
    }
    dest.join(&out.entry)
}

fn time(python: &str, entry: &Path, cwd: &Path) -> f64 {
    let started = Instant::now();
    let out = Command::new(python)
        .arg(entry)
        .current_dir(cwd)
        .output()
        .expect("python3");
    let ms = started.elapsed().as_secs_f64() * 1e3;
    assert!(
        out.status.success(),
        "{}: {}",
        entry.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    ms
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
