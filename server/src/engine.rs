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
use crate::world::{Project, World};
use mlpy_modules::{BuildOptions, Diagnostic, ModuleGraph, ModuleId, Origin};
use mlpy_syntax::LineIndex;
use std::collections::{BTreeSet, HashMap, HashSet};
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
        let (tx, rx) = channel();
        let worker = Worker {
            world,
            sink,
            log,
            rx,
            urgent: Vec::new(),
            dirty: BTreeSet::new(),
            full: BTreeSet::new(),
            known: HashSet::new(),
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
    sink: Sink,
    log: Log,
    rx: Receiver<Msg>,
    urgent: Vec<PathBuf>,
    dirty: BTreeSet<PathBuf>,
    /// Dirty modules to check with their whole graph (the first pass, after which the
    /// cache knows what every module imports).
    full: BTreeSet<PathBuf>,
    /// Modules that were part of a whole graph: the cache's records of what they import
    /// are complete, so a cycle through them shows in those records.
    known: HashSet<PathBuf>,
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
                self.dirty.extend(paths);
            }
            Msg::All => {
                let mut all = self.world.open_files();
                if self.world.settings().workspace_diagnostics {
                    all.extend(self.world.files());
                }
                self.full.extend(all.iter().cloned());
                self.dirty.extend(all);
            }
            Msg::Clear(path) => {
                self.dirty.remove(&path);
                self.full.remove(&path);
                self.urgent.retain(|p| *p != path);
                self.clear(&path);
            }
            Msg::Flush(tx) => self.flushes.push(tx),
            Msg::Stop => return false,
        }
        true
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
        let found = self
            .dirty
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n == "main.ml"))
            .or_else(|| {
                self.dirty.iter().take(64).find(|p| {
                    self.world
                        .cache
                        .dependents_of(p)
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

    /// Checks `entry`. A module in no import cycle needs only what it imports directly:
    /// it is checked with a graph one import deep. A module in a cycle (or one whose
    /// import records are not known yet, on the first pass) is checked with its whole
    /// graph, which also checks every dirty module that graph contains.
    fn check(&mut self, entry: &Path) {
        let open = self.world.is_open(entry);
        if !open && !entry.is_file() {
            self.world.remove_file(entry);
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
            entry_name: crate::features::module_name(&self.world, entry),
            max_depth: None,
        };
        let full = self.full.remove(entry) || !self.known.contains(entry);
        if !full {
            options.max_depth = Some(1);
            let Some(graph) = self.build(entry, &project, &options, &versions) else {
                return;
            };
            // The build recorded the entry's imports: a cycle shows in the records.
            let in_cycle = self
                .world
                .cache
                .dependents_of(entry)
                .iter()
                .any(|p| p == entry);
            if !in_cycle {
                self.check_modules(&graph, None, &project, &versions, false);
                return;
            }
            options.max_depth = None;
            // The whole graph finds the cycle; the entry's semantic checks need only the
            // shallow one (cheaper facts).
            if let Some(full) = self.build(entry, &project, &options, &versions) {
                self.check_modules(&full, Some(&graph), &project, &versions, true);
            }
            return;
        }
        if let Some(graph) = self.build(entry, &project, &options, &versions) {
            self.check_modules(&graph, None, &project, &versions, true);
        }
    }

    fn build(
        &mut self,
        entry: &Path,
        project: &Project,
        options: &BuildOptions,
        versions: &HashMap<PathBuf, i32>,
    ) -> Option<ModuleGraph> {
        match ModuleGraph::build_with(entry, &project.resolver, &self.world.cache, options) {
            Ok(graph) => Some(graph),
            Err(error) => {
                // An open document that is not on disk: what its text alone says.
                if let Some(file) = self.world.load(entry) {
                    let list: Vec<Diagnostic> = file
                        .parse
                        .errors()
                        .iter()
                        .map(|e| Diagnostic::from_syntax(entry, e))
                        .collect();
                    let lines = Lines::new(&file.text);
                    self.publish(entry, &list, &lines, versions.get(entry).copied(), None);
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
    /// `shallow`, when given, is a graph of the same entry one import deep: the entry's
    /// semantic checks use it (they need only what the entry imports).
    fn check_modules(
        &mut self,
        graph: &ModuleGraph,
        shallow: Option<&ModuleGraph>,
        project: &Arc<Project>,
        versions: &HashMap<PathBuf, i32>,
        others: bool,
    ) {
        let shallow_facts = shallow.and_then(facts_of);
        let mut facts = None;
        let granted = project.config.capabilities.clone();
        let workspace = self.world.settings().workspace_diagnostics;
        let mut order: Vec<ModuleId> = vec![graph.entry];
        if others {
            self.known
                .extend(graph.modules.iter().map(|m| m.path.clone()));
        }
        for m in graph.modules.iter().filter(|_| others) {
            if m.id == graph.entry || m.origin != Origin::File {
                continue;
            }
            let wanted = (self.dirty.contains(&m.path) || self.urgent.contains(&m.path))
                && (workspace || self.world.is_open(&m.path));
            if wanted && Arc::ptr_eq(&self.world.project_for(&m.path), project) {
                order.push(m.id);
            }
        }
        for id in order {
            // Other modules are background work: a newer edit goes first (they stay dirty).
            if id != graph.entry && self.interrupted() {
                break;
            }
            let module = graph.module(id);
            // The entry of a cycle is checked on the graph one import deep (what its
            // semantic checks need), with the cycles found on the whole graph added.
            let (semantic, cycles) = match (&shallow_facts, shallow) {
                (Some(f), Some(s)) if id == graph.entry => (Some((f, s.entry)), true),
                _ => {
                    if facts.is_none() {
                        facts = facts_of(graph);
                    }
                    (facts.as_ref().map(|f| (f, id)), false)
                }
            };
            let Some((facts, fid)) = semantic else {
                (self.log)(format!(
                    "internal error while analysing {}",
                    module.path.display()
                ));
                continue;
            };
            let mut list = match catch_unwind(AssertUnwindSafe(|| {
                mlpy_analysis::module_diagnostics(facts, fid, &granted)
            })) {
                Ok(list) => list,
                Err(_) => {
                    (self.log)(format!(
                        "internal error in the checks of {}",
                        module.path.display()
                    ));
                    continue;
                }
            };
            if cycles {
                list.extend(
                    mlpy_analysis::graph_checks::cycle_diagnostics(graph, id)
                        .into_iter()
                        .filter(|d| d.file == module.path),
                );
                list.sort_by_key(|d| (d.range.start(), d.range.end()));
            }
            let lines = Lines::new(&module.file.text);
            let version = versions.get(&module.path).copied();
            self.publish(&module.path, &list, &lines, version, Some(graph));
            self.dirty.remove(&module.path);
            self.full.remove(&module.path);
            self.urgent.retain(|p| *p != module.path);
        }
    }

    fn publish(
        &mut self,
        path: &Path,
        list: &[Diagnostic],
        lines: &Lines<'_>,
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
        // Related places in other files need their own line index: one per file.
        let mut indexes: HashMap<PathBuf, Option<LineIndex>> = HashMap::new();
        for d in list {
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
