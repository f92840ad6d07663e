//! What `mlpy` does with the files and streams around it, as a user meets it: output that
//! cannot be written is an error, not a panic; only regular files are read; files the
//! user named are replaced only when mlpy wrote them, and `mlpy fmt` keeps what a file is
//! (owner, permissions, hard links) or leaves it alone; a broken `mlpy.json` is an error,
//! never skipped for the one above it.

mod support;

use std::fs::File;
use std::process::{Command, Output, Stdio};
use support::{stderr, stdout, Project};

fn assert_no_panic(out: &Output) {
    let text = format!("{}{}", stdout(out), stderr(out));
    assert!(!text.contains("panicked"), "{text}");
    assert_ne!(out.status.code(), Some(101), "{text}");
}

/// `mlpy ARGS` in `project` with standard output going to `/dev/full`.
fn to_full_disk(project: &Project, args: &[&str]) -> Output {
    let mut command: Command = support::mlpy(&project.path(".cache"));
    command
        .args(args)
        .current_dir(project.dir.path())
        .stdin(Stdio::null())
        .stdout(File::create("/dev/full").expect("/dev/full"))
        .stderr(Stdio::piped());
    command.output().expect("mlpy runs")
}

#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    let project = Project::new();
    project
        .file("ok.ml", "x = 1;\nprint(x);\n")
        .file("bad.ml", "x = ;\n")
        .file("ugly.ml", "x=1;\n")
        .file(
            "t_test.ml",
            "import testing;\nfunction test_a() { testing.assert_equal(1, 1); }\n",
        );
    let commands: &[&[&str]] = &[
        &["parse", "ok.ml"],
        &["parse", "--format", "json", "ok.ml"],
        &["check", "ok.ml"],
        &["check", "bad.ml"],
        &["check", "--format", "json", "ok.ml"],
        &["graph", "ok.ml"],
        &["graph", "--format", "dot", "ok.ml"],
        &["graph", "--format", "json", "ok.ml"],
        &["fmt", "--diff", "ugly.ml"],
        &["fmt", "--check", "ugly.ml"],
        &["test", "t_test.ml"],
        &["test", "--format", "json", "t_test.ml"],
        &["transpile", "ok.ml", "-o", "-"],
    ];
    for args in commands {
        let out = to_full_disk(&project, args);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("No space left on device"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // Nothing was rewritten on the way.
    assert_eq!(
        std::fs::read_to_string(project.path("ugly.ml")).unwrap(),
        "x=1;\n"
    );
}

#[test]
fn only_regular_files_are_read() {
    let project = Project::new();
    project.file("ok.ml", "x = 1;\n");
    let fifo = project.path("pipe.ml");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    std::fs::create_dir(project.path("folder.ml")).unwrap();
    // Each would block or never end if it were read.
    for special in ["/dev/zero", "/dev/urandom", "pipe.ml"] {
        let commands: Vec<Vec<&str>> = vec![
            vec!["parse", special],
            vec!["fmt", special],
            vec!["fmt", "--check", special],
            vec!["check", special],
            vec!["check", "ok.ml", "--config", special],
            vec!["sign", "--key", special, "ok.ml"],
        ];
        for args in commands {
            let mut command = support::mlpy(&project.path(".cache"));
            command.args(&args).current_dir(project.dir.path());
            let out =
                support::run_with_timeout(&mut command, None, std::time::Duration::from_secs(20));
            assert_no_panic(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("not a regular file"),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
    let out = project.mlpy(&["parse", "folder.ml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("folder"), "{}", stderr(&out));
    let out = project.mlpy_stdin(&["repl"], ".load /dev/zero\nprint(1);\n");
    assert_no_panic(&out);
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "1\n", "the session goes on");
}

#[test]
fn junit_reports_replace_only_reports() {
    let project = Project::new();
    project
        .file("mlpy.json", "{}\n")
        .file(
            "a_test.ml",
            "import testing;\nfunction test_ok() { testing.assert_equal(1, 1); }\n",
        )
        .file("notes.txt", "my notes\n");
    // Sources, the configuration and anyone's files are kept.
    for target in ["a_test.ml", "mlpy.json", "notes.txt"] {
        let before = std::fs::read(project.path(target)).unwrap();
        let out = project.mlpy(&["test", "--junit", target]);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("refusing to overwrite '{target}'")),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
        assert_eq!(std::fs::read(project.path(target)).unwrap(), before);
    }
    // A report it wrote is replaced run after run; --force replaces anything.
    for _ in 0..2 {
        let out = project.mlpy(&["test", "--junit", "report.xml"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let report = std::fs::read_to_string(project.path("report.xml")).unwrap();
    assert!(report.starts_with("<?xml"), "{report}");
    assert!(report.contains("<testcase"), "{report}");
    let out = project.mlpy(&["test", "--junit", "notes.txt", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(project.path("notes.txt"))
        .unwrap()
        .contains("<testsuites"));
    // A place that cannot be written is named in the error.
    for target in ["notes.txt/r.xml", "/proc/mlpy-no-such/r.xml"] {
        let out = project.mlpy(&["test", "--junit", target]);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("--junit: cannot write '{target}'")),
            "{}",
            stderr(&out)
        );
    }
}

#[cfg(unix)]
#[test]
fn fmt_keeps_what_a_file_is_or_leaves_it_alone() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let project = Project::new();
    // Permissions survive the rewrite.
    project.file("private.ml", "x=1;\n");
    let private = project.path("private.ml");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = project.mlpy(&["fmt", "private.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&private).unwrap(), "x = 1;\n");
    assert_eq!(std::fs::metadata(&private).unwrap().mode() & 0o777, 0o600);
    // Hard links would be separated: reported, left as they are.
    project.file("one.ml", "y=2;\n");
    std::fs::hard_link(project.path("one.ml"), project.path("two.ml")).unwrap();
    let out = project.mlpy(&["fmt", "one.ml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("hard links"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(project.path("one.ml")).unwrap(),
        "y=2;\n"
    );
    assert_eq!(
        std::fs::metadata(project.path("two.ml")).unwrap().nlink(),
        2
    );
    // No temporary file is left behind by either.
    let leftovers: Vec<String> = project
        .files()
        .into_iter()
        .filter(|f| f.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_broken_mlpy_json_is_an_error_not_skipped_for_the_one_above() {
    let project = Project::new();
    // The folder above has a configuration that would resolve `m` elsewhere.
    project
        .file("mlpy.json", "{\"import_paths\": [\"evil\"]}\n")
        .file("evil/m.ml", "v = \"the parent's module\";\n")
        .file("proj/lib/m.ml", "v = \"the project's module\";\n")
        .file("proj/main.ml", "import m;\nprint(m.v);\n");
    let config = project.path("proj/mlpy.json");
    type Make<'a> = Box<dyn Fn() + 'a>;
    let broken: [(&str, Make); 3] = [
        (
            "a dangling link",
            Box::new(|| std::os::unix::fs::symlink("../missing/mlpy.json", &config).unwrap()),
        ),
        (
            "a folder",
            Box::new(|| std::fs::create_dir(&config).unwrap()),
        ),
        (
            "a link loop",
            Box::new(|| std::os::unix::fs::symlink("mlpy.json", &config).unwrap()),
        ),
    ];
    for (what, make) in broken {
        make();
        for command in ["run", "check"] {
            let out = project.mlpy(&[command, "proj/main.ml"]);
            assert_no_panic(&out);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{what}, {command}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("mlpy.json"),
                "{what}, {command}: {}",
                stderr(&out)
            );
            assert!(!stdout(&out).contains("parent"), "{what}: {}", stdout(&out));
        }
        match std::fs::symlink_metadata(&config) {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir(&config).unwrap(),
            _ => std::fs::remove_file(&config).unwrap(),
        }
    }
}

#[test]
fn fmt_names_places_as_check_does_whatever_the_line_endings() {
    let project = Project::new();
    for (name, text) in [
        ("cr.ml", "x = 1;\rprint(x);\ry = ;\r"),
        ("crlf.ml", "x = 1;\r\nprint(x);\r\ny = ;\r\n"),
        ("lf.ml", "x = 1;\nprint(x);\ny = ;\n"),
        ("mixed.ml", "x = 1;\r\nprint(x);\ry = ;\n"),
    ] {
        project.file(name, text);
        let check = project.mlpy(&["check", name]);
        let fmt = project.mlpy(&["fmt", "--check", name]);
        let place = format!("{name}:3:5: error");
        assert!(
            stderr(&check).contains(&place) || stdout(&check).contains(&place),
            "check {name}: {}{}",
            stdout(&check),
            stderr(&check)
        );
        assert!(
            stderr(&fmt).contains(&place),
            "fmt {name}: {}",
            stderr(&fmt)
        );
        assert_eq!(std::fs::read_to_string(project.path(name)).unwrap(), text);
    }
}

#[test]
fn publish_writes_outside_the_sources_and_keeps_files_it_did_not_write() {
    let project = Project::new();
    project
        .file("src/lib/a.ml", "x = 1;\n")
        .file("site/index.json", "{\"my\": \"data\"}\n");
    let out = project.mlpy(&["keygen", "--out", "keys/k"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = project.mlpy(&["publish", "src", "--key", "keys/k", "--out", "site"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to overwrite"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(project.path("site/index.json")).unwrap(),
        "{\"my\": \"data\"}\n"
    );
    assert!(!project.path("site/lib").exists(), "nothing written");
    for inside in ["src", "src/site", "."] {
        let out = project.mlpy(&["publish", "src", "--key", "keys/k", "--out", inside]);
        assert_eq!(out.status.code(), Some(2), "{inside}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("outside the source"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!project.path("src/site").exists());
    assert!(!project.path("src/index.json").exists());
    // A folder of its own is published, and published again.
    for _ in 0..2 {
        let out = project.mlpy(&["publish", "src", "--key", "keys/k", "--out", "www"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert!(project.path("www/lib/a.ml.minisig").is_file());
}

/// Every file whose name says it is one of mlpy's temporary files.
fn temporary_files(project: &Project) -> Vec<String> {
    project
        .files()
        .into_iter()
        .filter(|f| f.contains(".tmp") || f.contains(".mlpy-tmp"))
        .collect()
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    let project = Project::new();
    // Enough files that a signal arrives while they are being written.
    let mut main = String::new();
    for i in 0..1500 {
        project.file(
            &format!("lib/m{i}.ml"),
            &format!("x{i}=1;\nfunction f(a) {{ return a+{i}; }}\n"),
        );
        main.push_str(&format!("import lib.m{i};\n"));
    }
    project.file("main.ml", &main);
    project.file("mlpy.json", "{\"import_paths\": [\".\"]}\n");
    for delay_ms in [30u64, 80, 200] {
        for args in [
            vec!["transpile", "main.ml", "--out-dir", "out"],
            vec!["fmt", "lib"],
        ] {
            let mut child = support::mlpy(&project.path(".cache"))
                .args(&args)
                .current_dir(project.dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("mlpy starts");
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            // SAFETY: sends SIGINT to the child this test started.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGINT);
            }
            let status = child.wait().expect("mlpy ends");
            use std::os::unix::process::ExitStatusExt;
            assert!(
                status.success() || status.signal() == Some(libc::SIGINT),
                "{args:?}: {status:?}"
            );
            let left = temporary_files(&project);
            assert!(left.is_empty(), "{args:?} after {delay_ms} ms: {left:?}");
        }
    }
}

/// Ctrl-C while a program runs: where it was, in ML terms (`FILE.ml:LINE: interrupted`
/// and the ML traceback, never Python's report with the runtime's frames), and the process
/// ends by SIGINT as Python's does; with `mlpy run` and with the emitted Python run by
/// `python3`, in a loop at the top level and inside a function of another module. Each
/// loop is one line, which says "started" from inside it: the signal lands on that line.
#[cfg(unix)]
#[test]
fn ctrl_c_reports_where_the_program_was() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    let project = Project::new();
    project
        .file("mlpy.json", "{\"import_paths\": [\".\"]}\n")
        .file(
            "lib/spin.ml",
            "function forever(n) {\n    while (true) { if (n == 0) { print(\"started\"); } n = n + 1; }\n}\n",
        )
        .file(
            "top.ml",
            "started = false;\nwhile (true) { if (!started) { print(\"started\"); started = true; } }\n",
        )
        .file(
            "nested.ml",
            "import lib.spin;\nlib.spin.forever(0);\n",
        );
    let wants = [
        (
            "top.ml",
            vec![
                "top.ml:2: interrupted",
                "ML traceback (most recent call last):",
                "  top.ml:2 in <module>",
            ],
        ),
        (
            "nested.ml",
            vec![
                "lib/spin.ml:2: interrupted",
                "ML traceback (most recent call last):",
                "  nested.ml:2 in <module>",
                "  lib/spin.ml:2 in forever",
            ],
        ),
    ];
    for (program, want) in wants {
        let emitted = format!("{program}.py");
        let out = project.mlpy(&["transpile", program, "-o", &emitted]);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut run = support::mlpy(&project.path(".cache"));
        run.args(["run", program]);
        let mut bare = support::python();
        bare.arg(&emitted);
        for mut command in [run, bare] {
            let mut child = command
                .current_dir(project.dir.path())
                .env("PYTHONUNBUFFERED", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the program starts");
            let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
            let mut first = String::new();
            lines.read_line(&mut first).expect("a line");
            assert_eq!(first, "started\n", "{program}");
            // SAFETY: sends SIGINT to the child this test started (`mlpy run` becomes
            // the Python process).
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGINT);
            }
            let out = child.wait_with_output().expect("the program ends");
            let text = stderr(&out);
            assert_eq!(out.status.signal(), Some(libc::SIGINT), "{program}: {text}");
            let relative: Vec<String> = text.lines().map(|l| l.replace('\\', "/")).collect();
            assert_eq!(relative, want, "{program}: {text}");
        }
    }
}

/// A process id that no process has: a child that has ended (the id could be reused before
/// mlpy looks, which would only keep its files: the assertions below would then fail
/// loudly rather than pass by luck, and a rerun would pass).
#[cfg(unix)]
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().expect("true");
    let pid = child.id();
    child.wait().expect("true ends");
    pid
}

#[cfg(unix)]
#[test]
fn temporary_files_of_a_killed_run_are_removed_by_the_next_one() {
    // SIGKILL runs no handler: a transpile killed between writing its temporary files and
    // renaming them left them in the output folder (or, writing a new folder, a temporary
    // folder beside it; with -o, a temporary file beside the target), and every later run
    // kept them for ever. The next write into the same place removes those whose process
    // is gone, and keeps a live process's (a concurrent run's).
    let project = Project::new();
    project
        .file("mlpy.json", "{\"import_paths\": [\"lib\"]}\n")
        .file("main.ml", "import pkg.m;\nprint(pkg.m.x);\n")
        .file("lib/pkg/m.ml", "x = 1;\n");
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dead = dead_pid();
    let live = std::process::id();
    let stale = [
        format!("out/.mlpy-tmp.{dead}.0"),
        format!("out/pkg/.mlpy-tmp.{dead}.7"),
        format!("out/mlpy_runtime/.mlpy-tmp.{dead}.12"),
        // The manifest is written with write_atomic: `.` + its name + `.tmp-`.
        format!("out/..mlpy-output.tmp-{dead}-3"),
        format!(".new.tmp.{dead}.1/main.py"),
        format!(".single.py.tmp-{dead}-0"),
    ];
    let kept = [
        format!("out/.mlpy-tmp.{live}.0"),
        format!("out/pkg/.mlpy-tmp.{dead}.notmine"),
        "out/.mlpy-tmp.notes".to_string(),
        format!(".other.tmp.{dead}.1"),
    ];
    for file in stale.iter().chain(&kept) {
        project.file(file, "half-written\n");
    }
    for args in [
        ["transpile", "main.ml", "--out-dir", "out"],
        ["transpile", "main.ml", "--out-dir", "new"],
        ["transpile", "main.ml", "-o", "single.py"],
    ] {
        let out = project.mlpy(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    for file in &stale {
        let top = file.split('/').next().unwrap_or(file);
        let path = if top.starts_with(".new.tmp") {
            project.path(top)
        } else {
            project.path(file)
        };
        assert!(!path.exists(), "{file} was left behind");
    }
    for file in &kept {
        assert!(project.path(file).exists(), "{file} was removed");
    }
    let run = support::python()
        .arg(project.path("out/main.py"))
        .output()
        .expect("python3 runs");
    assert_eq!(stdout(&run), "1\n", "{}", stderr(&run));
}

#[cfg(unix)]
#[test]
fn file_names_with_control_characters_are_printed_escaped() {
    let project = Project::new();
    for name in ["e\u{1b}[31mred.ml", "a\nb.ml", "tab\there.ml"] {
        project.file(name, "x = ;\n");
        let out = project.mlpy(&["check", name]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!text.contains('\u{1b}'), "{text:?}");
        let escaped: String = name.escape_default().collect();
        let place = format!("{escaped}:1:5: error");
        assert!(text.contains(&place), "{place:?} in {text:?}");
        // The place is one line.
        assert!(text.lines().any(|l| l.starts_with(&place)), "{text:?}");
    }
}

#[test]
fn parallel_builds_into_one_new_output_folder_all_succeed() {
    let project = Project::new();
    project
        .file("main.ml", "import lib.a;\nprint(lib.a.x);\n")
        .file("lib/a.ml", "x = 1;\n")
        .file("mlpy.json", "{\"import_paths\": [\".\"]}\n");
    for round in 0..3 {
        let dest = format!("out{round}");
        let runs: Vec<usize> = (0..8).collect();
        let outs = support::parallel(&runs, |_| {
            project.mlpy(&["transpile", "main.ml", "--out-dir", &dest])
        });
        for out in outs {
            assert_no_panic(&out);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        assert!(project.path(&dest).join("main.py").is_file());
        assert!(
            temporary_files(&project).is_empty(),
            "{:?}",
            temporary_files(&project)
        );
    }
}

#[cfg(unix)]
#[test]
fn paths_that_name_nothing_usable_say_what_they_are() {
    let project = Project::new();
    project.file("mlpy.json", "{}\n");
    std::os::unix::fs::symlink("nowhere.ml", project.path("dangling_test.ml")).unwrap();
    std::os::unix::fs::symlink("loop_test.ml", project.path("loop_test.ml")).unwrap();
    for (path, words) in [
        ("dangling_test.ml", "symbolic link to nothing"),
        ("loop_test.ml", "symbolic links"),
        ("/dev/null", "not a regular file"),
        ("missing_test.ml", "no such file or folder"),
    ] {
        for command in ["fmt", "test"] {
            let out = project.mlpy(&[command, path]);
            assert_no_panic(&out);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} {path}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(words),
                "{command} {path}: {}",
                stderr(&out)
            );
        }
    }
    // A bad network option is the command's error, not every test file's.
    project.file(
        "a_test.ml",
        "import testing;\nfunction test_a() { testing.assert_equal(1, 1); }\n",
    );
    for args in [
        vec!["test", "a_test.ml", "--timeout", "0"],
        vec!["test", "a_test.ml", "--timeout", "nan"],
        vec!["test", "a_test.ml", "--cert", "missing.pem"],
    ] {
        let out = project.mlpy(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            !stdout(&out).contains("ERROR"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn a_granted_name_that_means_nothing_is_warned_about() {
    let project = Project::new();
    project
        .file(
            "mlpy.json",
            "{\"capabilities\": [\"fiel\", \"file.read\", \"network.https://example.com/*\"]}\n",
        )
        .file("main.ml", "print(1);\n");
    for command in ["check", "run"] {
        let out = project.mlpy(&[command, "main.ml", "--allow", "bogus", "--allow", "env"]);
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("the capability 'fiel' grants nothing")
                && err.contains("did you mean 'file'?"),
            "{command}: {err}"
        );
        assert!(
            err.contains("the capability 'bogus' grants nothing"),
            "{command}: {err}"
        );
        // Said once each; the names that mean something are not mentioned.
        assert_eq!(err.matches("grants nothing").count(), 2, "{command}: {err}");
    }
}

#[test]
fn import_grants_are_not_warned_about() {
    let project = Project::new();
    project.file(
        "mlpy.json",
        "{\"capabilities\": [\"git.clone\", \"git.clone.git://127.0.0.1:9418/org/*\", \"plugin.db\", \"network.https://127.0.0.1:8443/*\", \"network\"]}\n",
    );
    project.file("main.ml", "print(1);\n");
    let out = project.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("grants nothing"), "{}", stderr(&out));
}
