//! Integrity of remote modules: SHA-256 hashes, the `.sig` file (hex SHA-256 of the
//! module) and ed25519 signatures in minisign format (`.minisig`) checked against the
//! public keys trusted in `mlpy.json` (`"trusted_keys"`).

use base64::Engine;
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The hash in a `.sig` file: 64 hex digits, optionally followed by whitespace and a
/// file name (the output of `sha256sum`).
pub fn parse_sig(text: &str) -> Result<String, String> {
    let first = text.split_whitespace().next().unwrap_or("");
    if first.len() == 64 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(first.to_ascii_lowercase())
    } else {
        Err("the .sig file does not hold a hex SHA-256 hash".to_string())
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
fn key_id(bytes: &[u8]) -> String {
    let mut n = [0u8; 8];
    n.copy_from_slice(&bytes[..8]);
    format!("{:016X}", u64::from_le_bytes(n))
}

impl TrustedKey {
    /// A key as written in `trusted_keys`: the base64 line of a minisign public key
    /// (`RW…`), or the whole `.pub` file (comment line and key line).
    pub fn parse(text: &str) -> Result<TrustedKey, String> {
        let line = text
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .unwrap_or("");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| format!("'{line}' is not a minisign public key (base64 expected)"))?;
        if bytes.len() != 42 || &bytes[..2] != b"Ed" {
            return Err(format!("'{line}' is not an ed25519 minisign public key"));
        }
        let key = minisign_verify::PublicKey::from_base64(line)
            .map_err(|e| format!("'{line}' is not a minisign public key: {e}"))?;
        Ok(TrustedKey {
            id: key_id(&bytes[2..10]),
            key,
        })
    }
}

/// Parses every entry of `trusted_keys`.
pub fn parse_trusted_keys(keys: &[String]) -> Result<Vec<TrustedKey>, String> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| TrustedKey::parse(k).map_err(|e| format!("\"trusted_keys[{i}]\": {e}")))
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
) -> Result<String, String> {
    let parsed = minisign_verify::Signature::decode(signature)
        .map_err(|_| "the .minisig file is not a minisign signature".to_string())?;
    let id = signature_key_id(signature).unwrap_or_default();
    let Some(key) = keys.iter().find(|k| k.id == id) else {
        let trusted: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        return Err(format!(
            "the module is signed by key {id}, which is not in \"trusted_keys\" (trusted: {})",
            if trusted.is_empty() {
                "none".to_string()
            } else {
                trusted.join(", ")
            }
        ));
    };
    key.key.verify(content, &parsed, false).map_err(|_| {
        format!("the ed25519 signature by key {id} does not match the module: the module or its signature was altered")
    })?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_sig_files() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
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
        assert!(e.contains("does not match"), "{e}");
        let wrong = TrustedKey::parse(&other.pk.to_base64()).unwrap();
        let e = verify_minisig(data, &sig, &[wrong]).unwrap_err();
        assert!(e.contains("not in \"trusted_keys\""), "{e}");
        let full = pair.pk.to_box().unwrap().into_string();
        assert_eq!(TrustedKey::parse(&full).unwrap().id, trusted.id);
        assert!(TrustedKey::parse("garbage").is_err());
    }
}
