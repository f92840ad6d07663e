//! The document IR: a flat list of layout elements (text, spaces, line-break choices,
//! groups, indentation, best-fitting alternatives) that the printer lays out to a width.
//!
//! The idea is Wadler's and Prettier's: a *group* is printed on one line when it fits,
//! else its line breaks are taken; a *hard* line always breaks, and breaks every group
//! around it. The list is flat (start/end markers instead of nested boxes) so building
//! and printing allocate almost nothing; a part that several alternatives share is built
//! once, jumped over in the normal flow (`Skip`), and referred to (`Embed`).

/// One layout element. Texts are slices of the source: the formatter never invents a
/// token, it only chooses the white space between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    /// Source text without a line break; `width` in characters.
    Text {
        start: u32,
        len: u32,
        width: u32,
    },
    /// Source text with line breaks (a string literal spanning lines): printed as is;
    /// only its first line counts when measuring.
    MultiText {
        start: u32,
        len: u32,
        first_width: u32,
    },
    /// One space (dropped at the start of a line).
    Space,
    /// Nothing when the group is flat, a line break when it is broken.
    SoftLine,
    /// A space when the group is flat, a line break when it is broken.
    Line,
    /// Always a line break. Consecutive breaks merge into one.
    HardLine,
    /// A line break and one empty line (at most one, however many are asked for).
    EmptyLine,
    /// A group: `expanded` when it holds a hard break (it can never be flat); `hug`
    /// marks the group a hugged last argument breaks (see `Embed`).
    GroupStart {
        expanded: bool,
        hug: bool,
    },
    GroupEnd,
    IndentStart,
    IndentEnd,
    /// Continue at element `to`: what lies between is only reached through `Embed`.
    Skip {
        to: u32,
    },
    /// The elements `start..end`, printed here; with `expand_hug`, the `hug` group among
    /// them is broken whether it fits or not.
    Embed {
        start: u32,
        end: u32,
        expand_hug: bool,
    },
    /// The first of `count` alternatives (ranges in `Doc::variants`, from `first`) whose
    /// first line fits; the last one otherwise.
    BestFit {
        first: u32,
        count: u32,
    },
}

/// A built document: the elements and the ranges of the best-fitting alternatives.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub elems: Vec<Elem>,
    pub variants: Vec<(u32, u32)>,
}

/// Builds a `Doc`, keeping track of which groups hold hard line breaks.
#[derive(Debug, Default)]
pub(crate) struct Ir {
    pub doc: Doc,
    /// Open groups: the index of their `GroupStart` and whether a hard break is inside.
    open_groups: Vec<(usize, bool)>,
    /// Hard breaks pushed so far: a range holds one when the count changed while it was
    /// built.
    hard_breaks: u64,
}

/// A part of the document built out of line, for `Embed`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Range {
    pub start: u32,
    pub end: u32,
    /// It holds a hard line break: it can never be printed on one line.
    pub hard: bool,
}

impl Ir {
    pub(crate) fn len(&self) -> u32 {
        self.doc.elems.len() as u32
    }

    pub(crate) fn clear(&mut self) {
        self.doc.elems.clear();
        self.doc.variants.clear();
        self.open_groups.clear();
    }

    fn push(&mut self, elem: Elem) {
        self.doc.elems.push(elem);
    }

    pub(crate) fn text(&mut self, start: u32, len: u32, width: u32) {
        self.push(Elem::Text { start, len, width });
    }

    pub(crate) fn multi_text(&mut self, start: u32, len: u32, first_width: u32) {
        self.push(Elem::MultiText {
            start,
            len,
            first_width,
        });
    }

    pub(crate) fn space(&mut self) {
        self.push(Elem::Space);
    }

    pub(crate) fn soft_line(&mut self) {
        self.push(Elem::SoftLine);
    }

    pub(crate) fn line(&mut self) {
        self.push(Elem::Line);
    }

    pub(crate) fn hard_line(&mut self) {
        self.push(Elem::HardLine);
        self.mark_hard();
    }

    pub(crate) fn empty_line(&mut self) {
        self.push(Elem::EmptyLine);
        self.mark_hard();
    }

    fn mark_hard(&mut self) {
        self.hard_breaks += 1;
        if let Some(group) = self.open_groups.last_mut() {
            group.1 = true;
        }
    }

    pub(crate) fn group_start(&mut self) {
        self.group_start_with(false, false);
    }

    /// A group that is broken from the start (`expanded`), or the one a hugged argument
    /// breaks (`hug`).
    pub(crate) fn group_start_with(&mut self, expanded: bool, hug: bool) {
        self.open_groups.push((self.doc.elems.len(), expanded));
        self.push(Elem::GroupStart { expanded, hug });
    }

    /// Ends the innermost group; a group that holds a hard break is expanded, and so is
    /// every group around it.
    pub(crate) fn group_end(&mut self) {
        if let Some((index, hard)) = self.open_groups.pop() {
            if hard {
                if let Some(Elem::GroupStart { expanded, .. }) = self.doc.elems.get_mut(index) {
                    *expanded = true;
                }
                if let Some(parent) = self.open_groups.last_mut() {
                    parent.1 = true;
                }
            }
        }
        self.push(Elem::GroupEnd);
    }

    pub(crate) fn indent_start(&mut self) {
        self.push(Elem::IndentStart);
    }

    pub(crate) fn indent_end(&mut self) {
        self.push(Elem::IndentEnd);
    }

    /// A `Skip` to patch with `skip_here` once the out-of-line parts are built.
    pub(crate) fn skip(&mut self) -> usize {
        self.push(Elem::Skip { to: 0 });
        self.doc.elems.len() - 1
    }

    pub(crate) fn skip_here(&mut self, skip: usize) {
        let to = self.len();
        self.doc.elems[skip] = Elem::Skip { to };
    }

    pub(crate) fn embed(&mut self, range: Range, expand_hug: bool) {
        if range.start < range.end {
            self.push(Elem::Embed {
                start: range.start,
                end: range.end,
                expand_hug,
            });
        }
    }

    /// Records the alternatives (already built, in order) and places the choice here.
    pub(crate) fn best_fit(&mut self, variants: &[Range]) {
        let first = self.doc.variants.len() as u32;
        self.doc
            .variants
            .extend(variants.iter().map(|r| (r.start, r.end)));
        self.push(Elem::BestFit {
            first,
            count: variants.len() as u32,
        });
    }

    /// Hard breaks pushed so far (to tell whether a part built since holds one).
    pub(crate) fn hard_breaks(&self) -> u64 {
        self.hard_breaks
    }
}
