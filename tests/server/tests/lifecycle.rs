//! Start, keep-alive, connection limits, threads, shutdown.

mod common;

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::{Conn, get_as, request};
use zulip_test_server::{DEMO_API_KEY, DEMO_EMAIL, ServerConfig, TestServer, User};

#[test]
fn the_handle_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TestServer>();
    assert_send_sync::<ServerConfig>();
}

#[test]
fn silent_mode_accepts_but_never_reads() {
    let server = TestServer::start(ServerConfig::default());
    server.set_silent(true);
    let mut conn = Conn::connect(server.addr());
    conn.set_read_timeout(Duration::from_millis(200));
    conn.send("GET", "/api/v1/server_settings", &[], b"")
        .expect("send");
    assert!(conn.read_response(false).is_err());
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.request_count(), 0);
    server.set_silent(false);
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        200
    );
}

#[test]
fn binds_loopback_on_an_ephemeral_port() {
    let a = TestServer::start(ServerConfig::default());
    let b = TestServer::start(ServerConfig::default());
    assert!(a.addr().ip().is_loopback());
    assert_ne!(a.port(), 0);
    assert_ne!(a.port(), b.port());
    assert_eq!(a.url(), format!("http://127.0.0.1:{}", a.port()));
    assert_eq!(a.site(), a.url());
    assert_eq!(
        a.api_url("attachments"),
        format!("http://127.0.0.1:{}/api/v1/attachments", a.port())
    );
}

#[test]
fn shutdown_joins_the_thread_and_releases_the_port() {
    let server = TestServer::start(ServerConfig::default());
    let addr = server.addr();
    let mut idle = Conn::connect(addr);
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        200
    );
    let started = Instant::now();
    server.shutdown();
    // Not a speed check: a shutdown that waited for the idle keep-alive connection would hang.
    assert!(started.elapsed() < Duration::from_secs(30));
    // The idle keep-alive connection was closed …
    assert!(idle.read_to_end().expect("EOF").is_empty());
    // … nothing listens any more, and the port can be bound again.
    assert!(TcpStream::connect(addr).is_err());
    let rebound = TcpListener::bind(addr).expect("port released");
    drop(rebound);
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let addr = {
        let server = TestServer::start(ServerConfig::default());
        server.addr()
    };
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn keep_alive_reuse_is_visible_in_the_connection_count() {
    let server = TestServer::start(ServerConfig::default());
    let mut conn = Conn::connect(server.addr());
    for _ in 0..5 {
        let response = conn
            .request("GET", "/api/v1/server_settings", &[], b"")
            .expect("response");
        assert_eq!(response.status, 200);
    }
    assert_eq!(server.connections_accepted(), 1);
    assert!(server.requests().iter().all(|r| r.connection_id == 1));
    let _ = request(&server, "GET", "/api/v1/server_settings", &[]);
    assert_eq!(server.connections_accepted(), 2);
    assert_eq!(server.last_request().expect("logged").connection_id, 2);
}

#[test]
fn connections_beyond_the_limit_are_closed() {
    let server = TestServer::start(ServerConfig::default().max_connections(2));
    let mut first = Conn::connect(server.addr());
    let mut second = Conn::connect(server.addr());
    first
        .request("GET", "/api/v1/server_settings", &[], b"")
        .expect("first");
    second
        .request("GET", "/api/v1/server_settings", &[], b"")
        .expect("second");
    let mut third = Conn::connect(server.addr());
    let _ = third.send("GET", "/api/v1/server_settings", &[], b"");
    assert!(third.read_response(false).is_err());
    assert_eq!(server.connections_refused(), 1);
    assert_eq!(server.open_connections(), 2);
    drop(first);
    // Wait for the server to notice the closed connection, then there is room again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.open_connections() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        request(&server, "GET", "/api/v1/server_settings", &[]).status,
        200
    );
}

#[test]
fn many_clients_at_once_on_a_multi_threaded_runtime() {
    let server = TestServer::start(
        ServerConfig::default()
            .worker_threads(2)
            .rate_limit(None)
            .user(User::new("a@b.c", "k")),
    );
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..10 {
                    assert_eq!(
                        get_as(&server, "/api/v1/attachments", "a@b.c", "k").status,
                        200
                    );
                }
            });
        }
    });
    assert_eq!(server.request_count(), 80);
    assert_eq!(server.connections_accepted(), 80);
}

#[test]
fn demo_configuration_serves_sample_data() {
    let server = TestServer::start(ServerConfig::demo());
    let response = get_as(&server, "/api/v1/attachments", DEMO_EMAIL, DEMO_API_KEY);
    assert_eq!(response.status, 200);
    let json = response.json();
    assert_eq!(json["attachments"].as_array().map(Vec::len), Some(14));
    assert!(json["attachments"][0].get("message_ids").is_some());
}

#[tokio::test]
async fn usable_from_async_tests() {
    let server = TestServer::start(ServerConfig::default());
    let addr = server.addr();
    let status = tokio::task::spawn_blocking(move || {
        Conn::connect(addr)
            .request("GET", "/api/v1/server_settings", &[], b"")
            .expect("response")
            .status
    })
    .await
    .expect("joined");
    assert_eq!(status, 200);
    // Dropping inside an async context joins the server thread without deadlocking.
    drop(server);
}
