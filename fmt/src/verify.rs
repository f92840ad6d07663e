//! The safety net: the text printed for a statement must hold exactly its tokens and
//! comments, in order, as the lexer reads them again (white space is the only thing the
//! formatter may change), and no variable named like a statement keyword may start a
//! line. Anything else is a formatter bug, reported instead of written.

use crate::tokens::Entry;
use mlpy_syntax::SyntaxKind::*;

/// Checks `out`, the text printed for `entries`; `risky` lists entries (by index) no
/// line break may precede.
pub(crate) fn check(src: &str, entries: &[Entry], risky: &[u32], out: &str) -> Result<(), String> {
    let (tokens, _) = mlpy_syntax::lexer::tokenize(out);
    let mut expected = entries.iter().enumerate().filter(|(_, e)| e.kind != EOF);
    let (out_bytes, src_bytes) = (out.as_bytes(), src.as_bytes());
    let mut pos = 0usize;
    let mut newline = false;
    for token in tokens {
        let len = u32::from(token.len) as usize;
        let text = &out_bytes[pos..pos + len];
        pos += len;
        if token.kind == WHITESPACE {
            newline |= text.iter().any(|&b| b == b'\n' || b == b'\r');
            continue;
        }
        let Some((index, entry)) = expected.next() else {
            let text = String::from_utf8_lossy(text);
            return Err(format!("the output has {text:?} where the input ends"));
        };
        let want = &src_bytes[entry.start as usize..entry.end() as usize];
        if token.kind != entry.kind || text != want {
            return Err(format!(
                "the output has {:?} ({:?}) where the input has {:?} ({:?}, at byte {})",
                String::from_utf8_lossy(text),
                token.kind,
                entry.text(src),
                entry.kind,
                entry.start
            ));
        }
        if newline && !risky.is_empty() && risky.contains(&(index as u32)) {
            return Err(format!(
                "a line break before `{}` (at byte {}) would make it a statement",
                entry.text(src),
                entry.start
            ));
        }
        newline = false;
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
