//! Conversions between byte offsets and line/column positions, in UTF-8 bytes (for
//! `file:line:col` messages, counted in characters) and UTF-16 code units (for LSP).

use rowan::{TextRange, TextSize};

/// A zero-based line and a zero-based column in UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// A zero-based line and a zero-based column in UTF-16 code units (LSP `Position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WideLineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text, plus where its non-ASCII characters are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Offset of the first byte of every line.
    line_starts: Vec<TextSize>,
    /// Per line, the multi-byte characters on it: (column in bytes, length in UTF-8,
    /// length in UTF-16, the bytes they add before it). Lines without any are absent.
    wide: Vec<(u32, Vec<WideChar>)>,
    len: TextSize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WideChar {
    col: u32,
    len_utf8: u32,
    len_utf16: u32,
    /// How many more UTF-8 bytes than UTF-16 units the line has before this character:
    /// conversions on a long line are binary searches.
    extra_before: u32,
    /// How many more UTF-8 bytes than characters the line has before this character.
    bytes_before: u32,
}

impl WideChar {
    /// The UTF-16 column of the character.
    fn wide_col(&self) -> u32 {
        self.col - self.extra_before
    }

    /// How many more UTF-8 bytes than UTF-16 units the line has up to the character's
    /// end.
    fn extra_after(&self) -> u32 {
        self.extra_before + self.len_utf8 - self.len_utf16
    }

    /// How many more UTF-8 bytes than characters the line has up to the character's end.
    fn bytes_after(&self) -> u32 {
        self.bytes_before + self.len_utf8 - 1
    }
}

impl LineIndex {
    /// Lines end at `\n` only: a `\r` before it is the last character of its line, and
    /// a lone `\r` is ordinary text. Files read from disk, and the language server's open
    /// documents, have their lone `\r`s read as `\n` already
    /// (`mlpy_modules::cache::lone_carriage_returns_to_newlines`), so their lines are
    /// LSP's (`\n`, `\r\n`, `\r`).
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize::from(0)];
        let mut wide: Vec<(u32, Vec<WideChar>)> = Vec::new();
        if text.is_ascii() {
            for (i, b) in text.bytes().enumerate() {
                if b == b'\n' {
                    line_starts.push(TextSize::from((i + 1) as u32));
                }
            }
        } else {
            let mut line = 0u32;
            let mut line_start = 0usize;
            for (i, c) in text.char_indices() {
                if c.is_ascii() {
                    if c == '\n' {
                        line += 1;
                        line_start = i + 1;
                        line_starts.push(TextSize::from(line_start as u32));
                    }
                    continue;
                }
                let mut entry = WideChar {
                    col: (i - line_start) as u32,
                    len_utf8: c.len_utf8() as u32,
                    len_utf16: c.len_utf16() as u32,
                    extra_before: 0,
                    bytes_before: 0,
                };
                match wide.last_mut() {
                    Some((l, chars)) if *l == line => {
                        if let Some(last) = chars.last() {
                            entry.extra_before = last.extra_after();
                            entry.bytes_before = last.bytes_after();
                        }
                        chars.push(entry);
                    }
                    _ => wide.push((line, vec![entry])),
                }
            }
        }
        LineIndex {
            line_starts,
            wide,
            len: TextSize::of(text),
        }
    }

    pub fn len(&self) -> TextSize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == TextSize::from(0)
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// The line and UTF-8 column of an offset (clamped to the text).
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        LineCol {
            line: line as u32,
            col: u32::from(offset - self.line_starts[line]),
        }
    }

    /// The offset of a line and UTF-8 column, or `None` past the end of the text.
    pub fn offset(&self, pos: LineCol) -> Option<TextSize> {
        let start = *self.line_starts.get(pos.line as usize)?;
        let offset = start + TextSize::from(pos.col);
        (offset <= self.len).then_some(offset)
    }

    /// The start and end offsets of a line, its line break excluded.
    pub fn line_range(&self, line: u32, text: &str) -> Option<TextRange> {
        let start = *self.line_starts.get(line as usize)?;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(self.len);
        let mut range = TextRange::new(start, end);
        let content = &text[range];
        // The line break: `\n`, or `\r\n`. A lone `\r` (even at the end of the text)
        // is part of the line.
        let trimmed = match content.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => content,
        };
        range = TextRange::at(start, TextSize::of(trimmed));
        Some(range)
    }

    fn wide_chars(&self, line: u32) -> &[WideChar] {
        match self.wide.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(i) => &self.wide[i].1,
            Err(_) => &[],
        }
    }

    /// UTF-8 column to UTF-16 column on a line.
    pub fn to_wide(&self, pos: LineCol) -> WideLineCol {
        let chars = self.wide_chars(pos.line);
        let before = chars.partition_point(|c| c.col < pos.col);
        let extra = before
            .checked_sub(1)
            .map_or(0, |last| chars[last].extra_after());
        WideLineCol {
            line: pos.line,
            col: pos.col - extra,
        }
    }

    /// UTF-16 column to UTF-8 column on a line. A column inside a character or past the
    /// end of the line is clamped to a character boundary.
    pub fn to_utf8(&self, pos: WideLineCol) -> LineCol {
        // `extra` is how many more UTF-8 bytes than UTF-16 units precede the point: those
        // of the characters that start before it.
        let chars = self.wide_chars(pos.line);
        let before = chars.partition_point(|c| c.wide_col() < pos.col);
        let mut extra = 0;
        if let Some(c) = before.checked_sub(1).map(|last| &chars[last]) {
            if pos.col < c.wide_col() + c.len_utf16 {
                // Inside a surrogate pair: snap to the character's start.
                return LineCol {
                    line: pos.line,
                    col: c.col,
                };
            }
            extra = c.extra_after();
        }
        LineCol {
            line: pos.line,
            col: pos.col + extra,
        }
    }

    /// The LSP position of an offset.
    pub fn wide_line_col(&self, offset: TextSize) -> WideLineCol {
        self.to_wide(self.line_col(offset))
    }

    /// The offset of an LSP position, clamped into the text: a line past the end maps to
    /// the end of the text, a column past the end of its line to the line's end.
    pub fn offset_of_wide(&self, pos: WideLineCol, text: &str) -> TextSize {
        if pos.line as usize >= self.line_starts.len() {
            return self.len;
        }
        let utf8 = self.to_utf8(pos);
        let line = self
            .line_range(pos.line, text)
            .expect("line exists: checked above");
        let offset = line.start() + TextSize::from(utf8.col);
        offset.min(line.end())
    }

    /// The column in characters (for `file:line:col` shown to people), one-based line
    /// and column.
    pub fn human_line_col(&self, offset: TextSize, text: &str) -> (u32, u32) {
        let lc = self.line_col(offset);
        let start = usize::from(self.line_starts[lc.line as usize]);
        let end = (start + lc.col as usize).min(text.len());
        if !text.is_char_boundary(end) {
            return (lc.line + 1, lc.col + 1);
        }
        // The bytes before the offset, less the extra bytes of its multi-byte characters
        // (a binary search, not a count of the line's characters).
        let chars = self.wide_chars(lc.line);
        let before = chars.partition_point(|c| (c.col as usize) < end - start);
        let extra = before
            .checked_sub(1)
            .map_or(0, |last| chars[last].bytes_after());
        // A byte-order mark is no character of the text for the people reading it (an
        // editor does not show one): columns of the first line do not count it.
        let bom = u32::from(lc.line == 0 && end >= BOM.len() && text.starts_with(BOM));
        (lc.line + 1, (end - start) as u32 - extra + 1 - bom)
    }
}

/// A byte-order mark, as a file may start with one.
pub const BOM: &str = "\u{FEFF}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{FEFF}print(yy);\nyy;";
        let index = LineIndex::new(text);
        let at = |needle: &str, nth: usize| {
            TextSize::from(text.match_indices(needle).nth(nth).unwrap().0 as u32)
        };
        assert_eq!(index.human_line_col(at("print", 0), text), (1, 1));
        assert_eq!(index.human_line_col(at("yy", 0), text), (1, 7));
        assert_eq!(index.human_line_col(at("yy", 1), text), (2, 1));
        assert_eq!(index.human_line_col(TextSize::from(0), text), (1, 1));
    }

    #[test]
    fn ascii_positions() {
        let text = "ab\ncd\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(4.into()), LineCol { line: 1, col: 1 });
        assert_eq!(index.line_col(7.into()), LineCol { line: 3, col: 0 });
        assert_eq!(index.offset(LineCol { line: 1, col: 1 }), Some(4.into()));
        assert_eq!(index.line_count(), 4);
    }

    #[test]
    fn utf16_round_trip() {
        // é is 2 bytes / 1 UTF-16 unit; 😀 is 4 bytes / 2 units.
        let text = "x = \"é😀\"; y\n😀z";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap() as u32;
        let wide = index.wide_line_col(y.into());
        assert_eq!(wide, WideLineCol { line: 0, col: 11 });
        assert_eq!(index.offset_of_wide(wide, text), TextSize::from(y));
        let z = text.rfind('z').unwrap() as u32;
        assert_eq!(
            index.wide_line_col(z.into()),
            WideLineCol { line: 1, col: 2 }
        );
        assert_eq!(
            index.offset_of_wide(WideLineCol { line: 1, col: 2 }, text),
            TextSize::from(z)
        );
        // Inside the surrogate pair: snapped to the character start.
        let smile = text.rfind('😀').unwrap() as u32;
        assert_eq!(
            index.offset_of_wide(WideLineCol { line: 1, col: 1 }, text),
            TextSize::from(smile)
        );
        // Past the end of a line or of the text: clamped.
        assert_eq!(
            index.offset_of_wide(WideLineCol { line: 0, col: 99 }, text),
            TextSize::from(text.find('\n').unwrap() as u32)
        );
        assert_eq!(
            index.offset_of_wide(WideLineCol { line: 9, col: 0 }, text),
            TextSize::of(text)
        );
    }

    #[test]
    fn only_newlines_end_lines() {
        let text = "a\r\nb\rc\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_col(3.into()), LineCol { line: 1, col: 0 });
        assert_eq!(index.line_col(5.into()), LineCol { line: 1, col: 2 });
        // The `\r` of `\r\n` is not in the line's range; a lone `\r` is.
        assert_eq!(
            index.line_range(0, text),
            Some(TextRange::new(0.into(), 1.into()))
        );
        assert_eq!(
            index.line_range(1, text),
            Some(TextRange::new(3.into(), 6.into()))
        );
        // A text ending in a lone `\r`: its end is a position on the last line, and
        // converts back to itself.
        let text = "x\r";
        let index = LineIndex::new(text);
        let end = index.wide_line_col(2.into());
        assert_eq!(end, WideLineCol { line: 0, col: 2 });
        assert_eq!(index.offset_of_wide(end, text), TextSize::from(2));
    }

    #[test]
    fn human_columns_count_characters() {
        let text = "é = 1;";
        let index = LineIndex::new(text);
        assert_eq!(
            index.human_line_col(
                text.find('=')
                    .unwrap()
                    .try_into()
                    .map(|x: u32| x.into())
                    .unwrap(),
                text
            ),
            (1, 3)
        );
    }

    #[test]
    fn human_columns_agree_with_counting() {
        let text = "ab\né😀x\u{10000}yé\n\nz";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..offset].matches('\n').count() as u32 + 1;
            let column = text[line_start..offset].chars().count() as u32 + 1;
            assert_eq!(
                index.human_line_col(TextSize::from(offset as u32), text),
                (line, column),
                "at {offset}"
            );
        }
    }

    #[test]
    fn conversions_on_a_long_line_agree_with_counting() {
        // Many wide characters on one line (binary searches), compared with counting
        // UTF-16 units from the line's start.
        let line: String = (0..200)
            .map(|i| match i % 4 {
                0 => "é",
                1 => "😀",
                2 => "a",
                _ => "\u{10000}",
            })
            .collect();
        let text = format!("first\n{line}\nlast é");
        let index = LineIndex::new(&text);
        let start = text.find('\n').unwrap() + 1;
        for (i, c) in line.char_indices() {
            let offset = TextSize::from((start + i) as u32);
            let units: u32 = line[..i].chars().map(|c| c.len_utf16() as u32).sum();
            let wide = index.wide_line_col(offset);
            assert_eq!(
                wide,
                WideLineCol {
                    line: 1,
                    col: units
                }
            );
            assert_eq!(index.offset_of_wide(wide, &text), offset);
            if c.len_utf16() == 2 {
                // Inside the surrogate pair: the character's start.
                let inside = WideLineCol {
                    line: 1,
                    col: units + 1,
                };
                assert_eq!(index.offset_of_wide(inside, &text), offset);
            }
        }
        let units: u32 = line.chars().map(|c| c.len_utf16() as u32).sum();
        let end = WideLineCol {
            line: 1,
            col: units,
        };
        let line_end = TextSize::from((start + line.len()) as u32);
        assert_eq!(index.wide_line_col(line_end), end);
        assert_eq!(index.offset_of_wide(end, &text), line_end);
        // Past the end of the line: its end.
        let past = WideLineCol {
            line: 1,
            col: units + 50,
        };
        assert_eq!(index.offset_of_wide(past, &text), line_end);
    }
}
