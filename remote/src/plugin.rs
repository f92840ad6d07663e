//! Import plugins: a URL scheme served by an external program.
//!
//! For an import of scheme `S` that no built-in protocol serves (`import db://…;`, or an
//! `import_sources` entry with `"protocol": "S"`), mlpy runs the executable configured
//! under `"plugins": {"S": …}` in `mlpy.json`, else `mlpy-import-S` found on `PATH` —
//! like git's remote helpers and cargo's subcommands. One invocation per module: mlpy
//! writes one JSON request to the program's standard input (and closes it), the program
//! writes one JSON response to its standard output and exits with status 0. The
//! protocol is documented in `docs/plugins.md`; [`PROTOCOL_VERSION`] is its version.
//!
//! What a plugin answers goes through everything a downloaded module goes through:
//! the size limit, UTF-8, the ed25519 signature when `"trusted_keys"` asks for one, the
//! lockfile (by the canonical URL the plugin names, which must be of its own scheme),
//! and the module cache — then parsing and the transpiler's checks like any module.
//! Running a plugin needs the capability `plugin.S`; it gets `--timeout` seconds
//! (default 30) and at most twice `max_module_size` (plus 64 KiB) of output; on failure
//! its standard error is shown.
//!
//! Warm runs do not start the plugin: the answer's canonical URL is remembered per
//! project and request (`MLPY_CACHE_DIR/plugins/v1/`), and the module comes from the
//! cache unless the plugin said `"cacheable": false` (then it is asked on every online
//! run, like the `no-cache` policy); `--reload` and `--update-lock` ask it again.
//! `--cached-only` and the editor never run plugins.

use crate::auth::{expand_env, CredentialError};
use crate::capability::plugin_granted;
use crate::process::{self, Failure};
use crate::store::{now, sanitize, EntryMeta};
use crate::{Cached, Network, Obtained, RemoteContext};
use mlpy_fsutil::{sha256_hex, write_atomic};
use mlpy_modules::config::CachePolicy;
use mlpy_modules::protocol::{ImportProtocol, ImportRequest, ImportSpec, Located, Origin};
use mlpy_modules::ResolveError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use url::Url;

/// The version of the plugin protocol this mlpy speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Schemes served by built-in protocols (never by plugins).
const BUILT_IN: &[&str] = &["https", "http", "file", "git", "git+file", "git+https"];

/// The request written to a plugin's standard input.
#[derive(Debug, Clone, Serialize)]
pub struct PluginRequest {
    /// Always [`PROTOCOL_VERSION`].
    pub mlpy_import_protocol: u32,
    pub scheme: String,
    /// `"url"`: `url` is the import as written. `"dotted"`: `module` is a dotted name,
    /// to find under `location` (an import source) or next to `importer` (a module the
    /// plugin served earlier).
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importer: Option<String>,
    /// The project's folder (also the plugin's working directory).
    pub project_root: String,
    /// The import source's `credentials` and the import's `auth` option (as
    /// `auth_token`), with `${ENV}` expanded.
    pub credentials: BTreeMap<String, String>,
    /// `default`, `no-cache` or `force-cache`.
    pub cache_policy: &'static str,
    /// The most bytes the module's source may have.
    pub max_size: u64,
}

/// A plugin's answer.
#[derive(Debug, Clone, Deserialize)]
pub struct PluginResponse {
    pub mlpy_import_protocol: u32,
    /// `found`, `not_found` or `error`.
    pub status: String,
    /// `found`: the module's canonical URL (scheme = the plugin's scheme).
    pub url: Option<String>,
    /// `found`: the module's source text.
    pub source: Option<String>,
    /// `found`, optional: a minisign signature of `source`'s UTF-8 bytes.
    pub signature: Option<String>,
    /// `found`, optional (default true): whether the module may be served from the cache
    /// on later runs without asking the plugin.
    pub cacheable: Option<bool>,
    /// `found`, optional (default false): the module is a package.
    pub package: Option<bool>,
    /// `not_found`, optional: where the plugin looked.
    pub searched: Option<Vec<String>>,
    /// `error` (and optionally `not_found`): what went wrong.
    pub message: Option<String>,
}

/// What the cache remembers of an answer (per project and request).
#[derive(Serialize, Deserialize)]
struct IndexEntry {
    request: String,
    url: String,
    cacheable: bool,
    package: bool,
}

type Memo = Mutex<HashMap<String, Arc<OnceLock<Result<Located, ResolveError>>>>>;

pub struct PluginProtocol {
    context: Arc<RemoteContext>,
    /// `MLPY_CACHE_DIR/plugins/v1`.
    root: PathBuf,
    memo: Memo,
}

/// The scheme of a request, when a plugin would serve it.
fn scheme_of(request: &ImportRequest<'_>) -> Option<String> {
    let scheme = match (request.spec, request.source, request.importer_origin) {
        (ImportSpec::Url(_), _, _) => request.spec.scheme()?.to_string(),
        (ImportSpec::Dotted(_), Some(source), _) => source.protocol.clone(),
        (ImportSpec::Dotted(_), None, Origin::Remote(url)) => url.split_once("://")?.0.to_string(),
        (ImportSpec::Dotted(_), None, Origin::File) => return None,
    };
    let scheme = scheme.to_ascii_lowercase();
    let valid = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_lowercase())
        && scheme
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    (valid && !BUILT_IN.contains(&scheme.as_str())).then_some(scheme)
}

fn policy_name(policy: CachePolicy) -> &'static str {
    match policy {
        CachePolicy::Default => "default",
        CachePolicy::NoCache => "no-cache",
        CachePolicy::ForceCache => "force-cache",
    }
}

/// Finds `name` in the folders of `PATH` (an executable regular file).
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

impl PluginProtocol {
    pub fn new(context: Arc<RemoteContext>) -> PluginProtocol {
        let root = context.options().cache_dir.join("plugins").join("v1");
        PluginProtocol {
            context,
            root,
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// The program serving `scheme`.
    fn executable(&self, module: &str, scheme: &str) -> Result<PathBuf, ResolveError> {
        let default_name = format!("mlpy-import-{scheme}");
        let configured = self.context.config().plugins.get(scheme);
        let found = match configured {
            Some(path) if path.components().count() > 1 => {
                is_executable(path).then(|| path.clone())
            }
            Some(name) => find_on_path(&name.to_string_lossy()),
            None => find_on_path(&default_name),
        };
        found.ok_or_else(|| ResolveError::Protocol {
            module: module.to_string(),
            message: match configured {
                Some(path) => format!(
                    "the import plugin for '{scheme}://' configured in mlpy.json (\"plugins\"), {}, is not an executable file{}",
                    path.display(),
                    if path.components().count() > 1 { "" } else { " on PATH" }
                ),
                None => format!(
                    "no import protocol serves '{scheme}://': install a plugin, an executable named {default_name} on PATH, or name one in mlpy.json: \"plugins\": {{\"{scheme}\": \"path/to/program\"}}"
                ),
            },
        })
    }

    fn build_request(
        &self,
        scheme: &str,
        request: &ImportRequest<'_>,
    ) -> Result<PluginRequest, ResolveError> {
        let module = request.spec.to_string();
        let bad = |error: CredentialError| ResolveError::BadImportOption {
            module: module.clone(),
            message: error.to_string(),
        };
        let mut credentials = BTreeMap::new();
        if let Some(source) = request.source {
            for (key, value) in &source.credentials {
                credentials.insert(key.clone(), expand_env(value).map_err(bad)?);
            }
        }
        if let Some(token) = &request.options.auth {
            credentials.insert("auth_token".to_string(), expand_env(token).map_err(bad)?);
        }
        let policy = request
            .options
            .cache
            .or(request.source.map(|s| s.cache_policy))
            .unwrap_or_default();
        let config = self.context.config();
        let (kind, url, dotted, location, importer) = match request.spec {
            ImportSpec::Url(url) => ("url", Some(url.clone()), None, None, None),
            ImportSpec::Dotted(parts) => {
                let importer = match request.importer_origin {
                    Origin::Remote(url) if request.source.is_none() => Some(url.clone()),
                    _ => None,
                };
                (
                    "dotted",
                    None,
                    Some(parts.join(".")),
                    request.source.map(|s| s.location.clone()),
                    importer,
                )
            }
        };
        Ok(PluginRequest {
            mlpy_import_protocol: PROTOCOL_VERSION,
            scheme: scheme.to_string(),
            kind,
            url,
            module: dotted,
            location,
            importer,
            project_root: config.root.to_string_lossy().into_owned(),
            credentials,
            cache_policy: policy_name(policy),
            max_size: config.max_module_size,
        })
    }

    /// The key of a request in the index: everything that decides the answer except
    /// the credentials.
    fn request_key(request: &PluginRequest) -> String {
        serde_json::json!([
            request.scheme,
            request.kind,
            request.url,
            request.module,
            request.location,
            request.importer,
            request.project_root,
        ])
        .to_string()
    }

    fn index_path(&self, scheme: &str, key: &str) -> PathBuf {
        self.root
            .join(sanitize(scheme))
            .join(format!("{}.json", &sha256_hex(key.as_bytes())[..24]))
    }

    fn read_index(&self, scheme: &str, key: &str) -> Option<IndexEntry> {
        let bytes = std::fs::read(self.index_path(scheme, key)).ok()?;
        let entry: IndexEntry = serde_json::from_slice(&bytes).ok()?;
        (entry.request == key).then_some(entry)
    }

    fn write_index(&self, scheme: &str, entry: &IndexEntry) {
        let path = self.index_path(scheme, &entry.request);
        if let (Some(dir), Ok(mut text)) = (path.parent(), serde_json::to_vec_pretty(entry)) {
            text.push(b'\n');
            // A shortcut for later runs only: failing to write it is not an error.
            let _ = std::fs::create_dir_all(dir).and_then(|_| write_atomic(&path, &text));
        }
    }

    /// Where the module of canonical URL `url` is cached: the URL, scoped to the project
    /// (a plugin may give the same URL different meanings in different projects, as
    /// `db://modules.db/x` relative to each project).
    fn store_url(&self, url: &Url) -> Url {
        let mut scoped = url.clone();
        let root = self.context.config().root.to_string_lossy().into_owned();
        scoped.set_fragment(Some(&format!(
            "project-{}",
            &sha256_hex(root.as_bytes())[..16]
        )));
        scoped
    }

    fn resolve_now(
        &self,
        scheme: &str,
        request: &ImportRequest<'_>,
        plugin_request: &PluginRequest,
        key: &str,
    ) -> Result<Located, ResolveError> {
        let module = request.spec.to_string();
        let options = self.context.options();
        let online = options.network == Network::Online;
        let policy = request
            .options
            .cache
            .or(request.source.map(|s| s.cache_policy))
            .unwrap_or_default();
        let verify = request
            .options
            .verify
            .or(request.source.map(|s| s.verify_signature))
            .unwrap_or(true);
        let signed = self.context.signatures_required(verify);
        let index = self.read_index(scheme, key);
        let mut problem = None;
        if let Some(entry) = &index {
            let fresh_enough = !online
                || policy == CachePolicy::ForceCache
                || (entry.cacheable
                    && policy == CachePolicy::Default
                    && !options.reload
                    && !options.update_lock);
            if fresh_enough {
                if let Ok(url) = Url::parse(&entry.url) {
                    match self.context.cached_module(
                        &module,
                        url.as_str(),
                        &self.store_url(&url),
                        signed,
                    ) {
                        Cached::Hit(path) => {
                            return Ok(RemoteContext::located(&url, path, entry.package))
                        }
                        Cached::Failed(e) if !online => return Err(e),
                        // The cached copy is not the locked one: ask the plugin.
                        Cached::Failed(_) => {}
                        Cached::Miss(reason) => problem = reason,
                    }
                }
            }
        }
        if !online {
            let url = index
                .map(|e| e.url)
                .unwrap_or_else(|| request.spec.to_string());
            return Err(match problem {
                Some(reason) => ResolveError::Integrity {
                    module,
                    url,
                    message: format!(
                        "{reason}; the network is not used (cached only): fetch it again with `mlpy fetch`"
                    ),
                },
                None => ResolveError::NotCached { module, url },
            });
        }
        let response = self.run_plugin(&module, scheme, plugin_request)?;
        self.admit_response(&module, scheme, key, signed, response)
    }

    /// Runs the plugin for one request and parses its answer.
    fn run_plugin(
        &self,
        module: &str,
        scheme: &str,
        request: &PluginRequest,
    ) -> Result<PluginResponse, ResolveError> {
        let exe = self.executable(module, scheme)?;
        let tool = exe
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| exe.display().to_string());
        let mut input = serde_json::to_vec(request).map_err(|e| ResolveError::Protocol {
            module: module.to_string(),
            message: e.to_string(),
        })?;
        input.push(b'\n');
        let options = self.context.options();
        let max = self.context.config().max_module_size;
        let limit = max.saturating_mul(2).saturating_add(64 * 1024);
        let mut command = Command::new(&exe);
        command
            .current_dir(&self.context.config().root)
            .env("MLPY_IMPORT_PROTOCOL", PROTOCOL_VERSION.to_string());
        let shown = request
            .url
            .clone()
            .or_else(|| request.module.clone())
            .unwrap_or_default();
        if let Some(p) = self.context.progress() {
            p.started(&shown);
        }
        let result = process::run(&mut command, Some(&input), options.timeout, limit);
        if let Some(p) = self.context.progress() {
            p.finished(&shown, result.as_ref().ok().map(|f| f.stdout.len()));
        }
        let external = |message: String, output: String| ResolveError::External {
            module: module.to_string(),
            message,
            tool: tool.clone(),
            output,
        };
        let finished = match result {
            Ok(finished) => finished,
            Err(Failure::Spawn(e)) | Err(Failure::Io(e)) => {
                return Err(ResolveError::Protocol {
                    module: module.to_string(),
                    message: format!("cannot run the import plugin {}: {e}", exe.display()),
                })
            }
            Err(Failure::TimedOut { stderr }) => {
                return Err(external(
                    format!(
                        "the import plugin {tool} did not answer within {} s and was stopped (raise it with --timeout SECONDS)",
                        options.timeout.as_secs_f64()
                    ),
                    stderr,
                ))
            }
            Err(Failure::TooMuchOutput { limit, stderr }) => {
                return Err(external(
                    format!(
                        "the import plugin {tool} answered more than {limit} bytes; refused (modules may have at most \"max_module_size\" = {max} bytes)"
                    ),
                    stderr,
                ))
            }
        };
        let parsed: Result<PluginResponse, _> = serde_json::from_slice(&finished.stdout);
        if !finished.success() {
            let said = parsed
                .ok()
                .and_then(|r| r.message)
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            return Err(external(
                format!(
                    "the import plugin {tool} failed (exit status {}){said}",
                    finished
                        .code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "killed by a signal".to_string())
                ),
                finished.stderr,
            ));
        }
        let response = parsed.map_err(|e| {
            let text = String::from_utf8_lossy(&finished.stdout);
            let excerpt: String = text.trim().chars().take(120).collect();
            external(
                format!(
                    "the import plugin {tool} answered something that is not a protocol response ({e}); refused. It began: {excerpt:?}"
                ),
                finished.stderr.clone(),
            )
        })?;
        if response.mlpy_import_protocol != PROTOCOL_VERSION {
            return Err(external(
                format!(
                    "the import plugin {tool} speaks protocol version {}; this mlpy speaks version {PROTOCOL_VERSION}",
                    response.mlpy_import_protocol
                ),
                finished.stderr,
            ));
        }
        match response.status.as_str() {
            "found" => Ok(response),
            "not_found" => Err(ResolveError::NotFound {
                module: module.to_string(),
                searched: response.searched.clone().unwrap_or_else(|| {
                    vec![format!("{shown} (the import plugin {tool} does not have it)")]
                }),
                suggestions: Vec::new(),
                hint: response.message.clone(),
            }),
            "error" => Err(external(
                format!(
                    "the import plugin {tool} could not serve '{shown}': {}",
                    response.message.as_deref().unwrap_or("no reason given")
                ),
                finished.stderr,
            )),
            other => Err(external(
                format!(
                    "the import plugin {tool} answered the status '{other}' (expected found, not_found or error); refused"
                ),
                finished.stderr,
            )),
        }
    }

    /// Checks a `found` answer and hands it to the cache and the lockfile.
    fn admit_response(
        &self,
        module: &str,
        scheme: &str,
        key: &str,
        signed: bool,
        response: PluginResponse,
    ) -> Result<Located, ResolveError> {
        let refuse = |message: String| ResolveError::Protocol {
            module: module.to_string(),
            message: format!("the import plugin for '{scheme}://' {message}; refused"),
        };
        let Some(text) = response.url.as_deref() else {
            return Err(refuse("answered without a \"url\"".to_string()));
        };
        let url = Url::parse(text).map_err(|e| {
            refuse(format!(
                "answered the URL '{text}', which is not valid ({e})"
            ))
        })?;
        if url.scheme() != scheme {
            return Err(refuse(format!(
                "answered the URL '{text}', outside its own scheme {scheme}://"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err(refuse(format!(
                "answered the URL '{text}' with credentials or a fragment"
            )));
        }
        let Some(source) = response.source else {
            return Err(refuse("answered without a \"source\"".to_string()));
        };
        let bytes = source.into_bytes();
        let limit = self.context.config().max_module_size;
        if bytes.len() as u64 > limit {
            return Err(ResolveError::Fetch {
                module: module.to_string(),
                url: url.to_string(),
                message: format!(
                    "the module is {} bytes, over the limit of {limit} bytes (raise \"max_module_size\" in mlpy.json)",
                    bytes.len()
                ),
            });
        }
        let (minisig, signed_by) = self
            .context
            .check_signature(&bytes, response.signature.as_deref(), signed)
            .map_err(|error| ResolveError::Integrity {
                module: module.to_string(),
                url: url.to_string(),
                message: error.to_string(),
            })?;
        let store_url = self.store_url(&url);
        let meta = EntryMeta {
            version: 1,
            url: store_url.to_string(),
            final_url: url.to_string(),
            fetched_at: now(),
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            sig: None,
            minisig,
            signed_by,
        };
        let package = response.package.unwrap_or(false);
        match self
            .context
            .admit_as(module, url.as_str(), &store_url, &bytes, meta)
        {
            Obtained::Found(path) => {
                self.write_index(
                    scheme,
                    &IndexEntry {
                        request: key.to_string(),
                        url: url.to_string(),
                        cacheable: response.cacheable.unwrap_or(true),
                        package,
                    },
                );
                Ok(RemoteContext::located(&url, path, package))
            }
            Obtained::Failed(e) => Err(e),
            Obtained::Missing | Obtained::NotCached => Err(ResolveError::NotFound {
                module: module.to_string(),
                searched: vec![url.to_string()],
                suggestions: Vec::new(),
                hint: None,
            }),
        }
    }
}

impl ImportProtocol for PluginProtocol {
    fn name(&self) -> &str {
        "plugin"
    }

    fn can_resolve(&self, request: &ImportRequest<'_>) -> bool {
        scheme_of(request).is_some()
    }

    fn validate_access(&self, request: &ImportRequest<'_>) -> Result<(), ResolveError> {
        let Some(scheme) = scheme_of(request) else {
            return Ok(());
        };
        if plugin_granted(&self.context.config().capabilities, &scheme) {
            return Ok(());
        }
        // A scheme nothing serves (a typo, a plugin not installed) says so first: granting
        // a capability would not help.
        self.executable(&request.spec.to_string(), &scheme)?;
        let url = match (request.spec, request.source) {
            (ImportSpec::Url(url), _) => url.clone(),
            (_, Some(source)) => source.location.clone(),
            _ => request.spec.to_string(),
        };
        Err(ResolveError::CapabilityRequired {
            module: request.spec.to_string(),
            url,
            capability: format!("plugin.{scheme}"),
        })
    }

    fn resolve(&self, request: &ImportRequest<'_>) -> Result<Located, ResolveError> {
        let Some(scheme) = scheme_of(request) else {
            return Err(ResolveError::Protocol {
                module: request.spec.to_string(),
                message: "not a plugin scheme".to_string(),
            });
        };
        self.validate_access(request)?;
        let plugin_request = self.build_request(&scheme, request)?;
        let key = PluginProtocol::request_key(&plugin_request);
        let memo_key = format!(
            "{key}|{:?}|{:?}|{:?}",
            request.options, plugin_request.cache_policy, plugin_request.credentials
        );
        let cell = self
            .memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(memo_key)
            .or_default()
            .clone();
        cell.get_or_init(|| self.resolve_now(&scheme, request, &plugin_request, &key))
            .clone()
    }

    fn clear_memo(&self) {
        self.memo.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.context.clear_run();
    }
}
