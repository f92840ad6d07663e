//! `mlpy fmt`: formats ML files in place in the one canonical style (`mlpy-fmt`), or
//! checks that they are (`--check`), or shows what would change (`--diff`). A file with
//! syntax errors is never touched: its errors are reported, as gofmt does.

use crate::{Context, Outcome};
use clap::Args;
use mlpy_fmt::{FormatError, FormatOptions};
use mlpy_modules::config::{ConfigError, ProjectConfig};
use mlpy_modules::workspace;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Args)]
#[command(
    after_help = "The style: 4-space indentation, lines up to 100 columns, one statement \
per line, empty lines between statements kept (at most one), comments kept where they are. \
An mlpy.json above a file may set \"format\": {\"line_width\": 20-1000, \"indent_width\": \
1-16}.\n\nExit status: 0 when done (or, with --check/--diff, when nothing would change); 1 when \
files would change (--check, --diff) or have syntax errors (those are left as they are); 2 \
when a file cannot be read or written, or mlpy.json is invalid."
)]
pub(crate) struct FmtArgs {
    /// Files and folders to format (default: the current folder). A folder means the ML
    /// sources under it: `.ml` files with an mlpy.json in their folder or above, or a
    /// first line `// mlpy`; hidden folders, node_modules, target, __pycache__, venv and
    /// transpile output folders are skipped. `-` formats standard input to standard
    /// output.
    paths: Vec<PathBuf>,

    /// Change nothing: list the files whose formatting would change, and exit with 1
    /// when there are any.
    #[arg(long)]
    check: bool,

    /// Change nothing: print a unified diff of what formatting would change, and exit
    /// with 1 when there is any.
    #[arg(long)]
    diff: bool,
}

/// What happened to the files, for the exit status and the summary.
#[derive(Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    /// Files with syntax errors (left as they are).
    broken: usize,
    /// Files that could not be read, formatted or written.
    failed: usize,
}

pub(crate) fn run(_cx: &Context, args: FmtArgs) -> anyhow::Result<Outcome> {
    mlpy_allocator::for_command_that_ends_soon();
    let stdin = Path::new("-");
    if args.paths.iter().any(|p| p == stdin) {
        if args.paths.len() > 1 {
            anyhow::bail!("`-` (standard input) cannot be combined with other paths");
        }
        return format_stdin(&args);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut tally = Tally::default();
    let mut options = Options::default();
    for file in files(&paths, &mut tally) {
        format_file(&file, &args, &mut options, &mut tally);
    }
    summary(&args, &tally);
    if tally.failed > 0 {
        // Exit status 2: mlpy could not do all that was asked.
        let files = if tally.failed == 1 { "file" } else { "files" };
        anyhow::bail!("{} {files} could not be formatted", tally.failed);
    }
    Ok(
        if tally.broken > 0 || ((args.check || args.diff) && tally.changed > 0) {
            Outcome::ProgramErrors
        } else {
            Outcome::Success
        },
    )
}

/// The files to format: files as given, folders walked. A path that does not exist is
/// reported.
fn files(paths: &[PathBuf], tally: &mut Tally) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for path in paths {
        if path.is_dir() {
            let found = workspace::ml_sources(path, usize::MAX);
            if found.is_empty() {
                errln!(
                    "mlpy fmt: no ML sources under '{}' (a `.ml` file is ML when an mlpy.json \
                     is in its folder or above, or its first line is `// mlpy`)",
                    path.display()
                );
            }
            out.extend(found);
        } else if path.exists() {
            out.insert(path.clone());
        } else {
            errln!(
                "{}: error: {}",
                path.display(),
                mlpy_fsutil::why_unusable(path)
            );
            tally.failed += 1;
        }
    }
    out
}

/// The formatting options of each project (by its mlpy.json), read once; an invalid
/// mlpy.json is reported once, and its files are not formatted.
#[derive(Default)]
struct Options {
    by_config: HashMap<Option<PathBuf>, Option<FormatOptions>>,
}

impl Options {
    fn for_file(&mut self, file: &Path) -> Option<FormatOptions> {
        let dir = mlpy_modules::config::absolute(file.parent().unwrap_or(Path::new(".")));
        let config_file = mlpy_modules::config::find_config_file(&dir);
        *self
            .by_config
            .entry(config_file.clone())
            .or_insert_with(|| match &config_file {
                Some(path) => match ProjectConfig::load(path) {
                    Ok(config) => Some(options_of(&config)),
                    Err(e) => {
                        errln!("{}", config_error(&e));
                        None
                    }
                },
                None => Some(FormatOptions::default()),
            })
    }
}

fn options_of(config: &ProjectConfig) -> FormatOptions {
    FormatOptions::from_settings(config.format.line_width, config.format.indent_width)
}

fn format_file(file: &Path, args: &FmtArgs, options: &mut Options, tally: &mut Tally) {
    let name = file.display().to_string();
    let text = match crate::read_source(file) {
        Ok(text) => text,
        Err(e) => {
            match e.downcast_ref::<mlpy_modules::EntryError>() {
                Some(mlpy_modules::EntryError {
                    message,
                    position: Some((line, column)),
                    ..
                }) => errln!("{name}:{line}:{column}: error: {message}"),
                _ => errln!("{name}: error: {e}"),
            }
            tally.failed += 1;
            return;
        }
    };
    let Some(options) = options.for_file(file) else {
        tally.failed += 1;
        return;
    };
    let formatted = match mlpy_fmt::format_text(&text, &options) {
        Ok(formatted) => formatted,
        Err(e) => {
            report_error(&name, &text, &e);
            match e {
                FormatError::Syntax { .. } => tally.broken += 1,
                _ => tally.failed += 1,
            }
            return;
        }
    };
    if formatted == text {
        tally.unchanged += 1;
        return;
    }
    tally.changed += 1;
    if args.diff {
        out!("{}", unified_diff(&text, &formatted, &name));
    }
    if args.check && !args.diff {
        outln!("{name}");
    }
    if !args.check && !args.diff {
        if let Err(e) = write_in_place(file, &text, &formatted) {
            errln!("{name}: error: not rewritten: {e}");
            tally.changed -= 1;
            tally.failed += 1;
        }
    }
}

/// Replaces the file atomically (a file beside it, renamed over it), through a symbolic
/// link to the file it names, keeping its permissions, owner and hard links — or leaves
/// it as it is when one of those cannot be kept, or when it no longer holds `old`, the
/// text formatted (an editor saved it meanwhile: `replace_file_unless_changed`).
fn write_in_place(file: &Path, old: &str, text: &str) -> std::io::Result<()> {
    mlpy_fsutil::replace_file_unless_changed(file, old.as_bytes(), text.as_bytes())
}

fn format_stdin(args: &FmtArgs) -> anyhow::Result<Outcome> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read standard input: {e}"))?;
    let name = "<stdin>";
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) =
            mlpy_modules::cache::utf8_error_position(e.as_bytes(), &e.utf8_error());
        anyhow::anyhow!("{name}:{line}:{column}: not valid UTF-8: ML source must be UTF-8 text")
    })?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = match mlpy_modules::config::find_config_file(&cwd) {
        Some(path) => options_of(&ProjectConfig::load(&path)?),
        None => FormatOptions::default(),
    };
    let formatted = match mlpy_fmt::format_text(&text, &options) {
        Ok(formatted) => formatted,
        Err(e) => {
            report_error(name, &text, &e);
            return Ok(Outcome::ProgramErrors);
        }
    };
    let changed = formatted != text;
    let mut out = std::io::stdout().lock();
    if args.diff {
        if changed {
            write!(out, "{}", unified_diff(&text, &formatted, name))?;
        }
    } else if args.check {
        if changed {
            errln!("{name} would be reformatted");
        }
    } else {
        out.write_all(formatted.as_bytes())?;
    }
    out.flush()?;
    Ok(if changed && (args.check || args.diff) {
        Outcome::ProgramErrors
    } else {
        Outcome::Success
    })
}

/// A file's syntax errors as `file:line:col: error: message`, or the formatter's error.
fn report_error(name: &str, text: &str, error: &FormatError) {
    match error {
        FormatError::Syntax { errors } => {
            let places = Places::new(text);
            for e in errors {
                let (line, column) = places.at(e.range.start());
                errln!("{name}:{line}:{column}: error: {}", e.message);
            }
            errln!("{name}: not formatted: it has syntax errors");
        }
        FormatError::TooDeep { at } => {
            let (line, column) = Places::new(text).at(*at);
            errln!("{name}:{line}:{column}: error: {error}");
        }
        other => errln!("{name}: error: {other}"),
    }
}

/// Lines and columns as `mlpy check` names them: a lone `\r` ends a line there, as in
/// an editor (the same bytes, so the offsets hold).
struct Places {
    text: String,
    index: mlpy_syntax::LineIndex,
}

impl Places {
    fn new(text: &str) -> Places {
        let mut bytes = text.as_bytes().to_vec();
        mlpy_modules::cache::lone_carriage_returns_to_newlines(&mut bytes);
        let text = String::from_utf8(bytes).expect("only ASCII bytes were replaced");
        let index = mlpy_syntax::LineIndex::new(&text);
        Places { text, index }
    }

    fn at(&self, offset: mlpy_syntax::TextSize) -> (u32, u32) {
        self.index.human_line_col(offset, &self.text)
    }
}

fn config_error(e: &ConfigError) -> String {
    match e.line {
        0 => format!("{}: error: {}", e.file.display(), e.message),
        line => format!(
            "{}:{line}:{}: error: {}",
            e.file.display(),
            e.column,
            e.message
        ),
    }
}

fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name}\t(original)"),
            &format!("{name}\t(formatted)"),
        )
        .to_string()
}

fn summary(args: &FmtArgs, tally: &Tally) {
    let files = |n: usize| if n == 1 { "file" } else { "files" };
    let mut parts = Vec::new();
    if args.check || args.diff {
        parts.push(format!(
            "{} {} would be reformatted",
            tally.changed,
            files(tally.changed)
        ));
        parts.push(format!("{} already formatted", tally.unchanged));
    } else {
        parts.push(format!(
            "{} {} reformatted",
            tally.changed,
            files(tally.changed)
        ));
        parts.push(format!("{} left unchanged", tally.unchanged));
    }
    if tally.broken > 0 {
        parts.push(format!(
            "{} {} with syntax errors not formatted",
            tally.broken,
            files(tally.broken)
        ));
    }
    if tally.failed > 0 {
        parts.push(format!("{} failed", tally.failed));
    }
    errln!("mlpy fmt: {}", parts.join(", "));
}
