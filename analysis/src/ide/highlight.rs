//! Document highlight: every place of the file that names what the name at an offset
//! names, each a read or a write. A binding is written where it is assigned (its
//! definitions: `x = …`, a parameter, a loop variable, a function's name, an import) and
//! read everywhere else; a member of another module, a builtin or a standard-library name
//! is only read here; a module is named by its imports (text).

use super::references::member_uses;
use super::{FileCtx, Highlight, HighlightKind};
use crate::semantics::{ModuleRef, Target};
use mlpy_modules::scopes::NameRes;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxNode, TextRange, TextSize};
use rustc_hash::FxHashSet;

pub fn document_highlight(ctx: &FileCtx, offset: TextSize) -> Option<Vec<Highlight>> {
    let sema = ctx.semantics();
    let at = sema.classify(offset)?;
    let target = at.target?;
    let scopes = ctx.file().scopes();
    let mut out: Vec<Highlight> = Vec::new();
    let mut push = |range: TextRange, kind: HighlightKind| out.push(Highlight { range, kind });
    match &target {
        Target::Local(b) => {
            let binding = scopes.binding(*b);
            for def in &binding.defs {
                push(*def, HighlightKind::Write);
            }
            let mut nonlocal = false;
            for scope in &scopes.scopes {
                for (_, range) in &scope.nonlocals {
                    if scopes.nonlocal_target(*range) == Some(*b) {
                        push(*range, HighlightKind::Text);
                        nonlocal = true;
                    }
                }
            }
            // Only through `nonlocal` is a use a write (elsewhere writes are definitions).
            let assigned = match nonlocal {
                true => assignment_targets(&ctx.root()),
                false => FxHashSet::default(),
            };
            for r in scopes.references(*b) {
                let kind = match assigned.contains(r) {
                    true => HighlightKind::Write,
                    false => HighlightKind::Read,
                };
                push(*r, kind);
            }
        }
        Target::Member {
            module: ModuleRef::Builtins,
            name,
        } => {
            // Bare uses (`len`), then `builtin.len`.
            for (range, _, res) in scopes.uses() {
                if res == NameRes::Builtin && &ctx.text()[range] == name {
                    push(range, HighlightKind::Read);
                }
            }
            if scopes
                .uses()
                .any(|(_, _, res)| res == NameRes::BuiltinModule)
            {
                for range in builtin_members(ctx, name) {
                    push(range, HighlightKind::Read);
                }
            }
        }
        Target::Member { name, .. } => {
            for range in member_uses(ctx, &sema, &target, name) {
                push(range, HighlightKind::Read);
            }
        }
        Target::Module(module) => {
            let mut any = false;
            for import in ctx.file().parse.tree().imports() {
                let Some((_, range)) = mlpy_modules::graph::import_spec(&import) else {
                    continue;
                };
                if ctx
                    .imported_by(&import)
                    .is_some_and(|i| i.module == *module)
                {
                    push(range, HighlightKind::Text);
                    any = true;
                }
            }
            if !any {
                push(at.range, HighlightKind::Text);
            }
        }
    }
    out.sort_by_key(|h| (h.range.start(), h.range.end()));
    out.dedup();
    Some(out)
}

/// The ranges of the names assigned by `x = …` statements, in one walk of the file
/// (not one descent from the root per use: a deeply nested file would pay its depth for
/// each).
fn assignment_targets(root: &SyntaxNode) -> FxHashSet<TextRange> {
    root.descendants()
        .filter_map(ast::AssignStmt::cast)
        .filter_map(|a| match a.target()? {
            ast::Expr::Path(p) => Some(p.syntax().text_range()),
            _ => None,
        })
        .collect()
}

/// The member names of `builtin.NAME` in the file (one walk).
fn builtin_members(ctx: &FileCtx, name: &str) -> Vec<TextRange> {
    let scopes = ctx.file().scopes();
    ctx.root()
        .descendants()
        .filter_map(ast::FieldExpr::cast)
        .filter_map(|field| {
            let ast::Expr::Path(receiver) = field.receiver()? else {
                return None;
            };
            let root = receiver.name_ref()?.ident_token()?;
            let member = field.name_ref()?.ident_token()?;
            let is_builtin = scopes.resolve(root.text_range()) == NameRes::BuiltinModule;
            (is_builtin && member.text() == name).then(|| member.text_range())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// The highlights at the cursor as `text@kind`, in order; their ranges must be the
    /// marked ones.
    fn check(fixture: &str) -> Vec<String> {
        let fx = Fixture::new(fixture);
        let ctx = fx.ctx();
        let found = document_highlight(&ctx, fx.offset()).unwrap_or_default();
        let ranges: Vec<TextRange> = found.iter().map(|h| h.range).collect();
        assert_eq!(ranges, fx.marked_ranges(), "{fixture}");
        found
            .iter()
            .map(|h| format!("{}@{:?}", &ctx.text()[h.range], h.kind))
            .collect()
    }

    #[test]
    fn reads_and_writes_of_a_variable() {
        let found = check(
            "//- /main.ml\n[|count|] = 0;\nfunction f() {\n  nonlocal [|count|];\n  [|count|] = [|co$0unt|] + 1;\n}\nprint([|count|]);\n",
        );
        assert_eq!(
            found,
            [
                "count@Write",
                "count@Text",
                "count@Write",
                "count@Read",
                "count@Read"
            ]
        );
    }

    #[test]
    fn a_parameter_stays_in_its_function() {
        let found = check(
            "//- /main.ml\nfunction f([|a|]) { return [|a$0|] * 2; }\nfunction g(a) { return a; }\n",
        );
        assert_eq!(found, ["a@Write", "a@Read"]);
    }

    #[test]
    fn a_member_of_another_module_through_two_imports() {
        let found = check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geo;\nimport geo as g;\nprint(geo.[|ar$0ea|](1), g.[|area|](2), geo.UNIT);\n//- /geo.ml\nfunction area(r) { return r; }\nUNIT = 1;\n",
        );
        assert_eq!(found, ["area@Read", "area@Read"]);
    }

    #[test]
    fn builtins_bare_and_through_the_builtin_module() {
        let found = check("//- /main.ml\n[|le$0n|]([]);\nx = builtin.[|len|]([1]);\nprint(1);\n");
        assert_eq!(found, ["len@Read", "len@Read"]);
    }

    #[test]
    fn a_standard_library_function() {
        check("//- /main.ml\nimport math;\nx = math.[|sq$0rt|](2) + math.[|sqrt|](3) + math.pi;\n");
    }

    #[test]
    fn a_module_at_its_imports() {
        let found = check(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport [|ge$0o|];\nimport [|geo|] as g;\nimport math;\n//- /geo.ml\nx = 1;\n",
        );
        assert_eq!(found, ["geo@Text", "geo@Text"]);
    }

    #[test]
    fn nothing_on_whitespace() {
        let fx = Fixture::new("//- /main.ml\nx = 1;   $0\n");
        assert_eq!(document_highlight(&fx.ctx(), fx.offset()), None);
    }
}
