//! HTTP Basic authentication and its failure shapes per feature level (WIRE-NOTES "Errors").

mod common;

use common::{base64, basic, get_as, request};
use zulip_test_server::{Preset, Realm, ServerConfig, TestServer, User};

const EMAIL: &str = "iago@zulip.com";
const KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

fn server(preset: Preset) -> TestServer {
    TestServer::start(
        ServerConfig::preset(preset)
            .user(User::new(EMAIL, KEY))
            .user(User::new("gone@zulip.com", "gone-key").deactivated())
            .realm(Realm::new(3, "dead").deactivated())
            .user(User::new("ghost@dead.example", "dead-key").in_realm(3)),
    )
}

fn get_with(server: &TestServer, authorization: Option<&str>) -> common::Response {
    match authorization {
        Some(value) => request(
            server,
            "GET",
            "/api/v1/attachments",
            &[("Authorization", value)],
        ),
        None => request(server, "GET", "/api/v1/attachments", &[]),
    }
}

fn assert_error(response: &common::Response, status: u16, body: &str, www_authenticate: bool) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.text(), format!("{body}\n"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("www-authenticate"),
        www_authenticate.then_some("Basic realm=\"zulip\"")
    );
    assert_eq!(response.header("x-ratelimit-limit"), None);
}

#[test]
fn test_client_base64() {
    assert_eq!(base64(b"iago@zulip.com:key"), "aWFnb0B6dWxpcC5jb206a2V5");
    assert_eq!(base64(b"a"), "YQ==");
    assert_eq!(base64(b"ab"), "YWI=");
}

#[test]
fn valid_credentials_succeed_and_email_is_case_insensitive() {
    let server = server(Preset::Zulip9_0);
    assert_eq!(
        get_as(&server, "/api/v1/attachments", EMAIL, KEY).status,
        200
    );
    assert_eq!(
        get_as(&server, "/api/v1/attachments", "IAGO@Zulip.com", KEY).status,
        200
    );
    let logged = server.last_request().expect("logged");
    assert_eq!(
        logged.authorization(),
        Some(basic("IAGO@Zulip.com", KEY).as_str())
    );
}

#[test]
fn missing_or_garbled_authorization_is_401_unauthorized() {
    let server = server(Preset::Zulip9_0);
    assert_error(
        &get_with(&server, None),
        401,
        r#"{"result":"error","msg":"Missing authorization header for basic auth","code":"UNAUTHORIZED"}"#,
        true,
    );
    let no_colon = format!("Basic {}", base64(b"no-colon-here"));
    let two_colons = format!("Basic {}", base64(b"a:b:c"));
    let not_utf8 = format!("Basic {}", base64(&[0xff, b':', 0xfe]));
    for garbled in [
        "Basic",
        "Basic !!!!",
        "Basic aWFnbw",
        "Basic YQ== extra",
        no_colon.as_str(),
        two_colons.as_str(),
        not_utf8.as_str(),
    ] {
        assert_error(
            &get_with(&server, Some(garbled)),
            401,
            r#"{"result":"error","msg":"Invalid authorization header for basic auth","code":"UNAUTHORIZED"}"#,
            true,
        );
    }
}

#[test]
fn another_scheme_is_400() {
    let server = server(Preset::Zulip9_0);
    assert_error(
        &get_with(&server, Some("Bearer abc")),
        400,
        r#"{"result":"error","msg":"This endpoint requires HTTP basic authentication.","code":"BAD_REQUEST"}"#,
        false,
    );
}

#[test]
fn wrong_key_or_email_is_401_invalid_api_key() {
    let server = server(Preset::Zulip9_0);
    let invalid = r#"{"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}"#;
    let wrong_key = basic(EMAIL, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    assert_error(&get_with(&server, Some(&wrong_key)), 401, invalid, true);
    let wrong_user = basic("hamlet@zulip.com", KEY);
    assert_error(&get_with(&server, Some(&wrong_user)), 401, invalid, true);
    let malformed = basic(EMAIL, "short");
    assert_error(
        &get_with(&server, Some(&malformed)),
        401,
        r#"{"result":"error","msg":"Malformed API key","code":"INVALID_API_KEY"}"#,
        true,
    );
}

#[test]
fn deactivated_user_is_401_from_fl_76() {
    let server = server(Preset::Zulip9_0);
    let gone = basic("gone@zulip.com", "gone-key");
    assert_error(
        &get_with(&server, Some(&gone)),
        401,
        r#"{"result":"error","msg":"Account is deactivated","code":"USER_DEACTIVATED"}"#,
        true,
    );
    let ghost = basic("ghost@dead.example", "dead-key");
    assert_error(
        &get_with(&server, Some(&ghost)),
        401,
        r#"{"result":"error","msg":"This organization has been deactivated","code":"REALM_DEACTIVATED"}"#,
        true,
    );
    // Reactivation at run time.
    assert!(server.set_user_active("gone@zulip.com", true));
    assert_eq!(get_with(&server, Some(&gone)).status, 200);
    assert!(!server.set_user_active("nobody@zulip.com", true));
}

#[test]
fn before_fl_76_deactivated_is_403_and_errors_have_no_code() {
    for preset in [Preset::Zulip1_6, Preset::Zulip2_1, Preset::Zulip3_0] {
        let server = server(preset);
        let gone = basic("gone@zulip.com", "gone-key");
        let response = get_with(&server, Some(&gone));
        assert_error(
            &response,
            403,
            r#"{"result":"error","msg":"Account is deactivated"}"#,
            false,
        );
        assert_error(
            &get_with(&server, None),
            401,
            r#"{"result":"error","msg":"Missing authorization header for basic auth"}"#,
            true,
        );
        let wrong_key = basic(EMAIL, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        assert_error(
            &get_with(&server, Some(&wrong_key)),
            401,
            r#"{"result":"error","msg":"Invalid API key"}"#,
            true,
        );
    }
}

#[test]
fn users_can_be_added_at_run_time() {
    let server = TestServer::start(ServerConfig::default());
    assert_eq!(
        get_as(&server, "/api/v1/attachments", "new@zulip.com", "k").status,
        401
    );
    server.add_user(User::new("new@zulip.com", "k"));
    assert_eq!(
        get_as(&server, "/api/v1/attachments", "new@zulip.com", "k").status,
        200
    );
}
