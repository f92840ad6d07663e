//! `mlpy check`: report every problem of ML programs — syntax, imports, cycles, unknown
//! members — in every module they reach. `--watch` checks again whenever one of those
//! modules or mlpy.json changes (`watch.rs`).

use crate::project::{self, ConfigArgs};
use crate::render::{self, Sources};
use crate::watch::{self, Watch};
use crate::{Context, DiagnosticFormat, Outcome};
use clap::Args;
use mlpy_modules::{Diagnostic, ModuleCache};
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// Entry files of the programs to check; every module they import is checked too.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,

    /// Check again whenever a module of the programs or mlpy.json changes; Ctrl-C ends it.
    #[arg(long)]
    watch: bool,

    #[command(flatten)]
    config: ConfigArgs,
}

pub(crate) fn run(cx: &Context, args: CheckArgs) -> anyhow::Result<Outcome> {
    if args.watch {
        return watch::watch(|session| {
            for file in &args.files {
                session.watch_file(file);
            }
            check(cx, &args, session).map(|_| None)
        });
    }
    mlpy_allocator::for_command_that_ends_soon();
    check(cx, &args, &Watch::inactive())
}

/// One check of every program; `session` learns the files it read (watch mode, which also
/// frees what a check built: the process goes on).
fn check(cx: &Context, args: &CheckArgs, session: &Watch) -> anyhow::Result<Outcome> {
    let cache = ModuleCache::new();
    let mut sources = Sources::default();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut seen = HashSet::new();
    let mut modules = HashSet::new();
    // An entry that cannot be loaded (missing, unreadable, a broken mlpy.json) does not
    // hide the others' diagnostics: it is reported after them, and the exit status is 2.
    let mut unloadable = Vec::new();
    for file in &args.files {
        if let Ok(config) = args.config.config_for(file) {
            session.watch_config(&config);
        }
        let program = match project::load(&args.config, file, &cache) {
            Ok(program) => program,
            Err(e) => {
                unloadable.push(e);
                continue;
            }
        };
        session.watch_program(&program.graph, &program.resolver);
        for module in &program.graph.modules {
            if modules.insert(module.path.clone()) {
                sources.insert(&module.path, module.file.text.clone());
            }
        }
        // The same diagnostics as the transpile gate and the editor (one entry point).
        let granted = &program.resolver.config().capabilities;
        let found = mlpy_analysis::diagnostics::program_diagnostics(&program.graph, granted);
        for d in found {
            if seen.insert((d.file.clone(), d.range, d.message.clone())) {
                diagnostics.push(d);
            }
        }
        // The process ends right after the report: freeing thousands of syntax trees
        // one by one would take longer than checking them.
        if !args.watch {
            std::mem::forget(program);
        }
    }
    let Some(last) = unloadable.pop() else {
        return report(cx, &mut sources, &diagnostics, modules.len(), args.format);
    };
    if unloadable.len() + 1 < args.files.len() {
        report(cx, &mut sources, &diagnostics, modules.len(), args.format)?;
    }
    for e in &unloadable {
        errln!("{}", crate::error_message(e));
    }
    Err(last)
}

/// Prints diagnostics and a summary; the outcome is an error when any is an error.
pub(crate) fn report(
    cx: &Context,
    sources: &mut Sources,
    diagnostics: &[Diagnostic],
    files: usize,
    format: DiagnosticFormat,
) -> anyhow::Result<Outcome> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        DiagnosticFormat::Json => {
            let list: Vec<_> = diagnostics
                .iter()
                .map(|d| render::json(d, sources))
                .collect();
            let out = serde_json::json!({
                "diagnostics": list,
                "summary": { "files": files, "errors": errors, "warnings": warnings },
            });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        DiagnosticFormat::Human => {
            for d in diagnostics {
                outln!("{}", render::human(d, sources, &cx.style));
            }
            let files_word = if files == 1 { "file" } else { "files" };
            if diagnostics.is_empty() {
                outln!("Checked {files} {files_word}: no problems found.");
            } else {
                outln!(
                    "Checked {files} {files_word}: {errors} error{}, {warnings} warning{}.",
                    if errors == 1 { "" } else { "s" },
                    if warnings == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(if errors > 0 {
        Outcome::ProgramErrors
    } else {
        Outcome::Success
    })
}
