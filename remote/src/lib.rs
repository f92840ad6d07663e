//! Remote modules: imports beyond the disk (`mlpy-remote`).
//!
//! `mlpy-modules` knows the [`ImportProtocol`] trait and the file protocol only; this
//! crate brings the other protocols — [`HttpsProtocol`], [`GitProtocol`],
//! [`PluginProtocol`] — and everything they need (HTTP and TLS, minisign signatures, the
//! lockfile, the cache). [`resolver`] builds the resolver the CLI and the language server
//! use; [`fetch`] is what `mlpy fetch` does.
//!
//! `import https://host/lib/v2/math;` and `import_sources` entries of protocol `https`
//! (or `http`, for loopback hosts and hosts allowed with `--allow-insecure-http`) are
//! fetched into an on-disk cache ([`store`]), verified ([`integrity`]: the `.sig`
//! hash, ed25519 signatures by trusted keys, the lockfile [`lock`]) and then read like
//! any local module from their cache file. Every fetch is gated by a network capability
//! ([`capability`]); tokens only go to their own host ([`auth`], [`http`]).
//!
//! [`RemoteContext`] holds what all remote protocols share — the cache, the lockfile,
//! the capabilities, the tokens, the HTTP client and the answers of the current run —
//! so that the git and plugin protocols (issue #8) reuse the same verification, cache
//! and lockfile: they produce bytes for a canonical URL and hand them to
//! [`RemoteContext::admit`].
//!
//! The language server uses [`Network::CachedOnly`]: nothing touches the network, and
//! a module that is not cached yet is [`ResolveError::NotCached`] (diagnostic code
//! `remote-not-cached`), for which it offers "Fetch module".
//!
//! Errors: the protocols answer [`ResolveError`] (the resolver's own type); what fails
//! below them has its own enum — [`url::UrlError`], [`git::GitUrlError`],
//! [`auth::CredentialError`], [`integrity::IntegrityError`], [`store::EntryReadError`],
//! [`http::Failure`], [`http::ClientError`], [`publish::KeyError`],
//! [`publish::PublishError`] — and setting up is [`SetupError`].

// `ResolveError` (mlpy-modules' error, which every `ImportProtocol` answers) is 128
// bytes: Clippy measures a foreign enum whole (discriminant included) but a local one by
// its largest variant (120 bytes), so the code that passed in mlpy-modules trips
// `result_large_err` here. Boxing it would change the resolver's API for every caller.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod capability;
pub mod git;
pub mod http;
mod https;
pub mod integrity;
pub mod lock;
pub mod plugin;
pub mod process;
pub mod publish;
pub mod store;
pub mod url;

pub use git::GitProtocol;
pub use https::HttpsProtocol;
pub use plugin::PluginProtocol;

use crate::auth::{expand_env, header_value, AuthTokens, AuthTokensError, CredentialError};
use crate::capability::{GitGrants, NetworkGrants};
use crate::http::{ClientError, HttpClient, HttpSettings, Response};
use crate::integrity::{
    parse_sig, parse_trusted_keys, verify_minisig, verify_minisig_for, IntegrityError, TrustedKey,
};
use crate::lock::{LockMode, LockProblem, Lockfile, LOCKFILE_NAME};
use crate::store::{CacheStore, Entry, EntryMeta};
use ::url::Url;
use mlpy_fsutil::sha256_hex;
use mlpy_modules::config::{CachePolicy, ConfigError, ImportSource, JsonKey, ProjectConfig};
use mlpy_modules::protocol::{ImportOptions, ImportProtocol, Located, Origin};
use mlpy_modules::{EntryError, ResolveError, Resolver};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Whether remote modules may be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Network {
    /// Fetch what the cache lacks (or what `--reload`/`no-cache` asks to refetch).
    #[default]
    Online,
    /// Never touch the network: `--cached-only`, and the language server.
    CachedOnly,
}

/// Reports downloads as they happen (`mlpy fetch` draws a progress bar with it).
pub trait FetchProgress: Send + Sync {
    /// A module download starts.
    fn started(&self, url: &str);
    /// It ended (successfully or not).
    fn finished(&self, url: &str, bytes: Option<usize>);
}

/// How remote modules are fetched, cached and locked for one run.
#[derive(Clone)]
pub struct RemoteOptions {
    pub network: Network,
    /// Refetch every module whose cache policy allows it (`--reload`).
    pub reload: bool,
    /// The lockfile must not change (`--frozen`).
    pub frozen: bool,
    /// Record changed hashes instead of refusing them (`mlpy fetch --update-lock`).
    pub update_lock: bool,
    /// Write the lockfile at the end (false for the language server).
    pub write_lockfile: bool,
    /// The lockfile; `None`: `mlpy.lock` in the project root (beside `mlpy.json`).
    pub lockfile: Option<PathBuf>,
    /// The cache folder: [`mlpy_fsutil::cache_dir`] (`MLPY_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/mlpy`, else `~/.cache/mlpy`, …), the same as `mlpy run`'s.
    pub cache_dir: PathBuf,
    /// Extra CA certificates (`MLPY_CA_FILE`, `--cert`).
    pub ca_files: Vec<PathBuf>,
    /// Hosts that may be fetched over plain http (`--allow-insecure-http`).
    pub insecure_http_hosts: Vec<String>,
    /// Per operation (`MLPY_HTTP_TIMEOUT`, `--timeout`); default 30 s.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_redirects: usize,
    /// `MLPY_AUTH_TOKENS`.
    pub auth_tokens: Option<String>,
    pub progress: Option<Arc<dyn FetchProgress>>,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

impl RemoteOptions {
    /// The defaults, with the environment applied: `MLPY_CACHE_DIR` (and the XDG
    /// cache folder), `MLPY_CA_FILE`, `MLPY_AUTH_TOKENS`, `MLPY_HTTP_TIMEOUT`.
    pub fn from_env() -> RemoteOptions {
        let timeout = std::env::var("MLPY_HTTP_TIMEOUT")
            .ok()
            .and_then(|t| parse_seconds(&t).ok())
            .unwrap_or(DEFAULT_TIMEOUT);
        RemoteOptions {
            network: Network::Online,
            reload: false,
            frozen: false,
            update_lock: false,
            write_lockfile: true,
            lockfile: None,
            cache_dir: mlpy_fsutil::cache_dir(),
            ca_files: std::env::var_os("MLPY_CA_FILE")
                .filter(|f| !f.is_empty())
                .map(PathBuf::from)
                .into_iter()
                .collect(),
            insecure_http_hosts: Vec::new(),
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            max_redirects: DEFAULT_MAX_REDIRECTS,
            auth_tokens: std::env::var("MLPY_AUTH_TOKENS").ok(),
            progress: None,
        }
    }

    /// For the language server: cached only, the lockfile checked but never written.
    pub fn editor() -> RemoteOptions {
        RemoteOptions {
            network: Network::CachedOnly,
            write_lockfile: false,
            ..RemoteOptions::from_env()
        }
    }
}

/// Why a timeout (`--timeout`, `MLPY_HTTP_TIMEOUT`) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeoutError {
    #[error("'{text}' is not a number of seconds")]
    NotANumber { text: String },
    /// Not more than 0 and less than a day.
    #[error("'{text}' is not a sensible timeout in seconds")]
    OutOfRange { text: String },
}

/// Parses a timeout in seconds (`2`, `0.5`).
pub fn parse_seconds(text: &str) -> Result<Duration, TimeoutError> {
    let value: f64 = text.trim().parse().map_err(|_| TimeoutError::NotANumber {
        text: text.to_string(),
    })?;
    if !(value > 0.0 && value < 86_400.0) {
        return Err(TimeoutError::OutOfRange {
            text: text.to_string(),
        });
    }
    Ok(Duration::from_secs_f64(value))
}

/// Why the remote machinery could not be set up (or [`fetch`] could not start).
#[derive(Debug, Clone, thiserror::Error)]
pub enum SetupError {
    /// `mlpy.json` (`trusted_keys`, `import_sources`) or `mlpy.lock` is wrong; it has a
    /// place.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `MLPY_AUTH_TOKENS` is malformed.
    #[error(transparent)]
    AuthTokens(#[from] AuthTokensError),
    /// A CA file (`MLPY_CA_FILE`, `--cert`) cannot be used.
    #[error(transparent)]
    CaFile(#[from] ClientError),
    /// [`fetch`]: the entry file cannot be loaded.
    #[error(transparent)]
    Entry(#[from] EntryError),
    /// [`fetch`]: the lockfile cannot be written.
    #[error(transparent)]
    Lockfile(ResolveError),
}

/// Counters of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemoteStats {
    /// HTTP requests sent (redirect hops, `.sig` and `.minisig` included).
    pub requests: usize,
    /// Modules downloaded.
    pub downloaded: usize,
    /// Modules served from the cache.
    pub from_cache: usize,
}

/// How one module is fetched: after the import's option block, the import source and
/// the defaults are combined.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FetchSettings {
    pub verify: bool,
    pub policy: CachePolicy,
    /// `Authorization` value for the module's own host.
    pub auth: Option<String>,
}

/// The answer for one URL in this run.
#[derive(Debug, Clone)]
pub enum Obtained {
    /// Verified and cached: the cache file.
    Found(PathBuf),
    /// The server says it does not exist (404/410).
    Missing,
    /// Not in the cache, and the network is off.
    NotCached,
    Failed(ResolveError),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RunKey {
    url: String,
    settings: FetchSettings,
}

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    downloaded: AtomicUsize,
    from_cache: AtomicUsize,
}

/// What every remote protocol shares for one project and run.
pub struct RemoteContext {
    config: Arc<ProjectConfig>,
    options: RemoteOptions,
    grants: NetworkGrants,
    git_grants: GitGrants,
    tokens: AuthTokens,
    trusted: Vec<TrustedKey>,
    store: CacheStore,
    lock: Mutex<Lockfile>,
    client: OnceLock<Result<HttpClient, ClientError>>,
    run: Mutex<HashMap<RunKey, Arc<OnceLock<Obtained>>>>,
    counters: Counters,
}

/// Why a cache entry cannot be used as it is.
enum EntryProblem {
    /// It does not match its own metadata, or its signature fails: discarded.
    Corrupt(String),
    /// It was fetched without the verification now asked for: refetched.
    Unverified(String),
}

impl RemoteContext {
    pub fn new(
        config: Arc<ProjectConfig>,
        options: RemoteOptions,
    ) -> Result<Arc<RemoteContext>, SetupError> {
        let config_file = config
            .config_file
            .clone()
            .unwrap_or_else(|| config.root.join(mlpy_modules::config::CONFIG_FILE_NAME));
        let trusted = parse_trusted_keys(&config.trusted_keys).map_err(|error| {
            let bad = config
                .trusted_keys
                .iter()
                .position(|k| integrity::TrustedKey::parse(k).is_err())
                .unwrap_or(0);
            SetupError::Config(ConfigError::at_value(
                &config_file,
                &[JsonKey::Key("trusted_keys"), JsonKey::Index(bad)],
                error.to_string(),
            ))
        })?;
        let tokens = match &options.auth_tokens {
            Some(text) => AuthTokens::parse(text)?,
            None => AuthTokens::default(),
        };
        // Report a bad CA file now rather than at the first fetch.
        http::load_ca_files(&options.ca_files)?;
        for (i, source) in config.import_sources.iter().enumerate() {
            let problem = if is_http_protocol(&source.protocol) {
                url::location_base(&source.location)
                    .err()
                    .map(|e| e.to_string())
            } else if source.protocol == "git" {
                git::GitUrl::parse_location(&source.location)
                    .err()
                    .map(|e| e.to_string())
            } else {
                None
            };
            if let Some(message) = problem {
                return Err(SetupError::Config(ConfigError::at_value(
                    &config_file,
                    &[
                        JsonKey::Key("import_sources"),
                        JsonKey::Index(i),
                        JsonKey::Key("location"),
                    ],
                    format!("\"import_sources[{i}].location\": {message}"),
                )));
            }
        }
        let lock_path = options
            .lockfile
            .clone()
            .unwrap_or_else(|| config.root.join(LOCKFILE_NAME));
        let lock = Lockfile::load(
            &lock_path,
            LockMode {
                frozen: options.frozen,
                update: options.update_lock,
                write: options.write_lockfile,
            },
        )?;
        Ok(Arc::new(RemoteContext {
            grants: NetworkGrants::new(&config.capabilities),
            git_grants: GitGrants::new(&config.capabilities),
            store: CacheStore::new(&options.cache_dir),
            config,
            options,
            tokens,
            trusted,
            lock: Mutex::new(lock),
            client: OnceLock::new(),
            run: Mutex::new(HashMap::new()),
            counters: Counters::default(),
        }))
    }

    pub fn config(&self) -> &ProjectConfig {
        &self.config
    }

    pub fn options(&self) -> &RemoteOptions {
        &self.options
    }

    pub fn store(&self) -> &CacheStore {
        &self.store
    }

    pub fn lockfile_path(&self) -> PathBuf {
        self.lock().path().to_path_buf()
    }

    pub fn stats(&self) -> RemoteStats {
        RemoteStats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            downloaded: self.counters.downloaded.load(Ordering::Relaxed),
            from_cache: self.counters.from_cache.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lockfile> {
        self.lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the lockfile if it changed. Returns whether it was written.
    pub fn finish(&self) -> Result<bool, ResolveError> {
        self.lock().save().map_err(|e| ResolveError::Protocol {
            module: String::new(),
            message: e.to_string(),
        })
    }

    /// Forgets the answers of this run (negative ones included).
    pub fn clear_run(&self) {
        self.run.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The capability check for `url`.
    pub fn check_capability(&self, module: &str, url: &Url) -> Result<(), ResolveError> {
        self.grants
            .check(url)
            .map_err(|missing| ResolveError::CapabilityRequired {
                module: module.to_string(),
                url: url.to_string(),
                capability: missing.capability,
            })
    }

    /// Combines an import's option block, its import source and the defaults.
    pub fn settings(
        &self,
        module: &str,
        source: Option<&ImportSource>,
        options: &ImportOptions,
    ) -> Result<FetchSettings, ResolveError> {
        let verify = options
            .verify
            .or(source.map(|s| s.verify_signature))
            .unwrap_or(true);
        let policy = options
            .cache
            .or(source.map(|s| s.cache_policy))
            .unwrap_or_default();
        let bad = |error: CredentialError| ResolveError::BadImportOption {
            module: module.to_string(),
            message: error.to_string(),
        };
        let auth = match (&options.auth, source) {
            (Some(token), _) => Some(header_value(&expand_env(token).map_err(bad)?)),
            (None, Some(source)) => source_token(source).map_err(bad)?,
            (None, None) => None,
        };
        Ok(FetchSettings {
            verify,
            policy,
            auth,
        })
    }

    /// The import source whose location `url` lies under (longest match).
    pub fn source_for(&self, url: &Url) -> Option<(&ImportSource, Url)> {
        self.config
            .import_sources
            .iter()
            .filter(|s| is_http_protocol(&s.protocol))
            .filter_map(|s| Some((s, url::location_base(&s.location).ok()?)))
            .filter(|(_, base)| url.as_str().starts_with(base.as_str()))
            .max_by_key(|(_, base)| base.as_str().len())
    }

    /// Obtains the module at `url`: from the cache when it holds a verified copy the
    /// policy allows, else from the network (unless cached only). Answers are
    /// remembered for the run, negative ones included, and concurrent requests for the
    /// same URL wait for one download.
    pub fn obtain(&self, module: &str, url: &Url, settings: &FetchSettings) -> Obtained {
        if let Err(e) = self.check_capability(module, url) {
            return Obtained::Failed(e);
        }
        let key = RunKey {
            url: url.to_string(),
            settings: settings.clone(),
        };
        let cell = self
            .run
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(|| self.obtain_now(module, url, settings))
            .clone()
    }

    fn obtain_now(&self, module: &str, url: &Url, settings: &FetchSettings) -> Obtained {
        let offline = self.options.network == Network::CachedOnly;
        let mut problem = None;
        let cached = match self.store.read(url, self.config.max_module_size) {
            Ok(Some(entry)) => match self.verify_entry(&entry, settings) {
                Ok(()) => Some(entry),
                Err(EntryProblem::Corrupt(reason)) => {
                    problem = Some(corrupt_entry(&reason, self.store.remove(url)));
                    None
                }
                Err(EntryProblem::Unverified(reason)) => {
                    problem = Some(format!("the cached copy cannot be used: {reason}"));
                    None
                }
            },
            Ok(None) => None,
            // Fetching it again would not help: say so, offline, rather than "fetch it".
            Err(reason) if offline && !reason.is_corrupt() => {
                return Obtained::Failed(ResolveError::Fetch {
                    module: module.to_string(),
                    url: url.to_string(),
                    message: format!(
                        "{}; the network is not used (cached only)",
                        self.unreadable_entry(url, &reason)
                    ),
                })
            }
            Err(reason) => {
                problem = Some(self.unreadable_entry(url, &reason));
                None
            }
        };
        let refetch = !offline
            && match settings.policy {
                CachePolicy::NoCache => true,
                CachePolicy::Default => self.options.reload,
                CachePolicy::ForceCache => false,
            };
        if let Some(entry) = &cached {
            if !refetch {
                match self.lock_check(module, url.as_str(), &entry.meta.sha256) {
                    Ok(()) => {
                        self.counters.from_cache.fetch_add(1, Ordering::Relaxed);
                        return Obtained::Found(entry.content_path.clone());
                    }
                    // The cached copy is not the locked one: maybe the server has it.
                    Err(ResolveError::LockMismatch { .. })
                        if !offline && settings.policy != CachePolicy::ForceCache => {}
                    Err(e) => return Obtained::Failed(e),
                }
            }
        }
        if offline {
            return match problem {
                Some(reason) => Obtained::Failed(ResolveError::Integrity {
                    module: module.to_string(),
                    url: url.to_string(),
                    message: format!(
                        "{reason}; the network is not used (cached only): fetch it again with `mlpy fetch`"
                    ),
                }),
                None => Obtained::NotCached,
            };
        }
        match self.download(module, url, settings) {
            Ok(Some((bytes, meta))) => self.admit(module, url, &bytes, meta),
            Ok(None) => Obtained::Missing,
            Err(e) => Obtained::Failed(e),
        }
    }

    /// Takes freshly obtained, verified bytes of a module: checks them against the
    /// lockfile, stores them in the cache and returns the cache file. Every remote
    /// protocol ends here.
    pub fn admit(&self, module: &str, url: &Url, bytes: &[u8], meta: EntryMeta) -> Obtained {
        self.admit_as(module, url.as_str(), url, bytes, meta)
    }

    /// [`admit`](Self::admit) for a module recorded in the lockfile under `lock_url`
    /// but cached under `store_url` (git: the ref's URL is locked, the commit's URL is
    /// cached; plugins: the cache key is scoped to the project).
    pub fn admit_as(
        &self,
        module: &str,
        lock_url: &str,
        store_url: &Url,
        bytes: &[u8],
        meta: EntryMeta,
    ) -> Obtained {
        let url = store_url;
        if let Err(e) = self.lock_check(module, lock_url, &meta.sha256) {
            return Obtained::Failed(e);
        }
        match self.store.write(url, bytes, &meta) {
            Ok(path) => {
                self.counters.downloaded.fetch_add(1, Ordering::Relaxed);
                Obtained::Found(path)
            }
            Err(e) => Obtained::Failed(ResolveError::Fetch {
                module: module.to_string(),
                url: url.to_string(),
                message: format!(
                    "cannot write the module cache in {}: {e} (set MLPY_CACHE_DIR to a writable folder)",
                    self.store.root().display()
                ),
            }),
        }
    }

    fn lock_check(&self, module: &str, url: &str, sha256: &str) -> Result<(), ResolveError> {
        let mut lock = self.lock();
        match lock.check_module(url, sha256) {
            Ok(()) => Ok(()),
            Err(LockProblem::Changed { expected }) => Err(ResolveError::LockMismatch {
                module: module.to_string(),
                url: url.to_string(),
                lockfile: lock.path().to_path_buf(),
                expected,
                actual: sha256.to_string(),
            }),
            Err(LockProblem::Frozen) => Err(ResolveError::Frozen {
                module: module.to_string(),
                url: url.to_string(),
                lockfile: lock.path().to_path_buf(),
            }),
        }
    }

    /// The commit the lockfile pins for a git reference (`git://host/org/repo@v1`).
    pub fn pinned_ref(&self, key: &str) -> Option<String> {
        self.lock().data().refs.get(key).map(|r| r.commit.clone())
    }

    /// Checks (and records) what a git reference resolved to against the lockfile.
    pub fn lock_ref(&self, module: &str, key: &str, commit: &str) -> Result<(), ResolveError> {
        let mut lock = self.lock();
        match lock.check_ref(key, commit) {
            Ok(()) => Ok(()),
            Err(LockProblem::Changed { expected }) => Err(ResolveError::RefMoved {
                module: module.to_string(),
                reference: key.to_string(),
                lockfile: lock.path().to_path_buf(),
                expected,
                actual: commit.to_string(),
            }),
            Err(LockProblem::Frozen) => Err(ResolveError::Frozen {
                module: module.to_string(),
                url: key.to_string(),
                lockfile: lock.path().to_path_buf(),
            }),
        }
    }

    /// The `git.clone` capability check for the repository `repo`.
    pub fn check_git_capability(
        &self,
        module: &str,
        repo: &str,
        suggested: &str,
    ) -> Result<(), ResolveError> {
        self.git_grants
            .check(repo, suggested)
            .map_err(|missing| ResolveError::CapabilityRequired {
                module: module.to_string(),
                url: repo.to_string(),
                capability: missing.capability,
            })
    }

    /// Whether modules must carry an ed25519 signature by a trusted key: verification
    /// is on and `trusted_keys` is not empty.
    pub fn signatures_required(&self, verify: bool) -> bool {
        verify && !self.trusted.is_empty()
    }

    /// Checks the minisign signature that came with a module's bytes (from a git
    /// repository's `M.ml.minisig`, or a plugin's answer): returns the signature and the
    /// ID of the trusted key that made it. Without trusted keys a signature is not
    /// checked (nothing to check it against) and not recorded.
    pub fn check_signature(
        &self,
        bytes: &[u8],
        minisig: Option<&str>,
        required: bool,
    ) -> Result<(Option<String>, Option<String>), IntegrityError> {
        match minisig {
            _ if self.trusted.is_empty() => Ok((None, None)),
            Some(text) => {
                let key = verify_minisig(bytes, text, &self.trusted)?;
                Ok((Some(text.to_string()), Some(key)))
            }
            None if required => Err(IntegrityError::Unsigned),
            None => Ok((None, None)),
        }
    }

    /// For protocols that produce bytes themselves (git, plugins): the cache entry
    /// stored under `store_url`, verified (content against metadata; signature against
    /// the trusted keys when `signed`) and checked against the lockfile under
    /// `lock_url`. A corrupt entry is removed.
    pub fn cached_module(
        &self,
        module: &str,
        lock_url: &str,
        store_url: &Url,
        signed: bool,
    ) -> Cached {
        let entry = match self.store.read(store_url, self.config.max_module_size) {
            Ok(Some(entry)) => entry,
            Ok(None) => return Cached::Miss(None),
            Err(reason) => return Cached::Miss(Some(self.unreadable_entry(store_url, &reason))),
        };
        let plain = FetchSettings {
            verify: false,
            policy: CachePolicy::Default,
            auth: None,
        };
        if let Err(EntryProblem::Corrupt(reason) | EntryProblem::Unverified(reason)) =
            self.verify_entry(&entry, &plain)
        {
            return Cached::Miss(Some(corrupt_entry(&reason, self.store.remove(store_url))));
        }
        if signed && !self.trusted.is_empty() {
            let checked = match &entry.meta.minisig {
                Some(minisig) => verify_minisig(&entry.bytes, minisig, &self.trusted).map(|_| ()),
                None => Err(IntegrityError::CachedUnsigned),
            };
            if let Err(reason) = checked {
                return Cached::Miss(Some(format!("the cached copy cannot be used: {reason}")));
            }
        }
        match self.lock_check(module, lock_url, &entry.meta.sha256) {
            Ok(()) => {
                self.counters.from_cache.fetch_add(1, Ordering::Relaxed);
                Cached::Hit(entry.content_path)
            }
            Err(e) => Cached::Failed(e),
        }
    }

    /// Why the cache entry of `url` that [`CacheStore::read`] refused is not used: a
    /// corrupt entry is removed; one over this project's `max_module_size` is kept (it is
    /// sound, and the project that fetched it may have a larger limit).
    fn unreadable_entry(&self, url: &Url, reason: &store::EntryReadError) -> String {
        if reason.is_corrupt() {
            corrupt_entry(reason, self.store.remove(url))
        } else {
            format!(
                "the cached copy cannot be used here: {reason} (\"max_module_size\" in mlpy.json); it is kept in the cache"
            )
        }
    }

    /// The progress reporter of this run (`mlpy fetch`'s progress bar).
    pub fn progress(&self) -> Option<&Arc<dyn FetchProgress>> {
        self.options.progress.as_ref()
    }

    /// Checks a cache entry against its metadata and the verification asked for.
    fn verify_entry(&self, entry: &Entry, settings: &FetchSettings) -> Result<(), EntryProblem> {
        let sha = sha256_hex(&entry.bytes);
        if sha != entry.meta.sha256 || entry.meta.size != entry.bytes.len() as u64 {
            return Err(EntryProblem::Corrupt(format!(
                "its content has sha256 {sha}, its metadata records {}",
                entry.meta.sha256
            )));
        }
        if std::str::from_utf8(&entry.bytes).is_err() {
            return Err(EntryProblem::Corrupt("it is not valid UTF-8".to_string()));
        }
        if !settings.verify {
            return Ok(());
        }
        match &entry.meta.sig {
            None => {
                return Err(EntryProblem::Unverified(
                    "it was fetched without its .sig (verification was off)".to_string(),
                ))
            }
            Some(sig) if *sig != sha => {
                return Err(EntryProblem::Corrupt(format!(
                    "its recorded .sig is {sig}, its content has sha256 {sha}"
                )))
            }
            Some(_) => {}
        }
        if !self.trusted.is_empty() {
            match &entry.meta.minisig {
                None => {
                    return Err(EntryProblem::Unverified(
                        "it was fetched without an ed25519 signature, and \"trusted_keys\" now requires one".to_string(),
                    ))
                }
                Some(minisig) => {
                    // The lockfile — the project's own record — pins exactly these bytes,
                    // and their signature was verified when they were pinned: it is
                    // enough that the key that signed them is still trusted. Bytes the
                    // lockfile does not pin get the full ed25519 check (~90 µs).
                    let pinned = self.lock().module_hash(&entry.meta.url) == Some(sha.as_str());
                    let signer = integrity::signature_key_id(minisig);
                    let still_trusted = signer.is_some()
                        && entry.meta.signed_by == signer
                        && self.trusted.iter().any(|k| Some(&k.id) == signer.as_ref());
                    if pinned && still_trusted {
                        return Ok(());
                    }
                    // Bound to the module's file name, as when it was downloaded: a cache
                    // entry swapped for another signed module is refused too.
                    let file = Url::parse(&entry.meta.url)
                        .map(|u| url::file_name(&u))
                        .unwrap_or_default();
                    verify_minisig_for(&entry.bytes, minisig, &self.trusted, &file).map_err(|e| match e {
                        IntegrityError::UntrustedKey { .. } => {
                            EntryProblem::Unverified(e.to_string())
                        }
                        _ => EntryProblem::Corrupt(e.to_string()),
                    })?;
                }
            }
        }
        Ok(())
    }

    fn client(&self) -> Result<&HttpClient, ClientError> {
        self.client
            .get_or_init(|| {
                HttpClient::new(HttpSettings {
                    timeout: self.options.timeout,
                    connect_timeout: self.options.connect_timeout,
                    max_redirects: self.options.max_redirects,
                    ca_files: self.options.ca_files.clone(),
                    insecure_http_hosts: self.options.insecure_http_hosts.clone(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// GETs one URL with this run's rules (auth per hop, capability per hop).
    fn get(
        &self,
        module: &str,
        url: &Url,
        settings: &FetchSettings,
        limit: u64,
    ) -> Result<Response, ResolveError> {
        let fetch_error = |message: String| ResolveError::Fetch {
            module: module.to_string(),
            url: url.to_string(),
            message,
        };
        let client = self.client().map_err(|e| fetch_error(e.to_string()))?;
        let auth = |hop: &Url| -> Option<String> {
            match &settings.auth {
                Some(value) if url::same_origin_host(url, hop) => Some(value.clone()),
                _ => self.tokens.for_url(hop),
            }
        };
        let gate = |hop: &Url| self.grants.check(hop);
        let count = || {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
        };
        client
            .get(url, &auth, &gate, limit, &count)
            .map_err(|failure| match failure {
                http::Failure::Capability {
                    capability,
                    url: hop,
                } => ResolveError::CapabilityRequired {
                    module: module.to_string(),
                    url: hop.to_string(),
                    capability,
                },
                other => fetch_error(other.to_string()),
            })
    }

    /// Downloads and verifies a module. `Ok(None)`: it does not exist.
    fn download(
        &self,
        module: &str,
        url: &Url,
        settings: &FetchSettings,
    ) -> Result<Option<(Vec<u8>, EntryMeta)>, ResolveError> {
        let progress = self.options.progress.clone();
        if let Some(p) = &progress {
            p.started(url.as_str());
        }
        let result = self.download_inner(module, url, settings);
        if let Some(p) = &progress {
            let bytes = match &result {
                Ok(Some((bytes, _))) => Some(bytes.len()),
                _ => None,
            };
            p.finished(url.as_str(), bytes);
        }
        result
    }

    fn download_inner(
        &self,
        module: &str,
        url: &Url,
        settings: &FetchSettings,
    ) -> Result<Option<(Vec<u8>, EntryMeta)>, ResolveError> {
        let integrity = |message: String| ResolveError::Integrity {
            module: module.to_string(),
            url: url.to_string(),
            message,
        };
        let (bytes, final_url) =
            match self.get(module, url, settings, self.config.max_module_size)? {
                Response::Missing { .. } => return Ok(None),
                Response::Body { bytes, final_url } => (bytes, final_url),
            };
        if let Err(e) = std::str::from_utf8(&bytes) {
            let (line, column) = mlpy_modules::cache::utf8_error_position(&bytes, &e);
            return Err(ResolveError::Fetch {
                module: module.to_string(),
                url: url.to_string(),
                message: format!(
                    "the module is not valid UTF-8 text (first invalid byte at line {line}, column {column})"
                ),
            });
        }
        let sha256 = sha256_hex(&bytes);
        let mut meta = EntryMeta {
            version: 1,
            url: url.to_string(),
            final_url: final_url.to_string(),
            fetched_at: store::now(),
            size: bytes.len() as u64,
            sha256: sha256.clone(),
            sig: None,
            minisig: None,
            signed_by: None,
        };
        if settings.verify {
            let sig_url = url::with_suffix(url, ".sig");
            let text = match self.get(module, &sig_url, settings, 4096)? {
                Response::Body { bytes, .. } => String::from_utf8_lossy(&bytes).into_owned(),
                Response::Missing { status } => {
                    return Err(integrity(format!(
                        "its signature file {sig_url} is missing (status {status}); publish modules with `mlpy publish`, or import without verification: {{ verify: false }}"
                    )))
                }
            };
            let expected = parse_sig(&text).map_err(|e| integrity(e.to_string()))?;
            if expected != sha256 {
                return Err(integrity(format!(
                    "the module has sha256 {sha256}, but its .sig says {expected}: the module or its .sig was altered"
                )));
            }
            meta.sig = Some(expected);
            if !self.trusted.is_empty() {
                let minisig_url = url::with_suffix(url, ".minisig");
                let text = match self.get(module, &minisig_url, settings, 4096)? {
                    Response::Body { bytes, .. } => String::from_utf8_lossy(&bytes).into_owned(),
                    Response::Missing { status } => {
                        return Err(integrity(format!(
                            "its ed25519 signature {minisig_url} is missing (status {status}), and \"trusted_keys\" requires one"
                        )))
                    }
                };
                // The signature must be of these bytes *and* for this module: a server
                // that answers it with another module the publisher signed is refused.
                let key = verify_minisig_for(&bytes, &text, &self.trusted, &url::file_name(url))
                    .map_err(|e| integrity(e.to_string()))?;
                meta.minisig = Some(text);
                meta.signed_by = Some(key);
            }
        }
        Ok(Some((bytes, meta)))
    }

    /// The `Located` of a cached module.
    pub fn located(url: &Url, path: PathBuf, is_package: bool) -> Located {
        Located {
            name: url.to_string(),
            path,
            origin: Origin::Remote(url.to_string()),
            is_package,
            parent_packages: Vec::new(),
        }
    }
}

/// What [`RemoteContext::cached_module`] found.
#[derive(Debug, Clone)]
pub enum Cached {
    /// A verified entry the lockfile agrees with: its content file.
    Hit(PathBuf),
    /// Nothing usable; the reason when an entry was there but could not be used.
    Miss(Option<String>),
    /// The lockfile disagrees.
    Failed(ResolveError),
}

/// Whether an import source's protocol is served by [`HttpsProtocol`].
pub fn is_http_protocol(protocol: &str) -> bool {
    matches!(protocol, "https" | "http")
}

/// The `Authorization` value from an import source's `credentials`:
/// `auth_token` / `token` (Bearer), or `username` + `password` (Basic).
fn source_token(source: &ImportSource) -> Result<Option<String>, CredentialError> {
    let get = |key: &str| {
        source
            .credentials
            .get(key)
            .map(|v| expand_env(v))
            .transpose()
    };
    if let Some(token) = get("auth_token")?.or(get("token")?) {
        return Ok(Some(header_value(&token)));
    }
    if let (Some(user), Some(password)) = (get("username")?, get("password")?) {
        use base64::Engine;
        return Ok(Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )));
    }
    Ok(None)
}

/// What [`fetch`] did.
#[derive(Debug, Clone)]
pub struct FetchReport {
    pub stats: RemoteStats,
    /// Every remote module the program reaches, by canonical URL.
    pub modules: Vec<String>,
    /// Imports that could not be resolved (module name, error), in graph order.
    pub errors: Vec<(String, ResolveError)>,
}

/// Downloads every remote module `entry` reaches into the cache and records them in the
/// lockfile: what `mlpy fetch` does, and what the editor's "Fetch module" should do (on a
/// blocking thread, with online options such as [`RemoteOptions::from_env`]).
pub fn fetch(
    entry: &std::path::Path,
    config: Arc<ProjectConfig>,
    options: RemoteOptions,
) -> Result<FetchReport, SetupError> {
    let (resolver, context) = resolver(config, options)?;
    let graph =
        mlpy_modules::ModuleGraph::build(entry, &resolver, &mlpy_modules::ModuleCache::new())?;
    resolver.finish().map_err(SetupError::Lockfile)?;
    let mut modules = Vec::new();
    let mut errors = Vec::new();
    for module in &graph.modules {
        if let Origin::Remote(url) = &module.origin {
            modules.push(url.clone());
        }
        for edge in &module.imports {
            if let Err(e) = &edge.target {
                errors.push((module.name.clone(), e.clone()));
            }
        }
    }
    Ok(FetchReport {
        stats: context.stats(),
        modules,
        errors,
    })
}

/// A resolver for `config` with the remote protocols registered, and their shared
/// context (for the lockfile, statistics and `finish`).
pub fn resolver(
    config: Arc<ProjectConfig>,
    options: RemoteOptions,
) -> Result<(Resolver, Arc<RemoteContext>), SetupError> {
    let context = RemoteContext::new(config.clone(), options)?;
    Ok((
        Resolver::with_protocols(config, protocols(&context)),
        context,
    ))
}

/// The remote protocols, in the order the resolver asks them: https, git, then plugins
/// (last: they serve every scheme the others do not).
pub fn protocols(context: &Arc<RemoteContext>) -> Vec<Arc<dyn ImportProtocol>> {
    vec![
        Arc::new(HttpsProtocol::new(context.clone())),
        Arc::new(GitProtocol::new(context.clone())),
        Arc::new(PluginProtocol::new(context.clone())),
    ]
}

/// The note for a cache entry found corrupt, once `removal` has tried to remove it: a
/// folder in a file's place is not mlpy's to remove, and the note says so.
fn corrupt_entry(reason: &dyn std::fmt::Display, removal: Result<(), String>) -> String {
    match removal {
        Ok(()) => format!("the cached copy was corrupt ({reason}) and has been removed"),
        Err(left) => format!(
            "the cached copy was corrupt ({reason}); mlpy did not write what is there, so it is left: remove {left}"
        ),
    }
}
