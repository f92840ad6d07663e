//! The values of literal tokens.

/// The value of a string literal token, quotes included in `raw`.
///
/// `\n \t \r \\ \" \' \0 \uXXXX` are processed; every other backslash sequence (`\d`,
/// `\b`, `\.` …) is kept verbatim so that regular expressions work unchanged. An
/// unterminated literal yields what is there. A UTF-16 surrogate pair written as two
/// escapes (`\uD83D\uDE00`) is one character (😀); a lone surrogate, which no character
/// is, stays verbatim (the lexer reports it: [`lone_surrogates`]).
pub fn string_value(raw: &str) -> String {
    let (_, body) = literal_body(raw);
    unescape(body)
}

/// The key an object literal's string key names, quotes included in `raw`: its value
/// with `"` and `'` characters stripped from both ends, as the reference has it
/// (`{"'a'": 1}` is `{a: 1}`). A quote escaped at an end (`"\"a"`) is part of the key:
/// the reference stripped the literal's text before its escapes were read.
pub fn object_key_value(raw: &str) -> String {
    let (_, body) = literal_body(raw);
    let is_quote = |c: char| c == '"' || c == '\'';
    let mut body = body.trim_start_matches(is_quote);
    // A trailing quote escaped by a backslash stays (with its backslash).
    while let Some(rest) = body.strip_suffix(is_quote) {
        let backslashes = rest.bytes().rev().take_while(|&b| b == b'\\').count();
        if backslashes % 2 == 1 {
            break;
        }
        body = rest;
    }
    unescape(body)
}

/// The body of a string literal token (without its quotes) and the body's offset in
/// `raw`.
pub fn literal_body(raw: &str) -> (usize, &str) {
    let Some(quote) = raw.chars().next() else {
        return (0, "");
    };
    let start = quote.len_utf8();
    let body = &raw[start..];
    if is_closed(raw) {
        (start, &body[..body.len() - quote.len_utf8()])
    } else {
        (start, body)
    }
}

/// Whether a string literal token, quotes included in `raw`, has its closing quote (the
/// lexer ends an unterminated one at the end of its line).
pub fn is_closed(raw: &str) -> bool {
    let Some(quote) = raw.chars().next() else {
        return false;
    };
    match raw[quote.len_utf8()..].strip_suffix(quote) {
        // The final quote closes the literal unless a backslash escapes it, as in the
        // unterminated `"abc\"`.
        Some(inner) => inner.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 0,
        None => false,
    }
}

/// Processes the escapes of a string literal's body. A line break written in the literal
/// (`\r\n`, or a lone `\r`) is `\n`, whichever line endings the file has: the reference read
/// sources with universal newlines. The escapes `\r` and `\n` keep their meaning.
pub fn unescape(body: &str) -> String {
    let normalized;
    let body = if body.contains('\r') {
        normalized = body.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        body
    };
    if !body.contains('\\') {
        return body.to_string();
    }
    decode(body, |_, _| {})
}

/// The `\uXXXX` escapes of a string literal's body that are half of a surrogate pair
/// without the other half (a high one not followed by a low one, or a low one alone):
/// each as its byte range in `body` and its code unit.
pub fn lone_surrogates(body: &str) -> Vec<(std::ops::Range<usize>, u32)> {
    let mut found = Vec::new();
    if body.contains("\\u") {
        decode(body, |range, unit| found.push((range, unit)));
    }
    found
}

/// The four hex digits of a `\uXXXX` escape at the start of `s` (`s` starts with `\u`).
fn u_escape(s: &str) -> Option<u32> {
    let hex = s.strip_prefix("\\u")?.get(..4)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

fn decode(body: &str, mut lone: impl FnMut(std::ops::Range<usize>, u32)) -> String {
    let mut out = String::with_capacity(body.len());
    let mut pos = 0;
    while let Some(found) = body[pos..].find('\\') {
        let at = pos + found;
        out.push_str(&body[pos..at]);
        let escape = &body[at..];
        // What the escape stands for and how many bytes it takes; `None`: the backslash
        // is kept and the text after it read as ordinary text.
        let decoded: Option<(char, usize)> = match escape.as_bytes().get(1) {
            Some(b'n') => Some(('\n', 2)),
            Some(b't') => Some(('\t', 2)),
            Some(b'r') => Some(('\r', 2)),
            Some(b'0') => Some(('\0', 2)),
            Some(b'\\') => Some(('\\', 2)),
            Some(b'"') => Some(('"', 2)),
            Some(b'\'') => Some(('\'', 2)),
            Some(b'u') => match u_escape(escape) {
                Some(high @ 0xD800..=0xDBFF) => {
                    match u_escape(&escape[6..]).filter(|low| (0xDC00..=0xDFFF).contains(low)) {
                        Some(low) => {
                            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                            char::from_u32(code).map(|c| (c, 12))
                        }
                        None => {
                            lone(at..at + 6, high);
                            None
                        }
                    }
                }
                Some(low @ 0xDC00..=0xDFFF) => {
                    lone(at..at + 6, low);
                    None
                }
                Some(code) => char::from_u32(code).map(|c| (c, 6)),
                None => None,
            },
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push(c);
                pos = at + len;
            }
            None => {
                out.push('\\');
                pos = at + 1;
            }
        }
    }
    out.push_str(&body[pos..]);
    out
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
    fn object_keys_lose_the_quotes_at_their_ends() {
        for (raw, key) in [
            (r#""plain""#, "plain"),
            (r#""'quoted'""#, "quoted"),
            (r#"'"dq"'"#, "dq"),
            (r#""''a'""#, "a"),
            (r#""a'b""#, "a'b"),
            (r#""'""#, ""),
            (r#""a\"""#, "a\""),
            (r#""\"b""#, "\"b"),
            (r#""a\n""#, "a\n"),
            (r#""é'""#, "é"),
        ] {
            assert_eq!(object_key_value(raw), key, "{raw}");
        }
    }

    #[test]
    fn closed_literals_end_with_their_unescaped_quote() {
        for (raw, closed) in [
            (r#""a""#, true),
            (r#""""#, true),
            (r"'it\'s'", true),
            (r#""a\\""#, true),
            (r#"""#, false),
            (r#""abc"#, false),
            (r#""abc\""#, false),
            (r#""a'"#, false),
            ("", false),
        ] {
            assert_eq!(is_closed(raw), closed, "{raw}");
        }
    }

    #[test]
    fn line_breaks_written_in_a_literal_are_newlines() {
        for (raw, value) in [
            ("\"a\r\nb\"", "a\nb"),
            ("'a\rb'", "a\nb"),
            ("\"a\r\n\r\nb\\r\"", "a\n\nb\r"),
            ("\"x\\n\r\n\"", "x\n\n"),
        ] {
            assert_eq!(string_value(raw), value, "{raw:?}");
        }
    }

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
        assert_eq!(string_value(r#""\\u0041""#), r"\u0041");
        assert_eq!(string_value(r#""\u00""#), r"\u00");
    }

    /// Surrogate pairs at the start, middle and end, several in a row, lone halves,
    /// reversed halves, and escaped backslashes that make `\uD83D` plain text.
    #[test]
    fn surrogate_pairs() {
        let pair = r"\uD83D\uDE00";
        for (raw, value) in [
            (format!("\"{pair}\""), "😀".to_string()),
            (format!("\"{pair}x\""), "😀x".to_string()),
            (format!("\"x{pair}\""), "x😀".to_string()),
            (format!("\"a{pair}b\""), "a😀b".to_string()),
            (format!("'{pair}{pair}'"), "😀😀".to_string()),
            (r#""\ud83d\ude00""#.to_string(), "😀".to_string()),
            (r#""\uDBFF\uDFFF""#.to_string(), "\u{10FFFF}".to_string()),
            (r#""\uD800\uDC00""#.to_string(), "\u{10000}".to_string()),
        ] {
            assert_eq!(string_value(&raw), value, "{raw}");
            assert!(lone_surrogates(literal_body(&raw).1).is_empty(), "{raw}");
        }
        let lone = |raw: &str| -> Vec<(usize, u32)> {
            let (start, body) = literal_body(raw);
            lone_surrogates(body)
                .into_iter()
                .map(|(r, unit)| {
                    assert_eq!(r.len(), 6);
                    (start + r.start, unit)
                })
                .collect()
        };
        assert_eq!(lone(r#""\uD83D""#), [(1, 0xD83D)]);
        assert_eq!(lone(r#""x\uDE00y""#), [(2, 0xDE00)]);
        assert_eq!(lone(r#""\uD83Dx\uDE00""#), [(1, 0xD83D), (8, 0xDE00)]);
        // Reversed: the low half comes first, then a high half with nothing after it.
        assert_eq!(lone(r#""\uDE00\uD83D""#), [(1, 0xDE00), (7, 0xD83D)]);
        // Two high halves, then a low one: the first is alone, the second pairs.
        assert_eq!(lone(r#""\uD83D\uD83D\uDE00""#), [(1, 0xD83D)]);
        assert_eq!(string_value(r#""\uD83D\uD83D\uDE00""#), "\\uD83D😀");
        assert_eq!(lone(r#""\uD83D\u0041""#), [(1, 0xD83D)]);
        // Unterminated literal: still found.
        assert_eq!(lone(r#""\uD83D"#), [(1, 0xD83D)]);
        // `\\uD83D` is a backslash and text, not an escape.
        assert!(lone(r#""\\uD83D""#).is_empty());
        assert_eq!(string_value(r#""\uD83D""#), r"\uD83D");
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
