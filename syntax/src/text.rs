//! The values of literal tokens.

/// The value of a string literal token, quotes included in `raw`.
///
/// `\n \t \r \\ \" \' \0 \uXXXX` are processed; every other backslash sequence (`\d`,
/// `\b`, `\.` …) is kept verbatim so that regular expressions work unchanged. An
/// unterminated literal yields what is there.
pub fn string_value(raw: &str) -> String {
    let Some(quote) = raw.chars().next() else {
        return String::new();
    };
    let body = &raw[quote.len_utf8()..];
    let closed = match body.strip_suffix(quote) {
        // The final quote closes the literal unless a backslash escapes it, as in the
        // unterminated `"abc\"`.
        Some(inner) => inner.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 0,
        None => false,
    };
    unescape(if closed {
        &body[..body.len() - 1]
    } else {
        body
    })
}

/// Processes the escapes of a string literal's body.
pub fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => push_escaped(&mut out, &mut chars, '\n'),
            Some('t') => push_escaped(&mut out, &mut chars, '\t'),
            Some('r') => push_escaped(&mut out, &mut chars, '\r'),
            Some('0') => push_escaped(&mut out, &mut chars, '\0'),
            Some(q @ ('\\' | '"' | '\'')) => push_escaped(&mut out, &mut chars, q),
            Some('u') => {
                let rest: String = chars.clone().skip(1).take(4).collect();
                let decoded = (rest.len() == 4 && rest.chars().all(|h| h.is_ascii_hexdigit()))
                    .then(|| u32::from_str_radix(&rest, 16).ok().and_then(char::from_u32))
                    .flatten();
                match decoded {
                    Some(ch) => {
                        out.push(ch);
                        for _ in 0..5 {
                            chars.next();
                        }
                    }
                    None => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

fn push_escaped(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars<'_>>, ch: char) {
    out.push(ch);
    chars.next();
}

/// The value of a number literal, as Python source for the same value.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberValue {
    /// An integer of any size, as decimal digits with an optional leading `-`.
    Int(String),
    /// A float, with its text normalised for Python (no leading `+`).
    Float(String, f64),
}

/// Reads a NUMBER token. Integers keep every digit (they are unbounded); leading zeros,
/// which Python does not accept in integer literals, are dropped.
pub fn number_value(raw: &str) -> NumberValue {
    let (negative, unsigned) = match raw.as_bytes().first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    if unsigned.contains(['.', 'e', 'E']) {
        let value: f64 = unsigned.parse().unwrap_or(f64::NAN);
        let value = if negative { -value } else { value };
        let text = if negative {
            format!("-{unsigned}")
        } else {
            unsigned.to_string()
        };
        return NumberValue::Float(text, value);
    }
    let digits = unsigned.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    if negative && digits != "0" {
        NumberValue::Int(format!("-{digits}"))
    } else {
        NumberValue::Int(digits.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_processed_and_others_kept() {
        assert_eq!(string_value(r#""a\nb""#), "a\nb");
        assert_eq!(string_value(r"'it\'s'"), "it's");
        assert_eq!(string_value(r#""\d+\.\w""#), r"\d+\.\w");
        assert_eq!(string_value(r#""\u0041\u00e9""#), "Aé");
        assert_eq!(string_value(r#""\uZZ""#), r"\uZZ");
        assert_eq!(string_value(r#""a\\b""#), r"a\b");
        assert_eq!(string_value(r#""open"#), "open");
        assert_eq!(string_value(r#""end\""#), "end\"");
    }

    #[test]
    fn numbers() {
        assert_eq!(number_value("007"), NumberValue::Int("7".into()));
        assert_eq!(number_value("-0"), NumberValue::Int("0".into()));
        assert_eq!(number_value("+5"), NumberValue::Int("5".into()));
        assert_eq!(number_value("-12"), NumberValue::Int("-12".into()));
        assert_eq!(number_value("5."), NumberValue::Float("5.".into(), 5.0));
        assert_eq!(
            number_value("-.5e1"),
            NumberValue::Float("-.5e1".into(), -5.0)
        );
    }
}
