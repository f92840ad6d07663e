//! Generates what the language knows about its standard library and builtins from the
//! runtime's manifest (`transpile/runtime/manifest.json`), the one source of that
//! knowledge: `$OUT_DIR/stdlib_data.rs` holds
//! * `STDLIB_MODULES`: the standard-library module names, sorted;
//! * `BUILTINS`: the builtin function names, sorted;
//! * `STDLIB`: each module with its functions (and signatures), constants, capabilities
//!   and whether it needs a grant.

use serde_json::Value;
use std::fmt::Write;
use std::path::Path;

fn quoted_list(values: impl Iterator<Item = String>) -> String {
    values
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let manifest_path = Path::new(&manifest_dir).join("../transpile/runtime/manifest.json");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let text = std::fs::read_to_string(&manifest_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest_path.display()));
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    let modules = manifest["modules"]
        .as_object()
        .expect("manifest has `modules`");
    let builtins = manifest["builtins"]
        .as_object()
        .expect("manifest has `builtins`");

    let mut out = String::new();
    let mut names: Vec<&String> = modules.keys().collect();
    names.sort();
    let _ = writeln!(
        out,
        "pub const STDLIB_MODULES: &[&str] = &[{}];\n",
        quoted_list(names.iter().map(|s| s.to_string()))
    );
    let mut builtin_names: Vec<&String> = builtins.keys().collect();
    builtin_names.sort();
    let _ = writeln!(
        out,
        "pub const BUILTINS: &[&str] = &[{}];\n",
        quoted_list(builtin_names.iter().map(|s| s.to_string()))
    );

    out.push_str("pub static STDLIB: &[StdlibModule] = &[\n");
    for name in names {
        let module = &modules[name];
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
            .map(|c| quoted_list(c.keys().cloned()))
            .unwrap_or_default();
        let capabilities = module["capabilities"]
            .as_array()
            .map(|c| quoted_list(c.iter().filter_map(Value::as_str).map(String::from)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    StdlibModule {{ name: {name:?}, functions: &[{functions}], constants: &[{constants}], capabilities: &[{capabilities}], needs_grant: {} }},",
            module["needs_grant"].as_bool().unwrap_or(false)
        );
    }
    out.push_str("];\n");

    let dest = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("stdlib_data.rs");
    std::fs::write(dest, out).expect("write stdlib_data.rs");
}
