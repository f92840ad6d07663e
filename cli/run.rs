//! `mlpy run`: transpile (multi-file) into a cache folder and run it with `python3`, in the
//! user's working directory, with stdin, stdout, stderr, the program's arguments and its
//! exit status passed through.
//!
//! The cache folder is the one remote imports use ([`mlpy_fsutil::cache_dir`]:
//! `$MLPY_CACHE_DIR`, else `$XDG_CACHE_HOME/mlpy`, else `~/.cache/mlpy`, else a folder of
//! the user's in the temporary folder); inside,
//! `run/<hash of the entry path>/<hash of the output>/`. An
//! unchanged program reuses its folder once its files are checked against what mlpy
//! would write (`run_cache`); a new or changed one is written to a temporary folder and
//! renamed into place, so a half-written or tampered program never runs.
//!
//! `--watch` runs the program again whenever one of its modules or mlpy.json changes
//! (`watch.rs`): the program then runs as a child of mlpy, stopped before the next run.

use crate::project::{self, ConfigArgs};
use crate::run_cache;
use crate::transpile_cmd::{print_diagnostics, refuse};
use crate::watch::{self, Watch};
use crate::{Context, Outcome};
use clap::Args;
use mlpy_modules::ModuleCache;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

#[derive(Args)]
pub(crate) struct RunArgs {
    /// The entry file.
    file: PathBuf,

    #[command(flatten)]
    config: ConfigArgs,

    /// Run again whenever a module of the program or mlpy.json changes (a program still
    /// running is stopped first); Ctrl-C ends it.
    #[arg(long)]
    watch: bool,

    /// Arguments for the program (after `--`).
    #[arg(last = true, value_name = "ARGS")]
    args: Vec<OsString>,
}

pub(crate) fn run(cx: &Context, args: RunArgs) -> anyhow::Result<Outcome> {
    if args.watch {
        return watch::watch(|session| {
            session.watch_file(&args.file);
            prepare(cx, &args, session)
        });
    }
    match prepare(cx, &args, &Watch::inactive())? {
        Some(command) => {
            let python = command.get_program().to_os_string();
            exec(command, &python)
        }
        None => Ok(Outcome::ProgramErrors),
    }
}

/// Transpiles the program into the cache and returns the command that runs it, or None
/// when it has errors (reported).
fn prepare(cx: &Context, args: &RunArgs, session: &Watch) -> anyhow::Result<Option<Command>> {
    let cache = ModuleCache::new();
    if let Ok(config) = args.config.config_for(&args.file) {
        session.watch_config(&config);
    }
    let program = project::load(&args.config, &args.file, &cache)?;
    let config = program.resolver.config();
    session.watch_program(&program.graph, &program.resolver);
    let mut options = mlpy_transpile::Options::new(config);
    // Errors at run time name ML files as the user sees them from here.
    if let Ok(cwd) = std::env::current_dir() {
        options.source_base = cwd;
    }
    let graph = &program.graph;
    let out = match mlpy_transpile::transpile_multi(graph, &options) {
        Ok(out) => out,
        Err(diagnostics) => {
            refuse(cx, graph, &diagnostics, "");
            return Ok(None);
        }
    };
    print_diagnostics(cx, graph, &out.warnings);

    let dir = run_cache::prepare_program("run", Some(&graph.entry_module().path), &out.files)
        .map_err(anyhow::Error::msg)?;

    let python = std::env::var_os("MLPY_PYTHON").unwrap_or_else(|| OsString::from("python3"));
    let mut command = Command::new(&python);
    command.arg(dir.join(&out.entry)).args(&args.args);
    Ok(Some(command))
}

#[cfg(unix)]
fn exec(mut command: Command, python: &OsString) -> anyhow::Result<Outcome> {
    use std::os::unix::process::CommandExt;
    // Replaces this process: signals, stdio and the exit status are Python's own.
    let error = command.exec();
    Err(cannot_start(python, error))
}

#[cfg(not(unix))]
fn exec(mut command: Command, python: &OsString) -> anyhow::Result<Outcome> {
    let status = command.status().map_err(|e| cannot_start(python, e))?;
    std::process::exit(status.code().unwrap_or(1))
}

fn cannot_start(python: &OsString, error: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot start '{}': {error} (mlpy run needs Python 3.9 or newer; set MLPY_PYTHON to the interpreter to use)",
        python.to_string_lossy()
    )
}
