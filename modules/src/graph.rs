//! The module graph of a program: every module reachable from the entry, each parsed
//! once and shared by all its importers; edges carry the import's source range.

use crate::cache::{LoadError, ModuleCache, SourceFile};
use crate::config::CachePolicy;
use crate::error::ResolveError;
use crate::protocol::{ImportOptions, ImportSpec, Located, Origin};
use crate::resolver::{Resolution, Resolver};
use mlpy_syntax::ast::{self, AstNode, ImportTarget};
use mlpy_syntax::TextRange;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub u32);

/// What an import edge points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeTarget {
    Stdlib(String),
    Module(ModuleId),
    Python(String),
}

/// One import statement of a module.
#[derive(Debug, Clone)]
pub struct ImportEdge {
    /// The whole statement.
    pub statement: TextRange,
    /// The module path or URL in it.
    pub target_range: TextRange,
    pub spec: ImportSpec,
    pub alias: Option<String>,
    pub target: Result<EdgeTarget, ResolveError>,
    /// A user module with this stdlib name exists but is hidden by the stdlib (its path
    /// as shown to people).
    pub shadowed_user_module: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ModuleNode {
    pub id: ModuleId,
    /// Dotted name (`utils.math`); the entry is named after its file stem; a remote
    /// module is named by its URL.
    pub name: String,
    /// Canonical path of the file read (the cache file for remote modules).
    pub path: PathBuf,
    pub origin: Origin,
    pub is_entry: bool,
    pub is_package: bool,
    pub file: Arc<SourceFile>,
    pub imports: Vec<ImportEdge>,
    /// Enclosing packages with their own `__init__.ml`, outermost first: Python runs
    /// them before the module.
    pub packages: Vec<ModuleId>,
}

impl ModuleNode {
    /// The modules this one imports (resolved edges only).
    pub fn dependencies(&self) -> impl Iterator<Item = ModuleId> + '_ {
        self.imports.iter().filter_map(|e| match &e.target {
            Ok(EdgeTarget::Module(id)) => Some(*id),
            _ => None,
        })
    }

    /// The edge of the import statement at `statement`.
    pub fn edge_at(&self, statement: TextRange) -> Option<&ImportEdge> {
        // The edges are in source order: a binary search.
        let i = self
            .imports
            .partition_point(|e| e.statement.start() < statement.start());
        self.imports[i..]
            .iter()
            .take_while(|e| e.statement.start() == statement.start())
            .find(|e| e.statement == statement)
    }
}

/// An import cycle: `modules[0]` imports `modules[1]` … and the last imports the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub modules: Vec<ModuleId>,
    /// For each module of the cycle, the index of its import edge to the next one.
    pub edges: Vec<usize>,
}

/// Fewer modules than this are resolved, loaded, checked or emitted on the calling
/// thread: handing a handful to the thread pool and waiting for it (a cross-thread wake-up
/// and the workers' spinning) costs more than the work. The graph's layers, the checks and
/// the emitter all go by it.
pub const PARALLEL_FROM: usize = 8;

/// `f` of every item, in order: on this thread for fewer than [`PARALLEL_FROM`] items,
/// else on the thread pool.
pub fn map_in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < PARALLEL_FROM {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// How much of a graph [`ModuleGraph::build_with`] builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// The entry's dotted name (default: its file stem).
    pub entry_name: Option<String>,
    /// Load only the modules at most this many imports away from the entry; the imports
    /// of the outermost ones stay unresolved (their `imports` are empty), and cycles
    /// through them are not found. `None`: everything reachable.
    pub max_depth: Option<usize>,
}

/// Why the graph could not even start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot load '{}': {message}", path.display())]
pub struct EntryError {
    pub path: PathBuf,
    pub message: String,
    /// The one-based line and column (in characters) of the problem in the file, when
    /// it is in its content (a byte that is not UTF-8).
    pub position: Option<(u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct ModuleGraph {
    pub modules: Vec<ModuleNode>,
    pub entry: ModuleId,
    pub cycles: Vec<Cycle>,
    by_path: HashMap<PathBuf, ModuleId>,
}

impl ModuleGraph {
    /// Loads the entry and every module it reaches. Work proceeds breadth first, one
    /// layer at a time: the imports of a layer are resolved in parallel, then the new
    /// modules are read and parsed in parallel. Module ids follow that order, so they do
    /// not depend on thread timing.
    pub fn build(
        entry: &Path,
        resolver: &Resolver,
        cache: &ModuleCache,
    ) -> Result<ModuleGraph, EntryError> {
        ModuleGraph::build_with(entry, resolver, cache, &BuildOptions::default())
    }

    /// [`ModuleGraph::build`] with options: the entry's name, and how deep to go (the
    /// language server checks an edited module with only what it imports directly when
    /// the module is in no cycle).
    pub fn build_with(
        entry: &Path,
        resolver: &Resolver,
        cache: &ModuleCache,
        options: &BuildOptions,
    ) -> Result<ModuleGraph, EntryError> {
        ModuleGraph::build_inner(entry, resolver, cache, options, None)
    }

    /// The graph from `entry` with only the modules of `within` loaded: for the import
    /// cycles through the entry when `within` is the entry's strongly connected component
    /// (the language server knows it from the import records). Every path from the entry
    /// to a module of its component stays inside the component, so the component's
    /// modules are reached in the order, and under the names, a whole graph gives them:
    /// the cycles found, and their texts, are the whole graph's. Imports of modules
    /// outside `within` are left unloaded (their edges are errors), and nothing is
    /// recorded in the cache's import records: only the cycles of this graph mean
    /// anything.
    pub fn build_within(
        entry: &Path,
        resolver: &Resolver,
        cache: &ModuleCache,
        options: &BuildOptions,
        within: &HashSet<PathBuf>,
    ) -> Result<ModuleGraph, EntryError> {
        ModuleGraph::build_inner(entry, resolver, cache, options, Some(within))
    }

    /// [`ModuleGraph::build`] for an entry that is no file on disk: its text is the cache's
    /// overlay for `entry`, an absolute path in an existing folder (the session of `mlpy
    /// repl`, named as if it were a file of the working folder, so that its imports
    /// resolve as that file's would).
    pub fn build_unsaved(
        entry: &Path,
        resolver: &Resolver,
        cache: &ModuleCache,
    ) -> Result<ModuleGraph, EntryError> {
        ModuleGraph::build_unsaved_with(entry, resolver, cache, &BuildOptions::default())
    }

    /// [`ModuleGraph::build_unsaved`] with options (the language server's module opened
    /// before its first save, checked one import deep like any other).
    pub fn build_unsaved_with(
        entry: &Path,
        resolver: &Resolver,
        cache: &ModuleCache,
        options: &BuildOptions,
    ) -> Result<ModuleGraph, EntryError> {
        let unsaved = match (entry.parent(), entry.file_name()) {
            (Some(dir), Some(name)) if cache.overlay(entry).is_some() => {
                std::fs::canonicalize(dir).map(|dir| dir.join(name))
            }
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no text for the unsaved entry",
            )),
        };
        let entry_path = unsaved.map_err(|e| EntryError {
            path: entry.to_path_buf(),
            message: e.to_string(),
            position: None,
        })?;
        if cache.overlay(&entry_path).is_none() {
            // The folder's canonical name differs from the one given (a symbolic link):
            // the text goes under the canonical path the graph uses.
            if let Some(text) = cache.overlay(entry) {
                cache.set_overlay(&entry_path, text);
            }
        }
        ModuleGraph::build_canonical(entry, entry_path, resolver, cache, options, None)
    }

    fn build_inner(
        entry: &Path,
        resolver: &Resolver,
        cache: &ModuleCache,
        options: &BuildOptions,
        within: Option<&HashSet<PathBuf>>,
    ) -> Result<ModuleGraph, EntryError> {
        let entry_path = std::fs::canonicalize(entry).map_err(|e| EntryError {
            path: entry.to_path_buf(),
            message: e.to_string(),
            position: None,
        })?;
        ModuleGraph::build_canonical(entry, entry_path, resolver, cache, options, within)
    }

    fn build_canonical(
        entry: &Path,
        entry_path: PathBuf,
        resolver: &Resolver,
        cache: &ModuleCache,
        options: &BuildOptions,
        within: Option<&HashSet<PathBuf>>,
    ) -> Result<ModuleGraph, EntryError> {
        let limit = resolver.config().max_module_size;
        let file = cache.load(&entry_path, limit).map_err(|e| match e {
            LoadError::NotUtf8 { line, column, .. } => EntryError {
                path: entry.to_path_buf(),
                message: "not valid UTF-8: ML source files must be UTF-8 text".to_string(),
                position: Some((line, column)),
            },
            e => EntryError {
                path: entry.to_path_buf(),
                message: e.into_resolve_error(&entry_name(entry), entry).to_string(),
                position: None,
            },
        })?;
        let mut graph = ModuleGraph {
            modules: Vec::new(),
            entry: ModuleId(0),
            cycles: Vec::new(),
            by_path: HashMap::default(),
        };
        graph.add_node(
            options.entry_name.clone().unwrap_or_else(|| {
                resolver
                    .module_name_of_canonical(&entry_path)
                    .unwrap_or_else(|| entry_name(entry))
            }),
            entry_path,
            Origin::File,
            false,
            true,
            file,
        );
        let mut load_errors: HashMap<PathBuf, LoadError> = HashMap::default();
        let mut frontier = vec![ModuleId(0)];
        let mut depth = 0;
        while !frontier.is_empty() && options.max_depth.is_none_or(|max| depth < max) {
            depth += 1;
            let resolve = |&id: &ModuleId| pending_edges(graph.module(id), resolver);
            // A handful of modules (an editor's one-deep graph) is not worth handing to
            // the thread pool and waiting for it: that costs more than the work.
            let pending: Vec<Vec<PendingEdge>> = map_in_parallel(&frontier, resolve);

            // Every module this layer reaches for the first time, with its packages.
            let mut to_load: Vec<Located> = Vec::new();
            let mut queued: HashSet<PathBuf> = HashSet::default();
            for edge in pending.iter().flatten() {
                if let Ok(Resolution::Module(located)) = &edge.resolution {
                    let packages = located.parent_packages.iter().map(|(name, path)| Located {
                        name: name.clone(),
                        path: path.clone(),
                        origin: located.origin.clone(),
                        is_package: true,
                        parent_packages: Vec::new(),
                    });
                    for candidate in packages.chain(std::iter::once(located.clone())) {
                        let known = graph.by_path.contains_key(&candidate.path)
                            || load_errors.contains_key(&candidate.path)
                            || within.is_some_and(|w| !w.contains(&candidate.path));
                        if !known && queued.insert(candidate.path.clone()) {
                            to_load.push(candidate);
                        }
                    }
                }
            }
            let files = map_in_parallel(&to_load, |located| cache.load(&located.path, limit));
            let loaded: Vec<(Located, Result<Arc<SourceFile>, LoadError>)> =
                to_load.into_iter().zip(files).collect();
            let mut next = Vec::new();
            let mut new_nodes = Vec::new();
            for (located, file) in loaded {
                match file {
                    Ok(file) => {
                        let id = graph.add_node(
                            located.name.clone(),
                            located.path.clone(),
                            located.origin.clone(),
                            located.is_package,
                            false,
                            file,
                        );
                        next.push(id);
                        new_nodes.push((id, located));
                    }
                    Err(e) => {
                        load_errors.insert(located.path.clone(), e);
                    }
                }
            }
            for (id, located) in new_nodes {
                let packages = located
                    .parent_packages
                    .iter()
                    .filter_map(|(_, path)| graph.by_path.get(path).copied())
                    .collect();
                graph.modules[id.0 as usize].packages = packages;
            }
            for (&id, edges) in frontier.iter().zip(pending) {
                // Modules found but not loaded (too large, unreadable) are dependencies
                // too: when they change, the importer's error may go away.
                let unloaded: Vec<PathBuf> = edges
                    .iter()
                    .filter_map(|e| match &e.resolution {
                        Ok(Resolution::Module(located))
                            if load_errors.contains_key(&located.path) =>
                        {
                            Some(located.path.clone())
                        }
                        _ => None,
                    })
                    .collect();
                let edges: Vec<ImportEdge> = edges
                    .into_iter()
                    .map(|e| graph.finish_edge(e, &load_errors, resolver))
                    .collect();
                let dependencies: Vec<PathBuf> = edges
                    .iter()
                    .filter_map(|e| match &e.target {
                        Ok(EdgeTarget::Module(m)) => Some(graph.module(*m).path.clone()),
                        _ => None,
                    })
                    .chain(unloaded)
                    .collect();
                if within.is_none() {
                    cache.set_dependencies(&graph.module(id).path.clone(), dependencies);
                }
                graph.modules[id.0 as usize].imports = edges;
            }
            frontier = next;
        }
        graph.cycles = find_cycles(&graph);
        Ok(graph)
    }

    fn add_node(
        &mut self,
        name: String,
        path: PathBuf,
        origin: Origin,
        is_package: bool,
        is_entry: bool,
        file: Arc<SourceFile>,
    ) -> ModuleId {
        let id = ModuleId(self.modules.len() as u32);
        self.by_path.insert(path.clone(), id);
        self.modules.push(ModuleNode {
            id,
            name,
            path,
            origin,
            is_entry,
            is_package,
            file,
            imports: Vec::new(),
            packages: Vec::new(),
        });
        id
    }

    /// Turns a resolved import into an edge to a node (or the reason there is none).
    fn finish_edge(
        &self,
        edge: PendingEdge,
        load_errors: &HashMap<PathBuf, LoadError>,
        resolver: &Resolver,
    ) -> ImportEdge {
        let target =
            match edge.resolution {
                Ok(Resolution::Stdlib(name)) => Ok(EdgeTarget::Stdlib(name)),
                Ok(Resolution::Python(name)) => Ok(EdgeTarget::Python(name)),
                Ok(Resolution::Module(located)) => match self.by_path.get(&located.path) {
                    Some(&id) => Ok(EdgeTarget::Module(id)),
                    None => {
                        let error = load_errors.get(&located.path).cloned().unwrap_or(
                            LoadError::Unreadable("the module could not be loaded".to_string()),
                        );
                        Err(shown_relative(
                            error.into_resolve_error(&located.name, &located.path),
                            resolver,
                        ))
                    }
                },
                Err(e) => Err(e),
            };
        ImportEdge {
            statement: edge.statement,
            target_range: edge.target_range,
            spec: edge.spec,
            alias: edge.alias,
            target,
            shadowed_user_module: edge.shadowed_user_module,
        }
    }

    pub fn module(&self, id: ModuleId) -> &ModuleNode {
        &self.modules[id.0 as usize]
    }

    pub fn entry_module(&self) -> &ModuleNode {
        self.module(self.entry)
    }

    pub fn by_path(&self, path: &Path) -> Option<&ModuleNode> {
        self.by_path.get(path).map(|&id| self.module(id))
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// Every module, dependencies before the modules that import them (and enclosing
    /// packages before their modules), the entry last. Import cycles are broken at the
    /// edge that closes them.
    pub fn topological_order(&self) -> Vec<ModuleId> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut marks = vec![Mark::New; self.modules.len()];
        let mut order = Vec::with_capacity(self.modules.len());
        // Iterative DFS: (module, next child index).
        let mut stack: Vec<(ModuleId, usize)> = vec![(self.entry, 0)];
        marks[self.entry.0 as usize] = Mark::Active;
        while let Some(&mut (id, ref mut next)) = stack.last_mut() {
            let node = self.module(id);
            let children: Vec<ModuleId> = node
                .packages
                .iter()
                .copied()
                .chain(node.dependencies())
                .collect();
            if let Some(&child) = children.get(*next) {
                *next += 1;
                if marks[child.0 as usize] == Mark::New {
                    marks[child.0 as usize] = Mark::Active;
                    stack.push((child, 0));
                }
            } else {
                marks[id.0 as usize] = Mark::Done;
                order.push(id);
                stack.pop();
            }
        }
        order
    }

    /// The modules that import `id` directly.
    pub fn importers(&self, id: ModuleId) -> Vec<ModuleId> {
        self.modules
            .iter()
            .filter(|m| m.dependencies().any(|d| d == id))
            .map(|m| m.id)
            .collect()
    }

    /// `a → b → c → a` for a cycle.
    pub fn cycle_text(&self, cycle: &Cycle) -> String {
        self.cycle_text_from(cycle, 0)
    }

    /// The cycle written from its `start`-th module round to it again
    /// (`b → a → b`): how the cycle reads from that module, whatever module the graph
    /// was built from.
    pub fn cycle_text_from(&self, cycle: &Cycle, start: usize) -> String {
        let n = cycle.modules.len();
        let mut names: Vec<&str> = (0..=n)
            .map(|k| self.module(cycle.modules[(start + k) % n]).name.as_str())
            .collect();
        if names.is_empty() {
            names.push("?");
        }
        names.join(" → ")
    }
}

/// An import statement, resolved but not yet attached to a node.
struct PendingEdge {
    statement: TextRange,
    target_range: TextRange,
    spec: ImportSpec,
    alias: Option<String>,
    resolution: Result<Resolution, ResolveError>,
    shadowed_user_module: Option<String>,
}

/// Resolves every import statement of `module`.
fn pending_edges(module: &ModuleNode, resolver: &Resolver) -> Vec<PendingEdge> {
    let file = &module.file;
    let errors = file.parse.errors();
    let mut edges = Vec::new();
    for import in file.parse.tree().imports() {
        let statement = import.syntax().text_range();
        // A half-written import is reported as a syntax error; resolving what is there
        // would only add noise.
        if errors
            .iter()
            .any(|e| e.is_error() && statement.contains_range(e.range))
        {
            continue;
        }
        let Some((spec, target_range)) = import_spec(&import) else {
            continue;
        };
        let alias = import.alias().and_then(|a| a.name()).map(|n| n.text());
        let resolution = match import_options(&import) {
            Ok(options) => resolver.resolve_with(&spec, &options, &module.path, &module.origin),
            Err(error) => Err(ResolveError::BadImportOption {
                module: spec.to_string(),
                message: error.to_string(),
            }),
        };
        let shadowed_user_module = match &resolution {
            Ok(Resolution::Stdlib(name)) => resolver
                .shadowed_user_module(name)
                .map(|p| resolver.display_path(&p)),
            _ => None,
        };
        edges.push(PendingEdge {
            statement,
            target_range,
            spec,
            alias,
            resolution,
            shadowed_user_module,
        });
    }
    edges
}

/// A load error with the file shown relative to the project.
fn shown_relative(error: ResolveError, resolver: &Resolver) -> ResolveError {
    let shown = |p: &PathBuf| PathBuf::from(resolver.display_path(p));
    match error {
        ResolveError::NotAFile { module, path } => ResolveError::NotAFile {
            path: shown(&path),
            module,
        },
        ResolveError::TooLarge {
            module,
            path,
            size,
            limit,
        } => ResolveError::TooLarge {
            path: shown(&path),
            module,
            size,
            limit,
        },
        ResolveError::NotUtf8 {
            module,
            path,
            offset,
            line,
            column,
        } => ResolveError::NotUtf8 {
            path: shown(&path),
            module,
            offset,
            line,
            column,
        },
        ResolveError::Unreadable {
            module,
            path,
            message,
        } => ResolveError::Unreadable {
            path: shown(&path),
            module,
            message,
        },
        other => other,
    }
}

/// The name of an entry module: its file stem.
pub fn entry_name(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("main")
        .to_string()
}

/// The import spec and the range of its path or URL.
pub fn import_spec(import: &ast::Import) -> Option<(ImportSpec, TextRange)> {
    match import.target()? {
        ImportTarget::Path(path) => {
            let parts: Vec<String> = path.segments().map(|t| t.text().to_string()).collect();
            if parts.is_empty() {
                return None;
            }
            Some((ImportSpec::Dotted(parts), path.syntax().text_range()))
        }
        ImportTarget::Url(url) => Some((ImportSpec::url(url.text()), url.text_range())),
    }
}

/// Why an import's option block (`{ auth: …, verify: …, cache: … }`) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportOptionError {
    #[error("`auth` must be a string (a token, or \"${{ENV_VAR}}\")")]
    AuthNotString,
    #[error("`verify` must be true or false")]
    VerifyNotBool,
    /// `cache: "…"` names no cache policy.
    #[error("`cache: \"{0}\"` is not a cache policy (use \"default\", \"force\" or \"no-cache\")")]
    UnknownCachePolicy(String),
    #[error("`cache` must be a string: \"default\", \"force\" or \"no-cache\"")]
    CacheNotString,
    /// A key other than `auth`, `verify` and `cache`.
    #[error("unknown option `{0}` (import options are auth, verify and cache)")]
    UnknownOption(String),
}

/// The option block of an import: `{ auth: "…", verify: true, cache: "force" }`.
/// Unknown keys and values of the wrong type are errors.
pub fn import_options(import: &ast::Import) -> Result<ImportOptions, ImportOptionError> {
    let mut options = ImportOptions::default();
    let Some(config) = import.config() else {
        return Ok(options);
    };
    for field in config.fields() {
        let Some(key) = field.key() else { continue };
        let value = match field.value() {
            Some(ast::Expr::Literal(literal)) => literal.value(),
            _ => None,
        };
        match (key.as_str(), value) {
            ("auth", Some(ast::LiteralValue::String(token))) => options.auth = Some(token),
            ("auth", _) => return Err(ImportOptionError::AuthNotString),
            ("verify", Some(ast::LiteralValue::Bool(verify))) => options.verify = Some(verify),
            ("verify", _) => return Err(ImportOptionError::VerifyNotBool),
            ("cache", Some(ast::LiteralValue::String(policy))) => {
                options.cache = Some(match policy.as_str() {
                    "default" => CachePolicy::Default,
                    "force" | "force-cache" => CachePolicy::ForceCache,
                    "reload" | "no-cache" => CachePolicy::NoCache,
                    _ => return Err(ImportOptionError::UnknownCachePolicy(policy)),
                })
            }
            ("cache", _) => return Err(ImportOptionError::CacheNotString),
            (other, _) => return Err(ImportOptionError::UnknownOption(other.to_string())),
        }
    }
    Ok(options)
}

/// The import cycles: every self-import, and for each strongly connected component
/// (Tarjan) of more than one module, shortest cycles until every module of it is on one:
/// from each module not on a cycle found yet, taken in the order of their paths, the
/// shortest cycle back to it (self-imports aside). Paths and import order only, never
/// the order modules were loaded in: the same cycles whatever module the graph was built
/// from (`mlpy check a.ml`, `mlpy check b.ml`, and the editor checking one module with a
/// graph of its component), and every module of a cycle gets its error. Each cycle is
/// written from its earliest-loaded module.
fn find_cycles(graph: &ModuleGraph) -> Vec<Cycle> {
    let n = graph.modules.len();
    let successors: Vec<Vec<ModuleId>> = graph
        .modules
        .iter()
        .map(|m| m.dependencies().collect())
        .collect();
    let indices: Vec<Vec<u32>> = successors
        .iter()
        .map(|list| list.iter().map(|m| m.0).collect())
        .collect();
    let edge = |from: ModuleId, to: ModuleId| {
        graph
            .module(from)
            .imports
            .iter()
            .position(|e| e.target == Ok(EdgeTarget::Module(to)))
            .expect("an edge exists between consecutive cycle members")
    };
    let mut cycles = Vec::new();
    let mut in_component = vec![false; n];
    let mut covered = vec![false; n];
    let mut previous: Vec<Option<ModuleId>> = vec![None; n];
    for component in strongly_connected(&indices) {
        let mut members: Vec<ModuleId> = component.into_iter().map(ModuleId).collect();
        members.sort_by(|a, b| graph.module(*a).path.cmp(&graph.module(*b).path));
        for &m in &members {
            if successors[m.0 as usize].contains(&m) {
                cycles.push(Cycle {
                    modules: vec![m],
                    edges: vec![edge(m, m)],
                });
            }
        }
        if members.len() < 2 {
            continue;
        }
        for m in &members {
            in_component[m.0 as usize] = true;
        }
        for &start in &members {
            if covered[start.0 as usize] {
                continue;
            }
            let Some(mut modules) =
                shortest_cycle(start, &successors, &in_component, &mut previous)
            else {
                continue;
            };
            for m in &modules {
                covered[m.0 as usize] = true;
            }
            let first = (0..modules.len())
                .min_by_key(|&i| modules[i])
                .expect("a cycle has modules");
            modules.rotate_left(first);
            let edges = (0..modules.len())
                .map(|i| edge(modules[i], modules[(i + 1) % modules.len()]))
                .collect();
            cycles.push(Cycle { modules, edges });
        }
        for m in &members {
            in_component[m.0 as usize] = false;
        }
    }
    cycles.sort_by_key(|c| c.modules[0]);
    cycles
}

/// The shortest cycle from `start` back to it through modules of its component, other
/// than a self-import (breadth first, imports in their order in each module).
/// `previous` is all `None` and is left so: only the modules visited are touched (a
/// large component may need several searches).
fn shortest_cycle(
    start: ModuleId,
    successors: &[Vec<ModuleId>],
    in_component: &[bool],
    previous: &mut [Option<ModuleId>],
) -> Option<Vec<ModuleId>> {
    let mut queue = VecDeque::from([start]);
    let mut visited = Vec::new();
    let mut closing = None;
    'search: while let Some(current) = queue.pop_front() {
        for &next in &successors[current.0 as usize] {
            if !in_component[next.0 as usize] || next == current {
                continue;
            }
            if next == start {
                closing = Some(current);
                break 'search;
            }
            if previous[next.0 as usize].is_none() {
                previous[next.0 as usize] = Some(current);
                visited.push(next);
                queue.push_back(next);
            }
        }
    }
    let cycle = closing.map(|mut current| {
        let mut modules = vec![current];
        while current != start {
            current = previous[current.0 as usize].expect("on the BFS tree");
            modules.push(current);
        }
        modules.reverse();
        modules
    });
    for m in visited {
        previous[m.0 as usize] = None;
    }
    cycle
}

/// The strongly connected components of a graph given by each node's successors (node
/// indices): Tarjan's algorithm, iterative (deep graphs must not overflow the stack).
/// Components come out in reverse topological order. The module graph's cycles and the
/// language server's incremental import graph both use it.
pub fn strongly_connected(successors: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let n = successors.len();
    let mut index = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0u32;
    for root in 0..n {
        if index[root] != u32::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == u32::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = successors[v].get(*child) {
                *child += 1;
                let w = w as usize;
                if index[w] == u32::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w] = false;
                    component.push(w as u32);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProjectConfig;
    use std::collections::BTreeSet;

    #[test]
    fn builds_within_a_component_find_the_whole_graphs_cycles() {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in [
            ("a.ml", "import d;\nimport b;\nimport c;\n"),
            ("b.ml", "import d;\nimport c;\n"),
            ("c.ml", "import e;\nimport a;\n"),
            ("d.ml", "import e;\n"),
            ("e.ml", "X = 1;\n"),
        ] {
            std::fs::write(dir.path().join(file), text).unwrap();
        }
        std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
        let entry = dir.path().join("a.ml");
        let resolver = Resolver::new(std::sync::Arc::new(
            ProjectConfig::discover(&entry).unwrap(),
        ));
        let cache = ModuleCache::new();
        let whole = ModuleGraph::build(&entry, &resolver, &cache).unwrap();
        let within: HashSet<PathBuf> = ["a.ml", "b.ml", "c.ml"]
            .iter()
            .map(|f| std::fs::canonicalize(dir.path().join(f)).unwrap())
            .collect();
        let records = cache.dependents_of(&within.iter().next().unwrap().clone());
        let part =
            ModuleGraph::build_within(&entry, &resolver, &cache, &BuildOptions::default(), &within)
                .unwrap();
        assert_eq!(part.len(), 3);
        let texts = |g: &ModuleGraph| -> Vec<(String, Vec<TextRange>)> {
            g.cycles
                .iter()
                .map(|c| {
                    let ranges = c
                        .modules
                        .iter()
                        .zip(&c.edges)
                        .map(|(&m, &e)| g.module(m).imports[e].target_range)
                        .collect();
                    (g.cycle_text(c), ranges)
                })
                .collect()
        };
        assert_eq!(texts(&whole), texts(&part));
        assert_eq!(texts(&part)[0].0, "a → c → a");
        // The partial build leaves the cache's import records alone.
        assert_eq!(
            cache.dependents_of(&within.iter().next().unwrap().clone()),
            records
        );
    }

    /// The cycles of a project, as `(file, text)` per module of each cycle, built from
    /// `entry`.
    fn cycle_reports(dir: &Path, entry: &str) -> BTreeSet<(String, String)> {
        let entry = dir.join(entry);
        let resolver = Resolver::new(std::sync::Arc::new(
            ProjectConfig::discover(&entry).unwrap(),
        ));
        let graph = ModuleGraph::build(&entry, &resolver, &ModuleCache::new()).unwrap();
        let mut out = BTreeSet::new();
        for cycle in &graph.cycles {
            for (i, &m) in cycle.modules.iter().enumerate() {
                let file = graph.module(m).path.file_name().unwrap();
                out.insert((
                    file.to_string_lossy().into_owned(),
                    graph.cycle_text_from(cycle, i),
                ));
            }
        }
        out
    }

    #[test]
    fn the_cycles_found_do_not_depend_on_the_entry() {
        // A self-import inside a larger cycle, and a component of two cycles sharing `b`.
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in [
            ("a.ml", "import b;\nimport a;\n"),
            ("b.ml", "import a;\n"),
            ("p.ml", "import q;\n"),
            ("q.ml", "import p;\nimport r;\n"),
            ("r.ml", "import q;\n"),
        ] {
            std::fs::write(dir.path().join(file), text).unwrap();
        }
        std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
        let set = |items: &[(&str, &str)]| -> BTreeSet<(String, String)> {
            items
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect()
        };
        let ab = set(&[
            ("a.ml", "a → a"),
            ("a.ml", "a → b → a"),
            ("b.ml", "b → a → b"),
        ]);
        assert_eq!(cycle_reports(dir.path(), "a.ml"), ab);
        assert_eq!(cycle_reports(dir.path(), "b.ml"), ab);
        // Every module of the component is on a cycle, whichever is loaded first.
        let pqr = set(&[
            ("p.ml", "p → q → p"),
            ("q.ml", "q → p → q"),
            ("q.ml", "q → r → q"),
            ("r.ml", "r → q → r"),
        ]);
        for entry in ["p.ml", "q.ml", "r.ml"] {
            assert_eq!(cycle_reports(dir.path(), entry), pqr, "from {entry}");
        }
    }

    #[test]
    fn depth_limited_builds_and_entry_names() {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in [
            (
                "lib/utils/math.ml",
                "import b;\nfunction f() { return b.g(); }\n",
            ),
            ("lib/b.ml", "import c;\nfunction g() { return 1; }\n"),
            ("lib/c.ml", "X = 1;\n"),
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["lib"]}"#).unwrap();
        let entry = dir.path().join("lib/utils/math.ml");
        let resolver = Resolver::new(std::sync::Arc::new(
            ProjectConfig::discover(&entry).unwrap(),
        ));
        let cache = ModuleCache::new();
        let options = BuildOptions {
            entry_name: Some("utils.math".into()),
            max_depth: Some(1),
        };
        let graph = ModuleGraph::build_with(&entry, &resolver, &cache, &options).unwrap();
        assert_eq!(graph.entry_module().name, "utils.math");
        let names: Vec<&str> = graph.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["utils.math", "b"]);
        assert!(graph.module(ModuleId(1)).imports.is_empty());
        // Nothing left unresolved nor cyclic by stopping early.
        assert!(graph.cycles.is_empty());
        assert!(graph
            .entry_module()
            .imports
            .iter()
            .all(|e| e.target.is_ok()));
        let full = ModuleGraph::build(&entry, &resolver, &cache).unwrap();
        assert_eq!(full.len(), 3);
        // By default the entry is named as an import of it would spell it.
        assert_eq!(full.entry_module().name, "utils.math");
    }
}
