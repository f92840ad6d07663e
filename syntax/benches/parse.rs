//! Parse throughput: `cargo bench -p mlpy-syntax`.
//!
//! The conformance corpus is concatenated until the input reaches `MLPY_BENCH_MB`
//! megabytes (default 20; 1 MB = 10^6 bytes), then lexed alone and parsed in full (green
//! tree built, and dropped) `MLPY_BENCH_RUNS` times each (default 9) on the current
//! thread. Each line reports the median throughput, with the slowest and fastest runs,
//! by wall time and (on Linux) by the thread's CPU time, which a busy machine disturbs
//! less. This target uses the system allocator; `parse_mimalloc` runs the same with
//! mimalloc, the allocator of the `mlpy` binary. Method and recorded numbers:
//! `docs/performance.md`.

mod common;

fn main() {
    common::run("system");
}
