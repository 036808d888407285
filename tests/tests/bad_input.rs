//! Every kind of bad input tried on the parsers that exist, and what the user gets: each test
//! here is a row of the table in `docs/robustness.md`, which quotes the `Display` texts asserted
//! below. Keep the two in step.

use std::sync::Mutex;
use std::thread;

use http::{HeaderMap, HeaderValue, StatusCode};
use peak_alloc::PeakAlloc;
use serde_json::json;
use zulip_types::{
    ErrorBody, ErrorCode, GetAttachmentsResponse, IncomingResponse, ParseErrorKind,
    RateLimitHeaders, ResponseContext, ResponseError, ServerError, Site, SiteErrorKind, TimeUnit,
    Timestamp, WireNumber, retry_after_header,
};

/// Counts heap use, for the large-body rows.
#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;
/// The large-body tests measure one at a time.
static MEASURING: Mutex<()> = Mutex::new(());

const JSON: &str = "application/json";

fn response<'a>(
    status: u16,
    content_type: Option<&str>,
    body: &'a [u8],
) -> http::Response<&'a [u8]> {
    let mut builder = http::Response::builder().status(status);
    if let Some(content_type) = content_type {
        builder = builder.header("Content-Type", content_type);
    }
    builder.body(body).expect("a response")
}

fn attachments(status: u16, body: &[u8]) -> Result<GetAttachmentsResponse, ResponseError> {
    GetAttachmentsResponse::try_from_http_response(
        &response(status, Some(JSON), body),
        &ResponseContext::new(),
    )
}

/// The parse error for a 200 with this body, checked for kind, path and `Display`.
fn parse_error(body: &[u8], kind: ParseErrorKind, path: &str, shown: &str) {
    let error = attachments(200, body).expect_err("an error");
    let parse = error
        .as_parse()
        .unwrap_or_else(|| panic!("not a parse error: {error}"));
    assert_eq!(parse.kind(), kind, "{parse}");
    assert_eq!(parse.path(), path, "{parse}");
    assert_eq!(parse.status(), StatusCode::OK);
    assert_eq!(error.to_string(), shown);
    // The raw body is kept when it is not JSON or has an unexpected `result`, never otherwise.
    let keeps_body = kind != ParseErrorKind::Shape;
    assert_eq!(parse.body().is_some(), keeps_body, "{parse}");
}

/// A body with one attachment whose extra members are `extra` (e.g. `,"size":1`).
fn with_attachment(extra: &str) -> String {
    format!(
        r#"{{"result":"success","msg":"","attachments":[{{"id":1,"name":"a","path_id":"p"{extra}}}]}}"#
    )
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// Runs `f` on a thread with a 256 KiB stack: a parser that recursed per nesting level would
/// overflow it long before 100 000 levels.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("no stack overflow")
}

// ---------------------------------------------------------------------------------------------
// GET /attachments: bodies that are not JSON.

#[test]
fn truncated_json_is_not_json() {
    parse_error(
        br#"{"result":"success","msg":"","attachments":[{"id":1"#,
        ParseErrorKind::NotJson,
        "",
        "response body is not JSON (Content-Type application/json): EOF while parsing an object at line 1 column 51",
    );
}

#[test]
fn empty_body_is_not_json() {
    for status in [200, 204] {
        let error = attachments(status, b"").unwrap_err();
        assert_eq!(
            error.to_string(),
            "response body is not JSON (Content-Type application/json): EOF while parsing a value at line 1 column 0"
        );
    }
}

#[test]
fn trailing_characters_are_not_json() {
    parse_error(
        br#"{"result":"success","msg":"","attachments":[]} x"#,
        ParseErrorKind::NotJson,
        "",
        "response body is not JSON (Content-Type application/json): trailing characters at line 1 column 48",
    );
}

#[test]
fn byte_order_mark_is_not_json() {
    parse_error(
        "\u{feff}{\"result\":\"success\",\"msg\":\"\",\"attachments\":[]}".as_bytes(),
        ParseErrorKind::NotJson,
        "",
        "response body is not JSON (Content-Type application/json): expected value at line 1 column 1",
    );
}

#[test]
fn html_with_success_status_is_not_json() {
    let page = b"<!DOCTYPE html><html><title>Log in | Zulip</title></html>";
    let html = response(200, Some("text/html; charset=utf-8"), page);
    let error =
        GetAttachmentsResponse::try_from_http_response(&html, &ResponseContext::new()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "response body is not JSON (Content-Type text/html; charset=utf-8): expected value at line 1 column 1"
    );
    let parse = error.as_parse().unwrap();
    assert_eq!(parse.body(), Some(&page[..]));
    assert_eq!(parse.content_type(), Some("text/html; charset=utf-8"));
    // Without a Content-Type the message says nothing about it.
    let bare = response(200, None, page);
    let error =
        GetAttachmentsResponse::try_from_http_response(&bare, &ResponseContext::new()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "response body is not JSON: expected value at line 1 column 1"
    );
}

#[test]
fn html_error_page_is_a_server_error() {
    let page = b"<html><head><title>502 Bad Gateway</title></head></html>";
    let html = response(502, Some("text/html"), page);
    let error =
        GetAttachmentsResponse::try_from_http_response(&html, &ResponseContext::new()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "server error 502 Bad Gateway with a non-JSON body (56 bytes, text/html)"
    );
    let server = error.as_server().unwrap();
    assert_eq!(server.raw_body(), Some(&page[..]));
    assert_eq!(
        format!("{server:?}"),
        "ServerError { status: 502, body: <56 bytes>, content_type: Some(\"text/html\"), \
         rate_limit: RateLimitHeaders { limit: None, remaining: None, reset: None }, \
         retry_after: None, .. }"
    );
}

#[test]
fn nan_and_infinity_tokens_are_not_json() {
    for token in ["NaN", "Infinity", "-Infinity"] {
        let body = with_attachment(&format!(r#","create_time":{token}"#));
        let error = attachments(200, body.as_bytes()).unwrap_err();
        assert_eq!(error.as_parse().unwrap().kind(), ParseErrorKind::NotJson);
        let shown = error.to_string();
        assert!(
            shown
                == "response body is not JSON (Content-Type application/json): expected value at line 1 column 92"
                || shown
                    == "response body is not JSON (Content-Type application/json): invalid number at line 1 column 93",
            "{shown}"
        );
    }
}

#[test]
fn numbers_beyond_f64_are_not_json() {
    parse_error(
        with_attachment(r#","size":1e400"#).as_bytes(),
        ParseErrorKind::NotJson,
        "",
        "response body is not JSON (Content-Type application/json): number out of range at line 1 column 89",
    );
}

#[test]
fn invalid_utf8_in_a_read_string_is_not_json() {
    parse_error(
        b"{\"result\":\"success\",\"msg\":\"\",\"attachments\":[{\"id\":1,\"name\":\"\xff\",\"path_id\":\"p\"}]}",
        ParseErrorKind::NotJson,
        "",
        "response body is not JSON (Content-Type application/json): invalid unicode code point at line 1 column 61",
    );
}

#[test]
fn invalid_utf8_in_an_ignored_string_is_skipped() {
    // serde_json does not check the strings it skips: `msg` and unknown keys are not read.
    let body = b"{\"result\":\"success\",\"msg\":\"\xff\",\"attachments\":[],\"new\":\"\xfe\"}";
    assert_eq!(
        attachments(200, body).unwrap(),
        GetAttachmentsResponse::new(Vec::new())
    );
}

#[test]
fn invalid_utf8_in_an_error_body_with_success_status_is_not_json() {
    // Found by the get_attachments fuzz target (fuzz/regressions/get_attachments/).
    parse_error(
        b"{\"result\":\"error\",\"msg\":\"Invalid attachment\",\"code\":\"B\xffAD_REQUEST\"}",
        ParseErrorKind::NotJson,
        "",
        "response body is not JSON (Content-Type application/json): invalid unicode code point at line 1 column 55",
    );
}

// ---------------------------------------------------------------------------------------------
// GET /attachments: JSON of the wrong shape.

#[test]
fn wrong_types_name_the_path() {
    parse_error(
        with_attachment(r#","size":"1""#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].size",
        "unexpected response at `attachments[0].size`: invalid type: string \"1\", expected u64 at line 1 column 87",
    );
    parse_error(
        br#"{"result":"success","msg":"","attachments":null}"#,
        ParseErrorKind::Shape,
        "attachments",
        "unexpected response at `attachments`: invalid type: null, expected a sequence at line 1 column 47",
    );
    parse_error(
        br#"{"result":"success","msg":"","attachments":[],"ignored_parameters_unsupported":"x"}"#,
        ParseErrorKind::Shape,
        "ignored_parameters_unsupported",
        "unexpected response at `ignored_parameters_unsupported`: invalid type: string \"x\", expected a sequence at line 1 column 82",
    );
}

#[test]
fn nan_strings_are_wrong_types() {
    parse_error(
        with_attachment(r#","create_time":"NaN""#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].create_time",
        "unexpected response at `attachments[0].create_time`: invalid type: string \"NaN\", expected a JSON number at line 1 column 96",
    );
}

#[test]
fn missing_fields_are_named() {
    parse_error(
        br#"{"result":"success","msg":""}"#,
        ParseErrorKind::Shape,
        "",
        "unexpected response: missing field `attachments` at line 1 column 29",
    );
    parse_error(
        br#"{"result":"success","msg":"","attachments":[{"id":1,"name":"a"}]}"#,
        ParseErrorKind::Shape,
        "attachments[0]",
        "unexpected response at `attachments[0]`: missing field `path_id` at line 1 column 63",
    );
}

#[test]
fn duplicate_keys_are_rejected() {
    parse_error(
        br#"{"result":"success","msg":"","attachments":[],"attachments":[]}"#,
        ParseErrorKind::Shape,
        "",
        "unexpected response: duplicate field `attachments` at line 1 column 59",
    );
    parse_error(
        with_attachment(r#","id":2"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0]",
        "unexpected response at `attachments[0]`: duplicate field `id` at line 1 column 81",
    );
}

#[test]
fn negative_sizes_and_ids_are_rejected() {
    parse_error(
        with_attachment(r#","size":-1"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].size",
        "unexpected response at `attachments[0].size`: invalid value: integer `-1`, expected u64 at line 1 column 86",
    );
    parse_error(
        with_attachment(r#","message_ids":[1,-2]"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].message_ids[1]",
        "unexpected response at `attachments[0].message_ids[1]`: invalid value: integer `-2`, expected u64 at line 1 column 96",
    );
    parse_error(
        br#"{"result":"success","msg":"","attachments":[],"upload_space_used":-5}"#,
        ParseErrorKind::Shape,
        "upload_space_used",
        "unexpected response at `upload_space_used`: invalid value: integer `-5`, expected u64 at line 1 column 68",
    );
}

#[test]
fn integers_beyond_u64_are_rejected() {
    parse_error(
        with_attachment(r#","size":18446744073709551616"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].size",
        "unexpected response at `attachments[0].size`: invalid type: floating point `1.8446744073709552e+19`, expected u64 at line 1 column 104",
    );
    // u64::MAX itself is an ID like any other.
    let body = with_attachment("").replace(r#""id":1"#, r#""id":18446744073709551615"#);
    assert_eq!(
        attachments(200, body.as_bytes()).unwrap().attachments[0].id,
        u64::MAX
    );
}

#[test]
fn fractional_timestamps_are_rejected() {
    parse_error(
        with_attachment(r#","create_time":1588145417000.5"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].create_time",
        "unexpected response at `attachments[0].create_time`: expected a whole number for a timestamp, found 1588145417000.5 which has a fraction at line 1 column 107",
    );
    // The legacy message `name` is a send time only when it is a number, and then a whole one.
    parse_error(
        with_attachment(r#","messages":[{"id":1,"name":1.5}]"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].messages[0].name",
        "unexpected response at `attachments[0].messages[0].name`: expected a whole number for a timestamp, found 1.5 which has a fraction at line 1 column 108",
    );
}

#[test]
fn timestamps_beyond_2_pow_53_are_rejected() {
    parse_error(
        with_attachment(r#","create_time":9007199254740993"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].create_time",
        "unexpected response at `attachments[0].create_time`: expected a timestamp within ±2^53, found 9007199254740993 which is out of range at line 1 column 108",
    );
    parse_error(
        with_attachment(r#","create_time":1e300"#).as_bytes(),
        ParseErrorKind::Shape,
        "attachments[0].create_time",
        "unexpected response at `attachments[0].create_time`: expected a timestamp within ±2^53, found 1e+300 which is out of range at line 1 column 97",
    );
}

#[test]
fn odd_but_valid_timestamps_are_read() {
    // -0.0 is a whole float: the epoch. 2^53 itself is in range. 1.5e12 is a whole float.
    // A 16-digit float is read exactly (zulip-types asks serde_json for `float_roundtrip`).
    // Near 2^53 a fraction can round away: the text below is -9007125479925440.993, whose
    // nearest double is whole, so it is accepted as -9007125479925441.
    for (text, millis) in [
        ("-0.0", 0),
        ("9007199254740992", 9_007_199_254_740_992),
        ("1.5e12", 1_500_000_000_000),
        ("-9007125479925441.0", -9_007_125_479_925_441),
        ("-90071254799254.40993e2", -9_007_125_479_925_441),
    ] {
        let time: Timestamp = serde_json::from_str(text).unwrap();
        assert_eq!(time.as_unix_millis(), millis, "{text}");
    }
    let time: Timestamp = serde_json::from_str("-0.0").unwrap();
    assert_eq!(
        (time.wire(), time.unit()),
        (WireNumber::Float(0.0), TimeUnit::Seconds)
    );
}

#[test]
fn legacy_message_name_as_text_is_ignored() {
    let body = with_attachment(r#","messages":[{"id":1,"name":"file.txt"}]"#);
    let parsed = attachments(200, body.as_bytes()).unwrap();
    assert_eq!(parsed.attachments[0].messages[0].date_sent, None);
}

#[test]
fn unexpected_result_values() {
    let cases: [(&[u8], ParseErrorKind, &str, &str); 4] = [
        (
            br#"{"msg":"","attachments":[]}"#,
            ParseErrorKind::UnexpectedResult,
            "result",
            "unexpected response: `result` is missing",
        ),
        (
            br#"{"result":"partial","msg":"","attachments":[]}"#,
            ParseErrorKind::UnexpectedResult,
            "result",
            "unexpected response: `result` is \"partial\", expected \"success\" or \"error\"",
        ),
        (
            br#"{"result":5,"msg":"","attachments":[]}"#,
            ParseErrorKind::Shape,
            "result",
            "unexpected response at `result`: invalid type: integer `5`, expected a string at line 1 column 11",
        ),
        (
            b"null",
            ParseErrorKind::Shape,
            "",
            "unexpected response: invalid type: null, expected a JSON object at line 1 column 4",
        ),
    ];
    for (body, kind, path, shown) in cases {
        parse_error(body, kind, path, shown);
    }
}

#[test]
fn arrays_in_place_of_objects_are_rejected() {
    // serde's derived Deserialize would read a struct from a JSON array, field by field;
    // zulip-types reads responses, attachments and messages from objects only.
    let cases: [(&[u8], &str); 3] = [
        (
            br#"["success",[[1,"a","p",5]],7]"#,
            "unexpected response: invalid type: sequence, expected a JSON object at line 1 column 0",
        ),
        (
            br#"{"result":"success","msg":"","attachments":[[1,"a","p",5]]}"#,
            "unexpected response at `attachments[0]`: invalid type: sequence, expected a JSON object at line 1 column 44",
        ),
        (
            br#"{"result":"success","msg":"","attachments":[{"id":1,"name":"a","path_id":"p","messages":[[1,null,0,null]]}]}"#,
            "unexpected response at `attachments[0].messages[0]`: invalid type: sequence, expected a JSON object at line 1 column 89",
        ),
    ];
    for (body, shown) in cases {
        let error = attachments(200, body).unwrap_err();
        assert_eq!(error.as_parse().unwrap().kind(), ParseErrorKind::Shape);
        assert_eq!(error.to_string(), shown);
    }
}

#[test]
fn error_result_with_success_status_is_a_server_error() {
    let error = attachments(
        200,
        br#"{"result":"error","msg":"Invalid attachment","code":"BAD_REQUEST"}"#,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "server error 200 OK BAD_REQUEST: Invalid attachment"
    );
    assert_eq!(
        error.as_server().unwrap().code(),
        Some(&ErrorCode::BadRequest)
    );
}

// ---------------------------------------------------------------------------------------------
// Deep nesting: bounded, and never by the stack.

#[test]
fn deep_nesting_is_rejected_without_recursion() {
    let error = on_small_stack(|| attachments(200, nested(100_000).as_bytes()).unwrap_err());
    assert_eq!(
        error.to_string(),
        "unexpected response: invalid type: sequence, expected a JSON object at line 1 column 0"
    );
    // Where any JSON value is read (the legacy message `name`), serde_json's recursion limit
    // (128 levels) stops it.
    let body = with_attachment(&format!(
        r#","messages":[{{"id":1,"name":{}}}]"#,
        nested(100_000)
    ));
    let error = on_small_stack(move || attachments(200, body.as_bytes()).unwrap_err());
    assert_eq!(
        error.to_string(),
        "response body is not JSON (Content-Type application/json): recursion limit exceeded at line 1 column 227"
    );
    // Inside a field that is read, the first value of the wrong type stops it.
    let body = with_attachment(&format!(r#","messages":{}"#, nested(100_000)));
    let error = on_small_stack(move || attachments(200, body.as_bytes()).unwrap_err());
    assert_eq!(
        error.to_string(),
        "unexpected response at `attachments[0].messages[0]`: invalid type: sequence, expected a JSON object at line 1 column 89"
    );
}

#[test]
fn deep_nesting_in_an_unknown_field_is_skipped() {
    let body = format!(
        r#"{{"result":"success","msg":"","attachments":[],"new":{}}}"#,
        nested(100_000)
    );
    let parsed = on_small_stack(move || attachments(200, body.as_bytes()));
    assert_eq!(parsed.unwrap(), GetAttachmentsResponse::new(Vec::new()));
}

#[test]
fn deep_nesting_in_an_error_body_is_kept_raw() {
    let error = on_small_stack(|| {
        let body = nested(100_000);
        ServerError::from_response(&response(500, Some(JSON), body.as_bytes()))
    });
    assert_eq!(
        error.to_string(),
        "server error 500 Internal Server Error with a non-JSON body (200000 bytes, application/json)"
    );
    assert_eq!(error.raw_body().map(<[u8]>::len), Some(200_000));
}

// ---------------------------------------------------------------------------------------------
// 50 MB bodies: memory proportional to the body, nothing unbounded. `zulip-types` is sans-IO:
// the body is already in memory; these are the parser's own allocations on top of it.

/// Taken for the whole of each large-body test (building and dropping its body included), so
/// that the measurements of one are not disturbed by another.
fn measuring() -> std::sync::MutexGuard<'static, ()> {
    MEASURING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Peak and held heap while `f` runs, as multiples of `len`.
fn heap_factor<T>(len: usize, f: impl FnOnce() -> T) -> (f64, f64, T) {
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let value = f();
    let peak = HEAP.peak_usage().saturating_sub(base) as f64 / len as f64;
    let held = HEAP.current_usage().saturating_sub(base) as f64 / len as f64;
    (peak, held, value)
}

const FIFTY_MB: usize = 50 << 20;

/// `{"result":"success","msg":"","attachments":[` + `item,` repeated to `len` bytes + `]` + `tail`.
fn big_body(item: &str, len: usize, tail: &str) -> Vec<u8> {
    let mut body = String::from(r#"{"result":"success","msg":"","attachments":["#);
    while body.len() < len {
        body.push_str(item);
        body.push(',');
    }
    body.push_str(item);
    body.push(']');
    body.push_str(tail);
    body.into_bytes()
}

#[test]
fn fifty_megabytes_of_attachments_parse_in_proportional_memory() {
    let _measuring = measuring();
    let item = r#"{"id":1,"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946,"create_time":1588145417000,"messages":[{"id":102,"date_sent":1588145424000},{"id":103,"date_sent":1588145448000}]}"#;
    let body = big_body(item, FIFTY_MB, "}");
    let (peak, held, parsed) = heap_factor(body.len(), || attachments(200, &body));
    let parsed = parsed.unwrap();
    assert_eq!(parsed.attachments.len(), 248_479);
    eprintln!("50 MB of attachments: peak {peak:.2}x, held {held:.2}x");
    assert!(peak < 1.6, "peak {peak:.2}x the body");
}

#[test]
fn many_message_ids_cost_at_most_36_times_the_body() {
    let _measuring = measuring();
    // The worst case: `[1,1,1,...]`, 2 bytes per ID read into a 24-byte MessageRef: 12x, up to
    // twice that in vector capacity, and 1.5 times that while the vector grows. 4 MB here so the debug build stays fast; the factor does not depend on
    // the size.
    let len = 4 << 20;
    let mut body = String::from(
        r#"{"result":"success","msg":"","attachments":[{"id":1,"name":"a","path_id":"p","message_ids":["#,
    );
    while body.len() < len {
        body.push_str("1,");
    }
    body.push_str("1]}]}");
    let (peak, held, parsed) = heap_factor(body.len(), || attachments(200, body.as_bytes()));
    assert_eq!(parsed.unwrap().attachments[0].messages.len(), 2_097_107);
    eprintln!("4 MB of message IDs: peak {peak:.2}x, held {held:.2}x");
    assert!(peak <= 36.0, "peak {peak:.2}x the body");
}

#[test]
fn fifty_megabytes_of_html_are_kept_once() {
    let _measuring = measuring();
    let page = vec![b'<'; FIFTY_MB];
    for status in [200, 502] {
        let html = response(status, Some("text/html"), &page);
        let (peak, held, error) = heap_factor(page.len(), || {
            GetAttachmentsResponse::try_from_http_response(&html, &ResponseContext::new())
                .unwrap_err()
        });
        // The error keeps one copy of the body (ParseError::body / ServerError::raw_body).
        assert!(
            peak < 1.01 && held < 1.01,
            "{status}: peak {peak:.2}x, held {held:.2}x"
        );
        assert!(held > 0.99, "{status}: the body is kept");
        drop(error);
    }
}

#[test]
fn large_json_error_bodies_cost_at_most_48_times_the_body() {
    let _measuring = measuring();
    // ServerError keeps JSON that is not Zulip's error shape as a serde_json::Value: 32 bytes per
    // value for 2 bytes of `0,` is 16x, up to twice that in vector capacity, 1.5 times that
    // while the vector grows. Reported: the transport must cap error
    // bodies; see docs/robustness.md.
    let len = 4 << 20;
    let mut body = String::from("[");
    while body.len() < len {
        body.push_str("0,");
    }
    body.push_str("0]");
    let (peak, held, error) = heap_factor(body.len(), || {
        ServerError::from_response(&response(500, Some(JSON), body.as_bytes()))
    });
    assert!(matches!(error.body(), ErrorBody::OtherJson(_)));
    eprintln!("4 MB JSON error body: peak {peak:.2}x, held {held:.2}x");
    assert!(peak <= 48.1, "peak {peak:.2}x the body");
}

#[test]
fn large_unknown_fields_allocate_nothing() {
    let _measuring = measuring();
    let len = 4 << 20;
    let mut body = String::from(r#"{"result":"success","msg":"","attachments":[],"new":["#);
    while body.len() < len {
        body.push_str(r#""abc","#);
    }
    body.push_str("0]}");
    let (peak, _, parsed) = heap_factor(body.len(), || attachments(200, body.as_bytes()));
    assert!(parsed.is_ok());
    assert!(peak < 0.001, "peak {peak:.4}x the body");
}

// ---------------------------------------------------------------------------------------------
// Server errors.

fn server_error(status: u16, headers: &[(&str, &str)], body: &[u8]) -> ServerError {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    ServerError::from_response(&builder.body(body).unwrap())
}

#[test]
fn error_bodies_not_in_zulips_shape_keep_the_json() {
    for body in [
        &br#"{"result":"error","msg":"Invalid attachment","code":5}"#[..],
        br#"{"result":"error","code":"BAD_REQUEST"}"#,
        br#"{"detail":"Not found"}"#,
        b"[]",
    ] {
        let error = server_error(400, &[], body);
        assert_eq!(
            error.to_string(),
            "server error 400 Bad Request with a JSON body that is not a Zulip error"
        );
        assert!(matches!(error.body(), ErrorBody::OtherJson(_)));
        assert_eq!((error.code(), error.msg()), (None, None));
    }
}

#[test]
fn errors_without_code_or_with_unknown_codes() {
    let error = server_error(
        405,
        &[],
        br#"{"result":"error","msg":"Method Not Allowed","allowed_methods":["GET"]}"#,
    );
    assert_eq!(
        error.to_string(),
        "server error 405 Method Not Allowed: Method Not Allowed"
    );
    assert_eq!(error.code(), None);
    assert_eq!(error.extra("allowed_methods"), Some(&json!(["GET"])));

    let error = server_error(
        400,
        &[],
        br#"{"result":"error","msg":"New","code":"SOMETHING_NEW"}"#,
    );
    assert_eq!(
        error.to_string(),
        "server error 400 Bad Request SOMETHING_NEW: New"
    );
    assert_eq!(error.code().map(ErrorCode::as_str), Some("SOMETHING_NEW"));

    let error = server_error(400, &[], br#"{"result":"error","msg":"x","code":null}"#);
    assert_eq!(error.code(), None);
}

#[test]
fn empty_error_body() {
    let error = server_error(504, &[], b"");
    assert_eq!(
        error.to_string(),
        "server error 504 Gateway Timeout with a non-JSON body (0 bytes)"
    );
}

#[test]
fn retry_after_values() {
    let body = |value: &str| {
        format!(
            r#"{{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":{value}}}"#
        )
    };
    // (body value, Retry-After header, retry_after(), Display)
    let cases: [(&str, Option<&str>, Option<f64>, &str); 7] = [
        (
            "28.706807374954224",
            None,
            Some(28.706_807_374_954_224),
            "; retry after 28.706807374954224 s",
        ),
        ("-5", None, None, ""),
        ("\"soon\"", Some("2.5"), Some(2.5), "; retry after 2.5 s"),
        ("null", Some("NaN"), None, ""),
        ("null", Some("-1"), None, ""),
        // Huge and tiny waits in exponent form (were 301 and 302 digits; see findings).
        ("1e300", None, Some(1e300), "; retry after 1e300 s"),
        ("1e-300", None, Some(1e-300), "; retry after 1e-300 s"),
    ];
    for (value, header, expected, suffix) in cases {
        let headers: Vec<(&str, &str)> = header.into_iter().map(|h| ("Retry-After", h)).collect();
        let error = server_error(429, &headers, body(value).as_bytes());
        assert_eq!(error.retry_after(), expected, "{value} {header:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "server error 429 Too Many Requests RATE_LIMIT_HIT: API usage exceeded rate limit{suffix}"
            )
        );
        assert!(error.is_rate_limited());
    }
    // A wait too long for a Duration is still reported in seconds, but not as a Duration.
    let error = server_error(429, &[], body("1e300").as_bytes());
    assert_eq!(error.retry_after_duration(), None);
}

#[test]
fn retry_after_header_values() {
    let header = |values: &[&str]| {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("retry-after", HeaderValue::from_str(value).unwrap());
        }
        retry_after_header(&map)
    };
    assert_eq!(header(&[]), None);
    assert_eq!(
        header(&["28.706807374954224"]),
        Some(28.706_807_374_954_224)
    );
    assert_eq!(header(&["30"]), Some(30.0));
    assert_eq!(header(&["1e3"]), Some(1000.0));
    assert_eq!(header(&["Wed, 21 Oct 2015 07:28:00 GMT"]), None);
    assert_eq!(header(&["inf"]), None);
    assert_eq!(header(&["1", "2"]), None);
    assert_eq!(header(&["1", "1"]), Some(1.0));
}

// ---------------------------------------------------------------------------------------------
// Headers.

#[test]
fn rate_limit_header_values() {
    let read = |pairs: &[(&'static str, &[u8])]| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        RateLimitHeaders::from_headers(&map)
    };
    assert!(read(&[]).is_empty());
    let limits = read(&[
        ("x-ratelimit-limit", b"200"),
        ("x-ratelimit-remaining", b" 7 "),
        ("x-ratelimit-reset", b"1700000060"),
    ]);
    assert_eq!(
        (limits.limit, limits.remaining, limits.reset),
        (Some(200), Some(7), Some(1_700_000_060))
    );
    for bad in [
        &b"-1"[..],
        b"1.5",
        b"1e3",
        b"99999999999999999999",
        b"2\xff",
        b"",
        b"0x10",
    ] {
        assert_eq!(read(&[("x-ratelimit-limit", bad)]).limit, None, "{bad:?}");
    }
    // A leading `+` is accepted (Rust's integer syntax); Zulip never sends one.
    assert_eq!(read(&[("x-ratelimit-limit", b"+200")]).limit, Some(200));
    // Repeated: the same value counts once, different values count as none.
    assert_eq!(
        read(&[("x-ratelimit-limit", b"200"), ("x-ratelimit-limit", b"200")]).limit,
        Some(200)
    );
    assert_eq!(
        read(&[("x-ratelimit-limit", b"200"), ("x-ratelimit-limit", b"100")]).limit,
        None
    );
}

#[test]
fn content_type_missing_or_repeated() {
    let mut builder = http::Response::builder().status(500);
    builder = builder
        .header("Content-Type", "text/html")
        .header("Content-Type", "text/plain");
    let error = ServerError::from_response(&builder.body(&b"oops"[..]).unwrap());
    // The first one is reported.
    assert_eq!(error.content_type(), Some("text/html"));
    // Bytes that are not UTF-8 are shown with replacement characters.
    let odd = http::Response::builder()
        .status(500)
        .header(
            "Content-Type",
            HeaderValue::from_bytes(b"text/\xe9").unwrap(),
        )
        .body(&b"oops"[..])
        .unwrap();
    assert_eq!(
        ServerError::from_response(&odd).content_type(),
        Some("text/\u{fffd}")
    );
    let error = server_error(500, &[], b"oops");
    assert_eq!(error.content_type(), None);
    assert_eq!(
        error.to_string(),
        "server error 500 Internal Server Error with a non-JSON body (4 bytes)"
    );
}

// ---------------------------------------------------------------------------------------------
// Sites.

#[test]
fn hostile_sites() {
    let cases: [(&str, SiteErrorKind, &str); 12] = [
        (
            "",
            SiteErrorKind::Empty,
            "invalid Zulip site \"\": it is empty",
        ),
        (
            "file:///etc/passwd",
            SiteErrorKind::UnsupportedScheme("file".into()),
            "invalid Zulip site \"file:///etc/passwd\": scheme \"file\" is not http or https",
        ),
        (
            "javascript:alert(1)",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"javascript:alert(1)\": it is not a valid URL",
        ),
        (
            "https:example.com",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https:example.com\": it is not a valid URL",
        ),
        (
            "https://example.com:99999",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://example.com:99999\": it is not a valid URL",
        ),
        (
            "https://a.com/\r\nX-Injected: 1",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://a.com/\\r\\nX-Injected: 1\": it is not a valid URL",
        ),
        (
            "https://a.com/\0",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://a.com/\\0\": it is not a valid URL",
        ),
        (
            "https://[::1",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://[::1\": it is not a valid URL",
        ),
        (
            "\u{202e}moc.elpmaxe",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"\\u{202e}moc.elpmaxe\": it is not a valid URL",
        ),
        (
            "https://exämple.com",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://exämple.com\": it is not a valid URL",
        ),
        (
            "//example.com",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"//example.com\": it is not a valid URL",
        ),
        (
            "https://example.com/?next=/api",
            SiteErrorKind::QueryOrFragment,
            "invalid Zulip site \"https://example.com/?next=/api\": it contains a query or fragment",
        ),
    ];
    for (input, kind, shown) in cases {
        let error = Site::parse(input).unwrap_err();
        assert_eq!(error.kind(), &kind, "{input:?}");
        assert_eq!(error.to_string(), shown);
    }
}

#[test]
fn sites_with_credentials_are_not_echoed() {
    for input in [
        "https://me:hunter2@example.com",
        "http://localhost@evil.com",
        "https://evil.com\\@good.com",
    ] {
        let error = Site::parse(input).unwrap_err();
        let shown = error.to_string();
        assert!(
            !shown.contains(input) && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(!format!("{error:?}").contains("hunter2"));
    }
    assert_eq!(
        Site::parse("https://me:hunter2@example.com")
            .unwrap_err()
            .to_string(),
        "invalid Zulip site: it contains a user name or password (use the API key instead)"
    );
}

#[test]
fn sites_that_are_accepted_as_written() {
    // The Python client's rules, followed to the letter: worth knowing.
    let cases = [
        // Any scheme-less site that starts with `localhost` gets plain HTTP.
        ("localhost.evil.com", "http://localhost.evil.com/api"),
        // A full API URL is not recognised past `/api`.
        ("example.com/api/v1", "https://example.com/api/v1/api"),
        // Dot segments and escapes are kept as written (the server resolves them).
        ("https://example.com/../x", "https://example.com/../x/api"),
        (
            "https://example.com/%2e%2e/api",
            "https://example.com/%2e%2e/api",
        ),
    ];
    for (input, api_base) in cases {
        assert_eq!(Site::parse(input).unwrap().api_base(), api_base);
    }
}

#[test]
fn very_long_sites() {
    // http::Uri takes at most 65 534 bytes: a site up to about 64 KiB is kept as is, a longer
    // one is not a valid URL.
    let long = format!("https://example.com/{}", "a".repeat(60_000));
    assert_eq!(Site::parse(&long).unwrap().root(), long);
    let huge = format!("https://example.com/{}", "a".repeat(1 << 20));
    let error = Site::parse(&huge).unwrap_err();
    assert_eq!(error.kind(), &SiteErrorKind::InvalidUrl);
    // The message shows the first 100 bytes and the length (it used to repeat the whole
    // megabyte; see findings).
    assert_eq!(
        error.to_string(),
        format!(
            "invalid Zulip site \"https://example.com/{}\"… (1048596 bytes): it is not a valid URL",
            "a".repeat(80)
        )
    );
    // Cut at a character boundary: `é` is two bytes and would end at byte 101.
    let accented = format!("https://example.com/{}é{}", "a".repeat(79), "?".repeat(100));
    assert_eq!(
        Site::parse(&accented).unwrap_err().to_string(),
        format!(
            "invalid Zulip site \"https://example.com/{}\"… (201 bytes): it contains a query or fragment",
            "a".repeat(79)
        )
    );
}

// ---------------------------------------------------------------------------------------------
// The table and the tests stay in step.

/// Every test of this file is named in a row of `docs/robustness.md`, and every test the
/// document names exists here.
#[test]
fn every_test_is_a_row_of_the_table() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/robustness.md"
    ))
    .expect("docs/robustness.md");
    let source = include_str!("bad_input.rs");
    let tests: Vec<&str> = source
        .split("#[test]\nfn ")
        .skip(1)
        .filter_map(|rest| rest.split('(').next())
        .filter(|name| *name != "every_test_is_a_row_of_the_table")
        .collect();
    assert!(tests.len() >= 30, "{tests:?}");
    // The last cell of a table row, when it is one `name` in backticks.
    let named: Vec<&str> = doc
        .lines()
        .filter(|line| line.starts_with('|'))
        .filter_map(|line| line.trim_end().trim_end_matches('|').rsplit('|').next())
        .filter_map(|cell| cell.trim().strip_prefix('`')?.strip_suffix('`'))
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .collect();
    for test in &tests {
        assert!(
            named.contains(test),
            "{test} is not named in docs/robustness.md"
        );
    }
    for name in &named {
        if *name != "test" {
            assert!(
                tests.contains(name),
                "docs/robustness.md names {name}, which is not a test here"
            );
        }
    }
}
