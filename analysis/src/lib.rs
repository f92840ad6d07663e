//! What ML names mean across modules, and what problems a program has: the one semantic
//! model the CLI, the transpiler and the language server all ask.
//!
//! * [`diagnostics`]: **the one diagnostics entry point** (`module_diagnostics`,
//!   `program_diagnostics`) — what `mlpy check`, the transpile gate, `mlpy.emitPython` and
//!   the server report;
//! * [`program_checks`]: the diagnostics that depend on the whole program a module is
//!   part of (Python-name collisions), asked of a graph or of the server's workspace;
//! * [`graph_checks`]: the diagnostics of a module graph (syntax, scoping, imports,
//!   cycles, unknown members of user modules);
//! * [`check`]: the semantic and security checks (unknown names, dangerous builtins,
//!   capabilities, standard-library members);
//! * [`facts`]: per-program facts the checks and the emitter share (what a member chain
//!   reaches, the Python name of every binding);
//! * [`semantics`]: **the one name-resolution API** — what a name or member chain refers
//!   to ([`semantics::Target`]), for the checks, the emitter's facts and the editor;
//! * [`ide`]: the editor features (definition, references, rename, hover, completion,
//!   symbols, links, semantic tokens, folding and selection ranges, quick fixes) as plain
//!   data over byte offsets, with no LSP in sight; the language server converts;
//! * [`names`]: how ML names become Python names;
//! * [`capabilities`]: the capability model (grants, declarations).
//!
//! Per-file data (parse, scopes, symbols) comes from `mlpy_modules::ModuleCache`, keyed
//! by the file and its text.

pub mod capabilities;
pub mod check;
pub mod diagnostics;
pub mod facts;
pub mod graph_checks;
pub mod ide;
pub mod names;
pub mod program_checks;
pub mod semantics;

pub use diagnostics::{module_diagnostics, program_diagnostics};
