//! `mlpy test` against running the same test files one by one with `mlpy run`: a
//! generated project of 200 test files × 10 tests (each test a few assertions on arrays,
//! objects and strings, through an imported module) is run by `mlpy test` (one Python
//! process per file, as many at once as there are cores) and, as the baseline, by one
//! `mlpy run` per file of a copy of each file that calls its ten tests at its end. Both
//! with a warm cache (a first, unmeasured run writes it), then cold (empty cache), three
//! runs each, medians. Results go to docs/performance.md, "Test runner".
//!
//! `cargo bench --bench test_runner` (`MLPY_TEST_FILES` / `MLPY_TESTS_PER_FILE` change
//! the size).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;

fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn test_body(file: usize, test: usize) -> String {
    format!(
        "function test_{test}() {{\n    xs = [{file}, {test}, {file} + {test}];\n    testing.assert_equal(util.total(xs), 2 * ({file} + {test}));\n    testing.assert_equal(util.pair(\"k{test}\", xs), {{key: \"k{test}\", values: [{file}, {test}, {sum}]}});\n    testing.assert_true(util.label({test}).startswith(\"item\"));\n}}\n",
        sum = file + test
    )
}

fn generate(root: &Path, files: usize, tests: usize) {
    std::fs::write(root.join("mlpy.json"), r#"{"import_paths": ["src"]}"#).expect("mlpy.json");
    std::fs::create_dir_all(root.join("src")).expect("src");
    std::fs::create_dir_all(root.join("tests")).expect("tests");
    std::fs::create_dir_all(root.join("runs")).expect("runs");
    std::fs::write(
        root.join("src/util.ml"),
        "function total(xs) { t = 0; for (x in xs) { t = t + x; } return t; }\nfunction pair(k, xs) { return {key: k, values: xs}; }\nfunction label(n) { return \"item \" + str(n); }\n",
    )
    .expect("util.ml");
    for f in 0..files {
        let mut text = String::from("import testing;\nimport util;\n\n");
        for t in 0..tests {
            text.push_str(&test_body(f, t));
        }
        std::fs::write(root.join(format!("tests/file{f:03}_test.ml")), &text).expect("test file");
        // The baseline: the same file, its tests called at its end.
        for t in 0..tests {
            text.push_str(&format!("test_{t}();\n"));
        }
        std::fs::write(root.join(format!("runs/file{f:03}.ml")), &text).expect("run file");
    }
}

fn mlpy(root: &Path, cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mlpy"));
    command
        .current_dir(root)
        .env("MLPY_CACHE_DIR", cache)
        .env("NO_COLOR", "1");
    command
}

/// Seconds `mlpy test tests` takes.
fn time_test(root: &Path, cache: &Path, expected: usize) -> f64 {
    let started = Instant::now();
    let output = mlpy(root, cache)
        .args(["test", "tests"])
        .output()
        .expect("mlpy test");
    let seconds = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.contains(&format!("{expected} passed, 0 failed")),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    seconds
}

/// Seconds `mlpy run runs/FILE.ml` takes for every file, one after the other.
fn time_runs(root: &Path, cache: &Path, files: usize) -> f64 {
    let started = Instant::now();
    for f in 0..files {
        let output = mlpy(root, cache)
            .args(["run", &format!("runs/file{f:03}.ml")])
            .output()
            .expect("mlpy run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let files = count("MLPY_TEST_FILES", 200);
    let tests = count("MLPY_TESTS_PER_FILE", 10);
    let scratch = tempfile::tempdir().expect("temp dir");
    let root = scratch.path().join("project");
    std::fs::create_dir_all(&root).expect("project");
    generate(&root, files, tests);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{files} test files x {tests} tests, {cores} cores, {RUNS} runs each (median)");
    println!("{:<34} {:>10} {:>10}", "", "cold s", "warm s");

    let warm = scratch.path().join("warm");
    time_test(&root, &warm, files * tests);
    time_runs(&root, &warm, files);
    let mut test_cold = Vec::new();
    let mut test_warm = Vec::new();
    let mut run_cold = Vec::new();
    let mut run_warm = Vec::new();
    for i in 0..RUNS {
        let cold = scratch.path().join(format!("cold-test-{i}"));
        test_cold.push(time_test(&root, &cold, files * tests));
        test_warm.push(time_test(&root, &warm, files * tests));
        let cold = scratch.path().join(format!("cold-run-{i}"));
        run_cold.push(time_runs(&root, &cold, files));
        run_warm.push(time_runs(&root, &warm, files));
    }
    let (tc, tw, rc, rw) = (
        median(test_cold),
        median(test_warm),
        median(run_cold),
        median(run_warm),
    );
    println!("{:<34} {tc:>10.2} {tw:>10.2}", "mlpy test (one run)");
    println!("{:<34} {rc:>10.2} {rw:>10.2}", "mlpy run, file by file");
    println!("{:<34} {:>10.2} {:>10.2}", "speed-up", rc / tc, rw / tw);
}
