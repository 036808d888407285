//! The transport's error: zulip-types' domains (build, server, parse) plus the transport's own.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::StatusCode;
use zulip_types::{
    BuildError, ParseError, RateLimitHeaders, ResponseError, ServerError, ZuliprcError,
};

pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// Everything that can go wrong with a request.
///
/// None of the variants can print the API key: requests are never included, and the
/// `Authorization` header is marked sensitive.
///
/// ```
/// # async fn example(client: zulip_hyper::Client) {
/// use zulip_hyper::{Error, TimeoutPhase};
/// use zulip_types::GetAttachments;
///
/// match client.send(&GetAttachments::new()).await {
///     Ok(response) => println!("{} attachments", response.attachments.len()),
///     Err(Error::Server(error)) if error.is_rate_limited() => {
///         println!("rate limited, retry after {:?} s", error.retry_after())
///     }
///     Err(Error::Server(error)) if error.status().is_redirection() => {
///         println!("redirected to {:?} (not followed)", error.location())
///     }
///     Err(Error::Timeout { phase: TimeoutPhase::Connect, limit }) => {
///         println!("could not connect within {limit:?}")
///     }
///     Err(other) => println!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (zulip-types); nothing was sent.
    Build(BuildError),
    /// The server's own error: a non-2xx status (including redirects, which are never
    /// followed, and 429 rate limits), or `"result": "error"`.
    Server(ServerError),
    /// A success status whose body is not what the endpoint promises.
    Parse(ParseError),
    /// No connection could be made: name resolution, refused, reset, unreachable.
    Connect(TransportError),
    /// The TLS handshake failed: unknown certificate authority, wrong host name, expired
    /// certificate, client certificate refused, protocol mismatch.
    Tls(TransportError),
    /// A time limit was reached.
    Timeout {
        /// Which limit, and where.
        phase: TimeoutPhase,
        /// The limit that was reached.
        limit: Duration,
    },
    /// The response body is larger than the cap for its status (success or error).
    BodyTooLarge {
        /// The response's status.
        status: StatusCode,
        /// The cap that was exceeded, in bytes.
        limit: usize,
    },
    /// The configuration cannot be used: a zuliprc error, an unreadable file, a certificate
    /// file without certificates, a missing site...
    Config(ConfigError),
    /// The HTTP exchange failed after connecting: the connection closed early, the response
    /// is not valid HTTP, an I/O error while reading the body (or while reading a file being
    /// uploaded).
    Http(TransportError),
    /// A file to upload could not be opened or its length read.
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Which time limit fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// The connect timeout: TCP connection and TLS handshake took too long.
    Connect,
    /// The request timeout, before the response's status and headers arrived (this includes
    /// waiting for a pooled or new connection and sending the request).
    Response,
    /// The request timeout, while reading the response body.
    Body,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connecting",
            Self::Response => "waiting for the response",
            Self::Body => "reading the response body",
        })
    }
}

impl Error {
    /// The server error, if that is what this is.
    #[must_use]
    pub fn as_server(&self) -> Option<&ServerError> {
        match self {
            Self::Server(error) => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Server(error) => Some(error.status()),
            Self::Parse(error) => Some(error.status()),
            Self::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// `true` for any [`Error::Timeout`].
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// `true` for a rate-limit error (HTTP 429 or code `RATE_LIMIT_HIT`).
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        self.as_server().is_some_and(ServerError::is_rate_limited)
    }

    /// Seconds to wait before retrying, from a rate-limit error's body or `Retry-After` header.
    #[must_use]
    pub fn retry_after(&self) -> Option<f64> {
        self.as_server()?.retry_after()
    }

    /// The `X-RateLimit-*` headers of the error response, when a response arrived.
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimitHeaders> {
        self.as_server().map(ServerError::rate_limit)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(error) => write!(f, "cannot build the request: {error}"),
            Self::Server(error) => error.fmt(f),
            Self::Parse(error) => error.fmt(f),
            Self::Connect(error) => write!(f, "cannot connect: {error}"),
            Self::Tls(error) => write!(f, "TLS handshake failed: {error}"),
            Self::Timeout { phase, limit } => {
                write!(f, "timed out after {limit:?} {phase}")
            }
            Self::BodyTooLarge { status, limit } => write!(
                f,
                "response body (status {status}) is larger than the limit of {limit} bytes"
            ),
            Self::Config(error) => write!(f, "invalid configuration: {error}"),
            Self::Http(error) => write!(f, "HTTP error: {error}"),
            Self::File { path, source } => write!(f, "cannot read {}: {source}", path.display()),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Build(error) => Some(error),
            Self::Server(error) => Some(error),
            Self::Parse(error) => Some(error),
            Self::Connect(error) | Self::Tls(error) | Self::Http(error) => Some(error),
            Self::Config(error) => Some(error),
            Self::File { source, .. } => Some(source),
            Self::Timeout { .. } | Self::BodyTooLarge { .. } => None,
        }
    }
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Self {
        Self::Build(error)
    }
}

/// A `path_id` or upload URL that cannot be used is a request that cannot be built.
impl From<zulip_types::UploadPathError> for Error {
    fn from(error: zulip_types::UploadPathError) -> Self {
        Self::Build(BuildError::from(error))
    }
}

impl From<ServerError> for Error {
    fn from(error: ServerError) -> Self {
        Self::Server(error)
    }
}

impl From<ParseError> for Error {
    fn from(error: ParseError) -> Self {
        Self::Parse(error)
    }
}

impl From<ResponseError> for Error {
    fn from(error: ResponseError) -> Self {
        match error {
            ResponseError::Server(error) => Self::Server(error),
            ResponseError::Parse(error) => Self::Parse(error),
            // A domain zulip-types may add later: keep its message.
            other => Self::Http(TransportError::new(Box::new(other))),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

impl From<ZuliprcError> for Error {
    fn from(error: ZuliprcError) -> Self {
        Self::Config(ConfigError::from(error))
    }
}

/// An error from the network stack (hyper, rustls, the operating system), with its chain of
/// causes. Its `Display` shows the whole chain on one line.
pub struct TransportError {
    source: BoxError,
}

impl TransportError {
    pub(crate) fn new(source: BoxError) -> Self {
        Self { source }
    }

    /// The `rustls` error, when TLS is the cause.
    #[must_use]
    pub fn tls_error(&self) -> Option<&rustls::Error> {
        find_in_chain::<rustls::Error>(&*self.source)
    }

    /// The operating system's I/O error kind, when there is one in the chain.
    #[must_use]
    pub fn io_error_kind(&self) -> Option<std::io::ErrorKind> {
        find_in_chain::<std::io::Error>(&*self.source).map(std::io::Error::kind)
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TransportError").field(&self.source).finish()
    }
}

/// The messages of the chain, joined with `: `, repeated messages skipped.
impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut previous = String::new();
        let mut first = true;
        for error in chain(&*self.source) {
            // hyper-util's "client error (Connect)" says nothing its causes do not.
            if error.is::<hyper_util::client::legacy::Error>() && error.source().is_some() {
                continue;
            }
            let message = error.to_string();
            if message.is_empty() || previous.contains(&message) {
                continue;
            }
            if !first {
                f.write_str(": ")?;
            }
            f.write_str(&message)?;
            first = false;
            previous = message;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// Every error of a chain, including those wrapped inside `std::io::Error` (whose `source`
/// skips the wrapped error itself).
pub(crate) fn chain<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        if out.len() > 32 {
            break;
        }
        out.push(error);
        next = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn StdError + 'static))
                .or_else(|| error.source()),
            None => error.source(),
        };
    }
    out
}

/// The first error of type `T` in the chain.
pub(crate) fn find_in_chain<'a, T: StdError + 'static>(
    error: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    chain(error).into_iter().find_map(|e| e.downcast_ref::<T>())
}

/// A configuration that cannot be used. It names the file, line and key when they are known,
/// and never contains the API key.
pub struct ConfigError(Box<ConfigErrorInner>);

enum ConfigErrorInner {
    Zuliprc(ZuliprcError),
    Other {
        file: Option<PathBuf>,
        key: Option<&'static str>,
        message: String,
        source: Option<BoxError>,
    },
}

impl ConfigError {
    pub(crate) fn new(key: &'static str, message: impl Into<String>) -> Self {
        Self(Box::new(ConfigErrorInner::Other {
            file: None,
            key: Some(key),
            message: message.into(),
            source: None,
        }))
    }

    pub(crate) fn file(
        key: &'static str,
        file: &Path,
        message: impl Into<String>,
        source: Option<BoxError>,
    ) -> Self {
        Self(Box::new(ConfigErrorInner::Other {
            file: Some(file.to_path_buf()),
            key: Some(key),
            message: message.into(),
            source,
        }))
    }

    /// The zuliprc or environment error from zulip-types, when that is the cause.
    #[must_use]
    pub fn zuliprc(&self) -> Option<&ZuliprcError> {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => Some(error),
            ConfigErrorInner::Other { .. } => None,
        }
    }

    /// The file concerned: the zuliprc, a CA bundle, a client certificate...
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => error.file().map(Path::new),
            ConfigErrorInner::Other { file, .. } => file.as_deref(),
        }
    }

    /// The 1-based line in [`ConfigError::path`], when known.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => error.line(),
            ConfigErrorInner::Other { .. } => None,
        }
    }

    /// The setting concerned (`site`, `cert_bundle`, `ZULIP_ALLOW_INSECURE`...).
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => error.key(),
            ConfigErrorInner::Other { key, .. } => *key,
        }
    }
}

impl From<ZuliprcError> for ConfigError {
    fn from(error: ZuliprcError) -> Self {
        Self(Box::new(ConfigErrorInner::Zuliprc(error)))
    }
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => f.debug_tuple("ConfigError").field(error).finish(),
            ConfigErrorInner::Other {
                file,
                key,
                message,
                source,
            } => f
                .debug_struct("ConfigError")
                .field("file", file)
                .field("key", key)
                .field("message", message)
                .field("source", source)
                .finish(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => error.fmt(f),
            ConfigErrorInner::Other {
                file,
                key,
                message,
                source,
            } => {
                if let Some(file) = file {
                    write!(f, "{}: ", file.display())?;
                }
                if let Some(key) = key {
                    write!(f, "`{key}`: ")?;
                }
                f.write_str(message)?;
                if let Some(source) = source {
                    write!(f, ": {source}")?;
                }
                Ok(())
            }
        }
    }
}

impl StdError for ConfigError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &*self.0 {
            ConfigErrorInner::Zuliprc(error) => Some(error),
            ConfigErrorInner::Other { source, .. } => {
                source.as_deref().map(|e| e as &(dyn StdError + 'static))
            }
        }
    }
}
