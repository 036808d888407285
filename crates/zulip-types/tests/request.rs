//! The request `GET /attachments` puts on the wire.

use zulip_types::{
    BuildError, Credentials, DEFAULT_USER_AGENT, Endpoint, GetAttachments, RequestContext, Site,
    redacted,
};

/// The spec's example credentials (`ApiKeyResponse` example in zulip.yaml).
const EMAIL: &str = "iago@zulip.com";
const API_KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

fn context(site: &str) -> RequestContext {
    RequestContext::new(Site::parse(site).unwrap())
        .with_credentials(Credentials::new(EMAIL, API_KEY))
        .with_user_agent("zulip-types-tests/1.0 (snapshot)")
        .unwrap()
}

#[test]
fn request_snapshot() {
    let request = GetAttachments::new()
        .try_into_http_request(&context("chat.example.com"))
        .unwrap();
    let rendered = redacted(&request).to_string();
    assert!(!rendered.contains(API_KEY), "{rendered}");
    insta::assert_snapshot!("get_attachments_request", rendered);
}

#[test]
fn request_is_a_bodiless_get_with_basic_auth_and_json_accept() {
    let request = GetAttachments::new()
        .try_into_http_request(&context("https://chat.example.com/"))
        .unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.uri().to_string(),
        "https://chat.example.com/api/v1/attachments"
    );
    assert!(request.body().is_empty());
    let headers = request.headers();
    assert_eq!(headers["accept"], "application/json");
    // `base64("iago@zulip.com:gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv")`, computed with coreutils' base64.
    assert_eq!(
        headers["authorization"],
        "Basic aWFnb0B6dWxpcC5jb206Z2pBMDRaWWNxWEthbHZZTUE4T2VYU2Z6VU9McnRiWnY="
    );
    assert!(headers["authorization"].is_sensitive());
    assert!(headers.get("content-type").is_none());
    assert_eq!(headers.len(), 3, "{headers:?}");
}

#[test]
fn default_user_agent_is_crate_name_slash_version() {
    let context = RequestContext::new(Site::parse("chat.example.com").unwrap())
        .with_credentials(Credentials::new(EMAIL, API_KEY));
    let request = GetAttachments::new()
        .try_into_http_request(&context)
        .unwrap();
    let expected = format!("zulip-types/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(request.headers()["user-agent"], expected.as_str());
    assert_eq!(DEFAULT_USER_AGENT, expected);
}

#[test]
fn endpoints_join_the_site_under_api_v1() {
    // WIRE-NOTES, "Authentication, site, configuration": endpoints are `{site}/api/v1/{path}`.
    let cases = [
        (
            "chat.example.com",
            "https://chat.example.com/api/v1/attachments",
        ),
        ("localhost:9991", "http://localhost:9991/api/v1/attachments"),
        (
            "https://example.com/zulip/",
            "https://example.com/zulip/api/v1/attachments",
        ),
        (
            "https://example.com/zulip/api",
            "https://example.com/zulip/api/v1/attachments",
        ),
        (
            "http://10.0.0.5:8080/api/",
            "http://10.0.0.5:8080/api/v1/attachments",
        ),
    ];
    for (site, uri) in cases {
        let request = GetAttachments::new()
            .try_into_http_request(&context(site))
            .unwrap();
        assert_eq!(request.uri().to_string(), uri, "{site}");
    }
}

#[test]
fn missing_credentials_is_a_build_error_not_a_request() {
    let context = RequestContext::new(Site::parse("chat.example.com").unwrap());
    match GetAttachments::new().try_into_http_request(&context) {
        Err(BuildError::MissingCredentials { endpoint }) => {
            assert_eq!(endpoint, "get-attachments");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_user_agent_with_a_newline_is_refused() {
    let context = RequestContext::new(Site::parse("chat.example.com").unwrap());
    assert!(matches!(
        context.with_user_agent("bot/1.0\r\nX-Injected: 1"),
        Err(BuildError::InvalidHeaderValue { name: "User-Agent" })
    ));
}

#[test]
fn redaction_hides_secret_headers_by_name_and_by_sensitivity() {
    let mut sensitive = http::HeaderValue::from_static("token-in-a-custom-header");
    sensitive.set_sensitive(true);
    let request = http::Request::builder()
        .method("POST")
        .uri("https://chat.example.com/api/v1/messages")
        .header("authorization", "Basic bm90LXNlbnNpdGl2ZQ==")
        .header("cookie", "sessionid=s3cr3t")
        .header("proxy-authorization", "Basic cHJveHk=")
        .header("x-custom-secret", sensitive)
        .header("x-visible", "yes")
        .body(b"type=stream&to=general".to_vec())
        .unwrap();
    assert_eq!(
        redacted(&request).to_string(),
        "POST https://chat.example.com/api/v1/messages\n\
         authorization: <redacted>\n\
         cookie: <redacted>\n\
         proxy-authorization: <redacted>\n\
         x-custom-secret: <redacted>\n\
         x-visible: yes\n\
         \n\
         type=stream&to=general"
    );
    let binary = http::Request::builder()
        .uri("https://chat.example.com/")
        .body(vec![0xff, 0xfe, 0x00])
        .unwrap();
    assert_eq!(
        redacted(&binary).to_string(),
        "GET https://chat.example.com/\n\n<3 bytes of binary body>"
    );
}
