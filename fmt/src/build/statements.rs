//! Statements and blocks: one statement per line, blocks always broken, `else if` and
//! `elif` as written, the empty lines between statements kept (at most one).

use super::{Builder, Child, Node};
use crate::build::expressions::Ctx;
use mlpy_syntax::SyntaxKind::*;

impl Builder<'_> {
    /// A statement, on a line of its own.
    pub(crate) fn stmt(&mut self, node: Node<'_>) {
        if !self.enter() {
            return;
        }
        // A statement in a function's body inside an expression starts afresh.
        let expr_depth = std::mem::take(&mut self.expr_depth);
        self.begin_statement();
        match node.kind() {
            // What follows the keyword continues the statement (`return // note` then
            // `    value;`): see `trailing_comment`.
            EXPR_STMT | BREAK_STMT | CONTINUE_STMT | RETURN_STMT | THROW_STMT => {
                self.expr_depth += 1;
                self.simple_stmt(node);
                self.expr_depth -= 1;
            }
            ASSIGN_STMT | DESTRUCTURE_STMT => self.assign(node),
            IF_STMT | ELIF_CLAUSE | ELSE_CLAUSE | WHILE_STMT | FOR_STMT | TRY_STMT
            | EXCEPT_CLAUSE | FINALLY_CLAUSE | FUNCTION => self.compound(node),
            NONLOCAL_STMT => self.words(node),
            IMPORT => {
                self.expr_depth += 1;
                self.import(node);
                self.expr_depth -= 1;
            }
            CAPABILITY_DECL => self.capability(node),
            CAPABILITY_RESOURCE | CAPABILITY_ALLOW => self.words(node),
            _ => self.fallback(node),
        }
        self.expr_depth = expr_depth;
        self.leave();
    }

    /// `expr;`, `break;`, `return value;`, `throw {…};`.
    fn simple_stmt(&mut self, node: Node<'_>) {
        let mut after_keyword = false;
        for child in node.children() {
            match child {
                Child::Token(SEMICOLON) => self.token(SEMICOLON),
                Child::Token(kind) if kind.is_keyword() => {
                    self.token(kind);
                    after_keyword = true;
                }
                Child::Node(expr) => {
                    if after_keyword {
                        self.ir.space();
                    }
                    self.expr(expr, Ctx::new());
                }
                other => self.other(other),
            }
        }
    }

    /// `target = value;` and `[a, b] = value;`.
    fn assign(&mut self, node: Node<'_>) {
        let mut seen_eq = false;
        // A comment after `=` ends the line: the value goes on the next one, indented.
        let mut comment_after_eq = false;
        for child in node.children() {
            match child {
                Child::Node(pattern)
                    if matches!(pattern.kind(), ARRAY_PATTERN | OBJECT_PATTERN) =>
                {
                    self.list(pattern, false)
                }
                Child::Node(target) if !seen_eq => self.expr(target, Ctx::new()),
                Child::Token(EQ) => {
                    self.ir.space();
                    comment_after_eq = self.comment_after_next_token();
                    if comment_after_eq {
                        self.ir.indent_start();
                    }
                    self.token(EQ);
                    seen_eq = true;
                }
                Child::Node(value) if comment_after_eq => {
                    self.expr(value, Ctx::own_line());
                    self.ir.indent_end();
                    comment_after_eq = false;
                }
                Child::Node(value) => self.assigned_value(value),
                Child::Token(SEMICOLON) => self.token(SEMICOLON),
                other => self.other(other),
            }
        }
    }

    /// The value after `=`: an operator chain or a conditional moves to the next line
    /// (indented) when it does not fit; anything else starts on the line of the `=` and
    /// breaks inside its own brackets.
    fn assigned_value(&mut self, value: Node<'_>) {
        if matches!(value.kind(), BIN_EXPR | TERNARY_EXPR) && !self.next_is_risky() {
            self.ir.group_start();
            self.ir.indent_start();
            self.ir.line();
            self.expr(value, Ctx::own_line());
            self.ir.indent_end();
            self.ir.group_end();
        } else {
            self.ir.space();
            self.expr(value, Ctx::new());
        }
    }

    /// Statements made of a keyword, a parenthesised header, a block and clauses:
    /// `if`, `elif`/`else if`, `else`, `while`, `for`, `try`, `except`, `finally`, and
    /// `function name(params) {…}`.
    fn compound(&mut self, node: Node<'_>) {
        // A space goes before the next child (after a keyword, or `in`).
        let mut space = false;
        for child in node.children() {
            match child {
                Child::Token(L_PAREN) => {
                    self.ir.space();
                    self.header_open();
                    space = false;
                }
                Child::Token(R_PAREN) => {
                    self.header_close();
                    space = false;
                }
                Child::Token(kind) if kind.is_keyword() => {
                    if space || kind == IN_KW {
                        self.ir.space();
                    }
                    self.token(kind);
                    space = true;
                }
                Child::Node(block) if block.kind() == BLOCK => {
                    self.ir.space();
                    self.block(block);
                    space = true;
                }
                Child::Node(clause)
                    if matches!(
                        clause.kind(),
                        ELIF_CLAUSE | ELSE_CLAUSE | EXCEPT_CLAUSE | FINALLY_CLAUSE
                    ) =>
                {
                    self.ir.space();
                    self.clause(clause);
                    space = true;
                }
                Child::Node(params) if params.kind() == PARAM_LIST => {
                    self.list(params, false);
                    space = false;
                }
                Child::Node(name) if name.kind() == NAME => {
                    if space {
                        self.ir.space();
                    }
                    self.tight(name);
                    space = false;
                }
                Child::Node(expr) => {
                    if space {
                        self.ir.space();
                    }
                    self.expr(expr, Ctx::own_line());
                    space = false;
                }
                other => {
                    self.other(other);
                    space = false;
                }
            }
        }
    }

    /// A clause continues its statement's line (`} else {`).
    fn clause(&mut self, node: Node<'_>) {
        if self.enter() {
            self.compound(node);
            self.leave();
        }
    }

    /// `(` of a header; with `header_close`, a group that puts the condition on lines
    /// of its own when it does not fit.
    fn header_open(&mut self) {
        self.ir.group_start();
        self.token(L_PAREN);
        self.ir.indent_start();
        self.soft_line_unless_risky();
    }

    fn header_close(&mut self) {
        self.ir.indent_end();
        self.closing_soft_line();
        self.token_alone(R_PAREN);
        self.ir.group_end();
        // `} elif (x.b) // note`: the header stays on its line, the comment after it.
        self.trailing_comment();
    }

    /// `{ statements }`: always one statement per line; `{}` when empty. Comments
    /// before the `}` stay inside, indented.
    pub(crate) fn block(&mut self, node: Node<'_>) {
        let mut inside = false;
        for child in node.children() {
            match child {
                Child::Token(L_CURLY) => {
                    // `fn(a) // note` then `{` on the next line, at the level of the `}`.
                    if std::mem::take(&mut self.continued) && !self.at_comment() {
                        self.ir.hard_line();
                    }
                    self.open_body()
                }
                Child::Token(R_CURLY) => self.close_body(inside),
                Child::Node(stmt) => {
                    self.stmt(stmt);
                    inside = true;
                }
                Child::Token(kind) => {
                    self.begin_statement();
                    self.token(kind);
                    inside = true;
                }
            }
        }
    }

    /// The `{` of a block or a capability's body: a group, broken by the statements' line
    /// breaks, so that what they hold is laid out on its own even where the body sits in a
    /// part printed flat (a hugged last argument).
    fn open_body(&mut self) {
        self.token(L_CURLY);
        self.ir.group_start();
        self.ir.indent_start();
    }

    /// The `}` of a body opened by [`Self::open_body`]; `inside`: whether it holds a
    /// statement (comments before the `}` count too: they stay inside, indented).
    fn close_body(&mut self, inside: bool) {
        let inside = self.leading_comments() || inside;
        self.ir.indent_end();
        if inside {
            self.ir.hard_line();
        }
        self.ir.group_end();
        self.token(R_CURLY);
    }

    /// `capability Name { resource "…"; allow read "…"; }`.
    fn capability(&mut self, node: Node<'_>) {
        let mut seen_name = false;
        let mut inside = false;
        for child in node.children() {
            match child {
                Child::Token(CAPABILITY_KW) => self.token(CAPABILITY_KW),
                Child::Node(name) if name.kind() == NAME && !seen_name => {
                    self.ir.space();
                    self.tight(name);
                    seen_name = true;
                }
                Child::Token(L_CURLY) => {
                    self.ir.space();
                    self.open_body();
                }
                Child::Token(R_CURLY) => self.close_body(inside),
                Child::Node(item) => {
                    self.stmt(item);
                    inside = true;
                }
                other => self.other(other),
            }
        }
    }

    /// Words separated by spaces, commas and `;` attached: `nonlocal a, b;`,
    /// `resource "data/*";`, `allow read "out/*";`.
    fn words(&mut self, node: Node<'_>) {
        // `nonlocal a, // note` then `    b;`: the words continue the statement.
        self.expr_depth += 1;
        self.words_inner(node);
        self.expr_depth -= 1;
    }

    fn words_inner(&mut self, node: Node<'_>) {
        let mut first = true;
        for child in node.children() {
            match child {
                Child::Token(kind @ (SEMICOLON | COMMA)) => self.token(kind),
                Child::Token(kind) => {
                    if !first {
                        self.ir.space();
                    }
                    self.token(kind);
                }
                Child::Node(name) => {
                    if !first {
                        self.ir.space();
                    }
                    self.tight(name);
                }
            }
            first = false;
        }
    }

    /// `import a.b as c { auth: "…" };` and `import https://…;`.
    fn import(&mut self, node: Node<'_>) {
        for child in node.children() {
            match child {
                Child::Token(IMPORT_KW) => self.token(IMPORT_KW),
                Child::Token(SEMICOLON) => self.token(SEMICOLON),
                Child::Token(kind) => {
                    // The URL: a space after it too, as it runs to the next space.
                    self.ir.space();
                    self.token(kind);
                }
                Child::Node(path) if path.kind() == IMPORT_PATH => {
                    self.ir.space();
                    self.tight(path);
                }
                Child::Node(alias) if alias.kind() == IMPORT_ALIAS => {
                    self.ir.space();
                    self.words(alias);
                }
                Child::Node(config) if config.kind() == IMPORT_CONFIG => {
                    self.ir.space();
                    self.list(config, false);
                }
                other => self.other(other),
            }
        }
    }
}
