//! The server handle, its thread and runtime, connections and per-request modes.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_TYPE, HOST, HeaderName, HeaderValue, LOCATION};
use http::{Request, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};
use tokio_rustls::TlsAcceptor;

use crate::body::{self, ResponseBody};
use crate::config::{RateLimit, ServerConfig, User};
use crate::data::Attachment;
use crate::log::RequestRecord;
use crate::modes::Mode;
use crate::routes;
use crate::state::{Shared, UserEntry, lock};
use crate::tls::{ClientIdentity, Pki};
use crate::uploads;
use crate::wire::{self, Profile};

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send request headers (HTTP/1).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// A Zulip-compatible server on `127.0.0.1` and an ephemeral port, running on its own thread
/// with its own tokio runtime (so blocking and async tests can both use it).
///
/// It serves until [`shutdown`](Self::shutdown) is called or the handle is dropped; then every
/// connection is closed, the thread is joined and the port released.
///
/// ```
/// use zulip_test_server::{Preset, ServerConfig, TestServer, User, sample};
///
/// let server = TestServer::start(
///     ServerConfig::preset(Preset::Zulip9_0)
///         .user(User::new("iago@zulip.com", "key").with_attachments(sample::user_attachments(1))),
/// );
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// // … point a client at server.site() with email "iago@zulip.com" and key "key" …
/// assert_eq!(server.requests().len(), 0);
/// server.shutdown();
/// ```
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    pki: Option<Arc<Pki>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer")
            .field("url", &self.shared.base_url)
            .field("profile", &self.shared.profile)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Starts a server.
    ///
    /// # Panics
    /// If the server cannot start (no free port on 127.0.0.1, thread or runtime creation failed).
    /// Use [`try_start`](Self::try_start) to get the error instead.
    pub fn start(config: ServerConfig) -> TestServer {
        match TestServer::try_start(config) {
            Ok(server) => server,
            Err(e) => panic!("zulip-test-server failed to start: {e}"),
        }
    }

    /// Starts a server, or says why it could not.
    pub fn try_start(config: ServerConfig) -> io::Result<TestServer> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;

        let (pki, acceptor) = match config.tls {
            Some(options) => {
                let pki = Arc::new(Pki::generate()?);
                let acceptor = TlsAcceptor::from(Arc::new(pki.server_config(options)?));
                (Some(pki), Some(acceptor))
            }
            None => (None, None),
        };
        let scheme = if pki.is_some() { "https" } else { "http" };
        let shared = Arc::new(Shared::new(&config, addr, scheme));
        // Build every user's `GET /attachments` body now, so the first request of a benchmark
        // is not the one that pays for it.
        {
            let mut db = lock(&shared.db);
            for index in 0..db.users.len() {
                db.attachments_body(&shared.profile, index, &[]);
            }
        }

        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let limit = Arc::new(Semaphore::new(config.max_connections));
        let workers = config.worker_threads;
        let loop_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("zulip-test-server-{}", addr.port()))
            .spawn(move || {
                // Built (and dropped) on this thread, never inside the caller's runtime.
                let runtime = if workers <= 1 {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                } else {
                    tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(workers)
                        .thread_name("zulip-test-server-worker")
                        .enable_all()
                        .build()
                };
                let runtime = match runtime {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                runtime.block_on(accept_loop(
                    listener,
                    acceptor,
                    loop_shared,
                    limit,
                    shutdown_rx,
                ));
                // Drops every connection task, closing their sockets.
                runtime.shutdown_timeout(Duration::from_secs(2));
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(io::Error::other("test server thread exited at start"));
            }
        }

        Ok(TestServer {
            shared,
            addr,
            pki,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (or `https://…`), no trailing slash.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The Zulip "site" to configure a client with: the same as [`url`](Self::url).
    pub fn site(&self) -> String {
        self.url()
    }

    /// `{url}/api/v1/{path}` (`path` without a leading slash, e.g. `"attachments"`).
    pub fn api_url(&self, path: &str) -> String {
        format!(
            "{}/api/v1/{}",
            self.shared.base_url,
            path.trim_start_matches('/')
        )
    }

    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Whether this server speaks HTTPS.
    pub fn is_https(&self) -> bool {
        self.pki.is_some()
    }

    /// The version-dependent behaviour (generation, error shapes, JSON style) in force.
    pub fn profile(&self) -> &Profile {
        &self.shared.profile
    }

    // --- TLS -------------------------------------------------------------------------------

    /// The CA certificate (PEM) that signed the server certificate, for a client's cert bundle.
    /// `None` for plain HTTP.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.pki.as_deref().map(Pki::ca_pem)
    }

    /// Writes the CA certificate (PEM) to `path`.
    ///
    /// # Errors
    /// `NotFound` for a plain HTTP server, or the write error.
    pub fn write_ca_cert_pem(&self, path: impl AsRef<Path>) -> io::Result<()> {
        match self.ca_cert_pem() {
            Some(pem) => std::fs::write(path, pem),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "plain HTTP test server: no CA certificate",
            )),
        }
    }

    /// Issues a client certificate signed by this server's CA (accepted when mutual TLS is
    /// required). `None` for plain HTTP.
    pub fn issue_client_cert(&self, common_name: &str) -> Option<ClientIdentity> {
        self.pki.as_deref()?.issue_client(common_name).ok()
    }

    // --- modes -----------------------------------------------------------------------------

    /// Sets the mode of every request (path modes and queued modes take precedence).
    pub fn set_mode(&self, mode: Mode) {
        lock(&self.shared.modes).global = mode;
    }

    /// Sets the mode of requests to exactly `path` (no query), e.g. `/api/v1/attachments`.
    pub fn set_path_mode(&self, path: &str, mode: Mode) {
        lock(&self.shared.modes)
            .by_path
            .insert(path.to_owned(), mode);
    }

    /// Queues a mode for the next request only (queued modes are used first, in order).
    pub fn push_mode(&self, mode: Mode) {
        lock(&self.shared.modes).queue.push_back(mode);
    }

    /// When `true`, connections accepted from now on are held open and never read from: no TLS
    /// handshake, no HTTP (for connect/handshake timeout tests). They still count in
    /// [`connections_accepted`](Self::connections_accepted) and close at shutdown.
    pub fn set_silent(&self, silent: bool) {
        self.shared.silent.store(silent, Ordering::Relaxed);
    }

    /// Back to [`Mode::Normal`] everywhere, queue emptied.
    pub fn reset_modes(&self) {
        let mut modes = lock(&self.shared.modes);
        modes.global = Mode::Normal;
        modes.by_path.clear();
        modes.queue.clear();
    }

    // --- data ------------------------------------------------------------------------------

    /// Adds a user (or replaces the one with the same email). Bodies are rebuilt lazily.
    pub fn add_user(&self, user: User) {
        let mut db = lock(&self.shared.db);
        let entry = UserEntry {
            user,
            attachments_body: None,
        };
        match db.find_user(&entry.user.email) {
            Some(i) => {
                if let Some(slot) = db.users.get_mut(i) {
                    *slot = entry;
                }
            }
            None => db.users.push(entry),
        }
        db.invalidate();
    }

    /// Activates or deactivates a user. Returns false when there is no such user.
    pub fn set_user_active(&self, email: &str, active: bool) -> bool {
        let mut db = lock(&self.shared.db);
        let Some(entry) = db.find_user(email).and_then(|i| db.users.get_mut(i)) else {
            return false;
        };
        entry.user.active = active;
        true
    }

    /// Replaces a user's attachments. Returns false when there is no such user.
    pub fn set_attachments(&self, email: &str, attachments: Vec<Attachment>) -> bool {
        let mut db = lock(&self.shared.db);
        let Some(entry) = db.find_user(email).and_then(|i| db.users.get_mut(i)) else {
            return false;
        };
        entry.user.attachments = attachments;
        db.invalidate();
        true
    }

    /// A user's current attachments.
    pub fn attachments(&self, email: &str) -> Option<Vec<Attachment>> {
        let db = lock(&self.shared.db);
        db.find_user(email)
            .and_then(|i| db.users.get(i))
            .map(|e| e.user.attachments.clone())
    }

    /// The exact `GET /attachments` body this server sends `email` (no ignored parameters), as
    /// cached for serving. `None` when there is no such user.
    pub fn attachments_body(&self, email: &str) -> Option<Bytes> {
        let mut db = lock(&self.shared.db);
        let index = db.find_user(email)?;
        Some(db.attachments_body(&self.shared.profile, index, &[]))
    }

    /// The bytes the server stored for an uploaded file (`POST /user_uploads`), read from its
    /// storage directory. `None` for an unknown `path_id` or an attachment given in the
    /// configuration (which has no bytes).
    pub fn uploaded_file(&self, path_id: &str) -> Option<Vec<u8>> {
        let stored = lock(&self.shared.uploads).files.get(path_id).cloned()?;
        std::fs::read(stored.disk).ok()
    }

    /// Temporary URLs handed out and not yet expired.
    pub fn live_temporary_urls(&self) -> usize {
        let now = std::time::Instant::now();
        lock(&self.shared.uploads)
            .tokens
            .values()
            .filter(|(_, expiry)| *expiry > now)
            .count()
    }

    /// Changes (or with `None` disables) rate limiting; every window restarts.
    pub fn set_rate_limit(&self, rate_limit: Option<RateLimit>) {
        let mut rate = lock(&self.shared.rate);
        rate.config = rate_limit;
        rate.windows.clear();
    }

    /// Restarts every rate-limit window.
    pub fn reset_rate_limits(&self) {
        lock(&self.shared.rate).windows.clear();
    }

    // --- observation -----------------------------------------------------------------------

    /// The logged requests, oldest first (at most the configured capacity).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).records.iter().cloned().collect()
    }

    /// The most recent logged request.
    pub fn last_request(&self) -> Option<RequestRecord> {
        lock(&self.shared.log).records.back().cloned()
    }

    /// Empties the request log (counters are kept).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).records.clear();
    }

    /// Requests received since start (including those the log dropped).
    pub fn request_count(&self) -> u64 {
        self.shared.requests_received.load(Ordering::Relaxed)
    }

    /// TCP connections accepted since start: a client that reuses its connection keeps this at 1.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.connections_accepted.load(Ordering::Relaxed)
    }

    /// Connections currently open.
    pub fn open_connections(&self) -> u64 {
        self.shared.connections_open.load(Ordering::Relaxed)
    }

    /// Connections closed at once because `max_connections` were already open.
    pub fn connections_refused(&self) -> u64 {
        self.shared.connections_refused.load(Ordering::Relaxed)
    }

    /// TLS handshakes that failed or timed out (e.g. a client that does not trust the CA, or
    /// lacks the required client certificate).
    pub fn tls_handshake_failures(&self) -> u64 {
        self.shared.tls_handshake_failures.load(Ordering::Relaxed)
    }

    // --- lifecycle -------------------------------------------------------------------------

    /// Stops the server: closes the listener and every connection, joins the thread. Dropping
    /// the handle does the same.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    limit: Arc<Semaphore>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // EMFILE and friends: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let id = shared.connections_accepted.fetch_add(1, Ordering::Relaxed) + 1;
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    shared.connections_refused.fetch_add(1, Ordering::Relaxed);
                    drop(stream);
                    continue;
                };
                let shared = shared.clone();
                let acceptor = acceptor.clone();
                let silent = shared.silent.load(Ordering::Relaxed);
                tokio::spawn(async move {
                    shared.connections_open.fetch_add(1, Ordering::Relaxed);
                    let guard = OpenGuard(shared.clone());
                    if silent {
                        // Hold the socket, never read: no TLS handshake, no HTTP.
                        std::future::pending::<()>().await;
                    }
                    serve_connection(stream, acceptor, shared, id).await;
                    drop(guard);
                    drop(permit);
                });
            }
        }
    }
}

/// Decrements the open-connection gauge even when the task is dropped at shutdown.
struct OpenGuard(Arc<Shared>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
struct CloseConnection;

impl fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed by the test server")
    }
}

impl std::error::Error for CloseConnection {}

async fn serve_connection(
    stream: TcpStream,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    id: u64,
) {
    let _ = stream.set_nodelay(true);
    let service_shared = shared.clone();
    let service = service_fn(move |req| handle(service_shared.clone(), id, req));
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    match acceptor {
        None => {
            let _ = http1.serve_connection(TokioIo::new(stream), service).await;
        }
        Some(acceptor) => {
            let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                shared
                    .tls_handshake_failures
                    .fetch_add(1, Ordering::Relaxed);
                return;
            };
            if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            } else {
                let _ = http1.serve_connection(TokioIo::new(tls), service).await;
            }
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    connection_id: u64,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, CloseConnection> {
    let (parts, incoming) = request.into_parts();
    if uploads::is_upload(&parts) {
        // Uploads are read as a stream, never held whole.
        let mode = shared.take_mode(parts.uri.path());
        if let Mode::Normal | Mode::Delay(_) = mode {
            if let Mode::Delay(delay) = mode {
                tokio::time::sleep(delay).await;
            }
            return uploads::receive(&shared, connection_id, &parts, incoming)
                .await
                .ok_or(CloseConnection);
        }
        let (len, kept) = uploads::drain(incoming, shared.log_body_bytes)
            .await
            .ok_or(CloseConnection)?;
        uploads::record(&shared, connection_id, &parts, len, kept);
        return respond(&shared, &parts, mode, Bytes::new()).await;
    }
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let cap = shared.max_request_body;
    let body = if declared.is_some_and(|n| n > cap as u64) {
        Err(declared.unwrap_or(0))
    } else {
        match Limited::new(incoming, cap).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(cap as u64 + 1),
            Err(_) => return Err(CloseConnection),
        }
    };
    let body_len = match &body {
        Ok(bytes) => bytes.len() as u64,
        Err(len) => *len,
    };
    let logged_body = match &body {
        Ok(bytes) => bytes.slice(..bytes.len().min(shared.log_body_bytes)),
        Err(_) => Bytes::new(),
    };
    uploads::record(&shared, connection_id, &parts, body_len, logged_body);
    let Ok(body) = body else {
        let mut reply = body::html(413, wire::NGINX_413_HTML);
        reply
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return Ok(reply);
    };
    let mode = shared.take_mode(parts.uri.path());
    respond(&shared, &parts, mode, body).await
}

/// Answers a request whose body was read, according to `mode`.
async fn respond(
    shared: &Shared,
    parts: &http::request::Parts,
    mode: Mode,
    body: Bytes,
) -> Result<Response<ResponseBody>, CloseConnection> {
    let path = parts.uri.path().to_owned();
    let normal = || {
        let host = parts
            .headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("")
            .to_owned();
        let host = strip_port(&host).to_ascii_lowercase();
        routes::dispatch(
            shared,
            &parts.method,
            &path,
            parts.uri.query(),
            &parts.headers,
            host,
            body.clone(),
        )
    };
    Ok(match mode {
        Mode::Normal => normal(),
        Mode::Delay(delay) => {
            tokio::time::sleep(delay).await;
            normal()
        }
        Mode::Hang => {
            std::future::pending::<()>().await;
            return Err(CloseConnection);
        }
        Mode::Close => return Err(CloseConnection),
        Mode::StallBody => {
            let mut reply = Response::new(ResponseBody::stall(Bytes::from_static(
                b"{\"result\":\"success\",\"msg\":\"\",\"attachments\":[",
            )));
            reply
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            reply
        }
        Mode::Redirect {
            status,
            target,
            keep_path,
        } => {
            let mut location = target;
            if keep_path {
                location = location.trim_end_matches('/').to_owned();
                location.push_str(parts.uri.path_and_query().map_or("/", |pq| pq.as_str()));
            }
            let mut reply = Response::new(ResponseBody::empty());
            *reply.status_mut() = body::status_code(status);
            if let Ok(value) = HeaderValue::from_str(&location) {
                reply.headers_mut().insert(LOCATION, value);
            }
            reply.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            reply
        }
        Mode::BigBody {
            size,
            content_length,
        } => {
            let mut reply = Response::new(ResponseBody::padding(size, content_length));
            reply
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            reply
        }
        Mode::Raw(raw) => {
            let mut reply = Response::new(ResponseBody::full(raw.body));
            *reply.status_mut() = body::status_code(raw.status);
            for (name, value) in raw.headers {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    reply.headers_mut().append(name, value);
                }
            }
            reply
        }
    })
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}
