//! A small DAP client for tests: starts the real `mlpy dap`, speaks DAP with
//! Content-Length framing over its standard input and output, keeps the events it has not
//! been asked for yet, and collects the program's output.
//!
//! debugpy must be importable by the interpreter the tests run programs with: `cargo xtask
//! test` installs it into `.tools/venv` and names that interpreter in `MLPY_TEST_PYTHON`.

#![allow(dead_code)]

#[path = "../support/framing.rs"]
mod framing;
use framing::read_message;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// The Python with debugpy the tests debug programs in: `MLPY_TEST_PYTHON` (set by
/// `cargo xtask test`), else `.tools/venv`'s when debugpy is there. Anything else is a
/// failure that says what to do: these tests are never skipped.
pub(crate) fn python() -> PathBuf {
    let has_debugpy = |python: &Path| {
        Command::new(python)
            .args(["-c", "import debugpy"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(python) = std::env::var_os("MLPY_TEST_PYTHON") {
        let python = PathBuf::from(python);
        assert!(
            has_debugpy(&python),
            "MLPY_TEST_PYTHON={} cannot import debugpy: run `cargo xtask test`, which installs it",
            python.display()
        );
        return python;
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python");
    if has_debugpy(&venv) {
        return venv;
    }
    panic!(
        "the debugger tests need debugpy: run `cargo xtask test` (it installs debugpy from PyPI \
         into .tools/venv and sets MLPY_TEST_PYTHON), or set MLPY_TEST_PYTHON to a Python that \
         has it (`python3 -m pip install debugpy`)"
    );
}

/// One frame of a stack trace, as the tests look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    pub id: i64,
    pub name: String,
    pub path: PathBuf,
    pub line: u64,
    pub column: u64,
}

impl Frame {
    /// The frame's file name relative to `root`, `/`-separated.
    pub(crate) fn file(&self, root: &Path) -> String {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let path = std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        path.strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

pub(crate) struct Dap {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    seq: i64,
    /// Events not yet asked for, in order (output events are folded into `output`).
    events: VecDeque<Value>,
    /// Responses received while waiting for another message.
    responses: Vec<Value>,
    /// Requests of the adapter to the client.
    pub reverse_requests: Vec<Value>,
    /// The program's output (stdout and stderr events) and the adapter's console lines.
    pub output: String,
    pub stderr: Arc<Mutex<String>>,
}

impl Dap {
    /// Starts `mlpy dap` with the tests' Python; `cache` is mlpy's cache folder.
    pub(crate) fn start(cache: &Path) -> Dap {
        Dap::start_env(cache, &[])
    }

    pub(crate) fn start_env(cache: &Path, env: &[(&str, &str)]) -> Dap {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mlpy"));
        command
            .arg("dap")
            .env("MLPY_PYTHON", python())
            .env("MLPY_CACHE_DIR", cache)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("mlpy dap starts");
        let stdout = child.stdout.take().unwrap();
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = std::io::Read::read_to_string(&mut stderr_pipe, &mut text);
                stderr.lock().unwrap().push_str(&text);
            });
        }
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Dap {
            stdin: child.stdin.take(),
            child,
            rx,
            seq: 0,
            events: VecDeque::new(),
            responses: Vec::new(),
            reverse_requests: Vec::new(),
            output: String::new(),
            stderr,
        }
    }

    /// Sends a request; returns its sequence number.
    pub(crate) fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let message = json!({"seq": self.seq, "type": "request", "command": command,
                             "arguments": arguments});
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
        self.seq
    }

    /// Sends a raw, possibly broken, frame.
    pub(crate) fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Closes the adapter's input.
    pub(crate) fn close_input(&mut self) {
        self.stdin = None;
    }

    /// Reads one message (with the timeout); sorts it.
    fn pump(&mut self, deadline: Instant, what: &str) {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(message) => match message["type"].as_str() {
                Some("response") => self.responses.push(message),
                Some("request") => self.reverse_requests.push(message),
                _ => {
                    if message["event"] == "output" {
                        self.output
                            .push_str(message["body"]["output"].as_str().unwrap_or_default());
                    } else {
                        self.events.push_back(message);
                    }
                }
            },
            Err(RecvTimeoutError::Timeout) => panic!(
                "no {what} within {TIMEOUT:?}; events pending: {:?}\noutput: {}\nstderr: {}",
                self.events,
                self.output,
                self.stderr.lock().unwrap()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "mlpy dap closed its output while waiting for {what}; events: {:?}\noutput: {}\nstderr: {}",
                    self.events,
                    self.output,
                    self.stderr.lock().unwrap()
                )
            }
        }
    }

    /// The response to request `seq` (successful or not).
    pub(crate) fn response(&mut self, seq: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self.responses.iter().position(|r| r["request_seq"] == seq) {
                return self.responses.remove(i);
            }
            self.pump(deadline, &format!("response to request {seq}"));
        }
    }

    /// Sends a request and returns its whole response.
    pub(crate) fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        self.response(seq)
    }

    /// Sends a request that must succeed; returns the response's body.
    pub(crate) fn ok(&mut self, command: &str, arguments: Value) -> Value {
        let response = self.request(command, arguments);
        assert_eq!(
            response["success"], true,
            "{command} failed: {response}\noutput: {}",
            self.output
        );
        response["body"].clone()
    }

    /// The next event named `name` (events of other names stay queued).
    pub(crate) fn event(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
                return self.events.remove(i).unwrap();
            }
            self.pump(deadline, &format!("'{name}' event"));
        }
    }

    /// The next request of the adapter's to the client named `command`.
    pub(crate) fn reverse_request(&mut self, command: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self
                .reverse_requests
                .iter()
                .position(|r| r["command"] == command)
            {
                return self.reverse_requests.remove(i);
            }
            self.pump(deadline, &format!("'{command}' request"));
        }
    }

    /// Answers one of the adapter's requests.
    pub(crate) fn respond(&mut self, request: &Value, body: Value) {
        self.seq += 1;
        let message = json!({"seq": self.seq, "type": "response", "request_seq": request["seq"],
                             "command": request["command"], "success": true, "body": body});
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    /// Whether an event named `name` arrived and was not taken yet.
    pub(crate) fn has_event(&self, name: &str) -> bool {
        self.events.iter().any(|e| e["event"] == name)
    }

    /// `initialize`, then `launch` with `arguments`; waits for `initialized` and returns
    /// the launch's sequence number (its response comes after `configurationDone`).
    pub(crate) fn launch(&mut self, arguments: Value) -> i64 {
        let body = self.ok(
            "initialize",
            json!({"clientID": "mlpy-tests", "adapterID": "mlpy", "linesStartAt1": true,
                   "columnsStartAt1": true, "pathFormat": "path"}),
        );
        assert_eq!(body["supportsConditionalBreakpoints"], true);
        assert_eq!(body["supportsLogPoints"], true);
        let seq = self.send("launch", arguments);
        self.event("initialized");
        seq
    }

    /// `configurationDone`, then the launch's response (which must succeed).
    pub(crate) fn configuration_done(&mut self, launch: i64) {
        self.ok("configurationDone", json!({}));
        let response = self.response(launch);
        assert_eq!(response["success"], true, "launch failed: {response}");
    }

    /// Sets the breakpoints of one ML file; returns the response's breakpoints.
    pub(crate) fn breakpoints(&mut self, file: &Path, breakpoints: Value) -> Vec<Value> {
        let body = self.ok(
            "setBreakpoints",
            json!({"source": {"path": file}, "breakpoints": breakpoints}),
        );
        body["breakpoints"].as_array().cloned().unwrap_or_default()
    }

    /// Waits for the next stop; returns its body.
    pub(crate) fn stopped(&mut self) -> Value {
        self.event("stopped")["body"].clone()
    }

    pub(crate) fn stack(&mut self, thread: i64) -> Vec<Frame> {
        let body = self.ok("stackTrace", json!({"threadId": thread}));
        let frames: Vec<Frame> = body["stackFrames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| Frame {
                id: f["id"].as_i64().unwrap(),
                name: f["name"].as_str().unwrap().to_string(),
                path: PathBuf::from(f["source"]["path"].as_str().unwrap_or_default()),
                line: f["line"].as_u64().unwrap(),
                column: f["column"].as_u64().unwrap(),
            })
            .collect();
        assert_eq!(body["totalFrames"].as_u64(), Some(frames.len() as u64));
        frames
    }

    /// The scopes of a frame: (name, variablesReference).
    pub(crate) fn scopes(&mut self, frame: i64) -> Vec<(String, i64)> {
        let body = self.ok("scopes", json!({"frameId": frame}));
        body["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["variablesReference"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// The variables of a reference, whole.
    pub(crate) fn variables(&mut self, reference: i64) -> Vec<Value> {
        let body = self.ok("variables", json!({"variablesReference": reference}));
        body["variables"].as_array().cloned().unwrap_or_default()
    }

    /// Evaluates an ML expression in a frame: the whole response.
    pub(crate) fn evaluate(&mut self, frame: i64, expression: &str) -> Value {
        self.request(
            "evaluate",
            json!({"expression": expression, "frameId": frame, "context": "repl"}),
        )
    }

    /// Continues thread 1 and waits for the next stop.
    pub(crate) fn continue_to_stop(&mut self, thread: i64) -> Value {
        self.ok("continue", json!({"threadId": thread}));
        self.stopped()
    }

    /// A step (`next`, `stepIn`, `stepOut`) and the stop it ends in.
    pub(crate) fn step(&mut self, command: &str, thread: i64) -> Value {
        self.ok(command, json!({"threadId": thread}));
        self.stopped()
    }

    /// Continues, waits for the program's exit code and the end of the session.
    pub(crate) fn run_to_end(&mut self, thread: i64) -> i64 {
        self.ok("continue", json!({"threadId": thread}));
        let exited = self.event("exited");
        self.event("terminated");
        exited["body"]["exitCode"].as_i64().unwrap()
    }

    /// `disconnect`, then waits for the adapter to exit; returns its exit status.
    pub(crate) fn disconnect(mut self) -> std::process::ExitStatus {
        let seq = self.send("disconnect", json!({"terminateDebuggee": true}));
        let _ = self.response(seq);
        self.stdin = None;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "mlpy dap did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Dap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
