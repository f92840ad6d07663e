//! Remote imports: 100 signed remote modules fetched cold over loopback HTTPS versus
//! loaded warm from the verified cache.
//!
//! A real HTTPS server (rustls, certificate from a throwaway CA) on 127.0.0.1 serves
//! 100 modules, each with its `.sig` and `.minisig`: the entry imports 10 packages by
//! URL (`https://127.0.0.1:PORT/lib/pkgI/mod`), each of which imports 9 siblings by
//! dotted name (`import subJ;`, resolved against its folder), so the graph has
//! 1 local + 100 remote modules, fetched in two parallel layers.
//!
//! * cold: an empty cache folder and a new resolver: TLS handshakes, 300 requests
//!   (module, `.sig`, `.minisig` each), SHA-256 and ed25519 checks, atomic cache writes,
//!   lockfile recording;
//! * warm: the same cache, a new resolver (as a new `mlpy` process would have): every
//!   entry read and verified again (hash against metadata, `.sig`, ed25519 signature
//!   against the trusted key), the lockfile checked — and no request at all, which the
//!   server's request counter proves.
//!
//! Both build the whole module graph (parsing included). Median of several runs.
//! Run: `cargo bench -p mlpy-remote --bench remote` (runs: `MLPY_BENCH_RUNS=9`).

mod common;

use common::{build, median, module_text, ms, PACKAGES, SIBLINGS};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mlpy_remote::publish::{generate_keypair, SigningKey};
use mlpy_remote::{Network, RemoteOptions};
use mlpy_testkit::{Server, TestCa};
use std::path::Path;
use std::time::{Duration, Instant};

fn serve(server: &Server, signer: &SigningKey, path: &str, text: &str) {
    let s = signer
        .sign(text.as_bytes(), path.rsplit('/').next().unwrap())
        .unwrap();
    server.file(path, text.to_string());
    server.file(&format!("{path}.sig"), s.sig);
    server.file(&format!("{path}.minisig"), s.minisig);
}

fn options(cache: &Path, ca_file: &Path) -> RemoteOptions {
    RemoteOptions {
        network: Network::Online,
        reload: false,
        frozen: false,
        update_lock: false,
        write_lockfile: true,
        lockfile: None,
        cache_dir: cache.to_path_buf(),
        ca_files: vec![ca_file.to_path_buf()],
        insecure_http_hosts: Vec::new(),
        timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(10),
        max_redirects: 5,
        auth_tokens: None,
        progress: None,
    }
}

fn main() {
    let runs: usize = std::env::var("MLPY_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let ca = TestCa::new();
    let server = Server::https(&ca);
    let work = tempfile::tempdir().unwrap();
    let ca_file = ca.write_pem(&work.path().join("ca.pem"));
    let pair = generate_keypair().unwrap();
    let signer = SigningKey::from_text(&pair.secret, None).unwrap();

    let mut main = String::new();
    for p in 0..PACKAGES {
        let siblings: Vec<String> = (0..SIBLINGS).map(|s| format!("sub{s}")).collect();
        serve(
            &server,
            &signer,
            &format!("/lib/pkg{p}/mod.ml"),
            &module_text("Remote", &format!("pkg{p}"), &siblings),
        );
        for s in 0..SIBLINGS {
            serve(
                &server,
                &signer,
                &format!("/lib/pkg{p}/sub{s}.ml"),
                &module_text("Remote", &format!("pkg{p}.sub{s}"), &[]),
            );
        }
        main.push_str(&format!(
            "import {} as p{p};\n",
            server.url(&format!("/lib/pkg{p}/mod"))
        ));
    }
    let project = work.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("main.ml"), main).unwrap();
    std::fs::write(
        project.join("mlpy.json"),
        serde_json::json!({
            "capabilities": [format!("network.{}/*", server.base())],
            "trusted_keys": [pair.public_base64],
        })
        .to_string(),
    )
    .unwrap();

    let mut cold = Vec::new();
    let mut cold_hits = Vec::new();
    let mut warm = Vec::new();
    let mut warm_hits = Vec::new();
    let mut modules = 0;
    for run in 0..runs {
        let cache = work.path().join(format!("cache-{run}"));
        let _ = std::fs::remove_file(project.join("mlpy.lock"));
        server.reset_log();
        let (t, n) = build(&project, options(&cache, &ca_file));
        cold.push(t);
        cold_hits.push(server.hits());
        modules = n;
        for _ in 0..3 {
            server.reset_log();
            let (t, n) = build(&project, options(&cache, &ca_file));
            assert_eq!(n, modules);
            warm.push(t);
            warm_hits.push(server.hits());
        }
    }
    assert_eq!(modules, PACKAGES * (SIBLINGS + 1));
    // For profiling the warm path alone: `MLPY_BENCH_WARM_LOOPS=500 perf record …`.
    let loops: usize = std::env::var("MLPY_BENCH_WARM_LOOPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    if loops > 0 {
        let cache = work.path().join("cache-0");
        let started = Instant::now();
        for _ in 0..loops {
            build(&project, options(&cache, &ca_file));
        }
        println!(
            "{loops} extra warm builds: {}",
            ms(started.elapsed() / loops as u32)
        );
    }
    assert!(
        warm_hits.iter().all(|&h| h == 0),
        "warm runs made requests: {warm_hits:?}"
    );
    let (c, w) = (median(cold), median(warm));
    println!("remote imports: {modules} signed remote modules over loopback HTTPS, {runs} cold runs, {} warm runs", warm_hits.len());
    println!(
        "  cold (empty cache): {:>10}   server requests per run: {:?}",
        ms(c),
        cold_hits[0]
    );
    println!(
        "  warm (from cache):  {:>10}   server requests per run: {}",
        ms(w),
        warm_hits.iter().max().unwrap()
    );
    println!("  warm is {:.1}x faster", c.as_secs_f64() / w.as_secs_f64());
}
