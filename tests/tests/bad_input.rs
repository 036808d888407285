//! Every kind of bad input tried on the parsers that exist, and what the user gets: each test
//! here is a row of the table in `docs/robustness.md`, which quotes the `Display` texts asserted
//! below. Keep the two in step.

use std::path::Path;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use http::{HeaderMap, HeaderValue, StatusCode};
use peak_alloc::PeakAlloc;
use serde_json::json;
use zulip_hyper::TimeoutPhase;
use zulip_types::{
    Boundary, BuildError, ConfigOptions, Credentials, Endpoint, ErrorBody, ErrorCode,
    ExternalAuthenticationMethod, FilePart, GetAttachmentsResponse, GetFileTemporaryUrl,
    GetFileTemporaryUrlResponse, GetServerSettings, GetServerSettingsResponse, IncomingResponse,
    MultipartForm, ParseErrorKind, RateLimitHeaders, RemoveAttachmentResponse, RequestContext,
    ResolvedConfig, ResponseContext, ResponseError, ServerError, Site, SiteErrorKind, TimeUnit,
    Timestamp, UploadFile, UploadFileResponse, UploadPath, UploadPathError, UploadPathErrorKind,
    WireNumber, ZuliprcError, ZuliprcErrorKind, encode_filename, resolve_url, retry_after_header,
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
    let cases: [(&str, SiteErrorKind, &str); 14] = [
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
            // Spanning lines: not repeated (a zuliprc continuation line may hold the key).
            "invalid Zulip site: it is not a valid URL",
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
        // Path characters http::Uri takes and RFC 3986 does not (were accepted; see findings).
        (
            "https://example.com/zu\\lip",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://example.com/zu\\\\lip\": it is not a valid URL",
        ),
        (
            "https://example.com/zülip",
            SiteErrorKind::InvalidUrl,
            "invalid Zulip site \"https://example.com/zülip\": it is not a valid URL",
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
// zuliprc files (`Zuliprc::parse`, `PendingConfig::finish`; files read by zulip-hyper's
// `Config::load_with`).

const HOME: &str = "/home/iago";
const ZULIPRC: &str = "/home/iago/.zuliprc";
const KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

/// Resolves a configuration from this file alone (no explicit value, no environment).
fn from_zuliprc(text: &[u8]) -> Result<ResolvedConfig, ZuliprcError> {
    ConfigOptions::new()
        .apply_environment(|_| None, Some(Path::new(HOME)))
        .expect("no environment")
        .finish(Some(text))
}

/// The error for this file, checked for kind, line, key and `Display`; it never shows the key.
fn zuliprc_error(
    text: &[u8],
    kind: ZuliprcErrorKind,
    line: Option<usize>,
    key: Option<&str>,
    shown: &str,
) {
    let error = from_zuliprc(text).expect_err("an error");
    assert_eq!(error.kind(), &kind, "{error}");
    assert_eq!(
        (error.file(), error.line(), error.key()),
        (Some(ZULIPRC), line, key)
    );
    assert_eq!(error.to_string(), shown);
    assert!(!format!("{error} {error:?}").contains(KEY), "{error:?}");
}

fn full_zuliprc() -> String {
    format!("[api]\nemail = iago@zulip.com\nkey = {KEY}\nsite = chat.example.com\n")
}

#[test]
fn zuliprc_without_an_api_section() {
    let shown = "/home/iago/.zuliprc: no [api] section, needed for `key`";
    for text in [
        full_zuliprc().replace("[api]", "[API]"),
        full_zuliprc().replace("[api]", "[DEFAULT]"),
        String::new(),
    ] {
        zuliprc_error(
            text.as_bytes(),
            ZuliprcErrorKind::MissingApiSection,
            None,
            Some("key"),
            shown,
        );
    }
    // With the credentials from elsewhere, the site is what is missing.
    let error = ConfigOptions::new()
        .email("iago@zulip.com")
        .api_key(KEY)
        .apply_environment(|_| None, Some(Path::new(HOME)))
        .unwrap()
        .finish(Some(b"[API]\nsite = chat.example.com\n"))
        .unwrap_err();
    assert_eq!(error.kind(), &ZuliprcErrorKind::MissingSite);
    assert_eq!(
        error.to_string(),
        "/home/iago/.zuliprc: no Zulip site given: set `site` in [api], ZULIP_SITE, or give it explicitly"
    );
}

#[test]
fn zuliprc_duplicate_keys_and_sections() {
    zuliprc_error(
        format!("{}KEY = {KEY}\n", full_zuliprc()).as_bytes(),
        ZuliprcErrorKind::DuplicateKey {
            section: "api".into(),
        },
        Some(5),
        Some("key"),
        "/home/iago/.zuliprc:5: key `key` appears twice in section [api]",
    );
    zuliprc_error(
        format!("{}[other]\n[api]\n", full_zuliprc()).as_bytes(),
        ZuliprcErrorKind::DuplicateSection {
            section: "api".into(),
        },
        Some(6),
        None,
        "/home/iago/.zuliprc:6: section [api] appears twice",
    );
    // The same key in two sections, or in [DEFAULT] and [api], is no duplicate.
    let text = format!(
        "[DEFAULT]\nsite = a.example\n{}[other]\nkey = x\n",
        full_zuliprc()
    );
    assert_eq!(
        from_zuliprc(text.as_bytes()).unwrap().site.root(),
        "https://chat.example.com"
    );
}

#[test]
fn zuliprc_insecure_other_than_true_or_false() {
    for (value, shown) in [
        (
            "yes",
            "/home/iago/.zuliprc:5: `insecure` is \"yes\"; it must be \"true\" or \"false\"",
        ),
        (
            "1",
            "/home/iago/.zuliprc:5: `insecure` is \"1\"; it must be \"true\" or \"false\"",
        ),
        (
            "",
            "/home/iago/.zuliprc:5: `insecure` is \"\"; it must be \"true\" or \"false\"",
        ),
    ] {
        zuliprc_error(
            format!("{}insecure = {value}\n", full_zuliprc()).as_bytes(),
            ZuliprcErrorKind::InvalidBoolean {
                value: value.into(),
            },
            Some(5),
            Some("insecure"),
            shown,
        );
    }
    // Any case of true and false.
    for (value, insecure) in [("TRUE", true), ("False", false), (" true ", true)] {
        let text = format!("{}insecure = {value}\n", full_zuliprc());
        assert_eq!(from_zuliprc(text.as_bytes()).unwrap().insecure, insecure);
    }
    // The environment's value is not trimmed.
    let error = ConfigOptions::new()
        .apply_environment(
            |name| (name == "ZULIP_ALLOW_INSECURE").then(|| " true".to_owned()),
            Some(Path::new(HOME)),
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "environment variable ZULIP_ALLOW_INSECURE is \" true\"; it must be \"true\" or \"false\""
    );
}

#[test]
fn zuliprc_files_that_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let load = |file: &Path| {
        zulip_hyper::Config::load_with(
            ConfigOptions::new().config_file(file),
            |_| None,
            Some(dir.path()),
        )
    };
    // A directory: it exists, and reading it fails.
    let error = load(dir.path()).unwrap_err();
    assert!(matches!(error, zulip_hyper::Error::Config(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "invalid configuration: {}: `config_file`: cannot read the configuration file: Is a directory (os error 21)",
            dir.path().display()
        )
    );
    // A file that does not exist, with no credentials from elsewhere.
    let missing = dir.path().join("missing");
    assert_eq!(
        load(&missing).unwrap_err().to_string(),
        format!(
            "invalid configuration: no API key given (explicitly, or through ZULIP_API_KEY) and file {} does not exist",
            missing.display()
        )
    );
    // More than 1 MiB is not a zuliprc: refused before it is parsed.
    let huge = dir.path().join("huge");
    std::fs::write(&huge, format!("{}{}", full_zuliprc(), "#".repeat(1 << 20))).unwrap();
    assert_eq!(
        load(&huge).unwrap_err().to_string(),
        format!(
            "invalid configuration: {}: `config_file`: larger than 1048576 bytes: not a zuliprc",
            huge.display()
        )
    );
    // A missing file is no error when nothing is needed from it.
    let config = zulip_hyper::Config::load_with(
        ConfigOptions::new()
            .config_file(&missing)
            .email("iago@zulip.com")
            .api_key(KEY)
            .site("chat.example.com"),
        |_| None,
        Some(dir.path()),
    )
    .unwrap();
    assert_eq!(config.resolved().config_file, None);
}

#[test]
fn zuliprc_tilde_expansion() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}cert_bundle = ~/ca.pem\nclient_cert = ~other/cert.pem\nclient_cert_key = ~\n",
        full_zuliprc()
    );
    std::fs::write(dir.path().join("bot.rc"), &text).unwrap();
    // `~/` in the configuration file's own path and in every path inside it.
    let config = zulip_hyper::Config::load_with(
        ConfigOptions::new().config_file("~/bot.rc"),
        |_| None,
        Some(dir.path()),
    )
    .unwrap()
    .into_resolved();
    assert_eq!(config.config_file, Some(dir.path().join("bot.rc")));
    assert_eq!(config.cert_bundle, Some(dir.path().join("ca.pem")));
    // `~user` is not expanded; `~` alone is the home directory.
    assert_eq!(
        config.client_cert.as_deref(),
        Some(Path::new("~other/cert.pem"))
    );
    assert_eq!(config.client_cert_key.as_deref(), Some(dir.path()));
    // Without a home directory nothing is expanded (and there is no default file).
    let config = ConfigOptions::new()
        .apply_environment(|_| None, None)
        .unwrap()
        .finish(Some(text.as_bytes()))
        .unwrap();
    assert_eq!(config.cert_bundle.as_deref(), Some(Path::new("~/ca.pem")));
}

#[test]
fn zuliprc_values_with_plus_percent_tilde_and_spaces() {
    let text = "[api]\n\
                email = bot+tag%40@example.com\n\
                key : a+b%c%%d~e f # not a comment\n\
                site=  https://chat.example.com:8443/zulip  \n";
    let config = from_zuliprc(text.as_bytes()).unwrap();
    assert_eq!(config.credentials.email(), "bot+tag%40@example.com");
    assert_eq!(
        config.credentials.api_key().expose(),
        "a+b%c%%d~e f # not a comment"
    );
    assert_eq!(config.site.root(), "https://chat.example.com:8443/zulip");
}

#[test]
fn zuliprc_byte_order_mark_and_line_ends() {
    let plain = from_zuliprc(full_zuliprc().as_bytes()).unwrap();
    let crlf = format!("\u{feff}{}", full_zuliprc().replace('\n', "\r\n"));
    assert_eq!(from_zuliprc(crlf.as_bytes()).unwrap(), plain);
    // Old Mac line ends (CR alone): one line, read as a section header `[api]` followed by
    // text Python ignores too; the keys are gone.
    zuliprc_error(
        full_zuliprc().replace('\n', "\r").as_bytes(),
        ZuliprcErrorKind::MissingKey,
        None,
        Some("key"),
        "/home/iago/.zuliprc: `key` missing from section [api]",
    );
    // A second byte order mark is text.
    zuliprc_error(
        format!("\u{feff}\u{feff}{}", full_zuliprc()).as_bytes(),
        ZuliprcErrorKind::MissingSectionHeader,
        Some(1),
        None,
        "/home/iago/.zuliprc:1: a key before any [section] header (a zuliprc starts with [api])",
    );
}

#[test]
fn zuliprc_garbage_and_binary() {
    for text in [&b"\0\x01\x02"[..], b"hello world", b"key = value\n"] {
        zuliprc_error(
            text,
            ZuliprcErrorKind::MissingSectionHeader,
            Some(1),
            None,
            "/home/iago/.zuliprc:1: a key before any [section] header (a zuliprc starts with [api])",
        );
    }
    // UTF-16 (with its byte order mark), a PNG, a bad byte on line 3.
    for (text, line) in [
        (&b"\xff\xfe[\0a\0p\0i\0]\0"[..], 1),
        (b"\x89PNG\r\n\x1a\n", 1),
        (b"[api]\nemail = iago@zulip.com\nkey = \xe9t\xe9\n", 3),
    ] {
        zuliprc_error(
            text,
            ZuliprcErrorKind::NotUtf8,
            Some(line),
            None,
            &format!("/home/iago/.zuliprc:{line}: the file is not valid UTF-8"),
        );
    }
    zuliprc_error(
        format!("[api]\n\n{KEY}\n").as_bytes(),
        ZuliprcErrorKind::NotKeyValue,
        Some(3),
        None,
        "/home/iago/.zuliprc:3: expected `[section]`, `key = value` or `key: value`",
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile upload paths (`UploadPath::from_path_id`, `UploadPath::from_url`, `file_url`,
// `resolve_url`).

fn chat() -> Site {
    Site::parse("chat.example.com").unwrap()
}

/// The error for `input`, checked for kind and `Display`.
fn path_error(
    result: Result<impl std::fmt::Debug, UploadPathError>,
    kind: UploadPathErrorKind,
    shown: &str,
) {
    let error = result.expect_err("an error");
    assert_eq!(error.kind(), kind, "{error}");
    assert_eq!(error.to_string(), shown);
}

fn file_url(path_id: &str) -> String {
    UploadPath::from_path_id(path_id)
        .unwrap_or_else(|error| panic!("{path_id:?}: {error}"))
        .file_url(&chat())
}

#[test]
fn paths_with_dot_segments() {
    for input in ["2/../../etc/passwd", "2/./x", "2/a/.."] {
        path_error(
            UploadPath::from_path_id(input),
            UploadPathErrorKind::DotSegment,
            "unusable upload path: it has a `.` or `..` segment",
        );
        let url = format!("/user_uploads/{input}");
        path_error(
            UploadPath::from_url(&url, &chat()),
            UploadPathErrorKind::DotSegment,
            "unusable upload path: it has a `.` or `..` segment",
        );
        path_error(
            resolve_url(&chat(), &url),
            UploadPathErrorKind::DotSegment,
            "unusable upload path: it has a `.` or `..` segment",
        );
    }
    // Three dots are a name.
    assert_eq!(
        file_url("2/.../x"),
        "https://chat.example.com/user_uploads/2/.../x"
    );
}

#[test]
fn percent_encoded_dots_in_paths() {
    // In a path_id `%` is a character: the file is literally named `%2e%2e`.
    assert_eq!(
        file_url("2/%2e%2e/x"),
        "https://chat.example.com/user_uploads/2/%252e%252e/x"
    );
    let context = RequestContext::new(chat()).with_credentials(Credentials::new("a@b.c", "k"));
    let request = GetFileTemporaryUrl::from_path_id("2/%2e%2e/x")
        .unwrap()
        .try_into_http_request(&context)
        .unwrap();
    assert_eq!(
        request.uri(),
        "https://chat.example.com/api/v1/user_uploads/2/%252e%252e/x"
    );
    // In a URL it is an escape: decoded, it is a dot segment.
    for url in ["/user_uploads/2/%2e%2e/x", "/user_uploads/2/%2E/x"] {
        path_error(
            UploadPath::from_url(url, &chat()),
            UploadPathErrorKind::DotSegment,
            "unusable upload path: it has a `.` or `..` segment",
        );
        path_error(
            resolve_url(&chat(), url),
            UploadPathErrorKind::DotSegment,
            "unusable upload path: it has a `.` or `..` segment",
        );
    }
}

#[test]
fn protocol_relative_and_absolute_paths() {
    path_error(
        UploadPath::from_path_id("//evil.example/x"),
        UploadPathErrorKind::EmptySegment,
        "unusable upload path: it has an empty segment",
    );
    path_error(
        UploadPath::from_path_id("https://evil.example/x"),
        UploadPathErrorKind::InvalidRealm,
        "unusable upload path: the realm part is neither digits nor `unk`",
    );
    for url in [
        "//evil.example/user_uploads/2/a/b",
        "javascript:alert(1)",
        "user_uploads/2/a/b",
    ] {
        path_error(
            UploadPath::from_url(url, &chat()),
            UploadPathErrorKind::InvalidUrl,
            "unusable upload path: it is not a URL on the site",
        );
        path_error(
            resolve_url(&chat(), url),
            UploadPathErrorKind::InvalidUrl,
            "unusable upload path: it is not a URL on the site",
        );
    }
    // Another host, user info naming the site, another scheme, another port.
    for url in [
        "https://evil.example/user_uploads/2/a/b",
        "https://chat.example.com@evil.example/user_uploads/2/a/b",
        "http://chat.example.com/user_uploads/2/a/b",
        "https://chat.example.com:8443/user_uploads/2/a/b",
    ] {
        path_error(
            UploadPath::from_url(url, &chat()),
            UploadPathErrorKind::OtherOrigin,
            "unusable upload path: it is on another origin",
        );
        path_error(
            resolve_url(&chat(), url),
            UploadPathErrorKind::OtherOrigin,
            "unusable upload path: it is on another origin",
        );
    }
    // The same origin written differently is the site.
    let same = "https://CHAT.example.com:443/user_uploads/2/a/b";
    assert_eq!(
        UploadPath::from_url(same, &chat())
            .unwrap()
            .file_url(&chat()),
        "https://chat.example.com/user_uploads/2/a/b"
    );
    path_error(
        UploadPath::from_url("/api/v1/users/me", &chat()),
        UploadPathErrorKind::NotUserUploads,
        "unusable upload path: it is not under the site's /user_uploads/",
    );
}

#[test]
fn backslashes_in_paths() {
    path_error(
        UploadPath::from_path_id("2/a\\..\\..\\b"),
        UploadPathErrorKind::Backslash,
        "unusable upload path: it contains a backslash",
    );
    for url in ["/user_uploads/2/a%5Cb", "/user_uploads/2/a\\b"] {
        path_error(
            UploadPath::from_url(url, &chat()),
            UploadPathErrorKind::Backslash,
            "unusable upload path: it contains a backslash",
        );
    }
    path_error(
        resolve_url(&chat(), "/\\evil.example"),
        UploadPathErrorKind::Backslash,
        "unusable upload path: it contains a backslash",
    );
    // A URL the server returned is opaque: an escaped backslash stays an escape.
    assert_eq!(
        resolve_url(&chat(), "/user_uploads/2/a%5Cb").unwrap(),
        "https://chat.example.com/user_uploads/2/a%5Cb"
    );
}

#[test]
fn queries_and_fragments_in_paths() {
    // In a path_id they are characters of the name.
    assert_eq!(
        file_url("2/a?b#c"),
        "https://chat.example.com/user_uploads/2/a%3Fb%23c"
    );
    for url in ["/user_uploads/2/a?b", "/user_uploads/2/a#b"] {
        path_error(
            UploadPath::from_url(url, &chat()),
            UploadPathErrorKind::QueryOrFragment,
            "unusable upload path: it has a query or fragment",
        );
    }
    // A URL the server returned keeps them.
    assert_eq!(
        resolve_url(&chat(), "/user_uploads/temporary/AB/x.txt?download=1#top").unwrap(),
        "https://chat.example.com/user_uploads/temporary/AB/x.txt?download=1#top"
    );
}

#[test]
fn empty_segments_in_paths() {
    for input in ["2//x", "/2/x", "2/x/"] {
        path_error(
            UploadPath::from_path_id(input),
            UploadPathErrorKind::EmptySegment,
            "unusable upload path: it has an empty segment",
        );
    }
    path_error(
        UploadPath::from_path_id(""),
        UploadPathErrorKind::Empty,
        "unusable upload path: it is empty",
    );
    path_error(
        UploadPath::from_path_id("2"),
        UploadPathErrorKind::MissingFilename,
        "unusable upload path: it has no file name",
    );
    path_error(
        UploadPath::from_url("/user_uploads/2//x", &chat()),
        UploadPathErrorKind::EmptySegment,
        "unusable upload path: it has an empty segment",
    );
}

#[test]
fn non_ascii_and_control_characters_in_paths() {
    assert_eq!(
        file_url("2/ab/Résumé 1.pdf"),
        "https://chat.example.com/user_uploads/2/ab/R%C3%A9sum%C3%A9%201.pdf"
    );
    // A right-to-left override is not a control character: it is encoded like any other.
    assert_eq!(
        file_url("2/a\u{202e}fdp.exe"),
        "https://chat.example.com/user_uploads/2/a%E2%80%AEfdp.exe"
    );
    // The same file from a raw or an encoded link.
    for url in [
        "/user_uploads/2/ab/Résumé 1.pdf",
        "/user_uploads/2/ab/R%C3%A9sum%C3%A9%201.pdf",
    ] {
        assert_eq!(
            UploadPath::from_url(url, &chat()).unwrap().path_id(),
            "2/ab/Résumé 1.pdf"
        );
    }
    path_error(
        UploadPath::from_path_id("2/a\r\nSet-Cookie: x"),
        UploadPathErrorKind::ControlCharacter,
        "unusable upload path: it contains a control character",
    );
    path_error(
        UploadPath::from_url("/user_uploads/2/a%00b", &chat()),
        UploadPathErrorKind::ControlCharacter,
        "unusable upload path: it contains a control character",
    );
    for url in ["/user_uploads/2/a%ffb", "/user_uploads/2/a%zzb"] {
        path_error(
            UploadPath::from_url(url, &chat()),
            UploadPathErrorKind::InvalidPercentEncoding,
            "unusable upload path: invalid percent-encoding",
        );
    }
    path_error(
        UploadPath::from_url("/user_uploads/2/a%2Fb", &chat()),
        UploadPathErrorKind::EncodedSeparator,
        "unusable upload path: a segment holds an encoded `/`",
    );
}

#[test]
fn very_long_paths() {
    assert!(UploadPath::from_path_id(&format!("2/{}", "a".repeat(8190))).is_ok());
    for input in [
        format!("2/{}", "a".repeat(8191)),
        format!("2{}", "/a".repeat(65)),
    ] {
        path_error(
            UploadPath::from_path_id(&input),
            UploadPathErrorKind::TooLong,
            "unusable upload path: it is too long",
        );
    }
    path_error(
        UploadPath::from_path_id(&format!("{}/a", "1".repeat(21))),
        UploadPathErrorKind::InvalidRealm,
        "unusable upload path: the realm part is neither digits nor `unk`",
    );
    // The URL of an 8 KiB path_id of non-ASCII text is three times longer, and reads back
    // (it was refused as too long; see findings).
    let path = UploadPath::from_path_id(&format!("2/{}", "é".repeat(4095))).unwrap();
    let url = path.file_url(&chat());
    assert_eq!(
        url.len(),
        "https://chat.example.com/user_uploads/2/".len() + 6 * 4095
    );
    assert_eq!(UploadPath::from_url(&url, &chat()).unwrap(), path);
}

// ---------------------------------------------------------------------------------------------
// Hostile file names for uploads (`MultipartForm::new`, `encode_filename`).

/// The part's header lines for a file named `name` and boundary `B`.
fn part_head(name: &str) -> String {
    let form = MultipartForm::new(&FilePart::new(name), Boundary::new("B").unwrap())
        .unwrap_or_else(|error| panic!("{name:?}: {error}"));
    String::from_utf8(form.prefix().to_vec()).expect("ASCII")
}

#[test]
fn file_names_with_quotes_and_line_breaks() {
    assert_eq!(
        part_head("a \"b\"\r\nContent-Type: text/html\r\n\r\n.txt"),
        "--B\r\nContent-Disposition: form-data; name=\"filename\"; \
         filename=\"a%20%22b%22%0D%0AContent-Type%3A%20text%2Fhtml%0D%0A%0D%0A.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
    // `;` and `&` (which Django HTML-unescapes) are encoded too.
    assert_eq!(encode_filename("a;b&amp;.txt"), "a%3Bb%26amp%3B.txt");
}

#[test]
fn file_names_with_slashes_and_backslashes() {
    for (name, encoded) in [
        ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"),
        ("C:\\Users\\a.txt", "C%3A%5CUsers%5Ca.txt"),
        ("..", "%2E%2E"),
        (".", "%2E"),
    ] {
        assert_eq!(encode_filename(name), encoded);
        assert!(
            part_head(name).contains(&format!("; filename=\"{encoded}\"\r\n")),
            "{name}"
        );
    }
}

#[test]
fn non_ascii_file_names() {
    assert_eq!(
        part_head("Résumé.pdf"),
        "--B\r\nContent-Disposition: form-data; name=\"filename\"; \
         filename=\"R%C3%A9sum%C3%A9.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    // No known extension: no Content-Type, the server guesses.
    assert_eq!(
        part_head("😀"),
        "--B\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"%F0%9F%98%80\"\r\n\r\n"
    );
}

#[test]
fn empty_file_names() {
    let error = MultipartForm::new(&FilePart::new(""), Boundary::new("B").unwrap()).unwrap_err();
    assert!(
        matches!(error, BuildError::InvalidParameter { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "invalid parameter filename: the file name is empty"
    );
    let context = RequestContext::new(chat()).with_credentials(Credentials::new("a@b.c", "k"));
    assert_eq!(
        UploadFile::new("", b"x".to_vec())
            .try_into_http_request(&context)
            .unwrap_err()
            .to_string(),
        "invalid parameter filename: the file name is empty"
    );
}

#[test]
fn very_long_file_names() {
    // The limit is 4096 bytes of UTF-8: 4096 ASCII characters, or 1024 emoji.
    assert!(part_head(&"a".repeat(4096)).len() > 4096);
    assert!(part_head(&"😀".repeat(1024)).len() > 12 * 1024);
    for name in ["a".repeat(4097), "a".repeat(10_000), "😀".repeat(1025)] {
        let error =
            MultipartForm::new(&FilePart::new(name), Boundary::new("B").unwrap()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid parameter filename: the file name is too long"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The other endpoints' response bodies.

/// The `Display` of the error reading this 200 body as `T`, which must be a parse error.
fn body_error<T: IncomingResponse + std::fmt::Debug>(body: &str) -> String {
    let response = response(200, Some(JSON), body.as_bytes());
    let error =
        T::try_from_http_response(&response, &ResponseContext::new()).expect_err("an error");
    assert!(error.as_parse().is_some(), "{error}");
    error.to_string()
}

#[test]
fn remove_attachment_bad_bodies() {
    let cases = [
        (
            r#"["success",""]"#,
            "unexpected response: invalid type: sequence, expected a JSON object at line 1 column 0",
        ),
        (
            r#"{"result":"success","msg":"","ignored_parameters_unsupported":"x"}"#,
            "unexpected response at `ignored_parameters_unsupported`: invalid type: string \"x\", expected a sequence at line 1 column 65",
        ),
        (
            r#"{"result":"success","msg":"","ignored_parameters_unsupported":[1]}"#,
            "unexpected response at `ignored_parameters_unsupported[0]`: invalid type: integer `1`, expected a string at line 1 column 64",
        ),
        (r#"{"msg":""}"#, "unexpected response: `result` is missing"),
    ];
    for (body, shown) in cases {
        assert_eq!(body_error::<RemoveAttachmentResponse>(body), shown);
    }
    // Nothing else is required: not even `msg`.
    let response = response(200, Some(JSON), br#"{"result":"success"}"#);
    assert!(
        RemoveAttachmentResponse::try_from_http_response(&response, &ResponseContext::new())
            .is_ok()
    );
}

#[test]
fn upload_file_bad_bodies() {
    let cases = [
        (
            r#"["success","","/user_uploads/2/a/b.txt"]"#,
            "unexpected response: invalid type: sequence, expected a JSON object at line 1 column 0",
        ),
        (
            r#"{"result":"success","msg":""}"#,
            "unexpected response: missing field `url` (or the legacy `uri`)",
        ),
        (
            r#"{"result":"success","msg":"","url":null,"uri":null}"#,
            "unexpected response: missing field `url` (or the legacy `uri`)",
        ),
        (
            r#"{"result":"success","msg":"","url":5}"#,
            "unexpected response at `url`: invalid type: integer `5`, expected a string at line 1 column 36",
        ),
        (
            r#"{"result":"success","msg":"","url":"/u","filename":["b"]}"#,
            "unexpected response at `filename`: invalid type: sequence, expected a string at line 1 column 51",
        ),
    ];
    for (body, shown) in cases {
        assert_eq!(body_error::<UploadFileResponse>(body), shown);
    }
}

#[test]
fn temporary_url_bad_bodies() {
    let cases = [
        (
            r#"["success","","/user_uploads/temporary/AB/x"]"#,
            "unexpected response: invalid type: sequence, expected a JSON object at line 1 column 0",
        ),
        (
            r#"{"result":"success","msg":""}"#,
            "unexpected response: missing field `url` at line 1 column 29",
        ),
        (
            r#"{"result":"success","msg":"","url":null}"#,
            "unexpected response at `url`: invalid type: null, expected a string at line 1 column 39",
        ),
        (
            r#"{"result":"success","msg":"","url":{"path":"/x"}}"#,
            "unexpected response at `url`: invalid type: map, expected a string at line 1 column 35",
        ),
    ];
    for (body, shown) in cases {
        assert_eq!(body_error::<GetFileTemporaryUrlResponse>(body), shown);
    }
}

#[test]
fn server_settings_bad_bodies() {
    let settings =
        |rest: &str| format!(r#"{{"result":"success","msg":"","zulip_version":"9.0",{rest}}}"#);
    let cases = [
        (
            r#"["success","","9.0"]"#.to_owned(),
            "unexpected response: invalid type: sequence, expected a JSON object at line 1 column 0",
        ),
        (
            r#"{"result":"success","msg":"","zulip_feature_level":276}"#.to_owned(),
            "unexpected response: missing field `zulip_version` at line 1 column 55",
        ),
        (
            r#"{"result":"success","msg":"","zulip_version":9}"#.to_owned(),
            "unexpected response at `zulip_version`: invalid type: integer `9`, expected a string at line 1 column 46",
        ),
        (
            settings(r#""zulip_feature_level":"276""#),
            "unexpected response at `zulip_feature_level`: invalid type: string \"276\", expected u32 at line 1 column 78",
        ),
        (
            settings(r#""zulip_feature_level":-1"#),
            "unexpected response at `zulip_feature_level`: invalid value: integer `-1`, expected u32 at line 1 column 75",
        ),
        (
            settings(r#""authentication_methods":null"#),
            "unexpected response at `authentication_methods`: invalid type: null, expected a map at line 1 column 80",
        ),
        (
            settings(r#""authentication_methods":{"password":"yes"}"#),
            "unexpected response at `authentication_methods.password`: invalid type: string \"yes\", expected a boolean at line 1 column 93",
        ),
        (
            settings(
                r#""external_authentication_methods":[["google","Google",null,"/login","/signup"]]"#,
            ),
            "unexpected response at `external_authentication_methods[0]`: invalid type: sequence, expected a JSON object at line 1 column 86",
        ),
        (
            settings(
                r#""external_authentication_methods":[{"name":"saml:x","display_name":"X","display_icon":null,"login_url":"/l"}]"#,
            ),
            "unexpected response at `external_authentication_methods[0]`: missing field `signup_url` at line 1 column 159",
        ),
    ];
    for (body, shown) in cases {
        assert_eq!(body_error::<GetServerSettingsResponse>(&body), shown);
        // The body-only `Deserialize` refuses the same bodies.
        assert!(
            serde_json::from_str::<GetServerSettingsResponse>(&body).is_err(),
            "{body}"
        );
    }
    // The body-only `Deserialize` of every endpoint refuses arrays (it used to read them
    // positionally; see findings).
    assert!(serde_json::from_str::<RemoveAttachmentResponse>("[null]").is_err());
    assert!(serde_json::from_str::<UploadFileResponse>(r#"["success","/u","/u"]"#).is_err());
    assert!(serde_json::from_str::<GetFileTemporaryUrlResponse>(r#"["success","/u"]"#).is_err());
    assert!(
        serde_json::from_str::<ExternalAuthenticationMethod>(
            r#"["google","Google",null,"/l","/s"]"#
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// The transport's body caps and time limits (zulip-hyper), against a raw server on 127.0.0.1.

/// A server for one connection: reads the request head, writes `response`, then closes, or,
/// with `hold`, keeps the connection open without writing until the returned sender is
/// dropped (at most 30 s).
fn raw_server(response: Vec<u8>, hold: bool) -> (String, std::sync::mpsc::Sender<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    let (release, released) = std::sync::mpsc::channel::<()>();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0_u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let _ = stream.write_all(&response);
        let _ = stream.flush();
        if hold {
            let _ = released.recv_timeout(Duration::from_secs(30));
        }
    });
    (site, release)
}

/// A client of `site` with small caps: 1 KiB for success bodies, the default for error bodies.
fn raw_client(site: &str, timeout: Duration) -> zulip_hyper::Client {
    zulip_hyper::Client::builder()
        .site(site)
        .credentials(Credentials::new("a@b.c", KEY))
        .max_body_size(1024)
        .request_timeout(timeout)
        .build()
        .unwrap()
}

fn http_response(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    [
        format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}\r\n").as_bytes(),
        body,
    ]
    .concat()
}

/// A chunked body: `body` in chunks of 1000 bytes, and the last chunk.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(1000) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[tokio::test]
async fn success_bodies_above_the_cap() {
    let body = format!(
        r#"{{"result":"success","msg":"","x":"{}"}}"#,
        "a".repeat(2000)
    );
    for response in [
        http_response(
            "200 OK",
            &format!("Content-Length: {}\r\n", body.len()),
            body.as_bytes(),
        ),
        http_response(
            "200 OK",
            "Transfer-Encoding: chunked\r\n",
            &chunked(body.as_bytes()),
        ),
    ] {
        let (site, _release) = raw_server(response, false);
        let error = raw_client(&site, Duration::from_secs(20))
            .send(&GetServerSettings::new())
            .await
            .unwrap_err();
        assert!(
            matches!(error, zulip_hyper::Error::BodyTooLarge { limit: 1024, .. }),
            "{error:?}"
        );
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(
            error.to_string(),
            "response body (status 200 OK) is larger than the limit of 1024 bytes"
        );
    }
}

#[tokio::test]
async fn error_bodies_above_their_smaller_cap() {
    assert_eq!(zulip_hyper::DEFAULT_MAX_ERROR_BODY_SIZE, 64 * 1024);
    let page = format!("<html>{}</html>", "x".repeat(70_000));
    for response in [
        http_response(
            "502 Bad Gateway",
            &format!("Content-Length: {}\r\n", page.len()),
            page.as_bytes(),
        ),
        http_response(
            "502 Bad Gateway",
            "Transfer-Encoding: chunked\r\n",
            &chunked(page.as_bytes()),
        ),
    ] {
        let (site, _release) = raw_server(response, false);
        let client = zulip_hyper::Client::builder()
            .site(&site)
            .request_timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let error = client.send(&GetServerSettings::new()).await.unwrap_err();
        assert!(
            matches!(
                error,
                zulip_hyper::Error::BodyTooLarge { limit: 65_536, .. }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "response body (status 502 Bad Gateway) is larger than the limit of 65536 bytes"
        );
    }
}

#[tokio::test]
async fn truncated_bodies() {
    let body = br#"{"result":"success","msg":"","zulip_version":"9.0"}"#;
    let cut = &body[..20];
    // Chunked: a chunk announced longer than what arrives, then the connection closes.
    let mut truncated_chunk = format!("{:x}\r\n", body.len()).into_bytes();
    truncated_chunk.extend_from_slice(cut);
    // Content-Length larger than what arrives.
    for (headers, sent, shown) in [
        (
            "Transfer-Encoding: chunked\r\n".to_owned(),
            truncated_chunk,
            "HTTP error: error reading a body from connection: end of file before message length reached",
        ),
        (
            format!("Content-Length: {}\r\n", body.len()),
            cut.to_vec(),
            "HTTP error: error reading a body from connection: end of file before message length reached",
        ),
    ] {
        let (site, _release) = raw_server(http_response("200 OK", &headers, &sent), false);
        let error = raw_client(&site, Duration::from_secs(20))
            .send(&GetServerSettings::new())
            .await
            .unwrap_err();
        assert!(matches!(error, zulip_hyper::Error::Http(_)), "{error:?}");
        assert_eq!(error.to_string(), shown);
    }
}

#[tokio::test]
async fn a_server_that_stalls_mid_body_times_out() {
    let body = br#"{"result":"success","msg":"","zulip_version":"9.0"}"#;
    let headers = format!("Content-Length: {}\r\n", body.len());
    let (site, release) = raw_server(http_response("200 OK", &headers, &body[..20]), true);
    let limit = Duration::from_millis(500);
    let error = raw_client(&site, limit)
        .send(&GetServerSettings::new())
        .await
        .unwrap_err();
    assert!(
        matches!(error, zulip_hyper::Error::Timeout { phase: TimeoutPhase::Body, limit: l } if l == limit),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "timed out after 500ms reading the response body"
    );
    drop(release);
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
        .chain(source.split("#[tokio::test]\nasync fn ").skip(1))
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
