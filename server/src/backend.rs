//! The LSP methods. Notifications change the state synchronously (in the order they
//! arrive) and hand diagnostics work to the engine; requests are answered on blocking
//! threads from the current state, never waiting for diagnostics.

use crate::document::Document;
use crate::engine::{Engine, Msg};
use crate::world::{canonical, is_config_file, is_module_file, Settings, World};
use crate::{commands, handlers, Options};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

pub const EMIT_PYTHON: &str = "mlpy.emitPython";
pub const SHOW_MODULE_GRAPH: &str = "mlpy.showModuleGraph";
pub const FETCH_MODULES: &str = "mlpy.fetchModules";

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
}

pub fn service(options: Options) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
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
        .finish()
}

#[derive(serde::Deserialize)]
struct FramingErrorParams {
    message: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextParams {
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
        let sink: crate::engine::Sink = Arc::new(move |uri, diagnostics, version| {
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
        }
    }

    fn log(&self, message: impl Into<String>) {
        log_to(&self.client, message.into());
    }

    /// Runs `f` on a blocking thread; a panic becomes an internal error, never a crash.
    async fn blocking<T, F>(&self, what: &'static str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&World) -> T + Send + 'static,
    {
        let world = self.world.clone();
        let task =
            tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(|| f(&world))));
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

    async fn debug_flush(&self) -> Result<Value> {
        if !self.world.settings().debug_requests {
            return Err(Error::method_not_found());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        self.engine.send(Msg::Flush(tx));
        let _ = tokio::task::spawn_blocking(move || rx.recv()).await;
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
        self.client
            .publish_diagnostics(uri, list, Some(version))
            .await;
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

pub fn semantic_tokens_legend() -> SemanticTokensLegend {
    crate::to_lsp::semantic_tokens_legend()
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
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    range: Some(false),
                    ..Default::default()
                }),
            ),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![
                    EMIT_PYTHON.into(),
                    SHOW_MODULE_GRAPH.into(),
                    FETCH_MODULES.into(),
                ],
                ..Default::default()
            }),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
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
        // Diagnostics may only be published now (after the `initialize` response).
        self.engine.send(Msg::All);
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
        let Some(open) = self.world.close(&uri) else {
            return;
        };
        match open.path {
            Some(path) => {
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
                continue;
            }
            match change.typ {
                FileChangeType::CREATED => {
                    self.world.add_file(&path);
                    everything = true;
                }
                FileChangeType::DELETED => {
                    // Its importers keep their entries (their texts did not change);
                    // they are checked again below (`Msg::All`).
                    self.world.cache.forget(&path);
                    self.world.remove_file(&path);
                    if !self.world.is_open(&path) {
                        self.engine.send(Msg::Clear(path));
                    }
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
        let settings = self.settings_from(Some(&params.settings), self.world.settings());
        self.world.set_settings(settings);
        self.engine.send(Msg::All);
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
        self.blocking("semanticTokens", move |w| {
            handlers::semantic_tokens(w, &params.text_document.uri)
                .map(SemanticTokensResult::Tokens)
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

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
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
