//! The `git` import protocol: modules in git repositories, fetched with the `git`
//! command-line tool.
//!
//! ```ml
//! import git://git.example.com/org/mathlib@v1.2/geometry/shapes;
//! import git+file:///srv/repos/mathlib@main/geometry/shapes as shapes;
//! ```
//!
//! A git URL is `SCHEME://HOST/REPOSITORY@REF/PATH`: `git` (the git daemon protocol),
//! `git+https` (smart HTTP) or `git+file` (a repository on this machine), the
//! repository, a branch, tag or full commit hash after the first `@` (a `/` in a ref is
//! written `%2F`), and the module's path in the repository (`.ml` is appended when the
//! last segment has no extension). `import_sources` entries of protocol `git` have a
//! location `SCHEME://HOST/REPOSITORY@REF[/FOLDER]` and serve dotted imports from it.
//!
//! How a module is obtained:
//!
//! 1. **The ref → a commit.** A full commit hash is used as it is. Otherwise the
//!    lockfile's `refs` entry pins the commit (`"git://host/org/repo@v1"` →
//!    `{"commit": …}`), so later runs use the same commit; without one, the commit an
//!    earlier fetch found (recorded in the cache), else a fetch asks the repository.
//!    `--reload`, `--update-lock` and the `no-cache` policy ask the repository again: a
//!    tag that moved is then reported against the lockfile with both commits
//!    ([`ResolveError::RefMoved`]) — `--update-lock` accepts the move, `--frozen`
//!    refuses any change.
//! 2. **The commit → the module.** The module cache (shared with https, verified on
//!    every load) holds it under the *commit's* URL
//!    (`git://host/org/repo@<commit>/path.ml`), so a warm run starts no `git` at all.
//!    Otherwise it is read from the cache's bare clone of the repository
//!    (`git cat-file`), fetched first if the commit is not there: `git fetch --depth 1`
//!    of just that ref or commit. The bytes go through [`RemoteContext::admit_as`]: the
//!    lockfile records their SHA-256 under the *ref's* URL, the cache stores them.
//!
//! The bare clones live in `MLPY_CACHE_DIR/git/v1/repos/`, one per repository, created
//! atomically (initialised under a temporary name, then renamed); every fetch holds an
//! exclusive `flock` on `<repo>.git.lock`, so concurrent runs take turns, and git lock
//! files that a killed run left behind are removed under that lock. Commits fetched
//! stay reachable through `refs/mlpy/<commit>`.
//!
//! `--cached-only` (and the editor) never fetch: they use the pinned or recorded
//! commit, the module cache and the bare clones. A git module's dotted imports resolve
//! in the same repository at the same commit: against the import source's folder when
//! the module came through one, else its own folder, then the repository root.
//!
//! Access needs the capability `git.clone` (every repository) or
//! `git.clone.PATTERN` (`git.clone.git://host/org/*`, `git.clone.git+file:///srv/*`).

use crate::process::{self, Failure};
use crate::store::{now, sanitize, EntryMeta};
use crate::{Cached, Network, Obtained, RemoteContext};
use mlpy_fsutil::{sha256_hex, write_atomic};
use mlpy_modules::config::CachePolicy;
use mlpy_modules::protocol::{ImportProtocol, ImportRequest, ImportSpec, Located, Origin};
use mlpy_modules::ResolveError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use url::Url;

/// The URL schemes of git imports.
pub const GIT_SCHEMES: &[&str] = &["git", "git+file", "git+https"];

/// Whether `url` (a module URL or import) uses a git scheme.
pub fn is_git_url(url: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(scheme, _)| GIT_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

/// Why a text is not a git URL (`SCHEME://HOST/REPOSITORY@REF/PATH`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitUrlError {
    #[error("'{text}' is not a git URL")]
    NotAUrl { text: String },
    #[error("'{text}': the scheme '{scheme}' is not a git scheme (git, git+https, git+file)")]
    Scheme { text: String, scheme: String },
    #[error("'{text}': a git URL cannot have a query (`?`) or a fragment (`#`)")]
    QueryOrFragment { text: String },
    #[error("'{text}' contains spaces, control characters or backslashes")]
    BadCharacters { text: String },
    #[error("'{text}' contains credentials: git uses its own credential helpers, never credentials in the URL")]
    Credentials { text: String },
    /// `git+file://host/…`.
    #[error(
        "'{text}': a git+file URL names a folder on this machine: git+file:///path/to/repo@REF/…"
    )]
    FileWithHost { text: String },
    #[error("'{text}' has no host")]
    NoHost { text: String },
    /// No `@` after the repository.
    #[error("'{text}' names no ref: write {scheme}://{authority}/REPOSITORY@REF/PATH (a branch, a tag or a commit after `@`)")]
    NoRef {
        text: String,
        scheme: String,
        authority: String,
    },
    #[error("'{text}' names no repository before `@`")]
    NoRepository { text: String },
    #[error("'{text}': the repository path cannot contain `..`")]
    DotDotRepository { text: String },
    /// `%2f`, `%5c` or an encoded control character in the repository path.
    #[error("'{text}': the repository path cannot contain an encoded `/`, `\\` or control character (`%2f`, `%5c`, …): git decodes them and would fetch another repository than the one named")]
    EncodedRepository { text: String },
    /// The ref (as written, `%`-encoded) cannot be decoded.
    #[error("'{encoded}': a `%` must be followed by two hex digits")]
    BadPercent { encoded: String },
    #[error("'{encoded}' is not UTF-8 once decoded")]
    RefNotUtf8 { encoded: String },
    #[error("'{text}': {error}")]
    BadRef { text: String, error: RefError },
    #[error("'{text}': the path in the repository cannot have empty, `.` or `..` segments")]
    BadPath { text: String },
    /// A module URL without a path after the ref.
    #[error("'{text}' names a repository, not a module: add the module's path after the ref")]
    NoModulePath { text: String },
}

/// Why a branch, tag or commit name is refused (the rules of `git check-ref-format`
/// that matter here, and no option injection).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{reference}' is not a valid git ref: {}", problem.why())]
pub struct RefError {
    pub reference: String,
    pub problem: RefProblem,
}

/// What is wrong with a ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefProblem {
    Empty,
    /// Starts with `-` or `/`, or ends with `/`.
    BadEnds,
    /// Contains `..`, `@{` or `//`.
    BadSequence,
    /// Contains white space or one of `~ ^ : ? * [ \`.
    BadCharacter,
    /// Ends with `.lock` or `.`.
    BadSuffix,
}

impl RefProblem {
    fn why(self) -> &'static str {
        match self {
            RefProblem::Empty => "it is empty",
            RefProblem::BadEnds => "it cannot start with `-` or `/`, or end with `/`",
            RefProblem::BadSequence => "it cannot contain `..`, `@{` or `//`",
            RefProblem::BadCharacter => "it cannot contain spaces or any of ~ ^ : ? * [ \\",
            RefProblem::BadSuffix => "it cannot end with `.lock` or `.`",
        }
    }
}

/// A parsed git URL: repository, ref and path in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// `git`, `git+file` or `git+https`.
    pub scheme: String,
    /// `host[:port]` in lower case; empty for `git+file`.
    pub authority: String,
    /// The repository's path, with its leading `/`.
    pub repo_path: String,
    /// The branch, tag or commit (decoded).
    pub reference: String,
    /// The path in the repository, without a leading `/` (empty: the root).
    pub path: String,
}

fn encode_ref(reference: &str) -> String {
    reference.replace('%', "%25").replace('/', "%2F")
}

fn decode_ref(text: &str) -> Result<String, GitUrlError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| GitUrlError::BadPercent {
                    encoded: text.to_string(),
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| GitUrlError::RefNotUtf8 {
        encoded: text.to_string(),
    })
}

/// Whether `text` is a full commit hash (SHA-1 or SHA-256).
pub fn is_commit_hash(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl GitUrl {
    fn parse_any(text: &str) -> Result<GitUrl, GitUrlError> {
        let text = text.trim();
        let owned = || text.to_string();
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| GitUrlError::NotAUrl { text: owned() })?;
        let scheme = scheme.to_ascii_lowercase();
        if !GIT_SCHEMES.contains(&scheme.as_str()) {
            return Err(GitUrlError::Scheme {
                text: owned(),
                scheme,
            });
        }
        if rest.contains(['?', '#']) {
            return Err(GitUrlError::QueryOrFragment { text: owned() });
        }
        if rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(GitUrlError::BadCharacters { text: owned() });
        }
        let slash = rest.find('/').unwrap_or(rest.len());
        let authority = rest[..slash].to_ascii_lowercase();
        let full_path = &rest[slash..];
        if authority.contains('@') {
            return Err(GitUrlError::Credentials { text: owned() });
        }
        let authority = match scheme.as_str() {
            "git+file" if authority.is_empty() || authority == "localhost" => String::new(),
            "git+file" => return Err(GitUrlError::FileWithHost { text: owned() }),
            _ if authority.is_empty() => return Err(GitUrlError::NoHost { text: owned() }),
            _ => authority,
        };
        let (repo_path, after) = full_path
            .split_once('@')
            .ok_or_else(|| GitUrlError::NoRef {
                text: owned(),
                scheme: scheme.clone(),
                authority: authority.clone(),
            })?;
        let repo_path = repo_path.trim_end_matches('/').to_string();
        if repo_path.is_empty() || repo_path == "/" {
            return Err(GitUrlError::NoRepository { text: owned() });
        }
        if repo_path.split('/').any(|s| dot_segment(s) == Some(2)) {
            return Err(GitUrlError::DotDotRepository { text: owned() });
        }
        if has_encoded_separator(&repo_path) {
            return Err(GitUrlError::EncodedRepository { text: owned() });
        }
        let (reference, path) = after.split_once('/').unwrap_or((after, ""));
        let reference = decode_ref(reference)?;
        check_ref(&reference).map_err(|error| GitUrlError::BadRef {
            text: owned(),
            error,
        })?;
        let path = path.trim_end_matches('/');
        if !path.is_empty()
            && path
                .split('/')
                .any(|s| s.is_empty() || dot_segment(s).is_some() || s.starts_with('-'))
        {
            return Err(GitUrlError::BadPath { text: owned() });
        }
        Ok(GitUrl {
            scheme,
            authority,
            repo_path,
            reference,
            path: path.to_string(),
        })
    }

    /// A module URL: the path must name a module (`.ml` is appended when its last
    /// segment has no extension).
    pub fn parse_module(text: &str) -> Result<GitUrl, GitUrlError> {
        let mut url = GitUrl::parse_any(text)?;
        if url.path.is_empty() {
            return Err(GitUrlError::NoModulePath {
                text: text.to_string(),
            });
        }
        let last = url.path.rsplit('/').next().unwrap_or("");
        if !last.contains('.') {
            url.path.push_str(".ml");
        }
        Ok(url)
    }

    /// An import source's location: the path (a folder) may be empty.
    pub fn parse_location(text: &str) -> Result<GitUrl, GitUrlError> {
        GitUrl::parse_any(text)
    }

    /// The repository as written in imports: `git://host/org/repo`.
    pub fn repo(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.repo_path)
    }

    /// The lockfile key of the ref: `git://host/org/repo@v1`.
    pub fn ref_key(&self) -> String {
        format!("{}@{}", self.repo(), encode_ref(&self.reference))
    }

    /// The URL git fetches from.
    pub fn transport(&self) -> String {
        match self.scheme.as_str() {
            "git+file" => format!("file://{}", self.repo_path),
            "git+https" => format!("https://{}{}", self.authority, self.repo_path),
            _ => format!("git://{}{}", self.authority, self.repo_path),
        }
    }

    /// The URL of `path` at `reference` in this repository.
    pub fn url_at(&self, reference: &str, path: &str) -> String {
        format!("{}/{}", self.url_at_ref(reference), path)
    }

    fn url_at_ref(&self, reference: &str) -> String {
        format!("{}@{}", self.repo(), encode_ref(reference))
    }

    /// The module's canonical URL (with its ref, as imported).
    pub fn module_url(&self) -> String {
        self.url_at(&self.reference, &self.path)
    }

    /// The capability to suggest when access is refused.
    pub fn suggested_capability(&self) -> String {
        match self.scheme.as_str() {
            "git+file" => format!("git.clone.{}", self.repo()),
            _ => format!("git.clone.{}://{}/*", self.scheme, self.authority),
        }
    }
}

/// The rules of `git check-ref-format` that matter here, and no option injection.
fn check_ref(reference: &str) -> Result<(), RefError> {
    let bad = |problem| {
        Err(RefError {
            reference: reference.to_string(),
            problem,
        })
    };
    if reference.is_empty() {
        return bad(RefProblem::Empty);
    }
    if reference.starts_with('-') || reference.starts_with('/') || reference.ends_with('/') {
        return bad(RefProblem::BadEnds);
    }
    if reference.contains("..") || reference.contains("@{") || reference.contains("//") {
        return bad(RefProblem::BadSequence);
    }
    if reference
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c))
    {
        return bad(RefProblem::BadCharacter);
    }
    if reference.ends_with(".lock") || reference.ends_with('.') {
        return bad(RefProblem::BadSuffix);
    }
    Ok(())
}

/// What a ref resolved to, kept in the cache for runs without a lockfile entry.
#[derive(Serialize, Deserialize)]
struct RefRecord {
    reference: String,
    commit: String,
    resolved_at: u64,
}

/// One run's answers for refs.
type RefMemo = Mutex<HashMap<String, Arc<OnceLock<Result<String, ResolveError>>>>>;

pub struct GitProtocol {
    context: Arc<RemoteContext>,
    /// `MLPY_CACHE_DIR/git/v1`.
    root: PathBuf,
    refs: RefMemo,
    /// Commits known to be in their bare clone this run (`<clone>|<commit>`).
    present: Mutex<HashSet<String>>,
}

/// Where a module is looked for.
struct Plan {
    module: String,
    target: GitUrl,
    /// Paths in the repository, and whether each is a package (`__init__.ml`).
    candidates: Vec<(String, bool)>,
    policy: CachePolicy,
    signed: bool,
}

enum Found {
    Module(PathBuf),
    Missing,
}

impl GitProtocol {
    pub fn new(context: Arc<RemoteContext>) -> GitProtocol {
        let root = context.options().cache_dir.join("git").join("v1");
        GitProtocol {
            context,
            root,
            refs: Mutex::new(HashMap::new()),
            present: Mutex::new(HashSet::new()),
        }
    }

    fn plan(&self, request: &ImportRequest<'_>) -> Result<Plan, ResolveError> {
        let module = request.spec.to_string();
        let protocol_error = |message: String| ResolveError::Protocol {
            module: module.clone(),
            message,
        };
        let settings = self
            .context
            .settings(&module, request.source, request.options)?;
        let signed = self.context.signatures_required(settings.verify);
        let (target, candidates) = match request.spec {
            ImportSpec::Url(text) => {
                let target =
                    GitUrl::parse_module(text).map_err(|e| protocol_error(e.to_string()))?;
                let path = target.path.clone();
                (target, vec![(path, false)])
            }
            ImportSpec::Dotted(parts) => {
                let (target, bases) =
                    match (request.source, request.importer_origin) {
                        (Some(source), _) => {
                            let target = GitUrl::parse_location(&source.location)
                                .map_err(|e| protocol_error(e.to_string()))?;
                            let base = target.path.clone();
                            (target, vec![base])
                        }
                        (None, Origin::Remote(importer)) => {
                            let importer = GitUrl::parse_module(importer)
                                .map_err(|e| protocol_error(e.to_string()))?;
                            let folder = match importer.path.rsplit_once('/') {
                                Some((folder, _)) => folder.to_string(),
                                None => String::new(),
                            };
                            // The import source's folder (else the module's own), then
                            // the repository root.
                            let first = self.source_folder(&importer).unwrap_or(folder);
                            let mut bases = vec![first];
                            if !bases[0].is_empty() {
                                bases.push(String::new());
                            }
                            (importer, bases)
                        }
                        (None, Origin::File) => return Err(protocol_error(
                            "the git protocol serves dotted imports only through import sources"
                                .to_string(),
                        )),
                    };
                let mut candidates = Vec::new();
                for base in bases {
                    let prefix = if base.is_empty() {
                        String::new()
                    } else {
                        format!("{base}/")
                    };
                    for (relative, is_package) in
                        mlpy_modules::protocol::module_file_candidates(parts)
                    {
                        candidates.push((format!("{prefix}{relative}"), is_package));
                    }
                }
                (target, candidates)
            }
        };
        Ok(Plan {
            module,
            target,
            candidates,
            policy: settings.policy,
            signed,
        })
    }

    /// The folder of the git import source a module came from, if any (longest match).
    fn source_folder(&self, module: &GitUrl) -> Option<String> {
        self.context
            .config()
            .import_sources
            .iter()
            .filter(|s| s.protocol == "git")
            .filter_map(|s| GitUrl::parse_location(&s.location).ok())
            .filter(|s| s.repo() == module.repo() && s.reference == module.reference)
            .filter(|s| s.path.is_empty() || module.path.starts_with(&format!("{}/", s.path)))
            .map(|s| s.path)
            .max_by_key(String::len)
    }

    fn offline(&self) -> bool {
        self.context.options().network == Network::CachedOnly
    }

    /// The commit the target's ref names in this run (asked once per run).
    fn commit_for(
        &self,
        module: &str,
        target: &GitUrl,
        policy: CachePolicy,
    ) -> Result<String, ResolveError> {
        if is_commit_hash(&target.reference) {
            return Ok(target.reference.to_ascii_lowercase());
        }
        let key = target.ref_key();
        let cell = self
            .refs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        cell.get_or_init(|| self.resolve_ref(module, target, &key, policy))
            .clone()
    }

    fn resolve_ref(
        &self,
        module: &str,
        target: &GitUrl,
        key: &str,
        policy: CachePolicy,
    ) -> Result<String, ResolveError> {
        let options = self.context.options();
        let online = options.network == Network::Online;
        let ask = online
            && (options.update_lock
                || policy == CachePolicy::NoCache
                || (options.reload && policy != CachePolicy::ForceCache));
        if !ask {
            if let Some(commit) = self.context.pinned_ref(key) {
                return Ok(commit);
            }
            if let Some(commit) = self.read_ref_record(key) {
                self.context.lock_ref(module, key, &commit)?;
                return Ok(commit);
            }
            if !online {
                return Err(ResolveError::NotCached {
                    module: module.to_string(),
                    url: target.module_url(),
                });
            }
        }
        let commit = self.fetch(module, target, &target.reference)?;
        self.write_ref_record(key, &commit);
        self.context.lock_ref(module, key, &commit)?;
        Ok(commit)
    }

    fn ref_record_path(&self, key: &str) -> PathBuf {
        self.root
            .join("refs")
            .join(format!("{}.json", &sha256_hex(key.as_bytes())[..24]))
    }

    fn read_ref_record(&self, key: &str) -> Option<String> {
        let bytes = std::fs::read(self.ref_record_path(key)).ok()?;
        let record: RefRecord = serde_json::from_slice(&bytes).ok()?;
        (record.reference == key && is_commit_hash(&record.commit)).then_some(record.commit)
    }

    fn write_ref_record(&self, key: &str, commit: &str) {
        let path = self.ref_record_path(key);
        let record = RefRecord {
            reference: key.to_string(),
            commit: commit.to_string(),
            resolved_at: now(),
        };
        if let (Some(dir), Ok(mut text)) = (path.parent(), serde_json::to_vec_pretty(&record)) {
            text.push(b'\n');
            // Only a shortcut for later runs: failing to write it is not an error.
            let _ = std::fs::create_dir_all(dir).and_then(|_| write_atomic(&path, &text));
        }
    }

    /// The bare clone of the target's repository in the cache.
    fn repo_dir(&self, target: &GitUrl) -> PathBuf {
        let host = if target.authority.is_empty() {
            "local".to_string()
        } else {
            sanitize(&target.authority)
        };
        let name = target
            .repo_path
            .rsplit('/')
            .next()
            .unwrap_or("repo")
            .trim_end_matches(".git");
        let name: String = sanitize(name).chars().take(40).collect();
        let hash = &sha256_hex(target.repo().as_bytes())[..16];
        self.root
            .join("repos")
            .join(host)
            .join(format!("{hash}-{name}.git"))
    }

    /// Creates the bare clone if needed: initialised under a temporary name, renamed.
    fn ensure_repo(&self, module: &str, dir: &Path) -> Result<(), ResolveError> {
        if dir.join("HEAD").is_file() {
            return Ok(());
        }
        let parent = dir.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| self.cache_error(module, e))?;
        let temp = parent.join(format!(
            ".{}.tmp-{}-{}",
            dir.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id(),
            now_nanos()
        ));
        let result = self.git(module, None, &["init", "--bare", "--quiet"], Some(&temp));
        if let Err(e) = result.and_then(|out| self.check(module, "git init", out)) {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
        if std::fs::rename(&temp, dir).is_err() {
            // Another run created it meanwhile.
            let _ = std::fs::remove_dir_all(&temp);
            if !dir.join("HEAD").is_file() {
                return Err(self.cache_error(
                    module,
                    std::io::Error::other(format!("cannot create {}", dir.display())),
                ));
            }
        }
        Ok(())
    }

    fn cache_error(&self, module: &str, e: std::io::Error) -> ResolveError {
        ResolveError::Protocol {
            module: module.to_string(),
            message: format!(
                "cannot write the git cache in {}: {e} (set MLPY_CACHE_DIR to a writable folder)",
                self.root.display()
            ),
        }
    }

    /// Runs `git ARGS` (in the bare clone `dir` when given; `extra` is appended as a
    /// path argument).
    fn git(
        &self,
        module: &str,
        dir: Option<&Path>,
        args: &[&str],
        extra: Option<&Path>,
    ) -> Result<process::Finished, ResolveError> {
        self.git_with_input(module, dir, args, extra, None)
    }

    fn git_with_input(
        &self,
        module: &str,
        dir: Option<&Path>,
        args: &[&str],
        extra: Option<&Path>,
        input: Option<&[u8]>,
    ) -> Result<process::Finished, ResolveError> {
        let mut command = Command::new("git");
        if let Some(dir) = dir {
            command.arg("-C").arg(dir);
        }
        command
            .args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"])
            // A redirect would fetch from a host no `git.clone` grant names (git follows
            // one of its first request by default); https imports refuse such a hop too.
            .args(["-c", "http.followRedirects=false"])
            .args(args);
        if let Some(extra) = extra {
            command.arg(extra);
        }
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_NAMESPACE",
            "GIT_CEILING_DIRECTORIES",
        ] {
            command.env_remove(var);
        }
        command
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .env("LANGUAGE", "C");
        let timeout = self.context.options().timeout;
        let limit = self.context.config().max_module_size + 64 * 1024;
        process::run(&mut command, input, timeout, limit).map_err(|failure| match failure {
            Failure::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => {
                ResolveError::Protocol {
                    module: module.to_string(),
                    message: "git imports need the `git` command, which is not installed (or not on PATH): install git".to_string(),
                }
            }
            Failure::Spawn(e) | Failure::Io(e) => ResolveError::Protocol {
                module: module.to_string(),
                message: format!("cannot run git: {e}"),
            },
            Failure::TimedOut { stderr } => ResolveError::External {
                module: module.to_string(),
                message: format!(
                    "git {} did not finish within {} s (raise it with --timeout SECONDS)",
                    args.first().copied().unwrap_or(""),
                    timeout.as_secs_f64()
                ),
                tool: "git".to_string(),
                output: stderr,
            },
            Failure::TooMuchOutput { limit, stderr } => ResolveError::External {
                module: module.to_string(),
                message: format!(
                    "git {} wrote more than {limit} bytes (raise \"max_module_size\" in mlpy.json)",
                    args.first().copied().unwrap_or("")
                ),
                tool: "git".to_string(),
                output: stderr,
            },
        })
    }

    fn check(
        &self,
        module: &str,
        what: &str,
        out: process::Finished,
    ) -> Result<process::Finished, ResolveError> {
        if out.success() {
            return Ok(out);
        }
        Err(ResolveError::External {
            module: module.to_string(),
            message: format!("{what} failed (exit status {})", code_text(out.code)),
            tool: "git".to_string(),
            output: out.stderr,
        })
    }

    /// Fetches `what` (a ref or a commit) of the target's repository into its bare
    /// clone; returns the commit.
    fn fetch(&self, module: &str, target: &GitUrl, what: &str) -> Result<String, ResolveError> {
        let progress = self.context.progress().cloned();
        let shown = target.url_at_ref(what);
        if let Some(p) = &progress {
            p.started(&shown);
        }
        let result = self.fetch_inner(module, target, what);
        if let Some(p) = &progress {
            p.finished(&shown, result.as_ref().ok().map(|_| 0));
        }
        result
    }

    fn fetch_inner(
        &self,
        module: &str,
        target: &GitUrl,
        what: &str,
    ) -> Result<String, ResolveError> {
        let dir = self.repo_dir(target);
        self.ensure_repo(module, &dir)?;
        let _lock = RepoLock::acquire(&dir).map_err(|e| self.cache_error(module, e))?;
        remove_stale_locks(&dir);
        let transport = target.transport();
        let out = self.git(
            module,
            Some(&dir),
            &[
                "fetch",
                "--quiet",
                "--depth",
                "1",
                "--no-tags",
                &transport,
                what,
            ],
            None,
        )?;
        if !out.success() {
            return Err(self.fetch_failure(module, target, what, out));
        }
        let out = self.git(
            module,
            Some(&dir),
            &["rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}"],
            None,
        )?;
        let out = self.check(module, "git rev-parse FETCH_HEAD", out)?;
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !is_commit_hash(&commit) {
            return Err(ResolveError::Protocol {
                module: module.to_string(),
                message: format!("git rev-parse answered '{commit}', not a commit"),
            });
        }
        if is_commit_hash(what) && !commit.eq_ignore_ascii_case(what) {
            return Err(ResolveError::Protocol {
                module: module.to_string(),
                message: format!("asked {transport} for commit {what}, got {commit}"),
            });
        }
        // Keeps the commit reachable in the bare clone.
        let keep = format!("refs/mlpy/{commit}");
        let out = self.git(module, Some(&dir), &["update-ref", &keep, &commit], None)?;
        self.check(module, "git update-ref", out)?;
        Ok(commit)
    }

    /// A clear message for a failed `git fetch`.
    fn fetch_failure(
        &self,
        module: &str,
        target: &GitUrl,
        what: &str,
        out: process::Finished,
    ) -> ResolveError {
        let stderr = out.stderr;
        let lower = stderr.to_ascii_lowercase();
        let repo = target.repo();
        let message = if lower.contains("couldn't find remote ref")
            || lower.contains("not our ref")
            || lower.contains("no such remote ref")
            || lower.contains("unadvertised object")
        {
            let known = self.remote_refs(module, target);
            let kind = if is_commit_hash(what) {
                "commit"
            } else {
                "branch or tag"
            };
            let found = match known {
                Some(refs) if refs.is_empty() => {
                    format!(
                        "the repository {repo} has no {kind} '{what}' (it has no branches or tags)"
                    )
                }
                Some(refs) => {
                    // `@feature/x/lib/m` reads the ref `feature` and the path `x/lib/m`.
                    let slashed = refs.iter().find(|r| {
                        r.strip_prefix(what)
                            .is_some_and(|rest| rest.starts_with('/'))
                    });
                    let hint = slashed
                        .map(|r| format!("; a `/` in a ref is written %2F: @{}", encode_ref(r)))
                        .unwrap_or_default();
                    format!(
                        "the repository {repo} has no {kind} '{what}' (it has: {}){hint}",
                        refs.join(", ")
                    )
                }
                None => format!("the repository {repo} has no {kind} '{what}'"),
            };
            // A commit the import does not name came from the lockfile: its ref moved
            // (a force-push) and the commit is gone from the repository.
            if is_commit_hash(what) && !what.eq_ignore_ascii_case(&target.reference) {
                format!(
                    "{found}; mlpy.lock pins it for '{}', so that ref was moved or force-pushed since: if that is expected, record its new commit with `mlpy fetch ENTRY.ml --update-lock`",
                    target.reference
                )
            } else {
                found
            }
        } else if [
            " returned error: 301",
            " returned error: 302",
            " returned error: 303",
            " returned error: 307",
            " returned error: 308",
        ]
        .iter()
        .any(|status| lower.contains(status))
        {
            format!("the server of {repo} redirects elsewhere, and git imports never follow a redirect (it could lead to a host no git.clone capability grants): import the repository from the URL it redirects to")
        } else if lower.contains("does not appear to be a git repository")
            || lower.contains("not exported")
            || lower.contains("no such repository")
            || lower.contains("repository not found")
            || lower.contains("no such file or directory")
            || (lower.contains("not found") && !lower.contains("command not found"))
        {
            format!("the git repository {repo} does not exist (or cannot be read)")
        } else if lower.contains("could not resolve host")
            || lower.contains("connection refused")
            || lower.contains("unable to connect")
            || lower.contains("unable to look up")
        {
            format!("cannot connect to the git repository {repo}")
        } else {
            format!(
                "git fetch of '{what}' from {repo} failed (exit status {})",
                code_text(out.code)
            )
        };
        ResolveError::External {
            module: module.to_string(),
            message,
            tool: "git".to_string(),
            output: stderr,
        }
    }

    /// The branches and tags of the target's repository (at most 20), for messages.
    fn remote_refs(&self, module: &str, target: &GitUrl) -> Option<Vec<String>> {
        let transport = target.transport();
        let out = self
            .git(
                module,
                None,
                &["ls-remote", "--heads", "--tags", "--refs", &transport],
                None,
            )
            .ok()?;
        if !out.success() {
            return None;
        }
        let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.split('\t').nth(1))
            .map(|r| {
                r.strip_prefix("refs/heads/")
                    .or_else(|| r.strip_prefix("refs/tags/"))
                    .unwrap_or(r)
                    .to_string()
            })
            .collect();
        names.sort();
        names.dedup();
        if names.len() > 20 {
            names.truncate(20);
            names.push("…".to_string());
        }
        Some(names)
    }

    fn has_commit(&self, module: &str, dir: &Path, commit: &str) -> bool {
        let key = format!("{}|{commit}", dir.display());
        if lock_set(&self.present).contains(&key) {
            return true;
        }
        let present = dir.join("HEAD").is_file()
            && self
                .git(
                    module,
                    Some(dir),
                    &["cat-file", "-e", &format!("{commit}^{{commit}}")],
                    None,
                )
                .is_ok_and(|out| out.success());
        if present {
            lock_set(&self.present).insert(key);
        }
        present
    }

    /// The module at `path` in `commit`: from the module cache, else from the bare
    /// clone (fetching the commit when it is not there and the network may be used).
    fn module_at(&self, plan: &Plan, commit: &str, path: &str) -> Result<Found, ResolveError> {
        let module = plan.module.as_str();
        let target = &plan.target;
        let lock_url = target.url_at(&target.reference, path);
        let store_url_text = target.url_at(commit, path);
        let store_url = Url::parse(&store_url_text).map_err(|e| ResolveError::Protocol {
            module: module.to_string(),
            message: format!("'{store_url_text}': {e}"),
        })?;
        let problem = match self
            .context
            .cached_module(module, &lock_url, &store_url, plan.signed)
        {
            Cached::Hit(path) => return Ok(Found::Module(path)),
            Cached::Failed(e) => return Err(e),
            Cached::Miss(problem) => problem,
        };
        let dir = self.repo_dir(target);
        if !self.has_commit(module, &dir, commit) {
            if self.offline() {
                return Err(match problem {
                    Some(reason) => ResolveError::Integrity {
                        module: module.to_string(),
                        url: lock_url,
                        message: format!(
                            "{reason}; the network is not used (cached only): fetch it again with `mlpy fetch`"
                        ),
                    },
                    None => ResolveError::NotCached {
                        module: module.to_string(),
                        url: lock_url,
                    },
                });
            }
            self.fetch(module, target, commit)?;
        }
        let (bytes, minisig) = match self.read_blob(module, &dir, commit, path, plan.signed)? {
            Blob::File { bytes, minisig } => (bytes, minisig),
            Blob::Missing => return Ok(Found::Missing),
            Blob::Link { why } => {
                return Err(ResolveError::Fetch {
                    module: module.to_string(),
                    url: lock_url,
                    message: format!(
                        "{path} is a symbolic link {why}, at commit {}; mlpy follows links only inside the repository",
                        &commit[..12.min(commit.len())]
                    ),
                })
            }
        };
        let limit = self.context.config().max_module_size;
        if bytes.len() as u64 > limit {
            return Err(ResolveError::Fetch {
                module: module.to_string(),
                url: lock_url,
                message: format!(
                    "the module is {} bytes, over the limit of {limit} bytes (raise \"max_module_size\" in mlpy.json)",
                    bytes.len()
                ),
            });
        }
        if let Err(e) = std::str::from_utf8(&bytes) {
            let (line, column) = mlpy_modules::cache::utf8_error_position(&bytes, &e);
            return Err(ResolveError::Fetch {
                module: module.to_string(),
                url: lock_url,
                message: format!(
                    "the module is not valid UTF-8 text (first invalid byte at line {line}, column {column})"
                ),
            });
        }
        let (minisig, signed_by) = self
            .context
            .check_signature(&bytes, minisig.as_deref(), plan.signed)
            .map_err(|message| ResolveError::Integrity {
                module: module.to_string(),
                url: lock_url.clone(),
                message: format!("{message} (looked for {path}.minisig at commit {commit})"),
            })?;
        let meta = EntryMeta {
            version: 1,
            url: store_url.to_string(),
            final_url: format!("{}#{commit}:{path}", target.transport()),
            fetched_at: now(),
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            sig: None,
            minisig,
            signed_by,
        };
        match self
            .context
            .admit_as(module, &lock_url, &store_url, &bytes, meta)
        {
            Obtained::Found(path) => Ok(Found::Module(path)),
            Obtained::Failed(e) => Err(e),
            Obtained::Missing | Obtained::NotCached => Ok(Found::Missing),
        }
    }

    /// `path` (and `path.minisig` when signatures are required) at `commit`, with
    /// `git cat-file --batch --follow-symlinks`: a symbolic link is read as what it
    /// names when that lies in the repository at the same commit (as a checkout would
    /// read it), and never followed out of it (git reports such a link instead).
    fn read_blob(
        &self,
        module: &str,
        dir: &Path,
        commit: &str,
        path: &str,
        with_signature: bool,
    ) -> Result<Blob, ResolveError> {
        let mut input = format!("{commit}:{path}\n");
        if with_signature {
            input.push_str(&format!("{commit}:{path}.minisig\n"));
        }
        let out = self.git_with_input(
            module,
            Some(dir),
            &["cat-file", "--batch", "--follow-symlinks"],
            None,
            Some(input.as_bytes()),
        )?;
        let out = self.check(module, "git cat-file", out)?;
        let mut rest: &[u8] = &out.stdout;
        let mut objects = Vec::new();
        for _ in 0..(1 + usize::from(with_signature)) {
            let newline = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let header = String::from_utf8_lossy(&rest[..newline]).into_owned();
            rest = rest.get(newline + 1..).unwrap_or(&[]);
            let fields: Vec<&str> = header.split(' ').collect();
            // `OBJECT blob SIZE` and a body; `symlink|dangling|loop|notdir SIZE` and a
            // body (where the link leads); `NAME missing` alone.
            // (A missing name may hold spaces: its last field is `missing`, never a size.)
            let parsed = match fields.as_slice() {
                [_, kind, size] | [kind, size] => size.parse::<usize>().ok().map(|n| (*kind, n)),
                _ => None,
            };
            let Some((kind, size)) = parsed else {
                objects.push(Blob::Missing);
                continue;
            };
            let body = rest.get(..size).unwrap_or(rest).to_vec();
            rest = rest.get(size + 1..).unwrap_or(&[]);
            let target = || String::from_utf8_lossy(&body).into_owned();
            objects.push(match kind {
                "blob" => Blob::File {
                    bytes: body.clone(),
                    minisig: None,
                },
                "symlink" => {
                    let target = target();
                    let from = if target.starts_with('/') {
                        ""
                    } else {
                        ", from the repository's root"
                    };
                    Blob::Link {
                        why: format!("out of the repository (to {target:?}{from})"),
                    }
                }
                "loop" => Blob::Link {
                    why: "that leads round in a loop".to_string(),
                },
                // A link to nothing, or through a file as if it were a folder: there is
                // no module there.
                _ => Blob::Missing,
            });
        }
        let mut objects = objects.into_iter();
        let first = objects.next().unwrap_or(Blob::Missing);
        let Blob::File { bytes, .. } = first else {
            return Ok(first);
        };
        let minisig = match objects.next() {
            Some(Blob::File { bytes, .. }) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => None,
        };
        Ok(Blob::File { bytes, minisig })
    }

    /// The submodule (a gitlink) that `folder` is in or is, at `commit`, if any.
    fn submodule_above(
        &self,
        module: &str,
        target: &GitUrl,
        commit: &str,
        folder: &str,
    ) -> Option<String> {
        if folder.is_empty() {
            return None;
        }
        let mut prefixes = Vec::new();
        let mut end = 0;
        for part in folder.split('/') {
            end += part.len();
            prefixes.push(folder[..end].to_string());
            end += 1;
        }
        let mut args = vec!["ls-tree", commit, "--"];
        args.extend(prefixes.iter().map(String::as_str));
        let out = self
            .git(module, Some(&self.repo_dir(target)), &args, None)
            .ok()?;
        if !out.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|line| {
                let (info, name) = line.split_once('\t')?;
                (info.split(' ').nth(1)? == "commit").then(|| name.to_string())
            })
    }

    /// What the folder of `path` holds at `commit`, for "not found" messages:
    /// `a.ml`, `sub/`.
    fn listing(&self, module: &str, target: &GitUrl, commit: &str, path: &str) -> Vec<String> {
        let dir = self.repo_dir(target);
        let folder = path.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
        let treeish = if folder.is_empty() {
            commit.to_string()
        } else {
            format!("{commit}:{folder}")
        };
        let Ok(out) = self.git(module, Some(&dir), &["ls-tree", &treeish], None) else {
            return Vec::new();
        };
        if !out.success() {
            return Vec::new();
        }
        let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| {
                let (info, name) = line.split_once('\t')?;
                let kind = info.split(' ').nth(1)?;
                match kind {
                    "tree" if !name.starts_with('.') => Some(format!("{name}/")),
                    "blob" if name.ends_with(".ml") => Some(name.to_string()),
                    _ => None,
                }
            })
            .collect();
        names.sort();
        if names.len() > 30 {
            names.truncate(30);
            names.push("…".to_string());
        }
        names
    }
}

/// What [`GitProtocol::read_blob`] found at a path.
enum Blob {
    File {
        bytes: Vec<u8>,
        minisig: Option<String>,
    },
    Missing,
    /// A symbolic link that leaves the repository or leads round in a loop.
    Link {
        why: String,
    },
}

fn lock_set(set: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    set.lock().unwrap_or_else(|p| p.into_inner())
}

fn code_text(code: Option<i32>) -> String {
    code.map(|c| c.to_string())
        .unwrap_or_else(|| "killed by a signal".to_string())
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Git's own lock files that a killed fetch may have left; only removed while this run
/// holds the repository's exclusive lock, so no other mlpy is using them.
fn remove_stale_locks(dir: &Path) {
    for name in [
        "shallow.lock",
        "packed-refs.lock",
        "HEAD.lock",
        "config.lock",
        "FETCH_HEAD.lock",
    ] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let mut stack = vec![dir.join("refs")];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "lock") {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// An exclusive lock on a bare clone (`flock` on `<dir>.lock`), released when dropped
/// or when the process dies.
struct RepoLock {
    _lock: mlpy_fsutil::ExclusiveLock,
}

impl RepoLock {
    fn acquire(dir: &Path) -> std::io::Result<RepoLock> {
        let mut name = dir.as_os_str().to_owned();
        name.push(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PathBuf::from(name))?;
        Ok(RepoLock {
            _lock: mlpy_fsutil::ExclusiveLock::acquire(file)?,
        })
    }
}

impl ImportProtocol for GitProtocol {
    fn name(&self) -> &str {
        "git"
    }

    fn can_resolve(&self, request: &ImportRequest<'_>) -> bool {
        match request.spec {
            ImportSpec::Url(url) => is_git_url(url),
            ImportSpec::Dotted(_) => match (request.source, request.importer_origin) {
                (Some(source), _) => source.protocol == "git",
                (None, Origin::Remote(url)) => is_git_url(url),
                (None, Origin::File) => false,
            },
        }
    }

    fn validate_access(&self, request: &ImportRequest<'_>) -> Result<(), ResolveError> {
        // A request that cannot even be planned is reported by `resolve`.
        let Ok(plan) = self.plan(request) else {
            return Ok(());
        };
        self.context.check_git_capability(
            &plan.module,
            &plan.target.repo(),
            &plan.target.suggested_capability(),
        )
    }

    fn resolve(&self, request: &ImportRequest<'_>) -> Result<Located, ResolveError> {
        let plan = self.plan(request)?;
        self.context.check_git_capability(
            &plan.module,
            &plan.target.repo(),
            &plan.target.suggested_capability(),
        )?;
        let commit = self.commit_for(&plan.module, &plan.target, plan.policy)?;
        let mut searched = Vec::new();
        for (path, is_package) in &plan.candidates {
            match self.module_at(&plan, &commit, path)? {
                Found::Module(file) => {
                    let url = plan.target.url_at(&plan.target.reference, path);
                    return Ok(Located {
                        name: url.clone(),
                        path: file,
                        origin: Origin::Remote(url),
                        is_package: *is_package,
                        parent_packages: Vec::new(),
                    });
                }
                Found::Missing => searched.push(format!(
                    "{} (not in the repository at commit {})",
                    plan.target.url_at(&plan.target.reference, path),
                    &commit[..12.min(commit.len())]
                )),
            }
        }
        let first = plan
            .candidates
            .first()
            .map(|(p, _)| p.as_str())
            .unwrap_or("");
        let listing = self.listing(&plan.module, &plan.target, &commit, first);
        let folder = first.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
        let shown = if folder.is_empty() {
            "its root".to_string()
        } else {
            format!("{folder}/")
        };
        let submodule = listing
            .is_empty()
            .then(|| self.submodule_above(&plan.module, &plan.target, &commit, folder))
            .flatten();
        let hint = Some(if let Some(submodule) = submodule {
            format!("{submodule}/ is a git submodule, and mlpy does not fetch submodules: import the module from the submodule's own repository")
        } else if listing.is_empty() {
            format!("the repository has no ML modules in {shown}")
        } else {
            format!("the repository has in {shown}: {}", listing.join(", "))
        });
        let wanted = first.rsplit('/').next().unwrap_or(first);
        let suggestions = mlpy_modules::suggest::suggestions(
            wanted.trim_end_matches(".ml"),
            listing
                .iter()
                .map(|n| n.trim_end_matches(".ml").trim_end_matches('/')),
        );
        Err(ResolveError::NotFound {
            module: plan.module,
            searched,
            suggestions,
            hint,
        })
    }

    fn cache_key(&self, request: &ImportRequest<'_>) -> String {
        match self.plan(request) {
            Ok(plan) => plan.target.module_url(),
            Err(_) => format!("git:{}", request.spec),
        }
    }

    fn clear_memo(&self) {
        self.refs.lock().unwrap_or_else(|p| p.into_inner()).clear();
        lock_set(&self.present).clear();
        self.context.clear_run();
    }
}

/// Whether a repository path has a `%` escape of a separator (`/`, `\`) or a control
/// character. git decodes a URL's `%` escapes before it fetches, while `git.clone`
/// grants are matched against the path as written: `repos/x%2f..%2f..%2fsecret` matches
/// `git.clone.git+file:///…/repos/*` but names `…/secret`.
fn has_encoded_separator(path: &str) -> bool {
    path.match_indices('%').any(|(i, _)| {
        path.get(i + 1..i + 3)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .is_some_and(|byte| byte == b'/' || byte == b'\\' || byte.is_ascii_control())
    })
}

/// `Some(1)` for a path segment that means `.`, `Some(2)` for `..` — written out or
/// percent-encoded (`%2e%2E`), which a server or a later decoding reads as the same: the
/// check and the lookup must agree on what a segment is.
fn dot_segment(segment: &str) -> Option<usize> {
    let mut dots = 0;
    let mut rest = segment;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            rest = after;
        } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case("%2e") {
            rest = &rest[3..];
        } else {
            return None;
        }
        dots += 1;
    }
    matches!(dots, 1 | 2).then_some(dots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls() {
        let u = GitUrl::parse_module("git://Host:9418/org/repo@v1.2/lib/math").unwrap();
        assert_eq!(u.authority, "host:9418");
        assert_eq!(u.repo_path, "/org/repo");
        assert_eq!(u.reference, "v1.2");
        assert_eq!(u.path, "lib/math.ml");
        assert_eq!(u.repo(), "git://host:9418/org/repo");
        assert_eq!(u.ref_key(), "git://host:9418/org/repo@v1.2");
        assert_eq!(u.transport(), "git://host:9418/org/repo");
        assert_eq!(u.module_url(), "git://host:9418/org/repo@v1.2/lib/math.ml");
        assert_eq!(u.suggested_capability(), "git.clone.git://host:9418/*");

        let f = GitUrl::parse_module("git+file:///srv/repos/lib.git@feature%2Fx/m").unwrap();
        assert_eq!(f.reference, "feature/x");
        assert_eq!(f.transport(), "file:///srv/repos/lib.git");
        assert_eq!(
            f.module_url(),
            "git+file:///srv/repos/lib.git@feature%2Fx/m.ml"
        );
        assert_eq!(
            f.suggested_capability(),
            "git.clone.git+file:///srv/repos/lib.git"
        );

        let l = GitUrl::parse_location("git://h/org/repo@main").unwrap();
        assert_eq!(l.path, "");
        assert!(GitUrl::parse_module("git://h/org/repo@main").is_err());
        let e = GitUrl::parse_module("git://h/org/repo/m").unwrap_err();
        assert!(matches!(e, GitUrlError::NoRef { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "'git://h/org/repo/m' names no ref: write git://h/REPOSITORY@REF/PATH (a branch, a tag or a commit after `@`)"
        );
        assert_eq!(
            GitUrl::parse_module("git://h/org/repo@-x/m")
                .unwrap_err()
                .to_string(),
            "'git://h/org/repo@-x/m': '-x' is not a valid git ref: it cannot start with `-` or `/`, or end with `/`"
        );
        assert_eq!(
            GitUrl::parse_module("git://h/r@a~b/m")
                .unwrap_err()
                .to_string(),
            "'git://h/r@a~b/m': 'a~b' is not a valid git ref: it cannot contain spaces or any of ~ ^ : ? * [ \\"
        );
        assert_eq!(
            GitUrl::parse_module("git://h/r@a%zz/m")
                .unwrap_err()
                .to_string(),
            "'a%zz': a `%` must be followed by two hex digits"
        );
        assert!(GitUrl::parse_module("git://h/org/repo@v1/../m").is_err());
        // Dot segments however they are written.
        for path in [
            "%2e%2e",
            "%2E%2e",
            ".%2e",
            "%2e",
            "lib/%2e%2e/m",
            "lib/.%2E/m",
        ] {
            let text = format!("git://h/org/repo@v1/{path}");
            assert!(
                matches!(
                    GitUrl::parse_module(&text),
                    Err(GitUrlError::BadPath { .. })
                ),
                "{text}"
            );
        }
        assert!(GitUrl::parse_module("git://h/org/%2e%2e/repo@v1/m").is_err());
        // Escapes git would decode into another path than the one a grant matched.
        for repo in [
            "org/x%2f..%2f..%2fsecret",
            "org/x%2F..%2Fsecret",
            "org/x%5c..%5csecret",
            "org/x%00y",
            "org/x%0ay",
        ] {
            let text = format!("git+file:///srv/{repo}@v1/m");
            let e = GitUrl::parse_module(&text).unwrap_err();
            assert!(
                matches!(e, GitUrlError::EncodedRepository { .. }),
                "{text}: {e}"
            );
        }
        for fine in ["org/my%20repo", "org/b%C3%BCcher", "org/x%252fy"] {
            let text = format!("git+file:///srv/{fine}@v1/m");
            assert!(GitUrl::parse_module(&text).is_ok(), "{text}");
        }
        for fine in ["lib/...x/m", "lib/%2e%2ex/m", "lib/a.b/m"] {
            let text = format!("git://h/org/repo@v1/{fine}");
            assert!(GitUrl::parse_module(&text).is_ok(), "{text}");
        }
        assert!(GitUrl::parse_module("git://u:p@h/org/repo@v1/m").is_err());
        assert!(GitUrl::parse_module("git+file://host/r@v1/m").is_err());
        assert!(GitUrl::parse_module("git://h/r@v1/m?x").is_err());
        assert!(GitUrl::parse_module("https://h/r@v1/m").is_err());
        assert!(is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_commit_hash("v1"));
        assert!(is_git_url("git+file:///x@v/m"));
        assert!(!is_git_url("https://x"));
    }
}
