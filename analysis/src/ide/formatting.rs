//! Formatting a document, or the whole statements a range touches, with `mlpy fmt`'s engine
//! (`mlpy-fmt`), as text edits: the one style of the CLI, in the editor.

use mlpy_fmt::{FormatError, FormatOptions};
use mlpy_modules::ProjectConfig;
use mlpy_syntax::{TextRange, TextSize};

/// The project's `"format"` options (`mlpy.json`); the editor's tab settings do not count,
/// so that every editor and `mlpy fmt` agree.
pub fn options_for(config: &ProjectConfig) -> FormatOptions {
    FormatOptions::from_settings(config.format.line_width, config.format.indent_width)
}

/// The edit that turns `text` into its formatted form: one replacement of the part that
/// differs (nothing when the text is formatted already), so the editor keeps the cursor and
/// the undo history where nothing changed. A text with syntax errors is refused.
pub fn format_document(
    text: &str,
    options: &FormatOptions,
) -> Result<Vec<(TextRange, String)>, FormatError> {
    let formatted = mlpy_fmt::format_text(text, options)?;
    Ok(minimal_edit(text, &formatted).into_iter().collect())
}

/// The edits that format the whole statements `range` touches.
pub fn format_range(
    text: &str,
    range: TextRange,
    options: &FormatOptions,
) -> Result<Vec<(TextRange, String)>, FormatError> {
    let edits = mlpy_fmt::format_range(text, range, options)?;
    Ok(edits
        .into_iter()
        .filter_map(|(range, new)| {
            let old = &text[range];
            minimal_edit(old, &new).map(|(inner, replacement)| (inner + range.start(), replacement))
        })
        .collect())
}

/// The one replacement that turns `old` into `new`: their common start and end are kept
/// (cut at character boundaries). `None` when they are equal.
fn minimal_edit(old: &str, new: &str) -> Option<(TextRange, String)> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let start = TextSize::from(prefix as u32);
    let end = TextSize::from((old.len() - suffix) as u32);
    Some((
        TextRange::new(start, end),
        new[prefix..new.len() - suffix].to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
        let mut out = text.to_string();
        for (range, new) in edits.iter().rev() {
            out.replace_range(std::ops::Range::<usize>::from(*range), new);
        }
        out
    }

    #[test]
    fn a_document_is_formatted_with_one_small_edit() {
        let text = "x = 1;\nif(x){y=f( 1,2 );}\nz = 3;\n";
        let edits = format_document(text, &FormatOptions::default()).unwrap();
        assert_eq!(edits.len(), 1);
        // The unchanged first and last lines are not part of the edit.
        assert!(edits[0].0.start() >= TextSize::from(7));
        assert!(edits[0].0.end() <= TextSize::of(text) - TextSize::from(7));
        assert_eq!(
            apply(text, &edits),
            "x = 1;\nif (x) {\n    y = f(1, 2);\n}\nz = 3;\n"
        );
        let formatted = apply(text, &edits);
        assert!(format_document(&formatted, &FormatOptions::default())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn multibyte_text_is_cut_at_character_boundaries() {
        // The edit's ends fall next to "é" and "😀" in both texts.
        for text in ["s = \"é\";x=1;\n", "s = \"😀\" ;\n", "s=\"é😀\";\n"] {
            let edits = format_document(text, &FormatOptions::default()).unwrap();
            let formatted = apply(text, &edits);
            assert_eq!(
                formatted,
                mlpy_fmt::format_text(text, &FormatOptions::default()).unwrap()
            );
        }
        assert_eq!(
            minimal_edit("aé", "aè"),
            Some((TextRange::new(1.into(), 3.into()), "è".into()))
        );
    }

    #[test]
    fn syntax_errors_are_refused_and_ranges_touch_whole_statements() {
        assert!(matches!(
            format_document("x = (;", &FormatOptions::default()),
            Err(FormatError::Syntax { .. })
        ));
        let text = "a=1;\nb=2;\nc=3;\n";
        let start = TextSize::from(text.find("b").unwrap() as u32);
        let edits = format_range(
            text,
            TextRange::at(start, 1.into()),
            &FormatOptions::default(),
        )
        .unwrap();
        assert_eq!(apply(text, &edits), "a=1;\nb = 2;\nc=3;\n");
    }

    #[test]
    fn a_range_indents_its_first_statement_as_the_others() {
        let text = "function f() {\n  a=1;\n  b=2;\n  c=3;\n}\n";
        let options = FormatOptions::default();
        // From the middle of `a=1;` to the middle of `b=2;`, with `\n` or `\r\n`.
        for text in [text.to_string(), text.replace('\n', "\r\n")] {
            let start = TextSize::from(text.find("=1").unwrap() as u32);
            let end = TextSize::from(text.find("=2").unwrap() as u32);
            let edits = format_range(&text, TextRange::new(start, end), &options).unwrap();
            assert_eq!(edits.len(), 1);
            let after = apply(&text, &edits);
            // The file's own line breaks, in the edits too.
            let eol = if text.contains('\r') { "\r\n" } else { "\n" };
            let want = [
                "function f() {",
                "    a = 1;",
                "    b = 2;",
                "  c=3;",
                "}",
                "",
            ];
            assert_eq!(after, want.join(eol), "{text:?}");
        }
    }

    #[test]
    fn options_come_from_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mlpy.json");
        std::fs::write(&file, r#"{"format": {"indent_width": 2}}"#).unwrap();
        let config = ProjectConfig::load(&file).unwrap();
        let edits = format_document("if(x){y=1;}\n", &options_for(&config)).unwrap();
        assert_eq!(apply("if(x){y=1;}\n", &edits), "if (x) {\n  y = 1;\n}\n");
    }
}
