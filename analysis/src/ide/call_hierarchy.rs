//! Call hierarchy: the functions that call a function (incoming, across every module of
//! the workspace through their imports) and the functions it calls (outgoing, in any
//! module). A call belongs to the innermost function around it; calls at a module's top
//! level belong to the module itself (an item of kind `Module`). Builtins and the
//! standard library have no source, so they are no items.

use super::callable::{callee_target, callee_token};
use super::display::{function_at, function_signature, module_name};
use super::references::reference_ranges;
use super::{CallHierarchyCall, CallItem, CallItemKind, FileCtx};
use crate::semantics::{ModuleRef, Target};
use mlpy_modules::scopes::{BindingId, BindingKind};
use mlpy_modules::SourceFile;
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxKind, SyntaxNode, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

/// The function named at `offset` (its definition or a use).
pub fn prepare_call_hierarchy(ctx: &FileCtx, offset: TextSize) -> Option<Vec<CallItem>> {
    let target = ctx.semantics().classify(offset)?.target?;
    Some(vec![target_item(ctx, &target)?])
}

/// The calls of the function whose name is at `offset` of `ctx`'s file, grouped by the
/// function (or module) they are in, in the order of the files and of their first call.
pub fn incoming_calls(ctx: &FileCtx, offset: TextSize) -> Option<Vec<CallHierarchyCall>> {
    let target = ctx.semantics().classify(offset)?.target?;
    let Target::Local(b) = target else {
        return None;
    };
    if ctx.file().scopes().binding(b).kind != BindingKind::Function {
        return None;
    }
    let places = reference_ranges(ctx, &target, false)?;
    let mut out: Vec<CallHierarchyCall> = Vec::new();
    // The places are sorted by file: each file is walked once.
    let mut i = 0;
    while i < places.len() {
        let path = places[i].path.clone();
        let wanted: FxHashSet<TextRange> = places[i..]
            .iter()
            .take_while(|p| p.path == path)
            .map(|p| p.range)
            .collect();
        i += wanted.len();
        let file = match path == ctx.path() {
            true => ctx.file().clone(),
            false => match ctx.host().load(&path) {
                Some(file) => file,
                None => continue,
            },
        };
        let root = file.parse.syntax_node();
        for (range, caller) in calls_in(&root, &wanted) {
            let caller = match caller {
                Some(f) => function_item(&path, &f),
                None => Some(module_item(ctx, &path, &root)),
            };
            if let Some(caller) = caller {
                add(&mut out, caller, range);
            }
        }
    }
    Some(out)
}

/// The calls whose callee's name is at one of the `wanted` ranges, each with the
/// innermost function around it: one walk of the file, keeping the functions entered.
fn calls_in(
    root: &SyntaxNode,
    wanted: &FxHashSet<TextRange>,
) -> Vec<(TextRange, Option<ast::FunctionDef>)> {
    let mut out = Vec::new();
    let mut functions: Vec<ast::FunctionDef> = Vec::new();
    for event in root.preorder() {
        match event {
            rowan::WalkEvent::Enter(node) => {
                if let Some(f) = ast::FunctionDef::cast(node.clone()) {
                    functions.push(f);
                } else if let Some(call) = ast::CallExpr::cast(node) {
                    let token = call.callee().and_then(|c| callee_token(&c));
                    if let Some(token) = token.filter(|t| wanted.contains(&t.text_range())) {
                        out.push((token.text_range(), functions.last().cloned()));
                    }
                }
            }
            rowan::WalkEvent::Leave(node) => {
                if node.kind() == SyntaxKind::FUNCTION {
                    functions.pop();
                }
            }
        }
    }
    out
}

/// The calls made by the function whose name is at `offset` (`None`: by the module's
/// top-level code), grouped by the function called, in the order of the first call.
pub fn outgoing_calls(ctx: &FileCtx, function: Option<TextSize>) -> Option<Vec<CallHierarchyCall>> {
    let root = ctx.root();
    let body = match function {
        Some(offset) => {
            let Target::Local(b) = ctx.semantics().classify(offset)?.target? else {
                return None;
            };
            let binding = ctx.file().scopes().binding(b);
            if binding.kind != BindingKind::Function {
                return None;
            }
            function_at(&root, binding.node_range?)?.syntax().clone()
        }
        None => root.clone(),
    };
    let sema = ctx.semantics();
    let mut out: Vec<CallHierarchyCall> = Vec::new();
    // One look-up per function called, however many calls there are.
    let mut items: FxHashMap<Target, Option<CallItem>> = FxHashMap::default();
    let mut walk = body.preorder();
    while let Some(event) = walk.next() {
        let rowan::WalkEvent::Enter(node) = event else {
            continue;
        };
        // A nested function makes its own calls.
        if node.kind() == SyntaxKind::FUNCTION && node != body {
            walk.skip_subtree();
            continue;
        }
        let Some(callee) = ast::CallExpr::cast(node).and_then(|c| c.callee()) else {
            continue;
        };
        let (Some(target), Some(token)) = (callee_target(&sema, &callee), callee_token(&callee))
        else {
            continue;
        };
        let item = items
            .entry(target.clone())
            .or_insert_with(|| target_item(ctx, &target));
        if let Some(item) = item.clone() {
            add(&mut out, item, token.text_range());
        }
    }
    Some(out)
}

/// Adds a call at `range` from or to `item`, with the other calls of the same item.
fn add(out: &mut Vec<CallHierarchyCall>, item: CallItem, range: TextRange) {
    let same = |c: &&mut CallHierarchyCall| {
        c.item.path == item.path && c.item.selection_range == item.selection_range
    };
    match out.iter_mut().find(same) {
        Some(call) => call.ranges.push(range),
        None => out.push(CallHierarchyCall {
            item,
            ranges: vec![range],
        }),
    }
}

/// The item of a function a target names: a function of the file or of a user module.
fn target_item(ctx: &FileCtx, target: &Target) -> Option<CallItem> {
    match target {
        Target::Local(b) => binding_item(ctx.path(), ctx.file(), *b),
        Target::Member {
            module: ModuleRef::User(path),
            name,
        } => {
            let file = match path == ctx.path() {
                true => ctx.file().clone(),
                false => ctx.host().load(path)?,
            };
            let b = file.scopes().module_binding(name)?;
            binding_item(path, &file, b)
        }
        _ => None,
    }
}

fn binding_item(path: &Path, file: &SourceFile, b: BindingId) -> Option<CallItem> {
    let binding = file.scopes().binding(b);
    if binding.kind != BindingKind::Function {
        return None;
    }
    let f = function_at(&file.parse.syntax_node(), binding.node_range?)?;
    function_item(path, &f)
}

fn function_item(path: &Path, f: &ast::FunctionDef) -> Option<CallItem> {
    let name = f.name()?.ident_token()?;
    Some(CallItem {
        name: name.text().to_string(),
        kind: CallItemKind::Function,
        path: path.to_path_buf(),
        range: f.syntax().text_range(),
        selection_range: name.text_range(),
        detail: Some(function_signature(f)),
    })
}

/// A module as a caller: its top-level code.
fn module_item(ctx: &FileCtx, path: &Path, root: &SyntaxNode) -> CallItem {
    let host = ctx.host();
    // A document that is no file has no project to show paths in.
    let detail = ctx
        .resolver()
        .map(|_| host.resolver(path).display_path(path));
    CallItem {
        name: module_name(host, path),
        kind: CallItemKind::Module,
        path: path.to_path_buf(),
        range: root.text_range(),
        selection_range: TextRange::empty(0.into()),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// Calls as `item (file) <- ranges` with each range's text.
    fn show(fx: &Fixture, calls: &[CallHierarchyCall], range_file: Option<&Path>) -> Vec<String> {
        calls
            .iter()
            .map(|c| {
                let file = range_file.unwrap_or(&c.item.path);
                let text = std::fs::read_to_string(file).unwrap();
                let at: Vec<String> = c
                    .ranges
                    .iter()
                    .map(|r| format!("{}@{}", &text[*r], u32::from(r.start())))
                    .collect();
                format!(
                    "{} {:?} ({}) {}",
                    c.item.name,
                    c.item.kind,
                    fx.rel(&c.item.path),
                    at.join(" ")
                )
            })
            .collect()
    }

    const PROJECT: &str = "//- /mlpy.json\n{}\n//- /main.ml\nimport geo;\nimport geo as g;\nfunction report() {\n  return geo.area(1) + g.area(2);\n}\nprint(geo.area(3));\n//- /geo.ml\nfunction area(r) { return square(r); }\nfunction square(x) { return x * x; }\nfunction unused() { return area(1) + square(2) + len([]); }\n";

    #[test]
    fn prepare_on_a_use_gives_the_definition() {
        let fx = Fixture::new(&PROJECT.replace("print(geo.area", "print(geo.ar$0ea"));
        let items = prepare_call_hierarchy(&fx.ctx(), fx.offset()).unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(
            (item.name.as_str(), item.kind),
            ("area", CallItemKind::Function)
        );
        assert_eq!(item.path, fx.path("geo.ml"));
        assert_eq!(item.detail.as_deref(), Some("function area(r)"));
        let text = std::fs::read_to_string(fx.path("geo.ml")).unwrap();
        assert_eq!(&text[item.selection_range], "area");
        assert!(text[item.range].starts_with("function area(r) {"));
        // Not a function: no item.
        let fx = Fixture::new("//- /main.ml\nx$0 = 1;\n");
        assert_eq!(prepare_call_hierarchy(&fx.ctx(), fx.offset()), None);
    }

    #[test]
    fn incoming_calls_across_modules_grouped_by_caller() {
        let fx = Fixture::new(&PROJECT.replace("function area(r)", "function ar$0ea(r)"));
        let calls = incoming_calls(&fx.ctx(), fx.offset()).unwrap();
        assert_eq!(
            show(&fx, &calls, None),
            [
                "unused Function (geo.ml) area@103",
                "report Function (main.ml) area@62 area@74",
                "main Module (main.ml) area@95",
            ]
        );
    }

    #[test]
    fn outgoing_calls_of_a_function_and_of_a_module() {
        let fx = Fixture::new(&PROJECT.replace("function unused()", "function un$0used()"));
        let calls = outgoing_calls(&fx.ctx(), Some(fx.offset())).unwrap();
        let geo = fx.path("geo.ml");
        // `len` is a builtin: no item.
        assert_eq!(
            show(&fx, &calls, Some(&geo)),
            [
                "area Function (geo.ml) area@103",
                "square Function (geo.ml) square@113"
            ]
        );
        let fx = Fixture::new(&PROJECT.replace("print(geo", "$0print(geo"));
        let calls = outgoing_calls(&fx.ctx(), None).unwrap();
        let main = fx.path("main.ml");
        // The module's own code calls `area` (and `print`); `report`'s calls are its own.
        assert_eq!(
            show(&fx, &calls, Some(&main)),
            ["area Function (geo.ml) area@95"]
        );
    }
}
