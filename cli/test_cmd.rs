//! `mlpy test`: finds the test files under the given paths (`*_test.ml`, `test_*.ml`;
//! default: the project), runs each in a Python process of its own — several at once, one
//! per core — and reports every test (a top-level `function test_*`): a line per file,
//! each failure with the ML file and line of the assertion, and `N passed, N failed`.
//! `--format json` and `--junit FILE` for programs and CI. Exit status: 0 when every test
//! passed, 1 when one failed or a file could not run, 5 when no test was found.

mod discover;
mod report;
mod runner;

use crate::project::ConfigArgs;
use crate::watch::{self, Watch};
use crate::{Context, DiagnosticFormat, Outcome};
use clap::Args;
use mlpy_modules::ModuleCache;
use report::{Paint, Totals};
use runner::FileReport;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Args)]
pub(crate) struct TestArgs {
    /// Test files, or folders to search for `*_test.ml` and `test_*.ml` (default: the
    /// project, the folder of the mlpy.json found from here, else this folder).
    paths: Vec<PathBuf>,

    /// Run only the tests whose name, or `FILE::NAME`, contains PATTERN.
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,

    /// With --filter: the name, or `FILE::NAME`, must be PATTERN exactly (one test).
    #[arg(long, requires = "filter")]
    exact: bool,

    /// How to print the results: `human`, or `json` (one document, on stdout).
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,

    /// Also write the results as JUnit XML to FILE (for CI). An existing FILE is replaced
    /// only when mlpy wrote it (or with --force).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// Let --junit overwrite a file mlpy did not write.
    #[arg(long, requires = "junit")]
    force: bool,

    /// How many test files run at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,

    /// Run again whenever a test file, a module one imports or mlpy.json changes (and when
    /// a test file is added or removed).
    #[arg(long)]
    watch: bool,

    /// Stop a test (or a file's top-level code) still running after SECONDS: it is an
    /// error, and the file's later tests go on in a new process (default: no limit).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    test_timeout: Option<Duration>,

    #[command(flatten)]
    config: ConfigArgs,
}

pub(crate) fn run(cx: &Context, args: TestArgs) -> anyhow::Result<Outcome> {
    // A bad network option is the command's error (exit 2), as for `mlpy check`, not a
    // failure of every test file that loads.
    let remote = args.config.remote.options()?;
    mlpy_remote::http::load_ca_files(&remote.ca_files).map_err(anyhow::Error::from)?;
    // A report that could never be written is refused before the tests run, not after a
    // long run whose results it would then hide.
    if let Some(path) = &args.junit {
        mlpy_transpile::check_single_file(path, args.force).map_err(|e| junit_error(path, e))?;
    }
    if args.watch {
        let roots = roots(&args)?;
        return watch::watch(|session| {
            // A test file added or removed is a change too.
            let listed = roots.clone();
            session.watch_listing(Box::new(move || {
                discover::test_files(&listed).unwrap_or_default()
            }));
            round(cx, &args, session).map(|_| None)
        });
    }
    round(cx, &args, &Watch::inactive())
}

fn junit_error(path: &Path, e: mlpy_transpile::WriteError) -> anyhow::Error {
    match e {
        // The refusals name the file themselves; the system's errors do not.
        mlpy_transpile::WriteError::Io(e) => {
            anyhow::anyhow!("--junit: cannot write '{}': {e}", path.display())
        }
        other => anyhow::anyhow!("--junit: {other}"),
    }
}

/// The folders or files to search.
fn roots(args: &TestArgs) -> anyhow::Result<Vec<PathBuf>> {
    if !args.paths.is_empty() {
        return Ok(args.paths.clone());
    }
    let cwd = std::env::current_dir()?;
    // The project: the folder of the mlpy.json that applies here (`--config` or found from
    // here upward), else this folder.
    let root = args.config.config_for(&cwd)?.root;
    // `.` when the project is this folder: its files are then shown as `a/b_test.ml`.
    Ok(vec![if root == cwd {
        PathBuf::from(".")
    } else {
        root
    }])
}

/// One run of every selected test: what `mlpy test` does, and each round of `--watch`.
fn round(cx: &Context, args: &TestArgs, session: &Watch) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let roots = roots(args)?;
    let files = discover::test_files(&roots)?;
    for file in &files {
        session.watch_file(file);
    }
    let cache = ModuleCache::new();
    let shared = runner::Shared {
        config: &args.config,
        filter: args.filter.as_deref(),
        exact: args.exact,
        cache: &cache,
        python: std::env::var_os("MLPY_PYTHON").unwrap_or_else(|| OsString::from("python3")),
        cancel: session.cancel_flag(),
        timeout: args.test_timeout,
    };
    let jobs = args
        .jobs
        .map(|n| n as usize)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .clamp(1, files.len().max(1));
    let human = args.format == DiagnosticFormat::Human;
    let paint = Paint {
        color: cx.style.color,
    };
    let reports = run_all(&shared, &files, jobs, |report| {
        for path in &report.watched {
            session.watch_file(path);
        }
        if human {
            if let Some(line) = report::file_line(report, &paint) {
                outln!("{line}");
            }
        }
    });
    if session.cancel_flag().load(Ordering::SeqCst) {
        return Ok(Outcome::Success);
    }
    let seconds = started.elapsed().as_secs_f64();
    let totals = Totals::of(&reports);
    match args.format {
        DiagnosticFormat::Json => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&report::json(&reports, seconds))?
            );
        }
        DiagnosticFormat::Human => {
            if totals.files == 0 {
                errln!("{}", no_tests_message(args, &roots, files.len()));
            } else {
                out!("{}", report::details(&reports, seconds, &paint));
            }
        }
    }
    let _ = std::io::stdout().flush();
    // After the results are shown: a report that cannot be written (a full disk) does not
    // hide them.
    if let Some(path) = &args.junit {
        mlpy_transpile::write_single_file(&report::junit(&reports, seconds), path, args.force)
            .map_err(|e| junit_error(path, e))?;
    }
    Ok(if totals.files == 0 {
        if args.format == DiagnosticFormat::Json {
            errln!("{}", no_tests_message(args, &roots, files.len()));
        }
        Outcome::NoTests
    } else if totals.ok() {
        Outcome::Success
    } else {
        Outcome::ProgramErrors
    })
}

/// A positive number of seconds (`2`, `0.5`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 1e9) {
        return Err(format!(
            "{text:?}: the limit must be more than 0 seconds (and at most 1e9)"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn no_tests_message(args: &TestArgs, roots: &[PathBuf], files: usize) -> String {
    let places: Vec<String> = roots
        .iter()
        .map(|r| crate::render::display_path(r))
        .collect();
    match (&args.filter, files) {
        (Some(filter), n) if n > 0 => format!(
            "mlpy test: no tests found: no test in {n} test file{} matches --filter {filter:?}{}",
            if n == 1 { "" } else { "s" },
            if args.exact { " --exact" } else { "" }
        ),
        (_, 0) => format!(
            "mlpy test: no tests found: no test files (`*_test.ml`, `test_*.ml`) under {}\n\
             note: in a folder, a `.ml` file is taken for ML (not OCaml) when an mlpy.json is \
             in its folder or one above, or its first line is `// mlpy`; a file named on the \
             command line always is",
            places.join(", ")
        ),
        _ => format!(
            "mlpy test: no tests found: the test files under {} define no top-level `function test_*`",
            places.join(", ")
        ),
    }
}

/// Runs every file on `jobs` threads; `done` sees each report, in the order of `files`,
/// as soon as it and those before it are done.
fn run_all(
    shared: &runner::Shared<'_>,
    files: &[PathBuf],
    jobs: usize,
    mut done: impl FnMut(&FileReport),
) -> Vec<FileReport> {
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<FileReport>> = files.iter().map(|_| None).collect();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        for _ in 0..jobs {
            let sender = sender.clone();
            let next = &next;
            let stop = &stop;
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                if index >= files.len() || stop.load(Ordering::SeqCst) {
                    break;
                }
                let report = runner::run_file(shared, &files[index]);
                if sender.send((index, report)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut printed = 0;
        for (index, report) in receiver {
            slots[index] = Some(report);
            while printed < slots.len() {
                match &slots[printed] {
                    Some(report) => {
                        done(report);
                        printed += 1;
                    }
                    None => break,
                }
            }
            if shared.cancel.load(Ordering::SeqCst) {
                stop.store(true, Ordering::SeqCst);
            }
        }
    });
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_a_positive_number_of_seconds() {
        assert_eq!(parse_seconds("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_seconds(" 1e1 "), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "", "soon", "NaN", "inf", "1e10"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?}");
        }
    }
}
