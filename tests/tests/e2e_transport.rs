//! `zulip-hyper` over real TCP against the shared test server: keep-alive, the request the
//! server receives, body caps, timeouts against a server that never answers, redirects not
//! followed, connections refused or closed.

use std::time::Duration;

use zulip_hyper::zulip_types::GetAttachments;
use zulip_hyper::{Error, TimeoutPhase};
use zulip_test_server::{Mode, Preset, RawResponse, ServerConfig, TestServer};
use zulip_tests::{EMAIL, assert_authenticated_as_test_user, client, fixture_attachments, user};

fn server() -> TestServer {
    TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(user().with_attachments(fixture_attachments())),
    )
}

/// Fails instead of hanging when the client never gives up.
async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("the client did not give up within 60 s")
}

#[tokio::test]
async fn requests_reuse_one_kept_alive_connection() {
    let server = server();
    let client = client(&server).build().unwrap();
    for _ in 0..3 {
        client.send(&GetAttachments::new()).await.unwrap();
    }
    // A clone shares the pool.
    client.clone().send(&GetAttachments::new()).await.unwrap();
    assert_eq!(server.connections_accepted(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(
        requests
            .iter()
            .all(|r| r.connection_id == requests[0].connection_id)
    );

    // An error response read whole keeps the connection too.
    server.push_mode(Mode::Raw(RawResponse::nginx_502()));
    assert!(client.send(&GetAttachments::new()).await.is_err());
    client.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(server.connections_accepted(), 1);

    // Without an idle pool every request opens a connection: the counter does count.
    let unpooled = zulip_tests::client(&server)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    unpooled.send(&GetAttachments::new()).await.unwrap();
    unpooled.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(server.connections_accepted(), 3);
    assert_eq!(server.request_count(), 8);
}

#[tokio::test]
async fn the_server_receives_the_request_zulip_types_built() {
    let server = server();
    let default_agent = client(&server).build().unwrap();
    default_agent.send(&GetAttachments::new()).await.unwrap();
    let custom_agent = client(&server)
        .user_agent("attachment-report/1.0 (e2e)")
        .build()
        .unwrap();
    custom_agent.send(&GetAttachments::new()).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path_and_query, "/api/v1/attachments");
        assert_eq!(request.query(), None);
        assert_eq!(request.version, "HTTP/1.1");
        assert_eq!(request.accept(), Some("application/json"));
        assert_eq!(
            request.header("host"),
            Some(format!("127.0.0.1:{}", server.port()).as_str())
        );
        assert_eq!(request.body_len, 0);
        assert_authenticated_as_test_user(request);
    }
    assert_eq!(
        requests[0].user_agent(),
        Some(zulip_hyper::DEFAULT_USER_AGENT)
    );
    assert_eq!(
        zulip_hyper::DEFAULT_USER_AGENT,
        concat!("zulip-hyper/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        requests[1].user_agent(),
        Some("attachment-report/1.0 (e2e)")
    );
    let (email, _) = zulip_tests::basic_credentials(&requests[1]).unwrap();
    assert_eq!(email, EMAIL);
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_before_they_are_read_whole() {
    const MIB: usize = 1024 * 1024;
    let server = server();
    let capped = client(&server)
        .max_body_size(MIB)
        .max_error_body_size(1024)
        .build()
        .unwrap();

    // Declared length over the cap, and a chunked body that grows over it.
    for mode in [
        Mode::big_body(2 * MIB as u64),
        Mode::big_body_chunked(2 * MIB as u64),
    ] {
        server.set_mode(mode.clone());
        match bounded(capped.send(&GetAttachments::new())).await {
            Err(Error::BodyTooLarge { status, limit }) => {
                assert_eq!((status.as_u16(), limit), (200, MIB), "{mode:?}");
            }
            other => panic!("{mode:?}: {other:?}"),
        }
    }

    // Under the cap the body arrives whole (and is no attachment list: a parse error).
    server.set_mode(Mode::big_body_chunked(MIB as u64 - 1));
    let raw = capped.send_unparsed(&GetAttachments::new()).await.unwrap();
    assert_eq!(raw.body().len(), MIB - 1);
    server.set_mode(Mode::big_body(1000));
    match capped.send(&GetAttachments::new()).await {
        Err(Error::Parse(error)) => assert!(error.to_string().contains("attachments"), "{error}"),
        other => panic!("{other:?}"),
    }

    // Error bodies have their own, smaller cap.
    let page = format!("<html><body>{}</body></html>", "x".repeat(2000));
    server.set_mode(Mode::Raw(RawResponse::html(404, page)));
    match capped.send(&GetAttachments::new()).await {
        Err(Error::BodyTooLarge { status, limit }) => {
            assert_eq!((status.as_u16(), limit), (404, 1024));
        }
        other => panic!("{other:?}"),
    }

    // The client stays usable.
    server.set_mode(Mode::Normal);
    let response = capped.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(response.attachments.len(), 3);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = server();
    let limit = Duration::from_millis(700);
    let client = client(&server).request_timeout(limit).build().unwrap();

    server.set_mode(Mode::Hang);
    match bounded(client.send(&GetAttachments::new())).await {
        Err(error @ Error::Timeout { .. }) => {
            assert!(error.is_timeout());
            assert!(
                matches!(error, Error::Timeout { phase: TimeoutPhase::Response, limit: l } if l == limit),
                "{error:?}"
            );
            assert_eq!(error.status(), None);
        }
        other => panic!("{other:?}"),
    }
    // The request did arrive: the server just never answered.
    assert_eq!(server.request_count(), 1);

    // Headers sent, body stalled.
    server.set_mode(Mode::StallBody);
    match bounded(client.send(&GetAttachments::new())).await {
        Err(Error::Timeout { phase, limit: l }) => {
            assert_eq!((phase, l), (TimeoutPhase::Body, limit));
        }
        other => panic!("{other:?}"),
    }

    // A longer limit on a handle of the same client is enough for a slow answer.
    server.set_mode(Mode::Delay(Duration::from_millis(100)));
    let patient = client.with_request_timeout(Duration::from_secs(20));
    assert_eq!(
        patient
            .send(&GetAttachments::new())
            .await
            .unwrap()
            .attachments
            .len(),
        3
    );
}

#[tokio::test]
async fn redirects_are_never_followed() {
    let elsewhere = server();
    let server = server();
    let client = client(&server).build().unwrap();
    for status in [301, 302, 307, 308] {
        server.set_mode(Mode::Redirect {
            status,
            target: elsewhere.url(),
            keep_path: true,
        });
        match client.send(&GetAttachments::new()).await {
            Err(Error::Server(error)) => {
                assert_eq!(error.status().as_u16(), status);
                assert_eq!(
                    error.location(),
                    Some(format!("{}/api/v1/attachments", elsewhere.url()).as_str())
                );
            }
            other => panic!("{status}: {other:?}"),
        }
    }
    assert_eq!(server.request_count(), 4);
    // The credentials never reached the other origin.
    assert_eq!(elsewhere.request_count(), 0);
    assert_eq!(elsewhere.connections_accepted(), 0);
}

#[tokio::test]
async fn refused_and_closed_connections() {
    // A port nobody listens on (bound, then released).
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let nowhere = zulip_hyper::Client::builder()
        .site(format!("http://127.0.0.1:{port}"))
        .credentials(zulip_tests::credentials())
        .build()
        .unwrap();
    match bounded(nowhere.send(&GetAttachments::new())).await {
        Err(Error::Connect(error)) => {
            assert_eq!(
                error.io_error_kind(),
                Some(std::io::ErrorKind::ConnectionRefused)
            );
        }
        other => panic!("{other:?}"),
    }

    let server = server();
    server.set_mode(Mode::Close);
    let client = client(&server).build().unwrap();
    match bounded(client.send(&GetAttachments::new())).await {
        Err(Error::Http(_)) => {}
        other => panic!("{other:?}"),
    }
}
