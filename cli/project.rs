//! Configuration flags shared by every command that loads a program, and loading it.

use clap::Args;
use mlpy_modules::config::{split_path_list, ConfigOverrides, JsonKey, ProjectConfig, StdlibMode};
use mlpy_modules::{ModuleCache, ModuleGraph, Resolver};
use mlpy_remote::{FetchProgress, RemoteContext, SetupError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Clone, Default)]
pub(crate) struct ConfigArgs {
    /// Folders to search for modules, separated by `:` (replaces "import_paths").
    #[arg(long, value_name = "PATHS")]
    import_paths: Option<String>,

    /// Also search the importing file's folder.
    #[arg(long)]
    allow_current_dir: bool,

    /// `native`: only the ML standard library; `python`: also whitelisted Python modules.
    #[arg(long, value_name = "MODE", value_parser = ["native", "python"])]
    stdlib_mode: Option<String>,

    /// Python modules to allow in `--stdlib-mode python`, separated by commas.
    #[arg(long, value_name = "MODULES", value_parser = python_modules)]
    allow_python_modules: Option<String>,

    /// Grant a capability (`file`, `file.read`, `env`, `network.https`, `git.clone`,
    /// `plugin.db`, …); repeatable or comma-separated.
    #[arg(long = "allow", value_name = "CAPABILITY", value_delimiter = ',')]
    capabilities: Vec<String>,

    /// Use this configuration file instead of looking for mlpy.json.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(flatten)]
    pub remote: crate::remote::RemoteArgs,
}

/// `--allow-python-modules`: names ML may ever import (the rule of `python_whitelist`).
fn python_modules(value: &str) -> Result<String, String> {
    for name in value.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        if let Some(problem) = mlpy_modules::config::python_module_problem(name) {
            return Err(problem);
        }
    }
    Ok(value.to_string())
}

impl ConfigArgs {
    pub(crate) fn overrides(&self) -> ConfigOverrides {
        ConfigOverrides {
            import_paths: self.import_paths.as_deref().map(split_path_list),
            allow_current_dir: self.allow_current_dir,
            stdlib_mode: self.stdlib_mode.as_deref().map(|m| match m {
                "python" => StdlibMode::Python,
                _ => StdlibMode::Native,
            }),
            allow_python_modules: self.allow_python_modules.as_deref().map(|s| {
                s.split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect()
            }),
            capabilities: self.capabilities.clone(),
            max_module_size: None,
        }
    }

    /// The configuration that applies to `entry`.
    pub(crate) fn config_for(&self, entry: &Path) -> anyhow::Result<ProjectConfig> {
        let mut config = match &self.config {
            Some(file) => ProjectConfig::load(file)?,
            None => ProjectConfig::discover(entry)?,
        };
        let overrides = self.overrides();
        match &overrides.import_paths {
            Some(_) => {}
            None => warn_unusable_import_paths(&config),
        }
        config.apply(&overrides);
        if let Some(given) = &self.import_paths {
            warn_unusable_flag_paths(given, &config.import_paths);
        }
        warn_unknown_capabilities(&config.capabilities);
        Ok(config)
    }
}

/// Why imports can never find a module under `path`: it does not exist, or is no
/// folder. `None` for a folder.
fn unusable_import_path(path: &Path) -> Option<&'static str> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some("is not a folder"),
        Err(_) => Some("does not exist"),
    }
}

/// An import path that is no folder (a typo, a folder not made yet) would only show as
/// an unresolved import, and then only if the module is nowhere else: said once per
/// process, with its place in mlpy.json (as rust-analyzer and ruff do for settings that
/// name missing paths).
fn warn_unusable_import_paths(config: &ProjectConfig) {
    let Some(file) = &config.config_file else {
        return;
    };
    for (index, path) in config.import_paths.iter().enumerate() {
        let Some(why) = unusable_import_path(path) else {
            continue;
        };
        if !warn_once(format!("{}\0{}", file.display(), path.display())) {
            continue;
        }
        let at = mlpy_modules::ConfigError::at_value(
            file,
            &[JsonKey::Key("import_paths"), JsonKey::Index(index)],
            String::new(),
        );
        errln!(
            "{}: warning: the import path '{}' {why}: no module is found there",
            crate::render::config_place(&at),
            crate::render::display_path(path)
        );
    }
}

/// The same for `--import-paths`, named as the user wrote them.
fn warn_unusable_flag_paths(given: &str, resolved: &[PathBuf]) {
    for (written, path) in split_path_list(given).iter().zip(resolved) {
        let Some(why) = unusable_import_path(path) else {
            continue;
        };
        if warn_once(format!("--import-paths\0{}", path.display())) {
            errln!(
                "mlpy: warning: --import-paths: '{}' {why}: no module is found there",
                crate::render::display_path(written)
            );
        }
    }
}

/// Whether `key` is warned about for the first time in this process (`mlpy test --watch`
/// and `mlpy run --watch` load the configuration again and again).
fn warn_once(key: String) -> bool {
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
    if warned.contains(&key) {
        return false;
    }
    warned.push(key);
    true
}

/// A granted name that means nothing (a typo: `fiel`) would only show when the program is
/// refused at run time: said once per process, on standard error.
fn warn_unknown_capabilities(granted: &[String]) {
    for name in granted {
        if mlpy_analysis::capabilities::grant_is_known(name)
            || !warn_once(format!("capability\0{name}"))
        {
            continue;
        }
        let hint = match mlpy_analysis::capabilities::grant_suggestions(name).first() {
            Some(near) => format!(" (did you mean '{near}'?)"),
            None => String::new(),
        };
        errln!(
            "mlpy: warning: the capability '{name}' grants nothing: no module or capability has that name{hint}"
        );
    }
}

/// A loaded program: its configuration, resolver and module graph.
#[allow(dead_code)] // `resolver` is used by transpile and run.
pub(crate) struct Program {
    pub resolver: Resolver,
    pub graph: ModuleGraph,
    /// Remote imports: cache, lockfile, statistics.
    pub remote: Arc<RemoteContext>,
}

/// Loads `entry` and everything it imports.
pub(crate) fn load(
    args: &ConfigArgs,
    entry: &Path,
    cache: &ModuleCache,
) -> anyhow::Result<Program> {
    load_with(args, entry, cache, None, false)
}

/// Loads `entry` with a download progress reporter; `update_lock` records changed
/// remote modules in mlpy.lock instead of refusing them (`mlpy fetch --update-lock`).
pub(crate) fn load_with(
    args: &ConfigArgs,
    entry: &Path,
    cache: &ModuleCache,
    progress: Option<Arc<dyn FetchProgress>>,
    update_lock: bool,
) -> anyhow::Result<Program> {
    let config = args.config_for(entry)?;
    let mut options = args.remote.options()?;
    options.progress = progress;
    options.update_lock = update_lock;
    let (resolver, remote) =
        mlpy_remote::resolver(Arc::new(config), options).map_err(|e| match e {
            // Rendered with its place in mlpy.json or mlpy.lock (main.rs downcasts it).
            SetupError::Config(e) => anyhow::Error::from(e),
            other => anyhow::Error::from(other),
        })?;
    let graph = ModuleGraph::build(entry, &resolver, cache)?;
    // Writes mlpy.lock when remote modules were recorded.
    resolver.finish()?;
    Ok(Program {
        resolver,
        graph,
        remote,
    })
}
