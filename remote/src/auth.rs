//! Credentials for remote modules.
//!
//! * `${NAME}` in `import_sources[].credentials` values and in an import's `auth`
//!   option is replaced by the environment variable `NAME` when the token is used;
//! * `MLPY_AUTH_TOKENS=token@host;user:password@other.host:8443` gives tokens per host
//!   (a `user:password` pair is sent as HTTP Basic, anything else as a Bearer token).
//!
//! A token is only ever sent to the host (and port) it belongs to, also across
//! redirects: see [`crate::http`].

use base64::Engine;
use url::Url;

/// Why a credential (`${NAME}` in a token) cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("unterminated `${{` in a credential")]
    Unterminated,
    #[error("`${{{name}}}` is not an environment variable name")]
    BadName { name: String },
    #[error("the environment variable {name} (used in a credential) is not set")]
    Unset { name: String },
}

/// Why `MLPY_AUTH_TOKENS` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthTokensError {
    /// An entry without `@`.
    #[error("MLPY_AUTH_TOKENS entries are `token@host` or `user:password@host`, separated by `;`")]
    Syntax,
    #[error("an MLPY_AUTH_TOKENS entry has an empty token or host")]
    Empty,
    #[error("MLPY_AUTH_TOKENS: '{port}' is not a port (entry for host {host})")]
    BadPort { port: String, host: String },
}

/// Replaces every `${NAME}` in `text` by the value of the environment variable.
pub fn expand_env(text: &str) -> Result<String, CredentialError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(CredentialError::Unterminated);
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(CredentialError::BadName {
                name: name.to_string(),
            });
        }
        match std::env::var(name) {
            Ok(value) => out.push_str(&value),
            Err(_) => {
                return Err(CredentialError::Unset {
                    name: name.to_string(),
                })
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `Authorization` header value for a configured token.
pub fn header_value(token: &str) -> String {
    let token = token.trim();
    let lower = token.to_ascii_lowercase();
    if lower.starts_with("bearer ") || lower.starts_with("basic ") {
        token.to_string()
    } else {
        format!("Bearer {token}")
    }
}

/// Per-host tokens from `MLPY_AUTH_TOKENS`.
#[derive(Clone, Default)]
pub struct AuthTokens {
    entries: Vec<(String, Option<u16>, String)>,
}

impl std::fmt::Debug for AuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the tokens themselves.
        let hosts: Vec<&str> = self.entries.iter().map(|(h, _, _)| h.as_str()).collect();
        f.debug_struct("AuthTokens").field("hosts", &hosts).finish()
    }
}

impl AuthTokens {
    /// Parses `token@host[:port];…`. Malformed entries are reported, not ignored.
    pub fn parse(text: &str) -> Result<AuthTokens, AuthTokensError> {
        let mut entries = Vec::new();
        for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((token, host)) = item.rsplit_once('@') else {
                return Err(AuthTokensError::Syntax);
            };
            if token.is_empty() || host.is_empty() {
                return Err(AuthTokensError::Empty);
            }
            let (host, port) = match host.rsplit_once(':') {
                Some((h, p)) if !host.ends_with(']') => match p.parse() {
                    Ok(port) => (h.to_string(), Some(port)),
                    Err(_) => {
                        return Err(AuthTokensError::BadPort {
                            port: p.to_string(),
                            host: h.to_string(),
                        })
                    }
                },
                _ => (host.to_string(), None),
            };
            let value = match token.split_once(':') {
                Some(_) => format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(token)
                ),
                None => format!("Bearer {token}"),
            };
            entries.push((host.to_ascii_lowercase(), port, value));
        }
        Ok(AuthTokens { entries })
    }

    /// The `Authorization` value for `url`, if a token is configured for its host.
    pub fn for_url(&self, url: &Url) -> Option<String> {
        let host = url.host_str()?.to_ascii_lowercase();
        let port = url.port_or_known_default();
        self.entries
            .iter()
            .find(|(h, p, _)| *h == host && (p.is_none() || *p == port))
            .map(|(_, _, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_by_host_and_port() {
        let t = AuthTokens::parse("abc@example.com; u:p@127.0.0.1:8443").unwrap();
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            t.for_url(&u("https://example.com/x")).as_deref(),
            Some("Bearer abc")
        );
        assert_eq!(
            t.for_url(&u("https://example.com:9000/x")).as_deref(),
            Some("Bearer abc")
        );
        assert!(t
            .for_url(&u("https://127.0.0.1:8443/x"))
            .unwrap()
            .starts_with("Basic "));
        assert_eq!(t.for_url(&u("https://127.0.0.1:9/x")), None);
        assert_eq!(t.for_url(&u("https://localhost:8443/x")), None);
        assert_eq!(
            AuthTokens::parse("nohost").unwrap_err(),
            AuthTokensError::Syntax
        );
        assert_eq!(
            AuthTokens::parse("t@h:x").unwrap_err().to_string(),
            "MLPY_AUTH_TOKENS: 'x' is not a port (entry for host h)"
        );
        assert!(!format!("{t:?}").contains("abc"));
    }

    #[test]
    fn env_expansion() {
        std::env::set_var("MLPY_TEST_EXPAND_TOKEN", "s3cret");
        assert_eq!(
            expand_env("x-${MLPY_TEST_EXPAND_TOKEN}-y").unwrap(),
            "x-s3cret-y"
        );
        assert_eq!(
            expand_env("${MLPY_TEST_SURELY_UNSET_VAR}")
                .unwrap_err()
                .to_string(),
            "the environment variable MLPY_TEST_SURELY_UNSET_VAR (used in a credential) is not set"
        );
        assert_eq!(
            expand_env("${oops").unwrap_err().to_string(),
            "unterminated `${` in a credential"
        );
        assert_eq!(
            expand_env("${a-b}").unwrap_err().to_string(),
            "`${a-b}` is not an environment variable name"
        );
        assert_eq!(header_value("Basic Zm9v"), "Basic Zm9v");
        assert_eq!(header_value("tok"), "Bearer tok");
    }
}
