//! The conformance corpus (`../shared/conformance`, or `$MLPY_CONFORMANCE_DIR`), read as
//! its README says: the programs, and the masks applied to their output before it is
//! compared. Shared by the conformance test and the formatter's end-to-end test.

use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `mlpy run` of a corpus program (`source`, whose suite's folder is `suite`) with
/// everything granted, in `cwd`, which is also its `TMPDIR`: the file programs write under
/// `path.tempDir()` and leave folders behind (`mlpy_test_a/b/c`), which stay inside it.
pub(crate) fn run_command(cache: &Path, source: &Path, suite: &Path, cwd: &Path) -> Command {
    let mut command = super::mlpy(cache);
    command
        .arg("run")
        .arg(source)
        .arg("--import-paths")
        .arg(suite)
        .arg("--allow")
        .arg(CAPABILITIES)
        .env("TMPDIR", cwd)
        .current_dir(cwd);
    command
}

/// What a program run by `run_command` in `cwd` printed, as the reference printed it: a
/// path under its temporary folder is a path under `/tmp`.
pub(crate) fn printed(output: &std::process::Output, cwd: &Path) -> String {
    super::stdout(output).replace(&*cwd.to_string_lossy(), "/tmp")
}

/// Everything granted, as the README says.
pub(crate) const CAPABILITIES: &str =
    "console,math,regex,json,datetime,random,collections,functional,file,path,http,env,args,crypto,csv,log";

/// (program, text in the expected output, what mlpy prints instead, why).
pub(crate) const DOCUMENTED_DEVIATIONS: &[(&str, &str, &str, &str)] = &[(
    "ml_core/13_ternary",
    "'in_expression': 10,",
    "'in_expression': 15,",
    "docs/compatibility.md, \"Ternary inside an operator\": (x > 5 ? 10 : 20) + 5 is 15, the reference's precedence defect gave 10 (decisions.md fixes it)",
)];

pub(crate) fn corpus() -> PathBuf {
    let dir = match std::env::var_os("MLPY_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    };
    assert!(
        dir.join("programs").is_dir() && dir.join("expected").is_dir(),
        "the conformance corpus is missing: {} has no programs/ and expected/ (set MLPY_CONFORMANCE_DIR)",
        dir.display()
    );
    dir
}

pub(crate) struct Mask {
    program: String,
    regex: Regex,
    replacement: String,
}

pub(crate) fn masks(corpus: &Path) -> Vec<Mask> {
    let text = std::fs::read_to_string(corpus.join("masks.tsv")).expect("masks.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let mut fields = line.splitn(3, '\t');
            let program = fields.next().expect("program").to_string();
            let pattern = fields.next().expect("regex");
            let replacement = fields.next().unwrap_or("").to_string();
            Mask {
                program,
                regex: Regex::new(pattern).unwrap_or_else(|e| panic!("bad mask {pattern}: {e}")),
                replacement,
            }
        })
        .collect()
}

/// Masks applied line by line; trailing blank lines dropped. Lines end at `\n` or `\r\n`
/// (the expected files were captured in text mode, where Python reads `\r\n` as one line
/// break: `csv` writes `\r\n`).
pub(crate) fn masked(masks: &[Mask], program: &str, text: &str) -> String {
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let mut line = line.strip_suffix('\r').unwrap_or(line).to_string();
            for mask in masks {
                if mask.program == "*" || mask.program == program {
                    line = mask
                        .regex
                        .replace_all(&line, mask.replacement.as_str())
                        .into_owned();
                }
            }
            line
        })
        .collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// `SUITE/NAME` of every program: the `.ml` files directly inside each suite folder.
pub(crate) fn programs(corpus: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut suites: Vec<PathBuf> = std::fs::read_dir(corpus.join("programs"))
        .expect("programs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    suites.sort();
    for suite in suites {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&suite)
            .expect("suite")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ml"))
            .collect();
        files.sort();
        for file in files {
            out.push(format!(
                "{}/{}",
                suite.file_name().expect("name").to_string_lossy(),
                file.file_stem().expect("stem").to_string_lossy()
            ));
        }
    }
    out
}
