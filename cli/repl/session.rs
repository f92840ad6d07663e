//! The state of an interactive session on the Rust side: the text of every accepted input
//! (the session module the checker sees), the names earlier code reaches directly, the
//! program's modules already defined, and the Python process that runs it all.
//!
//! Each input is checked and emitted as the tail of one ML module that holds every
//! accepted input before it (`mlpy_transpile::session`), named as a file of the working
//! folder (`<cwd>/__repl__.ml`, which need not exist): its imports resolve as that file's
//! would under `mlpy run` (the project's `mlpy.json`, `--import-paths`,
//! `--allow-current-dir`). Only the input's own code is sent to Python, so an input costs
//! a check of the session's text, never a second run of earlier statements.

use super::driver::{Driver, DriverGone, RunReply};
use crate::project::ConfigArgs;
use crate::render::{self, Sources, Style};
use mlpy_modules::{Diagnostic, ModuleCache, ModuleGraph, Resolver};
use mlpy_remote::SetupError;
use mlpy_syntax::{TextRange, TextSize};
use mlpy_transpile::session::{transpile_input, Direct, InputRequest};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file name the session module stands for, in the working folder.
const ENTRY_NAME: &str = "__repl__.ml";

/// One input, as people name it in errors.
#[derive(Debug, Clone)]
pub(crate) struct InputSource {
    /// `<input 3>`, `<stdin>`, or the path of a `.load`ed file.
    pub(crate) name: String,
    /// The line its first line has under that name.
    pub(crate) first_line: u32,
    /// Where the REPL added the `;` that ends the last statement (an offset in the text
    /// run), which errors do not show: they show the input as typed.
    pub(crate) added_semicolon: Option<usize>,
}

/// An accepted input: where its text starts in the session module.
struct Accepted {
    start: usize,
    text: String,
    source: InputSource,
}

/// How an input went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// Refused by the checks, or failed at run time.
    Failed,
    /// Ctrl-C stopped it.
    Interrupted,
}

pub(crate) struct Session {
    pub(crate) cache: Arc<ModuleCache>,
    pub(crate) resolver: Arc<Resolver>,
    options: mlpy_transpile::Options,
    /// `<cwd>/__repl__.ml`, as given to the graph (its folder as the user named it).
    pub(crate) entry: PathBuf,
    /// The text of every accepted input, each ending with a line break.
    pub(crate) prelude: String,
    accepted: Vec<Accepted>,
    locked: BTreeMap<String, Direct>,
    /// The program's modules the Python process has defined, by canonical path.
    defined: BTreeSet<PathBuf>,
    /// The session's top-level names: (ML name, Python name).
    names: Vec<(String, String)>,
    driver: Driver,
    style: Style,
}

impl Session {
    /// Loads the project of the working folder as `mlpy run` would for a file there, and
    /// starts the Python process with the project's capabilities.
    pub(crate) fn start(
        config: &ConfigArgs,
        style: Style,
        interactive: bool,
    ) -> anyhow::Result<Session> {
        let cwd = std::env::current_dir()
            .map_err(|e| anyhow::anyhow!("cannot read the working folder: {e}"))?;
        let entry = cwd.join(ENTRY_NAME);
        let project = config.config_for(&entry)?;
        let (resolver, _remote) =
            mlpy_remote::resolver(Arc::new(project), config.remote.options()?).map_err(
                |e| match e {
                    SetupError::Config(e) => anyhow::Error::from(e),
                    other => anyhow::Error::from(other),
                },
            )?;
        let mut options = mlpy_transpile::Options::new(resolver.config());
        options.source_base = cwd;
        let driver = Driver::start(&options.capabilities, interactive)?;
        Ok(Session {
            cache: Arc::new(ModuleCache::new()),
            resolver: Arc::new(resolver),
            options,
            entry,
            prelude: String::new(),
            accepted: Vec::new(),
            locked: BTreeMap::new(),
            defined: BTreeSet::new(),
            names: Vec::new(),
            driver,
            style,
        })
    }

    /// The Python version the session runs on.
    pub(crate) fn python(&self) -> &str {
        &self.driver.python
    }

    /// Checks, emits and runs one whole input (see `input::completeness`). Problems are
    /// reported on standard error; the input joins the session once its checks pass,
    /// whether or not it then fails at run time (what it bound before failing is bound).
    pub(crate) fn run(&mut self, text: &str, source: InputSource) -> Result<Outcome, DriverGone> {
        let mut combined = String::with_capacity(self.prelude.len() + text.len() + 1);
        combined.push_str(&self.prelude);
        combined.push_str(text);
        if !combined.ends_with('\n') {
            combined.push('\n');
        }
        let input_text = combined[self.prelude.len()..].to_string();
        let current = Accepted {
            start: self.prelude.len(),
            text: input_text,
            source,
        };
        self.cache
            .set_overlay(&self.entry, combined.as_str().into());
        let graph = match ModuleGraph::build_unsaved(&self.entry, &self.resolver, &self.cache) {
            Ok(graph) => graph,
            Err(e) => {
                errln!("mlpy: error: {e}");
                return Ok(Outcome::Failed);
            }
        };
        if let Err(e) = self.resolver.finish() {
            errln!("mlpy: error: {e}");
            return Ok(Outcome::Failed);
        }
        let entry_path = graph.entry_module().path.clone();
        let input_range = TextRange::new(
            TextSize::from(current.start as u32),
            TextSize::from(combined.len() as u32),
        );
        let request = InputRequest {
            input: input_range,
            ml_name: &current.source.name,
            first_line: current.source.first_line,
            defined_modules: &self.defined,
            locked: &self.locked,
        };
        let chunk = match transpile_input(&graph, &self.options, &request) {
            Ok(chunk) => chunk,
            Err(diagnostics) => {
                // Every error, but warnings only of this input: earlier inputs' warnings
                // were shown when they were accepted.
                for d in &diagnostics {
                    let earlier =
                        d.file == entry_path && usize::from(d.range.start()) < current.start;
                    if d.is_error() || !earlier {
                        self.show(d, &entry_path, &current);
                    }
                }
                return Ok(Outcome::Failed);
            }
        };
        // Warnings about this input, or about the modules it loads for the first time;
        // not again those of earlier inputs.
        let new_modules: BTreeSet<&Path> = chunk.modules.iter().map(|m| m.path.as_path()).collect();
        for d in &chunk.warnings {
            let here = if d.file == entry_path {
                usize::from(d.range.start()) >= current.start
            } else {
                new_modules.contains(d.file.as_path())
            };
            if here {
                self.show(d, &entry_path, &current);
            }
        }
        let modules: Vec<(String, String, String)> = chunk
            .modules
            .iter()
            .map(|m| {
                (
                    m.py_module.clone(),
                    format!("<mlpy module {}>", m.ml_name),
                    m.code.clone(),
                )
            })
            .collect();
        let file = format!("<mlpy input {}>", self.accepted.len() + 1);
        let (reply, defined) =
            self.driver
                .run(&modules, &file, &chunk.code, chunk.returns_value)?;
        if let RunReply::Interrupted { started: false } = reply {
            // Ctrl-C while the input was checked: it never ran, and does not join.
            errln!("interrupted");
            return Ok(Outcome::Interrupted);
        }
        for module in &chunk.modules {
            if defined.contains(&module.py_module) {
                self.defined.insert(module.path.clone());
                // The session runs the text it checked: later inputs are checked against
                // it even if the file changes on disk (`.clear` reads it again).
                if let Some(node) = graph.by_path(&module.path) {
                    self.cache.set_overlay(&module.path, node.file.text.clone());
                }
            }
        }
        self.locked = chunk.locked;
        self.names = chunk.names;
        self.prelude = combined;
        self.accepted.push(current);
        Ok(match reply {
            RunReply::Ok => Outcome::Ok,
            RunReply::Error(text) => {
                errln!("{}", self.paint_error(&text));
                Outcome::Failed
            }
            RunReply::Interrupted { .. } => {
                errln!("interrupted");
                Outcome::Interrupted
            }
        })
    }

    /// A line is about to be read (see `Driver::prompt`).
    pub(crate) fn prompt(&mut self) -> Result<(), DriverGone> {
        self.driver.prompt()
    }

    /// The session's variables and what they hold, as ML shows them.
    pub(crate) fn vars(&mut self) -> Result<Vec<(String, String)>, DriverGone> {
        let names: Vec<Value> = self.names.iter().map(|(ml, py)| json!([ml, py])).collect();
        let reply = self
            .driver
            .request(&json!({"op": "vars", "names": names}))?;
        Ok(reply
            .get("vars")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|pair| {
                        Some((
                            pair.get(0)?.as_str()?.to_string(),
                            pair.get(1)?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Starts over: no names, no inputs; the program's modules are read again when next
    /// imported.
    pub(crate) fn clear(&mut self) -> Result<(), DriverGone> {
        self.driver.request(&json!({"op": "clear"}))?;
        for path in std::mem::take(&mut self.defined) {
            self.cache.remove_overlay(&path);
        }
        self.prelude.clear();
        self.accepted.clear();
        self.locked.clear();
        self.names.clear();
        Ok(())
    }

    /// `FILE:LINE: message` with the place in bold and the word error in red, when colored.
    fn paint_error(&self, text: &str) -> String {
        if !self.style.color {
            return text.to_string();
        }
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let rest: Vec<&str> = lines.collect();
        let mut out = format!("\x1b[1;31merror\x1b[0m: {first}");
        for line in rest {
            out.push('\n');
            out.push_str(line);
        }
        out
    }

    /// Shows a diagnostic; one in the session module is shown in the input it points
    /// into, under that input's name and lines.
    fn show(&self, d: &Diagnostic, entry_path: &Path, current: &Accepted) {
        let mut sources = Sources::default();
        let mut d = d.clone();
        if d.file == entry_path {
            let (name, range) = self.place(d.range, current, &mut sources);
            d.file = name;
            d.range = range;
        }
        for related in &mut d.related {
            if related.file == entry_path {
                let (name, range) = self.place(related.range, current, &mut sources);
                related.file = name;
                related.range = range;
            }
        }
        err!("{}", render::human(&d, &mut sources, &self.style));
    }

    /// The input a range of the session module falls in: its name, and the range in its
    /// text as shown (line breaks before it so that lines count from its first line).
    fn place(
        &self,
        range: TextRange,
        current: &Accepted,
        sources: &mut Sources,
    ) -> (PathBuf, TextRange) {
        let at = usize::from(range.start());
        let input = if at >= current.start {
            current
        } else {
            let i = self.accepted.partition_point(|a| a.start <= at);
            &self.accepted[i.saturating_sub(1)]
        };
        let pad = input.source.first_line.saturating_sub(1) as usize;
        let added = input
            .source
            .added_semicolon
            .filter(|&at| input.text.get(at..at + 1) == Some(";"));
        let typed = match added {
            Some(at) => format!("{}{}", &input.text[..at], &input.text[at + 1..]),
            None => input.text.clone(),
        };
        let shown = format!("{}{typed}", "\n".repeat(pad));
        let shift = |offset: TextSize| {
            let mut offset = usize::from(offset).saturating_sub(input.start);
            if added.is_some_and(|at| offset > at) {
                offset -= 1;
            }
            TextSize::from((offset + pad).min(shown.len()) as u32)
        };
        let name = PathBuf::from(&input.source.name);
        let moved = TextRange::new(shift(range.start()), shift(range.end()));
        sources.insert(&name, shown.as_str().into());
        (name, moved)
    }
}
