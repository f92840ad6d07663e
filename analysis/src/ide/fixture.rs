//! Test projects for the IDE features, written as one text (as rust-analyzer's fixtures):
//!
//! ```text
//! //- /mlpy.json
//! {}
//! //- /main.ml
//! import geometry.shapes;
//! shapes.ar$0ea(2);
//! //- /geometry/shapes.ml
//! function [|area|](r) { return r * r; }
//! ```
//!
//! Each `//- /PATH` line starts a file. `$0` is the cursor (at most one); `[|…|]` marks an
//! expected range (any number, in any file). The markers are removed and the files
//! written to a temporary folder, which is served by the real resolver and module cache of
//! `mlpy-modules` with the project's real `mlpy.json` (none: the defaults) — no mocks.

use super::{FileCtx, FileRange, Host};
use mlpy_modules::{ImportProtocol, ModuleCache, Origin, ProjectConfig, Resolver, SourceFile};
use mlpy_syntax::{TextRange, TextSize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A host over a folder: one project, files from the disk.
pub(crate) struct TestHost {
    root: PathBuf,
    cache: ModuleCache,
    resolver: Arc<Resolver>,
    size_limit: u64,
    /// Files that stand for cached remote modules (by default every file is local).
    pub origins: RefCell<HashMap<PathBuf, Origin>>,
}

impl Host for TestHost {
    fn load(&self, path: &Path) -> Option<Arc<SourceFile>> {
        self.cache.load(path, self.size_limit).ok()
    }

    fn resolver(&self, _file: &Path) -> Arc<Resolver> {
        self.resolver.clone()
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out.sort();
        out
    }

    fn origin(&self, file: &Path) -> Origin {
        self.origins
            .borrow()
            .get(file)
            .cloned()
            .unwrap_or(Origin::File)
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "ml") {
            out.push(path);
        }
    }
}

pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    /// The folder of the files (canonical: the resolver answers canonical paths).
    pub root: PathBuf,
    pub host: TestHost,
    cursor: Option<(PathBuf, TextSize)>,
    marks: Vec<FileRange>,
}

/// A file's text without its markers, the cursor's offset and the marked ranges.
fn strip_markers(text: &str) -> (String, Option<TextSize>, Vec<TextRange>) {
    let mut out = String::new();
    let mut cursor = None;
    let mut open = Vec::new();
    let mut ranges = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let here = TextSize::of(out.as_str());
        if let Some(r) = rest.strip_prefix("$0") {
            assert!(cursor.is_none(), "two cursors in one file");
            cursor = Some(here);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("[|") {
            open.push(here);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("|]") {
            let start = open.pop().expect("`|]` without `[|`");
            ranges.push(TextRange::new(start, here));
            rest = r;
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    assert!(open.is_empty(), "`[|` without `|]`");
    (out, cursor, ranges)
}

/// Makes the protocols of a fixture's resolver, given the fixture's folder.
type Protocols<'a> = &'a dyn Fn(&Path) -> Vec<Arc<dyn ImportProtocol>>;

impl Fixture {
    pub(super) fn new(fixture: &str) -> Fixture {
        Fixture::with_protocols(fixture, &|_| Vec::new())
    }

    /// A fixture whose resolver also has `protocols` (for URL imports).
    pub(super) fn with_protocols(fixture: &str, protocols: Protocols) -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = std::fs::canonicalize(dir.path()).expect("the folder exists");
        let mut cursor = None;
        let mut marks = Vec::new();
        let mut has_config = false;
        let mut sections = fixture.split("//- /").skip(1).peekable();
        assert!(
            sections.peek().is_some(),
            "a fixture starts with `//- /PATH`"
        );
        for section in sections {
            let (name, body) = section.split_once('\n').unwrap_or((section, ""));
            let path = root.join(name.trim());
            has_config |= name.trim() == "mlpy.json";
            let (text, at, ranges) = strip_markers(body);
            if let Some(at) = at {
                assert!(cursor.is_none(), "two cursors");
                cursor = Some((path.clone(), at));
            }
            marks.extend(ranges.into_iter().map(|r| FileRange::new(&path, r)));
            std::fs::create_dir_all(path.parent().expect("in the folder")).expect("mkdir");
            std::fs::write(&path, text).expect("write a fixture file");
        }
        let config = if has_config {
            ProjectConfig::load(&root.join("mlpy.json")).expect("a valid mlpy.json")
        } else {
            ProjectConfig::without_file(&root)
        };
        marks.sort_by(|a, b| (&a.path, a.range.start()).cmp(&(&b.path, b.range.start())));
        let size_limit = config.max_module_size;
        let host = TestHost {
            root: root.clone(),
            cache: ModuleCache::new(),
            size_limit,
            resolver: Arc::new(Resolver::with_protocols(Arc::new(config), protocols(&root))),
            origins: RefCell::default(),
        };
        Fixture {
            _dir: dir,
            root,
            host,
            cursor,
            marks,
        }
    }

    fn cursor(&self) -> &(PathBuf, TextSize) {
        self.cursor.as_ref().expect("the fixture has a cursor `$0`")
    }

    /// The file of the cursor.
    pub(super) fn ctx(&self) -> FileCtx<'_> {
        FileCtx::load(&self.host, &self.cursor().0).expect("the cursor's file loads")
    }

    /// The cursor's offset in its file.
    pub(super) fn offset(&self) -> TextSize {
        self.cursor().1
    }

    pub(super) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The marked ranges, by file and start.
    pub(super) fn marks(&self) -> Vec<FileRange> {
        self.marks.clone()
    }

    /// The marked ranges of the cursor's file.
    pub(super) fn marked_ranges(&self) -> Vec<TextRange> {
        let file = &self.cursor().0;
        self.marks
            .iter()
            .filter(|m| m.path == *file)
            .map(|m| m.range)
            .collect()
    }

    /// A path relative to the fixture's folder.
    pub(super) fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// `file:start-end`.
    pub(super) fn show(&self, r: &FileRange) -> String {
        format!(
            "{}:{}-{}",
            self.rel(&r.path),
            u32::from(r.range.start()),
            u32::from(r.range.end())
        )
    }

    pub(super) fn show_all(&self, ranges: &[FileRange]) -> Vec<String> {
        ranges.iter().map(|r| self.show(r)).collect()
    }

    /// The text of a range of the cursor's file.
    pub(super) fn slice(&self, range: TextRange) -> String {
        let ctx = self.ctx();
        ctx.text()[range].to_string()
    }
}

#[test]
fn markers_are_removed_and_remembered() {
    let (text, cursor, ranges) = strip_markers("a [|b$0c|] [|d|]é");
    assert_eq!(text, "a bc dé");
    assert_eq!(cursor, Some(3.into()));
    assert_eq!(
        ranges,
        [
            TextRange::new(2.into(), 4.into()),
            TextRange::new(5.into(), 6.into())
        ]
    );
}

#[test]
fn files_are_written_and_served_by_the_real_resolver() {
    let fx = Fixture::new(
        "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport a$0;\n//- /lib/a.ml\nx = 1;\n",
    );
    assert_eq!(fx.ctx().text(), "import a;\n");
    assert_eq!(fx.offset(), TextSize::from(8));
    let files: Vec<String> = fx.host.files().iter().map(|p| fx.rel(p)).collect();
    assert_eq!(files, ["lib/a.ml", "main.ml"]);
    let resolved = fx
        .ctx()
        .resolve(&mlpy_modules::ImportSpec::Dotted(vec!["a".into()]), None);
    match resolved {
        Some(Ok(mlpy_modules::Resolution::Module(located))) => {
            assert_eq!(located.path, fx.path("lib/a.ml"))
        }
        other => panic!("{other:?}"),
    }
}
