//! MS-KKDCP: Kerberos messages through an HTTPS KDC proxy (e.g. Entra ID's
//! `https://login.microsoftonline.com/<tenant-id>/kerberos`, or kdcproxy in front of any KDC).
//!
//! The request body is a DER `KDC-PROXY-MESSAGE` whose `kerb-message` is the KDC-REQ with its 4-byte
//! TCP length prefix, with `target-domain` always set to the request's realm; the reply body is the
//! same structure around the KDC's reply, whose prefix is checked. The headers are the ones MIT krb5
//! sends, which is known to work against Entra. TLS is rustls with the system's roots or a given CA;
//! plain `http://` is used only when the caller allows it.
//!
//! The HTTP exchange is one request on one connection (`Connection: close`); the response is parsed
//! by [`parse_response`], which is sans-IO and bounded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::asn1::{self, KdcProxyMessage, Realm};
use crate::config::KdcLocation;

/// A KDC proxy address: `https://host[:port]/path` (or `http://` where allowed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyUrl {
    /// `true` for https.
    pub tls: bool,
    /// Host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// Port (443 or 80 unless given).
    pub port: u16,
    /// Path with its leading `/`.
    pub path: String,
}

impl ProxyUrl {
    /// Parse `https://host[:port][/path]`, `http://…` or `kkdcp://…` (the macOS spelling of https).
    pub fn parse(url: &str) -> Result<ProxyUrl, KkdcpError> {
        let bad = || KkdcpError::BadUrl(url.to_owned());
        let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("kkdcp://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad());
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(bad)?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad())?,
                None if after.is_empty() => default_port,
                None => return Err(bad()),
            };
            (h, port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, p.parse().map_err(|_| bad())?),
                None => (authority, default_port),
            }
        };
        if host.is_empty() || host.contains(['@', ' ', '/']) {
            return Err(bad());
        }
        Ok(ProxyUrl {
            tls,
            host: host.to_owned(),
            port,
            path: path.to_owned(),
        })
    }

    /// The proxy a krb5.conf `kdc = https://…`, `kkdcp://…` or `http://…` value names.
    pub fn from_location(location: &KdcLocation) -> Option<ProxyUrl> {
        match location {
            KdcLocation::Https { host, port, path }
            | KdcLocation::Kkdcp { host, port, path }
            | KdcLocation::Http { host, port, path } => Some(ProxyUrl {
                tls: !matches!(location, KdcLocation::Http { .. }),
                host: host.clone(),
                port: *port,
                path: if path.is_empty() {
                    "/".to_owned()
                } else {
                    path.clone()
                },
            }),
            _ => None,
        }
    }

    fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = if self.tls { 443 } else { 80 };
        if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.authority(), self.path)
    }
}

/// Which certificates a proxy's TLS certificate must chain to.
#[derive(Clone, Debug, Default)]
pub enum TrustRoots {
    /// The operating system's store (`rustls-native-certs`; honours `SSL_CERT_FILE`/`SSL_CERT_DIR`).
    #[default]
    System,
    /// Only the CA certificates in this PEM data.
    CaPem(Vec<u8>),
}

/// How requests go through a proxy.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// Time allowed for the whole HTTP exchange.
    pub timeout: Duration,
    /// The largest Kerberos reply accepted (the HTTP body may be a little larger).
    pub max_reply_len: usize,
    /// Certificates the proxy must chain to.
    pub roots: TrustRoots,
    /// Allow `http://` proxies (tests, or a proxy behind a TLS-terminating front end).
    pub allow_plain_http: bool,
}

impl Default for ProxyOptions {
    fn default() -> Self {
        ProxyOptions {
            timeout: Duration::from_secs(15),
            max_reply_len: super::framing::DEFAULT_MAX_MESSAGE_LEN,
            roots: TrustRoots::System,
            allow_plain_http: false,
        }
    }
}

/// A Kerberos reply that came through a proxy.
#[derive(Clone, Debug)]
pub struct ProxyReply {
    /// The KDC's message (AS-REP, TGS-REP or KRB-ERROR), without the length prefix.
    pub message: Vec<u8>,
    /// The proxy's `x-ms-request-id` header, for a support case with Microsoft.
    pub request_id: Option<String>,
}

/// Why a proxied exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KkdcpError {
    /// Not an https/http/kkdcp URL.
    #[error("not a KDC proxy URL: {0:?} (expected https://host[:port]/path)")]
    BadUrl(String),
    /// `http://` without [`ProxyOptions::allow_plain_http`].
    #[error("refusing plain http to KDC proxy {0}: use https, or allow plain http explicitly")]
    PlainHttpRefused(String),
    /// The CA certificates could not be loaded, or the TLS setup failed.
    #[error("TLS setup: {0}")]
    TlsSetup(String),
    /// Connecting, TLS handshake (including certificate verification), sending or receiving failed.
    #[error("KDC proxy {url}: {error}")]
    Connection {
        /// The proxy.
        url: String,
        /// What failed.
        error: super::AttemptError,
    },
    /// The proxy answered with a non-2xx status.
    #[error("KDC proxy {url} answered HTTP {status} {reason}{}{}", request_id_note(.request_id), excerpt_note(.body_excerpt))]
    HttpStatus {
        /// The proxy.
        url: String,
        /// HTTP status code.
        status: u16,
        /// Reason phrase.
        reason: String,
        /// `x-ms-request-id`, if sent.
        request_id: Option<String>,
        /// The start of the body, as text.
        body_excerpt: String,
    },
    /// The response could not be parsed as HTTP.
    #[error("KDC proxy {url} sent a malformed HTTP response: {detail}")]
    MalformedHttp {
        /// The proxy.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// A 2xx response whose body is not a KDC-PROXY-MESSAGE (e.g. an HTML page from a captive portal).
    #[error("KDC proxy {url} answered with something that is not a KDC-PROXY-MESSAGE (content-type {content_type:?}){}: {excerpt:?}", request_id_note(.request_id))]
    NotProxyMessage {
        /// The proxy.
        url: String,
        /// The response's Content-Type.
        content_type: Option<String>,
        /// `x-ms-request-id`, if sent.
        request_id: Option<String>,
        /// The start of the body, as text.
        excerpt: String,
    },
    /// The KDC-PROXY-MESSAGE's length prefix does not match its message.
    #[error("KDC proxy {url} sent a reply whose length prefix is wrong: {detail}")]
    BadPrefix {
        /// The proxy.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The request could not be encoded.
    #[error("cannot encode the KDC-PROXY-MESSAGE: {0}")]
    Encode(#[from] asn1::Asn1Error),
}

fn request_id_note(id: &Option<String>) -> String {
    id.as_ref()
        .map(|i| format!(" (x-ms-request-id {i})"))
        .unwrap_or_default()
}

fn excerpt_note(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": {excerpt:?}")
    }
}

/// The DER KDC-PROXY-MESSAGE for `message` (a KDC-REQ) sent to `realm`.
pub fn wrap_request(message: &[u8], realm: &str) -> Result<Vec<u8>, KkdcpError> {
    let m = KdcProxyMessage::wrap(message, Some(Realm::from(realm)))?;
    Ok(asn1::encode(&m)?)
}

/// A parsed HTTP response.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Reason phrase.
    pub reason: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The outcome of [`parse_response`] on the bytes received so far.
#[derive(Debug)]
pub enum Parsed {
    /// More bytes are needed (`None` for the body: until the connection closes).
    Incomplete,
    /// A whole response.
    Complete(HttpResponse),
}

/// Parse an HTTP/1.x response from `buf`; `eof` says whether the peer has closed the connection
/// (which completes a body that has neither Content-Length nor chunked encoding).
pub fn parse_response(buf: &[u8], eof: bool, max_body: usize) -> Result<Parsed, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if eof => {
            return Err("connection closed in the headers".into());
        }
        Ok(httparse::Status::Partial) => return Ok(Parsed::Incomplete),
        Err(e) => return Err(format!("bad status line or headers: {e}")),
    };
    let status = resp.code.unwrap_or(0);
    let reason = resp.reason.unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = resp
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).trim().to_owned(),
            )
        })
        .collect();
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    let rest = buf.get(head_len..).unwrap_or_default();
    let chunked =
        find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        match dechunk(rest, max_body)? {
            Some(b) => b,
            None if eof => return Err("connection closed inside a chunked body".into()),
            None => return Ok(Parsed::Incomplete),
        }
    } else if let Some(len) = find("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| format!("bad Content-Length {len:?}"))?;
        if len > max_body {
            return Err(format!(
                "body of {len} bytes exceeds the limit of {max_body}"
            ));
        }
        match rest.get(..len) {
            Some(b) => b.to_vec(),
            None if eof => {
                return Err(format!(
                    "connection closed after {} of {len} body bytes",
                    rest.len()
                ));
            }
            None => return Ok(Parsed::Incomplete),
        }
    } else if eof {
        rest.to_vec()
    } else {
        return Ok(Parsed::Incomplete);
    };
    if body.len() > max_body {
        return Err(format!("body exceeds the limit of {max_body} bytes"));
    }
    Ok(Parsed::Complete(HttpResponse {
        status,
        reason,
        headers,
        body,
    }))
}

/// Decode a chunked body; `None` while the terminating chunk has not arrived.
fn dechunk(mut data: &[u8], max_body: usize) -> Result<Option<Vec<u8>>, String> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let line = data.get(..eol).unwrap_or_default();
        let size_text = String::from_utf8_lossy(line);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size {size_hex:?}"))?;
        if size > max_body.saturating_sub(out.len()) {
            return Err(format!(
                "chunked body exceeds the limit of {max_body} bytes"
            ));
        }
        data = data.get(eol + 2..).unwrap_or_default();
        if size == 0 {
            // Trailers, if any, end with an empty line; they are not needed.
            return Ok(Some(out));
        }
        let Some(chunk) = data.get(..size) else {
            return Ok(None);
        };
        out.extend_from_slice(chunk);
        data = match data.get(size..size + 2) {
            Some(b"\r\n") => data.get(size + 2..).unwrap_or_default(),
            Some(_) => return Err("chunk not followed by CRLF".into()),
            None => return Ok(None),
        };
    }
}

/// Check a proxy's HTTP response and take the Kerberos message out of it.
pub fn unwrap_response(url: &ProxyUrl, response: HttpResponse) -> Result<ProxyReply, KkdcpError> {
    let request_id = response.header("x-ms-request-id").map(str::to_owned);
    let excerpt = |b: &[u8]| {
        String::from_utf8_lossy(b.get(..b.len().min(200)).unwrap_or_default()).into_owned()
    };
    if !(200..300).contains(&response.status) {
        return Err(KkdcpError::HttpStatus {
            url: url.to_string(),
            status: response.status,
            reason: response.reason,
            request_id,
            body_excerpt: excerpt(&response.body),
        });
    }
    let not_proxy = |response: &HttpResponse, request_id| KkdcpError::NotProxyMessage {
        url: url.to_string(),
        content_type: response.header("content-type").map(str::to_owned),
        request_id,
        excerpt: excerpt(&response.body),
    };
    let decoded: KdcProxyMessage = match asn1::decode(&response.body) {
        Ok(m) => m,
        Err(_) => return Err(not_proxy(&response, request_id)),
    };
    let message = decoded
        .unwrap_message()
        .map_err(|e| KkdcpError::BadPrefix {
            url: url.to_string(),
            detail: e.to_string(),
        })?
        .to_vec();
    Ok(ProxyReply {
        message,
        request_id,
    })
}

/// The HTTP request bytes for one proxied message.
pub fn http_request(url: &ProxyUrl, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nCache-Control: no-cache\r\nPragma: no-cache\r\n\
         User-Agent: kerberos/1.0\r\nContent-Type: application/kerberos\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        url.path,
        url.authority(),
        body.len()
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A rustls client configuration for `roots`.
pub fn tls_config(roots: &TrustRoots) -> Result<Arc<rustls::ClientConfig>, KkdcpError> {
    let mut store = rustls::RootCertStore::empty();
    match roots {
        TrustRoots::System => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                // Unparseable system certificates are skipped, as browsers do.
                let _ = store.add(cert);
            }
        }
        TrustRoots::CaPem(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| KkdcpError::TlsSetup(format!("CA PEM: {e}")))?;
                store
                    .add(cert)
                    .map_err(|e| KkdcpError::TlsSetup(format!("CA certificate: {e}")))?;
            }
        }
    }
    if store.is_empty() {
        return Err(KkdcpError::TlsSetup("no trusted CA certificates".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| KkdcpError::TlsSetup(e.to_string()))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Send `message` (a KDC-REQ for `realm`) through the proxy at `url` and return the KDC's reply.
///
/// A KRB-ERROR from the KDC is a successful transport result: the caller's exchange interprets it
/// (its e-text carries Entra's AADSTS codes).
pub fn send(
    url: &ProxyUrl,
    realm: &str,
    message: &[u8],
    opts: &ProxyOptions,
) -> Result<ProxyReply, KkdcpError> {
    if !url.tls && !opts.allow_plain_http {
        return Err(KkdcpError::PlainHttpRefused(url.to_string()));
    }
    let tls = if url.tls {
        Some(tls_config(&opts.roots)?)
    } else {
        None
    };
    send_with(url, realm, message, opts, tls)
}

/// [`send`] with a TLS configuration the caller keeps (one per client, not one per request).
pub fn send_with(
    url: &ProxyUrl,
    realm: &str,
    message: &[u8],
    opts: &ProxyOptions,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<ProxyReply, KkdcpError> {
    let body = wrap_request(message, realm)?;
    let request = http_request(url, &body);
    let conn_err = |error| KkdcpError::Connection {
        url: url.to_string(),
        error,
    };
    let deadline = Instant::now() + opts.timeout;
    let max_body = opts.max_reply_len.saturating_add(64);
    let raw =
        exchange_bytes(url, &request, deadline, opts.timeout, max_body, tls).map_err(conn_err)?;
    let response = match parse_response(&raw, true, max_body) {
        Ok(Parsed::Complete(r)) => r,
        Ok(Parsed::Incomplete) => {
            return Err(KkdcpError::MalformedHttp {
                url: url.to_string(),
                detail: "incomplete response".into(),
            });
        }
        Err(detail) => {
            return Err(KkdcpError::MalformedHttp {
                url: url.to_string(),
                detail,
            });
        }
    };
    tracing::debug!(%url, status = response.status, bytes = response.body.len(), "KDC proxy replied");
    unwrap_response(url, response)
}

/// Connect, send `request`, and read until a whole response (or EOF) within the deadline.
fn exchange_bytes(
    url: &ProxyUrl,
    request: &[u8],
    deadline: Instant,
    timeout: Duration,
    max_body: usize,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<Vec<u8>, super::AttemptError> {
    use super::AttemptError;
    let io = |e| AttemptError::from_io(e, timeout);
    let left = || {
        let l = deadline.saturating_duration_since(Instant::now());
        if l.is_zero() {
            Err(AttemptError::Timeout(timeout))
        } else {
            Ok(l)
        }
    };
    let addrs: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(AttemptError::Resolve)?
        .collect();
    let mut last = AttemptError::Resolve(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "host resolved to no address",
    ));
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, left()?) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = io(e),
        }
    }
    let tcp = stream.ok_or(last)?;
    tcp.set_nodelay(true).map_err(io)?;
    let mut conn: Box<dyn ReadWrite> = match tls {
        Some(config) => {
            let name = ServerName::try_from(url.host.clone()).map_err(|e| {
                AttemptError::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
            })?;
            let client = rustls::ClientConnection::new(config, name)
                .map_err(|e| AttemptError::Io(std::io::Error::other(e)))?;
            Box::new(rustls::StreamOwned::new(
                client,
                tcp.try_clone().map_err(io)?,
            ))
        }
        None => Box::new(tcp.try_clone().map_err(io)?),
    };
    tcp.set_write_timeout(Some(left()?)).map_err(io)?;
    conn.write_all(request).map_err(io)?;
    conn.flush().map_err(io)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        tcp.set_read_timeout(Some(left()?)).map_err(io)?;
        match conn.read(&mut chunk) {
            Ok(0) => return Ok(buf),
            Ok(n) => {
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                match parse_response(&buf, false, max_body) {
                    Ok(Parsed::Complete(_)) | Err(_) => return Ok(buf),
                    Ok(Parsed::Incomplete) => {}
                }
                if buf.len() > max_body.saturating_add(64 * 1024) {
                    return Err(AttemptError::TooLarge {
                        len: buf.len() as u64,
                        max: max_body,
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A peer that closes without TLS close_notify after a complete response is common.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(buf),
            Err(e) => return Err(io(e)),
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = ProxyUrl::parse("https://login.microsoftonline.com/abc/kerberos").unwrap();
        assert_eq!(
            (u.tls, u.port, u.path.as_str()),
            (true, 443, "/abc/kerberos")
        );
        assert_eq!(
            u.to_string(),
            "https://login.microsoftonline.com/abc/kerberos"
        );
        let u = ProxyUrl::parse("http://[::1]:60080/KdcProxy").unwrap();
        assert_eq!((u.tls, u.host.as_str(), u.port), (false, "::1", 60080));
        assert_eq!(u.authority(), "[::1]:60080");
        assert_eq!(ProxyUrl::parse("kkdcp://p.example").unwrap().path, "/");
        for bad in [
            "ftp://x",
            "https://",
            "https://h:99999/",
            "https://[::1/x",
            "https://a b/",
        ] {
            assert!(ProxyUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn request_bytes() {
        let u = ProxyUrl::parse("https://p.example:8443/KdcProxy").unwrap();
        let r = String::from_utf8(http_request(&u, b"xy")).unwrap();
        assert!(r.starts_with("POST /KdcProxy HTTP/1.1\r\nHost: p.example:8443\r\n"));
        assert!(r.contains("Content-Type: application/kerberos\r\n"));
        assert!(r.ends_with("Content-Length: 2\r\nConnection: close\r\n\r\nxy"));
    }

    #[test]
    fn responses() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-MS-Request-Id: r1\r\n\r\nabc";
        let Parsed::Complete(r) = parse_response(ok, false, 100).unwrap() else {
            panic!()
        };
        assert_eq!(
            (r.status, r.body.as_slice(), r.header("x-ms-request-id")),
            (200, &b"abc"[..], Some("r1"))
        );
        assert!(matches!(
            parse_response(&ok[..ok.len() - 1], false, 100),
            Ok(Parsed::Incomplete)
        ));
        assert!(parse_response(&ok[..ok.len() - 1], true, 100).is_err());
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1;x=y\r\nc\r\n0\r\n\r\n";
        let Parsed::Complete(r) = parse_response(chunked, false, 100).unwrap() else {
            panic!()
        };
        assert_eq!(r.body, b"abc");
        let close = b"HTTP/1.0 500 Internal Server Error\r\n\r\n<html>oops</html>";
        assert!(matches!(
            parse_response(close, false, 100),
            Ok(Parsed::Incomplete)
        ));
        let Parsed::Complete(r) = parse_response(close, true, 100).unwrap() else {
            panic!()
        };
        assert_eq!(r.status, 500);
        assert!(
            parse_response(
                b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
                false,
                100
            )
            .is_err()
        );
        assert!(
            parse_response(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n",
                false,
                100
            )
            .is_err()
        );
        assert!(parse_response(b"garbage\r\n\r\n", false, 100).is_err());
    }

    #[test]
    fn unwrap_checks() {
        let u = ProxyUrl::parse("https://p/x").unwrap();
        let mk = |status, body: Vec<u8>| HttpResponse {
            status,
            reason: "R".into(),
            headers: vec![("x-ms-request-id".into(), "id-1".into())],
            body,
        };
        let good = wrap_request(b"\x7e\x03abc", "R").unwrap();
        assert_eq!(
            unwrap_response(&u, mk(200, good)).unwrap().message,
            b"\x7e\x03abc"
        );
        let e = unwrap_response(&u, mk(500, b"<html>".to_vec())).unwrap_err();
        assert!(
            matches!(e, KkdcpError::HttpStatus { status: 500, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("id-1"));
        let e = unwrap_response(&u, mk(200, b"<html>login</html>".to_vec())).unwrap_err();
        assert!(matches!(e, KkdcpError::NotProxyMessage { .. }), "{e}");
        // a prefix that does not match the message
        let mut m = KdcProxyMessage::wrap(b"abc", None).unwrap();
        let mut v = m.kerb_message.to_vec();
        v[3] = 9;
        m.kerb_message = v.into();
        let e = unwrap_response(&u, mk(200, asn1::encode(&m).unwrap())).unwrap_err();
        assert!(matches!(e, KkdcpError::BadPrefix { .. }), "{e}");
    }

    #[test]
    fn plain_http_needs_consent() {
        let u = ProxyUrl::parse("http://127.0.0.1:9/x").unwrap();
        let e = send(&u, "R", b"x", &ProxyOptions::default()).unwrap_err();
        assert!(matches!(e, KkdcpError::PlainHttpRefused(_)));
    }
}
