//! Git imports end to end: real repositories made by the tests with the real `git`,
//! fetched over `git+file://` and from a real `git daemon` on 127.0.0.1, through the
//! real `mlpy` binary (and `python3` for `mlpy run`).

mod gitkit;

use gitkit::{git, mlpy, run, stdout, text, Daemon, Repo};
use std::path::Path;

struct Env {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn project(&self) -> std::path::PathBuf {
        self.dir.path().join("app")
    }

    fn write(&self, relative: &str, body: &str) {
        let path = self.project().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }

    fn mlpy(&self, args: &[&str]) -> std::process::Output {
        run(&mut mlpy(self.cache.path(), &self.project(), args))
    }

    fn lock(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.project().join("mlpy.lock")).unwrap())
            .unwrap()
    }
}

/// A library: `lib/stats.ml` imports `helpers.fmt` (its own folder) and `version`
/// (the repository root).
fn library(env: &Env, version: &str) -> Repo {
    let repo = Repo::new(env.root(), "org/statslib");
    repo.write(
        "lib/stats.ml",
        "import helpers.fmt as fmt;\nimport version;\n\nfunction describe(xs) {\n    total = 0;\n    for (x in xs) {\n        total = total + x;\n    }\n    return fmt.label(\"sum\", total) + \" (\" + version.name + \")\";\n}\n",
    );
    repo.write(
        "lib/helpers/fmt.ml",
        "function label(name, value) {\n    return name + \" = \" + str(value);\n}\n",
    );
    repo.write("version.ml", &format!("name = \"{version}\";\n"));
    repo.write("README.md", "not a module\n");
    repo
}

#[test]
fn tag_branch_and_commit_refs_over_git_file() {
    let env = Env::new();
    let repo = library(&env, "v1");
    let first = repo.commit("one");
    repo.tag("v1");
    let url = repo.file_url();
    env.write(
        "mlpy.json",
        &format!(
            "{{\"capabilities\": [\"git.clone.{url}\"], \"import_sources\": [{{\"protocol\": \"git\", \"location\": \"{url}@v1/lib\"}}]}}"
        ),
    );
    env.write(
        "main.ml",
        &format!(
            "import {url}@v1/lib/stats;\nimport {url}@main/lib/stats as onmain;\nimport {url}@{first}/lib/stats as pinned;\nimport helpers.fmt as viasource;\n\nprint(stats.describe([1, 2, 3]));\nprint(onmain.describe([4]));\nprint(pinned.describe([5]));\nprint(viasource.label(\"via source\", 1));\n"
        ),
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(
        stdout(&out),
        "sum = 6 (v1)\nsum = 4 (v1)\nsum = 5 (v1)\nvia source = 1\n",
        "{}",
        text(&out)
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let lock = env.lock();
    assert_eq!(lock["refs"][format!("{url}@v1")]["commit"], first.as_str());
    assert_eq!(
        lock["refs"][format!("{url}@main")]["commit"],
        first.as_str()
    );
    let modules = lock["modules"].as_object().unwrap();
    for key in [
        format!("{url}@v1/lib/stats.ml"),
        format!("{url}@v1/lib/helpers/fmt.ml"),
        format!("{url}@v1/version.ml"),
        format!("{url}@main/lib/stats.ml"),
        format!("{url}@{first}/lib/stats.ml"),
    ] {
        assert!(modules.contains_key(&key), "{key} not in {modules:?}");
    }

    // The graph names git modules by URL; check passes.
    let out = env.mlpy(&["graph", "main.ml"]);
    assert!(
        stdout(&out).contains(&format!("{url}@v1/lib/helpers/fmt.ml")),
        "{}",
        text(&out)
    );
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Without the capability: refused, naming it.
    env.write("mlpy.json", "{}");
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "main.ml:1:8: error: Importing '{}' needs the capability 'git.clone.{url}'",
            url
        )),
        "{}",
        text(&out)
    );
}

#[test]
fn git_daemon_refs_and_clear_errors() {
    let env = Env::new();
    let repo = library(&env, "daemon");
    repo.commit("one");
    repo.tag("v1");
    git(&repo.work, &["branch", "feature/x"]);
    let bare = repo.bare.to_string_lossy().into_owned();
    git(&repo.work, &["push", "-q", &bare, "feature/x"]);
    let mut daemon = Daemon::start(&env.root().join("srv"));
    let url = daemon.url("org/statslib.git");
    env.write(
        "mlpy.json",
        &format!(
            "{{\"capabilities\": [\"git.clone.git://127.0.0.1:{}/*\"]}}",
            daemon.port
        ),
    );
    env.write(
        "main.ml",
        &format!(
            "import {url}@v1/lib/stats;\nimport {url}@feature%2Fx/lib/helpers/fmt;\nprint(stats.describe([2, 2]));\nprint(fmt.label(\"branch\", 0));\n"
        ),
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(
        stdout(&out),
        "sum = 4 (daemon)\nbranch = 0\n",
        "{}",
        text(&out)
    );

    // A ref that does not exist: the refs that do are listed.
    env.write(
        "bad_ref.ml",
        &format!("import {url}@v9/lib/stats;\nprint(stats);\n"),
    );
    let out = env.mlpy(&["check", "bad_ref.ml"]);
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out);
    assert!(
        all.contains(&format!(
            "bad_ref.ml:1:8: error: the repository {url} has no branch or tag 'v9' (it has: feature/x, main, v1)"
        )),
        "{all}"
    );
    assert!(all.contains("git said:"), "{all}");

    // A module that is not in the repository: what is there is listed.
    env.write(
        "bad_module.ml",
        &format!("import {url}@v1/lib/stat;\nprint(stat);\n"),
    );
    let out = env.mlpy(&["check", "bad_module.ml"]);
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out);
    assert!(
        all.contains(&format!(
            "bad_module.ml:1:8: error: Module '{url}@v1/lib/stat' not found"
        )),
        "{all}"
    );
    assert!(
        all.contains("the repository has in lib/: helpers/, stats.ml"),
        "{all}"
    );
    assert!(all.contains("did you mean 'stats'?"), "{all}");

    // A repository that does not exist.
    let missing = daemon.url("org/nothing.git");
    env.write(
        "bad_repo.ml",
        &format!("import {missing}@v1/lib/stats;\nprint(stats);\n"),
    );
    let out = env.mlpy(&["check", "bad_repo.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(&format!(
            "bad_repo.ml:1:8: error: the git repository {missing} does not exist"
        )),
        "{}",
        text(&out)
    );

    // Offline from the cache once the daemon is gone.
    daemon.stop();
    let out = env.mlpy(&["run", "--cached-only", "main.ml"]);
    assert_eq!(
        stdout(&out),
        "sum = 4 (daemon)\nbranch = 0\n",
        "{}",
        text(&out)
    );
    // Pinned and cached: a normal run needs no network either.
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // --reload asks the repository, which is unreachable now.
    let out = env.mlpy(&["check", "--reload", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(&format!("cannot connect to the git repository {url}")),
        "{}",
        text(&out)
    );
}

#[test]
fn lockfile_pins_commits_and_reports_a_moved_tag() {
    let env = Env::new();
    let repo = library(&env, "first");
    let first = repo.commit("one");
    repo.tag("v1");
    let url = repo.file_url();
    env.write("mlpy.json", "{\"capabilities\": [\"git.clone\"]}");
    env.write(
        "main.ml",
        &format!("import {url}@v1/lib/stats;\nprint(stats.describe([1]));\n"),
    );

    // Cached only, before anything was fetched: not cached yet.
    let out = env.mlpy(&["check", "--cached-only", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(&format!(
            "main.ml:1:8: error: Remote module '{url}@v1/lib/stats.ml' is not cached yet"
        )),
        "{}",
        text(&out)
    );

    let out = env.mlpy(&["fetch", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stdout(&out).contains("3 remote modules"), "{}", text(&out));
    assert_eq!(
        env.lock()["refs"][format!("{url}@v1")]["commit"],
        first.as_str()
    );

    // The tag moves to a commit with other code.
    repo.write("version.ml", "name = \"second\";\n");
    let second = repo.commit("two");
    repo.tag("v1");

    // The lockfile's commit is used (from the cache: no git at all).
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "sum = 1 (first)\n", "{}", text(&out));
    let out = env.mlpy(&["run", "--cached-only", "main.ml"]);
    assert_eq!(stdout(&out), "sum = 1 (first)\n", "{}", text(&out));

    // Asking the repository again reports the move, with both commits.
    let out = env.mlpy(&["check", "--reload", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out);
    assert!(
        all.contains(&format!(
            "main.ml:1:8: error: '{url}@v1' now names commit {second}, but {} pins commit {first}",
            env.project().join("mlpy.lock").display()
        )),
        "{all}"
    );
    assert!(all.contains("--update-lock"), "{all}");
    let lock_before = std::fs::read_to_string(env.project().join("mlpy.lock")).unwrap();

    // --frozen refuses too; the lockfile is untouched.
    let out = env.mlpy(&["fetch", "--frozen", "--reload", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(env.project().join("mlpy.lock")).unwrap(),
        lock_before
    );

    // --update-lock accepts the move.
    let out = env.mlpy(&["fetch", "--update-lock", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        env.lock()["refs"][format!("{url}@v1")]["commit"],
        second.as_str()
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "sum = 1 (second)\n", "{}", text(&out));

    // A fresh cache with the lockfile pinning `second`: the commit is fetched by hash.
    let fresh = tempfile::tempdir().unwrap();
    let out = run(&mut mlpy(
        fresh.path(),
        &env.project(),
        &["run", "--frozen", "main.ml"],
    ));
    assert_eq!(stdout(&out), "sum = 1 (second)\n", "{}", text(&out));
}

#[test]
fn git_not_installed_is_a_clear_error() {
    let env = Env::new();
    let repo = library(&env, "x");
    repo.commit("one");
    let url = repo.file_url();
    env.write("mlpy.json", "{\"capabilities\": [\"git.clone\"]}");
    env.write(
        "main.ml",
        &format!("import {url}@main/lib/stats;\nprint(stats);\n"),
    );
    let empty = tempfile::tempdir().unwrap();
    let out = run(
        mlpy(env.cache.path(), &env.project(), &["check", "main.ml"]).env("PATH", empty.path()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(
            "main.ml:1:8: error: git imports need the `git` command, which is not installed (or not on PATH): install git"
        ),
        "{}",
        text(&out)
    );
    // Nothing half-made is left in the cache.
    let leftovers: Vec<_> = walk(env.cache.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_git_urls_have_positions() {
    let env = Env::new();
    env.write("mlpy.json", "{\"capabilities\": [\"git.clone\"]}");
    env.write(
        "main.ml",
        "x = 1;\nimport git://127.0.0.1:1/org/repo/lib/stats;\nimport git://127.0.0.1:1/org/repo@-evil/m;\n",
    );
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out);
    assert!(
        all.contains("main.ml:2:8: error: 'git://127.0.0.1:1/org/repo/lib/stats' names no ref"),
        "{all}"
    );
    assert!(all.contains("main.ml:3:8: error: 'git://127.0.0.1:1/org/repo@-evil/m': '-evil' is not a valid git ref"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
}

/// git decodes `%` escapes in a repository's URL before it fetches: an escaped `/` in
/// the repository path would match a grant of one folder of repositories and name one
/// outside it. Refused at the import, before git runs or anything is cached.
#[test]
fn an_encoded_separator_in_the_repository_path_cannot_leave_the_granted_folder() {
    let env = Env::new();
    let allowed = Repo::new(env.root(), "org/statslib");
    allowed.write("m.ml", "print(\"allowed\");\n");
    allowed.commit("allowed");
    let secret = Repo::new(env.root(), "secret");
    secret.write("m.ml", "print(\"SECRET\");\n");
    secret.commit("secret");
    let srv = env.root().join("srv");
    env.write(
        "mlpy.json",
        &serde_json::json!({
            "capabilities": [format!("git.clone.git+file://{}/org/*", srv.display())]
        })
        .to_string(),
    );
    for escaped in ["%2f", "%2F", "%5c"] {
        let import = format!(
            "git+file://{}/org/statslib.git{escaped}..{escaped}..{escaped}secret.git@main/m",
            srv.display()
        );
        env.write("main.ml", &format!("import {import};\n"));
        let out = env.mlpy(&["run", "main.ml"]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert!(!all.contains("SECRET"), "{all}");
        assert!(
            all.contains(&format!(
                "main.ml:1:8: error: '{import}': the repository path cannot contain an encoded `/`"
            )),
            "{all}"
        );
        assert!(walk(env.cache.path())
            .iter()
            .all(|f| !f.to_string_lossy().contains("secret")));
    }
    // The repository the grant names still works.
    env.write(
        "main.ml",
        &format!("import {}@main/m;\n", allowed.file_url()),
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(stdout(&out), "allowed\n");
}

/// A `git+https` server that redirects to another host: git follows a redirect of its
/// first request by default, which would fetch from a host no `git.clone` grant names
/// (an https import refuses every hop it is not granted). mlpy's git never follows one:
/// the other host gets no request, and the import fails at its place.
#[test]
fn a_git_https_redirect_to_another_host_is_not_followed() {
    use mlpy_testkit::{Route, Server, TestCa};
    let env = Env::new();
    let ca = TestCa::new();
    let ca_file = ca.write_pem(&env.root().join("ca.pem"));
    let server = Server::https(&ca);
    let elsewhere = format!("{}/elsewhere/repo/info/refs", server.base_for("localhost"));
    server.route(
        "/org/repo/info/refs",
        Route::handler(move |request| {
            let query = request.path.split_once('?').map(|(_, q)| q).unwrap_or("");
            Route::redirect(format!("{elsewhere}?{query}"))
        }),
    );
    env.write(
        "mlpy.json",
        &serde_json::json!({
            "capabilities": [format!("git.clone.git+https://127.0.0.1:{}/*", server.port())]
        })
        .to_string(),
    );
    env.write(
        "main.ml",
        &format!(
            "x = 1;\nimport git+https://127.0.0.1:{}/org/repo@main/m;\n",
            server.port()
        ),
    );
    let out = run(
        mlpy(env.cache.path(), &env.project(), &["check", "main.ml"])
            .env("GIT_SSL_CAINFO", &ca_file),
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains(&format!("main.ml:2:8: error: the server of git+https://127.0.0.1:{}/org/repo redirects elsewhere, and git imports never follow a redirect", server.port())),
        "{all}"
    );
    assert!(!all.contains("panicked"), "{all}");
    assert!(
        !server.requests_for("/org/repo/info/refs").is_empty(),
        "{all}"
    );
    assert_eq!(
        server.requests_for("/elsewhere/repo/info/refs").len(),
        0,
        "git followed the redirect: {all}"
    );
}

/// The branch a lockfile pins is force-pushed and its old commit collected: a machine
/// without the commit in its cache cannot fetch it. The error says that the lockfile
/// pins it and how to accept the branch's new commit; `--update-lock` does.
#[test]
fn a_pinned_commit_gone_after_a_force_push_is_explained() {
    let env = Env::new();
    let repo = Repo::new(env.root(), "org/lib");
    repo.write("m.ml", "print(\"v1\");\n");
    let old = repo.commit("v1");
    env.write("mlpy.json", "{\"capabilities\": [\"git.clone\"]}");
    env.write("main.ml", &format!("import {}@main/m;\n", repo.file_url()));
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "v1\n", "{}", text(&out));

    git(&repo.work, &["checkout", "-q", "--orphan", "rewritten"]);
    repo.write("m.ml", "print(\"v2\");\n");
    git(&repo.work, &["add", "-A"]);
    git(&repo.work, &["commit", "-q", "-m", "v2"]);
    let bare = repo.bare.to_string_lossy().into_owned();
    git(
        &repo.work,
        &["push", "-q", "-f", &bare, "HEAD:refs/heads/main"],
    );
    git(&repo.bare, &["reflog", "expire", "--expire=now", "--all"]);
    git(&repo.bare, &["gc", "-q", "--prune=now"]);

    let other_machine = tempfile::tempdir().unwrap();
    let mlpy_there = |args: &[&str]| run(&mut mlpy(other_machine.path(), &env.project(), args));
    let out = mlpy_there(&["run", "main.ml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains(&format!("main.ml:1:8: error: the repository {} has no commit '{old}' (it has: main); mlpy.lock pins it for 'main', so that ref was moved or force-pushed since", repo.file_url())),
        "{all}"
    );
    assert!(all.contains("--update-lock"), "{all}");
    let out = mlpy_there(&["fetch", "main.ml", "--update-lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = mlpy_there(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "v2\n", "{}", text(&out));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            }
            out.push(e.path());
        }
    }
    out
}

#[test]
fn concurrent_runs_share_the_cache_and_stale_git_locks_are_cleared() {
    let env = Env::new();
    let repo = library(&env, "shared");
    repo.commit("one");
    repo.tag("v1");
    let url = repo.file_url();
    env.write("mlpy.json", "{\"capabilities\": [\"git.clone\"]}");
    env.write(
        "main.ml",
        &format!("import {url}@v1/lib/stats;\nprint(stats.describe([7]));\n"),
    );
    // Four runs at once on an empty cache: one bare clone, one fetch at a time.
    let children: Vec<_> = (0..4)
        .map(|_| {
            mlpy(env.cache.path(), &env.project(), &["check", "main.ml"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let clones: Vec<_> = walk(&env.cache.path().join("git/v1/repos"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "git") && p.is_dir())
        .collect();
    assert_eq!(clones.len(), 1, "{clones:?}");
    // A run killed in the middle of a fetch leaves git's lock files behind: the next
    // fetch (under mlpy's own lock) clears them.
    std::fs::write(clones[0].join("shallow.lock"), "").unwrap();
    std::fs::create_dir_all(clones[0].join("refs/mlpy")).unwrap();
    std::fs::write(clones[0].join("refs/mlpy/stale.lock"), "").unwrap();
    let out = env.mlpy(&["run", "--reload", "main.ml"]);
    assert_eq!(stdout(&out), "sum = 7 (shared)\n", "{}", text(&out));
    let leftovers: Vec<_> = walk(env.cache.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp-") || p.ends_with("shallow.lock"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn symbolic_links_are_followed_inside_the_repository_only_and_submodules_are_named() {
    use std::os::unix::fs::symlink;
    let env = Env::new();
    // A file beside the repositories that a link in one of them names: its text must
    // never reach a module, an error or the cache.
    std::fs::write(
        env.root().join("secret.ml"),
        "function pw() { return \"SECRET\"; }\n",
    )
    .unwrap();
    let dep = Repo::new(env.root(), "org/dep");
    dep.write("dep.ml", "x = 1;\n");
    dep.commit("dep");
    let repo = Repo::new(env.root(), "org/links");
    repo.write("lib/a.ml", "function f() { return 41; }\n");
    symlink("a.ml", repo.work.join("lib/inside.ml")).unwrap();
    symlink("lib", repo.work.join("linkdir")).unwrap();
    // work/org/links/lib/out.ml -> the secret, three folders up (and its variants).
    symlink("../../../../secret.ml", repo.work.join("lib/out.ml")).unwrap();
    symlink(env.root().join("secret.ml"), repo.work.join("lib/abs.ml")).unwrap();
    symlink("../../../../", repo.work.join("lib/up")).unwrap();
    symlink("loop.ml", repo.work.join("lib/loop.ml")).unwrap();
    git(&repo.work, &["checkout", "-q", "-b", "feature/x"]);
    git(
        &repo.work,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &dep.bare.to_string_lossy(),
            "vendor/dep",
        ],
    );
    repo.commit("links");
    let bare = repo.bare.to_string_lossy().into_owned();
    git(&repo.work, &["push", "-q", &bare, "feature/x"]);
    let url = repo.file_url();
    env.write("mlpy.json", "{\"capabilities\": [\"git.clone\"]}");

    // Links inside the repository read what they name, as a checkout would.
    env.write(
        "main.ml",
        &format!(
            "import {url}@feature%2Fx/lib/inside;\nimport {url}@feature%2Fx/linkdir/a;\nprint(inside.f() + a.f());\n"
        ),
    );
    let out = env.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), "82\n", "{}", text(&out));

    // Links out of it are refused at the import, naming the link; never followed.
    for (module, says) in [
        ("lib/out", "lib/out.ml is a symbolic link out of the repository (to \"../../../secret.ml\", from the repository's root), at commit "),
        ("lib/abs", "lib/abs.ml is a symbolic link out of the repository (to \"/"),
        ("lib/up/secret", "lib/up/secret.ml is a symbolic link out of the repository"),
        ("lib/loop", "lib/loop.ml is a symbolic link that leads round in a loop"),
    ] {
        env.write(
            "main.ml",
            &format!("x = 1;\nimport {url}@feature%2Fx/{module} as m;\nprint(m);\n"),
        );
        let out = env.mlpy(&["check", "main.ml"]);
        assert_eq!(out.status.code(), Some(1), "{module}: {}", text(&out));
        assert!(
            text(&out).contains("main.ml:2:8: error: ") && text(&out).contains(says),
            "{module}: {says:?} not in:\n{}",
            text(&out)
        );
        assert!(!text(&out).contains("SECRET"), "{}", text(&out));
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
    }
    for file in walk(env.cache.path()).into_iter().filter(|p| p.is_file()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET"),
            "{}",
            file.display()
        );
    }

    // A module in a submodule: mlpy does not fetch submodules, and says so.
    env.write(
        "main.ml",
        &format!("import {url}@feature%2Fx/vendor/dep/dep;\nprint(dep);\n"),
    );
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("vendor/dep/ is a git submodule, and mlpy does not fetch submodules"),
        "{}",
        text(&out)
    );

    // A branch with a `/` written as is: the error says how to write it.
    env.write(
        "main.ml",
        &format!("import {url}@feature/x/lib/a;\nprint(a);\n"),
    );
    let out = env.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("has no branch or tag 'feature'")
            && text(&out).contains("a `/` in a ref is written %2F: @feature%2Fx"),
        "{}",
        text(&out)
    );
}
