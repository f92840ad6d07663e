//! The folders `mlpy run` caches programs in, checked before every reuse.
//!
//! A folder is named by a hash of the output it holds, and holds a manifest
//! ([`MANIFEST`]: every file mlpy wrote there, with its SHA-256). It is reused only when
//! the manifest lists exactly the files of this output, every file on disk has exactly
//! the bytes mlpy would write now, and nothing else is there but Python's own
//! `__pycache__/*.pyc`. Anything else (a file edited after a traceback pointed into the
//! cache, a file added beside the program, a damaged disk) means the folder is rebuilt:
//! written whole in a temporary folder beside it, then renamed into place. The old folder
//! is moved aside first; only what mlpy wrote there, unchanged, is deleted from it, so a
//! changed or added file is kept (and named in a warning), never destroyed.

use mlpy_fsutil::sha256_hex;
use mlpy_transpile::OutputFile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

/// Lists every file mlpy wrote in a cached folder, with its SHA-256; written first (so a
/// half-written temporary folder can be cleaned up too).
pub(crate) const MANIFEST: &str = ".mlpy-run-manifest.json";

const MANIFEST_FORMAT: u64 = 1;

/// What `mlpy run` wrote in a folder before the manifest (an empty `.mlpy-complete`, and
/// `.mlpy-output` holding "Written by mlpy…"): such a folder is replaced without a
/// warning, and these files are deleted with the rest of mlpy's output.
const LEGACY_MARKERS: &[(&str, &str)] =
    &[(".mlpy-complete", ""), (".mlpy-output", "Written by mlpy")];

fn is_legacy_marker(dir: &Path, relative: &str) -> bool {
    LEGACY_MARKERS.iter().any(|(name, start)| {
        relative == *name
            && std::fs::read_to_string(dir.join(name)).is_ok_and(|text| {
                if start.is_empty() {
                    text.is_empty()
                } else {
                    text.starts_with(start)
                }
            })
    })
}

/// Files of a folder that are not what mlpy wrote there: relative paths.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// Missing, changed, or not a regular file.
    pub changed: Vec<String>,
    /// There, but not written by mlpy (nor Python's bytecode cache).
    pub added: Vec<String>,
}

impl Mismatch {
    fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty()
    }

    fn describe(&self) -> String {
        let mut names: Vec<String> = self.changed.iter().map(|p| format!("'{p}'")).collect();
        names.extend(self.added.iter().map(|p| format!("'{p}' (added)")));
        let more = names.len().saturating_sub(5);
        names.truncate(5);
        let mut text = names.join(", ");
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text
    }
}

/// What [`ensure`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Prepared {
    /// The folder held exactly this output.
    Reused,
    /// There was no folder: it was written.
    Written,
    /// The folder had changed: it was rebuilt. `kept`: where what mlpy did not write (or
    /// what changed since) was left, if anything was.
    Rebuilt {
        mismatch: Mismatch,
        kept: Option<PathBuf>,
    },
}

impl Prepared {
    /// A warning for people, when the cache had been tampered with.
    pub(crate) fn warning(&self, dir: &Path) -> Option<String> {
        let Prepared::Rebuilt { mismatch, kept } = self else {
            return None;
        };
        let mut text = format!(
            "mlpy: warning: the cached program in '{}' was changed since mlpy wrote it ({}); it was rebuilt",
            dir.display(),
            mismatch.describe()
        );
        if let Some(kept) = kept {
            text.push_str(&format!(
                "; the files mlpy did not write are kept in '{}'",
                kept.display()
            ));
        }
        Some(text)
    }
}

fn expected_manifest(files: &[OutputFile]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|f| (slash_path(&f.path), sha256_hex(f.contents.as_bytes())))
        .collect()
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn manifest_text(manifest: &BTreeMap<String, String>) -> String {
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "format": MANIFEST_FORMAT,
        "files": manifest,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

fn read_manifest(dir: &Path) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    if value.get("format")?.as_u64()? != MANIFEST_FORMAT {
        return None;
    }
    let files = value.get("files")?.as_object()?;
    files
        .iter()
        .map(|(path, hash)| Some((path.clone(), hash.as_str()?.to_string())))
        .collect()
}

/// How `dir` differs from the output `files` (empty: it holds exactly that output).
pub(crate) fn check(dir: &Path, files: &[OutputFile]) -> Mismatch {
    let mut mismatch = Mismatch::default();
    let expected = expected_manifest(files);
    if read_manifest(dir).as_ref() != Some(&expected) {
        mismatch.changed.push(MANIFEST.to_string());
    }
    let wanted: BTreeMap<String, &OutputFile> =
        files.iter().map(|f| (slash_path(&f.path), f)).collect();
    let mut seen = Vec::new();
    walk(dir, dir, &mut |relative, file_type| {
        if relative == MANIFEST {
            return;
        }
        match wanted.get(relative) {
            Some(file) => {
                // Regular files only: a symbolic link could point anywhere.
                let same = file_type.is_file()
                    && std::fs::read(dir.join(relative))
                        .is_ok_and(|bytes| bytes == file.contents.as_bytes());
                if !same {
                    mismatch.changed.push(relative.to_string());
                }
                seen.push(relative.to_string());
            }
            None if file_type.is_file() && is_bytecode(relative) => {}
            None => mismatch.added.push(relative.to_string()),
        }
    });
    seen.sort();
    for path in wanted.keys() {
        if seen.binary_search(path).is_err() {
            mismatch.changed.push(path.clone());
        }
    }
    mismatch
}

/// Python's own cache of a module: `…/__pycache__/NAME.TAG.pyc` (Python checks it against
/// its source's time stamp and size before using it).
fn is_bytecode(relative: &str) -> bool {
    let mut parts = relative.rsplit('/');
    let name = parts.next().unwrap_or_default();
    parts.next() == Some("__pycache__") && name.ends_with(".pyc")
}

/// Calls `f` with the path (relative, `/`-separated) and type of every entry under
/// `dir` that is not a folder (folders are walked; symbolic links are not followed).
fn walk(root: &Path, dir: &Path, f: &mut impl FnMut(&str, std::fs::FileType)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if file_type.is_dir() {
            walk(root, &path, f);
            continue;
        }
        if let Ok(relative) = path.strip_prefix(root) {
            f(&slash_path(relative), file_type);
        }
    }
}

/// Writes (or reuses, once checked) a program mlpy runs — `mlpy run`'s, `mlpy test`'s,
/// `mlpy dap`'s, the runtime of `mlpy repl` — in mlpy's cache folder:
/// `<purpose>/<hash of the entry path>/<hash of the files>/` (without the entry's part
/// when there is none), and removes the older versions of the same program. A warning
/// about files found changed in a reused folder goes to standard error. Returns the folder.
pub(crate) fn prepare_program(
    purpose: &str,
    entry: Option<&Path>,
    files: &[OutputFile],
) -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let hash = |write: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        write(&mut hasher);
        hasher.finish()
    };
    let mut program_dir = mlpy_fsutil::cache_dir().join(purpose);
    if let Some(entry) = entry {
        program_dir.push(format!("{:016x}", hash(&|h| entry.hash(h))));
    }
    let content_key = hash(&|h| {
        env!("CARGO_PKG_VERSION").hash(h);
        for file in files {
            file.path.hash(h);
            file.contents.hash(h);
        }
    });
    let dir = program_dir.join(format!("{content_key:016x}"));
    let prepared = ensure(&dir, files)
        .map_err(|e| format!("cannot write the program to '{}': {e}", dir.display()))?;
    if let Some(warning) = prepared.warning(&dir) {
        errln!("{warning}");
    }
    if prepared != Prepared::Reused {
        remove_stale_versions(&program_dir, &dir);
    }
    Ok(dir)
}

/// Makes `dir` hold exactly the output `files`: reuses it, writes it, or rebuilds it.
pub(crate) fn ensure(dir: &Path, files: &[OutputFile]) -> std::io::Result<Prepared> {
    let existed = dir.exists();
    if existed {
        let mismatch = check(dir, files);
        if mismatch.is_empty() {
            return Ok(Prepared::Reused);
        }
        let legacy_layout = !dir.join(MANIFEST).exists() && dir.join(".mlpy-complete").is_file();
        let temp = write_temp(dir, files)?;
        let aside = sibling(dir, "old");
        // Move the changed folder aside, then put the new one in its place.
        if let Err(e) = std::fs::rename(dir, &aside) {
            // Another `mlpy run` may have replaced it meanwhile.
            if check(dir, files).is_empty() {
                remove_ours(&temp, None);
                return Ok(Prepared::Reused);
            }
            remove_ours(&temp, None);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&temp, dir) {
            let _ = std::fs::rename(&aside, dir);
            remove_ours(&temp, None);
            return Err(e);
        }
        // What mlpy wrote in the old folder is this output (the folder is named by its
        // hash), whatever its manifest now says.
        let kept = (!remove_ours(&aside, Some(&expected_manifest(files)))).then_some(aside);
        // A folder of an older mlpy, untouched: nothing to warn about.
        let legacy = legacy_layout
            && mismatch.changed == [MANIFEST]
            && mismatch
                .added
                .iter()
                .all(|a| LEGACY_MARKERS.iter().any(|(name, _)| name == a));
        if legacy && kept.is_none() {
            return Ok(Prepared::Written);
        }
        return Ok(Prepared::Rebuilt { mismatch, kept });
    }
    if let Some(parent) = dir.parent() {
        create_private_dir_all(parent)?;
    }
    let temp = write_temp(dir, files)?;
    match std::fs::rename(&temp, dir) {
        Ok(()) => Ok(Prepared::Written),
        Err(e) => {
            remove_ours(&temp, None);
            // Another `mlpy run` of the same program wrote it first.
            if check(dir, files).is_empty() {
                Ok(Prepared::Reused)
            } else {
                Err(e)
            }
        }
    }
}

/// The cache is the user's alone: on Unix, folders mlpy creates are `rwx------`.
fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A new name beside `dir`: `.NAME.WHAT-PID-N`.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let parent = dir.parent().unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    loop {
        let candidate = parent.join(format!(
            ".{name}.{what}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if !candidate.exists() {
            return candidate;
        }
    }
}

/// Writes the output in a new temporary folder beside `dir`: the manifest first, then
/// every file.
fn write_temp(dir: &Path, files: &[OutputFile]) -> std::io::Result<PathBuf> {
    let temp = sibling(dir, "tmp");
    let result = (|| {
        create_private_dir_all(&temp)?;
        std::fs::write(
            temp.join(MANIFEST),
            manifest_text(&expected_manifest(files)),
        )?;
        for file in files {
            let path = temp.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, file.contents.as_bytes())?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            remove_ours(&temp, None);
            Err(e)
        }
    }
}

/// Deletes from `dir` what mlpy wrote there and is unchanged (per `manifest`, else the
/// folder's own), Python's bytecode cache, the manifest, and the folders left empty.
/// Returns whether `dir` is gone (false: files mlpy did not write, or changed since, are
/// still there).
pub(crate) fn remove_ours(dir: &Path, manifest: Option<&BTreeMap<String, String>>) -> bool {
    let own;
    let manifest = match manifest {
        Some(m) => m,
        None => {
            own = read_manifest(dir).unwrap_or_default();
            &own
        }
    };
    walk(dir, dir, &mut |relative, file_type| {
        if !file_type.is_file() || relative == MANIFEST {
            return;
        }
        let path = dir.join(relative);
        let ours = match manifest.get(relative) {
            Some(hash) => std::fs::read(&path).is_ok_and(|bytes| sha256_hex(&bytes) == *hash),
            None => is_bytecode(relative) || is_legacy_marker(dir, relative),
        };
        if ours {
            let _ = std::fs::remove_file(&path);
        }
    });
    let _ = std::fs::remove_file(dir.join(MANIFEST));
    remove_empty_dirs(dir);
    !dir.exists()
}

/// Removes the empty folders under `dir`, and `dir` if it ends up empty.
fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&entry.path());
            }
        }
    }
    // Fails, as it should, when something is left.
    let _ = std::fs::remove_dir(dir);
}

/// Removes the other outputs of the same program (`program_dir` holds one folder per
/// version) that went unused for ten minutes (another run may still use a recent one):
/// only what mlpy wrote, see [`remove_ours`].
pub(crate) fn remove_stale_versions(program_dir: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(program_dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let path = entry.path();
        if path == keep || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_secs(600));
        if old && path.join(MANIFEST).is_file() {
            remove_ours(&path, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn output(files: &[(&str, &'static str)]) -> Vec<OutputFile> {
        files
            .iter()
            .map(|(path, text)| OutputFile {
                path: PathBuf::from(path),
                contents: Cow::Borrowed(text),
            })
            .collect()
    }

    #[test]
    fn reused_only_when_every_byte_is_mlpys() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run").join("v1");
        let files = output(&[("main.py", "print(1)\n"), ("pkg/m.py", "x = 1\n")]);
        assert_eq!(ensure(&dir, &files).unwrap(), Prepared::Written);
        assert_eq!(ensure(&dir, &files).unwrap(), Prepared::Reused);
        // Python's bytecode cache is Python's business.
        std::fs::create_dir_all(dir.join("pkg/__pycache__")).unwrap();
        std::fs::write(dir.join("pkg/__pycache__/m.cpython-311.pyc"), "pyc").unwrap();
        assert_eq!(ensure(&dir, &files).unwrap(), Prepared::Reused);

        // A changed file: rebuilt; the changed file is kept aside, named in the warning.
        std::fs::write(dir.join("main.py"), "print('tampered')\n").unwrap();
        let prepared = ensure(&dir, &files).unwrap();
        let Prepared::Rebuilt { mismatch, kept } = &prepared else {
            panic!("{prepared:?}");
        };
        assert_eq!(mismatch.changed, ["main.py"]);
        let kept = kept.clone().expect("the changed file is kept");
        assert_eq!(
            std::fs::read_to_string(kept.join("main.py")).unwrap(),
            "print('tampered')\n"
        );
        // Only the changed file is left there: what mlpy wrote, unchanged, is deleted.
        assert!(!kept.join("pkg").exists());
        assert!(prepared.warning(&dir).unwrap().contains("'main.py'"));
        assert_eq!(
            std::fs::read_to_string(dir.join("main.py")).unwrap(),
            "print(1)\n"
        );
        assert_eq!(ensure(&dir, &files).unwrap(), Prepared::Reused);

        // An added file (a module that would shadow one of Python's) and a missing one.
        std::fs::write(dir.join("json.py"), "raise SystemExit('planted')\n").unwrap();
        std::fs::remove_file(dir.join("pkg/m.py")).unwrap();
        match ensure(&dir, &files).unwrap() {
            Prepared::Rebuilt { mismatch, kept } => {
                assert_eq!(mismatch.added, ["json.py"]);
                assert_eq!(mismatch.changed, ["pkg/m.py"]);
                assert!(kept.unwrap().join("json.py").is_file());
            }
            other => panic!("{other:?}"),
        }
        assert!(!dir.join("json.py").exists());
        assert!(dir.join("pkg/m.py").is_file());

        // A changed manifest alone, or a file replaced by a link: rebuilt, nothing kept.
        std::fs::write(dir.join(MANIFEST), "{}").unwrap();
        assert!(matches!(
            ensure(&dir, &files).unwrap(),
            Prepared::Rebuilt { kept: None, .. }
        ));
        #[cfg(unix)]
        {
            std::fs::remove_file(dir.join("main.py")).unwrap();
            std::fs::write(root.path().join("elsewhere.py"), "print(1)\n").unwrap();
            std::os::unix::fs::symlink(root.path().join("elsewhere.py"), dir.join("main.py"))
                .unwrap();
            assert!(matches!(
                ensure(&dir, &files).unwrap(),
                Prepared::Rebuilt { .. }
            ));
            assert!(dir.join("main.py").symlink_metadata().unwrap().is_file());
        }
        // No temporary folders are left beside it.
        let names: Vec<String> = std::fs::read_dir(root.path().join("run"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn folders_of_an_older_mlpy_are_replaced_quietly() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("v1");
        let files = output(&[("main.py", "print(1)\n")]);
        std::fs::create_dir_all(dir.join("__pycache__")).unwrap();
        std::fs::write(dir.join("main.py"), "print(1)\n").unwrap();
        std::fs::write(dir.join(".mlpy-complete"), "").unwrap();
        std::fs::write(dir.join(".mlpy-output"), "Written by mlpy; the next …\n").unwrap();
        std::fs::write(dir.join("__pycache__/x.cpython-39.pyc"), "").unwrap();
        assert_eq!(ensure(&dir, &files).unwrap(), Prepared::Written);
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
        assert_eq!(ensure(&dir, &files).unwrap(), Prepared::Reused);
        // A marker with other contents is not mlpy's: kept, and warned about.
        std::fs::write(dir.join(".mlpy-complete"), "mine").unwrap();
        assert!(matches!(
            ensure(&dir, &files).unwrap(),
            Prepared::Rebuilt { kept: Some(_), .. }
        ));
    }

    #[test]
    fn stale_versions_lose_only_what_mlpy_wrote() {
        let root = tempfile::tempdir().unwrap();
        let old = root.path().join("old");
        let files = output(&[("main.py", "print(1)\n")]);
        ensure(&old, &files).unwrap();
        std::fs::write(old.join("notes.txt"), "mine").unwrap();
        let stranger = root.path().join("stranger");
        std::fs::create_dir(&stranger).unwrap();
        std::fs::write(stranger.join("main.py"), "print(1)\n").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        for d in [&old, &stranger] {
            std::fs::File::open(d)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        }
        remove_stale_versions(root.path(), &root.path().join("current"));
        assert!(!old.join("main.py").exists());
        assert!(old.join("notes.txt").is_file());
        // A folder without mlpy's manifest is not mlpy's to clean.
        assert!(stranger.join("main.py").is_file());
    }
}
