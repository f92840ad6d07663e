//! Formats arbitrary UTF-8 and checks what must hold for every input: no panic; a text
//! with syntax errors is refused with its errors; a formatted text parses without
//! errors, has exactly the tokens and comments of the input (only white space changed),
//! and formats to itself; range formatting of any range agrees.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mlpy_fmt::{format_range, format_text, FormatError, FormatOptions};
use mlpy_syntax::{SyntaxKind, TextRange, TextSize};

/// Tokens and comments (trailing white space dropped), without white space.
fn tokens(text: &str) -> Vec<(SyntaxKind, String)> {
    let (tokens, _) = mlpy_syntax::lexer::tokenize(text);
    let mut pos = 0usize;
    let mut out = Vec::new();
    for token in tokens {
        let len = u32::from(token.len) as usize;
        let piece = &text[pos..pos + len];
        pos += len;
        match token.kind {
            SyntaxKind::WHITESPACE => {}
            SyntaxKind::COMMENT => out.push((token.kind, piece.trim_end().to_string())),
            kind => out.push((kind, piece.to_string())),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A narrow width exercises the line breaking on small inputs.
    let width = data.first().map_or(100, |b| 1 + u32::from(*b) % 120);
    let options = FormatOptions {
        line_width: width,
        indent_width: 4,
    };
    match format_text(text, &options) {
        Err(FormatError::Syntax { errors }) => {
            assert!(!errors.is_empty() && mlpy_syntax::parse(text).has_errors());
        }
        Err(FormatError::TooDeep) => {}
        Err(e) => panic!("{e}"),
        Ok(out) => {
            let parse = mlpy_syntax::parse(&out);
            assert!(!parse.has_errors(), "{:?}", parse.errors());
            assert_eq!(tokens(text), tokens(&out), "tokens changed");
            assert_eq!(
                format_text(&out, &options).as_ref(),
                Ok(&out),
                "not idempotent"
            );
            // A range from the input's bytes, on character boundaries.
            let mut a = usize::from(data.get(1).copied().unwrap_or(0)) * text.len() / 256;
            let mut b = usize::from(data.get(2).copied().unwrap_or(255)) * text.len() / 256;
            while !text.is_char_boundary(a) {
                a -= 1;
            }
            while !text.is_char_boundary(b) {
                b -= 1;
            }
            let range = TextRange::new(
                TextSize::from(a.min(b) as u32),
                TextSize::from(a.max(b) as u32),
            );
            let edits = format_range(text, range, &options).expect("range formatting");
            assert!(edits.len() <= 1);
        }
    }
});
