//! `GetAttachmentsResponseRef`: the same values, units and errors as the owned parse on every
//! fixture, strings borrowed from the body where the JSON has no escapes and owned where it has.

mod common;

use std::borrow::Cow;

use common::{attachments_fixture, fixture_names, http_fixture, ok_json};
use zulip_types::{
    AttachmentRef, AttachmentsGeneration, FeatureLevel, GetAttachmentsResponse,
    GetAttachmentsResponseRef, IncomingResponse, ResponseContext,
};

fn contexts() -> Vec<ResponseContext> {
    let mut contexts = vec![ResponseContext::new()];
    for generation in AttachmentsGeneration::ALL {
        contexts.push(ResponseContext::new().with_feature_level(generation.feature_level()));
    }
    contexts.push(ResponseContext::new().with_feature_level(FeatureLevel::new(u32::MAX)));
    contexts
}

/// Whether `text` lies inside `body` (a borrow), rather than in an allocation of its own.
fn inside(body: &[u8], text: &str) -> bool {
    let range = body.as_ptr_range();
    let start = text.as_ptr();
    range.start <= start && start.wrapping_add(text.len()) <= range.end
}

#[test]
fn every_fixture_reads_the_same_borrowed_and_owned() {
    let names = fixture_names("get-attachments", "json");
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        let response = attachments_fixture(&name);
        for context in contexts() {
            let owned = GetAttachmentsResponse::try_from_http_response(&response, &context)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            let borrowed = GetAttachmentsResponseRef::try_from_http_response(&response, &context)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(borrowed, owned, "{name} {context:?}");
            // Equality is by instant; Debug also shows each timestamp's wire number and unit.
            let back = borrowed.clone().into_owned();
            assert_eq!(
                format!("{back:?}"),
                format!("{owned:?}"),
                "{name} {context:?}"
            );
            assert_eq!(GetAttachmentsResponse::from(borrowed.clone()), owned);
            assert_eq!(GetAttachmentsResponseRef::from(owned.clone()), borrowed);
            for (got, want) in borrowed.attachments.iter().zip(&owned.attachments) {
                assert_eq!(got, want);
                assert_eq!(
                    got.message_ids().collect::<Vec<_>>(),
                    want.message_ids().collect::<Vec<_>>()
                );
                // Borrowed exactly when the JSON string is the text itself (no escapes).
                let body = response.body();
                for (field, value) in [("name", &got.name), ("path_id", &got.path_id)] {
                    let plain = serde_json::to_string(value.as_ref()).unwrap();
                    let plain_in_body = body.windows(plain.len()).any(|w| w == plain.as_bytes());
                    match value {
                        Cow::Borrowed(text) => assert!(inside(body, text), "{name} {field}"),
                        Cow::Owned(_) => assert!(
                            !plain_in_body || value.contains(['"', '\\']) || !value.is_ascii(),
                            "{name} {field} {value:?} is owned, yet written plainly"
                        ),
                    }
                }
            }
        }
    }
}

#[test]
fn escaped_strings_fall_back_to_owned() {
    // ujson (Zulip <= 2.x) escapes non-ASCII and `/`; any server escapes quotes and backslashes.
    let body = r#"{"result":"success","msg":"","attachments":[
        {"id":1,"name":"plain.txt","path_id":"2/ab/plain.txt","messages":[]},
        {"id":2,"name":"R\u00e9sum\u00e9 \ud83c\udf89.pdf","path_id":"2\/ab\/Resume.pdf","messages":[]},
        {"id":3,"name":"quote \"x\" back\\slash","path_id":"2/ab/quote-x-backslash","messages":[]},
        {"id":4,"name":"Résumé 🎉 raw UTF-8.pdf","path_id":"2/ab/Résumé.pdf","messages":[]}
    ]}"#;
    let response = ok_json(body.as_bytes().to_vec());
    let parsed =
        GetAttachmentsResponseRef::try_from_http_response(&response, &ResponseContext::new())
            .unwrap();
    let [plain, legacy, quoted, raw] = &parsed.attachments[..] else {
        panic!("{parsed:?}")
    };
    let is_borrowed = |value: &Cow<'_, str>| matches!(value, Cow::Borrowed(_));

    assert!(is_borrowed(&plain.name) && is_borrowed(&plain.path_id));
    assert!(inside(response.body(), &plain.path_id));

    assert!(!is_borrowed(&legacy.name) && !is_borrowed(&legacy.path_id));
    assert_eq!(legacy.name, "Résumé 🎉.pdf");
    assert_eq!(legacy.path_id, "2/ab/Resume.pdf");

    assert!(!is_borrowed(&quoted.name) && is_borrowed(&quoted.path_id));
    assert_eq!(quoted.name, r#"quote "x" back\slash"#);

    // Raw UTF-8 needs no unescaping: borrowed.
    assert!(is_borrowed(&raw.name) && is_borrowed(&raw.path_id));
    assert_eq!(raw.name, "Résumé 🎉 raw UTF-8.pdf");

    let owned =
        GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new()).unwrap();
    assert_eq!(parsed, owned);
}

#[test]
fn every_error_is_the_owned_parse_error() {
    let mut responses: Vec<(String, http::Response<Vec<u8>>)> = fixture_names("errors", "http")
        .into_iter()
        .map(|name| {
            let response = http_fixture(&name);
            (name, response)
        })
        .collect();
    // Shapes the fast path leaves to the reference parse.
    for body in [
        r#"{"result":"success","attachments":[{"id":1,"id":2,"name":"a","path_id":"b"}]}"#,
        r#"{"result":"success","attachments":[{"name":"a","path_id":"b"}]}"#,
        r#"{"result":"success","attachments":[[1,"a","b"]]}"#,
        r#"{"result":"success","attachments":[]} trailing"#,
        r#"{"result":"success","attachments":[{"id":1,"name":"a","path_id":"b","create_time":"1"}]}"#,
        r#"{"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}"#,
    ] {
        responses.push((body.to_owned(), ok_json(body.as_bytes().to_vec())));
    }
    // Not UTF-8: the fast path checks once, the reference reports where.
    let invalid = b"{\"result\":\"success\",\"attachments\":[{\"id\":1,\"name\":\"\xff\",\"path_id\":\"b\"}]}";
    responses.push(("invalid UTF-8".to_owned(), ok_json(invalid.to_vec())));
    for (name, response) in &responses {
        for context in contexts() {
            let owned = GetAttachmentsResponse::try_from_http_response(response, &context);
            let borrowed = GetAttachmentsResponseRef::try_from_http_response(response, &context);
            match (owned, borrowed) {
                (Err(owned), Err(borrowed)) => {
                    assert_eq!(format!("{borrowed:?}"), format!("{owned:?}"), "{name}");
                    assert_eq!(borrowed.to_string(), owned.to_string(), "{name}");
                }
                (Ok(owned), Ok(borrowed)) => assert_eq!(borrowed, owned, "{name}"),
                (owned, borrowed) => panic!("{name}: owned {owned:?}, borrowed {borrowed:?}"),
            }
        }
    }
}

#[test]
fn a_struct_written_as_an_array_is_refused_by_both() {
    // serde's derives would accept a struct as a JSON array of its fields in order; the
    // reference parse reads objects only (`api::ObjectOnly`), and the fast path never takes an
    // array, so the owned and borrowed parses refuse it with the same error.
    let body = br#"{"result":"success","attachments":[[7,"a.txt","2/ab/a.txt",3,1588145417,[[9,1588145424]],null]]}"#;
    let response = ok_json(body.to_vec());
    let owned = GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())
        .unwrap_err();
    let borrowed =
        GetAttachmentsResponseRef::try_from_http_response(&response, &ResponseContext::new())
            .unwrap_err();
    assert_eq!(borrowed.to_string(), owned.to_string());
    assert!(
        owned.to_string().contains("attachments[0]") && owned.to_string().contains("JSON object"),
        "{owned}"
    );
    assert!(serde_json::from_slice::<GetAttachmentsResponse>(body).is_err());
}

#[test]
fn attachment_conversions() {
    let mut attachment = zulip_types::Attachment::new(5, "n", "2/ab/n");
    attachment.size = Some(1);
    let as_ref = AttachmentRef::from(attachment.clone());
    assert_eq!(as_ref, attachment);
    assert!(matches!(as_ref.name, Cow::Owned(_)));
    assert_eq!(as_ref.clone().into_owned(), attachment);
    assert_eq!(zulip_types::Attachment::from(as_ref), attachment);
}
