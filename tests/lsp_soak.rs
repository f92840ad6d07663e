//! Soak test: 10,000 random incremental edits (UTF-16 positions, non-ASCII and
//! surrogate pairs, `\n`, `\r\n` and lone `\r` line ends, multi-line ranges, some
//! positions out of range) to three open documents of the real `mlpy lsp`. Between
//! batches a document is closed and opened again, and a module file is created on disk,
//! imported, and deleted (so that what the server keeps per file is seen to go when the
//! file does). After every batch the server's text (`mlpy/debug/documentText`, its lone
//! `\r`s read as `\n`) equals the client's own copy, the server answers requests, never
//! panics, and its memory (RSS) stays flat.

mod lsp_client;

use lsp_client::{fixture, Client};
use serde_json::{json, Value};

const EDITS: usize = 10_000;
const BATCH: usize = 500;

use mlpy_testkit::Rng;

const PIECES: &[&str] = &[
    "x",
    "é",
    "😀",
    "\n",
    "  ",
    "中文",
    ";",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "//",
    "geometry.",
    "area",
    "function f(a) { return a + 1; }\n",
    "import geometry;\n",
    "s.shout(\"ü\")",
    "𝔘",
    "\t",
    "\r",
    "\r\n",
];

/// The client's model of a document, with LSP's rules (lines end at `\n`, `\r\n` or a
/// lone `\r`; columns in UTF-16 units; positions past a line's or the text's end are
/// clamped).
struct Model {
    text: String,
}

impl Model {
    fn line_starts(&self) -> Vec<usize> {
        lsp_client::line_starts(&self.text)
    }

    fn offset(&self, line: u32, character: u32) -> usize {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line as usize) else {
            return self.text.len();
        };
        let end = starts.get(line as usize + 1).map_or(self.text.len(), |&s| {
            // Before the line break: `\n`, `\r\n` or `\r`.
            let content = self.text[start..s].trim_end_matches('\n');
            let content = content.strip_suffix('\r').unwrap_or(content);
            start + content.len()
        });
        let mut units = 0u32;
        for (i, ch) in self.text[start..end].char_indices() {
            if units >= character {
                return start + i;
            }
            units += ch.len_utf16() as u32;
            if units > character {
                // Inside a surrogate pair: the character's start.
                return start + i;
            }
        }
        end
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        // Between the `\r` and the `\n` of a pair is no position: before the pair.
        let bytes = self.text.as_bytes();
        let inside_pair =
            offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n');
        let offset = offset - usize::from(inside_pair);
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let col = self.text[starts[line]..offset].encode_utf16().count();
        (line as u32, col as u32)
    }

    /// A random char boundary.
    fn boundary(&self, rng: &mut Rng) -> usize {
        let n = self.text.chars().count();
        let k = rng.below(n + 1);
        self.text
            .char_indices()
            .nth(k)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// A random edit: its LSP change and the model updated.
    fn random_edit(&mut self, rng: &mut Rng) -> Value {
        let a = self.boundary(rng);
        let mut b = a;
        if rng.below(3) > 0 {
            // Mostly short ranges; long ones now and then; more deletion when long.
            let span = if self.text.len() > 3000 { 200 } else { 12 };
            for _ in 0..rng.below(span) {
                match self.text[b..].chars().next() {
                    Some(ch) => b += ch.len_utf8(),
                    None => break,
                }
            }
        }
        let (mut start, mut end) = (self.position(a), self.position(b));
        // Out of range now and then: past the line's end, or past the text's end.
        match rng.below(40) {
            0 => end.1 += 1000,
            1 => {
                let past = (self.line_starts().len() + 5) as u32;
                start = (past, 3);
                end = (past + 2, 0);
            }
            _ => {}
        }
        let insert: String = (0..rng.below(4))
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect();
        let (from, to) = (self.offset(start.0, start.1), self.offset(end.0, end.1));
        let (from, to) = (from.min(to), from.max(to));
        self.text.replace_range(from..to, &insert);
        json!({
            "range": {
                "start": {"line": start.0, "character": start.1},
                "end": {"line": end.0, "character": end.1},
            },
            "text": insert,
        })
    }
}

#[test]
fn ten_thousand_random_edits() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let files = ["main.ml", "lib/geometry.ml", "lib/utils/strings.ml"];
    let mut docs: Vec<(String, Model, i32)> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(c.path(f)).unwrap();
            let uri = c.open_text(f, &text);
            (uri, Model { text }, 1)
        })
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = std::time::Instant::now();
    let mut warm_rss = 0;
    let mut max_rss = 0;
    let mut rss_trace = Vec::new();
    let mut done = 0;
    while done < EDITS {
        for _ in 0..BATCH {
            let d = rng.below(docs.len());
            let (uri, model, version) = &mut docs[d];
            // One to three changes per notification, applied in order.
            let n = 1 + rng.below(3);
            let changes: Vec<Value> = (0..n).map(|_| model.random_edit(&mut rng)).collect();
            *version += 1;
            let (uri, version) = (uri.clone(), *version);
            c.change(&uri, version, Value::Array(changes));
            done += n;
            // Requests in between, on the text as it is now.
            if rng.below(50) == 0 {
                let line = rng.below(20) as u32;
                let _ = c.at("textDocument/hover", &uri, line, 3);
                let _ = c.at("textDocument/completion", &uri, line, 5);
            }
        }
        // A document closed and opened again (at the version the client has).
        let (uri, model, version) = &docs[(done / BATCH) % docs.len()];
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "ml", "version": version, "text": model.text}}),
        );
        // A module that comes and goes on disk, under a new name each time.
        let temp = format!("lib/temp{done}.ml");
        std::fs::write(c.path(&temp), "function t() { return 1; }\n").unwrap();
        let temp_uri = c.uri(&temp);
        c.watched(vec![(temp_uri.clone(), 1)]);
        c.flush();
        std::fs::remove_file(c.path(&temp)).unwrap();
        c.watched(vec![(temp_uri, 3)]);
        for (uri, model, _) in &docs {
            let server = c.document_text(uri);
            // The server's text for the checks has its lone `\r`s read as `\n`.
            let mut expected = model.text.clone().into_bytes();
            mlpy_modules::cache::lone_carriage_returns_to_newlines(&mut expected);
            assert!(
                server.as_bytes() == expected,
                "after {done} edits the server's text of {uri} differs:\nserver: {server:?}\nclient: {:?}",
                model.text
            );
        }
        assert!(c.alive(), "the server died after {done} edits");
        let rss = c.rss_kib();
        if warm_rss == 0 {
            warm_rss = rss;
        }
        max_rss = max_rss.max(rss);
        rss_trace.push(rss);
    }
    // Every document's diagnostics are for its latest version in the end.
    c.flush();
    for (uri, _, version) in &docs {
        let last = c
            .notifications
            .iter()
            .rev()
            .find(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == *uri
            })
            .unwrap_or_else(|| panic!("no diagnostics for {uri}"));
        assert_eq!(last["params"]["version"], *version, "{uri}");
    }
    let final_rss = c.rss_kib();
    eprintln!(
        "{done} edits in {:.1}s; RSS after the first batch {} KiB, max {} KiB, final {} KiB; per batch: {rss_trace:?}",
        started.elapsed().as_secs_f64(),
        warm_rss,
        max_rss,
        final_rss
    );
    assert!(
        max_rss < warm_rss + 48 * 1024,
        "memory grew: {warm_rss} KiB after the first batch, {max_rss} KiB at most"
    );
    // Flat: the second half of the run sits where the first half did, give or take
    // allocator noise. Medians, not maxima: a leak moves the whole trace up, while one
    // sample taken during a burst of background checking is a spike, not a trend.
    let median = |samples: &[u64]| {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    };
    let half = rss_trace.len() / 2;
    let (first_half, second_half) = (median(&rss_trace[..half]), median(&rss_trace[half..]));
    // 8 MiB: the server's heap stays at about 3 MB through the whole run (heaptrack, with
    // the system allocator); what moved the trace by 10-20 MiB was the allocator holding
    // freed memory, which the server now gives back at once. A leak of one copy of the
    // 2 KiB document per edit would add 20 MiB.
    assert!(
        second_half <= first_half + 8 * 1024,
        "memory keeps growing: median {first_half} KiB, then {second_half} KiB: {rss_trace:?} KiB"
    );
    c.shutdown();
}
