//! The line map of one emitted Python file, read back from the file's own
//! `__ml.source_map(__file__, [...], "...")` call: the ML line of every Python line, and
//! for breakpoints the Python line where each ML line's code starts.

use std::collections::BTreeMap;

/// Why a file's map could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MapError {
    #[error("no source map call in the emitted file")]
    Missing,
    #[error("a source map call that is not one line of literals")]
    Malformed,
    #[error("a source map item that is not a line: {0:?}")]
    BadItem(String),
}

/// What the map call says: the ML files it names and the ML line of each Python line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMap {
    /// The ML file names of the call (in multi-file output, one: the module's own file).
    pub files: Vec<String>,
    /// Per Python line (index 0 = line 1): `(file index, ML line)`, ML line 0 = no origin.
    pub lines: Vec<(u32, u32)>,
}

const CALL: &str = "__ml.source_map(__file__, [";

impl SourceMap {
    /// Reads the map from an emitted module's text (its `source_map` line, near the end).
    pub fn from_emitted(text: &str) -> Result<SourceMap, MapError> {
        let start = text.rfind(CALL).ok_or(MapError::Missing)?;
        let line = text[start..].lines().next().unwrap_or_default();
        let rest = &line[CALL.len()..];
        let (files, rest) = parse_strings(rest).ok_or(MapError::Malformed)?;
        let rest = rest.strip_prefix("], \"").ok_or(MapError::Malformed)?;
        let items = rest.strip_suffix("\")").ok_or(MapError::Malformed)?;
        Ok(SourceMap {
            files,
            lines: expand(items)?,
        })
    }

    /// The ML line of a 1-based Python line of file 0, if it has one.
    pub fn ml_line(&self, py_line: u32) -> Option<u32> {
        let (file, line) = *self.lines.get(py_line.checked_sub(1)? as usize)?;
        (file == 0 && line != 0).then_some(line)
    }
}

/// The Python strings of a `"a", "b"` list (the emitter escapes only `\\`, `"` and control
/// characters in file names); returns them and the text after the last one.
fn parse_strings(mut text: &str) -> Option<(Vec<String>, &str)> {
    let mut out = Vec::new();
    loop {
        let Some(body) = text.strip_prefix('"') else {
            return Some((out, text));
        };
        let mut value = String::new();
        let mut chars = body.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => {
                    let (_, escaped) = chars.next()?;
                    match escaped {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        'r' => value.push('\r'),
                        'x' | 'u' | 'U' => {
                            let digits = match escaped {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let hex: String = (0..digits)
                                .map(|_| chars.next().map(|(_, c)| c))
                                .collect::<Option<String>>()?;
                            value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        other => value.push(other),
                    }
                }
                c => value.push(c),
            }
        };
        out.push(value);
        text = &body[end + 1..];
        text = text.strip_prefix(", ").unwrap_or(text);
    }
}

/// The items of a map text: `L`, `F:L`, empty, or `~N` for N lines without origin.
fn expand(items: &str) -> Result<Vec<(u32, u32)>, MapError> {
    let mut out = Vec::new();
    if items.is_empty() {
        return Ok(out);
    }
    let bad = |item: &str| MapError::BadItem(item.to_string());
    for item in items.split(',') {
        if item.is_empty() {
            out.push((0, 0));
        } else if let Some(run) = item.strip_prefix('~') {
            let n: usize = run.parse().map_err(|_| bad(item))?;
            out.resize(out.len() + n, (0, 0));
        } else if let Some((file, line)) = item.split_once(':') {
            out.push((
                file.parse().map_err(|_| bad(item))?,
                line.parse().map_err(|_| bad(item))?,
            ));
        } else {
            out.push((0, item.parse().map_err(|_| bad(item))?));
        }
    }
    Ok(out)
}

/// Where breakpoints go in one emitted file: for every ML line with code, the first
/// Python line of that code.
#[derive(Debug, Clone, Default)]
pub struct BreakLines {
    first_py_line: BTreeMap<u32, u32>,
    /// Per Python line (index 0 = line 1): the first line of the statement it is part of
    /// (itself, unless it continues a statement written over several lines).
    statement_start: Vec<u32>,
}

impl BreakLines {
    /// From a file's map and text: Python lines that are code (not blank, not a comment,
    /// not a line Python never stops on such as `else:` or `global x`).
    pub fn new(map: &SourceMap, py_text: &str) -> BreakLines {
        let mut first_py_line = BTreeMap::new();
        for (i, text) in py_text.lines().enumerate() {
            let py_line = i as u32 + 1;
            let Some(ml_line) = map.ml_line(py_line) else {
                continue;
            };
            if is_code(text) {
                first_py_line.entry(ml_line).or_insert(py_line);
            }
        }
        BreakLines {
            first_py_line,
            statement_start: statement_starts(py_text),
        }
    }

    /// The first Python line of the statement Python line `py_line` belongs to.
    pub fn statement_of(&self, py_line: u32) -> u32 {
        py_line
            .checked_sub(1)
            .and_then(|i| self.statement_start.get(i as usize))
            .copied()
            .unwrap_or(py_line)
    }

    /// Whether the statement that starts on Python line `statement` goes on over more
    /// lines.
    pub fn spans_lines(&self, statement: u32) -> bool {
        self.statement_of(statement + 1) == statement
    }

    /// The ML line a breakpoint on `ml_line` moves to (itself, or the next line with
    /// code) and the Python line to stop on.
    pub fn place(&self, ml_line: u32) -> Option<(u32, u32)> {
        self.first_py_line
            .range(ml_line..)
            .next()
            .map(|(&ml, &py)| (ml, py))
    }

    /// The first ML line with code (where a program stops on entry).
    pub fn first(&self) -> Option<(u32, u32)> {
        self.place(1)
    }
}

/// For every line of a Python text, the first line of the logical line (statement) it is
/// part of: lines inside brackets, strings or after a `\\` continue the one before.
/// (Python 3.11 reports a line event for each physical line of a statement, and comes
/// back to its first line after its other lines: steps must know they are one statement.)
fn statement_starts(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    // The open string's quote and whether it is triple-quoted.
    let mut string: Option<(char, bool)> = None;
    let mut start = 1u32;
    let mut backslash = false;
    for (i, line) in text.lines().enumerate() {
        let number = i as u32 + 1;
        if depth == 0 && string.is_none() && !backslash {
            start = number;
        }
        out.push(start);
        let chars: Vec<char> = line.chars().collect();
        let mut j = 0;
        backslash = false;
        while j < chars.len() {
            let c = chars[j];
            match string {
                Some((quote, triple)) => {
                    if c == '\\' {
                        j += 2;
                        continue;
                    }
                    if c == quote {
                        if !triple {
                            string = None;
                        } else if chars.get(j + 1) == Some(&quote)
                            && chars.get(j + 2) == Some(&quote)
                        {
                            string = None;
                            j += 3;
                            continue;
                        }
                    }
                }
                None => match c {
                    '#' => break,
                    '\'' | '"' => {
                        let triple = chars.get(j + 1) == Some(&c) && chars.get(j + 2) == Some(&c);
                        string = Some((c, triple));
                        j += if triple { 3 } else { 1 };
                        continue;
                    }
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth = (depth - 1).max(0),
                    '\\' if j + 1 == chars.len() => backslash = true,
                    _ => {}
                },
            }
            j += 1;
        }
        // A one-quoted string does not go on past its line.
        if matches!(string, Some((_, false))) {
            string = None;
        }
    }
    out
}

/// Whether a Python line holds code Python stops on.
fn is_code(line: &str) -> bool {
    let line = line.trim();
    !(line.is_empty()
        || line.starts_with('#')
        || line.starts_with("global ")
        || line.starts_with("nonlocal ")
        || matches!(line, "else:" | "finally:" | "try:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMITTED: &str = "# -*- coding: utf-8 -*-\nimport mlpy_runtime as __ml\ndef __mlpy_body():\n    global x\n    # comment\n    x = [\n        1,\n        2]\n    if x:\n        pass\n    else:\n        x = 3\n__ml.source_map(__file__, [\"lib/a \\\"b\\\".ml\"], \"~4,1,2,3,4,6,6,7,8\")\n__ml.define_module(__name__, __mlpy_body)\n";

    #[test]
    fn the_map_is_read_back_from_the_emitted_call() {
        let map = SourceMap::from_emitted(EMITTED).unwrap();
        assert_eq!(map.files, ["lib/a \"b\".ml"]);
        assert_eq!(map.ml_line(4), None);
        assert_eq!(map.ml_line(5), Some(1));
        assert_eq!(map.ml_line(8), Some(4));
        assert_eq!(map.ml_line(13), None);
        assert_eq!(map.ml_line(0), None);
        assert_eq!(SourceMap::from_emitted("x = 1\n"), Err(MapError::Missing));
        assert!(matches!(
            SourceMap::from_emitted("__ml.source_map(__file__, [\"a\"], \"1,x\")\n"),
            Err(MapError::BadItem(_))
        ));
        let two = SourceMap::from_emitted("__ml.source_map(__file__, [\"a\", \"b\"], \"1,1:7\")")
            .unwrap();
        assert_eq!(two.files.len(), 2);
        assert_eq!(two.lines, [(0, 1), (1, 7)]);
    }

    #[test]
    fn breakpoints_move_to_the_next_line_with_code() {
        let map = SourceMap::from_emitted(EMITTED).unwrap();
        let lines = BreakLines::new(&map, EMITTED);
        // ML 1 is the comment: the code starts on ML 2 (`x = [` at Python line 6).
        assert_eq!(lines.place(1), Some((2, 6)));
        assert_eq!(lines.first(), Some((2, 6)));
        assert_eq!(lines.place(3), Some((3, 7)));
        // `else:` (ML 7) carries no code: its body's line does.
        assert_eq!(lines.place(7), Some((8, 12)));
        assert_eq!(lines.place(9), None);
    }

    #[test]
    fn lines_of_one_statement_know_where_it_starts() {
        let text = "x = f(a,\n      b)\ny = '(' + \\\n    \"[\"\nz = '''a\n(b\n'''\nw = 1  # (\nv = {\n  'k': ')'}\nu = 2\n";
        let starts = statement_starts(text);
        assert_eq!(starts, [1, 1, 3, 3, 5, 5, 5, 8, 9, 9, 11]);
        let map = SourceMap::from_emitted(EMITTED).unwrap();
        let lines = BreakLines::new(&map, EMITTED);
        assert_eq!(lines.statement_of(8), 6);
        assert_eq!(lines.statement_of(9), 9);
        assert_eq!(lines.statement_of(99), 99);
    }
}
