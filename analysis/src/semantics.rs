//! What a name means across modules: the one name-resolution API. The checks, the emitter's
//! facts and every editor feature (definition, hover, references, rename, completion,
//! semantic tokens) ask here what a name or a member chain (`geometry.shapes.area`) refers
//! to, and get one [`Target`].
//!
//! Inside a file, `mlpy_modules::scopes` says which binding a name is. Across files, an
//! import binding reaches modules by the dotted prefixes written in code ([`ImportReach`]):
//! `import a.b.c;` binds `a` and reaches `a`, `a.b` and `a.b.c`; `import a.b as x;`
//! reaches `x`. How an import statement resolves is given by an [`ImportTargets`]: the
//! module graph's edges (checks, emitter) or the project's resolver (the editor, which
//! never builds a graph for navigation) — both end in the same resolver's answer.

use mlpy_modules::scopes::{BindingId, BindingKind, ModuleScopes, NameRes};
use mlpy_syntax::ast::{self, AstNode, Expr};
use mlpy_syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};
use rowan::TokenAtOffset;
use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::{OnceCell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A module a name or a member chain reaches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModuleRef {
    /// A user module: its file (canonical; the cache file of a remote module).
    User(PathBuf),
    /// A folder on the way to an imported module without its own `__init__.ml`: only a
    /// prefix of the module path (`a` of `import a.b;`), with no members of its own.
    Namespace(String),
    /// A standard-library module.
    Stdlib(String),
    /// A whitelisted Python module (`stdlib_mode: "python"`).
    Python(String),
    /// `builtin`, the module of the builtins.
    Builtins,
}

/// What a name refers to: the one definition type of the checks, the emitter and the
/// editor features.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A binding of the file itself (variable, function, parameter, import).
    Local(BindingId),
    /// A module.
    Module(ModuleRef),
    /// A member of a module: a top-level name of a user module, a function or constant of
    /// the standard library, a builtin (`Member { module: Builtins, .. }`, also for a bare
    /// `len`).
    Member { module: ModuleRef, name: String },
}

impl Target {
    /// A builtin function, used bare or as `builtin.NAME`.
    pub fn builtin(name: &str) -> Target {
        Target::Member {
            module: ModuleRef::Builtins,
            name: name.to_string(),
        }
    }
}

/// What an import statement reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub module: ModuleRef,
    /// The packages above it that have their own `__init__.ml`, by dotted name (`a` and
    /// `a.b` of `a.b.c`).
    pub packages: Vec<(String, ModuleRef)>,
}

/// How the import statements of one file resolve.
pub trait ImportTargets {
    /// What the import statement whose whole range is `statement` reaches; `None` when it
    /// does not resolve (already reported as a diagnostic of its own).
    fn imported(&self, statement: TextRange) -> Option<Imported>;

    /// What `names` refers to in the user module `module`, `names[0]` being one of its
    /// top-level names: how a member chain goes on past a module's own import binding
    /// (`hub.inner.f` where `hub.ml` has `import a.b as inner;` is `f` of `a/b.ml`, as it
    /// is at run time). The module answers with its own imports and its own
    /// [`FileSemantics::member_target`], so every step is the one rule. `None` for who
    /// cannot see other modules (the chain ends there): the module graph's checks, whose
    /// graphs in the language server are one import deep (`server/src/engine.rs`), so a
    /// check that went on would answer differently there and in `mlpy check`.
    fn in_module(&self, _module: &Path, _names: &[String]) -> Option<Target> {
        None
    }
}

/// One dotted prefix an import binding reaches.
#[derive(Debug, Clone)]
pub struct ReachEntry {
    /// `a.b` (as written; the binding's name for aliases and URL imports).
    pub prefix: String,
    /// The import statement that reaches it.
    pub statement: TextRange,
    /// Whether it is the module the statement imports (not a package on the way).
    pub full: bool,
}

/// The modules an import binding reaches, by the dotted prefix written in code. When
/// several imports reach the same prefix, the first one counts (as in Python, where the
/// first import binds the package and later ones only add submodules), except that an
/// import of the prefix itself beats a package on the way of an earlier one: after
/// `import a.b; import a;`, `a` is the module `a` (`a.ml` beside the folder `a/`).
#[derive(Debug)]
pub struct ImportReach {
    entries: Vec<ReachEntry>,
    by_prefix: FxHashMap<String, usize>,
    /// What each import statement of the binding reaches, once asked.
    statements: Vec<(TextRange, OnceCell<Option<Imported>>)>,
}

impl ImportReach {
    /// The reach of an import binding (any binding: a binding that imports nothing reaches
    /// nothing).
    pub fn new(scopes: &ModuleScopes, binding: BindingId) -> ImportReach {
        let b = scopes.binding(binding);
        let mut reach = ImportReach {
            entries: Vec::new(),
            by_prefix: FxHashMap::default(),
            statements: Vec::new(),
        };
        for import in &b.imports {
            if !reach.statements.iter().any(|(s, _)| *s == import.statement) {
                reach.statements.push((import.statement, OnceCell::new()));
            }
            // A URL import binds its alias or its last path segment, like an alias.
            if import.aliased || import.target.contains("://") {
                reach.add(b.name.clone(), import.statement, true);
                continue;
            }
            let parts: Vec<&str> = import.target.split('.').collect();
            for len in 1..=parts.len() {
                reach.add(parts[..len].join("."), import.statement, len == parts.len());
            }
        }
        reach
    }

    fn add(&mut self, prefix: String, statement: TextRange, full: bool) {
        if let Some(&i) = self.by_prefix.get(&prefix) {
            let entry = &mut self.entries[i];
            if full && !entry.full {
                entry.statement = statement;
                entry.full = true;
            }
            return;
        }
        self.by_prefix.insert(prefix.clone(), self.entries.len());
        self.entries.push(ReachEntry {
            prefix,
            statement,
            full,
        });
    }

    /// Every prefix reached, in import order.
    pub fn entries(&self) -> &[ReachEntry] {
        &self.entries
    }

    /// Whether `prefix` (`a.b`) is reached.
    pub fn has(&self, prefix: &str) -> bool {
        self.by_prefix.contains_key(prefix)
    }

    /// The index of `prefix` in [`Self::entries`].
    fn index_of(&self, prefix: &str) -> Option<usize> {
        self.by_prefix.get(prefix).copied()
    }

    /// What the import `statement` of this binding reaches (resolved once).
    pub fn imported(&self, targets: &dyn ImportTargets, statement: TextRange) -> Option<Imported> {
        let (_, cell) = self.statements.iter().find(|(s, _)| *s == statement)?;
        cell.get_or_init(|| targets.imported(statement)).clone()
    }

    /// Whether every import of the binding resolves.
    pub fn all_resolved(&self, targets: &dyn ImportTargets) -> bool {
        self.statements
            .iter()
            .all(|(s, _)| self.imported(targets, *s).is_some())
    }

    /// The module reached as entry `index`: the imported module for the full path, a
    /// package with its own `__init__.ml`, or a namespace prefix.
    pub fn module_of(&self, targets: &dyn ImportTargets, index: usize) -> Option<ModuleRef> {
        let entry = self.entries.get(index)?;
        let imported = self.imported(targets, entry.statement)?;
        if entry.full {
            return Some(imported.module);
        }
        match imported.module {
            // `import os.path` in Python mode: `os` is a Python module too.
            ModuleRef::Python(_) => return Some(ModuleRef::Python(entry.prefix.clone())),
            ModuleRef::Stdlib(_) => return Some(imported.module),
            _ => {}
        }
        Some(
            imported
                .packages
                .into_iter()
                .find(|(name, _)| *name == entry.prefix)
                .map(|(_, module)| module)
                .unwrap_or_else(|| ModuleRef::Namespace(entry.prefix.clone())),
        )
    }

    /// The module reached as `prefix`.
    pub fn module(&self, targets: &dyn ImportTargets, prefix: &str) -> Option<ModuleRef> {
        self.module_of(targets, self.index_of(prefix)?)
    }
}

/// The bindings of a file that an inner function assigns through `nonlocal`.
pub fn nonlocal_assigned(scopes: &ModuleScopes) -> FxHashSet<BindingId> {
    let mut out = FxHashSet::default();
    for scope in &scopes.scopes {
        for (_, range) in &scope.nonlocals {
            if let Some(target) = scopes.nonlocal_target(*range) {
                out.insert(target);
            }
        }
    }
    out
}

/// Whether a binding only imports (never assigned otherwise, not even through
/// `nonlocal`), and every import binds it to the same module: only then does a member
/// chain rooted at it name modules. `reassigned` is [`nonlocal_assigned`] of the file.
///
/// The emitter reads the members of such a name as Python attributes and calls its
/// functions directly, trusting the module this answer names. Resolution is not by flow:
/// a function reads the name when it runs. A name two imports bind to different modules
/// (`import geo._os; … import env as geo;`) holds whichever ran last, so no one module
/// can be trusted for it — `geo._os.environ` read directly would be `env`'s own `os`.
/// `import a.b; import a.c;` both bind `a` to the package `a`: that name stays pure.
pub fn is_pure_import(
    scopes: &ModuleScopes,
    reassigned: &FxHashSet<BindingId>,
    binding: BindingId,
) -> bool {
    let b = scopes.binding(binding);
    b.kind == BindingKind::Import
        && !b.imports.is_empty()
        && b.defs.len() == b.imports.len()
        && !reassigned.contains(&binding)
        && b.imports_agree
}

/// How far a member chain (`a.b.c`) has come: still a module prefix its import binding
/// reaches (`a.b` of `import a.b.c`), names of a user module that module's own imports
/// resolve (`hub.inner` of `hub.inner.f`), the module `builtin`, or past any module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainState {
    Prefix(BindingId, String),
    /// A user module and the names after it so far (`hub.ml`, `["inner"]` for
    /// `hub.inner`): its top-level import binding `inner` and a prefix of what it reaches.
    InModule(PathBuf, Vec<String>),
    BuiltinModule,
    Dead,
}

/// The name-resolution API of one file: what the name at an offset is, what a member chain
/// refers to. Reaches are computed once per binding and kept for the life of the value.
pub struct FileSemantics<'a> {
    pub scopes: &'a ModuleScopes,
    pub root: SyntaxNode,
    targets: &'a dyn ImportTargets,
    reaches: RefCell<FxHashMap<BindingId, Rc<ImportReach>>>,
    reassigned: OnceCell<FxHashSet<BindingId>>,
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

impl<'a> FileSemantics<'a> {
    pub fn new(
        scopes: &'a ModuleScopes,
        root: SyntaxNode,
        targets: &'a dyn ImportTargets,
    ) -> FileSemantics<'a> {
        FileSemantics {
            scopes,
            root,
            targets,
            reaches: RefCell::default(),
            reassigned: OnceCell::new(),
        }
    }

    /// What an import binding reaches (computed once per binding).
    pub fn reach(&self, binding: BindingId) -> Rc<ImportReach> {
        if let Some(reach) = self.reaches.borrow().get(&binding) {
            return reach.clone();
        }
        let reach = Rc::new(ImportReach::new(self.scopes, binding));
        self.reaches.borrow_mut().insert(binding, reach.clone());
        reach
    }

    /// Whether `binding` only imports: see [`is_pure_import`].
    pub fn is_pure_import(&self, binding: BindingId) -> bool {
        let reassigned = self
            .reassigned
            .get_or_init(|| nonlocal_assigned(self.scopes));
        is_pure_import(self.scopes, reassigned, binding)
    }

    /// The state of a chain's root name (the NAME_REF's range).
    pub fn chain_root(&self, root_ref: TextRange, name: &str) -> ChainState {
        match self.scopes.resolve(root_ref) {
            NameRes::Binding(b) if self.is_pure_import(b) => {
                ChainState::Prefix(b, name.to_string())
            }
            NameRes::BuiltinModule => ChainState::BuiltinModule,
            _ => ChainState::Dead,
        }
    }

    /// The state of the chain `….name`, where `state` is the state of `…`: a chain costs
    /// one step per name.
    pub fn chain_next(&self, state: &ChainState, name: &str) -> ChainState {
        match state {
            ChainState::Prefix(b, prefix) => {
                let extended = format!("{prefix}.{name}");
                let reach = self.reach(*b);
                if reach.has(&extended) {
                    return ChainState::Prefix(*b, extended);
                }
                // A top-level name of a user module that is a module there (its own
                // import binding): the chain goes on in that module.
                let names = vec![name.to_string()];
                match reach.module(self.targets, prefix) {
                    Some(ModuleRef::User(path))
                        if self.names_a_module(self.targets.in_module(&path, &names)) =>
                    {
                        ChainState::InModule(path, names)
                    }
                    _ => ChainState::Dead,
                }
            }
            ChainState::InModule(path, names) => {
                let mut names = names.clone();
                names.push(name.to_string());
                match self.names_a_module(self.targets.in_module(path, &names)) {
                    true => ChainState::InModule(path.clone(), names),
                    false => ChainState::Dead,
                }
            }
            _ => ChainState::Dead,
        }
    }

    /// Whether a chain that got to `target` can go on: a module, or a top-level name of a
    /// user module that is a module there (`top.hub.inner`, `inner` an import of `hub`).
    fn names_a_module(&self, target: Option<Target>) -> bool {
        match target {
            Some(Target::Module(_)) => true,
            Some(Target::Member {
                module: ModuleRef::User(path),
                name,
            }) => matches!(
                self.targets.in_module(&path, &[name]),
                Some(Target::Module(_))
            ),
            _ => false,
        }
    }

    /// What `….name` refers to, where `state` is the state of `…`.
    pub fn chain_member(&self, state: &ChainState, name: &str) -> Option<Target> {
        match state {
            ChainState::Prefix(b, prefix) => {
                let reach = self.reach(*b);
                let extended = format!("{prefix}.{name}");
                if reach.has(&extended) {
                    return reach.module(self.targets, &extended).map(Target::Module);
                }
                match reach.module(self.targets, prefix)? {
                    // A namespace prefix has no members of its own.
                    ModuleRef::Namespace(_) => None,
                    module => Some(Target::Member {
                        module,
                        name: name.to_string(),
                    }),
                }
            }
            ChainState::InModule(path, names) => {
                let mut names = names.clone();
                names.push(name.to_string());
                self.targets.in_module(path, &names)
            }
            ChainState::BuiltinModule => Some(Target::builtin(name)),
            ChainState::Dead => None,
        }
    }

    /// What `names` (rooted at `binding`: `names[0]` is its name as used) refers to: a
    /// module, a member of one, or the binding itself when it is not a pure import.
    pub fn member_target(&self, binding: BindingId, names: &[String]) -> Option<Target> {
        if !self.is_pure_import(binding) {
            return (names.len() == 1).then_some(Target::Local(binding));
        }
        let (first, rest) = names.split_first()?;
        let Some((last, middle)) = rest.split_last() else {
            return self
                .reach(binding)
                .module(self.targets, first)
                .map(Target::Module);
        };
        let mut state = ChainState::Prefix(binding, first.clone());
        for name in middle {
            state = self.chain_next(&state, name);
            if state == ChainState::Dead {
                return None;
            }
        }
        self.chain_member(&state, last)
    }

    /// What the last of `names` refers to, where `names[0]` is the name used at `root_ref`.
    pub fn chain_target(&self, root_ref: TextRange, names: &[String]) -> Option<Target> {
        match self.scopes.resolve(root_ref) {
            NameRes::Binding(b) => self.member_target(b, names),
            NameRes::BuiltinModule if names.len() == 2 => Some(Target::builtin(&names[1])),
            NameRes::BuiltinModule if names.len() == 1 => Some(Target::Module(ModuleRef::Builtins)),
            _ => None,
        }
    }

    /// What the import binding `binding` stands for as a whole (`import a.b as x;` → the
    /// module `a.b`; `import a.b;` → `a`, a package or a namespace).
    pub fn import_binding_target(&self, binding: BindingId) -> Option<Target> {
        let name = self.scopes.binding(binding).name.clone();
        match self.member_target(binding, std::slice::from_ref(&name))? {
            Target::Local(_) => None,
            target => Some(target),
        }
    }

    /// What the name at `offset` refers to.
    pub fn classify(&self, offset: TextSize) -> Option<NameAt> {
        self.classify_word(word_at(&self.root, offset)?)
    }

    /// What the word `token` (a name, a keyword used as a name, a URL) of this file refers
    /// to: [`FileSemantics::classify`] for a caller that has the token already. Finding a
    /// token by its offset walks the children of every node above it one by one, which
    /// for every word of a file of many statements is quadratic.
    pub fn classify_word(&self, token: SyntaxToken) -> Option<NameAt> {
        let parent = token.parent()?;
        let range = token.text_range();
        let scopes = self.scopes;
        let mut in_import_path = false;
        let target = match parent.kind() {
            SyntaxKind::IMPORT_PATH => {
                in_import_path = true;
                self.import_path_target(&token, &parent)
            }
            SyntaxKind::IMPORT if token.kind() == SyntaxKind::URL => {
                in_import_path = true;
                let statement = parent.text_range();
                self.targets
                    .imported(statement)
                    .map(|i| Target::Module(i.module))
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
                        NameRes::Builtin => Some(Target::builtin(token.text())),
                        NameRes::BuiltinModule => Some(Target::Module(ModuleRef::Builtins)),
                        _ => None,
                    },
                    SyntaxKind::FIELD_EXPR => {
                        let field = ast::FieldExpr::cast(grand)?;
                        let (root_ref, names) = field_chain(&field)?;
                        self.chain_target(root_ref, &names)
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

    /// What a segment of an import path names: the module or a package on the way to it.
    fn import_path_target(&self, token: &SyntaxToken, path: &SyntaxNode) -> Option<Target> {
        let path = ast::ImportPath::cast(path.clone())?;
        let segments: Vec<SyntaxToken> = path.segments().collect();
        let index = segments.iter().position(|s| s == token)?;
        let statement = path.syntax().parent()?.text_range();
        let imported = self.targets.imported(statement)?;
        if index + 1 == segments.len() {
            return Some(Target::Module(imported.module));
        }
        let prefix: Vec<&str> = segments[..=index].iter().map(|t| t.text()).collect();
        let prefix = prefix.join(".");
        match imported
            .packages
            .into_iter()
            .find(|(name, _)| *name == prefix)
        {
            Some((_, module)) => Some(Target::Module(module)),
            // A folder on the way (no `__init__.ml`): the imported module.
            None => Some(Target::Module(imported.module)),
        }
    }
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
