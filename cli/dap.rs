//! `mlpy dap`: the ML debug adapter (the `mlpy-dap` crate) over standard input and output,
//! with the part only the command line does: loading a launch's program exactly as
//! `mlpy run` loads it (`mlpy.json`, import paths, capabilities, remote modules), checking
//! and transpiling it, and writing it with the debugger's launcher into mlpy's cache
//! (`dap/<hash of the entry path>/<hash of the output>/`, checked like `mlpy run`'s folders
//! before every reuse).

use crate::project::{self, ConfigArgs};
use crate::render::{self, Sources, Style};
use crate::run_cache;
use crate::{Context, Outcome};
use clap::{Args, Parser};
use mlpy_dap::{LaunchArgs, LoadError, Loader, Prepared, LAUNCHER_FILE, LAUNCHER_SOURCE};
use mlpy_modules::ModuleCache;
use mlpy_transpile::OutputFile;
use std::borrow::Cow;
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct DapArgs {}

pub(crate) fn run(_cx: &Context, _args: DapArgs) -> anyhow::Result<Outcome> {
    let python = std::env::var_os("MLPY_PYTHON").unwrap_or_else(|| OsString::from("python3"));
    mlpy_dap::serve(
        std::io::stdin(),
        std::io::stdout(),
        Box::new(CliLoader),
        python,
    );
    Ok(Outcome::Success)
}

/// The flags of `mlpy run` a launch configuration stands for.
#[derive(Parser)]
#[command(name = "launch configuration", no_binary_name = true)]
struct LaunchFlags {
    #[command(flatten)]
    config: ConfigArgs,
}

struct CliLoader;

impl Loader for CliLoader {
    fn prepare(&self, launch: &LaunchArgs) -> Result<Prepared, LoadError> {
        let fail = |message: String| LoadError {
            message,
            details: String::new(),
        };
        // Relative paths (the program, import paths, --config) mean what they mean to
        // `mlpy run` started in the launch's folder.
        std::env::set_current_dir(&launch.cwd).map_err(|e| {
            fail(format!(
                "cannot use the folder '{}': {e}",
                launch.cwd.display()
            ))
        })?;
        let flags = LaunchFlags::try_parse_from(&launch.flags)
            .map_err(|e| fail(e.render().to_string().trim().to_string()))?;
        let cache = ModuleCache::new();
        let program = project::load(&flags.config, &launch.program, &cache)
            .map_err(|e| fail(describe(&e)))?;
        let config = program.resolver.config();
        let mut options = mlpy_transpile::Options::new(config);
        options.source_base = launch.cwd.clone();
        let graph = program.graph;
        let out = match mlpy_transpile::transpile_multi(&graph, &options) {
            Ok(out) => out,
            Err(diagnostics) => {
                let mut sources = Sources::of_program(&graph);
                let style = Style { color: false };
                let mut details = String::new();
                for d in &diagnostics {
                    details.push_str(&render::human(d, &mut sources, &style));
                    details.push('\n');
                }
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                return Err(LoadError {
                    message: format!(
                        "could not compile {} ({errors} error{})",
                        render::display_path(&graph.entry_module().path),
                        if errors == 1 { "" } else { "s" }
                    ),
                    details,
                });
            }
        };
        let mut files = out.files;
        files.push(OutputFile {
            path: PathBuf::from(LAUNCHER_FILE),
            contents: Cow::Borrowed(LAUNCHER_SOURCE),
        });
        let dir = run_cache::prepare_program("dap", Some(&graph.entry_module().path), &files)
            .map_err(fail)?;
        Ok(Prepared {
            dir,
            entry: out.entry,
            launcher: PathBuf::from(LAUNCHER_FILE),
            files,
            graph,
            capabilities: options.capabilities,
            source_base: options.source_base,
        })
    }
}

/// An error of loading as `mlpy run` reports it: a configuration or entry problem with
/// its place first.
fn describe(error: &anyhow::Error) -> String {
    if let Some(config) = error.downcast_ref::<mlpy_modules::ConfigError>() {
        return format!("{}: {}", render::config_place(config), config.message);
    }
    if let Some(entry) = error.downcast_ref::<mlpy_modules::EntryError>() {
        return match entry.position {
            Some((line, column)) => format!(
                "{}:{line}:{column}: {}",
                render::display_path(&entry.path),
                entry.message
            ),
            None => format!("{}: {}", render::display_path(&entry.path), entry.message),
        };
    }
    format!("{error:#}")
}
