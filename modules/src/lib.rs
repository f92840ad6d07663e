//! What an ML `import` means. This crate is the single place that decides it: the CLI,
//! the transpiler and the language server all ask it.
//!
//! * [`config`]: `mlpy.json` and command-line overrides;
//! * [`Resolver`]: standard library → import sources → import paths → the importing
//!   file's folder (when allowed) → whitelisted Python modules;
//! * [`ImportProtocol`]: how a module is found. The file protocol is built in; every
//!   other protocol (https, git, plugins: the `mlpy-remote` crate) is given to the
//!   resolver ([`Resolver::with_protocols`]), so this crate knows no network, TLS or
//!   signature library;
//! * [`ModuleGraph`]: every module reachable from an entry, parsed once, with cycles;
//! * [`ModuleCache`]: parsed modules shared between builds and threads;
//! * [`scopes`] and [`symbols`]: what names mean inside a module and what it exports
//!   (what they mean across modules is `mlpy-analysis`' job);
//! * [`stdlib`]: the standard library and builtins, generated from the runtime's manifest;
//! * [`report`]: the graph as a tree and as JSON;
//! * [`workspace`]: which files under a folder are ML sources (one walk for every tool).

pub mod cache;
pub mod config;
mod diagnostic;
mod error;
pub mod file_protocol;
pub mod graph;
pub mod protocol;
pub mod report;
pub mod resolver;
pub mod scopes;
pub mod stdlib;
pub mod suggest;
pub mod symbols;
pub mod workspace;

pub use cache::{CacheStats, LoadError, ModuleCache, SourceFile};
pub use config::{ConfigError, ConfigOverrides, ProjectConfig, StdlibMode};
pub use diagnostic::{Diagnostic, DiagnosticCode, Related, Severity};
pub use error::ResolveError;
pub use graph::{
    map_in_parallel, BuildOptions, Cycle, EdgeTarget, EntryError, ImportEdge, ModuleGraph,
    ModuleId, ModuleNode, PARALLEL_FROM,
};
pub use protocol::{ImportOptions, ImportProtocol, ImportRequest, ImportSpec, Located, Origin};
pub use resolver::{Resolution, Resolver};
