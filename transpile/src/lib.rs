//! The "emit Python" half of mlpy: the Python emitter, and single-file and multi-file
//! output with source maps. The checks it runs first (its gate) are `mlpy_analysis`'s
//! diagnostics, the same the CLI and the editor report.
//!
//! The transpiler never resolves an import itself: it works on a
//! [`mlpy_modules::ModuleGraph`] built by the resolver.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
//! let config = ProjectConfig::discover("main.ml".as_ref()).unwrap();
//! let resolver = Resolver::new(Arc::new(config.clone()));
//! let graph = ModuleGraph::build("main.ml".as_ref(), &resolver, &ModuleCache::new()).unwrap();
//! let options = mlpy_transpile::Options::new(&config);
//! match mlpy_transpile::transpile_single(&graph, &options) {
//!     Ok(out) => std::fs::write("main.py", out.text).unwrap(),
//!     Err(diagnostics) => eprintln!("{} problems", diagnostics.len()),
//! }
//! ```

mod emit;
mod output;
pub mod pyliteral;
pub mod runtime;
pub mod session;
pub mod write;

pub use output::{relative_path, source_name, OutputFile};
pub use write::{
    check_single_file, write_output_tree, write_single_file, write_tree, written_by_mlpy,
    WriteError, WriteOptions, GENERATED_XML_HEADER, OUTPUT_MARKER,
};

use mlpy_analysis::facts::ProgramFacts;
use mlpy_modules::{Diagnostic, ModuleGraph, ProjectConfig};
use std::path::PathBuf;

/// What the emitted program is given and how it names ML files.
#[derive(Debug, Clone)]
pub struct Options {
    /// Capabilities granted to the program (`mlpy.json` and `--allow`).
    pub capabilities: Vec<String>,
    /// ML file names in source maps and error reports are relative to this folder.
    pub source_base: PathBuf,
}

impl Options {
    /// The project's capabilities; ML files named relative to the project root.
    pub fn new(config: &ProjectConfig) -> Options {
        Options {
            capabilities: config.capabilities.clone(),
            source_base: config.root.clone(),
        }
    }
}

/// Single-file output.
#[derive(Debug, Clone)]
pub struct SingleFile {
    pub text: String,
    /// Warnings found on the way (errors prevent output).
    pub warnings: Vec<Diagnostic>,
}

/// Multi-file output: paths relative to the output folder.
#[derive(Debug, Clone)]
pub struct MultiFile {
    pub files: Vec<OutputFile>,
    /// The file to run (`main.py`).
    pub entry: PathBuf,
    pub warnings: Vec<Diagnostic>,
}

fn gate(facts: &ProgramFacts<'_>, options: &Options) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let diagnostics =
        mlpy_analysis::diagnostics::program_diagnostics_with(facts, &options.capabilities);
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok(diagnostics)
    }
}

/// The whole program as one Python file that runs with a bare `python3`: every module
/// defined in dependency order, the runtime parts it uses embedded. Checks first: any
/// error gives the diagnostics and no output.
pub fn transpile_single(
    graph: &ModuleGraph,
    options: &Options,
) -> Result<SingleFile, Vec<Diagnostic>> {
    let facts = ProgramFacts::new(graph);
    let warnings = gate(&facts, options)?;
    let text = output::single_file(&facts, &options.capabilities, &options.source_base);
    Ok(SingleFile { text, warnings })
}

/// The program as a folder: one `.py` per module (dotted names as folders), `__init__.py`
/// where needed, `mlpy_runtime/` beside. Checks first, like [`transpile_single`].
pub fn transpile_multi(
    graph: &ModuleGraph,
    options: &Options,
) -> Result<MultiFile, Vec<Diagnostic>> {
    let facts = ProgramFacts::new(graph);
    let warnings = gate(&facts, options)?;
    let (files, entry) = output::multi_file(&facts, &options.capabilities, &options.source_base);
    Ok(MultiFile {
        files,
        entry,
        warnings,
    })
}

/// The program as a folder *without the checks*: the static rules (unknown names, dangerous
/// builtins, dunders) are not applied. Only the sandbox's attack suite uses it
/// (`tests/sandbox_attacks.rs`), to show that the run-time layers hold on their own; the
/// `mlpy` command never calls it.
#[doc(hidden)]
pub fn transpile_multi_unchecked(graph: &ModuleGraph, options: &Options) -> MultiFile {
    let facts = ProgramFacts::new(graph);
    let (files, entry) = output::multi_file(&facts, &options.capabilities, &options.source_base);
    MultiFile {
        files,
        entry,
        warnings: Vec::new(),
    }
}
