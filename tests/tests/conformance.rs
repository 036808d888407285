//! Conformance with Zulip's own OpenAPI description (`tests/spec/zulip.yaml`, feature level 276).
//!
//! For every endpoint in `zulip_types::endpoints::all()`:
//! - its method, path template and authentication are the spec's;
//! - every example response the spec gives for it — success and error, through `$ref`s, `allOf`
//!   and `oneOf`, shared `components/responses`, plus the common errors the spec documents for
//!   every endpoint (`/rest-error-handling`) — parses through the endpoint's typed parser, at the
//!   documented status: success examples to success (and written back for the spec's feature
//!   level, to the example itself), error examples to `ResponseError::Server` with the example's
//!   `code`, `msg` and extra keys;
//! - everything the workspace serializes for a generation the spec describes (the spec's own
//!   examples parsed and written back, and generated values) validates against the spec's schema
//!   of the 200 response, converted from OpenAPI 3.0 to JSON Schema (see [`to_json_schema`]);
//! - at least one success example and one error example was exercised, so that adding an
//!   endpoint to `endpoints::all()` without an entry in [`covered`] fails here.
//!
//! Where the spec's example is known to differ from what servers send (WIRE-NOTES.md), the
//! entry says so in `fix_example`.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use http::Method;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};
use zulip_types::endpoints::{self, EndpointInfo};
use zulip_types::{
    Attachment, AttachmentsGeneration, Authentication, FeatureLevel, GetAttachmentsResponse,
    GetFileTemporaryUrlResponse, GetServerSettingsResponse, IncomingResponse, MessageRef,
    RemoveAttachmentResponse, ResponseContext, ResponseError, Timestamp, UploadFileResponse,
};

/// The feature level of `tests/spec/zulip.yaml` (see `tests/spec/SOURCE.md`).
const SPEC_FEATURE_LEVEL: FeatureLevel = FeatureLevel::new(276);
const SPEC_BYTES: usize = 1_116_458;
/// The spec's pseudo-endpoint whose responses are the errors common to every endpoint.
const COMMON_ERRORS: &str = "rest-error-handling";
/// Generated values validated against each endpoint's schema.
const GENERATED_CASES: usize = 48;

static SPEC: LazyLock<Value> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/zulip.yaml");
    let text = std::fs::read_to_string(path).expect("tests/spec/zulip.yaml");
    assert_eq!(
        text.len(),
        SPEC_BYTES,
        "tests/spec/zulip.yaml is not the copy SOURCE.md names"
    );
    serde_yaml_ng::from_str(&text).expect("the spec is YAML")
});

// ---------------------------------------------------------------------------------------------
// The covered endpoints: one entry per endpoint of `endpoints::all()`.

/// How the conformance test drives one endpoint.
struct Covered {
    /// The spec's `operationId`.
    name: &'static str,
    /// Parses a response through the endpoint's typed parser; a success is given back as the body
    /// the workspace writes for the spec's feature level.
    parse: fn(&http::Response<Vec<u8>>, &ResponseContext) -> Result<Value, ResponseError>,
    /// Success bodies the workspace serializes for the generations the spec describes, from the
    /// spec's success examples and from generated values.
    serialized: fn(examples: &[Value]) -> Vec<Value>,
    /// Completes a success example where the spec's example is known to differ from what
    /// servers send (documented in WIRE-NOTES.md); `None` for most endpoints.
    fix_example: Option<fn(&mut Value)>,
}

fn covered() -> Vec<Covered> {
    vec![
        Covered {
            name: "get-attachments",
            parse: parse_attachments,
            serialized: serialized_attachments,
            fix_example: None,
        },
        Covered {
            name: "remove-attachment",
            parse: |response, context| {
                written(
                    RemoveAttachmentResponse::try_from_http_response(response, context),
                    |parsed| parsed.to_wire_json(SPEC_FEATURE_LEVEL),
                )
            },
            serialized: |examples| {
                let mut with_ignored = RemoveAttachmentResponse::new();
                with_ignored.ignored_parameters_unsupported = Some(vec!["x".into()]);
                rewritten(
                    examples,
                    [RemoveAttachmentResponse::new(), with_ignored],
                    |r| r.to_wire_json(SPEC_FEATURE_LEVEL),
                )
            },
            fix_example: None,
        },
        Covered {
            name: "upload-file",
            parse: |response, context| {
                written(
                    UploadFileResponse::try_from_http_response(response, context),
                    |parsed| parsed.to_wire_json(SPEC_FEATURE_LEVEL),
                )
            },
            serialized: |examples| {
                let mut named = UploadFileResponse::new(
                    "/user_uploads/2/d4/6CFoZtAuBUU4HBZeObNSNhoI/zulip.txt",
                );
                named.filename = Some("zulip.txt".into());
                let plain = UploadFileResponse::new("/user_uploads/2/ab/c d/résumé [1].pdf");
                rewritten(examples, [named, plain], |r| {
                    r.to_wire_json(SPEC_FEATURE_LEVEL)
                })
            },
            fix_example: None,
        },
        Covered {
            name: "get-file-temporary-url",
            parse: |response, context| {
                written(
                    GetFileTemporaryUrlResponse::try_from_http_response(response, context),
                    |parsed| parsed.to_wire_json(SPEC_FEATURE_LEVEL),
                )
            },
            serialized: |examples| {
                let value = GetFileTemporaryUrlResponse::new(
                    "/user_uploads/temporary/322F4B3E3D6D4F6A/zulip.txt",
                );
                rewritten(examples, [value], |r| r.to_wire_json(SPEC_FEATURE_LEVEL))
            },
            fix_example: None,
        },
        Covered {
            name: "get-server-settings",
            parse: |response, context| {
                written(
                    GetServerSettingsResponse::try_from_http_response(response, context),
                    GetServerSettingsResponse::to_wire_json,
                )
            },
            serialized: |examples| {
                let mut full = GetServerSettingsResponse::new("9.0-beta1", SPEC_FEATURE_LEVEL);
                full.zulip_merge_base = Some("9.0-beta1".into());
                full.authentication_methods = [
                    ("password".to_owned(), true),
                    ("openid connect".to_owned(), false),
                ]
                .into();
                full.external_authentication_methods = Some(Vec::new());
                full.push_notifications_enabled = Some(false);
                full.is_incompatible = Some(false);
                full.email_auth_enabled = Some(true);
                full.require_email_format_usernames = Some(true);
                full.realm_url = Some("https://chat.example.com".into());
                full.realm_name = Some("Example".into());
                full.realm_icon = Some("https://chat.example.com/static/icon.png".into());
                full.realm_description = Some("<p>Hi</p>".into());
                full.realm_web_public_access_enabled = Some(false);
                let root_domain = GetServerSettingsResponse::new("9.0", SPEC_FEATURE_LEVEL);
                rewritten(
                    examples,
                    [full, root_domain],
                    GetServerSettingsResponse::to_wire_json,
                )
            },
            // WIRE-NOTES: "The spec's example omits `zulip_feature_level` although real servers
            // send it"; it has the FL 257 `realm_url`, so it comes from a server at FL >= 257.
            fix_example: Some(|example| {
                example["zulip_feature_level"] = json!(SPEC_FEATURE_LEVEL.get());
            }),
        },
    ]
}

/// A success written back by `write`, for [`Covered::parse`].
fn written<R>(
    parsed: Result<R, ResponseError>,
    write: impl Fn(&R) -> Vec<u8>,
) -> Result<Value, ResponseError> {
    Ok(serde_json::from_slice(&write(&parsed?)).expect("JSON"))
}

/// The spec's examples parsed and written back, then `values` written, for
/// [`Covered::serialized`].
fn rewritten<R: IncomingResponse>(
    examples: &[Value],
    values: impl IntoIterator<Item = R>,
    write: impl Fn(&R) -> Vec<u8>,
) -> Vec<Value> {
    let context = ResponseContext::new().with_feature_level(SPEC_FEATURE_LEVEL);
    let parsed = examples.iter().map(|example| {
        R::try_from_http_response(&http_response(200, example), &context)
            .unwrap_or_else(|e| panic!("{example}: {e}"))
    });
    parsed
        .chain(values)
        .map(|value| serde_json::from_slice(&write(&value)).expect("JSON"))
        .collect()
}

/// The attachments generations the spec describes: the one its feature level speaks.
fn spec_generations() -> Vec<AttachmentsGeneration> {
    AttachmentsGeneration::ALL
        .into_iter()
        .filter(|g| *g == AttachmentsGeneration::for_feature_level(SPEC_FEATURE_LEVEL))
        .collect()
}

fn parse_attachments(
    response: &http::Response<Vec<u8>>,
    context: &ResponseContext,
) -> Result<Value, ResponseError> {
    let parsed = GetAttachmentsResponse::try_from_http_response(response, context)?;
    let generation = AttachmentsGeneration::for_feature_level(SPEC_FEATURE_LEVEL);
    Ok(serde_json::from_slice(&parsed.to_wire_json(generation)).expect("JSON"))
}

fn serialized_attachments(examples: &[Value]) -> Vec<Value> {
    let mut values: Vec<GetAttachmentsResponse> = examples
        .iter()
        .map(|example| serde_json::from_value(example.clone()).expect("the spec's example"))
        .collect();
    // Generated values: deterministic, so a failure reproduces.
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = attachments_response();
    for _ in 0..GENERATED_CASES {
        values.push(strategy.new_tree(&mut runner).expect("a value").current());
    }
    values.push(GetAttachmentsResponse::new(Vec::new()));
    let mut bodies = Vec::new();
    for value in &values {
        for generation in spec_generations() {
            bodies.push(serde_json::from_slice(&value.to_wire_json(generation)).expect("JSON"));
        }
    }
    bodies
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        (0i64..4_000_000_000_000).prop_map(|ms| Timestamp::from_unix_millis(ms).unwrap()),
        (0i64..4_000_000_000).prop_map(|s| Timestamp::from_unix_seconds(s).unwrap()),
    ]
}

fn attachment() -> impl Strategy<Value = Attachment> {
    let message =
        (any::<u64>(), proptest::option::of(timestamp())).prop_map(|(id, sent)| match sent {
            Some(sent) => MessageRef::with_date_sent(id, sent),
            None => MessageRef::new(id),
        });
    (
        any::<u64>(),
        any::<String>(),
        "[0-9]{1,3}/[0-9a-f]{2}/[A-Za-z0-9_-]{24}/[^/]{1,20}",
        proptest::option::of(any::<u64>()),
        proptest::option::of(timestamp()),
        proptest::collection::vec(message, 0..4),
    )
        .prop_map(|(id, name, path_id, size, create_time, messages)| {
            let mut attachment = Attachment::new(id, name, path_id);
            attachment.size = size;
            attachment.create_time = create_time;
            attachment.messages = messages;
            attachment
        })
}

fn attachments_response() -> impl Strategy<Value = GetAttachmentsResponse> {
    (
        proptest::collection::vec(attachment(), 0..4),
        proptest::option::of(any::<u64>()),
        proptest::option::of(proptest::collection::vec("[a-z_]{1,12}", 0..3)),
    )
        .prop_map(|(attachments, used, ignored)| {
            let mut response = GetAttachmentsResponse::new(attachments);
            response.upload_space_used = used;
            response.ignored_parameters_unsupported = ignored;
            response
        })
}

// ---------------------------------------------------------------------------------------------
// Reading the spec.

/// Follows `$ref`s (local ones: `#/components/...`).
fn resolve(value: &Value) -> &Value {
    let mut value = value;
    while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref {reference}"));
        value = SPEC
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"));
    }
    value
}

/// The operation with this `operationId`: (path, method, operation).
fn operation(name: &str) -> Option<(&'static str, &'static str, &'static Value)> {
    let paths = SPEC["paths"].as_object()?;
    paths.iter().find_map(|(path, item)| {
        item.as_object()?.iter().find_map(|(method, operation)| {
            (operation.get("operationId").and_then(Value::as_str) == Some(name)).then_some((
                path.as_str(),
                method.as_str(),
                operation,
            ))
        })
    })
}

/// Every example a response object gives: its media types' `example`, `examples.*.value`, and
/// the examples of their schemas.
fn response_examples(response: &Value) -> Vec<Value> {
    let response = resolve(response);
    let mut examples = Vec::new();
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return examples;
    };
    for media in content.values() {
        if let Some(example) = media.get("example") {
            examples.push(example.clone());
        }
        if let Some(named) = media.get("examples").and_then(Value::as_object) {
            examples.extend(
                named
                    .values()
                    .filter_map(|e| resolve(e).get("value"))
                    .cloned(),
            );
        }
        if let Some(schema) = media.get("schema") {
            examples.extend(schema_examples(schema));
        }
    }
    examples
}

/// A schema's examples: its own `example`; else those of its inline `allOf` parts, else of its
/// referenced ones (a base schema's example is not an example of what extends it); and every
/// alternative's of `oneOf` / `anyOf`.
fn schema_examples(schema: &Value) -> Vec<Value> {
    let schema = resolve(schema);
    if let Some(example) = schema.get("example") {
        return vec![example.clone()];
    }
    let mut examples = Vec::new();
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let (inline, referenced): (Vec<_>, Vec<_>) =
            parts.iter().partition(|part| part.get("$ref").is_none());
        examples = inline.into_iter().flat_map(schema_examples).collect();
        if examples.is_empty() {
            examples = referenced.into_iter().flat_map(schema_examples).collect();
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
            examples.extend(alternatives.iter().flat_map(schema_examples));
        }
    }
    examples
}

/// (status, example) for every example of an operation's responses.
fn examples_by_status(operation: &Value) -> Vec<(u16, Value)> {
    let mut out = Vec::new();
    if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            let status: u16 = status.parse().unwrap_or_else(|_| panic!("status {status}"));
            out.extend(response_examples(response).into_iter().map(|e| (status, e)));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema -> JSON Schema (draft 4).

/// Converts an OpenAPI 3.0 schema object to a self-contained JSON Schema (draft 4, the draft
/// OpenAPI 3.0 extends: `exclusiveMinimum` is a boolean there):
///
/// - `$ref`s are inlined (the spec's are local and acyclic where responses use them);
/// - `allOf` is merged into one object schema, as Zulip's own test suite reads it: properties
///   are merged by name (a `{}` placeholder takes the other part's schema; two real schemas are
///   combined with `allOf`), `required` lists are joined, and `additionalProperties: false` from
///   any part applies to the merged properties. Zulip lists every inherited property as `{}` in
///   the part that says `additionalProperties: false`, so the merge and JSON Schema's per-part
///   reading agree; merging gives clearer errors;
/// - `nullable: true` becomes `"type": [T, "null"]` (and `null` joins an `enum`), or an
///   `anyOf` with `{"type": "null"}` when there is no `type`;
/// - annotations JSON Schema does not have (`example`, `examples`, `deprecated`, `readOnly`,
///   `writeOnly`, `discriminator`, `xml`, `externalDocs`, `x-*`) and `description` are dropped.
fn to_json_schema(schema: &Value) -> Value {
    let schema = resolve(schema);
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
        for part in parts {
            merge_into(&mut out, to_json_schema(part));
        }
    }
    let mut nullable = false;
    for (key, value) in object {
        let converted = match key.as_str() {
            "allOf" | "$ref" => continue,
            "nullable" => {
                nullable = value == &Value::Bool(true);
                continue;
            }
            "example" | "examples" | "description" | "deprecated" | "readOnly" | "writeOnly"
            | "discriminator" | "xml" | "externalDocs" => continue,
            key if key.starts_with("x-") => continue,
            "properties" => Value::Object(
                value
                    .as_object()
                    .expect("properties")
                    .iter()
                    .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                    .collect(),
            ),
            "items" | "not" => to_json_schema(value),
            "additionalProperties" if value.is_object() => to_json_schema(value),
            "oneOf" | "anyOf" => Value::Array(
                value
                    .as_array()
                    .expect("alternatives")
                    .iter()
                    .map(to_json_schema)
                    .collect(),
            ),
            _ => value.clone(),
        };
        merge_into(
            &mut out,
            Value::Object(Map::from_iter([(key.clone(), converted)])),
        );
    }
    if nullable {
        match out.get_mut("type") {
            Some(Value::String(kind)) => {
                let kind = kind.clone();
                out.insert("type".into(), json!([kind, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            _ => return json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
        }
    }
    Value::Object(out)
}

/// Merges one converted `allOf` part (or one key) into `out`.
fn merge_into(out: &mut Map<String, Value>, part: Value) {
    let Value::Object(part) = part else {
        panic!("allOf part is not an object: {part}");
    };
    for (key, value) in part {
        match (key.as_str(), out.get_mut(&key)) {
            (_, None) => {
                out.insert(key, value);
            }
            ("properties", Some(Value::Object(existing))) => {
                for (name, schema) in value.as_object().expect("properties").clone() {
                    let merged = match existing.remove(&name) {
                        None => schema,
                        Some(old) if old == json!({}) => schema,
                        Some(old) if schema == json!({}) => old,
                        Some(old) => json!({"allOf": [old, schema]}),
                    };
                    existing.insert(name, merged);
                }
            }
            ("required", Some(Value::Array(existing))) => {
                for name in value.as_array().expect("required") {
                    if !existing.contains(name) {
                        existing.push(name.clone());
                    }
                }
            }
            ("additionalProperties", Some(existing)) => {
                if value == Value::Bool(false) {
                    *existing = value;
                }
            }
            (_, Some(existing)) => {
                assert_eq!(*existing, value, "allOf parts disagree on {key}");
            }
        }
    }
}

/// The JSON Schema of an operation's 200 response.
fn success_schema(operation: &Value) -> Value {
    let response = resolve(&operation["responses"]["200"]);
    to_json_schema(&response["content"]["application/json"]["schema"])
}

fn http_response(status: u16, body: &Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(body).expect("JSON"))
        .expect("a response")
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_endpoint_is_covered_and_matches_the_spec() {
    let covered = covered();
    let mut names = BTreeSet::new();
    for info in endpoints::all() {
        assert!(names.insert(info.name), "{} listed twice", info.name);
        assert!(
            covered.iter().any(|c| c.name == info.name),
            "{} is in endpoints::all() but has no entry in conformance.rs covered()",
            info.name
        );
        check_metadata(&info);
    }
    for c in &covered {
        assert!(
            names.contains(c.name),
            "{} is covered but not in endpoints::all()",
            c.name
        );
    }
}

fn check_metadata(info: &EndpointInfo) {
    let (path, method, operation) =
        operation(info.name).unwrap_or_else(|| panic!("no operationId {} in the spec", info.name));
    assert_eq!(path, info.path, "{}: path template", info.name);
    assert_eq!(
        method.to_ascii_uppercase().parse::<Method>().unwrap(),
        info.method,
        "{}: method",
        info.name
    );
    // The spec's global `security` is HTTP Basic; an operation overrides it with `security: []`,
    // or (GET /server_settings) only says so in its description.
    let security = operation.get("security").unwrap_or(&SPEC["security"]);
    let unauthenticated = operation["description"]
        .as_str()
        .is_some_and(|text| text.contains("does not require any authentication"));
    let expected = if security.as_array().is_some_and(|s| !s.is_empty()) && !unauthenticated {
        Authentication::Basic
    } else {
        Authentication::None
    };
    assert_eq!(
        info.authentication, expected,
        "{}: authentication",
        info.name
    );
}

#[test]
fn every_spec_example_parses_through_the_typed_parser() {
    let (_, _, common) = operation(COMMON_ERRORS).expect("the common errors");
    let common = examples_by_status(common);
    assert!(common.len() >= 6, "common errors: {common:?}");
    let spec_generation_level = SPEC_FEATURE_LEVEL;
    let mut report = Vec::new();
    for c in covered() {
        let (_, _, operation) = operation(c.name).expect("in the spec");
        let own = examples_by_status(operation);
        let (mut successes, mut errors) = (0, 0);
        for (status, example) in own.iter().chain(&common) {
            let mut example = example.clone();
            if let (Some(fix), true) = (c.fix_example, (200..300).contains(status)) {
                fix(&mut example);
            }
            let example = &example;
            let is_success = (200..300).contains(status)
                && example.get("result") == Some(&Value::from("success"));
            let response = http_response(*status, example);
            for context in [
                ResponseContext::new(),
                ResponseContext::new().with_feature_level(spec_generation_level),
            ] {
                let result = (c.parse)(&response, &context);
                if is_success {
                    let written = result.unwrap_or_else(|e| {
                        panic!("{}: {status} example {example} did not parse: {e}", c.name)
                    });
                    if context.feature_level.is_some() {
                        assert_eq!(&written, example, "{}: example written back", c.name);
                    }
                } else {
                    let error = match result {
                        Err(ResponseError::Server(error)) => error,
                        other => panic!("{}: {status} {example} gave {other:?}", c.name),
                    };
                    assert_eq!(error.status(), *status);
                    assert_eq!(error.msg(), example["msg"].as_str(), "{example}");
                    assert_eq!(
                        error.code().map(|code| code.as_str()),
                        example.get("code").and_then(Value::as_str),
                        "{example}"
                    );
                    for (key, value) in example.as_object().expect("an object") {
                        if !["result", "msg", "code"].contains(&key.as_str()) {
                            assert_eq!(error.extra(key), Some(value), "{example}: {key}");
                        }
                    }
                    if *status == 429 {
                        assert!(error.is_rate_limited());
                        assert_eq!(error.retry_after(), example["retry-after"].as_f64());
                    }
                }
            }
            if is_success {
                successes += 1;
            } else {
                errors += 1;
            }
        }
        assert!(successes >= 1, "{}: no success example exercised", c.name);
        assert!(errors >= 1, "{}: no error example exercised", c.name);
        for (status, _) in &own {
            assert!(*status > 0);
        }
        report.push(format!(
            "{}: {} own examples, {} common errors, {successes} successes, {errors} errors",
            c.name,
            own.len(),
            common.len()
        ));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn every_serialized_body_validates_against_the_spec_schema() {
    for c in covered() {
        let (_, _, operation) = operation(c.name).expect("in the spec");
        let schema = success_schema(operation);
        let validator = jsonschema::draft4::new(&schema)
            .unwrap_or_else(|e| panic!("{}: schema {schema}: {e}", c.name));
        let examples: Vec<Value> = examples_by_status(operation)
            .into_iter()
            .filter(|(status, _)| *status == 200)
            .map(|(_, mut example)| {
                if let Some(fix) = c.fix_example {
                    fix(&mut example);
                }
                example
            })
            .collect();
        assert!(!examples.is_empty(), "{}: no 200 example", c.name);
        for example in &examples {
            assert_valid(&validator, example, c.name);
        }
        let bodies = (c.serialized)(&examples);
        // Every example written back, and at least one value of the workspace's own.
        assert!(
            bodies.len() > examples.len(),
            "{}: {} bodies",
            c.name,
            bodies.len()
        );
        for body in &bodies {
            assert_valid(&validator, body, c.name);
        }
    }
}

fn assert_valid(validator: &jsonschema::Validator, body: &Value, name: &str) {
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {body}\n{}", errors.join("\n"));
}

/// The validator is strict where the spec is: what the spec's version does not describe fails.
/// (Without this, a converter that dropped every constraint would pass the test above.)
#[test]
fn the_converted_schema_rejects_what_the_spec_does_not_describe() {
    let (_, _, operation) = operation("get-attachments").expect("in the spec");
    let validator = jsonschema::draft4::new(&success_schema(operation)).expect("schema");
    let example = examples_by_status(operation).remove(0).1;
    let parsed: GetAttachmentsResponse = serde_json::from_value(example.clone()).unwrap();
    // Other generations: floats and `name` (G1), `message_ids` (G4).
    for generation in [AttachmentsGeneration::G1, AttachmentsGeneration::G4] {
        let body: Value = serde_json::from_slice(&parsed.to_wire_json(generation)).unwrap();
        assert!(!validator.is_valid(&body), "{generation:?} {body}");
    }
    let mutations: [(&str, Value); 6] = [
        ("/attachments/0/size", json!("571946")),
        ("/attachments/0/create_time", json!(1588145417000.5)),
        ("/attachments/0/id", json!(null)),
        ("/result", json!("error")),
        ("/upload_space_used", json!(1.5)),
        ("/attachments/0/messages/0/date_sent", json!("yesterday")),
    ];
    for (pointer, value) in mutations {
        let mut body = example.clone();
        *body.pointer_mut(pointer).expect(pointer) = value;
        assert!(!validator.is_valid(&body), "{pointer}: {body}");
    }
    let mut extra = example.clone();
    extra["attachments"][0]["new_field"] = json!(1);
    assert!(!validator.is_valid(&extra), "additionalProperties: false");
    let mut missing = example;
    missing.as_object_mut().unwrap().remove("msg");
    assert!(!validator.is_valid(&missing), "required msg");
}

/// The converter itself, on OpenAPI 3.0 constructs the current endpoints' schemas do not use.
#[test]
fn nullable_becomes_a_null_type() {
    let schema = to_json_schema(&json!({
        "type": "object",
        "properties": {
            "a": {"type": "integer", "nullable": true},
            "b": {"type": "string", "enum": ["x"], "nullable": true},
            "c": {"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": true},
        },
    }));
    let validator = jsonschema::draft4::new(&schema).expect("schema");
    assert!(validator.is_valid(&json!({"a": null, "b": null, "c": null})));
    assert!(validator.is_valid(&json!({"a": 1, "b": "x", "c": "y"})));
    assert!(!validator.is_valid(&json!({"a": "1"})));
    assert!(!validator.is_valid(&json!({"b": "y"})));
    assert!(!validator.is_valid(&json!({"c": true})));
}
