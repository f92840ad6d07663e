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
use mlpy_syntax::{TextRange, TextSize};

pub fn document_highlight(ctx: &FileCtx, offset: TextSize) -> Option<Vec<Highlight>> {
    let sema = ctx.semantics();
    let at = sema.classify(offset)?;
    let target = at.target?;
    let scopes = &ctx.file().scopes;
    let mut out: Vec<Highlight> = Vec::new();
    let mut push = |range: TextRange, kind: HighlightKind| out.push(Highlight { range, kind });
    match &target {
        Target::Local(b) => {
            let binding = scopes.binding(*b);
            for def in &binding.defs {
                push(*def, HighlightKind::Write);
            }
            for r in scopes.references(*b) {
                push(*r, HighlightKind::Read);
            }
            for scope in &scopes.scopes {
                for (_, range) in &scope.nonlocals {
                    if scopes.nonlocal_target(*range) == Some(*b) {
                        push(*range, HighlightKind::Text);
                    }
                }
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
            let root = ctx.root();
            for (range, _, res) in scopes.uses() {
                if res != NameRes::BuiltinModule {
                    continue;
                }
                let member = root
                    .covering_element(range)
                    .ancestors()
                    .find_map(ast::PathExpr::cast)
                    .and_then(|path| path.syntax().parent())
                    .and_then(ast::FieldExpr::cast)
                    .and_then(|field| field.name_ref())
                    .and_then(|n| n.ident_token());
                if let Some(token) = member.filter(|t| t.text() == name) {
                    push(token.text_range(), HighlightKind::Read);
                }
            }
        }
        Target::Member { name, .. } => {
            for range in member_uses(ctx, &sema, &target, name) {
                push(range, HighlightKind::Read);
            }
        }
        Target::Module(module) => {
            for import in ctx.file().parse.tree().imports() {
                let Some((_, range)) = mlpy_modules::graph::import_spec(&import) else {
                    continue;
                };
                if ctx.imported_by(&import).is_some_and(|i| i.module == *module) {
                    push(range, HighlightKind::Text);
                }
            }
            if out.is_empty() {
                push(at.range, HighlightKind::Text);
            }
        }
    }
    out.sort_by_key(|h| (h.range.start(), h.range.end()));
    out.dedup();
    Some(out)
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
