//! The diagnostics of a module that depend on the whole program it is part of, not only on
//! what it imports: two modules of the program that would be one Python module
//! (`module-name-collision`, reported at each import of one of them), a package's
//! top-level name that is also a submodule the program loads (`name-collision`).
//!
//! The program is asked through [`ProgramModules`]: `mlpy check` gives its graph's modules
//! ([`GraphModules`]); the language server, which checks an edited module on a graph one
//! import deep, gives what it knows of the workspace, once for each program the module is
//! part of (`server/src/program.rs`). What these checks report never depends on the order
//! in which a program loads its modules, so that every entry reports the same text.

use crate::facts::{module_py_name, ProgramFacts};
use mlpy_modules::scopes::{BindingKind, NameRes};
use mlpy_modules::{Diagnostic, DiagnosticCode, EdgeTarget, ModuleGraph, ModuleId, Related};
use mlpy_syntax::TextRange;
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// A module of a program, as these checks name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Member {
    /// Its ML name (`geo.shapes`).
    pub name: String,
    pub path: PathBuf,
}

/// What the checks ask of the program a module is part of. Only modules other than the
/// program's entry count: the entry is written under a name no other module takes.
pub trait ProgramModules {
    /// The modules whose Python module name is `py`.
    fn named(&self, py: &str) -> Vec<Member>;
    /// The names directly below the dotted name `parent` that lead to modules (`b` for
    /// `parent.b` and for `parent.b.c`), each with the module shown for it (the one
    /// [`shown_child_first`] puts first).
    fn submodules(&self, parent: &str) -> Vec<(String, Member)>;
}

/// Whether the module named `a` is shown rather than `b` for the name `segment` below
/// `parent` (both are `parent.segment` or inside it): the submodule itself, else the first
/// name in order.
pub fn shown_child_first(parent: &str, segment: &str, a: &str, b: &str) -> bool {
    let exact = |name: &str| name.len() == parent.len() + 1 + segment.len();
    (!exact(a), a) < (!exact(b), b)
}

/// The modules of a whole graph: what `mlpy check` and the transpile gate ask.
pub struct GraphModules<'a, 'g> {
    pub facts: &'a ProgramFacts<'g>,
}

impl ProgramModules for GraphModules<'_, '_> {
    fn named(&self, py: &str) -> Vec<Member> {
        let graph = self.facts.graph;
        self.facts
            .modules_named(py)
            .iter()
            .map(|&m| member(graph, m))
            .collect()
    }

    fn submodules(&self, parent: &str) -> Vec<(String, Member)> {
        let graph = self.facts.graph;
        self.facts
            .submodules_of(parent)
            .iter()
            .map(|(segment, m)| (segment.clone(), member(graph, *m)))
            .collect()
    }
}

fn member(graph: &ModuleGraph, id: ModuleId) -> Member {
    let node = graph.module(id);
    Member {
        name: node.name.clone(),
        path: node.path.clone(),
    }
}

/// The whole-program diagnostics of module `id` of `graph` (which holds it and what it
/// imports, at least) as part of `program`; `as_entry` when it is the program's entry.
pub fn module_diagnostics(
    graph: &ModuleGraph,
    id: ModuleId,
    as_entry: bool,
    program: &dyn ProgramModules,
) -> Vec<Diagnostic> {
    let mut out = name_collisions_at(graph, id, program);
    if !as_entry {
        out.extend(names_of_submodules(graph, id, program));
    }
    out
}

/// A top-level name of a module that is also the name of one of its submodules in the
/// program (`b = 5;` in `p/__init__.ml` beside `p/b.ml`; `import x as b;` there; a
/// package `geo` doing `import geo.True.geo as True;`). In Python a module's globals are
/// its attributes and importing `p.b` sets the attribute `b` of `p`, so one replaces the
/// other, in an order that depends on who imports what first: `p.b.n` or `p`'s own `b`
/// breaks, far from here. Reported at the name's first definition. An alias of the very
/// submodule (`import p.b as b;` in `p`) is the same module, and allowed. The entry is
/// never a package of its program: the caller leaves it out.
fn names_of_submodules(
    graph: &ModuleGraph,
    id: ModuleId,
    program: &dyn ProgramModules,
) -> Vec<Diagnostic> {
    let module = graph.module(id);
    let children = program.submodules(&module.name);
    if children.is_empty() {
        return Vec::new();
    }
    let scopes = module.file.scopes();
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
        let (place, what_here) = if let Some(binding) = scopes.module_binding(&segment) {
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
        d.related.push(module_file(&child));
        out.push(d);
    }
    out
}

/// Two modules that would be the same Python module (`class.ml` and `ml_class.ml`),
/// reported at each import in module `id` that brings in one of them: that is where the
/// program says it wants both, and where the editor shows it when the module is checked.
/// The others are named in order, whichever the program loaded first.
fn name_collisions_at(
    graph: &ModuleGraph,
    id: ModuleId,
    program: &dyn ProgramModules,
) -> Vec<Diagnostic> {
    let module = graph.module(id);
    let mut out = Vec::new();
    for edge in &module.imports {
        let Ok(EdgeTarget::Module(target)) = &edge.target else {
            continue;
        };
        let target = graph.module(*target);
        let py = module_py_name(target);
        let same = program.named(&py);
        if same.len() < 2 {
            continue;
        }
        let mut others: Vec<&Member> = same.iter().filter(|m| m.path != target.path).collect();
        others.sort();
        let names: Vec<String> = others.iter().map(|m| format!("'{}'", m.name)).collect();
        let mut d = Diagnostic::error(
            DiagnosticCode::ModuleNameCollision,
            &module.path,
            edge.target_range,
            format!(
                "module '{}' would be the same Python module '{py}' as {}",
                target.name,
                names.join(" and ")
            ),
        )
        .with_note("names that are Python keywords or Python standard-library modules get the prefix 'ml_'; rename one of the modules");
        // Which files: two modules may even have one ML name (`a.ml`, imported as `a`,
        // and `a/__init__.ml`, the package of an imported `a.b`).
        d.related.push(module_file(&Member {
            name: target.name.clone(),
            path: target.path.clone(),
        }));
        d.related.extend(others.into_iter().map(module_file));
        out.push(d);
    }
    out
}

/// A module's file, named in a diagnostic about the module as a whole.
fn module_file(member: &Member) -> Related {
    Related {
        file: member.path.clone(),
        range: TextRange::default(),
        message: format!("the module '{}'", member.name),
    }
}
