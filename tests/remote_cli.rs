//! Remote imports end to end, through the real `mlpy` binary and a real HTTPS server on
//! 127.0.0.1: keygen → publish a signed tree → serve it → check, graph, fetch, run;
//! offline and frozen runs; bad input; and a process killed in the middle of a download.

use mlpy_testkit::{Route, Server, TestCa};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Env {
    _ca: TestCa,
    server: Server,
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    ca_file: PathBuf,
}

impl Env {
    fn new() -> Env {
        let ca = TestCa::new();
        let server = Server::https(&ca);
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let ca_file = ca.write_pem(&dir.path().join("test-ca.pem"));
        Env {
            _ca: ca,
            server,
            dir,
            cache,
            ca_file,
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mlpy"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("MLPY_CACHE_DIR", self.cache.path())
            .env("MLPY_CA_FILE", &self.ca_file)
            .env_remove("MLPY_AUTH_TOKENS")
            .env_remove("MLPY_HTTP_TIMEOUT");
        command
    }

    fn mlpy(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("mlpy runs")
    }

    fn grant(&self) -> String {
        format!("network.{}/*", self.server.base())
    }

    /// Serves a module of 20 KB at `path` by `route` (given its whole length and the first
    /// half of its text), and grants fetching it in mlpy.json. Returns the whole text.
    fn half_of_a_module(&self, path: &str, route: impl FnOnce(usize, Vec<u8>) -> Route) -> String {
        let body = format!("// {}\nx = 1;\n", "y".repeat(20_000));
        let sent = body.as_bytes()[..body.len() / 2].to_vec();
        self.server.route(path, route(body.len(), sent));
        std::fs::write(
            self.path("mlpy.json"),
            serde_json::json!({"capabilities": [self.grant()]}).to_string(),
        )
        .unwrap();
        body
    }

    /// Every regular file under the cache folder.
    fn cache_files(&self) -> Vec<PathBuf> {
        self.files_under(self.cache.path())
    }

    /// Every regular file under `dir`.
    fn files_under(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                if entry.file_type().unwrap().is_dir() {
                    stack.push(entry.path());
                } else {
                    out.push(entry.path());
                }
            }
        }
        out
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn all(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// Publishes a small library with `mlpy keygen` and `mlpy publish`, serves it, and
/// writes a project that imports it by URL and through an import source.
fn signed_project(env: &Env) -> String {
    let out = env.mlpy(&["keygen", "--out", "keys/publisher.key"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let public = std::fs::read_to_string(env.path("keys/publisher.key.pub")).unwrap();
    let key_line = public.lines().nth(1).unwrap().to_string();
    assert!(stdout(&out).contains(&key_line));

    env.write(
        "src/stats/v1/stats.ml",
        "import math;\nimport helpers.fmt as fmt;\n\nfunction mean(xs) {\n    total = 0;\n    for (x in xs) {\n        total = total + x;\n    }\n    return total / len(xs);\n}\n\nfunction describe(xs) {\n    return fmt.label(\"mean\", mean(xs)) + \", sqrt(16) = \" + str(math.sqrt(16));\n}\n",
    );
    env.write(
        "src/stats/v1/helpers/fmt.ml",
        "function label(name, value) {\n    return name + \" = \" + str(value);\n}\n",
    );
    env.write(
        "src/shared/greet.ml",
        "function hello(who) {\n    return \"hello \" + who;\n}\n",
    );
    let out = env.mlpy(&[
        "publish",
        "src",
        "--key",
        "keys/publisher.key",
        "--out",
        "site",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(
        stdout(&out).contains("published 3 modules"),
        "{}",
        all(&out)
    );
    for f in [
        "site/stats/v1/stats.ml",
        "site/stats/v1/stats.ml.sig",
        "site/stats/v1/stats.ml.minisig",
        "site/index.json",
        "site/mlpy.pub",
    ] {
        assert!(env.path(f).is_file(), "{f}");
    }
    env.server.serve_dir(&env.path("site"));

    let config = serde_json::json!({
        "import_paths": ["."],
        "capabilities": [env.grant()],
        "trusted_keys": [key_line],
        "import_sources": [{"protocol": "https", "location": env.server.url("/shared")}],
    });
    std::fs::write(env.path("mlpy.json"), config.to_string()).unwrap();
    env.write(
        "main.ml",
        &format!(
            "import {} as stats;\nimport greet;\n\nprint(stats.describe([1, 2, 3, 6]));\nprint(greet.hello(\"remote\"));\n",
            env.server.url("/stats/v1/stats")
        ),
    );
    key_line
}

#[test]
fn a_signed_tree_served_over_https_works_from_check_graph_fetch_and_run() {
    let env = Env::new();
    signed_project(&env);

    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(
        stdout(&out).contains("Checked 4 files: no problems found."),
        "{}",
        all(&out)
    );
    let lock = std::fs::read_to_string(env.path("mlpy.lock")).unwrap();
    for url in [
        "/stats/v1/stats.ml",
        "/stats/v1/helpers/fmt.ml",
        "/shared/greet.ml",
    ] {
        assert!(lock.contains(&env.server.url(url)), "{lock}");
    }

    // Warm and offline: no request at all.
    env.server.reset_log();
    let out = env.mlpy(&["graph", "main.ml", "--cached-only", "--frozen"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let graph = stdout(&out);
    assert!(
        graph.contains(&env.server.url("/stats/v1/helpers/fmt.ml")),
        "{graph}"
    );
    assert!(graph.contains("(cached "), "{graph}");
    assert_eq!(env.server.hits(), 0);

    let out = env.mlpy(&["fetch", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(
        stdout(&out).contains("3 remote modules: 0 downloaded, 3 already cached"),
        "{}",
        all(&out)
    );
    // Not a terminal: no progress bar drawn.
    assert!(!stderr(&out).contains("fetching"), "{}", stderr(&out));
    assert_eq!(env.server.hits(), 0);

    let out = env.mlpy(&["run", "main.ml", "--cached-only"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(
        stdout(&out),
        "mean = 3.0, sqrt(16) = 4.0\nhello remote\n",
        "{}",
        all(&out)
    );
    // The emitted Python: one self-contained file, run by a bare python3.
    let out = env.mlpy(&["transpile", "main.ml", "--cached-only", "-o", "out/app.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let out = Command::new("python3")
        .arg(env.path("out/app.py"))
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "mean = 3.0, sqrt(16) = 4.0\nhello remote\n",
        "{}",
        all(&out)
    );
    assert_eq!(env.server.hits(), 0);
}

#[test]
fn fetch_downloads_with_a_summary_and_refuses_what_changed() {
    let env = Env::new();
    signed_project(&env);
    let out = env.mlpy(&["fetch", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(
        stdout(&out)
            .contains("3 remote modules: 3 downloaded, 0 already cached; recorded in mlpy.lock."),
        "{}",
        all(&out)
    );

    // The publisher ships a new (properly signed) version under the same URL.
    env.write(
        "src/shared/greet.ml",
        "function hello(who) {\n    return \"HELLO \" + who;\n}\n",
    );
    let out = env.mlpy(&[
        "publish",
        "src",
        "--key",
        "keys/publisher.key",
        "--out",
        "site",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let out = env.mlpy(&["check", "main.ml", "--reload"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let text = stdout(&out);
    assert!(text.contains("main.ml:2:8: error:"), "{text}");
    assert!(
        text.contains("has changed since it was recorded in"),
        "{text}"
    );
    assert!(text.contains("--update-lock"), "{text}");

    let out = env.mlpy(&["fetch", "main.ml", "--reload", "--update-lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let out = env.mlpy(&["run", "main.ml"]);
    assert!(stdout(&out).contains("HELLO remote"), "{}", all(&out));
}

#[test]
fn refusals_name_the_place_and_the_remedy() {
    let env = Env::new();
    signed_project(&env);
    // Not fetched yet, offline.
    let out = env.mlpy(&["check", "main.ml", "--cached-only"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let text = stdout(&out);
    assert!(text.contains("main.ml:1:8: error: Remote module"), "{text}");
    assert!(text.contains("is not cached yet"), "{text}");
    assert_eq!(env.server.hits(), 0);

    // Frozen with nothing recorded.
    let out = env.mlpy(&["check", "main.ml", "--frozen"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        stdout(&out).contains("--frozen forbids changing the lockfile"),
        "{}",
        all(&out)
    );
    assert!(!env.path("mlpy.lock").exists());

    // The capability is missing.
    let config = std::fs::read_to_string(env.path("mlpy.json"))
        .unwrap()
        .replace(&env.grant(), "file");
    std::fs::write(env.path("mlpy.json"), config).unwrap();
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("needs the capability '{}'", env.grant())),
        "{text}"
    );
    // A fetch that records nothing does not say it did.
    let out = env.mlpy(&["fetch", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(!stdout(&out).contains("recorded in"), "{}", all(&out));
    assert!(!env.path("mlpy.lock").exists());
    assert!(text.contains(&format!("--allow {}", env.grant())), "{text}");
    // … and granting it on the command line works.
    let out = env.mlpy(&["check", "main.ml", "--allow", &env.grant()]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
}

#[test]
fn bad_settings_are_reported_with_their_place() {
    let env = Env::new();
    signed_project(&env);
    env.write("mlpy.lock", "{\n  \"version\": 1,\n  \"modules\": [1,\n}\n");
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    assert!(stderr(&out).starts_with("mlpy.lock:3:"), "{}", all(&out));
    assert!(
        stderr(&out).contains("error: invalid lockfile"),
        "{}",
        all(&out)
    );
    // A hand-merged lockfile: a URL twice, a hash that is no hash. Each is an error at
    // its place, never read as one of the two entries.
    let hash = "ab".repeat(32);
    for (text, line, words) in [
        (
            format!(
                "{{\"version\": 1, \"modules\": {{\n\"https://h/a.ml\": {{\"sha256\": \"{hash}\"}},\n\"https://h/a.ml\": {{\"sha256\": \"{hash}\"}}}}}}\n"
            ),
            3,
            "\"https://h/a.ml\" is listed twice",
        ),
        (
            "{\"version\": 1, \"modules\": {\n\"https://h/a.ml\": {\"sha256\": \"<<<<<<< HEAD\"}}}\n".to_string(),
            2,
            "expected 64 hexadecimal digits",
        ),
        (
            // git's markers, as a merge both branches changed leaves them.
            format!(
                "{{\n  \"version\": 1,\n  \"modules\": {{\n<<<<<<< HEAD\n    \"https://h/a.ml\": {{\"sha256\": \"{hash}\"}}\n=======\n    \"https://h/b.ml\": {{\"sha256\": \"{hash}\"}}\n>>>>>>> other\n  }}\n}}\n"
            ),
            4,
            "mlpy.lock:4:1: error: the lockfile has an unresolved merge conflict: keep the entries of both sides",
        ),
    ] {
        env.write("mlpy.lock", &text);
        let out = env.mlpy(&["check", "main.ml"]);
        assert_eq!(out.status.code(), Some(2), "{}", all(&out));
        assert!(
            stderr(&out).starts_with(&format!("mlpy.lock:{line}:")),
            "{}",
            all(&out)
        );
        assert!(stderr(&out).contains(words), "{}", all(&out));
        assert_eq!(std::fs::read_to_string(env.path("mlpy.lock")).unwrap(), text);
    }
    std::fs::remove_file(env.path("mlpy.lock")).unwrap();

    let out = env
        .command(&["check", "main.ml"])
        .env("MLPY_AUTH_TOKENS", "no-host-here")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    assert!(
        stderr(&out).contains("MLPY_AUTH_TOKENS entries are"),
        "{}",
        all(&out)
    );

    let out = env.mlpy(&["check", "main.ml", "--cert", "missing.pem"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    assert!(
        stderr(&out).contains("cannot read the CA file 'missing.pem'"),
        "{}",
        all(&out)
    );

    let out = env.mlpy(&["check", "main.ml", "--timeout", "soon"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));

    let config = std::fs::read_to_string(env.path("mlpy.json")).unwrap();
    let broken: serde_json::Value = serde_json::from_str(&config).unwrap();
    let mut broken = broken.as_object().unwrap().clone();
    broken.insert("trusted_keys".into(), serde_json::json!(["not-a-key"]));
    std::fs::write(
        env.path("mlpy.json"),
        serde_json::Value::Object(broken).to_string(),
    )
    .unwrap();
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    assert!(
        stderr(&out).contains("\"trusted_keys[0]\""),
        "{}",
        all(&out)
    );

    // A module with a syntax error is not published.
    env.write("src/bad.ml", "x = (1;\n");
    let out = env.mlpy(&[
        "publish",
        "src",
        "--key",
        "keys/publisher.key",
        "--out",
        "site2",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(stderr(&out).contains("bad.ml:1:"), "{}", all(&out));
    assert!(!env.path("site2/stats").exists());
    // Nor does a missing key sign anything.
    let out = env.mlpy(&["sign", "src/shared/greet.ml", "--key", "nope.key"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    let out = env.mlpy(&["sign", "src/shared/greet.ml", "--key", "keys/publisher.key"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(env.path("src/shared/greet.ml.minisig").is_file());
}

#[test]
fn a_process_killed_mid_download_leaves_no_partial_cache_entry() {
    let env = Env::new();
    let body = env.half_of_a_module("/big.ml", |total, sent| Route::StallMidBody { total, sent });
    env.write(
        "main.ml",
        &format!("import {} {{ verify: false }};\n", env.server.url("/big")),
    );
    let mut child = env
        .command(&["fetch", "main.ml", "--timeout", "60"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the download is under way (the server has sent half the body).
    let started = Instant::now();
    while env.server.requests_for("/big.ml").is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no request came"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "mlpy should still be downloading"
    );
    let killed = child.id();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        env.cache_files(),
        Vec::<PathBuf>::new(),
        "a partial entry was left"
    );
    assert!(!env.path("mlpy.lock").exists());
    // Killed between creating a temporary file and renaming it, a run leaves that file
    // (as SIGKILL at that moment would): the next write into the folder clears it, and
    // leaves the one of a process that still runs.
    let host = env
        .cache
        .path()
        .join(format!("remote/v1/https/127.0.0.1_{}", env.server.port()));
    std::fs::create_dir_all(&host).unwrap();
    let stale = host.join(format!(".0123-big.ml.tmp-{killed}-0"));
    let live = host.join(format!(".0123-big.ml.tmp-{}-0", std::process::id()));
    std::fs::write(&stale, "half").unwrap();
    std::fs::write(&live, "being written").unwrap();

    // The next run, against a server that answers, caches a complete, valid entry.
    env.server.route("/big.ml", Route::ok(body.clone()));
    let out = env.mlpy(&["fetch", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(!stale.exists(), "the killed run's temporary file is left");
    assert!(
        live.exists(),
        "a running process's temporary file was removed"
    );
    std::fs::remove_file(&live).unwrap();
    let files = env.cache_files();
    assert_eq!(files.len(), 2, "{files:?}");
    let content = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "ml"))
        .unwrap();
    assert_eq!(std::fs::read_to_string(content).unwrap(), body);
}

#[test]
fn a_stalled_server_times_out_quickly_with_a_clear_error() {
    let env = Env::new();
    env.server.route("/slow.ml", Route::Stall);
    std::fs::write(
        env.path("mlpy.json"),
        serde_json::json!({"capabilities": [env.grant()]}).to_string(),
    )
    .unwrap();
    env.write(
        "main.ml",
        &format!("import {} {{ verify: false }};\n", env.server.url("/slow")),
    );
    let started = Instant::now();
    let out = env
        .command(&["check", "main.ml"])
        .env("MLPY_HTTP_TIMEOUT", "0.5")
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        stdout(&out).contains("no answer within 0.5s"),
        "{}",
        all(&out)
    );
}

#[test]
fn a_server_that_cuts_the_answer_short_is_named_so_and_nothing_is_cached() {
    let env = Env::new();
    let _ = env.half_of_a_module("/cut.ml", |total, sent| Route::CutMidBody { total, sent });
    env.write(
        "main.ml",
        &format!(
            "x = 1;\nimport {} {{ verify: false }};\n",
            env.server.url("/cut")
        ),
    );
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    // The cause, not only "request or response body error".
    assert!(
        stdout(&out).contains(&format!(
            "main.ml:2:8: error: Cannot fetch '{}': the connection failed while reading the module: the server closed the connection before the whole module arrived [request or response body error: ",
            env.server.url("/cut.ml")
        )),
        "{}",
        all(&out)
    );
    assert!(!all(&out).contains("panicked"), "{}", all(&out));
    assert_eq!(env.cache_files(), Vec::<PathBuf>::new());
    assert!(!env.path("mlpy.lock").exists());
}

/// A team's source tree with symbolic links: a link inside it is published as what it
/// names (as `mlpy run` reads it), a loop is walked once, and a link out of it stops the
/// publish before anything is written (it would publish a file from elsewhere).
#[test]
fn publish_follows_links_inside_the_sources_only() {
    use std::os::unix::fs::symlink;
    let env = Env::new();
    let out = env.mlpy(&["keygen", "--out", "keys/publisher.key"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    env.write("src/lib/a.ml", "n = 1;\n");
    env.write("outside/secret.ml", "secret = \"SECRET\";\n");
    symlink("a.ml", env.path("src/lib/b.ml")).unwrap();
    symlink("lib", env.path("src/alias")).unwrap();
    symlink("..", env.path("src/lib/up")).unwrap();
    let publish = || {
        env.mlpy(&[
            "publish",
            "src",
            "--key",
            "keys/publisher.key",
            "--out",
            "site",
        ])
    };
    let out = publish();
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let mut published: Vec<String> = env
        .files_under(&env.path("site"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ml"))
        .map(|p| {
            p.strip_prefix(env.path("site"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    published.sort();
    assert_eq!(
        published,
        ["alias/a.ml", "alias/b.ml", "lib/a.ml", "lib/b.ml"]
    );
    assert_eq!(
        std::fs::read_to_string(env.path("site/lib/b.ml")).unwrap(),
        "n = 1;\n"
    );

    for (link, target) in [
        ("src/lib/s.ml", "../../outside/secret.ml"),
        ("src/ext", "../outside"),
    ] {
        symlink(target, env.path(link)).unwrap();
        let _ = std::fs::remove_dir_all(env.path("site"));
        let out = publish();
        assert_eq!(out.status.code(), Some(2), "{}", all(&out));
        assert!(
            stderr(&out).contains(&format!(
                "refusing to publish '{}': it is a symbolic link to '",
                std::fs::canonicalize(env.path("src"))
                    .unwrap()
                    .join(&link[4..])
                    .display()
            )) && stderr(&out).contains("outside the source folder; nothing was published"),
            "{}",
            all(&out)
        );
        assert!(!env.path("site").exists(), "nothing is written");
        std::fs::remove_file(env.path(link)).unwrap();
    }
}

/// Programs of one project fetched at the same time each add their modules to the one
/// `mlpy.lock`: none of them may lose what another recorded.
#[test]
fn concurrent_fetches_in_one_project_lose_no_lockfile_entry() {
    let env = Env::new();
    const RUNS: usize = 10;
    for i in 0..RUNS {
        env.server
            .file(&format!("/many/m{i}.ml"), format!("n = {i};\n"));
        env.write(
            &format!("e{i}.ml"),
            &format!(
                "import {} {{ verify: false }};\nprint(m{i}.n);\n",
                env.server.url(&format!("/many/m{i}"))
            ),
        );
    }
    std::fs::write(
        env.path("mlpy.json"),
        serde_json::json!({"capabilities": [env.grant()]}).to_string(),
    )
    .unwrap();
    let children: Vec<_> = (0..RUNS)
        .map(|i| {
            env.command(&["fetch", &format!("e{i}.ml")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    }
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("mlpy.lock")).unwrap()).unwrap();
    let modules = lock["modules"].as_object().unwrap();
    for i in 0..RUNS {
        let url = env.server.url(&format!("/many/m{i}.ml"));
        assert!(modules.contains_key(&url), "{url} lost: {modules:?}");
    }
    // The lock is taken on the folder: no file of its own is left beside mlpy.lock.
    let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.contains("lock"))
        .collect();
    names.sort();
    assert_eq!(names, ["mlpy.lock"]);
}

/// A project whose `main.ml` prints `util.twice(21)`, `util` an unverified module the
/// server answers with `util` (network granted).
fn util_project(util: &str) -> Env {
    let env = Env::new();
    env.server.route("/util.ml", Route::ok(util));
    std::fs::write(
        env.path("mlpy.json"),
        serde_json::json!({"capabilities": [env.grant()]}).to_string(),
    )
    .unwrap();
    env.write(
        "main.ml",
        &format!(
            "import {} {{ verify: false }};\nprint(util.twice(21));\n",
            env.server.url("/util")
        ),
    );
    env
}

/// `mlpy run main.ml` with none of the variables that name a cache folder, and `temp` as
/// the temporary folder.
fn run_without_home(env: &Env, temp: &Path) -> std::process::Output {
    env.command(&["run", "main.ml"])
        .env_remove("MLPY_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("HOME")
        .env_remove("LOCALAPPDATA")
        .env("TMPDIR", temp)
        .output()
        .unwrap()
}

/// Without `HOME` (and without `MLPY_CACHE_DIR`, `XDG_CACHE_HOME`, `LOCALAPPDATA`), the
/// remote-module cache and `mlpy run`'s programs still share one folder: the user's own
/// in the temporary folder (one rule, `mlpy_fsutil::cache_dir`).
#[test]
fn without_home_remote_modules_and_run_share_one_cache_folder() {
    let env = util_project("function twice(x) { return 2 * x; }\n");
    let temp = tempfile::tempdir().unwrap();
    let out = run_without_home(&env, temp.path());
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(stdout(&out), "42\n", "{}", all(&out));
    let folders: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert!(folders[0].starts_with("mlpy-cache"), "{folders:?}");
    let cache = temp.path().join(&folders[0]);
    assert!(
        cache.join("remote/v1").is_dir(),
        "no remote modules in {cache:?}"
    );
    assert!(cache.join("run").is_dir(), "no programs in {cache:?}");
    assert!(
        env.cache_files().is_empty(),
        "MLPY_CACHE_DIR was unset: nothing goes there"
    );
}

/// A compromised server answers one module with another the publisher signed, its
/// `.sig` and `.minisig` included: every byte and signature checks out, but the
/// signature was made for another file (its trusted comment names it), so the module is
/// refused at its import, nothing is cached or recorded for it, and the other modules of
/// the program still load.
#[test]
fn a_module_answered_with_another_signed_module_is_refused() {
    let env = Env::new();
    signed_project(&env);
    for suffix in ["", ".sig", ".minisig"] {
        std::fs::copy(
            env.path(&format!("site/stats/v1/helpers/fmt.ml{suffix}")),
            env.path(&format!("site/shared/greet.ml{suffix}")),
        )
        .unwrap();
    }
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "main.ml:2:8: error: Integrity check failed for '{}': the ed25519 signature by key ",
            env.server.url("/shared/greet.ml")
        )),
        "{text}"
    );
    assert!(
        text.contains("was made for the file 'fmt.ml', not 'greet.ml'"),
        "{text}"
    );
    assert_eq!(text.matches(": error:").count(), 1, "{text}");
    assert!(!all(&out).contains("panicked"), "{}", all(&out));
    let lock = std::fs::read_to_string(env.path("mlpy.lock")).unwrap_or_default();
    assert!(!lock.contains("greet.ml"), "{lock}");
    assert!(
        !env.cache_files()
            .iter()
            .any(|f| f.to_string_lossy().contains("greet")),
        "{:?}",
        env.cache_files()
    );
}

/// The module cache is shared by every project: an entry over the `max_module_size` of
/// the project reading it is sound, not corrupt. It is refused there, at the import, and
/// kept for the project that fetched it (which then still runs offline).
#[test]
fn a_cached_module_over_another_projects_size_limit_is_kept() {
    let env = Env::new();
    let body = format!("// {}\nx = 1;\nprint(\"big\");\n", "y".repeat(3000));
    let size = body.len();
    env.server.route("/big.ml", Route::ok(body));
    let grant = env.grant();
    let import = format!("import {} {{ verify: false }};\n", env.server.url("/big"));
    for (folder, config) in [
        ("a", serde_json::json!({"capabilities": [grant]})),
        (
            "b",
            serde_json::json!({"capabilities": [grant], "max_module_size": 1000}),
        ),
    ] {
        env.write(&format!("{folder}/mlpy.json"), &config.to_string());
        env.write(&format!("{folder}/main.ml"), &import);
    }
    let run = |folder: &str, extra: &[&str]| {
        let mut args = vec!["run", "main.ml"];
        args.extend_from_slice(extra);
        env.command(&args)
            .current_dir(env.path(folder))
            .output()
            .unwrap()
    };
    let out = run("a", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(stdout(&out), "big\n");
    let cached = env.cache_files();

    let out = run("b", &["--cached-only"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        all(&out).contains(&format!(
            "main.ml:1:8: error: Cannot fetch '{}': the cached copy cannot be used here: the cached module is {size} bytes, over the limit of 1000 (\"max_module_size\" in mlpy.json); it is kept in the cache",
            env.server.url("/big.ml")
        )),
        "{}",
        all(&out)
    );
    let out = run("b", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        all(&out).contains("main.ml:1:8: error: Cannot fetch")
            && all(&out).contains("larger than the limit of 1000 bytes"),
        "{}",
        all(&out)
    );
    for file in &cached {
        assert!(file.is_file(), "{} was removed", file.display());
    }
    env.server.reset_log();
    let out = run("a", &["--cached-only"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(stdout(&out), "big\n");
    assert_eq!(env.server.hits(), 0);
}

/// `mlpy.lock` as a link to a team's shared lockfile that is not written yet: the first
/// fetch writes the file the link names and the link stays. A link whose folder is
/// missing fails the fetch, naming where it leads, and is left as it was.
#[test]
fn a_linked_lockfile_not_written_yet_is_written_through_its_link() {
    use std::os::unix::fs::symlink;
    let env = Env::new();
    env.server.route("/m.ml", Route::ok("x = 1;\n"));
    env.write(
        "app/mlpy.json",
        &serde_json::json!({"capabilities": [env.grant()]}).to_string(),
    );
    env.write(
        "app/main.ml",
        &format!("import {} {{ verify: false }};\n", env.server.url("/m")),
    );
    std::fs::create_dir_all(env.path("shared")).unwrap();
    let link = env.path("app/mlpy.lock");
    symlink("../shared/team.lock", &link).unwrap();
    let fetch = || {
        env.command(&["fetch", "main.ml"])
            .current_dir(env.path("app"))
            .output()
            .unwrap()
    };
    let out = fetch();
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let shared = std::fs::read_to_string(env.path("shared/team.lock")).unwrap();
    assert!(shared.contains(&env.server.url("/m.ml")), "{shared}");

    std::fs::remove_file(&link).unwrap();
    symlink("../missing/team.lock", &link).unwrap();
    let out = fetch();
    assert_ne!(out.status.code(), Some(0), "{}", all(&out));
    assert!(
        all(&out).contains("cannot write the lockfile where its symbolic link leads"),
        "{}",
        all(&out)
    );
    assert!(!all(&out).contains("panicked"), "{}", all(&out));
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("../missing/team.lock")
    );
}

/// Without `HOME` the cache folder's name in the shared temporary folder is predictable:
/// another user can create it first, writable by all, with modules planted in it. mlpy
/// does not use such a folder (the program gets the server's module, not the planted
/// one) and leaves it as it is.
#[cfg(unix)]
#[test]
fn without_home_a_cache_folder_others_can_write_into_is_not_used() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let env = util_project("function twice(x) { return -1; }\nprint(\"planted\");\n");
    let temp = tempfile::tempdir().unwrap();
    let uid = std::fs::metadata(temp.path()).unwrap().uid();
    let squatted = temp.path().join(format!("mlpy-cache-{uid}"));
    // The planted entry: exactly what a fetch of that URL stores.
    let out = env
        .command(&["fetch", "main.ml"])
        .env("MLPY_CACHE_DIR", &squatted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    std::fs::remove_file(env.path("mlpy.lock")).unwrap();
    std::fs::set_permissions(&squatted, std::fs::Permissions::from_mode(0o777)).unwrap();
    let planted = env.files_under(&squatted);
    env.server.route(
        "/util.ml",
        Route::ok("function twice(x) { return 2 * x; }\n"),
    );

    let out = run_without_home(&env, temp.path());
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(stdout(&out), "42\n", "{}", all(&out));
    assert_eq!(
        env.files_under(&squatted),
        planted,
        "the folder is left as it was"
    );
    let own: Vec<PathBuf> = std::fs::read_dir(temp.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| *p != squatted)
        .collect();
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(std::fs::metadata(&own[0]).unwrap().mode() & 0o777, 0o700);
    assert!(own[0].join("remote/v1").is_dir() && own[0].join("run").is_dir());
}

#[allow(dead_code)]
fn _unused(_: &Path) {}
