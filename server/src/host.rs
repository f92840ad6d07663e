//! The server's world as the IDE layer's host (`mlpy_analysis::ide::Host`), and the IDE
//! context of a document.

use crate::world::World;
use mlpy_analysis::ide::{FileCtx, Host};
use mlpy_modules::{Resolver, SourceFile};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;

impl Host for World {
    fn load(&self, path: &Path) -> Option<Arc<SourceFile>> {
        World::load(self, path)
    }

    fn resolver(&self, file: &Path) -> Arc<Resolver> {
        self.project_for(file).resolver.clone()
    }

    /// The workspace's module files and the open ones.
    fn files(&self) -> Vec<PathBuf> {
        let mut files = World::files(self);
        for p in self.open_files() {
            if let Err(i) = files.binary_search(&p) {
                files.insert(i, p);
            }
        }
        files
    }
}

/// The document at `uri` for the IDE features: the editor's text when open, else the
/// file on disk; a document that is no file (`untitled:`) from its text alone, named by
/// its URI. `None` for a document over its size limit (it is never analysed: see
/// `World::oversized`) or one that cannot be read.
pub fn file_ctx<'w>(world: &'w World, uri: &Uri) -> Option<FileCtx<'w>> {
    if world.oversized(uri).is_some() {
        return None;
    }
    if let Some(path) = World::path_of(uri) {
        if let Some(ctx) = FileCtx::load(world, &path) {
            return Some(ctx);
        }
    }
    let (text, _) = world.doc_text(uri)?;
    Some(FileCtx::detached(world, PathBuf::from(uri.as_str()), text))
}
