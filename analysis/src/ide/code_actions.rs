//! Quick fixes, as plain workspace changes: for an unresolved import, create the module or
//! add the folder that has it to `import_paths` in `mlpy.json`; "Change to 'x'" for an
//! unknown member with a near name; "Import module 'x'" for an unknown name that is a
//! module of the standard library or of the import paths; fetch a remote module that is
//! not cached.

use super::imports::{insertion, modules_named};
use super::{ActionDiagnostic, CodeAction, FileCtx, FileEdit, FileOperation, Fix};
use mlpy_modules::file_protocol::FileProtocol;
use mlpy_modules::scopes::NameRes;
use mlpy_modules::{DiagnosticCode, ImportSpec, ResolveError};
use mlpy_syntax::{SyntaxKind, TextRange, TextSize};
use std::path::{Path, PathBuf};

/// The quick fixes for `range` of the file: from the client's `diagnostics` there, else
/// for an unresolved import at the range. `create_files`: whether the client can create
/// files (fixes that need it are left out otherwise).
pub fn code_actions(
    ctx: &FileCtx,
    range: TextRange,
    diagnostics: &[ActionDiagnostic],
    create_files: bool,
) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let imports = imports_of(ctx);
    let mut handled_import = false;
    let mut handled_name = false;
    for (i, d) in diagnostics.iter().enumerate() {
        match d.code {
            DiagnosticCode::UnknownIdentifier | DiagnosticCode::UnknownFunction => {
                handled_name |= import_module_fixes(ctx, d.range, Some(i), &mut out);
            }
            DiagnosticCode::UnresolvedImport => {
                if let Some((ImportSpec::Dotted(parts), _)) = import_at(&imports, d.range) {
                    unresolved_import_fixes(ctx, &parts, Some(i), create_files, &mut out);
                    handled_import = true;
                }
            }
            DiagnosticCode::RemoteNotCached => out.push(CodeAction {
                title: "Fetch remote modules (mlpy fetch)".into(),
                diagnostic: Some(i),
                fix: Fix::FetchModules,
            }),
            DiagnosticCode::UnknownMember => {
                let near = d.message.lines().find_map(|l| {
                    l.strip_prefix("did you mean '")
                        .and_then(|r| r.strip_suffix("'?"))
                });
                if let Some(name) = near {
                    let edit = FileEdit {
                        path: ctx.path().to_path_buf(),
                        edits: vec![(d.range, name.to_string())],
                    };
                    out.push(CodeAction {
                        title: format!("Change to '{name}'"),
                        diagnostic: Some(i),
                        fix: Fix::Change(vec![FileOperation::Edit(edit)]),
                    });
                }
            }
            _ => {}
        }
    }
    if !handled_import {
        if let Some((ImportSpec::Dotted(parts), _)) = import_at(&imports, range) {
            let spec = ImportSpec::Dotted(parts.clone());
            if let Some(Err(ResolveError::NotFound { .. })) = ctx.resolve(&spec, None) {
                unresolved_import_fixes(ctx, &parts, None, create_files, &mut out);
            }
        }
    }
    if !handled_name {
        if let Some(name) = unknown_name_at(ctx, range.start()) {
            import_module_fixes(ctx, name, None, &mut out);
        }
    }
    out
}

/// The name at `offset` when it is used and defined nowhere (without a diagnostic: a
/// client that sends none, or a range the editor chose).
fn unknown_name_at(ctx: &FileCtx, offset: TextSize) -> Option<TextRange> {
    let token = crate::semantics::word_at(&ctx.root(), offset)?;
    let is_use = token.kind() == SyntaxKind::IDENT
        && token
            .parent()
            .is_some_and(|p| p.kind() == SyntaxKind::NAME_REF)
        && token
            .parent()
            .and_then(|p| p.parent())
            .is_some_and(|g| g.kind() == SyntaxKind::PATH_EXPR);
    let range = token.text_range();
    (is_use && ctx.file().scopes().resolve(range) == NameRes::Unknown).then_some(range)
}

/// "Import module 'x'" for the unknown name at `range`: one fix per module it can import.
/// True when the name is one this fix is about (whether or not a module was found).
fn import_module_fixes(
    ctx: &FileCtx,
    range: TextRange,
    diagnostic: Option<usize>,
    out: &mut Vec<CodeAction>,
) -> bool {
    let Some(name) = ctx.text().get(std::ops::Range::<usize>::from(range)) else {
        return false;
    };
    for candidate in modules_named(ctx, name) {
        let statement = candidate.statement();
        let title = match candidate.spelling == candidate.name {
            true => format!("Import module '{}'", candidate.name),
            false => format!("Import module '{}'", candidate.spelling),
        };
        let edit = FileEdit {
            path: ctx.path().to_path_buf(),
            edits: vec![insertion(ctx, &statement)],
        };
        out.push(CodeAction {
            title,
            diagnostic,
            fix: Fix::Change(vec![FileOperation::Edit(edit)]),
        });
    }
    true
}

/// Every import of the file: its spec and the range of its path or URL, in order.
fn imports_of(ctx: &FileCtx) -> Vec<(ImportSpec, TextRange)> {
    ctx.file()
        .parse
        .tree()
        .imports()
        .filter_map(|import| mlpy_modules::graph::import_spec(&import))
        .collect()
}

/// The first import whose path or URL covers, is inside, or touches `range`: a binary
/// search, the imports being in order.
fn import_at(
    imports: &[(ImportSpec, TextRange)],
    range: TextRange,
) -> Option<(ImportSpec, TextRange)> {
    let first = imports.partition_point(|(_, target)| target.end() < range.start());
    imports
        .get(first)
        .filter(|(_, target)| target.start() <= range.end())
        .cloned()
}

/// The fixes of the unresolved import `parts`: create the module in the first import
/// root (beside the importer without one); add each folder of the project that has it to
/// `import_paths`.
fn unresolved_import_fixes(
    ctx: &FileCtx,
    parts: &[String],
    diagnostic: Option<usize>,
    create_files: bool,
    out: &mut Vec<CodeAction>,
) {
    let Some(resolver) = ctx.resolver() else {
        return;
    };
    let config = resolver.config();
    let base = resolver
        .import_roots()
        .iter()
        .find_map(|r| r.canonical.clone())
        .or_else(|| ctx.path().parent().map(Path::to_path_buf));
    if let (Some(base), true) = (base, create_files) {
        let [file, _] = FileProtocol::candidates(&base, parts);
        out.push(CodeAction {
            title: format!("Create module {}", resolver.display_path(&file)),
            diagnostic,
            fix: Fix::Change(vec![FileOperation::Create {
                path: file,
                overwrite: false,
                ignore_if_exists: true,
            }]),
        });
    }
    let config_path = config
        .config_file
        .clone()
        .unwrap_or_else(|| config.root.join(mlpy_modules::config::CONFIG_FILE_NAME));
    for folder in folders_with(ctx, parts, &config.root) {
        let shown = match folder.strip_prefix(&config.root) {
            Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
            Ok(r) => r.display().to_string(),
            Err(_) => folder.display().to_string(),
        };
        let old = std::fs::read_to_string(&config_path).ok();
        let new = add_import_path(old.as_deref(), &shown);
        let operations = match (&old, create_files) {
            (Some(old), _) => vec![FileOperation::Edit(FileEdit {
                path: config_path.clone(),
                edits: vec![(TextRange::up_to(TextSize::of(old.as_str())), new)],
            })],
            (None, true) => vec![
                FileOperation::Create {
                    path: config_path.clone(),
                    overwrite: false,
                    ignore_if_exists: false,
                },
                FileOperation::Edit(FileEdit {
                    path: config_path.clone(),
                    edits: vec![(TextRange::empty(0.into()), new)],
                }),
            ],
            (None, false) => continue,
        };
        out.push(CodeAction {
            title: format!("Add \"{shown}\" to import_paths in mlpy.json"),
            diagnostic,
            fix: Fix::Change(operations),
        });
    }
}

/// The folders of the project (under `root`) where the module `parts` exists (as
/// `a/b.ml` or `a/b/__init__.ml`), among the host's files.
fn folders_with(ctx: &FileCtx, parts: &[String], root: &Path) -> Vec<PathBuf> {
    let suffix: PathBuf = parts.iter().collect();
    let file_suffix = suffix.with_extension("ml");
    let package_suffix = suffix.join("__init__.ml");
    let mut folders: Vec<PathBuf> = Vec::new();
    for f in ctx.host().files() {
        for s in [&file_suffix, &package_suffix] {
            if !f.ends_with(s) {
                continue;
            }
            let mut folder = f.clone();
            for _ in 0..s.components().count() {
                folder.pop();
            }
            if folder.starts_with(root) && !folders.contains(&folder) {
                folders.push(folder);
            }
        }
    }
    folders
}

/// The text of `mlpy.json` with `folder` added to `import_paths` (creating the key with
/// the default `"."` first when absent), changing nothing else of the text.
pub fn add_import_path(config_text: Option<&str>, folder: &str) -> String {
    let quoted = quote(folder);
    let Some(text) = config_text else {
        return format!("{{\n  \"import_paths\": [{quoted}]\n}}\n");
    };
    if let Some(key) = text.find("\"import_paths\"") {
        if let Some(open) = text[key..].find('[').map(|i| key + i) {
            if let Some(close) = text[open..].find(']').map(|i| open + i) {
                let inside = text[open + 1..close].trim();
                let insertion = if inside.is_empty() {
                    quoted
                } else {
                    format!(", {quoted}")
                };
                let at = open + 1 + text[open + 1..close].trim_end().len();
                return format!("{}{insertion}{}", &text[..at], &text[at..]);
            }
        }
    }
    match text.find('{') {
        Some(open) => {
            let rest = text[open + 1..].trim_start();
            let comma = if rest.starts_with('}') { "" } else { "," };
            format!(
                "{}\n  \"import_paths\": [\".\", {quoted}]{comma}{}",
                &text[..=open],
                &text[open + 1..]
            )
        }
        None => format!("{{\n  \"import_paths\": [\".\", {quoted}]\n}}\n"),
    }
}

/// A JSON string of `text`.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    const BROKEN: &str = "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport [|geometri|];\nimport [|helper|];\nimport geometry;\nprint(geometry.arae(1));\n$0\n//- /lib/geometry.ml\nfunction area(r) { return r; }\n//- /other/helper.ml\nx = 1;\n";

    fn unresolved(fx: &Fixture, index: usize) -> ActionDiagnostic {
        ActionDiagnostic {
            code: DiagnosticCode::UnresolvedImport,
            range: fx.marked_ranges()[index],
            message: "cannot find module".into(),
        }
    }

    fn titles(actions: &[CodeAction]) -> Vec<&str> {
        actions.iter().map(|a| a.title.as_str()).collect()
    }

    #[test]
    fn create_a_missing_module() {
        let fx = Fixture::new(BROKEN);
        let d = unresolved(&fx, 0);
        let actions = code_actions(&fx.ctx(), d.range, std::slice::from_ref(&d), true);
        assert_eq!(titles(&actions), ["Create module lib/geometri.ml"]);
        assert_eq!(actions[0].diagnostic, Some(0));
        assert_eq!(
            actions[0].fix,
            Fix::Change(vec![FileOperation::Create {
                path: fx.path("lib/geometri.ml"),
                overwrite: false,
                ignore_if_exists: true
            }])
        );
        // A client that cannot create files gets no such fix.
        let actions = code_actions(&fx.ctx(), d.range, &[d], false);
        assert!(actions.is_empty(), "{actions:?}");
    }

    #[test]
    fn add_the_folder_that_has_the_module() {
        let fx = Fixture::new(BROKEN);
        let d = unresolved(&fx, 1);
        let actions = code_actions(&fx.ctx(), d.range, &[d], false);
        assert_eq!(
            titles(&actions),
            ["Add \"other\" to import_paths in mlpy.json"]
        );
        let Fix::Change(operations) = &actions[0].fix else {
            panic!("{actions:?}")
        };
        let [FileOperation::Edit(edit)] = operations.as_slice() else {
            panic!("{operations:?}")
        };
        assert_eq!(edit.path, fx.path("mlpy.json"));
        let old = "{\"import_paths\": [\"lib\"]}\n";
        assert_eq!(
            edit.edits,
            [(
                TextRange::up_to(TextSize::of(old)),
                "{\"import_paths\": [\"lib\", \"other\"]}\n".to_string()
            )]
        );
    }

    #[test]
    fn without_mlpy_json_the_fix_creates_it() {
        let fx = Fixture::new("//- /main.ml\nimport helper;\n$0\n//- /other/helper.ml\nx = 1;\n");
        let range = TextRange::new(7.into(), 13.into());
        let actions = code_actions(&fx.ctx(), range, &[], true);
        let add = actions
            .iter()
            .find(|a| a.title == "Add \"other\" to import_paths in mlpy.json")
            .unwrap_or_else(|| panic!("{actions:?}"));
        let config = fx.path("mlpy.json");
        assert_eq!(
            add.fix,
            Fix::Change(vec![
                FileOperation::Create {
                    path: config.clone(),
                    overwrite: false,
                    ignore_if_exists: false
                },
                FileOperation::Edit(FileEdit {
                    path: config,
                    edits: vec![(
                        TextRange::empty(0.into()),
                        "{\n  \"import_paths\": [\"other\"]\n}\n".to_string()
                    )]
                })
            ])
        );
    }

    #[test]
    fn found_from_the_range_without_a_diagnostic() {
        let fx = Fixture::new(BROKEN);
        let at = TextRange::empty(fx.marked_ranges()[0].start() + TextSize::from(2));
        let actions = code_actions(&fx.ctx(), at, &[], true);
        assert_eq!(titles(&actions), ["Create module lib/geometri.ml"]);
        assert_eq!(actions[0].diagnostic, None);
        // An import that resolves has no fix.
        let resolved = TextRange::empty(TextSize::from(
            fx.ctx().text().find("geometry;").unwrap() as u32
        ));
        assert!(code_actions(&fx.ctx(), resolved, &[], true).is_empty());
    }

    #[test]
    fn change_an_unknown_member_to_the_near_name() {
        let fx = Fixture::new(BROKEN);
        let at = fx.ctx().text().find("arae").unwrap() as u32;
        let range = TextRange::at(at.into(), 4.into());
        let d = ActionDiagnostic {
            code: DiagnosticCode::UnknownMember,
            range,
            message: "module 'geometry' has no member 'arae'\ndid you mean 'area'?".into(),
        };
        let actions = code_actions(&fx.ctx(), range, &[d], true);
        assert_eq!(titles(&actions), ["Change to 'area'"]);
        let edit = FileEdit {
            path: fx.path("main.ml"),
            edits: vec![(range, "area".into())],
        };
        assert_eq!(actions[0].fix, Fix::Change(vec![FileOperation::Edit(edit)]));
    }

    #[test]
    fn fetch_a_remote_module_that_is_not_cached() {
        let fx = Fixture::new("//- /main.ml\nimport https://example.org/geo;\n$0");
        let d = ActionDiagnostic {
            code: DiagnosticCode::RemoteNotCached,
            range: TextRange::new(7.into(), 30.into()),
            message: "not cached".into(),
        };
        let actions = code_actions(&fx.ctx(), d.range, &[d], true);
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].fix, Fix::FetchModules);
    }

    #[test]
    fn import_an_unknown_name_that_is_a_module() {
        let fx = Fixture::new(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport helpers;\nx = [|math|].sqrt(2) + [|shapes|].area(1) + [|nosuch|];\n$0\n//- /lib/helpers.ml\nx = 1;\n//- /lib/geo/shapes.ml\nfunction area(r) { return r; }\n",
        );
        let ctx = fx.ctx();
        let marks = fx.marked_ranges();
        let unknown = |range: TextRange| ActionDiagnostic {
            code: DiagnosticCode::UnknownIdentifier,
            range,
            message: "Unknown identifier".into(),
        };
        let actions = code_actions(&ctx, marks[0], &[unknown(marks[0])], true);
        assert_eq!(titles(&actions), ["Import module 'math'"]);
        assert_eq!(actions[0].diagnostic, Some(0));
        let after_imports = TextRange::empty(TextSize::of("import helpers;\n"));
        let edit = FileEdit {
            path: fx.path("main.ml"),
            edits: vec![(after_imports, "import math;\n".into())],
        };
        assert_eq!(actions[0].fix, Fix::Change(vec![FileOperation::Edit(edit)]));
        // A deeper module, under an alias; found from the range alone too.
        let actions = code_actions(&ctx, marks[1], &[], true);
        assert_eq!(titles(&actions), ["Import module 'geo.shapes as shapes'"]);
        assert!(code_actions(&ctx, marks[2], &[unknown(marks[2])], true).is_empty());
    }

    #[test]
    fn import_paths_are_added_to_any_mlpy_json() {
        assert_eq!(
            add_import_path(Some("{\"import_paths\": []}"), "a"),
            "{\"import_paths\": [\"a\"]}"
        );
        assert_eq!(
            add_import_path(Some("{\n  \"import_paths\": [\"lib\" ]\n}"), "a"),
            "{\n  \"import_paths\": [\"lib\", \"a\" ]\n}"
        );
        assert_eq!(
            add_import_path(Some("{}"), "a"),
            "{\n  \"import_paths\": [\".\", \"a\"]}"
        );
        assert_eq!(
            add_import_path(Some("{\"allow_current_dir\": true}"), "a\"b"),
            "{\n  \"import_paths\": [\".\", \"a\\\"b\"],\"allow_current_dir\": true}"
        );
        assert_eq!(
            add_import_path(None, "a"),
            "{\n  \"import_paths\": [\"a\"]\n}\n"
        );
    }
}
