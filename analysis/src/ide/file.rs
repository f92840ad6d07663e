//! One file as the features see it: its parse, scopes and symbols, its host, and what
//! its import statements reach (resolved with the project's resolver, each once), which
//! makes it the [`ImportTargets`] of [`FileSemantics`].

use super::Host;
use crate::semantics::{FileSemantics, ImportTargets, Imported, ModuleRef, Target};
use mlpy_modules::graph::{import_options, import_spec};
use mlpy_modules::scopes::BindingKind;
use mlpy_modules::{ImportSpec, Origin, Resolution, ResolveError, Resolver, SourceFile};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::{SyntaxNode, TextRange};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct FileCtx<'h> {
    host: &'h dyn Host,
    /// The file; for a document that is no file, a name of the host's choosing that no
    /// module file has.
    path: PathBuf,
    file: Arc<SourceFile>,
    /// `None` for a document that is no file: nothing is resolved from the disk for it.
    resolver: Option<Arc<Resolver>>,
    /// Where the file came from: a cached remote module's imports are its own URL's.
    origin: Origin,
    /// What each import statement reaches, by the statement's range, once asked.
    imported: RefCell<FxHashMap<TextRange, Option<Imported>>>,
}

impl<'h> FileCtx<'h> {
    /// The module file at `path`, as the host sees it.
    pub fn load(host: &'h dyn Host, path: &Path) -> Option<FileCtx<'h>> {
        let file = host.load(path)?;
        Some(FileCtx::of_file(host, path, file))
    }

    /// The module file at `path` with its parsed text.
    pub fn of_file(host: &'h dyn Host, path: &Path, file: Arc<SourceFile>) -> FileCtx<'h> {
        FileCtx {
            host,
            path: path.to_path_buf(),
            file,
            resolver: Some(host.resolver(path)),
            origin: host.origin(path),
            imported: RefCell::default(),
        }
    }

    /// A document that is no file (`untitled:`, a file of another machine): its text
    /// alone, none of its imports resolve. `name` stands for it in results.
    pub fn detached(host: &'h dyn Host, name: PathBuf, text: Arc<str>) -> FileCtx<'h> {
        FileCtx {
            host,
            file: Arc::new(SourceFile::new(&name, text)),
            path: name,
            resolver: None,
            origin: Origin::File,
            imported: RefCell::default(),
        }
    }

    pub fn host(&self) -> &'h dyn Host {
        self.host
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self) -> &Arc<SourceFile> {
        &self.file
    }

    pub fn text(&self) -> &str {
        &self.file.text
    }

    pub fn root(&self) -> SyntaxNode {
        self.file.parse.syntax_node()
    }

    /// Where the file came from (a cached remote module: its URL).
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The project's resolver; `None` for a document that is no file.
    pub fn resolver(&self) -> Option<&Resolver> {
        self.resolver.as_deref()
    }

    /// The name-resolution API on this file (create one per request: it remembers what
    /// each import binding reaches).
    pub fn semantics(&self) -> FileSemantics<'_> {
        FileSemantics::new(self.file.scopes(), self.root(), self)
    }

    /// What `spec` names when imported from this file with `import`'s option block
    /// (`verify`, `auth`, `cache` of remote imports); `None` for a document that is no
    /// file.
    pub fn resolve(
        &self,
        spec: &ImportSpec,
        import: Option<&ast::Import>,
    ) -> Option<Result<Resolution, ResolveError>> {
        let options = import
            .and_then(|i| import_options(i).ok())
            .unwrap_or_default();
        let resolver = self.resolver.as_ref()?;
        Some(resolver.resolve_with(spec, &options, &self.path, &self.origin))
    }

    /// What the import statement `import` reaches (resolved once).
    pub fn imported_by(&self, import: &ast::Import) -> Option<Imported> {
        let statement = import.syntax().text_range();
        if let Some(known) = self.imported.borrow().get(&statement) {
            return known.clone();
        }
        let answer = import_spec(import)
            .and_then(|(spec, _)| self.resolve(&spec, Some(import)))
            .and_then(Result::ok)
            .map(imported);
        self.imported.borrow_mut().insert(statement, answer.clone());
        answer
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

impl ImportTargets for FileCtx<'_> {
    fn imported(&self, statement: TextRange) -> Option<Imported> {
        if let Some(known) = self.imported.borrow().get(&statement) {
            return known.clone();
        }
        self.imported_by(&self.import_at(statement)?)
    }

    fn in_module(&self, module: &Path, names: &[String]) -> Option<Target> {
        // A document that is no file reaches no module to go on in.
        self.resolver.as_ref()?;
        let file = match module == self.path {
            true => self.file.clone(),
            false => self.host.load(module)?,
        };
        let binding = file.scopes().module_binding(names.first()?)?;
        // Only a module's own import binding names a module; a variable's members are
        // values (and a look at its kind is cheaper than resolving the module).
        if file.scopes().binding(binding).kind != BindingKind::Import {
            return None;
        }
        let there = FileCtx::of_file(self.host, module, file);
        let target = there.semantics().member_target(binding, names)?;
        Some(match target {
            // The binding itself: a top-level name of that module.
            Target::Local(_) => Target::Member {
                module: ModuleRef::User(module.to_path_buf()),
                name: names[0].clone(),
            },
            target => target,
        })
    }
}

/// What a resolution reaches, in the terms of [`crate::semantics`].
fn imported(resolution: Resolution) -> Imported {
    match resolution {
        Resolution::Module(located) => Imported {
            module: ModuleRef::User(located.path),
            packages: located
                .parent_packages
                .into_iter()
                .map(|(name, path)| (name, ModuleRef::User(path)))
                .collect(),
        },
        Resolution::Stdlib(name) => Imported {
            module: ModuleRef::Stdlib(name),
            packages: Vec::new(),
        },
        Resolution::Python(name) => Imported {
            module: ModuleRef::Python(name),
            packages: Vec::new(),
        },
    }
}
