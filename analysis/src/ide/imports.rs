//! Adding an import to a file, for the "Import this module" quick fix and the completion
//! of modules not imported yet: where the statement goes, and which modules a name can
//! import (the standard library, the modules of the import roots, deeper modules under
//! an alias).

use super::display::module_name;
use super::rename::invalid_name;
use super::stdlib_docs;
use super::FileCtx;
use mlpy_modules::protocol::PACKAGE_FILE;
use mlpy_modules::stdlib::{is_builtin, STDLIB_MODULES};
use mlpy_modules::{ImportSpec, Resolution};
use mlpy_syntax::ast::AstNode;
use mlpy_syntax::{SyntaxKind, TextRange, TextSize};
use std::path::{Path, PathBuf};

/// A module a name can be bound to by one import statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportCandidate {
    /// The name the import binds.
    pub name: String,
    /// `math`, `geo.shapes as shapes`: what follows `import `.
    pub spelling: String,
    /// `standard library`, or the module file's path in its project.
    pub detail: String,
    /// Markdown: the standard-library module's doc.
    pub doc: Option<String>,
}

impl ImportCandidate {
    pub(super) fn statement(&self) -> String {
        format!("import {};", self.spelling)
    }
}

/// The edit that adds `statement` to the file: after the last top-level import, else
/// after the file's header (the `// mlpy` marker line, or comment lines and the blank
/// line after them), else at the start.
pub(crate) fn insertion(ctx: &FileCtx, statement: &str) -> (TextRange, String) {
    InsertAt::of(ctx).edit(statement)
}

/// Where new import statements go in a file, and what surrounds them there.
pub(crate) struct InsertAt {
    at: TextSize,
    before: &'static str,
    after: &'static str,
}

impl InsertAt {
    pub(super) fn of(ctx: &FileCtx) -> InsertAt {
        let text = ctx.text();
        let last_import = ctx
            .file()
            .parse
            .tree()
            .imports()
            .map(|i| i.syntax().text_range().end())
            .max();
        if let Some(end) = last_import {
            let end = usize::from(end);
            return match text[end..].find('\n') {
                Some(nl) => InsertAt {
                    at: TextSize::from((end + nl + 1) as u32),
                    before: "",
                    after: "\n",
                },
                None => InsertAt {
                    at: TextSize::of(text),
                    before: "\n",
                    after: "",
                },
            };
        }
        let at = header_end(text);
        let next_line = text[at..].lines().next().unwrap_or("");
        InsertAt {
            at: TextSize::from(at as u32),
            before: "",
            after: if next_line.trim().is_empty() {
                "\n"
            } else {
                "\n\n"
            },
        }
    }

    pub(super) fn edit(&self, statement: &str) -> (TextRange, String) {
        (
            TextRange::empty(self.at),
            format!("{}{statement}{}", self.before, self.after),
        )
    }
}

/// Where a file's header ends: after a `// mlpy` marker line, and after a run of comment
/// lines that a blank line separates from the code (with that blank line).
fn header_end(text: &str) -> usize {
    let mut at = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    if let Some(first) = lines.peek() {
        let marker = first.trim_start_matches('\u{feff}').trim_start();
        let is_marker = marker
            .strip_prefix("//")
            .map(str::trim_start)
            .is_some_and(|r| r.starts_with("mlpy"));
        if is_marker {
            at += first.len();
            lines.next();
        }
    }
    let mut comments = 0;
    for line in lines {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            comments += line.len();
            continue;
        }
        if trimmed.is_empty() && comments > 0 {
            return at + comments + line.len();
        }
        break;
    }
    at
}

fn stdlib_candidate(name: &str) -> ImportCandidate {
    ImportCandidate {
        name: name.to_string(),
        spelling: name.to_string(),
        detail: "standard library".to_string(),
        doc: stdlib_docs::stdlib_module(name).map(|d| d.doc.to_string()),
    }
}

/// Whether `name` can be bound by an import (not a keyword, builtin or reserved name).
fn bindable(name: &str) -> bool {
    invalid_name(name).is_none() && !is_builtin(name)
}

/// The modules an unknown `name` could be the import of: the standard-library module or
/// the module `name` of the import paths (`import name;`), then every deeper module of
/// the workspace named so (`import a.b.name as name;`).
pub(crate) fn modules_named(ctx: &FileCtx, name: &str) -> Vec<ImportCandidate> {
    let mut out = Vec::new();
    if !bindable(name) {
        return out;
    }
    let spec = ImportSpec::Dotted(vec![name.to_string()]);
    match ctx.resolve(&spec, None) {
        Some(Ok(Resolution::Stdlib(_))) => out.push(stdlib_candidate(name)),
        Some(Ok(Resolution::Module(located))) => out.push(ImportCandidate {
            name: name.to_string(),
            spelling: name.to_string(),
            detail: shown(ctx, &located.path),
            doc: None,
        }),
        _ => {}
    }
    let Some(resolver) = ctx.resolver() else {
        return out;
    };
    for path in ctx.host().files() {
        if path == ctx.path() || !named(&path, name) {
            continue;
        }
        let Some(dotted) = resolver.module_name_of(&path) else {
            continue;
        };
        if !dotted.contains('.') || out.iter().any(|c| c.spelling.starts_with(&dotted)) {
            continue;
        }
        // Only what the import would really reach from this file.
        let spec = ImportSpec::dotted(&dotted);
        let reaches = matches!(
            ctx.resolve(&spec, None),
            Some(Ok(Resolution::Module(l))) if l.path == path
        );
        if reaches {
            out.push(ImportCandidate {
                name: name.to_string(),
                spelling: format!("{dotted} as {name}"),
                detail: shown(ctx, &path),
                doc: None,
            });
        }
    }
    out
}

/// Whether a module file is the module `name` (`name.ml`, `name/__init__.ml`).
fn named(path: &Path, name: &str) -> bool {
    let stem = match path.file_name().is_some_and(|n| n == PACKAGE_FILE) {
        true => path.parent().and_then(Path::file_name),
        false => path.file_stem(),
    };
    stem.is_some_and(|s| s == name)
}

fn shown(ctx: &FileCtx, path: &Path) -> String {
    match ctx.resolver() {
        Some(resolver) => resolver.display_path(path),
        None => module_name(ctx.host(), path),
    }
}

/// The modules that an import of their own name reaches (the standard library's, and
/// the `.ml` files and packages at the top of the import roots), for completion.
pub(crate) fn importable_modules(ctx: &FileCtx) -> Vec<ImportCandidate> {
    let mut out: Vec<ImportCandidate> = STDLIB_MODULES
        .iter()
        .filter(|m| bindable(m))
        .map(|m| stdlib_candidate(m))
        .collect();
    let Some(resolver) = ctx.resolver() else {
        return out;
    };
    let roots: Vec<PathBuf> = resolver
        .import_roots()
        .iter()
        .filter_map(|r| r.canonical.clone())
        .collect();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            // The entry's type comes with the listing: no look at each file.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let (name, file) = match name.strip_suffix(".ml") {
                Some(stem) if kind.is_file() => (stem.to_string(), path.clone()),
                None if kind.is_dir() && path.join(PACKAGE_FILE).is_file() => {
                    (name, path.join(PACKAGE_FILE))
                }
                _ => continue,
            };
            let taken = out.iter().any(|c| c.name == name);
            if taken || !bindable(&name) || name.starts_with("__") || file == ctx.path() {
                continue;
            }
            if SyntaxKind::from_keyword(&name).is_some() {
                continue;
            }
            out.push(ImportCandidate {
                detail: shown(ctx, &file),
                spelling: name.clone(),
                name,
                doc: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    fn inserted(text: &str) -> String {
        let fx = Fixture::new(&format!("//- /main.ml\n{text}$0"));
        let (range, new) = insertion(&fx.ctx(), "import math;");
        let mut out = fx.ctx().text().to_string();
        out.replace_range(std::ops::Range::<usize>::from(range), &new);
        out
    }

    #[test]
    fn imports_go_after_the_last_import_or_the_header() {
        assert_eq!(
            inserted("import a;\nimport b;\nx = 1;\n"),
            "import a;\nimport b;\nimport math;\nx = 1;\n"
        );
        assert_eq!(inserted("import a;"), "import a;\nimport math;");
        assert_eq!(inserted("x = 1;\n"), "import math;\n\nx = 1;\n");
        assert_eq!(
            inserted("// mlpy\nx = 1;\n"),
            "// mlpy\nimport math;\n\nx = 1;\n"
        );
        assert_eq!(
            inserted("// A header.\n\n// f's doc.\nfunction f() { }\n"),
            "// A header.\n\nimport math;\n\n// f's doc.\nfunction f() { }\n"
        );
        // A doc comment directly above code is not a header.
        assert_eq!(
            inserted("// f's doc.\nfunction f() { }\n"),
            "import math;\n\n// f's doc.\nfunction f() { }\n"
        );
    }

    #[test]
    fn modules_a_name_can_import() {
        let fx = Fixture::new(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\n$0\n//- /lib/geo/shapes.ml\nx = 1;\n//- /lib/helpers.ml\nx = 1;\n//- /lib/pkg/__init__.ml\nx = 1;\n",
        );
        let ctx = fx.ctx();
        let spell = |name: &str| -> Vec<String> {
            modules_named(&ctx, name)
                .into_iter()
                .map(|c| c.statement())
                .collect()
        };
        assert_eq!(spell("math"), ["import math;"]);
        assert_eq!(spell("helpers"), ["import helpers;"]);
        assert_eq!(spell("shapes"), ["import geo.shapes as shapes;"]);
        assert_eq!(spell("pkg"), ["import pkg;"]);
        assert!(spell("nosuch").is_empty());
        assert!(spell("len").is_empty());
        let names: Vec<String> = importable_modules(&ctx)
            .into_iter()
            .map(|c| c.name)
            .collect();
        for wanted in ["math", "json", "helpers", "pkg"] {
            assert!(names.contains(&wanted.to_string()), "{wanted} in {names:?}");
        }
        assert!(!names.contains(&"geo".to_string()), "{names:?}");
    }
}
