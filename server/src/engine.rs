//! The diagnostics engine: one worker thread, off the message loop, that re-checks
//! modules and publishes their diagnostics.
//!
//! * A changed or opened module is *urgent*: it is checked first, at once, and
//!   published as soon as its own diagnostics are known.
//! * The modules that import it (transitively, from the cache's dependency records) are
//!   *dirty*: checked after a short delay, a graph at a time, so that a burst of edits
//!   costs one re-check. Every graph checked clears every dirty module it contains.
//! * Messages are drained before every step: newer edits supersede older work, and a
//!   result computed from a text that changed meanwhile is not published (the newer
//!   edit's own check follows).

use crate::convert::{self, Lines};
use crate::imports::{CycleKey, ImportGraph, ImportRecord};
use crate::program::Programs;
use crate::world::{Project, World};
use mlpy_modules::{BuildOptions, Diagnostic, ModuleGraph, ModuleId, Origin};
use mlpy_syntax::LineIndex;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_lsp_server::ls_types::{self as lsp, Uri};

/// Where diagnostics go: `(uri, diagnostics, document version)`.
pub type Sink = Arc<dyn Fn(Uri, Vec<lsp::Diagnostic>, Option<i32>) + Send + Sync>;

/// Where log lines go.
pub type Log = Arc<dyn Fn(String) + Send + Sync>;

/// Modules checked in parallel between two looks at the messages (a few milliseconds).
const CHECK_BATCH: usize = 64;

/// After checking this many modules, memory is given back when the engine goes idle.
const RELEASE_AFTER: usize = 1_000;

/// After fewer, at most this often.
const RELEASE_EVERY: Duration = Duration::from_secs(1);

pub enum Msg {
    /// An open module changed (or was opened): check it now, its importers soon.
    Changed(PathBuf),
    /// These modules may have new diagnostics.
    Dirty(Vec<PathBuf>),
    /// Every module of the workspace and every open one.
    All,
    /// The file is gone (or closed and not part of the workspace): clear it.
    Clear(PathBuf),
    /// Answers once everything queued before it is done.
    Flush(Sender<()>),
    Stop,
}

#[derive(Clone)]
pub struct Engine {
    tx: Sender<Msg>,
}

impl Engine {
    pub fn start(world: Arc<World>, sink: Sink, log: Log) -> Engine {
        Engine::start_with(world, sink, log, None)
    }

    /// [`Engine::start`], with a function that gives free memory back to the system,
    /// called when the engine goes idle after checking many modules.
    pub fn start_with(
        world: Arc<World>,
        sink: Sink,
        log: Log,
        release_memory: Option<fn()>,
    ) -> Engine {
        let (tx, rx) = channel();
        let worker = Worker {
            release_memory,
            checked_since_release: 0,
            released: Instant::now(),
            world,
            sink,
            log,
            rx,
            urgent: Vec::new(),
            dirty: BTreeSet::new(),
            mains: BTreeSet::new(),
            full: BTreeSet::new(),
            imports: ImportGraph::new(),
            programs: Programs::new(),
            cycles: HashMap::new(),
            published: HashMap::new(),
            config_errors: HashMap::new(),
            last_change: Instant::now(),
            flushes: Vec::new(),
            stopping: false,
        };
        std::thread::Builder::new()
            .name("mlpy-diagnostics".into())
            .spawn(move || worker.run())
            .expect("spawn the diagnostics thread");
        Engine { tx }
    }

    pub fn send(&self, msg: Msg) {
        let _ = self.tx.send(msg);
    }
}

struct Worker {
    world: Arc<World>,
    release_memory: Option<fn()>,
    /// Modules checked since memory was last given back, and when that was.
    checked_since_release: usize,
    released: Instant,
    sink: Sink,
    log: Log,
    rx: Receiver<Msg>,
    urgent: Vec<PathBuf>,
    dirty: BTreeSet<PathBuf>,
    /// The `main.ml` files seen (see `pick`).
    mains: BTreeSet<PathBuf>,
    /// Dirty modules to check with their whole graph (the first pass, after which the
    /// cache knows what every module imports).
    full: BTreeSet<PathBuf>,
    /// What every module checked so far imports, with the import cycles. A module whose
    /// imports are recorded here had every module it reaches recorded too (a whole
    /// graph was built from it or from a module importing it, and each one-deep build
    /// since recorded its entry), so a cycle through it shows here.
    imports: ImportGraph,
    /// Which programs hold each module, for the diagnostics that depend on the whole
    /// program (`crate::program`): recorded with the imports, from the same builds.
    programs: Programs,
    /// The cycle diagnostics of modules in a cycle, with the key of their component when
    /// they were computed: still right while the key is the same.
    cycles: HashMap<PathBuf, (CycleKey, Vec<Diagnostic>)>,
    /// What was last published per file: hash of the diagnostics, document version.
    published: HashMap<PathBuf, (u64, Option<i32>)>,
    /// `mlpy.json` files with a published error.
    config_errors: HashMap<PathBuf, String>,
    last_change: Instant,
    flushes: Vec<Sender<()>>,
    /// `Stop` arrived while checking.
    stopping: bool,
}

impl Worker {
    fn run(mut self) {
        loop {
            if self.stopping {
                return;
            }
            let idle = self.urgent.is_empty() && self.dirty.is_empty();
            if idle {
                // After a large check at once; after a few edits, at most once a second
                // (what they freed would otherwise stay with the process for a while).
                let due = self.checked_since_release >= RELEASE_AFTER
                    || (self.checked_since_release > 0 && self.released.elapsed() >= RELEASE_EVERY);
                if due {
                    self.checked_since_release = 0;
                    self.released = Instant::now();
                    // Modules not open keep their trees and symbols (importers and the
                    // next check need them) but not their scopes.
                    let open: HashSet<PathBuf> = self.world.open_files().into_iter().collect();
                    self.world.cache.release_scopes(|path| open.contains(path));
                    if let Some(release) = self.release_memory {
                        // Each thread that checked modules holds freed memory of its own.
                        rayon::broadcast(|_| release());
                        release();
                    }
                }
                for f in self.flushes.drain(..) {
                    let _ = f.send(());
                }
                match self.rx.recv() {
                    Ok(msg) => {
                        if !self.handle(msg) {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
            while let Ok(msg) = self.rx.try_recv() {
                if !self.handle(msg) {
                    return;
                }
            }
            if let Some(path) = (!self.urgent.is_empty()).then(|| self.urgent.remove(0)) {
                self.guarded(&path);
                continue;
            }
            if self.dirty.is_empty() {
                continue;
            }
            let delay = Duration::from_millis(self.world.settings().dependents_delay_ms);
            let waited = self.last_change.elapsed();
            if waited < delay {
                match self.rx.recv_timeout(delay - waited) {
                    Ok(msg) => {
                        if !self.handle(msg) {
                            return;
                        }
                        continue;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if let Some(entry) = self.pick() {
                self.guarded(&entry);
            }
        }
    }

    /// Takes the messages that arrived; true when one needs a check now (or the server
    /// stops).
    fn interrupted(&mut self) -> bool {
        while let Ok(msg) = self.rx.try_recv() {
            if !self.handle(msg) {
                self.stopping = true;
            }
        }
        self.stopping || !self.urgent.is_empty()
    }

    /// Takes a message into account; false to stop.
    fn handle(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Changed(path) => {
                self.last_change = Instant::now();
                let dependents = self.world.cache.dependents_of(&path);
                self.dirty.extend(dependents);
                self.dirty.remove(&path);
                if !self.urgent.contains(&path) {
                    self.urgent.push(path);
                }
            }
            Msg::Dirty(paths) => {
                self.last_change = Instant::now();
                self.note_mains(&paths);
                self.dirty.extend(paths);
            }
            Msg::All => {
                // New settings or files: names and resolutions may differ from what the
                // cycle texts were made of, and from the names the programs know (every
                // module is checked again, which tells them anew).
                self.cycles.clear();
                self.programs = Programs::new();
                let mut all = self.world.open_files();
                if self.world.settings().workspace_diagnostics {
                    all.extend(self.world.files());
                }
                self.note_mains(&all);
                self.forget_unchecked(&all);
                self.full.extend(all.iter().cloned());
                self.dirty.extend(all);
            }
            Msg::Clear(path) => {
                self.dirty.remove(&path);
                self.full.remove(&path);
                self.urgent.retain(|p| *p != path);
                self.cycles.remove(&path);
                if !path.is_file() {
                    self.imports.remove(&path);
                    self.mains.remove(&path);
                    let affected = self.programs.forget(&path);
                    self.recheck_others(&path, affected);
                }
                self.clear(&path);
            }
            Msg::Flush(tx) => self.flushes.push(tx),
            Msg::Stop => return false,
        }
        true
    }

    /// Remembers the `main.ml` files among `paths`: checked first, they give the largest
    /// graphs.
    fn note_mains(&mut self, paths: &[PathBuf]) {
        self.mains.extend(
            paths
                .iter()
                .filter(|p| p.file_name().is_some_and(|n| n == "main.ml"))
                .cloned(),
        );
    }

    /// Clears what was published for files no longer checked (`checked` is every file
    /// that is): the modules of a workspace folder removed, those not open after
    /// `diagnostics` became `openFiles`, and the `mlpy.json` errors of projects with no
    /// such file. Nothing checks them again, so the editor would show them forever.
    fn forget_unchecked(&mut self, checked: &[PathBuf]) {
        let checked: HashSet<&Path> = checked.iter().map(PathBuf::as_path).collect();
        let mut gone: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|p| !checked.contains(p.as_path()))
            .cloned()
            .collect();
        gone.extend(
            self.config_errors
                .keys()
                .filter(|config| {
                    let project = config.parent().unwrap_or(config);
                    !checked.iter().any(|p| p.starts_with(project))
                })
                .cloned(),
        );
        for path in gone {
            self.clear(&path);
        }
    }

    fn clear(&mut self, path: &Path) {
        if self.config_errors.remove(path).is_some() {
            if let Some(uri) = self.world.uri_of(path) {
                (self.sink)(uri, Vec::new(), None);
            }
        }
        if self.published.remove(path).is_some() {
            if let Some(uri) = self.world.uri_of(path) {
                (self.sink)(uri, Vec::new(), None);
            }
        }
    }

    /// The next dirty module to check: one that no other dirty module imports, so that
    /// its graph covers as many as possible.
    fn pick(&mut self) -> Option<PathBuf> {
        if !self.world.settings().workspace_diagnostics {
            let open: BTreeSet<PathBuf> = self.world.open_files().into_iter().collect();
            self.dirty.retain(|p| open.contains(p));
        }
        // Cheap enough to ask before every check of a 10,000-module first pass: the few
        // `main.ml` files are known, and only direct importers are looked at.
        let found = self
            .mains
            .iter()
            .find(|p| self.dirty.contains(*p))
            .or_else(|| {
                self.dirty.iter().take(64).find(|p| {
                    self.world
                        .cache
                        .importers_of(p)
                        .iter()
                        .all(|d| !self.dirty.contains(d))
                })
            })
            .or_else(|| self.dirty.iter().next())
            .cloned();
        if let Some(p) = &found {
            self.dirty.remove(p);
        }
        found
    }

    fn guarded(&mut self, entry: &Path) {
        let result = catch_unwind(AssertUnwindSafe(|| self.check(entry)));
        if result.is_err() {
            (self.log)(format!(
                "internal error while checking {}; diagnostics may be stale",
                entry.display()
            ));
        }
    }

    /// Checks `entry`. A module's diagnostics need only what it imports directly, and
    /// the import cycles it is in: it is checked with a graph one import deep, and its
    /// cycles come from the import graph (computed again only when the imports of its
    /// component changed). A module whose imports, or those of a module it imports, were
    /// never recorded (the first pass) is checked with its whole graph, which also
    /// checks every dirty module that graph contains and records what they all import.
    fn check(&mut self, entry: &Path) {
        // A cached remote module opened in the editor is checked in its importers' graphs
        // (where remote modules get no diagnostics), never as a local file of its own.
        if crate::host::is_remote_cache_file(entry) {
            self.clear(entry);
            return;
        }
        let open = self.world.is_open(entry);
        if !open && !entry.is_file() {
            self.world.remove_file(entry);
            self.world.cache.forget(entry);
            self.imports.remove(entry);
            let affected = self.programs.forget(entry);
            self.recheck_others(entry, affected);
            self.cycles.remove(entry);
            self.clear(entry);
            return;
        }
        let project = self.world.project_for(entry);
        self.config_diagnostics(&project);
        let versions: HashMap<PathBuf, i32> = self
            .world
            .open_files()
            .into_iter()
            .filter_map(|p| self.world.doc_version_of_path(&p).map(|v| (p, v)))
            .collect();
        if let Some((size, limit)) = self.world.oversized_path(entry) {
            self.syntax_only(entry, size, limit, versions.get(entry).copied());
            return;
        }
        let mut options = BuildOptions {
            entry_name: self.world.project_for(entry).resolver.module_name_of(entry),
            max_depth: None,
        };
        let full = self.full.remove(entry) || !self.imports.is_recorded(entry);
        if !full {
            options.max_depth = Some(1);
            let Some(graph) = self.build(entry, &project, &options, &versions) else {
                return;
            };
            let record = import_record(&graph, graph.entry);
            // An import of a module never recorded (new to this session): the whole
            // graph records everything behind it.
            if record.targets.iter().all(|t| self.imports.is_recorded(t)) {
                // Most edits keep the imports: the component (all the modules of a
                // whole-workspace cycle) is listed only when they changed.
                let before =
                    (!self.imports.is_unchanged(entry, &record)).then(|| self.cycle_members(entry));
                self.imports.record(entry, record);
                if let Some(before) = before {
                    self.cycles_moved(entry, before);
                }
                let affected = self.programs.note(&graph, false);
                self.recheck_others(entry, affected);
                let cycles = self.cycle_diagnostics(entry, &project, &options);
                self.check_modules(&graph, cycles.as_deref(), &project, &versions, false);
                return;
            }
            options.max_depth = None;
        }
        if let Some(graph) = self.build(entry, &project, &options, &versions) {
            let records = (0..graph.len() as u32)
                .map(|i| {
                    let id = ModuleId(i);
                    (graph.module(id).path.clone(), import_record(&graph, id))
                })
                .collect();
            let before = self.cycle_members(entry);
            self.imports.record_all(records);
            self.cycles_moved(entry, before);
            self.cycles.remove(entry);
            let affected = self.programs.note(&graph, true);
            self.recheck_others(entry, affected);
            self.check_modules(&graph, None, &project, &versions, true);
        }
    }

    /// Marks `paths` but `entry` (which is being checked) for a check of their own: the
    /// modules whose cycle or whole-program diagnostics read what the builds from `entry`
    /// just changed. An edit dirties the modules that import the edited one, and these
    /// need not be among them: `x.ml` imports `class`, and `main.ml`, which imports `x`,
    /// adds `import ml_class;` — x's import is now an error, though x imports nothing
    /// edited.
    fn recheck_others(&mut self, entry: &Path, paths: impl IntoIterator<Item = PathBuf>) {
        let others: Vec<PathBuf> = paths.into_iter().filter(|p| p.as_path() != entry).collect();
        if !others.is_empty() {
            self.last_change = Instant::now();
            self.dirty.extend(others);
        }
    }

    /// The key of the cycles `entry` is in, with the modules of its component.
    fn cycle_members(&self, entry: &Path) -> (Option<CycleKey>, HashSet<PathBuf>) {
        (
            self.imports.cycle_key(entry),
            self.imports.component_of(entry).into_iter().collect(),
        )
    }

    /// After the imports of `entry` were recorded: when its cycles changed (a component
    /// joined, split, or its import statements moved), the other modules of its
    /// component, before and after, are checked again. Their cycle diagnostics read
    /// those imports, and an edit only dirties the modules that imported the edited
    /// one before the edit: a module that the edit puts in a cycle, or takes out of
    /// one, need not be among them.
    fn cycles_moved(&mut self, entry: &Path, before: (Option<CycleKey>, HashSet<PathBuf>)) {
        let (key, mut members) = before;
        if self.imports.cycle_key(entry) == key {
            return;
        }
        members.extend(self.imports.component_of(entry));
        self.recheck_others(entry, members);
    }

    /// The cycle diagnostics of `entry` (`None` when it is in no import cycle): as a whole
    /// graph built from it reports them, computed on a graph of its component only, and
    /// kept until the imports of the component change.
    fn cycle_diagnostics(
        &mut self,
        entry: &Path,
        project: &Project,
        options: &BuildOptions,
    ) -> Option<Vec<Diagnostic>> {
        let Some(key) = self.imports.cycle_key(entry) else {
            self.cycles.remove(entry);
            return None;
        };
        if let Some((known, list)) = self.cycles.get(entry) {
            if *known == key {
                return Some(list.clone());
            }
        }
        let within = self.imports.component_of(entry);
        let options = BuildOptions {
            max_depth: None,
            ..options.clone()
        };
        let graph = ModuleGraph::build_within(
            entry,
            &project.resolver,
            &self.world.cache,
            &options,
            &within,
        )
        .ok()?;
        let list: Vec<Diagnostic> =
            mlpy_analysis::graph_checks::cycle_diagnostics(&graph, graph.entry)
                .into_iter()
                .filter(|d| d.file == entry)
                .collect();
        self.cycles.insert(entry.to_path_buf(), (key, list.clone()));
        Some(list)
    }

    fn build(
        &mut self,
        entry: &Path,
        project: &Project,
        options: &BuildOptions,
        versions: &HashMap<PathBuf, i32>,
    ) -> Option<ModuleGraph> {
        // An open module not saved yet (its file does not exist): its text is the
        // cache's overlay, checked as the file would be.
        let built = match self.world.is_open(entry) && !entry.exists() {
            true => ModuleGraph::build_unsaved_with(
                entry,
                &project.resolver,
                &self.world.cache,
                options,
            ),
            false => ModuleGraph::build_with(entry, &project.resolver, &self.world.cache, options),
        };
        match built {
            Ok(graph) => Some(graph),
            Err(error) => {
                // An open document that cannot be checked so (its folder does not exist
                // either): what its text alone says.
                if let Some(file) = self.world.load(entry) {
                    let list: Vec<Diagnostic> = file
                        .parse
                        .errors()
                        .iter()
                        .map(|e| Diagnostic::from_syntax(entry, e))
                        .collect();
                    self.publish(entry, &list, &file.text, versions.get(entry).copied(), None);
                } else {
                    (self.log)(format!("cannot check {}: {error}", entry.display()));
                }
                None
            }
        }
    }

    /// An open module over its `max_module_size`: its syntax errors only, and a warning
    /// that says why there is nothing more (see `World::oversized`).
    fn syntax_only(&mut self, entry: &Path, size: u64, limit: u64, version: Option<i32>) {
        let Some(uri) = self.world.uri_of(entry) else {
            return;
        };
        let Some(parsed) = self.world.syntax_only(&uri) else {
            return;
        };
        // Computed from an older text than the editor's: the newer edit is checked next.
        if version.is_some() && self.world.doc_version_of_path(entry) != version {
            return;
        }
        let lines = Lines::new(&parsed.text);
        let mut related = |_: &Path| None;
        let mut out: Vec<lsp::Diagnostic> = parsed
            .parse
            .errors()
            .iter()
            .map(|e| {
                let d = Diagnostic::from_syntax(entry, e);
                convert::diagnostic(&d, &lines, &mut related, &uri, entry)
            })
            .collect();
        out.insert(
            0,
            lsp::Diagnostic {
                range: lsp::Range::default(),
                severity: Some(lsp::DiagnosticSeverity::WARNING),
                code: Some(lsp::NumberOrString::String("module-too-large".into())),
                source: Some("mlpy".into()),
                message: format!(
                    "this module is {size} bytes, over the limit of {limit} bytes: only its syntax is checked (raise \"max_module_size\" in mlpy.json)"
                ),
                ..Default::default()
            },
        );
        self.send(entry, uri, out, version);
    }

    /// Publishes the diagnostics of the entry of `graph` and, when `others`, of every
    /// dirty module of the same project in it.
    ///
    /// `cycles`, when given, are the entry's cycle diagnostics, found on another graph
    /// (`graph` is one import deep: it finds no cycle but a self-import).
    fn check_modules(
        &mut self,
        graph: &ModuleGraph,
        cycles: Option<&[Diagnostic]>,
        project: &Arc<Project>,
        versions: &HashMap<PathBuf, i32>,
        others: bool,
    ) {
        let mut facts = None;
        let granted = project.config.capabilities.clone();
        let workspace = self.world.settings().workspace_diagnostics;
        let mut versions = versions.clone();
        let mut order: VecDeque<ModuleId> = VecDeque::from([graph.entry]);
        for m in graph.modules.iter().filter(|_| others) {
            if m.id == graph.entry || m.origin != Origin::File {
                continue;
            }
            let wanted = (self.dirty.contains(&m.path) || self.urgent.contains(&m.path))
                && (workspace || self.world.is_open(&m.path));
            if wanted && Arc::ptr_eq(&self.world.project_for(&m.path), project) {
                order.push_back(m.id);
            }
        }
        while let Some(id) = order.pop_front() {
            // Other modules are background work: a newer edit goes first (they stay
            // dirty), unless this graph holds it as it is now (a document opened as it is
            // on disk): then it is checked next, with these facts.
            if id != graph.entry
                && self.interrupted()
                && !self.urgent_in(graph, project, &mut order, &mut versions)
            {
                break;
            }
            if facts.is_none() {
                facts = facts_of(graph);
            }
            let Some(facts) = facts.as_ref() else {
                (self.log)(format!(
                    "internal error while analysing {}",
                    graph.module(id).path.display()
                ));
                continue;
            };
            // The entry alone (it is what an edit waits for), then the others a batch at a
            // time, checked in parallel; messages are looked at between batches.
            let mut batch = vec![id];
            if id != graph.entry {
                while batch.len() < CHECK_BATCH {
                    match order.pop_front() {
                        Some(next) => batch.push(next),
                        None => break,
                    }
                }
            }
            // What the module and its imports say, on this graph; what the programs
            // that hold it say, from the workspace's (`crate::program`).
            let programs = &self.programs;
            let check = |&id: &ModuleId| {
                catch_unwind(AssertUnwindSafe(|| {
                    let mut list =
                        mlpy_analysis::diagnostics::local_module_diagnostics(facts, id, &granted);
                    let whole = programs.diagnostics(graph, id);
                    let watched = whole.is_some();
                    list.extend(whole.into_iter().flatten());
                    list.sort_by_key(|d| (d.range.start(), d.range.end()));
                    (list, watched)
                }))
                .ok()
            };
            // One module (an edit's): on this thread, no hand-over to the pool.
            let lists: Vec<Option<(Vec<Diagnostic>, bool)>> = if batch.len() == 1 {
                batch.iter().map(check).collect()
            } else {
                batch.par_iter().map(check).collect()
            };
            for (id, list) in batch.into_iter().zip(lists) {
                let module = graph.module(id);
                let Some((mut list, watched)) = list else {
                    (self.log)(format!(
                        "internal error in the checks of {}",
                        module.path.display()
                    ));
                    continue;
                };
                self.programs.watch(&module.path, watched);
                if let Some(cycles) = cycles.filter(|_| id == graph.entry) {
                    // A self-import is found on the one-deep graph too: once is enough.
                    for d in cycles {
                        if !list.contains(d) {
                            list.push(d.clone());
                        }
                    }
                    list.sort_by_key(|d| (d.range.start(), d.range.end()));
                }
                // The settings may have changed while this graph was checked (to
                // `openFiles`, which cleared what was published of the files not open):
                // a module no longer reported on gets nothing.
                if self.world.settings().workspace_diagnostics || self.world.is_open(&module.path) {
                    let version = versions.get(&module.path).copied();
                    self.publish(&module.path, &list, &module.file.text, version, Some(graph));
                }
                self.checked_since_release += 1;
                self.dirty.remove(&module.path);
                self.full.remove(&module.path);
                self.urgent.retain(|p| *p != module.path);
            }
        }
    }

    /// Whether every urgent module is in `graph` with the text it has now (and in
    /// `project`); if so they go first in `order`, with their document versions.
    fn urgent_in(
        &mut self,
        graph: &ModuleGraph,
        project: &Arc<Project>,
        order: &mut VecDeque<ModuleId>,
        versions: &mut HashMap<PathBuf, i32>,
    ) -> bool {
        if self.stopping {
            return false;
        }
        let mut found = Vec::new();
        for path in &self.urgent {
            let Some(module) = graph.by_path(path) else {
                return false;
            };
            // The version first: a newer text after it shows as another file below.
            let version = self.world.doc_version_of_path(path);
            let current = self.world.load(path);
            // The same text (the cache's entry may be a copy without scopes).
            let same = current.is_some_and(|f| Arc::ptr_eq(&f.text, &module.file.text))
                && Arc::ptr_eq(&self.world.project_for(path), project);
            if !same {
                return false;
            }
            if let Some(version) = version {
                versions.insert(path.clone(), version);
            }
            found.push(module.id);
        }
        order.retain(|id| !found.contains(id));
        for id in found.into_iter().rev() {
            order.push_front(id);
        }
        true
    }

    fn publish(
        &mut self,
        path: &Path,
        list: &[Diagnostic],
        text: &str,
        version: Option<i32>,
        graph: Option<&ModuleGraph>,
    ) {
        // Computed from an older text than the editor's: the newer edit is checked next.
        if version.is_some() && self.world.doc_version_of_path(path) != version {
            return;
        }
        let Some(uri) = self.world.uri_of(path) else {
            return;
        };
        let world = self.world.clone();
        let mut related = |file: &Path| -> Option<(Uri, lsp::Range)> {
            let uri = world.uri_of(file)?;
            Some((uri, lsp::Range::default()))
        };
        let mut out = Vec::with_capacity(list.len());
        // Most modules have nothing to report: no line index for them.
        let lines = (!list.is_empty()).then(|| Lines::new(text));
        // Related places in other files need their own line index: one per file.
        let mut indexes: HashMap<PathBuf, Option<LineIndex>> = HashMap::new();
        for (d, lines) in list.iter().zip(std::iter::repeat(lines.as_ref()).flatten()) {
            let mut converted = convert::diagnostic(d, lines, &mut related, &uri, path);
            if let Some(info) = &mut converted.related_information {
                for (item, r) in info.iter_mut().zip(d.related.iter()) {
                    if r.file != path {
                        let index = indexes
                            .entry(r.file.clone())
                            .or_insert_with(|| line_index_of(&self.world, graph, &r.file));
                        item.location.range = index
                            .as_ref()
                            .map_or_else(lsp::Range::default, |index| range_in(index, r.range));
                    }
                }
            }
            out.push(converted);
        }
        self.send(path, uri, out, version);
    }

    /// Publishes `out` for `path` unless it is what was last published.
    fn send(&mut self, path: &Path, uri: Uri, out: Vec<lsp::Diagnostic>, version: Option<i32>) {
        let hash = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            serde_json::to_string(&out).unwrap_or_default().hash(&mut h);
            h.finish()
        };
        if self.published.get(path) == Some(&(hash, version)) {
            return;
        }
        self.published.insert(path.to_path_buf(), (hash, version));
        (self.sink)(uri, out, version);
    }

    /// Publishes (or clears) the error of a project's `mlpy.json`.
    fn config_diagnostics(&mut self, project: &Project) {
        let Some(file) = project.config.config_file.clone() else {
            return;
        };
        let Some(uri) = self.world.uri_of(&file) else {
            return;
        };
        match &project.config_error {
            Some(error) => {
                let message = error.to_string();
                if self.config_errors.get(&file) != Some(&message) {
                    self.config_errors.insert(file.clone(), message);
                    let position = lsp::Position::new(
                        error.line.saturating_sub(1),
                        error.column.saturating_sub(1),
                    );
                    let d = lsp::Diagnostic {
                        range: lsp::Range::new(position, position),
                        severity: Some(lsp::DiagnosticSeverity::ERROR),
                        code: Some(lsp::NumberOrString::String("config".into())),
                        source: Some("mlpy".into()),
                        message: error.message.clone(),
                        ..Default::default()
                    };
                    (self.sink)(uri, vec![d], None);
                }
            }
            None => {
                if self.config_errors.remove(&file).is_some() {
                    (self.sink)(uri, Vec::new(), None);
                }
            }
        }
    }
}

/// What module `id` of `graph` imports, for the import graph.
fn import_record(graph: &ModuleGraph, id: ModuleId) -> ImportRecord {
    let module = graph.module(id);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut targets = Vec::new();
    for edge in &module.imports {
        if let Ok(mlpy_modules::EdgeTarget::Module(target)) = &edge.target {
            let target = graph.module(*target);
            // What a cycle diagnostic shows of this import: where it is, and the
            // target's name (from how the import spells it).
            (
                edge.target_range,
                edge.spec.to_string(),
                &target.name,
                &target.path,
            )
                .hash(&mut hasher);
            targets.push(target.path.clone());
        }
    }
    ImportRecord {
        targets,
        signature: hasher.finish(),
    }
}

/// The transpiler's facts about a graph (`None` if computing them panicked).
fn facts_of(graph: &ModuleGraph) -> Option<mlpy_analysis::facts::ProgramFacts<'_>> {
    catch_unwind(AssertUnwindSafe(|| {
        mlpy_analysis::facts::ProgramFacts::new(graph)
    }))
    .ok()
}

/// The line index of `file`, from the graph's copy of its text when it has one.
fn line_index_of(world: &World, graph: Option<&ModuleGraph>, file: &Path) -> Option<LineIndex> {
    let text = graph
        .and_then(|g| g.by_path(file))
        .map(|m| m.file.text.clone())
        .or_else(|| world.load(file).map(|f| f.text.clone()))?;
    Some(LineIndex::new(&text))
}

/// The LSP range of `range` in the file of `index` (as `Lines::range`).
fn range_in(index: &LineIndex, range: mlpy_syntax::TextRange) -> lsp::Range {
    let position = |offset: mlpy_syntax::TextSize| {
        let wide = index.wide_line_col(offset.min(index.len()));
        lsp::Position::new(wide.line, wide.col)
    };
    lsp::Range::new(position(range.start()), position(range.end()))
}
