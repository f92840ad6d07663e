//! The conformance corpus (`../shared/conformance`, or `$MLPY_CONFORMANCE_DIR`): every
//! program run exactly as its README says — import path = the program's folder, a fresh
//! empty working directory, every capability granted — through the real `mlpy run` and
//! the real `python3`, stdout compared with the expected output after `masks.tsv`,
//! trailing blank lines ignored.
//!
//! A program may differ from the reference only where `docs/compatibility.md` documents a
//! deliberate decision; such differences are listed in `DOCUMENTED_DEVIATIONS` and applied
//! to the expected output before comparing (nothing else may differ). The test fails
//! below 76/76 and prints every differing program with a diff.

mod support;

use regex::Regex;
use std::path::{Path, PathBuf};
use support::{diff, parallel, run};

/// Everything granted, as the README says.
const CAPABILITIES: &str =
    "console,math,regex,json,datetime,random,collections,functional,file,path,http,env,args,crypto,csv,log";

/// (program, text in the expected output, what mlpy prints instead, why).
const DOCUMENTED_DEVIATIONS: &[(&str, &str, &str, &str)] = &[(
    "ml_core/13_ternary",
    "'in_expression': 10,",
    "'in_expression': 15,",
    "docs/compatibility.md, \"Ternary inside an operator\": (x > 5 ? 10 : 20) + 5 is 15, the reference's precedence defect gave 10 (decisions.md fixes it)",
)];

const EXPECTED_PROGRAMS: usize = 76;

fn corpus() -> PathBuf {
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

struct Mask {
    program: String,
    regex: Regex,
    replacement: String,
}

fn masks(corpus: &Path) -> Vec<Mask> {
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
fn masked(masks: &[Mask], program: &str, text: &str) -> String {
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
fn programs(corpus: &Path) -> Vec<String> {
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

struct Outcome {
    program: String,
    matched: bool,
    deviation: bool,
    report: String,
}

/// Parses every emitted module under a folder with the Python 3.9 grammar, and compiles
/// it with this Python's warnings turned into errors (a `SyntaxWarning` names the cached
/// file, not the ML one); prints how many.
const PYTHON_39_GRAMMAR_CHECK: &str = r#"
import ast, os, sys, warnings
count, bad = 0, []
for folder, _, files in os.walk(sys.argv[1]):
    if "mlpy_runtime" in folder.split(os.sep):
        continue
    for name in files:
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            source = open(path, encoding="utf-8").read()
            try:
                ast.parse(source, path, feature_version=(3, 9))
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    compile(source, path, "exec")
                count += 1
            except (SyntaxError, Warning) as e:
                bad.append("%s: %s: %s" % (path, type(e).__name__, e))
print(count)
sys.stderr.write("\n".join(bad))
sys.exit(1 if bad else 0)
"#;

#[test]
fn conformance_corpus() {
    let corpus = corpus();
    let masks = masks(&corpus);
    let programs = programs(&corpus);
    let cache = tempfile::tempdir().expect("cache dir");
    let outcomes = parallel(&programs, |program| {
        let (suite, _) = program.split_once('/').expect("SUITE/NAME");
        let source = corpus.join("programs").join(format!("{program}.ml"));
        let cwd = tempfile::tempdir().expect("working dir");
        let mut command = support::mlpy(cache.path());
        command
            .arg("run")
            .arg(&source)
            .arg("--import-paths")
            .arg(corpus.join("programs").join(suite))
            .arg("--allow")
            .arg(CAPABILITIES)
            .current_dir(cwd.path());
        let output = run(command, None);
        let expected_text =
            std::fs::read_to_string(corpus.join("expected").join(format!("{program}.stdout")))
                .expect("expected output");
        let mut expected = masked(&masks, program, &expected_text);
        let mut deviation = false;
        for (name, reference, ours, _) in DOCUMENTED_DEVIATIONS {
            if name == program {
                assert!(
                    expected.contains(reference),
                    "{program}: the documented deviation no longer applies: {reference:?} is not in the expected output"
                );
                expected = expected.replace(reference, ours);
                deviation = true;
            }
        }
        let actual = masked(&masks, program, &support::stdout(&output));
        let matched = actual == expected;
        let report = if matched {
            String::new()
        } else {
            format!(
                "--- {program} (exit status {:?})\n{}\nstderr (end):\n{}\n",
                output.status.code(),
                diff(&expected, &actual),
                tail(&support::stderr(&output), 1500)
            )
        };
        Outcome {
            program: program.clone(),
            matched,
            deviation,
            report,
        }
    });
    let matched = outcomes.iter().filter(|o| o.matched).count();
    let deviations: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.matched && o.deviation)
        .map(|o| o.program.as_str())
        .collect();
    eprintln!(
        "conformance: {matched}/{} programs match ({} exactly, {} with a documented deviation: {})",
        outcomes.len(),
        matched - deviations.len(),
        deviations.len(),
        deviations.join(", ")
    );
    // The emitted code targets CPython 3.9+: every emitted module (the runtime is checked
    // by its own tests) must parse with the 3.9 grammar, whatever Python runs the tests,
    // and compile without warnings.
    let grammar = std::process::Command::new("python3")
        .arg("-c")
        .arg(PYTHON_39_GRAMMAR_CHECK)
        .arg(cache.path())
        .output()
        .expect("python3 runs");
    let checked: usize = support::stdout(&grammar).trim().parse().unwrap_or(0);
    assert!(
        grammar.status.success() && checked >= EXPECTED_PROGRAMS,
        "emitted code that Python 3.9 cannot parse or that Python warns about ({checked} files checked):\n{}",
        support::stderr(&grammar)
    );
    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| !o.matched).collect();
    for failure in &failures {
        eprintln!("{}", failure.report);
    }
    assert_eq!(
        programs.len(),
        EXPECTED_PROGRAMS,
        "the corpus should hold {EXPECTED_PROGRAMS} programs"
    );
    assert!(
        failures.is_empty(),
        "conformance: {matched}/{} — differing: {}",
        outcomes.len(),
        failures
            .iter()
            .map(|f| f.program.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn tail(text: &str, max: usize) -> &str {
    let start = text.len().saturating_sub(max);
    let mut start = start;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
