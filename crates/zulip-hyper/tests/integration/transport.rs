//! Connection reuse, body caps, timeouts, redirects, rate limits and the escape hatches,
//! against servers of our own on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http::{HeaderValue, Method, StatusCode};
use zulip_hyper::zulip_types::{
    Authentication, Credentials, FeatureLevel, GetAttachments, GetAttachmentsResponse,
};
use zulip_hyper::{Client, ClientBuilder, Error, RetryPolicy, TimeoutPhase};

use crate::support::{
    API_KEY, ATTACHMENTS, EMAIL, RawServer, TestServer, answer_raw, json, read_head,
};

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .site(url)
        .credentials(Credentials::new(EMAIL, API_KEY))
        .user_agent("zulip-hyper-tests/1.0")
}

const RATE_LIMITED: &str = r#"{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":0.05}"#;

fn rate_limited(retry_after_header: Option<&str>) -> crate::support::Reply {
    let mut reply = json(429, RATE_LIMITED);
    if let Some(value) = retry_after_header {
        reply
            .headers_mut()
            .insert("retry-after", HeaderValue::from_str(value).unwrap());
    }
    reply
        .headers_mut()
        .insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    reply
}

#[tokio::test]
async fn requests_share_one_kept_alive_connection_and_carry_zulip_types_headers() {
    let server = TestServer::start(|_| {
        let mut reply = json(200, ATTACHMENTS);
        let headers = reply.headers_mut();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("200"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("199"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1700000060"));
        reply
    })
    .await;
    let client = builder(&server.url()).build().unwrap();
    let clone = client.clone();
    for i in 0..6 {
        let which = if i % 2 == 0 { &client } else { &clone };
        let response = which.send_with_meta(&GetAttachments::new()).await.unwrap();
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.attempts, 1);
        assert_eq!(response.value.attachments.len(), 1);
        assert_eq!(response.rate_limit.limit, Some(200));
        assert_eq!(response.rate_limit.remaining, Some(199));
        assert_eq!(response.rate_limit.reset, Some(1_700_000_060));
        // Let hyper-util put the connection back in the pool (a background task does it once
        // the body is read) so that reuse, not timing, is what is measured.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        server.connections(),
        1,
        "keep-alive: one connection for all"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    let first = &requests[0];
    assert_eq!(first.method, Method::GET);
    assert_eq!(first.uri.path(), "/api/v1/attachments");
    assert_eq!(first.headers["accept"], "application/json");
    assert_eq!(first.headers["user-agent"], "zulip-hyper-tests/1.0");
    assert_eq!(
        first.headers["authorization"],
        "Basic aWFnb0B6dWxpcC5jb206UzNjcjN0SzN5LU5ldmVyUHJpbnRNZS0wMTIzNDU2Nzg5"
    );
    assert!(first.headers.contains_key("host"));
}

#[tokio::test]
async fn the_feature_level_reaches_the_parser() {
    // 1588145417 is seconds by magnitude, but milliseconds for a server below level 443.
    let server = TestServer::start(|_| json(200, ATTACHMENTS)).await;
    let unknown = builder(&server.url()).build().unwrap();
    let seconds =
        |r: &GetAttachmentsResponse| r.attachments[0].create_time.unwrap().as_unix_seconds();
    let response = unknown.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(seconds(&response), 1_588_145_417);

    let old = builder(&server.url())
        .feature_level(FeatureLevel::new(100))
        .build()
        .unwrap();
    assert_eq!(old.feature_level(), Some(FeatureLevel::new(100)));
    assert_eq!(
        seconds(&old.send(&GetAttachments::new()).await.unwrap()),
        1_588_145
    );

    // Learned later (the place a server_settings probe will fill), shared by clones.
    let clone = unknown.clone();
    unknown.set_feature_level(Some(FeatureLevel::new(100)));
    assert_eq!(
        seconds(&clone.send(&GetAttachments::new()).await.unwrap()),
        1_588_145
    );
    unknown.set_feature_level(None);
    assert_eq!(clone.response_context().feature_level, None);
}

#[tokio::test]
async fn success_and_error_bodies_have_their_own_caps() {
    let big = "x".repeat(100 * 1024);
    let body = big.clone();
    let server = TestServer::start(move |request| {
        let status = if request.uri.path().ends_with("/error") {
            400
        } else {
            200
        };
        json(status, &body)
    })
    .await;
    let client = builder(&server.url()).build().unwrap();

    // 100 KiB: fine for a success (default cap 256 MiB), too large for an error (64 KiB).
    let ok = client
        .request(Method::GET, "/ok", Authentication::Basic, None)
        .await
        .unwrap();
    assert_eq!(ok.body().len(), big.len());
    match client
        .request(Method::GET, "/error", Authentication::Basic, None)
        .await
    {
        Err(Error::BodyTooLarge { status, limit }) => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(limit, zulip_hyper::DEFAULT_MAX_ERROR_BODY_SIZE);
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }

    // A smaller success cap.
    let capped = builder(&server.url()).max_body_size(1024).build().unwrap();
    let error = capped
        .request(Method::GET, "/ok", Authentication::Basic, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                status: StatusCode::OK,
                limit: 1024
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("larger than the limit of 1024 bytes"),
        "{error}"
    );
}

#[tokio::test]
async fn the_cap_applies_to_chunked_bodies_without_a_length() {
    let server = RawServer::start(|stream| {
        let mut response = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..8 {
            response.extend_from_slice(b"400\r\n");
            response.extend_from_slice(&[b'x'; 0x400]);
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(b"0\r\n\r\n");
        answer_raw(stream, response, Duration::from_millis(100))
    })
    .await;
    let client = builder(&server.url()).max_body_size(4096).build().unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 4096, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn request_timeout_while_waiting_for_the_response() {
    // Accepts, reads the request, never answers.
    let server = RawServer::start(|mut stream| async move {
        read_head(&mut stream).await;
        // Far longer than any bound below: only the client's timeout can end the wait.
        tokio::time::sleep(Duration::from_secs(120)).await;
    })
    .await;
    let client = builder(&server.url())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    // Not a speed check: the server would hold the connection for 120 s, so an answer well
    // before that can only come from the client's own timeout.
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    match error {
        Error::Timeout { phase, limit } => {
            assert_eq!(phase, TimeoutPhase::Response);
            assert_eq!(limit, Duration::from_millis(300));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn request_timeout_while_reading_the_body() {
    let server = RawServer::start(|stream| {
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"result\":".to_vec();
        answer_raw(stream, head, Duration::from_secs(5))
    })
    .await;
    let client = builder(&server.url())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                phase: TimeoutPhase::Body,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_timeout());
    assert_eq!(
        error.to_string(),
        "timed out after 300ms reading the response body"
    );
}

#[tokio::test]
async fn connect_timeout_covers_the_tls_handshake() {
    // Accepts TCP, never says a TLS word.
    let server = RawServer::start(|stream| async move {
        // Far longer than any bound below: only the client's timeout can end the wait.
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(stream);
    })
    .await;
    let pki = crate::support::Pki::new("silent");
    let client = builder(&format!("https://{}", server.addr))
        .cert_bundle(pki.path("ca.pem"))
        .connect_timeout(Duration::from_millis(300))
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    // Not a speed check: the server would hold the connection for 120 s, so an answer well
    // before that can only come from the client's own timeout.
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(
        matches!(
            error,
            Error::Timeout { phase: TimeoutPhase::Connect, limit } if limit == Duration::from_millis(300)
        ),
        "{error:?}"
    );
}

/// A listener whose accept queue is full drops new SYNs (Linux), so connecting hangs: the TCP
/// connect itself times out. Everything stays on 127.0.0.1.
#[tokio::test]
async fn connect_timeout_against_a_full_backlog() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the accept queue (never accepted) until a connect attempt hangs.
    let mut held = Vec::new();
    let mut full = false;
    for _ in 0..16 {
        let attempt = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(addr),
        )
        .await;
        match attempt {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(_)) => break,
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    if !full {
        eprintln!(
            "backlog never filled on this system; the TLS-handshake test covers the connect timeout"
        );
        return;
    }
    let client = builder(&format!("http://{addr}"))
        .connect_timeout(Duration::from_millis(300))
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    drop((held, listener));
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let client = builder(&format!("http://{addr}")).build().unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    match &error {
        Error::Connect(transport) => {
            assert_eq!(
                transport.io_error_kind(),
                Some(std::io::ErrorKind::ConnectionRefused)
            );
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
    let shown = error.to_string();
    assert!(shown.starts_with("cannot connect: "), "{shown}");
    assert!(!shown.contains("client error"), "{shown}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = TestServer::start(|_| json(200, ATTACHMENTS)).await;
    let target = format!("{}/api/v1/attachments", elsewhere.url());
    let location = target.clone();
    let server = TestServer::start(move |_| {
        let mut reply = json(302, "");
        reply
            .headers_mut()
            .insert("location", HeaderValue::from_str(&location).unwrap());
        reply
    })
    .await;
    let client = builder(&server.url()).build().unwrap();
    match client.send(&GetAttachments::new()).await {
        Err(Error::Server(error)) => {
            assert_eq!(error.status(), StatusCode::FOUND);
            assert_eq!(error.location(), Some(target.as_str()));
        }
        other => panic!("expected the 302 as an error, got {other:?}"),
    }
    let raw = client.send_unparsed(&GetAttachments::new()).await.unwrap();
    assert_eq!(raw.status(), StatusCode::FOUND);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        elsewhere.connections(),
        0,
        "the other origin received nothing"
    );
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn a_429_is_a_typed_error_without_a_retry_policy() {
    let server = TestServer::start(|_| rate_limited(Some("0.05"))).await;
    let client = builder(&server.url()).build().unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(0.05));
    assert_eq!(error.rate_limit().and_then(|r| r.remaining), Some(0));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_retry_policy_waits_the_servers_float_retry_after() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = TestServer::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) < 2 {
            rate_limited(None)
        } else {
            json(200, ATTACHMENTS)
        }
    })
    .await;
    let client = builder(&server.url())
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(3)
                .max_total_wait(Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let response = client.send_with_meta(&GetAttachments::new()).await.unwrap();
    assert_eq!(response.attempts, 3);
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "waited 2 × 0.05 s"
    );
    assert_eq!(server.requests().len(), 3);

    // Out of attempts: the last 429 comes back.
    calls.store(0, Ordering::SeqCst);
    let error = client
        .with_retry_policy(Some(RetryPolicy::new().max_attempts(2)))
        .send(&GetAttachments::new())
        .await
        .unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn the_retry_policy_never_waits_beyond_its_budget() {
    let server = TestServer::start(|_| {
        json(
            429,
            r#"{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":40.5}"#,
        )
    })
    .await;
    let client = builder(&server.url())
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(5)
                .max_total_wait(Duration::from_secs(20)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    // Neither the server's 40.5 s nor the 20 s budget was slept: a wait that cannot fit the
    // budget is not started at all (a bound this loose cannot flake on a loaded machine).
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(error.retry_after(), Some(40.5));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_retry_without_a_retry_after_unless_configured() {
    let server = TestServer::start(|_| json(429, "<html>Too Many Requests</html>")).await;
    let client = builder(&server.url())
        .retry_policy(RetryPolicy::new())
        .build()
        .unwrap();
    assert!(
        client
            .send(&GetAttachments::new())
            .await
            .unwrap_err()
            .is_rate_limited()
    );
    assert_eq!(server.requests().len(), 1);

    let patient = client.with_retry_policy(Some(
        RetryPolicy::new()
            .max_attempts(2)
            .wait_without_retry_after(Duration::from_millis(20)),
    ));
    assert!(patient.send(&GetAttachments::new()).await.is_err());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn escape_hatches_for_unmodelled_endpoints_and_raw_responses() {
    let server = TestServer::start(|request| match request.uri.path() {
        "/api/v1/server_settings" => json(
            200,
            r#"{"result":"success","msg":"","zulip_feature_level":472}"#,
        ),
        "/api/v1/messages" => json(200, r#"{"result":"success","msg":"","id":42}"#),
        _ => json(200, ATTACHMENTS),
    })
    .await;
    let client = builder(&server.url()).build().unwrap();

    // Unauthenticated GET: no Authorization header.
    let settings = client
        .request(Method::GET, "/server_settings", Authentication::None, None)
        .await
        .unwrap();
    assert_eq!(settings.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let value: serde_json::Value = serde_json::from_slice(settings.body()).unwrap();
    assert_eq!(value["zulip_feature_level"], 472);

    // Authenticated POST with a form body.
    let form = (
        HeaderValue::from_static("application/x-www-form-urlencoded"),
        b"type=stream&to=general&topic=t&content=hi".to_vec(),
    );
    let sent = client
        .request(Method::POST, "/messages", Authentication::Basic, Some(form))
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(5)).await;

    // A modelled endpoint, raw, then parsed with the client's context.
    let raw = client.send_unparsed(&GetAttachments::new()).await.unwrap();
    let parsed: GetAttachmentsResponse = client.parse_response(&raw).unwrap();
    assert_eq!(parsed.attachments[0].id, 1);
    tokio::time::sleep(Duration::from_millis(5)).await;

    // A request built elsewhere, sent as it is.
    let request = http::Request::get(format!("{}/api/v1/attachments", server.url()))
        .body(Vec::new())
        .unwrap();
    assert_eq!(
        client.send_raw(request).await.unwrap().status(),
        StatusCode::OK
    );

    let requests = server.requests();
    assert!(!requests[0].headers.contains_key("authorization"));
    assert_eq!(requests[0].headers["accept"], "application/json");
    assert_eq!(requests[1].method, Method::POST);
    assert!(requests[1].headers.contains_key("authorization"));
    assert_eq!(
        requests[1].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        &requests[1].body[..],
        b"type=stream&to=general&topic=t&content=hi"
    );
    assert!(
        !requests[3].headers.contains_key("authorization"),
        "send_raw adds nothing"
    );
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn missing_credentials_are_a_build_error_and_nothing_is_sent() {
    let server = TestServer::start(|_| json(200, ATTACHMENTS)).await;
    let client = Client::builder().site(server.url()).build().unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    assert!(matches!(error, Error::Build(_)), "{error:?}");
    assert_eq!(server.connections(), 0);
}

#[test]
fn builder_errors_are_configuration_errors() {
    let no_site = Client::builder().build().unwrap_err();
    assert!(
        matches!(&no_site, Error::Config(e) if e.key() == Some("site")),
        "{no_site:?}"
    );
    let bad_site = Client::builder()
        .site("ftp://example.com")
        .build()
        .unwrap_err();
    assert!(bad_site.to_string().contains("ftp"), "{bad_site}");
    let bad_agent = Client::builder()
        .site("example.com")
        .user_agent("bad\nagent")
        .build()
        .unwrap_err();
    assert!(matches!(&bad_agent, Error::Config(e) if e.key() == Some("user_agent")));
}

#[test]
fn the_client_is_send_sync_and_its_futures_are_send() {
    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let client = Client::builder()
        .site("http://chat.example.com")
        .build()
        .unwrap();
    assert_send_sync(&client);
    let endpoint = GetAttachments::new();
    let future = client.send(&endpoint);
    assert_send(&future);
    let raw = client.request(Method::GET, "/x", Authentication::None, None);
    assert_send(&raw);
}
