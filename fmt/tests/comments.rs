//! Comments at every place an expression allows one: each expression statement (and each
//! import) of the
//! conformance corpus, with a `// c` comment ending the line after each of its tokens
//! where the lexer reads one, formats correctly (same tree, same comments, idempotent, no
//! white space at the end of a line), and the line a comment ends inside an expression
//! is continued indented — never at the statement's own column, where it would read as a
//! statement of its own — except for a closing bracket, `,` or `;`.

mod common;

use common::{check_formatting, corpus_dir, ml_files};
use mlpy_fmt::FormatOptions;
use mlpy_syntax::{SyntaxKind, SyntaxNode};

/// The text of every statement of the corpus made of an expression (or an import), once
/// each.
fn statements() -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for file in ml_files(&corpus_dir().join("programs")) {
        let text = std::fs::read_to_string(&file).expect("read");
        let root = mlpy_syntax::parse(&text).syntax_node();
        for node in root.descendants() {
            if matches!(
                node.kind(),
                SyntaxKind::EXPR_STMT
                    | SyntaxKind::ASSIGN_STMT
                    | SyntaxKind::DESTRUCTURE_STMT
                    | SyntaxKind::RETURN_STMT
                    | SyntaxKind::THROW_STMT
                    | SyntaxKind::IMPORT
            ) {
                let stmt = node.text().to_string();
                if seen.insert(stmt.clone()) {
                    out.push(stmt);
                }
            }
        }
    }
    out
}

fn comment_count(root: &SyntaxNode) -> usize {
    root.descendants_with_tokens()
        .filter(|e| e.kind() == SyntaxKind::COMMENT)
        .count()
}

/// `stmt` with `// c` and a line break after each token where that is read as a comment
/// (after an operand `//` divides, so there it is not inserted) and the statement still
/// parses as it did.
fn with_comments(stmt: &str) -> Option<String> {
    let parse = mlpy_syntax::parse(stmt);
    if parse.has_errors() {
        return None;
    }
    let base = comment_count(&parse.syntax_node());
    let ends: Vec<usize> = parse
        .syntax_node()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia() && t.kind() != SyntaxKind::SEMICOLON)
        .map(|t| usize::from(t.text_range().end()))
        .collect();
    let mut text = stmt.to_string();
    let mut inserted = 0;
    // From the end, so that the offsets before stay valid.
    for &end in ends.iter().rev() {
        let candidate = format!("{} // c\n{}", &text[..end], &text[end..]);
        let parse = mlpy_syntax::parse(&candidate);
        if !parse.has_errors() && comment_count(&parse.syntax_node()) == base + inserted + 1 {
            text = candidate;
            inserted += 1;
        }
    }
    (inserted > 0).then_some(text)
}

#[test]
fn comments_inside_expressions_continue_them_indented() {
    let options = [
        FormatOptions::default(),
        FormatOptions {
            line_width: 30,
            indent_width: 2,
        },
    ];
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, stmt) in statements().iter().enumerate() {
        let Some(text) = with_comments(stmt) else {
            continue;
        };
        let options = &options[i % options.len()];
        let out = match check_formatting(&text, options) {
            Ok(Some(out)) => out,
            Ok(None) => {
                failures.push(format!("refused:\n{text}"));
                continue;
            }
            Err(e) => {
                failures.push(format!("{e}\n--- input\n{text}"));
                continue;
            }
        };
        checked += 1;
        let lines: Vec<&str> = out.lines().collect();
        for pair in lines.windows(2) {
            let next = pair[1];
            let at_statement_column = !next.starts_with(' ');
            // A function's body opens where it closes: `fn(a) => // c`, then `{` … `}`.
            let closes = next.starts_with([')', ']', '}', ',', ';', '{']);
            if pair[0].ends_with("// c") && at_statement_column && !closes {
                failures.push(format!(
                    "a line ended by a comment is not continued indented:\n{text}\n--- became\n{out}"
                ));
                break;
            }
        }
        if failures.len() >= 3 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 500, "only {checked} statements checked");
}
