//! Rename: what may be renamed (locals, top-level names of user modules with every
//! importer, import aliases), what the new name may be, and the edits. Modules, builtins
//! and the standard library cannot be renamed; the refusals say why.

use super::references::reference_ranges;
use super::{FileCtx, FileEdit, PrepareRename};
use crate::semantics::{ModuleRef, NameAt, Target};
use mlpy_modules::scopes::BindingKind;
use mlpy_syntax::{SyntaxKind, TextSize};

/// Why a name cannot be the new name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    #[error("'{0}' is not a valid identifier")]
    NotAnIdentifier(String),
    #[error("'{0}' is a keyword of ML")]
    Keyword(String),
    #[error("'{0}' is a reserved name of ML")]
    Reserved(String),
    #[error("'{0}' starts with '__': such names are reserved for the generated Python")]
    Dunder(String),
}

/// Why a rename is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenameError {
    #[error("no name to rename here")]
    NoName,
    #[error("'{0}' is not defined anywhere mlpy can see")]
    Undefined(String),
    #[error("'{0}' is the name of an imported module: rename the module's file instead")]
    ImportedModule(String),
    #[error("the module cannot be read")]
    Unreadable,
    #[error("module has no top-level '{0}' to rename")]
    NotTopLevel(String),
    #[error("renaming a module is not supported: rename its file")]
    Module,
    #[error("'{0}' belongs to the standard library and cannot be renamed")]
    StandardLibrary(String),
    #[error("rename the module's file to rename an import")]
    ImportPath,
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
    #[error("'{0}' is already defined in that scope")]
    Clash(String),
}

/// Why `name` cannot be a new name, if it cannot.
pub fn invalid_name(name: &str) -> Option<InvalidName> {
    let (tokens, errors) = mlpy_syntax::lexer::tokenize(name);
    let one_word = tokens.len() == 1
        && errors.is_empty()
        && (tokens[0].kind == SyntaxKind::IDENT || tokens[0].kind.is_keyword());
    if !one_word {
        return Some(InvalidName::NotAnIdentifier(name.to_string()));
    }
    if SyntaxKind::from_keyword(name).is_some() {
        return Some(InvalidName::Keyword(name.to_string()));
    }
    let reserved = [
        "null",
        "undefined",
        mlpy_modules::stdlib::BUILTIN_MODULE_NAME,
    ];
    if reserved.contains(&name) {
        return Some(InvalidName::Reserved(name.to_string()));
    }
    if name.starts_with("__") {
        return Some(InvalidName::Dunder(name.to_string()));
    }
    None
}

/// The renameable name at an offset and what it refers to, or why there is none.
fn renameable(ctx: &FileCtx, offset: TextSize) -> Result<(NameAt, Target), RenameError> {
    let at = ctx
        .semantics()
        .classify(offset)
        .ok_or(RenameError::NoName)?;
    let target = at
        .target
        .clone()
        .ok_or_else(|| RenameError::Undefined(at.token.text().to_string()))?;
    match &target {
        Target::Local(b) => {
            let binding = ctx.file().scopes().binding(*b);
            if binding.kind == BindingKind::Import && !binding.imports.iter().all(|i| i.aliased) {
                return Err(RenameError::ImportedModule(binding.name.clone()));
            }
        }
        Target::Member {
            module: ModuleRef::User(module),
            name,
        } => {
            let file = ctx.host().load(module).ok_or(RenameError::Unreadable)?;
            if file.scopes().module_binding(name).is_none() {
                return Err(RenameError::NotTopLevel(name.clone()));
            }
        }
        Target::Module(ModuleRef::Builtins) | Target::Member { .. } => {
            return Err(RenameError::StandardLibrary(at.token.text().to_string()))
        }
        Target::Module(_) => return Err(RenameError::Module),
    }
    if at.in_import_path {
        return Err(RenameError::ImportPath);
    }
    Ok((at, target))
}

/// The name at `offset` that a rename would change.
pub fn prepare_rename(ctx: &FileCtx, offset: TextSize) -> Result<PrepareRename, RenameError> {
    let (at, _) = renameable(ctx, offset)?;
    Ok(PrepareRename {
        range: at.range,
        placeholder: at.token.text().to_string(),
    })
}

/// The edits that rename the name at `offset` to `new_name`, by file (in the order of
/// their paths), each file's edits in order.
pub fn rename(
    ctx: &FileCtx,
    offset: TextSize,
    new_name: &str,
) -> Result<Vec<FileEdit>, RenameError> {
    if let Some(why) = invalid_name(new_name) {
        return Err(why.into());
    }
    let (_, target) = renameable(ctx, offset)?;
    // A name already defined where the renamed one is defined would be captured.
    let clash = match &target {
        Target::Local(b) => {
            let scopes = ctx.file().scopes();
            scopes.local(scopes.binding(*b).scope, new_name).is_some()
        }
        Target::Member {
            module: ModuleRef::User(module),
            ..
        } => ctx
            .host()
            .load(module)
            .is_some_and(|f| f.scopes().module_binding(new_name).is_some()),
        _ => false,
    };
    if clash {
        return Err(RenameError::Clash(new_name.to_string()));
    }
    let mut out: Vec<FileEdit> = Vec::new();
    for place in reference_ranges(ctx, &target, true).unwrap_or_default() {
        let edit = (place.range, new_name.to_string());
        match out.last_mut() {
            Some(last) if last.path == place.path => last.edits.push(edit),
            _ => out.push(FileEdit {
                path: place.path,
                edits: vec![edit],
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// Renames at the cursor to `new_name`: the edits are at the marked ranges.
    fn check(fixture: &str, new_name: &str) {
        let fx = Fixture::new(fixture);
        let edits = rename(&fx.ctx(), fx.offset(), new_name).unwrap();
        let mut places = Vec::new();
        for file in &edits {
            for (range, text) in &file.edits {
                assert_eq!(text, new_name);
                places.push(crate::ide::FileRange::new(&file.path, *range));
            }
        }
        assert_eq!(fx.show_all(&places), fx.show_all(&fx.marks()), "{fixture}");
    }

    fn refused(fixture: &str, new_name: &str) -> RenameError {
        let fx = Fixture::new(fixture);
        rename(&fx.ctx(), fx.offset(), new_name).unwrap_err()
    }

    #[test]
    fn a_function_across_modules() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry as g;\nprint(g.[|ar$0ea|](1));\n//- /geometry.ml\nfunction [|area|](r) { return r; }\n//- /b.ml\nimport geometry;\nx = geometry.[|area|];\n",
            "surface",
        );
    }

    #[test]
    fn an_import_alias_in_its_file() {
        check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry as [|g|];\nprint([|g$0|].area(1));\n//- /geometry.ml\nfunction area(r) { return r; }\n",
            "geo",
        );
    }

    #[test]
    fn a_local_stays_in_its_function() {
        check(
            "//- /main.ml\nfunction f() {\n  [|m$0|] = 1;\n  return [|m|];\n}\nm = 2;\n",
            "n",
        );
    }

    #[test]
    fn a_name_already_defined_is_a_clash() {
        let module = "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\ngeometry.ar$0ea(1);\n//- /geometry.ml\nfunction area(r) { return r; }\nUNIT = 1;\n";
        assert_eq!(refused(module, "UNIT"), RenameError::Clash("UNIT".into()));
        let local = "//- /main.ml\nfunction f(a$0, b) { return a + b; }\n";
        assert_eq!(refused(local, "b"), RenameError::Clash("b".into()));
    }

    #[test]
    fn invalid_new_names_say_why() {
        let fixture = "//- /main.ml\nx$0 = 1;\n";
        for (name, why) in [
            ("if", "keyword"),
            ("__x", "reserved for the generated Python"),
            ("1abc", "not a valid identifier"),
            ("a b", "not a valid identifier"),
            ("null", "reserved"),
            ("builtin", "reserved"),
        ] {
            let e = refused(fixture, name);
            assert!(e.to_string().contains(why), "{name}: {e}");
        }
    }

    #[test]
    fn the_standard_library_and_builtins_are_refused() {
        let e = refused("//- /main.ml\nimport math;\nmath.sq$0rt(2);\n", "root");
        assert_eq!(e, RenameError::StandardLibrary("sqrt".into()));
        let e = refused("//- /main.ml\npri$0nt(1);\n", "show");
        assert_eq!(e, RenameError::StandardLibrary("print".into()));
        let e = refused("//- /main.ml\nbuil$0tin.len([]);\n", "b");
        assert_eq!(e, RenameError::StandardLibrary("builtin".into()));
    }

    #[test]
    fn modules_and_imported_names_are_refused() {
        let fixture = "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\nprint(geometry.area);\n//- /geometry.ml\narea = 1;\n";
        let e = refused(
            &fixture.replace("import geometry", "import geo$0metry"),
            "g",
        );
        assert_eq!(e, RenameError::Module);
        assert!(e.to_string().contains("rename its file"));
        let e = refused(&fixture.replace("(geometry", "(geo$0metry"), "g");
        assert_eq!(e, RenameError::ImportedModule("geometry".into()));
        let e = refused("//- /main.ml\nprint(nos$0uch);\n", "x");
        assert_eq!(e, RenameError::Undefined("nosuch".into()));
    }

    #[test]
    fn prepare_rename_offers_the_name() {
        let fx = Fixture::new("//- /main.ml\ncount = 1;\nprint([|cou$0nt|]);\n");
        let found = prepare_rename(&fx.ctx(), fx.offset()).unwrap();
        assert_eq!(found.placeholder, "count");
        assert_eq!(found.range, fx.marked_ranges()[0]);
        let fx = Fixture::new("//- /main.ml\nx = 1;  $0\n");
        assert_eq!(
            prepare_rename(&fx.ctx(), fx.offset()),
            Err(RenameError::NoName)
        );
    }
}
