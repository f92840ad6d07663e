//! A guard in front of the JSON-RPC transport. `tower-lsp-server` stops reading its input
//! after a message it cannot decode, which would leave the server deaf. Every frame is
//! checked here first: a body that is not JSON, or not a JSON-RPC message, is replaced by
//! a request to an internal method that answers with the proper error (`-32700` parse
//! error, `-32600` invalid request), so the client gets its error and the server goes on.
//! Headers without `Content-Length` and oversized bodies are skipped.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

pub const PARSE_ERROR_METHOD: &str = "mlpy/internal/parseError";
pub const INVALID_REQUEST_METHOD: &str = "mlpy/internal/invalidRequest";

/// Messages larger than this are refused (and skipped).
const MAX_BODY: usize = 256 * 1024 * 1024;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn is_id(v: &Value) -> bool {
    v.is_null() || v.is_string() || v.is_i64() || v.is_u64()
}

/// What to forward for a body: itself when it is a JSON-RPC message, else a request
/// that makes the server answer with the right error.
pub fn vet(body: &[u8]) -> Vec<u8> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let m = json!({"jsonrpc": "2.0", "id": null, "method": PARSE_ERROR_METHOD});
        return frame(m.to_string().as_bytes());
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
    if valid {
        return frame(body);
    }
    let id = id.filter(is_id).unwrap_or(Value::Null);
    let m = json!({"jsonrpc": "2.0", "id": id, "method": INVALID_REQUEST_METHOD});
    frame(m.to_string().as_bytes())
}

/// Copies LSP frames from `input` to `output`, vetting each.
pub async fn filter(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut reader = BufReader::new(input);
    loop {
        // Headers, up to the empty line.
        let mut length: Option<usize> = None;
        let mut saw_header = false;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
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
                    length = value.trim().parse().ok();
                }
            }
        }
        let Some(length) = length else {
            eprintln!("mlpy lsp: a message without Content-Length was skipped");
            continue;
        };
        if length > MAX_BODY {
            eprintln!("mlpy lsp: a message of {length} bytes was refused");
            let mut skip = (&mut reader).take(length as u64);
            if tokio::io::copy(&mut skip, &mut tokio::io::sink())
                .await
                .is_err()
            {
                return;
            }
            let m = json!({"jsonrpc": "2.0", "id": null, "method": INVALID_REQUEST_METHOD});
            if output
                .write_all(&frame(m.to_string().as_bytes()))
                .await
                .is_err()
            {
                return;
            }
            continue;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        if output.write_all(&vet(&body)).await.is_err() {
            return;
        }
        let _ = output.flush().await;
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
        assert_eq!(body(&vet(good))["method"], "x");
        assert_eq!(body(&vet(b"{abc"))["method"], PARSE_ERROR_METHOD);
        let v = body(&vet(br#"{"jsonrpc":"2.0","id":7,"method":5}"#));
        assert_eq!(
            (v["method"].as_str(), v["id"].as_i64()),
            (Some(INVALID_REQUEST_METHOD), Some(7))
        );
        let v = body(&vet(br#"{"hello":true}"#));
        assert_eq!(v["method"], INVALID_REQUEST_METHOD);
        assert!(v["id"].is_null());
        let v = body(&vet(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"m"}"#));
        assert!(v["id"].is_null());
        let response = br#"{"jsonrpc":"2.0","id":3,"result":null}"#;
        assert_eq!(body(&vet(response))["id"], 3);
    }
}
