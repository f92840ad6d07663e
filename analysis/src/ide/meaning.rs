//! Whether edits of names keep what every name means, checked by construction as
//! rust-analyzer checks its renames: the edited files are resolved again, with their new
//! text, by the one name-resolution API (`FileSemantics::classify`), and every name must
//! refer to what it referred to before. A rename whose edits all look right can still
//! change the program: the new name captured by another binding on the way out
//! (`return q + a` → `return a + a`), or capturing uses of another binding.

use super::{FileCtx, FileEdit, Host};
use crate::semantics::{ModuleRef, Target};
use mlpy_modules::{Origin, Resolver, SourceFile};
use mlpy_syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a name refers to, comparable between the text before the edits and after: a
/// binding by its file and the offset, in the text before, of its first definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// Nothing mlpy can see (an unknown name, a property of a value).
    Nothing,
    Binding {
        path: PathBuf,
        decl: TextSize,
    },
    /// A top-level name a user module does not define (an unknown member).
    MissingMember {
        module: PathBuf,
        name: String,
    },
    /// A module, a standard-library member, a builtin.
    Other(Target),
}

/// A name whose meaning the edits change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Changed {
    pub path: PathBuf,
    /// The name, in the text before the edits.
    pub range: TextRange,
    pub before: Meaning,
    pub after: Meaning,
}

/// Why the edits change the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Meaning(Box<Changed>),
    /// The edited text no longer has the same names in the same places (a new name that
    /// is no single word): nothing can be compared.
    Words(PathBuf),
}

/// One file's edits and the offsets they move: from the text before to the text after
/// and back (names are whole tokens, so an offset of a token start is never inside an
/// edit). Every name of the file is moved: a binary search each, so that a rename of a
/// name used 100,000 times stays linear.
struct Shifts {
    /// Each edit's end before and its end after (both increasing, as the edits are in
    /// order and do not overlap), and how far it and the edits before it move what follows.
    edits: Vec<(TextSize, TextSize, i64)>,
}

impl Shifts {
    fn new(edits: &[(TextRange, String)]) -> Shifts {
        let mut delta: i64 = 0;
        let mut out = Vec::with_capacity(edits.len());
        for (range, text) in edits {
            let len = TextSize::of(text.as_str());
            let start_after = i64::from(u32::from(range.start())) + delta;
            delta += i64::from(u32::from(len)) - i64::from(u32::from(range.len()));
            let end_after = TextSize::from((start_after + i64::from(u32::from(len))) as u32);
            out.push((range.end(), end_after, delta));
        }
        Shifts { edits: out }
    }

    /// How far the edits that end at or before a place move it: `end` picks the end of
    /// an edit in the text the place is in.
    fn delta(&self, place: TextSize, end: impl Fn(&(TextSize, TextSize, i64)) -> TextSize) -> i64 {
        let done = self.edits.partition_point(|e| end(e) <= place);
        match done {
            0 => 0,
            n => self.edits[n - 1].2,
        }
    }

    /// The offset before the edits of `after`, an offset after them.
    fn back(&self, after: TextSize) -> TextSize {
        let delta = self.delta(after, |e| e.1);
        TextSize::from((i64::from(u32::from(after)) - delta) as u32)
    }

    /// The offset after the edits of `before`, an offset before them.
    fn forward(&self, before: TextSize) -> TextSize {
        let delta = self.delta(before, |e| e.0);
        TextSize::from((i64::from(u32::from(before)) + delta) as u32)
    }
}

/// `text` with `edits` (in order, none overlapping) applied.
fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new) in edits {
        out.push_str(&text[at..usize::from(range.start())]);
        out.push_str(new);
        at = usize::from(range.end());
    }
    out.push_str(&text[at..]);
    out
}

/// The words of a tree (names, keywords used as names), in order.
fn words(root: &SyntaxNode) -> Vec<SyntaxToken> {
    root.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind().is_any_word() || t.kind() == SyntaxKind::URL)
        .collect()
}

/// The texts before and after the edits, as the check sees them.
struct Worlds<'a, 'h> {
    ctx: &'a FileCtx<'h>,
    after: FxHashMap<PathBuf, (Arc<SourceFile>, Shifts)>,
}

impl Worlds<'_, '_> {
    /// A module's text before the edits.
    fn before(&self, path: &Path) -> Option<Arc<SourceFile>> {
        match path == self.ctx.path() {
            true => Some(self.ctx.file().clone()),
            false => self.ctx.host().load(path),
        }
    }

    /// What `target`, found in `path`, means; `after`: in the text after the edits.
    fn meaning(&self, target: Option<Target>, path: &Path, after: bool) -> Meaning {
        let Some(target) = target else {
            return Meaning::Nothing;
        };
        let (path, binding) = match &target {
            Target::Local(b) => (path.to_path_buf(), Some(*b)),
            Target::Member {
                module: ModuleRef::User(module),
                name,
            } => {
                let file = match after {
                    true => self.after.get(module).map(|(f, _)| f.clone()),
                    false => None,
                }
                .or_else(|| self.before(module));
                let Some(b) = file.as_ref().and_then(|f| f.scopes().module_binding(name)) else {
                    return Meaning::MissingMember {
                        module: module.clone(),
                        name: name.clone(),
                    };
                };
                let decl = file.expect("has the binding").scopes().binding(b).decl;
                return self.binding(module, decl.start(), after);
            }
            _ => return Meaning::Other(target),
        };
        let scopes = match after {
            true => self.after.get(&path).map(|(f, _)| f.clone()),
            false => None,
        }
        .or_else(|| self.before(&path));
        match (scopes, binding) {
            (Some(file), Some(b)) => {
                let decl = file.scopes().binding(b).decl.start();
                self.binding(&path, decl, after)
            }
            _ => Meaning::Nothing,
        }
    }

    /// The binding of `path` first defined at `decl` (an offset after the edits when
    /// `after`).
    fn binding(&self, path: &Path, decl: TextSize, after: bool) -> Meaning {
        let decl = match (after, self.after.get(path)) {
            (true, Some((_, shifts))) => shifts.back(decl),
            _ => decl,
        };
        Meaning::Binding {
            path: path.to_path_buf(),
            decl,
        }
    }
}

/// The meaning of a target of `ctx`'s file before any edit.
pub(crate) fn meaning_of(ctx: &FileCtx, target: &Target) -> Meaning {
    let worlds = Worlds {
        ctx,
        after: FxHashMap::default(),
    };
    worlds.meaning(Some(target.clone()), ctx.path(), false)
}

/// Checks that after `edits` (files in any order, each file's edits in order) every name
/// of the edited files and of `also` (files the edits leave as they are, whose names may
/// still mean something else: the importers of an edited module) refers to what it
/// referred to before. The first name that would not, else `Ok`.
pub(crate) fn unchanged(ctx: &FileCtx, edits: &[FileEdit], also: &[PathBuf]) -> Result<(), Change> {
    let host = ctx.host();
    let mut after = FxHashMap::default();
    for edit in edits {
        let before = match edit.path == ctx.path() {
            true => ctx.file().clone(),
            false => match host.load(&edit.path) {
                Some(file) => file,
                None => continue,
            },
        };
        let text: Arc<str> = apply(&before.text, &edit.edits).into();
        let file = Arc::new(SourceFile::new(&edit.path, text));
        after.insert(edit.path.clone(), (file, Shifts::new(&edit.edits)));
    }
    let worlds = Worlds { ctx, after };
    // The world after the edits: a chain read in one file goes on in the edited text of
    // another (`hub.core.f` after `inner` → `core` in `hub.ml`).
    let after_host = AfterHost {
        host,
        after: &worlds.after,
    };
    // The renamed file first: its conflicts are the ones the user looks at.
    let mut paths: Vec<PathBuf> = edits.iter().map(|e| e.path.clone()).collect();
    paths.extend(also.iter().cloned());
    paths.sort_by_key(|p| (p != ctx.path(), p.clone()));
    paths.dedup();
    for path in paths {
        let loaded;
        let old_ctx = match path == ctx.path() {
            true => ctx,
            false => match FileCtx::load(host, &path) {
                Some(c) => {
                    loaded = c;
                    &loaded
                }
                None => continue,
            },
        };
        let new_ctx = match worlds.after.get(&path) {
            // A document that is no file resolves nothing from the disk, before or after.
            Some((file, _)) if old_ctx.resolver().is_none() => {
                FileCtx::detached(&after_host, path.clone(), file.text.clone())
            }
            Some((file, _)) => FileCtx::of_file(&after_host, &path, file.clone()),
            None => FileCtx::of_file(&after_host, &path, old_ctx.file().clone()),
        };
        compare(&worlds, &path, old_ctx, &new_ctx)?;
    }
    Ok(())
}

/// The host as it would be after the edits: the edited files' new texts, the rest as
/// they are.
struct AfterHost<'a> {
    host: &'a dyn Host,
    after: &'a FxHashMap<PathBuf, (Arc<SourceFile>, Shifts)>,
}

impl Host for AfterHost<'_> {
    fn load(&self, path: &Path) -> Option<Arc<SourceFile>> {
        match self.after.get(path) {
            Some((file, _)) => Some(file.clone()),
            None => self.host.load(path),
        }
    }

    fn resolver(&self, file: &Path) -> Arc<Resolver> {
        self.host.resolver(file)
    }

    fn files(&self) -> Vec<PathBuf> {
        self.host.files()
    }

    fn origin(&self, file: &Path) -> Origin {
        self.host.origin(file)
    }
}

/// Compares every name of one file before and after.
fn compare(worlds: &Worlds, path: &Path, before: &FileCtx, after: &FileCtx) -> Result<(), Change> {
    let old_words = words(&before.root());
    let new_words = words(&after.root());
    if old_words.len() != new_words.len() {
        return Err(Change::Words(path.to_path_buf()));
    }
    let shifts = worlds.after.get(path).map(|(_, s)| s);
    let (old_sema, new_sema) = (before.semantics(), after.semantics());
    for (old, new) in old_words.iter().zip(&new_words) {
        let start = old.text_range().start();
        let moved = shifts.map_or(start, |s| s.forward(start));
        if new.text_range().start() != moved || old.kind() != new.kind() {
            return Err(Change::Words(path.to_path_buf()));
        }
        let was = old_sema.classify_word(old.clone()).and_then(|n| n.target);
        let is = new_sema.classify_word(new.clone()).and_then(|n| n.target);
        // The same target is the same meaning (a module, a builtin) without looking.
        if was == is && !matches!(was, Some(Target::Local(_)) | Some(Target::Member { .. })) {
            continue;
        }
        let was = worlds.meaning(was, path, false);
        let is = worlds.meaning(is, path, true);
        if was != is {
            return Err(Change::Meaning(Box::new(Changed {
                path: path.to_path_buf(),
                range: old.text_range(),
                before: was,
                after: is,
            })));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_move_with_the_edits() {
        let edits = vec![
            (TextRange::new(2.into(), 3.into()), "abc".to_string()),
            (TextRange::new(10.into(), 14.into()), "x".to_string()),
        ];
        let shifts = Shifts::new(&edits);
        for (before, after) in [(0, 0), (2, 2), (5, 7), (10, 12), (14, 13), (20, 19)] {
            assert_eq!(shifts.forward(before.into()), TextSize::from(after));
            assert_eq!(shifts.back(after.into()), TextSize::from(before));
        }
        assert_eq!(apply("0123456789abcdefg", &edits), "01abc3456789xefg");
    }
}
