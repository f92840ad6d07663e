//! Semantic and security checks of ML modules: everything a transpile refuses beyond
//! syntax and imports (which `mlpy_modules::check` reports).
//!
//! * unknown identifiers, with suggestions;
//! * `break`/`continue` outside a loop, `return` outside a function, assignments Python
//!   cannot express (`null = 1`, `f() = 1`, a member of a module), `nonlocal` of a
//!   parameter, repeated parameters, names that collide once keywords are renamed;
//! * members of standard-library modules and of `builtin` that do not exist;
//! * the static security rules of the reference (§7.1): identifiers starting with `__`
//!   (reads and writes: emitter-internal names use that prefix), dangerous Python builtins,
//!   dangerous imports, dangerous code patterns in strings, reflection members, overly
//!   broad capability declarations;
//! * capabilities a module declares but the program is not granted (a warning);
//! * what Python's compiler refuses or warns about in the emitted code: integer literals
//!   over 4300 digits, indexing that fails whatever the values (`1[0]`, `"abc"["x"]`).

use crate::capabilities::{capability_covered, declared_capabilities, needs_grant};
use crate::facts::{FieldRef, ProgramFacts};
use crate::names::{is_reserved, RENAME_PREFIX};
use crate::semantics::ModuleRef;
use mlpy_modules::scopes::{BindingKind, ModuleScopes, NameRes, ScopeKind};
use mlpy_modules::stdlib::{stdlib_module, BUILTINS, STDLIB_MODULES};
use mlpy_modules::suggest::{suggestions, SuggestionBudget};
use mlpy_modules::{Diagnostic, DiagnosticCode, EdgeTarget, ModuleId};
use mlpy_syntax::ast::{self, ArrowBody, AstNode, BinOp, Expr};
use mlpy_syntax::text::{number_value, NumberValue};
use mlpy_syntax::{
    MlLanguage, SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize, WalkEvent,
};
use rowan::NodeOrToken;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

/// Python builtins that must never be reached (reference §7.1).
pub const DANGEROUS_BUILTINS: &[&str] = &[
    "compile",
    "copyright",
    "credits",
    "dir",
    "eval",
    "exec",
    "execfile",
    "exit",
    "globals",
    "license",
    "locals",
    "open",
    "quit",
    "vars",
];

/// Names that are refused as the callee of a call (reference §7.1).
pub const DANGEROUS_CALLS: &[&str] = &[
    "__import__",
    "compile",
    "delattr",
    "dir",
    "eval",
    "exec",
    "file",
    "globals",
    "locals",
    "raw_input",
    "vars",
];

/// Members that give access to the interpreter's internals.
pub const REFLECTION_MEMBERS: &[&str] = &[
    "__bases__",
    "__class__",
    "__closure__",
    "__code__",
    "__defaults__",
    "__dict__",
    "__globals__",
    "__kwdefaults__",
    "__mro__",
    "__subclasses__",
];

/// Code patterns refused inside string literals (matched case-insensitively; a `(` may
/// follow after spaces).
const DANGEROUS_STRING_CALLS: &[&str] = &["eval", "exec", "__import__", "open", "os.system"];

/// The diagnostics of the transpiler's own checks for module `id` (not the graph's).
pub fn module_checks(
    facts: &ProgramFacts<'_>,
    id: ModuleId,
    granted: &[String],
) -> Vec<Diagnostic> {
    let mut checker = Checker {
        facts,
        id,
        path: &facts.node(id).path,
        out: Vec::new(),
        budget: SuggestionBudget::for_module(facts.node(id).file.text.len()),
        assignments: Vec::new(),
    };
    let file = facts.node(id).file.parse.tree();
    checker.walk(file.syntax());
    checker.reads_before_local_assignment();
    checker.module_reads_before_definition(&file);
    checker.imports();
    checker.capabilities(&file, granted);
    checker.out.sort_by_key(|d| d.range.start());
    checker.out
}

impl Checker<'_, '_> {
    /// A function that assigns a name its enclosing code also defines makes that name its
    /// own local for the whole function (Python's rule, and ML's); a read of it before the
    /// first assignment is then Python's `UnboundLocalError` at run time, where the writer
    /// meant the outer one (`n = n + 1;` for a module's counter). Warned about at the
    /// first such read of each local, as pyflakes does (F823): a loop may run the read
    /// after the assignment, so it is a warning. Reads inside nested functions run later
    /// and are left alone.
    fn reads_before_local_assignment(&mut self) {
        let scopes = self.facts.scopes(self.id);
        for (index, binding) in scopes.bindings.iter().enumerate() {
            if binding.kind != BindingKind::Variable
                || scopes.scope(binding.scope).kind == ScopeKind::Module
            {
                continue;
            }
            // The first assignment is complete at the end of its statement: the read in
            // `n = n + 1` comes before it.
            let assigned = self.assignment_end(binding.decl);
            let id = mlpy_modules::scopes::BindingId(index as u32);
            let Some(read) = scopes.references(id).iter().copied().find(|r| {
                r.start() < assigned
                    && !binding.is_def(*r)
                    && scopes.scope_of_use(*r) == Some(binding.scope)
            }) else {
                continue;
            };
            // Looked for only now: walking out through the enclosing scopes for every
            // local of deeply nested functions would cost the square of the depth.
            let Some((outer_scope, outer)) =
                scopes.outer_binding(binding.scope, &binding.name, MAX_OUTER_SCOPES)
            else {
                continue;
            };
            let outer = scopes.binding(outer);
            let function = match &scopes.scope(binding.scope).name {
                Some(name) => format!("'{name}'"),
                None => "this function".to_string(),
            };
            let outer_place = match scopes.scope(outer_scope).kind {
                ScopeKind::Module => "the module's",
                _ => "the enclosing function's",
            };
            let name = &binding.name;
            let mut d = Diagnostic::warning(
                DiagnosticCode::ReadBeforeAssignment,
                self.path,
                read,
                format!(
                    "'{name}' is read before {function} assigns it: the assignment makes '{name}' local to {function}, so this is not {outer_place} '{name}' (at run time: \"cannot access local variable\")"
                ),
            );
            d.notes.push(format!(
                "to change {outer_place} '{name}', write `nonlocal {name};` at the start of {function}; to keep a local, assign it before reading it"
            ));
            d.related.push(mlpy_modules::Related {
                file: self.path.to_path_buf(),
                range: outer.decl,
                message: format!("{outer_place} '{name}'"),
            });
            d.related.push(mlpy_modules::Related {
                file: self.path.to_path_buf(),
                range: binding.decl,
                message: format!("assigned in {function} here"),
            });
            self.out.push(d);
        }
    }
}

impl Checker<'_, '_> {
    /// A module's top-level code runs in order, once, and binds its names as it goes
    /// (`x = …`, `function f`, `import m` are statements, never hoisted): a name read by
    /// top-level code before any statement could have bound it is Python's `NameError` in
    /// every mode (`n = g();` above `function g`, `print(um.x);` above `import um;`, a
    /// module using its own later variable). An error where the read is certain to run
    /// then (a statement of the module itself, outside `&&`, `||` and `?:`); a warning
    /// where a condition guards it. Not reported: reads in a loop that also defines the
    /// name (a later iteration may read it), reads inside functions (they run when
    /// called), and names a function may have bound already through `nonlocal` above the read.
    fn module_reads_before_definition(&mut self, file: &ast::SourceFile) {
        let scopes = self.facts.scopes(self.id);
        let module_scope = scopes.module_scope();
        // The earliest `nonlocal` naming each module binding: a function written above
        // the read may have assigned the name before the read runs.
        let mut nonlocal_at: HashMap<u32, TextSize> = HashMap::default();
        for scope in &scopes.scopes {
            for (_, range) in &scope.nonlocals {
                if let Some(target) = scopes.nonlocal_target(*range) {
                    let at = nonlocal_at.entry(target.0).or_insert(range.start());
                    *at = (*at).min(range.start());
                }
            }
        }
        for &id in &scopes.scope(module_scope).bindings {
            let binding = scopes.binding(id);
            if self.facts.is_builtin_until_defined(self.id, id) {
                // The module's name is the builtin until its own `function` statement runs
                // (the emitted module binds it first), as a Python module's global falls
                // back to the builtin: `print(max(1, 2)); function max(a, b) {…}` calls the
                // builtin, as the reference did in call position.
                continue;
            }
            let bound_from = match binding.kind {
                // A variable is bound once its whole assignment has run (`x = x + 1`).
                BindingKind::Variable => self.assignment_end(binding.decl),
                _ => binding.decl.start(),
            };
            let bound_from = nonlocal_at
                .get(&id.0)
                .map_or(bound_from, |&n| bound_from.min(n));
            let Some(read) = scopes.references(id).iter().copied().find(|r| {
                r.start() < bound_from
                    && !binding.is_def(*r)
                    && scopes.scope_of_use(*r) == Some(module_scope)
            }) else {
                continue;
            };
            let Some(certain) = top_level_read_runs_first(file, read, &binding.defs) else {
                continue;
            };
            let name = &binding.name;
            let what = match binding.kind {
                BindingKind::Function => format!("function '{name}' is defined"),
                BindingKind::Import => format!("'{name}' is imported"),
                _ => format!("'{name}' is assigned"),
            };
            let message = format!(
                "'{name}' is read here before {what}: the module's code runs in order, so this read fails (at run time: \"name '{name}' is not defined\")"
            );
            let mut d = if certain {
                Diagnostic::error(DiagnosticCode::UnknownIdentifier, self.path, read, message)
            } else {
                Diagnostic::warning(
                    DiagnosticCode::ReadBeforeAssignment,
                    self.path,
                    read,
                    message,
                )
            };
            d.notes.push(format!(
                "move the definition of '{name}' above its first use, or the use into a function called later"
            ));
            d.related.push(mlpy_modules::Related {
                file: self.path.to_path_buf(),
                range: binding.decl,
                message: format!("'{name}' is first bound here"),
            });
            self.out.push(d);
        }
    }
}

/// Whether a top-level read of a name at `read`, ahead of every definition in `defs`,
/// runs before them: `Some(true)` when nothing guards it, `Some(false)` when a condition
/// (`if`, a loop, `try`, `&&`, `||`, `?:`) does, `None` when a loop around it also
/// defines the name (a later iteration may read what an earlier one bound).
fn top_level_read_runs_first(
    file: &ast::SourceFile,
    read: TextRange,
    defs: &[TextRange],
) -> Option<bool> {
    let mut certain = true;
    let element = file.syntax().covering_element(read);
    let mut node = match element {
        NodeOrToken::Node(n) => Some(n),
        NodeOrToken::Token(t) => t.parent(),
    };
    while let Some(n) = node {
        match n.kind() {
            SyntaxKind::WHILE_STMT | SyntaxKind::FOR_STMT => {
                let range = n.text_range();
                if defs.iter().any(|d| range.contains_range(*d)) {
                    return None;
                }
                certain = false;
            }
            SyntaxKind::IF_STMT | SyntaxKind::TRY_STMT | SyntaxKind::TERNARY_EXPR => {
                certain = false
            }
            SyntaxKind::BIN_EXPR
                if ast::BinExpr::cast(n.clone())
                    .and_then(|b| b.op())
                    .is_some_and(|op| matches!(op, BinOp::And | BinOp::Or)) =>
            {
                certain = false
            }
            _ => {}
        }
        node = n.parent();
    }
    Some(certain)
}

/// How many enclosing scopes are searched for the outer name: each local read before its
/// assignment costs one walk out, and in functions nested thousands deep (each with such a
/// local) unbounded walks would cost the square of the depth. A warning missed there is
/// a heuristic's loss, not a wrong answer.
const MAX_OUTER_SCOPES: usize = 64;

impl Checker<'_, '_> {
    /// Where the assignment statement whose target holds `name` ends (the name's own end
    /// when none does): the last statement to start at or before it, found by binary
    /// search in the walk's list (`assignments`, in source order). A statement nested in
    /// an earlier one (in an arrow's body) starts later than it, so the last to start is
    /// the innermost.
    fn assignment_end(&self, name: TextRange) -> TextSize {
        let i = self
            .assignments
            .partition_point(|r| r.start() <= name.start());
        match i.checked_sub(1).map(|i| self.assignments[i]) {
            Some(statement) if statement.contains_range(name) => statement.end(),
            _ => name.end(),
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Context {
    in_loop: bool,
    in_function: bool,
}

struct Checker<'a, 'g> {
    facts: &'a ProgramFacts<'g>,
    id: ModuleId,
    path: &'a Path,
    out: Vec<Diagnostic>,
    /// For the suggestions of unknown names.
    budget: SuggestionBudget,
    /// Every assignment statement, in source order (the walk's).
    assignments: Vec<TextRange>,
}

/// Limits of CPython's compiler (3.9–3.13) the emitted code must stay under.
const MAX_INDENT: u32 = 90; // indentation levels (Python: 100)
const MAX_STATIC_BLOCKS: u32 = 20; // nested loops and try blocks in one function (Python: 20)
const MAX_BRACKETS: u32 = 150; // nested brackets (Python: 200)
const MAX_EXPR_DEPTH: u32 = 1000; // nested expressions (Python's compiler recursion)
/// Digits of an integer literal: CPython's `int_max_str_digits` default (3.11+, and the
/// 3.9.14 and 3.10.7 security releases); older Pythons accept it too.
const MAX_INT_DIGITS: usize = 4300;

impl Checker<'_, '_> {
    fn error(
        &mut self,
        code: DiagnosticCode,
        range: TextRange,
        message: String,
    ) -> &mut Diagnostic {
        self.out
            .push(Diagnostic::error(code, self.path, range, message));
        self.out.last_mut().expect("just pushed")
    }

    /// One walk over the tree: identifiers starting with `__`, names, members, strings,
    /// names that collide once renamed, and the nesting limits of Python.
    fn walk(&mut self, root: &SyntaxNode) {
        let mut names: HashMap<String, TextRange> = HashMap::default();
        let mut indent = 0u32;
        // Static blocks per enclosing function, innermost last.
        let mut blocks: Vec<u32> = vec![0];
        let mut brackets = 0u32;
        let mut expr_depth = 0u32;
        let mut too_deep = false;
        // The brackets the emitter adds around each open binary expression (see
        // `emitted_parens`), to take off again when it is left.
        let mut added: Vec<u32> = Vec::new();
        // Statement context: innermost last.
        let mut contexts: Vec<Context> = vec![Context::default()];
        // Nodes only: the identifiers are read from each node's green children, so that no
        // cursor is made for the many tokens (whitespace, punctuation) the rules ignore.
        for event in root.preorder() {
            match event {
                WalkEvent::Enter(node) => {
                    let kind = node.kind();
                    self.identifiers(&node, &mut names);
                    self.statement_rules(&node, &mut contexts);
                    match kind {
                        SyntaxKind::PATH_EXPR => {
                            if let Some(path) = ast::PathExpr::cast(node.clone()) {
                                self.path_expr(&path);
                            }
                        }
                        SyntaxKind::FIELD_EXPR => {
                            if let Some(field) = ast::FieldExpr::cast(node.clone()) {
                                self.field_expr(&field);
                            }
                        }
                        SyntaxKind::LITERAL => {
                            if let Some(token) = node.first_token() {
                                match token.kind() {
                                    SyntaxKind::STRING => self.string_literal(&token),
                                    SyntaxKind::NUMBER => self.number_literal(&token),
                                    _ => {}
                                }
                            }
                        }
                        SyntaxKind::INDEX_EXPR => {
                            if let Some(index) = ast::IndexExpr::cast(node.clone()) {
                                self.index_expr(&index);
                            }
                        }
                        SyntaxKind::CALL_EXPR => {
                            let called = self.facts.called_module_at(
                                self.id,
                                node.green(),
                                node.text_range(),
                            );
                            if let Some((module, range)) = called {
                                self.module_called(&module, range);
                            }
                        }
                        SyntaxKind::ASSIGN_STMT => self.assignments.push(node.text_range()),
                        _ => {}
                    }
                    let (i, b, k, e) = nesting(kind);
                    indent += i;
                    brackets += k;
                    if kind == SyntaxKind::BIN_EXPR {
                        let extra = emitted_parens(&node);
                        brackets += extra;
                        added.push(extra);
                    }
                    expr_depth += e;
                    if matches!(kind, SyntaxKind::FUNCTION | SyntaxKind::ARROW_EXPR) {
                        blocks.push(0);
                    }
                    if let Some(last) = blocks.last_mut() {
                        *last += b;
                    }
                    let current = blocks.last().copied().unwrap_or(0);
                    if !too_deep {
                        let problem = if indent > MAX_INDENT {
                            Some(format!("blocks nested more than {MAX_INDENT} levels deep"))
                        } else if current > MAX_STATIC_BLOCKS {
                            Some(format!("more than {MAX_STATIC_BLOCKS} loops and try blocks nested in one function"))
                        } else if brackets > MAX_BRACKETS {
                            Some(format!(
                                "brackets nested more than {MAX_BRACKETS} levels deep"
                            ))
                        } else if expr_depth > MAX_EXPR_DEPTH {
                            Some(format!(
                                "expressions nested more than {MAX_EXPR_DEPTH} levels deep"
                            ))
                        } else {
                            None
                        };
                        if let Some(problem) = problem {
                            too_deep = true;
                            let range = node
                                .first_token()
                                .map(|t| t.text_range())
                                .unwrap_or_else(|| node.text_range());
                            self.error(
                                DiagnosticCode::TooDeep,
                                range,
                                format!("code nested too deeply for Python: {problem}"),
                            )
                            .notes
                            .push("split it into functions".to_string());
                        }
                    }
                }
                WalkEvent::Leave(node) => {
                    let kind = node.kind();
                    if matches!(
                        kind,
                        SyntaxKind::FUNCTION
                            | SyntaxKind::ARROW_EXPR
                            | SyntaxKind::WHILE_STMT
                            | SyntaxKind::FOR_STMT
                    ) {
                        contexts.pop();
                    }
                    let (i, b, k, e) = nesting(kind);
                    indent -= i;
                    brackets -= k;
                    if kind == SyntaxKind::BIN_EXPR {
                        brackets -= added.pop().unwrap_or(0);
                    }
                    expr_depth -= e;
                    if let Some(last) = blocks.last_mut() {
                        *last -= b;
                    }
                    if matches!(kind, SyntaxKind::FUNCTION | SyntaxKind::ARROW_EXPR) {
                        blocks.pop();
                    }
                }
            }
        }
        self.renamed_collisions(&names);
    }

    /// The IDENT tokens directly inside `node`: identifiers starting with `__`, and the
    /// names (definitions and plain uses) for the renamed-collision check.
    fn identifiers(&mut self, node: &SyntaxNode, names: &mut HashMap<String, TextRange>) {
        let kind = node.kind();
        let mut offset = node.text_range().start();
        for (i, child) in node.green().children().enumerate() {
            let len = match child {
                NodeOrToken::Node(n) => n.text_len(),
                NodeOrToken::Token(t) => t.text_len(),
            };
            if let NodeOrToken::Token(t) = child {
                if <MlLanguage as rowan::Language>::kind_from_raw(t.kind()) == SyntaxKind::IDENT {
                    let text = t.text();
                    if text.starts_with("__") {
                        if let Some(token) = node
                            .children_with_tokens()
                            .nth(i)
                            .and_then(NodeOrToken::into_token)
                        {
                            self.dunder(&token);
                        }
                    }
                    let is_name = match kind {
                        SyntaxKind::NAME => true,
                        SyntaxKind::NAME_REF => node
                            .parent()
                            .is_some_and(|g| g.kind() == SyntaxKind::PATH_EXPR),
                        _ => false,
                    };
                    if is_name {
                        names
                            .entry(text.to_string())
                            .or_insert(TextRange::at(offset, len));
                    }
                }
            }
            offset += len;
        }
    }

    fn dunder(&mut self, token: &SyntaxToken) {
        let name = token.text();
        let parent = token.parent().map(|p| p.kind());
        let grandparent = token
            .parent()
            .and_then(|p| p.parent())
            .map(|g| (g.kind(), g));
        let message = match (parent, &grandparent) {
            // Resolving `import __x;` is refused by the resolver already.
            (Some(SyntaxKind::IMPORT_PATH), _) => return,
            (Some(SyntaxKind::NAME_REF), Some((SyntaxKind::FIELD_EXPR, _))) => {
                if REFLECTION_MEMBERS.contains(&name) {
                    format!("Dunder member access '{name}' is forbidden: access to reflection attribute '{name}' is prohibited for security")
                } else {
                    format!("Dunder member access '{name}' is forbidden in ML code")
                }
            }
            (Some(SyntaxKind::NAME_REF), Some((SyntaxKind::PATH_EXPR, path)))
                if path.parent().is_some_and(|c| {
                    c.kind() == SyntaxKind::CALL_EXPR && c.first_child().as_ref() == Some(path)
                }) =>
            {
                format!("Dunder function call '{name}' is forbidden in ML code")
            }
            (Some(SyntaxKind::NAME), Some((SyntaxKind::FUNCTION, _))) => {
                format!("Dunder function name '{name}' is forbidden in ML code")
            }
            (Some(SyntaxKind::NAME), Some((SyntaxKind::PARAM, _))) => {
                format!("Dunder parameter name '{name}' is forbidden in ML code")
            }
            (Some(SyntaxKind::OBJECT_FIELD), _) => {
                format!(
                    "Dunder object key '{name}' is forbidden in ML code; write it as a string key"
                )
            }
            _ => format!("Dunder identifier '{name}' is forbidden in ML code"),
        };
        self.error(DiagnosticCode::SecurityDunder, token.text_range(), message)
            .notes
            .push("names starting with '__' are reserved: they reach Python internals".to_string());
    }

    /// `break`/`continue` outside a loop, `return` outside a function, parameters,
    /// assignments; keeps the statement context up to date.
    fn statement_rules(&mut self, node: &SyntaxNode, contexts: &mut Vec<Context>) {
        let cx = contexts.last().copied().unwrap_or_default();
        match node.kind() {
            SyntaxKind::BREAK_STMT if !cx.in_loop => {
                self.error(
                    DiagnosticCode::BreakOutsideLoop,
                    node.text_range(),
                    "'break' outside a loop".to_string(),
                );
            }
            SyntaxKind::CONTINUE_STMT if !cx.in_loop => {
                self.error(
                    DiagnosticCode::ContinueOutsideLoop,
                    node.text_range(),
                    "'continue' outside a loop".to_string(),
                );
            }
            SyntaxKind::RETURN_STMT if !cx.in_function => {
                self.error(
                    DiagnosticCode::ReturnOutsideFunction,
                    node.text_range(),
                    "'return' outside a function".to_string(),
                );
            }
            SyntaxKind::ASSIGN_STMT => {
                if let Some(a) = ast::AssignStmt::cast(node.clone()) {
                    self.assign(&a);
                }
            }
            SyntaxKind::FUNCTION => {
                if let Some(f) = ast::FunctionDef::cast(node.clone()) {
                    self.params(f.params().collect());
                    self.function_nonlocals(node, f.params().collect());
                }
                contexts.push(Context {
                    in_loop: false,
                    in_function: true,
                });
            }
            SyntaxKind::ARROW_EXPR => {
                if let Some(a) = ast::ArrowExpr::cast(node.clone()) {
                    self.params(a.params().collect());
                    if matches!(a.body(), Some(ArrowBody::Block(_))) {
                        self.function_nonlocals(node, a.params().collect());
                    }
                }
                contexts.push(Context {
                    in_loop: false,
                    in_function: true,
                });
            }
            SyntaxKind::WHILE_STMT | SyntaxKind::FOR_STMT => contexts.push(Context {
                in_loop: true,
                in_function: cx.in_function,
            }),
            _ => {}
        }
    }

    // ---- names, calls, members, strings ----

    fn path_expr(&mut self, path: &ast::PathExpr) {
        let Some(token) = path.name_ref().and_then(|n| n.ident_token()) else {
            return;
        };
        let range = token.text_range();
        let name = token.text();
        if name.starts_with("__") {
            // Refused as a dunder identifier.
            return;
        }
        let scopes = self.facts.scopes(self.id);
        if scopes.resolve(range) != NameRes::Unknown {
            // A name the program defines never reaches Python's own builtins.
            return;
        }
        // A `nonlocal` (here or in an enclosing function) that names nothing: its own
        // error says so, once.
        if scopes
            .enclosing(range.start())
            .any(|s| s.nonlocals.iter().any(|(declared, _)| declared == name))
        {
            return;
        }
        let is_callee = path.syntax().parent().is_some_and(|p| {
            p.kind() == SyntaxKind::CALL_EXPR && p.first_child().as_ref() == Some(path.syntax())
        });
        if is_callee && DANGEROUS_CALLS.contains(&name) {
            self.error(
                DiagnosticCode::SecurityCall,
                range,
                format!("Dangerous code injection operation '{name}' is not allowed"),
            );
            return;
        }
        if DANGEROUS_BUILTINS.contains(&name) {
            self.error(
                DiagnosticCode::SecurityBuiltin,
                range,
                format!("Dangerous Python builtin '{name}' cannot be used in ML code"),
            );
            return;
        }
        let offset = range.start();
        // The names in scope, unless the module has spent its budget for suggestions
        // (counted before they are collected: there may be as many as the module has).
        let in_scope = BUILTINS.len()
            + 3
            + scopes
                .enclosing(offset)
                .map(|s| s.bindings.len())
                .sum::<usize>();
        let near = if self.budget.take(name, in_scope) {
            let visible = scopes.visible_bindings(offset);
            let candidates = visible
                .iter()
                .map(|&b| scopes.binding(b).name.as_str())
                .chain(BUILTINS.iter().copied())
                .chain(["null", "true", "false"]);
            suggestions(name, candidates)
        } else {
            Vec::new()
        };
        let mut d = if is_callee {
            // The reference compiles calls of unknown functions (they fail when run);
            // programs rely on it in functions they never call.
            Diagnostic::warning(
                DiagnosticCode::UnknownFunction,
                self.path,
                range,
                format!("Unknown function '{name}': calling it fails at run time"),
            )
        } else {
            Diagnostic::error(
                DiagnosticCode::UnknownIdentifier,
                self.path,
                range,
                format!("Unknown identifier '{name}'"),
            )
        };
        if STDLIB_MODULES.contains(&name) {
            d.notes.push(format!(
                "'{name}' is a standard-library module: add `import {name};` at the top of the file"
            ));
        } else if let Some(first) = near.first() {
            d.notes.push(format!("did you mean '{first}'?"));
        } else {
            d.notes.push(
                "not a variable, function, parameter, import or builtin in scope here".to_string(),
            );
        }
        self.out.push(d);
    }

    fn field_expr(&mut self, field: &ast::FieldExpr) {
        let Some(token) = field.name_ref().and_then(|m| m.ident_token()) else {
            return;
        };
        let name = token.text();
        if name.starts_with("__") {
            return;
        }
        // `a.b` where `a.b` is itself an imported module is not a member.
        let module = match self.facts.field_ref(self.id, field) {
            Some(FieldRef::Member(module)) => module,
            Some(FieldRef::Module(module)) => {
                let called = field
                    .syntax()
                    .parent()
                    .and_then(ast::CallExpr::cast)
                    .and_then(|call| call.callee())
                    .is_some_and(|c| c.syntax() == field.syntax());
                if called {
                    self.module_called(&module, field.syntax().text_range());
                }
                return;
            }
            None => return,
        };
        match &module.target {
            ModuleRef::Stdlib(stdlib) => {
                let Some(info) = stdlib_module(stdlib) else {
                    return;
                };
                if info.has_member(name) {
                    return;
                }
                let near = suggestions(name, info.member_names());
                let d = self.error(
                    DiagnosticCode::UnknownMember,
                    token.text_range(),
                    format!("module '{stdlib}' has no member '{name}'"),
                );
                if let Some(first) = near.first() {
                    d.notes.push(format!("did you mean '{first}'?"));
                }
            }
            ModuleRef::Builtins => {
                if BUILTINS.contains(&name) {
                    return;
                }
                let near = suggestions(name, BUILTINS.iter().copied());
                let d = self.error(
                    DiagnosticCode::UnknownMember,
                    token.text_range(),
                    format!("'builtin' has no function '{name}'"),
                );
                if let Some(first) = near.first() {
                    d.notes.push(format!("did you mean '{first}'?"));
                }
            }
            // User modules are checked by the module graph.
            _ => {}
        }
    }

    fn string_literal(&mut self, token: &SyntaxToken) {
        let value = mlpy_syntax::text::string_value(token.text());
        // Every pattern ends in `(` or `.`, which no other character lower-cases to: most
        // strings need neither lower-casing nor searching.
        if !value.bytes().any(|b| b == b'(' || b == b'.') {
            return;
        }
        if let Some(pattern) = dangerous_pattern(&value.to_lowercase()) {
            self.error(
                DiagnosticCode::SecurityString,
                token.text_range(),
                format!("String contains potentially dangerous code pattern '{pattern}'"),
            )
            .notes
            .push("strings that look like calls of eval, exec, __import__, open, os.system or subprocess are refused".to_string());
        }
    }

    /// Integer literals Python refuses to compile: CPython limits the conversion of
    /// decimal text to `int` to 4300 digits (3.11+, and the 3.9 and 3.10 security
    /// releases), a literal too.
    fn number_literal(&mut self, token: &SyntaxToken) {
        let NumberValue::Int(digits) = number_value(token.text()) else {
            return;
        };
        let count = digits.trim_start_matches('-').len();
        if count > MAX_INT_DIGITS {
            self.error(
                DiagnosticCode::IntegerTooLarge,
                token.text_range(),
                format!("integer literal of {count} digits: Python accepts at most {MAX_INT_DIGITS} digits in an integer literal"),
            )
            .notes
            .push("compute the number with arithmetic (e.g. a product of smaller numbers), or use a float if an approximation will do".to_string());
        }
    }

    /// `m(…)` where `m` names a module (`range`: the callee): a module is no function, so
    /// the call fails whenever it runs — also where the module's name is a builtin's
    /// (`import print;` binds `print` to the module, but `print(x)` calls the builtin).
    fn module_called(&mut self, module: &crate::facts::ModRef, range: TextRange) {
        self.error(
            DiagnosticCode::NotCallable,
            range,
            format!("module '{}' cannot be called", module.ml_path),
        )
        .notes
        .push("call one of its functions: `module.name(…)`".to_string());
    }

    /// `a[i]` that fails whatever happens, told by the kinds of values alone: indexing a
    /// module, a number, boolean, null or function, or a string or array with an index that is not
    /// a whole number. Python's compiler warns about these (`SyntaxWarning: 'int' object
    /// is not subscriptable; perhaps you missed a comma?`, naming the emitted file), so
    /// they are reported here, at the ML place.
    fn index_expr(&mut self, index: &ast::IndexExpr) {
        let Some(base) = index.base() else {
            return;
        };
        // A module is no object: `m["x"]` fails in every mode (read or assigned), where
        // `m.x` is meant.
        if let Some(module) = self.facts.module_ref(self.id, &base) {
            self.error(
                DiagnosticCode::InvalidIndex,
                base.syntax().text_range(),
                format!("module '{}' cannot be indexed", module.ml_path),
            )
            .notes
            .push("read a member as `module.name`; modules are not objects: this fails whenever it runs".to_string());
            return;
        }
        let base_kind = self.kind_of(&base);
        if let Some(kind @ (Kind::Int | Kind::Float | Kind::Bool | Kind::Null | Kind::Function)) =
            base_kind
        {
            self.error(
                DiagnosticCode::InvalidIndex,
                base.syntax().text_range(),
                format!("{} cannot be indexed", kind.described()),
            )
            .notes
            .push(
                "only strings, arrays and objects can be indexed: this fails whenever it runs"
                    .to_string(),
            );
            return;
        }
        let (Some(container @ (Kind::Str | Kind::List)), Some(i)) = (base_kind, index.index())
        else {
            return;
        };
        if let Some(kind) = self.kind_of(&i) {
            if !matches!(kind, Kind::Int | Kind::Bool) {
                self.error(
                    DiagnosticCode::InvalidIndex,
                    i.syntax().text_range(),
                    format!(
                        "{} cannot be indexed with {}",
                        container.described(),
                        kind.described()
                    ),
                )
                .notes
                .push("the index of a string or an array is a whole number: this fails whenever it runs".to_string());
            }
        }
    }

    /// The kind of value an expression certainly has, when its form alone tells (literals
    /// and what is computed from literals only), else `None`.
    fn kind_of(&self, e: &Expr) -> Option<Kind> {
        kind_and_stringy(self.facts.scopes(self.id), e).0
    }

    // ---- statements ----

    fn params(&mut self, params: Vec<ast::Param>) {
        let mut seen = HashSet::default();
        for param in params {
            let Some(token) = param.name().and_then(|n| n.ident_token()) else {
                continue;
            };
            if !seen.insert(token.text().to_string()) {
                self.error(
                    DiagnosticCode::DuplicateParameter,
                    token.text_range(),
                    format!("duplicate parameter '{}'", token.text()),
                );
            }
        }
    }

    /// `nonlocal p` where `p` is a parameter of the same function.
    fn function_nonlocals(&mut self, function: &SyntaxNode, params: Vec<ast::Param>) {
        let names: HashSet<String> = params
            .iter()
            .filter_map(|p| p.name().map(|n| n.text()))
            .collect();
        if names.is_empty() {
            return;
        }
        let Some(scope) = self.facts.scope_of(self.id, function.text_range()) else {
            return;
        };
        let scopes = self.facts.scopes(self.id);
        for (name, range) in &scopes.scope(scope).nonlocals {
            if names.contains(name) {
                self.error(
                    DiagnosticCode::Nonlocal,
                    *range,
                    format!(
                        "'{name}' is a parameter of this function and cannot be declared nonlocal"
                    ),
                );
            }
        }
    }

    fn assign(&mut self, assign: &ast::AssignStmt) {
        let Some(target) = assign.target() else {
            return;
        };
        match &target {
            Expr::Path(path) => {
                let name = path.name();
                if name == mlpy_modules::stdlib::UNASSIGNABLE_NULL {
                    self.error(
                        DiagnosticCode::InvalidAssignment,
                        path.syntax().text_range(),
                        format!("cannot assign to '{name}'"),
                    );
                }
            }
            Expr::Index(_) => {}
            Expr::Field(field) => {
                if let Some(receiver) = field.receiver() {
                    if let Some(module) = self.facts.module_ref(self.id, &receiver) {
                        self.error(
                            DiagnosticCode::InvalidAssignment,
                            target.syntax().text_range(),
                            format!(
                                "cannot assign to a member of module '{}'",
                                module.ml_path
                            ),
                        )
                        .notes
                        .push("modules are read-only from outside: give the module a function that changes its variable".to_string());
                    }
                }
            }
            _ => {
                self.error(
                    DiagnosticCode::InvalidAssignment,
                    target.syntax().text_range(),
                    "cannot assign to this expression: only a name, an index `a[i]` or a member `o.k` can be assigned".to_string(),
                );
            }
        }
    }

    // ---- imports and capabilities ----

    fn imports(&mut self) {
        let node = self.facts.node(self.id);
        for edge in &node.imports {
            // Unresolved and refused imports are reported by the module graph.
            if edge.target.is_err() {
                continue;
            }
            let mlpy_modules::ImportSpec::Dotted(parts) = &edge.spec else {
                continue;
            };
            let first = parts[0].as_str();
            if mlpy_modules::stdlib::REFERENCE_DANGEROUS_IMPORTS.contains(&first)
                && !matches!(edge.target, Ok(EdgeTarget::Stdlib(_)))
            {
                self.error(
                    DiagnosticCode::SecurityImport,
                    edge.target_range,
                    format!(
                        "Import of potentially dangerous module '{}' is not allowed",
                        parts.join(".")
                    ),
                )
                .notes
                .push(format!("'{first}' is a Python module that reaches the interpreter or the operating system; rename the ML module"));
            }
        }
    }

    fn capabilities(&mut self, file: &ast::SourceFile, granted: &[String]) {
        for decl in file.capabilities() {
            for resource in decl.resources() {
                if let (Some(pattern), Some(token)) = (resource.pattern(), resource.pattern_token())
                {
                    if pattern == "*" || pattern == "**" {
                        self.error(
                            DiagnosticCode::CapabilityPattern,
                            token.text_range(),
                            format!("Overly broad resource pattern '{pattern}'"),
                        )
                        .notes
                        .push("name the files or URLs the capability is for".to_string());
                    }
                }
            }
            for allow in decl.allows() {
                let Some(permission) = allow.permission_token() else {
                    continue;
                };
                let word = permission.text().to_ascii_lowercase();
                if word == "system" || word == "execute" {
                    let target = allow.target();
                    if target.as_deref().is_none_or(|t| t == "*" || t.is_empty()) {
                        self.error(
                            DiagnosticCode::CapabilityPermission,
                            allow.syntax().text_range(),
                            format!("Dangerous permission '{word}' without a specific target"),
                        );
                    }
                }
            }
            let name_range = decl
                .name()
                .map(|n| n.syntax().text_range())
                .unwrap_or_else(|| decl.syntax().text_range());
            let decl_name = decl.name().map(|n| n.text()).unwrap_or_default();
            for capability in declared_capabilities(&decl) {
                if !needs_grant(&capability) || capability_covered(&capability, granted) {
                    continue;
                }
                self.out.push(
                    Diagnostic::warning(
                        DiagnosticCode::CapabilityNotGranted,
                        self.path,
                        name_range,
                        format!("capability '{capability}' is declared by `capability {decl_name}` but not granted"),
                    )
                    .with_note(format!("grant it with --allow {capability}, or add \"{capability}\" to \"capabilities\" in mlpy.json")),
                );
            }
        }
    }

    /// `ml_from` and `from` in one module would be the same Python name.
    fn renamed_collisions(&mut self, names: &HashMap<String, TextRange>) {
        let mut found: Vec<(String, TextRange)> = Vec::new();
        for (name, range) in names {
            if let Some(original) = name.strip_prefix(RENAME_PREFIX) {
                if is_reserved(original) && names.contains_key(original) {
                    found.push((name.clone(), *range));
                }
            }
        }
        found.sort_by_key(|(_, r)| r.start());
        for (name, range) in found {
            let original = &name[RENAME_PREFIX.len()..];
            self.error(
                DiagnosticCode::NameCollision,
                range,
                format!("'{name}' collides with '{original}', which Python names '{name}'"),
            )
            .notes
            .push(
                "names that are Python keywords get the prefix 'ml_'; rename one of the two"
                    .to_string(),
            );
        }
    }
}

/// The kind of value an expression certainly has, when its form alone tells (literals
/// and what is computed from literals only), and whether it is a string for the string
/// `+` (a string literal, or a `+` with such an operand: the emitter's rule). Both in one
/// walk, each from its operands': asking the second at every `+` of a chain `a + b + …`
/// would walk the chain again at every link.
fn kind_and_stringy(scopes: &ModuleScopes, e: &Expr) -> (Option<Kind>, bool) {
    use ast::LiteralValue as V;
    let Some(e) = e.clone().unparenthesized() else {
        return (None, false);
    };
    let numeric = |k: Kind| matches!(k, Kind::Int | Kind::Bool | Kind::Float);
    let number = |a: Kind, b: Kind| {
        if a == Kind::Float || b == Kind::Float {
            Kind::Float
        } else {
            Kind::Int
        }
    };
    match &e {
        Expr::Literal(l) => {
            let kind = l.value().map(|v| match v {
                V::String(_) => Kind::Str,
                V::Bool(_) => Kind::Bool,
                V::Number(NumberValue::Int(_)) => Kind::Int,
                V::Number(NumberValue::Float(..)) => Kind::Float,
            });
            (kind, l.is_string())
        }
        Expr::Path(p) => {
            let null = p
                .name_ref()
                .and_then(|n| n.ident_token())
                .is_some_and(|t| scopes.resolve(t.text_range()) == NameRes::Null);
            (null.then_some(Kind::Null), false)
        }
        Expr::Array(_) => (Some(Kind::List), false),
        Expr::Object(_) => (Some(Kind::Dict), false),
        Expr::Arrow(_) => (Some(Kind::Function), false),
        Expr::Prefix(p) => {
            let kind = match p.op() {
                Some(ast::PrefixOp::Not) => Some(Kind::Bool),
                Some(ast::PrefixOp::Neg) => {
                    match p.operand().and_then(|o| kind_and_stringy(scopes, &o).0) {
                        Some(Kind::Int | Kind::Bool) => Some(Kind::Int),
                        Some(Kind::Float) => Some(Kind::Float),
                        _ => None,
                    }
                }
                None => None,
            };
            (kind, false)
        }
        Expr::Bin(b) => {
            let (l, l_stringy) = b
                .lhs()
                .map_or((None, false), |x| kind_and_stringy(scopes, &x));
            let (r, r_stringy) = b
                .rhs()
                .map_or((None, false), |x| kind_and_stringy(scopes, &x));
            let Some(op) = b.op() else {
                return (None, false);
            };
            // The string `+`: every operand becomes a string (the emitter's rule).
            if op == BinOp::Add && (l_stringy || r_stringy) {
                return (Some(Kind::Str), true);
            }
            let (Some(l), Some(r)) = (l, r) else {
                return (None, false);
            };
            let int_like = |k: Kind| matches!(k, Kind::Int | Kind::Bool);
            let kind = match op {
                BinOp::Add if numeric(l) && numeric(r) => Some(number(l, r)),
                BinOp::Add if l == r && matches!(l, Kind::Str | Kind::List) => Some(l),
                BinOp::Sub | BinOp::FloorDiv | BinOp::Rem if numeric(l) && numeric(r) => {
                    Some(number(l, r))
                }
                BinOp::Mul if numeric(l) && numeric(r) => Some(number(l, r)),
                BinOp::Mul if matches!(l, Kind::Str | Kind::List) && int_like(r) => Some(l),
                BinOp::Mul if int_like(l) && matches!(r, Kind::Str | Kind::List) => Some(r),
                BinOp::Div if numeric(l) && numeric(r) => Some(Kind::Float),
                _ => None,
            };
            (kind, false)
        }
        _ => (None, false),
    }
}

/// The kinds of values `kind_of` can tell from an expression's form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Int,
    Float,
    Bool,
    Null,
    Str,
    List,
    Dict,
    Function,
}

impl Kind {
    fn described(self) -> &'static str {
        match self {
            Kind::Int => "a number",
            Kind::Float => "a float",
            Kind::Bool => "a boolean",
            Kind::Null => "null",
            Kind::Str => "a string",
            Kind::List => "an array",
            Kind::Dict => "an object",
            Kind::Function => "a function",
        }
    }
}

/// What a node adds to (indentation, static blocks, brackets, expression depth) in the
/// emitted Python.
fn nesting(kind: SyntaxKind) -> (u32, u32, u32, u32) {
    use SyntaxKind::*;
    match kind {
        BLOCK => (1, 0, 0, 0),
        WHILE_STMT | FOR_STMT | TRY_STMT | EXCEPT_CLAUSE | FINALLY_CLAUSE => (0, 1, 0, 0),
        CALL_EXPR | INDEX_EXPR | ARRAY_EXPR | OBJECT_EXPR | FIELD_EXPR | PAREN_EXPR
        | TERNARY_EXPR => (0, 0, 1, 1),
        LITERAL | PATH_EXPR | PREFIX_EXPR | BIN_EXPR | ARROW_EXPR => (0, 0, 0, 1),
        _ => (0, 0, 0, 0),
    }
}

/// Brackets the emitted Python has around `node` that the ML text does not: a comparison
/// that is the left operand of another comparison is parenthesised (`a < b < c` is
/// emitted `(a < b) < c`, which Python would otherwise chain), so a long chain nests as
/// deeply as that many brackets would.
fn emitted_parens(node: &SyntaxNode) -> u32 {
    // The operator is read from the green children: no cursor for every binary operation.
    let comparison = |n: &SyntaxNode| {
        n.kind() == SyntaxKind::BIN_EXPR
            && n.green()
                .children()
                .find_map(|child| match child {
                    NodeOrToken::Token(t) => {
                        BinOp::from_kind(<MlLanguage as rowan::Language>::kind_from_raw(t.kind()))
                    }
                    NodeOrToken::Node(_) => None,
                })
                .is_some_and(BinOp::is_comparison)
    };
    if !comparison(node) {
        return 0;
    }
    let Some(parent) = node.parent() else {
        return 0;
    };
    let is_left = ast::BinExpr::cast(parent.clone())
        .and_then(|b| b.lhs())
        .is_some_and(|lhs| lhs.syntax() == node);
    u32::from(comparison(&parent) && is_left)
}

/// The first dangerous pattern in a lower-cased string, if any.
pub fn dangerous_pattern(lower: &str) -> Option<String> {
    if lower.contains("subprocess.") {
        return Some("subprocess.".to_string());
    }
    for name in DANGEROUS_STRING_CALLS {
        let mut from = 0;
        while let Some(at) = lower[from..].find(name) {
            let end = from + at + name.len();
            let rest = lower[end..].trim_start_matches([' ', '\t']);
            if rest.starts_with('(') {
                return Some(format!("{name}("));
            }
            from = end;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_patterns() {
        assert_eq!(dangerous_pattern("please open(file)"), Some("open(".into()));
        assert_eq!(dangerous_pattern("eval  (x)"), Some("eval(".into()));
        assert_eq!(
            dangerous_pattern("run subprocess.call"),
            Some("subprocess.".into())
        );
        assert_eq!(dangerous_pattern("open the door"), None);
        assert_eq!(dangerous_pattern("evaluation(x)"), None);
    }
}
