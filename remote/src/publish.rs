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
    let public = format!("untrusted comment: mlpy public key {key_id}\n{public_base64}\n");
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
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        SigningKey::from_text(&text, password).map_err(|error| KeyError::InFile {
            path: path.to_path_buf(),
            error: Box::new(error),
        })
    }

    pub fn from_text(text: &str, password: Option<String>) -> Result<SigningKey, KeyError> {
        let boxed =
            minisign::SecretKeyBox::from_string(text).map_err(|_| KeyError::NotASecretKey)?;
        let sk = match boxed.clone().into_unencrypted_secret_key() {
            Ok(sk) if !sk.is_encrypted() => sk,
            _ => {
                let Some(password) = password else {
                    return Err(KeyError::NeedsPassword);
                };
                boxed
                    .into_secret_key(Some(password))
                    .map_err(|_| KeyError::WrongPassword)?
            }
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
    let bytes = std::fs::read(file).map_err(|e| SignError::Read {
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
    #[error("the output folder cannot contain the source folder")]
    OutputContainsSource,
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

/// Every `.ml` file under `dir`, relative, sorted; hidden folders and `skip` left out.
fn module_files(dir: &Path, skip: &Path) -> Result<Vec<PathBuf>, PublishError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let read = |e: std::io::Error| PublishError::read(&folder, e);
        let entries = std::fs::read_dir(&folder).map_err(read)?;
        for entry in entries {
            let entry = entry.map_err(read)?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(read)?;
            if kind.is_dir() {
                if path != skip {
                    stack.push(path);
                }
            } else if kind.is_file() && name.ends_with(".ml") {
                out.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Publishes every module under `dir` into `out`: the modules, their `.sig` and
/// `.minisig`, `index.json` and `mlpy.pub`. Modules with syntax errors stop it before
/// anything is written.
pub fn publish(dir: &Path, out: &Path, key: &SigningKey) -> Result<Index, PublishError> {
    let dir = std::fs::canonicalize(dir).map_err(|e| PublishError::read(dir, e))?;
    std::fs::create_dir_all(out).map_err(|e| PublishError::create(out, e))?;
    let out = std::fs::canonicalize(out).map_err(|e| PublishError::read(out, e))?;
    if dir.starts_with(&out) && dir != out {
        return Err(PublishError::OutputContainsSource);
    }
    let files = module_files(&dir, &out)?;
    if files.is_empty() {
        return Err(PublishError::NoModules { dir });
    }
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for relative in &files {
        let path = dir.join(relative);
        let bytes = std::fs::read(&path).map_err(|e| PublishError::read(&path, e))?;
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
        write(&target, &bytes)?;
        let mut sig = target.as_os_str().to_owned();
        sig.push(".sig");
        write(Path::new(&sig), signatures.sig.as_bytes())?;
        let mut minisig = target.as_os_str().to_owned();
        minisig.push(".minisig");
        write(Path::new(&minisig), signatures.minisig.as_bytes())?;
        let key_name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        modules.insert(
            key_name,
            IndexEntry {
                size: bytes.len() as u64,
                sha256: signatures.sha256,
            },
        );
    }
    let index = Index {
        format: "mlpy-module-tree",
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
        "untrusted comment: mlpy public key {}\n{}\n",
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
        let index = publish(src.path(), out.path(), &key).unwrap();
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
        let e = publish(src.path(), out2.path(), &key).unwrap_err();
        assert!(matches!(e, PublishError::Syntax(_)), "{e}");
        let text = e.to_string();
        assert!(text.contains("bad.ml:1:"), "{text}");
        assert!(
            text.ends_with("\nnothing was published: fix the syntax errors first"),
            "{text}"
        );
        assert!(!out2.path().join("lib").exists(), "nothing written");
    }
}
