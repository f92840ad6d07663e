//! Shows diagnostics to people (`file:line:col: error: message` and a snippet) and to
//! programs (`--format json`).

use mlpy_modules::{Diagnostic, ModuleGraph, Severity};
use mlpy_syntax::{LineIndex, TextRange};
use serde::Serialize;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The texts diagnostics point into, read once each; a text's line index is built when a
/// diagnostic first points into it (a program without diagnostics builds none).
#[derive(Default)]
pub(crate) struct Sources {
    files: HashMap<PathBuf, (Arc<str>, OnceCell<LineIndex>)>,
}

impl Sources {
    /// The texts of every module of a program.
    pub(crate) fn of_program(graph: &ModuleGraph) -> Sources {
        let mut sources = Sources::default();
        for module in &graph.modules {
            sources.insert(&module.path, module.file.text.clone());
        }
        sources
    }

    pub(crate) fn insert(&mut self, path: &Path, text: Arc<str>) {
        self.files
            .insert(path.to_path_buf(), (text, OnceCell::new()));
    }

    fn get(&mut self, path: &Path) -> Option<(&Arc<str>, &LineIndex)> {
        if !self.files.contains_key(path) {
            let text: Arc<str> = std::fs::read_to_string(path).ok()?.into();
            self.insert(path, text);
        }
        let (text, index) = self.files.get(path)?;
        Some((text, index.get_or_init(|| LineIndex::new(text))))
    }

    /// One-based line and column (in characters) of an offset, if the file is readable.
    pub(crate) fn position(
        &mut self,
        path: &Path,
        offset: mlpy_syntax::TextSize,
    ) -> Option<(u32, u32)> {
        let (text, index) = self.get(path)?;
        Some(index.human_line_col(offset, text))
    }
}

/// Where a configuration problem is, as diagnostics say it: `mlpy.json:3:5`, or the file
/// alone when no place in it is known (line 0).
pub(crate) fn config_place(config: &mlpy_modules::ConfigError) -> String {
    match config.line {
        0 => display_path(&config.file),
        line => format!("{}:{line}:{}", display_path(&config.file), config.column),
    }
}

/// A path as people want to read it: relative to the working directory when inside it.
pub(crate) fn display_path(path: &Path) -> String {
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(relative) = path.strip_prefix(&cwd) {
            return visible(&relative.display().to_string());
        }
    }
    visible(&path.display().to_string())
}

/// `text` with its control characters written as escapes (`\n`, `\u{1b}`): a file name
/// is printed into a terminal and into `file:line:col` lines, and one holding an escape
/// sequence or a line break would recolour the terminal or forge a line.
fn visible(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// [`visible`] line by line: the line breaks of a message that has several lines stay.
fn visible_lines(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// How a diagnostic names its file: a cached remote module by its URL, anything else
/// by its path.
pub(crate) fn display_file(path: &Path) -> String {
    mlpy_remote::store::url_of_cache_file(path).unwrap_or_else(|| display_path(path))
}

pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info | Severity::Hint => "1;36",
        };
        self.paint(code, severity.as_str())
    }
}

/// `file:line:col: error: message`, the source line with the range underlined, then
/// notes and related places.
pub(crate) fn human(diagnostic: &Diagnostic, sources: &mut Sources, style: &Style) -> String {
    let mut out = String::new();
    let file = display_file(&diagnostic.file);
    let position = sources.position(&diagnostic.file, diagnostic.range.start());
    let (line, col) = position.unwrap_or((1, 1));
    let _ = writeln!(
        out,
        "{}: {}: {}",
        style.paint("1", &format!("{file}:{line}:{col}")),
        style.severity(diagnostic.severity),
        style.paint("1", &visible_lines(&diagnostic.message))
    );
    if let Some((text, index)) = sources.get(&diagnostic.file) {
        snippet(&mut out, text, index, diagnostic.range, style);
    }
    for note in &diagnostic.notes {
        for (i, line) in note.lines().enumerate() {
            let lead = if i == 0 { "= note:" } else { "       " };
            // Notes quote what others wrote (git's and plugins' standard error, a
            // plugin's message): an escape sequence there would reach the terminal.
            let _ = writeln!(out, "    {} {}", style.paint("1;34", lead), visible(line));
        }
    }
    for related in &diagnostic.related {
        let (line, col) = sources
            .position(&related.file, related.range.start())
            .unwrap_or((1, 1));
        let _ = writeln!(
            out,
            "    {} {}:{line}:{col}: {}",
            style.paint("1;34", "-->"),
            display_file(&related.file),
            visible_lines(&related.message)
        );
    }
    out
}

/// Lines longer than this (in bytes) are shown as a window around the range: so that a
/// module written on one long line does not print that line once per diagnostic.
const LONG_LINE: usize = 240;
/// On a long line: bytes shown before and after the range, and of the range itself.
const CONTEXT: usize = 60;
const MAX_RANGE_SHOWN: usize = 120;

/// How a character of a source line is shown in a snippet, one column for one character
/// (so the carets stay under the range): a tab as a space, control characters as their
/// pictures (`␀`, `␍`), every other character the lexer's messages name by code
/// ([`mlpy_syntax::lexer::is_invisible`]: zero-width, no-break space, byte-order mark,
/// bidirectional controls, …) as `�`.
fn shown_char(c: char) -> char {
    match c {
        ' ' => ' ',
        '\t' => ' ',
        '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        c if mlpy_syntax::lexer::is_invisible(c) => '\u{FFFD}',
        c => c,
    }
}

fn snippet(out: &mut String, text: &str, index: &LineIndex, range: TextRange, style: &Style) {
    let start = index.line_col(range.start());
    let Some(line_range) = index.line_range(start.line, text) else {
        return;
    };
    let line = &text[line_range];
    let line_start = usize::from(line_range.start());
    let at = usize::from(range.start()).min(usize::from(line_range.end())) - line_start;
    let end = usize::from(range.end().min(line_range.end()).max(range.start())) - line_start;
    let end = end.min(line.len());
    // The part of the line shown: all of it, or a window around the range.
    let (from, to) = if line.len() <= LONG_LINE {
        (0, line.len())
    } else {
        let mut from = at.saturating_sub(CONTEXT);
        while !line.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (end.min(at + MAX_RANGE_SHOWN) + CONTEXT).min(line.len());
        while !line.is_char_boundary(to) {
            to += 1;
        }
        (from, to)
    };
    // A byte-order mark is not shown (nor counted in the column: `LineIndex`).
    let bom =
        if start.line == 0 && line.starts_with(mlpy_syntax::BOM) && at >= mlpy_syntax::BOM.len() {
            mlpy_syntax::BOM.len()
        } else {
            0
        };
    let from = from.max(bom);
    let lead = if from > bom { "…" } else { "" };
    let tail = if to < line.len() { "…" } else { "" };
    let shown: String = line[from..to].chars().map(shown_char).collect();
    let line_text = format!("{lead}{shown}{tail}");
    let pad = lead.chars().count() + line[from..at].chars().count();
    let width = line[at..end.min(to).max(at)].chars().count().max(1);
    let number = (start.line + 1).to_string();
    let gutter = " ".repeat(number.len());
    let bar = style.paint("1;34", "|");
    let _ = writeln!(out, "{gutter} {bar}");
    let _ = writeln!(out, "{} {bar} {line_text}", style.paint("1;34", &number));
    let carets = style.paint("1;31", &"^".repeat(width));
    let _ = writeln!(out, "{gutter} {bar} {}{carets}", " ".repeat(pad));
}

#[derive(Serialize)]
pub(crate) struct JsonPosition {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

#[derive(Serialize)]
pub(crate) struct JsonRange {
    pub start: JsonPosition,
    pub end: JsonPosition,
}

#[derive(Serialize)]
pub(crate) struct JsonRelated {
    pub file: String,
    pub range: JsonRange,
    pub message: String,
}

#[derive(Serialize)]
pub(crate) struct JsonDiagnostic {
    pub file: String,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub range: JsonRange,
    pub notes: Vec<String>,
    pub related: Vec<JsonRelated>,
}

fn json_range(sources: &mut Sources, file: &Path, range: TextRange) -> JsonRange {
    let mut position = |offset: mlpy_syntax::TextSize| {
        let (line, column) = sources.position(file, offset).unwrap_or((1, 1));
        JsonPosition {
            line,
            column,
            offset: offset.into(),
        }
    };
    JsonRange {
        start: position(range.start()),
        end: position(range.end()),
    }
}

pub(crate) fn json(diagnostic: &Diagnostic, sources: &mut Sources) -> JsonDiagnostic {
    JsonDiagnostic {
        file: display_path(&diagnostic.file),
        severity: diagnostic.severity,
        code: diagnostic.code.as_str(),
        message: diagnostic.message.clone(),
        range: json_range(sources, &diagnostic.file, diagnostic.range),
        notes: diagnostic.notes.clone(),
        related: diagnostic
            .related
            .iter()
            .map(|r| JsonRelated {
                file: display_path(&r.file),
                range: json_range(sources, &r.file, r.range),
                message: r.message.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, range: TextRange) -> String {
        let mut out = String::new();
        let index = LineIndex::new(text);
        snippet(&mut out, text, &index, range, &Style { color: false });
        out
    }

    #[test]
    fn long_lines_are_shown_around_the_range() {
        // A short line is shown whole.
        assert_eq!(
            shown("x = é + y;\n", TextRange::new(9.into(), 10.into())),
            "  |\n1 | x = é + y;\n  |         ^\n"
        );
        // A long one as a window, the carets under the range.
        let line = format!("{}target{}", "a = 1; ".repeat(100), " b = 2;".repeat(100));
        let at = line.find("target").unwrap() as u32;
        let out = shown(&line, TextRange::at(at.into(), 6.into()));
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[1].starts_with("1 | …") && lines[1].ends_with('…'),
            "{out}"
        );
        assert!(lines[1].len() < 200, "{out}");
        let column = |line: &str, at: usize| line[..at].chars().count();
        let target = column(lines[1], lines[1].find("target").unwrap());
        let carets = column(lines[2], lines[2].find('^').unwrap());
        assert_eq!(carets, target, "{out}");
        assert_eq!(lines[2].matches('^').count(), 6, "{out}");
    }
}
