//! Errors, split by stage: building a request, reading a response that is not what the endpoint
//! promises, and the server's own error.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde_json::Value;

use crate::rate_limit::{RateLimitHeaders, retry_after_header, seconds_to_duration};
use crate::{ErrorCode, SiteError};

/// A request could not be built. Nothing was sent.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The site is not a usable URL.
    Site(SiteError),
    /// The endpoint needs authentication and no credentials were given.
    MissingCredentials {
        /// The endpoint's operation name, e.g. `get-attachments`.
        endpoint: &'static str,
    },
    /// A header value contains characters HTTP does not allow (e.g. a newline in a User-Agent).
    InvalidHeaderValue {
        /// The header's name.
        name: &'static str,
    },
    /// A parameter cannot be put on the wire.
    InvalidParameter {
        /// The parameter's wire name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The `http` crate refused the request (a URL that is not a valid URI).
    Http(http::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Site(error) => error.fmt(f),
            Self::MissingCredentials { endpoint } => {
                write!(f, "{endpoint} needs credentials and none were given")
            }
            Self::InvalidHeaderValue { name } => {
                write!(f, "invalid value for the {name} header")
            }
            Self::InvalidParameter { name, reason } => {
                write!(f, "invalid parameter {name}: {reason}")
            }
            Self::Http(error) => write!(f, "invalid request: {error}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Site(error) => Some(error),
            Self::Http(error) => Some(error),
            _ => None,
        }
    }
}

impl From<SiteError> for BuildError {
    fn from(error: SiteError) -> Self {
        Self::Site(error)
    }
}

impl From<http::Error> for BuildError {
    fn from(error: http::Error) -> Self {
        Self::Http(error)
    }
}

/// A response could not be used: either the server reported an error, or the response is not
/// what the endpoint promises.
#[derive(Debug)]
#[non_exhaustive]
pub enum ResponseError {
    /// The server's own error (non-2xx status, or `"result": "error"`).
    Server(ServerError),
    /// A success status whose body is not what the endpoint promises.
    Parse(ParseError),
}

impl ResponseError {
    /// The server error, if that is what this is.
    #[must_use]
    pub fn as_server(&self) -> Option<&ServerError> {
        match self {
            Self::Server(error) => Some(error),
            Self::Parse(_) => None,
        }
    }

    /// The parse error, if that is what this is.
    #[must_use]
    pub fn as_parse(&self) -> Option<&ParseError> {
        match self {
            Self::Parse(error) => Some(error),
            Self::Server(_) => None,
        }
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(error) => error.fmt(f),
            Self::Parse(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Server(error) => Some(error),
            Self::Parse(error) => Some(error),
        }
    }
}

impl From<ServerError> for ResponseError {
    fn from(error: ServerError) -> Self {
        Self::Server(error)
    }
}

impl From<ParseError> for ResponseError {
    fn from(error: ParseError) -> Self {
        Self::Parse(error)
    }
}

/// What kind of mismatch a [`ParseError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The body is not JSON (HTML, truncated, empty, invalid UTF-8, trailing bytes...).
    NotJson,
    /// JSON of the wrong shape: a missing field, a wrong type, an invalid value.
    Shape,
    /// `result` is neither `"success"` nor `"error"`, or is missing.
    UnexpectedResult,
}

/// A response with a success status that is not what the endpoint promises.
///
/// It names the JSON path of the problem, e.g. `attachments[3].create_time`, and what was found.
#[derive(Clone)]
pub struct ParseError(Box<ParseErrorInner>);

#[derive(Clone)]
struct ParseErrorInner {
    kind: ParseErrorKind,
    status: StatusCode,
    path: String,
    detail: String,
    line: usize,
    column: usize,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

impl ParseError {
    pub(crate) fn from_json(
        kind: ParseErrorKind,
        path: String,
        error: &serde_json::Error,
        parts: &ResponseParts<'_>,
    ) -> Self {
        let keep_body = kind == ParseErrorKind::NotJson;
        Self(Box::new(ParseErrorInner {
            kind,
            status: parts.status,
            path,
            detail: error.to_string(),
            line: error.line(),
            column: error.column(),
            content_type: parts.content_type(),
            body: keep_body.then(|| parts.body.to_vec()),
        }))
    }

    pub(crate) fn unexpected_result(result: Option<&str>, parts: &ResponseParts<'_>) -> Self {
        let detail = match result {
            Some(result) => format!("`result` is {result:?}, expected \"success\" or \"error\""),
            None => "`result` is missing".to_owned(),
        };
        Self(Box::new(ParseErrorInner {
            kind: ParseErrorKind::UnexpectedResult,
            status: parts.status,
            path: "result".to_owned(),
            detail,
            line: 0,
            column: 0,
            content_type: parts.content_type(),
            body: Some(parts.body.to_vec()),
        }))
    }

    /// What kind of mismatch this is.
    #[must_use]
    pub fn kind(&self) -> ParseErrorKind {
        self.0.kind
    }

    /// The response's status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The JSON path of the problem, e.g. `attachments[3].create_time`; empty for the top level
    /// or when the body is not JSON.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was wrong and what was found, e.g.
    /// `invalid type: string "x", expected a JSON number at line 1 column 120`.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.0.detail
    }

    /// 1-based line of the problem in the body (0 when unknown).
    #[must_use]
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// 1-based column of the problem in the body (0 when unknown).
    #[must_use]
    pub fn column(&self) -> usize {
        self.0.column
    }

    /// The response's `Content-Type`.
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.0.content_type.as_deref()
    }

    /// The raw body, kept when it is not JSON or has an unexpected `result`.
    #[must_use]
    pub fn body(&self) -> Option<&[u8]> {
        self.0.body.as_deref()
    }
}

/// Shows everything but the body (which may be large; see [`ParseError::body`]).
impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("kind", &self.0.kind)
            .field("status", &self.0.status)
            .field("path", &self.0.path)
            .field("detail", &self.0.detail)
            .field("content_type", &self.0.content_type)
            .field("body_len", &self.0.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.kind {
            ParseErrorKind::NotJson => {
                write!(f, "response body is not JSON")?;
                if let Some(content_type) = &self.0.content_type {
                    write!(f, " (Content-Type {content_type})")?;
                }
                write!(f, ": {}", self.0.detail)
            }
            ParseErrorKind::Shape if self.0.path.is_empty() => {
                write!(f, "unexpected response: {}", self.0.detail)
            }
            ParseErrorKind::Shape => {
                write!(
                    f,
                    "unexpected response at `{}`: {}",
                    self.0.path, self.0.detail
                )
            }
            ParseErrorKind::UnexpectedResult => {
                write!(f, "unexpected response: {}", self.0.detail)
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// The body of a server error, degrading from Zulip's shape to any JSON to raw bytes.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// Zulip's error shape: `{"result": "error", "msg": ..., "code": ..., ...}`.
    Zulip(ZulipError),
    /// JSON that is not Zulip's error shape.
    OtherJson(Value),
    /// Not JSON: an HTML page from a proxy (413, 502, 504), a 404 page, an image...
    NotJson(Vec<u8>),
}

/// Zulip's JSON error: `{"result": "error", "msg": "...", "code": "...", ...extra keys}`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ZulipError {
    /// `code`: absent before feature level 76, on rate-limit errors before level 36, and still
    /// today on 405 and 500 errors.
    pub code: Option<ErrorCode>,
    /// `msg`: human-readable and translated; never match on it.
    pub msg: String,
    /// Every other key, e.g. `var_name`, `param_name`, `retry-after`, `allowed_methods`.
    pub extra: BTreeMap<String, Value>,
}

impl ZulipError {
    /// Reads Zulip's error shape from JSON, or gives the JSON back.
    fn from_json(value: Value) -> Result<Self, Value> {
        let Value::Object(mut map) = value else {
            return Err(value);
        };
        let is_error = map.get("result").and_then(Value::as_str) == Some("error");
        let msg_ok = map.get("msg").is_some_and(Value::is_string);
        let code_ok = map
            .get("code")
            .is_none_or(|code| code.is_string() || code.is_null());
        if !(is_error && msg_ok && code_ok) {
            return Err(Value::Object(map));
        }
        let msg = match map.remove("msg") {
            Some(Value::String(msg)) => msg,
            _ => String::new(),
        };
        let code = match map.remove("code") {
            Some(Value::String(code)) => Some(ErrorCode::from_wire(&code)),
            _ => None,
        };
        map.remove("result");
        Ok(Self {
            code,
            msg,
            extra: map.into_iter().collect(),
        })
    }
}

/// The server's own error: a non-2xx status, or a body with `"result": "error"`.
///
/// It keeps the status, the `code` (if any), `msg`, every extra key, and, when the body is not
/// JSON, the raw bytes with their content type.
///
/// ```
/// use zulip_types::{ErrorCode, ServerError};
///
/// let response = http::Response::builder()
///     .status(429)
///     .header("Retry-After", "28.706807374954224")
///     .body(br#"{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":28.706807374954224}"#)
///     .unwrap();
/// let error = ServerError::from_response(&response);
/// assert_eq!(error.status(), 429);
/// assert_eq!(error.code(), Some(&ErrorCode::RateLimitHit));
/// assert_eq!(error.msg(), Some("API usage exceeded rate limit"));
/// assert_eq!(error.retry_after(), Some(28.706807374954224));
/// assert!(error.is_rate_limited());
/// ```
#[derive(Clone, PartialEq)]
pub struct ServerError(Box<ServerErrorInner>);

#[derive(Clone, PartialEq)]
struct ServerErrorInner {
    status: StatusCode,
    body: ErrorBody,
    content_type: Option<String>,
    www_authenticate: Option<String>,
    location: Option<String>,
    rate_limit: RateLimitHeaders,
    retry_after_header: Option<f64>,
}

impl ServerError {
    /// Reads a server error from any response. It never fails: a body that is not Zulip's error
    /// shape is kept as other JSON or as raw bytes.
    pub fn from_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Self {
        Self::from_parts(&ResponseParts::new(response))
    }

    pub(crate) fn from_parts(parts: &ResponseParts<'_>) -> Self {
        let body = match serde_json::from_slice::<Value>(parts.body) {
            Ok(value) => match ZulipError::from_json(value) {
                Ok(error) => ErrorBody::Zulip(error),
                Err(value) => ErrorBody::OtherJson(value),
            },
            Err(_) => ErrorBody::NotJson(parts.body.to_vec()),
        };
        let text = |name| {
            parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        Self(Box::new(ServerErrorInner {
            status: parts.status,
            body,
            content_type: parts.content_type(),
            www_authenticate: text(http::header::WWW_AUTHENTICATE),
            location: text(http::header::LOCATION),
            rate_limit: RateLimitHeaders::from_headers(parts.headers),
            retry_after_header: retry_after_header(parts.headers),
        }))
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The body, as typed as it could be read.
    #[must_use]
    pub fn body(&self) -> &ErrorBody {
        &self.0.body
    }

    /// Zulip's error, when the body has its shape.
    #[must_use]
    pub fn zulip_error(&self) -> Option<&ZulipError> {
        match &self.0.body {
            ErrorBody::Zulip(error) => Some(error),
            _ => None,
        }
    }

    /// The error `code`, when the body has one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        self.zulip_error()?.code.as_ref()
    }

    /// The error `msg`, when the body is Zulip's error shape.
    #[must_use]
    pub fn msg(&self) -> Option<&str> {
        self.zulip_error().map(|error| error.msg.as_str())
    }

    /// An extra key of Zulip's error body, e.g. `var_name`.
    #[must_use]
    pub fn extra(&self, key: &str) -> Option<&Value> {
        self.zulip_error()?.extra.get(key)
    }

    /// The response's `Content-Type`.
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.0.content_type.as_deref()
    }

    /// The raw body when it is not JSON.
    #[must_use]
    pub fn raw_body(&self) -> Option<&[u8]> {
        match &self.0.body {
            ErrorBody::NotJson(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// `WWW-Authenticate`, sent with 401 (`Basic realm="zulip"`).
    #[must_use]
    pub fn www_authenticate(&self) -> Option<&str> {
        self.0.www_authenticate.as_deref()
    }

    /// `Location`, for a redirect (which this workspace never follows).
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The `X-RateLimit-*` headers.
    #[must_use]
    pub fn rate_limit(&self) -> RateLimitHeaders {
        self.0.rate_limit
    }

    /// `true` for HTTP 429 or code `RATE_LIMIT_HIT`.
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        self.0.status == StatusCode::TOO_MANY_REQUESTS
            || self.code() == Some(&ErrorCode::RateLimitHit)
    }

    /// Seconds to wait before retrying: the body's `retry-after` (a float, possibly `null`), else
    /// the `Retry-After` header (a float string). `None` when neither gives a non-negative number.
    #[must_use]
    pub fn retry_after(&self) -> Option<f64> {
        self.extra("retry-after")
            .and_then(Value::as_f64)
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .or(self.0.retry_after_header)
    }

    /// [`ServerError::retry_after`] as a [`Duration`].
    #[must_use]
    pub fn retry_after_duration(&self) -> Option<Duration> {
        seconds_to_duration(self.retry_after()?)
    }
}

/// Shows the body's length rather than the body when it is not JSON.
impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ServerError");
        debug.field("status", &self.0.status);
        match &self.0.body {
            ErrorBody::NotJson(bytes) => {
                debug.field("body", &format_args!("<{} bytes>", bytes.len()))
            }
            body => debug.field("body", body),
        };
        debug
            .field("content_type", &self.0.content_type)
            .field("rate_limit", &self.0.rate_limit)
            .field("retry_after", &self.retry_after())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server error {}", self.0.status)?;
        match &self.0.body {
            ErrorBody::Zulip(error) => {
                if let Some(code) = &error.code {
                    write!(f, " {}", Escaped(code.as_str()))?;
                }
                write!(f, ": {}", Escaped(&error.msg))?;
            }
            ErrorBody::OtherJson(_) => {
                f.write_str(" with a JSON body that is not a Zulip error")?
            }
            ErrorBody::NotJson(bytes) => {
                write!(f, " with a non-JSON body ({} bytes", bytes.len())?;
                if let Some(content_type) = &self.0.content_type {
                    write!(f, ", {content_type}")?;
                }
                f.write_str(")")?;
            }
        }
        if let Some(seconds) = self.retry_after() {
            write!(f, "; retry after {} s", Seconds(seconds))?;
        }
        Ok(())
    }
}

/// A wait for display: as Rust writes it (the shortest text that reads back) from a millionth
/// of a second to a billion seconds (about 32 years), in exponent form outside (`1e300`, not a
/// 1 followed by 300 zeros; `1e-300`, not 300 zeros and a 1).
struct Seconds(f64);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0;
        if seconds == 0.0 || (1e-6..1e9).contains(&seconds.abs()) {
            write!(f, "{seconds}")
        } else {
            write!(f, "{seconds:e}")
        }
    }
}

impl std::error::Error for ServerError {}

/// Server-supplied text for display: control characters (C0, DEL, C1) and bidirectional
/// formatting characters are written as `\u{..}` escapes, so that printing an error cannot
/// drive a terminal or reorder what the reader sees.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// Status, headers and body of a response, borrowed.
pub(crate) struct ResponseParts<'a> {
    pub(crate) status: StatusCode,
    pub(crate) headers: &'a http::HeaderMap,
    pub(crate) body: &'a [u8],
}

impl<'a> ResponseParts<'a> {
    pub(crate) fn new<B: AsRef<[u8]>>(response: &'a http::Response<B>) -> Self {
        Self {
            status: response.status(),
            headers: response.headers(),
            body: response.body().as_ref(),
        }
    }

    fn content_type(&self) -> Option<String> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_shown_compactly() {
        let cases = [
            (0.0, "0"),
            (28.706_807_374_954_224, "28.706807374954224"),
            (0.5, "0.5"),
            (1e-6, "0.000001"),
            (999_999_999.5, "999999999.5"),
            (1e9, "1e9"),
            (1.5e20, "1.5e20"),
            (1e300, "1e300"),
            (f64::MAX, "1.7976931348623157e308"),
            (1e-7, "1e-7"),
            (5e-324, "5e-324"),
        ];
        for (seconds, shown) in cases {
            assert_eq!(Seconds(seconds).to_string(), shown);
        }
    }

    #[test]
    fn server_text_cannot_drive_a_terminal() {
        let body = "{\"result\":\"error\",\"msg\":\"bad\\u001b[2J\\r\\nnews \\u202eevil\",\"code\":\"X\\u0007\"}";
        let response = http::Response::builder()
            .status(400)
            .body(body.as_bytes())
            .unwrap();
        let shown = ServerError::from_response(&response).to_string();
        assert_eq!(
            shown,
            "server error 400 Bad Request X\\u{7}: bad\\u{1b}[2J\\u{d}\\u{a}news \\u{202e}evil"
        );
        // The typed fields keep the text exactly as sent.
        let error = ServerError::from_response(&response);
        assert_eq!(error.msg(), Some("bad\u{1b}[2J\r\nnews \u{202e}evil"));
    }
}
