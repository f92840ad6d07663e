//! What a call calls, with its parameters: shared by signature help and parameter-name
//! inlay hints. A callee is resolved like every other name ([`FileSemantics`]): a function
//! of the file, a function of a user module (its symbols, through an import that is never
//! reassigned), a variable holding an arrow function, a builtin or a standard-library
//! function (their signatures from the runtime's manifest, `stdlib_docs`).

use super::display::function_at;
use super::stdlib_docs::{self, DocKind};
use super::FileCtx;
use crate::semantics::{field_chain, FileSemantics, ModuleRef, Target};
use mlpy_modules::scopes::{BindingId, BindingKind, NameRes};
use mlpy_syntax::ast::{self, AstNode, Expr};
use mlpy_syntax::{SyntaxToken, TextRange, TextSize};

/// A function as a call sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Callable {
    /// The function's own name (`area`, `sqrt`), for the inlay-hint heuristics.
    pub name: String,
    /// `function area(w: number, h)`, `math.sqrt(x)`, `print(*values)`.
    pub label: String,
    pub params: Vec<CallableParam>,
    /// Markdown: the doc comment, or the manifest's one-line doc.
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallableParam {
    /// The name, without `*` or a default value.
    pub name: String,
    /// Where the parameter is written in [`Callable::label`] (bytes).
    pub range: TextRange,
    /// `*values`: it takes every argument from here on.
    pub rest: bool,
}

impl Callable {
    /// The parameter an argument at `index` goes to (a rest parameter takes the others).
    pub(super) fn param_for(&self, index: usize) -> Option<usize> {
        if index < self.params.len() {
            return Some(match self.params[..index].iter().position(|p| p.rest) {
                Some(rest) => rest,
                None => index,
            });
        }
        self.params.iter().position(|p| p.rest)
    }
}

/// Builds a label piece by piece, remembering where each parameter is.
struct LabelBuilder {
    label: String,
    params: Vec<CallableParam>,
}

impl LabelBuilder {
    fn new(head: &str) -> LabelBuilder {
        LabelBuilder {
            label: format!("{head}("),
            params: Vec::new(),
        }
    }

    /// `text` is the parameter as shown (with its annotation or default), `name` its name.
    fn param(&mut self, text: &str, name: &str, rest: bool) {
        if !self.params.is_empty() {
            self.label.push_str(", ");
        }
        let start = TextSize::of(self.label.as_str());
        self.label.push_str(text);
        self.params.push(CallableParam {
            name: name.to_string(),
            range: TextRange::at(start, TextSize::of(text)),
            rest,
        });
    }

    fn finish(mut self, name: &str, doc: Option<String>) -> Callable {
        self.label.push(')');
        Callable {
            name: name.to_string(),
            label: self.label,
            params: self.params,
            doc: doc.filter(|d| !d.is_empty()),
        }
    }
}

/// A parameter list written in ML (`a: number, b`): the names with their annotations.
fn ml_params(params: impl Iterator<Item = ast::Param>) -> Vec<(String, String)> {
    params
        .map(|p| {
            let name = p.name().map(|n| n.text()).unwrap_or_default();
            let shown = match p.type_annotation().and_then(|t| t.text()) {
                Some(t) => format!("{name}: {t}"),
                None => name.clone(),
            };
            (shown, name)
        })
        .collect()
}

fn from_ml(head: &str, name: &str, params: Vec<(String, String)>, doc: Option<String>) -> Callable {
    let mut b = LabelBuilder::new(head);
    for (shown, param) in params {
        b.param(&shown, &param, false);
    }
    b.finish(name, doc)
}

/// A manifest signature (`round(value, precision=0)`, `print(*values)`), shown as
/// `prefix` + the signature.
pub(crate) fn from_manifest(prefix: &str, signature: &str, doc: &str) -> Option<Callable> {
    let open = signature.find('(')?;
    let close = signature.rfind(')')?;
    if close < open {
        return None;
    }
    let name = signature[..open].trim();
    let mut b = LabelBuilder::new(&format!("{prefix}{name}"));
    for part in split_top_level(&signature[open + 1..close]) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let rest = part.starts_with('*');
        let bare = part.trim_start_matches('*');
        let param = bare.split('=').next().unwrap_or(bare).trim();
        b.param(part, param, rest);
    }
    Some(b.finish(name, Some(doc.to_string())))
}

/// Splits a parameter list at the commas outside quotes and brackets (defaults may be
/// `","` or `[1, 2]`).
fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// The callee's name token: `f` of `f(…)`, `area` of `geo.area(…)`.
pub(crate) fn callee_token(callee: &Expr) -> Option<SyntaxToken> {
    match callee {
        Expr::Path(p) => p.name_ref()?.ident_token(),
        Expr::Field(f) => f.name_ref()?.ident_token(),
        _ => None,
    }
}

/// What a callee expression refers to.
pub(crate) fn callee_target(sema: &FileSemantics, callee: &Expr) -> Option<Target> {
    match callee {
        Expr::Path(p) => {
            let token = p.name_ref()?.ident_token()?;
            match sema.scopes.resolve(token.text_range()) {
                NameRes::Binding(b) => Some(Target::Local(b)),
                NameRes::Builtin => Some(Target::builtin(token.text())),
                _ => None,
            }
        }
        Expr::Field(f) => {
            let (root, names) = field_chain(f)?;
            sema.chain_target(root, &names)
        }
        _ => None,
    }
}

/// The function a target is, with its parameters; `None` for anything that is not one
/// (a variable, a module, a class of the standard library).
pub(crate) fn callable(ctx: &FileCtx, target: &Target) -> Option<Callable> {
    match target {
        Target::Local(b) => local_callable(ctx, *b),
        // A top-level name of a user module is what it is in its module: a function, or
        // a variable holding an arrow function (`um.double(…)` as `double(…)` in `um`).
        Target::Member {
            module: ModuleRef::User(path),
            name,
        } => {
            let there = FileCtx::load(ctx.host(), path)?;
            let binding = there.file().scopes().module_binding(name)?;
            local_callable(&there, binding)
        }
        Target::Member {
            module: ModuleRef::Stdlib(module),
            name,
        } => {
            let doc = stdlib_docs::stdlib_member(module, name)?;
            (doc.kind == DocKind::Function)
                .then(|| from_manifest(&format!("{module}."), doc.signature, doc.doc))?
        }
        Target::Member {
            module: ModuleRef::Builtins,
            name,
        } => {
            let doc = stdlib_docs::builtin(name)?;
            from_manifest("", doc.signature, doc.doc)
        }
        _ => None,
    }
}

/// A function of the file, or a variable assigned an arrow function once
/// (`double = fn(x) => x * 2;`).
fn local_callable(ctx: &FileCtx, b: BindingId) -> Option<Callable> {
    let binding = ctx.file().scopes().binding(b);
    let root = ctx.root();
    match binding.kind {
        BindingKind::Function => {
            let f = function_at(&root, binding.node_range?)?;
            let head = format!("function {}", binding.name);
            let params = ml_params(f.params());
            Some(from_ml(&head, &binding.name, params, f.doc_comment()))
        }
        BindingKind::Variable if binding.defs.len() == 1 => {
            let assign = root
                .covering_element(binding.decl)
                .ancestors()
                .find_map(ast::AssignStmt::cast)?;
            let is_target = assign
                .target()
                .is_some_and(|t| t.syntax().text_range() == binding.decl);
            let Some(Expr::Arrow(arrow)) = assign.value().filter(|_| is_target) else {
                return None;
            };
            let head = format!("{} = fn", binding.name);
            let params = ml_params(arrow.params());
            let doc = ast::doc_comment_above(assign.syntax());
            Some(from_ml(&head, &binding.name, params, doc))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(c: &Callable) -> Vec<&str> {
        c.params.iter().map(|p| &c.label[p.range]).collect()
    }

    #[test]
    fn manifest_signatures_with_defaults_and_rest_parameters() {
        let c = from_manifest(
            "csv.",
            "read(path, delimiter=\",\", headers=true)",
            "Reads.",
        )
        .unwrap();
        assert_eq!(c.label, "csv.read(path, delimiter=\",\", headers=true)");
        assert_eq!(shown(&c), ["path", "delimiter=\",\"", "headers=true"]);
        let names: Vec<&str> = c.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["path", "delimiter", "headers"]);
        let print = from_manifest("", "print(*values)", "").unwrap();
        assert!(print.params[0].rest && print.doc.is_none());
        assert_eq!(print.params[0].name, "values");
        assert_eq!(print.param_for(5), Some(0));
        let none = from_manifest("", "modules()", "").unwrap();
        assert!(none.params.is_empty());
        assert_eq!(none.param_for(0), None);
    }

    #[test]
    fn arguments_after_a_rest_parameter_stay_on_it() {
        let c = from_manifest("", "partial(func, *args)", "").unwrap();
        assert_eq!(
            (c.param_for(0), c.param_for(1), c.param_for(4)),
            (Some(0), Some(1), Some(1))
        );
        let c = from_manifest("", "round(value, precision=0)", "").unwrap();
        assert_eq!(c.param_for(2), None);
    }
}
