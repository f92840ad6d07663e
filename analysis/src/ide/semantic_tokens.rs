//! Semantic highlighting: a kind and modifiers for every token worth colouring, in text
//! order. Names are classified by what they refer to (a member chain through
//! [`FileSemantics`]' chain steps, each chain climbed once), so `geometry.area` shows a
//! module and a function, `o.area` a property.

use super::stdlib_docs::{self, DocKind};
use super::{FileCtx, SemanticToken, TokenKind, TokenModifiers};
use crate::semantics::{ChainState, FileSemantics, ModuleRef, Target};
use mlpy_modules::scopes::{BindingKind, NameRes};
use mlpy_modules::SourceFile;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxKind, SyntaxToken, TextRange};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const PLAIN: TokenModifiers = TokenModifiers {
    declaration: false,
    default_library: false,
    readonly: false,
};
const DECLARATION: TokenModifiers = TokenModifiers {
    declaration: true,
    ..PLAIN
};
const LIBRARY: TokenModifiers = TokenModifiers {
    default_library: true,
    ..PLAIN
};
const LIBRARY_CONSTANT: TokenModifiers = TokenModifiers {
    default_library: true,
    readonly: true,
    ..PLAIN
};

pub fn semantic_tokens(ctx: &FileCtx) -> Vec<SemanticToken> {
    semantic_tokens_in(ctx, None)
}

/// The tokens that overlap `range` (all of them: `None`). Subtrees outside the range are
/// not looked at, so a client asking for the visible lines pays for those lines.
pub fn semantic_tokens_in(ctx: &FileCtx, range: Option<TextRange>) -> Vec<SemanticToken> {
    let sema = ctx.semantics();
    let mut walk = Walk {
        ctx,
        sema: &sema,
        chains: FxHashMap::default(),
        modules: FxHashMap::default(),
    };
    let touches = |r: TextRange| {
        range.is_none_or(|wanted| {
            r.intersect(wanted)
                .is_some_and(|i| !i.is_empty() || r.is_empty())
        })
    };
    let mut out = Vec::new();
    let mut events = ctx.root().preorder_with_tokens();
    while let Some(event) = events.next() {
        let rowan::WalkEvent::Enter(element) = event else {
            continue;
        };
        let token = match element {
            rowan::NodeOrToken::Node(node) => {
                if !touches(node.text_range()) {
                    events.skip_subtree();
                }
                continue;
            }
            rowan::NodeOrToken::Token(token) => token,
        };
        if !touches(token.text_range()) {
            continue;
        }
        if let Some((kind, modifiers)) = walk.classify(&token) {
            out.push(SemanticToken {
                range: token.text_range(),
                kind,
                modifiers,
            });
        }
    }
    out
}

fn binding_kind(kind: BindingKind) -> TokenKind {
    match kind {
        BindingKind::Function => TokenKind::Function,
        BindingKind::Parameter => TokenKind::Parameter,
        BindingKind::Import => TokenKind::Namespace,
        _ => TokenKind::Variable,
    }
}

fn is_operator(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::EQ
            | SyntaxKind::PIPE2
            | SyntaxKind::AMP2
            | SyntaxKind::EQ2
            | SyntaxKind::NEQ
            | SyntaxKind::LT
            | SyntaxKind::GT
            | SyntaxKind::LTEQ
            | SyntaxKind::GTEQ
            | SyntaxKind::PLUS
            | SyntaxKind::MINUS
            | SyntaxKind::STAR
            | SyntaxKind::SLASH
            | SyntaxKind::SLASH2
            | SyntaxKind::PERCENT
            | SyntaxKind::BANG
            | SyntaxKind::FAT_ARROW
            | SyntaxKind::QUESTION
    )
}

/// What the walk over a file remembers: the state of every member chain seen (so that
/// `a.b.c…` costs one step per name, not one walk per name) and the modules loaded.
struct Walk<'a, 'f> {
    ctx: &'a FileCtx<'f>,
    sema: &'a FileSemantics<'a>,
    chains: FxHashMap<TextRange, ChainState>,
    modules: FxHashMap<PathBuf, Option<Arc<SourceFile>>>,
}

impl Walk<'_, '_> {
    /// The state of the chain rooted at the name `path`.
    fn path_state(&self, path: &ast::PathExpr) -> ChainState {
        match path.name_ref().and_then(|n| n.ident_token()) {
            Some(token) => self.sema.chain_root(token.text_range(), token.text()),
            None => ChainState::Dead,
        }
    }

    /// The state of the chain that ends with `field`.
    fn field_state(&mut self, field: &ast::FieldExpr) -> ChainState {
        if let Some(known) = self.chains.get(&field.syntax().text_range()) {
            return known.clone();
        }
        // Down the receivers to a known state, then up again, one step per name.
        let mut pending = vec![field.clone()];
        let mut state = loop {
            let last = pending.last().expect("never empty");
            match last.receiver() {
                Some(ast::Expr::Field(inner)) => {
                    match self.chains.get(&inner.syntax().text_range()) {
                        Some(known) => break known.clone(),
                        None => pending.push(inner),
                    }
                }
                Some(ast::Expr::Path(path)) => break self.path_state(&path),
                _ => break ChainState::Dead,
            }
        };
        for f in pending.iter().rev() {
            state = match f.name_ref().and_then(|n| n.ident_token()) {
                Some(name) => self.sema.chain_next(&state, name.text()),
                None => ChainState::Dead,
            };
            self.chains.insert(f.syntax().text_range(), state.clone());
        }
        state
    }

    /// What the member name of `field` refers to.
    fn field_target(&mut self, field: &ast::FieldExpr) -> Option<Target> {
        let name = field.name_ref()?.ident_token()?;
        let receiver = match field.receiver()? {
            ast::Expr::Field(inner) => self.field_state(&inner),
            ast::Expr::Path(path) => self.path_state(&path),
            _ => return None,
        };
        self.sema.chain_member(&receiver, name.text())
    }

    fn is_function(&mut self, module: &Path, name: &str) -> bool {
        let host = self.ctx.host();
        self.modules
            .entry(module.to_path_buf())
            .or_insert_with(|| host.load(module))
            .as_ref()
            .and_then(|f| f.symbols.get(name).map(|s| s.is_function()))
            .unwrap_or(false)
    }

    /// A member name of a field expression: by what it refers to.
    fn member(&mut self, field: &ast::FieldExpr) -> (TokenKind, TokenModifiers) {
        match self.field_target(field) {
            Some(Target::Module(_)) => (TokenKind::Namespace, PLAIN),
            Some(Target::Member {
                module: ModuleRef::User(module),
                name,
            }) => match self.is_function(&module, &name) {
                true => (TokenKind::Function, PLAIN),
                false => (TokenKind::Variable, PLAIN),
            },
            Some(Target::Member {
                module: ModuleRef::Stdlib(module),
                name,
            }) => match stdlib_docs::stdlib_member(&module, &name).map(|d| d.kind) {
                Some(DocKind::Constant) => (TokenKind::Variable, LIBRARY_CONSTANT),
                _ => (TokenKind::Function, LIBRARY),
            },
            Some(Target::Member {
                module: ModuleRef::Builtins,
                ..
            }) => (TokenKind::Function, LIBRARY),
            _ => (TokenKind::Property, PLAIN),
        }
    }

    fn classify(&mut self, token: &SyntaxToken) -> Option<(TokenKind, TokenModifiers)> {
        let kind = token.kind();
        match kind {
            SyntaxKind::COMMENT => return Some((TokenKind::Comment, PLAIN)),
            SyntaxKind::STRING | SyntaxKind::URL => return Some((TokenKind::String, PLAIN)),
            SyntaxKind::NUMBER => return Some((TokenKind::Number, PLAIN)),
            SyntaxKind::WHITESPACE => return None,
            _ => {}
        }
        if !kind.is_any_word() {
            return is_operator(kind).then_some((TokenKind::Operator, PLAIN));
        }
        let parent = token.parent()?;
        let scopes = self.ctx.file().scopes();
        let range = token.text_range();
        match parent.kind() {
            SyntaxKind::IMPORT_PATH => {
                // `import a.b;` binds `a`: its first name declares it (with an alias, the
                // alias does).
                let declares = parent
                    .first_token()
                    .is_some_and(|t| t.text_range() == range)
                    && parent
                        .parent()
                        .and_then(ast::Import::cast)
                        .is_some_and(|i| i.alias().is_none());
                let modifiers = if declares { DECLARATION } else { PLAIN };
                return Some((TokenKind::Namespace, modifiers));
            }
            SyntaxKind::NAME => {
                let kind = match parent.parent().map(|g| g.kind()) {
                    Some(SyntaxKind::FUNCTION) => TokenKind::Function,
                    Some(SyntaxKind::PARAM) => TokenKind::Parameter,
                    Some(SyntaxKind::IMPORT_ALIAS) | Some(SyntaxKind::CAPABILITY_DECL) => {
                        TokenKind::Namespace
                    }
                    // `nonlocal x`: what `x` is, not a declaration.
                    _ => match scopes.nonlocal_target(range) {
                        Some(b) => return Some((binding_kind(scopes.binding(b).kind), PLAIN)),
                        None => TokenKind::Variable,
                    },
                };
                return Some((kind, DECLARATION));
            }
            SyntaxKind::NAME_REF => {
                let grand = parent.parent()?;
                if let Some(field) = ast::FieldExpr::cast(grand) {
                    return Some(self.member(&field));
                }
                return Some(match scopes.resolve(range) {
                    NameRes::Binding(b) => {
                        let binding = scopes.binding(b);
                        let modifiers = match binding.is_def(range) {
                            true => DECLARATION,
                            false => PLAIN,
                        };
                        // An import the module also assigns (`um = 3;`) holds a value.
                        let assigned_import = binding.kind == BindingKind::Import
                            && binding.defs.len() > binding.imports.len();
                        let kind = match assigned_import {
                            true => TokenKind::Variable,
                            false => binding_kind(binding.kind),
                        };
                        (kind, modifiers)
                    }
                    NameRes::Builtin => (TokenKind::Function, LIBRARY),
                    NameRes::BuiltinModule => (TokenKind::Namespace, LIBRARY),
                    NameRes::Null => (TokenKind::Keyword, PLAIN),
                    NameRes::Unknown => (TokenKind::Variable, PLAIN),
                });
            }
            SyntaxKind::OBJECT_FIELD
            | SyntaxKind::CAPABILITY_ALLOW
            | SyntaxKind::CAPABILITY_RESOURCE
                if kind == SyntaxKind::IDENT =>
            {
                return Some((TokenKind::Property, PLAIN));
            }
            _ => {}
        }
        kind.is_keyword().then_some((TokenKind::Keyword, PLAIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// Every token as `text Kind [modifiers]`.
    fn tokens(fixture: &str) -> Vec<String> {
        let fx = Fixture::new(fixture);
        let ctx = fx.ctx();
        semantic_tokens(&ctx)
            .into_iter()
            .map(|t| {
                let mut s = format!("{} {:?}", &ctx.text()[t.range], t.kind);
                for (on, name) in [
                    (t.modifiers.declaration, "declaration"),
                    (t.modifiers.default_library, "library"),
                    (t.modifiers.readonly, "readonly"),
                ] {
                    if on {
                        s.push(' ');
                        s.push_str(name);
                    }
                }
                s
            })
            .collect()
    }

    #[test]
    fn names_by_what_they_refer_to() {
        let found = tokens(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry as g;\nimport math;\n// c\nfunction f(a) { return g.area(a) + g.UNIT + math.pi + math.sqrt(a) + len(a) + o.x; }\n$0\n//- /geometry.ml\nfunction area(r) { return r; }\nUNIT = 1;\n",
        );
        assert_eq!(
            found,
            [
                "import Keyword",
                "geometry Namespace",
                "as Keyword",
                "g Namespace declaration",
                "import Keyword",
                "math Namespace declaration",
                "// c Comment",
                "function Keyword",
                "f Function declaration",
                "a Parameter declaration",
                "return Keyword",
                "g Namespace",
                "area Function",
                "a Parameter",
                "+ Operator",
                "g Namespace",
                "UNIT Variable",
                "+ Operator",
                "math Namespace",
                "pi Variable library readonly",
                "+ Operator",
                "math Namespace",
                "sqrt Function library",
                "a Parameter",
                "+ Operator",
                "len Function library",
                "a Parameter",
                "+ Operator",
                "o Variable",
                "x Property",
            ]
        );
    }

    #[test]
    fn literals_declarations_and_nonlocal() {
        let found =
            tokens("//- /main.ml\nx = \"s\";\nfunction f() {\n  nonlocal x;\n  x = null;\n}\n$0");
        assert_eq!(
            found,
            [
                "x Variable declaration",
                "= Operator",
                "\"s\" String",
                "function Keyword",
                "f Function declaration",
                "nonlocal Keyword",
                "x Variable",
                // Assigned through `nonlocal`: the module's `x`, declared above.
                "x Variable",
                "= Operator",
                "null Keyword",
            ]
        );
    }

    #[test]
    fn a_reassigned_import_has_value_members() {
        let found = tokens(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\ngeometry = {area: 1};\nprint(geometry.area);\n$0\n//- /geometry.ml\nfunction area(r) { return r; }\n",
        );
        assert!(found.contains(&"area Property".to_string()), "{found:?}");
        assert!(!found.contains(&"area Function".to_string()), "{found:?}");
        // The name itself: declared by the import, then a variable where it holds a value.
        assert_eq!(found[1], "geometry Namespace declaration", "{found:?}");
        assert_eq!(found[2], "geometry Variable declaration", "{found:?}");
        assert!(
            found.contains(&"geometry Variable".to_string()),
            "{found:?}"
        );
    }

    #[test]
    fn an_import_without_alias_declares_its_first_name() {
        let found = tokens(
            "//- /mlpy.json
{}
//- /main.ml
import a.b;
import a.c as d;
print(a.b.x + d.y);
$0
//- /a/b.ml
x = 1;
//- /a/c.ml
y = 2;
",
        );
        assert_eq!(
            found[..8],
            [
                "import Keyword",
                "a Namespace declaration",
                "b Namespace",
                "import Keyword",
                "a Namespace",
                "c Namespace",
                "as Keyword",
                "d Namespace declaration",
            ],
            "{found:?}"
        );
    }

    #[test]
    fn a_range_gets_the_tokens_it_overlaps_only() {
        let fx = Fixture::new(
            "//- /main.ml\nx = 1;\nfunction f(a) {\n  return a + x;\n}\ny = \"s\";\n$0",
        );
        let ctx = fx.ctx();
        let all = semantic_tokens(&ctx);
        let line = ctx.text().find("  return").unwrap() as u32;
        let range = TextRange::new(line.into(), (line + 16).into());
        let some = semantic_tokens_in(&ctx, Some(range));
        let shown: Vec<&str> = some.iter().map(|t| &ctx.text()[t.range]).collect();
        assert_eq!(shown, ["return", "a", "+", "x"]);
        // Exactly the whole list's tokens there, classified the same.
        let expected: Vec<SemanticToken> = all
            .into_iter()
            .filter(|t| t.range.intersect(range).is_some_and(|i| !i.is_empty()))
            .collect();
        assert_eq!(some, expected);
    }
}
