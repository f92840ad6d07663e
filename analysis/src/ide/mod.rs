//! The editor features as plain data, knowing nothing of LSP: one module per feature (as
//! taplo-lsp's `handlers/`), each a function of a [`FileCtx`] (one file, its host and its
//! imports) and byte offsets, returning the data types below (module moves take the
//! [`Host`] and the files moved). The language server turns
//! them into LSP types (UTF-16 positions with its line index, URIs, the semantic-token
//! legend); tests call them directly on fixture projects (`fixture`).
//!
//! Every name is resolved by [`crate::semantics::FileSemantics`] — the same model the
//! checks and the emitter use — with the imports resolved by the host's resolver, one at a
//! time and memoised (never a module graph).

pub mod call_hierarchy;
mod callable;
pub mod code_actions;
pub mod completion;
pub mod definition;
mod display;
mod file;
pub mod file_rename;
pub mod folding;
pub mod formatting;
pub mod highlight;
mod host;
pub mod hover;
mod imports;
pub mod inlay_hints;
pub mod links;
mod meaning;
pub mod references;
pub mod rename;
pub mod runnables;
pub mod selection;
pub mod semantic_tokens;
pub mod signature_help;
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
    /// Edits elsewhere in the file when the item is accepted: the import of a module
    /// that is not imported yet.
    pub additional_edits: Vec<(TextRange, String)>,
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

/// The function whose argument list the cursor is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    /// `function area(w: number, h)`, `math.sqrt(x)`.
    pub label: String,
    /// Markdown: the doc comment or the manifest's doc.
    pub documentation: Option<String>,
    pub parameters: Vec<SignatureParam>,
    /// The parameter the argument at the cursor goes to (`None`: past the last one).
    pub active_parameter: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParam {
    /// Where the parameter is in the signature's label (bytes).
    pub label: TextRange,
    pub name: String,
}

/// A hint shown in the text, before `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: mlpy_syntax::TextSize,
    /// `width:`.
    pub label: String,
    pub kind: InlayHintKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlayHintKind {
    /// The name of the parameter an argument goes to.
    Parameter,
}

/// Which inlay hints to show (the server's `inlayHints` settings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlayHintsConfig {
    pub parameter_names: ParameterHints,
}

/// Parameter-name hints: at every argument that does not spell the name (`All`), only at
/// literals (`Literals`), or never (`None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParameterHints {
    None,
    Literals,
    #[default]
    All,
}

/// A place of the name under the cursor, in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub range: TextRange,
    pub kind: HighlightKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    /// A use that reads the name.
    Read,
    /// A definition: an assignment, a parameter, a function's name, an import.
    Write,
    /// Neither: a `nonlocal` declaration, an import of a module.
    Text,
}

/// A function (or the top-level code of a module) in a call hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallItem {
    pub name: String,
    pub kind: CallItemKind,
    pub path: PathBuf,
    /// The whole function (or file).
    pub range: TextRange,
    /// The function's name (the start of the file for a module).
    pub selection_range: TextRange,
    /// The signature, or the module's path.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallItemKind {
    Function,
    /// A module's top-level code.
    Module,
}

/// Calls between two items: the item at the other end, and the calls' ranges (the
/// callee's name) in the calling file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallHierarchyCall {
    pub item: CallItem,
    pub ranges: Vec<TextRange>,
}

/// A file or folder moved or renamed (before the move: `from` still exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMove {
    pub from: PathBuf,
    pub to: PathBuf,
}
