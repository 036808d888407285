//! A second HTTP stack for the sans-IO proof: one HTTP/1.1 exchange written by hand over
//! [`std::net::TcpStream`]. No hyper, no tokio, no async: only `std` and the `http` crate's
//! types, which is all `zulip-types` asks of a transport.
//!
//! The request is serialized from the `http::Request<Vec<u8>>` that zulip-types builds (request
//! line from the URI's path and query, `Host` from its authority, the request's own headers,
//! `Content-Length`, `Connection: close`); the response is read back into an
//! `http::Response<Vec<u8>>` (status line, headers, a `Content-Length`, chunked or
//! read-to-close body) for zulip-types to parse. Reads are bounded (head and body caps) and the
//! socket has timeouts. Plain `http://` only.
//!
//! ```
//! use std::time::Duration;
//! use zulip_test_server::{Preset, ServerConfig, TestServer, User};
//! use zulip_tests::std_http::{self, Limits};
//! use zulip_types::{
//!     Credentials, Endpoint, GetAttachments, GetAttachmentsResponse, IncomingResponse,
//!     RequestContext, ResponseContext, Site,
//! };
//!
//! let server = TestServer::start(
//!     ServerConfig::preset(Preset::Zulip2_1).user(User::new("iago@zulip.com", "secret")),
//! );
//! // zulip-types builds the request...
//! let context = RequestContext::new(Site::parse(&server.site())?)
//!     .with_credentials(Credentials::new("iago@zulip.com", "secret"));
//! let request = GetAttachments::new().try_into_http_request(&context)?;
//! // ...this module moves the bytes...
//! let response = std_http::send(&request, &Limits::default())?;
//! // ...and zulip-types reads the answer.
//! let parsed = GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())?;
//! assert!(parsed.attachments.is_empty());
//! assert_eq!(parsed.upload_space_used, Some(0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderName, HeaderValue, Method, StatusCode, Version};

/// Bounds of one exchange.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Per address tried.
    pub connect_timeout: Duration,
    /// For every read and write on the socket.
    pub io_timeout: Duration,
    /// Status line and headers together, in bytes.
    pub max_head: usize,
    /// The body, in bytes (after removing the chunked framing).
    pub max_body: usize,
}

impl Default for Limits {
    /// 10 s to connect, 10 s per read or write, 64 KiB of head, 16 MiB of body.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(10),
            max_head: 64 * 1024,
            max_body: 16 * 1024 * 1024,
        }
    }
}

/// Why an exchange failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExchangeError {
    /// Connecting, reading or writing failed (a timeout is `WouldBlock` or `TimedOut`).
    Io(io::Error),
    /// The response is not HTTP/1.x as this client reads it.
    Malformed(&'static str),
    /// The head or the body is larger than its cap.
    TooLarge {
        /// `"head"` or `"body"`.
        what: &'static str,
        /// The cap, in bytes.
        limit: usize,
    },
    /// Something this small client does not do (HTTPS, a transfer coding other than chunked).
    Unsupported(&'static str),
}

impl ExchangeError {
    /// Whether a socket timeout fired.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Io(error)
            if matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(error) => write!(f, "I/O error: {error}"),
            Self::Malformed(what) => write!(f, "malformed response: {what}"),
            Self::TooLarge { what, limit } => {
                write!(f, "response {what} larger than {limit} bytes")
            }
            Self::Unsupported(what) => write!(f, "unsupported: {what}"),
        }
    }
}

impl std::error::Error for ExchangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for ExchangeError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

/// Sends `request` on a new connection and reads the response.
///
/// # Errors
/// See [`ExchangeError`].
pub fn send(
    request: &http::Request<Vec<u8>>,
    limits: &Limits,
) -> Result<http::Response<Vec<u8>>, ExchangeError> {
    let uri = request.uri();
    if uri.scheme_str() != Some("http") {
        return Err(ExchangeError::Unsupported("only http:// URLs"));
    }
    let authority = uri
        .authority()
        .ok_or(ExchangeError::Unsupported("a URL without a host"))?;
    let port = authority.port_u16().unwrap_or(80);
    let stream = connect(authority.host(), port, limits)?;
    stream.set_read_timeout(Some(limits.io_timeout))?;
    stream.set_write_timeout(Some(limits.io_timeout))?;
    stream.set_nodelay(true)?;

    let mut writer = io::BufWriter::new(&stream);
    writer.write_all(&serialize(request, authority.as_str()))?;
    writer.flush()?;
    drop(writer);

    let mut reader = BufReader::new(&stream);
    read_response(&mut reader, request.method(), limits)
}

fn connect(host: &str, port: u16, limits: &Limits) -> Result<TcpStream, ExchangeError> {
    // `[::1]` in a URI is `::1` to the resolver.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut last = None;
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, limits.connect_timeout) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = Some(error),
        }
    }
    Err(ExchangeError::Io(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, "the host has no address")
    })))
}

/// The request's bytes: request line, `Host`, the request's headers, `Content-Length` when
/// there is a body (or the method usually has one), `Connection: close`, the body.
#[must_use]
pub fn serialize(request: &http::Request<Vec<u8>>, authority: &str) -> Vec<u8> {
    let body = request.body();
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(format!("{} {path} HTTP/1.1\r\n", request.method()).as_bytes());
    out.extend_from_slice(format!("Host: {authority}\r\n").as_bytes());
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let bodiless = matches!(*request.method(), Method::GET | Method::HEAD);
    if !request.headers().contains_key(CONTENT_LENGTH) && (!body.is_empty() || !bodiless) {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(body);
    out
}

/// Reads one response (skipping interim 1xx responses) from `reader`.
///
/// # Errors
/// See [`ExchangeError`].
pub fn read_response<R: BufRead>(
    reader: &mut R,
    method: &Method,
    limits: &Limits,
) -> Result<http::Response<Vec<u8>>, ExchangeError> {
    let mut head_budget = limits.max_head;
    loop {
        let line = read_line(reader, &mut head_budget, "head")?;
        let (version, status) = parse_status_line(&line)?;
        let mut builder = http::Response::builder().status(status).version(version);
        loop {
            let line = read_line(reader, &mut head_budget, "head")?;
            if line.is_empty() {
                break;
            }
            if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                return Err(ExchangeError::Malformed("folded header line"));
            }
            let colon = line
                .iter()
                .position(|b| *b == b':')
                .ok_or(ExchangeError::Malformed("header line without a colon"))?;
            let (name, value) = line.split_at(colon);
            let name = HeaderName::from_bytes(name)
                .map_err(|_| ExchangeError::Malformed("invalid header name"))?;
            let value = HeaderValue::from_bytes(trim(value.get(1..).unwrap_or_default()))
                .map_err(|_| ExchangeError::Malformed("invalid header value"))?;
            builder = builder.header(name, value);
        }
        // 100 Continue, 103 Early Hints...: the real response follows.
        if status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS {
            continue;
        }
        let headers = builder
            .headers_ref()
            .ok_or(ExchangeError::Malformed("invalid head"))?;
        let body = read_body(reader, headers, status, method, limits)?;
        return builder
            .body(body)
            .map_err(|_| ExchangeError::Malformed("invalid head"));
    }
}

fn parse_status_line(line: &[u8]) -> Result<(Version, StatusCode), ExchangeError> {
    let line = std::str::from_utf8(line).map_err(|_| ExchangeError::Malformed("status line"))?;
    let mut parts = line.splitn(3, ' ');
    let version = match parts.next() {
        Some("HTTP/1.1") => Version::HTTP_11,
        Some("HTTP/1.0") => Version::HTTP_10,
        _ => return Err(ExchangeError::Malformed("not an HTTP/1.x status line")),
    };
    let code = parts
        .next()
        .filter(|code| code.len() == 3)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or(ExchangeError::Malformed("status code"))?;
    let status = StatusCode::from_u16(code).map_err(|_| ExchangeError::Malformed("status code"))?;
    Ok((version, status))
}

fn read_body<R: BufRead>(
    reader: &mut R,
    headers: &http::HeaderMap,
    status: StatusCode,
    method: &Method,
    limits: &Limits,
) -> Result<Vec<u8>, ExchangeError> {
    if *method == Method::HEAD
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        return Ok(Vec::new());
    }
    if let Some(coding) = headers.get(TRANSFER_ENCODING) {
        let chunked = coding
            .to_str()
            .ok()
            .and_then(|codings| codings.rsplit(',').next())
            .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        if !chunked || headers.get_all(TRANSFER_ENCODING).iter().count() > 1 {
            return Err(ExchangeError::Unsupported(
                "a transfer coding other than chunked",
            ));
        }
        return read_chunked(reader, limits);
    }
    let mut lengths = headers.get_all(CONTENT_LENGTH).iter();
    if let Some(first) = lengths.next() {
        if lengths.any(|other| other != first) {
            return Err(ExchangeError::Malformed(
                "conflicting Content-Length headers",
            ));
        }
        let length = first
            .to_str()
            .ok()
            .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|text| text.parse::<u64>().ok())
            .ok_or(ExchangeError::Malformed("Content-Length"))?;
        let length = usize::try_from(length)
            .ok()
            .filter(|length| *length <= limits.max_body)
            .ok_or(ExchangeError::TooLarge {
                what: "body",
                limit: limits.max_body,
            })?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        return Ok(body);
    }
    // Neither: the body ends when the server closes the connection.
    let mut body = Vec::new();
    reader
        .by_ref()
        .take(limits.max_body as u64 + 1)
        .read_to_end(&mut body)?;
    if body.len() > limits.max_body {
        return Err(ExchangeError::TooLarge {
            what: "body",
            limit: limits.max_body,
        });
    }
    Ok(body)
}

fn read_chunked<R: BufRead>(reader: &mut R, limits: &Limits) -> Result<Vec<u8>, ExchangeError> {
    let mut body = Vec::new();
    // Chunk-size lines and trailers share one small budget of their own.
    let mut framing_budget = limits.max_head;
    loop {
        let line = read_line(reader, &mut framing_budget, "head")?;
        let size = line
            .split(|b| *b == b';')
            .next()
            .map(trim)
            .unwrap_or_default();
        let size = std::str::from_utf8(size)
            .ok()
            .filter(|hex| !hex.is_empty() && hex.len() <= 16)
            .and_then(|hex| usize::from_str_radix(hex, 16).ok())
            .ok_or(ExchangeError::Malformed("chunk size"))?;
        if size == 0 {
            // Trailers, then an empty line.
            while !read_line(reader, &mut framing_budget, "head")?.is_empty() {}
            return Ok(body);
        }
        if size > limits.max_body.saturating_sub(body.len()) {
            return Err(ExchangeError::TooLarge {
                what: "body",
                limit: limits.max_body,
            });
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(body.get_mut(start..).unwrap_or_default())?;
        if !read_line(reader, &mut framing_budget, "head")?.is_empty() {
            return Err(ExchangeError::Malformed("chunk not followed by CRLF"));
        }
    }
}

/// One line without its `\r\n` (or `\n`), charged to `budget`.
fn read_line<R: BufRead>(
    reader: &mut R,
    budget: &mut usize,
    what: &'static str,
) -> Result<Vec<u8>, ExchangeError> {
    let mut line = Vec::new();
    let read = reader
        .by_ref()
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if read > *budget {
        return Err(ExchangeError::TooLarge {
            what,
            limit: *budget,
        });
    }
    *budget -= read;
    if line.pop() != Some(b'\n') {
        return Err(ExchangeError::Malformed(
            "connection closed in the middle of a line",
        ));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |end| end + 1);
    bytes.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &[u8], limits: &Limits) -> Result<http::Response<Vec<u8>>, ExchangeError> {
        read_response(&mut &raw[..], &Method::GET, limits)
    }

    #[test]
    fn serializes_the_request_line_host_headers_and_length() {
        let request = http::Request::post("http://127.0.0.1:8080/api/v1/x?a=1")
            .header("accept", "application/json")
            .body(b"k=v".to_vec())
            .unwrap();
        assert_eq!(
            String::from_utf8(serialize(&request, "127.0.0.1:8080")).unwrap(),
            "POST /api/v1/x?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\naccept: application/json\r\n\
             Content-Length: 3\r\nConnection: close\r\n\r\nk=v"
        );
        let get = http::Request::get("http://h/").body(Vec::new()).unwrap();
        assert_eq!(
            String::from_utf8(serialize(&get, "h")).unwrap(),
            "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn reads_length_chunked_and_close_delimited_bodies() {
        let limits = Limits::default();
        let length = read(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", &limits).unwrap();
        assert_eq!(length.body(), b"{}");
        let chunked = read(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nX-A:  b \r\nTransfer-Encoding: chunked\r\n\r\n\
              3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
            &limits,
        )
        .unwrap();
        assert_eq!(chunked.status(), 404);
        assert_eq!(chunked.headers()["x-a"], "b");
        assert_eq!(chunked.body(), b"abc0123456789");
        let close = read(b"HTTP/1.0 200 OK\r\n\r\nuntil close", &limits).unwrap();
        assert_eq!(close.version(), Version::HTTP_10);
        assert_eq!(close.body(), b"until close");
    }

    #[test]
    fn caps_and_malformed_input() {
        let small = Limits {
            max_body: 4,
            max_head: 64,
            ..Limits::default()
        };
        for raw in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n12345"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n\r\n12345",
            b"HTTP/1.1 200 OK\r\nX-Long: 0123456789012345678901234567890123456789012345678901234567890\r\n\r\n",
        ] {
            assert!(
                matches!(read(raw, &small), Err(ExchangeError::TooLarge { .. })),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        for raw in [
            &b"HTTP/2 200\r\n\r\n"[..],
            b"HTTP/1.1 20 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Le",
        ] {
            assert!(
                matches!(
                    read(raw, &Limits::default()),
                    Err(ExchangeError::Malformed(_))
                ),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", &Limits::default()),
            Err(ExchangeError::Io(error)) if error.kind() == io::ErrorKind::UnexpectedEof
        ));
        assert!(matches!(
            read(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                &Limits::default()
            ),
            Err(ExchangeError::Unsupported(_))
        ));
    }
}
