//! What the server received, for tests to inspect.

use bytes::Bytes;

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// Id of the connection it came on (1, 2, … in accept order): equal ids prove keep-alive reuse.
    pub connection_id: u64,
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query as sent, e.g. `/api/v1/attachments?x=1`.
    pub path_and_query: String,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
    /// Headers in order, names lower-case, values decoded as UTF-8 (lossily).
    pub headers: Vec<(String, String)>,
    /// Full body length in bytes (the body itself may be cut, see `body`).
    pub body_len: u64,
    /// The first bytes of the body (up to the configured `log_body_bytes`).
    pub body: Bytes,
}

impl RequestRecord {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(p, _)| p)
    }

    /// The query string without `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, q)| q)
    }

    /// The `Authorization` header.
    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }

    /// The `User-Agent` header.
    pub fn user_agent(&self) -> Option<&str> {
        self.header("user-agent")
    }

    /// The `Accept` header.
    pub fn accept(&self) -> Option<&str> {
        self.header("accept")
    }
}
