//! What the checker and the emitter need to know about each module of a program beyond
//! its scopes: the Python name of every binding, which functions are never reassigned
//! (and can be called directly), and which expressions name modules.

use crate::names::{
    is_dotted_identifier, is_reserved, py_module_name, py_module_segments, py_name, RENAME_PREFIX,
};
use crate::semantics::{self, ImportReach, ImportTargets, Imported, ModuleRef};
use mlpy_modules::scopes::{BindingId, BindingKind, ModuleScopes, NameRes, ScopeId};
use mlpy_modules::{EdgeTarget, ModuleGraph, ModuleId, ModuleNode};
use mlpy_syntax::ast::{self, AstNode, Expr};
use mlpy_syntax::green::{self, GreenChild};
use mlpy_syntax::{GreenNodeData, MlLanguage, SyntaxKind, TextRange, TextSize};
use rowan::NodeOrToken;
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet;

/// What `receiver.member` is, when modules are involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    /// The whole expression names a module (`geometry.shapes`).
    Module(ModRef),
    /// The receiver names a module; `member` is one of its members.
    Member(ModRef),
}

/// A module reached by a name or a member chain (`utils`, `geometry.shapes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModRef {
    /// The module ([`crate::semantics`]' one answer).
    pub target: ModuleRef,
    /// The graph's module, for [`ModuleRef::User`].
    pub id: Option<ModuleId>,
    /// The ML path that reaches it from the binding (`geometry.shapes`).
    pub ml_path: String,
    /// The Python expression that reaches it.
    pub py: String,
}

/// The Python module name of a module of the graph.
pub fn module_py_name(node: &ModuleNode) -> String {
    if node.is_entry {
        // Written as `STEM.py` at the top of the output (with one more `ml_` when a module
        // of the program has that name: `mlpy_transpile`'s `entry_file_name`); nothing
        // imports the entry, which runs as `__main__`.
        return py_module_name(&mlpy_modules::graph::entry_name(&node.path));
    }
    imported_py_name(&node.name)
}

/// The Python module name of a module imported under the ML name `name` (not the entry).
pub fn imported_py_name(name: &str) -> String {
    if is_dotted_identifier(name) {
        return py_module_name(name);
    }
    // A remote module named by its URL: a stable, importable name.
    let last = mlpy_modules::scopes::url_module_name(name);
    let last: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let hash = mlpy_modules::cache::content_hash(name);
    format!("ml_remote_{last}_{:08x}", hash as u32)
}

/// Facts about one module.
pub struct ModuleFacts {
    pub id: ModuleId,
    /// Python module name (`geometry.shapes`, `ml_class`).
    pub py_module: String,
    /// Bindings whose Python name is not `py_name(name)`: imports of modules whose top
    /// package was renamed (`import string.utils;` binds `ml_string`).
    renamed: HashMap<BindingId, String>,
    /// Bindings assigned from an inner function through `nonlocal`.
    reassigned: FxHashSet<BindingId>,
    /// Function and arrow scopes by the range of their node.
    scopes_by_range: HashMap<TextRange, ScopeId>,
    /// What each pure import binding reaches (filled by `ProgramFacts::new`).
    reachable: HashMap<BindingId, Vec<ModRef>>,
    /// The same by ML path (binding → path → index in its list), for long lists.
    reachable_paths: HashMap<BindingId, HashMap<String, usize>>,
    /// The most names a module path reached by an import has (`a.b.c`: 3): a longer
    /// member chain names no module.
    longest_path: usize,
    /// Definition ranges → binding, filled only when some binding is renamed.
    def_ranges: HashMap<TextRange, BindingId>,
}

/// Facts about every module of a graph.
pub struct ProgramFacts<'g> {
    pub graph: &'g ModuleGraph,
    pub modules: Vec<ModuleFacts>,
    /// The modules other than the entry by their Python module name.
    by_py_module: HashMap<String, Vec<ModuleId>>,
    /// For each dotted name that encloses local modules of the program (`a` and `a.b`
    /// for `a.b.c`): the name below it on the way to each (`b`, then `c`), with one such
    /// module (`program_checks::shown_child_first`). In Python these are attributes of the enclosing module.
    submodules: HashMap<String, Vec<(String, ModuleId)>>,
    /// For each package of the program (a module with modules inside it, by its Python
    /// name): the Python names its own code binds at its top level.
    package_globals: HashMap<String, FxHashSet<String>>,
}

impl<'g> ProgramFacts<'g> {
    pub fn new(graph: &'g ModuleGraph) -> ProgramFacts<'g> {
        let modules: Vec<ModuleFacts> = graph
            .modules
            .iter()
            .map(|node| ModuleFacts::new(graph, node))
            .collect();
        let mut by_py_module: HashMap<String, Vec<ModuleId>> = HashMap::default();
        for (node, module) in graph.modules.iter().zip(&modules) {
            if !node.is_entry {
                by_py_module
                    .entry(module.py_module.clone())
                    .or_default()
                    .push(node.id);
            }
        }
        let mut submodules: HashMap<String, Vec<(String, ModuleId)>> = HashMap::default();
        for node in &graph.modules {
            if node.is_entry || !is_dotted_identifier(&node.name) {
                continue;
            }
            let mut end = 0;
            while let Some(dot) = node.name[end..].find('.') {
                let parent = &node.name[..end + dot];
                let rest = &node.name[end + dot + 1..];
                let segment = rest.split('.').next().unwrap_or(rest);
                let list = submodules.entry(parent.to_string()).or_default();
                match list.iter_mut().find(|(s, _)| s == segment) {
                    None => list.push((segment.to_string(), node.id)),
                    // One module per name whatever the load order, so that a diagnostic
                    // naming it is the same from every entry.
                    Some((_, kept)) => {
                        if crate::program_checks::shown_child_first(
                            parent,
                            segment,
                            &node.name,
                            &graph.module(*kept).name,
                        ) {
                            *kept = node.id;
                        }
                    }
                }
                end += dot + 1;
            }
        }
        let mut facts = ProgramFacts {
            graph,
            modules,
            by_py_module,
            submodules,
            package_globals: HashMap::default(),
        };
        let mut package_globals: HashMap<String, FxHashSet<String>> = HashMap::default();
        for module in &facts.modules {
            let py = &module.py_module;
            for (i, _) in py.match_indices('.') {
                let parent = &py[..i];
                if package_globals.contains_key(parent) {
                    continue;
                }
                let mut names = FxHashSet::default();
                for &p in facts.by_py_module.get(parent).into_iter().flatten() {
                    let scopes = facts.scopes(p);
                    for &b in &scopes.scope(scopes.module_scope()).bindings {
                        names.insert(facts.binding_py_name(p, b));
                    }
                }
                package_globals.insert(parent.to_string(), names);
            }
        }
        facts.package_globals = package_globals;
        for node in &graph.modules {
            let scopes = node.file.scopes();
            let mut reachable = HashMap::default();
            let mut reachable_paths = HashMap::default();
            let mut longest_path = 0;
            for (i, b) in scopes.bindings.iter().enumerate() {
                let id = BindingId(i as u32);
                if b.kind == BindingKind::Import && facts.is_pure_import(node.id, id) {
                    let list = facts.compute_reachable(node.id, id);
                    for r in &list {
                        longest_path = longest_path.max(r.ml_path.split('.').count());
                    }
                    if list.len() > SHORT_LIST {
                        let mut paths = HashMap::default();
                        for (j, r) in list.iter().enumerate() {
                            paths.entry(r.ml_path.clone()).or_insert(j);
                        }
                        reachable_paths.insert(id, paths);
                    }
                    reachable.insert(id, list);
                }
            }
            let module = &mut facts.modules[node.id.0 as usize];
            module.reachable = reachable;
            module.reachable_paths = reachable_paths;
            module.longest_path = longest_path;
        }
        facts
    }

    /// The function or arrow scope of the node at `range`.
    pub fn scope_of(&self, id: ModuleId, range: TextRange) -> Option<ScopeId> {
        self.module(id).scopes_by_range.get(&range).copied()
    }

    pub fn module(&self, id: ModuleId) -> &ModuleFacts {
        &self.modules[id.0 as usize]
    }

    /// The modules other than the entry whose Python module name is `py`, in load order.
    pub fn modules_named(&self, py: &str) -> &[ModuleId] {
        self.by_py_module.get(py).map_or(&[], Vec::as_slice)
    }

    /// The names directly below the dotted name `parent` that lead to modules of the
    /// program, each with one such module (see `submodules`).
    pub fn submodules_of(&self, parent: &str) -> &[(String, ModuleId)] {
        self.submodules.get(parent).map_or(&[], Vec::as_slice)
    }

    pub fn node(&self, id: ModuleId) -> &'g ModuleNode {
        self.graph.module(id)
    }

    pub fn scopes(&self, id: ModuleId) -> &'g ModuleScopes {
        self.graph.module(id).file.scopes()
    }

    /// Whether module-level binding `binding` of module `id` is a function named like a
    /// builtin (and so in Python): the name is the builtin until the `function` statement
    /// runs, so a read above it is no error (the checker) and the emitted module binds the
    /// builtin first (the emitter).
    pub fn is_builtin_until_defined(&self, id: ModuleId, binding: BindingId) -> bool {
        let b = self.scopes(id).binding(binding);
        b.kind == BindingKind::Function
            && mlpy_modules::stdlib::is_builtin(&b.name)
            && self.binding_py_name(id, binding) == b.name
    }

    /// The Python name of a binding of module `id`.
    pub fn binding_py_name(&self, id: ModuleId, binding: BindingId) -> String {
        let mut out = String::new();
        self.push_binding_py_name(id, binding, &mut out);
        out
    }

    /// [`Self::binding_py_name`], written at the end of `out`.
    pub fn push_binding_py_name(&self, id: ModuleId, binding: BindingId, out: &mut String) {
        match self.module(id).renamed.get(&binding) {
            Some(name) => out.push_str(name),
            None => push_py_name(&self.scopes(id).binding(binding).name, out),
        }
    }

    /// The renamed binding defined at a NAME's range, if any.
    fn renamed_at_def(&self, id: ModuleId, range: TextRange) -> Option<BindingId> {
        self.module(id).def_ranges.get(&range).copied()
    }

    /// The Python name for a NAME (a definition) of module `id`.
    pub fn def_py_name(&self, id: ModuleId, name: &ast::Name) -> String {
        let mut out = String::new();
        if let Some(token) = name.ident_token() {
            self.push_def_py_name(id, token.text(), token.text_range(), &mut out);
        }
        out
    }

    /// The Python name for the identifier `text` at `range` (the IDENT of a NAME, a
    /// definition) of module `id`, written at the end of `out`.
    pub fn push_def_py_name(&self, id: ModuleId, text: &str, range: TextRange, out: &mut String) {
        match self.renamed_at_def(id, range) {
            Some(b) => self.push_binding_py_name(id, b, out),
            None => push_py_name(text, out),
        }
    }

    /// Whether a binding is a function defined once and never assigned again, so calls
    /// of it can be direct Python calls.
    pub fn is_stable_function(&self, id: ModuleId, binding: BindingId) -> bool {
        let b = self.scopes(id).binding(binding);
        b.kind == BindingKind::Function
            && b.defs.len() == 1
            && !self.module(id).reassigned.contains(&binding)
    }

    /// Whether `name` is a stable top-level function of module `id`.
    pub fn is_stable_member_function(&self, id: ModuleId, name: &str) -> bool {
        self.scopes(id)
            .module_binding(name)
            .is_some_and(|b| self.is_stable_function(id, b))
    }

    /// The Python name of the top-level member `name` of module `id`.
    pub fn member_py_name(&self, id: ModuleId, name: &str) -> String {
        match self.scopes(id).module_binding(name) {
            Some(b) => self.binding_py_name(id, b),
            None => py_name(name),
        }
    }

    /// An import binding that only imports (never assigned otherwise).
    pub fn is_pure_import(&self, id: ModuleId, binding: BindingId) -> bool {
        semantics::is_pure_import(self.scopes(id), &self.module(id).reassigned, binding)
    }

    /// For `receiver.member`: whether the whole expression names a module, or the
    /// receiver does (and `member` is one of its members).
    pub fn field_ref(&self, id: ModuleId, field: &ast::FieldExpr) -> Option<FieldRef> {
        let node = field.syntax();
        self.field_ref_at(id, node.green(), node.text_range())
    }

    /// [`Self::field_ref`] for the FIELD_EXPR `green` of the green tree, at `range` (the
    /// emitter reads the green tree).
    pub fn field_ref_at(
        &self,
        id: ModuleId,
        green: &GreenNodeData,
        range: TextRange,
    ) -> Option<FieldRef> {
        let receiver = expr_child(green, range)?;
        let base = match self.reached(id, receiver)? {
            base @ Reached::Builtins(_) => return Some(FieldRef::Member(base.to_mod_ref())),
            Reached::Module(base) => base,
        };
        let member = member_name(green, range)?;
        let root = self.root_binding(id, receiver)?;
        match self.reached_member(id, root, &base.ml_path, member) {
            Some(module) => Some(FieldRef::Module(module.clone())),
            None => Some(FieldRef::Member(base.clone())),
        }
    }

    /// For the CALL_EXPR `green` at `range`: the module its callee names, if it is a name
    /// or a parenthesised one (`m(…)`, `(m)(…)`; a member chain is judged with
    /// [`Self::field_ref`]) — and the callee's range. Read from the green tree: every call
    /// of a module is asked about.
    pub fn called_module_at(
        &self,
        id: ModuleId,
        green: &GreenNodeData,
        range: TextRange,
    ) -> Option<(ModRef, TextRange)> {
        let callee = expr_child(green, range)?;
        if !matches!(callee.0, SyntaxKind::PATH_EXPR | SyntaxKind::PAREN_EXPR) {
            return None;
        }
        Some((self.reached(id, callee)?.to_mod_ref(), callee.1))
    }

    /// What a module-valued expression refers to, if it names a module.
    pub fn module_ref(&self, id: ModuleId, expr: &Expr) -> Option<ModRef> {
        let node = expr.syntax();
        let expr = (node.kind(), node.text_range(), node.green());
        self.reached(id, expr).map(|r| r.to_mod_ref())
    }

    /// What the expression `(kind, range, green node)` reaches, without copying it.
    ///
    /// A walk down its member chain to the name at its root, then up again, one lookup
    /// per member. A chain with more members than the longest module path the module
    /// imports names no module: the walk stops there, so that asking about every link of
    /// a long chain `a.b.c…` (the checker and the emitter do) costs a bounded walk per
    /// link, not the length of the chain.
    fn reached<'s>(&'s self, id: ModuleId, expr: GreenExpr<'_>) -> Option<Reached<'s>> {
        let longest = self.module(id).longest_path;
        let mut members: Vec<&str> = Vec::new();
        let (mut kind, mut range, mut green) = expr;
        loop {
            match kind {
                SyntaxKind::PAREN_EXPR => {}
                SyntaxKind::FIELD_EXPR => {
                    if members.len() >= longest {
                        return None;
                    }
                    members.push(member_name(green, range)?);
                }
                SyntaxKind::PATH_EXPR => break,
                _ => return None,
            }
            (kind, range, green) = expr_child(green, range)?;
        }
        let (text, ident) = name_ref_ident(green, range)??;
        match self.scopes(id).resolve(ident) {
            NameRes::BuiltinModule if members.is_empty() => {
                Some(Reached::Builtins(text.to_string()))
            }
            NameRes::Binding(b) if self.is_pure_import(id, b) => {
                let list = self.reachable(id, b);
                let mut found = match self.module(id).reachable_paths.get(&b) {
                    Some(paths) => list.get(*paths.get(text)?)?,
                    None => list.iter().find(|r| r.ml_path == text)?,
                };
                for member in members.iter().rev() {
                    found = self.reached_member(id, b, &found.ml_path, member)?;
                }
                Some(Reached::Module(found))
            }
            _ => None,
        }
    }

    /// The module path `base.member` the import binding `binding` reaches.
    fn reached_member(
        &self,
        id: ModuleId,
        binding: BindingId,
        base: &str,
        member: &str,
    ) -> Option<&ModRef> {
        let list = self.reachable(id, binding);
        match self.module(id).reachable_paths.get(&binding) {
            Some(paths) => list.get(*paths.get(&format!("{base}.{member}"))?),
            None => list.iter().find(|r| extends(&r.ml_path, base, member)),
        }
    }

    /// The import binding at the root of a member chain.
    fn root_binding(&self, id: ModuleId, expr: GreenExpr<'_>) -> Option<BindingId> {
        let (kind, range, green) = expr;
        match kind {
            SyntaxKind::PAREN_EXPR | SyntaxKind::FIELD_EXPR => {
                self.root_binding(id, expr_child(green, range)?)
            }
            SyntaxKind::PATH_EXPR => {
                let (_, range) = name_ref_ident(green, range)??;
                match self.scopes(id).resolve(range) {
                    NameRes::Binding(b) => Some(b),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Every module path reachable from an import binding.
    pub fn reachable(&self, id: ModuleId, binding: BindingId) -> &[ModRef] {
        self.module(id)
            .reachable
            .get(&binding)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether Python reaches the module `target` (`a.b.c`) through an attribute that ML
    /// code may rebind: a top-level name of a package on the way that is also the name of
    /// the next step (`b` of `a`, `c` of `a.b`). Python sets such an attribute to the
    /// submodule when it imports it, and the package's own code may set it to any value
    /// later (`shapes = path;` in `geo/__init__.ml`); `geo.shapes._os` read directly would
    /// then be the standard library's own `os`. A chain through such a step names no
    /// module for certain: its members are read as any value's, through the gates.
    fn reached_through_rebindable_attribute(&self, target: ModuleId) -> bool {
        let py = &self.module(target).py_module;
        py.match_indices('.').any(|(i, _)| {
            let step = py[i + 1..].split('.').next().unwrap_or_default();
            self.package_globals
                .get(&py[..i])
                .is_some_and(|names| names.contains(step))
        })
    }

    /// The internal name an `import a.b;` binds its module to when the module's Python
    /// name is not the path written (a remote module named by its URL, or a file first
    /// imported under another name): `import P as __mod_P`, and `a.b` is `__mod_P`.
    pub fn detached_import(&self, target: ModuleId, spec: &str) -> Option<String> {
        let py = &self.module(target).py_module;
        (spec.contains('.') && is_dotted_identifier(spec) && *py != py_module_name(spec))
            .then(|| format!("__mod_{}", py.replace('.', "_")))
    }

    /// Every module path the import binding `binding` reaches ([`ImportReach`]), with the
    /// Python expression that reaches it.
    fn compute_reachable(&self, id: ModuleId, binding: BindingId) -> Vec<ModRef> {
        let node = self.node(id);
        let b = self.scopes(id).binding(binding);
        let py_root = self.binding_py_name(id, binding);
        let imports = GraphImports {
            graph: self.graph,
            node,
        };
        let reach = ImportReach::new(self.scopes(id), binding);
        let mut out: Vec<ModRef> = Vec::new();
        for (i, entry) in reach.entries().iter().enumerate() {
            let Some(target) = reach.module_of(&imports, i) else {
                continue;
            };
            let Some(import) = b.imports.iter().find(|im| im.statement == entry.statement) else {
                continue;
            };
            let module_id = match &target {
                ModuleRef::User(path) => self.graph.by_path(path).map(|n| n.id),
                _ => None,
            };
            if module_id.is_some_and(|m| self.reached_through_rebindable_attribute(m)) {
                // Not a module this name reaches for certain: read as any value.
                continue;
            }
            let py = if import.aliased || !is_dotted_identifier(&import.target) {
                py_root.clone()
            } else {
                let detached = match (entry.full, module_id) {
                    (true, Some(m)) => self.detached_import(m, &import.target),
                    _ => None,
                };
                match detached {
                    Some(alias) => alias,
                    None => {
                        let py_segments = py_module_segments(&entry.prefix);
                        std::iter::once(py_root.clone())
                            .chain(py_segments[1..].iter().cloned())
                            .collect::<Vec<_>>()
                            .join(".")
                    }
                }
            };
            out.push(ModRef {
                target,
                id: module_id,
                ml_path: entry.prefix.clone(),
                py,
            });
        }
        out
    }
}

/// The import statements of a module of the graph resolve by the graph's edges.
pub struct GraphImports<'g> {
    pub graph: &'g ModuleGraph,
    pub node: &'g ModuleNode,
}

impl ImportTargets for GraphImports<'_> {
    fn imported(&self, statement: TextRange) -> Option<Imported> {
        let edge = self.node.edge_at(statement)?;
        Some(match edge.target.as_ref().ok()? {
            EdgeTarget::Module(m) => {
                let module = self.graph.module(*m);
                Imported {
                    module: ModuleRef::User(module.path.clone()),
                    packages: module
                        .packages
                        .iter()
                        .map(|p| {
                            let package = self.graph.module(*p);
                            (package.name.clone(), ModuleRef::User(package.path.clone()))
                        })
                        .collect(),
                }
            }
            EdgeTarget::Stdlib(name) => Imported {
                module: ModuleRef::Stdlib(name.clone()),
                packages: Vec::new(),
            },
            EdgeTarget::Python(name) => Imported {
                module: ModuleRef::Python(name.clone()),
                packages: Vec::new(),
            },
        })
    }
}

/// Lists of reachable modules up to this long are searched; longer ones are indexed.
const SHORT_LIST: usize = 8;

/// What a member chain reaches: a module an import makes reachable, or `builtin`.
enum Reached<'f> {
    /// `builtin`, as written.
    Builtins(String),
    Module(&'f ModRef),
}

impl Reached<'_> {
    fn to_mod_ref(&self) -> ModRef {
        match self {
            Reached::Builtins(text) => ModRef {
                target: ModuleRef::Builtins,
                id: None,
                ml_path: text.clone(),
                py: "builtin".to_string(),
            },
            Reached::Module(m) => (*m).clone(),
        }
    }
}

/// An expression of the green tree: its kind, range and node.
type GreenExpr<'a> = (SyntaxKind, TextRange, &'a GreenNodeData);

/// The first child expression of the green node `green` at `range` (`ast`'s
/// `child::<Expr>`: the receiver of a member, the inside of parentheses).
fn expr_child(green: &GreenNodeData, range: TextRange) -> Option<GreenExpr<'_>> {
    green::children(green, range.start()).find_map(|child| match child {
        GreenChild::Node { kind, range, node } if Expr::can_cast(kind) => Some((kind, range, node)),
        _ => None,
    })
}

/// The IDENT of the first NAME_REF child: `None` without a NAME_REF, `Some(None)` when the
/// NAME_REF has no IDENT (`ast`'s `name_ref()` and `ident_token()`).
fn name_ref_ident(green: &GreenNodeData, range: TextRange) -> Option<Option<(&str, TextRange)>> {
    let (node, start) = green::children(green, range.start()).find_map(|child| match child {
        GreenChild::Node {
            kind: SyntaxKind::NAME_REF,
            range,
            node,
        } => Some((node, range.start())),
        _ => None,
    })?;
    Some(green::children(node, start).find_map(|child| match child {
        GreenChild::Token {
            kind: SyntaxKind::IDENT,
            range,
            text,
        } => Some((text, range)),
        _ => None,
    }))
}

/// A member's name (`FieldExpr::field_name`): empty when its NAME_REF has no IDENT.
fn member_name(green: &GreenNodeData, range: TextRange) -> Option<&str> {
    Some(name_ref_ident(green, range)?.map_or("", |(text, _)| text))
}

/// Whether `path` is `base.member`.
fn extends(path: &str, base: &str, member: &str) -> bool {
    path.len() == base.len() + 1 + member.len()
        && path.starts_with(base)
        && path.as_bytes()[base.len()] == b'.'
        && path.ends_with(member)
}

/// The kind and range of the first token of the green node `green`, which starts at
/// `start`: what `SyntaxNode::first_token` finds (`None` when the first child is a node
/// without tokens), read from the green tree without allocating cursors.
pub fn first_token(green: &GreenNodeData, start: TextSize) -> Option<(SyntaxKind, TextRange)> {
    let mut node = green;
    loop {
        match node.children().next()? {
            NodeOrToken::Node(child) => node = child,
            NodeOrToken::Token(token) => {
                let kind = <MlLanguage as rowan::Language>::kind_from_raw(token.kind());
                return Some((kind, TextRange::at(start, token.text_len())));
            }
        }
    }
}

/// [`py_name`], written at the end of `out`.
pub fn push_py_name(name: &str, out: &mut String) {
    if is_reserved(name) {
        out.push_str(RENAME_PREFIX);
    }
    out.push_str(name);
}

impl ModuleFacts {
    fn new(graph: &ModuleGraph, node: &ModuleNode) -> ModuleFacts {
        let scopes = node.file.scopes();
        let reassigned = semantics::nonlocal_assigned(scopes);
        let mut renamed = HashMap::default();
        for (i, b) in scopes.bindings.iter().enumerate() {
            if b.kind != BindingKind::Import {
                continue;
            }
            let Some(import) = b.imports.first() else {
                continue;
            };
            if import.aliased || !is_dotted_identifier(&import.target) {
                continue;
            }
            let Some(edge) = node.edge_at(import.statement) else {
                continue;
            };
            if let Ok(EdgeTarget::Module(m)) = &edge.target {
                let py = module_py_name(graph.module(*m));
                let top = py.split('.').next().unwrap_or_default().to_string();
                if top != py_name(&b.name) && py == py_module_name(&import.target) {
                    renamed.insert(BindingId(i as u32), top);
                }
            }
        }
        // Only needed to name definitions of renamed bindings.
        let mut def_ranges = HashMap::default();
        if !renamed.is_empty() {
            for (i, b) in scopes.bindings.iter().enumerate() {
                for range in &b.defs {
                    def_ranges.insert(*range, BindingId(i as u32));
                }
            }
        }
        let scopes_by_range = scopes
            .scopes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, scope)| (scope.range, ScopeId(i as u32)))
            .collect();
        ModuleFacts {
            id: node.id,
            scopes_by_range,
            reachable: HashMap::default(),
            reachable_paths: HashMap::default(),
            longest_path: 0,
            py_module: module_py_name(node),
            renamed,
            reassigned,
            def_ranges,
        }
    }
}
