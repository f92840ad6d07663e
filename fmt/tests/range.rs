//! Formatting a range: the whole statements it touches, in the innermost block that
//! holds it, exactly as formatting the whole file lays them out (their indentation too).

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

/// The offset of `(line, column)` in `text` (columns in bytes, lines split at `\n`).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + column
}

/// Every range from any place of a line (its start, its middle, its end) to any place of
/// the same or a later line: each line of the result is either the line as it was or the
/// line whole-file formatting gives — never a line with its old indentation and new
/// spacing, or the reverse. The texts keep one statement per line, so the lines of the
/// input, of the result and of the formatted file correspond one to one.
#[test]
fn every_statement_of_a_range_is_indented_as_the_whole_file_would_be() {
    let options = FormatOptions::default();
    let base =
        "x=0;\nfunction f() {\n  a=1;\n  b=2;\n  if (a) {\n      c=3;\n  }\n  d=4;\n}\ny  =  5;\n";
    let texts = [
        base.to_string(),
        base.replace("  ", "\t"),
        base.replace('\n', "\r\n"),
        "function f() {\n  a=1;\n  b=2;\n  c=3;\n}\n".to_string(),
        "function f() {\n        a=1;\n        b=2;\n}\n".to_string(),
    ];
    let mut ranges = 0;
    for text in &texts {
        let formatted = format_text(text, &options).unwrap();
        let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
        let want: Vec<&str> = formatted
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .collect();
        let crlf = text.contains("\r\n");
        assert_eq!(lines.len(), want.len(), "{text:?}");
        let places: Vec<usize> = (0..lines.len())
            .flat_map(|l| {
                let len = lines[l].len();
                [0, len / 2, len].map(|c| offset(text, l, c))
            })
            .collect();
        for (i, &from) in places.iter().enumerate() {
            for &to in &places[i..] {
                let range = TextRange::new((from as u32).into(), (to as u32).into());
                let edits = format_range(text, range, &options).unwrap();
                let result = apply(text, &edits);
                // The edits write the file's own line breaks: none is left without its `\r`.
                assert!(
                    !crlf || !result.replace("\r\n", "").contains('\n'),
                    "{text:?} {range:?}: {result:?}"
                );
                for (n, line) in result.split('\n').enumerate() {
                    let line = line.trim_end_matches('\r');
                    assert!(
                        line == lines[n] || line == want[n],
                        "{text:?} {range:?}: line {n} is {line:?}, neither {:?} nor {:?}",
                        lines[n],
                        want[n]
                    );
                }
                // The line the range starts on, before its end, is formatted when a
                // statement starts there.
                let first = text[..from].matches('\n').count();
                let column = from - offset(text, first, 0);
                if lines[first].trim_start().ends_with(';') && column < lines[first].len() {
                    assert_eq!(
                        result
                            .split('\n')
                            .nth(first)
                            .unwrap()
                            .trim_end_matches('\r'),
                        want[first],
                        "{text:?} {range:?}"
                    );
                }
                ranges += 1;
            }
        }
    }
    assert!(ranges > 1000, "{ranges}");
}

#[test]
fn the_edit_takes_the_first_lines_indentation() {
    let options = FormatOptions::default();
    let text = "function f() {\n  a=1;\n  b=2;\n  c=3;\n}\n";
    // Lines 1 and 2, from the start of line 1, or from inside its indentation or its
    // statement: the same edit, from the start of line 1.
    for start in [offset(text, 1, 0), offset(text, 1, 1), offset(text, 1, 3)] {
        let range = TextRange::new((start as u32).into(), (offset(text, 2, 4) as u32).into());
        let edits = format_range(text, range, &options).unwrap();
        assert_eq!(
            edits,
            [(
                TextRange::new(
                    (offset(text, 1, 0) as u32).into(),
                    (offset(text, 2, 6) as u32).into()
                ),
                "    a = 1;\n    b = 2;".to_string()
            )]
        );
    }
    // A statement after another on its line keeps its place: only it changes.
    let text = "function f() {\n    a = 1;  b=2;\n}\n";
    let edits = format_range(text, range_of(text, "b=2"), &options).unwrap();
    assert_eq!(edits, [(range_of(text, "b=2;"), "b = 2;".to_string())]);
}
