//! Formatting a range: the whole statements it touches, in the innermost block that
//! holds it, exactly as formatting the whole file lays them out.

use mlpy_fmt::{format_range, format_text, FormatOptions};
use mlpy_syntax::{TextRange, TextSize};

fn range_of(text: &str, needle: &str) -> TextRange {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    TextRange::at(
        TextSize::from(start as u32),
        TextSize::from(needle.len() as u32),
    )
}

fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut out = text.to_string();
    for (range, new) in edits.iter().rev() {
        out.replace_range(usize::from(range.start())..usize::from(range.end()), new);
    }
    out
}

const TEXT: &str =
    "a  =  1;\nfunction f() {\n    x=1;\n    if (x) {y=[1,2];}\n    z  =  3;\n}\nb  =  2;\n";

#[test]
fn only_the_statements_touched_change() {
    let options = FormatOptions::default();
    // A range inside `y=[1,2]`: the statement in the innermost block.
    let edits = format_range(TEXT, range_of(TEXT, "[1,2]"), &options).unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(&TEXT[edits[0].0], "y=[1,2];");
    assert_eq!(edits[0].1, "y = [1, 2];");
    // From `x=1` to the `if`: both statements of the function body.
    let range = range_of(TEXT, "x=1;\n    if").cover(range_of(TEXT, "if (x)"));
    let edits = format_range(TEXT, range, &options).unwrap();
    assert_eq!(
        apply(TEXT, &edits),
        "a  =  1;\nfunction f() {\n    x = 1;\n    if (x) {\n        y = [1, 2];\n    }\n    z  =  3;\n}\nb  =  2;\n"
    );
    // An empty range (a cursor) in a top-level statement.
    let cursor = TextRange::empty(range_of(TEXT, "b  =").start());
    let edits = format_range(TEXT, cursor, &options).unwrap();
    assert_eq!(edits, [(range_of(TEXT, "b  =  2;"), "b = 2;".to_string())]);
}

#[test]
fn the_whole_text_as_a_range_is_the_whole_file_formatted() {
    let options = FormatOptions::default();
    let whole = TextRange::up_to(TextSize::of(TEXT));
    let edits = format_range(TEXT, whole, &options).unwrap();
    assert_eq!(apply(TEXT, &edits), format_text(TEXT, &options).unwrap());
}

#[test]
fn nothing_to_do_gives_no_edit() {
    let options = FormatOptions::default();
    let formatted = format_text(TEXT, &options).unwrap();
    let whole = TextRange::up_to(TextSize::of(&formatted));
    assert_eq!(format_range(&formatted, whole, &options).unwrap(), []);
    // White space between statements touches none.
    let text = "a = 1;\n\n\nb  =  2;\n";
    let gap = TextRange::at(TextSize::from(7), TextSize::from(1));
    assert_eq!(format_range(text, gap, &options).unwrap(), []);
}

#[test]
fn a_file_with_syntax_errors_is_refused() {
    let text = "a  =  1;\nb = (;\n";
    let range = range_of(text, "a  =");
    assert!(format_range(text, range, &FormatOptions::default()).is_err());
}
