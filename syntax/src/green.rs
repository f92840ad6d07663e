//! Fast read-only walks over the green tree.
//!
//! The typed AST and `SyntaxNode` allocate a cursor for every node they visit; analyses
//! that visit every node of every module (name resolution of a whole program) walk the
//! immutable green tree instead, computing offsets as they go.

use crate::{MlLanguage, SyntaxKind, TextRange, TextSize};
use rowan::{GreenNodeData, GreenTokenData, Language, NodeOrToken};

/// A child of a green node, with its kind and absolute range.
#[derive(Clone, Copy)]
pub enum GreenChild<'a> {
    Node {
        kind: SyntaxKind,
        range: TextRange,
        node: &'a GreenNodeData,
    },
    Token {
        kind: SyntaxKind,
        range: TextRange,
        text: &'a str,
    },
}

impl<'a> GreenChild<'a> {
    pub fn kind(&self) -> SyntaxKind {
        match self {
            GreenChild::Node { kind, .. } | GreenChild::Token { kind, .. } => *kind,
        }
    }

    pub fn range(&self) -> TextRange {
        match self {
            GreenChild::Node { range, .. } | GreenChild::Token { range, .. } => *range,
        }
    }
}

fn kind_of(raw: rowan::SyntaxKind) -> SyntaxKind {
    MlLanguage::kind_from_raw(raw)
}

/// The kind of a green node.
pub fn node_kind(node: &GreenNodeData) -> SyntaxKind {
    kind_of(node.kind())
}

/// The children of `node`, which starts at `offset`.
pub fn children(node: &GreenNodeData, offset: TextSize) -> impl Iterator<Item = GreenChild<'_>> {
    let mut at = offset;
    node.children().map(move |child| {
        let start = at;
        at += child.text_len();
        let range = TextRange::new(start, at);
        match child {
            NodeOrToken::Node(node) => GreenChild::Node {
                kind: kind_of(node.kind()),
                range,
                node,
            },
            NodeOrToken::Token(token) => GreenChild::Token {
                kind: kind_of(token.kind()),
                range,
                text: token_text(token),
            },
        }
    })
}

fn token_text(token: &GreenTokenData) -> &str {
    token.text()
}

/// The first token of kind `kind` directly inside the first child node of kind `child`
/// (the IDENT of a NAME or NAME_REF child).
pub fn child_ident(
    node: &GreenNodeData,
    offset: TextSize,
    child: SyntaxKind,
) -> Option<(&str, TextRange)> {
    children(node, offset).find_map(|c| match c {
        GreenChild::Node { kind, range, node } if kind == child => children(node, range.start())
            .find_map(|t| match t {
                GreenChild::Token {
                    kind: SyntaxKind::IDENT,
                    range,
                    text,
                } => Some((text, range)),
                _ => None,
            }),
        _ => None,
    })
}

/// A step of a [`preorder`] walk.
#[derive(Clone, Copy)]
pub enum GreenEvent<'a> {
    Enter {
        kind: SyntaxKind,
        range: TextRange,
        node: &'a GreenNodeData,
    },
    Leave {
        kind: SyntaxKind,
    },
}

/// Visits every node in preorder: `Enter` with its absolute range, `Leave` after its
/// subtree. Tokens are not visited; use [`children`] for those of interest.
pub fn preorder<'a>(root: &'a GreenNodeData, mut visit: impl FnMut(GreenEvent<'a>)) {
    let root_kind = node_kind(root);
    visit(GreenEvent::Enter {
        kind: root_kind,
        range: TextRange::at(0.into(), root.text_len()),
        node: root,
    });
    let mut stack: Vec<(SyntaxKind, rowan::Children<'a>, TextSize)> =
        vec![(root_kind, root.children(), 0.into())];
    while let Some((_, iter, offset)) = stack.last_mut() {
        match iter.next() {
            Some(NodeOrToken::Node(node)) => {
                let start = *offset;
                *offset += node.text_len();
                let kind = node_kind(node);
                visit(GreenEvent::Enter {
                    kind,
                    range: TextRange::at(start, node.text_len()),
                    node,
                });
                stack.push((kind, node.children(), start));
            }
            Some(NodeOrToken::Token(token)) => *offset += token.text_len(),
            None => {
                let (kind, _, _) = stack.pop().expect("non-empty");
                visit(GreenEvent::Leave { kind });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preorder_matches_the_red_tree() {
        let parse = crate::parse("x = f(1) + y.z;\nfunction g(a) { return a; }\n");
        let mut green = Vec::new();
        let mut depth = 0usize;
        preorder(parse.green(), |event| match event {
            GreenEvent::Enter { kind, range, .. } => {
                green.push((depth, kind, range));
                depth += 1;
            }
            GreenEvent::Leave { .. } => depth -= 1,
        });
        let red: Vec<_> = parse
            .syntax_node()
            .preorder()
            .filter_map(|e| match e {
                rowan::WalkEvent::Enter(n) => {
                    Some((n.ancestors().count() - 1, n.kind(), n.text_range()))
                }
                rowan::WalkEvent::Leave(_) => None,
            })
            .collect();
        assert_eq!(green, red);
        assert_eq!(depth, 0);
    }

    #[test]
    fn idents_of_children() {
        let parse = crate::parse("function g(a) {}");
        let function = children(parse.green(), 0.into()).next().unwrap();
        let GreenChild::Node { node, range, .. } = function else {
            panic!()
        };
        assert_eq!(
            child_ident(node, range.start(), SyntaxKind::NAME),
            Some(("g", TextRange::new(9.into(), 10.into())))
        );
    }
}
