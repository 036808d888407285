//! `DELETE /attachments/{attachment_id}`: the request, the success, and "Invalid attachment"
//! as a typed server error (tests/fixtures/remove-attachment).

mod common;

use std::fmt::Write as _;

use common::{fixture_bytes, fixture_names, ok_json, parse_http};
use proptest::prelude::*;
use zulip_types::{
    BuildError, Credentials, Endpoint, ErrorCode, FeatureLevel, IncomingResponse, RemoveAttachment,
    RemoveAttachmentRejection as Rejection, RemoveAttachmentResponse, RequestContext,
    ResponseContext, Site, redacted,
};

fn context() -> RequestContext {
    RequestContext::new(Site::parse("chat.example.com").unwrap())
        .with_credentials(Credentials::new(
            "iago@zulip.com",
            "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv",
        ))
        .with_user_agent("zulip-types-tests/1.0 (snapshot)")
        .unwrap()
}

#[test]
fn request_snapshot() {
    let request = RemoveAttachment::new(1)
        .try_into_http_request(&context())
        .unwrap();
    insta::assert_snapshot!("request", redacted(&request).to_string());
    assert!(request.body().is_empty());
    assert!(request.headers().get("content-type").is_none());
    assert!(request.headers()["authorization"].is_sensitive());
}

#[test]
fn missing_credentials_is_a_build_error() {
    let context = RequestContext::new(Site::parse("chat.example.com").unwrap());
    assert!(matches!(
        RemoveAttachment::new(1).try_into_http_request(&context),
        Err(BuildError::MissingCredentials {
            endpoint: "remove-attachment"
        })
    ));
}

const SUCCESS: [&str; 2] = ["success-ignored-parameters.json", "success.json"];

const ERRORS: [(&str, u16, Option<Rejection>); 5] = [
    (
        "400-invalid-attachment-before-fl76.http",
        400,
        Some(Rejection::InvalidAttachment),
    ),
    // Translated: still a server error with its status and code, just not named.
    ("400-invalid-attachment-translated.http", 400, None),
    (
        "400-invalid-attachment.http",
        400,
        Some(Rejection::InvalidAttachment),
    ),
    (
        "400-storage-failure.http",
        400,
        Some(Rejection::StorageFailure),
    ),
    ("404-html-non-numeric-id.http", 404, None),
];

#[test]
fn every_fixture_is_listed() {
    assert_eq!(fixture_names("remove-attachment", "json"), SUCCESS);
    let names: Vec<&str> = ERRORS.iter().map(|(name, ..)| *name).collect();
    assert_eq!(fixture_names("remove-attachment", "http"), names);
}

#[test]
fn successes_parse_and_write_back() {
    for name in SUCCESS {
        let body = fixture_bytes(&format!("remove-attachment/{name}"));
        let parsed = RemoveAttachmentResponse::try_from_http_response(
            &ok_json(body),
            &ResponseContext::new(),
        )
        .unwrap();
        let again = RemoveAttachmentResponse::try_from_http_response(
            &ok_json(parsed.to_wire_json(FeatureLevel::new(478))),
            &ResponseContext::new(),
        )
        .unwrap();
        assert_eq!(again, parsed, "{name}");
    }
    assert_eq!(
        RemoveAttachmentResponse::new().to_wire_json(FeatureLevel::ZERO),
        br#"{"msg":"","result":"success"}"#
    );
}

#[test]
fn invalid_attachment_is_a_typed_server_error() {
    let mut out = String::new();
    for (name, status, rejection) in ERRORS {
        let response = parse_http(&fixture_bytes(&format!("remove-attachment/{name}"))).unwrap();
        let error =
            RemoveAttachmentResponse::try_from_http_response(&response, &ResponseContext::new())
                .unwrap_err();
        let server = error
            .as_server()
            .unwrap_or_else(|| panic!("{name}: {error:?}"));
        assert_eq!(server.status(), status, "{name}");
        assert_eq!(Rejection::from_server_error(server), rejection, "{name}");
        writeln!(out, "{name}: {error}\n  rejection: {rejection:?}").unwrap();
    }
    insta::assert_snapshot!("errors", out);
    let coded = parse_http(&fixture_bytes(
        "remove-attachment/400-invalid-attachment.http",
    ))
    .unwrap();
    let error = zulip_types::ServerError::from_response(&coded);
    assert_eq!(error.code(), Some(&ErrorCode::BadRequest));
    assert_eq!(error.msg(), Some("Invalid attachment"));
}

#[test]
fn a_200_with_result_error_is_a_server_error() {
    let body = br#"{"result":"error","msg":"Invalid attachment","code":"BAD_REQUEST"}"#.to_vec();
    let error =
        RemoveAttachmentResponse::try_from_http_response(&ok_json(body), &ResponseContext::new())
            .unwrap_err();
    assert!(error.as_server().is_some(), "{error:?}");
}

proptest! {
    #[test]
    fn the_id_is_the_last_path_segment(id in any::<u64>()) {
        let request = RemoveAttachment::new(id).try_into_http_request(&context()).unwrap();
        prop_assert_eq!(request.method(), http::Method::DELETE);
        prop_assert_eq!(
            request.uri().to_string(),
            format!("https://chat.example.com/api/v1/attachments/{id}")
        );
    }

    #[test]
    fn no_panic_on_any_body(body in prop::collection::vec(any::<u8>(), 0..128), status in 100u16..600) {
        let response = http::Response::builder().status(status).body(body).unwrap();
        let _ = RemoveAttachmentResponse::try_from_http_response(&response, &ResponseContext::new());
    }
}
