//! The server's world as the IDE layer's host (`mlpy_analysis::ide::Host`), and the IDE
//! context of a document.
//!
//! A cached remote module (a file under the remote cache, `mlpy_remote::store`) opened
//! in the editor is analysed as what it is: a module of the project that imported it
//! (that project's resolver, found through the cache's import records), whose dotted
//! imports are its own URL's (`Origin::Remote`), not the local import paths.

use crate::world::{canonical, World};
use mlpy_analysis::ide::{FileCtx, Host};
use mlpy_modules::{Origin, Resolver, SourceFile};
use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tower_lsp_server::ls_types::Uri;

impl Host for World {
    fn load(&self, path: &Path) -> Option<Arc<SourceFile>> {
        World::load(self, path)
    }

    fn resolver(&self, file: &Path) -> Arc<Resolver> {
        let home = match is_remote_cache_file(file) {
            true => importing_project_file(self, file),
            false => None,
        };
        self.project_for(home.as_deref().unwrap_or(file))
            .resolver
            .clone()
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

    fn origin(&self, file: &Path) -> Origin {
        remote_url(file).map_or(Origin::File, Origin::Remote)
    }
}

/// The folder of cached remote modules (canonical), read once.
fn remote_cache_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let cache = mlpy_remote::RemoteOptions::editor().cache_dir;
        canonical(mlpy_remote::store::CacheStore::new(&cache).root())
    })
}

/// Whether `path` is a file of the remote module cache.
pub fn is_remote_cache_file(path: &Path) -> bool {
    path.starts_with(remote_cache_root())
}

/// The URL of a cached remote module, from its cache entry's metadata.
pub fn remote_url(path: &Path) -> Option<String> {
    if !is_remote_cache_file(path) {
        return None;
    }
    mlpy_remote::store::url_of_cache_file(path)
}

/// A local module that imports the cached module `file`, directly or through other
/// cached modules (from the import records of the diagnostics' graphs); without one, a
/// file of the first workspace folder, whose project then stands for the workspace's.
fn importing_project_file(world: &World, file: &Path) -> Option<PathBuf> {
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut queue: VecDeque<PathBuf> = VecDeque::from([file.to_path_buf()]);
    while let Some(current) = queue.pop_front() {
        for importer in world.cache.importers_of(&current) {
            if !is_remote_cache_file(&importer) {
                return Some(importer);
            }
            if seen.insert(importer.clone()) {
                queue.push_back(importer);
            }
        }
    }
    // `project_for` looks for the project of the file's folder.
    world.roots().first().map(|root| root.join("mlpy.json"))
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
