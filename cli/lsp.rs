//! `mlpy lsp`: the language server, over standard input and output.

use crate::{Context, Outcome};
use clap::Args;

#[derive(Args)]
pub(crate) struct LspArgs {
    /// Speak LSP over standard input and output (the only transport; accepted because
    /// editors pass it).
    #[arg(long)]
    stdio: bool,

    /// Enable the `mlpy/debug/*` requests (document text, flush) used by tests.
    #[arg(long, hide = true)]
    debug_requests: bool,
}

pub(crate) fn run(_cx: &Context, args: LspArgs) -> anyhow::Result<Outcome> {
    let _ = args.stdio;
    // A long session should hold what it uses, not what it once used: freed memory goes
    // back to the system at once (with mimalloc's default delay a session of random
    // edits grew by 20 MiB while its heap stayed at 3 MB), and after a large check the
    // engine collects what is left (23 MiB after the first check of 10,000 modules).
    crate::alloc::purge_freed_memory_after(Some(0));
    mlpy_server::run_stdio(mlpy_server::Options {
        debug_requests: args.debug_requests,
        release_memory: Some(crate::alloc::release_freed_memory),
    })?;
    Ok(Outcome::Success)
}
