//! The conformance corpus (`../shared/conformance`, or `$MLPY_CONFORMANCE_DIR`): every
//! program run exactly as its README says — import path = the program's folder, a fresh
//! empty working directory, every capability granted — through the real `mlpy run` and
//! the real `python3` (or `$MLPY_PYTHON`: `cargo xtask test` runs this test once per CPython
//! 3.9+ it finds), stdout compared with the expected output after `masks.tsv`, trailing blank
//! lines ignored.
//!
//! A program may differ from the reference only where `docs/compatibility.md` documents a
//! deliberate decision; such differences are listed in `DOCUMENTED_DEVIATIONS` and applied
//! to the expected output before comparing (nothing else may differ). The test fails
//! below 76/76 and prints every differing program with a diff.

mod support;

use support::conformance::{
    corpus, masked, masks, printed, programs, run_command, DOCUMENTED_DEVIATIONS,
};
use support::{diff, parallel, run};

const EXPECTED_PROGRAMS: usize = 76;

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
        let command = run_command(
            cache.path(),
            &source,
            &corpus.join("programs").join(suite),
            cwd.path(),
        );
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
        let actual = masked(&masks, program, &printed(&output, cwd.path()));
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
    // `mlpy run` uses $MLPY_PYTHON (else python3): `cargo xtask test` runs the corpus once
    // per CPython 3.9+ it finds, and every one must print the same.
    let interpreter = std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    eprintln!(
        "conformance ({interpreter}): {matched}/{} programs match ({} exactly, {} with a documented deviation: {})",
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
