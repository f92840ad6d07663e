//! Whether the lines typed so far are a whole input, decided by the parser: the input is
//! incomplete when every error the parser reports is at its very end (it ran out of text:
//! an open bracket or block, a dangling operator), so more lines may finish it.

use mlpy_syntax::{SyntaxKind, TextSize};

/// What the lines typed so far are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Completeness {
    /// Nothing but whitespace and comments.
    Empty,
    /// A whole input, ready to run: the text, with the `;` that ends its last statement
    /// added when only that was missing (`semicolon_at`: where).
    Complete {
        text: String,
        semicolon_at: Option<usize>,
    },
    /// More lines may complete it: show the continuation prompt.
    Incomplete,
    /// Errors that no further line can fix: report them.
    Invalid,
}

/// The lines of the input being typed, until they make a whole one.
#[derive(Default)]
pub(crate) struct InputLines {
    text: String,
}

impl InputLines {
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The lines so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn clear(&mut self) {
        self.text.clear();
    }

    /// Adds a line; when the lines make a whole input (or one no further line can fix,
    /// which the checks then report with their places), returns it and starts a new one.
    pub(crate) fn push(&mut self, line: &str) -> Option<Whole> {
        self.text.push_str(line);
        if !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        let (text, semicolon_at) = match completeness(&self.text) {
            Completeness::Empty => {
                self.text.clear();
                return None;
            }
            Completeness::Incomplete => return None,
            Completeness::Complete { text, semicolon_at } => (text, semicolon_at),
            Completeness::Invalid => (self.text.clone(), None),
        };
        Some(Whole {
            text,
            typed: std::mem::take(&mut self.text),
            semicolon_at,
        })
    }
}

/// A whole input, from [`InputLines::push`].
pub(crate) struct Whole {
    /// What runs.
    pub(crate) text: String,
    /// The lines as typed.
    pub(crate) typed: String,
    /// Where `text` has the `;` the REPL added to the last statement.
    pub(crate) semicolon_at: Option<usize>,
}

/// Decides what `text` (the lines of one input) is.
pub(crate) fn completeness(text: &str) -> Completeness {
    let parse = mlpy_syntax::parse(text);
    let Some(end) = meaningful_end(&parse) else {
        return Completeness::Empty;
    };
    let errors: Vec<_> = parse.errors().iter().filter(|e| e.is_error()).collect();
    if errors.is_empty() {
        return Completeness::Complete {
            text: text.to_string(),
            semicolon_at: None,
        };
    }
    if !errors.iter().all(|e| at_end(e, end)) {
        return Completeness::Invalid;
    }
    // Statements end with `;`: the last one may leave it out, as a REPL line would.
    let at = usize::from(end);
    let with_semicolon = format!("{};{}", &text[..at], &text[at..]);
    if !mlpy_syntax::parse(&with_semicolon)
        .errors()
        .iter()
        .any(|e| e.is_error())
    {
        return Completeness::Complete {
            text: with_semicolon,
            semicolon_at: Some(at),
        };
    }
    Completeness::Incomplete
}

/// Whether the parser reported `error` because the text ended: at the end, or an open
/// block it reports at its `{` ("… before the end of the file").
fn at_end(error: &mlpy_syntax::SyntaxError, end: TextSize) -> bool {
    error.range.start() >= end || error.message.ends_with("before the end of the file")
}

/// The end of the last token that is not whitespace or a comment; `None` when there is
/// none.
fn meaningful_end(parse: &mlpy_syntax::Parse) -> Option<TextSize> {
    let root = parse.syntax_node();
    let mut token = root.last_token();
    while let Some(t) = token {
        if !t.kind().is_trivia() && t.kind() != SyntaxKind::EOF {
            return Some(t.text_range().end());
        }
        token = t.prev_token();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_added_semicolon_is_found_where_it_was_added() {
        for typed in [
            "x = 1\n",
            "f(1) // done\n",
            "g(\n  2)\n",
            "a;\nb\n",
            "s = \"é\"\n",
        ] {
            let Completeness::Complete { text, semicolon_at } = completeness(typed) else {
                panic!("{typed:?} is complete");
            };
            let at = semicolon_at.expect("a `;` was added");
            assert_eq!(&text[at..at + 1], ";");
            assert_eq!(format!("{}{}", &text[..at], &text[at + 1..]), typed);
        }
        assert_eq!(
            completeness("x = 1;\n"),
            Completeness::Complete {
                text: "x = 1;\n".to_string(),
                semicolon_at: None
            }
        );
    }

    fn complete(text: &str) -> bool {
        matches!(completeness(text), Completeness::Complete { .. })
    }

    #[test]
    fn whole_statements_are_complete() {
        for text in [
            "1 + 1;",
            "1 + 1",
            "x = [1, 2, 3]",
            "function f(a) { return a * 2; }",
            "if (x) { y = 1; } else { y = 2; }",
            "import math",
            "print(1); // done",
            "print(1) // done",
        ] {
            assert!(complete(text), "{text:?}: {:?}", completeness(text));
        }
        assert_eq!(
            completeness("x = 1\n"),
            Completeness::Complete {
                text: "x = 1;\n".to_string(),
                semicolon_at: Some(5)
            }
        );
        assert_eq!(completeness("  // nothing\n\n"), Completeness::Empty);
        assert_eq!(completeness(""), Completeness::Empty);
    }

    #[test]
    fn open_brackets_and_blocks_are_incomplete() {
        for text in [
            "function f(a) {",
            "function f(a) {\n  return a;",
            "x = [1, 2,",
            "print(1 +",
            "if (x) {\n y = 1;\n} else {",
            "x = {a: 1,\n b:",
            "while (true) {\n",
        ] {
            assert_eq!(completeness(text), Completeness::Incomplete, "{text:?}");
        }
    }

    #[test]
    fn errors_before_the_end_are_invalid() {
        for text in [
            "x = ) + 1;",
            "1 +* 2;\nfunction f() {",
            "x = \"open\ny = 2;",
        ] {
            assert_eq!(completeness(text), Completeness::Invalid, "{text:?}");
        }
    }

    /// Generated: statements nested in blocks and brackets to every depth, cut after
    /// every line. Every cut before the last line is incomplete (what is open is still
    /// open), the whole is complete, and a stray closer makes it invalid.
    #[test]
    fn every_prefix_of_nested_code_is_incomplete() {
        let openers = [
            ("if (x) {", "}"),
            ("while (y < 3) {", "}"),
            ("function g(a, b) {", "}"),
            ("for (i in items) {", "}"),
            ("try {", "} except (e) { z = 0; }"),
        ];
        let values = ["[1,\n2]", "{a: 1,\nb: 2}", "f(1,\n2)", "(1 +\n2)", "3"];
        let mut cases = 0;
        for depth in 0..4 {
            for (o, opener) in openers.iter().enumerate() {
                for value in values {
                    // Indented as people type it (a declaration at column 0 inside a
                    // block is taken to mean the block was never closed).
                    let mut lines = Vec::new();
                    for d in 0..depth {
                        let indent = "  ".repeat(d);
                        lines.push(format!("{indent}{}", openers[(o + d) % openers.len()].0));
                    }
                    lines.push(format!("{}v = {value};", "  ".repeat(depth)));
                    for d in (0..depth).rev() {
                        let indent = "  ".repeat(d);
                        lines.push(format!("{indent}{}", openers[(o + d) % openers.len()].1));
                    }
                    let text = lines.join("\n");
                    let physical: Vec<&str> = text.split('\n').collect();
                    for cut in 1..physical.len() {
                        let prefix = physical[..cut].join("\n");
                        assert_eq!(
                            completeness(&prefix),
                            Completeness::Incomplete,
                            "prefix {prefix:?} of {text:?}"
                        );
                    }
                    assert!(complete(&text), "{text:?}: {:?}", completeness(&text));
                    let stray = format!("{text}\n) + 1;");
                    assert_eq!(completeness(&stray), Completeness::Invalid, "{stray:?}");
                    let _ = opener;
                    cases += 1;
                }
            }
        }
        assert!(cases >= 80);
    }
}
