//! Parses arbitrary UTF-8 and checks what must hold for every input: no panic, the tree
//! reproduces the input byte for byte, every diagnostic range lies inside the text on
//! character boundaries, `LineIndex` positions of those ranges round-trip, and the
//! typed AST's accessors work on whatever tree came out.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{LineIndex, TextSize};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parse = mlpy_syntax::parse(text);

    assert_eq!(parse.syntax_node().to_string(), text, "not lossless");

    let len = TextSize::of(text);
    let index = LineIndex::new(text);
    for error in parse.errors() {
        let range = error.range;
        assert!(range.end() <= len, "{error:?} past the end ({len:?})");
        assert!(
            text.is_char_boundary(range.start().into())
                && text.is_char_boundary(range.end().into()),
            "{error:?} not on char boundaries"
        );
        for offset in [range.start(), range.end()] {
            let lc = index.line_col(offset);
            assert_eq!(index.offset(lc), Some(offset));
            let wide = index.to_wide(lc);
            assert_eq!(index.to_utf8(wide), lc);
            let _ = index.human_line_col(offset, text);
        }
    }
    assert!(
        parse
            .errors()
            .windows(2)
            .all(|w| w[0].range.start() <= w[1].range.start()),
        "errors not sorted"
    );

    // The typed AST over a broken tree: every accessor returns, none panics.
    let root = parse.syntax_node();
    for node in root.descendants() {
        if let Some(lit) = ast::Literal::cast(node.clone()) {
            let _ = lit.value();
        } else if let Some(field) = ast::ObjectField::cast(node.clone()) {
            let _ = (field.key(), field.value());
        } else if let Some(import) = ast::Import::cast(node.clone()) {
            let _ = (import.target_text(), import.alias(), import.config());
        } else if let Some(function) = ast::FunctionDef::cast(node.clone()) {
            let _ = (
                function.name(),
                function.doc_comment(),
                function.params().count(),
            );
        } else if let Some(path) = ast::ImportPath::cast(node.clone()) {
            let _ = path.dotted();
        } else if let Some(stmt) = ast::Stmt::cast(node.clone()) {
            let _ = stmt.syntax().text_range();
        } else if let Some(expr) = ast::Expr::cast(node.clone()) {
            let _ = expr.syntax().text_range();
        }
    }
    let _ = parse.debug_tree();
});
