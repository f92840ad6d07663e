//! The workspace's import graph, as the module builds record it, with its strongly
//! connected components (import cycles) maintained incrementally.
//!
//! The diagnostics engine records what a module imports each time it builds a graph from
//! it (one import deep for an edit: only that module's record changes). A module's cycle
//! diagnostics depend only on the component it is in and on the import statements of the
//! component's modules, so the engine keeps them per module with the component's
//! [`CycleKey`], and computes them again only when that key changes:
//!
//! * an edit that keeps a module's imports (same targets, same statements where they
//!   were) changes nothing here;
//! * a new import between two components is a cycle only when the target reaches the
//!   importer: one search forward from the target, and the components on the paths
//!   found merge;
//! * a removed import inside a component splits at most that component: Tarjan's
//!   algorithm over its members only;
//! * the first records of a whole workspace (or any large batch) are one Tarjan pass over
//!   the graph, linear in its size.

use crate::path_ids::PathIds;
use mlpy_modules::graph::strongly_connected;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Identifies a component and the state of its modules' imports: while a module's key is
/// unchanged, so are its cycle diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleKey {
    component: u32,
    epoch: u64,
}

/// What a module imports, as one build saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    /// The modules its imports resolved to (each once).
    pub targets: Vec<PathBuf>,
    /// A hash of what its cycle diagnostics read from it: each import of a module with
    /// its range, its spelling and the target's name and path.
    pub signature: u64,
}

#[derive(Debug, Default)]
struct Component {
    members: Vec<u32>,
    epoch: u64,
}

/// Above this many changed records in one batch, the components are computed again from
/// scratch (linear) rather than edge by edge (a search per new edge).
const BATCH_FROM_SCRATCH: usize = 32;

#[derive(Debug, Default)]
pub struct ImportGraph {
    ids: PathIds,
    /// Per module, what it imports (sorted, distinct) and who imports it.
    succ: Vec<Vec<u32>>,
    pred: Vec<Vec<u32>>,
    /// Whether the module's imports were recorded (else it has no edges of its own yet).
    recorded: Vec<bool>,
    signature: Vec<u64>,
    component: Vec<u32>,
    components: HashMap<u32, Component>,
    next_component: u32,
    next_epoch: u64,
}

impl ImportGraph {
    pub fn new() -> ImportGraph {
        ImportGraph::default()
    }

    fn id(&mut self, path: &Path) -> u32 {
        let (id, new) = self.ids.intern(path);
        if !new {
            return id;
        }
        self.succ.push(Vec::new());
        self.pred.push(Vec::new());
        self.recorded.push(false);
        self.signature.push(0);
        let component = self.new_component(vec![id]);
        self.component.push(component);
        id
    }

    fn new_component(&mut self, members: Vec<u32>) -> u32 {
        let id = self.next_component;
        self.next_component += 1;
        self.next_epoch += 1;
        for &m in &members {
            if let Some(slot) = self.component.get_mut(m as usize) {
                *slot = id;
            }
        }
        self.components.insert(
            id,
            Component {
                members,
                epoch: self.next_epoch,
            },
        );
        id
    }

    fn bump(&mut self, component: u32) {
        self.next_epoch += 1;
        if let Some(c) = self.components.get_mut(&component) {
            c.epoch = self.next_epoch;
        }
    }

    /// Whether the imports of `path` are recorded.
    pub fn is_recorded(&self, path: &Path) -> bool {
        self.ids
            .get(path)
            .is_some_and(|id| self.recorded[id as usize])
    }

    /// Whether `record` is what `path` was recorded with: recording it would change
    /// nothing (an edit that kept the module's imports where they were).
    pub fn is_unchanged(&self, path: &Path, record: &ImportRecord) -> bool {
        let Some(id) = self.ids.get(path) else {
            return false;
        };
        if !self.recorded[id as usize] || self.signature[id as usize] != record.signature {
            return false;
        }
        let mut targets = Vec::with_capacity(record.targets.len());
        for target in &record.targets {
            match self.ids.get(target.as_path()) {
                Some(t) => targets.push(t),
                None => return false,
            }
        }
        targets.sort_unstable();
        targets.dedup();
        self.succ[id as usize] == targets
    }

    /// Records what `path` imports now.
    pub fn record(&mut self, path: &Path, record: ImportRecord) {
        self.record_all(vec![(path.to_path_buf(), record)]);
    }

    /// Records what several modules import now (the modules of a whole graph).
    pub fn record_all(&mut self, records: Vec<(PathBuf, ImportRecord)>) {
        let mut changes: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        for (path, record) in records {
            let id = self.id(&path);
            let mut targets: Vec<u32> = record.targets.iter().map(|t| self.id(t)).collect();
            targets.sort_unstable();
            targets.dedup();
            if self.signature[id as usize] != record.signature || !self.recorded[id as usize] {
                touched.push(id);
            }
            self.signature[id as usize] = record.signature;
            self.recorded[id as usize] = true;
            if self.succ[id as usize] != targets {
                changes.push((id, targets));
            }
        }
        let edges: usize = changes
            .iter()
            .map(|(id, targets)| self.succ[*id as usize].len() + targets.len())
            .sum();
        if edges > BATCH_FROM_SCRATCH {
            for (id, targets) in changes {
                for t in std::mem::take(&mut self.succ[id as usize]) {
                    remove_sorted(&mut self.pred[t as usize], id);
                }
                for &t in &targets {
                    insert_sorted(&mut self.pred[t as usize], id);
                }
                self.succ[id as usize] = targets;
            }
            self.recompute_all();
        } else {
            // One edge at a time, so that the components are right before each step.
            for (id, targets) in changes {
                let old = self.succ[id as usize].clone();
                for &t in old.iter().filter(|t| targets.binary_search(t).is_err()) {
                    remove_sorted(&mut self.succ[id as usize], t);
                    remove_sorted(&mut self.pred[t as usize], id);
                    self.edge_removed(id, t);
                }
                for &t in targets.iter().filter(|t| old.binary_search(t).is_err()) {
                    insert_sorted(&mut self.succ[id as usize], t);
                    insert_sorted(&mut self.pred[t as usize], id);
                    self.edge_added(id, t);
                }
            }
        }
        // Statements moved or spelled differently: the same cycles, other texts or ranges.
        for id in touched {
            self.bump(self.component[id as usize]);
        }
    }

    /// Forgets what `path` imports (a file deleted). Whoever imports it keeps its edge
    /// until its own record is replaced.
    pub fn remove(&mut self, path: &Path) {
        let Some(id) = self.ids.get(path) else {
            return;
        };
        self.recorded[id as usize] = false;
        for t in self.succ[id as usize].clone() {
            remove_sorted(&mut self.succ[id as usize], t);
            remove_sorted(&mut self.pred[t as usize], id);
            self.edge_removed(id, t);
        }
    }

    /// The key of the cycles `path` is in; `None` when it is in none.
    pub fn cycle_key(&self, path: &Path) -> Option<CycleKey> {
        let id = self.ids.get(path)?;
        let component = self.component[id as usize];
        let c = self.components.get(&component)?;
        let self_import = self.succ[id as usize].binary_search(&id).is_ok();
        (c.members.len() > 1 || self_import).then_some(CycleKey {
            component,
            epoch: c.epoch,
        })
    }

    /// The modules of the component of `path` (itself included).
    pub fn component_of(&self, path: &Path) -> HashSet<PathBuf> {
        let Some(id) = self.ids.get(path) else {
            return HashSet::default();
        };
        let component = self.component[id as usize];
        self.components
            .get(&component)
            .map(|c| {
                c.members
                    .iter()
                    .map(|&m| self.ids.path(m).to_path_buf())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A new edge `u → v`: a cycle when `v` reaches `u`; then every component on a path
    /// from `v` to `u` joins the one of `u`.
    fn edge_added(&mut self, u: u32, v: u32) {
        let (cu, cv) = (self.component[u as usize], self.component[v as usize]);
        if cu == cv {
            if u == v {
                // A self-import: the module is in a cycle now.
                self.bump(cu);
            }
            return;
        }
        let forward = self.reach(v, &self.succ, None);
        if !forward.contains(&u) {
            return;
        }
        let on_paths = self.reach(u, &self.pred, Some(&forward));
        let mut old: Vec<u32> = on_paths
            .iter()
            .map(|&m| self.component[m as usize])
            .collect();
        old.sort_unstable();
        old.dedup();
        let mut members = Vec::new();
        for c in old {
            if let Some(c) = self.components.remove(&c) {
                members.extend(c.members);
            }
        }
        members.sort_unstable();
        self.new_component(members);
    }

    /// An edge `u → v` gone: the component of both may split (Tarjan over it alone).
    fn edge_removed(&mut self, u: u32, v: u32) {
        let (cu, cv) = (self.component[u as usize], self.component[v as usize]);
        if cu != cv {
            return;
        }
        if u == v {
            self.bump(cu);
            return;
        }
        let Some(old) = self.components.remove(&cu) else {
            return;
        };
        let local: HashMap<u32, u32> = old
            .members
            .iter()
            .enumerate()
            .map(|(i, &m)| (m, i as u32))
            .collect();
        let successors: Vec<Vec<u32>> = old
            .members
            .iter()
            .map(|&m| {
                self.succ[m as usize]
                    .iter()
                    .filter_map(|t| local.get(t).copied())
                    .collect()
            })
            .collect();
        for part in strongly_connected(&successors) {
            let mut members: Vec<u32> = part.iter().map(|&i| old.members[i as usize]).collect();
            members.sort_unstable();
            self.new_component(members);
        }
    }

    /// Every component again, from scratch. A component with the same members as before
    /// keeps its key (its modules' signatures decide separately).
    fn recompute_all(&mut self) {
        let parts = strongly_connected(&self.succ);
        let mut old = std::mem::take(&mut self.components);
        for mut members in parts {
            members.sort_unstable();
            let previous = self.component[members[0] as usize];
            let same = old.get(&previous).is_some_and(|c| c.members == members);
            if same {
                let kept = old.remove(&previous).expect("checked above");
                self.components.insert(previous, kept);
            } else {
                self.new_component(members);
            }
        }
    }

    /// The modules reachable from `from` along `edges` (within `inside` when given).
    fn reach(&self, from: u32, edges: &[Vec<u32>], inside: Option<&HashSet<u32>>) -> HashSet<u32> {
        let mut seen = HashSet::default();
        seen.insert(from);
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            for &m in &edges[n as usize] {
                if inside.is_some_and(|set| !set.contains(&m)) {
                    continue;
                }
                if seen.insert(m) {
                    queue.push_back(m);
                }
            }
        }
        seen
    }
}

fn insert_sorted(list: &mut Vec<u32>, value: u32) {
    if let Err(i) = list.binary_search(&value) {
        list.insert(i, value);
    }
}

fn remove_sorted(list: &mut Vec<u32>, value: u32) {
    if let Ok(i) = list.binary_search(&value) {
        list.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str) -> PathBuf {
        PathBuf::from(format!("/w/{name}.ml"))
    }

    fn rec(targets: &[&str], signature: u64) -> ImportRecord {
        ImportRecord {
            targets: targets.iter().map(|t| p(t)).collect(),
            signature,
        }
    }

    fn members(g: &ImportGraph, name: &str) -> Vec<String> {
        let mut out: Vec<String> = g
            .component_of(&p(name))
            .iter()
            .map(|m| m.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }

    /// The components from scratch, for comparison.
    fn from_scratch(g: &ImportGraph) -> Vec<Vec<u32>> {
        let mut parts: Vec<Vec<u32>> = strongly_connected(&g.succ)
            .into_iter()
            .map(|mut c| {
                c.sort_unstable();
                c
            })
            .collect();
        parts.sort();
        parts
    }

    fn current(g: &ImportGraph) -> Vec<Vec<u32>> {
        let mut parts: Vec<Vec<u32>> = g.components.values().map(|c| c.members.clone()).collect();
        parts.sort();
        parts
    }

    #[test]
    fn a_record_is_unchanged_only_with_the_same_targets_and_signature() {
        let mut g = ImportGraph::new();
        assert!(!g.is_unchanged(&p("main"), &rec(&["a"], 1)));
        g.record(&p("main"), rec(&["a", "b"], 1));
        assert!(g.is_unchanged(&p("main"), &rec(&["b", "a", "a"], 1)));
        assert!(!g.is_unchanged(&p("main"), &rec(&["a", "b"], 2)));
        assert!(!g.is_unchanged(&p("main"), &rec(&["a"], 1)));
        assert!(!g.is_unchanged(&p("main"), &rec(&["a", "b", "c"], 1)));
        assert!(!g.is_unchanged(&p("a"), &rec(&[], 0)), "never recorded");
    }

    #[test]
    fn cycles_appear_merge_split_and_keep_their_keys() {
        let mut g = ImportGraph::new();
        g.record(&p("main"), rec(&["a"], 1));
        g.record(&p("a"), rec(&["b"], 2));
        g.record(&p("b"), rec(&["c"], 3));
        g.record(&p("c"), rec(&[], 4));
        assert_eq!(g.cycle_key(&p("a")), None);
        assert!(g.is_recorded(&p("c")) && !g.is_recorded(&p("d")));

        // c imports a: a, b and c form one cycle; main stays out.
        g.record(&p("c"), rec(&["a"], 5));
        let key = g.cycle_key(&p("a")).expect("a cycle");
        assert_eq!(g.cycle_key(&p("b")), Some(key));
        assert_eq!(members(&g, "c"), ["a", "b", "c"]);
        assert_eq!(g.cycle_key(&p("main")), None);

        // The same imports again (a body edit): the same key.
        g.record(&p("b"), rec(&["c"], 3));
        assert_eq!(g.cycle_key(&p("a")), Some(key));
        // The same targets, statements moved: a new key, the same members.
        g.record(&p("b"), rec(&["c"], 33));
        let moved = g.cycle_key(&p("a")).unwrap();
        assert_ne!(moved, key);
        assert_eq!(members(&g, "a"), ["a", "b", "c"]);

        // b also imports a: still one component; then c drops a: a ⇄ b remain.
        g.record(&p("b"), rec(&["c", "a"], 6));
        g.record(&p("c"), rec(&[], 7));
        assert_eq!(members(&g, "a"), ["a", "b"]);
        assert_eq!(g.cycle_key(&p("c")), None);
        assert_eq!(current(&g), from_scratch(&g));

        // A self-import is a cycle of one.
        g.record(&p("c"), rec(&["c"], 8));
        assert!(g.cycle_key(&p("c")).is_some());
        g.record(&p("c"), rec(&[], 9));
        assert_eq!(g.cycle_key(&p("c")), None);

        // A file deleted: its edges go.
        g.remove(&p("b"));
        assert_eq!(g.cycle_key(&p("a")), None);
        assert!(!g.is_recorded(&p("b")));
        assert_eq!(current(&g), from_scratch(&g));
    }

    #[test]
    fn incremental_components_match_tarjan_on_random_edits() {
        let mut rng = mlpy_testkit::Rng(0x2545_f491_4f6c_dd1d);
        let n = 40;
        let mut g = ImportGraph::new();
        // A large first batch (computed from scratch), then single edits.
        let first: Vec<(PathBuf, ImportRecord)> = (0..n)
            .map(|i| {
                let targets: Vec<String> = (0..rng.below(3))
                    .map(|_| format!("m{}", rng.below(n)))
                    .collect();
                let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
                (p(&format!("m{i}")), rec(&targets, 0))
            })
            .collect();
        g.record_all(first);
        assert_eq!(current(&g), from_scratch(&g));
        for step in 0..2000 {
            let i = rng.below(n);
            if rng.below(20) == 0 {
                g.remove(&p(&format!("m{i}")));
            } else if rng.below(10) == 0 {
                // A few records at once, edge by edge.
                let batch: Vec<(PathBuf, ImportRecord)> = (0..3)
                    .map(|_| {
                        let targets: Vec<String> = (0..rng.below(3))
                            .map(|_| format!("m{}", rng.below(n)))
                            .collect();
                        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
                        (p(&format!("m{}", rng.below(n))), rec(&targets, step))
                    })
                    .collect();
                g.record_all(batch);
            } else {
                let targets: Vec<String> = (0..rng.below(4))
                    .map(|_| format!("m{}", rng.below(n)))
                    .collect();
                let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
                g.record(&p(&format!("m{i}")), rec(&targets, step));
            }
            assert_eq!(current(&g), from_scratch(&g), "after step {step}");
        }
    }
}
