//! Statements, declarations and blocks.

use super::expressions::{self, expr};
use super::Parser;
use crate::SyntaxKind::{self, *};

/// The keyword that begins a statement, if the `n`th token is one (a word such as
/// `if` or `return`, which the lexer leaves an identifier).
pub(super) fn statement_keyword(p: &Parser<'_>, n: usize) -> Option<SyntaxKind> {
    let word = p.nth_word_kind(n);
    matches!(
        word,
        FUNCTION_KW
            | IF_KW
            | WHILE_KW
            | FOR_KW
            | RETURN_KW
            | THROW_KW
            | TRY_KW
            | BREAK_KW
            | CONTINUE_KW
            | NONLOCAL_KW
            | IMPORT_KW
            | CAPABILITY_KW
    )
    .then_some(word)
}

/// Tokens at which a broken statement stops swallowing input.
pub(super) fn at_statement_boundary(p: &Parser<'_>) -> bool {
    matches!(p.current(), SEMICOLON | R_CURLY | EOF) || statement_keyword(p, 0).is_some()
}

pub(super) fn source_file(p: &mut Parser<'_>) {
    let m = p.start();
    while !p.at_eof() {
        if p.at(R_CURLY) {
            p.err_and_bump("unmatched `}`: no `{` is open here");
            continue;
        }
        statement(p, Context::TopLevel);
    }
    m.complete(p, SOURCE_FILE);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    TopLevel,
    Block,
}

fn statement(p: &mut Parser<'_>, cx: Context) {
    let before = p.token_pos();
    if !p.enter() {
        // Too deep: skip the token so that parsing moves on.
        let m = p.start();
        p.bump();
        m.complete(p, ERROR);
        return;
    }
    statement_inner(p, cx, before);
    p.leave();
}

fn statement_inner(p: &mut Parser<'_>, cx: Context, before: usize) {
    match statement_keyword(p, 0) {
        Some(FUNCTION_KW) => function(p),
        Some(IF_KW) => if_stmt(p),
        Some(WHILE_KW) => while_stmt(p),
        Some(FOR_KW) => for_stmt(p),
        Some(RETURN_KW) => return_stmt(p),
        Some(THROW_KW) => throw_stmt(p),
        Some(TRY_KW) => try_stmt(p),
        Some(BREAK_KW) => keyword_stmt(p, BREAK_KW, BREAK_STMT),
        Some(CONTINUE_KW) => keyword_stmt(p, CONTINUE_KW, CONTINUE_STMT),
        Some(NONLOCAL_KW) => nonlocal_stmt(p),
        Some(IMPORT_KW) => {
            if cx != Context::TopLevel {
                p.error("`import` is only allowed at the top level of a file");
            }
            import(p);
        }
        Some(CAPABILITY_KW) => {
            if cx != Context::TopLevel {
                p.error("`capability` declarations are only allowed at the top level of a file");
            }
            capability_decl(p);
        }
        _ => other_statement(p),
    }
    if p.token_pos() == before {
        // Nothing could be made of this token: skip it so parsing moves on.
        let message = format!("expected a statement, found {}", p.found());
        p.err_and_bump(message);
    }
}

fn other_statement(p: &mut Parser<'_>) {
    match p.current() {
        SEMICOLON => p.err_and_bump("empty statement: remove the extra `;`"),
        R_PAREN => p.err_and_bump("unmatched `)`: no `(` is open here"),
        R_BRACK => p.err_and_bump("unmatched `]`: no `[` is open here"),
        L_BRACK if destructuring_ahead(p, L_BRACK, R_BRACK) => {
            destructure(p, L_BRACK, R_BRACK, ARRAY_PATTERN)
        }
        L_CURLY if destructuring_ahead(p, L_CURLY, R_CURLY) => {
            destructure(p, L_CURLY, R_CURLY, OBJECT_PATTERN)
        }
        IDENT if p.at_kw(ELIF_KW) || p.at_kw(ELSE_KW) => orphan_clause(p, "`if`"),
        IDENT if p.at_kw(EXCEPT_KW) || p.at_kw(FINALLY_KW) => orphan_clause(p, "`try`"),
        IDENT
            if matches!(p.nth_text(0), "let" | "var" | "const")
                && p.nth_at(1, IDENT)
                && !p.newline_before_nth(1) =>
        {
            // `let x = 1;`: say so once, then read the rest as the assignment it is.
            let message = format!(
                "ML has no `{}`: a variable is declared by assigning it, `x = …;`",
                p.nth_text(0)
            );
            p.err_and_bump(message);
            expr_or_assign_stmt(p);
        }
        _ => expr_or_assign_stmt(p),
    }
}

/// `else {…}` or `except {…}` with nothing before it: report it, and still parse the
/// clause so the rest of the file is understood.
fn orphan_clause(p: &mut Parser<'_>, owner: &str) {
    let follows_like_clause = matches!(p.nth(1), L_CURLY | L_PAREN) || p.nth_kw(1, IF_KW);
    if !follows_like_clause {
        expr_or_assign_stmt(p);
        return;
    }
    let word = p.nth_text(0).to_string();
    p.error(format!("`{word}` without a matching {owner} before it"));
    let m = p.start();
    p.bump();
    if p.at_kw(IF_KW) {
        p.bump_remap(IF_KW);
    }
    if p.at(L_PAREN) {
        paren_condition(p);
    }
    block(p);
    m.complete(p, ERROR);
}

/// `[a, b] = …` or `{a, b} = …`: a bracketed list of names followed by `=`.
fn destructuring_ahead(p: &Parser<'_>, open: SyntaxKind, close: SyntaxKind) -> bool {
    debug_assert!(p.at(open));
    let mut n = 1;
    loop {
        if !p.nth_at(n, IDENT) {
            return false;
        }
        n += 1;
        match p.nth(n) {
            COMMA => n += 1,
            k if k == close => return p.nth_at(n + 1, EQ),
            _ => return false,
        }
    }
}

fn destructure(p: &mut Parser<'_>, open: SyntaxKind, close: SyntaxKind, pattern: SyntaxKind) {
    let m = p.start();
    let pat = p.start();
    p.expect(open);
    while !p.at(close) && !p.at_eof() {
        name(p);
        if !p.eat(COMMA) {
            break;
        }
    }
    p.expect(close);
    pat.complete(p, pattern);
    p.expect(EQ);
    expr(p);
    expect_semi(p);
    m.complete(p, DESTRUCTURE_STMT);
}

fn expr_or_assign_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    let first_token = p.token_pos();
    let lhs = expr(p);
    if p.at(EQ) {
        if let Some(lhs) = lhs {
            if !matches!(lhs.kind(), PATH_EXPR | INDEX_EXPR | FIELD_EXPR) {
                let range = p.range_of_tokens(first_token);
                p.error_at(
                    "cannot assign to this expression: only a name, `a[i]` or `a.b` can be assigned",
                    range,
                );
            }
        }
        p.bump();
        expr(p);
        expect_semi(p);
        m.complete(p, ASSIGN_STMT);
        return;
    }
    if lhs.is_none() {
        m.abandon(p);
        return;
    }
    expect_semi(p);
    m.complete(p, EXPR_STMT);
}

/// Every simple statement ends with `;`. When it is missing, the error points right
/// after the statement, and anything else on the same line is skipped.
pub(super) fn expect_semi(p: &mut Parser<'_>) {
    if p.eat(SEMICOLON) {
        return;
    }
    if p.at_eof() || p.newline_before_current() || p.at(R_CURLY) {
        let range = p.prev_end();
        p.error_at("expected `;`", range);
        return;
    }
    let message = format!("expected `;`, found {}", p.found());
    let range = p.prev_end();
    p.error_at(message, range);
    if p.at(L_CURLY) {
        // `catch (e) { … }`, `f() { … }`: parse the braces as a block, so that its
        // statements are still understood and its `}` is not left unmatched.
        let m = p.start();
        block(p);
        m.complete(p, ERROR);
        p.eat(SEMICOLON);
        return;
    }
    // Skip the rest of the line: it is most likely the tail of a half-typed statement.
    let m = p.start();
    while !p.at_eof() && !p.at(SEMICOLON) && !p.at(R_CURLY) && !p.newline_before_current() {
        p.bump();
    }
    m.complete(p, ERROR);
    p.eat(SEMICOLON);
}

pub(super) fn name(p: &mut Parser<'_>) {
    if p.at(IDENT) {
        let m = p.start();
        p.bump();
        m.complete(p, NAME);
    } else if matches!(p.current(), FN_KW | TRUE_KW | FALSE_KW) {
        let message = format!("{} is reserved and cannot be used as a name", p.found());
        p.err_and_bump(message);
    } else {
        p.error_expected("a name");
    }
}

fn function(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(FUNCTION_KW);
    name(p);
    if p.at(L_PAREN) {
        param_list(p);
    } else {
        p.error_expected("`(` and the parameter list");
        if p.at(IDENT) || p.at(R_PAREN) {
            // `function f a) {`: the parameters are there, only `(` is missing.
            params_without_open(p);
        }
    }
    block(p);
    m.complete(p, FUNCTION);
}

pub(super) fn param_list(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump();
    params_and_close(p);
    m.complete(p, PARAM_LIST);
}

/// A parameter list whose `(` is missing (already reported).
fn params_without_open(p: &mut Parser<'_>) {
    let m = p.start();
    params_and_close(p);
    m.complete(p, PARAM_LIST);
}

fn params_and_close(p: &mut Parser<'_>) {
    comma_list_until(p, R_PAREN, &[L_CURLY, FAT_ARROW], "parameter", |p| {
        if !p.at(IDENT) {
            return false;
        }
        let param = p.start();
        name(p);
        if p.at(COLON) {
            p.bump();
            let ty = p.start();
            if p.at(IDENT) {
                p.bump();
            } else {
                p.error_expected("a type name");
            }
            ty.complete(p, TYPE_ANNOTATION);
        }
        param.complete(p, PARAM);
        true
    });
    p.expect(R_PAREN);
}

/// Items separated by commas, up to `close` (not consumed). `item` returns false when
/// the current token cannot start an item. Each run of junk costs one error, not one
/// per token.
pub(super) fn comma_list(
    p: &mut Parser<'_>,
    close: SyntaxKind,
    what: &str,
    item: impl FnMut(&mut Parser<'_>) -> bool,
) {
    comma_list_until(p, close, &[], what, item)
}

/// `comma_list`, also stopping at any of `also_stop_at` (a parameter list stops at the
/// `{` of the body when its `)` is missing).
pub(super) fn comma_list_until(
    p: &mut Parser<'_>,
    close: SyntaxKind,
    also_stop_at: &[SyntaxKind],
    what: &str,
    mut item: impl FnMut(&mut Parser<'_>) -> bool,
) {
    let at_closer = |p: &Parser<'_>| {
        p.at(close)
            || at_statement_boundary(p)
            || matches!(p.current(), R_PAREN | R_BRACK | R_CURLY)
            || also_stop_at.contains(&p.current())
    };
    let mut reported = false;
    loop {
        if p.at(close) || p.at_eof() {
            return;
        }
        if !item(p) {
            if at_closer(p) {
                if !reported {
                    p.error_expected(&format!("a {what} or {}", close.describe()));
                }
                return;
            }
            if !reported {
                let message = format!("expected a {what}, found {}", p.found());
                p.error(message);
            }
            let junk = p.start();
            while !at_closer(p) && !p.at(COMMA) {
                p.bump();
            }
            junk.complete(p, ERROR);
            if !p.eat(COMMA) {
                return;
            }
            reported = false;
            continue;
        }
        reported = false;
        if p.at(COMMA) {
            let comma = p.current_range();
            p.bump();
            if p.at(close) {
                p.error_at(format!("trailing comma before {}", close.describe()), comma);
                return;
            }
            continue;
        }
        if p.at(close) || p.at_eof() {
            return;
        }
        p.error_expected(&format!("`,` or {}", close.describe()));
        if at_closer(p) {
            return;
        }
        // Two items with no comma between them: go on as if it were there.
        reported = true;
    }
}

/// `{ statements }`.
pub(super) fn block(p: &mut Parser<'_>) {
    if !p.at(L_CURLY) {
        p.error_expected("`{`");
        return;
    }
    if !p.enter() {
        return;
    }
    let m = p.start();
    let open = p.current_range();
    p.bump();
    loop {
        // In a file with more `{` than `}`, a `}` that starts a line indented less than
        // the line of this block's `{` most likely closes an outer block: this one was
        // never closed. (Never in a file whose braces balance, so no valid program is
        // affected.)
        if p.at(R_CURLY) && p.unbalanced_curlies() && p.closes_less_indented(open) {
            p.error_at(
                "unclosed `{`: expected `}` (the next `}` is indented less, so it closes an outer block)",
                open,
            );
            break;
        }
        if p.eat(R_CURLY) {
            break;
        }
        if p.at_eof() {
            p.error_at(
                "unclosed `{`: expected `}` before the end of the file",
                open,
            );
            break;
        }
        // In such a file, a declaration that starts a line at column 0 inside a block
        // almost always means this block was never closed: end it here so the rest
        // parses normally.
        if p.unbalanced_curlies()
            && p.current_at_line_start()
            && matches!(
                statement_keyword(p, 0),
                Some(FUNCTION_KW | IMPORT_KW | CAPABILITY_KW)
            )
        {
            p.error_at("unclosed `{`: expected `}` before this declaration", open);
            break;
        }
        statement(p, Context::Block);
    }
    m.complete(p, BLOCK);
    p.leave();
}

/// `( expr )` around a condition.
fn paren_condition(p: &mut Parser<'_>) {
    if !p.expect(L_PAREN) {
        // Still try to read the condition so that the block after it is found.
        if !p.at(L_CURLY) {
            expr(p);
        }
        return;
    }
    expr(p);
    p.expect(R_PAREN);
}

fn if_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(IF_KW);
    paren_condition(p);
    block(p);
    loop {
        if p.at_kw(ELIF_KW) {
            let clause = p.start();
            p.bump_remap(ELIF_KW);
            paren_condition(p);
            block(p);
            clause.complete(p, ELIF_CLAUSE);
        } else if p.at_kw(ELSE_KW) && p.nth_kw(1, IF_KW) {
            let clause = p.start();
            p.bump_remap(ELSE_KW);
            p.bump_remap(IF_KW);
            paren_condition(p);
            block(p);
            clause.complete(p, ELIF_CLAUSE);
        } else {
            break;
        }
    }
    if p.at_kw(ELSE_KW) {
        let clause = p.start();
        p.bump_remap(ELSE_KW);
        block(p);
        clause.complete(p, ELSE_CLAUSE);
    }
    m.complete(p, IF_STMT);
}

fn while_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(WHILE_KW);
    paren_condition(p);
    block(p);
    m.complete(p, WHILE_STMT);
}

fn for_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(FOR_KW);
    // Without `(`, still read `x in xs` so that only the parenthesis is reported.
    let open = p.expect(L_PAREN);
    if open || p.at(IDENT) {
        name(p);
        if p.at_kw(IN_KW) {
            p.bump_remap(IN_KW);
        } else {
            p.error_expected("`in`");
            if p.at(IDENT) && !p.newline_before_current() {
                // A misspelt `in` (`for (x of xs)`): skip the word, keep the rest.
                let junk = p.start();
                p.bump();
                junk.complete(p, ERROR);
            }
        }
        // Without `(`, a `{` is the body, not an object literal.
        if open || !p.at(L_CURLY) {
            expr(p);
        }
        if open || p.at(R_PAREN) {
            p.expect(R_PAREN);
        }
    }
    block(p);
    m.complete(p, FOR_STMT);
}

fn return_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(RETURN_KW);
    if !p.at(SEMICOLON) && !p.at(R_CURLY) && !p.at_eof() && !p.newline_before_current_is_statement()
    {
        expr(p);
    }
    expect_semi(p);
    m.complete(p, RETURN_STMT);
}

fn throw_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(THROW_KW);
    let start = p.current_range();
    if let Some(value) = expr(p) {
        if value.kind() != OBJECT_EXPR {
            let range = start.cover(p.prev_end());
            p.error_at(
                "`throw` takes an object literal, e.g. `throw {message: \"what went wrong\"};`",
                range,
            );
        }
    }
    expect_semi(p);
    m.complete(p, THROW_STMT);
}

fn try_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(TRY_KW);
    block(p);
    while p.at_kw(EXCEPT_KW) {
        let clause = p.start();
        p.bump_remap(EXCEPT_KW);
        if p.eat(L_PAREN) {
            name(p);
            p.expect(R_PAREN);
        }
        block(p);
        clause.complete(p, EXCEPT_CLAUSE);
    }
    if p.at_kw(FINALLY_KW) {
        let clause = p.start();
        p.bump_remap(FINALLY_KW);
        block(p);
        clause.complete(p, FINALLY_CLAUSE);
    }
    m.complete(p, TRY_STMT);
}

fn keyword_stmt(p: &mut Parser<'_>, keyword: SyntaxKind, node: SyntaxKind) {
    let m = p.start();
    p.bump_remap(keyword);
    expect_semi(p);
    m.complete(p, node);
}

fn nonlocal_stmt(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(NONLOCAL_KW);
    name(p);
    while p.eat(COMMA) {
        name(p);
    }
    expect_semi(p);
    m.complete(p, NONLOCAL_STMT);
}

fn import(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(IMPORT_KW);
    if p.at(URL) {
        p.bump();
    } else if p.current().is_any_word() {
        let path = p.start();
        p.bump_remap(IDENT);
        while p.at(DOT) {
            p.bump();
            if p.current().is_any_word() {
                p.bump_remap(IDENT);
            } else {
                p.error_expected("a module name after `.`");
                break;
            }
        }
        path.complete(p, IMPORT_PATH);
    } else {
        p.error_expected("a module path such as `utils.math` or a URL");
    }
    if p.at_kw(AS_KW) {
        let alias = p.start();
        p.bump_remap(AS_KW);
        name(p);
        alias.complete(p, IMPORT_ALIAS);
    }
    if p.at(L_CURLY) {
        let config = p.start();
        p.bump();
        comma_list(p, R_CURLY, "setting", expressions::object_field);
        p.expect(R_CURLY);
        config.complete(p, IMPORT_CONFIG);
    }
    expect_semi(p);
    m.complete(p, IMPORT);
}

fn capability_decl(p: &mut Parser<'_>) {
    let m = p.start();
    p.bump_remap(CAPABILITY_KW);
    name(p);
    if !p.at(L_CURLY) {
        p.error_expected("`{`");
        m.complete(p, CAPABILITY_DECL);
        return;
    }
    let open = p.current_range();
    p.bump();
    loop {
        if p.eat(R_CURLY) {
            break;
        }
        if p.at_eof() {
            p.error_at(
                "unclosed `{`: expected `}` before the end of the file",
                open,
            );
            break;
        }
        if p.at_kw(RESOURCE_KW) {
            let item = p.start();
            p.bump_remap(RESOURCE_KW);
            if !p.eat(STRING) {
                p.error_expected("a resource pattern string");
            }
            expect_semi(p);
            item.complete(p, CAPABILITY_RESOURCE);
        } else if p.at_kw(ALLOW_KW) {
            let item = p.start();
            p.bump_remap(ALLOW_KW);
            if p.at(IDENT) {
                p.bump();
            } else {
                p.error_expected(
                    "a permission (`read`, `write`, `execute`, `network` or `system`)",
                );
            }
            p.eat(STRING);
            expect_semi(p);
            item.complete(p, CAPABILITY_ALLOW);
        } else {
            let message = format!(
                "expected `resource \"…\";` or `allow <permission>;` in a capability block, found {}",
                p.found()
            );
            // Skip the whole item, up to its `;`: one error for `deny read;`.
            p.error(message);
            let junk = p.start();
            while !p.at_eof() && !p.at(R_CURLY) && !p.at(SEMICOLON) {
                p.bump();
            }
            p.eat(SEMICOLON);
            junk.complete(p, ERROR);
        }
    }
    m.complete(p, CAPABILITY_DECL);
}

impl Parser<'_> {
    /// `return` followed on the next line by something that begins a statement of its
    /// own: the `;` after `return` was forgotten.
    fn newline_before_current_is_statement(&self) -> bool {
        self.newline_before_current() && statement_keyword(self, 0).is_some()
    }
}
