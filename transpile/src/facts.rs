//! What the checker and the emitter need to know about each module of a program beyond
//! its scopes: the Python name of every binding, which functions are never reassigned
//! (and can be called directly), and which expressions name modules.

use crate::names::{is_dotted_identifier, py_module_name, py_module_segments, py_name};
use mlpy_modules::scopes::{Binding, BindingId, BindingKind, ModuleScopes, NameRes, ScopeId};
use mlpy_modules::{EdgeTarget, ModuleGraph, ModuleId, ModuleNode};
use mlpy_syntax::ast::{self, AstNode, Expr};
use mlpy_syntax::{SyntaxKind, TextRange};
use std::collections::{HashMap, HashSet};

/// What a module-valued expression refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A user module of the graph.
    User(ModuleId),
    /// A folder on the way to an imported module, without its own `__init__.ml`.
    Namespace,
    /// A standard-library module.
    Stdlib(String),
    /// A whitelisted Python module (`stdlib_mode: "python"`).
    Python(String),
    /// `builtin`, the module of the builtins.
    Builtins,
}

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
    pub target: Target,
    /// The ML path that reaches it from the binding (`geometry.shapes`).
    pub ml_path: String,
    /// The Python expression that reaches it.
    pub py: String,
}

/// The Python module name of a module of the graph.
pub fn module_py_name(node: &ModuleNode) -> String {
    if is_dotted_identifier(&node.name) {
        return py_module_name(&node.name);
    }
    // A remote module named by its URL: a stable, importable name.
    let last = mlpy_modules::scopes::url_module_name(&node.name);
    let last: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let hash = mlpy_modules::cache::content_hash(&node.name);
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
    reassigned: HashSet<BindingId>,
    /// Function and arrow scopes by the range of their node.
    scopes_by_range: HashMap<TextRange, ScopeId>,
    /// What each pure import binding reaches (filled by `ProgramFacts::new`).
    reachable: HashMap<BindingId, Vec<ModRef>>,
    /// Definition ranges → binding, filled only when some binding is renamed.
    def_ranges: HashMap<TextRange, BindingId>,
}

/// Facts about every module of a graph.
pub struct ProgramFacts<'g> {
    pub graph: &'g ModuleGraph,
    pub modules: Vec<ModuleFacts>,
}

impl<'g> ProgramFacts<'g> {
    pub fn new(graph: &'g ModuleGraph) -> ProgramFacts<'g> {
        let modules = graph
            .modules
            .iter()
            .map(|node| ModuleFacts::new(graph, node))
            .collect();
        let mut facts = ProgramFacts { graph, modules };
        for node in &graph.modules {
            let scopes = &node.file.scopes;
            let mut reachable = HashMap::new();
            for (i, b) in scopes.bindings.iter().enumerate() {
                let id = BindingId(i as u32);
                if b.kind == BindingKind::Import && facts.is_pure_import(node.id, id) {
                    reachable.insert(id, facts.compute_reachable(node.id, id));
                }
            }
            facts.modules[node.id.0 as usize].reachable = reachable;
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

    pub fn node(&self, id: ModuleId) -> &'g ModuleNode {
        self.graph.module(id)
    }

    pub fn scopes(&self, id: ModuleId) -> &'g ModuleScopes {
        &self.graph.module(id).file.scopes
    }

    /// The Python name of a binding of module `id`.
    pub fn binding_py_name(&self, id: ModuleId, binding: BindingId) -> String {
        let facts = self.module(id);
        match facts.renamed.get(&binding) {
            Some(name) => name.clone(),
            None => py_name(&self.scopes(id).binding(binding).name),
        }
    }

    /// The renamed binding defined at a NAME's range, if any.
    fn renamed_at_def(&self, id: ModuleId, range: TextRange) -> Option<BindingId> {
        self.module(id).def_ranges.get(&range).copied()
    }

    /// The Python name for a NAME (a definition) of module `id`.
    pub fn def_py_name(&self, id: ModuleId, name: &ast::Name) -> String {
        let Some(token) = name.ident_token() else {
            return String::new();
        };
        match self.renamed_at_def(id, token.text_range()) {
            Some(b) => self.binding_py_name(id, b),
            None => py_name(token.text()),
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
        let b = self.scopes(id).binding(binding);
        b.kind == BindingKind::Import
            && !b.imports.is_empty()
            && b.defs.len() == b.imports.len()
            && !self.module(id).reassigned.contains(&binding)
    }

    /// Whether an expression may name a module: its first token is a name bound by an
    /// import (or `builtin`), or a parenthesis. A cheap test that rules out almost every
    /// expression before the chain is examined.
    fn may_name_module(&self, id: ModuleId, node: &mlpy_syntax::SyntaxNode) -> bool {
        let Some(token) = node.first_token() else {
            return false;
        };
        match token.kind() {
            SyntaxKind::L_PAREN => true,
            SyntaxKind::IDENT => match self.scopes(id).resolve(token.text_range()) {
                NameRes::BuiltinModule => true,
                NameRes::Binding(b) => self.is_pure_import(id, b),
                _ => false,
            },
            _ => false,
        }
    }

    /// For `receiver.member`: whether the whole expression names a module, or the
    /// receiver does (and `member` is one of its members).
    pub fn field_ref(&self, id: ModuleId, field: &ast::FieldExpr) -> Option<FieldRef> {
        if !self.may_name_module(id, field.syntax()) {
            return None;
        }
        let receiver = field.receiver()?;
        let base = self.module_ref(id, &receiver)?;
        if base.target == Target::Builtins {
            return Some(FieldRef::Member(base));
        }
        let member = field.field_name()?;
        let root = self.root_binding(id, &receiver)?;
        let extended = format!("{}.{member}", base.ml_path);
        match self
            .reachable(id, root)
            .iter()
            .find(|r| r.ml_path == extended)
        {
            Some(module) => Some(FieldRef::Module(module.clone())),
            None => Some(FieldRef::Member(base)),
        }
    }

    /// What a module-valued expression refers to, if it names a module.
    pub fn module_ref(&self, id: ModuleId, expr: &Expr) -> Option<ModRef> {
        if !self.may_name_module(id, expr.syntax()) {
            return None;
        }
        match expr {
            Expr::Paren(p) => self.module_ref(id, &p.expr()?),
            Expr::Path(path) => {
                let token = path.name_ref()?.ident_token()?;
                match self.scopes(id).resolve(token.text_range()) {
                    NameRes::BuiltinModule => Some(ModRef {
                        target: Target::Builtins,
                        ml_path: token.text().to_string(),
                        py: "builtin".to_string(),
                    }),
                    NameRes::Binding(b) if self.is_pure_import(id, b) => self
                        .reachable(id, b)
                        .iter()
                        .find(|r| r.ml_path == token.text())
                        .cloned(),
                    _ => None,
                }
            }
            Expr::Field(field) => {
                let base = self.module_ref(id, &field.receiver()?)?;
                let member = field.field_name()?;
                let root = self.root_binding(id, &field.receiver()?)?;
                let extended = format!("{}.{member}", base.ml_path);
                self.reachable(id, root)
                    .iter()
                    .find(|r| r.ml_path == extended)
                    .cloned()
            }
            _ => None,
        }
    }

    /// The import binding at the root of a member chain.
    fn root_binding(&self, id: ModuleId, expr: &Expr) -> Option<BindingId> {
        match expr {
            Expr::Paren(p) => self.root_binding(id, &p.expr()?),
            Expr::Path(path) => {
                let token = path.name_ref()?.ident_token()?;
                match self.scopes(id).resolve(token.text_range()) {
                    NameRes::Binding(b) => Some(b),
                    _ => None,
                }
            }
            Expr::Field(field) => self.root_binding(id, &field.receiver()?),
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

    /// The internal name an `import a.b;` binds its module to when the module's Python
    /// name is not the path written (a remote module named by its URL, or a file first
    /// imported under another name): `import P as __mod_P`, and `a.b` is `__mod_P`.
    pub fn detached_import(&self, target: ModuleId, spec: &str) -> Option<String> {
        let py = &self.module(target).py_module;
        (spec.contains('.') && is_dotted_identifier(spec) && *py != py_module_name(spec))
            .then(|| format!("__mod_{}", py.replace('.', "_")))
    }

    fn compute_reachable(&self, id: ModuleId, binding: BindingId) -> Vec<ModRef> {
        let node = self.node(id);
        let b: &Binding = self.scopes(id).binding(binding);
        let py_root = self.binding_py_name(id, binding);
        let mut out: Vec<ModRef> = Vec::new();
        for import in &b.imports {
            let Some(edge) = node.edge_at(import.statement) else {
                continue;
            };
            let Ok(target) = &edge.target else { continue };
            if import.aliased || !is_dotted_identifier(&import.target) {
                let target = match target {
                    EdgeTarget::Module(m) => Target::User(*m),
                    EdgeTarget::Stdlib(s) => Target::Stdlib(s.clone()),
                    EdgeTarget::Python(p) => Target::Python(p.clone()),
                };
                out.push(ModRef {
                    target,
                    ml_path: b.name.clone(),
                    py: py_root.clone(),
                });
                continue;
            }
            let segments: Vec<&str> = import.target.split('.').collect();
            let py_segments = py_module_segments(&import.target);
            let detached = match target {
                EdgeTarget::Module(m) => self.detached_import(*m, &import.target),
                _ => None,
            };
            for len in 1..=segments.len() {
                let ml_path = segments[..len].join(".");
                if out.iter().any(|r| r.ml_path == ml_path) {
                    continue;
                }
                let py = std::iter::once(py_root.clone())
                    .chain(py_segments[1..len].iter().cloned())
                    .collect::<Vec<_>>()
                    .join(".");
                let full = len == segments.len();
                let py = match (&detached, full) {
                    (Some(alias), true) => alias.clone(),
                    _ => py,
                };
                let target = match target {
                    EdgeTarget::Module(m) if full => Target::User(*m),
                    EdgeTarget::Module(m) => {
                        let package = self
                            .node(*m)
                            .packages
                            .iter()
                            .copied()
                            .find(|p| self.node(*p).name == ml_path);
                        match package {
                            Some(p) => Target::User(p),
                            None => Target::Namespace,
                        }
                    }
                    EdgeTarget::Stdlib(s) => Target::Stdlib(s.clone()),
                    EdgeTarget::Python(_) => Target::Python(ml_path.clone()),
                };
                out.push(ModRef {
                    target,
                    ml_path,
                    py,
                });
            }
        }
        out
    }
}

impl ModuleFacts {
    fn new(graph: &ModuleGraph, node: &ModuleNode) -> ModuleFacts {
        let scopes = &node.file.scopes;
        let mut reassigned = HashSet::new();
        for scope in &scopes.scopes {
            for (_, range) in &scope.nonlocals {
                if let Some(target) = scopes.nonlocal_target(*range) {
                    reassigned.insert(target);
                }
            }
        }
        let mut renamed = HashMap::new();
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
        let mut def_ranges = HashMap::new();
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
            reachable: HashMap::new(),
            py_module: module_py_name(node),
            renamed,
            reassigned,
            def_ranges,
        }
    }
}
