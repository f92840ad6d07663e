//! Expressions: a Pratt parser over the precedence table of the language.
//!
//! | binds | operators                      |
//! |-------|--------------------------------|
//! | least | `c ? a : b` (right-assoc)      |
//! |       | `\|\|`                         |
//! |       | `&&`                           |
//! |       | `==` `!=`                      |
//! |       | `<` `>` `<=` `>=`              |
//! |       | `+` `-`                        |
//! |       | `*` `/` `//` `%`               |
//! |       | prefix `!` `-`                 |
//! | most  | postfix call, index, member    |

use super::grammar::{at_statement_boundary, block, comma_list, param_list, statement_keyword};
use super::{CompletedMarker, Parser};
use crate::SyntaxKind::{self, *};

/// A full expression, ternary included. `None` when nothing expression-like is here
/// (an error has been reported).
pub(super) fn expr(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    if !p.enter() {
        return None;
    }
    let result = ternary(p);
    p.leave();
    result
}

fn ternary(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    let condition = binary(p, 0)?;
    if !p.at(QUESTION) {
        return Some(condition);
    }
    let m = condition.precede(p);
    p.bump();
    expr(p);
    if p.expect(COLON) {
        expr(p);
    }
    Some(m.complete(p, TERNARY_EXPR))
}

fn infix_binding_power(kind: SyntaxKind) -> Option<(u8, u8)> {
    let bp = match kind {
        PIPE2 => (1, 2),
        AMP2 => (3, 4),
        EQ2 | NEQ => (5, 6),
        LT | GT | LTEQ | GTEQ => (7, 8),
        PLUS | MINUS => (9, 10),
        STAR | SLASH | SLASH2 | PERCENT => (11, 12),
        _ => return None,
    };
    Some(bp)
}

fn binary(p: &mut Parser<'_>, min_bp: u8) -> Option<CompletedMarker> {
    let mut lhs = unary(p)?;
    // Each link of a chain (`a + b + c`) nests the tree one level deeper.
    let mut links = 0;
    while let Some((left_bp, right_bp)) = infix_binding_power(p.current()) {
        if left_bp < min_bp {
            break;
        }
        if !p.enter() {
            // Too deep (one error says so): the rest of the expression is skipped, so that
            // the statement goes on after it instead of reporting the operator as stray.
            skip_rest_of_expression(p);
            break;
        }
        links += 1;
        let op = p.current();
        let op_range = p.current_range();
        let m = lhs.precede(p);
        p.bump();
        let rhs = binary(p, right_bp);
        if op == SLASH2 && rhs.is_some() && floor_division_looks_like_comment(p) {
            let range = op_range.cover(p.prev_end());
            p.warning_at(
                "this `//` divides, because it follows an operand: it does not start a comment; \
                 end the statement with `;` before a comment, or put the comment on its own line",
                range,
            );
        }
        lhs = m.complete(p, BIN_EXPR);
    }
    for _ in 0..links {
        p.leave();
    }
    Some(lhs)
}

/// Wraps the tokens up to where the enclosing statement or list can go on (`;`, `,` or a
/// closing bracket outside any bracket opened here) in an ERROR node.
fn skip_rest_of_expression(p: &mut Parser<'_>) {
    let m = p.start();
    let mut open = 0u32;
    while !p.at_eof() {
        match p.current() {
            L_PAREN | L_BRACK | L_CURLY => open += 1,
            R_PAREN | R_BRACK | R_CURLY if open == 0 => break,
            R_PAREN | R_BRACK | R_CURLY => open -= 1,
            SEMICOLON | COMMA if open == 0 => break,
            _ => {}
        }
        p.bump();
    }
    m.complete(p, ERROR);
}

/// After `a // b`: does what follows suggest that `// b…` was meant as a comment? It
/// does when the line goes on with more words (`x = 6 // 2 words`), or when it ends and
/// the next line does not carry on the expression with an operator (`2 // two` ⏎ `]`).
fn floor_division_looks_like_comment(p: &Parser<'_>) -> bool {
    let next = p.current();
    if p.at_eof() || p.newline_before_current() {
        infix_binding_power(next).is_none() && !matches!(next, QUESTION | COLON)
    } else {
        matches!(
            next,
            IDENT | NUMBER | STRING | TRUE_KW | FALSE_KW | FN_KW | ERROR_TOKEN
        )
    }
}

fn unary(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    if p.at(BANG) || p.at(MINUS) {
        if !p.enter() {
            return None;
        }
        let m = p.start();
        p.bump();
        unary(p);
        p.leave();
        return Some(m.complete(p, PREFIX_EXPR));
    }
    let atom = atom(p)?;
    Some(postfix(p, atom))
}

fn atom(p: &mut Parser<'_>) -> Option<CompletedMarker> {
    let m = p.start();
    let kind = match p.current() {
        NUMBER | STRING | TRUE_KW | FALSE_KW => {
            p.bump();
            LITERAL
        }
        IDENT if p.newline_before_current() && statement_keyword(p, 0).is_some() => {
            // `x = ⏎ return y;`: the expression is missing, the statement is not ours.
            m.abandon(p);
            p.error_expected("an expression");
            return None;
        }
        IDENT => {
            let name = p.start();
            p.bump();
            name.complete(p, NAME_REF);
            PATH_EXPR
        }
        FN_KW => {
            arrow(p);
            ARROW_EXPR
        }
        L_PAREN => {
            p.bump();
            expr(p);
            p.expect(R_PAREN);
            PAREN_EXPR
        }
        L_BRACK => {
            p.bump();
            comma_list(p, R_BRACK, "value", expr_item);
            p.expect(R_BRACK);
            ARRAY_EXPR
        }
        L_CURLY => {
            p.bump();
            comma_list(p, R_CURLY, "field", object_field);
            p.expect(R_CURLY);
            OBJECT_EXPR
        }
        _ => {
            m.abandon(p);
            if at_statement_boundary(p) || matches!(p.current(), R_PAREN | R_BRACK | COMMA | COLON)
            {
                p.error_expected("an expression");
            } else {
                let message = format!("expected an expression, found {}", p.found());
                p.err_and_bump(message);
            }
            return None;
        }
    };
    Some(m.complete(p, kind))
}

/// `fn(params) => expr` or `fn(params) => { statements }`.
fn arrow(p: &mut Parser<'_>) {
    p.bump();
    if p.at(L_PAREN) {
        param_list(p);
    } else {
        p.error_expected("`(` and the parameter list");
    }
    if !p.expect(FAT_ARROW) && !p.at(L_CURLY) {
        return;
    }
    if p.at(L_CURLY) && !object_literal_ahead(p) {
        block(p);
    } else {
        expr(p);
    }
}

/// After `=>`, `{}` and `{key: …` are object literals; any other `{` opens a block.
fn object_literal_ahead(p: &Parser<'_>) -> bool {
    p.nth_at(1, R_CURLY) || ((p.nth(1).is_any_word() || p.nth_at(1, STRING)) && p.nth_at(2, COLON))
}

fn postfix(p: &mut Parser<'_>, mut lhs: CompletedMarker) -> CompletedMarker {
    let mut links = 0;
    loop {
        if matches!(p.current(), L_PAREN | L_BRACK | DOT) {
            if !p.enter() {
                break;
            }
            links += 1;
        }
        lhs = match p.current() {
            L_PAREN => {
                let m = lhs.precede(p);
                let args = p.start();
                p.bump();
                comma_list(p, R_PAREN, "argument", expr_item);
                p.expect(R_PAREN);
                args.complete(p, ARG_LIST);
                m.complete(p, CALL_EXPR)
            }
            L_BRACK => {
                let m = lhs.precede(p);
                p.bump();
                index_or_slice(p);
                p.expect(R_BRACK);
                m.complete(p, INDEX_EXPR)
            }
            DOT => {
                let m = lhs.precede(p);
                p.bump();
                if p.current().is_any_word() {
                    let name = p.start();
                    p.bump_remap(IDENT);
                    name.complete(p, NAME_REF);
                } else {
                    p.error_expected("a member name after `.`");
                }
                m.complete(p, FIELD_EXPR)
            }
            _ => break,
        };
    }
    for _ in 0..links {
        p.leave();
    }
    lhs
}

fn index_or_slice(p: &mut Parser<'_>) {
    let start = if p.at(COLON) { None } else { expr(p) };
    if !p.at(COLON) {
        return;
    }
    let m = match start {
        Some(start) => start.precede(p),
        None => p.start(),
    };
    p.bump();
    if !p.at(COLON) && !p.at(R_BRACK) {
        expr(p);
    }
    if p.eat(COLON) && !p.at(R_BRACK) {
        expr(p);
    }
    m.complete(p, SLICE);
}

fn expr_item(p: &mut Parser<'_>) -> bool {
    let before = p.token_pos();
    expr(p);
    p.token_pos() != before
}

/// `key: value` in an object literal or an import configuration block.
pub(super) fn object_field(p: &mut Parser<'_>) -> bool {
    if !(p.current().is_any_word() || p.at(STRING)) {
        return false;
    }
    let m = p.start();
    if p.at(STRING) {
        p.bump();
    } else {
        p.bump_remap(IDENT);
    }
    if p.expect(COLON) {
        expr(p);
    }
    m.complete(p, OBJECT_FIELD);
    true
}
