//! `mlpy graph`: the dependency graph of a program, as a tree (like `deno info`),
//! Graphviz dot or JSON.

use crate::project::{self, ConfigArgs};
use crate::render::display_path;
use crate::{Context, Outcome};
use clap::{Args, ValueEnum};
use mlpy_modules::report;
use mlpy_modules::{EdgeTarget, ModuleCache, ModuleGraph, ModuleId};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct GraphArgs {
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

pub(crate) fn run(_cx: &Context, args: GraphArgs) -> anyhow::Result<Outcome> {
    let cache = ModuleCache::new();
    let program = project::load(&args.config, &args.file, &cache)?;
    let graph = &program.graph;
    let out = match args.format {
        GraphFormat::Tree => tree(graph),
        GraphFormat::Dot => dot(graph),
        GraphFormat::Json => serde_json::to_string_pretty(&to_json(graph))? + "\n",
    };
    out!("{out}");
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
    report::module_label(graph, id, "", &|p| display_path(p))
}

fn tree(graph: &ModuleGraph) -> String {
    report::tree(graph, &|p| display_path(p))
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
    report::json(graph)
}
