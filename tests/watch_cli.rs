//! `--watch` end to end: `mlpy check --watch`, `mlpy run --watch` and `mlpy test --watch`
//! run again when a file of the program is really edited on disk — a long-running program
//! is stopped first, a module imported by an edit is watched from then on, a syntax error
//! does not end the watch. Generous timeouts (CI is a loaded two-core machine); the
//! watching process and its children are always killed at the end.

mod support;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::Project;

const PATIENCE: Duration = Duration::from_secs(90);

/// A running `mlpy … --watch` whose output is collected as it comes.
struct Watching {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Watching {
    fn start(project: &Project, args: &[&str]) -> Watching {
        let mut command: Command = support::mlpy(&project.path(".cache"));
        command
            .args(args)
            .current_dir(project.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group: the end of the test kills it and all it started.
            command.process_group(0);
        }
        let mut child = command.spawn().expect("start mlpy");
        let output = Arc::new(Mutex::new(String::new()));
        for pipe in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                let mut pipe = pipe;
                let mut chunk = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    output
                        .lock()
                        .expect("output")
                        .push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            });
        }
        Watching { child, output }
    }

    fn text(&self) -> String {
        self.output.lock().expect("output").clone()
    }

    /// Waits until `needle` has been printed `times` times in all.
    fn wait_for_count(&mut self, needle: &str, times: usize) {
        let started = Instant::now();
        loop {
            let text = self.text();
            if text.matches(needle).count() >= times {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mlpy ended ({status}) before printing {needle:?} {times} times:\n{text}");
            }
            if started.elapsed() > PATIENCE {
                panic!("no {needle:?} ({times} times) after {PATIENCE:?}:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&mut self, needle: &str) {
        self.wait_for_count(needle, 1);
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: kill(2) on the process group this test made for mlpy.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a file the way an editor does: the whole text at once. Waits a little first so
/// that the modification time differs from the last write even on coarse file systems.
fn edit(project: &Project, relative: &str, text: &str) {
    std::thread::sleep(Duration::from_millis(50));
    project.file(relative, text);
}

#[test]
fn check_watch_reruns_on_edits_and_survives_syntax_errors() {
    let p = Project::new();
    p.file("mlpy.json", r#"{"import_paths": ["."]}"#);
    p.file("util.ml", "function double(x) { return 2 * x; }\n");
    p.file("main.ml", "import util;\nprint(util.doubel(2));\n");
    let mut w = Watching::start(&p, &["check", "--watch", "main.ml"]);
    w.wait_for("module 'util' has no member 'doubel'");
    w.wait_for("[watch] waiting for changes to");
    edit(&p, "main.ml", "import util;\nprint(util.double(2));\n");
    w.wait_for("[watch] main.ml changed: running again");
    w.wait_for("Checked 2 files: no problems found.");
    // A syntax error is reported, and the watch goes on.
    edit(&p, "main.ml", "import util;\nprint(util.double(2);\n");
    w.wait_for("main.ml:2:21: error");
    w.wait_for_count("[watch] waiting for changes to", 3);
    // An imported module is watched too.
    edit(&p, "main.ml", "import util;\nprint(util.double(2));\n");
    w.wait_for_count("Checked 2 files: no problems found.", 2);
    edit(&p, "util.ml", "function double(x) { return 2 * y; }\n");
    w.wait_for("[watch] util.ml changed: running again");
    w.wait_for("util.ml:1:33: error: Unknown identifier 'y'");
    // So is mlpy.json.
    edit(&p, "mlpy.json", r#"{"import_paths": ["nowhere"]}"#);
    w.wait_for("[watch] mlpy.json changed: running again");
    w.wait_for("Module 'util' not found");
    // An invalid mlpy.json ends the round, not the watch; fixing it starts the next one.
    edit(&p, "mlpy.json", "{\"import_paths\": [\".\"]");
    w.wait_for("mlpy.json:1:");
    edit(&p, "util.ml", "function double(x) { return 2 * x; }\n");
    edit(&p, "mlpy.json", r#"{"import_paths": ["."]}"#);
    w.wait_for_count("Checked 2 files: no problems found.", 3);
    assert!(
        w.child.try_wait().expect("wait").is_none(),
        "the watch ended"
    );
}

#[test]
fn run_watch_stops_the_running_program_and_watches_new_imports() {
    let p = Project::new();
    p.file("mlpy.json", r#"{"import_paths": ["."]}"#);
    // Runs until stopped, saying so every 0.2 s.
    let forever = |tag: &str| {
        format!(
            "import datetime;\nimport console;\nlast = 0;\nwhile (true) {{\n    now = datetime.now().timestamp();\n    if (now - last > 0.2) {{\n        console.log(\"tick {tag}\");\n        last = now;\n    }}\n}}\n"
        )
    };
    p.file("main.ml", &forever("one"));
    let mut w = Watching::start(&p, &["run", "--watch", "main.ml"]);
    w.wait_for_count("tick one", 2);
    edit(&p, "main.ml", &forever("two"));
    w.wait_for("[watch] stopped the running program");
    w.wait_for_count("tick two", 3);
    // The first program is gone: no tick of it after the second started.
    let text = w.text();
    let second = text.find("tick two").expect("second program");
    assert!(!text[second..].contains("tick one"), "{text}");

    // A program that ends; then an import added by an edit is watched from then on.
    edit(&p, "main.ml", "print(\"plain\");\n");
    w.wait_for("plain");
    w.wait_for("[watch] the program ended");
    p.file("extra.ml", "VALUE = \"first value\";\n");
    edit(&p, "main.ml", "import extra;\nprint(extra.VALUE);\n");
    w.wait_for("first value");
    edit(&p, "extra.ml", "VALUE = \"second value!\";\n");
    w.wait_for("[watch] extra.ml changed: running again");
    w.wait_for("second value!");
    // A syntax error: reported, nothing runs, the watch goes on.
    edit(&p, "main.ml", "import extra;\nprint(extra.VALUE;\n");
    w.wait_for("error: could not compile main.ml");
    edit(
        &p,
        "main.ml",
        "import extra;\nprint(\"fixed: \" + extra.VALUE);\n",
    );
    w.wait_for("fixed: second value!");
    assert!(
        w.child.try_wait().expect("wait").is_none(),
        "the watch ended"
    );
}

#[test]
fn test_watch_reruns_tests_and_sees_new_test_files() {
    let p = Project::new();
    p.file("mlpy.json", r#"{"import_paths": ["src"]}"#);
    p.file("src/calc.ml", "function add(a, b) { return a - b; }\n");
    p.file(
        "tests/calc_test.ml",
        "import testing;\nimport calc;\nfunction test_add() { testing.assert_equal(calc.add(2, 3), 5); }\n",
    );
    let mut w = Watching::start(&p, &["test", "--watch"]);
    w.wait_for("0 passed, 1 failed");
    w.wait_for("[watch] waiting for changes to");
    // Fixing the module under test runs the tests again.
    edit(&p, "src/calc.ml", "function add(a, b) { return a + b; }\n");
    w.wait_for("[watch] src/calc.ml changed: running again");
    w.wait_for("1 passed, 0 failed");
    // A new test file is found.
    edit(
        &p,
        "tests/more_test.ml",
        "import testing;\nfunction test_more() { testing.assert_true(true); }\nfunction test_again() { testing.assert_true(1); }\n",
    );
    w.wait_for("3 passed, 0 failed");
    // A test file that does not compile does not end the watch.
    edit(
        &p,
        "tests/more_test.ml",
        "import testing;\nfunction test_more() {\n",
    );
    w.wait_for("ERROR tests/more_test.ml: could not be compiled");
    edit(
        &p,
        "tests/more_test.ml",
        "import testing;\nfunction test_more() { testing.assert_true(true); }\n",
    );
    w.wait_for("2 passed, 0 failed");
    assert!(
        w.child.try_wait().expect("wait").is_none(),
        "the watch ended"
    );
}

/// A test still running when a file changes is stopped, and the new round runs.
#[test]
fn test_watch_stops_running_tests() {
    let p = Project::new();
    p.file("mlpy.json", "{}");
    p.file(
        "slow_test.ml",
        "import testing;\nimport console;\nfunction test_slow() {\n    console.log(\"started\");\n    while (true) { }\n}\n",
    );
    let mut w = Watching::start(&p, &["test", "--watch"]);
    // Give the slow test time to start.
    std::thread::sleep(Duration::from_secs(3));
    edit(
        &p,
        "slow_test.ml",
        "import testing;\nfunction test_slow() { testing.assert_true(true); }\n",
    );
    w.wait_for("[watch] slow_test.ml changed: running again");
    w.wait_for("1 passed, 0 failed");
    assert!(
        w.child.try_wait().expect("wait").is_none(),
        "the watch ended"
    );
}

/// `Module 'x' not found` is fixed by creating the module: its file, in any folder the
/// import searches (an import root that does not exist yet included), or a package's
/// `__init__.ml`, starts the next round — for `run`, `check` and `test`.
#[test]
fn creating_a_missing_module_starts_the_next_round() {
    let p = Project::new();
    p.file("mlpy.json", r#"{"import_paths": ["lib"]}"#);
    p.file(
        "main.ml",
        "import shapes;\nprint(\"area \" + str(shapes.AREA));\n",
    );
    let mut w = Watching::start(&p, &["run", "--watch", "main.ml"]);
    w.wait_for("Module 'shapes' not found");
    w.wait_for("[watch] waiting for changes to");
    // The import root `lib` did not exist either.
    edit(
        &p,
        "lib/shapes.ml",
        "import geo.units;\nAREA = geo.units.M2;\n",
    );
    w.wait_for("Module 'geo.units' not found");
    edit(&p, "lib/geo/units/__init__.ml", "M2 = 12;\n");
    w.wait_for("area 12");
    drop(w);

    p.file("calc_test.ml", "import testing;\nimport calc;\nfunction test_calc() { testing.assert_equal(calc.TWO, 2); }\n");
    let mut w = Watching::start(&p, &["test", "--watch", "calc_test.ml"]);
    w.wait_for("Module 'calc' not found");
    w.wait_for("[watch] waiting for changes to");
    edit(&p, "lib/calc.ml", "TWO = 2;\n");
    w.wait_for("1 passed");
    drop(w);

    let mut w = Watching::start(&p, &["check", "--watch", "other.ml"]);
    p.file("other.ml", "import later;\nprint(later.X);\n");
    w.wait_for("Module 'later' not found");
    w.wait_for("[watch] waiting for changes to");
    edit(&p, "lib/later.ml", "X = 1;\n");
    w.wait_for("no problems found");
}
