//! The history of interactive sessions, kept in a file: read when a session starts, and
//! each input added to it as soon as it is entered — appended under the file's lock and
//! merged with what other sessions wrote meanwhile — so that a session that is killed, or
//! two sessions at once, lose nothing. A file that exists but cannot be read (not text,
//! not a history, a folder) is never written over: the session then keeps its inputs in
//! memory only, and says so once.

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Editor, Helper};
use std::path::PathBuf;

/// Where the history is kept: `$MLPY_REPL_HISTORY` (empty: nowhere), else the user's
/// state folder.
pub(crate) fn history_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MLPY_REPL_HISTORY") {
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|p| !p.is_empty())
                .map(|home| PathBuf::from(home).join(".local").join("state"))
        })?;
    Some(state.join("mlpy").join("repl_history"))
}

/// The history file of a session.
pub(crate) struct History {
    /// Where inputs are written; None when nowhere (no file, or one that could not be read).
    path: Option<PathBuf>,
    /// A write failed and the user was told: the next failures are not reported again
    /// (the entries are kept and written by the next write that succeeds).
    warned: bool,
}

impl History {
    /// Loads `path` (None: no history) into the editor.
    pub(crate) fn open<H: Helper>(
        editor: &mut Editor<H, DefaultHistory>,
        path: Option<PathBuf>,
    ) -> History {
        let Some(path) = path else {
            return History {
                path: None,
                warned: false,
            };
        };
        match editor.load_history(&path) {
            Ok(()) => {}
            // A first session has no history yet.
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                errln!(
                    "mlpy: warning: cannot read the history file '{}': {e}; it is left as it is, and this session's inputs are not kept in it",
                    path.display()
                );
                return History {
                    path: None,
                    warned: true,
                };
            }
        }
        History {
            path: Some(path),
            warned: false,
        }
    }

    /// Adds an input to the editor's history and to the file.
    pub(crate) fn add<H: Helper>(&mut self, editor: &mut Editor<H, DefaultHistory>, entry: &str) {
        if !matches!(editor.add_history_entry(entry), Ok(true)) {
            return;
        }
        let Some(path) = &self.path else {
            return;
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = editor.append_history(path) {
            if !self.warned {
                self.warned = true;
                errln!(
                    "mlpy: warning: cannot save the history to '{}': {e}",
                    path.display()
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustyline::Config;

    fn editor() -> Editor<(), DefaultHistory> {
        Editor::with_config(Config::default()).expect("an editor")
    }

    fn entries(editor: &Editor<(), DefaultHistory>) -> Vec<String> {
        editor.history().iter().cloned().collect()
    }

    #[test]
    fn each_input_is_in_the_file_at_once_and_two_sessions_keep_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("history");
        let (mut a, mut b) = (editor(), editor());
        let mut ha = History::open(&mut a, Some(path.clone()));
        let mut hb = History::open(&mut b, Some(path.clone()));
        ha.add(&mut a, "a = 1");
        hb.add(&mut b, "b = 2");
        ha.add(&mut a, "multi {\n  line\n}");
        let mut c = editor();
        History::open(&mut c, Some(path.clone()));
        assert_eq!(entries(&c), ["a = 1", "b = 2", "multi {\n  line\n}"]);
        assert!(!ha.warned && !hb.warned);
    }

    #[test]
    fn a_file_that_cannot_be_read_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let not_text = dir.path().join("not_text");
        std::fs::write(&not_text, b"#V2\nold \xff entry\n").unwrap();
        let folder = dir.path().join("a_folder");
        std::fs::create_dir(&folder).unwrap();
        for path in [not_text, folder] {
            let before = std::fs::read(&path).ok();
            let mut e = editor();
            let mut history = History::open(&mut e, Some(path.clone()));
            assert!(history.path.is_none() && history.warned, "{path:?}");
            history.add(&mut e, "x = 1");
            // Kept in memory: Up still finds it.
            assert!(entries(&e).contains(&"x = 1".to_string()));
            assert_eq!(std::fs::read(&path).ok(), before, "{path:?}");
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_is_reported_once_and_the_session_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "not a folder").unwrap();
        let mut e = editor();
        let mut history = History::open(&mut e, Some(blocker.join("history")));
        history.add(&mut e, "x = 1");
        assert!(history.warned);
        history.add(&mut e, "y = 2");
        assert_eq!(entries(&e), ["x = 1", "y = 2"]);
        assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a folder");
    }
}
