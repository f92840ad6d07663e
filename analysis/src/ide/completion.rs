//! Completion at an offset: module paths after `import` (the standard library, folders and
//! `.ml` files of the import roots), members after `a.b.` (of a user module, a
//! standard-library module, `builtin`, the deeper modules an import reaches), else the
//! names in scope, the builtins, the keywords, and the modules not imported yet (accepting
//! one adds its import). Nothing inside comments and strings.

use super::display::{function_at, function_signature};
use super::imports::{importable_modules, InsertAt};
use super::rename::invalid_name;
use super::stdlib_docs::{self, Doc, DocKind};
use super::{CompletionItem, CompletionKind, FileCtx};
use crate::semantics::{ImportTargets, ModuleRef, Target};
use mlpy_modules::scopes::BindingKind;
use mlpy_modules::symbols::SymbolKind;
use mlpy_syntax::{SyntaxKind, SyntaxNode, SyntaxToken, TextSize};
use rowan::TokenAtOffset;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The keywords that start an expression: offered wherever a name may be typed.
const EXPRESSION_KEYWORDS: &[&str] = &["fn", "true", "false", "null", "undefined"];

/// The keywords offered at `offset`, where a name may be typed: those of the place (as
/// rust-analyzer's completion does). At the start of a statement its keywords — `import`
/// and `capability` at the top level only, `return` and `nonlocal` in a function,
/// `break` and `continue` in a loop, `elif`/`else` after an `if`'s block, `except`/
/// `finally` after a `try`'s — elsewhere those of expressions, and `in` after
/// `for (name`.
pub fn keywords_at(root: &SyntaxNode, offset: TextSize) -> Vec<&'static str> {
    let typed_start = root
        .token_at_offset(offset)
        .left_biased()
        .filter(|t| t.kind().is_any_word() && t.text_range().start() < offset)
        .map_or(offset, |t| t.text_range().start());
    let before = previous_significant(root, typed_start);
    let kinds: Vec<SyntaxKind> = std::iter::successors(before.clone(), |t| {
        previous_significant(root, t.text_range().start())
    })
    .take(3)
    .map(|t| t.kind())
    .collect();
    let mut out: Vec<&'static str> = Vec::new();
    if kinds.starts_with(&[SyntaxKind::IDENT, SyntaxKind::L_PAREN, SyntaxKind::FOR_KW]) {
        return vec!["in"];
    }
    let closed_block = |t: &SyntaxToken| -> Option<SyntaxKind> {
        let block = t.parent().filter(|p| p.kind() == SyntaxKind::BLOCK)?;
        block.parent().map(|p| p.kind())
    };
    let statement_start = match &before {
        None => true,
        Some(t) => match t.kind() {
            SyntaxKind::SEMICOLON => true,
            SyntaxKind::L_CURLY | SyntaxKind::R_CURLY => closed_block(t).is_some(),
            _ => false,
        },
    };
    if statement_start {
        let context = cursor_context(root, typed_start, offset);
        let mut in_function = false;
        let mut in_loop = false;
        let mut top_level = true;
        for node in context.ancestors() {
            match node.kind() {
                SyntaxKind::BLOCK => top_level = false,
                SyntaxKind::WHILE_STMT | SyntaxKind::FOR_STMT if !in_function => in_loop = true,
                SyntaxKind::FUNCTION | SyntaxKind::ARROW_EXPR => in_function = true,
                _ => {}
            }
        }
        out.extend(["function", "if", "while", "for", "try", "throw"]);
        let after = before.as_ref().filter(|t| t.kind() == SyntaxKind::R_CURLY);
        match after.and_then(closed_block) {
            Some(SyntaxKind::IF_STMT | SyntaxKind::ELIF_CLAUSE) => out.extend(["elif", "else"]),
            Some(SyntaxKind::TRY_STMT | SyntaxKind::EXCEPT_CLAUSE) => {
                out.extend(["except", "finally"])
            }
            _ => {}
        }
        if in_function {
            out.extend(["return", "nonlocal"]);
        }
        if in_loop {
            out.extend(["break", "continue"]);
        }
        if top_level {
            out.extend(["import", "capability"]);
        }
    }
    out.extend(EXPRESSION_KEYWORDS);
    out
}

/// The last token before `offset` that is neither whitespace nor a comment.
fn previous_significant(root: &SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    if offset == 0.into() {
        return None;
    }
    let mut token = root.token_at_offset(offset).left_biased()?;
    while token.kind().is_trivia() || token.text_range().start() >= offset {
        token = token.prev_token()?;
    }
    Some(token)
}

/// The innermost node the cursor is inside (what is typed, from `start` to `offset`, is
/// not its own context): a block still open at the cursor (its `}` not typed yet) counts.
fn cursor_context(root: &SyntaxNode, start: TextSize, offset: TextSize) -> SyntaxNode {
    let token = root.token_at_offset(start).left_biased();
    let inside = |node: &SyntaxNode| {
        let range = node.text_range();
        let closed = node.last_token().is_some_and(|t| {
            t.kind() == SyntaxKind::R_CURLY && node.kind() != SyntaxKind::SOURCE_FILE
        });
        range.start() < start && (offset < range.end() || (offset == range.end() && !closed))
    };
    token
        .and_then(|t| t.parent_ancestors().find(|n| inside(n)))
        .unwrap_or_else(|| root.clone())
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn item(
    label: &str,
    kind: CompletionKind,
    detail: Option<String>,
    documentation: Option<String>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail,
        documentation: documentation.filter(|d| !d.is_empty()),
        additional_edits: Vec::new(),
    }
}

fn doc_item(doc: &Doc) -> CompletionItem {
    let kind = match doc.kind {
        DocKind::Function => CompletionKind::Function,
        DocKind::Constant => CompletionKind::Constant,
        DocKind::Class => CompletionKind::Class,
        DocKind::Module => CompletionKind::Module,
    };
    item(
        doc.name,
        kind,
        Some(doc.signature.to_string()),
        Some(doc.doc.to_string()),
    )
}

/// Where each word of a dotted receiver starts: `a.b.` → `["a", "b"]`; `None` when the
/// text before the dot is not a chain of names (`f().`, `"s".`).
fn receiver_names(receiver: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = receiver;
    loop {
        let start = word_start(rest);
        if start == rest.len() {
            return None;
        }
        names.push(rest[start..].to_string());
        match rest[..start].strip_suffix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    names.reverse();
    Some(names)
}

/// Whether the comment or string `token` still holds what is typed at `offset`: inside
/// it, or at its end when nothing closes it — a comment runs to the end of its line, and
/// so does a string while its closing quote is not typed (`x = "see docs.` in an editor
/// that does not close quotes by itself, Neovim's default).
fn is_open_after(token: &mlpy_syntax::SyntaxToken, offset: TextSize) -> bool {
    match token.kind() {
        SyntaxKind::COMMENT => true,
        SyntaxKind::STRING => {
            offset < token.text_range().end() || !mlpy_syntax::text::is_closed(token.text())
        }
        _ => false,
    }
}

/// The start of the word that ends `text`.
fn word_start(text: &str) -> usize {
    text.char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map_or(text.len(), |(i, _)| i)
}

pub fn completion(ctx: &FileCtx, offset: TextSize) -> Option<Vec<CompletionItem>> {
    let text = ctx.text();
    let upto = text.get(..usize::from(offset))?;
    let before = &upto[upto.rfind('\n').map_or(0, |i| i + 1)..];
    // Nothing to complete inside a comment or a string.
    if let TokenAtOffset::Single(t) | TokenAtOffset::Between(t, _) =
        ctx.root().token_at_offset(offset)
    {
        if t.text_range().start() < offset && is_open_after(&t, offset) {
            return Some(Vec::new());
        }
    }
    // `import a.b.` → module paths.
    if let Some(rest) = before.trim_start().strip_prefix("import") {
        if rest.starts_with(char::is_whitespace) {
            let typed = rest.trim_start();
            if typed.chars().all(|c| is_word_char(c) || c == '.') {
                return Some(import_items(ctx, typed));
            }
        }
    }
    // `a.b.` → members of what `a.b` is.
    let head = &before[..word_start(before)];
    if let Some(receiver) = head.strip_suffix('.') {
        return Some(match receiver_names(receiver) {
            Some(names) => member_items(ctx, offset, &names),
            None => Vec::new(),
        });
    }
    Some(name_items(ctx, offset))
}

/// The names in scope, the builtins they do not hide, the keywords.
fn name_items(ctx: &FileCtx, offset: TextSize) -> Vec<CompletionItem> {
    let scopes = ctx.file().scopes();
    let root = ctx.root();
    let mut out: Vec<CompletionItem> = Vec::new();
    for b in scopes.visible_bindings(offset) {
        let binding = scopes.binding(b);
        let (kind, detail) = match binding.kind {
            BindingKind::Function => (
                CompletionKind::Function,
                binding
                    .node_range
                    .and_then(|r| function_at(&root, r))
                    .map(|f| function_signature(&f)),
            ),
            BindingKind::Import => (
                CompletionKind::Module,
                binding
                    .imports
                    .first()
                    .map(|i| format!("import {}", i.target)),
            ),
            _ => (CompletionKind::Variable, None),
        };
        out.push(item(&binding.name, kind, detail, None));
    }
    let defined: HashSet<String> = out.iter().map(|i| i.label.clone()).collect();
    out.extend(
        stdlib_docs::builtins()
            .iter()
            .filter(|d| !defined.contains(d.name))
            .map(doc_item),
    );
    out.extend(
        keywords_at(&root, offset)
            .into_iter()
            .map(|k| item(k, CompletionKind::Keyword, None, None)),
    );
    // Modules not imported yet: accepting one adds `import NAME;`.
    let taken: HashSet<String> = out.iter().map(|i| i.label.clone()).collect();
    let at = InsertAt::of(ctx);
    for candidate in importable_modules(ctx) {
        if taken.contains(&candidate.name) {
            continue;
        }
        let statement = candidate.statement();
        let mut module = item(
            &candidate.name,
            CompletionKind::Module,
            Some(format!("{statement} ({})", candidate.detail)),
            candidate.doc,
        );
        module.additional_edits = vec![at.edit(&statement)];
        out.push(module);
    }
    out
}

/// The members of what `names` (a receiver chain) refers to.
fn member_items(ctx: &FileCtx, offset: TextSize, names: &[String]) -> Vec<CompletionItem> {
    let scopes = ctx.file().scopes();
    let root = &names[0];
    let binding = scopes
        .visible_bindings(offset)
        .into_iter()
        .find(|&b| scopes.binding(b).name == *root);
    let Some(b) = binding else {
        if root == mlpy_modules::stdlib::BUILTIN_MODULE_NAME && names.len() == 1 {
            return stdlib_docs::builtins().iter().map(doc_item).collect();
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    // Deeper modules of `import a.b.c` after `a.`.
    let prefix = names.join(".");
    for import in &scopes.binding(b).imports {
        if import.aliased {
            continue;
        }
        if let Some(rest) = import.target.strip_prefix(&format!("{prefix}.")) {
            let next = rest.split('.').next().unwrap_or(rest);
            let detail = Some(format!("{prefix}.{next}"));
            out.push(item(next, CompletionKind::Module, detail, None));
        }
    }
    let target = match ctx.semantics().member_target(b, names) {
        // A module's own import (`hub.inner.`): the module it imports.
        Some(Target::Member {
            module: ModuleRef::User(path),
            name,
        }) => ctx.in_module(&path, &[name]),
        target => target,
    };
    match target {
        Some(Target::Module(ModuleRef::User(path))) => {
            if let Some(file) = ctx.host().load(&path) {
                for s in &file.symbols.symbols {
                    let kind = match s.kind {
                        SymbolKind::Function { .. } => CompletionKind::Function,
                        SymbolKind::Variable => CompletionKind::Variable,
                        // A module's own imports are reachable in Python but are not its API.
                        SymbolKind::Import { .. } => continue,
                    };
                    out.push(item(&s.name, kind, Some(s.signature()), s.doc.clone()));
                }
            }
        }
        Some(Target::Module(ModuleRef::Stdlib(m))) => {
            out.extend(stdlib_docs::stdlib_members(&m).iter().map(doc_item))
        }
        _ => {}
    }
    out
}

/// Module names that may follow `typed` (`utils.` → the modules and folders in `utils/`).
fn import_items(ctx: &FileCtx, typed: &str) -> Vec<CompletionItem> {
    let mut parts: Vec<&str> = typed.split('.').collect();
    parts.pop(); // the part being typed
    let mut out: BTreeMap<String, CompletionItem> = BTreeMap::new();
    if parts.is_empty() {
        for m in mlpy_modules::stdlib::STDLIB_MODULES {
            let doc = stdlib_docs::stdlib_module(m).map(|d| d.doc.to_string());
            let detail = Some("standard library".to_string());
            out.insert(m.to_string(), item(m, CompletionKind::Module, detail, doc));
        }
    }
    let Some(resolver) = ctx.resolver() else {
        return out.into_values().collect();
    };
    let mut dirs: Vec<PathBuf> = resolver
        .import_roots()
        .iter()
        .filter_map(|r| r.canonical.clone())
        .collect();
    if resolver.config().allow_current_dir {
        dirs.extend(ctx.path().parent().map(Path::to_path_buf));
    }
    for dir in dirs {
        let dir = parts.iter().fold(dir, |d, p| d.join(p));
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with("__") {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                if invalid_name(&name).is_none() {
                    out.entry(name.clone()).or_insert_with(|| {
                        let detail = Some("package".to_string());
                        item(&name, CompletionKind::Folder, detail, None)
                    });
                }
            } else if let Some(stem) = name.strip_suffix(".ml") {
                // A module may be named like a keyword (`class.ml`): imports spell it.
                if invalid_name(stem).is_none() || SyntaxKind::from_keyword(stem).is_some() {
                    let shown = resolver.display_path(&path);
                    let module = item(stem, CompletionKind::Module, Some(shown), None);
                    out.insert(stem.to_string(), module);
                }
            }
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    fn complete(fixture: &str) -> Vec<CompletionItem> {
        let fx = Fixture::new(fixture);
        completion(&fx.ctx(), fx.offset()).unwrap_or_else(|| panic!("no answer: {fixture}"))
    }

    fn labels(fixture: &str) -> Vec<String> {
        complete(fixture).into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn members_of_a_module_reached_through_another_modules_import() {
        let found = labels(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport hub;\nhub.inner.$0\n//- /lib/hub.ml\nimport a.b as inner;\n//- /lib/a/b.ml\nfunction f(x) { return x; }\nLIMIT = 1;\n",
        );
        assert_eq!(found, ["f", "LIMIT"]);
    }

    #[test]
    fn members_of_a_user_module() {
        let items = complete(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport geometry;\nx = geometry.$0\n//- /geometry.ml\nimport math;\n// Area.\nfunction area(w: number, h) { return w * h; }\nUNIT = 1;\n",
        );
        let area = CompletionItem {
            label: "area".into(),
            kind: CompletionKind::Function,
            detail: Some("function area(w: number, h)".into()),
            documentation: Some("Area.".into()),
            additional_edits: Vec::new(),
        };
        assert_eq!(items[0], area);
        let names: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        // Its own import is not its API.
        assert_eq!(names, ["area", "UNIT"]);
    }

    #[test]
    fn members_through_an_alias_while_typing() {
        let found = labels(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport strings as s;\ny = s.sh$0\n//- /strings.ml\nfunction shout(t) { return t; }\n",
        );
        assert_eq!(found, ["shout"]);
    }

    #[test]
    fn members_of_a_package_and_its_imported_submodules() {
        let found = labels(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport utils.strings;\nw = utils.$0\n//- /utils/__init__.ml\nVERSION = 1;\n//- /utils/strings.ml\nx = 1;\n",
        );
        assert_eq!(found, ["strings", "VERSION"]);
    }

    #[test]
    fn members_of_the_standard_library_and_builtin() {
        let items = complete("//- /main.ml\nimport math;\nz = math.$0\n");
        let pi = items.iter().find(|i| i.label == "pi").unwrap();
        assert_eq!(pi.kind, CompletionKind::Constant);
        assert!(items
            .iter()
            .any(|i| i.label == "sqrt" && i.kind == CompletionKind::Function));
        let found = labels("//- /main.ml\nz = builtin.$0\n");
        assert!(found.contains(&"len".to_string()) && found.contains(&"print".to_string()));
    }

    #[test]
    fn import_paths_from_the_disk_and_the_standard_library() {
        let fixture = "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport $0\n//- /lib/geometry.ml\nx = 1;\n//- /lib/utils/strings.ml\nx = 1;\n//- /lib/class.ml\nx = 1;\n//- /lib/__hidden.ml\nx = 1;\n";
        let items = complete(fixture);
        let geometry = items.iter().find(|i| i.label == "geometry").unwrap();
        assert_eq!(geometry.detail.as_deref(), Some("lib/geometry.ml"));
        let utils = items.iter().find(|i| i.label == "utils").unwrap();
        assert_eq!(utils.kind, CompletionKind::Folder);
        let names: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        for wanted in ["math", "json", "class"] {
            assert!(names.contains(&wanted), "{wanted} in {names:?}");
        }
        assert!(!names.contains(&"__hidden"), "{names:?}");
        let found = labels(&fixture.replace("import $0", "import utils.$0"));
        assert_eq!(found, ["strings"]);
    }

    /// The keywords offered at the cursor.
    fn keywords(fixture: &str) -> Vec<String> {
        complete(fixture)
            .into_iter()
            .filter(|i| i.kind == CompletionKind::Keyword)
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn keywords_are_those_of_the_place() {
        let expression = ["fn", "true", "false", "null", "undefined"];
        // In an argument, an operand, a value: only what starts an expression.
        for fixture in [
            "//- /main.ml\nprint(re$0);\n",
            "//- /main.ml\nx = 1 + $0\n",
            "//- /main.ml\nfunction f(a) {\n  return wh$0\n}\n",
            "//- /main.ml\nx = [1, $0];\n",
        ] {
            assert_eq!(keywords(fixture), expression, "{fixture}");
        }
        // The start of a top-level statement: no `return`, `break`, `elif`.
        let top = keywords("//- /main.ml\nx = 1;\n$0\n");
        for k in [
            "function",
            "if",
            "while",
            "import",
            "capability",
            "fn",
            "null",
        ] {
            assert!(top.contains(&k.to_string()), "{k} in {top:?}");
        }
        for k in [
            "return", "nonlocal", "break", "continue", "elif", "except", "in",
        ] {
            assert!(!top.contains(&k.to_string()), "{k} in {top:?}");
        }
        // In a loop of a function, while its block is still open; a word being typed.
        let inner = keywords("//- /main.ml\nfunction f(x) {\n  while (x) {\n    re$0\n");
        for k in ["return", "nonlocal", "break", "continue", "if"] {
            assert!(inner.contains(&k.to_string()), "{k} in {inner:?}");
        }
        assert!(!inner.contains(&"import".to_string()), "{inner:?}");
        // After the loop, still in the function: no `break`.
        let after = keywords("//- /main.ml\nfunction f(x) {\n  while (x) { x = 0; }\n  $0\n}\n");
        assert!(after.contains(&"return".to_string()), "{after:?}");
        assert!(!after.contains(&"break".to_string()), "{after:?}");
        // A loop's function inside it does not make `break` valid in its own body.
        let nested = keywords(
            "//- /main.ml\nfor (i in [1]) {\n  f = fn(x) => {\n    y = x;\n    $0\n  };\n}\n",
        );
        assert!(nested.contains(&"return".to_string()), "{nested:?}");
        assert!(!nested.contains(&"break".to_string()), "{nested:?}");
        // Clauses after the block they continue.
        let after_if = keywords("//- /main.ml\nif (true) {\n  x = 1;\n} el$0\n");
        assert!(after_if.contains(&"elif".to_string()) && after_if.contains(&"else".to_string()));
        let after_try = keywords("//- /main.ml\ntry {\n  x = 1;\n} $0\n");
        assert!(after_try.contains(&"except".to_string()));
        assert!(after_try.contains(&"finally".to_string()));
        assert!(!after_try.contains(&"elif".to_string()), "{after_try:?}");
        // `for (name ` continues with `in`.
        assert_eq!(keywords("//- /main.ml\nfor (item $0\n"), ["in"]);
    }

    #[test]
    fn names_in_scope_builtins_and_keywords() {
        let found = labels(
            "//- /main.ml\nimport math;\nfunction greet(name) {\n  message = name;\n  $0\n}\nlen = 1;\n",
        );
        for wanted in [
            "message", "name", "greet", "math", "print", "return", "while", "len",
        ] {
            assert!(found.contains(&wanted.to_string()), "{wanted} in {found:?}");
        }
        // A user's `len` hides the builtin: offered once.
        assert_eq!(found.iter().filter(|l| *l == "len").count(), 1);
    }

    #[test]
    fn modules_not_imported_yet_add_their_import() {
        let items = complete(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport math;\nx = he$0\n//- /lib/helpers.ml\nx = 1;\n",
        );
        let helpers = items.iter().find(|i| i.label == "helpers").unwrap();
        assert_eq!(helpers.kind, CompletionKind::Module);
        assert_eq!(
            helpers.detail.as_deref(),
            Some("import helpers; (lib/helpers.ml)")
        );
        let after_imports =
            mlpy_syntax::TextRange::empty(mlpy_syntax::TextSize::of("import math;\n"));
        assert_eq!(
            helpers.additional_edits,
            [(after_imports, "import helpers;\n".to_string())]
        );
        let json = items.iter().find(|i| i.label == "json").unwrap();
        assert_eq!(json.additional_edits[0].1, "import json;\n");
        // `math` is imported already: offered once, as the import binding, with no edit.
        let math: Vec<&CompletionItem> = items.iter().filter(|i| i.label == "math").collect();
        assert_eq!(math.len(), 1);
        assert!(math[0].additional_edits.is_empty());
    }

    #[test]
    fn nothing_inside_comments_and_strings() {
        assert!(labels("//- /main.ml\n// a comm$0ent\nx = 1;\n").is_empty());
        assert!(labels("//- /main.ml\nx = \"he$0llo\";\n").is_empty());
        // A string being typed, its closing quote not there yet, at the end of the file
        // or of its line, whatever quote and escapes it has.
        let open = [
            "import math;\nx = \"see math.$0",
            "import math;\nx = 'see math.$0\nprint(1);\n",
            "import math;\nx = \"a \\\" math.$0\r\ny = 2;\n",
            "import math;\nx = \"a \\\"$0",
            "x = \"na$0",
        ];
        for fixture in open {
            assert!(
                labels(&format!("//- /main.ml\n{fixture}")).is_empty(),
                "{fixture:?}"
            );
        }
        // Just after a closed string, completion goes on.
        let after = labels("//- /main.ml\nimport math;\nx = \"s\" + math.$0\n");
        assert!(after.contains(&"pi".to_string()), "{after:?}");
    }

    #[test]
    fn nothing_after_a_value_that_is_not_a_name_chain() {
        assert!(labels("//- /main.ml\nx = f().$0\n").is_empty());
        assert!(labels("//- /main.ml\no = {a: 1};\nx = o.$0\n").is_empty());
    }
}
