//! Hover: markdown about the name at an offset — a module (its path, how many functions),
//! a function's signature with its doc comment, a parameter with its annotation, a
//! builtin or standard-library name from the runtime's manifest.

use super::callable::callable;
use super::display::{code, function_at, function_signature, module_name};
use super::stdlib_docs::{self, Doc, DocKind};
use super::{FileCtx, HoverResult};
use crate::semantics::{ModuleRef, Target};
use mlpy_modules::scopes::{BindingId, BindingKind};
use mlpy_syntax::ast::{self, AstNode};
use mlpy_syntax::TextSize;
use std::path::Path;

pub fn hover(ctx: &FileCtx, offset: TextSize) -> Option<HoverResult> {
    let sema = ctx.semantics();
    let at = sema.classify(offset)?;
    let markdown = match at.target? {
        Target::Local(b) => {
            let kind = ctx.file().scopes().binding(b).kind;
            match (kind, sema.import_binding_target(b)) {
                (BindingKind::Import, Some(Target::Module(ModuleRef::User(path)))) => {
                    module_hover(ctx, &path)
                }
                (BindingKind::Import, Some(Target::Module(ModuleRef::Stdlib(m)))) => {
                    doc_hover(stdlib_docs::stdlib_module(&m)?, None)
                }
                _ => binding_hover(ctx, b),
            }
        }
        Target::Module(module) => match module {
            ModuleRef::User(path) => module_hover(ctx, &path),
            ModuleRef::Stdlib(m) => doc_hover(stdlib_docs::stdlib_module(&m)?, None),
            ModuleRef::Builtins => {
                code("module builtin") + "\n\nThe builtin functions, as a module."
            }
            ModuleRef::Python(m) => {
                code(&format!("module {m}")) + "\n\nA Python module (`stdlib_mode: \"python\"`)."
            }
            ModuleRef::Namespace(_) => return None,
        },
        Target::Member { module, name } => match module {
            ModuleRef::User(path) => member_hover(ctx, &path, &name)?,
            ModuleRef::Stdlib(m) => doc_hover(stdlib_docs::stdlib_member(&m, &name)?, Some(&m)),
            ModuleRef::Builtins => doc_hover(stdlib_docs::builtin(&name)?, None),
            ModuleRef::Python(_) | ModuleRef::Namespace(_) => return None,
        },
    };
    Some(HoverResult {
        range: at.range,
        markdown,
    })
}

/// A module: its name, its path in its project, how many functions it has.
fn module_hover(ctx: &FileCtx, path: &Path) -> String {
    let host = ctx.host();
    let shown = host.resolver(path).display_path(path);
    let name = module_name(host, path);
    let mut out = format!("{}\n\n`{shown}`", code(&format!("module {name}")));
    if let Some(file) = host.load(path) {
        let n = file
            .symbols
            .symbols
            .iter()
            .filter(|s| s.is_function())
            .count();
        let plural = if n == 1 { "" } else { "s" };
        out.push_str(&format!("\n\n{n} function{plural}"));
    }
    out
}

/// A top-level name of a user module: what it is in its module (as hovered there), and
/// the module.
fn member_hover(ctx: &FileCtx, module: &Path, name: &str) -> Option<String> {
    let there = FileCtx::load(ctx.host(), module)?;
    let binding = there.file().scopes().module_binding(name)?;
    let mut out = binding_hover(&there, binding);
    let shown = module_name(ctx.host(), module);
    out.push_str(&format!("\n\n*module `{shown}`*"));
    Some(out)
}

/// A builtin or standard-library name; functions of a module shown as `module.name(…)`.
fn doc_hover(doc: &Doc, module: Option<&str>) -> String {
    let signature = match (module, doc.kind) {
        (Some(m), DocKind::Function) => format!("{m}.{}", doc.signature),
        _ => doc.signature.to_string(),
    };
    let mut out = code(&signature);
    if !doc.doc.is_empty() {
        out.push_str("\n\n");
        out.push_str(doc.doc);
    }
    out
}

/// A binding of the file: a function's signature and doc comment, a parameter with its
/// annotation, an import, a variable (with the doc comment of a top-level one).
fn binding_hover(ctx: &FileCtx, b: BindingId) -> String {
    let scopes = ctx.file().scopes();
    let binding = scopes.binding(b);
    let root = ctx.root();
    match binding.kind {
        BindingKind::Function => {
            let f = binding.node_range.and_then(|r| function_at(&root, r));
            let signature = f
                .as_ref()
                .map(function_signature)
                .unwrap_or_else(|| format!("function {}", binding.name));
            let mut out = code(&signature);
            if let Some(doc) = f.and_then(|f| f.doc_comment()) {
                out.push_str("\n\n");
                out.push_str(&doc);
            }
            out
        }
        BindingKind::Parameter => {
            let annotation = root
                .covering_element(binding.decl)
                .ancestors()
                .find_map(ast::Param::cast)
                .and_then(|p| p.type_annotation())
                .and_then(|t| t.text());
            code(&match annotation {
                Some(t) => format!("(parameter) {}: {t}", binding.name),
                None => format!("(parameter) {}", binding.name),
            })
        }
        BindingKind::Import => {
            let target = binding.imports.first().map(|i| i.target.as_str());
            code(&format!("import {}", target.unwrap_or_default()))
        }
        kind => {
            // A variable holding an arrow function: its parameters, as signature help
            // shows them.
            let arrow = match kind {
                BindingKind::Variable => callable(ctx, &Target::Local(b)),
                _ => None,
            };
            if let Some(found) = arrow {
                let mut out = code(&found.label);
                if let Some(doc) = found.doc {
                    out.push_str("\n\n");
                    out.push_str(&doc);
                }
                return out;
            }
            let what = match kind {
                BindingKind::LoopVariable => "loop variable",
                BindingKind::ExceptVariable => "exception",
                _ => "variable",
            };
            let mut out = code(&format!("({what}) {}", binding.name));
            if binding.scope == scopes.module_scope() {
                let doc = ctx
                    .file()
                    .symbols
                    .get(&binding.name)
                    .and_then(|s| s.doc.as_ref());
                if let Some(doc) = doc {
                    out.push_str("\n\n");
                    out.push_str(doc);
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hover;
    use crate::ide::fixture::Fixture;

    /// The hover at the cursor: its markdown; its range is the marked one, if marked.
    fn hover_at(fixture: &str) -> String {
        let fx = Fixture::new(fixture);
        let found = hover(&fx.ctx(), fx.offset()).unwrap_or_else(|| panic!("no hover: {fixture}"));
        if let Some(range) = fx.marked_ranges().first() {
            assert_eq!(found.range, *range);
        }
        found.markdown
    }

    #[test]
    fn a_user_function_with_its_doc_comment_and_module() {
        let h = hover_at(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport geometry;\ngeometry.[|ar$0ea|](1, 2);\n//- /lib/geometry.ml\n// Area of a rectangle.\n// Both sides in metres.\nfunction area(w: number, h) { return w * h; }\n",
        );
        assert_eq!(
            h,
            "```ml\nfunction area(w: number, h)\n```\n\nArea of a rectangle.\nBoth sides in metres.\n\n*module `geometry`*"
        );
    }

    #[test]
    fn a_name_of_another_module_shows_as_in_its_module() {
        let fixture = "//- /mlpy.json\n{}\n//- /main.ml\nimport um;\nprint(um.LIMIT, um.double(2));\n//- /um.ml\n// The limit.\nLIMIT = 10;\n// Twice.\ndouble = fn(x) => x * 2;\nprint(LIMIT, double(1));\n";
        let through = hover_at(&fixture.replace("um.LIMIT", "um.LI$0MIT"));
        let inside = hover_at(&fixture.replace("print(LIMIT", "print(LI$0MIT"));
        assert_eq!(through, format!("{inside}\n\n*module `um`*"));
        assert_eq!(inside, "```ml\n(variable) LIMIT\n```\n\nThe limit.");
        let through = hover_at(&fixture.replace("um.double", "um.dou$0ble"));
        let inside = hover_at(&fixture.replace("double(1)", "dou$0ble(1)"));
        assert_eq!(through, format!("{inside}\n\n*module `um`*"));
        assert_eq!(inside, "```ml\ndouble = fn(x)\n```\n\nTwice.");
    }

    #[test]
    fn a_local_function_and_a_parameter() {
        let fixture = "//- /main.ml\n// Greets someone.\nfunction greet(name: string, times) { return name; }\ngreet(\"a\", 1);\n";
        let h = hover_at(&fixture.replace("greet(\"a\"", "gr$0eet(\"a\""));
        assert!(h.contains("function greet(name: string, times)"), "{h}");
        assert!(h.contains("Greets someone."), "{h}");
        let h = hover_at(&fixture.replace("return name", "return [|na$0me|]"));
        assert_eq!(h, "```ml\n(parameter) name: string\n```");
    }

    #[test]
    fn a_documented_top_level_variable() {
        let h = hover_at("//- /main.ml\n// The size of one unit.\nUNIT = 1;\nprint(UN$0IT);\n");
        assert_eq!(h, "```ml\n(variable) UNIT\n```\n\nThe size of one unit.");
    }

    #[test]
    fn a_standard_library_function_module_and_constant() {
        let h = hover_at("//- /main.ml\nimport math;\nmath.[|sq$0rt|](2);\n");
        assert!(h.starts_with("```ml\nmath.sqrt(x)\n```"), "{h}");
        let h = hover_at("//- /main.ml\nimport ma$0th;\n");
        assert!(
            h.starts_with("```ml\nimport math;\n```\n\nMathematical"),
            "{h}"
        );
        let h = hover_at("//- /main.ml\nimport math;\nprint(ma$0th.pi);\n");
        assert!(h.contains("import math;"), "{h}");
        let h = hover_at("//- /main.ml\nimport math;\nprint(math.p$0i);\n");
        assert!(h.contains("math.pi = 3.14"), "{h}");
    }

    #[test]
    fn a_builtin_and_the_builtin_module() {
        let h = hover_at("//- /main.ml\n[|pri$0nt|](1);\n");
        assert!(
            h.contains("print(*values)") && h.contains("Print value to console"),
            "{h}"
        );
        let h = hover_at("//- /main.ml\nbuiltin.l$0en([]);\n");
        assert!(h.starts_with("```ml\nlen(collection)\n```"), "{h}");
        let h = hover_at("//- /main.ml\nbuil$0tin.len([]);\n");
        assert!(h.starts_with("```ml\nmodule builtin\n```"), "{h}");
    }

    #[test]
    fn a_module_shows_its_path_and_functions() {
        let h = hover_at(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport geo.sha$0pes;\n//- /lib/geo/shapes.ml\nfunction a() { }\nfunction b() { }\nx = 1;\n",
        );
        assert_eq!(
            h,
            "```ml\nmodule geo.shapes\n```\n\n`lib/geo/shapes.ml`\n\n2 functions"
        );
        // Through an alias.
        let h = hover_at(
            "//- /mlpy.json\n{}\n//- /main.ml\nimport shapes as s;\nprint($0s.x);\n//- /shapes.ml\nfunction a() { }\nx = 1;\n",
        );
        assert!(
            h.contains("module shapes") && h.contains("1 function"),
            "{h}"
        );
    }

    #[test]
    fn nothing_on_an_unknown_name_or_a_value_member() {
        let fx = Fixture::new("//- /main.ml\nprint(nos$0uch);\n");
        assert_eq!(hover(&fx.ctx(), fx.offset()), None);
        let fx = Fixture::new("//- /main.ml\no = {a: 1};\nprint(o.$0a);\n");
        assert_eq!(hover(&fx.ctx(), fx.offset()), None);
    }
}
