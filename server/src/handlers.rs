//! The LSP requests the IDE layer (`mlpy_analysis::ide`) answers: each finds the
//! document's context, turns LSP positions into byte offsets, calls the feature and turns
//! its plain data into LSP types (`to_lsp`). `backend.rs` runs them on blocking threads.
//! (Diagnostics are the engine's: `pull.rs` answers the pull requests with them.)

use crate::convert::Lines;
use crate::host::file_ctx;
use crate::to_lsp::{self, Doc};
use crate::world::World;
use mlpy_analysis::ide::{self, ActionDiagnostic, FileCtx, Fix};
use mlpy_modules::DiagnosticCode;
use mlpy_syntax::ast::AstNode;
use mlpy_syntax::{SyntaxNode, TextSize};
use serde_json::json;
use std::sync::Arc;
use tower_lsp_server::ls_types::*;

fn doc<'a>(uri: &'a Uri, ctx: &'a FileCtx) -> Doc<'a> {
    Doc {
        uri,
        path: ctx.path(),
        text: &ctx.file().text,
    }
}

pub fn hover(world: &World, uri: &Uri, position: Position) -> Option<Hover> {
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    let found = ide::hover::hover(&ctx, lines.offset(position))?;
    Some(to_lsp::hover(found, &lines))
}

pub fn definition(world: &World, uri: &Uri, position: Position) -> Option<Vec<Location>> {
    let ctx = file_ctx(world, uri)?;
    let offset = Lines::new(ctx.text()).offset(position);
    let found = ide::definition::definition(&ctx, offset)?;
    Some(to_lsp::locations(world, &doc(uri, &ctx), &found))
}

pub fn references(
    world: &World,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let ctx = file_ctx(world, uri)?;
    let offset = Lines::new(ctx.text()).offset(position);
    let found = ide::references::references(&ctx, offset, include_declaration)?;
    Some(to_lsp::locations(world, &doc(uri, &ctx), &found))
}

/// The name to rename, or why none may be (the error's message is for the user).
pub fn prepare_rename(
    world: &World,
    uri: &Uri,
    position: Position,
) -> Result<Option<PrepareRenameResponse>, String> {
    let Some(ctx) = file_ctx(world, uri) else {
        return Ok(None);
    };
    let lines = Lines::new(ctx.text());
    // No name here (blanks, punctuation, keywords, literals, comments): `null`, the
    // specification's "no rename at this position" (an error would be shown to the user
    // as if something had failed). A name that cannot be renamed gets an error saying why.
    let found = match ide::rename::prepare_rename(&ctx, lines.offset(position)) {
        Ok(found) => found,
        Err(ide::rename::RenameError::NoName) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: lines.range(found.range),
        placeholder: found.placeholder,
    }))
}

/// The edits of a rename, or why it is refused.
pub fn rename(
    world: &World,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    // Refused whatever the document: even one that cannot be analysed.
    if let Some(why) = ide::rename::invalid_name(new_name) {
        return Err(why.to_string());
    }
    let Some(ctx) = file_ctx(world, uri) else {
        return Ok(None);
    };
    let offset = Lines::new(ctx.text()).offset(position);
    let edits = ide::rename::rename(&ctx, offset, new_name).map_err(|e| e.to_string())?;
    Ok(Some(to_lsp::changes(world, &doc(uri, &ctx), &edits)))
}

pub fn completion(world: &World, uri: &Uri, position: Position) -> Option<CompletionResponse> {
    let ctx = file_ctx(world, uri)?;
    let offset = Lines::new(ctx.text()).offset(position);
    let items = ide::completion::completion(&ctx, offset)?;
    let lines = Lines::new(ctx.text());
    Some(CompletionResponse::Array(
        items
            .into_iter()
            .map(|i| to_lsp::completion_item(i, &lines))
            .collect(),
    ))
}

pub fn signature_help(world: &World, uri: &Uri, position: Position) -> Option<SignatureHelp> {
    let ctx = file_ctx(world, uri)?;
    let offset = Lines::new(ctx.text()).offset(position);
    let help = ide::signature_help::signature_help(&ctx, offset)?;
    Some(to_lsp::signature_help(help))
}

/// Inlay hints of `range` (`None`: the whole document), as the settings ask.
pub fn inlay_hints(world: &World, uri: &Uri, range: Option<Range>) -> Option<Vec<InlayHint>> {
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    let config = world.settings().inlay_hints;
    let range = range.map(|r| lines.text_range(r));
    let hints = ide::inlay_hints::inlay_hints(&ctx, range, &config);
    Some(
        hints
            .into_iter()
            .map(|h| to_lsp::inlay_hint(h, &lines))
            .collect(),
    )
}

pub fn document_highlight(
    world: &World,
    uri: &Uri,
    position: Position,
) -> Option<Vec<DocumentHighlight>> {
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    let found = ide::highlight::document_highlight(&ctx, lines.offset(position))?;
    Some(
        found
            .into_iter()
            .map(|h| to_lsp::document_highlight(h, &lines))
            .collect(),
    )
}

pub fn prepare_call_hierarchy(
    world: &World,
    uri: &Uri,
    position: Position,
) -> Option<Vec<CallHierarchyItem>> {
    let ctx = file_ctx(world, uri)?;
    let offset = Lines::new(ctx.text()).offset(position);
    let items = ide::call_hierarchy::prepare_call_hierarchy(&ctx, offset)?;
    let doc = doc(uri, &ctx);
    let texts = to_lsp::Texts::new(world, &doc, items.iter().map(|i| i.path.as_path()));
    let places = texts.lines();
    Some(
        items
            .iter()
            .filter_map(|i| to_lsp::call_item(i, &places))
            .collect(),
    )
}

/// The document of a call-hierarchy item and the offset of its name (`None` for a
/// module's top-level code).
fn item_ctx<'w>(
    world: &'w World,
    item: &CallHierarchyItem,
) -> Option<(FileCtx<'w>, Option<TextSize>)> {
    let ctx = file_ctx(world, &item.uri)?;
    let offset = match item.kind {
        SymbolKind::FUNCTION => Some(Lines::new(ctx.text()).offset(item.selection_range.start)),
        _ => None,
    };
    Some((ctx, offset))
}

pub fn incoming_calls(
    world: &World,
    item: &CallHierarchyItem,
) -> Option<Vec<CallHierarchyIncomingCall>> {
    let (ctx, offset) = item_ctx(world, item)?;
    let calls = ide::call_hierarchy::incoming_calls(&ctx, offset?)?;
    let doc = doc(&item.uri, &ctx);
    // The ranges are in the calling function's file.
    let found = to_lsp::calls(world, &doc, &calls, |c| c.item.path.clone());
    Some(
        found
            .into_iter()
            .map(|(from, from_ranges)| CallHierarchyIncomingCall { from, from_ranges })
            .collect(),
    )
}

pub fn outgoing_calls(
    world: &World,
    item: &CallHierarchyItem,
) -> Option<Vec<CallHierarchyOutgoingCall>> {
    let (ctx, offset) = item_ctx(world, item)?;
    let calls = ide::call_hierarchy::outgoing_calls(&ctx, offset)?;
    let doc = doc(&item.uri, &ctx);
    // The ranges are in the item's own file, where the calls are.
    let here = ctx.path().to_path_buf();
    let found = to_lsp::calls(world, &doc, &calls, |_| here.clone());
    Some(
        found
            .into_iter()
            .map(|(to, from_ranges)| CallHierarchyOutgoingCall { to, from_ranges })
            .collect(),
    )
}

/// The edit that keeps the imports right when `.ml` files or folders move.
pub fn will_rename_files(world: &World, files: &[FileRename]) -> Option<WorkspaceEdit> {
    let moves: Vec<ide::FileMove> = files
        .iter()
        .filter_map(|f| {
            let from = World::path_of(&f.old_uri.parse().ok()?)?;
            let to = World::path_of(&f.new_uri.parse().ok()?)?;
            Some(ide::FileMove { from, to })
        })
        .collect();
    let edits = ide::file_rename::will_rename_files(world, &moves);
    (!edits.is_empty()).then(|| to_lsp::file_changes(world, &edits))
}

pub fn document_symbols(world: &World, uri: &Uri) -> Option<DocumentSymbolResponse> {
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    let symbols = ide::symbols::document_symbols(&ctx)
        .into_iter()
        .map(|s| to_lsp::document_symbol(s, &lines))
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

pub fn workspace_symbols(world: &World, query: &str) -> Vec<WorkspaceSymbol> {
    to_lsp::workspace_symbols(world, ide::symbols::workspace_symbols(world, query))
}

pub fn document_links(world: &World, uri: &Uri) -> Option<Vec<DocumentLink>> {
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    let links = ide::links::document_links(&ctx)
        .into_iter()
        .map(|l| to_lsp::document_link(world, l, &lines))
        .collect();
    Some(links)
}

pub fn semantic_tokens(world: &World, uri: &Uri) -> Option<SemanticTokens> {
    let ctx = file_ctx(world, uri)?;
    let tokens = ide::semantic_tokens::semantic_tokens(&ctx);
    Some(to_lsp::semantic_tokens(&tokens, &Lines::new(ctx.text())))
}

/// The semantic tokens of the lines of `range`.
pub fn semantic_tokens_range(world: &World, uri: &Uri, range: Range) -> Option<SemanticTokens> {
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    let range = lines.text_range(range);
    let tokens = ide::semantic_tokens::semantic_tokens_in(&ctx, Some(range));
    Some(to_lsp::semantic_tokens(&tokens, &lines))
}

/// The text and syntax tree of a document: those of its analysis, or for a document
/// over its size limit (which gets syntax only), of its parse alone.
fn syntax_of(world: &World, uri: &Uri) -> Option<(Arc<str>, SyntaxNode)> {
    if let Some(parsed) = world.syntax_only(uri) {
        return Some((parsed.text.clone(), parsed.parse.syntax_node()));
    }
    let ctx = file_ctx(world, uri)?;
    Some((ctx.file().text.clone(), ctx.root()))
}

pub fn folding_ranges(world: &World, uri: &Uri) -> Option<Vec<FoldingRange>> {
    let (text, root) = syntax_of(world, uri)?;
    let folds = ide::folding::folding_ranges(&text, &root);
    Some(folds.into_iter().map(to_lsp::folding_range).collect())
}

/// "Run test" above each test of a test file (`mlpy.runTest` with the document's URI and
/// the test's name). None for documents that are not files.
pub fn code_lenses(world: &World, uri: &Uri) -> Option<Vec<CodeLens>> {
    let path = World::path_of(uri)?;
    let (text, root) = syntax_of(world, uri)?;
    let tree = mlpy_syntax::ast::SourceFile::cast(root)?;
    let lines = Lines::new(&text);
    let lenses = ide::runnables::runnable_tests(&path, &tree)
        .into_iter()
        .map(|test| CodeLens {
            range: lines.range(test.name_range),
            command: Some(Command {
                title: "▶ Run test".into(),
                command: crate::backend::RUN_TEST.into(),
                arguments: Some(vec![json!(uri.as_str()), json!(test.name)]),
            }),
            data: None,
        })
        .collect();
    Some(lenses)
}

pub fn selection_ranges(
    world: &World,
    uri: &Uri,
    positions: &[Position],
) -> Option<Vec<SelectionRange>> {
    let (text, root) = syntax_of(world, uri)?;
    let lines = Lines::new(&text);
    let offsets: Vec<_> = positions.iter().map(|p| lines.offset(*p)).collect();
    ide::selection::selection_ranges(&root, &offsets)
        .iter()
        .map(|ranges| to_lsp::selection_range(ranges, &lines))
        .collect()
}

/// Quick fixes. `create_files`: whether the client applies `CreateFile` operations.
pub fn code_actions(
    world: &World,
    params: &CodeActionParams,
    create_files: bool,
) -> Option<CodeActionResponse> {
    let uri = &params.text_document.uri;
    let ctx = file_ctx(world, uri)?;
    let lines = Lines::new(ctx.text());
    // The client's diagnostics that carry one of mlpy's codes, and each one as sent.
    let mut sent: Vec<&Diagnostic> = Vec::new();
    let mut diagnostics: Vec<ActionDiagnostic> = Vec::new();
    for d in &params.context.diagnostics {
        let Some(NumberOrString::String(code)) = &d.code else {
            continue;
        };
        let Some(code) = DiagnosticCode::ALL.iter().find(|c| c.as_str() == code) else {
            continue;
        };
        diagnostics.push(ActionDiagnostic {
            code: *code,
            range: lines.text_range(d.range),
            message: d.message.clone(),
        });
        sent.push(d);
    }
    let range = lines.text_range(params.range);
    let actions = ide::code_actions::code_actions(&ctx, range, &diagnostics, create_files);
    let doc = doc(uri, &ctx);
    let out = actions
        .into_iter()
        .map(|action| {
            let diagnostics = action.diagnostic.map(|i| vec![sent[i].clone()]);
            let (edit, command) = match action.fix {
                Fix::Change(operations) => {
                    (Some(to_lsp::workspace_edit(world, &doc, &operations)), None)
                }
                Fix::FetchModules => (
                    None,
                    Some(Command {
                        title: "Fetch remote modules".into(),
                        command: crate::backend::FETCH_MODULES.into(),
                        arguments: Some(vec![json!(uri.as_str())]),
                    }),
                ),
            };
            CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics,
                edit,
                command,
                ..Default::default()
            })
        })
        .collect();
    Some(out)
}

/// The text of a document to format and the project's format options (the defaults for a
/// document that is not a file).
fn format_input(world: &World, uri: &Uri) -> Option<(Arc<str>, mlpy_fmt::FormatOptions)> {
    let (text, _) = world.doc_text(uri)?;
    let options = match World::path_of(uri) {
        Some(path) => ide::formatting::options_for(&world.project_for(&path).config),
        None => mlpy_fmt::FormatOptions::default(),
    };
    Some((text, options))
}

/// `textDocument/formatting`. A document with syntax errors is left as it is (its errors
/// are already reported), as `mlpy fmt` leaves such a file.
pub fn formatting(world: &World, uri: &Uri) -> Option<Vec<TextEdit>> {
    let (text, options) = format_input(world, uri)?;
    let edits = ide::formatting::format_document(&text, &options).ok()?;
    Some(to_lsp::text_edits(&edits, &Lines::new(&text)))
}

/// `textDocument/rangeFormatting`: the whole statements the range touches.
pub fn range_formatting(world: &World, uri: &Uri, range: Range) -> Option<Vec<TextEdit>> {
    let (text, options) = format_input(world, uri)?;
    let lines = Lines::new(&text);
    let edits = ide::formatting::format_range(&text, lines.text_range(range), &options).ok()?;
    Some(to_lsp::text_edits(&edits, &lines))
}
