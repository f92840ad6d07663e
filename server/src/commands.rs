//! The `mlpy.*` commands (`workspace/executeCommand`): the ones that need the
//! transpiler, the module graph or the network, which the IDE layer has none of.

use crate::convert::Lines;
use crate::world::World;
use mlpy_modules::ModuleGraph;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::Uri;

fn uri_argument(arguments: &[Value]) -> Result<Uri, String> {
    let value = arguments
        .first()
        .ok_or("expected a document URI as the first argument")?;
    let text = value
        .as_str()
        .or_else(|| value.get("uri").and_then(Value::as_str))
        .ok_or("expected a document URI as the first argument")?;
    text.parse::<Uri>()
        .map_err(|e| format!("'{text}' is not a URI: {e}"))
}

fn graph_for(world: &World, uri: &Uri) -> Result<(PathBuf, ModuleGraph), String> {
    let path = World::path_of(uri).ok_or_else(|| format!("'{}' is not a file", uri.as_str()))?;
    let project = world.project_for(&path);
    // A module open but not saved yet is its editor's text, as for its diagnostics.
    let graph = match world.is_open(&path) && !path.exists() {
        true => ModuleGraph::build_unsaved(&path, &project.resolver, &world.cache),
        false => ModuleGraph::build(&path, &project.resolver, &world.cache),
    }
    .map_err(|e| e.to_string())?;
    Ok((path, graph))
}

/// Runs a command; its error is the message for the user.
pub fn execute_command(world: &World, command: &str, arguments: &[Value]) -> Result<Value, String> {
    match command {
        crate::backend::EMIT_PYTHON => {
            let uri = uri_argument(arguments)?;
            let (path, graph) = graph_for(world, &uri)?;
            let project = world.project_for(&path);
            let options = mlpy_transpile::Options::new(&project.config);
            match mlpy_transpile::transpile_single(&graph, &options) {
                Ok(out) => Ok(json!({ "python": out.text })),
                Err(diagnostics) => {
                    let mut texts: HashMap<PathBuf, String> = HashMap::new();
                    let errors: Vec<Value> = diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| {
                            let text = texts.entry(d.file.clone()).or_insert_with(|| {
                                graph
                                    .by_path(&d.file)
                                    .map(|m| m.file.text.to_string())
                                    .or_else(|| world.load(&d.file).map(|f| f.text.to_string()))
                                    .unwrap_or_default()
                            });
                            let range = Lines::new(text).range(d.range);
                            let uri = world.uri_of(&d.file).map(|u| u.as_str().to_string());
                            let mut message = d.message.clone();
                            for note in &d.notes {
                                message.push('\n');
                                message.push_str(note);
                            }
                            json!({ "uri": uri, "range": range, "message": message, "code": d.code })
                        })
                        .collect();
                    Ok(json!({ "errors": errors }))
                }
            }
        }
        crate::backend::SHOW_MODULE_GRAPH => {
            let uri = uri_argument(arguments)?;
            let (path, graph) = graph_for(world, &uri)?;
            let project = world.project_for(&path);
            let display = |p: &Path| project.resolver.display_path(p);
            Ok(json!({
                "graph": mlpy_modules::report::json(&graph),
                "tree": mlpy_modules::report::tree(&graph, &display),
            }))
        }
        crate::backend::FETCH_MODULES => {
            let uri = uri_argument(arguments)?;
            let path =
                World::path_of(&uri).ok_or_else(|| format!("'{}' is not a file", uri.as_str()))?;
            let project = world.project_for(&path);
            // Online, as `mlpy fetch`: downloads what the file reaches, records mlpy.lock.
            let options = mlpy_remote::RemoteOptions::from_env();
            let report = mlpy_remote::fetch(&path, project.config.clone(), options)
                .map_err(|e| e.to_string())?;
            let errors: Vec<Value> = report
                .errors
                .iter()
                .map(|(module, e)| json!({"module": module, "message": e.to_string()}))
                .collect();
            Ok(json!({ "modules": report.modules, "errors": errors }))
        }
        other => Err(format!("unknown command '{other}'")),
    }
}
