//! Randomly generated valid programs: each is printed with random whitespace, line
//! breaks and `//` comments wherever the language allows them, parsed, and compared
//! with what was generated. This checks the parser's precedence and associativity and,
//! above all, the lexer's context decisions (`//` comment or floor division, `-5`
//! literal or subtraction), which only show when they go wrong in a valid program.
//!
//! The generator is a small seeded PRNG driven by proptest's seeds, so a failure
//! prints the program and the seed; `PROPTEST_CASES` raises the number of programs.

mod common;

use common::generator::{canon_node, generate};
use proptest::prelude::*;

fn check_program(seed: u64) {
    let (text, expected) = generate(seed);
    let parse = mlpy_syntax::parse(&text);
    common::check_invariants(&text, &parse);
    assert!(
        !parse.has_errors(),
        "seed {seed}: errors in a valid program:\n{}",
        common::render_diagnostics(&text)
    );
    let mut actual = String::new();
    canon_node(&parse.syntax_node(), &mut actual);
    assert_eq!(
        actual, expected,
        "seed {seed}: the tree differs from the program generated:\n{text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1024),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_programs_parse_as_generated(seed in any::<u64>()) {
        check_program(seed);
    }
}

/// A few fixed seeds, so that a regression shows without proptest's randomness.
#[test]
fn fixed_seeds() {
    for seed in 1..200 {
        check_program(seed * 7919);
    }
}
