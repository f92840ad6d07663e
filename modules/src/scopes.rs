//! Name resolution inside one module, with Python's scoping rules (which ML inherits):
//! a name assigned anywhere in a function is local to the whole function unless declared
//! `nonlocal`; reads look in the function, then in enclosing functions, then in the
//! module, then in the builtins. There is no block scope.
//!
//! The transpiler (unknown identifiers, `nonlocal` → `global`, direct calls) and the
//! language server (definitions, references, rename, completion) both use this.

use crate::stdlib::{is_builtin, BUILTIN_MODULE_NAME, NULL_NAMES, UNASSIGNABLE_NULL};
use mlpy_syntax::ast::{self, AstNode, Expr, ImportTarget, Stmt};
use mlpy_syntax::green::{self, GreenChild, GreenEvent};
use mlpy_syntax::{SyntaxKind, SyntaxNode, TextRange, TextSize};
use rustc_hash::FxHashMap as HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Arrow,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    /// The whole function or arrow (or the file).
    pub range: TextRange,
    /// The function's name, for functions.
    pub name: Option<String>,
    /// Bindings local to this scope, in order of first definition.
    pub bindings: Vec<BindingId>,
    /// `bindings` sorted by name (a binary search finds a name: no map, and no second
    /// copy of the names, per scope).
    by_name: Box<[BindingId]>,
    /// `nonlocal` declarations: the name and the range of the name in the statement.
    pub nonlocals: Vec<(String, TextRange)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    Function,
    Parameter,
    Variable,
    LoopVariable,
    ExceptVariable,
    Import,
}

/// One `import` statement that binds a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBinding {
    /// The range of the whole import statement.
    pub statement: TextRange,
    /// The dotted module path or URL as written.
    pub target: String,
    /// `import a.b as x` binds `x` to `a.b`; `import a.b` binds `a` to the package `a`.
    pub aliased: bool,
}

impl ImportBinding {
    /// The path of the module the statement binds its name to: `a.b` for
    /// `import a.b as x`, the package `a` for `import a.b`, the URL for a remote module.
    pub fn bound_path(&self) -> &str {
        if self.aliased || self.target.contains('/') {
            &self.target
        } else {
            self.target.split('.').next().unwrap_or(&self.target)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
    pub scope: ScopeId,
    /// Where it is first defined (the name token).
    pub decl: TextRange,
    /// Every place that assigns it, `decl` included, in source order.
    pub defs: Vec<TextRange>,
    /// For imports: every import statement that binds this name.
    pub imports: Vec<ImportBinding>,
    /// Whether every one of `imports` binds the name to the same module
    /// ([`ImportBinding::bound_path`]), kept as they are added.
    pub imports_agree: bool,
    /// For functions: the whole `function` node.
    pub node_range: Option<TextRange>,
}

impl Binding {
    /// Whether `range` is one of the places that assign the binding (a binary search:
    /// `defs` is in source order).
    pub fn is_def(&self, range: TextRange) -> bool {
        let i = self.defs.partition_point(|r| r.start() < range.start());
        self.defs[i..]
            .iter()
            .take_while(|r| r.start() == range.start())
            .any(|r| *r == range)
    }
}

/// What a name used in an expression refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRes {
    Binding(BindingId),
    /// An ML builtin function (`print`, `len`, …) not shadowed by a user definition.
    Builtin,
    /// `builtin`, the module of the builtins.
    BuiltinModule,
    /// `null` or `undefined`.
    Null,
    Unknown,
}

/// A scoping mistake found while resolving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeError {
    pub range: TextRange,
    pub message: String,
}

/// The scopes, bindings and name resolutions of one module.
#[derive(Debug, Clone, Default)]
pub struct ModuleScopes {
    pub scopes: Vec<Scope>,
    pub bindings: Vec<Binding>,
    /// Resolution of every name use (keyed by the NAME_REF's range).
    /// Sorted by range: uses are recorded in source order.
    resolutions: Vec<(TextRange, ScopeId, NameRes)>,
    /// Every use of every binding (reads and writes, definitions excluded), binding by
    /// binding: those of binding `b` are `references[reference_starts[b]..reference_starts[b + 1]]`.
    references: Vec<TextRange>,
    reference_starts: Vec<u32>,
    /// What each `nonlocal` name refers to, keyed by the name's range in the statement.
    nonlocal_targets: HashMap<TextRange, BindingId>,
    /// Every definition's range with its binding, sorted by range start.
    def_index: Vec<(TextRange, BindingId)>,
    pub errors: Vec<ScopeError>,
}

impl ModuleScopes {
    pub fn build(file: &ast::SourceFile) -> ModuleScopes {
        let mut builder = Builder::default();
        builder.walk(file.syntax());
        builder.resolve_uses();
        builder.finish()
    }

    pub fn module_scope(&self) -> ScopeId {
        ScopeId(0)
    }

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.0 as usize]
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.0 as usize]
    }

    /// The local binding of `name` in `scope`, if the scope defines it.
    pub fn local(&self, scope: ScopeId, name: &str) -> Option<BindingId> {
        let by_name = &self.scope(scope).by_name;
        by_name
            .binary_search_by(|b| self.binding(*b).name.as_str().cmp(name))
            .ok()
            .map(|i| by_name[i])
    }

    /// The binding of `name` in the scopes enclosing `scope` (not `scope` itself), nearest
    /// first, with the scope holding it; at most `max_scopes` are searched. (The builder's
    /// `lookup_outer` does the same while the scopes are being built.)
    pub fn outer_binding(
        &self,
        scope: ScopeId,
        name: &str,
        max_scopes: usize,
    ) -> Option<(ScopeId, BindingId)> {
        std::iter::successors(self.scope(scope).parent, |&id| self.scope(id).parent)
            .take(max_scopes)
            .find_map(|id| self.local(id, name).map(|b| (id, b)))
    }

    /// A module-level definition of `name`.
    pub fn module_binding(&self, name: &str) -> Option<BindingId> {
        self.local(self.module_scope(), name)
    }

    /// What the name used at `name_ref` (a NAME_REF's range) refers to.
    pub fn resolve(&self, name_ref: TextRange) -> NameRes {
        self.find_use(name_ref)
            .map_or(NameRes::Unknown, |(_, _, r)| r)
    }

    /// The scope a name use sits in.
    pub fn scope_of_use(&self, name_ref: TextRange) -> Option<ScopeId> {
        self.find_use(name_ref).map(|(_, s, _)| s)
    }

    fn find_use(&self, name_ref: TextRange) -> Option<(TextRange, ScopeId, NameRes)> {
        let i = self
            .resolutions
            .binary_search_by_key(&name_ref.start(), |(r, _, _)| r.start())
            .ok()?;
        let found = self.resolutions[i];
        (found.0 == name_ref).then_some(found)
    }

    /// The binding a `nonlocal` name (its range in the statement) refers to.
    pub fn nonlocal_target(&self, name: TextRange) -> Option<BindingId> {
        self.nonlocal_targets.get(&name).copied()
    }

    /// Every use of a binding (not its definitions).
    pub fn references(&self, binding: BindingId) -> &[TextRange] {
        let b = binding.0 as usize;
        match (
            self.reference_starts.get(b),
            self.reference_starts.get(b + 1),
        ) {
            (Some(&start), Some(&end)) => &self.references[start as usize..end as usize],
            _ => &[],
        }
    }

    /// All name uses with their resolutions, in source order.
    pub fn uses(&self) -> impl Iterator<Item = (TextRange, ScopeId, NameRes)> + '_ {
        self.resolutions.iter().copied()
    }

    /// The binding defined at `range` (a definition's name range), if any.
    pub fn binding_defined_at(&self, range: TextRange) -> Option<BindingId> {
        let i = self
            .def_index
            .partition_point(|(r, _)| r.start() < range.start());
        self.def_index[i..]
            .iter()
            .take_while(|(r, _)| r.start() == range.start())
            .find(|(r, _)| *r == range)
            .map(|&(_, b)| b)
    }

    /// The innermost scope containing `offset` (the shortest; the later one of two
    /// as short).
    ///
    /// Scopes are numbered in preorder, so by their start, and nested: a scope that
    /// contains `offset` is the last scope starting before `offset` or one of its
    /// ancestors, or the last one starting at or before it or one of its ancestors.
    pub fn scope_at(&self, offset: TextSize) -> ScopeId {
        let mut best = self.module_scope();
        let before = self.scopes.partition_point(|s| s.range.start() < offset);
        let at = self.scopes.partition_point(|s| s.range.start() <= offset);
        for last in [before, at] {
            let mut current = last.checked_sub(1).map(|i| ScopeId(i as u32));
            while let Some(id) = current {
                let scope = self.scope(id);
                if scope.range.contains_inclusive(offset)
                    && (scope.range.len(), best) < (self.scope(best).range.len(), id)
                {
                    best = id;
                }
                current = scope.parent;
            }
        }
        if !self.scope(best).range.contains_inclusive(offset) {
            return self.module_scope();
        }
        best
    }

    /// The scope of the function whose whole `function` node is `node`.
    pub fn function_scope(&self, node: TextRange) -> Option<ScopeId> {
        let i = self
            .scopes
            .partition_point(|s| s.range.start() < node.start());
        self.scopes[i..]
            .iter()
            .take_while(|s| s.range.start() == node.start())
            .position(|s| s.kind == ScopeKind::Function && s.range == node)
            .map(|j| ScopeId((i + j) as u32))
    }

    /// The scopes containing `offset`, innermost first: the one at `offset`, then its
    /// parents up to the module's.
    pub fn enclosing(&self, offset: TextSize) -> impl Iterator<Item = &Scope> {
        std::iter::successors(Some(self.scope(self.scope_at(offset))), |s| {
            s.parent.map(|p| self.scope(p))
        })
    }

    /// Names visible at `offset`, innermost first (shadowed outer names left out).
    pub fn visible_bindings(&self, offset: TextSize) -> Vec<BindingId> {
        let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
        let mut out = Vec::new();
        for scope in self.enclosing(offset) {
            for &b in &scope.bindings {
                if seen.insert(self.binding(b).name.as_str()) {
                    out.push(b);
                }
            }
        }
        out
    }

    /// Whether `scope` is a function or arrow directly inside the module.
    pub fn is_top_level_function(&self, scope: ScopeId) -> bool {
        let s = self.scope(scope);
        s.kind != ScopeKind::Module && s.parent == Some(self.module_scope())
    }
}

/// A definition seen in pass 1, turned into a binding once the whole scope (and its
/// `nonlocal` declarations, which may come later) is known.
struct PendingDef {
    name: String,
    kind: BindingKind,
    range: TextRange,
    node_range: Option<TextRange>,
    import: Option<ImportBinding>,
}

/// A name used (or a `nonlocal` name), seen in the walk and resolved after it, once
/// every scope's definitions are known.
struct PendingUse {
    scope: ScopeId,
    name: String,
    range: TextRange,
    nonlocal: bool,
    /// The name is what a call calls (`len(x)`): there a builtin's name means the builtin
    /// unless a `function` of that name is in scope.
    callee: bool,
}

#[derive(Default)]
struct Builder {
    out: ModuleScopes,
    /// Per scope, its bindings by name (while building; `Scope::by_name` after).
    names: Vec<HashMap<String, BindingId>>,
    pending: Vec<Vec<PendingDef>>,
    uses: Vec<PendingUse>,
}

impl Builder {
    fn finish(mut self) -> ModuleScopes {
        let mut refs: Vec<(u32, TextRange)> = Vec::new();
        for (range, _, res) in &self.out.resolutions {
            if let NameRes::Binding(b) = res {
                let binding = &self.out.bindings[b.0 as usize];
                if !binding.is_def(*range) {
                    refs.push((b.0, *range));
                }
            }
        }
        refs.sort_by_key(|&(b, r)| (b, r.start()));
        let mut starts = Vec::with_capacity(self.out.bindings.len() + 1);
        let mut next = 0;
        for b in 0..self.out.bindings.len() as u32 {
            starts.push(next as u32);
            while next < refs.len() && refs[next].0 == b {
                next += 1;
            }
        }
        starts.push(refs.len() as u32);
        self.out.references = refs.into_iter().map(|(_, r)| r).collect();
        self.out.reference_starts = starts;
        let mut defs: Vec<(TextRange, BindingId)> = self
            .out
            .bindings
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.defs.iter().map(move |r| (*r, BindingId(i as u32))))
            .collect();
        defs.sort_by_key(|&(r, b)| (r.start(), b));
        self.out.def_index = defs;
        // Kept for as long as the module is cached (every module of a workspace, in the
        // language server): no spare capacity.
        let bindings = &self.out.bindings;
        for (scope, names) in self.out.scopes.iter_mut().zip(&self.names) {
            let mut by_name: Vec<BindingId> = names.values().copied().collect();
            by_name.sort_by(|a, b| {
                bindings[a.0 as usize]
                    .name
                    .cmp(&bindings[b.0 as usize].name)
            });
            scope.by_name = by_name.into_boxed_slice();
            scope.bindings.shrink_to_fit();
            scope.nonlocals.shrink_to_fit();
        }
        for binding in &mut self.out.bindings {
            binding.defs.shrink_to_fit();
            binding.name.shrink_to_fit();
        }
        self.out.scopes.shrink_to_fit();
        self.out.bindings.shrink_to_fit();
        self.out.resolutions.shrink_to_fit();
        self.out.errors.shrink_to_fit();
        self.out
    }

    fn new_scope(
        &mut self,
        kind: ScopeKind,
        parent: Option<ScopeId>,
        range: TextRange,
        name: Option<String>,
    ) -> ScopeId {
        let id = ScopeId(self.out.scopes.len() as u32);
        self.out.scopes.push(Scope {
            kind,
            parent,
            range,
            name,
            bindings: Vec::new(),
            by_name: Box::default(),
            nonlocals: Vec::new(),
        });
        self.pending.push(Vec::new());
        self.names.push(HashMap::default());
        id
    }

    fn pend(&mut self, scope: ScopeId, name: &str, kind: BindingKind, range: TextRange) {
        if name.is_empty() {
            return;
        }
        self.pending[scope.0 as usize].push(PendingDef {
            name: name.to_string(),
            kind,
            range,
            node_range: None,
            import: None,
        });
    }

    // ---- one preorder walk: scopes, definitions and uses ----

    fn walk(&mut self, root: &SyntaxNode) {
        let green = root.green();
        let module = self.new_scope(ScopeKind::Module, None, root.text_range(), None);
        let mut stack = vec![module];
        let mut imports: Vec<(ScopeId, TextRange)> = Vec::new();
        // Set on entering a call: the node entered next is its first child, the callee.
        let mut callee_next = false;
        green::preorder(green, |event| {
            let is_callee = std::mem::take(&mut callee_next);
            let (kind, range, node) = match event {
                GreenEvent::Enter { kind, range, node } => (kind, range, node),
                GreenEvent::Leave { kind } => {
                    if matches!(kind, SyntaxKind::FUNCTION | SyntaxKind::ARROW_EXPR) {
                        stack.pop();
                    }
                    return;
                }
            };
            let top = *stack.last().expect("the module scope is never popped");
            let start = range.start();
            match kind {
                SyntaxKind::FUNCTION => {
                    let name = green::child_ident(node, start, SyntaxKind::NAME);
                    if let Some((text, name_range)) = name {
                        self.pending[top.0 as usize].push(PendingDef {
                            name: text.to_string(),
                            kind: BindingKind::Function,
                            range: name_range,
                            node_range: Some(range),
                            import: None,
                        });
                    }
                    let inner = self.new_scope(
                        ScopeKind::Function,
                        Some(top),
                        range,
                        name.map(|(t, _)| t.to_string()),
                    );
                    stack.push(inner);
                }
                SyntaxKind::ARROW_EXPR => {
                    let inner = self.new_scope(ScopeKind::Arrow, Some(top), range, None);
                    stack.push(inner);
                }
                SyntaxKind::PARAM | SyntaxKind::FOR_STMT | SyntaxKind::EXCEPT_CLAUSE => {
                    if let Some((text, name_range)) =
                        green::child_ident(node, start, SyntaxKind::NAME)
                    {
                        let binding_kind = match kind {
                            SyntaxKind::PARAM => BindingKind::Parameter,
                            SyntaxKind::FOR_STMT => BindingKind::LoopVariable,
                            _ => BindingKind::ExceptVariable,
                        };
                        self.pend(top, text, binding_kind, name_range);
                    }
                }
                SyntaxKind::ASSIGN_STMT => {
                    // The target is a plain name when the statement starts with a PATH_EXPR
                    // that an `=` follows.
                    let mut parts = green::children(node, start).filter(|c| !c.kind().is_trivia());
                    if let (
                        Some(GreenChild::Node {
                            kind: SyntaxKind::PATH_EXPR,
                            range,
                            node: target,
                        }),
                        Some(eq),
                    ) = (parts.next(), parts.next())
                    {
                        if eq.kind() == SyntaxKind::EQ {
                            if let Some((text, name_range)) =
                                green::child_ident(target, range.start(), SyntaxKind::NAME_REF)
                            {
                                if text != UNASSIGNABLE_NULL {
                                    self.pend(top, text, BindingKind::Variable, name_range);
                                }
                            }
                        }
                    }
                }
                SyntaxKind::ARRAY_PATTERN
                | SyntaxKind::OBJECT_PATTERN
                | SyntaxKind::NONLOCAL_STMT => {
                    for child in green::children(node, start) {
                        let GreenChild::Node {
                            kind: SyntaxKind::NAME,
                            range,
                            node: name,
                        } = child
                        else {
                            continue;
                        };
                        let Some(GreenChild::Token { text, range, .. }) =
                            green::children(name, range.start())
                                .find(|t| t.kind() == SyntaxKind::IDENT)
                        else {
                            continue;
                        };
                        if kind == SyntaxKind::NONLOCAL_STMT {
                            self.out.scopes[top.0 as usize]
                                .nonlocals
                                .push((text.to_string(), range));
                            self.uses.push(PendingUse {
                                scope: top,
                                name: text.to_string(),
                                range,
                                nonlocal: true,
                                callee: false,
                            });
                        } else {
                            self.pend(top, text, BindingKind::Variable, range);
                        }
                    }
                }
                SyntaxKind::IMPORT => imports.push((top, range)),
                SyntaxKind::CALL_EXPR => callee_next = true,
                SyntaxKind::PATH_EXPR => {
                    if let Some((text, name_range)) =
                        green::child_ident(node, start, SyntaxKind::NAME_REF)
                    {
                        self.uses.push(PendingUse {
                            scope: top,
                            name: text.to_string(),
                            range: name_range,
                            nonlocal: false,
                            callee: is_callee,
                        });
                    }
                }
                _ => {}
            }
        });
        // Imports are few: read them through the typed AST.
        for (scope, range) in imports {
            let import = root
                .covering_element(range)
                .ancestors()
                .find(|n| n.text_range() == range && n.kind() == SyntaxKind::IMPORT)
                .and_then(ast::Import::cast);
            if let Some(import) = import {
                self.declare_import(scope, &import);
            }
        }
        // Now every scope's `nonlocal` names are known: create the bindings.
        for scope in 0..self.out.scopes.len() {
            let mut defs = std::mem::take(&mut self.pending[scope]);
            defs.sort_by_key(|d| d.range.start());
            let nonlocal: rustc_hash::FxHashSet<String> = self.out.scopes[scope]
                .nonlocals
                .iter()
                .map(|(n, _)| n.clone())
                .collect();
            for def in defs {
                let id = ScopeId(scope as u32);
                if nonlocal.contains(&def.name) {
                    continue;
                }
                let binding = self.define(id, &def.name, def.kind, def.range);
                let b = &mut self.out.bindings[binding.0 as usize];
                if def.node_range.is_some() && b.node_range.is_none() {
                    b.node_range = def.node_range;
                }
                if let Some(import) = def.import {
                    b.kind = BindingKind::Import;
                    if b.imports
                        .first()
                        .is_some_and(|first| first.bound_path() != import.bound_path())
                    {
                        b.imports_agree = false;
                    }
                    b.imports.push(import);
                }
            }
        }
    }

    /// Records a definition of `name` in `scope`.
    fn define(
        &mut self,
        scope: ScopeId,
        name: &str,
        kind: BindingKind,
        range: TextRange,
    ) -> BindingId {
        if let Some(&existing) = self.names[scope.0 as usize].get(name) {
            let binding = &mut self.out.bindings[existing.0 as usize];
            // Definitions come in source order: a repeated one would be the last.
            if binding.defs.last() != Some(&range) {
                binding.defs.push(range);
            }
            // A later `function` upgrades a variable; a parameter stays a parameter.
            if kind == BindingKind::Function && binding.kind == BindingKind::Variable {
                binding.kind = kind;
            }
            return existing;
        }
        let id = BindingId(self.out.bindings.len() as u32);
        self.out.bindings.push(Binding {
            name: name.to_string(),
            kind,
            scope,
            decl: range,
            defs: vec![range],
            imports: Vec::new(),
            imports_agree: true,
            node_range: None,
        });
        let s = &mut self.out.scopes[scope.0 as usize];
        s.bindings.push(id);
        self.names[scope.0 as usize].insert(name.to_string(), id);
        id
    }

    fn declare_import(&mut self, scope: ScopeId, import: &ast::Import) {
        let statement = import.syntax().text_range();
        let Some(target_text) = import.target_text() else {
            return;
        };
        let (name, range, aliased) = if let Some(alias) = import
            .alias()
            .and_then(|a| a.name())
            .and_then(|n| n.ident_token())
        {
            (alias.text().to_string(), alias.text_range(), true)
        } else {
            match import.target() {
                Some(ImportTarget::Path(path)) => match path.segments().next() {
                    Some(first) => (first.text().to_string(), first.text_range(), false),
                    None => return,
                },
                // `import https://host/lib/math;` binds `math`.
                Some(ImportTarget::Url(url)) => {
                    (url_module_name(url.text()), url.text_range(), false)
                }
                None => return,
            }
        };
        if name.is_empty() {
            return;
        }
        self.pending[scope.0 as usize].push(PendingDef {
            name,
            kind: BindingKind::Import,
            range,
            node_range: None,
            import: Some(ImportBinding {
                statement,
                target: target_text,
                aliased,
            }),
        });
    }

    fn resolve_uses(&mut self) {
        let uses = std::mem::take(&mut self.uses);
        self.out.resolutions.reserve(uses.len());
        for u in uses {
            if u.nonlocal {
                self.resolve_nonlocal(u.scope, &u.name, u.range);
            } else {
                let mut res = self.lookup(u.scope, &u.name);
                if u.callee {
                    res = self.builtin_in_call_position(res, &u.name);
                }
                self.out.resolutions.push((u.range, u.scope, res));
            }
        }
    }

    fn resolve_nonlocal(&mut self, scope: ScopeId, name: &str, range: TextRange) {
        let s = &self.out.scopes[scope.0 as usize];
        if s.kind == ScopeKind::Module {
            self.out.errors.push(ScopeError {
                range,
                message: "`nonlocal` can only be used inside a function".to_string(),
            });
            return;
        }
        match self.lookup_outer(scope, name) {
            Some(target) => {
                self.out.nonlocal_targets.insert(range, target);
            }
            None => self.out.errors.push(ScopeError {
                range,
                message: format!(
                    "no variable `{name}` in an enclosing function or the module for `nonlocal`"
                ),
            }),
        }
    }

    /// The binding of `name` in the scopes enclosing `scope` (not in `scope` itself).
    fn lookup_outer(&self, scope: ScopeId, name: &str) -> Option<BindingId> {
        let mut current = self.out.scopes[scope.0 as usize].parent;
        while let Some(id) = current {
            if let Some(&b) = self.names[id.0 as usize].get(name) {
                return Some(b);
            }
            current = self.out.scopes[id.0 as usize].parent;
        }
        None
    }

    /// What a called name means: a builtin's name calls the builtin unless the binding in
    /// scope is a `function` of that name (the reference calls the builtin in call
    /// position whatever the program binds; docs/compatibility.md: a user function with a
    /// builtin's name wins). So `len = 5; len(xs)` calls `len`, and so does
    /// `print("hi"); print = 3;`.
    fn builtin_in_call_position(&self, res: NameRes, name: &str) -> NameRes {
        match res {
            NameRes::Binding(b)
                if is_builtin(name)
                    && self.out.bindings[b.0 as usize].kind != BindingKind::Function =>
            {
                NameRes::Builtin
            }
            res => res,
        }
    }

    fn lookup(&self, scope: ScopeId, name: &str) -> NameRes {
        if let Some(&b) = self.names[scope.0 as usize].get(name) {
            return NameRes::Binding(b);
        }
        if let Some(b) = self.lookup_outer(scope, name) {
            return NameRes::Binding(b);
        }
        if is_builtin(name) {
            NameRes::Builtin
        } else if name == BUILTIN_MODULE_NAME {
            NameRes::BuiltinModule
        } else if NULL_NAMES.contains(&name) {
            NameRes::Null
        } else {
            NameRes::Unknown
        }
    }
}

/// The module name a URL import binds without `as`: its last path segment, without an
/// extension (`https://h/lib/v2/math` → `math`, `…/crypto.hash` → `hash`).
pub fn url_module_name(url: &str) -> String {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    let last = path.rsplit('/').next().unwrap_or(path);
    let last = last.split('@').next().unwrap_or(last);
    let last = last.strip_suffix(".ml").unwrap_or(last);
    let last = last.rsplit('.').next().unwrap_or(last);
    last.to_string()
}

/// Blocks that belong to the statement's own scope (not function bodies).
pub fn nested_blocks(stmt: &Stmt) -> Vec<ast::Block> {
    let mut out = Vec::new();
    match stmt {
        Stmt::If(s) => {
            out.extend(s.then_block());
            for clause in s.elif_clauses() {
                out.extend(clause.block());
            }
            out.extend(s.else_clause().and_then(|c| c.block()));
        }
        Stmt::While(s) => out.extend(s.body()),
        Stmt::For(s) => out.extend(s.body()),
        Stmt::Try(s) => {
            out.extend(s.body());
            for clause in s.except_clauses() {
                out.extend(clause.body());
            }
            out.extend(s.finally_clause().and_then(|c| c.body()));
        }
        _ => {}
    }
    out
}

/// The expressions directly inside a statement (not inside nested blocks).
pub fn stmt_exprs(stmt: &Stmt) -> Vec<Expr> {
    let mut out = Vec::new();
    match stmt {
        Stmt::Expr(s) => out.extend(s.expr()),
        Stmt::Assign(s) => {
            out.extend(s.target());
            out.extend(s.value());
        }
        Stmt::Destructure(s) => out.extend(s.value()),
        Stmt::If(s) => {
            out.extend(s.condition());
            for clause in s.elif_clauses() {
                out.extend(clause.condition());
            }
        }
        Stmt::While(s) => out.extend(s.condition()),
        Stmt::For(s) => out.extend(s.iterable()),
        Stmt::Return(s) => out.extend(s.value()),
        Stmt::Throw(s) => out.extend(s.value()),
        Stmt::Import(s) => {
            for field in s
                .config()
                .into_iter()
                .flat_map(|c| c.fields().collect::<Vec<_>>())
            {
                out.extend(field.value());
            }
        }
        _ => {}
    }
    out
}

/// The direct sub-expressions of an expression (arrow bodies excluded).
pub fn expr_children(expr: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    match expr {
        Expr::Literal(_) | Expr::Path(_) | Expr::Arrow(_) => {}
        Expr::Array(e) => out.extend(e.elements()),
        Expr::Object(e) => out.extend(e.fields().filter_map(|f| f.value())),
        Expr::Paren(e) => out.extend(e.expr()),
        Expr::Call(e) => {
            out.extend(e.callee());
            out.extend(e.args());
        }
        Expr::Index(e) => {
            out.extend(e.base());
            out.extend(e.index());
            if let Some(slice) = e.slice() {
                out.extend(slice.start());
                out.extend(slice.end());
                out.extend(slice.step());
            }
        }
        Expr::Field(e) => out.extend(e.receiver()),
        Expr::Prefix(e) => out.extend(e.operand()),
        Expr::Bin(e) => {
            out.extend(e.lhs());
            out.extend(e.rhs());
        }
        Expr::Ternary(e) => {
            out.extend(e.condition());
            out.extend(e.then_branch());
            out.extend(e.else_branch());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(text: &str) -> (ModuleScopes, String) {
        let parse = mlpy_syntax::parse(text);
        assert!(!parse.has_errors(), "{:?}", parse.errors());
        (ModuleScopes::build(&parse.tree()), text.to_string())
    }

    fn res_at(s: &ModuleScopes, text: &str, needle: &str, nth: usize) -> NameRes {
        let start = text.match_indices(needle).nth(nth).unwrap().0 as u32;
        let range = TextRange::at(start.into(), (needle.len() as u32).into());
        s.resolve(range)
    }

    #[test]
    fn a_called_builtin_name_is_the_builtin_unless_a_function_has_it() {
        /// The resolution of the `nth` `name(`, the name alone.
        fn called(s: &ModuleScopes, text: &str, name: &str, nth: usize) -> NameRes {
            let start = text.match_indices(&format!("{name}(")).nth(nth).unwrap().0 as u32;
            s.resolve(TextRange::at(start.into(), (name.len() as u32).into()))
        }
        // Every kind of binding but `function`, before and after the call, in a function
        // and at the top level: the call means the builtin, the value the binding.
        let bindings = [
            "len = 5;",
            "for (len in [1]) {}",
            "try {} except (len) {}",
            "[len] = [1];",
            "import math as len;",
        ];
        for binding in bindings {
            for text in [
                format!("{binding}\nx = len([1]) + len;\n"),
                format!("x = len([1]);\n{binding}\ny = len;\n"),
                format!("function f() {{\n{binding}\nx = len([1]) + len;\n}}\n"),
                format!("function f(len) {{ x = len([1]) + len; }}\n{binding}\n"),
            ] {
                if binding.starts_with("import") && text.starts_with("function f() {") {
                    continue; // imports are top-level only
                }
                let (s, text) = scopes(&text);
                assert_eq!(called(&s, &text, "len", 0), NameRes::Builtin, "{text}");
                let value = text
                    .rfind("+ len")
                    .map(|i| i + 2)
                    .or_else(|| text.rfind("= len;").map(|i| i + 2));
                let start = value.expect("a value use") as u32;
                let range = TextRange::at(start.into(), 3.into());
                assert!(
                    matches!(s.resolve(range), NameRes::Binding(_)),
                    "{text}: {:?}",
                    s.resolve(range)
                );
            }
        }
        // A `function` of the name wins in call position (docs/compatibility.md).
        let (s, text) = scopes("function len(x) { return 0; }\ny = len([1]);\n");
        assert!(matches!(called(&s, &text, "len", 1), NameRes::Binding(_)));
        // A call of a call, and a method: only the name a call calls.
        let (s, text) = scopes("str = 1;\nx = str(1)(2);\ny = o.str(3);\n");
        assert_eq!(called(&s, &text, "str", 0), NameRes::Builtin);
    }

    #[test]
    fn python_scoping() {
        let text = "x = 1;\nfunction f(a) {\n  y = a + x;\n  function g() { return y + a; }\n  return g;\n}\nz = f(2) + len([]) + q + null;\n";
        let (s, text) = scopes(text);
        let x = s.module_binding("x").unwrap();
        assert_eq!(res_at(&s, &text, "x", 1), NameRes::Binding(x));
        let f_scope = ScopeId(1);
        let y = s.local(f_scope, "y").unwrap();
        assert_eq!(res_at(&s, &text, "y", 1), NameRes::Binding(y));
        assert_eq!(res_at(&s, &text, "len", 0), NameRes::Builtin);
        assert_eq!(res_at(&s, &text, "q", 0), NameRes::Unknown);
        assert_eq!(res_at(&s, &text, "null", 0), NameRes::Null);
        assert_eq!(s.references(x).len(), 1);
    }

    #[test]
    fn undefined_is_null_until_assigned_and_null_never_binds() {
        let (s, text) = scopes("a = undefined;\nb = null;\n");
        assert_eq!(res_at(&s, &text, "undefined", 0), NameRes::Null);
        // as in the reference: an assigned `undefined` is a variable, read as such
        let (s, text) = scopes("undefined = 5;\nprint(undefined);\nnull = 1;\nx = null;\n");
        let undefined = s.module_binding("undefined").unwrap();
        assert_eq!(
            res_at(&s, &text, "undefined", 1),
            NameRes::Binding(undefined)
        );
        assert!(s.module_binding("null").is_none());
        assert_eq!(res_at(&s, &text, "null", 1), NameRes::Null);
    }

    #[test]
    fn locals_are_whole_function_and_nonlocal_reaches_module() {
        let text = "count = 0;\nfunction inc() { nonlocal count; count = count + 1; }\nfunction shadow() { v = count; count = 5; }\n";
        let (s, text) = scopes(text);
        let count = s.module_binding("count").unwrap();
        // Inside inc, `count` is the module's (declared nonlocal).
        assert_eq!(res_at(&s, &text, "count", 2), NameRes::Binding(count));
        let nonlocal_range = TextRange::at((text.find("count;").unwrap() as u32).into(), 5.into());
        assert_eq!(s.nonlocal_target(nonlocal_range), Some(count));
        // Inside shadow, `count` is local to the whole function (Python semantics).
        let local = s.local(ScopeId(2), "count").unwrap();
        assert_eq!(res_at(&s, &text, "count", 4), NameRes::Binding(local));
    }

    #[test]
    fn user_definitions_shadow_builtins() {
        let text = "function max(a, b) { return a; }\nm = max(1, 2);\n";
        let (s, text) = scopes(text);
        let f = s.module_binding("max").unwrap();
        assert_eq!(res_at(&s, &text, "max", 1), NameRes::Binding(f));
    }

    #[test]
    fn imports_and_arrows() {
        let text = "import utils.math;\nimport geo as g;\nh = fn(p) => p + g.x + utils.math.pi;\n";
        let (s, text) = scopes(text);
        let utils = s.module_binding("utils").unwrap();
        assert_eq!(s.binding(utils).imports[0].target, "utils.math");
        assert!(!s.binding(utils).imports[0].aliased);
        let g = s.module_binding("g").unwrap();
        assert!(s.binding(g).imports[0].aliased);
        assert_eq!(res_at(&s, &text, "utils", 1), NameRes::Binding(utils));
        assert!(
            matches!(res_at(&s, &text, "p +", 0), NameRes::Unknown),
            "the needle covers more than the name"
        );
        let p_use = TextRange::at((text.find("p +").unwrap() as u32).into(), 1.into());
        assert!(matches!(s.resolve(p_use), NameRes::Binding(_)));
    }

    #[test]
    fn nonlocal_errors() {
        let text = "nonlocal a;\nfunction f() { nonlocal zz; }\n";
        let (s, _) = scopes(text);
        assert_eq!(s.errors.len(), 2, "{:?}", s.errors);
    }

    #[test]
    fn indexed_lookups_agree_with_scans() {
        let text = "a = 1;\nfunction f(p) {\n  a = 2;\n  g = fn(q) => q + p;\n  function h() { nonlocal a; a = 3; }\n}\nfunction k() { }\nb = [fn(x) => x, fn(y) => { return y; }];\na = a + 1;\n";
        let (s, text) = scopes(text);
        // `scope_at`: the shortest scope containing the offset (the later of two).
        for offset in 0..=text.len() as u32 + 2 {
            let offset = TextSize::from(offset);
            let mut best = s.module_scope();
            for (i, scope) in s.scopes.iter().enumerate() {
                if scope.range.contains_inclusive(offset)
                    && scope.range.len() <= s.scope(best).range.len()
                {
                    best = ScopeId(i as u32);
                }
            }
            assert_eq!(s.scope_at(offset), best, "at {offset:?}");
        }
        // `binding_defined_at`, `is_def` and `function_scope`.
        for (i, b) in s.bindings.iter().enumerate() {
            for def in &b.defs {
                assert_eq!(s.binding_defined_at(*def), Some(BindingId(i as u32)));
                assert!(b.is_def(*def));
            }
            for r in s.references(BindingId(i as u32)) {
                assert!(!b.is_def(*r));
                assert_eq!(s.binding_defined_at(*r), None);
            }
            if let Some(node) = b.node_range {
                let scope = s.function_scope(node).unwrap();
                assert_eq!(s.scope(scope).range, node);
                assert_eq!(s.scope(scope).name.as_deref(), Some(b.name.as_str()));
            }
        }
        let a = s.module_binding("a").unwrap();
        assert_eq!(s.binding(a).defs.len(), 2);
        assert_eq!(s.references(a).len(), 1);
    }

    #[test]
    fn url_names() {
        assert_eq!(url_module_name("https://h/lib/v2/math"), "math");
        assert_eq!(
            url_module_name("db://path/to/modules.db/crypto.hash"),
            "hash"
        );
        assert_eq!(url_module_name("git://h/o/r@v1/path/mod"), "mod");
    }
}
