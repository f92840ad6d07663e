//! The parse benchmark, shared by `parse.rs` (the system allocator) and
//! `parse_mimalloc.rs` (mimalloc, as the `mlpy` binary uses); its input and timing are
//! also the formatter's (`fmt/benches/format.rs`).

use std::hint::black_box;

use std::time::{Duration, Instant};

#[path = "../../tests/common/corpus.rs"]
mod corpus;

pub(crate) fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time of this thread, on Linux (from `/proc/thread-self/schedstat`): unlike wall
/// time, it leaves out the time other processes held the core.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Wall and CPU times of each run, each sorted.
pub(crate) struct Times {
    pub wall: Vec<Duration>,
    pub cpu: Option<Vec<Duration>>,
}

/// Runs `f` `runs` times after one warm-up run.
pub(crate) fn measure(runs: usize, mut f: impl FnMut()) -> Times {
    measure_with_setup(runs, || (), |()| f())
}

/// Runs `setup` then `f` `runs` times after one warm-up run, timing only `f`.
pub(crate) fn measure_with_setup<T>(
    runs: usize,
    mut setup: impl FnMut() -> T,
    mut f: impl FnMut(T),
) -> Times {
    f(setup());
    let mut wall = Vec::new();
    let mut cpu = Some(Vec::new());
    for _ in 0..runs {
        let input = setup();
        let cpu_start = thread_cpu_time();
        let start = Instant::now();
        f(input);
        wall.push(start.elapsed());
        match (cpu_start, thread_cpu_time(), cpu.as_mut()) {
            (Some(a), Some(b), Some(times)) => times.push(b - a),
            _ => cpu = None,
        }
    }
    wall.sort();
    if let Some(times) = cpu.as_mut() {
        times.sort();
    }
    Times { wall, cpu }
}

pub(crate) fn report(name: &str, bytes: usize, times: &Times) {
    let mbps = |d: &Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    let line = |times: &[Duration]| {
        let median = &times[times.len() / 2];
        format!(
            "{:>7.1} MB/s median ({:.1} – {:.1}, {:.1} ms)",
            mbps(median),
            mbps(times.last().unwrap()),
            mbps(&times[0]),
            median.as_secs_f64() * 1e3,
        )
    };
    print!("{name:<6} wall {}", line(&times.wall));
    if let Some(cpu) = &times.cpu {
        print!("   cpu {}", line(cpu));
    }
    println!("   [{} runs]", times.wall.len());
}

/// The benchmark input: the conformance corpus's files concatenated (each followed by a
/// line break) and repeated until the text reaches `target_mb` megabytes.
pub(crate) struct BenchInput {
    pub text: String,
    /// Files of the corpus, and how many times they were repeated.
    pub files: usize,
    pub copies: usize,
}

pub(crate) fn corpus_input(target_mb: usize) -> BenchInput {
    let files = corpus::corpus_files();
    let mut corpus = String::new();
    for file in &files {
        corpus.push_str(&std::fs::read_to_string(file).unwrap());
        corpus.push('\n');
    }
    let copies = (target_mb * 1_000_000).div_ceil(corpus.len());
    BenchInput {
        text: corpus.repeat(copies),
        files: files.len(),
        copies,
    }
}

/// Runs the benchmark; `allocator` names the global allocator for the report.
pub(crate) fn run(allocator: &str) {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only check
    // that the benchmark works, on a small input.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let target_mb = if benchmarking {
        env_number("MLPY_BENCH_MB", 20)
    } else {
        1
    };
    let runs = if benchmarking {
        env_number("MLPY_BENCH_RUNS", 9)
    } else {
        1
    };

    let BenchInput {
        text: input,
        files,
        copies,
    } = corpus_input(target_mb);
    let bytes = input.len();

    let check = mlpy_syntax::parse(&input);
    assert!(
        check.errors().is_empty(),
        "the benchmark input must parse cleanly: {:?}",
        &check.errors()[..1]
    );
    let tokens = mlpy_syntax::lexer::tokenize(&input).0.len();
    drop(check);

    println!("allocator: {allocator}");
    println!(
        "input: {files} files of the conformance corpus × {copies} = {:.1} MB, {} lines, {tokens} tokens",
        bytes as f64 / 1e6,
        input.lines().count(),
    );
    let lex = measure(runs, || {
        black_box(mlpy_syntax::lexer::tokenize(black_box(&input)));
    });
    report("lex", bytes, &lex);
    // Each run parses and keeps the tree; the next run's (untimed) setup drops it, on a
    // clock of its own.
    let tree = std::cell::RefCell::new(None);
    let mut drops = Vec::new();
    let parse = measure_with_setup(
        runs,
        || {
            if let Some(old) = tree.take() {
                let start = Instant::now();
                drop(black_box(old));
                drops.push(start.elapsed());
            }
        },
        |()| *tree.borrow_mut() = Some(mlpy_syntax::parse(black_box(&input))),
    );
    report("parse", bytes, &parse);
    drops.sort();
    let drop_median = drops[drops.len() / 2];
    let parse_median = parse.wall[parse.wall.len() / 2];
    println!(
        "drop   wall {:>7.1} ms median   parse + drop: wall {:.1} MB/s",
        drop_median.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / (parse_median + drop_median).as_secs_f64()
    );
}
