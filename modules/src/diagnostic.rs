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

/// Declares [`DiagnosticCode`]: each variant with its stable kebab-case name.
macro_rules! diagnostic_codes {
    ($($variant:ident => $name:literal,)*) => {
        /// What kind of problem a diagnostic is: the one list of codes that `mlpy check`,
        /// the transpiler and the language server report (docs/lsp.md lists them).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum DiagnosticCode {
            $($variant,)*
        }

        impl DiagnosticCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [DiagnosticCode] = &[$(DiagnosticCode::$variant,)*];

            /// The stable kebab-case name (`unresolved-import`) shown to people and tools.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(DiagnosticCode::$variant => $name,)*
                }
            }
        }
    };
}

diagnostic_codes! {
    Syntax => "syntax",
    FloorDivisionComment => "floor-division-comment",
    UnresolvedImport => "unresolved-import",
    RemoteNotCached => "remote-not-cached",
    ImportRefused => "import-refused",
    ImportCycle => "import-cycle",
    ShadowedModule => "shadowed-module",
    UnknownMember => "unknown-member",
    Nonlocal => "nonlocal",
    InvalidAssignment => "invalid-assignment",
    InvalidIndex => "invalid-index",
    NotCallable => "not-callable",
    UnknownIdentifier => "unknown-identifier",
    UnknownFunction => "unknown-function",
    ReadBeforeAssignment => "read-before-assignment",
    TooDeep => "too-deep",
    SecurityString => "security-string",
    SecurityImport => "security-import",
    SecurityDunder => "security-dunder",
    SecurityCall => "security-call",
    SecurityBuiltin => "security-builtin",
    ReturnOutsideFunction => "return-outside-function",
    BreakOutsideLoop => "break-outside-loop",
    ContinueOutsideLoop => "continue-outside-loop",
    NameCollision => "name-collision",
    ModuleNameCollision => "module-name-collision",
    IntegerTooLarge => "integer-too-large",
    DuplicateParameter => "duplicate-parameter",
    CapabilityPermission => "capability-permission",
    CapabilityPattern => "capability-pattern",
    CapabilityNotGranted => "capability-not-granted",
}

impl std::fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DiagnosticCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for DiagnosticCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for DiagnosticCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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
    /// What kind of problem it is (`syntax`, `unresolved-import`, `import-cycle`, …).
    pub code: DiagnosticCode,
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
        code: DiagnosticCode,
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
        code: DiagnosticCode,
        file: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, file, range, message)
    }

    pub fn warning(
        code: DiagnosticCode,
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
            DiagnosticCode::Syntax
        } else {
            DiagnosticCode::FloorDivisionComment
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

#[cfg(test)]
mod code_tests {
    use super::DiagnosticCode;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut names: Vec<&str> = DiagnosticCode::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
