//! The resolver: the one place that decides what an import names.
//!
//! Order, from the proposal: standard-library names → the configured import sources
//! (remote protocols) → each import path (`P/a/b/c.ml`, then `P/a/b/c/__init__.ml`) →
//! the importing file's folder, when allowed → whitelisted Python modules → not found.
//! URL imports go to the protocol of their scheme. A remote module's dotted imports go to
//! the protocols (its own base first, then the import sources), never to local files.

use crate::config::{ProjectConfig, StdlibMode};
use crate::error::ResolveError;
use crate::file_protocol::{
    module_names_in, nearby_modules, FileProtocol, ImportRoot, ModuleIndex, UnsavedFiles,
};
use crate::protocol::{ImportOptions, ImportProtocol, ImportRequest, ImportSpec, Located, Origin};
use crate::stdlib::{
    is_python_forbidden, is_stdlib_module, PYTHON_WHITELIST_DEFAULT, STDLIB_MODULES,
};
use crate::suggest::suggestions;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What an import turned out to name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A standard-library module.
    Stdlib(String),
    /// An ML module in a file (local, or cached from a remote source).
    Module(Located),
    /// A whitelisted Python module (`stdlib_mode: "python"`).
    Python(String),
}

/// What the remote protocols answered while a dotted import was searched.
#[derive(Default)]
struct RemoteSearch {
    searched: Vec<String>,
    not_cached: Option<ResolveError>,
}

impl RemoteSearch {
    /// `Ok(Some)`: found; `Ok(None)`: not there (go on); `Err`: a real failure.
    fn attempt(
        &mut self,
        result: Result<Located, ResolveError>,
    ) -> Result<Option<Located>, ResolveError> {
        match result {
            Ok(located) => Ok(Some(located)),
            Err(ResolveError::NotFound { searched, .. }) => {
                self.searched.extend(searched);
                Ok(None)
            }
            Err(e @ ResolveError::NotCached { .. }) => {
                self.not_cached.get_or_insert(e);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    fn into_error(self, module: String) -> ResolveError {
        match self.not_cached {
            Some(e) => e,
            None => ResolveError::NotFound {
                module,
                searched: self.searched,
                suggestions: Vec::new(),
                hint: None,
            },
        }
    }
}

/// A warning found while resolving (the import still resolves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveWarning {
    pub message: String,
}

pub struct Resolver {
    config: Arc<ProjectConfig>,
    files: FileProtocol,
    /// Remote and plugin protocols, tried for `import_sources` and URL imports.
    protocols: Vec<Arc<dyn ImportProtocol>>,
    memo: Mutex<Memo>,
}

/// Answers already given. A language server's resolver lives as long as the session,
/// and every spelling typed after `import ` is asked once: the failures (each with the
/// places searched and suggestions) are kept up to [`MAX_FAILURES`], then forgotten
/// together (asked again, they are found again). Successes are bounded by the modules
/// that exist.
#[derive(Default)]
struct Memo {
    answers: HashMap<MemoKey, Result<Resolution, ResolveError>>,
    failures: usize,
    /// The modules under each list of search folders, for suggestions (a few lists: the
    /// import roots, with an importer's folder when that is searched).
    indexes: HashMap<Vec<PathBuf>, Arc<ModuleIndex>>,
    /// The module names of folders listed for suggestions.
    listings: HashMap<PathBuf, Arc<Vec<String>>>,
}

/// Folder listings kept at most (see [`Memo`]); then forgotten together.
const MAX_LISTINGS: usize = 256;

/// Module indexes kept at most (see [`Memo`]); then forgotten together.
const MAX_INDEXES: usize = 16;

/// Failed resolutions kept at most (see [`Memo`]).
const MAX_FAILURES: usize = 1_024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct MemoKey {
    spec: ImportSpec,
    /// Only part of the key when the importer matters (its folder, or a remote base).
    context: Option<PathBuf>,
    origin: Origin,
    options: ImportOptions,
}

impl Resolver {
    /// A resolver with the file protocol only: URL imports and non-file
    /// `import_sources` fail with "no import protocol handles …".
    pub fn new(config: Arc<ProjectConfig>) -> Resolver {
        let files = FileProtocol::new(
            config
                .import_paths
                .iter()
                .map(|p| ImportRoot::new(p))
                .collect(),
            config.allow_current_dir,
            config.root.clone(),
        );
        Resolver {
            config,
            files,
            protocols: Vec::new(),
            memo: Mutex::new(Memo::default()),
        }
    }

    /// A resolver with the file protocol and `protocols` for URL imports and
    /// `import_sources` entries, asked in order (the first whose `can_resolve` accepts a
    /// request serves it). `mlpy_remote::resolver` builds the one the CLI and the
    /// language server use (https, git, plugins).
    pub fn with_protocols(
        config: Arc<ProjectConfig>,
        protocols: Vec<Arc<dyn ImportProtocol>>,
    ) -> Resolver {
        let mut resolver = Resolver::new(config);
        resolver.protocols = protocols;
        resolver
    }

    /// Adds a protocol for URL imports and `import_sources` entries, after those
    /// already there.
    pub fn with_protocol(mut self, protocol: Arc<dyn ImportProtocol>) -> Resolver {
        self.protocols.push(protocol);
        self
    }

    /// Lets the file search find the editor's unsaved module files (see
    /// [`UnsavedFiles`]). Answers already given are kept: [`Resolver::clear_memo`] when
    /// the unsaved files change.
    pub fn with_unsaved_files(mut self, unsaved: UnsavedFiles) -> Resolver {
        self.files.unsaved = Some(unsaved);
        self
    }

    pub fn config(&self) -> &ProjectConfig {
        &self.config
    }

    pub fn import_roots(&self) -> &[ImportRoot] {
        &self.files.roots
    }

    /// The folders a dotted import from a file in `importer_dir` searches, in order (the
    /// file protocol's order: import roots, then that folder when allowed).
    pub fn search_folders(&self, importer_dir: Option<&Path>) -> Vec<PathBuf> {
        self.files
            .search_folders(importer_dir)
            .map(Path::to_path_buf)
            .collect()
    }

    /// The dotted module name of the file `path` — what an import of it spells —
    /// judged by the first import root that holds it (`lib/geo/shapes.ml` under `lib` →
    /// `geo.shapes`, `geo/__init__.ml` → `geo`); `None` outside every root. The one
    /// path → name rule: `mlpy check` names its entry so, and so does the editor.
    pub fn module_name_of(&self, path: &Path) -> Option<String> {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.module_name_of_canonical(&canonical)
    }

    /// [`Resolver::module_name_of`] for a path already canonical (the module graph's
    /// paths are): the same rule without resolving the path again.
    pub fn module_name_of_canonical(&self, canonical: &Path) -> Option<String> {
        for root in &self.files.roots {
            let Some(base) = &root.canonical else {
                continue;
            };
            let Ok(rel) = canonical.strip_prefix(base) else {
                continue;
            };
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = parts.pop()?;
            let last = last.strip_suffix(".ml")?.to_string();
            if last != "__init__" {
                parts.push(last);
            }
            if !parts.is_empty() {
                return Some(parts.join("."));
            }
        }
        None
    }

    /// Forgets memoised answers (files appeared or disappeared, or remote modules were
    /// fetched into the cache).
    pub fn clear_memo(&self) {
        *self.memo.lock().expect("resolver memo poisoned") = Memo::default();
        self.files.forget_folders();
        for protocol in &self.protocols {
            protocol.clear_memo();
        }
    }

    /// Ends a run: remote protocols write the lockfile.
    pub fn finish(&self) -> Result<(), ResolveError> {
        for protocol in &self.protocols {
            protocol.finish()?;
        }
        Ok(())
    }

    /// Resolves the import `spec` written in the module at `importer`.
    pub fn resolve(
        &self,
        spec: &ImportSpec,
        importer: &Path,
        importer_origin: &Origin,
    ) -> Result<Resolution, ResolveError> {
        self.resolve_with(spec, &ImportOptions::default(), importer, importer_origin)
    }

    /// Resolves an import that has an option block (`{ auth: …, verify: …, cache: … }`).
    pub fn resolve_with(
        &self,
        spec: &ImportSpec,
        options: &ImportOptions,
        importer: &Path,
        importer_origin: &Origin,
    ) -> Result<Resolution, ResolveError> {
        let context = match (importer_origin, spec) {
            (Origin::Remote(_), _) | (_, ImportSpec::Url(_)) => Some(importer.to_path_buf()),
            (Origin::File, ImportSpec::Dotted(_)) if self.config.allow_current_dir => {
                importer.parent().map(Path::to_path_buf)
            }
            _ => None,
        };
        let key = MemoKey {
            spec: spec.clone(),
            context,
            origin: importer_origin.clone(),
            options: options.clone(),
        };
        if let Some(answer) = self
            .memo
            .lock()
            .expect("resolver memo poisoned")
            .answers
            .get(&key)
        {
            return answer.clone();
        }
        let answer = self.resolve_uncached(spec, options, importer, importer_origin);
        let mut memo = self.memo.lock().expect("resolver memo poisoned");
        if answer.is_err() {
            if memo.failures >= MAX_FAILURES {
                memo.answers.retain(|_, a| a.is_ok());
                memo.failures = 0;
            }
            memo.failures += 1;
        }
        if let Some(old) = memo.answers.insert(key, answer.clone()) {
            // Two threads raced on the same question: count it once.
            if old.is_err() {
                memo.failures = memo.failures.saturating_sub(1);
            }
        }
        answer
    }

    fn resolve_uncached(
        &self,
        spec: &ImportSpec,
        options: &ImportOptions,
        importer: &Path,
        importer_origin: &Origin,
    ) -> Result<Resolution, ResolveError> {
        let request = ImportRequest {
            spec,
            importer,
            importer_origin,
            options,
            source: None,
        };
        let parts = match spec {
            ImportSpec::Url(url) => return self.resolve_url(&request, url),
            ImportSpec::Dotted(parts) => parts,
        };
        let name = parts.join(".");
        if parts.len() == 1 && is_stdlib_module(&name) {
            return Ok(Resolution::Stdlib(name));
        }
        if let Some(dunder) = parts.iter().find(|p| p.starts_with("__")) {
            return Err(ResolveError::ReservedName {
                module: name.clone(),
                part: dunder.clone(),
            });
        }
        let mut remote = RemoteSearch::default();
        // A remote module's dotted imports are relative to where it came from, then go
        // to the import sources; never to local files.
        if let Origin::Remote(_) = importer_origin {
            if let Some(protocol) = self.protocols.iter().find(|p| p.can_resolve(&request)) {
                protocol.validate_access(&request)?;
                if let Some(located) = remote.attempt(protocol.resolve(&request))? {
                    return Ok(Resolution::Module(located));
                }
            }
            if let Some(located) = self.try_sources(&request, &mut remote)? {
                return Ok(Resolution::Module(located));
            }
            return Err(remote.into_error(name));
        }
        if let Some(located) = self.try_sources(&request, &mut remote)? {
            return Ok(Resolution::Module(located));
        }
        match self.files.resolve(&request) {
            Ok(located) => return Ok(Resolution::Module(located)),
            Err(ResolveError::NotFound { .. }) => {}
            Err(other) => return Err(other),
        }
        // Found nowhere, and an import source could not be asked (cached only): the
        // module may well be there; say so, so that editors can offer to fetch it.
        if let Some(not_cached) = remote.not_cached {
            return Err(not_cached);
        }
        if is_python_forbidden(&name) {
            return Err(ResolveError::Forbidden {
                module: name.clone(),
                reason: format!(
                    "`{}` reaches the interpreter or the operating system around the capability system; use the ML standard library (file, path, env, args, …) instead",
                    parts[0]
                ),
            });
        }
        if self.config.stdlib_mode == StdlibMode::Python {
            let whitelisted = PYTHON_WHITELIST_DEFAULT.contains(&name.as_str())
                || self.config.python_whitelist.contains(&name);
            if whitelisted {
                return Ok(Resolution::Python(name));
            }
        }
        Err(self.not_found(parts, importer, remote.searched))
    }

    /// Tries the `import_sources`, in order, for a dotted import. A 404 moves on to the
    /// next source; a source not cached while offline is remembered and skipped.
    fn try_sources(
        &self,
        request: &ImportRequest<'_>,
        remote: &mut RemoteSearch,
    ) -> Result<Option<Located>, ResolveError> {
        for source in &self.config.import_sources {
            if source.protocol == "file" {
                continue;
            }
            let attempt = ImportRequest {
                spec: request.spec,
                importer: request.importer,
                importer_origin: request.importer_origin,
                options: request.options,
                source: Some(source),
            };
            let Some(protocol) = self.protocols.iter().find(|p| p.can_resolve(&attempt)) else {
                return Err(ResolveError::Protocol {
                    module: request.spec.to_string(),
                    message: format!(
                        "no import protocol handles the import source {} (protocol '{}'); built in: https, http (loopback hosts)",
                        source.location, source.protocol
                    ),
                });
            };
            protocol.validate_access(&attempt)?;
            if let Some(located) = remote.attempt(protocol.resolve(&attempt))? {
                return Ok(Some(located));
            }
        }
        Ok(None)
    }

    fn resolve_url(
        &self,
        request: &ImportRequest<'_>,
        url: &str,
    ) -> Result<Resolution, ResolveError> {
        for protocol in &self.protocols {
            if protocol.can_resolve(request) {
                protocol.validate_access(request)?;
                return protocol.resolve(request).map(Resolution::Module);
            }
        }
        let scheme = request.spec.scheme().unwrap_or("");
        Err(ResolveError::Protocol {
            module: url.to_string(),
            message: format!(
                "no import protocol handles '{scheme}://' (built in: https, http for loopback, git; plugins are executables named mlpy-import-{scheme})"
            ),
        })
    }

    /// How many modules a not-found import suggests: the near names (three at most) and
    /// then modules named like it under a package.
    const MAX_SUGGESTIONS: usize = 4;

    fn not_found(&self, parts: &[String], importer: &Path, remote: Vec<String>) -> ResolveError {
        let name = parts.join(".");
        let importer_dir = importer.parent();
        let mut searched = vec!["ML standard library".to_string()];
        // The URLs the import sources were asked for, as the protocols listed them.
        searched.extend(remote);
        searched.extend(self.files.searched(parts, importer_dir));
        if self.config.stdlib_mode == StdlibMode::Python {
            searched.push("Python whitelist".to_string());
        }
        let roots: Vec<PathBuf> = self.search_folders(importer_dir);
        let nearby = nearby_modules(&roots, parts, &|dir| self.listing(dir));
        let candidates = STDLIB_MODULES
            .iter()
            .copied()
            .chain(nearby.iter().map(String::as_str));
        let mut suggestions = suggestions(&name, candidates);
        // The module under a package (moved into one, or its package left out).
        for moved in self.module_index(&roots).ending_with(parts) {
            if suggestions.len() >= Self::MAX_SUGGESTIONS {
                break;
            }
            if !suggestions.contains(&moved) {
                suggestions.push(moved);
            }
        }
        let hint = self.hint_for_unsearched(parts, importer_dir);
        ResolveError::NotFound {
            module: name,
            searched,
            suggestions,
            hint,
        }
    }

    /// The module names in `dir` (listed once until [`Resolver::clear_memo`]).
    fn listing(&self, dir: &Path) -> Arc<Vec<String>> {
        self.memoised(
            |memo| &mut memo.listings,
            dir.to_path_buf(),
            MAX_LISTINGS,
            || module_names_in(dir),
        )
    }

    /// The modules under `roots` (walked once until [`Resolver::clear_memo`]).
    fn module_index(&self, roots: &[PathBuf]) -> Arc<ModuleIndex> {
        self.memoised(
            |memo| &mut memo.indexes,
            roots.to_vec(),
            MAX_INDEXES,
            || ModuleIndex::walk(roots),
        )
    }

    /// The value of `key` in one of the memo's tables (`table`), made (outside the lock)
    /// when missing; a table holding `max` entries is forgotten whole first.
    fn memoised<K: std::hash::Hash + Eq, V>(
        &self,
        table: impl Fn(&mut Memo) -> &mut HashMap<K, Arc<V>>,
        key: K,
        max: usize,
        make: impl FnOnce() -> V,
    ) -> Arc<V> {
        if let Some(found) = table(&mut self.memo.lock().expect("resolver memo poisoned")).get(&key)
        {
            return found.clone();
        }
        let made = Arc::new(make());
        let mut memo = self.memo.lock().expect("resolver memo poisoned");
        let entries = table(&mut memo);
        if entries.len() >= max {
            entries.clear();
        }
        entries.insert(key, made.clone());
        made
    }

    /// Explains a module that exists where the search did not look.
    fn hint_for_unsearched(&self, parts: &[String], importer_dir: Option<&Path>) -> Option<String> {
        let dir = importer_dir?;
        if self.config.allow_current_dir {
            return None;
        }
        let found = FileProtocol::candidates(dir, parts)
            .into_iter()
            .find(|c| c.is_file())?;
        let config_hint = match &self.config.config_file {
            Some(file) => format!(
                "add its folder to \"import_paths\" in {}",
                self.files.display(file)
            ),
            None => "create an mlpy.json with \"import_paths\"".to_string(),
        };
        Some(format!(
            "{} exists next to the importing file, but that folder is not searched: {config_hint}, or pass --import-paths or --allow-current-dir",
            self.files.display(&found)
        ))
    }

    /// A user module that the standard library hides (same name in an import root).
    pub fn shadowed_user_module(&self, name: &str) -> Option<PathBuf> {
        if !is_stdlib_module(name) {
            return None;
        }
        let parts = vec![name.to_string()];
        for root in &self.files.roots {
            let Some(canonical) = &root.canonical else {
                continue;
            };
            if let crate::file_protocol::Probe::Found(located) = self.files.probe(canonical, &parts)
            {
                return Some(located.path);
            }
        }
        None
    }

    /// Shows a path relative to the project root.
    pub fn display_path(&self, path: &Path) -> String {
        self.files.display(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn project(files: &[(&str, &str)], config: &str) -> (tempfile::TempDir, Resolver) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        fs::write(dir.path().join("mlpy.json"), config).unwrap();
        let config = ProjectConfig::load(&dir.path().join("mlpy.json")).unwrap();
        (dir, Resolver::new(Arc::new(config)))
    }

    fn resolve(r: &Resolver, dir: &Path, name: &str) -> Result<Resolution, ResolveError> {
        r.resolve(
            &ImportSpec::dotted(name),
            &dir.join("main.ml"),
            &Origin::File,
        )
    }

    #[test]
    fn failed_answers_are_kept_in_bounds() {
        let (dir, r) = project(&[("lib/geometry.ml", "")], r#"{"import_paths": ["lib"]}"#);
        assert!(resolve(&r, dir.path(), "geometry").is_ok());
        // Every spelling typed on the way to a name is asked once.
        for i in 0..MAX_FAILURES + 10 {
            assert!(resolve(&r, dir.path(), &format!("geometr{i}")).is_err());
        }
        let memo = r.memo.lock().unwrap();
        assert!(memo.failures <= MAX_FAILURES);
        assert!(memo.answers.len() <= MAX_FAILURES + 1);
        assert!(memo.answers.values().filter(|a| a.is_ok()).count() == 1);
        drop(memo);
        assert!(resolve(&r, dir.path(), "geometr3").is_err());
    }

    /// An editor's unsaved module is found where its file would be, in a real folder of an
    /// import root only; a file on disk comes first, and nothing else is found.
    #[test]
    fn unsaved_module_files_are_found_where_their_file_would_be() {
        let (dir, r) = project(
            &[("lib/old.ml", ""), ("lib/sub/x.ml", "")],
            r#"{"import_paths": ["lib"]}"#,
        );
        let lib = fs::canonicalize(dir.path().join("lib")).unwrap();
        let unsaved = [
            lib.join("new.ml"),
            lib.join("sub/new.ml"),
            lib.join("gone/new.ml"),
        ];
        let outside = fs::canonicalize(dir.path()).unwrap().join("top.ml");
        let all: Vec<PathBuf> = unsaved.iter().cloned().chain([outside]).collect();
        let r = r.with_unsaved_files(Arc::new(move |p: &Path| all.iter().any(|u| u == p)));
        let path = |name: &str| match resolve(&r, dir.path(), name) {
            Ok(Resolution::Module(located)) => Some(located.path),
            _ => None,
        };
        assert_eq!(path("new"), Some(lib.join("new.ml")));
        assert_eq!(path("sub.new"), Some(lib.join("sub/new.ml")));
        assert_eq!(path("old"), Some(lib.join("old.ml")));
        // No such folder, or outside every import root: not found.
        assert_eq!(path("gone.new"), None);
        assert_eq!(path("top"), None);
        assert_eq!(path("other"), None);
    }

    #[test]
    fn order_stdlib_then_paths_then_packages() {
        let (dir, r) = project(
            &[
                ("lib/utils/math.ml", ""),
                ("lib/pkg/__init__.ml", ""),
                ("lib/math.ml", ""),
            ],
            r#"{"import_paths": ["lib"]}"#,
        );
        assert_eq!(
            resolve(&r, dir.path(), "math").unwrap(),
            Resolution::Stdlib("math".into())
        );
        let Resolution::Module(m) = resolve(&r, dir.path(), "utils.math").unwrap() else {
            panic!()
        };
        assert!(m.path.ends_with("lib/utils/math.ml"));
        let Resolution::Module(p) = resolve(&r, dir.path(), "pkg").unwrap() else {
            panic!()
        };
        assert!(p.is_package);
        assert!(r.shadowed_user_module("math").is_some());
    }

    #[test]
    fn a_module_named_without_its_package_is_suggested_with_it() {
        let (dir, r) = project(
            &[
                ("lib/geometry/shapes.ml", ""),
                ("lib/a/b/c.ml", ""),
                ("lib/a/b/__init__.ml", ""),
                ("lib/pkg/__init__.ml", ""),
                ("lib/.hidden/shapes.ml", ""),
                ("lib/node_modules/shapes.ml", ""),
                ("lib/my-dir/shapes.ml", ""),
                ("lib/shape.ml", ""),
            ],
            r#"{"import_paths": ["lib"]}"#,
        );
        let notes = |name: &str| {
            resolve(&r, dir.path(), name)
                .unwrap_err()
                .notes()
                .join("\n")
        };
        let shapes = notes("shapes");
        assert!(
            shapes.contains("did you mean one of: 'shape', 'geometry.shapes'?"),
            "{shapes}"
        );
        assert!(
            notes("b.c").contains("did you mean 'a.b.c'?"),
            "{}",
            notes("b.c")
        );
        // A package is a module too; a folder without `__init__.ml` is not.
        assert!(notes("b").contains("'a.b'"), "{}", notes("b"));
        assert!(
            !notes("geometry").contains("did you mean"),
            "{}",
            notes("geometry")
        );
    }

    #[test]
    fn not_found_lists_places_and_suggests() {
        let (dir, r) = project(
            &[("lib/geometry.ml", ""), ("helper.ml", "")],
            r#"{"import_paths": ["lib"]}"#,
        );
        let e = resolve(&r, dir.path(), "geometri").unwrap_err();
        assert_eq!(e.to_string(), "Module 'geometri' not found");
        let notes = e.notes().join("\n");
        assert!(notes.contains("lib/geometri.ml"), "{notes}");
        assert!(notes.contains("lib/geometri/__init__.ml"), "{notes}");
        assert!(notes.contains("did you mean 'geometry'?"), "{notes}");
        let e = resolve(&r, dir.path(), "helper").unwrap_err();
        assert!(
            e.notes()
                .join("\n")
                .contains("helper.ml exists next to the importing file"),
            "{:?}",
            e.notes()
        );
    }

    #[test]
    fn current_dir_only_when_allowed() {
        let (dir, r) = project(
            &[("helper.ml", "")],
            r#"{"import_paths": [], "allow_current_dir": true}"#,
        );
        assert!(matches!(
            resolve(&r, dir.path(), "helper").unwrap(),
            Resolution::Module(_)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leaving_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.ml"), "x = 1;").unwrap();
        let (dir, r) = project(&[("lib/inside.ml", "")], r#"{"import_paths": ["lib"]}"#);
        std::os::unix::fs::symlink(
            outside.path().join("secret.ml"),
            dir.path().join("lib/secret.ml"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("lib/inside.ml"),
            dir.path().join("lib/alias.ml"),
        )
        .unwrap();
        let e = resolve(&r, dir.path(), "secret").unwrap_err();
        assert!(matches!(e, ResolveError::OutsideRoot { .. }), "{e}");
        assert!(e.to_string().contains("outside the import root"), "{e}");
        assert!(matches!(
            resolve(&r, dir.path(), "alias").unwrap(),
            Resolution::Module(_)
        ));
    }

    #[test]
    fn python_modules() {
        let (dir, r) = project(
            &[],
            r#"{"stdlib_mode": "python", "python_whitelist": ["numpy"]}"#,
        );
        assert_eq!(
            resolve(&r, dir.path(), "numpy").unwrap(),
            Resolution::Python("numpy".into())
        );
        assert_eq!(
            resolve(&r, dir.path(), "re").unwrap(),
            Resolution::Python("re".into())
        );
        assert!(matches!(
            resolve(&r, dir.path(), "os").unwrap_err(),
            ResolveError::Forbidden { .. }
        ));
        let reserved = resolve(&r, dir.path(), "pkg.__init__").unwrap_err();
        assert!(
            matches!(reserved, ResolveError::ReservedName { .. }),
            "{reserved:?}"
        );
        assert_eq!(
            reserved.to_string(),
            "Import of 'pkg.__init__' is refused: module names starting with `__` (`__init__`) are reserved; a package's `__init__.ml` is imported by the package's name: `import pkg;`"
        );
        let reserved = resolve(&r, dir.path(), "__main__").unwrap_err().to_string();
        assert_eq!(
            reserved,
            "Import of '__main__' is refused: module names starting with `__` (`__main__`) are reserved"
        );
    }
}
