//! The safety net: the text printed for a statement must hold exactly its tokens and
//! comments, in order, as the lexer reads them again (white space is the only thing the
//! formatter may change), and no variable named like a statement keyword may start a
//! line. Anything else is a formatter bug, reported instead of written.

use crate::tokens::Entry;
use mlpy_syntax::SyntaxKind::*;

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
