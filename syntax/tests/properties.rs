//! Property tests: for any input the parser never panics, the tree reproduces the input
//! byte for byte, and every diagnostic range lies inside the text on character
//! boundaries; `LineIndex` conversions round-trip; and randomly generated valid
//! programs, laid out with random whitespace and comments, parse without errors into
//! exactly the tree they were generated from.
//!
//! Case counts are kept small enough for the whole syntax suite to run in seconds in a
//! debug build; raise them with `PROPTEST_CASES=10000 cargo test -p mlpy-syntax --test
//! properties` for a longer run.

mod common;

use common::check_invariants;
use mlpy_syntax::{LineCol, LineIndex, TextSize};
use proptest::prelude::*;
use std::sync::OnceLock;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(cases),
        // Failures are reported with their input; no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn parse_and_check(text: &str) {
    let parse = mlpy_syntax::parse(text);
    check_invariants(text, &parse);
    tokens_match_the_lexer(text, &parse);
    // Sharing small nodes changes where the tree lives, never what it is.
    assert_eq!(mlpy_syntax::parse_compact(text), parse);
}

/// The tree's tokens are the lexer's: same texts, and the same trivia (the parser may
/// only give a significant token another kind, as it does to contextual keywords).
fn tokens_match_the_lexer(text: &str, parse: &mlpy_syntax::Parse) {
    let (lexed, _) = mlpy_syntax::lexer::tokenize(text);
    let mut offset = 0usize;
    let lexed: Vec<(mlpy_syntax::SyntaxKind, &str)> = lexed
        .iter()
        .map(|t| {
            let len = usize::from(t.len);
            offset += len;
            (t.kind, &text[offset - len..offset])
        })
        .collect();
    let tree: Vec<_> = parse
        .syntax_node()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .collect();
    assert_eq!(tree.len(), lexed.len(), "token count differs for {text:?}");
    for (token, (kind, token_text)) in tree.iter().zip(&lexed) {
        assert_eq!(token.text(), *token_text, "in {text:?}");
        if kind.is_trivia() || token.kind().is_trivia() {
            assert_eq!(token.kind(), *kind, "trivia differs in {text:?}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Arbitrary text

/// Characters that matter to the lexer, plus a few multi-byte ones.
fn ml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::sample::select(
            "abcfinxyz_019 \n\t\r{}()[];,.:?=|&!<>+-*/%\"'\\@#$`e".chars().collect::<Vec<_>>()
        ),
        1 => proptest::sample::select(vec!['é', '😀', '\u{FEFF}', '\u{0}', 'ß', '\u{2028}', '中']),
        1 => any::<char>(),
    ]
}

/// One ML token (or a fragment that looks like one), as text.
fn ml_token() -> impl Strategy<Value = String> {
    let fixed: Vec<&'static str> = vec![
        "function",
        "fn",
        "if",
        "elif",
        "else",
        "while",
        "for",
        "in",
        "return",
        "throw",
        "try",
        "except",
        "finally",
        "break",
        "continue",
        "nonlocal",
        "import",
        "as",
        "capability",
        "resource",
        "allow",
        "true",
        "false",
        "x",
        "y",
        "read",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ";",
        ",",
        ".",
        ":",
        "?",
        "=>",
        "=",
        "==",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "!",
        "&&",
        "||",
        "|",
        "&",
        "0",
        "1",
        "-1",
        "+2",
        "3.5",
        ".5",
        "5.",
        "1e3",
        "-2.5e-3",
        "\"s\"",
        "'s'",
        "\"a\\\"b\"",
        "'it\\'s'",
        "\"",
        "'",
        "\"open",
        "// c",
        "https://h/m",
        "git://h/o/r@v1/p",
        "é",
        "😀",
        "$",
        "\\",
    ];
    prop_oneof![
        8 => proptest::sample::select(fixed).prop_map(str::to_string),
        1 => "[a-z_][a-z0-9_]{0,6}",
        1 => "[0-9]{1,4}",
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec!["", " ", " ", " ", "\n", "\n    ", "\t", "\r\n"])
}

fn token_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec((ml_token(), separator()), 0..80).prop_map(|parts| {
        let mut out = String::new();
        for (token, sep) in parts {
            out.push_str(&token);
            out.push_str(sep);
        }
        out
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_string(text in any::<String>()) {
        parse_and_check(&text);
    }

    #[test]
    fn strings_of_ml_characters(chars in proptest::collection::vec(ml_char(), 0..200)) {
        let text: String = chars.into_iter().collect();
        parse_and_check(&text);
    }

    #[test]
    fn token_soups(text in token_soup()) {
        parse_and_check(&text);
    }
}

// ---------------------------------------------------------------------------------
// Mutations of the corpus

struct CorpusFile {
    text: String,
    /// Byte offsets of every token boundary, 0 and the length included.
    boundaries: Vec<usize>,
}

fn corpus() -> &'static [CorpusFile] {
    static CORPUS: OnceLock<Vec<CorpusFile>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        common::corpus_files()
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                let (tokens, _) = mlpy_syntax::lexer::tokenize(&text);
                let mut boundaries = vec![0];
                for token in tokens {
                    let last = *boundaries.last().unwrap();
                    boundaries.push(last + usize::from(token.len));
                }
                CorpusFile { text, boundaries }
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Duplicate,
    SwapWithNext,
    TruncateAtToken,
    TruncateAtChar,
}

fn mutate(file: &CorpusFile, mutation: &Mutation, pick: usize) -> String {
    let b = &file.boundaries;
    let tokens = b.len() - 1;
    if tokens == 0 {
        return file.text.clone();
    }
    let i = pick % tokens;
    let token = |i: usize| &file.text[b[i]..b[i + 1]];
    let (before, after) = (&file.text[..b[i]], &file.text[b[i + 1]..]);
    match mutation {
        Mutation::Delete => format!("{before}{after}"),
        Mutation::Duplicate => format!("{before}{}{}{after}", token(i), token(i)),
        Mutation::SwapWithNext if i + 2 <= tokens => format!(
            "{before}{}{}{}",
            token(i + 1),
            token(i),
            &file.text[b[i + 2]..]
        ),
        Mutation::SwapWithNext => file.text.clone(),
        Mutation::TruncateAtToken => file.text[..b[i]].to_string(),
        Mutation::TruncateAtChar => {
            let mut at = pick % (file.text.len() + 1);
            while !file.text.is_char_boundary(at) {
                at -= 1;
            }
            file.text[..at].to_string()
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Delete),
        Just(Mutation::Duplicate),
        Just(Mutation::SwapWithNext),
        Just(Mutation::TruncateAtToken),
        Just(Mutation::TruncateAtChar),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn corpus_mutations(
        file in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec((mutation(), any::<usize>()), 1..4),
    ) {
        let files = corpus();
        let original = &files[file.index(files.len())];
        let mut text = original.text.clone();
        for (mutation, pick) in &mutations {
            // Re-tokenise after each mutation so the next one works on real tokens.
            let (tokens, _) = mlpy_syntax::lexer::tokenize(&text);
            let mut boundaries = vec![0];
            for token in tokens {
                let last = *boundaries.last().unwrap();
                boundaries.push(last + usize::from(token.len));
            }
            text = mutate(&CorpusFile { text, boundaries }, mutation, *pick);
        }
        parse_and_check(&text);
    }
}

/// Every single-token deletion of one corpus file, exhaustively.
#[test]
fn every_token_deletion_of_one_file() {
    let files = corpus();
    let file = files
        .iter()
        .min_by_key(|f| (f.text.len() as i64 - 2000).abs())
        .unwrap();
    for i in 0..file.boundaries.len() - 1 {
        parse_and_check(&mutate(file, &Mutation::Delete, i));
    }
}

// ---------------------------------------------------------------------------------
// LineIndex

fn check_line_index(text: &str) {
    let index = LineIndex::new(text);
    assert_eq!(index.len(), TextSize::of(text));
    for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
        let at = TextSize::from(offset as u32);
        let lc = index.line_col(at);
        assert_eq!(
            index.offset(lc),
            Some(at),
            "line_col of {offset} in {text:?}"
        );
        // The UTF-16 column is the number of UTF-16 units from the line start.
        let line_start = offset - lc.col as usize;
        let wide = index.to_wide(lc);
        assert_eq!(
            wide.col as usize,
            text[line_start..offset].encode_utf16().count(),
            "UTF-16 column of {offset} in {text:?}"
        );
        assert_eq!(index.to_utf8(wide), lc, "to_utf8 of {wide:?} in {text:?}");
        // Between the `\r` and `\n` of a line break is no position an editor can name.
        let inside_crlf = offset > 0
            && text.as_bytes()[offset - 1] == b'\r'
            && text.as_bytes().get(offset) == Some(&b'\n');
        if !inside_crlf {
            assert_eq!(
                index.offset_of_wide(index.wide_line_col(at), text),
                at,
                "UTF-16 round trip of {offset} in {text:?}"
            );
        }
    }
    // Positions past the end clamp into the text.
    let last = index.line_count();
    assert_eq!(
        index.offset_of_wide(mlpy_syntax::WideLineCol { line: last, col: 0 }, text),
        index.len()
    );
    assert_eq!(index.offset(LineCol { line: last, col: 0 }), None);
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn line_index_round_trips(chars in proptest::collection::vec(ml_char(), 0..120)) {
        let text: String = chars.into_iter().collect();
        check_line_index(&text);
    }
}

#[test]
fn line_index_of_corpus_files() {
    for file in corpus() {
        check_line_index(&file.text);
    }
}

/// The inputs kept in `fuzz/regressions/` (each once broke, or nearly broke, an
/// invariant) hold them all.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            parse_and_check(text);
            count += 1;
        }
    }
    assert!(count > 0, "no regression inputs in {}", dir.display());
}
