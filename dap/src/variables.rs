//! Scopes and variables as ML sees them: ML names (glue and the runtime's names never
//! shown), ML values and types, objects and arrays expandable, and for each variable the
//! ML expression that reads it (for watches and "copy as expression").

use crate::program::Program;
use crate::values::{is_member_name, ml_key, ml_string, ml_type, ml_value};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;

/// What a variables reference of debugpy's holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// A frame's locals, or its module's globals (`top_level`).
    Scope { module: usize, top_level: bool },
    /// An ML object (a Python dict).
    Object { eval: Option<String> },
    /// An ML array (a Python list or tuple).
    Array { eval: Option<String> },
    /// A module (`module`: the program's, when it is one of them).
    Module {
        module: Option<usize>,
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
            if is_method && matches!(parent, Container::Object { .. } | Container::Array { .. }) {
                continue;
            }
            let (name, eval) = match &parent {
                Container::Scope { module, top_level } => {
                    match program.ml_name(Some(*module), py_name, *top_level) {
                        Some(name) => (name.clone(), Some(name)),
                        None => continue,
                    }
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
                Container::Array { eval } => {
                    let access = eval.as_ref().map(|e| format!("{e}[{py_name}]"));
                    (py_name.to_string(), access)
                }
                Container::Module { module, eval } => {
                    let name = match module {
                        Some(_) => program.ml_name(*module, py_name, true),
                        None if py_name.starts_with('_') => None,
                        None => Some(py_name.to_string()),
                    };
                    let Some(name) = name else { continue };
                    let access = eval.as_ref().map(|e| format!("{e}.{name}"));
                    (name, access)
                }
                Container::Other { eval } => {
                    if py_name.starts_with('_') {
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

/// The program's module a module's repr names (`<module 'a.b' from '/out/a/b.py'>`).
fn module_of_repr(program: &Program, repr: &str) -> Option<usize> {
    let path = repr.split(" from '").nth(1)?.strip_suffix("'>")?;
    program.by_py_path(Path::new(path))
}
