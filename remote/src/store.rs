//! The on-disk cache of remote modules.
//!
//! The cache folder ([`mlpy_fsutil::cache_dir`]: `MLPY_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/mlpy`, else `~/.cache/mlpy`, …) holds, under
//! `remote/v1/<scheme>/<host>[_<port>]/`, for each module URL:
//!
//! * `<hash>-<name>.ml`: the module's bytes, exactly as served;
//! * `<hash>-<name>.ml.meta.json`: its metadata (URL, fetch time, SHA-256, the `.sig`
//!   hash and `.minisig` signature it was verified with, the key that signed it).
//!
//! `<hash>` is the start of the SHA-256 of the URL. Both files are written atomically
//! (a temporary file in the same folder, synced, then renamed), the content first and
//! the metadata last: an entry exists only once its metadata does, and a process
//! killed at any point leaves either the old entry or the new one, never a partial
//! one. Downloads are held in memory (at most `max_module_size`) until complete and
//! verified, so an interrupted download writes nothing at all. Entries are verified
//! again on every load.

use mlpy_fsutil::{sha256_hex, write_atomic};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use url::Url;

const LAYOUT: &str = "remote/v1";
const META_VERSION: u32 = 1;

/// What is recorded about a cached module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryMeta {
    pub version: u32,
    /// The canonical URL of the module.
    pub url: String,
    /// Where the bytes finally came from, after redirects.
    pub final_url: String,
    /// Seconds since the Unix epoch.
    pub fetched_at: u64,
    pub size: u64,
    pub sha256: String,
    /// The hash of the module's `.sig` file, when it was fetched with verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
    /// The module's `.minisig` signature, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minisig: Option<String>,
    /// The ID of the trusted key whose signature was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// A cache entry as read from disk (not yet verified against its metadata).
#[derive(Debug)]
pub struct Entry {
    pub meta: EntryMeta,
    pub bytes: Vec<u8>,
    pub content_path: PathBuf,
}

/// The files of one entry.
#[derive(Debug, Clone)]
pub struct EntryPaths {
    pub content: PathBuf,
    pub meta: PathBuf,
}

/// Why a cache entry that exists cannot be read (the caller discards it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryReadError {
    #[error("its metadata cannot be read: {message}")]
    MetaUnreadable { message: String },
    #[error("its metadata is not valid: {message}")]
    MetaInvalid { message: String },
    #[error("its metadata has version {version}")]
    MetaVersion { version: u32 },
    /// The metadata belongs to another URL (a hash collision, or a copied file).
    #[error("its metadata names another URL ({url})")]
    OtherUrl { url: String },
    #[error("the cached module cannot be read: {message}")]
    ContentUnreadable { message: String },
    #[error("the cached module is not a regular file")]
    NotAFile,
    #[error("the cached module is {size} bytes, over the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
}

impl EntryReadError {
    /// Whether the entry itself is broken (and is removed). An entry over the size limit
    /// of the project reading it is sound: the cache is shared, and the project that
    /// fetched it (with a larger limit) still uses it, offline too.
    pub fn is_corrupt(&self) -> bool {
        !matches!(self, EntryReadError::TooLarge { .. })
    }
}

#[derive(Debug, Clone)]
pub struct CacheStore {
    root: PathBuf,
}

/// `text` made safe as one component of a cache path: letters, digits, `-` and `.` stay,
/// anything else becomes `_`.
pub(crate) fn sanitize(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !clean.is_empty() && clean.chars().all(|c| c == '.') {
        // `.` or `..` (a plugin may answer any host) would name this folder or climb out.
        return "_".repeat(clean.len());
    }
    if clean.len() > MAX_COMPONENT {
        // File names have a length limit (255 bytes on most file systems): a long one
        // keeps its start and a hash of the whole, so it stays one, and apart.
        return format!("{}-{}", &clean[..60], &sha256_hex(text.as_bytes())[..16]);
    }
    clean
}

/// The longest path component [`sanitize`] returns unchanged.
const MAX_COMPONENT: usize = 100;

impl CacheStore {
    /// A store under `cache_dir` (created on first write).
    pub fn new(cache_dir: &Path) -> CacheStore {
        CacheStore {
            root: cache_dir.join(LAYOUT),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the entry of `url` lives.
    pub fn paths(&self, url: &Url) -> EntryPaths {
        let host = match url.port() {
            Some(port) => format!("{}_{port}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        let last = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or("module");
        let stem = sanitize(last.strip_suffix(".ml").unwrap_or(last));
        let stem: String = stem.chars().take(60).collect();
        let hash = &sha256_hex(url.as_str().as_bytes())[..24];
        let dir = self.root.join(sanitize(url.scheme())).join(sanitize(&host));
        let content = dir.join(format!("{hash}-{stem}.ml"));
        let meta = dir.join(format!("{hash}-{stem}.ml.meta.json"));
        EntryPaths { content, meta }
    }

    /// Reads the entry of `url`. `Ok(None)`: not cached. `Err`: an entry exists but is
    /// unreadable or inconsistent (the caller discards it).
    pub fn read(&self, url: &Url, size_limit: u64) -> Result<Option<Entry>, EntryReadError> {
        let paths = self.paths(url);
        let meta_text = match std::fs::read(&paths.meta) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(EntryReadError::MetaUnreadable {
                    message: e.to_string(),
                })
            }
        };
        let meta: EntryMeta =
            serde_json::from_slice(&meta_text).map_err(|e| EntryReadError::MetaInvalid {
                message: e.to_string(),
            })?;
        if meta.version != META_VERSION {
            return Err(EntryReadError::MetaVersion {
                version: meta.version,
            });
        }
        if meta.url != url.as_str() {
            return Err(EntryReadError::OtherUrl { url: meta.url });
        }
        let unreadable = |e: std::io::Error| EntryReadError::ContentUnreadable {
            message: e.to_string(),
        };
        let file_meta = std::fs::symlink_metadata(&paths.content).map_err(unreadable)?;
        if !file_meta.is_file() {
            return Err(EntryReadError::NotAFile);
        }
        if file_meta.len() > size_limit {
            return Err(EntryReadError::TooLarge {
                size: file_meta.len(),
                limit: size_limit,
            });
        }
        let bytes = std::fs::read(&paths.content).map_err(unreadable)?;
        Ok(Some(Entry {
            meta,
            bytes,
            content_path: paths.content,
        }))
    }

    /// Stores an entry atomically; returns the content file.
    pub fn write(&self, url: &Url, bytes: &[u8], meta: &EntryMeta) -> std::io::Result<PathBuf> {
        let paths = self.paths(url);
        if let Some(dir) = paths.content.parent() {
            std::fs::create_dir_all(dir)?;
            sweep_once(dir);
        }
        // The metadata goes last: without it the entry does not exist. A reader that
        // sees the new metadata with old content finds the hashes disagree and
        // discards the entry; so remove the old metadata first.
        match std::fs::remove_file(&paths.meta) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        write_atomic(&paths.content, bytes)?;
        let mut text = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
        text.push(b'\n');
        write_atomic(&paths.meta, &text)?;
        Ok(paths.content)
    }

    /// Removes the entry of `url` (both files; missing files are fine). What is there
    /// and is no file — a folder in a file's place — mlpy did not write and is left: the
    /// error names it.
    pub fn remove(&self, url: &Url) -> Result<(), String> {
        let paths = self.paths(url);
        let mut left = Vec::new();
        for path in [&paths.meta, &paths.content] {
            match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_dir() => left.push(path.display().to_string()),
                Ok(_) => {
                    if let Err(e) = std::fs::remove_file(path) {
                        left.push(format!("{} ({e})", path.display()));
                    }
                }
                Err(_) => {}
            }
        }
        match left.is_empty() {
            true => Ok(()),
            false => Err(left.join(", ")),
        }
    }
}

/// Clears the temporary files killed runs left in `dir` — once per folder and process,
/// so that a fetch of many modules reads each folder once.
fn sweep_once(dir: &Path) {
    static SWEPT: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> =
        std::sync::Mutex::new(None);
    let first = SWEPT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(Default::default)
        .insert(dir.to_path_buf());
    if first {
        mlpy_fsutil::remove_stale_temp_files(dir);
    }
}

/// The URL of a cached remote module, given its cache file (to show diagnostics in
/// remote modules under their URL). `None` for any other file.
pub fn url_of_cache_file(path: &Path) -> Option<String> {
    if path.extension()? != "ml" || !path.to_string_lossy().contains(LAYOUT) {
        return None;
    }
    let mut meta = path.as_os_str().to_owned();
    meta.push(".meta.json");
    let meta: EntryMeta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
    // Plugin modules are cached under their URL scoped to a project (`#project-…`).
    let url = match meta.url.split_once('#') {
        Some((url, _)) => url.to_string(),
        None => meta.url,
    };
    Some(url)
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sanitized_component_stays_one_folder_name() {
        assert_eq!(sanitize(".."), "__");
        assert_eq!(sanitize("."), "_");
        assert_eq!(sanitize(""), "");
        assert_eq!(sanitize("..%2f"), ".._2f");
        assert_eq!(sanitize("127.0.0.1_8443"), "127.0.0.1_8443");
        let long = "h".repeat(300);
        let short = sanitize(&long);
        assert!(short.len() <= MAX_COMPONENT, "{}", short.len());
        assert_ne!(short, sanitize(&"h".repeat(301)), "still apart");
    }

    #[test]
    fn write_read_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = CacheStore::new(dir.path());
        let url = Url::parse("https://127.0.0.1:8443/lib/math.ml").unwrap();
        assert!(store.read(&url, 100).unwrap().is_none());
        let meta = EntryMeta {
            version: 1,
            url: url.to_string(),
            final_url: url.to_string(),
            fetched_at: now(),
            size: 3,
            sha256: sha256_hex(b"x=1"),
            sig: None,
            minisig: None,
            signed_by: None,
        };
        let path = store.write(&url, b"x=1", &meta).unwrap();
        assert!(path.to_string_lossy().contains("127.0.0.1_8443"));
        assert!(path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with("-math.ml"));
        let entry = store.read(&url, 100).unwrap().unwrap();
        assert_eq!(entry.bytes, b"x=1");
        assert_eq!(entry.meta, meta);
        assert!(store.read(&url, 2).is_err());
        let other = Url::parse("https://127.0.0.1:8443/lib/other.ml").unwrap();
        std::fs::copy(&store.paths(&url).meta, &store.paths(&other).meta).unwrap();
        let e = store.read(&other, 100).unwrap_err();
        assert!(matches!(e, EntryReadError::OtherUrl { .. }), "{e}");
        assert!(e.to_string().contains("another URL"), "{e}");
        store.remove(&url).unwrap();
        assert!(store.read(&url, 100).unwrap().is_none());
        // No temporary files are left behind.
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        // A folder in the module's place is not mlpy's: left there, and named.
        store.write(&url, b"x=1", &meta).unwrap();
        let content = store.paths(&url).content;
        std::fs::remove_file(&content).unwrap();
        std::fs::create_dir(&content).unwrap();
        std::fs::write(content.join("notes"), "mine").unwrap();
        assert_eq!(store.read(&url, 100).unwrap_err(), EntryReadError::NotAFile);
        let left = store.remove(&url).unwrap_err();
        assert!(left.contains(&content.display().to_string()), "{left}");
        assert!(content.join("notes").is_file());
        assert!(
            !store.paths(&url).meta.exists(),
            "the metadata file is removed"
        );
    }
}
