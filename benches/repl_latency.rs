//! `mlpy repl`: the time from Enter to the printed value of `1 + 1`, typed into a real
//! pseudo-terminal (the release `mlpy`, a real `python3`). `cargo bench --bench
//! repl_latency` (`MLPY_REPL_BENCH_SAMPLES`, default 200); method and numbers:
//! docs/performance.md, "REPL".

#[allow(dead_code, unused_imports)]
#[path = "../tests/repl_cli.rs"]
mod repl_cli;

fn main() {
    // `cargo test --benches` runs this without `--bench`: a few samples only.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let samples = if benchmarking {
        std::env::var("MLPY_REPL_BENCH_SAMPLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200)
    } else {
        3
    };
    let times = repl_cli::latency_of_one_plus_one(samples);
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "REPL `1 + 1`, Enter to value, {} runs: p50 {:?}, p90 {:?}, p99 {:?}, min {:?}",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        times[0]
    );
}
