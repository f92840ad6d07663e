//! The `mlpy.runTest` command behind the "Run test" code lenses: runs one test of a test
//! file with `mlpy test FILE --filter NAME --exact --format json` (the same discovery,
//! sandbox, capabilities and import paths as on the command line; the saved file, from
//! its folder) and turns the report into a message for the user.

use mlpy_remote::process::{self, Failure};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A test that runs longer than this is stopped (an editor command must end).
const TEST_TIMEOUT: Duration = Duration::from_secs(300);
/// The most of a report read (the test's output is in it).
const REPORT_LIMIT: u64 = 64 << 20;

/// What one run of a test gave: a line for the user, and whether it passed.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRun {
    pub passed: bool,
    /// One line: `test_x passed (3 ms)`, `test_x failed: a_test.ml:5: expected …`.
    pub message: String,
    /// Everything worth reading: the failure's report and the test's output.
    pub details: String,
    /// The `--format json` report of `mlpy test`.
    pub report: Value,
}

impl TestRun {
    pub fn to_json(&self) -> Value {
        json!({
            "passed": self.passed,
            "message": self.message,
            "details": self.details,
            "report": self.report,
        })
    }
}

/// Runs the test `name` of `file` with the `mlpy` executable `mlpy` (through the
/// project's runner of external programs: both pipes drained, the whole process group
/// killed at the timeout, so that no Python process of the test outlives it).
pub fn run_test(mlpy: &Path, file: &Path, name: &str) -> Result<TestRun, String> {
    let folder = file.parent().unwrap_or(Path::new("."));
    let mut command = Command::new(mlpy);
    command
        .arg("test")
        .arg(file)
        .args(["--filter", name, "--exact", "--format", "json", "-j", "1"])
        .current_dir(folder)
        .env("NO_COLOR", "1");
    let finished =
        process::run(&mut command, None, TEST_TIMEOUT, REPORT_LIMIT).map_err(|e| match e {
            Failure::Spawn(e) => format!("cannot start {}: {e}", mlpy.display()),
            Failure::TimedOut { .. } => format!(
                "{name} did not finish within {} s and was stopped",
                TEST_TIMEOUT.as_secs()
            ),
            Failure::TooMuchOutput { limit, .. } => {
                format!("{name} wrote more than {} MiB and was stopped", limit >> 20)
            }
            Failure::Io(e) => format!("running mlpy test: {e}"),
        })?;
    let report: Value = match serde_json::from_slice(&finished.stdout) {
        Ok(report) => report,
        Err(_) => {
            let said = finished.stderr.trim();
            return Err(if said.is_empty() {
                let code = finished
                    .code
                    .map_or("a signal".to_string(), |c| format!("exit status {c}"));
                format!("mlpy test ended with {code} and no report")
            } else {
                // The CLI's own `mlpy: ` prefix: the editor's line says `mlpy: ` already.
                said.strip_prefix("mlpy: ").unwrap_or(said).to_string()
            });
        }
    };
    Ok(summarize(name, report, &finished.stderr))
}

/// The user's message for a report of `mlpy test … --exact --format json`.
pub fn summarize(name: &str, report: Value, stderr: &str) -> TestRun {
    let file = report["files"].get(0).cloned().unwrap_or(Value::Null);
    let test = file["tests"]
        .as_array()
        .and_then(|tests| tests.iter().find(|t| t["name"] == name))
        .cloned();
    let failure_line = |failure: &Value| -> String {
        let message = failure["message"].as_str().unwrap_or("failed");
        match (failure["file"].as_str(), failure["line"].as_u64()) {
            (Some(f), Some(l)) => format!("{f}:{l}: {message}"),
            _ => message.to_string(),
        }
    };
    let (passed, message, mut details) = match (&test, file["status"].as_str()) {
        (Some(test), _) => {
            let ms = test["duration_ms"].as_f64().unwrap_or(0.0);
            match test["status"].as_str() {
                Some("pass") => (true, format!("{name} passed ({ms:.0} ms)"), String::new()),
                status => {
                    let verb = if status == Some("error") {
                        "raised an error"
                    } else {
                        "failed"
                    };
                    let failure = &test["failure"];
                    let mut details = failure["report"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| failure_line(failure));
                    if let Some(diff) = failure["diff"].as_str().filter(|d| !d.is_empty()) {
                        details.push('\n');
                        details.push_str(diff);
                    }
                    (
                        false,
                        format!("{name} {verb}: {}", failure_line(failure)),
                        details,
                    )
                }
            }
        }
        (None, Some("not_compiled")) => {
            let first = file["diagnostics"]
                .get(0)
                .map(|d| {
                    let message = d["message"].as_str().unwrap_or("an error");
                    match (d["file"].as_str(), d["line"].as_u64()) {
                        (Some(f), Some(l)) => format!("{f}:{l}: {message}"),
                        _ => message.to_string(),
                    }
                })
                .unwrap_or_else(|| "errors".into());
            (
                false,
                format!("{name} did not run: the file does not compile: {first}"),
                String::new(),
            )
        }
        (None, Some(_)) => {
            let error = &file["error"];
            let said = error["message"]
                .as_str()
                .or(error.as_str())
                .unwrap_or("the file could not run");
            (false, format!("{name} did not run: {said}"), String::new())
        }
        (None, None) => (
            false,
            format!("no test {name} in the saved file (save it, or is it a test_* function without parameters?)"),
            String::new(),
        ),
    };
    if let Some(output) = test
        .as_ref()
        .and_then(|t| t["output"].as_str())
        .filter(|o| !o.is_empty())
    {
        if !details.is_empty() {
            details.push('\n');
        }
        details.push_str("output:\n");
        details.push_str(output);
    }
    let stderr = stderr.trim();
    if !passed && !stderr.is_empty() {
        if !details.is_empty() {
            details.push('\n');
        }
        details.push_str(stderr);
    }
    TestRun {
        passed,
        message,
        details,
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passing_test() {
        let report = json!({"files": [{"file": "a_test.ml", "status": "passed", "tests": [
            {"name": "test_a", "status": "pass", "duration_ms": 2.4, "output": "hi\n", "failure": null}]}]});
        let run = summarize("test_a", report, "");
        assert!(run.passed);
        assert_eq!(run.message, "test_a passed (2 ms)");
        assert_eq!(run.details, "output:\nhi\n");
    }

    #[test]
    fn a_failing_test_names_the_place_of_the_assertion() {
        let report = json!({"files": [{"file": "a_test.ml", "status": "failed", "tests": [
            {"name": "test_a", "status": "fail", "duration_ms": 1.0, "output": "",
             "failure": {"message": "expected 2, got 3", "file": "a_test.ml", "line": 5,
                         "report": "a_test.ml:5: expected 2, got 3", "diff": null}}]}]});
        let run = summarize("test_a", report, "");
        assert!(!run.passed);
        assert_eq!(run.message, "test_a failed: a_test.ml:5: expected 2, got 3");
        assert_eq!(run.details, "a_test.ml:5: expected 2, got 3");
    }

    #[test]
    fn a_file_that_does_not_compile_or_lost_its_test() {
        let report = json!({"files": [{"file": "a_test.ml", "status": "not_compiled",
            "diagnostics": [{"message": "Module 'x' not found", "file": "a_test.ml", "line": 1}],
            "tests": []}]});
        let run = summarize("test_a", report, "");
        assert!(!run.passed);
        assert!(run
            .message
            .contains("does not compile: a_test.ml:1: Module 'x' not found"));
        let run = summarize(
            "test_gone",
            json!({"files": []}),
            "mlpy test: no tests found",
        );
        assert!(!run.passed);
        assert!(
            run.message.starts_with("no test test_gone"),
            "{}",
            run.message
        );
        assert_eq!(run.details, "mlpy test: no tests found");
    }
}
