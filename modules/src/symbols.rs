//! What a module defines at its top level: functions (with parameters and doc comments),
//! variables and imported names. Answers "does `geometry.area` exist, and where".

use crate::scopes::{BindingKind, ModuleScopes};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    /// The type annotation as written (`x: number` → `number`).
    pub annotation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolKind {
    Function {
        params: Vec<Param>,
    },
    Variable,
    /// A name bound by an import inside the module (reachable as a member in Python).
    Import {
        target: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The name at its first definition.
    pub name_range: TextRange,
    /// The whole definition (the function, or the first assignment statement).
    pub full_range: TextRange,
    pub doc: Option<String>,
}

impl Symbol {
    /// `area(width: number, height)` for functions, the name otherwise.
    pub fn signature(&self) -> String {
        match &self.kind {
            SymbolKind::Function { params } => {
                let params: Vec<String> = params
                    .iter()
                    .map(|p| match &p.annotation {
                        Some(t) => format!("{}: {t}", p.name),
                        None => p.name.clone(),
                    })
                    .collect();
                format!("function {}({})", self.name, params.join(", "))
            }
            SymbolKind::Variable => self.name.clone(),
            SymbolKind::Import { target } => format!("import {target}"),
        }
    }

    pub fn is_function(&self) -> bool {
        matches!(self.kind, SymbolKind::Function { .. })
    }
}

/// The top-level definitions of one module, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleSymbols {
    pub symbols: Vec<Symbol>,
    /// Indexes in `symbols`, sorted by name (a binary search finds a name without a map
    /// and a second copy of the names: modules stay cached for a whole session).
    by_name: Box<[u32]>,
}

impl ModuleSymbols {
    pub fn build(file: &ast::SourceFile, scopes: &ModuleScopes) -> ModuleSymbols {
        let module = scopes.scope(scopes.module_scope());
        let mut symbols = Vec::with_capacity(module.bindings.len());
        for &id in &module.bindings {
            let binding = scopes.binding(id);
            let statement_range = |range: TextRange| {
                file.syntax()
                    .covering_element(range)
                    .ancestors()
                    .find(|n| ast::Stmt::can_cast(n.kind()))
                    .map_or(range, |n| n.text_range())
            };
            let symbol = match binding.kind {
                BindingKind::Function => {
                    let def = binding.node_range.and_then(|range| {
                        file.syntax()
                            .covering_element(range)
                            .ancestors()
                            .find(|n| n.text_range() == range)
                            .and_then(ast::FunctionDef::cast)
                    });
                    let params = def
                        .as_ref()
                        .map(|f| {
                            f.params()
                                .map(|p| Param {
                                    name: p.name().map(|n| n.text()).unwrap_or_default(),
                                    annotation: p.type_annotation().and_then(|t| t.text()),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    Symbol {
                        name: binding.name.clone(),
                        kind: SymbolKind::Function { params },
                        name_range: binding.decl,
                        full_range: binding.node_range.unwrap_or(binding.decl),
                        doc: def.and_then(|f| f.doc_comment()),
                    }
                }
                BindingKind::Import => Symbol {
                    name: binding.name.clone(),
                    kind: SymbolKind::Import {
                        target: binding
                            .imports
                            .first()
                            .map(|i| i.target.clone())
                            .unwrap_or_default(),
                    },
                    name_range: binding.decl,
                    full_range: binding
                        .imports
                        .first()
                        .map_or(binding.decl, |i| i.statement),
                    doc: None,
                },
                _ => {
                    let full_range = statement_range(binding.decl);
                    let doc = file
                        .syntax()
                        .covering_element(full_range)
                        .ancestors()
                        .find(|n| n.text_range() == full_range)
                        .and_then(|n| ast::doc_comment_above(&n));
                    Symbol {
                        name: binding.name.clone(),
                        kind: SymbolKind::Variable,
                        name_range: binding.decl,
                        full_range,
                        doc,
                    }
                }
            };
            symbols.push(symbol);
        }
        symbols.shrink_to_fit();
        let mut by_name: Vec<u32> = (0..symbols.len() as u32).collect();
        // Stable: of two symbols with one name, the first stays first.
        by_name.sort_by(|&a, &b| symbols[a as usize].name.cmp(&symbols[b as usize].name));
        by_name.dedup_by(|a, b| symbols[*a as usize].name == symbols[*b as usize].name);
        ModuleSymbols {
            symbols,
            by_name: by_name.into_boxed_slice(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.by_name
            .binary_search_by(|&i| self.symbols[i as usize].name.as_str().cmp(name))
            .ok()
            .map(|i| &self.symbols[self.by_name[i] as usize])
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.symbols.iter().map(|s| s.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_variables_and_docs() {
        let text = "import math;\n// Area of a rectangle.\n// Both sides in metres.\nfunction area(w: number, h) { return w * h; }\n\n// The unit.\nUNIT = \"m\";\nif (true) { LATE = 1; }\nfunction outer() { inner = 2; }\n";
        let parse = mlpy_syntax::parse(text);
        let scopes = ModuleScopes::build(&parse.tree());
        let symbols = ModuleSymbols::build(&parse.tree(), &scopes);
        let names: Vec<&str> = symbols.names().collect();
        assert_eq!(names, vec!["math", "area", "UNIT", "LATE", "outer"]);
        let area = symbols.get("area").unwrap();
        assert_eq!(area.signature(), "function area(w: number, h)");
        assert_eq!(
            area.doc.as_deref(),
            Some("Area of a rectangle.\nBoth sides in metres.")
        );
        assert_eq!(
            symbols.get("UNIT").unwrap().doc.as_deref(),
            Some("The unit.")
        );
        assert!(symbols.get("inner").is_none());
    }
}
