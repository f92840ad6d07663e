//! The ML language server (`mlpy lsp`).
//!
//! * [`world`]: open documents (ropes, synced incrementally), projects (one per
//!   `mlpy.json`, each with the resolver the CLI uses), the workspace's module files and
//!   the shared module cache, where open documents are overlays;
//! * [`engine`]: diagnostics, computed on a worker thread off the message loop, with
//!   [`imports`] (the workspace's import graph and its cycles) and [`program`] (which
//!   programs hold each module, for the whole-program diagnostics);
//! * [`handlers`]: the requests the IDE layer answers (`mlpy_analysis::ide`: definition,
//!   references, rename, hover, completion, signature help, inlay hints, document
//!   highlight, call hierarchy, module moves, symbols, links, semantic tokens, folding and
//!   selection ranges, quick fixes), the world being its host ([`host`], which also
//!   analyses cached remote modules as their importers' project sees them) and its plain
//!   data turned into LSP types ([`to_lsp`], [`convert`]);
//! * [`tokens`]: semantic tokens by result id, for `semanticTokens/full/delta`;
//! * [`pull`]: the diagnostics the engine published, for pull diagnostics;
//! * [`commands`]: the `mlpy.*` commands (emit Python, the module graph, fetch);
//! * [`backend`]: the LSP methods, each answered from the current state without waiting
//!   for diagnostics.
//!
//! `docs/lsp.md` describes the protocol surface for editor authors.

mod backend;
pub mod commands;
pub mod convert;
pub mod document;
pub mod engine;
mod framing;
pub mod handlers;
pub mod host;
pub mod imports;
mod path_ids;
pub mod program;
pub mod pull;
pub mod run_test;
pub mod to_lsp;
pub mod tokens;
pub mod world;

pub use backend::Backend;
/// The LSP types the features take and return (for callers outside the server).
pub use tower_lsp_server::ls_types;

/// Options of `mlpy lsp`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Enables the `mlpy/debug/*` requests without `initializationOptions`.
    pub debug_requests: bool,
    /// Gives memory that is free but still held back to the system (the binary's
    /// allocator). Called when the diagnostics engine goes idle after checking many
    /// modules (a first check of a large workspace frees its graph and facts at once),
    /// at most once a second after smaller checks, and after a request that took long.
    pub release_memory: Option<fn()>,
    /// The `mlpy` executable that runs a test for the "Run test" code lenses (`mlpy
    /// test FILE --filter NAME --exact`); without it, no lenses are offered.
    pub test_runner: Option<std::path::PathBuf>,
}

/// How long the server may go on answering after its input ended.
const INPUT_END_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
/// How long it may take to stop after `exit` (it stops at once unless a handler is
/// still waiting for an answer from the client, which is no longer read).
const EXIT_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown`, or the client closed the stream.
    Clean,
    /// `exit` without `shutdown` first: the LSP specification's exit status is then 1.
    ExitWithoutShutdown,
}

/// Serves LSP over standard input and output until the client says `exit` or closes
/// the stream. An input stream that cannot be followed (a `Content-Length` over
/// [`framing::MAX_BODY`]) ends the server with an error.
pub fn run_stdio(options: Options) -> std::io::Result<Ending> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(8)
        .thread_name("mlpy-lsp")
        .enable_all()
        .build()?;
    // Why the input stream broke, set before the filter closes the server's input (so
    // it is there when the server sees the end of its input).
    let broken: std::sync::Arc<std::sync::Mutex<Option<String>>> = Default::default();
    let slot = broken.clone();
    let unclean_exit = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let unclean = unclean_exit.clone();
    runtime.block_on(async move {
        let (input, filtered) = tokio::io::duplex(1 << 16);
        let (ended, input_ended) = tokio::sync::oneshot::channel::<framing::InputEnd>();
        tokio::spawn(async move {
            let mut input = input;
            let end = match framing::filter(tokio::io::stdin(), &mut input, &unclean).await {
                Ok(end) => end,
                Err(message) => {
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
                    framing::InputEnd::Closed
                }
            };
            // Only now does the server see the end of its input.
            drop(input);
            let _ = ended.send(end);
        });
        let stdout = tokio::io::stdout();
        let (service, socket) = backend::service(options);
        let serve = tower_lsp_server::Server::new(filtered, stdout, socket)
            .concurrency_level(32)
            .serve(service);
        // Once the input has ended, the server gets a moment to answer what it has (the
        // framing error's answer among them), then stops: a handler still waiting for an
        // answer from the client, which can no longer come, must not keep it alive.
        let grace = async {
            let grace = match input_ended.await {
                Ok(framing::InputEnd::Exit) => EXIT_GRACE,
                _ => INPUT_END_GRACE,
            };
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            _ = serve => {}
            _ = grace => {}
        }
    });
    // Blocking tasks still running (a slow command) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    let broken = broken.lock().unwrap_or_else(|p| p.into_inner()).take();
    match broken {
        Some(message) => Err(std::io::Error::other(message)),
        None if unclean_exit.load(std::sync::atomic::Ordering::SeqCst) => {
            Ok(Ending::ExitWithoutShutdown)
        }
        None => Ok(Ending::Clean),
    }
}
