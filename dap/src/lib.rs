//! `mlpy dap`: a Debug Adapter Protocol server that debugs ML, not the Python it becomes.
//!
//! The editor speaks DAP to this adapter over stdio; the adapter runs the transpiled
//! program under debugpy (from PyPI, in the user's Python) and is debugpy's DAP client,
//! translating every message both ways: breakpoints on ML lines become breakpoints on the
//! emitted lines (through the source maps), stack frames of emitted code become ML frames
//! (the runtime's and the glue's hidden), Python values become ML values, and expressions
//! typed in ML are transpiled before debugpy evaluates them.
//!
//! * [`session`]: the session (the requests and events of both sides);
//! * [`program`], [`sourcemap`]: the emitted files and their line maps;
//! * [`breakpoints`], [`stack`], [`variables`], [`values`], [`evaluate`]: each translation;
//! * [`logpoints`]: log messages with ML expressions;
//! * [`messages`]: Python's error texts in ML words;
//! * [`shared_ids`]: ids of ML breakpoints that share a Python line;
//! * [`debugpy`]: debugpy's adapter as a child process; [`wire`]: DAP's framing;
//! * [`launch`]: the launch configuration, and the [`Loader`] (the command line's part:
//!   loading and transpiling a program as `mlpy run` does).

pub mod breakpoints;
pub mod debugpy;
pub mod editor;
pub mod evaluate;
pub mod launch;
pub mod logpoints;
pub mod messages;
pub mod program;
pub mod session;
pub mod shared_ids;
pub mod sourcemap;
pub mod stack;
pub mod values;
pub mod variables;
pub mod wire;

pub use launch::{LaunchArgs, LoadError, Loader};
pub use program::Prepared;

use std::ffi::OsString;
use std::io::{BufReader, Read, Write};

/// The launcher's file name inside the program folder: no emitted module can have it (ML
/// names never start with `__`).
pub const LAUNCHER_FILE: &str = "__mlpy_debug__.py";

/// The launcher (see its docstring): written beside the program, run by debugpy.
pub const LAUNCHER_SOURCE: &str = include_str!("launcher.py");

/// Serves one debugging session over `input` and `output` (stdio for `mlpy dap`) until
/// the editor disconnects or closes the stream. `default_python`: the interpreter when a
/// launch configuration names none.
pub fn serve(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
    loader: Box<dyn Loader>,
    default_python: OsString,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let editor_tx = tx.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(input);
        loop {
            match wire::read_message(&mut reader) {
                Ok(Some(message)) => {
                    if editor_tx
                        .send(session::Incoming::Editor(Some(message)))
                        .is_err()
                    {
                        return;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    eprintln!("mlpy dap: {error}");
                    break;
                }
            }
        }
        let _ = editor_tx.send(session::Incoming::Editor(None));
    });
    let editor = editor::Editor::new(Box::new(output));
    let mut session = session::Session::new(editor, loader, tx, default_python);
    session.serve(rx);
}
