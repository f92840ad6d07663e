//! The server's state: open documents, projects (one per `mlpy.json`), the workspace's
//! module files and the shared module cache.

use crate::document::Document;
use mlpy_modules::config::CONFIG_FILE_NAME;
use mlpy_modules::file_protocol::UnsavedFiles;
use mlpy_modules::{
    ConfigError, ConfigOverrides, ModuleCache, ProjectConfig, Resolver, SourceFile,
};
use mlpy_remote::{RemoteOptions, SetupError};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tower_lsp_server::ls_types::Uri;

/// The configuration and resolver of the project a file belongs to.
pub struct Project {
    pub config: Arc<ProjectConfig>,
    pub resolver: Arc<Resolver>,
    /// A broken `mlpy.json`: reported on that file; the project then uses the defaults
    /// of an empty configuration.
    pub config_error: Option<ConfigError>,
}

impl Project {
    fn load(dir: &Path, overrides: &ConfigOverrides, unsaved: UnsavedFiles) -> Project {
        let (mut config, config_error) = match ProjectConfig::discover(dir) {
            Ok(config) => (config, None),
            Err(error) => {
                let fallback = ProjectConfig::parse(&error.file, "{}")
                    .unwrap_or_else(|_| ProjectConfig::without_file(dir));
                (fallback, Some(error))
            }
        };
        config.apply(overrides);
        let config = Arc::new(config);
        // Remote imports from the cache only: the editor never touches the network (an
        // uncached module is `remote-not-cached`), and checks mlpy.lock without writing it.
        let (resolver, config_error) =
            match mlpy_remote::resolver(config.clone(), RemoteOptions::editor()) {
                Ok((resolver, _)) => (resolver, config_error),
                Err(SetupError::Config(error)) => {
                    (Resolver::new(config.clone()), config_error.or(Some(error)))
                }
                // A bad MLPY_AUTH_TOKENS or CA file: local imports still work.
                Err(_) => (Resolver::new(config.clone()), config_error),
            };
        Project {
            resolver: Arc::new(resolver.with_unsaved_files(unsaved)),
            config,
            config_error,
        }
    }

    /// What identifies the project: its `mlpy.json`, or its root folder without one.
    pub fn key(&self) -> &Path {
        self.config
            .config_file
            .as_deref()
            .unwrap_or(&self.config.root)
    }
}

/// The text of a document and its syntax tree, nothing derived from names.
pub struct SyntaxOnly {
    pub text: Arc<str>,
    pub parse: mlpy_syntax::Parse,
}

/// An open document and the file it is (when it is one).
pub struct OpenDoc {
    pub doc: Document,
    pub path: Option<PathBuf>,
}

#[derive(Default)]
struct Projects {
    by_dir: HashMap<PathBuf, Arc<Project>>,
    by_key: HashMap<PathBuf, Arc<Project>>,
    /// How many times the projects were forgotten: a project loaded across that may
    /// come from old settings or files, and is not kept.
    generation: u64,
}

/// Settings from `initializationOptions` and `workspace/didChangeConfiguration`.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub overrides: ConfigOverrides,
    /// Check every module of the workspace, not only open ones (default true).
    pub workspace_diagnostics: bool,
    /// Wait this long after a change before re-checking the modules that import the
    /// changed one (the changed one itself is checked at once).
    pub dependents_delay_ms: u64,
    /// Enables the `mlpy/debug/*` requests.
    pub debug_requests: bool,
    /// Which inlay hints to give (`inlayHints.parameterNames`).
    pub inlay_hints: mlpy_analysis::ide::InlayHintsConfig,
}

pub struct World {
    pub cache: Arc<ModuleCache>,
    docs: Mutex<HashMap<Uri, OpenDoc>>,
    /// The syntax trees of open documents over their `max_module_size`, by version.
    oversized: Mutex<HashMap<Uri, (i32, Arc<SyntaxOnly>)>>,
    /// Canonical path → the URI the editor opened it as.
    open_paths: Mutex<HashMap<PathBuf, Uri>>,
    projects: Mutex<Projects>,
    roots: RwLock<Vec<PathBuf>>,
    /// Every module file of the workspace folders (canonical paths).
    files: RwLock<BTreeSet<PathBuf>>,
    /// Whether the first scan of the workspace folders is done (requests that need every
    /// module file wait for it).
    scanned: (Mutex<bool>, std::sync::Condvar),
    settings: RwLock<Settings>,
}

/// A `file:` URI of this machine: no authority, an empty one (`file:///a.ml`), or the
/// host `localhost` (RFC 8089), without user or port.
pub fn is_local_file_uri(uri: &Uri) -> bool {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return false;
    }
    match uri.authority() {
        None => true,
        Some(authority) => {
            let text = authority.as_str();
            text.is_empty() || text.eq_ignore_ascii_case("localhost")
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// At most this many module files are indexed per workspace.
pub const MAX_WORKSPACE_FILES: usize = 20_000;

impl World {
    pub fn new(settings: Settings) -> World {
        World {
            cache: Arc::new(ModuleCache::lean()),
            docs: Mutex::new(HashMap::new()),
            oversized: Mutex::new(HashMap::new()),
            open_paths: Mutex::new(HashMap::new()),
            projects: Mutex::new(Projects::default()),
            roots: RwLock::new(Vec::new()),
            files: RwLock::new(BTreeSet::new()),
            scanned: (Mutex::new(false), std::sync::Condvar::new()),
            settings: RwLock::new(settings),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        self.forget_projects();
    }

    // ---- paths and URIs ----

    /// The canonical path of a `file:` URI (the path as given when the file does not
    /// exist; its folder canonicalised when that exists). `None` for a URI that names no
    /// local file: another scheme, or a `file:` URI with a host other than `localhost`
    /// (`file://server/share/a.ml` is on another machine; `to_file_path` would drop the
    /// host and read `/share/a.ml` here). Such documents are checked from their text,
    /// like `untitled:` ones.
    pub fn path_of(uri: &Uri) -> Option<PathBuf> {
        if !is_local_file_uri(uri) {
            return None;
        }
        let path = uri.to_file_path()?.into_owned();
        Some(canonical(&path))
    }

    /// The URI to use for a path: the one the editor opened it as, else a `file:` URI.
    pub fn uri_of(&self, path: &Path) -> Option<Uri> {
        if let Some(uri) = lock(&self.open_paths).get(path) {
            return Some(uri.clone());
        }
        Uri::from_file_path(path)
    }

    // ---- open documents ----

    pub fn open(&self, uri: Uri, doc: Document) -> Option<PathBuf> {
        let path = Self::path_of(&uri);
        let mut doc = doc;
        if let Some(path) = &path {
            self.cache.set_overlay(path, doc.text());
            lock(&self.open_paths).insert(path.clone(), uri.clone());
            if is_module_file(path) && self.in_roots(path) {
                self.files
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(path.clone());
            }
        }
        lock(&self.docs).insert(
            uri,
            OpenDoc {
                doc,
                path: path.clone(),
            },
        );
        path
    }

    /// Applies changes to an open document. `None` when it is not open.
    pub fn change(
        &self,
        uri: &Uri,
        changes: Vec<tower_lsp_server::ls_types::TextDocumentContentChangeEvent>,
        version: i32,
    ) -> Option<Option<PathBuf>> {
        let mut docs = lock(&self.docs);
        let open = docs.get_mut(uri)?;
        open.doc.apply(changes, version);
        if let Some(path) = &open.path {
            self.cache.set_overlay(path, open.doc.text());
        }
        Some(open.path.clone())
    }

    pub fn close(&self, uri: &Uri) -> Option<OpenDoc> {
        lock(&self.oversized).remove(uri);
        let open = lock(&self.docs).remove(uri)?;
        if let Some(path) = &open.path {
            self.cache.remove_overlay(path);
            lock(&self.open_paths).remove(path);
        }
        Some(open)
    }

    /// Whether the editor has `uri` open.
    pub fn is_open_uri(&self, uri: &Uri) -> bool {
        lock(&self.docs).contains_key(uri)
    }

    /// The text and version of an open document.
    pub fn doc_text(&self, uri: &Uri) -> Option<(Arc<str>, i32)> {
        let mut docs = lock(&self.docs);
        let open = docs.get_mut(uri)?;
        Some((open.doc.text(), open.doc.version))
    }

    /// The size limit of a document: its project's `max_module_size` (for a document
    /// that is not a file, the default or the editor's setting).
    pub fn size_limit(&self, path: Option<&Path>) -> u64 {
        match path {
            Some(path) => self.project_for(path).config.max_module_size,
            None => self
                .settings()
                .overrides
                .max_module_size
                .unwrap_or(mlpy_modules::config::DEFAULT_MAX_MODULE_SIZE),
        }
    }

    /// The size and the limit of an open document larger than its `max_module_size`.
    /// Such a document gets a bounded service: parse diagnostics, folding and selection
    /// ranges, never the names, imports and checks whose cost grows with its size (as
    /// `mlpy check` refuses the file).
    pub fn oversized(&self, uri: &Uri) -> Option<(u64, u64)> {
        let size = lock(&self.docs).get(uri)?.doc.rope.len_bytes() as u64;
        let limit = self.size_limit(Self::path_of(uri).as_deref());
        (size > limit).then_some((size, limit))
    }

    /// [`World::oversized`] for the open document of a path.
    pub fn oversized_path(&self, path: &Path) -> Option<(u64, u64)> {
        let uri = lock(&self.open_paths).get(path).cloned()?;
        self.oversized(&uri)
    }

    /// The syntax tree of an open document over its size limit (parsed once per version).
    pub fn syntax_only(&self, uri: &Uri) -> Option<Arc<SyntaxOnly>> {
        self.oversized(uri)?;
        let (text, version) = self.doc_text(uri)?;
        if let Some((v, parsed)) = lock(&self.oversized).get(uri) {
            if *v == version {
                return Some(parsed.clone());
            }
        }
        let parsed = Arc::new(SyntaxOnly {
            parse: mlpy_syntax::parse_compact(&text),
            text,
        });
        lock(&self.oversized).insert(uri.clone(), (version, parsed.clone()));
        Some(parsed)
    }

    pub fn doc_version_of_path(&self, path: &Path) -> Option<i32> {
        let uri = lock(&self.open_paths).get(path).cloned()?;
        lock(&self.docs).get(&uri).map(|d| d.doc.version)
    }

    pub fn is_open(&self, path: &Path) -> bool {
        lock(&self.open_paths).contains_key(path)
    }

    pub fn open_files(&self) -> Vec<PathBuf> {
        lock(&self.open_paths).keys().cloned().collect()
    }

    // ---- projects ----

    /// The project of the module file at `path`.
    pub fn project_for(&self, path: &Path) -> Arc<Project> {
        let dir = path.parent().unwrap_or(path).to_path_buf();
        loop {
            let generation = {
                let projects = lock(&self.projects);
                if let Some(p) = projects.by_dir.get(&dir) {
                    return p.clone();
                }
                projects.generation
            };
            let overrides = self.settings().overrides;
            // A module open in the editor but not saved yet (its file does not exist) is
            // found by imports where the file would be: its text is the cache's overlay.
            let cache = self.cache.clone();
            let unsaved: UnsavedFiles = Arc::new(move |path| cache.overlay(path).is_some());
            let project = Project::load(&dir, &overrides, unsaved);
            let mut projects = lock(&self.projects);
            if projects.generation != generation {
                // Forgotten while it loaded (new settings, a changed mlpy.json): again.
                continue;
            }
            let key = project.key().to_path_buf();
            let shared = projects
                .by_key
                .entry(key)
                .or_insert_with(|| Arc::new(project))
                .clone();
            projects.by_dir.insert(dir, shared.clone());
            return shared;
        }
    }

    /// Every project seen so far.
    pub fn projects(&self) -> Vec<Arc<Project>> {
        lock(&self.projects).by_key.values().cloned().collect()
    }

    /// Forgets configurations and resolvers (a module file or `mlpy.json` appeared,
    /// changed or disappeared). Parsed modules stay cached.
    pub fn forget_projects(&self) {
        let mut projects = lock(&self.projects);
        projects.by_dir.clear();
        projects.by_key.clear();
        projects.generation += 1;
    }

    /// The parsed module at `path` (the editor's text when open).
    pub fn load(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let limit = self.project_for(path).config.max_module_size;
        self.cache.load(path, limit).ok()
    }

    // ---- workspace ----

    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self.roots.write().unwrap_or_else(|p| p.into_inner()) = roots;
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn in_roots(&self, path: &Path) -> bool {
        self.roots
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|r| path.starts_with(r))
    }

    /// Finds every module file under the roots.
    pub fn scan(&self) -> usize {
        let mut found = BTreeSet::new();
        for root in self.roots() {
            // The one walk of a project's sources (`mlpy fmt` takes the same). Below a
            // canonical folder what it finds is canonical too (it follows no symbolic
            // link): one `realpath` per root, not one per file.
            let limit = MAX_WORKSPACE_FILES.saturating_sub(found.len());
            found.extend(mlpy_modules::workspace::ml_sources(
                &canonical(&root),
                limit,
            ));
        }
        found.extend(
            self.open_files()
                .into_iter()
                .filter(|p| is_module_file(p) && self.in_roots(p)),
        );
        let n = found.len();
        *self.files.write().unwrap_or_else(|p| p.into_inner()) = found;
        *lock(&self.scanned.0) = true;
        self.scanned.1.notify_all();
        n
    }

    /// Every module file of the workspace (after the first scan, waiting for it at most
    /// a few seconds).
    pub fn files(&self) -> Vec<PathBuf> {
        let done = lock(&self.scanned.0);
        let _ =
            self.scanned
                .1
                .wait_timeout_while(done, std::time::Duration::from_secs(10), |done| !*done);
        self.files
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Whether `path` is a known module file of the workspace (without waiting for the
    /// first scan).
    pub fn is_workspace_file(&self, path: &Path) -> bool {
        self.files
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(path)
    }

    /// The module files of the workspace under the folder `dir` (none for a file).
    pub fn files_under(&self, dir: &Path) -> Vec<PathBuf> {
        let files = self.files.read().unwrap_or_else(|p| p.into_inner());
        // Paths order by components: those below `dir` come right after it.
        files
            .range::<Path, _>((std::ops::Bound::Excluded(dir), std::ops::Bound::Unbounded))
            .take_while(|f| f.starts_with(dir))
            .cloned()
            .collect()
    }

    /// Whether the workspace's walk goes into the folder `dir`: it is under a root, and
    /// neither it nor a folder between them is skipped (hidden, `node_modules`, mlpy's
    /// output, …). Files that appear later join the workspace by the walk's rule.
    pub fn walks_into(&self, dir: &Path) -> bool {
        self.roots().iter().any(|root| {
            let Ok(below) = dir.strip_prefix(root) else {
                return false;
            };
            let mut folder = root.clone();
            below.components().all(|part| {
                folder.push(part);
                let name = part.as_os_str().to_string_lossy();
                !mlpy_modules::workspace::is_skipped_dir(&folder, &name)
            })
        })
    }

    /// A module file that appeared (created, moved here): it joins the workspace when
    /// the walk would have found it.
    pub fn add_file(&self, path: &Path) {
        let mut memo = mlpy_modules::workspace::ProjectMemo::default();
        let walked = path.parent().is_some_and(|dir| self.walks_into(dir));
        if walked && is_ml_source(path, &mut memo) {
            self.files
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(path.to_path_buf());
        }
    }

    pub fn remove_file(&self, path: &Path) {
        self.files
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(path);
    }
}

pub use mlpy_modules::workspace::{is_ml_source, is_module_file};

pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == CONFIG_FILE_NAME)
}

/// Canonical form of a path that may not exist (yet or any more).
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(path) {
        return c;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => match std::fs::canonicalize(parent) {
            Ok(c) => c.join(name),
            Err(_) => mlpy_modules::config::normalize(path),
        },
        _ => mlpy_modules::config::normalize(path),
    }
}
