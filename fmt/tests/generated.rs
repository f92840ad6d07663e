//! The formatter on generated programs: random valid programs with random layout and
//! comments everywhere the language allows them (the parser's generator,
//! `syntax/tests/common/generator.rs`), formatted at several widths: the result means
//! the program generated, keeps every comment, and formats to itself.
//! `MLPY_FMT_CASES` sets the number of programs (default 1500).

mod common;
#[allow(dead_code)]
#[path = "../../syntax/tests/common/generator.rs"]
mod generator;

use common::check_formatting;
use mlpy_fmt::FormatOptions;

fn cases() -> u64 {
    std::env::var("MLPY_FMT_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1500)
}

#[test]
fn generated_programs_format_to_the_same_program() {
    let widths = [
        FormatOptions::default(),
        FormatOptions {
            line_width: 30,
            indent_width: 2,
        },
        FormatOptions {
            line_width: 1,
            indent_width: 4,
        },
    ];
    let mut failures = Vec::new();
    for seed in 1..=cases() {
        let seed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let (text, expected) = generator::generate(seed);
        let options = &widths[(seed % 3) as usize];
        match check_formatting(&text, options) {
            Ok(Some(out)) => {
                let mut actual = String::new();
                generator::canon_node(&mlpy_syntax::parse(&out).syntax_node(), &mut actual);
                if actual != expected {
                    failures.push(format!(
                        "seed {seed}: another program after formatting:\n{text}\n--- became\n{out}"
                    ));
                }
            }
            Ok(None) => failures.push(format!("seed {seed}: refused a valid program:\n{text}")),
            Err(e) => failures.push(format!("seed {seed}: {e}\n--- input\n{text}")),
        }
        if failures.len() >= 3 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
