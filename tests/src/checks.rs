//! The properties every fuzz target checks, shared by the fuzz crate (through `#[path]`) and the
//! corpus replay test (`tests/tests/fuzz_corpus.rs`), so that a committed corpus or regression
//! file is checked on stable Rust exactly as libFuzzer checked it.
//!
//! Each check takes the raw input bytes, runs one public parser of `zulip-types`, and panics
//! when a property does not hold. A new parser gets a function here, an entry in [`TARGETS`], a
//! five-line target in `fuzz/fuzz_targets/` and a `fuzz/corpus/<target>/` folder of seeds.

use http::StatusCode;
use serde_json::{Map, Number, Value};
use zulip_types::{
    AttachmentsGeneration, Credentials, Endpoint, ErrorBody, ErrorCode, GetAttachments,
    GetAttachmentsResponse, IncomingResponse, MAX_WIRE_MAGNITUDE, ParseErrorKind, RateLimitHeaders,
    RequestContext, ResponseContext, ServerError, Site, TimeUnit, Timestamp, WireNumber,
    retry_after_header, seconds_to_duration,
};

use crate::fuzz_input::Input;

/// A check: panics when a property does not hold for this input.
pub type Check = fn(&[u8]);

/// Every fuzz target, by name: `fuzz/fuzz_targets/<name>.rs`, `fuzz/corpus/<name>/`,
/// `fuzz/regressions/<name>/`.
pub const TARGETS: &[(&str, Check)] = &[
    ("get_attachments", get_attachments),
    ("server_error", server_error),
    ("site", site),
    ("rate_limit_headers", rate_limit_headers),
    ("timestamp", timestamp),
];

/// `GET /attachments` response parser, fed status, headers, known feature level and body.
///
/// - a non-2xx status is always [`zulip_types::ResponseError::Server`], equal to
///   [`ServerError::from_response`] of the same response;
/// - a 2xx is a server error only when the body says `"result": "error"`;
/// - a success equals what the body-only `Deserialize` reads (when no feature level is known);
/// - a success round-trips through every generation (see [`attachments_round_trip`]).
pub fn get_attachments(data: &[u8]) {
    let input = Input::split(data);
    let response = input.response();
    let result = GetAttachmentsResponse::try_from_http_response(&response, &input.context());
    let success = input.status.is_success();
    match result {
        Ok(parsed) => {
            assert!(success, "parsed a {} as success", input.status);
            if input.feature_level.is_none() {
                // The body-only `Deserialize` reads the same value.
                let body_only = serde_json::from_slice::<GetAttachmentsResponse>(input.body);
                assert_eq!(body_only.ok().as_ref(), Some(&parsed));
            }
            attachments_round_trip(&parsed);
        }
        Err(error) => {
            let _ = error.to_string();
            if let Some(server) = error.as_server() {
                assert_eq!(server.status(), input.status);
                if success {
                    let result = serde_json::from_slice::<Value>(input.body)
                        .ok()
                        .and_then(|body| body.get("result").cloned());
                    assert_eq!(result, Some(Value::from("error")), "2xx server error");
                } else {
                    assert_eq!(*server, ServerError::from_response(&response));
                }
            } else if let Some(parse) = error.as_parse() {
                assert!(success, "{} gave a parse error", input.status);
                assert_eq!(parse.status(), input.status);
                if parse.kind() == ParseErrorKind::NotJson {
                    assert_eq!(parse.body(), Some(input.body));
                }
            } else {
                panic!("unknown error kind: {error:?}");
            }
        }
    }
}

/// A parsed response written as each generation and read back at that generation's feature
/// level gives the response projected to what the generation can carry ([`project`]). Writing
/// the reread value again gives the same bytes.
pub fn attachments_round_trip(parsed: &GetAttachmentsResponse) {
    for generation in AttachmentsGeneration::ALL {
        let body = parsed.to_wire_json(generation);
        let response = http::Response::builder()
            .status(200)
            .body(&body[..])
            .expect("a 200 response");
        let context = ResponseContext::new().with_feature_level(generation.feature_level());
        let reread = GetAttachmentsResponse::try_from_http_response(&response, &context)
            .unwrap_or_else(|error| {
                panic!(
                    "{generation:?}: {error} reading {}",
                    String::from_utf8_lossy(&body)
                )
            });
        assert_eq!(
            reread,
            project(parsed, generation),
            "{generation:?} round trip"
        );
        assert_eq!(
            reread.to_wire_json(generation),
            body,
            "{generation:?} rewrite"
        );
    }
}

/// What a response looks like after a trip through `generation`: what it cannot carry is
/// left out (sizes and times in G0, send times in G4, `ignored_parameters_unsupported` before
/// G2, times beyond ±2^53 milliseconds in G0 – G2), and G3 and G4 floor times to seconds.
#[must_use]
pub fn project(
    response: &GetAttachmentsResponse,
    generation: AttachmentsGeneration,
) -> GetAttachmentsResponse {
    use AttachmentsGeneration::{G0, G1, G4};
    let mut out = response.clone();
    if matches!(generation, G0 | G1) {
        out.ignored_parameters_unsupported = None;
    }
    if generation == G0 {
        out.upload_space_used = None;
    }
    for attachment in &mut out.attachments {
        if generation == G0 {
            attachment.size = None;
            attachment.create_time = None;
        }
        attachment.create_time = attachment
            .create_time
            .and_then(|time| project_time(time, generation));
        for message in &mut attachment.messages {
            message.date_sent = match generation {
                G4 => None,
                _ => message
                    .date_sent
                    .and_then(|time| project_time(time, generation)),
            };
        }
    }
    out
}

/// A timestamp as `generation` writes and reads it, `None` when it cannot write it.
fn project_time(time: Timestamp, generation: AttachmentsGeneration) -> Option<Timestamp> {
    use AttachmentsGeneration::{G0, G1, G2, G3, G4};
    match generation {
        // Milliseconds (floats in G0/G1, exact within ±2^53), left out beyond ±2^53.
        G0 | G1 | G2 => Timestamp::from_unix_millis(time.as_unix_millis()),
        // Whole seconds, rounded towards the past.
        G3 | G4 => Timestamp::from_unix_seconds(time.as_unix_seconds()),
    }
}

/// `ServerError::from_response` on any status, headers and body.
///
/// - status, rate-limit headers and content type are kept;
/// - the body is Zulip's error shape exactly when it is a JSON object with `"result": "error"`, a
///   string `msg` and a string, null or absent `code`; other JSON is kept as JSON, anything else
///   as the raw bytes;
/// - Zulip's shape written back as JSON reads back to an equal error, floats exactly;
/// - `retry_after` is finite and non-negative; `Debug` shows a non-JSON body's length only.
pub fn server_error(data: &[u8]) {
    let input = Input::split(data);
    let response = input.response();
    let error = ServerError::from_response(&response);
    assert_eq!(error.status(), input.status);
    assert_eq!(
        error.rate_limit(),
        RateLimitHeaders::from_headers(&input.headers)
    );
    let expected_content_type = input
        .headers
        .get(http::header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    assert_eq!(error.content_type(), expected_content_type.as_deref());

    match serde_json::from_slice::<Value>(input.body) {
        Err(_) => {
            assert_eq!(error.raw_body(), Some(input.body));
            let debug = format!("{error:?}");
            assert!(
                debug.contains(&format!("<{} bytes>", input.body.len())),
                "{debug}"
            );
        }
        Ok(value) if is_zulip_error_shape(&value) => {
            let zulip = error.zulip_error().expect("Zulip's error shape");
            assert_eq!(Some(zulip.msg.as_str()), value["msg"].as_str());
            assert_eq!(
                error.code().map(ErrorCode::as_str),
                value.get("code").and_then(Value::as_str)
            );
            // Written back, it reads back the same.
            let mut rewritten = Map::new();
            rewritten.insert("result".into(), "error".into());
            rewritten.insert("msg".into(), zulip.msg.clone().into());
            if let Some(code) = &zulip.code {
                rewritten.insert("code".into(), code.as_str().into());
            }
            rewritten.extend(zulip.extra.clone());
            let body = serde_json::to_vec(&rewritten).expect("JSON");
            let mut again = input.response();
            *again.body_mut() = &body[..];
            let again = ServerError::from_response(&again);
            // Exact, floats included: zulip-types reads floats with serde_json's
            // `float_roundtrip`, and serde_json writes the shortest text that reads back.
            assert_eq!(again.zulip_error().map(|e| &e.extra), Some(&zulip.extra));
            assert_eq!(again.code(), error.code());
            assert_eq!(again.msg(), error.msg());
        }
        Ok(value) => match error.body() {
            ErrorBody::OtherJson(kept) => assert_eq!(kept, &value),
            other => panic!("{value} read as {other:?}"),
        },
    }

    if let Some(seconds) = error.retry_after() {
        assert!(seconds.is_finite() && seconds >= 0.0, "{seconds}");
        if let Some(duration) = error.retry_after_duration() {
            assert!((duration.as_secs_f64() - seconds).abs() <= seconds * 1e-9 + 1e-9);
        }
    }
    let rate_limited = input.status == StatusCode::TOO_MANY_REQUESTS
        || error.code() == Some(&ErrorCode::RateLimitHit);
    assert_eq!(error.is_rate_limited(), rate_limited);
    let _ = error.to_string();
}

fn is_zulip_error_shape(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    object.get("result") == Some(&Value::from("error"))
        && object.get("msg").is_some_and(Value::is_string)
        && matches!(
            object.get("code"),
            None | Some(Value::String(_) | Value::Null)
        )
}

/// `Site::parse` on any text (invalid UTF-8 replaced).
///
/// - a site is `http(s)://host.../api`, its root plus `/api`, and parses to itself from its API base;
/// - it always yields a valid request URI with a host and, if any, a numeric port;
/// - an error never repeats an input that holds `@` (it may carry a password).
pub fn site(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Site::parse(&text) {
        Ok(site) => {
            let base = site.api_base();
            assert!(
                base.starts_with("http://") || base.starts_with("https://"),
                "{base}"
            );
            assert_eq!(format!("{}/api", site.root()), base);
            assert_eq!(site.to_string(), site.root());
            let again = Site::parse(base).unwrap_or_else(|e| panic!("{base}: {e}"));
            assert_eq!(again, site, "{base}");

            let context = RequestContext::new(site.clone())
                .with_credentials(Credentials::new("user@example.com", "key"));
            let request = GetAttachments::new()
                .try_into_http_request(&context)
                .unwrap_or_else(|e| panic!("{base}: {e}"));
            assert_eq!(
                request.uri().to_string(),
                site.endpoint_url(GetAttachments::PATH)
            );
            let uri = request.uri();
            assert!(matches!(uri.scheme_str(), Some("http" | "https")));
            let authority = uri.authority().expect("a host").as_str();
            assert!(!authority.contains('@'), "{authority}");
            // After the host: nothing, or a port number.
            let host = uri.host().expect("a host");
            assert!(!host.is_empty(), "{base}");
            let rest = authority
                .strip_prefix(host)
                .expect("the host starts the authority");
            assert!(
                rest.is_empty() || uri.port_u16().is_some(),
                "port in {base}"
            );
            assert!(uri.query().is_none());
        }
        Err(error) => {
            let (shown, debug) = (error.to_string(), format!("{error:?}"));
            if text.contains('@') {
                assert!(!shown.contains(&*text), "{shown}");
                assert!(!debug.contains(&*text), "{debug}");
            }
        }
    }
}

/// `RateLimitHeaders::from_headers` and `retry_after_header` on any headers.
///
/// A value is read only when every occurrence of its header is the same, and it is then exactly
/// the header's trimmed text as a number; a retry-after is finite and non-negative.
pub fn rate_limit_headers(data: &[u8]) {
    let input = Input::split(data);
    let limits = RateLimitHeaders::from_headers(&input.headers);
    let expected = |name: &str| {
        let values: Vec<_> = input.headers.get_all(name).iter().collect();
        let first = values.first()?;
        if values.iter().any(|value| value != first) {
            return None;
        }
        first.to_str().ok()?.trim().parse::<u64>().ok()
    };
    assert_eq!(limits.limit, expected("x-ratelimit-limit"));
    assert_eq!(limits.remaining, expected("x-ratelimit-remaining"));
    assert_eq!(limits.reset, expected("x-ratelimit-reset"));
    assert_eq!(
        limits.is_empty(),
        limits.limit.is_none() && limits.remaining.is_none() && limits.reset.is_none()
    );

    let retry_after = retry_after_header(&input.headers);
    if let Some(seconds) = retry_after {
        assert!(seconds.is_finite() && seconds >= 0.0, "{seconds}");
        let _ = seconds_to_duration(seconds);
    }
    let values: Vec<_> = input.headers.get_all("retry-after").iter().collect();
    if values.is_empty() || values.iter().any(|value| *value != values[0]) {
        assert_eq!(retry_after, None);
    }
}

/// `Timestamp` deserialization from any bytes.
///
/// It accepts exactly the JSON numbers that are integers, or finite whole floats, of magnitude at
/// most 2^53; keeps the wire number; decides the unit by magnitude; and survives serialization.
pub fn timestamp(data: &[u8]) {
    let parsed = serde_json::from_slice::<Timestamp>(data);
    let number = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Number(number)) => number,
        _ => {
            assert!(parsed.is_err(), "not a JSON number, read as {parsed:?}");
            return;
        }
    };
    let expected = expected_wire(&number);
    let parsed = match (parsed, expected) {
        (Ok(parsed), Some(wire)) => {
            assert_eq!(parsed.wire(), wire);
            parsed
        }
        (Err(_), None) => return,
        (parsed, expected) => panic!("{number}: expected {expected:?}, got {parsed:?}"),
    };
    let value = match parsed.wire() {
        WireNumber::Integer(value) => value,
        WireNumber::Float(value) => value as i64,
    };
    assert_eq!(parsed.unit(), TimeUnit::from_magnitude(value));
    let millis = match parsed.unit() {
        TimeUnit::Seconds => value * 1000,
        TimeUnit::Milliseconds => value,
    };
    assert_eq!(parsed.as_unix_millis(), millis);
    assert_eq!(
        i64::from(parsed.subsec_millis()) + parsed.as_unix_seconds() * 1000,
        millis
    );
    let _ = (parsed.to_string(), parsed.to_system_time());

    let written = serde_json::to_vec(&parsed).expect("JSON");
    let again: Timestamp = serde_json::from_slice(&written).expect("reads back");
    assert_eq!(
        (again, again.wire(), again.unit()),
        (parsed, parsed.wire(), parsed.unit())
    );

    for unit in [TimeUnit::Seconds, TimeUnit::Milliseconds] {
        let known = Timestamp::from_number(&number, Some(unit)).expect("same number");
        assert_eq!((known.wire(), known.unit()), (parsed.wire(), unit));
    }
}

/// The wire number a JSON number is as a timestamp, or `None` when it is not one.
fn expected_wire(number: &Number) -> Option<WireNumber> {
    let limit = MAX_WIRE_MAGNITUDE;
    if let Some(value) = number.as_i64() {
        return (value.unsigned_abs() <= limit.unsigned_abs())
            .then_some(WireNumber::Integer(value));
    }
    if number.is_u64() {
        return None;
    }
    let value = number.as_f64()?;
    (value.is_finite() && value.fract() == 0.0 && value.abs() <= limit as f64)
        .then_some(WireNumber::Float(value))
}
