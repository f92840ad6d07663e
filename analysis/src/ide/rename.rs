//! Rename: what may be renamed (locals, top-level names of user modules with every
//! importer, import aliases), what the new name may be, and the edits. Modules, builtins
//! and the standard library cannot be renamed; the refusals say why. A rename must not
//! change what any name refers to: the edited files are resolved again and compared
//! (`meaning`), so a new name that would capture, or be captured, is refused with the
//! place where it is already used or defined.

use super::file_rename::contains_word;
use super::meaning::{self, Change, Meaning};
use super::references::{is_exported, reference_ranges};
use super::{FileCtx, FileEdit, PrepareRename};
use crate::semantics::{ModuleRef, NameAt, Target};
use mlpy_modules::scopes::{BindingId, BindingKind};
use mlpy_modules::SourceFile;
use mlpy_syntax::{SyntaxKind, TextSize};
use std::path::{Path, PathBuf};

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
    #[error("'{0}' is a builtin and cannot be renamed (a function of your own with another name can call it)")]
    Builtin(String),
    #[error("rename the module's file to rename an import")]
    ImportPath,
    #[error("'{0}' is read from the object's key '{0}' (`{{{0}, …}} = …`): another name would read another key")]
    ObjectKey(String),
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
    #[error("'{name}' is already defined in that scope, at {at}")]
    Clash { name: String, at: String },
    /// The rename would change what a name refers to; the message says where and how.
    #[error("{0}")]
    Conflict(String),
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
    // A word that is no name (a keyword: `function`, `return`, `true`; `null` or
    // `undefined` meaning null) has nothing to rename; a name that resolves to nothing
    // is undefined.
    let is_name = at
        .token
        .parent()
        .is_some_and(|p| matches!(p.kind(), SyntaxKind::NAME | SyntaxKind::NAME_REF))
        && !mlpy_modules::stdlib::NULL_NAMES.contains(&at.token.text());
    let target = match at.target.clone() {
        Some(target) => target,
        None if !is_name => return Err(RenameError::NoName),
        None => return Err(RenameError::Undefined(at.token.text().to_string())),
    };
    match &target {
        Target::Local(b) => {
            let binding = ctx.file().scopes().binding(*b);
            if binding.kind == BindingKind::Import && !binding.imports.iter().all(|i| i.aliased) {
                return Err(RenameError::ImportedModule(binding.name.clone()));
            }
            if read_from_key(ctx.file(), *b) {
                return Err(RenameError::ObjectKey(binding.name.clone()));
            }
        }
        Target::Member {
            module: ModuleRef::User(module),
            name,
        } => {
            let file = ctx.host().load(module).ok_or(RenameError::Unreadable)?;
            let Some(b) = file.scopes().module_binding(name) else {
                return Err(RenameError::NotTopLevel(name.clone()));
            };
            if read_from_key(&file, b) {
                return Err(RenameError::ObjectKey(name.clone()));
            }
        }
        Target::Member {
            module: ModuleRef::Builtins,
            ..
        } => return Err(RenameError::Builtin(at.token.text().to_string())),
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

/// Whether an object pattern defines the binding: `{a, b} = o` reads `o["a"]`, so the
/// name is also the key read, and no other name reads the same value.
fn read_from_key(file: &SourceFile, b: BindingId) -> bool {
    let root = file.parse.syntax_node();
    file.scopes().binding(b).defs.iter().any(|def| {
        root.covering_element(*def)
            .ancestors()
            .nth(1)
            .is_some_and(|n| n.kind() == SyntaxKind::OBJECT_PATTERN)
    })
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
    let (at, target) = renameable(ctx, offset)?;
    // A name already defined where the renamed one is defined: the two would be one.
    let clash = match &target {
        Target::Local(b) => {
            let scopes = ctx.file().scopes();
            scopes
                .local(scopes.binding(*b).scope, new_name)
                .map(|other| (ctx.path().to_path_buf(), scopes.binding(other).decl))
        }
        Target::Member {
            module: ModuleRef::User(module),
            ..
        } => ctx.host().load(module).and_then(|f| {
            let other = f.scopes().module_binding(new_name)?;
            Some((module.clone(), f.scopes().binding(other).decl))
        }),
        _ => None,
    };
    if let Some((path, decl)) = clash {
        return Err(RenameError::Clash {
            name: new_name.to_string(),
            at: place(ctx, &path, decl.start()),
        });
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
    // A top-level name other modules reach: an importer may already use the new name
    // as a member of the module (`m.surface`, unknown until the rename).
    let exported = match &target {
        Target::Member {
            module: ModuleRef::User(_),
            ..
        } => true,
        Target::Local(b) => is_exported(ctx, *b),
        _ => false,
    };
    let also: Vec<PathBuf> = match exported {
        true => ctx
            .host()
            .files()
            .into_iter()
            .filter(|p| !out.iter().any(|e| e.path == *p))
            .filter(|p| {
                ctx.host()
                    .load(p)
                    .is_some_and(|f| contains_word(&f.text, new_name))
            })
            .collect(),
        false => Vec::new(),
    };
    if let Err(change) = meaning::unchanged(ctx, &out, &also) {
        let renamed = meaning::meaning_of(ctx, &target);
        let old_name = at.token.text();
        return Err(RenameError::Conflict(explain(
            ctx, &change, &renamed, old_name, new_name,
        )));
    }
    Ok(out)
}

/// Why a rename is refused, for the user: where the new name is already used or defined.
fn explain(
    ctx: &FileCtx,
    change: &Change,
    renamed: &Meaning,
    old_name: &str,
    new_name: &str,
) -> String {
    let changed = match change {
        Change::Meaning(changed) => changed,
        Change::Words(path) => {
            return format!(
                "renaming '{old_name}' to '{new_name}' would change how {} reads",
                shown(ctx, path)
            )
        }
    };
    let at = place(ctx, &changed.path, changed.range.start());
    let describe = |m: &Meaning| describe(ctx, m, renamed, old_name);
    if changed.before == *renamed {
        // A use of the renamed binding that another binding of the new name captures.
        format!(
            "renaming '{old_name}' to '{new_name}' would make the name at {at} refer to {} instead",
            describe(&changed.after)
        )
    } else {
        format!(
            "'{new_name}' is already used at {at}, where it refers to {}; after the rename it would refer to {} instead",
            describe(&changed.before),
            describe(&changed.after)
        )
    }
}

/// What a meaning is, in words.
fn describe(ctx: &FileCtx, meaning: &Meaning, renamed: &Meaning, old_name: &str) -> String {
    if meaning == renamed {
        return format!("the renamed '{old_name}'");
    }
    match meaning {
        Meaning::Nothing => "nothing defined".to_string(),
        Meaning::Binding { path, decl } => {
            let name = text_of(ctx, path)
                .and_then(|text| {
                    let rest = text.get(usize::from(*decl)..)?;
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    Some(rest[..end].to_string())
                })
                .unwrap_or_default();
            format!("the '{name}' defined at {}", place(ctx, path, *decl))
        }
        Meaning::MissingMember { module, name } => {
            format!("nothing ({} has no '{name}')", shown(ctx, module))
        }
        Meaning::Other(Target::Member {
            module: ModuleRef::Builtins,
            name,
        }) => format!("the builtin '{name}'"),
        Meaning::Other(Target::Member {
            module: ModuleRef::Stdlib(m) | ModuleRef::Python(m),
            name,
        }) => format!("'{m}.{name}' of the standard library"),
        Meaning::Other(Target::Module(ModuleRef::User(path))) => {
            format!("the module {}", shown(ctx, path))
        }
        Meaning::Other(Target::Module(ModuleRef::Stdlib(m) | ModuleRef::Python(m))) => {
            format!("the module '{m}' of the standard library")
        }
        Meaning::Other(_) => "a module".to_string(),
    }
}

/// The text of a file before the rename.
fn text_of(ctx: &FileCtx, path: &Path) -> Option<std::sync::Arc<str>> {
    match path == ctx.path() {
        true => Some(ctx.file().text.clone()),
        false => ctx.host().load(path).map(|f| f.text.clone()),
    }
}

/// A file as the user knows it: its path in the project.
fn shown(ctx: &FileCtx, path: &Path) -> String {
    ctx.host().resolver(path).display_path(path)
}

/// `line 3, column 5` (one-based, columns in characters), with the file when it is not
/// the one renamed in.
fn place(ctx: &FileCtx, path: &Path, offset: TextSize) -> String {
    let text = text_of(ctx, path).unwrap_or_else(|| "".into());
    let before = text.get(..usize::from(offset)).unwrap_or(&text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    match path == ctx.path() {
        true => format!("line {line}, column {column}"),
        false => format!("line {line}, column {column} of {}", shown(ctx, path)),
    }
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
    fn a_function_reached_through_a_modules_own_import_is_renamed_there_too() {
        check(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport hub;\nprint(hub.inner.[|f|](1), hub.a.b.[|f|](2));\n//- /lib/hub.ml\nimport a.b as inner;\nimport a.b;\n//- /lib/a/b.ml\nfunction [|f$0|](x) { return x; }\n",
            "g",
        );
    }

    #[test]
    fn an_import_alias_other_modules_read_is_renamed_in_them() {
        let fixture = "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport hub;\nprint(hub.[|inner|].f(1));\n//- /lib/hub.ml\nimport a.b as [|inner|];\nx = [|inner|].f(0);\n//- /lib/a/b.ml\nfunction f(x) { return x; }\n";
        check(&fixture.replace("as [|inner|]", "as [|in$0ner|]"), "core");
        check(&fixture.replace("hub.[|inner|]", "hub.[|in$0ner|]"), "core");
        // An importer that already reads the new name as an unknown member.
        let taken = fixture
            .replace("as [|inner|]", "as in$0ner")
            .replace("[|", "")
            .replace("|]", "")
            .replace("f(1));", "f(1), hub.core);");
        assert!(
            matches!(refused(&taken, "core"), RenameError::Conflict(_)),
            "{taken}"
        );
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
        assert_eq!(
            refused(module, "UNIT"),
            RenameError::Clash {
                name: "UNIT".into(),
                at: "line 2, column 1 of geometry.ml".into()
            }
        );
        let local = "//- /main.ml\nfunction f(a$0, b) { return a + b; }\n";
        assert_eq!(
            refused(local, "b").to_string(),
            "'b' is already defined in that scope, at line 1, column 15"
        );
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
        assert_eq!(e, RenameError::Builtin("print".into()));
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

    #[test]
    fn keywords_and_literals_are_no_names() {
        let program = "//- /main.ml\nfunction f(a) {\n    return a + 1;\n}\nx = null;\ny = true;\nz = undefined;\nfor (i in [1]) { print(i); }\n";
        for word in [
            "fun$0ction",
            "ret$0urn",
            "nu$0ll",
            "tr$0ue",
            "undef$0ined",
            "f$0or",
            "i$0n [",
        ] {
            let plain = word.replace("$0", "");
            let fx = Fixture::new(&program.replacen(&plain, word, 1));
            assert_eq!(
                prepare_rename(&fx.ctx(), fx.offset()),
                Err(RenameError::NoName),
                "{word}"
            );
        }
        // A name that resolves to nothing is another matter.
        let fx = Fixture::new("//- /main.ml\nprint(nos$0uch);\n");
        assert_eq!(
            prepare_rename(&fx.ctx(), fx.offset()),
            Err(RenameError::Undefined("nosuch".into()))
        );
    }

    /// Renames at the cursor of a one-file program (checked to parse without errors).
    fn rename_in(program: &str, new_name: &str) -> Result<Vec<FileEdit>, RenameError> {
        let fx = Fixture::new(&format!("//- /main.ml\n{program}"));
        let ctx = fx.ctx();
        assert!(ctx.file().parse.errors().is_empty(), "{program}");
        rename(&ctx, fx.offset(), new_name)
    }

    fn conflict(program: &str, new_name: &str) -> String {
        match rename_in(program, new_name) {
            Err(RenameError::Conflict(message)) => message,
            other => panic!("rename to {new_name} of\n{program}\ngave {other:?}"),
        }
    }

    #[test]
    fn the_reported_captures_are_refused_with_the_place() {
        let program = "a = 1;\nfunction f() {\n    q$0 = 2;\n    return q + a;\n}\nprint(f());\n";
        assert_eq!(
            conflict(program, "a"),
            "'a' is already used at line 4, column 16, where it refers to the 'a' defined at line 1, column 1; after the rename it would refer to the renamed 'q' instead"
        );
        let program = "a$0 = 1;\nfunction f() {\n    q = 2;\n    return q + a;\n}\nprint(f());\n";
        assert_eq!(
            conflict(program, "q"),
            "renaming 'a' to 'q' would make the name at line 4, column 16 refer to the 'q' defined at line 3, column 5 instead"
        );
        let program =
            "function f(a) {\n    function g(q$0) { return a + q; }\n    return g(1);\n}\n";
        assert!(conflict(program, "a").contains("already used at line 2, column 28"));
        let program = "x = 1;\nfunction f() {\n    y$0 = x;\n    return y;\n}\n";
        assert!(conflict(program, "x").contains("already used at line 3, column 9"));
        let program = "y = 1;\nf = fn(x$0) => x + y;\nprint(f(10));\n";
        assert!(conflict(program, "y").contains("where it refers to the 'y' defined at line 1"));
    }

    /// Every way a scope binds a name, inside every way an outer name is visible there:
    /// the inner name renamed to the outer one, or the outer one to the inner one, is
    /// refused exactly when the inner scope uses both.
    #[test]
    fn captures_are_refused_in_every_kind_of_scope() {
        // `A` binds the outer name `a`, where `INNER` can see it.
        let outers = [
            "A = 1;\nINNER\nprint(a);\n",
            "function A() { return 1; }\nINNER\n",
            "function outer(A) {\n    INNER\n    return a;\n}\n",
            "function outer() {\n    A = 1;\n    INNER\n    return a;\n}\n",
            "for (A in [1]) {\n    INNER\n}\n",
            "function outer() {\n    a = 1;\n    function mid() {\n        nonlocal A;\n        A = 2;\n        INNER\n    }\n    return a;\n}\n",
            "[A, b] = [1, 2];\nINNER\n",
        ];
        // `N` binds the inner name `q`; `EXPR` uses it (and maybe `a`).
        let inners = [
            "function g(N) { return EXPR; }",
            "function g() { N = 2; return EXPR; }",
            "function g() { for (N in [1]) { print(EXPR); } return 0; }",
            "function g() { try { throw {message: \"x\"}; } except (N) { print(EXPR); } return 0; }",
            "function g() { [N, z] = [1, 2]; return EXPR; }",
            "function g() { function N() { return 1; } return EXPR; }",
            "g = fn(N) => EXPR;",
            "g = fn(z) => fn(N) => EXPR;",
            "function g() { q = 1; function h() { nonlocal N; N = 2; return EXPR; } return h; }",
        ];
        let mut cases = 0;
        for outer in outers {
            for inner in inners {
                for uses_outer in [true, false] {
                    let expr = if uses_outer { "q$1 + a" } else { "q$1" };
                    let program = |inner_cursor: bool| {
                        let code = inner.replace("N", "q").replace("EXPR", expr);
                        let text = outer.replace("INNER", &code);
                        match inner_cursor {
                            true => text.replace("A", "a").replace("$1", "$0"),
                            false => text
                                .replacen("A", "a$0", 1)
                                .replace("A", "a")
                                .replace("$1", ""),
                        }
                    };
                    let inner_to_outer = rename_in(&program(true), "a");
                    let outer_to_inner = rename_in(&program(false), "q");
                    let fresh = rename_in(&program(true), "fresh");
                    let context = format!("{}\n(uses a: {uses_outer})", program(true));
                    assert!(fresh.is_ok(), "{context}: {fresh:?}");
                    if uses_outer {
                        assert!(
                            matches!(inner_to_outer, Err(RenameError::Conflict(_))),
                            "q -> a in {context}: {inner_to_outer:?}"
                        );
                        assert!(
                            matches!(outer_to_inner, Err(RenameError::Conflict(_))),
                            "a -> q in {context}: {outer_to_inner:?}"
                        );
                    } else {
                        assert!(
                            inner_to_outer.is_ok(),
                            "q -> a in {context}: {inner_to_outer:?}"
                        );
                        assert!(
                            outer_to_inner.is_ok(),
                            "a -> q in {context}: {outer_to_inner:?}"
                        );
                    }
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, outers.len() * inners.len() * 2);
    }

    #[test]
    fn names_that_would_change_meaning_elsewhere_in_the_file() {
        // A builtin, an unknown name, a module binding: each would now mean the renamed
        // binding.
        let m = conflict("x$0 = [1];\nf = len;\nprint(f(x));\n", "len");
        assert!(m.contains("refers to the builtin 'len'"), "{m}");
        let m = conflict("x$0 = 1;\nfunction f() { return y; }\n", "y");
        assert!(m.contains("refers to nothing defined"), "{m}");
        let m = conflict(
            "import math;\nfunction f(x$0) { return math.sqrt(x); }\n",
            "math",
        );
        assert!(
            m.contains("refers to the 'math' defined at line 1, column 8"),
            "{m}"
        );
        // An assignment through `nonlocal` would join another binding.
        let program = "function f() {\n    x$0 = 1;\n    function g() { nonlocal x; x = 2; y = 3; return y; }\n    return g;\n}\n";
        assert!(conflict(program, "y").contains("line 3"));
        // A name used only before it is shadowed elsewhere is fine.
        assert!(rename_in(
            "x$0 = 1;\nfunction f() { y = 2; return y; }\nprint(x);\n",
            "y"
        )
        .is_ok());
    }

    #[test]
    fn across_modules_importers_that_use_or_define_the_new_name() {
        let project = "//- /mlpy.json\n{}\n//- /geometry.ml\nfunction ar$0ea(r) { return r; }\n//- /main.ml\nimport geometry;\nprint(geometry.area(1));\nUSE\n";
        let refused_for = |usage: &str, new_name: &str| {
            let fx = Fixture::new(&project.replace("USE", usage));
            rename(&fx.ctx(), fx.offset(), new_name)
        };
        // An importer already using the new name as a member (unknown until then).
        let e = refused_for("print(geometry.surface);", "surface").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'surface' is already used at line 3, column 16 of main.ml, where it refers to nothing (geometry.ml has no 'surface'); after the rename it would refer to the renamed 'area' instead"
        );
        // Through an alias too, and from an importer's cursor.
        let e = refused_for("import geometry as g;\nprint(g.surface);", "surface").unwrap_err();
        assert!(matches!(e, RenameError::Conflict(_)), "{e}");
        // An importer defining the name, or using it otherwise, changes nothing.
        for usage in [
            "surface = 2;\nprint(surface);",
            "function surface() { return 1; }",
            "x = {surface: 1};\nprint(x.surface);",
        ] {
            let edits = refused_for(usage, "surface").unwrap();
            assert_eq!(edits.len(), 2, "{usage}");
        }
        // The module's own uses of a builtin of the new name.
        let fx = Fixture::new(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\nprint(geometry.ar$0ea([1]));\n//- /geometry.ml\nfunction area(r) { return len(r); }\n",
        );
        let e = rename(&fx.ctx(), fx.offset(), "len").unwrap_err();
        assert!(
            e.to_string()
                .contains("of geometry.ml, where it refers to the builtin 'len'"),
            "{e}"
        );
        // A member that would collide with another: the clash says where.
        let fx = Fixture::new(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\nprint(geometry.ar$0ea(1));\n//- /geometry.ml\nfunction area(r) { return r; }\nfunction volume(r) { return r; }\n",
        );
        let e = rename(&fx.ctx(), fx.offset(), "volume").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'volume' is already defined in that scope, at line 2, column 10 of geometry.ml"
        );
    }

    #[test]
    fn names_read_from_object_keys_are_refused() {
        for program in [
            "{q$0, z} = {q: 1, z: 2};\nprint(q);\n",
            "{q, z} = {q: 1, z: 2};\nprint(q$0);\n",
            "function f(o) { {z, q} = o; return q$0; }\n",
            "q = 1;\n{q$0} = {q: 2};\n",
        ] {
            let fx = Fixture::new(&format!("//- /main.ml\n{program}"));
            let e = prepare_rename(&fx.ctx(), fx.offset()).unwrap_err();
            assert_eq!(e, RenameError::ObjectKey("q".into()), "{program}");
            let e = rename(&fx.ctx(), fx.offset(), "other").unwrap_err();
            assert!(e.to_string().contains("would read another key"), "{e}");
        }
        // Through an importer too; an array pattern reads by position and may be renamed.
        let fx = Fixture::new(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport config;\nprint(config.po$0rt);\n//- /config.ml\n{port, host} = {port: 1, host: 2};\n",
        );
        let e = rename(&fx.ctx(), fx.offset(), "p").unwrap_err();
        assert_eq!(e, RenameError::ObjectKey("port".into()));
        assert!(rename_in("[q$0, z] = [1, 2];\nprint(q);\n", "r").is_ok());
    }
}
