//! `mlpy transpile`: ML to Python, as one self-contained file or as a folder with one
//! `.py` per module. Checks first; a program with errors writes nothing.

use crate::project::{self, ConfigArgs};
use crate::render::{self, Sources};
use crate::{Context, Outcome};
use clap::Args;
use mlpy_modules::{Diagnostic, ModuleCache, ModuleGraph};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct TranspileArgs {
    /// The entry file; every module it imports is transpiled too.
    file: PathBuf,

    /// Write one self-contained Python file (runtime included) here; `-` for stdout.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "out_dir"
    )]
    output: Option<PathBuf>,

    /// Write a folder: one `.py` per module, `__init__.py` where needed, `mlpy_runtime/`.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    #[command(flatten)]
    config: ConfigArgs,
}

const NOTHING_WRITTEN: &str = "; nothing was written";

pub fn run(cx: &Context, args: TranspileArgs) -> anyhow::Result<Outcome> {
    let cache = ModuleCache::new();
    let program = project::load(&args.config, &args.file, &cache)?;
    let config = program.resolver.config();
    let options = mlpy_transpile::Options::new(config);
    let graph = &program.graph;
    if let Some(dir) = &args.out_dir {
        let out = match mlpy_transpile::transpile_multi(graph, &options) {
            Ok(out) => out,
            Err(diagnostics) => return Ok(refuse(cx, graph, &diagnostics, NOTHING_WRITTEN)),
        };
        print_diagnostics(cx, graph, &out.warnings);
        mlpy_transpile::write_tree(&out.files, dir)
            .map_err(|e| anyhow::anyhow!("cannot write '{}': {e}", dir.display()))?;
        eprintln!(
            "Wrote {} modules to {} (run: python3 {})",
            graph.len(),
            render::display_path(dir),
            render::display_path(&dir.join(&out.entry))
        );
        return Ok(Outcome::Success);
    }
    let out = match mlpy_transpile::transpile_single(graph, &options) {
        Ok(out) => out,
        Err(diagnostics) => return Ok(refuse(cx, graph, &diagnostics, NOTHING_WRITTEN)),
    };
    print_diagnostics(cx, graph, &out.warnings);
    match args.output.as_deref() {
        None => write_stdout(&out.text)?,
        Some(path) if path == Path::new("-") => write_stdout(&out.text)?,
        Some(path) => {
            let target = std::fs::canonicalize(path).ok();
            if target.is_some()
                && graph
                    .modules
                    .iter()
                    .any(|m| Some(&m.path) == target.as_ref())
            {
                anyhow::bail!(
                    "refusing to write the output over the ML source '{}'",
                    path.display()
                );
            }
            mlpy_transpile::write_file(&out.text, path)
                .map_err(|e| anyhow::anyhow!("cannot write '{}': {e}", path.display()))?;
        }
    }
    Ok(Outcome::Success)
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Prints diagnostics (to stderr: stdout may carry the program).
pub fn print_diagnostics(cx: &Context, graph: &ModuleGraph, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let mut sources = Sources::default();
    for module in &graph.modules {
        sources.insert(&module.path, module.file.text.clone());
    }
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(stderr, "{}", render::human(d, &mut sources, &cx.style));
    }
}

/// Reports why a program cannot be transpiled.
pub fn refuse(
    cx: &Context,
    graph: &ModuleGraph,
    diagnostics: &[Diagnostic],
    what: &str,
) -> Outcome {
    print_diagnostics(cx, graph, diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "error: could not compile {} ({errors} error{}){what}",
        render::display_path(&graph.entry_module().path),
        if errors == 1 { "" } else { "s" }
    );
    Outcome::ProgramErrors
}
