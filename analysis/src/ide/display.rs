//! How names are shown to the user, shared by hover, completion and symbols: function
//! signatures, module names, markdown code blocks.

use super::Host;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxKind, SyntaxNode, TextRange};
use std::path::Path;

/// A markdown code block of ML.
pub(crate) fn code(text: &str) -> String {
    format!("```ml\n{text}\n```")
}

/// The function node whose whole range is `range`.
pub(crate) fn function_at(root: &SyntaxNode, range: TextRange) -> Option<ast::FunctionDef> {
    root.covering_element(range)
        .ancestors()
        .find(|n| n.text_range() == range && n.kind() == SyntaxKind::FUNCTION)
        .and_then(ast::FunctionDef::cast)
}

/// `function name(a: number, b)`.
pub(crate) fn function_signature(f: &ast::FunctionDef) -> String {
    let params: Vec<String> = f
        .params()
        .map(|p| {
            let name = p.name().map(|n| n.text()).unwrap_or_default();
            match p.type_annotation().and_then(|t| t.text()) {
                Some(t) => format!("{name}: {t}"),
                None => name,
            }
        })
        .collect();
    let name = f.name().map(|n| n.text()).unwrap_or_default();
    format!("function {name}({})", params.join(", "))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The dotted name of a module file (what an import of it spells), or its file's stem
/// outside every import root.
pub(crate) fn module_name(host: &dyn Host, path: &Path) -> String {
    host.resolver(path)
        .module_name_of(path)
        .unwrap_or_else(|| stem(path))
}
