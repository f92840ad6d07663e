//! The editor features as plain data, knowing nothing of LSP: one module per feature (as
//! taplo-lsp's `handlers/`), each a function of a [`FileCtx`] (one file, its host and its
//! imports) and byte offsets, returning the data types below. The language server turns
//! them into LSP types (UTF-16 positions with its line index, URIs, the semantic-token
//! legend); tests call them directly on fixture projects (`fixture`).
//!
//! Every name is resolved by [`crate::semantics::FileSemantics`] — the same model the
//! checks and the emitter use — with the imports resolved by the host's resolver, one at a
//! time and memoised (never a module graph).

pub mod code_actions;
pub mod completion;
pub mod definition;
mod display;
mod file;
pub mod folding;
mod host;
pub mod hover;
pub mod links;
pub mod references;
pub mod rename;
pub mod selection;
pub mod semantic_tokens;
pub mod stdlib_docs;
pub mod symbols;

#[cfg(test)]
mod fixture;

pub use file::FileCtx;
pub use host::Host;

use mlpy_syntax::TextRange;
use std::path::{Path, PathBuf};

/// A range of a file, in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRange {
    pub path: PathBuf,
    pub range: TextRange,
}

impl FileRange {
    pub fn new(path: &Path, range: TextRange) -> FileRange {
        FileRange {
            path: path.to_path_buf(),
            range,
        }
    }
}

/// Text edits of one file: byte ranges of its current text and their new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    pub path: PathBuf,
    pub edits: Vec<(TextRange, String)>,
}

/// One step of a change to the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOperation {
    /// Create a file (empty). `overwrite: false, ignore_if_exists: true` leaves an
    /// existing file alone.
    Create {
        path: PathBuf,
        overwrite: bool,
        ignore_if_exists: bool,
    },
    Edit(FileEdit),
}

/// What hover shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    /// The name hovered.
    pub range: TextRange,
    pub markdown: String,
}

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Function,
    Variable,
    Constant,
    Class,
    Module,
    /// A folder of modules (a package path).
    Folder,
    Keyword,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// A signature, a path, `import a.b`.
    pub detail: Option<String>,
    /// Markdown; never empty when present.
    pub documentation: Option<String>,
}

/// What a document or workspace symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Module,
    Function,
    Variable,
    /// A variable named in capitals (`UNIT_SIZE`).
    Constant,
}

/// A symbol of the outline of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub detail: Option<String>,
    /// The whole definition (a function, the statement of a variable, the import).
    pub range: TextRange,
    /// The name.
    pub selection_range: TextRange,
    /// Nested functions and variables of a function.
    pub children: Vec<DocumentSymbol>,
}

/// A top-level name of a module of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The module's dotted name (its file's stem outside every import root).
    pub container: String,
    /// The name's range.
    pub location: FileRange,
}

/// An import that resolves to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    /// The import's path or URL.
    pub range: TextRange,
    pub target: PathBuf,
    /// The target's path in its project.
    pub tooltip: String,
}

/// The token types of semantic highlighting (the server maps them to its legend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Modules, import paths, aliases, capability names.
    Namespace,
    Function,
    Parameter,
    Variable,
    /// Object keys, members of values.
    Property,
    /// Keywords, `null`/`undefined`.
    Keyword,
    /// Strings and the URLs of URL imports.
    String,
    Number,
    Comment,
    Operator,
}

/// The modifiers of a semantic token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TokenModifiers {
    /// Where a name is defined.
    pub declaration: bool,
    /// Builtins, standard-library members, `builtin`.
    pub default_library: bool,
    /// Standard-library constants.
    pub readonly: bool,
}

/// One highlighted token (it may span lines: a comment, a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: TextRange,
    pub kind: TokenKind,
    pub modifiers: TokenModifiers,
}

/// A foldable run of lines (zero-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub start_line: u32,
    pub end_line: u32,
    pub kind: Option<FoldKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Comment,
    Imports,
}

/// A diagnostic of the document, as the client sends it with a code-action request
/// (those whose code is not one of mlpy's are of no use to the quick fixes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDiagnostic {
    /// The client's `code`, when it is one of ours.
    pub code: mlpy_modules::DiagnosticCode,
    pub range: TextRange,
    pub message: String,
}

/// A quick fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// The index of the diagnostic it fixes, in the request's list.
    pub diagnostic: Option<usize>,
    pub fix: Fix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Changes to the workspace, in order.
    Change(Vec<FileOperation>),
    /// Download the remote modules the document reaches (the server's
    /// `mlpy.fetchModules` command on the document).
    FetchModules,
}

/// The name prepareRename offers to rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareRename {
    pub range: TextRange,
    pub placeholder: String,
}
