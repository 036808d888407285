//! Rate limiting: `X-RateLimit-*` headers on authenticated answers, 429 shapes per feature level.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Conn, basic, get_as, request};
use zulip_test_server::{Preset, RateLimit, ServerConfig, TestServer, User};

const EMAIL: &str = "iago@zulip.com";
const KEY: &str = "key";
const WINDOW: Duration = Duration::from_secs(1);

fn server(preset: Preset, limit: RateLimit) -> TestServer {
    TestServer::start(
        ServerConfig::preset(preset)
            .rate_limit(Some(limit))
            .user(User::new(EMAIL, KEY))
            .user(User::new("hamlet@zulip.com", "key2")),
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// Splits a 429 body into (prefix before the number, the number's text).
fn retry_after_text(body: &str) -> (&str, &str) {
    let (prefix, rest) = body
        .split_once("\"retry-after\":")
        .expect("retry-after key");
    let number = rest.strip_suffix("}\n").expect("ends the object");
    (prefix, number)
}

#[test]
fn headers_count_down_then_429_then_the_window_reopens() {
    let server = server(Preset::Zulip12_0, RateLimit::new(3, WINDOW));
    let mut conn = Conn::connect(server.addr());
    let auth = basic(EMAIL, KEY);
    let mut get = || {
        conn.request(
            "GET",
            "/api/v1/attachments",
            &[("Authorization", &auth)],
            b"",
        )
        .expect("response")
    };
    let before = now();
    for remaining in ["2", "1", "0"] {
        let response = get();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(response.header("x-ratelimit-remaining"), Some(remaining));
        let reset: u64 = response
            .header("x-ratelimit-reset")
            .expect("reset")
            .parse()
            .expect("integer seconds");
        assert!(reset >= before && reset <= now() + 1, "{reset}");
    }
    let limited = get();
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("content-type"), Some("application/json"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(limited.header("x-ratelimit-limit"), Some("3"));
    let text = limited.text();
    let (prefix, number) = retry_after_text(&text);
    assert_eq!(
        prefix,
        r#"{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","#
    );
    assert!(number.contains('.'), "a float: {number}");
    let seconds: f64 = number.parse().expect("float");
    assert!(
        seconds > 0.0 && seconds <= WINDOW.as_secs_f64(),
        "{seconds}"
    );
    assert_eq!(limited.header("retry-after"), Some(number));

    // Another user has a window of their own.
    let other = get_as(&server, "/api/v1/attachments", "hamlet@zulip.com", "key2");
    assert_eq!(other.status, 200);
    assert_eq!(other.header("x-ratelimit-remaining"), Some("2"));

    std::thread::sleep(Duration::from_secs_f64(seconds) + Duration::from_millis(20));
    let again = get();
    assert_eq!(again.status, 200);
    assert_eq!(again.header("x-ratelimit-remaining"), Some("2"));
}

#[test]
fn before_fl_36_the_429_has_no_code() {
    for preset in [Preset::Zulip2_1, Preset::Zulip3_0] {
        let server = server(preset, RateLimit::new(1, Duration::from_secs(30)));
        assert_eq!(
            get_as(&server, "/api/v1/attachments", EMAIL, KEY).status,
            200
        );
        let limited = get_as(&server, "/api/v1/attachments", EMAIL, KEY);
        assert_eq!(limited.status, 429);
        let text = limited.text();
        let (prefix, number) = retry_after_text(&text);
        assert_eq!(
            prefix,
            r#"{"result":"error","msg":"API usage exceeded rate limit","#
        );
        let seconds: f64 = number.parse().expect("float");
        assert!(seconds > 25.0 && seconds <= 30.0, "{seconds}");
        assert_eq!(limited.header("retry-after"), Some(number));
    }
}

#[test]
fn retry_after_can_be_null() {
    let server = server(
        Preset::Zulip9_0,
        RateLimit::new(1, Duration::from_secs(30)).with_null_retry_after(),
    );
    get_as(&server, "/api/v1/attachments", EMAIL, KEY);
    let limited = get_as(&server, "/api/v1/attachments", EMAIL, KEY);
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.text(),
        "{\"result\":\"error\",\"msg\":\"API usage exceeded rate limit\",\"code\":\"RATE_LIMIT_HIT\",\"retry-after\":null}\n"
    );
    assert_eq!(limited.header("retry-after"), None);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
}

#[test]
fn unauthenticated_and_unlimited_answers_carry_no_headers() {
    let server = server(
        Preset::Zulip12_0,
        RateLimit::new(1, Duration::from_secs(30)),
    );
    let settings = request(&server, "GET", "/api/v1/server_settings", &[]);
    assert_eq!(settings.header("x-ratelimit-limit"), None);
    let refused = get_as(&server, "/api/v1/attachments", EMAIL, "wrong");
    assert_eq!(refused.header("x-ratelimit-limit"), None);

    server.set_rate_limit(None);
    for _ in 0..3 {
        let response = get_as(&server, "/api/v1/attachments", EMAIL, KEY);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("x-ratelimit-limit"), None);
    }
    server.set_rate_limit(Some(RateLimit::new(1, Duration::from_secs(30))));
    assert_eq!(
        get_as(&server, "/api/v1/attachments", EMAIL, KEY).status,
        200
    );
    assert_eq!(
        get_as(&server, "/api/v1/attachments", EMAIL, KEY).status,
        429
    );
    server.reset_rate_limits();
    assert_eq!(
        get_as(&server, "/api/v1/attachments", EMAIL, KEY).status,
        200
    );
}

#[test]
fn default_is_zulips_200_per_minute() {
    let server = TestServer::start(ServerConfig::default().user(User::new(EMAIL, KEY)));
    let response = get_as(&server, "/api/v1/attachments", EMAIL, KEY);
    assert_eq!(response.header("x-ratelimit-limit"), Some("200"));
    assert_eq!(response.header("x-ratelimit-remaining"), Some("199"));
    let reset: u64 = response
        .header("x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset >= now() + 58 && reset <= now() + 60, "{reset}");
}
