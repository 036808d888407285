//! HTTPS against the shared test server: a custom CA bundle accepted (from the builder and from
//! a zuliprc), an unknown CA refused, mutual TLS with `client_cert`/`client_cert_key`, and
//! `insecure`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use zulip_hyper::zulip_types::GetAttachments;
use zulip_hyper::{Client, Config, ConfigOptions, Error};
use zulip_test_server::{ClientIdentity, Preset, ServerConfig, TestServer};
use zulip_tests::{API_KEY, EMAIL, assert_authenticated_as_test_user, client, user};

fn https(config: ServerConfig) -> TestServer {
    let server = TestServer::start(config.user(user()));
    assert!(server.site().starts_with("https://127.0.0.1:"));
    server
}

fn ca_file(server: &TestServer, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    server.write_ca_cert_pem(&path).unwrap();
    path
}

/// A zuliprc for the test user on `server`, with extra `[api]` lines.
fn zuliprc(dir: &Path, server: &TestServer, extra: &str) -> PathBuf {
    let path = dir.join("zuliprc");
    std::fs::write(
        &path,
        format!(
            "[api]\nemail = {EMAIL}\nkey = {API_KEY}\nsite = {}\n{extra}",
            server.site()
        ),
    )
    .unwrap();
    path
}

/// Loads `file` with an empty environment.
fn load(file: &Path) -> Config {
    Config::load_with(ConfigOptions::new().config_file(file), |_: &str| None, None).unwrap()
}

/// The server counts failed handshakes once the client has hung up.
async fn wait_for_handshake_failures(server: &TestServer, at_least: u64) {
    for _ in 0..200 {
        if server.tls_handshake_failures() >= at_least {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the server saw {} failed handshakes, expected at least {at_least}",
        server.tls_handshake_failures()
    );
}

#[tokio::test]
async fn a_custom_ca_bundle_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let server = https(ServerConfig::preset(Preset::Zulip12_0).https());
    let bundle = ca_file(&server, dir.path(), "ca.pem");

    let built = client(&server).cert_bundle(&bundle).build().unwrap();
    assert!(built.send(&GetAttachments::new()).await.is_ok());

    // The same through a zuliprc's `cert_bundle`.
    let file = zuliprc(
        dir.path(),
        &server,
        &format!("cert_bundle = {}\n", bundle.display()),
    );
    let configured = Client::from_config(load(&file)).unwrap();
    assert!(configured.send(&GetAttachments::new()).await.is_ok());

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    requests.iter().for_each(assert_authenticated_as_test_user);
    assert_eq!(server.tls_handshake_failures(), 0);
}

#[tokio::test]
async fn an_unknown_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = https(ServerConfig::preset(Preset::Zulip12_0).https());
    let other = https(ServerConfig::preset(Preset::Zulip12_0).https());
    let wrong_bundle = ca_file(&other, dir.path(), "other-ca.pem");

    // Mozilla's roots (the default), and another server's CA.
    let default_roots = client(&server).build().unwrap();
    let wrong_ca = client(&server).cert_bundle(&wrong_bundle).build().unwrap();
    use zulip_hyper::rustls::{CertificateError, Error as RustlsError};
    for (which, client) in [("default roots", default_roots), ("other CA", wrong_ca)] {
        match client.send(&GetAttachments::new()).await {
            Err(Error::Tls(error)) => match error.tls_error() {
                Some(RustlsError::InvalidCertificate(CertificateError::UnknownIssuer)) => {}
                // Both test CAs have the same name: the other one is found, and its signature
                // does not match.
                Some(RustlsError::InvalidCertificate(CertificateError::BadSignature))
                    if which == "other CA" => {}
                _ => panic!("{which}: {error}"),
            },
            other => panic!("{which}: {other:?}"),
        }
    }
    wait_for_handshake_failures(&server, 2).await;
    // Nothing was sent: no request, so no credentials, reached the server.
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn mutual_tls_with_client_cert_and_client_cert_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = https(ServerConfig::preset(Preset::Zulip12_0).require_client_cert());
    let bundle = ca_file(&server, dir.path(), "ca.pem");
    let identity = server.issue_client_cert("iago").unwrap();
    let (cert, key) = (dir.path().join("client.pem"), dir.path().join("client.key"));
    identity.write_to(&cert, &key).unwrap();
    let combined = dir.path().join("combined.pem");
    std::fs::write(&combined, identity.combined_pem()).unwrap();

    // Certificate and key in two files, from a zuliprc.
    let file = zuliprc(
        dir.path(),
        &server,
        &format!(
            "cert_bundle = {}\nclient_cert = {}\nclient_cert_key = {}\n",
            bundle.display(),
            cert.display(),
            key.display()
        ),
    );
    let two_files = Client::from_config(load(&file)).unwrap();
    assert!(two_files.send(&GetAttachments::new()).await.is_ok());

    // Both in one file, from the builder.
    let one_file = client(&server)
        .cert_bundle(&bundle)
        .client_cert(&combined)
        .build()
        .unwrap();
    assert!(one_file.send(&GetAttachments::new()).await.is_ok());
    assert_eq!(server.request_count(), 2);

    // No certificate, or one the server's CA did not sign: refused before any request.
    let untrusted = ClientIdentity::untrusted("mallory").unwrap();
    let (bad_cert, bad_key) = (dir.path().join("bad.pem"), dir.path().join("bad.key"));
    untrusted.write_to(&bad_cert, &bad_key).unwrap();
    let without = client(&server).cert_bundle(&bundle).build().unwrap();
    let stranger = client(&server)
        .cert_bundle(&bundle)
        .client_cert(&bad_cert)
        .client_cert_key(&bad_key)
        .build()
        .unwrap();
    for (which, client) in [("no certificate", without), ("untrusted", stranger)] {
        // TLS 1.3 reports the refusal after the client's side of the handshake: as a TLS or
        // an HTTP error depending on timing, never as a response.
        match client.send(&GetAttachments::new()).await {
            Err(Error::Tls(_) | Error::Http(_)) => {}
            other => panic!("{which}: {other:?}"),
        }
    }
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn insecure_accepts_any_certificate_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let server = https(ServerConfig::preset(Preset::Zulip9_0).https());
    let file = zuliprc(dir.path(), &server, "insecure = true\n");
    let config = load(&file);
    assert!(config.resolved().insecure);
    let insecure = Client::from_config(config).unwrap();
    assert!(insecure.send(&GetAttachments::new()).await.is_ok());

    let file = zuliprc(dir.path(), &server, "insecure = false\n");
    let secure = Client::from_config(load(&file)).unwrap();
    assert!(matches!(
        secure.send(&GetAttachments::new()).await,
        Err(Error::Tls(_))
    ));
    assert_eq!(server.request_count(), 1);
}

/// Without zulip-hyper's `http2` feature the client offers only HTTP/1.1, even to a server
/// that offers h2 (`e2e_http2.rs` covers the feature).
#[cfg(not(feature = "http2"))]
#[tokio::test]
async fn without_the_http2_feature_tls_speaks_http1() {
    let dir = tempfile::tempdir().unwrap();
    let server = https(ServerConfig::preset(Preset::Zulip12_0).https());
    let bundle = ca_file(&server, dir.path(), "ca.pem");
    let client = client(&server).cert_bundle(&bundle).build().unwrap();
    client.send(&GetAttachments::new()).await.unwrap();
    client.send(&GetAttachments::new()).await.unwrap();
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.version == "HTTP/1.1"));
    assert_eq!(server.connections_accepted(), 1);
}

/// A server that accepts the connection and never completes the TLS handshake: the connect
/// timeout covers the handshake, and the client tells it apart from a slow response.
#[tokio::test]
async fn a_handshake_that_never_completes_is_a_connect_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = https(ServerConfig::preset(Preset::Zulip12_0).https());
    let bundle = ca_file(&server, dir.path(), "ca.pem");
    server.set_silent(true);
    let limit = Duration::from_millis(700);
    let client = client(&server)
        .cert_bundle(&bundle)
        .connect_timeout(limit)
        .build()
        .unwrap();
    let outcome =
        tokio::time::timeout(Duration::from_secs(60), client.send(&GetAttachments::new()))
            .await
            .expect("the client did not give up within 60 s");
    match outcome {
        Err(Error::Timeout { phase, limit: l }) => {
            assert_eq!((phase, l), (zulip_hyper::TimeoutPhase::Connect, limit));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.request_count(), 0);

    // Once the server answers handshakes again, the same client connects.
    server.set_silent(false);
    assert!(client.send(&GetAttachments::new()).await.is_ok());
}
