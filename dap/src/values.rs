//! Python values as ML shows them. debugpy describes a value by its Python `repr` (cut
//! short with `...` when long) and type name; this turns those into ML notation —
//! `true`/`false`/`null`, `"strings"`, `{key: value}` objects, `[arrays]`, `function f` —
//! and keeps the text as it is where it cannot be read.

/// The ML name of a Python type.
pub fn ml_type(py_type: &str) -> &str {
    match py_type {
        "dict" | "MLDict" => "object",
        "list" | "tuple" => "array",
        "str" => "string",
        "int" | "float" => "number",
        "bool" => "boolean",
        "NoneType" => "null",
        "function" | "builtin_function_or_method" | "method" | "functools.partial" => "function",
        "module" => "module",
        "MLUserException" => "exception",
        other => other,
    }
}

/// The ML text of a value debugpy shows as `repr` (its Python `repr`, maybe cut short).
pub fn ml_value(repr: &str) -> String {
    let mut parser = Parser { text: repr, at: 0 };
    let mut out = String::new();
    match parser.value(&mut out, 0) {
        Some(()) if parser.rest().trim().is_empty() => out,
        _ => repr.to_string(),
    }
}

/// The key of a dictionary entry as debugpy names the child (`'kind'`, `3`): the ML key.
pub fn ml_key(name: &str) -> String {
    let mut parser = Parser { text: name, at: 0 };
    let mut out = String::new();
    if name.starts_with(['\'', '"'])
        && parser.string(&mut out).is_some()
        && parser.rest().is_empty()
    {
        // `string` wrote it quoted for ML: the key itself is inside.
        return serde_json::from_str::<String>(&out).unwrap_or_else(|_| name.to_string());
    }
    name.to_string()
}

/// Whether `key` can follow a `.` in ML (`o.key`).
pub fn is_member_name(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An ML string literal.
pub fn ml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// How deep containers are read before the rest is kept as it is.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.at += prefix.len();
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn value(&mut self, out: &mut String, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_spaces();
        let rest = self.rest();
        let c = rest.chars().next()?;
        match c {
            '\'' | '"' => self.string(out),
            '[' | '(' => self.sequence(out, depth),
            '{' => self.mapping(out, depth),
            '<' => self.object(out),
            _ if rest.starts_with("...") => {
                self.at += 3;
                out.push('…');
                Some(())
            }
            _ => self.word(out),
        }
    }

    /// A Python string literal (with an optional `b` prefix left out: bytes show as text).
    fn string(&mut self, out: &mut String) -> Option<()> {
        let quote = self.rest().chars().next()?;
        self.at += 1;
        let mut value = String::new();
        loop {
            let c = self.rest().chars().next()?;
            self.at += c.len_utf8();
            match c {
                c if c == quote => break,
                '\\' => {
                    let e = self.rest().chars().next()?;
                    self.at += e.len_utf8();
                    match e {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        'r' => value.push('\r'),
                        '0' => value.push('\0'),
                        'x' | 'u' | 'U' => {
                            let n = match e {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let hex = self.rest().get(..n)?;
                            self.at += n;
                            value.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                        }
                        other => value.push(other),
                    }
                }
                c => value.push(c),
            }
        }
        out.push_str(&ml_string(&value));
        Some(())
    }

    fn sequence(&mut self, out: &mut String, depth: usize) -> Option<()> {
        let close = if self.eat("[") {
            ']'
        } else {
            self.eat("(").then_some(')')?
        };
        out.push('[');
        let mut first = true;
        loop {
            self.skip_spaces();
            if self.eat(&close.to_string()) {
                break;
            }
            if !first {
                if !self.eat(",") {
                    return None;
                }
                self.skip_spaces();
                // `(1,)`: a tuple's trailing comma.
                if self.eat(&close.to_string()) {
                    break;
                }
                out.push_str(", ");
            }
            first = false;
            self.value(out, depth + 1)?;
        }
        out.push(']');
        Some(())
    }

    fn mapping(&mut self, out: &mut String, depth: usize) -> Option<()> {
        self.eat("{");
        out.push('{');
        let mut first = true;
        loop {
            self.skip_spaces();
            if self.eat("}") {
                break;
            }
            if !first {
                if !self.eat(",") {
                    return None;
                }
                self.skip_spaces();
                out.push_str(", ");
            }
            first = false;
            let mut key = String::new();
            self.value(&mut key, depth + 1)?;
            self.skip_spaces();
            if !self.eat(":") {
                // A set (`{1, 2}`) or a cut-short mapping (`{...}`): shown as read.
                if key == "…" {
                    out.push('…');
                    continue;
                }
                return None;
            }
            match serde_json::from_str::<String>(&key) {
                Ok(name) if is_member_name(&name) => out.push_str(&name),
                _ => out.push_str(&key),
            }
            out.push_str(": ");
            self.value(out, depth + 1)?;
        }
        out.push('}');
        Some(())
    }

    /// `<function area at 0x…>` → `function area`, `<module 'a.b' at 0x…>` →
    /// `module a.b`; any other `<…>` without its address.
    fn object(&mut self, out: &mut String) -> Option<()> {
        let rest = self.rest();
        if let Some(f) = rest.strip_prefix("<function ") {
            // The qualified name may hold `<locals>` and `<lambda>`: up to the address.
            let at = f.find(" at 0x")?;
            let end = at + f[at..].find('>')?;
            self.at += "<function ".len() + end + 1;
            let name = &f[..at];
            let name = name.rsplit('.').next().unwrap_or(name);
            if name == "<lambda>" || name.starts_with("__arrow_") {
                out.push_str("fn");
            } else {
                out.push_str("function ");
                out.push_str(crate::program::ml_identifier(name));
            }
            return Some(());
        }
        if let Some(method) = rest
            .strip_prefix("<bound method ")
            .or_else(|| rest.strip_prefix("<built-in method "))
        {
            // `<bound method Match.end of <… object at 0x…>>`: the method's name; the
            // object it is bound to is a repr of its own, up to the matching `>`.
            let name = &method[..method.find(" of ")?];
            self.at += closing_bracket(rest)? + 1;
            out.push_str("function ");
            out.push_str(crate::program::ml_identifier(
                name.rsplit('.').next().unwrap_or(name),
            ));
            return Some(());
        }
        if let Some(m) = rest.strip_prefix("<module '") {
            let name_end = m.find('\'')?;
            let end = name_end + m[name_end..].find('>')?;
            self.at += "<module '".len() + end + 1;
            let name = &m[..name_end];
            // The runtime prints a module by its ML name; a Python name
            // (`mlpy_runtime.stdlib.NAME`, `ml_from`) is still read as ML writes it.
            let name = name.strip_prefix("mlpy_runtime.stdlib.").unwrap_or(name);
            let segments: Vec<&str> = name.split('.').map(crate::program::ml_identifier).collect();
            out.push_str("module ");
            out.push_str(&segments.join("."));
            return Some(());
        }
        let end = rest.find('>')?;
        let inner = &rest[1..end];
        self.at += end + 1;
        let shown = inner.split(" at 0x").next().unwrap_or(inner);
        let shown = shown.strip_suffix(" object").unwrap_or(shown);
        out.push_str(shown.rsplit('.').next().unwrap_or(shown));
        Some(())
    }

    /// Numbers, `True`/`False`/`None`, `inf`/`nan`.
    fn word(&mut self, out: &mut String) -> Option<()> {
        let rest = self.rest();
        let end = rest
            .find([',', ']', ')', '}', ':', ' '])
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if word.is_empty() {
            return None;
        }
        self.at += end;
        match word {
            "True" => out.push_str("true"),
            "False" => out.push_str("false"),
            "None" => out.push_str("null"),
            "inf" => out.push_str("Infinity"),
            "-inf" => out.push_str("-Infinity"),
            "nan" => out.push_str("NaN"),
            w if w.parse::<f64>().is_ok() || w.parse::<i128>().is_ok() => out.push_str(w),
            // Big integers and anything else: as Python wrote them.
            w if w.chars().all(|c| c.is_ascii_digit() || c == '-') => out.push_str(w),
            _ => return None,
        }
        Some(())
    }
}

/// The place of the `>` that closes the `<` `text` starts with, past the `<…>` nested in it.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_reprs_become_ml_values() {
        assert_eq!(ml_value("True"), "true");
        assert_eq!(ml_value("None"), "null");
        assert_eq!(ml_value("-3.5"), "-3.5");
        assert_eq!(ml_value("'it\\'s'"), "\"it's\"");
        assert_eq!(ml_value("\"a\\nb\""), "\"a\\nb\"");
        assert_eq!(
            ml_value("{'kind': 'circle', 'ok': True, 'n': None, 'my key': [1, 2.5, (3,)]}"),
            "{kind: \"circle\", ok: true, n: null, \"my key\": [1, 2.5, [3]]}"
        );
        assert_eq!(ml_value("[1, 2, ...]"), "[1, 2, …]");
        assert_eq!(ml_value("{'a': 1, ...}"), "{a: 1, …}");
        assert_eq!(ml_value("<function area at 0x7f00>"), "function area");
        assert_eq!(
            ml_value(
                "<bound method Match.end of <mlpy_runtime.stdlib.regex.Match object at 0x7f00>>"
            ),
            "function end"
        );
        assert_eq!(
            ml_value("<built-in method upper of str object at 0x7f00>"),
            "function upper"
        );
        assert_eq!(
            ml_value("[<bound method A.f of <A object at 0x1>>, 2]"),
            "[function f, 2]"
        );
        assert_eq!(ml_value("<function ml_from at 0x7f00>"), "function from");
        assert_eq!(
            ml_value("<function largest.<locals>.<lambda> at 0x7f00>"),
            "fn"
        );
        assert_eq!(
            ml_value("<module 'geometry.core' from '/x/geometry/core.py'>"),
            "module geometry.core"
        );
        assert_eq!(
            ml_value("[<module 'string' at 0x7f00>, 1]"),
            "[module string, 1]"
        );
        assert_eq!(
            ml_value("<mlpy_runtime.stdlib.regex.Pattern object at 0x7f00>"),
            "Pattern"
        );
        assert_eq!(ml_value("[inf, nan]"), "[Infinity, NaN]");
        assert_eq!(
            ml_value("<module 'mlpy_runtime.stdlib.json' from '/x/json.py'>"),
            "module json"
        );
        // What cannot be read stays as it was.
        assert_eq!(ml_value("frozenset({1})"), "frozenset({1})");
        assert_eq!(ml_value("'unterminated"), "'unterminated");
    }

    #[test]
    fn keys_types_and_member_names() {
        assert_eq!(ml_key("'kind'"), "kind");
        assert_eq!(ml_key("\"it's\""), "it's");
        assert_eq!(ml_key("3"), "3");
        assert_eq!(ml_type("dict"), "object");
        assert_eq!(ml_type("NoneType"), "null");
        assert_eq!(ml_type("Pattern"), "Pattern");
        assert!(is_member_name("area_2"));
        assert!(!is_member_name("my key"));
        assert!(!is_member_name("2x"));
    }
}
