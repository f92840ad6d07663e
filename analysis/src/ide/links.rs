//! Document links: each import that resolves to a file links its path (or URL) to that
//! file — the cached file of a remote module.

use super::{DocumentLink, FileCtx};
use crate::semantics::ModuleRef;

pub fn document_links(ctx: &FileCtx) -> Vec<DocumentLink> {
    let Some(resolver) = ctx.resolver() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for import in ctx.file().parse.tree().imports() {
        let Some((_, range)) = mlpy_modules::graph::import_spec(&import) else {
            continue;
        };
        if let Some(ModuleRef::User(path)) = ctx.imported_by(&import).map(|i| i.module) {
            out.push(DocumentLink {
                range,
                tooltip: resolver.display_path(&path),
                target: path,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::document_links;
    use crate::ide::fixture::Fixture;

    #[test]
    fn imports_of_files_link_to_them() {
        let fx = Fixture::new(
            "//- /mlpy.json\n{\"import_paths\": [\"lib\"]}\n//- /main.ml\nimport [|geometry|];\nimport [|utils.strings|] as s;\nimport math;\nimport nosuch;\n$0\n//- /lib/geometry.ml\nx = 1;\n//- /lib/utils/strings.ml\nx = 1;\n",
        );
        let links = document_links(&fx.ctx());
        let found: Vec<(String, String, String)> = links
            .iter()
            .map(|l| (fx.slice(l.range), fx.rel(&l.target), l.tooltip.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "geometry".into(),
                    "lib/geometry.ml".into(),
                    "lib/geometry.ml".into()
                ),
                (
                    "utils.strings".into(),
                    "lib/utils/strings.ml".into(),
                    "lib/utils/strings.ml".into()
                ),
            ]
        );
        assert_eq!(
            links.iter().map(|l| l.range).collect::<Vec<_>>(),
            fx.marked_ranges()
        );
    }
}
