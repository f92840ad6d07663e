//! Embeds the Python runtime (`runtime/mlpy_runtime/`) and the parts of
//! `runtime/manifest.json` the checker and the emitter need.
//!
//! Generated into `$OUT_DIR/runtime_data.rs`:
//! * `RUNTIME_FILES`: every runtime module of the manifest's `files`, with its path, the
//!   runtime modules it imports (eagerly and lazily) and its source (`include_str!`);
//! * `STDLIB_MODULES`: each standard-library module with its functions (and signatures),
//!   constants, capabilities and whether it needs a grant.

use serde_json::Value;
use std::fmt::Write;
use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let runtime = Path::new(&manifest_dir).join("runtime");
    let manifest_path = runtime.join("manifest.json");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    println!(
        "cargo:rerun-if-changed={}",
        runtime.join("mlpy_runtime").display()
    );
    let text = std::fs::read_to_string(&manifest_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest_path.display()));
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");

    let mut out = String::new();
    out.push_str("pub static RUNTIME_FILES: &[RuntimeFile] = &[\n");
    let files = manifest["files"].as_object().expect("manifest has `files`");
    for (module, entry) in files {
        let path = entry["path"].as_str().expect("file path");
        let full = runtime.join(path);
        println!("cargo:rerun-if-changed={}", full.display());
        let list = |key: &str| -> String {
            entry[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "    RuntimeFile {{ module: {module:?}, path: {path:?}, package: {}, imports: &[{}], lazy_imports: &[{}], source: include_str!({:?}) }},",
            entry["package"].as_bool().unwrap_or(false),
            list("imports"),
            list("lazy_imports"),
            full.display().to_string(),
        );
    }
    out.push_str("];\n\n");

    out.push_str("pub static STDLIB_MODULES: &[StdlibModule] = &[\n");
    let modules = manifest["modules"]
        .as_object()
        .expect("manifest has `modules`");
    for (name, module) in modules {
        let functions = module["functions"]
            .as_object()
            .map(|f| {
                f.iter()
                    .map(|(fname, info)| {
                        format!(
                            "({fname:?}, {:?})",
                            info["signature"].as_str().unwrap_or(fname)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let constants = module["constants"]
            .as_object()
            .map(|c| {
                c.keys()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let capabilities = module["capabilities"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    StdlibModule {{ name: {name:?}, functions: &[{functions}], constants: &[{constants}], capabilities: &[{capabilities}], needs_grant: {} }},",
            module["needs_grant"].as_bool().unwrap_or(false)
        );
    }
    out.push_str("];\n");

    let dest = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("runtime_data.rs");
    std::fs::write(dest, out).expect("write runtime_data.rs");
}
