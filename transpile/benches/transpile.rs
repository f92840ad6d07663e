//! Transpiler benchmarks (`cargo bench -p mlpy-transpile`; no external harness).
//!
//! On the conformance corpus (`../shared/conformance`, or `$MLPY_CONFORMANCE_DIR`), each of
//! the 76 programs with its own folder as import path:
//!
//! 1. **transpile**: checks + emission of every module (multi-file output, runtime
//!    included) on module graphs already loaded — the transpiler's own cost;
//! 2. **end to end**: configuration, resolving, reading and parsing every module, checks,
//!    emission — what `mlpy transpile` does in-process;
//! 3. **process**: whole-process time of the release binary `mlpy transpile` on one program
//!    (needs `cargo build --release` first; skipped otherwise);
//! 4. **emitted code**: run time of the emitted Python for the compute-heavy programs
//!    (`python3`, or `$MLPY_PYTHON`), next to Python's own start-up and an empty program.
//!
//! Times are medians of repeated runs. Throughput counts every module of every program
//! (a module imported by two programs counts twice), as `mlpy transpile` would process it.
//!
//! * `MLPY_BENCH_IN_PROCESS=1`: only the in-process measures (1, 2 and single-file
//!   output); `=transpile`, `=single`, `=end-to-end`: only that one (under
//!   `valgrind --tool=callgrind` each then runs exactly 5 times); `=emit`: only emission,
//!   multi-file output without the checks (measured nowhere else).
//! * `MLPY_BENCH_DUMP=DIR`: measure nothing; write every program's output (single file
//!   and folder) under DIR, and with `MLPY_BENCH_DUMP_EXTRA=SRC` also the diagnostics and
//!   output of every `.ml` file under SRC, broken ones too. Two versions of the emitter
//!   must write the same bytes: `diff -r` the two folders.

use mlpy_modules::{ConfigOverrides, ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CAPABILITIES: &[&str] = &[
    "console",
    "math",
    "regex",
    "json",
    "datetime",
    "random",
    "collections",
    "functional",
    "file",
    "path",
    "http",
    "env",
    "args",
    "crypto",
    "csv",
    "log",
];

/// Programs whose emitted code does enough work to time.
const COMPUTE_HEAVY: &[&str] = &[
    "ml_core/01_recursion_fibonacci",
    "ml_core/02_quicksort",
    "ml_core/03_graph_search_astar",
    "ml_core/04_traveling_salesman",
    "ml_core/10_decorators",
    "ml_module/03_pathfinding_test",
    "ml_builtin/16_comprehensive_integration",
];

/// The program timed as a whole process.
const PROCESS_PROGRAM: &str = "ml_module/02_algorithms_test";

fn corpus() -> PathBuf {
    let dir = match std::env::var_os("MLPY_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"),
    };
    assert!(
        dir.join("programs").is_dir(),
        "conformance corpus not found at {} (set MLPY_CONFORMANCE_DIR)",
        dir.display()
    );
    dir
}

struct Program {
    name: String,
    entry: PathBuf,
    import_path: PathBuf,
}

fn programs(corpus: &Path) -> Vec<Program> {
    let mut out = Vec::new();
    let mut suites: Vec<PathBuf> = std::fs::read_dir(corpus.join("programs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    suites.sort();
    for suite in suites {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&suite)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ml"))
            .collect();
        files.sort();
        for file in files {
            out.push(Program {
                name: format!(
                    "{}/{}",
                    suite.file_name().unwrap().to_string_lossy(),
                    file.file_stem().unwrap().to_string_lossy()
                ),
                entry: file,
                import_path: suite.clone(),
            });
        }
    }
    out
}

fn config(program: &Program) -> ProjectConfig {
    let mut config = ProjectConfig::discover(&program.entry).unwrap();
    config.apply(&ConfigOverrides {
        import_paths: Some(vec![program.import_path.clone()]),
        capabilities: CAPABILITIES.iter().map(|c| c.to_string()).collect(),
        ..ConfigOverrides::default()
    });
    config
}

fn load(program: &Program, cache: &ModuleCache) -> (ModuleGraph, ProjectConfig) {
    let config = config(program);
    let resolver = Resolver::new(Arc::new(config.clone()));
    let graph = ModuleGraph::build(&program.entry, &resolver, cache).unwrap();
    (graph, config)
}

/// Wall-clock and CPU time of one measure (medians).
#[derive(Clone, Copy)]
struct Time {
    wall: Duration,
    cpu: Duration,
}

/// CPU time of this process (all threads).
fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f` repeatedly (at least `min_runs` times and one second); the median times.
fn median_time(min_runs: usize, mut f: impl FnMut()) -> Time {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let started = Instant::now();
    while walls.len() < min_runs || started.elapsed() < Duration::from_secs(1) {
        let (t, c) = (Instant::now(), cpu_now());
        f();
        walls.push(t.elapsed());
        cpus.push(cpu_now().saturating_sub(c));
        if walls.len() >= 1000 {
            break;
        }
    }
    walls.sort();
    cpus.sort();
    Time {
        wall: walls[walls.len() / 2],
        cpu: cpus[cpus.len() / 2],
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn main() {
    // `cargo bench` passes `--bench`; anything else is a filter we do not support.
    let corpus = corpus();
    let programs = programs(&corpus);
    println!(
        "mlpy-transpile benchmarks on {} programs of {}",
        programs.len(),
        corpus.display()
    );

    // 1. The transpiler's own cost, on loaded graphs.
    let cache = ModuleCache::new();
    let loaded: Vec<(ModuleGraph, ProjectConfig)> =
        programs.iter().map(|p| load(p, &cache)).collect();
    let bytes: usize = loaded
        .iter()
        .flat_map(|(g, _)| g.modules.iter().map(|m| m.file.text.len()))
        .sum();
    let files: usize = loaded.iter().map(|(g, _)| g.len()).sum();
    // `MLPY_BENCH_DUMP=DIR`: write what every program emits (single file and folder) to
    // DIR and stop — to compare the output of two versions of the emitter (`diff -r`).
    if let Some(dir) = std::env::var_os("MLPY_BENCH_DUMP") {
        dump(&programs, &loaded, Path::new(&dir));
        return;
    }
    // `MLPY_BENCH_IN_PROCESS=1`: only the in-process measures (for `perf`);
    // `=transpile`, `=single` or `=end-to-end`: only that one (for callgrind); `=emit`:
    // only the emitter (multi-file output without the checks), measured nowhere else.
    let in_process = std::env::var("MLPY_BENCH_IN_PROCESS").ok();
    let wanted = |name: &str| match in_process.as_deref() {
        Some(only @ ("transpile" | "single" | "end-to-end" | "emit")) => only == name,
        _ => name != "emit",
    };
    let mut emitted = 0usize;
    if wanted("transpile") {
        let transpile = median_time(5, || {
            emitted = 0;
            for (graph, config) in &loaded {
                let out =
                    mlpy_transpile::transpile_multi(graph, &mlpy_transpile::Options::new(config))
                        .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
                emitted += out.files.len();
            }
        });
        report(
            "transpile (checks + emit, graphs loaded)",
            transpile,
            bytes,
            files,
        );
    }
    if wanted("emit") {
        let emit = median_time(5, || {
            for (graph, config) in &loaded {
                let out = mlpy_transpile::transpile_multi_unchecked(
                    graph,
                    &mlpy_transpile::Options::new(config),
                );
                std::hint::black_box(out.files.len());
            }
        });
        report("emit only (no checks, graphs loaded)", emit, bytes, files);
    }
    if wanted("single") {
        let single = median_time(5, || {
            for (graph, config) in &loaded {
                let out =
                    mlpy_transpile::transpile_single(graph, &mlpy_transpile::Options::new(config))
                        .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
                std::hint::black_box(out.text.len());
            }
        });
        report("transpile, single-file output", single, bytes, files);
    }

    // 2. End to end in-process: nothing cached.
    if wanted("end-to-end") {
        let end_to_end = median_time(5, || {
            for program in &programs {
                let cache = ModuleCache::new();
                let (graph, config) = load(program, &cache);
                let out =
                    mlpy_transpile::transpile_multi(&graph, &mlpy_transpile::Options::new(&config))
                        .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
                std::hint::black_box(out.files.len());
            }
        });
        report(
            "end to end (config, resolve, parse, check, emit)",
            end_to_end,
            bytes,
            files,
        );
    }
    if in_process.is_some() {
        return;
    }

    // 3. The release binary as a whole process.
    let work = tempfile::tempdir().unwrap();
    match release_binary() {
        Some(mlpy) => {
            let program = programs.iter().find(|p| p.name == PROCESS_PROGRAM).unwrap();
            for (label, out_args) in [
                (
                    "single file",
                    vec![
                        "-o".to_string(),
                        work.path().join("one.py").display().to_string(),
                    ],
                ),
                (
                    "multi file",
                    vec![
                        "--out-dir".to_string(),
                        work.path().join("tree").display().to_string(),
                    ],
                ),
            ] {
                let time = median_time(30, || {
                    let status = Command::new(&mlpy)
                        .arg("transpile")
                        .arg(&program.entry)
                        .arg("--import-paths")
                        .arg(&program.import_path)
                        .args(&out_args)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .unwrap();
                    assert!(status.success());
                });
                println!(
                    "process: mlpy transpile {PROCESS_PROGRAM}.ml ({label}): median {:.1} ms wall",
                    ms(time.wall)
                );
            }
        }
        None => {
            println!("process: skipped (build the release binary first: cargo build --release)")
        }
    }

    // 4. Run time of emitted code: CPU time measured inside Python around the program
    //    (runtime import included, interpreter start-up excluded), and wall time of the
    //    whole `python3 main.py` process.
    let python = std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let startup = median_time(10, || {
        let status = Command::new(&python)
            .args(["-c", "pass"])
            .env_remove("PYTHONDONTWRITEBYTECODE")
            .status()
            .unwrap();
        assert!(status.success());
    });
    println!(
        "emitted code: python3 -c pass: median {:.1} ms wall",
        ms(startup.wall)
    );
    std::fs::write(work.path().join("empty.ml"), "x = 1;\n").unwrap();
    let empty = Program {
        name: "empty".to_string(),
        entry: work.path().join("empty.ml"),
        import_path: work.path().to_path_buf(),
    };
    let mut heavy: Vec<&Program> = vec![&empty];
    heavy.extend(COMPUTE_HEAVY.iter().map(|name| {
        programs
            .iter()
            .find(|p| p.name == *name)
            .unwrap_or_else(|| panic!("{name} not in the corpus"))
    }));
    const DRIVER: &str = "import runpy, sys, time\n\
        path = sys.argv[1]\n\
        sys.argv = [path]\n\
        sys.path.insert(0, path.rsplit('/', 1)[0])\n\
        t = time.process_time()\n\
        runpy.run_path(path, run_name='__main__')\n\
        sys.stderr.write('MLPY_CPU %f\\n' % (time.process_time() - t))\n";
    for program in heavy {
        let cache = ModuleCache::new();
        let (graph, config) = load(program, &cache);
        let out = mlpy_transpile::transpile_multi(&graph, &mlpy_transpile::Options::new(&config))
            .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
        let dir = work.path().join(program.name.replace('/', "_"));
        mlpy_transpile::write_tree(&out.files, &dir).unwrap();
        let cwd = tempfile::tempdir().unwrap();
        let entry = dir.join(&out.entry);
        let cpu = std::cell::RefCell::new(Vec::new());
        // As users run it: bytecode cached after the first run (which is not counted).
        let run = || {
            let output = Command::new(&python)
                .arg("-c")
                .arg(DRIVER)
                .arg(&entry)
                .env_remove("PYTHONDONTWRITEBYTECODE")
                .current_dir(cwd.path())
                .stdout(Stdio::null())
                .output()
                .unwrap();
            assert!(output.status.success(), "{} failed", program.name);
            let err = String::from_utf8_lossy(&output.stderr);
            let seconds: f64 = err
                .lines()
                .find_map(|l| l.strip_prefix("MLPY_CPU "))
                .and_then(|v| v.trim().parse().ok())
                .expect("the driver's CPU time");
            cpu.borrow_mut().push(seconds * 1000.0);
        };
        run();
        cpu.borrow_mut().clear();
        let wall = median_time(5, run);
        let mut cpu = cpu.into_inner();
        cpu.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "emitted code: {}: median {:.1} ms CPU in Python, {:.1} ms wall for the process",
            program.name,
            cpu[cpu.len() / 2],
            ms(wall.wall)
        );
    }

    // 5. Larger workloads, next to the same algorithm written directly in Python.
    for (name, ml, py) in WORKLOADS {
        let dir = work.path().join(format!("workload_{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.ml"), ml).unwrap();
        std::fs::write(dir.join("direct.py"), py).unwrap();
        let program = Program {
            name: name.to_string(),
            entry: dir.join("main.ml"),
            import_path: dir.clone(),
        };
        let cache = ModuleCache::new();
        let (graph, config) = load(&program, &cache);
        let out = mlpy_transpile::transpile_multi(&graph, &mlpy_transpile::Options::new(&config))
            .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
        mlpy_transpile::write_tree(&out.files, &dir.join("out")).unwrap();
        let cpu_of = |script: &Path| -> f64 {
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let output = Command::new(&python)
                        .arg("-c")
                        .arg(DRIVER)
                        .arg(script)
                        .env_remove("PYTHONDONTWRITEBYTECODE")
                        .stdout(Stdio::null())
                        .output()
                        .unwrap();
                    assert!(
                        output.status.success(),
                        "{}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                    String::from_utf8_lossy(&output.stderr)
                        .lines()
                        .find_map(|l| l.strip_prefix("MLPY_CPU "))
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .expect("the driver's CPU time")
                        * 1000.0
                })
                .collect();
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            times[times.len() / 2]
        };
        let emitted_ms = cpu_of(&dir.join("out").join(&out.entry));
        let direct_ms = cpu_of(&dir.join("direct.py"));
        println!(
            "workload {name}: emitted {emitted_ms:.1} ms CPU, the same in plain Python {direct_ms:.1} ms ({:.2}x)",
            emitted_ms / direct_ms
        );
    }
    let _ = emitted;
}

/// (name, ML program, the same algorithm in plain Python).
const WORKLOADS: &[(&str, &str, &str)] = &[
    (
        "recursion (fib 24)",
        "function fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }\nprint(fib(24));\n",
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\nprint(fib(24))\n",
    ),
    (
        "objects (200k member reads)",
        "points = [];\nfor (i in range(50000)) { points.append({x: i, y: i * 2}); }\ntotal = 0;\nfor (p in points) { total = total + p.x + p.y; }\nfor (p in points) { total = total - p.x - p.y; }\nprint(total);\n",
        "points = []\nfor i in range(50000):\n    points.append({'x': i, 'y': i * 2})\ntotal = 0\nfor p in points:\n    total = total + p['x'] + p['y']\nfor p in points:\n    total = total - p['x'] - p['y']\nprint(total)\n",
    ),
    (
        "closures and strings",
        "function make_adder(k) { return fn(x) => x + k; }\nadd = make_adder(3);\nparts = [];\ni = 0;\nwhile (i < 30000) { parts.append(\"n\" + str(add(i))); i = i + 1; }\nprint(len(\",\".join(parts)));\n",
        "def make_adder(k):\n    return lambda x: x + k\nadd = make_adder(3)\nparts = []\ni = 0\nwhile i < 30000:\n    parts.append('n' + str(add(i)))\n    i = i + 1\nprint(len(','.join(parts)))\n",
    ),
];

/// Writes every program's single-file output to `DIR/NAME.py` and its folder to
/// `DIR/NAME/`, runtime files included.
fn dump(programs: &[Program], loaded: &[(ModuleGraph, ProjectConfig)], dir: &Path) {
    for (program, (graph, config)) in programs.iter().zip(loaded) {
        let options = mlpy_transpile::Options::new(config);
        let base = dir.join(&program.name);
        let single = mlpy_transpile::transpile_single(graph, &options)
            .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
        std::fs::create_dir_all(base.parent().unwrap()).unwrap();
        std::fs::write(base.with_extension("py"), single.text).unwrap();
        let warnings: String = single.warnings.iter().map(|w| format!("{w:?}\n")).collect();
        std::fs::write(base.with_extension("warnings"), warnings).unwrap();
        let multi = mlpy_transpile::transpile_multi(graph, &options)
            .unwrap_or_else(|d| panic!("{} diagnostics", d.len()));
        for file in &multi.files {
            let path = base.join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file.contents.as_bytes()).unwrap();
        }
    }
    println!(
        "wrote the output of {} programs to {}",
        programs.len(),
        dir.display()
    );
    // `MLPY_BENCH_DUMP_EXTRA=SRC`: also every `.ml` file under SRC as an entry (its folder
    // as import path), checks or not: its diagnostics, its modules emitted without the
    // checks, and its single file when it has no errors — one `.out` file each.
    if let Some(src) = std::env::var_os("MLPY_BENCH_DUMP_EXTRA") {
        let src = PathBuf::from(src);
        let mut entries = Vec::new();
        let mut folders = vec![src.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "ml") {
                    entries.push(path);
                }
            }
        }
        entries.sort();
        for entry in &entries {
            let program = Program {
                name: String::new(),
                entry: entry.clone(),
                import_path: entry.parent().unwrap().to_path_buf(),
            };
            let text = std::panic::catch_unwind(|| dump_one(&program))
                .unwrap_or_else(|_| "PANIC\n".to_string());
            let out = dir
                .join("extra")
                .join(entry.strip_prefix(&src).unwrap())
                .with_extension("out");
            std::fs::create_dir_all(out.parent().unwrap()).unwrap();
            std::fs::write(out, text).unwrap();
        }
        println!("and of {} files of {}", entries.len(), src.display());
    }
}

/// Diagnostics and output of one entry, whatever state it is in.
fn dump_one(program: &Program) -> String {
    let cache = ModuleCache::new();
    let config = config(program);
    let resolver = Resolver::new(Arc::new(config.clone()));
    let graph = match ModuleGraph::build(&program.entry, &resolver, &cache) {
        Ok(graph) => graph,
        Err(e) => return format!("GRAPH ERROR {e}\n"),
    };
    let mut out = String::new();
    let diagnostics = mlpy_analysis::program_diagnostics(&graph, &config.capabilities);
    for d in &diagnostics {
        out.push_str(&format!("{d:?}\n"));
    }
    let options = mlpy_transpile::Options::new(&config);
    let multi = mlpy_transpile::transpile_multi_unchecked(&graph, &options);
    for file in multi
        .files
        .iter()
        .filter(|f| !f.path.starts_with("mlpy_runtime"))
    {
        out.push_str(&format!("=== {}\n{}", file.path.display(), file.contents));
    }
    if let Ok(single) = mlpy_transpile::transpile_single(&graph, &options) {
        // The embedded runtime is the same for every program: only the program's part.
        let text = &single.text;
        let from = text.find("import mlpy_runtime as __ml\n").unwrap_or(0);
        out.push_str(&format!("=== single\n{}", &text[from..]));
    }
    out
}

fn report(label: &str, time: Time, bytes: usize, files: usize) {
    let secs = time.cpu.as_secs_f64();
    println!(
        "{label}: {:.2} ms CPU ({:.2} ms wall) for {files} modules ({:.0} KB): {:.1} MB/s, {:.0} files/s (CPU time)",
        ms(time.cpu),
        ms(time.wall),
        bytes as f64 / 1024.0,
        bytes as f64 / secs / 1_000_000.0,
        files as f64 / secs
    );
}

/// `target/release/mlpy`, next to this benchmark's `target/release/deps/`.
fn release_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let release = exe.parent()?.parent()?;
    let candidate = release.join(if cfg!(windows) { "mlpy.exe" } else { "mlpy" });
    candidate.is_file().then_some(candidate)
}
