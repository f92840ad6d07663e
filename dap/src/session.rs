//! One debugging session: the editor's requests answered in ML terms, debugpy's events
//! passed on in ML terms. Messages from both sides are handled one at a time, in the
//! order they arrive; a request to debugpy that the answer depends on is waited for.

use crate::breakpoints::{failed_condition, place, Placed, PyBreakpoint};
use crate::debugpy::{last_line, response_message, Debugpy, DebugpyError};
use crate::editor::Editor;
use crate::evaluate::Compiler;
use crate::launch::{LaunchArgs, Loader};
use crate::messages::ml_error_text;
use crate::program::{Module, Program};
use crate::shared_ids::SharedLineIds;
use crate::stack::{classify, frame_json, source_json, Frame, MlFrame};
use crate::variables::Vars;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// What reaches the session: a message from the editor (`None` once its stream ends), or
/// from the debugpy of a launch (`None` once it stops).
pub enum Incoming {
    Editor(Option<Value>),
    Debugpy(u64, Option<Value>),
}

/// What requests about the program get once it has ended.
const ENDED: &str = "the program has ended";

/// How many times a step is repeated to leave code that is not ML (the glue of an
/// emitted module, the runtime) before the stop is shown where it is.
const MAX_REPEATED_STEPS: u32 = 200;

/// A step in progress: the command to repeat while it stops outside ML code.
struct Step {
    thread: i64,
    command: &'static str,
    repeated: u32,
    /// Where the step started (for `next` and `stepIn`), to go on while it is still
    /// in the same ML statement.
    origin: Option<Origin>,
    /// A `continue` that first steps off a statement written over several lines: once
    /// off it, the program continues instead of stopping.
    then_continue: bool,
}

/// Where a step started: its frame (how deep, which function) and line.
struct Origin {
    depth: usize,
    module: usize,
    name: String,
    ml_line: u32,
    /// The first Python line of the statement being stepped from.
    statement: u32,
    py_line: u32,
    /// Whether the step went on from one of the statement's other lines (Python comes back
    /// to a statement's first line after them, and stops again on its breakpoint).
    inside: bool,
}

impl Origin {
    fn of(program: &Program, frames: &[MlFrame]) -> Option<Origin> {
        let top = frames.first()?;
        let statement = program.module(top.module).breaks.statement_of(top.py_line);
        Some(Origin {
            depth: frames.len(),
            module: top.module,
            name: top.name.clone(),
            ml_line: top.ml_line,
            statement,
            py_line: top.py_line,
            // Stopped on one of a statement's later lines (back from a call made there):
            // Python's coming back to its first line is the same execution.
            inside: top.py_line != statement,
        })
    }

    /// Whether a stop (with `reason`) in `frames` is still part of the ML line the step
    /// started on, so that the step goes on: one of the lines of the statement after its
    /// first (a statement over several lines is one step), its first line again after
    /// them (Python's way with calls over several lines), or a later statement of the same
    /// ML line (`a = 1; b = 2;` is one stop). A loop coming back to a line stops.
    fn goes_on(&mut self, program: &Program, frames: &[MlFrame], reason: &str) -> bool {
        let Some(top) = frames.first() else {
            return false;
        };
        if frames.len() != self.depth || top.module != self.module || top.name != self.name {
            return false;
        }
        let statement = program.module(top.module).breaks.statement_of(top.py_line);
        if statement == self.statement {
            if top.py_line != self.statement && reason == "step" {
                self.inside = true;
                return true;
            }
            // Back on the first line after the others: the same execution of it.
            return self.inside && top.py_line == self.statement;
        }
        if reason == "step" && top.ml_line == self.ml_line && top.py_line > self.py_line {
            self.statement = statement;
            self.py_line = top.py_line;
            self.inside = false;
            return true;
        }
        false
    }

    /// Whether the statement stepped from goes on over more Python lines.
    fn spans_lines(&self, program: &Program) -> bool {
        program
            .module(self.module)
            .breaks
            .spans_lines(self.statement)
    }
}

/// One launched program and the debugpy running it.
struct Run {
    program: Program,
    debugpy: Debugpy,
    generation: u64,
    /// The editor's `launch` or `restart`, answered when debugpy answers its launch.
    pending: Option<(Value, i64)>,
    /// The first line of the entry, while the program should stop there: (Python line,
    /// debugpy's breakpoint id once set).
    entry_stop: Option<(u32, Option<i64>)>,
    /// The breakpoints last sent for each module (to add or drop the entry stop).
    sent: HashMap<usize, Vec<PyBreakpoint>>,
    step: Option<Step>,
    frames: HashMap<i64, MlFrame>,
    vars: Vars,
    terminated: bool,
    /// The exception of the last exception stop and where it was, as (message, frames
    /// innermost first): debugpy stops again in every frame a caught-exception stop's
    /// exception passes through on its way out, which is the same exception to ML.
    last_exception: Option<(String, Vec<(usize, String)>)>,
    /// Where the program was resumed from (thread, and its ML frames innermost first as
    /// (module, function, first Python line of the statement, Python line)), when a frame
    /// was in a statement written over several lines: Python comes back to such a
    /// statement's first line after a call on one of its other lines returns, and debugpy
    /// stops on its breakpoint again, in the same execution of the statement.
    resumed_in: Option<(i64, Vec<ResumedFrame>)>,
}

/// One ML frame where the program was resumed: (module, function, first Python line of
/// its statement, Python line).
type ResumedFrame = (usize, String, u32, u32);

pub struct Session {
    editor: Editor,
    loader: Box<dyn Loader>,
    tx: Sender<Incoming>,
    compiler: Option<Compiler>,
    /// The editor's `initialize` arguments.
    client: Value,
    run: Option<Run>,
    generation: u64,
    launch: Option<LaunchArgs>,
    /// The editor's breakpoints per ML file, replayed after a restart.
    breakpoints: BTreeMap<PathBuf, Value>,
    exception_filters: Value,
    configured: bool,
    /// The editor's requests to the editor that answer one of debugpy's: our seq → theirs.
    reverse: HashMap<i64, (u64, Value)>,
    default_python: OsString,
    /// The arguments of the last launch (a restart without new ones uses them).
    last_arguments: Option<Value>,
    shared_ids: SharedLineIds,
}

impl Session {
    pub fn new(
        editor: Editor,
        loader: Box<dyn Loader>,
        tx: Sender<Incoming>,
        default_python: OsString,
    ) -> Session {
        Session {
            editor,
            loader,
            tx,
            compiler: None,
            client: Value::Null,
            run: None,
            generation: 0,
            launch: None,
            breakpoints: BTreeMap::new(),
            exception_filters: json!({"filters": ["uncaught"]}),
            configured: false,
            reverse: HashMap::new(),
            default_python,
            last_arguments: None,
            shared_ids: SharedLineIds::default(),
        }
    }

    /// Handles messages until the editor disconnects or its stream ends.
    pub fn serve(&mut self, rx: Receiver<Incoming>) {
        while let Ok(incoming) = rx.recv() {
            let go_on = match incoming {
                Incoming::Editor(Some(message)) => self.on_editor(message),
                Incoming::Editor(None) => false,
                Incoming::Debugpy(generation, message) => {
                    if self.run.as_ref().map(|r| r.generation) == Some(generation) {
                        match message {
                            Some(message) => self.on_debugpy(message),
                            None => self.debugpy_stopped(),
                        }
                    }
                    true
                }
            };
            if !go_on {
                break;
            }
        }
        if let Some(mut run) = self.run.take() {
            run.debugpy.stop(Duration::from_millis(500));
        }
    }

    // ------------------------------------------------------------------ the editor

    /// One message of the editor's; false once the session is over.
    fn on_editor(&mut self, message: Value) -> bool {
        match message["type"].as_str() {
            Some("request") => {}
            Some("response") => {
                self.editor_answered(message);
                return true;
            }
            _ => return true,
        }
        let command = message["command"].as_str().unwrap_or_default().to_string();
        let result = match command.as_str() {
            "initialize" => {
                self.initialize(&message);
                Ok(())
            }
            "launch" => self.launch(message.clone(), false),
            "attach" => Err(
                "mlpy dap launches programs; attaching to a running one is not supported"
                    .to_string(),
            ),
            "restart" => self.restart(message.clone()),
            "setBreakpoints" => self.set_breakpoints(&message),
            "setExceptionBreakpoints" => self.set_exception_breakpoints(&message),
            "configurationDone" => self.configuration_done(&message),
            "threads" => self.threads(&message),
            "stackTrace" => self.stack_trace(&message),
            "scopes" => self.scopes(&message),
            "variables" => self.variables(&message),
            "evaluate" => self.evaluate(&message),
            "exceptionInfo" => self.exception_info(&message),
            "continue" => self.resume(&message),
            "next" | "stepIn" | "stepOut" => self.step(&message),
            "pause" => thread_id(&message, true).and_then(|_| self.forward(&message, "pause")),
            // Once the program has ended there is nothing left to end.
            "terminate" if self.run.as_ref().is_some_and(|r| r.terminated) => {
                self.editor.respond(&message, json!({}));
                Ok(())
            }
            "terminate" => self.forward(&message, "terminate"),
            "disconnect" => {
                self.disconnect(&message);
                return false;
            }
            other => Err(format!("mlpy dap does not support '{other}'")),
        };
        if let Err(error) = result {
            self.editor.fail(&message, &error);
        }
        true
    }

    fn initialize(&mut self, request: &Value) {
        let args = &request["arguments"];
        self.editor.lines_from_1 = args["linesStartAt1"].as_bool().unwrap_or(true);
        self.editor.columns_from_1 = args["columnsStartAt1"].as_bool().unwrap_or(true);
        self.client = args.clone();
        self.editor.respond(
            request,
            json!({
                "supportsConfigurationDoneRequest": true,
                "supportsConditionalBreakpoints": true,
                "supportsHitConditionalBreakpoints": true,
                "supportsLogPoints": true,
                "supportsEvaluateForHovers": true,
                "supportsExceptionInfoRequest": true,
                "supportsTerminateRequest": true,
                "supportTerminateDebuggee": true,
                "supportsRestartRequest": true,
                "supportsDelayedStackTraceLoading": true,
                "exceptionBreakpointFilters": [
                    {"filter": "uncaught", "label": "Uncaught ML exceptions", "default": true,
                     "description": "Stop where an exception is thrown that nothing catches"},
                    {"filter": "raised", "label": "Caught ML exceptions", "default": false,
                     "description": "Stop where any exception is thrown, even one that is caught"},
                ],
            }),
        );
    }

    /// `launch` (and the relaunch of `restart`): prepares the program, starts debugpy,
    /// asks it to launch; the editor's request is answered when debugpy answers.
    fn launch(&mut self, request: Value, restart: bool) -> Result<(), String> {
        let arguments = if restart {
            match request["arguments"].get("arguments") {
                Some(args) if args.is_object() => args.clone(),
                _ => self.last_arguments.clone().unwrap_or(Value::Null),
            }
        } else {
            request["arguments"].clone()
        };
        let launch = LaunchArgs::parse(&arguments, self.default_python.clone())
            .map_err(|e| e.to_string())?;
        let prepared = self.loader.prepare(&launch).map_err(|e| {
            if !e.details.is_empty() {
                self.editor.output("stderr", &e.details);
            }
            e.message
        })?;
        let program = Program::new(prepared).map_err(|e| e.to_string())?;
        if self.compiler.is_none() {
            self.compiler =
                Some(Compiler::new().map_err(|e| format!("cannot evaluate expressions: {e}"))?);
        }

        self.generation += 1;
        self.shared_ids.new_run();
        let generation = self.generation;
        let tx = self.tx.clone();
        let debugpy = Debugpy::start(&launch.python, move |message| {
            tx.send(Incoming::Debugpy(generation, message)).is_ok()
        })
        .map_err(|e| e.to_string())?;
        let supports_terminal = self.client["supportsRunInTerminalRequest"] == true;
        debugpy
            .request(
                "initialize",
                json!({
                    "clientID": "mlpy-dap", "clientName": "mlpy dap", "adapterID": "debugpy",
                    "pathFormat": "path", "linesStartAt1": true, "columnsStartAt1": true,
                    "supportsVariableType": true, "supportsRunInTerminalRequest": supports_terminal,
                    "locale": self.client["locale"].as_str().unwrap_or("en-us"),
                }),
            )
            .map_err(|e| match e {
                DebugpyError::Exited { .. } | DebugpyError::Write(_) => debugpy.gone().to_string(),
                other => other.to_string(),
            })?;
        let launch_seq = debugpy
            .send("launch", debugpy_launch(&program, &launch))
            .map_err(|e| e.to_string())?;
        let entry_stop = launch
            .stop_on_entry
            .then(|| program.module(program.entry_module).breaks.first())
            .flatten()
            .map(|(_, py)| (py, None));
        self.run = Some(Run {
            program,
            debugpy,
            generation,
            pending: Some((request, launch_seq)),
            entry_stop,
            sent: HashMap::new(),
            step: None,
            frames: HashMap::new(),
            vars: Vars::default(),
            terminated: false,
            last_exception: None,
            resumed_in: None,
        });
        self.launch = Some(launch);
        self.last_arguments = Some(arguments);
        Ok(())
    }

    /// `restart`: ends the program and debugpy, then launches again (with the new
    /// configuration, when the editor sends one) and replays the breakpoints.
    fn restart(&mut self, request: Value) -> Result<(), String> {
        if let Some(mut run) = self.run.take() {
            let _ = run
                .debugpy
                .request("disconnect", json!({"terminateDebuggee": true}));
            run.debugpy.stop(Duration::from_secs(2));
        }
        self.launch(request, true)
    }

    fn run(&self) -> Result<&Run, String> {
        self.run
            .as_ref()
            .ok_or_else(|| "no program is being debugged: launch one first".to_string())
    }

    fn run_mut(&mut self) -> Result<&mut Run, String> {
        self.run
            .as_mut()
            .ok_or_else(|| "no program is being debugged: launch one first".to_string())
    }

    /// `threads`: debugpy's, while a program runs; before a launch and once the program
    /// has ended there are none (clients ask at any time, an error would be shown).
    fn threads(&mut self, request: &Value) -> Result<(), String> {
        if self.run.as_ref().is_none_or(|r| r.terminated) {
            self.editor.respond(request, json!({"threads": []}));
            return Ok(());
        }
        self.forward(request, "threads")
    }

    /// Passes a request to debugpy as it is and its answer back.
    fn forward(&mut self, request: &Value, command: &str) -> Result<(), String> {
        if self.run()?.terminated {
            return Err(ENDED.to_string());
        }
        let body = self
            .run()?
            .debugpy
            .request(command, request["arguments"].clone())
            .map_err(|e| e.to_string())?;
        self.editor.respond(request, body);
        Ok(())
    }

    fn set_breakpoints(&mut self, request: &Value) -> Result<(), String> {
        let args = &request["arguments"];
        let path = PathBuf::from(args["source"]["path"].as_str().unwrap_or_default());
        self.breakpoints.insert(path.clone(), args.clone());
        let requested: Vec<Value> = args["breakpoints"].as_array().cloned().unwrap_or_default();
        let body = self.apply_breakpoints(&path, &requested)?;
        self.editor.respond(request, body);
        Ok(())
    }

    /// Sets the breakpoints of one ML file: the response body for the editor.
    fn apply_breakpoints(
        &mut self,
        path: &std::path::Path,
        requested: &[Value],
    ) -> Result<Value, String> {
        let editor_lines: Vec<u32> = requested
            .iter()
            .map(|b| self.editor.line_in(b["line"].as_i64().unwrap_or(1)))
            .collect();
        let run = self.run.as_mut().ok_or("no program is being debugged")?;
        let Some(module) = run.program.by_ml_path(path) else {
            let message = format!(
                "{} is not part of the program being debugged",
                path.display()
            );
            let list: Vec<Value> = requested
                .iter()
                .map(|b| json!({"verified": false, "line": b["line"], "message": message}))
                .collect();
            return Ok(json!({"breakpoints": list}));
        };
        let compiler = self.compiler.as_ref().ok_or("no compiler")?;
        let placed: Vec<Placed> = requested
            .iter()
            .zip(&editor_lines)
            .map(|(b, &line)| place(&run.program, compiler, module, line, b))
            .collect();
        let mut py: Vec<PyBreakpoint> = placed
            .iter()
            .filter_map(|p| match p {
                Placed::Set { py, .. } => Some(py.clone()),
                Placed::Refused(_) => None,
            })
            .collect();
        // debugpy keeps one breakpoint per line: the first of several wins.
        let mut seen = std::collections::HashSet::new();
        py.retain(|b| seen.insert(b.line));
        let answers = send_breakpoints(run, module, py)?;
        let source = source_json(&run.program, module);
        self.shared_ids.reset(path);
        let mut first_on_line = std::collections::HashSet::new();
        let list: Vec<Value> = placed
            .iter()
            .enumerate()
            .map(|(index, p)| match p {
                Placed::Set { ml_line, py } => {
                    let answer = answers.get(&py.line);
                    let mut b = json!({
                        "verified": answer.is_some_and(|a| a["verified"] != false),
                        "line": self.editor.line_out(*ml_line),
                        "source": source,
                    });
                    if let Some(id) = answer.and_then(|a| a["id"].as_i64()) {
                        b["id"] = if first_on_line.insert(py.line) {
                            json!(id)
                        } else {
                            json!(self.shared_ids.share(path, index, id))
                        };
                    }
                    if let Some(message) = answer.and_then(|a| a["message"].as_str()) {
                        b["message"] = json!(message);
                    }
                    b
                }
                Placed::Refused(message) => json!({"verified": false, "message": message}),
            })
            .collect();
        Ok(json!({"breakpoints": list}))
    }

    fn set_exception_breakpoints(&mut self, request: &Value) -> Result<(), String> {
        self.exception_filters = request["arguments"].clone();
        let body = self.send_exception_filters()?;
        self.editor.respond(request, body);
        Ok(())
    }

    fn send_exception_filters(&mut self) -> Result<Value, String> {
        let filters: Vec<&str> = self.exception_filters["filters"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(Value::as_str)
                    .filter(|f| matches!(*f, "uncaught" | "raised"))
                    .collect()
            })
            .unwrap_or_default();
        let body = self
            .run()?
            .debugpy
            .request("setExceptionBreakpoints", json!({"filters": filters}))
            .map_err(|e| e.to_string())?;
        Ok(body)
    }

    fn configuration_done(&mut self, request: &Value) -> Result<(), String> {
        self.configured = true;
        self.finish_configuration()?;
        self.editor.respond(request, json!({}));
        Ok(())
    }

    /// What has to reach debugpy before the program starts: the exception filters (the
    /// defaults when the editor sent none: uncaught exceptions stop), the entry stop
    /// (when no breakpoint of the entry's file was sent with it), then
    /// `configurationDone`.
    fn finish_configuration(&mut self) -> Result<(), String> {
        self.send_exception_filters()?;
        let run = self.run_mut()?;
        if run.entry_stop.is_some() && !run.sent.contains_key(&run.program.entry_module) {
            let entry = run.program.entry_module;
            send_breakpoints(run, entry, Vec::new())?;
        }
        run.debugpy
            .request("configurationDone", json!({}))
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The ML frames of `thread`, and whether the innermost Python frame is one of them.
    fn ml_stack(&mut self, thread: i64) -> Result<(Vec<MlFrame>, Frame), String> {
        let run = self.run_mut()?;
        if run.terminated {
            return Err(ENDED.to_string());
        }
        let body = run
            .debugpy
            .request("stackTrace", json!({"threadId": thread}))
            .map_err(|e| e.to_string())?;
        let frames = body["stackFrames"].as_array().cloned().unwrap_or_default();
        let mut top = Frame::Hidden;
        let mut out = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            let frame = classify(&run.program, f);
            if i == 0 {
                top = frame.clone();
            }
            if let Frame::Ml(ml) = frame {
                run.frames.insert(ml.id, ml.clone());
                out.push(ml);
            }
        }
        Ok((out, top))
    }

    fn stack_trace(&mut self, request: &Value) -> Result<(), String> {
        let args = &request["arguments"];
        let thread = thread_id(request, true)?;
        let (frames, _) = self.ml_stack(thread)?;
        let start = args["startFrame"].as_u64().unwrap_or(0) as usize;
        let levels = match args["levels"].as_u64() {
            Some(0) | None => usize::MAX,
            Some(n) => n as usize,
        };
        let run = self.run()?;
        let list: Vec<Value> = frames
            .iter()
            .skip(start)
            .take(levels)
            .map(|f| frame_json(&run.program, &self.editor, f))
            .collect();
        self.editor.respond(
            request,
            json!({"stackFrames": list, "totalFrames": frames.len()}),
        );
        Ok(())
    }

    fn frame(&self, id: i64) -> Result<MlFrame, String> {
        self.run()?
            .frames
            .get(&id)
            .cloned()
            .ok_or_else(|| format!("no ML frame {id}: the program ran on since"))
    }

    fn scopes(&mut self, request: &Value) -> Result<(), String> {
        let frame = self.frame(request["arguments"]["frameId"].as_i64().unwrap_or(-1))?;
        let run = self.run_mut()?;
        let body = run
            .debugpy
            .request("scopes", json!({"frameId": frame.id}))
            .map_err(|e| e.to_string())?;
        let mut locals = 0;
        let mut globals = 0;
        for scope in body["scopes"].as_array().cloned().unwrap_or_default() {
            let reference = scope["variablesReference"].as_i64().unwrap_or(0);
            match scope["name"].as_str() {
                Some("Locals") => locals = reference,
                Some("Globals") => globals = reference,
                _ => {}
            }
        }
        let mut scopes = Vec::new();
        // A module's top-level code keeps its variables as the module's globals.
        if !frame.module_level && locals > 0 {
            run.vars.add_scope(locals, frame.module, false);
            scopes.push(json!({"name": "Locals", "presentationHint": "locals",
                               "variablesReference": locals, "expensive": false}));
        }
        if globals > 0 {
            run.vars.add_scope(globals, frame.module, true);
            let name = if frame.module_level {
                "Locals"
            } else {
                "Module"
            };
            let mut scope =
                json!({"name": name, "variablesReference": globals, "expensive": false});
            if frame.module_level {
                scope["presentationHint"] = json!("locals");
            }
            scopes.push(scope);
        }
        self.editor.respond(request, json!({"scopes": scopes}));
        Ok(())
    }

    fn variables(&mut self, request: &Value) -> Result<(), String> {
        let args = &request["arguments"];
        let reference = args["variablesReference"].as_i64().unwrap_or(0);
        let run = self.run_mut()?;
        if run.vars.get(reference).is_none() {
            return Err("these variables are gone: the program ran on since".to_string());
        }
        let mut forwarded = json!({"variablesReference": reference});
        for key in ["filter", "start", "count"] {
            if let Some(value) = args.get(key) {
                forwarded[key] = value.clone();
            }
        }
        let body = run
            .debugpy
            .request("variables", forwarded)
            .map_err(|e| e.to_string())?;
        let children = body["variables"].as_array().cloned().unwrap_or_default();
        let list = run.vars.children(&run.program, reference, &children);
        self.editor.respond(request, json!({"variables": list}));
        Ok(())
    }

    fn evaluate(&mut self, request: &Value) -> Result<(), String> {
        let args = &request["arguments"];
        let expression = args["expression"].as_str().unwrap_or_default().to_string();
        let Some(frame_id) = args["frameId"].as_i64() else {
            return Err("ML expressions are evaluated in a frame: pause the program first".into());
        };
        let frame = self.frame(frame_id)?;
        let compiler = self.compiler.as_ref().ok_or("no compiler")?;
        let run = self.run.as_mut().ok_or("no program is being debugged")?;
        let python = compiler
            .compile(&run.program, frame.module, frame.ml_line, &expression)
            .map_err(|e| e.to_string())?;
        // debugpy reads `@LINE@` as a line break: only ever inside a string literal here.
        let python = python.replace("@LINE@", "\\x40LINE\\x40");
        let context = match args["context"].as_str() {
            Some("hover") => "hover",
            _ => "watch",
        };
        let body = run
            .debugpy
            .request(
                "evaluate",
                json!({"expression": python, "frameId": frame.id, "context": context}),
            )
            .map_err(|e| match e {
                DebugpyError::Failed { message } => {
                    ml_error_text(&message, Some(run.program.module(frame.module)))
                }
                other => other.to_string(),
            })?;
        // What reads a member of the result: the expression, in parentheses unless it is
        // a name or a member path already.
        let simple = expression
            .trim()
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"'));
        let base = if simple {
            expression.trim().to_string()
        } else {
            format!("({})", expression.trim())
        };
        let value = run.vars.value(
            &run.program,
            &body,
            "result",
            expression.clone(),
            Some(base),
        );
        let mut out = json!({
            "result": value["value"],
            "type": value["type"],
            "variablesReference": value["variablesReference"],
        });
        for key in ["indexedVariables", "namedVariables"] {
            if let Some(v) = value.get(key) {
                out[key] = v.clone();
            }
        }
        self.editor.respond(request, out);
        Ok(())
    }

    fn exception_info(&mut self, request: &Value) -> Result<(), String> {
        let thread = thread_id(request, true)?;
        // debugpy answers for a stop of another kind with a Python traceback of its own in
        // the debug console.
        if self.run()?.last_exception.is_none() {
            return Err("the program is not stopped on an exception".to_string());
        }
        let info = self
            .run()?
            .debugpy
            .request("exceptionInfo", json!({"threadId": thread}))
            .map_err(|e| e.to_string())?;
        let (frames, _) = self.ml_stack(thread)?;
        let run = self.run()?;
        let message =
            ml_exception_message(&info, frames.first().map(|f| run.program.module(f.module)));
        let mut trace = String::from("ML traceback (most recent call last):\n");
        for f in frames.iter().rev() {
            trace.push_str(&format!(
                "  {}:{} in {}\n",
                run.program.module(f.module).display,
                f.ml_line,
                f.name
            ));
        }
        let type_name = info["details"]["typeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.editor.respond(
            request,
            json!({
                "exceptionId": ml_exception_id(&type_name),
                "description": message,
                "breakMode": info["breakMode"],
                "details": {"message": message, "typeName": ml_exception_id(&type_name),
                            "stackTrace": trace},
            }),
        );
        Ok(())
    }

    fn step(&mut self, request: &Value) -> Result<(), String> {
        let command: &'static str = match request["command"].as_str() {
            Some("stepIn") => "stepIn",
            Some("stepOut") => "stepOut",
            _ => "next",
        };
        let thread = thread_id(request, true)?;
        // Where it starts from: a step goes on over the rest of the line's statements.
        let (frames, _) = self.ml_stack(thread)?;
        let origin = if command == "stepOut" {
            None
        } else {
            Origin::of(&self.run()?.program, &frames)
        };
        self.note_resumed(thread, &frames);
        self.clear_stop();
        let run = self.run_mut()?;
        run.step = Some(Step {
            thread,
            command,
            repeated: 0,
            origin,
            then_continue: false,
        });
        run.debugpy
            .request(command, json!({"threadId": thread}))
            .map_err(|e| e.to_string())?;
        self.editor.respond(request, json!({}));
        Ok(())
    }

    /// `continue`: from a statement written over several lines, Python would stop on its
    /// breakpoint again when it comes back to the statement's first line; the program
    /// first steps off the statement, then continues.
    fn resume(&mut self, request: &Value) -> Result<(), String> {
        let thread = thread_id(request, false)?;
        let origin = match thread {
            thread if thread != 0 && self.run.as_ref().is_some_and(|r| r.step.is_none()) => {
                match self.ml_stack(thread) {
                    Ok((frames, _)) => {
                        self.note_resumed(thread, &frames);
                        let program = &self.run()?.program;
                        Origin::of(program, &frames)
                            .filter(|o| o.spans_lines(program))
                            .map(|o| (thread, o))
                    }
                    Err(_) => None,
                }
            }
            _ => None,
        };
        self.clear_stop();
        let Some((thread, origin)) = origin else {
            return self.forward(request, "continue");
        };
        let run = self.run_mut()?;
        run.step = Some(Step {
            thread,
            command: "next",
            repeated: 0,
            origin: Some(origin),
            then_continue: true,
        });
        run.debugpy
            .request("next", json!({"threadId": thread}))
            .map_err(|e| e.to_string())?;
        self.editor
            .respond(request, json!({"allThreadsContinued": true}));
        Ok(())
    }

    /// Keeps where `thread` is resumed from when one of its frames is in a statement over
    /// several lines (see `Run::resumed_in`).
    fn note_resumed(&mut self, thread: i64, frames: &[MlFrame]) {
        let Some(run) = self.run.as_mut() else { return };
        let program = &run.program;
        let list: Vec<ResumedFrame> = frames
            .iter()
            .map(|f| {
                let breaks = &program.module(f.module).breaks;
                (
                    f.module,
                    f.name.clone(),
                    breaks.statement_of(f.py_line),
                    f.py_line,
                )
            })
            .collect();
        let spans = list
            .iter()
            .any(|(m, _, statement, _)| program.module(*m).breaks.spans_lines(*statement));
        run.resumed_in = spans.then_some((thread, list));
    }

    /// What a stop told about frames and values is gone once the program runs again.
    fn clear_stop(&mut self) {
        if let Some(run) = self.run.as_mut() {
            run.frames.clear();
            run.vars.clear();
        }
    }

    fn disconnect(&mut self, request: &Value) {
        let terminate = request["arguments"]["terminateDebuggee"]
            .as_bool()
            .unwrap_or(true);
        if let Some(mut run) = self.run.take() {
            let _ = run
                .debugpy
                .request("disconnect", json!({"terminateDebuggee": terminate}));
            run.debugpy.stop(Duration::from_secs(2));
        }
        self.editor.respond(request, json!({}));
    }

    /// The editor answered one of its requests: a `runInTerminal` asked by debugpy.
    fn editor_answered(&mut self, response: Value) {
        let seq = response["request_seq"].as_i64().unwrap_or(-1);
        let Some((generation, original)) = self.reverse.remove(&seq) else {
            return;
        };
        if let Some(run) = self.run.as_ref().filter(|r| r.generation == generation) {
            run.debugpy.respond(
                &original,
                response["success"] == true,
                response["body"].clone(),
                response["message"].as_str(),
            );
        }
    }

    // ------------------------------------------------------------------ debugpy

    fn on_debugpy(&mut self, message: Value) {
        match message["type"].as_str() {
            Some("event") => self.debugpy_event(message),
            Some("response") => self.debugpy_response(message),
            Some("request") => self.debugpy_request(message),
            _ => {}
        }
    }

    /// A response nobody waited for: debugpy's answer to the launch.
    fn debugpy_response(&mut self, response: Value) {
        let Some(run) = self.run.as_mut() else { return };
        let seq = response["request_seq"].as_i64();
        let Some((request, launch_seq)) = run.pending.take() else {
            return;
        };
        if Some(launch_seq) != seq {
            run.pending = Some((request, launch_seq));
            return;
        }
        if response["success"] == true {
            self.editor.respond(&request, json!({}));
        } else {
            self.editor.fail(&request, &response_message(&response));
        }
    }

    /// debugpy asks its client something (`runInTerminal`): the editor answers.
    fn debugpy_request(&mut self, request: Value) {
        let Some(run) = self.run.as_ref() else { return };
        if request["command"] == "runInTerminal"
            && self.client["supportsRunInTerminalRequest"] == true
        {
            let seq = self
                .editor
                .request("runInTerminal", request["arguments"].clone());
            self.reverse.insert(seq, (run.generation, request));
        } else {
            run.debugpy.respond(
                &request,
                false,
                json!({}),
                Some("not supported by mlpy dap"),
            );
        }
    }

    fn debugpy_event(&mut self, event: Value) {
        let name = event["event"].as_str().unwrap_or_default().to_string();
        let body = event["body"].clone();
        match name.as_str() {
            "initialized" => self.debugpy_initialized(),
            "stopped" => {
                if let Err(error) = self.stopped(body) {
                    self.editor
                        .output("console", &format!("mlpy dap: {error}\n"));
                }
            }
            "output" => self.output(&body),
            "continued" => {
                self.clear_stop();
                self.editor.event("continued", body);
            }
            "thread" | "exited" => self.editor.event(&name, body),
            "terminated" => {
                if let Some(run) = self.run.as_mut() {
                    run.terminated = true;
                }
                self.editor.event("terminated", json!({}));
            }
            "process" => {
                let mut body = body;
                if let Some(launch) = &self.launch {
                    body["name"] = json!(launch.program.to_string_lossy());
                }
                self.editor.event("process", body);
            }
            "breakpoint" => self.breakpoint_changed(body),
            // Python's modules, debugpy's sockets: nothing about ML.
            _ => {}
        }
    }

    /// debugpy is ready for breakpoints: the editor is told so on the first launch; on a
    /// restart its configuration is replayed.
    fn debugpy_initialized(&mut self) {
        if !self.configured {
            self.editor.event("initialized", json!({}));
            return;
        }
        let files: Vec<(PathBuf, Value)> = self
            .breakpoints
            .iter()
            .map(|(p, v)| (p.clone(), v.clone()))
            .collect();
        for (path, args) in files {
            let requested = args["breakpoints"].as_array().cloned().unwrap_or_default();
            if let Ok(body) = self.apply_breakpoints(&path, &requested) {
                // The lines may have moved with the new program.
                let source = json!({"path": path.to_string_lossy()});
                for b in body["breakpoints"].as_array().cloned().unwrap_or_default() {
                    if b.get("id").is_some() {
                        let mut b = b;
                        b["source"] = source.clone();
                        self.editor
                            .event("breakpoint", json!({"reason": "changed", "breakpoint": b}));
                    }
                }
            }
        }
        if let Err(error) = self.finish_configuration() {
            self.editor
                .output("console", &format!("mlpy dap: restart: {error}\n"));
        }
    }

    fn output(&mut self, body: &Value) {
        let text = body["output"].as_str().unwrap_or_default();
        match body["category"].as_str() {
            Some("telemetry") => {}
            // debugpy's advice about its Python settings ("justMyCode"): the runtime is
            // skipped on purpose.
            Some("important") if text.contains("justMyCode") => {}
            _ => match self.condition_failure(text) {
                Some(message) => self.editor.output("console", &message),
                None => self.editor.event("output", body.clone()),
            },
        }
    }

    /// debugpy's report of a breakpoint condition that raised (its Python and a Python
    /// traceback) as ML says it: the condition as typed, its ML place, the error. The
    /// breakpoint does not stop, as when the condition is false.
    fn condition_failure(&self, text: &str) -> Option<String> {
        let (python, error) = failed_condition(text)?;
        let run = self.run.as_ref()?;
        let found = run.sent.iter().find_map(|(module, list)| {
            list.iter()
                .filter_map(|b| b.condition.as_ref())
                .find(|c| c.python == python)
                .map(|c| (*module, c))
        });
        Some(match found {
            Some((module, condition)) => format!(
                "mlpy dap: the {} `{}` of the breakpoint at {}:{} failed: {}\n",
                if condition.log {
                    "log message"
                } else {
                    "condition"
                },
                condition.ml,
                run.program.module(module).display,
                condition.ml_line,
                ml_error_text(error, Some(run.program.module(module)))
            ),
            None => format!(
                "mlpy dap: a breakpoint condition failed: {}\n",
                ml_error_text(error, None)
            ),
        })
    }

    fn breakpoint_changed(&mut self, body: Value) {
        let Some(run) = self.run.as_ref() else { return };
        let b = &body["breakpoint"];
        let Some(module) = b["source"]["path"]
            .as_str()
            .and_then(|p| run.program.by_py_path(std::path::Path::new(p)))
        else {
            return;
        };
        let py_line = b["line"].as_u64().unwrap_or(0) as u32;
        let Some(ml_line) = run.program.module(module).map.ml_line(py_line) else {
            return;
        };
        let mut out = b.clone();
        out["line"] = json!(self.editor.line_out(ml_line));
        out["source"] = source_json(&run.program, module);
        // Every ML breakpoint on that Python line changed with it.
        let ids: Vec<Option<i64>> = match b["id"].as_i64() {
            Some(id) => self
                .shared_ids
                .editor_ids(id)
                .into_iter()
                .map(Some)
                .collect(),
            None => vec![None],
        };
        for id in ids {
            if let Some(id) = id {
                out["id"] = json!(id);
            }
            self.editor.event(
                "breakpoint",
                json!({"reason": body["reason"], "breakpoint": out}),
            );
        }
    }

    /// debugpy stopped: a step that ended outside ML code goes on; the first stop on the
    /// entry's first line is the entry stop; an exception gets its ML message.
    fn stopped(&mut self, mut body: Value) -> Result<(), String> {
        let thread = body["threadId"].as_i64().unwrap_or(0);
        // A plain breakpoint needs no look at the stack: the editor asks for it anyway.
        let plain = {
            let run = self.run_mut()?;
            body["reason"] == "breakpoint"
                && run.entry_stop.is_none()
                && run.step.as_ref().is_none_or(|s| s.thread != thread)
                && run.resumed_in.as_ref().is_none_or(|(t, _)| *t != thread)
        };
        if plain {
            let run = self.run_mut()?;
            run.last_exception = None;
            run.resumed_in = None;
            self.send_stopped(body);
            return Ok(());
        }
        let (frames, top) = self.ml_stack(thread)?;
        let run = self.run_mut()?;
        if body["reason"] == "breakpoint" && comes_back(run, thread, &frames) {
            // The same execution of the statement it was resumed in: go on as asked.
            let command = match run.step.as_mut().filter(|s| s.thread == thread) {
                Some(step) if step.repeated < MAX_REPEATED_STEPS => {
                    step.repeated += 1;
                    step.command
                }
                _ => "continue",
            };
            run.frames.clear();
            run.debugpy
                .request(command, json!({"threadId": thread}))
                .map_err(|e| e.to_string())?;
            return Ok(());
        }
        if let Some(step) = run.step.as_mut().filter(|s| s.thread == thread) {
            let outside = !matches!(top, Frame::Ml(_));
            if outside && step.repeated < MAX_REPEATED_STEPS && body["reason"] == "step" {
                step.repeated += 1;
                // Glue lines lead back into ML code by the same kind of step; from the
                // runtime or Python's code, out is the way back.
                let command = match top {
                    Frame::Glue => step.command,
                    _ => "stepOut",
                };
                run.frames.clear();
                run.debugpy
                    .request(command, json!({"threadId": thread}))
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            let reason = body["reason"].as_str().unwrap_or_default();
            let same_statement = step.repeated < MAX_REPEATED_STEPS
                && matches!(reason, "step" | "breakpoint")
                && step
                    .origin
                    .as_mut()
                    .is_some_and(|o| o.goes_on(&run.program, &frames, reason));
            if same_statement {
                step.repeated += 1;
                let command = step.command;
                run.frames.clear();
                run.debugpy
                    .request(command, json!({"threadId": thread}))
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            if step.then_continue && reason == "step" {
                run.step = None;
                run.frames.clear();
                run.debugpy
                    .request("continue", json!({"threadId": thread}))
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
        }
        run.step = None;
        if body["reason"] == "breakpoint" {
            if let Some((entry_line, entry_id)) = run.entry_stop {
                let hit: Vec<Value> = body["hitBreakpointIds"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                // By its id, or (debugpy releases that leave the ids out) by its place.
                let entry = &run.program.module(run.program.entry_module);
                let at_entry_line = frames.first().is_some_and(|f| {
                    f.module == run.program.entry_module
                        && entry.breaks.place(f.ml_line).map(|(_, py)| py) == Some(entry_line)
                });
                let by_id = entry_id.is_some_and(|id| hit.iter().any(|h| h.as_i64() == Some(id)));
                if by_id || (at_entry_line && (hit.is_empty() || entry_id.is_none())) {
                    let entry_id = entry_id.unwrap_or(-1);
                    body["reason"] = json!("entry");
                    let rest: Vec<Value> = hit
                        .into_iter()
                        .filter(|id| id.as_i64() != Some(entry_id))
                        .collect();
                    body["hitBreakpointIds"] = json!(rest);
                    run.entry_stop = None;
                }
            }
        }
        if body["reason"] == "exception" {
            // Passing through the glue around a module's code: not an ML place.
            let through_glue = top == Frame::Glue;
            let info = run
                .debugpy
                .request("exceptionInfo", json!({"threadId": thread}))
                .unwrap_or(Value::Null);
            let message =
                ml_exception_message(&info, frames.first().map(|f| run.program.module(f.module)));
            let place: Vec<(usize, String)> =
                frames.iter().map(|f| (f.module, f.name.clone())).collect();
            let propagating = run.last_exception.as_ref().is_some_and(|(m, before)| {
                *m == message && place.len() < before.len() && before.ends_with(&place)
            });
            if through_glue || propagating {
                run.last_exception = Some((message, place));
                run.debugpy
                    .request("continue", json!({"threadId": thread}))
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            run.last_exception = Some((message.clone(), place));
            body["description"] = json!("Paused on an ML exception");
            body["text"] = json!(message);
        } else {
            run.last_exception = None;
        }
        if frames.is_empty() && body["reason"] == "step" {
            // The program is leaving: nothing in ML left to show.
            run.debugpy
                .request("continue", json!({"threadId": thread}))
                .map_err(|e| e.to_string())?;
            return Ok(());
        }
        run.resumed_in = None;
        self.send_stopped(body);
        Ok(())
    }

    /// The stop reaches the editor, naming every ML breakpoint on the line it stopped at.
    fn send_stopped(&mut self, mut body: Value) {
        if let Some(hit) = body["hitBreakpointIds"].as_array() {
            let ids: Vec<i64> = hit
                .iter()
                .filter_map(Value::as_i64)
                .flat_map(|id| self.shared_ids.editor_ids(id))
                .collect();
            body["hitBreakpointIds"] = json!(ids);
        }
        self.editor.event("stopped", body);
    }

    fn debugpy_stopped(&mut self) {
        let Some(run) = self.run.as_mut() else { return };
        if let Some((request, _)) = run.pending.take() {
            let error = run.debugpy.gone().to_string();
            self.editor.fail(&request, &error);
        }
        if !run.terminated {
            run.terminated = true;
            self.editor.event("terminated", json!({}));
        }
    }
}

/// Whether a breakpoint stop of `thread` in `frames` is Python coming back to the first
/// line of a statement over several lines that a frame was in when the program was
/// resumed, after a call on one of its other lines returned: a frame at the same depth,
/// in the same function and statement, was inside a call then or on another of its lines.
fn comes_back(run: &Run, thread: i64, frames: &[MlFrame]) -> bool {
    let Some((_, before)) = run.resumed_in.as_ref().filter(|(t, _)| *t == thread) else {
        return false;
    };
    let Some(top) = frames.first() else {
        return false;
    };
    let breaks = &run.program.module(top.module).breaks;
    let statement = breaks.statement_of(top.py_line);
    if top.py_line != statement || !breaks.spans_lines(statement) {
        return false;
    }
    let Some(skip) = before.len().checked_sub(frames.len()) else {
        return false;
    };
    let same_frames = before[skip..]
        .iter()
        .zip(frames)
        .all(|((m, n, _, _), f)| *m == f.module && *n == f.name);
    let (m, n, s, py) = &before[skip];
    same_frames
        && *m == top.module
        && *n == top.name
        && *s == statement
        && (skip > 0 || *py != statement)
}

/// Sends `module`'s breakpoints (with the entry stop, while there is one for it) and
/// returns debugpy's answer for each Python line.
fn send_breakpoints(
    run: &mut Run,
    module: usize,
    mut py: Vec<PyBreakpoint>,
) -> Result<HashMap<u32, Value>, String> {
    let entry = (module == run.program.entry_module)
        .then_some(run.entry_stop)
        .flatten()
        .filter(|(line, _)| !py.iter().any(|b| b.line == *line));
    if let Some((line, _)) = entry {
        // Only its first hit: the first line may be a loop's.
        py.push(PyBreakpoint {
            line,
            condition: None,
            hit_condition: Some("1".into()),
            log_message: None,
        });
    }
    let path = run
        .program
        .module(module)
        .py_path
        .to_string_lossy()
        .into_owned();
    let list: Vec<Value> = py.iter().map(PyBreakpoint::to_json).collect();
    let body = run
        .debugpy
        .request(
            "setBreakpoints",
            json!({"source": {"path": path}, "breakpoints": list}),
        )
        .map_err(|e| e.to_string())?;
    let answers: Vec<Value> = body["breakpoints"].as_array().cloned().unwrap_or_default();
    let mut by_line = HashMap::new();
    for (b, answer) in py.iter().zip(answers) {
        by_line.insert(b.line, answer);
    }
    if let Some((line, _)) = entry {
        let id = by_line.get(&line).and_then(|a| a["id"].as_i64());
        run.entry_stop = Some((line, id));
    }
    run.sent.insert(module, py);
    Ok(by_line)
}

/// The arguments of debugpy's `launch`: the launcher runs the entry; the runtime and the
/// launcher are not the user's code (steps never stop there); debugpy's compiled and
/// native speed-ups are off, so every tracing call it makes comes from its own Python
/// files (the sandbox allows those, and only those).
fn debugpy_launch(program: &Program, launch: &LaunchArgs) -> Value {
    let entry = program
        .entry
        .strip_prefix(&program.dir)
        .unwrap_or(&program.entry)
        .to_string_lossy()
        .into_owned();
    let mut args = vec![entry];
    args.extend(launch.args.iter().cloned());
    let mut env = serde_json::Map::new();
    for (name, value) in &launch.env {
        env.insert(
            name.clone(),
            value.clone().map_or(Value::Null, Value::String),
        );
    }
    for (name, value) in [
        ("PYDEVD_USE_CYTHON", "NO"),
        ("PYDEVD_USE_FRAME_EVAL", "NO"),
        ("PYDEVD_LOAD_NATIVE_LIB", "0"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ] {
        env.insert(name.into(), json!(value));
    }
    json!({
        "name": "mlpy", "type": "python", "request": "launch",
        "program": program.launcher.to_string_lossy(),
        "args": args,
        "cwd": launch.cwd.to_string_lossy(),
        "python": [launch.python.to_string_lossy()],
        "console": launch.console,
        "noDebug": launch.no_debug,
        "justMyCode": true,
        "rules": [
            {"path": program.runtime_dir().to_string_lossy(), "include": false},
            {"path": program.launcher.to_string_lossy(), "include": false},
        ],
        "subProcess": false,
        "redirectOutput": true,
        "stopOnEntry": false,
        "showReturnValue": false,
        "variablePresentation": {"special": "hide", "function": "inline", "class": "hide",
                                 "protected": "inline"},
        "env": env,
    })
}

/// An exception's message as ML reports it: the thrown object's `message` (as thrown), or
/// `Type: message` for errors of the runtime and of Python (with ML's names, those of
/// `module`'s bindings: the module of the frame it stopped in).
fn ml_exception_message(info: &Value, module: Option<&Module>) -> String {
    let type_name = info["details"]["typeName"].as_str().unwrap_or_default();
    let description = info["description"]
        .as_str()
        .or_else(|| info["details"]["message"].as_str())
        .unwrap_or_default();
    let description = last_line(description);
    if type_name == "MLUserException" {
        return description.to_string();
    }
    let description = ml_error_text(description, module);
    if type_name.is_empty() || description.starts_with(&format!("{type_name}:")) {
        description
    } else {
        format!("{type_name}: {description}")
    }
}

/// The exception's name in ML terms: what `throw` raises is a thrown value.
fn ml_exception_id(type_name: &str) -> &str {
    match type_name {
        "MLUserException" => "throw",
        other => other,
    }
}

/// The `threadId` argument of a request that names a thread: an integer, as DAP says.
/// Anything else is refused here, before debugpy sees it: debugpy drops its connection on
/// a thread id that is not a number, which would end the session. `required`: the request
/// needs one (only `continue` may go without, for every thread).
fn thread_id(request: &Value, required: bool) -> Result<i64, String> {
    let command = request["command"].as_str().unwrap_or("the request");
    match &request["arguments"]["threadId"] {
        Value::Null if !required => Ok(0),
        Value::Null => Err(format!("{command} needs a threadId")),
        value => value
            .as_i64()
            .ok_or_else(|| format!("{command}: threadId must be an integer, not {value}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_messages_read_as_in_ml() {
        let thrown = json!({"description": "shape too small",
                            "details": {"typeName": "MLUserException"}});
        assert_eq!(ml_exception_message(&thrown, None), "shape too small");
        let python = json!({"description": "division by zero",
                            "details": {"typeName": "ZeroDivisionError"}});
        assert_eq!(
            ml_exception_message(&python, None),
            "ZeroDivisionError: division by zero"
        );
        assert_eq!(ml_exception_id("MLUserException"), "throw");
        // Python's names of renamed ML bindings are said in ML; what ML threw is kept.
        let unbound = json!({"description": "name 'ml_class' is not defined",
                             "details": {"typeName": "NameError"}});
        assert_eq!(
            ml_exception_message(&unbound, None),
            "NameError: name 'class' is not defined"
        );
        let thrown = json!({"description": "name 'ml_class' is not defined",
                            "details": {"typeName": "MLUserException"}});
        assert_eq!(
            ml_exception_message(&thrown, None),
            "name 'ml_class' is not defined"
        );
        assert_eq!(ml_exception_id("KeyError"), "KeyError");
    }
}
