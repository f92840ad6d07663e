//! Picks an escape attempt from the attack space of `mlpy_testkit::attacks` (an unbinding
//! form, a code runner, up to four runtime-built closures around it, a sink, an encoding),
//! emits it *without* the static checks and runs it in `python3` with the shipped runtime:
//! no canary effect may happen (no process started, no secret read, no connection).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mlpy_modules::{ModuleCache, ModuleGraph, ProjectConfig, Resolver};
use mlpy_testkit::attacks::{self, Canaries};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

struct Arena {
    root: PathBuf,
    canaries: Canaries,
    secret_text: String,
    accepted: Arc<AtomicUsize>,
    runs: AtomicUsize,
}

fn arena() -> &'static Arena {
    static ARENA: OnceLock<Arena> = OnceLock::new();
    ARENA.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("mlpy-fuzz-sandbox-{}", std::process::id()));
        let effects = root.join("effects");
        std::fs::create_dir_all(&effects).unwrap();
        let secret = root.join("secret.txt");
        let secret_text = format!("FUZZ-SECRET-{}", std::process::id());
        std::fs::write(&secret, &secret_text).unwrap();
        let link = root.join("link.txt");
        let _ = std::os::unix::fs::symlink(&secret, &link);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for s in listener.incoming() {
                if s.is_ok() {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Arena {
            canaries: Canaries {
                dir: effects.display().to_string(),
                secret_path: secret.display().to_string(),
                secret_link: link.display().to_string(),
                port,
            },
            root,
            secret_text,
            accepted,
            runs: AtomicUsize::new(0),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let arena = arena();
    let id = arena.runs.fetch_add(1, Ordering::SeqCst);
    let attack = attacks::from_bytes(data, &arena.canaries, id);
    let project = arena.root.join("project");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("mlpy.json"), r#"{"import_paths": ["."]}"#).unwrap();
    std::fs::write(project.join("attack.ml"), &attack.source).unwrap();
    let main = project.join("main.ml");
    std::fs::write(&main, "import attack;\nprint(\"done\");\n").unwrap();
    let config = ProjectConfig::discover(&main).unwrap();
    let resolver = Resolver::new(Arc::new(config.clone()));
    let graph = ModuleGraph::build(&main, &resolver, &ModuleCache::new()).unwrap();
    let output = mlpy_transpile::transpile_multi_unchecked(&graph, &mlpy_transpile::Options::new(&config));
    let out = arena.root.join("out");
    let _ = std::fs::remove_dir_all(&out);
    for file in &output.files {
        let path = out.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, file.contents.as_bytes()).unwrap();
    }
    let run = std::process::Command::new(std::env::var("MLPY_PYTHON").unwrap_or_else(|_| "python3".into()))
        .arg(out.join(&output.entry))
        .current_dir(&arena.root)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    let effects = std::fs::read_dir(&arena.canaries.dir).unwrap().count();
    assert!(!text.contains(&arena.secret_text), "{}: secret read\n{}", attack.label, attack.source);
    assert_eq!(effects, 0, "{}: process started\n{}", attack.label, attack.source);
    assert_eq!(arena.accepted.load(Ordering::SeqCst), 0, "{}: connected\n{}", attack.label, attack.source);
});
