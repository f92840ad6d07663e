//! The language server's second wave of features (issue 15), through the real `mlpy lsp`
//! binary: signature help, inlay hints and their settings, document highlight, call
//! hierarchy, moving modules (`workspace/willRenameFiles` for a file and for a package
//! folder, then `didRenameFiles`), the "Import module" quick fix and the completion of
//! modules not imported yet, semantic tokens by range and by delta, pull diagnostics
//! (the same lists as the pushed ones), navigation inside a cached git module, member
//! chains through a module's own imports (`hub.inner.f`), and the keywords completion
//! offers at each place.

mod gitkit;
mod lsp_client;

use lsp_client::{apply_edits as apply, pos, Client};
use serde_json::{json, Value};
use std::path::Path;

const MAIN: &str = "import geo.shapes;
import report;

// Twice the area.
function double_area(width, height) {
    return 2 * geo.shapes.area(width, height);
}

w = 3;
print(double_area(w, 4), report.describe(1, 2));
print(geo.shapes.area(5, 6));
";

const REPORT: &str = "import geo.shapes as s;

// Says how large it is.
function describe(w, h) {
    return \"area \" + str(s.area(w, h));
}
";

const SHAPES: &str = "// The area of a w × h rectangle.
function area(width: number, height) {
    return width * height;
}
";

/// A project: `main.ml` and `report.ml` import `lib/geo/shapes.ml` (a module of the
/// package `geo`), plus `extra` files.
fn project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![
        ("mlpy.json", "{\"import_paths\": [\"lib\", \".\"]}\n"),
        ("main.ml", MAIN),
        ("report.ml", REPORT),
        ("lib/geo/__init__.ml", "VERSION = 1;\n"),
        ("lib/geo/shapes.ml", SHAPES),
    ];
    files.extend_from_slice(extra);
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// `(line, UTF-16 column)` of the `nth` occurrence of `needle` in `text`.
fn find(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} #{nth} not in {text}"))
        .0;
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line as u32, text[start..at].encode_utf16().count() as u32)
}

fn at(c: &mut Client, method: &str, uri: &str, (line, character): (u32, u32)) -> Value {
    c.at(method, uri, line, character).unwrap()
}

#[test]
fn signature_help_tracks_the_active_parameter_while_typing() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    assert_eq!(
        c.capabilities["signatureHelpProvider"]["triggerCharacters"],
        json!(["(", ","])
    );
    let main = c.open("main.ml");
    // Typing a call at the end, one character at a time as an editor sends it.
    let typed = "x = geo.shapes.area(1, ";
    let last = MAIN.lines().count() as u32;
    for (i, ch) in typed.chars().enumerate() {
        c.change(
            &main,
            2 + i as i32,
            json!([{"range": {"start": {"line": last, "character": i}, "end": {"line": last, "character": i}}, "text": ch.to_string()}]),
        );
    }
    let r = at(
        &mut c,
        "textDocument/signatureHelp",
        &main,
        (last, typed.len() as u32),
    );
    let signature = &r["signatures"][0];
    let label = signature["label"].as_str().unwrap();
    assert_eq!(label, "function area(width: number, height)");
    assert_eq!(r["activeParameter"], 1, "{r:#}");
    assert_eq!(signature["activeParameter"], 1, "{r:#}");
    // One argument too many: no parameter is active, which an index past the parameters
    // says (an absent one would make editors highlight the first).
    let extra = "2, ";
    let column = typed.len() as u32;
    c.change(
        &main,
        100,
        json!([{"range": {"start": {"line": last, "character": column}, "end": {"line": last, "character": column}}, "text": extra}]),
    );
    let beyond = at(
        &mut c,
        "textDocument/signatureHelp",
        &main,
        (last, column + extra.len() as u32),
    );
    assert_eq!(beyond["activeParameter"], 2, "{beyond:#}");
    assert_eq!(beyond["signatures"][0]["activeParameter"], 2, "{beyond:#}");
    c.change(
        &main,
        101,
        json!([{"range": {"start": {"line": last, "character": column}, "end": {"line": last, "character": column + extra.len() as u32}}, "text": ""}]),
    );
    // Typing a string argument: its commas are text, the parameter stays the second.
    let string = "\"w, h";
    c.change(
        &main,
        102,
        json!([{"range": {"start": {"line": last, "character": column}, "end": {"line": last, "character": column}}, "text": string}]),
    );
    let inside = at(
        &mut c,
        "textDocument/signatureHelp",
        &main,
        (last, column + string.len() as u32),
    );
    assert_eq!(inside["signatures"][0]["label"], label, "{inside:#}");
    assert_eq!(inside["activeParameter"], 1, "{inside:#}");
    assert!(signature["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("The area of a w × h rectangle."));
    // Parameters as UTF-16 offsets into the label.
    let params: Vec<String> = signature["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let [a, b] = [
                p["label"][0].as_u64().unwrap(),
                p["label"][1].as_u64().unwrap(),
            ];
            label[a as usize..b as usize].to_string()
        })
        .collect();
    assert_eq!(params, ["width: number", "height"]);
    // Right after `(`: the first parameter; inside a nested call: the inner function.
    let r = at(&mut c, "textDocument/signatureHelp", &main, (last, 20));
    assert_eq!(r["activeParameter"], 0, "{r:#}");
    let (line, col) = find(MAIN, "report.describe(1, 2)", 0);
    let r = at(
        &mut c,
        "textDocument/signatureHelp",
        &main,
        (line, col + 19),
    );
    assert_eq!(r["signatures"][0]["label"], "function describe(w, h)");
    assert_eq!(r["activeParameter"], 1);
    let (line, col) = find(MAIN, "4), report", 0);
    let r = at(&mut c, "textDocument/signatureHelp", &main, (line, col + 1));
    assert_eq!(
        r["signatures"][0]["label"],
        "function double_area(width, height)"
    );
    assert_eq!(r["activeParameter"], 1);
    // A builtin, from the runtime's manifest; outside any call: nothing.
    let (line, col) = find(MAIN, "print(geo", 0);
    let r = at(&mut c, "textDocument/signatureHelp", &main, (line, col + 6));
    assert_eq!(r["signatures"][0]["label"], "print(*values)");
    let r = at(&mut c, "textDocument/signatureHelp", &main, (8, 2));
    assert!(r.is_null(), "{r}");
    c.shutdown();
}

/// The inlay hints of a whole document as `(line, character, label)`.
fn hints(c: &mut Client, uri: &str) -> Vec<(u64, u64, String)> {
    let r = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}}}),
        )
        .unwrap();
    r.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert_eq!(h["kind"], 2, "a parameter hint: {h}");
            assert_eq!(h["paddingRight"], true);
            let (line, character) = pos(&h["position"]);
            (line, character, h["label"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn inlay_hints_name_parameters_unless_the_argument_does_and_settings_turn_them_off() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    assert_eq!(c.capabilities["inlayHintProvider"], true);
    let main = c.open("main.ml");
    let expected_at = |needle: &str, label: &str| {
        let (line, col) = find(MAIN, needle, 0);
        (line as u64, col as u64, label.to_string())
    };
    let all = vec![
        // `geo.shapes.area(width, height)`: the arguments spell the names.
        expected_at("w, 4)", "width:"),
        expected_at("4), report", "height:"),
        expected_at("1, 2))", "w:"),
        expected_at("2))", "h:"),
        expected_at("5, 6)", "width:"),
        expected_at("6));", "height:"),
    ];
    assert_eq!(hints(&mut c, &main), all);
    // Only literals.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"mlpy": {"inlayHints": {"parameterNames": "literals"}}}}),
    );
    let literals: Vec<_> = all
        .iter()
        .filter(|h| h.0 != 9 || h.1 != 18)
        .cloned()
        .collect();
    assert_eq!(hints(&mut c, &main), literals);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"mlpy": {"inlayHints": {"parameterNames": "none"}}}}),
    );
    assert!(hints(&mut c, &main).is_empty());
    c.shutdown();
    // From initializationOptions.
    let mut c = Client::start_with(dir.path(), json!({"inlayHints": {"parameterNames": false}}));
    let main = c.open("main.ml");
    assert!(hints(&mut c, &main).is_empty());
    c.shutdown();
}

#[test]
fn document_highlight_tells_reads_from_writes() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    let (line, col) = find(MAIN, "w, 4)", 0);
    let r = at(&mut c, "textDocument/documentHighlight", &main, (line, col));
    let found: Vec<((u64, u64), u64)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (pos(&h["range"]["start"]), h["kind"].as_u64().unwrap()))
        .collect();
    // Write (3) where it is assigned, read (2) where it is used.
    assert_eq!(found, [((8, 0), 3), ((line as u64, col as u64), 2)]);
    // A member of another module: its uses in this file.
    let (line, col) = find(MAIN, "area(5", 0);
    let r = at(&mut c, "textDocument/documentHighlight", &main, (line, col));
    let lines: Vec<u64> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|h| pos(&h["range"]["start"]).0)
        .collect();
    assert_eq!(lines, [5, 10]);
    c.shutdown();
}

#[test]
fn call_hierarchy_across_modules() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    assert_eq!(c.capabilities["callHierarchyProvider"], true);
    let main = c.open("main.ml");
    let r = at(
        &mut c,
        "textDocument/prepareCallHierarchy",
        &main,
        find(MAIN, "area(5", 0),
    );
    let item = r[0].clone();
    assert_eq!(item["name"], "area");
    assert_eq!(item["kind"], 12);
    assert_eq!(item["detail"], "function area(width: number, height)");
    assert!(item["uri"].as_str().unwrap().ends_with("lib/geo/shapes.ml"));
    assert_eq!(pos(&item["selectionRange"]["start"]), (1, 9));

    let r = c
        .request("callHierarchy/incomingCalls", json!({"item": item}))
        .unwrap();
    let mut callers: Vec<(String, String, usize)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|call| {
            let uri = call["from"]["uri"].as_str().unwrap();
            let file = uri.rsplit('/').next().unwrap().to_string();
            let ranges = call["fromRanges"].as_array().unwrap().len();
            (
                call["from"]["name"].as_str().unwrap().to_string(),
                file,
                ranges,
            )
        })
        .collect();
    callers.sort();
    assert_eq!(
        callers,
        [
            ("describe".to_string(), "report.ml".to_string(), 1),
            ("double_area".to_string(), "main.ml".to_string(), 1),
            // The module's own top-level code.
            ("main".to_string(), "main.ml".to_string(), 1),
        ]
    );
    // From a caller in report.ml: the range is in report.ml.
    let describe = r
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["from"]["name"] == "describe")
        .unwrap();
    let (line, col) = find(REPORT, "area(w, h)", 0);
    assert_eq!(
        pos(&describe["fromRanges"][0]["start"]),
        (line as u64, col as u64)
    );

    let describe_item = describe["from"].clone();
    let r = c
        .request(
            "callHierarchy/outgoingCalls",
            json!({"item": describe_item}),
        )
        .unwrap();
    let called: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["to"]["name"].as_str().unwrap())
        .collect();
    // `str` is a builtin: no source, no item.
    assert_eq!(called, ["area"]);
    c.shutdown();
}

/// Asks `willRenameFiles` for `from` → `to` (relative paths); returns the edits by file
/// name (relative), in order.
fn will_rename(c: &mut Client, from: &str, to: &str) -> Vec<(String, Vec<Value>)> {
    let r = c
        .request(
            "workspace/willRenameFiles",
            json!({"files": [{"oldUri": c.uri(from), "newUri": c.uri(to)}]}),
        )
        .unwrap();
    let root = c.uri("");
    let mut out: Vec<(String, Vec<Value>)> = r["changes"]
        .as_object()
        .unwrap_or_else(|| panic!("{r:#}"))
        .iter()
        .map(|(uri, edits)| {
            let rel = uri.strip_prefix(&root).unwrap().to_string();
            (rel, edits.as_array().unwrap().clone())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Does what an editor does with the answer of `willRenameFiles`: applies the edits (to
/// the open `main.ml` through `didChange`, to other files on disk), moves the file or
/// folder, and sends `didRenameFiles`.
fn rename_like_an_editor(
    c: &mut Client,
    from: &str,
    to: &str,
    edits: &[(String, Vec<Value>)],
    main: &str,
) -> String {
    let mut main_text = MAIN.to_string();
    for (file, list) in edits {
        if file == "main.ml" {
            main_text = apply(&main_text, list);
            c.replace_all(main, 2, &main_text);
        } else {
            let path = c.path(file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, apply(&text, list)).unwrap();
        }
    }
    std::fs::rename(c.path(from), c.path(to)).unwrap();
    let (old_uri, new_uri) = (c.uri(from), c.uri(to));
    c.notify(
        "workspace/didRenameFiles",
        json!({"files": [{"oldUri": old_uri, "newUri": new_uri}]}),
    );
    main_text
}

#[test]
fn renaming_a_module_file_rewrites_its_imports_and_dotted_uses() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    let filters = &c.capabilities["workspace"]["fileOperations"]["willRename"]["filters"];
    assert_eq!(filters[0]["pattern"]["glob"], "**/*.ml", "{filters}");
    assert_eq!(filters[1]["pattern"]["matches"], "folder", "{filters}");
    let main = c.open("main.ml");
    let report = c.uri("report.ml");
    c.flush();
    let edits = will_rename(&mut c, "lib/geo/shapes.ml", "lib/geo/figures.ml");
    let files: Vec<&str> = edits.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, ["main.ml", "report.ml"]);
    let new_main = rename_like_an_editor(
        &mut c,
        "lib/geo/shapes.ml",
        "lib/geo/figures.ml",
        &edits,
        &main,
    );
    assert_eq!(
        new_main,
        MAIN.replace("geo.shapes", "geo.figures"),
        "the import and the dotted uses follow"
    );
    let new_report = std::fs::read_to_string(c.path("report.ml")).unwrap();
    assert_eq!(
        new_report,
        REPORT.replace("geo.shapes as s", "geo.figures as s")
    );
    // Nothing left unresolved.
    c.flush();
    c.wait_clean(&main);
    c.wait_clean(&report);
    c.shutdown();
}

#[test]
fn renaming_a_package_folder_rewrites_the_imports_of_its_modules() {
    let dir = project(&[(
        "lib/geo/round.ml",
        "import geo.shapes;\nfunction disc(r) { return geo.shapes.area(r, r); }\n",
    )]);
    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    c.flush();
    let edits = will_rename(&mut c, "lib/geo", "lib/geometry");
    let files: Vec<&str> = edits.iter().map(|(f, _)| f.as_str()).collect();
    // The package's own modules too (edited where they are before the move).
    assert_eq!(files, ["lib/geo/round.ml", "main.ml", "report.ml"]);
    let new_main = rename_like_an_editor(&mut c, "lib/geo", "lib/geometry", &edits, &main);
    assert_eq!(new_main, MAIN.replace("geo.shapes", "geometry.shapes"));
    let round = std::fs::read_to_string(c.path("lib/geometry/round.ml")).unwrap();
    assert_eq!(
        round,
        "import geometry.shapes;\nfunction disc(r) { return geometry.shapes.area(r, r); }\n"
    );
    c.flush();
    c.wait_clean(&main);
    let report = c.uri("report.ml");
    c.wait_clean(&report);
    // The moved modules are the workspace's under their new names.
    let r = c
        .request("workspace/symbol", json!({"query": "disc"}))
        .unwrap();
    assert_eq!(r[0]["containerName"], "geometry.round", "{r:#}");
    c.shutdown();
}

/// A module moved to a name the standard library (or a module found earlier in the
/// resolution order) takes: no import can spell it there, so no import is edited.
#[test]
fn moving_a_module_to_a_name_the_standard_library_takes_edits_nothing() {
    let dir = project(&[("lib/taken.ml", "x = 1;\n")]);
    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    c.flush();
    for to in ["lib/json.ml", "lib/math.ml", "taken.ml"] {
        let r = c
            .request(
                "workspace/willRenameFiles",
                json!({"files": [{"oldUri": c.uri("lib/geo/shapes.ml"), "newUri": c.uri(to)}]}),
            )
            .unwrap();
        assert_eq!(r, Value::Null, "lib/geo/shapes.ml -> {to}: {r:#}");
    }
    // A free name gets its edits.
    let edits = will_rename(&mut c, "lib/geo/shapes.ml", "lib/json_tools.ml");
    let files: Vec<&str> = edits.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, ["main.ml", "report.ml"]);
    assert!(apply(MAIN, &edits[0].1).starts_with("import json_tools;\n"));
    let _ = main;
    c.shutdown();
}

/// Renames `needle`'s first occurrence (after `skip` characters of it) in `text`,
/// opened as `file`, to `new_name`.
fn rename_at(
    c: &mut Client,
    file: &str,
    text: &str,
    (needle, skip): (&str, u32),
    new_name: &str,
) -> Result<Value, Value> {
    let uri = c.open_text(file, text);
    let (line, character) = find(text, needle, 0);
    c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character + skip}, "newName": new_name}),
    )
}

/// A rename that would make a name refer to another binding is refused (`InvalidParams`,
/// saying where the new name is already used or defined), in every kind of scope; the
/// same renames to a name nothing sees go through.
#[test]
fn rename_refuses_new_names_that_change_what_names_mean() {
    let dir = project(&[(
        "lib/user.ml",
        "import geo.shapes;\nprint(geo.shapes.surface);\n",
    )]);
    let mut c = Client::start(dir.path());
    let cases: &[(&str, &str, &str, (&str, usize))] = &[
        // (program, the name to rename, the new name, where the conflict is: the nth
        // occurrence of a text)
        ("a = 1;\nfunction f() {\n    q = 2;\n    return q + a;\n}\nprint(f());\n", "q =", "a", ("a;", 0)),
        ("a = 1;\nfunction f() {\n    q = 2;\n    return q + a;\n}\nprint(f());\n", "a =", "q", ("a;", 0)),
        ("function f(a) {\n    function g(q) { return a + q; }\n    return g(1);\n}\nprint(f(10));\n", "q)", "a", ("a +", 0)),
        ("x = 1;\nfunction f() {\n    y = x;\n    return y;\n}\nprint(f());\n", "y =", "x", ("x;", 0)),
        ("y = 1;\nf = fn(x) => x + y;\nprint(f(10));\n", "x)", "y", ("y;", 0)),
        ("k = 1;\nfunction f() { for (i in [1, 2]) { print(i + k); } }\n", "i in", "k", ("k)", 0)),
        ("e = 1;\nfunction f() { try { throw {message: \"x\"}; } except (err) { print(err, e); } }\n", "err)", "e", ("e)", 0)),
        ("b = 1;\nfunction f() { [a, c] = [1, 2]; return a + b; }\n", "a, c", "b", ("b;", 0)),
        ("function f() {\n    x = 1;\n    function g() { nonlocal x; x = 2; y = 3; return y; }\n    return g;\n}\n", "x = 1", "y", ("y = 3", 0)),
    ];
    for (i, (program, needle, new_name, (conflict, nth))) in cases.iter().enumerate() {
        let file = format!("capture{i}.ml");
        let e = rename_at(&mut c, &file, program, (needle, 0), new_name).unwrap_err();
        assert_eq!(e["code"], -32602, "{program}: {e}");
        let message = e["message"].as_str().unwrap();
        let (line, column) = find(program, conflict, *nth);
        let place = format!("at line {}, column {}", line + 1, column + 1);
        assert!(
            message.contains(&place),
            "{program} ({needle} -> {new_name}): {message}, not {place}"
        );
        let r = rename_at(&mut c, &file, program, (needle, 0), "fresh_name").unwrap();
        let edited = apply(program, r["changes"][c.uri(&file)].as_array().unwrap());
        assert!(edited.contains("fresh_name"), "{edited}");
    }
    // Across modules: an importer already using the new name as a member of the module.
    let main = c.open("main.ml");
    let (line, character) = find(MAIN, "shapes.area(width", 0);
    let character = character + "shapes.".len() as u32;
    let e = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": {"line": line, "character": character}, "newName": "surface"}),
        )
        .unwrap_err();
    assert_eq!(
        e["message"],
        "'surface' is already used at line 2, column 18 of lib/user.ml, where it refers to nothing (lib/geo/shapes.ml has no 'surface'); after the rename it would refer to the renamed 'area' instead"
    );
    let r = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": {"line": line, "character": character}, "newName": "area_of"}),
        )
        .unwrap();
    assert_eq!(r["changes"].as_object().unwrap().len(), 3, "{r:#}");
    c.shutdown();
}

#[test]
fn import_this_module_and_completion_of_modules_not_imported_yet() {
    let dir = project(&[
        ("lib/helpers.ml", "function f() { return 1; }\n"),
        (
            "uses.ml",
            "import report;\nx = math.sqrt(4) + helpers.f();\n",
        ),
    ]);
    let mut c = Client::start(dir.path());
    let uses = c.open("uses.ml");
    let diagnostics = c.wait_diagnostics(&uses, |d| d.len() == 2);
    let math = diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("'math'"))
        .unwrap()
        .clone();
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uses}, "range": math["range"], "context": {"diagnostics": [math]}}),
        )
        .unwrap();
    assert_eq!(r[0]["title"], "Import module 'math'", "{r:#}");
    assert_eq!(r[0]["kind"], "quickfix");
    let edits = r[0]["edit"]["changes"][&uses].as_array().unwrap().clone();
    let text = std::fs::read_to_string(c.path("uses.ml")).unwrap();
    let fixed = apply(&text, &edits);
    assert_eq!(
        fixed,
        "import report;\nimport math;\nx = math.sqrt(4) + helpers.f();\n"
    );
    // The fix works: one problem left, `helpers`, which is a module of the import paths.
    c.replace_all(&uses, 2, &fixed);
    let left = c.wait_diagnostics(&uses, |d| d.len() == 1);
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uses}, "range": left[0]["range"], "context": {"diagnostics": left}}),
        )
        .unwrap();
    assert_eq!(r[0]["title"], "Import module 'helpers'", "{r:#}");

    // Completion offers `helpers` and adds its import.
    let typing = format!("{fixed}y = hel");
    c.replace_all(&uses, 3, &typing);
    let r = at(&mut c, "textDocument/completion", &uses, (3, 7));
    let item = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "helpers")
        .unwrap_or_else(|| panic!("{r:#}"))
        .clone();
    assert_eq!(item["kind"], 9, "a module");
    let added = apply(&typing, item["additionalTextEdits"].as_array().unwrap());
    assert!(
        added.starts_with("import report;\nimport math;\nimport helpers;\n"),
        "{added}"
    );
    c.shutdown();
}

/// Semantic tokens as absolute `(line, start, length, type, modifiers)`.
fn decode(data: &[u64]) -> Vec<[u64; 5]> {
    let (mut line, mut start) = (0, 0);
    data.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                line += t[0];
                start = t[1];
            } else {
                start += t[1];
            }
            [line, start, t[2], t[3], t[4]]
        })
        .collect()
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

#[test]
fn semantic_tokens_by_range_and_by_delta() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    let provider = &c.capabilities["semanticTokensProvider"];
    assert_eq!(provider["range"], true);
    assert_eq!(provider["full"]["delta"], true);
    let main = c.open("main.ml");
    let full = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": main}}),
        )
        .unwrap();
    let first_id = full["resultId"].as_str().unwrap().to_string();
    let old = numbers(&full["data"]);

    // A range: exactly the whole document's tokens on those lines.
    let r = c
        .request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": main}, "range": {"start": {"line": 4, "character": 0}, "end": {"line": 6, "character": 0}}}),
        )
        .unwrap();
    let in_range: Vec<[u64; 5]> = decode(&old)
        .into_iter()
        .filter(|t| (4..6).contains(&t[0]))
        .collect();
    assert!(!in_range.is_empty());
    assert_eq!(decode(&numbers(&r["data"])), in_range);

    // An edit in the middle: the delta from the first result is one small edit, and
    // applied to the old data it gives the new full data.
    let edited = MAIN.replace("w = 3;", "w = 3;\nlonger_name = w + 1;");
    c.replace_all(&main, 2, &edited);
    let r = c
        .request(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": main}, "previousResultId": first_id}),
        )
        .unwrap();
    let edits = r["edits"].as_array().unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(edits.len(), 1, "{r:#}");
    let mut patched = old.clone();
    let start = edits[0]["start"].as_u64().unwrap() as usize;
    let deleted = edits[0]["deleteCount"].as_u64().unwrap() as usize;
    let inserted = numbers(&edits[0]["data"]);
    assert!(
        inserted.len() < old.len() / 2,
        "a small edit: {}",
        inserted.len()
    );
    patched.splice(start..start + deleted, inserted);
    let second_id = r["resultId"].as_str().unwrap().to_string();
    assert_ne!(second_id, first_id);
    let now = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": main}}),
        )
        .unwrap();
    assert_eq!(patched, numbers(&now["data"]));
    // A delta from a result that is not the last one: the whole list.
    let r = c
        .request(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": main}, "previousResultId": first_id}),
        )
        .unwrap();
    assert_eq!(numbers(&r["data"]), numbers(&now["data"]));
    c.shutdown();
}

const BROKEN: &str =
    "import geo.shapes;\nimport nosuch;\nx = geo.shapes.perimeter(1);\ny = unknown_name;\n";

#[test]
fn pulled_diagnostics_are_the_pushed_ones() {
    let dir = project(&[("broken.ml", BROKEN)]);
    // Push mode (the default): a pull answers what was pushed.
    let mut c = Client::start(dir.path());
    assert!(c.capabilities["diagnosticProvider"].is_null());
    let broken = c.open("broken.ml");
    let pushed = c.wait_diagnostics(&broken, |d| d.len() == 3);
    c.flush();
    let pushed = c.diagnostics.get(&broken).cloned().unwrap_or(pushed);
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": broken}}),
        )
        .unwrap();
    assert_eq!(r["kind"], "full");
    assert_eq!(r["items"].as_array().unwrap(), &pushed);
    c.shutdown();

    // Pull mode: the client asks for it and can pull; nothing is pushed.
    let mut c = Client::start_full(
        dir.path(),
        json!({"pullDiagnostics": true}),
        &[],
        json!({"diagnostic": {"dynamicRegistration": false}}),
    );
    let provider = &c.capabilities["diagnosticProvider"];
    assert_eq!(provider["interFileDependencies"], true);
    assert_eq!(provider["workspaceDiagnostics"], true);
    let broken = c.open("broken.ml");
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": broken}}),
        )
        .unwrap();
    assert_eq!(r["kind"], "full", "{r:#}");
    assert_eq!(r["items"].as_array().unwrap(), &pushed);
    let id = r["resultId"].as_str().unwrap().to_string();
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": broken}, "previousResultId": id}),
        )
        .unwrap();
    assert_eq!(r["kind"], "unchanged", "{r:#}");
    let r = c
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .unwrap();
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["uri"] == broken.as_str())
        .unwrap_or_else(|| panic!("{r:#}"))
        .clone();
    assert_eq!(item["items"].as_array().unwrap(), &pushed);
    assert_eq!(item["version"], 1);
    assert!(
        c.notifications
            .iter()
            .all(|n| n["method"] != "textDocument/publishDiagnostics"),
        "nothing is pushed to a client that pulls"
    );
    // After an edit, a pull has the edit's diagnostics.
    c.replace_all(&broken, 2, "x = 1;\n");
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": broken}}),
        )
        .unwrap();
    assert_eq!(r["items"], json!([]), "{r:#}");
    c.shutdown();
}

#[test]
fn definition_and_hover_inside_a_cached_git_module() {
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let repo = gitkit::Repo::new(root.path(), "org/statslib");
    repo.write(
        "lib/stats.ml",
        "import helpers.fmt as fmt;\n\nfunction describe(xs) {\n    return fmt.label(\"n\", len(xs));\n}\n",
    );
    repo.write(
        "lib/helpers/fmt.ml",
        "// Labels a value.\nfunction label(name, value) {\n    return name + \" = \" + str(value);\n}\n",
    );
    repo.commit("one");
    let url = repo.file_url();
    let app = root.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("mlpy.json"),
        format!("{{\"capabilities\": [\"git.clone.{url}\"]}}\n"),
    )
    .unwrap();
    // A local module named like the library's helper: it must not be the one found.
    std::fs::create_dir_all(app.join("helpers")).unwrap();
    std::fs::write(
        app.join("helpers/fmt.ml"),
        "function label() { return 0; }\n",
    )
    .unwrap();
    let main_text = format!("import {url}@main/lib/stats;\n\nprint(stats.describe([1]));\n");
    std::fs::write(app.join("main.ml"), &main_text).unwrap();
    let fetched = gitkit::run(&mut gitkit::mlpy(cache.path(), &app, &["fetch", "main.ml"]));
    assert!(fetched.status.success(), "{}", gitkit::text(&fetched));

    let env: [(&str, &Path); 3] = [
        ("MLPY_CACHE_DIR", cache.path()),
        ("GIT_CONFIG_GLOBAL", Path::new("/dev/null")),
        ("GIT_CONFIG_NOSYSTEM", Path::new("1")),
    ];
    let mut c = Client::start_env(&app, json!({}), &env);
    let main = c.open("main.ml");
    c.wait_clean(&main);
    let r = at(
        &mut c,
        "textDocument/definition",
        &main,
        find(&main_text, "describe", 0),
    );
    let cached = r[0]["uri"].as_str().unwrap().to_string();
    let cache_uri = lsp_client::file_uri(&std::fs::canonicalize(cache.path()).unwrap());
    assert!(cached.starts_with(&cache_uri), "{cached}");

    // Open the cached file, as an editor does after the jump.
    let cached_path = cached.strip_prefix("file://").unwrap();
    let stats_text = std::fs::read_to_string(cached_path).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": cached, "languageId": "ml", "version": 1, "text": stats_text}}),
    );
    let r = at(
        &mut c,
        "textDocument/definition",
        &cached,
        find(&stats_text, "label", 0),
    );
    let target = r[0]["uri"].as_str().unwrap();
    assert!(
        target.starts_with(&cache_uri),
        "the library's own helper: {r:#}"
    );
    assert!(target.ends_with("fmt.ml"), "{r:#}");
    assert_eq!(pos(&r[0]["range"]["start"]), (1, 9));
    let r = at(
        &mut c,
        "textDocument/hover",
        &cached,
        find(&stats_text, "label", 0),
    );
    let hover = r["contents"]["value"].as_str().unwrap();
    assert!(
        hover.contains("function label(name, value)") && hover.contains("Labels a value."),
        "{hover}"
    );
    // A remote module gets no diagnostics of its own.
    c.flush();
    assert!(c.diagnostics.get(&cached).is_none_or(|d| d.is_empty()));
    c.shutdown();
}

/// `hub.inner.f`, where `hub.ml` has `import a.b as inner;`, is `f` of `a/b.ml` (as at run
/// time): definition, references, hover, signature help and completion follow the chain through
/// the module's own import; renaming `f`, or the alias `inner`, edits every importer's
/// chain, and the renamed program checks clean and prints the same.
#[test]
fn member_chains_go_on_through_a_modules_own_imports() {
    let dir = tempfile::tempdir().unwrap();
    let main_text = "import hub;\nimport top;\nprint(hub.inner.f(1), hub.a.b.f(2), top.hub.inner.f(3), hub.inner.twice(4));\n";
    let files = [
        ("mlpy.json", "{\"import_paths\": [\"lib\"]}\n"),
        ("main.ml", main_text),
        (
            "lib/hub.ml",
            "import a.b as inner;\nimport a.b;\nBASE = inner.f(0);\n",
        ),
        ("lib/top.ml", "import hub;\n"),
        (
            "lib/a/b.ml",
            "function f(x) {\n    return x + 1;\n}\n// Twice.\ntwice = fn(n) => n * 2;\n",
        ),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlpy"))
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let before = run(&["run", "main.ml"]);
    assert_eq!(before, (Some(0), "2 3 4 8\n".to_string()));

    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    c.wait_clean(&main);
    let b = c.uri("lib/a/b.ml");
    for (needle, skip) in [
        ("hub.inner.f", 10),
        ("hub.a.b.f", 8),
        ("top.hub.inner.f", 14),
    ] {
        let r = at(&mut c, "textDocument/definition", &main, {
            let (l, col) = find(main_text, needle, 0);
            (l, col + skip)
        });
        let found = r.as_array().map_or(&r, |a| &a[0]);
        assert_eq!(found["uri"], b, "{needle}: {r}");
        assert_eq!(pos(&found["range"]["start"]), (0, 9), "{needle}: {r}");
    }
    // Every use of `f`, through every chain.
    let r = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": b}, "position": {"line": 0, "character": 10}, "context": {"includeDeclaration": false}}),
        )
        .unwrap();
    let mut places: Vec<(String, (u64, u64))> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let rel = l["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (rel, pos(&l["range"]["start"]))
        })
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            ("hub.ml".to_string(), (2, 13)),
            ("main.ml".to_string(), (2, 16)),
            ("main.ml".to_string(), (2, 30)),
            ("main.ml".to_string(), (2, 50)),
        ]
    );
    // Hover, as in its module; signature help of an arrow function of that module;
    // completion of its members.
    let (line, col) = find(main_text, "twice(4", 0);
    let r = at(&mut c, "textDocument/hover", &main, (line, col + 1));
    assert_eq!(
        r["contents"]["value"], "```ml\ntwice = fn(n)\n```\n\nTwice.\n\n*module `a.b`*",
        "{r}"
    );
    let (line, col) = find(main_text, "twice(4", 0);
    let r = at(&mut c, "textDocument/signatureHelp", &main, (line, col + 6));
    assert_eq!(r["signatures"][0]["label"], "twice = fn(n)", "{r}");
    let r = at(&mut c, "textDocument/completion", &main, (2, 16));
    let items = r.as_array().or(r["items"].as_array()).unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["f", "twice"], "{r}");

    // Renaming `f` and then the alias `inner`: each edits the importers' chains.
    let mut version = 1;
    let mut apply_on_disk = |c: &mut Client, r: &Value| {
        for (uri, edits) in r["changes"].as_object().unwrap() {
            let path = c.path(uri.strip_prefix(&c.uri("")).unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            let text = apply(&text, edits.as_array().unwrap());
            std::fs::write(&path, &text).unwrap();
            if uri == &c.uri("main.ml") {
                version += 1;
                c.replace_all(uri, version, &text);
            } else {
                c.watched(vec![(uri.clone(), 2)]);
            }
        }
    };
    let r = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": b}, "position": {"line": 0, "character": 10}, "newName": "g"}),
        )
        .unwrap();
    apply_on_disk(&mut c, &r);
    assert_eq!(run(&["check", "main.ml"]).0, Some(0));
    assert_eq!(run(&["run", "main.ml"]), before);
    let hub = c.uri("lib/hub.ml");
    let r = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": hub}, "position": {"line": 0, "character": 15}, "newName": "core"}),
        )
        .unwrap();
    let mut edited: Vec<&String> = r["changes"].as_object().unwrap().keys().collect();
    edited.sort();
    assert_eq!(edited, [&hub, &main], "{r:#}");
    apply_on_disk(&mut c, &r);
    assert_eq!(run(&["check", "main.ml"]).0, Some(0));
    assert_eq!(run(&["run", "main.ml"]), before);
    assert!(std::fs::read_to_string(c.path("main.ml"))
        .unwrap()
        .contains("hub.core.g(1), hub.a.b.g(2), top.hub.core.g(3)"));
    c.shutdown();
}

/// Completion offers the keywords of the place: in an argument only those that start an
/// expression; at the start of a statement in a loop of a function `return` and `break`,
/// at the top level `import` but not `return`; after an `if`'s block `elif` and `else`.
#[test]
fn completion_offers_the_keywords_of_the_place() {
    let dir = project(&[]);
    let mut c = Client::start(dir.path());
    let text = "import geo.shapes;\nprint(re);\nfunction f(x) {\n    while (x) {\n        br\n    }\n}\nif (true) {\n    print(1);\n} el\n";
    let uri = c.open_text("keywords.ml", text);
    c.flush();
    let mut keywords_at = |needle: &str, skip: u32| -> Vec<String> {
        let (line, col) = find(text, needle, 0);
        let r = at(&mut c, "textDocument/completion", &uri, (line, col + skip));
        let items = r.as_array().or(r["items"].as_array()).unwrap().clone();
        items
            .iter()
            .filter(|i| i["kind"] == 14)
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        keywords_at("re)", 2),
        ["fn", "true", "false", "null", "undefined"]
    );
    let in_loop = keywords_at("br\n", 2);
    for k in ["return", "break", "continue", "while"] {
        assert!(in_loop.contains(&k.to_string()), "{k} in {in_loop:?}");
    }
    assert!(!in_loop.contains(&"import".to_string()), "{in_loop:?}");
    let after_if = keywords_at("} el", 4);
    for k in ["elif", "else", "import"] {
        assert!(after_if.contains(&k.to_string()), "{k} in {after_if:?}");
    }
    for k in ["return", "break"] {
        assert!(!after_if.contains(&k.to_string()), "{k} in {after_if:?}");
    }
    c.shutdown();
}
