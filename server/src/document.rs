//! Open documents: the editor's text in a rope, changed incrementally with UTF-16
//! positions as LSP sends them.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as LSP says (the rope is built with
//! ropey's `cr_lines`), so an edit lands where the client put it whatever its line ends.
//! The text the analysis gets has every lone `\r` read as `\n` (byte for byte, as files
//! read from disk: `mlpy_modules::cache::lone_carriage_returns_to_newlines`), so
//! `mlpy_syntax::LineIndex`, which breaks lines at `\n` only, numbers the lines as the
//! client does, and the module means what the CLI reads from the same bytes on disk.

use ropey::Rope;
use std::sync::Arc;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

#[derive(Debug, Clone)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub language_id: String,
    /// The text as one string, built lazily after changes.
    text: Option<Arc<str>>,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: String) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
            language_id,
            text: Some(analysed(text.to_string())),
        }
    }

    /// The whole text, lone `\r`s read as `\n` (the line breaks the client sees).
    pub fn text(&mut self) -> Arc<str> {
        if let Some(text) = &self.text {
            return text.clone();
        }
        let text = analysed(self.rope.to_string());
        self.text = Some(text.clone());
        text
    }

    /// Applies the changes of one `didChange`, in order. A change without a range
    /// replaces the whole text. Positions out of range are clamped.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let (start, end) = self.char_range(range);
                    if start < end {
                        self.rope.remove(start..end);
                    }
                    if !change.text.is_empty() {
                        self.rope.insert(start, &change.text);
                    }
                }
            }
        }
        self.text = None;
        self.version = version;
    }

    /// The char indices of an LSP range (start ≤ end, both clamped).
    fn char_range(&self, range: Range) -> (usize, usize) {
        let a = self.char_index(range.start);
        let b = self.char_index(range.end);
        (a.min(b), a.max(b))
    }

    /// The char index of an LSP position: a line past the end is the end of the text, a
    /// column past the end of the line is the end of the line (its line break, `\n`,
    /// `\r\n` or `\r`, excluded: the client's line has none of it), a column inside a
    /// surrogate pair is the start of that character.
    pub fn char_index(&self, position: Position) -> usize {
        let rope = &self.rope;
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let line_start = rope.line_to_char(line);
        let line_slice = rope.line(line);
        let mut line_len = line_slice.len_chars();
        if line_len > 0 && line_slice.char(line_len - 1) == '\n' {
            line_len -= 1;
        }
        if line_len > 0 && line_slice.char(line_len - 1) == '\r' {
            line_len -= 1;
        }
        let line_end = line_start + line_len;
        let start_cu = rope.char_to_utf16_cu(line_start);
        let end_cu = rope.char_to_utf16_cu(line_end);
        let target = start_cu + position.character as usize;
        if target >= end_cu {
            return line_end;
        }
        // `utf16_cu_to_char` rounds down inside a surrogate pair.
        rope.utf16_cu_to_char(target)
    }
}

/// The text the analysis reads: lone `\r`s become `\n`s (same length, same offsets).
fn analysed(text: String) -> Arc<str> {
    if !text.contains('\r') {
        return text.into();
    }
    let mut bytes = text.into_bytes();
    mlpy_modules::cache::lone_carriage_returns_to_newlines(&mut bytes);
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(bytes)
        .expect("replacing `\\r` by `\\n` keeps UTF-8")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_with_utf16_columns() {
        let mut doc = Document::new("a = \"é😀\"; b\nc\r\nd", 1, "ml".into());
        // After `😀` (2 UTF-16 units): column 8 on line 0 is the closing quote.
        doc.apply(vec![change(0, 8, 0, 8, "!")], 2);
        assert_eq!(&*doc.text(), "a = \"é😀!\"; b\nc\r\nd");
        // Inside the surrogate pair: snapped to the character's start.
        doc.apply(vec![change(0, 7, 0, 7, "x")], 3);
        assert_eq!(&*doc.text(), "a = \"éx😀!\"; b\nc\r\nd");
        // Past the end of a line: before its `\r\n`.
        doc.apply(vec![change(1, 99, 1, 99, "Z")], 4);
        assert_eq!(&*doc.text(), "a = \"éx😀!\"; b\ncZ\r\nd");
        // Past the end of the text, and a reversed range.
        doc.apply(vec![change(9, 0, 9, 0, "END"), change(0, 1, 0, 0, "")], 5);
        assert_eq!(&*doc.text(), " = \"éx😀!\"; b\ncZ\r\ndEND");
        doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            }],
            6,
        );
        assert_eq!(&*doc.text(), "new");
        assert_eq!(doc.version, 6);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        // Lines: "a", "b", "c" and "" (LSP's line ends: `\r`, `\r\n`, `\n`).
        let mut doc = Document::new("a\rb\r\nc\r", 1, "ml".into());
        assert_eq!(&*doc.text(), "a\nb\r\nc\n");
        doc.apply(vec![change(1, 0, 1, 0, "B")], 2);
        doc.apply(vec![change(0, 9, 0, 9, "A")], 3);
        doc.apply(vec![change(2, 9, 2, 9, "C")], 4);
        doc.apply(vec![change(3, 0, 3, 0, "D")], 5);
        assert_eq!(&*doc.text(), "aA\nBb\r\ncC\nD");
        // A `\n` typed after a lone `\r` makes a `\r\n` pair: one line end.
        let mut doc = Document::new("x\r", 1, "ml".into());
        doc.apply(vec![change(1, 0, 1, 0, "\n")], 2);
        doc.apply(vec![change(1, 0, 1, 0, "y")], 3);
        assert_eq!(&*doc.text(), "x\r\ny");
        // Deleting a `\r\n` pair's `\n` leaves a lone `\r`, still a line end.
        doc.apply(vec![change(0, 1, 1, 0, "\r")], 4);
        assert_eq!(&*doc.text(), "x\ny");
    }
}
