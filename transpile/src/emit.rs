//! The Python emitter of one module: readable Python, one line per ML line where
//! possible, ML names kept (keywords renamed), comments carried over.
//!
//! Every output line remembers the ML line it comes from (the source map). Inside brackets
//! the emitter keeps the ML line breaks (a list literal written over five lines stays five
//! lines), so Python's own line numbers stay close to the ML ones.

use crate::facts::{FieldRef, ProgramFacts, Target};
use crate::names::py_name;
use crate::pyliteral::py_string;
use crate::runtime::stdlib_module;
use mlpy_modules::scopes::{ModuleScopes, NameRes};
use mlpy_modules::{EdgeTarget, ModuleId};
use mlpy_syntax::ast::{self, ArrowBody, AstNode, BinOp, Expr, LiteralValue, PrefixOp, Stmt};
use mlpy_syntax::text::NumberValue;
use mlpy_syntax::{LineIndex, SyntaxKind, SyntaxNode, TextSize};
use std::collections::BTreeSet;

/// One line of emitted Python. `text` may hold continuation lines (inside brackets):
/// `\n`, then `\0LINE\0` with the ML line of the continuation.
#[derive(Debug, Clone)]
pub struct Line {
    pub indent: u16,
    pub text: String,
    /// 1-based ML line, 0 when the line has no ML origin.
    pub ml_line: u32,
}

/// The emitted body of a module and what its header must import.
#[derive(Debug, Default)]
pub struct EmittedModule {
    pub lines: Vec<Line>,
    /// Builtins used by name (imported from `mlpy_runtime.builtins`).
    pub builtins: BTreeSet<String>,
    /// Whether `builtin` (the module of the builtins) is used.
    pub builtin_module: bool,
    /// Standard-library modules imported.
    pub stdlib: BTreeSet<String>,
    /// Python names of the module's top-level bindings.
    pub globals: Vec<String>,
}

/// Python precedence levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Lambda,
    Or,
    And,
    Not,
    Cmp,
    Add,
    Mul,
    Unary,
    Atom,
}

struct Code {
    text: String,
    prec: Prec,
}

impl Code {
    fn new(text: impl Into<String>, prec: Prec) -> Code {
        Code {
            text: text.into(),
            prec,
        }
    }

    fn atom(text: impl Into<String>) -> Code {
        Code::new(text, Prec::Atom)
    }

    fn at_least(self, min: Prec) -> String {
        if self.prec < min {
            format!("({})", self.text)
        } else {
            self.text
        }
    }
}

/// Methods callable directly on a literal receiver (the runtime's whitelists).
const STR_METHODS: &[&str] = &[
    "capitalize",
    "center",
    "count",
    "endswith",
    "find",
    "index",
    "isalnum",
    "isalpha",
    "isdigit",
    "islower",
    "isspace",
    "istitle",
    "isupper",
    "join",
    "ljust",
    "lower",
    "lstrip",
    "replace",
    "rfind",
    "rindex",
    "rjust",
    "rsplit",
    "rstrip",
    "split",
    "startswith",
    "strip",
    "swapcase",
    "title",
    "upper",
];
const LIST_METHODS: &[&str] = &[
    "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse",
    "sort",
];
/// Builtins that always return a Python `str` (no coercion needed around them in `+`).
const STR_BUILTINS: &[&str] = &[
    "bin", "chr", "format", "hex", "oct", "repr", "str", "typeof",
];

pub fn emit_module(facts: &ProgramFacts<'_>, id: ModuleId) -> EmittedModule {
    let node = facts.node(id);
    let text: &str = &node.file.text;
    let mut emitter = Emitter {
        facts,
        id,
        scopes: &node.file.scopes,
        index: LineIndex::new(text),
        out: Vec::new(),
        indent: 0,
        cur_line: 1,
        depth: 0,
        arrows: 0,
        temps: 0,
        builtins: BTreeSet::new(),
        builtin_module: false,
        stdlib: BTreeSet::new(),
    };
    let root = node.file.parse.syntax_node();
    emitter.body(&root);
    let scopes = &node.file.scopes;
    let mut globals = Vec::new();
    for &b in &scopes.scope(scopes.module_scope()).bindings {
        let name = facts.binding_py_name(id, b);
        if !globals.contains(&name) {
            globals.push(name);
        }
    }
    EmittedModule {
        lines: emitter.out,
        builtins: emitter.builtins,
        builtin_module: emitter.builtin_module,
        stdlib: emitter.stdlib,
        globals,
    }
}

struct Emitter<'a, 'g> {
    facts: &'a ProgramFacts<'g>,
    id: ModuleId,
    scopes: &'g ModuleScopes,
    index: LineIndex,
    out: Vec<Line>,
    indent: u16,
    /// The ML line of the last position written, for line breaks inside brackets.
    cur_line: u32,
    /// Bracket depth of the expression being written (line breaks are legal when > 0).
    depth: u32,
    arrows: u32,
    temps: u32,
    builtins: BTreeSet<String>,
    builtin_module: bool,
    stdlib: BTreeSet<String>,
}

impl Emitter<'_, '_> {
    fn line_of(&self, offset: TextSize) -> u32 {
        self.index.line_col(offset).line + 1
    }

    fn start_line(&self, node: &SyntaxNode) -> u32 {
        let offset = node
            .first_token()
            .map(|t| t.text_range().start())
            .unwrap_or_else(|| node.text_range().start());
        self.line_of(offset)
    }

    fn push(&mut self, text: String, ml_line: u32) {
        self.out.push(Line {
            indent: self.indent,
            text,
            ml_line,
        });
    }

    /// A line-break marker if `node` starts on a later ML line and breaks are legal.
    fn brk(&mut self, node: &SyntaxNode) -> String {
        let line = self.start_line(node);
        self.brk_at(line)
    }

    fn brk_at(&mut self, line: u32) -> String {
        if self.depth > 0 && line > self.cur_line {
            self.cur_line = line;
            format!("\n\0{line}\0")
        } else {
            String::new()
        }
    }

    // ---------------------------------------------------------------- statements

    /// The statements of a file or block with the comments and blank lines between
    /// them. Returns whether any code was written.
    fn body(&mut self, container: &SyntaxNode) -> bool {
        let mut wrote_code = false;
        let mut last_end_line = 0u32;
        let mut last_was_simple = false;
        let mut last_line_index: Option<usize> = None;
        let mut pending_blank = false;
        for element in container.children_with_tokens() {
            match element {
                rowan::NodeOrToken::Node(node) => {
                    let Some(stmt) = Stmt::cast(node.clone()) else {
                        continue;
                    };
                    if pending_blank && !self.out.is_empty() {
                        self.push_blank();
                    }
                    pending_blank = false;
                    let before = self.out.len();
                    if self.stmt(&stmt) {
                        wrote_code = true;
                    }
                    last_end_line = self.line_of(node.text_range().end());
                    last_was_simple = !matches!(
                        stmt,
                        Stmt::Function(_)
                            | Stmt::If(_)
                            | Stmt::While(_)
                            | Stmt::For(_)
                            | Stmt::Try(_)
                    );
                    last_line_index = (self.out.len() > before).then(|| self.out.len() - 1);
                }
                rowan::NodeOrToken::Token(token) => match token.kind() {
                    SyntaxKind::COMMENT => {
                        let line = self.line_of(token.text_range().start());
                        let text = comment_text(token.text());
                        match last_line_index {
                            Some(i) if line == last_end_line && last_was_simple => {
                                self.out[i].text.push_str("  ");
                                self.out[i].text.push_str(&text);
                                last_line_index = None;
                            }
                            _ => {
                                if pending_blank && !self.out.is_empty() {
                                    self.push_blank();
                                }
                                pending_blank = false;
                                self.push(text, line);
                                last_line_index = None;
                            }
                        }
                    }
                    SyntaxKind::WHITESPACE if token.text().matches('\n').count() >= 2 => {
                        pending_blank = true;
                    }
                    _ => {}
                },
            }
        }
        wrote_code
    }

    fn push_blank(&mut self) {
        if self.out.last().is_some_and(|l| !l.text.is_empty()) {
            self.out.push(Line {
                indent: 0,
                text: String::new(),
                ml_line: 0,
            });
        }
    }

    /// A block as an indented suite (with `pass` when it holds no code).
    fn suite(&mut self, block: Option<ast::Block>, line: u32) {
        self.indent += 1;
        let wrote = match &block {
            Some(b) => self.body(b.syntax()),
            None => false,
        };
        if !wrote {
            self.push("pass".to_string(), line);
        }
        self.indent -= 1;
    }

    /// Emits a statement; returns whether it wrote code.
    fn stmt(&mut self, stmt: &Stmt) -> bool {
        let line = self.start_line(stmt.syntax());
        self.cur_line = line;
        match stmt {
            Stmt::Capability(_) | Stmt::Nonlocal(_) => return false,
            Stmt::Import(import) => return self.import(import, line),
            Stmt::Function(f) => self.function(f, line),
            Stmt::Expr(s) => {
                let Some(e) = s.expr() else { return false };
                let code = self.expr(&e).text;
                self.push(code, line);
            }
            Stmt::Assign(a) => self.assign(a, line),
            Stmt::Destructure(d) => self.destructure(d, line),
            Stmt::If(s) => self.if_stmt(s, line),
            Stmt::While(s) => {
                let cond = self.cond(s.condition());
                self.push(format!("while {cond}:"), line);
                self.suite(s.body(), line);
            }
            Stmt::For(s) => {
                let var = s
                    .variable()
                    .map(|n| self.facts.def_py_name(self.id, &n))
                    .unwrap_or_else(|| "_".to_string());
                let iterable = self.cond(s.iterable());
                self.push(format!("for {var} in {iterable}:"), line);
                self.suite(s.body(), line);
            }
            Stmt::Return(r) => {
                let text = match r.value() {
                    Some(v) => format!("return {}", self.expr(&v).text),
                    None => "return".to_string(),
                };
                self.push(text, line);
            }
            Stmt::Throw(t) => {
                let value = match t.value() {
                    Some(v) => self.expr(&v).text,
                    None => "{}".to_string(),
                };
                self.push(format!("raise __ml.MLUserException({value})"), line);
            }
            Stmt::Try(t) => self.try_stmt(t, line),
            Stmt::Break(_) => self.push("break".to_string(), line),
            Stmt::Continue(_) => self.push("continue".to_string(), line),
        }
        true
    }

    /// A condition or iterable: any expression.
    fn cond(&mut self, e: Option<Expr>) -> String {
        match e {
            Some(e) => self.expr(&e).text,
            None => "None".to_string(),
        }
    }

    fn import(&mut self, import: &ast::Import, line: u32) -> bool {
        let node = self.facts.node(self.id);
        let Some(edge) = node.edge_at(import.syntax().text_range()) else {
            return false;
        };
        let Ok(target) = &edge.target else {
            return false;
        };
        let binding_name = import
            .alias()
            .and_then(|a| a.name())
            .and_then(|n| n.ident_token())
            .map(|t| (t.text().to_string(), t.text_range()));
        let (alias_py, aliased) = match &binding_name {
            Some((name, _)) => (py_name(name), true),
            None => (String::new(), false),
        };
        let text = match target {
            EdgeTarget::Stdlib(name) => {
                self.stdlib.insert(name.clone());
                let local = if aliased { alias_py } else { py_name(name) };
                if &local == name {
                    format!("from mlpy_runtime.stdlib import {name}")
                } else {
                    format!("from mlpy_runtime.stdlib import {name} as {local}")
                }
            }
            EdgeTarget::Module(m) => {
                let py = self.facts.module(*m).py_module.clone();
                let spec = edge.spec.to_string();
                if aliased {
                    format!("import {py} as {alias_py}")
                } else if let Some(alias) = self.facts.detached_import(*m, &spec) {
                    format!("import {py} as {alias}")
                } else if crate::names::is_dotted_identifier(&spec)
                    && py == crate::names::py_module_name(&spec)
                {
                    format!("import {py}")
                } else {
                    // A URL import binds its last segment.
                    let local = py_name(&mlpy_modules::scopes::url_module_name(&spec));
                    format!("import {py} as {local}")
                }
            }
            // Python modules come through the membrane, never a bare `import`.
            EdgeTarget::Python(name) => {
                if aliased {
                    format!("{alias_py} = __ml.import_python({})", py_string(name))
                } else {
                    let top = name.split('.').next().unwrap_or(name);
                    if top == name {
                        format!("{top} = __ml.import_python({})", py_string(name))
                    } else {
                        format!("{top} = __ml.import_python({}, True)", py_string(name))
                    }
                }
            }
        };
        self.push(text, line);
        true
    }

    fn params(&self, list: Option<ast::ParamList>) -> String {
        list.map(|l| {
            l.params()
                .filter_map(|p| p.name())
                .map(|n| self.facts.def_py_name(self.id, &n))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
    }

    fn function(&mut self, f: &ast::FunctionDef, line: u32) {
        let name = f
            .name()
            .map(|n| self.facts.def_py_name(self.id, &n))
            .unwrap_or_else(|| "__anonymous".to_string());
        let params = self.params(f.param_list());
        self.push(format!("def {name}({params}):"), line);
        self.function_body(f.syntax(), f.body(), line);
    }

    /// The body of a function or block arrow: `global`/`nonlocal` declarations first
    /// (ML allows them anywhere in the function; Python wants them before any use).
    fn function_body(&mut self, function: &SyntaxNode, body: Option<ast::Block>, line: u32) {
        let saved = (self.cur_line, self.depth);
        self.depth = 0;
        self.indent += 1;
        let mut wrote = self.declarations(function);
        if let Some(b) = &body {
            wrote |= self.body(b.syntax());
        }
        if !wrote {
            self.push("pass".to_string(), line);
        }
        self.indent -= 1;
        (self.cur_line, self.depth) = saved;
    }

    fn declarations(&mut self, function: &SyntaxNode) -> bool {
        let Some(scope) = self.facts.scope_of(self.id, function.text_range()) else {
            return false;
        };
        let nonlocals = &self.scopes.scope(scope).nonlocals;
        if nonlocals.is_empty() {
            return false;
        }
        let mut globals: Vec<String> = Vec::new();
        let mut locals: Vec<String> = Vec::new();
        let first_line = nonlocals
            .iter()
            .map(|(_, range)| self.line_of(range.start()))
            .min()
            .unwrap_or(0);
        let module_scope = self.scopes.module_scope();
        for (_, range) in nonlocals {
            let Some(target) = self.scopes.nonlocal_target(*range) else {
                continue;
            };
            let py = self.facts.binding_py_name(self.id, target);
            let list = if self.scopes.binding(target).scope == module_scope {
                &mut globals
            } else {
                &mut locals
            };
            if !list.contains(&py) {
                list.push(py);
            }
        }
        let wrote = !globals.is_empty() || !locals.is_empty();
        if !globals.is_empty() {
            self.push(format!("global {}", globals.join(", ")), first_line);
        }
        if !locals.is_empty() {
            self.push(format!("nonlocal {}", locals.join(", ")), first_line);
        }
        wrote
    }

    fn assign(&mut self, a: &ast::AssignStmt, line: u32) {
        let target = match a.target() {
            Some(Expr::Field(f)) => {
                let receiver = match f.receiver() {
                    Some(r) => self.expr(&r).at_least(Prec::Atom),
                    None => "None".to_string(),
                };
                let key = py_string(&f.field_name().unwrap_or_default());
                format!("{receiver}[{key}]")
            }
            Some(t) => self.expr(&t).text,
            None => "_".to_string(),
        };
        let value = match a.value() {
            Some(v) => self.expr(&v).text,
            None => "None".to_string(),
        };
        self.push(format!("{target} = {value}"), line);
    }

    fn destructure(&mut self, d: &ast::DestructureStmt, line: u32) {
        let value = match d.value() {
            Some(v) => self.expr(&v).text,
            None => "None".to_string(),
        };
        match d.pattern() {
            Some(ast::Pattern::Array(p)) => {
                let names: Vec<String> = p
                    .names()
                    .map(|n| self.facts.def_py_name(self.id, &n))
                    .collect();
                let targets = match names.len() {
                    0 => "__v".to_string(),
                    1 => format!("{},", names[0]),
                    _ => names.join(", "),
                };
                self.push(format!("{targets} = {value}"), line);
            }
            Some(ast::Pattern::Object(p)) => {
                self.temps += 1;
                let temp = format!("__v{}", self.temps);
                let mut text = format!("{temp} = {value}");
                for name in p.names() {
                    let py = self.facts.def_py_name(self.id, &name);
                    text.push_str(&format!("; {py} = {temp}[{}]", py_string(&name.text())));
                }
                self.push(text, line);
            }
            None => {}
        }
    }

    fn if_stmt(&mut self, s: &ast::IfStmt, line: u32) {
        // Every condition first: block arrows inside them are defined before the `if`.
        let first = self.cond(s.condition());
        let mut elifs = Vec::new();
        for clause in s.elif_clauses() {
            let l = self.start_line(clause.syntax());
            self.cur_line = l;
            let c = self.cond(clause.condition());
            elifs.push((c, clause.block(), l));
        }
        self.push(format!("if {first}:"), line);
        self.suite(s.then_block(), line);
        for (c, block, l) in elifs {
            self.push(format!("elif {c}:"), l);
            self.suite(block, l);
        }
        if let Some(e) = s.else_clause() {
            let l = self.start_line(e.syntax());
            self.push("else:".to_string(), l);
            self.suite(e.block(), l);
        }
    }

    fn try_stmt(&mut self, t: &ast::TryStmt, line: u32) {
        self.push("try:".to_string(), line);
        self.suite(t.body(), line);
        let mut handlers = 0;
        for clause in t.except_clauses() {
            handlers += 1;
            let l = self.start_line(clause.syntax());
            let text = match clause.name() {
                Some(n) => format!(
                    "except Exception as {}:",
                    self.facts.def_py_name(self.id, &n)
                ),
                None => "except Exception:".to_string(),
            };
            self.push(text, l);
            self.suite(clause.body(), l);
        }
        match t.finally_clause() {
            Some(f) => {
                let l = self.start_line(f.syntax());
                self.push("finally:".to_string(), l);
                self.suite(f.body(), l);
            }
            None if handlers == 0 => {
                self.push("finally:".to_string(), line);
                self.indent += 1;
                self.push("pass".to_string(), line);
                self.indent -= 1;
            }
            None => {}
        }
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self, e: &Expr) -> Code {
        match e {
            Expr::Literal(l) => literal(l),
            Expr::Path(p) => Code::atom(self.name_ref(p)),
            Expr::Paren(p) => match p.expr() {
                Some(inner) => self.expr(&inner),
                None => Code::atom("None"),
            },
            Expr::Array(a) => {
                let elements: Vec<Expr> = a.elements().collect();
                let close = closing_line(self, a.syntax(), SyntaxKind::R_BRACK);
                let inner = self.list(&elements, close);
                Code::atom(format!("[{inner}]"))
            }
            Expr::Object(o) => {
                let close = closing_line(self, o.syntax(), SyntaxKind::R_CURLY);
                self.depth += 1;
                let mut parts = Vec::new();
                for field in o.fields() {
                    let brk = self.brk(field.syntax());
                    let key = py_string(&field.key().unwrap_or_default());
                    let value = match field.value() {
                        Some(v) => self.expr(&v).text,
                        None => "None".to_string(),
                    };
                    parts.push(format!("{brk}{key}: {value}"));
                }
                let end = self.brk_at(close);
                self.depth -= 1;
                Code::atom(format!("{{{}{end}}}", join_parts(&parts)))
            }
            Expr::Call(c) => self.call(c),
            Expr::Index(i) => self.index(i),
            Expr::Field(f) => self.field(f),
            Expr::Prefix(p) => {
                let operand = p.operand();
                match p.op() {
                    Some(PrefixOp::Not) => {
                        let inner = self.operand(operand, Prec::Not);
                        Code::new(format!("not {inner}"), Prec::Not)
                    }
                    _ => {
                        let mut inner = self.operand(operand, Prec::Unary);
                        if inner.starts_with('-') {
                            inner = format!("({inner})");
                        }
                        Code::new(format!("-{inner}"), Prec::Unary)
                    }
                }
            }
            Expr::Bin(b) => self.binary(b),
            Expr::Ternary(t) => {
                self.depth += 1;
                let then = self.operand(t.then_branch(), Prec::Or);
                let cond = self.operand(t.condition(), Prec::Or);
                let brk = match t.else_branch() {
                    Some(e) => self.brk(e.syntax()),
                    None => String::new(),
                };
                let otherwise = self.operand(t.else_branch(), Prec::Or);
                self.depth -= 1;
                let sep = if brk.is_empty() { " " } else { "" };
                Code::atom(format!("({then} if {cond} else{sep}{brk}{otherwise})"))
            }
            Expr::Arrow(a) => self.arrow(a),
        }
    }

    fn operand(&mut self, e: Option<Expr>, min: Prec) -> String {
        match e {
            Some(e) => self.expr(&e).at_least(min),
            None => "None".to_string(),
        }
    }

    fn name_ref(&mut self, p: &ast::PathExpr) -> String {
        let Some(token) = p.name_ref().and_then(|n| n.ident_token()) else {
            return "None".to_string();
        };
        match self.scopes.resolve(token.text_range()) {
            NameRes::Binding(b) => self.facts.binding_py_name(self.id, b),
            NameRes::Builtin => {
                self.builtins.insert(token.text().to_string());
                token.text().to_string()
            }
            NameRes::BuiltinModule => {
                self.builtin_module = true;
                "builtin".to_string()
            }
            NameRes::Null => "None".to_string(),
            NameRes::Unknown => py_name(token.text()),
        }
    }

    /// Comma-separated expressions inside brackets, with the ML line breaks.
    fn list(&mut self, items: &[Expr], close_line: u32) -> String {
        self.depth += 1;
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            let brk = self.brk(item.syntax());
            let code = self.expr(item).text;
            parts.push(format!("{brk}{code}"));
        }
        let end = self.brk_at(close_line);
        self.depth -= 1;
        format!("{}{end}", join_parts(&parts))
    }

    fn binary(&mut self, b: &ast::BinExpr) -> Code {
        let Some(op) = b.op() else {
            return Code::atom("None");
        };
        let (lhs, rhs) = (b.lhs(), b.rhs());
        if op == BinOp::Add
            && (lhs.as_ref().is_some_and(is_stringy) || rhs.as_ref().is_some_and(is_stringy))
        {
            let l = self.str_operand(lhs, Prec::Add);
            let brk = rhs
                .as_ref()
                .map(|r| self.brk(r.syntax()))
                .unwrap_or_default();
            let r = self.str_operand(rhs, Prec::Mul);
            let sep = if brk.is_empty() { " " } else { "" };
            return Code::new(format!("{l} +{sep}{brk}{r}"), Prec::Add);
        }
        let (text, prec) = match op {
            BinOp::Or => ("or", Prec::Or),
            BinOp::And => ("and", Prec::And),
            BinOp::Eq => ("==", Prec::Cmp),
            BinOp::NotEq => ("!=", Prec::Cmp),
            BinOp::Lt => ("<", Prec::Cmp),
            BinOp::Gt => (">", Prec::Cmp),
            BinOp::LtEq => ("<=", Prec::Cmp),
            BinOp::GtEq => (">=", Prec::Cmp),
            BinOp::Add => ("+", Prec::Add),
            BinOp::Sub => ("-", Prec::Add),
            BinOp::Mul => ("*", Prec::Mul),
            BinOp::Div => ("/", Prec::Mul),
            BinOp::FloorDiv => ("//", Prec::Mul),
            BinOp::Rem => ("%", Prec::Mul),
        };
        // Comparisons never chain in ML: `a < b < c` is `(a < b) < c`.
        let left_min = if prec == Prec::Cmp { Prec::Add } else { prec };
        let right_min = next_prec(prec);
        let l = self.operand(lhs, left_min);
        let brk = rhs
            .as_ref()
            .map(|r| self.brk(r.syntax()))
            .unwrap_or_default();
        let r = self.operand(rhs, right_min);
        let sep = if brk.is_empty() { " " } else { "" };
        Code::new(format!("{l} {text}{sep}{brk}{r}"), prec)
    }

    /// An operand of the string `+`: Python `str` of it, unless it already is a string.
    fn str_operand(&mut self, e: Option<Expr>, min: Prec) -> String {
        let Some(e) = e else {
            return "None".to_string();
        };
        if is_stringy(&e) || self.is_str_call(&e) {
            return self.expr(&e).at_least(min);
        }
        self.depth += 1;
        let inner = self.expr(&e).text;
        self.depth -= 1;
        format!("__ml.pystr({inner})")
    }

    fn is_str_call(&self, e: &Expr) -> bool {
        let Some(Expr::Call(call)) = e.clone().unparenthesized() else {
            return false;
        };
        let Some(Expr::Path(path)) = call.callee() else {
            return false;
        };
        let Some(token) = path.name_ref().and_then(|n| n.ident_token()) else {
            return false;
        };
        STR_BUILTINS.contains(&token.text())
            && self.scopes.resolve(token.text_range()) == NameRes::Builtin
    }

    fn call(&mut self, c: &ast::CallExpr) -> Code {
        let args: Vec<Expr> = c.args().collect();
        let close = c
            .arg_list()
            .map(|l| closing_line(self, l.syntax(), SyntaxKind::R_PAREN))
            .unwrap_or(self.cur_line);
        let callee = c.callee();
        match &callee {
            Some(Expr::Path(p)) => {
                if let Some(token) = p.name_ref().and_then(|n| n.ident_token()) {
                    let direct = match self.scopes.resolve(token.text_range()) {
                        NameRes::Builtin => {
                            self.builtins.insert(token.text().to_string());
                            Some(token.text().to_string())
                        }
                        NameRes::Binding(b) if self.facts.is_stable_function(self.id, b) => {
                            Some(self.facts.binding_py_name(self.id, b))
                        }
                        NameRes::Unknown => {
                            // Fails when reached, as in the reference; never a Python name.
                            Some(format!("__ml.undefined({})", py_string(token.text())))
                        }
                        _ => None,
                    };
                    if let Some(name) = direct {
                        let args = self.list(&args, close);
                        return Code::atom(format!("{name}({args})"));
                    }
                }
            }
            Some(Expr::Field(f)) => {
                if let Some(code) = self.method_call(f, &args, close) {
                    return code;
                }
            }
            _ => {}
        }
        let f = match &callee {
            Some(e) => self.expr(e).text,
            None => "None".to_string(),
        };
        self.dynamic_call("__ml.call", &f, &args, close)
    }

    fn dynamic_call(&mut self, helper: &str, first: &str, args: &[Expr], close: u32) -> Code {
        let rest = self.list(args, close);
        if rest.is_empty() {
            Code::atom(format!("{helper}({first})"))
        } else {
            Code::atom(format!("{helper}({first}, {rest})"))
        }
    }

    /// `o.m(args)`: a direct call for module functions and literal receivers, `__ml.mcall`
    /// for values. None when `o.m` is itself a module.
    fn method_call(&mut self, f: &ast::FieldExpr, args: &[Expr], close: u32) -> Option<Code> {
        let member = f.field_name()?;
        let receiver = f.receiver()?;
        let field_ref = self.facts.field_ref(self.id, f);
        if let Some(FieldRef::Module(_)) = field_ref {
            return None;
        }
        if let Some(FieldRef::Member(module)) = field_ref {
            let (callee, direct) = match &module.target {
                Target::User(m) => (
                    format!("{}.{}", module.py, self.facts.member_py_name(*m, &member)),
                    self.facts.is_stable_member_function(*m, &member),
                ),
                Target::Stdlib(s) => (
                    format!("{}.{member}", module.py),
                    stdlib_module(s).is_some_and(|m| m.has_function(&member)),
                ),
                Target::Builtins => {
                    self.builtin_module = true;
                    (format!("builtin.{member}"), true)
                }
                Target::Python(_) => {
                    // Through the membrane: `__ml.mcall` reads the member by its rules.
                    let recv = python_module_expr(&module.py);
                    let name = py_string(&member);
                    return Some(self.dynamic_call(
                        "__ml.mcall",
                        &format!("{recv}, {name}"),
                        args,
                        close,
                    ));
                }
                Target::Namespace => {
                    let py = module.py.clone();
                    let name = py_string(&member);
                    return Some(self.dynamic_call(
                        "__ml.mcall",
                        &format!("{py}, {name}"),
                        args,
                        close,
                    ));
                }
            };
            if direct {
                let args = self.list(args, close);
                return Some(Code::atom(format!("{callee}({args})")));
            }
            return Some(self.dynamic_call("__ml.call", &callee, args, close));
        }
        // Whitelisted methods on literals: `"a,b".split(",")`, `[3, 1].count(1)`.
        if let Some(unwrapped) = receiver.clone().unparenthesized() {
            let literal_ok = match &unwrapped {
                Expr::Literal(l) if l.is_string() => STR_METHODS.contains(&member.as_str()),
                Expr::Array(_) => LIST_METHODS.contains(&member.as_str()),
                _ => false,
            };
            if literal_ok {
                let recv = self.expr(&unwrapped).at_least(Prec::Atom);
                let args = self.list(args, close);
                return Some(Code::atom(format!("{recv}.{member}({args})")));
            }
        }
        let recv = self.expr(&receiver).text;
        let name = py_string(&member);
        Some(self.dynamic_call("__ml.mcall", &format!("{recv}, {name}"), args, close))
    }

    fn field(&mut self, f: &ast::FieldExpr) -> Code {
        let field_ref = self.facts.field_ref(self.id, f);
        if let Some(FieldRef::Module(module)) = &field_ref {
            if let Target::Python(_) = module.target {
                return Code::atom(python_module_expr(&module.py));
            }
            return Code::atom(module.py.clone());
        }
        let member = f.field_name().unwrap_or_default();
        let Some(receiver) = f.receiver() else {
            return Code::atom("None");
        };
        if let Some(FieldRef::Member(module)) = &field_ref {
            match &module.target {
                Target::User(m) => {
                    return Code::atom(format!(
                        "{}.{}",
                        module.py,
                        self.facts.member_py_name(*m, &member)
                    ))
                }
                Target::Stdlib(_) => return Code::atom(format!("{}.{member}", module.py)),
                Target::Python(_) => {
                    return Code::atom(format!(
                        "__ml.attr({}, {})",
                        python_module_expr(&module.py),
                        py_string(&member)
                    ))
                }
                Target::Builtins => {
                    self.builtin_module = true;
                    return Code::atom(format!("builtin.{member}"));
                }
                Target::Namespace => {}
            }
        }
        self.depth += 1;
        let recv = self.expr(&receiver).text;
        self.depth -= 1;
        Code::atom(format!("__ml.attr({recv}, {})", py_string(&member)))
    }

    fn index(&mut self, i: &ast::IndexExpr) -> Code {
        let base = self.operand(i.base(), Prec::Atom);
        self.depth += 1;
        let inner = if let Some(slice) = i.slice() {
            let mut parts = vec![self.slice_part(slice.start()), self.slice_part(slice.end())];
            if slice.has_step() || slice.step().is_some() {
                parts.push(self.slice_part(slice.step()));
            }
            parts.join(":")
        } else {
            match i.index() {
                Some(e) => self.expr(&e).text,
                None => "None".to_string(),
            }
        };
        self.depth -= 1;
        Code::atom(format!("{base}[{inner}]"))
    }

    fn slice_part(&mut self, e: Option<Expr>) -> String {
        match e {
            Some(e) => self.expr(&e).at_least(Prec::Or),
            None => String::new(),
        }
    }

    fn arrow(&mut self, a: &ast::ArrowExpr) -> Code {
        let params = self.params(a.param_list());
        match a.body() {
            Some(ArrowBody::Expr(body)) if !contains_block_arrow(body.syntax()) => {
                self.depth += 1;
                let body = self.expr(&body).text;
                self.depth -= 1;
                let head = if params.is_empty() {
                    "lambda".to_string()
                } else {
                    format!("lambda {params}")
                };
                Code::new(format!("{head}: {body}"), Prec::Lambda)
            }
            body => {
                // A nested `def` written before the statement that uses it.
                self.arrows += 1;
                let name = format!("__arrow_{}", self.arrows);
                let line = self.start_line(a.syntax());
                self.push(format!("def {name}({params}):"), line);
                match body {
                    Some(ArrowBody::Block(block)) => {
                        self.function_body(a.syntax(), Some(block), line);
                    }
                    Some(ArrowBody::Expr(expr)) => {
                        let saved = (self.cur_line, self.depth);
                        self.depth = 0;
                        self.indent += 1;
                        let value = self.expr(&expr).text;
                        self.push(format!("return {value}"), line);
                        self.indent -= 1;
                        (self.cur_line, self.depth) = saved;
                    }
                    None => {
                        self.indent += 1;
                        self.push("return None".to_string(), line);
                        self.indent -= 1;
                    }
                }
                Code::atom(name)
            }
        }
    }
}

/// A Python module of `stdlib_mode: "python"` written `a.b.c`: every step after the bound
/// name is a membrane read (`__ml.attr`), never a Python attribute.
fn python_module_expr(py: &str) -> String {
    let mut parts = py.split('.');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        out = format!("__ml.attr({out}, {})", py_string(part));
    }
    out
}

fn next_prec(p: Prec) -> Prec {
    match p {
        Prec::Lambda => Prec::Or,
        Prec::Or => Prec::And,
        Prec::And => Prec::Not,
        Prec::Not => Prec::Cmp,
        Prec::Cmp => Prec::Add,
        Prec::Add => Prec::Mul,
        Prec::Mul => Prec::Unary,
        Prec::Unary | Prec::Atom => Prec::Atom,
    }
}

fn literal(l: &ast::Literal) -> Code {
    match l.value() {
        Some(LiteralValue::String(s)) => Code::atom(py_string(&s)),
        Some(LiteralValue::Bool(true)) => Code::atom("True"),
        Some(LiteralValue::Bool(false)) => Code::atom("False"),
        Some(LiteralValue::Number(NumberValue::Int(digits))) => {
            let prec = if digits.starts_with('-') {
                Prec::Unary
            } else {
                Prec::Atom
            };
            Code::new(digits, prec)
        }
        Some(LiteralValue::Number(NumberValue::Float(text, value))) => {
            // Not `float("inf")`: no Python builtin is reachable from emitted code.
            let text = if value.is_finite() {
                text
            } else if value.is_nan() {
                "__ml.NAN".to_string()
            } else if value > 0.0 {
                "__ml.INF".to_string()
            } else {
                "-__ml.INF".to_string()
            };
            let prec = if text.starts_with('-') {
                Prec::Unary
            } else {
                Prec::Atom
            };
            Code::new(text, prec)
        }
        None => Code::atom("None"),
    }
}

/// A string literal, or a `+` chain containing one (the reference's rule for the string
/// `+`, parentheses ignored). The checker asks the same question.
pub(crate) fn is_stringy(e: &Expr) -> bool {
    match e.clone().unparenthesized() {
        Some(Expr::Literal(l)) => l.is_string(),
        Some(Expr::Bin(b)) => {
            b.op() == Some(BinOp::Add)
                && (b.lhs().is_some_and(|l| is_stringy(&l))
                    || b.rhs().is_some_and(|r| is_stringy(&r)))
        }
        _ => false,
    }
}

fn contains_block_arrow(node: &SyntaxNode) -> bool {
    node.descendants()
        .filter_map(ast::ArrowExpr::cast)
        .any(|a| matches!(a.body(), Some(ArrowBody::Block(_))))
}

/// The ML line of a node's closing token (`]`, `}`, `)`).
fn closing_line(e: &Emitter<'_, '_>, node: &SyntaxNode, kind: SyntaxKind) -> u32 {
    node.children_with_tokens()
        .filter_map(|t| t.into_token())
        .filter(|t| t.kind() == kind)
        .last()
        .map(|t| e.line_of(t.text_range().start()))
        .unwrap_or(e.cur_line)
}

/// `a, b` — with `,` alone before a part that starts on a new line.
fn join_parts(parts: &[String]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(if part.starts_with('\n') { "," } else { ", " });
        }
        out.push_str(part);
    }
    out
}

/// `// text` → `# text`. Control characters (a NUL, which Python refuses in source, or
/// anything a tool could read as a line break) become spaces: a comment stays a comment.
fn comment_text(comment: &str) -> String {
    let body = comment.trim_start_matches('/');
    let body: String = body
        .trim_end()
        .chars()
        .map(|c| {
            if (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!("#{body}")
}
