//! Formatting through the real `mlpy lsp` binary: `textDocument/formatting` gives the text
//! `mlpy fmt` gives (the project's `"format"` options, not the editor's tab settings),
//! `textDocument/rangeFormatting` touches only the statements in the range, a document with
//! syntax errors is left alone. Positions are UTF-16, with non-ASCII text before the edits.

mod lsp_client;

use lsp_client::{apply_edits, Client};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

/// What `mlpy fmt -` prints for `text` in the project folder `dir`.
fn mlpy_fmt(dir: &std::path::Path, text: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlpy"))
        .args(["fmt", "-"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

const MESSY: &str =
    "// é😀 before\ns = \"é😀\" ;\nfunction area(w,h){return w*h;}\nif(s){print( area(1,2) );}\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mlpy.json"),
        r#"{"format": {"indent_width": 2}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("main.ml"), MESSY).unwrap();
    dir
}

#[test]
fn formatting_gives_what_mlpy_fmt_gives_with_the_projects_options() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    // The editor's settings (tabs of 8) do not count: mlpy.json says 2 spaces.
    let edits = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 8, "insertSpaces": false}}),
        )
        .unwrap();
    let formatted = apply_edits(MESSY, edits.as_array().expect("a list of edits"));
    assert_eq!(formatted, mlpy_fmt(dir.path(), MESSY));
    assert!(formatted.contains("\n  return w * h;\n"), "{formatted}");
    assert!(formatted.starts_with("// é😀 before\ns = \"é😀\";\n"));

    // Formatted already: nothing to do.
    c.replace_all(&uri, 2, &formatted);
    let again = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .unwrap();
    assert_eq!(again, json!([]));
}

#[test]
fn range_formatting_touches_only_the_statements_in_the_range() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    let range_edits = |c: &mut Client, start: u32, end: u32, line_end: u32| {
        c.request(
            "textDocument/rangeFormatting",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 2, "character": start}, "end": {"line": line_end, "character": end}},
                "options": {"tabSize": 4, "insertSpaces": true}
            }),
        )
        .unwrap()
    };
    // A range inside the function's body: the statement there, in its block.
    let after = apply_edits(
        MESSY,
        range_edits(&mut c, 20, 22, 2)
            .as_array()
            .expect("a list of edits"),
    );
    assert_eq!(
        after,
        "// é😀 before\ns = \"é😀\" ;\nfunction area(w,h){return w * h;}\nif(s){print( area(1,2) );}\n"
    );
    // The whole line: the whole `function` statement, and nothing before or after it.
    let after = apply_edits(
        MESSY,
        range_edits(&mut c, 0, 0, 3)
            .as_array()
            .expect("a list of edits"),
    );
    assert_eq!(
        after,
        "// é😀 before\ns = \"é😀\" ;\nfunction area(w, h) {\n  return w * h;\n}\nif(s){print( area(1,2) );}\n"
    );
}

#[test]
fn a_document_with_syntax_errors_is_left_alone() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let uri = c.open_text("main.ml", "x = (1 + ;\ny=2;\n");
    let edits = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .unwrap();
    assert_eq!(edits, Value::Null);
}
