//! The Python emitter of one module: readable Python, one line per ML line where
//! possible, ML names kept (keywords renamed), comments carried over.
//!
//! Every output line remembers the ML line it comes from (the source map). Inside brackets
//! the emitter keeps the ML line breaks (a list literal written over five lines stays five
//! lines), so Python's own line numbers stay close to the ML ones.
//!
//! The emitter reads the immutable green tree ([`Node`]: a green node with its kind and
//! range) rather than the typed AST, whose every step allocates a cursor, and writes each
//! expression straight into the text of its line: emitting costs a few allocations per
//! line, not several per syntax node. [`Node`]'s accessors mirror `mlpy_syntax::ast`'s
//! (which child is the condition, the operand, the value).

use crate::pyliteral::{push_py_string, py_string};
use mlpy_analysis::facts::{first_token, push_py_name, FieldRef, ProgramFacts};
use mlpy_analysis::names::py_name;
use mlpy_analysis::semantics::ModuleRef;
use mlpy_modules::scopes::{ModuleScopes, NameRes};
use mlpy_modules::stdlib::stdlib_module;
use mlpy_modules::{EdgeTarget, ModuleId};
use mlpy_syntax::ast::{AstNode, BinOp, Expr, Stmt};
use mlpy_syntax::green::{self as green_tree, GreenChild};
use mlpy_syntax::text::{literal_body, number_value, unescape, NumberValue};
use mlpy_syntax::{GreenNodeData, MlLanguage, SyntaxKind, SyntaxNode, TextRange, TextSize};
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write;

/// One line of emitted Python: `EmittedModule::text[start..end]`. The text may hold
/// continuation lines (inside brackets): `\n`, then `\0LINE\0` with the ML line of the
/// continuation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub indent: u16,
    pub start: u32,
    pub end: u32,
    /// 1-based ML line, 0 when the line has no ML origin.
    pub ml_line: u32,
}

/// The emitted body of a module and what its header must import.
#[derive(Debug, Default)]
pub(crate) struct EmittedModule {
    /// The text of every line, one after the other.
    pub text: String,
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

impl EmittedModule {
    /// The text of one of the module's lines.
    pub(crate) fn line_text(&self, line: &Line) -> &str {
        &self.text[line.start as usize..line.end as usize]
    }
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

/// Methods callable directly on a literal receiver (the runtime's whitelists). The string
/// methods whose argument errors CPython 3.13 words differently (`count`, `endswith`, `find`,
/// `index`, `replace`, `rfind`, `rindex`, `startswith`) are left out: they go through
/// `__ml.mcall`, which words those errors as every other supported version does.
const STR_METHODS: &[&str] = &[
    "capitalize",
    "center",
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
    "rjust",
    "rsplit",
    "rstrip",
    "split",
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

// ---------------------------------------------------------------- the green tree

/// A node of the green tree with its kind and its range in the file.
#[derive(Clone, Copy)]
struct Node<'a> {
    kind: SyntaxKind,
    range: TextRange,
    green: &'a GreenNodeData,
}

fn is_expr(kind: SyntaxKind) -> bool {
    Expr::can_cast(kind)
}

fn is_stmt(kind: SyntaxKind) -> bool {
    Stmt::can_cast(kind)
}

impl<'a> Node<'a> {
    fn root(green: &'a GreenNodeData) -> Node<'a> {
        Node {
            kind: green_tree::node_kind(green),
            range: TextRange::at(0.into(), green.text_len()),
            green,
        }
    }

    /// Of a typed node (the checker's `Expr`s).
    #[cfg_attr(not(test), allow(dead_code))]
    fn of(node: &'a SyntaxNode) -> Node<'a> {
        Node {
            kind: node.kind(),
            range: node.text_range(),
            green: node.green(),
        }
    }

    fn elements(self) -> impl Iterator<Item = GreenChild<'a>> {
        green_tree::children(self.green, self.range.start())
    }

    fn nodes(self) -> impl Iterator<Item = Node<'a>> {
        self.elements().filter_map(|child| match child {
            GreenChild::Node { kind, range, node } => Some(Node {
                kind,
                range,
                green: node,
            }),
            GreenChild::Token { .. } => None,
        })
    }

    /// The first child node of kind `kind` (`ast`'s `child`).
    fn child(self, kind: SyntaxKind) -> Option<Node<'a>> {
        self.nodes().find(|n| n.kind == kind)
    }

    /// The child nodes of kind `kind` (`ast`'s `children`).
    fn children(self, kind: SyntaxKind) -> impl Iterator<Item = Node<'a>> {
        self.nodes().filter(move |n| n.kind == kind)
    }

    /// The first child expression (`child::<Expr>`).
    fn expr(self) -> Option<Node<'a>> {
        self.nodes().find(|n| is_expr(n.kind))
    }

    fn exprs(self) -> impl Iterator<Item = Node<'a>> {
        self.nodes().filter(|n| is_expr(n.kind))
    }

    /// The first child token of kind `kind`: its text and range.
    fn token(self, kind: SyntaxKind) -> Option<(&'a str, TextRange)> {
        self.elements().find_map(|child| match child {
            GreenChild::Token {
                kind: k,
                range,
                text,
            } if k == kind => Some((text, range)),
            _ => None,
        })
    }

    /// The IDENT of a NAME or NAME_REF.
    fn ident(self) -> Option<(&'a str, TextRange)> {
        self.token(SyntaxKind::IDENT)
    }

    /// The first token (`SyntaxNode::first_token`): kind and range.
    fn first_token(self) -> Option<(SyntaxKind, TextRange)> {
        first_token(self.green, self.range.start())
    }

    /// The kind and text of the first token (`SyntaxNode::first_token`).
    fn first_token_text(self) -> Option<(SyntaxKind, &'a str)> {
        let mut node = self.green;
        loop {
            match node.children().next()? {
                rowan::NodeOrToken::Node(child) => node = child,
                rowan::NodeOrToken::Token(token) => {
                    let kind = <MlLanguage as rowan::Language>::kind_from_raw(token.kind());
                    return Some((kind, token.text()));
                }
            }
        }
    }

    /// The expression child that follows exactly `wanted` of the `separators` tokens
    /// (`ast`'s `expr_in_slot`).
    fn expr_in_slot(self, separators: &[SyntaxKind], wanted: usize) -> Option<Node<'a>> {
        let mut slot = 0;
        for child in self.elements() {
            match child {
                GreenChild::Token { kind, .. } if separators.contains(&kind) => {
                    slot += 1;
                    if slot > wanted {
                        return None;
                    }
                }
                GreenChild::Node { kind, range, node } if slot == wanted && is_expr(kind) => {
                    return Some(Node {
                        kind,
                        range,
                        green: node,
                    });
                }
                _ => {}
            }
        }
        None
    }

    /// `BinExpr`'s operand `wanted` (0: left, 1: right).
    fn bin_operand(self, wanted: usize) -> Option<Node<'a>> {
        let mut slot = 0;
        for child in self.elements() {
            match child {
                GreenChild::Token { kind, .. } if BinOp::from_kind(kind).is_some() => slot += 1,
                GreenChild::Node { kind, range, node } if slot == wanted && is_expr(kind) => {
                    return Some(Node {
                        kind,
                        range,
                        green: node,
                    });
                }
                _ => {}
            }
        }
        None
    }

    fn bin_op(self) -> Option<BinOp> {
        self.elements().find_map(|child| match child {
            GreenChild::Token { kind, .. } => BinOp::from_kind(kind),
            GreenChild::Node { .. } => None,
        })
    }

    /// The expression without any parentheses around it.
    fn unparenthesized(self) -> Option<Node<'a>> {
        let mut node = self;
        while node.kind == SyntaxKind::PAREN_EXPR {
            node = node.expr()?;
        }
        Some(node)
    }

    /// A literal whose first token is a string.
    fn is_string_literal(self) -> bool {
        self.kind == SyntaxKind::LITERAL
            && self
                .first_token()
                .is_some_and(|(kind, _)| kind == SyntaxKind::STRING)
    }

    /// `FieldExpr::field_name`: the member's name (empty when the name is missing).
    fn field_name(self) -> Option<&'a str> {
        self.child(SyntaxKind::NAME_REF)
            .map(|n| n.ident().map_or("", |(text, _)| text))
    }

    /// The IDENT of a PATH_EXPR's NAME_REF.
    fn path_ident(self) -> Option<(&'a str, TextRange)> {
        self.child(SyntaxKind::NAME_REF)?.ident()
    }

    /// Whether a block-bodied arrow is in this subtree (this node included).
    fn contains_block_arrow(self) -> bool {
        if self.kind == SyntaxKind::ARROW_EXPR && self.child(SyntaxKind::BLOCK).is_some() {
            return true;
        }
        self.nodes().any(Node::contains_block_arrow)
    }
}

// ---------------------------------------------------------------- the emitter

/// The prefix of the Python name under which a module imports a builtin it also binds
/// (`from mlpy_runtime.builtins import len as __mlb_len`): no ML name starts with `__`.
pub(crate) const BUILTIN_ALIAS: &str = "__mlb_";

/// The builtin names a module binds anywhere (variables, parameters, …).
fn shadowed_builtins(scopes: &ModuleScopes) -> Vec<&str> {
    let mut names: Vec<&str> = scopes
        .bindings
        .iter()
        .map(|b| b.name.as_str())
        .filter(|name| mlpy_modules::stdlib::is_builtin(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

pub(crate) fn emit_module(facts: &ProgramFacts<'_>, id: ModuleId) -> EmittedModule {
    emit(facts, id, false)
}

/// [`emit_module`] for the module of an interactive session: a call of a name that no
/// input defines yet goes through the call gate by name, as any call of a value, since
/// a later input may define it (in a file, nothing can: the call fails when reached).
pub(crate) fn emit_session_module(facts: &ProgramFacts<'_>, id: ModuleId) -> EmittedModule {
    emit(facts, id, true)
}

fn emit(facts: &ProgramFacts<'_>, id: ModuleId, late_names: bool) -> EmittedModule {
    let node = facts.node(id);
    let text: &str = &node.file.text;
    let parse = &node.file.parse;
    let mut line_starts = vec![TextSize::from(0)];
    line_starts.extend(
        text.match_indices('\n')
            .map(|(i, _)| TextSize::from(i as u32 + 1)),
    );
    let mut emitter = Emitter {
        facts,
        id,
        scopes: node.file.scopes(),
        text: String::with_capacity(text.len() + text.len() / 2),
        lines: Vec::with_capacity(line_starts.len() + line_starts.len() / 4),
        line_starts,
        buffers: Vec::new(),
        indent: 0,
        cur_line: 1,
        depth: 0,
        arrows: 0,
        temps: 0,
        builtins: BTreeSet::new(),
        shadowed_builtins: shadowed_builtins(node.file.scopes()),
        builtin_module: false,
        stdlib: BTreeSet::new(),
        late_names,
    };
    emitter.body(Node::root(parse.green()));
    let scopes = node.file.scopes();
    // A module-level `function` with a builtin's name (`function max(a, b) {…}`) is the
    // builtin until its statement runs: the body first binds the name to the builtin, as a
    // Python module's global falls back to it, so a call above the definition (or one
    // made before it runs) reaches the builtin, as in the reference; the `def` rebinds it.
    // Not in a session, whose body runs again for every input: there a builtin an earlier
    // input used cannot be rebound at all, and the binding must survive later inputs.
    let module_bindings = if late_names {
        &[][..]
    } else {
        &scopes.scope(scopes.module_scope()).bindings[..]
    };
    for &b in module_bindings {
        if facts.is_builtin_until_defined(id, b) {
            emitter.builtins.insert(scopes.binding(b).name.clone());
        }
    }
    let mut globals: Vec<String> = scopes
        .scope(scopes.module_scope())
        .bindings
        .iter()
        .map(|&b| facts.binding_py_name(id, b))
        .collect();
    // Each name once, where it first appears.
    let mut seen: HashSet<&str> = HashSet::with_capacity(globals.len());
    let first: Vec<bool> = globals.iter().map(|g| seen.insert(g.as_str())).collect();
    drop(seen);
    let mut first = first.into_iter();
    globals.retain(|_| first.next().unwrap_or(false));
    EmittedModule {
        text: emitter.text,
        lines: emitter.lines,
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
    /// Where every ML line starts.
    line_starts: Vec<TextSize>,
    /// The text of every line written, one after the other.
    text: String,
    lines: Vec<Line>,
    /// Spare buffers for the text of statements being written (one per nesting level of
    /// block arrows, which are written while their statement is).
    buffers: Vec<String>,
    indent: u16,
    /// The ML line of the last position written, for line breaks inside brackets.
    cur_line: u32,
    /// Bracket depth of the expression being written (line breaks are legal when > 0).
    depth: u32,
    arrows: u32,
    temps: u32,
    builtins: BTreeSet<String>,
    /// Builtin names the module also binds (`len = 5;`): a call of the builtin there is
    /// written under its alias ([`BUILTIN_ALIAS`]).
    shadowed_builtins: Vec<&'g str>,
    builtin_module: bool,
    stdlib: BTreeSet<String>,
    /// Calls of unknown names are looked up when made (see [`emit_session_module`]).
    late_names: bool,
}

impl Emitter<'_, '_> {
    /// The 1-based ML line of an offset.
    fn line_of(&self, offset: TextSize) -> u32 {
        self.line_starts.partition_point(|&start| start <= offset) as u32
    }

    /// The ML line a node starts on (where its first token starts).
    fn start_line(&self, node: Node<'_>) -> u32 {
        self.line_of(node.range.start())
    }

    fn buffer(&mut self) -> String {
        self.buffers.pop().unwrap_or_default()
    }

    /// Writes a line made in `buffer` and keeps the buffer for the next one.
    fn push_buffer(&mut self, mut buffer: String, ml_line: u32) {
        self.push(&buffer, ml_line);
        buffer.clear();
        self.buffers.push(buffer);
    }

    fn push(&mut self, text: &str, ml_line: u32) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        self.lines.push(Line {
            indent: self.indent,
            start,
            end: self.text.len() as u32,
            ml_line,
        });
    }

    /// The ML line a break goes to, if `node` starts on a later ML line and breaks are
    /// legal (then it is the current line from now on).
    fn brk(&mut self, node: Node<'_>) -> Option<u32> {
        let line = self.start_line(node);
        self.brk_at(line)
    }

    fn brk_at(&mut self, line: u32) -> Option<u32> {
        if self.depth > 0 && line > self.cur_line {
            self.cur_line = line;
            Some(line)
        } else {
            None
        }
    }

    /// Writes the Python name of the builtin `name` and notes that the module uses it.
    fn push_builtin(&mut self, name: &str, out: &mut String) {
        let start = out.len();
        if self.shadowed_builtins.contains(&name) {
            out.push_str(BUILTIN_ALIAS);
        }
        out.push_str(name);
        let py = &out[start..];
        if !self.builtins.contains(py) {
            self.builtins.insert(py.to_string());
        }
    }

    /// For `receiver.member`: whether the whole expression names a module, or the
    /// receiver does ([`ProgramFacts::field_ref`]).
    fn field_ref(&self, field: Node<'_>) -> Option<FieldRef> {
        self.facts.field_ref_at(self.id, field.green, field.range)
    }

    // ---------------------------------------------------------------- statements

    /// The statements of a file or block with the comments and blank lines between
    /// them. Returns whether any code was written.
    fn body(&mut self, container: Node<'_>) -> bool {
        let mut wrote_code = false;
        let mut last_end_line = 0u32;
        let mut last_was_simple = false;
        let mut last_line_index: Option<usize> = None;
        let mut pending_blank = false;
        for element in container.elements() {
            match element {
                GreenChild::Node { kind, range, node } => {
                    if !is_stmt(kind) {
                        continue;
                    }
                    if pending_blank && !self.lines.is_empty() {
                        self.push_blank();
                    }
                    pending_blank = false;
                    let before = self.lines.len();
                    let stmt = Node {
                        kind,
                        range,
                        green: node,
                    };
                    if self.stmt(stmt) {
                        wrote_code = true;
                    }
                    last_end_line = self.line_of(range.end());
                    last_was_simple = !matches!(
                        kind,
                        SyntaxKind::FUNCTION
                            | SyntaxKind::IF_STMT
                            | SyntaxKind::WHILE_STMT
                            | SyntaxKind::FOR_STMT
                            | SyntaxKind::TRY_STMT
                    );
                    last_line_index = (self.lines.len() > before).then(|| self.lines.len() - 1);
                }
                GreenChild::Token { kind, range, text } => match kind {
                    SyntaxKind::COMMENT => {
                        let line = self.line_of(range.start());
                        match last_line_index {
                            Some(i) if line == last_end_line && last_was_simple => {
                                self.append_comment(i, text);
                                last_line_index = None;
                            }
                            _ => {
                                if pending_blank && !self.lines.is_empty() {
                                    self.push_blank();
                                }
                                pending_blank = false;
                                let mut buffer = self.buffer();
                                comment_text(text, &mut buffer);
                                self.push_buffer(buffer, line);
                                last_line_index = None;
                            }
                        }
                    }
                    SyntaxKind::WHITESPACE
                        if text.bytes().filter(|&b| b == b'\n').nth(1).is_some() =>
                    {
                        pending_blank = true;
                    }
                    _ => {}
                },
            }
        }
        wrote_code
    }

    /// `  # comment` at the end of line `i`.
    fn append_comment(&mut self, i: usize, comment: &str) {
        let line = self.lines[i];
        if line.end as usize != self.text.len() {
            // Not the last text written: move the line's text to the end first.
            let start = self.text.len();
            self.text
                .extend_from_within(line.start as usize..line.end as usize);
            self.lines[i].start = start as u32;
        }
        self.text.push_str("  ");
        comment_text(comment, &mut self.text);
        self.lines[i].end = self.text.len() as u32;
    }

    fn push_blank(&mut self) {
        if self.lines.last().is_some_and(|l| l.end > l.start) {
            let at = self.text.len() as u32;
            self.lines.push(Line {
                indent: 0,
                start: at,
                end: at,
                ml_line: 0,
            });
        }
    }

    /// A block as an indented suite (with `pass` when it holds no code).
    fn suite(&mut self, block: Option<Node<'_>>, line: u32) {
        self.indent += 1;
        let wrote = match block {
            Some(b) => self.body(b),
            None => false,
        };
        if !wrote {
            self.push("pass", line);
        }
        self.indent -= 1;
    }

    /// Emits a statement; returns whether it wrote code.
    fn stmt(&mut self, stmt: Node<'_>) -> bool {
        use SyntaxKind::*;
        let line = self.start_line(stmt);
        self.cur_line = line;
        match stmt.kind {
            IMPORT => return self.import(stmt, line),
            FUNCTION => self.function(stmt, line),
            EXPR_STMT => {
                let Some(e) = stmt.expr() else { return false };
                let mut out = self.buffer();
                self.expr(e, &mut out);
                self.push_buffer(out, line);
            }
            ASSIGN_STMT => self.assign(stmt, line),
            DESTRUCTURE_STMT => self.destructure(stmt, line),
            IF_STMT => self.if_stmt(stmt, line),
            WHILE_STMT => {
                let mut out = self.buffer();
                out.push_str("while ");
                self.cond(stmt.expr(), &mut out);
                out.push(':');
                self.push_buffer(out, line);
                self.suite(stmt.child(BLOCK), line);
            }
            FOR_STMT => {
                let mut out = self.buffer();
                out.push_str("for ");
                match stmt.child(NAME) {
                    Some(name) => self.def_name(name, &mut out),
                    None => out.push('_'),
                }
                out.push_str(" in ");
                self.cond(stmt.expr(), &mut out);
                out.push(':');
                self.push_buffer(out, line);
                self.suite(stmt.child(BLOCK), line);
            }
            RETURN_STMT => {
                let mut out = self.buffer();
                out.push_str("return");
                if let Some(v) = stmt.expr() {
                    out.push(' ');
                    self.expr(v, &mut out);
                }
                self.push_buffer(out, line);
            }
            THROW_STMT => {
                let mut out = self.buffer();
                out.push_str("raise __ml.MLUserException(");
                match stmt.expr() {
                    Some(v) => {
                        self.expr(v, &mut out);
                    }
                    None => out.push_str("{}"),
                }
                out.push(')');
                self.push_buffer(out, line);
            }
            TRY_STMT => self.try_stmt(stmt, line),
            BREAK_STMT => self.push("break", line),
            CONTINUE_STMT => self.push("continue", line),
            // `capability` and `nonlocal` write nothing here.
            _ => return false,
        }
        true
    }

    /// A condition or iterable: any expression.
    fn cond(&mut self, e: Option<Node<'_>>, out: &mut String) {
        match e {
            Some(e) => {
                self.expr(e, out);
            }
            None => out.push_str("None"),
        }
    }

    /// The Python name of a NAME (a definition).
    fn def_name(&self, name: Node<'_>, out: &mut String) {
        if let Some((text, range)) = name.ident() {
            self.facts.push_def_py_name(self.id, text, range, out);
        }
    }

    fn import(&mut self, import: Node<'_>, line: u32) -> bool {
        let node = self.facts.node(self.id);
        let Some(edge) = node.edge_at(import.range) else {
            return false;
        };
        let Ok(target) = &edge.target else {
            return false;
        };
        let binding_name = import
            .child(SyntaxKind::IMPORT_ALIAS)
            .and_then(|a| a.child(SyntaxKind::NAME))
            .and_then(|n| n.ident());
        let (alias_py, aliased) = match binding_name {
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
                } else if mlpy_analysis::names::is_dotted_identifier(&spec)
                    && py == mlpy_analysis::names::py_module_name(&spec)
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
        self.push(&text, line);
        true
    }

    /// The parameters of a PARAM_LIST, `a, b`.
    fn params(&self, list: Option<Node<'_>>, out: &mut String) {
        let Some(list) = list else { return };
        let mut first = true;
        for param in list.children(SyntaxKind::PARAM) {
            let Some(name) = param.child(SyntaxKind::NAME) else {
                continue;
            };
            if !first {
                out.push_str(", ");
            }
            first = false;
            self.def_name(name, out);
        }
    }

    fn function(&mut self, f: Node<'_>, line: u32) {
        let mut out = self.buffer();
        out.push_str("def ");
        match f.child(SyntaxKind::NAME) {
            Some(name) => self.def_name(name, &mut out),
            None => out.push_str("__anonymous"),
        }
        out.push('(');
        self.params(f.child(SyntaxKind::PARAM_LIST), &mut out);
        out.push_str("):");
        self.push_buffer(out, line);
        self.function_body(f, f.child(SyntaxKind::BLOCK), line);
    }

    /// The body of a function or block arrow: `global`/`nonlocal` declarations first
    /// (ML allows them anywhere in the function; Python wants them before any use).
    fn function_body(&mut self, function: Node<'_>, body: Option<Node<'_>>, line: u32) {
        let saved = (self.cur_line, self.depth);
        self.depth = 0;
        self.indent += 1;
        let mut wrote = self.declarations(function);
        if let Some(b) = body {
            wrote |= self.body(b);
        }
        if !wrote {
            self.push("pass", line);
        }
        self.indent -= 1;
        (self.cur_line, self.depth) = saved;
    }

    fn declarations(&mut self, function: Node<'_>) -> bool {
        let Some(scope) = self.facts.scope_of(self.id, function.range) else {
            return false;
        };
        let nonlocals = &self.scopes.scope(scope).nonlocals;
        if nonlocals.is_empty() {
            return false;
        }
        let mut globals: Vec<String> = Vec::new();
        let mut locals: Vec<String> = Vec::new();
        // Each name once, without searching the lists (a function may declare thousands).
        let mut seen: HashSet<(bool, String)> = HashSet::new();
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
            let global = self.scopes.binding(target).scope == module_scope;
            if seen.insert((global, py.clone())) {
                if global {
                    globals.push(py);
                } else {
                    locals.push(py);
                }
            }
        }
        let wrote = !globals.is_empty() || !locals.is_empty();
        if !globals.is_empty() {
            self.push(&format!("global {}", globals.join(", ")), first_line);
        }
        if !locals.is_empty() {
            self.push(&format!("nonlocal {}", locals.join(", ")), first_line);
        }
        wrote
    }

    fn assign(&mut self, a: Node<'_>, line: u32) {
        let mut out = self.buffer();
        match a.expr_in_slot(&[SyntaxKind::EQ], 0) {
            Some(target) if target.kind == SyntaxKind::FIELD_EXPR => {
                match target.expr() {
                    Some(receiver) => self.expr_min(receiver, Prec::Atom, &mut out),
                    None => out.push_str("None"),
                }
                out.push('[');
                push_py_string(&mut out, target.field_name().unwrap_or_default());
                out.push(']');
            }
            Some(target) => {
                self.expr(target, &mut out);
            }
            None => out.push('_'),
        }
        out.push_str(" = ");
        match a.expr_in_slot(&[SyntaxKind::EQ], 1) {
            Some(value) => {
                self.expr(value, &mut out);
            }
            None => out.push_str("None"),
        }
        self.push_buffer(out, line);
    }

    fn destructure(&mut self, d: Node<'_>, line: u32) {
        // The value first: block arrows in it are defined before the statement.
        let mut value = self.buffer();
        self.cond(d.expr(), &mut value);
        let mut out = self.buffer();
        if let Some(pattern) = d.child(SyntaxKind::ARRAY_PATTERN) {
            let names: Vec<Node<'_>> = pattern.children(SyntaxKind::NAME).collect();
            match names.len() {
                0 => out.push_str("__v"),
                1 => {
                    self.def_name(names[0], &mut out);
                    out.push(',');
                }
                _ => {
                    for (i, name) in names.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.def_name(*name, &mut out);
                    }
                }
            }
            out.push_str(" = ");
            out.push_str(&value);
            self.push_buffer(out, line);
        } else if let Some(pattern) = d.child(SyntaxKind::OBJECT_PATTERN) {
            self.temps += 1;
            let temp = format!("__v{}", self.temps);
            let _ = write!(out, "{temp} = {value}");
            for name in pattern.children(SyntaxKind::NAME) {
                out.push_str("; ");
                self.def_name(name, &mut out);
                let _ = write!(out, " = {temp}[");
                push_py_string(&mut out, name.ident().map_or("", |(text, _)| text));
                out.push(']');
            }
            self.push_buffer(out, line);
        } else {
            out.clear();
            self.buffers.push(out);
        }
        value.clear();
        self.buffers.push(value);
    }

    fn if_stmt(&mut self, s: Node<'_>, line: u32) {
        // Every condition first: block arrows inside them are defined before the `if`.
        let mut first = self.buffer();
        first.push_str("if ");
        self.cond(s.expr(), &mut first);
        first.push(':');
        let mut elifs = Vec::new();
        for clause in s.children(SyntaxKind::ELIF_CLAUSE) {
            let l = self.start_line(clause);
            self.cur_line = l;
            let mut c = String::from("elif ");
            self.cond(clause.expr(), &mut c);
            c.push(':');
            elifs.push((c, clause.child(SyntaxKind::BLOCK), l));
        }
        self.push_buffer(first, line);
        self.suite(s.child(SyntaxKind::BLOCK), line);
        for (c, block, l) in elifs {
            self.push(&c, l);
            self.suite(block, l);
        }
        if let Some(e) = s.child(SyntaxKind::ELSE_CLAUSE) {
            let l = self.start_line(e);
            self.push("else:", l);
            self.suite(e.child(SyntaxKind::BLOCK), l);
        }
    }

    fn try_stmt(&mut self, t: Node<'_>, line: u32) {
        self.push("try:", line);
        self.suite(t.child(SyntaxKind::BLOCK), line);
        let mut handlers = 0;
        for clause in t.children(SyntaxKind::EXCEPT_CLAUSE) {
            handlers += 1;
            let l = self.start_line(clause);
            let mut out = self.buffer();
            match clause.child(SyntaxKind::NAME) {
                Some(n) => {
                    out.push_str("except Exception as ");
                    self.def_name(n, &mut out);
                    out.push(':');
                }
                None => out.push_str("except Exception:"),
            }
            self.push_buffer(out, l);
            self.suite(clause.child(SyntaxKind::BLOCK), l);
        }
        match t.child(SyntaxKind::FINALLY_CLAUSE) {
            Some(f) => {
                let l = self.start_line(f);
                self.push("finally:", l);
                self.suite(f.child(SyntaxKind::BLOCK), l);
            }
            None if handlers == 0 => {
                self.push("finally:", line);
                self.indent += 1;
                self.push("pass", line);
                self.indent -= 1;
            }
            None => {}
        }
    }

    // ---------------------------------------------------------------- expressions

    /// Writes an expression; returns its precedence.
    fn expr(&mut self, e: Node<'_>, out: &mut String) -> Prec {
        use SyntaxKind::*;
        match e.kind {
            LITERAL => literal(e, out),
            PATH_EXPR => {
                self.name_ref(e, out);
                Prec::Atom
            }
            PAREN_EXPR => match e.expr() {
                Some(inner) => self.expr(inner, out),
                None => {
                    out.push_str("None");
                    Prec::Atom
                }
            },
            ARRAY_EXPR => {
                let close = self.closing_line(e, R_BRACK);
                out.push('[');
                self.list(e.exprs(), close, out);
                out.push(']');
                Prec::Atom
            }
            OBJECT_EXPR => {
                let close = self.closing_line(e, R_CURLY);
                self.depth += 1;
                out.push('{');
                for (i, field) in e.children(OBJECT_FIELD).enumerate() {
                    let brk = self.brk(field);
                    if i > 0 {
                        out.push_str(if brk.is_some() { "," } else { ", " });
                    }
                    push_break(out, brk);
                    push_object_key(field, out);
                    out.push_str(": ");
                    self.cond(field.expr(), out);
                }
                let end = self.brk_at(close);
                self.depth -= 1;
                push_break(out, end);
                out.push('}');
                Prec::Atom
            }
            CALL_EXPR => {
                self.call(e, out);
                Prec::Atom
            }
            INDEX_EXPR => {
                self.index(e, out);
                Prec::Atom
            }
            FIELD_EXPR => {
                self.field(e, out);
                Prec::Atom
            }
            PREFIX_EXPR => {
                let operand = e.expr();
                match e.first_token().map(|(kind, _)| kind) {
                    Some(BANG) => {
                        out.push_str("not ");
                        self.operand(operand, Prec::Not, out);
                        Prec::Not
                    }
                    _ => {
                        out.push('-');
                        let start = out.len();
                        self.operand(operand, Prec::Unary, out);
                        // `- -a`, not `-(-a)`: a run of minus signs nests no brackets
                        // (Python allows 200 levels of those).
                        if out[start..].starts_with('-') {
                            out.insert(start, ' ');
                        }
                        Prec::Unary
                    }
                }
            }
            BIN_EXPR => self.binary(e, out),
            TERNARY_EXPR => {
                const SEPARATORS: &[SyntaxKind] = &[QUESTION, COLON];
                self.depth += 1;
                out.push('(');
                self.operand(e.expr_in_slot(SEPARATORS, 1), Prec::Or, out);
                out.push_str(" if ");
                self.operand(e.expr_in_slot(SEPARATORS, 0), Prec::Or, out);
                let otherwise = e.expr_in_slot(SEPARATORS, 2);
                let brk = match otherwise {
                    Some(o) => self.brk(o),
                    None => None,
                };
                out.push_str(" else");
                if brk.is_none() {
                    out.push(' ');
                }
                push_break(out, brk);
                self.operand(otherwise, Prec::Or, out);
                self.depth -= 1;
                out.push(')');
                Prec::Atom
            }
            ARROW_EXPR => self.arrow(e, out),
            _ => {
                out.push_str("None");
                Prec::Atom
            }
        }
    }

    /// An expression, parenthesised when its precedence is below `min`.
    fn expr_min(&mut self, e: Node<'_>, min: Prec, out: &mut String) {
        let start = out.len();
        if self.expr(e, out) < min {
            out.insert(start, '(');
            out.push(')');
        }
    }

    fn operand(&mut self, e: Option<Node<'_>>, min: Prec, out: &mut String) {
        match e {
            Some(e) => self.expr_min(e, min, out),
            None => out.push_str("None"),
        }
    }

    fn name_ref(&mut self, p: Node<'_>, out: &mut String) {
        let Some((text, range)) = p.path_ident() else {
            out.push_str("None");
            return;
        };
        match self.scopes.resolve(range) {
            NameRes::Binding(b) => self.facts.push_binding_py_name(self.id, b, out),
            NameRes::Builtin => self.push_builtin(text, out),
            NameRes::BuiltinModule => {
                self.builtin_module = true;
                out.push_str("builtin");
            }
            NameRes::Null => out.push_str("None"),
            NameRes::Unknown => push_py_name(text, out),
        }
    }

    /// Comma-separated expressions inside brackets, with the ML line breaks.
    fn list<'n>(
        &mut self,
        items: impl Iterator<Item = Node<'n>>,
        close_line: u32,
        out: &mut String,
    ) {
        self.depth += 1;
        for (i, item) in items.enumerate() {
            let brk = self.brk(item);
            if i > 0 {
                out.push_str(if brk.is_some() { "," } else { ", " });
            }
            push_break(out, brk);
            self.expr(item, out);
        }
        let end = self.brk_at(close_line);
        self.depth -= 1;
        push_break(out, end);
    }

    fn binary(&mut self, b: Node<'_>, out: &mut String) -> Prec {
        let Some(op) = b.bin_op() else {
            out.push_str("None");
            return Prec::Atom;
        };
        let (lhs, rhs) = (b.bin_operand(0), b.bin_operand(1));
        if op == BinOp::Add && (lhs.is_some_and(stringy) || rhs.is_some_and(stringy)) {
            self.str_operand(lhs, Prec::Add, out);
            let brk = match rhs {
                Some(r) => self.brk(r),
                None => None,
            };
            out.push_str(" +");
            if brk.is_none() {
                out.push(' ');
            }
            push_break(out, brk);
            self.str_operand(rhs, Prec::Mul, out);
            return Prec::Add;
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
        self.operand(lhs, left_min, out);
        let brk = match rhs {
            Some(r) => self.brk(r),
            None => None,
        };
        out.push(' ');
        out.push_str(text);
        if brk.is_none() {
            out.push(' ');
        }
        push_break(out, brk);
        self.operand(rhs, right_min, out);
        prec
    }

    /// An operand of the string `+`: Python `str` of it, unless it already is a string.
    fn str_operand(&mut self, e: Option<Node<'_>>, min: Prec, out: &mut String) {
        let Some(e) = e else {
            out.push_str("None");
            return;
        };
        if stringy(e) || self.is_str_call(e) {
            self.expr_min(e, min, out);
            return;
        }
        self.depth += 1;
        out.push_str("__ml.pystr(");
        self.expr(e, out);
        out.push(')');
        self.depth -= 1;
    }

    fn is_str_call(&self, e: Node<'_>) -> bool {
        let Some(call) = e
            .unparenthesized()
            .filter(|c| c.kind == SyntaxKind::CALL_EXPR)
        else {
            return false;
        };
        let Some(path) = call.expr().filter(|p| p.kind == SyntaxKind::PATH_EXPR) else {
            return false;
        };
        let Some((text, range)) = path.path_ident() else {
            return false;
        };
        STR_BUILTINS.contains(&text) && self.scopes.resolve(range) == NameRes::Builtin
    }

    fn call(&mut self, c: Node<'_>, out: &mut String) {
        let arg_list = c.child(SyntaxKind::ARG_LIST);
        let args = move || arg_list.into_iter().flat_map(Node::exprs);
        let close = match arg_list {
            Some(l) => self.closing_line(l, SyntaxKind::R_PAREN),
            None => self.cur_line,
        };
        let callee = c.expr();
        match callee {
            Some(p) if p.kind == SyntaxKind::PATH_EXPR => {
                if let Some((text, range)) = p.path_ident() {
                    let direct = match self.scopes.resolve(range) {
                        NameRes::Builtin => {
                            self.push_builtin(text, out);
                            true
                        }
                        NameRes::Binding(b) if self.facts.is_stable_function(self.id, b) => {
                            self.facts.push_binding_py_name(self.id, b, out);
                            true
                        }
                        NameRes::Unknown if self.late_names => false,
                        NameRes::Unknown => {
                            // Fails when reached, as in the reference; never a Python name.
                            out.push_str("__ml.undefined(");
                            push_py_string(out, text);
                            out.push(')');
                            true
                        }
                        _ => false,
                    };
                    if direct {
                        out.push('(');
                        self.list(args(), close, out);
                        out.push(')');
                        return;
                    }
                }
            }
            Some(f)
                if f.kind == SyntaxKind::FIELD_EXPR && self.method_call(f, args(), close, out) =>
            {
                return;
            }
            _ => {}
        }
        out.push_str("__ml.call(");
        self.cond(callee, out);
        self.rest_of_call(args(), close, out);
    }

    /// `, ARGS)` after the first argument of a runtime helper's call (`)` alone when
    /// there are none).
    fn rest_of_call<'n>(
        &mut self,
        args: impl Iterator<Item = Node<'n>>,
        close: u32,
        out: &mut String,
    ) {
        let mark = out.len();
        out.push_str(", ");
        let start = out.len();
        self.list(args, close, out);
        if out.len() == start {
            out.truncate(mark);
        }
        out.push(')');
    }

    /// `o.m(args)`: a direct call for module functions and literal receivers, `__ml.mcall`
    /// for values. False (nothing written) when `o.m` is itself a module.
    fn method_call<'n>(
        &mut self,
        f: Node<'_>,
        args: impl Iterator<Item = Node<'n>>,
        close: u32,
        out: &mut String,
    ) -> bool {
        let Some(member) = f.field_name() else {
            return false;
        };
        let Some(receiver) = f.expr() else {
            return false;
        };
        let field_ref = self.field_ref(f);
        if let Some(FieldRef::Module(_)) = field_ref {
            return false;
        }
        if let Some(FieldRef::Member(module)) = field_ref {
            let (callee, direct) = match (&module.target, module.id) {
                (ModuleRef::User(_), Some(m)) => (
                    format!("{}.{}", module.py, self.facts.member_py_name(m, member)),
                    self.facts.is_stable_member_function(m, member),
                ),
                // Read as `field` reads the member; called directly only when it is a
                // function the manifest lists.
                (ModuleRef::Stdlib(s), _) => {
                    let listed = stdlib_module(s).filter(|m| m.has_member(member));
                    let mut callee = String::new();
                    push_module_member(&mut callee, &module.py, member, listed.is_some());
                    (callee, listed.is_some_and(|m| m.has_function(member)))
                }
                (ModuleRef::Builtins, _) => {
                    self.builtin_module = true;
                    let listed = mlpy_modules::stdlib::is_builtin(member);
                    let mut callee = String::new();
                    push_module_member(&mut callee, "builtin", member, listed);
                    (callee, listed)
                }
                (ModuleRef::Python(_), _) => {
                    // Through the membrane: `__ml.mcall` reads the member by its rules.
                    out.push_str("__ml.mcall(");
                    out.push_str(&python_module_expr(&module.py));
                    out.push_str(", ");
                    push_py_string(out, member);
                    self.rest_of_call(args, close, out);
                    return true;
                }
                (ModuleRef::Namespace(_) | ModuleRef::User(_), _) => {
                    out.push_str("__ml.mcall(");
                    out.push_str(&module.py);
                    out.push_str(", ");
                    push_py_string(out, member);
                    self.rest_of_call(args, close, out);
                    return true;
                }
            };
            if direct {
                out.push_str(&callee);
                out.push('(');
                self.list(args, close, out);
                out.push(')');
            } else {
                out.push_str("__ml.call(");
                out.push_str(&callee);
                self.rest_of_call(args, close, out);
            }
            return true;
        }
        // Whitelisted methods on literals: `"a,b".split(",")`, `[3, 1].count(1)`.
        if let Some(unwrapped) = receiver.unparenthesized() {
            let literal_ok = match unwrapped.kind {
                SyntaxKind::LITERAL if unwrapped.is_string_literal() => {
                    STR_METHODS.contains(&member)
                }
                SyntaxKind::ARRAY_EXPR => LIST_METHODS.contains(&member),
                _ => false,
            };
            if literal_ok {
                self.expr_min(unwrapped, Prec::Atom, out);
                out.push('.');
                out.push_str(member);
                out.push('(');
                self.list(args, close, out);
                out.push(')');
                return true;
            }
        }
        out.push_str("__ml.mcall(");
        self.expr(receiver, out);
        out.push_str(", ");
        push_py_string(out, member);
        self.rest_of_call(args, close, out);
        true
    }

    fn field(&mut self, f: Node<'_>, out: &mut String) {
        let field_ref = self.field_ref(f);
        if let Some(FieldRef::Module(module)) = &field_ref {
            if let ModuleRef::Python(_) = module.target {
                out.push_str(&python_module_expr(&module.py));
            } else {
                out.push_str(&module.py);
            }
            return;
        }
        let member = f.field_name().unwrap_or_default();
        let Some(receiver) = f.expr() else {
            out.push_str("None");
            return;
        };
        if let Some(FieldRef::Member(module)) = &field_ref {
            match (&module.target, module.id) {
                (ModuleRef::User(_), Some(m)) => {
                    out.push_str(&module.py);
                    out.push('.');
                    out.push_str(&self.facts.member_py_name(m, member));
                    return;
                }
                // A second layer behind the checker: only a member the runtime's manifest
                // lists is read as a Python attribute (`push_module_member`).
                (ModuleRef::Stdlib(name), _) => {
                    let listed = mlpy_modules::stdlib::stdlib_module(name)
                        .is_some_and(|m| m.has_member(member));
                    push_module_member(out, &module.py, member, listed);
                    return;
                }
                (ModuleRef::Python(_), _) => {
                    push_module_member(out, &python_module_expr(&module.py), member, false);
                    return;
                }
                (ModuleRef::Builtins, _) => {
                    self.builtin_module = true;
                    let listed = mlpy_modules::stdlib::is_builtin(member);
                    push_module_member(out, "builtin", member, listed);
                    return;
                }
                (ModuleRef::Namespace(_) | ModuleRef::User(_), _) => {}
            }
        }
        self.depth += 1;
        out.push_str("__ml.attr(");
        self.expr(receiver, out);
        self.depth -= 1;
        out.push_str(", ");
        push_py_string(out, member);
        out.push(')');
    }

    fn index(&mut self, i: Node<'_>, out: &mut String) {
        let slice = i.child(SyntaxKind::SLICE);
        if slice.is_some() {
            // `__ml.sliceable(a)[i:j]`: an object (a dict) refuses a slice on every Python,
            // as 3.9-3.11 did; 3.12+ would read or store the key `slice(i, j, None)`.
            self.depth += 1;
            out.push_str("__ml.sliceable(");
            self.operand(i.expr_in_slot(&[SyntaxKind::L_BRACK], 0), Prec::Lambda, out);
            out.push(')');
            self.depth -= 1;
        } else {
            self.operand(i.expr_in_slot(&[SyntaxKind::L_BRACK], 0), Prec::Atom, out);
        }
        self.depth += 1;
        out.push('[');
        if let Some(slice) = slice {
            const COLON: &[SyntaxKind] = &[SyntaxKind::COLON];
            self.slice_part(slice.expr_in_slot(COLON, 0), out);
            out.push(':');
            self.slice_part(slice.expr_in_slot(COLON, 1), out);
            let colons = slice
                .elements()
                .filter(|c| c.kind() == SyntaxKind::COLON)
                .count();
            let step = slice.expr_in_slot(COLON, 2);
            if colons > 1 || step.is_some() {
                out.push(':');
                self.slice_part(step, out);
            }
        } else {
            self.cond(i.expr_in_slot(&[SyntaxKind::L_BRACK], 1), out);
        }
        self.depth -= 1;
        out.push(']');
    }

    fn slice_part(&mut self, e: Option<Node<'_>>, out: &mut String) {
        if let Some(e) = e {
            self.expr_min(e, Prec::Or, out);
        }
    }

    fn arrow(&mut self, a: Node<'_>, out: &mut String) -> Prec {
        let block = a.child(SyntaxKind::BLOCK);
        let expr = if block.is_none() { a.expr() } else { None };
        match expr {
            Some(body) if !body.contains_block_arrow() => {
                out.push_str("lambda");
                let head = out.len();
                out.push(' ');
                self.params(a.child(SyntaxKind::PARAM_LIST), out);
                if out.len() == head + 1 {
                    out.truncate(head);
                }
                out.push_str(": ");
                // A lambda opens no bracket: its body may break lines only where the
                // brackets around the arrow allow it (at statement level it stays on
                // one line, or Python reads the next line as a new statement).
                self.expr(body, out);
                Prec::Lambda
            }
            _ => {
                // A nested `def` written before the statement that uses it.
                self.arrows += 1;
                let name = format!("__arrow_{}", self.arrows);
                let line = self.start_line(a);
                let mut def = self.buffer();
                let _ = write!(def, "def {name}(");
                self.params(a.child(SyntaxKind::PARAM_LIST), &mut def);
                def.push_str("):");
                self.push_buffer(def, line);
                if let Some(block) = block {
                    self.function_body(a, Some(block), line);
                } else if let Some(expr) = expr {
                    let saved = (self.cur_line, self.depth);
                    self.depth = 0;
                    self.indent += 1;
                    let mut value = self.buffer();
                    value.push_str("return ");
                    self.expr(expr, &mut value);
                    self.push_buffer(value, line);
                    self.indent -= 1;
                    (self.cur_line, self.depth) = saved;
                } else {
                    self.indent += 1;
                    self.push("return None", line);
                    self.indent -= 1;
                }
                out.push_str(&name);
                Prec::Atom
            }
        }
    }

    /// The ML line of a node's closing token (`]`, `}`, `)`).
    fn closing_line(&self, node: Node<'_>, kind: SyntaxKind) -> u32 {
        node.elements()
            .filter(|c| matches!(c, GreenChild::Token { kind: k, .. } if *k == kind))
            .last()
            .map(|t| self.line_of(t.range().start()))
            .unwrap_or(self.cur_line)
    }
}

/// `\n\0LINE\0` when the expression continues on ML line `line`.
fn push_break(out: &mut String, line: Option<u32>) {
    if let Some(line) = line {
        let _ = write!(out, "\n\0{line}\0");
    }
}

/// An object literal's key as a Python string (`ast::ObjectField::key`).
fn push_object_key(field: Node<'_>, out: &mut String) {
    let key = field.elements().find_map(|c| match c {
        GreenChild::Token {
            kind: kind @ (SyntaxKind::IDENT | SyntaxKind::STRING),
            text,
            ..
        } => Some((kind, text)),
        _ => None,
    });
    match key {
        Some((SyntaxKind::STRING, raw)) => {
            push_py_string(out, &mlpy_syntax::text::object_key_value(raw))
        }
        Some((_, text)) => push_py_string(out, text),
        None => push_py_string(out, ""),
    }
}

/// A string literal token's value as a Python string.
fn push_string_value(raw: &str, out: &mut String) {
    let (_, body) = literal_body(raw);
    if body.contains(['\\', '\r']) {
        push_py_string(out, &unescape(body));
    } else {
        push_py_string(out, body);
    }
}

/// A member of a runtime or Python module `base`: `base.member` when the runtime's
/// manifest lists it (`listed`: a Python attribute read directly), else
/// `__ml.attr(base, "member")`, the membrane's read, which refuses what is not exported.
fn push_module_member(out: &mut String, base: &str, member: &str, listed: bool) {
    if listed {
        out.push_str(base);
        out.push('.');
        out.push_str(member);
    } else {
        out.push_str("__ml.attr(");
        out.push_str(base);
        out.push_str(", ");
        push_py_string(out, member);
        out.push(')');
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

fn literal(l: Node<'_>, out: &mut String) -> Prec {
    let text = match l.first_token_text() {
        Some((SyntaxKind::STRING, raw)) => {
            push_string_value(raw, out);
            return Prec::Atom;
        }
        Some((SyntaxKind::TRUE_KW, _)) => "True",
        Some((SyntaxKind::FALSE_KW, _)) => "False",
        Some((SyntaxKind::NUMBER, raw)) => {
            let text = match number_value(raw) {
                NumberValue::Int(digits) => digits,
                // Not `float("inf")`: no Python builtin is reachable from emitted code.
                NumberValue::Float(text, value) if value.is_finite() => text,
                NumberValue::Float(_, value) if value.is_nan() => "__ml.NAN".to_string(),
                NumberValue::Float(_, value) if value > 0.0 => "__ml.INF".to_string(),
                NumberValue::Float(..) => "-__ml.INF".to_string(),
            };
            out.push_str(&text);
            return if text.starts_with('-') {
                Prec::Unary
            } else {
                Prec::Atom
            };
        }
        _ => "None",
    };
    out.push_str(text);
    Prec::Atom
}

/// A string literal, or a `+` chain containing one (the reference's rule for the string
/// `+`, parentheses ignored). The checker asks the same question (`check::kind_and_stringy`).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn is_stringy(e: &Expr) -> bool {
    stringy(Node::of(e.syntax()))
}

fn stringy(e: Node<'_>) -> bool {
    match e.unparenthesized() {
        Some(l) if l.kind == SyntaxKind::LITERAL => l.is_string_literal(),
        Some(b) if b.kind == SyntaxKind::BIN_EXPR => {
            b.bin_op() == Some(BinOp::Add)
                && (b.bin_operand(0).is_some_and(stringy) || b.bin_operand(1).is_some_and(stringy))
        }
        _ => false,
    }
}

/// `// text` → `# text`. Control characters (a NUL, which Python refuses in source, or
/// anything a tool could read as a line break) become spaces: a comment stays a comment.
fn comment_text(comment: &str, out: &mut String) {
    out.push('#');
    let body = comment.trim_start_matches('/').trim_end();
    // Nothing to replace unless a byte is an ASCII control or may start a C1 control
    // (U+0080..U+009F: 0xC2) or U+2028/U+2029 (0xE2).
    if body
        .bytes()
        .all(|b| (b >= 0x20 && b != 0x7f && b != 0xc2 && b != 0xe2) || b == b'\t')
    {
        out.push_str(body);
        return;
    }
    for c in body.chars() {
        if (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}') {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
    use mlpy_syntax::ast::{self, BinExpr};
    use std::sync::Arc;

    /// The body of `main.py` (from `def __mlpy_body():` on) for a project of `files`.
    fn main_body(files: &[(&str, &str)]) -> String {
        main_body_of(files, true)
    }

    /// [`main_body`], with the checks (`checked`) or without: what the emitter does with
    /// code the checks refuse (its own defence, should a check miss a case).
    fn main_body_of(files: &[(&str, &str)], checked: bool) -> String {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let config = ProjectConfig::load(&dir.path().join("mlpy.json")).unwrap();
        let resolver = Resolver::new(Arc::new(config.clone()));
        let graph = ModuleGraph::build(&dir.path().join("main.ml"), &resolver, &ModuleCache::new())
            .unwrap();
        let options = crate::Options::new(&config);
        let out = if checked {
            crate::transpile_multi(&graph, &options).unwrap_or_else(|d| panic!("{d:?}"))
        } else {
            crate::transpile_multi_unchecked(&graph, &options)
        };
        let main = out
            .files
            .iter()
            .find(|f| f.path == std::path::Path::new("main.py"))
            .unwrap();
        let at = main.contents.find("def __mlpy_body():").unwrap();
        main.contents[at..].to_string()
    }

    /// Byte for byte what the emitter wrote before it read the green tree (the typed
    /// AST's emitter, as of the commit that replaced it): every statement, expression,
    /// line-break, comment and naming rule on one program.
    #[test]
    fn golden_program() {
        let body = main_body(&[
            ("mlpy.json", r#"{"import_paths": ["."]}"#),
            ("main.ml", GOLDEN_ML),
            ("geo/__init__.ml", "unit = \"cm\";\n"),
            (
                "geo/shapes.ml",
                "function area(r) { return r * r; }\nfrom = 1;\ncounter = 0;\nfunction bump() { nonlocal counter; counter = counter + 1; }\n",
            ),
            ("class.ml", "function new() { return {}; }\n"),
            ("string.ml", "function up(s) { return s.upper(); }\n"),
        ]);
        assert_eq!(body, GOLDEN_PY);
    }

    /// A name or chain that may hold another value when the code runs is no module
    /// reference: read through `__ml.attr` / `__ml.mcall`, never as Python attributes nor
    /// called directly. Two imports of one package keep the name a reference. Emitted
    /// without the checks: a package's name that is also its submodule's is an error
    /// there (`name-collision`), and this is the emitter's own defence behind it.
    #[test]
    fn module_references_that_may_hold_another_value_go_through_the_gates() {
        let body = main_body_of(
            &[
            ("mlpy.json", r#"{"import_paths": ["."]}"#),
            (
                "main.ml",
                "import geo._os;\nfunction f() { return geo._os.environ; }\nimport env as geo;\n\
                 import pkg.shapes._b;\nx = pkg.shapes._b.run(1);\nimport pkg.shapes._b as b;\n\
                 y = b.run(2);\nimport two.a;\nimport two.b;\nz = two.a.v + two.b.v;\n",
            ),
            ("geo/_os.ml", "environ = {};\n"),
            ("pkg/__init__.ml", "shapes = null;\n"),
            ("pkg/shapes/_b.ml", "function run(v) { return v; }\n"),
            ("two/a.ml", "v = 1;\n"),
            ("two/b.ml", "v = 2;\n"),
            ],
            false,
        );
        for gated in [
            "return __ml.attr(__ml.attr(geo, \"_os\"), \"environ\")",
            // `pkg.shapes`: the value of `pkg`'s own name, whatever it holds
            "x = __ml.mcall(__ml.attr(pkg.shapes, \"_b\"), \"run\", 1)",
            "y = __ml.mcall(b, \"run\", 2)",
            "z = two.a.v + two.b.v",
        ] {
            assert!(body.contains(gated), "{gated}\n{body}");
        }
    }

    /// String methods whose argument errors CPython 3.13 words differently are called through
    /// `__ml.mcall` (the runtime words them alike on every version), even on a literal; the
    /// other whitelisted methods of literals are called directly.
    #[test]
    fn version_worded_string_methods_of_literals_go_through_mcall() {
        let body = main_body(&[
            ("mlpy.json", "{}"),
            (
            "main.ml",
            "a = \"abc\".find(\"b\");\nb = \"abc\".replace(\"a\", \"b\");\nc = \"abc\".upper();\nd = [1].count(1);\n",
            ),
        ]);
        assert!(
            body.contains(r#"a = __ml.mcall("abc", "find", "b")"#),
            "{body}"
        );
        assert!(
            body.contains(r#"b = __ml.mcall("abc", "replace", "a", "b")"#),
            "{body}"
        );
        assert!(body.contains(r#"c = "abc".upper()"#), "{body}");
        assert!(body.contains("d = [1].count(1)"), "{body}");
    }

    /// The same for Python modules (`stdlib_mode: "python"`): reads through the membrane.
    #[test]
    fn golden_python_modules() {
        let body = main_body(&[
            (
                "mlpy.json",
                r#"{"import_paths": ["."], "stdlib_mode": "python", "python_whitelist": ["xml.dom.minidom"]}"#,
            ),
            ("main.ml", GOLDEN_PYTHON_ML),
        ]);
        assert_eq!(body, GOLDEN_PYTHON_PY);
    }

    /// The green view answers what the typed AST answers: first tokens, operators,
    /// operands and slots, on valid code and on the trees of broken code.
    #[test]
    fn green_view_matches_the_typed_ast() {
        let mut sources = vec![GOLDEN_ML.to_string(), GOLDEN_PYTHON_ML.to_string()];
        // Every prefix of the program: the parser's error recovery makes odd trees.
        for end in (0..GOLDEN_ML.len()).step_by(7) {
            if GOLDEN_ML.is_char_boundary(end) {
                sources.push(GOLDEN_ML[..end].to_string());
            }
        }
        for op in [
            "||", "&&", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "//", "%",
        ] {
            sources.push(format!("x = a {op} b {op} (c {op});\ny = {op} a;\n"));
        }
        let range = |e: Option<Expr>| e.map(|e| e.syntax().text_range());
        let green = |n: Option<Node<'_>>| n.map(|n| n.range);
        for source in &sources {
            let parse = mlpy_syntax::parse(source);
            for node in parse.syntax_node().descendants() {
                let view = Node::of(&node);
                assert_eq!(
                    view.first_token(),
                    node.first_token().map(|t| (t.kind(), t.text_range())),
                    "{source}"
                );
                assert_eq!(
                    green(view.expr()),
                    range(node.children().find_map(Expr::cast))
                );
                if let Some(e) = Expr::cast(node.clone()) {
                    assert_eq!(stringy(view), is_stringy(&e), "{source}");
                    assert_eq!(
                        green(view.unparenthesized()),
                        range(e.clone().unparenthesized())
                    );
                }
                if let Some(b) = BinExpr::cast(node.clone()) {
                    assert_eq!(view.bin_op(), b.op(), "{source}");
                    assert_eq!(green(view.bin_operand(0)), range(b.lhs()));
                    assert_eq!(green(view.bin_operand(1)), range(b.rhs()));
                }
                if let Some(t) = ast::TernaryExpr::cast(node.clone()) {
                    const SEPARATORS: &[SyntaxKind] = &[SyntaxKind::QUESTION, SyntaxKind::COLON];
                    assert_eq!(
                        green(view.expr_in_slot(SEPARATORS, 0)),
                        range(t.condition())
                    );
                    assert_eq!(
                        green(view.expr_in_slot(SEPARATORS, 1)),
                        range(t.then_branch())
                    );
                    assert_eq!(
                        green(view.expr_in_slot(SEPARATORS, 2)),
                        range(t.else_branch())
                    );
                }
                if let Some(a) = ast::AssignStmt::cast(node.clone()) {
                    assert_eq!(green(a_slot(view, 0)), range(a.target()));
                    assert_eq!(green(a_slot(view, 1)), range(a.value()));
                }
                if let Some(f) = ast::FieldExpr::cast(node.clone()) {
                    assert_eq!(view.field_name().map(str::to_string), f.field_name());
                }
                if let Some(l) = ast::Literal::cast(node.clone()) {
                    assert_eq!(
                        view.first_token_text().map(|(k, t)| (k, t.to_string())),
                        l.token().map(|t| (t.kind(), t.text().to_string()))
                    );
                }
            }
        }
    }

    fn a_slot(view: Node<'_>, slot: usize) -> Option<Node<'_>> {
        view.expr_in_slot(&[SyntaxKind::EQ], slot)
    }

    const GOLDEN_ML: &str = r#"// golden: what the emitter writes

import geo.shapes;
import geo.shapes as gs;
import class;
import string;
import math as m;
import json;
capability files { allow read "data/*.txt"; }

print(geo.shapes.area(2), gs.from, class.new(), string.up("a"), m.floor(1.5)); // trailing
f = (geo).shapes.area; g = geo.shapes; k = geo.unit;
print(builtin.len([1, 2]), builtin.print, json.stringify({a: 1}));
a = 1; b = 2; c = 3;
x = [!a == b, a < b < c, a < b == b < c, -(-a), - -a, -1, (a > b ? a : b) + 1];
y = [[1][a > b ? 0 : 0], !(a && b) || c, (a - b) - (c - a), a * (b + c) / (a % b) // 2];
n = 1;
s = ["n=" + n, n + "!", "x" + str(n) + n, ("a" + n) + (n + "b"), "a" + (n + 1) + hex(n) + typeof(n)];
t = "q\"uote" + 'it\'s' + "tab\tnl\n\\" + "é\u2028" + '\u0001';
nums = [123456789012345678901234567890, 1.5e10, 0.000001, 1e999, -1e999, 007, -0];
obj = {a: 1, "b c": 2, from: 3,
       nested: {d: [1,
                    2,
                    3]},
       last: fn(v) => v + 1
};
obj.k = 5;
obj.from = 6;
obj["z"] = 7;
r = [obj.a + obj.nested.d[0], obj.nested.d[1:2], obj.nested.d[::2], obj.nested.d[1:], obj.nested.d[:-1:1]];
r2 = "abc".upper() + "a,b".split(",")[0] + [3, 1].count(1) + ("abc").lower();
r3 = [obj.method(1, 2), obj.nested.d.append(4), obj.m(), m.sqrt(4) + m.pi];
function total(items) {
    sum = 0;
    for (x in items) {
        sum = sum + x; // add
    }

    return sum;
}
function outer() {
    n = 0;
    function inner() {
        n = n + 1;
        if (true) { nonlocal n, c; }
        c = c + n;
    }
    inner();
    return n;
}
if (a > 2) {
    print(1);
} elif (total([fn(v) => { return v > 0; }])) {
    print(2);
} elif (a) {
} else {
    // only a comment
}
add = fn(p) => fn(q) => { return p + q; };
add2 = fn() => { };
add3 = fn(p, q) => p
    + q;
mk = fn(p) => [fn(q) => { return q; }, p];
{a, from} = obj;
[x1, y1] = [1, 2];
[only] = [1];
while (a < 10) {
    a = a + 1;
    if (a == 5) { continue; }
    if (a == 8) { break; }
}
try {
    throw {message: "boom"};
} except (e) {
    print(e);
} finally {
    print("done");
}
try { a = 2; } except { throw {}; }
values = [1,
          2,
          3
];
called = total(
    values
);
tern = (a
    ? b
    : c);
longexpr = a +
    b +
    "s" +
    c;
print(total(values), outer(), add(1)(2), mk(1)[0](2), add2(), add3(1, 2));
function from(class, def) { return class + def; }
print(from(1, 2));
lambda = 3;
print(lambda);
fnvar = total;
print(fnvar([1]));
total = 5;
"#;

    const GOLDEN_PY: &str = r#"def __mlpy_body():
    global hex, print, str, typeof, builtin, geo, gs, ml_class, ml_string, m, json, f, g, k, a, b, c, x, y, n, s, t, nums, obj, r, r2, r3, total, outer, add, add2, add3, mk, ml_from, x1, y1, only, e, values, called, tern, longexpr, ml_lambda, fnvar
    from mlpy_runtime.builtins import hex, print, str, typeof
    import mlpy_runtime.builtins as builtin
    # golden: what the emitter writes

    import geo.shapes
    import geo.shapes as gs
    import ml_class
    import ml_string
    from mlpy_runtime.stdlib import math as m
    from mlpy_runtime.stdlib import json

    print(geo.shapes.area(2), gs.ml_from, ml_class.new(), ml_string.up("a"), m.floor(1.5))  # trailing
    f = geo.shapes.area
    g = geo.shapes
    k = geo.unit
    print(builtin.len([1, 2]), builtin.print, json.stringify({"a": 1}))
    a = 1
    b = 2
    c = 3
    x = [(not a) == b, (a < b) < c, (a < b) == (b < c), - -a, - -a, -1, (a if a > b else b) + 1]
    y = [[1][(0 if a > b else 0)], not (a and b) or c, a - b - (c - a), a * (b + c) / (a % b) // 2]
    n = 1
    s = ["n=" + __ml.pystr(n), __ml.pystr(n) + "!", "x" + str(n) + __ml.pystr(n), "a" + __ml.pystr(n) + (__ml.pystr(n) + "b"), "a" + __ml.pystr(n + 1) + hex(n) + typeof(n)]
    t = 'q"uote' + "it's" + "tab\tnl\n\\" + "é\u2028" + "\x01"
    nums = [123456789012345678901234567890, 1.5e10, 0.000001, __ml.INF, -__ml.INF, 7, 0]
    obj = {"a": 1, "b c": 2, "from": 3,
        "nested": {"d": [1,
        2,
        3]},
        "last": lambda v: v + 1
        }
    obj["k"] = 5
    obj["from"] = 6
    obj["z"] = 7
    r = [__ml.attr(obj, "a") + __ml.attr(__ml.attr(obj, "nested"), "d")[0], __ml.sliceable(__ml.attr(__ml.attr(obj, "nested"), "d"))[1:2], __ml.sliceable(__ml.attr(__ml.attr(obj, "nested"), "d"))[::2], __ml.sliceable(__ml.attr(__ml.attr(obj, "nested"), "d"))[1:], __ml.sliceable(__ml.attr(__ml.attr(obj, "nested"), "d"))[:-1:1]]
    r2 = "abc".upper() + "a,b".split(",")[0] + [3, 1].count(1) + "abc".lower()
    r3 = [__ml.mcall(obj, "method", 1, 2), __ml.mcall(__ml.attr(__ml.attr(obj, "nested"), "d"), "append", 4), __ml.mcall(obj, "m"), m.sqrt(4) + m.pi]
    def total(items):
        sum = 0
        for x in items:
            sum = sum + x  # add

        return sum
    def outer():
        n = 0
        def inner():
            global c
            nonlocal n
            n = n + 1
            if True:
                pass
            c = c + n
        inner()
        return n
    def __arrow_1(v):
        return v > 0
    if a > 2:
        print(1)
    elif __ml.call(total, [__arrow_1]):
        print(2)
    elif a:
        pass
    else:
        # only a comment
        pass
    def __arrow_2(p):
        def __arrow_3(q):
            return p + q
        return __arrow_3
    add = __arrow_2
    add2 = lambda: {}
    add3 = lambda p, q: p + q
    def __arrow_4(p):
        def __arrow_5(q):
            return q
        return [__arrow_5, p]
    mk = __arrow_4
    __v1 = obj; a = __v1["a"]; ml_from = __v1["from"]
    x1, y1 = [1, 2]
    only, = [1]
    while a < 10:
        a = a + 1
        if a == 5:
            continue
        if a == 8:
            break
    try:
        raise __ml.MLUserException({"message": "boom"})
    except Exception as e:
        print(e)
    finally:
        print("done")
    try:
        a = 2
    except Exception:
        raise __ml.MLUserException({})
    values = [1,
        2,
        3
        ]
    called = __ml.call(total, 
        values
        )
    tern = (b if a else
        c)
    longexpr = __ml.pystr(a +
        b) + "s" + __ml.pystr(c)
    print(__ml.call(total, values), outer(), __ml.call(__ml.call(add, 1), 2), __ml.call(__ml.call(mk, 1)[0], 2), __ml.call(add2), __ml.call(add3, 1, 2))
    def ml_from(ml_class, ml_def):
        return ml_class + ml_def
    print(__ml.call(ml_from, 1, 2))
    ml_lambda = 3
    print(ml_lambda)
    fnvar = total
    print(__ml.call(fnvar, [1]))
    total = 5
__ml.source_map(__file__, ["main.ml"], "~12,1,,3,4,5,6,7,8,,11,12,12,12,13,14,14,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,,39,41,42,43,45,45,44,45,45,46,48,49,53,53,51,52,53,54,55,55,56,57,56,59,59,59,59,59,60,61,63,63,63,63,63,64,65,66,67,68,69,69,70,70,72,73,74,75,76,77,79,79,79,79,80,81,82,83,84,85,86,87,89,90,91,94,95,95,96,97,98,99,100,101,")
__ml.run_main(__mlpy_body)
"#;

    const GOLDEN_PYTHON_ML: &str = r#"import re;
import itertools as col;
import json;
import xml.dom.minidom;
import xml.dom.minidom as mini;
x = re.compile("a+");
y = col.nothing;
z = json.stringify;
d = xml.dom.minidom.parseString("<a/>");
d2 = mini.parseString("<b/>");
d3 = xml.dom;
d4 = xml.dom.minidom.Node.ELEMENT_NODE;
print(x, y, z, d, d2, d3, d4, re.I);
"#;

    const GOLDEN_PYTHON_PY: &str = r#"def __mlpy_body():
    global print, re, col, json, xml, mini, x, y, z, d, d2, d3, d4
    from mlpy_runtime.builtins import print
    re = __ml.import_python("re")
    col = __ml.import_python("itertools")
    from mlpy_runtime.stdlib import json
    xml = __ml.import_python("xml.dom.minidom", True)
    mini = __ml.import_python("xml.dom.minidom")
    x = __ml.mcall(re, "compile", "a+")
    y = __ml.attr(col, "nothing")
    z = json.stringify
    d = __ml.mcall(__ml.attr(__ml.attr(xml, "dom"), "minidom"), "parseString", "<a/>")
    d2 = __ml.mcall(mini, "parseString", "<b/>")
    d3 = __ml.attr(xml, "dom")
    d4 = __ml.attr(__ml.attr(__ml.attr(__ml.attr(xml, "dom"), "minidom"), "Node"), "ELEMENT_NODE")
    print(x, y, z, d, d2, d3, d4, __ml.attr(re, "I"))
__ml.source_map(__file__, ["main.ml"], "~11,1,2,3,4,5,6,7,8,9,10,11,12,13,")
__ml.run_main(__mlpy_body)
"#;
}
