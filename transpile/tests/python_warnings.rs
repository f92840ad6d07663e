//! The emitted Python compiles without warnings: Python's compiler prints a
//! `SyntaxWarning` (or, before 3.12, a `DeprecationWarning`) naming the emitted file, a
//! cache path the user never wrote, for code it can tell is wrong (`1[0]`,
//! `"abc"["x"]`, `[1](2)`, invalid escapes, `1if`). Generated programs full of literals
//! are emitted and compiled by `python3` with every warning turned into an error; a
//! program the checks refuse is not emitted, so each warning must be an ML diagnostic.

use mlpy_modules::{Diagnostic, ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

/// Compiles every `.py` file of a folder with warnings as errors; prints one line per
/// file that warned.
const COMPILE_STRICT: &str = r#"
import os, sys, warnings
bad = []
for name in sorted(os.listdir(sys.argv[1])):
    path = os.path.join(sys.argv[1], name)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            compile(source, path, "exec")
        except (SyntaxError, Warning) as e:
            bad.append("%s: %s: %s" % (name, type(e).__name__, e))
print("\n".join(bad))
"#;

use mlpy_testkit::Rng;

const NUMBERS: &[&str] = &[
    "0", "1", "42", "3.14", "-5", "-2.5", "+7", "1e3", "2.5E-3", ".5", "7.", "-.5e3", "007",
    "1.e5", "1e999", "-0",
];
const STRINGS: &[&str] = &[
    r#""text""#,
    r#""a\nb""#,
    r"'\d+\.\w'",
    r#""\\""#,
    r#""\x41\N{DASH}""#,
    r#""\uD83D\uDE00""#,
    r#""\u00e9""#,
    r#""""#,
    r#""{}""#,
    r#""%s""#,
];
const NAMES: &[&str] = &["a", "s", "items", "f", "null", "undefined"];

fn leaf(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => rng.pick(NUMBERS).to_string(),
        1 => rng.pick(STRINGS).to_string(),
        2 => rng.pick(&["true", "false"]).to_string(),
        _ => rng.pick(NAMES).to_string(),
    }
}

/// An expression; mostly literals and what can be built from them, so that Python's
/// compiler sees constants where it looks for mistakes.
fn expr(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.below(4) == 0 {
        return leaf(rng);
    }
    let d = depth - 1;
    match rng.below(13) {
        0 | 1 => format!("{}[{}]", operand(rng, d), expr(rng, d)),
        2 => {
            let part = |rng: &mut Rng| {
                if rng.below(2) == 0 {
                    expr(rng, d)
                } else {
                    String::new()
                }
            };
            format!("{}[{}:{}]", operand(rng, d), part(rng), part(rng))
        }
        3 => {
            let n = rng.below(3);
            let args: Vec<String> = (0..n).map(|_| expr(rng, d)).collect();
            format!("{}({})", operand(rng, d), args.join(", "))
        }
        4 => {
            let op = rng.pick(&[
                "+", "-", "*", "/", "//", "%", "==", "!=", "<", ">=", "&&", "||",
            ]);
            format!("{} {op} {}", operand(rng, d), operand(rng, d))
        }
        5 => format!("{}{}", rng.pick(&["!", "-"]), operand(rng, d)),
        6 => {
            let n = rng.below(3);
            let items: Vec<String> = (0..n).map(|_| expr(rng, d)).collect();
            format!("[{}]", items.join(", "))
        }
        7 => format!("{{k: {}, \"q\": {}}}", expr(rng, d), expr(rng, d)),
        8 => format!("fn(p) => {}", operand(rng, d)),
        9 => format!("fn(p) => {{ return {}; }}", expr(rng, d)),
        10 => format!(
            "{} ? {} : {}",
            operand(rng, d),
            operand(rng, d),
            operand(rng, d)
        ),
        11 => format!(
            "{}.{}",
            operand(rng, d),
            rng.pick(&["length", "upper", "k", "if"])
        ),
        _ => format!("({})", expr(rng, d)),
    }
}

/// An expression that can stand as an operand without changing meaning.
fn operand(rng: &mut Rng, depth: u32) -> String {
    let e = expr(rng, depth);
    let simple = e
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if simple || (e.starts_with('(') && e.ends_with(')')) {
        e
    } else {
        format!("({e})")
    }
}

/// A statement using `e`. (`return`, `break` and `continue` never stand in a `finally`
/// block: Python 3.14 warns about those, see docs/compatibility.md.)
fn statement(rng: &mut Rng, e: &str) -> String {
    match rng.below(8) {
        0 => format!("print({e});"),
        1 => format!("v = {e};"),
        2 => format!("if ({e}) {{ v = 1; }} else {{ v = {e}; }}"),
        3 => format!("while ({e}) {{ break; }}"),
        4 => format!("for (x in {e}) {{ continue; }}"),
        5 => format!("function g(p) {{ try {{ return {e}; }} finally {{ v = 2; }} }}"),
        6 => format!("items[0] = {e};"),
        _ => format!("v = [{e}, fn(q) => {{ r = {e}; return r; }}];"),
    }
}

const PROLOGUE: &str =
    "a = 1;\ns = \"str\";\nitems = [1, 2];\nv = 0;\nfunction f(x) { return x; }\n";

struct Outcome {
    /// The emitted `main.py`, or the errors that refused the program.
    python: Result<String, Vec<Diagnostic>>,
}

fn transpile(dir: &Path, main: &str) -> Outcome {
    std::fs::write(dir.join("main.ml"), main).unwrap();
    let config = ProjectConfig::load(&dir.join("mlpy.json")).unwrap();
    let resolver = Resolver::new(Arc::new(config.clone()));
    let graph = ModuleGraph::build(&dir.join("main.ml"), &resolver, &ModuleCache::new()).unwrap();
    let python = mlpy_transpile::transpile_multi(&graph, &mlpy_transpile::Options::new(&config))
        .map(|out| {
            out.files
                .iter()
                .find(|f| f.path == Path::new("main.py"))
                .expect("main.py")
                .contents
                .to_string()
        });
    Outcome { python }
}

/// The lines of `COMPILE_STRICT`'s report: one per file that warned.
fn compile_strict(folder: &Path) -> Vec<String> {
    let python = std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(COMPILE_STRICT)
        .arg(folder)
        .env_remove("PYTHONWARNINGS")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
    dir
}

#[test]
fn generated_programs_compile_without_python_warnings() {
    let dir = project();
    let emitted = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let mut sources = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..400 {
        let e = expr(&mut rng, 3);
        let main = format!("{PROLOGUE}{}\n", statement(&mut rng, &e));
        match transpile(dir.path(), &main).python {
            Ok(python) => {
                std::fs::write(emitted.path().join(format!("p{i:03}.py")), python).unwrap();
                accepted += 1;
            }
            Err(_) => refused += 1,
        }
        sources.push(main);
    }
    let bad = compile_strict(emitted.path());
    let mut report = String::new();
    for line in &bad {
        let i: usize = line[1..4].parse().unwrap();
        let _ = writeln!(
            report,
            "{line}\n  ML: {}",
            sources[i].lines().last().unwrap()
        );
    }
    assert!(
        bad.is_empty(),
        "emitted code Python warns about ({accepted} programs emitted):\n{report}"
    );
    // The generator is worth something only if most of its programs get through.
    assert!(
        accepted >= 200,
        "only {accepted} of 400 programs were accepted ({refused} refused)"
    );
}

/// Each ML form Python's compiler warns about is an ML error at the ML place; the same
/// forms with a value the compiler cannot see (a variable) are accepted and compile
/// cleanly (they may still fail when run, like any program).
#[test]
fn forms_python_warns_about_are_ml_errors() {
    let dir = project();
    let refused = [
        ("1[0]", "a number cannot be indexed", 0),
        ("2.5[0]", "a float cannot be indexed", 0),
        ("true[0]", "a boolean cannot be indexed", 0),
        ("null[0]", "null cannot be indexed", 0),
        ("(fn(p) => p)[0]", "a function cannot be indexed", 0),
        (
            "(fn(p) => { return p; })[0]",
            "a function cannot be indexed",
            0,
        ),
        ("(1 + 2)[0]", "a number cannot be indexed", 0),
        ("(-(1))[0]", "a number cannot be indexed", 0),
        ("(!a)[0]", "a boolean cannot be indexed", 0),
        ("1[0:1]", "a number cannot be indexed", 0),
        (
            "\"abc\"[\"x\"]",
            "a string cannot be indexed with a string",
            6,
        ),
        ("\"abc\"[1.5]", "a string cannot be indexed with a float", 6),
        (
            "[1, 2][\"x\"]",
            "an array cannot be indexed with a string",
            7,
        ),
        ("[1][null]", "an array cannot be indexed with null", 4),
        ("[1][1 / 2]", "an array cannot be indexed with a float", 4),
        ("[1][[0]]", "an array cannot be indexed with an array", 4),
        ("[1][{}]", "an array cannot be indexed with an object", 4),
        (
            "\"a\"[fn(p) => p]",
            "a string cannot be indexed with a function",
            4,
        ),
        (
            "(\"a\" + a)[\"b\"]",
            "a string cannot be indexed with a string",
            10,
        ),
        (
            "(\"a\" * 2)[\"b\"]",
            "a string cannot be indexed with a string",
            10,
        ),
    ];
    for (e, message, column) in refused {
        let main = format!("{PROLOGUE}v = {e};\n");
        let Err(errors) = transpile(dir.path(), &main).python else {
            panic!("accepted: {e}");
        };
        assert_eq!(errors.len(), 1, "{e}: {errors:?}");
        let d = &errors[0];
        assert_eq!(
            (d.code.as_str(), d.message.as_str()),
            ("invalid-index", message),
            "{e}"
        );
        let at = PROLOGUE.len() + "v = ".len() + column;
        assert_eq!(usize::from(d.range.start()), at, "{e}: {d:?}");
    }
    let accepted = [
        "[1, 2](3)",
        "1(2)",
        "\"a\"(1)",
        "{}(1)",
        "items[\"x\"]",
        "s[a]",
        "\"abc\"[true]",
        "\"abc\"[-1]",
        "[1, 2][1:\"x\"]",
        "{k: 1}[\"k\"]",
        "{k: 1}[1.5]",
        "\"abc\"[a > 1]",
        "(a ? 1 : 2)[0]",
        "\"\\d\\q\\N\\x\"",
        "-(-1)",
        "(1 + 2) + (3 * 4)",
    ];
    let emitted = tempfile::tempdir().unwrap();
    for (i, e) in accepted.iter().enumerate() {
        let main = format!("{PROLOGUE}v = {e};\n");
        match transpile(dir.path(), &main).python {
            Ok(python) => {
                std::fs::write(emitted.path().join(format!("p{i:03}.py")), python).unwrap()
            }
            Err(errors) => panic!("refused: {e}: {errors:?}"),
        }
    }
    let bad = compile_strict(emitted.path());
    assert!(bad.is_empty(), "{bad:?}");
}

/// Python refuses integer literals over 4300 digits (3.11+ and the 3.9/3.10 security
/// releases): reported at the literal, and 4300 digits still pass.
#[test]
fn integer_literals_over_4300_digits_are_errors() {
    let dir = project();
    let digits = |n: usize| "7".repeat(n);
    for (literal, ok) in [
        (digits(4300), true),
        (format!("-{}", digits(4300)), true),
        (format!("000{}", digits(4300)), true),
        (digits(4301), false),
        (format!("-{}", digits(5000)), false),
        (format!("{}.5", digits(5000)), true),
    ] {
        let main = format!("a = 1;\nv = [a, {literal}];\n");
        match transpile(dir.path(), &main).python {
            Ok(python) => {
                assert!(ok, "accepted {} characters", literal.len());
                let emitted = tempfile::tempdir().unwrap();
                std::fs::write(emitted.path().join("p000.py"), python).unwrap();
                assert!(compile_strict(emitted.path()).is_empty());
            }
            Err(errors) => {
                assert!(!ok, "refused {} characters: {errors:?}", literal.len());
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].code, "integer-too-large");
                assert_eq!(
                    usize::from(errors[0].range.start()),
                    "a = 1;\nv = [a, ".len()
                );
                assert_eq!(usize::from(errors[0].range.len()), literal.len());
            }
        }
    }
}
