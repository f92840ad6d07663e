//! Shared by the `remote` and `git` benchmarks: the module text of the 100-module trees,
//! building a graph with a new resolver, medians.

use mlpy_modules::{ModuleCache, ModuleGraph, Origin, ProjectConfig};
use mlpy_remote::{self as remote, RemoteOptions};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The entry imports this many packages by URL…
pub(crate) const PACKAGES: usize = 10;
/// …each of which imports this many siblings by dotted name.
pub(crate) const SIBLINGS: usize = 9;

/// A module of the tree: its imports, then three small functions. `kind` says where it is
/// served from (`Remote`, `Git`).
pub(crate) fn module_text(kind: &str, name: &str, imports: &[String]) -> String {
    let mut out = String::new();
    for import in imports {
        out.push_str(&format!("import {import};\n"));
    }
    out.push_str(&format!(
        "\n// {kind} module {name}.\nNAME = \"{name}\";\n\n"
    ));
    for f in 0..3 {
        out.push_str(&format!(
            "function f{f}(x, y) {{\n    total = 0;\n    for (k in range(x)) {{\n        total = total + k * y;\n    }}\n    return total;\n}}\n\n"
        ));
    }
    out
}

/// Builds the graph of `project/main.ml` with a new resolver (as a new `mlpy` process
/// would); returns the time and how many modules are remote. Every import must resolve.
pub(crate) fn build(project: &Path, options: RemoteOptions) -> (Duration, usize) {
    let started = Instant::now();
    let config = ProjectConfig::load(&project.join("mlpy.json")).unwrap();
    let (resolver, _context) = remote::resolver(Arc::new(config), options).unwrap();
    let graph =
        ModuleGraph::build(&project.join("main.ml"), &resolver, &ModuleCache::new()).unwrap();
    resolver.finish().unwrap();
    let elapsed = started.elapsed();
    for m in &graph.modules {
        for e in &m.imports {
            if let Err(err) = &e.target {
                panic!("{}: {err}", m.name);
            }
        }
    }
    let remote = graph
        .modules
        .iter()
        .filter(|m| matches!(m.origin, Origin::Remote(_)))
        .count();
    (elapsed, remote)
}

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}
