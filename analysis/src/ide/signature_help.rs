//! Signature help: the function whose argument list the cursor is in, its parameters and
//! which one the cursor is at. Found in the lossless tree, so it works while the call is
//! being typed (`f(a, ` with no closing parenthesis, even with the rest of the file after
//! it) and inside nested calls (the innermost open argument list wins).

use super::callable::{callable, callee_target};
use super::{FileCtx, SignatureHelp, SignatureParam};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxKind, SyntaxToken, TextSize};

pub fn signature_help(ctx: &FileCtx, offset: TextSize) -> Option<SignatureHelp> {
    let root = ctx.root();
    if offset > root.text_range().end() {
        return None;
    }
    let last = last_significant_token(&root, offset)?;
    let call = last
        .parent_ancestors()
        .filter_map(ast::ArgList::cast)
        .find(|list| is_open_at(list, offset))?;
    let call_expr = call.syntax().parent().and_then(ast::CallExpr::cast)?;
    let callee = call_expr.callee()?;
    let sema = ctx.semantics();
    let target = callee_target(&sema, &callee)?;
    let found = callable(ctx, &target)?;
    let index = call
        .syntax()
        .children_with_tokens()
        .filter(|e| e.kind() == SyntaxKind::COMMA && e.text_range().end() <= offset)
        .count();
    Some(SignatureHelp {
        active_parameter: found.param_for(index).map(|i| i as u32),
        label: found.label,
        documentation: found.doc,
        parameters: found
            .params
            .into_iter()
            .map(|p| SignatureParam {
                label: p.range,
                name: p.name,
            })
            .collect(),
    })
}

/// The last token before `offset` that is not whitespace or a comment (the token the
/// cursor is in counts when the cursor is inside it).
fn last_significant_token(root: &mlpy_syntax::SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    let mut token = root.token_at_offset(offset).left_biased()?;
    // A cursor inside a comment is not in the argument list around it; inside a string
    // it is, at that argument (typing `print("total: |")`), as in rust-analyzer and
    // TypeScript: a comma or parenthesis in the string is text, not a separator.
    let inside = token.text_range().start() < offset && offset < token.text_range().end();
    if inside && token.kind() == SyntaxKind::COMMENT {
        return None;
    }
    if token.kind() == SyntaxKind::COMMENT && token.text_range().end() == offset {
        return None;
    }
    while token.kind().is_trivia() {
        token = token.prev_token()?;
    }
    Some(token)
}

/// Whether `offset` is between the `(` of `list` and its `)` (or its end, while the `)`
/// is not typed yet).
fn is_open_at(list: &ast::ArgList, offset: TextSize) -> bool {
    let mut open = None;
    let mut close = None;
    for element in list.syntax().children_with_tokens() {
        match element.kind() {
            SyntaxKind::L_PAREN if open.is_none() => open = Some(element.text_range()),
            SyntaxKind::R_PAREN => close = Some(element.text_range()),
            _ => {}
        }
    }
    let Some(open) = open else {
        return false;
    };
    open.end() <= offset && close.is_none_or(|c| offset <= c.start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// The label with the active parameter in `<…>`, and the documentation.
    fn help(fixture: &str) -> Option<(String, Option<String>)> {
        let fx = Fixture::new(fixture);
        let found = signature_help(&fx.ctx(), fx.offset())?;
        let mut label = found.label.clone();
        if let Some(active) = found.active_parameter {
            let range = found.parameters[active as usize].label;
            label.insert(usize::from(range.end()), '>');
            label.insert(usize::from(range.start()), '<');
        }
        Some((label, found.documentation))
    }

    fn label(fixture: &str) -> String {
        help(fixture)
            .unwrap_or_else(|| panic!("no signature help: {fixture}"))
            .0
    }

    #[test]
    fn an_arrow_function_of_another_module_as_in_its_module() {
        let fixture = "//- /mlpy.json\n{}\n//- /main.ml\nimport um;\num.double(1, $0\n//- /um.ml\n// Twice.\ndouble = fn(x, y) => x * 2;\n";
        let (label, doc) = help(fixture).unwrap();
        assert_eq!(label, "double = fn(x, <y>)");
        assert_eq!(doc.as_deref(), Some("Twice."));
        let inside = "//- /mlpy.json\n{}\n//- /um.ml\n// Twice.\ndouble = fn(x, y) => x * 2;\ndouble(1, $0\n";
        assert_eq!(help(inside).unwrap().0, label);
    }

    #[test]
    fn a_function_of_the_file_with_its_doc_comment_and_annotations() {
        let (label, doc) = help(
            "//- /main.ml\n// Area of a rectangle.\nfunction area(w: number, h) { return w * h; }\narea(1, $0);\n",
        )
        .unwrap();
        assert_eq!(label, "function area(w: number, <h>)");
        assert_eq!(doc.as_deref(), Some("Area of a rectangle."));
    }

    #[test]
    fn a_function_of_another_module_through_an_alias() {
        let (label, doc) = help(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport geo.shapes as s;\ns.area($0\n//- /lib/geo/shapes.ml\n// The area.\nfunction area(w, h) { return w * h; }\n",
        )
        .unwrap();
        assert_eq!(label, "function area(<w>, h)");
        assert_eq!(doc.as_deref(), Some("The area."));
    }

    #[test]
    fn builtins_and_the_standard_library_from_the_manifest() {
        let (label, doc) = help("//- /main.ml\nprint(1, 2, $0)\n").unwrap();
        // Every argument goes to `*values`.
        assert_eq!(label, "print(<*values>)");
        assert!(doc.unwrap().contains("Print"));
        assert_eq!(
            label_of("//- /main.ml\nimport math;\nx = math.pow(2, $0);\n"),
            "math.pow(x, <y>)"
        );
        assert_eq!(
            label_of("//- /main.ml\nx = builtin.round(1.5, $0);\n"),
            "round(value, <precision=0>)"
        );
    }

    fn label_of(fixture: &str) -> String {
        label(fixture)
    }

    #[test]
    fn the_innermost_open_call_while_typing() {
        let fixture =
            "//- /main.ml\nfunction f(a, b, c) { return a; }\nfunction g(x, y) { return x; }\n";
        assert_eq!(
            label(&format!("{fixture}f(1, g(2, $0\nz = 1;\n")),
            "function g(x, <y>)"
        );
        assert_eq!(
            label(&format!("{fixture}f(1, g(2, 3), $0)\n")),
            "function f(a, b, <c>)"
        );
        // A closed inner call, the cursor after it: the outer call.
        assert_eq!(
            label(&format!("{fixture}f(g(1, 2)$0)\n")),
            "function f(<a>, b, c)"
        );
        // Unclosed, at the end of a function body, with whitespace after the comma.
        assert_eq!(
            label(&format!("{fixture}function h() {{\n  f(a, \n  $0\n}}\n")),
            "function f(a, <b>, c)"
        );
        // Right after `(`.
        assert_eq!(label(&format!("{fixture}f($0\n")), "function f(<a>, b, c)");
    }

    #[test]
    fn an_arrow_function_in_a_variable() {
        assert_eq!(
            label("//- /main.ml\ndouble = fn(x, factor) => x * factor;\ndouble(1, $0);\n"),
            "double = fn(x, <factor>)"
        );
    }

    #[test]
    fn too_many_arguments_highlight_nothing() {
        let (label, _) = help("//- /main.ml\nfunction f(a) { return a; }\nf(1, 2$0);\n").unwrap();
        assert_eq!(label, "function f(a)");
    }

    #[test]
    fn inside_a_string_argument_at_that_argument() {
        let fixture = "//- /main.ml\nfunction f(a, b) { return a; }\n";
        for (call, want) in [
            ("f(\"a, b$0\");", "function f(<a>, b)"),
            ("f(1, \"x) ($0\");", "function f(a, <b>)"),
            ("f(1, 'unterminated, $0\n", "function f(a, <b>)"),
            ("f(\"$0\", 2);", "function f(<a>, b)"),
        ] {
            assert_eq!(label(&format!("{fixture}{call}\n")), want, "{call}");
        }
    }

    #[test]
    fn nothing_outside_calls_in_comments_and_for_unknown_callees() {
        for fixture in [
            "//- /main.ml\nfunction f(a) { return a; }\nf(1)$0;\n",
            "//- /main.ml\nfunction f(a) { return a; }\nx = \"f(1, $0\";\n",
            "//- /main.ml\nfunction f(a) { return a; }\nf(1, // a, $0\n",
            "//- /main.ml\nfunction f(a) { return a; }\nf(1); // f($0\n",
            "//- /main.ml\nnosuch(1, $0);\n",
            "//- /main.ml\no = {};\no.m(1, $0);\n",
            "//- /main.ml\nx = (1 + $0);\n",
        ] {
            assert_eq!(help(fixture), None, "{fixture}");
        }
    }
}
