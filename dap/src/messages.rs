//! Python's error texts in ML words: the debugger shows what Python says about an error
//! (an evaluation that failed, an exception it stopped on, a breakpoint condition that
//! raised), and Python names the variables it speaks of by their Python names.
//!
//! * a quoted name the emitter renamed (`'ml_class'`, a binding's own Python name) is
//!   given its ML name back (`'class'`);
//! * Python's suggestion (`name 'cout' is not defined. Did you mean: 'count'?`, 3.10 and
//!   later) is dropped: it is picked among Python's names (the runtime's `__ml`, the
//!   builtins ML does not have, renamed names), not ML's, and other versions give none.

use crate::program::{ml_identifier, Module};

/// `text` (a Python error message, `Type: message` or the message alone) with the Python
/// names of `module`'s bindings (or, without a module, only the renamed reserved words)
/// said as in ML.
pub fn ml_error_text(text: &str, module: Option<&Module>) -> String {
    let text = unbound_in_3_11_words(&drop_suggestion(text));
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find('\'') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('\'') else {
            break;
        };
        let quoted = &rest[..close];
        if is_identifier(quoted) {
            out.push_str(&ml_name(quoted, module));
            out.push('\'');
            rest = &rest[close + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// The ML name of Python name `py` in `module`.
fn ml_name(py: &str, module: Option<&Module>) -> String {
    if let Some(ml) = module.and_then(|m| m.ml_names.get(py)) {
        return ml.clone();
    }
    ml_identifier(py).to_string()
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Python 3.9's and 3.10's texts for a variable read before it is bound, in 3.11's words.
fn unbound_in_3_11_words(text: &str) -> String {
    let mut text = text.to_string();
    for (kind, tail) in [
        ("local", "referenced before assignment"),
        ("free", "referenced before assignment in enclosing scope"),
    ] {
        let (Some(start), Some(end)) = (
            text.find(&format!("{kind} variable '")),
            text.find(&format!("' {tail}")),
        ) else {
            continue;
        };
        let name_start = start + kind.len() + " variable '".len();
        if end < name_start || !is_identifier(&text[name_start..end]) {
            continue;
        }
        let name = text[name_start..end].to_string();
        let scope = if kind == "free" {
            " in enclosing scope"
        } else {
            ""
        };
        let reworded = format!(
            "cannot access {kind} variable '{name}' where it is not associated with a value{scope}"
        );
        text.replace_range(start..end + 2 + tail.len(), &reworded);
    }
    text
}

/// The text without Python's `. Did you mean: 'x'?` (at the end of a line).
fn drop_suggestion(text: &str) -> String {
    text.lines()
        .map(|line| match line.find(". Did you mean: ") {
            Some(at) if line.trim_end().ends_with('?') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_names_in_python_errors_read_as_in_ml() {
        assert_eq!(
            ml_error_text("NameError: name 'ml_class' is not defined", None),
            "NameError: name 'class' is not defined"
        );
        assert_eq!(
            ml_error_text(
                "cannot access local variable 'ml_def' where it is not associated with a value",
                None
            ),
            "cannot access local variable 'def' where it is not associated with a value"
        );
        // Python 3.9's words, in 3.11's as the runtime says them.
        assert_eq!(
            ml_error_text(
                "UnboundLocalError: local variable 'ml_pass' referenced before assignment",
                None
            ),
            "UnboundLocalError: cannot access local variable 'pass' where it is not \
             associated with a value"
        );
        assert_eq!(
            ml_error_text(
                "free variable 'n' referenced before assignment in enclosing scope",
                None
            ),
            "cannot access free variable 'n' where it is not associated with a value in \
             enclosing scope"
        );
    }

    #[test]
    fn other_quoted_text_is_left_as_it_is() {
        let text = "AttributeError: 'NoneType' object has no accessible attribute 'deeper'";
        assert_eq!(ml_error_text(text, None), text);
        // A name that only looks renamed (`ml_total` is an ML name of its own).
        let text = "NameError: name 'ml_total' is not defined";
        assert_eq!(ml_error_text(text, None), text);
        // Quotes around what is no identifier, and an unclosed one.
        let text = "ValueError: invalid literal for int() with base 10: 'x y' and 'ml_if";
        assert_eq!(ml_error_text(text, None), text);
    }

    #[test]
    fn pythons_suggestions_are_dropped() {
        assert_eq!(
            ml_error_text(
                "NameError: name 'cout' is not defined. Did you mean: 'ml_count'?",
                None
            ),
            "NameError: name 'cout' is not defined"
        );
        assert_eq!(
            ml_error_text("name 'ml_from' is not defined", None),
            "name 'from' is not defined"
        );
    }
}
