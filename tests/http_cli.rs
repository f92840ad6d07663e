//! End-to-end test of the `http` standard-library module's capabilities through the real
//! `mlpy run`: a request needs the capability of its URL's scheme (and host), and only
//! `http://` and `https://` URLs are ever requested. A plain HTTP server on 127.0.0.1 in
//! this process counts the connections it gets.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{stderr, stdout, Project};

/// Answers every request with `200 hi`; returns its port and its connection count.
fn serve() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                // A TLS hello has no empty line to wait for: give up on it soon.
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line == "\r\n" {
                        let _ = stream.write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
                        );
                        break;
                    }
                    line.clear();
                }
            });
        }
    });
    (port, connections)
}

const PROGRAM: &str = r#"import http;
function fetch(url) {
    try {
        r = http.get(url);
        print("ok", r.status(), r.text());
    } except (e) {
        print("refused", e.message);
    }
}
"#;

#[test]
fn http_requests_need_the_capability_of_their_scheme() {
    let (port, connections) = serve();
    let http = format!("http://127.0.0.1:{port}/hello");
    let https = format!("https://127.0.0.1:{port}/hello");
    let mut program = PROGRAM.to_string();
    for url in [
        http.as_str(),
        https.as_str(),
        "file://localhost/etc/passwd",
        "FILE:///etc/passwd",
        " file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "data:text/plain,hello",
    ] {
        program.push_str(&format!("fetch({url:?});\n"));
    }
    let project = Project::new();
    project.file("main.ml", &program);

    let refused_http =
        format!("refused capability 'network.http://127.0.0.1:{port}/*' is not granted");
    let refused_https =
        format!("refused capability 'network.https://127.0.0.1:{port}/*' is not granted");
    // A granted https request to this plain-http server connects, then fails its TLS
    // handshake: a network error, not a refusal.
    let tls_failed = "refused Network error";
    let http_host = format!("network.http://127.0.0.1:{port}/*");
    let https_host = format!("network.https://127.0.0.1:{port}/*");
    // (flags, line of the http request, line of the https request, connections made)
    let cases: Vec<(Vec<&str>, &str, &str, usize)> = vec![
        // network.http: http only, never https
        (
            vec!["--allow", "network.http"],
            "ok 200 hi",
            &refused_https,
            1,
        ),
        // a host pattern of the other scheme allows nothing for http
        (vec!["--allow", &https_host], &refused_http, tls_failed, 1),
        // a host pattern of the right scheme and port
        (vec!["--allow", &http_host], "ok 200 hi", &refused_https, 1),
        // nothing granted
        (vec![], &refused_http, &refused_https, 0),
        // everything granted: both schemes, and still nothing but http and https
        (
            vec!["--allow", "network,http,file"],
            "ok 200 hi",
            tls_failed,
            2,
        ),
    ];
    for (allow, http_line, https_line, reached) in &cases {
        let before = connections.load(Ordering::SeqCst);
        let mut args = vec!["run", "main.ml"];
        args.extend_from_slice(allow);
        let out = project.mlpy(&args);
        let text = stdout(&out);
        assert!(out.status.success(), "{allow:?}:\n{text}\n{}", stderr(&out));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 7, "{allow:?}:\n{text}\n{}", stderr(&out));
        assert!(lines[0].starts_with(http_line), "{allow:?}:\n{text}");
        assert!(lines[1].starts_with(https_line), "{allow:?}:\n{text}");
        if allow.get(1) == Some(&"network.http") {
            assert!(
                lines[1].contains("'network.http' allows only http:// URLs"),
                "{text}"
            );
        }
        for (line, scheme) in lines[2..]
            .iter()
            .zip(["file", "FILE", "file", "ftp", "data"])
        {
            assert!(
                line.starts_with("refused http.get() refuses the URL")
                    && line.contains(&format!("the scheme '{scheme}' is not allowed")),
                "{allow:?}:\n{text}"
            );
        }
        // Refused requests never connect.
        assert_eq!(
            connections.load(Ordering::SeqCst) - before,
            *reached,
            "{allow:?}:\n{text}"
        );
    }
}
