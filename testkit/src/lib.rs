//! Test support for remote imports: a real HTTPS server (rustls on the ring provider,
//! certificates from a throwaway CA made with rcgen) and a plain HTTP server, both bound
//! to 127.0.0.1 only.
//!
//! The server speaks a small subset of HTTP/1.1 (GET and HEAD, keep-alive,
//! `Content-Length` bodies): enough for `reqwest`, and fully under the tests' control:
//! routes can answer with a status, redirect, stall before answering or stall in the
//! middle of a body. Every request is logged with its headers and counted, so tests can
//! prove what was (or was not) sent, and that a warm run makes no request at all.
//!
//! Nothing here ever connects anywhere: the servers only accept connections on loopback.

pub mod attacks;
pub mod synthetic;

/// xorshift64*: a small deterministic generator for generated-input tests (the same inputs
/// on every run, no dependency).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A certificate authority made for one test run, and a server certificate it signed
/// for `127.0.0.1` and `localhost`.
pub struct TestCa {
    /// The CA certificate, PEM: what clients must trust (`MLPY_CA_FILE`, `--cert`).
    pub cert_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "mlpy test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");

        let leaf_key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "mlpy test server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let leaf = params
            .signed_by(&leaf_key, &ca_cert, &ca_key)
            .expect("server certificate");
        TestCa {
            cert_pem: ca_cert.pem(),
            chain: vec![leaf.der().clone(), ca_cert.der().clone()],
            key: leaf_key.serialize_der(),
        }
    }

    /// Writes the CA certificate to `path` and returns it.
    pub fn write_pem(&self, path: &Path) -> PathBuf {
        std::fs::write(path, &self.cert_pem).expect("write CA file");
        path.to_path_buf()
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone())),
            )
            .expect("server certificate and key");
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path with its query, as sent.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The host the client addressed (`Host` header without the port).
    pub fn host(&self) -> Option<&str> {
        let host = self.header("host")?;
        Some(match host.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host,
        })
    }
}

/// How the server answers one path.
#[derive(Clone)]
pub enum Route {
    /// A complete response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Never answers (the connection stays open until the server stops or the client
    /// goes away).
    Stall,
    /// Sends the headers (announcing `total` bytes) and `sent`, then stalls.
    StallMidBody { total: usize, sent: Vec<u8> },
    /// Sends the headers (announcing `total` bytes) and `sent`, then closes the connection.
    CutMidBody { total: usize, sent: Vec<u8> },
    /// Sends the headers (announcing `total` bytes), then one byte every `every`: a server
    /// that is never silent long enough for a read to time out, and never done.
    Trickle { total: usize, every: Duration },
    /// Computed from the request.
    Handler(Arc<dyn Fn(&Request) -> Route + Send + Sync>),
}

impl Route {
    pub fn ok(body: impl Into<Vec<u8>>) -> Route {
        Route::Respond {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Route {
        Route::Respond {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A `302 Found` to `location`.
    pub fn redirect(location: impl Into<String>) -> Route {
        Route::Respond {
            status: 302,
            headers: vec![("Location".to_string(), location.into())],
            body: Vec::new(),
        }
    }

    pub fn handler(f: impl Fn(&Request) -> Route + Send + Sync + 'static) -> Route {
        Route::Handler(Arc::new(f))
    }
}

#[derive(Default)]
struct State {
    routes: Mutex<HashMap<String, Route>>,
    /// Files under this folder are served when no route matches.
    root: Mutex<Option<PathBuf>>,
    log: Mutex<Vec<Request>>,
    hits: AtomicUsize,
    stop: AtomicBool,
}

/// A server on `127.0.0.1` and a free port, stopped when dropped.
pub struct Server {
    addr: SocketAddr,
    tls: bool,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

/// How long a stalled response waits, at most, before giving up (tests use far shorter
/// client timeouts; this only bounds the server's own threads).
const STALL_LIMIT: Duration = Duration::from_secs(60);

impl Server {
    /// An HTTPS server with a certificate from `ca`.
    pub fn https(ca: &TestCa) -> Server {
        Server::start(Some(ca.server_config()))
    }

    /// A plain HTTP server.
    pub fn http() -> Server {
        Server::start(None)
    }

    fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let is_tls = tls.is_some();
        let acceptor = {
            let state = state.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if state.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = state.clone();
                    let tls = tls.clone();
                    std::thread::spawn(move || serve_connection(stream, tls, &state));
                }
            })
        };
        Server {
            addr,
            tls: is_tls,
            state,
            acceptor: Some(acceptor),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `https://127.0.0.1:PORT` (or `http://…`), without a trailing slash.
    pub fn base(&self) -> String {
        self.base_for("127.0.0.1")
    }

    /// The base URL naming the server by `host` (`127.0.0.1` or `localhost`).
    pub fn base_for(&self, host: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{host}:{}", self.port())
    }

    /// `base() + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// Answers `path` (without query) with `route`.
    pub fn route(&self, path: &str, route: Route) -> &Server {
        self.state
            .routes
            .lock()
            .unwrap()
            .insert(path.to_string(), route);
        self
    }

    /// `200 OK` with `body` at `path`.
    pub fn file(&self, path: &str, body: impl Into<Vec<u8>>) -> &Server {
        self.route(path, Route::ok(body))
    }

    /// Serves the files under `dir` (as a static web server would) for paths without a
    /// route.
    pub fn serve_dir(&self, dir: &Path) -> &Server {
        *self.state.root.lock().unwrap() = Some(dir.to_path_buf());
        self
    }

    /// Number of requests answered (or stalled) so far.
    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().clone()
    }

    /// The requests for `path` (query ignored).
    pub fn requests_for(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.split('?').next() == Some(path))
            .collect()
    }

    pub fn reset_log(&self) {
        self.state.log.lock().unwrap().clear();
        self.state.hits.store(0, Ordering::SeqCst);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

fn serve_connection(tcp: TcpStream, tls: Option<Arc<rustls::ServerConfig>>, state: &State) {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = tcp.set_nodelay(true);
    let stream: Box<dyn Stream> = match tls {
        Some(config) => match rustls::ServerConnection::new(config) {
            Ok(conn) => Box::new(rustls::StreamOwned::new(conn, tcp)),
            Err(_) => return,
        },
        None => Box::new(tcp),
    };
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        if state.stop.load(Ordering::SeqCst) {
            return;
        }
        state.hits.fetch_add(1, Ordering::SeqCst);
        state.log.lock().unwrap().push(request.clone());
        let route = route_for(&request, state);
        let keep_alive = !request
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let head = request.method == "HEAD";
        if !answer(reader.get_mut(), route, head, keep_alive, state) || !keep_alive {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<Box<dyn Stream>>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    Some(Request {
        method,
        path,
        headers,
    })
}

fn route_for(request: &Request, state: &State) -> Route {
    let path = request.path.split('?').next().unwrap_or("");
    let route = state.routes.lock().unwrap().get(path).cloned();
    let mut route = match route {
        Some(route) => route,
        None => static_file(path, state),
    };
    while let Route::Handler(f) = route {
        route = f(request);
    }
    route
}

fn static_file(path: &str, state: &State) -> Route {
    let Some(root) = state.root.lock().unwrap().clone() else {
        return Route::status(404, "not found\n");
    };
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|s| s == ".." || s.is_empty()) {
        return Route::status(404, "not found\n");
    }
    match std::fs::read(root.join(relative)) {
        Ok(body) => Route::ok(body),
        Err(_) => Route::status(404, "not found\n"),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Writes the answer; false when the connection must close.
fn answer(out: &mut dyn Stream, route: Route, head: bool, keep_alive: bool, state: &State) -> bool {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    match route {
        Route::Respond {
            status,
            headers,
            body,
        } => {
            let mut text = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: {connection}\r\n",
                reason(status),
                body.len()
            );
            for (k, v) in headers {
                text.push_str(&format!("{k}: {v}\r\n"));
            }
            text.push_str("\r\n");
            let mut bytes = text.into_bytes();
            if !head {
                bytes.extend_from_slice(&body);
            }
            out.write_all(&bytes).is_ok() && out.flush().is_ok()
        }
        Route::Stall => {
            stall(state);
            false
        }
        Route::StallMidBody { total, sent } => {
            let text = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nConnection: {connection}\r\n\r\n"
            );
            let _ = out.write_all(text.as_bytes());
            let _ = out.write_all(&sent);
            let _ = out.flush();
            stall(state);
            false
        }
        Route::CutMidBody { total, sent } => {
            let text =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n");
            let _ = out.write_all(text.as_bytes());
            let _ = out.write_all(&sent);
            let _ = out.flush();
            false
        }
        Route::Trickle { total, every } => {
            let text = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nConnection: {connection}\r\n\r\n"
            );
            let _ = out.write_all(text.as_bytes());
            let started = Instant::now();
            for _ in 0..total {
                if state.stop.load(Ordering::SeqCst) || started.elapsed() > STALL_LIMIT {
                    break;
                }
                if out.write_all(b" ").and_then(|()| out.flush()).is_err() {
                    break;
                }
                std::thread::sleep(every);
            }
            false
        }
        Route::Handler(_) => false,
    }
}

fn stall(state: &State) {
    let started = Instant::now();
    while !state.stop.load(Ordering::SeqCst) && started.elapsed() < STALL_LIMIT {
        std::thread::sleep(Duration::from_millis(20));
    }
}
