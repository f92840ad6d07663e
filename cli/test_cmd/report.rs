//! The results of `mlpy test` for people (a line per file, then every failure with its ML
//! place, both values and a diff, the output of failing tests, and the summary
//! `N passed, N failed`), for programs (`--format json`) and for CI (`--junit FILE`,
//! JUnit XML).

use super::runner::{Failure, FileProblem, FileReport, Outcome, Status, TestResult};
use crate::render::display_path;
use std::fmt::Write;

/// Counts over a whole run.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Files whose tests could not run (not loaded, not compiled, top-level code failed,
    /// the process ended early).
    pub broken_files: usize,
    /// Files with at least one test run or reported.
    pub files: usize,
}

impl Totals {
    pub(crate) fn of(reports: &[FileReport]) -> Totals {
        let mut totals = Totals::default();
        for report in reports {
            match &report.outcome {
                Outcome::NoTests | Outcome::Cancelled => continue,
                Outcome::NotLoaded { .. } | Outcome::NotCompiled { .. } => {
                    totals.broken_files += 1;
                }
                Outcome::Ran { tests, problem } => {
                    if problem.is_some() {
                        totals.broken_files += 1;
                    }
                    for test in tests {
                        match test.status {
                            Status::Pass => totals.passed += 1,
                            Status::Fail => totals.failed += 1,
                            Status::Error => totals.errors += 1,
                        }
                    }
                }
            }
            totals.files += 1;
        }
        totals
    }

    pub(crate) fn ok(&self) -> bool {
        self.failed == 0 && self.errors == 0 && self.broken_files == 0
    }

    /// `N passed, N failed` (errors count as failed: `(N errors)` says how many), the
    /// files that could not run, how many files and how long.
    pub(crate) fn summary(&self, seconds: f64) -> String {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut text = format!(
            "{} passed, {} failed",
            self.passed,
            self.failed + self.errors
        );
        if self.errors > 0 {
            let _ = write!(text, " ({} error{})", self.errors, plural(self.errors));
        }
        if self.broken_files > 0 {
            let _ = write!(
                text,
                "; {} file{} could not run",
                self.broken_files,
                plural(self.broken_files)
            );
        }
        let _ = write!(
            text,
            "; {} file{} in {seconds:.2}s",
            self.files,
            plural(self.files)
        );
        text
    }
}

/// Colors for a terminal.
pub(crate) struct Paint {
    pub color: bool,
}

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn red(&self, text: &str) -> String {
        self.paint("1;31", text)
    }
    fn green(&self, text: &str) -> String {
        self.paint("1;32", text)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// The line printed for a file as soon as it is done.
pub(crate) fn file_line(report: &FileReport, paint: &Paint) -> Option<String> {
    let name = display_path(&report.path);
    let seconds = report.ms / 1000.0;
    match &report.outcome {
        Outcome::NoTests | Outcome::Cancelled => None,
        Outcome::NotLoaded { .. } => Some(format!(
            "{} {name}: could not be loaded",
            paint.red("ERROR")
        )),
        Outcome::NotCompiled { errors, .. } => Some(format!(
            "{} {name}: could not be compiled ({errors} error{})",
            paint.red("ERROR"),
            if *errors == 1 { "" } else { "s" }
        )),
        Outcome::Ran { tests, problem } => {
            let passed = tests.iter().filter(|t| t.status == Status::Pass).count();
            let not_passed = tests.len() - passed;
            let count = format!(
                "{} test{}",
                tests.len(),
                if tests.len() == 1 { "" } else { "s" }
            );
            Some(if let Some(problem) = problem {
                format!(
                    "{} {name}: {} ({count} reported, {seconds:.2}s)",
                    paint.red("ERROR"),
                    problem.failure.message
                )
            } else if not_passed == 0 {
                format!("{} {name} ({count}, {seconds:.2}s)", paint.green("PASS"))
            } else {
                format!(
                    "{} {name} ({not_passed} of {count} failed, {seconds:.2}s)",
                    paint.red("FAIL")
                )
            })
        }
    }
}

/// Everything after the per-file lines: each failure in full, then the summary.
pub(crate) fn details(reports: &[FileReport], seconds: f64, paint: &Paint) -> String {
    let mut out = String::new();
    // First, as a compiler's warnings come before the tests run: each once, however many
    // test files import the module it is in.
    let mut shown = std::collections::HashSet::new();
    for warning in reports.iter().flat_map(|r| &r.warnings) {
        if shown.insert(warning.key.as_str()) {
            let _ = writeln!(out, "\n{}", warning.rendered.trim_end());
        }
    }
    for report in reports {
        let name = display_path(&report.path);
        match &report.outcome {
            Outcome::NotLoaded { message } => {
                let _ = writeln!(
                    out,
                    "\n{}\n{message}",
                    paint.bold(&format!("---- {name} ----"))
                );
            }
            Outcome::NotCompiled { rendered, .. } => {
                let _ = writeln!(
                    out,
                    "\n{}\n{rendered}",
                    paint.bold(&format!("---- {name} ----"))
                );
                let _ = writeln!(out, "error: could not compile {name}");
            }
            Outcome::Ran { tests, problem } => {
                if let Some(problem) = problem {
                    let _ = writeln!(out, "\n{}", paint.bold(&format!("---- {name} ----")));
                    file_problem(&mut out, problem);
                }
                for test in tests.iter().filter(|t| t.status != Status::Pass) {
                    let _ = writeln!(
                        out,
                        "\n{}",
                        paint.bold(&format!("---- {name}::{} ----", test.name))
                    );
                    test_failure(&mut out, &name, test);
                }
            }
            Outcome::NoTests | Outcome::Cancelled => {}
        }
    }
    let totals = Totals::of(reports);
    let verdict = if totals.ok() {
        paint.green("ok")
    } else {
        paint.red("FAILED")
    };
    let _ = writeln!(out, "\ntest result: {verdict}. {}", totals.summary(seconds));
    out
}

fn place(failure: &Failure, fallback_file: &str, fallback_line: u32) -> String {
    match (&failure.file, failure.line) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        _ => format!("{fallback_file}:{fallback_line}"),
    }
}

fn test_failure(out: &mut String, file: &str, test: &TestResult) {
    let Some(failure) = &test.failure else {
        return;
    };
    let kind = if test.status == Status::Error {
        "error"
    } else {
        "failed"
    };
    let mut lines = failure.report.lines();
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(out, "{}: {kind}: {first}", place(failure, file, test.line));
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    frames(out, failure);
    output(out, &test.output);
}

/// Identical consecutive frames shown before the rest are counted (as Python and the
/// runtime's `tracebacks.frame_lines` do).
const REPEATS_SHOWN: usize = 3;

fn frames(out: &mut String, failure: &Failure) {
    if failure.frames.len() > 1 {
        let _ = writeln!(out, "ML traceback (most recent call last):");
        let mut frames = failure.frames.iter().peekable();
        while let Some(frame) = frames.next() {
            let mut count = 1;
            while frames.peek() == Some(&frame) {
                frames.next();
                count += 1;
            }
            let (file, line, function) = frame;
            for _ in 0..count.min(REPEATS_SHOWN) {
                let _ = writeln!(out, "  {file}:{line} in {function}");
            }
            if count > REPEATS_SHOWN {
                let more = count - REPEATS_SHOWN;
                let s = if more == 1 { "" } else { "s" };
                let _ = writeln!(out, "  [Previous line repeated {more} more time{s}]");
            }
        }
    }
}

fn output(out: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    let _ = writeln!(out, "output:");
    for line in text.lines() {
        let _ = writeln!(out, "  | {line}");
    }
}

fn file_problem(out: &mut String, problem: &FileProblem) {
    let failure = &problem.failure;
    match (&failure.file, failure.line) {
        (Some(file), Some(line)) => {
            let _ = writeln!(out, "{file}:{line}: error: {}", failure.report);
        }
        _ => {
            let _ = writeln!(out, "error: {}", failure.report);
        }
    }
    frames(out, failure);
    output(out, &problem.output);
}

fn failure_json(failure: &Failure) -> serde_json::Value {
    serde_json::json!({
        "message": failure.message,
        "report": failure.report,
        "file": failure.file,
        "line": failure.line,
        "frames": failure.frames.iter().map(|(f, l, n)| serde_json::json!({"file": f, "line": l, "function": n})).collect::<Vec<_>>(),
        "actual": failure.actual,
        "expected": failure.expected,
        "diff": failure.diff,
    })
}

/// `--format json`: one document with every file, every test and the totals.
pub(crate) fn json(reports: &[FileReport], seconds: f64) -> serde_json::Value {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::NoTests | Outcome::Cancelled))
        .map(|report| {
            let file = display_path(&report.path);
            let mut value = serde_json::json!({
                "file": file,
                "duration_ms": report.ms,
            });
            match &report.outcome {
                Outcome::NotLoaded { message } => {
                    value["status"] = "not_loaded".into();
                    value["error"] = message.clone().into();
                    value["tests"] = serde_json::json!([]);
                }
                Outcome::NotCompiled { diagnostics, .. } => {
                    value["status"] = "not_compiled".into();
                    value["diagnostics"] = diagnostics.clone().into();
                    value["tests"] = serde_json::json!([]);
                }
                Outcome::Ran { tests, problem } => {
                    value["warnings"] = report
                        .warnings
                        .iter()
                        .map(|w| w.json.clone())
                        .collect::<Vec<_>>()
                        .into();
                    let all_passed = tests.iter().all(|t| t.status == Status::Pass);
                    value["status"] = match (problem, all_passed) {
                        (Some(_), _) => "error",
                        (None, true) => "passed",
                        (None, false) => "failed",
                    }
                    .into();
                    if let Some(problem) = problem {
                        value["error"] = failure_json(&problem.failure);
                        value["output"] = problem.output.clone().into();
                    }
                    value["tests"] = tests
                        .iter()
                        .map(|t| {
                            serde_json::json!({
                                "name": t.name,
                                "line": t.line,
                                "status": t.status.as_str(),
                                "duration_ms": t.ms,
                                "output": t.output,
                                "failure": t.failure.as_ref().map(failure_json),
                            })
                        })
                        .collect::<Vec<_>>()
                        .into();
                }
                Outcome::NoTests | Outcome::Cancelled => {}
            }
            value
        })
        .collect();
    let totals = Totals::of(reports);
    serde_json::json!({
        "files": files,
        "summary": {
            "passed": totals.passed,
            "failed": totals.failed,
            "errors": totals.errors,
            "files": totals.files,
            "broken_files": totals.broken_files,
            "duration_ms": seconds * 1000.0,
            "ok": totals.ok(),
        },
    })
}

/// Text as XML 1.0 character data or an attribute value: the five special characters
/// escaped, characters XML cannot hold at all (most control characters) replaced.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML (the schema CI systems read): a `testsuite` per file, a `testcase` per test;
/// a file that could not run is one `testcase` with an `error`.
pub(crate) fn junit(reports: &[FileReport], seconds: f64) -> String {
    let totals = Totals::of(reports);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{} test. Do not edit. -->\n",
        mlpy_transpile::GENERATED_XML_HEADER
    );
    let _ = writeln!(
        out,
        "<testsuites name=\"mlpy test\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{seconds:.3}\">",
        totals.passed + totals.failed + totals.errors + totals.broken_files,
        totals.failed,
        totals.errors + totals.broken_files,
    );
    for report in reports {
        let file = display_path(&report.path);
        let suite = xml_escape(&file);
        let time = report.ms / 1000.0;
        let problem_case = |out: &mut String, message: &str, body: &str, output: &str| {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{suite}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"{time:.3}\" file=\"{suite}\">"
            );
            let _ = writeln!(
                out,
                "    <testcase classname=\"{suite}\" name=\"(file)\" file=\"{suite}\" time=\"{time:.3}\">"
            );
            let _ = writeln!(
                out,
                "      <error message=\"{}\">{}</error>",
                xml_escape(message),
                xml_escape(body)
            );
            if !output.is_empty() {
                let _ = writeln!(out, "      <system-out>{}</system-out>", xml_escape(output));
            }
            let _ = writeln!(out, "    </testcase>\n  </testsuite>");
        };
        match &report.outcome {
            Outcome::NoTests | Outcome::Cancelled => {}
            Outcome::NotLoaded { message } => problem_case(&mut out, message, message, ""),
            Outcome::NotCompiled { rendered, .. } => {
                problem_case(&mut out, &format!("could not compile {file}"), rendered, "")
            }
            Outcome::Ran { tests, problem } => {
                if let Some(problem) = problem {
                    if tests.is_empty() {
                        problem_case(
                            &mut out,
                            &problem.failure.message,
                            &problem.failure.report,
                            &problem.output,
                        );
                        continue;
                    }
                }
                let failures = tests.iter().filter(|t| t.status == Status::Fail).count();
                let errors = tests.iter().filter(|t| t.status == Status::Error).count()
                    + usize::from(problem.is_some());
                let _ = writeln!(
                    out,
                    "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{time:.3}\" file=\"{suite}\">",
                    tests.len() + usize::from(problem.is_some())
                );
                for test in tests {
                    let _ = write!(
                        out,
                        "    <testcase classname=\"{suite}\" name=\"{}\" file=\"{suite}\" line=\"{}\" time=\"{:.3}\"",
                        xml_escape(&test.name),
                        test.line,
                        test.ms / 1000.0
                    );
                    if test.status == Status::Pass && test.output.is_empty() {
                        out.push_str("/>\n");
                        continue;
                    }
                    out.push_str(">\n");
                    if let Some(failure) = &test.failure {
                        let element = if test.status == Status::Fail {
                            "failure"
                        } else {
                            "error"
                        };
                        let at = place(failure, &file, test.line);
                        let _ = writeln!(
                            out,
                            "      <{element} message=\"{}\">{}</{element}>",
                            xml_escape(&failure.message),
                            xml_escape(&format!("{at}: {}", failure.report))
                        );
                    }
                    if !test.output.is_empty() {
                        let _ = writeln!(
                            out,
                            "      <system-out>{}</system-out>",
                            xml_escape(&test.output)
                        );
                    }
                    out.push_str("    </testcase>\n");
                }
                if let Some(problem) = problem {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{suite}\" name=\"(file)\" file=\"{suite}\"><error message=\"{}\">{}</error></testcase>",
                        xml_escape(&problem.failure.message),
                        xml_escape(&problem.failure.report)
                    );
                }
                out.push_str("  </testsuite>\n");
            }
        }
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn xml_escapes_specials_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\t"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1}\t"
        );
    }
}
