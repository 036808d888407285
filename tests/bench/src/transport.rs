//! The transport benchmark's two clients and its server.
//!
//! Both clients send the identical request (built by zulip-types: `GET /api/v1/attachments`
//! with `Accept`, `User-Agent` and HTTP Basic) over keep-alive HTTP/1.1 connections to the test
//! server on 127.0.0.1, read the whole body and parse it with zulip-types:
//!
//! - [`zulip_hyper_get`]: `zulip_hyper::Client::send(&GetAttachments::new())`, with its
//!   timeouts, body caps and error classification;
//! - [`raw_get`]: what a user of hyper-util alone writes: a legacy `Client` over an
//!   `HttpConnector` (with `TCP_NODELAY`, as zulip-hyper sets it), each request made with
//!   `http::Request::builder()` from the URL and header values computed once (the same URL and
//!   headers zulip-types puts in its request), the body collected,
//!   `GetAttachmentsResponse::try_from_http_response`.
//!
//! The difference is what zulip-hyper adds on top of hyper (building the request with
//! zulip-types each time, timeouts, body caps, error classification): that is what the
//! benchmark measures.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use zulip_test_server::{
    DEMO_API_KEY, DEMO_EMAIL, Generation, ServerConfig, TestServer, User, sample,
};
use zulip_types::{
    Credentials, Endpoint, FeatureLevel, GetAttachments, GetAttachmentsResponse, IncomingResponse,
    RequestContext, ResponseContext, Site,
};

use crate::SEED;

/// The response sizes of the transport benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    /// The 14 realistic attachments of [`sample::user_attachments`] (about 2.5 kB of JSON).
    Small,
    /// 10 000 attachments of [`sample::many_attachments`] (about 1.7 MB of JSON).
    Large,
}

impl Size {
    /// Both sizes.
    pub const ALL: [Size; 2] = [Size::Small, Size::Large];

    /// `small` or `large`.
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Large => "large",
        }
    }

    /// From [`Size::name`].
    pub fn from_name(name: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|size| size.name() == name)
    }

    /// The attachments the demo user owns.
    pub fn attachments(self) -> Vec<zulip_test_server::Attachment> {
        match self {
            Size::Small => sample::user_attachments(SEED),
            Size::Large => sample::many_attachments(10_000, SEED),
        }
    }
}

/// The generation the benchmark server speaks (the current one).
pub const GENERATION: Generation = Generation::G4;

/// A test server on 127.0.0.1 pretending to be Zulip 12.0 (G4) whose demo user
/// ([`DEMO_EMAIL`] / [`DEMO_API_KEY`]) owns `size`'s attachments; rate limiting off (Zulip's
/// default of 200 requests a minute would stop a benchmark in a second), `worker_threads`
/// runtime threads. It stops when dropped.
pub fn start_server(size: Size, worker_threads: usize) -> TestServer {
    TestServer::start(server_config(size, worker_threads))
}

/// The configuration of [`start_server`].
pub fn server_config(size: Size, worker_threads: usize) -> ServerConfig {
    ServerConfig::generation(GENERATION)
        .user(User::new(DEMO_EMAIL, DEMO_API_KEY).with_attachments(size.attachments()))
        .rate_limit(None)
        .worker_threads(worker_threads)
}

/// The feature level of the benchmark server, as a client that asked `/server_settings` knows it.
pub fn feature_level() -> FeatureLevel {
    FeatureLevel::new(
        ServerConfig::generation(GENERATION)
            .feature_level()
            .unwrap_or(0),
    )
}

/// A zulip-hyper client for `site` as the demo user, knowing the server's feature level.
///
/// # Panics
/// If `site` is not a valid site.
pub fn zulip_hyper_client(site: &str) -> zulip_hyper::Client {
    zulip_hyper::Client::builder()
        .site(site)
        .credentials(Credentials::new(DEMO_EMAIL, DEMO_API_KEY))
        .feature_level(feature_level())
        .build()
        .expect("a zulip-hyper client")
}

/// One get-attachments with zulip-hyper: the number of attachments read.
///
/// # Panics
/// On any error (the benchmark server never fails).
pub async fn zulip_hyper_get(client: &zulip_hyper::Client) -> usize {
    let response = client
        .send(&GetAttachments::new())
        .await
        .expect("get-attachments with zulip-hyper");
    response.attachments.len()
}

/// A raw hyper-util client, the URL and the headers of its request.
#[derive(Clone, Debug)]
pub struct RawClient {
    http: HyperClient<HttpConnector, Full<Bytes>>,
    url: String,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    context: ResponseContext,
}

impl RawClient {
    /// A keep-alive client for `site` as the demo user.
    ///
    /// # Panics
    /// If `site` is not a valid site.
    pub fn new(site: &str) -> RawClient {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let http = HyperClient::builder(TokioExecutor::new()).build(connector);
        let context = RequestContext::new(Site::parse(site).expect("a site"))
            .with_credentials(Credentials::new(DEMO_EMAIL, DEMO_API_KEY));
        // The URL and header values zulip-types would send, computed once.
        let request = GetAttachments::new()
            .try_into_http_request(&context)
            .expect("the request");
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        RawClient {
            http,
            url: request.uri().to_string(),
            headers,
            context: ResponseContext::new().with_feature_level(feature_level()),
        }
    }
}

/// One get-attachments with the raw client: the number of attachments read.
///
/// # Panics
/// On any error (the benchmark server never fails).
pub async fn raw_get(client: &RawClient) -> usize {
    let mut builder = http::Request::builder()
        .method(http::Method::GET)
        .uri(client.url.as_str());
    for (name, value) in &client.headers {
        builder = builder.header(name, value.clone());
    }
    let request = builder.body(Full::new(Bytes::new())).expect("a request");
    let response = client.http.request(request).await.expect("a response");
    let (head, body) = response.into_parts();
    let body = body.collect().await.expect("the body").to_bytes();
    let response = http::Response::from_parts(head, body);
    let parsed = GetAttachmentsResponse::try_from_http_response(&response, &client.context)
        .expect("get-attachments with hyper-util");
    parsed.attachments.len()
}
