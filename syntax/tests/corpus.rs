//! Every file of the conformance corpus parses without errors and round-trips.

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("MLPY_CONFORMANCE_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
}

fn ml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            ml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ml") {
            out.push(path);
        }
    }
}

#[test]
fn all_corpus_files_parse_cleanly() {
    let mut files = Vec::new();
    ml_files(&corpus_dir().join("programs"), &mut files);
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
