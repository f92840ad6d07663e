//! Running external programs (`git` and import plugins for remote imports, `mlpy test`
//! for the language server's "Run test"): standard input written in full, standard output and error read with size limits, and a
//! timeout after which the program — its whole process group, so that no grandchild
//! keeps a pipe open — is killed.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// What a program did.
#[derive(Debug)]
pub struct Finished {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    /// At most [`STDERR_LIMIT`] bytes: the end of what it wrote.
    pub stderr: String,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Why a program could not be run to the end.
#[derive(Debug)]
pub enum Failure {
    /// It could not be started (`io::ErrorKind::NotFound`: not installed).
    Spawn(std::io::Error),
    /// It ran longer than the timeout and was killed.
    TimedOut { stderr: String },
    /// It wrote more than the limit to standard output and was killed.
    TooMuchOutput { limit: u64, stderr: String },
    /// Reading or writing its pipes failed.
    Io(std::io::Error),
}

/// The most of a program's standard error that is kept (the end of it).
pub const STDERR_LIMIT: usize = 64 * 1024;

/// How long the pipes are waited for once the program was killed, or its standard error
/// once its answer is complete.
const LINGER: Duration = Duration::from_millis(500);

/// Why a program that exited is reported as not finished.
const HELD_OPEN: &str = "(mlpy: the program exited, but a process it started in a session of its own kept its standard output open until the timeout)";

/// Runs `command` with `stdin` as its standard input.
pub fn run(
    command: &mut Command,
    stdin: Option<&[u8]>,
    timeout: Duration,
    stdout_limit: u64,
) -> Result<Finished, Failure> {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: a timeout kills the program and everything it started.
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(Failure::Spawn)?;
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            // A program that exits without reading its input is not an error here.
            let _ = pipe.write_all(&bytes);
        })
    });
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let passed_limit = Arc::new(AtomicBool::new(false));
    let flag = passed_limit.clone();
    // The readers hand their results over channels, never through a join: a process the
    // program started in a session of its own (a daemon) is out of reach of the group
    // kill and may hold a pipe open for ever, and mlpy must not wait for it.
    let (out_done, out_result) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        // One byte over the limit tells that the limit was passed.
        let result = (&mut out_pipe)
            .take(stdout_limit.saturating_add(1))
            .read_to_end(&mut buf);
        let over = buf.len() as u64 > stdout_limit;
        flag.store(over, Ordering::SeqCst);
        let _ = out_done.send((result.map(|_| buf), over));
    });
    let kept = Arc::new(Mutex::new(Vec::<u8>::new()));
    let (err_done, err_result) = mpsc::channel::<()>();
    let err_kept = kept.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match err_pipe.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let mut kept = err_kept.lock().unwrap_or_else(|e| e.into_inner());
                    kept.extend_from_slice(&chunk[..n]);
                    if kept.len() > 2 * STDERR_LIMIT {
                        let cut = kept.len() - STDERR_LIMIT;
                        kept.drain(..cut);
                    }
                }
            }
        }
        let _ = err_done.send(());
    });
    let stderr_so_far = || {
        let kept = kept.lock().unwrap_or_else(|e| e.into_inner());
        let start = kept.len().saturating_sub(STDERR_LIMIT);
        String::from_utf8_lossy(&kept[start..]).into_owned()
    };
    let started = Instant::now();
    let deadline = started + timeout;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => {
                kill(&mut child);
                return Err(Failure::Io(e));
            }
        }
        if passed_limit.load(Ordering::SeqCst) {
            kill(&mut child);
            break None;
        }
        if started.elapsed() > timeout {
            timed_out = true;
            kill(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Whatever the program started in its group goes too: nothing may hold the pipes.
    kill_group(&child);
    // Its output is complete when the pipe closes, which a process that left the group
    // may put off: it is waited for until the deadline (a moment, after a kill).
    let output_deadline = match status {
        Some(_) => deadline,
        None => Instant::now() + LINGER,
    };
    let (stdout, over) =
        match out_result.recv_timeout(output_deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => result,
            Err(_) if timed_out || status.is_none() => (Ok(Vec::new()), false),
            Err(_) => {
                let mut stderr = stderr_so_far();
                if !stderr.is_empty() && !stderr.ends_with('\n') {
                    stderr.push('\n');
                }
                stderr.push_str(HELD_OPEN);
                return Err(Failure::TimedOut { stderr });
            }
        };
    // Standard error only explains: once the answer is in, a process that holds it open
    // is not waited for.
    let _ = err_result.recv_timeout(LINGER);
    let stderr = stderr_so_far();
    // The writer is not waited for either: a process that holds standard input open
    // without reading it would keep it writing.
    drop(writer);
    if timed_out {
        return Err(Failure::TimedOut { stderr });
    }
    if over {
        return Err(Failure::TooMuchOutput {
            limit: stdout_limit,
            stderr,
        });
    }
    let stdout = stdout.map_err(Failure::Io)?;
    let status = match status {
        Some(status) => status,
        None => child.wait().map_err(Failure::Io)?,
    };
    Ok(Finished {
        code: status.code(),
        stdout,
        stderr,
    })
}

fn kill(child: &mut std::process::Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn kill_group(child: &std::process::Child) {
    let pid = child.id() as libc::pid_t;
    if pid > 0 {
        // SAFETY: kill(2) with a negative pid signals the process group `pid`, which
        // `process_group(0)` made for this child alone.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_child: &std::process::Child) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn output_exit_codes_timeouts_and_limits() {
        let done = run(
            &mut sh("cat; echo oops >&2; exit 3"),
            Some(b"hello"),
            Duration::from_secs(10),
            100,
        )
        .unwrap();
        assert_eq!(done.stdout, b"hello");
        assert_eq!(done.stderr, "oops\n");
        assert_eq!(done.code, Some(3));

        let started = Instant::now();
        let e = run(
            &mut sh("echo started >&2; sleep 30 & sleep 30"),
            None,
            Duration::from_millis(300),
            100,
        )
        .unwrap_err();
        assert!(matches!(e, Failure::TimedOut { .. }), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(15));

        let e = run(&mut sh("yes"), None, Duration::from_secs(10), 1000).unwrap_err();
        assert!(
            matches!(e, Failure::TooMuchOutput { limit: 1000, .. }),
            "{e:?}"
        );

        // A process that leaves the group (its own session) and keeps standard output
        // open: bounded by the timeout, and said. Standard error alone: not waited for.
        let dir = tempfile::tempdir().unwrap();
        let pid = dir.path().join("pid");
        let daemon = |fd: &str| {
            format!(
                "setsid sh -c 'echo $$ > {0}; exec sleep 30 {fd}' & while [ ! -s {0} ]; do sleep 0.05; done; echo answer",
                pid.display()
            )
        };
        let started = Instant::now();
        let e = run(&mut sh(&daemon("")), None, Duration::from_millis(1500), 100).unwrap_err();
        assert!(
            matches!(&e, Failure::TimedOut { stderr } if stderr.contains("kept its standard output open")),
            "{e:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(15));
        let _ = Command::new("kill")
            .args(["-9", std::fs::read_to_string(&pid).unwrap().trim()])
            .status();
        std::fs::remove_file(&pid).unwrap();
        let started = Instant::now();
        let done = run(
            &mut sh(&daemon(">/dev/null")),
            None,
            Duration::from_secs(20),
            100,
        )
        .unwrap();
        assert_eq!(done.stdout, b"answer\n");
        assert!(started.elapsed() < Duration::from_secs(15));
        let _ = Command::new("kill")
            .args(["-9", std::fs::read_to_string(&pid).unwrap().trim()])
            .status();

        let e = run(
            &mut Command::new("/nonexistent/program"),
            None,
            Duration::from_secs(1),
            10,
        )
        .unwrap_err();
        assert!(matches!(e, Failure::Spawn(ref io) if io.kind() == std::io::ErrorKind::NotFound));
    }
}
