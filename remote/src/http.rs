//! HTTPS transport: `reqwest`'s blocking client on rustls (ring provider, webpki roots
//! plus the CA files given), TLS 1.2 or newer, certificate verification always on.
//!
//! Redirects are followed here, by hand, so that every hop is checked: the scheme
//! (plain `http` only for loopback hosts or hosts allowed with `--allow-insecure-http`;
//! `https` → `http` never), the network capability of the new URL, a limit on their
//! number, and the `Authorization` header, which is computed afresh for each hop so
//! that a token only ever reaches the host it belongs to.

use crate::capability::MissingCapability;
use crate::url::is_loopback;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use url::Url;

/// Settings of the HTTP client.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Connect, read and write timeout (each operation), and the most the whole answer to
    /// one request may take.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_redirects: usize,
    /// Extra trusted CA certificates (PEM bundles), added to the webpki roots.
    pub ca_files: Vec<PathBuf>,
    /// Hosts (`host` or `host:port`) that may be fetched over plain `http`.
    pub insecure_http_hosts: Vec<String>,
}

/// What a GET came back with.
pub enum Response {
    Body {
        bytes: Vec<u8>,
        final_url: Url,
    },
    /// 404 or 410: the module is not there.
    Missing {
        status: u16,
    },
}

/// Why a GET failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// A hop needs a capability that is not granted.
    #[error("{url} needs the capability '{capability}'")]
    Capability { capability: String, url: Url },
    /// Plain `http` to a host that is neither loopback nor allowed.
    #[error("plain http:// is refused for {host} (anyone on the network could change the module): use https, or pass --allow-insecure-http {host} if you trust this network")]
    InsecureHttp { host: String },
    /// The request failed (connection, TLS, timeout): what happened, for people.
    #[error("{0}")]
    Request(String),
    #[error("the server answered {status} without a Location to redirect to")]
    RedirectWithoutLocation { status: String },
    #[error("the server redirected to an invalid URL '{location}': {error}")]
    BadRedirect {
        location: String,
        error: url::ParseError,
    },
    #[error("the server redirected from https to {next}; a redirect that leaves https is refused")]
    LeavesHttps { next: Url },
    #[error("the server redirected to {next}, which is not an http(s) URL")]
    NotHttp { next: Url },
    #[error("too many redirects (more than {max})")]
    TooManyRedirects { max: usize },
    /// An HTTP status other than success, a redirect, 404 or 410.
    #[error("the server answered {status}{}{}", redirected(redirected_to), status_hint(*code))]
    Status {
        code: u16,
        /// The code and its reason (`500 Internal Server Error`).
        status: String,
        /// The URL that answered, when a redirect led there.
        redirected_to: Option<Url>,
    },
    #[error("the module is larger than the limit of {limit} bytes ({size} bytes or more; raise \"max_module_size\" in mlpy.json)")]
    TooLarge { size: u64, limit: u64 },
    #[error("the connection failed while reading the module: {0}")]
    Read(String),
}

fn redirected(to: &Option<Url>) -> String {
    match to {
        Some(url) => format!(" (redirected to {url})"),
        None => String::new(),
    }
}

fn status_hint(code: u16) -> &'static str {
    match code {
        401 | 403 => " (set a token for this host: MLPY_AUTH_TOKENS=token@host, the import's `auth` option, or \"credentials\" of an import source)",
        _ => "",
    }
}

/// Why the CA files or the HTTPS client cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read the CA file '{}': {message}", file.display())]
    CaFileUnreadable { file: PathBuf, message: String },
    #[error("the CA file '{}' is not a PEM certificate bundle: {message}", file.display())]
    CaFileNotPem { file: PathBuf, message: String },
    #[error("the CA file '{}' holds no PEM certificate", file.display())]
    CaFileEmpty { file: PathBuf },
    #[error("cannot set up the HTTPS client: {message}")]
    Build { message: String },
}

pub struct HttpClient {
    client: reqwest::blocking::Client,
    settings: HttpSettings,
}

/// Reads the CA files (to report a bad file before any fetch).
pub fn load_ca_files(files: &[PathBuf]) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let mut out = Vec::new();
    for file in files {
        let pem =
            mlpy_fsutil::read_regular_file(file).map_err(|e| ClientError::CaFileUnreadable {
                file: file.clone(),
                message: e.to_string(),
            })?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ClientError::CaFileNotPem {
                file: file.clone(),
                message: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(ClientError::CaFileEmpty { file: file.clone() });
        }
        out.extend(certs);
    }
    Ok(out)
}

impl HttpClient {
    pub fn new(settings: HttpSettings) -> Result<HttpClient, ClientError> {
        let mut builder = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(true)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .pool_max_idle_per_host(16)
            .user_agent(concat!("mlpy/", env!("CARGO_PKG_VERSION")));
        for cert in load_ca_files(&settings.ca_files)? {
            builder = builder.add_root_certificate(cert);
        }
        let client = builder
            .build()
            .map_err(|e| ClientError::Build { message: chain(&e) })?;
        Ok(HttpClient { client, settings })
    }

    /// Whether plain `http` may be used for `url`.
    fn transport_allowed(&self, url: &Url) -> Result<(), Failure> {
        if url.scheme() == "https" || is_loopback(url) {
            return Ok(());
        }
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let with_port = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let allowed = self.settings.insecure_http_hosts.iter().any(|h| {
            let h = h.trim().to_ascii_lowercase();
            h == host || h == with_port
        });
        if allowed {
            Ok(())
        } else {
            Err(Failure::InsecureHttp { host })
        }
    }

    /// GETs `url`, following redirects. `auth` gives the `Authorization` value for each
    /// hop; `gate` checks each hop's capability; bodies over `limit` bytes are refused.
    pub fn get(
        &self,
        url: &Url,
        auth: &dyn Fn(&Url) -> Option<String>,
        gate: &dyn Fn(&Url) -> Result<(), MissingCapability>,
        limit: u64,
        on_request: &dyn Fn(),
    ) -> Result<Response, Failure> {
        let mut current = url.clone();
        for _ in 0..=self.settings.max_redirects {
            self.transport_allowed(&current)?;
            gate(&current).map_err(|missing| Failure::Capability {
                capability: missing.capability,
                url: current.clone(),
            })?;
            let mut request = self.client.get(current.clone());
            if let Some(value) = auth(&current) {
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            on_request();
            // The timeout bounds each read; this bounds the whole answer, so that a server
            // sending a byte now and then cannot hold a fetch for days.
            let deadline = Instant::now() + self.settings.timeout;
            let response = request
                .send()
                .map_err(|e| Failure::Request(self.describe(&e)))?;
            let status = response.status();
            if status.is_redirection() {
                let Some(location) = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                else {
                    return Err(Failure::RedirectWithoutLocation {
                        status: status.to_string(),
                    });
                };
                let next = current
                    .join(location)
                    .map_err(|error| Failure::BadRedirect {
                        location: location.to_string(),
                        error,
                    })?;
                if current.scheme() == "https" && next.scheme() != "https" {
                    return Err(Failure::LeavesHttps { next });
                }
                if next.scheme() != "https" && next.scheme() != "http" {
                    return Err(Failure::NotHttp { next });
                }
                current = next;
                continue;
            }
            if status.as_u16() == 404 || status.as_u16() == 410 {
                return Ok(Response::Missing {
                    status: status.as_u16(),
                });
            }
            if !status.is_success() {
                return Err(Failure::Status {
                    code: status.as_u16(),
                    status: status.to_string(),
                    redirected_to: (current != *url).then_some(current),
                });
            }
            if let Some(length) = response.content_length() {
                if length > limit {
                    return Err(Failure::TooLarge {
                        size: length,
                        limit,
                    });
                }
            }
            let mut bytes = Vec::new();
            let mut body = response.take(limit + 1);
            let mut chunk = [0u8; 16 * 1024];
            loop {
                let read = body
                    .read(&mut chunk)
                    .map_err(|e| Failure::Read(self.describe_io(&e)))?;
                if read == 0 {
                    break;
                }
                bytes.extend_from_slice(&chunk[..read]);
                if Instant::now() > deadline {
                    return Err(Failure::Read(format!(
                        "the answer did not arrive within {:.1}s (the timeout covers the whole answer; change it with --timeout SECONDS or MLPY_HTTP_TIMEOUT)",
                        self.settings.timeout.as_secs_f64()
                    )));
                }
            }
            if bytes.len() as u64 > limit {
                return Err(Failure::TooLarge {
                    size: bytes.len() as u64,
                    limit,
                });
            }
            return Ok(Response::Body {
                bytes,
                final_url: current,
            });
        }
        Err(Failure::TooManyRedirects {
            max: self.settings.max_redirects,
        })
    }

    fn timeout_text(&self) -> String {
        format!(
            "no answer within {:.1}s (the timeout; change it with --timeout SECONDS or MLPY_HTTP_TIMEOUT)",
            self.settings.timeout.as_secs_f64()
        )
    }

    fn describe(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            return self.timeout_text();
        }
        let text = chain(e);
        if text.contains("certificate") || text.contains("UnknownIssuer") {
            return certificate_failure(&text);
        }
        if e.is_connect() {
            return format!("cannot connect: {text}");
        }
        text
    }

    fn describe_io(&self, e: &std::io::Error) -> String {
        // With its causes: the outermost words alone ("request or response body error")
        // do not say that the server closed the connection early or sent a broken chunk.
        let text = chain(e);
        if e.kind() == std::io::ErrorKind::TimedOut || text.contains("timed out") {
            self.timeout_text()
        } else if [
            "close_notify",
            "before message completed",
            "end of file before message",
        ]
        .iter()
        .any(|cut| text.contains(cut))
        {
            format!("the server closed the connection before the whole module arrived [{text}]")
        } else {
            text
        }
    }
}

/// A failed certificate check in words: the TLS library names its reasons with
/// identifiers (`UnknownIssuer`, `CaUsedAsEndEntity`), kept in brackets for searching.
/// Only an unknown issuer is helped by trusting another CA; the other reasons are the
/// server's (or the clock's) to fix.
fn certificate_failure(text: &str) -> String {
    const PRIVATE_CA: &str =
        "a server with a private CA needs its certificate: --cert FILE or MLPY_CA_FILE";
    const REASONS: &[(&str, &str, Option<&str>)] = &[
        (
            "UnknownIssuer",
            "the server's certificate is issued by an authority this machine does not trust",
            Some(PRIVATE_CA),
        ),
        (
            "CaUsedAsEndEntity",
            "the server presents a CA's certificate as its own; it needs a certificate issued by that CA",
            None,
        ),
        (
            "NotValidForName",
            "the server's certificate is not valid for this host name",
            None,
        ),
        (
            "Expired",
            "the server's certificate has expired (or this machine's clock is wrong)",
            None,
        ),
        (
            "NotValidYet",
            "the server's certificate is not valid yet (or this machine's clock is wrong)",
            None,
        ),
        (
            "Revoked",
            "the server's certificate has been revoked",
            None,
        ),
    ];
    let lowered = text.to_ascii_lowercase();
    match REASONS
        .iter()
        .find(|(name, ..)| lowered.contains(&name.to_ascii_lowercase()))
    {
        Some((_, words, Some(advice))) => {
            format!("TLS certificate verification failed: {words} [{text}] ({advice})")
        }
        Some((_, words, None)) => format!("TLS certificate verification failed: {words} [{text}]"),
        None => format!("TLS certificate verification failed: {text} ({PRIVATE_CA})"),
    }
}

/// An error and its causes, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::certificate_failure;

    #[test]
    fn certificate_failures_say_why_and_advise_only_what_helps() {
        for (text, words, advises_cert) in [
            (
                "error sending request: invalid peer certificate: UnknownIssuer",
                "authority this machine does not trust",
                true,
            ),
            (
                "invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))",
                "presents a CA's certificate as its own",
                false,
            ),
            (
                "invalid peer certificate: NotValidForName",
                "not valid for this host name",
                false,
            ),
            (
                "invalid peer certificate: certificate expired: verification time 1, but certificate is not valid after 0",
                "has expired",
                false,
            ),
            ("invalid peer certificate: BadSignature", "BadSignature", true),
        ] {
            let message = certificate_failure(text);
            assert!(message.starts_with("TLS certificate verification failed: "), "{message}");
            assert!(message.contains(words), "{message}");
            assert!(message.contains(text), "{message}");
            assert_eq!(message.contains("--cert"), advises_cert, "{message}");
        }
    }
}
