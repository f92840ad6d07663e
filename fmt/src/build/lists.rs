//! Bracketed lists: arrays, objects, parameters, arguments, import settings and
//! destructuring patterns. Flat when they fit (`[1, 2]`, `{a: 1}`), else one item per
//! line. ML allows no trailing comma, so none is added. A call whose last argument is a
//! function, an object or an array keeps the other arguments on its line and breaks
//! only that one (`map(xs, fn(x) => {` …), when its first line fits.

use super::expressions::Ctx;
use super::{Builder, Child, Node};
use crate::ir::Range;
use mlpy_syntax::SyntaxKind::*;

impl Builder<'_> {
    /// A bracketed, comma-separated list; `hug`: its group is the one a hugged last
    /// argument breaks.
    pub(crate) fn list(&mut self, node: Node<'_>, hug: bool) {
        // Its items continue the statement, even where no expression holds them (a
        // pattern, the settings of an import): see `trailing_comment`.
        self.expr_depth += 1;
        self.list_items(node, hug);
        self.expr_depth -= 1;
    }

    fn list_items(&mut self, node: Node<'_>, hug: bool) {
        let mut items = false;
        for child in node.children() {
            match child {
                Child::Token(open @ (L_PAREN | L_BRACK | L_CURLY)) if !items => {
                    self.ir.group_start_with(false, hug);
                    self.token(open);
                    self.ir.indent_start();
                    if !matches!(self.peek_kind(), R_PAREN | R_BRACK | R_CURLY) {
                        self.soft_line_unless_risky();
                    }
                }
                Child::Token(COMMA) => {
                    self.token(COMMA);
                    self.line_unless_risky();
                }
                Child::Token(close @ (R_PAREN | R_BRACK | R_CURLY)) => {
                    // Comments before the closing bracket (only in an empty list: a
                    // comment cannot follow an item) stay inside, indented.
                    let dangling = self.leading_comments();
                    self.ir.indent_end();
                    if dangling || (items && !self.after_floor_division()) {
                        self.ir.soft_line();
                    }
                    self.token_alone(close);
                    self.ir.group_end();
                    // `function f(a, b) // note`: the list stays on its line.
                    self.trailing_comment();
                }
                Child::Node(item) => {
                    self.list_item(item);
                    items = true;
                }
                other => self.other(other),
            }
        }
    }

    fn list_item(&mut self, item: Node<'_>) {
        match item.kind() {
            OBJECT_FIELD | PARAM => {
                // `key: value`, `name: type`.
                for child in item.children() {
                    match child {
                        Child::Token(COLON) => {
                            self.token(COLON);
                            self.ir.space();
                        }
                        Child::Token(kind) => self.token(kind),
                        Child::Node(part) if matches!(part.kind(), NAME | TYPE_ANNOTATION) => {
                            self.tight(part)
                        }
                        Child::Node(value) => self.expr(value, Ctx::new()),
                    }
                }
            }
            NAME => self.tight(item),
            _ => self.expr(item, Ctx::new()),
        }
    }

    /// `(arguments)` of a call.
    pub(crate) fn args(&mut self, node: Node<'_>) {
        if hug_candidate(node) {
            self.hugging_args(node);
        } else {
            self.list(node, false);
        }
    }

    /// Arguments whose last one may hug the parentheses. Every part is built once, out
    /// of line; then the alternatives that embed them: all on one line, the last
    /// argument broken (its first line must fit), every argument on a line of its own.
    fn hugging_args(&mut self, node: Node<'_>) {
        let skip = self.ir.skip();
        let mut open = None;
        let mut close = None;
        // Each argument with whether a risky word starts it, and the comma after it.
        let mut args: Vec<(Range, bool)> = Vec::new();
        let mut commas: Vec<Range> = Vec::new();
        let count = node.nodes().count();
        // The last argument ends in a floor division: no line break after it.
        let mut floor_division_last = false;
        // A comment on a line of its own before the last argument: it cannot hug.
        let mut comment_before_last = false;
        for child in node.children() {
            let mark = self.range_start();
            match child {
                Child::Token(L_PAREN) => {
                    self.token(L_PAREN);
                    open = Some(self.range_end(mark));
                }
                Child::Token(COMMA) => {
                    self.token(COMMA);
                    commas.push(self.range_end(mark));
                }
                Child::Token(R_PAREN) => {
                    self.token(R_PAREN);
                    close = Some(self.range_end(mark));
                }
                Child::Node(arg) => {
                    let risky = self.next_is_risky();
                    let last = args.len() + 1 == count;
                    if last {
                        comment_before_last = self.at_comment();
                    }
                    let cx = if last { Ctx::hugged() } else { Ctx::new() };
                    self.expr(arg, cx);
                    floor_division_last = self.after_floor_division();
                    args.push((self.range_end(mark), risky));
                }
                Child::Token(kind) => {
                    self.token(kind);
                    self.fail(|| format!("unexpected {kind:?} in arguments"));
                }
            }
        }
        let (Some(open), Some(close), Some(&(last, _))) = (open, close, args.last()) else {
            self.fail(|| "arguments without brackets".to_string());
            self.ir.skip_here(skip);
            return;
        };
        let any_hard = open.hard
            || close.hard
            || commas.iter().any(|c| c.hard)
            || args.iter().any(|(a, _)| a.hard);
        let others_hard = open.hard
            || close.hard
            || commas.iter().any(|c| c.hard)
            || args[..args.len() - 1].iter().any(|(a, _)| a.hard);

        // Every argument on one line, or each on a line of its own.
        let mark = self.range_start();
        self.ir.group_start_with(any_hard, false);
        self.ir.embed(open, false);
        self.ir.indent_start();
        for (i, &(arg, risky)) in args.iter().enumerate() {
            if i == 0 {
                if !risky {
                    self.ir.soft_line();
                }
            } else if risky {
                self.ir.space();
            } else {
                self.ir.line();
            }
            self.ir.embed(arg, false);
            if let Some(&comma) = commas.get(i) {
                self.ir.embed(comma, false);
            }
        }
        self.ir.indent_end();
        if !floor_division_last {
            self.ir.soft_line();
        }
        self.ir.embed(close, false);
        self.ir.group_end();
        let all = self.range_end(mark);

        if others_hard || comment_before_last {
            // A comment or a block among the other arguments: one per line.
            self.ir.skip_here(skip);
            self.ir.embed(all, false);
            return;
        }
        // The others on the line of the `(`, the last one broken inside.
        let mark = self.range_start();
        self.ir.embed(open, false);
        for (i, &(arg, _)) in args[..args.len() - 1].iter().enumerate() {
            self.ir.embed(arg, false);
            if let Some(&comma) = commas.get(i) {
                self.ir.embed(comma, false);
            }
            self.ir.space();
        }
        self.ir.embed(last, true);
        self.ir.embed(close, false);
        let hugged = self.range_end(mark);

        self.ir.skip_here(skip);
        if last.hard {
            // It can never be one line: hug, else one per line.
            self.ir.best_fit(&[hugged, all]);
        } else {
            self.ir.best_fit(&[all, hugged, all]);
        }
    }
}

/// A call whose last argument is a function, or a non-empty object or array, unless the
/// one before it is of the same kind (`f({…}, {…})` breaks as a whole).
fn hug_candidate(args: Node<'_>) -> bool {
    let mut last = None;
    let mut before_last = None;
    for node in args.nodes() {
        before_last = last.replace(node.kind());
    }
    let huggable = match last {
        Some(ARROW_EXPR) => true,
        Some(kind @ (OBJECT_EXPR | ARRAY_EXPR)) => args
            .nodes()
            .last()
            .is_some_and(|n| n.kind() == kind && n.first_node().is_some()),
        _ => false,
    };
    // The shape the alternatives are built from: `(`, arguments and commas, `)`.
    let plain = args.children().all(|c| match c {
        Child::Token(kind) => matches!(kind, L_PAREN | R_PAREN | COMMA),
        Child::Node(_) => true,
    });
    huggable && before_last != last && plain
}
