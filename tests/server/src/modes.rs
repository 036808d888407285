//! Transport-level behaviours for failure tests: hang, stall, delay, close, redirect, huge body,
//! canned raw response.

use std::time::Duration;

use bytes::Bytes;

/// How the server answers a request, before any routing or authentication.
///
/// Set it for every request ([`TestServer::set_mode`](crate::TestServer::set_mode)), for one path
/// ([`set_path_mode`](crate::TestServer::set_path_mode)) or for the next request only
/// ([`push_mode`](crate::TestServer::push_mode)). Requests are logged whatever the mode.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Mode {
    /// Behave like a Zulip server.
    #[default]
    Normal,
    /// Read the request and never answer (the connection stays open until the client gives up or
    /// the server shuts down): for timeout tests.
    Hang,
    /// Send `200` headers (`Content-Type: application/json`, chunked) and the first bytes of a
    /// JSON body, then stall forever: for body-read timeout tests.
    StallBody,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Close the connection without answering.
    Close,
    /// Answer `status` with `Location: target` (plus the request's path and query when
    /// `keep_path`), an empty body and no other content: for redirect-not-followed tests.
    Redirect {
        /// Usually 301, 302, 307 or 308.
        status: u16,
        /// An absolute URL or origin, e.g. another `TestServer`'s [`url`](crate::TestServer::url).
        target: String,
        /// Append the request's path and query to `target`.
        keep_path: bool,
    },
    /// Answer `200` with a JSON body of exactly `size` bytes
    /// (`{"result":"success","msg":"","padding":"xxx…"}`), streamed in 64 KiB chunks from one
    /// shared buffer so the server holds no more than that in memory.
    BigBody {
        /// Total body size in bytes.
        size: u64,
        /// Declare `Content-Length` (true) or use chunked transfer encoding (false; with HTTP/2,
        /// no length).
        content_length: bool,
    },
    /// Answer with exactly this status, headers and body.
    Raw(RawResponse),
}

impl Mode {
    /// `302` to `target` followed by the request's path and query.
    pub fn redirect(target: impl Into<String>) -> Mode {
        Mode::Redirect {
            status: 302,
            target: target.into(),
            keep_path: true,
        }
    }

    /// A `size`-byte JSON body with `Content-Length`.
    pub fn big_body(size: u64) -> Mode {
        Mode::BigBody {
            size,
            content_length: true,
        }
    }

    /// A `size`-byte JSON body without `Content-Length` (chunked).
    pub fn big_body_chunked(size: u64) -> Mode {
        Mode::BigBody {
            size,
            content_length: false,
        }
    }
}

/// A canned response, sent byte for byte (hyper adds `Date` and, unless given, `Content-Length`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawResponse {
    /// Status code (100 – 999).
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
}

impl RawResponse {
    /// `status`, no headers, empty body.
    pub fn new(status: u16) -> RawResponse {
        RawResponse {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> RawResponse {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> RawResponse {
        self.body = body.into();
        self
    }

    /// `status` with an HTML body (`Content-Type: text/html`).
    pub fn html(status: u16, html: impl Into<Bytes>) -> RawResponse {
        RawResponse::new(status)
            .header("Content-Type", "text/html")
            .body(html)
    }

    /// `status` with a JSON body (`Content-Type: application/json`).
    pub fn json(status: u16, json: impl Into<Bytes>) -> RawResponse {
        RawResponse::new(status)
            .header("Content-Type", "application/json")
            .body(json)
    }

    /// nginx's `413 Request Entity Too Large` HTML page (uploads over the proxy's limit).
    pub fn nginx_413() -> RawResponse {
        RawResponse::html(413, crate::wire::NGINX_413_HTML).header("Server", "nginx")
    }

    /// nginx's `502 Bad Gateway` HTML page.
    pub fn nginx_502() -> RawResponse {
        RawResponse::html(502, crate::wire::NGINX_502_HTML).header("Server", "nginx")
    }

    /// nginx's `504 Gateway Time-out` HTML page.
    pub fn nginx_504() -> RawResponse {
        RawResponse::html(504, crate::wire::NGINX_504_HTML).header("Server", "nginx")
    }
}
