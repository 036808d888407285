//! The proof that `zulip-types` is sans-IO: a second, unrelated HTTP stack drives it against
//! the test server. [`zulip_tests::std_http`] is one HTTP/1.1 exchange written by hand over
//! `std::net::TcpStream` (no hyper, no tokio, no async); zulip-types builds every request and
//! reads every response, exactly as it does for zulip-hyper.

use std::time::Duration;

use zulip_test_server::{Mode, Preset, RateLimit, RawResponse, ServerConfig, TestServer};
use zulip_tests::std_http::{self, ExchangeError, Limits};
use zulip_tests::{
    API_KEY, EMAIL, assert_authenticated_as_test_user, credentials, expected_fixture,
    fixture_attachments, rows, user,
};
use zulip_types::{
    Credentials, Endpoint, ErrorCode, FeatureLevel, GetAttachments, GetAttachmentsResponse,
    IncomingResponse, RateLimitHeaders, RequestContext, ResponseContext, ResponseError, Site,
};

fn context(server: &TestServer, credentials: Credentials) -> RequestContext {
    RequestContext::new(Site::parse(&server.site()).unwrap())
        .with_credentials(credentials)
        .with_user_agent("std-http-e2e/1.0")
        .unwrap()
}

/// Build with zulip-types, move the bytes by hand, parse with zulip-types.
fn get_attachments(
    server: &TestServer,
    response_context: &ResponseContext,
) -> Result<GetAttachmentsResponse, ResponseError> {
    let request = GetAttachments::new()
        .try_into_http_request(&context(server, credentials()))
        .unwrap();
    let response = std_http::send(&request, &Limits::default()).unwrap();
    GetAttachmentsResponse::try_from_http_response(&response, response_context)
}

#[test]
fn every_generation_through_a_hand_written_http1_client() {
    for preset in Preset::ALL {
        let server = TestServer::start(
            ServerConfig::preset(preset).user(user().with_attachments(fixture_attachments())),
        );
        let level = FeatureLevel::new(preset.feature_level().unwrap_or(0));
        for response_context in [
            ResponseContext::new(),
            ResponseContext::new().with_feature_level(level),
        ] {
            let parsed = get_attachments(&server, &response_context)
                .unwrap_or_else(|e| panic!("{preset:?}: {e}"));
            let (attachments, upload_space_used) = expected_fixture(preset);
            assert_eq!(
                rows(&parsed),
                attachments,
                "{preset:?} {response_context:?}"
            );
            assert_eq!(parsed.upload_space_used, upload_space_used, "{preset:?}");
        }
        // What the server received is what zulip-types built: the same as through zulip-hyper.
        let record = server.last_request().unwrap();
        assert_eq!(record.method, "GET");
        assert_eq!(record.path_and_query, "/api/v1/attachments");
        assert_eq!(record.version, "HTTP/1.1");
        assert_eq!(record.accept(), Some("application/json"));
        assert_eq!(record.user_agent(), Some("std-http-e2e/1.0"));
        assert_eq!(
            record.header("host"),
            Some(format!("127.0.0.1:{}", server.port()).as_str())
        );
        assert_authenticated_as_test_user(&record);
        assert_eq!(server.requests().len(), 2);
    }
}

#[test]
fn chunked_bodies_errors_and_rate_limit_headers() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(user().with_attachments(fixture_attachments()))
            .rate_limit(Some(RateLimit::new(50, Duration::from_secs(600)))),
    );
    let request = GetAttachments::new()
        .try_into_http_request(&context(&server, credentials()))
        .unwrap();

    // The rate-limit headers of a success.
    let response = std_http::send(&request, &Limits::default()).unwrap();
    let limits = RateLimitHeaders::from_headers(response.headers());
    assert_eq!((limits.limit, limits.remaining), (Some(50), Some(49)));

    // A chunked success body.
    let body = String::from_utf8(server.attachments_body(EMAIL).unwrap().to_vec()).unwrap();
    server.set_mode(Mode::Raw(
        RawResponse::json(200, body).header("Transfer-Encoding", "chunked"),
    ));
    let response = std_http::send(&request, &Limits::default()).unwrap();
    assert_eq!(
        response.headers()["transfer-encoding"],
        "chunked",
        "the server did not chunk the body"
    );
    let parsed =
        GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new()).unwrap();
    assert_eq!(rows(&parsed), expected_fixture(Preset::Zulip12_0).0);

    // An nginx HTML page: a typed server error keeping the page.
    server.set_mode(Mode::Raw(RawResponse::nginx_502()));
    let response = std_http::send(&request, &Limits::default()).unwrap();
    let error = GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())
        .unwrap_err();
    let error = error.as_server().unwrap();
    assert_eq!(error.status(), 502);
    assert_eq!(
        error.raw_body(),
        Some(zulip_test_server::wire::NGINX_502_HTML.as_bytes())
    );

    // A wrong key: Zulip's 401.
    server.set_mode(Mode::Normal);
    let wrong = GetAttachments::new()
        .try_into_http_request(&context(
            &server,
            Credentials::new(EMAIL, "0123456789abcdefghijABCDEFGHIJ01"),
        ))
        .unwrap();
    let response = std_http::send(&wrong, &Limits::default()).unwrap();
    let error = GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())
        .unwrap_err();
    let error = error.as_server().unwrap();
    assert_eq!(error.status(), 401);
    assert_eq!(error.code(), Some(&ErrorCode::InvalidApiKey));
    assert_eq!(error.www_authenticate(), Some("Basic realm=\"zulip\""));
    assert!(!format!("{error} {error:?}").contains(API_KEY));
}

#[test]
fn reads_are_capped_and_sockets_time_out() {
    let server = TestServer::start(ServerConfig::preset(Preset::Zulip9_0).user(user()));
    let request = GetAttachments::new()
        .try_into_http_request(&context(&server, credentials()))
        .unwrap();
    let small = Limits {
        max_body: 64 * 1024,
        ..Limits::default()
    };
    for mode in [Mode::big_body(1 << 20), Mode::big_body_chunked(1 << 20)] {
        server.set_mode(mode.clone());
        assert!(
            matches!(
                std_http::send(&request, &small),
                Err(ExchangeError::TooLarge {
                    what: "body",
                    limit: 65536
                })
            ),
            "{mode:?}"
        );
    }

    let impatient = Limits {
        io_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    for mode in [Mode::Hang, Mode::StallBody] {
        server.set_mode(mode.clone());
        match std_http::send(&request, &impatient) {
            Err(error) => assert!(error.is_timeout(), "{mode:?}: {error}"),
            Ok(response) => panic!("{mode:?}: {response:?}"),
        }
    }

    // HTTPS is not this client's business: it says so instead of sending anything.
    let https = RequestContext::new(Site::parse("https://127.0.0.1:1").unwrap())
        .with_credentials(credentials());
    let request = GetAttachments::new().try_into_http_request(&https).unwrap();
    assert!(matches!(
        std_http::send(&request, &Limits::default()),
        Err(ExchangeError::Unsupported(_))
    ));
}

/// The guard: this stack shares nothing with zulip-hyper's. Its source imports only `std`,
/// `http` and its own items.
#[test]
fn the_second_stack_uses_no_async_runtime_and_no_hyper() {
    let source = include_str!("../src/std_http.rs");
    let code: Vec<&str> = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect();
    for forbidden in [
        "hyper",
        "tokio",
        "async",
        "await",
        "zulip_test_server",
        "rustls",
    ] {
        assert!(
            !code.iter().any(|line| line.contains(forbidden)),
            "std_http.rs mentions {forbidden} outside its documentation"
        );
    }
    for line in code.iter().filter(|line| line.starts_with("use ")) {
        assert!(
            ["use std::", "use http::", "use super::"]
                .iter()
                .any(|allowed| line.starts_with(allowed)),
            "unexpected import: {line}"
        );
    }
}
