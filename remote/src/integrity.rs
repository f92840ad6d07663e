//! Integrity of remote modules: SHA-256 hashes, the `.sig` file (hex SHA-256 of the
//! module) and ed25519 signatures in minisign format (`.minisig`) checked against the
//! public keys trusted in `mlpy.json` (`"trusted_keys"`). The hash itself is
//! [`mlpy_fsutil::sha256_hex`].

use base64::Engine;

/// Why a `.sig` file, a trusted key or a `.minisig` signature does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrityError {
    /// The `.sig` file does not start with 64 hex digits.
    #[error("the .sig file does not hold a hex SHA-256 hash")]
    NotASigFile,
    /// A `trusted_keys` entry is not base64.
    #[error("'{line}' is not a minisign public key (base64 expected)")]
    KeyNotBase64 { line: String },
    /// A `trusted_keys` entry is base64 but not an ed25519 minisign key.
    #[error("'{line}' is not an ed25519 minisign public key")]
    KeyNotEd25519 { line: String },
    #[error("'{line}' is not a minisign public key: {message}")]
    KeyInvalid { line: String, message: String },
    /// Entry `index` of `trusted_keys` is not a key.
    #[error("\"trusted_keys[{index}]\": {error}")]
    TrustedKey {
        index: usize,
        error: Box<IntegrityError>,
    },
    /// The `.minisig` file cannot be decoded.
    #[error("the .minisig file is not a minisign signature")]
    NotASignature,
    /// A valid signature by a key the project does not trust.
    #[error(
        "the module is signed by key {key_id}, which is not in \"trusted_keys\" (trusted: {})",
        trusted_list(trusted)
    )]
    UntrustedKey {
        key_id: String,
        /// The IDs of the trusted keys.
        trusted: Vec<String>,
    },
    /// The signature is by a trusted key, but not of these bytes.
    #[error("the ed25519 signature by key {key_id} does not match the module: the module or its signature was altered")]
    Mismatch { key_id: String },
    /// A valid signature by a trusted key, made for a file of another name: a server that
    /// answers one module with another the publisher signed (an older one, one it
    /// retired, one with other powers) passes every other check.
    #[error("the ed25519 signature by key {key_id} was made for the file '{signed}', not '{file}': the server answered with another module the key signed")]
    OtherFile {
        key_id: String,
        signed: String,
        file: String,
    },
    /// No signature came with the module, and `trusted_keys` requires one.
    #[error("it has no ed25519 signature, and \"trusted_keys\" requires one")]
    Unsigned,
    /// A cache entry stored without a signature, where one is required now.
    #[error("it was cached without an ed25519 signature")]
    CachedUnsigned,
}

fn trusted_list(trusted: &[String]) -> String {
    if trusted.is_empty() {
        "none".to_string()
    } else {
        trusted.join(", ")
    }
}

/// The hash in a `.sig` file: 64 hex digits, optionally followed by whitespace and a
/// file name (the output of `sha256sum`).
pub fn parse_sig(text: &str) -> Result<String, IntegrityError> {
    let first = text.split_whitespace().next().unwrap_or("");
    if first.len() == 64 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(first.to_ascii_lowercase())
    } else {
        Err(IntegrityError::NotASigFile)
    }
}

/// A public key trusted to sign modules.
#[derive(Clone)]
pub struct TrustedKey {
    /// The key ID as minisign prints it (16 upper-case hex digits).
    pub id: String,
    key: minisign_verify::PublicKey,
}

impl std::fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrustedKey({})", self.id)
    }
}

/// minisign's key ID: the 8 key-number bytes read as a little-endian integer, in hex.
pub(crate) fn key_id(bytes: &[u8]) -> String {
    let mut n = [0u8; 8];
    n.copy_from_slice(&bytes[..8]);
    format!("{:016X}", u64::from_le_bytes(n))
}

impl TrustedKey {
    /// A key as written in `trusted_keys`: the base64 line of a minisign public key
    /// (`RW…`), or the whole `.pub` file (comment line and key line).
    pub fn parse(text: &str) -> Result<TrustedKey, IntegrityError> {
        let line = text
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .unwrap_or("");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| IntegrityError::KeyNotBase64 {
                line: line.to_string(),
            })?;
        if bytes.len() != 42 || &bytes[..2] != b"Ed" {
            return Err(IntegrityError::KeyNotEd25519 {
                line: line.to_string(),
            });
        }
        let key = minisign_verify::PublicKey::from_base64(line).map_err(|e| {
            IntegrityError::KeyInvalid {
                line: line.to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(TrustedKey {
            id: key_id(&bytes[2..10]),
            key,
        })
    }
}

/// Parses every entry of `trusted_keys`.
pub fn parse_trusted_keys(keys: &[String]) -> Result<Vec<TrustedKey>, IntegrityError> {
    keys.iter()
        .enumerate()
        .map(|(index, k)| {
            TrustedKey::parse(k).map_err(|error| IntegrityError::TrustedKey {
                index,
                error: Box::new(error),
            })
        })
        .collect()
}

/// The key ID a minisign signature claims.
pub fn signature_key_id(signature: &str) -> Option<String> {
    let line = signature.lines().nth(1)?.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line)
        .ok()?;
    (bytes.len() == 74).then(|| key_id(&bytes[2..10]))
}

/// Checks that `signature` (a `.minisig` file) is a valid signature of `content` by one
/// of `keys`; returns the ID of the key that made it.
pub fn verify_minisig(
    content: &[u8],
    signature: &str,
    keys: &[TrustedKey],
) -> Result<String, IntegrityError> {
    let parsed =
        minisign_verify::Signature::decode(signature).map_err(|_| IntegrityError::NotASignature)?;
    let id = signature_key_id(signature).unwrap_or_default();
    let Some(key) = keys.iter().find(|k| k.id == id) else {
        return Err(IntegrityError::UntrustedKey {
            key_id: id,
            trusted: keys.iter().map(|k| k.id.clone()).collect(),
        });
    };
    key.key
        .verify(content, &parsed, false)
        .map_err(|_| IntegrityError::Mismatch { key_id: id.clone() })?;
    Ok(id)
}

/// The file a signature's trusted comment names (`file:NAME`, a tab-separated field, as
/// `mlpy sign` and `minisign -S` write it); `None` when the comment names none.
fn signed_file_name(signature: &minisign_verify::Signature) -> Option<&str> {
    signature
        .trusted_comment()
        .split('\t')
        .find_map(|field| field.strip_prefix("file:"))
}

/// [`verify_minisig`] for a module served under the file name `file` (the last segment
/// of its URL): the signature must also have been made for a file of that name when its
/// trusted comment names one. The comment is covered by the signature, so a swapped
/// module cannot keep a matching name.
pub fn verify_minisig_for(
    content: &[u8],
    signature: &str,
    keys: &[TrustedKey],
    file: &str,
) -> Result<String, IntegrityError> {
    let key_id = verify_minisig(content, signature, keys)?;
    let parsed =
        minisign_verify::Signature::decode(signature).map_err(|_| IntegrityError::NotASignature)?;
    match signed_file_name(&parsed) {
        Some(signed) if signed != file => Err(IntegrityError::OtherFile {
            key_id,
            signed: signed.to_string(),
            file: file.to_string(),
        }),
        _ => Ok(key_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlpy_fsutil::sha256_hex;

    #[test]
    fn sig_files() {
        let h = sha256_hex(b"x");
        assert_eq!(
            parse_sig(&format!("{}  x.ml\n", h.to_uppercase())).unwrap(),
            h
        );
        assert!(parse_sig("nothex").is_err());
    }

    #[test]
    fn minisign_roundtrip() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let data = b"export = 1;";
        let sig = minisign::sign(Some(&pair.pk), &pair.sk, &data[..], None, None)
            .unwrap()
            .into_string();
        let trusted = TrustedKey::parse(&pair.pk.to_base64()).unwrap();
        let id = verify_minisig(data, &sig, std::slice::from_ref(&trusted)).unwrap();
        assert_eq!(id, trusted.id);
        assert_eq!(signature_key_id(&sig).unwrap(), trusted.id);
        let e = verify_minisig(b"export = 2;", &sig, std::slice::from_ref(&trusted)).unwrap_err();
        assert!(matches!(e, IntegrityError::Mismatch { .. }), "{e}");
        assert!(e.to_string().contains("does not match"), "{e}");
        let wrong = TrustedKey::parse(&other.pk.to_base64()).unwrap();
        let e = verify_minisig(data, &sig, std::slice::from_ref(&wrong)).unwrap_err();
        assert!(matches!(e, IntegrityError::UntrustedKey { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!(
                "the module is signed by key {}, which is not in \"trusted_keys\" (trusted: {})",
                trusted.id, wrong.id
            )
        );
        assert_eq!(
            parse_trusted_keys(&["RWgarbage".to_string()])
                .unwrap_err()
                .to_string(),
            "\"trusted_keys[0]\": 'RWgarbage' is not a minisign public key (base64 expected)"
        );
        let full = pair.pk.to_box().unwrap().into_string();
        assert_eq!(TrustedKey::parse(&full).unwrap().id, trusted.id);
        assert!(TrustedKey::parse("garbage").is_err());
    }

    #[test]
    fn signatures_are_bound_to_the_file_they_name() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let trusted = [TrustedKey::parse(&pair.pk.to_base64()).unwrap()];
        let data = b"export = 1;";
        let sign = |comment: &str| {
            minisign::sign(Some(&pair.pk), &pair.sk, &data[..], Some(comment), None)
                .unwrap()
                .into_string()
        };
        let mlpy = sign("file:math.ml\tsha256:00\ttimestamp:1");
        let tool = sign("timestamp:1\tfile:math.ml\thashed");
        let unnamed = sign("release 2");
        for sig in [&mlpy, &tool, &unnamed] {
            assert_eq!(
                verify_minisig_for(data, sig, &trusted, "math.ml").unwrap(),
                trusted[0].id
            );
        }
        for sig in [&mlpy, &tool] {
            let e = verify_minisig_for(data, sig, &trusted, "auth.ml").unwrap_err();
            assert!(matches!(e, IntegrityError::OtherFile { .. }), "{e}");
            assert!(
                e.to_string()
                    .contains("made for the file 'math.ml', not 'auth.ml'"),
                "{e}"
            );
        }
        assert_eq!(
            verify_minisig_for(data, &unnamed, &trusted, "auth.ml").unwrap(),
            trusted[0].id
        );
        // The bytes are checked first: another module's bytes are still an alteration.
        let e = verify_minisig_for(b"x", &mlpy, &trusted, "math.ml").unwrap_err();
        assert!(matches!(e, IntegrityError::Mismatch { .. }), "{e}");
    }
}
