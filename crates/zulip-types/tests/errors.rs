//! Every error shape of WIRE-NOTES (tests/fixtures/errors/*.http), read by
//! `GetAttachmentsResponse::try_from_http_response`: what each becomes, and how it prints.

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::{fixture_names, http_fixture, ok_json, parse_http};
use zulip_types::{
    ErrorBody, ErrorCode, FeatureLevel, GetAttachmentsResponse, IncomingResponse, ParseError,
    ParseErrorKind, RateLimitHeaders, ResponseContext, ResponseError, ServerError,
};

/// Every error fixture. The tests below say what each must give.
const FIXTURES: [&str; 23] = [
    "200-float-with-fraction.http",
    "200-html-login-page.http",
    "200-number-above-2-53.http",
    "200-result-error.http",
    "200-truncated-json.http",
    "200-unknown-result.http",
    "200-wrong-type-deep.http",
    "400-bad-request-invalid-attachment.http",
    "400-realm-upload-quota.http",
    "400-unknown-code.http",
    "401-invalid-api-key.http",
    "401-unauthorized.http",
    "403-user-deactivated-before-fl76-no-code.http",
    "403-user-deactivated-before-fl76.http",
    "404-html.http",
    "405-method-not-allowed.http",
    "413-html-proxy.http",
    "429-before-fl36-no-code.http",
    "429-rate-limit-hit.http",
    "429-retry-after-null.http",
    "500-internal-server-error.http",
    "502-html-proxy.http",
    "504-html-proxy.http",
];

fn read(name: &str, level: Option<u32>) -> ResponseError {
    let context = match level {
        Some(level) => ResponseContext::new().with_feature_level(FeatureLevel::new(level)),
        None => ResponseContext::new(),
    };
    match GetAttachmentsResponse::try_from_http_response(&http_fixture(name), &context) {
        Ok(parsed) => panic!("{name} parsed as {parsed:?}"),
        Err(error) => error,
    }
}

fn server(name: &str) -> ServerError {
    let error = read(name, None);
    match error.as_server() {
        Some(server) => server.clone(),
        None => panic!("{name}: {error:?}"),
    }
}

fn parse_error(name: &str) -> ParseError {
    let error = read(name, None);
    match error.as_parse() {
        Some(parse) => parse.clone(),
        None => panic!("{name}: {error:?}"),
    }
}

/// The body of a fixture (after the empty line), as the loader gives it.
fn body_len(name: &str) -> usize {
    http_fixture(name).body().len()
}

/// Display, Debug and every typed field of an error, for a snapshot.
fn render(name: &str, error: &ResponseError) -> String {
    let mut out = String::new();
    writeln!(out, "fixture: errors/{name}").unwrap();
    writeln!(out, "display: {error}").unwrap();
    writeln!(out, "debug: {error:#?}").unwrap();
    writeln!(out, "fields:").unwrap();
    if let Some(error) = error.as_server() {
        writeln!(out, "  domain: server").unwrap();
        writeln!(out, "  status: {}", error.status()).unwrap();
        writeln!(out, "  code: {:?}", error.code().map(ErrorCode::as_str)).unwrap();
        writeln!(out, "  msg: {:?}", error.msg()).unwrap();
        let extra: Vec<String> = error
            .zulip_error()
            .map(|zulip| {
                zulip
                    .extra
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect()
            })
            .unwrap_or_default();
        writeln!(out, "  extra: {extra:?}").unwrap();
        writeln!(out, "  retry_after: {:?}", error.retry_after()).unwrap();
        writeln!(
            out,
            "  retry_after_duration: {:?}",
            error.retry_after_duration()
        )
        .unwrap();
        writeln!(out, "  is_rate_limited: {}", error.is_rate_limited()).unwrap();
        writeln!(out, "  rate_limit: {:?}", error.rate_limit()).unwrap();
        writeln!(out, "  www_authenticate: {:?}", error.www_authenticate()).unwrap();
        writeln!(out, "  content_type: {:?}", error.content_type()).unwrap();
        writeln!(
            out,
            "  raw_body_len: {:?}",
            error.raw_body().map(<[u8]>::len)
        )
        .unwrap();
    } else if let Some(error) = error.as_parse() {
        writeln!(out, "  domain: parse").unwrap();
        writeln!(out, "  kind: {:?}", error.kind()).unwrap();
        writeln!(out, "  status: {}", error.status()).unwrap();
        writeln!(out, "  path: {:?}", error.path()).unwrap();
        writeln!(out, "  detail: {:?}", error.detail()).unwrap();
        writeln!(out, "  line: {}, column: {}", error.line(), error.column()).unwrap();
        writeln!(out, "  content_type: {:?}", error.content_type()).unwrap();
        writeln!(out, "  body_len: {:?}", error.body().map(<[u8]>::len)).unwrap();
    } else {
        panic!("neither a server nor a parse error: {error:?}");
    }
    out
}

#[test]
fn every_fixture_is_listed() {
    assert_eq!(fixture_names("errors", "http"), FIXTURES);
}

#[test]
fn snapshots_of_every_error_fixture() {
    for name in FIXTURES {
        let error = read(name, None);
        // The feature level changes nothing in how errors are read.
        let with_level = read(name, Some(472));
        assert_eq!(render(name, &error), render(name, &with_level), "{name}");
        let stem = name.trim_end_matches(".http");
        insta::assert_snapshot!(stem.to_owned(), render(name, &error));
    }
}

#[test]
fn non_2xx_errors_read_the_same_through_server_error_from_response() {
    for name in FIXTURES {
        let response = http_fixture(name);
        if response.status().is_success() {
            continue;
        }
        assert_eq!(
            Some(&ServerError::from_response(&response)),
            read(name, None).as_server(),
            "{name}"
        );
    }
}

#[track_caller]
fn assert_zulip(
    error: &ServerError,
    status: u16,
    code: Option<ErrorCode>,
    msg: &str,
    extra_keys: &[&str],
) {
    assert_eq!(error.status(), status);
    assert_eq!(error.code(), code.as_ref());
    assert_eq!(error.msg(), Some(msg));
    let keys: Vec<&str> = error
        .zulip_error()
        .unwrap()
        .extra
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, extra_keys);
    assert_eq!(error.content_type(), Some("application/json"));
    assert_eq!(error.raw_body(), None);
}

#[test]
fn coded_errors_keep_status_code_and_msg() {
    let error = server("400-bad-request-invalid-attachment.http");
    assert_zulip(
        &error,
        400,
        Some(ErrorCode::BadRequest),
        "Invalid attachment",
        &[],
    );
    assert!(!error.is_rate_limited());
    assert_eq!(error.retry_after(), None);
    assert!(error.rate_limit().is_empty());
    assert_eq!(
        error.to_string(),
        "server error 400 Bad Request BAD_REQUEST: Invalid attachment"
    );

    let error = server("400-realm-upload-quota.http");
    assert_zulip(
        &error,
        400,
        Some(ErrorCode::RealmUploadQuota),
        "Upload would exceed your organization's upload quota.",
        &[],
    );

    let error = server("403-user-deactivated-before-fl76.http");
    assert_zulip(
        &error,
        403,
        Some(ErrorCode::UserDeactivated),
        "Account is deactivated",
        &[],
    );
    let error = server("403-user-deactivated-before-fl76-no-code.http");
    assert_zulip(&error, 403, None, "Account is deactivated", &[]);
    assert_eq!(
        error.to_string(),
        "server error 403 Forbidden: Account is deactivated"
    );
}

#[test]
fn unauthorized_errors_carry_www_authenticate() {
    let error = server("401-unauthorized.http");
    assert_zulip(
        &error,
        401,
        Some(ErrorCode::Unauthorized),
        "Not logged in: API authentication or user session required",
        &[],
    );
    assert_eq!(error.www_authenticate(), Some("Basic realm=\"zulip\""));

    let error = server("401-invalid-api-key.http");
    assert_zulip(
        &error,
        401,
        Some(ErrorCode::InvalidApiKey),
        "Invalid API key",
        &[],
    );
    assert_eq!(error.www_authenticate(), Some("Basic realm=\"zulip\""));
}

#[test]
fn unknown_codes_are_kept_as_their_wire_string() {
    let error = server("400-unknown-code.http");
    let code = error.code().unwrap();
    assert!(matches!(code, ErrorCode::Other(_)), "{code:?}");
    assert_eq!(code.as_str(), "SOME_FUTURE_CODE");
    assert_eq!(
        error.extra("future_detail"),
        Some(&serde_json::json!({"ids": [1, 2]}))
    );
}

#[test]
fn errors_without_code_405_and_500() {
    let error = server("405-method-not-allowed.http");
    assert_zulip(
        &error,
        405,
        None,
        "Method Not Allowed",
        &["allowed_methods"],
    );
    assert_eq!(
        error.extra("allowed_methods"),
        Some(&serde_json::json!(["GET"]))
    );
    assert_eq!(
        error.to_string(),
        "server error 405 Method Not Allowed: Method Not Allowed"
    );

    let error = server("500-internal-server-error.http");
    assert_zulip(&error, 500, None, "Internal server error", &[]);
}

#[test]
fn rate_limit_errors() {
    let error = server("429-rate-limit-hit.http");
    assert_zulip(
        &error,
        429,
        Some(ErrorCode::RateLimitHit),
        "API usage exceeded rate limit",
        &["retry-after"],
    );
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(28.706_807_374_954_224));
    let wait = error.retry_after_duration().unwrap();
    assert!(
        wait > Duration::from_millis(28_706) && wait < Duration::from_millis(28_707),
        "{wait:?}"
    );
    let limits = error.rate_limit();
    assert_eq!(
        (limits.limit, limits.remaining, limits.reset),
        (Some(200), Some(0), Some(1_700_000_029))
    );
    assert_eq!(
        error.to_string(),
        "server error 429 Too Many Requests RATE_LIMIT_HIT: API usage exceeded rate limit; \
         retry after 28.706807374954224 s"
    );

    let error = server("429-retry-after-null.http");
    assert_zulip(
        &error,
        429,
        Some(ErrorCode::RateLimitHit),
        "API usage exceeded rate limit",
        &["retry-after"],
    );
    assert_eq!(error.extra("retry-after"), Some(&serde_json::Value::Null));
    assert_eq!(error.retry_after(), None);
    assert_eq!(error.retry_after_duration(), None);
    assert!(error.is_rate_limited());
    let limits = error.rate_limit();
    assert_eq!(
        (limits.limit, limits.remaining, limits.reset),
        (None, Some(0), None)
    );

    // Before feature level 36: no `code`; the status alone says it is a rate limit.
    let error = server("429-before-fl36-no-code.http");
    assert_zulip(
        &error,
        429,
        None,
        "API usage exceeded rate limit",
        &["retry-after"],
    );
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(28.706_807_374_954_224));
    assert_eq!(error.rate_limit().reset, Some(1_600_000_029));
}

#[test]
fn retry_after_falls_back_to_the_header() {
    let response = http::Response::builder()
        .status(429)
        .header("Retry-After", "3.5")
        .body(&br#"{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":null}"#[..])
        .unwrap();
    let error = ServerError::from_response(&response);
    assert_eq!(error.retry_after(), Some(3.5));
    assert_eq!(
        error.retry_after_duration(),
        Some(Duration::from_millis(3500))
    );
}

#[test]
fn html_pages_are_kept_raw() {
    let cases = [
        (
            "404-html.http",
            404,
            "text/html; charset=utf-8",
            "Page not found",
        ),
        (
            "413-html-proxy.http",
            413,
            "text/html",
            "413 Request Entity Too Large",
        ),
        ("502-html-proxy.http", 502, "text/html", "502 Bad Gateway"),
        (
            "504-html-proxy.http",
            504,
            "text/html",
            "504 Gateway Time-out",
        ),
    ];
    for (name, status, content_type, text) in cases {
        let error = server(name);
        assert_eq!(error.status(), status, "{name}");
        assert_eq!(error.content_type(), Some(content_type), "{name}");
        assert_eq!(error.code(), None, "{name}");
        assert_eq!(error.msg(), None, "{name}");
        assert!(matches!(error.body(), ErrorBody::NotJson(_)), "{name}");
        let raw = String::from_utf8(error.raw_body().unwrap().to_vec()).unwrap();
        assert!(raw.contains(text), "{name}: {raw}");
        assert_eq!(raw.len(), body_len(name));
        assert!(!error.is_rate_limited(), "{name}");
        let display = error.to_string();
        assert!(
            display.ends_with(&format!(
                "with a non-JSON body ({} bytes, {content_type})",
                raw.len()
            )),
            "{display}"
        );
        // Debug shows the length, never the page.
        let debug = format!("{error:?}");
        assert!(!debug.contains(text), "{debug}");
    }
}

#[test]
fn success_status_with_result_error_is_a_server_error() {
    let error = server("200-result-error.http");
    assert_zulip(
        &error,
        200,
        Some(ErrorCode::BadRequest),
        "Invalid attachment",
        &[],
    );
}

#[test]
fn success_needs_both_a_2xx_status_and_result_success() {
    let body = br#"{"result":"success","msg":"","attachments":[]}"#.to_vec();
    let mut response = ok_json(body.clone());
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    let error = GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())
        .unwrap_err();
    let error = error.as_server().unwrap();
    assert_eq!(error.status(), 500);
    // Not Zulip's error shape (`result` is not "error"): kept as other JSON.
    assert!(matches!(error.body(), ErrorBody::OtherJson(_)), "{error:?}");

    let no_result = ok_json(br#"{"msg":"","attachments":[]}"#.to_vec());
    let error = GetAttachmentsResponse::try_from_http_response(&no_result, &ResponseContext::new())
        .unwrap_err();
    let error = error.as_parse().unwrap();
    assert_eq!(error.kind(), ParseErrorKind::UnexpectedResult);
    assert_eq!(error.path(), "result");

    let ok = ok_json(body);
    let parsed =
        GetAttachmentsResponse::try_from_http_response(&ok, &ResponseContext::new()).unwrap();
    assert!(parsed.attachments.is_empty());
}

#[test]
fn unknown_result_is_a_parse_error_keeping_the_body() {
    let error = parse_error("200-unknown-result.http");
    assert_eq!(error.kind(), ParseErrorKind::UnexpectedResult);
    assert_eq!(error.status(), 200);
    assert_eq!(error.path(), "result");
    assert_eq!(
        error.body(),
        Some(&b"{\"result\":\"partial\",\"msg\":\"\",\"attachments\":[]}\n"[..])
    );
    assert_eq!(
        error.to_string(),
        "unexpected response: `result` is \"partial\", expected \"success\" or \"error\""
    );
}

#[test]
fn non_json_success_bodies_are_parse_errors_keeping_the_body() {
    for (name, content_type) in [
        ("200-html-login-page.http", "text/html; charset=utf-8"),
        ("200-truncated-json.http", "application/json"),
    ] {
        let error = parse_error(name);
        assert_eq!(error.kind(), ParseErrorKind::NotJson, "{name}");
        assert_eq!(error.path(), "", "{name}");
        assert_eq!(error.content_type(), Some(content_type), "{name}");
        assert_eq!(
            error.body().map(<[u8]>::len),
            Some(body_len(name)),
            "{name}"
        );
        assert!(
            error.to_string().starts_with(&format!(
                "response body is not JSON (Content-Type {content_type}): "
            )),
            "{error}"
        );
    }
}

#[test]
fn shape_errors_name_the_json_path() {
    let cases = [
        (
            "200-wrong-type-deep.http",
            "attachments[3].create_time",
            "invalid type: string \"1588145420000\"",
        ),
        (
            "200-float-with-fraction.http",
            "attachments[1].messages[0].name",
            "1588145448000.5",
        ),
        (
            "200-number-above-2-53.http",
            "attachments[0].messages[0].date_sent",
            "9007199254740993",
        ),
    ];
    for (name, path, detail) in cases {
        for level in [None, Some(0), Some(472)] {
            let error = read(name, level);
            let error = error
                .as_parse()
                .unwrap_or_else(|| panic!("{name}: {error:?}"));
            assert_eq!(error.kind(), ParseErrorKind::Shape, "{name}");
            assert_eq!(error.status(), 200, "{name}");
            assert_eq!(error.path(), path, "{name}");
            assert!(
                error.detail().contains(detail),
                "{name}: {}",
                error.detail()
            );
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("unexpected response at `{path}`: ")),
                "{error}"
            );
            assert!(error.line() >= 1 && error.column() >= 1, "{name}");
            // The body of a JSON response is not kept: the path says where the problem is.
            assert_eq!(error.body(), None, "{name}");
        }
    }
}

#[test]
fn rate_limit_headers_on_their_own() {
    let response = http_fixture("429-rate-limit-hit.http");
    assert_eq!(
        RateLimitHeaders::from_headers(response.headers()),
        ServerError::from_response(&response).rate_limit()
    );
    assert_eq!(
        zulip_types::retry_after_header(response.headers()),
        Some(28.706_807_374_954_224)
    );
}

#[test]
fn the_http_fixture_format_reads_status_headers_and_body_exactly() {
    let response = parse_http(
        b"HTTP/1.1 401 Unauthorized\r\nA: 1\nWWW-Authenticate: Basic realm=\"zulip\"\nA: 2\n\n{\n}\n\n",
    )
    .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Basic realm=\"zulip\""
    );
    let a: Vec<_> = response.headers().get_all("a").iter().collect();
    assert_eq!(a, ["1", "2"]);
    assert_eq!(response.body(), b"{\n}\n\n");
    assert!(parse_http(b"HTTP/1.1 200 OK\nno-empty-line").is_err());
    assert!(parse_http(b"HTTP/2 200\n\n").is_err());
}

#[test]
fn json_nesting_beyond_serde_json_recursion_limit() {
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let read = |body: String| {
        GetAttachmentsResponse::try_from_http_response(
            &ok_json(body.into_bytes()),
            &ResponseContext::new(),
        )
    };
    // An unknown field is skipped without building it: any depth is fine.
    let parsed = read(format!(
        r#"{{"result":"success","msg":"","attachments":[],"future":{}}}"#,
        nested(1000)
    ))
    .unwrap();
    assert!(parsed.attachments.is_empty());
    // The legacy message key `name` is built as a JSON value to see whether it is a number:
    // beyond 128 levels serde_json refuses it as a syntax error, so the body is "not JSON".
    let body = format!(
        r#"{{"result":"success","msg":"","attachments":[{{"id":1,"name":"a","path_id":"p","messages":[{{"id":2,"name":{}}}]}}]}}"#,
        nested(200)
    );
    let error = read(body.clone()).unwrap_err();
    let error = error.as_parse().unwrap();
    assert_eq!(error.kind(), ParseErrorKind::NotJson);
    assert!(error.detail().contains("recursion limit"), "{error}");
    assert_eq!(error.body(), Some(body.as_bytes()));
    // 100 levels there are fine (and not a send time).
    let parsed = read(format!(
        r#"{{"result":"success","msg":"","attachments":[{{"id":1,"name":"a","path_id":"p","messages":[{{"id":2,"name":{}}}]}}]}}"#,
        nested(100)
    ))
    .unwrap();
    assert_eq!(parsed.attachments[0].messages[0].date_sent, None);
    // An error body too deep to build is kept raw.
    let response = http::Response::builder()
        .status(400)
        .body(format!(r#"{{"result":"error","msg":"x","extra":{}}}"#, nested(200)).into_bytes())
        .unwrap();
    let error = ServerError::from_response(&response);
    assert!(matches!(error.body(), ErrorBody::NotJson(_)), "{error:?}");
}
