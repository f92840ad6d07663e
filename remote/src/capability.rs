//! Network capabilities: which remote modules a program may import.
//!
//! Granted in `mlpy.json` (`"capabilities"`) or with `--allow`:
//!
//! * `network` — every host, both schemes;
//! * `network.https` / `network.http` — every host of that scheme;
//! * `network.https://host/*`, `network.https://host:8443/lib/*`,
//!   `network.https://*.example.com/*` — URLs matching the pattern, where `*` stands
//!   for any run of characters. A pattern without a path (`network.https://host`)
//!   means the whole host. A pattern limited to some paths of a host never matches a
//!   path with an encoded separator (`%2f`, `%5c`): a server that decodes them would read
//!   `/lib/..%2fadmin` as `/admin`. (The runtime's `netpolicy.py` decides the same way.)

use crate::url::{authority, capability_for};
use url::Url;

/// A fetch the granted capabilities do not allow: the capability that would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the capability '{capability}' is not granted")]
pub struct MissingCapability {
    /// `network.https://host/*`, `git.clone.git://host/*`, …
    pub capability: String,
}

#[derive(Debug, Clone, Default)]
pub struct NetworkGrants {
    everything: bool,
    schemes: Vec<String>,
    patterns: Vec<String>,
}

impl NetworkGrants {
    pub fn new(capabilities: &[String]) -> NetworkGrants {
        let mut grants = NetworkGrants::default();
        for cap in capabilities {
            let cap = cap.trim();
            if cap == "network" {
                grants.everything = true;
            } else if let Some(rest) = cap.strip_prefix("network.") {
                if rest == "https" || rest == "http" {
                    grants.schemes.push(rest.to_string());
                } else if let Some(pattern) = normalize_pattern(rest) {
                    grants.patterns.push(pattern);
                }
            }
        }
        grants
    }

    /// `Ok` when `url` may be fetched; otherwise the capability that would allow it.
    pub fn check(&self, url: &Url) -> Result<(), MissingCapability> {
        if self.everything || self.schemes.iter().any(|s| s == url.scheme()) {
            return Ok(());
        }
        let text = comparable(url);
        let encoded_separator = has_encoded_separator(url.path());
        if self
            .patterns
            .iter()
            .any(|p| glob_match(p, &text) && (!encoded_separator || whole_host(p)))
        {
            return Ok(());
        }
        Err(MissingCapability {
            capability: capability_for(url),
        })
    }
}

/// `git.clone` capabilities: which repositories git imports may fetch.
///
/// * `git.clone` — every repository;
/// * `git.clone.git://host/*`, `git.clone.git://host:9418/org/*`,
///   `git.clone.git+file:///srv/repos/*` — repositories whose URL (as written in the
///   import, without the `@ref` and the path in the repository) matches the pattern.
#[derive(Debug, Clone, Default)]
pub struct GitGrants {
    everything: bool,
    patterns: Vec<String>,
}

impl GitGrants {
    pub fn new(capabilities: &[String]) -> GitGrants {
        let mut grants = GitGrants::default();
        for cap in capabilities {
            let cap = cap.trim();
            if cap == "git.clone" {
                grants.everything = true;
            } else if let Some(rest) = cap.strip_prefix("git.clone.") {
                if let Some(pattern) = normalize_pattern(rest) {
                    grants.patterns.push(pattern);
                }
            }
        }
        grants
    }

    /// `Ok` when the repository `repo` (`git://host/org/repo`) may be fetched;
    /// otherwise the capability that would allow it (`suggested`).
    pub fn check(&self, repo: &str, suggested: &str) -> Result<(), MissingCapability> {
        if self.everything || self.patterns.iter().any(|p| glob_match(p, repo)) {
            return Ok(());
        }
        Err(MissingCapability {
            capability: suggested.to_string(),
        })
    }
}

/// Whether the plugin serving `scheme` may run: the capability `plugin.SCHEME`.
pub fn plugin_granted(capabilities: &[String], scheme: &str) -> bool {
    capabilities
        .iter()
        .any(|c| c.trim().strip_prefix("plugin.") == Some(scheme))
}

/// `scheme://authority/path` with the scheme and host in lower case and the default
/// port left out, as URLs are compared.
fn comparable(url: &Url) -> String {
    format!("{}://{}{}", url.scheme(), authority(url), url.path())
}

fn normalize_pattern(pattern: &str) -> Option<String> {
    let (scheme, rest) = pattern.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/*"),
    };
    let mut host = host.to_ascii_lowercase();
    // The default port is not part of compared URLs.
    if (scheme == "https" && host.ends_with(":443")) || (scheme == "http" && host.ends_with(":80"))
    {
        host.truncate(host.rfind(':').unwrap_or(host.len()));
    }
    Some(format!("{scheme}://{host}{path}"))
}

/// Whether `path` holds `%2f` or `%5c` (any case): a `/` or `\\` to a server that decodes.
fn has_encoded_separator(path: &str) -> bool {
    path.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1], w[2].to_ascii_lowercase()),
                (b'2', b'f') | (b'5', b'c')
            )
    })
}

/// Whether a normalized pattern grants every path of its host (`…/*`, `…/**`).
fn whole_host(pattern: &str) -> bool {
    let rest = pattern.split_once("://").map_or(pattern, |(_, rest)| rest);
    rest.find('/')
        .is_some_and(|i| rest[i..].trim_end_matches('*') == "/")
}

/// `*` matches any run of characters, except that a `*` in the host part never
/// crosses into the path (so `https://*.example.com/*` cannot match
/// `https://evil.com/x.example.com/`).
fn glob_match(pattern: &str, text: &str) -> bool {
    let split = |s: &str| -> Option<(String, String)> {
        let (scheme, rest) = s.split_once("://")?;
        let i = rest.find('/').unwrap_or(rest.len());
        Some((format!("{scheme}://{}", &rest[..i]), rest[i..].to_string()))
    };
    let (Some((p_head, p_path)), Some((t_head, t_path))) = (split(pattern), split(text)) else {
        return false;
    };
    wildcard(p_head.as_bytes(), t_head.as_bytes()) && wildcard(p_path.as_bytes(), t_path.as_bytes())
}

fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(caps: &[&str]) -> NetworkGrants {
        NetworkGrants::new(&caps.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn git_and_plugin_grants() {
        let caps = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let g = GitGrants::new(&caps(&["git.clone.git://127.0.0.1:9418/org/*"]));
        assert!(g.check("git://127.0.0.1:9418/org/repo", "x").is_ok());
        assert_eq!(
            g.check("git://127.0.0.1:9418/other/repo", "x"),
            Err(MissingCapability {
                capability: "x".into()
            })
        );
        assert!(GitGrants::new(&caps(&["git.clone"]))
            .check("git+file:///r", "x")
            .is_ok());
        let g = GitGrants::new(&caps(&["git.clone.git+file:///srv/repos/*"]));
        assert!(g.check("git+file:///srv/repos/a", "x").is_ok());
        assert!(g.check("git+file:///srv/other/a", "x").is_err());
        assert!(plugin_granted(&caps(&["plugin.db"]), "db"));
        assert!(!plugin_granted(&caps(&["plugin.db"]), "notes"));
        assert!(!plugin_granted(&caps(&["plugin"]), "db"));
    }

    #[test]
    fn patterns() {
        let g = grants(&["network.https://cdn.example.com/*", "file"]);
        assert!(g.check(&url("https://cdn.example.com/lib/m.ml")).is_ok());
        assert!(g.check(&url("https://CDN.example.com:443/m.ml")).is_ok());
        assert_eq!(
            g.check(&url("https://cdn.example.com.evil.org/m.ml")),
            Err(MissingCapability {
                capability: "network.https://cdn.example.com.evil.org/*".to_string()
            })
        );
        assert!(g.check(&url("http://cdn.example.com/m.ml")).is_err());
        assert!(g.check(&url("https://cdn.example.com:8443/m.ml")).is_err());

        let g = grants(&["network.https://*.example.com/*"]);
        assert!(g.check(&url("https://a.example.com/m.ml")).is_ok());
        assert!(g
            .check(&url("https://evil.com/a.example.com/m.ml"))
            .is_err());

        let g = grants(&["network.https://h/lib/*"]);
        assert!(g.check(&url("https://h/lib/a/b.ml")).is_ok());
        assert!(g.check(&url("https://h/other/b.ml")).is_err());
        // Encoded separators: a decoding server would leave `/lib/` with them.
        for sep in ["%2f", "%2F", "%5c", "%5C"] {
            for path in [
                format!("/lib/..{sep}admin.ml"),
                format!("/lib/a{sep}..{sep}..{sep}admin.ml"),
                format!("/lib/{sep}etc{sep}passwd"),
            ] {
                let u = url(&format!("https://h{path}"));
                assert!(g.check(&u).is_err(), "{u}");
                // A grant of the whole host has no path to leave.
                assert!(grants(&["network.https://h/*"]).check(&u).is_ok(), "{u}");
                assert!(grants(&["network.https://h"]).check(&u).is_ok(), "{u}");
            }
        }
        assert!(g.check(&url("https://h/lib/a%20b.ml")).is_ok());
        assert!(g.check(&url("https://h/lib/%2.ml")).is_ok());

        assert!(grants(&["network.https://h"])
            .check(&url("https://h/x.ml"))
            .is_ok());
        assert!(grants(&["network.https"])
            .check(&url("https://any/x.ml"))
            .is_ok());
        assert!(grants(&["network"]).check(&url("http://any/x.ml")).is_ok());
        assert!(grants(&["network.http"])
            .check(&url("https://any/x.ml"))
            .is_err());
    }
}
