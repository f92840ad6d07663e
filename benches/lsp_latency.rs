//! Latency of the language server on a generated 1,000-module workspace, through the
//! real `mlpy lsp` binary (the optimised build `cargo bench` makes) over stdio:
//!
//! * `didChange` → `publishDiagnostics` of the edited file (with that version), for the
//!   entry module (its graph is the whole workspace) and for a module in the middle;
//! * `textDocument/definition` of a member of an imported module (`c1.f0`);
//! * `textDocument/signatureHelp` inside `c1.f0(x - 1, y)` of `main.ml`;
//! * `textDocument/inlayHint` of the whole of `main.ml`;
//! * `workspace/willRenameFiles` of one module file, and of the two folders holding half
//!   of the modules below `lib/` (`lib/d0_0`, `lib/d0_1`: at 10,000 modules over 4,000
//!   modules move and over 1,000 importers are rewritten).
//!
//! Each sample edits a number literal, waits for the diagnostics, then pauses a little
//! (typing pace) so background re-checks of importers run as they would. p50 and p99
//! over all samples are printed, with the machine.
//!
//! Also printed: the server's RSS (after the first check, after the edit series and after
//! the renames: each a moment after the server went idle) and how many modules it parsed per edit
//! (`mlpy/debug/parseCount`, the modules re-checked after each edit included: it should be
//! one, the edited module).
//!
//! Run: `cargo bench --bench lsp_latency` (`MLPY_LSP_BENCH_MODULES`, `MLPY_LSP_BENCH_SAMPLES`).

#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mlpy_testkit::synthetic::{self, module_file};

/// The workspace (see `mlpy_testkit::synthetic`); with `cycle` every module is in one
/// import cycle.
fn generate(n: usize, cycle: bool) -> PathBuf {
    let name = if cycle {
        format!("lsp-cycle-{n}")
    } else {
        format!("lsp-{n}")
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-projects")
        .join(name);
    synthetic::generate(&root, n, cycle)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "| {name} | {} | {:.2} ms | {:.2} ms | {:.2} ms |",
        samples.len(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap())
    )
}

/// Edits the `LIMIT = …;` literal of an open module and times the diagnostics.
fn diagnostics_latency(
    c: &mut Client,
    uri: &str,
    text: &str,
    samples: usize,
    pause: Duration,
) -> Vec<Duration> {
    let line = text
        .lines()
        .position(|l| l.starts_with("LIMIT = "))
        .unwrap() as u32;
    let mut out = Vec::with_capacity(samples);
    for k in 0..samples {
        let version = 2 + k as i32;
        let value = format!("{}", 1000 + (k % 7));
        let start = Instant::now();
        c.change(
            uri,
            version,
            json!([{"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": 12}}, "text": value}]),
        );
        c.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        out.push(start.elapsed());
        std::thread::sleep(pause);
    }
    out
}

/// Modules the server parsed since the previous call (`mlpy/debug/parseCount`).
fn parsed(c: &mut Client) -> u64 {
    let r = c
        .request("mlpy/debug/parseCount", serde_json::Value::Null)
        .expect("parseCount");
    r["parsed"].as_u64().unwrap_or(0)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: keep that cheap.
    let quick = !std::env::args().any(|a| a == "--bench");
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let n = env("MLPY_LSP_BENCH_MODULES", if quick { 50 } else { 1000 });
    let samples = env("MLPY_LSP_BENCH_SAMPLES", if quick { 10 } else { 300 });
    let root = generate(n, false);
    let mut c = Client::start(&root);
    let main_text = std::fs::read_to_string(root.join("main.ml")).unwrap();
    let main = c.open_text("main.ml", &main_text);
    let mid_file = module_file(&root, 3);
    let mid_rel = mid_file
        .strip_prefix(&root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mid_text = std::fs::read_to_string(&mid_file).unwrap();
    let mid = c.open_text(&mid_rel, &mid_text);
    // Warm up: the first check of the whole workspace.
    let started = Instant::now();
    c.flush();
    let first = started.elapsed();
    // Idle memory is given back a moment after the check: let it happen.
    std::thread::sleep(Duration::from_millis(500));
    let rss_first = c.rss_kib() / 1024;
    let (anon_first, file_first) = (
        c.status_kib("RssAnon") / 1024,
        c.status_kib("RssFile") / 1024,
    );

    let pause = Duration::from_millis(30);
    parsed(&mut c);
    let main_diag = diagnostics_latency(&mut c, &main, &main_text, samples, pause);
    c.flush();
    let main_parsed = parsed(&mut c);
    let mid_diag = diagnostics_latency(&mut c, &mid, &mid_text, samples, pause);
    c.flush();
    let mid_parsed = parsed(&mut c);
    std::thread::sleep(Duration::from_millis(500));
    let rss_edits = c.rss_kib() / 1024;
    // `c1.f0(` in main.ml's first function.
    let (line, character) = main_text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("c1.f0").map(|col| (i as u32, col as u32 + 4)))
        .unwrap();
    let mut definition = Vec::with_capacity(samples * 2);
    for _ in 0..samples * 2 {
        let start = Instant::now();
        let r = c
            .at("textDocument/definition", &main, line, character)
            .unwrap();
        definition.push(start.elapsed());
        assert!(r[0]["uri"].as_str().unwrap().ends_with("/m1.ml"), "{r}");
    }
    // Inside the arguments of `c1.f0(x - 1, y)`, at `y`.
    let (line, character) = main_text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("c1.f0(x - 1, y)")
                .map(|col| (i as u32, col as u32 + 13))
        })
        .unwrap();
    let mut signature = Vec::with_capacity(samples * 2);
    for _ in 0..samples * 2 {
        let start = Instant::now();
        let r = c
            .at("textDocument/signatureHelp", &main, line, character)
            .unwrap();
        signature.push(start.elapsed());
        assert_eq!(r["activeParameter"], 1, "{r}");
    }
    let lines = main_text.lines().count() as u32;
    let mut inlay = Vec::with_capacity(samples * 2);
    let mut hints = 0;
    for _ in 0..samples * 2 {
        let start = Instant::now();
        let r = c
            .request(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": main}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}}),
            )
            .unwrap();
        inlay.push(start.elapsed());
        hints = r.as_array().map_or(0, Vec::len);
    }
    let rename_samples = (samples / 3).max(3);
    // `(from, to)` pairs moved together; the times, the files edited and the edits.
    let will_rename = |c: &mut Client, moves: &[(PathBuf, PathBuf)]| {
        let files: Vec<serde_json::Value> = moves
            .iter()
            .map(|(from, to)| {
                json!({"oldUri": lsp_client::file_uri(from), "newUri": lsp_client::file_uri(to)})
            })
            .collect();
        let mut times = Vec::with_capacity(rename_samples);
        let (mut edited, mut edits) = (0, 0);
        for _ in 0..rename_samples {
            let start = Instant::now();
            let r = c
                .request("workspace/willRenameFiles", json!({ "files": files }))
                .unwrap();
            times.push(start.elapsed());
            let changes = r["changes"].as_object().cloned().unwrap_or_default();
            edited = changes.len();
            edits = changes
                .values()
                .map(|e| e.as_array().map_or(0, Vec::len))
                .sum();
        }
        (times, edited, edits)
    };
    let renamed = mid_file.with_file_name("renamed.ml");
    let (rename_file, file_edited, _) = will_rename(&mut c, &[(mid_file.clone(), renamed)]);
    // Half of the modules below `lib/` live under `lib/d0_0` and `lib/d0_1`.
    let folders: Vec<(PathBuf, PathBuf)> = ["d0_0", "d0_1"]
        .iter()
        .map(|d| {
            let lib = root.join("lib");
            (lib.join(d), lib.join(format!("moved_{d}")))
        })
        .collect();
    let (rename_folders, folder_edited, folder_edits) = will_rename(&mut c, &folders);
    std::thread::sleep(Duration::from_millis(500));
    let rss_renames = c.rss_kib() / 1024;
    c.shutdown();

    // Every module in one cycle: an edit of the hub is checked with its whole graph.
    let root = generate(n, true);
    let mut c = Client::start(&root);
    let hub_text = std::fs::read_to_string(root.join("lib/hub.ml")).unwrap();
    let hub = c.open_text("lib/hub.ml", &hub_text);
    c.flush();
    parsed(&mut c);
    let cycle_samples = samples / 3;
    let cycle_diag = diagnostics_latency(&mut c, &hub, &hub_text, cycle_samples, pause);
    c.flush();
    let cycle_parsed = parsed(&mut c);

    println!("Language server latency, {n} modules, {}", machine());
    println!(
        "first check of the whole workspace after opening: {:.0} ms",
        first.as_secs_f64() * 1e3
    );
    println!("| measure | samples | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        report(
            "didChange → publishDiagnostics, entry module (imports 5, reaches all)",
            main_diag
        )
    );
    println!(
        "{}",
        report(
            "didChange → publishDiagnostics, module in the middle (importers re-checked after)",
            mid_diag
        )
    );
    println!(
        "{}",
        report(
            "didChange → publishDiagnostics, module in a cycle through all modules (whole graph)",
            cycle_diag
        )
    );
    println!(
        "{}",
        report(
            "textDocument/definition (member of an imported module)",
            definition
        )
    );
    println!(
        "{}",
        report(
            "textDocument/signatureHelp (a call to an imported module's function)",
            signature
        )
    );
    println!(
        "{}",
        report(
            &format!("textDocument/inlayHint, the whole of main.ml ({hints} hints)"),
            inlay
        )
    );
    println!(
        "{}",
        report(
            &format!("workspace/willRenameFiles, one module file ({file_edited} file edited)"),
            rename_file
        )
    );
    println!(
        "{}",
        report(
            &format!(
                "workspace/willRenameFiles, folders lib/d0_0 and lib/d0_1 ({folder_edited} files, {folder_edits} edits)"
            ),
            rename_folders
        )
    );
    println!(
        "server RSS: after the first check {rss_first} MiB ({anon_first} MiB anonymous, {file_first} MiB of files: the binary), after the edit series {rss_edits} MiB, after the willRenameFiles series {rss_renames} MiB"
    );
    let per_edit = |parsed: u64, edits: usize| parsed as f64 / edits.max(1) as f64;
    println!(
        "modules parsed per edit (importers re-checked included): entry {:.2}, middle {:.2}, cycle {:.2}",
        per_edit(main_parsed, samples),
        per_edit(mid_parsed, samples),
        per_edit(cycle_parsed, cycle_samples)
    );
    c.shutdown();
}
