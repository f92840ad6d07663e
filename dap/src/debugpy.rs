//! debugpy's debug adapter (`python -m debugpy.adapter`), as a child process this adapter
//! is the DAP client of: requests that wait for their response, requests whose response
//! comes back later as a message, and everything else debugpy sends (events, its own
//! requests) handed to the session in order.

use crate::wire::{read_message, write_message};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io::{BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why talking to debugpy failed.
#[derive(Debug, thiserror::Error)]
pub enum DebugpyError {
    #[error("cannot start '{python}': {error} (set \"python\" in the launch configuration, or MLPY_PYTHON, to a Python 3.9 or newer)")]
    Start {
        python: String,
        error: std::io::Error,
    },
    #[error("debugpy is not installed for '{python}': install it with `{python} -m pip install debugpy`")]
    Missing { python: String },
    #[error("debugpy stopped{}", stderr_note(.stderr))]
    Exited { stderr: String },
    #[error("debugpy did not answer '{command}' within {seconds} s")]
    Timeout { command: String, seconds: u64 },
    #[error("{message}")]
    Failed { message: String },
    #[error("writing to debugpy: {0}")]
    Write(#[from] std::io::Error),
}

fn stderr_note(stderr: &str) -> String {
    let text = stderr.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {}", text.lines().last().unwrap_or_default())
    }
}

type Pending = Arc<Mutex<HashMap<i64, Sender<Value>>>>;

/// A running `python -m debugpy.adapter`.
pub struct Debugpy {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    seq: AtomicI64,
    pending: Pending,
    stderr: Arc<Mutex<String>>,
    python: OsString,
}

/// How long a request may take (an evaluation of a slow expression included).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

impl Debugpy {
    /// Starts debugpy's adapter with `python`. Every message it sends that no request
    /// waits for goes to `to_session`, then `None` when its output ends; `to_session`
    /// returns false when nobody listens any more.
    pub fn start(
        python: &OsStr,
        to_session: impl Fn(Option<Value>) -> bool + Send + 'static,
    ) -> Result<Debugpy, DebugpyError> {
        let mut child = Command::new(python)
            .args(["-m", "debugpy.adapter"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| DebugpyError::Start {
                python: python.to_string_lossy().into_owned(),
                error,
            })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let pending: Pending = Arc::default();
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stderr_pipe.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    let mut text = stderr.lock().unwrap_or_else(|e| e.into_inner());
                    // Keep the end: what explains a failure comes last.
                    text.push_str(&String::from_utf8_lossy(&buffer[..n]));
                    if text.len() > 64 << 10 {
                        let cut = text.len() - (32 << 10);
                        let cut = (cut..text.len())
                            .find(|&i| text.is_char_boundary(i))
                            .unwrap_or(text.len());
                        text.drain(..cut);
                    }
                }
            });
        }
        {
            let pending = pending.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                while let Ok(Some(message)) = read_message(&mut reader) {
                    if message["type"] == "response" {
                        let seq = message["request_seq"].as_i64().unwrap_or(-1);
                        let waiter = pending
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(&seq);
                        if let Some(waiter) = waiter {
                            let _ = waiter.send(message);
                            continue;
                        }
                    }
                    if !to_session(Some(message)) {
                        return;
                    }
                }
                // Waiters see their channel close: debugpy is gone.
                pending.lock().unwrap_or_else(|e| e.into_inner()).clear();
                to_session(None);
            });
        }
        Ok(Debugpy {
            child,
            stdin: Arc::new(Mutex::new(stdin)),
            seq: AtomicI64::new(1),
            pending,
            stderr,
            python: python.to_os_string(),
        })
    }

    fn write(&self, message: &Value) -> Result<(), DebugpyError> {
        let mut stdin = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
        write_message(&mut *stdin, message).map_err(|_| self.gone())
    }

    /// Sends a request whose response comes back to the session as a message; returns
    /// its sequence number.
    pub fn send(&self, command: &str, arguments: Value) -> Result<i64, DebugpyError> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        self.write(
            &json!({"seq": seq, "type": "request", "command": command, "arguments": arguments}),
        )?;
        Ok(seq)
    }

    /// Sends a request and waits for its response: the body, or the error it reports.
    pub fn request(&self, command: &str, arguments: Value) -> Result<Value, DebugpyError> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = channel();
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(seq, tx);
        self.write(
            &json!({"seq": seq, "type": "request", "command": command, "arguments": arguments}),
        )?;
        let response = match rx.recv_timeout(REQUEST_TIMEOUT) {
            Ok(response) => response,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&seq);
                return Err(DebugpyError::Timeout {
                    command: command.to_string(),
                    seconds: REQUEST_TIMEOUT.as_secs(),
                });
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Err(self.gone()),
        };
        if response["success"] == true {
            Ok(response.get("body").cloned().unwrap_or(Value::Null))
        } else {
            Err(DebugpyError::Failed {
                message: response_message(&response),
            })
        }
    }

    /// Answers one of debugpy's own requests (`runInTerminal`).
    pub fn respond(&self, request: &Value, success: bool, body: Value, message: Option<&str>) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let mut response = json!({
            "seq": seq, "type": "response", "request_seq": request["seq"],
            "command": request["command"], "success": success, "body": body,
        });
        if let Some(message) = message {
            response["message"] = json!(message);
        }
        let _ = self.write(&response);
    }

    /// Why debugpy cannot be talked to: not installed, or stopped (with its last words).
    pub fn gone(&self) -> DebugpyError {
        // Give the stderr reader a moment to collect the reason.
        std::thread::sleep(Duration::from_millis(50));
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if stderr.contains("No module named debugpy")
            || stderr.contains("No module named 'debugpy'")
        {
            DebugpyError::Missing {
                python: self.python.to_string_lossy().into_owned(),
            }
        } else {
            DebugpyError::Exited { stderr }
        }
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to end, then ends it.
    pub fn stop(&mut self, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if !self.running() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Debugpy {
    fn drop(&mut self) {
        if self.running() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The message of a failed response: debugpy's, without its Python traceback.
pub fn response_message(response: &Value) -> String {
    let message = response["message"]
        .as_str()
        .or_else(|| response["body"]["error"]["format"].as_str())
        .unwrap_or("failed");
    last_line(message).to_string()
}

/// The last line that says something (a traceback's `NameError: …`).
pub fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(text)
}
