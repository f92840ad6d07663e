//! Hover, completion, symbols, document links, semantic tokens, folding and selection
//! ranges, code actions and the `mlpy.*` commands.

use crate::analysis::{self, classify, dotted, member_target, ChainState, FileCtx, Target};
use crate::convert::Lines;
use crate::manifest::{self, EntryKind};
use crate::world::World;
use mlpy_modules::file_protocol::FileProtocol;
use mlpy_modules::scopes::{BindingId, BindingKind, NameRes, ScopeId};
use mlpy_modules::symbols::SymbolKind as MlSymbolKind;
use mlpy_modules::{ImportSpec, ModuleGraph, Resolution, ResolveError};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::*;

// ---------------------------------------------------------------------------------
// Hover

fn markdown(value: String) -> HoverContents {
    HoverContents::Markup(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

fn code(text: &str) -> String {
    format!("```ml\n{text}\n```")
}

/// The function node whose whole range is `range`.
fn function_at(root: &SyntaxNode, range: TextRange) -> Option<ast::FunctionDef> {
    root.covering_element(range)
        .ancestors()
        .find(|n| n.text_range() == range && n.kind() == SyntaxKind::FUNCTION)
        .and_then(ast::FunctionDef::cast)
}

fn function_signature(f: &ast::FunctionDef) -> String {
    let params: Vec<String> = f
        .params()
        .map(|p| {
            let name = p.name().map(|n| n.text()).unwrap_or_default();
            match p.type_annotation().and_then(|t| t.text()) {
                Some(t) => format!("{name}: {t}"),
                None => name,
            }
        })
        .collect();
    let name = f.name().map(|n| n.text()).unwrap_or_default();
    format!("function {name}({})", params.join(", "))
}

fn module_hover(world: &World, path: &Path) -> String {
    let project = world.project_for(path);
    let shown = project.resolver.display_path(path);
    let name = module_name(world, path).unwrap_or_else(|| stem(path));
    let mut out = format!("{}\n\n`{shown}`", code(&format!("module {name}")));
    if let Some(file) = world.load(path) {
        let n = file
            .symbols
            .symbols
            .iter()
            .filter(|s| s.is_function())
            .count();
        out.push_str(&format!(
            "\n\n{n} function{}",
            if n == 1 { "" } else { "s" }
        ));
    }
    out
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The dotted name of a module file, relative to its project's first import root that
/// contains it.
pub fn module_name(world: &World, path: &Path) -> Option<String> {
    world.project_for(path).resolver.module_name_of(path)
}

fn binding_hover(ctx: &FileCtx, b: BindingId) -> String {
    let scopes = &ctx.file.scopes;
    let binding = scopes.binding(b);
    let root = ctx.root();
    match binding.kind {
        BindingKind::Function => {
            let f = binding.node_range.and_then(|r| function_at(&root, r));
            let sig = f
                .as_ref()
                .map(function_signature)
                .unwrap_or_else(|| format!("function {}", binding.name));
            let mut out = code(&sig);
            if let Some(doc) = f.and_then(|f| f.doc_comment()) {
                out.push_str("\n\n");
                out.push_str(&doc);
            }
            out
        }
        BindingKind::Parameter => {
            let annotation = root
                .covering_element(binding.decl)
                .ancestors()
                .find_map(ast::Param::cast)
                .and_then(|p| p.type_annotation())
                .and_then(|t| t.text());
            code(&match annotation {
                Some(t) => format!("(parameter) {}: {t}", binding.name),
                None => format!("(parameter) {}", binding.name),
            })
        }
        BindingKind::Import => code(&format!(
            "import {}",
            binding
                .imports
                .first()
                .map(|i| i.target.clone())
                .unwrap_or_default()
        )),
        kind => {
            let what = match kind {
                BindingKind::LoopVariable => "loop variable",
                BindingKind::ExceptVariable => "exception",
                _ => "variable",
            };
            let mut out = code(&format!("({what}) {}", binding.name));
            if binding.scope == scopes.module_scope() {
                if let Some(doc) = ctx
                    .file
                    .symbols
                    .get(&binding.name)
                    .and_then(|s| s.doc.clone())
                {
                    out.push_str("\n\n");
                    out.push_str(&doc);
                }
            }
            out
        }
    }
}

fn entry_hover(entry: &manifest::Entry, module: Option<&str>) -> String {
    let sig = match (module, entry.kind) {
        (Some(m), EntryKind::Function) => format!("{m}.{}", entry.signature),
        _ => entry.signature.clone(),
    };
    let mut out = code(&sig);
    if !entry.doc.is_empty() {
        out.push_str("\n\n");
        out.push_str(&entry.doc);
    }
    out
}

pub fn hover(world: &World, uri: &Uri, position: Position) -> Option<Hover> {
    let ctx = FileCtx::load(world, uri)?;
    let lines = ctx.lines();
    let at = classify(&ctx, lines.offset(position))?;
    let value = match at.target? {
        Target::Local(b) => {
            let binding = ctx.file.scopes.binding(b);
            match (
                binding.kind,
                member_target(&ctx, b, std::slice::from_ref(&binding.name)),
            ) {
                (BindingKind::Import, Some(Target::Module(path))) => module_hover(world, &path),
                (BindingKind::Import, Some(Target::Stdlib(m))) => {
                    entry_hover(&manifest::stdlib_module(&m)?, None)
                }
                _ => binding_hover(&ctx, b),
            }
        }
        Target::Module(path) => module_hover(world, &path),
        Target::Member { module, name } => {
            let file = world.load(&module)?;
            let symbol = file.symbols.get(&name)?;
            let mut out = code(&symbol.signature());
            if let Some(doc) = &symbol.doc {
                out.push_str("\n\n");
                out.push_str(doc);
            }
            let shown = module_name(world, &module).unwrap_or_else(|| stem(&module));
            out.push_str(&format!("\n\n*module `{shown}`*"));
            out
        }
        Target::Stdlib(m) => entry_hover(&manifest::stdlib_module(&m)?, None),
        Target::StdlibMember { module, name } => {
            entry_hover(&manifest::stdlib_member(&module, &name)?, Some(&module))
        }
        Target::Builtin(name) => entry_hover(&manifest::builtin(&name)?, None),
        Target::BuiltinModule => code("module builtin") + "\n\nThe builtin functions, as a module.",
    };
    Some(Hover {
        contents: markdown(value),
        range: Some(lines.range(at.range)),
    })
}

// ---------------------------------------------------------------------------------
// Completion

pub const KEYWORDS: &[&str] = &[
    "function",
    "if",
    "elif",
    "else",
    "while",
    "for",
    "in",
    "return",
    "throw",
    "try",
    "except",
    "finally",
    "break",
    "continue",
    "nonlocal",
    "import",
    "as",
    "capability",
    "fn",
    "true",
    "false",
    "null",
    "undefined",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<String>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: doc.filter(|d| !d.is_empty()).map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        }),
        ..Default::default()
    }
}

fn entry_item(e: &manifest::Entry) -> CompletionItem {
    let kind = match e.kind {
        EntryKind::Function => CompletionItemKind::FUNCTION,
        EntryKind::Constant => CompletionItemKind::CONSTANT,
        EntryKind::Class => CompletionItemKind::CLASS,
        EntryKind::Module => CompletionItemKind::MODULE,
    };
    item(
        &e.name,
        kind,
        Some(e.signature.clone()),
        Some(e.doc.clone()),
    )
}

/// Module names that may follow `typed` (`utils.` → the modules and folders in `utils/`).
fn import_items(ctx: &FileCtx, typed: &str) -> Vec<CompletionItem> {
    let mut parts: Vec<&str> = typed.split('.').collect();
    parts.pop(); // the part being typed
    let mut out: BTreeMap<String, CompletionItem> = BTreeMap::new();
    if parts.is_empty() {
        for m in mlpy_modules::stdlib::STDLIB_MODULES {
            let doc = manifest::stdlib_module(m).map(|e| e.doc);
            out.insert(
                m.to_string(),
                item(
                    m,
                    CompletionItemKind::MODULE,
                    Some("standard library".into()),
                    doc,
                ),
            );
        }
    }
    let Some(project) = &ctx.project else {
        return out.into_values().collect();
    };
    let mut dirs: Vec<PathBuf> = project
        .resolver
        .import_roots()
        .iter()
        .filter_map(|r| r.canonical.clone())
        .collect();
    if project.config.allow_current_dir {
        dirs.extend(
            ctx.path
                .as_ref()
                .and_then(|p| p.parent())
                .map(Path::to_path_buf),
        );
    }
    for dir in dirs {
        let dir = parts.iter().fold(dir, |d, p| d.join(p));
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with("__") {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                if analysis::invalid_name(&name).is_none() {
                    out.entry(name.clone()).or_insert_with(|| {
                        item(
                            &name,
                            CompletionItemKind::FOLDER,
                            Some("package".into()),
                            None,
                        )
                    });
                }
            } else if let Some(stem) = name.strip_suffix(".ml") {
                if analysis::invalid_name(stem).is_none()
                    || SyntaxKind::from_keyword(stem).is_some()
                {
                    let shown = project.resolver.display_path(&path);
                    out.insert(
                        stem.to_string(),
                        item(stem, CompletionItemKind::MODULE, Some(shown), None),
                    );
                }
            }
        }
    }
    out.into_values().collect()
}

fn binding_kind_item(kind: BindingKind) -> CompletionItemKind {
    match kind {
        BindingKind::Function => CompletionItemKind::FUNCTION,
        BindingKind::Import => CompletionItemKind::MODULE,
        _ => CompletionItemKind::VARIABLE,
    }
}

/// The members of what `names` (a receiver chain) refers to.
fn member_items(
    ctx: &FileCtx,
    world: &World,
    offset: TextSize,
    names: &[String],
) -> Vec<CompletionItem> {
    let scopes = &ctx.file.scopes;
    let root = &names[0];
    let binding = scopes
        .visible_bindings(offset)
        .into_iter()
        .find(|&b| scopes.binding(b).name == *root);
    let Some(b) = binding else {
        if root == mlpy_modules::stdlib::BUILTIN_MODULE_NAME && names.len() == 1 {
            return manifest::builtins().iter().map(entry_item).collect();
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    // Deeper modules of `import a.b.c` after `a.`.
    let prefix = names.join(".");
    for import in &scopes.binding(b).imports {
        if import.aliased {
            continue;
        }
        if let Some(rest) = import.target.strip_prefix(&format!("{prefix}.")) {
            let next = rest.split('.').next().unwrap_or(rest);
            out.push(item(
                next,
                CompletionItemKind::MODULE,
                Some(format!("{prefix}.{next}")),
                None,
            ));
        }
    }
    match member_target(ctx, b, names) {
        Some(Target::Module(path)) => {
            if let Some(file) = world.load(&path) {
                for s in &file.symbols.symbols {
                    let kind = match s.kind {
                        MlSymbolKind::Function { .. } => CompletionItemKind::FUNCTION,
                        MlSymbolKind::Variable => CompletionItemKind::VARIABLE,
                        // A module's own imports are reachable in Python but are not its API.
                        MlSymbolKind::Import { .. } => continue,
                    };
                    out.push(item(&s.name, kind, Some(s.signature()), s.doc.clone()));
                }
            }
        }
        Some(Target::Stdlib(m)) => out.extend(manifest::stdlib_members(&m).iter().map(entry_item)),
        _ => {}
    }
    out
}

pub fn completion(world: &World, uri: &Uri, position: Position) -> Option<CompletionResponse> {
    let ctx = FileCtx::load(world, uri)?;
    let lines = ctx.lines();
    let offset = lines.offset(position);
    let col = lines.index.line_col(offset).col;
    let line_start = usize::from(offset) - col as usize;
    let before = ctx.file.text.get(line_start..usize::from(offset))?;
    // Nothing to complete inside a comment or a string.
    if let rowan::TokenAtOffset::Single(t) | rowan::TokenAtOffset::Between(t, _) =
        ctx.root().token_at_offset(offset)
    {
        let inside = t.text_range().start() < offset
            && (offset < t.text_range().end() || t.kind() == SyntaxKind::COMMENT);
        if inside && matches!(t.kind(), SyntaxKind::COMMENT | SyntaxKind::STRING) {
            return Some(CompletionResponse::Array(Vec::new()));
        }
    }
    // `import a.b.` → module paths.
    let trimmed = before.trim_start();
    if let Some(rest) = trimmed.strip_prefix("import") {
        if rest.starts_with(char::is_whitespace) {
            let typed = rest.trim_start();
            if typed.chars().all(|c| is_word_char(c) || c == '.') {
                return Some(CompletionResponse::Array(import_items(&ctx, typed)));
            }
        }
    }
    // `a.b.` → members of what `a.b` is.
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let head = &before[..word_start];
    if let Some(receiver) = head.strip_suffix('.') {
        let mut names = Vec::new();
        let mut rest = receiver;
        loop {
            let start = rest
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_word_char(*c))
                .last()
                .map_or(rest.len(), |(i, _)| i);
            if start == rest.len() {
                return Some(CompletionResponse::Array(Vec::new()));
            }
            names.push(rest[start..].to_string());
            match rest[..start].strip_suffix('.') {
                Some(r) => rest = r,
                None => break,
            }
        }
        names.reverse();
        return Some(CompletionResponse::Array(member_items(
            &ctx, world, offset, &names,
        )));
    }
    let mut out: Vec<CompletionItem> = Vec::new();
    let scopes = &ctx.file.scopes;
    for b in scopes.visible_bindings(offset) {
        let binding = scopes.binding(b);
        let detail = match binding.kind {
            BindingKind::Function => binding
                .node_range
                .and_then(|r| function_at(&ctx.root(), r))
                .map(|f| function_signature(&f)),
            BindingKind::Import => binding
                .imports
                .first()
                .map(|i| format!("import {}", i.target)),
            _ => None,
        };
        out.push(item(
            &binding.name,
            binding_kind_item(binding.kind),
            detail,
            None,
        ));
    }
    let defined: std::collections::HashSet<String> = out.iter().map(|i| i.label.clone()).collect();
    for e in manifest::builtins() {
        if !defined.contains(&e.name) {
            out.push(entry_item(&e));
        }
    }
    for k in KEYWORDS {
        out.push(item(k, CompletionItemKind::KEYWORD, None, None));
    }
    Some(CompletionResponse::Array(out))
}

// ---------------------------------------------------------------------------------
// Symbols

/// The nodes document symbols need, found in one walk of the file (not one descent from
/// the root per symbol, which costs the nesting depth each).
struct SymbolNodes {
    functions: HashMap<TextRange, ast::FunctionDef>,
    /// The statement around each variable's first definition.
    statements: HashMap<TextRange, TextRange>,
}

impl SymbolNodes {
    fn new(ctx: &FileCtx) -> SymbolNodes {
        let wanted: std::collections::HashSet<TextRange> = ctx
            .file
            .scopes
            .bindings
            .iter()
            .filter(|b| b.kind == BindingKind::Variable)
            .map(|b| b.decl)
            .collect();
        let mut functions = HashMap::new();
        let mut statements = HashMap::new();
        let mut stack: Vec<TextRange> = Vec::new();
        for event in ctx.root().preorder_with_tokens() {
            match event {
                rowan::WalkEvent::Enter(rowan::NodeOrToken::Node(node)) => {
                    if ast::Stmt::can_cast(node.kind()) {
                        stack.push(node.text_range());
                    }
                    if let Some(f) = ast::FunctionDef::cast(node) {
                        functions.insert(f.syntax().text_range(), f);
                    }
                }
                rowan::WalkEvent::Leave(rowan::NodeOrToken::Node(node)) => {
                    if ast::Stmt::can_cast(node.kind()) {
                        stack.pop();
                    }
                }
                rowan::WalkEvent::Enter(rowan::NodeOrToken::Token(token)) => {
                    if let Some(&stmt) = stack.last() {
                        if wanted.contains(&token.text_range()) {
                            statements.insert(token.text_range(), stmt);
                        }
                    }
                }
                rowan::WalkEvent::Leave(rowan::NodeOrToken::Token(_)) => {}
            }
        }
        SymbolNodes {
            functions,
            statements,
        }
    }
}

#[allow(deprecated)]
fn scope_symbols(
    ctx: &FileCtx,
    lines: &Lines<'_>,
    nodes: &SymbolNodes,
    scope: ScopeId,
) -> Vec<DocumentSymbol> {
    let scopes = &ctx.file.scopes;
    let mut out = Vec::new();
    for &b in &scopes.scope(scope).bindings {
        let binding = scopes.binding(b);
        let (kind, range, detail, children) = match binding.kind {
            BindingKind::Function => {
                let range = binding.node_range.unwrap_or(binding.decl);
                let children = scopes
                    .function_scope(range)
                    .map(|s| scope_symbols(ctx, lines, nodes, s))
                    .unwrap_or_default();
                let detail = nodes.functions.get(&range).map(function_signature);
                (SymbolKind::FUNCTION, range, detail, children)
            }
            BindingKind::Variable => {
                let range = nodes
                    .statements
                    .get(&binding.decl)
                    .copied()
                    .unwrap_or(binding.decl);
                let constant = binding.name.chars().any(|c| c.is_alphabetic())
                    && !binding.name.chars().any(|c| c.is_lowercase());
                let kind = if constant {
                    SymbolKind::CONSTANT
                } else {
                    SymbolKind::VARIABLE
                };
                (kind, range, None, Vec::new())
            }
            BindingKind::Import => {
                let import = binding.imports.first();
                let range = import.map_or(binding.decl, |i| i.statement);
                (
                    SymbolKind::MODULE,
                    range,
                    import.map(|i| format!("import {}", i.target)),
                    Vec::new(),
                )
            }
            _ => continue,
        };
        let range = if range.contains_range(binding.decl) {
            range
        } else {
            binding.decl
        };
        out.push(DocumentSymbol {
            name: binding.name.clone(),
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: lines.range(range),
            selection_range: lines.range(binding.decl),
            children: (!children.is_empty()).then_some(children),
        });
    }
    out
}

pub fn document_symbols(world: &World, uri: &Uri) -> Option<DocumentSymbolResponse> {
    let ctx = FileCtx::load(world, uri)?;
    let lines = ctx.lines();
    let scope = ctx.file.scopes.module_scope();
    let nodes = SymbolNodes::new(&ctx);
    Some(DocumentSymbolResponse::Nested(scope_symbols(
        &ctx, &lines, &nodes, scope,
    )))
}

/// `abc` matches `aXbYc`: the query's characters in order, ignoring case.
fn fuzzy_match(query: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

pub fn workspace_symbols(world: &World, query: &str) -> Vec<WorkspaceSymbol> {
    let mut files = world.files();
    files.extend(world.open_files());
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for path in files {
        let Some(file) = world.load(&path) else {
            continue;
        };
        let Some(uri) = world.uri_of(&path) else {
            continue;
        };
        let lines = Lines::new(&file.text);
        let container = module_name(world, &path).unwrap_or_else(|| stem(&path));
        for s in &file.symbols.symbols {
            let kind = match s.kind {
                MlSymbolKind::Function { .. } => SymbolKind::FUNCTION,
                MlSymbolKind::Variable => SymbolKind::VARIABLE,
                MlSymbolKind::Import { .. } => continue,
            };
            if !fuzzy_match(query, &s.name) {
                continue;
            }
            out.push(WorkspaceSymbol {
                name: s.name.clone(),
                kind,
                tags: None,
                container_name: Some(container.clone()),
                location: OneOf::Left(Location::new(uri.clone(), lines.range(s.name_range))),
                data: None,
            });
            if out.len() >= 1000 {
                return out;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Document links

pub fn document_links(world: &World, uri: &Uri) -> Option<Vec<DocumentLink>> {
    let ctx = FileCtx::load(world, uri)?;
    let lines = ctx.lines();
    let mut out = Vec::new();
    for import in ctx.file.parse.tree().imports() {
        let Some((spec, range)) = mlpy_modules::graph::import_spec(&import) else {
            continue;
        };
        if let Some(Resolution::Module(located)) = ctx.resolve_in(&spec, Some(&import)) {
            let tooltip = ctx
                .project
                .as_ref()
                .map(|p| p.resolver.display_path(&located.path));
            out.push(DocumentLink {
                range: lines.range(range),
                target: world.uri_of(&located.path),
                tooltip,
                data: None,
            });
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------
// Semantic tokens

/// The token types, in legend order (`docs/lsp.md` lists them).
pub const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
];

/// The token modifiers, in legend order (bit 0 first).
pub const TOKEN_MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::DEFAULT_LIBRARY,
    SemanticTokenModifier::READONLY,
];

const T_NAMESPACE: u32 = 0;
const T_FUNCTION: u32 = 1;
const T_PARAMETER: u32 = 2;
const T_VARIABLE: u32 = 3;
const T_PROPERTY: u32 = 4;
const T_KEYWORD: u32 = 5;
const T_STRING: u32 = 6;
const T_NUMBER: u32 = 7;
const T_COMMENT: u32 = 8;
const T_OPERATOR: u32 = 9;
const M_DECLARATION: u32 = 1;
const M_DEFAULT_LIBRARY: u32 = 2;
const M_READONLY: u32 = 4;

fn binding_token(kind: BindingKind) -> u32 {
    match kind {
        BindingKind::Function => T_FUNCTION,
        BindingKind::Parameter => T_PARAMETER,
        BindingKind::Import => T_NAMESPACE,
        _ => T_VARIABLE,
    }
}

/// What semantic tokens remember while walking a file: the state of every member chain
/// seen (so that `a.b.c…` costs one step per name, not one walk per name) and the
/// modules loaded.
#[derive(Default)]
struct TokenMemo {
    chains: HashMap<TextRange, ChainState>,
    modules: HashMap<PathBuf, Option<std::sync::Arc<mlpy_modules::SourceFile>>>,
}

impl TokenMemo {
    /// The state of the chain that ends with `field`.
    fn field_state(&mut self, ctx: &FileCtx, field: &ast::FieldExpr) -> ChainState {
        if let Some(known) = self.chains.get(&field.syntax().text_range()) {
            return known.clone();
        }
        // Down the receivers to a known state, then up again, one step per name.
        let mut pending = vec![field.clone()];
        let mut state = loop {
            let last = pending.last().expect("never empty");
            match last.receiver() {
                Some(ast::Expr::Field(inner)) => {
                    match self.chains.get(&inner.syntax().text_range()) {
                        Some(known) => break known.clone(),
                        None => pending.push(inner),
                    }
                }
                Some(ast::Expr::Path(path)) => break path_state(ctx, &path),
                _ => break ChainState::Dead,
            }
        };
        for f in pending.iter().rev() {
            state = match f.name_ref().and_then(|n| n.ident_token()) {
                Some(name) => state.next(ctx, name.text()),
                None => ChainState::Dead,
            };
            self.chains.insert(f.syntax().text_range(), state.clone());
        }
        state
    }

    /// What the member name of `field` refers to (as `analysis::field_chain` and
    /// `analysis::chain_target` would say).
    fn field_target(&mut self, ctx: &FileCtx, field: &ast::FieldExpr) -> Option<Target> {
        let name = field.name_ref()?.ident_token()?;
        let receiver = match field.receiver()? {
            ast::Expr::Field(inner) => self.field_state(ctx, &inner),
            ast::Expr::Path(path) => path_state(ctx, &path),
            _ => return None,
        };
        receiver.target(ctx, name.text())
    }

    fn is_function(&mut self, world: &World, module: &Path, name: &str) -> bool {
        self.modules
            .entry(module.to_path_buf())
            .or_insert_with(|| world.load(module))
            .as_ref()
            .and_then(|f| f.symbols.get(name).map(|s| s.is_function()))
            .unwrap_or(false)
    }
}

/// The state of a chain rooted at the name `path`.
fn path_state(ctx: &FileCtx, path: &ast::PathExpr) -> ChainState {
    match path.name_ref().and_then(|n| n.ident_token()) {
        Some(token) => ChainState::root(ctx, token.text_range(), token.text()),
        None => ChainState::Dead,
    }
}

fn classify_token(
    world: &World,
    ctx: &FileCtx,
    memo: &mut TokenMemo,
    token: &SyntaxToken,
) -> Option<(u32, u32)> {
    let kind = token.kind();
    match kind {
        SyntaxKind::COMMENT => return Some((T_COMMENT, 0)),
        SyntaxKind::STRING | SyntaxKind::URL => return Some((T_STRING, 0)),
        SyntaxKind::NUMBER => return Some((T_NUMBER, 0)),
        SyntaxKind::WHITESPACE => return None,
        _ => {}
    }
    let parent = token.parent()?;
    if kind.is_any_word() {
        let scopes = &ctx.file.scopes;
        let range = token.text_range();
        match parent.kind() {
            SyntaxKind::IMPORT_PATH => return Some((T_NAMESPACE, 0)),
            SyntaxKind::NAME => {
                let grand = parent.parent().map(|g| g.kind());
                let token_type = match grand {
                    Some(SyntaxKind::FUNCTION) => T_FUNCTION,
                    Some(SyntaxKind::PARAM) => T_PARAMETER,
                    Some(SyntaxKind::IMPORT_ALIAS) => T_NAMESPACE,
                    Some(SyntaxKind::CAPABILITY_DECL) => T_NAMESPACE,
                    _ => match scopes.nonlocal_target(range) {
                        Some(b) => return Some((binding_token(scopes.binding(b).kind), 0)),
                        None => T_VARIABLE,
                    },
                };
                return Some((token_type, M_DECLARATION));
            }
            SyntaxKind::NAME_REF => {
                let grand = parent.parent()?;
                if grand.kind() == SyntaxKind::FIELD_EXPR {
                    let field = ast::FieldExpr::cast(grand)?;
                    let target = memo.field_target(ctx, &field);
                    return Some(match target {
                        Some(Target::Module(_)) | Some(Target::Stdlib(_)) => (T_NAMESPACE, 0),
                        Some(Target::Member { module, name }) => {
                            let is_function = memo.is_function(world, &module, &name);
                            (if is_function { T_FUNCTION } else { T_VARIABLE }, 0)
                        }
                        Some(Target::StdlibMember { module, name }) => {
                            match manifest::stdlib_member(&module, &name).map(|e| e.kind) {
                                Some(EntryKind::Constant) => {
                                    (T_VARIABLE, M_DEFAULT_LIBRARY | M_READONLY)
                                }
                                _ => (T_FUNCTION, M_DEFAULT_LIBRARY),
                            }
                        }
                        Some(Target::Builtin(_)) => (T_FUNCTION, M_DEFAULT_LIBRARY),
                        _ => (T_PROPERTY, 0),
                    });
                }
                return Some(match scopes.resolve(range) {
                    NameRes::Binding(b) => {
                        let binding = scopes.binding(b);
                        let declaration = if binding.is_def(range) {
                            M_DECLARATION
                        } else {
                            0
                        };
                        (binding_token(binding.kind), declaration)
                    }
                    NameRes::Builtin => (T_FUNCTION, M_DEFAULT_LIBRARY),
                    NameRes::BuiltinModule => (T_NAMESPACE, M_DEFAULT_LIBRARY),
                    NameRes::Null => (T_KEYWORD, 0),
                    NameRes::Unknown => (T_VARIABLE, 0),
                });
            }
            SyntaxKind::OBJECT_FIELD
            | SyntaxKind::CAPABILITY_ALLOW
            | SyntaxKind::CAPABILITY_RESOURCE
                if kind == SyntaxKind::IDENT =>
            {
                return Some((T_PROPERTY, 0));
            }
            _ => {}
        }
        if kind.is_keyword() {
            return Some((T_KEYWORD, 0));
        }
        return None;
    }
    let operator = matches!(
        kind,
        SyntaxKind::EQ
            | SyntaxKind::PIPE2
            | SyntaxKind::AMP2
            | SyntaxKind::EQ2
            | SyntaxKind::NEQ
            | SyntaxKind::LT
            | SyntaxKind::GT
            | SyntaxKind::LTEQ
            | SyntaxKind::GTEQ
            | SyntaxKind::PLUS
            | SyntaxKind::MINUS
            | SyntaxKind::STAR
            | SyntaxKind::SLASH
            | SyntaxKind::SLASH2
            | SyntaxKind::PERCENT
            | SyntaxKind::BANG
            | SyntaxKind::FAT_ARROW
            | SyntaxKind::QUESTION
    );
    operator.then_some((T_OPERATOR, 0))
}

pub fn semantic_tokens(world: &World, uri: &Uri) -> Option<SemanticTokens> {
    let ctx = FileCtx::load(world, uri)?;
    let lines = ctx.lines();
    let text = &*ctx.file.text;
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let mut push = |line: u32, col: u32, len: u32, token_type: u32, modifiers: u32| {
        let delta_line = line - prev_line;
        let delta_start = if delta_line == 0 { col - prev_col } else { col };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: len,
            token_type,
            token_modifiers_bitset: modifiers,
        });
        prev_line = line;
        prev_col = col;
    };
    let mut memo = TokenMemo::default();
    for element in ctx.root().descendants_with_tokens() {
        let Some(token) = element.into_token() else {
            continue;
        };
        let Some((token_type, modifiers)) = classify_token(world, &ctx, &mut memo, &token) else {
            continue;
        };
        // One semantic token per line of a token.
        let range = token.text_range();
        let mut start = range.start();
        while start < range.end() {
            let line = lines.index.line_col(start).line;
            let line_end = lines
                .index
                .line_range(line, text)
                .map_or(range.end(), |r| r.end())
                .min(range.end());
            let begin = lines.position(start);
            let end = lines.position(line_end.max(start));
            if end.character > begin.character {
                push(
                    begin.line,
                    begin.character,
                    end.character - begin.character,
                    token_type,
                    modifiers,
                );
            }
            match lines.index.offset(mlpy_syntax::LineCol {
                line: line + 1,
                col: 0,
            }) {
                Some(next) if next > start => start = next,
                _ => break,
            }
        }
    }
    Some(SemanticTokens {
        result_id: None,
        data,
    })
}

// ---------------------------------------------------------------------------------
// Folding and selection ranges

/// Whether the node's text, trailing whitespace aside, ends with a closing bracket
/// (looking at its last tokens only, not at its whole text).
fn ends_with_bracket(node: &SyntaxNode) -> bool {
    let range = node.text_range();
    let mut token = node.last_token();
    while let Some(t) = token.filter(|t| range.contains_range(t.text_range())) {
        let text = t.text().trim_end();
        if !text.is_empty() {
            return text.ends_with(['}', ']', ')']);
        }
        token = t.prev_token();
    }
    false
}

/// The text and syntax tree of a document: those of its analysis, or for a document
/// over its size limit (which gets syntax only), of its parse alone.
fn syntax_of(world: &World, uri: &Uri) -> Option<(std::sync::Arc<str>, SyntaxNode)> {
    if let Some(parsed) = world.syntax_only(uri) {
        return Some((parsed.text.clone(), parsed.parse.syntax_node()));
    }
    let ctx = FileCtx::load(world, uri)?;
    Some((ctx.file.text.clone(), ctx.root()))
}

pub fn folding_ranges(world: &World, uri: &Uri) -> Option<Vec<FoldingRange>> {
    let (text, root) = syntax_of(world, uri)?;
    let lines = Lines::new(&text);
    let line_of = |offset: TextSize| lines.index.line_col(offset).line;
    let mut out = Vec::new();
    let fold = |start: u32, end: u32, kind: Option<FoldingRangeKind>| FoldingRange {
        start_line: start,
        start_character: None,
        end_line: end,
        end_character: None,
        kind,
        collapsed_text: None,
    };
    for node in root.descendants() {
        if matches!(
            node.kind(),
            SyntaxKind::BLOCK
                | SyntaxKind::OBJECT_EXPR
                | SyntaxKind::ARRAY_EXPR
                | SyntaxKind::ARG_LIST
                | SyntaxKind::IMPORT_CONFIG
        ) {
            let range = node.text_range();
            let (start, end) = (line_of(range.start()), line_of(range.end()));
            // Keep the closing bracket's line visible.
            if end > start + 1 || (end == start + 1 && !ends_with_bracket(&node)) {
                out.push(fold(start, end - 1, None));
            }
        }
    }
    // Runs of comment lines and of imports.
    let mut run: Option<(u32, u32, bool)> = None;
    let flush = |run: &mut Option<(u32, u32, bool)>, out: &mut Vec<FoldingRange>| {
        if let Some((s, e, comment)) = run.take() {
            if e > s {
                let kind = if comment {
                    FoldingRangeKind::Comment
                } else {
                    FoldingRangeKind::Imports
                };
                out.push(fold(s, e, Some(kind)));
            }
        }
    };
    for element in root.children_with_tokens() {
        let (kind, range) = (element.kind(), element.text_range());
        let is_comment = kind == SyntaxKind::COMMENT;
        let is_import = kind == SyntaxKind::IMPORT;
        if kind == SyntaxKind::WHITESPACE {
            // A blank line ends a run.
            if element.to_string().matches('\n').count() > 1 {
                flush(&mut run, &mut out);
            }
            continue;
        }
        let (s, e) = (line_of(range.start()), line_of(range.end()));
        match (&mut run, is_comment || is_import) {
            (Some((_, end, comment)), true) if *comment == is_comment && s <= *end + 1 => *end = e,
            (_, true) => {
                flush(&mut run, &mut out);
                run = Some((s, e, is_comment));
            }
            (_, false) => flush(&mut run, &mut out),
        }
        // Comments inside statements are not at the top level: fine.
    }
    flush(&mut run, &mut out);
    out.sort_by_key(|f| (f.start_line, f.end_line));
    out.dedup_by_key(|f| (f.start_line, f.end_line));
    Some(out)
}

pub fn selection_ranges(
    world: &World,
    uri: &Uri,
    positions: &[Position],
) -> Option<Vec<SelectionRange>> {
    let (text, root) = syntax_of(world, uri)?;
    let lines = Lines::new(&text);
    let mut out = Vec::new();
    for &position in positions {
        let offset = lines.offset(position);
        let mut ranges: Vec<TextRange> = Vec::new();
        let token = match root.token_at_offset(offset) {
            rowan::TokenAtOffset::None => None,
            rowan::TokenAtOffset::Single(t) => Some(t),
            rowan::TokenAtOffset::Between(l, r) => {
                Some(if r.kind().is_trivia() && !l.kind().is_trivia() {
                    l
                } else {
                    r
                })
            }
        };
        if let Some(token) = token {
            if !token.kind().is_trivia() {
                ranges.push(token.text_range());
            }
            for node in token.parent_ancestors() {
                let r = node.text_range();
                if ranges.last() != Some(&r) {
                    ranges.push(r);
                }
            }
        } else {
            ranges.push(TextRange::empty(offset));
        }
        let mut selection: Option<SelectionRange> = None;
        for r in ranges.into_iter().rev() {
            selection = Some(SelectionRange {
                range: lines.range(r),
                parent: selection.map(Box::new),
            });
        }
        out.push(selection?);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------
// Code actions

/// Every import of the file: its spec and the range of its path or URL, in order.
fn imports_of(ctx: &FileCtx) -> Vec<(ImportSpec, TextRange)> {
    ctx.file
        .parse
        .tree()
        .imports()
        .filter_map(|import| mlpy_modules::graph::import_spec(&import))
        .collect()
}

/// The first import whose path or URL covers, is inside, or touches `range`: a binary
/// search, the imports being in order.
fn import_at(
    imports: &[(ImportSpec, TextRange)],
    range: TextRange,
) -> Option<(ImportSpec, TextRange)> {
    let first = imports.partition_point(|(_, target)| target.end() < range.start());
    imports
        .get(first)
        .filter(|(_, target)| target.start() <= range.end())
        .cloned()
}

fn quick_fix(
    title: String,
    edit: WorkspaceEdit,
    diagnostic: Option<&Diagnostic>,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: diagnostic.map(|d| vec![d.clone()]),
        edit: Some(edit),
        is_preferred: None,
        ..Default::default()
    })
}

/// The text of `mlpy.json` with `folder` added to `import_paths` (creating the key with
/// the default `"."` first when absent).
pub fn add_import_path(config_text: Option<&str>, folder: &str) -> String {
    let quoted = serde_json::to_string(folder).unwrap_or_else(|_| format!("\"{folder}\""));
    let Some(text) = config_text else {
        return format!("{{\n  \"import_paths\": [{quoted}]\n}}\n");
    };
    if let Some(key) = text.find("\"import_paths\"") {
        if let Some(open) = text[key..].find('[').map(|i| key + i) {
            if let Some(close) = text[open..].find(']').map(|i| open + i) {
                let inside = text[open + 1..close].trim();
                let insertion = if inside.is_empty() {
                    quoted
                } else {
                    format!(", {quoted}")
                };
                let at = open + 1 + text[open + 1..close].trim_end().len();
                return format!("{}{insertion}{}", &text[..at], &text[at..]);
            }
        }
    }
    match text.find('{') {
        Some(open) => {
            let rest = text[open + 1..].trim_start();
            let comma = if rest.starts_with('}') { "" } else { "," };
            format!(
                "{}\n  \"import_paths\": [\".\", {quoted}]{comma}{}",
                &text[..=open],
                &text[open + 1..]
            )
        }
        None => format!("{{\n  \"import_paths\": [\".\", {quoted}]\n}}\n"),
    }
}

fn whole_file_edit(uri: Uri, old: &str, new: String) -> TextEdit {
    let lines = Lines::new(old);
    let _ = uri;
    TextEdit::new(lines.range(TextRange::up_to(TextSize::of(old))), new)
}

fn unresolved_import_fixes(
    world: &World,
    ctx: &FileCtx,
    parts: &[String],
    diagnostic: Option<&Diagnostic>,
    create_files: bool,
    out: &mut Vec<CodeActionOrCommand>,
) {
    let Some(project) = &ctx.project else { return };
    let Some(importer) = &ctx.path else { return };
    let config = &project.config;
    let rel = |p: &Path| -> String {
        p.strip_prefix(&config.root)
            .map(|r| {
                if r.as_os_str().is_empty() {
                    ".".to_string()
                } else {
                    r.display().to_string()
                }
            })
            .unwrap_or_else(|_| p.display().to_string())
    };
    // 1. Create the module in the first import root (or beside the importer).
    let base = project
        .resolver
        .import_roots()
        .iter()
        .find_map(|r| r.canonical.clone())
        .or_else(|| importer.parent().map(Path::to_path_buf));
    if let Some(base) = base {
        let [file, _] = FileProtocol::candidates(&base, parts);
        // Only for clients that can create files (VS Code and Neovim can).
        if let (Some(uri), true) = (Uri::from_file_path(&file), create_files) {
            let title = format!("Create module {}", project.resolver.display_path(&file));
            let edit = WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri,
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                ])),
                ..Default::default()
            };
            out.push(quick_fix(title, edit, diagnostic));
        }
    }
    // 2. The module exists in a folder that is not searched: add that folder.
    let mut folders: Vec<PathBuf> = Vec::new();
    let suffix: PathBuf = parts.iter().collect();
    let file_suffix = suffix.with_extension("ml");
    let package_suffix = suffix.join("__init__.ml");
    let mut candidates: Vec<PathBuf> = world.files();
    candidates.extend(world.open_files());
    for f in candidates {
        for s in [&file_suffix, &package_suffix] {
            if f.ends_with(s) {
                let mut folder = f.clone();
                for _ in 0..s.components().count() {
                    folder.pop();
                }
                if folder.starts_with(&config.root) && !folders.contains(&folder) {
                    folders.push(folder);
                }
            }
        }
    }
    let config_path = config
        .config_file
        .clone()
        .unwrap_or_else(|| config.root.join(mlpy_modules::config::CONFIG_FILE_NAME));
    let Some(config_uri) = world.uri_of(&config_path) else {
        return;
    };
    for folder in folders {
        let shown = rel(&folder);
        let title = format!("Add \"{shown}\" to import_paths in mlpy.json");
        let old = std::fs::read_to_string(&config_path).ok();
        let new = add_import_path(old.as_deref(), &shown);
        let edit = match (&old, create_files) {
            (Some(old), _) => WorkspaceEdit::new(HashMap::from([(
                config_uri.clone(),
                vec![whole_file_edit(config_uri.clone(), old, new)],
            )])),
            (None, true) => WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: config_uri.clone(),
                        options: None,
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri: config_uri.clone(),
                            version: None,
                        },
                        edits: vec![OneOf::Left(TextEdit::new(Range::default(), new))],
                    }),
                ])),
                ..Default::default()
            },
            (None, false) => continue,
        };
        out.push(quick_fix(title, edit, diagnostic));
    }
}

pub fn code_actions(
    world: &World,
    params: &CodeActionParams,
    create_files: bool,
) -> Option<CodeActionResponse> {
    let ctx = FileCtx::load(world, &params.text_document.uri)?;
    let lines = ctx.lines();
    let mut out = Vec::new();
    let wanted = lines.text_range(params.range);
    let imports = imports_of(&ctx);
    // From the diagnostics the client sent, else from what is at the range.
    let mut handled_import = false;
    for d in &params.context.diagnostics {
        let code = match &d.code {
            Some(NumberOrString::String(s)) => s.as_str(),
            _ => continue,
        };
        let range = lines.text_range(d.range);
        match code {
            "unresolved-import" => {
                if let Some((ImportSpec::Dotted(parts), _)) = import_at(&imports, range) {
                    unresolved_import_fixes(world, &ctx, &parts, Some(d), create_files, &mut out);
                    handled_import = true;
                }
            }
            "remote-not-cached" => {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: "Fetch remote modules (mlpy fetch)".into(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    command: Some(Command {
                        title: "Fetch remote modules".into(),
                        command: crate::backend::FETCH_MODULES.into(),
                        arguments: Some(vec![json!(ctx.uri.as_str())]),
                    }),
                    ..Default::default()
                }));
            }
            "unknown-member" => {
                if let Some(name) = d.message.lines().find_map(|l| {
                    l.strip_prefix("did you mean '")
                        .and_then(|r| r.strip_suffix("'?"))
                }) {
                    let edit = WorkspaceEdit::new(HashMap::from([(
                        ctx.uri.clone(),
                        vec![TextEdit::new(d.range, name.to_string())],
                    )]));
                    out.push(quick_fix(format!("Change to '{name}'"), edit, Some(d)));
                }
            }
            _ => {}
        }
    }
    if !handled_import {
        if let Some((ImportSpec::Dotted(parts), _)) = import_at(&imports, wanted) {
            let spec = dotted(&parts);
            let path = ctx.path.clone();
            let unresolved = match (&ctx.project, &path) {
                (Some(p), Some(path)) => matches!(
                    p.resolver.resolve(&spec, path, &mlpy_modules::Origin::File),
                    Err(ResolveError::NotFound { .. })
                ),
                _ => false,
            };
            if unresolved {
                unresolved_import_fixes(world, &ctx, &parts, None, create_files, &mut out);
            }
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------
// Commands

fn uri_argument(arguments: &[Value]) -> Result<Uri, String> {
    let value = arguments
        .first()
        .ok_or("expected a document URI as the first argument")?;
    let text = value
        .as_str()
        .or_else(|| value.get("uri").and_then(Value::as_str))
        .ok_or("expected a document URI as the first argument")?;
    text.parse::<Uri>()
        .map_err(|e| format!("'{text}' is not a URI: {e}"))
}

fn graph_for(world: &World, uri: &Uri) -> Result<(PathBuf, ModuleGraph), String> {
    let path = World::path_of(uri).ok_or_else(|| format!("'{}' is not a file", uri.as_str()))?;
    let project = world.project_for(&path);
    let graph =
        ModuleGraph::build(&path, &project.resolver, &world.cache).map_err(|e| e.to_string())?;
    Ok((path, graph))
}

pub fn execute_command(world: &World, command: &str, arguments: &[Value]) -> Result<Value, String> {
    match command {
        crate::backend::EMIT_PYTHON => {
            let uri = uri_argument(arguments)?;
            let (path, graph) = graph_for(world, &uri)?;
            let project = world.project_for(&path);
            let options = mlpy_transpile::Options::new(&project.config);
            match mlpy_transpile::transpile_single(&graph, &options) {
                Ok(out) => Ok(json!({ "python": out.text })),
                Err(diagnostics) => {
                    let mut texts: HashMap<PathBuf, String> = HashMap::new();
                    let errors: Vec<Value> = diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| {
                            let text = texts.entry(d.file.clone()).or_insert_with(|| {
                                graph
                                    .by_path(&d.file)
                                    .map(|m| m.file.text.to_string())
                                    .or_else(|| world.load(&d.file).map(|f| f.text.to_string()))
                                    .unwrap_or_default()
                            });
                            let range = Lines::new(text).range(d.range);
                            let uri = world.uri_of(&d.file).map(|u| u.as_str().to_string());
                            let mut message = d.message.clone();
                            for note in &d.notes {
                                message.push('\n');
                                message.push_str(note);
                            }
                            json!({ "uri": uri, "range": range, "message": message, "code": d.code })
                        })
                        .collect();
                    Ok(json!({ "errors": errors }))
                }
            }
        }
        crate::backend::SHOW_MODULE_GRAPH => {
            let uri = uri_argument(arguments)?;
            let (path, graph) = graph_for(world, &uri)?;
            let project = world.project_for(&path);
            let display = |p: &Path| project.resolver.display_path(p);
            Ok(json!({
                "graph": mlpy_modules::report::json(&graph),
                "tree": mlpy_modules::report::tree(&graph, &display),
            }))
        }
        crate::backend::FETCH_MODULES => {
            let uri = uri_argument(arguments)?;
            let path =
                World::path_of(&uri).ok_or_else(|| format!("'{}' is not a file", uri.as_str()))?;
            let project = world.project_for(&path);
            // Online, as `mlpy fetch`: downloads what the file reaches, records mlpy.lock.
            let options = mlpy_remote::RemoteOptions::from_env();
            let report = mlpy_remote::fetch(&path, project.config.clone(), options)
                .map_err(|e| e.to_string())?;
            let errors: Vec<Value> = report
                .errors
                .iter()
                .map(|(module, e)| json!({"module": module, "message": e.to_string()}))
                .collect();
            Ok(json!({ "modules": report.modules, "errors": errors }))
        }
        other => Err(format!("unknown command '{other}'")),
    }
}
