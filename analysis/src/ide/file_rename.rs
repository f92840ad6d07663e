//! Moving and renaming modules: the edits that keep every import of a moved module file
//! (or of the modules of a moved folder) right. An import spells its module relative to
//! the folder it was found in (an import root, or the importer's folder); the new
//! spelling is the new file's path relative to that same folder, else to another import
//! root (`import a.b;` → `import c.d;`). Without an alias, the dotted uses that spell the
//! module's path follow (`a.b.f()` → `c.d.f()`); with one (`import a.b as x;`) only the
//! import changes. Remote (URL) imports never move.
//!
//! The edits are of the files as they are before the move (LSP's `willRenameFiles`: the
//! editor applies them, then moves the files).

use super::rename::invalid_name;
use super::{FileCtx, FileEdit, FileMove, Host};
use crate::semantics::ModuleRef;
use mlpy_modules::file_protocol::FileProtocol;
use mlpy_modules::protocol::PACKAGE_FILE;
use mlpy_modules::scopes::{BindingId, BindingKind};
use mlpy_modules::{ImportSpec, Resolution, ResolveError};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxKind, TextRange};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

pub fn will_rename_files(host: &dyn Host, moves: &[FileMove]) -> Vec<FileEdit> {
    let files = host.files();
    let moved = moved_modules(&files, moves);
    if moved.is_empty() {
        return Vec::new();
    }
    // An import of a moved module spells its file's stem, or its folder's name.
    let needles: Vec<String> = moves.iter().filter_map(|m| needle(&m.from)).collect();
    let mut out = Vec::new();
    for path in &files {
        let Some(file) = host.load(path) else {
            continue;
        };
        if !needles.iter().any(|n| contains_word(&file.text, n)) {
            continue;
        }
        let ctx = FileCtx::of_file(host, path, file);
        let edits = without_overlaps(import_edits(&ctx, &moved));
        if edits.is_empty() {
            continue;
        }
        out.push(FileEdit {
            path: path.clone(),
            edits,
        });
    }
    out
}

/// Whether `word` is in `text` as a whole word (`m3` in `import a.m3;`, not in `m30`):
/// most files of a large workspace are then passed over without resolving anything.
pub(super) fn contains_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Every module file a move takes somewhere else: old path → new path.
fn moved_modules(files: &[PathBuf], moves: &[FileMove]) -> FxHashMap<PathBuf, PathBuf> {
    let mut out = FxHashMap::default();
    for m in moves {
        let is_module = |p: &Path| p.extension().is_some_and(|e| e == "ml");
        if is_module(&m.from) && files.binary_search(&m.from).is_ok() {
            // A module renamed to something that is no module file cannot be imported.
            if is_module(&m.to) {
                out.insert(m.from.clone(), m.to.clone());
            }
            continue;
        }
        for f in files
            .iter()
            .filter(|f| f.starts_with(&m.from) && **f != m.from)
        {
            if let Ok(rel) = f.strip_prefix(&m.from) {
                out.insert(f.clone(), m.to.join(rel));
            }
        }
    }
    out
}

/// The word an import of something under `from` must contain.
fn needle(from: &Path) -> Option<String> {
    let name = match from.extension().is_some_and(|e| e == "ml") {
        true if from.file_name().is_some_and(|n| n == PACKAGE_FILE) => {
            from.parent()?.file_name()?
        }
        true => from.file_stem()?,
        false => from.file_name()?,
    };
    Some(name.to_string_lossy().into_owned())
}

/// The edits of one file: its imports of moved modules and, without an alias, the uses
/// that spell them.
fn import_edits(ctx: &FileCtx, moved: &FxHashMap<PathBuf, PathBuf>) -> Vec<(TextRange, String)> {
    let scopes = ctx.file().scopes();
    let mut out = Vec::new();
    // Per import binding, its moved paths: old dotted path → new spelling. Each binding's
    // uses are then walked once, however many of its imports moved.
    let mut renamed: FxHashMap<BindingId, FxHashMap<String, String>> = FxHashMap::default();
    for import in ctx.file().parse.tree().imports() {
        let Some((ImportSpec::Dotted(parts), range)) = mlpy_modules::graph::import_spec(&import)
        else {
            continue;
        };
        let Some(imported) = ctx.imported_by(&import) else {
            continue;
        };
        let ModuleRef::User(old) = &imported.module else {
            continue;
        };
        let Some(new) = moved.get(old) else {
            continue;
        };
        let Some(spelling) = new_spelling(ctx, old, new, &parts) else {
            continue;
        };
        let old_spelling = parts.join(".");
        if spelling == old_spelling || !reaches_after_move(ctx, &import, &spelling, new) {
            continue;
        }
        out.push((range, spelling.clone()));
        if import.alias().is_some() {
            continue;
        }
        let statement = import.syntax().text_range();
        let binds = |b: &BindingId| {
            let binding = scopes.binding(*b);
            binding.kind == BindingKind::Import
                && binding.imports.iter().any(|i| i.statement == statement)
        };
        // Imports are at the top level, but may be anywhere.
        let binding = scopes.module_binding(&parts[0]).filter(binds).or_else(|| {
            (0..scopes.bindings.len() as u32)
                .map(BindingId)
                .find(|b| scopes.binding(*b).name == parts[0] && binds(b))
        });
        if let Some(b) = binding {
            renamed.entry(b).or_default().insert(old_spelling, spelling);
        }
    }
    let sema = ctx.semantics();
    // A binding also assigned otherwise names no module in its uses.
    renamed.retain(|b, _| sema.is_pure_import(*b));
    if !renamed.is_empty() {
        out.extend(dotted_uses(ctx, &renamed));
    }
    out
}

/// The uses of the import bindings that spell one of their moved paths (`a.b` of
/// `a.b.f()`), the longest one where several match, with the new spelling. The uses are
/// found in one walk of the file (not one descent from the root each).
fn dotted_uses(
    ctx: &FileCtx,
    renamed: &FxHashMap<BindingId, FxHashMap<String, String>>,
) -> Vec<(TextRange, String)> {
    let scopes = ctx.file().scopes();
    let uses: FxHashMap<TextRange, BindingId> = renamed
        .keys()
        .flat_map(|b| scopes.references(*b).iter().map(move |r| (*r, *b)))
        .collect();
    // How many names the longest moved path of each binding has.
    let longest: FxHashMap<BindingId, usize> = renamed
        .iter()
        .map(|(b, paths)| {
            let most = paths.keys().map(|k| k.split('.').count()).max();
            (*b, most.unwrap_or(0))
        })
        .collect();
    let mut out = Vec::new();
    for path in ctx.root().descendants().filter_map(ast::PathExpr::cast) {
        let Some(token) = path.name_ref().and_then(|n| n.ident_token()) else {
            continue;
        };
        let range = token.text_range();
        let Some(b) = uses.get(&range) else {
            continue;
        };
        let (paths, longest) = (&renamed[b], longest[b]);
        // Up the member chain, as far as the longest moved path goes.
        let mut spelt = vec![(token.text().to_string(), range.end())];
        let mut node = path.syntax().clone();
        while spelt.len() < longest {
            let Some(field) = node.parent().and_then(ast::FieldExpr::cast) else {
                break;
            };
            let Some(name) = field.name_ref().and_then(|n| n.ident_token()) else {
                break;
            };
            let (last, _) = spelt.last().expect("never empty");
            spelt.push((format!("{last}.{}", name.text()), name.text_range().end()));
            node = field.syntax().clone();
        }
        let found = spelt
            .iter()
            .rev()
            .find_map(|(prefix, end)| Some((*end, paths.get(prefix)?)));
        if let Some((end, new)) = found {
            out.push((TextRange::new(range.start(), end), new.clone()));
        }
    }
    out
}

/// How an import must spell the module that moves from `old` to `new`, when it spelt
/// it `parts`: relative to the folder the old spelling was relative to, else to an
/// import root of the project.
fn new_spelling(ctx: &FileCtx, old: &Path, new: &Path, parts: &[String]) -> Option<String> {
    let is_package = old.file_name().is_some_and(|n| n == PACKAGE_FILE);
    let depth = parts.len() + usize::from(is_package);
    let base = old.ancestors().nth(depth)?;
    if let Ok(rel) = new.strip_prefix(base) {
        return dotted(rel);
    }
    ctx.resolver()?.import_roots().iter().find_map(|root| {
        let rel = new.strip_prefix(root.canonical.as_ref()?).ok()?;
        dotted(rel)
    })
}

/// Whether an import spelt `spelling` reaches `new` once the module is there: nothing
/// found before it in the resolution order takes the spelling (a standard-library
/// module, an import source, a module file of an earlier import root, `x.ml` before
/// `x/__init__.ml`). Else no import can spell the moved module from here.
fn reaches_after_move(ctx: &FileCtx, import: &ast::Import, spelling: &str, new: &Path) -> bool {
    let parts: Vec<String> = spelling.split('.').map(str::to_string).collect();
    match ctx.resolve(&ImportSpec::Dotted(parts.clone()), Some(import)) {
        Some(Ok(Resolution::Module(found))) if found.path == new => true,
        // Found where the search looks before `new`'s place, or after it: an import
        // source's module (no place of the search) is asked before any file.
        Some(Ok(Resolution::Module(found))) => {
            match (
                search_place(ctx, &parts, new),
                search_place(ctx, &parts, &found.path),
            ) {
                (Some(at), Some(other)) => at < other,
                _ => false,
            }
        }
        // The file search comes before the Python modules.
        Some(Ok(Resolution::Python(_))) | Some(Err(ResolveError::NotFound { .. })) => {
            search_place(ctx, &parts, new).is_some()
        }
        _ => false,
    }
}

/// When the file search for `parts` from `ctx`'s file would find `path`: which folder
/// (the import roots in order, then the importer's own when allowed) and which candidate
/// in it.
fn search_place(ctx: &FileCtx, parts: &[String], path: &Path) -> Option<(usize, usize)> {
    let folders = ctx.resolver()?.search_folders(ctx.path().parent());
    folders.into_iter().enumerate().find_map(|(i, folder)| {
        FileProtocol::candidates(&folder, parts)
            .iter()
            .position(|c| c == path)
            .map(|j| (i, j))
    })
}

/// `geo/shapes.ml` → `geo.shapes`, `geo/__init__.ml` → `geo`; `None` when a part is no
/// name an import can spell.
fn dotted(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".ml")?;
    if stem != "__init__" {
        parts.push(stem.to_string());
    }
    let spellable = |p: &String| {
        !p.starts_with("__") && (invalid_name(p).is_none() || SyntaxKind::from_keyword(p).is_some())
    };
    (!parts.is_empty() && parts.iter().all(spellable)).then(|| parts.join("."))
}

/// The edits in order, none overlapping another: of two at one place (`geo` of
/// `import geo;` and `geo.shapes` of `import geo.shapes;`), the longer.
fn without_overlaps(mut edits: Vec<(TextRange, String)>) -> Vec<(TextRange, String)> {
    edits.sort_by_key(|(r, _)| (r.start(), std::cmp::Reverse(r.end())));
    let mut out: Vec<(TextRange, String)> = Vec::with_capacity(edits.len());
    for edit in edits {
        if out
            .last()
            .is_none_or(|(last, _)| last.end() <= edit.0.start())
        {
            out.push(edit);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// The files after the edits, each as `path: text`, for the files edited.
    fn apply(fx: &Fixture, moves: &[(&str, &str)]) -> Vec<String> {
        let moves: Vec<FileMove> = moves
            .iter()
            .map(|(from, to)| FileMove {
                from: fx.path(from),
                to: fx.path(to),
            })
            .collect();
        will_rename_files(&fx.host, &moves)
            .into_iter()
            .map(|edit| {
                let mut text = std::fs::read_to_string(&edit.path).unwrap();
                for (range, new) in edit.edits.iter().rev() {
                    text.replace_range(std::ops::Range::<usize>::from(*range), new);
                }
                format!("{}: {text}", fx.rel(&edit.path))
            })
            .collect()
    }

    const PROJECT: &str = "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport geo.shapes;\nimport geo.shapes as s;\nimport geo;\nprint(geo.shapes.area(1), s.area(2), geo.VERSION);\n$0\n//- /lib/geo/__init__.ml\nVERSION = 1;\n//- /lib/geo/shapes.ml\nfunction area(r) { return r; }\n//- /lib/geo/other.ml\nimport geo.shapes;\nx = geo.shapes.area;\n//- /lib/unrelated.ml\nimport math;\n";

    #[test]
    fn a_module_file_renamed_in_its_folder() {
        let fx = Fixture::new(PROJECT);
        let found = apply(&fx, &[("lib/geo/shapes.ml", "lib/geo/figures.ml")]);
        assert_eq!(
            found,
            [
                "lib/geo/other.ml: import geo.figures;\nx = geo.figures.area;\n",
                "main.ml: import geo.figures;\nimport geo.figures as s;\nimport geo;\nprint(geo.figures.area(1), s.area(2), geo.VERSION);\n\n",
            ]
        );
    }

    #[test]
    fn a_module_moved_to_another_folder_and_out_of_a_package() {
        let fx = Fixture::new(PROJECT);
        let found = apply(&fx, &[("lib/geo/shapes.ml", "lib/shapes.ml")]);
        assert_eq!(
            found[1],
            "main.ml: import shapes;\nimport shapes as s;\nimport geo;\nprint(shapes.area(1), s.area(2), geo.VERSION);\n\n"
        );
    }

    #[test]
    fn a_package_folder_renamed() {
        let fx = Fixture::new(PROJECT);
        let found = apply(&fx, &[("lib/geo", "lib/geometry")]);
        assert_eq!(
            found,
            [
                "lib/geo/other.ml: import geometry.shapes;\nx = geometry.shapes.area;\n",
                "main.ml: import geometry.shapes;\nimport geometry.shapes as s;\nimport geometry;\nprint(geometry.shapes.area(1), s.area(2), geometry.VERSION);\n\n",
            ]
        );
    }

    #[test]
    fn a_top_level_module_and_a_reassigned_import() {
        let fx = Fixture::new(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport util;\nprint(util.f());\n$0\n//- /b.ml\nimport util;\nutil = {f: 1};\nprint(util.f);\n//- /util.ml\nfunction f() { return 1; }\n",
        );
        let found = apply(&fx, &[("util.ml", "helpers.ml")]);
        assert_eq!(
            found,
            [
                // A reassigned import names no module afterwards: its uses stay.
                "b.ml: import helpers;\nutil = {f: 1};\nprint(util.f);\n",
                "main.ml: import helpers;\nprint(helpers.f());\n\n",
            ]
        );
    }

    #[test]
    fn whole_words_only() {
        assert!(contains_word("import a.m3 as c;", "m3"));
        assert!(contains_word("m3", "m3"));
        assert!(!contains_word("import a.m30;\nx = am3;", "m3"));
        assert!(contains_word("import é.m3;", "m3"));
    }

    #[test]
    fn nothing_for_unrelated_moves_and_unspellable_names() {
        let fx = Fixture::new(PROJECT);
        assert!(apply(&fx, &[("lib/unrelated.ml", "lib/other_name.ml")]).is_empty());
        // `2d.ml` cannot be imported by name: no edit.
        assert!(apply(&fx, &[("lib/geo/shapes.ml", "lib/geo/2d.ml")]).is_empty());
        assert!(apply(&fx, &[("lib/geo/shapes.ml", "lib/geo/shapes.txt")]).is_empty());
    }

    /// A new spelling that something found earlier in the resolution order would take
    /// (the standard library, a module of an earlier import root, a module file before a
    /// package): no edit for that import, as for a name no import can spell.
    #[test]
    fn nothing_where_another_module_would_take_the_new_spelling() {
        let project = "//- /mlpy.json\n{\"import_paths\": [\"lib\", \".\"]}\n//- /main.ml\nimport utils.math as um;\nprint(um.f());\n$0\n//- /utils/math.ml\nfunction f() { return 1; }\n//- /lib/taken.ml\nx = 1;\n//- /lib/pkg.ml\nx = 1;\n//- /free.ml\nx = 1;\n";
        let fx = Fixture::new(project);
        for to in [
            "json.ml",
            "math.ml",
            "taken.ml",
            "pkg/__init__.ml",
            "free/__init__.ml",
        ] {
            assert!(
                apply(&fx, &[("utils/math.ml", to)]).is_empty(),
                "utils/math.ml -> {to}"
            );
        }
        // Moved where it comes first, or where nothing else is: the import follows.
        for (to, spelt) in [
            ("utils/maths.ml", "utils.maths"),
            ("utils/json.ml", "utils.json"),
            ("lib/json.ml", "lib.json"),
        ] {
            assert_eq!(
                apply(&fx, &[("utils/math.ml", to)]),
                [format!(
                    "main.ml: import {spelt} as um;\nprint(um.f());\n\n"
                )],
                "utils/math.ml -> {to}"
            );
        }
        // A module of a later root with the new name: the moved one comes first.
        let fx = Fixture::new(
            &project
                .replace(
                    "import utils.math as um;",
                    "import helper;\nimport utils.math as um;",
                )
                .replace("//- /free.ml", "//- /lib/helper.ml\nx = 1;\n//- /free.ml"),
        );
        assert_eq!(
            apply(&fx, &[("lib/helper.ml", "lib/free.ml")]),
            ["main.ml: import free;\nimport utils.math as um;\nprint(um.f());\n\n"]
        );
    }
}
