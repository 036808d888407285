//! Rate limits over real TCP: `X-RateLimit-*` headers surfaced to the caller, a 429 as a
//! typed error without a retry policy, and the retry policy waiting the server's float
//! `retry-after` (within its budget, and never without a retry-after).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zulip_hyper::zulip_types::{ErrorCode, GetAttachments, RateLimitHeaders};
use zulip_hyper::{Error, RetryPolicy};
use zulip_test_server::{Preset, RateLimit, ServerConfig, TestServer};
use zulip_tests::{client, fixture_attachments, user};

fn server(preset: Preset, rate_limit: RateLimit) -> TestServer {
    TestServer::start(
        ServerConfig::preset(preset)
            .user(user().with_attachments(fixture_attachments()))
            .rate_limit(Some(rate_limit)),
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn rate_limit_headers_reach_the_caller() {
    // A window far longer than the test: the counts are exact.
    let server = server(
        Preset::Zulip12_0,
        RateLimit::new(5, Duration::from_secs(600)),
    );
    let client = client(&server).build().unwrap();
    let before = now();
    for remaining in [4, 3, 2] {
        let response = client.send_with_meta(&GetAttachments::new()).await.unwrap();
        assert_eq!(response.attempts, 1);
        let RateLimitHeaders {
            limit,
            remaining: left,
            reset,
            ..
        } = response.rate_limit;
        assert_eq!((limit, left), (Some(5), Some(remaining)));
        // Absolute UNIX seconds, within the window.
        let reset = reset.unwrap();
        assert!(
            (before..=now() + 601).contains(&reset),
            "reset {reset}, now {}",
            now()
        );
        assert_eq!(
            response.headers["x-ratelimit-limit"], "5",
            "the raw headers are there too"
        );
    }

    // Without rate limiting the server sends none.
    server.set_rate_limit(None);
    let response = client.send_with_meta(&GetAttachments::new()).await.unwrap();
    assert!(response.rate_limit.is_empty());
}

#[tokio::test]
async fn a_429_without_a_retry_policy_is_a_typed_error() {
    for (preset, coded) in [(Preset::Zulip3_0, false), (Preset::Zulip12_0, true)] {
        let server = server(preset, RateLimit::new(2, Duration::from_secs(600)));
        let client = client(&server).build().unwrap();
        client.send(&GetAttachments::new()).await.unwrap();
        client.send(&GetAttachments::new()).await.unwrap();
        let error = client.send(&GetAttachments::new()).await.unwrap_err();
        assert!(error.is_rate_limited(), "{preset:?}: {error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
        let retry_after = error.retry_after().unwrap();
        assert!(
            retry_after > 0.0 && retry_after <= 600.0,
            "{preset:?}: {retry_after}"
        );
        let limits = error.rate_limit().unwrap();
        assert_eq!((limits.limit, limits.remaining), (Some(2), Some(0)));
        let server_error = error.as_server().unwrap();
        assert_eq!(server_error.msg(), Some("API usage exceeded rate limit"));
        // RATE_LIMIT_HIT from feature level 36 on.
        let code = coded.then_some(&ErrorCode::RateLimitHit);
        assert_eq!(server_error.code(), code, "{preset:?}");
        // Nothing retried.
        assert_eq!(server.request_count(), 3);
    }
}

#[tokio::test]
async fn the_retry_policy_waits_what_the_server_asks() {
    // One request per second: the second request of a pair is refused, then retried.
    let server = server(Preset::Zulip12_0, RateLimit::new(1, Duration::from_secs(1)));
    let client = client(&server)
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(5)
                .max_total_wait(Duration::from_secs(30)),
        )
        .build()
        .unwrap();
    let first = client.send_with_meta(&GetAttachments::new()).await.unwrap();
    assert_eq!(first.attempts, 1);
    let second = client.send_with_meta(&GetAttachments::new()).await.unwrap();
    assert!(second.attempts >= 2, "attempts: {}", second.attempts);
    assert_eq!(second.value.attachments.len(), 3);
    // Every attempt reached the server; all but the last of the second request were 429s.
    assert_eq!(server.request_count(), 1 + u64::from(second.attempts));
}

#[tokio::test]
async fn the_retry_policy_gives_up_when_the_wait_does_not_fit_or_is_unknown() {
    let patient_but_brief = RetryPolicy::new()
        .max_attempts(5)
        .max_total_wait(Duration::from_millis(50));
    // The server asks for up to 600 s: more than the budget, so the 429 comes back at once.
    let server = server(
        Preset::Zulip12_0,
        RateLimit::new(1, Duration::from_secs(600)),
    );
    let client = client(&server)
        .retry_policy(patient_but_brief)
        .build()
        .unwrap();
    client.send(&GetAttachments::new()).await.unwrap();
    assert!(
        client
            .send(&GetAttachments::new())
            .await
            .unwrap_err()
            .is_rate_limited()
    );
    assert_eq!(server.request_count(), 2);

    // `"retry-after": null` and no header: nothing to wait for, no retry.
    let server = server_with_null_retry_after();
    let client = zulip_tests::client(&server)
        .retry_policy(RetryPolicy::new().max_attempts(5))
        .build()
        .unwrap();
    client.send(&GetAttachments::new()).await.unwrap();
    let error = client.send(&GetAttachments::new()).await.unwrap_err();
    assert!(matches!(&error, Error::Server(e) if e.status() == 429));
    assert_eq!(error.retry_after(), None);
    assert_eq!(server.request_count(), 2);
}

fn server_with_null_retry_after() -> TestServer {
    server(
        Preset::Zulip12_0,
        RateLimit::new(1, Duration::from_secs(600)).with_null_retry_after(),
    )
}
