//! Properties of the `GET /attachments` reader and writer, and of every parser: round trips
//! through each wire generation, agreement between generations, no panic on any input, and
//! parse errors that name the JSON path of the bad field.
//!
//! Failing cases are persisted in `proptest-regressions/properties.txt` (crate root), beside
//! where proptest's default `SourceParallel` would put them for `src/`.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Number, Value};
use zulip_types::{
    Attachment, AttachmentsGeneration as G, Endpoint, FeatureLevel, GetAttachments,
    GetAttachmentsResponse, IncomingResponse, MessageRef, ParseErrorKind, RateLimitHeaders,
    RequestContext, ResponseContext, ServerError, Site, TimeUnit, Timestamp, WireNumber,
};

/// 2^53: the largest magnitude of a wire timestamp.
const MAX_WIRE: i64 = 1 << 53;
/// 1973-03-03T09:46:40Z in ms: from here on, millisecond timestamps are >= 1e11.
const REALISTIC_FROM_MS: i64 = 100_000_000_000;
/// 5000-01-01T00:00:00Z in ms (`date -u -d 5000-01-01 +%s` = 95617584000): seconds stay < 1e11.
const REALISTIC_UNTIL_MS: i64 = 95_617_584_000_000;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/properties.txt",
        ))),
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies

/// Any Unicode text, control characters included (`any::<String>()` leaves them out).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(any::<char>(), 0..24).prop_map(String::from_iter),
        1 => prop::sample::select(vec![
            "",
            "166050.jpg",
            "notes [draft] v2.txt",
            "Résumé 日本語 😀.pdf",
            "\"quoted\\\" \u{0}\u{1f}\u{7f}\u{2028}",
            "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Any instant a timestamp can hold: |wire| <= 2^53 in milliseconds or in seconds (the latter
/// reaching ±2^53 * 1000 ms, beyond what a millisecond generation can write).
fn instant() -> BoxedStrategy<Timestamp> {
    prop_oneof![
        (-MAX_WIRE..=MAX_WIRE).prop_map(|ms| Timestamp::from_unix_millis(ms).unwrap()),
        (-MAX_WIRE / 1000..=MAX_WIRE / 1000).prop_map(|s| Timestamp::from_unix_seconds(s).unwrap()),
        (-MAX_WIRE..=MAX_WIRE).prop_map(|s| Timestamp::from_unix_seconds(s).unwrap()),
        realistic_instant(),
        Just(Timestamp::from_unix_millis(0).unwrap()),
        Just(Timestamp::from_unix_millis(-1).unwrap()),
        Just(Timestamp::from_unix_millis(MAX_WIRE).unwrap()),
        Just(Timestamp::from_unix_millis(-MAX_WIRE).unwrap()),
        Just(Timestamp::from_unix_seconds(MAX_WIRE).unwrap()),
    ]
    .boxed()
}

/// An instant in 1973..5000 AD, where the magnitude rule reads every generation right.
fn realistic_instant() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        (REALISTIC_FROM_MS..REALISTIC_UNTIL_MS)
            .prop_map(|ms| Timestamp::from_unix_millis(ms).unwrap()),
        // Whole seconds, as Zulip's servers produce them.
        (REALISTIC_FROM_MS / 1000..REALISTIC_UNTIL_MS / 1000)
            .prop_map(|s| Timestamp::from_unix_millis(s * 1000).unwrap()),
    ]
}

fn message(time: BoxedStrategy<Timestamp>) -> impl Strategy<Value = MessageRef> {
    (any::<u64>(), prop::option::of(time)).prop_map(|(id, sent)| match sent {
        Some(sent) => MessageRef::with_date_sent(id, sent),
        None => MessageRef::new(id),
    })
}

fn attachment(time: BoxedStrategy<Timestamp>) -> impl Strategy<Value = Attachment> {
    (
        any::<u64>(),
        text(),
        text(),
        prop::option::of(any::<u64>()),
        prop::option::of(time.clone()),
        vec(message(time), 0..=5),
    )
        .prop_map(|(id, name, path_id, size, create_time, messages)| {
            let mut attachment = Attachment::new(id, name, path_id);
            attachment.size = size;
            attachment.create_time = create_time;
            attachment.messages = messages;
            attachment
        })
}

fn response_with(time: BoxedStrategy<Timestamp>) -> impl Strategy<Value = GetAttachmentsResponse> {
    (
        vec(attachment(time), 0..4),
        prop::option::of(any::<u64>()),
        prop::option::of(vec(text(), 0..3)),
    )
        .prop_map(|(attachments, used, ignored)| {
            let mut response = GetAttachmentsResponse::new(attachments);
            response.upload_space_used = used;
            response.ignored_parameters_unsupported = ignored;
            response
        })
}

fn generation() -> impl Strategy<Value = G> {
    prop::sample::select(G::ALL.to_vec())
}

/// A generation and any response.
fn generation_and_response() -> impl Strategy<Value = (G, GetAttachmentsResponse)> {
    (generation(), response_with(instant()))
}

/// Numbers that sit on the edges of what a timestamp or an ID may be.
fn edge_number() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::from(MAX_WIRE),
        Value::from(MAX_WIRE + 1),
        Value::from(-MAX_WIRE - 1),
        Value::from(u64::MAX),
        Value::from(i64::MIN),
        Value::from(99_999_999_999_i64),
        Value::from(100_000_000_000_i64),
        Value::from(1_588_145_417_000.0),
        Value::from(1_588_145_417_000.5),
        Value::from(-0.0),
        Value::from(1e300),
        Value::from(9_007_199_254_740_992.0),
        Value::from(18_446_744_073_709_551_616.0),
    ])
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        edge_number(),
        text().prop_map(Value::String),
    ]
}

/// A key that is sometimes one the parser looks for.
fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "result",
            "msg",
            "code",
            "attachments",
            "id",
            "name",
            "path_id",
            "size",
            "create_time",
            "messages",
            "message_ids",
            "date_sent",
            "upload_space_used",
            "ignored_parameters_unsupported",
            "retry-after",
        ])
        .prop_map(str::to_owned),
        text(),
    ]
}

/// Any JSON value, up to 6 levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(json_key(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON number text of any size and precision, most of which no `f64` or `u64` holds.
fn number_text() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,39})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?"
}

/// JSON text of a value nested `depth` times in arrays or objects (deeper than serde_json's
/// recursion limit of 128 when `depth` is large).
fn deep_json() -> impl Strategy<Value = String> {
    (0usize..300, any::<bool>(), json_leaf()).prop_map(|(depth, arrays, leaf)| {
        let leaf = leaf.to_string();
        if arrays {
            format!("{}{leaf}{}", "[".repeat(depth), "]".repeat(depth))
        } else {
            format!("{}{leaf}{}", "{\"a\":".repeat(depth), "}".repeat(depth))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn context(level: Option<FeatureLevel>) -> ResponseContext {
    match level {
        Some(level) => ResponseContext::new().with_feature_level(level),
        None => ResponseContext::new(),
    }
}

fn http_200(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

fn parse_as(
    body: Vec<u8>,
    level: Option<FeatureLevel>,
) -> Result<GetAttachmentsResponse, zulip_types::ResponseError> {
    GetAttachmentsResponse::try_from_http_response(&http_200(body), &context(level))
}

fn floor_to_seconds(time: Timestamp) -> Timestamp {
    Timestamp::from_unix_seconds(time.as_unix_seconds()).unwrap()
}

/// What generation `g` can carry of `model` (WIRE-NOTES, table of the five generations):
/// - G0 (1.6): no `size`, no `create_time`, no `upload_space_used`; messages keep their float-ms
///   `name`, so their send times survive; no `ignored_parameters_unsupported` (FL 167 on).
/// - G0 - G2 (milliseconds): no instant beyond ±2^53 ms.
/// - G1 (1.7 - 2.1): everything but `ignored_parameters_unsupported`; a missing size is `null`.
/// - G2 (FL 22 - 442): everything, in integer milliseconds.
/// - G3 (FL 443 - 471): times in whole seconds (floored).
/// - G4 (FL 472 on): times in whole seconds, and messages are IDs only.
fn carry(generation: G, model: &GetAttachmentsResponse) -> GetAttachmentsResponse {
    let mut carried = model.clone();
    if matches!(generation, G::G0 | G::G1) {
        carried.ignored_parameters_unsupported = None;
    }
    if generation == G::G0 {
        carried.upload_space_used = None;
    }
    // A millisecond generation cannot write an instant beyond ±2^53 ms: it is left out.
    let in_millis = |time: Timestamp| (time.as_unix_millis().abs() <= MAX_WIRE).then_some(time);
    for attachment in &mut carried.attachments {
        match generation {
            G::G0 => {
                attachment.size = None;
                attachment.create_time = None;
            }
            G::G1 | G::G2 => attachment.create_time = attachment.create_time.and_then(in_millis),
            G::G3 | G::G4 => {
                attachment.create_time = attachment.create_time.map(floor_to_seconds);
            }
        }
        for message in &mut attachment.messages {
            message.date_sent = match generation {
                G::G0 | G::G1 | G::G2 => message.date_sent.and_then(in_millis),
                G::G3 => message.date_sent.map(floor_to_seconds),
                G::G4 => None,
            };
        }
    }
    carried
}

/// `(create_time ms, [(message id, send time ms)])` of each attachment: instants only.
type Instants = Vec<(Option<i64>, Vec<(u64, Option<i64>)>)>;

fn instants(response: &GetAttachmentsResponse) -> Instants {
    response
        .attachments
        .iter()
        .map(|attachment| {
            (
                attachment.create_time.map(|time| time.as_unix_millis()),
                attachment
                    .messages
                    .iter()
                    .map(|message| (message.id, message.date_sent.map(|t| t.as_unix_millis())))
                    .collect(),
            )
        })
        .collect()
}

/// No panic anywhere in reading a response, and in printing what came out.
fn read_everything(response: &http::Response<Vec<u8>>, level: Option<FeatureLevel>) {
    match GetAttachmentsResponse::try_from_http_response(response, &context(level)) {
        Ok(parsed) => {
            let _ = format!("{parsed:?}");
            for attachment in &parsed.attachments {
                for time in attachment.create_time.iter().chain(
                    attachment
                        .messages
                        .iter()
                        .filter_map(|m| m.date_sent.as_ref()),
                ) {
                    let _ = (time.to_string(), time.to_system_time(), time.wire());
                }
            }
            for generation in G::ALL {
                let _ = parsed.to_wire_json(generation);
            }
        }
        Err(error) => {
            let _ = format!("{error} {error:?} {error:#?}");
        }
    }
    let server = ServerError::from_response(response);
    let _ = format!("{server} {server:?}");
    let _ = (
        server.code(),
        server.msg(),
        server.retry_after_duration(),
        server.is_rate_limited(),
        server.raw_body(),
        server.www_authenticate(),
    );
    if let Some(seconds) = server.retry_after() {
        assert!(seconds.is_finite() && seconds >= 0.0, "{seconds}");
    }
    let _ = RateLimitHeaders::from_headers(response.headers());
    let _ = zulip_types::retry_after_header(response.headers());
}

/// A place in a valid response where one field is replaced or removed.
#[derive(Clone, Debug)]
enum Place {
    /// A top-level field other than `result`.
    Top(&'static str),
    /// A field of `attachments[index % len]`.
    Attachment(usize, &'static str),
    /// A field of `attachments[a].messages[m]`, in generations that have `messages`.
    Message(usize, usize, &'static str),
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        prop::sample::select(vec![
            "attachments",
            "upload_space_used",
            "ignored_parameters_unsupported",
        ])
        .prop_map(Place::Top),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "id",
                "name",
                "path_id",
                "size",
                "create_time",
                "messages",
                "message_ids",
            ])
        )
            .prop_map(|(index, field)| Place::Attachment(index, field)),
        (
            any::<usize>(),
            any::<usize>(),
            prop::sample::select(vec!["id", "date_sent", "name"])
        )
            .prop_map(|(a, m, field)| Place::Message(a, m, field)),
    ]
}

/// The object holding the field at `place` in `body`, and the field's JSON path as
/// serde_path_to_error writes it; `None` when `body` has no such place.
fn locate<'a>(body: &'a mut Value, place: &Place) -> Option<(&'a mut Map<String, Value>, String)> {
    match *place {
        Place::Top(field) => Some((body.as_object_mut()?, field.to_owned())),
        Place::Attachment(index, field) => {
            let attachments = body.get_mut("attachments")?.as_array_mut()?;
            let len = attachments.len();
            if len == 0 {
                return None;
            }
            let index = index % len;
            let object = attachments.get_mut(index)?.as_object_mut()?;
            Some((object, format!("attachments[{index}].{field}")))
        }
        Place::Message(a, m, field) => {
            let attachments = body.get_mut("attachments")?.as_array_mut()?;
            let len = attachments.len();
            if len == 0 {
                return None;
            }
            let a = a % len;
            let messages = attachments
                .get_mut(a)?
                .get_mut("messages")?
                .as_array_mut()?;
            let len = messages.len();
            if len == 0 {
                return None;
            }
            let m = m % len;
            let object = messages.get_mut(m)?.as_object_mut()?;
            Some((object, format!("attachments[{a}].messages[{m}].{field}")))
        }
    }
}

fn field_name(place: &Place) -> &'static str {
    match *place {
        Place::Top(field) | Place::Attachment(_, field) | Place::Message(_, _, field) => field,
    }
}

/// The path of the object holding the field (where a missing field is reported).
fn parent_path(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(parent, _)| parent)
}

/// The exact value of a JSON number literal when it is a whole number of magnitude at most
/// 2^53, computed in decimal (no floating point).
fn exact_whole_within_2_pow_53(text: &str) -> Option<i128> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    // value = digits * 10^scale
    let scale = exponent - i32::try_from(frac.len()).ok()?;
    let mut value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    if value == 0 {
        return Some(0);
    }
    if scale >= 0 {
        for _ in 0..scale {
            value = value.checked_mul(10)?;
            if value > i128::from(MAX_WIRE) {
                return None;
            }
        }
    } else {
        for _ in 0..-scale {
            if value % 10 != 0 {
                return None;
            }
            value /= 10;
        }
    }
    (value <= i128::from(MAX_WIRE)).then_some(if negative { -value } else { value })
}

fn names(path: &str, field_path: &str) -> bool {
    path == field_path
        || path.starts_with(&format!("{field_path}."))
        || path.starts_with(&format!("{field_path}["))
}

// ---------------------------------------------------------------------------------------------
// (1) Every generation gives back what it can carry.

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_generation_round_trips_what_it_can_carry(
        (generation, model) in generation_and_response(),
    ) {
        let body = model.to_wire_json(generation);
        let parsed = parse_as(body.clone(), Some(generation.feature_level()));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(error) => {
                return Err(TestCaseError::fail(format!(
                    "{error}\nbody: {}", String::from_utf8_lossy(&body)
                )));
            }
        };
        prop_assert_eq!(&parsed, &carry(generation, &model));
        // Equality is by instant; the unit each timestamp was read in must be the generation's.
        let unit = TimeUnit::for_attachments_at(generation.feature_level());
        for attachment in &parsed.attachments {
            for time in attachment.create_time.iter()
                .chain(attachment.messages.iter().filter_map(|m| m.date_sent.as_ref()))
            {
                prop_assert_eq!(time.unit(), unit);
                let float = matches!(time.wire(), WireNumber::Float(_));
                prop_assert_eq!(float, matches!(generation, G::G0 | G::G1));
            }
        }
        // And what it writes again is what it read: the generation's form is a fixed point.
        prop_assert_eq!(parsed.to_wire_json(generation), body);
    }

    #[test]
    fn g3_and_g4_carry_any_instant_in_seconds(
        model in response_with(
            (-MAX_WIRE..=MAX_WIRE).prop_map(|s| Timestamp::from_unix_seconds(s).unwrap()).boxed()
        ),
        g4 in any::<bool>(),
    ) {
        let generation = if g4 { G::G4 } else { G::G3 };
        let parsed = parse_as(model.to_wire_json(generation), Some(generation.feature_level()));
        prop_assert_eq!(parsed.unwrap(), carry(generation, &model));
    }

    #[test]
    fn writing_is_compact_with_sorted_keys((generation, model) in generation_and_response()) {
        let body = model.to_wire_json(generation);
        // `Value` keeps objects in a BTreeMap (serde_json without `preserve_order`, checked
        // below), so writing it again sorts keys and drops whitespace.
        let value: Value = serde_json::from_slice(&body).unwrap();
        prop_assert_eq!(serde_json::to_vec(&value).unwrap(), body);
    }
}

#[test]
fn serde_json_maps_are_sorted_here() {
    // Guards `writing_is_compact_with_sorted_keys`: if some crate enabled serde_json's
    // `preserve_order`, that property would prove nothing.
    let value: Value = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap();
    assert_eq!(value.to_string(), r#"{"a":2,"b":1}"#);
}

// ---------------------------------------------------------------------------------------------
// (2) Generations agree on the same data.

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn generations_agree_on_realistic_instants(
        model in response_with(realistic_instant().boxed()),
        use_level in any::<bool>(),
    ) {
        let mut model = model;
        model.ignored_parameters_unsupported = None;
        let level = |g: G| use_level.then(|| g.feature_level());
        let read = |g: G| parse_as(model.to_wire_json(g), level(g)).unwrap();

        let g1 = read(G::G1);
        let g2 = read(G::G2);
        prop_assert_eq!(&g1, &g2);
        prop_assert_eq!(&g2, &model);

        let floored = instants(&carry(G::G3, &g2));
        let g3 = read(G::G3);
        prop_assert_eq!(instants(&g3), floored.clone());
        let g4 = read(G::G4);
        let without_send_times: Instants = floored
            .into_iter()
            .map(|(created, messages)| {
                (created, messages.into_iter().map(|(id, _)| (id, None)).collect())
            })
            .collect();
        prop_assert_eq!(instants(&g4), without_send_times);

        // With and without the feature level, the same units and wire numbers come out.
        for generation in G::ALL {
            let body = model.to_wire_json(generation);
            let known = parse_as(body.clone(), Some(generation.feature_level())).unwrap();
            let unknown = parse_as(body, None).unwrap();
            prop_assert_eq!(format!("{known:?}"), format!("{unknown:?}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (3) No input makes any parser panic; parse errors name the bad field.

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..24),
        number_text().prop_map(String::into_bytes),
        prop::sample::select(vec![
            "application/json",
            "text/html; charset=utf-8",
            "28.706807374954224",
            "-1",
            "NaN",
            "inf",
            "1e400",
            "18446744073709551616",
            " 200 ",
            "Basic realm=\"zulip\"",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(&'static str, Vec<u8>)>> {
    vec(
        (
            prop::sample::select(vec![
                "content-type",
                "retry-after",
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
                "www-authenticate",
                "location",
                "x-other",
            ]),
            header_value(),
        ),
        0..6,
    )
}

fn response_of(
    status: u16,
    headers: &[(&'static str, Vec<u8>)],
    body: Vec<u8>,
) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        // Values HTTP does not allow in a header cannot reach a parser: skip them.
        if let Ok(value) = http::HeaderValue::from_bytes(value) {
            builder = builder.header(*name, value);
        }
    }
    builder.body(body).unwrap()
}

fn level() -> impl Strategy<Value = Option<FeatureLevel>> {
    prop::option::of(prop_oneof![0u32..600, any::<u32>()].prop_map(FeatureLevel::new))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_panic_on_any_bytes(
        status in 100u16..1000,
        headers in headers(),
        body in prop_oneof![
            vec(any::<u8>(), 0..256),
            text().prop_map(String::into_bytes),
        ],
        level in level(),
    ) {
        read_everything(&response_of(status, &headers, body), level);
    }

    #[test]
    fn no_panic_on_any_json(
        status in prop_oneof![Just(200u16), 100u16..1000],
        headers in headers(),
        value in json_value(),
        level in level(),
    ) {
        let body = serde_json::to_vec(&value).unwrap();
        read_everything(&response_of(status, &headers, body), level);
    }

    #[test]
    fn no_panic_on_any_error_body(
        status in 100u16..1000,
        headers in headers(),
        msg in json_value(),
        code in json_value(),
        retry_after in prop_oneof![json_leaf(), number_text().prop_map(Value::String)],
        extra in btree_map(json_key(), json_value(), 0..3),
    ) {
        let mut object: Map<String, Value> = extra.into_iter().collect();
        object.insert("result".into(), "error".into());
        object.insert("msg".into(), msg);
        object.insert("code".into(), code);
        object.insert("retry-after".into(), retry_after);
        let body = serde_json::to_vec(&object).unwrap();
        read_everything(&response_of(status, &headers, body), None);
    }

    #[test]
    fn no_panic_on_deep_nesting_or_huge_numbers(
        (generation, model) in generation_and_response(),
        place in place(),
        raw in prop_oneof![deep_json(), number_text()],
        level in level(),
    ) {
        // At the top level...
        read_everything(&http_200(raw.clone().into_bytes()), level);
        // ...and spliced into a valid response as raw JSON text.
        let mut value: Value = serde_json::from_slice(&model.to_wire_json(generation)).unwrap();
        if let Some((object, _)) = locate(&mut value, &place) {
            object.insert(field_name(&place).to_owned(), Value::String("\u{0}SPLICE".into()));
        }
        let body = value.to_string().replacen("\"\\u0000SPLICE\"", &raw, 1);
        read_everything(&http_200(body.into_bytes()), level);
    }

    /// The parse error of a valid response with one bad field names that field.
    #[test]
    fn a_bad_field_is_named_by_its_path(
        (generation, model) in generation_and_response(),
        place in place(),
        replacement in prop_oneof![
            4 => json_value().prop_map(Some),
            1 => Just(None),
        ],
        use_level in any::<bool>(),
    ) {
        let mut value: Value = serde_json::from_slice(&model.to_wire_json(generation)).unwrap();
        let Some((object, field_path)) = locate(&mut value, &place) else {
            return Ok(());
        };
        let field = field_name(&place);
        match &replacement {
            Some(replacement) => {
                object.insert(field.to_owned(), replacement.clone());
            }
            None => {
                object.remove(field);
            }
        }
        let level = use_level.then(|| generation.feature_level());
        if let Err(error) = parse_as(value.to_string().into_bytes(), level) {
            let error = error.as_parse().ok_or_else(|| {
                TestCaseError::fail(format!("not a parse error: {error:?}"))
            })?;
            prop_assert_eq!(error.kind(), ParseErrorKind::Shape, "{:?}", error);
            if replacement.is_some() {
                prop_assert!(
                    names(error.path(), &field_path),
                    "path {:?} does not name {:?}: {}", error.path(), field_path, error
                );
            } else {
                // A missing required field is reported at the object that lacks it.
                prop_assert_eq!(error.path(), parent_path(&field_path), "{}", error);
                let missing = format!("missing field `{field}`");
                prop_assert!(error.detail().contains(&missing), "{}", error);
            }
            prop_assert!(error.to_string().contains(error.path()));
        }
    }

    #[test]
    fn no_panic_in_rate_limit_headers(headers in headers()) {
        let response = response_of(429, &headers, Vec::new());
        let limits = RateLimitHeaders::from_headers(response.headers());
        // A header that is not a single unsigned integer gives `None`, never a guess.
        for (name, got) in [
            ("x-ratelimit-limit", limits.limit),
            ("x-ratelimit-remaining", limits.remaining),
            ("x-ratelimit-reset", limits.reset),
        ] {
            let values: Vec<_> = response.headers().get_all(name).iter().collect();
            if values.is_empty() {
                prop_assert_eq!(got, None);
            }
            if let Some(got) = got {
                for value in values {
                    prop_assert_eq!(value.to_str().unwrap().trim().parse::<u64>().ok(), Some(got));
                }
            }
        }
        if let Some(seconds) = zulip_types::retry_after_header(response.headers()) {
            prop_assert!(seconds.is_finite() && seconds >= 0.0);
        }
    }

    #[test]
    fn no_panic_in_site_parse(
        input in prop_oneof![
            text(),
            (
                prop::sample::select(vec![
                    "", "http://", "https://", "HTTPS://", "ftp://", "localhost", "//", "https:",
                ]),
                text(),
                prop::sample::select(vec!["", "/", "/api", "/api/", "//api//", "?q", "#f"]),
            )
                .prop_map(|(scheme, middle, end)| format!("{scheme}{middle}{end}")),
            "[a-zA-Z0-9.:/@?#%\\[\\] _-]{0,30}",
        ],
    ) {
        match Site::parse(&input) {
            Err(error) => {
                let _ = format!("{error} {error:?}");
            }
            Ok(site) => {
            let _ = format!("{site} {site:?}");
            prop_assert!(site.api_base().ends_with("/api"), "{:?}", site);
            prop_assert_eq!(format!("{}/api", site.root()), site.api_base());
            // Normalising is idempotent on the API base.
            prop_assert_eq!(Site::parse(site.api_base()), Ok(site.clone()));
            // A site that parses is one a request can be built for.
            let context = RequestContext::new(site.clone())
                .with_credentials(zulip_types::Credentials::new("a@b", "k"));
            let request = GetAttachments::new().try_into_http_request(&context);
            prop_assert!(request.is_ok(), "{:?}: {:?}", site, request.err());
            }
        }
    }

    #[test]
    fn timestamps_accept_exactly_whole_numbers_within_2_pow_53(
        text in prop_oneof![
            // Integers of any size.
            "-?(0|[1-9][0-9]{0,39})",
            // Decimals of at most 15 significant digits, where an `f64` is exact enough that
            // "whole" means the same for the decimal and for its double.
            "-?(0|[1-9][0-9]{0,9})\\.[0-9]{1,5}([eE][+-]?[0-9]{1,2})?",
            "-?[1-9][0-9]{0,5}[eE][+-]?[0-9]{1,2}",
        ],
    ) {
        let parsed = serde_json::from_str::<Timestamp>(&text);
        let expected = exact_whole_within_2_pow_53(&text);
        prop_assert_eq!(parsed.is_ok(), expected.is_some(), "{} -> {:?}", text, parsed);
        if let (Ok(time), Some(value)) = (parsed, expected) {
            let wire = match time.wire() {
                WireNumber::Integer(value) => value,
                WireNumber::Float(value) => value as i64,
            };
            prop_assert_eq!(i128::from(wire), value);
            // `-0` is the one integer literal serde_json reads as a float (-0.0), except with
            // `arbitrary_precision`; either way it is the instant 0.
            if text != "-0" {
                let float = text.contains(['.', 'e', 'E']);
                prop_assert_eq!(matches!(time.wire(), WireNumber::Float(_)), float);
            }
            // The magnitude rule, without a feature level.
            let unit = if value.unsigned_abs() >= 100_000_000_000 {
                TimeUnit::Milliseconds
            } else {
                TimeUnit::Seconds
            };
            prop_assert_eq!(time.unit(), unit);
            let _ = (time.to_string(), format!("{time:?}"), time.to_system_time());
        }
    }

    #[test]
    fn no_panic_in_timestamp_from_any_json(value in json_value()) {
        if let Ok(time) = serde_json::from_value::<Timestamp>(value.clone()) {
            prop_assert!(value.is_number());
            let _ = (time.to_string(), format!("{time:?}"), time.to_system_time());
        }
        let _ = serde_json::from_str::<Timestamp>(&value.to_string());
    }
}
