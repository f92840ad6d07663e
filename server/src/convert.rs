//! Between the compiler's byte ranges and LSP's UTF-16 positions, and between
//! `mlpy_modules::Diagnostic` and LSP diagnostics.

use mlpy_modules::{Diagnostic, Severity};
use mlpy_syntax::{LineIndex, TextRange, TextSize, WideLineCol};
use std::path::Path;
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, Location, NumberOrString, Position, Range, Uri,
};

/// A file's text with its line index: what position conversions need.
pub struct Lines<'a> {
    pub text: &'a str,
    pub index: LineIndex,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            index: LineIndex::new(text),
        }
    }

    pub fn position(&self, offset: TextSize) -> Position {
        let offset = offset.min(TextSize::of(self.text));
        let wide = self.index.wide_line_col(offset);
        Position::new(wide.line, wide.col)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start()), self.position(range.end()))
    }

    /// The offset of an LSP position, clamped into the text.
    pub fn offset(&self, position: Position) -> TextSize {
        self.index.offset_of_wide(
            WideLineCol {
                line: position.line,
                col: position.character,
            },
            self.text,
        )
    }

    /// The byte range of an LSP range, clamped and ordered.
    pub fn text_range(&self, range: Range) -> TextRange {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        TextRange::new(a.min(b), a.max(b))
    }
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// An LSP diagnostic. `lines` converts positions in the diagnostic's own file;
/// `other` finds the URI and lines of any other file (related information).
pub fn diagnostic(
    d: &Diagnostic,
    lines: &Lines<'_>,
    other: &mut dyn FnMut(&Path) -> Option<(Uri, Range)>,
    own_uri: &Uri,
    own_path: &Path,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push('\n');
        message.push_str(note);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let location = if r.file == own_path {
                Location::new(own_uri.clone(), lines.range(r.range))
            } else {
                let (uri, range) = other(&r.file)?;
                Location::new(uri, range)
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: r.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: lines.range(d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("mlpy".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
