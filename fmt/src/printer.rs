//! Lays a `Doc` out to a line width: a group is flat when everything up to its end, and
//! then up to the next possible line break after it, fits on the line; else it breaks.
//!
//! Line breaks are written lazily: a break only records that the next text starts a new
//! line (and at which indentation), so consecutive breaks merge into one, a space at the
//! start of a line disappears, and no line ends with white space.

use crate::ir::{Doc, Elem};
use mlpy_syntax::{SyntaxKind, SyntaxNode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Where the printer is in the document: a range of elements being walked.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    pos: u32,
    end: u32,
    /// The `hug` group inside breaks (an `Embed` with `expand_hug`).
    expand_hug: bool,
    /// Leaving this range ends a mode pushed for it (a best-fitting alternative).
    pops_mode: bool,
}

/// The output being written, across documents (the formatter prints a file one top-level
/// statement at a time).
pub(crate) struct Printer<'a> {
    src: &'a str,
    line_width: i64,
    indent_width: u32,
    /// The line break written: the file's own (`\r\n` or `\n`).
    newline: &'static str,
    pub out: String,
    /// Characters on the current line (when no break is pending).
    column: u32,
    /// Line breaks waiting for the next text: 0, 1, or 2 (a break and an empty line).
    pending: u8,
    /// The indentation level the pending break starts the next line at.
    pending_indent: u32,
    /// Where each printed text of the source landed (source offset, output offset),
    /// when asked for (range formatting).
    pub positions: Option<Vec<(u32, u32)>>,
    cursors: Vec<Cursor>,
    modes: Vec<Mode>,
    /// Scratch stacks of `fits`, kept to avoid allocating on every measurement.
    fit_stack: Vec<Cursor>,
    fit_modes: Vec<Mode>,
}

impl<'a> Printer<'a> {
    pub(crate) fn new(
        src: &'a str,
        newline: &'static str,
        line_width: u32,
        indent_width: u32,
    ) -> Printer<'a> {
        Printer {
            src,
            line_width: i64::from(line_width),
            indent_width,
            newline,
            out: String::with_capacity(src.len() + src.len() / 8 + 16),
            column: 0,
            pending: 0,
            pending_indent: 0,
            positions: None,
            cursors: Vec::new(),
            modes: Vec::new(),
            fit_stack: Vec::new(),
            fit_modes: Vec::new(),
        }
    }

    /// Ends the output with exactly one line break (none for an empty file).
    pub(crate) fn finish(mut self) -> (String, Option<Vec<(u32, u32)>>) {
        if !self.out.is_empty() {
            self.out.push_str(self.newline);
        }
        (self.out, self.positions)
    }

    fn break_line(&mut self, indent: u32, lines: u8) {
        // Nothing before the first text: a file never starts with blank lines.
        if self.out.is_empty() {
            return;
        }
        // A space printed just before (`} else`, with a comment between them on a line
        // of its own) would end the line: no line ends with white space. Texts never
        // end in a space (a comment's trailing white space is not part of its entry).
        if self.pending == 0 {
            while self.out.ends_with(' ') {
                self.out.pop();
            }
        }
        self.pending = self.pending.max(lines);
        self.pending_indent = indent;
    }

    fn write_text(&mut self, start: u32, len: u32) {
        if self.pending > 0 {
            for _ in 0..self.pending {
                self.out.push_str(self.newline);
            }
            let spaces = (self.pending_indent * self.indent_width) as usize;
            // Most indentation is shorter than this: one copy instead of a push per space.
            const SPACES: &str = "                                                                ";
            match SPACES.get(..spaces) {
                Some(run) => self.out.push_str(run),
                None => self.out.extend(std::iter::repeat_n(' ', spaces)),
            }
            self.column = spaces as u32;
            self.pending = 0;
        }
        if let Some(positions) = &mut self.positions {
            positions.push((start, self.out.len() as u32));
        }
        let (start, len) = (start as usize, len as usize);
        self.out.push_str(&self.src[start..start + len]);
    }

    fn space(&mut self) {
        if self.pending == 0 && !self.out.is_empty() {
            self.out.push(' ');
            self.column += 1;
        }
    }

    /// Prints a whole document, starting at indentation level 0 in break mode.
    pub(crate) fn print(&mut self, doc: &Doc) {
        self.cursors.clear();
        self.modes.clear();
        self.cursors.push(Cursor {
            pos: 0,
            end: doc.elems.len() as u32,
            expand_hug: false,
            pops_mode: false,
        });
        let mut indent = 0u32;
        while let Some(top) = self.cursors.last_mut() {
            if top.pos >= top.end {
                let done = self.cursors.pop().expect("a cursor");
                if done.pops_mode {
                    self.modes.pop();
                }
                continue;
            }
            let elem = doc.elems[top.pos as usize];
            let expand_hug = top.expand_hug;
            top.pos += 1;
            let mode = self.modes.last().copied().unwrap_or(Mode::Break);
            match elem {
                Elem::Text { start, len, width } => {
                    self.write_text(start, len);
                    self.column += width;
                }
                Elem::MultiText { start, len, .. } => {
                    self.write_text(start, len);
                    let text = &self.src[start as usize..(start + len) as usize];
                    let last = text.rsplit(['\n', '\r']).next().unwrap_or("");
                    self.column = width_of(last);
                }
                Elem::Space => self.space(),
                Elem::SoftLine => {
                    if mode == Mode::Break {
                        self.break_line(indent, 1);
                    }
                }
                Elem::Line => match mode {
                    Mode::Break => self.break_line(indent, 1),
                    Mode::Flat => self.space(),
                },
                Elem::HardLine => self.break_line(indent, 1),
                Elem::EmptyLine => self.break_line(indent, 2),
                Elem::GroupStart { expanded, hug } => {
                    let mode = if expanded || (hug && expand_hug) {
                        Mode::Break
                    } else if mode == Mode::Flat {
                        Mode::Flat
                    } else {
                        let top = *self.cursors.last().expect("a cursor");
                        if self.fits(doc, top, Mode::Flat, true) {
                            Mode::Flat
                        } else {
                            Mode::Break
                        }
                    };
                    self.modes.push(mode);
                }
                Elem::GroupEnd => {
                    self.modes.pop();
                }
                Elem::IndentStart => indent += 1,
                Elem::IndentEnd => indent = indent.saturating_sub(1),
                Elem::Skip { to } => {
                    if let Some(top) = self.cursors.last_mut() {
                        top.pos = to;
                    }
                }
                Elem::Embed {
                    start,
                    end,
                    expand_hug,
                } => self.cursors.push(Cursor {
                    pos: start,
                    end,
                    expand_hug,
                    pops_mode: false,
                }),
                Elem::BestFit { first, count } => {
                    let variants = &doc.variants[first as usize..(first + count) as usize];
                    let chosen = if mode == Mode::Flat {
                        0
                    } else {
                        (0..variants.len() - 1)
                            .find(|&i| {
                                let (pos, end) = variants[i];
                                let variant = Cursor {
                                    pos,
                                    end,
                                    expand_hug: false,
                                    pops_mode: false,
                                };
                                self.fits(doc, variant, Mode::Flat, false)
                            })
                            .unwrap_or(variants.len() - 1)
                    };
                    let (pos, end) = variants[chosen];
                    let last = chosen == variants.len() - 1 && mode == Mode::Break;
                    self.modes.push(if last { Mode::Break } else { Mode::Flat });
                    self.cursors.push(Cursor {
                        pos,
                        end,
                        expand_hug: false,
                        pops_mode: true,
                    });
                }
            }
        }
    }

    /// Whether `first` (a group's content, or an alternative), laid out in `mode`, and
    /// what follows it up to the next possible line break, fit on the current line.
    /// `inside_top`: `first` continues the printer's innermost cursor (a group's
    /// content), rather than being a range of its own (an alternative).
    fn fits(&mut self, doc: &Doc, first: Cursor, mode: Mode, inside_top: bool) -> bool {
        let mut stack = std::mem::take(&mut self.fit_stack);
        let mut modes = std::mem::take(&mut self.fit_modes);
        stack.clear();
        modes.clear();
        stack.push(first);
        modes.push(mode);
        let fits = self.measure(doc, &mut stack, &mut modes, inside_top);
        self.fit_stack = stack;
        self.fit_modes = modes;
        fits
    }

    fn measure(
        &self,
        doc: &Doc,
        stack: &mut Vec<Cursor>,
        modes: &mut Vec<Mode>,
        inside_top: bool,
    ) -> bool {
        let used = if self.pending > 0 {
            self.pending_indent * self.indent_width
        } else {
            self.column
        };
        let mut remaining = self.line_width - i64::from(used);
        // `modes` starts with the mode of the part measured; when that part ends, the
        // rest of the document follows, where every line break is taken.
        // The printer's cursors still to continue with, innermost last.
        let mut outer = self.cursors.len() - usize::from(inside_top);
        loop {
            let Some(top) = stack.last_mut() else {
                let Some(i) = outer.checked_sub(1) else {
                    return true;
                };
                outer = i;
                stack.push(self.cursors[i]);
                // Past the part measured (an alternative ends with its range): the rest
                // breaks where it can.
                modes.clear();
                modes.push(Mode::Break);
                continue;
            };
            if top.pos >= top.end {
                stack.pop();
                continue;
            }
            let elem = doc.elems[top.pos as usize];
            let expand_hug = top.expand_hug;
            top.pos += 1;
            let mode = modes.last().copied().unwrap_or(Mode::Break);
            match elem {
                Elem::Text { width, .. } => remaining -= i64::from(width),
                Elem::MultiText { first_width, .. } => {
                    return remaining - i64::from(first_width) >= 0;
                }
                Elem::Space => remaining -= 1,
                Elem::SoftLine => {
                    if mode == Mode::Break {
                        return true;
                    }
                }
                Elem::Line => {
                    if mode == Mode::Break {
                        return true;
                    }
                    remaining -= 1;
                }
                Elem::HardLine | Elem::EmptyLine => return true,
                Elem::GroupStart { expanded, hug } => {
                    let inner = if expanded || (hug && expand_hug) {
                        Mode::Break
                    } else {
                        mode
                    };
                    modes.push(inner);
                }
                Elem::GroupEnd => {
                    modes.pop();
                    if modes.is_empty() {
                        // Past the measured group: the rest breaks where it can.
                        modes.push(Mode::Break);
                    }
                }
                Elem::IndentStart | Elem::IndentEnd => {}
                Elem::Skip { to } => top.pos = to,
                Elem::Embed {
                    start,
                    end,
                    expand_hug,
                } => stack.push(Cursor {
                    pos: start,
                    end,
                    expand_hug,
                    pops_mode: false,
                }),
                Elem::BestFit { first, count } => {
                    // Flat: the first alternative; broken: the last, most broken one.
                    let index = if mode == Mode::Flat {
                        first
                    } else {
                        first + count - 1
                    };
                    let (pos, end) = doc.variants[index as usize];
                    stack.push(Cursor {
                        pos,
                        end,
                        expand_hug: false,
                        pops_mode: false,
                    });
                }
            }
            if remaining < 0 {
                return false;
            }
        }
    }
}

/// Width of a text in characters (what an editor's column shows for most text).
pub(crate) fn width_of(text: &str) -> u32 {
    if text.is_ascii() {
        text.len() as u32
    } else {
        text.chars().count() as u32
    }
}

/// The line break a file uses, as its first one between tokens is written (rustfmt's
/// and ruff's "auto"): `\r\n` when that is, else `\n`. A file written on Windows stays
/// so when formatted, and formatting part of it does not mix the two. A string's own
/// line breaks do not count: the formatter never writes those, so they would not decide
/// the same way again in its output.
pub(crate) fn line_ending(root: &SyntaxNode) -> &'static str {
    let first = root
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| token.kind() == SyntaxKind::WHITESPACE)
        .find_map(|token| {
            let text = token.text();
            text.find('\n').map(|at| text[..at].ends_with('\r'))
        });
    if first == Some(true) {
        "\r\n"
    } else {
        "\n"
    }
}
