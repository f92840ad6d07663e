//! The program being debugged: the emitted files, the ML module behind each one, and
//! what translating between them needs (line maps, the Python names of ML bindings, the
//! names the emitted glue binds that ML code never sees).

use crate::sourcemap::{BreakLines, MapError, SourceMap};
use mlpy_analysis::facts::ProgramFacts;
use mlpy_modules::scopes::BindingId;
use mlpy_modules::{ModuleGraph, ModuleId, Origin};
use mlpy_transpile::OutputFile;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What the command line hands the adapter for one launch: a transpiled program written
/// to its folder, and the graph it was transpiled from.
pub struct Prepared {
    /// The folder the program was written to.
    pub dir: PathBuf,
    /// The entry's file, relative to `dir`.
    pub entry: PathBuf,
    /// The launcher's file, relative to `dir` ([`crate::LAUNCHER_FILE`]).
    pub launcher: PathBuf,
    /// Every file written (paths relative to `dir`).
    pub files: Vec<OutputFile>,
    pub graph: ModuleGraph,
    /// The capabilities the program was granted (evaluated expressions are checked with
    /// them too).
    pub capabilities: Vec<String>,
    /// `Options::source_base` of the transpile: how the source maps name ML files.
    pub source_base: PathBuf,
}

/// Why a prepared program cannot be debugged.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    #[error("the emitted file '{file}': {error}")]
    Map { file: String, error: MapError },
    #[error("the emitted file '{file}' names '{name}', which is no module of the program")]
    UnknownModule { file: String, name: String },
    #[error("the emitted program has no entry module")]
    NoEntry,
}

/// One ML module of the program and its emitted file.
pub struct Module {
    pub id: ModuleId,
    /// The ML file (canonical; the cache file of a remote module).
    pub ml_path: PathBuf,
    /// How people name it: relative to the launch's folder, or a remote module's URL.
    pub display: String,
    /// The emitted Python file (absolute).
    pub py_path: PathBuf,
    pub map: SourceMap,
    pub breaks: BreakLines,
    /// Python names bound by the emitted glue at the module's top level that are no ML
    /// binding (the builtins it imports by name, `builtin`).
    pub glue_names: BTreeSet<String>,
    /// ML name of every Python name that differs from it (`ml_from` → `from`).
    pub ml_names: HashMap<String, String>,
    /// The Python name of each of the module's bindings, by binding id.
    pub binding_py: Vec<String>,
}

/// The program: its modules, found by ML file or by emitted file.
pub struct Program {
    pub dir: PathBuf,
    pub entry: PathBuf,
    pub launcher: PathBuf,
    pub modules: Vec<Module>,
    pub graph: ModuleGraph,
    pub capabilities: Vec<String>,
    pub entry_module: usize,
    by_py: HashMap<PathBuf, usize>,
    by_ml: HashMap<PathBuf, usize>,
    runtime_dir: PathBuf,
}

impl Program {
    pub fn new(prepared: Prepared) -> Result<Program, ProgramError> {
        let Prepared {
            dir,
            entry,
            launcher,
            files,
            graph,
            capabilities,
            source_base,
        } = prepared;
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let by_name: HashMap<String, ModuleId> = graph
            .modules
            .iter()
            .map(|node| (mlpy_transpile::source_name(node, &source_base), node.id))
            .collect();
        let facts = ProgramFacts::new(&graph);
        let mut modules = Vec::new();
        for file in &files {
            let path = file.path.to_string_lossy();
            if !path.ends_with(".py") || file.path.starts_with("mlpy_runtime") {
                continue;
            }
            let text: &str = &file.contents;
            if !text.contains("__ml.source_map(__file__, [") {
                // A package folder's `__init__.py`, the launcher.
                continue;
            }
            let map = SourceMap::from_emitted(text).map_err(|error| ProgramError::Map {
                file: path.to_string(),
                error,
            })?;
            let name = map.files.first().cloned().unwrap_or_default();
            let id = *by_name
                .get(&name)
                .ok_or_else(|| ProgramError::UnknownModule {
                    file: path.to_string(),
                    name: name.clone(),
                })?;
            let node = graph.module(id);
            let scopes = node.file.scopes();
            let binding_py: Vec<String> = (0..scopes.bindings.len())
                .map(|b| facts.binding_py_name(id, BindingId(b as u32)))
                .collect();
            let mut ml_names = HashMap::new();
            for (binding, py) in scopes.bindings.iter().zip(&binding_py) {
                if binding.name != *py {
                    ml_names.insert(py.clone(), binding.name.clone());
                }
            }
            let display = match &node.origin {
                Origin::Remote(url) => url.clone(),
                Origin::File => name.clone(),
            };
            modules.push(Module {
                id,
                ml_path: node.path.clone(),
                display,
                py_path: dir.join(&file.path),
                breaks: BreakLines::new(&map, text),
                map,
                glue_names: glue_names(text),
                ml_names,
                binding_py,
            });
        }
        let by_py = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.py_path.clone(), i))
            .collect();
        let by_ml = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.ml_path.clone(), i))
            .collect();
        let entry_module = modules
            .iter()
            .position(|m| m.id == graph.entry)
            .ok_or(ProgramError::NoEntry)?;
        Ok(Program {
            runtime_dir: dir.join("mlpy_runtime"),
            launcher: dir.join(launcher),
            entry: dir.join(entry),
            dir,
            modules,
            graph,
            capabilities,
            entry_module,
            by_py,
            by_ml,
        })
    }

    /// The module whose ML file is `path` (as the editor names it).
    pub fn by_ml_path(&self, path: &Path) -> Option<usize> {
        if let Some(&i) = self.by_ml.get(path) {
            return Some(i);
        }
        let canonical = std::fs::canonicalize(path).ok()?;
        self.by_ml.get(&canonical).copied()
    }

    /// The module whose emitted file is `path` (as debugpy names it).
    pub fn by_py_path(&self, path: &Path) -> Option<usize> {
        if let Some(&i) = self.by_py.get(path) {
            return Some(i);
        }
        let canonical = std::fs::canonicalize(path).ok()?;
        self.by_py.get(&canonical).copied()
    }

    /// The runtime's folder inside the program folder (never shown, never stepped into).
    pub fn runtime_dir(&self) -> &Path {
        &self.runtime_dir
    }

    pub fn module(&self, index: usize) -> &Module {
        &self.modules[index]
    }

    /// The ML text of a module.
    pub fn ml_text(&self, index: usize) -> &str {
        &self.graph.module(self.modules[index].id).file.text
    }

    /// The 1-based column of the first character of an ML line that is not blank (DAP
    /// columns count UTF-16 code units).
    pub fn ml_column(&self, index: usize, line: u32) -> u32 {
        let text = self.ml_text(index);
        let Some(line_text) = text.split('\n').nth(line.saturating_sub(1) as usize) else {
            return 1;
        };
        let indent: usize = line_text
            .chars()
            .take_while(|c| c.is_whitespace())
            .map(char::len_utf16)
            .sum();
        indent as u32 + 1
    }

    /// The ML name of a Python name bound in module `index`; `None` for names of the
    /// emitted glue (they all start with `__`) and the builtins it imports.
    pub fn ml_name(&self, index: Option<usize>, py: &str, top_level: bool) -> Option<String> {
        if py.starts_with("__") {
            return None;
        }
        if let Some(module) = index.map(|i| &self.modules[i]) {
            if top_level && module.glue_names.contains(py) {
                return None;
            }
            if let Some(ml) = module.ml_names.get(py) {
                return Some(ml.clone());
            }
        }
        Some(ml_identifier(py).to_string())
    }
}

/// The ML identifier of a Python name the emitter renamed for being reserved in Python
/// (`ml_from` → `from`), or the name itself.
pub fn ml_identifier(py: &str) -> &str {
    match py.strip_prefix(mlpy_analysis::names::RENAME_PREFIX) {
        Some(rest) if mlpy_analysis::names::is_reserved(rest) => rest,
        _ => py,
    }
}

/// Names the glue of an emitted module binds among its ML globals: the builtins it
/// imports by name (`from mlpy_runtime.builtins import len, print`) and `builtin`.
fn glue_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(names) = line.strip_prefix("from mlpy_runtime.builtins import ") {
            out.extend(names.split(',').map(|n| n.trim().to_string()));
        } else if line == "import mlpy_runtime.builtins as builtin" {
            out.insert("builtin".to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_names_are_shown_as_written_in_ml() {
        assert_eq!(ml_identifier("ml_from"), "from");
        assert_eq!(ml_identifier("ml_Exception"), "Exception");
        assert_eq!(ml_identifier("ml_total"), "ml_total");
        assert_eq!(ml_identifier("area"), "area");
        let names = glue_names(
            "def __mlpy_body():\n    global len, x\n    from mlpy_runtime.builtins import len, print\n    import mlpy_runtime.builtins as builtin\n",
        );
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["builtin", "len", "print"]
        );
    }
}
