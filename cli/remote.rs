//! Command-line settings of remote imports (shared by every command that loads a
//! program), and the progress bar of `mlpy fetch`.

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mlpy_remote::{parse_seconds, FetchProgress, Network, RemoteOptions};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Clone, Default, Debug)]
pub(crate) struct RemoteArgs {
    /// Never use the network: remote modules come from the cache only.
    #[arg(long, conflicts_with = "reload", help_heading = "Remote imports")]
    cached_only: bool,

    /// Fetch cached remote modules again (except those with cache policy force-cache).
    #[arg(long, help_heading = "Remote imports")]
    reload: bool,

    /// Fail instead of changing mlpy.lock (for CI).
    #[arg(long, help_heading = "Remote imports")]
    frozen: bool,

    /// Also trust the CA certificates in this PEM file (like MLPY_CA_FILE); repeatable.
    #[arg(long = "cert", value_name = "FILE", help_heading = "Remote imports")]
    certs: Vec<PathBuf>,

    /// Allow plain http:// for HOST (loopback hosts always may); repeatable.
    #[arg(
        long = "allow-insecure-http",
        value_name = "HOST",
        help_heading = "Remote imports"
    )]
    insecure_http: Vec<String>,

    /// Network timeout in seconds (like MLPY_HTTP_TIMEOUT; default 30).
    #[arg(
        long = "timeout",
        value_name = "SECONDS",
        help_heading = "Remote imports"
    )]
    timeout: Option<String>,
}

impl RemoteArgs {
    /// The options for this run: the environment, then these flags.
    pub(crate) fn options(&self) -> anyhow::Result<RemoteOptions> {
        let mut options = RemoteOptions::from_env();
        if let Ok(text) = std::env::var("MLPY_HTTP_TIMEOUT") {
            // Reported here: `from_env` falls back to the default on a bad value.
            parse_seconds(&text).map_err(|e| anyhow::anyhow!("MLPY_HTTP_TIMEOUT: {e}"))?;
        }
        if self.cached_only {
            options.network = Network::CachedOnly;
        }
        options.reload = self.reload;
        options.frozen = self.frozen;
        options.ca_files.extend(self.certs.iter().cloned());
        options
            .insecure_http_hosts
            .extend(self.insecure_http.iter().cloned());
        if let Some(text) = &self.timeout {
            options.timeout = parse_seconds(text).map_err(|e| anyhow::anyhow!("--timeout: {e}"))?;
            options.connect_timeout = options.timeout;
        }
        Ok(options)
    }
}

/// A progress bar on stderr (drawn only when stderr is a terminal).
pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub(crate) fn new() -> Arc<Progress> {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} fetching {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Arc::new(Progress { bar })
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl FetchProgress for Progress {
    fn started(&self, url: &str) {
        self.bar.inc_length(1);
        self.bar.set_message(url.to_string());
    }

    fn finished(&self, _url: &str, _bytes: Option<usize>) {
        self.bar.inc(1);
    }
}
