//! Formatting through the real `mlpy lsp` binary: `textDocument/formatting` gives the text
//! `mlpy fmt` gives (the project's `"format"` options, not the editor's tab settings),
//! `textDocument/rangeFormatting` touches only the statements in the range, a document with
//! syntax errors is left alone. Positions are UTF-16, with non-ASCII text before the edits.

mod lsp_client;

use lsp_client::{apply_edits, on_its_line, Client};
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

/// Every statement of a range is indented as whole-document formatting indents it, the
/// first one too, wherever the range starts on its line and whatever the line ends.
#[test]
fn range_formatting_indents_the_first_statement_too() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let text = "function f() {\n a=1;\n b=2;\n c=3;\n}\nx=1;\n";
    for (n, eol) in ["\n", "\r\n"].into_iter().enumerate() {
        let text = text.replace('\n', eol);
        let uri = c.open_text(&format!("indent{n}.ml"), &text);
        let formatted: Vec<String> = mlpy_fmt(dir.path(), &text)
            .lines()
            .map(str::to_string)
            .collect();
        // (start line, start column, end line, end column): from a line's start, from
        // inside its indentation, from inside its statement; over one or two lines; over
        // the function and the statement after it.
        for (l0, c0, l1, c1) in [
            (1, 0, 2, 4),
            (1, 1, 2, 4),
            (1, 3, 2, 2),
            (2, 2, 2, 2),
            (3, 0, 3, 4),
            (0, 3, 5, 1),
        ] {
            let edits = c
                .request(
                    "textDocument/rangeFormatting",
                    json!({
                        "textDocument": {"uri": uri},
                        "range": {"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}},
                        "options": {"tabSize": 4, "insertSpaces": true}
                    }),
                )
                .unwrap();
            let after = apply_edits(&text, edits.as_array().expect("a list of edits"));
            // The edits write the document's own line breaks.
            assert_eq!(
                after.matches('\n').count(),
                after.matches(eol).count(),
                "{text:?} ({l0},{c0})-({l1},{c1}): line breaks mixed in {after:?}"
            );
            // Every line the range touches is the formatted line, with its indentation;
            // the others are as they were.
            let lines: Vec<&str> = after.lines().map(|l| l.trim_end_matches('\r')).collect();
            let before: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
            for (i, line) in lines.iter().enumerate() {
                let touched = (l0..=l1).contains(&i) || (l0 == 0 && i <= 5);
                let want = if touched {
                    formatted[i].as_str()
                } else {
                    before[i]
                };
                assert_eq!(
                    *line, want,
                    "{text:?} ({l0},{c0})-({l1},{c1}): line {i} of\n{after}"
                );
            }
        }
    }
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

/// A document with `\r\n` line ends becomes `mlpy fmt`'s text (with `\r\n` too), through edits
/// whose positions are on their lines: none ends between a `\r` and its `\n`, where a
/// client would read the column as the line's end and keep the `\r`.
#[test]
fn crlf_documents_get_edits_on_their_lines() {
    let dir = project();
    let mut c = Client::start(dir.path());
    for (n, text) in [
        MESSY.replace('\n', "\r\n"),
        "x = 1;\r\ny = 2;\r\n".to_string(),
        "x  = 1;\r\ny = 2;".to_string(),
        "function f() {\r\n  return 1;\r\n}\r\n\r\n\r\n\r\ng = 2;\r\n".to_string(),
    ]
    .into_iter()
    .enumerate()
    {
        let uri = c.open_text(&format!("crlf{n}.ml"), &text);
        let formatted = mlpy_fmt(dir.path(), &text);
        let whole =
            json!({"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}});
        for (method, extra) in [
            ("textDocument/formatting", json!({})),
            ("textDocument/rangeFormatting", json!({"range": whole})),
        ] {
            let mut params = json!({
                "textDocument": {"uri": uri},
                "options": {"tabSize": 4, "insertSpaces": true}
            });
            params
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let edits = c.request(method, params).unwrap();
            let edits = edits.as_array().expect("a list of edits");
            for e in edits {
                for end in ["start", "end"] {
                    assert!(
                        on_its_line(&text, &e["range"][end]),
                        "{method} {text:?}: {e}"
                    );
                }
            }
            let after = apply_edits(&text, edits);
            // A range formats its statements, and leaves the line ends around them.
            let (after, formatted) = match method {
                "textDocument/rangeFormatting" => (
                    after.trim_end().to_string(),
                    formatted.trim_end().to_string(),
                ),
                _ => (after, formatted.clone()),
            };
            assert!(
                !after.replace("\r\n", "").contains('\n'),
                "{method} {text:?}: a lone \\n in {after:?}"
            );
            assert_eq!(after, formatted, "{method} {text:?}");
        }
    }
}
