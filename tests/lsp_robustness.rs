//! The language server survives what editors and broken clients send: malformed
//! JSON-RPC, unknown methods, out-of-range positions, edits to unopened files, files
//! that vanish, documents that are not files. Never a panic, never a hang.

mod lsp_client;

use lsp_client::{codes, fixture, pos, Client};
use serde_json::{json, Value};

/// The server still answers a real request.
fn answers(c: &mut Client, uri: &str) {
    let r = c.at("textDocument/hover", uri, 0, 8).unwrap();
    assert!(
        r["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("module geometry"),
        "{r}"
    );
}

#[test]
fn malformed_json_rpc_and_unknown_methods() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    answers(&mut c, &uri);
    // Not JSON.
    c.send_raw(b"Content-Length: 5\r\n\r\n{abc}");
    let e = c.wait_for(|m| m["error"]["code"] == -32700);
    assert!(e["id"].is_null(), "{e}");
    answers(&mut c, &uri);
    // JSON, but not a JSON-RPC message.
    c.send_raw(b"Content-Length: 15\r\n\r\n{\"hello\": true}");
    c.wait_for(|m| m.get("error").is_some() && m["id"].is_null());
    answers(&mut c, &uri);
    // A header that is not Content-Length, then a good message.
    c.send_raw(b"X-Nonsense: 1\r\n\r\n");
    answers(&mut c, &uri);
    // Unknown request: method not found. Unknown notifications are ignored.
    let e = c.request("mlpy/noSuchThing", json!({})).unwrap_err();
    assert_eq!(e["code"], -32601);
    c.notify("mlpy/noSuchNotification", json!({"x": 1}));
    c.notify("$/setTrace", json!({"value": "verbose"}));
    // Wrong parameter shapes.
    let e = c
        .request("textDocument/hover", json!({"textDocument": 5}))
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    c.notify("textDocument/didChange", json!({"nonsense": true}));
    c.notify("textDocument/didOpen", json!([1, 2, 3]));
    // The debug requests are refused without the flag? They are on here; a bad URI is
    // answered with null.
    let r = c
        .request(
            "mlpy/debug/documentText",
            json!({"textDocument": {"uri": "file:///nowhere.ml"}}),
        )
        .unwrap();
    assert!(r.is_null());
    answers(&mut c, &uri);
    assert!(c.alive());
    c.shutdown();
}

#[test]
fn out_of_range_positions_are_clamped() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/prepareRename",
    ] {
        for (line, character) in [
            (9999, 0),
            (0, 9999),
            (9999, 9999),
            (5, 30),
            (u32::MAX, u32::MAX),
        ] {
            // Any answer will do, as long as there is one.
            let _ = c.at(method, &uri, line, character);
        }
    }
    let r = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": {"line": 500, "character": 500}, "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    assert!(r.is_null() || r.as_array().is_some());
    let r = c
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": uri}, "positions": [{"line": 900, "character": 3}]}),
        )
        .unwrap();
    assert!(r.is_array());
    let _ = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 99, "character": 0}, "end": {"line": 3, "character": 999}}, "context": {"diagnostics": []}}),
    );
    // An edit past the end of a line and of the text: clamped, like the editor would.
    c.change(
        &uri,
        2,
        json!([{"range": {"start": {"line": 0, "character": 999}, "end": {"line": 0, "character": 999}}, "text": " // first"}]),
    );
    c.change(
        &uri,
        3,
        json!([{"range": {"start": {"line": 999, "character": 5}, "end": {"line": 1999, "character": 0}}, "text": "END;\n"}]),
    );
    let text = c.document_text(&uri);
    assert!(text.starts_with("import geometry; // first\n"), "{text}");
    assert!(text.ends_with("utils.VERSION);\nEND;\n"), "{text}");
    answers(&mut c, &uri);
    c.shutdown();
}

#[test]
fn edits_to_unopened_files_and_files_that_vanish() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let main = c.uri("main.ml");
    let geometry = c.uri("lib/geometry.ml");
    // A change to a document that was never opened is ignored (logged).
    c.change(
        &geometry,
        7,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "garbage ((("}]),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": geometry}}),
    );
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": geometry}}),
    );
    // Requests on files that are not open are answered from the disk.
    let r = c.at("textDocument/definition", &main, 15, 18).unwrap();
    assert!(
        r[0]["uri"].as_str().unwrap().ends_with("lib/geometry.ml"),
        "{r}"
    );
    c.wait_diagnostics(&main, |l| l.is_empty());
    // The module vanishes: requests about it answer nothing, importers report it.
    std::fs::remove_file(c.path("lib/geometry.ml")).unwrap();
    c.watched(vec![(geometry.clone(), 3)]);
    let r = c.at("textDocument/hover", &geometry, 0, 0).unwrap();
    assert!(r.is_null(), "{r}");
    let r = c.at("textDocument/definition", &main, 15, 18).unwrap();
    assert!(
        r.is_null() || r.as_array().is_some_and(|a| a.is_empty()),
        "{r}"
    );
    c.wait_diagnostics(&main, |l| {
        codes(l).contains(&"unresolved-import".to_string())
    });
    // An open document whose file is deleted keeps the editor's text.
    let strings = c.open("lib/utils/strings.ml");
    std::fs::remove_file(c.path("lib/utils/strings.ml")).unwrap();
    c.watched(vec![(strings.clone(), 3)]);
    let r = c.at("textDocument/hover", &strings, 3, 10).unwrap();
    assert!(
        r["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("function shout(text)"),
        "{r}"
    );
    // The whole workspace folder disappears.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": strings}}),
    );
    let root = c.root.clone();
    std::fs::remove_dir_all(&root).unwrap();
    c.watched(vec![(main.clone(), 3), (c.uri("mlpy.json"), 3)]);
    let r = c.at("textDocument/hover", &main, 0, 8).unwrap();
    assert!(r.is_null(), "{r}");
    let r = c
        .request("workspace/symbol", json!({"query": "a"}))
        .unwrap();
    assert!(r.is_array());
    c.flush();
    assert!(c.alive());
    c.shutdown();
}

#[test]
fn documents_that_are_not_files() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = "untitled:Untitled-1";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "ml", "version": 1, "text": "x = 1 +;\nfunction f(a) { return a; }\ny = f(x);\n"}}),
    );
    let list = c.wait_diagnostics(uri, |l| !l.is_empty());
    assert_eq!(codes(&list), ["syntax"]);
    assert_eq!(pos(&list[0]["range"]["start"]).0, 0);
    let r = c.at("textDocument/definition", uri, 2, 4).unwrap();
    assert_eq!(r[0]["uri"], uri);
    assert_eq!(pos(&r[0]["range"]["start"]), (1, 9));
    c.change(uri, 2, json!([{"text": "x = 1;\n"}]));
    c.wait_diagnostics(uri, |l| l.is_empty());
    let r = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert!(!r["data"].as_array().unwrap().is_empty());
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [uri]}),
        )
        .unwrap_err();
    assert!(r["message"].as_str().unwrap().contains("not a file"), "{r}");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    c.wait_diagnostics(uri, |l| l.is_empty());
    c.shutdown();
}

#[test]
fn requests_before_initialize_and_exit_without_shutdown() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlpy"))
        .args(["lsp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let hover = r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.ml"},"position":{"line":0,"character":0}}}"#;
    let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    for m in [hover, exit] {
        write!(stdin, "Content-Length: {}\r\n\r\n{m}", m.len()).unwrap();
    }
    stdin.flush().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Not initialized: an error answer (-32002), then a prompt exit.
    assert!(stdout.contains("-32002"), "{stdout}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let _: Value = json!(null);
}

#[test]
fn folders_with_spaces_and_non_ascii_names() {
    let dir = fixture("lsp_cycles");
    let root = dir.path().join("ça va");
    std::fs::create_dir(&root).unwrap();
    for f in ["a.ml", "b.ml", "c.ml", "main.ml", "mlpy.json"] {
        std::fs::rename(dir.path().join(f), root.join(f)).unwrap();
    }
    let mut c = Client::start(&root);
    // Unopened files: the server's URIs are the client's.
    let b = c.uri("b.ml");
    assert!(b.contains("%C3%A7a%20va"), "{b}");
    c.wait_diagnostics(&b, |l| codes(l) == ["import-cycle"]);
    let a = c.open("a.ml");
    let r = c.at("textDocument/definition", &a, 0, 7).unwrap();
    assert_eq!(r[0]["uri"], b);
    c.shutdown();
}
