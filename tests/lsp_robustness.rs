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
    c.wait_clean(&main);
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
    c.wait_clean(uri);
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
    c.wait_clean(uri);
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
    // `exit` without `shutdown`: status 1, as the LSP specification says.
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    let _: Value = json!(null);
}

/// The exit status is 0 after `shutdown` then `exit`, 1 after `exit` alone (the LSP
/// specification), also when the client then closes its end; a client that closes the
/// stream without either gets 0.
#[test]
fn the_exit_status_says_whether_shutdown_came_first() {
    for (shutdown, exit, status) in [(true, true, 0), (false, true, 1), (false, false, 0)] {
        let dir = fixture("lsp_basic");
        let mut c = Client::start(dir.path());
        if shutdown {
            c.request("shutdown", Value::Null).unwrap();
        }
        if exit {
            c.notify("exit", Value::Null);
        } else {
            c.close_input();
        }
        let got = c.wait_exit().expect("the server exits");
        assert_eq!(
            got.code(),
            Some(status),
            "shutdown: {shutdown}, exit: {exit}: {got:?}"
        );
    }
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

/// `file://otherhost/…` names a file on another machine: the server never reads the
/// local file at that path, checks the document from its text alone (like `untitled:`)
/// and does not crash; `file://localhost/…` is a local file.
#[test]
fn file_uris_with_another_host_are_not_local_files() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let local = c.uri("main.ml");
    let remote = local.replacen("file://", "file://otherhost", 1);
    // As a local file, `import geometry;` would resolve and `nope` be unknown; from the
    // text alone only syntax is checked (a lone surrogate escape included).
    let text = "import geometry;\nprint(nope);\nx = \"\\uD83D\";\ny = 1 +;\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": remote, "languageId": "ml", "version": 1, "text": text}}),
    );
    let list = c.wait_diagnostics(&remote, |l| !l.is_empty());
    assert_eq!(codes(&list), ["syntax", "syntax"], "{list:?}");
    assert_eq!(pos(&list[0]["range"]["start"]), (2, 5));
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap()
            .contains("lone surrogate"),
        "{list:?}"
    );
    // Navigation stays inside the document; nothing names a file on this machine.
    let r = c.at("textDocument/definition", &remote, 0, 8).unwrap();
    assert!(
        r.as_array()
            .is_none_or(|a| a.iter().all(|l| l["uri"] == remote.as_str())),
        "{r}"
    );
    let _ = c.at("textDocument/hover", &remote, 1, 7);
    let e = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [remote]}),
        )
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("not a file"), "{e}");
    // Watched-file events about other hosts are ignored.
    c.watched(vec![(
        c.uri("lib/geometry.ml")
            .replacen("file://", "file://otherhost", 1),
        2,
    )]);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": remote}}),
    );
    c.wait_clean(&remote);
    // `localhost` is this machine: the document is the local file, checked as one.
    let localhost = local.replacen("file://", "file://localhost", 1);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": localhost, "languageId": "ml", "version": 1, "text": "import geometry;\nprint(nope);\n"}}),
    );
    let list = c.wait_diagnostics(&localhost, |l| !l.is_empty());
    assert_eq!(codes(&list), ["unknown-identifier"], "{list:?}");
    answers(&mut c, &localhost);
    assert!(c.alive());
    let stderr = c.shutdown();
    assert!(stderr.contains("is not a file of this machine"), "{stderr}");
}

/// A `Content-Length` the server cannot follow (over 64 MiB, too large for a number, not
/// a number): the client gets an error answer, the server logs why and exits with a
/// non-zero status instead of waiting forever for bytes that may never come.
#[test]
fn an_unfollowable_content_length_ends_the_server_with_an_error() {
    let hover = r#"{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.ml"},"position":{"line":0,"character":0}}}"#;
    for length in [
        "67108865",
        "99999999999",
        "99999999999999999999999999999",
        "-5",
        "abc",
        "0x10",
    ] {
        let dir = fixture("lsp_basic");
        let mut c = Client::start(dir.path());
        let uri = c.open("main.ml");
        answers(&mut c, &uri);
        // The oversized frame, then a good request right behind it.
        c.send_raw(
            format!(
                "Content-Length: {length}\r\n\r\n{{}}Content-Length: {}\r\n\r\n{hover}",
                hover.len()
            )
            .as_bytes(),
        );
        let e = c.wait_for(|m| m["error"]["code"] == -32600 && m["id"].is_null());
        let message = e["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("Content-Length"), "{length}: {message}");
        let status = c.wait_exit().expect("the server exits");
        assert!(!status.success(), "{length}: exited with {status}");
        // The thread reading the server's stderr may still be catching up after the exit.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let stderr = loop {
            let stderr = c.stderr.lock().unwrap().clone();
            if stderr.contains("the language server received a message")
                || std::time::Instant::now() > deadline
            {
                break stderr;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(
            stderr.contains("the language server received a message"),
            "{length}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// A large message under the limit is read and the server goes on.
#[test]
fn a_large_message_under_the_limit_is_read() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    let text = format!("x = \"{}\";\n", "a".repeat(3 << 20));
    c.notify("mlpy/noSuchNotification", json!({"padding": text}));
    answers(&mut c, &uri);
    c.shutdown();
}

/// String escapes in the editor: a lone surrogate is an error at the escape (UTF-16
/// columns), a pair is one character in the emitted Python, and a huge integer literal
/// is reported where it is written.
#[test]
fn string_escapes_and_huge_integers_in_the_editor() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let text = "x = \"😀\\uD83D\\uDE00\";\ny = \"é\\uDE00\";\n";
    // On disk too: the semantic checks need the module's file.
    std::fs::write(c.path("escapes.ml"), text).unwrap();
    let uri = c.open_text("escapes.ml", text);
    let list = c.wait_diagnostics(&uri, |l| !l.is_empty());
    assert_eq!(codes(&list), ["syntax"], "{list:?}");
    assert_eq!(pos(&list[0]["range"]["start"]), (1, 6));
    assert_eq!(pos(&list[0]["range"]["end"]), (1, 12));
    let huge = "9".repeat(4301);
    c.replace_all(&uri, 2, &format!("x = 1;\nz = {huge};\n"));
    let list = c.wait_diagnostics(&uri, |l| !l.is_empty() && codes(l) != ["syntax"]);
    assert_eq!(codes(&list), ["integer-too-large"], "{list:?}");
    assert_eq!(pos(&list[0]["range"]["start"]), (1, 4));
    c.replace_all(&uri, 3, "x = \"😀\\uD83D\\uDE00\";\nprint(x);\n");
    c.wait_clean(&uri);
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [uri]}),
        )
        .unwrap();
    let python = r["python"].as_str().unwrap_or_else(|| panic!("{r:#}"));
    assert!(python.contains("x = \"😀😀\""), "{python}");
    c.shutdown();
}

/// A document over the project's `max_module_size` gets a bounded service: its syntax
/// errors and a warning, folding and selection ranges, nothing that analyses names (as
/// `mlpy check` refuses such a file); importers see it as too large. Back under the limit,
/// it is checked in full again.
#[test]
fn documents_over_max_module_size_get_syntax_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mlpy.json"),
        "{\"max_module_size\": 4096}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("main.ml"), "x = 1;\n").unwrap();
    std::fs::write(dir.path().join("user.ml"), "import main;\nprint(main.x);\n").unwrap();
    let mut c = Client::start(dir.path());
    // 22 KB: one variable reassigned 2,000 times, an unknown name, a syntax error.
    let mut text = String::from("function f(a) {\n  return a;\n}\nx = 0;\n");
    for _ in 0..2000 {
        text.push_str("x = x + 1;\n");
    }
    text.push_str("y = nosuch;\nz = (1 + ;\n");
    let uri = c.open_text("main.ml", &text);
    let list = c.wait_diagnostics(&uri, |l| !l.is_empty());
    assert_eq!(codes(&list), ["module-too-large", "syntax"], "{list:#?}");
    let message = list[0]["message"].as_str().unwrap();
    assert!(
        message.contains("over the limit of 4096 bytes"),
        "{message}"
    );
    assert_eq!(pos(&list[1]["range"]["start"]).0, 2005);
    // Nothing that needs names or imports.
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/references",
    ] {
        let r = c
            .request(
                method,
                json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 0}, "context": {"includeDeclaration": true}}),
            )
            .unwrap();
        assert!(r.is_null(), "{method}: {r}");
    }
    let doc = json!({"textDocument": {"uri": uri}});
    for method in [
        "textDocument/semanticTokens/full",
        "textDocument/documentSymbol",
    ] {
        let r = c.request(method, doc.clone()).unwrap();
        assert!(r.is_null(), "{method}: {r}");
    }
    // Syntax-level features still answer.
    let folds = c.request("textDocument/foldingRange", doc.clone()).unwrap();
    assert_eq!(folds[0]["startLine"], 0, "{folds}");
    let r = c
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": uri}, "positions": [{"line": 1, "character": 9}]}),
        )
        .unwrap();
    assert_eq!(pos(&r[0]["range"]["start"]), (1, 9), "{r}");
    // A module importing it: the editor's text counts, and it is too large.
    let user = c.open("user.ml");
    let list = c.wait_diagnostics(&user, |l| !l.is_empty());
    assert_eq!(codes(&list), ["import-refused"], "{list:#?}");
    // Under the limit again: checked in full.
    c.replace_all(&uri, 2, "x = 1;\ny = nosuch;\n");
    let list = c.wait_diagnostics(&uri, |l| codes(l) != ["module-too-large", "syntax"]);
    assert_eq!(codes(&list), ["unknown-identifier"], "{list:#?}");
    c.wait_clean(&user);
    assert!(c.alive());
    c.shutdown();
}

/// Workspace capabilities that make the server ask the client: every request a client
/// may be slow to answer, or never answer.
fn silent_capabilities() -> Value {
    json!({
        "configuration": true,
        "didChangeConfiguration": {"dynamicRegistration": true},
        "didChangeWatchedFiles": {"dynamicRegistration": true}
    })
}

/// `exit` ends the server even while a handler waits for an answer from the client
/// that will never be read. Before and after `shutdown`.
#[test]
fn exit_while_the_server_waits_for_the_client() {
    for with_shutdown in [true, false] {
        let dir = fixture("lsp_basic");
        let mut c = Client::start_unanswering(dir.path(), silent_capabilities());
        // The server now waits for this answer, which never comes and which it waits for
        // without a time limit (the configuration it asked for first, it gives up on
        // after a few seconds).
        c.wait_for(|m| m["method"] == "client/registerCapability");
        if with_shutdown {
            c.request("shutdown", Value::Null).unwrap();
        }
        // stdin stays open, as an editor keeps it: only `exit` can end the server.
        c.notify("exit", Value::Null);
        let status = c.wait_exit();
        assert!(
            status.is_some_and(|s| s.code().is_some()),
            "mlpy lsp still runs after exit (shutdown first: {with_shutdown}): {status:?}"
        );
        let expected = if with_shutdown { 0 } else { 1 };
        assert_eq!(status.and_then(|s| s.code()), Some(expected));
    }
}

/// A client that answers none of the server's requests still gets the workspace's
/// diagnostics (the configuration is waited for a few seconds, the registrations not at
/// all), here of a file it never opened.
#[test]
fn diagnostics_reach_a_client_that_answers_nothing() {
    let dir = fixture("lsp_basic");
    let file = dir.path().join("broken_import.ml");
    std::fs::write(&file, "import nosuch.thing;\n").unwrap();
    let mut c = Client::start_unanswering(dir.path(), silent_capabilities());
    let uri = c.uri("broken_import.ml");
    let list = c.wait_diagnostics(&uri, |l| !l.is_empty());
    let message = list[0]["message"].to_string();
    assert!(message.contains("nosuch.thing"), "{list:?}");
}

/// Requests whose method starts with `$/` are answered with "method not found", as the
/// specification says (the transport drops its own answer to them: the client would
/// wait forever); `$/` notifications are ignored. `exit` sent as a request is refused as
/// an invalid request, like any notification sent as a request, and does not end the
/// server.
#[test]
fn dollar_requests_are_answered_and_an_exit_request_is_refused() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    for method in ["$/unknownRequest", "$/setTrace", "$/cancelRequest"] {
        let e = c
            .request(method, json!({"id": 1, "value": "off"}))
            .unwrap_err();
        assert_eq!(e["code"], -32601, "{method}: {e}");
    }
    c.notify("$/unknownNotification", json!({"x": 1}));
    c.notify("$/cancelRequest", json!({"id": 12345}));
    let e = c.request("exit", Value::Null).unwrap_err();
    assert_eq!(e["code"], -32600, "{e}");
    answers(&mut c, &uri);
    c.shutdown();
}

/// LSP's line ends are `\n`, `\r\n` and a lone `\r`. Diagnostics, answers and edits follow
/// the lines the client sees, whatever ends them; a lone `\r` ends a `//` comment, as
/// `mlpy check` reads the file. A column past the end of a `\r\n` line is before its `\r`.
#[test]
fn lines_end_where_the_client_sees_them_end() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open_text("ends.ml", "// a note\rx = nosuch;\r\ny = 1;\rprint(y);");
    let list = c.wait_diagnostics(&uri, |l| !l.is_empty());
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(pos(&list[0]["range"]["start"]), (1, 4), "{list:?}");
    assert_eq!(pos(&list[0]["range"]["end"]), (1, 10), "{list:?}");
    let r = c.at("textDocument/definition", &uri, 3, 6).unwrap();
    assert_eq!(pos(&r[0]["range"]["start"]), (2, 0), "{r}");
    // Past the end of the `\r\n` line; a line ended by a lone `\r` inserted before line 3.
    c.change(
        &uri,
        2,
        json!([{"range": {"start": {"line": 1, "character": 99}, "end": {"line": 1, "character": 99}}, "text": " // end"}]),
    );
    c.change(
        &uri,
        3,
        json!([{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}, "text": "z = 2;\r"}]),
    );
    // The analysed text: lone `\r`s read as `\n`.
    assert_eq!(
        c.document_text(&uri),
        "// a note\nx = nosuch; // end\r\ny = 1;\nz = 2;\nprint(y);"
    );
    let r = c.at("textDocument/definition", &uri, 4, 6).unwrap();
    assert_eq!(pos(&r[0]["range"]["start"]), (2, 0), "{r}");
    let r = c.at("textDocument/hover", &uri, 3, 0).unwrap();
    assert_eq!(pos(&r["range"]["start"]), (3, 0), "{r}");
    // Deleting everything, through the last lone `\r`.
    c.change(
        &uri,
        4,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 99}}, "text": ""}]),
    );
    assert_eq!(c.document_text(&uri), "");
    c.wait_clean(&uri);
    c.shutdown();
}

/// Where there is no name to rename (blanks, keywords, literals, comments),
/// `prepareRename` answers `null` (the specification's "no rename here"); a name that
/// cannot be renamed gets an error that says why.
#[test]
fn prepare_rename_where_there_is_no_name() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    // `import`, a blank line, `function`, a comment, `return`, a string, `;`, past the end.
    for (line, character) in [
        (0, 2),
        (5, 0),
        (6, 3),
        (4, 8),
        (12, 6),
        (7, 16),
        (15, 50),
        (99, 0),
    ] {
        let r = c
            .at("textDocument/prepareRename", &uri, line, character)
            .unwrap();
        assert!(r.is_null(), "({line}, {character}): {r}");
    }
    let e = c.at("textDocument/prepareRename", &uri, 16, 1).unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("is a builtin"),
        "{e}"
    );
    // `math.sqrt` on the same line: the standard library's.
    let e = c
        .at("textDocument/prepareRename", &uri, 16, 31)
        .unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("standard library"),
        "{e}"
    );
    c.shutdown();
}
