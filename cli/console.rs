//! Writing to the standard streams without panicking.
//!
//! `println!` panics when a write fails (a full disk, `> /dev/full`, a closed descriptor),
//! and a panic is never how mlpy reports a problem. Every line the `mlpy` command writes
//! goes through these macros instead: a failed write to the standard output is an error
//! of the command (a message on standard error, exit status 2); a failed write to
//! standard error cannot be reported anywhere and is dropped. A reader that goes away
//! (`mlpy check | head -1`) still ends the process quietly through `SIGPIPE`, as before.

use std::io::Write;

/// Writes to the standard output; see the module's documentation for a failure. The
/// text is formatted first and written at once, so that lines of threads (and of the
/// other stream, when both go to one pipe) never interleave within a line.
pub(crate) fn stdout_write(args: std::fmt::Arguments<'_>) {
    let text = std::fmt::format(args);
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        stdout_failed(&e);
    }
}

/// Ends the command because its output could not be written.
pub(crate) fn stdout_failed(error: &std::io::Error) -> ! {
    let _ = writeln!(
        std::io::stderr(),
        "mlpy: error: cannot write to the standard output: {error}"
    );
    std::process::exit(2)
}

/// Writes to the standard error; a failure is dropped (there is nowhere to report it).
pub(crate) fn stderr_write(args: std::fmt::Arguments<'_>) {
    let text = std::fmt::format(args);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `println!` that never panics.
macro_rules! outln {
    () => {
        $crate::console::stdout_write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::stdout_write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that never panics.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::console::stdout_write(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    () => {
        $crate::console::stderr_write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::stderr_write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::console::stderr_write(format_args!($($arg)*))
    };
}
