//! DAP's framing: `Content-Length: N\r\n\r\n` then N bytes of JSON, both ways.

use serde_json::Value;
use std::io::{BufRead, Write};

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("reading a message: {0}")]
    Io(#[from] std::io::Error),
    #[error("a message header without Content-Length")]
    NoLength,
    #[error("a bad Content-Length header: {0:?}")]
    BadLength(String),
    #[error("a message of {0} bytes is over the limit")]
    TooLong(usize),
    #[error("a message that is not JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The largest message accepted (a setBreakpoints of a huge file is far below it).
const MAX_MESSAGE: usize = 64 << 20;

/// Reads one message; `Ok(None)` at the end of the stream.
pub fn read_message(reader: &mut impl BufRead) -> Result<Option<Value>, WireError> {
    let mut length = None;
    let mut saw_header = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return if saw_header {
                Err(WireError::Io(std::io::ErrorKind::UnexpectedEof.into()))
            } else {
                Ok(None)
            };
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
                length = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| WireError::BadLength(value.to_string()))?,
                );
            }
        }
    }
    let length = length.ok_or(WireError::NoLength)?;
    if length > MAX_MESSAGE {
        return Err(WireError::TooLong(length));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(serde_json::from_slice(&body)?))
}

/// Writes one message and flushes it.
pub fn write_message(writer: &mut impl Write, message: &Value) -> std::io::Result<()> {
    let body = message.to_string();
    write!(writer, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_round_trip_and_bad_frames_are_errors() {
        let mut bytes = Vec::new();
        write_message(&mut bytes, &json!({"seq": 1, "type": "request"})).unwrap();
        write_message(&mut bytes, &json!({"seq": 2, "text": "é"})).unwrap();
        let mut reader = std::io::BufReader::new(&bytes[..]);
        assert_eq!(read_message(&mut reader).unwrap().unwrap()["seq"], 1);
        assert_eq!(read_message(&mut reader).unwrap().unwrap()["text"], "é");
        assert!(read_message(&mut reader).unwrap().is_none());

        let mut reader = std::io::BufReader::new(&b"X-Other: 1\r\n\r\n{}"[..]);
        assert!(matches!(
            read_message(&mut reader),
            Err(WireError::NoLength)
        ));
        let mut reader = std::io::BufReader::new(&b"Content-Length: x\r\n\r\n"[..]);
        assert!(matches!(
            read_message(&mut reader),
            Err(WireError::BadLength(_))
        ));
        let mut reader = std::io::BufReader::new(&b"Content-Length: 3\r\n\r\n{x}"[..]);
        assert!(matches!(read_message(&mut reader), Err(WireError::Json(_))));
    }
}
