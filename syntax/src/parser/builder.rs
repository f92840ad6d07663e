//! Turns parser events plus the raw token stream into a rowan green tree.
//!
//! Trivia (whitespace and comments) goes into whatever node is open when the next
//! significant token arrives, except that a node never starts with trivia: leading
//! trivia stays in the parent. So every byte of the input lands in the tree.
//!
//! The tree is built directly with `GreenNode::new`/`GreenToken::new` rather than
//! rowan's `GreenNodeBuilder`, with interning tuned to ML: tokens whose text is fixed
//! by their kind (punctuation, keywords) and the usual whitespace (` `, a line break
//! plus indentation) are found by index, other tokens by a hash of their text, and small
//! nodes (up to three children) are shared when equal (with [`NodeSharing::Small`]:
//! less memory, for trees kept long). The tree is the same; building and dropping it is
//! much cheaper.
//!
//! Trees also share with each other ([`shared`]): a language server keeps every module
//! of a workspace parsed, and most of their tokens (punctuation, keywords, indentation,
//! common names) and many small nodes are equal from one module to the next.

use super::{Event, NodeSharing, SigToken};
use crate::SyntaxKind::{self, *};
use rowan::{GreenNode, GreenToken, NodeOrToken};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

type GreenElement = NodeOrToken<GreenNode, GreenToken>;

pub(super) fn build(
    text: &str,
    tokens: &[SigToken],
    mut events: Vec<Event>,
    sharing: NodeSharing,
) -> GreenNode {
    let mut sink = Sink {
        text,
        tokens,
        next: 0,
        offset: 0,
        stack: Vec::new(),
        children: Vec::with_capacity(64),
        interner: Interner {
            // Enough slots for the distinct tokens of this text, not more: a table of
            // 4,096 slots (128 KiB, zeroed) for a module of a few hundred bytes cost
            // more than its parse.
            token_slots: (text.len() / 8)
                .next_power_of_two()
                .clamp(64, MAX_TOKEN_SLOTS),
            share_nodes: sharing == NodeSharing::Small,
            ..Interner::default()
        },
    };
    let mut parents = Vec::new();
    for i in 0..events.len() {
        // Only the Start events of forward parents are overwritten (with Tombstone), so
        // that they are not started twice; everything else is only read.
        match events[i] {
            Event::Start {
                kind,
                forward_parent,
            } => {
                parents.push(kind);
                let mut idx = i;
                let mut forward = forward_parent;
                while forward != 0 {
                    idx += forward as usize;
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
    let root = sink.children.pop();
    match root {
        Some((NodeOrToken::Node(node), _)) => node,
        _ => unreachable!("the events build exactly one root node"),
    }
}

struct Sink<'a> {
    text: &'a str,
    /// The significant tokens; the trivia between them is lexed again here.
    tokens: &'a [SigToken],
    /// The next significant token.
    next: usize,
    /// Where the next token, trivia or not, starts.
    offset: usize,
    /// Open nodes: kind and index of their first child in `children`.
    stack: Vec<(SyntaxKind, usize)>,
    /// Children of the open nodes, each with whether it is interned (so that a node
    /// made only of interned children may be interned too).
    children: Vec<(GreenElement, bool)>,
    interner: Interner<'a>,
}

impl Sink<'_> {
    fn start_node(&mut self, kind: SyntaxKind) {
        if !self.stack.is_empty() {
            self.flush_trivia();
        }
        self.stack.push((kind, self.children.len()));
    }

    fn finish_node(&mut self) {
        if self.stack.len() == 1 {
            // The root takes everything left, so the tree covers the whole input.
            while self.next < self.tokens.len() {
                let kind = self.tokens[self.next].kind();
                self.token(kind);
            }
            self.flush_trivia();
        }
        let (kind, first) = self.stack.pop().expect("finish_node without start_node");
        let node = self.interner.node(kind, &mut self.children, first);
        self.children.push(node);
    }

    fn token(&mut self, kind: SyntaxKind) {
        self.flush_trivia();
        if let Some(token) = self.tokens.get(self.next) {
            let end = usize::from(token.range().end());
            self.push(kind, end);
            self.next += 1;
        }
    }

    /// Pushes the whitespace and comment tokens before the next significant token (or
    /// the end of the text), split exactly as the lexer splits them.
    fn flush_trivia(&mut self) {
        let end = self
            .tokens
            .get(self.next)
            .map_or(self.text.len(), |t| usize::from(t.range().start()));
        let bytes = self.text.as_bytes();
        while self.offset < end {
            let rest = &bytes[self.offset..end];
            let (kind, len) = if rest.starts_with(b"//") {
                let len = rest
                    .iter()
                    .position(|&c| matches!(c, b'\n' | b'\r'))
                    .unwrap_or(rest.len());
                (COMMENT, len)
            } else if self.offset == 0 && rest.starts_with("\u{FEFF}".as_bytes()) {
                (WHITESPACE, 3)
            } else {
                let len = rest
                    .iter()
                    .position(|&c| !crate::lexer::is_whitespace(c))
                    .unwrap_or(rest.len());
                debug_assert!(len > 0, "not trivia between tokens at {}", self.offset);
                // Never loop forever, whatever is here: keep the rest of the gap.
                (WHITESPACE, if len == 0 { rest.len() } else { len })
            };
            self.push(kind, self.offset + len);
        }
    }

    fn push(&mut self, kind: SyntaxKind, end: usize) {
        let text = &self.text[self.offset..end];
        let token = self.interner.token(kind, text);
        self.children.push((NodeOrToken::Token(token), true));
        self.offset = end;
    }
}

/// Shares equal tokens and small nodes within one tree.
#[derive(Default)]
struct Interner<'a> {
    /// Tokens whose text is fixed by their kind, by kind.
    fixed: Vec<Option<GreenToken>>,
    /// Whitespace: a single space, and a line break followed by `n` spaces at `n + 1`.
    spaces: Vec<Option<GreenToken>>,
    /// Recently seen tokens of other kinds, by a hash of kind and text: a hit costs a
    /// hash and a comparison. Misses go to `tokens`.
    recent_tokens: Vec<Option<(SyntaxKind, &'a str, GreenToken)>>,
    /// How many slots `recent_tokens` has (a power of two).
    token_slots: usize,
    /// Every other token, by kind and text.
    tokens: HashMap<(SyntaxKind, &'a str), GreenToken, BuildHasherDefault<FxHasher>>,
    /// Nodes of up to three interned children, by kind and children's identities.
    nodes: HashMap<NodeKey, GreenNode, BuildHasherDefault<FxHasher>>,
    /// Whether small nodes are shared at all (else `nodes` stays empty).
    share_nodes: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct NodeKey {
    kind: SyntaxKind,
    children: [usize; 3],
}

/// Most slots of the direct-mapped token cache (a power of two).
const MAX_TOKEN_SLOTS: usize = 1 << 12;

/// Longest indentation whose whitespace token is found by index.
const MAX_INDENT: usize = 64;

impl<'a> Interner<'a> {
    fn token(&mut self, kind: SyntaxKind, text: &'a str) -> GreenToken {
        if has_fixed_text(kind) {
            if self.fixed.is_empty() {
                self.fixed = vec![None; SyntaxKind::__LAST as usize];
            }
            // The lexer and the parser give these kinds only to their one spelling (the
            // parser makes `IF_KW` only of the word `if`), so the length tells enough.
            let slot = &mut self.fixed[kind as usize];
            match slot {
                Some(token) if token.text().len() == text.len() => {
                    debug_assert_eq!(token.text(), text);
                    return token.clone();
                }
                Some(_) => {} // a keyword kind given other text: intern it by text
                None => {
                    let token = shared::token(kind, text, token_hash(kind, text));
                    *slot = Some(token.clone());
                    return token;
                }
            }
        } else if kind == WHITESPACE {
            if let Some(index) = space_index(text) {
                if self.spaces.is_empty() {
                    self.spaces = vec![None; MAX_INDENT + 2];
                }
                return self.spaces[index]
                    .get_or_insert_with(|| shared::token(kind, text, token_hash(kind, text)))
                    .clone();
            }
        }
        if self.recent_tokens.is_empty() {
            self.recent_tokens = vec![None; self.token_slots.max(1)];
        }
        let hash = token_hash(kind, text);
        let mask = self.recent_tokens.len() - 1;
        let slot = &mut self.recent_tokens[(hash >> 40) as usize & mask];
        if let Some((k, t, token)) = slot {
            if *k == kind && *t == text {
                return token.clone();
            }
        }
        let token = self
            .tokens
            .entry((kind, text))
            .or_insert_with(|| shared::token(kind, text, hash))
            .clone();
        *slot = Some((kind, text, token.clone()));
        token
    }

    /// Makes a node of `children[first..]`, replacing them.
    fn node(
        &mut self,
        kind: SyntaxKind,
        children: &mut Vec<(GreenElement, bool)>,
        first: usize,
    ) -> (GreenElement, bool) {
        let own = &children[first..];
        let make = |children: &mut Vec<(GreenElement, bool)>| {
            GreenNode::new(kind.into(), children.drain(first..).map(|(child, _)| child))
        };
        if !self.share_nodes || own.len() > 3 || own.iter().any(|(_, interned)| !interned) {
            return (NodeOrToken::Node(make(children)), false);
        }
        let mut key = NodeKey {
            kind,
            children: [0; 3],
        };
        for (slot, (child, _)) in key.children.iter_mut().zip(own) {
            *slot = match child {
                NodeOrToken::Node(node) => &**node as *const _ as usize,
                NodeOrToken::Token(token) => &**token as *const _ as usize,
            };
        }
        if let Some(node) = self.nodes.get(&key) {
            let node = node.clone();
            children.truncate(first);
            return (NodeOrToken::Node(node), true);
        }
        let count = own.len();
        let node = shared::node(&key, count, || make(children));
        children.truncate(first);
        self.nodes.insert(key, node.clone());
        (NodeOrToken::Node(node), true)
    }
}

fn token_hash(kind: SyntaxKind, text: &str) -> u64 {
    let mut h = FxHasher::default();
    h.add(kind as u64);
    h.write(text.as_bytes());
    h.hash
}

/// Tokens and small nodes shared by the trees a thread builds (see the module's
/// documentation). One set of tables per thread (the parsing threads of a process are
/// few: rayon's and the language server's), so no lock. The tables are direct-mapped: a
/// new entry replaces the slot's old one, so they hold a bounded number of entries
/// (about 150 KiB per thread), whatever is parsed — a cache, not an interner that grows.
/// A tree's own interner asks here only on its misses (the first occurrence of a token
/// or small node in the tree).
mod shared {
    use super::{FxHasher, NodeKey};
    use crate::SyntaxKind;
    use rowan::{GreenNode, GreenToken};
    use std::cell::RefCell;

    /// Slots for tokens and for nodes (powers of two).
    const TOKEN_SLOTS: usize = 1 << 12;
    const NODE_SLOTS: usize = 1 << 13;
    /// Longer tokens (strings, comments) are seldom repeated: not kept.
    const MAX_SHARED_TEXT: usize = 32;

    /// Each slot keeps what identifies its entry next to it (the token's hash, the node's
    /// key), so that a probe reads only the table: comparing with the entry itself read a
    /// tree node elsewhere in memory, a cache miss for most probes. A node's key stays
    /// valid while the slot holds the node, since the node holds its children.
    #[derive(Default)]
    struct Tables {
        tokens: Vec<Option<(u64, GreenToken)>>,
        nodes: Vec<Option<(NodeKey, GreenNode)>>,
    }

    thread_local! {
        static TABLES: RefCell<Tables> = RefCell::new(Tables::default());
    }

    /// The token of `kind` and `text`, shared when it is in the table.
    pub(super) fn token(kind: SyntaxKind, text: &str, hash: u64) -> GreenToken {
        if text.len() > MAX_SHARED_TEXT {
            return GreenToken::new(kind.into(), text);
        }
        TABLES.with(|tables| {
            let Ok(mut tables) = tables.try_borrow_mut() else {
                return GreenToken::new(kind.into(), text);
            };
            if tables.tokens.is_empty() {
                tables.tokens = vec![None; TOKEN_SLOTS];
            }
            let slot = &mut tables.tokens[(hash >> 20) as usize & (TOKEN_SLOTS - 1)];
            if let Some((slot_hash, token)) = slot {
                if *slot_hash == hash && token.kind() == kind.into() && token.text() == text {
                    return token.clone();
                }
            }
            let token = GreenToken::new(kind.into(), text);
            *slot = Some((hash, token.clone()));
            token
        })
    }

    /// The node of `key` (its first `count` children), shared when it is in the table;
    /// else `make`s it.
    pub(super) fn node(key: &NodeKey, count: usize, make: impl FnOnce() -> GreenNode) -> GreenNode {
        let mut h = FxHasher::default();
        h.add(key.kind as u64);
        for &child in &key.children {
            h.add(child as u64);
        }
        TABLES.with(|tables| {
            let Ok(mut tables) = tables.try_borrow_mut() else {
                return make();
            };
            if tables.nodes.is_empty() {
                tables.nodes = vec![None; NODE_SLOTS];
            }
            let slot = &mut tables.nodes[(h.hash >> 20) as usize & (NODE_SLOTS - 1)];
            if let Some((slot_key, node)) = slot {
                if slot_key == key {
                    debug_assert_eq!(node.children().len(), count);
                    return node.clone();
                }
            }
            let node = make();
            *slot = Some((*key, node.clone()));
            node
        })
    }
}

/// Kinds whose tokens always have the same text: punctuation, operators, keywords.
fn has_fixed_text(kind: SyntaxKind) -> bool {
    (L_CURLY as u16..=ALLOW_KW as u16).contains(&(kind as u16))
}

/// `" "` → 0, `"\n"` followed by `n` spaces → `n + 1` (for `n` up to `MAX_INDENT`).
fn space_index(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes {
        [b' '] => Some(0),
        [b'\n', rest @ ..] if rest.len() <= MAX_INDENT && rest.iter().all(|&b| b == b' ') => {
            Some(rest.len() + 1)
        }
        _ => None,
    }
}

/// The multiply-rotate hash of rustc (`FxHasher`): fast on short keys such as token
/// texts and pointers, and not meant to resist crafted collisions.
#[derive(Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Byte by byte: copying the rest into a zeroed word called `memcpy`, which
            // cost more than hashing a short name.
            let word = rest
                .iter()
                .rev()
                .fold(0u64, |word, &b| (word << 8) | u64::from(b));
            self.add(word);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}
