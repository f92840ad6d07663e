//! The one diagnostics entry point: what problems a module of a program has. `mlpy check`,
//! the transpile gate, `mlpy.emitPython` and the language server all ask here, so that the
//! command line and the editor report the same diagnostics (file, range, code, severity,
//! message).

use crate::facts::ProgramFacts;
use mlpy_modules::scopes::{BindingKind, NameRes};
use mlpy_modules::{
    map_in_parallel, Diagnostic, DiagnosticCode, EdgeTarget, ModuleGraph, ModuleId, ModuleNode,
};
use mlpy_syntax::TextRange;
use rustc_hash::FxHashMap;

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
    list.extend(names_of_submodules(facts, id));
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

/// A top-level name of a module that is also the name of one of its submodules in the
/// program (`b = 5;` in `p/__init__.ml` beside `p/b.ml`; `import x as b;` there; a
/// package `geo` doing `import geo.True.geo as True;`). In Python a module's globals are
/// its attributes and importing `p.b` sets the attribute `b` of `p`, so one replaces the
/// other, in an order that depends on who imports what first: `p.b.n` or `p`'s own `b`
/// breaks, far from here. Reported at the name's first definition. An alias of the very
/// submodule (`import p.b as b;` in `p`) is the same module, and allowed.
fn names_of_submodules(facts: &ProgramFacts<'_>, id: ModuleId) -> Vec<Diagnostic> {
    let graph = facts.graph;
    let module = graph.module(id);
    let children = facts.submodules_of(&module.name);
    if module.is_entry || children.is_empty() {
        return Vec::new();
    }
    let scopes = facts.scopes(id);
    // The builtins the module uses are globals of its Python module too (`print` is
    // imported from the runtime at the top of its body): the first use of each.
    let mut builtins_used: FxHashMap<&str, TextRange> = FxHashMap::default();
    for (range, _, res) in scopes.uses() {
        if matches!(res, NameRes::Builtin | NameRes::BuiltinModule) {
            let name = &module.file.text[usize::from(range.start())..usize::from(range.end())];
            builtins_used.entry(name).or_insert(range);
        }
    }
    let mut out = Vec::new();
    for (segment, child) in children {
        let full = format!("{}.{segment}", module.name);
        let (place, what_here) = if let Some(binding) = scopes.module_binding(segment) {
            let binding = scopes.binding(binding);
            // Only imports, every one `import FULL as SEGMENT`: the name is the submodule.
            if binding.kind == BindingKind::Import
                && binding.defs.len() == binding.imports.len()
                && binding
                    .imports
                    .iter()
                    .all(|i| i.aliased && i.target == full)
            {
                continue;
            }
            (binding.decl, "a top-level name of")
        } else if let Some(range) = builtins_used.get(segment.as_str()) {
            (*range, "the builtin used by")
        } else {
            continue;
        };
        let child = graph.module(*child);
        let what = if child.name == full {
            format!("its submodule '{full}'")
        } else {
            format!("the package '{full}' of its submodule '{}'", child.name)
        };
        let mut d = Diagnostic::error(
            DiagnosticCode::NameCollision,
            &module.path,
            place,
            format!(
                "'{segment}' is {what_here} '{}' and also {what}: in Python they are one attribute, so one replaces the other",
                module.name
            ),
        )
        .with_note(if what_here == "the builtin used by" {
            format!("rename the module '{}'", child.name)
        } else {
            format!("rename '{segment}' here, or the module '{}'", child.name)
        });
        d.related.push(module_file(child));
        out.push(d);
    }
    out
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
        let mut d = Diagnostic::error(
            DiagnosticCode::ModuleNameCollision,
            &module.path,
            edge.target_range,
            format!(
                "module '{}' would be the same Python module '{py}' as {}",
                graph.module(*target).name,
                others.join(" and ")
            ),
        )
        .with_note("names that are Python keywords or Python standard-library modules get the prefix 'ml_'; rename one of the modules");
        // Which files: two modules may even have one ML name (`a.ml`, imported as `a`,
        // and `a/__init__.ml`, the package of an imported `a.b`).
        let files = std::iter::once(target).chain(same.iter().filter(|m| *m != target));
        d.related
            .extend(files.map(|m| module_file(graph.module(*m))));
        out.push(d);
    }
    out
}

/// A module's file, named in a diagnostic about the module as a whole.
fn module_file(node: &ModuleNode) -> mlpy_modules::Related {
    mlpy_modules::Related {
        file: node.path.clone(),
        range: TextRange::default(),
        message: format!("the module '{}'", node.name),
    }
}
