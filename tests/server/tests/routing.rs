//! Routing realism: HTML 404, JSON 405, HEAD, server_settings per version and realm, malformed
//! requests, request-body cap, request log.

mod common;

use common::{Conn, get_as, request};
use zulip_test_server::{Preset, Realm, ServerConfig, TestServer, User, wire};

#[test]
fn unknown_routes_are_404_html() {
    let server = TestServer::start(ServerConfig::default().user(User::new("a@b.c", "k")));
    for target in [
        "/",
        "/api/v1/nope",
        "/api/v1/attachments/",
        "/api/v1/attachments/abc",
        "/api/v2/attachments",
        "/api/v1/attachments/1/x",
    ] {
        let response = request(&server, "GET", target, &[]);
        assert_eq!(response.status, 404, "{target}");
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(response.text().starts_with("<!DOCTYPE html>"), "{target}");
        assert_eq!(response.text(), wire::NOT_FOUND_HTML);
    }
    // Authenticated or not, it is still the HTML page.
    assert_eq!(get_as(&server, "/api/v1/nope", "a@b.c", "k").status, 404);
}

#[test]
fn wrong_method_is_405_json_without_code() {
    let server = TestServer::start(ServerConfig::preset(Preset::Zulip12_0));
    for (method, target) in [
        ("POST", "/api/v1/attachments"),
        ("DELETE", "/api/v1/attachments"),
        ("PATCH", "/api/v1/server_settings"),
    ] {
        let response = request(&server, method, target, &[]);
        assert_eq!(response.status, 405);
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("allow"), Some("GET"));
        assert_eq!(
            response.text(),
            "{\"result\":\"error\",\"msg\":\"Method Not Allowed\",\"allowed_methods\":[\"GET\"]}\n"
        );
    }
}

#[test]
fn head_is_answered_like_get_without_body() {
    let server = TestServer::start(ServerConfig::default());
    let mut conn = Conn::connect(server.addr());
    let head = conn
        .request("HEAD", "/api/v1/server_settings", &[], b"")
        .expect("response");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // The connection is still usable: no stray body bytes were sent.
    let get = conn
        .request("GET", "/api/v1/server_settings", &[], b"")
        .expect("response");
    assert_eq!(get.status, 200);
    assert_eq!(head.header("content-length"), get.header("content-length"));
}

#[test]
fn server_settings_of_a_2_1_server() {
    let server = TestServer::start(ServerConfig::preset(Preset::Zulip2_1));
    let response = request(&server, "GET", "/api/v1/server_settings", &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let expected = format!(
        concat!(
            r#"{{"result":"success","msg":"","#,
            r#""authentication_methods":{{"password":true,"dev":true,"email":true,"ldap":false,"remoteuser":false,"github":true,"azuread":false,"google":true,"saml":true}},"#,
            r#""zulip_version":"2.1.7","push_notifications_enabled":false,"is_incompatible":false,"#,
            r#""email_auth_enabled":true,"require_email_format_usernames":true,"#,
            r#""realm_uri":"http:\/\/127.0.0.1:{port}","realm_name":"Zulip Dev","#,
            r#""realm_icon":"https:\/\/secure.gravatar.com\/avatar\/62429d594b6ffc712f54aee976a18b44?d=identicon","#,
            r#""realm_description":"<p>The Zulip development environment default organization.  It's great for testing!<\/p>","#,
            r#""external_authentication_methods":["#,
            r#"{{"name":"saml:idp_name","display_name":"SAML","display_icon":null,"login_url":"\/accounts\/login\/social\/saml\/idp_name","signup_url":"\/accounts\/register\/social\/saml\/idp_name"}},"#,
            r#"{{"name":"google","display_name":"Google","display_icon":"\/static\/images\/authentication_backends\/googl_e-icon.png","login_url":"\/accounts\/login\/social\/google","signup_url":"\/accounts\/register\/social\/google"}},"#,
            r#"{{"name":"github","display_name":"GitHub","display_icon":"\/static\/images\/authentication_backends\/github-icon.png","login_url":"\/accounts\/login\/social\/github","signup_url":"\/accounts\/register\/social\/github"}}]}}"#,
            "\n"
        ),
        port = server.port()
    );
    assert_eq!(response.text(), expected);
}

#[test]
fn server_settings_fields_follow_the_feature_level() {
    for preset in Preset::ALL {
        let server = TestServer::start(ServerConfig::preset(preset));
        let json = request(&server, "GET", "/api/v1/server_settings", &[]).json();
        assert_eq!(json["result"], "success");
        assert_eq!(json["zulip_version"], preset.zulip_version(), "{preset:?}");
        match preset.feature_level() {
            Some(level) => assert_eq!(json["zulip_feature_level"], level, "{preset:?}"),
            None => assert!(json.get("zulip_feature_level").is_none(), "{preset:?}"),
        }
        let level = preset.feature_level().unwrap_or(0);
        assert_eq!(json.get("realm_url").is_some(), level >= 257, "{preset:?}");
        assert_eq!(
            json.get("zulip_merge_base").is_some(),
            level >= 88,
            "{preset:?}"
        );
        assert_eq!(json["realm_uri"], server.url(), "{preset:?}");
        if level >= 257 {
            assert_eq!(json["realm_url"], server.url());
        }
    }
}

#[test]
fn server_settings_on_a_root_domain_omit_realm_fields() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .without_realms()
            .realm(Realm::new(5, "chat").named("Chat")),
    );
    let root = request(&server, "GET", "/api/v1/server_settings", &[]).json();
    for key in [
        "realm_uri",
        "realm_url",
        "realm_name",
        "realm_icon",
        "realm_description",
    ] {
        assert!(root.get(key).is_none(), "{key}");
    }
    assert_eq!(root["zulip_feature_level"], 478);
    let host = format!("chat.localhost:{}", server.port());
    let sub = request(
        &server,
        "GET",
        "/api/v1/server_settings",
        &[("Host", host.as_str())],
    )
    .json();
    assert_eq!(sub["realm_name"], "Chat");
    assert_eq!(sub["realm_url"], format!("http://{host}"));
}

#[test]
fn server_settings_report_ignored_parameters_from_fl_167() {
    let server = TestServer::start(ServerConfig::preset(Preset::Zulip9_0));
    let json = request(&server, "GET", "/api/v1/server_settings?b=1&a=2", &[]).json();
    assert_eq!(
        json["ignored_parameters_unsupported"],
        serde_json::json!(["a", "b"])
    );
    let text = request(&server, "GET", "/api/v1/server_settings?b=1", &[]).text();
    assert!(
        text.ends_with(",\"ignored_parameters_unsupported\":[\"b\"]}\n"),
        "{text}"
    );
}

#[test]
fn malformed_requests_get_400_and_the_server_survives() {
    let server = TestServer::start(ServerConfig::default());
    for garbage in [
        &b"NOT HTTP AT ALL\r\n\r\n"[..],
        b"GET /api/v1/server_settings HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"GET /api/v1/server_settings HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
    ] {
        let mut conn = Conn::connect(server.addr());
        conn.send_raw(garbage).expect("send");
        let answer = String::from_utf8_lossy(&conn.read_to_end().expect("read")).into_owned();
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    }
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        200
    );
}

#[test]
fn oversized_request_bodies_get_nginx_413_html() {
    let server = TestServer::start(ServerConfig::default().max_request_body(1024));
    let mut conn = Conn::connect(server.addr());
    let response = conn
        .request("POST", "/api/v1/attachments", &[], &[b'a'; 4096])
        .expect("response");
    assert_eq!(response.status, 413);
    assert_eq!(response.text(), wire::NGINX_413_HTML);
    let logged = server.last_request().expect("logged");
    assert_eq!(logged.body_len, 4096);
    assert!(logged.body.is_empty());

    // Chunked (no declared length) is capped while reading.
    let mut conn = Conn::connect(server.addr());
    let mut raw =
        b"POST /api/v1/attachments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..4 {
        raw.extend_from_slice(b"200\r\n");
        raw.extend_from_slice(&[b'b'; 0x200]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    conn.send_raw(&raw).expect("send");
    assert_eq!(conn.read_response(false).expect("response").status, 413);
}

#[test]
fn requests_are_logged_with_headers_and_body() {
    let server = TestServer::start(
        ServerConfig::default()
            .user(User::new("a@b.c", "k"))
            .log_capacity(3)
            .log_body_bytes(4),
    );
    let mut conn = Conn::connect(server.addr());
    conn.request(
        "POST",
        "/api/v1/attachments?x=1",
        &[
            ("User-Agent", "ZulipRust/0.1"),
            ("Accept", "application/json"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"a=1&b=2",
    )
    .expect("response");
    let record = server.last_request().expect("logged");
    assert_eq!(record.method, "POST");
    assert_eq!(record.path_and_query, "/api/v1/attachments?x=1");
    assert_eq!(record.path(), "/api/v1/attachments");
    assert_eq!(record.query(), Some("x=1"));
    assert_eq!(record.user_agent(), Some("ZulipRust/0.1"));
    assert_eq!(record.accept(), Some("application/json"));
    assert_eq!(record.header("HOST"), Some("127.0.0.1"));
    assert_eq!(record.version, "HTTP/1.1");
    assert_eq!(record.body_len, 7);
    assert_eq!(&record.body[..], b"a=1&");
    assert_eq!(record.connection_id, 1);

    for i in 0..5 {
        conn.request("GET", &format!("/x{i}"), &[], b"")
            .expect("response");
    }
    let paths: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .collect();
    assert_eq!(paths, ["/x2", "/x3", "/x4"]);
    assert_eq!(server.request_count(), 6);
    server.clear_requests();
    assert!(server.requests().is_empty());
    assert_eq!(server.request_count(), 6);
}
