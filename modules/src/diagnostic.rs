//! Problems reported to people: by `mlpy check`, by the transpiler and by the language
//! server, all in one shape.

use mlpy_syntax::{SyntaxError, TextRange};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// Another place that explains a diagnostic (each import of a cycle, a definition).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Related {
    pub file: PathBuf,
    pub range: TextRange,
    pub message: String,
}

/// A problem at a range of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case identifier: `syntax`, `unresolved-import`, `import-cycle`, …
    pub code: &'static str,
    pub message: String,
    pub file: PathBuf,
    pub range: TextRange,
    pub related: Vec<Related>,
    /// Further lines shown under the message: places searched, suggestions.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        code: &'static str,
        file: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: file.into(),
            range,
            related: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn error(
        code: &'static str,
        file: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, file, range, message)
    }

    pub fn warning(
        code: &'static str,
        file: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, file, range, message)
    }

    pub fn from_syntax(file: &Path, error: &SyntaxError) -> Diagnostic {
        let severity = match error.severity {
            mlpy_syntax::Severity::Error => Severity::Error,
            mlpy_syntax::Severity::Warning => Severity::Warning,
        };
        let code = if error.is_error() {
            "syntax"
        } else {
            "floor-division-comment"
        };
        Diagnostic::new(severity, code, file, error.range, error.message.clone())
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_related(
        mut self,
        file: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.related.push(Related {
            file: file.into(),
            range,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
