//! Log points: a breakpoint's `logMessage` is text with ML expressions in braces
//! (`total is {total}, first {items[0]}`), printed to the debug console each time the
//! line runs, without stopping.
//!
//! The line is one Python expression: the text as string literals (every character that
//! is not a letter, a digit or a space escaped), each ML expression transpiled by the
//! [`Compiler`] as `builtin.str(EXPR)` (the text ML's `str` gives, whatever the frame
//! calls `str`). It reaches debugpy as a condition that prints the line and is false
//! ([`as_condition`]); with a hit count, as debugpy's log message ([`as_log_message`]).
//! Nothing of the editor's text is ever read as Python.

use crate::evaluate::Compiler;
use crate::program::Program;

/// One piece of a log message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Expr(String),
}

/// The pieces of `message`: text, and the expressions in its braces. A brace group ends at
/// its matching `}` (braces of an object literal or inside an ML string do not end it);
/// an empty `{}` and a `}` that closes nothing are text.
pub fn pieces(message: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = message.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '{' {
            text.push(c);
            continue;
        }
        let mut depth = 1;
        let mut quote: Option<char> = None;
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match (quote, c) {
                (Some(_), '\\') => {
                    chars.next();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '{') => depth += 1,
                (None, '}') => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                (None, _) => {}
            }
        }
        let Some(end) = end else {
            return Err(format!(
                "the `{{` at character {} has no matching `}}`",
                message[..start].chars().count() + 1
            ));
        };
        let expr = message[start + 1..end].trim();
        if expr.is_empty() {
            text.push_str(&message[start..=end]);
            continue;
        }
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut text)));
        }
        out.push(Piece::Expr(expr.to_string()));
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// The Python pieces of `message` at ML line `line` of `module`: each text as a string
/// literal, each expression as `(builtin.str(EXPR))` transpiled. An expression that does
/// not compile is an error that names it.
pub fn python_pieces(
    program: &Program,
    compiler: &Compiler,
    module: usize,
    line: u32,
    message: &str,
) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    for piece in pieces(message)? {
        match piece {
            Piece::Text(text) => parts.push(python_string(&text)),
            Piece::Expr(expr) => {
                // Checked as typed first: errors speak of what the editor sent.
                compiler
                    .compile(program, module, line, &expr)
                    .map_err(|e| format!("`{{{expr}}}`: {e}"))?;
                let python = compiler
                    .compile(program, module, line, &format!("builtin.str(({expr}))"))
                    .map_err(|e| format!("`{{{expr}}}`: {e}"))?;
                parts.push(format!("({python})"));
            }
        }
    }
    if parts.is_empty() {
        parts.push("''".to_string());
    }
    Ok(parts)
}

/// A log point as a breakpoint condition that prints the line with ML's `print` (`printer`:
/// `builtin.print` transpiled) and is false: the line is written to the program's standard
/// output, in order with what the program prints (debugpy's own log messages come by
/// another way and overtake it). With the editor's condition (`condition`, transpiled), it
/// logs only when that is true.
pub fn as_condition(pieces: &[String], printer: &str, condition: Option<&str>) -> String {
    let log = format!("(({printer})({}), False)[1]", pieces.join(" + "));
    match condition {
        Some(condition) => format!("({condition}) and {log}"),
        None => log,
    }
}

/// A log point as debugpy's log message (`{PYTHON}`), for a log point with a hit count:
/// debugpy stops on a hit count that is reached without looking at the condition.
pub fn as_log_message(expr_of: &str, pieces: &[String]) -> Result<String, String> {
    let python = pieces.join(" + ");
    if !balanced(&python) {
        return Err(format!(
            "`{expr_of}`: with a hit count, a brace in one of its strings cannot be logged"
        ));
    }
    // debugpy reads `@LINE@` as a line break: only inside a string literal here.
    Ok(format!(
        "{{{}}}",
        python.replace("@LINE@", "\\x40LINE\\x40")
    ))
}

/// `text` as a Python string literal with only letters, digits and spaces as they are.
fn python_string(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c as u32 {
            _ if c.is_ascii_alphanumeric() || c == ' ' => out.push(c),
            n if n <= 0xff => out.push_str(&format!("\\x{n:02x}")),
            n if n <= 0xffff => out.push_str(&format!("\\u{n:04x}")),
            n => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out.push('\'');
    out
}

/// Whether debugpy's brace matching reads `python` whole: no `}` closes more than was
/// opened, and every `{` is closed.
fn balanced(python: &str) -> bool {
    let mut depth: i64 = 0;
    for c in python.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_string())
    }
    fn expr(s: &str) -> Piece {
        Piece::Expr(s.to_string())
    }

    #[test]
    fn a_message_is_text_and_expressions_in_braces() {
        assert_eq!(
            pieces("n = {n}, first {items[0]}!").unwrap(),
            [
                text("n = "),
                expr("n"),
                text(", first "),
                expr("items[0]"),
                text("!")
            ]
        );
        assert_eq!(pieces("plain").unwrap(), [text("plain")]);
        assert_eq!(pieces("").unwrap(), []);
    }

    #[test]
    fn braces_of_objects_and_strings_stay_in_their_expression() {
        assert_eq!(
            pieces("{ {a: 1}.a } and {\"}\" + s}").unwrap(),
            [expr("{a: 1}.a"), text(" and "), expr("\"}\" + s")]
        );
        assert_eq!(pieces("{'\\'}' + s}").unwrap(), [expr("'\\'}' + s")]);
    }

    #[test]
    fn empty_and_stray_braces_are_text_and_an_open_one_is_an_error() {
        assert_eq!(pieces("{} and }").unwrap(), [text("{} and }")]);
        assert_eq!(
            pieces("total {x").unwrap_err(),
            "the `{` at character 7 has no matching `}`"
        );
    }

    #[test]
    fn a_log_point_prints_and_is_false_and_with_a_hit_count_is_a_log_message() {
        let pieces = ["'n='".to_string(), "(str(n))".to_string()];
        assert_eq!(
            as_condition(&pieces, "P", None),
            "((P)('n=' + (str(n))), False)[1]"
        );
        assert_eq!(
            as_condition(&pieces, "P", Some("n > 1")),
            "(n > 1) and ((P)('n=' + (str(n))), False)[1]"
        );
        assert_eq!(
            as_log_message("n={n}", &pieces).unwrap(),
            "{'n=' + (str(n))}"
        );
        let odd = ["('}')".to_string()];
        assert!(as_log_message("{\"}\"}", &odd).is_err());
        let at = ["('@LINE@')".to_string()];
        assert_eq!(as_log_message("x", &at).unwrap(), "{('\\x40LINE\\x40')}");
    }

    #[test]
    fn text_reaches_python_without_braces_quotes_or_at_signs() {
        assert_eq!(
            python_string("a {b} 'c' @LINE@ é"),
            "'a \\x7bb\\x7d \\x27c\\x27 \\x40LINE\\x40 \\xe9'"
        );
        assert_eq!(python_string("😀"), "'\\U0001f600'");
        assert!(balanced("{'a': [1, {2}]}"));
        assert!(!balanced("'}' + '{'"));
        assert!(!balanced("'{'"));
    }
}
