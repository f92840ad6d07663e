//! The formatter on real programs: every program of the conformance corpus and every
//! `.ml` file of this repository (fixtures, examples, fuzz regressions) formats to a
//! text with the same tree and comments, which formats to itself.

mod common;

use common::{check_formatting, corpus_dir, ml_files};
use mlpy_fmt::FormatOptions;
use std::path::Path;

fn check_all(files: &[std::path::PathBuf], options: &FormatOptions) -> (usize, usize) {
    let mut formatted = 0;
    let mut refused = 0;
    let mut failures = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        match check_formatting(&text, options) {
            Ok(Some(_)) => formatted += 1,
            Ok(None) => refused += 1,
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    (formatted, refused)
}

#[test]
fn conformance_programs_format_stably() {
    let files = ml_files(&corpus_dir().join("programs"));
    assert_eq!(files.len(), 85, "the corpus has 85 .ml files");
    let (formatted, refused) = check_all(&files, &FormatOptions::default());
    assert_eq!((formatted, refused), (85, 0));
}

#[test]
fn conformance_programs_format_stably_at_other_widths() {
    let files = ml_files(&corpus_dir().join("programs"));
    for (line_width, indent_width) in [(40, 2), (60, 8), (120, 4), (20, 1)] {
        let options = FormatOptions {
            line_width,
            indent_width,
        };
        let (formatted, _) = check_all(&files, &options);
        assert_eq!(formatted, 85, "width {line_width}");
    }
}

#[test]
fn repository_ml_files_format_stably() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = ml_files(&root);
    assert!(files.len() > 50, "only {} .ml files found", files.len());
    let (formatted, refused) = check_all(&files, &FormatOptions::default());
    // Some fixtures are broken on purpose (the editor's error tests).
    assert!(
        formatted > 40 && refused > 0,
        "{formatted} formatted, {refused} refused"
    );
}

/// A file keeps its line ending: the corpus written with `\r\n` formats to the `\n`
/// formatting with every line break written `\r\n` (a string's own line breaks included,
/// as they are in both), which formats to itself. A file whose first line break is `\n`
/// gets `\n` throughout.
#[test]
fn files_keep_their_line_ending() {
    let options = FormatOptions::default();
    let files = ml_files(&corpus_dir().join("programs"));
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap().replace("\r\n", "\n");
        let lf = mlpy_fmt::format_text(&text, &options).unwrap();
        let crlf = mlpy_fmt::format_text(&text.replace('\n', "\r\n"), &options)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(crlf, lf.replace('\n', "\r\n"), "{}", file.display());
        assert_eq!(mlpy_fmt::format_text(&crlf, &options).unwrap(), crlf);
        // Mixed: the first line break decides, and only line breaks differ from `lf`.
        if let Some(first) = text.find('\n') {
            let (head, rest) = (&text[..first], &text[first + 1..]);
            let out = mlpy_fmt::format_text(&format!("{head}\r\n{rest}"), &options).unwrap();
            assert_eq!(out.replace("\r\n", "\n"), lf, "{}", file.display());
            assert!(
                !out.replace("\r\n", "").contains('\n'),
                "{}: a lone \\n in a file whose first line break is \\r\\n",
                file.display()
            );
            let crlf_rest = rest.replace('\n', "\r\n");
            let out = mlpy_fmt::format_text(&format!("{head}\n{crlf_rest}"), &options).unwrap();
            assert_eq!(out.replace("\r\n", "\n"), lf, "{}", file.display());
        }
        checked += 1;
    }
    assert_eq!(checked, 85);
}
