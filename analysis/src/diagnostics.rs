//! The one diagnostics entry point: what problems a module of a program has. `mlpy check`,
//! the transpile gate, `mlpy.emitPython` and the language server all ask here, so that the
//! command line and the editor report the same diagnostics (file, range, code, severity,
//! message).

use crate::facts::ProgramFacts;
use crate::program_checks::{self, GraphModules};
use mlpy_modules::{map_in_parallel, Diagnostic, ModuleGraph, ModuleId};

/// The diagnostics of module `id` of the program `facts` describes, sorted by position:
/// the graph's (syntax, scoping, imports, cycles, unknown members), the semantic and
/// security checks, and the whole-program ones (`crate::program_checks`: the Python-name
/// collisions its imports bring in, its names that are submodules). Only diagnostics
/// in the module's own file; `granted` are the program's capabilities.
pub fn module_diagnostics(
    facts: &ProgramFacts<'_>,
    id: ModuleId,
    granted: &[String],
) -> Vec<Diagnostic> {
    let module = facts.graph.module(id);
    let program = GraphModules { facts };
    let mut list = local_module_diagnostics(facts, id, granted);
    list.extend(
        program_checks::module_diagnostics(facts.graph, id, module.is_entry, &program)
            .into_iter()
            .filter(|d| d.file == module.path),
    );
    list.sort_by_key(|d| (d.range.start(), d.range.end()));
    list
}

/// [`module_diagnostics`] without the whole-program ones (`crate::program_checks`): what
/// the module, what it imports and the import cycles it is in say, whatever program it is
/// part of. Sorted by position; only diagnostics in the module's own file.
pub fn local_module_diagnostics(
    facts: &ProgramFacts<'_>,
    id: ModuleId,
    granted: &[String],
) -> Vec<Diagnostic> {
    let graph = facts.graph;
    let module = graph.module(id);
    let mut list = crate::graph_checks::module_diagnostics(graph, id);
    list.extend(crate::check::module_checks(facts, id, granted));
    list.retain(|d| d.file == module.path);
    list.sort_by_key(|d| (d.range.start(), d.range.end()));
    list
}

/// The diagnostics of every module of the graph, module by module in load order.
pub fn program_diagnostics(graph: &ModuleGraph, granted: &[String]) -> Vec<Diagnostic> {
    let facts = ProgramFacts::new(graph);
    program_diagnostics_with(&facts, granted)
}

/// [`program_diagnostics`] with facts already computed (the transpile gate reuses them).
/// The modules are checked in parallel (a program of thousands of modules spent a third
/// of its check here, on one core), a handful of them on this thread; the list keeps load
/// order.
pub fn program_diagnostics_with(facts: &ProgramFacts<'_>, granted: &[String]) -> Vec<Diagnostic> {
    map_in_parallel(&facts.graph.modules, |m| {
        module_diagnostics(facts, m.id, granted)
    })
    .into_iter()
    .flatten()
    .collect()
}
