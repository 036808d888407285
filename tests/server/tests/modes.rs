//! Failure modes for transport tests: hang, stall, delay, close, redirect, big body, raw.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::{Conn, request};
use zulip_test_server::{Mode, RawResponse, ServerConfig, TestServer, wire};

fn server() -> TestServer {
    TestServer::start(ServerConfig::default())
}

#[test]
fn hang_accepts_and_never_answers() {
    let server = TestServer::start(ServerConfig::default().mode(Mode::Hang));
    let mut conn = Conn::connect(server.addr());
    conn.set_read_timeout(Duration::from_millis(300));
    conn.send("GET", "/api/v1/server_settings", &[], b"")
        .expect("send");
    let started = Instant::now();
    let error = conn.read_response(false).expect_err("no answer");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(
        server.last_request().expect("logged").path(),
        "/api/v1/server_settings"
    );
    assert_eq!(server.open_connections(), 1);
    // Shutting down closes the hanging connection.
    server.shutdown();
    conn.set_read_timeout(Duration::from_secs(5));
    assert!(conn.read_to_end().expect("EOF").is_empty());
}

#[test]
fn stall_body_sends_headers_then_stops() {
    let server = server();
    server.set_mode(Mode::StallBody);
    let mut conn = Conn::connect(server.addr());
    conn.set_read_timeout(Duration::from_millis(300));
    conn.send("GET", "/api/v1/attachments", &[], b"")
        .expect("send");
    let head = conn.read_head().expect("headers arrive");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    let error = conn
        .read_body(head, false)
        .map(|_| ())
        .expect_err("never completes");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
}

#[test]
fn delay_answers_late() {
    let server = server();
    server.set_mode(Mode::Delay(Duration::from_millis(200)));
    let started = Instant::now();
    let response = request(&server, "GET", "/api/v1/server_settings", &[]);
    assert_eq!(response.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[test]
fn close_drops_the_connection_without_answer() {
    let server = server();
    server.set_mode(Mode::Close);
    let mut conn = Conn::connect(server.addr());
    conn.send("GET", "/api/v1/server_settings", &[], b"")
        .expect("send");
    assert!(conn.read_to_end().expect("EOF").is_empty());
}

#[test]
fn redirect_points_to_another_origin_which_sees_nothing() {
    let target = server();
    let server = server();
    server.set_mode(Mode::redirect(target.url()));
    let response = request(&server, "GET", "/api/v1/attachments?x=1", &[]);
    assert_eq!(response.status, 302);
    assert_eq!(
        response.header("location"),
        Some(format!("{}/api/v1/attachments?x=1", target.url()).as_str())
    );
    assert!(response.body.is_empty());
    assert_eq!(target.request_count(), 0);
    assert_eq!(target.connections_accepted(), 0);

    server.set_mode(Mode::Redirect {
        status: 307,
        target: "https://example.invalid/elsewhere".into(),
        keep_path: false,
    });
    let response = request(&server, "POST", "/api/v1/attachments", &[]);
    assert_eq!(response.status, 307);
    assert_eq!(
        response.header("location"),
        Some("https://example.invalid/elsewhere")
    );
}

#[test]
fn big_body_with_length_is_streamed_exactly() {
    const SIZE: u64 = 8 * 1024 * 1024 + 3;
    let server = server();
    server.set_mode(Mode::big_body(SIZE));
    let response = request(&server, "GET", "/api/v1/attachments", &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("content-length"),
        Some(SIZE.to_string().as_str())
    );
    assert_eq!(response.body.len() as u64, SIZE);
    assert!(
        response
            .body
            .starts_with(br#"{"result":"success","msg":"","padding":"xxx"#)
    );
    assert!(response.body.ends_with(br#"xxx"}"#));
    let json = response.json();
    assert_eq!(json["result"], "success");
}

#[test]
fn big_body_chunked_has_no_length() {
    let server = server();
    server.set_mode(Mode::big_body_chunked(300_000));
    let response = request(&server, "GET", "/api/v1/attachments", &[]);
    assert_eq!(response.header("content-length"), None);
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert_eq!(response.body.len(), 300_000);
    response.json();

    // Tiny sizes are cut, not padded.
    server.set_mode(Mode::big_body(5));
    assert_eq!(request(&server, "GET", "/", &[]).body, b"{\"res");
}

#[test]
fn big_body_can_be_abandoned_early() {
    let server = server();
    server.set_mode(Mode::big_body(1 << 40));
    let mut conn = Conn::connect(server.addr());
    conn.send("GET", "/api/v1/attachments", &[], b"")
        .expect("send");
    let head = conn.read_head().expect("head");
    assert_eq!(head.header("content-length"), Some("1099511627776"));
    drop(conn);
    // The server is not stuck on the abandoned body.
    server.set_mode(Mode::Normal);
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        200
    );
}

#[test]
fn raw_responses_are_sent_verbatim() {
    let server = server();
    for (raw, status, body) in [
        (RawResponse::nginx_413(), 413, wire::NGINX_413_HTML),
        (RawResponse::nginx_502(), 502, wire::NGINX_502_HTML),
        (RawResponse::nginx_504(), 504, wire::NGINX_504_HTML),
    ] {
        server.set_mode(Mode::Raw(raw));
        let response = request(&server, "GET", "/api/v1/attachments", &[]);
        assert_eq!(response.status, status);
        assert_eq!(response.header("content-type"), Some("text/html"));
        assert_eq!(response.header("server"), Some("nginx"));
        assert_eq!(response.text(), body);
    }
    server.set_mode(Mode::Raw(
        RawResponse::json(200, r#"{"result":"weird","msg":""}"#).header("X-Extra", "1"),
    ));
    let response = request(&server, "GET", "/", &[]);
    assert_eq!(response.text(), r#"{"result":"weird","msg":""}"#);
    assert_eq!(response.header("x-extra"), Some("1"));
}

#[test]
fn queued_and_path_modes_take_precedence() {
    let server = server();
    server.set_path_mode("/api/v1/attachments", Mode::Raw(RawResponse::nginx_502()));
    server.push_mode(Mode::Raw(RawResponse::nginx_504()));
    server.push_mode(Mode::Raw(RawResponse::new(204)));
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        504
    );
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        204
    );
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        200
    );
    assert_eq!(
        request(&server, "GET", "/api/v1/attachments", &[]).status,
        502
    );
    server.reset_modes();
    assert_eq!(
        request(&server, "GET", "/api/v1/attachments", &[]).status,
        401
    );
}
