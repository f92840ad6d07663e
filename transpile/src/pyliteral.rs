//! Python literal text for values.

use std::fmt::Write;

/// A Python string literal with the value `value`, on one line: double quotes unless the
/// value contains `"` and no `'`; backslashes, the quote, line breaks and other control
/// characters escaped; everything else (Unicode included) kept as is.
pub fn py_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_py_string(&mut out, value);
    out
}

/// [`py_string`], written at the end of `out`.
pub fn push_py_string(out: &mut String, value: &str) {
    let quote = if value.contains('"') && !value.contains('\'') {
        b'\''
    } else {
        b'"'
    };
    out.push(quote as char);
    // Runs of bytes that need no escape are copied as they are: every byte of a
    // multi-byte character is >= 0x80, and only the three of them below need one.
    let bytes = value.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let special = b < 0x20 || b == 0x7f || b == b'\\' || b == quote || b == 0xc2 || b == 0xe2;
        if !special {
            i += 1;
            continue;
        }
        let c = value[i..].chars().next().expect("a character starts here");
        let escape: Option<&str> = match c {
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        let escaped = escape.is_some()
            || c as u32 == quote as u32
            || (c as u32) < 0x20
            || c == '\u{7f}'
            || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}');
        if !escaped {
            i += c.len_utf8();
            continue;
        }
        out.push_str(&value[plain..i]);
        match escape {
            Some(e) => out.push_str(e),
            None if c as u32 == quote as u32 => {
                out.push('\\');
                out.push(c);
            }
            None if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            None => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        i += c.len_utf8();
        plain = i;
    }
    out.push_str(&value[plain..]);
    out.push(quote as char);
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

    /// The escaping of `py_string`, one character at a time (how it was written before
    /// it copied runs of plain bytes).
    fn reference(value: &str) -> String {
        let quote = if value.contains('"') && !value.contains('\'') {
            '\''
        } else {
            '"'
        };
        let mut out = String::new();
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

    #[test]
    fn strings_escaped_as_one_character_at_a_time() {
        // Every character that is escaped, its neighbours, and characters whose UTF-8
        // shares lead bytes with them (U+0080..U+00BF, U+2000..U+203F).
        let mut chars: Vec<char> = (0u32..0x100).filter_map(char::from_u32).collect();
        chars.extend((0x2000..0x2040).filter_map(char::from_u32));
        chars.extend(['é', 'ß', '€', '😀', '\u{10ffff}']);
        let mut values = vec![String::new()];
        for &a in &chars {
            values.push(a.to_string());
            values.push(format!("x{a}y"));
            for &b in &['"', '\'', '\\', 'a', '\u{85}', '\u{2028}', 'é'] {
                values.push(format!("{a}{b}{a}"));
            }
        }
        values.push("say \"hi\" it's".to_string());
        values.push(chars.iter().collect());
        for value in &values {
            assert_eq!(py_string(value), reference(value), "{value:?}");
        }
    }
}
