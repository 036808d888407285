//! `GET /user_uploads/{realm_id_str}/{filename}`: built from a `path_id`, a `/user_uploads/...`
//! URL or an absolute URL on the site; the answer resolved against the root; 404/403 HTML as
//! typed errors (tests/fixtures/get-file-temporary-url).

mod common;

use std::fmt::Write as _;

use common::{fixture_bytes, fixture_names, ok_json, parse_http};
use proptest::prelude::*;
use zulip_types::{
    Credentials, Endpoint, FeatureLevel, GetFileTemporaryUrl, GetFileTemporaryUrlResponse,
    IncomingResponse, ParseErrorKind, RequestContext, ResponseContext, Site,
    TemporaryUrlRejection as Rejection, UploadPathErrorKind, redacted,
};

fn site() -> Site {
    Site::parse("chat.example.com").unwrap()
}

fn context() -> RequestContext {
    RequestContext::new(site())
        .with_credentials(Credentials::new(
            "iago@zulip.com",
            "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv",
        ))
        .with_user_agent("zulip-types-tests/1.0 (snapshot)")
        .unwrap()
}

fn uri_of(endpoint: &GetFileTemporaryUrl) -> String {
    endpoint
        .try_into_http_request(&context())
        .unwrap()
        .uri()
        .to_string()
}

#[test]
fn request_snapshot() {
    let endpoint =
        GetFileTemporaryUrl::from_path_id("2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg").unwrap();
    let request = endpoint.try_into_http_request(&context()).unwrap();
    insta::assert_snapshot!("request", redacted(&request).to_string());
    assert!(request.headers()["authorization"].is_sensitive());
}

#[test]
fn the_three_inputs_name_the_same_file() {
    let expected = "https://chat.example.com/api/v1/user_uploads/2/ce/xyz/166050.jpg";
    let inputs = [
        GetFileTemporaryUrl::from_path_id("2/ce/xyz/166050.jpg").unwrap(),
        GetFileTemporaryUrl::from_url("/user_uploads/2/ce/xyz/166050.jpg", &site()).unwrap(),
        GetFileTemporaryUrl::from_url(
            "https://chat.example.com/user_uploads/2/ce/xyz/166050.jpg",
            &site(),
        )
        .unwrap(),
    ];
    for endpoint in &inputs {
        assert_eq!(uri_of(endpoint), expected);
        assert_eq!(endpoint.path().realm_id_str(), "2");
        assert_eq!(endpoint.path().filename(), "ce/xyz/166050.jpg");
    }
    assert_eq!(
        GetFileTemporaryUrl::from_url("https://other.example/user_uploads/2/ce/xyz/a.jpg", &site())
            .unwrap_err()
            .kind(),
        UploadPathErrorKind::OtherOrigin
    );
}

#[test]
fn segments_are_encoded_and_slashes_kept() {
    let cases = [
        (
            "2/ce/xyz/my file.jpg",
            "/user_uploads/2/ce/xyz/my%20file.jpg",
        ),
        (
            "2/ab/xyz/Résumé [1].pdf",
            "/user_uploads/2/ab/xyz/R%C3%A9sum%C3%A9%20%5B1%5D.pdf",
        ),
        (
            "2/ab/xyz/a?b#c%d.txt",
            "/user_uploads/2/ab/xyz/a%3Fb%23c%25d.txt",
        ),
        ("unk/ab/old.png", "/user_uploads/unk/ab/old.png"),
    ];
    for (path_id, path) in cases {
        let endpoint = GetFileTemporaryUrl::from_path_id(path_id).unwrap();
        assert_eq!(
            uri_of(&endpoint),
            format!("https://chat.example.com/api/v1{path}")
        );
        // The URL form of the file reads back to the same request.
        let again = GetFileTemporaryUrl::from_url(path, &site()).unwrap();
        assert_eq!(again, endpoint, "{path}");
    }
}

const SUCCESS: [(&str, &str); 2] = [
    (
        "spec-example.json",
        "https://chat.example.com/user_uploads/temporary/322F32632F39765378464E4C63306D3961396F4970705A4D74424565432F7A756C69702E7478743A316A5053616A3A3938625F44393446466D37357254315F4F414C425A4553464F6A55",
    ),
    (
        "with-basename.json",
        "https://chat.example.com/user_uploads/temporary/322F63652F44664F6B7A7764675F49776C724E336D79774B4774694A2F3136363035302E6A70673A3172616D51573A7A5F32/166050.jpg",
    ),
];

#[test]
fn every_fixture_is_listed() {
    let names: Vec<&str> = SUCCESS.iter().map(|(name, _)| *name).collect();
    assert_eq!(fixture_names("get-file-temporary-url", "json"), names);
    assert_eq!(
        fixture_names("get-file-temporary-url", "http"),
        [
            "200-file-itself-before-fl1.http",
            "403-html-not-authorized.http",
            "403-json-user-deactivated-before-fl76.http",
            "404-html-file-not-found.http",
        ]
    );
}

#[test]
fn the_answer_is_resolved_against_the_root() {
    for (name, absolute) in SUCCESS {
        let body = fixture_bytes(&format!("get-file-temporary-url/{name}"));
        let parsed = GetFileTemporaryUrlResponse::try_from_http_response(
            &ok_json(body),
            &ResponseContext::new(),
        )
        .unwrap();
        insta::assert_snapshot!(
            name.trim_end_matches(".json").to_owned(),
            format!("{parsed:#?}")
        );
        assert_eq!(parsed.absolute_url(&site()).unwrap(), absolute);
        let prefixed = Site::parse("https://example.com/zulip").unwrap();
        assert!(
            parsed
                .absolute_url(&prefixed)
                .unwrap()
                .starts_with("https://example.com/zulip/user_uploads/temporary/")
        );
        let again = GetFileTemporaryUrlResponse::try_from_http_response(
            &ok_json(parsed.to_wire_json(FeatureLevel::new(478))),
            &ResponseContext::new(),
        )
        .unwrap();
        assert_eq!(again, parsed);
    }
}

#[test]
fn html_404_and_403_are_typed_errors() {
    let cases = [
        ("404-html-file-not-found.http", Some(Rejection::NotFound)),
        ("403-html-not-authorized.http", Some(Rejection::Forbidden)),
        ("403-json-user-deactivated-before-fl76.http", None),
    ];
    let mut out = String::new();
    for (name, rejection) in cases {
        let response =
            parse_http(&fixture_bytes(&format!("get-file-temporary-url/{name}"))).unwrap();
        let error =
            GetFileTemporaryUrlResponse::try_from_http_response(&response, &ResponseContext::new())
                .unwrap_err();
        let server = error
            .as_server()
            .unwrap_or_else(|| panic!("{name}: {error:?}"));
        assert_eq!(Rejection::from_server_error(server), rejection, "{name}");
        writeln!(out, "{name}: {error}\n  rejection: {rejection:?}").unwrap();
    }
    // Before feature level 1 the route served the file itself: not JSON, kept as such.
    let response = parse_http(&fixture_bytes(
        "get-file-temporary-url/200-file-itself-before-fl1.http",
    ))
    .unwrap();
    let error =
        GetFileTemporaryUrlResponse::try_from_http_response(&response, &ResponseContext::new())
            .unwrap_err();
    let parse = error.as_parse().unwrap();
    assert_eq!(parse.kind(), ParseErrorKind::NotJson);
    assert_eq!(parse.body(), Some(&b"hello, this is the file itself\n"[..]));
    writeln!(out, "200-file-itself-before-fl1.http: {error}").unwrap();
    insta::assert_snapshot!("errors", out);
}

proptest! {
    #[test]
    fn requests_stay_under_the_route(path_id in "[0-9]{1,4}/[^/]{1,10}(/[^/]{1,10}){0,3}") {
        if let Ok(endpoint) = GetFileTemporaryUrl::from_path_id(&path_id) {
            let request = endpoint.try_into_http_request(&context()).unwrap();
            let uri = request.uri();
            prop_assert_eq!(uri.authority().unwrap().as_str(), "chat.example.com");
            let path = uri.path();
            prop_assert!(path.starts_with("/api/v1/user_uploads/"), "{}", path);
            prop_assert_eq!(path.matches('/').count(), 4 + endpoint.path().segments().len());
            prop_assert!(uri.query().is_none());
        }
    }

    #[test]
    fn no_panic_on_any_body(body in prop::collection::vec(any::<u8>(), 0..128), status in 100u16..600) {
        let response = http::Response::builder().status(status).body(body).unwrap();
        let _ = GetFileTemporaryUrlResponse::try_from_http_response(&response, &ResponseContext::new());
    }
}
