//! Project configuration: `mlpy.json`, found by walking up from the entry file, merged
//! with command-line overrides.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE_NAME: &str = "mlpy.json";

/// The `mlpy.json` that governs the folder `dir`: in it or in the nearest folder above.
/// The one discovery rule: the CLI's project, the server's projects and its "is this `.ml`
/// file ML or OCaml" question all ask here. Whatever is there under that name counts — a
/// dangling symbolic link, a folder or a link loop too, which loading then reports: passing
/// over it would silently put the project under another folder's configuration.
pub fn find_config_file(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE_NAME))
        .find(|candidate| std::fs::symlink_metadata(candidate).is_ok())
}

/// Modules larger than this are refused unless the configuration raises the limit.
pub const DEFAULT_MAX_MODULE_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StdlibMode {
    /// Only the ML standard library.
    #[default]
    Native,
    /// Also whitelisted Python modules.
    Python,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum CachePolicy {
    /// Use the cache when it holds the module, else fetch.
    #[default]
    Default,
    /// Always fetch.
    NoCache,
    /// Never fetch when the cache holds the module, however old.
    ForceCache,
}

// By hand rather than derived: serde_json reports a derived enum given a number as a
// JSON syntax error ("expected value"), and names the Rust type in other messages.
impl<'de> Deserialize<'de> for StdlibMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        one_of(
            d,
            &[
                ("native", StdlibMode::Native),
                ("python", StdlibMode::Python),
            ],
        )
    }
}

impl<'de> Deserialize<'de> for CachePolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        one_of(
            d,
            &[
                ("default", CachePolicy::Default),
                ("no-cache", CachePolicy::NoCache),
                ("force-cache", CachePolicy::ForceCache),
            ],
        )
    }
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
    /// `mlpy fmt`'s settings (`"format"`).
    pub format: FormatSettings,
}

/// The `"format"` section: what `mlpy fmt` may be told. `None`: the formatter's default
/// (`mlpy_fmt::FormatOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FormatSettings {
    pub line_width: Option<u32>,
    pub indent_width: Option<u32>,
}

/// The line widths `"format": {"line_width": …}` accepts.
pub const LINE_WIDTHS: std::ops::RangeInclusive<u32> = 20..=1000;
/// The indentations `"format": {"indent_width": …}` accepts.
pub const INDENT_WIDTHS: std::ops::RangeInclusive<u32> = 1..=16;

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
            format: FormatSettings::default(),
        }
    }

    /// Finds `mlpy.json` in `start` or the nearest folder above it ([`find_config_file`])
    /// and reads it; without one, the defaults for `start`'s folder.
    pub fn discover(start: &Path) -> Result<ProjectConfig, ConfigError> {
        let start = absolute(start);
        let dir = if start.is_dir() {
            start.clone()
        } else {
            start
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| start.clone())
        };
        match find_config_file(&dir) {
            Some(file) => ProjectConfig::load(&file),
            None => Ok(ProjectConfig::without_file(&dir)),
        }
    }

    /// Reads a configuration file.
    pub fn load(file: &Path) -> Result<ProjectConfig, ConfigError> {
        let text = read_json_file(file, "the configuration")?;
        ProjectConfig::parse(file, &text)
    }

    /// Parses the text of `file`.
    pub fn parse(file: &Path, text: &str) -> Result<ProjectConfig, ConfigError> {
        let file = absolute(file);
        let text = without_bom(text);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| CONFIG_FILE_NAME.to_string());
        expect_object(
            &file,
            text,
            &format!("{name} must hold a JSON object"),
            " (write {} for no settings)",
        )?;
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let raw: RawConfig = serde_path_to_error::deserialize(&mut deserializer)
            .map(|Object(raw)| raw)
            .map_err(|e| {
                let key = e.path().to_string();
                json_error(&file, text, &key, e.inner())
            })?;
        deserializer.end().map_err(|e| {
            let mut error = json_error(&file, text, "", &e);
            error.message = format!(
                "unexpected text after the configuration object: {}",
                strip_position(&e.to_string())
            );
            error
        })?;
        let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let import_sources = raw
            .import_sources
            .unwrap_or_default()
            .into_iter()
            .map(|Object(source)| ImportSource {
                protocol: source.protocol,
                location: source.location.0,
                credentials: source.credentials.unwrap_or_default(),
                cache_policy: source.cache_policy.unwrap_or_default(),
                verify_signature: source.verify_signature.unwrap_or(true),
            })
            .collect();
        let max_module_size = raw.max_module_size.map_or(DEFAULT_MAX_MODULE_SIZE, |s| s.0);
        Ok(ProjectConfig {
            import_paths: raw
                .import_paths
                .unwrap_or_else(|| vec![".".to_string()])
                .iter()
                .map(|p| normalize(&root.join(p)))
                .collect(),
            allow_current_dir: raw.allow_current_dir.unwrap_or(false),
            stdlib_mode: raw.stdlib_mode.unwrap_or_default(),
            python_whitelist: raw
                .python_whitelist
                .unwrap_or_default()
                .into_iter()
                .map(|m| m.0)
                .collect(),
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
            format: raw
                .format
                .map(|Object(format)| FormatSettings {
                    line_width: format.line_width.map(|w| w.0),
                    indent_width: format.indent_width.map(|w| w.0),
                })
                .unwrap_or_default(),
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

impl ConfigError {
    /// An error about the value at `path` (keys and array indexes from the top) of the
    /// JSON file `file`, placed at that value when the file still holds it (else with
    /// line 0: no place).
    pub fn at_value(file: &Path, path: &[JsonKey<'_>], message: String) -> ConfigError {
        let place = std::fs::read_to_string(file).ok().and_then(|text| {
            let text = without_bom(&text);
            locate_json_value(text, path).map(|offset| human_position(text, offset))
        });
        let (line, column) = place.unwrap_or((0, 0));
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            message,
        }
    }
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKey<'a> {
    Key(&'a str),
    Index(usize),
}

/// Reads a JSON file of mlpy's (`what`: "the configuration", "the lockfile"): a file
/// that is not UTF-8 is reported at its first invalid byte.
pub fn read_json_file(file: &Path, what: &str) -> Result<String, ConfigError> {
    let bytes = mlpy_fsutil::read_regular_file(file).map_err(|e| ConfigError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read {what}: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::cache::utf8_error_position(e.as_bytes(), &e.utf8_error());
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            message: "not valid UTF-8: JSON files must be UTF-8 text".to_string(),
        }
    })
}

/// The text without a leading byte order mark. JSON has none, but editors on Windows
/// write one; columns stay those an editor shows.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{FEFF}').unwrap_or(text)
}

/// Checks that a JSON document is an object (`{`…) before serde reads it, so that the
/// error says what was found instead of naming a Rust type; `what` starts the message
/// ("mlpy.json must hold a JSON object"), `if_empty` ends it when there is no value.
pub fn expect_object(
    file: &Path,
    text: &str,
    what: &str,
    if_empty: &str,
) -> Result<(), ConfigError> {
    let start = text.len() - text.trim_start().len();
    let found = match text[start..].chars().next() {
        Some('{') => return Ok(()),
        None if text.is_empty() => format!("{what}; the file is empty{if_empty}"),
        None => format!("{what}; the file holds only white space{if_empty}"),
        Some('[') => format!("{what}, found an array"),
        Some('"') => format!("{what}, found a string"),
        Some('t' | 'f') => format!("{what}, found a boolean"),
        Some('n') => format!("{what}, found null"),
        Some('-' | '0'..='9') => format!("{what}, found a number"),
        // Not JSON at all: serde_json's syntax error says more.
        Some(_) => return Ok(()),
    };
    let (line, column) = human_position(text, start);
    Err(ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        message: found,
    })
}

/// One-based line and column, in characters, of a byte offset (clamped into the text).
fn human_position(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let index = mlpy_syntax::LineIndex::new(text);
    index.human_line_col(mlpy_syntax::TextSize::from(offset as u32), text)
}

/// serde_json's place of an error as people count: serde_json counts columns in bytes,
/// and gives column 0 for a place before a line's first byte (an empty file, the end of
/// a file ending with a line break).
fn serde_position(text: &str, error: &serde_json::Error) -> (u32, u32) {
    if error.line() == 0 {
        return (0, 0);
    }
    let line = error.line();
    let Some(content) = text.split('\n').nth(line - 1) else {
        return (line as u32, error.column().max(1) as u32);
    };
    let column = content
        .char_indices()
        .take_while(|(i, _)| *i < error.column())
        .count()
        .max(1);
    (line as u32, column as u32)
}

/// A JSON error of a file mlpy reads, at its place, in words that name JSON's types
/// rather than Rust's: `key` is where in the document (`import_sources[0].protocol`).
pub fn json_error(file: &Path, text: &str, key: &str, error: &serde_json::Error) -> ConfigError {
    let (line, column) = serde_position(text, error);
    ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        message: describe_json_error(file, key, error),
    }
}

fn strip_position(text: &str) -> &str {
    // serde_json appends " at line L column C"; the position is reported separately.
    match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => text,
    }
}

fn describe_json_error(file: &Path, key: &str, error: &serde_json::Error) -> String {
    let text = strip_position(&error.to_string()).to_string();
    if error.is_syntax() || error.is_eof() {
        return format!("invalid JSON: {text}");
    }
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        return format!("unknown key in {name}: {rest}");
    }
    let text = json_words(&text);
    if key.is_empty() || key == "." {
        text
    } else {
        format!("invalid value for \"{key}\": {text}")
    }
}

/// serde's "invalid type: integer `1`, expected a boolean" as "expected true or false,
/// found the number 1"; other messages with Rust's names for JSON's types renamed.
fn json_words(text: &str) -> String {
    let found_expected = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))
        .and_then(|rest| rest.split_once(", expected "));
    if let Some((found, expected)) = found_expected {
        return format!(
            "expected {}, found {}",
            expected_words(expected),
            found_words(found)
        );
    }
    if let Some(rest) = text.strip_prefix("invalid length ") {
        // A struct read from an array (serde accepts the fields in order).
        if rest.contains("expected struct") {
            return "expected an object, found an array".to_string();
        }
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        return format!("missing key {rest}");
    }
    text.to_string()
}

fn expected_words(expected: &str) -> String {
    match expected {
        "a boolean" => "true or false".to_string(),
        "a sequence" => "an array".to_string(),
        "a map" => "an object".to_string(),
        e if e.starts_with("struct ") || e.starts_with("a map or struct") => {
            "an object".to_string()
        }
        e if e.starts_with('u') && e[1..].bytes().all(|b| b.is_ascii_digit()) => {
            "a whole number of 0 or more".to_string()
        }
        e => e.to_string(),
    }
}

fn found_words(found: &str) -> String {
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_string())
    };
    if let Some(v) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {v}");
    }
    if let Some(v) = quoted("boolean ") {
        return v;
    }
    if let Some(v) = found.strip_prefix("string ") {
        return format!("the string {v}");
    }
    match found {
        "sequence" => "an array".to_string(),
        "map" => "an object".to_string(),
        "unit value" | "null" => "null".to_string(),
        f => f.to_string(),
    }
}

/// The byte offset of the value at `path` in a JSON document (which parsed: only
/// well-formed text is walked), `None` when it is not there.
pub fn locate_json_value(text: &str, path: &[JsonKey<'_>]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for step in path {
        match (bytes.get(pos)?, step) {
            (b'{', JsonKey::Key(want)) => {
                pos = skip_ws(bytes, pos + 1);
                loop {
                    if bytes.get(pos)? != &b'"' {
                        return None;
                    }
                    let end = skip_json_value(bytes, pos)?;
                    let key: String = serde_json::from_str(&text[pos..end]).ok()?;
                    pos = skip_ws(bytes, end);
                    if bytes.get(pos)? != &b':' {
                        return None;
                    }
                    pos = skip_ws(bytes, pos + 1);
                    if key == *want {
                        break;
                    }
                    pos = skip_ws(bytes, skip_json_value(bytes, pos)?);
                    if bytes.get(pos)? != &b',' {
                        return None;
                    }
                    pos = skip_ws(bytes, pos + 1);
                }
            }
            (b'[', JsonKey::Index(want)) => {
                pos = skip_ws(bytes, pos + 1);
                for _ in 0..*want {
                    pos = skip_ws(bytes, skip_json_value(bytes, pos)?);
                    if bytes.get(pos)? != &b',' {
                        return None;
                    }
                    pos = skip_ws(bytes, pos + 1);
                }
                if bytes.get(pos)? == &b']' {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(pos)
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
        pos += 1;
    }
    pos
}

/// Just after the JSON value starting at `pos`.
fn skip_json_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'"' => {
            let mut i = pos + 1;
            loop {
                match bytes.get(i)? {
                    b'\\' => i += 2,
                    b'"' => return Some(i + 1),
                    _ => i += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = skip_json_value(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b']' | b'}') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// A `T` read from a JSON object only: a derived `Deserialize` also takes an array of
/// the fields in order, and names the Rust type when given anything else.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(Object)
    }
}

/// One of a fixed set of strings.
fn one_of<'de, D: serde::Deserializer<'de>, T: Copy>(
    d: D,
    choices: &'static [(&'static str, T)],
) -> Result<T, D::Error> {
    struct OneOf<T: 'static>(&'static [(&'static str, T)]);
    impl<T: Copy> serde::de::Visitor<'_> for OneOf<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let names: Vec<String> = self.0.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            match names.split_last() {
                Some((last, [])) => write!(f, "{last}"),
                Some((last, rest)) => write!(f, "{} or {last}", rest.join(", ")),
                None => f.write_str("nothing"),
            }
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            self.0
                .iter()
                .find(|(n, _)| *n == v)
                .map(|(_, value)| *value)
                .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(OneOf(choices))
}

/// A location of an import source: not empty.
struct Location(String);

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Err(serde::de::Error::custom(
                "must not be empty: a URL or a folder",
            ));
        }
        Ok(Location(text))
    }
}

/// A Python module a project allows: one that ML may ever import (never `os`, `sys`, a
/// name starting with `_`, …), so that the file does not promise what no import will do.
struct PythonModule(String);

impl<'de> Deserialize<'de> for PythonModule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        python_module_problem(&name).map_or(Ok(PythonModule(name)), |problem| {
            Err(serde::de::Error::custom(problem))
        })
    }
}

/// Why `name` cannot be allowed as a Python module (`python_whitelist`,
/// `--allow-python-modules`), or `None`.
pub fn python_module_problem(name: &str) -> Option<String> {
    let well_formed = !name.is_empty()
        && name.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !well_formed {
        return Some(format!("'{name}' is not a Python module name"));
    }
    crate::stdlib::is_python_forbidden(name).then(|| {
        format!("'{name}' can never be imported from ML (it reaches the interpreter or the operating system around the capability system), whatever the whitelist says")
    })
}

/// A size in bytes greater than 0.
struct Size(u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl serde::de::Visitor<'_> for SizeVisitor {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of bytes greater than 0")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
                if v == 0 {
                    return Err(E::invalid_value(serde::de::Unexpected::Unsigned(0), &self));
                }
                Ok(v)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
        }
        d.deserialize_any(SizeVisitor).map(Size)
    }
}

/// A whole number within the range `LINE_WIDTHS` (`LINE`) or `INDENT_WIDTHS`.
struct Width<const LINE: bool>(u32);

impl<'de, const LINE: bool> Deserialize<'de> for Width<LINE> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct WidthVisitor(std::ops::RangeInclusive<u32>);
        impl serde::de::Visitor<'_> for WidthVisitor {
            type Value = u32;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a whole number from {} to {}",
                    self.0.start(),
                    self.0.end()
                )
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u32, E> {
                match u32::try_from(v) {
                    Ok(v) if self.0.contains(&v) => Ok(v),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u32, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
        }
        let range = if LINE { LINE_WIDTHS } else { INDENT_WIDTHS };
        d.deserialize_any(WidthVisitor(range)).map(Width)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormat {
    line_width: Option<Width<true>>,
    indent_width: Option<Width<false>>,
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
    python_whitelist: Option<Vec<PythonModule>>,
    capabilities: Option<Vec<String>>,
    import_sources: Option<Vec<Object<RawImportSource>>>,
    max_module_size: Option<Size>,
    plugins: Option<BTreeMap<String, String>>,
    trusted_keys: Option<Vec<String>>,
    format: Option<Object<RawFormat>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImportSource {
    protocol: String,
    location: Location,
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

/// `path` absolute, with every symbolic link of its existing part resolved (the part that
/// does not exist yet appended as given): where output will really go, to compare with
/// the folders it must stay out of (`--out-dir`, `mlpy publish --out`).
pub fn real_path(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
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

    /// Words of serde's and Rust's that must never reach a person.
    const INTERNAL_WORDS: &[&str] = &[
        "Raw", "struct", "u64", "u32", "i64", "f64", "sequence", "a map", "Option", "enum",
        "variant", "Location", "Size", "Object", "unit",
    ];

    fn assert_readable(text: &str, e: &ConfigError) {
        assert!(e.line >= 1 && e.column >= 1, "{text:?}: no place: {e:?}");
        for word in INTERNAL_WORDS {
            assert!(!e.message.contains(word), "{text:?}: {word:?} in {e}");
        }
    }

    #[test]
    fn documents_that_are_not_objects_say_what_they_hold() {
        let e = |text: &str| {
            let e = parse(text).unwrap_err();
            assert_readable(text, &e);
            (e.message, e.line, e.column)
        };
        let holds = |what: &str| format!("mlpy.json must hold a JSON object, found {what}");
        assert_eq!(e("1"), (holds("a number"), 1, 1));
        assert_eq!(e("-2.5"), (holds("a number"), 1, 1));
        assert_eq!(e("\"x\""), (holds("a string"), 1, 1));
        assert_eq!(e("null"), (holds("null"), 1, 1));
        assert_eq!(e("true"), (holds("a boolean"), 1, 1));
        assert_eq!(e("false"), (holds("a boolean"), 1, 1));
        assert_eq!(e("[]"), (holds("an array"), 1, 1));
        assert_eq!(e("  \n  [1,"), (holds("an array"), 2, 3));
        assert_eq!(e("\u{FEFF}[]"), (holds("an array"), 1, 1));
        let empty =
            "mlpy.json must hold a JSON object; the file is empty (write {} for no settings)";
        assert_eq!(e(""), (empty.to_string(), 1, 1));
        assert_eq!(e("\u{FEFF}"), (empty.to_string(), 1, 1));
        let blank = "mlpy.json must hold a JSON object; the file holds only white space (write {} for no settings)";
        assert_eq!(e("   "), (blank.to_string(), 1, 4));
        assert_eq!(e("\n\n"), (blank.to_string(), 3, 1));
        assert_eq!(
            e("{"),
            (
                "invalid JSON: EOF while parsing an object".to_string(),
                1,
                1
            )
        );
        assert_eq!(
            e("{\n"),
            (
                "invalid JSON: EOF while parsing an object".to_string(),
                2,
                1
            )
        );
        assert_eq!(e("x"), ("invalid JSON: expected value".to_string(), 1, 1));
        // A byte order mark is skipped.
        assert!(parse("\u{FEFF}{\"capabilities\": [\"file\"]}").is_ok());
    }

    /// Every key given every kind of wrong value: a place and JSON's words, never Rust's.
    #[test]
    fn wrong_values_for_every_key_are_reported_in_json_terms() {
        let keys = [
            "$schema",
            "name",
            "import_paths",
            "allow_current_dir",
            "stdlib_mode",
            "python_whitelist",
            "capabilities",
            "import_sources",
            "max_module_size",
            "plugins",
            "trusted_keys",
            "format",
        ];
        let values = [
            "1",
            "-1",
            "0",
            "1.5",
            "\"x\"",
            "\"\"",
            "true",
            "[]",
            "{}",
            "[1]",
            "[{}]",
            "[[]]",
            "{\"a\": 1}",
            "[\"é\", 2]",
            "[{\"protocol\": \"https\"}]",
            "[{\"protocol\": \"https\", \"location\": \" \"}]",
            "[{\"protocol\": \"https\", \"location\": \"x\", \"cache_policy\": 1}]",
            "[{\"protocol\": \"https\", \"location\": \"x\", \"extra\": 1}]",
        ];
        let mut errors = 0;
        for key in keys {
            for value in values {
                for text in [
                    format!("{{\"{key}\": {value}}}"),
                    format!("{{\n  \"name\": \"é😀\",\n  \"{key}\": {value}\n}}\n"),
                ] {
                    if let Err(e) = parse(&text) {
                        assert_readable(&text, &e);
                        errors += 1;
                    }
                }
            }
        }
        assert!(errors > 150, "{errors}");
        let e = parse("{\"max_module_size\": 0}").unwrap_err();
        assert_eq!(
            e.message,
            "invalid value for \"max_module_size\": expected a whole number of bytes greater than 0, found the number 0"
        );
        let e = parse("{\"import_sources\": [{\"protocol\": \"https\", \"location\": \"\"}]}")
            .unwrap_err();
        assert_eq!(
            e.message,
            "invalid value for \"import_sources[0].location\": must not be empty: a URL or a folder"
        );
        let e = parse("{\"stdlib_mode\": 3}").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.column),
            ("invalid value for \"stdlib_mode\": expected \"native\" or \"python\", found the number 3", 17)
        );
        // Columns count characters, not bytes.
        let e = parse("{\"é\": 1}").unwrap_err();
        assert_eq!((e.line, e.column), (1, 4), "{e}");
    }

    #[test]
    fn format_settings_are_read_and_checked() {
        let config = parse(r#"{"format": {"line_width": 80, "indent_width": 2}}"#).unwrap();
        assert_eq!(
            config.format,
            FormatSettings {
                line_width: Some(80),
                indent_width: Some(2)
            }
        );
        assert_eq!(parse("{}").unwrap().format, FormatSettings::default());
        assert_eq!(
            parse(r#"{"format": {}}"#).unwrap().format,
            FormatSettings::default()
        );
        let e = |text: &str| {
            let e = parse(text).unwrap_err();
            assert_readable(text, &e);
            (e.message, e.line, e.column)
        };
        assert_eq!(
            e("{\n  \"format\": {\"line_width\": 5}\n}"),
            (
                "invalid value for \"format.line_width\": expected a whole number from 20 to 1000, found the number 5".to_string(),
                2,
                28
            )
        );
        let (message, line, _) = e(r#"{"format": {"indent_width": 2.5}}"#);
        assert_eq!(
            (message.as_str(), line),
            ("invalid value for \"format.indent_width\": expected a whole number from 1 to 16, found the number 2.5", 1)
        );
        let (message, _, _) = e(r#"{"format": {"indent_width": -1}}"#);
        assert!(message.contains("found the number -1"), "{message}");
        let (message, _, _) = e(r#"{"format": {"tabs": true}}"#);
        assert!(
            message.contains("unknown key") && message.contains("tabs"),
            "{message}"
        );
        let (message, _, _) = e(r#"{"format": 4}"#);
        assert!(message.contains("expected an object"), "{message}");
    }

    #[test]
    fn values_are_located_by_path() {
        let text = r#"{"a": [1, {"b\"": "x"}, {"b": [true, "y"]}], "b": 2}"#;
        let at = |path: &[JsonKey<'_>]| locate_json_value(text, path);
        use JsonKey::{Index, Key};
        assert_eq!(at(&[Key("b")]), text.rfind('2'));
        assert_eq!(
            at(&[Key("a"), Index(2), Key("b"), Index(1)]),
            text.find("\"y\"")
        );
        assert_eq!(at(&[Key("a"), Index(1), Key("b\"")]), text.find("\"x\""));
        assert_eq!(at(&[Key("a"), Index(0)]), text.find('1'));
        assert_eq!(at(&[Key("a"), Index(3)]), None);
        assert_eq!(at(&[Key("c")]), None);
        assert_eq!(at(&[Index(0)]), None);
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
