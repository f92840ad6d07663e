//! Remote imports against a real HTTPS server on 127.0.0.1 (rustls, a throwaway CA from
//! rcgen): fetching, nested imports, import sources, and every attack the resolver must
//! refuse. No mocks: the resolver talks TLS to the server, the cache is a real folder.

use mlpy_analysis::graph_checks::graph_diagnostics;
use mlpy_modules::{EdgeTarget, ModuleCache, ModuleGraph, Origin, ProjectConfig, ResolveError};
use mlpy_remote::publish::{generate_keypair, NewKeyPair, SigningKey};
use mlpy_remote::{self as remote, Network, RemoteContext, RemoteOptions};
use mlpy_testkit::{Route, Server, TestCa};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Env {
    _ca: TestCa,
    server: Server,
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    _ca_dir: tempfile::TempDir,
    ca_file: PathBuf,
    key: NewKeyPair,
    signer: SigningKey,
}

impl Env {
    fn new() -> Env {
        let ca = TestCa::new();
        let server = Server::https(&ca);
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        // Outside the project and the cache, and removed with the test.
        let ca_dir = tempfile::tempdir().unwrap();
        let ca_file = ca.write_pem(&ca_dir.path().join("ca.pem"));
        let key = generate_keypair().unwrap();
        let signer = SigningKey::from_text(&key.secret, None).unwrap();
        Env {
            _ca: ca,
            server,
            dir,
            cache,
            _ca_dir: ca_dir,
            ca_file,
            key,
            signer,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// The capability for the test server.
    fn grant(&self) -> String {
        format!("network.{}/*", self.server.base())
    }

    /// Serves `text` at `path` with its `.sig` and `.minisig`.
    fn signed(&self, path: &str, text: &str) {
        self.signed_by(path, text, &self.signer);
    }

    fn signed_by(&self, path: &str, text: &str, signer: &SigningKey) {
        // Signed for its own file name, as `mlpy publish` signs it.
        let name = path.rsplit('/').next().unwrap();
        let s = signer.sign(text.as_bytes(), name).unwrap();
        self.server.file(path, text);
        self.server.file(&format!("{path}.sig"), s.sig);
        self.server.file(&format!("{path}.minisig"), s.minisig);
    }

    /// Writes the project: `main.ml` and `mlpy.json` with `extra` merged in, the test
    /// server granted and the test key trusted.
    fn project(&self, main: &str, extra: serde_json::Value) -> PathBuf {
        let mut config = serde_json::json!({
            "import_paths": ["."],
            "capabilities": [self.grant()],
            "trusted_keys": [self.key.public_base64],
        });
        if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                c.insert(k.clone(), v.clone());
            }
        }
        std::fs::write(self.dir.path().join("mlpy.json"), config.to_string()).unwrap();
        let main_path = self.dir.path().join("main.ml");
        std::fs::write(&main_path, main).unwrap();
        main_path
    }

    fn file(&self, path: &str, text: &str) {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn options(&self) -> RemoteOptions {
        RemoteOptions {
            network: Network::Online,
            reload: false,
            frozen: false,
            update_lock: false,
            write_lockfile: true,
            lockfile: None,
            cache_dir: self.cache.path().to_path_buf(),
            ca_files: vec![self.ca_file.clone()],
            insecure_http_hosts: Vec::new(),
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            max_redirects: 5,
            auth_tokens: None,
            progress: None,
        }
    }

    fn build(&self, options: RemoteOptions) -> (ModuleGraph, Arc<RemoteContext>) {
        let config = ProjectConfig::load(&self.dir.path().join("mlpy.json")).unwrap();
        let (resolver, context) = remote::resolver(Arc::new(config), options).unwrap();
        let graph = ModuleGraph::build(
            &self.dir.path().join("main.ml"),
            &resolver,
            &ModuleCache::new(),
        )
        .unwrap();
        resolver.finish().unwrap();
        (graph, context)
    }

    fn lockfile(&self) -> PathBuf {
        self.dir.path().join("mlpy.lock")
    }
}

/// The import errors of the graph's entry module.
fn entry_errors(graph: &ModuleGraph) -> Vec<ResolveError> {
    graph
        .entry_module()
        .imports
        .iter()
        .filter_map(|e| e.target.clone().err())
        .collect()
}

fn single_error(graph: &ModuleGraph) -> ResolveError {
    let errors = entry_errors(graph);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

fn no_errors(graph: &ModuleGraph) {
    let all: Vec<_> = graph_diagnostics(graph)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {} {:?}", d.file.display(), d.message, d.notes))
        .collect();
    assert!(all.is_empty(), "{all:#?}");
}

#[test]
fn fetches_nested_remote_modules_and_warm_runs_make_no_request() {
    let env = Env::new();
    env.signed(
        "/lib/v2/math.ml",
        "import math;\nimport util.strings;\nfunction sq(x) { return x * x + strings.n; }\n",
    );
    env.signed("/lib/v2/util/strings.ml", "n = 1;\n");
    let main = format!("import {};\nprint(math.sq(3));\n", env.url("/lib/v2/math"));
    env.project(&main, serde_json::json!({}));
    let (graph, context) = env.build(env.options());
    no_errors(&graph);
    assert_eq!(graph.len(), 3);
    let math = &graph.modules[1];
    assert_eq!(math.name, env.url("/lib/v2/math.ml"));
    assert_eq!(math.origin, Origin::Remote(env.url("/lib/v2/math.ml")));
    assert!(
        math.path
            .starts_with(env.cache.path().canonicalize().unwrap())
            || math.path.starts_with(env.cache.path())
    );
    let strings = &graph.modules[2];
    assert_eq!(strings.name, env.url("/lib/v2/util/strings.ml"));
    // `import math;` in the remote module is the standard library.
    assert!(math
        .imports
        .iter()
        .any(|e| e.target == Ok(EdgeTarget::Stdlib("math".into()))));
    // module + .sig + .minisig, twice.
    assert_eq!(env.server.hits(), 6);
    assert_eq!(context.stats().downloaded, 2);
    let lock = std::fs::read_to_string(env.lockfile()).unwrap();
    assert!(lock.contains(&env.url("/lib/v2/math.ml")), "{lock}");
    assert!(lock.contains(&env.url("/lib/v2/util/strings.ml")), "{lock}");
    let meta = std::fs::read_to_string(math.path.with_extension("ml.meta.json")).unwrap();
    assert!(meta.contains("\"signed_by\""), "{meta}");

    // Warm: everything from the verified cache, no request at all.
    env.server.reset_log();
    let (graph, context) = env.build(env.options());
    no_errors(&graph);
    assert_eq!(graph.len(), 3);
    assert_eq!(env.server.hits(), 0);
    assert_eq!(context.stats().requests, 0);
    assert_eq!(context.stats().from_cache, 2);
}

#[test]
fn a_url_scheme_in_capitals_is_the_same_scheme() {
    let env = Env::new();
    env.signed("/lib/m.ml", "x = 1;\n");
    let url = env.url("/lib/m");
    let written = url.replacen("https://", "HTTPS://", 1);
    env.project(
        &format!("import {written} as m;\nprint(m.x);\n"),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    assert_eq!(graph.modules[1].name, env.url("/lib/m.ml"));
}

#[test]
fn import_sources_serve_dotted_imports_and_fall_through_on_404() {
    let env = Env::new();
    env.signed(
        "/mods/geometry/shapes.ml",
        "import helpers;\nfunction area(r) { return helpers.k * r; }\n",
    );
    env.signed("/mods/helpers.ml", "k = 3;\n");
    env.file("local.ml", "import geometry.shapes;\nx = 1;\n");
    env.project(
        "import geometry.shapes;\nimport local;\nprint(shapes.area(2) + local.x);\n",
        serde_json::json!({
            "import_sources": [{"protocol": "https", "location": env.url("/mods")}],
        }),
    );
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    let names: Vec<&str> = graph.modules.iter().map(|m| m.name.as_str()).collect();
    assert!(
        names.contains(&env.url("/mods/geometry/shapes.ml").as_str()),
        "{names:?}"
    );
    // The source-served module's own import resolves against the source's location.
    assert!(
        names.contains(&env.url("/mods/helpers.ml").as_str()),
        "{names:?}"
    );
    assert!(names.contains(&"local"), "{names:?}");
    // `local` was asked of the source once (module, then package), then found on disk.
    assert_eq!(env.server.requests_for("/mods/local.ml").len(), 1);
    assert_eq!(env.server.requests_for("/mods/local/__init__.ml").len(), 1);
}

#[test]
fn missing_modules_and_server_errors_have_clear_messages() {
    let env = Env::new();
    env.server.route("/broken.ml", Route::status(500, "oops"));
    env.project(
        &format!(
            "import {};\nimport {};\n",
            env.url("/nothing/here"),
            env.url("/broken")
        ),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    let errors = entry_errors(&graph);
    assert_eq!(errors.len(), 2);
    let missing = &errors[0];
    assert!(
        matches!(missing, ResolveError::NotFound { .. }),
        "{missing}"
    );
    assert!(missing.notes().join("\n").contains(&format!(
        "{} (not found on the server)",
        env.url("/nothing/here.ml")
    )));
    let broken = errors[1].to_string();
    assert!(
        broken.contains("the server answered 500 Internal Server Error"),
        "{broken}"
    );
    assert!(broken.contains(&env.url("/broken.ml")), "{broken}");
}

#[test]
fn a_tampered_module_or_sig_is_refused() {
    let env = Env::new();
    // The module changed after signing: its .sig no longer matches.
    let s = env.signer.sign(b"x = 1;\n", "tampered.ml").unwrap();
    env.server.file("/tampered.ml", "x = 666;\n");
    env.server.file("/tampered.ml.sig", s.sig.clone());
    env.server.file("/tampered.ml.minisig", s.minisig.clone());
    env.project(
        &format!("import {};\n", env.url("/tampered")),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    let e = single_error(&graph);
    assert!(matches!(e, ResolveError::Integrity { .. }), "{e}");
    assert!(
        e.to_string().contains("the module or its .sig was altered"),
        "{e}"
    );
    assert!(
        !env.lockfile().exists()
            || !std::fs::read_to_string(env.lockfile())
                .unwrap()
                .contains("tampered")
    );

    // The .sig was replaced by garbage, or by the hash of something else.
    env.server.file("/badsig.ml", "x = 1;\n");
    env.server.file("/badsig.ml.sig", "not a hash\n");
    env.server.file("/badsig.ml.minisig", s.minisig.clone());
    env.server.file("/othersig.ml", "x = 1;\n");
    env.server
        .file("/othersig.ml.sig", format!("{}  m.ml\n", "ab".repeat(32)));
    env.server.file("/othersig.ml.minisig", s.minisig.clone());
    env.project(
        &format!(
            "import {};\nimport {};\n",
            env.url("/badsig"),
            env.url("/othersig")
        ),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    let errors = entry_errors(&graph);
    assert!(
        errors[0]
            .to_string()
            .contains("does not hold a hex SHA-256"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].to_string().contains("its .sig says abab"),
        "{}",
        errors[1]
    );

    // A missing .sig with verification on.
    env.server.file("/unsigned.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/unsigned")),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    let e = single_error(&graph).to_string();
    assert!(e.contains("unsigned.ml.sig is missing"), "{e}");
    assert!(e.contains("verify: false"), "{e}");
}

#[test]
fn signatures_by_untrusted_keys_or_over_other_content_are_refused() {
    let env = Env::new();
    let stranger = SigningKey::from_text(&generate_keypair().unwrap().secret, None).unwrap();
    env.signed_by("/stranger.ml", "x = 1;\n", &stranger);
    // A valid .sig for altered content, with the genuine signature of the original.
    let genuine = env.signer.sign(b"x = 1;\n", "swapped.ml").unwrap();
    let evil = env.signer.sign(b"x = 2;\n", "swapped.ml").unwrap();
    env.server.file("/swapped.ml", "x = 2;\n");
    env.server.file("/swapped.ml.sig", evil.sig);
    env.server.file("/swapped.ml.minisig", genuine.minisig);
    env.project(
        &format!(
            "import {};\nimport {};\n",
            env.url("/stranger"),
            env.url("/swapped")
        ),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    let errors = entry_errors(&graph);
    assert_eq!(errors.len(), 2, "{errors:?}");
    let e0 = errors[0].to_string();
    assert!(
        e0.contains(&format!("signed by key {}", stranger.key_id)),
        "{e0}"
    );
    assert!(e0.contains("not in \"trusted_keys\""), "{e0}");
    assert!(
        e0.contains(&env.key.key_id),
        "the trusted keys are listed: {e0}"
    );
    let e1 = errors[1].to_string();
    assert!(e1.contains("does not match the module"), "{e1}");
}

#[test]
fn a_changed_module_fails_against_the_lockfile_and_frozen_forbids_changes() {
    let env = Env::new();
    env.signed("/lib/m.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/lib/m")),
        serde_json::json!({}),
    );

    // --frozen without a lockfile entry: refused, and nothing written.
    let frozen = RemoteOptions {
        frozen: true,
        ..env.options()
    };
    let (graph, _) = env.build(frozen.clone());
    let e = single_error(&graph);
    assert!(matches!(e, ResolveError::Frozen { .. }), "{e}");
    assert!(!env.lockfile().exists());

    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    let lock_before = std::fs::read_to_string(env.lockfile()).unwrap();
    let (graph, _) = env.build(frozen.clone());
    no_errors(&graph);

    // The server now serves other (correctly signed) code.
    env.signed("/lib/m.ml", "x = 2;\n");
    let reload = RemoteOptions {
        reload: true,
        ..env.options()
    };
    let (graph, _) = env.build(reload.clone());
    let e = single_error(&graph);
    let ResolveError::LockMismatch {
        expected, actual, ..
    } = &e
    else {
        panic!("{e}")
    };
    let text = e.to_string();
    assert!(text.contains(expected) && text.contains(actual), "{text}");
    assert_ne!(expected, actual);
    assert_eq!(
        std::fs::read_to_string(env.lockfile()).unwrap(),
        lock_before
    );
    // The cache still holds the locked version: the refused one was not stored.
    let (graph, _) = env.build(env.options());
    no_errors(&graph);

    // A deliberate upgrade.
    let (graph, _) = env.build(RemoteOptions {
        update_lock: true,
        ..reload
    });
    no_errors(&graph);
    assert_ne!(
        std::fs::read_to_string(env.lockfile()).unwrap(),
        lock_before
    );
}

#[test]
fn cached_only_never_touches_the_network() {
    let env = Env::new();
    env.signed("/m.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/m")),
        serde_json::json!({}),
    );
    let offline = RemoteOptions {
        network: Network::CachedOnly,
        write_lockfile: false,
        ..env.options()
    };
    let (graph, _) = env.build(offline.clone());
    let e = single_error(&graph);
    assert_eq!(e.not_cached_url(), Some(env.url("/m.ml").as_str()));
    let codes: Vec<&str> = graph_diagnostics(&graph)
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, vec!["remote-not-cached"]);
    assert_eq!(env.server.hits(), 0);

    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    env.server.reset_log();
    let (graph, _) = env.build(offline);
    no_errors(&graph);
    assert_eq!(env.server.hits(), 0);
    // go-to-definition opens the cached file.
    assert!(graph.modules[1].path.is_file());
}

#[test]
fn a_tampered_cache_entry_is_discarded_and_refetched() {
    let env = Env::new();
    env.signed("/m.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/m")),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    let cached = graph.modules[1].path.clone();
    std::fs::write(&cached, "x = 666; // injected\n").unwrap();

    // Offline: an error that says what happened.
    let offline = RemoteOptions {
        network: Network::CachedOnly,
        ..env.options()
    };
    let (graph, _) = env.build(offline);
    let e = single_error(&graph).to_string();
    assert!(e.contains("corrupt"), "{e}");
    assert!(e.contains("has been removed"), "{e}");
    assert!(!cached.exists());

    // Tamper again, consistently (content and metadata): the signature catches it.
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    let meta_path = cached.with_extension("ml.meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let evil = "x = 666;\n";
    let sha = mlpy_fsutil::sha256_hex(evil.as_bytes());
    meta["sha256"] = sha.clone().into();
    meta["sig"] = sha.into();
    meta["size"] = evil.len().into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    std::fs::write(&cached, evil).unwrap();
    env.server.reset_log();
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    assert_eq!(
        std::fs::read_to_string(&graph.modules[1].path).unwrap(),
        "x = 1;\n"
    );
    assert_eq!(env.server.requests_for("/m.ml").len(), 1, "refetched");
}

#[test]
fn tokens_go_to_their_host_only_even_across_redirects() {
    let env = Env::new();
    let port = env.server.port();
    env.server.route(
        "/private/m.ml",
        Route::handler(|r| match r.header("authorization") {
            Some("Bearer s3cret") => Route::ok("x = 1;\n"),
            _ => Route::status(401, "who are you?"),
        }),
    );
    env.server.route(
        "/hop/m.ml",
        Route::redirect(format!("https://localhost:{port}/landing/m.ml")),
    );
    env.server.file("/landing/m.ml", "y = 2;\n");
    env.project(
        &format!(
            "import {} as a {{ verify: false }};\nimport {} as b {{ verify: false }};\n",
            env.url("/private/m"),
            env.url("/hop/m")
        ),
        serde_json::json!({
            "capabilities": [env.grant(), format!("network.https://localhost:{port}/*")],
        }),
    );
    let options = RemoteOptions {
        auth_tokens: Some(format!("s3cret@127.0.0.1:{port}")),
        ..env.options()
    };
    let (graph, _) = env.build(options);
    no_errors(&graph);
    let private = env.server.requests_for("/private/m.ml");
    assert_eq!(private[0].header("authorization"), Some("Bearer s3cret"));
    let hop = env.server.requests_for("/hop/m.ml");
    assert_eq!(hop[0].header("authorization"), Some("Bearer s3cret"));
    let landing = env.server.requests_for("/landing/m.ml");
    assert_eq!(landing.len(), 1);
    assert_eq!(landing[0].host(), Some("localhost"));
    assert_eq!(landing[0].header("authorization"), None, "the token leaked");

    // Without a token the private module is refused with advice.
    let env2 = Env::new();
    env2.server.route("/private/m.ml", Route::status(401, "no"));
    env2.project(
        &format!("import {} {{ verify: false }};\n", env2.url("/private/m")),
        serde_json::json!({}),
    );
    let (graph, _) = env2.build(env2.options());
    let e = single_error(&graph).to_string();
    assert!(e.contains("401") && e.contains("MLPY_AUTH_TOKENS"), "{e}");
}

#[test]
fn an_import_option_token_is_not_sent_after_a_cross_host_redirect() {
    let env = Env::new();
    let port = env.server.port();
    std::env::set_var("MLPY_TEST_OPTION_TOKEN", "opt-token");
    env.server.route(
        "/hop.ml",
        Route::redirect(format!("https://localhost:{port}/landing.ml")),
    );
    env.server.file("/landing.ml", "y = 2;\n");
    env.project(
        &format!(
            "import {} {{ auth: \"${{MLPY_TEST_OPTION_TOKEN}}\", verify: false }};\n",
            env.url("/hop")
        ),
        serde_json::json!({
            "capabilities": [env.grant(), format!("network.https://localhost:{port}/*")],
        }),
    );
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    assert_eq!(
        env.server.requests_for("/hop.ml")[0].header("authorization"),
        Some("Bearer opt-token")
    );
    assert_eq!(
        env.server.requests_for("/landing.ml")[0].header("authorization"),
        None
    );
}

#[test]
fn redirects_leaving_https_or_looping_are_refused() {
    let env = Env::new();
    let plain = Server::http();
    plain.file("/m.ml", "x = 1;\n");
    env.server
        .route("/down.ml", Route::redirect(plain.url("/m.ml")));
    env.server.route("/loop.ml", Route::redirect("/loop.ml"));
    env.project(
        &format!(
            "import {} {{ verify: false }};\nimport {} {{ verify: false }};\n",
            env.url("/down"),
            env.url("/loop")
        ),
        serde_json::json!({ "capabilities": ["network"] }),
    );
    let (graph, _) = env.build(env.options());
    let errors = entry_errors(&graph);
    let down = errors[0].to_string();
    assert!(
        down.contains("a redirect that leaves https is refused"),
        "{down}"
    );
    assert_eq!(plain.hits(), 0);
    assert!(
        errors[1].to_string().contains("too many redirects"),
        "{}",
        errors[1]
    );
}

#[test]
fn plain_http_only_for_loopback_or_allowed_hosts() {
    let env = Env::new();
    let plain = Server::http();
    plain.file("/m.ml", "x = 1;\n");
    env.project(
        &format!(
            "import {} {{ verify: false }};\nimport http://mlpy-test.invalid/m {{ verify: false }};\n",
            plain.url("/m")
        ),
        serde_json::json!({ "capabilities": ["network"] }),
    );
    let (graph, _) = env.build(env.options());
    let errors = entry_errors(&graph);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0].to_string();
    assert!(
        e.contains("plain http:// is refused for mlpy-test.invalid"),
        "{e}"
    );
    assert!(e.contains("--allow-insecure-http"), "{e}");
    assert_eq!(plain.hits(), 1);
}

#[test]
fn oversize_bodies_are_refused() {
    let env = Env::new();
    env.server
        .file("/big.ml", format!("// {}\n", "x".repeat(5000)));
    env.project(
        &format!("import {} {{ verify: false }};\n", env.url("/big")),
        serde_json::json!({ "max_module_size": 1000 }),
    );
    let (graph, _) = env.build(env.options());
    let e = single_error(&graph).to_string();
    assert!(e.contains("larger than the limit of 1000 bytes"), "{e}");
    assert!(
        std::fs::read_dir(env.cache.path())
            .unwrap()
            .next()
            .is_none(),
        "nothing cached"
    );
}

/// The error of a program importing `route` with `timeout`, which must come well within
/// five seconds.
fn timed_out(route: Route, timeout: Duration) -> String {
    let env = Env::new();
    env.server.route("/slow.ml", route);
    env.project(
        &format!("import {} {{ verify: false }};\n", env.url("/slow")),
        serde_json::json!({}),
    );
    let started = Instant::now();
    let (graph, _) = env.build(RemoteOptions {
        timeout,
        ..env.options()
    });
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    single_error(&graph).to_string()
}

#[test]
fn a_server_that_never_answers_times_out() {
    let e = timed_out(Route::Stall, Duration::from_millis(400));
    assert!(e.contains("no answer within 0.4s"), "{e}");
}

#[test]
fn a_server_that_trickles_its_answer_times_out_as_a_whole() {
    // Never silent for a whole timeout, and never done.
    let trickle = Route::Trickle {
        total: 10_000,
        every: Duration::from_millis(100),
    };
    let e = timed_out(trickle, Duration::from_millis(600));
    assert!(e.contains("did not arrive within 0.6s"), "{e}");
}

#[test]
fn fetches_need_the_network_capability() {
    let env = Env::new();
    env.signed("/m.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/m")),
        serde_json::json!({ "capabilities": ["file"] }),
    );
    let (graph, _) = env.build(env.options());
    let e = single_error(&graph);
    let ResolveError::CapabilityRequired { capability, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(*capability, env.grant());
    assert!(e
        .to_string()
        .contains(&format!("pass `--allow {}`", env.grant())));
    assert_eq!(env.server.hits(), 0);
}

#[test]
fn the_certificate_is_always_verified() {
    let env = Env::new();
    env.signed("/m.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/m")),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(RemoteOptions {
        ca_files: Vec::new(),
        ..env.options()
    });
    let e = single_error(&graph).to_string();
    assert!(e.contains("TLS certificate verification failed"), "{e}");
    assert!(e.contains("--cert"), "{e}");
}

#[test]
fn import_option_blocks() {
    let env = Env::new();
    env.server.file("/unsigned.ml", "x = 1;\n");
    env.signed("/fresh.ml", "y = 1;\n");
    env.project(
        &format!(
            "import {} {{ verify: false }};\nimport {} {{ cache: \"no-cache\" }};\nimport {} {{ cache: \"sometimes\" }};\nimport {} {{ colour: 1 }};\n",
            env.url("/unsigned"),
            env.url("/fresh"),
            env.url("/x"),
            env.url("/y"),
        ),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    let errors = entry_errors(&graph);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0]
        .to_string()
        .contains("`cache: \"sometimes\"` is not a cache policy"));
    assert!(errors[1].to_string().contains("unknown option `colour`"));
    // no-cache: fetched again on the next run; the unsigned default one is not.
    env.server.reset_log();
    env.build(env.options());
    assert_eq!(env.server.requests_for("/fresh.ml").len(), 1);
    assert_eq!(env.server.requests_for("/unsigned.ml").len(), 0);
}

#[test]
fn concurrent_importers_share_one_download() {
    let env = Env::new();
    env.signed("/shared.ml", "x = 1;\n");
    for name in ["a", "b", "c", "d"] {
        env.file(
            &format!("{name}.ml"),
            &format!("import {};\n", env.url("/shared")),
        );
    }
    env.project(
        "import a;\nimport b;\nimport c;\nimport d;\n",
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    assert_eq!(env.server.requests_for("/shared.ml").len(), 1);
}

#[allow(dead_code)]
fn _path(p: &Path) -> &Path {
    p
}

#[test]
fn a_key_no_longer_trusted_stops_cached_modules_too() {
    let env = Env::new();
    env.signed("/m.ml", "x = 1;\n");
    env.project(
        &format!("import {};\n", env.url("/m")),
        serde_json::json!({}),
    );
    let (graph, _) = env.build(env.options());
    no_errors(&graph);
    // The project replaces its trusted key: the cached module, pinned in mlpy.lock,
    // is no longer acceptable.
    let other = generate_keypair().unwrap();
    env.project(
        &format!("import {};\n", env.url("/m")),
        serde_json::json!({ "trusted_keys": [other.public_base64] }),
    );
    let (graph, _) = env.build(RemoteOptions {
        network: Network::CachedOnly,
        ..env.options()
    });
    let e = single_error(&graph).to_string();
    assert!(e.contains("not in \"trusted_keys\""), "{e}");
    assert_eq!(env.server.hits(), 3, "only the first fetch");
}

#[test]
fn fetch_prepares_the_cache_for_offline_use() {
    let env = Env::new();
    env.signed("/lib/m.ml", "import n;\nx = n.y;\n");
    env.signed("/lib/n.ml", "y = 1;\n");
    let main = env.project(
        &format!("import {};\n", env.url("/lib/m")),
        serde_json::json!({}),
    );
    let config = Arc::new(ProjectConfig::load(&env.dir.path().join("mlpy.json")).unwrap());
    let offline = RemoteOptions {
        network: Network::CachedOnly,
        write_lockfile: false,
        ..env.options()
    };
    let report = remote::fetch(&main, config.clone(), offline.clone()).unwrap();
    assert_eq!(report.errors.len(), 1);
    assert!(report.errors[0].1.not_cached_url().is_some());
    // "Fetch module": online, then the editor's offline resolution succeeds.
    let report = remote::fetch(&main, config.clone(), env.options()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.modules.len(), 2);
    assert_eq!(report.stats.downloaded, 2);
    assert!(env.lockfile().is_file());
    env.server.reset_log();
    let report = remote::fetch(&main, config, offline).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(env.server.hits(), 0);
}
