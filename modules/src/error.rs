//! Why an import could not be resolved or a module not loaded.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("Module '{module}' not found")]
    NotFound {
        module: String,
        /// Every place searched, in order, as shown to people.
        searched: Vec<String>,
        /// Existing modules with near names.
        suggestions: Vec<String>,
        /// Advice when the module exists somewhere not searched.
        hint: Option<String>,
    },
    #[error("Module '{module}' resolves to '{}', which is outside the import root '{}'", real_path.display(), root.display())]
    OutsideRoot {
        module: String,
        path: PathBuf,
        real_path: PathBuf,
        root: PathBuf,
    },
    #[error("Module '{module}' at '{}' is not a regular file", path.display())]
    NotAFile { module: String, path: PathBuf },
    #[error("Module '{module}' at '{}' is {size} bytes, over the limit of {limit} bytes (raise \"max_module_size\" in mlpy.json)", path.display())]
    TooLarge {
        module: String,
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("Module '{module}' at '{}' is not valid UTF-8 (first invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        module: String,
        path: PathBuf,
        offset: usize,
    },
    #[error("Module '{module}' at '{}' cannot be read: {message}", path.display())]
    Unreadable {
        module: String,
        path: PathBuf,
        message: String,
    },
    #[error("Import of Python module '{module}' is refused: {reason}")]
    Forbidden { module: String, reason: String },
    #[error("{message}")]
    Protocol { module: String, message: String },
}

impl ResolveError {
    pub fn module(&self) -> &str {
        match self {
            ResolveError::NotFound { module, .. }
            | ResolveError::OutsideRoot { module, .. }
            | ResolveError::NotAFile { module, .. }
            | ResolveError::TooLarge { module, .. }
            | ResolveError::NotUtf8 { module, .. }
            | ResolveError::Unreadable { module, .. }
            | ResolveError::Forbidden { module, .. }
            | ResolveError::Protocol { module, .. } => module,
        }
    }

    /// Lines shown under the message: where we looked and what exists nearby.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let ResolveError::NotFound {
            searched,
            suggestions,
            hint,
            ..
        } = self
        {
            if searched.is_empty() {
                notes.push("searched: nothing (no import paths are configured)".to_string());
            } else {
                notes.push(format!(
                    "searched:\n{}",
                    searched
                        .iter()
                        .map(|s| format!("  {s}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
            match suggestions.as_slice() {
                [] => {}
                [one] => notes.push(format!("did you mean '{one}'?")),
                many => notes.push(format!(
                    "did you mean one of: {}?",
                    many.iter()
                        .map(|s| format!("'{s}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            if let Some(hint) = hint {
                notes.push(hint.clone());
            }
        }
        notes
    }
}
