//! The file protocol: `import a.b.c;` is `ROOT/a/b/c.ml` or the package
//! `ROOT/a/b/c/__init__.ml`, for each import root in order.
//!
//! Security: every root is canonicalised once; a module file is canonicalised (symlinks
//! resolved) and must still lie inside its root, and must be a regular file. Import
//! targets are identifiers, so `..` cannot be written in an import.

use crate::error::ResolveError;
use crate::protocol::{ImportProtocol, ImportRequest, ImportSpec, Located, Origin};
use crate::suggest::may_suggest;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Whether a module file that is not on disk exists as an editor's unsaved text (a new
/// file opened before its first save): the file search finds it where it would find
/// the file. Asked only for candidates missing on disk.
pub type UnsavedFiles = Arc<dyn Fn(&Path) -> bool + Send + Sync>;

/// A folder modules are searched in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRoot {
    /// As configured (absolute).
    pub path: PathBuf,
    /// With symlinks resolved; `None` when the folder does not exist.
    pub canonical: Option<PathBuf>,
}

impl ImportRoot {
    pub fn new(path: &Path) -> ImportRoot {
        ImportRoot {
            path: path.to_path_buf(),
            canonical: std::fs::canonicalize(path).ok().filter(|p| p.is_dir()),
        }
    }
}

/// Outcome of looking for a module under one root.
pub(crate) enum Probe {
    Found(Located),
    Missing,
    Refused(ResolveError),
}

pub struct FileProtocol {
    pub roots: Vec<ImportRoot>,
    pub allow_current_dir: bool,
    /// Folder paths are shown relative to it.
    pub project_root: PathBuf,
    /// Folders known to be real directories (no symlink on the way from their root),
    /// so that most module files need one `lstat` instead of a full `realpath`.
    real_dirs: Mutex<HashSet<PathBuf>>,
    pub(crate) unsaved: Option<UnsavedFiles>,
}

impl FileProtocol {
    pub fn new(
        roots: Vec<ImportRoot>,
        allow_current_dir: bool,
        project_root: PathBuf,
    ) -> FileProtocol {
        FileProtocol {
            roots,
            allow_current_dir,
            project_root,
            real_dirs: Mutex::new(HashSet::default()),
            unsaved: None,
        }
    }

    /// Forgets what it learnt about folders (files appeared or disappeared).
    pub fn forget_folders(&self) {
        self.real_dirs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Candidate files for `parts` under `root`: the module file, then the package file.
    pub fn candidates(root: &Path, parts: &[String]) -> [PathBuf; 2] {
        crate::protocol::module_file_candidates(parts).map(|(relative, _)| root.join(relative))
    }

    /// Looks for `parts` under `root`, which must be canonical.
    pub(crate) fn probe(&self, root: &Path, parts: &[String]) -> Probe {
        let module = parts.join(".");
        for (i, candidate) in Self::candidates(root, parts).into_iter().enumerate() {
            match self.check_inside(&module, &candidate, root) {
                Probe::Missing => continue,
                Probe::Found(mut located) => {
                    located.is_package = i == 1;
                    located.parent_packages = self.parent_packages(root, parts);
                    return Probe::Found(located);
                }
                refused => return refused,
            }
        }
        Probe::Missing
    }

    /// Whether `dir` is a real directory under `root` with no symlink on the way.
    fn is_real_dir(&self, dir: &Path, root: &Path) -> bool {
        if dir == root {
            return true;
        }
        if !dir.starts_with(root) {
            return false;
        }
        if self
            .real_dirs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(dir)
        {
            return true;
        }
        let real = std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
            && dir
                .parent()
                .is_some_and(|parent| self.is_real_dir(parent, root));
        if real {
            self.real_dirs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(dir.to_path_buf());
        }
        real
    }

    /// Checks that `candidate` exists, is a regular file and, symlinks resolved, lies in
    /// the canonical `root`.
    fn check_inside(&self, module: &str, candidate: &Path, root: &Path) -> Probe {
        let Ok(meta) = std::fs::symlink_metadata(candidate) else {
            return self.unsaved(module, candidate, root);
        };
        let plain = !meta.file_type().is_symlink()
            && candidate
                .parent()
                .is_some_and(|dir| self.is_real_dir(dir, root));
        if plain {
            // No symlink anywhere below the canonical root: the path is already real.
            return regular_file(module, candidate, candidate.to_path_buf(), &meta);
        }
        let real = match std::fs::canonicalize(candidate) {
            Ok(real) => real,
            // A dangling symlink: nothing usable is there.
            Err(_) => return Probe::Missing,
        };
        if !real.starts_with(root) {
            return Probe::Refused(ResolveError::OutsideRoot {
                module: module.to_string(),
                path: candidate.to_path_buf(),
                real_path: real,
                root: root.to_path_buf(),
            });
        }
        match std::fs::metadata(&real) {
            Ok(meta) => regular_file(module, candidate, real, &meta),
            Err(e) => Probe::Refused(ResolveError::Unreadable {
                module: module.to_string(),
                path: candidate.to_path_buf(),
                message: e.to_string(),
            }),
        }
    }

    /// A candidate missing on disk that is an editor's unsaved module, in a real folder of
    /// `root` (as a file there would have to be).
    fn unsaved(&self, module: &str, candidate: &Path, root: &Path) -> Probe {
        let found = self
            .unsaved
            .as_ref()
            .is_some_and(|unsaved| unsaved(candidate))
            && candidate
                .parent()
                .is_some_and(|dir| self.is_real_dir(dir, root));
        match found {
            true => Probe::Found(Located {
                name: module.to_string(),
                path: candidate.to_path_buf(),
                origin: Origin::File,
                is_package: false,
                parent_packages: Vec::new(),
            }),
            false => Probe::Missing,
        }
    }

    /// `a/__init__.ml` and `a/b/__init__.ml` for `a.b.c`, where they exist inside `root`.
    fn parent_packages(&self, root: &Path, parts: &[String]) -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        let mut dir = root.to_path_buf();
        for i in 0..parts.len() - 1 {
            dir.push(&parts[i]);
            let init = dir.join(crate::protocol::PACKAGE_FILE);
            if let Probe::Found(located) = self.check_inside(&parts[..=i].join("."), &init, root) {
                out.push((parts[..=i].join("."), located.path));
            }
        }
        out
    }

    pub fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.project_root) {
            Ok(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
            Ok(_) => ".".to_string(),
            Err(_) => path.display().to_string(),
        }
    }

    /// The folders the file search looks in, in order: the import roots that exist, then
    /// the importing file's folder (`importer_dir`) when `allow_current_dir` is on.
    pub fn search_folders<'a>(
        &'a self,
        importer_dir: Option<&'a Path>,
    ) -> impl Iterator<Item = &'a Path> + 'a {
        self.roots
            .iter()
            .filter_map(|root| root.canonical.as_deref())
            .chain(importer_dir.filter(|_| self.allow_current_dir))
    }

    /// The places searched for `parts`, for the not-found message.
    pub fn searched(&self, parts: &[String], importer_dir: Option<&Path>) -> Vec<String> {
        let mut out = Vec::new();
        for root in &self.roots {
            let [file, package] = Self::candidates(&root.path, parts);
            let missing = if root.canonical.is_none() {
                " (import path does not exist)"
            } else {
                ""
            };
            out.push(format!("{}{missing}", self.display(&file)));
            out.push(format!("{}{missing}", self.display(&package)));
        }
        if let (true, Some(dir)) = (self.allow_current_dir, importer_dir) {
            let [file, package] = Self::candidates(dir, parts);
            out.push(format!(
                "{} (the importing file's folder)",
                self.display(&file)
            ));
            out.push(format!(
                "{} (the importing file's folder)",
                self.display(&package)
            ));
        }
        out
    }
}

fn regular_file(module: &str, shown: &Path, real: PathBuf, meta: &std::fs::Metadata) -> Probe {
    if meta.is_file() {
        Probe::Found(Located {
            name: module.to_string(),
            path: real,
            origin: Origin::File,
            is_package: false,
            parent_packages: Vec::new(),
        })
    } else {
        Probe::Refused(ResolveError::NotAFile {
            module: module.to_string(),
            path: shown.to_path_buf(),
        })
    }
}

impl ImportProtocol for FileProtocol {
    fn name(&self) -> &str {
        "file"
    }

    fn can_resolve(&self, request: &ImportRequest<'_>) -> bool {
        matches!(request.spec, ImportSpec::Dotted(_)) && *request.importer_origin == Origin::File
    }

    fn validate_access(&self, _request: &ImportRequest<'_>) -> Result<(), ResolveError> {
        Ok(())
    }

    fn resolve(&self, request: &ImportRequest<'_>) -> Result<Located, ResolveError> {
        let ImportSpec::Dotted(parts) = request.spec else {
            return Err(ResolveError::Protocol {
                module: request.spec.to_string(),
                message: "the file protocol only resolves dotted module paths".to_string(),
            });
        };
        for folder in self.search_folders(request.importer.parent()) {
            match self.probe(folder, parts) {
                Probe::Found(located) => return Ok(located),
                Probe::Refused(error) => return Err(error),
                Probe::Missing => {}
            }
        }
        Err(ResolveError::NotFound {
            module: parts.join("."),
            searched: Vec::new(),
            suggestions: Vec::new(),
            hint: None,
        })
    }
}

/// Module names (dotted) that exist near `parts`: in every root, the modules at each
/// existing level of the path. Used for suggestions. `listing` gives the module names
/// of one folder ([`module_names_in`], memoised by the resolver: an editor's rename asks
/// about thousands of names that do not exist yet, in the same few folders).
pub fn nearby_modules(
    roots: &[PathBuf],
    parts: &[String],
    listing: &dyn Fn(&Path) -> Arc<Vec<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    // Only names that can be close enough to be suggested are made (a folder may hold
    // thousands of modules).
    let wanted = parts.iter().map(|p| p.chars().count()).sum::<usize>() + parts.len() - 1;
    for root in roots {
        let mut dir = root.clone();
        let mut prefix = String::new();
        for level in 0..parts.len() {
            let prefix_length = prefix.chars().count();
            out.extend(
                listing(&dir)
                    .iter()
                    .filter(|name| may_suggest(wanted, prefix_length + name.chars().count()))
                    .map(|name| format!("{prefix}{name}")),
            );
            if level + 1 == parts.len() {
                break;
            }
            dir.push(&parts[level]);
            if !dir.is_dir() {
                break;
            }
            prefix.push_str(&parts[level]);
            prefix.push('.');
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The names of the modules directly in `dir`: `x` for `x.ml` and for a folder `x`
/// (at most 10,000 entries read).
pub fn module_names_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten().take(10_000) {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if let Some(stem) = name.strip_suffix(".ml") {
            if stem != "__init__" {
                out.push(stem.to_string());
            }
        } else if path.is_dir() {
            out.push(name.to_string());
        }
    }
    out
}

/// How many folder entries a [`ModuleIndex`] reads at most, over all roots: suggestions
/// must not cost a walk of a large tree.
const MAX_WALKED_ENTRIES: usize = 5_000;
/// How deep below a root it looks (`a.b.c.d.e` at most).
const MAX_WALKED_DEPTH: usize = 5;

/// The modules under some import roots, by the last segment of their dotted names: for
/// suggesting `geometry.shapes` to an import of `shapes` (a module moved into a package,
/// or its package left out). Built by one walk, breadth first, skipping the folders the
/// workspace walk skips and bounded by [`MAX_WALKED_ENTRIES`] and [`MAX_WALKED_DEPTH`];
/// the resolver keeps it until files change (a rename in the editor asks about thousands
/// of names that do not exist yet: one walk each was minutes).
#[derive(Debug, Default)]
pub struct ModuleIndex {
    by_last: HashMap<String, Vec<Vec<String>>>,
}

impl ModuleIndex {
    pub fn walk(roots: &[PathBuf]) -> ModuleIndex {
        let mut index = ModuleIndex::default();
        let mut budget = MAX_WALKED_ENTRIES;
        let mut queue: std::collections::VecDeque<(PathBuf, Vec<String>)> =
            roots.iter().map(|r| (r.clone(), Vec::new())).collect();
        while let Some((dir, prefix)) = queue.pop_front() {
            if budget == 0 {
                break;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().take(budget).collect();
            budget -= entries.len();
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let file_name = entry.file_name();
                let Some(file_name) = file_name.to_str() else {
                    continue;
                };
                // The entry's own type: a linked folder is not followed (no loops).
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let (stem, is_dir) = match file_name.strip_suffix(".ml") {
                    Some(stem) if kind.is_file() && stem != "__init__" => (stem, false),
                    _ if kind.is_dir()
                        && !crate::workspace::is_skipped_dir(&entry.path(), file_name) =>
                    {
                        (file_name, true)
                    }
                    _ => continue,
                };
                if !is_import_name(stem) {
                    continue;
                }
                let mut name = prefix.clone();
                name.push(stem.to_string());
                if !is_dir || entry.path().join("__init__.ml").is_file() {
                    index
                        .by_last
                        .entry(stem.to_string())
                        .or_default()
                        .push(name.clone());
                }
                if is_dir && name.len() < MAX_WALKED_DEPTH {
                    queue.push_back((entry.path(), name));
                }
            }
        }
        index
    }

    /// Module names (dotted) that end with `parts` and are longer, sorted.
    pub fn ending_with(&self, parts: &[String]) -> Vec<String> {
        let Some(last) = parts.last() else {
            return Vec::new();
        };
        let mut out: Vec<String> = self
            .by_last
            .get(last)
            .into_iter()
            .flatten()
            .filter(|name| name.len() > parts.len() && name.ends_with(parts))
            .map(|name| name.join("."))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Whether `name` can be one segment of an import (`a.b.c`): an identifier.
fn is_import_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
