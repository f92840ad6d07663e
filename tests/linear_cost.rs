//! Checking is linear in module size: every pathological module shape, at size N and 4N,
//! through the `mlpy check` pipeline, the transpiler and the language server's features.
//! The test compares times (the minimum of a few runs), not absolute values: a linear
//! cost gives a ratio near 4, a quadratic one near 16; the test fails above
//! [`MAX_RATIO`].
//!
//! The shapes: one variable reassigned again and again, many functions, many distinct
//! names, many unknown names, long member chains, long `+` chains, huge literals, deep
//! nesting, many `nonlocal`s, misspelt members of a big module, many imports, many
//! modules of one package, one long line.
//!
//! `MLPY_LINEAR_VERBOSE=1` prints every time; `MLPY_LINEAR_SCALE=K` multiplies every
//! size by K (for exploring in a release build); `MLPY_LINEAR_ONLY=name` runs the
//! generators whose name contains `name`. The 1 MiB modules are a benchmark
//! (`benches/linear_cost_1mib.rs`: `cargo bench --bench linear_cost_1mib`).

use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use mlpy_server::document::Document;
use mlpy_server::handlers;
use mlpy_server::ls_types::{
    CodeActionContext, CodeActionParams, FileRename, PartialResultParams, Position, Range,
    TextDocumentIdentifier, Uri, WorkDoneProgressParams,
};
use mlpy_server::world::{Settings, World};
use mlpy_syntax::{LineIndex, TextSize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Above this, the 4N/1N ratio is taken for superlinear cost (linear ≈ 4, quadratic ≈ 16).
const MAX_RATIO: f64 = 6.5;

/// A module shape: its files at scale `n` (`main.ml` first) and the name whose last
/// occurrence in `main.ml` the position-based features are asked about.
struct Shape {
    name: &'static str,
    /// Scale at 1×.
    n: usize,
    /// The largest scale the parser takes (chains and nesting have a limit).
    max_n: usize,
    files: fn(usize) -> Vec<(String, String)>,
    probe: &'static str,
}

fn main_only(text: String) -> Vec<(String, String)> {
    vec![("main.ml".to_string(), text)]
}

const LIB: &str = "// A small library.\nv = {a: {a: 1}};\nfunction f(x) { return x; }\n";

fn shapes() -> Vec<Shape> {
    vec![
        // One variable reassigned over and over (issue 12: 95,000 times in a 1 MiB module).
        Shape {
            name: "reassignments",
            n: 1000,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::from("x = 0;\n");
                for _ in 0..n {
                    s.push_str("x = x + 1;\n");
                }
                s.push_str("print(x);\n");
                main_only(s)
            },
            probe: "x",
        },
        // Many functions, each calling the previous one, each with its own scope.
        Shape {
            name: "functions",
            n: 250,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::from("function f0(a, b) { return a; }\n");
                for i in 1..n {
                    s.push_str(&format!(
                        "function f{i}(a, b) {{\n  c = a + b;\n  return f{}(c, b);\n}}\n",
                        i - 1
                    ));
                }
                s.push_str(&format!("print(f{}(1, 2));\n", n - 1));
                main_only(s)
            },
            probe: "f0",
        },
        // Many distinct names, each defined once and used once.
        Shape {
            name: "distinct names",
            n: 600,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("v{i} = {i};\n"));
                }
                for i in 0..n {
                    s.push_str(&format!("print(v{i});\n"));
                }
                main_only(s)
            },
            probe: "v0",
        },
        // Many names the module never defines (each an error with suggestions).
        Shape {
            name: "unknown names",
            n: 200,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("w{i} = u{i};\n"));
                }
                main_only(s)
            },
            probe: "w0",
        },
        // Long member chains `o.a.a.a…`, on a local object, an imported module and a
        // standard-library module (the length grows; the parser allows ~1000 links).
        Shape {
            name: "member chains",
            n: 200,
            max_n: 250,
            files: |n| {
                let chain = ".a".repeat(n);
                let mut s = String::from("import lib;\nimport math;\no = {a: 1};\n");
                for _ in 0..4 {
                    s.push_str(&format!("y = o{chain};\n"));
                    s.push_str(&format!("z = lib.v{chain};\n"));
                    s.push_str(&format!("m = math.pi{chain};\n"));
                }
                vec![("main.ml".into(), s), ("lib.ml".into(), LIB.to_string())]
            },
            probe: "lib",
        },
        // Long `+` chains: numbers, strings (the string `+`), and an indexed one.
        Shape {
            name: "plus chains",
            n: 200,
            max_n: 250,
            files: |n| {
                let mut s = String::from("a = 1;\n");
                for _ in 0..4 {
                    s.push_str(&format!("s = a{};\n", " + a".repeat(n)));
                    s.push_str(&format!("t = \"s\"{};\n", " + a".repeat(n)));
                    s.push_str(&format!("u = (1{})[0];\n", " + 1".repeat(n)));
                }
                main_only(s)
            },
            probe: "a",
        },
        // Huge array and object literals, ten items a line.
        Shape {
            name: "huge literals",
            n: 1000,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::from("a = [\n");
                for i in 0..n {
                    s.push_str(&format!("{i},"));
                    if i % 10 == 9 {
                        s.push('\n');
                    }
                }
                s.push_str("];\no = {\n");
                for i in 0..n {
                    s.push_str(&format!("k{i}: {i},"));
                    if i % 10 == 9 {
                        s.push('\n');
                    }
                }
                s.push_str("};\nprint(a, o.k1);\n");
                main_only(s)
            },
            probe: "a",
        },
        // Deep nesting: blocks, functions, arrays and parentheses, each two lines a level
        // (within the parser's limit of 1000 levels).
        Shape {
            name: "deep nesting",
            n: 60,
            max_n: 240,
            files: |n| {
                let mut s = String::from("x = 1;\n");
                for _ in 0..n {
                    s.push_str("if (x) {\n");
                }
                s.push_str("x = x + 1;\n");
                s.push_str(&"}\n".repeat(n));
                for i in 0..n {
                    s.push_str(&format!("function g{i}(p) {{\n  q = p + x;\n"));
                }
                s.push_str(&"}\n".repeat(n));
                s.push_str(&format!("y = {}1{};\n", "[\n".repeat(n), "]\n".repeat(n)));
                s.push_str(&format!("z = {}x{};\n", "(\n".repeat(n), ")\n".repeat(n)));
                s.push_str(&format!("h = {}x;\n", "fn(a) =>\n".repeat(n)));
                main_only(s)
            },
            probe: "x",
        },
        // Functions nested deep, each reading a name before assigning it (warned about:
        // `read-before-assignment`), half of them an outer name, half a name of their own.
        Shape {
            name: "reads before assignment",
            n: 60,
            max_n: 240,
            files: |n| {
                let mut s = String::from("v = 0;\n");
                for i in 0..n {
                    let name = if i % 2 == 0 {
                        "v".to_string()
                    } else {
                        format!("w{i}")
                    };
                    s.push_str(&format!("function g{i}() {{\n  {name} = {name} + 1;\n"));
                }
                s.push_str(&"}\n".repeat(n));
                main_only(s)
            },
            probe: "v",
        },
        // A function declaring many module variables `nonlocal`.
        Shape {
            name: "nonlocals",
            n: 400,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("v{i} = {i};\n"));
                }
                s.push_str("function f() {\n");
                for i in 0..n {
                    s.push_str(&format!("  nonlocal v{i};\n  v{i} = v{i} + 1;\n"));
                }
                s.push_str("}\nf();\n");
                main_only(s)
            },
            probe: "v0",
        },
        // A module with many names, and misspellings of them through an import.
        Shape {
            name: "unknown members",
            n: 120,
            max_n: usize::MAX,
            files: |n| {
                let mut lib = String::new();
                let mut s = String::from("import big;\n");
                for i in 0..n {
                    lib.push_str(&format!("value{i} = {i};\n"));
                    s.push_str(&format!("print(big.valeu{i});\n"));
                }
                vec![("main.ml".into(), s), ("big.ml".into(), lib)]
            },
            probe: "big",
        },
        // Many imports: of the standard library under many names, of one user module
        // many times, each used.
        Shape {
            name: "imports",
            n: 150,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("import math as m{i};\nimport lib;\n"));
                }
                for i in 0..n {
                    s.push_str(&format!("print(m{i}.pi, lib.f(lib.v.a));\n"));
                }
                vec![("main.ml".into(), s), ("lib.ml".into(), LIB.to_string())]
            },
            probe: "lib",
        },
        // Many modules of one package, imported by their dotted paths (one binding,
        // `pkg`, reaches them all).
        Shape {
            name: "package imports",
            n: 80,
            max_n: usize::MAX,
            files: |n| {
                let mut files = Vec::new();
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("import pkg.m{i};\n"));
                }
                for i in 0..n {
                    s.push_str(&format!(
                        "print(pkg.m{i}.f(1), pkg.m{i}.v, pkg.m{i}.nosuch);\n"
                    ));
                    let text = "v = 1;\nfunction f(x) { return x; }\n".to_string();
                    files.push((format!("pkg/m{i}.ml"), text));
                }
                files.insert(0, ("main.ml".into(), s));
                files
            },
            probe: "pkg",
        },
        // One long line with non-ASCII text (UTF-16 columns).
        Shape {
            name: "long line",
            n: 600,
            max_n: usize::MAX,
            files: |n| {
                let mut s = String::from("x = \"é\";");
                for _ in 0..n {
                    s.push_str(" x = \"é😀\" + x;");
                }
                s.push_str(" print(x);\n");
                main_only(s)
            },
            probe: "x",
        },
    ]
}

fn write_project(dir: &Path, files: &[(String, String)]) {
    // Room for the benchmark's modules.
    std::fs::write(dir.join("mlpy.json"), "{\"max_module_size\": 4194304}\n").unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// `mlpy check`: the graph (read, parse, scopes, symbols) and every diagnostic of it (the
/// graph's and the transpiler's, `mlpy_analysis::program_diagnostics`).
fn check(entry: &Path) -> usize {
    let config = ProjectConfig::discover(entry).unwrap();
    let resolver = Resolver::new(Arc::new(config.clone()));
    let cache = ModuleCache::new();
    let graph = ModuleGraph::build(entry, &resolver, &cache).unwrap();
    mlpy_analysis::program_diagnostics(&graph, &config.capabilities).len()
}

/// `mlpy transpile --out-dir`, in memory, on a loaded graph (checks included).
fn transpile(graph: &ModuleGraph, options: &mlpy_transpile::Options) -> usize {
    match mlpy_transpile::transpile_multi(graph, options) {
        Ok(out) => out.files.len(),
        Err(diagnostics) => diagnostics.len(),
    }
}

/// An open document in a language-server world, and where the probe name is.
struct Editor {
    world: World,
    uri: Uri,
    position: Position,
    end: Position,
}

impl Editor {
    fn open(dir: &Path, text: &str, probe: &str) -> Editor {
        let world = World::new(Settings::default());
        let canonical = std::fs::canonicalize(dir).unwrap();
        world.set_roots(vec![canonical.clone()]);
        world.scan();
        let path: PathBuf = canonical.join("main.ml");
        let uri = Uri::from_file_path(&path).unwrap();
        world.open(uri.clone(), Document::new(text, 1, "ml".into()));
        let index = LineIndex::new(text);
        let at = text.rfind(probe).expect("the probe is in the text");
        let wide = index.wide_line_col(TextSize::from(at as u32));
        let end = index.wide_line_col(TextSize::of(text));
        Editor {
            world,
            uri,
            position: Position::new(wide.line, wide.col),
            end: Position::new(end.line, end.col),
        }
    }
}

type Feature = (&'static str, fn(&Editor) -> usize);

fn features() -> Vec<Feature> {
    vec![
        ("semantic tokens", |e| {
            handlers::semantic_tokens(&e.world, &e.uri).map_or(0, |t| t.data.len())
        }),
        ("folding ranges", |e| {
            handlers::folding_ranges(&e.world, &e.uri).map_or(0, |f| f.len())
        }),
        ("document symbols", |e| {
            handlers::document_symbols(&e.world, &e.uri).map_or(0, |_| 1)
        }),
        ("selection ranges", |e| {
            handlers::selection_ranges(&e.world, &e.uri, &[e.position, e.end])
                .map_or(0, |r| r.len())
        }),
        ("document links", |e| {
            handlers::document_links(&e.world, &e.uri).map_or(0, |l| l.len())
        }),
        ("hover", |e| {
            handlers::hover(&e.world, &e.uri, e.position).map_or(0, |_| 1)
        }),
        ("completion", |e| {
            handlers::completion(&e.world, &e.uri, e.end).map_or(0, |_| 1)
        }),
        ("definition", |e| {
            handlers::definition(&e.world, &e.uri, e.position).map_or(0, |l| l.len())
        }),
        ("references", |e| {
            handlers::references(&e.world, &e.uri, e.position, true).map_or(0, |l| l.len())
        }),
        ("rename", |e| {
            let _ = handlers::prepare_rename(&e.world, &e.uri, e.position);
            handlers::rename(&e.world, &e.uri, e.position, "renamed")
                .ok()
                .flatten()
                .map_or(0, |_| 1)
        }),
        ("signature help", |e| {
            handlers::signature_help(&e.world, &e.uri, e.position).map_or(0, |_| 1)
        }),
        ("inlay hints", |e| {
            handlers::inlay_hints(&e.world, &e.uri, None).map_or(0, |h| h.len())
        }),
        ("semantic tokens range", |e| {
            let whole = Range::new(Position::new(0, 0), e.end);
            handlers::semantic_tokens_range(&e.world, &e.uri, whole).map_or(0, |t| t.data.len())
        }),
        ("document highlight", |e| {
            handlers::document_highlight(&e.world, &e.uri, e.position).map_or(0, |h| h.len())
        }),
        ("call hierarchy", |e| {
            let items =
                handlers::prepare_call_hierarchy(&e.world, &e.uri, e.position).unwrap_or_default();
            let calls: usize = items
                .iter()
                .map(|item| {
                    let incoming = handlers::incoming_calls(&e.world, item).map_or(0, |c| c.len());
                    let outgoing = handlers::outgoing_calls(&e.world, item).map_or(0, |c| c.len());
                    incoming + outgoing
                })
                .sum();
            items.len() + calls
        }),
        ("will rename files", |e| {
            // A folder whose modules are imported (the package shape), else a module.
            let root = e.world.roots()[0].clone();
            let moved = ["pkg", "lib.ml", "big.ml", "main.ml"]
                .into_iter()
                .find(|name| root.join(name).exists())
                .unwrap_or("main.ml");
            let uri = |name: &str| {
                Uri::from_file_path(root.join(name))
                    .unwrap()
                    .as_str()
                    .to_string()
            };
            let rename = FileRename {
                old_uri: uri(moved),
                new_uri: uri(&format!("moved_{moved}")),
            };
            handlers::will_rename_files(&e.world, &[rename])
                .and_then(|edit| edit.changes)
                .map_or(0, |c| c.values().map(Vec::len).sum())
        }),
        ("code actions", |e| {
            let params = CodeActionParams {
                text_document: TextDocumentIdentifier { uri: e.uri.clone() },
                range: Range::new(Position::new(0, 0), e.end),
                context: CodeActionContext::default(),
                work_done_progress_params: WorkDoneProgressParams::default(),
                partial_result_params: PartialResultParams::default(),
            };
            handlers::code_actions(&e.world, &params, true).map_or(0, |a| a.len())
        }),
    ]
}

/// The language server's diagnostics of the document: opened in a new world, checked by
/// the diagnostics engine (its worker thread), until they are published.
fn server_diagnostics(e: &Editor, text: &str, version: i32) -> usize {
    let (tx, rx) = std::sync::mpsc::channel();
    let sink: mlpy_server::engine::Sink = Arc::new(move |_, list, v| {
        if v == Some(version) {
            let _ = tx.send(list.len());
        }
    });
    let world = Arc::new(World::new(Settings::default()));
    world.set_roots(e.world.roots());
    world.scan();
    let engine = mlpy_server::engine::Engine::start(world.clone(), sink, Arc::new(|_| {}));
    world.open(e.uri.clone(), Document::new(text, version, "ml".into()));
    engine.send(mlpy_server::engine::Msg::Changed(
        World::path_of(&e.uri).unwrap(),
    ));
    let n = rx.recv_timeout(Duration::from_secs(600)).unwrap();
    engine.send(mlpy_server::engine::Msg::Stop);
    n
}

/// One size of a shape, ready for every operation.
struct Prepared {
    _dir: tempfile::TempDir,
    entry: PathBuf,
    text: String,
    bytes: usize,
    config: ProjectConfig,
    graph: ModuleGraph,
    editor: Editor,
    version: i32,
}

impl Prepared {
    fn new(shape: &Shape, n: usize) -> Prepared {
        let dir = tempfile::tempdir().unwrap();
        let files = (shape.files)(n);
        write_project(dir.path(), &files);
        let entry = dir.path().join("main.ml");
        let config = ProjectConfig::discover(&entry).unwrap();
        let resolver = Resolver::new(Arc::new(config.clone()));
        let graph = ModuleGraph::build(&entry, &resolver, &ModuleCache::new()).unwrap();
        let text = files[0].1.clone();
        let editor = Editor::open(dir.path(), &text, shape.probe);
        Prepared {
            _dir: dir,
            entry,
            bytes: files.iter().map(|(_, t)| t.len()).sum(),
            text,
            config,
            graph,
            editor,
            version: 1,
        }
    }

    /// Runs operation `op` (an index into [`operations`]) once.
    fn run(&mut self, op: usize) -> usize {
        match op {
            0 => check(&self.entry),
            1 => transpile(&self.graph, &mlpy_transpile::Options::new(&self.config)),
            2 => {
                self.version += 1;
                server_diagnostics(&self.editor, &self.text, self.version)
            }
            _ => (features()[op - 3].1)(&self.editor),
        }
    }
}

/// The names of the operations timed, in [`Prepared::run`]'s order.
fn operations() -> Vec<&'static str> {
    let mut out = vec!["mlpy check", "transpile", "server diagnostics"];
    out.extend(features().into_iter().map(|(name, _)| name));
    out
}

/// The CPU time of this process so far: unlike wall time, it does not count the moments
/// another process had the CPU, which on a loaded two-core machine can make the larger
/// input look many times slower.
fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn env_flag(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[test]
fn checking_is_linear_in_module_size() {
    let verbose = env_flag("MLPY_LINEAR_VERBOSE").is_some();
    let scale: usize = env_flag("MLPY_LINEAR_SCALE").map_or(1, |s| s.parse().unwrap());
    let only = env_flag("MLPY_LINEAR_ONLY");
    let runs = 3;
    let mut failures = Vec::new();
    let total = Instant::now();
    for shape in shapes() {
        if only
            .as_ref()
            .is_some_and(|o| !shape.name.contains(o.as_str()))
        {
            continue;
        }
        let mut sizes = [
            Prepared::new(&shape, shape.n * scale),
            Prepared::new(&shape, shape.n * scale * 4),
        ];
        if verbose {
            eprintln!(
                "{}: {} and {} bytes",
                shape.name, sizes[0].bytes, sizes[1].bytes
            );
        }
        for (op, what) in operations().into_iter().enumerate() {
            // The sizes take turns, so that a change of the machine's load hits both.
            let mut best = [Duration::MAX; 2];
            let mut measure = |runs: usize, best: &mut [Duration; 2]| {
                for _ in 0..runs {
                    for (k, size) in sizes.iter_mut().enumerate() {
                        let start = cpu_now();
                        std::hint::black_box(size.run(op));
                        best[k] = best[k].min(cpu_now().saturating_sub(start));
                    }
                }
                // Below a millisecond, timer noise and fixed costs dominate the ratio.
                best[1].as_secs_f64() / best[0].as_secs_f64().max(0.001)
            };
            let mut ratio = measure(runs, &mut best);
            for retry in [2, 4] {
                if ratio <= MAX_RATIO {
                    break;
                }
                // A busy moment of the machine (caches shared with other processes), or
                // superlinear: look again, longer.
                ratio = measure(retry * runs, &mut best);
            }
            let [one, four] = best;
            if verbose {
                eprintln!(
                    "  {:<16} {:<20} {:>10.2?} {:>10.2?}  ×{ratio:.1}",
                    shape.name, what, one, four
                );
            }
            if ratio > MAX_RATIO && four > Duration::from_millis(5) {
                failures.push(format!(
                    "{} / {what}: {one:.2?} at 1×, {four:.2?} at 4× (×{ratio:.1})",
                    shape.name
                ));
            }
        }
    }
    if verbose {
        eprintln!("total {:.2?}", total.elapsed());
    }
    assert!(
        failures.is_empty(),
        "superlinear cost:\n{}",
        failures.join("\n")
    );
}

/// The 1 MiB case, for `benches/linear_cost_1mib.rs`: every shape at about 1 MiB (the
/// chains and the nesting as far as the parser goes), each operation timed once.
#[allow(dead_code)]
pub(crate) fn one_mebibyte_modules() {
    let only = env_flag("MLPY_LINEAR_ONLY");
    for shape in shapes() {
        if only
            .as_ref()
            .is_some_and(|o| !shape.name.contains(o.as_str()))
        {
            continue;
        }
        let sample: usize = (shape.files)(shape.n).iter().map(|(_, t)| t.len()).sum();
        let n = (shape.n * (1 << 20) / sample).min(shape.max_n);
        let mut size = Prepared::new(&shape, n);
        eprintln!("{}: {} bytes", shape.name, size.bytes);
        for (op, what) in operations().into_iter().enumerate() {
            let start = Instant::now();
            std::hint::black_box(size.run(op));
            eprintln!("  {what:<20} {:>10.2?}", start.elapsed());
        }
    }
}
