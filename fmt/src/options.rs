//! The two things a project may choose: the line width and the indentation.

/// How the formatter lays code out. The style itself is fixed; `mlpy.json`'s
/// `"format": {"line_width": …, "indent_width": …}` sets these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormatOptions {
    /// The column lines are kept within, where the code allows it (a long string
    /// literal or name may go past it).
    pub line_width: u32,
    /// Spaces per indentation level.
    pub indent_width: u32,
}

impl FormatOptions {
    pub const DEFAULT_LINE_WIDTH: u32 = 100;
    pub const DEFAULT_INDENT_WIDTH: u32 = 4;

    /// The options a project's settings give, the defaults where it has none (as
    /// `mlpy_modules::config::FormatSettings` holds them: `FormatOptions::from_settings(
    /// config.format.line_width, config.format.indent_width)`).
    pub fn from_settings(line_width: Option<u32>, indent_width: Option<u32>) -> FormatOptions {
        FormatOptions {
            line_width: line_width.unwrap_or(FormatOptions::DEFAULT_LINE_WIDTH),
            indent_width: indent_width.unwrap_or(FormatOptions::DEFAULT_INDENT_WIDTH),
        }
    }
}

impl Default for FormatOptions {
    fn default() -> FormatOptions {
        FormatOptions {
            line_width: FormatOptions::DEFAULT_LINE_WIDTH,
            indent_width: FormatOptions::DEFAULT_INDENT_WIDTH,
        }
    }
}
