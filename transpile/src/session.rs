//! One input of an interactive session (`mlpy repl`) as Python: checked as part of the
//! whole session, emitted alone.
//!
//! The session is one ML module whose text is every accepted input, one after the
//! other; the current input is its tail. The checker and the emitter see that whole
//! module, so a name defined by an earlier input is known, an import made earlier is
//! pure, and a function defined earlier is called directly, exactly as in a file holding
//! the same inputs. Only the current input's lines are emitted (the earlier ones already
//! ran in the session's namespace), as the body of `__mlpy_body`, which the session
//! driver (`mlpy_runtime/session.py`) runs with that namespace as its globals. When the
//! input ends with an expression statement, the body returns its value.
//!
//! Code emitted for an earlier input may reach a name directly, without the call gate or
//! `__ml.attr`: a stable function, a pure import, a builtin. In a file that is decided
//! once for the whole module; in a session a later input could rebind the name under
//! code that already ran. So such names are *locked* ([`Direct`]): a later input may
//! redefine a function only with `function`, rebind an import only with `import`, and
//! never rebind a builtin it used. Anything else is refused with an error, so the
//! sandbox's language layer holds across inputs.

use crate::emit::{emit_module, emit_session_module, EmittedModule, Line};
use crate::output::{source_name, Writer, CODING_LINE};
use crate::pyliteral::py_string;
use crate::Options;
use mlpy_analysis::facts::ProgramFacts;
use mlpy_modules::scopes::BindingKind;
use mlpy_modules::DiagnosticCode;
use mlpy_modules::{Diagnostic, ModuleGraph};
use mlpy_syntax::ast::{AstNode, Stmt};
use mlpy_syntax::{SyntaxKind, TextRange};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How code of earlier inputs may reach a top-level name without the run-time checks,
/// and so what a later input may bind to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direct {
    /// A function defined once and never reassigned: called directly. Only another
    /// `function` declaration may replace it.
    Function,
    /// A name bound only by imports: its members are read directly. Only another
    /// `import` may rebind it.
    Import,
    /// A builtin used by name (`print`, `len`, `builtin`): never rebound in the session.
    Builtin,
}

/// The current input and what the session already holds.
#[derive(Debug, Clone)]
pub struct InputRequest<'a> {
    /// The range of the current input in the entry module's text (the session so far
    /// is the text before it).
    pub input: TextRange,
    /// How run-time errors and tracebacks name the input (`<input 3>`, `<stdin>`).
    pub ml_name: &'a str,
    /// The line number the input's first line has in those reports.
    pub first_line: u32,
    /// Modules of the graph (canonical paths) the session has already defined.
    pub defined_modules: &'a BTreeSet<PathBuf>,
    /// Top-level names earlier inputs' code reaches directly.
    pub locked: &'a BTreeMap<String, Direct>,
}

/// A module of the program the session has not defined yet, as Python that declares it
/// (`__ml.declare_module(NAME, body)`: it runs at the first import that reaches it, after
/// the code above that import, as in `mlpy run`).
#[derive(Debug, Clone)]
pub struct ModuleChunk {
    pub path: PathBuf,
    pub py_module: String,
    /// How run-time errors name its ML file.
    pub ml_name: String,
    pub code: String,
}

/// The Python of one input.
#[derive(Debug, Clone)]
pub struct InputChunk {
    /// Modules to define first, dependencies before their importers.
    pub modules: Vec<ModuleChunk>,
    /// A Python module whose `__mlpy_body` holds the input's statements.
    pub code: String,
    /// Whether the body returns the value of the input's last statement, an expression.
    pub returns_value: bool,
    /// Warnings of the whole program (errors prevent output).
    pub warnings: Vec<Diagnostic>,
    /// Every top-level name the session's code may now reach directly (earlier inputs'
    /// locks included).
    pub locked: BTreeMap<String, Direct>,
    /// The session's top-level names: (ML name, Python name), in definition order.
    pub names: Vec<(String, String)>,
}

/// Checks the session (the entry module of `graph`, whose tail is the current input) and
/// emits the current input. Errors anywhere, or a rebinding of a locked name, give the
/// diagnostics and no code.
pub fn transpile_input(
    graph: &ModuleGraph,
    options: &Options,
    request: &InputRequest<'_>,
) -> Result<InputChunk, Vec<Diagnostic>> {
    let facts = ProgramFacts::new(graph);
    let mut diagnostics =
        mlpy_analysis::diagnostics::program_diagnostics_with(&facts, &options.capabilities);
    diagnostics.extend(lock_violations(graph, request));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let entry = graph.entry_module();
    let emitted = emit_session_module(&facts, graph.entry);
    let text: &str = &entry.file.text;
    let first_line = line_of(text, usize::from(request.input.start()));
    let last_stmt = entry
        .file
        .parse
        .tree()
        .statements()
        .filter(|s| s.syntax().text_range().start() >= request.input.start())
        .last();
    let expression_line = match &last_stmt {
        Some(Stmt::Expr(e)) if e.expr().is_some() => {
            Some(line_of(text, usize::from(e.syntax().text_range().start())))
        }
        _ => None,
    };
    let (body, returns_value) =
        input_body(&emitted, first_line, request.first_line, expression_line);

    let mut w = Writer::new();
    w.raw(CODING_LINE);
    w.raw(&format!(
        "# Generated by mlpy from {} of an interactive session.",
        request.ml_name.replace(['\n', '\r'], " ")
    ));
    w.raw("import mlpy_runtime as __ml");
    w.raw("__mlpy_module__ = True");
    w.body("__mlpy_body", &body, &[], 0);
    let code = w.finish(&[request.ml_name.to_string()], "");

    let mut modules = Vec::new();
    for id in graph.topological_order() {
        let node = graph.module(id);
        if node.is_entry || request.defined_modules.contains(&node.path) {
            continue;
        }
        let module = emit_module(&facts, id);
        let py = facts.module(id).py_module.clone();
        let ml_name = source_name(node, &options.source_base);
        let mut w = Writer::new();
        w.raw(CODING_LINE);
        w.raw(&format!(
            "# Generated by mlpy from {}. Do not edit.",
            ml_name.replace(['\n', '\r'], " ")
        ));
        w.raw("import mlpy_runtime as __ml");
        let function = format!("__module_{}", py.replace('.', "_"));
        w.body(&function, &module, &["__ml"], 0);
        let run = format!(
            "__ml.declare_module({}, {function}{})",
            py_string(&py),
            crate::output::ml_name_argument(&node.name, &py)
        );
        modules.push(ModuleChunk {
            path: node.path.clone(),
            py_module: py,
            code: w.finish(std::slice::from_ref(&ml_name), &run),
            ml_name,
        });
    }

    let scopes = entry.file.scopes();
    let reassigned = mlpy_analysis::semantics::nonlocal_assigned(scopes);
    let mut locked = request.locked.clone();
    let mut names = Vec::new();
    for &b in &scopes.scope(scopes.module_scope()).bindings {
        let binding = scopes.binding(b);
        names.push((binding.name.clone(), facts.binding_py_name(graph.entry, b)));
        let direct = if facts.is_stable_function(graph.entry, b) {
            Some(Direct::Function)
        } else if binding.kind == BindingKind::Import
            && mlpy_analysis::semantics::is_pure_import(scopes, &reassigned, b)
        {
            Some(Direct::Import)
        } else {
            None
        };
        if let Some(direct) = direct {
            locked.entry(binding.name.clone()).or_insert(direct);
        }
    }
    for builtin in &emitted.builtins {
        locked.insert(builtin.clone(), Direct::Builtin);
    }
    if emitted.builtin_module {
        locked.insert("builtin".to_string(), Direct::Builtin);
    }
    Ok(InputChunk {
        modules,
        code,
        returns_value,
        warnings: diagnostics,
        locked,
        names,
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count() as u32
        + 1
}

/// The lines of `emitted` that come from the input (whose first line is `first_line` of
/// the module), renumbered so that it starts at `shown_first`; the last one prefixed with
/// `return` when the input ends with the expression statement on line
/// `expression_line`. Returns the body and whether it returns a value.
fn input_body(
    emitted: &EmittedModule,
    first_line: u32,
    shown_first: u32,
    expression_line: Option<u32>,
) -> (EmittedModule, bool) {
    let renumber = |line: u32| {
        if line == 0 {
            0
        } else {
            line - first_line + shown_first
        }
    };
    let start = emitted
        .lines
        .iter()
        .position(|l| l.ml_line >= first_line)
        .unwrap_or(emitted.lines.len());
    let mut text = String::new();
    let mut lines = Vec::new();
    for line in &emitted.lines[start..] {
        let from = text.len() as u32;
        // Continuation lines carry their ML line as `\0LINE\0`.
        let mut parts = emitted.line_text(line).split('\n');
        text.push_str(parts.next().unwrap_or_default());
        for part in parts {
            text.push('\n');
            match part
                .strip_prefix('\0')
                .and_then(|rest| rest.split_once('\0'))
            {
                Some((number, rest)) => {
                    let number: u32 = number.parse().unwrap_or(0);
                    text.push('\0');
                    text.push_str(&renumber(number).to_string());
                    text.push('\0');
                    text.push_str(rest);
                }
                None => text.push_str(part),
            }
        }
        lines.push(Line {
            indent: line.indent,
            start: from,
            end: text.len() as u32,
            ml_line: renumber(line.ml_line),
        });
    }
    // The expression statement is the last top-level line that is code.
    let mut returns_value = false;
    if let Some(expression_line) = expression_line {
        let last_code = lines.iter().rposition(|l| {
            let t = &text[l.start as usize..l.end as usize];
            l.indent == 0 && !t.is_empty() && !t.starts_with('#')
        });
        if let Some(i) = last_code {
            if lines[i].ml_line == renumber(expression_line) {
                let line = lines[i];
                let from = text.len() as u32;
                let original = text[line.start as usize..line.end as usize].to_string();
                text.push_str("return ");
                text.push_str(&original);
                lines[i] = Line {
                    start: from,
                    end: text.len() as u32,
                    ..line
                };
                returns_value = true;
            }
        }
    }
    let body = EmittedModule {
        text,
        lines,
        builtins: emitted.builtins.clone(),
        builtin_module: emitted.builtin_module,
        stdlib: emitted.stdlib.clone(),
        globals: emitted.globals.clone(),
    };
    (body, returns_value)
}

/// Errors for the current input's top-level bindings of names that earlier inputs'
/// code reaches directly ([`Direct`]).
fn lock_violations(graph: &ModuleGraph, request: &InputRequest<'_>) -> Vec<Diagnostic> {
    let entry = graph.entry_module();
    let scopes = entry.file.scopes();
    let root = entry.file.parse.syntax_node();
    let reassigned = mlpy_analysis::semantics::nonlocal_assigned(scopes);
    let mut out = Vec::new();
    for &b in &scopes.scope(scopes.module_scope()).bindings {
        let binding = scopes.binding(b);
        let Some(&direct) = request.locked.get(&binding.name) else {
            continue;
        };
        let name = &binding.name;
        let mut bad: Vec<TextRange> = binding
            .defs
            .iter()
            .filter(|def| def.start() >= request.input.start())
            .filter(|&&def| match direct {
                Direct::Function => !is_function_name(&root, def),
                // Code of earlier inputs reads the members of the module the name
                // was bound to: another import may bind it only to that module again.
                Direct::Import => !binding.imports.iter().any(|i| {
                    i.statement.contains_range(def)
                        && i.bound_path() == binding.imports[0].bound_path()
                }),
                Direct::Builtin => true,
            })
            .copied()
            .collect();
        if reassigned.contains(&b) {
            for scope in &scopes.scopes {
                for (_, range) in &scope.nonlocals {
                    if range.start() >= request.input.start()
                        && scopes.nonlocal_target(*range) == Some(b)
                    {
                        bad.push(*range);
                    }
                }
            }
        }
        for range in bad {
            let (message, note) = match direct {
                Direct::Function => (
                    format!("'{name}' is a function of an earlier input: only a new `function {name}(…) {{…}}` can replace it"),
                    "code of earlier inputs calls it directly, so it must stay a function",
                ),
                Direct::Import => (
                    format!("'{name}' is a module imported by an earlier input: only an `import` of the same module can rebind it"),
                    "code of earlier inputs reads its members directly, so it must stay a module",
                ),
                Direct::Builtin => (
                    format!("'{name}' is the builtin that earlier inputs use: it cannot be rebound in this session"),
                    "use another name, or `.clear` to start a new session",
                ),
            };
            let mut d = Diagnostic::error(
                DiagnosticCode::InvalidAssignment,
                entry.path.clone(),
                range,
                message,
            );
            d.notes.push(note.to_string());
            out.push(d);
        }
    }
    out
}

/// Whether `range` is the name of a `function` declaration.
fn is_function_name(root: &mlpy_syntax::SyntaxNode, range: TextRange) -> bool {
    root.covering_element(range)
        .ancestors()
        .find(|n| n.kind() == SyntaxKind::NAME)
        .and_then(|name| name.parent())
        .is_some_and(|parent| parent.kind() == SyntaxKind::FUNCTION)
}
