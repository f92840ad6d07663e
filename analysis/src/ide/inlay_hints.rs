//! Inlay hints: the parameter name before each argument of a call, where it says
//! something the argument does not. The rule is rust-analyzer's (`param_name.rs`): no
//! hint when the argument already spells the name (`area(width)` for `width`, `w_width`,
//! `widthPx`), for a single-parameter function whose name contains the parameter's
//! (`setName(n)` for `name`), for the obvious single parameters (`value`, `predicate`,
//! one letter), nor for rest parameters (`print(*values)` would label every argument).
//! Literals always get their hint: a bare `true` or `3` says nothing by itself.

use super::callable::{callable, callee_target, Callable};
use super::{FileCtx, InlayHint, InlayHintKind, InlayHintsConfig, ParameterHints};
use crate::semantics::Target;
use mlpy_syntax::ast::{self, AstNode, Expr, PrefixOp};
use mlpy_syntax::TextRange;
use rustc_hash::FxHashMap;

/// The hints of the calls whose arguments start in `range` (the whole file: `None`).
pub fn inlay_hints(
    ctx: &FileCtx,
    range: Option<TextRange>,
    config: &InlayHintsConfig,
) -> Vec<InlayHint> {
    if config.parameter_names == ParameterHints::None {
        return Vec::new();
    }
    let root = ctx.root();
    // The calls around and inside the range: subtrees that do not touch it are skipped.
    let mut calls = Vec::new();
    let mut walk = root.preorder();
    while let Some(event) = walk.next() {
        let rowan::WalkEvent::Enter(node) = event else {
            continue;
        };
        if range.is_some_and(|r| node.text_range().intersect(r).is_none()) {
            walk.skip_subtree();
            continue;
        }
        calls.extend(ast::CallExpr::cast(node));
    }
    let sema = ctx.semantics();
    // One look-up per function called, however many calls there are.
    let mut known: FxHashMap<Target, Option<Callable>> = FxHashMap::default();
    let mut out = Vec::new();
    for call in calls {
        let Some(target) = call.callee().and_then(|c| callee_target(&sema, &c)) else {
            continue;
        };
        let found = known
            .entry(target.clone())
            .or_insert_with(|| callable(ctx, &target));
        let Some(found) = found.as_ref() else {
            continue;
        };
        for (index, arg) in call.args().enumerate() {
            let start = arg.syntax().text_range().start();
            if range.is_some_and(|r| !r.contains_inclusive(start)) {
                continue;
            }
            let Some(param) = found.params.get(index) else {
                break;
            };
            if param.rest {
                break;
            }
            let literal = is_literal(&arg);
            if config.parameter_names == ParameterHints::Literals && !literal {
                continue;
            }
            if !literal && should_hide(found, &param.name, &arg) {
                continue;
            }
            out.push(InlayHint {
                offset: start,
                label: format!("{}:", param.name),
                kind: InlayHintKind::Parameter,
            });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

/// A literal, maybe negated: `3`, `-1`, `"s"`, `true`, `null`.
fn is_literal(arg: &Expr) -> bool {
    match arg {
        Expr::Literal(_) => true,
        Expr::Prefix(p) => p.operand().is_some_and(|o| is_literal(&o)),
        Expr::Path(p) => mlpy_modules::stdlib::NULL_NAMES.contains(&p.name().as_str()),
        _ => false,
    }
}

/// rust-analyzer's `should_hide_param_name_hint`, for ML.
fn should_hide(callable: &Callable, param: &str, arg: &Expr) -> bool {
    let param = param.trim_start_matches('_');
    if param.is_empty() {
        return true;
    }
    // `!done` is not `done`: the hint says which way round it is.
    if matches!(arg, Expr::Prefix(p) if p.op() == Some(PrefixOp::Not)) {
        return false;
    }
    let unary = callable.params.len() == 1;
    (unary && contains_ignore_case(&callable.name, param))
        || argument_name(arg).is_some_and(|a| is_similar(&a, param))
        || (unary && is_obvious(param))
}

/// What an argument is called: a name, the member of a field, the method of a call.
fn argument_name(arg: &Expr) -> Option<String> {
    match arg {
        Expr::Path(p) => Some(p.name()),
        Expr::Field(f) => f.field_name(),
        Expr::Call(c) => match c.callee()? {
            Expr::Field(f) => f.field_name(),
            _ => None,
        },
        Expr::Prefix(p) => argument_name(&p.operand()?),
        Expr::Paren(p) => argument_name(&p.expr()?),
        _ => None,
    }
}

/// `param` is the argument, or a part of it split off by `_` or a capital letter:
/// `width` for `width`, `width_px`, `old_width`, `widthPx`, `oldWidth`.
fn is_similar(argument: &str, param: &str) -> bool {
    let argument = argument.trim_start_matches('_');
    let (a, p) = (argument.to_ascii_lowercase(), param.to_ascii_lowercase());
    if a == p {
        return true;
    }
    if let Some(rest) = a.strip_prefix(&p) {
        let next = argument[p.len()..].chars().next();
        return rest.starts_with('_') || next.is_some_and(char::is_uppercase);
    }
    if let Some(head) = a.strip_suffix(&p) {
        let first = argument[head.len()..].chars().next();
        let param_first_lower = param.chars().next().is_some_and(char::is_lowercase);
        return head.ends_with('_') || (param_first_lower && first.is_some_and(char::is_uppercase));
    }
    false
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

/// Parameters whose name adds nothing to a one-parameter call (rust-analyzer's list).
fn is_obvious(param: &str) -> bool {
    param.chars().count() == 1 || matches!(param, "predicate" | "value" | "pat" | "rhs" | "other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    /// The text with each hint written in at its place, as `‹name:›`.
    fn with_hints(fixture: &str, config: &InlayHintsConfig) -> String {
        let fx = Fixture::new(fixture);
        let ctx = fx.ctx();
        let mut text = ctx.text().to_string();
        for hint in inlay_hints(&ctx, None, config).iter().rev() {
            text.insert_str(usize::from(hint.offset), &format!("‹{}›", hint.label));
        }
        text
    }

    fn hinted(fixture: &str) -> String {
        with_hints(fixture, &InlayHintsConfig::default())
    }

    const AREA: &str = "function area(width, height) { return width * height; }\n";

    #[test]
    fn literals_get_hints_names_that_spell_the_parameter_do_not() {
        let text = hinted(&format!(
            "//- /main.ml\n{AREA}width = 1;\nw = 2;\nold_height = 3;\nboxWidth = 4;\narea(2, 3);\narea(width, w);\narea(w, old_height);\narea(boxWidth, -1);\n$0"
        ));
        let calls: Vec<&str> = text.lines().skip(5).collect();
        assert_eq!(
            calls,
            [
                "area(‹width:›2, ‹height:›3);",
                "area(width, ‹height:›w);",
                "area(‹width:›w, old_height);",
                "area(boxWidth, ‹height:›-1);",
            ]
        );
    }

    #[test]
    fn across_modules_builtins_and_the_standard_library() {
        let text = hinted(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geo;\nimport math;\ngeo.area(1, 2);\nprint(1, 2);\nx = round(1.5, 1);\ny = math.pow(2, 8);\nz = len([1]);\n$0\n//- /geo.ml\nfunction area(w, h) { return w * h; }\n",
        );
        assert!(text.contains("geo.area(‹w:›1, ‹h:›2);"), "{text}");
        // Rest parameters get no hint.
        assert!(text.contains("print(1, 2);"), "{text}");
        assert!(text.contains("round(‹value:›1.5, ‹precision:›1)"), "{text}");
        assert!(text.contains("math.pow(‹x:›2, ‹y:›8)"), "{text}");
        assert!(text.contains("len(‹collection:›[1])"), "{text}");
    }

    #[test]
    fn single_parameter_functions_named_after_it_and_obvious_names() {
        let text = hinted(
            "//- /main.ml\nfunction setName(name) { return name; }\nfunction keep(value) { return value; }\nfunction twice(n) { return n; }\nfunction scale(factor) { return factor; }\nsetName(\"a\");\nsetName(other);\nkeep(x);\ntwice(y);\nscale(k);\nscale(!k);\n$0",
        );
        let calls: Vec<&str> = text.lines().skip(4).collect();
        assert_eq!(
            calls,
            [
                // A literal always says too little.
                "setName(‹name:›\"a\");",
                "setName(other);",
                "keep(x);",
                "twice(y);",
                "scale(‹factor:›k);",
                "scale(‹factor:›!k);",
            ]
        );
    }

    #[test]
    fn settings_turn_hints_off_or_keep_only_literals() {
        let fixture = format!("//- /main.ml\n{AREA}w = 1;\narea(w, 2);\n$0");
        let off = InlayHintsConfig {
            parameter_names: ParameterHints::None,
        };
        assert!(!with_hints(&fixture, &off).contains('‹'));
        let literals = InlayHintsConfig {
            parameter_names: ParameterHints::Literals,
        };
        assert!(with_hints(&fixture, &literals).contains("area(w, ‹height:›2);"));
    }

    #[test]
    fn only_the_calls_of_a_range_and_never_past_the_parameters() {
        let fx = Fixture::new(&format!(
            "//- /main.ml\n{AREA}area(1, 2);\narea(3, 4, 5);\n$0"
        ));
        let ctx = fx.ctx();
        let second = ctx.text().find("area(3").unwrap() as u32;
        let range = TextRange::new(second.into(), (second + 14).into());
        let hints = inlay_hints(&ctx, Some(range), &InlayHintsConfig::default());
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(labels, ["width:", "height:"]);
        assert!(hints.iter().all(|h| u32::from(h.offset) > second));
    }

    #[test]
    fn similar_names() {
        for (argument, param) in [
            ("width", "width"),
            ("Width", "width"),
            ("width_px", "width"),
            ("old_width", "width"),
            ("widthPx", "width"),
            ("boxWidth", "width"),
            ("_width", "width"),
        ] {
            assert!(is_similar(argument, param), "{argument} ~ {param}");
        }
        for (argument, param) in [("widths", "width"), ("bandwidth", "width"), ("w", "width")] {
            assert!(!is_similar(argument, param), "{argument} !~ {param}");
        }
    }
}
