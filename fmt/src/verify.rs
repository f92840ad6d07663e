//! The safety net: the text printed for a statement must hold exactly its tokens and
//! comments, in order, as the lexer reads them again (white space is the only thing the
//! formatter may change), and no variable named like a statement keyword may start a
//! line. Anything else is a formatter bug, reported instead of written.

use crate::tokens::Entry;
use mlpy_syntax::SyntaxKind::*;

/// Whether `out`, the text printed for `entries`, is the input's own text from their
/// first to their last one (white space around it aside): a statement already formatted.
/// Then it lexes as it did in the input, and [`check`] has nothing to find.
pub(crate) fn unchanged(src: &str, entries: &[Entry], out: &str) -> bool {
    let mut tokens = entries.iter().filter(|e| e.kind != EOF);
    let (Some(first), last) = (tokens.next(), tokens.next_back()) else {
        return out.trim_matches(is_space).is_empty();
    };
    let end = last.unwrap_or(first).end() as usize;
    src.get(first.start as usize..end) == Some(out.trim_matches(is_space))
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Checks `out`, the text printed for `entries`; `risky` lists entries (by index) no
/// line break may precede.
pub(crate) fn check(src: &str, entries: &[Entry], risky: &[u32], out: &str) -> Result<(), String> {
    let (out_bytes, src_bytes) = (out.as_bytes(), src.as_bytes());
    let mut expected = entries.iter().enumerate().filter(|(_, e)| e.kind != EOF);
    let mut newline = false;
    let mut problem: Option<String> = None;
    mlpy_syntax::lexer::tokenize_with(out, |kind, start, end| {
        if problem.is_some() {
            return;
        }
        let text = &out_bytes[start..end];
        if kind == WHITESPACE {
            newline |= text.iter().any(|&b| b == b'\n' || b == b'\r');
            return;
        }
        let Some((index, entry)) = expected.next() else {
            let text = String::from_utf8_lossy(text);
            problem = Some(format!("the output has {text:?} where the input ends"));
            return;
        };
        let want = &src_bytes[entry.start as usize..entry.end() as usize];
        if kind != entry.kind || text != want {
            problem = Some(format!(
                "the output has {:?} ({kind:?}) where the input has {:?} ({:?}, at byte {})",
                String::from_utf8_lossy(text),
                entry.text(src),
                entry.kind,
                entry.start
            ));
        } else if newline && !risky.is_empty() && risky.contains(&(index as u32)) {
            problem = Some(format!(
                "a line break before `{}` (at byte {}) would make it a statement",
                entry.text(src),
                entry.start
            ));
        }
        newline = false;
    });
    if let Some(problem) = problem {
        return Err(problem);
    }
    match expected.next() {
        Some((_, entry)) => Err(format!(
            "the output lacks {:?} (at byte {})",
            entry.text(src),
            entry.start
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Chunks;

    /// The entries of each top-level statement of `src`.
    fn chunks(src: &str) -> Vec<Vec<Entry>> {
        let parse = mlpy_syntax::parse(src);
        let mut chunks = Chunks::new(parse.green());
        let mut out = Vec::new();
        let mut all = Vec::new();
        while chunks.next(&mut out).is_some() {
            all.push(out.clone());
        }
        all
    }

    #[test]
    fn a_statement_printed_as_written_is_unchanged_and_any_other_is_checked() {
        let src = "x = f(1, 2); // note\n\nif (x) {\n    y = 1;\n}\n";
        let all = chunks(src);
        assert!(unchanged(src, &all[0], "x = f(1, 2); // note\n"));
        assert!(unchanged(src, &all[0], "\n\nx = f(1, 2); // note\n"));
        assert!(unchanged(src, &all[1], "if (x) {\n    y = 1;\n}\n"));
        // Any other white space inside, a token less or more: checked by lexing.
        assert!(!unchanged(src, &all[0], "x = f(1,2); // note\n"));
        assert!(!unchanged(src, &all[0], "x = f(1, 2);\n"));
        assert!(!unchanged(src, &all[1], "if (x) { y = 1; }\n"));
        assert!(!unchanged(src, &all[1], "if (x) {\n  y = 1;\n}\n"));
        // The end of the file: only white space printed.
        let end = all.last().unwrap();
        assert!(unchanged(src, end, "\n"));
        assert!(!unchanged(src, end, "x\n"));
        // The check itself still finds what differs.
        assert!(check(src, &all[0], &[], "x = f(1, 2); // note\n").is_ok());
        assert!(check(src, &all[0], &[], "x = f(1 2); // note\n").is_err());
    }
}
