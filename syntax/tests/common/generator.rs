//! A generator of random valid ML programs, printed with random white space, line
//! breaks and `//` comments wherever the language allows them, with the canonical form
//! of the program generated and of a parsed tree to compare them. Shared by the parser's
//! generated-program tests and the formatter's (`fmt/tests/generated.rs`).

use mlpy_syntax::{SyntaxKind, SyntaxNode};
use std::fmt::Write;

// ---------------------------------------------------------------------------------
// A tiny deterministic random source

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------
// The generated program

#[derive(Debug, Clone)]
enum Expr {
    Literal(String),
    Name(String),
    Bin(Box<Expr>, &'static str, Box<Expr>),
    Prefix(&'static str, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `e[a:b:c]`: the parts, and whether the second `:` is written.
    Slice(Box<Expr>, [Option<Box<Expr>>; 3], bool),
    Field(Box<Expr>, String),
    Array(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    Arrow(Vec<Param>, ArrowBody),
    Paren(Box<Expr>),
}

#[derive(Debug, Clone)]
enum ArrowBody {
    Expr(Box<Expr>),
    Block(Vec<Stmt>),
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    ty: Option<String>,
}

#[derive(Debug, Clone)]
enum Stmt {
    Expr(Expr),
    Assign(Expr, Expr),
    Destructure(bool, Vec<String>, Expr),
    If(
        Expr,
        Vec<Stmt>,
        Vec<(bool, Expr, Vec<Stmt>)>,
        Option<Vec<Stmt>>,
    ),
    While(Expr, Vec<Stmt>),
    For(String, Expr, Vec<Stmt>),
    Try(Vec<Stmt>, Vec<Option<String>>, Option<Vec<Stmt>>),
    Return(Option<Expr>),
    Throw(Expr),
    Break,
    Continue,
    Nonlocal(Vec<String>),
    Function(String, Vec<Param>, Vec<Stmt>),
    Import(String, Option<String>, Vec<(String, Expr)>),
    Capability(String, Vec<(bool, String, Option<String>)>),
}

const NAMES: &[&str] = &[
    "a", "b", "c", "foo", "bar_2", "_x", "read", "allow", "resource", "ifx", "fnord", "trueish",
    "null",
];
/// Any word may follow `.` or be an object key.
const MEMBER_NAMES: &[&str] = &[
    "a", "length", "if", "while", "fn", "true", "false", "return", "import", "else", "function",
    "in", "as", "read",
];
const NUMBERS: &[&str] = &[
    "0", "1", "42", "3.14", "-5", "-2.5", "+7", "1e3", "2.5E-3", ".5", "7.", "-.5e3", "007", "1.e5",
];
const STRINGS: &[&str] = &[
    "\"text\"",
    "'single'",
    "\"a\\nb\"",
    "'it\\'s'",
    "\"say \\\"hi\\\"\"",
    "\"// not a comment\"",
    "'\\d+'",
    "\"\"",
    "\"multi\nline\"",
];
const BINARY: &[(&str, u8)] = &[
    ("||", 1),
    ("&&", 2),
    ("==", 3),
    ("!=", 3),
    ("<", 4),
    (">", 4),
    ("<=", 4),
    (">=", 4),
    ("+", 5),
    ("-", 5),
    ("*", 6),
    ("/", 6),
    ("//", 6),
    ("%", 6),
];

struct Gen {
    rng: Rng,
}

impl Gen {
    fn name(&mut self) -> String {
        self.rng.pick(NAMES).to_string()
    }

    fn expr(&mut self, depth: usize) -> Expr {
        let leaf = depth == 0 || self.rng.chance(25);
        if leaf {
            return match self.rng.below(4) {
                0 => Expr::Literal(self.rng.pick(NUMBERS).to_string()),
                1 => Expr::Literal(self.rng.pick(STRINGS).to_string()),
                2 => Expr::Literal(self.rng.pick(&["true", "false"]).to_string()),
                _ => Expr::Name(self.name()),
            };
        }
        let d = depth - 1;
        match self.rng.below(13) {
            0..=2 => {
                let (op, _) = *self.rng.pick(BINARY);
                Expr::Bin(Box::new(self.expr(d)), op, Box::new(self.expr(d)))
            }
            3 => {
                let op: &'static str = if self.rng.chance(50) { "!" } else { "-" };
                Expr::Prefix(op, Box::new(self.expr(d)))
            }
            4 => Expr::Ternary(
                Box::new(self.expr(d)),
                Box::new(self.expr(d)),
                Box::new(self.expr(d)),
            ),
            5 => {
                let n = self.rng.below(4);
                Expr::Call(
                    Box::new(self.expr(d)),
                    (0..n).map(|_| self.expr(d)).collect(),
                )
            }
            6 => Expr::Index(Box::new(self.expr(d)), Box::new(self.expr(d))),
            7 => {
                let part = |g: &mut Gen| g.rng.chance(60).then(|| Box::new(g.expr(d)));
                let parts = [part(self), part(self), part(self)];
                let second_colon = parts[2].is_some() || self.rng.chance(30);
                Expr::Slice(Box::new(self.expr(d)), parts, second_colon)
            }
            8 => Expr::Field(
                Box::new(self.expr(d)),
                self.rng.pick(MEMBER_NAMES).to_string(),
            ),
            9 => {
                let n = self.rng.below(4);
                Expr::Array((0..n).map(|_| self.expr(d)).collect())
            }
            10 => {
                let n = self.rng.below(4);
                Expr::Object(
                    (0..n)
                        .map(|_| {
                            let key = if self.rng.chance(20) {
                                "\"quoted key\"".to_string()
                            } else {
                                self.rng.pick(MEMBER_NAMES).to_string()
                            };
                            (key, self.expr(d))
                        })
                        .collect(),
                )
            }
            11 => {
                let params = self.params();
                let body = if self.rng.chance(50) {
                    ArrowBody::Expr(Box::new(self.expr(d)))
                } else {
                    ArrowBody::Block(self.block(d.min(2), true))
                };
                Expr::Arrow(params, body)
            }
            _ => Expr::Paren(Box::new(self.expr(d))),
        }
    }

    fn params(&mut self) -> Vec<Param> {
        let n = self.rng.below(3);
        (0..n)
            .map(|_| Param {
                name: self.name(),
                ty: self
                    .rng
                    .chance(30)
                    .then(|| self.rng.pick(&["number", "string", "any"]).to_string()),
            })
            .collect()
    }

    /// A block body: `nonempty` for arrow blocks, which need a statement (else the
    /// braces would be an object).
    fn block(&mut self, depth: usize, nonempty: bool) -> Vec<Stmt> {
        let n = self.rng.below(3) + usize::from(nonempty);
        (0..n).map(|_| self.stmt(depth, false)).collect()
    }

    fn target(&mut self, depth: usize) -> Expr {
        match self.rng.below(3) {
            0 => Expr::Name(self.name()),
            1 => Expr::Index(
                Box::new(Expr::Name(self.name())),
                Box::new(self.expr(depth)),
            ),
            _ => Expr::Field(
                Box::new(self.expr(depth.min(1))),
                self.rng.pick(MEMBER_NAMES).to_string(),
            ),
        }
    }

    fn stmt(&mut self, depth: usize, top: bool) -> Stmt {
        let d = depth.saturating_sub(1);
        let e = depth.min(3);
        let kinds = if top { 16 } else { 14 };
        match self.rng.below(kinds) {
            0 | 1 => Stmt::Expr(self.expr(e)),
            2 | 3 => Stmt::Assign(self.target(e), self.expr(e)),
            4 => {
                let n = self.rng.below(3) + 1;
                Stmt::Destructure(
                    self.rng.chance(50),
                    (0..n).map(|_| self.name()).collect(),
                    self.expr(e),
                )
            }
            5 if depth > 0 => {
                let elifs = (0..self.rng.below(3))
                    .map(|_| (self.rng.chance(50), self.expr(e), self.block(d, false)))
                    .collect();
                let els = self.rng.chance(50).then(|| self.block(d, false));
                Stmt::If(self.expr(e), self.block(d, false), elifs, els)
            }
            6 if depth > 0 => Stmt::While(self.expr(e), self.block(d, false)),
            7 if depth > 0 => Stmt::For(self.name(), self.expr(e), self.block(d, false)),
            8 if depth > 0 => {
                let excepts = (0..self.rng.below(3))
                    .map(|_| self.rng.chance(50).then(|| self.name()))
                    .collect();
                let finally = self.rng.chance(40).then(|| self.block(d, false));
                Stmt::Try(self.block(d, false), excepts, finally)
            }
            9 => Stmt::Return(self.rng.chance(70).then(|| self.expr(e))),
            10 => {
                let n = self.rng.below(3);
                Stmt::Throw(Expr::Object(
                    (0..n)
                        .map(|_| (self.rng.pick(MEMBER_NAMES).to_string(), self.expr(e)))
                        .collect(),
                ))
            }
            11 if self.rng.chance(50) => Stmt::Break,
            11 => Stmt::Continue,
            12 => {
                let n = self.rng.below(3) + 1;
                Stmt::Nonlocal((0..n).map(|_| self.name()).collect())
            }
            13 if depth > 0 => Stmt::Function(self.name(), self.params(), self.block(d, false)),
            14 => {
                let target = if self.rng.chance(50) {
                    let n = self.rng.below(3) + 1;
                    (0..n)
                        .map(|_| *self.rng.pick(&["utils", "math", "if", "a", "json"]))
                        .collect::<Vec<_>>()
                        .join(".")
                } else {
                    self.rng
                        .pick(&[
                            "https://example.com/lib/v2/m",
                            "git://host/org/repo@v1/p/mod",
                        ])
                        .to_string()
                };
                let alias = self.rng.chance(50).then(|| self.name());
                let config = if self.rng.chance(30) {
                    vec![
                        ("auth".to_string(), Expr::Literal("\"t\"".into())),
                        ("verify".to_string(), Expr::Literal("true".into())),
                    ]
                } else {
                    Vec::new()
                };
                Stmt::Import(target, alias, config)
            }
            15 => {
                let n = self.rng.below(3);
                Stmt::Capability(
                    "Cap".to_string(),
                    (0..n)
                        .map(|_| {
                            if self.rng.chance(50) {
                                (true, "\"data/*\"".to_string(), None)
                            } else {
                                (
                                    false,
                                    self.rng.pick(&["read", "write", "network"]).to_string(),
                                    self.rng.chance(50).then(|| "\"out/*\"".to_string()),
                                )
                            }
                        })
                        .collect(),
                )
            }
            _ => Stmt::Expr(self.expr(e)),
        }
    }
}

// ---------------------------------------------------------------------------------
// Printing: tokens with layout hints, then text with random layout

#[derive(Clone, Copy, PartialEq)]
enum Slot {
    /// Whitespace may go here, line breaks included.
    Space,
    /// Here a statement starts or a list item follows `,`: a `//` comment may go here.
    CommentOk,
}

struct Printer {
    out: Vec<(String, Slot)>,
}

/// Binding power of an expression when it stands as an operand: what it needs to be
/// printed without parentheses.
fn strength(e: &Expr) -> u8 {
    match e {
        Expr::Arrow(..) => 0,
        Expr::Ternary(..) => 0,
        Expr::Bin(_, op, _) => BINARY.iter().find(|(o, _)| o == op).unwrap().1,
        Expr::Prefix(..) => 7,
        _ => 8,
    }
}

/// Wraps every operand that binds less tightly than its place needs in `Paren`, as a
/// person would write it.
fn parenthesize(e: Expr) -> Expr {
    let wrap = |e: Expr, min: u8| {
        let e = parenthesize(e);
        if strength(&e) < min {
            Expr::Paren(Box::new(e))
        } else {
            e
        }
    };
    let boxed = |e: Box<Expr>, min: u8| Box::new(wrap(*e, min));
    match e {
        Expr::Literal(_) | Expr::Name(_) => e,
        Expr::Bin(l, op, r) => {
            let bp = BINARY.iter().find(|(o, _)| *o == op).unwrap().1;
            Expr::Bin(boxed(l, bp), op, boxed(r, bp + 1))
        }
        Expr::Prefix(op, x) => Expr::Prefix(op, boxed(x, 7)),
        Expr::Ternary(c, a, b) => Expr::Ternary(boxed(c, 1), boxed(a, 0), boxed(b, 0)),
        Expr::Call(f, args) => {
            Expr::Call(boxed(f, 8), args.into_iter().map(|a| wrap(a, 0)).collect())
        }
        Expr::Index(x, i) => Expr::Index(boxed(x, 8), boxed(i, 0)),
        Expr::Slice(x, parts, second) => {
            Expr::Slice(boxed(x, 8), parts.map(|p| p.map(|p| boxed(p, 0))), second)
        }
        Expr::Field(x, name) => Expr::Field(boxed(x, 8), name),
        Expr::Array(items) => Expr::Array(items.into_iter().map(|a| wrap(a, 0)).collect()),
        Expr::Object(fields) => {
            Expr::Object(fields.into_iter().map(|(k, v)| (k, wrap(v, 0))).collect())
        }
        Expr::Arrow(params, ArrowBody::Expr(x)) => {
            Expr::Arrow(params, ArrowBody::Expr(boxed(x, 0)))
        }
        Expr::Arrow(params, ArrowBody::Block(stmts)) => Expr::Arrow(
            params,
            ArrowBody::Block(stmts.into_iter().map(parenthesize_stmt).collect()),
        ),
        Expr::Paren(x) => Expr::Paren(boxed(x, 0)),
    }
}

fn parenthesize_block(stmts: Vec<Stmt>) -> Vec<Stmt> {
    stmts.into_iter().map(parenthesize_stmt).collect()
}

fn parenthesize_stmt(s: Stmt) -> Stmt {
    let p = parenthesize;
    match s {
        Stmt::Expr(e) => Stmt::Expr(p(e)),
        Stmt::Assign(t, v) => Stmt::Assign(p(t), p(v)),
        Stmt::Destructure(a, n, v) => Stmt::Destructure(a, n, p(v)),
        Stmt::If(c, t, elifs, els) => Stmt::If(
            p(c),
            parenthesize_block(t),
            elifs
                .into_iter()
                .map(|(k, c, b)| (k, p(c), parenthesize_block(b)))
                .collect(),
            els.map(parenthesize_block),
        ),
        Stmt::While(c, b) => Stmt::While(p(c), parenthesize_block(b)),
        Stmt::For(n, e, b) => Stmt::For(n, p(e), parenthesize_block(b)),
        Stmt::Try(b, e, f) => Stmt::Try(parenthesize_block(b), e, f.map(parenthesize_block)),
        Stmt::Return(e) => Stmt::Return(e.map(p)),
        Stmt::Throw(e) => Stmt::Throw(p(e)),
        Stmt::Function(n, ps, b) => Stmt::Function(n, ps, parenthesize_block(b)),
        other => other,
    }
}

impl Printer {
    fn tok(&mut self, text: &str) {
        self.out.push((text.to_string(), Slot::Space));
    }
    fn comment_ok(&mut self) {
        if let Some(last) = self.out.last_mut() {
            last.1 = Slot::CommentOk;
        }
    }

    /// Prints an operand; `parenthesize` has wrapped it if it binds too loosely.
    fn operand(&mut self, e: &Expr, min: u8) {
        debug_assert!(strength(e) >= min, "not parenthesized: {e:?}");
        self.expr(e);
    }

    fn list(&mut self, items: &[Expr]) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.tok(",");
                self.comment_ok();
            }
            self.expr(item);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Literal(s) | Expr::Name(s) => self.tok(s),
            Expr::Bin(l, op, r) => {
                let bp = strength(e);
                self.operand(l, bp);
                self.tok(op);
                self.operand(r, bp + 1);
            }
            Expr::Prefix(op, x) => {
                self.tok(op);
                // `- 5` must not become the literal `-5`: keep them apart.
                if *op == "-" {
                    self.out.last_mut().unwrap().0.push(' ');
                }
                self.operand(x, 7);
            }
            Expr::Ternary(c, a, b) => {
                self.operand(c, 1);
                self.tok("?");
                self.expr(a);
                self.tok(":");
                self.expr(b);
            }
            Expr::Call(f, args) => {
                self.operand(f, 8);
                self.tok("(");
                self.comment_ok();
                self.list(args);
                self.tok(")");
            }
            Expr::Index(x, i) => {
                self.operand(x, 8);
                self.tok("[");
                self.expr(i);
                self.tok("]");
            }
            Expr::Slice(x, parts, second) => {
                self.operand(x, 8);
                self.tok("[");
                if let Some(p) = &parts[0] {
                    self.expr(p);
                }
                self.tok(":");
                if let Some(p) = &parts[1] {
                    self.expr(p);
                }
                if *second {
                    self.tok(":");
                    if let Some(p) = &parts[2] {
                        self.expr(p);
                    }
                }
                self.tok("]");
            }
            Expr::Field(x, name) => {
                self.operand(x, 8);
                self.tok(".");
                self.tok(name);
            }
            Expr::Array(items) => {
                self.tok("[");
                self.comment_ok();
                self.list(items);
                self.tok("]");
            }
            Expr::Object(fields) => {
                self.tok("{");
                self.comment_ok();
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.tok(",");
                        self.comment_ok();
                    }
                    self.tok(key);
                    self.tok(":");
                    self.expr(value);
                }
                self.tok("}");
            }
            Expr::Arrow(params, body) => {
                self.tok("fn");
                self.params(params);
                self.tok("=>");
                match body {
                    ArrowBody::Expr(x) => {
                        // An object literal body needs no parentheses: `{k: v}` and
                        // `{}` after `=>` are objects.
                        self.expr(x);
                    }
                    ArrowBody::Block(stmts) => self.block(stmts),
                }
            }
            Expr::Paren(x) => {
                self.tok("(");
                self.comment_ok();
                self.expr(x);
                self.tok(")");
            }
        }
    }

    fn params(&mut self, params: &[Param]) {
        self.tok("(");
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                self.tok(",");
            }
            self.tok(&p.name);
            if let Some(ty) = &p.ty {
                self.tok(":");
                self.tok(ty);
            }
        }
        self.tok(")");
    }

    fn block(&mut self, stmts: &[Stmt]) {
        self.tok("{");
        self.comment_ok();
        for s in stmts {
            self.stmt(s);
        }
        self.tok("}");
    }

    /// A block closing a statement: a comment may follow it.
    fn stmt_block(&mut self, stmts: &[Stmt]) {
        self.block(stmts);
        self.comment_ok();
    }

    fn semi(&mut self) {
        self.tok(";");
        self.comment_ok();
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Expr(e) => {
                // A statement cannot start with `{` (it would be a pattern or block
                // in other languages; here it is an object, fine) or with a word that
                // starts a statement; names never are such words.
                self.expr(e);
                self.semi();
            }
            Stmt::Assign(t, v) => {
                self.expr(t);
                self.tok("=");
                self.expr(v);
                self.semi();
            }
            Stmt::Destructure(array, names, v) => {
                let (open, close) = if *array { ("[", "]") } else { ("{", "}") };
                self.tok(open);
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        self.tok(",");
                    }
                    self.tok(n);
                }
                self.tok(close);
                self.tok("=");
                self.expr(v);
                self.semi();
            }
            Stmt::If(c, then, elifs, els) => {
                self.tok("if");
                self.tok("(");
                self.expr(c);
                self.tok(")");
                self.comment_ok();
                self.stmt_block(then);
                for (else_if, c, b) in elifs {
                    if *else_if {
                        self.tok("else");
                        self.tok("if");
                    } else {
                        self.tok("elif");
                    }
                    self.tok("(");
                    self.expr(c);
                    self.tok(")");
                    self.stmt_block(b);
                }
                if let Some(b) = els {
                    self.tok("else");
                    self.comment_ok();
                    self.stmt_block(b);
                }
            }
            Stmt::While(c, b) => {
                self.tok("while");
                self.tok("(");
                self.expr(c);
                self.tok(")");
                self.stmt_block(b);
            }
            Stmt::For(n, e, b) => {
                self.tok("for");
                self.tok("(");
                self.tok(n);
                self.tok("in");
                self.expr(e);
                self.tok(")");
                self.stmt_block(b);
            }
            Stmt::Try(b, excepts, finally) => {
                self.tok("try");
                self.stmt_block(b);
                for e in excepts {
                    self.tok("except");
                    if let Some(n) = e {
                        self.tok("(");
                        self.tok(n);
                        self.tok(")");
                    }
                    self.stmt_block(&[]);
                }
                if let Some(f) = finally {
                    self.tok("finally");
                    self.stmt_block(f);
                }
            }
            Stmt::Return(e) => {
                self.tok("return");
                if let Some(e) = e {
                    self.expr(e);
                }
                self.semi();
            }
            Stmt::Throw(e) => {
                self.tok("throw");
                self.expr(e);
                self.semi();
            }
            Stmt::Break => {
                self.tok("break");
                self.semi();
            }
            Stmt::Continue => {
                self.tok("continue");
                self.semi();
            }
            Stmt::Nonlocal(names) => {
                self.tok("nonlocal");
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        self.tok(",");
                    }
                    self.tok(n);
                }
                self.semi();
            }
            Stmt::Function(name, params, body) => {
                self.tok("function");
                self.tok(name);
                self.params(params);
                self.stmt_block(body);
            }
            Stmt::Import(target, alias, config) => {
                self.tok("import");
                self.tok(target);
                if let Some(a) = alias {
                    self.tok("as");
                    self.tok(a);
                }
                if !config.is_empty() {
                    self.expr(&Expr::Object(config.clone()));
                }
                self.semi();
            }
            Stmt::Capability(name, items) => {
                self.tok("capability");
                self.tok(name);
                self.tok("{");
                self.comment_ok();
                for (resource, a, b) in items {
                    if *resource {
                        self.tok("resource");
                        self.tok(a);
                    } else {
                        self.tok("allow");
                        self.tok(a);
                        if let Some(b) = b {
                            self.tok(b);
                        }
                    }
                    self.semi();
                }
                self.tok("}");
                self.comment_ok();
            }
        }
    }
}

/// Joins the tokens with random layout. Each token is followed by at least one
/// whitespace character, so no two tokens merge.
fn layout(tokens: &[(String, Slot)], rng: &mut Rng) -> String {
    let mut text = String::new();
    if rng.chance(20) {
        text.push_str("// leading comment\n");
    }
    for (token, slot) in tokens {
        text.push_str(token);
        if *slot == Slot::CommentOk && rng.chance(15) {
            let comment = *rng.pick(&[" // note", "// x // y", "//", " // a - -1 / 2"]);
            text.push_str(comment);
            text.push('\n');
        }
        let space = *rng.pick(&[" ", " ", " ", "\n", "\n  ", "\t", "\r\n", " \n\n "]);
        text.push_str(space);
    }
    text
}

// ---------------------------------------------------------------------------------
// Canonical forms: one from the generated program, one from the parsed tree

fn canon_expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Literal(s) | Expr::Name(s) => out.push_str(s),
        Expr::Bin(l, op, r) => {
            out.push('(');
            canon_expr(l, out);
            let _ = write!(out, " {op} ");
            canon_expr(r, out);
            out.push(')');
        }
        Expr::Prefix(op, x) => {
            let _ = write!(out, "({op}");
            canon_expr(x, out);
            out.push(')');
        }
        Expr::Ternary(c, a, b) => {
            out.push('(');
            canon_expr(c, out);
            out.push_str(" ? ");
            canon_expr(a, out);
            out.push_str(" : ");
            canon_expr(b, out);
            out.push(')');
        }
        Expr::Call(f, args) => {
            out.push_str("call(");
            canon_expr(f, out);
            for a in args {
                out.push_str(", ");
                canon_expr(a, out);
            }
            out.push(')');
        }
        Expr::Index(x, i) => {
            out.push_str("index(");
            canon_expr(x, out);
            out.push_str(", ");
            canon_expr(i, out);
            out.push(')');
        }
        Expr::Slice(x, parts, second) => {
            out.push_str("slice(");
            canon_expr(x, out);
            out.push_str(", ");
            for (i, p) in parts.iter().enumerate() {
                if i == 1 || (i == 2 && *second) {
                    out.push(':');
                }
                if let Some(p) = p {
                    canon_expr(p, out);
                }
            }
            out.push(')');
        }
        Expr::Field(x, name) => {
            out.push_str("field(");
            canon_expr(x, out);
            let _ = write!(out, ", {name})");
        }
        Expr::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                canon_expr(item, out);
            }
            out.push(']');
        }
        Expr::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k}: ");
                canon_expr(v, out);
            }
            out.push('}');
        }
        Expr::Arrow(params, body) => {
            out.push_str("arrow(");
            canon_params(params, out);
            out.push_str(" => ");
            match body {
                ArrowBody::Expr(x) => canon_expr(x, out),
                ArrowBody::Block(stmts) => canon_block(stmts, out),
            }
            out.push(')');
        }
        Expr::Paren(x) => {
            out.push_str("paren(");
            canon_expr(x, out);
            out.push(')');
        }
    }
}

fn canon_params(params: &[Param], out: &mut String) {
    out.push('(');
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&p.name);
        if let Some(ty) = &p.ty {
            let _ = write!(out, ": {ty}");
        }
    }
    out.push(')');
}

fn canon_block(stmts: &[Stmt], out: &mut String) {
    out.push_str("{ ");
    for s in stmts {
        canon_stmt(s, out);
        out.push(' ');
    }
    out.push('}');
}

fn canon_stmt(s: &Stmt, out: &mut String) {
    match s {
        Stmt::Expr(e) => {
            canon_expr(e, out);
            out.push(';');
        }
        Stmt::Assign(t, v) => {
            canon_expr(t, out);
            out.push_str(" = ");
            canon_expr(v, out);
            out.push(';');
        }
        Stmt::Destructure(array, names, v) => {
            let (o, c) = if *array { ("[", "]") } else { ("{", "}") };
            let _ = write!(out, "destructure {o}{}{c} = ", names.join(", "));
            canon_expr(v, out);
            out.push(';');
        }
        Stmt::If(c, then, elifs, els) => {
            out.push_str("if ");
            canon_expr(c, out);
            out.push(' ');
            canon_block(then, out);
            for (else_if, c, b) in elifs {
                out.push_str(if *else_if { " else if " } else { " elif " });
                canon_expr(c, out);
                out.push(' ');
                canon_block(b, out);
            }
            if let Some(b) = els {
                out.push_str(" else ");
                canon_block(b, out);
            }
        }
        Stmt::While(c, b) => {
            out.push_str("while ");
            canon_expr(c, out);
            out.push(' ');
            canon_block(b, out);
        }
        Stmt::For(n, e, b) => {
            let _ = write!(out, "for {n} in ");
            canon_expr(e, out);
            out.push(' ');
            canon_block(b, out);
        }
        Stmt::Try(b, excepts, finally) => {
            out.push_str("try ");
            canon_block(b, out);
            for e in excepts {
                match e {
                    Some(n) => {
                        let _ = write!(out, " except ({n}) ");
                    }
                    None => out.push_str(" except "),
                }
                canon_block(&[], out);
            }
            if let Some(f) = finally {
                out.push_str(" finally ");
                canon_block(f, out);
            }
        }
        Stmt::Return(e) => {
            out.push_str("return");
            if let Some(e) = e {
                out.push(' ');
                canon_expr(e, out);
            }
            out.push(';');
        }
        Stmt::Throw(e) => {
            out.push_str("throw ");
            canon_expr(e, out);
            out.push(';');
        }
        Stmt::Break => out.push_str("break;"),
        Stmt::Continue => out.push_str("continue;"),
        Stmt::Nonlocal(names) => {
            let _ = write!(out, "nonlocal {};", names.join(", "));
        }
        Stmt::Function(name, params, body) => {
            let _ = write!(out, "function {name}");
            canon_params(params, out);
            out.push(' ');
            canon_block(body, out);
        }
        Stmt::Import(target, alias, config) => {
            let _ = write!(out, "import {target}");
            if let Some(a) = alias {
                let _ = write!(out, " as {a}");
            }
            if !config.is_empty() {
                out.push(' ');
                canon_expr(&Expr::Object(config.clone()), out);
            }
            out.push(';');
        }
        Stmt::Capability(name, items) => {
            let _ = write!(out, "capability {name} {{ ");
            for (resource, a, b) in items {
                if *resource {
                    let _ = write!(out, "resource {a}; ");
                } else {
                    let _ = write!(out, "allow {a}");
                    if let Some(b) = b {
                        let _ = write!(out, " {b}");
                    }
                    out.push_str("; ");
                }
            }
            out.push('}');
        }
    }
}

/// The same canonical form, read from the tree.
pub(crate) fn canon_node(node: &SyntaxNode, out: &mut String) {
    use SyntaxKind::*;
    let nodes: Vec<SyntaxNode> = node.children().collect();
    let tokens: Vec<String> = node
        .children_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .map(|t| t.text().to_string())
        .collect();
    let has = |kind: SyntaxKind| {
        node.children_with_tokens()
            .any(|e| e.as_token().is_some_and(|t| t.kind() == kind))
    };
    let each = |out: &mut String, nodes: &[SyntaxNode], sep: &str| {
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            canon_node(n, out);
        }
    };
    match node.kind() {
        SOURCE_FILE => {
            for n in &nodes {
                canon_node(n, out);
                out.push('\n');
            }
        }
        LITERAL | NAME | NAME_REF | PATH_EXPR | TYPE_ANNOTATION => {
            out.push_str(&node.text().to_string())
        }
        IMPORT_PATH => out.push_str(&tokens.concat()),
        BIN_EXPR => {
            out.push('(');
            canon_node(&nodes[0], out);
            let _ = write!(out, " {} ", tokens[0]);
            canon_node(&nodes[1], out);
            out.push(')');
        }
        PREFIX_EXPR => {
            let _ = write!(out, "({}", tokens[0]);
            canon_node(&nodes[0], out);
            out.push(')');
        }
        TERNARY_EXPR => {
            out.push('(');
            canon_node(&nodes[0], out);
            out.push_str(" ? ");
            canon_node(&nodes[1], out);
            out.push_str(" : ");
            canon_node(&nodes[2], out);
            out.push(')');
        }
        CALL_EXPR => {
            out.push_str("call(");
            canon_node(&nodes[0], out);
            for a in nodes[1].children() {
                out.push_str(", ");
                canon_node(&a, out);
            }
            out.push(')');
        }
        INDEX_EXPR => {
            let slice = nodes.get(1).filter(|n| n.kind() == SLICE);
            out.push_str(if slice.is_some() { "slice(" } else { "index(" });
            canon_node(&nodes[0], out);
            out.push_str(", ");
            canon_node(&nodes[1], out);
            out.push(')');
        }
        SLICE => {
            for element in node.children_with_tokens() {
                match element {
                    rowan::NodeOrToken::Node(n) => canon_node(&n, out),
                    rowan::NodeOrToken::Token(t) if t.kind() == COLON => out.push(':'),
                    _ => {}
                }
            }
        }
        FIELD_EXPR => {
            out.push_str("field(");
            canon_node(&nodes[0], out);
            out.push_str(", ");
            canon_node(&nodes[1], out);
            out.push(')');
        }
        ARRAY_EXPR => {
            out.push('[');
            each(out, &nodes, ", ");
            out.push(']');
        }
        OBJECT_EXPR | IMPORT_CONFIG => {
            out.push('{');
            each(out, &nodes, ", ");
            out.push('}');
        }
        OBJECT_FIELD => {
            let _ = write!(out, "{}: ", tokens[0]);
            canon_node(&nodes[0], out);
        }
        ARROW_EXPR => {
            out.push_str("arrow(");
            canon_node(&nodes[0], out);
            out.push_str(" => ");
            canon_node(&nodes[1], out);
            out.push(')');
        }
        PARAM_LIST => {
            out.push('(');
            each(out, &nodes, ", ");
            out.push(')');
        }
        PARAM => {
            canon_node(&nodes[0], out);
            if let Some(ty) = nodes.get(1) {
                out.push_str(": ");
                canon_node(ty, out);
            }
        }
        PAREN_EXPR => {
            out.push_str("paren(");
            canon_node(&nodes[0], out);
            out.push(')');
        }
        BLOCK => {
            out.push_str("{ ");
            for n in &nodes {
                canon_node(n, out);
                out.push(' ');
            }
            out.push('}');
        }
        EXPR_STMT => {
            canon_node(&nodes[0], out);
            out.push(';');
        }
        ASSIGN_STMT => {
            canon_node(&nodes[0], out);
            out.push_str(" = ");
            canon_node(&nodes[1], out);
            out.push(';');
        }
        DESTRUCTURE_STMT => {
            let pattern = &nodes[0];
            let (o, c) = if pattern.kind() == ARRAY_PATTERN {
                ("[", "]")
            } else {
                ("{", "}")
            };
            let names: Vec<String> = pattern.children().map(|n| n.text().to_string()).collect();
            let _ = write!(out, "destructure {o}{}{c} = ", names.join(", "));
            canon_node(&nodes[1], out);
            out.push(';');
        }
        IF_STMT => {
            out.push_str("if ");
            canon_node(&nodes[0], out);
            out.push(' ');
            canon_node(&nodes[1], out);
            for clause in &nodes[2..] {
                canon_node(clause, out);
            }
        }
        ELIF_CLAUSE => {
            out.push_str(if has(ELSE_KW) { " else if " } else { " elif " });
            canon_node(&nodes[0], out);
            out.push(' ');
            canon_node(&nodes[1], out);
        }
        ELSE_CLAUSE => {
            out.push_str(" else ");
            canon_node(&nodes[0], out);
        }
        WHILE_STMT => {
            out.push_str("while ");
            canon_node(&nodes[0], out);
            out.push(' ');
            canon_node(&nodes[1], out);
        }
        FOR_STMT => {
            out.push_str("for ");
            canon_node(&nodes[0], out);
            out.push_str(" in ");
            canon_node(&nodes[1], out);
            out.push(' ');
            canon_node(&nodes[2], out);
        }
        TRY_STMT => {
            out.push_str("try ");
            canon_node(&nodes[0], out);
            for clause in &nodes[1..] {
                canon_node(clause, out);
            }
        }
        EXCEPT_CLAUSE => {
            match nodes.iter().find(|n| n.kind() == NAME) {
                Some(n) => {
                    let _ = write!(out, " except ({}) ", n.text());
                }
                None => out.push_str(" except "),
            }
            canon_node(nodes.last().unwrap(), out);
        }
        FINALLY_CLAUSE => {
            out.push_str(" finally ");
            canon_node(&nodes[0], out);
        }
        RETURN_STMT => {
            out.push_str("return");
            if let Some(e) = nodes.first() {
                out.push(' ');
                canon_node(e, out);
            }
            out.push(';');
        }
        THROW_STMT => {
            out.push_str("throw ");
            canon_node(&nodes[0], out);
            out.push(';');
        }
        BREAK_STMT => out.push_str("break;"),
        CONTINUE_STMT => out.push_str("continue;"),
        NONLOCAL_STMT => {
            let names: Vec<String> = nodes.iter().map(|n| n.text().to_string()).collect();
            let _ = write!(out, "nonlocal {};", names.join(", "));
        }
        FUNCTION => {
            let _ = write!(out, "function {}", nodes[0].text());
            canon_node(&nodes[1], out);
            out.push(' ');
            canon_node(&nodes[2], out);
        }
        IMPORT => {
            out.push_str("import ");
            match nodes.first().filter(|n| n.kind() == IMPORT_PATH) {
                Some(path) => canon_node(path, out),
                None => out.push_str(&tokens[1]),
            }
            for n in &nodes {
                match n.kind() {
                    IMPORT_ALIAS => {
                        let _ = write!(out, " as {}", n.children().next().unwrap().text());
                    }
                    IMPORT_CONFIG => {
                        out.push(' ');
                        canon_node(n, out);
                    }
                    _ => {}
                }
            }
            out.push(';');
        }
        CAPABILITY_DECL => {
            let _ = write!(out, "capability {} {{ ", nodes[0].text());
            for item in &nodes[1..] {
                let words: Vec<String> = item
                    .children_with_tokens()
                    .filter_map(|e| e.into_token())
                    .filter(|t| !t.kind().is_trivia() && t.kind() != SEMICOLON)
                    .map(|t| t.text().to_string())
                    .collect();
                let _ = write!(out, "{}; ", words.join(" "));
            }
            out.push('}');
        }
        kind => {
            let _ = write!(out, "<{kind:?} {:?}>", node.text().to_string());
        }
    }
}

/// A random program for `seed`: its text (random layout and comments) and its canonical
/// form, which `canon_node` gives for the tree of any text with the same meaning.
pub(crate) fn generate(seed: u64) -> (String, String) {
    let mut gen = Gen { rng: Rng(seed | 1) };
    let count = gen.rng.below(6) + 1;
    let program: Vec<Stmt> = (0..count)
        .map(|_| parenthesize_stmt(gen.stmt(3, true)))
        .collect();
    let mut printer = Printer { out: Vec::new() };
    for s in &program {
        printer.stmt(s);
    }
    let text = layout(&printer.out, &mut gen.rng);
    let mut expected = String::new();
    for s in &program {
        canon_stmt(s, &mut expected);
        expected.push('\n');
    }
    (text, expected)
}
