//! Temporary files and folders that an interrupted run removes.
//!
//! mlpy writes every file through a temporary file or folder beside its target and renames
//! it into place. Interrupted (Ctrl-C, `kill`, a closed terminal) between the two, the
//! temporary one would stay — in a project's source tree after `mlpy fmt`, in an output
//! package after `mlpy transpile`. Writers register what they create here ([`pending`]);
//! after [`remove_pending_on_interrupt`], SIGINT, SIGTERM and SIGHUP remove whatever is
//! registered, then end the process as the signal would have.
//!
//! The signal handler only writes the signal's number to a pipe (all a handler may safely
//! do); a thread waiting on that pipe does the removing. Writers create and rename their
//! files inside [`guarded`]: the removing waits for the step under way, and no step starts
//! after it (else a writer would make again, file by file, the folder just removed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, RwLock};

/// What writers are creating now, by registration number (an output folder's update
/// registers thousands at once and drops them together: each is found without a search).
static PENDING: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    paths: BTreeMap::new(),
});

struct Registry {
    next: u64,
    paths: BTreeMap<u64, PathBuf>,
}

/// Whether the process has been interrupted; writers hold it for reading while they
/// create or rename a file.
static INTERRUPTED: RwLock<bool> = RwLock::new(false);

/// Runs one step of writing (create a file or folder, write it, rename it), unless the
/// process has been interrupted: then the step is not taken, and the thread waits for the
/// end the signal brings (returning an error instead would let the command report it and
/// exit with its own status first, racing the signal's).
pub fn guarded<T>(step: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let interrupted = INTERRUPTED.read().unwrap_or_else(|p| p.into_inner());
    if *interrupted {
        drop(interrupted);
        loop {
            std::thread::park();
        }
    }
    step()
}

/// A registered temporary file or folder; dropping it unregisters it (it has been renamed
/// into place or removed by its writer), and never removes anything.
#[must_use = "the path is unregistered when this is dropped"]
pub struct Pending(u64);

/// Registers `path`, which this process is about to create and will rename or remove.
pub fn pending(path: &Path) -> Pending {
    let mut registry = lock();
    let id = registry.next;
    registry.next += 1;
    registry.paths.insert(id, path.to_path_buf());
    Pending(id)
}

impl Drop for Pending {
    fn drop(&mut self) {
        lock().paths.remove(&self.0);
    }
}

fn lock() -> std::sync::MutexGuard<'static, Registry> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes what is registered: the signal's work.
fn remove_pending() {
    let all: Vec<PathBuf> = std::mem::take(&mut lock().paths).into_values().collect();
    remove(all);
}

fn remove(paths: Vec<PathBuf>) {
    for path in paths {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                let _ = std::fs::remove_dir_all(&path);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
            }
            Err(_) => {}
        }
    }
}

/// From now on, SIGINT, SIGTERM and SIGHUP remove what is registered and end the process
/// as the signal would have. For commands that write files and run nothing else:
/// a command that runs a child process (`mlpy run`) leaves Ctrl-C to the child.
#[cfg(unix)]
pub fn remove_pending_on_interrupt() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return;
        }
        let [read_end, write_end] = fds;
        WRITE_END.store(write_end, std::sync::atomic::Ordering::SeqCst);
        let started = std::thread::Builder::new()
            .name("mlpy-interrupt".to_string())
            .spawn(move || {
                let mut byte = 0u8;
                // SAFETY: reads one byte into `byte`, which outlives the call.
                let read = unsafe { libc::read(read_end, (&raw mut byte).cast(), 1) };
                if read != 1 {
                    return;
                }
                // Waits for the step under way; none starts after.
                *INTERRUPTED.write().unwrap_or_else(|p| p.into_inner()) = true;
                remove_pending();
                let signal = libc::c_int::from(byte);
                // SAFETY: restores the default action, then delivers the signal again,
                // which ends the process with the status a shell expects (130 for SIGINT).
                unsafe {
                    libc::signal(signal, libc::SIG_DFL);
                    libc::raise(signal);
                }
            });
        if started.is_err() {
            return;
        }
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: a zeroed `sigaction` is valid; the handler only calls write(2), which
            // is async-signal-safe, on a descriptor that stays open.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
}

#[cfg(not(unix))]
pub fn remove_pending_on_interrupt() {}

#[cfg(unix)]
static WRITE_END: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// Removes from `dir` the temporary files and folders that an earlier run left there when
/// it was killed outright (SIGKILL, a crash: nothing a handler sees): the entries named
/// `{prefix}{pid}{sep}{n}` — the names writers give them — whose process `pid` is gone.
/// A live process's (a concurrent run's, this one's) are kept. Errors are ignored: what
/// cannot be removed now is tried again by the next run.
pub fn remove_stale(dir: &Path, prefix: &str, sep: char) {
    remove_stale_by(dir, |name| pid_and_counter(name.strip_prefix(prefix)?, sep));
}

/// [`remove_stale`] for names `pid_of` reads a process id from (`None`: not a temporary
/// of mlpy's, kept).
pub fn remove_stale_by(dir: &Path, pid_of: impl Fn(&str) -> Option<u32>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        match name.to_str().and_then(&pid_of) {
            Some(pid) if !process_alive(pid) => remove(vec![entry.path()]),
            _ => {}
        }
    }
}

/// The process id of `{pid}{sep}{n}`, both parts digits.
pub fn pid_and_counter(rest: &str, sep: char) -> Option<u32> {
    let (pid, n) = rest.split_once(sep)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(pid) && digits(n)) {
        return None;
    }
    pid.parse().ok()
}

/// Whether a process `pid` exists (one of another user counts: kill(2) says EPERM).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Without a way to ask, every process is taken as alive: nothing is removed.
#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

#[cfg(unix)]
extern "C" fn on_signal(signal: libc::c_int) {
    let fd = WRITE_END.load(std::sync::atomic::Ordering::SeqCst);
    let byte = signal as u8;
    // SAFETY: write(2) is async-signal-safe; `byte` lives on this stack frame.
    unsafe {
        libc::write(fd, (&raw const byte).cast(), 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_removed_and_unregistered_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".a.tmp");
        let folder = dir.path().join(".out.tmp");
        let done = dir.path().join(".done.tmp");
        std::fs::write(&file, "x").unwrap();
        std::fs::create_dir_all(folder.join("pkg")).unwrap();
        std::fs::write(folder.join("pkg/m.py"), "y").unwrap();
        std::fs::write(&done, "z").unwrap();
        let _file = pending(&file);
        let _folder = pending(&folder);
        drop(pending(&done));
        // Only this test's paths: other tests of this process write files meanwhile.
        let ours: Vec<PathBuf> = lock()
            .paths
            .values()
            .filter(|p| p.starts_with(dir.path()))
            .cloned()
            .collect();
        assert_eq!(ours, vec![file.clone(), folder.clone()]);
        remove(ours);
        assert!(!file.exists());
        assert!(!folder.exists());
        assert!(done.exists(), "unregistered: kept");
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A process that has ended: its id is free (until reused, which the check allows for).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let own = std::process::id();
        let stale_file = dir.path().join(format!(".mlpy-tmp.{dead}.3"));
        let stale_folder = dir.path().join(format!(".mlpy-tmp.{dead}.4"));
        let live = dir.path().join(format!(".mlpy-tmp.{own}.5"));
        let other = dir.path().join(format!(".mlpy-tmp.{dead}.x"));
        let user = dir.path().join("notes.txt");
        for file in [&stale_file, &live, &other, &user] {
            std::fs::write(file, "x").unwrap();
        }
        std::fs::create_dir_all(stale_folder.join("pkg")).unwrap();
        remove_stale(dir.path(), ".mlpy-tmp.", '.');
        assert!(!stale_file.exists());
        assert!(!stale_folder.exists());
        assert!(live.exists(), "this process's own: kept");
        assert!(other.exists(), "not a name mlpy gives: kept");
        assert!(user.exists());
    }
}
