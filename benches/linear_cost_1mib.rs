//! Every pathological module shape of `tests/linear_cost.rs` at about 1 MiB, each
//! operation (check, transpile, the editor's features) timed once: `cargo bench --bench
//! linear_cost_1mib` (`MLPY_LINEAR_ONLY=name` picks shapes). Method and numbers:
//! docs/performance.md, "Linear cost: pathological modules".

#[allow(dead_code, unused_imports)]
#[path = "../tests/linear_cost.rs"]
mod linear_cost;

fn main() {
    // `cargo test --benches` runs this without `--bench`: the 1 MiB shapes take minutes,
    // so only `cargo bench` runs them.
    if std::env::args().any(|a| a == "--bench") {
        linear_cost::one_mebibyte_modules();
    }
}
