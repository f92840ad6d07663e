//! `textDocument/semanticTokens/full/delta`: the last tokens sent for each document, under
//! a result id, so that the next request can be answered with the edit from them to the
//! new ones (one edit: the tokens between the unchanged start and the unchanged end).
//! Typing changes a few tokens of a long file; the client gets those, not the file.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokens, SemanticTokensDelta, SemanticTokensEdit,
    SemanticTokensFullDeltaResult, Uri,
};

/// The integers of one token in LSP's flat array.
const TOKEN_INTS: u32 = 5;

#[derive(Default)]
pub struct TokenResults {
    next_id: AtomicU64,
    /// Per document: the id of the last result and its tokens.
    last: Mutex<HashMap<Uri, (String, Vec<SemanticToken>)>>,
}

impl TokenResults {
    /// Remembers `tokens` as the latest result for `uri`, with a new id.
    pub fn full(&self, uri: &Uri, mut tokens: SemanticTokens) -> SemanticTokens {
        let id = self.remember(uri, tokens.data.clone());
        tokens.result_id = Some(id);
        tokens
    }

    /// The change from the result `previous` to `tokens`; all of `tokens` when the
    /// previous result is not the one remembered (another document, an older request).
    pub fn delta(
        &self,
        uri: &Uri,
        previous: &str,
        tokens: SemanticTokens,
    ) -> SemanticTokensFullDeltaResult {
        let old = {
            let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            match last.get(uri) {
                Some((id, data)) if id == previous => Some(data.clone()),
                _ => None,
            }
        };
        let Some(old) = old else {
            return SemanticTokensFullDeltaResult::Tokens(self.full(uri, tokens));
        };
        let edits = diff(&old, &tokens.data);
        let id = self.remember(uri, tokens.data);
        SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
            result_id: Some(id),
            edits,
        })
    }

    /// Forgets a closed document.
    pub fn forget(&self, uri: &Uri) {
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(uri);
    }

    fn remember(&self, uri: &Uri, data: Vec<SemanticToken>) -> String {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(uri.clone(), (id.clone(), data));
        id
    }
}

/// The one edit that turns `old` into `new` (none when they are equal): the tokens after
/// the common start and before the common end are replaced. Positions are relative to
/// the previous token, so an edit in the middle leaves the start and the end as they are.
pub fn diff(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let old_rest = &old[prefix..];
    let new_rest = &new[prefix..];
    let suffix = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let deleted = old_rest.len() - suffix;
    let inserted = &new_rest[..new_rest.len() - suffix];
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: prefix as u32 * TOKEN_INTS,
        delete_count: deleted as u32 * TOKEN_INTS,
        data: Some(inserted.to_vec()),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(delta_line: u32, length: u32) -> SemanticToken {
        SemanticToken {
            delta_line,
            delta_start: 0,
            length,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    /// Applies edits to the flat integer array, as a client does.
    fn apply(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<SemanticToken> {
        let mut out = old.to_vec();
        for edit in edits.iter().rev() {
            let start = (edit.start / TOKEN_INTS) as usize;
            let end = start + (edit.delete_count / TOKEN_INTS) as usize;
            out.splice(start..end, edit.data.clone().unwrap_or_default());
        }
        out
    }

    #[test]
    fn one_edit_between_the_common_start_and_end() {
        let old = [token(0, 1), token(1, 2), token(1, 3), token(1, 4)];
        let new = [
            token(0, 1),
            token(1, 9),
            token(0, 9),
            token(1, 3),
            token(1, 4),
        ];
        let edits = diff(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 5));
        assert_eq!(edits[0].data.as_ref().unwrap().len(), 2);
        assert_eq!(apply(&old, &edits), new);
        assert!(diff(&old, &old).is_empty());
        // Deleting at the end, inserting at the start.
        assert_eq!(apply(&old, &diff(&old, &old[..2])), old[..2]);
        let longer = [vec![token(0, 7)], old.to_vec()].concat();
        assert_eq!(apply(&old, &diff(&old, &longer)), longer);
    }

    #[test]
    fn a_delta_from_an_unknown_result_is_the_whole_list() {
        let results = TokenResults::default();
        let uri: Uri = "file:///a.ml".parse().unwrap();
        let tokens = |data: Vec<SemanticToken>| SemanticTokens {
            result_id: None,
            data,
        };
        let first = results.full(&uri, tokens(vec![token(0, 1)]));
        let id = first.result_id.unwrap();
        match results.delta(&uri, &id, tokens(vec![token(0, 1), token(1, 1)])) {
            SemanticTokensFullDeltaResult::TokensDelta(d) => {
                assert_eq!(d.edits.len(), 1);
                assert_ne!(d.result_id.as_deref(), Some(id.as_str()));
            }
            other => panic!("{other:?}"),
        }
        // `id` is not the last result any more.
        match results.delta(&uri, &id, tokens(vec![token(0, 1)])) {
            SemanticTokensFullDeltaResult::Tokens(t) => assert_eq!(t.data.len(), 1),
            other => panic!("{other:?}"),
        }
    }
}
