//! What a name means, across modules: the target of a name (local binding, module,
//! member of a user module, standard-library or builtin name), definitions, references
//! and rename.
//!
//! Imports are resolved with the project's resolver (the CLI's), one at a time and
//! memoised, so these answers never need a module graph.

use crate::convert::Lines;
use crate::world::{Project, World};
use mlpy_modules::scopes::{BindingId, BindingKind, NameRes};
use mlpy_modules::{ImportSpec, Origin, Resolution, SourceFile};
use mlpy_syntax::ast::{self, AstNode, Expr};
use mlpy_syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};
use rowan::TokenAtOffset;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use tower_lsp_server::ls_types::{
    Location, Position, PrepareRenameResponse, Range, TextEdit, Uri, WorkspaceEdit,
};

/// One file as the features see it.
pub struct FileCtx {
    pub uri: Uri,
    /// `None` for documents that are not files (`untitled:`).
    pub path: Option<PathBuf>,
    pub file: Arc<SourceFile>,
    pub project: Option<Arc<Project>>,
    /// What each import binding reaches, computed once per request.
    reach: RefCell<HashMap<BindingId, Rc<Reach>>>,
}

impl FileCtx {
    /// The document at `uri`: the editor's text when open, else the file on disk.
    pub fn load(world: &World, uri: &Uri) -> Option<FileCtx> {
        // A document over its size limit is never analysed (see `World::oversized`).
        if world.oversized(uri).is_some() {
            return None;
        }
        let path = World::path_of(uri);
        if let Some(path) = &path {
            if let Some(file) = world.load(path) {
                return Some(FileCtx {
                    uri: uri.clone(),
                    path: Some(path.clone()),
                    file,
                    project: Some(world.project_for(path)),
                    reach: RefCell::default(),
                });
            }
        }
        let (text, _) = world.doc_text(uri)?;
        Some(FileCtx {
            uri: uri.clone(),
            path: None,
            file: Arc::new(SourceFile::new(Path::new("untitled.ml"), text)),
            project: None,
            reach: RefCell::default(),
        })
    }

    /// The module at `path`, as a context of its own.
    pub fn for_path(world: &World, path: &Path) -> Option<FileCtx> {
        let file = world.load(path)?;
        Some(FileCtx {
            uri: world.uri_of(path)?,
            path: Some(path.to_path_buf()),
            file,
            project: Some(world.project_for(path)),
            reach: RefCell::default(),
        })
    }

    pub fn lines(&self) -> Lines<'_> {
        Lines::new(&self.file.text)
    }

    pub fn root(&self) -> SyntaxNode {
        self.file.parse.syntax_node()
    }

    /// What `spec` names when imported from this file.
    pub fn resolve(&self, spec: &ImportSpec) -> Option<Resolution> {
        self.resolve_in(spec, None)
    }

    /// What `spec` names when imported by `import` (whose option block applies: `verify`,
    /// `auth`, `cache` of remote imports).
    pub fn resolve_in(
        &self,
        spec: &ImportSpec,
        import: Option<&ast::Import>,
    ) -> Option<Resolution> {
        let (path, project) = (self.path.as_ref()?, self.project.as_ref()?);
        let options = import
            .and_then(|i| mlpy_modules::graph::import_options(i).ok())
            .unwrap_or_default();
        project
            .resolver
            .resolve_with(spec, &options, path, &Origin::File)
            .ok()
    }

    /// The import statement whose whole range is `statement`.
    pub fn import_at(&self, statement: TextRange) -> Option<ast::Import> {
        self.root()
            .covering_element(statement)
            .ancestors()
            .filter_map(ast::Import::cast)
            .find(|i| i.syntax().text_range() == statement)
    }
}

/// What a name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A binding of the file itself.
    Local(BindingId),
    /// A module file.
    Module(PathBuf),
    /// A top-level name of a user module.
    Member {
        module: PathBuf,
        name: String,
    },
    Stdlib(String),
    StdlibMember {
        module: String,
        name: String,
    },
    Builtin(String),
    /// `builtin`, the module of the builtins.
    BuiltinModule,
}

/// A name in the text and what it refers to.
#[derive(Debug, Clone)]
pub struct NameAt {
    pub token: SyntaxToken,
    pub range: TextRange,
    pub target: Option<Target>,
    /// A segment of an import path (or its URL).
    pub in_import_path: bool,
}

/// The word (name, keyword used as a name, URL) at `offset`, preferring the one that
/// starts there.
pub fn word_at(root: &SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    let is_word = |t: &SyntaxToken| t.kind().is_any_word() || t.kind() == SyntaxKind::URL;
    if offset > root.text_range().end() {
        return None;
    }
    match root.token_at_offset(offset) {
        TokenAtOffset::None => None,
        TokenAtOffset::Single(t) => is_word(&t).then_some(t),
        TokenAtOffset::Between(l, r) => {
            if is_word(&r) {
                Some(r)
            } else if is_word(&l) {
                Some(l)
            } else {
                None
            }
        }
    }
}

pub fn dotted(parts: &[String]) -> ImportSpec {
    ImportSpec::Dotted(parts.to_vec())
}

fn module_target(resolution: Option<Resolution>) -> Option<Target> {
    match resolution? {
        Resolution::Module(located) => Some(Target::Module(located.path)),
        Resolution::Stdlib(name) => Some(Target::Stdlib(name)),
        Resolution::Python(_) => None,
    }
}

/// What the name at `offset` refers to.
pub fn classify(ctx: &FileCtx, offset: TextSize) -> Option<NameAt> {
    let root = ctx.root();
    let token = word_at(&root, offset)?;
    let parent = token.parent()?;
    let range = token.text_range();
    let scopes = &ctx.file.scopes;
    let mut in_import_path = false;
    let target = match parent.kind() {
        SyntaxKind::IMPORT_PATH => {
            in_import_path = true;
            let path = ast::ImportPath::cast(parent)?;
            let segments: Vec<SyntaxToken> = path.segments().collect();
            let index = segments.iter().position(|s| *s == token)?;
            let parts: Vec<String> = segments[..=index]
                .iter()
                .map(|t| t.text().to_string())
                .collect();
            let import = path.syntax().parent().and_then(ast::Import::cast);
            let whole = index + 1 == segments.len();
            let own = if whole { import.as_ref() } else { None };
            match module_target(ctx.resolve_in(&dotted(&parts), own)) {
                Some(t) => Some(t),
                // A folder on the way (no `__init__.ml`): the imported module.
                None if !whole => {
                    let all: Vec<String> = segments.iter().map(|t| t.text().to_string()).collect();
                    module_target(ctx.resolve_in(&dotted(&all), import.as_ref()))
                }
                None => None,
            }
        }
        SyntaxKind::IMPORT if token.kind() == SyntaxKind::URL => {
            in_import_path = true;
            let import = ast::Import::cast(parent.clone());
            module_target(
                ctx.resolve_in(&ImportSpec::Url(token.text().to_string()), import.as_ref()),
            )
        }
        SyntaxKind::NAME => scopes
            .binding_defined_at(range)
            .or_else(|| scopes.nonlocal_target(range))
            .map(Target::Local),
        SyntaxKind::NAME_REF => {
            let grand = parent.parent()?;
            match grand.kind() {
                SyntaxKind::PATH_EXPR => match scopes.resolve(range) {
                    NameRes::Binding(b) => Some(Target::Local(b)),
                    NameRes::Builtin => Some(Target::Builtin(token.text().to_string())),
                    NameRes::BuiltinModule => Some(Target::BuiltinModule),
                    _ => None,
                },
                SyntaxKind::FIELD_EXPR => {
                    let field = ast::FieldExpr::cast(grand)?;
                    let (root_ref, names) = field_chain(&field)?;
                    chain_target(ctx, root_ref, &names)
                }
                _ => None,
            }
        }
        _ => None,
    };
    Some(NameAt {
        token,
        range,
        target,
        in_import_path,
    })
}

/// `a.b.c` for the field expression `… .c`: the range of the root name and every name.
pub fn field_chain(field: &ast::FieldExpr) -> Option<(TextRange, Vec<String>)> {
    let mut names = vec![field.name_ref()?.ident_token()?.text().to_string()];
    let mut expr = field.receiver()?;
    let root = loop {
        match expr {
            Expr::Field(f) => {
                names.push(f.name_ref()?.ident_token()?.text().to_string());
                expr = f.receiver()?;
            }
            Expr::Path(p) => {
                let token = p.name_ref()?.ident_token()?;
                names.push(token.text().to_string());
                break token.text_range();
            }
            _ => return None,
        }
    };
    names.reverse();
    Some((root, names))
}

/// What the last of `names` refers to, where `names[0]` is the name used at `root_ref`.
pub fn chain_target(ctx: &FileCtx, root_ref: TextRange, names: &[String]) -> Option<Target> {
    match ctx.file.scopes.resolve(root_ref) {
        NameRes::Binding(b) => member_target(ctx, b, names),
        NameRes::BuiltinModule if names.len() == 2 => Some(Target::Builtin(names[1].clone())),
        _ => None,
    }
}

/// The import specs a binding reaches, by the dotted prefix written in code: `import a.b`
/// reaches `a` and `a.b`; `import a.b as x` reaches `x`. When several imports reach the
/// same prefix, the first one counts.
pub struct Reach {
    /// The prefix, its spec, and the import statement whose option block applies.
    entries: Vec<(String, ImportSpec, Option<TextRange>)>,
    by_prefix: HashMap<String, usize>,
    /// What each entry resolves to, once asked.
    resolved: Vec<OnceCell<Option<Resolution>>>,
}

impl Reach {
    fn new(ctx: &FileCtx, binding: BindingId) -> Reach {
        let b = ctx.file.scopes.binding(binding);
        let mut entries = Vec::new();
        let mut by_prefix = HashMap::new();
        let mut add = |prefix: String, spec: ImportSpec, statement: Option<TextRange>| {
            if !by_prefix.contains_key(&prefix) {
                by_prefix.insert(prefix.clone(), entries.len());
                entries.push((prefix, spec, statement));
            }
        };
        for import in &b.imports {
            let statement = Some(import.statement);
            if import.target.contains("://") {
                add(
                    b.name.clone(),
                    ImportSpec::Url(import.target.clone()),
                    statement,
                );
                continue;
            }
            let parts: Vec<String> = import.target.split('.').map(String::from).collect();
            if import.aliased {
                add(b.name.clone(), dotted(&parts), statement);
            } else {
                for i in 1..=parts.len() {
                    let own = if i == parts.len() { statement } else { None };
                    add(parts[..i].join("."), dotted(&parts[..i]), own);
                }
            }
        }
        let resolved = entries.iter().map(|_| OnceCell::new()).collect();
        Reach {
            entries,
            by_prefix,
            resolved,
        }
    }

    fn has(&self, prefix: &str) -> bool {
        self.by_prefix.contains_key(prefix)
    }

    /// What the module reached as `prefix` resolves to.
    fn target_of(&self, ctx: &FileCtx, prefix: &str) -> Option<Resolution> {
        let &i = self.by_prefix.get(prefix)?;
        self.resolved[i]
            .get_or_init(|| {
                let (_, spec, statement) = &self.entries[i];
                let import = statement.and_then(|s| ctx.import_at(s));
                ctx.resolve_in(spec, import.as_ref())
            })
            .clone()
    }
}

/// What an import binding reaches (computed once per binding and context).
fn reachable(ctx: &FileCtx, binding: BindingId) -> Rc<Reach> {
    if let Some(reach) = ctx.reach.borrow().get(&binding) {
        return reach.clone();
    }
    let reach = Rc::new(Reach::new(ctx, binding));
    ctx.reach.borrow_mut().insert(binding, reach.clone());
    reach
}

/// How far a member chain (`a.b.c`) is: still a module prefix that its import binding
/// reaches (`a.b` of `import a.b.c`), the module `builtin`, or past any module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainState {
    Prefix(BindingId, String),
    BuiltinModule,
    Dead,
}

impl ChainState {
    /// The state of a chain's root name (the NAME_REF's range).
    pub fn root(ctx: &FileCtx, root_ref: TextRange, name: &str) -> ChainState {
        match ctx.file.scopes.resolve(root_ref) {
            NameRes::Binding(b) if ctx.file.scopes.binding(b).kind == BindingKind::Import => {
                ChainState::Prefix(b, name.to_string())
            }
            NameRes::BuiltinModule => ChainState::BuiltinModule,
            _ => ChainState::Dead,
        }
    }

    /// The state of the chain `….name`, where `self` is the state of `…`: a chain
    /// costs one step per name.
    pub fn next(&self, ctx: &FileCtx, name: &str) -> ChainState {
        match self {
            ChainState::Prefix(b, prefix) => {
                let extended = format!("{prefix}.{name}");
                if reachable(ctx, *b).has(&extended) {
                    ChainState::Prefix(*b, extended)
                } else {
                    ChainState::Dead
                }
            }
            _ => ChainState::Dead,
        }
    }

    /// What `….name` refers to, where `self` is the state of `…`.
    pub fn target(&self, ctx: &FileCtx, name: &str) -> Option<Target> {
        match self {
            ChainState::Prefix(b, prefix) => {
                let reach = reachable(ctx, *b);
                let extended = format!("{prefix}.{name}");
                if reach.has(&extended) {
                    return module_target(reach.target_of(ctx, &extended));
                }
                match reach.target_of(ctx, prefix)? {
                    Resolution::Module(located) => Some(Target::Member {
                        module: located.path,
                        name: name.to_string(),
                    }),
                    Resolution::Stdlib(module) => Some(Target::StdlibMember {
                        module,
                        name: name.to_string(),
                    }),
                    Resolution::Python(_) => None,
                }
            }
            ChainState::BuiltinModule => Some(Target::Builtin(name.to_string())),
            ChainState::Dead => None,
        }
    }
}

/// What `names` (rooted at the binding `binding`) refers to: a module, a member of one,
/// or the binding itself when it is not an import.
pub fn member_target(ctx: &FileCtx, binding: BindingId, names: &[String]) -> Option<Target> {
    let b = ctx.file.scopes.binding(binding);
    if b.kind != BindingKind::Import {
        return (names.len() == 1).then_some(Target::Local(binding));
    }
    let (first, rest) = names.split_first()?;
    let Some((last, middle)) = rest.split_last() else {
        return module_target(reachable(ctx, binding).target_of(ctx, first));
    };
    let mut state = ChainState::Prefix(binding, first.clone());
    for name in middle {
        state = state.next(ctx, name);
        if state == ChainState::Dead {
            return None;
        }
    }
    state.target(ctx, last)
}

fn location(world: &World, path: &Path, range: TextRange) -> Option<Location> {
    let file = world.load(path)?;
    let lines = Lines::new(&file.text);
    Some(Location::new(world.uri_of(path)?, lines.range(range)))
}

fn file_start(world: &World, path: &Path) -> Option<Location> {
    Some(Location::new(world.uri_of(path)?, Range::default()))
}

/// Where a target is defined.
pub fn target_location(world: &World, ctx: &FileCtx, target: &Target) -> Option<Location> {
    match target {
        Target::Local(b) => {
            let binding = ctx.file.scopes.binding(*b);
            if binding.kind == BindingKind::Import {
                if let Some(Target::Module(path)) =
                    member_target(ctx, *b, std::slice::from_ref(&binding.name))
                {
                    return file_start(world, &path);
                }
            }
            Some(Location::new(
                ctx.uri.clone(),
                ctx.lines().range(binding.decl),
            ))
        }
        Target::Module(path) => file_start(world, path),
        Target::Member { module, name } => {
            let file = world.load(module)?;
            match file.symbols.get(name) {
                Some(symbol) => location(world, module, symbol.name_range),
                None => file_start(world, module),
            }
        }
        _ => None,
    }
}

pub fn definition(world: &World, uri: &Uri, position: Position) -> Option<Vec<Location>> {
    let ctx = FileCtx::load(world, uri)?;
    let offset = ctx.lines().offset(position);
    let at = classify(&ctx, offset)?;
    let target = at.target?;
    Some(vec![target_location(world, &ctx, &target)?])
}

/// The files references may be in: the workspace's and the open ones.
fn candidate_files(world: &World) -> Vec<PathBuf> {
    let mut files = world.files();
    for p in world.open_files() {
        if let Err(i) = files.binary_search(&p) {
            files.insert(i, p);
        }
    }
    files
}

/// Every use of the member `name` of `module` in `ctx` (through its imports).
fn member_uses_in(ctx: &FileCtx, module: &Path, name: &str) -> Vec<TextRange> {
    let scopes = &ctx.file.scopes;
    let root = ctx.root();
    let mut out = Vec::new();
    for (range, _, res) in scopes.uses() {
        let NameRes::Binding(b) = res else { continue };
        if scopes.binding(b).kind != BindingKind::Import {
            continue;
        }
        let Some(token) = root.covering_element(range).into_token() else {
            continue;
        };
        let Some(path) = token.parent().and_then(|p| p.parent()) else {
            continue;
        };
        // Climb the member chain rooted at this use, one step per member.
        let mut state = ChainState::Prefix(b, token.text().to_string());
        let mut node = path;
        while let Some(field) = node.parent().and_then(ast::FieldExpr::cast) {
            if field.receiver().is_none_or(|r| r.syntax() != &node) {
                break;
            }
            let Some(member) = field.name_ref().and_then(|n| n.ident_token()) else {
                break;
            };
            if member.text() == name {
                let wanted = Target::Member {
                    module: module.to_path_buf(),
                    name: name.to_string(),
                };
                if state.target(ctx, name) == Some(wanted) {
                    out.push(member.text_range());
                }
            }
            state = state.next(ctx, member.text());
            if state == ChainState::Dead {
                break;
            }
            node = field.syntax().clone();
        }
    }
    out
}

/// Every place that names the top-level `name` of `module`: its definitions (when
/// `include_definitions`), its uses in the module and its uses in every importer.
pub fn symbol_references(
    world: &World,
    module: &Path,
    name: &str,
    include_definitions: bool,
) -> Vec<(PathBuf, TextRange)> {
    let mut out = Vec::new();
    if let Some(file) = world.load(module) {
        if let Some(b) = file.scopes.module_binding(name) {
            if include_definitions {
                out.extend(
                    file.scopes
                        .binding(b)
                        .defs
                        .iter()
                        .map(|r| (module.to_path_buf(), *r)),
                );
            }
            out.extend(
                binding_uses(&file, b)
                    .into_iter()
                    .map(|r| (module.to_path_buf(), r)),
            );
        }
    }
    for path in candidate_files(world) {
        if path == module {
            continue;
        }
        let Some(file) = world.load(&path) else {
            continue;
        };
        if !file.text.contains(name) {
            continue;
        }
        let Some(ctx) = FileCtx::for_path(world, &path) else {
            continue;
        };
        out.extend(
            member_uses_in(&ctx, module, name)
                .into_iter()
                .map(|r| (path.clone(), r)),
        );
    }
    out.sort_by(|a, b| (&a.0, a.1.start()).cmp(&(&b.0, b.1.start())));
    out.dedup();
    out
}

/// Uses of a binding, `nonlocal` declarations naming it included.
fn binding_uses(file: &SourceFile, b: BindingId) -> Vec<TextRange> {
    let scopes = &file.scopes;
    let mut out: Vec<TextRange> = scopes.references(b).to_vec();
    for scope in &scopes.scopes {
        for (_, range) in &scope.nonlocals {
            if scopes.nonlocal_target(*range) == Some(b) {
                out.push(*range);
            }
        }
    }
    out
}

/// Every import statement of the workspace that names `module`.
fn module_references(world: &World, module: &Path) -> Vec<(PathBuf, TextRange)> {
    let mut out = Vec::new();
    for path in candidate_files(world) {
        let Some(ctx) = FileCtx::for_path(world, &path) else {
            continue;
        };
        for import in ctx.file.parse.tree().imports() {
            let Some((spec, range)) = mlpy_modules::graph::import_spec(&import) else {
                continue;
            };
            if let Some(Resolution::Module(located)) = ctx.resolve_in(&spec, Some(&import)) {
                if located.path == module {
                    out.push((path.clone(), range));
                }
            }
        }
    }
    out
}

/// Whether a binding is a top-level name other modules can reach.
fn is_exported(ctx: &FileCtx, b: BindingId) -> bool {
    let binding = ctx.file.scopes.binding(b);
    binding.scope == ctx.file.scopes.module_scope()
        && binding.kind != BindingKind::Import
        && ctx.path.is_some()
}

/// The places of a target, as files and ranges.
fn reference_ranges(
    world: &World,
    ctx: &FileCtx,
    target: &Target,
    include_declaration: bool,
) -> Option<Vec<(PathBuf, TextRange)>> {
    let here = ctx
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(ctx.uri.as_str()));
    match target {
        Target::Local(b) if is_exported(ctx, *b) => {
            let name = &ctx.file.scopes.binding(*b).name;
            Some(symbol_references(world, &here, name, include_declaration))
        }
        Target::Local(b) => {
            let binding = ctx.file.scopes.binding(*b);
            let mut out: Vec<(PathBuf, TextRange)> = Vec::new();
            if include_declaration {
                out.extend(binding.defs.iter().map(|r| (here.clone(), *r)));
            }
            out.extend(
                binding_uses(&ctx.file, *b)
                    .into_iter()
                    .map(|r| (here.clone(), r)),
            );
            out.sort_by_key(|(_, r)| r.start());
            out.dedup();
            Some(out)
        }
        Target::Member { module, name } => {
            Some(symbol_references(world, module, name, include_declaration))
        }
        Target::Module(path) => Some(module_references(world, path)),
        _ => None,
    }
}

fn to_locations(world: &World, ctx: &FileCtx, ranges: Vec<(PathBuf, TextRange)>) -> Vec<Location> {
    let here = |path: &PathBuf| Some(path) == ctx.path.as_ref() || ctx.path.is_none();
    // Every other file once, then one line index per file.
    let mut files: HashMap<PathBuf, Option<(Arc<SourceFile>, Uri)>> = HashMap::new();
    for (path, _) in &ranges {
        if !here(path) && !files.contains_key(path) {
            let file = world.load(path).zip(world.uri_of(path));
            files.insert(path.clone(), file);
        }
    }
    let lines_of: HashMap<&PathBuf, (Lines<'_>, &Uri)> = files
        .iter()
        .filter_map(|(path, file)| {
            let (file, uri) = file.as_ref()?;
            Some((path, (Lines::new(&file.text), uri)))
        })
        .collect();
    let own = ctx.lines();
    let mut out = Vec::new();
    for (path, range) in ranges {
        if here(&path) {
            out.push(Location::new(ctx.uri.clone(), own.range(range)));
        } else if let Some((lines, uri)) = lines_of.get(&path) {
            out.push(Location::new((*uri).clone(), lines.range(range)));
        }
    }
    out
}

pub fn references(
    world: &World,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let ctx = FileCtx::load(world, uri)?;
    let offset = ctx.lines().offset(position);
    let target = classify(&ctx, offset)?.target?;
    let ranges = reference_ranges(world, &ctx, &target, include_declaration)?;
    Some(to_locations(world, &ctx, ranges))
}

/// Why `name` cannot be a new name, if it cannot.
pub fn invalid_name(name: &str) -> Option<String> {
    let (tokens, errors) = mlpy_syntax::lexer::tokenize(name);
    let one_word = tokens.len() == 1
        && errors.is_empty()
        && (tokens[0].kind == SyntaxKind::IDENT || tokens[0].kind.is_keyword());
    if !one_word {
        return Some(format!("'{name}' is not a valid identifier"));
    }
    if SyntaxKind::from_keyword(name).is_some() {
        return Some(format!("'{name}' is a keyword of ML"));
    }
    if [
        "null",
        "undefined",
        mlpy_modules::stdlib::BUILTIN_MODULE_NAME,
    ]
    .contains(&name)
    {
        return Some(format!("'{name}' is a reserved name of ML"));
    }
    if name.starts_with("__") {
        return Some(format!(
            "'{name}' starts with '__': such names are reserved for the generated Python"
        ));
    }
    None
}

/// The renameable name at a position, or why there is none.
fn renameable(world: &World, ctx: &FileCtx, offset: TextSize) -> Result<(NameAt, Target), String> {
    let at = classify(ctx, offset).ok_or("no name to rename here")?;
    let target = at
        .target
        .clone()
        .ok_or_else(|| format!("'{}' is not defined anywhere mlpy can see", at.token.text()))?;
    match &target {
        Target::Local(b) => {
            let binding = ctx.file.scopes.binding(*b);
            if binding.kind == BindingKind::Import && !binding.imports.iter().all(|i| i.aliased) {
                return Err(format!(
                    "'{}' is the name of an imported module: rename the module's file instead",
                    binding.name
                ));
            }
        }
        Target::Member { module, name } => {
            let file = world.load(module).ok_or("the module cannot be read")?;
            if file.scopes.module_binding(name).is_none() {
                return Err(format!("module has no top-level '{name}' to rename"));
            }
        }
        Target::Module(_) | Target::Stdlib(_) => {
            return Err("renaming a module is not supported: rename its file".into())
        }
        Target::StdlibMember { .. } | Target::Builtin(_) | Target::BuiltinModule => {
            return Err(format!(
                "'{}' belongs to the standard library and cannot be renamed",
                at.token.text()
            ))
        }
    }
    if at.in_import_path {
        return Err("rename the module's file to rename an import".into());
    }
    Ok((at, target))
}

pub fn prepare_rename(
    world: &World,
    uri: &Uri,
    position: Position,
) -> Result<Option<PrepareRenameResponse>, String> {
    let Some(ctx) = FileCtx::load(world, uri) else {
        return Ok(None);
    };
    let lines = ctx.lines();
    let (at, _) = renameable(world, &ctx, lines.offset(position))?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: lines.range(at.range),
        placeholder: at.token.text().to_string(),
    }))
}

pub fn rename(
    world: &World,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    if let Some(why) = invalid_name(new_name) {
        return Err(why);
    }
    let Some(ctx) = FileCtx::load(world, uri) else {
        return Ok(None);
    };
    let (_, target) = renameable(world, &ctx, ctx.lines().offset(position))?;
    // A name already defined where the renamed one is defined would be captured.
    let clash = match &target {
        Target::Local(b) => {
            let binding = ctx.file.scopes.binding(*b);
            ctx.file.scopes.local(binding.scope, new_name).is_some()
        }
        Target::Member { module, .. } => world
            .load(module)
            .is_some_and(|f| f.scopes.module_binding(new_name).is_some()),
        _ => false,
    };
    if clash {
        return Err(format!("'{new_name}' is already defined in that scope"));
    }
    let ranges = reference_ranges(world, &ctx, &target, true).unwrap_or_default();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for location in to_locations(world, &ctx, ranges) {
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}
