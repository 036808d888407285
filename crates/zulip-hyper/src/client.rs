//! The client: one connection pool, zulip-types' builders and parsers, timeouts, body caps and
//! the optional retry policy.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body as _;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use zulip_types::{
    Authentication, Credentials, Endpoint, FeatureLevel, IncomingResponse, RateLimitHeaders,
    RequestContext, ResponseContext, ServerError, Site,
};

use crate::body::RequestBody;
use crate::config::Config;
use crate::connector::{ConnectFailure, Connector, TcpConnector};
use crate::error::{ConfigError, Error, TimeoutPhase, TransportError, find_in_chain};
use crate::retry::RetryPolicy;
use crate::tls::{self, TlsSettings};
use crate::trace::{instrument, span};

/// The User-Agent sent unless another is set: `zulip-hyper/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("zulip-hyper/", env!("CARGO_PKG_VERSION"));
/// Default limit for establishing a connection (TCP and TLS): 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for a whole exchange (connection, request, response head and body): 60 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a success (2xx) body: 256 MiB (users with tens of thousands of uploads get
/// tens of MB from `GET /attachments`).
pub const DEFAULT_MAX_BODY_SIZE: usize = 256 * 1024 * 1024;
/// Default cap on any other body (errors, redirects): 64 KiB.
pub const DEFAULT_MAX_ERROR_BODY_SIZE: usize = 64 * 1024;
/// Default time an idle keep-alive connection stays in the pool: 90 s.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

const NO_FEATURE_LEVEL: u64 = u64::MAX;

/// A Zulip API client over hyper.
///
/// Cheap to clone (clones share the connection pool and the known feature level), `Send` and
/// `Sync`. Requests need a Tokio runtime with the time driver enabled.
///
/// Redirects are **never followed**: a 3xx is returned as [`Error::Server`] with its status and
/// [`location`](zulip_types::ServerError::location), so credentials never reach another origin.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    limits: Limits,
}

struct Shared {
    http: HyperClient<Connector, RequestBody>,
    context: RequestContext,
    feature_level: AtomicU64,
    connect_timeout: Duration,
    http2: bool,
}

/// Per-handle limits: a clone may change them without touching the pool.
#[derive(Clone, Copy, Debug)]
struct Limits {
    request_timeout: Duration,
    max_body_size: usize,
    max_error_body_size: usize,
    retry: Option<RetryPolicy>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_error_body_size: DEFAULT_MAX_ERROR_BODY_SIZE,
            retry: None,
        }
    }
}

/// A typed response with its status, headers and rate-limit headers.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Response<T> {
    /// The parsed success response.
    pub value: T,
    /// The HTTP status (2xx).
    pub status: StatusCode,
    /// Every response header.
    pub headers: HeaderMap,
    /// The `X-RateLimit-*` headers.
    pub rate_limit: RateLimitHeaders,
    /// Attempts made, 1 unless the retry policy retried a rate-limited request.
    pub attempts: u32,
}

impl<T> Response<T> {
    /// The parsed value.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl Client {
    /// A builder; [`ClientBuilder::site`] is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client for a resolved configuration (zuliprc, environment), with default limits.
    ///
    /// # Errors
    /// [`Error::Config`] when a certificate file cannot be used.
    pub fn from_config(config: Config) -> Result<Self, Error> {
        Self::builder().config(config).build()
    }

    /// Sends an endpoint's request and parses its response.
    ///
    /// # Errors
    /// See [`Error`]: the request could not be built, sent or read, the server answered with
    /// an error (a rate limit, once the retry policy gave up), or the body is not what the
    /// endpoint promises.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, Error> {
        Ok(self.send_with_meta(endpoint).await?.value)
    }

    /// Like [`Client::send`], with the status, headers, rate-limit headers and attempts.
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn send_with_meta<E: Endpoint>(
        &self,
        endpoint: &E,
    ) -> Result<Response<E::Response>, Error> {
        let request = self.build(endpoint)?;
        let (response, attempts) = self.execute(request, E::NAME).await?;
        self.finish::<E>(response, attempts)
    }

    /// Sends a request whose body `make_body` makes (once per attempt) and parses the response
    /// as `E`'s.
    pub(crate) async fn send_parts_with_meta<E, F, Fut>(
        &self,
        parts: &http::request::Parts,
        make_body: F,
    ) -> Result<Response<E::Response>, Error>
    where
        E: Endpoint,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<RequestBody, Error>>,
    {
        let (response, attempts) = self.execute_with(parts, E::NAME, make_body).await?;
        self.finish::<E>(response, attempts)
    }

    fn finish<E: Endpoint>(
        &self,
        response: http::Response<Bytes>,
        attempts: u32,
    ) -> Result<Response<E::Response>, Error> {
        let value = self.parse::<E::Response>(&response, E::NAME)?;
        let (parts, _) = response.into_parts();
        Ok(Response {
            value,
            status: parts.status,
            rate_limit: RateLimitHeaders::from_headers(&parts.headers),
            headers: parts.headers,
            attempts,
        })
    }

    /// Sends an endpoint's request and returns the raw response, whatever its status (the
    /// escape hatch for reading what the typed response leaves out). Body caps, timeouts and
    /// the retry policy apply.
    ///
    /// # Errors
    /// As [`Client::send_raw`], plus [`Error::Build`].
    pub async fn send_unparsed<E: Endpoint>(
        &self,
        endpoint: &E,
    ) -> Result<http::Response<Bytes>, Error> {
        let request = self.build(endpoint)?;
        Ok(self.execute(request, E::NAME).await?.0)
    }

    /// Sends a request as it is and returns the raw response, whatever its status. Body caps,
    /// timeouts and the retry policy apply; nothing is added to the request (build it with
    /// zulip-types, or with [`Client::request`]).
    ///
    /// # Errors
    /// Transport errors only: [`Error::Connect`], [`Error::Tls`], [`Error::Timeout`],
    /// [`Error::BodyTooLarge`], [`Error::Http`].
    pub async fn send_raw(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, Error> {
        Ok(self.execute(request, "raw").await?.0)
    }

    /// Sends a request to an endpoint zulip-types does not model yet: `{site}/api/v1{path}`
    /// with `Accept`, `User-Agent` and, for [`Authentication::Basic`], the credentials applied
    /// by zulip-types' [`RequestContext::build_request`]. Returns the raw response; read it
    /// with [`Client::parse_response`] or [`zulip_types::ServerError::from_response`].
    ///
    /// `path_and_query` starts with `/` and is already percent-encoded; `body` is a content
    /// type and bytes.
    ///
    /// # Errors
    /// As [`Client::send_raw`], plus [`Error::Build`].
    pub async fn request(
        &self,
        method: Method,
        path_and_query: &str,
        authentication: Authentication,
        body: Option<(HeaderValue, Vec<u8>)>,
    ) -> Result<http::Response<Bytes>, Error> {
        let request = self.shared.context.build_request(
            "custom-request",
            method,
            path_and_query,
            authentication,
            body,
        )?;
        Ok(self.execute(request, "custom-request").await?.0)
    }

    /// Parses a raw response with zulip-types, using this client's [`ResponseContext`].
    ///
    /// # Errors
    /// [`Error::Server`] or [`Error::Parse`].
    pub fn parse_response<T: IncomingResponse>(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<T, Error> {
        self.parse(response, "raw")
    }

    /// The site, credentials and User-Agent every request is built with.
    #[must_use]
    pub fn request_context(&self) -> &RequestContext {
        &self.shared.context
    }

    /// The site.
    #[must_use]
    pub fn site(&self) -> &Site {
        self.shared.context.site()
    }

    /// What responses are parsed with: today the server's feature level, when known.
    #[must_use]
    pub fn response_context(&self) -> ResponseContext {
        match self.feature_level() {
            Some(level) => ResponseContext::new().with_feature_level(level),
            None => ResponseContext::new(),
        }
    }

    /// The server's feature level, when known (given to the builder or set later).
    #[must_use]
    pub fn feature_level(&self) -> Option<FeatureLevel> {
        match self.shared.feature_level.load(Ordering::Relaxed) {
            NO_FEATURE_LEVEL => None,
            level => u32::try_from(level).ok().map(FeatureLevel::new),
        }
    }

    /// Records the server's feature level (e.g. from `GET /server_settings`), for this client
    /// and all its clones; `None` forgets it.
    pub fn set_feature_level(&self, level: Option<FeatureLevel>) {
        let value = level.map_or(NO_FEATURE_LEVEL, |level| u64::from(level.get()));
        self.shared.feature_level.store(value, Ordering::Relaxed);
    }

    /// A handle sharing this client's pool with another request timeout (e.g. for a
    /// long-polling request).
    #[must_use]
    pub fn with_request_timeout(&self, timeout: Duration) -> Self {
        let mut client = self.clone();
        client.limits.request_timeout = timeout;
        client
    }

    /// A handle sharing this client's pool with another retry policy (`None`: no retry).
    #[must_use]
    pub fn with_retry_policy(&self, policy: Option<RetryPolicy>) -> Self {
        let mut client = self.clone();
        client.limits.retry = policy;
        client
    }

    fn build<E: Endpoint>(&self, endpoint: &E) -> Result<http::Request<Vec<u8>>, Error> {
        let build_span = span!("zulip.build", endpoint = E::NAME);
        Ok(build_span.in_scope(|| endpoint.try_into_http_request(&self.shared.context))?)
    }

    fn parse<T: IncomingResponse>(
        &self,
        response: &http::Response<Bytes>,
        name: &'static str,
    ) -> Result<T, Error> {
        let context = self.response_context();
        let parse_span = span!("zulip.parse", endpoint = name);
        Ok(parse_span.in_scope(|| T::try_from_http_response(response, &context))?)
    }

    /// Sends, retrying rate-limited attempts as the policy allows. Returns the last response
    /// and the number of attempts.
    async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
        name: &'static str,
    ) -> Result<(http::Response<Bytes>, u32), Error> {
        let (parts, body) = request.into_parts();
        let body = Bytes::from(body);
        self.execute_with(&parts, name, || {
            let body = body.clone();
            async move { Ok(RequestBody::full(body)) }
        })
        .await
    }

    /// [`Client::execute`] with a body made for each attempt.
    async fn execute_with<F, Fut>(
        &self,
        parts: &http::request::Parts,
        name: &'static str,
        mut make_body: F,
    ) -> Result<(http::Response<Bytes>, u32), Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<RequestBody, Error>>,
    {
        let mut attempts = 0_u32;
        let mut waited = Duration::ZERO;
        loop {
            attempts = attempts.saturating_add(1);
            let attempt_span = span!("zulip.request", endpoint = name, attempt = attempts);
            let body = make_body().await?;
            let response = instrument(self.exchange(parts, body), attempt_span).await?;
            if let Some(policy) = self.limits.retry {
                if !response.status().is_success() {
                    let error = ServerError::from_response(&response);
                    if let Some(wait) = policy.delay(&error, attempts, waited) {
                        #[cfg(feature = "tracing")]
                        tracing::debug!(?wait, attempts, "rate limited; waiting before retrying");
                        tokio::time::sleep(wait).await;
                        waited += wait;
                        continue;
                    }
                }
            }
            return Ok((response, attempts));
        }
    }

    /// One exchange: send, receive the head, read the body through the cap for its status.
    async fn exchange(
        &self,
        parts: &http::request::Parts,
        body: RequestBody,
    ) -> Result<http::Response<Bytes>, Error> {
        let mut request = http::Request::new(body);
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.version_mut() = parts.version;
        *request.headers_mut() = parts.headers.clone();

        let timeout = self.limits.request_timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        let send_span = span!("zulip.send", method = parts.method, uri = parts.uri);
        let sending = tokio::time::timeout_at(deadline, self.shared.http.request(request));
        let head = match instrument(sending, send_span).await {
            Ok(Ok(head)) => head,
            Ok(Err(error)) => return Err(classify(error)),
            Err(_) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Response,
                    limit: timeout,
                });
            }
        };

        let status = head.status();
        // Decided by status before reading a byte.
        let limit = if status.is_success() {
            self.limits.max_body_size
        } else {
            self.limits.max_error_body_size
        };
        let (head, incoming) = head.into_parts();
        let too_large = Error::BodyTooLarge { status, limit };
        if usize::try_from(incoming.size_hint().lower()).map_or(true, |length| length > limit) {
            return Err(too_large);
        }
        let receive_span = span!("zulip.receive", status = status.as_u16());
        let reading = tokio::time::timeout_at(deadline, Limited::new(incoming, limit).collect());
        let body = match instrument(reading, receive_span).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) if error.is::<LengthLimitError>() => return Err(too_large),
            Ok(Err(error)) => return Err(Error::Http(TransportError::new(error))),
            Err(_) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Body,
                    limit: timeout,
                });
            }
        };
        Ok(http::Response::from_parts(head, body))
    }
}

/// Sorts hyper-util's error into connect, TLS, connect timeout or HTTP.
fn classify(error: hyper_util::client::legacy::Error) -> Error {
    let kind = find_in_chain::<ConnectFailure>(&error).map(|failure| match failure {
        ConnectFailure::Tcp(_) => Ok(false),
        ConnectFailure::Tls(_) => Ok(true),
        ConnectFailure::Timeout(limit) => Err(*limit),
    });
    match kind {
        Some(Err(limit)) => Error::Timeout {
            phase: TimeoutPhase::Connect,
            limit,
        },
        Some(Ok(false)) => Error::Connect(TransportError::new(Box::new(error))),
        Some(Ok(true)) => Error::Tls(TransportError::new(Box::new(error))),
        None if error.is_connect() => Error::Connect(TransportError::new(Box::new(error))),
        None => Error::Http(TransportError::new(Box::new(error))),
    }
}

/// Shows the site, the email address and the limits; never the API key.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("site", self.site())
            .field("credentials", &self.shared.context.credentials())
            .field("user_agent", &self.shared.context.user_agent())
            .field("feature_level", &self.feature_level())
            .field("connect_timeout", &self.shared.connect_timeout)
            .field("request_timeout", &self.limits.request_timeout)
            .field("max_body_size", &self.limits.max_body_size)
            .field("max_error_body_size", &self.limits.max_error_body_size)
            .field("retry", &self.limits.retry)
            .field("http2", &self.shared.http2)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use zulip_hyper::{Client, RetryPolicy};
/// use zulip_types::{Credentials, FeatureLevel};
///
/// let client = Client::builder()
///     .site("chat.example.com")
///     .credentials(Credentials::new("bot@example.com", "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv"))
///     .user_agent("attachment-report/1.0")
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(30))
///     .max_body_size(64 * 1024 * 1024)
///     .retry_policy(RetryPolicy::new().max_attempts(3))
///     .feature_level(FeatureLevel::new(472))
///     .build()?;
/// assert_eq!(client.site().root(), "https://chat.example.com");
/// assert!(!format!("{client:?}").contains("gjA04"));
/// # Ok::<(), zulip_hyper::Error>(())
/// ```
#[must_use]
#[derive(Debug)]
pub struct ClientBuilder {
    site: Option<SiteInput>,
    credentials: Option<Credentials>,
    user_agent: Option<String>,
    feature_level: Option<FeatureLevel>,
    connect_timeout: Duration,
    limits: Limits,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    tls: TlsSettings,
    http2: bool,
}

#[derive(Debug)]
enum SiteInput {
    Text(String),
    Parsed(Site),
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// Defaults: no site, no credentials, [`DEFAULT_USER_AGENT`], the default timeouts and
    /// caps, no retry, the built-in root certificates, HTTP/2 offered when the `http2` feature
    /// is enabled.
    pub fn new() -> Self {
        Self {
            site: None,
            credentials: None,
            user_agent: None,
            feature_level: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            limits: Limits::default(),
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: usize::MAX,
            tls: TlsSettings::default(),
            http2: cfg!(feature = "http2"),
        }
    }

    /// The server, normalised like the Python client does (`chat.example.com` becomes
    /// `https://chat.example.com`; see [`Site::parse`]). Checked by [`ClientBuilder::build`].
    pub fn site(mut self, site: impl Into<String>) -> Self {
        self.site = Some(SiteInput::Text(site.into()));
        self
    }

    /// The server, already parsed.
    pub fn parsed_site(mut self, site: Site) -> Self {
        self.site = Some(SiteInput::Parsed(site));
        self
    }

    /// The email address and API key sent to endpoints that authenticate.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The User-Agent, e.g. `my-bot/1.2` (Zulip parses `name/version`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The server's feature level, when known: responses are parsed with it (e.g. the unit of
    /// attachment timestamps). Without it, zulip-types decides from the data.
    pub fn feature_level(mut self, level: FeatureLevel) -> Self {
        self.feature_level = Some(level);
        self
    }

    /// The limit for establishing a connection: TCP connect and TLS handshake together.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The limit for a whole exchange: getting a connection, sending, receiving the head and
    /// reading the body. Each retry attempt gets its own.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// The cap on a success (2xx) body, in bytes. Default [`DEFAULT_MAX_BODY_SIZE`].
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.limits.max_body_size = bytes;
        self
    }

    /// The cap on any other body, in bytes. Default [`DEFAULT_MAX_ERROR_BODY_SIZE`].
    pub fn max_error_body_size(mut self, bytes: usize) -> Self {
        self.limits.max_error_body_size = bytes;
        self
    }

    /// Retries rate-limited requests (off by default).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.limits.retry = Some(policy);
        self
    }

    /// How long an idle keep-alive connection stays in the pool (`None`: until the server
    /// closes it). Default [`DEFAULT_POOL_IDLE_TIMEOUT`].
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host (0 disables keep-alive reuse).
    pub fn pool_max_idle_per_host(mut self, connections: usize) -> Self {
        self.pool_max_idle_per_host = connections;
        self
    }

    /// Trusts exactly the PEM certificates of this file instead of the built-in roots, as the
    /// Python client's `cert_bundle` does. It may hold the server's own certificate.
    pub fn cert_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls.cert_bundle = Some(path.into());
        self
    }

    /// Trusts the PEM certificates of this file in addition to the built-in roots (or the
    /// `cert_bundle`). May be called several times.
    pub fn extra_root_certificates(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls.extra_roots.push(path.into());
        self
    }

    /// A PEM file with the client certificate chain, and its private key unless
    /// [`ClientBuilder::client_cert_key`] names another file.
    pub fn client_cert(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls.client_cert = Some(path.into());
        self
    }

    /// A PEM file with the client certificate's private key.
    pub fn client_cert_key(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls.client_cert_key = Some(path.into());
        self
    }

    /// **Disables certificate verification** when `true`: any server certificate is accepted
    /// (the handshake signature is still checked). Only for test servers. A warning is emitted
    /// when the client is built: through `tracing` with the `tracing` feature, else once per
    /// process on standard error.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.tls.insecure = insecure;
        self
    }

    /// Uses the integrator's own rustls configuration for TLS (its provider, roots, client
    /// authentication...). Its ALPN protocols are replaced by this client's. It cannot be
    /// combined with the other TLS options.
    pub fn tls_config(mut self, config: impl Into<Arc<rustls::ClientConfig>>) -> Self {
        self.tls.custom = Some(config.into());
        self
    }

    /// Offers HTTP/2 through ALPN (HTTP/1.1 stays available). Default: on.
    #[cfg(feature = "http2")]
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// Applies a resolved configuration: site, credentials, `insecure`, `cert_bundle`,
    /// `client_cert` and `client_cert_key`.
    pub fn config(mut self, config: Config) -> Self {
        let config = config.into_resolved();
        self.site = Some(SiteInput::Parsed(config.site));
        self.credentials = Some(config.credentials);
        self.tls.insecure = config.insecure;
        self.tls.cert_bundle = config.cert_bundle;
        self.tls.client_cert = config.client_cert;
        self.tls.client_cert_key = config.client_cert_key;
        self
    }

    /// Builds the client: reads certificate files and sets up TLS. Opens no connection.
    ///
    /// # Errors
    /// [`Error::Config`]: no or invalid site, invalid User-Agent, unreadable or invalid
    /// certificate files, conflicting TLS options.
    pub fn build(self) -> Result<Client, Error> {
        let site = match self.site {
            Some(SiteInput::Parsed(site)) => site,
            Some(SiteInput::Text(text)) => {
                Site::parse(&text).map_err(|e| ConfigError::new("site", e.to_string()))?
            }
            None => return Err(ConfigError::new("site", "no site given").into()),
        };
        let needs_roots = site.root().starts_with("https:");
        let mut context = RequestContext::new(site);
        context = context
            .with_user_agent(self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT))
            .map_err(|_| {
                ConfigError::new("user_agent", "contains characters not allowed in a header")
            })?;
        if let Some(credentials) = self.credentials {
            context = context.with_credentials(credentials);
        }

        let tls_config = tls::client_config(&self.tls, self.http2, needs_roots)?;
        let tcp = TcpConnector::new(self.connect_timeout);
        let https = tls::https_connector(tls_config, tcp);
        let connector = Connector::new(https, self.connect_timeout);
        let http = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build(connector);

        let feature_level = self
            .feature_level
            .map_or(NO_FEATURE_LEVEL, |level| u64::from(level.get()));
        Ok(Client {
            shared: Arc::new(Shared {
                http,
                context,
                feature_level: AtomicU64::new(feature_level),
                connect_timeout: self.connect_timeout,
                http2: self.http2,
            }),
            limits: self.limits,
        })
    }
}
