//! Diagnostics of a module graph: syntax errors, unresolved imports, cycles, unknown
//! members of imported modules, scoping mistakes.

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::graph::{EdgeTarget, ModuleGraph, ModuleId, ModuleNode};
use crate::scopes::{BindingKind, NameRes};
use crate::suggest::{suggestions, SuggestionBudget};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxNode, TextRange};

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
    for error in &module.file.scopes.errors {
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
                    crate::ResolveError::NotFound { .. } => DiagnosticCode::UnresolvedImport,
                    // Editors offer "Fetch module" for this one.
                    crate::ResolveError::NotCached { .. } => DiagnosticCode::RemoteNotCached,
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
    let scopes = &module.file.scopes;
    let root = module.file.parse.syntax_node();
    let mut uses: Vec<(TextRange, crate::scopes::BindingId)> = scopes
        .uses()
        .filter_map(|(range, _, res)| match res {
            NameRes::Binding(b) if scopes.binding(b).kind == BindingKind::Import => {
                Some((range, b))
            }
            _ => None,
        })
        .collect();
    uses.sort_by_key(|(range, _)| range.start());
    // What each binding reaches, worked out once per binding, not once per use.
    let mut reaches: rustc_hash::FxHashMap<crate::scopes::BindingId, Option<Reach>> =
        Default::default();
    let mut budget = SuggestionBudget::for_module(module.file.text.len());
    for (range, id) in uses {
        let Some(chain) = chain_at(&root, range) else {
            continue;
        };
        let binding = scopes.binding(id);
        let reach = reaches
            .entry(id)
            .or_insert_with(|| Reach::new(graph, module, binding));
        let Some(reach) = reach else {
            continue;
        };
        if let Some(d) = check_chain(graph, module, reach, &chain, &mut budget) {
            out.push(d);
        }
    }
    out
}

/// The modules an import binding can reach, by the dotted prefix used to reach them.
struct Reach {
    /// In import order, repeats included.
    list: Vec<(String, Option<ModuleId>)>,
    /// The first module of each prefix.
    first: rustc_hash::FxHashMap<String, Option<ModuleId>>,
    /// Every prefix, and the shorter dotted prefixes of each (`a`, `a.b` of `a.b.c`).
    deeper: rustc_hash::FxHashSet<String>,
}

impl Reach {
    /// `None` when an import of the binding is unresolved (already reported, and
    /// nothing to check against).
    fn new(
        graph: &ModuleGraph,
        module: &ModuleNode,
        binding: &crate::scopes::Binding,
    ) -> Option<Reach> {
        let list = reachable(graph, module, binding)?;
        let mut first = rustc_hash::FxHashMap::default();
        let mut deeper = rustc_hash::FxHashSet::default();
        for (prefix, target) in &list {
            first.entry(prefix.clone()).or_insert(*target);
            for (i, _) in prefix.match_indices('.') {
                deeper.insert(prefix[..i].to_string());
            }
            deeper.insert(prefix.clone());
        }
        Some(Reach {
            list,
            first,
            deeper,
        })
    }
}

/// The modules the binding can reach, by the dotted prefix used to reach them.
fn reachable(
    graph: &ModuleGraph,
    module: &ModuleNode,
    binding: &crate::scopes::Binding,
) -> Option<Vec<(String, Option<ModuleId>)>> {
    let mut reachable: Vec<(String, Option<ModuleId>)> = Vec::new();
    for import in &binding.imports {
        let edge = module.edge_at(import.statement)?;
        let target = match &edge.target {
            Ok(EdgeTarget::Module(id)) => Some(*id),
            Ok(_) => None,
            // Unresolved: already reported, and nothing to check against.
            Err(_) => return None,
        };
        // A URL import binds its alias or its last path segment, like an alias.
        let is_url = import.target.contains("://");
        let prefix = if import.aliased || is_url {
            binding.name.clone()
        } else {
            import.target.clone()
        };
        if let (false, false, Some(id)) = (import.aliased, is_url, target) {
            // `import a.b.c` also binds the packages `a` and `a.b` that have an
            // `__init__.ml`: their members are reachable as `a.x`.
            for &package in &graph.module(id).packages {
                reachable.push((graph.module(package).name.clone(), Some(package)));
            }
        }
        reachable.push((prefix, target));
    }
    Some(reachable)
}

fn check_chain(
    graph: &ModuleGraph,
    module: &ModuleNode,
    reach: &Reach,
    chain: &Chain,
    budget: &mut SuggestionBudget,
) -> Option<Diagnostic> {
    let mut prefix = chain.names[0].0.clone();
    for (member, range) in &chain.names[1..] {
        let current = reach.first.get(&prefix);
        let extended = format!("{prefix}.{member}");
        // An import of `extended` or of a module inside it.
        if reach.deeper.contains(&extended) {
            prefix = extended;
            continue;
        }
        match current {
            Some(Some(target)) => {
                let target = graph.module(*target);
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
            // Stdlib and Python modules are checked elsewhere.
            Some(None) => return None,
            None => {
                let imported: Vec<&str> = reach.list.iter().map(|(p, _)| p.as_str()).collect();
                return Some(
                    Diagnostic::error(
                        DiagnosticCode::UnknownMember,
                        &module.path,
                        *range,
                        format!("'{prefix}' has no member '{member}': it is only a package prefix of the imported {}", imported.join(", ")),
                    ),
                );
            }
        }
    }
    None
}
