//! The module graph as people and tools read it: a tree (like `deno info`) and JSON.
//! `mlpy graph` and the language server's `mlpy.showModuleGraph` both print these.

use crate::graph::{EdgeTarget, ImportEdge, ModuleGraph, ModuleId};
use crate::protocol::Origin;
use mlpy_syntax::LineIndex;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt::Write;
use std::path::Path;

/// How paths are shown (relative to the working directory, to the project, …).
pub type Display<'a> = &'a dyn Fn(&Path) -> String;

/// `name as alias (where it lives)`.
pub fn module_label(
    graph: &ModuleGraph,
    id: ModuleId,
    alias: &str,
    display: Display<'_>,
) -> String {
    let m = graph.module(id);
    match &m.origin {
        Origin::File => format!("{}{alias} ({})", m.name, display(&m.path)),
        Origin::Remote(url) => format!("{url}{alias} (cached {})", display(&m.path)),
    }
}

pub fn edge_label(graph: &ModuleGraph, edge: &ImportEdge, display: Display<'_>) -> String {
    let alias = edge
        .alias
        .as_ref()
        .map(|a| format!(" as {a}"))
        .unwrap_or_default();
    match &edge.target {
        Ok(EdgeTarget::Stdlib(name)) => format!("{name}{alias} (standard library)"),
        Ok(EdgeTarget::Python(name)) => format!("{name}{alias} (Python module)"),
        Ok(EdgeTarget::Module(id)) => module_label(graph, *id, &alias, display),
        Err(e) => format!("{}{alias} (error: {e})", edge.spec),
    }
}

/// Each module's imports once; a module seen before is marked `(*)`, an import that
/// closes a cycle `(cycle)`.
pub fn tree(graph: &ModuleGraph, display: Display<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", module_label(graph, graph.entry, "", display));
    let mut expanded = HashSet::from([graph.entry]);
    let mut path = vec![graph.entry];
    walk(
        graph,
        graph.entry,
        "",
        &mut expanded,
        &mut path,
        &mut out,
        display,
    );
    let _ = writeln!(
        out,
        "\n{} module{}",
        graph.len(),
        if graph.len() == 1 { "" } else { "s" }
    );
    for cycle in &graph.cycles {
        let _ = writeln!(
            out,
            "Circular dependency detected: {}",
            graph.cycle_text(cycle)
        );
    }
    out
}

fn walk(
    graph: &ModuleGraph,
    id: ModuleId,
    indent: &str,
    expanded: &mut HashSet<ModuleId>,
    path: &mut Vec<ModuleId>,
    out: &mut String,
    display: Display<'_>,
) {
    let edges = &graph.module(id).imports;
    for (i, edge) in edges.iter().enumerate() {
        let last = i + 1 == edges.len();
        let (branch, next_indent) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        let mut line = edge_label(graph, edge, display);
        let mut descend = None;
        if let Ok(EdgeTarget::Module(target)) = &edge.target {
            if path.contains(target) {
                line.push_str(" (cycle)");
            } else if !expanded.insert(*target) {
                line.push_str(" (*)");
            } else {
                descend = Some(*target);
            }
        }
        let _ = writeln!(out, "{indent}{branch}{line}");
        if let Some(target) = descend {
            path.push(target);
            walk(
                graph,
                target,
                &format!("{indent}{next_indent}"),
                expanded,
                path,
                out,
                display,
            );
            path.pop();
        }
    }
}

/// The graph as JSON: `{entry, modules: [{name, path, origin, entry, package, imports:
/// [{specifier, alias, line, column, target}]}], cycles: [[name…]]}`; lines and columns
/// are one-based, columns in characters.
pub fn json(graph: &ModuleGraph) -> Value {
    let modules: Vec<Value> = graph
        .modules
        .iter()
        .map(|m| {
            let index = LineIndex::new(&m.file.text);
            let imports: Vec<Value> = m
                .imports
                .iter()
                .map(|e| {
                    let (line, column) = index.human_line_col(e.target_range.start(), &m.file.text);
                    let target = match &e.target {
                        Ok(EdgeTarget::Module(t)) => json!({"kind": "module", "module": graph.module(*t).name}),
                        Ok(EdgeTarget::Stdlib(n)) => json!({"kind": "stdlib", "name": n}),
                        Ok(EdgeTarget::Python(n)) => json!({"kind": "python", "name": n}),
                        Err(err) => json!({"kind": "error", "message": err.to_string(), "notes": err.notes()}),
                    };
                    json!({"specifier": e.spec.to_string(), "alias": e.alias, "line": line, "column": column, "target": target})
                })
                .collect();
            json!({
                "name": m.name,
                "path": m.path,
                "origin": match &m.origin { Origin::File => Value::String("file".into()), Origin::Remote(url) => json!({"remote": url}) },
                "entry": m.is_entry,
                "package": m.is_package,
                "imports": imports,
            })
        })
        .collect();
    let cycles: Vec<Value> = graph
        .cycles
        .iter()
        .map(|c| {
            json!(c
                .modules
                .iter()
                .map(|&m| graph.module(m).name.clone())
                .collect::<Vec<_>>())
        })
        .collect();
    json!({"entry": graph.entry_module().name, "modules": modules, "cycles": cycles})
}
