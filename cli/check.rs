//! `mlpy check`: report every problem of ML files.

use crate::render::{self, Sources};
use crate::{Context, DiagnosticFormat, Outcome};
use clap::Args;
use mlpy_modules::Diagnostic;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct CheckArgs {
    /// ML files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,
}

pub fn run(cx: &Context, args: CheckArgs) -> anyhow::Result<Outcome> {
    let mut sources = Sources::default();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for file in &args.files {
        let text: Arc<str> = crate::read_source(file)?.into();
        let parse = mlpy_syntax::parse(&text);
        diagnostics.extend(
            parse
                .errors()
                .iter()
                .map(|e| Diagnostic::from_syntax(file, e)),
        );
        sources.insert(file, text);
    }
    report(
        cx,
        &mut sources,
        &diagnostics,
        args.files.len(),
        args.format,
    )
}

/// Prints diagnostics and a summary; the outcome is an error when any is an error.
pub fn report(
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
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        DiagnosticFormat::Human => {
            for d in diagnostics {
                println!("{}", render::human(d, sources, &cx.style));
            }
            let files_word = if files == 1 { "file" } else { "files" };
            if diagnostics.is_empty() {
                println!("Checked {files} {files_word}: no problems found.");
            } else {
                println!(
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
