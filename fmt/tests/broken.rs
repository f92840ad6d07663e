//! The formatter on broken and extreme input: truncated and mutated programs, deep
//! nesting, odd characters. It must refuse (with the syntax errors) or format correctly,
//! and never panic.

mod common;

use common::{check_formatting, corpus_dir, ml_files};
use mlpy_fmt::{format_range, format_text, FormatError, FormatOptions};
use mlpy_syntax::{TextRange, TextSize};

/// Cuts and splices that break programs in many ways.
fn mutations(text: &str, seed: u64) -> Vec<String> {
    let mut rng = seed | 1;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n.max(1) as u64) as usize
    };
    let boundary = |text: &str, mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    const INSERTS: &[&str] = &[
        "(", ")", "{", "}", "[", "]", ";", ",", "//", "\"", "'", "-", "- ", "=>", "fn(", "if",
        "\n", "else", "//x\n", "\u{e9}", "\\", "?", ":", ".", "return\n",
    ];
    let mut out = Vec::new();
    for _ in 0..8 {
        let cut = boundary(text, next(text.len() + 1));
        out.push(text[..cut].to_string());
        let at = boundary(text, next(text.len() + 1));
        let mut spliced = text[..at].to_string();
        spliced.push_str(INSERTS[next(INSERTS.len())]);
        spliced.push_str(&text[at..]);
        out.push(spliced);
        let from = boundary(text, next(text.len() + 1));
        let to = boundary(text, (from + next(40)).min(text.len()));
        out.push(format!("{}{}", &text[..from], &text[to..]));
    }
    out
}

#[test]
fn mutated_programs_are_refused_or_formatted_never_broken() {
    let options = FormatOptions::default();
    let mut refused = 0;
    let mut formatted = 0;
    let mut failures = Vec::new();
    for (i, file) in ml_files(&corpus_dir().join("programs")).iter().enumerate() {
        let text = std::fs::read_to_string(file).expect("read");
        for mutated in mutations(&text, i as u64 + 1) {
            match check_formatting(&mutated, &options) {
                Ok(None) => refused += 1,
                Ok(Some(_)) => formatted += 1,
                Err(e) => failures.push(format!("{}: {e}\n--- input\n{mutated}", file.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}",
        &failures[..failures.len().min(3)].join("\n\n")
    );
    assert!(
        refused > 700 && formatted > 200,
        "{refused} refused, {formatted} formatted"
    );
}

#[test]
fn refusals_carry_the_syntax_errors() {
    let text = "x = (1 +;\nif (x {\n";
    match format_text(text, &FormatOptions::default()) {
        Err(FormatError::Syntax { errors }) => {
            assert!(errors.len() >= 2, "{errors:?}");
            assert!(errors.iter().all(|e| e.is_error()));
            assert!(errors
                .windows(2)
                .all(|w| w[0].range.start() <= w[1].range.start()));
        }
        other => panic!("{other:?}"),
    }
    // A warning alone is no reason to refuse.
    assert_eq!(
        format_text("x = 6 // 2\n;", &FormatOptions::default()).unwrap(),
        "x = 6 // 2;\n"
    );
}

#[test]
fn deep_nesting_is_formatted_or_refused_without_overflowing() {
    for depth in [50, 200, 590, 610, 900, 5000] {
        for (open, close) in [("(", ")"), ("[", "]"), ("f(", ")"), ("{a: ", "}")] {
            let text = format!("x = {}1{};\n", open.repeat(depth), close.repeat(depth));
            let result = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || format_text(&text, &FormatOptions::default()))
                .expect("thread")
                .join()
                .expect("no panic");
            match result {
                Ok(out) => assert!(depth <= 600, "{depth}: {}", &out[..40]),
                Err(FormatError::TooDeep { .. } | FormatError::Syntax { .. }) => {
                    assert!(depth > 500)
                }
                Err(e) => panic!("{depth} {open}: {e}"),
            }
        }
    }
    // Chains as long as the parser takes (each link nests the tree one level deeper) are
    // iterated, not recursed.
    for chain in [
        format!("x = 1{};\n", " + 1".repeat(990)),
        format!("x = a{};\n", ".b(1)".repeat(490)),
    ] {
        let result = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || format_text(&chain, &FormatOptions::default()))
            .expect("thread")
            .join()
            .expect("no panic");
        assert!(result.is_ok(), "{result:?}");
    }
}

#[test]
fn odd_text_is_kept_exactly() {
    let options = FormatOptions::default();
    for text in [
        "x = \"tab\there\";\n",
        "s = 'caf\u{e9} \u{1F600}';\nt = \"\\u00e9\\d+\";\n",
        "x = \"line one\nline two   \n  three\" + y;\n",
        "\u{FEFF}x = 1;\n",
        "x = 1;\r\ny = 2;\r\n",
        "x = 1;\u{0C}\ny = 2;",
        "// only a comment",
        "",
        "\n\n\n",
    ] {
        let out = check_formatting(text, &options)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .expect("formatted");
        // Line breaks are the file's first one: `\r\n` throughout, else `\n` (a lone
        // `\r` is never written).
        let crlf = text.find('\n').is_some_and(|at| text[..at].ends_with('\r'));
        let breaks = if crlf {
            out.replace("\r\n", "")
        } else {
            out.clone()
        };
        assert!(!breaks.contains('\r'), "{out:?}");
        assert!(!crlf || !breaks.contains('\n'), "{out:?}");
        assert!(out.is_empty() || out.ends_with('\n'), "{out:?}");
    }
}

#[test]
fn ranges_outside_the_text_are_refused() {
    let text = "x = \"\u{e9}\";\n";
    let options = FormatOptions::default();
    let inside_char = TextRange::new(TextSize::from(6), TextSize::from(6));
    assert!(matches!(
        format_range(text, inside_char, &options),
        Err(FormatError::InvalidRange { .. })
    ));
    let past_end = TextRange::new(TextSize::from(0), TextSize::from(100));
    assert!(matches!(
        format_range(text, past_end, &options),
        Err(FormatError::InvalidRange { .. })
    ));
}
