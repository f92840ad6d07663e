//! The LSP requests the IDE layer (`mlpy_analysis::ide`) answers: each finds the
//! document's context, turns LSP positions into byte offsets, calls the feature and turns
//! its plain data into LSP types (`to_lsp`). `backend.rs` runs them on blocking threads.

use crate::convert::Lines;
use crate::host::file_ctx;
use crate::to_lsp::{self, Doc};
use crate::world::World;
use mlpy_analysis::ide::{self, ActionDiagnostic, FileCtx, Fix};
use mlpy_modules::DiagnosticCode;
use mlpy_syntax::SyntaxNode;
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
    let found =
        ide::rename::prepare_rename(&ctx, lines.offset(position)).map_err(|e| e.to_string())?;
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
    Some(CompletionResponse::Array(
        items.into_iter().map(to_lsp::completion_item).collect(),
    ))
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
