//! `--watch` for `mlpy run`, `mlpy check` and `mlpy test`: do the command's work, then wait
//! for a change of any file it read (every local module of the program's graph, where a
//! failed import would find its module, mlpy.json, for `test` also the set of test files)
//! and do it again — after a short debounce, on a cleared screen (when stdout is a
//! terminal), with a program still running from the last round stopped first. The graph
//! is built again every round, so a new import is watched from the round that first reads
//! it. A round that fails (a syntax error, a missing file) does not end the watch; Ctrl-C
//! does.
//!
//! Changes are found by polling the files' size and modification time every
//! [`POLL`]: no platform file-notification API, no limit on watched files, and editors
//! that save by writing a new file and renaming it are seen like any other.

use crate::Outcome;
use mlpy_modules::file_protocol::FileProtocol;
use mlpy_modules::{ImportSpec, ModuleGraph, Origin, ProjectConfig, Resolver};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// How often the watched files are looked at.
const POLL: Duration = Duration::from_millis(100);
/// How long files must stay unchanged before a round starts: an editor's save, or a
/// `git checkout`, is several writes.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// How often a watched listing (the test files under a folder) is computed again.
const LISTING_EVERY: Duration = Duration::from_millis(500);

/// What a file looked like: None when it does not exist.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let metadata = std::fs::metadata(path).ok()?;
    Some((
        metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        metadata.len(),
    ))
}

/// A set of files found by a function (the test files under the given paths): a file
/// added or removed is a change.
type Listing = Box<dyn Fn() -> Vec<PathBuf> + Send + Sync>;

/// One round's view of what to watch, filled in by the command while it works; and the
/// flag that asks the command to stop (a change came while it was still working).
pub(crate) struct Watch {
    active: bool,
    files: Mutex<BTreeMap<PathBuf, Stamp>>,
    listings: Mutex<Vec<(Listing, Vec<PathBuf>)>>,
    /// When the listings were last computed.
    listed: Mutex<Option<Instant>>,
    cancel: AtomicBool,
}

impl Watch {
    /// The session of a command run without `--watch`: watches nothing.
    pub(crate) fn inactive() -> Watch {
        Watch {
            active: false,
            files: Mutex::default(),
            listings: Mutex::default(),
            listed: Mutex::default(),
            cancel: AtomicBool::new(false),
        }
    }

    fn new(previous: impl IntoIterator<Item = PathBuf>) -> Watch {
        Watch {
            active: true,
            files: Mutex::new(
                previous
                    .into_iter()
                    .map(|p| {
                        let s = stamp(&p);
                        (p, s)
                    })
                    .collect(),
            ),
            listings: Mutex::default(),
            listed: Mutex::default(),
            cancel: AtomicBool::new(false),
        }
    }

    /// Watch `path` (which need not exist yet: its creation is a change).
    pub(crate) fn watch_file(&self, path: &Path) {
        if !self.active {
            return;
        }
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if !files.contains_key(path) {
            files.insert(path.to_path_buf(), stamp(path));
        }
    }

    /// Watch the local modules of a program, where the imports that failed would find
    /// their module (creating it is the fix), and its configuration file (or where one
    /// would be found: creating it is a change too).
    pub(crate) fn watch_program(&self, graph: &ModuleGraph, resolver: &Resolver) {
        if !self.active {
            return;
        }
        for module in graph.modules.iter().filter(|m| m.origin == Origin::File) {
            self.watch_file(&module.path);
        }
        for path in unresolved_import_files(graph, resolver) {
            self.watch_file(&path);
        }
        self.watch_config(resolver.config());
    }

    /// Watch a configuration file, or where it would be.
    pub(crate) fn watch_config(&self, config: &ProjectConfig) {
        match &config.config_file {
            Some(file) => self.watch_file(file),
            None => self.watch_file(&config.root.join(mlpy_modules::config::CONFIG_FILE_NAME)),
        }
    }

    /// Watch the set of files `list` returns.
    pub(crate) fn watch_listing(&self, list: Listing) {
        if !self.active {
            return;
        }
        let now = list();
        self.listings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((list, now));
    }

    /// Set when the command should stop what it is doing.
    pub(crate) fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    /// A watched file that changed since it was last looked at (every stamp is brought up
    /// to date).
    fn changed_file(&self) -> Option<PathBuf> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let mut changed = None;
        for (path, old) in files.iter_mut() {
            let now = stamp(path);
            if now != *old {
                *old = now;
                changed.get_or_insert_with(|| path.clone());
            }
        }
        changed
    }

    /// A file added to or removed from a watched listing (looked at every
    /// [`LISTING_EVERY`]: a listing walks folders).
    fn changed_listing(&self) -> Option<PathBuf> {
        {
            let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
            if listed.is_some_and(|t| t.elapsed() < LISTING_EVERY) {
                return None;
            }
            *listed = Some(Instant::now());
        }
        let mut listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        let mut changed = None;
        for (list, old) in listings.iter_mut() {
            let now = list();
            if now != *old {
                let added_or_removed = now
                    .iter()
                    .find(|p| !old.contains(p))
                    .or_else(|| old.iter().find(|p| !now.contains(p)))
                    .cloned();
                *old = now;
                if changed.is_none() {
                    changed = added_or_removed;
                }
            }
        }
        changed
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    fn len(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The files an import of `graph` that failed would be found in (the module file and the
/// package file in every folder it searches: the import roots, existing or not, and the
/// importing file's folder when that is searched): creating, repairing or renaming one
/// of them is what fixes `Module 'x' not found` (or an unreadable module), so each is a
/// change to watch for.
pub(crate) fn unresolved_import_files(graph: &ModuleGraph, resolver: &Resolver) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for module in graph.modules.iter().filter(|m| m.origin == Origin::File) {
        for edge in &module.imports {
            let (Err(_), ImportSpec::Dotted(parts)) = (&edge.target, &edge.spec) else {
                continue;
            };
            let mut folders: Vec<PathBuf> = resolver
                .import_roots()
                .iter()
                .map(|root| root.path.clone())
                .collect();
            folders.extend(resolver.search_folders(module.path.parent()));
            for folder in folders {
                for candidate in FileProtocol::candidates(&folder, parts) {
                    if !files.contains(&candidate) {
                        files.push(candidate);
                    }
                }
            }
        }
    }
    files
}

/// The file an error is about (an invalid mlpy.json, an unreadable entry file): fixing it
/// must start the next round.
pub(crate) fn file_of_error(error: &anyhow::Error) -> Option<PathBuf> {
    if let Some(config) = error.downcast_ref::<mlpy_modules::ConfigError>() {
        return Some(config.file.clone());
    }
    error
        .downcast_ref::<mlpy_modules::EntryError>()
        .map(|entry| entry.path.clone())
}

/// On Linux, a program started by mlpy is killed when mlpy ends, however it ends (the
/// child of a watch must not outlive it). The thread that starts the child must live as
/// long as the child: the signal follows the starting thread.
pub(crate) fn die_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the child between fork and exec and only calls
        // prctl(2), which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// Runs `round` again and again, each time a file it watched changes. A round returns
/// the program to start, if any (`mlpy run`): it is started here and stopped when a file
/// changes. Returns only when a round cannot even start (the watch ends with Ctrl-C).
pub(crate) fn watch<F>(mut round: F) -> anyhow::Result<Outcome>
where
    F: FnMut(&Watch) -> anyhow::Result<Option<Command>> + Send,
{
    let clear = std::io::stdout().is_terminal();
    let mut previous: Vec<PathBuf> = Vec::new();
    let mut last_change: Option<PathBuf> = None;
    loop {
        if clear {
            // Clear the screen and the scrollback, cursor home.
            out!("\x1b[2J\x1b[3J\x1b[H");
            let _ = std::io::stdout().flush();
        }
        if let Some(path) = &last_change {
            errln!(
                "[watch] {} changed: running again",
                crate::render::display_path(path)
            );
        }
        let session = Watch::new(previous.drain(..));
        let round = &mut round;
        let changed = std::thread::scope(|scope| {
            let mut worker = Some(scope.spawn(|| round(&session)));
            let mut program: Option<Child> = None;
            loop {
                if worker.as_ref().is_some_and(|w| w.is_finished()) {
                    let result = worker.take().map(|w| w.join());
                    match result {
                        Some(Ok(Ok(Some(mut command)))) => {
                            // Started from this thread, which outlives it (die_with_parent).
                            die_with_parent(&mut command);
                            match command.spawn() {
                                Ok(child) => program = Some(child),
                                Err(e) => errln!(
                                    "mlpy: error: cannot start '{}': {e}",
                                    command.get_program().to_string_lossy()
                                ),
                            }
                        }
                        Some(Ok(Ok(None))) | None => {}
                        Some(Ok(Err(error))) => {
                            if let Some(file) = file_of_error(&error) {
                                session.watch_file(&file);
                            }
                            errln!("{}", crate::error_message(&error));
                        }
                        Some(Err(_)) => errln!("mlpy: error: the round failed unexpectedly"),
                    }
                    if program.is_none() {
                        waiting(&session);
                    }
                }
                if let Some(child) = &mut program {
                    if let Ok(Some(status)) = child.try_wait() {
                        let _ = std::io::stdout().flush();
                        errln!("[watch] the program ended ({status})");
                        program = None;
                        waiting(&session);
                    }
                }
                let found = session.changed_file().or_else(|| session.changed_listing());
                if let Some(path) = found {
                    // Let a burst of writes end first.
                    loop {
                        std::thread::sleep(DEBOUNCE);
                        if session.changed_file().is_none() {
                            break;
                        }
                    }
                    session.cancel.store(true, Ordering::SeqCst);
                    if let Some(worker) = worker.take() {
                        let _ = worker.join();
                    }
                    if let Some(mut child) = program.take() {
                        let _ = child.kill();
                        let _ = child.wait();
                        errln!("[watch] stopped the running program");
                    }
                    break path;
                }
                std::thread::sleep(POLL);
            }
        });
        previous = session.paths();
        last_change = Some(changed);
    }
}

fn waiting(session: &Watch) {
    let n = session.len();
    errln!(
        "[watch] waiting for changes to {n} file{} (Ctrl-C to stop)",
        if n == 1 { "" } else { "s" }
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlpy_modules::ModuleCache;
    use std::sync::Arc;

    #[test]
    fn a_failed_import_is_watched_in_every_folder_it_searches() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join("mlpy.json"),
            r#"{"import_paths": ["lib", "missing"], "allow_current_dir": true}"#,
        )
        .unwrap();
        std::fs::create_dir(root.join("lib")).unwrap();
        std::fs::write(root.join("lib/found.ml"), "X = 1;\n").unwrap();
        let main = root.join("main.ml");
        std::fs::write(&main, "import found;\nimport geo.shapes;\nimport math;\n").unwrap();
        let config = ProjectConfig::discover(&main).unwrap();
        let resolver = Resolver::new(Arc::new(config));
        let graph = ModuleGraph::build(&main, &resolver, &ModuleCache::new()).unwrap();
        let files = unresolved_import_files(&graph, &resolver);
        let relative: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        // Only the import that failed, in the roots (one not there yet) and the
        // importer's folder; not the module found, not the standard library's.
        assert_eq!(
            relative,
            [
                "lib/geo/shapes.ml",
                "lib/geo/shapes/__init__.ml",
                "missing/geo/shapes.ml",
                "missing/geo/shapes/__init__.ml",
                "geo/shapes.ml",
                "geo/shapes/__init__.ml",
            ]
        );
    }
}
