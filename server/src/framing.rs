//! A guard in front of the JSON-RPC transport. `tower-lsp-server` stops reading its input
//! after a message it cannot decode, which would leave the server deaf. Every frame is
//! checked here first: a body that is not JSON, or not a JSON-RPC message, is replaced by
//! a request to an internal method that answers with the proper error (`-32700` parse
//! error, `-32600` invalid request), so the client gets its error and the server goes on.
//! Headers without `Content-Length` are skipped.
//!
//! A `Content-Length` over [`MAX_BODY`] (or one that is not a number) cannot be
//! followed: whether that many bytes will ever come is unknowable, and waiting for them
//! would swallow every later message while the client waits for answers. The client
//! gets an error answer (`-32600`), the server logs why on stderr and exits with a
//! non-zero status: a dead server an editor can restart, never a hung one.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

pub(crate) const PARSE_ERROR_METHOD: &str = "mlpy/internal/parseError";
pub(crate) const INVALID_REQUEST_METHOD: &str = "mlpy/internal/invalidRequest";
/// Answered with `-32601` (method not found) for the `method` of its parameters: a
/// request whose method starts with `$/`. The specification says such a request is
/// answered with that error; `tower-lsp-server` treats every `$/` method as an optional
/// notification and answers nothing, which would leave the client waiting forever.
pub(crate) const DOLLAR_REQUEST_METHOD: &str = "mlpy/internal/dollarRequest";
/// Answered with `-32600` and the `message` of its parameters: the stream broke.
pub(crate) const FRAMING_ERROR_METHOD: &str = "mlpy/internal/framingError";

/// The largest message body read (64 MiB: a module is 1 MiB at most by default; the
/// biggest messages are whole documents).
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn is_id(v: &Value) -> bool {
    v.is_null() || v.is_string() || v.is_i64() || v.is_u64()
}

/// How the input stream ended for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputEnd {
    /// The client closed the stream.
    Closed,
    /// The client sent `exit`: nothing after it is read (the spec says the server
    /// exits; a handler still waiting for an answer from the client would otherwise
    /// keep it alive, since no answer is read any more).
    Exit,
}

/// The messages the filter itself looks out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// The `exit` notification.
    Exit,
    /// The `shutdown` request.
    Shutdown,
    Other,
}

/// What a vetted body is.
fn seen(value: &Value) -> Seen {
    match (value.get("method").and_then(Value::as_str), value.get("id")) {
        (Some("exit"), None) => Seen::Exit,
        (Some("shutdown"), Some(id)) if !id.is_null() => Seen::Shutdown,
        _ => Seen::Other,
    }
}

/// What to forward for a body: itself when it is a JSON-RPC message, else a request
/// that makes the server answer with the right error; and whether it is `exit` or
/// `shutdown`.
pub(crate) fn vet(body: &[u8]) -> (Vec<u8>, Seen) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let m = json!({"jsonrpc": "2.0", "id": null, "method": PARSE_ERROR_METHOD});
        return (frame(m.to_string().as_bytes()), Seen::Other);
    };
    let id = value.get("id").cloned();
    let valid = value.is_object()
        && value.get("jsonrpc") == Some(&json!("2.0"))
        && id.as_ref().is_none_or(is_id)
        && match value.get("method") {
            Some(m) => {
                m.is_string()
                    && value
                        .get("params")
                        .is_none_or(|p| p.is_object() || p.is_array() || p.is_null())
            }
            // A response to one of the server's requests.
            None => id.is_some() && (value.get("result").is_some() || value.get("error").is_some()),
        };
    let method = value.get("method").and_then(Value::as_str);
    // `exit` is a notification: as a request it is answered as an invalid one (as other
    // notifications sent as requests are), not obeyed.
    let exit_request = method == Some("exit") && id.as_ref().is_some_and(|id| !id.is_null());
    if valid && !exit_request {
        if let (Some(method), Some(id)) = (method.filter(|m| m.starts_with("$/")), &id) {
            let m = json!({"jsonrpc": "2.0", "id": id, "method": DOLLAR_REQUEST_METHOD, "params": {"method": method}});
            return (frame(m.to_string().as_bytes()), Seen::Other);
        }
        return (frame(body), seen(&value));
    }
    let id = id.filter(is_id).unwrap_or(Value::Null);
    let m = json!({"jsonrpc": "2.0", "id": id, "method": INVALID_REQUEST_METHOD});
    (frame(m.to_string().as_bytes()), Seen::Other)
}

/// Copies LSP frames from `input` to `output`, vetting each. Returns at the end of
/// `input` or after the `exit` notification, or with the reason the stream cannot be
/// followed (an oversized or unreadable `Content-Length`), after an error answer for the
/// client was passed on. `unclean_exit` is set when `exit` comes without a `shutdown`
/// request before it (the spec's exit status is then 1), before `exit` is passed on:
/// the server may end as soon as it has it.
pub(crate) async fn filter(
    input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    unclean_exit: &AtomicBool,
) -> Result<InputEnd, String> {
    let mut reader = BufReader::new(input);
    let mut shut_down = false;
    loop {
        // Headers, up to the empty line.
        let mut length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        loop {
            let mut line = String::new();
            // A header line is short; a "line" of megabytes is not a header.
            match (&mut reader).take(64 * 1024).read_line(&mut line).await {
                Ok(0) | Err(_) => return Ok(InputEnd::Closed),
                Ok(_) => {}
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if saw_header {
                    break;
                }
                continue;
            }
            saw_header = true;
            if let Some((name, value)) = line.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    let value = value.trim();
                    length = Some(match value.parse::<usize>() {
                        Ok(n) => Ok(n),
                        // All digits, but too many for a usize: too large.
                        Err(_)
                            if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            Ok(usize::MAX)
                        }
                        Err(_) => Err(format!(
                            "a message with the Content-Length '{}' (not a number of bytes)",
                            value.chars().take(40).collect::<String>()
                        )),
                    });
                }
            }
        }
        let fatal = match length {
            None => {
                eprintln!("mlpy lsp: a message without Content-Length was skipped");
                continue;
            }
            Some(Ok(length)) if length > MAX_BODY => format!(
                "a message of {} bytes (Content-Length), over the limit of {} MiB",
                if length == usize::MAX {
                    "too many".to_string()
                } else {
                    length.to_string()
                },
                MAX_BODY >> 20
            ),
            Some(Err(what)) => what,
            Some(Ok(length)) => {
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).await.is_err() {
                    return Ok(InputEnd::Closed);
                }
                let (message, seen) = vet(&body);
                match seen {
                    Seen::Exit if !shut_down => unclean_exit.store(true, Ordering::SeqCst),
                    Seen::Shutdown => shut_down = true,
                    _ => {}
                }
                if output.write_all(&message).await.is_err() {
                    return Ok(InputEnd::Closed);
                }
                let _ = output.flush().await;
                if seen == Seen::Exit {
                    return Ok(InputEnd::Exit);
                }
                continue;
            }
        };
        // Logged by `mlpy lsp` as it exits (`run_stdio` returns it).
        let message = format!(
            "the language server received {fatal}: where the next message starts cannot be known, so it stops"
        );
        let m = json!({"jsonrpc": "2.0", "id": null, "method": FRAMING_ERROR_METHOD, "params": {"message": message}});
        let _ = output.write_all(&frame(m.to_string().as_bytes())).await;
        let _ = output.flush().await;
        return Err(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(framed: &[u8]) -> Value {
        let text = std::str::from_utf8(framed).unwrap();
        serde_json::from_str(text.split_once("\r\n\r\n").unwrap().1).unwrap()
    }

    #[test]
    fn vetting() {
        let good = br#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#;
        assert_eq!(body(&vet(good).0)["method"], "x");
        assert_eq!(body(&vet(b"{abc").0)["method"], PARSE_ERROR_METHOD);
        let v = body(&vet(br#"{"jsonrpc":"2.0","id":7,"method":5}"#).0);
        assert_eq!(
            (v["method"].as_str(), v["id"].as_i64()),
            (Some(INVALID_REQUEST_METHOD), Some(7))
        );
        let v = body(&vet(br#"{"hello":true}"#).0);
        assert_eq!(v["method"], INVALID_REQUEST_METHOD);
        assert!(v["id"].is_null());
        let v = body(&vet(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"m"}"#).0);
        assert!(v["id"].is_null());
        let response = br#"{"jsonrpc":"2.0","id":3,"result":null}"#;
        assert_eq!(body(&vet(response).0)["id"], 3);
        // `exit` is the notification only: a request named so, or a broken one, is not.
        assert_eq!(vet(br#"{"jsonrpc":"2.0","method":"exit"}"#).1, Seen::Exit);
        assert_eq!(
            vet(br#"{"jsonrpc":"2.0","method":"exit","params":null}"#).1,
            Seen::Exit
        );
        assert_eq!(
            vet(br#"{"jsonrpc":"2.0","id":4,"method":"exit"}"#).1,
            Seen::Other
        );
        assert_eq!(
            vet(br#"{"jsonrpc":"2.0","method":"exit","params":5}"#).1,
            Seen::Other
        );
        // `shutdown` is the request only.
        assert_eq!(
            vet(br#"{"jsonrpc":"2.0","id":5,"method":"shutdown"}"#).1,
            Seen::Shutdown
        );
        assert_eq!(
            vet(br#"{"jsonrpc":"2.0","method":"shutdown"}"#).1,
            Seen::Other
        );
        assert_eq!(vet(br#"{"method":"exit"}"#).1, Seen::Other);
        let v = body(&vet(br#"{"jsonrpc":"2.0","id":4,"method":"exit"}"#).0);
        assert_eq!(
            (v["method"].as_str(), v["id"].as_i64()),
            (Some(INVALID_REQUEST_METHOD), Some(4))
        );
        // A `$/` request is answered (method not found); a `$/` notification passes.
        let v = body(&vet(br#"{"jsonrpc":"2.0","id":"a","method":"$/x","params":{}}"#).0);
        assert_eq!(
            (
                v["method"].as_str(),
                v["id"].as_str(),
                v["params"]["method"].as_str()
            ),
            (Some(DOLLAR_REQUEST_METHOD), Some("a"), Some("$/x"))
        );
        let cancel = br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#;
        assert_eq!(body(&vet(cancel).0)["method"], "$/cancelRequest");
        assert_eq!(vet(good).1, Seen::Other);
    }
}
