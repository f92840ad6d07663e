//! The language server's features, through the real `mlpy lsp` binary on the
//! `lsp_basic` fixture: definition, hover, completion, references, rename, symbols,
//! links, semantic tokens, folding and selection ranges, and the `mlpy.*` commands.
//! Positions are UTF-16, and the fixture has non-ASCII text before names.

mod lsp_client;

use lsp_client::{fixture, pos, Client};
use serde_json::{json, Value};

const MAIN: &str = include_str!("testdata/lsp_basic/main.ml");

/// The UTF-16 column of the `nth` occurrence of `needle` on line `line` of `text`.
fn col(text: &str, line: usize, needle: &str, nth: usize) -> u32 {
    let l = text.lines().nth(line).unwrap();
    let byte = l
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} not on line {line}: {l}"))
        .0;
    l[..byte].encode_utf16().count() as u32
}

fn target(v: &Value) -> (String, (u64, u64)) {
    let loc = if v.is_array() { &v[0] } else { v };
    let uri = loc["uri"].as_str().unwrap();
    let rel = uri.split_once("/lib/").map_or_else(
        || uri.rsplit('/').next().unwrap().to_string(),
        |(_, r)| format!("lib/{r}"),
    );
    (rel, pos(&loc["range"]["start"]))
}

fn start() -> (tempfile::TempDir, Client, String) {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    (dir, c, uri)
}

#[test]
fn definition_across_modules_and_of_local_names() {
    let (_dir, mut c, main) = start();
    let def = |c: &mut Client, line: usize, needle: &str, nth: usize| {
        let r = c
            .at(
                "textDocument/definition",
                &main,
                line as u32,
                col(MAIN, line, needle, nth) + 1,
            )
            .unwrap();
        target(&r)
    };
    // Import segments: the module file; a package segment: its __init__.ml.
    assert_eq!(
        def(&mut c, 0, "geometry", 0),
        ("lib/geometry.ml".into(), (0, 0))
    );
    assert_eq!(
        def(&mut c, 1, "utils", 0),
        ("lib/utils/__init__.ml".into(), (0, 0))
    );
    assert_eq!(
        def(&mut c, 1, "strings", 0),
        ("lib/utils/strings.ml".into(), (0, 0))
    );
    // alias.fn, a.b.fn, module.fn, module.VAR, package.VAR.
    assert_eq!(
        def(&mut c, 10, "shout", 0),
        ("lib/utils/strings.ml".into(), (3, 9))
    );
    assert_eq!(
        def(&mut c, 10, "shout", 1),
        ("lib/utils/strings.ml".into(), (3, 9))
    );
    assert_eq!(
        def(&mut c, 10, "strings", 0),
        ("lib/utils/strings.ml".into(), (0, 0))
    );
    assert_eq!(
        def(&mut c, 15, "area", 0),
        ("lib/geometry.ml".into(), (2, 9))
    );
    assert_eq!(
        def(&mut c, 15, "UNIT_SIZE", 0),
        ("lib/geometry.ml".into(), (7, 0))
    );
    assert_eq!(
        def(&mut c, 16, "VERSION", 0),
        ("lib/utils/__init__.ml".into(), (0, 0))
    );
    // The alias itself: the module.
    assert_eq!(
        def(&mut c, 10, "s.", 0),
        ("lib/utils/strings.ml".into(), (0, 0))
    );
    // Local names: parameter (after non-ASCII text), destructured, variable, function.
    let name_decl = (6, col(MAIN, 6, "name", 0) as u64);
    assert_eq!(def(&mut c, 7, "name", 0), ("main.ml".into(), name_decl));
    assert_eq!(def(&mut c, 10, "first", 0), ("main.ml".into(), (8, 5)));
    assert_eq!(def(&mut c, 10, "second", 0), ("main.ml".into(), (8, 12)));
    assert_eq!(def(&mut c, 12, "message", 0), ("main.ml".into(), (7, 4)));
    assert_eq!(def(&mut c, 16, "greet", 0), ("main.ml".into(), (6, 9)));
    assert_eq!(def(&mut c, 9, "times", 0), ("main.ml".into(), (6, 29)));
    // Nothing to go to: a builtin, a keyword, whitespace.
    let r = c.at("textDocument/definition", &main, 16, 1).unwrap();
    assert!(r.is_null(), "{r}");
    let r = c.at("textDocument/definition", &main, 6, 2).unwrap();
    assert!(r.is_null(), "{r}");
    c.shutdown();
}

fn hover_text(c: &mut Client, uri: &str, line: usize, needle: &str, nth: usize) -> String {
    let r = c
        .at(
            "textDocument/hover",
            uri,
            line as u32,
            col(MAIN, line, needle, nth) + 1,
        )
        .unwrap();
    assert_eq!(r["contents"]["kind"], "markdown", "{r}");
    r["contents"]["value"].as_str().unwrap().to_string()
}

#[test]
fn hover_shows_modules_signatures_docs_and_the_standard_library() {
    let (_dir, mut c, main) = start();
    let h = hover_text(&mut c, &main, 0, "geometry", 0);
    assert!(
        h.contains("module geometry") && h.contains("`lib/geometry.ml`"),
        "{h}"
    );
    let h = hover_text(&mut c, &main, 15, "area", 0);
    assert!(h.contains("function area(w: number, h)"), "{h}");
    assert!(
        h.contains("Area of a rectangle.\nBoth sides in metres."),
        "{h}"
    );
    assert!(h.contains("module `geometry`"), "{h}");
    let h = hover_text(&mut c, &main, 15, "UNIT_SIZE", 0);
    assert!(h.contains("The size of one unit."), "{h}");
    let h = hover_text(&mut c, &main, 10, "shout", 1);
    assert!(
        h.contains("function shout(text)") && h.contains("Shouts a text."),
        "{h}"
    );
    let h = hover_text(&mut c, &main, 16, "print", 0);
    assert!(
        h.contains("print(*values)") && h.contains("Print value to console"),
        "{h}"
    );
    let h = hover_text(&mut c, &main, 16, "sqrt", 0);
    assert!(h.contains("math.sqrt(x)"), "{h}");
    let h = hover_text(&mut c, &main, 3, "math", 0);
    assert!(h.contains("import math;"), "{h}");
    let h = hover_text(&mut c, &main, 7, "name", 0);
    assert!(h.contains("(parameter) name: string"), "{h}");
    let h = hover_text(&mut c, &main, 16, "greet", 0);
    assert!(h.contains("function greet(name: string, times)"), "{h}");
    assert!(h.contains("Greets someone"), "{h}");
    // The hover range is the name, in UTF-16 columns.
    let r = c
        .at("textDocument/hover", &main, 7, col(MAIN, 7, "name", 0) + 2)
        .unwrap();
    let start = col(MAIN, 7, "name", 0) as u64;
    assert_eq!(pos(&r["range"]["start"]), (7, start));
    assert_eq!(pos(&r["range"]["end"]), (7, start + 4));
    c.shutdown();
}

fn labels(v: &Value) -> Vec<String> {
    let items = if v.is_array() { v } else { &v["items"] };
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_of_imports_members_and_names() {
    let (_dir, mut c, main) = start();
    // Members after `.`, at the end of a line being typed.
    let text =
        format!("{MAIN}x = geometry.\ny = s.sh\nz = math.\nw = utils.\nimport utils.\nimport \n");
    c.replace_all(&main, 2, &text);
    let lines = MAIN.lines().count() as u32;
    let r = c.at("textDocument/completion", &main, lines, 13).unwrap();
    let l = labels(&r);
    assert!(
        l.contains(&"area".into()) && l.contains(&"UNIT_SIZE".into()),
        "{l:?}"
    );
    let area = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "area")
        .unwrap();
    assert_eq!(area["detail"], "function area(w: number, h)");
    assert_eq!(area["kind"], 3);
    let l = labels(
        &c.at("textDocument/completion", &main, lines + 1, 8)
            .unwrap(),
    );
    assert_eq!(l, ["shout"]);
    let l = labels(
        &c.at("textDocument/completion", &main, lines + 2, 9)
            .unwrap(),
    );
    assert!(
        l.contains(&"sqrt".into()) && l.contains(&"pi".into()),
        "{l:?}"
    );
    // `utils.`: the package's members and the imported submodule.
    let l = labels(
        &c.at("textDocument/completion", &main, lines + 3, 10)
            .unwrap(),
    );
    assert!(
        l.contains(&"strings".into()) && l.contains(&"VERSION".into()),
        "{l:?}"
    );
    // Import paths from the file system and the standard library.
    let l = labels(
        &c.at("textDocument/completion", &main, lines + 4, 13)
            .unwrap(),
    );
    assert_eq!(l, ["strings"]);
    let l = labels(
        &c.at("textDocument/completion", &main, lines + 5, 7)
            .unwrap(),
    );
    for wanted in ["geometry", "utils", "math", "json", "regex"] {
        assert!(l.contains(&wanted.to_string()), "{wanted} in {l:?}");
    }
    // Nothing inside comments and strings.
    let r = c.at("textDocument/completion", &main, 5, 10).unwrap();
    assert!(labels(&r).is_empty(), "{r}");
    let r = c
        .at("textDocument/completion", &main, 7, col(MAIN, 7, "llo", 0))
        .unwrap();
    assert!(labels(&r).is_empty(), "{r}");
    // Names: locals in scope, builtins, keywords.
    let r = c.at("textDocument/completion", &main, 11, 4).unwrap();
    let l = labels(&r);
    for wanted in [
        "message", "first", "name", "greet", "print", "len", "return", "while", "s",
    ] {
        assert!(l.contains(&wanted.to_string()), "{wanted} in {l:?}");
    }
    c.shutdown();
}

fn ranges_by_file(v: &Value) -> Vec<(String, (u64, u64))> {
    let mut out: Vec<(String, (u64, u64))> = v.as_array().unwrap().iter().map(target).collect();
    out.sort();
    out
}

#[test]
fn references_and_rename_across_modules() {
    let (_dir, mut c, main) = start();
    let strings_text = std::fs::read_to_string(c.path("lib/utils/strings.ml")).unwrap();
    let area_in_strings = (4u64, col(&strings_text, 4, "area", 0) as u64);
    let expected = vec![
        ("lib/geometry.ml".to_string(), (2, 9)),
        ("lib/utils/strings.ml".to_string(), area_in_strings),
        ("main.ml".to_string(), (15, 17)),
    ];
    // From a use in an importer.
    let r = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": main}, "position": {"line": 15, "character": 18}, "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    assert_eq!(ranges_by_file(&r), expected);
    // From the definition, in the module itself.
    let geometry = c.uri("lib/geometry.ml");
    let r = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": geometry}, "position": {"line": 2, "character": 10}, "context": {"includeDeclaration": false}}),
        )
        .unwrap();
    assert_eq!(ranges_by_file(&r), expected[1..]);
    // A local: only this file.
    let r = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": main}, "position": {"line": 7, "character": 5}, "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    let got: Vec<(u64, u64)> = ranges_by_file(&r).into_iter().map(|(_, p)| p).collect();
    assert_eq!(got, [(7, 4), (10, 22), (12, 11)]);

    // A module: every import of it.
    let r = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": main}, "position": {"line": 0, "character": 9}, "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    assert_eq!(
        ranges_by_file(&r),
        [
            ("lib/utils/strings.ml".to_string(), (0, 7)),
            ("main.ml".to_string(), (0, 7))
        ]
    );
    // An import alias is renamed where it is used, in its file only.
    let r = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": {"line": 10, "character": 14}, "newName": "str_utils"}),
        )
        .unwrap();
    let edits = r["changes"][&main].as_array().unwrap();
    let lines: Vec<u64> = edits.iter().map(|e| pos(&e["range"]["start"]).0).collect();
    assert_eq!(lines, [1, 10], "{r:#}");

    // prepareRename gives the name's range.
    let r = c.at("textDocument/prepareRename", &main, 15, 18).unwrap();
    assert_eq!(r["placeholder"], "area");
    assert_eq!(pos(&r["range"]["start"]), (15, 17));
    // Rename of a module function updates every importer.
    let r = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": {"line": 15, "character": 18}, "newName": "surface"}),
        )
        .unwrap();
    let changes = r["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 3, "{r:#}");
    for (uri, edits) in changes {
        for e in edits.as_array().unwrap() {
            assert_eq!(e["newText"], "surface");
            let (s, e2) = (pos(&e["range"]["start"]), pos(&e["range"]["end"]));
            assert_eq!(e2.1 - s.1, 4, "{uri}");
        }
    }
    // Renames the language refuses, with a reason.
    for (name, why) in [
        ("if", "keyword"),
        ("__x", "reserved"),
        ("1abc", "not a valid identifier"),
        ("a b", "not a valid identifier"),
        ("null", "reserved"),
        ("UNIT_SIZE", "already defined"),
    ] {
        let e = c
            .request(
                "textDocument/rename",
                json!({"textDocument": {"uri": main}, "position": {"line": 15, "character": 18}, "newName": name}),
            )
            .unwrap_err();
        assert!(e["message"].as_str().unwrap().contains(why), "{name}: {e}");
    }
    let e = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": {"line": 0, "character": 9}, "newName": "geo"}),
        )
        .unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("rename its file"),
        "{e}"
    );
    let e = c
        .at("textDocument/prepareRename", &main, 16, 1)
        .unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("is a builtin"),
        "{e}"
    );
    // A local rename stays in its function.
    let r = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": {"line": 12, "character": 12}, "newName": "greeting"}),
        )
        .unwrap();
    let edits = r["changes"][&main].as_array().unwrap();
    assert_eq!(edits.len(), 3);
    assert_eq!(r["changes"].as_object().unwrap().len(), 1);
    c.shutdown();
}

#[test]
fn symbols_links_and_ranges() {
    let (_dir, mut c, main) = start();
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": main}}),
        )
        .unwrap();
    let names: Vec<(String, u64)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["kind"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("geometry".into(), 2),
            ("s".into(), 2),
            ("utils".into(), 2),
            ("math".into(), 2),
            ("greet".into(), 12),
            ("total".into(), 13)
        ]
    );
    let greet = &r[4];
    assert_eq!(greet["detail"], "function greet(name: string, times)");
    assert_eq!(pos(&greet["range"]["start"]), (6, 0));
    assert_eq!(pos(&greet["range"]["end"]), (13, 1));
    assert_eq!(pos(&greet["selectionRange"]["start"]), (6, 9));
    let children: Vec<&str> = greet["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["message", "first", "second", "i"]);

    let r = c
        .request("workspace/symbol", json!({"query": "shou"}))
        .unwrap();
    let found: Vec<(String, String)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["containerName"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found, [("shout".to_string(), "utils.strings".to_string())]);
    assert!(r[0]["location"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("lib/utils/strings.ml"));
    let r = c.request("workspace/symbol", json!({"query": ""})).unwrap();
    assert!(r.as_array().unwrap().len() >= 6, "{r:#}");

    let r = c
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": main}}),
        )
        .unwrap();
    let links: Vec<(u64, String)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                pos(&l["range"]["start"]).0,
                l["target"]
                    .as_str()
                    .unwrap()
                    .rsplit("/lib/")
                    .next()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            (0, "geometry.ml".into()),
            (1, "utils/strings.ml".into()),
            (2, "utils/strings.ml".into())
        ]
    );
    assert_eq!(r[0]["tooltip"], "lib/geometry.ml");

    let r = c
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": main}}),
        )
        .unwrap();
    let folds: Vec<(u64, u64, Option<String>)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
                f["kind"].as_str().map(String::from),
            )
        })
        .collect();
    assert!(folds.contains(&(0, 3, Some("imports".into()))), "{folds:?}");
    assert!(folds.contains(&(6, 12, None)), "{folds:?}");
    assert!(folds.contains(&(9, 10, None)), "{folds:?}");

    let name = col(MAIN, 7, "name", 0);
    let r = c
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": main}, "positions": [{"line": 7, "character": name + 1}]}),
        )
        .unwrap();
    let mut chain = Vec::new();
    let mut s = &r[0];
    while s.is_object() {
        chain.push((pos(&s["range"]["start"]), pos(&s["range"]["end"])));
        s = &s["parent"];
    }
    assert_eq!(chain[0], ((7, name as u64), (7, name as u64 + 4)));
    assert_eq!(chain.last().unwrap().0, (0, 0));
    assert!(chain.len() >= 5, "{chain:?}");
    c.shutdown();
}

#[test]
fn semantic_tokens_with_the_documented_legend() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    let r = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    let data: Vec<u64> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    let types = [
        "namespace",
        "function",
        "parameter",
        "variable",
        "property",
        "keyword",
        "string",
        "number",
        "comment",
        "operator",
    ];
    let mut tokens = Vec::new();
    let (mut line, mut start) = (0u64, 0u64);
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            start = t[1];
        } else {
            start += t[1];
        }
        tokens.push((line, start, t[2], types[t[3] as usize], t[4]));
    }
    let find = |l: u64, c: u32| {
        *tokens
            .iter()
            .find(|t| t.0 == l && t.1 == c as u64)
            .unwrap_or_else(|| panic!("no token at {l}:{c}: {tokens:?}"))
    };
    assert_eq!(find(0, 0), (0, 0, 6, "keyword", 0));
    // `import geometry;` declares `geometry` (modifier bit 0).
    assert_eq!(find(0, 7), (0, 7, 8, "namespace", 1));
    // The comment's length is counted in UTF-16 units.
    let comment = MAIN.lines().nth(5).unwrap();
    assert_eq!(
        find(5, 0),
        (5, 0, comment.encode_utf16().count() as u64, "comment", 0)
    );
    assert_eq!(find(6, 9), (6, 9, 5, "function", 1));
    assert_eq!(find(6, col(MAIN, 6, "name", 0)).3, "parameter");
    assert_eq!(find(7, col(MAIN, 7, "name", 0)).3, "parameter");
    assert_eq!(find(7, col(MAIN, 7, "\"", 0)).3, "string");
    assert_eq!(find(15, 17), (15, 17, 4, "function", 0));
    assert_eq!(find(15, col(MAIN, 15, "UNIT_SIZE", 0)).3, "variable");
    assert_eq!(find(16, 0), (16, 0, 5, "function", 2));
    assert_eq!(
        find(16, col(MAIN, 16, "sqrt", 0)),
        (16, col(MAIN, 16, "sqrt", 0) as u64, 4, "function", 2)
    );
    assert_eq!(find(10, col(MAIN, 10, "s.", 0)).3, "namespace");
    c.shutdown();
}

#[test]
fn emit_python_and_the_module_graph_commands() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [uri]}),
        )
        .unwrap();
    let python = r["python"].as_str().unwrap_or_else(|| panic!("{r:#}"));
    assert!(python.contains("def greet(name, times):"), "{python}");
    // The emitted program runs, with the editor's unsaved text.
    c.replace_all(&uri, 2, &MAIN.replace("\"wörld\"", "\"editor\""));
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [uri]}),
        )
        .unwrap();
    let python = r["python"].as_str().unwrap();
    let script = dir.path().join("out.py");
    std::fs::write(&script, python).unwrap();
    if let Ok(out) = std::process::Command::new("python3").arg(&script).output() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("héllo 😀 editor"), "{stdout}");
    }

    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.showModuleGraph", "arguments": [uri]}),
        )
        .unwrap();
    let modules: Vec<&str> = r["graph"]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(modules[0], "main");
    assert!(
        modules.contains(&"utils.strings") && modules.contains(&"geometry"),
        "{modules:?}"
    );
    let tree = r["tree"].as_str().unwrap();
    assert!(
        tree.starts_with("main (main.ml)\n├── geometry (lib/geometry.ml)"),
        "{tree}"
    );

    // A program with errors: the error list, with places.
    let broken = c.uri("broken.ml");
    std::fs::write(
        c.path("broken.ml"),
        "import geometry;\nx = geometry.nosuch(1);\n",
    )
    .unwrap();
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [broken]}),
        )
        .unwrap();
    let errors = r["errors"].as_array().unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(errors.len(), 1, "{r:#}");
    assert_eq!(errors[0]["uri"], broken);
    assert_eq!(pos(&errors[0]["range"]["start"]), (1, 13));
    assert!(errors[0]["message"].as_str().unwrap().contains("nosuch"));
    // Bad arguments: an error response, not a crash.
    let e = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": []}),
        )
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("URI"), "{e}");
    let e = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.nothing", "arguments": []}),
        )
        .unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("unknown command"),
        "{e}"
    );
    c.shutdown();
}
