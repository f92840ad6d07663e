//! Symbols: the outline of a file (imports, functions with their nested names, variables)
//! and the top-level names of every module of the workspace that match a query.

use super::display::{function_signature, module_name};
use super::{DocumentSymbol, FileCtx, FileRange, Host, SymbolKind, WorkspaceSymbol};
use mlpy_modules::scopes::{BindingKind, ScopeId};
use mlpy_modules::symbols::SymbolKind as ModuleSymbolKind;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::TextRange;
use rowan::{NodeOrToken, WalkEvent};
use rustc_hash::{FxHashMap, FxHashSet};

/// At most this many workspace symbols are answered.
pub const MAX_WORKSPACE_SYMBOLS: usize = 1000;

/// The nodes document symbols need, found in one walk of the file (not one descent from
/// the root per symbol, which costs the nesting depth each).
struct SymbolNodes {
    functions: FxHashMap<TextRange, ast::FunctionDef>,
    /// The statement around each variable's first definition.
    statements: FxHashMap<TextRange, TextRange>,
}

impl SymbolNodes {
    fn new(ctx: &FileCtx) -> SymbolNodes {
        let wanted: FxHashSet<TextRange> = ctx
            .file()
            .scopes()
            .bindings
            .iter()
            .filter(|b| is_variable(b.kind))
            .map(|b| b.decl)
            .collect();
        let mut functions = FxHashMap::default();
        let mut statements = FxHashMap::default();
        let mut stack: Vec<TextRange> = Vec::new();
        for event in ctx.root().preorder_with_tokens() {
            match event {
                WalkEvent::Enter(NodeOrToken::Node(node)) => {
                    if ast::Stmt::can_cast(node.kind()) {
                        stack.push(node.text_range());
                    }
                    if let Some(f) = ast::FunctionDef::cast(node) {
                        functions.insert(f.syntax().text_range(), f);
                    }
                }
                WalkEvent::Leave(NodeOrToken::Node(node)) => {
                    if ast::Stmt::can_cast(node.kind()) {
                        stack.pop();
                    }
                }
                WalkEvent::Enter(NodeOrToken::Token(token)) => {
                    if let Some(&stmt) = stack.last() {
                        if wanted.contains(&token.text_range()) {
                            statements.insert(token.text_range(), stmt);
                        }
                    }
                }
                WalkEvent::Leave(NodeOrToken::Token(_)) => {}
            }
        }
        SymbolNodes {
            functions,
            statements,
        }
    }
}

/// A name bound by assignment, a loop or an `except`: all are variables of their scope
/// (at the top level, members of the module, which workspace symbols list too).
fn is_variable(kind: BindingKind) -> bool {
    matches!(
        kind,
        BindingKind::Variable | BindingKind::LoopVariable | BindingKind::ExceptVariable
    )
}

/// A variable named in capitals (and with at least one letter) is a constant.
fn is_constant(name: &str) -> bool {
    name.chars().any(|c| c.is_alphabetic()) && !name.chars().any(|c| c.is_lowercase())
}

fn scope_symbols(ctx: &FileCtx, nodes: &SymbolNodes, scope: ScopeId) -> Vec<DocumentSymbol> {
    let scopes = ctx.file().scopes();
    let mut out = Vec::new();
    for &b in &scopes.scope(scope).bindings {
        let binding = scopes.binding(b);
        let (kind, range, detail, children) = match binding.kind {
            BindingKind::Function => {
                let range = binding.node_range.unwrap_or(binding.decl);
                let children = scopes
                    .function_scope(range)
                    .map(|s| scope_symbols(ctx, nodes, s))
                    .unwrap_or_default();
                let detail = nodes.functions.get(&range).map(function_signature);
                (SymbolKind::Function, range, detail, children)
            }
            kind if is_variable(kind) => {
                let range = nodes
                    .statements
                    .get(&binding.decl)
                    .copied()
                    .unwrap_or(binding.decl);
                let kind = match is_constant(&binding.name) {
                    true => SymbolKind::Constant,
                    false => SymbolKind::Variable,
                };
                (kind, range, None, Vec::new())
            }
            BindingKind::Import => {
                let import = binding.imports.first();
                let range = import.map_or(binding.decl, |i| i.statement);
                let detail = import.map(|i| format!("import {}", i.target));
                (SymbolKind::Module, range, detail, Vec::new())
            }
            _ => continue,
        };
        // The range must contain the name (a client checks it).
        let range = if range.contains_range(binding.decl) {
            range
        } else {
            binding.decl
        };
        out.push(DocumentSymbol {
            name: binding.name.clone(),
            kind,
            detail,
            range,
            selection_range: binding.decl,
            children,
        });
    }
    out
}

/// The outline of a file: its top-level names, functions with their own.
pub fn document_symbols(ctx: &FileCtx) -> Vec<DocumentSymbol> {
    let nodes = SymbolNodes::new(ctx);
    scope_symbols(ctx, &nodes, ctx.file().scopes().module_scope())
}

/// `abc` matches `aXbYc`: the query's characters in order, ignoring case.
fn fuzzy_match(query: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

/// The top-level functions and variables of every module of the workspace whose name
/// matches `query` (at most [`MAX_WORKSPACE_SYMBOLS`]).
pub fn workspace_symbols(host: &dyn Host, query: &str) -> Vec<WorkspaceSymbol> {
    let mut out = Vec::new();
    for path in host.files() {
        let Some(file) = host.load(&path) else {
            continue;
        };
        let mut container: Option<String> = None;
        for s in &file.symbols.symbols {
            let kind = match s.kind {
                ModuleSymbolKind::Function { .. } => SymbolKind::Function,
                ModuleSymbolKind::Variable => SymbolKind::Variable,
                ModuleSymbolKind::Import { .. } => continue,
            };
            if !fuzzy_match(query, &s.name) {
                continue;
            }
            let container = container
                .get_or_insert_with(|| module_name(host, &path))
                .clone();
            out.push(WorkspaceSymbol {
                name: s.name.clone(),
                kind,
                container,
                location: FileRange::new(&path, s.name_range),
            });
            if out.len() >= MAX_WORKSPACE_SYMBOLS {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// `name kind [children]`, one line per symbol, indented by depth.
    fn outline(symbols: &[DocumentSymbol], depth: usize, out: &mut Vec<String>) {
        for s in symbols {
            out.push(format!("{}{} {:?}", "  ".repeat(depth), s.name, s.kind));
            outline(&s.children, depth + 1, out);
        }
    }

    #[test]
    fn the_outline_of_a_file() {
        let fx = Fixture::new(
            "//- /main.ml\nimport math;\n[|function greet(name) {\n  message = name;\n  function inner() { }\n  return message;\n}|]\nUNIT_SIZE = 1;\ntotal = 2;\n$0",
        );
        let symbols = document_symbols(&fx.ctx());
        let mut lines = Vec::new();
        outline(&symbols, 0, &mut lines);
        assert_eq!(
            lines,
            [
                "math Module",
                "greet Function",
                "  message Variable",
                "  inner Function",
                "UNIT_SIZE Constant",
                "total Variable"
            ]
        );
        let greet = &symbols[1];
        assert_eq!(greet.range, fx.marked_ranges()[0]);
        assert_eq!(fx.slice(greet.selection_range), "greet");
        assert_eq!(greet.detail.as_deref(), Some("function greet(name)"));
        assert_eq!(symbols[0].detail.as_deref(), Some("import math"));
        // A variable's range is its statement.
        assert_eq!(fx.slice(symbols[2].range), "UNIT_SIZE = 1;");
    }

    /// The outline's top level and the workspace symbols of a file name the same module
    /// members: loop and `except` variables included, imports only in the outline.
    #[test]
    fn the_outline_and_workspace_symbols_agree_on_a_module_s_members() {
        let fx = Fixture::new(
            "//- /main.ml\nimport math;\nfor (i in [1, 2]) { print(i); }\ntry { x = 1; } except (err) { print(err); }\nfunction f() {\n  for (j in [1]) { print(j); }\n}\nk = 0;\nwhile (k < 1) { k = k + 1; }\n$0",
        );
        let outline: Vec<String> = document_symbols(&fx.ctx())
            .iter()
            .filter(|s| s.kind != SymbolKind::Module)
            .map(|s| s.name.clone())
            .collect();
        let mut members: Vec<String> = workspace_symbols(&fx.host, "")
            .into_iter()
            .map(|s| s.name)
            .collect();
        let mut sorted = outline.clone();
        sorted.sort();
        members.sort();
        assert_eq!(sorted, members);
        assert_eq!(outline, ["i", "x", "err", "f", "k"]);
        // A function's loop variable is one of its names.
        let f = document_symbols(&fx.ctx())
            .into_iter()
            .find(|s| s.name == "f")
            .unwrap();
        let names: Vec<&str> = f.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["j"]);
    }

    #[test]
    fn workspace_symbols_match_a_subsequence_with_their_module() {
        let fx = Fixture::new(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport utils.strings;\nshown = 1;\n//- /lib/utils/strings.ml\nimport math;\nfunction shout(t) { return t; }\n",
        );
        let found = workspace_symbols(&fx.host, "SHou");
        let shown: Vec<(String, SymbolKind, String, String)> = found
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.kind,
                    s.container.clone(),
                    fx.show(&s.location),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [(
                "shout".to_string(),
                SymbolKind::Function,
                "utils.strings".to_string(),
                "lib/utils/strings.ml:22-27".to_string()
            )]
        );
        // An empty query matches every top-level function and variable; imports are not
        // symbols.
        let all: Vec<String> = workspace_symbols(&fx.host, "")
            .into_iter()
            .map(|s| format!("{}:{}", s.container, s.name))
            .collect();
        assert_eq!(all, ["utils.strings:shout", "main:shown"]);
    }
}
