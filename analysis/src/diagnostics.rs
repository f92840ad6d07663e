//! The one diagnostics entry point: what problems a module of a program has. `mlpy check`,
//! the transpile gate, `mlpy.emitPython` and the language server all ask here, so that the
//! command line and the editor report the same diagnostics (file, range, code, severity,
//! message).

use crate::facts::ProgramFacts;
use mlpy_modules::{
    map_in_parallel, Diagnostic, DiagnosticCode, EdgeTarget, ModuleGraph, ModuleId,
};

/// The diagnostics of module `id` of the program `facts` describes, sorted by position:
/// the graph's (syntax, scoping, imports, cycles, unknown members), the semantic and
/// security checks, and the Python-name collisions its imports bring in. Only diagnostics
/// in the module's own file; `granted` are the program's capabilities.
pub fn module_diagnostics(
    facts: &ProgramFacts<'_>,
    id: ModuleId,
    granted: &[String],
) -> Vec<Diagnostic> {
    let graph = facts.graph;
    let module = graph.module(id);
    let mut list = crate::graph_checks::module_diagnostics(graph, id);
    list.extend(crate::check::module_checks(facts, id, granted));
    list.extend(name_collisions_at(facts, id));
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

/// Two modules that would be the same Python module (`class.ml` and `ml_class.ml`),
/// reported at each import in module `id` that brings in one of them: that is where the
/// program says it wants both, and where the editor shows it when the module is checked.
fn name_collisions_at(facts: &ProgramFacts<'_>, id: ModuleId) -> Vec<Diagnostic> {
    let graph = facts.graph;
    let module = graph.module(id);
    let mut out = Vec::new();
    for edge in &module.imports {
        let Ok(EdgeTarget::Module(target)) = &edge.target else {
            continue;
        };
        let py = facts.module(*target).py_module.as_str();
        let same = facts.modules_named(py);
        if same.len() < 2 {
            continue;
        }
        let others: Vec<String> = same
            .iter()
            .filter(|m| *m != target)
            .map(|m| format!("'{}'", graph.module(*m).name))
            .collect();
        out.push(
            Diagnostic::error(
                DiagnosticCode::ModuleNameCollision,
                &module.path,
                edge.target_range,
                format!(
                    "module '{}' would be the same Python module '{py}' as {}",
                    graph.module(*target).name,
                    others.join(" and ")
                ),
            )
            .with_note("names that are Python keywords or Python standard-library modules get the prefix 'ml_'; rename one of the modules"),
        );
    }
    out
}
