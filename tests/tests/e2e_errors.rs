//! Server errors over real TCP, typed by `zulip-types` through `zulip-hyper`: authentication
//! failures, deactivated users and organizations per feature level, HTML pages from Django and
//! nginx, the JSON 405, a 2xx that is really an error, a success body that is not JSON.

use zulip_hyper::Error;
use zulip_hyper::zulip_types::{
    Authentication, Credentials, ErrorBody, ErrorCode, GetAttachments, ServerError,
};
use zulip_test_server::{Mode, Preset, RawResponse, Realm, ServerConfig, TestServer, User, wire};
use zulip_tests::{API_KEY, EMAIL, assert_no_secret, client, user};

fn server(preset: Preset) -> TestServer {
    TestServer::start(ServerConfig::preset(preset).user(user()))
}

async fn server_error(client: &zulip_hyper::Client) -> ServerError {
    match client.send(&GetAttachments::new()).await {
        Err(Error::Server(error)) => error,
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[tokio::test]
async fn authentication_failures_are_401_with_www_authenticate() {
    // A well-formed wrong key, a malformed key, an unknown email; with and without codes.
    let cases = [
        (EMAIL, "0123456789abcdefghijABCDEFGHIJ01", "Invalid API key"),
        (EMAIL, "short-key", "Malformed API key"),
        ("nobody@zulip.com", API_KEY, "Invalid API key"),
    ];
    for preset in [Preset::Zulip3_0, Preset::Zulip9_0, Preset::Zulip12_0] {
        let server = server(preset);
        for (email, key, msg) in cases {
            let client = zulip_hyper::Client::builder()
                .site(server.site())
                .credentials(Credentials::new(email, key))
                .build()
                .unwrap();
            let error = server_error(&client).await;
            let context = format!("{preset:?} {email} {msg}");
            assert_eq!(error.status(), 401, "{context}");
            assert_eq!(error.msg(), Some(msg), "{context}");
            assert_eq!(error.www_authenticate(), Some("Basic realm=\"zulip\""));
            // Codes everywhere from feature level 76.
            let code = (preset != Preset::Zulip3_0).then_some(&ErrorCode::InvalidApiKey);
            assert_eq!(error.code(), code, "{context}");
            assert!(!error.is_rate_limited());
            let shown = format!("{error} {error:?} {}", Error::Server(error.clone()));
            assert_no_secret(&shown, "the error");
            assert!(!shown.contains(key), "{context}: the error shows the key");
        }
    }
}

#[tokio::test]
async fn deactivated_users_and_organizations_per_feature_level() {
    for (preset, status, coded) in [
        (Preset::Zulip2_1, 403, false),
        (Preset::Zulip3_0, 403, false),
        (Preset::Zulip9_0, 401, true),
        (Preset::Zulip12_0, 401, true),
    ] {
        let server = TestServer::start(
            ServerConfig::preset(preset)
                .user(user().deactivated())
                .realm(Realm::new(3, "old").deactivated())
                .user(
                    User::new("othello@zulip.com", "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6").in_realm(3),
                ),
        );
        let deactivated_user = client(&server).build().unwrap();
        let error = server_error(&deactivated_user).await;
        assert_eq!(error.status(), status, "{preset:?}");
        assert_eq!(error.msg(), Some("Account is deactivated"));
        let code = coded.then_some(&ErrorCode::UserDeactivated);
        assert_eq!(error.code(), code, "{preset:?}");
        assert_eq!(
            error.www_authenticate().is_some(),
            status == 401,
            "{preset:?}"
        );

        let deactivated_realm = zulip_hyper::Client::builder()
            .site(server.site())
            .credentials(Credentials::new(
                "othello@zulip.com",
                "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6",
            ))
            .build()
            .unwrap();
        let error = server_error(&deactivated_realm).await;
        assert_eq!(error.status(), status, "{preset:?}");
        assert_eq!(error.msg(), Some("This organization has been deactivated"));
        let code = coded.then_some(&ErrorCode::RealmDeactivated);
        assert_eq!(error.code(), code, "{preset:?}");

        // Reactivated, the same client works.
        assert!(server.set_user_active(EMAIL, true));
        assert!(deactivated_user.send(&GetAttachments::new()).await.is_ok());
    }
}

#[tokio::test]
async fn html_pages_arrive_as_typed_server_errors() {
    let server = server(Preset::Zulip12_0);
    let client = client(&server).build().unwrap();
    for (raw, status, page) in [
        (
            RawResponse::html(404, wire::NOT_FOUND_HTML),
            404,
            wire::NOT_FOUND_HTML,
        ),
        (RawResponse::nginx_413(), 413, wire::NGINX_413_HTML),
        (RawResponse::nginx_502(), 502, wire::NGINX_502_HTML),
        (RawResponse::nginx_504(), 504, wire::NGINX_504_HTML),
    ] {
        server.set_mode(Mode::Raw(raw));
        let error = server_error(&client).await;
        assert_eq!(error.status(), status);
        assert_eq!(error.content_type(), Some("text/html"));
        assert_eq!(error.raw_body(), Some(page.as_bytes()));
        assert!(matches!(error.body(), ErrorBody::NotJson(_)));
        assert_eq!((error.code(), error.msg()), (None, None));
        assert_eq!(
            error.to_string(),
            format!(
                "server error {} with a non-JSON body ({} bytes, text/html)",
                http::StatusCode::from_u16(status).unwrap(),
                page.len()
            )
        );
    }

    // Django's own 404 for a route that does not exist, through the escape hatch.
    server.set_mode(Mode::Normal);
    let raw = client
        .request(
            http::Method::GET,
            "/no_such_endpoint",
            Authentication::Basic,
            None,
        )
        .await
        .unwrap();
    let error = ServerError::from_response(&raw);
    assert_eq!(error.status(), 404);
    assert_eq!(error.raw_body(), Some(wire::NOT_FOUND_HTML.as_bytes()));
    assert_eq!(
        server.last_request().unwrap().path_and_query,
        "/api/v1/no_such_endpoint"
    );
}

#[tokio::test]
async fn json_errors_without_the_usual_shape_or_status() {
    let server = server(Preset::Zulip12_0);
    let client = client(&server).build().unwrap();

    // The 405 has no code, and lists the allowed methods.
    let raw = client
        .request(
            http::Method::POST,
            "/attachments",
            Authentication::Basic,
            None,
        )
        .await
        .unwrap();
    let error = client
        .parse_response::<zulip_hyper::zulip_types::GetAttachmentsResponse>(&raw)
        .unwrap_err();
    let error = error.as_server().unwrap();
    assert_eq!(error.status(), 405);
    assert_eq!(error.code(), None);
    assert_eq!(error.msg(), Some("Method Not Allowed"));
    assert_eq!(
        error.extra("allowed_methods"),
        Some(&serde_json::json!(["GET"]))
    );

    // A 200 whose body says error is an error.
    server.set_mode(Mode::Raw(RawResponse::json(
        200,
        r#"{"result":"error","msg":"Something odd","code":"BAD_REQUEST"}"#,
    )));
    let error = server_error(&client).await;
    assert_eq!(error.status(), 200);
    assert_eq!(error.code(), Some(&ErrorCode::BadRequest));

    // A 200 that is not JSON is a parse error that keeps the body.
    server.set_mode(Mode::Raw(RawResponse::html(200, "<html>login</html>")));
    match client.send(&GetAttachments::new()).await {
        Err(Error::Parse(error)) => {
            assert_eq!(error.status(), 200);
            assert_eq!(error.content_type(), Some("text/html"));
            assert_eq!(error.body(), Some(&b"<html>login</html>"[..]));
        }
        other => panic!("{other:?}"),
    }

    // A code this workspace does not know yet is kept as its wire string.
    server.set_mode(Mode::Raw(RawResponse::json(
        400,
        r#"{"result":"error","msg":"New","code":"SOMETHING_NEW","detail":1}"#,
    )));
    let error = server_error(&client).await;
    assert_eq!(
        error.code().map(ToString::to_string).as_deref(),
        Some("SOMETHING_NEW")
    );
    assert_eq!(error.extra("detail"), Some(&serde_json::json!(1)));
}
