//! Every file of the conformance corpus parses without errors and round-trips, to the
//! same tree with or without shared nodes.

mod common;

#[test]
fn all_corpus_files_parse_cleanly() {
    let files = common::corpus_files();
    // The corpus README counts 86, but it holds 85: 76 programs and 9 imported modules.
    assert_eq!(files.len(), 85, "the corpus has 85 .ml files");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let parse = mlpy_syntax::parse(&text);
        assert_eq!(
            parse.syntax_node().to_string(),
            text,
            "{} does not round-trip",
            file.display()
        );
        assert_eq!(
            mlpy_syntax::parse_compact(&text),
            parse,
            "{}: the compact tree differs",
            file.display()
        );
        let index = mlpy_syntax::LineIndex::new(&text);
        for error in parse.errors() {
            let (line, col) = index.human_line_col(error.range.start(), &text);
            failures.push(format!(
                "{}:{line}:{col}: {:?}: {}",
                file.display(),
                error.severity,
                error.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
