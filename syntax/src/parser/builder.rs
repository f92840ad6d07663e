//! Turns parser events plus the raw token stream into a rowan green tree.
//!
//! Trivia (whitespace and comments) goes into whatever node is open when the next
//! significant token arrives, except that a node never starts with trivia: leading
//! trivia stays in the parent. So every byte of the input lands in the tree.

use super::Event;
use crate::lexer::Token;
use crate::SyntaxKind;
use rowan::{GreenNode, GreenNodeBuilder, TextRange, TextSize};

pub(super) fn build(text: &str, tokens: &[Token], mut events: Vec<Event>) -> GreenNode {
    let mut sink = Sink {
        text,
        tokens,
        next: 0,
        offset: TextSize::from(0),
        depth: 0,
        builder: GreenNodeBuilder::new(),
    };
    let mut parents = Vec::new();
    for i in 0..events.len() {
        match std::mem::replace(&mut events[i], Event::Tombstone) {
            Event::Start {
                kind,
                forward_parent,
            } => {
                parents.push(kind);
                let mut idx = i;
                let mut forward = forward_parent;
                while let Some(delta) = forward {
                    idx += delta as usize;
                    forward = match std::mem::replace(&mut events[idx], Event::Tombstone) {
                        Event::Start {
                            kind,
                            forward_parent,
                        } => {
                            parents.push(kind);
                            forward_parent
                        }
                        _ => unreachable!("forward parent is not a Start event"),
                    };
                }
                for kind in parents.drain(..).rev() {
                    sink.start_node(kind);
                }
            }
            Event::Finish => sink.finish_node(),
            Event::Token { kind } => sink.token(kind),
            Event::Tombstone => {}
        }
    }
    sink.builder.finish()
}

struct Sink<'a> {
    text: &'a str,
    tokens: &'a [Token],
    next: usize,
    offset: TextSize,
    depth: usize,
    builder: GreenNodeBuilder<'static>,
}

impl Sink<'_> {
    fn start_node(&mut self, kind: SyntaxKind) {
        if self.depth > 0 {
            self.flush_trivia();
        }
        self.depth += 1;
        self.builder.start_node(kind.into());
    }

    fn finish_node(&mut self) {
        if self.depth == 1 {
            // The root takes everything left, so the tree covers the whole input.
            while self.next < self.tokens.len() {
                let kind = self.tokens[self.next].kind;
                self.push_raw(kind);
            }
        }
        self.depth -= 1;
        self.builder.finish_node();
    }

    fn token(&mut self, kind: SyntaxKind) {
        self.flush_trivia();
        if self.next < self.tokens.len() {
            self.push_raw(kind);
        }
    }

    fn flush_trivia(&mut self) {
        while let Some(token) = self.tokens.get(self.next) {
            if !token.kind.is_trivia() {
                break;
            }
            self.push_raw(token.kind);
        }
    }

    fn push_raw(&mut self, kind: SyntaxKind) {
        let token = self.tokens[self.next];
        let range = TextRange::at(self.offset, token.len);
        self.builder.token(kind.into(), &self.text[range]);
        self.offset += token.len;
        self.next += 1;
    }
}
