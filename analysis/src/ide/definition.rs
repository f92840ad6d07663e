//! Go to definition: where the name at an offset is defined — a binding of the file, a
//! module file (its start), a top-level name of a user module. Builtins and the standard
//! library have no source to go to.

use super::{FileCtx, FileRange};
use crate::semantics::{FileSemantics, ModuleRef, Target};
use mlpy_modules::scopes::BindingKind;
use mlpy_syntax::{TextRange, TextSize};
use std::path::Path;

pub fn definition(ctx: &FileCtx, offset: TextSize) -> Option<Vec<FileRange>> {
    let sema = ctx.semantics();
    let target = sema.classify(offset)?.target?;
    Some(vec![target_location(ctx, &sema, &target)?])
}

fn file_start(path: &Path) -> FileRange {
    FileRange::new(path, TextRange::empty(0.into()))
}

/// Where a target is defined.
pub fn target_location(ctx: &FileCtx, sema: &FileSemantics, target: &Target) -> Option<FileRange> {
    match target {
        Target::Local(b) => {
            let binding = ctx.file().scopes().binding(*b);
            // An import binding stands for its module: go there.
            if binding.kind == BindingKind::Import {
                if let Some(Target::Module(ModuleRef::User(path))) = sema.import_binding_target(*b)
                {
                    return Some(file_start(&path));
                }
            }
            Some(FileRange::new(ctx.path(), binding.decl))
        }
        Target::Module(ModuleRef::User(path)) => Some(file_start(path)),
        Target::Member {
            module: ModuleRef::User(module),
            name,
        } => {
            let file = ctx.host().load(module)?;
            Some(match file.symbols.get(name) {
                Some(symbol) => FileRange::new(module, symbol.name_range),
                None => file_start(module),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::definition;
    use crate::ide::fixture::Fixture;

    /// The definition at the cursor, as `file:start-end` (`file:0-0` is a file's start).
    fn check(fixture: &str, expected: &[&str]) {
        let fx = Fixture::new(fixture);
        let found = definition(&fx.ctx(), fx.offset()).unwrap_or_default();
        assert_eq!(fx.show_all(&found), expected, "{fixture}");
    }

    /// The definition at the cursor is the marked range.
    fn check_marked(fixture: &str) {
        let fx = Fixture::new(fixture);
        let found = definition(&fx.ctx(), fx.offset()).unwrap_or_default();
        assert_eq!(found, fx.marks(), "{fixture}");
    }

    #[test]
    fn a_local_variable_parameter_and_function() {
        check_marked("//- /main.ml\n[|x|] = 1;\nprint(x$0);\n");
        check_marked("//- /main.ml\nfunction f([|a|], b) { return a$0 + b; }\n");
        check_marked("//- /main.ml\nfunction [|twice|](a) { return a * 2; }\nprint(twi$0ce(2));\n");
    }

    #[test]
    fn a_nonlocal_declaration_names_the_outer_variable() {
        check_marked(
            "//- /main.ml\n[|count|] = 0;\nfunction f() {\n  nonlocal cou$0nt;\n  count = count + 1;\n}\n",
        );
    }

    #[test]
    fn a_member_of_a_module_across_files() {
        check_marked(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry.shapes;\ngeometry.shapes.ar$0ea(2);\n//- /geometry/shapes.ml\nfunction [|area|](r) { return r * r; }\n",
        );
        check_marked(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport shapes as s;\ns.UN$0IT;\n//- /shapes.ml\n[|UNIT|] = 1;\n",
        );
    }

    #[test]
    fn a_member_chain_goes_on_through_a_modules_own_imports() {
        // `hub.inner` is the module `hub.ml` imports as `inner` (as at run time), however
        // many modules the chain passes (`top.hub.inner`).
        let fixture = "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport hub;\nimport top;\nprint(hub.inner.f(1), hub.a.b.f(2), top.hub.inner.f(3));\n//- /lib/hub.ml\nimport a.b as inner;\nimport a.b;\n//- /lib/top.ml\nimport hub;\n//- /lib/a/b.ml\nfunction [|f|](x) { return x; }\n";
        check_marked(&fixture.replace("hub.inner.f(1)", "hub.inner.f$0(1)"));
        check_marked(&fixture.replace("hub.a.b.f(2)", "hub.a.b.f$0(2)"));
        check_marked(&fixture.replace("top.hub.inner.f(3)", "top.hub.inner.f$0(3)"));
        // The name on the way is the import binding of the module it belongs to.
        check(
            &fixture.replace("hub.inner.f(1)", "hub.in$0ner.f(1)"),
            &["lib/hub.ml:14-19"],
        );
        // A module's variable, or an import it assigns too, holds a value: no module.
        let values = "//- /mlpy.json\n{}\n//- /main.ml\nimport hub;\nprint(hub.inner.f$0, hub.other.f);\n//- /hub.ml\nimport b as other;\nother = 1;\ninner = {f: 1};\n//- /b.ml\nfunction f() { }\n";
        check(values, &[]);
        check(&values.replace("f$0, hub.other.f", "f, hub.other.f$0"), &[]);
    }

    #[test]
    fn a_module_alias_goes_to_the_module_file() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport shapes as s;\n$0s.UNIT;\n//- /shapes.ml\nUNIT = 1;\n",
            &["shapes.ml:0-0"],
        );
    }

    #[test]
    fn import_path_segments_go_to_modules_and_packages() {
        let fixture = "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport utils.strings;\nprint(utils.VERSION);\n//- /lib/utils/__init__.ml\nVERSION = \"1\";\n//- /lib/utils/strings.ml\nfunction shout(t) { return t; }\n";
        check(
            &fixture.replace("import utils.strings", "import ut$0ils.strings"),
            &["lib/utils/__init__.ml:0-0"],
        );
        check(
            &fixture.replace("import utils.strings", "import utils.str$0ings"),
            &["lib/utils/strings.ml:0-0"],
        );
        // A member of the package itself, through the submodule's import.
        check(
            &fixture.replace("utils.VERSION", "utils.VER$0SION"),
            &["lib/utils/__init__.ml:0-7"],
        );
    }

    #[test]
    fn a_folder_without_init_goes_to_the_imported_module() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport ge$0o.shapes;\n//- /geo/shapes.ml\nx = 1;\n",
            &["geo/shapes.ml:0-0"],
        );
    }

    #[test]
    fn the_standard_library_and_builtins_have_no_definition() {
        check("//- /main.ml\nimport math;\nprint(math.sq$0rt(2));\n", &[]);
        check("//- /main.ml\nimport ma$0th;\n", &[]);
        check("//- /main.ml\npri$0nt(1);\n", &[]);
        check("//- /main.ml\nx = builtin.l$0en([]);\n", &[]);
    }

    #[test]
    fn a_reassigned_import_names_no_module_member() {
        // `shapes` is also assigned: its members are values, not the module's names.
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport shapes;\nshapes = {UNIT: 2};\nprint(shapes.UN$0IT);\n//- /shapes.ml\nUNIT = 1;\n",
            &[],
        );
    }

    #[test]
    fn nothing_at_a_keyword_or_whitespace() {
        check("//- /main.ml\nfunc$0tion f() { }\n", &[]);
        check("//- /main.ml\nx = 1;  $0  \n", &[]);
    }

    /// A stand-in for a remote protocol: `test://h/PATH` is the file `remote/PATH` of the
    /// fixture; a remote module's dotted imports are relative to its own URL's folder.
    struct TestProtocol {
        root: std::path::PathBuf,
    }

    impl mlpy_modules::ImportProtocol for TestProtocol {
        fn name(&self) -> &str {
            "test"
        }

        fn can_resolve(&self, request: &mlpy_modules::ImportRequest<'_>) -> bool {
            use mlpy_modules::{ImportSpec, Origin};
            match (request.spec, request.importer_origin) {
                (ImportSpec::Url(url), _) => url.starts_with("test://"),
                (ImportSpec::Dotted(_), Origin::Remote(url)) => url.starts_with("test://"),
                _ => false,
            }
        }

        fn validate_access(
            &self,
            _: &mlpy_modules::ImportRequest<'_>,
        ) -> Result<(), mlpy_modules::ResolveError> {
            Ok(())
        }

        fn resolve(
            &self,
            request: &mlpy_modules::ImportRequest<'_>,
        ) -> Result<mlpy_modules::Located, mlpy_modules::ResolveError> {
            use mlpy_modules::{ImportSpec, Origin};
            let url = match (request.spec, request.importer_origin) {
                (ImportSpec::Url(url), _) => url.clone(),
                (ImportSpec::Dotted(parts), Origin::Remote(base)) => {
                    let folder = base.rsplit_once('/').map_or(base.as_str(), |(f, _)| f);
                    format!("{folder}/{}.ml", parts.join("/"))
                }
                _ => unreachable!("can_resolve said no"),
            };
            let rel = url.trim_start_matches("test://h/");
            let path = self.root.join("remote").join(rel);
            if !path.is_file() {
                return Err(mlpy_modules::ResolveError::NotFound {
                    module: url,
                    searched: Vec::new(),
                    suggestions: Vec::new(),
                    hint: None,
                });
            }
            Ok(mlpy_modules::Located {
                name: url.clone(),
                path,
                origin: Origin::Remote(url),
                is_package: false,
                parent_packages: Vec::new(),
            })
        }
    }

    #[test]
    fn inside_a_cached_remote_module_imports_are_its_own() {
        let fixture = "//- /mlpy.json\n{}\n//- /main.ml\nimport test://h/lib/geo.ml as geo;\nprint(geo.f());\n//- /remote/lib/geo.ml\nimport shapes;\nfunction f() { return shapes.ar$0ea(1); }\n//- /remote/lib/shapes.ml\nfunction [|area|](r) { return r; }\n//- /shapes.ml\nfunction area(r) { return 0; }\n";
        let fx = Fixture::with_protocols(fixture, &|root| {
            vec![std::sync::Arc::new(TestProtocol {
                root: root.to_path_buf(),
            })]
        });
        let geo = fx.path("remote/lib/geo.ml");
        // As a local file, its `import shapes;` would be the project's shapes.ml.
        let local = definition(&fx.ctx(), fx.offset()).unwrap_or_default();
        assert_eq!(fx.show_all(&local), ["shapes.ml:9-13"]);
        fx.host.origins.borrow_mut().insert(
            geo,
            mlpy_modules::Origin::Remote("test://h/lib/geo.ml".into()),
        );
        let found = definition(&fx.ctx(), fx.offset()).unwrap_or_default();
        assert_eq!(found, fx.marks());
        // The entry's URL import reaches the same cached file.
        let fx2 = &fx;
        let main = crate::ide::FileCtx::load(&fx2.host, &fx2.path("main.ml")).unwrap();
        let at = main.text().find("geo.f").unwrap() as u32 + 5;
        let found = definition(&main, at.into()).unwrap_or_default();
        assert_eq!(fx.show_all(&found), ["remote/lib/geo.ml:24-25"]);
    }
}
