//! The `launch` request's arguments: what to run and how, and the `mlpy run` flags they
//! stand for; and the [`Loader`] the command line gives the adapter to transpile with.

use crate::program::Prepared;
use serde_json::{Map, Value};
use std::ffi::OsString;
use std::path::PathBuf;

/// What a launch asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchArgs {
    /// The ML entry file (relative paths are relative to `cwd`).
    pub program: PathBuf,
    /// The program's working folder, and mlpy's while it loads the program.
    pub cwd: PathBuf,
    /// The program's arguments.
    pub args: Vec<String>,
    pub stop_on_entry: bool,
    /// Run without the debugger (the editor's "Run Without Debugging").
    pub no_debug: bool,
    /// `mlpy run` flags: import paths, capabilities, configuration file, remote imports.
    pub flags: Vec<String>,
    /// The Python interpreter (`"python"`, else `MLPY_PYTHON`, else `python3`).
    pub python: OsString,
    /// Environment variables for the program (`null` removes one).
    pub env: Vec<(String, Option<String>)>,
    /// `internalConsole` (the debug console) or `integratedTerminal` / `externalTerminal`.
    pub console: String,
}

/// A launch configuration that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("launch configuration: {0}")]
pub struct ArgsError(pub String);

/// What the command line does for the adapter: load, check, transpile and write a
/// program, as `mlpy run` would.
pub trait Loader {
    fn prepare(&self, launch: &LaunchArgs) -> Result<Prepared, LoadError>;
}

/// Why a program could not be prepared: a message, and the diagnostics for the console.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub message: String,
    /// Rendered diagnostics (`file:line:col: error: …`), if any.
    pub details: String,
}

impl LaunchArgs {
    /// Reads a launch request's arguments. `default_python`: the interpreter when the
    /// configuration names none.
    pub fn parse(arguments: &Value, default_python: OsString) -> Result<LaunchArgs, ArgsError> {
        let empty = Map::new();
        let object = arguments.as_object().unwrap_or(&empty);
        let program = match object.get("program") {
            Some(Value::String(p)) if !p.trim().is_empty() => PathBuf::from(p),
            Some(_) => {
                return Err(ArgsError(
                    "\"program\" must be the path of an ML file".into(),
                ))
            }
            None => {
                return Err(ArgsError(
                    "\"program\" is missing: the ML file to debug (e.g. \"${file}\")".into(),
                ))
            }
        };
        let cwd = match object.get("cwd") {
            Some(Value::String(c)) if !c.is_empty() => PathBuf::from(c),
            None | Some(Value::Null) => std::env::current_dir()
                .map_err(|e| ArgsError(format!("no \"cwd\" and no current folder: {e}")))?,
            Some(_) => return Err(ArgsError("\"cwd\" must be a folder's path".into())),
        };
        let cwd = if cwd.is_absolute() {
            cwd
        } else {
            std::env::current_dir().map(|d| d.join(&cwd)).unwrap_or(cwd)
        };
        let mut flags = Vec::new();
        if let Some(paths) = strings(object, "importPaths")? {
            flags.push("--import-paths".to_string());
            flags.push(paths.join(":"));
        }
        for capability in strings(object, "allow")?.unwrap_or_default() {
            flags.push("--allow".to_string());
            flags.push(capability);
        }
        if let Some(config) = string(object, "config")? {
            flags.extend(["--config".to_string(), config]);
        }
        if let Some(mode) = string(object, "stdlibMode")? {
            flags.extend(["--stdlib-mode".to_string(), mode]);
        }
        if let Some(modules) = strings(object, "allowPythonModules")? {
            flags.extend(["--allow-python-modules".to_string(), modules.join(",")]);
        }
        for (key, flag) in [
            ("allowCurrentDir", "--allow-current-dir"),
            ("cachedOnly", "--cached-only"),
            ("frozen", "--frozen"),
        ] {
            if boolean(object, key)? {
                flags.push(flag.to_string());
            }
        }
        flags.extend(strings(object, "mlpyArgs")?.unwrap_or_default());
        let python = string(object, "python")?
            .map(OsString::from)
            .unwrap_or(default_python);
        let mut env = Vec::new();
        match object.get("env") {
            None | Some(Value::Null) => {}
            Some(Value::Object(vars)) => {
                for (name, value) in vars {
                    match value {
                        Value::String(v) => env.push((name.clone(), Some(v.clone()))),
                        Value::Null => env.push((name.clone(), None)),
                        _ => {
                            return Err(ArgsError(format!(
                                "\"env\": the value of {name} must be a string or null"
                            )))
                        }
                    }
                }
            }
            Some(_) => return Err(ArgsError("\"env\" must be an object".into())),
        }
        let console = string(object, "console")?.unwrap_or_else(|| "internalConsole".into());
        if !matches!(
            console.as_str(),
            "internalConsole" | "integratedTerminal" | "externalTerminal"
        ) {
            return Err(ArgsError(format!(
                "\"console\" must be internalConsole, integratedTerminal or externalTerminal, not {console:?}"
            )));
        }
        Ok(LaunchArgs {
            program,
            cwd,
            args: strings(object, "args")?.unwrap_or_default(),
            stop_on_entry: boolean(object, "stopOnEntry")?,
            no_debug: boolean(object, "noDebug")?,
            flags,
            python,
            env,
            console,
        })
    }
}

fn string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, ArgsError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ArgsError(format!("\"{key}\" must be a string"))),
    }
}

/// A list of strings; a single string counts as a list of one.
fn strings(object: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, ArgsError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ArgsError(format!("\"{key}\" must hold strings only")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ArgsError(format!(
            "\"{key}\" must be a string or a list of strings"
        ))),
    }
}

fn boolean(object: &Map<String, Value>, key: &str) -> Result<bool, ArgsError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ArgsError(format!("\"{key}\" must be true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_launch_configuration_becomes_mlpy_run_flags() {
        let args = LaunchArgs::parse(
            &json!({
                "program": "main.ml", "cwd": "/p", "args": ["a", "b"], "stopOnEntry": true,
                "importPaths": ["lib", "vendor"], "allow": ["file.read", "env"],
                "config": "other.json", "cachedOnly": true, "mlpyArgs": ["--frozen"],
                "python": "/usr/bin/python3.12", "env": {"X": "1", "Y": null},
            }),
            "python3".into(),
        )
        .unwrap();
        assert_eq!(args.program, PathBuf::from("main.ml"));
        assert_eq!(args.cwd, PathBuf::from("/p"));
        assert_eq!(args.args, ["a", "b"]);
        assert!(args.stop_on_entry);
        assert_eq!(
            args.flags,
            [
                "--import-paths",
                "lib:vendor",
                "--allow",
                "file.read",
                "--allow",
                "env",
                "--config",
                "other.json",
                "--cached-only",
                "--frozen"
            ]
        );
        assert_eq!(args.python, OsString::from("/usr/bin/python3.12"));
        assert_eq!(
            args.env,
            [
                ("X".to_string(), Some("1".to_string())),
                ("Y".to_string(), None)
            ]
        );
        assert_eq!(args.console, "internalConsole");
    }

    #[test]
    fn bad_configurations_say_what_is_wrong() {
        let error = |v: Value| LaunchArgs::parse(&v, "python3".into()).unwrap_err().0;
        assert!(error(json!({})).contains("\"program\" is missing"));
        assert!(error(json!({"program": 3})).contains("\"program\""));
        assert!(error(json!({"program": "m.ml", "allow": [1]})).contains("\"allow\""));
        assert!(error(json!({"program": "m.ml", "stopOnEntry": "yes"})).contains("stopOnEntry"));
        assert!(error(json!({"program": "m.ml", "console": "tty"})).contains("console"));
        assert!(error(json!({"program": "m.ml", "env": {"A": 1}})).contains("env"));
    }
}
