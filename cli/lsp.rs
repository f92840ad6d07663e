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
    })?;
    Ok(Outcome::Success)
}
