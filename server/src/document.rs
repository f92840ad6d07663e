//! Open documents: the editor's text in a rope, changed incrementally with UTF-16
//! positions as LSP sends them.
//!
//! Lines end at `\n` only (a `\r\n` pair keeps its `\r` at the end of the line), the same
//! rule as `mlpy_syntax::LineIndex`, so positions computed from either agree.

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
            text: Some(text.into()),
        }
    }

    /// The whole text.
    pub fn text(&mut self) -> Arc<str> {
        if let Some(text) = &self.text {
            return text.clone();
        }
        let text: Arc<str> = self.rope.to_string().into();
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
    /// column past the end of the line is the end of the line (its `\n` excluded), a
    /// column inside a surrogate pair is the start of that character.
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
        // Past the end of a line (before `\r\n`, the `\r` counts as text here).
        doc.apply(vec![change(1, 99, 1, 99, "Z")], 4);
        assert_eq!(&*doc.text(), "a = \"éx😀!\"; b\nc\rZ\nd");
        // Past the end of the text, and a reversed range.
        doc.apply(vec![change(9, 0, 9, 0, "END"), change(0, 1, 0, 0, "")], 5);
        assert_eq!(&*doc.text(), " = \"éx😀!\"; b\nc\rZ\ndEND");
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
}
