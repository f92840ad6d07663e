//! Generates the documentation of the builtins and the standard library that hover and
//! completion show, from the runtime's manifest (`transpile/runtime/manifest.json`, the
//! one source of that knowledge): `$OUT_DIR/stdlib_docs.rs` holds
//! * `BUILTIN_DOCS`: every builtin function, sorted by name;
//! * `MODULE_DOCS`: every standard-library module, sorted by name, with its own entry and
//!   its members (functions, then constants, then classes, each sorted by name).

use serde_json::{Map, Value};
use std::fmt::Write;
use std::path::Path;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// One `Doc { … }` literal.
fn doc(name: &str, kind: &str, signature: &str, doc: &str) -> String {
    format!(
        "Doc {{ name: {name:?}, kind: DocKind::{kind}, signature: {signature:?}, doc: {doc:?} }}"
    )
}

/// A function: its signature (`name(…)` when the manifest has none) and its doc, with the
/// capabilities it needs granted.
fn function(name: &str, v: &Value) -> String {
    let mut text_doc = text(v, "doc").to_string();
    let capabilities: Vec<&str> = v
        .get("capabilities")
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if v.get("needs_grant").and_then(Value::as_bool) == Some(true) && !capabilities.is_empty() {
        let _ = write!(
            text_doc,
            "\n\nNeeds the capability {}.",
            capabilities.join(", ")
        );
    }
    let signature = match text(v, "signature") {
        "" => format!("{name}(…)"),
        s => s.to_string(),
    };
    doc(name, "Function", &signature, &text_doc)
}

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let manifest_path = Path::new(&manifest_dir).join("../transpile/runtime/manifest.json");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let source = std::fs::read_to_string(&manifest_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest_path.display()));
    let manifest: Value = serde_json::from_str(&source).expect("manifest.json is JSON");
    let builtins = manifest["builtins"]
        .as_object()
        .expect("manifest has `builtins`");
    let modules = manifest["modules"]
        .as_object()
        .expect("manifest has `modules`");

    let mut out = String::from("pub static BUILTIN_DOCS: &[Doc] = &[\n");
    for (name, v) in sorted(builtins) {
        let _ = writeln!(out, "    {},", function(name, v));
    }
    out.push_str("];\n\npub static MODULE_DOCS: &[ModuleDoc] = &[\n");
    for (name, module) in sorted(modules) {
        let mut members = Vec::new();
        if let Some(functions) = module.get("functions").and_then(Value::as_object) {
            members.extend(sorted(functions).into_iter().map(|(n, f)| function(n, f)));
        }
        if let Some(constants) = module.get("constants").and_then(Value::as_object) {
            for (n, c) in sorted(constants) {
                let value = c.get("value").map(|v| v.to_string()).unwrap_or_default();
                let signature = format!("{name}.{n} = {value}");
                members.push(doc(n, "Constant", &signature, text(c, "doc")));
            }
        }
        // `classes` is an object of classes, or an empty list when there are none.
        if let Some(classes) = module.get("classes").and_then(Value::as_object) {
            for (n, c) in sorted(classes) {
                members.push(doc(n, "Class", &format!("class {n}"), text(c, "doc")));
            }
        }
        let own = doc(
            name,
            "Module",
            &format!("import {name};"),
            text(module, "doc"),
        );
        let _ = writeln!(
            out,
            "    ModuleDoc {{ module: {own}, members: &[\n        {}\n    ] }},",
            members.join(",\n        ")
        );
    }
    out.push_str("];\n");

    let dest = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("stdlib_docs.rs");
    std::fs::write(dest, out).expect("write stdlib_docs.rs");
}
