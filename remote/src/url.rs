//! URLs of remote modules: the canonical form, the base a module's own imports resolve
//! against, and the capability a fetch needs.

use url::{Host, Url};

/// Why a text is not the URL of a remote module or location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("'{text}' is not a valid URL: {error}")]
    Invalid {
        text: String,
        error: url::ParseError,
    },
    /// Not `https` or `http`.
    #[error("'{text}': the scheme '{scheme}' is not served by the https protocol")]
    Scheme { text: String, scheme: String },
    #[error("'{text}' has no host")]
    NoHost { text: String },
    #[error("'{text}' contains credentials: put tokens in MLPY_AUTH_TOKENS, in the import's `auth` option or in \"credentials\" of an import source, never in the URL")]
    Credentials { text: String },
    #[error("'{text}': a module URL cannot have a query (`?`) or a fragment (`#`)")]
    QueryOrFragment { text: String },
    /// A module URL ending with `/`.
    #[error("'{text}' names a folder, not a module: add the module's name")]
    Folder { text: String },
}

/// The canonical URL of a URL import: `https://host/lib/v2/math` →
/// `https://host/lib/v2/math.ml` (`.ml` is appended when the last segment has no
/// extension). Only `https` and `http` are accepted here; credentials, queries and
/// fragments are refused.
pub fn module_url(text: &str) -> Result<Url, UrlError> {
    let mut url = parse_remote(text)?;
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("")
        .to_string();
    if last.is_empty() {
        return Err(UrlError::Folder {
            text: text.to_string(),
        });
    }
    if !last.contains('.') {
        let path = format!("{}.ml", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Parses an `http(s)` URL and checks what every remote location must satisfy.
pub fn parse_remote(text: &str) -> Result<Url, UrlError> {
    let owned = || text.to_string();
    let url = Url::parse(text).map_err(|error| UrlError::Invalid {
        text: owned(),
        error,
    })?;
    match url.scheme() {
        "https" | "http" => {}
        other => {
            return Err(UrlError::Scheme {
                text: owned(),
                scheme: other.to_string(),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NoHost { text: owned() });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials { text: owned() });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlError::QueryOrFragment { text: owned() });
    }
    Ok(url)
}

/// An import source's location as a base URL (with a trailing slash).
pub fn location_base(location: &str) -> Result<Url, UrlError> {
    let mut url = parse_remote(location.trim())?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The folder of a module URL: what its dotted imports resolve against.
pub fn folder_of(url: &Url) -> Url {
    url.join("./").unwrap_or_else(|_| url.clone())
}

/// `base/a/b.ml` and `base/a/b/__init__.ml` for `a.b`.
pub fn dotted_candidates(base: &Url, parts: &[String]) -> Vec<Url> {
    mlpy_modules::protocol::module_file_candidates(parts)
        .iter()
        .filter_map(|(relative, _)| base.join(relative).ok())
        .collect()
}

/// `url` with `suffix` appended to its path (`.sig`, `.minisig`).
pub fn with_suffix(url: &Url, suffix: &str) -> Url {
    let mut out = url.clone();
    let path = format!("{}{suffix}", url.path());
    out.set_path(&path);
    out
}

/// The file name a module URL serves (its last path segment, `%`-decoded):
/// `https://host/lib/my%20math.ml` → `my math.ml`, the name `mlpy publish` signed it as.
pub fn file_name(url: &Url) -> String {
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    let bytes = last.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| last.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `host` or `host:port` (the port only when it is not the scheme's default).
pub fn authority(url: &Url) -> String {
    let host = match url.host() {
        Some(Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(host) => host.to_string(),
        None => String::new(),
    };
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// The capability that allows fetching `url`: `network.https://host/*`.
pub fn capability_for(url: &Url) -> String {
    format!("network.{}://{}/*", url.scheme(), authority(url))
}

/// Whether `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether two URLs name the same host and port (where a token may be sent).
pub fn same_origin_host(a: &Url, b: &Url) -> bool {
    a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_module_urls() {
        assert_eq!(
            module_url("https://host/lib/v2/math").unwrap().as_str(),
            "https://host/lib/v2/math.ml"
        );
        assert_eq!(
            module_url("https://HOST:443/lib/./x/../math.ml")
                .unwrap()
                .as_str(),
            "https://host/lib/math.ml"
        );
        assert!(matches!(
            module_url("https://host/lib/"),
            Err(UrlError::Folder { .. })
        ));
        assert!(module_url("https://user:pw@host/m").is_err());
        assert!(module_url("https://host/m?x=1").is_err());
        assert!(module_url("ftp://host/m").is_err());
    }

    #[test]
    fn bases_and_candidates() {
        let url = module_url("https://h/lib/v2/math").unwrap();
        assert_eq!(folder_of(&url).as_str(), "https://h/lib/v2/");
        let c = dotted_candidates(&folder_of(&url), &["a".into(), "b".into()]);
        assert_eq!(c[0].as_str(), "https://h/lib/v2/a/b.ml");
        assert_eq!(c[1].as_str(), "https://h/lib/v2/a/b/__init__.ml");
        assert_eq!(
            location_base("https://h/mods").unwrap().as_str(),
            "https://h/mods/"
        );
        assert_eq!(
            capability_for(&module_url("https://127.0.0.1:8443/x").unwrap()),
            "network.https://127.0.0.1:8443/*"
        );
        assert!(is_loopback(&Url::parse("http://localhost:1/").unwrap()));
        assert!(is_loopback(&Url::parse("http://127.0.0.2/").unwrap()));
        assert!(is_loopback(&Url::parse("http://[::1]/").unwrap()));
        assert!(!is_loopback(&Url::parse("http://example.com/").unwrap()));
    }

    #[test]
    fn file_names_of_module_urls() {
        for (url, name) in [
            ("https://h/lib/v2/math", "math.ml"),
            ("https://h/lib/my%20math.ml", "my math.ml"),
            ("https://h/b%C3%BCcher.ml", "b\u{fc}cher.ml"),
            ("https://h/odd%zz.ml", "odd%zz.ml"),
        ] {
            assert_eq!(file_name(&module_url(url).unwrap()), name, "{url}");
        }
    }
}
