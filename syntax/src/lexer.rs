//! The ML lexer.
//!
//! ML has two tokens whose meaning depends on what came before, inherited from the
//! reference's contextual LALR lexer:
//!
//! * `//` is floor division exactly where a binary operator may follow a complete operand,
//!   and a comment everywhere else;
//! * `-5` and `+5` are single signed number literals where an operand may start, while
//!   after an operand `-`/`+` are binary operators.
//!
//! Both questions reduce to "did the previous significant token end an operand?". The
//! lexer answers it from the previous token and a stack of open brackets (a `)` that
//! closes an `if (…)` header, or a `}` that closes a block, does not end an operand).
//!
//! Keywords other than `fn`, `true` and `false` are contextual: the lexer emits `IDENT`
//! and the parser decides. The lexer only tracks keyword positions as far as they
//! matter for the two questions above and for `import scheme://…` URLs.

use crate::SyntaxError;
use crate::SyntaxKind::{self, *};
use rowan::{TextRange, TextSize};

/// One token: its kind and its length in bytes. Offsets are cumulative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: SyntaxKind,
    pub len: TextSize,
}

/// A character a terminal would show as nothing, as white space, or not at all as itself
/// (controls, white space other than the space itself, zero-width and bidirectional
/// marks): an error message names it by its code (`U+00A0`) instead of printing it, and a
/// snippet of the line shows a stand-in (`mlpy`'s renderer).
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `text` with every invisible character written as `<U+XXXX>`.
fn shown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits `text` into tokens that cover every byte, plus the errors found on the way
/// (unterminated strings, characters no token starts with).
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<SyntaxError>) {
    let mut tokens = Vec::with_capacity(text.len() / 3 + 1);
    let errors = lex(text, |kind, start, end, _| {
        tokens.push(Token {
            kind,
            len: TextSize::from((end - start) as u32),
        })
    });
    (tokens, errors)
}

/// `tokenize` without the vector: hands each token to `sink` as its kind and its start
/// and end offsets, in order, as the lexer finds it (the formatter reads files this way).
/// Returns the errors.
pub fn tokenize_with(
    text: &str,
    mut sink: impl FnMut(SyntaxKind, usize, usize),
) -> Vec<SyntaxError> {
    lex(text, |kind, start, end, _| sink(kind, start, end))
}

/// Lexes `text`, handing each token to `sink` as its kind, start and end offsets, and
/// whether the lexer reported an error about it. Returns the errors.
pub(crate) fn lex(
    text: &str,
    sink: impl FnMut(SyntaxKind, usize, usize, bool),
) -> Vec<SyntaxError> {
    let mut lexer = Lexer {
        src: text.as_bytes(),
        text,
        pos: 0,
        start: 0,
        sink,
        errors: Vec::new(),
        prev: Prev::StatementStart,
        brackets: Vec::new(),
        in_import: false,
        in_nonlocal: false,
        capability_depth: None,
        last_scan: [None, None],
        last_line_end: None,
        late_errors: Vec::new(),
    };
    lexer.run();
    let mut errors = lexer.errors;
    errors.append(&mut lexer.late_errors);
    errors
}

/// What the previous significant token means for the one being lexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start of file, `;`, or the `{` of a block: a statement starts here.
    StatementStart,
    /// `}` closing a block: a statement, or `else`/`elif`/`except`/`finally`, follows.
    AfterBlock,
    /// A complete operand: a binary operator may follow.
    Operand,
    /// A keyword followed by a parenthesised header (`if`, `elif`, `while`, `for`, `except`).
    HeaderKeyword,
    /// A keyword followed by a block (`else`, `try`, `finally`, `except` without a name).
    BlockKeyword,
    /// `)` closing a header: a block follows.
    HeaderClose,
    /// The name after `function`, or `fn`: a parameter list follows.
    BeforeParams,
    /// `function`: its name follows.
    Function,
    /// `capability`: its name follows.
    Capability,
    /// The name of a `capability` declaration: a block follows.
    CapabilityName,
    /// `import`: a module path or URL follows.
    Import,
    /// `for`: its header follows.
    For,
    /// `for (`: the loop variable follows.
    ForOpen,
    /// `for (x`: `in` follows.
    ForVar,
    /// `else`: a block or `if` follows.
    Else,
    /// `.`: a member name follows.
    Dot,
    /// `=>`: an arrow body follows, which is a block unless it looks like an object.
    FatArrow,
    /// `except`: an optional `(name)`, then a block.
    Except,
    /// `except (`: the exception variable follows.
    ExceptOpen,
    /// `{` of an object literal, or `,` in one: a key follows (a name or a string).
    Key,
    /// A word or string that no operator may follow: a parameter, a type annotation,
    /// an object key, an exception variable, a name of an import path, of `nonlocal` or of
    /// a capability declaration's items.
    Name,
    /// Any other keyword or punctuation: an operand may start here.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bracket {
    HeaderParen,
    /// A parameter list (`function f(`, `fn(`): names and type annotations only.
    Params,
    Paren,
    Square,
    Block,
    /// The block body of an arrow function: its `}` ends an operand.
    ArrowBlock,
    Expr,
}

struct Lexer<'a, S> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    start: usize,
    sink: S,
    errors: Vec<SyntaxError>,
    prev: Prev,
    brackets: Vec<Bracket>,
    in_import: bool,
    /// Inside `nonlocal …;`.
    in_nonlocal: bool,
    /// The bracket depth inside a capability declaration's block, while in one.
    capability_depth: Option<usize>,
    /// Per quote (`"`, `'`): the last full scan for a closing quote, as the opening
    /// quote's offset and the closing quote's (`None`: there was none).
    last_scan: [Option<(usize, Option<usize>)>; 2],
    /// The last scan for the end of a line: from where, and the line break found
    /// (`None`: the text ended first).
    last_line_end: Option<(usize, Option<usize>)>,
    /// Errors about well-formed tokens (lone surrogate escapes), added to `errors` at
    /// the end: a token is flagged to the parser as broken when it adds to `errors`.
    late_errors: Vec<SyntaxError>,
}

impl<S: FnMut(SyntaxKind, usize, usize, bool)> Lexer<'_, S> {
    fn run(&mut self) {
        while self.pos < self.src.len() {
            self.start = self.pos;
            let errors = self.errors.len();
            let kind = self.next_kind();
            debug_assert!(
                self.pos > self.start,
                "lexer made no progress at {}",
                self.start
            );
            (self.sink)(kind, self.start, self.pos, self.errors.len() != errors);
            if !kind.is_trivia() {
                self.prev = self.classify(kind);
            }
        }
    }

    fn peek(&self, n: usize) -> u8 {
        self.src.get(self.pos + n).copied().unwrap_or(0)
    }

    fn eat_while(&mut self, pred: impl Fn(u8) -> bool) {
        let rest = &self.src[self.pos..];
        self.pos += rest.iter().position(|&c| !pred(c)).unwrap_or(rest.len());
    }

    fn operand_ended(&self) -> bool {
        self.prev == Prev::Operand
    }

    fn range(&self) -> TextRange {
        TextRange::new(
            TextSize::from(self.start as u32),
            TextSize::from(self.pos as u32),
        )
    }

    fn next_kind(&mut self) -> SyntaxKind {
        let c = self.src[self.pos];
        match c {
            c if is_whitespace(c) => {
                self.eat_while(|c| CLASS[usize::from(c)] & WS != 0);
                WHITESPACE
            }
            b'/' if self.peek(1) == b'/' => {
                if self.operand_ended() {
                    self.pos += 2;
                    SLASH2
                } else {
                    self.eat_while(|c| c != b'\n' && c != b'\r');
                    COMMENT
                }
            }
            b'"' | b'\'' => self.string(c),
            b'0'..=b'9' => self.number(),
            b'.' if self.peek(1).is_ascii_digit() && !self.operand_ended() => self.number(),
            b'-' | b'+'
                if !self.operand_ended()
                    && (self.peek(1).is_ascii_digit()
                        || (self.peek(1) == b'.' && self.peek(2).is_ascii_digit())) =>
            {
                self.pos += 1;
                self.number()
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                if self.prev == Prev::Import && self.at_url() {
                    self.eat_while(|c| {
                        !c.is_ascii_whitespace() && !matches!(c, b';' | b'{' | b'}' | b'"' | b'\'')
                    });
                    return URL;
                }
                self.eat_while(|c| CLASS[usize::from(c)] & WORD != 0);
                if self.peek(0) >= 0x80 && self.unicode_word() {
                    return IDENT;
                }
                word_kind(&self.text[self.start..self.pos])
            }
            _ => self.punct(c),
        }
    }

    /// Just after the `{` that follows `=>`: is it `{}` or `{key: …` (an object literal,
    /// as the parser decides in `object_literal_ahead`), rather than a block?
    fn object_literal_ahead(&mut self) -> bool {
        let mut i = self.skip_trivia(self.pos);
        match self.src.get(i) {
            Some(b'}') => return true,
            Some(&c) if c.is_ascii_alphabetic() || c == b'_' => {
                while i < self.src.len()
                    && (self.src[i].is_ascii_alphanumeric() || self.src[i] == b'_')
                {
                    i += 1;
                }
            }
            Some(&q @ (b'"' | b'\'')) => match self.scan_string(i, q) {
                (end, true) => i = end,
                (_, false) => return false,
            },
            _ => return false,
        }
        // After a key `//` would divide, so only whitespace may stand before the `:`.
        while i < self.src.len() && is_whitespace(self.src[i]) {
            i += 1;
        }
        self.src.get(i) == Some(&b':')
    }

    /// The offset of the first byte after the whitespace and comments at `i`, where a
    /// `//` starts a comment.
    fn skip_trivia(&self, mut i: usize) -> usize {
        loop {
            match self.src.get(i) {
                Some(&c) if is_whitespace(c) => i += 1,
                Some(b'/') if self.src.get(i + 1) == Some(&b'/') => {
                    while i < self.src.len() && !matches!(self.src[i], b'\n' | b'\r') {
                        i += 1;
                    }
                }
                _ => return i,
            }
        }
    }

    /// `scheme://` where a module path would start.
    fn at_url(&self) -> bool {
        let rest = &self.src[self.pos..];
        let scheme_len = rest
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))
            .unwrap_or(rest.len());
        rest[scheme_len..].starts_with(b"://")
    }

    fn string(&mut self, quote: u8) -> SyntaxKind {
        let (end, terminated) = self.scan_string(self.pos, quote);
        if !terminated {
            self.errors.push(SyntaxError::new(
                "unterminated string literal: add the closing quote",
                TextRange::at(TextSize::from(self.start as u32), TextSize::from(1)),
            ));
        }
        self.pos = end;
        self.lone_surrogates();
        STRING
    }

    /// Reports the `\uXXXX` escapes of the string just lexed that are half of a UTF-16
    /// surrogate pair without the other half: no character has that code, so the
    /// literal cannot mean what it says. Kept apart from `errors` until the end: the
    /// token itself is well formed, and the parser must not take it for a broken one.
    fn lone_surrogates(&mut self) {
        let raw = &self.text[self.start..self.pos];
        // A byte scan: most literals have no backslash, and `str::contains` sets up a
        // substring searcher for every string literal of the file.
        if !raw.as_bytes().windows(2).any(|pair| pair == b"\\u") {
            return;
        }
        let (offset, body) = crate::text::literal_body(raw);
        for (range, unit) in crate::text::lone_surrogates(body) {
            let start = self.start + offset + range.start;
            let message = if unit < 0xDC00 {
                format!(
                    "lone surrogate `\\u{unit:04X}`: a \\uD800-\\uDBFF escape must be followed by a \\uDC00-\\uDFFF escape, the pair is one character (`\\uD83D\\uDE00` is 😀)"
                )
            } else {
                format!(
                    "lone surrogate `\\u{unit:04X}`: a \\uDC00-\\uDFFF escape is the second half of a pair and must follow a \\uD800-\\uDBFF escape (`\\uD83D\\uDE00` is 😀)"
                )
            };
            self.late_errors.push(SyntaxError::new(
                message,
                TextRange::at(
                    TextSize::from(start as u32),
                    TextSize::from(range.len() as u32),
                ),
            ));
        }
    }

    /// Finds the end of the string literal whose opening quote is at `open`: just after
    /// its closing quote, or, when it has none (`terminated` is false), the end of the
    /// opening quote's line, so that the rest of the file still parses.
    ///
    /// A literal may span lines, so a forgotten closing quote would pair the opening
    /// quote with the next literal's opening quote. A literal that spans lines and is
    /// directly followed by a letter, digit or quote (`'open⏎w = 'closed';`) can never
    /// be valid, so it is taken as unterminated too.
    fn scan_string(&mut self, open: usize, quote: u8) -> (usize, bool) {
        let slot = usize::from(quote == b'\'');
        // A scan for the same quote from an earlier opening quote that went past `open`
        // gives the answer: `open` was escaped in that scan (else it would have ended
        // there), so a scan from just after it runs in step with that one. This keeps
        // a file full of broken literals linear to lex.
        let close = match self.last_scan[slot] {
            Some((from, close)) if from < open && close.is_none_or(|c| open < c) => close,
            _ => {
                let mut i = open + 1;
                let mut close = None;
                while let Some(&c) = self.src.get(i) {
                    if c == quote {
                        close = Some(i);
                        break;
                    }
                    // A backslash escapes the next byte; the other bytes of a
                    // multi-byte character are never quotes.
                    i += if c == b'\\' { 2 } else { 1 };
                }
                self.last_scan[slot] = Some((open, close));
                close
            }
        };
        match close {
            Some(close) => {
                let after = self.src.get(close + 1).copied().unwrap_or(b' ');
                let glued = after.is_ascii_alphanumeric() || matches!(after, b'_' | b'"' | b'\'');
                match glued.then(|| self.line_end(open)).flatten() {
                    Some(eol) if eol < close => (eol, false),
                    _ => (close + 1, true),
                }
            }
            None => (self.line_end(open).unwrap_or(self.src.len()), false),
        }
    }

    /// The first line break (`\n` or `\r`) at or after `from`. A scan from an earlier
    /// point that went past `from` gives the answer: strings are lexed in order, so a
    /// long line full of them is scanned once, not once per string.
    fn line_end(&mut self, from: usize) -> Option<usize> {
        if let Some((start, end)) = self.last_line_end {
            if start <= from && end.is_none_or(|e| from <= e) {
                return end;
            }
        }
        let end = self.src[from..]
            .iter()
            .position(|&c| matches!(c, b'\n' | b'\r'))
            .map(|n| from + n);
        self.last_line_end = Some((from, end));
        end
    }

    fn number(&mut self) -> SyntaxKind {
        self.eat_while(|c| c.is_ascii_digit());
        if self.peek(0) == b'.' {
            let after = self.peek(1);
            // `5.length` is a member access on 5, but `5.` alone is the float 5.0.
            if after.is_ascii_digit() {
                self.pos += 1;
                self.eat_while(|c| c.is_ascii_digit());
            } else if matches!(after, b'e' | b'E') && self.exponent_len(1) > 0 {
                // `1.e5` is the float 100000.0, as in the reference.
                self.pos += 1;
            } else if !(after.is_ascii_alphabetic() || after == b'_' || after == b'.') {
                self.pos += 1;
            }
        }
        let exponent = self.exponent_len(0);
        self.pos += exponent;
        NUMBER
    }

    /// The length of an exponent (`e5`, `E-3`) starting `at` bytes ahead, or 0.
    fn exponent_len(&self, at: usize) -> usize {
        if !matches!(self.peek(at), b'e' | b'E') {
            return 0;
        }
        let sign = usize::from(matches!(self.peek(at + 1), b'+' | b'-'));
        let digits = self.src[(self.pos + at + 1 + sign).min(self.src.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            0
        } else {
            1 + sign + digits
        }
    }

    fn punct(&mut self, c: u8) -> SyntaxKind {
        let next = self.peek(1);
        // Operators of other languages, never valid in ML: one error each, and one
        // error token, so the parser reports nothing more about them.
        if next == b'=' {
            match (c, self.peek(2)) {
                (b'=', b'=') => {
                    return self.foreign_operator(3, "`===` is not an ML operator; use `==`")
                }
                (b'!', b'=') => {
                    return self.foreign_operator(3, "`!==` is not an ML operator; use `!=`")
                }
                (b'+' | b'-' | b'*' | b'/' | b'%', _) => {
                    let op = c as char;
                    let message = format!("ML has no `{op}=`: write `x = x {op} …;`");
                    return self.foreign_operator(2, &message);
                }
                _ => {}
            }
        }
        let (kind, len) = match (c, next) {
            (b'{', _) => (L_CURLY, 1),
            (b'}', _) => (R_CURLY, 1),
            (b'(', _) => (L_PAREN, 1),
            (b')', _) => (R_PAREN, 1),
            (b'[', _) => (L_BRACK, 1),
            (b']', _) => (R_BRACK, 1),
            (b';', _) => (SEMICOLON, 1),
            (b',', _) => (COMMA, 1),
            (b'.', _) => (DOT, 1),
            (b':', _) => (COLON, 1),
            (b'?', _) => (QUESTION, 1),
            (b'=', b'>') => (FAT_ARROW, 2),
            (b'=', b'=') => (EQ2, 2),
            (b'=', _) => (EQ, 1),
            (b'|', b'|') => (PIPE2, 2),
            (b'&', b'&') => (AMP2, 2),
            (b'!', b'=') => (NEQ, 2),
            (b'!', _) => (BANG, 1),
            (b'<', b'=') => (LTEQ, 2),
            (b'<', _) => (LT, 1),
            (b'>', b'=') => (GTEQ, 2),
            (b'>', _) => (GT, 1),
            (b'+', _) => (PLUS, 1),
            (b'-', _) => (MINUS, 1),
            (b'*', _) => (STAR, 1),
            (b'/', _) => (SLASH, 1),
            (b'%', _) => (PERCENT, 1),
            _ => return self.error_token(),
        };
        self.pos += len;
        kind
    }

    fn foreign_operator(&mut self, len: usize, message: &str) -> SyntaxKind {
        self.pos += len;
        self.errors.push(SyntaxError::new(message, self.range()));
        ERROR_TOKEN
    }

    /// Continues a word into non-ASCII letters and digits (`café`, `é`), reporting the
    /// whole word once. Returns false, consuming nothing more, when no such character
    /// follows.
    fn unicode_word(&mut self) -> bool {
        let word_char = |ch: char| ch.is_alphanumeric() || ch == '_';
        let rest = &self.text[self.pos..];
        if !rest
            .chars()
            .next()
            .is_some_and(|ch| !ch.is_ascii() && word_char(ch))
        {
            return false;
        }
        let len = rest
            .char_indices()
            .find(|&(_, ch)| !word_char(ch))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        let word = &self.text[self.start..self.pos];
        self.errors.push(SyntaxError::new(
            format!("`{word}`: names may only use ASCII letters, digits and `_`"),
            self.range(),
        ));
        true
    }

    /// A run of characters no token starts with becomes one error token.
    fn error_token(&mut self) -> SyntaxKind {
        let first = self.text[self.pos..].chars().next().unwrap_or('\u{FFFD}');
        if first == '\u{FEFF}' && self.pos == 0 {
            // A byte-order mark is invisible whitespace, not a mistake.
            self.pos += first.len_utf8();
            return WHITESPACE;
        }
        if self.unicode_word() {
            return IDENT;
        }
        let mut end = self.pos;
        for ch in self.text[self.pos..].chars() {
            let starts_token = ch.is_alphanumeric()
                || ch.is_ascii_whitespace()
                || "{}()[];,.:?=|&!<>+-*/%\"'_".contains(ch);
            if end > self.pos && starts_token {
                break;
            }
            end += ch.len_utf8();
        }
        self.pos = end;
        let text = &self.text[self.start..self.pos];
        let message = match text {
            "|" => "`|` is not an ML operator; use `||` for logical or".to_string(),
            "&" => "`&` is not an ML operator; use `&&` for logical and".to_string(),
            _ => {
                let plural = if text.chars().count() > 1 { "s" } else { "" };
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    // One character that shows as nothing (or as something else): its code.
                    (Some(c), None) if is_invisible(c) => {
                        format!("unexpected character U+{:04X}", c as u32)
                    }
                    _ => {
                        let shown = shown_text(text);
                        // Quote with backticks, unless the text has one itself.
                        if shown.contains('`') {
                            format!("unexpected character{plural} '{shown}'")
                        } else {
                            format!("unexpected character{plural} `{shown}`")
                        }
                    }
                }
            }
        };
        self.errors.push(SyntaxError::new(message, self.range()));
        ERROR_TOKEN
    }

    /// What the token just lexed means for the next one.
    fn classify(&mut self, kind: SyntaxKind) -> Prev {
        let prev = self.prev;
        // Where the grammar takes a name (or a string) that no operator may follow, `//`
        // after it starts a comment, as the reference's contextual lexer has it.
        if matches!(
            kind,
            IDENT | STRING | NUMBER | TRUE_KW | FALSE_KW | URL | FN_KW
        ) && self.takes_a_name(prev)
        {
            return Prev::Name;
        }
        match kind {
            NUMBER | STRING | TRUE_KW | FALSE_KW => Prev::Operand,
            URL => Prev::Operand,
            // `obj.fn` is a member name, not an arrow function.
            FN_KW if prev == Prev::Dot => Prev::Operand,
            FN_KW => Prev::BeforeParams,
            IDENT => self.classify_word(prev),
            L_PAREN => {
                self.brackets.push(match prev {
                    Prev::BeforeParams => Bracket::Params,
                    Prev::HeaderKeyword | Prev::For | Prev::Except => Bracket::HeaderParen,
                    _ => Bracket::Paren,
                });
                match prev {
                    Prev::For => Prev::ForOpen,
                    Prev::Except => Prev::ExceptOpen,
                    _ => Prev::Other,
                }
            }
            R_PAREN => match self.brackets.pop() {
                Some(Bracket::HeaderParen | Bracket::Params) => Prev::HeaderClose,
                _ => Prev::Operand,
            },
            L_BRACK => {
                self.brackets.push(Bracket::Square);
                Prev::Other
            }
            R_BRACK => {
                self.brackets.pop();
                Prev::Operand
            }
            L_CURLY => {
                let bracket = if self.in_import {
                    Bracket::Expr
                } else {
                    match prev {
                        Prev::HeaderClose
                        | Prev::HeaderKeyword
                        | Prev::BlockKeyword
                        | Prev::Else
                        | Prev::Except
                        | Prev::CapabilityName => Bracket::Block,
                        // The parser's rule: after `=>`, `{}` and `{key: …` are objects.
                        Prev::FatArrow if !self.object_literal_ahead() => Bracket::ArrowBlock,
                        _ => Bracket::Expr,
                    }
                };
                if prev == Prev::CapabilityName && self.capability_depth.is_none() {
                    self.capability_depth = Some(self.brackets.len() + 1);
                }
                self.brackets.push(bracket);
                match bracket {
                    Bracket::Block | Bracket::ArrowBlock => Prev::StatementStart,
                    Bracket::Expr => Prev::Key,
                    _ => Prev::Other,
                }
            }
            R_CURLY => {
                if self.capability_depth == Some(self.brackets.len()) {
                    self.capability_depth = None;
                }
                match self.brackets.pop() {
                    Some(Bracket::Expr | Bracket::ArrowBlock) => Prev::Operand,
                    _ => Prev::AfterBlock,
                }
            }
            COMMA if self.brackets.last() == Some(&Bracket::Expr) => Prev::Key,
            SEMICOLON => {
                self.in_import = false;
                self.in_nonlocal = false;
                Prev::StatementStart
            }
            DOT => Prev::Dot,
            FAT_ARROW => Prev::FatArrow,
            _ => Prev::Other,
        }
    }

    /// Whether the token just lexed (a word, string or number) stands where the grammar
    /// takes a name or a fixed string that no operator may follow.
    fn takes_a_name(&self, prev: Prev) -> bool {
        let innermost = self.brackets.last();
        match prev {
            // An object key (a name or a string), before its `:`.
            Prev::Key => true,
            Prev::ExceptOpen => true,
            // `import a.b as c`, not inside the import's option block.
            _ if self.in_import => innermost != Some(&Bracket::Expr),
            _ if self.in_nonlocal => true,
            // `resource "…"; allow read "…";`
            _ if self.capability_depth.is_some() => true,
            // Parameters and their type annotations.
            _ => innermost == Some(&Bracket::Params),
        }
    }

    fn classify_word(&mut self, prev: Prev) -> Prev {
        let word = &self.text[self.start..self.pos];
        match prev {
            Prev::Dot => return Prev::Operand,
            Prev::Function => return Prev::BeforeParams,
            Prev::Capability => return Prev::CapabilityName,
            Prev::ForOpen => return Prev::ForVar,
            Prev::ForVar if word == "in" => return Prev::Other,
            Prev::Else if word == "if" => return Prev::HeaderKeyword,
            Prev::StatementStart | Prev::AfterBlock => {
                let after_block = prev == Prev::AfterBlock;
                match word {
                    "if" | "while" => return Prev::HeaderKeyword,
                    "elif" if after_block => return Prev::HeaderKeyword,
                    "except" if after_block => return Prev::Except,
                    "for" => return Prev::For,
                    "else" if after_block => return Prev::Else,
                    "try" => return Prev::BlockKeyword,
                    "finally" if after_block => return Prev::BlockKeyword,
                    "function" => return Prev::Function,
                    "capability" => return Prev::Capability,
                    "import" => {
                        self.in_import = true;
                        return Prev::Import;
                    }
                    "nonlocal" => {
                        self.in_nonlocal = true;
                        return Prev::Other;
                    }
                    "return" | "throw" | "break" | "continue" => return Prev::Other,
                    _ => {}
                }
            }
            _ => {}
        }
        Prev::Operand
    }
}

/// Whitespace as the reference's `WS` has it: space, tab, line breaks, form feed.
/// The kind the lexer gives a word: `fn`, `true` and `false` are keywords here; every
/// other word is an identifier (the parser reads the rest of the keywords from it).
#[inline]
pub fn word_kind(word: &str) -> SyntaxKind {
    match word {
        "fn" => FN_KW,
        "true" => TRUE_KW,
        "false" => FALSE_KW,
        _ => IDENT,
    }
}

pub(crate) fn is_whitespace(c: u8) -> bool {
    CLASS[usize::from(c)] & WS != 0
}

/// Byte classes, for the lexer's inner loops.
const WS: u8 = 1;
const WORD: u8 = 2;
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C) {
            class[c] |= WS;
        }
        if b.is_ascii_alphanumeric() || b == b'_' {
            class[c] |= WORD;
        }
        c += 1;
    }
    class
};

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(SyntaxKind, &str)> {
        let (tokens, _) = tokenize(text);
        let mut pos = 0usize;
        tokens
            .iter()
            .map(|t| {
                let s = &text[pos..pos + u32::from(t.len) as usize];
                pos += u32::from(t.len) as usize;
                (t.kind, s)
            })
            .filter(|(k, _)| *k != WHITESPACE)
            .collect()
    }

    #[test]
    fn floor_division_after_operand_comment_elsewhere() {
        assert_eq!(
            kinds("x = 7 // 2; // c"),
            vec![
                (IDENT, "x"),
                (EQ, "="),
                (NUMBER, "7"),
                (SLASH2, "//"),
                (NUMBER, "2"),
                (SEMICOLON, ";"),
                (COMMENT, "// c")
            ]
        );
        assert_eq!(kinds("[1, // one\n2]")[3], (COMMENT, "// one"));
        assert_eq!(kinds("if (x) // c\n{")[4], (COMMENT, "// c"));
        assert_eq!(kinds("if (x) { y; } // c")[8], (COMMENT, "// c"));
        assert_eq!(kinds("z = {a: 1} // q")[7], (SLASH2, "//"));
    }

    /// Where the grammar takes a name or a string that no operator may follow, `//`
    /// after it is a comment (the reference's contextual lexer): every such place, each
    /// with the comment after every name or string of it; where an operand ends, floor
    /// division.
    #[test]
    fn comment_after_names_no_operator_may_follow() {
        // `@` marks each place a `// c` comment is put (followed by a line break).
        let comment_places = [
            "function f(a@, b@) { return a; }",
            "function f(a: number@, b: string@) { }",
            "g = fn(x@, y@) => x;",
            "g = fn(x: number@) => x;",
            "try { x = 1; } except (e@) { }",
            "import math@;",
            "import utils.math@ as m@;",
            "import https://example.org/m.ml@;",
            "function f() { nonlocal a@, b@; }",
            "capability io { resource \"a.txt\"@; allow read@ \"x\"@; }",
            "x = {a@: 1, \"b\"@: 2, fn@: 3};",
            "{a@, b@} = obj;",
            "import m { key@: \"v\" };",
        ];
        for template in comment_places {
            let text = template.replace('@', " // c\n");
            let comments = kinds(&text)
                .iter()
                .filter(|(k, t)| *k == COMMENT && *t == "// c")
                .count();
            assert_eq!(
                comments,
                template.matches('@').count(),
                "{text:?}: {:?}",
                kinds(&text)
            );
            assert!(!kinds(&text).iter().any(|(k, _)| *k == SLASH2), "{text:?}");
        }
        // Operands: floor division, in the same statements.
        for text in [
            "function f(a) { return a // 2; }",
            "g = fn(x) => x // 2;",
            "x = {a: b // 2};",
            "import m { key: v // 2 };",
            "f(a // 2);",
            "[a, b // 2] = c;",
            "try { } except (e) { x = e // 2; }",
            "function f() { nonlocal a; a = a // 2; }",
        ] {
            let tokens = kinds(text);
            assert!(tokens.contains(&(SLASH2, "//")), "{text:?}: {tokens:?}");
            assert!(!tokens.iter().any(|(k, _)| *k == COMMENT), "{text:?}");
        }
    }

    #[test]
    fn signed_numbers_only_where_an_operand_starts() {
        assert_eq!(kinds("f(-1)")[2], (NUMBER, "-1"));
        assert_eq!(kinds("5-2")[1], (MINUS, "-"));
        assert_eq!(kinds("x -1")[1], (MINUS, "-"));
        assert_eq!(kinds("return -1;")[1], (NUMBER, "-1"));
        assert_eq!(kinds("- 2")[0], (MINUS, "-"));
        assert_eq!(kinds("x = +.5e-3;")[2], (NUMBER, "+.5e-3"));
    }

    #[test]
    fn numbers() {
        assert_eq!(kinds("5.")[0], (NUMBER, "5."));
        assert_eq!(kinds("5.length")[0], (NUMBER, "5"));
        assert_eq!(kinds("1e3")[0], (NUMBER, "1e3"));
        assert_eq!(kinds("1e")[0], (NUMBER, "1"));
        assert_eq!(kinds("2.5E+10")[0], (NUMBER, "2.5E+10"));
    }

    #[test]
    fn urls_after_import() {
        assert_eq!(
            kinds("import https://h/lib/v2/math as m;")[1],
            (URL, "https://h/lib/v2/math")
        );
        assert_eq!(kinds("x = a:b;")[3], (COLON, ":"));
    }

    #[test]
    fn strings_and_errors() {
        assert_eq!(
            kinds(r#"'it\'s' "a\"b""#),
            vec![(STRING, r"'it\'s'"), (STRING, r#""a\"b""#)]
        );
        let (_, errors) = tokenize("x = \"open");
        assert_eq!(errors.len(), 1);
        let (_, errors) = tokenize("a | b; c $ d; é");
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn tokenize_with_hands_over_what_tokenize_collects() {
        let text = "x = 7 // 2; // c\ns = \"open";
        let (tokens, errors) = tokenize(text);
        let mut seen = Vec::new();
        let errors_with = tokenize_with(text, |kind, start, end| seen.push((kind, start, end)));
        let mut pos = 0;
        let expected: Vec<(SyntaxKind, usize, usize)> = tokens
            .iter()
            .map(|t| {
                let start = pos;
                pos += u32::from(t.len) as usize;
                (t.kind, start, pos)
            })
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(errors_with, errors);
    }

    #[test]
    fn lone_surrogate_escapes() {
        let text = r#"x = "ok \uD83D\uDE00"; y = 'a\uD83Db' + "\uDE00";"#;
        let (tokens, errors) = tokenize(text);
        assert_eq!(tokens.iter().filter(|t| t.kind == STRING).count(), 3);
        let found: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| {
                let start = usize::from(e.range.start());
                (start, &text[start..usize::from(e.range.end())])
            })
            .collect();
        let high = text.find(r"\uD83Db").unwrap();
        let low = text.rfind(r"\uDE00").unwrap();
        assert_eq!(found, [(high, r"\uD83D"), (low, r"\uDE00")]);
        assert!(
            errors[0].message.contains("lone surrogate"),
            "{}",
            errors[0]
        );
        // The literal is well formed: the parser reports nothing more.
        let parse = crate::parse(text);
        assert_eq!(parse.errors().len(), 2, "{:?}", parse.errors());
    }
}
