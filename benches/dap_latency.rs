//! How long the debugger makes people wait, on examples/shapes: from `launch` to the first
//! stop at a breakpoint (transpile, Python, debugpy and its launcher, the program up to
//! the breakpoint), and from `continue` (and `next`) to the next stop. Each launch is a new
//! `mlpy dap`; the first one writes the program to an empty cache (cold), the others reuse
//! it (warm). Medians go to docs/performance.md, "Debugger".
//!
//! Needs debugpy, like the tests: `cargo xtask bench` installs it and sets
//! MLPY_TEST_PYTHON.

#[path = "../tests/dap_client/mod.rs"]
mod dap_client;

use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const LAUNCHES: usize = 7;

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shapes");
    let cache = tempfile::tempdir().expect("temp dir");
    let core = std::fs::canonicalize(root.join("lib/geometry/core.ml")).unwrap();
    let mut cold = None;
    let mut warm = Vec::new();
    let mut continues = Vec::new();
    let mut steps = Vec::new();
    for i in 0..LAUNCHES {
        let mut dap = dap_client::Dap::start(cache.path());
        dap.ok(
            "initialize",
            json!({"clientID": "bench", "adapterID": "mlpy", "linesStartAt1": true}),
        );
        let started = Instant::now();
        let launch = dap.send("launch", json!({"program": "main.ml", "cwd": root}));
        dap.event("initialized");
        // `created = created + 1;` in shape(): hit once per shape (four times).
        dap.breakpoints(&core, json!([{"line": 8}]));
        dap.configuration_done(launch);
        let stop = dap.stopped();
        let first = started.elapsed();
        if i == 0 {
            cold = Some(first);
        } else {
            warm.push(first);
        }
        let thread = stop["threadId"].as_i64().unwrap();
        for _ in 0..3 {
            let started = Instant::now();
            dap.continue_to_stop(thread);
            continues.push(started.elapsed());
        }
        let started = Instant::now();
        dap.step("next", thread);
        steps.push(started.elapsed());
        assert_eq!(dap.run_to_end(thread), 0);
        dap.disconnect();
    }
    // For scale, on the same machine at the same time: the whole program under `mlpy run`
    // (transpile, reuse of its cached folder, Python, the program).
    let mut runs = Vec::new();
    for _ in 0..LAUNCHES {
        let started = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_mlpy"))
            .args(["run", "main.ml"])
            .current_dir(&root)
            .env("MLPY_CACHE_DIR", cache.path())
            .env("MLPY_PYTHON", dap_client::python())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("mlpy run");
        assert!(status.success());
        runs.push(started.elapsed());
    }
    println!(
        "mlpy run of the whole program: median {:.0} ms ({LAUNCHES} runs)",
        median(runs)
    );
    println!(
        "launch → first stop: cold {:.0} ms, warm median {:.0} ms ({} launches)",
        cold.unwrap().as_secs_f64() * 1e3,
        median(warm),
        LAUNCHES - 1
    );
    println!(
        "continue → next stop: median {:.1} ms ({} samples)",
        median(continues.clone()),
        continues.len()
    );
    println!(
        "next → stop: median {:.1} ms ({} samples)",
        median(steps.clone()),
        steps.len()
    );
}
