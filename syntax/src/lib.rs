//! The ML language's syntax: a lexer, an error-tolerant parser producing a lossless
//! rowan tree, a typed AST over that tree, and a line index for editor positions.
//!
//! ```
//! let parse = mlpy_syntax::parse("x = 1 +;\nprint(x);\n");
//! assert_eq!(parse.syntax_node().to_string(), "x = 1 +;\nprint(x);\n");
//! assert_eq!(parse.errors().len(), 1);
//! ```

pub mod ast;
pub mod green;
mod kind;
pub mod lexer;
mod line_index;
mod parser;
mod syntax_error;
pub mod text;

pub use kind::{
    MlLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxNodeChildren, SyntaxToken,
};
pub use line_index::{LineCol, LineIndex, WideLineCol, BOM};
pub use rowan::{Direction, GreenNode, GreenNodeData, TextRange, TextSize, WalkEvent};
pub use syntax_error::{Severity, SyntaxError};

use std::sync::Arc;

/// The result of parsing one file: a tree that always exists and covers every byte of
/// the input, plus the errors and warnings found.
#[derive(Clone, PartialEq, Eq)]
pub struct Parse {
    green: GreenNode,
    errors: Arc<[SyntaxError]>,
}

impl std::fmt::Debug for Parse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parse")
            .field("tree", &self.syntax_node())
            .field("errors", &self.errors)
            .finish()
    }
}

impl Parse {
    pub fn green(&self) -> &GreenNode {
        &self.green
    }

    pub fn syntax_node(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    pub fn tree(&self) -> ast::SourceFile {
        use ast::AstNode;
        ast::SourceFile::cast(self.syntax_node()).expect("the root is always a SOURCE_FILE")
    }

    /// Errors and warnings, sorted by position.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    pub fn has_errors(&self) -> bool {
        self.errors.iter().any(SyntaxError::is_error)
    }

    /// An indented dump of the tree, one node or token per line, for tests and
    /// `mlpy parse`.
    pub fn debug_tree(&self) -> String {
        debug_tree(&self.syntax_node())
    }
}

/// Parses ML source text. Never fails and never panics: broken input gives ERROR nodes
/// and errors. Equal tokens share one allocation; nodes do not (see [`parse_compact`]).
pub fn parse(text: &str) -> Parse {
    parse_with(text, parser::NodeSharing::None)
}

/// [`parse`] for a tree kept long: equal small nodes (up to three children) share one
/// allocation too, within the tree and with the other trees this thread builds. The
/// module caches (`mlpy check`, `transpile`, the language server), which keep every
/// module of a program or workspace parsed, hold much less memory for their trees this
/// way (a fresh process also faults less memory in). In a process that parses and drops
/// one file after another (`mlpy fmt`), where freed memory is reused, it costs about a
/// tenth more time: the lookups, and the shared nodes' atomic reference counts. The tree
/// is the same (`==`).
pub fn parse_compact(text: &str) -> Parse {
    parse_with(text, parser::NodeSharing::Small)
}

fn parse_with(text: &str, sharing: parser::NodeSharing) -> Parse {
    let (green, errors) = parser::parse_source_file(text, sharing);
    Parse {
        green,
        errors: errors.into(),
    }
}

/// An indented dump of a subtree.
pub fn debug_tree(node: &SyntaxNode) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut indent = 0usize;
    for event in node.preorder_with_tokens() {
        match event {
            WalkEvent::Enter(element) => {
                // Not `{:indent$}`: a width must fit in 16 bits.
                out.extend(std::iter::repeat_n(' ', indent));
                let _ = write!(out, "{:?}@{:?}", element.kind(), element.text_range());
                if let rowan::NodeOrToken::Token(token) = &element {
                    let _ = write!(out, " {:?}", token.text());
                }
                out.push('\n');
                indent += 2;
            }
            WalkEvent::Leave(_) => indent -= 2,
        }
    }
    out
}
