//! Uploads, temporary URLs, file serving and attachment removal, driven by hand-written HTTP
//! (no zulip-types): each behaviour of WIRE-NOTES' sections for these endpoints.

mod common;

use common::{Conn, Response, basic, get_as, request};
use zulip_test_server::{Preset, ServerConfig, TestServer, User, sample, wire};

const EMAIL: &str = "iago@zulip.com";
const KEY: &str = "key";

fn server(preset: Preset) -> TestServer {
    TestServer::start(
        ServerConfig::preset(preset)
            .user(User::new(EMAIL, KEY))
            .user(User::new("othello@zulip.com", "key2")),
    )
}

/// A multipart body with these `(disposition params, content type, content)` parts.
fn multipart(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (disposition, content_type, content) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n").as_bytes(),
        );
        if let Some(content_type) = content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

fn upload_as(server: &TestServer, email: &str, key: &str, body: &[u8], boundary: &str) -> Response {
    let auth = basic(email, key);
    let content_type = format!("multipart/form-data; boundary={boundary}");
    Conn::connect(server.addr())
        .request(
            "POST",
            "/api/v1/user_uploads",
            &[("Authorization", &auth), ("Content-Type", &content_type)],
            body,
        )
        .expect("response")
}

fn upload(server: &TestServer, name: &str, content: &[u8]) -> Response {
    let disposition = format!("name=\"filename\"; filename=\"{name}\"");
    let body = multipart("XyZ", &[(&disposition, Some("text/plain"), content)]);
    upload_as(server, EMAIL, KEY, &body, "XyZ")
}

#[test]
fn an_upload_answers_uri_url_and_filename_by_feature_level() {
    let cases = [
        (Preset::Zulip2_1, false, false),
        (Preset::Zulip9_0, true, false),
        (Preset::Zulip12_0, true, true),
    ];
    for (preset, has_url, has_filename) in cases {
        let server = server(preset);
        let response = upload(&server, "R%C3%A9sum%C3%A9%20%5B1%5D.txt", b"hello");
        assert_eq!(response.status, 200, "{preset:?}: {}", response.text());
        let json = response.json();
        let uri = json["uri"].as_str().unwrap();
        assert!(uri.starts_with("/user_uploads/2/"), "{uri}");
        assert!(uri.ends_with("/Résumé-1.txt"), "{uri}");
        assert_eq!(json.get("url").is_some(), has_url, "{preset:?}");
        if has_url {
            assert_eq!(json["url"], json["uri"]);
        }
        assert_eq!(json.get("filename").is_some(), has_filename, "{preset:?}");
        if has_filename {
            assert_eq!(json["filename"], "Résumé [1].txt");
        }
        // The new attachment is listed, with the decoded name and its size.
        let listed = get_as(&server, "/api/v1/attachments", EMAIL, KEY).json();
        let attachment = &listed["attachments"][0];
        assert_eq!(attachment["name"], "Résumé [1].txt");
        assert_eq!(
            format!("/user_uploads/{}", attachment["path_id"].as_str().unwrap()),
            uri
        );
        if preset != Preset::Zulip2_1 {
            assert_eq!(attachment["size"], 5);
        }
        let path_id = attachment["path_id"].as_str().unwrap();
        assert_eq!(
            server.uploaded_file(path_id).as_deref(),
            Some(&b"hello"[..])
        );
    }
}

#[test]
fn part_counts_are_checked() {
    let server = server(Preset::Zulip12_0);
    let none = multipart("b", &[("name=\"text\"", None, b"just a field")]);
    let response = upload_as(&server, EMAIL, KEY, &none, "b");
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["msg"], "You must specify a file to upload");
    assert_eq!(response.json()["code"], "BAD_REQUEST");
    let empty_name = multipart("b", &[("name=\"f\"; filename=\"\"", None, b"x")]);
    assert_eq!(
        upload_as(&server, EMAIL, KEY, &empty_name, "b").json()["msg"],
        "You must specify a file to upload"
    );
    let two = multipart(
        "b",
        &[
            ("name=\"a\"; filename=\"a.txt\"", None, b"1"),
            ("name=\"b\"; filename=\"b.txt\"", None, b"2"),
        ],
    );
    let response = upload_as(&server, EMAIL, KEY, &two, "b");
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json()["msg"],
        "You may only upload one file at a time"
    );
    let not_multipart = Conn::connect(server.addr())
        .request(
            "POST",
            "/api/v1/user_uploads",
            &[
                ("Authorization", &basic(EMAIL, KEY)),
                ("Content-Type", "text/plain"),
            ],
            b"hello",
        )
        .unwrap();
    assert_eq!(
        not_multipart.json()["msg"],
        "You must specify a file to upload"
    );
    // A body cut before its closing boundary carries no complete file.
    let mut cut = multipart("b", &[("name=\"f\"; filename=\"a.txt\"", None, b"abc")]);
    cut.truncate(cut.len() - 8);
    assert_eq!(
        upload_as(&server, EMAIL, KEY, &cut, "b").json()["msg"],
        "You must specify a file to upload"
    );
    assert!(
        get_as(&server, "/api/v1/attachments", EMAIL, KEY).json()["attachments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn uploads_need_authentication() {
    let server = server(Preset::Zulip12_0);
    let body = multipart("b", &[("name=\"f\"; filename=\"a.txt\"", None, b"abc")]);
    let response = upload_as(&server, EMAIL, "wrong", &body, "b");
    assert_eq!(response.status, 401);
    assert_eq!(response.json()["code"], "INVALID_API_KEY");
}

#[test]
fn size_limit_quota_and_proxy_limit() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new(EMAIL, KEY))
            .max_file_upload_size_mib(1)
            .upload_quota(Some(1_500_000))
            .max_request_body(3 * 1024 * 1024),
    );
    let big = vec![b'a'; 1024 * 1024 + 1];
    let response = upload(&server, "big.bin", &big);
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json()["msg"],
        "Uploaded file is larger than the allowed limit of 1 MiB"
    );
    assert_eq!(response.json()["code"], "BAD_REQUEST");
    assert_eq!(upload(&server, "a.bin", &vec![b'a'; 1_000_000]).status, 200);
    let response = upload(&server, "b.bin", &vec![b'b'; 600_000]);
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["code"], "REALM_UPLOAD_QUOTA");
    assert_eq!(
        response.json()["msg"],
        "Upload would exceed your organization's upload quota."
    );
    // Over the proxy's limit: nginx's HTML 413, whether the length is declared or not.
    let huge = vec![b'c'; 3 * 1024 * 1024 + 10];
    let response = upload(&server, "huge.bin", &huge);
    assert_eq!(response.status, 413);
    assert_eq!(response.text(), wire::NGINX_413_HTML);
    let mut conn = Conn::connect(server.addr());
    let mut raw = format!(
        "POST /api/v1/user_uploads HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n",
        basic(EMAIL, KEY)
    )
    .into_bytes();
    for _ in 0..4 {
        raw.extend_from_slice(b"100000\r\n");
        raw.extend_from_slice(&vec![b'd'; 0x100000]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    conn.send_raw(&raw).unwrap();
    assert_eq!(conn.read_response(false).unwrap().status, 413);
    assert_eq!(server.last_request().unwrap().body_len, 4 * 0x100000);
}

#[test]
fn before_feature_level_76_errors_have_no_code() {
    let server = server(Preset::Zulip3_0);
    let none = multipart("b", &[("name=\"text\"", None, b"x")]);
    let json = upload_as(&server, EMAIL, KEY, &none, "b").json();
    assert_eq!(json["msg"], "You must specify a file to upload");
    assert!(json.get("code").is_none(), "{json}");
}

fn temporary(server: &TestServer, path_id: &str, email: &str, key: &str) -> Response {
    get_as(
        server,
        &format!("/api/v1/user_uploads/{path_id}"),
        email,
        key,
    )
}

#[test]
fn temporary_urls_serve_the_bytes_without_authentication() {
    let server = server(Preset::Zulip12_0);
    let uri = upload(&server, "hello%20world.txt", b"hello, world").json()["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let path_id = uri.strip_prefix("/user_uploads/").unwrap();
    assert!(path_id.ends_with("/hello-world.txt"), "{path_id}");
    let response = temporary(&server, path_id, EMAIL, KEY);
    assert_eq!(response.status, 200, "{}", response.text());
    let url = response.json()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/user_uploads/temporary/"), "{url}");
    assert!(url.ends_with("/hello-world.txt"), "{url}");
    let file = request(&server, "GET", &url, &[]);
    assert_eq!(file.status, 200);
    assert_eq!(file.body, b"hello, world");
    assert_eq!(file.header("content-type"), Some("text/plain"));
    // A wrong basename or token is Zulip's JSON 400.
    let wrong = url.replace("hello-world.txt", "other.txt");
    assert_eq!(
        request(&server, "GET", &wrong, &[]).json()["msg"],
        "Invalid filename"
    );
    let bad = request(
        &server,
        "GET",
        "/user_uploads/temporary/ABCD/hello-world.txt",
        &[],
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["msg"], "Invalid token");
}

#[test]
fn temporary_urls_expire() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new(EMAIL, KEY))
            .temporary_url_lifetime(std::time::Duration::from_millis(50)),
    );
    let uri = upload(&server, "a.txt", b"a").json()["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = temporary(
        &server,
        uri.strip_prefix("/user_uploads/").unwrap(),
        EMAIL,
        KEY,
    )
    .json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(server.live_temporary_urls(), 1);
    std::thread::sleep(std::time::Duration::from_millis(120));
    assert_eq!(server.live_temporary_urls(), 0);
    assert_eq!(
        request(&server, "GET", &url, &[]).json()["msg"],
        "Invalid token"
    );
}

#[test]
fn temporary_url_refusals_are_html() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new(EMAIL, KEY).with_attachments(sample::user_attachments(1)))
            .user(User::new("othello@zulip.com", "key2"))
            .user(User::new("polonius@zulip.com", "key3").in_realm(3)),
    );
    let attachments = server.attachments(EMAIL).unwrap();
    let unsent = attachments.iter().find(|a| a.messages.is_empty()).unwrap();
    let sent = attachments.iter().find(|a| !a.messages.is_empty()).unwrap();
    // Missing: 404 HTML.
    let missing = temporary(&server, "2/ab/nothing/here.txt", EMAIL, KEY);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.text(), "<p>File not found.</p>");
    assert!(
        missing
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    // Not the owner and never sent: 403 HTML.
    let forbidden = temporary(&server, &unsent.path_id, "othello@zulip.com", "key2");
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.text(),
        "<p>You are not authorized to view this file.</p>"
    );
    // Sent in a message: readable by the realm, not by another realm.
    assert_eq!(
        temporary(&server, &sent.path_id, "othello@zulip.com", "key2").status,
        200
    );
    assert_eq!(
        temporary(&server, &sent.path_id, "polonius@zulip.com", "key3").status,
        403
    );
    // The owner gets a URL; the configured attachment has no bytes to serve.
    let url = temporary(&server, &unsent.path_id, EMAIL, KEY).json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(request(&server, "GET", &url, &[]).status, 404);
    // A realm part that is neither digits nor `unk` hits no route.
    let no_route = temporary(&server, "x/ab/c.txt", EMAIL, KEY);
    assert_eq!(no_route.status, 404);
    assert_eq!(no_route.text(), wire::NOT_FOUND_HTML);
}

#[test]
fn before_feature_level_1_the_route_serves_the_file_itself() {
    let server = server(Preset::Zulip2_1);
    let uri = upload(&server, "a.txt", b"old style").json()["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = temporary(
        &server,
        uri.strip_prefix("/user_uploads/").unwrap(),
        EMAIL,
        KEY,
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"old style");
}

#[test]
fn removal_checks_the_owner() {
    let server = server(Preset::Zulip12_0);
    upload(&server, "a.txt", b"a");
    let listed = get_as(&server, "/api/v1/attachments", EMAIL, KEY).json();
    let id = listed["attachments"][0]["id"].as_u64().unwrap();
    let path_id = listed["attachments"][0]["path_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let delete = |email: &str, key: &str, target: &str| {
        request(
            &server,
            "DELETE",
            target,
            &[("Authorization", &basic(email, key))],
        )
    };
    let target = format!("/api/v1/attachments/{id}");
    // Not the owner: the same answer as a missing attachment.
    let other = delete("othello@zulip.com", "key2", &target);
    assert_eq!(other.status, 400);
    assert_eq!(
        other.text(),
        "{\"result\":\"error\",\"msg\":\"Invalid attachment\",\"code\":\"BAD_REQUEST\"}\n"
    );
    let ok = delete(EMAIL, KEY, &target);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.text(), "{\"result\":\"success\",\"msg\":\"\"}\n");
    assert_eq!(server.uploaded_file(&path_id), None);
    assert_eq!(
        delete(EMAIL, KEY, &target).json()["msg"],
        "Invalid attachment"
    );
    assert_eq!(
        delete(EMAIL, KEY, "/api/v1/attachments/99999999999999999999999").json()["msg"],
        "Invalid attachment"
    );
    let html = delete(EMAIL, KEY, "/api/v1/attachments/abc");
    assert_eq!(html.status, 404);
    assert_eq!(html.text(), wire::NOT_FOUND_HTML);
    assert_eq!(
        get_as(&server, "/api/v1/attachments", EMAIL, KEY).json()["attachments"],
        serde_json::json!([])
    );
}

#[test]
fn large_uploads_are_stored_whole_and_logged_by_their_first_bytes() {
    // 8 MiB: stored byte for byte, while the log keeps only the first bytes.
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new(EMAIL, KEY))
            .log_body_bytes(64),
    );
    let content: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let response = upload(&server, "big.bin", &content);
    assert_eq!(response.status, 200, "{}", response.text());
    let logged = server.last_request().unwrap();
    assert_eq!(logged.body.len(), 64);
    assert!(logged.body_len > content.len() as u64);
    let path_id = response.json()["uri"].as_str().unwrap()["/user_uploads/".len()..].to_owned();
    assert_eq!(server.uploaded_file(&path_id).unwrap(), content);
}
