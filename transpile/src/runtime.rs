//! The Python runtime embedded in the binary (`transpile/runtime/mlpy_runtime/`), what the
//! manifest says about the standard library, and the capability model the checker uses
//! (the same as `mlpy_runtime/capabilities.py`).

use mlpy_syntax::ast;
use std::collections::BTreeSet;

/// One Python module of the runtime package.
#[derive(Debug)]
pub struct RuntimeFile {
    /// Dotted module name (`mlpy_runtime.stdlib.math`).
    pub module: &'static str,
    /// Path inside the output folder (`mlpy_runtime/stdlib/math.py`).
    pub path: &'static str,
    pub package: bool,
    /// Runtime modules it imports when loaded.
    pub imports: &'static [&'static str],
    /// Runtime modules it imports inside functions.
    pub lazy_imports: &'static [&'static str],
    pub source: &'static str,
}

/// A standard-library module as the manifest describes it.
#[derive(Debug)]
pub struct StdlibModule {
    pub name: &'static str,
    /// Functions with their signatures.
    pub functions: &'static [(&'static str, &'static str)],
    pub constants: &'static [&'static str],
    /// Every capability its functions may need.
    pub capabilities: &'static [&'static str],
    pub needs_grant: bool,
}

impl StdlibModule {
    pub fn has_function(&self, name: &str) -> bool {
        self.functions.iter().any(|(f, _)| *f == name)
    }

    pub fn has_member(&self, name: &str) -> bool {
        self.has_function(name) || self.constants.contains(&name)
    }

    pub fn member_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.functions
            .iter()
            .map(|(f, _)| *f)
            .chain(self.constants.iter().copied())
    }
}

include!(concat!(env!("OUT_DIR"), "/runtime_data.rs"));

pub fn stdlib_module(name: &str) -> Option<&'static StdlibModule> {
    STDLIB_MODULES.iter().find(|m| m.name == name)
}

pub fn runtime_file(module: &str) -> Option<&'static RuntimeFile> {
    RUNTIME_FILES.iter().find(|f| f.module == module)
}

/// The runtime modules needed to run code that imports `roots`: the roots, everything they
/// import (eagerly or lazily), and their packages. In dependency-free name order.
pub fn runtime_closure(roots: &[String]) -> BTreeSet<&'static str> {
    let mut out: BTreeSet<&'static str> = BTreeSet::new();
    let mut stack: Vec<String> = roots.to_vec();
    while let Some(module) = stack.pop() {
        let Some(file) = runtime_file(&module) else {
            continue;
        };
        if !out.insert(file.module) {
            continue;
        }
        // Packages above the module are imported first by Python.
        let mut parent = module.as_str();
        while let Some((up, _)) = parent.rsplit_once('.') {
            stack.push(up.to_string());
            parent = up;
        }
        stack.extend(file.imports.iter().map(|s| s.to_string()));
        stack.extend(file.lazy_imports.iter().map(|s| s.to_string()));
    }
    out
}

/// Capabilities usable without a grant (`PURE_CAPABILITIES` of the runtime).
pub const PURE_CAPABILITIES: &[&str] = &[
    "collections.read",
    "collections.transform",
    "console.error",
    "console.write",
    "crypto.hash",
    "crypto.random",
    "datetime.create",
    "datetime.now",
    "functional.compose",
    "functional.transform",
    "json.parse",
    "json.serialize",
    "log.write",
    "math.compute",
    "path.read",
    "random.generate",
    "random.sample",
    "regex.compile",
    "regex.match",
];

/// Grant names that stand for a group of capabilities besides the module names.
const GROUPS: &[(&str, &[&str])] = &[("network", &["network.http", "network.https"])];

pub fn needs_grant(capability: &str) -> bool {
    !PURE_CAPABILITIES.contains(&capability)
}

/// The capabilities a grant name stands for: a module (`file`), a group (`network`) or
/// one capability (`file.read`).
pub fn expand_grant(name: &str) -> Vec<String> {
    if let Some(module) = stdlib_module(name) {
        let mut caps: Vec<String> = module.capabilities.iter().map(|c| c.to_string()).collect();
        caps.push(name.to_string());
        return caps;
    }
    if let Some((_, caps)) = GROUPS.iter().find(|(g, _)| *g == name) {
        return caps.iter().map(|c| c.to_string()).collect();
    }
    vec![name.to_string()]
}

/// Whether `capability` is granted by one of `granted`.
pub fn capability_covered(capability: &str, granted: &[String]) -> bool {
    granted
        .iter()
        .any(|g| expand_grant(g.trim()).iter().any(|c| c == capability))
}

/// What a `capability NAME { … }` declaration asks for, as runtime capability names.
///
/// When NAME is a standard-library module (`file`, `env`, `http`, …) or `network`, each
/// `allow PERM` asks for `NAME.PERM` (`allow read` in `capability file` → `file.read`), and a
/// declaration without `allow` asks for all of the module's capabilities. For any other
/// NAME the permission words alone decide: `read` → `file.read`, `write` → `file.write`,
/// `network` → `network.http` and `network.https`; `execute` and `system` have no
/// runtime capability.
pub fn declared_capabilities(decl: &ast::CapabilityDecl) -> Vec<String> {
    let name = decl
        .name()
        .map(|n| n.text().to_ascii_lowercase())
        .unwrap_or_default();
    let permissions: Vec<String> = decl
        .allows()
        .filter_map(|a| a.permission_token())
        .map(|t| t.text().to_ascii_lowercase())
        .collect();
    let module_caps: Option<Vec<&str>> = match name.as_str() {
        "network" | "http" => Some(vec!["network.http", "network.https"]),
        other => stdlib_module(other).map(|m| m.capabilities.to_vec()),
    };
    let mut out: Vec<String> = Vec::new();
    let mut push = |c: &str| {
        if !out.iter().any(|o| o == c) {
            out.push(c.to_string());
        }
    };
    match module_caps {
        Some(caps) if permissions.is_empty() => caps.iter().for_each(|c| push(c)),
        Some(caps) => {
            for permission in &permissions {
                if permission == "network" {
                    caps.iter()
                        .filter(|c| c.starts_with("network."))
                        .for_each(|c| push(c));
                    continue;
                }
                let wanted = format!("{name}.{permission}");
                if caps.contains(&wanted.as_str()) {
                    push(&wanted);
                }
            }
        }
        None => {
            for permission in &permissions {
                match permission.as_str() {
                    "read" => push("file.read"),
                    "write" => push("file.write"),
                    "network" => {
                        push("network.http");
                        push("network.https");
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlpy_syntax::ast::AstNode;

    fn decl(text: &str) -> ast::CapabilityDecl {
        let parse = mlpy_syntax::parse(text);
        parse
            .syntax_node()
            .descendants()
            .find_map(ast::CapabilityDecl::cast)
            .expect("a declaration")
    }

    #[test]
    fn manifest_is_embedded() {
        assert_eq!(STDLIB_MODULES.len(), 16);
        assert!(stdlib_module("math").unwrap().has_member("pi"));
        assert!(stdlib_module("math").unwrap().has_function("sqrt"));
        assert!(runtime_file("mlpy_runtime").unwrap().package);
        assert!(runtime_file("mlpy_runtime.builtins")
            .unwrap()
            .source
            .contains("def print"));
        let closure = runtime_closure(&["mlpy_runtime.stdlib.regex".to_string()]);
        assert!(closure.contains("mlpy_runtime"));
        assert!(closure.contains("mlpy_runtime.stdlib"));
        assert!(closure.contains("mlpy_runtime.objects"));
    }

    #[test]
    fn grants() {
        assert!(capability_covered("file.read", &["file".into()]));
        assert!(capability_covered("network.https", &["network".into()]));
        assert!(capability_covered("network.https", &["http".into()]));
        assert!(!capability_covered("file.write", &["file.read".into()]));
        assert!(!needs_grant("math.compute"));
        assert!(needs_grant("env.read"));
    }

    #[test]
    fn declarations() {
        assert_eq!(
            declared_capabilities(&decl("capability file { allow read; }")),
            vec!["file.read"]
        );
        assert_eq!(
            declared_capabilities(&decl("capability env { resource \"HOME\"; }")),
            vec!["env.read", "env.write"]
        );
        assert_eq!(
            declared_capabilities(&decl(
                "capability Data { resource \"a.txt\"; allow read; allow write \"a.txt\"; }"
            )),
            vec!["file.read", "file.write"]
        );
    }
}
