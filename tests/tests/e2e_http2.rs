//! HTTP/2 through ALPN against the shared test server. Built only with this package's `http2`
//! feature, which enables zulip-hyper's (`required-features` in `tests/Cargo.toml`):
//!
//! ```sh
//! cargo test -p zulip-tests --features http2 --test e2e_http2
//! ```

use zulip_hyper::zulip_types::GetAttachments;
use zulip_test_server::{Preset, ServerConfig, TestServer, TlsOptions};
use zulip_tests::{
    assert_authenticated_as_test_user, client, expected_fixture, fixture_attachments, rows, user,
};

fn https(options: TlsOptions) -> (TestServer, tempfile::TempDir, std::path::PathBuf) {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(user().with_attachments(fixture_attachments()))
            .tls(options),
    );
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    server.write_ca_cert_pem(&bundle).unwrap();
    (server, dir, bundle)
}

#[tokio::test]
async fn http2_is_negotiated_through_alpn_and_multiplexes_one_connection() {
    let (server, _dir, bundle) = https(TlsOptions::default());
    let client = client(&server).cert_bundle(&bundle).build().unwrap();
    let request = GetAttachments::new();
    // The first request establishes the connection; concurrent ones then share it.
    let first = client.send(&request).await.unwrap();
    let (a, b, c) = tokio::join!(
        client.send(&request),
        client.send(&request),
        client.send(&request)
    );
    for response in [Ok(first), a, b, c] {
        assert_eq!(
            rows(&response.unwrap()),
            expected_fixture(Preset::Zulip12_0).0
        );
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(request.version, "HTTP/2.0");
        assert_eq!(request.path_and_query, "/api/v1/attachments");
        assert_eq!(request.accept(), Some("application/json"));
        assert_authenticated_as_test_user(request);
    }
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn http1_when_either_side_does_not_offer_h2() {
    // The client switched off.
    let (server, _dir, bundle) = https(TlsOptions::default());
    let h1_client = client(&server)
        .cert_bundle(&bundle)
        .http2(false)
        .build()
        .unwrap();
    h1_client.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(server.last_request().unwrap().version, "HTTP/1.1");

    // The server offers only http/1.1.
    let (server, _dir, bundle) = https(TlsOptions {
        require_client_cert: false,
        http2: false,
    });
    let h2_client = client(&server).cert_bundle(&bundle).build().unwrap();
    h2_client.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(server.last_request().unwrap().version, "HTTP/1.1");
}
