//! The LSP methods. Notifications change the state synchronously (in the order they
//! arrive) and hand diagnostics work to the engine; requests are answered on blocking
//! threads from the current state, never waiting for diagnostics.

use crate::document::Document;
use crate::engine::{Engine, Msg};
use crate::pull::Pull;
use crate::tokens::TokenResults;
use crate::world::{canonical, is_config_file, is_module_file, Settings, World};
use crate::{commands, handlers, Options};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

pub(crate) const EMIT_PYTHON: &str = "mlpy.emitPython";
pub(crate) const SHOW_MODULE_GRAPH: &str = "mlpy.showModuleGraph";
pub(crate) const FETCH_MODULES: &str = "mlpy.fetchModules";
pub(crate) const RUN_TEST: &str = "mlpy.runTest";

/// How long the server waits for the client's `workspace/configuration` answer.
const CONFIGURATION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A request that took this long may have freed a lot of memory when it ended.
const LARGE_REQUEST: std::time::Duration = std::time::Duration::from_millis(20);

pub struct Backend {
    client: Client,
    world: Arc<World>,
    engine: Engine,
    options: Options,
    /// Whether the client applies `CreateFile` operations in workspace edits.
    create_files: OnceLock<bool>,
    watch_files: OnceLock<bool>,
    /// The module cache's parse count when `mlpy/debug/parseCount` last answered.
    parses_reported: std::sync::Mutex<u64>,
    /// The last semantic tokens of each document (`semanticTokens/full/delta`).
    tokens: TokenResults,
    /// Every diagnostics list the engine produced (pull diagnostics), and the pull mode.
    pull: Arc<Pull>,
    /// What the client can do, from `initialize`.
    client_features: OnceLock<ClientFeatures>,
}

/// What the client said it supports, for the requests the server sends it.
#[derive(Debug, Clone, Copy, Default)]
struct ClientFeatures {
    /// `workspace/configuration`.
    configuration: bool,
    /// `workspace/didChangeConfiguration` registered dynamically.
    configuration_registration: bool,
    /// `workspace/inlayHint/refresh`.
    inlay_hint_refresh: bool,
}

pub(crate) fn service(options: Options) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(move |client| Backend::new(client, options.clone()))
        .custom_method("mlpy/debug/documentText", Backend::debug_document_text)
        .custom_method("mlpy/debug/flush", Backend::debug_flush)
        .custom_method("mlpy/debug/parseCount", Backend::debug_parse_count)
        .custom_method(crate::framing::PARSE_ERROR_METHOD, Backend::parse_error)
        .custom_method(
            crate::framing::INVALID_REQUEST_METHOD,
            Backend::invalid_request,
        )
        .custom_method(crate::framing::FRAMING_ERROR_METHOD, Backend::framing_error)
        .custom_method(
            crate::framing::DOLLAR_REQUEST_METHOD,
            Backend::dollar_request,
        )
        .finish()
}

/// `mlpy/debug/flushed`: sent when `mlpy/debug/flush` is answered, after every
/// diagnostics notification of the checks it waited for.
enum Flushed {}

impl notification::Notification for Flushed {
    type Params = Value;
    const METHOD: &'static str = "mlpy/debug/flushed";
}

#[derive(serde::Deserialize)]
struct FramingErrorParams {
    message: String,
}

#[derive(serde::Deserialize)]
struct DollarRequestParams {
    method: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocumentTextParams {
    text_document: TextDocumentIdentifier,
}

fn log_to(client: &Client, message: String) {
    eprintln!("mlpy lsp: {message}");
    let client = client.clone();
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move { client.log_message(MessageType::LOG, message).await });
    }
}

impl Backend {
    fn new(client: Client, options: Options) -> Backend {
        let world = Arc::new(World::new(Settings {
            workspace_diagnostics: true,
            debug_requests: options.debug_requests,
            dependents_delay_ms: 50,
            ..Settings::default()
        }));
        let handle = tokio::runtime::Handle::current();
        let sink_client = client.clone();
        let sink_handle = handle.clone();
        let pull = Arc::new(Pull::default());
        let sink_pull = pull.clone();
        let sink_world = world.clone();
        // Files whose last pushed list was not empty.
        let sink_shown: std::sync::Mutex<std::collections::HashSet<Uri>> = Default::default();
        let sink: crate::engine::Sink = Arc::new(move |uri, diagnostics, version| {
            // A client that pulls gets no push: every list is kept for its requests. A
            // client that is pushed to may still pull an open document's (the same list);
            // the lists of the workspace's other modules are not kept for it (10,000
            // modules: 4 MiB).
            if sink_pull.enabled() {
                if sink_pull.published.record(&uri, &diagnostics, version) {
                    sink_pull.refresh_soon(&sink_handle, &sink_client);
                }
                return;
            }
            // Whether the client may show diagnostics of this file: its last list was
            // not empty.
            let shown = {
                let mut shown = sink_shown.lock().unwrap_or_else(|p| p.into_inner());
                if diagnostics.is_empty() {
                    shown.remove(&uri)
                } else {
                    shown.insert(uri.clone());
                    true
                }
            };
            if sink_world.is_open_uri(&uri) {
                sink_pull.published.record(&uri, &diagnostics, version);
            } else {
                sink_pull.published.forget(&uri);
                // A file the client shows no diagnostics of and has not open needs no
                // empty list (as rust-analyzer: most of a large workspace has nothing
                // to report, and 10,000 empty messages were a fifth of the first
                // check); one that had some gets its empty list, which clears them.
                if !shown {
                    return;
                }
            }
            sink_handle.block_on(sink_client.publish_diagnostics(uri, diagnostics, version));
        });
        let log_client = client.clone();
        let log: crate::engine::Log = Arc::new(move |message: String| {
            eprintln!("mlpy lsp: {message}");
            let client = log_client.clone();
            handle.spawn(async move { client.log_message(MessageType::LOG, message).await });
        });
        let engine = Engine::start_with(world.clone(), sink, log, options.release_memory);
        Backend {
            client,
            world,
            engine,
            options,
            create_files: OnceLock::new(),
            watch_files: OnceLock::new(),
            parses_reported: std::sync::Mutex::new(0),
            tokens: TokenResults::default(),
            pull,
            client_features: OnceLock::new(),
        }
    }

    fn features(&self) -> ClientFeatures {
        self.client_features.get().copied().unwrap_or_default()
    }

    /// Waits (at most a few seconds) until the engine has checked everything queued: a
    /// pull right after an edit gets the diagnostics of that edit.
    async fn settle(&self) {
        let (tx, rx) = std::sync::mpsc::channel();
        self.engine.send(Msg::Flush(tx));
        let wait = std::time::Duration::from_secs(10);
        let _ = tokio::task::spawn_blocking(move || rx.recv_timeout(wait)).await;
    }

    /// Reads the `mlpy` section of the client's configuration (`workspace/configuration`),
    /// for clients that keep settings there rather than in `initializationOptions`.
    async fn pull_configuration(&self) {
        if !self.features().configuration {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("mlpy".into()),
        };
        // A client that never answers must not hold up the first check.
        let asked = self.client.configuration(vec![item]);
        let Ok(Ok(values)) = tokio::time::timeout(CONFIGURATION_WAIT, asked).await else {
            return;
        };
        if let Some(value) = values.first().filter(|v| v.is_object()) {
            let settings = self.settings_from(Some(value), self.world.settings());
            self.world.set_settings(settings);
        }
    }

    /// Asks to hear about changes of the `mlpy` settings (VS Code then sends them).
    async fn register_configuration(&self) {
        if !self.features().configuration_registration {
            return;
        }
        let registration = Registration {
            id: "mlpy-configuration".into(),
            method: "workspace/didChangeConfiguration".into(),
            register_options: Some(json!({ "section": "mlpy" })),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            self.log(format!("could not register for configuration changes: {e}"));
        }
    }

    fn log(&self, message: impl Into<String>) {
        log_to(&self.client, message.into());
    }

    /// `mlpy.runTest URI NAME`: runs the test, shows a line saying how it went (the
    /// details in the log) and answers with the report.
    async fn run_test(&self, arguments: Vec<Value>) -> Result<Option<Value>> {
        let invalid = |message: String| Err(Error::invalid_params(message));
        let Some(runner) = self.options.test_runner.clone() else {
            return Err(Error::method_not_found());
        };
        let uri = arguments
            .first()
            .and_then(Value::as_str)
            .map(str::parse::<Uri>);
        let name = arguments.get(1).and_then(Value::as_str).map(str::to_string);
        let (Some(Ok(uri)), Some(name)) = (uri, name) else {
            return invalid(format!("{RUN_TEST} expects a document URI and a test name"));
        };
        let Some(path) = World::path_of(&uri) else {
            return invalid(format!("'{}' is not a file", uri.as_str()));
        };
        let result =
            tokio::task::spawn_blocking(move || crate::run_test::run_test(&runner, &path, &name))
                .await
                .unwrap_or_else(|_| Err("the test run failed".into()));
        match result {
            Ok(run) => {
                if !run.details.is_empty() {
                    self.log(format!("{}\n{}", run.message, run.details));
                }
                let kind = if run.passed {
                    MessageType::INFO
                } else {
                    MessageType::ERROR
                };
                self.client
                    .show_message(kind, format!("mlpy: {}", run.message))
                    .await;
                Ok(Some(run.to_json()))
            }
            Err(message) => {
                self.client
                    .show_message(MessageType::ERROR, format!("mlpy: {message}"))
                    .await;
                Err(Error {
                    code: ErrorCode::InternalError,
                    message: message.into(),
                    data: None,
                })
            }
        }
    }

    /// Runs `f` on a blocking thread; a panic becomes an internal error, never a crash.
    async fn blocking<T, F>(&self, what: &'static str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&World) -> T + Send + 'static,
    {
        let world = self.world.clone();
        let release = self.options.release_memory;
        let task = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| f(&world)));
            // A large request (renaming a folder of modules, references across the
            // workspace) frees what it built on this thread: give it back now, not
            // whenever this thread next allocates.
            if let Some(release) = release.filter(|_| started.elapsed() >= LARGE_REQUEST) {
                release();
            }
            result
        });
        match task.await {
            Ok(Ok(value)) => Ok(value),
            _ => {
                self.log(format!("internal error in {what}"));
                Err(Error {
                    code: ErrorCode::InternalError,
                    message: format!("mlpy: internal error in {what}").into(),
                    data: None,
                })
            }
        }
    }

    async fn debug_document_text(&self, params: DocumentTextParams) -> Result<Value> {
        if !self.world.settings().debug_requests {
            return Err(Error::method_not_found());
        }
        match self.world.doc_text(&params.text_document.uri) {
            Some((text, version)) => Ok(json!({"text": &*text, "version": version})),
            None => Ok(Value::Null),
        }
    }

    async fn parse_error(&self) -> Result<Value> {
        self.log("a message that is not JSON was received");
        Err(Error::parse_error())
    }

    async fn invalid_request(&self) -> Result<Value> {
        self.log("a message that is not JSON-RPC was received");
        Err(Error::invalid_request())
    }

    /// The input stream broke (see `framing`): the answer carries why; the server then
    /// stops.
    async fn framing_error(&self, params: FramingErrorParams) -> Result<Value> {
        Err(Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InvalidRequest,
            message: params.message.into(),
            data: None,
        })
    }

    /// A request whose method starts with `$/` (see `framing`): none is known.
    async fn dollar_request(&self, params: DollarRequestParams) -> Result<Value> {
        Err(Error {
            code: ErrorCode::MethodNotFound,
            message: format!("unknown method '{}'", params.method).into(),
            data: None,
        })
    }

    async fn debug_flush(&self) -> Result<Value> {
        if !self.world.settings().debug_requests {
            return Err(Error::method_not_found());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        self.engine.send(Msg::Flush(tx));
        let _ = tokio::task::spawn_blocking(move || rx.recv()).await;
        // Responses and the server's notifications reach the output by two queues, merged
        // in no set order: the diagnostics published just before this answer may be
        // written after it. A notification behind them in their own queue is not.
        self.client.send_notification::<Flushed>(Value::Null).await;
        Ok(Value::Null)
    }

    /// How many modules were parsed (module cache misses) since the previous call:
    /// an edit should cost one, whatever imports the edited module.
    async fn debug_parse_count(&self) -> Result<Value> {
        if !self.world.settings().debug_requests {
            return Err(Error::method_not_found());
        }
        let stats = self.world.cache.stats();
        let mut reported = self
            .parses_reported
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let parsed = stats.misses - *reported;
        *reported = stats.misses;
        Ok(json!({
            "parsed": parsed,
            "totalParsed": stats.misses,
            "hits": stats.hits,
            "cached": self.world.cache.len(),
        }))
    }

    fn settings_from(&self, value: Option<&Value>, base: Settings) -> Settings {
        let mut settings = base;
        let Some(value) = value else {
            return settings;
        };
        // Either the settings themselves or `{ "mlpy": { … } }`.
        let value = value.get("mlpy").unwrap_or(value);
        // `null` gives a setting back to mlpy.json.
        if value.get("importPaths").is_some_and(Value::is_null) {
            settings.overrides.import_paths = None;
        }
        if value.get("stdlibMode").is_some_and(Value::is_null) {
            settings.overrides.stdlib_mode = None;
        }
        if let Some(paths) = value.get("importPaths").and_then(Value::as_array) {
            settings.overrides.import_paths = Some(
                paths
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|p| {
                        let p = PathBuf::from(p);
                        match (p.is_absolute(), self.world.roots().first()) {
                            (false, Some(root)) => root.join(p),
                            _ => p,
                        }
                    })
                    .collect(),
            );
        }
        if let Some(allow) = value.get("allowCurrentDir").and_then(Value::as_bool) {
            settings.overrides.allow_current_dir = allow;
        }
        if let Some(mode) = value.get("stdlibMode").and_then(Value::as_str) {
            settings.overrides.stdlib_mode = match mode {
                "python" => Some(mlpy_modules::StdlibMode::Python),
                _ => Some(mlpy_modules::StdlibMode::Native),
            };
        }
        if let Some(caps) = value.get("capabilities").and_then(Value::as_array) {
            settings.overrides.capabilities = caps
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect();
        }
        if let Some(scope) = value.get("diagnostics").and_then(Value::as_str) {
            settings.workspace_diagnostics = scope != "openFiles";
        }
        if let Some(ms) = value.get("dependentsDelayMs").and_then(Value::as_u64) {
            settings.dependents_delay_ms = ms.min(5_000);
        }
        if let Some(debug) = value.get("debugRequests").and_then(Value::as_bool) {
            settings.debug_requests = debug || self.options.debug_requests;
        }
        // `{"inlayHints": {"parameterNames": …}}`, or the flat `"inlayHints.parameterNames"`.
        let parameter_names = value
            .get("inlayHints")
            .and_then(|h| h.get("parameterNames"))
            .or_else(|| value.get("inlayHints.parameterNames"));
        if let Some(hints) = parameter_names.and_then(parameter_hints) {
            settings.inlay_hints.parameter_names = hints;
        }
        settings
    }

    /// Diagnostics of a document that is not a file (`untitled:`): its syntax only.
    async fn publish_detached(&self, uri: Uri) {
        let Some((text, version)) = self.world.doc_text(&uri) else {
            return;
        };
        let parse = mlpy_syntax::parse(&text);
        let lines = crate::convert::Lines::new(&text);
        let path = std::path::Path::new("untitled");
        let list: Vec<Diagnostic> = parse
            .errors()
            .iter()
            .map(|e| {
                let d = mlpy_modules::Diagnostic::from_syntax(path, e);
                crate::convert::diagnostic(&d, &lines, &mut |_| None, &uri, path)
            })
            .collect();
        self.pull.published.record(&uri, &list, Some(version));
        if self.pull.enabled() {
            return;
        }
        self.client
            .publish_diagnostics(uri, list, Some(version))
            .await;
    }

    /// A module file is gone. Its importers keep their entries (their texts did not
    /// change): the caller checks them again.
    fn module_deleted(&self, path: PathBuf) {
        self.world.cache.forget(&path);
        self.world.remove_file(&path);
        if !self.world.is_open(&path) {
            self.engine.send(Msg::Clear(path));
        }
    }

    /// A watched path that is not a module file: a folder created or deleted (`rm -r`,
    /// `mv`, `git checkout`) comes as one event for the folder and none for the files in
    /// it (VS Code folds them so by design). Its module files join or leave the
    /// workspace. Whether any did (everything is then checked again).
    fn folder_changed(&self, path: &std::path::Path, typ: FileChangeType) -> bool {
        let changed = match typ {
            FileChangeType::DELETED => self.world.files_under(path),
            FileChangeType::CREATED if path.is_dir() && self.world.walks_into(path) => {
                mlpy_modules::workspace::ml_sources(path, crate::world::MAX_WORKSPACE_FILES)
            }
            _ => Vec::new(),
        };
        if changed.is_empty() {
            return false;
        }
        for file in changed {
            match typ {
                FileChangeType::DELETED => self.module_deleted(file),
                _ => self.world.add_file(&canonical(&file)),
            }
        }
        true
    }

    async fn register_watchers(&self) {
        let watchers = vec![
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.ml".into()),
                kind: None,
            },
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/mlpy.json".into()),
                kind: None,
            },
            // Folders created or deleted: their module files come with no event of their
            // own (`folder_changed`). No glob names folders only; other files' events
            // are ignored.
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*".into()),
                kind: Some(WatchKind::Create | WatchKind::Delete),
            },
        ];
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "mlpy-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            self.log(format!("could not register file watchers: {e}"));
        }
    }
}

fn roots_of(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for folder in params.workspace_folders.iter().flatten() {
        if let Some(p) = World::path_of(&folder.uri) {
            roots.push(p);
        }
    }
    #[allow(deprecated)]
    if roots.is_empty() {
        if let Some(p) = params.root_uri.as_ref().and_then(World::path_of) {
            roots.push(p);
        } else if let Some(p) = &params.root_path {
            roots.push(canonical(std::path::Path::new(p)));
        }
    }
    roots
}

pub(crate) fn semantic_tokens_legend() -> SemanticTokensLegend {
    crate::to_lsp::semantic_tokens_legend()
}

/// `true`/`"all"`, `"literals"`, `false`/`"none"`.
fn parameter_hints(value: &Value) -> Option<mlpy_analysis::ide::ParameterHints> {
    use mlpy_analysis::ide::ParameterHints;
    match value {
        Value::Bool(true) => Some(ParameterHints::All),
        Value::Bool(false) => Some(ParameterHints::None),
        Value::String(s) => match s.as_str() {
            "all" => Some(ParameterHints::All),
            "literals" => Some(ParameterHints::Literals),
            "none" => Some(ParameterHints::None),
            _ => None,
        },
        _ => None,
    }
}

/// The file operations the server wants to hear about: `.ml` files and folders (a
/// folder may be a package, or hold modules).
fn module_file_operations() -> FileOperationRegistrationOptions {
    let filter = |glob: &str, matches: FileOperationPatternKind| FileOperationFilter {
        scheme: Some("file".into()),
        pattern: FileOperationPattern {
            glob: glob.into(),
            matches: Some(matches),
            options: None,
        },
    };
    FileOperationRegistrationOptions {
        filters: vec![
            filter("**/*.ml", FileOperationPatternKind::File),
            filter("**", FileOperationPatternKind::Folder),
        ],
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.world.set_roots(roots_of(&params));
        let settings = self.settings_from(
            params.initialization_options.as_ref(),
            self.world.settings(),
        );
        self.world.set_settings(settings);
        let workspace = params.capabilities.workspace.as_ref();
        let _ = self.watch_files.set(
            workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
        );
        let _ = self.create_files.set(
            workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        );
        let _ = self.client_features.set(ClientFeatures {
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            configuration_registration: workspace
                .and_then(|w| w.did_change_configuration.as_ref())
                .and_then(|c| c.dynamic_registration)
                .unwrap_or(false),
            inlay_hint_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|h| h.refresh_support)
                .unwrap_or(false),
        });
        // Pull diagnostics when the client asks for them and can pull: then nothing is
        // pushed (a client doing both would show every diagnostic twice).
        let wants_pull = params
            .initialization_options
            .as_ref()
            .map(|o| o.get("mlpy").unwrap_or(o))
            .and_then(|o| o.get("pullDiagnostics"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let can_pull = params
            .capabilities
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some());
        let refresh = workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        self.pull.set_mode(wants_pull && can_pull, refresh);
        // The workspace scan starts now; requests that need every module wait for it.
        let world = self.world.clone();
        let client = self.client.clone();
        tokio::task::spawn_blocking(move || {
            let n = world.scan();
            log_to(&client, format!("{n} module files in {:?}", world.roots()));
        });
        let capabilities = ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into()]),
                ..Default::default()
            }),
            signature_help_provider: Some(SignatureHelpOptions {
                trigger_characters: Some(vec!["(".into(), ",".into()]),
                retrigger_characters: None,
                work_done_progress_options: Default::default(),
            }),
            inlay_hint_provider: Some(OneOf::Left(true)),
            document_highlight_provider: Some(OneOf::Left(true)),
            call_hierarchy_provider: Some(CallHierarchyServerCapability::Simple(true)),
            diagnostic_provider: self.pull.enabled().then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("mlpy".into()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: true,
                    work_done_progress_options: Default::default(),
                })
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            document_link_provider: Some(DocumentLinkOptions {
                resolve_provider: Some(false),
                work_done_progress_options: Default::default(),
            }),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: semantic_tokens_legend(),
                    full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                    range: Some(true),
                    ..Default::default()
                }),
            ),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            document_range_formatting_provider: Some(OneOf::Left(true)),
            selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            code_lens_provider: self
                .options
                .test_runner
                .is_some()
                .then_some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: [EMIT_PYTHON, SHOW_MODULE_GRAPH, FETCH_MODULES]
                    .into_iter()
                    .chain(self.options.test_runner.is_some().then_some(RUN_TEST))
                    .map(String::from)
                    .collect(),
                ..Default::default()
            }),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                    will_rename: Some(module_file_operations()),
                    did_rename: Some(module_file_operations()),
                    ..Default::default()
                }),
            }),
            ..Default::default()
        };
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "mlpy".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Settings the client keeps in its configuration, before the first check (a
        // client that does not answer is waited for a few seconds, not forever).
        self.pull_configuration().await;
        // Diagnostics may only be published now (after the `initialize` response); the
        // registrations after this do not change them, and a client slow to answer
        // them must not delay them.
        self.engine.send(Msg::All);
        self.register_configuration().await;
        if self.watch_files.get().copied().unwrap_or(false) {
            self.register_watchers().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.engine.send(Msg::Stop);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let doc = Document::new(&item.text, item.version, item.language_id);
        match self.world.open(item.uri.clone(), doc) {
            // A cached remote module gets no diagnostics of its own (as in its importers'
            // graphs): only navigation.
            Some(path) if crate::host::is_remote_cache_file(&path) => {}
            // A new module not saved yet: imports of it resolve from now on (the
            // resolvers find the editor's unsaved modules), as when a module file is
            // created.
            Some(path) if is_module_file(&path) && !path.exists() => {
                self.world.forget_projects();
                self.engine.send(Msg::Changed(path));
                self.engine.send(Msg::All);
            }
            Some(path) => self.engine.send(Msg::Changed(path)),
            None => {
                if item.uri.scheme().as_str().eq_ignore_ascii_case("file") {
                    self.log(format!(
                        "{} is not a file of this machine (its host is not localhost): it is checked as a document that is not a file",
                        item.uri.as_str()
                    ));
                }
                self.publish_detached(item.uri).await
            }
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        match self
            .world
            .change(&uri, params.content_changes, params.text_document.version)
        {
            Some(Some(path)) => self.engine.send(Msg::Changed(path)),
            Some(None) => self.publish_detached(uri).await,
            None => self.log(format!(
                "didChange for {} which is not open: ignored",
                uri.as_str()
            )),
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.tokens.forget(&uri);
        let Some(open) = self.world.close(&uri) else {
            return;
        };
        match open.path {
            Some(path) => {
                // An unsaved module closed: gone, as a deleted file (the resolvers'
                // answers that found it go with the projects).
                if is_module_file(&path) && !path.exists() {
                    self.world.forget_projects();
                    self.world.remove_file(&path);
                }
                let dependents = self.world.cache.dependents_of(&path);
                let keep = self.world.settings().workspace_diagnostics
                    && self.world.is_workspace_file(&path)
                    && path.is_file();
                if keep {
                    let mut dirty = dependents;
                    dirty.push(path);
                    self.engine.send(Msg::Dirty(dirty));
                } else {
                    self.engine.send(Msg::Clear(path));
                    self.engine.send(Msg::Dirty(dependents));
                }
            }
            None => self.client.publish_diagnostics(uri, Vec::new(), None).await,
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut everything = false;
        let mut dirty = Vec::new();
        for change in params.changes {
            // Only files of this machine (not `file://otherhost/…`).
            let Some(path) = World::path_of(&change.uri) else {
                continue;
            };
            if is_config_file(&path) {
                if change.typ == FileChangeType::DELETED {
                    self.engine.send(Msg::Clear(path));
                }
                everything = true;
                continue;
            }
            if !is_module_file(&path) {
                everything |= self.folder_changed(&path, change.typ);
                continue;
            }
            match change.typ {
                FileChangeType::CREATED => {
                    self.world.add_file(&path);
                    everything = true;
                }
                FileChangeType::DELETED => {
                    self.module_deleted(path);
                    everything = true;
                }
                _ => {
                    if !self.world.is_open(&path) {
                        dirty.extend(self.world.cache.dependents_of(&path));
                        dirty.push(path);
                    }
                }
            }
        }
        if everything {
            self.world.forget_projects();
            self.engine.send(Msg::All);
        } else if !dirty.is_empty() {
            self.engine.send(Msg::Dirty(dirty));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // `null` (or nothing of ours): the client says "ask me" (`workspace/configuration`).
        if params.settings.is_object() && params.settings != json!({}) {
            let settings = self.settings_from(Some(&params.settings), self.world.settings());
            self.world.set_settings(settings);
        } else {
            self.pull_configuration().await;
        }
        self.engine.send(Msg::All);
        if self.features().inlay_hint_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut roots = self.world.roots();
        for removed in &params.event.removed {
            if let Some(p) = World::path_of(&removed.uri) {
                roots.retain(|r| *r != p);
            }
        }
        for added in &params.event.added {
            if let Some(p) = World::path_of(&added.uri) {
                roots.push(p);
            }
        }
        self.world.set_roots(roots);
        let engine = self.engine.clone();
        let world = self.world.clone();
        tokio::task::spawn_blocking(move || {
            world.scan();
            engine.send(Msg::All);
        });
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.blocking("hover", move |w| {
            handlers::hover(w, &p.text_document.uri, p.position)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.blocking("definition", move |w| {
            handlers::definition(w, &p.text_document.uri, p.position)
                .map(GotoDefinitionResponse::Array)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        self.blocking("references", move |w| {
            handlers::references(w, &p.text_document.uri, p.position, include)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let result = self
            .blocking("prepareRename", move |w| {
                handlers::prepare_rename(w, &params.text_document.uri, params.position)
            })
            .await?;
        match result {
            Ok(answer) => Ok(answer),
            Err(message) => Err(Error::invalid_params(message)),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let result = self
            .blocking("rename", move |w| {
                handlers::rename(w, &p.text_document.uri, p.position, &new_name)
            })
            .await?;
        match result {
            Ok(edit) => Ok(edit),
            Err(message) => Err(Error::invalid_params(message)),
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.blocking("completion", move |w| {
            handlers::completion(w, &p.text_document.uri, p.position)
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.blocking("documentSymbol", move |w| {
            handlers::document_symbols(w, &params.text_document.uri)
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.blocking("workspaceSymbol", move |w| {
            Some(WorkspaceSymbolResponse::Nested(
                handlers::workspace_symbols(w, &params.query),
            ))
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.blocking("documentLink", move |w| {
            handlers::document_links(w, &params.text_document.uri)
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri.clone();
        let tokens = self
            .blocking("semanticTokens", move |w| {
                handlers::semantic_tokens(w, &params.text_document.uri)
            })
            .await?;
        Ok(tokens.map(|t| SemanticTokensResult::Tokens(self.tokens.full(&uri, t))))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri.clone();
        let tokens = self
            .blocking("semanticTokens/full/delta", move |w| {
                handlers::semantic_tokens(w, &params.text_document.uri)
            })
            .await?;
        Ok(tokens.map(|t| self.tokens.delta(&uri, &params.previous_result_id, t)))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        self.blocking("semanticTokens/range", move |w| {
            handlers::semantic_tokens_range(w, &params.text_document.uri, params.range)
                .map(SemanticTokensRangeResult::Tokens)
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let p = params.text_document_position_params;
        self.blocking("signatureHelp", move |w| {
            handlers::signature_help(w, &p.text_document.uri, p.position)
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.blocking("inlayHint", move |w| {
            handlers::inlay_hints(w, &params.text_document.uri, Some(params.range))
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.blocking("documentHighlight", move |w| {
            handlers::document_highlight(w, &p.text_document.uri, p.position)
        })
        .await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        let p = params.text_document_position_params;
        self.blocking("prepareCallHierarchy", move |w| {
            handlers::prepare_call_hierarchy(w, &p.text_document.uri, p.position)
        })
        .await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        self.blocking("callHierarchy/incomingCalls", move |w| {
            handlers::incoming_calls(w, &params.item)
        })
        .await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        self.blocking("callHierarchy/outgoingCalls", move |w| {
            handlers::outgoing_calls(w, &params.item)
        })
        .await
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        self.blocking("willRenameFiles", move |w| {
            handlers::will_rename_files(w, &params.files)
        })
        .await
    }

    /// Files or folders moved: the workspace's file list, the caches and the resolvers
    /// learn it, and everything is checked again (as for files deleted and created).
    async fn did_rename_files(&self, params: RenameFilesParams) {
        for rename in &params.files {
            let parse = |u: &str| u.parse::<Uri>().ok();
            let (Some(old_uri), Some(new_uri)) = (parse(&rename.old_uri), parse(&rename.new_uri))
            else {
                continue;
            };
            let (Some(old), Some(new)) = (World::path_of(&old_uri), World::path_of(&new_uri))
            else {
                continue;
            };
            let gone: Vec<PathBuf> = self
                .world
                .files()
                .into_iter()
                .filter(|f| f.starts_with(&old))
                .collect();
            for path in gone {
                self.world.cache.forget(&path);
                self.world.remove_file(&path);
                if let Some(uri) = self.world.uri_of(&path) {
                    self.pull.published.forget(&uri);
                }
                if !self.world.is_open(&path) {
                    self.engine.send(Msg::Clear(path));
                }
            }
            let added = match new.is_dir() {
                true => {
                    mlpy_modules::workspace::ml_sources(&new, crate::world::MAX_WORKSPACE_FILES)
                }
                false => vec![new],
            };
            for path in added {
                self.world.add_file(&canonical(&path));
            }
        }
        self.world.forget_projects();
        self.engine.send(Msg::All);
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.settle().await;
        let report = self.pull.published.document(
            &params.text_document.uri,
            params.previous_result_id.as_deref(),
        );
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.settle().await;
        let report = self.pull.published.workspace(&params.previous_result_ids);
        Ok(WorkspaceDiagnosticReportResult::Report(report))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.blocking("formatting", move |w| {
            handlers::formatting(w, &params.text_document.uri)
        })
        .await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.blocking("rangeFormatting", move |w| {
            handlers::range_formatting(w, &params.text_document.uri, params.range)
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.blocking("foldingRange", move |w| {
            handlers::folding_ranges(w, &params.text_document.uri)
        })
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        self.blocking("selectionRange", move |w| {
            handlers::selection_ranges(w, &params.text_document.uri, &params.positions)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let create_files = self.create_files.get().copied().unwrap_or(false);
        self.blocking("codeAction", move |w| {
            handlers::code_actions(w, &params, create_files)
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        if self.options.test_runner.is_none() {
            return Ok(None);
        }
        self.blocking("codeLens", move |w| {
            handlers::code_lenses(w, &params.text_document.uri)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command == RUN_TEST {
            return self.run_test(params.arguments).await;
        }
        let command = params.command.clone();
        let fetch = command == FETCH_MODULES;
        let result = self
            .blocking("executeCommand", move |w| {
                commands::execute_command(w, &params.command, &params.arguments)
            })
            .await?;
        if fetch && result.is_ok() {
            // New files in the cache: resolve everything again.
            self.world.forget_projects();
            self.engine.send(Msg::All);
        }
        match result {
            Ok(value) => Ok(Some(value)),
            Err(message) => {
                self.log(format!("{command}: {message}"));
                Err(Error::invalid_params(message))
            }
        }
    }
}
