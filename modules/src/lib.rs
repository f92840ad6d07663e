//! What an ML `import` means. This crate is the single place that decides it: the CLI,
//! the transpiler and the language server all ask it.

mod diagnostic;

pub use diagnostic::{Diagnostic, Related, Severity};
