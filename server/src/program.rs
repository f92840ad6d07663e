//! The workspace's programs, for the whole-program diagnostics
//! (`mlpy_analysis::program_checks`). `mlpy check` with the workspace's modules as entries
//! reports, for each module, what every program that holds it finds (two modules that
//! would be one Python module, a package name that is also a submodule); the engine
//! checks a module on a graph one import deep, which holds neither the other programs nor
//! the rest of the module's own, so it asks here.
//!
//! * Every module's ML name, as the first import seen names it, and so its Python name (`by_py`: who
//!   would be the same Python module) and the packages it is inside (`inside`).
//! * What checking each module loads next (`loads`): the targets of its imports with their
//!   packages, as a graph build follows them. The programs that hold a module are those
//!   of the modules that reach it: a search backwards.
//! * A module whose check found something to ask (an import of a module whose Python
//!   name another module has; a top-level name of a package that one of its submodules
//!   has) is *watched*. When what any module loads changes, which programs hold what
//!   changes too, so the watched modules are checked again; when a module's name appears
//!   or changes, the modules that import one of the same Python name, and the packages it
//!   is inside, are. Few modules are watched, and an edit that keeps a module's imports
//!   changes nothing here.

use crate::path_ids::PathIds;
use mlpy_analysis::facts::{imported_py_name, module_py_name};
use mlpy_analysis::names::is_dotted_identifier;
use mlpy_analysis::program_checks::{self, shown_child_first, Member, ProgramModules};
use mlpy_modules::scopes::NameRes;
use mlpy_modules::{Diagnostic, EdgeTarget, ModuleGraph, ModuleId, ModuleNode};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct Programs {
    ids: PathIds,
    /// The ML name each module was last seen under, with its Python name.
    names: Vec<Option<(String, String)>>,
    /// Whether that name is an import's (else the module's own, as an entry).
    named_by_import: Vec<bool>,
    /// The modules by Python name.
    by_py: HashMap<String, BTreeSet<u32>>,
    /// The modules by ML name (a package and a module may share one).
    by_name: HashMap<String, BTreeSet<u32>>,
    /// For each dotted name that encloses modules (`a`, `a.b` for `a.b.c`): those modules.
    inside: HashMap<String, BTreeSet<u32>>,
    /// What checking each module loads next (sorted); `None` until a build resolved its
    /// imports.
    loads: Vec<Option<Vec<u32>>>,
    /// The reverse: who loads each module (sorted).
    loaded_by: Vec<Vec<u32>>,
    watched: BTreeSet<u32>,
}

impl Programs {
    pub fn new() -> Programs {
        Programs::default()
    }

    fn id(&mut self, path: &Path) -> u32 {
        let (id, new) = self.ids.intern(path);
        if !new {
            return id;
        }
        self.names.push(None);
        self.named_by_import.push(false);
        self.loads.push(None);
        self.loaded_by.push(Vec::new());
        id
    }

    /// Takes in what `graph` shows: the names of its modules and, for those whose imports
    /// it resolved (every module when `whole`, else its entry), what they load. Returns
    /// the modules whose whole-program diagnostics may have changed.
    pub fn note(&mut self, graph: &ModuleGraph, whole: bool) -> BTreeSet<PathBuf> {
        let mut renamed: Vec<(u32, Option<(String, String)>)> = Vec::new();
        let mut loads_changed = false;
        for node in &graph.modules {
            let id = self.id(&node.path);
            // The name imports give it; an entry's own only until one does. The first
            // import's stays: a file two import roots name differently would otherwise
            // be renamed by every check of one of its importers, each dirtying the other.
            let named = self.names[id as usize].is_some();
            let imported = self.named_by_import[id as usize];
            if !named || (!node.is_entry && !imported) {
                let name = (node.name.clone(), imported_py_name(&node.name));
                self.named_by_import[id as usize] = !node.is_entry;
                if self.names[id as usize].as_ref() != Some(&name) {
                    let old = self.set_name(id, Some(name));
                    renamed.push((id, old));
                }
            }
            if whole || node.is_entry {
                let loads = self.loads_of(graph, node);
                loads_changed |= self.set_loads(id, Some(loads));
            }
        }
        let mut affected = self.after_renames(renamed);
        if loads_changed {
            affected.extend(self.watched.iter().copied());
        }
        affected
            .into_iter()
            .map(|i| self.ids.path(i).to_path_buf())
            .collect()
    }

    /// Forgets a module whose file is gone; returns the modules to check again.
    pub fn forget(&mut self, path: &Path) -> BTreeSet<PathBuf> {
        let Some(id) = self.ids.get(path) else {
            return BTreeSet::new();
        };
        self.watched.remove(&id);
        self.named_by_import[id as usize] = false;
        let old = self.set_name(id, None);
        let mut affected = self.after_renames(vec![(id, old)]);
        if self.set_loads(id, None) {
            affected.extend(self.watched.iter().copied());
        }
        affected.remove(&id);
        affected
            .into_iter()
            .map(|i| self.ids.path(i).to_path_buf())
            .collect()
    }

    /// Whether `path` is checked again when the programs change (see [`Self::note`]).
    pub fn watch(&mut self, path: &Path, watched: bool) {
        if watched {
            let id = self.id(path);
            self.watched.insert(id);
        } else if let Some(id) = self.ids.get(path) {
            self.watched.remove(&id);
        }
    }

    fn set_name(&mut self, id: u32, name: Option<(String, String)>) -> Option<(String, String)> {
        let old = std::mem::replace(&mut self.names[id as usize], name.clone());
        if let Some((name, py)) = &old {
            remove_from(&mut self.by_py, py, id);
            remove_from(&mut self.by_name, name, id);
            for parent in enclosing(name) {
                remove_from(&mut self.inside, parent, id);
            }
        }
        if let Some((name, py)) = &name {
            self.by_py.entry(py.clone()).or_default().insert(id);
            self.by_name.entry(name.clone()).or_default().insert(id);
            for parent in enclosing(name) {
                self.inside
                    .entry(parent.to_string())
                    .or_default()
                    .insert(id);
            }
        }
        old
    }

    /// The modules that read the names changed: those importing a module of a Python
    /// name two modules have (or had), and the packages the modules are (or were) in.
    fn after_renames(&self, renamed: Vec<(u32, Option<(String, String)>)>) -> BTreeSet<u32> {
        let mut affected = BTreeSet::new();
        for (id, old) in renamed {
            for (name, py) in old.iter().chain(self.names[id as usize].iter()) {
                // Counting the module in the group it left.
                let here = self.by_py.get(py).map_or(0, BTreeSet::len);
                let left = self.names[id as usize].as_ref().map(|n| &n.1) != Some(py);
                if here + usize::from(left) >= 2 {
                    let members = self.by_py.get(py).into_iter().flatten().copied();
                    for m in members.chain([id]) {
                        affected.extend(self.loaded_by[m as usize].iter().copied());
                    }
                }
                for parent in enclosing(name) {
                    affected.extend(self.by_name.get(parent).into_iter().flatten().copied());
                }
            }
        }
        affected
    }

    fn set_loads(&mut self, id: u32, loads: Option<Vec<u32>>) -> bool {
        if self.loads[id as usize] == loads {
            return false;
        }
        let old = std::mem::replace(&mut self.loads[id as usize], loads.clone());
        for t in old.into_iter().flatten() {
            if let Ok(i) = self.loaded_by[t as usize].binary_search(&id) {
                self.loaded_by[t as usize].remove(i);
            }
        }
        for t in loads.into_iter().flatten() {
            if let Err(i) = self.loaded_by[t as usize].binary_search(&id) {
                self.loaded_by[t as usize].insert(i, id);
            }
        }
        true
    }

    /// What a build loads after `node`: its imports' modules and their packages.
    fn loads_of(&mut self, graph: &ModuleGraph, node: &ModuleNode) -> Vec<u32> {
        let mut out = Vec::new();
        for edge in &node.imports {
            if let Ok(EdgeTarget::Module(target)) = &edge.target {
                let target = graph.module(*target);
                for m in target
                    .packages
                    .iter()
                    .map(|p| graph.module(*p))
                    .chain([target])
                {
                    out.push(self.id(&m.path));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The modules that reach module `id` (itself only through a cycle).
    fn reaching(&self, id: u32) -> HashSet<u32> {
        let mut seen = HashSet::default();
        let mut stack: Vec<u32> = self.loaded_by[id as usize].clone();
        while let Some(m) = stack.pop() {
            if seen.insert(m) {
                stack.extend(self.loaded_by[m as usize].iter().copied());
            }
        }
        seen
    }

    /// The whole-program diagnostics of module `id` of `graph` (a graph from it, or holding
    /// it with what it imports, noted already): those of every program that holds it, each
    /// once, as `mlpy check` given every module reports them. `None` when no program can
    /// have any (the module needs no watching).
    pub fn diagnostics(&self, graph: &ModuleGraph, id: ModuleId) -> Option<Vec<Diagnostic>> {
        let node = graph.module(id);
        let me = self.ids.get(&node.path)?;
        // The modules whose presence in a program these checks read.
        let mut asked: BTreeSet<u32> = BTreeSet::new();
        for edge in &node.imports {
            if let Ok(EdgeTarget::Module(target)) = &edge.target {
                let py = module_py_name(graph.module(*target));
                if let Some(group) = self.by_py.get(&py).filter(|g| g.len() >= 2) {
                    asked.extend(group.iter().copied());
                }
            }
        }
        if let Some(inside) = self.inside.get(&node.name) {
            let met = names_met(node);
            for &m in inside {
                let Some((name, _)) = &self.names[m as usize] else {
                    continue;
                };
                let segment = name[node.name.len() + 1..].split('.').next().unwrap_or("");
                if met.contains(segment) {
                    asked.insert(m);
                }
            }
        }
        if asked.is_empty() {
            return None;
        }
        let reaching: HashMap<u32, HashSet<u32>> =
            asked.iter().map(|&m| (m, self.reaching(m))).collect();
        // The programs that hold the module: its own, and those of every module reaching
        // it; they differ only by which asked modules they hold.
        let mut entries = self.reaching(me);
        entries.insert(me);
        let mut programs: BTreeSet<(bool, Vec<u32>)> = BTreeSet::new();
        for e in entries {
            let held: Vec<u32> = asked
                .iter()
                .copied()
                .filter(|m| *m != e && reaching[m].contains(&e))
                .collect();
            programs.insert((e == me, held));
        }
        let mut seen = HashSet::default();
        let mut out = Vec::new();
        for (as_entry, held) in programs {
            let view = View {
                programs: self,
                held: &held,
            };
            for d in program_checks::module_diagnostics(graph, id, as_entry, &view) {
                if d.file == node.path && seen.insert((d.range, d.message.clone())) {
                    out.push(d);
                }
            }
        }
        Some(out)
    }
}

/// The top-level names of a module and the builtins it uses: the names a submodule can
/// meet in it.
fn names_met(node: &ModuleNode) -> HashSet<&str> {
    let scopes = node.file.scopes();
    let mut met: HashSet<&str> = scopes
        .scope(scopes.module_scope())
        .bindings
        .iter()
        .map(|&b| scopes.binding(b).name.as_str())
        .collect();
    for (range, _, res) in scopes.uses() {
        if matches!(res, NameRes::Builtin | NameRes::BuiltinModule) {
            met.insert(&node.file.text[usize::from(range.start())..usize::from(range.end())]);
        }
    }
    met
}

/// The dotted names enclosing `name` (`a`, `a.b` for `a.b.c`); none for a module named by
/// its URL, which is no package's.
fn enclosing(name: &str) -> impl Iterator<Item = &str> {
    let dotted = is_dotted_identifier(name);
    name.match_indices('.')
        .filter(move |_| dotted)
        .map(move |(i, _)| &name[..i])
}

fn remove_from(map: &mut HashMap<String, BTreeSet<u32>>, key: &str, id: u32) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// One program, as the checks see it: the asked modules it holds.
struct View<'a> {
    programs: &'a Programs,
    held: &'a [u32],
}

impl View<'_> {
    fn members(&self) -> impl Iterator<Item = (&str, &str, &Path)> {
        self.held.iter().filter_map(|&m| {
            let (name, py) = self.programs.names[m as usize].as_ref()?;
            Some((name.as_str(), py.as_str(), self.programs.ids.path(m)))
        })
    }
}

impl ProgramModules for View<'_> {
    fn named(&self, py: &str) -> Vec<Member> {
        self.members()
            .filter(|(_, p, _)| *p == py)
            .map(|(name, _, path)| Member {
                name: name.to_string(),
                path: path.to_path_buf(),
            })
            .collect()
    }

    fn submodules(&self, parent: &str) -> Vec<(String, Member)> {
        let mut shown: BTreeMap<&str, (&str, &Path)> = BTreeMap::new();
        for (name, _, path) in self.members() {
            let Some(rest) = name.strip_prefix(parent).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let segment = rest.split('.').next().unwrap_or(rest);
            match shown.get(segment) {
                Some((kept, _)) if !shown_child_first(parent, segment, name, kept) => {}
                _ => {
                    shown.insert(segment, (name, path));
                }
            }
        }
        shown
            .into_iter()
            .map(|(segment, (name, path))| {
                (
                    segment.to_string(),
                    Member {
                        name: name.to_string(),
                        path: path.to_path_buf(),
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlpy_modules::{BuildOptions, ModuleCache, ProjectConfig, Resolver};

    struct Project {
        dir: tempfile::TempDir,
        resolver: Resolver,
        cache: ModuleCache,
    }

    impl Project {
        fn new(files: &[(&str, &str)]) -> Project {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
            for (path, text) in files {
                let full = dir.path().join(path);
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(full, text).unwrap();
            }
            let root = dir.path().canonicalize().unwrap();
            Project {
                resolver: Resolver::new(std::sync::Arc::new(
                    ProjectConfig::discover(&root).unwrap(),
                )),
                cache: ModuleCache::new(),
                dir,
            }
        }

        fn path(&self, file: &str) -> PathBuf {
            self.dir.path().canonicalize().unwrap().join(file)
        }

        /// A graph from `entry`, one import deep or whole.
        fn graph(&self, entry: &str, whole: bool) -> ModuleGraph {
            let options = BuildOptions {
                max_depth: (!whole).then_some(1),
                ..BuildOptions::default()
            };
            ModuleGraph::build_with(&self.path(entry), &self.resolver, &self.cache, &options)
                .unwrap()
        }

        fn write(&self, file: &str, text: &str) {
            std::fs::write(self.path(file), text).unwrap();
            self.cache.forget(&self.path(file));
        }
    }

    fn messages(list: &[Diagnostic]) -> Vec<&str> {
        list.iter().map(|d| d.message.as_str()).collect()
    }

    #[test]
    fn a_collision_is_found_in_the_programs_of_the_importers() {
        let p = Project::new(&[
            ("main.ml", "import x;\nimport ml_class;\n"),
            ("x.ml", "import class;\n"),
            ("class.ml", "a = 1;\n"),
            ("ml_class.ml", "b = 1;\n"),
        ]);
        let mut programs = Programs::new();
        programs.note(&p.graph("main.ml", true), true);
        // x alone holds no collision; main's program, which holds x, does.
        let x = p.graph("x.ml", false);
        let found = programs.diagnostics(&x, x.entry).expect("x is watched");
        // As the engine does after each check.
        programs.watch(&p.path("x.ml"), true);
        assert_eq!(
            messages(&found),
            ["module 'class' would be the same Python module 'ml_class' as 'ml_class'"]
        );
        // main drops ml_class: x is checked again, and finds nothing.
        p.write("main.ml", "import x;\n");
        let main = p.graph("main.ml", false);
        let affected = programs.note(&main, false);
        assert!(affected.contains(&p.path("x.ml")), "{affected:?}");
        assert_eq!(programs.diagnostics(&x, x.entry), Some(Vec::new()));
    }

    #[test]
    fn a_module_that_takes_a_python_name_reaches_the_importers_of_the_other() {
        let p = Project::new(&[
            ("main.ml", "import x;\n"),
            ("x.ml", "import class;\n"),
            ("class.ml", "a = 1;\n"),
            ("ml_class.ml", "b = 1;\n"),
        ]);
        let mut programs = Programs::new();
        programs.note(&p.graph("main.ml", true), true);
        let x = p.graph("x.ml", false);
        assert_eq!(programs.diagnostics(&x, x.entry), None);
        // Not watched: what dirties it is `ml_class` taking the Python name of `class`.
        p.write("main.ml", "import x;\nimport ml_class;\n");
        let affected = programs.note(&p.graph("main.ml", false), false);
        assert!(affected.contains(&p.path("x.ml")), "{affected:?}");
        assert_eq!(programs.diagnostics(&x, x.entry).map(|l| l.len()), Some(1));
    }

    #[test]
    fn a_module_with_nothing_to_ask_is_not_watched() {
        let p = Project::new(&[
            ("main.ml", "import geo.shapes;\n"),
            ("geo/__init__.ml", "x = 1;\n"),
            ("geo/shapes.ml", "y = 2;\n"),
        ]);
        let mut programs = Programs::new();
        let whole = p.graph("main.ml", true);
        programs.note(&whole, true);
        for node in &whole.modules {
            assert_eq!(programs.diagnostics(&whole, node.id), None, "{}", node.name);
        }
    }

    #[test]
    fn a_package_name_is_a_submodule_only_where_a_program_loads_it() {
        let p = Project::new(&[
            ("main.ml", "import p;\n"),
            ("y.ml", "import p.b;\n"),
            ("p/__init__.ml", "b = 5;\n"),
            ("p/b.ml", "n = 1;\n"),
        ]);
        let mut programs = Programs::new();
        programs.note(&p.graph("main.ml", true), true);
        programs.note(&p.graph("y.ml", true), true);
        let package = p.graph("p/__init__.ml", false);
        let found = programs
            .diagnostics(&package, package.entry)
            .expect("p is watched");
        programs.watch(&p.path("p/__init__.ml"), true);
        assert_eq!(
            messages(&found),
            ["'b' is a top-level name of 'p' and also its submodule 'p.b': in Python they are one attribute, so one replaces the other"]
        );
        // y forgotten (its file deleted): no program loads p.b beside p any more.
        std::fs::remove_file(p.path("y.ml")).unwrap();
        let affected = programs.forget(&p.path("y.ml"));
        assert!(affected.contains(&p.path("p/__init__.ml")), "{affected:?}");
        assert_eq!(
            programs.diagnostics(&package, package.entry),
            Some(Vec::new())
        );
    }

    #[test]
    fn the_submodule_shown_is_the_same_whatever_the_order() {
        assert!(shown_child_first("p", "b", "p.b", "p.b.c"));
        assert!(!shown_child_first("p", "b", "p.b.c", "p.b"));
        assert!(shown_child_first("p", "b", "p.b.a", "p.b.c"));
    }
}
