//! `mlpy graph`: the dependency graph of a program, as a tree (like `deno info`),
//! Graphviz dot or JSON.

use crate::project::{self, ConfigArgs};
use crate::render::{display_path, Sources};
use crate::{Context, Outcome};
use clap::{Args, ValueEnum};
use mlpy_modules::{EdgeTarget, ImportEdge, ModuleCache, ModuleGraph, ModuleId, Origin};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct GraphArgs {
    /// The program's entry file.
    file: PathBuf,

    #[arg(long, value_enum, default_value_t = GraphFormat::Tree)]
    format: GraphFormat,

    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Tree,
    Dot,
    Json,
}

pub fn run(_cx: &Context, args: GraphArgs) -> anyhow::Result<Outcome> {
    let cache = ModuleCache::new();
    let program = project::load(&args.config, &args.file, &cache)?;
    let graph = &program.graph;
    let out = match args.format {
        GraphFormat::Tree => tree(graph),
        GraphFormat::Dot => dot(graph),
        GraphFormat::Json => serde_json::to_string_pretty(&to_json(graph))? + "\n",
    };
    print!("{out}");
    let broken = !graph.cycles.is_empty()
        || graph
            .modules
            .iter()
            .any(|m| m.imports.iter().any(|e| e.target.is_err()));
    Ok(if broken {
        Outcome::ProgramErrors
    } else {
        Outcome::Success
    })
}

fn module_label(graph: &ModuleGraph, id: ModuleId) -> String {
    labelled(graph, id, "")
}

/// `name as alias (where it lives)`.
fn labelled(graph: &ModuleGraph, id: ModuleId, alias: &str) -> String {
    let m = graph.module(id);
    match &m.origin {
        Origin::File => format!("{}{alias} ({})", m.name, display_path(&m.path)),
        Origin::Remote(url) => format!("{url}{alias} (cached {})", display_path(&m.path)),
    }
}

fn edge_label(graph: &ModuleGraph, edge: &ImportEdge) -> String {
    let alias = edge
        .alias
        .as_ref()
        .map(|a| format!(" as {a}"))
        .unwrap_or_default();
    match &edge.target {
        Ok(EdgeTarget::Stdlib(name)) => format!("{name}{alias} (standard library)"),
        Ok(EdgeTarget::Python(name)) => format!("{name}{alias} (Python module)"),
        Ok(EdgeTarget::Module(id)) => labelled(graph, *id, &alias),
        Err(e) => format!("{}{alias} (error: {e})", edge.spec),
    }
}

/// Each module's imports once; a module seen before is marked `(*)`, an import that
/// closes a cycle `(cycle)`.
fn tree(graph: &ModuleGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", module_label(graph, graph.entry));
    let mut expanded = HashSet::from([graph.entry]);
    let mut path = vec![graph.entry];
    walk(graph, graph.entry, "", &mut expanded, &mut path, &mut out);
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
) {
    let edges = &graph.module(id).imports;
    for (i, edge) in edges.iter().enumerate() {
        let last = i + 1 == edges.len();
        let (branch, next_indent) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        let mut line = edge_label(graph, edge);
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
            );
            path.pop();
        }
    }
}

fn dot(graph: &ModuleGraph) -> String {
    let mut out = String::from("digraph modules {\n    rankdir=LR;\n    node [shape=box];\n");
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let cycle_edges: HashSet<(ModuleId, usize)> = graph
        .cycles
        .iter()
        .flat_map(|c| c.modules.iter().copied().zip(c.edges.iter().copied()))
        .collect();
    for m in &graph.modules {
        let style = if m.is_entry { ", style=bold" } else { "" };
        let _ = writeln!(
            out,
            "    {} [label={}{style}];",
            quote(&m.name),
            quote(&module_label(graph, m.id))
        );
    }
    for m in &graph.modules {
        for (i, edge) in m.imports.iter().enumerate() {
            let (target, attrs) = match &edge.target {
                Ok(EdgeTarget::Module(t)) => (graph.module(*t).name.clone(), String::new()),
                Ok(EdgeTarget::Stdlib(n)) => (format!("std:{n}"), " [style=dashed]".to_string()),
                Ok(EdgeTarget::Python(n)) => (format!("py:{n}"), " [style=dashed]".to_string()),
                Err(_) => (format!("missing:{}", edge.spec), " [color=red]".to_string()),
            };
            let attrs = if cycle_edges.contains(&(m.id, i)) {
                " [color=red, label=\"cycle\"]".to_string()
            } else {
                attrs
            };
            let _ = writeln!(out, "    {} -> {}{attrs};", quote(&m.name), quote(&target));
        }
    }
    out.push_str("}\n");
    out
}

fn to_json(graph: &ModuleGraph) -> Value {
    let mut sources = Sources::default();
    let modules: Vec<Value> = graph
        .modules
        .iter()
        .map(|m| {
            sources.insert(&m.path, m.file.text.clone());
            let imports: Vec<Value> = m
                .imports
                .iter()
                .map(|e| {
                    let (line, column) = sources.position(&m.path, e.target_range.start()).unwrap_or((1, 1));
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
