//! Publishing remote modules: key pairs, signatures and a static, signed module tree
//! that any static web server or CDN can serve (`mlpy keygen`, `mlpy sign`,
//! `mlpy publish`).
//!
//! For every module `a/b.ml` the tree holds:
//!
//! * `a/b.ml` — the module, byte for byte;
//! * `a/b.ml.sig` — its hex SHA-256 (`sha256sum` format), checked when verification is on;
//! * `a/b.ml.minisig` — an ed25519 signature in minisign format, checked against the
//!   public keys in `"trusted_keys"`; the `minisign` tool verifies it too
//!   (`minisign -Vm a/b.ml -P KEY`);
//!
//! and at the top `index.json` (every module with its size and SHA-256, the signing
//! key) and `mlpy.pub` (the public key; trust must come from elsewhere — a key served
//! next to the modules proves nothing by itself).
//!
//! Keys are minisign keys: `mlpy keygen` writes an unencrypted secret key (mode 0600);
//! a password-protected key made by `minisign -G` works too, with its password in
//! `MLPY_KEY_PASSWORD`.

use crate::integrity::key_id;
use mlpy_fsutil::{sha256_hex, write_atomic};
use mlpy_syntax::LineIndex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A new key pair, as the files `mlpy keygen` writes.
pub struct NewKeyPair {
    /// The secret key file (minisign format, unencrypted).
    pub secret: String,
    /// The public key file (`untrusted comment` line and key line).
    pub public: String,
    /// The key line alone: what goes into `"trusted_keys"`.
    pub public_base64: String,
    pub key_id: String,
}

/// Why a key cannot be made, read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate a key pair: {message}")]
    Generate { message: String },
    #[error("cannot read the key '{}': {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    /// What is wrong with the key in the file `path`.
    #[error("'{}': {error}", path.display())]
    InFile { path: PathBuf, error: Box<KeyError> },
    #[error("not a minisign secret key (make one with `mlpy keygen`)")]
    NotASecretKey,
    #[error("the secret key is password-protected: set MLPY_KEY_PASSWORD")]
    NeedsPassword,
    #[error("wrong password for the secret key, or a damaged key")]
    WrongPassword,
    #[error("cannot derive the public key: {message}")]
    PublicKey { message: String },
}

/// Why a module cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("cannot sign {name}: {message}")]
    Sign { name: String, message: String },
    #[error("cannot read '{}': {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("cannot write '{}': {message}", path.display())]
    Write { path: PathBuf, message: String },
}

/// Whether the minisign secret key in `text` is encrypted with a password; `None` when the
/// text holds no minisign secret key. The key is the base64 line after the
/// `untrusted comment:` line: 158 bytes, starting with the signature algorithm `Ed`, then
/// the key derivation algorithm — `Sc` (scrypt: encrypted) or two zero bytes (not).
fn secret_key_is_encrypted(text: &str) -> Option<bool> {
    use base64::Engine;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    lines.next()?.strip_prefix("untrusted comment:")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(lines.next()?)
        .ok()?;
    if bytes.len() != 158 || &bytes[..2] != b"Ed" {
        return None;
    }
    match &bytes[2..4] {
        b"Sc" => Some(true),
        [0, 0] => Some(false),
        _ => None,
    }
}

/// Generates an ed25519 key pair.
pub fn generate_keypair() -> Result<NewKeyPair, KeyError> {
    let generate = |message: String| KeyError::Generate { message };
    let pair =
        minisign::KeyPair::generate_unencrypted_keypair().map_err(|e| generate(e.to_string()))?;
    let key_id = key_id(pair.pk.keynum());
    let secret = pair
        .sk
        .to_box(Some(&format!("mlpy secret key {key_id}")))
        .map_err(|e| generate(e.to_string()))?
        .into_string();
    let public_base64 = pair.pk.to_base64();
    let public = format!("{PUBLIC_KEY_COMMENT} {key_id}\n{public_base64}\n");
    Ok(NewKeyPair {
        secret,
        public,
        public_base64,
        key_id,
    })
}

/// A secret key ready to sign.
pub struct SigningKey {
    sk: minisign::SecretKey,
    pk: minisign::PublicKey,
    pub key_id: String,
}

/// The signatures of one module.
pub struct Signatures {
    /// The `.sig` file: `HASH  NAME\n`.
    pub sig: String,
    /// The `.minisig` file.
    pub minisig: String,
    pub sha256: String,
}

impl SigningKey {
    /// Reads a secret key file; an encrypted one needs `password`.
    pub fn load(path: &Path, password: Option<String>) -> Result<SigningKey, KeyError> {
        let bytes = mlpy_fsutil::read_regular_file(path).map_err(|e| KeyError::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| KeyError::Unreadable {
            path: path.to_path_buf(),
            message: "not a key file (not UTF-8 text)".to_string(),
        })?;
        SigningKey::from_text(&text, password).map_err(|error| KeyError::InFile {
            path: path.to_path_buf(),
            error: Box::new(error),
        })
    }

    pub fn from_text(text: &str, password: Option<String>) -> Result<SigningKey, KeyError> {
        // Whether a password is needed is read from the key itself, so that a file that is
        // no key at all (a public key, a module, an empty file) is not taken for an
        // encrypted one.
        let encrypted = secret_key_is_encrypted(text).ok_or(KeyError::NotASecretKey)?;
        let boxed =
            minisign::SecretKeyBox::from_string(text).map_err(|_| KeyError::NotASecretKey)?;
        let sk = if encrypted {
            let Some(password) = password else {
                return Err(KeyError::NeedsPassword);
            };
            boxed
                .into_secret_key(Some(password))
                .map_err(|_| KeyError::WrongPassword)?
        } else {
            boxed
                .into_unencrypted_secret_key()
                .map_err(|_| KeyError::NotASecretKey)?
        };
        let pk = minisign::PublicKey::from_secret_key(&sk).map_err(|e| KeyError::PublicKey {
            message: e.to_string(),
        })?;
        Ok(SigningKey {
            key_id: key_id(pk.keynum()),
            sk,
            pk,
        })
    }

    /// The public key line (`RW…`): what readers put in `"trusted_keys"`.
    pub fn public_base64(&self) -> String {
        self.pk.to_base64()
    }

    /// Signs a module; `name` is the file name recorded in the signatures.
    pub fn sign(&self, bytes: &[u8], name: &str) -> Result<Signatures, SignError> {
        let sha256 = sha256_hex(bytes);
        let trusted = format!(
            "file:{name}\tsha256:{sha256}\ttimestamp:{}",
            crate::store::now()
        );
        let minisig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            bytes,
            Some(&trusted),
            Some(&format!("signature from mlpy secret key {}", self.key_id)),
        )
        .map_err(|e| SignError::Sign {
            name: name.to_string(),
            message: e.to_string(),
        })?
        .into_string();
        Ok(Signatures {
            sig: format!("{sha256}  {name}\n"),
            minisig,
            sha256,
        })
    }
}

/// Writes `FILE.sig` and `FILE.minisig` beside `file`.
pub fn sign_file(file: &Path, key: &SigningKey) -> Result<Signatures, SignError> {
    let bytes = mlpy_fsutil::read_regular_file(file).map_err(|e| SignError::Read {
        path: file.to_path_buf(),
        message: e.to_string(),
    })?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let signatures = key.sign(&bytes, &name)?;
    let write = |suffix: &str, text: &str| {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        let path = PathBuf::from(path);
        write_atomic(&path, text.as_bytes()).map_err(|e| SignError::Write {
            path,
            message: e.to_string(),
        })
    };
    write(".sig", &signatures.sig)?;
    write(".minisig", &signatures.minisig)?;
    Ok(signatures)
}

/// One published module.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    pub size: u64,
    pub sha256: String,
}

/// `index.json` of a published tree.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    pub format: &'static str,
    pub version: u32,
    pub key_id: String,
    pub public_key: String,
    /// By path relative to the tree, sorted.
    pub modules: BTreeMap<String, IndexEntry>,
}

/// Why a tree could not be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// Modules with syntax errors, as `file:line:col: message` lines.
    #[error("{}\nnothing was published: fix the syntax errors first", .0.join("\n"))]
    Syntax(Vec<String>),
    #[error("cannot read '{}': {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("cannot create '{}': {message}", path.display())]
    Create { path: PathBuf, message: String },
    #[error("cannot write '{}': {message}", path.display())]
    Write { path: PathBuf, message: String },
    #[error("the output folder must be outside the source folder (it is the source folder, inside it, or holds it)")]
    OutputOverlapsSource,
    /// Files in the output folder that an earlier `mlpy publish` did not write.
    #[error("{}\nnothing was published: move them away, publish to another folder, or pass --force", .0.iter().map(|p| format!("refusing to overwrite '{}': mlpy publish did not write it", p.display())).collect::<Vec<_>>().join("\n"))]
    WouldOverwrite(Vec<PathBuf>),
    #[error("refusing to publish '{}': it is a symbolic link to '{}', outside the source folder; nothing was published (copy the file in, or publish from a folder that holds it)", link.display(), target.display())]
    LinkLeavesSource { link: PathBuf, target: PathBuf },
    #[error("no .ml modules under '{}'", dir.display())]
    NoModules { dir: PathBuf },
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl PublishError {
    fn read(path: &Path, e: impl std::fmt::Display) -> PublishError {
        PublishError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    fn create(path: &Path, e: impl std::fmt::Display) -> PublishError {
        PublishError::Create {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    fn write(path: &Path, e: impl std::fmt::Display) -> PublishError {
        PublishError::Write {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// The files a publish of `sources` into `out` would replace that an earlier `mlpy
/// publish` did not write. Its own are: `index.json` of an mlpy module tree, `mlpy.pub`
/// with its comment line, and every module (with its `.sig` and `.minisig`) that tree's
/// index lists; and any file that already holds exactly what would be written there.
fn overwritten_foreign_files(out: &Path, sources: &[(PathBuf, Vec<u8>)]) -> Vec<PathBuf> {
    let index_path = out.join("index.json");
    let listed: Option<BTreeMap<String, serde_json::Value>> = std::fs::read(&index_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .filter(|index| index["format"] == INDEX_FORMAT)
        .and_then(|index| serde_json::from_value(index["modules"].clone()).ok());
    let exists = |path: &Path| std::fs::symlink_metadata(path).is_ok();
    let mut foreign = Vec::new();
    if exists(&index_path) && listed.is_none() {
        foreign.push(index_path);
    }
    let public_path = out.join("mlpy.pub");
    if exists(&public_path)
        && !std::fs::read(&public_path)
            .is_ok_and(|bytes| bytes.starts_with(PUBLIC_KEY_COMMENT.as_bytes()))
    {
        foreign.push(public_path);
    }
    for (relative, bytes) in sources {
        let ours = listed
            .as_ref()
            .is_some_and(|l| l.contains_key(&module_key(relative)));
        let [module, sig, minisig] = published_files(&out.join(relative));
        for path in [module.clone(), sig, minisig] {
            if !exists(&path) || ours {
                continue;
            }
            let same = path == module && std::fs::read(&path).is_ok_and(|old| old == *bytes);
            if !same {
                foreign.push(path);
            }
        }
    }
    foreign
}

/// The `format` of the `index.json` of a published tree.
const INDEX_FORMAT: &str = "mlpy-module-tree";

/// The comment line a public key file written by mlpy starts with (then its key ID).
const PUBLIC_KEY_COMMENT: &str = "untrusted comment: mlpy public key";

/// A module's key in `index.json`: its path in the tree, `/`-separated.
fn module_key(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The files a publish writes for the module at `target`: it, its `.sig`, its `.minisig`.
fn published_files(target: &Path) -> [PathBuf; 3] {
    let beside = |suffix: &str| {
        let mut path = target.as_os_str().to_owned();
        path.push(suffix);
        PathBuf::from(path)
    };
    [target.to_path_buf(), beside(".sig"), beside(".minisig")]
}

/// Every `.ml` file under `dir`, relative, sorted; hidden folders left out.
fn module_files(dir: &Path) -> Result<Vec<PathBuf>, PublishError> {
    let mut out = Vec::new();
    // Each folder with the real paths of the folders it is in: a link to one of them
    // (a loop) is not walked again; a link elsewhere in the tree is, under its name.
    let mut stack = vec![(dir.to_path_buf(), vec![dir.to_path_buf()])];
    while let Some((folder, within)) = stack.pop() {
        let read = |e: std::io::Error| PublishError::read(&folder, e);
        let entries = std::fs::read_dir(&folder).map_err(read)?;
        for entry in entries {
            let entry = entry.map_err(read)?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let mut kind = entry.file_type().map_err(read)?;
            if kind.is_symlink() {
                // A link is published as what it names when that is in the source
                // folder (as mlpy run reads it); one that leads out would publish a file
                // from elsewhere on this machine, and stops the publish.
                let Ok(real) = std::fs::canonicalize(&path) else {
                    if name.ends_with(".ml") {
                        return Err(PublishError::read(
                            &path,
                            "a symbolic link to nothing (its target does not exist)",
                        ));
                    }
                    continue;
                };
                let meta = std::fs::metadata(&real).map_err(|e| PublishError::read(&path, e))?;
                if !(meta.is_dir() || name.ends_with(".ml")) {
                    continue;
                }
                if !real.starts_with(dir) {
                    return Err(PublishError::LinkLeavesSource {
                        link: path,
                        target: real,
                    });
                }
                if meta.is_dir() {
                    if within.contains(&real) {
                        continue;
                    }
                    let mut inner = within.clone();
                    inner.push(real);
                    stack.push((path, inner));
                    continue;
                }
                kind = meta.file_type();
            }
            if kind.is_dir() {
                let mut inner = within.clone();
                inner.push(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone()));
                stack.push((path, inner));
            } else if kind.is_file() && name.ends_with(".ml") {
                out.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Publishes every module under `dir` into `out`: the modules, their `.sig` and
/// `.minisig`, `index.json` and `mlpy.pub`. Modules with syntax errors, and files in
/// `out` that an earlier publish did not write ([`overwritten_foreign_files`]; unless
/// `force`), stop it before anything is written. `out` is never `dir`, inside it or
/// around it: the published copies would land among the sources.
pub fn publish(
    dir: &Path,
    out: &Path,
    key: &SigningKey,
    force: bool,
) -> Result<Index, PublishError> {
    let dir = std::fs::canonicalize(dir).map_err(|e| PublishError::read(dir, e))?;
    let out = mlpy_modules::config::real_path(out);
    if dir.starts_with(&out) || out.starts_with(&dir) {
        return Err(PublishError::OutputOverlapsSource);
    }
    let files = module_files(&dir)?;
    if files.is_empty() {
        return Err(PublishError::NoModules { dir });
    }
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for relative in &files {
        let path = dir.join(relative);
        let bytes =
            mlpy_fsutil::read_regular_file(&path).map_err(|e| PublishError::read(&path, e))?;
        let text = match String::from_utf8(bytes.clone()) {
            Ok(text) => text,
            Err(e) => {
                let (line, column) =
                    mlpy_modules::cache::utf8_error_position(e.as_bytes(), &e.utf8_error());
                errors.push(format!(
                    "{}:{line}:{column}: not valid UTF-8: ML source files must be UTF-8 text",
                    path.display()
                ));
                continue;
            }
        };
        let parse = mlpy_syntax::parse(&text);
        let index = LineIndex::new(&text);
        for error in parse.errors().iter().filter(|e| e.is_error()) {
            let position = index.line_col(error.range.start());
            errors.push(format!(
                "{}:{}:{}: error: {}",
                path.display(),
                position.line + 1,
                position.col + 1,
                error.message
            ));
        }
        sources.push((relative.clone(), bytes));
    }
    if !errors.is_empty() {
        return Err(PublishError::Syntax(errors));
    }
    if !force {
        let foreign = overwritten_foreign_files(&out, &sources);
        if !foreign.is_empty() {
            return Err(PublishError::WouldOverwrite(foreign));
        }
    }
    // Only now, when nothing can stop the publish any more, is anything created.
    std::fs::create_dir_all(&out).map_err(|e| PublishError::create(&out, e))?;
    let mut modules = BTreeMap::new();
    for (relative, bytes) in sources {
        let target = out.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PublishError::create(parent, e))?;
        }
        let name = relative
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let signatures = key.sign(&bytes, &name)?;
        let write = |path: &Path, data: &[u8]| {
            write_atomic(path, data).map_err(|e| PublishError::write(path, e))
        };
        let [module, sig, minisig] = published_files(&target);
        write(&module, &bytes)?;
        write(&sig, signatures.sig.as_bytes())?;
        write(&minisig, signatures.minisig.as_bytes())?;
        modules.insert(
            module_key(&relative),
            IndexEntry {
                size: bytes.len() as u64,
                sha256: signatures.sha256,
            },
        );
    }
    let index = Index {
        format: INDEX_FORMAT,
        version: 1,
        key_id: key.key_id.clone(),
        public_key: key.public_base64(),
        modules,
    };
    let index_path = out.join("index.json");
    let mut text =
        serde_json::to_string_pretty(&index).map_err(|e| PublishError::write(&index_path, e))?;
    text.push('\n');
    write_atomic(&index_path, text.as_bytes()).map_err(|e| PublishError::write(&index_path, e))?;
    let public = format!(
        "{PUBLIC_KEY_COMMENT} {}\n{}\n",
        key.key_id,
        key.public_base64()
    );
    let public_path = out.join("mlpy.pub");
    write_atomic(&public_path, public.as_bytes())
        .map_err(|e| PublishError::write(&public_path, e))?;
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::{parse_sig, verify_minisig, TrustedKey};

    #[test]
    fn files_that_are_no_secret_key_say_so() {
        let pair = generate_keypair().unwrap();
        for text in [
            "",
            "x = 1;\n",
            pair.public.as_str(),
            "untrusted comment: something\nnot base64 at all\n",
            "untrusted comment: something\nRWQf6LRCGA9i59SLOFxz6NxvASXDJeRtuZykwQepbDEGt87ig1BNpWaV\n",
        ] {
            for password in [None, Some("pw".to_string())] {
                let e = SigningKey::from_text(text, password).err();
                assert_eq!(e, Some(KeyError::NotASecretKey), "{text:?}");
            }
        }
        // A real key still loads, and says when it needs a password only when it does.
        assert!(SigningKey::from_text(&pair.secret, None).is_ok());
        let encrypted = minisign::KeyPair::generate_encrypted_keypair(Some("pw".to_string()))
            .unwrap()
            .sk
            .to_box(None)
            .unwrap()
            .to_string();
        assert_eq!(
            SigningKey::from_text(&encrypted, None).err(),
            Some(KeyError::NeedsPassword)
        );
        assert_eq!(
            SigningKey::from_text(&encrypted, Some("wrong".to_string())).err(),
            Some(KeyError::WrongPassword)
        );
        assert!(SigningKey::from_text(&encrypted, Some("pw".to_string())).is_ok());
    }

    #[test]
    fn keygen_sign_publish() {
        let pair = generate_keypair().unwrap();
        let key = SigningKey::from_text(&pair.secret, None).unwrap();
        let missing = std::path::Path::new("/nonexistent/mlpy.key");
        assert!(matches!(
            SigningKey::load(missing, None).err(),
            Some(KeyError::Unreadable { .. })
        ));
        assert_eq!(key.key_id, pair.key_id);
        assert_eq!(key.public_base64(), pair.public_base64);
        let trusted = TrustedKey::parse(&pair.public).unwrap();
        assert_eq!(trusted.id, pair.key_id);

        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("lib/util")).unwrap();
        std::fs::write(
            src.path().join("lib/math.ml"),
            "function sq(x) { return x * x; }\n",
        )
        .unwrap();
        std::fs::write(src.path().join("lib/util/strings.ml"), "x = 1;\n").unwrap();
        std::fs::write(src.path().join("README.md"), "not a module").unwrap();
        let out = tempfile::tempdir().unwrap();
        let index = publish(src.path(), out.path(), &key, false).unwrap();
        assert_eq!(
            index.modules.keys().collect::<Vec<_>>(),
            vec!["lib/math.ml", "lib/util/strings.ml"]
        );
        let module = std::fs::read(out.path().join("lib/math.ml")).unwrap();
        let sig = std::fs::read_to_string(out.path().join("lib/math.ml.sig")).unwrap();
        assert_eq!(parse_sig(&sig).unwrap(), sha256_hex(&module));
        let minisig = std::fs::read_to_string(out.path().join("lib/math.ml.minisig")).unwrap();
        assert_eq!(
            verify_minisig(&module, &minisig, &[trusted]).unwrap(),
            pair.key_id
        );
        assert!(out.path().join("index.json").is_file());
        assert!(!out.path().join("README.md").exists());

        std::fs::write(src.path().join("lib/bad.ml"), "x = (1;\n").unwrap();
        let out2 = tempfile::tempdir().unwrap();
        let e = publish(src.path(), out2.path(), &key, false).unwrap_err();
        assert!(matches!(e, PublishError::Syntax(_)), "{e}");
        let text = e.to_string();
        assert!(text.contains("bad.ml:1:"), "{text}");
        assert!(
            text.ends_with("\nnothing was published: fix the syntax errors first"),
            "{text}"
        );
        assert!(!out2.path().join("lib").exists(), "nothing written");
    }

    fn source_tree() -> (tempfile::TempDir, SigningKey) {
        let pair = generate_keypair().unwrap();
        let key = SigningKey::from_text(&pair.secret, None).unwrap();
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("lib")).unwrap();
        std::fs::write(src.path().join("lib/a.ml"), "x = 1;\n").unwrap();
        (src, key)
    }

    #[test]
    fn the_output_folder_never_overlaps_the_source() {
        let (src, key) = source_tree();
        let inside = src.path().join("site");
        let around = src.path().parent().unwrap().to_path_buf();
        for out in [src.path().to_path_buf(), inside.clone(), around] {
            let e = publish(src.path(), &out, &key, true).unwrap_err();
            assert_eq!(e, PublishError::OutputOverlapsSource, "{}", out.display());
        }
        assert!(!inside.exists(), "nothing created");
        let snapshot = std::fs::read_dir(src.path()).unwrap().count();
        assert_eq!(snapshot, 1, "only lib/ is there");
    }

    #[test]
    fn files_publish_did_not_write_are_kept() {
        let (src, key) = source_tree();
        // Every file a publish writes, each already there and somebody else's.
        for foreign in [
            "index.json",
            "mlpy.pub",
            "lib/a.ml",
            "lib/a.ml.sig",
            "lib/a.ml.minisig",
        ] {
            let out = tempfile::tempdir().unwrap();
            let path = out.path().join(foreign);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "somebody's notes\n").unwrap();
            let e = publish(src.path(), out.path(), &key, false).unwrap_err();
            assert_eq!(
                e,
                PublishError::WouldOverwrite(vec![path.clone()]),
                "{foreign}"
            );
            assert!(e.to_string().contains("pass --force"), "{e}");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                "somebody's notes\n"
            );
            let written = walk(out.path());
            assert_eq!(written, vec![foreign.to_string()], "nothing else written");
            // --force replaces it.
            publish(src.path(), out.path(), &key, true).unwrap();
            assert_ne!(
                std::fs::read_to_string(&path).unwrap(),
                "somebody's notes\n"
            );
        }
    }

    #[test]
    fn a_tree_publish_wrote_is_published_again() {
        let (src, key) = source_tree();
        let out = tempfile::tempdir().unwrap();
        publish(src.path(), out.path(), &key, false).unwrap();
        // Changed and added modules, and another key: the tree is mlpy's, so all replaced.
        std::fs::write(src.path().join("lib/a.ml"), "x = 2;\n").unwrap();
        std::fs::write(src.path().join("lib/b.ml"), "y = 1;\n").unwrap();
        let (_, other_key) = source_tree();
        let index = publish(src.path(), out.path(), &other_key, false).unwrap();
        assert_eq!(index.modules.len(), 2);
        assert_eq!(
            std::fs::read_to_string(out.path().join("lib/a.ml")).unwrap(),
            "x = 2;\n"
        );
        // A module copied there by hand with the same bytes is not in the way either.
        let out2 = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(out2.path().join("lib")).unwrap();
        std::fs::write(out2.path().join("lib/a.ml"), "x = 2;\n").unwrap();
        publish(src.path(), out2.path(), &key, false).unwrap();
    }

    /// Every file under `dir`, relative and sorted.
    fn walk(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(dir).unwrap();
                    out.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        out.sort();
        out
    }
}
