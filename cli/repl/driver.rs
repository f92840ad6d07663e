//! The session's Python process: `python3` running `mlpy_runtime.session` (the driver),
//! and the frames exchanged with it over two pipes of its own (its standard streams stay
//! the user's, so an ML program's console input and output are the terminal).
//!
//! The runtime is written, with a two-line launcher, to a folder of mlpy's cache
//! (`repl/<hash of the files>/`) by the same code that writes `mlpy run`'s programs
//! (`run_cache`): checked against what mlpy would write before every reuse, so a
//! tampered runtime never runs.

use crate::run_cache;
use mlpy_transpile::runtime::RUNTIME_FILES;
use mlpy_transpile::OutputFile;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The script `python3` runs: its folder (the runtime's) is first on `sys.path`, never
/// the user's working folder.
const LAUNCHER: &str = "# -*- coding: utf-8 -*-\n# Written by mlpy: starts the session driver of `mlpy repl`.\nimport sys\nfrom mlpy_runtime.session import main\nsys.exit(main(int(sys.argv[1]), int(sys.argv[2])))\n";
const LAUNCHER_NAME: &str = "mlpy_repl_session.py";

/// What the driver answered to a request to run an input.
#[derive(Debug)]
pub(crate) enum RunReply {
    Ok,
    /// A run-time error, as `FILE:LINE: message` (and the ML traceback).
    Error(String),
    /// Ctrl-C stopped it; `started`: after it began to run (what it bound is bound).
    Interrupted {
        started: bool,
    },
}

pub(crate) struct Driver {
    child: Child,
    /// `None` once closed (which ends the driver's loop).
    requests: Option<File>,
    replies: File,
    /// The Python version, `3.11.7`.
    pub(crate) python: String,
}

/// Why talking to the driver failed: the process ended or the pipe broke.
#[derive(Debug)]
pub(crate) struct DriverGone(pub(crate) String);

impl std::fmt::Display for DriverGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DriverGone {}

impl Driver {
    /// Writes the runtime, starts `python3` on it in the working folder and arms the
    /// sandbox with `capabilities`. `interactive`: the process reads the terminal (ML's
    /// console input); otherwise its standard input is empty (the session's input is
    /// mlpy's).
    pub(crate) fn start(capabilities: &[String], interactive: bool) -> anyhow::Result<Driver> {
        let dir = prepare_runtime()?;
        let python = std::env::var_os("MLPY_PYTHON").unwrap_or_else(|| OsString::from("python3"));
        let (requests_read, requests_write) = pipe()?;
        let (replies_read, replies_write) = pipe()?;
        let child_fds = [requests_read.as_raw_fd(), replies_write.as_raw_fd()];
        let mut command = Command::new(&python);
        command
            .arg(dir.join(LAUNCHER_NAME))
            .arg(child_fds[0].to_string())
            .arg(child_fds[1].to_string())
            .stdin(if interactive {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        // SAFETY: between fork and exec only `fcntl`, which is async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                for fd in child_fds {
                    if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let child = command.spawn().map_err(|e| {
            anyhow::anyhow!(
                "cannot start '{}': {e} (mlpy repl needs Python 3.9 or newer; set MLPY_PYTHON to the interpreter to use)",
                python.to_string_lossy()
            )
        })?;
        // The child's ends are the child's alone.
        drop(requests_read);
        drop(replies_write);
        let mut driver = Driver {
            child,
            requests: Some(File::from(requests_write)),
            replies: File::from(replies_read),
            python: String::new(),
        };
        let reply = driver.request(&json!({"op": "start", "capabilities": capabilities}))?;
        driver.python = reply
            .get("python")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(driver)
    }

    /// Sends a request and waits for its reply.
    pub(crate) fn request(&mut self, request: &Value) -> Result<Value, DriverGone> {
        let body = serde_json::to_vec(request).expect("JSON of a request");
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend(body);
        let written = match &mut self.requests {
            Some(requests) => requests.write_all(&frame).is_ok(),
            None => false,
        };
        if !written {
            return Err(self.gone());
        }
        let mut head = [0u8; 4];
        // `read_exact` goes on after a signal (Ctrl-C while the input runs).
        if self.replies.read_exact(&mut head).is_err() {
            return Err(self.gone());
        }
        let mut body = vec![0u8; u32::from_be_bytes(head) as usize];
        if self.replies.read_exact(&mut body).is_err() {
            return Err(self.gone());
        }
        serde_json::from_slice(&body).map_err(|e| DriverGone(format!("bad reply: {e}")))
    }

    /// Tells the driver that a line is about to be read: a Ctrl-C it saw before was meant
    /// for the input that ended, not for the next one (see `session.py`).
    pub(crate) fn prompt(&mut self) -> Result<(), DriverGone> {
        self.request(&json!({"op": "prompt"})).map(drop)
    }

    /// Runs an input: the modules it needs first, then its code.
    pub(crate) fn run(
        &mut self,
        modules: &[(String, String, String)],
        file: &str,
        code: &str,
        value: bool,
    ) -> Result<(RunReply, Vec<String>), DriverGone> {
        let modules: Vec<Value> = modules
            .iter()
            .map(|(py, file, code)| json!({"py": py, "file": file, "code": code}))
            .collect();
        let reply = self.request(&json!({
            "op": "run", "modules": modules, "file": file, "code": code, "value": value,
        }))?;
        let defined = reply
            .get("defined")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let outcome = if let Some(error) = reply.get("error").and_then(Value::as_str) {
            RunReply::Error(error.to_string())
        } else if reply.get("interrupted").is_some() {
            RunReply::Interrupted {
                started: reply.get("started").and_then(Value::as_bool) != Some(false),
            }
        } else {
            RunReply::Ok
        };
        Ok((outcome, defined))
    }

    /// The error for a driver that stopped answering: its exit status when it ended.
    fn gone(&mut self) -> DriverGone {
        match self.child.wait() {
            Ok(status) => DriverGone(format!("the session's Python process ended ({status})")),
            Err(e) => DriverGone(format!("the session's Python process is gone: {e}")),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Closing the requests pipe ends the driver's loop.
        self.requests = None;
        let _ = self.child.wait();
    }
}

/// A pipe whose ends are closed on `exec` (the child's are opened up in `pre_exec`).
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe2` writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just opened and are owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Writes (or reuses, once checked) the runtime and the launcher in mlpy's cache.
fn prepare_runtime() -> anyhow::Result<PathBuf> {
    let mut files: Vec<OutputFile> = RUNTIME_FILES
        .iter()
        .map(|f| OutputFile {
            path: PathBuf::from(f.path),
            contents: Cow::Borrowed(f.source),
        })
        .collect();
    files.push(OutputFile {
        path: PathBuf::from(LAUNCHER_NAME),
        contents: Cow::Borrowed(LAUNCHER),
    });
    let dir = run_cache::prepare_program("repl", None, &files).map_err(anyhow::Error::msg)?;
    Ok(dir)
}
