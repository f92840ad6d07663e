//! What the IDE layer asks of its host (the language server's world, a test fixture):
//! files as the editor sees them, the project's resolver, the workspace's files, and
//! where a module file came from.

use mlpy_modules::{Origin, Resolver, SourceFile};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub trait Host {
    /// The parsed module at `path` (the editor's text when it is open); `None` when it
    /// cannot be read or is over its project's size limit.
    fn load(&self, path: &Path) -> Option<Arc<SourceFile>>;

    /// The resolver of the project the module file `file` belongs to: the one the CLI
    /// builds for it, so an import means the same in the editor and in `mlpy check`. It
    /// also knows the project's layout (configuration, import roots), the one path →
    /// module-name rule and how paths are shown.
    fn resolver(&self, file: &Path) -> Arc<Resolver>;

    /// Every module file references and workspace symbols may be in (the workspace's and
    /// the open ones), sorted, each once.
    fn files(&self) -> Vec<PathBuf>;

    /// Where the module file `file` came from: a cached remote (https, git, plugin)
    /// module resolves its dotted imports against its own URL, never the local import
    /// paths (`Origin::Remote`). Local files by default.
    fn origin(&self, file: &Path) -> Origin {
        let _ = file;
        Origin::File
    }
}
