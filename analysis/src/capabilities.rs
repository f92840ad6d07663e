//! The capability model the checker uses (the same as `mlpy_runtime/capabilities.py`):
//! which capabilities need a grant, what a grant name stands for, what a `capability`
//! declaration asks for.

use mlpy_modules::stdlib::stdlib_module;
use mlpy_syntax::ast;

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
    "testing.assert",
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

/// Whether a grant name means anything: a standard-library module (`file`), a group
/// (`network`), one capability of a module (`file.read`), or one of the import grants
/// `mlpy-remote` reads — network grants limited to hosts (`network.https://host/…`), git
/// repositories (`git.clone`, `git.clone.git://host/*`), plugins (`plugin.db`). Any other
/// name grants nothing (a typo: `fiel`).
pub fn grant_is_known(name: &str) -> bool {
    let name = name.trim();
    let pattern_of = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    };
    if name == "git.clone"
        || pattern_of("network.")
        || pattern_of("git.clone.")
        || pattern_of("plugin.")
    {
        return true;
    }
    known_grants().any(|known| known == name)
}

/// Every grant name that means something, but the network patterns.
fn known_grants() -> impl Iterator<Item = &'static str> {
    mlpy_modules::stdlib::STDLIB
        .iter()
        .flat_map(|m| std::iter::once(m.name).chain(m.capabilities.iter().copied()))
        .chain(GROUPS.iter().map(|(group, _)| *group))
}

/// "did you mean" for a grant name that means nothing: the known names nearest to it.
pub fn grant_suggestions(name: &str) -> Vec<String> {
    mlpy_modules::suggest::suggestions(name.trim(), known_grants())
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
    fn grants() {
        assert!(capability_covered("file.read", &["file".into()]));
        assert!(capability_covered("network.https", &["network".into()]));
        assert!(capability_covered("network.https", &["http".into()]));
        assert!(!capability_covered("file.write", &["file.read".into()]));
        assert!(!needs_grant("math.compute"));
        assert!(needs_grant("env.read"));
        for known in [
            "file",
            "file.read",
            "path.write",
            "network",
            "network.https",
            "network.https://api.example.com/*",
            "network.127.0.0.1:8443/*",
            "git.clone",
            "git.clone.git://git.example.com/org/*",
            "git.clone.git+file:///srv/repos/*",
            "plugin.db",
            "console",
            " env ",
        ] {
            assert!(grant_is_known(known), "{known}");
        }
        for unknown in [
            "fiel", "file.rad", "bogus", "", "files", "plugin.", "git", "gitclone",
        ] {
            assert!(!grant_is_known(unknown), "{unknown}");
        }
        assert_eq!(grant_suggestions("fiel"), vec!["file".to_string()]);
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
