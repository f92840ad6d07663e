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
            let binding = ctx.file().scopes.binding(*b);
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
}
