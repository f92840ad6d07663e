//! The properties every formatted text must have, shared by the formatter's test suites.
#![allow(dead_code)]

use mlpy_fmt::{format_text, FormatError, FormatOptions};
use mlpy_syntax::{SyntaxKind, WalkEvent};
use std::path::{Path, PathBuf};

/// The tree without trivia: each node and token with its depth, tokens with their text.
/// Equal before and after formatting means the program is the same.
pub(crate) fn structure(text: &str) -> Vec<String> {
    let parse = mlpy_syntax::parse(text);
    let mut out = Vec::new();
    let mut depth = 0usize;
    for event in parse.syntax_node().preorder_with_tokens() {
        match event {
            WalkEvent::Enter(element) => {
                match &element {
                    rowan::NodeOrToken::Node(node) => {
                        out.push(format!("{depth} {:?}", node.kind()))
                    }
                    rowan::NodeOrToken::Token(token) if !token.kind().is_trivia() => {
                        out.push(format!("{depth} {:?} {}", token.kind(), token.text()))
                    }
                    rowan::NodeOrToken::Token(_) => {}
                }
                depth += 1;
            }
            WalkEvent::Leave(_) => depth -= 1,
        }
    }
    out
}

/// The comments of a text, trailing white space dropped, sorted.
pub(crate) fn comments(text: &str) -> Vec<String> {
    let parse = mlpy_syntax::parse(text);
    let mut out: Vec<String> = parse
        .syntax_node()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == SyntaxKind::COMMENT)
        .map(|t| t.text().trim_end().to_string())
        .collect();
    out.sort();
    out
}

/// Formats `text` and checks: idempotent, the same tree without trivia, the same
/// comments, no syntax errors or new warnings, no white space at the end of a line
/// (outside string literals). `Ok(None)`: the text has syntax errors and was refused.
pub(crate) fn check_formatting(
    text: &str,
    options: &FormatOptions,
) -> Result<Option<String>, String> {
    let out = match format_text(text, options) {
        Ok(out) => out,
        Err(FormatError::Syntax { errors }) => {
            if errors.is_empty() || !mlpy_syntax::parse(text).has_errors() {
                return Err("refused as broken, but it parses".to_string());
            }
            return Ok(None);
        }
        Err(e) => return Err(format!("{e}")),
    };
    let parse = mlpy_syntax::parse(&out);
    if parse.has_errors() {
        return Err(format!(
            "the output has syntax errors: {:?}\n{out}",
            parse.errors()
        ));
    }
    let warnings_before = mlpy_syntax::parse(text).errors().len();
    if parse.errors().len() > warnings_before {
        return Err(format!(
            "the output has new warnings: {:?}\n{out}",
            parse.errors()
        ));
    }
    if structure(text) != structure(&out) {
        let before = structure(text);
        let after = structure(&out);
        let at = before
            .iter()
            .zip(&after)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        return Err(format!(
            "the tree changed at item {at}: {:?} became {:?}\n{out}",
            before.get(at),
            after.get(at)
        ));
    }
    if comments(text) != comments(&out) {
        return Err(format!("comments changed\n{out}"));
    }
    let again = format_text(&out, options).map_err(|e| format!("formatting the output: {e}"))?;
    if again != out {
        return Err(format!(
            "not idempotent:\n--- first\n{out}\n--- second\n{again}"
        ));
    }
    if let Some(at) = space_at_line_end(&out) {
        return Err(format!(
            "white space at the end of the line at byte {at}:\n{out}"
        ));
    }
    Ok(Some(out))
}

/// Where a line of `text` ends with white space, outside string literals (a string
/// spanning lines is printed as written): white space the lexer reads ending with a line
/// break that does not start it, or a comment ending with white space.
pub(crate) fn space_at_line_end(text: &str) -> Option<usize> {
    let mut found = None;
    mlpy_syntax::lexer::tokenize_with(text, |kind, start, end| {
        let run = &text[start..end];
        if found.is_none() && kind == SyntaxKind::COMMENT && run.ends_with([' ', '\t']) {
            found = Some(end);
        }
        if found.is_none() && kind == SyntaxKind::WHITESPACE {
            // Every line the run ends (and its last part, at the end of the text) must
            // be empty; the part after its last line break is indentation.
            let mut parts: Vec<&str> = run.split(['\n', '\r']).collect();
            if end != text.len() {
                parts.pop();
            }
            if parts.iter().any(|part| !part.is_empty()) {
                found = Some(start);
            }
        }
    });
    found
}

/// The conformance corpus (`../shared/conformance`, or `MLPY_CONFORMANCE_DIR`).
pub(crate) fn corpus_dir() -> PathBuf {
    match std::env::var_os("MLPY_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"),
    }
}

/// Every `.ml` file under `dir`, sorted (`target` and hidden folders left out).
pub(crate) fn ml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                collect(&path, out);
            }
        } else if name.ends_with(".ml") {
            out.push(path);
        }
    }
}
