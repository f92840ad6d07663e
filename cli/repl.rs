//! `mlpy repl`: an interactive ML session. Lines are edited with history and tab
//! completion (rustyline); an input that the parser finds unfinished continues on the
//! next line; each whole input is checked against everything the session defined before,
//! transpiled alone and run by one long-lived `python3` under the same sandbox as
//! `mlpy run` (closed namespace, call gate, audit hook with the granted capabilities).
//! With a piped standard input there are no prompts: every input runs, and the exit
//! status says whether one failed. User guide: docs/repl.md.

mod complete;
mod driver;
mod history;
mod input;
mod session;

use crate::project::ConfigArgs;
use crate::render;
use crate::{Context, Outcome};
use clap::Args;
use input::InputLines;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};
use session::{InputSource, Session};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Args)]
#[command(after_help = "\
Commands (at the start of an input):
  .help         the commands and keys
  .vars         the session's variables and their values
  .clear        forget every name and module: a new session
  .load FILE    run an ML file in the session
  .exit         leave (also Ctrl-D)

With a piped standard input there are no prompts and no banner; every input runs, and the \
exit status is 0 when all of them succeeded, 1 when at least one failed (its checks or at \
run time), 130 when one was interrupted. The history is kept in $MLPY_REPL_HISTORY, else \
$XDG_STATE_HOME/mlpy/repl_history, else ~/.local/state/mlpy/repl_history (MLPY_REPL_HISTORY= \
keeps none).")]
pub(crate) struct ReplArgs {
    #[command(flatten)]
    config: ConfigArgs,
}

const HELP: &str = "\
Type ML statements and expressions; the value of an expression is printed. An input the
parser finds unfinished (an open brace, bracket or parenthesis, a trailing operator)
continues on the next line, after `... `. The `;` that ends the last statement may be
left out.

  .help         this text
  .vars         the session's variables and their values
  .clear        forget every name and module: a new session
  .load FILE    run an ML file in the session
  .exit         leave (also Ctrl-D)

Tab completes names, module members and module paths; Up and Down walk the history;
Ctrl-C cancels the input being typed, or stops the one running.";

/// A command typed at the start of an input.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Vars,
    Clear,
    Load(String),
    Exit,
    Unknown(String),
}

/// `.word rest` at the start of a line (`.5` is a number, not a command).
fn command(line: &str) -> Option<Command> {
    let rest = line.trim().strip_prefix('.')?;
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let (word, argument) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let argument = argument.trim();
    Some(match word {
        "help" => Command::Help,
        "vars" => Command::Vars,
        "clear" => Command::Clear,
        "exit" => Command::Exit,
        "load" => Command::Load(argument.to_string()),
        other => Command::Unknown(other.to_string()),
    })
}

enum Flow {
    Continue(session::Outcome),
    Exit,
}

/// Runs a command; `place` is where its errors are said to be (`<stdin>:3:1` in a piped
/// session; `mlpy` when typed, as the line is right there).
fn execute(session: &mut Session, command: Command, place: &str) -> anyhow::Result<Flow> {
    let outcome = match command {
        Command::Help => {
            outln!("{HELP}");
            session::Outcome::Ok
        }
        Command::Vars => {
            let vars = session.vars()?;
            if vars.is_empty() {
                outln!("(no variables)");
            }
            for (name, value) in vars {
                outln!("{name} = {value}");
            }
            session::Outcome::Ok
        }
        Command::Clear => {
            session.clear()?;
            outln!("(cleared)");
            session::Outcome::Ok
        }
        Command::Exit => return Ok(Flow::Exit),
        Command::Load(file) if file.is_empty() => {
            errln!("{place}: error: .load needs a file: .load FILE");
            session::Outcome::Failed
        }
        Command::Load(file) => {
            let path = PathBuf::from(&file);
            match crate::read_source(&path) {
                Ok(text) => {
                    let source = InputSource {
                        name: render::display_path(&path),
                        first_line: 1,
                        added_semicolon: None,
                    };
                    session.run(&text, source)?
                }
                Err(e) => {
                    match e.downcast_ref::<mlpy_modules::EntryError>() {
                        Some(mlpy_modules::EntryError {
                            path,
                            message,
                            position: Some((line, column)),
                        }) => errln!(
                            "{}:{line}:{column}: error: {message}",
                            render::display_path(path)
                        ),
                        _ => errln!("{place}: error: {e:#}"),
                    }
                    session::Outcome::Failed
                }
            }
        }
        Command::Unknown(word) => {
            errln!("{place}: error: unknown command .{word} (.help lists the commands)");
            session::Outcome::Failed
        }
    };
    Ok(Flow::Continue(outcome))
}

pub(crate) fn run(cx: &Context, args: ReplArgs) -> anyhow::Result<Outcome> {
    let interactive = std::io::stdin().is_terminal();
    ignore_sigint();
    let style = render::Style {
        color: cx.style.color,
    };
    let mut session = Session::start(&args.config, style, interactive)?;
    if interactive {
        interactive_session(&mut session)
    } else {
        piped_session(&mut session)
    }
}

/// Ctrl-C reaches the whole foreground process group: the running input is Python's to
/// stop; `mlpy` itself goes on (while it reads a line the terminal is raw, and Ctrl-C is
/// a key). A handler, not `SIG_IGN`, so that `python3` starts with the default one.
fn ignore_sigint() {
    extern "C" fn nothing(_: libc::c_int) {}
    // SAFETY: a zeroed `sigaction` is valid; the handler does nothing, which is
    // async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = nothing as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

fn interactive_session(session: &mut Session) -> anyhow::Result<Outcome> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<complete::ReplHelper, DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(complete::ReplHelper {
        resolver: session.resolver.clone(),
        cache: session.cache.clone(),
        entry: session.entry.clone(),
        before: String::new(),
    }));
    let mut history = history::History::open(&mut editor, history::history_file());
    outln!(
        "mlpy {} (ML on Python {}). Type .help for help, .exit or Ctrl-D to leave.",
        env!("CARGO_PKG_VERSION"),
        session.python()
    );
    let mut buffer = InputLines::default();
    let mut number = 0;
    loop {
        if let Some(helper) = editor.helper_mut() {
            helper.before = format!("{}{}", session.prelude, buffer.text());
        }
        let prompt = if buffer.is_empty() { "> " } else { "... " };
        // A Ctrl-C from now on is meant for the line read next (while it is read the
        // terminal is raw, and Ctrl-C a key).
        session.prompt()?;
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            // Ctrl-C cancels the input being typed.
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            // Ctrl-D on a continuation line ends the input, not the session (as in
            // Python's REPL): its errors are reported, and the next prompt is `> `.
            Err(ReadlineError::Eof) if !buffer.is_empty() => {
                let text = buffer.text().to_string();
                buffer.clear();
                history.add(&mut editor, text.trim_end());
                number += 1;
                let source = InputSource {
                    name: format!("<input {number}>"),
                    first_line: 1,
                    added_semicolon: None,
                };
                session.run(&text, source)?;
                let _ = std::io::stdout().flush();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        // Several lines at once (a bracketed paste keeps its line breaks in one line) are
        // taken line by line, as if typed: `a = 1` and `b = 2` on two pasted lines are two
        // inputs, each of which may leave out its `;`. An interrupted input ends the paste.
        let mut exit = false;
        for line in line.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if buffer.is_empty() {
                if let Some(command) = command(line) {
                    history.add(&mut editor, line.trim());
                    match execute(session, command, "mlpy")? {
                        Flow::Exit => exit = true,
                        Flow::Continue(session::Outcome::Interrupted) => {}
                        Flow::Continue(_) => continue,
                    }
                    break;
                }
            }
            let Some(whole) = buffer.push(line) else {
                continue;
            };
            history.add(&mut editor, whole.typed.trim_end());
            number += 1;
            let source = InputSource {
                name: format!("<input {number}>"),
                first_line: 1,
                added_semicolon: whole.semicolon_at,
            };
            let outcome = session.run(&whole.text, source)?;
            let _ = std::io::stdout().flush();
            if matches!(outcome, session::Outcome::Interrupted) {
                buffer.clear();
                break;
            }
        }
        if exit {
            break;
        }
    }
    Ok(Outcome::Success)
}

fn piped_session(session: &mut Session) -> anyhow::Result<Outcome> {
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let mut failed = false;
    let mut buffer = InputLines::default();
    let mut first_line = 1;
    let mut line_number = 0u32;
    let mut bytes = Vec::new();
    let mut record = |outcome: session::Outcome| match outcome {
        session::Outcome::Ok => {}
        session::Outcome::Failed => failed = true,
        session::Outcome::Interrupted => {
            let _ = std::io::stdout().flush();
            std::process::exit(130);
        }
    };
    loop {
        bytes.clear();
        let read = stdin
            .read_until(b'\n', &mut bytes)
            .map_err(|e| anyhow::anyhow!("cannot read the standard input: {e}"))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        // A line that is not UTF-8 is an input error at its place, as a file's would be;
        // the lines after it still run.
        let line = match std::str::from_utf8(&bytes) {
            Ok(line) => line,
            Err(e) => {
                let (_, column) = mlpy_modules::cache::utf8_error_position(&bytes, &e);
                errln!("<stdin>:{line_number}:{column}: error: the input is not UTF-8 text");
                buffer.clear();
                record(session::Outcome::Failed);
                continue;
            }
        };
        if buffer.is_empty() {
            if let Some(command) = command(line) {
                let column = line.len() - line.trim_start().len() + 1;
                let place = format!("<stdin>:{line_number}:{column}");
                match execute(session, command, &place)? {
                    Flow::Exit => break,
                    Flow::Continue(outcome) => record(outcome),
                }
                continue;
            }
            first_line = line_number;
        }
        let Some(whole) = buffer.push(line) else {
            continue;
        };
        let source = InputSource {
            name: "<stdin>".to_string(),
            first_line,
            added_semicolon: whole.semicolon_at,
        };
        record(session.run(&whole.text, source)?);
    }
    // An input left unfinished at the end: its errors are reported.
    if !buffer.text().trim().is_empty() {
        let source = InputSource {
            name: "<stdin>".to_string(),
            first_line,
            added_semicolon: None,
        };
        record(session.run(buffer.text(), source)?);
    }
    let _ = std::io::stdout().flush();
    Ok(if failed {
        Outcome::ProgramErrors
    } else {
        Outcome::Success
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_words_after_a_dot() {
        assert_eq!(command(".help"), Some(Command::Help));
        assert_eq!(command("  .vars  "), Some(Command::Vars));
        assert_eq!(
            command(".load lib/x.ml"),
            Some(Command::Load("lib/x.ml".into()))
        );
        assert_eq!(command(".load"), Some(Command::Load(String::new())));
        assert_eq!(command(".nope"), Some(Command::Unknown("nope".into())));
        assert_eq!(command(".5 + 1"), None);
        assert_eq!(command("x = 1;"), None);
    }
}
