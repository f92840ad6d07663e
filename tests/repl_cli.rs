//! `mlpy repl` as people use it: typed into a real pseudo-terminal (line editing, the
//! continuation prompt, Ctrl-C, Ctrl-D, Tab, the history), and fed through a pipe (no
//! prompts, every input run, the exit status). Real `mlpy`, real `python3`.

use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);
/// What the line editor writes once it has put the terminal back in its usual mode.
const BRACKETED_PASTE_OFF: &str = "\x1b[?2004l";

/// An `mlpy repl` on a pseudo-terminal, and everything it wrote.
struct Terminal {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Vec<u8>>>,
    /// How much of the output the expectations have consumed.
    seen: usize,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Terminal {
    fn start(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 50,
                cols: 200,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_mlpy"));
        command.arg("repl");
        command.args(args);
        command.cwd(dir);
        command.env("MLPY_CACHE_DIR", cache);
        command.env("MLPY_REPL_HISTORY", cache.join("history"));
        command.env("NO_COLOR", "1");
        command.env("TERM", "xterm");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pair.slave.spawn_command(command).expect("mlpy starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let writer = pair.master.take_writer().expect("a writer");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        let mut terminal = Terminal {
            child,
            writer,
            output,
            seen: 0,
            _master: pair.master,
        };
        terminal.expect("Type .help for help");
        terminal.expect("> ");
        terminal
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits until `needle` appears after what was already consumed; consumes up to its
    /// end and returns that text.
    fn expect(&mut self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            {
                let output = self.output.lock().unwrap();
                let fresh = String::from_utf8_lossy(&output[self.seen..]).into_owned();
                if let Some(at) = fresh.find(needle) {
                    let end = at + needle.len();
                    self.seen += fresh[..end].len();
                    return fresh[..end].to_string();
                }
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "timed out waiting for {needle:?}; the terminal shows:\n{}",
                    self.text()
                );
            }
            // Short: the latency test times through this loop.
            std::thread::sleep(Duration::from_micros(100));
        }
    }

    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Types a line and presses Enter.
    fn line(&mut self, text: &str) {
        self.send(text);
        self.send("\r");
    }

    /// Types a line; expects `shown` (a printed value, a message) and the next prompt.
    fn enter(&mut self, text: &str, shown: &str) -> String {
        self.line(text);
        let out = self.expect(shown);
        self.expect("> ");
        out
    }

    /// Types a line that prints nothing; expects the next prompt.
    fn quiet(&mut self, text: &str) {
        self.line(text);
        self.expect("> ");
    }

    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            if start.elapsed() > TIMEOUT {
                panic!("mlpy did not exit; the terminal shows:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

fn project(files: &[(&str, &str)]) -> Project {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    Project {
        dir,
        cache: tempfile::tempdir().unwrap(),
    }
}

impl Project {
    fn terminal(&self, args: &[&str]) -> Terminal {
        Terminal::start(self.dir.path(), self.cache.path(), args, &[])
    }

    /// `mlpy repl ARGS` with `input` piped in: (stdout, stderr, exit code).
    fn piped(&self, args: &[&str], input: &str) -> (String, String, i32) {
        self.piped_bytes(args, input.as_bytes())
    }

    fn piped_bytes(&self, args: &[&str], input: &[u8]) -> (String, String, i32) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlpy"))
            .arg("repl")
            .args(args)
            .current_dir(self.dir.path())
            .env("MLPY_CACHE_DIR", self.cache.path())
            .env("MLPY_REPL_HISTORY", "")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let bytes = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&bytes));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }
}

#[test]
fn values_state_and_a_function_over_several_lines() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    // The value of an expression statement, as ML shows it; an assignment shows nothing.
    for (input, shown) in [
        ("1 + 1", "2\r\n"),
        ("\"ab\" + \"c\"", "'abc'\r\n"),
        ("[1, 2, 3]", "[1, 2, 3]\r\n"),
        ("3 > 2", "true\r\n"),
        ("{k: 5}", "{'k': 5}\r\n"),
        ("7 // 2", "3\r\n"),
    ] {
        t.enter(input, shown);
    }
    t.line("x = 20 + 1");
    let quiet = t.expect("> ");
    assert!(!quiet.contains("21"), "{quiet:?}");
    t.enter("x * 2", "42\r\n");
    // An unfinished input continues after the continuation prompt.
    t.line("function twice(a) {");
    t.expect("... ");
    t.line("  return a * 2;");
    t.expect("... ");
    t.line("}");
    t.expect("> ");
    t.enter("twice(x) + 0.5", "42.5\r\n");
    // `null` prints nothing, like Python's None.
    t.line("null");
    let shown = t.expect("> ");
    assert!(
        !shown.contains("None") && !shown.contains("null\r\n"),
        "{shown:?}"
    );
    t.line(".exit");
    assert_eq!(t.exit_code(), 0);
}

#[test]
fn errors_name_the_input_line_and_column_and_the_session_goes_on() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.quiet("kept = 5");
    t.line("y = nope + 1");
    t.expect("<input 2>:1:5: error: Unknown identifier 'nope'");
    t.expect("> ");
    // Line 2 of a three-line input.
    t.line("z = [1,");
    t.expect("... ");
    t.line("  missing,");
    t.expect("... ");
    t.line("  3]");
    t.expect("<input 3>:2:3: error: Unknown identifier 'missing'");
    t.expect("> ");
    // A run-time error: its line (the source map is per line) and the ML traceback.
    t.line("function divide(n) {");
    t.expect("... ");
    t.line("  return 10 / n;");
    t.expect("... ");
    t.line("}");
    t.expect("> ");
    t.line("divide(0)");
    t.expect("<input 4>:2: ZeroDivisionError: division by zero");
    t.expect("<input 5>:1 in <module>");
    t.expect("> ");
    // A syntax error that no further line can fix is reported at once.
    t.line("w = ) 2");
    t.expect("<input 6>:1:5: error:");
    t.expect("> ");
    t.enter("kept + divide(5)", "7.0\r\n");
}

#[test]
fn imports_of_the_standard_library_and_of_the_project() {
    let p = project(&[
        ("mlpy.json", r#"{"import_paths": ["lib"]}"#),
        (
            "lib/geometry/shapes.ml",
            "import math;\nfunction area(w, h) { return w * h; }\nfunction circle(r) { return math.floor(math.pi * r * r); }\n",
        ),
    ]);
    let mut t = p.terminal(&[]);
    t.quiet("import math");
    t.enter("math.floor(2.7)", "2\r\n");
    t.quiet("import geometry.shapes as shapes");
    t.enter("shapes.area(6, 7)", "42\r\n");
    t.enter("shapes.circle(10)", "314\r\n");
    // Unknown modules and members are the checker's errors.
    t.line("import nowhere");
    t.expect("error: Module 'nowhere' not found");
    t.expect("> ");
    t.line("shapes.volume(1)");
    t.expect("<input 7>:1:8: error:");
    t.expect("> ");
}

#[test]
fn capabilities_are_refused_without_a_grant_and_allowed_with_it() {
    let p = project(&[]);
    let env = [("MLPY_REPL_SECRET", "granted-value")];
    let mut t = Terminal::start(p.dir.path(), p.cache.path(), &[], &env);
    t.quiet("import env");
    t.line("env.get(\"MLPY_REPL_SECRET\")");
    t.expect("CapabilityError: capability 'env.read' is not granted");
    t.expect("> ");
    drop(t);
    let mut t = Terminal::start(p.dir.path(), p.cache.path(), &["--allow", "env"], &env);
    t.quiet("import env");
    t.enter("env.get(\"MLPY_REPL_SECRET\")", "'granted-value'\r\n");
}

#[test]
fn commands_help_vars_clear_load_exit() {
    let p = project(&[(
        "tools.ml",
        "function greet(name) { return \"hi \" + name; }\nloaded = 3;\n",
    )]);
    let mut t = p.terminal(&[]);
    t.line(".help");
    t.expect(".load FILE");
    t.expect("> ");
    t.quiet("a = 1");
    t.quiet("b = [a, \"two\"]");
    t.line(".vars");
    t.expect("a = 1\r\n");
    t.expect("b = [1, 'two']\r\n");
    t.expect("> ");
    t.line(".clear");
    t.expect("(cleared)");
    t.expect("> ");
    t.line("a");
    t.expect("error: Unknown identifier 'a'");
    t.expect("> ");
    t.line(".vars");
    t.expect("(no variables)");
    t.expect("> ");
    t.line(".load tools.ml");
    t.expect("> ");
    t.enter("loaded * 2", "6\r\n");
    t.enter("greet(\"ML\")", "'hi ML'\r\n");
    t.line(".load absent.ml");
    t.expect("error: cannot read 'absent.ml'");
    t.expect("> ");
    t.line(".bogus");
    t.expect("unknown command .bogus");
    t.expect("> ");
    t.line(".exit");
    assert_eq!(t.exit_code(), 0);
}

#[test]
fn ctrl_c_cancels_the_input_and_stops_a_running_loop() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.quiet("kept = 9");
    // Cancels the half-typed input: the next line starts a new one.
    t.line("function f() {");
    t.expect("... ");
    t.send("\x03");
    t.expect("> ");
    t.enter("kept + 1", "10\r\n");
    // Stops a statement that would never end; the session keeps its names.
    t.line("n = 0");
    t.expect("> ");
    t.line("while (true) { n = n + 1; }");
    // The line editor has given the terminal back (Ctrl-C is a signal again) ...
    t.expect(BRACKETED_PASTE_OFF);
    // ... and the loop has had time to start.
    std::thread::sleep(Duration::from_millis(500));
    t.send("\x03");
    t.expect("interrupted");
    t.expect("> ");
    t.enter("n > 0", "true\r\n");
    t.enter("kept * 2", "18\r\n");
}

#[test]
fn ctrl_c_right_after_enter_stops_that_input() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    // Pressed while `mlpy` still checks the input, or as it starts: either way that input
    // stops (a Ctrl-C Python's driver saw while waiting was once dropped, and the loop
    // ran on). Several times, as the moment it lands varies.
    for round in 0..5 {
        t.line(&format!("while (true) {{ r{round} = 1; }}"));
        t.expect(BRACKETED_PASTE_OFF);
        t.send("\x03");
        t.expect("interrupted");
        t.expect("> ");
    }
    // One pressed after an input ended is not kept for the next.
    t.quiet("done = 1");
    t.enter("done + 1", "2\r\n");
}

#[test]
fn ctrl_d_exits() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.enter("1 + 2", "3\r\n");
    t.send("\x04");
    assert_eq!(t.exit_code(), 0);
}

#[test]
fn ctrl_d_on_a_continuation_line_ends_the_input_not_the_session() {
    // As in Python's REPL: the unfinished input's errors are reported and the next prompt
    // is `> `. It used to end the whole session, silently, with status 0.
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.quiet("kept = 5");
    for unfinished in ["xs = [1,", "function f(a) {", "y = 1 +"] {
        t.line(unfinished);
        t.expect("... ");
        t.send("\x04");
        t.expect("<input ");
        t.expect(": error: ");
        t.expect("> ");
    }
    // Nothing of them was kept; the session goes on.
    t.enter("kept + 1", "6\r\n");
    t.line("xs");
    t.expect("Unknown identifier 'xs'");
    t.expect("> ");
    t.send("\x04");
    assert_eq!(t.exit_code(), 0);
}

#[test]
fn pasted_lines_run_one_by_one_as_if_typed() {
    // A bracketed paste arrives as one edit holding its line breaks; it used to be checked
    // as one input, so that every pasted line but the last needed its `;` (`a = 1` then
    // `b = 2` was "expected `;`"). Each line is taken as typed: an input ends where a
    // typed one would, values are shown, and an unfinished input continues.
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.send("\x1b[200~a = 20\nb = [a,\n  1]\nb\nfunction add(x, y) {\n  return x + y;\n}\nadd(a, 22)\x1b[201~");
    t.send("\r");
    t.expect("[20, 1]\r\n");
    t.expect("42\r\n");
    t.expect("> ");
    let shown = t.text();
    assert!(!shown.contains("error"), "{shown}");
    // A command on a pasted line works as typed; an error stops only its own input.
    t.send("\x1b[200~c = nope\n.vars\nd = b[0] + 1\nd\x1b[201~");
    t.send("\r");
    t.expect("Unknown identifier 'nope'");
    t.expect("a = 20");
    t.expect("21\r\n");
    t.expect("> ");
    // An input interrupted with Ctrl-C ends the paste: the lines after it do not run.
    t.send("\x1b[200~while (true) { a = a + 0; }\nafter = 1\x1b[201~");
    t.send("\r");
    t.expect(BRACKETED_PASTE_OFF);
    std::thread::sleep(Duration::from_millis(500));
    t.send("\x03");
    t.expect("interrupted");
    t.expect("> ");
    t.line("after");
    t.expect("Unknown identifier 'after'");
    t.expect("> ");
}

#[test]
fn lines_typed_ahead_in_one_burst_all_run() {
    // Lines that reach the terminal together (a paste where the terminal has no bracketed
    // paste, `tmux send-keys`, a script typing): the line editor read them all at once and
    // dropped everything after the first Enter. They are now kept for the next prompts.
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.send("1 + 1\r2 + 2\rys = [3,\r4]\rys\r");
    t.expect("2\r\n");
    t.expect("4\r\n");
    t.expect("... ");
    t.expect("[3, 4]\r\n");
    t.expect("> ");
}

#[test]
fn tab_completes_names_and_members() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.quiet("counter_value = 41");
    t.send("counter_v\t");
    t.expect("counter_value");
    t.enter(" + 1", "42\r\n");
    t.quiet("import math");
    t.send("math.flo\t");
    t.expect("math.floor");
    t.enter("(9.5)", "9\r\n");
    // The builtins too.
    t.send("pri\t");
    t.expect("print");
    t.enter("(\"done\")", "done\r\n");
}

#[test]
fn history_recalls_earlier_inputs_and_is_kept() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.enter("40 + 2", "42\r\n");
    // Up arrow, Enter: the same input again.
    t.send("\x1b[A");
    t.expect("40 + 2");
    t.line("");
    t.expect("42\r\n");
    t.expect("> ");
    t.line(".exit");
    assert_eq!(t.exit_code(), 0);
    let history = std::fs::read_to_string(p.cache.path().join("history")).unwrap();
    assert!(history.contains("40 + 2"), "{history:?}");
}

#[test]
fn console_input_reads_the_terminal() {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.line("name = input(\"who? \")");
    // The prompt on a line of its own: "who? " alone is also in the echoed input, and
    // "Ada" typed while the line editor still has the terminal raw would keep its "\r".
    t.expect("\r\nwho? ");
    t.line("Ada");
    t.expect("> ");
    t.enter("\"hello \" + name", "'hello Ada'\r\n");
}

#[test]
fn piped_input_runs_every_input_without_prompts() {
    let p = project(&[
        ("mlpy.json", r#"{"import_paths": ["."]}"#),
        ("helpers.ml", "function inc(n) { return n + 1; }\n"),
    ]);
    let input = "\
import helpers;
total = 0;
function add(a, b) {
    return a + b;
}
for (i in [1, 2, 3]) {
    total = add(total, helpers.inc(i));
}
total
print(\"done\")
\"text\"
";
    let (out, err, code) = p.piped(&[], input);
    assert_eq!(out, "9\ndone\n'text'\n", "stderr: {err}");
    assert_eq!(err, "");
    assert_eq!(code, 0);
}

#[test]
fn a_module_runs_at_its_import_in_the_input_as_in_mlpy_run() {
    // The code above an import in the same input runs first, and the module runs once,
    // however many inputs import it.
    let p = project(&[
        ("mlpy.json", r#"{"import_paths": ["."]}"#),
        ("a.ml", "import shared;\nprint(\"a\");\n"),
        ("shared.ml", "print(\"shared\");\nn = 1;\n"),
    ]);
    let input = "print(\"before\"); import a; print(\"after\");\nimport shared;\nshared.n\n";
    let (out, err, code) = p.piped(&[], input);
    assert_eq!(out, "before\nshared\na\nafter\n1\n", "stderr: {err}");
    assert_eq!(code, 0, "stderr: {err}");
}

/// A function may call one that a later input defines (as in Python's REPL): the call is
/// looked up when made, through the call gate, so whatever the name holds by then is
/// judged like any called value.
#[test]
fn a_function_calls_one_defined_by_a_later_input() {
    let p = project(&[]);
    for (define, expect) in [
        ("function later(n) { return n * 2; }", "42\n"),
        ("later = fn(n) => n * 2;", "42\n"),
        ("later = double;", "42\n"),
    ] {
        let input = format!(
            "function double(n) {{ return n * 2; }}\nfunction early() {{ return later(21); }}\n{define}\nearly()\n"
        );
        let (out, err, code) = p.piped(&[], &input);
        assert_eq!(out, expect, "{define}: stderr: {err}");
        assert_eq!(code, 0, "{define}: {err}");
    }
    // Still undefined, or not a function: refused when called, and the session goes on.
    let input = "function early() { return later(1); }\nearly()\nlater = 5;\nearly()\n1 + 1\n";
    let (out, err, code) = p.piped(&[], input);
    assert_eq!(out, "2\n", "stderr: {err}");
    assert!(err.contains("name 'later' is not defined"), "{err}");
    assert!(err.contains("not callable"), "{err}");
    assert_eq!(code, 1);
}

/// A warning is shown once, with the input it is about, whatever later inputs do
/// (accepted or refused).
#[test]
fn warnings_of_earlier_inputs_are_not_shown_again() {
    let p = project(&[]);
    let input = "function f() { return missing(); }\nx = 1;\ny = ;\nz = 2;\nw = ;\n";
    let (_, err, code) = p.piped(&[], input);
    assert_eq!(
        err.matches("Unknown function 'missing'").count(),
        1,
        "{err}"
    );
    assert_eq!(
        err.matches("error: expected an expression").count(),
        2,
        "{err}"
    );
    assert_eq!(code, 1);
}

/// A piped line that is not UTF-8 is an error at its line and column (after the valid
/// characters before it); the lines after it still run.
#[test]
fn piped_lines_that_are_not_utf8_are_errors_at_their_place() {
    let p = project(&[]);
    for (bad, column) in [
        (&b"y = \"\xff\";"[..], 6),
        (&b"\xc3"[..], 1),
        (&b"z = \"\xc3\xa9\xe2\x82\";"[..], 7),
    ] {
        let mut input = b"x = 1;\n".to_vec();
        input.extend_from_slice(bad);
        input.extend_from_slice(b"\nx + 1\n");
        let (out, err, code) = p.piped_bytes(&[], &input);
        assert_eq!(out, "2\n", "{err}");
        assert!(
            err.contains(&format!(
                "<stdin>:2:{column}: error: the input is not UTF-8 text"
            )),
            "{err}"
        );
        assert_eq!(code, 1);
    }
}

#[test]
fn piped_input_reports_errors_with_stdin_lines_and_exits_1() {
    let p = project(&[]);
    let input = "\
a = 1;
b = nope + 1;
c = [1,
  2];
c[5]
a + 1
";
    let (out, err, code) = p.piped(&[], input);
    // Every input ran: the ones after the errors too.
    assert_eq!(out, "2\n", "stderr: {err}");
    assert!(
        err.contains("<stdin>:2:5: error: Unknown identifier 'nope'"),
        "{err}"
    );
    assert!(err.contains("<stdin>:5: IndexError"), "{err}");
    assert_eq!(code, 1);
    // An unfinished input at the end is an error too.
    let (_, err, code) = p.piped(&[], "x = 1;\nfunction f() {\n  return 1;\n");
    assert!(err.contains("<stdin>:2:14: error: unclosed `{`"), "{err}");
    assert_eq!(code, 1);
    // An error is shown in the input as typed: not with the `;` the REPL added to its
    // last statement, and with columns after that point unmoved.
    for (input, place, line) in [
        ("nope >= 0\n", "<stdin>:1:1:", "1 | nope >= 0\n"),
        ("x = 1 + nope\n", "<stdin>:1:9:", "1 | x = 1 + nope\n"),
        ("y = nope  // d\n", "<stdin>:1:5:", "1 | y = nope  // d\n"),
        ("f(\n  nope)\n", "<stdin>:2:3:", "2 |   nope)\n"),
    ] {
        let (_, err, code) = p.piped(&[], input);
        assert!(err.contains(place), "{input:?}: {err}");
        assert!(err.contains(line), "{input:?}: {err}");
        assert!(!err.contains(';'), "{input:?}: {err}");
        assert_eq!(code, 1);
    }
    // A command's errors are at its line, as an input's are.
    let (_, err, code) = p.piped(&[], "a = 1;\n.bogus\n  .load\n.load absent.ml\n");
    assert!(
        err.contains("<stdin>:2:1: error: unknown command .bogus"),
        "{err}"
    );
    assert!(
        err.contains("<stdin>:3:3: error: .load needs a file"),
        "{err}"
    );
    assert!(
        err.contains("<stdin>:4:1: error: cannot read 'absent.ml'"),
        "{err}"
    );
    assert_eq!(code, 1);
    // The commands work there too; `.exit` ends the session early.
    let (out, _, code) = p.piped(&[], "q = 5;\n.vars\n.exit\nq + 1\n");
    assert_eq!((out.as_str(), code), ("q = 5\n", 0));
}

/// Generated: arithmetic on integers of every sign and size class, each input's value
/// printed on its own line, the session's names carried from input to input.
#[test]
fn piped_generated_arithmetic_and_state() {
    let p = project(&[]);
    let numbers: [i128; 7] = [0, 1, -3, 7, 12345, -98765, 1 << 40];
    let mut input = String::new();
    let mut expected = String::new();
    let mut n = 0;
    for &a in &numbers {
        for &b in &numbers {
            n += 1;
            input.push_str(&format!(
                "v{n} = {a};\nv{n} + {b}\nv{n} * {b}\nv{n} - {b}\n"
            ));
            expected.push_str(&format!("{}\n{}\n{}\n", a + b, a * b, a - b));
        }
    }
    // The names of every input are still there at the end.
    input.push_str(&format!("v1 + v{n}\n"));
    expected.push_str(&format!("{}\n", numbers[0] + numbers[numbers.len() - 1]));
    let (out, err, code) = p.piped(&[], &input);
    assert_eq!(out, expected, "stderr: {err}");
    assert_eq!(code, 0);
}

#[test]
fn the_session_keeps_the_sandbox() {
    let p = project(&[]);
    // Statically refused, as in a file: dunders, Python's own builtins.
    let (_, err, code) = p.piped(&[], "x = [1];\nx.__class__\n");
    assert!(err.contains("<stdin>:2:"), "{err}");
    assert_eq!(code, 1);
    let (_, err, code) = p.piped(&[], "eval(\"1\")\n");
    assert!(err.contains("<stdin>:1:1: "), "{err}");
    assert_eq!(code, 1);
    // A name earlier code calls without the call gate keeps what it is.
    let input = "function f(a) { return a; }\nfunction g(a) { return f(a); }\nf = \"{0}\".format;\nfunction f(a) { return a + 1; }\ng(1)\n";
    let (out, err, code) = p.piped(&[], input);
    assert!(
        err.contains("<stdin>:3:1: error: 'f' is a function of an earlier input"),
        "{err}"
    );
    assert_eq!(out, "2\n", "stderr: {err}");
    assert_eq!(code, 1);
    // The audit hook holds: no file without a grant, even through the standard library.
    let (_, err, code) = p.piped(&[], "import file;\nfile.read(\"/etc/hostname\")\n");
    assert!(
        err.contains("capability 'file.read' is not granted"),
        "{err}"
    );
    assert_eq!(code, 1);
}

/// Code of an earlier input reads the members of an imported module directly: a later
/// input may import into that name only the same module again, never another one (the
/// standard library's `env`, whose own `_os` would then be what `geo._os` reads).
#[test]
fn an_import_rebinds_a_module_name_only_to_the_same_module() {
    let p = project(&[
        ("mlpy.json", r#"{"import_paths": ["."]}"#),
        ("geo/_os.ml", "environ = {};\n"),
        ("geo/other.ml", "x = 1;\n"),
    ]);
    for rebinding in [
        "import env as geo;",
        "import geo.other as geo;",
        "import math as geo;",
    ] {
        let input = format!(
            "import geo._os;\nfunction leak() {{ return geo._os.environ; }}\n{rebinding}\nprint(leak()[\"MLPY_TEST_SECRET\"]);\n"
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlpy"));
        child
            .arg("repl")
            .current_dir(p.dir.path())
            .env("MLPY_CACHE_DIR", p.cache.path())
            .env("MLPY_REPL_HISTORY", "")
            .env("NO_COLOR", "1")
            .env("MLPY_TEST_SECRET", "hunter2-in-the-environment")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = child.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            !out.contains("hunter2") && !err.contains("hunter2"),
            "{rebinding}: {out}{err}"
        );
        assert!(
            err.contains("<stdin>:3:") && err.contains("only an `import` of the same module"),
            "{rebinding}: {err}"
        );
    }
    // The same module again (`import geo.other;` binds `geo` to the package `geo` too).
    let (out, err, code) = p.piped(
        &[],
        "import geo._os;\nfunction n() { return len(geo._os.environ); }\nimport geo.other;\nn()\n",
    );
    assert_eq!((out.as_str(), code), ("0\n", 0), "stderr: {err}");
}

/// The latency of `1 + 1`: from Enter to the printed value, through the pseudo-terminal,
/// `samples` times (sorted). `benches/repl_latency.rs` reports it (docs/performance.md).
#[allow(dead_code)]
pub(crate) fn latency_of_one_plus_one(samples: usize) -> Vec<Duration> {
    let p = project(&[]);
    let mut t = p.terminal(&[]);
    t.quiet("warm = 1 + 1");
    let mut times = Vec::new();
    for _ in 0..samples {
        let start = Instant::now();
        t.line("1 + 1");
        t.expect("\r\n2\r\n");
        times.push(start.elapsed());
        t.expect("> ");
    }
    times.sort();
    times
}

#[test]
fn a_function_with_a_builtins_name_stays_the_users_in_later_inputs() {
    // A file's body binds such a name to the builtin before its `function` statement
    // runs; a session's body runs again for every input, so it must not (the user's
    // function would turn back into the builtin at the next input).
    let p = project(&[]);
    let input = "\
function max(a, b) { return \"user\"; }
print(max(1, 2));
x = 1;
print(max(3, 4), x);
";
    let (out, err, code) = p.piped(&[], input);
    assert_eq!(out, "user\nuser 1\n", "stderr: {err}");
    assert_eq!(err, "");
    assert_eq!(code, 0);
}

/// Every input is in the history file as soon as it is entered: two sessions at once both
/// keep theirs, and a session that is killed loses none. A history file that cannot be
/// read is never written over: the session says so, once, and works on.
#[test]
fn the_history_file_keeps_every_input_of_concurrent_and_killed_sessions() {
    let p = project(&[]);
    let path = p.cache.path().join("history");
    std::fs::write(&path, "#V2\nolder = 1\n").unwrap();
    let read = || std::fs::read_to_string(&path).unwrap();
    let mut first = p.terminal(&[]);
    first.enter("40 + 2", "42\r\n");
    let mut second = p.terminal(&[]);
    second.enter("\"from the second\"", "'from the second'\r\n");
    first.enter("1 + 1", "2\r\n");
    for entry in ["older = 1", "40 + 2", "\"from the second\"", "1 + 1"] {
        assert!(read().contains(entry), "{entry:?} in {:?}", read());
    }
    // Killed: nothing it entered is lost, and the other session's exit keeps it all.
    drop(first);
    second.line(".exit");
    assert_eq!(second.exit_code(), 0);
    for entry in ["older = 1", "40 + 2", "\"from the second\"", "1 + 1"] {
        assert!(read().contains(entry), "{entry:?} in {:?}", read());
    }

    let corrupt: &[u8] = b"#V2\nkept \xff\xfe entry\n";
    std::fs::write(&path, corrupt).unwrap();
    let mut t = p.terminal(&[]);
    t.enter("3 * 3", "9\r\n");
    t.enter("4 * 4", "16\r\n");
    t.line(".exit");
    assert_eq!(t.exit_code(), 0);
    let shown = t.text();
    assert_eq!(
        shown.matches("cannot read the history file").count(),
        1,
        "{shown}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), corrupt);
}
