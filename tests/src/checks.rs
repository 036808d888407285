//! The properties every fuzz target checks, shared by the fuzz crate (through `#[path]`) and the
//! corpus replay test (`tests/tests/fuzz_corpus.rs`), so that a committed corpus or regression
//! file is checked on stable Rust exactly as libFuzzer checked it.
//!
//! Each check takes the raw input bytes, runs one public parser of `zulip-types`, and panics
//! when a property does not hold. A new parser gets a function here, an entry in [`TARGETS`], a
//! five-line target in `fuzz/fuzz_targets/` and a `fuzz/corpus/<target>/` folder of seeds.

use std::path::{Path, PathBuf};

use http::StatusCode;
use serde_json::{Map, Number, Value};
use zulip_types::multipart::MAX_FILENAME_LEN;
use zulip_types::{
    AttachmentsGeneration, Boundary, ConfigOptions, Credentials, Endpoint, ErrorBody, ErrorCode,
    ExternalAuthenticationMethod, FeatureLevel, FilePart, GetAttachments, GetAttachmentsResponse,
    GetFileTemporaryUrl, GetFileTemporaryUrlResponse, GetServerSettingsResponse, IncomingResponse,
    MAX_UPLOAD_PATH_LEN, MAX_WIRE_MAGNITUDE, MultipartForm, ParseErrorKind, RateLimitHeaders,
    RemoveAttachmentResponse, RequestContext, ResponseContext, ResponseError, ServerError, Site,
    StreamedUpload, TimeUnit, Timestamp, UploadFile, UploadFileResponse, UploadPath, WireNumber,
    Zuliprc, ZuliprcError, ZuliprcErrorKind, encode_filename, guess_content_type, resolve_url,
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
    ("remove_attachment", remove_attachment),
    ("upload_file", upload_file),
    ("get_file_temporary_url", get_file_temporary_url),
    ("get_server_settings", get_server_settings),
    ("zuliprc", zuliprc),
    ("upload_path", upload_path),
    ("multipart", multipart),
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
        Err(error) => check_response_error(&input, &error),
    }
}

/// What every endpoint's response parser promises when it fails, on any status, headers and
/// body: a non-2xx status is always a server error equal to [`ServerError::from_response`] of
/// the same response; a 2xx is a server error only when the body is JSON saying
/// `"result": "error"`; a parse error only for a 2xx, keeping a body that is not JSON.
fn check_response_error(input: &Input<'_>, error: &ResponseError) {
    let _ = error.to_string();
    let success = input.status.is_success();
    if let Some(server) = error.as_server() {
        assert_eq!(server.status(), input.status);
        if success {
            let result = serde_json::from_slice::<Value>(input.body)
                .ok()
                .and_then(|body| body.get("result").cloned());
            assert_eq!(result, Some(Value::from("error")), "2xx server error");
        } else {
            assert_eq!(*server, ServerError::from_response(&input.response()));
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
/// - its path holds only characters RFC 3986 allows in a path;
/// - an error never repeats an input that holds `@` (it may carry a password), and repeats at
///   most 100 bytes of any other.
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
            // The path holds only what RFC 3986 allows (http::Uri is laxer).
            assert!(
                uri.path()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/".contains(&b)),
                "{base}"
            );
        }
        Err(error) => {
            let (shown, debug) = (error.to_string(), format!("{error:?}"));
            // At most 100 bytes of input (up to 10 bytes each once escaped), twice for a scheme.
            assert!(shown.len() <= 2 * 1000 + 200, "{} bytes", shown.len());
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

// ---------------------------------------------------------------------------------------------
// The response parsers of the other endpoints, read against an independent oracle.

/// What a known key of a success body must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A string.
    Str,
    /// `true` or `false`.
    Bool,
    /// An integer from 0 to `u32::MAX`.
    U32,
    /// An array of strings.
    Strings,
    /// An object whose values are all booleans.
    BoolMap,
    /// An array of objects, each with [`METHOD_KEYS`].
    Methods,
}

/// A known key: its name, what it holds, whether it must be present, whether `null` stands for
/// an absent value.
#[derive(Clone, Copy, Debug)]
struct Key(&'static str, Kind, bool, bool);

const IGNORED: Key = Key("ignored_parameters_unsupported", Kind::Strings, false, true);

/// `DELETE /attachments/{id}`: nothing but the success.
const REMOVE_ATTACHMENT_KEYS: &[Key] = &[IGNORED];

/// `POST /user_uploads`: `uri` (all versions), `url` (FL 272), `filename` (FL 285), one of the
/// URLs present.
const UPLOAD_FILE_KEYS: &[Key] = &[
    Key("url", Kind::Str, false, true),
    Key("uri", Kind::Str, false, true),
    Key("filename", Kind::Str, false, true),
    IGNORED,
];

/// `GET /user_uploads/{realm_id_str}/{filename}`: the temporary URL.
const TEMPORARY_URL_KEYS: &[Key] = &[Key("url", Kind::Str, true, false), IGNORED];

/// `GET /server_settings` (WIRE-NOTES): only the version is required.
const SERVER_SETTINGS_KEYS: &[Key] = &[
    Key("zulip_version", Kind::Str, true, false),
    Key("zulip_feature_level", Kind::U32, false, true),
    Key("zulip_merge_base", Kind::Str, false, true),
    Key("authentication_methods", Kind::BoolMap, false, false),
    Key(
        "external_authentication_methods",
        Kind::Methods,
        false,
        true,
    ),
    Key("push_notifications_enabled", Kind::Bool, false, true),
    Key("is_incompatible", Kind::Bool, false, true),
    Key("email_auth_enabled", Kind::Bool, false, true),
    Key("require_email_format_usernames", Kind::Bool, false, true),
    Key("realm_url", Kind::Str, false, true),
    Key("realm_uri", Kind::Str, false, true),
    Key("realm_name", Kind::Str, false, true),
    Key("realm_icon", Kind::Str, false, true),
    Key("realm_description", Kind::Str, false, true),
    Key("realm_web_public_access_enabled", Kind::Bool, false, true),
    IGNORED,
];

/// One of `external_authentication_methods`: an object, `display_icon` may be `null`.
const METHOD_KEYS: &[Key] = &[
    Key("name", Kind::Str, true, false),
    Key("display_name", Kind::Str, true, false),
    Key("display_icon", Kind::Str, false, true),
    Key("login_url", Kind::Str, true, false),
    Key("signup_url", Kind::Str, true, false),
];

fn holds(kind: Kind, value: &Value) -> bool {
    match kind {
        Kind::Str => value.is_string(),
        Kind::Bool => value.is_boolean(),
        Kind::U32 => value.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
        Kind::Strings => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Kind::BoolMap => value
            .as_object()
            .is_some_and(|map| map.values().all(Value::is_boolean)),
        Kind::Methods => value
            .as_array()
            .is_some_and(|items| items.iter().all(|item| object_holds(item, METHOD_KEYS))),
    }
}

/// `value` is an object whose known keys hold what they must (other keys are ignored).
fn object_holds(value: &Value, keys: &[Key]) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    keys.iter().all(
        |Key(name, kind, required, nullable)| match object.get(*name) {
            None => !required,
            Some(Value::Null) if *nullable => true,
            Some(value) => holds(*kind, value),
        },
    )
}

/// A known key's value, `None` when absent or `null`.
fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|value| !value.is_null())
}

fn text(object: &Map<String, Value>, name: &str) -> Option<String> {
    field(object, name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn flag(object: &Map<String, Value>, name: &str) -> Option<bool> {
    field(object, name).and_then(Value::as_bool)
}

fn strings(object: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    let items = field(object, name)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Whether any JSON object in `body` has a key twice. serde_json's `Value` keeps the last one;
/// the typed parsers reject a known key given twice, so the oracle cannot judge such bodies.
fn has_duplicate_keys(body: &[u8]) -> bool {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    struct Scan(bool);
    impl<'de> Deserialize<'de> for Scan {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(ScanVisitor)
        }
    }
    struct ScanVisitor;
    impl<'de> Visitor<'de> for ScanVisitor {
        type Value = Scan;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Scan, E> {
            Ok(Scan(false))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Scan, E> {
            Ok(Scan(false))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Scan, E> {
            Ok(Scan(false))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Scan, E> {
            Ok(Scan(false))
        }
        fn visit_str<E>(self, _: &str) -> Result<Scan, E> {
            Ok(Scan(false))
        }
        fn visit_unit<E>(self) -> Result<Scan, E> {
            Ok(Scan(false))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scan, A::Error> {
            let mut found = false;
            while let Some(Scan(inner)) = seq.next_element()? {
                found |= inner;
            }
            Ok(Scan(found))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scan, A::Error> {
            let mut keys = std::collections::HashSet::new();
            let mut found = false;
            while let Some(key) = map.next_key::<String>()? {
                found |= !keys.insert(key);
                let Scan(inner) = map.next_value()?;
                found |= inner;
            }
            Ok(Scan(found))
        }
    }
    serde_json::from_slice::<Scan>(body).is_ok_and(|Scan(found)| found)
}

/// The checks every endpoint's response parser shares, with `read` the oracle: the value a body
/// stands for, read from serde_json's `Value` by the checks (for a body whose known keys hold
/// what [`object_holds`] asks; `None` when it is still not a success, e.g. an upload without
/// any URL).
///
/// - any failure obeys [`check_response_error`];
/// - a success has a 2xx status, and a body that is JSON (when serde_json's `Value` reads it) is
///   an object with `"result": "success"` whose known keys hold what they must, and reads as
///   the oracle says;
/// - conversely a 2xx with such a body (no key given twice) is a success;
/// - the body-only `Deserialize` reads the same, and reads objects only, nested ones included.
///
/// Returns the success for the endpoint's own round trip.
fn endpoint_response<T>(
    data: &[u8],
    keys: &[Key],
    read: impl Fn(&Map<String, Value>) -> Option<T>,
) -> Option<T>
where
    T: IncomingResponse + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let input = Input::split(data);
    let response = input.response();
    let result = T::try_from_http_response(&response, &input.context());
    let value = serde_json::from_slice::<Value>(input.body).ok();
    let result_key_ok = |object: &Map<String, Value>| match object.get("result") {
        None => true,
        Some(result) => result.is_string(),
    };
    // What the oracle reads, for a body it can judge.
    let expected = value.as_ref().and_then(|value| {
        let object = value.as_object()?;
        (result_key_ok(object) && object_holds(value, keys))
            .then(|| read(object))
            .flatten()
    });
    let says_success = value
        .as_ref()
        .and_then(|value| value.get("result"))
        .is_some_and(|result| result == "success");
    let judgeable = !has_duplicate_keys(input.body);

    let parsed = match result {
        Ok(parsed) => {
            assert!(
                input.status.is_success(),
                "parsed a {} as success",
                input.status
            );
            if value.is_some() {
                assert!(says_success, "success without \"result\": \"success\"");
                assert_eq!(expected.as_ref(), Some(&parsed), "the oracle disagrees");
            }
            Some(parsed)
        }
        Err(error) => {
            check_response_error(&input, &error);
            if input.status.is_success() && says_success && judgeable && expected.is_some() {
                panic!("a valid body was rejected: {error}");
            }
            None
        }
    };

    // The body alone.
    match serde_json::from_slice::<T>(input.body) {
        Ok(body_only) => {
            if let Some(parsed) = &parsed {
                assert_eq!(&body_only, parsed, "body-only Deserialize");
            }
            if value.is_some() {
                assert_eq!(expected.as_ref(), Some(&body_only), "body-only Deserialize");
            }
        }
        Err(error) => {
            assert!(parsed.is_none(), "body-only Deserialize: {error}");
            if judgeable && expected.is_some() {
                panic!("body-only Deserialize rejected a valid body: {error}");
            }
        }
    }
    parsed
}

/// Reads a 200 response with this body, written by the workspace itself.
fn reread<T: IncomingResponse>(body: &[u8], level: FeatureLevel) -> T {
    let response = http::Response::builder()
        .status(200)
        .body(body)
        .expect("a 200 response");
    let context = ResponseContext::new().with_feature_level(level);
    T::try_from_http_response(&response, &context).unwrap_or_else(|error| {
        panic!(
            "FL {}: {error} reading back {}",
            level.get(),
            String::from_utf8_lossy(body)
        )
    })
}

/// For each of [`LEVELS`]: `parsed` written for that level reads back as `parsed` reduced by
/// `project` to what the level carries, and the value read back is written again identically.
fn at_every_level<T>(
    parsed: &T,
    write: impl Fn(&T, FeatureLevel) -> Vec<u8>,
    project: impl Fn(&mut T, FeatureLevel),
) where
    T: IncomingResponse + Clone + PartialEq + std::fmt::Debug,
{
    for level in LEVELS.map(FeatureLevel::new) {
        let body = write(parsed, level);
        let again: T = reread(&body, level);
        let mut expected = parsed.clone();
        project(&mut expected, level);
        assert_eq!(again, expected, "FL {}", level.get());
        assert_eq!(write(&again, level), body, "FL {} rewrite", level.get());
    }
}

/// Feature levels around every change of these responses' bodies.
const LEVELS: [u32; 9] = [0, 1, 166, 167, 257, 271, 272, 285, 10_000];

/// `DELETE /attachments/{id}`'s response parser, fed status, headers and body: see
/// [`endpoint_response`]; a success written for each feature level reads back the same, without
/// `ignored_parameters_unsupported` before FL 167, and is written again identically.
pub fn remove_attachment(data: &[u8]) {
    let read = |object: &Map<String, Value>| {
        let mut response = RemoveAttachmentResponse::new();
        response.ignored_parameters_unsupported = strings(object, IGNORED.0);
        Some(response)
    };
    let Some(parsed) = endpoint_response(data, REMOVE_ATTACHMENT_KEYS, read) else {
        return;
    };
    at_every_level(
        &parsed,
        RemoveAttachmentResponse::to_wire_json,
        |expected: &mut RemoveAttachmentResponse, level| {
            if level < FeatureLevel::IGNORED_PARAMETERS_UNSUPPORTED {
                expected.ignored_parameters_unsupported = None;
            }
        },
    );
}

/// `POST /user_uploads`'s response parser, fed status, headers and body: see
/// [`endpoint_response`] (`url`, else the legacy `uri`); a success written for each feature
/// level reads back the same (no `filename` before FL 285, no `ignored_parameters_unsupported`
/// before FL 167) and is written again identically.
pub fn upload_file(data: &[u8]) {
    let read = |object: &Map<String, Value>| {
        let url = text(object, "url").or_else(|| text(object, "uri"))?;
        let mut response = UploadFileResponse::new(url);
        response.filename = text(object, "filename");
        response.ignored_parameters_unsupported = strings(object, IGNORED.0);
        Some(response)
    };
    let Some(parsed) = endpoint_response(data, UPLOAD_FILE_KEYS, read) else {
        return;
    };
    at_every_level(
        &parsed,
        UploadFileResponse::to_wire_json,
        |expected: &mut UploadFileResponse, level| {
            if level < FeatureLevel::UPLOAD_FILENAME {
                expected.filename = None;
            }
            if level < FeatureLevel::IGNORED_PARAMETERS_UNSUPPORTED {
                expected.ignored_parameters_unsupported = None;
            }
        },
    );
}

/// `GET /user_uploads/{realm_id_str}/{filename}`'s response parser, fed status, headers and
/// body: see [`endpoint_response`]; a success written for each feature level reads back the
/// same (no `ignored_parameters_unsupported` before FL 167) and is written again identically.
pub fn get_file_temporary_url(data: &[u8]) {
    let read = |object: &Map<String, Value>| {
        let mut response = GetFileTemporaryUrlResponse::new(text(object, "url")?);
        response.ignored_parameters_unsupported = strings(object, IGNORED.0);
        Some(response)
    };
    let Some(parsed) = endpoint_response(data, TEMPORARY_URL_KEYS, read) else {
        return;
    };
    at_every_level(
        &parsed,
        GetFileTemporaryUrlResponse::to_wire_json,
        |expected: &mut GetFileTemporaryUrlResponse, level| {
            if level < FeatureLevel::IGNORED_PARAMETERS_UNSUPPORTED {
                expected.ignored_parameters_unsupported = None;
            }
        },
    );
}

/// `GET /server_settings`'s response parser, fed status, headers and body: see
/// [`endpoint_response`] (a missing feature level is 0, `realm_url` else the legacy `realm_uri`,
/// external authentication methods read from objects only); a success written back (as a
/// server of its feature level writes it) reads back the same, without
/// `ignored_parameters_unsupported` below FL 167, and is written again identically.
pub fn get_server_settings(data: &[u8]) {
    let read = |object: &Map<String, Value>| {
        let version = text(object, "zulip_version")?;
        let level = field(object, "zulip_feature_level")
            .and_then(Value::as_u64)
            .and_then(|level| u32::try_from(level).ok())
            .unwrap_or(0);
        let mut settings = GetServerSettingsResponse::new(version, FeatureLevel::new(level));
        settings.zulip_merge_base = text(object, "zulip_merge_base");
        if let Some(Value::Object(methods)) = object.get("authentication_methods") {
            settings.authentication_methods = methods
                .iter()
                .filter_map(|(name, enabled)| Some((name.clone(), enabled.as_bool()?)))
                .collect();
        }
        settings.external_authentication_methods = field(object, "external_authentication_methods")
            .and_then(Value::as_array)
            .map(|methods| {
                methods
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|method| {
                        let part = |name| text(method, name).unwrap_or_default();
                        let mut read = ExternalAuthenticationMethod::new(
                            part("name"),
                            part("display_name"),
                            part("login_url"),
                            part("signup_url"),
                        );
                        read.display_icon = text(method, "display_icon");
                        read
                    })
                    .collect()
            });
        settings.push_notifications_enabled = flag(object, "push_notifications_enabled");
        settings.is_incompatible = flag(object, "is_incompatible");
        settings.email_auth_enabled = flag(object, "email_auth_enabled");
        settings.require_email_format_usernames = flag(object, "require_email_format_usernames");
        settings.realm_url = text(object, "realm_url").or_else(|| text(object, "realm_uri"));
        settings.realm_name = text(object, "realm_name");
        settings.realm_icon = text(object, "realm_icon");
        settings.realm_description = text(object, "realm_description");
        settings.realm_web_public_access_enabled = flag(object, "realm_web_public_access_enabled");
        settings.ignored_parameters_unsupported = strings(object, IGNORED.0);
        Some(settings)
    };
    let Some(parsed) = endpoint_response(data, SERVER_SETTINGS_KEYS, read) else {
        return;
    };
    let level = parsed.zulip_feature_level;
    let body = parsed.to_wire_json();
    let again: GetServerSettingsResponse = reread(&body, level);
    let mut expected = parsed.clone();
    if level < FeatureLevel::IGNORED_PARAMETERS_UNSUPPORTED {
        expected.ignored_parameters_unsupported = None;
    }
    assert_eq!(again, expected, "FL {}", level.get());
    assert_eq!(again.to_wire_json(), body, "rewrite");
    assert_eq!(again.response_context().feature_level, Some(level));
}

// ---------------------------------------------------------------------------------------------
// zuliprc.

/// The home directory the zuliprc check resolves with.
const HOME: &str = "/home/u";

/// The zuliprc parser and the resolution of a configuration from the file alone, on any bytes.
///
/// - never panics; an error names the file and the line, and for a duplicate key the key, and
///   the line named holds what the error says; the text of a malformed line is never repeated;
/// - a file that is not UTF-8 is an error of that kind, on the line of the first bad byte;
/// - a parsed file rendered canonically (`[DEFAULT]` first, then each section, `key = value`,
///   continuation lines indented) parses back to the same sections, keys and values, and renders
///   identically again; the line of each `[api]` key holds that key;
/// - resolved with no environment, a configuration carries exactly the file's `[api]` values
///   (`~` expanded, `insecure` only `true`/`false` in any case), equal to the one resolved from
///   the canonical rendering; each resolution error names the file, and the line and key when
///   they come from it.
pub fn zuliprc(data: &[u8]) {
    let lines = file_lines(data);
    let file = match Zuliprc::parse_bytes(data, "rc") {
        Ok(file) => Some(file),
        Err(error) => {
            check_zuliprc_syntax_error(data, &lines, &error, "rc");
            None
        }
    };
    if let Some(file) = &file {
        let canonical = render_zuliprc(file);
        let again = Zuliprc::parse(&canonical, "canonical")
            .unwrap_or_else(|error| panic!("{error} reading back {canonical:?}"));
        assert_eq!(
            zuliprc_contents(&again),
            zuliprc_contents(file),
            "{canonical:?}"
        );
        assert_eq!(render_zuliprc(&again), canonical);
        if file.has_section("api") {
            for key in file.keys("api").into_iter().chain(file.keys("DEFAULT")) {
                let line = file.api_line(key).expect("a key of [api] has a line");
                assert_eq!(line_key(&lines, line).as_deref(), Some(key), "line {line}");
            }
        }
    }

    let resolve = |bytes: &[u8]| {
        ConfigOptions::new()
            .apply_environment(|_| None, Some(Path::new(HOME)))
            .expect("no environment, no error")
            .finish(Some(bytes))
    };
    let path = format!("{HOME}/.zuliprc");
    match (resolve(data), &file) {
        (Ok(config), Some(file)) => {
            let api = |key: &str| file.api(key);
            assert_eq!(Some(config.credentials.email()), api("email").as_deref());
            assert_eq!(
                Some(config.credentials.api_key().expose()),
                api("key").as_deref()
            );
            let site = api("site").expect("a site");
            assert_eq!(Ok(&config.site), Site::parse(&site).as_ref());
            let insecure = api("insecure").is_some_and(|value| value.eq_ignore_ascii_case("true"));
            assert_eq!(config.insecure, insecure);
            let expand = |key: &str| api(key).map(|value| expand_home(&value));
            assert_eq!(config.cert_bundle, expand("cert_bundle"));
            assert_eq!(config.client_cert, expand("client_cert"));
            assert_eq!(config.client_cert_key, expand("client_cert_key"));
            assert_eq!(config.config_file.as_deref(), Some(Path::new(&path)));
            let canonical = render_zuliprc(file);
            assert_eq!(
                resolve(canonical.as_bytes()).as_ref(),
                Ok(&config),
                "{canonical:?}"
            );
        }
        (Ok(config), None) => panic!("resolved {config:?} from a file that does not parse"),
        (Err(error), None) => check_zuliprc_syntax_error(data, &lines, &error, &path),
        (Err(error), Some(file)) => {
            let _ = format!("{error} {error:?}");
            assert_eq!(error.file(), Some(path.as_str()), "{error}");
            let key = error.key().expect("a resolution error names its key");
            let at_line = |name: &str| {
                assert_eq!(key, name, "{error}");
                let line = file.api_line(name);
                assert!(line.is_some(), "{error}");
                assert_eq!(error.line(), line, "{error}");
                assert!(
                    error
                        .to_string()
                        .starts_with(&format!("{path}:{}: ", line.unwrap_or(0))),
                    "{error}"
                );
            };
            match error.kind() {
                ZuliprcErrorKind::MissingApiSection => {
                    assert!(!file.has_section("api"), "{error}");
                    assert!(matches!(key, "key" | "email") && file.api(key).is_none());
                }
                ZuliprcErrorKind::MissingKey => {
                    assert!(file.has_section("api"), "{error}");
                    assert!(matches!(key, "key" | "email") && file.api(key).is_none());
                }
                ZuliprcErrorKind::MissingSite => assert_eq!(file.api("site"), None),
                ZuliprcErrorKind::InvalidBoolean { value } => {
                    at_line("insecure");
                    assert_eq!(file.api("insecure").as_ref(), Some(value));
                    assert!(!value.eq_ignore_ascii_case("true"), "{error}");
                    assert!(!value.eq_ignore_ascii_case("false"), "{error}");
                }
                ZuliprcErrorKind::InvalidSite(site_error) => {
                    at_line("site");
                    let site = file.api("site").expect("a site");
                    assert_eq!(Site::parse(&site).as_ref().err(), Some(site_error));
                }
                ZuliprcErrorKind::ClientCertKeyWithoutCert { path } => {
                    at_line("client_cert_key");
                    assert_eq!(file.api("client_cert"), None);
                    let key_path = file.api("client_cert_key").map(|p| expand_home(&p));
                    assert_eq!(key_path.as_ref(), Some(path));
                }
                other => panic!("{other:?} from a file that parses: {error}"),
            }
        }
    }
}

/// The file's lines as the parser numbers them: split at `\n`, a `\r` before it dropped, a
/// leading byte order mark skipped (invalid UTF-8 replaced).
fn file_lines(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).to_owned())
        .collect()
}

/// The key a `key = value` or `key: value` line sets (lower case), if it is one.
fn line_key(lines: &[String], line: usize) -> Option<String> {
    let text = lines.get(line.checked_sub(1)?)?.trim();
    let (key, _) = text.split_once(['=', ':'])?;
    Some(key.trim().to_lowercase())
}

/// A syntax error of the file named `file`.
fn check_zuliprc_syntax_error(data: &[u8], lines: &[String], error: &ZuliprcError, file: &str) {
    let shown = error.to_string();
    let _ = format!("{error:?}");
    assert_eq!(error.file(), Some(file), "{shown}");
    let line = error.line().unwrap_or_else(|| panic!("no line: {shown}"));
    assert!(
        (1..=lines.len()).contains(&line),
        "line {line} of {}",
        lines.len()
    );
    let prefix = format!("{file}:{line}: ");
    let message = shown
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{shown:?} does not start with {prefix:?}"));
    let text = lines[line - 1].trim();
    // Messages that never repeat the line.
    let fixed = match error.kind() {
        ZuliprcErrorKind::NotUtf8 => Some("the file is not valid UTF-8"),
        ZuliprcErrorKind::MissingSectionHeader => {
            Some("a key before any [section] header (a zuliprc starts with [api])")
        }
        ZuliprcErrorKind::NotKeyValue => {
            Some("expected `[section]`, `key = value` or `key: value`")
        }
        ZuliprcErrorKind::EmptyKey => Some("a value without a key"),
        _ => None,
    };
    if let Some(fixed) = fixed {
        assert_eq!(message, fixed);
    }
    match error.kind() {
        ZuliprcErrorKind::NotUtf8 => {
            let valid = std::str::from_utf8(data)
                .err()
                .unwrap_or_else(|| panic!("valid UTF-8 reported as not: {shown}"))
                .valid_up_to();
            let expected = 1 + data[..valid].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(line, expected);
        }
        kind => {
            assert!(
                std::str::from_utf8(data).is_ok(),
                "{kind:?} for a non-UTF-8 file"
            );
            assert!(
                !text.is_empty() && !text.starts_with(['#', ';']),
                "{kind:?} on a blank line or a comment: {text:?}"
            );
            match kind {
                ZuliprcErrorKind::MissingSectionHeader => {
                    assert!(header_of(text).is_none(), "{text:?}")
                }
                ZuliprcErrorKind::NotKeyValue => {
                    assert!(
                        !text.contains(['=', ':']) && header_of(text).is_none(),
                        "{text:?}"
                    )
                }
                ZuliprcErrorKind::EmptyKey => {
                    assert_eq!(line_key(lines, line).as_deref(), Some(""))
                }
                ZuliprcErrorKind::DuplicateSection { section } => {
                    assert_eq!(header_of(text), Some(section.as_str()))
                }
                ZuliprcErrorKind::DuplicateKey { .. } => {
                    assert!(error.key().is_some(), "{shown}");
                    assert_eq!(line_key(lines, line).as_deref(), error.key(), "{text:?}");
                }
                other => panic!("{other:?} is not a syntax error: {shown}"),
            }
        }
    }
}

/// The section a `[name]` line opens (Python's `SECTCRE`: from the first `[` to the last `]`).
fn header_of(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('[')?;
    let name = &inner[..inner.rfind(']')?];
    (!name.is_empty()).then_some(name)
}

/// Sections with their own keys and values.
type Contents = Vec<(String, Vec<(String, Option<String>)>)>;

/// Everything a file says: `[DEFAULT]`'s keys and values, then each section's own.
fn zuliprc_contents(file: &Zuliprc) -> Contents {
    std::iter::once("DEFAULT")
        .chain(file.sections())
        .map(|section| {
            let entries = file
                .keys(section)
                .into_iter()
                .map(|key| (key.to_owned(), file.get(section, key)))
                .collect();
            (section.to_owned(), entries)
        })
        .collect()
}

/// The canonical rendering of a parsed file.
fn render_zuliprc(file: &Zuliprc) -> String {
    let mut out = String::new();
    for (section, entries) in zuliprc_contents(file) {
        if section == "DEFAULT" && entries.is_empty() {
            continue;
        }
        out.push_str(&format!("[{section}]\n"));
        for (key, value) in entries {
            let value = value.expect("a listed key has a value");
            let mut value_lines = value.split('\n');
            out.push_str(&format!("{key} = {}\n", value_lines.next().unwrap_or("")));
            for line in value_lines {
                if !line.is_empty() {
                    out.push_str("    ");
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
    }
    out
}

/// `~` and `~/...` expanded with [`HOME`], as the Python client's `os.path.expanduser`.
fn expand_home(path: &str) -> PathBuf {
    if path == "~" {
        PathBuf::from(HOME)
    } else if let Some(rest) = path.strip_prefix("~/") {
        Path::new(HOME).join(rest)
    } else {
        PathBuf::from(path)
    }
}

// ---------------------------------------------------------------------------------------------
// Upload paths and URLs.

/// The site the path checks use unless the input names one.
const DEFAULT_SITE: &str = "https://chat.example.com";

fn default_site() -> Site {
    Site::parse(DEFAULT_SITE).expect("a valid site")
}

/// Where a site is, read by `http::Uri` (independently of zulip-types' own origin logic).
struct SiteParts {
    /// Scheme, host (lower case) and effective port.
    origin: (String, String, u16),
    /// The root's path, e.g. `/zulip`, or empty.
    prefix: String,
}

impl SiteParts {
    fn of(site: &Site) -> Self {
        let root: http::Uri = site.root().parse().expect("a site's root is a URI");
        let origin = origin_of(&root).expect("a site's root has an origin");
        let after_scheme = &site.root()[site.root().find("://").expect("a scheme") + 3..];
        let prefix = after_scheme
            .find('/')
            .map_or("", |slash| &after_scheme[slash..]);
        Self {
            origin,
            prefix: prefix.to_owned(),
        }
    }

    /// Checks that `url` is on the site's origin, under `{root}{under}`, and returns the path's
    /// segments after that, each percent-decoded once.
    fn segments_under(&self, url: &str, under: &str) -> Vec<String> {
        let uri: http::Uri = url
            .parse()
            .unwrap_or_else(|error| panic!("{url:?} is not a URI: {error}"));
        assert_eq!(origin_of(&uri).as_ref(), Some(&self.origin), "{url}");
        let authority = uri.authority().expect("an authority").as_str();
        assert!(!authority.contains('@'), "user info in {url}");
        let tail = uri
            .path()
            .strip_prefix(&self.prefix)
            .and_then(|rest| rest.strip_prefix(under))
            .unwrap_or_else(|| panic!("{url} is not under {}{under}", self.prefix));
        tail.split('/')
            .map(|segment| {
                // Only unreserved characters and escapes: nothing a browser or a proxy reads
                // as a separator, a dot segment, a query or a fragment.
                assert!(
                    segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                    "{segment:?} in {url}"
                );
                let decoded = percent_decoded(segment)
                    .unwrap_or_else(|| panic!("bad escape in {segment:?} of {url}"));
                String::from_utf8(decoded).expect("UTF-8 segments")
            })
            .collect()
    }
}

/// Scheme, host (lower case) and port (the scheme's default when none), of `http(s)` URIs.
fn origin_of(uri: &http::Uri) -> Option<(String, String, u16)> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = uri.authority()?;
    Some((
        scheme,
        authority.host().to_ascii_lowercase(),
        authority.port_u16().unwrap_or(default),
    ))
}

/// Strict percent-decoding: `%` and two hex digits; `None` for a bad escape.
fn percent_decoded(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    Some(out)
}

/// Whether `path_id` is one zulip-types must accept (WIRE-NOTES and `upload_path.rs`'s rules,
/// written again): at most 8 KiB; a realm of 1–20 digits or `unk`; then 1–64 segments, none
/// empty, `.` or `..`, none with a backslash or a control character.
fn is_valid_path_id(path_id: &str) -> bool {
    let mut parts = path_id.split('/');
    let realm = parts.next().unwrap_or_default();
    let segments: Vec<&str> = parts.collect();
    let realm_ok = realm == "unk"
        || ((1..=20).contains(&realm.len()) && realm.bytes().all(|b| b.is_ascii_digit()));
    !path_id.is_empty()
        && path_id.len() <= MAX_UPLOAD_PATH_LEN
        && realm_ok
        && (1..=64).contains(&segments.len())
        && segments.iter().all(|segment| {
            !segment.is_empty()
                && *segment != "."
                && *segment != ".."
                && !segment.contains('\\')
                && !segment.chars().any(char::is_control)
        })
}

/// Everything that turns a `path_id` or a URL into a URL, on any text; the input's first line,
/// when there is a second, is the site (the default one when it is not a site).
///
/// - `UploadPath::from_path_id` accepts exactly the valid `path_id`s ([`is_valid_path_id`]),
///   and keeps the text: `path_id()` and `Display` give it back;
/// - the file URL of any path the crate accepts (from a `path_id` or from a URL) is on the
///   site's origin (scheme, host, port, read by `http::Uri`), under `{root}/user_uploads/`, made
///   of unreserved characters and escapes only, and decodes to exactly the realm and segments;
///   read back with `from_url`, absolute or relative, it is the same path;
/// - the temporary-URL request for it goes to `{root}/api/v1/user_uploads/` on the same origin,
///   with the same segments; `GetFileTemporaryUrl::from_path_id`/`from_url` agree with
///   `UploadPath`;
/// - `UploadPath::from_url` accepts only `/user_uploads/...` or absolute URLs on the site's
///   origin, without query, fragment, backslash or control character;
/// - `resolve_url` (a URL the server returned) stays on the site's origin, under its root (the
///   root itself, or a path below it), with no dot segment as a browser reads them (`%2e` is a
///   dot).
pub fn upload_path(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (site, input) = match text.split_once('\n') {
        Some((first, rest)) => (Site::parse(first).unwrap_or_else(|_| default_site()), rest),
        None => (default_site(), &*text),
    };
    let parts = SiteParts::of(&site);
    let context = RequestContext::new(site.clone())
        .with_credentials(Credentials::new("user@example.com", "key"));

    // A path_id.
    let from_path_id = UploadPath::from_path_id(input);
    assert_eq!(
        from_path_id.is_ok(),
        is_valid_path_id(input),
        "{input:?}: {from_path_id:?}"
    );
    assert_eq!(
        GetFileTemporaryUrl::from_path_id(input),
        from_path_id.clone().map(GetFileTemporaryUrl::new)
    );
    if let Ok(path) = &from_path_id {
        assert_eq!(path.path_id(), input);
        assert_eq!(path.to_string(), input);
        check_upload_path(path, &site, &parts, &context);
    }

    // A URL naming an uploaded file.
    let from_url = UploadPath::from_url(input, &site);
    assert_eq!(
        GetFileTemporaryUrl::from_url(input, &site),
        from_url.clone().map(GetFileTemporaryUrl::new)
    );
    if let Ok(path) = &from_url {
        assert!(
            !input.contains(['?', '#', '\\']) && !input.chars().any(char::is_control),
            "{input:?}"
        );
        let relative = if input.starts_with('/') {
            input
        } else {
            // Scheme and authority, read by http::Uri; the path may hold raw Unicode.
            let (scheme, after) = input.split_once("://").expect("an absolute URL");
            let (authority, rest) = after.split_at(after.find('/').unwrap_or(after.len()));
            let origin: http::Uri = format!("{scheme}://{authority}/")
                .parse()
                .unwrap_or_else(|error| panic!("{input:?} accepted, no URI origin: {error}"));
            assert_eq!(
                origin_of(&origin).as_ref(),
                Some(&parts.origin),
                "{input:?}"
            );
            rest.strip_prefix(&parts.prefix)
                .unwrap_or_else(|| panic!("{input:?} is not under the site's root"))
        };
        let tail = relative
            .strip_prefix("/user_uploads/")
            .unwrap_or_else(|| panic!("{input:?} is not under /user_uploads/"));
        let decoded: Vec<String> = tail
            .split('/')
            .map(|segment| {
                String::from_utf8(percent_decoded(segment).expect("valid escapes")).expect("UTF-8")
            })
            .collect();
        let expected: Vec<&str> = std::iter::once(path.realm_id_str())
            .chain(path.segments())
            .collect();
        assert_eq!(decoded, expected, "{input:?}");
        // What a URL names is a path_id the crate would take as such.
        assert!(is_valid_path_id(&path.path_id()), "{input:?}");
        check_upload_path(path, &site, &parts, &context);
    }

    // A URL the server returned.
    if let Ok(url) = resolve_url(&site, input) {
        // The root, then a path, a query or a fragment (an absolute URL may name the root).
        let after_root = url.strip_prefix(site.root()).expect("under the root");
        assert!(
            after_root.is_empty() || after_root.starts_with(['/', '?', '#']),
            "{url}"
        );
        let uri: http::Uri = url
            .parse()
            .unwrap_or_else(|error| panic!("{input:?} resolved to {url:?}, not a URI: {error}"));
        assert_eq!(origin_of(&uri).as_ref(), Some(&parts.origin), "{url}");
        let path = uri
            .path()
            .strip_prefix(&parts.prefix)
            .expect("under the root");
        for segment in path.split(['/', '\\']) {
            let dots = segment.to_ascii_lowercase().replace("%2e", ".");
            assert!(dots != "." && dots != "..", "dot segment in {url}");
        }
    }
}

/// The URLs built for an accepted path.
fn check_upload_path(path: &UploadPath, site: &Site, parts: &SiteParts, context: &RequestContext) {
    let expected: Vec<&str> = std::iter::once(path.realm_id_str())
        .chain(path.segments())
        .collect();
    assert_eq!(path.filename(), expected[1..].join("/"));
    assert_eq!(path.basename(), *expected.last().expect("a file name"));

    let url = path.file_url(site);
    assert_eq!(
        parts.segments_under(&url, "/user_uploads/"),
        expected,
        "{url}"
    );
    assert_eq!(UploadPath::from_url(&url, site).as_ref(), Ok(path), "{url}");
    let relative = format!("/user_uploads/{}", path.encoded_path());
    assert_eq!(
        UploadPath::from_url(&relative, site).as_ref(),
        Ok(path),
        "{relative}"
    );

    // Below http::Uri's length limit, the temporary-URL request always builds.
    if site.api_base().len() + relative.len() < 60_000 {
        let request = GetFileTemporaryUrl::new(path.clone())
            .try_into_http_request(context)
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        let uri = request.uri().to_string();
        assert_eq!(uri, site.endpoint_url(&relative));
        assert_eq!(
            parts.segments_under(&uri, "/api/v1/user_uploads/"),
            expected,
            "{uri}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Multipart.

/// The multipart body of an upload, for any file name and content: the input up to its first
/// `0xFF` byte is the name (invalid UTF-8 replaced), the rest the file.
///
/// - `MultipartForm::new` refuses exactly the empty names and those over `MAX_FILENAME_LEN`
///   bytes;
/// - the body, read back by an independent minimal reader ([`read_multipart`]), has exactly one
///   part, whose header lines are printable ASCII (no CR, LF or other control character) with a
///   `filename` parameter free of quotes that percent-decodes to the name's exact bytes and is
///   never only dots; the part's bytes are the file's exactly, and the boundary occurs only as the
///   opening and closing delimiters;
/// - `UploadFile` sends that body and `Content-Type`; a streamed upload with a random boundary
///   frames the file identically.
pub fn multipart(data: &[u8]) {
    let (name, content) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let name = String::from_utf8_lossy(name).into_owned();
    let part = FilePart::new(name.clone());
    assert_eq!(part.content_type(), guess_content_type(&name));
    // The boundary an in-memory upload uses.
    let boundary = Boundary::for_part(&part, content).expect("a boundary for any part");
    assert!(!boundary.occurs_in(content));
    let valid = !name.is_empty() && name.len() <= MAX_FILENAME_LEN;
    let form = match MultipartForm::new(&part, boundary) {
        Ok(form) => {
            assert!(valid, "accepted the name {name:?}");
            form
        }
        Err(error) => {
            assert!(!valid, "refused the name {name:?}: {error}");
            return;
        }
    };
    let body = form
        .body(content)
        .expect("the boundary is not in the content");
    assert_eq!(
        form.content_length(content.len() as u64),
        Some(body.len() as u64)
    );
    let content_type = form.content_type();
    let content_type = content_type.to_str().expect("an ASCII content type");
    let read = read_multipart(content_type, &body)
        .unwrap_or_else(|problem| panic!("{problem}: {:?}", String::from_utf8_lossy(&body)));
    assert_eq!(read.field, "filename");
    assert_eq!(read.filename, name.as_bytes(), "the file name");
    assert_eq!(read.content, content, "the file");
    assert_eq!(read.content_type.as_deref(), part.content_type());

    let context = RequestContext::new(default_site())
        .with_credentials(Credentials::new("user@example.com", "key"));
    let request = UploadFile::new(name.clone(), content.to_vec())
        .try_into_http_request(&context)
        .expect("the same name and content build");
    assert_eq!(request.body(), &body);
    assert_eq!(
        request.headers().get(http::header::CONTENT_TYPE),
        Some(&form.content_type())
    );

    // A streamed upload: its boundary is random, here drawn from the input, so the fuzzer may
    // put it in the name; the request is then refused.
    let random = Boundary::from_random_bytes(&[content.len() as u8; 20]);
    let streamed = StreamedUpload::new(&context, &part, random.clone(), content.len() as u64);
    // Only the encoded name can hold it: `"` surrounds it, and guessed content types do not.
    let in_head = encode_filename(&name).contains(&format!("--{random}"));
    let Ok(streamed) = streamed else {
        assert!(in_head, "{streamed:?}");
        return;
    };
    assert!(!in_head);
    let framing = MultipartForm::new(&part, random.clone()).expect("the same name");
    assert_eq!(streamed.prefix(), framing.prefix());
    assert_eq!(streamed.suffix(), framing.suffix());
    let streamed_body = [streamed.prefix(), content, streamed.suffix()].concat();
    assert_eq!(streamed.content_length(), streamed_body.len() as u64);
    if !random.occurs_in(content) {
        let content_type = streamed.head().headers()[http::header::CONTENT_TYPE]
            .to_str()
            .expect("ASCII");
        let read = read_multipart(content_type, &streamed_body)
            .unwrap_or_else(|problem| panic!("streamed: {problem}"));
        assert_eq!(
            (read.filename, read.content),
            (name.into_bytes(), content.to_vec())
        );
    }
}

/// The one part of a `multipart/form-data` body, as [`read_multipart`] reads it.
#[derive(Debug)]
struct ReadPart {
    /// The `name` parameter.
    field: String,
    /// The `filename` parameter, percent-decoded.
    filename: Vec<u8>,
    /// The part's `Content-Type`, if any.
    content_type: Option<String>,
    /// The part's bytes.
    content: Vec<u8>,
}

/// A minimal reader of a `multipart/form-data` body with exactly one part (RFC 7578, RFC 2046),
/// written from the RFCs rather than from `multipart.rs`. It refuses what a careful server
/// might misread: a boundary found anywhere but at the two delimiters, another part, header
/// lines that are not printable ASCII, repeated or unknown headers, parameters that are not
/// plain quoted strings, a `filename` with a quote, a backslash or a bad escape, or one of
/// only dots (which Django drops).
fn read_multipart(content_type: &str, body: &[u8]) -> Result<ReadPart, String> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .ok_or_else(|| format!("content type {content_type:?}"))?;
    let boundary_ok = (1..=70).contains(&boundary.len())
        && boundary
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"'+-._".contains(&b));
    if !boundary_ok {
        return Err(format!("boundary {boundary:?}"));
    }
    let delimiter = format!("--{boundary}");
    let occurrences = body
        .windows(delimiter.len())
        .filter(|window| *window == delimiter.as_bytes())
        .count();
    if occurrences != 2 {
        return Err(format!("the boundary occurs {occurrences} times"));
    }
    let open = format!("{delimiter}\r\n");
    let close = format!("\r\n{delimiter}--\r\n");
    if body.len() < open.len() + close.len()
        || !body.starts_with(open.as_bytes())
        || !body.ends_with(close.as_bytes())
    {
        return Err("not one part between an opening and a closing delimiter".to_owned());
    }
    let part = &body[open.len()..body.len() - close.len()];
    let end = part
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or("no empty line after the part's headers")?;
    let (head, content) = (&part[..end], &part[end + 4..]);
    let mut disposition = None;
    let mut part_type = None;
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || !line.iter().all(|b| (0x20..0x7f).contains(b)) {
            return Err(format!("header line {:?}", String::from_utf8_lossy(line)));
        }
        let line = std::str::from_utf8(line).map_err(|e| e.to_string())?;
        let (name, value) = line.split_once(':').ok_or("a header without a colon")?;
        let slot = match name.to_ascii_lowercase().as_str() {
            "content-disposition" => &mut disposition,
            "content-type" => &mut part_type,
            other => return Err(format!("unexpected header {other:?}")),
        };
        if slot.replace(value.trim().to_owned()).is_some() {
            return Err(format!("{name} twice"));
        }
    }
    // Every line of the head ended with CRLF: no lone CR or LF.
    if head.iter().filter(|&&b| b == b'\r').count() != head.iter().filter(|&&b| b == b'\n').count()
    {
        return Err("a lone CR or LF in the head".to_owned());
    }
    let disposition = disposition.ok_or("no Content-Disposition")?;
    let mut rest = disposition
        .strip_prefix("form-data")
        .ok_or("not form-data")?;
    let mut field = None;
    let mut filename = None;
    while !rest.is_empty() {
        rest = rest
            .trim_start()
            .strip_prefix(';')
            .ok_or("parameters must be separated by `;`")?
            .trim_start();
        let (name, after) = rest
            .split_once("=\"")
            .ok_or("a parameter that is not quoted")?;
        let (value, after) = after.split_once('"').ok_or("an unclosed quote")?;
        if value.contains('\\') {
            return Err("a backslash in a quoted parameter".to_owned());
        }
        let slot = match name {
            "name" => &mut field,
            "filename" => &mut filename,
            other => return Err(format!("unexpected parameter {other:?}")),
        };
        if slot.replace(value.to_owned()).is_some() {
            return Err(format!("parameter {name} twice"));
        }
        rest = after;
    }
    let filename = filename.ok_or("no filename parameter")?;
    if filename.bytes().all(|b| b == b'.') {
        return Err(format!("a file name of dots only: {filename:?}"));
    }
    if !filename
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b))
    {
        return Err(format!("file name {filename:?} is not percent-encoded"));
    }
    Ok(ReadPart {
        field: field.ok_or("no name parameter")?,
        filename: percent_decoded(&filename).ok_or("a bad escape in the file name")?,
        content_type: part_type,
        content: content.to_vec(),
    })
}
