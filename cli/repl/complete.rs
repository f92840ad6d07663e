//! Tab completion for the line editor, from the analysis layer (`mlpy_analysis::ide::
//! completion`, what the language server offers): the session's names and the builtins,
//! the keywords, members after `module.`, module paths after `import`. The text it looks
//! at is the session so far, the lines of the input typed before this one, and this line.

use mlpy_analysis::ide::{self, FileCtx, Host};
use mlpy_modules::{ModuleCache, Resolver, SourceFile};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What completion needs to know of the session, refreshed before each line is read.
pub(crate) struct ReplHelper {
    pub(crate) resolver: Arc<Resolver>,
    pub(crate) cache: Arc<ModuleCache>,
    pub(crate) entry: PathBuf,
    /// The session's accepted inputs and the lines of this input before the current one.
    pub(crate) before: String,
}

/// The analysis layer's host: modules from the session's cache, the project's resolver.
struct ReplHost<'a> {
    resolver: &'a Arc<Resolver>,
    cache: &'a ModuleCache,
}

impl Host for ReplHost<'_> {
    fn load(&self, path: &Path) -> Option<Arc<SourceFile>> {
        self.cache
            .load(path, self.resolver.config().max_module_size)
            .ok()
    }

    fn resolver(&self, _file: &Path) -> Arc<Resolver> {
        self.resolver.clone()
    }

    fn files(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

impl ReplHelper {
    /// The completions at byte `pos` of `line`: where the word being completed starts in
    /// the line, and the labels that extend it.
    pub(crate) fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let text = format!("{}{line}", self.before);
        let offset = self.before.len() + pos;
        let host = ReplHost {
            resolver: &self.resolver,
            cache: &self.cache,
        };
        let file = Arc::new(SourceFile::new(&self.entry, text.as_str().into()));
        let ctx = FileCtx::of_file(&host, &self.entry, file);
        let items = ide::completion::completion(&ctx, (offset as u32).into()).unwrap_or_default();
        let start = line[..pos]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(pos, |(i, _)| i);
        let typed = &line[start..pos];
        let mut labels: Vec<String> = items
            .into_iter()
            // An item that would add an import elsewhere in the file has no place here.
            .filter(|item| item.additional_edits.is_empty() && item.label.starts_with(typed))
            .map(|item| item.label)
            .collect();
        labels.sort();
        labels.dedup();
        (start, labels)
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, labels) = self.candidates(line, pos);
        Ok((
            start,
            labels
                .into_iter()
                .map(|label| Pair {
                    display: label.clone(),
                    replacement: label,
                })
                .collect(),
        ))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use mlpy_modules::ProjectConfig;

    fn helper(dir: &Path, before: &str) -> ReplHelper {
        let config = ProjectConfig::discover(&dir.join("__repl__.ml")).unwrap();
        ReplHelper {
            resolver: Arc::new(Resolver::new(Arc::new(config))),
            cache: Arc::new(ModuleCache::new()),
            entry: dir.join("__repl__.ml"),
            before: before.to_string(),
        }
    }

    #[test]
    fn names_of_the_session_builtins_and_members() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
        std::fs::write(
            dir.path().join("shapes.ml"),
            "function area(w, h) { return w * h; }\n",
        )
        .unwrap();
        let h = helper(
            dir.path(),
            "import math;\nimport shapes;\ncounter = 1;\nfunction count_up() { return 2; }\n",
        );
        let (start, labels) = h.candidates("x = cou", 7);
        assert_eq!(start, 4);
        assert_eq!(labels, ["count_up", "counter"]);
        let (_, labels) = h.candidates("pri", 3);
        assert_eq!(labels, ["print"]);
        let (start, labels) = h.candidates("math.sq", 7);
        assert_eq!(
            (start, labels.as_slice()),
            (5, ["sqrt".to_string()].as_slice())
        );
        let (_, labels) = h.candidates("shapes.", 7);
        assert_eq!(labels, ["area"]);
        let (_, labels) = h.candidates("import sha", 10);
        assert_eq!(labels, ["shapes"]);
        // Nothing from a string.
        let (_, labels) = h.candidates("s = \"pri\";", 8);
        assert!(labels.is_empty(), "{labels:?}");
    }
}
