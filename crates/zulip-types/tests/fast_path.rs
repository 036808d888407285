//! The fast path of `GET /attachments` parsing gives exactly what the reference parse gives.
//!
//! `GetAttachmentsResponse`'s `Deserialize` implementation is the reference parse (the derived
//! structs, units by magnitude). `try_from_http_response` on a 200 must succeed exactly when the
//! reference succeeds on a body whose `result` is `"success"`, with the same value down to each
//! timestamp's wire number and unit; `GetAttachmentsResponseRef` must agree with both. Bodies are
//! valid responses of every generation, mutated: fields replaced by any JSON, removed, duplicated,
//! unknown fields added, `result` changed, escapes, truncation, trailing bytes.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::Value;
use zulip_types::{
    Attachment, AttachmentsGeneration as G, FeatureLevel, GetAttachmentsResponse,
    GetAttachmentsResponseRef, IncomingResponse, MessageRef, ResponseContext, TimeUnit, Timestamp,
};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/fast_path.txt",
        ))),
        ..ProptestConfig::default()
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        vec(any::<char>(), 0..12).prop_map(String::from_iter),
        prop::sample::select(vec![
            "",
            "a.txt",
            "Résumé 🎉.pdf",
            "quote \" back\\slash / tab\t",
            "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
        ])
        .prop_map(str::to_owned),
    ]
}

fn instant() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        (100_000_000_000i64..4_000_000_000_000)
            .prop_map(|ms| Timestamp::from_unix_millis(ms).unwrap()),
        (-(1i64 << 53)..=(1i64 << 53))
            .prop_map(|s| Timestamp::from_unix_seconds(s / 1000).unwrap()),
    ]
}

fn response() -> impl Strategy<Value = GetAttachmentsResponse> {
    let message = (any::<u64>(), prop::option::of(instant())).prop_map(|(id, sent)| match sent {
        Some(sent) => MessageRef::with_date_sent(id, sent),
        None => MessageRef::new(id),
    });
    let attachment = (
        any::<u64>(),
        text(),
        text(),
        prop::option::of(any::<u64>()),
        prop::option::of(instant()),
        vec(message, 0..4),
    )
        .prop_map(|(id, name, path_id, size, create_time, messages)| {
            let mut attachment = Attachment::new(id, name, path_id);
            attachment.size = size;
            attachment.create_time = create_time;
            attachment.messages = messages;
            attachment
        });
    (
        vec(attachment, 0..4),
        prop::option::of(any::<u64>()),
        prop::option::of(vec(text(), 0..2)),
    )
        .prop_map(|(attachments, used, ignored)| {
            let mut response = GetAttachmentsResponse::new(attachments);
            response.upload_space_used = used;
            response.ignored_parameters_unsupported = ignored;
            response
        })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            1_588_145_417_000.0,
            1_588_145_417_000.5,
            -0.0,
            1e300,
            9_007_199_254_740_992.0,
            9_007_199_254_740_994.0,
        ])
        .prop_map(Value::from),
        Just(Value::from((1u64 << 53) + 1)),
        text().prop_map(Value::String),
    ]
}

/// Values of the right shape for some field: message ID lists, message objects.
fn plausible() -> impl Strategy<Value = Value> {
    let message = (
        any::<u32>(),
        prop_oneof![Just("date_sent"), Just("name")],
        instant(),
    )
        .prop_map(|(id, key, time)| {
            let mut map = serde_json::Map::new();
            map.insert("id".into(), Value::from(id));
            map.insert(key.into(), serde_json::to_value(time).unwrap());
            Value::Object(map)
        });
    prop_oneof![
        vec(any::<u32>().prop_map(Value::from), 0..4).prop_map(Value::Array),
        vec(message, 0..3).prop_map(Value::Array),
        instant().prop_map(|time| serde_json::to_value(time).unwrap()),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let any = leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec((key(), inner), 0..4).prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    });
    prop_oneof![2 => any, 1 => plausible()]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "result",
            "msg",
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
        ])
        .prop_map(str::to_owned),
        text(),
    ]
}

/// One change to a body.
#[derive(Clone, Debug)]
enum Mutation {
    /// Set `key` of the object at `place` to `value`.
    Set(usize, String, Value),
    /// Remove `key` from the object at `place`.
    Remove(usize, String),
    /// Write the `key`-th entry of the object at `place` twice (textually: a `Value` cannot
    /// hold duplicates), with its own value or another.
    Duplicate(usize, usize, Option<Value>),
    /// Give the attachment at `place` both `messages` and `message_ids` (the IDs of its messages,
    /// or messages for its IDs).
    BothMessageLists(usize),
    /// Cut the text at this fraction of its length.
    Truncate(f64),
    /// Append this text.
    Trailing(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), key(), json()).prop_map(|(p, k, v)| Mutation::Set(p, k, v)),
        2 => (any::<usize>(), key()).prop_map(|(p, k)| Mutation::Remove(p, k)),
        2 => (any::<usize>(), any::<usize>(), prop::option::of(leaf()))
            .prop_map(|(p, k, v)| Mutation::Duplicate(p, k, v)),
        1 => any::<usize>().prop_map(Mutation::BothMessageLists),
        1 => (0.0..1.0f64).prop_map(Mutation::Truncate),
        1 => prop::sample::select(vec![" ", "\n", "x", "{}", "]"])
            .prop_map(|s| Mutation::Trailing(s.to_owned())),
    ]
}

fn apply(body: &mut String, mutation: &Mutation) {
    match mutation {
        Mutation::Set(place, key, _) | Mutation::Remove(place, key) => {
            let Ok(mut parsed) = serde_json::from_str::<Value>(body) else {
                return;
            };
            let mut paths = Vec::new();
            collect_object_paths(&parsed, &mut Vec::new(), &mut paths);
            if paths.is_empty() {
                return;
            }
            let path = &paths[place % paths.len()];
            if let Some(Value::Object(map)) = pointer_mut(&mut parsed, path) {
                match mutation {
                    Mutation::Set(_, _, value) => {
                        map.insert(key.clone(), value.clone());
                    }
                    _ => {
                        map.remove(key);
                    }
                }
            }
            *body = parsed.to_string();
        }
        Mutation::Duplicate(place, entry, other) => {
            let Ok(parsed) = serde_json::from_str::<Value>(body) else {
                return;
            };
            let mut paths = Vec::new();
            collect_object_paths(&parsed, &mut Vec::new(), &mut paths);
            if paths.is_empty() {
                return;
            }
            let target = &paths[place % paths.len()];
            let mut out = String::new();
            write_duplicating(
                &parsed,
                &mut Vec::new(),
                target,
                *entry,
                other.as_ref(),
                &mut out,
            );
            *body = out;
        }
        Mutation::BothMessageLists(place) => {
            let Ok(mut parsed) = serde_json::from_str::<Value>(body) else {
                return;
            };
            let Some(Value::Array(attachments)) = parsed.get_mut("attachments") else {
                return;
            };
            if attachments.is_empty() {
                return;
            }
            let count = attachments.len();
            let Some(Value::Object(attachment)) = attachments.get_mut(place % count) else {
                return;
            };
            if let Some(Value::Array(messages)) = attachment.get("messages") {
                let ids: Vec<Value> = messages
                    .iter()
                    .filter_map(|m| m.get("id").cloned())
                    .collect();
                attachment.insert("message_ids".into(), Value::Array(ids));
            } else if let Some(Value::Array(ids)) = attachment.get("message_ids") {
                let messages = ids
                    .iter()
                    .map(|id| serde_json::json!({"id": id, "date_sent": 1_588_145_417}))
                    .collect();
                attachment.insert("messages".into(), Value::Array(messages));
            }
            *body = parsed.to_string();
        }
        Mutation::Truncate(fraction) => {
            let mut at = (body.len() as f64 * fraction) as usize;
            while !body.is_char_boundary(at) {
                at -= 1;
            }
            body.truncate(at);
        }
        Mutation::Trailing(text) => body.push_str(text),
    }
}

/// `value` as JSON text, with the `entry`-th key of the object at `target` written twice: first
/// with `other` (or its own value), then with its own.
fn write_duplicating(
    value: &Value,
    at: &mut Vec<Step>,
    target: &[Step],
    entry: usize,
    other: Option<&Value>,
    out: &mut String,
) {
    match value {
        Value::Object(map) => {
            let here = steps_equal(at, target);
            out.push('{');
            let chosen = if map.is_empty() {
                usize::MAX
            } else {
                entry % map.len()
            };
            for (index, (key, child)) in map.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                let key_text = serde_json::to_string(key).unwrap();
                if here && index == chosen {
                    out.push_str(&format!("{key_text}:{},", other.unwrap_or(child)));
                }
                out.push_str(&key_text);
                out.push(':');
                at.push(Step::Key(key.clone()));
                write_duplicating(child, at, target, entry, other, out);
                at.pop();
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, child) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                at.push(Step::Index(index));
                write_duplicating(child, at, target, entry, other, out);
                at.pop();
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

fn steps_equal(a: &[Step], b: &[Step]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (Step::Key(x), Step::Key(y)) => x == y,
            (Step::Index(x), Step::Index(y)) => x == y,
            _ => false,
        })
}

/// Paths (as array/object steps) of every object in `value`.
fn collect_object_paths(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Object(map) => {
            out.push(at.clone());
            for (key, child) in map {
                at.push(Step::Key(key.clone()));
                collect_object_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                at.push(Step::Index(index));
                collect_object_paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn pointer_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let mut current = value;
    for step in path {
        current = match (step, current) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key)?,
            (Step::Index(index), Value::Array(items)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

/// What the reference parse says a 200 with this body is: the value (units by magnitude, or the
/// feature level's), or an error.
fn reference(body: &[u8], level: Option<FeatureLevel>) -> Option<GetAttachmentsResponse> {
    let parsed: GetAttachmentsResponse = serde_json::from_slice(body).ok()?;
    // Bodies here are objects (never the array form), so `result` is a key.
    let value: Value = serde_json::from_slice(body).ok()?;
    if value.get("result").and_then(Value::as_str) != Some("success") {
        return None;
    }
    Some(match level {
        Some(level) => parsed.with_timestamp_unit(TimeUnit::for_attachments_at(level)),
        None => parsed,
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fast_path_agrees_with_the_reference(
        generation in prop::sample::select(G::ALL.to_vec()),
        model in response(),
        mutations in vec(mutation(), 0..3),
        use_level in any::<bool>(),
        drop_result in prop::bool::weighted(0.1),
    ) {
        let mut body = String::from_utf8(model.to_wire_json(generation)).unwrap();
        if drop_result {
            body = body.replacen("\"result\":\"success\"", "\"result\":\"partial\"", 1);
        }
        for mutation in &mutations {
            apply(&mut body, mutation);
        }
        let level = use_level.then(|| generation.feature_level());
        let context = match level {
            Some(level) => ResponseContext::new().with_feature_level(level),
            None => ResponseContext::new(),
        };
        let response = http::Response::builder().status(200).body(body.as_bytes()).unwrap();
        let expected = reference(body.as_bytes(), level);
        let owned = GetAttachmentsResponse::try_from_http_response(&response, &context);
        let borrowed = GetAttachmentsResponseRef::try_from_http_response(&response, &context);
        match (&expected, &owned) {
            (Some(expected), Ok(owned)) => {
                prop_assert_eq!(format!("{owned:?}"), format!("{expected:?}"), "{}", body);
            }
            (None, Err(_)) => {}
            _ => prop_assert!(false, "reference {:?}, fast {:?}: {}", expected, owned, body),
        }
        match (&owned, borrowed) {
            (Ok(owned), Ok(borrowed)) => {
                prop_assert_eq!(format!("{:?}", borrowed.into_owned()), format!("{owned:?}"));
            }
            (Err(owned), Err(borrowed)) => {
                prop_assert_eq!(format!("{borrowed:?}"), format!("{owned:?}"));
            }
            (owned, borrowed) => {
                prop_assert!(false, "owned {:?}, borrowed {:?}", owned, borrowed);
            }
        }
    }
}

#[test]
fn every_object_is_a_mutation_place() {
    let value: Value = serde_json::from_str(r#"{"a":[{"b":{}},1],"c":{}}"#).unwrap();
    let mut paths = Vec::new();
    collect_object_paths(&value, &mut Vec::new(), &mut paths);
    assert_eq!(paths.len(), 4);
}
