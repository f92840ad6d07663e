//! ML expressions for the debug console, watches, hovers and breakpoint conditions,
//! compiled to the Python text debugpy evaluates in a frame.
//!
//! The expression is transpiled by the real checker and emitter, as the body of a function
//! whose parameters are the names visible at the frame's ML line: so it is checked like
//! ML code (unknown names, dangerous names, capabilities), and emitted like ML code (every
//! call through the call gate, every member read through `__ml.attr`). The result is
//! wrapped as `(lambda names…: EXPR)(frame values…)`, which binds each name to the frame's
//! own Python variable (renamed ones too) and the builtins the expression uses to the
//! runtime's; the frame's `__builtins__` is the closed namespace, as for the program.

use crate::program::Program;
use mlpy_modules::config::ProjectConfig;
use mlpy_modules::scopes::{BindingKind, NameRes};
use mlpy_modules::{ModuleCache, ModuleGraph, Resolver};
use mlpy_syntax::ast::{AstNode, Stmt};
use mlpy_syntax::TextSize;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Why an expression cannot be evaluated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompileError {
    #[error("an empty expression")]
    Empty,
    #[error("{0}")]
    Syntax(String),
    #[error("not one expression: statements and declarations cannot be evaluated")]
    NotAnExpression,
    #[error("{0}")]
    Check(String),
    #[error("block-bodied arrow functions cannot be evaluated here")]
    BlockArrow,
    #[error("cannot compile the expression: {0}")]
    Internal(String),
}

/// Compiles expressions. The synthetic module is never written: it is the module cache's
/// text for a file of the system's temporary folder, so that nothing is left behind when
/// the adapter is killed rather than told to disconnect.
pub struct Compiler {
    dir: PathBuf,
}

/// The name of the synthetic module and of its function.
const SCRATCH: &str = "mlpy_debug_eval";

impl Compiler {
    pub fn new() -> std::io::Result<Compiler> {
        let dir = std::env::temp_dir();
        if !dir.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no temporary folder '{}'", dir.display()),
            ));
        }
        Ok(Compiler { dir })
    }

    /// The Python text of `expr`, to evaluate in a frame of module `module` stopped at
    /// ML line `line`.
    pub fn compile(
        &self,
        program: &Program,
        module: usize,
        line: u32,
        expr: &str,
    ) -> Result<String, CompileError> {
        // One line: the emitter keeps ML line breaks, which Python only allows in brackets.
        let expr: String = expr
            .trim()
            .trim_end_matches(';')
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        if expr.trim().is_empty() {
            return Err(CompileError::Empty);
        }
        check_is_expression(&expr)?;

        // The names the frame sees, with their Python names there.
        let text = program.ml_text(module);
        let node = program.graph.module(program.module(module).id);
        let scopes = node.file.scopes();
        let bindings = scopes.visible_bindings(line_offset(text, line));
        let visible: Vec<(String, String)> = bindings
            .iter()
            .map(|&b| {
                (
                    scopes.binding(b).name.clone(),
                    program.module(module).binding_py[b.0 as usize].clone(),
                )
            })
            .collect();
        let mut function = SCRATCH.to_string();
        while visible.iter().any(|(ml, _)| *ml == function) {
            function.push('_');
        }
        // A function of the frame's with a builtin's name wins over the builtin in call
        // position, a parameter does not: it is declared as a function of the synthetic
        // module (with its own parameters, for the checker), the others are parameters.
        let mut params: Vec<&str> = Vec::new();
        let mut declared = String::new();
        for &b in &bindings {
            let binding = scopes.binding(b);
            let header = (binding.kind == BindingKind::Function
                && mlpy_modules::stdlib::is_builtin(&binding.name))
            .then(|| binding.node_range.and_then(|r| function_header(text, r)))
            .flatten();
            match header {
                Some(header) => declared.push_str(&format!("{header} {{\n}}\n")),
                None => params.push(binding.name.as_str()),
            }
        }
        let prefix = format!(
            "{declared}function {function}({}) {{\n    return (",
            params.join(", ")
        );
        let source = format!("{prefix}{expr});\n}}\n");
        let expr_start = prefix.len();
        let expr_end = expr_start + expr.len();

        let path = self.dir.join(format!("{SCRATCH}.ml"));
        let root = self.dir.clone();
        let resolver = Resolver::new(Arc::new(ProjectConfig::without_file(&root)));
        let cache = ModuleCache::new();
        cache.set_overlay(&path, source.as_str().into());
        let graph = ModuleGraph::build_unsaved(&path, &resolver, &cache)
            .map_err(|e| CompileError::Internal(e.message))?;
        let options = mlpy_transpile::Options {
            capabilities: program.capabilities.clone(),
            source_base: root,
        };
        // Everything said about the expression is an error here: an unknown name (only a
        // warning in a program) would otherwise fail later with a Python message.
        let in_expr = |d: &mlpy_modules::Diagnostic| {
            let start = usize::from(d.range.start());
            start >= expr_start && start <= expr_end
        };
        let out = match mlpy_transpile::transpile_multi(&graph, &options) {
            Ok(out) => out,
            Err(diagnostics) => return Err(check_error(&diagnostics, &in_expr)),
        };
        let problems: Vec<_> = out
            .warnings
            .iter()
            .filter(|d| in_expr(d))
            .cloned()
            .collect();
        if !problems.is_empty() {
            return Err(check_error(&problems, &in_expr));
        }
        let emitted = out
            .files
            .iter()
            .find(|f| f.path == std::path::Path::new(&format!("{SCRATCH}.py")))
            .ok_or_else(|| CompileError::Internal("no emitted module".to_string()))?;
        let (body, builtins) = extract(&emitted.contents, &function)?;

        // Parameters the expression reads, in the order they were declared.
        let synthetic = graph.entry_module();
        let used: BTreeSet<&str> = synthetic
            .file
            .scopes()
            .uses()
            .filter_map(|(_, _, res)| match res {
                NameRes::Binding(b) => {
                    let binding = synthetic.file.scopes().binding(b);
                    let frames = binding.kind == BindingKind::Parameter
                        || (binding.kind == BindingKind::Function && binding.name != function);
                    frames.then_some(binding.name.as_str())
                }
                _ => None,
            })
            .collect();
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (ml, py) in &visible {
            if used.contains(ml.as_str()) {
                names.push(mlpy_analysis::names::py_name(ml));
                values.push(py.clone());
            }
        }
        for (builtin, py) in builtins {
            // The glue imports a builtin under the name of a function of the module too
            // (the function's `def` replaces it): the frame's function is the one.
            if names.contains(&py) {
                continue;
            }
            let value = if builtin == "builtin" {
                "__import__(\"mlpy_runtime.builtins\", None, None, (\"print\",), 0)".to_string()
            } else {
                format!("__import__(\"mlpy_runtime.builtins\", None, None, (\"{builtin}\",), 0).{builtin}")
            };
            names.push(py);
            values.push(value);
        }
        if names.is_empty() {
            return Ok(body);
        }
        Ok(format!(
            "(lambda {}: {body})({})",
            names.join(", "),
            values.join(", ")
        ))
    }
}

/// Refuses what is not exactly one expression (an assignment, a declaration, two
/// statements).
fn check_is_expression(expr: &str) -> Result<(), CompileError> {
    let typed = expr.len();
    let expr = &format!("{expr};");
    let parse = mlpy_syntax::parse(expr);
    if let Some(error) = parse.errors().iter().find(|e| e.is_error()) {
        // The `;` is ours: where the parser found it, the expression ended too early.
        let message = if usize::from(error.range.start()) >= typed {
            error
                .message
                .replace("found `;`", "found the end of the expression")
        } else {
            error.message.clone()
        };
        return Err(CompileError::Syntax(message));
    }
    let statements: Vec<Stmt> = parse.tree().statements().collect();
    match statements.as_slice() {
        [Stmt::Expr(e)] if e.expr().is_some() => {
            // Nothing but the expression and trivia.
            let covered = e.syntax().text_range();
            let rest = format!(
                "{}{}",
                &expr[..usize::from(covered.start())],
                &expr[usize::from(covered.end())..]
            );
            if rest.trim().trim_matches(';').trim().is_empty() {
                Ok(())
            } else {
                Err(CompileError::NotAnExpression)
            }
        }
        _ => Err(CompileError::NotAnExpression),
    }
}

fn check_error(
    diagnostics: &[mlpy_modules::Diagnostic],
    in_expr: &dyn Fn(&mlpy_modules::Diagnostic) -> bool,
) -> CompileError {
    let chosen = diagnostics
        .iter()
        .find(|d| d.is_error() && in_expr(d))
        .or_else(|| diagnostics.iter().find(|d| in_expr(d)))
        .or_else(|| diagnostics.first());
    CompileError::Check(chosen.map_or_else(|| "refused".to_string(), |d| d.message.clone()))
}

/// The offset of the first character of a 1-based ML line that is not blank.
fn line_offset(text: &str, line: u32) -> TextSize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let indent = l.len() - l.trim_start().len();
            let indent = if l.trim().is_empty() { 0 } else { indent };
            return TextSize::from((offset + indent) as u32);
        }
        offset += l.len();
    }
    TextSize::from(offset as u32)
}

/// `function NAME(PARAMS)` of the function declared at `range` of `text` (up to the `)`
/// that closes its parameter list).
fn function_header(text: &str, range: mlpy_syntax::TextRange) -> Option<String> {
    let node = text.get(usize::from(range.start())..usize::from(range.end()))?;
    let open = node.find('(')?;
    let mut depth = 0;
    for (i, c) in node[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    let header = &node[..open + i + 1];
                    // One line: the synthetic module's lines are counted.
                    return Some(header.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
            _ => {}
        }
    }
    None
}

/// From the emitted synthetic module: the expression after `return` in `function`, and
/// the builtins the module imports, as (builtin, its Python name there): a builtin whose
/// name the module also binds is imported under an alias (`len as __mlb_len`).
type Builtins = Vec<(String, String)>;

fn extract(text: &str, function: &str) -> Result<(String, Builtins), CompileError> {
    let mut builtins = Vec::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        let trimmed = line.trim();
        if let Some(names) = trimmed.strip_prefix("from mlpy_runtime.builtins import ") {
            builtins.extend(names.split(',').map(|n| {
                let n = n.trim();
                match n.split_once(" as ") {
                    Some((name, py)) => (name.trim().to_string(), py.trim().to_string()),
                    None => (n.to_string(), n.to_string()),
                }
            }));
        } else if trimmed == "import mlpy_runtime.builtins as builtin" {
            builtins.push(("builtin".to_string(), "builtin".to_string()));
        } else if trimmed.starts_with(&format!("def {function}(")) {
            break;
        }
    }
    let next = lines
        .next()
        .ok_or_else(|| CompileError::Internal("no function body".to_string()))?;
    let Some(body) = next.trim().strip_prefix("return ") else {
        // Anything before the return: a block-bodied arrow written as a `def`.
        return Err(if next.trim().starts_with("def ") {
            CompileError::BlockArrow
        } else {
            CompileError::Internal(format!("unexpected emitted line: {next}"))
        });
    };
    Ok((body.to_string(), builtins))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Prepared;
    use mlpy_modules::config::ProjectConfig;

    /// A one-module program, transpiled, as the adapter gets it.
    fn program(text: &str) -> (tempfile::TempDir, Program) {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.ml");
        std::fs::write(&main, text).unwrap();
        let config = ProjectConfig::without_file(dir.path());
        let resolver = Resolver::new(Arc::new(config.clone()));
        let graph = ModuleGraph::build(&main, &resolver, &ModuleCache::new()).unwrap();
        let options = mlpy_transpile::Options {
            capabilities: Vec::new(),
            source_base: dir.path().to_path_buf(),
        };
        let out = mlpy_transpile::transpile_multi(&graph, &options).unwrap();
        let prepared = Prepared {
            dir: dir.path().join("out"),
            entry: out.entry.clone(),
            launcher: crate::LAUNCHER_FILE.into(),
            files: out.files,
            graph,
            capabilities: Vec::new(),
            source_base: dir.path().to_path_buf(),
        };
        (dir, Program::new(prepared).unwrap())
    }

    const MAIN: &str = "function area(shape, pass) {\n    a = shape.w * shape.h;\n    return a + pass;\n}\nitems = [1, 2];\nprint(area({w: 1, h: 2}, 3));\n";

    #[test]
    fn expressions_are_emitted_against_the_frames_names() {
        let (_dir, program) = program(MAIN);
        let compiler = Compiler::new().unwrap();
        let main = program.entry_module;
        // In `area`: its parameters (one renamed), the module's names, the builtins.
        let python = compiler
            .compile(&program, main, 3, "a + pass + len(items)")
            .unwrap();
        assert!(python.starts_with("(lambda "), "{python}");
        assert!(python.contains("ml_pass"), "{python}");
        assert!(
            python.contains("__import__(\"mlpy_runtime.builtins\", None, None, (\"len\",), 0).len"),
            "{python}"
        );
        // Member reads and calls of values go through the runtime, as in a program.
        let python = compiler.compile(&program, main, 3, "shape.w").unwrap();
        assert!(python.contains("__ml.attr(shape, \"w\")"), "{python}");
        let python = compiler
            .compile(&program, main, 3, "[1, true, null]")
            .unwrap();
        assert_eq!(python, "[1, True, None]");
    }

    #[test]
    fn a_function_with_a_builtins_name_is_the_frames_and_a_parameter_is_not() {
        // As in the program: `len(…)` calls the module's `len` function; a parameter
        // called `str` loses to the builtin in call position, and is still its value.
        let text = "function len(xs, extra) {\n    return 7;\n}\n\
                    function f(str) {\n    return str;\n}\nprint(len([1], 2), f(1));\n";
        let (_dir, program) = program(text);
        let compiler = Compiler::new().unwrap();
        let main = program.entry_module;
        let python = compiler
            .compile(&program, main, 5, "len([1], 2) + str(1) + str")
            .unwrap();
        assert!(
            python.starts_with("(lambda str, len, __mlb_str: "),
            "{python}"
        );
        assert!(python.contains("len([1], 2)"), "{python}");
        assert!(python.contains("__mlb_str(1)"), "{python}");
        assert!(
            python.ends_with(
                "(str, len, __import__(\"mlpy_runtime.builtins\", None, None, (\"str\",), 0).str)"
            ),
            "{python}"
        );
        // In the function itself too.
        let python = compiler.compile(&program, main, 2, "len([1], 2)").unwrap();
        assert_eq!(python, "(lambda len: len([1], 2))(len)");
    }

    #[test]
    fn an_expression_that_ends_too_early_says_so_without_our_semicolon() {
        assert_eq!(
            check_is_expression("i =="),
            Err(CompileError::Syntax(
                "expected an expression, found the end of the expression".into()
            ))
        );
        assert_eq!(
            check_is_expression("[1, 2"),
            Err(CompileError::Syntax(
                "expected `,` or `]`, found the end of the expression".into()
            ))
        );
    }

    #[test]
    fn what_is_no_expression_of_the_frame_is_refused() {
        let (_dir, program) = program(MAIN);
        let compiler = Compiler::new().unwrap();
        let main = program.entry_module;
        let error = |expr: &str, line| compiler.compile(&program, main, line, expr).unwrap_err();
        // `shape` is a parameter of `area`, not a name of the module's top level.
        assert!(matches!(error("shape", 5), CompileError::Check(m) if m.contains("shape")));
        assert_eq!(error("x = 1", 5), CompileError::NotAnExpression);
        assert_eq!(error("1; 2", 5), CompileError::NotAnExpression);
        assert_eq!(error("  ", 5), CompileError::Empty);
        assert!(matches!(error("(1 +", 5), CompileError::Syntax(_)));
        assert!(matches!(
            error("__import__(\"os\")", 5),
            CompileError::Check(_)
        ));
        assert_eq!(error("fn(x) => { return x; }", 5), CompileError::BlockArrow);
    }
}
