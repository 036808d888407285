//! The connector: TCP (hyper-util), TLS (hyper-rustls, configured in `tls.rs`), one time limit
//! over both, and errors sorted into TCP, TLS and timeout.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::{BoxError, find_in_chain};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The stream a connection runs on.
pub(crate) type Stream = MaybeHttpsStream<TokioIo<TcpStream>>;

/// hyper-util's TCP connector, its errors tagged so they can be told apart from TLS errors.
#[derive(Clone, Debug)]
pub(crate) struct TcpConnector {
    inner: HttpConnector,
}

impl TcpConnector {
    pub(crate) fn new(connect_timeout: Duration) -> Self {
        let mut inner = HttpConnector::new();
        // The scheme is checked by the TLS layer (http and https are both allowed).
        inner.enforce_http(false);
        inner.set_nodelay(true);
        inner.set_connect_timeout(Some(connect_timeout));
        Self { inner }
    }
}

/// A TCP-level connect error (name resolution, refused, unreachable).
#[derive(Debug)]
pub(crate) struct TcpError(BoxError);

impl fmt::Display for TcpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for TcpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

impl Service<Uri> for TcpConnector {
    type Response = TokioIo<TcpStream>;
    type Error = TcpError;
    type Future = BoxFuture<Result<Self::Response, TcpError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TcpError>> {
        self.inner.poll_ready(cx).map_err(|e| TcpError(e.into()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        Box::pin(async move { connecting.await.map_err(|e| TcpError(e.into())) })
    }
}

/// Why a connection could not be made.
#[derive(Debug)]
pub(crate) enum ConnectFailure {
    Tcp(BoxError),
    Tls(BoxError),
    Timeout(Duration),
}

impl ConnectFailure {
    fn classify(error: BoxError, timeout: Duration) -> Self {
        if find_in_chain::<TcpError>(&*error).is_some() {
            // hyper-util's own per-address limit (a share of ours) also reports `TimedOut`.
            let timed_out = find_in_chain::<std::io::Error>(&*error)
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
            if timed_out {
                Self::Timeout(timeout)
            } else {
                Self::Tcp(error)
            }
        } else {
            // Everything after TCP is the TLS layer: the handshake, its I/O, the server name.
            Self::Tls(error)
        }
    }
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp(error) | Self::Tls(error) => error.fmt(f),
            Self::Timeout(limit) => write!(f, "connect timeout ({limit:?}) reached"),
        }
    }
}

impl StdError for ConnectFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Tcp(error) | Self::Tls(error) => Some(&**error),
            Self::Timeout(_) => None,
        }
    }
}

/// The connector given to hyper-util's pool: TLS over TCP, under one connect time limit.
#[derive(Clone)]
pub(crate) struct Connector {
    inner: HttpsConnector<TcpConnector>,
    timeout: Duration,
}

impl Connector {
    pub(crate) fn new(inner: HttpsConnector<TcpConnector>, timeout: Duration) -> Self {
        Self { inner, timeout }
    }
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Service<Uri> for Connector {
    type Response = Stream;
    type Error = ConnectFailure;
    type Future = BoxFuture<Result<Stream, ConnectFailure>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ConnectFailure>> {
        let timeout = self.timeout;
        self.inner
            .poll_ready(cx)
            .map_err(|error| ConnectFailure::classify(error, timeout))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let timeout = self.timeout;
        #[cfg(feature = "tracing")]
        let span = tracing::debug_span!(
            "zulip.connect",
            host = uri.host().unwrap_or(""),
            port = uri.port_u16()
        );
        let connecting = self.inner.call(uri);
        let future = async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(Ok(stream)) => Ok(stream),
                Ok(Err(error)) => Err(ConnectFailure::classify(error, timeout)),
                Err(_) => Err(ConnectFailure::Timeout(timeout)),
            }
        };
        #[cfg(feature = "tracing")]
        let future = tracing::Instrument::instrument(future, span);
        Box::pin(future)
    }
}
