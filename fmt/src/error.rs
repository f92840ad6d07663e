//! Why a text was not formatted.

use mlpy_syntax::{SyntaxError, TextRange, TextSize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The text does not parse: it is not formatted (as gofmt does), so that nothing is
    /// guessed about broken code. The errors are sorted by position; warnings are left
    /// out.
    #[error("the text has {} syntax error{}", errors.len(), if errors.len() == 1 { "" } else { "s" })]
    Syntax { errors: Vec<SyntaxError> },
    /// `format_range` was given a range outside the text or inside a character.
    #[error("the range {range:?} is not a range of the text")]
    InvalidRange { range: TextRange },
    /// The formatter would have changed the program (or lost a comment): a bug in the
    /// formatter, caught before anything was written. `message` says where.
    #[error("internal formatter error, the text is left as it is: {message}")]
    Internal { message: String },
    /// Nested deeper than the formatter goes; `at`: where (the first token too deep).
    #[error("the code is nested too deeply to format")]
    TooDeep { at: TextSize },
}
