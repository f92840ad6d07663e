//! A small LSP client for tests: starts the real `mlpy lsp` binary and speaks
//! JSON-RPC with Content-Length framing over its standard input and output.
//!
//! Server-to-client requests (`client/registerCapability`, …) are answered with `null`
//! (or, by a client started with [`Client::start_unanswering`], not at all);
//! notifications are kept, and the latest `publishDiagnostics` of every URI is tracked.

#![allow(dead_code)]

#[path = "../support/framing.rs"]
mod framing;
pub(crate) use framing::read_message;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const TIMEOUT: Duration = Duration::from_secs(20);

pub(crate) struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Every notification received, in order.
    pub notifications: Vec<Value>,
    /// Latest diagnostics per URI.
    pub diagnostics: HashMap<String, Vec<Value>>,
    /// Responses received while waiting for another one.
    responses: HashMap<i64, Value>,
    /// Requests the server sent to the client.
    pub server_requests: Vec<Value>,
    /// Whether the server's requests get an answer (`null`).
    answers_requests: bool,
    pub stderr: Arc<Mutex<String>>,
    pub root: PathBuf,
    /// The server's capabilities, from the `initialize` result.
    pub capabilities: Value,
    /// `mlpy/debug/flushed` notifications received, and flushes asked for.
    flushed: usize,
    flushes: usize,
}

/// The `file:` URI of a path, percent-encoding what must be.
pub(crate) fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Client {
    /// Starts `mlpy lsp` for the workspace folder `root` and initializes it.
    pub(crate) fn start(root: &Path) -> Client {
        Client::start_with(root, json!({}))
    }

    pub(crate) fn start_with(root: &Path, initialization_options: Value) -> Client {
        Client::start_env(root, initialization_options, &[])
    }

    /// Starts the server with extra environment variables.
    pub(crate) fn start_env(
        root: &Path,
        initialization_options: Value,
        env: &[(&str, &Path)],
    ) -> Client {
        Client::start_full(root, initialization_options, env, Value::Null)
    }

    /// Starts the server with extra environment variables and client capabilities
    /// (`textDocument.*` entries merged into the test client's own).
    pub(crate) fn start_full(
        root: &Path,
        initialization_options: Value,
        env: &[(&str, &Path)],
        text_document: Value,
    ) -> Client {
        let workspace = json!({
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]},
            "configuration": false
        });
        Client::launch(
            root,
            initialization_options,
            env,
            workspace,
            text_document,
            true,
        )
    }

    /// Starts a server whose client declares the `workspace` capabilities given and then
    /// answers none of the server's requests (`workspace/configuration`,
    /// `client/registerCapability`): a client that is shutting down, or a broken one.
    pub(crate) fn start_unanswering(root: &Path, workspace: Value) -> Client {
        Client::launch(root, json!({}), &[], workspace, Value::Null, false)
    }

    fn launch(
        root: &Path,
        initialization_options: Value,
        env: &[(&str, &Path)],
        workspace: Value,
        text_document: Value,
        answers_requests: bool,
    ) -> Client {
        let root = std::fs::canonicalize(root).expect("the workspace exists");
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlpy"))
            .args(["lsp", "--stdio", "--debug-requests"])
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mlpy lsp starts");
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            rx,
            next_id: 1,
            notifications: Vec::new(),
            diagnostics: HashMap::new(),
            responses: HashMap::new(),
            server_requests: Vec::new(),
            answers_requests,
            stderr,
            root: root.clone(),
            capabilities: Value::Null,
            flushed: 0,
            flushes: 0,
        };
        let mut text_capabilities = json!({
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true},
            "synchronization": {"didSave": true}
        });
        if let (Some(own), Some(extra)) =
            (text_capabilities.as_object_mut(), text_document.as_object())
        {
            own.extend(extra.clone());
        }
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": std::process::id(),
                    "rootUri": file_uri(&root),
                    "workspaceFolders": [{"uri": file_uri(&root), "name": "test"}],
                    "initializationOptions": initialization_options,
                    "capabilities": {
                        "workspace": workspace,
                        "textDocument": text_capabilities
                    }
                }),
            )
            .expect("initialize succeeds");
        assert!(result["capabilities"].is_object(), "{result}");
        client.capabilities = result["capabilities"].clone();
        client.notify("initialized", json!({}));
        client
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub(crate) fn uri(&self, rel: &str) -> String {
        file_uri(&self.root.join(rel))
    }

    pub(crate) fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub(crate) fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        bytes.extend(body);
        self.send_raw(&bytes);
    }

    pub(crate) fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub(crate) fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(id)
    }

    pub(crate) fn response(&mut self, id: i64) -> Result<Value, Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(r) = self.responses.remove(&id) {
                return match r.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(r.get("result").cloned().unwrap_or(Value::Null)),
                };
            }
            if self.pump(deadline).is_none() {
                panic!(
                    "no response to request {id} in time; server stderr:\n{}",
                    self.stderr.lock().unwrap()
                );
            }
        }
    }

    /// Receives one message (handling it); `None` at the deadline or end of stream.
    pub(crate) fn pump(&mut self, deadline: Instant) -> Option<Value> {
        let now = Instant::now();
        let wait = deadline.saturating_duration_since(now);
        let message = match self.rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        let is_request = message.get("method").is_some() && message.get("id").is_some();
        if is_request {
            self.server_requests.push(message.clone());
            if self.answers_requests {
                let id = message["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
        } else if message.get("method").is_some() {
            if message["method"] == "mlpy/debug/flushed" {
                self.flushed += 1;
            }
            if message["method"] == "textDocument/publishDiagnostics" {
                let uri = message["params"]["uri"].as_str().unwrap_or("").to_string();
                let list = message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.diagnostics.insert(uri, list);
            }
            self.notifications.push(message.clone());
        } else if let Some(id) = message.get("id").and_then(Value::as_i64) {
            self.responses.insert(id, message.clone());
        } else {
            // A response to nothing we sent (an error for malformed input).
            self.notifications.push(message.clone());
        }
        Some(message)
    }

    /// Waits until the latest diagnostics of `uri` satisfy `check`; returns them.
    pub(crate) fn wait_diagnostics(
        &mut self,
        uri: &str,
        check: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(list) = self.diagnostics.get(uri) {
                if check(list) {
                    return list.clone();
                }
            }
            if self.pump(deadline).is_none() {
                panic!(
                    "diagnostics of {uri} never matched; latest: {:#?}\nserver stderr:\n{}",
                    self.diagnostics.get(uri),
                    self.stderr.lock().unwrap()
                );
            }
        }
    }

    /// Waits until the client shows no diagnostics of `uri`, every queued check done: an
    /// empty list published, or none at all (a file that is not open and never had
    /// diagnostics gets no empty list).
    pub(crate) fn wait_clean(&mut self, uri: &str) {
        self.flush();
        if self.diagnostics.get(uri).is_some_and(|l| !l.is_empty()) {
            self.wait_diagnostics(uri, |l| l.is_empty());
        }
    }

    /// Whether the client shows no diagnostics of `uri` (none received, or an empty list).
    pub(crate) fn shows_none(&self, uri: &str) -> bool {
        self.diagnostics.get(uri).is_none_or(|l| l.is_empty())
    }

    /// Waits for any message matching `check` among those not yet seen.
    pub(crate) fn wait_for(&mut self, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.pump(deadline) {
                Some(m) if check(&m) => return m,
                Some(_) => {}
                None => panic!(
                    "expected message never came; server stderr:\n{}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Waits until the server has processed everything sent so far, diagnostics included:
    /// the response, then the `mlpy/debug/flushed` notification, which comes after every
    /// diagnostic published before it (the response may overtake them).
    pub(crate) fn flush(&mut self) {
        self.request("mlpy/debug/flush", Value::Null)
            .expect("flush");
        self.flushes += 1;
        let deadline = Instant::now() + TIMEOUT;
        while self.flushed < self.flushes {
            if self.pump(deadline).is_none() {
                panic!(
                    "no mlpy/debug/flushed after a flush; server stderr:\n{}",
                    self.stderr.lock().unwrap()
                );
            }
        }
    }

    pub(crate) fn open(&mut self, rel: &str) -> String {
        let text = std::fs::read_to_string(self.path(rel)).expect("fixture file");
        self.open_text(rel, &text)
    }

    pub(crate) fn open_text(&mut self, rel: &str, text: &str) -> String {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "ml", "version": 1, "text": text}}),
        );
        uri
    }

    pub(crate) fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    pub(crate) fn replace_all(&mut self, uri: &str, version: i32, text: &str) {
        self.change(uri, version, json!([{ "text": text }]));
    }

    pub(crate) fn at(
        &mut self,
        method: &str,
        uri: &str,
        line: u32,
        character: u32,
    ) -> Result<Value, Value> {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    pub(crate) fn watched(&mut self, changes: Vec<(String, u32)>) {
        let changes: Vec<Value> = changes
            .into_iter()
            .map(|(uri, typ)| json!({"uri": uri, "type": typ}))
            .collect();
        self.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": changes }),
        );
    }

    pub(crate) fn document_text(&mut self, uri: &str) -> String {
        let r = self
            .request(
                "mlpy/debug/documentText",
                json!({"textDocument": {"uri": uri}}),
            )
            .expect("documentText");
        r["text"].as_str().unwrap_or_default().to_string()
    }

    /// Whether the server process is still running.
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Closes the server's input, as a client that goes away without a word does.
    pub(crate) fn close_input(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits for the server to exit on its own (at most [`TIMEOUT`]); its exit status.
    pub(crate) fn wait_exit(&mut self) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// RSS of the server in KiB (Linux).
    pub(crate) fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS")
    }

    /// A `kB` field of the server's `/proc/PID/status` (`VmRSS`, `RssAnon`, `RssFile`…).
    pub(crate) fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// `shutdown`, `exit`, and the exit status (must be 0).
    pub(crate) fn shutdown(mut self) -> String {
        self.request("shutdown", Value::Null).expect("shutdown");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "server exited with {status}");
                break;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
        let stderr = self.stderr.lock().unwrap().clone();
        assert!(
            !stderr.contains("panicked"),
            "the server panicked:\n{stderr}"
        );
        stderr
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies a fixture project into a temp folder.
pub(crate) fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata")
        .join(name);
    copy_dir(&from, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The codes of a list of diagnostics.
pub(crate) fn codes(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// `(line, character)` of a position value.
pub(crate) fn pos(v: &Value) -> (u64, u64) {
    (
        v["line"].as_u64().unwrap(),
        v["character"].as_u64().unwrap(),
    )
}

/// The byte offsets where the lines of `text` start, as LSP (and every client) splits
/// them: at `\n`, `\r\n` and a lone `\r`.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends {
            starts.push(i + 1);
        }
    }
    starts
}

/// The byte offset in `text` of an LSP position, as a client reads it (UTF-16 columns;
/// past the end of its line: the line's end, before its line break).
pub(crate) fn offset(text: &str, position: &Value) -> usize {
    let (line, character) = pos(position);
    let starts = line_starts(text);
    let Some(&start) = starts.get(line as usize) else {
        return text.len();
    };
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character as usize || c == '\n' || c == '\r' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Whether an LSP position is on a line of `text` and at most at its end (the
/// specification lets a client clamp a column past the end, which would change what a
/// server's edit means when the text past the end is a `\r`).
pub(crate) fn on_its_line(text: &str, position: &Value) -> bool {
    let (line, character) = pos(position);
    let starts = line_starts(text);
    let Some(&start) = starts.get(line as usize) else {
        return false;
    };
    let end = starts.get(line as usize + 1).copied().unwrap_or(text.len());
    let content = text[start..end].trim_end_matches(['\n', '\r']);
    character as usize <= content.encode_utf16().count()
}

/// `text` with LSP text edits applied (they do not overlap).
pub(crate) fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_string();
    for (start, end, new) in ranges {
        out.replace_range(start..end, &new);
    }
    out
}
