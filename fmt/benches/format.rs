//! Formatter throughput: `cargo bench -p mlpy-fmt --bench format`.
//!
//! The parser benchmark's input (`syntax/benches/common`: the conformance corpus
//! concatenated to `MLPY_BENCH_MB` megabytes, default 20) is formatted `MLPY_BENCH_RUNS`
//! times (default 9) on the current thread, with mimalloc, the allocator of the `mlpy`
//! binary: **format** is `format_text` (parsing included, as `mlpy fmt` does it),
//! **parse** the parse alone, **layout** the formatting of a tree already parsed. Each
//! line reports the median throughput, by wall time and the thread's CPU time. Method
//! and recorded numbers: `docs/performance.md`, "Formatter".

#[allow(dead_code)]
#[path = "../../syntax/benches/common/mod.rs"]
mod common;

use common::{corpus_input, env_number, measure, report};
use mlpy_fmt::{format_parsed, format_text, FormatOptions};
use std::hint::black_box;

#[global_allocator]
static GLOBAL: mlpy_allocator::MiMalloc = mlpy_allocator::MiMalloc;

fn main() {
    // The allocator configured as `mlpy fmt` configures it.
    mlpy_allocator::for_command_that_ends_soon();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only check
    // that the benchmark works, on a small input.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let (target_mb, runs) = if benchmarking {
        (
            env_number("MLPY_BENCH_MB", 20),
            env_number("MLPY_BENCH_RUNS", 9),
        )
    } else {
        (1, 1)
    };
    let input = corpus_input(target_mb);
    let text = &input.text;
    let bytes = text.len();
    let options = FormatOptions::default();
    let formatted = format_text(text, &options).expect("the benchmark input formats");
    assert_eq!(
        format_text(&formatted, &options).as_ref(),
        Ok(&formatted),
        "formatting is idempotent"
    );
    println!("allocator: mimalloc");
    println!(
        "input: {} files of the conformance corpus × {} = {:.1} MB, {} lines; formatted: {:.1} MB, {} lines",
        input.files,
        input.copies,
        bytes as f64 / 1e6,
        text.lines().count(),
        formatted.len() as f64 / 1e6,
        formatted.lines().count(),
    );
    drop(formatted);

    let format = measure(runs, || {
        black_box(format_text(black_box(text), &options).expect("formats"));
    });
    report("format", bytes, &format);
    let parse = measure(runs, || {
        black_box(mlpy_syntax::parse(black_box(text)));
    });
    report("parse", bytes, &parse);
    let tree = mlpy_syntax::parse(text);
    let layout = measure(runs, || {
        black_box(format_parsed(black_box(text), &tree, &options).expect("formats"));
    });
    report("layout", bytes, &layout);
}
