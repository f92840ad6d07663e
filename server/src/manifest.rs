//! What `transpile/runtime/manifest.json` says about builtins and standard-library
//! modules, for hover and completion.

use serde_json::Value;
use std::sync::OnceLock;

const MANIFEST: &str = include_str!("../../transpile/runtime/manifest.json");

fn manifest() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(MANIFEST).unwrap_or(Value::Null))
}

/// A documented name: a function, constant, class or module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
    /// `sqrt(x)` for functions; the value for constants.
    pub signature: String,
    pub doc: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Function,
    Constant,
    Class,
    Module,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn function(name: &str, v: &Value) -> Entry {
    let mut doc = text(v, "doc");
    if let Some(caps) = v.get("capabilities").and_then(Value::as_array) {
        let caps: Vec<&str> = caps.iter().filter_map(Value::as_str).collect();
        if v.get("needs_grant").and_then(Value::as_bool) == Some(true) && !caps.is_empty() {
            doc.push_str(&format!("\n\nNeeds the capability {}.", caps.join(", ")));
        }
    }
    Entry {
        name: name.to_string(),
        kind: EntryKind::Function,
        signature: {
            let s = text(v, "signature");
            if s.is_empty() {
                format!("{name}(…)")
            } else {
                s
            }
        },
        doc,
    }
}

/// A builtin function.
pub fn builtin(name: &str) -> Option<Entry> {
    let v = manifest().get("builtins")?.get(name)?;
    Some(function(name, v))
}

pub fn builtins() -> Vec<Entry> {
    let Some(map) = manifest().get("builtins").and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter().map(|(n, v)| function(n, v)).collect()
}

/// A standard-library module itself.
pub fn stdlib_module(name: &str) -> Option<Entry> {
    let v = manifest().get("modules")?.get(name)?;
    Some(Entry {
        name: name.to_string(),
        kind: EntryKind::Module,
        signature: format!("import {name};"),
        doc: text(v, "doc"),
    })
}

/// The members of a standard-library module: functions, constants, classes.
pub fn stdlib_members(module: &str) -> Vec<Entry> {
    let Some(v) = manifest().get("modules").and_then(|m| m.get(module)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(functions) = v.get("functions").and_then(Value::as_object) {
        out.extend(functions.iter().map(|(n, f)| function(n, f)));
    }
    if let Some(constants) = v.get("constants").and_then(Value::as_object) {
        for (n, c) in constants {
            let value = c.get("value").map(|v| v.to_string()).unwrap_or_default();
            out.push(Entry {
                name: n.clone(),
                kind: EntryKind::Constant,
                signature: format!("{module}.{n} = {value}"),
                doc: text(c, "doc"),
            });
        }
    }
    if let Some(classes) = v.get("classes").and_then(Value::as_object) {
        for (n, c) in classes {
            out.push(Entry {
                name: n.clone(),
                kind: EntryKind::Class,
                signature: format!("class {n}"),
                doc: text(c, "doc"),
            });
        }
    }
    out
}

pub fn stdlib_member(module: &str, name: &str) -> Option<Entry> {
    stdlib_members(module).into_iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_and_stdlib_are_documented() {
        let len = builtin("len").unwrap();
        assert_eq!(len.signature, "len(collection)");
        assert!(!len.doc.is_empty());
        assert_eq!(builtins().len(), mlpy_modules::stdlib::BUILTINS.len());
        for m in mlpy_modules::stdlib::STDLIB_MODULES {
            assert!(stdlib_module(m).is_some(), "{m}");
        }
        let sqrt = stdlib_member("math", "sqrt").unwrap();
        assert_eq!(sqrt.kind, EntryKind::Function);
        assert_eq!(
            stdlib_member("math", "pi").unwrap().kind,
            EntryKind::Constant
        );
    }
}
