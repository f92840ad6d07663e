//! `mlpy-import-db` on its own: managing a database, and answering protocol requests
//! as mlpy sends them (the end-to-end tests with the real mlpy are in tests/plugins_cli.rs).

use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn db_cmd(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlpy-import-db"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ask(dir: &Path, request: &Value) -> (Option<Value>, Output) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlpy-import-db"))
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (serde_json::from_slice(&out.stdout).ok(), out)
}

#[test]
fn add_list_remove_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("hash.ml"), "function digest(s) { return len(s); }\n").unwrap();
    std::fs::write(d.join("util.ml"), "x = 1;\n").unwrap();
    let out = db_cmd(d, &["add", "mods.db", "crypto.hash", "hash.ml"]);
    assert!(out.status.success(), "{out:?}");
    assert!(db_cmd(d, &["add", "mods.db", "crypto", "util.ml"])
        .status
        .success());
    let out = db_cmd(d, &["add", "mods.db", "bad name", "util.ml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a dotted module name"));
    let listed = String::from_utf8_lossy(&db_cmd(d, &["list", "mods.db"]).stdout).into_owned();
    assert!(listed.starts_with("crypto\t"), "{listed}");
    assert!(listed.contains("crypto.hash\t"), "{listed}");

    let root = d.to_string_lossy();
    let (answer, _) = ask(
        d,
        &json!({"mlpy_import_protocol": 1, "scheme": "db", "kind": "url",
                "url": "db://mods.db/crypto.hash", "project_root": root}),
    );
    let answer = answer.unwrap();
    assert_eq!(answer["status"], "found");
    assert_eq!(answer["url"], "db://mods.db/crypto.hash");
    assert!(answer["source"].as_str().unwrap().contains("digest"));
    assert_eq!(answer["package"], false);

    let (answer, _) = ask(
        d,
        &json!({"mlpy_import_protocol": 1, "scheme": "db", "kind": "dotted", "module": "crypto",
                "importer": "db://mods.db/crypto.hash", "project_root": root}),
    );
    let answer = answer.unwrap();
    assert_eq!(answer["url"], "db://mods.db/crypto");
    assert_eq!(answer["package"], true);

    let (answer, _) = ask(
        d,
        &json!({"mlpy_import_protocol": 1, "scheme": "db", "kind": "dotted", "module": "nope",
                "location": "db://mods.db", "project_root": root}),
    );
    let answer = answer.unwrap();
    assert_eq!(answer["status"], "not_found");
    assert!(answer["message"].as_str().unwrap().contains("crypto.hash"));

    let (answer, _) = ask(
        d,
        &json!({"mlpy_import_protocol": 1, "scheme": "db", "kind": "url",
                "url": "db://missing.db/x", "project_root": root}),
    );
    assert_eq!(answer.unwrap()["status"], "error");

    let (answer, out) = ask(d, &json!({"mlpy_import_protocol": 7, "kind": "url"}));
    assert!(answer.is_none());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol version 1"));

    assert!(db_cmd(d, &["remove", "mods.db", "crypto"]).status.success());
    assert!(!db_cmd(d, &["remove", "mods.db", "crypto"]).status.success());
}
