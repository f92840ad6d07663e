//! Formatting part of a file (an editor's "format selection"): the whole statements the
//! range touches, in the innermost block that holds it, laid out as in the whole file.

use crate::{run, valid_range, FormatError, FormatOptions};
use mlpy_syntax::ast::{AstNode, Stmt};
use mlpy_syntax::{SyntaxKind, SyntaxNode, TextRange, TextSize};

/// Formats the statements `range` touches: the innermost list of statements (the file,
/// or a block) that holds the range, from the first statement it touches to the last.
/// Returns the edits to apply: none when they are formatted already, else one, which
/// replaces those statements (from the first one's first token, or the start of its
/// line when it starts one, to the last one's last token) with their formatted text.
/// The whole file must be free of syntax errors.
pub fn format_range(
    text: &str,
    range: TextRange,
    options: &FormatOptions,
) -> Result<Vec<(TextRange, String)>, FormatError> {
    if !valid_range(text, range) {
        return Err(FormatError::InvalidRange { range });
    }
    let parse = mlpy_syntax::parse(text);
    let formatted = run(text, &parse, options, true)?;
    let Some(covered) = covered_statements(&parse.syntax_node(), range) else {
        return Ok(Vec::new());
    };
    let out_at = |source: TextSize| -> Option<usize> {
        let source = u32::from(source);
        let i = formatted
            .positions
            .binary_search_by_key(&source, |&(s, _)| s)
            .ok()?;
        Some(formatted.positions[i].1 as usize)
    };
    let last_token = covered
        .last
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .last()
        .ok_or_else(|| internal("a statement without tokens"))?;
    let first_token = covered
        .first
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .find(|t| !t.kind().is_trivia())
        .ok_or_else(|| internal("a statement without tokens"))?;
    let mut start = first_token.text_range().start();
    let end = last_token.text_range().end();
    let (Some(mut out_start), Some(out_last)) =
        (out_at(start), out_at(last_token.text_range().start()))
    else {
        return Err(internal("a statement's tokens were not printed"));
    };
    let out_end = out_last + usize::from(last_token.text_range().len());
    // A first statement that starts its line takes its indentation along: the replaced
    // text then starts at the line's start in both texts, else the first line would keep
    // its old indentation while the others got the new one.
    if let (Some(line), Some(out_line)) = (
        indentation_start(text, usize::from(start)),
        indentation_start(&formatted.text, out_start),
    ) {
        start = TextSize::from(line as u32);
        out_start = out_line;
    }
    let new_text = &formatted.text[out_start..out_end];
    let old = TextRange::new(start, end);
    if &text[old] == new_text {
        return Ok(Vec::new());
    }
    Ok(vec![(old, new_text.to_string())])
}

/// Where the line of `at` starts, when only spaces and tabs come before `at` on it (a
/// byte-order mark at the start of the text is no part of the line).
fn indentation_start(text: &str, at: usize) -> Option<usize> {
    let line = text[..at].rfind('\n').map_or_else(
        || usize::from(text.starts_with('\u{FEFF}')) * '\u{FEFF}'.len_utf8(),
        |i| i + 1,
    );
    text[line..at]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(line)
}

fn internal(message: &str) -> FormatError {
    FormatError::Internal {
        message: message.to_string(),
    }
}

/// The first and the last statement a range touches.
struct Covered {
    first: SyntaxNode,
    last: SyntaxNode,
}

/// The statements of the innermost statement list (file or block) that `range` touches;
/// `None` when it touches none (white space or comments between statements).
fn covered_statements(root: &SyntaxNode, range: TextRange) -> Option<Covered> {
    let mut best = touched(root, range)?;
    // While the range lies inside one statement, a block inside it may hold it more
    // closely: the deepest block whose statements the range touches.
    while best.first == best.last {
        let inner = best
            .first
            .descendants()
            .filter(|n| n.kind() == SyntaxKind::BLOCK && n.text_range().contains_range(range))
            .filter_map(|block| touched(&block, range))
            .last();
        match inner {
            Some(inner) if inner.first != best.first => best = inner,
            _ => break,
        }
    }
    Some(best)
}

/// The statements directly in `list` that `range` touches (an empty range touches the
/// statement it is in or at the edge of).
fn touched(list: &SyntaxNode, range: TextRange) -> Option<Covered> {
    let mut first = None;
    let mut last = None;
    for stmt in list.children().filter(|n| Stmt::can_cast(n.kind())) {
        let r = stmt.text_range();
        let touches = if range.is_empty() {
            r.contains_inclusive(range.start())
        } else {
            r.intersect(range).is_some_and(|i| !i.is_empty())
        };
        if touches {
            first.get_or_insert_with(|| stmt.clone());
            last = Some(stmt);
        }
    }
    Some(Covered {
        first: first?,
        last: last?,
    })
}
