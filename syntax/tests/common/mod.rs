//! Helpers shared by the syntax test suites: readable renderings of trees and
//! diagnostics for snapshots, and the invariants every parse must satisfy.
#![allow(dead_code)]

mod corpus;
pub(crate) mod generator;

use mlpy_syntax::{
    ast::AstNode, LineIndex, Parse, Severity, SyntaxKind, SyntaxNode, TextRange, TextSize,
};
use std::fmt::Write;

/// The tree dump without whitespace and comment tokens (their bytes still count in the
/// ranges), followed by the diagnostics.
pub(crate) fn render(text: &str) -> String {
    render_with(text, false)
}

/// The full tree dump, trivia included, followed by the diagnostics.
pub(crate) fn render_with_trivia(text: &str) -> String {
    render_with(text, true)
}

fn render_with(text: &str, trivia: bool) -> String {
    let parse = mlpy_syntax::parse(text);
    check_invariants(text, &parse);
    let mut out = String::new();
    out.push_str("---- source\n");
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("---- tree\n");
    for line in parse.debug_tree().lines() {
        let kind = line.trim_start().split('@').next().unwrap_or("");
        if !trivia && (kind == "WHITESPACE" || kind == "COMMENT") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("---- diagnostics\n");
    let diags = diagnostics(text, &parse);
    if diags.is_empty() {
        out.push_str("(none)\n");
    } else {
        out.push_str(&diags);
    }
    out
}

/// Only the diagnostics, for the error-recovery snapshots: the source with line
/// numbers, then each diagnostic as `line:col: severity: message` with the source line
/// and a marker under its range.
pub(crate) fn render_diagnostics(text: &str) -> String {
    let parse = mlpy_syntax::parse(text);
    check_invariants(text, &parse);
    let mut out = String::new();
    out.push_str("---- source\n");
    for (i, line) in text.split('\n').enumerate() {
        let _ = writeln!(out, "{:>3} | {}", i + 1, line);
    }
    out.push_str("---- diagnostics\n");
    let diags = diagnostics(text, &parse);
    if diags.is_empty() {
        out.push_str("(none)\n");
    } else {
        out.push_str(&diags);
    }
    out
}

/// `line:col: severity: message`, one-based, columns in characters, then the line
/// with `^` under the range (to the end of the line when the range spans lines).
pub(crate) fn diagnostics(text: &str, parse: &Parse) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for error in parse.errors() {
        let (line, col) = index.human_line_col(error.range.start(), text);
        let severity = match error.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{line}:{col}: {severity}: {}", error.message);
        let line_range = index
            .line_range(line - 1, text)
            .expect("the error's line exists");
        let line_text = &text[line_range];
        let start_chars = (col - 1) as usize;
        let end = error.range.end().min(line_range.end());
        let width = text[TextRange::new(error.range.start(), end.max(error.range.start()))]
            .chars()
            .count()
            .max(1);
        let more = if error.range.end() > line_range.end() {
            "…"
        } else {
            ""
        };
        let _ = writeln!(out, "    | {}", line_text.replace('\t', " "));
        let _ = writeln!(
            out,
            "    | {}{}{}",
            " ".repeat(start_chars),
            "^".repeat(width),
            more
        );
    }
    out
}

/// What must hold for every parse of every input.
pub(crate) fn check_invariants(text: &str, parse: &Parse) {
    assert_eq!(
        parse.syntax_node().to_string(),
        text,
        "the tree does not reproduce the input"
    );
    let len = TextSize::of(text);
    let mut previous = None;
    for error in parse.errors() {
        let range = error.range;
        assert!(
            range.end() <= len,
            "error range {range:?} past the end ({len:?}): {}",
            error.message
        );
        assert!(
            text.is_char_boundary(range.start().into())
                && text.is_char_boundary(range.end().into()),
            "error range {range:?} not on char boundaries: {}",
            error.message
        );
        assert!(!error.message.is_empty(), "empty error message");
        let key = (range.start(), range.end());
        if let Some(prev) = previous {
            assert!(prev <= key, "errors are not sorted by position");
        }
        previous = Some(key);
    }
    // The typed AST's root always exists.
    let _ = parse.tree().syntax().kind();
}

// Not every suite reads the corpus.
#[allow(unused_imports)]
pub(crate) use corpus::corpus_files;

/// An expression subtree as a fully parenthesised S-expression, to make precedence and
/// associativity readable: `a + b * c` → `(a + (b * c))`.
pub(crate) fn sexpr(node: &SyntaxNode) -> String {
    use SyntaxKind::*;
    let children: Vec<SyntaxNode> = node.children().collect();
    let token_text = |kind: SyntaxKind| {
        node.children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind() == kind)
            .map(|t| t.text().to_string())
    };
    let op = || {
        node.children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| !t.kind().is_trivia())
            .map(|t| t.text().to_string())
            .unwrap_or_default()
    };
    let all = |sep: &str| children.iter().map(sexpr).collect::<Vec<_>>().join(sep);
    match node.kind() {
        LITERAL | PATH_EXPR | NAME_REF | NAME => node.text().to_string(),
        BIN_EXPR => format!(
            "({} {} {})",
            children.first().map(sexpr).unwrap_or_default(),
            op(),
            children.get(1).map(sexpr).unwrap_or_default()
        ),
        PREFIX_EXPR => format!("({}{})", op(), all(" ")),
        TERNARY_EXPR => format!(
            "({} ? {} : {})",
            children.first().map(sexpr).unwrap_or_default(),
            children.get(1).map(sexpr).unwrap_or_default(),
            children.get(2).map(sexpr).unwrap_or_default()
        ),
        PAREN_EXPR => format!("[{}]", all(" ")),
        CALL_EXPR => format!("{}{}", sexpr(&children[0]), sexpr(&children[1])),
        ARG_LIST => format!("({})", all(", ")),
        FIELD_EXPR => format!(
            "{}.{}",
            children.first().map(sexpr).unwrap_or_default(),
            children.get(1).map(sexpr).unwrap_or_default()
        ),
        INDEX_EXPR => format!(
            "{}[{}]",
            children.first().map(sexpr).unwrap_or_default(),
            children.get(1).map(sexpr).unwrap_or_default()
        ),
        SLICE => {
            // Rebuild `start:stop:step` from the children and colons in order.
            let mut s = String::new();
            for element in node.children_with_tokens() {
                match element {
                    rowan::NodeOrToken::Node(n) => s.push_str(&sexpr(&n)),
                    rowan::NodeOrToken::Token(t) if t.kind() == COLON => s.push(':'),
                    _ => {}
                }
            }
            s
        }
        ARRAY_EXPR => format!("[{}]", all(", ")),
        OBJECT_EXPR => format!("{{{}}}", all(", ")),
        OBJECT_FIELD => format!(
            "{}: {}",
            token_text(IDENT)
                .or_else(|| token_text(STRING))
                .unwrap_or_default(),
            all(" ")
        ),
        ARROW_EXPR => format!("(fn {})", all(" => ")),
        PARAM_LIST => format!("({})", all(", ")),
        PARAM => node.text().to_string(),
        BLOCK => "{…}".to_string(),
        ERROR => format!("<error {:?}>", node.text().to_string()),
        kind => format!("<{kind:?}>"),
    }
}

/// The S-expression of the value of each assignment and expression statement at the top
/// level of `text`, one per line.
pub(crate) fn sexprs(text: &str) -> String {
    use mlpy_syntax::ast::Stmt;
    let parse = mlpy_syntax::parse(text);
    check_invariants(text, &parse);
    let mut out = String::new();
    for stmt in parse.tree().statements() {
        let expr = match &stmt {
            Stmt::Assign(s) => s.value(),
            Stmt::Expr(s) => s.expr(),
            _ => None,
        };
        match expr {
            Some(e) => {
                let _ = writeln!(out, "{}", sexpr(e.syntax()));
            }
            None => {
                let _ = writeln!(out, "<{:?}>", stmt.syntax().kind());
            }
        }
    }
    out
}
