//! How a fuzz input (or a corpus file) becomes a response: a tiny HTTP-like text format.
//!
//! ```text
//! 429                                   <- status (100..=999; anything else means 200)
//! zulip-feature-level: 443              <- pseudo-header: the caller's known feature level
//! Retry-After: 28.706807374954224       <- any other header, kept if HTTP allows it
//!                                       <- the first empty line ends the head
//! {"result":"error",...}                <- the body: every remaining byte, unchanged
//! ```
//!
//! Lines end with `\n` or `\r\n`. Every byte string is a valid input: without an empty line the
//! whole input is the body of a 200 response with no headers, so a fuzzer mutating raw JSON
//! still reaches the parsers. This file is shared by the fuzz crate (through `#[path]`) and the
//! corpus replay test, so both read inputs identically.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use zulip_types::{FeatureLevel, ResponseContext};

/// The pseudo-header that carries the feature level the caller knows (never sent as a header).
pub const FEATURE_LEVEL_HEADER: &str = "zulip-feature-level";

/// A fuzz input read as a response.
#[derive(Debug)]
pub struct Input<'a> {
    /// The status.
    pub status: StatusCode,
    /// The feature level the caller knows, if any.
    pub feature_level: Option<FeatureLevel>,
    /// The headers, in order, repeated names kept.
    pub headers: HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads any bytes as an input (never fails).
    #[must_use]
    pub fn split(data: &'a [u8]) -> Self {
        let mut input = Self {
            status: StatusCode::OK,
            feature_level: None,
            headers: HeaderMap::new(),
            body: data,
        };
        let Some(end) = data.windows(2).position(|w| w == b"\n\n") else {
            return input;
        };
        let (head, body) = (&data[..end], &data[end + 2..]);
        input.body = body;
        let mut lines = head.split(|&b| b == b'\n').map(trim_cr);
        if let Some(status) = lines.next() {
            input.status = std::str::from_utf8(status)
                .ok()
                .and_then(|text| text.trim().parse::<u16>().ok())
                .and_then(|code| StatusCode::from_u16(code).ok())
                .unwrap_or(StatusCode::OK);
        }
        for line in lines {
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue;
            };
            let name = line[..colon].trim_ascii();
            let value = line[colon + 1..].trim_ascii_start();
            if name.eq_ignore_ascii_case(FEATURE_LEVEL_HEADER.as_bytes()) {
                input.feature_level = std::str::from_utf8(value)
                    .ok()
                    .and_then(|text| text.trim().parse::<u32>().ok())
                    .map(FeatureLevel::new);
                continue;
            }
            if let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
            {
                input.headers.append(name, value);
            }
        }
        input
    }

    /// The response: status, headers and body.
    #[must_use]
    pub fn response(&self) -> Response<&'a [u8]> {
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }

    /// What the caller knows about the server.
    #[must_use]
    pub fn context(&self) -> ResponseContext {
        match self.feature_level {
            Some(level) => ResponseContext::new().with_feature_level(level),
            None => ResponseContext::new(),
        }
    }
}

/// Writes an input in the format [`Input::split`] reads: for seeds and regression files.
#[must_use]
pub fn encode(
    status: u16,
    feature_level: Option<u32>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{status}\n");
    if let Some(level) = feature_level {
        out.push_str(&format!("{FEATURE_LEVEL_HEADER}: {level}\n"));
    }
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}
