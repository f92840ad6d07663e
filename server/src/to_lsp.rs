//! From the IDE layer's plain data (`mlpy_analysis::ide`: byte ranges, paths, kinds of its
//! own) to LSP types: UTF-16 positions with each file's line index, URIs, the
//! semantic-token legend, workspace edits.

use crate::convert::Lines;
use crate::world::{is_module_file, World};
use mlpy_analysis::ide::{
    self, CompletionKind, FileEdit, FileOperation, FileRange, FoldKind, SymbolKind, TokenKind,
};
use mlpy_syntax::{LineCol, TextRange, TextSize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::{Location, Range, Uri};

/// The document a request is about: its URI, and the path and text the IDE layer saw.
pub struct Doc<'a> {
    pub uri: &'a Uri,
    pub path: &'a Path,
    pub text: &'a Arc<str>,
}

/// The text of a file a result names: the editor's text when open, else the disk's (a
/// file that does not exist yet, one being created, is empty).
fn text_of(world: &World, path: &Path) -> Arc<str> {
    if is_module_file(path) {
        if let Some(file) = world.load(path) {
            return file.text.clone();
        }
    }
    std::fs::read_to_string(path)
        .map(Arc::from)
        .unwrap_or_else(|_| Arc::from(""))
}

/// The URIs and texts of the files a result names, each loaded once.
pub struct Texts {
    files: HashMap<PathBuf, (Uri, Arc<str>)>,
}

impl Texts {
    pub fn new<'p>(world: &World, doc: &Doc, paths: impl IntoIterator<Item = &'p Path>) -> Texts {
        let mut files = HashMap::new();
        files.insert(doc.path.to_path_buf(), (doc.uri.clone(), doc.text.clone()));
        Texts::with(world, files, paths)
    }

    /// The files of a result that is about no document in particular (a file move).
    pub fn of<'p>(world: &World, paths: impl IntoIterator<Item = &'p Path>) -> Texts {
        Texts::with(world, HashMap::new(), paths)
    }

    fn with<'p>(
        world: &World,
        mut files: HashMap<PathBuf, (Uri, Arc<str>)>,
        paths: impl IntoIterator<Item = &'p Path>,
    ) -> Texts {
        for path in paths {
            if files.contains_key(path) {
                continue;
            }
            if let Some(uri) = world.uri_of(path) {
                files.insert(path.to_path_buf(), (uri, text_of(world, path)));
            }
        }
        Texts { files }
    }

    /// Their line indexes (one per file).
    pub fn lines(&self) -> Places<'_> {
        Places {
            files: self
                .files
                .iter()
                .map(|(path, (uri, text))| (path.as_path(), (uri, Lines::new(text))))
                .collect(),
        }
    }
}

/// Positions in the files of a result.
pub struct Places<'a> {
    files: HashMap<&'a Path, (&'a Uri, Lines<'a>)>,
}

impl Places<'_> {
    pub fn uri(&self, path: &Path) -> Option<&Uri> {
        self.files.get(path).map(|(uri, _)| *uri)
    }

    pub fn range(&self, path: &Path, range: TextRange) -> Option<Range> {
        self.files.get(path).map(|(_, lines)| lines.range(range))
    }

    pub fn location(&self, place: &FileRange) -> Option<Location> {
        let (uri, lines) = self.files.get(place.path.as_path())?;
        Some(Location::new((*uri).clone(), lines.range(place.range)))
    }
}

pub fn locations(world: &World, doc: &Doc, places: &[FileRange]) -> Vec<Location> {
    let texts = Texts::new(world, doc, places.iter().map(|p| p.path.as_path()));
    let lines = texts.lines();
    places.iter().filter_map(|p| lines.location(p)).collect()
}

/// Text edits by file, as a workspace edit's `changes`.
pub fn changes(world: &World, doc: &Doc, edits: &[FileEdit]) -> lsp::WorkspaceEdit {
    let texts = Texts::new(world, doc, edits.iter().map(|e| e.path.as_path()));
    changes_in(&texts, edits)
}

/// [`changes`] of files only (no document the request is about).
pub fn file_changes(world: &World, edits: &[FileEdit]) -> lsp::WorkspaceEdit {
    let texts = Texts::of(world, edits.iter().map(|e| e.path.as_path()));
    changes_in(&texts, edits)
}

fn changes_in(texts: &Texts, edits: &[FileEdit]) -> lsp::WorkspaceEdit {
    let places = texts.lines();
    let mut out: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for file in edits {
        let Some(uri) = places.uri(&file.path) else {
            continue;
        };
        let list = out.entry(uri.clone()).or_default();
        for (range, text) in &file.edits {
            if let Some(range) = places.range(&file.path, *range) {
                list.push(lsp::TextEdit::new(range, text.clone()));
            }
        }
    }
    lsp::WorkspaceEdit::new(out)
}

/// A change of the workspace: plain `changes` when it only edits files, else
/// `documentChanges` with the file operations in order.
pub fn workspace_edit(
    world: &World,
    doc: &Doc,
    operations: &[FileOperation],
) -> lsp::WorkspaceEdit {
    let creates = operations
        .iter()
        .any(|o| matches!(o, FileOperation::Create { .. }));
    if !creates {
        let edits: Vec<FileEdit> = operations
            .iter()
            .filter_map(|o| match o {
                FileOperation::Edit(edit) => Some(edit.clone()),
                FileOperation::Create { .. } => None,
            })
            .collect();
        return changes(world, doc, &edits);
    }
    let paths = operations.iter().map(|o| match o {
        FileOperation::Create { path, .. } => path.as_path(),
        FileOperation::Edit(edit) => edit.path.as_path(),
    });
    let texts = Texts::new(world, doc, paths);
    let places = texts.lines();
    let mut out = Vec::new();
    for operation in operations {
        match operation {
            FileOperation::Create {
                path,
                overwrite,
                ignore_if_exists,
            } => {
                let Some(uri) = places.uri(path) else {
                    continue;
                };
                let options = (*overwrite || *ignore_if_exists).then_some(lsp::CreateFileOptions {
                    overwrite: Some(*overwrite),
                    ignore_if_exists: Some(*ignore_if_exists),
                });
                out.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(
                    lsp::CreateFile {
                        uri: uri.clone(),
                        options,
                        annotation_id: None,
                    },
                )));
            }
            FileOperation::Edit(edit) => {
                let Some(uri) = places.uri(&edit.path) else {
                    continue;
                };
                let edits = edit
                    .edits
                    .iter()
                    .filter_map(|(range, text)| {
                        let range = places.range(&edit.path, *range)?;
                        Some(lsp::OneOf::Left(lsp::TextEdit::new(range, text.clone())))
                    })
                    .collect();
                out.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri: uri.clone(),
                        version: None,
                    },
                    edits,
                }));
            }
        }
    }
    lsp::WorkspaceEdit {
        document_changes: Some(lsp::DocumentChanges::Operations(out)),
        ..Default::default()
    }
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

pub fn hover(hover: ide::HoverResult, lines: &Lines) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(hover.markdown)),
        range: Some(lines.range(hover.range)),
    }
}

fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Constant => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Class => lsp::CompletionItemKind::CLASS,
        CompletionKind::Module => lsp::CompletionItemKind::MODULE,
        CompletionKind::Folder => lsp::CompletionItemKind::FOLDER,
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
    }
}

/// Edits of one document (byte ranges and new texts, in order, not overlapping), as LSP
/// text edits.
///
/// An end (or start) between the `\r` and the `\n` of a pair (formatting turns `\r\n`
/// into `\n`: its edit takes a `\r` away and keeps the `\n`) would be a column past the
/// end of its line for the client, which clamps it to before the `\r`, so the edit would
/// keep the `\r` after all. Such an edit takes the whole pair instead, and puts back the
/// half it kept: the same change, at positions every client reads as the server means.
pub fn text_edits(edits: &[(TextRange, String)], lines: &Lines) -> Vec<lsp::TextEdit> {
    let text = lines.text.as_bytes();
    let splits_pair = |at: TextSize| {
        let at = usize::from(at);
        at > 0 && text.get(at - 1) == Some(&b'\r') && text.get(at) == Some(&b'\n')
    };
    // Two edits meeting inside a pair become one (widened, they would overlap).
    let mut merged: Vec<(TextRange, String)> = Vec::new();
    for (range, new_text) in edits {
        match merged.last_mut() {
            Some((prev, prev_text))
                if prev.end() == range.start() && splits_pair(range.start()) =>
            {
                *prev = TextRange::new(prev.start(), range.end());
                prev_text.push_str(new_text);
            }
            _ => merged.push((*range, new_text.clone())),
        }
    }
    let one = TextSize::from(1);
    let out = merged.into_iter().map(|(range, mut new_text)| {
        let (mut start, mut end) = (range.start(), range.end());
        if splits_pair(start) {
            start -= one;
            new_text.insert(0, '\r');
        }
        if splits_pair(end) {
            end += one;
            new_text.push('\n');
        }
        (TextRange::new(start, end), new_text)
    });
    out.into_iter()
        .map(|(range, text)| lsp::TextEdit::new(lines.range(range), text))
        .collect()
}

/// A completion item; `lines` are the document's (for the additional edits: an import).
pub fn completion_item(item: ide::CompletionItem, lines: &Lines) -> lsp::CompletionItem {
    let additional = text_edits(&item.additional_edits, lines);
    lsp::CompletionItem {
        label: item.label,
        kind: Some(completion_kind(item.kind)),
        detail: item.detail,
        documentation: item
            .documentation
            .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
        additional_text_edits: (!additional.is_empty()).then_some(additional),
        ..Default::default()
    }
}

/// UTF-16 length of `text` (LSP's offsets inside a label).
fn utf16_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

pub fn signature_help(help: ide::SignatureHelp) -> lsp::SignatureHelp {
    // Past the last parameter no parameter is active. An absent index would not say so:
    // clients take it for the first parameter (VS Code's language client turns it into
    // 0, Neovim too); an index past the parameters highlights none in VS Code (Neovim
    // shows the last one).
    let active_parameter = Some(
        help.active_parameter
            .unwrap_or(help.parameters.len() as u32),
    );
    let parameters = help
        .parameters
        .iter()
        .map(|p| {
            let start = utf16_len(&help.label[..usize::from(p.label.start())]);
            let end = start + utf16_len(&help.label[p.label]);
            lsp::ParameterInformation {
                label: lsp::ParameterLabel::LabelOffsets([start, end]),
                documentation: None,
            }
        })
        .collect();
    let signature = lsp::SignatureInformation {
        label: help.label,
        documentation: help
            .documentation
            .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
        parameters: Some(parameters),
        active_parameter,
    };
    lsp::SignatureHelp {
        signatures: vec![signature],
        active_signature: Some(0),
        active_parameter,
    }
}

pub fn inlay_hint(hint: ide::InlayHint, lines: &Lines) -> lsp::InlayHint {
    lsp::InlayHint {
        position: lines.position(hint.offset),
        label: lsp::InlayHintLabel::String(hint.label),
        kind: Some(match hint.kind {
            ide::InlayHintKind::Parameter => lsp::InlayHintKind::PARAMETER,
        }),
        text_edits: None,
        tooltip: None,
        padding_left: None,
        padding_right: Some(true),
        data: None,
    }
}

pub fn document_highlight(highlight: ide::Highlight, lines: &Lines) -> lsp::DocumentHighlight {
    lsp::DocumentHighlight {
        range: lines.range(highlight.range),
        kind: Some(match highlight.kind {
            ide::HighlightKind::Read => lsp::DocumentHighlightKind::READ,
            ide::HighlightKind::Write => lsp::DocumentHighlightKind::WRITE,
            ide::HighlightKind::Text => lsp::DocumentHighlightKind::TEXT,
        }),
    }
}

/// A call-hierarchy item; `None` when its file has no URI.
pub fn call_item(item: &ide::CallItem, places: &Places) -> Option<lsp::CallHierarchyItem> {
    Some(lsp::CallHierarchyItem {
        name: item.name.clone(),
        kind: match item.kind {
            ide::CallItemKind::Function => lsp::SymbolKind::FUNCTION,
            ide::CallItemKind::Module => lsp::SymbolKind::MODULE,
        },
        tags: None,
        detail: item.detail.clone(),
        uri: places.uri(&item.path)?.clone(),
        range: places.range(&item.path, item.range)?,
        selection_range: places.range(&item.path, item.selection_range)?,
        data: None,
    })
}

/// The calls of a call hierarchy, each item with its ranges (`ranges_in`: the file of
/// the ranges, the calling one).
pub fn calls(
    world: &World,
    doc: &Doc,
    calls: &[ide::CallHierarchyCall],
    ranges_in: impl Fn(&ide::CallHierarchyCall) -> PathBuf,
) -> Vec<(lsp::CallHierarchyItem, Vec<Range>)> {
    let texts = Texts::new(world, doc, calls.iter().map(|c| c.item.path.as_path()));
    let places = texts.lines();
    calls
        .iter()
        .filter_map(|call| {
            let item = call_item(&call.item, &places)?;
            let file = ranges_in(call);
            let ranges = call
                .ranges
                .iter()
                .filter_map(|r| places.range(&file, *r))
                .collect();
            Some((item, ranges))
        })
        .collect()
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Module => lsp::SymbolKind::MODULE,
        SymbolKind::Function => lsp::SymbolKind::FUNCTION,
        SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
        SymbolKind::Constant => lsp::SymbolKind::CONSTANT,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, as `None`.
pub fn document_symbol(symbol: ide::DocumentSymbol, lines: &Lines) -> lsp::DocumentSymbol {
    let children: Vec<lsp::DocumentSymbol> = symbol
        .children
        .into_iter()
        .map(|s| document_symbol(s, lines))
        .collect();
    lsp::DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: lines.range(symbol.range),
        selection_range: lines.range(symbol.selection_range),
        children: (!children.is_empty()).then_some(children),
    }
}

/// Workspace symbols: each file's line index built once.
pub fn workspace_symbols(
    world: &World,
    symbols: Vec<ide::WorkspaceSymbol>,
) -> Vec<lsp::WorkspaceSymbol> {
    let mut texts: HashMap<PathBuf, Option<(Uri, Arc<str>)>> = HashMap::new();
    for s in &symbols {
        let path = &s.location.path;
        if !texts.contains_key(path) {
            let file = world.uri_of(path).map(|uri| (uri, text_of(world, path)));
            texts.insert(path.clone(), file);
        }
    }
    let lines: HashMap<&PathBuf, (&Uri, Lines<'_>)> = texts
        .iter()
        .filter_map(|(path, file)| {
            let (uri, text) = file.as_ref()?;
            Some((path, (uri, Lines::new(text))))
        })
        .collect();
    symbols
        .into_iter()
        .filter_map(|s| {
            let (uri, file_lines) = lines.get(&s.location.path)?;
            Some(lsp::WorkspaceSymbol {
                name: s.name,
                kind: symbol_kind(s.kind),
                tags: None,
                container_name: Some(s.container),
                location: lsp::OneOf::Left(Location::new(
                    (*uri).clone(),
                    file_lines.range(s.location.range),
                )),
                data: None,
            })
        })
        .collect()
}

pub fn document_link(world: &World, link: ide::DocumentLink, lines: &Lines) -> lsp::DocumentLink {
    lsp::DocumentLink {
        range: lines.range(link.range),
        target: world.uri_of(&link.target),
        tooltip: Some(link.tooltip),
        data: None,
    }
}

/// The semantic-token legend: the token types in order (`docs/lsp.md` lists them).
const TOKEN_LEGEND: &[(TokenKind, lsp::SemanticTokenType)] = &[
    (TokenKind::Namespace, lsp::SemanticTokenType::NAMESPACE),
    (TokenKind::Function, lsp::SemanticTokenType::FUNCTION),
    (TokenKind::Parameter, lsp::SemanticTokenType::PARAMETER),
    (TokenKind::Variable, lsp::SemanticTokenType::VARIABLE),
    (TokenKind::Property, lsp::SemanticTokenType::PROPERTY),
    (TokenKind::Keyword, lsp::SemanticTokenType::KEYWORD),
    (TokenKind::String, lsp::SemanticTokenType::STRING),
    (TokenKind::Number, lsp::SemanticTokenType::NUMBER),
    (TokenKind::Comment, lsp::SemanticTokenType::COMMENT),
    (TokenKind::Operator, lsp::SemanticTokenType::OPERATOR),
];

/// The token modifiers, in legend order (bit 0 first).
const TOKEN_MODIFIERS: &[lsp::SemanticTokenModifier] = &[
    lsp::SemanticTokenModifier::DECLARATION,
    lsp::SemanticTokenModifier::DEFAULT_LIBRARY,
    lsp::SemanticTokenModifier::READONLY,
];

pub fn semantic_tokens_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_LEGEND.iter().map(|(_, t)| t.clone()).collect(),
        token_modifiers: TOKEN_MODIFIERS.to_vec(),
    }
}

fn token_type(kind: TokenKind) -> u32 {
    TOKEN_LEGEND
        .iter()
        .position(|(k, _)| *k == kind)
        .expect("every token kind is in the legend") as u32
}

fn token_modifiers(m: ide::TokenModifiers) -> u32 {
    u32::from(m.declaration) | u32::from(m.default_library) << 1 | u32::from(m.readonly) << 2
}

/// Semantic tokens, delta-encoded, one per line of a token (a comment or string on
/// several lines is one token per line: clients need not support multi-line tokens).
pub fn semantic_tokens(tokens: &[ide::SemanticToken], lines: &Lines) -> lsp::SemanticTokens {
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for token in tokens {
        let (token_type, modifiers) = (token_type(token.kind), token_modifiers(token.modifiers));
        let range = token.range;
        let mut start = range.start();
        while start < range.end() {
            let line = lines.index.line_col(start).line;
            let line_end = lines
                .index
                .line_range(line, lines.text)
                .map_or(range.end(), |r| r.end())
                .min(range.end());
            let begin = lines.position(start);
            let end = lines.position(line_end.max(start));
            if end.character > begin.character {
                let delta_line = begin.line - prev_line;
                let delta_start = match delta_line {
                    0 => begin.character - prev_col,
                    _ => begin.character,
                };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: end.character - begin.character,
                    token_type,
                    token_modifiers_bitset: modifiers,
                });
                (prev_line, prev_col) = (begin.line, begin.character);
            }
            match lines.index.offset(LineCol {
                line: line + 1,
                col: 0,
            }) {
                Some(next) if next > start => start = next,
                _ => break,
            }
        }
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

pub fn folding_range(fold: ide::Fold) -> lsp::FoldingRange {
    lsp::FoldingRange {
        start_line: fold.start_line,
        start_character: None,
        end_line: fold.end_line,
        end_character: None,
        kind: fold.kind.map(|k| match k {
            FoldKind::Comment => lsp::FoldingRangeKind::Comment,
            FoldKind::Imports => lsp::FoldingRangeKind::Imports,
        }),
        collapsed_text: None,
    }
}

/// A selection range from ranges innermost first.
pub fn selection_range(ranges: &[TextRange], lines: &Lines) -> Option<lsp::SelectionRange> {
    let mut selection: Option<lsp::SelectionRange> = None;
    for r in ranges.iter().rev() {
        selection = Some(lsp::SelectionRange {
            range: lines.range(*r),
            parent: selection.map(Box::new),
        });
    }
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies LSP edits as a client does: columns past the end of a line (its line break
    /// excluded) are the end of the line.
    fn apply_as_client(text: &str, edits: &[lsp::TextEdit]) -> String {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let offset = |p: lsp::Position| {
            let start = starts[p.line as usize];
            let end = starts
                .get(p.line as usize + 1)
                .map_or(text.len(), |e| e - 1);
            let end = if text[start..end].ends_with('\r') {
                end - 1
            } else {
                end
            };
            (start + p.character as usize).min(end)
        };
        let mut out = text.to_string();
        for e in edits.iter().rev() {
            out.replace_range(offset(e.range.start)..offset(e.range.end), &e.new_text);
        }
        out
    }

    #[test]
    fn edits_never_split_a_crlf_pair() {
        let text = "a;\r\nb;\r\nc;\r\n";
        let lines = Lines::new(text);
        let r = |a: u32, b: u32| TextRange::new(a.into(), b.into());
        // Formatting's edits: `\r\n` to `\n` (taking a `\r`, keeping the `\n`), an
        // insertion between the two, and two edits meeting inside a pair.
        for (edits, expected) in [
            (vec![(r(2, 3), String::new())], "a;\nb;\r\nc;\r\n"),
            (vec![(r(1, 3), "!".to_string())], "a!\nb;\r\nc;\r\n"),
            (vec![(r(3, 3), "X".to_string())], "a;\rX\nb;\r\nc;\r\n"),
            (
                vec![(r(2, 3), "1".to_string()), (r(3, 7), "2".to_string())],
                "a;12\nc;\r\n",
            ),
            (vec![(r(0, 1), "z".to_string())], "z;\r\nb;\r\nc;\r\n"),
        ] {
            let lsp_edits = text_edits(&edits, &lines);
            for e in &lsp_edits {
                for p in [e.range.start, e.range.end] {
                    let line = text.split('\n').nth(p.line as usize).unwrap();
                    assert!(
                        p.character as usize <= line.trim_end_matches('\r').len(),
                        "{p:?} in {line:?}"
                    );
                }
            }
            assert_eq!(apply_as_client(text, &lsp_edits), expected, "{edits:?}");
        }
    }

    #[test]
    fn the_legend_has_every_token_kind_once() {
        let kinds = [
            TokenKind::Namespace,
            TokenKind::Function,
            TokenKind::Parameter,
            TokenKind::Variable,
            TokenKind::Property,
            TokenKind::Keyword,
            TokenKind::String,
            TokenKind::Number,
            TokenKind::Comment,
            TokenKind::Operator,
        ];
        let types: Vec<u32> = kinds.iter().map(|k| token_type(*k)).collect();
        assert_eq!(types, (0..10).collect::<Vec<u32>>());
        assert_eq!(semantic_tokens_legend().token_types.len(), kinds.len());
    }

    #[test]
    fn a_token_on_two_lines_is_two_tokens_in_utf16() {
        let text = "/* é\nab */ x";
        let lines = Lines::new(text);
        let comment = ide::SemanticToken {
            range: TextRange::new(0.into(), 11.into()),
            kind: TokenKind::Comment,
            modifiers: ide::TokenModifiers::default(),
        };
        let name = ide::SemanticToken {
            range: TextRange::new(12.into(), 13.into()),
            kind: TokenKind::Variable,
            modifiers: ide::TokenModifiers {
                declaration: true,
                ..Default::default()
            },
        };
        let encoded: Vec<(u32, u32, u32, u32, u32)> = semantic_tokens(&[comment, name], &lines)
            .data
            .iter()
            .map(|t| {
                (
                    t.delta_line,
                    t.delta_start,
                    t.length,
                    t.token_type,
                    t.token_modifiers_bitset,
                )
            })
            .collect();
        // `/* é` is 4 UTF-16 units (its line break excluded), `ab */` 5; then `x`.
        assert_eq!(encoded, [(0, 0, 4, 8, 0), (1, 0, 5, 8, 0), (0, 6, 1, 3, 1)]);
    }
}
