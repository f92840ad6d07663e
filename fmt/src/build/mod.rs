//! From the lossless tree to the document IR: walks the green tree node by node and
//! hands every token, in order, to `token`, which places the comments around it.
//!
//! Tokens are consumed from the entry list (`tokens::collect`) with a cursor that must
//! match the tree at every step, so a token the layout code forgot, or took twice,
//! stops the formatting instead of losing text. Comments are placed by where they sit:
//! one on the line of the token before it stays there (a *trailing* comment), any other
//! goes on a line of its own before the next token (a *leading* comment); both keep
//! the same tokens before and after them, which is what keeps `//` a comment.

mod expressions;
mod lists;
mod statements;

use crate::ir::{Ir, Range};
use crate::printer::width_of;
use crate::tokens::{kind_of, Entry};
use mlpy_syntax::{GreenNodeData, SyntaxKind, SyntaxKind::*};
use rowan::NodeOrToken;

/// A node of the green tree.
#[derive(Clone, Copy)]
pub(crate) struct Node<'g>(pub &'g GreenNodeData);

/// A child of a node that matters to the layout: a node, or a token other than trivia.
#[derive(Clone, Copy)]
pub(crate) enum Child<'g> {
    Node(Node<'g>),
    Token(SyntaxKind),
}

impl<'g> Node<'g> {
    pub(crate) fn kind(self) -> SyntaxKind {
        kind_of(self.0.kind())
    }

    pub(crate) fn children(self) -> impl Iterator<Item = Child<'g>> {
        self.0.children().filter_map(|child| match child {
            NodeOrToken::Node(node) => Some(Child::Node(Node(node))),
            NodeOrToken::Token(token) => {
                let kind = kind_of(token.kind());
                (!kind.is_trivia()).then_some(Child::Token(kind))
            }
        })
    }

    pub(crate) fn nodes(self) -> impl Iterator<Item = Node<'g>> {
        self.0
            .children()
            .filter_map(|child| child.into_node().map(Node))
    }

    pub(crate) fn first_node(self) -> Option<Node<'g>> {
        self.nodes().next()
    }
}

/// A short list of nodes (the links of a chain) on the stack, moved to the heap only when
/// long: chains are everywhere, and most are short.
pub(crate) struct Links<'g> {
    inline: [Node<'g>; 8],
    len: usize,
    heap: Vec<Node<'g>>,
}

impl<'g> Links<'g> {
    pub(crate) fn new(first: Node<'g>) -> Links<'g> {
        Links {
            inline: [first; 8],
            len: 1,
            heap: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, node: Node<'g>) {
        if self.heap.is_empty() && self.len < self.inline.len() {
            self.inline[self.len] = node;
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(node);
        }
        self.len += 1;
    }

    pub(crate) fn as_slice(&self) -> &[Node<'g>] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }

    pub(crate) fn last(&self) -> Node<'g> {
        self.as_slice()[self.len - 1]
    }
}

/// Keywords are words: the tree remaps contextual keywords (and `fn`, `true`, `false`
/// after `.` back to names), the lexer, whose tokens the entries are, does not.
pub(crate) fn word_kind(kind: SyntaxKind) -> SyntaxKind {
    if kind.is_keyword() {
        IDENT
    } else {
        kind
    }
}

/// Statement keywords: after a line break, such a word starts a statement, so an
/// expression starting with a variable of that name must not start a line.
const STATEMENT_WORDS: &[&str] = &[
    "function",
    "if",
    "while",
    "for",
    "return",
    "throw",
    "try",
    "break",
    "continue",
    "nonlocal",
    "import",
    "capability",
];

/// How deeply the builder recurses before it gives up (a file nested deeper than any
/// program is written is refused, not formatted on an overflowing stack).
const MAX_DEPTH: u32 = 600;

pub(crate) struct Builder<'a> {
    src: &'a str,
    /// The entries of the top-level statement being built (`tokens::Chunks`).
    pub entries: Vec<Entry>,
    /// The next entry to emit.
    pub cursor: usize,
    pub ir: Ir,
    /// Only an opening bracket (or the start of the file) came before: no empty line.
    after_open: bool,
    /// The last significant token emitted.
    last: Option<Entry>,
    /// Entries (indices) of variables named like a statement keyword: no line break may
    /// come before them (`verify` checks it).
    pub risky: Vec<u32>,
    depth: u32,
    /// The cursor just after an operator chain ending in `// b`: a line break right there
    /// would make the parser warn that `//` divides (it takes a line ending after a floor
    /// division, without an operator on the next line, for a misplaced comment).
    floor_division_end: Option<usize>,
    /// Expressions entered and not left since the innermost statement began: a line
    /// break a comment forces there continues the expression, indented one level more.
    expr_depth: u32,
    /// The last thing emitted is a comment that ended a line inside an expression (the
    /// next line indented as a continuation): a closing bracket, `,` or `;` right after
    /// it goes back to its own level instead.
    continued: bool,
    /// The file is nested deeper than `MAX_DEPTH`.
    /// Where the nesting went too deep (the offset of the token reached), if it did.
    pub too_deep: Option<u32>,
    /// Set when the layout code and the tree disagree; the result is then refused.
    pub error: Option<String>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(src: &'a str) -> Builder<'a> {
        Builder {
            src,
            entries: Vec::new(),
            cursor: 0,
            ir: Ir::default(),
            after_open: true,
            last: None,
            risky: Vec::new(),
            depth: 0,
            floor_division_end: None,
            expr_depth: 0,
            continued: false,
            too_deep: None,
            error: None,
        }
    }

    fn fail(&mut self, message: impl FnOnce() -> String) {
        if self.error.is_none() {
            self.error = Some(message());
        }
    }

    /// Enters one level of nesting; false (and an error) when too deep.
    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if self.too_deep.is_none() {
                self.too_deep = Some(self.entries.get(self.cursor).map_or(0, |e| e.start));
            }
            self.fail(|| format!("nested more than {MAX_DEPTH} levels deep"));
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Starts the next top-level element, whose entries are in `entries`.
    pub(crate) fn start_chunk(&mut self) {
        self.cursor = 0;
        self.ir.clear();
        self.risky.clear();
        self.floor_division_end = None;
    }

    /// A top-level element of the file: a statement.
    pub(crate) fn top_level(&mut self, child: Child<'_>) {
        match child {
            Child::Node(node) => self.stmt(node),
            Child::Token(kind) => {
                self.begin_statement();
                self.token(kind);
            }
        }
    }

    /// The comments after the last statement, then the end of the file.
    pub(crate) fn end_of_file(&mut self) {
        self.leading_comments();
        match self.entries.get(self.cursor) {
            Some(entry) if entry.kind == EOF => self.cursor += 1,
            _ => self.fail(|| "the end of the file was not reached".to_string()),
        }
    }

    // ---- tokens and comments ----

    /// The next significant token, past any comments.
    fn peek(&self) -> Option<&Entry> {
        self.entries[self.cursor.min(self.entries.len())..]
            .iter()
            .find(|e| e.kind != COMMENT)
    }

    fn peek_kind(&self) -> SyntaxKind {
        self.peek().map_or(EOF, |e| e.kind)
    }

    /// The next token is a variable named like a statement keyword.
    fn next_is_risky(&self) -> bool {
        self.peek()
            .is_some_and(|e| e.kind == IDENT && STATEMENT_WORDS.contains(&e.text(self.src)))
    }

    /// A line break that is a space when flat, unless a risky word follows.
    fn line_unless_risky(&mut self) {
        if self.next_is_risky() {
            self.ir.space();
        } else {
            self.ir.line();
        }
    }

    /// A line break that is nothing when flat, unless a risky word follows.
    fn soft_line_unless_risky(&mut self) {
        if !self.next_is_risky() {
            self.ir.soft_line();
        }
    }

    /// Whether the next entry is a comment.
    fn at_comment(&self) -> bool {
        self.entries
            .get(self.cursor)
            .is_some_and(|e| e.kind == COMMENT)
    }

    /// Whether a comment follows the next token on its line.
    fn comment_after_next_token(&self) -> bool {
        let next = self.entries[self.cursor.min(self.entries.len())..]
            .iter()
            .position(|e| e.kind != COMMENT)
            .map(|i| self.cursor + i);
        next.and_then(|i| self.entries.get(i + 1))
            .is_some_and(|e| e.kind == COMMENT && e.newlines == 0)
    }

    /// The line break before a closing bracket, unless a floor division ends right
    /// before it (see `floor_division_end`).
    fn closing_soft_line(&mut self) {
        if !self.after_floor_division() {
            self.ir.soft_line();
        }
    }

    fn after_floor_division(&self) -> bool {
        self.floor_division_end == Some(self.cursor)
    }

    /// Emits the next token, which the tree says is `kind`, with its comments.
    pub(crate) fn token(&mut self, kind: SyntaxKind) {
        self.token_alone(kind);
        self.trailing_comment();
    }

    /// [`Self::token`] without the comment that may follow it on its line: for a token
    /// that closes a group, whose comment goes after the group (so that the comment's
    /// line break does not break the group open).
    pub(crate) fn token_alone(&mut self, kind: SyntaxKind) {
        if self.at_comment() {
            self.leading_comments();
        }
        let Some(&entry) = self.entries.get(self.cursor) else {
            self.fail(|| format!("no token left for {kind:?}"));
            return;
        };
        if word_kind(entry.kind) != word_kind(kind) {
            self.fail(|| {
                format!(
                    "the layout expected {kind:?} at offset {}, the tree has {:?}",
                    entry.start, entry.kind
                )
            });
            return;
        }
        if self.continued && matches!(kind, R_PAREN | R_BRACK | R_CURLY | COMMA | SEMICOLON) {
            self.ir.hard_line();
        }
        self.continued = false;
        self.cursor += 1;
        self.emit_text(entry);
        self.after_open = matches!(kind, L_CURLY | L_PAREN | L_BRACK);
        self.last = Some(entry);
    }

    /// Starts a statement on a line of its own (after its comments), before any group of
    /// it opens: an empty line before it where the source had one.
    fn begin_statement(&mut self) {
        self.leading_comments();
        let newlines = self.entries.get(self.cursor).map_or(0, |e| e.newlines);
        self.statement_break(newlines);
    }

    /// The line break before a statement: an empty line too where the source had one.
    fn statement_break(&mut self, newlines: u8) {
        if newlines >= 2 && !self.after_open {
            self.ir.empty_line();
        } else {
            self.ir.hard_line();
        }
    }

    /// Emits the comments before the next token, each on a line of its own. Returns
    /// whether there were any.
    fn leading_comments(&mut self) -> bool {
        let mut any = false;
        while let Some(&comment) = self.entries.get(self.cursor) {
            if comment.kind != COMMENT {
                break;
            }
            self.cursor += 1;
            any = true;
            self.statement_break(comment.newlines);
            self.emit_text(comment);
            self.after_open = false;
            self.ir.hard_line();
            self.continued = false;
        }
        any
    }

    /// A comment on the line of the token just emitted stays there. Inside an
    /// expression the line it ends is continued: the next line is indented one level
    /// more (`x = - // c` then `    a;`), unless a line break of the layout comes first
    /// (a broken list's next item) or a closing bracket follows (see `continued`).
    pub(crate) fn trailing_comment(&mut self) {
        if let Some(&comment) = self.entries.get(self.cursor) {
            if comment.kind == COMMENT && comment.newlines == 0 {
                self.cursor += 1;
                self.ir.space();
                self.emit_text(comment);
                if self.expr_depth > 0 {
                    self.ir.indent_start();
                    self.ir.hard_line();
                    self.ir.indent_end();
                    self.continued = true;
                } else {
                    self.ir.hard_line();
                }
            }
        }
    }

    fn emit_text(&mut self, entry: Entry) {
        let text = entry.text(self.src);
        if entry.kind == STRING && text.contains(['\n', '\r']) {
            let first = text.split(['\n', '\r']).next().unwrap_or("");
            self.ir.multi_text(entry.start, entry.len, width_of(first));
        } else {
            self.ir.text(entry.start, entry.len, width_of(text));
        }
    }

    // ---- generic layouts ----

    /// Every token of `node`, without spaces (names, literals, dotted paths).
    fn tight(&mut self, node: Node<'_>) {
        for child in node.children() {
            match child {
                Child::Token(kind) => self.token(kind),
                Child::Node(inner) => self.tight(inner),
            }
        }
    }

    /// Every token of `node`, separated by spaces: for shapes the layout does not know
    /// (never in a tree without errors, which is all the formatter is given).
    fn fallback(&mut self, node: Node<'_>) {
        let mut first = true;
        self.fallback_inner(node, &mut first);
    }

    fn fallback_inner(&mut self, node: Node<'_>, first: &mut bool) {
        for child in node.children() {
            match child {
                Child::Token(kind) => {
                    if !std::mem::take(first) {
                        self.ir.space();
                    }
                    self.token(kind);
                }
                Child::Node(inner) => self.fallback_inner(inner, first),
            }
        }
    }

    /// An unexpected child, after a space.
    fn other(&mut self, child: Child<'_>) {
        self.ir.space();
        match child {
            Child::Token(kind) => self.token(kind),
            Child::Node(node) => self.fallback(node),
        }
    }

    /// Starts a part built out of line.
    fn range_start(&self) -> (u32, u64) {
        (self.ir.len(), self.ir.hard_breaks())
    }

    fn range_end(&self, (start, hard): (u32, u64)) -> Range {
        Range {
            start,
            end: self.ir.len(),
            hard: self.ir.hard_breaks() != hard,
        }
    }
}
