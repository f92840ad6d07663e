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
    mlpy_allocator::avoid_huge_pages();
    let ending = mlpy_server::run_stdio(mlpy_server::Options {
        debug_requests: args.debug_requests,
        release_memory: Some(settle_memory),
        // This executable runs the tests of the "Run test" code lenses.
        test_runner: std::env::current_exe().ok(),
    })?;
    Ok(match ending {
        mlpy_server::Ending::Clean => Outcome::Success,
        // The LSP specification: exit status 1 when `exit` came without `shutdown`.
        mlpy_server::Ending::ExitWithoutShutdown => Outcome::ProgramErrors,
    })
}

/// Called by the diagnostics engine when it goes idle after checking (see
/// `mlpy_server::Options::release_memory`): gives back what is free, and from then on
/// gives freed memory back at once. A long session should hold what it uses, not what it
/// once used: with mimalloc's delayed purging a session of random edits grew by 20 MiB
/// while its heap stayed at 3 MB. Not from the start: during the first check of a large
/// workspace, purging at once cost about 10 % more CPU; after it, collecting gives back
/// 23 MiB (10,000 modules).
fn settle_memory() {
    mlpy_allocator::release_freed_memory();
    mlpy_allocator::purge_freed_memory_after(Some(0));
}
