//! A recursive-descent / Pratt parser that records events; `builder` turns the events
//! and the raw tokens (trivia included) into a lossless rowan tree.

mod builder;
mod expressions;
mod grammar;

use crate::SyntaxError;
use crate::SyntaxKind::{self, *};
use rowan::{GreenNode, TextRange, TextSize};

/// Whether the tree builder shares equal small nodes (`crate::parse_compact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeSharing {
    None,
    Small,
}

/// Parses a whole file.
pub(crate) fn parse_source_file(text: &str, sharing: NodeSharing) -> (GreenNode, Vec<SyntaxError>) {
    let mut sig = SigTokens::new(text);
    let mut errors = crate::lexer::lex(text, |kind, start, end, error| {
        sig.push(kind, start, end, error)
    });
    let mut parser = Parser::new(text, sig);
    grammar::source_file(&mut parser);
    let Parser {
        events,
        errors: parse_errors,
        tokens,
        ..
    } = parser;
    errors.extend(parse_errors);
    errors.sort_by_key(|e| (e.range.start(), e.range.end()));
    let green = builder::build(text, &tokens, events, sharing);
    (green, errors)
}

/// The deepest nesting the parser builds: brackets, blocks, statements, prefix
/// operators and each link of an operator or postfix chain count one level each.
pub(crate) const MAX_DEPTH: u32 = 1000;

/// 8 bytes each: a file has about two events per significant token.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Start {
        kind: SyntaxKind,
        /// How many events ahead the node that wraps this one starts; 0 for none.
        forward_parent: u32,
    },
    Finish,
    Token {
        kind: SyntaxKind,
    },
    Tombstone,
}

const _: () = assert!(std::mem::size_of::<Event>() == 8);

/// A significant (non-trivia) token as the parser sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SigToken {
    kind: SyntaxKind,
    /// For an identifier, the contextual keyword it spells (`IF_KW` for `if`), else
    /// its kind.
    word: SyntaxKind,
    flags: u8,
    range: TextRange,
}

/// A line break separates the token from the previous significant token.
const NEWLINE_BEFORE: u8 = 1;
/// Nothing but the line break precedes it on its line.
const AT_LINE_START: u8 = 2;
/// The lexer reported a problem with this token (an unknown character, an unterminated
/// string): errors right at it are consequences, not news.
const LEX_ERROR: u8 = 4;

impl SigToken {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub(crate) fn range(&self) -> TextRange {
        self.range
    }

    pub(crate) fn kind(&self) -> SyntaxKind {
        self.kind
    }
}

/// Collects the significant tokens straight from the lexer; the trivia between them
/// is lexed again, cheaply, when the tree is built (`builder`).
struct SigTokens<'t> {
    text: &'t str,
    tokens: Vec<SigToken>,
    newline: bool,
    curly_balance: i64,
}

impl<'t> SigTokens<'t> {
    fn new(text: &'t str) -> SigTokens<'t> {
        SigTokens {
            text,
            // Typical code has a significant token every 4 to 8 bytes.
            tokens: Vec::with_capacity(text.len() / 4 + 16),
            newline: false,
            curly_balance: 0,
        }
    }

    #[inline]
    fn push(&mut self, kind: SyntaxKind, start: usize, end: usize, lex_error: bool) {
        let bytes = self.text.as_bytes();
        match kind {
            WHITESPACE => {
                self.newline = self.newline || bytes[start..end].contains(&b'\n');
                return;
            }
            COMMENT => return,
            L_CURLY => self.curly_balance += 1,
            R_CURLY => self.curly_balance -= 1,
            _ => {}
        }
        let word = match kind {
            IDENT => SyntaxKind::from_keyword(&self.text[start..end]).unwrap_or(IDENT),
            kind => kind,
        };
        let at_line_start = start == 0 || bytes[start - 1] == b'\n';
        self.tokens.push(SigToken {
            kind,
            word,
            flags: if self.newline { NEWLINE_BEFORE } else { 0 }
                | if at_line_start { AT_LINE_START } else { 0 }
                | if lex_error { LEX_ERROR } else { 0 },
            range: TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32)),
        });
        self.newline = false;
    }
}

pub(crate) struct Parser<'t> {
    text: &'t str,
    tokens: Vec<SigToken>,
    pos: usize,
    events: Vec<Event>,
    errors: Vec<SyntaxError>,
    eof_range: TextRange,
    /// The token position of the last error reported at the current token (or right
    /// before it): a second one there, before any progress, is a consequence.
    last_error_pos: Option<usize>,
    /// How deeply the tree being built is nested here (see `enter`).
    depth: u32,
    depth_error_reported: bool,
    /// The file has more `{` than `}`: a block may stop at a `}` that is indented less
    /// than the line that opened it (see `grammar::block`).
    unbalanced_curlies: bool,
    /// Where the text's lines start (computed when first needed).
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str, sig: SigTokens<'t>) -> Parser<'t> {
        let significant = sig.tokens.len();
        Parser {
            text,
            tokens: sig.tokens,
            pos: 0,
            // Roughly one Start, one Finish and one Token event per significant token.
            events: Vec::with_capacity(significant * 3 + 2),
            errors: Vec::new(),
            eof_range: TextRange::empty(TextSize::of(text)),
            last_error_pos: None,
            depth: 0,
            depth_error_reported: false,
            unbalanced_curlies: sig.curly_balance > 0,
            line_starts: std::cell::OnceCell::new(),
        }
    }

    // ---- looking ----

    pub(crate) fn nth(&self, n: usize) -> SyntaxKind {
        self.tokens.get(self.pos + n).map_or(EOF, |t| t.kind)
    }

    pub(crate) fn current(&self) -> SyntaxKind {
        self.nth(0)
    }

    pub(crate) fn at(&self, kind: SyntaxKind) -> bool {
        self.current() == kind
    }

    pub(crate) fn nth_at(&self, n: usize, kind: SyntaxKind) -> bool {
        self.nth(n) == kind
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    pub(crate) fn nth_text(&self, n: usize) -> &'t str {
        match self.tokens.get(self.pos + n) {
            Some(t) => &self.text[t.range],
            None => "",
        }
    }

    /// The `n`th token is an identifier spelling the contextual keyword `keyword`.
    pub(crate) fn nth_kw(&self, n: usize, keyword: SyntaxKind) -> bool {
        self.nth_word_kind(n) == keyword && self.nth_at(n, IDENT)
    }

    pub(crate) fn at_kw(&self, keyword: SyntaxKind) -> bool {
        self.nth_kw(0, keyword)
    }

    /// For an identifier, the contextual keyword it spells, else its kind.
    pub(crate) fn nth_word_kind(&self, n: usize) -> SyntaxKind {
        self.tokens.get(self.pos + n).map_or(EOF, |t| t.word)
    }

    pub(crate) fn current_range(&self) -> TextRange {
        self.tokens
            .get(self.pos)
            .map_or(self.eof_range, |t| t.range)
    }

    pub(crate) fn newline_before_nth(&self, n: usize) -> bool {
        self.tokens
            .get(self.pos + n)
            .is_none_or(|t| t.has(NEWLINE_BEFORE))
    }

    pub(crate) fn newline_before_current(&self) -> bool {
        self.tokens
            .get(self.pos)
            .is_none_or(|t| t.has(NEWLINE_BEFORE))
    }

    pub(crate) fn unbalanced_curlies(&self) -> bool {
        self.unbalanced_curlies
    }

    /// The current token starts its line, indented less than the line holding `open`.
    pub(crate) fn closes_less_indented(&self, open: TextRange) -> bool {
        let Some(token) = self.tokens.get(self.pos) else {
            return false;
        };
        let bytes = self.text.as_bytes();
        // Only spaces and tabs between the line's start and the token (looking back no
        // further than the indentation: lines may be long).
        let start = usize::from(token.range.start());
        let indent = bytes[..start]
            .iter()
            .rev()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let token_line = start - indent;
        if token_line > 0 && bytes[token_line - 1] != b'\n' {
            return false;
        }
        let line_starts = self
            .line_starts
            .get_or_init(|| std::iter::once(0).chain(line_break_ends(bytes)).collect());
        let open_at = usize::from(open.start());
        let open_line = line_starts[line_starts.partition_point(|&s| s <= open_at) - 1];
        let open_indent = bytes[open_line..]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        start - token_line < open_indent
    }

    pub(crate) fn current_at_line_start(&self) -> bool {
        self.tokens
            .get(self.pos)
            .is_some_and(|t| t.has(AT_LINE_START))
    }

    /// The empty range right after the previous significant token.
    pub(crate) fn prev_end(&self) -> TextRange {
        match self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some(t) => TextRange::empty(t.range.end()),
            None => TextRange::empty(0.into()),
        }
    }

    pub(crate) fn range_of_tokens(&self, from: usize) -> TextRange {
        let start = self.tokens.get(from).map_or(self.eof_range, |t| t.range);
        let end = self
            .pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(start, |t| t.range);
        start.cover(end)
    }

    pub(crate) fn token_pos(&self) -> usize {
        self.pos
    }

    /// Describes the current token for "found …" in messages.
    pub(crate) fn found(&self) -> String {
        match self.current() {
            EOF => "end of file".to_string(),
            IDENT => format!("`{}`", self.nth_text(0)),
            NUMBER | STRING | URL | ERROR_TOKEN => {
                let text = self.nth_text(0);
                if text.chars().count() > 24 {
                    format!("`{}…`", text.chars().take(20).collect::<String>())
                } else {
                    format!("`{text}`")
                }
            }
            kind => kind.describe().to_string(),
        }
    }

    // ---- consuming ----

    pub(crate) fn bump(&mut self) {
        let kind = self.current();
        self.bump_remap(kind);
    }

    pub(crate) fn bump_remap(&mut self, kind: SyntaxKind) {
        if self.at_eof() {
            return;
        }
        self.events.push(Event::Token { kind });
        self.pos += 1;
    }

    pub(crate) fn eat(&mut self, kind: SyntaxKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Eats `kind` or reports it missing.
    pub(crate) fn expect(&mut self, kind: SyntaxKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(kind.describe());
        false
    }

    /// Reports that `what` was expected here: at the offending token when it is on the
    /// same line, else right after the previous token.
    pub(crate) fn error_expected(&mut self, what: &str) {
        if self.at_eof() || self.newline_before_current() {
            let range = self.prev_end();
            self.error_at(format!("expected {what}"), range);
        } else {
            let message = format!("expected {what}, found {}", self.found());
            self.error_at(message, self.current_range());
        }
    }

    pub(crate) fn error(&mut self, message: impl Into<String>) {
        let range = self.current_range();
        self.error_at(message, range);
    }

    /// Records an error, unless it is most likely a consequence of one already
    /// reported:
    /// * one was just reported at the same place (`(2 + ;` lacks both an operand and
    ///   `)`), or at the current token with no progress since (`z = ] 3;` lacks an
    ///   expression, and then a `;` before the `]`);
    /// * the lexer reported the token at or just before this place (`x = 1 $ 2;`,
    ///   `x = "open` ⏎).
    pub(crate) fn error_at(&mut self, message: impl Into<String>, range: TextRange) {
        let duplicate = self
            .errors
            .iter()
            .rev()
            .find(|e| e.is_error())
            .is_some_and(|last| last.range.start() == range.start());
        if duplicate {
            return;
        }
        let here = range.start() == self.current_range().start()
            || range.start() == self.prev_end().start();
        if here {
            if self.last_error_pos == Some(self.pos) {
                return;
            }
            let near_lex_error = [self.pos.checked_sub(1), Some(self.pos)]
                .into_iter()
                .flatten()
                .filter_map(|i| self.tokens.get(i))
                .any(|t| t.has(LEX_ERROR));
            if near_lex_error {
                return;
            }
            self.last_error_pos = Some(self.pos);
        }
        self.errors.push(SyntaxError::new(message, range));
    }

    pub(crate) fn warning_at(&mut self, message: impl Into<String>, range: TextRange) {
        self.errors.push(SyntaxError::warning(message, range));
    }

    /// Wraps the current token in an ERROR node with `message`.
    pub(crate) fn err_and_bump(&mut self, message: impl Into<String>) {
        self.error(message);
        let m = self.start();
        self.bump();
        m.complete(self, ERROR);
    }

    // ---- nesting ----

    /// Goes one level deeper into the tree, or reports (once per file) that the input
    /// nests too deeply and returns false. The limit keeps the parser's recursion, and
    /// every recursive walk of the tree after it (dropping one included), far from the
    /// end of a 2 MiB thread stack.
    pub(crate) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.depth_error_reported {
                self.depth_error_reported = true;
                let range = self.current_range();
                self.errors.push(SyntaxError::new(
                    format!(
                        "this code nests too deeply (more than {MAX_DEPTH} levels of \
                         brackets, blocks or operators); split it into smaller parts"
                    ),
                    range,
                ));
            }
            return false;
        }
        self.depth += 1;
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- nodes ----

    pub(crate) fn start(&mut self) -> Marker {
        let pos = self.events.len() as u32;
        self.events.push(Event::Start {
            kind: SyntaxKind::__LAST,
            forward_parent: 0,
        });
        Marker { pos }
    }
}

/// An open node.
pub(crate) struct Marker {
    pos: u32,
}

impl Marker {
    pub(crate) fn complete(self, p: &mut Parser<'_>, kind: SyntaxKind) -> CompletedMarker {
        match &mut p.events[self.pos as usize] {
            Event::Start { kind: slot, .. } => *slot = kind,
            _ => unreachable!("marker does not point at a Start event"),
        }
        p.events.push(Event::Finish);
        CompletedMarker {
            pos: self.pos,
            kind,
        }
    }

    /// Drops the node; its children attach to the parent.
    pub(crate) fn abandon(self, p: &mut Parser<'_>) {
        let idx = self.pos as usize;
        if idx == p.events.len() - 1 {
            p.events.pop();
        } else {
            p.events[idx] = Event::Tombstone;
        }
    }
}

/// A finished node that may still get a parent wrapped around it.
#[derive(Clone, Copy)]
pub(crate) struct CompletedMarker {
    pos: u32,
    kind: SyntaxKind,
}

impl CompletedMarker {
    /// Opens a new node that will contain this one as its first child.
    pub(crate) fn precede(self, p: &mut Parser<'_>) -> Marker {
        let new = p.start();
        match &mut p.events[self.pos as usize] {
            Event::Start { forward_parent, .. } => *forward_parent = new.pos - self.pos,
            _ => unreachable!("completed marker does not point at a Start event"),
        }
        new
    }

    pub(crate) fn kind(&self) -> SyntaxKind {
        self.kind
    }
}

/// The offsets just after every `\n` of `bytes`.
fn line_break_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c == b'\n')
        .map(|(i, _)| i + 1)
}
