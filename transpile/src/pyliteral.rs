//! Python literal text for values.

use std::fmt::Write;

/// A Python string literal with the value `value`, on one line: double quotes unless the
/// value contains `"` and no `'`; backslashes, the quote, line breaks and other control
/// characters escaped; everything else (Unicode included) kept as is.
pub fn py_string(value: &str) -> String {
    let quote = if value.contains('"') && !value.contains('\'') {
        '\''
    } else {
        '"'
    };
    let mut out = String::with_capacity(value.len() + 2);
    out.push(quote);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A Python triple-quoted string literal spanning lines, used to embed source files: the
/// text stays readable line by line.
pub fn py_long_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 16);
    out.push_str("\"\"\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        assert_eq!(py_string("a\nb"), r#""a\nb""#);
        assert_eq!(py_string(r"\d+"), r#""\\d+""#);
        assert_eq!(py_string("say \"hi\""), r#"'say "hi"'"#);
        assert_eq!(py_string("it's \"x\""), r#""it's \"x\"""#);
        assert_eq!(py_string("\0é"), "\"\\x00é\"");
        assert_eq!(
            py_long_string("a\"\"\"b\\\n"),
            "\"\"\"a\\\"\\\"\\\"b\\\\\n\"\"\""
        );
    }
}
