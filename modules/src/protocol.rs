//! Import protocols: how a module named by an import is found. The file protocol
//! searches the import paths; remote protocols (https, git, plugins — the `mlpy-remote`
//! crate, given to the [`Resolver`](crate::Resolver)) fetch into the cache. Every
//! protocol ends with a file on disk that the loader reads.

use crate::config::{CachePolicy, ImportSource};
use crate::error::ResolveError;
use std::fmt;
use std::path::{Path, PathBuf};

/// What an import statement names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportSpec {
    /// `import a.b.c;`
    Dotted(Vec<String>),
    /// `import https://host/lib/math;`
    Url(String),
}

impl ImportSpec {
    pub fn dotted(name: &str) -> ImportSpec {
        ImportSpec::Dotted(name.split('.').map(str::to_string).collect())
    }

    /// A URL import as written (`import HTTPS://host/m;`), its scheme in lower case: a URL's
    /// scheme is case-insensitive (RFC 3986), and protocols, capabilities, the lockfile and
    /// the cache all compare it as `https`.
    pub fn url(text: &str) -> ImportSpec {
        match text.split_once("://") {
            Some((scheme, rest)) if scheme.bytes().any(|b| b.is_ascii_uppercase()) => {
                ImportSpec::Url(format!("{}://{rest}", scheme.to_ascii_lowercase()))
            }
            _ => ImportSpec::Url(text.to_string()),
        }
    }

    /// The URL scheme, for URL imports.
    pub fn scheme(&self) -> Option<&str> {
        match self {
            ImportSpec::Url(url) => url.split_once("://").map(|(s, _)| s),
            ImportSpec::Dotted(_) => None,
        }
    }
}

impl fmt::Display for ImportSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportSpec::Dotted(parts) => f.write_str(&parts.join(".")),
            ImportSpec::Url(url) => f.write_str(url),
        }
    }
}

/// Where a module's source came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// A local file.
    File,
    /// A remote module, cached locally: its canonical URL.
    Remote(String),
}

/// A module found by a protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The module's name: dotted for local modules, the URL for remote ones.
    pub name: String,
    /// The file to read (canonical; the cache file for remote modules).
    pub path: PathBuf,
    pub origin: Origin,
    /// For a package (`a/__init__.ml`), true.
    pub is_package: bool,
    /// Packages above the module that have their own `__init__.ml` (`a` for `a.b.c`),
    /// outermost first, with their files.
    pub parent_packages: Vec<(String, PathBuf)>,
}

/// The option block of an import statement:
/// `import https://host/m { auth: "${TOKEN}", verify: true, cache: "force" };`.
/// Unset fields fall back to the import source's settings, then to the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImportOptions {
    /// A token (`${ENV}` expanded on use) sent as `Authorization: Bearer …` to the
    /// module's host only.
    pub auth: Option<String>,
    /// Require the `.sig` (and, with `trusted_keys`, the `.minisig`) of the module.
    pub verify: Option<bool>,
    pub cache: Option<CachePolicy>,
}

impl ImportOptions {
    pub fn is_empty(&self) -> bool {
        self.auth.is_none() && self.verify.is_none() && self.cache.is_none()
    }
}

/// A request to a protocol: the import and the module that contains it.
pub struct ImportRequest<'a> {
    pub spec: &'a ImportSpec,
    /// The importing module's file.
    pub importer: &'a Path,
    /// The importing module's origin (a remote module's imports are relative to its URL).
    pub importer_origin: &'a Origin,
    /// The import statement's option block (empty when it has none).
    pub options: &'a ImportOptions,
    /// The `import_sources` entry being tried, when the resolver walks them for a
    /// dotted import; `None` for URL imports and for a remote module's own imports.
    pub source: Option<&'a ImportSource>,
}

/// How modules are found for one kind of location.
pub trait ImportProtocol: Send + Sync {
    /// `file`, `https`, `git`, or a plugin's scheme.
    fn name(&self) -> &str;

    /// Whether this protocol handles the request at all.
    fn can_resolve(&self, request: &ImportRequest<'_>) -> bool;

    /// Checks the capabilities needed to reach the module; the error names the one to
    /// grant.
    fn validate_access(&self, request: &ImportRequest<'_>) -> Result<(), ResolveError>;

    /// Finds (and for remote protocols, fetches into the cache) the module.
    fn resolve(&self, request: &ImportRequest<'_>) -> Result<Located, ResolveError>;

    /// A key that identifies the module for caches.
    fn cache_key(&self, request: &ImportRequest<'_>) -> String {
        format!("{}:{}", self.name(), request.spec)
    }

    /// Called once the graph is built: remote protocols write the lockfile here.
    fn finish(&self) -> Result<(), ResolveError> {
        Ok(())
    }

    /// Forgets what was learnt during this run (negative answers, "not cached yet"):
    /// the files or the cache changed.
    fn clear_memo(&self) {}
}

/// The file of a package: `a/__init__.ml` is the module `a`.
pub const PACKAGE_FILE: &str = "__init__.ml";

/// The files a dotted module path names, relative to the folder it is looked up in, in the
/// order they are tried: the module file `a/b.ml`, then the package `a/b/__init__.ml`
/// (`true`: a package). The one rule: the file protocol, https and git imports and the
/// editor's quick fixes ask here.
pub fn module_file_candidates(parts: &[String]) -> [(String, bool); 2] {
    let joined = parts.join("/");
    [
        (format!("{joined}.ml"), false),
        (format!("{joined}/{PACKAGE_FILE}"), true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_imports_have_lower_case_schemes() {
        for (written, spec) in [
            ("HTTPS://Host/Lib/M", "https://Host/Lib/M"),
            ("Git+File:///srv/r@v1/m", "git+file:///srv/r@v1/m"),
            ("https://h/m", "https://h/m"),
            ("db://x", "db://x"),
        ] {
            assert_eq!(ImportSpec::url(written), ImportSpec::Url(spec.to_string()));
        }
        assert_eq!(ImportSpec::url("HTTP://h/m").scheme(), Some("http"));
    }
}
