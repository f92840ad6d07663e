//! Folding ranges, by lines: blocks, object and array literals, argument lists and import
//! options spanning lines (the closing bracket's line stays visible), runs of top-level
//! comment lines and of imports. Syntax only, so documents too large to analyse fold too.

use super::{Fold, FoldKind};
use mlpy_syntax::{LineIndex, SyntaxKind, SyntaxNode, TextSize};

/// Whether the node's text, trailing whitespace aside, ends with a closing bracket
/// (looking at its last tokens only, not at its whole text).
fn ends_with_bracket(node: &SyntaxNode) -> bool {
    let range = node.text_range();
    let mut token = node.last_token();
    while let Some(t) = token.filter(|t| range.contains_range(t.text_range())) {
        let text = t.text().trim_end();
        if !text.is_empty() {
            return text.ends_with(['}', ']', ')']);
        }
        token = t.prev_token();
    }
    false
}

/// The folds of a file (`root` is the syntax tree of `text`), by start and end line.
pub fn folding_ranges(text: &str, root: &SyntaxNode) -> Vec<Fold> {
    let index = LineIndex::new(text);
    let line_of = |offset: TextSize| index.line_col(offset).line;
    let mut out = Vec::new();
    for node in root.descendants() {
        if matches!(
            node.kind(),
            SyntaxKind::BLOCK
                | SyntaxKind::OBJECT_EXPR
                | SyntaxKind::ARRAY_EXPR
                | SyntaxKind::ARG_LIST
                | SyntaxKind::IMPORT_CONFIG
        ) {
            let range = node.text_range();
            let (start, end) = (line_of(range.start()), line_of(range.end()));
            // Keep the closing bracket's line visible.
            if end > start + 1 || (end == start + 1 && !ends_with_bracket(&node)) {
                out.push(Fold {
                    start_line: start,
                    end_line: end - 1,
                    kind: None,
                });
            }
        }
    }
    // Runs of comment lines and of imports: (first line, last line, comments or not).
    let mut run: Option<(u32, u32, bool)> = None;
    let flush = |run: &mut Option<(u32, u32, bool)>, out: &mut Vec<Fold>| {
        if let Some((start, end, comment)) = run.take() {
            if end > start {
                let kind = match comment {
                    true => FoldKind::Comment,
                    false => FoldKind::Imports,
                };
                out.push(Fold {
                    start_line: start,
                    end_line: end,
                    kind: Some(kind),
                });
            }
        }
    };
    for element in root.children_with_tokens() {
        let (kind, range) = (element.kind(), element.text_range());
        if kind == SyntaxKind::WHITESPACE {
            // A blank line ends a run.
            if element.to_string().matches('\n').count() > 1 {
                flush(&mut run, &mut out);
            }
            continue;
        }
        let is_comment = kind == SyntaxKind::COMMENT;
        let is_import = kind == SyntaxKind::IMPORT;
        let (start, end) = (line_of(range.start()), line_of(range.end()));
        match (&mut run, is_comment || is_import) {
            (Some((_, last, comment)), true) if *comment == is_comment && start <= *last + 1 => {
                *last = end
            }
            (_, true) => {
                flush(&mut run, &mut out);
                run = Some((start, end, is_comment));
            }
            (_, false) => flush(&mut run, &mut out),
        }
    }
    flush(&mut run, &mut out);
    out.sort_by_key(|f| (f.start_line, f.end_line));
    out.dedup_by_key(|f| (f.start_line, f.end_line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folds(text: &str) -> Vec<(u32, u32, Option<FoldKind>)> {
        let parse = mlpy_syntax::parse(text);
        folding_ranges(text, &parse.syntax_node())
            .into_iter()
            .map(|f| (f.start_line, f.end_line, f.kind))
            .collect()
    }

    #[test]
    fn blocks_literals_and_arguments_keep_their_closing_line() {
        let text = "function f(a) {\n  x = [\n    1,\n    2\n  ];\n  return g(\n    a\n  );\n}\n";
        assert_eq!(
            folds(text),
            [(0, 7, None), (1, 3, None), (5, 6, None)],
            "{text}"
        );
    }

    #[test]
    fn runs_of_imports_and_comments_end_at_blank_lines() {
        let text =
            "// one\n// two\n\n// three\nimport a;\nimport b;\nimport c;\n\nimport d;\nx = 1;\n";
        assert_eq!(
            folds(text),
            [
                (0, 1, Some(FoldKind::Comment)),
                (4, 6, Some(FoldKind::Imports))
            ]
        );
    }

    #[test]
    fn two_lines_ending_with_the_bracket_do_not_fold() {
        assert_eq!(folds("if (x) {\n  y = 1; }\n"), []);
        assert_eq!(folds("if (x) { y = 1;\n}\n"), []);
    }
}
