//! Diagnostics of a module graph: syntax errors, unresolved imports, cycles, unknown
//! members of imported modules, scoping mistakes.

use crate::facts::GraphImports;
use crate::semantics::{self, ImportReach, ModuleRef};
use mlpy_modules::scopes::{BindingId, NameRes};
use mlpy_modules::suggest::{suggestions, SuggestionBudget};
use mlpy_modules::{Diagnostic, DiagnosticCode, EdgeTarget, ModuleGraph, ModuleId, ModuleNode};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxNode, TextRange};
use rustc_hash::FxHashMap;

/// Every diagnostic of every module in the graph, module by module in load order.
pub fn graph_diagnostics(graph: &ModuleGraph) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for module in &graph.modules {
        out.extend(module_diagnostics(graph, module.id));
    }
    out
}

/// The diagnostics of one module of the graph (cycles it takes part in included).
pub fn module_diagnostics(graph: &ModuleGraph, id: ModuleId) -> Vec<Diagnostic> {
    let module = graph.module(id);
    let path = module.path.as_path();
    let mut out: Vec<Diagnostic> = module
        .file
        .parse
        .errors()
        .iter()
        .map(|e| Diagnostic::from_syntax(path, e))
        .collect();
    for error in &module.file.scopes().errors {
        out.push(Diagnostic::error(
            DiagnosticCode::Nonlocal,
            path,
            error.range,
            error.message.clone(),
        ));
    }
    for edge in &module.imports {
        match &edge.target {
            Err(error) => {
                let code = match error {
                    mlpy_modules::ResolveError::NotFound { .. } => DiagnosticCode::UnresolvedImport,
                    // Editors offer "Fetch module" for this one.
                    mlpy_modules::ResolveError::NotCached { .. } => DiagnosticCode::RemoteNotCached,
                    _ => DiagnosticCode::ImportRefused,
                };
                let mut d = Diagnostic::error(code, path, edge.target_range, error.to_string());
                d.notes = error.notes();
                out.push(d);
            }
            Ok(EdgeTarget::Stdlib(name)) => {
                if let Some(user) = &edge.shadowed_user_module {
                    out.push(
                        Diagnostic::warning(
                            DiagnosticCode::ShadowedModule,
                            path,
                            edge.target_range,
                            format!("'{name}' is the standard-library module; the user module {user} is shadowed by it"),
                        )
                        .with_note("rename the user module to import it"),
                    );
                }
            }
            Ok(_) => {}
        }
    }
    out.extend(cycle_diagnostics(graph, id));
    out.extend(unknown_members(graph, module));
    out
}

/// One error per import of a cycle that lies in module `id`.
pub fn cycle_diagnostics(graph: &ModuleGraph, id: ModuleId) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for cycle in &graph.cycles {
        for (i, &member) in cycle.modules.iter().enumerate() {
            if member != id {
                continue;
            }
            // Read from the module it is reported in: the same text whichever module the
            // graph was built from (`mlpy check main.ml` and the editor checking `b.ml`).
            let text = graph.cycle_text_from(cycle, i);
            let edge = &graph.module(member).imports[cycle.edges[i]];
            let mut d = Diagnostic::error(
                DiagnosticCode::ImportCycle,
                &graph.module(member).path,
                edge.target_range,
                format!("Circular dependency detected: {text}"),
            );
            for (j, &other) in cycle.modules.iter().enumerate() {
                let next = cycle.modules[(j + 1) % cycle.modules.len()];
                let other_node = graph.module(other);
                let other_edge = &other_node.imports[cycle.edges[j]];
                d = d.with_related(
                    other_node.path.clone(),
                    other_edge.target_range,
                    format!(
                        "'{}' imports '{}' here",
                        other_node.name,
                        graph.module(next).name
                    ),
                );
            }
            out.push(d);
        }
    }
    out
}

/// A member access chain rooted at an imported name: `a.b.c` → [a, b, c].
struct Chain {
    names: Vec<(String, TextRange)>,
}

/// The member chain that starts at the name use `name_ref` (the NAME_REF's range).
fn chain_at(root: &SyntaxNode, name_ref: TextRange) -> Option<Chain> {
    let token = root.covering_element(name_ref).into_token()?;
    let path = token.parent()?.parent().and_then(ast::PathExpr::cast)?;
    let mut names = vec![(token.text().to_string(), token.text_range())];
    let mut node = path.syntax().clone();
    while let Some(field) = node.parent().and_then(ast::FieldExpr::cast) {
        let is_receiver = field.receiver().is_some_and(|r| r.syntax() == &node);
        let Some(member) = field.name_ref().and_then(|n| n.ident_token()) else {
            break;
        };
        if !is_receiver {
            break;
        }
        names.push((member.text().to_string(), member.text_range()));
        node = field.syntax().clone();
    }
    (names.len() > 1).then_some(Chain { names })
}

/// `util.nosuch(1)` where `util` is an imported user module without `nosuch`.
fn unknown_members(graph: &ModuleGraph, module: &ModuleNode) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let scopes = module.file.scopes();
    let root = module.file.parse.syntax_node();
    let reassigned = semantics::nonlocal_assigned(scopes);
    let mut uses: Vec<(TextRange, BindingId)> = scopes
        .uses()
        .filter_map(|(range, _, res)| match res {
            NameRes::Binding(b) if semantics::is_pure_import(scopes, &reassigned, b) => {
                Some((range, b))
            }
            _ => None,
        })
        .collect();
    uses.sort_by_key(|(range, _)| range.start());
    let imports = GraphImports {
        graph,
        node: module,
    };
    // What each binding reaches, worked out once per binding, not once per use; `None`
    // when one of its imports is unresolved (already reported, nothing to check against).
    let mut reaches: FxHashMap<BindingId, Option<ImportReach>> = FxHashMap::default();
    let mut budget = SuggestionBudget::for_module(module.file.text.len());
    for (range, id) in uses {
        let Some(chain) = chain_at(&root, range) else {
            continue;
        };
        let reach = reaches.entry(id).or_insert_with(|| {
            let reach = ImportReach::new(scopes, id);
            reach.all_resolved(&imports).then_some(reach)
        });
        let Some(reach) = reach else {
            continue;
        };
        if let Some(d) = check_chain(graph, module, &imports, reach, &chain, &mut budget) {
            out.push(d);
        }
    }
    out
}

fn check_chain(
    graph: &ModuleGraph,
    module: &ModuleNode,
    imports: &GraphImports<'_>,
    reach: &ImportReach,
    chain: &Chain,
    budget: &mut SuggestionBudget,
) -> Option<Diagnostic> {
    let mut prefix = chain.names[0].0.clone();
    for (member, range) in &chain.names[1..] {
        let extended = format!("{prefix}.{member}");
        // An import of `extended` or of a module inside it.
        if reach.has(&extended) {
            prefix = extended;
            continue;
        }
        match reach.module(imports, &prefix)? {
            ModuleRef::User(path) => {
                let target = graph.by_path(&path)?;
                if target.file.symbols.get(member).is_some() {
                    return None;
                }
                let mut d = Diagnostic::error(
                    DiagnosticCode::UnknownMember,
                    &module.path,
                    *range,
                    format!("module '{prefix}' has no member '{member}'"),
                )
                .with_related(
                    target.path.clone(),
                    TextRange::empty(0.into()),
                    format!("module '{}' is defined here", target.name),
                );
                let symbols = &target.file.symbols;
                let near = if budget.take(member, symbols.symbols.len()) {
                    suggestions(member, symbols.names())
                } else {
                    Vec::new()
                };
                if let Some(first) = near.first() {
                    d = d.with_note(format!("did you mean '{first}'?"));
                }
                return Some(d);
            }
            ModuleRef::Namespace(_) => {
                // The modules the binding reaches: the imported ones and their packages.
                let imported: Vec<&str> = reach
                    .entries()
                    .iter()
                    .enumerate()
                    .filter(|(i, e)| {
                        e.full || matches!(reach.module_of(imports, *i), Some(ModuleRef::User(_)))
                    })
                    .map(|(_, e)| e.prefix.as_str())
                    .collect();
                return Some(
                    Diagnostic::error(
                        DiagnosticCode::UnknownMember,
                        &module.path,
                        *range,
                        format!("'{prefix}' has no member '{member}': it is only a package prefix of the imported {}", imported.join(", ")),
                    ),
                );
            }
            // Standard-library and Python modules are checked elsewhere.
            _ => return None,
        }
    }
    None
}
