//! Expressions: operator chains broken after their operators, conditionals before `?`
//! and `:`, member chains before each `.call()`, arrows after `=>`; brackets (calls,
//! arrays, objects) are `lists`.

use super::{Builder, Child, Links, Node, STATEMENT_WORDS};
use mlpy_syntax::SyntaxKind::{self, *};

/// What the place of an expression asks of its layout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// Continuation lines of an operator chain are indented. Not where the expression
    /// already starts an indented line of its own (after `=`, inside `if (…)`).
    pub indent_chain: bool,
    /// The expression is a hugged last argument: its outer group is the `hug` group.
    pub hug: bool,
}

impl Ctx {
    pub(crate) fn new() -> Ctx {
        Ctx {
            indent_chain: true,
            hug: false,
        }
    }

    /// On an indented line of its own.
    pub(crate) fn own_line() -> Ctx {
        Ctx {
            indent_chain: false,
            hug: false,
        }
    }

    pub(crate) fn hugged() -> Ctx {
        Ctx {
            indent_chain: true,
            hug: true,
        }
    }
}

/// The binding power of a binary operator (higher binds tighter).
fn precedence(op: SyntaxKind) -> u8 {
    match op {
        PIPE2 => 1,
        AMP2 => 2,
        EQ2 | NEQ => 3,
        LT | GT | LTEQ | GTEQ => 4,
        PLUS | MINUS => 5,
        STAR | SLASH | SLASH2 | PERCENT => 6,
        _ => 0,
    }
}

fn operator(node: Node<'_>) -> SyntaxKind {
    node.children()
        .find_map(|c| match c {
            Child::Token(kind) => Some(kind),
            Child::Node(_) => None,
        })
        .unwrap_or(EOF)
}

impl Builder<'_> {
    pub(crate) fn expr(&mut self, node: Node<'_>, cx: Ctx) {
        if !self.enter() {
            return;
        }
        self.expr_depth += 1;
        match node.kind() {
            PATH_EXPR => self.path(node),
            LITERAL | NAME | NAME_REF => self.tight(node),
            BIN_EXPR => self.binary(node, cx),
            PREFIX_EXPR => self.prefix(node),
            TERNARY_EXPR => self.ternary(node),
            PAREN_EXPR => self.paren(node),
            ARRAY_EXPR | OBJECT_EXPR => self.list(node, cx.hug),
            ARROW_EXPR => self.arrow(node, cx),
            CALL_EXPR | INDEX_EXPR | FIELD_EXPR => self.postfix(node),
            _ => self.fallback(node),
        }
        self.expr_depth -= 1;
        self.leave();
    }

    /// A variable. One named like a statement keyword is remembered: nothing may put a
    /// line break before it.
    fn path(&mut self, node: Node<'_>) {
        if let Some(entry) = self.peek() {
            if entry.kind == IDENT && STATEMENT_WORDS.contains(&entry.text(self.src)) {
                let index = self.entries[self.cursor..]
                    .iter()
                    .position(|e| e.kind != COMMENT)
                    .map_or(self.cursor, |i| self.cursor + i);
                self.risky.push(index as u32);
            }
        }
        self.tight(node);
    }

    /// `a + b - c`: the chain of one precedence is one group, broken after each
    /// operator; operands of other precedences are groups of their own.
    fn binary(&mut self, node: Node<'_>, cx: Ctx) {
        let level = precedence(operator(node));
        // The chain's nodes, outermost first: `((a + b) - c)` holds `(a + b)`.
        let mut chain = Links::new(node);
        while let Some(inner) = chain.last().first_node() {
            if inner.kind() == BIN_EXPR && precedence(operator(inner)) == level {
                chain.push(inner);
            } else {
                break;
            }
        }
        self.ir.group_start();
        let mut indented = false;
        for (i, link) in chain.as_slice().iter().rev().enumerate() {
            let mut first_node = true;
            for child in link.children() {
                match child {
                    Child::Node(operand) if first_node => {
                        first_node = false;
                        // Below the innermost link, the first operand is the link
                        // already printed.
                        if i == 0 {
                            self.operand(operand);
                        }
                    }
                    Child::Token(op) => {
                        self.ir.space();
                        self.token(op);
                        if cx.indent_chain && !indented {
                            self.ir.indent_start();
                            indented = true;
                        }
                        self.line_unless_risky();
                    }
                    Child::Node(operand) => self.operand(operand),
                }
            }
        }
        if indented {
            self.ir.indent_end();
        }
        self.ir.group_end();
        if operator(node) == SLASH2 {
            self.floor_division_end = Some(self.cursor);
        }
    }

    fn operand(&mut self, node: Node<'_>) {
        self.expr(node, Ctx::new());
    }

    /// `-x`, `!x`; `- 5` keeps its space (`-5` would be one number), and so does
    /// `- -x`.
    fn prefix(&mut self, node: Node<'_>) {
        for child in node.children() {
            match child {
                Child::Token(op) => {
                    self.token(op);
                    let next = self.peek().map(|e| e.text(self.src)).unwrap_or("");
                    if op == MINUS
                        && next.starts_with(|c: char| c.is_ascii_digit() || ".-+".contains(c))
                    {
                        self.ir.space();
                    }
                }
                Child::Node(operand) => self.operand(operand),
            }
        }
    }

    /// `c ? a : b`, broken before `?` and `:`.
    fn ternary(&mut self, node: Node<'_>) {
        self.ir.group_start();
        let mut indented = false;
        for child in node.children() {
            match child {
                Child::Token(kind @ (QUESTION | COLON)) => {
                    if !indented {
                        self.ir.indent_start();
                        indented = true;
                    }
                    self.ir.line();
                    self.token(kind);
                    self.ir.space();
                }
                Child::Node(part) => self.expr(part, Ctx::new()),
                other => self.other(other),
            }
        }
        if indented {
            self.ir.indent_end();
        }
        self.ir.group_end();
    }

    /// `(expr)`: an operator chain or conditional inside breaks onto lines of its own;
    /// anything else hugs the parentheses.
    fn paren(&mut self, node: Node<'_>) {
        let inner = node.first_node().map(|n| n.kind());
        let open_up = matches!(inner, Some(BIN_EXPR | TERNARY_EXPR));
        for child in node.children() {
            match child {
                Child::Token(L_PAREN) => {
                    if open_up {
                        self.ir.group_start();
                        self.token(L_PAREN);
                        self.ir.indent_start();
                        self.soft_line_unless_risky();
                    } else {
                        self.token(L_PAREN);
                    }
                }
                Child::Token(R_PAREN) => {
                    if open_up {
                        self.ir.indent_end();
                        self.closing_soft_line();
                        self.token(R_PAREN);
                        self.ir.group_end();
                    } else {
                        self.token(R_PAREN);
                    }
                }
                Child::Node(expr) => {
                    self.expr(expr, if open_up { Ctx::own_line() } else { Ctx::new() })
                }
                other => self.other(other),
            }
        }
    }

    /// `fn(params) => body`: a block body opens on the line; an expression body moves
    /// to the next line (indented) when it does not fit, unless it has brackets of its
    /// own to break.
    fn arrow(&mut self, node: Node<'_>, cx: Ctx) {
        for child in node.children() {
            match child {
                Child::Token(FN_KW) => self.token(FN_KW),
                Child::Node(params) if params.kind() == PARAM_LIST => self.list(params, false),
                Child::Token(FAT_ARROW) => {
                    self.ir.space();
                    self.token(FAT_ARROW);
                }
                Child::Node(block) if block.kind() == BLOCK => {
                    self.ir.space();
                    self.block(block);
                }
                Child::Node(body)
                    if matches!(body.kind(), OBJECT_EXPR | ARRAY_EXPR | ARROW_EXPR)
                        || self.next_is_risky() =>
                {
                    self.ir.space();
                    self.expr(
                        body,
                        Ctx {
                            hug: cx.hug,
                            ..Ctx::new()
                        },
                    );
                }
                Child::Node(body) => {
                    self.ir.group_start_with(false, cx.hug);
                    self.ir.indent_start();
                    self.ir.line();
                    self.expr(body, Ctx::own_line());
                    self.ir.indent_end();
                    self.ir.group_end();
                }
                other => self.other(other),
            }
        }
    }

    /// Calls, member accesses and indexing, read as a chain from the innermost
    /// expression out (so long chains do not nest the layout).
    fn postfix(&mut self, node: Node<'_>) {
        // The links, outermost first.
        let mut chain = Links::new(node);
        let base = loop {
            match chain.last().first_node() {
                Some(inner) if matches!(inner.kind(), CALL_EXPR | INDEX_EXPR | FIELD_EXPR) => {
                    chain.push(inner);
                }
                Some(inner) => break inner,
                None => {
                    self.fallback(node);
                    return;
                }
            }
        };
        let outermost_first = chain.as_slice();
        // Innermost first from here on.
        let links = || outermost_first.iter().rev().copied();
        // A `.name(…)` link: where a member chain breaks.
        let is_call_group = |i: usize| {
            let n = outermost_first.len();
            outermost_first[n - 1 - i].kind() == FIELD_EXPR
                && i + 1 < n
                && outermost_first[n - 2 - i].kind() == CALL_EXPR
        };
        let call_groups = (0..outermost_first.len())
            .filter(|&i| is_call_group(i))
            .count();
        if call_groups < 3 {
            self.expr(base, Ctx::new());
            for link in links() {
                self.postfix_tail(link);
            }
            return;
        }
        // A member chain: the head, then each `.name(…)` on a line of its own when the
        // whole does not fit. A short variable's first call stays on its line
        // (`z.string()`), as it reads like a name.
        let short_head = base.kind() == PATH_EXPR && self.peek().is_some_and(|e| e.len <= 4);
        self.ir.group_start();
        self.expr(base, Ctx::new());
        let mut indented = false;
        for (i, link) in links().enumerate() {
            let merge = short_head && i == 0;
            if is_call_group(i) && !merge {
                if !indented {
                    self.ir.indent_start();
                    indented = true;
                }
                self.ir.soft_line();
            }
            self.postfix_tail(link);
        }
        if indented {
            self.ir.indent_end();
        }
        self.ir.group_end();
    }

    /// What a postfix link adds to its inner expression: `.name`, `(args)`, `[i]`.
    fn postfix_tail(&mut self, link: Node<'_>) {
        let mut first_node = true;
        for child in link.children() {
            match child {
                Child::Node(_) if first_node => first_node = false,
                Child::Token(DOT) => {
                    self.keep_apart_from_number();
                    self.token(DOT);
                }
                Child::Node(args) if args.kind() == ARG_LIST => self.args(args),
                Child::Node(slice) if slice.kind() == SLICE => self.slice(slice),
                Child::Node(inner) => self.expr(inner, Ctx::new()),
                Child::Token(kind) => self.token(kind),
            }
        }
    }

    /// `5. .x` must not become `5..x`, nor `5 .e3` become the number `5.e3`.
    fn keep_apart_from_number(&mut self) {
        let Some(last) = self.last.filter(|e| e.kind == NUMBER) else {
            return;
        };
        let number = last.text(self.src);
        let name = self
            .entries
            .get(self.cursor + 1)
            .map_or("", |e| e.text(self.src));
        let exponent_like = name.starts_with(['e', 'E'])
            && name[1..]
                .trim_start_matches(['+', '-'])
                .starts_with(|c: char| c.is_ascii_digit());
        if number.ends_with('.') || exponent_like {
            self.ir.space();
        }
    }

    /// `a:b:c` inside `[…]`, without spaces.
    fn slice(&mut self, node: Node<'_>) {
        for child in node.children() {
            match child {
                Child::Token(kind) => self.token(kind),
                Child::Node(part) => self.expr(part, Ctx::new()),
            }
        }
    }
}
