//! Parsed modules, cached by path and shared between importers, the CLI and the
//! language server.
//!
//! Staleness: a cached file is reused while its modification time and size are
//! unchanged; when they change, its content hash decides (a touched but unchanged file
//! stays cached). Open editor buffers (overlays) take precedence over the disk.
//!
//! A [`SourceFile`] (parse, scopes, symbols) depends on its own text only, so a change
//! replaces that file's entry and nothing else: the modules that import it stay cached.
//! What each module imports is still recorded ([`ModuleCache::set_dependencies`]), so
//! that the language server knows which modules to check again ([`ModuleCache::dependents_of`]).

use crate::scopes::ModuleScopes;
use crate::symbols::ModuleSymbols;
use mlpy_syntax::Parse;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// One parsed module file with everything derived from its text alone.
///
/// The scopes are built with the file and kept until [`ModuleCache::release_scopes`]
/// swaps the cache's entry for a copy without them (a language server keeps every module
/// of a workspace parsed, but needs the scopes of the few it is working on); a copy
/// builds them again, from its tree, when first asked.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub parse: Parse,
    scopes: OnceLock<ModuleScopes>,
    pub symbols: Arc<ModuleSymbols>,
    pub hash: u64,
}

impl SourceFile {
    /// The file parsed into a compact tree (`mlpy_syntax::parse_compact`): a cache keeps
    /// every module of a program, or of a workspace, for as long as it runs. (Trees that
    /// do not share nodes were no faster for `mlpy check` or `transpile` of 10,000
    /// modules as whole processes, and took a quarter more memory.)
    pub fn new(path: &Path, text: Arc<str>) -> SourceFile {
        let parse = mlpy_syntax::parse_compact(&text);
        let tree = parse.tree();
        let scopes = ModuleScopes::build(&tree);
        let symbols = ModuleSymbols::build(&tree, &scopes);
        SourceFile {
            path: path.to_path_buf(),
            hash: content_hash(&text),
            text,
            parse,
            scopes: OnceLock::from(scopes),
            symbols: Arc::new(symbols),
        }
    }

    /// The module's scopes and name resolution (built now if this copy has none).
    pub fn scopes(&self) -> &ModuleScopes {
        self.scopes
            .get_or_init(|| ModuleScopes::build(&self.parse.tree()))
    }

    /// Whether the scopes are built.
    pub fn has_scopes(&self) -> bool {
        self.scopes.get().is_some()
    }

    /// The same file without its scopes: text, tree and symbols shared.
    fn without_scopes(&self) -> SourceFile {
        SourceFile {
            path: self.path.clone(),
            text: self.text.clone(),
            parse: self.parse.clone(),
            scopes: OnceLock::new(),
            symbols: self.symbols.clone(),
            hash: self.hash,
        }
    }
}

pub fn content_hash(text: &str) -> u64 {
    // A fast non-cryptographic hash: it only tells an edited text from an unchanged one.
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Why a module file cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotAFile,
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// `line` and `column` (one-based, the column in characters) of the first invalid
    /// byte, counted in the valid text before it.
    NotUtf8 {
        offset: usize,
        line: u32,
        column: u32,
    },
    Unreadable(String),
}

/// Where the first invalid byte of text that is not UTF-8 is, for people: the one-based
/// line and column (in characters) after the valid text before it.
pub fn utf8_error_position(bytes: &[u8], error: &std::str::Utf8Error) -> (u32, u32) {
    let prefix = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default();
    let index = mlpy_syntax::LineIndex::new(prefix);
    index.human_line_col(mlpy_syntax::TextSize::of(prefix), prefix)
}

impl LoadError {
    /// The same problem, phrased for an import of `module`.
    pub fn into_resolve_error(self, module: &str, path: &Path) -> crate::ResolveError {
        use crate::ResolveError as E;
        let module = module.to_string();
        let path = path.to_path_buf();
        match self {
            LoadError::NotAFile => E::NotAFile { module, path },
            LoadError::TooLarge { size, limit } => E::TooLarge {
                module,
                path,
                size,
                limit,
            },
            LoadError::NotUtf8 {
                offset,
                line,
                column,
            } => E::NotUtf8 {
                module,
                path,
                offset,
                line,
                column,
            },
            LoadError::Unreadable(message) => E::Unreadable {
                module,
                path,
                message,
            },
        }
    }
}

/// Cache counters, for tests and `--verbose` output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Files whose time stamp changed but whose content did not.
    pub revalidations: u64,
    /// Entries dropped because their text changed (or the file went away).
    pub invalidations: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    mtime: Option<SystemTime>,
    size: u64,
}

struct Entry {
    file: Arc<SourceFile>,
    stamp: Option<Stamp>,
}

#[derive(Default)]
struct State {
    entries: HashMap<PathBuf, Entry>,
    overlays: HashMap<PathBuf, Arc<str>>,
    /// For each module, the modules that import it.
    dependents: HashMap<PathBuf, HashSet<PathBuf>>,
    /// For each module, what it imports (to update `dependents`).
    dependencies: HashMap<PathBuf, Vec<PathBuf>>,
}

/// Thread-safe cache of parsed modules.
#[derive(Default)]
pub struct ModuleCache {
    state: Mutex<State>,
    /// New entries come without their scopes (see [`ModuleCache::lean`]).
    lean: bool,
    hits: AtomicU64,
    misses: AtomicU64,
    revalidations: AtomicU64,
    invalidations: AtomicU64,
}

impl ModuleCache {
    pub fn new() -> ModuleCache {
        ModuleCache::default()
    }

    /// A cache whose new entries drop their scopes once their symbols are built: a
    /// language server holds every module of a workspace, and the scopes of most of
    /// them are needed once, when they are checked (they are built again then, and
    /// released when the server goes idle: [`ModuleCache::release_scopes`]). Dropping
    /// them at once, rather than after the check, also keeps them from being scattered
    /// between the trees that stay, where the allocator could not give their memory back.
    pub fn lean() -> ModuleCache {
        ModuleCache {
            lean: true,
            ..ModuleCache::default()
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent maps; keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            revalidations: self.revalidations.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
        }
    }

    /// The module at `path` (canonical), parsed; from the cache when still fresh.
    pub fn load(&self, path: &Path, size_limit: u64) -> Result<Arc<SourceFile>, LoadError> {
        let overlay = self.state().overlays.get(path).cloned();
        if let Some(text) = overlay {
            // An editor's buffer is held to the limit of the file it stands for.
            if text.len() as u64 > size_limit {
                return Err(LoadError::TooLarge {
                    size: text.len() as u64,
                    limit: size_limit,
                });
            }
            return Ok(self.load_text(path, text, None));
        }
        let meta = std::fs::metadata(path).map_err(|e| LoadError::Unreadable(e.to_string()))?;
        if !meta.is_file() {
            return Err(LoadError::NotAFile);
        }
        if meta.len() > size_limit {
            return Err(LoadError::TooLarge {
                size: meta.len(),
                limit: size_limit,
            });
        }
        let stamp = Stamp {
            mtime: meta.modified().ok(),
            size: meta.len(),
        };
        if let Some(entry) = self.state().entries.get(path) {
            if entry.stamp == Some(stamp) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(entry.file.clone());
            }
        }
        let mut bytes = std::fs::read(path).map_err(|e| LoadError::Unreadable(e.to_string()))?;
        lone_carriage_returns_to_newlines(&mut bytes);
        if bytes.len() as u64 > size_limit {
            return Err(LoadError::TooLarge {
                size: bytes.len() as u64,
                limit: size_limit,
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column) = utf8_error_position(e.as_bytes(), &e.utf8_error());
            LoadError::NotUtf8 {
                offset: e.utf8_error().valid_up_to(),
                line,
                column,
            }
        })?;
        Ok(self.load_text(path, text.into(), Some(stamp)))
    }

    fn load_text(&self, path: &Path, text: Arc<str>, stamp: Option<Stamp>) -> Arc<SourceFile> {
        let hash = content_hash(&text);
        {
            let mut state = self.state();
            if let Some(entry) = state.entries.get_mut(path) {
                if entry.file.hash == hash && entry.file.text == text {
                    if entry.stamp != stamp && stamp.is_some() && entry.stamp.is_some() {
                        self.revalidations.fetch_add(1, Ordering::Relaxed);
                    }
                    entry.stamp = stamp;
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return entry.file.clone();
                }
            }
        }
        let mut file = SourceFile::new(path, text);
        if self.lean {
            file.scopes.take();
        }
        let file = Arc::new(file);
        self.misses.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            file: file.clone(),
            stamp,
        };
        // Only this file's entry is replaced: what its importers derived from their own
        // texts is still right (whoever checks them asks for this new entry).
        if self
            .state()
            .entries
            .insert(path.to_path_buf(), entry)
            .is_some()
        {
            self.invalidations.fetch_add(1, Ordering::Relaxed);
        }
        file
    }

    /// Drops the scopes of the cached modules that `keep` does not name (they are built
    /// again when asked for): the cache's entry of each becomes a copy without them, and
    /// the scopes go when the last graph holding the old entry does. Returns how many.
    pub fn release_scopes(&self, keep: impl Fn(&Path) -> bool) -> usize {
        let mut state = self.state();
        let mut released = 0;
        for (path, entry) in state.entries.iter_mut() {
            if entry.file.has_scopes() && !keep(path) {
                entry.file = Arc::new(entry.file.without_scopes());
                released += 1;
            }
        }
        released
    }

    /// Records what `path` imports, so that the modules to check again after a change
    /// can be found ([`ModuleCache::dependents_of`]).
    pub fn set_dependencies(&self, path: &Path, dependencies: Vec<PathBuf>) {
        let mut state = self.state();
        Self::forget_dependencies_locked(&mut state, path);
        for dep in &dependencies {
            state
                .dependents
                .entry(dep.clone())
                .or_default()
                .insert(path.to_path_buf());
        }
        state.dependencies.insert(path.to_path_buf(), dependencies);
    }

    /// Drops the record of what `path` imports (the records of the modules importing it
    /// stay: they still name it).
    fn forget_dependencies_locked(state: &mut State, path: &Path) {
        let Some(old) = state.dependencies.remove(path) else {
            return;
        };
        for dep in old {
            if let Some(set) = state.dependents.get_mut(&dep) {
                set.remove(path);
                // No empty sets left behind: a long session sees many files come and go.
                if set.is_empty() {
                    state.dependents.remove(&dep);
                }
            }
        }
    }

    /// The modules that import `path` directly.
    pub fn importers_of(&self, path: &Path) -> Vec<PathBuf> {
        self.state()
            .dependents
            .get(path)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The modules that import `path`, directly or not.
    pub fn dependents_of(&self, path: &Path) -> Vec<PathBuf> {
        let state = self.state();
        let mut seen = HashSet::default();
        let mut queue: VecDeque<PathBuf> = VecDeque::from([path.to_path_buf()]);
        let mut out = Vec::new();
        while let Some(current) = queue.pop_front() {
            for dependent in state.dependents.get(&current).into_iter().flatten() {
                if seen.insert(dependent.clone()) {
                    out.push(dependent.clone());
                    queue.push_back(dependent.clone());
                }
            }
        }
        out
    }

    /// Drops the entry of `path` (its importers keep theirs: they depend on their own
    /// texts only). True when there was one.
    pub fn invalidate(&self, path: &Path) -> bool {
        let dropped = self.state().entries.remove(path).is_some();
        if dropped {
            self.invalidations.fetch_add(1, Ordering::Relaxed);
        }
        dropped
    }

    /// Forgets everything about `path` (a file deleted or renamed away): its entry and
    /// the record of what it imports. The records of its importers still name it, so
    /// [`ModuleCache::dependents_of`] finds them; they are replaced when those modules
    /// are built again.
    pub fn forget(&self, path: &Path) {
        let mut state = self.state();
        if state.entries.remove(path).is_some() {
            self.invalidations.fetch_add(1, Ordering::Relaxed);
        }
        if !state.overlays.contains_key(path) {
            Self::forget_dependencies_locked(&mut state, path);
        }
    }

    /// Makes `text` the content of `path` (an open editor buffer).
    pub fn set_overlay(&self, path: &Path, text: Arc<str>) {
        self.state().overlays.insert(path.to_path_buf(), text);
    }

    /// Goes back to the disk content of `path`. The entry parsed from the buffer stays:
    /// when the file holds the same text (a document closed without unsaved changes),
    /// the next load finds it by hash instead of parsing again. A buffer with no file
    /// behind it is forgotten.
    pub fn remove_overlay(&self, path: &Path) {
        let removed = self.state().overlays.remove(path).is_some();
        if removed && !path.is_file() {
            self.forget(path);
        }
    }

    pub fn overlay(&self, path: &Path) -> Option<Arc<str>> {
        self.state().overlays.get(path).cloned()
    }

    pub fn clear(&self) {
        let mut state = self.state();
        state.entries.clear();
        state.dependents.clear();
        state.dependencies.clear();
    }

    pub fn len(&self) -> usize {
        self.state().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A lone `\r` (old Mac line endings) ends a line, as in Python, the reference (which read
/// sources with universal newlines), editors and the LSP specification: it is read as
/// `\n`. One byte for one, so every offset stays where it was; `\r\n` is left alone
/// (everything already reads it as one line break).
pub fn lone_carriage_returns_to_newlines(bytes: &mut [u8]) {
    let mut at = 0;
    while let Some(found) = bytes[at..].iter().position(|&b| b == b'\r') {
        let i = at + found;
        if bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
        at = i + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn lone_carriage_returns_become_newlines_byte_for_byte() {
        for (input, expected) in [
            ("a\rb", "a\nb"),
            ("a\r\nb", "a\r\nb"),
            ("\r\r\n\r", "\n\r\n\n"),
            ("no breaks", "no breaks"),
            ("é\rü\r", "é\nü\n"),
        ] {
            let mut bytes = input.as_bytes().to_vec();
            lone_carriage_returns_to_newlines(&mut bytes);
            assert_eq!(String::from_utf8(bytes).unwrap(), expected, "{input:?}");
        }
    }

    #[test]
    fn hits_revalidations_and_per_file_invalidation() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ml");
        let b = dir.path().join("b.ml");
        let c = dir.path().join("c.ml");
        fs::write(&a, "x = 1;").unwrap();
        fs::write(&b, "import a;").unwrap();
        fs::write(&c, "import b;").unwrap();
        let cache = ModuleCache::new();
        for p in [&a, &b, &c] {
            cache.load(p, 1 << 20).unwrap();
        }
        cache.set_dependencies(&b, vec![a.clone()]);
        cache.set_dependencies(&c, vec![b.clone()]);
        assert_eq!(cache.stats().misses, 3);
        cache.load(&a, 1 << 20).unwrap();
        assert_eq!(cache.stats().hits, 1);

        // Same content, new time stamp: revalidated by hash, still a hit.
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        fs::File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(later)
            .unwrap();
        cache.load(&a, 1 << 20).unwrap();
        assert_eq!(cache.stats().revalidations, 1);
        assert_eq!(cache.stats().invalidations, 0);

        // New content: only a is parsed again; b and c depend on their own texts.
        let old_b = cache.load(&b, 1 << 20).unwrap();
        let before = cache.stats();
        fs::write(&a, "x = 22;").unwrap();
        let fresh = cache.load(&a, 1 << 20).unwrap();
        assert_eq!(&*fresh.text, "x = 22;");
        assert_eq!(cache.stats().misses, before.misses + 1);
        assert_eq!(cache.stats().invalidations, 1);
        assert_eq!(cache.len(), 3);
        assert!(Arc::ptr_eq(&cache.load(&b, 1 << 20).unwrap(), &old_b));
        cache.load(&c, 1 << 20).unwrap();
        assert_eq!(cache.stats().misses, before.misses + 1);
        assert_eq!(cache.stats().hits, before.hits + 2);
        // The import records still say who to check again.
        assert_eq!(cache.dependents_of(&a), vec![b.clone(), c.clone()]);

        // The same through an editor buffer: only a.
        cache.set_overlay(&a, "x = 3;".into());
        cache.load(&a, 1 << 20).unwrap();
        cache.load(&b, 1 << 20).unwrap();
        assert_eq!(cache.stats().misses, before.misses + 2);
        // Closing the buffer of a file that holds the same text parses nothing.
        fs::write(&a, "x = 3;").unwrap();
        cache.remove_overlay(&a);
        assert_eq!(&*cache.load(&a, 1 << 20).unwrap().text, "x = 3;");
        assert_eq!(cache.stats().misses, before.misses + 2);

        // A file deleted: its entry and its own record go, its importers' records stay.
        fs::remove_file(&b).unwrap();
        cache.forget(&b);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.dependents_of(&a), Vec::<PathBuf>::new());
        assert_eq!(cache.dependents_of(&b), vec![c.clone()]);
        assert!(cache.invalidate(&c));
        assert!(!cache.invalidate(&c));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_lean_cache_builds_scopes_when_asked_and_releases_those_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ml");
        let b = dir.path().join("b.ml");
        fs::write(&a, "function f(x) { y = x; return y; }").unwrap();
        fs::write(&b, "import a; z = a.f(1);").unwrap();
        let full = SourceFile::new(&a, fs::read_to_string(&a).unwrap().into());

        let cache = ModuleCache::lean();
        let lean_a = cache.load(&a, 1 << 20).unwrap();
        assert!(!lean_a.has_scopes(), "dropped once the symbols were built");
        assert_eq!(lean_a.symbols, full.symbols);
        // Built again from the tree, the same as built with the file; no parse.
        assert_eq!(
            format!("{:?}", lean_a.scopes()),
            format!("{:?}", full.scopes())
        );
        assert!(lean_a.has_scopes());
        assert_eq!(cache.stats().misses, 1);

        let loaded_b = cache.load(&b, 1 << 20).unwrap();
        loaded_b.scopes();
        // `b` is kept; `a`'s entry becomes a copy without scopes, sharing text and tree.
        assert_eq!(cache.release_scopes(|p| p == b.as_path()), 1);
        let again_a = cache.load(&a, 1 << 20).unwrap();
        assert!(!again_a.has_scopes());
        assert!(Arc::ptr_eq(&again_a.text, &lean_a.text));
        assert_eq!(again_a.parse.green(), lean_a.parse.green());
        assert!(
            lean_a.has_scopes(),
            "a graph holding the old entry keeps its scopes"
        );
        assert!(Arc::ptr_eq(&cache.load(&b, 1 << 20).unwrap(), &loaded_b));
        assert_eq!(cache.stats().misses, 2, "releasing parses nothing");

        // The default cache keeps them.
        let cache = ModuleCache::new();
        assert!(cache.load(&a, 1 << 20).unwrap().has_scopes());
    }

    #[test]
    fn overlays_win_and_limits_apply() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ml");
        fs::write(&a, "x = 1;").unwrap();
        let cache = ModuleCache::new();
        cache.set_overlay(&a, "x = 2;".into());
        assert_eq!(&*cache.load(&a, 1 << 20).unwrap().text, "x = 2;");
        // The limit holds for overlays too.
        assert_eq!(
            cache.load(&a, 3).unwrap_err(),
            LoadError::TooLarge { size: 6, limit: 3 }
        );
        cache.remove_overlay(&a);
        assert_eq!(&*cache.load(&a, 1 << 20).unwrap().text, "x = 1;");
        assert_eq!(
            cache.load(&a, 3).unwrap_err(),
            LoadError::TooLarge { size: 6, limit: 3 }
        );
        fs::write(&a, b"x = \xff;").unwrap();
        assert_eq!(
            cache.load(&a, 1 << 20).unwrap_err(),
            LoadError::NotUtf8 {
                offset: 4,
                line: 1,
                column: 5
            }
        );
        // Line and column of the first invalid byte, the column in characters.
        fs::write(
            &a,
            "x = 1;\r\ny = \"é😀\u{FEFF}"
                .bytes()
                .chain(*b"\xc3(\";")
                .collect::<Vec<u8>>(),
        )
        .unwrap();
        assert_eq!(
            cache.load(&a, 1 << 20).unwrap_err(),
            LoadError::NotUtf8 {
                offset: 22,
                line: 2,
                column: 9
            }
        );
        assert_eq!(
            cache.load(dir.path(), 1 << 20).unwrap_err(),
            LoadError::NotAFile
        );
    }
}
