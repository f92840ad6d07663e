//! `Content-Length` framing, the way LSP and DAP both frame messages: what the tests'
//! language-server and debug-adapter clients read from the server they drive.

use serde_json::Value;
use std::io::BufRead;

/// The next message, or `None` at the end of the stream (or on a broken frame).
pub(crate) fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    std::io::Read::read_exact(reader, &mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
