//! Files on disk, shared by the crates that write them: the remote-module cache
//! (`mlpy-remote`), the transpiler's output folders (`mlpy-transpile`) and `mlpy run`'s
//! program cache (`cli/`).
//!
//! * [`write_atomic`]: a temporary file beside the target, synced, renamed over it;
//! * [`sha256_hex`]: the content hash recorded in output manifests, the run cache, the
//!   remote cache's metadata and the lockfile;
//! * [`cache_dir`]: the one rule that picks mlpy's cache folder, so that the remote
//!   store and `mlpy run` always agree.
//!
//! A leaf crate: it knows nothing of ML, imports or the network.

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
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
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
///    (`mlpy-cache` elsewhere).
///
/// Empty variables count as unset. Nothing is created here.
pub fn cache_dir() -> PathBuf {
    cache_dir_from(|name| std::env::var_os(name), &std::env::temp_dir())
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

    #[test]
    fn hashes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
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
