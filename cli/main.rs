//! `mlpy`: check, transpile and run ML programs, and serve editors.

#[macro_use]
mod console;

mod check;
mod dap;
mod fetch;
mod fmt;
mod graph;
mod lsp;
mod parse_cmd;
mod project;
mod publish;
mod remote;
mod render;
mod repl;
mod run;
mod run_cache;
mod test_cmd;
mod transpile_cmd;
mod watch;

use clap::{Parser, Subcommand, ValueEnum};

// Syntax trees allocate many small nodes; mimalloc is markedly faster at that.
#[global_allocator]
static GLOBAL: mlpy_allocator::MiMalloc = mlpy_allocator::MiMalloc;

use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mlpy",
    version,
    about = "Check, transpile and run ML programs; serve editors",
    long_about = "mlpy compiles ML, a small JavaScript-like language, to Python.\n\n\
                  Exit status: 0 on success, 1 when the program has errors, 2 when mlpy \
                  could not do what was asked (bad arguments, unreadable files)."
)]
struct Cli {
    /// When to color human-readable output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Report every problem of ML programs: syntax, imports, cycles, unknown members.
    Check(check::CheckArgs),
    /// Print the module dependency graph of a program.
    Graph(graph::GraphArgs),
    /// Print the syntax tree of an ML file.
    Parse(parse_cmd::ParseArgs),
    /// Download the remote modules of programs into the cache and record them in mlpy.lock.
    Fetch(fetch::FetchArgs),
    /// Create a key pair to sign remote modules with (minisign format).
    Keygen(publish::KeygenArgs),
    /// Sign modules: write FILE.sig (SHA-256) and FILE.minisig (ed25519) beside each.
    Sign(publish::SignArgs),
    /// Write a signed module tree (modules, .sig, .minisig, index.json) for a web server.
    Publish(publish::PublishArgs),
    /// Run the language server (LSP over standard input and output).
    Lsp(lsp::LspArgs),
    /// Compile an ML program to Python: one self-contained file, or a folder (--out-dir).
    Transpile(transpile_cmd::TranspileArgs),
    /// Compile an ML program and run it with python3 (arguments for it after `--`).
    Run(run::RunArgs),
    /// Debug ML programs: a Debug Adapter Protocol server over stdio, on debugpy.
    Dap(dap::DapArgs),
    /// Format ML files in the one canonical style (in place, or --check, --diff, `-`).
    Fmt(fmt::FmtArgs),
    /// An interactive ML session (a pipe on standard input: run every input, no prompts).
    Repl(repl::ReplArgs),
    /// Run the tests: `function test_*` in `*_test.ml` and `test_*.ml` (exit 5: none found).
    Test(test_cmd::TestArgs),
}

/// Output format for commands that report diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    Human,
    Json,
}

pub struct Context {
    pub style: render::Style,
}

/// What a command reports back: the exit status it wants.
pub enum Outcome {
    Success,
    ProgramErrors,
    /// `mlpy test` found no test to run (exit status 5, as pytest's).
    NoTests,
}

/// A command whose output another program reads (`mlpy check | head -1`) ends quietly when
/// that reader goes away, as Unix tools do, instead of failing at its next write (Rust
/// ignores `SIGPIPE`, so a write would give an error, reported as a failed write; see `console`).
/// Not for the commands that speak a protocol or drive a terminal: they handle their own
/// pipes.
fn end_quietly_when_output_closes() {
    #[cfg(unix)]
    // SAFETY: called once, on the main thread, before any other thread starts; it only
    // restores the default action of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let cx = Context {
        style: render::Style { color },
    };
    if !matches!(
        cli.command,
        Command::Lsp(_) | Command::Dap(_) | Command::Repl(_)
    ) {
        end_quietly_when_output_closes();
    }
    if matches!(
        cli.command,
        Command::Check(_)
            | Command::Graph(_)
            | Command::Fetch(_)
            | Command::Keygen(_)
            | Command::Sign(_)
            | Command::Publish(_)
            | Command::Transpile(_)
            | Command::Fmt(_)
    ) {
        // These write files and run nothing: Ctrl-C leaves no temporary file behind.
        // (`mlpy run`, `test` and `repl` leave Ctrl-C to the Python they run.)
        mlpy_fsutil::interrupt::remove_pending_on_interrupt();
    }
    let result = match cli.command {
        Command::Check(args) => check::run(&cx, args),
        Command::Graph(args) => graph::run(&cx, args),
        Command::Parse(args) => parse_cmd::run(&cx, args),
        Command::Fetch(args) => fetch::run(&cx, args),
        Command::Keygen(args) => publish::keygen(&cx, args),
        Command::Sign(args) => publish::sign(&cx, args),
        Command::Publish(args) => publish::publish_tree(&cx, args),
        Command::Lsp(args) => lsp::run(&cx, args),
        Command::Transpile(args) => transpile_cmd::run(&cx, args),
        Command::Run(args) => run::run(&cx, args),
        Command::Dap(args) => dap::run(&cx, args),
        Command::Fmt(args) => fmt::run(&cx, args),
        Command::Repl(args) => repl::run(&cx, args),
        Command::Test(args) => test_cmd::run(&cx, args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ProgramErrors) => ExitCode::from(1),
        Ok(Outcome::NoTests) => ExitCode::from(5),
        Err(error) => {
            errln!("{}", error_message(&error));
            ExitCode::from(2)
        }
    }
}

/// What a command's error says to people: a bad mlpy.json or entry file like any
/// diagnostic, with the file and place first.
pub(crate) fn error_message(error: &anyhow::Error) -> String {
    match error.downcast_ref::<mlpy_modules::ConfigError>() {
        Some(config) => format!(
            "{}: error: {}",
            render::config_place(config),
            config.message
        ),
        None => match error.downcast_ref::<mlpy_modules::EntryError>() {
            Some(mlpy_modules::EntryError {
                path,
                message,
                position: Some((line, column)),
            }) => format!(
                "{}:{line}:{column}: error: {message}",
                render::display_path(path)
            ),
            _ => format!("mlpy: error: {error:#}"),
        },
    }
}

/// Reads an ML source file, with a message that names it when that fails.
pub fn read_source(path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = mlpy_fsutil::read_regular_file(path)
        .map_err(|e| anyhow::anyhow!("cannot read '{}': {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) =
            mlpy_modules::cache::utf8_error_position(e.as_bytes(), &e.utf8_error());
        anyhow::Error::new(mlpy_modules::EntryError {
            path: path.to_path_buf(),
            message: "not valid UTF-8: ML source files must be UTF-8 text".to_string(),
            position: Some((line, column)),
        })
    })
}
