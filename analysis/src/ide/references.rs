//! Find references: every place that names what the name at an offset names — a local
//! in its file; a top-level name of a module in the module and, through their imports, in
//! every module of the workspace; a module in every import of it.

use super::{FileCtx, FileRange};
use crate::semantics::{ChainState, FileSemantics, ModuleRef, Target};
use mlpy_modules::scopes::{BindingId, BindingKind, NameRes};
use mlpy_modules::SourceFile;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{TextRange, TextSize};
use std::path::{Path, PathBuf};

pub fn references(
    ctx: &FileCtx,
    offset: TextSize,
    include_declaration: bool,
) -> Option<Vec<FileRange>> {
    let target = ctx.semantics().classify(offset)?.target?;
    reference_ranges(ctx, &target, include_declaration)
}

/// The places of a target, by file and start; `None` for targets without places of
/// their own (the standard library, builtins).
pub fn reference_ranges(
    ctx: &FileCtx,
    target: &Target,
    include_declaration: bool,
) -> Option<Vec<FileRange>> {
    let mut out = match target {
        Target::Local(b) if is_exported(ctx, *b) => {
            let name = &ctx.file().scopes().binding(*b).name;
            symbol_references(ctx, ctx.path(), name, include_declaration)
        }
        Target::Local(b) => {
            let binding = ctx.file().scopes().binding(*b);
            let mut out: Vec<FileRange> = Vec::new();
            if include_declaration {
                out.extend(binding.defs.iter().map(|r| FileRange::new(ctx.path(), *r)));
            }
            out.extend(
                binding_uses(ctx.file(), *b)
                    .into_iter()
                    .map(|r| FileRange::new(ctx.path(), r)),
            );
            out
        }
        Target::Member {
            module: ModuleRef::User(module),
            name,
        } => symbol_references(ctx, module, name, include_declaration),
        Target::Module(ModuleRef::User(path)) => module_references(ctx, path),
        _ => return None,
    };
    out.sort_by(|a, b| (&a.path, a.range.start()).cmp(&(&b.path, b.range.start())));
    out.dedup();
    Some(out)
}

/// Whether a binding is a top-level name other modules can reach: its imports too
/// (`hub.inner.f` reads `inner` of `hub.ml`, an `import a.b as inner;` there).
pub(super) fn is_exported(ctx: &FileCtx, b: BindingId) -> bool {
    let scopes = ctx.file().scopes();
    scopes.binding(b).scope == scopes.module_scope() && ctx.resolver().is_some()
}

/// Uses of a binding, `nonlocal` declarations naming it included.
fn binding_uses(file: &SourceFile, b: BindingId) -> Vec<TextRange> {
    let scopes = file.scopes();
    let mut out: Vec<TextRange> = scopes.references(b).to_vec();
    for scope in &scopes.scopes {
        for (_, range) in &scope.nonlocals {
            if scopes.nonlocal_target(*range) == Some(b) {
                out.push(*range);
            }
        }
    }
    out
}

/// Every place that names the top-level `name` of `module`: its definitions (when
/// `include_definitions`), its uses in the module and its uses in every importer.
fn symbol_references(
    ctx: &FileCtx,
    module: &Path,
    name: &str,
    include_definitions: bool,
) -> Vec<FileRange> {
    let host = ctx.host();
    let mut out = Vec::new();
    let own = match module == ctx.path() {
        true => Some(ctx.file().clone()),
        false => host.load(module),
    };
    if let Some(file) = own {
        if let Some(b) = file.scopes().module_binding(name) {
            if include_definitions {
                let defs = &file.scopes().binding(b).defs;
                out.extend(defs.iter().map(|r| FileRange::new(module, *r)));
            }
            out.extend(
                binding_uses(&file, b)
                    .into_iter()
                    .map(|r| FileRange::new(module, r)),
            );
        }
    }
    for path in host.files() {
        if path == module {
            continue;
        }
        let Some(file) = host.load(&path) else {
            continue;
        };
        // Most files never spell the name: no need to resolve their imports.
        if !file.text.contains(name) {
            continue;
        }
        let other = FileCtx::of_file(host, &path, file);
        let wanted = Target::Member {
            module: ModuleRef::User(module.to_path_buf()),
            name: name.to_string(),
        };
        out.extend(
            member_uses(&other, &other.semantics(), &wanted, name)
                .into_iter()
                .map(|r| FileRange::new(&path, r)),
        );
    }
    out
}

/// Every use of the member `name` of a module in `ctx`, through its imports: each member
/// chain rooted at an import binding is climbed once, one step per name.
pub(super) fn member_uses(
    ctx: &FileCtx,
    sema: &FileSemantics,
    wanted: &Target,
    name: &str,
) -> Vec<TextRange> {
    let scopes = ctx.file().scopes();
    let root = ctx.root();
    let mut out = Vec::new();
    for (range, _, res) in scopes.uses() {
        let NameRes::Binding(b) = res else { continue };
        if scopes.binding(b).kind != BindingKind::Import {
            continue;
        }
        let Some(token) = root.covering_element(range).into_token() else {
            continue;
        };
        let Some(path) = token.parent().and_then(|p| p.parent()) else {
            continue;
        };
        let mut state = sema.chain_root(range, token.text());
        let mut node = path;
        while let Some(field) = node.parent().and_then(ast::FieldExpr::cast) {
            if state == ChainState::Dead || field.receiver().is_none_or(|r| r.syntax() != &node) {
                break;
            }
            let Some(member) = field.name_ref().and_then(|n| n.ident_token()) else {
                break;
            };
            if member.text() == name && sema.chain_member(&state, name).as_ref() == Some(wanted) {
                out.push(member.text_range());
            }
            state = sema.chain_next(&state, member.text());
            node = field.syntax().clone();
        }
    }
    out
}

/// Every import statement of the workspace that names `module`: the range of its path or
/// URL.
fn module_references(ctx: &FileCtx, module: &Path) -> Vec<FileRange> {
    let host = ctx.host();
    let wanted = ModuleRef::User(module.to_path_buf());
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = host.files();
    if ctx.resolver().is_some() && !files.iter().any(|p| p == ctx.path()) {
        files.push(ctx.path().to_path_buf());
    }
    for path in files {
        let other;
        let file = if path == ctx.path() {
            ctx
        } else {
            match FileCtx::load(host, &path) {
                Some(loaded) => {
                    other = loaded;
                    &other
                }
                None => continue,
            }
        };
        for import in file.file().parse.tree().imports() {
            let Some((_, range)) = mlpy_modules::graph::import_spec(&import) else {
                continue;
            };
            if file
                .imported_by(&import)
                .is_some_and(|i| i.module == wanted)
            {
                out.push(FileRange::new(&path, range));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::references;
    use crate::ide::fixture::Fixture;

    /// The references at the cursor (declarations included) are the marked ranges.
    fn check(fixture: &str) {
        let fx = Fixture::new(fixture);
        let found = references(&fx.ctx(), fx.offset(), true).unwrap_or_default();
        assert_eq!(fx.show_all(&found), fx.show_all(&fx.marks()), "{fixture}");
    }

    #[test]
    fn uses_through_a_modules_own_imports() {
        check(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport hub;\nimport top;\nprint(hub.inner.[|f|](1), hub.a.b.[|f|](2), top.hub.inner.[|f|](3));\n//- /lib/hub.ml\nimport a.b as inner;\nimport a.b;\nx = inner.[|f|](0);\n//- /lib/top.ml\nimport hub;\n//- /lib/a/b.ml\nfunction [|f$0|](x) { return x; }\n",
        );
        // The import binding itself: a top-level name other modules read.
        check(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport hub;\nimport top;\nprint(hub.[|inner|].f(1), top.hub.[|inner|].f(3));\n//- /lib/hub.ml\nimport a.b as [|in$0ner|];\nx = [|inner|].f(0);\n//- /lib/top.ml\nimport hub;\n//- /lib/a/b.ml\nfunction f(x) { return x; }\n",
        );
    }

    #[test]
    fn a_local_in_its_function_only() {
        check("//- /main.ml\nfunction f() {\n  [|x|] = 1;\n  return [|x$0|] + 1;\n}\nx = 2;\n");
    }

    #[test]
    fn a_top_level_function_across_modules() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\nimport geometry as g;\nprint(geometry.[|ar$0ea|](1), g.[|area|](2), area);\n//- /geometry.ml\nfunction [|area|](r) { return r * r; }\nprint([|area|](1));\n//- /other.ml\nimport geometry;\ngeometry.[|area|](3);\n",
        );
    }

    #[test]
    fn from_the_definition_without_declarations() {
        let fx = Fixture::new(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\ngeometry.[|area|](1);\n//- /geometry.ml\nfunction ar$0ea(r) { return r; }\n",
        );
        let found = references(&fx.ctx(), fx.offset(), false).unwrap();
        assert_eq!(fx.show_all(&found), fx.show_all(&fx.marks()));
    }

    #[test]
    fn a_member_of_a_package_through_a_submodule_import() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport utils.strings;\nprint(utils.[|VERS$0ION|], utils.strings.VERSION);\n//- /utils/__init__.ml\n[|VERSION|] = 1;\n//- /utils/strings.ml\nVERSION = 2;\n",
        );
    }

    #[test]
    fn a_module_is_referenced_by_its_imports() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport [|geo$0metry|];\n//- /geometry.ml\nx = 1;\n//- /other.ml\nimport [|geometry|] as g;\nimport math;\n",
        );
    }

    #[test]
    fn a_reassigned_import_is_not_followed() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\ngeometry = {area: 1};\nprint(geometry.area);\n//- /geometry.ml\nfunction [|ar$0ea|](r) { return r; }\n",
        );
    }

    #[test]
    fn the_standard_library_has_no_references() {
        let fx = Fixture::new("//- /main.ml\nimport math;\nprint(math.sq$0rt(2), len([]));\n");
        assert_eq!(references(&fx.ctx(), fx.offset(), true), None);
    }
}
