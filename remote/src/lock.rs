//! The lockfile `mlpy.lock`, beside `mlpy.json`: the SHA-256 of every remote module a
//! program reached, so that a module that changes on its server is refused (with both
//! hashes shown) instead of silently run — Go's `go.sum`, Deno's `deno.lock`.
//!
//! ```json
//! {
//!   "version": 1,
//!   "modules": {
//!     "https://cdn.example.com/lib/v2/math.ml": { "sha256": "9f86d0…" }
//!   },
//!   "refs": {}
//! }
//! ```
//!
//! `modules` is keyed by canonical module URL, whatever the protocol (https, git,
//! plugins). `refs` pins what a symbolic reference resolved to — for git imports,
//! `"git://host/org/repo@v1.2"` → `{ "commit": "…" }` — so a moved tag is noticed.
//! Keys are sorted and the file is written atomically, with a final newline, so it
//! diffs well under version control. `--frozen` forbids any change (CI).

use mlpy_fsutil::write_atomic;
use mlpy_modules::config::{
    expect_object, json_error, read_json_file, without_bom, ConfigError, JsonKey,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const LOCKFILE_NAME: &str = "mlpy.lock";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedModule {
    #[serde(deserialize_with = "checked::sha256")]
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedRef {
    #[serde(deserialize_with = "checked::commit")]
    pub commit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockData {
    pub version: u32,
    #[serde(default, deserialize_with = "checked::unique_keys")]
    pub modules: BTreeMap<String, LockedModule>,
    #[serde(default, deserialize_with = "checked::unique_keys")]
    pub refs: BTreeMap<String, LockedRef>,
}

impl Default for LockData {
    fn default() -> Self {
        LockData {
            version: VERSION,
            modules: BTreeMap::new(),
            refs: BTreeMap::new(),
        }
    }
}

/// How the lockfile may change during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockMode {
    /// No change at all: a module missing from the lockfile is an error (CI).
    pub frozen: bool,
    /// Record new hashes over changed ones (after a deliberate upgrade).
    pub update: bool,
    /// Write the changes back at the end (the language server checks, never writes).
    pub write: bool,
}

/// Why a module or reference does not agree with the lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockProblem {
    /// Recorded with another value.
    Changed { expected: String },
    /// Not recorded, and `--frozen`.
    Frozen,
}

#[derive(Debug)]
pub struct Lockfile {
    path: PathBuf,
    data: LockData,
    on_disk: LockData,
    exists: bool,
    mode: LockMode,
}

impl Lockfile {
    /// Reads `path` (a missing file is an empty lockfile).
    pub fn load(path: &Path, mode: LockMode) -> Result<Lockfile, ConfigError> {
        let (data, exists) = match read(path)? {
            Some(data) => (data, true),
            None => (LockData::default(), false),
        };
        Ok(Lockfile {
            path: path.to_path_buf(),
            on_disk: data.clone(),
            data,
            exists,
            mode,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn data(&self) -> &LockData {
        &self.data
    }

    /// The recorded hash of a module.
    pub fn module_hash(&self, url: &str) -> Option<&str> {
        self.data.modules.get(url).map(|m| m.sha256.as_str())
    }

    /// Checks a module's hash against the record, recording it when it is new (or
    /// changed, in update mode).
    pub fn check_module(&mut self, url: &str, sha256: &str) -> Result<(), LockProblem> {
        match self.data.modules.get(url) {
            Some(locked) if locked.sha256 == sha256 => Ok(()),
            Some(locked) if !self.mode.update || self.mode.frozen => Err(LockProblem::Changed {
                expected: locked.sha256.clone(),
            }),
            _ if self.mode.frozen => Err(LockProblem::Frozen),
            _ => {
                self.data.modules.insert(
                    url.to_string(),
                    LockedModule {
                        sha256: sha256.to_string(),
                    },
                );
                Ok(())
            }
        }
    }

    /// The same for a symbolic reference (a git tag or branch → commit).
    pub fn check_ref(&mut self, key: &str, commit: &str) -> Result<(), LockProblem> {
        match self.data.refs.get(key) {
            Some(locked) if locked.commit == commit => Ok(()),
            Some(locked) if !self.mode.update || self.mode.frozen => Err(LockProblem::Changed {
                expected: locked.commit.clone(),
            }),
            _ if self.mode.frozen => Err(LockProblem::Frozen),
            _ => {
                self.data.refs.insert(
                    key.to_string(),
                    LockedRef {
                        commit: commit.to_string(),
                    },
                );
                Ok(())
            }
        }
    }

    /// Whether there are changes not yet written.
    pub fn is_dirty(&self) -> bool {
        self.data != self.on_disk
    }

    /// Writes the changes (merged into what is on disk now, so that two processes do
    /// not lose each other's entries). Returns whether the file was written.
    pub fn save(&mut self) -> Result<bool, ConfigError> {
        if !self.is_dirty() || self.mode.frozen || !self.mode.write {
            return Ok(false);
        }
        // Through a symbolic link (a lockfile shared between projects): the file it names
        // is replaced, the link stays.
        let target = link_target(&self.path).map_err(|message| ConfigError {
            file: self.path.clone(),
            line: 0,
            column: 0,
            message,
        })?;
        // Read, merge and replace under a lock on the folder: two runs saving at once
        // would each merge into what was there before the other wrote, and one run's
        // entries would be lost (the file is replaced by a rename, so the lock cannot be
        // on the file itself).
        let _guard = FolderLock::acquire(target.parent().unwrap_or(Path::new(".")));
        let mut merged = read(&self.path)?.unwrap_or_default();
        for (url, module) in &self.data.modules {
            if self.on_disk.modules.get(url) != Some(module) {
                merged.modules.insert(url.clone(), module.clone());
            }
        }
        for (key, locked) in &self.data.refs {
            if self.on_disk.refs.get(key) != Some(locked) {
                merged.refs.insert(key.clone(), locked.clone());
            }
        }
        merged.version = VERSION;
        let mut text = serde_json::to_string_pretty(&merged).map_err(|e| ConfigError {
            file: self.path.clone(),
            line: 0,
            column: 0,
            message: e.to_string(),
        })?;
        text.push('\n');
        write_atomic(&target, text.as_bytes()).map_err(|e| ConfigError {
            file: self.path.clone(),
            line: 0,
            column: 0,
            message: match target == self.path {
                true => format!("cannot write the lockfile: {e}"),
                false => format!(
                    "cannot write the lockfile where its symbolic link leads, {}: {e}",
                    target.display()
                ),
            },
        })?;
        self.data = merged.clone();
        self.on_disk = merged;
        self.exists = true;
        Ok(true)
    }
}

/// The file `path` names, through symbolic links (a chain of them; a relative one from
/// its own folder): what a save replaces, so that the links stay. A link whose file does
/// not exist yet — a shared lockfile not written yet — names it too: replacing the link
/// itself would lose what the user set up.
fn link_target(path: &Path) -> Result<PathBuf, String> {
    let mut current = path.to_path_buf();
    // As many links as the kernel follows in one path.
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(next) => {
                current = match current.parent() {
                    Some(folder) => folder.join(next),
                    None => next,
                }
            }
            Err(_) => return Ok(current),
        }
    }
    Err(format!(
        "cannot write the lockfile: it is a symbolic link that leads round in a loop ({})",
        current.display()
    ))
}

/// An exclusive `flock` on a folder, held until dropped. Best effort: a folder that
/// cannot be locked (a file system without locks) is written without one, as before.
struct FolderLock {
    _lock: Option<mlpy_fsutil::ExclusiveLock>,
}

impl FolderLock {
    fn acquire(folder: &Path) -> FolderLock {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        FolderLock {
            _lock: std::fs::File::open(folder)
                .and_then(mlpy_fsutil::ExclusiveLock::acquire)
                .ok(),
        }
    }
}

/// What a lockfile's values must be, checked where they are read: a hash compared with
/// one computed here must be one (in lower case, as `sha256` writes it), and a URL
/// listed twice would otherwise leave only its last entry, silently.
mod checked {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};
    use std::collections::BTreeMap;
    use std::fmt;
    use std::marker::PhantomData;

    pub(super) fn sha256<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        hex(d, &[64], "64 hexadecimal digits (a SHA-256)")
    }

    pub(super) fn commit<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        hex(d, &[40, 64], "a commit id of 40 or 64 hexadecimal digits")
    }

    fn hex<'de, D: Deserializer<'de>>(
        d: D,
        lengths: &[usize],
        expected: &str,
    ) -> Result<String, D::Error> {
        let text = String::deserialize(d)?;
        if lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(text.to_ascii_lowercase())
        } else {
            Err(D::Error::custom(format!(
                "expected {expected}, found {}",
                serde_json::Value::String(text)
            )))
        }
    }

    pub(super) fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Deserialize<'de>,
    {
        struct Unique<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Unique<V> {
            type Value = BTreeMap<String, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.contains_key(&key) {
                        return Err(A::Error::custom(format!(
                            "{} is listed twice",
                            serde_json::Value::String(key)
                        )));
                    }
                    let value = map.next_value()?;
                    entries.insert(key, value);
                }
                Ok(entries)
            }
        }
        d.deserialize_map(Unique(PhantomData))
    }
}

fn read(path: &Path) -> Result<Option<LockData>, ConfigError> {
    if !path.exists() {
        return Ok(None);
    }
    let text = read_json_file(path, "the lockfile")?;
    let text = without_bom(&text);
    const ADVICE: &str = "fix it, or delete it and run `mlpy fetch` to write it anew";
    // A merge that both branches changed leaves git's markers: said as such, at the
    // first one, rather than as the JSON error they cause.
    if let Some(line) = text.lines().position(|l| {
        ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
            .iter()
            .any(|marker| l.starts_with(marker))
    }) {
        return Err(ConfigError {
            file: path.to_path_buf(),
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: 1,
            message: "the lockfile has an unresolved merge conflict: keep the entries of both sides (for a module both sides changed, keep either one), then run `mlpy fetch ENTRY.ml`, which checks every entry against the modules (`--update-lock` records a module's current hash)".to_string(),
        });
    }
    expect_object(
        path,
        text,
        "invalid lockfile: it must hold a JSON object",
        "",
    )
    .map_err(|mut e| {
        e.message = format!("{} ({ADVICE})", e.message);
        e
    })?;
    let invalid = |key: &str, e: &serde_json::Error| {
        let mut error = json_error(path, text, key, e);
        error.message = format!("invalid lockfile: {} ({ADVICE})", error.message);
        error
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let data: LockData = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| invalid(&e.path().to_string(), e.inner()))?;
    deserializer.end().map_err(|e| invalid("", &e))?;
    if data.version != VERSION {
        return Err(ConfigError::at_value(
            path,
            &[JsonKey::Key("version")],
            format!(
                "lockfile version {} is not supported (this mlpy writes version {VERSION})",
                data.version
            ),
        ));
    }
    Ok(Some(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITE: LockMode = LockMode {
        frozen: false,
        update: false,
        write: true,
    };

    #[test]
    fn record_check_save_merge() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCKFILE_NAME);
        // Hashes as `sha256` writes them: the lockfile refuses anything else.
        let [aa, bb, zz, nn, a2] = ["a", "b", "f", "e", "2"].map(|digit| digit.repeat(64));
        let c0ffee = "c0ffee".repeat(7)[..40].to_string();
        let mut lock = Lockfile::load(&path, WRITE).unwrap();
        lock.check_module("https://h/b.ml", &bb).unwrap();
        lock.check_module("https://h/a.ml", &aa).unwrap();
        assert_eq!(
            lock.check_module("https://h/a.ml", &zz),
            Err(LockProblem::Changed {
                expected: aa.clone()
            })
        );
        // Another process adds an entry meanwhile.
        let mut other = Lockfile::load(&path, WRITE).unwrap();
        other.check_ref("git://h/r@v1", &c0ffee).unwrap();
        assert!(other.save().unwrap());
        assert!(lock.save().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("}\n"));
        let a = text.find("https://h/a.ml").unwrap();
        let b = text.find("https://h/b.ml").unwrap();
        assert!(a < b, "sorted: {text}");
        assert!(text.contains(&c0ffee), "merged: {text}");
        assert!(!lock.save().unwrap(), "nothing new to write");

        let mut frozen = Lockfile::load(
            &path,
            LockMode {
                frozen: true,
                ..WRITE
            },
        )
        .unwrap();
        assert_eq!(frozen.check_module("https://h/a.ml", &aa), Ok(()));
        assert_eq!(
            frozen.check_module("https://h/new.ml", &nn),
            Err(LockProblem::Frozen)
        );
        let mut update = Lockfile::load(
            &path,
            LockMode {
                update: true,
                ..WRITE
            },
        )
        .unwrap();
        assert_eq!(update.check_module("https://h/a.ml", &a2), Ok(()));
        assert!(update.save().unwrap());
        assert_eq!(
            Lockfile::load(&path, WRITE)
                .unwrap()
                .module_hash("https://h/a.ml"),
            Some(a2.as_str())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_lockfile_is_written_through_its_link() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared.lock");
        std::fs::write(&shared, "{\"version\": 1}\n").unwrap();
        let path = dir.path().join(LOCKFILE_NAME);
        std::os::unix::fs::symlink("shared.lock", &path).unwrap();
        let mut lock = Lockfile::load(&path, WRITE).unwrap();
        lock.check_module("https://h/a.ml", "aa").unwrap();
        assert!(lock.save().unwrap());
        assert!(std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::read_to_string(&shared)
            .unwrap()
            .contains("https://h/a.ml"));
    }

    /// A link to a lockfile not written yet (a chain of them, relative ones from their
    /// own folder) is written through; a link whose folder is missing, or that loops, is
    /// an error. The links are the user's: they always stay.
    #[cfg(unix)]
    #[test]
    fn a_link_to_a_lockfile_not_written_yet_stays_a_link() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let is_link = |p: &Path| std::fs::symlink_metadata(p).unwrap().is_symlink();
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        std::fs::create_dir_all(dir.path().join("team")).unwrap();
        let path = dir.path().join("app").join(LOCKFILE_NAME);
        symlink("../hop.lock", &path).unwrap();
        symlink("team/shared.lock", dir.path().join("hop.lock")).unwrap();
        let mut lock = Lockfile::load(&path, WRITE).unwrap();
        lock.check_module("https://h/a.ml", &"ab".repeat(32))
            .unwrap();
        assert!(lock.save().unwrap());
        assert!(is_link(&path) && is_link(&dir.path().join("hop.lock")));
        let written = std::fs::read_to_string(dir.path().join("team/shared.lock")).unwrap();
        assert!(written.contains("https://h/a.ml"), "{written}");

        for (link, leads_to, says) in [
            (
                "missing.lock",
                "../nowhere/x.lock",
                "where its symbolic link leads",
            ),
            ("loop.lock", "loop.lock", "leads round in a loop"),
        ] {
            let path = dir.path().join("app").join(link);
            symlink(leads_to, &path).unwrap();
            let mut lock = Lockfile::load(&path, WRITE).unwrap();
            lock.check_module("https://h/a.ml", &"ab".repeat(32))
                .unwrap();
            let e = lock.save().unwrap_err();
            assert!(e.message.contains(says), "{}", e.message);
            assert!(is_link(&path), "{link} was replaced");
        }
    }

    #[test]
    fn hashes_in_capitals_are_the_same_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCKFILE_NAME);
        let (hash, commit) = ("ab".repeat(32), "cd".repeat(20));
        std::fs::write(
            &path,
            format!(
                "{{\"version\": 1, \"modules\": {{\"https://h/a.ml\": {{\"sha256\": \"{}\"}}}},\
                 \"refs\": {{\"git://h/r@v1\": {{\"commit\": \"{}\"}}}}}}",
                hash.to_uppercase(),
                commit.to_uppercase()
            ),
        )
        .unwrap();
        let mut lock = Lockfile::load(&path, WRITE).unwrap();
        assert_eq!(lock.check_module("https://h/a.ml", &hash), Ok(()));
        assert_eq!(lock.check_ref("git://h/r@v1", &commit), Ok(()));
    }

    #[test]
    fn bad_lockfiles_have_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCKFILE_NAME);
        std::fs::write(&path, "{\n  \"version\": 1,\n  \"modules\": [\n}").unwrap();
        let e = Lockfile::load(&path, WRITE).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("invalid lockfile"), "{e}");
        std::fs::write(&path, "{\"version\": 9}").unwrap();
        let e = Lockfile::load(&path, WRITE).unwrap_err();
        assert!(e.message.contains("version 9"), "{e}");
        assert_eq!((e.line, e.column), (1, 13), "{e}");
        // Not an object, empty, wrong types, not UTF-8: a place (1-based) and JSON's words.
        for (text, words, line, column) in [
            (
                &b"[]"[..],
                "it must hold a JSON object, found an array",
                1,
                1,
            ),
            (b"", "it must hold a JSON object; the file is empty", 1, 1),
            (
                b"\n",
                "it must hold a JSON object; the file holds only white space",
                2,
                1,
            ),
            (
                b"{\"version\": \"1\"}",
                "expected a whole number of 0 or more, found the string \"1\"",
                1,
                15,
            ),
            (
                b"{\"version\": 1, \"modules\": {\"u\": 1}}",
                "invalid value for \"modules.u\": expected an object, found the number 1",
                1,
                33,
            ),
            (
                b"{\"version\": 1, \"refs\": {\"u\": []}}",
                "invalid value for \"refs.u\": expected an object, found an array",
                1,
                31,
            ),
            (
                b"{\"version\": 1, \"x\": 2}",
                "unknown key in mlpy.lock: `x`",
                1,
                18,
            ),
            (
                b"{\"version\": 1, \"modules\": {\"u\": {\"sha256\": \"abc\"}}}",
                "invalid value for \"modules.u.sha256\": expected 64 hexadecimal digits (a SHA-256), found \"abc\"",
                1,
                49,
            ),
            (
                format!("{{\"version\": 1, \"modules\": {{\"u\": {{\"sha256\": \"{}\"}}}}}}", "g".repeat(64)).as_bytes(),
                "expected 64 hexadecimal digits",
                1,
                110,
            ),
            (
                b"{\"version\": 1, \"refs\": {\"r\": {\"commit\": \"HEAD\"}}}",
                "invalid value for \"refs.r.commit\": expected a commit id of 40 or 64 hexadecimal digits, found \"HEAD\"",
                1,
                47,
            ),
            (
                format!("{{\"version\": 1,\n\"modules\": {{\"u\": {{\"sha256\": \"{h}\"}},\n\"u\": {{\"sha256\": \"{h}\"}}}}}}", h = "a".repeat(64)).as_bytes(),
                "\"u\" is listed twice",
                3,
                3,
            ),
            (b"{\"version\": 1}\n\n", "", 0, 0),
            (b"{\"modules\": {\"\xff\": 1}}", "not valid UTF-8", 1, 15),
        ] {
            std::fs::write(&path, text).unwrap();
            match Lockfile::load(&path, WRITE) {
                Ok(_) => assert_eq!(line, 0, "{text:?} was accepted"),
                Err(e) => {
                    assert!(e.message.contains(words), "{text:?}: {e}");
                    assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
                    assert!(!e.message.contains("struct"), "{e}");
                }
            }
        }
    }
}
