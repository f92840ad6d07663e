//! Breakpoints on ML lines as breakpoints on the emitted Python: where each one goes (the
//! line itself, or the next line with code), its condition compiled from ML, its hit
//! count in the only forms debugpy reads without running text as Python, its log message's
//! ML expressions compiled too ([`crate::logpoints`]).

use crate::evaluate::Compiler;
use crate::logpoints;
use crate::program::Program;
use serde_json::{json, Value};

/// One breakpoint as debugpy gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyBreakpoint {
    pub line: u32,
    pub condition: Option<Condition>,
    pub hit_condition: Option<String>,
    /// A log point's message as debugpy reads it (`{PYTHON}`): the line logs, never stops.
    pub log_message: Option<String>,
}

/// A breakpoint's condition: the ML the editor sent (kept to speak of it in ML terms when
/// it fails) and the Python debugpy evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub ml: String,
    pub ml_line: u32,
    pub python: String,
    /// A log point's: `ml` is its message (and the editor's condition, if any, is in
    /// `python` with it).
    pub log: bool,
}

impl PyBreakpoint {
    pub fn to_json(&self) -> Value {
        let mut value = json!({"line": self.line});
        if let Some(condition) = &self.condition {
            value["condition"] = json!(condition.python);
        }
        if let Some(hit) = &self.hit_condition {
            value["hitCondition"] = json!(hit);
        }
        if let Some(log) = &self.log_message {
            value["logMessage"] = json!(log);
        }
        value
    }
}

/// What became of one requested breakpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// Set on ML line `ml_line` (where code starts at or after the requested line).
    Set { ml_line: u32, py: PyBreakpoint },
    /// Not set, and why.
    Refused(String),
}

/// Places one breakpoint of the editor's `setBreakpoints` (`line` already 1-based).
pub fn place(
    program: &Program,
    compiler: &Compiler,
    module: usize,
    line: u32,
    request: &Value,
) -> Placed {
    let Some((ml_line, py_line)) = program.module(module).breaks.place(line) else {
        return Placed::Refused(format!("no code on or after line {line}"));
    };
    let condition = match request["condition"].as_str().map(str::trim) {
        None | Some("") => None,
        Some(text) => match compiler.compile(program, module, ml_line, text) {
            Ok(python) => Some(Condition {
                ml: text.to_string(),
                ml_line,
                python,
                log: false,
            }),
            Err(error) => return Placed::Refused(format!("condition: {error}")),
        },
    };
    let hit_condition = match request["hitCondition"].as_str().map(str::trim) {
        None | Some("") => None,
        Some(text) => match hit_condition(text) {
            Some(hit) => Some(hit),
            None => {
                return Placed::Refused(format!(
                    "hit count {text:?}: write N (the Nth hit), >= N, > N, < N, <= N, == N or % N (every Nth hit)"
                ))
            }
        },
    };
    let mut condition = condition;
    let mut log_message = None;
    if let Some(text) = request["logMessage"].as_str().filter(|t| !t.is_empty()) {
        let logged =
            logpoints::python_pieces(program, compiler, module, ml_line, text).and_then(|pieces| {
                match &hit_condition {
                    Some(_) => logpoints::as_log_message(text, &pieces).map(|m| (None, Some(m))),
                    None => compiler
                        .compile(program, module, ml_line, "builtin.print")
                        .map_err(|e| e.to_string())
                        .map(|printer| {
                            let user = condition.as_ref().map(|c| c.python.as_str());
                            let python = logpoints::as_condition(&pieces, &printer, user);
                            (Some(python), None)
                        }),
                }
            });
        match logged {
            Ok((as_condition, as_message)) => {
                if let Some(python) = as_condition {
                    condition = Some(Condition {
                        ml: text.to_string(),
                        ml_line,
                        python,
                        log: true,
                    });
                }
                log_message = as_message;
            }
            Err(error) => return Placed::Refused(format!("log message: {error}")),
        }
    }
    Placed::Set {
        ml_line,
        py: PyBreakpoint {
            line: py_line,
            condition,
            hit_condition,
            log_message,
        },
    }
}

/// What debugpy prints when a condition raises, before the condition's Python and its
/// Python traceback.
const CONDITION_FAILED: &str =
    "pydevd: Error while evaluating expression in conditional breakpoint: ";

/// A condition that failed, from debugpy's report of it: the Python condition and the
/// error (the traceback's last line, `ZeroDivisionError: division by zero`). `None` for
/// any other output.
pub fn failed_condition(output: &str) -> Option<(&str, &str)> {
    let rest = output.strip_prefix(CONDITION_FAILED)?;
    let (python, traceback) = rest.split_once('\n').unwrap_or((rest, ""));
    let error = traceback
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("the condition raised an error");
    Some((python, error))
}

/// A hit count in a form debugpy turns into a comparison of its hit counter, rewritten
/// from what the editor sent (`5`, `>= 5`, `%3`); `None` for anything else (debugpy
/// would run other text as Python).
pub fn hit_condition(text: &str) -> Option<String> {
    let text = text.trim();
    let (operator, number) = ["%", ">=", "<=", "==", ">", "<", ""]
        .iter()
        .find_map(|op| text.strip_prefix(op).map(|rest| (*op, rest.trim())))?;
    let n: u64 = number.parse().ok()?;
    Some(if operator.is_empty() {
        n.to_string()
    } else {
        format!("{operator} {n}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_hit_counts_reach_debugpy() {
        assert_eq!(hit_condition("5").as_deref(), Some("5"));
        assert_eq!(hit_condition(" >=  3").as_deref(), Some(">= 3"));
        assert_eq!(hit_condition("%2").as_deref(), Some("% 2"));
        assert_eq!(hit_condition("== 1").as_deref(), Some("== 1"));
        assert_eq!(hit_condition("> 1 or True"), None);
        assert_eq!(hit_condition("__import__('os')"), None);
        assert_eq!(hit_condition("-1"), None);
        assert_eq!(hit_condition(""), None);
    }

    #[test]
    fn a_failed_condition_is_found_in_debugpys_report() {
        let report = "pydevd: Error while evaluating expression in conditional breakpoint: (lambda a: 1 / a)(a)\nTraceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nZeroDivisionError: division by zero\n\n";
        assert_eq!(
            failed_condition(report),
            Some((
                "(lambda a: 1 / a)(a)",
                "ZeroDivisionError: division by zero"
            ))
        );
        assert_eq!(failed_condition("total 6\n"), None);
    }
}
