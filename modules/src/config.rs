//! Project configuration: `mlpy.json`, found by walking up from the entry file, merged
//! with command-line overrides.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE_NAME: &str = "mlpy.json";

/// Modules larger than this are refused unless the configuration raises the limit.
pub const DEFAULT_MAX_MODULE_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StdlibMode {
    /// Only the ML standard library.
    #[default]
    Native,
    /// Also whitelisted Python modules.
    Python,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Deserialize)]
pub enum CachePolicy {
    /// Use the cache when it holds the module, else fetch.
    #[default]
    #[serde(rename = "default")]
    Default,
    /// Always fetch.
    #[serde(rename = "no-cache")]
    NoCache,
    /// Never fetch when the cache holds the module, however old.
    #[serde(rename = "force-cache")]
    ForceCache,
}

/// A place modules are fetched from before the file search (`import_sources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    /// `https`, `http`, `git`, `file`, or a plugin's scheme.
    pub protocol: String,
    pub location: String,
    /// Values may reference environment variables as `${NAME}`; expanded on use.
    pub credentials: BTreeMap<String, String>,
    pub cache_policy: CachePolicy,
    pub verify_signature: bool,
}

/// The project's configuration, with every path absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The folder of `mlpy.json`, or of the entry file when there is none.
    pub root: PathBuf,
    pub config_file: Option<PathBuf>,
    pub import_paths: Vec<PathBuf>,
    pub allow_current_dir: bool,
    pub stdlib_mode: StdlibMode,
    pub python_whitelist: Vec<String>,
    pub capabilities: Vec<String>,
    pub import_sources: Vec<ImportSource>,
    pub max_module_size: u64,
    /// Executables serving import schemes, by scheme.
    pub plugins: BTreeMap<String, PathBuf>,
    /// Public keys (minisign format) whose signatures remote modules may carry.
    pub trusted_keys: Vec<String>,
}

impl ProjectConfig {
    /// The configuration of a project without `mlpy.json`: no import paths, so only the
    /// standard library (and the importing file's folder, if allowed) can be imported.
    pub fn without_file(root: &Path) -> ProjectConfig {
        ProjectConfig {
            root: root.to_path_buf(),
            config_file: None,
            import_paths: Vec::new(),
            allow_current_dir: false,
            stdlib_mode: StdlibMode::Native,
            python_whitelist: Vec::new(),
            capabilities: Vec::new(),
            import_sources: Vec::new(),
            max_module_size: DEFAULT_MAX_MODULE_SIZE,
            plugins: BTreeMap::new(),
            trusted_keys: Vec::new(),
        }
    }

    /// Finds `mlpy.json` in `start` or the nearest folder above it and reads it.
    pub fn discover(start: &Path) -> Result<ProjectConfig, ConfigError> {
        let start = absolute(start);
        let mut dir = if start.is_dir() {
            start.clone()
        } else {
            start
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| start.clone())
        };
        let first = dir.clone();
        loop {
            let candidate = dir.join(CONFIG_FILE_NAME);
            if candidate.is_file() {
                return ProjectConfig::load(&candidate);
            }
            if !dir.pop() {
                return Ok(ProjectConfig::without_file(&first));
            }
        }
    }

    /// Reads a configuration file.
    pub fn load(file: &Path) -> Result<ProjectConfig, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {e}"),
        })?;
        ProjectConfig::parse(file, &text)
    }

    /// Parses the text of `file`.
    pub fn parse(file: &Path, text: &str) -> Result<ProjectConfig, ConfigError> {
        let file = absolute(file);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let raw: RawConfig = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            ConfigError {
                file: file.clone(),
                line: inner.line() as u32,
                column: inner.column() as u32,
                message: describe_json_error(&key, &inner),
            }
        })?;
        deserializer.end().map_err(|e| ConfigError {
            file: file.clone(),
            line: e.line() as u32,
            column: e.column() as u32,
            message: format!("unexpected text after the configuration object: {e}"),
        })?;
        let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let config_error = |message: String| ConfigError {
            file: file.clone(),
            line: 0,
            column: 0,
            message,
        };
        let mut import_sources = Vec::new();
        for (i, source) in raw
            .import_sources
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            if source.location.trim().is_empty() {
                return Err(config_error(format!(
                    "\"import_sources[{i}].location\" must not be empty"
                )));
            }
            import_sources.push(ImportSource {
                protocol: source.protocol,
                location: source.location,
                credentials: source.credentials.unwrap_or_default(),
                cache_policy: source.cache_policy.unwrap_or_default(),
                verify_signature: source.verify_signature.unwrap_or(true),
            });
        }
        let max_module_size = raw.max_module_size.unwrap_or(DEFAULT_MAX_MODULE_SIZE);
        if max_module_size == 0 {
            return Err(config_error(
                "\"max_module_size\" must be greater than 0".to_string(),
            ));
        }
        Ok(ProjectConfig {
            import_paths: raw
                .import_paths
                .unwrap_or_else(|| vec![".".to_string()])
                .iter()
                .map(|p| normalize(&root.join(p)))
                .collect(),
            allow_current_dir: raw.allow_current_dir.unwrap_or(false),
            stdlib_mode: raw.stdlib_mode.unwrap_or_default(),
            python_whitelist: raw.python_whitelist.unwrap_or_default(),
            capabilities: raw.capabilities.unwrap_or_default(),
            import_sources,
            max_module_size,
            plugins: raw
                .plugins
                .unwrap_or_default()
                .into_iter()
                .map(|(scheme, exe)| {
                    let path = PathBuf::from(&exe);
                    // A bare name is looked up on PATH; a path is relative to the project.
                    let path = if path.components().count() > 1 {
                        normalize(&root.join(path))
                    } else {
                        path
                    };
                    (scheme, path)
                })
                .collect(),
            trusted_keys: raw.trusted_keys.unwrap_or_default(),
            config_file: Some(file),
            root,
        })
    }

    /// Applies command-line settings, which win over the file.
    pub fn apply(&mut self, overrides: &ConfigOverrides) {
        if let Some(paths) = &overrides.import_paths {
            self.import_paths = paths.iter().map(|p| absolute(p)).collect();
        }
        if overrides.allow_current_dir {
            self.allow_current_dir = true;
        }
        if let Some(mode) = overrides.stdlib_mode {
            self.stdlib_mode = mode;
        }
        if let Some(modules) = &overrides.allow_python_modules {
            for m in modules {
                if !self.python_whitelist.contains(m) {
                    self.python_whitelist.push(m.clone());
                }
            }
        }
        for cap in &overrides.capabilities {
            if !self.capabilities.contains(cap) {
                self.capabilities.push(cap.clone());
            }
        }
        if let Some(size) = overrides.max_module_size {
            self.max_module_size = size;
        }
    }
}

/// Settings given on the command line (or by an editor), applied over `mlpy.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigOverrides {
    pub import_paths: Option<Vec<PathBuf>>,
    pub allow_current_dir: bool,
    pub stdlib_mode: Option<StdlibMode>,
    pub allow_python_modules: Option<Vec<String>>,
    pub capabilities: Vec<String>,
    pub max_module_size: Option<u64>,
}

/// Splits an `--import-paths` value: `a:b` (or `a;b`, as on Windows).
pub fn split_path_list(value: &str) -> Vec<PathBuf> {
    let separator = if value.contains(';') && !value.contains(':') {
        ';'
    } else {
        ':'
    };
    value
        .split(separator)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// A problem in `mlpy.json`, with the place it was found (line 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        } else {
            write!(f, "{}: {}", self.file.display(), self.message)
        }
    }
}

fn describe_json_error(key: &str, error: &serde_json::Error) -> String {
    let text = error.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if error.is_syntax() || error.is_eof() {
        return format!("invalid JSON: {text}");
    }
    if text.starts_with("unknown field") {
        return format!(
            "unknown key in {CONFIG_FILE_NAME}: {}",
            text.trim_start_matches("unknown field ")
        );
    }
    if key.is_empty() || key == "." {
        format!("invalid configuration: {text}")
    } else {
        format!("invalid value for \"{key}\": {text}")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    #[serde(rename = "name")]
    _name: Option<String>,
    #[serde(rename = "version")]
    _version: Option<String>,
    #[serde(rename = "description")]
    _description: Option<String>,
    import_paths: Option<Vec<String>>,
    allow_current_dir: Option<bool>,
    stdlib_mode: Option<StdlibMode>,
    python_whitelist: Option<Vec<String>>,
    capabilities: Option<Vec<String>>,
    import_sources: Option<Vec<RawImportSource>>,
    max_module_size: Option<u64>,
    plugins: Option<BTreeMap<String, String>>,
    trusted_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImportSource {
    protocol: String,
    location: String,
    credentials: Option<BTreeMap<String, String>>,
    cache_policy: Option<CachePolicy>,
    verify_signature: Option<bool>,
}

/// `path` made absolute against the working directory, without touching the disk.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(path))
    }
}

/// Removes `.` and resolves `..` lexically (symlinks are dealt with by the resolver).
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProjectConfig, ConfigError> {
        ProjectConfig::parse(Path::new("/p/mlpy.json"), text)
    }

    #[test]
    fn defaults_and_relative_paths() {
        let config = parse(r#"{"import_paths": ["lib", "./vendor/../mods"]}"#).unwrap();
        assert_eq!(
            config.import_paths,
            vec![PathBuf::from("/p/lib"), PathBuf::from("/p/mods")]
        );
        assert!(!config.allow_current_dir);
        assert_eq!(config.max_module_size, DEFAULT_MAX_MODULE_SIZE);
        let config = parse("{}").unwrap();
        assert_eq!(config.import_paths, vec![PathBuf::from("/p")]);
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_key_and_place() {
        let e = parse("{\n  \"import_path\": []\n}").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("import_path"), "{e}");
        assert!(e.to_string().starts_with("/p/mlpy.json:2:"), "{e}");
        let e = parse("{\"allow_current_dir\": \"yes\"}").unwrap_err();
        assert!(e.message.contains("\"allow_current_dir\""), "{e}");
        let e = parse("{\"import_sources\": [{\"protocol\": \"https\", \"location\": \"x\", \"cache_policy\": \"often\"}]}").unwrap_err();
        assert!(e.message.contains("import_sources[0].cache_policy"), "{e}");
        let e = parse("{\"stdlib_mode\": \"java\"}").unwrap_err();
        assert!(e.message.contains("stdlib_mode"), "{e}");
        let e = parse("{").unwrap_err();
        assert!(e.message.starts_with("invalid JSON"), "{e}");
    }

    #[test]
    fn overrides_win() {
        let mut config = parse(r#"{"import_paths": ["lib"], "capabilities": ["file"]}"#).unwrap();
        config.apply(&ConfigOverrides {
            import_paths: Some(vec![PathBuf::from("/x/y")]),
            allow_current_dir: true,
            capabilities: vec!["env".into(), "file".into()],
            ..Default::default()
        });
        assert_eq!(config.import_paths, vec![PathBuf::from("/x/y")]);
        assert!(config.allow_current_dir);
        assert_eq!(
            config.capabilities,
            vec!["file".to_string(), "env".to_string()]
        );
    }

    #[test]
    fn path_lists() {
        assert_eq!(
            split_path_list("a:b"),
            vec![PathBuf::from("a"), PathBuf::from("b")]
        );
        assert_eq!(
            split_path_list("a;b"),
            vec![PathBuf::from("a"), PathBuf::from("b")]
        );
    }
}
