//! Incremental checking through the real `mlpy lsp`: an edit of one module parses that
//! module only (`mlpy/debug/parseCount`), however many modules import it, directly, through
//! others or from an import cycle; the importers' diagnostics still follow the edit; and
//! import cycles appear and go away as imports change, with the texts of a whole graph.

mod lsp_client;

use lsp_client::Client;
use serde_json::{json, Value};

/// `lib/a.ml` is imported by `b` (directly), `c` (through `b`), `main` and `q`; `q` and `r`
/// import each other.
const FILES: &[(&str, &str)] = &[
    ("mlpy.json", r#"{"import_paths": ["lib"]}"#),
    (
        "lib/a.ml",
        "// The module the tests edit.\nfunction f(x) {\n    return x + 1;\n}\n\nfunction g(x) {\n    return f(x) * 2;\n}\n",
    ),
    ("lib/b.ml", "import a;\nfunction h(x) {\n    return a.g(x);\n}\n"),
    ("lib/c.ml", "import b;\nfunction k(x) {\n    return b.h(x);\n}\n"),
    (
        "lib/q.ml",
        "import r;\nimport a;\nfunction fq(x) {\n    return a.f(x);\n}\n",
    ),
    ("lib/r.ml", "import q;\nfunction fr(x) {\n    return q.fq(x);\n}\n"),
    (
        "main.ml",
        "import c;\nimport a;\nimport q;\nprint(c.k(1), a.f(2), q.fq(3));\n",
    ),
];

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in FILES {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// Modules parsed since the previous call.
fn parsed(c: &mut Client) -> u64 {
    let r = c
        .request("mlpy/debug/parseCount", Value::Null)
        .expect("parseCount");
    r["parsed"].as_u64().expect("a count")
}

/// Replaces `old` with `new` in an open document (one incremental change on one line),
/// waits for the diagnostics of that version and for the re-checks of the importers.
fn edit(c: &mut Client, uri: &str, text: &mut String, version: i32, old: &str, new: &str) {
    let at = text.find(old).expect("the text to replace");
    let line = text[..at].matches('\n').count() as u32;
    let column = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    c.change(
        uri,
        version,
        json!([{
            "range": {
                "start": {"line": line, "character": column},
                "end": {"line": line, "character": column + old.len() as u32},
            },
            "text": new,
        }]),
    );
    text.replace_range(at..at + old.len(), new);
    c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == version
    });
    c.flush();
}

fn messages(c: &Client, uri: &str) -> Vec<String> {
    c.diagnostics
        .get(uri)
        .into_iter()
        .flatten()
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn an_edit_parses_only_the_edited_module() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let a_uri = c.uri("lib/a.ml");
    let mut a = std::fs::read_to_string(c.path("lib/a.ml")).unwrap();
    c.open_text("lib/a.ml", &a);
    c.flush();
    let first = parsed(&mut c);
    assert!(first >= 6, "the first check parses every module: {first}");

    // A function body: a is parsed again, nothing else (b, c, main, q and r are
    // checked again from the cache).
    edit(&mut c, &a_uri, &mut a, 2, "x + 1", "x + 10");
    assert_eq!(parsed(&mut c), 1);
    edit(&mut c, &a_uri, &mut a, 3, "f(x) * 2", "f(x) * 3 + f(1)");
    assert_eq!(parsed(&mut c), 1);

    // The importers' diagnostics still follow: `g` gone, b's `a.g` is unknown.
    let b_uri = c.uri("lib/b.ml");
    assert!(
        messages(&c, &b_uri).is_empty(),
        "{:?}",
        messages(&c, &b_uri)
    );
    edit(&mut c, &a_uri, &mut a, 4, "function g(x)", "function g2(x)");
    assert_eq!(parsed(&mut c), 1);
    let list = c.wait_diagnostics(&b_uri, |l| l.iter().any(|d| d["code"] == "unknown-member"));
    assert_eq!(list.len(), 1, "{list:#?}");
    edit(&mut c, &a_uri, &mut a, 5, "function g2(x)", "function g(x)");
    assert_eq!(parsed(&mut c), 1);
    c.wait_clean(&b_uri);
    c.shutdown();
}

#[test]
fn an_edit_of_a_module_in_a_cycle_parses_only_that_module() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let q_uri = c.uri("lib/q.ml");
    let r_uri = c.uri("lib/r.ml");
    let mut q = std::fs::read_to_string(c.path("lib/q.ml")).unwrap();
    c.open_text("lib/q.ml", &q);
    c.flush();
    parsed(&mut c);
    let cycle_q = vec!["Circular dependency detected: q → r → q".to_string()];
    let cycle_r = vec!["Circular dependency detected: r → q → r".to_string()];
    assert_eq!(messages(&c, &q_uri), cycle_q);
    assert_eq!(messages(&c, &r_uri), cycle_r);

    // A function body: q only, and the same cycle.
    edit(&mut c, &q_uri, &mut q, 2, "a.f(x)", "a.f(x) + 1");
    assert_eq!(parsed(&mut c), 1);
    assert_eq!(messages(&c, &q_uri), cycle_q);
    // A line above the imports moves them: the cycle's range follows.
    edit(&mut c, &q_uri, &mut q, 3, "import r;", "// q\nimport r;");
    assert_eq!(parsed(&mut c), 1);
    let list = c.wait_diagnostics(&q_uri, |l| l.len() == 1);
    assert_eq!(list[0]["range"]["start"]["line"], 1, "{list:#?}");
    assert_eq!(messages(&c, &q_uri), cycle_q);

    // The import closing the cycle removed: no cycle left, in q or in r.
    edit(&mut c, &q_uri, &mut q, 4, "import r;", "import c;");
    assert_eq!(parsed(&mut c), 1);
    assert_eq!(messages(&c, &q_uri), Vec::<String>::new());
    c.wait_clean(&r_uri);
    // And back: the cycle again, with the same texts.
    edit(&mut c, &q_uri, &mut q, 5, "import c;", "import r;");
    assert_eq!(parsed(&mut c), 1);
    assert_eq!(messages(&c, &q_uri), cycle_q);
    c.wait_diagnostics(&r_uri, |l| l.len() == 1);
    assert_eq!(messages(&c, &r_uri), cycle_r);

    // A module changed on disk (c now imports q too: no new cycle): that file only is
    // parsed again, and q's cycle stays what it was.
    std::fs::write(
        c.path("lib/c.ml"),
        "import b;\nimport q;\nfunction k(x) {\n    return b.h(x);\n}\n",
    )
    .unwrap();
    let c_uri = c.uri("lib/c.ml");
    c.watched(vec![(c_uri.clone(), 2)]);
    c.flush();
    assert_eq!(parsed(&mut c), 1, "c.ml changed on disk: parsed again");
    edit(&mut c, &q_uri, &mut q, 6, "a.f(x) + 1", "a.f(x) + 2");
    assert_eq!(parsed(&mut c), 1);
    assert_eq!(messages(&c, &q_uri), cycle_q);
    c.shutdown();
}
