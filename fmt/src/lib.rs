//! `mlpy fmt`'s engine: formats ML source in one canonical style, from the lossless
//! syntax tree.
//!
//! The tree is turned into a document of groups, indentation and line-break choices
//! (`ir`), which the printer lays out to the line width (`printer`): Prettier's approach
//! (Wadler's "prettier printer"), written for ML. Only white space changes: every token
//! and comment is printed as written, in order, and a check after printing (`verify`)
//! refuses any result where the lexer would read them differently.
//!
//! ```
//! use mlpy_fmt::{format_text, FormatOptions};
//! let out = format_text("if(x){y=f( 1,2 );}", &FormatOptions::default()).unwrap();
//! assert_eq!(out, "if (x) {\n    y = f(1, 2);\n}\n");
//! ```

mod build;
mod error;
mod ir;
mod options;
mod printer;
mod range;
mod tokens;
mod verify;

pub use error::FormatError;
pub use options::FormatOptions;
pub use range::format_range;

use build::{Builder, Child, Node};
use mlpy_syntax::{Parse, TextRange};
use printer::Printer;
use tokens::{Chunk, Chunks};

/// Formats a whole file. A text with syntax errors is refused with its errors.
pub fn format_text(text: &str, options: &FormatOptions) -> Result<String, FormatError> {
    format_parsed(text, &mlpy_syntax::parse(text), options)
}

/// `format_text` for a text already parsed (`parse` must be `mlpy_syntax::parse(text)`).
pub fn format_parsed(
    text: &str,
    parse: &Parse,
    options: &FormatOptions,
) -> Result<String, FormatError> {
    run(text, parse, options, false).map(|formatted| formatted.text)
}

/// The formatted text, and where each token landed when asked.
pub(crate) struct Formatted {
    pub text: String,
    /// (offset in the input, offset in the output) of every token and comment, in order.
    pub positions: Vec<(u32, u32)>,
}

pub(crate) fn run(
    text: &str,
    parse: &Parse,
    options: &FormatOptions,
    record_positions: bool,
) -> Result<Formatted, FormatError> {
    if parse.has_errors() {
        return Err(FormatError::Syntax {
            errors: parse
                .errors()
                .iter()
                .filter(|e| e.is_error())
                .cloned()
                .collect(),
        });
    }
    if u32::try_from(text.len()).is_err() {
        return Err(FormatError::Internal {
            message: "the text is larger than 4 GiB".to_string(),
        });
    }
    let mut builder = Builder::new(text);
    let newline = printer::line_ending(&parse.syntax_node());
    let mut printer = Printer::new(text, newline, options.line_width, options.indent_width);
    if record_positions {
        printer.positions = Some(Vec::new());
    }
    // One top-level statement at a time: they are laid out independently (a hard line
    // break separates them), and the document of one stays small.
    let mut chunks = Chunks::new(parse.green());
    while let Some(chunk) = chunks.next(&mut builder.entries) {
        builder.start_chunk();
        match chunk {
            Chunk::Node(node) => builder.top_level(Child::Node(Node(node))),
            Chunk::Token(kind) => builder.top_level(Child::Token(kind)),
            Chunk::End => builder.end_of_file(),
        }
        if builder.error.is_none() && builder.cursor != builder.entries.len() {
            builder.error = Some("tokens were left over".to_string());
        }
        if let Some(message) = builder.error.take() {
            return Err(match builder.too_deep {
                Some(at) => FormatError::TooDeep { at: at.into() },
                None => FormatError::Internal { message },
            });
        }
        let out_start = printer.out.len();
        printer.print(&builder.ir.doc);
        let printed = &printer.out[out_start..];
        if !verify::unchanged(text, &builder.entries, printed) {
            verify::check(text, &builder.entries, &builder.risky, printed)
                .map_err(|message| FormatError::Internal { message })?;
        }
    }
    let (mut out, positions) = printer.finish();
    let mut positions = positions.unwrap_or_default();
    // A byte-order mark stays (it is white space to the lexer, so the layout drops it).
    if text.starts_with('\u{FEFF}') && !out.starts_with('\u{FEFF}') {
        out.insert(0, '\u{FEFF}');
        let bom = '\u{FEFF}'.len_utf8() as u32;
        for (_, at) in &mut positions {
            *at += bom;
        }
    }
    Ok(Formatted {
        text: out,
        positions,
    })
}

/// Whether `range` is a range of `text` on character boundaries.
pub(crate) fn valid_range(text: &str, range: TextRange) -> bool {
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}
