//! The editor's side of the adapter: responses, events and the adapter's own requests
//! (`runInTerminal`), written to the editor's stream.

use crate::wire::write_message;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

pub struct Editor {
    out: Mutex<Box<dyn Write + Send>>,
    seq: AtomicI64,
    /// Whether the editor counts lines and columns from 1 (DAP's `linesStartAt1`).
    pub lines_from_1: bool,
    pub columns_from_1: bool,
}

impl Editor {
    pub fn new(out: Box<dyn Write + Send>) -> Editor {
        Editor {
            out: Mutex::new(out),
            seq: AtomicI64::new(1),
            lines_from_1: true,
            columns_from_1: true,
        }
    }

    fn send(&self, mut message: Value) -> i64 {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        message["seq"] = json!(seq);
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // The editor went away: the main loop notices on its input.
        let _ = write_message(&mut *out, &message);
        seq
    }

    /// A successful response to `request`.
    pub fn respond(&self, request: &Value, body: Value) {
        // debugpy answers some requests (`pause`, `terminate`) with a null body; the spec
        // has an object or nothing, and typed clients reject null.
        let body = if body.is_null() { json!({}) } else { body };
        self.send(json!({
            "type": "response", "request_seq": request["seq"], "command": request["command"],
            "success": true, "body": body,
        }));
    }

    /// A failed response to `request`, with a message for people.
    pub fn fail(&self, request: &Value, message: &str) {
        self.send(json!({
            "type": "response", "request_seq": request["seq"], "command": request["command"],
            "success": false, "message": message,
            "body": {"error": {"id": 1, "format": message, "showUser": true}},
        }));
    }

    pub fn event(&self, event: &str, body: Value) {
        self.send(json!({"type": "event", "event": event, "body": body}));
    }

    /// Text for the debug console.
    pub fn output(&self, category: &str, text: &str) {
        self.event("output", json!({"category": category, "output": text}));
    }

    /// A request to the editor (`runInTerminal`); returns its sequence number.
    pub fn request(&self, command: &str, arguments: Value) -> i64 {
        self.send(json!({"type": "request", "command": command, "arguments": arguments}))
    }

    /// An ML line (1-based) as the editor counts lines.
    pub fn line_out(&self, line: u32) -> u32 {
        if self.lines_from_1 {
            line
        } else {
            line.saturating_sub(1)
        }
    }

    /// An editor line as a 1-based ML line.
    pub fn line_in(&self, line: i64) -> u32 {
        let line = if self.lines_from_1 { line } else { line + 1 };
        line.clamp(1, u32::MAX as i64) as u32
    }

    pub fn column_out(&self, column: u32) -> u32 {
        if self.columns_from_1 {
            column
        } else {
            column.saturating_sub(1)
        }
    }
}
