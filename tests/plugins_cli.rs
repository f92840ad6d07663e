//! Import plugins end to end through the real `mlpy` binary: the `mlpy-import-db`
//! plugin (a real SQLite database) found on PATH, and plugins that fail, hang, answer
//! garbage or too much, lie about their scheme, or lack their capability.

mod gitkit;

use gitkit::{db_plugin_dir, mlpy, path_with, run, stdout, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    bin: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
            bin: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, body: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }

    /// Puts the db plugin on this test's PATH.
    fn install_db_plugin(&self) {
        let target = db_plugin_dir().join("mlpy-import-db");
        let link = self.bin.path().join("mlpy-import-db");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, link).unwrap();
    }

    fn uninstall_db_plugin(&self) {
        std::fs::remove_file(self.bin.path().join("mlpy-import-db")).unwrap();
    }

    /// An executable script on this test's PATH.
    fn script(&self, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.bin.path().join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = mlpy(self.cache.path(), self.dir.path(), args);
        command.env("PATH", path_with(&[self.bin.path()]));
        command
    }

    fn mlpy(&self, args: &[&str]) -> Output {
        run(&mut self.command(args))
    }

    fn db(&self, args: &[&str]) -> Output {
        let out = Command::new(db_plugin_dir().join("mlpy-import-db"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        out
    }

    fn cache_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.cache.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    out.push(e.path());
                }
            }
        }
        out
    }
}

fn contains(out: &Output, needle: &str) {
    assert!(
        text(out).contains(needle),
        "{needle:?} not in:\n{}",
        text(out)
    );
}

#[test]
fn db_plugin_end_to_end() {
    let env = Env::new();
    env.install_db_plugin();
    env.write(
        "src/hash.ml",
        "import crypto.util as util;\n\nfunction digest(s) {\n    return util.prefix + str(len(s));\n}\n",
    );
    env.write("src/util.ml", "prefix = \"len:\";\n");
    env.db(&["add", "data/modules.db", "crypto.hash", "src/hash.ml"]);
    env.db(&["add", "data/modules.db", "crypto.util", "src/util.ml"]);
    env.write(
        "mlpy.json",
        "{\"capabilities\": [\"plugin.db\"], \"import_sources\": [{\"protocol\": \"db\", \"location\": \"db://data/modules.db\"}]}",
    );
    env.write(
        "main.ml",
        "import db://data/modules.db/crypto.hash;\nimport crypto.util as u;\n\nprint(hash.digest(\"abcd\"));\nprint(u.prefix);\n",
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "len:4\nlen:\n", "{}", text(&out));
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("mlpy.lock")).unwrap()).unwrap();
    let modules = lock["modules"].as_object().unwrap();
    assert!(
        modules.contains_key("db://data/modules.db/crypto.hash"),
        "{modules:?}"
    );
    assert!(
        modules.contains_key("db://data/modules.db/crypto.util"),
        "{modules:?}"
    );

    let out = env.mlpy(&["graph", "main.ml"]);
    contains(&out, "db://data/modules.db/crypto.util");

    // Warm runs do not need the plugin at all; nor do offline ones.
    env.uninstall_db_plugin();
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "len:4\nlen:\n", "{}", text(&out));
    let out = env.mlpy(&["run", "--cached-only", "main.ml"]);
    assert_eq!(stdout(&out), "len:4\nlen:\n", "{}", text(&out));
    let out = env.mlpy(&["transpile", "main.ml", "-o", "out.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // The database changes behind the lockfile's back: refused with both hashes.
    env.install_db_plugin();
    env.write("src/util.ml", "prefix = \"LEN:\";\n");
    env.db(&["add", "data/modules.db", "crypto.util", "src/util.ml"]);
    let out = env.mlpy(&["check", "--reload", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    contains(
        &out,
        "'db://data/modules.db/crypto.util' has changed since it was recorded in",
    );
    let out = env.mlpy(&["fetch", "--update-lock", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "LEN:4\nLEN:\n", "{}", text(&out));

    // A module the database does not have: what it has is listed.
    env.write("missing.ml", "import db://data/modules.db/crypto.hsah;\n");
    let out = env.mlpy(&["check", "missing.ml"]);
    assert_eq!(out.status.code(), Some(1));
    contains(
        &out,
        "missing.ml:1:8: error: Module 'db://data/modules.db/crypto.hsah' not found",
    );
    contains(
        &out,
        "the database data/modules.db has: crypto.hash, crypto.util",
    );
}

#[test]
fn plugins_that_misbehave_are_refused() {
    let env = Env::new();
    env.write(
        "mlpy.json",
        "{\"max_module_size\": 1000, \"capabilities\": [\"plugin.fail\", \"plugin.hang\", \"plugin.junk\", \"plugin.huge\", \"plugin.evil\", \"plugin.old\", \"plugin.none\", \"plugin.daemon\", \"plugin.quiet\", \"plugin.esc\"]}",
    );
    env.script(
        "mlpy-import-fail",
        "#!/bin/sh\ncat >/dev/null\necho 'fail: the module store is locked' >&2\nexit 3\n",
    );
    env.script("mlpy-import-hang", "#!/bin/sh\nsleep 30 &\nsleep 30\n");
    env.script(
        "mlpy-import-junk",
        "#!/bin/sh\ncat >/dev/null\necho 'hello there'\n",
    );
    env.script(
        "mlpy-import-huge",
        "#!/bin/sh\ncat >/dev/null\nhead -c 200000 /dev/zero | tr '\\0' a\n",
    );
    env.script(
        "mlpy-import-evil",
        "#!/bin/sh\ncat >/dev/null\necho '{\"mlpy_import_protocol\": 1, \"status\": \"found\", \"url\": \"https://cdn.example.com/lib/x.ml\", \"source\": \"x = 1;\"}'\n",
    );
    env.script(
        "mlpy-import-old",
        "#!/bin/sh\ncat >/dev/null\necho '{\"mlpy_import_protocol\": 0, \"status\": \"found\"}'\n",
    );
    env.script(
        "mlpy-import-big",
        "#!/bin/sh\ncat >/dev/null\nprintf '{\"mlpy_import_protocol\": 1, \"status\": \"found\", \"url\": \"big://x\", \"source\": \"%s\"}' \"$(head -c 5000 /dev/zero | tr '\\0' a)\"\n",
    );
    // Plugins that leave a process behind in a session of its own (out of reach of the
    // group kill) holding their standard output, or only their standard error, open.
    env.script(
        "mlpy-import-daemon",
        "#!/bin/sh\ncat >/dev/null\nsetsid sh -c 'echo $$ > daemon.pid; exec sleep 30' &\nwhile [ ! -s daemon.pid ]; do sleep 0.05; done\necho '{\"mlpy_import_protocol\": 1, \"status\": \"found\", \"url\": \"daemon://x/m\", \"source\": \"x = 1;\"}'\n",
    );
    env.script(
        "mlpy-import-quiet",
        "#!/bin/sh\ncat >/dev/null\nsetsid sh -c 'echo $$ > quiet.pid; exec sleep 30 >/dev/null' &\nwhile [ ! -s quiet.pid ]; do sleep 0.05; done\necho '{\"mlpy_import_protocol\": 1, \"status\": \"found\", \"url\": \"quiet://x/m\", \"source\": \"x = 1;\"}'\n",
    );
    // Escape sequences in what a plugin writes (its standard error, its message) never
    // reach the terminal: they would recolour it, retitle it or overwrite lines.
    env.script(
        "mlpy-import-esc",
        "#!/bin/sh\ncat >/dev/null\nprintf 'bad\\033]0;pwned\\007 \\033[2J\\r done\\n' >&2\necho '{\"mlpy_import_protocol\": 1, \"status\": \"error\", \"message\": \"store \\u001b[31mlocked\"}'\n",
    );
    let cases: &[(&str, &[&str])] = &[
        (
            "esc://x/m",
            &[
                "main.ml:1:8: error: the import plugin mlpy-import-esc could not serve 'esc://x/m': store \\u{1b}[31mlocked",
                "bad\\u{1b}]0;pwned\\u{7} \\u{1b}[2J\\r done",
            ],
        ),
        (
            "daemon://x/m",
            &[
                "main.ml:1:8: error: the import plugin mlpy-import-daemon did not answer within 1 s and was stopped",
                "a process it started in a session of its own kept its standard output open",
            ],
        ),
        (
            "fail://store/m",
            &[
                "main.ml:1:8: error: the import plugin mlpy-import-fail failed (exit status 3)",
                "mlpy-import-fail said:\n              fail: the module store is locked",
            ],
        ),
        (
            "hang://x/m",
            &["main.ml:1:8: error: the import plugin mlpy-import-hang did not answer within 1 s and was stopped"],
        ),
        (
            "junk://x/m",
            &["main.ml:1:8: error: the import plugin mlpy-import-junk answered something that is not a protocol response"],
        ),
        (
            "huge://x/m",
            &["main.ml:1:8: error: the import plugin mlpy-import-huge answered more than 67536 bytes; refused"],
        ),
        (
            "evil://x/m",
            &["main.ml:1:8: error: the import plugin for 'evil://' answered the URL 'https://cdn.example.com/lib/x.ml', outside its own scheme evil://; refused"],
        ),
        (
            "old://x/m",
            &["main.ml:1:8: error: the import plugin mlpy-import-old speaks protocol version 0; this mlpy speaks version 1"],
        ),
        (
            "none://x/m",
            &["main.ml:1:8: error: no import protocol serves 'none://': install a plugin, an executable named mlpy-import-none on PATH"],
        ),
        (
            "big://x/m",
            &["Importing 'big://x/m' needs the capability 'plugin.big': pass `--allow plugin.big`"],
        ),
        (
            "typo://x/m",
            &["main.ml:1:8: error: no import protocol serves 'typo://': install a plugin"],
        ),
    ];
    for (url, expected) in cases {
        env.write("main.ml", &format!("import {url};\n"));
        let started = std::time::Instant::now();
        let out = env.mlpy(&["check", "--timeout", "1", "main.ml"]);
        assert_eq!(out.status.code(), Some(1), "{url}: {}", text(&out));
        for needle in *expected {
            contains(&out, needle);
        }
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
        assert!(!text(&out).contains('\x1b'), "{url}: {}", text(&out));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{url} took {:?}",
            started.elapsed()
        );
    }
    // Granted, the oversized module is refused by max_module_size.
    env.write("main.ml", "import big://x/m;\n");
    let out = env.mlpy(&["check", "--allow", "plugin.big", "main.ml"]);
    contains(
        &out,
        "the module is 5000 bytes, over the limit of 1000 bytes",
    );
    // Nothing was cached, and the hanging plugin's children are gone.
    assert!(env.cache_files().is_empty(), "{:?}", env.cache_files());
    let hung = Command::new("pgrep")
        .args([
            "-f",
            &env.bin.path().join("mlpy-import-hang").to_string_lossy(),
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(hung.is_empty(), "still running: {hung}");

    // Only its standard error held open: the answer is complete, and used at once.
    env.write("main.ml", "import quiet://x/m;\nprint(m.x);\n");
    let started = std::time::Instant::now();
    let out = env.mlpy(&["run", "--timeout", "20", "main.ml"]);
    assert_eq!(stdout(&out), "1\n", "{}", text(&out));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    for pid_file in ["daemon.pid", "quiet.pid"] {
        let pid = std::fs::read_to_string(env.path(pid_file)).unwrap();
        let _ = Command::new("kill").args(["-9", pid.trim()]).status();
        std::fs::remove_file(env.path(pid_file)).unwrap();
    }
}

#[test]
fn plugin_path_in_mlpy_json() {
    let env = Env::new();
    let tools = env.path("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let script = tools.join("serve-notes");
    std::fs::write(
        &script,
        "#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' '{\"mlpy_import_protocol\": 1, \"status\": \"found\", \"url\": \"notes://team/greeting\", \"source\": \"text = \\\"hi from notes\\\";\\n\"}'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.write(
        "mlpy.json",
        "{\"plugins\": {\"notes\": \"tools/serve-notes\"}, \"capabilities\": [\"plugin.notes\"]}",
    );
    env.write(
        "main.ml",
        "import notes://team/greeting;\nprint(greeting.text);\n",
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "hi from notes\n", "{}", text(&out));
    let _ = Path::new("");
}

#[test]
fn plugin_and_git_modules_carry_signatures_when_keys_are_trusted() {
    let env = Env::new();
    env.install_db_plugin();
    let keygen = env.mlpy(&["keygen", "--out", "keys/pub.key"]);
    assert_eq!(keygen.status.code(), Some(0), "{}", text(&keygen));
    let other = env.mlpy(&["keygen", "--out", "keys/other.key"]);
    assert_eq!(other.status.code(), Some(0), "{}", text(&other));
    let public = std::fs::read_to_string(env.path("keys/pub.key.pub")).unwrap();
    let key_line = public.lines().nth(1).unwrap().to_string();
    env.write("src/good.ml", "function f() {\n    return \"signed\";\n}\n");
    env.write(
        "src/forged.ml",
        "function f() {\n    return \"forged\";\n}\n",
    );
    env.write("src/plain.ml", "function f() {\n    return \"plain\";\n}\n");
    for (file, key) in [
        ("src/good.ml", "keys/pub.key"),
        ("src/forged.ml", "keys/other.key"),
    ] {
        let out = env.mlpy(&["sign", file, "--key", key]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    env.db(&["add", "mods.db", "good", "src/good.ml"]);
    env.db(&["add", "mods.db", "forged", "src/forged.ml"]);
    env.db(&["add", "mods.db", "plain", "src/plain.ml"]);
    env.write(
        "mlpy.json",
        &serde_json::json!({"capabilities": ["plugin.db"], "trusted_keys": [key_line]}).to_string(),
    );
    env.write(
        "good_main.ml",
        "import db://mods.db/good;\nprint(good.f());\n",
    );
    let out = env.mlpy(&["run", "good_main.ml"]);
    assert_eq!(stdout(&out), "signed\n", "{}", text(&out));

    env.write(
        "forged_main.ml",
        "import db://mods.db/forged;\nprint(forged.f());\n",
    );
    let out = env.mlpy(&["check", "forged_main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    contains(
        &out,
        "forged_main.ml:1:8: error: Integrity check failed for 'db://mods.db/forged'",
    );

    env.write(
        "plain_main.ml",
        "import db://mods.db/plain;\nprint(plain.f());\n",
    );
    let out = env.mlpy(&["check", "plain_main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    contains(
        &out,
        "it has no ed25519 signature, and \"trusted_keys\" requires one",
    );
    // Verification off for one import: accepted.
    env.write(
        "plain_main.ml",
        "import db://mods.db/plain { verify: false };\nprint(plain.f());\n",
    );
    let out = env.mlpy(&["run", "plain_main.ml"]);
    assert_eq!(stdout(&out), "plain\n", "{}", text(&out));

    // Git: the signature lives beside the module in the repository.
    let repo = gitkit::Repo::new(env.dir.path(), "signed");
    repo.write(
        "good.ml",
        &std::fs::read_to_string(env.path("src/good.ml")).unwrap(),
    );
    repo.write(
        "good.ml.minisig",
        &std::fs::read_to_string(env.path("src/good.ml.minisig")).unwrap(),
    );
    repo.write(
        "plain.ml",
        &std::fs::read_to_string(env.path("src/plain.ml")).unwrap(),
    );
    repo.commit("signed");
    env.write(
        "mlpy.json",
        &serde_json::json!({"capabilities": ["git.clone"], "trusted_keys": [key_line]}).to_string(),
    );
    let url = repo.file_url();
    env.write(
        "git_main.ml",
        &format!("import {url}@main/good;\nprint(good.f());\n"),
    );
    let out = env.mlpy(&["run", "git_main.ml"]);
    assert_eq!(stdout(&out), "signed\n", "{}", text(&out));
    env.write(
        "git_plain.ml",
        &format!("import {url}@main/plain;\nprint(plain.f());\n"),
    );
    let out = env.mlpy(&["check", "git_plain.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    contains(&out, "it has no ed25519 signature, and \"trusted_keys\" requires one (looked for plain.ml.minisig at commit");
}
