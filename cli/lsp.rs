//! `mlpy lsp`: the language server, over standard input and output.

use crate::{Context, Outcome};
use clap::Args;

#[derive(Args)]
pub struct LspArgs {
    /// Speak LSP over standard input and output (the only transport; accepted because
    /// editors pass it).
    #[arg(long)]
    stdio: bool,

    /// Enable the `mlpy/debug/*` requests (document text, flush) used by tests.
    #[arg(long, hide = true)]
    debug_requests: bool,
}

pub fn run(_cx: &Context, args: LspArgs) -> anyhow::Result<Outcome> {
    let _ = args.stdio;
    mlpy_server::run_stdio(mlpy_server::Options {
        debug_requests: args.debug_requests,
        release_memory: Some(release_memory),
    })?;
    Ok(Outcome::Success)
}

extern "C" {
    /// mimalloc's (the binary's global allocator, linked in by the `mimalloc` crate).
    fn mi_collect(force: bool);
}

/// Makes mimalloc return the pages a large check freed (its graph, its facts): without
/// it they stay in the process for a while, about 30 MiB after the first check of a
/// 10,000-module workspace.
fn release_memory() {
    // SAFETY: mi_collect takes no pointer and may be called from any thread at any time.
    unsafe { mi_collect(true) }
}
