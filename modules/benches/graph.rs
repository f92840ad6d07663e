//! Cold `check` of a synthetic project versus merely reading its files.
//!
//! The project (`mlpy_testkit::synthetic`): N modules nested up to 8 folders deep, each
//! internal module importing 5 others (a 5-ary tree rooted at `main.ml`, so every module
//! is reachable), each module ~30 lines of functions that call their imports. For every size, the time to
//! read all files and the time to build the module graph with a fresh cache and compute
//! every diagnostic are the median of several runs.
//!
//! Run: `cargo bench -p mlpy-modules --bench graph` (sizes: `MLPY_BENCH_SIZES=1000,10000`).
//! The generated projects stay under `target/bench-projects/` for `cargo xtask bench`,
//! which also times the whole `mlpy check` process on them.

#[global_allocator]
static GLOBAL: mlpy_allocator::MiMalloc = mlpy_allocator::MiMalloc;

use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Writes the project (once) and returns its entry file.
fn generate(n: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../target/bench-projects/synthetic-{n}"));
    mlpy_testkit::synthetic::generate(&root, n, false).join("main.ml")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "ml") {
            out.push(path);
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // The allocator configured as `mlpy check` configures it.
    mlpy_allocator::for_command_that_ends_soon();
    // `cargo test` runs benches in test mode with `--bench` absent: keep that cheap.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = std::env::var("MLPY_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| if quick { vec![50] } else { vec![1000, 10_000] });
    let runs = if quick { 1 } else { 5 };
    for n in sizes {
        let entry = generate(n);
        let root = entry.parent().unwrap().to_path_buf();
        let mut files = Vec::new();
        files_under(&root, &mut files);
        let bytes: usize = files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len() as usize)
            .sum();

        let read = median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    let mut total = 0;
                    for f in &files {
                        total += std::fs::read_to_string(f).unwrap().len();
                    }
                    assert_eq!(total, bytes);
                    start.elapsed()
                })
                .collect(),
        );
        let check = median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    let config = ProjectConfig::discover(&entry).unwrap();
                    let resolver = Resolver::new(Arc::new(config));
                    let cache = ModuleCache::new();
                    let graph = ModuleGraph::build(&entry, &resolver, &cache).unwrap();
                    let diagnostics = mlpy_analysis::graph_checks::graph_diagnostics(&graph);
                    assert_eq!(graph.len(), n);
                    assert!(diagnostics.is_empty(), "{:?}", &diagnostics[..1]);
                    start.elapsed()
                })
                .collect(),
        );
        println!(
            "modules={n} files={} bytes={} read_all={:.1}ms check_cold={:.1}ms ratio={:.2}x",
            files.len(),
            bytes,
            read.as_secs_f64() * 1e3,
            check.as_secs_f64() * 1e3,
            check.as_secs_f64() / read.as_secs_f64()
        );
    }
}
