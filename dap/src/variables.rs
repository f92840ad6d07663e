//! Scopes and variables as ML sees them: ML names (glue and the runtime's names never
//! shown), ML values and types, objects and arrays expandable, and for each variable the
//! ML expression that reads it (for watches and "copy as expression").

use crate::program::Program;
use crate::values::{is_member_name, ml_key, ml_string, ml_type, ml_value};
use serde_json::{json, Value};
use std::collections::HashMap;

/// What a variables reference of debugpy's holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// A frame's locals, or its module's globals (`top_level`).
    Scope { module: usize, top_level: bool },
    /// An ML object (a Python dict).
    Object { eval: Option<String> },
    /// An ML array (a Python list or tuple).
    Array { eval: Option<String> },
    /// A group of a long array's items debugpy shows apart (`more`, a range of them):
    /// `eval` reads the array itself, not the group.
    ArrayPart { eval: Option<String> },
    /// A module (`module`: the program's, when it is one of them; `stdlib`: the name of
    /// the standard-library module it is).
    Module {
        module: Option<usize>,
        stdlib: Option<String>,
        eval: Option<String>,
    },
    /// Anything else: a runtime object, an exception.
    Other { eval: Option<String> },
}

/// Children debugpy adds that are no ML value.
const NOT_VALUES: &[&str] = &[
    "special variables",
    "function variables",
    "class variables",
    "protected variables",
    "len()",
    "Return values",
];

/// The runtime's own members of the objects it hands to ML (a regex match, a logger),
/// which ML code cannot read: `_HIDDEN_OBJECT_NAMES` of `mlpy_runtime/access.py`.
const HIDDEN_OBJECT_NAMES: &[&str] = &["ml_type_name", "ml_description", "ml_type", "ml_methods"];

/// The name of the row debugpy ends a dictionary with when it shows only its first keys.
const TOO_MANY_KEYS: &str = "Unable to handle:";

/// debugpy's row for the keys of a large object it does not show, in ML words (its own
/// names a debugpy setting: no ML user's business).
fn too_many_keys(child: &Value) -> Value {
    let shown = child["value"]
        .as_str()
        .and_then(|v| v.split(['(', ')']).nth(1))
        .filter(|n| n.parse::<u64>().is_ok())
        .unwrap_or("some");
    json!({
        "name": "…",
        "value": format!("only the first {shown} keys are shown"),
        "type": "",
        "variablesReference": 0,
    })
}

/// The containers of the current stop, by debugpy's references (they live until the
/// program runs again).
#[derive(Default)]
pub struct Vars {
    containers: HashMap<i64, Container>,
}

impl Vars {
    pub fn clear(&mut self) {
        self.containers.clear();
    }

    pub fn add_scope(&mut self, reference: i64, module: usize, top_level: bool) {
        self.containers
            .insert(reference, Container::Scope { module, top_level });
    }

    pub fn get(&self, reference: i64) -> Option<&Container> {
        self.containers.get(&reference)
    }

    /// debugpy's children of `reference` as ML variables.
    pub fn children(
        &mut self,
        program: &Program,
        reference: i64,
        children: &[Value],
    ) -> Vec<Value> {
        let Some(parent) = self.containers.get(&reference).cloned() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for child in children {
            let py_name = child["name"].as_str().unwrap_or_default();
            if NOT_VALUES.contains(&py_name) {
                continue;
            }
            // A dict's or a list's own methods are no ML value (a function stored under a
            // key has a quoted name).
            let is_method = ml_type(child["type"].as_str().unwrap_or_default()) == "function"
                && !py_name.starts_with(['\'', '"']);
            let in_container = matches!(
                parent,
                Container::Object { .. } | Container::Array { .. } | Container::ArrayPart { .. }
            );
            if is_method && in_container {
                continue;
            }
            let (name, eval) = match &parent {
                Container::Scope { module, top_level } => {
                    match program.ml_name(Some(*module), py_name, *top_level) {
                        Some(name) => (name.clone(), Some(name)),
                        None => continue,
                    }
                }
                Container::Object { .. } if py_name == TOO_MANY_KEYS => {
                    out.push(too_many_keys(child));
                    continue;
                }
                Container::Object { eval } => {
                    let key = ml_key(py_name);
                    let access = eval.as_ref().map(|e| {
                        if is_member_name(&key) {
                            format!("{e}.{key}")
                        } else {
                            format!("{e}[{}]", ml_string(&key))
                        }
                    });
                    (key, access)
                }
                Container::Array { eval } | Container::ArrayPart { eval } => {
                    if let Some(group) = array_group(child) {
                        out.push(self.array_part(child, group, eval.clone()));
                        continue;
                    }
                    let index = array_index(py_name);
                    let access = eval.as_ref().map(|e| format!("{e}[{index}]"));
                    (index, access)
                }
                Container::Module {
                    module,
                    stdlib,
                    eval,
                } => {
                    let name = match (module, stdlib) {
                        (Some(_), _) => program.ml_name(*module, py_name, true),
                        (None, Some(stdlib)) => stdlib_member(stdlib, py_name),
                        (None, None) if py_name.starts_with('_') => None,
                        (None, None) => Some(py_name.to_string()),
                    };
                    let Some(name) = name else { continue };
                    let access = eval.as_ref().map(|e| format!("{e}.{name}"));
                    (name, access)
                }
                Container::Other { eval } => {
                    if py_name.starts_with('_') || HIDDEN_OBJECT_NAMES.contains(&py_name) {
                        continue;
                    }
                    let access = eval.as_ref().map(|e| format!("{e}.{py_name}"));
                    (py_name.to_string(), access)
                }
            };
            out.push(self.value(program, child, "value", name, eval));
        }
        out
    }

    /// A group of a long array's items (debugpy's `more` and its ranges) as a row that
    /// only expands: it is no ML value, so it has no type and no expression.
    fn array_part(&mut self, child: &Value, name: String, eval: Option<String>) -> Value {
        let mut reference = child["variablesReference"].as_i64().unwrap_or(0);
        if reference > 0 {
            self.containers
                .insert(reference, Container::ArrayPart { eval });
        } else {
            reference = 0;
        }
        json!({"name": name, "value": "", "type": "", "variablesReference": reference})
    }

    /// One value of debugpy's (a child's `value`, an evaluation's `result`: `field`) as an
    /// ML variable named `name`, recording what it holds when it can be expanded.
    pub fn value(
        &mut self,
        program: &Program,
        v: &Value,
        field: &str,
        name: String,
        eval: Option<String>,
    ) -> Value {
        let py_type = v["type"].as_str().unwrap_or_default();
        let repr = v[field].as_str().unwrap_or_default();
        let mut reference = v["variablesReference"].as_i64().unwrap_or(0);
        let container = match py_type {
            "dict" => Some(Container::Object { eval: eval.clone() }),
            "list" | "tuple" => Some(Container::Array { eval: eval.clone() }),
            "module" => Some(Container::Module {
                module: module_of_repr(program, repr),
                stdlib: stdlib_of_repr(repr),
                eval: eval.clone(),
            }),
            // Nothing ML can read inside a function.
            t if ml_type(t) == "function" => None,
            _ => Some(Container::Other { eval: eval.clone() }),
        };
        match container {
            Some(container) if reference > 0 => {
                self.containers.insert(reference, container);
            }
            _ => reference = 0,
        }
        let mut out = json!({
            "name": name,
            "value": ml_value(repr),
            "type": ml_type(py_type),
            "variablesReference": reference,
        });
        if let Some(eval) = eval {
            out["evaluateName"] = json!(eval);
        }
        for key in ["indexedVariables", "namedVariables"] {
            if reference > 0 && v.get(key).is_some() && py_type != "dict" {
                out[key] = v[key].clone();
            }
        }
        out
    }
}

/// The ML name of a group of a long array's items debugpy adds (`None` for an item):
/// `more` stays, a range `[100:1100]` is shown with the indexes it holds, `[100..1099]`.
fn array_group(child: &Value) -> Option<String> {
    let name = child["name"].as_str().unwrap_or_default();
    match child["type"].as_str().unwrap_or_default() {
        "MoreItems" => Some(name.to_string()),
        "MoreItemsRange" => Some(range_name(name).unwrap_or_else(|| name.to_string())),
        _ => None,
    }
}

/// `[100:1100]` (a Python slice) as the ML indexes it holds, `[100..1099]`.
fn range_name(slice: &str) -> Option<String> {
    let (from, to) = slice
        .strip_prefix('[')?
        .strip_suffix(']')?
        .split_once(':')?;
    let (from, to) = (from.parse::<u64>().ok()?, to.parse::<u64>().ok()?);
    Some(format!("[{from}..{}]", to.checked_sub(1)?))
}

/// An array item's index as ML writes it: debugpy pads indexes with zeros so that they
/// sort as text (`0042` in an array of a thousand items).
fn array_index(py_name: &str) -> String {
    match py_name.parse::<u64>() {
        Ok(index) => index.to_string(),
        Err(_) => py_name.to_string(),
    }
}

/// The name a module's repr shows: its ML name (`<module 'geometry.core' at 0x…>` →
/// `geometry.core`, `<module 'json' at 0x…>` → `json`; the runtime's class of ML modules,
/// `mlpy_runtime.trust.module`, never shows the Python name or file).
fn name_of_module_repr(repr: &str) -> Option<&str> {
    let name = repr.strip_prefix("<module '")?;
    Some(&name[..name.find('\'')?])
}

/// The standard-library module a module's repr names (`<module 'json' at 0x…>` → `json`;
/// a program's module never has a standard-library module's name, which would hide it).
fn stdlib_of_repr(repr: &str) -> Option<String> {
    let name = name_of_module_repr(repr)?;
    mlpy_modules::stdlib::stdlib_module(name).map(|m| m.name.to_string())
}

/// A member of a standard-library module as ML reaches it: only what the manifest lists
/// (the module's Python file also holds the runtime's helpers, which ML cannot read).
fn stdlib_member(stdlib: &str, py_name: &str) -> Option<String> {
    let info = mlpy_modules::stdlib::stdlib_module(stdlib)?;
    // A member named by a Python keyword is `ml_NAME` in Python, as in ML's own modules.
    let name = match py_name.strip_prefix("ml_") {
        Some(name) if !info.has_member(py_name) => name,
        _ => py_name,
    };
    info.has_member(name).then(|| name.to_string())
}

/// The program's module a module's repr names (`<module 'a.b' at 0x…>`; a remote
/// module by its URL).
fn module_of_repr(program: &Program, repr: &str) -> Option<usize> {
    let name = name_of_module_repr(repr)?;
    program
        .modules
        .iter()
        .position(|m| m.id != program.graph.entry && program.graph.module(m.id).name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_reprs_name_the_module_as_ml_does() {
        assert_eq!(
            name_of_module_repr("<module 'geometry.core' at 0x7f00>"),
            Some("geometry.core")
        );
        assert_eq!(
            stdlib_of_repr("<module 'json' at 0x7f00>").as_deref(),
            Some("json")
        );
        assert_eq!(stdlib_of_repr("<module 'geometry' at 0x7f00>"), None);
        assert_eq!(name_of_module_repr("<function f at 0x7f00>"), None);
    }

    #[test]
    fn array_indexes_lose_debugpys_padding() {
        assert_eq!(array_index("0042"), "42");
        assert_eq!(array_index("0000"), "0");
        assert_eq!(array_index("7"), "7");
        assert_eq!(array_index("more"), "more");
    }

    #[test]
    fn ranges_of_items_name_the_indexes_they_hold() {
        assert_eq!(range_name("[100:1100]").as_deref(), Some("[100..1099]"));
        assert_eq!(range_name("[0:0]"), None);
        assert_eq!(range_name("nonsense"), None);
    }

    #[test]
    fn the_rest_of_a_large_object_is_said_in_ml_words() {
        let row = too_many_keys(&json!({
            "name": TOO_MANY_KEYS,
            "value": "Maximum number of items (500) reached. To show more items customize the value of the PYDEVD_CONTAINER_RANDOM_ACCESS_MAX_ITEMS environment variable.",
        }));
        assert_eq!(row["value"], "only the first 500 keys are shown");
        assert_eq!(row["variablesReference"], 0);
    }
}
