//! Files on disk, shared by the crates that write them: the remote-module cache
//! (`mlpy-remote`), the transpiler's output folders (`mlpy-transpile`) and `mlpy run`'s
//! program cache (`cli/`).
//!
//! * [`write_atomic`]: a temporary file beside the target, synced, renamed over it
//!   ([`remove_stale_temp_files`] clears those a killed run left);
//! * [`replace_file`]: the same for a file the user owns (`mlpy fmt`), keeping its
//!   permissions, owner and hard links, or refusing;
//! * [`read_regular_file`]: reads a file the user named, refusing what is not a regular
//!   file (a FIFO or `/dev/zero` would block or never end);
//! * [`sha256_hex`]: the content hash recorded in output manifests, the run cache, the
//!   remote cache's metadata and the lockfile;
//! * [`cache_dir`]: the one rule that picks mlpy's cache folder, so that the remote
//!   store and `mlpy run` always agree;
//! * [`ExclusiveLock`]: an `flock` concurrent runs take turns on.
//!
//! * [`interrupt`]: the temporary files and folders an interrupted run removes.
//!
//! A leaf crate: it knows nothing of ML, imports or the network.

pub mod interrupt;

use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk,
/// then renamed over `path`. Readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()), || Ok(()))
}

/// An exclusive `flock(2)` on an open file or folder, held until dropped or until the
/// process ends (a killed run leaves no stale lock): concurrent runs take turns. Elsewhere
/// than on Unix the file is only held open.
pub struct ExclusiveLock {
    _file: std::fs::File,
}

impl ExclusiveLock {
    /// Waits for the lock on `file`.
    pub fn acquire(file: std::fs::File) -> std::io::Result<ExclusiveLock> {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            loop {
                // SAFETY: flock(2) on a descriptor `file` owns; the lock goes with it.
                let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
                if rc == 0 {
                    break;
                }
                let e = std::io::Error::last_os_error();
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
        Ok(ExclusiveLock { _file: file })
    }
}

/// Removes from `dir` the temporary files of [`write_atomic`] (for any target name) whose
/// process is gone: a run killed with SIGKILL between creating and renaming one cannot
/// remove it itself. A live process's are kept (see [`interrupt::remove_stale`]).
pub fn remove_stale_temp_files(dir: &Path) {
    interrupt::remove_stale_by(dir, |name| {
        let (_, tail) = name.strip_prefix('.')?.rsplit_once(".tmp-")?;
        interrupt::pid_and_counter(tail, '-')
    });
}

/// The name of [`write_atomic`]'s temporary files for a file named `name`, up to the
/// process id: [`interrupt::remove_stale`] finds those a killed run left with it.
pub fn atomic_temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// [`write_atomic`], with `prepare` given the temporary file before anything is written
/// to it (to give it the permissions and owner of the file it replaces), and
/// `before_rename` run last, when the new file is ready: an error from it leaves `path`
/// as it is.
fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    prepare: impl FnOnce(&std::fs::File) -> std::io::Result<()>,
    before_rename: impl FnOnce() -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        "{}{}-{}",
        atomic_temp_prefix(&name),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _pending = interrupt::pending(&temp);
    let result = interrupt::guarded(|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        prepare(&file)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        before_rename()?;
        std::fs::rename(&temp, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Replaces the contents of the existing file `path` (through a symbolic link, the file it
/// names) atomically, as [`write_atomic`] does, and keeps what a rename would lose: its
/// permissions, and its owner and group. A file the rename would change in a way that
/// cannot be kept is left as it is, with an error that says why:
///
/// * a read-only file (this user may not write it) — a rename would write it anyway;
/// * a file with more than one hard link — a rename would split the links;
/// * a file whose owner or group this user cannot give to the new file.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_file_checked(path, bytes, None)
}

/// [`replace_file`] for a rewrite of `old`, the contents read before: a file that no
/// longer holds `old` when the new one is ready to take its place (an editor saved it
/// meanwhile) is left as it is, with an error, instead of losing what was written.
pub fn replace_file_unless_changed(path: &Path, old: &[u8], bytes: &[u8]) -> std::io::Result<()> {
    replace_file_checked(path, bytes, Some(old))
}

fn replace_file_checked(path: &Path, bytes: &[u8], old: Option<&[u8]>) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(std::io::Error::other(format!(
                "it has {} hard links, which rewriting it would separate",
                meta.nlink()
            )));
        }
        if !writable(&target) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "it is read-only",
            ));
        }
    }
    let unchanged = || match old {
        Some(old) if std::fs::read(&target)? != old => Err(std::io::Error::other(
            "it changed while it was being rewritten (the changes are kept)",
        )),
        _ => Ok(()),
    };
    write_atomic_with(
        &target,
        bytes,
        |file| {
            file.set_permissions(meta.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                let made = file.metadata()?;
                if (made.uid(), made.gid()) != (meta.uid(), meta.gid()) {
                    std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).map_err(
                        |e| {
                            std::io::Error::new(
                                e.kind(),
                                format!(
                                    "its owner and group ({}:{}) could not be kept: {e}",
                                    meta.uid(),
                                    meta.gid()
                                ),
                            )
                        },
                    )?;
                }
            }
            Ok(())
        },
        unchanged,
    )
}

/// Whether this user may write `path` (the permission bits, as `access(2)` judges them).
#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

/// Reads the whole file `path`, which must be a regular file (through symbolic links).
/// A folder, a FIFO, a socket or a device (`/dev/zero`, a terminal) is refused before it
/// is opened: reading one blocks, never ends, or is not what a source or key file is.
pub fn read_regular_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a FIFO between the check and the open: fail, do not wait for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(not_regular(&opened));
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Why `path`, named on a command line, is neither a file nor a folder mlpy can use: no
/// such thing, a symbolic link to nothing or in a loop, or something other than a regular
/// file (a device, a FIFO). For messages: `{path}: {why}`.
pub fn why_unusable(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => not_regular(&meta).to_string(),
        Ok(_) => "it cannot be used".to_string(),
        Err(e) => {
            let is_link =
                std::fs::symlink_metadata(path).is_ok_and(|link| link.file_type().is_symlink());
            match (is_link, e.kind()) {
                (true, std::io::ErrorKind::NotFound) => {
                    "it is a symbolic link to nothing".to_string()
                }
                (false, std::io::ErrorKind::NotFound) => "no such file or folder".to_string(),
                _ => e.to_string(),
            }
        }
    }
}

/// The error for a path that names something other than a regular file.
fn not_regular(meta: &std::fs::Metadata) -> std::io::Error {
    let what = if meta.is_dir() {
        "it is a folder, not a file"
    } else {
        "it is not a regular file"
    };
    std::io::Error::new(std::io::ErrorKind::InvalidInput, what)
}

/// mlpy's cache folder (remote modules under `remote/v1/`, git clones under `git/v1/`,
/// plugin answers under `plugins/v1/`, `mlpy run`'s programs under `run/`). The first of:
///
/// 1. `$MLPY_CACHE_DIR`;
/// 2. `$XDG_CACHE_HOME/mlpy`;
/// 3. `$HOME/.cache/mlpy`;
/// 4. `%LOCALAPPDATA%\mlpy\cache` (Windows, where `HOME` is usually unset);
/// 5. with none of them set (a service or a `env -i` shell without `HOME`): a folder of
///    this user in the temporary folder, `$TMPDIR/mlpy-cache-<uid>` on Unix
///    (`mlpy-cache` elsewhere). On Unix that folder must be this user's own, and no one
///    else may write into it (see [`private_temp_cache`]).
///
/// Empty variables count as unset. Nothing is created here, except the folder of 5.
pub fn cache_dir() -> PathBuf {
    let temp = std::env::temp_dir();
    let dir = cache_dir_from(|name| std::env::var_os(name), &temp);
    #[cfg(unix)]
    if dir == temp.join(temp_cache_name()) {
        // Once per process: `mlpy run` asks for it for its programs and again for the
        // remote modules, and both must be the same folder.
        static PRIVATE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        return PRIVATE
            .get_or_init(|| private_temp_cache(&temp, &dir))
            .clone();
    }
    dir
}

/// The cache folder `dir` in the shared temporary folder `temp`, made sure to be private.
/// Its name is predictable, so anyone on the machine can create it first and plant
/// modules and programs in it that mlpy would then load and run. mlpy creates it with
/// mode 0700; one that exists is used only when it is a folder (not a link) of this user
/// that no one else may write into. Otherwise this process uses a new private folder
/// beside it (`mlpy-cache-<uid>-<pid>-<nanoseconds>`, nothing kept between runs: set
/// `MLPY_CACHE_DIR`) and leaves the other one alone.
#[cfg(unix)]
pub fn private_temp_cache(temp: &Path, dir: &Path) -> PathBuf {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let create = |path: &Path| std::fs::DirBuilder::new().mode(0o700).create(path);
    let private = |path: &Path| {
        std::fs::symlink_metadata(path).is_ok_and(|meta| {
            // SAFETY: geteuid(2) cannot fail and touches no memory.
            meta.is_dir() && meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o022 == 0
        })
    };
    match create(dir) {
        Ok(()) => return dir.to_path_buf(),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && private(dir) => {
            return dir.to_path_buf()
        }
        Err(_) => {}
    }
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    // Hard to guess, so that no one can create it first.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for n in 0..100 {
        let own = temp.join(format!("{name}-{}-{nanos:09}{n}", std::process::id()));
        if create(&own).is_ok() {
            return own;
        }
    }
    // Nothing private can be made: a place where nothing is found and every write
    // fails, saying where (never a folder someone else may control).
    PathBuf::from("/dev/null/mlpy-cache")
}

/// [`cache_dir`] with the environment read through `var` and `temp` as the temporary
/// folder (for tests, and for callers that have their own environment).
pub fn cache_dir_from(var: impl Fn(&str) -> Option<OsString>, temp: &Path) -> PathBuf {
    let var = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("MLPY_CACHE_DIR") {
        return dir;
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return dir.join("mlpy");
    }
    if let Some(home) = var("HOME") {
        return home.join(".cache").join("mlpy");
    }
    if let Some(dir) = var("LOCALAPPDATA") {
        return dir.join("mlpy").join("cache");
    }
    temp.join(temp_cache_name())
}

/// The name of the fallback cache folder in the temporary folder: one per user, so that
/// users without `HOME` on one machine never share (or fight over) a cache.
#[cfg(unix)]
fn temp_cache_name() -> String {
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    let uid = unsafe { libc::geteuid() };
    format!("mlpy-cache-{uid}")
}

#[cfg(not(unix))]
fn temp_cache_name() -> String {
    "mlpy-cache".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[cfg(unix)]
    #[test]
    fn temporary_files_of_processes_that_are_gone_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let gone_pid = gone.id();
        gone.wait().unwrap();
        let stale = dir.path().join(format!(".m.ml.tmp-{gone_pid}-0"));
        let stale_dotted = dir.path().join(format!(".a.tmp-b.ml.tmp-{gone_pid}-7"));
        let live = dir
            .path()
            .join(format!(".m.ml.tmp-{}-0", std::process::id()));
        let not_ours = dir.path().join(format!("m.ml.tmp-{gone_pid}-4"));
        let odd = dir.path().join(format!(".m.ml.tmp-{gone_pid}-x"));
        let other = dir.path().join("m.ml");
        for path in [&stale, &stale_dotted, &live, &not_ours, &odd, &other] {
            std::fs::write(path, "x").unwrap();
        }
        remove_stale_temp_files(dir.path());
        assert!(!stale.exists() && !stale_dotted.exists());
        assert!(live.exists() && not_ours.exists() && odd.exists() && other.exists());
    }

    fn dir_with(vars: &[(&str, &str)]) -> PathBuf {
        let env: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        cache_dir_from(|name| env.get(name).cloned(), Path::new("/tmp-dir"))
    }

    #[test]
    fn cache_dir_order() {
        let all = [
            ("MLPY_CACHE_DIR", "/explicit"),
            ("XDG_CACHE_HOME", "/xdg"),
            ("HOME", "/home/u"),
            ("LOCALAPPDATA", "/appdata"),
        ];
        assert_eq!(dir_with(&all), Path::new("/explicit"));
        assert_eq!(dir_with(&all[1..]), Path::new("/xdg/mlpy"));
        assert_eq!(dir_with(&all[2..]), Path::new("/home/u/.cache/mlpy"));
        assert_eq!(dir_with(&all[3..]), Path::new("/appdata/mlpy/cache"));
        // Empty values are unset.
        assert_eq!(
            dir_with(&[
                ("MLPY_CACHE_DIR", ""),
                ("XDG_CACHE_HOME", ""),
                ("HOME", "/h")
            ]),
            Path::new("/h/.cache/mlpy")
        );
    }

    #[test]
    fn cache_dir_without_home_is_per_user_in_the_temporary_folder() {
        for vars in [&[][..], &[("HOME", "")][..]] {
            let dir = dir_with(vars);
            assert_eq!(dir.parent(), Some(Path::new("/tmp-dir")), "{dir:?}");
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            #[cfg(unix)]
            assert_eq!(name, format!("mlpy-cache-{}", unsafe { libc::geteuid() }));
            #[cfg(not(unix))]
            assert_eq!(name, "mlpy-cache");
        }
    }

    /// A folder of the fallback's name that someone else could have planted files in is
    /// not used; one mlpy made, or a private one of this user, is.
    #[cfg(unix)]
    #[test]
    fn the_temporary_cache_folder_is_private() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("mlpy-cache-test");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
        assert_eq!(private_temp_cache(temp.path(), &dir), dir);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(private_temp_cache(temp.path(), &dir), dir, "reused");

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::write(dir.join("planted"), "x").unwrap();
        let own = private_temp_cache(temp.path(), &dir);
        assert_ne!(own, dir);
        assert_eq!(own.parent(), Some(temp.path()));
        assert_eq!(mode(&own), 0o700);
        assert_eq!(std::fs::read_dir(&own).unwrap().count(), 0);
        assert!(dir.join("planted").is_file(), "left alone");

        let link = temp.path().join("mlpy-cache-link");
        std::os::unix::fs::symlink(&own, &link).unwrap();
        assert_ne!(private_temp_cache(temp.path(), &link), link);

        // Someone else's folder (only root can make one here).
        if unsafe { libc::geteuid() } == 0 {
            let theirs = temp.path().join("mlpy-cache-theirs");
            std::fs::create_dir(&theirs).unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).unwrap();
            assert_eq!(std::fs::metadata(&theirs).unwrap().uid(), 65534);
            assert_ne!(private_temp_cache(temp.path(), &theirs), theirs);
        }
    }

    #[test]
    fn hashes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.ml");
        std::fs::write(&path, "x=1;").unwrap();
        replace_file_unless_changed(&path, b"x=1;", b"x = 1;\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x = 1;\n");
        // Saved by someone else after `old` was read: kept, and nothing left beside it.
        let err = replace_file_unless_changed(&path, b"x=1;", b"lost").unwrap_err();
        assert!(err.to_string().contains("changed while"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"x = 1;\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_writes_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/f.txt"), b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
