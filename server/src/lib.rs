//! The ML language server.
