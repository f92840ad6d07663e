//! Selection ranges: for each offset, the token there and every syntax node around it,
//! innermost first. Syntax only, so documents too large to analyse get them too.

use mlpy_syntax::{SyntaxNode, TextRange, TextSize};
use rowan::TokenAtOffset;

/// For each offset, the ranges to grow a selection through, innermost first (never empty:
/// an empty range at the offset when there is no token).
pub fn selection_ranges(root: &SyntaxNode, offsets: &[TextSize]) -> Vec<Vec<TextRange>> {
    offsets.iter().map(|&offset| around(root, offset)).collect()
}

fn around(root: &SyntaxNode, offset: TextSize) -> Vec<TextRange> {
    let offset = offset.min(root.text_range().end());
    let token = match root.token_at_offset(offset) {
        TokenAtOffset::None => None,
        TokenAtOffset::Single(t) => Some(t),
        // Between a word and a space, the word.
        TokenAtOffset::Between(l, r) => Some(match r.kind().is_trivia() && !l.kind().is_trivia() {
            true => l,
            false => r,
        }),
    };
    let Some(token) = token else {
        return vec![TextRange::empty(offset)];
    };
    let mut ranges: Vec<TextRange> = Vec::new();
    if !token.kind().is_trivia() {
        ranges.push(token.text_range());
    }
    for node in token.parent_ancestors() {
        let r = node.text_range();
        if ranges.last() != Some(&r) {
            ranges.push(r);
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_the_name_out_to_the_file() {
        let text = "function f(a) {\n  return a + 1;\n}\n";
        let root = mlpy_syntax::parse(text).syntax_node();
        let at = TextSize::from(text.find("a +").unwrap() as u32 + 1);
        let ranges = &selection_ranges(&root, &[at])[0];
        let shown: Vec<&str> = ranges.iter().map(|r| &text[*r]).collect();
        assert_eq!(shown[0], "a");
        assert!(shown.contains(&"a + 1"), "{shown:?}");
        assert!(shown.contains(&"return a + 1;"), "{shown:?}");
        assert_eq!(*shown.last().unwrap(), text);
        // Each range holds the one before.
        assert!(ranges.windows(2).all(|w| w[1].contains_range(w[0])));
    }

    #[test]
    fn past_the_end_and_in_an_empty_file() {
        let root = mlpy_syntax::parse("").syntax_node();
        let found = selection_ranges(&root, &[TextSize::from(0)]);
        assert_eq!(found, [vec![TextRange::empty(0.into())]]);
        let root = mlpy_syntax::parse("x = 1;").syntax_node();
        let found = selection_ranges(&root, &[TextSize::from(3)]);
        assert_eq!(found[0][0], TextRange::new(2.into(), 3.into()));
    }
}
