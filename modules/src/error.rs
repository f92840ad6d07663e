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
    #[error("Module '{module}' is not valid UTF-8: the first invalid byte is at {}:{line}:{column}", path.display())]
    NotUtf8 {
        module: String,
        path: PathBuf,
        offset: usize,
        /// One-based, the column in characters of the valid text before the byte.
        line: u32,
        column: u32,
    },
    #[error("Module '{module}' at '{}' cannot be read: {message}", path.display())]
    Unreadable {
        module: String,
        path: PathBuf,
        message: String,
    },
    #[error("Import of Python module '{module}' is refused: {reason}")]
    Forbidden { module: String, reason: String },
    /// A dotted name with a part starting with `__`: such names belong to the generated
    /// Python (`__init__`, `__main__`), whatever the module would be.
    #[error("Import of '{module}' is refused: module names starting with `__` (`{part}`) are reserved{}", reserved_hint(module, part))]
    ReservedName { module: String, part: String },
    #[error("{message}")]
    Protocol { module: String, message: String },
    /// A remote module that is not in the cache while the network is off
    /// (`--cached-only`, or the language server). Editors offer to fetch `url`.
    #[error("Remote module '{url}' is not cached yet, and the network is not used (cached only): fetch it with `mlpy fetch`")]
    NotCached { module: String, url: String },
    /// A fetch the granted capabilities do not allow.
    #[error("Importing '{url}' needs the capability '{capability}': pass `--allow {capability}` or add \"{capability}\" to \"capabilities\" in mlpy.json")]
    CapabilityRequired {
        module: String,
        url: String,
        capability: String,
    },
    /// The module could not be downloaded (network, TLS, HTTP status, size, redirects).
    #[error("Cannot fetch '{url}': {message}")]
    Fetch {
        module: String,
        url: String,
        message: String,
    },
    /// A signature, hash or cache entry does not check out.
    #[error("Integrity check failed for '{url}': {message}")]
    Integrity {
        module: String,
        url: String,
        message: String,
    },
    /// The module differs from what the lockfile recorded.
    #[error("'{url}' has changed since it was recorded in {}: expected sha256 {expected}, got sha256 {actual}", lockfile.display())]
    LockMismatch {
        module: String,
        url: String,
        lockfile: PathBuf,
        expected: String,
        actual: String,
    },
    /// `--frozen`, and the module is not in the lockfile.
    #[error("'{url}' is not recorded in {}, and --frozen forbids changing the lockfile", lockfile.display())]
    Frozen {
        module: String,
        url: String,
        lockfile: PathBuf,
    },
    /// A bad entry in an import's option block (`{ auth: …, verify: …, cache: … }`).
    #[error("Invalid import option: {message}")]
    BadImportOption { module: String, message: String },
    /// A git tag or branch names another commit than the one the lockfile pins.
    #[error("'{reference}' now names commit {actual}, but {} pins commit {expected}", lockfile.display())]
    RefMoved {
        module: String,
        /// `git://host/org/repo@v1`.
        reference: String,
        lockfile: PathBuf,
        expected: String,
        actual: String,
    },
    /// An external program (git, an import plugin) failed. `output` is what it wrote to
    /// its standard error, shown under the message.
    #[error("{message}")]
    External {
        module: String,
        message: String,
        /// `git`, or the plugin's executable.
        tool: String,
        output: String,
    },
}

/// How to import what `module` was meant to reach, when that is clear: a package's
/// `__init__.ml` is the package.
fn reserved_hint(module: &str, part: &str) -> String {
    match module.strip_suffix(".__init__") {
        Some(package) if part == "__init__" => {
            format!("; a package's `__init__.ml` is imported by the package's name: `import {package};`")
        }
        _ => String::new(),
    }
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
            | ResolveError::ReservedName { module, .. }
            | ResolveError::Protocol { module, .. }
            | ResolveError::NotCached { module, .. }
            | ResolveError::CapabilityRequired { module, .. }
            | ResolveError::Fetch { module, .. }
            | ResolveError::Integrity { module, .. }
            | ResolveError::LockMismatch { module, .. }
            | ResolveError::Frozen { module, .. }
            | ResolveError::BadImportOption { module, .. }
            | ResolveError::RefMoved { module, .. }
            | ResolveError::External { module, .. } => module,
        }
    }

    /// The URL of a remote module that is not cached yet (for "Fetch module").
    pub fn not_cached_url(&self) -> Option<&str> {
        match self {
            ResolveError::NotCached { url, .. } => Some(url),
            _ => None,
        }
    }

    /// Lines shown under the message: where we looked and what exists nearby.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        match self {
            ResolveError::LockMismatch { .. } => notes.push(
                "if the change is expected, record it with `mlpy fetch ENTRY.ml --update-lock`; otherwise the server now serves different code than when the lockfile was written".to_string(),
            ),
            ResolveError::Frozen { .. } => notes.push(
                "run `mlpy fetch ENTRY.ml` without --frozen to record it, and commit mlpy.lock".to_string(),
            ),
            ResolveError::RefMoved { .. } => notes.push(
                "if the move is expected, accept it with `mlpy fetch ENTRY.ml --update-lock`; a tag that moves can also mean the repository was tampered with".to_string(),
            ),
            ResolveError::External { tool, output, .. } if !output.trim().is_empty() => {
                let lines: Vec<&str> = output
                    .trim_end()
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .collect();
                let shown = &lines[lines.len().saturating_sub(20)..];
                notes.push(format!(
                    "{tool} said:\n{}",
                    shown
                        .iter()
                        .map(|l| format!("  {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
            _ => {}
        }
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
