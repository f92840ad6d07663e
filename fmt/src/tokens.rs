//! The tokens and comments of a tree, in text order, each with the number of line breaks
//! before it: what the layout needs to know about the white space it replaces. They are
//! read one top-level statement at a time (`Chunks`), so that a file of any size is
//! formatted with little memory.

use mlpy_syntax::{GreenNodeData, MlLanguage, SyntaxKind};
use rowan::{Language, NodeOrToken};

/// A significant token or a comment (`kind` `COMMENT`), or the end of the file (`EOF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub start: u32,
    pub len: u32,
    /// The kind the lexer gives: contextual keywords are `IDENT` (the tree remaps them).
    pub kind: SyntaxKind,
    /// Line breaks in the white space before it, counting up to 2 (a blank line).
    pub newlines: u8,
}

impl Entry {
    pub(crate) fn end(&self) -> u32 {
        self.start + self.len
    }

    pub(crate) fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.start as usize..self.end() as usize]
    }
}

pub(crate) fn kind_of(raw: rowan::SyntaxKind) -> SyntaxKind {
    MlLanguage::kind_from_raw(raw)
}

/// What one top-level chunk is: a statement (or a stray token), or the end of the file.
#[derive(Clone, Copy)]
pub(crate) enum Chunk<'g> {
    Node(&'g GreenNodeData),
    Token(SyntaxKind),
    End,
}

/// Reads a file's top-level elements one by one, with their entries: the comments
/// before the element, its tokens and comments, and a comment on the line of its last
/// token.
pub(crate) struct Chunks<'g> {
    children: std::iter::Peekable<rowan::Children<'g>>,
    /// Where the next child starts, and the line breaks seen since the last entry.
    offset: u32,
    newlines: u8,
    /// Comments read after the previous element, which come before the next one.
    carried: Vec<Entry>,
    done: bool,
    /// The walk's stack, kept from one statement to the next.
    stack: Vec<rowan::Children<'g>>,
}

impl<'g> Chunks<'g> {
    pub(crate) fn new(root: &'g GreenNodeData) -> Chunks<'g> {
        Chunks {
            children: root.children().peekable(),
            offset: 0,
            newlines: 0,
            carried: Vec::new(),
            done: false,
            stack: Vec::new(),
        }
    }

    /// The next element, its entries written into `out` (cleared first); `None` after
    /// the end of the file.
    pub(crate) fn next(&mut self, out: &mut Vec<Entry>) -> Option<Chunk<'g>> {
        if self.done {
            return None;
        }
        out.clear();
        out.append(&mut self.carried);
        // Comments and white space before the element.
        let chunk = loop {
            match self.children.next() {
                None => {
                    out.push(Entry {
                        start: self.offset,
                        len: 0,
                        kind: SyntaxKind::EOF,
                        newlines: self.newlines,
                    });
                    self.done = true;
                    return Some(Chunk::End);
                }
                Some(NodeOrToken::Node(node)) => {
                    self.subtree(node, out);
                    break Chunk::Node(node);
                }
                Some(NodeOrToken::Token(token)) => {
                    let kind = kind_of(token.kind());
                    self.token(kind, token.text(), out);
                    if !kind.is_trivia() {
                        break Chunk::Token(kind);
                    }
                }
            }
        };
        // White space and comments after it: a comment on its last line is its own,
        // the rest belong to the next element.
        let mut trailing_taken = false;
        while let Some(NodeOrToken::Token(token)) = self.children.peek() {
            let kind = kind_of(token.kind());
            if !kind.is_trivia() {
                break;
            }
            let text = token.text();
            self.children.next();
            if kind == SyntaxKind::COMMENT && !trailing_taken && self.newlines == 0 {
                self.token(kind, text, out);
                trailing_taken = true;
            } else {
                let mut carried = std::mem::take(&mut self.carried);
                self.token(kind, text, &mut carried);
                self.carried = carried;
            }
        }
        Some(chunk)
    }

    /// The entries of a top-level node, from its tree: each token's kind as the lexer
    /// gives it (the tree turns the words it reads as keywords from `IDENT` into
    /// keyword kinds; the check after printing lexes again, so it sees `IDENT`). A walk
    /// of one statement's nodes, built one after the other by the parser, stays in the
    /// cache; lexing the statement's text again cost about twice as many instructions.
    fn subtree(&mut self, node: &'g GreenNodeData, out: &mut Vec<Entry>) {
        let mut stack = std::mem::take(&mut self.stack);
        stack.push(node.children());
        while let Some(children) = stack.last_mut() {
            match children.next() {
                None => {
                    stack.pop();
                }
                Some(NodeOrToken::Node(child)) => stack.push(child.children()),
                Some(NodeOrToken::Token(token)) => {
                    let text = token.text();
                    self.token(lexer_kind(kind_of(token.kind()), text), text, out);
                }
            }
        }
        self.stack = stack;
    }

    fn token(&mut self, kind: SyntaxKind, text: &str, out: &mut Vec<Entry>) {
        match kind {
            SyntaxKind::WHITESPACE => {
                self.newlines = self
                    .newlines
                    .saturating_add(line_breaks(text.as_bytes()))
                    .min(2);
            }
            kind => {
                out.push(Entry {
                    start: self.offset,
                    len: entry_len(kind, text.as_bytes()),
                    kind,
                    newlines: self.newlines,
                });
                self.newlines = 0;
            }
        }
        self.offset += text.len() as u32;
    }
}

/// The kind the lexer gives a token of the tree: a word (an identifier, or a keyword
/// the parser read from one; `o.true` holds `true` as a name) is read again as the lexer
/// reads words.
fn lexer_kind(kind: SyntaxKind, text: &str) -> SyntaxKind {
    if kind == SyntaxKind::IDENT || kind.is_keyword() {
        mlpy_syntax::lexer::word_kind(text)
    } else {
        kind
    }
}

/// The length of a token's entry: a comment's trailing white space is dropped with the
/// white space.
fn entry_len(kind: SyntaxKind, text: &[u8]) -> u32 {
    let mut len = text.len();
    if kind == SyntaxKind::COMMENT {
        while len > 0 && matches!(text[len - 1], b' ' | b'\t' | 0x0C) {
            len -= 1;
        }
    }
    len as u32
}

/// Line breaks in white space: `\n`, `\r\n` and a lone `\r` each count one (at most 2).
fn line_breaks(text: &[u8]) -> u8 {
    let mut count = 0u8;
    for (i, &b) in text.iter().enumerate() {
        let ends_line = b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n'));
        if ends_line {
            count += 1;
            if count >= 2 {
                break;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_per_statement_with_their_comments() {
        let src = "x = 1; // one  \n\n\r\n// two\ny;\n// end\n";
        let parse = mlpy_syntax::parse(src);
        let mut chunks = Chunks::new(parse.green());
        let mut out = Vec::new();
        let mut seen = Vec::new();
        while let Some(chunk) = chunks.next(&mut out) {
            let texts: Vec<(&str, u8)> = out.iter().map(|e| (e.text(src), e.newlines)).collect();
            seen.push((matches!(chunk, Chunk::End), texts));
        }
        assert_eq!(
            seen,
            [
                (
                    false,
                    vec![("x", 0), ("=", 0), ("1", 0), (";", 0), ("// one", 0)]
                ),
                (false, vec![("// two", 2), ("y", 1), (";", 0)]),
                (true, vec![("// end", 1), ("", 1)]),
            ]
        );
        assert_eq!(line_breaks(b"\r\r\n"), 2);
        assert_eq!(line_breaks(b"  "), 0);
    }
}
