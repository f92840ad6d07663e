//! Issue #8's "done when", as one test: a project (tests/testdata/mixed_project) that
//! mixes a local module, an https module (a signed tree on a real HTTPS server on
//! 127.0.0.1), a git module (a real `git daemon` on 127.0.0.1), a module in a SQLite
//! database (the `mlpy-import-db` plugin) and a module served by a third-party plugin
//! that is nothing but a Python script on PATH. It fetches, checks, transpiles, runs
//! (real `python3`), and navigates in the editor (the real `mlpy lsp`).

mod gitkit;
mod lsp_client;

use gitkit::{db_plugin_dir, mlpy, path_with, run, stdout, text, Daemon, Repo};
use lsp_client::{codes, Client};
use mlpy_testkit::{Server, TestCa};
use serde_json::json;
use std::path::{Path, PathBuf};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testdata/mixed_project");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn col(text: &str, line: usize, needle: &str) -> u32 {
    let l = text.lines().nth(line).unwrap();
    let byte = l
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not on line {line}: {l}"));
    l[..byte].encode_utf16().count() as u32
}

/// Where a definition request leads: the file and the text of the target line.
fn lands(c: &mut Client, uri: &str, text: &str, line: usize, needle: &str) -> (PathBuf, String) {
    let r = c
        .at(
            "textDocument/definition",
            uri,
            line as u32,
            col(text, line, needle) + 1,
        )
        .unwrap_or_else(|e| panic!("definition of {needle}: {e}"));
    let loc = if r.is_array() { &r[0] } else { &r };
    let target = loc["uri"]
        .as_str()
        .unwrap_or_else(|| panic!("no definition for {needle}: {r}"));
    let path = PathBuf::from(target.strip_prefix("file://").unwrap());
    let body = std::fs::read_to_string(&path).unwrap();
    let at = loc["range"]["start"]["line"].as_u64().unwrap() as usize;
    (path, body.lines().nth(at).unwrap_or("").to_string())
}

#[test]
fn local_https_git_db_and_a_third_party_plugin() {
    let work = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let project = work.path().join("project");
    copy_dir(Path::new(FIXTURE), &project);

    // https: a signed tree published with mlpy and served over TLS.
    let ca = TestCa::new();
    let server = Server::https(&ca);
    let ca_file = ca.write_pem(&work.path().join("ca.pem"));
    let tool = |args: &[&str]| {
        let out = run(mlpy(cache.path(), &project, args).env("MLPY_CA_FILE", &ca_file));
        assert_eq!(out.status.code(), Some(0), "mlpy {args:?}: {}", text(&out));
    };
    tool(&["keygen", "--out", "../publisher.key"]);
    tool(&[
        "publish",
        "remote",
        "--key",
        "../publisher.key",
        "--out",
        "../site",
    ]);
    server.serve_dir(&work.path().join("site"));

    // git: a repository served by git daemon.
    let repo = Repo::new(work.path(), "org/stats");
    for file in ["lib/stats.ml", "lib/helpers/fmt.ml"] {
        repo.write(
            file,
            &std::fs::read_to_string(project.join("repo").join(file)).unwrap(),
        );
    }
    repo.commit("stats");
    repo.tag("v1");
    let daemon = Daemon::start(&work.path().join("srv"));

    // db: a SQLite database made with mlpy-import-db.
    let db_dir = db_plugin_dir();
    for (name, file) in [
        ("crypto.hash", "db/crypto/hash.ml"),
        ("crypto.util", "db/crypto/util.ml"),
    ] {
        let out = std::process::Command::new(db_dir.join("mlpy-import-db"))
            .args(["add", "data/modules.db", name, file])
            .current_dir(&project)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }

    // The third-party plugin needs nothing but its executable on PATH. The db plugin
    // is put on PATH the same way.
    let plugins = work.path().join("plugins-bin");
    std::fs::create_dir_all(&plugins).unwrap();
    std::os::unix::fs::symlink(
        db_dir.join("mlpy-import-db"),
        plugins.join("mlpy-import-db"),
    )
    .unwrap();
    let path = path_with(&[&project.join("bin"), &plugins]);

    let main = std::fs::read_to_string(project.join("main.ml.in"))
        .unwrap()
        .replace("{{HTTPS}}", &server.base())
        .replace("{{GIT}}", &daemon.url("org/stats.git"));
    std::fs::write(project.join("main.ml"), &main).unwrap();
    std::fs::write(
        project.join("mlpy.json"),
        json!({
            "capabilities": [
                format!("network.{}/*", server.base()),
                format!("git.clone.git://127.0.0.1:{}/*", daemon.port),
                "plugin.db",
                "plugin.notes",
            ]
        })
        .to_string(),
    )
    .unwrap();
    let expected = std::fs::read_to_string(project.join("expected_output.txt")).unwrap();
    let mlpy_here = |args: &[&str]| {
        run(mlpy(cache.path(), &project, args)
            .env("PATH", &path)
            .env("MLPY_CA_FILE", &ca_file))
    };

    let out = mlpy_here(&["fetch", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("6 remote modules: 6 downloaded"),
        "{}",
        text(&out)
    );
    let out = mlpy_here(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let out = mlpy_here(&["transpile", "main.ml", "-o", "out.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let python = std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let out = std::process::Command::new(&python)
        .arg(project.join("out.py"))
        .current_dir(&project)
        .env_remove("PYTHONPATH")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), expected, "{}", text(&out));

    let out = mlpy_here(&["run", "main.ml"]);
    assert_eq!(stdout(&out), expected, "{}", text(&out));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // The editor: from the cache only (the servers are not needed any more).
    drop(daemon);
    let mut c = Client::start_env(
        &project,
        json!({}),
        &[("MLPY_CACHE_DIR", cache.path()), ("MLPY_CA_FILE", &ca_file)],
    );
    let uri = c.open("main.ml");
    let diagnostics = c.wait_diagnostics(&uri, |_| true);
    assert!(
        diagnostics.iter().all(|d| d["severity"] != 1),
        "{diagnostics:?}"
    );
    let line = |needle: &str| main.lines().position(|l| l.contains(needle)).unwrap();
    let cache_dir = std::fs::canonicalize(cache.path()).unwrap();
    let cases = [
        ("greet.hello", "hello", "function hello(who) {"),
        ("shapes.area", "area", "function area(side) {"),
        ("stats.total", "total", "function total(xs) {"),
        ("hash.digest", "digest", "function digest(text) {"),
        ("motd.message", "message", "function message() {"),
    ];
    for (call, member, definition) in cases {
        let (file, target_line) = lands(&mut c, &uri, &main, line(call), &format!(".{member}"));
        assert_eq!(target_line, definition, "{call} → {}", file.display());
        let cached = std::fs::canonicalize(&file)
            .unwrap()
            .starts_with(&cache_dir);
        assert_eq!(cached, call != "greet.hello", "{call} → {}", file.display());
    }
    c.shutdown();

    // The Python plugin in docs/plugins.md is this very script.
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/plugins.md")).unwrap();
    let script = std::fs::read_to_string(project.join("bin/mlpy-import-notes")).unwrap();
    assert!(
        docs.contains(&format!("```python\n{script}```")),
        "docs/plugins.md does not show bin/mlpy-import-notes as it is"
    );
}

#[test]
fn the_editor_fetches_uncached_git_and_db_modules_on_command() {
    let work = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let project = work.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let repo = Repo::new(work.path(), "lib");
    repo.write("geo.ml", "function area(r) {\n    return r * r;\n}\n");
    repo.commit("geo");
    let db_dir = db_plugin_dir();
    std::fs::write(
        project.join("hash.ml"),
        "function digest(s) {\n    return len(s);\n}\n",
    )
    .unwrap();
    let out = std::process::Command::new(db_dir.join("mlpy-import-db"))
        .args(["add", "modules.db", "crypto.hash", "hash.ml"])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let plugins = work.path().join("plugins-bin");
    std::fs::create_dir_all(&plugins).unwrap();
    std::os::unix::fs::symlink(
        db_dir.join("mlpy-import-db"),
        plugins.join("mlpy-import-db"),
    )
    .unwrap();
    let path = PathBuf::from(path_with(&[&plugins]));
    std::fs::write(
        project.join("mlpy.json"),
        json!({"capabilities": ["git.clone", "plugin.db"]}).to_string(),
    )
    .unwrap();
    let git_url = format!("{}@main/geo", repo.file_url());
    let main = format!(
        "import {git_url};\nimport db://modules.db/crypto.hash;\nprint(geo.area(2));\nprint(hash.digest(\"ab\"));\n"
    );
    std::fs::write(project.join("main.ml"), &main).unwrap();
    let mut c = Client::start_env(
        &project,
        json!({}),
        &[
            ("MLPY_CACHE_DIR", cache.path()),
            ("PATH", path.as_path()),
            ("GIT_CONFIG_GLOBAL", Path::new("/dev/null")),
        ],
    );
    let uri = c.open("main.ml");
    // The editor never runs git or a plugin to fetch by itself.
    let list = c.wait_diagnostics(&uri, |l| {
        codes(l) == ["remote-not-cached", "remote-not-cached"]
    });
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{git_url}.ml")),
        "{list:#?}"
    );
    assert!(!project.join("mlpy.lock").exists());
    // Each offers the "Fetch module" quick fix; it runs mlpy.fetchModules (git, the plugin).
    let mut command = json!(null);
    for diagnostic in &list {
        let actions = c
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
            )
            .unwrap();
        command = actions[0]["command"].clone();
        assert_eq!(command["command"], "mlpy.fetchModules", "{actions:#}");
    }
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .unwrap();
    assert_eq!(r["errors"], json!([]), "{r:#}");
    assert_eq!(r["modules"].as_array().unwrap().len(), 2, "{r:#}");
    assert!(project.join("mlpy.lock").exists());
    c.wait_clean(&uri);
    let cache_dir = std::fs::canonicalize(cache.path()).unwrap();
    for (line, member, definition) in [
        (2, ".area", "function area(r) {"),
        (3, ".digest", "function digest(s) {"),
    ] {
        let (file, target) = lands(&mut c, &uri, &main, line, member);
        assert_eq!(target, definition);
        assert!(std::fs::canonicalize(&file)
            .unwrap()
            .starts_with(&cache_dir));
    }
    c.shutdown();
}
