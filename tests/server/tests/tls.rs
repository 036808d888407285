//! HTTPS with the generated CA, HTTP/2 through ALPN, refusal of untrusting clients, mutual TLS.

mod common;

use std::error::Error;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use zulip_test_server::{ClientIdentity, Preset, ServerConfig, TestServer, TlsOptions, User};

type BoxError = Box<dyn Error + Send + Sync>;

struct Answer {
    version: http::Version,
    status: u16,
    body: Bytes,
}

/// One GET over a fresh TLS connection, trusting `ca_pem` (or nothing), offering `alpn`.
async fn get(
    server: &TestServer,
    ca_pem: Option<&str>,
    identity: Option<&ClientIdentity>,
    alpn: &[&[u8]],
    path: &str,
    server_name: &str,
) -> Result<Answer, BoxError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        roots.add(CertificateDer::from_pem_slice(pem.as_bytes())?)?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots);
    let mut config = match identity {
        Some(id) => builder.with_client_auth_cert(
            vec![CertificateDer::from_pem_slice(id.cert_pem.as_bytes())?],
            PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes())?,
        )?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(server.addr()).await?;
    let tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(server_name.to_owned())?, tcp)
        .await?;
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    let uri = format!("https://{server_name}:{}{path}", server.port());
    let request = http::Request::get(uri)
        .header("Authorization", common::basic("iago@zulip.com", "key"))
        .body(Empty::<Bytes>::new())?;
    let response = if h2 {
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await?;
        tokio::spawn(conn);
        sender.send_request(request).await?
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
        tokio::spawn(conn);
        let (mut parts, body) = request.into_parts();
        parts.uri = path.parse()?;
        parts.headers.insert(
            http::header::HOST,
            format!("{server_name}:{}", server.port()).parse()?,
        );
        sender
            .send_request(http::Request::from_parts(parts, body))
            .await?
    };
    let version = response.version();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Answer {
        version,
        status,
        body,
    })
}

fn https(config: ServerConfig) -> TestServer {
    TestServer::start(config.user(User::new("iago@zulip.com", "key")))
}

#[tokio::test]
async fn https_with_the_ca_over_http1_and_http2() {
    let server = https(ServerConfig::preset(Preset::Zulip12_0).https());
    assert!(server.is_https());
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let ca = server.ca_cert_pem().expect("CA").to_owned();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));

    let h1 = get(
        &server,
        Some(&ca),
        None,
        &[b"http/1.1"],
        "/api/v1/attachments",
        "127.0.0.1",
    )
    .await
    .expect("HTTP/1.1 over TLS");
    assert_eq!(h1.version, http::Version::HTTP_11);
    assert_eq!(h1.status, 200);
    assert!(h1.body.starts_with(b"{\"result\":\"success\""));

    let h2 = get(
        &server,
        Some(&ca),
        None,
        &[b"h2", b"http/1.1"],
        "/api/v1/attachments",
        "localhost",
    )
    .await
    .expect("HTTP/2 over TLS");
    assert_eq!(h2.version, http::Version::HTTP_2);
    assert_eq!(h2.status, 200);
    assert_eq!(h2.body, h1.body);
    assert_eq!(server.last_request().expect("logged").version, "HTTP/2.0");

    // Without ALPN: HTTP/1.1.
    let plain = get(
        &server,
        Some(&ca),
        None,
        &[],
        "/api/v1/server_settings",
        "127.0.0.1",
    )
    .await
    .expect("no ALPN");
    assert_eq!(plain.version, http::Version::HTTP_11);
    assert_eq!(plain.status, 200);
    let settings: serde_json::Value = serde_json::from_slice(&plain.body).expect("JSON");
    assert_eq!(settings["realm_url"], server.url());
}

#[tokio::test]
async fn http2_can_be_switched_off() {
    let server = https(ServerConfig::default().tls(TlsOptions {
        http2: false,
        ..TlsOptions::default()
    }));
    let ca = server.ca_cert_pem().expect("CA").to_owned();
    let answer = get(
        &server,
        Some(&ca),
        None,
        &[b"h2", b"http/1.1"],
        "/api/v1/attachments",
        "127.0.0.1",
    )
    .await
    .expect("falls back to HTTP/1.1");
    assert_eq!(answer.version, http::Version::HTTP_11);
}

#[tokio::test]
async fn clients_without_the_ca_are_refused() {
    let server = https(ServerConfig::default().https());
    assert!(
        get(&server, None, None, &[], "/api/v1/attachments", "127.0.0.1")
            .await
            .is_err()
    );
    // Another server's CA does not help either.
    let other = https(ServerConfig::default().https());
    let other_ca = other.ca_cert_pem().expect("CA").to_owned();
    assert!(
        get(&server, Some(&other_ca), None, &[], "/", "127.0.0.1")
            .await
            .is_err()
    );
    // The name must match the certificate.
    let ca = server.ca_cert_pem().expect("CA").to_owned();
    assert!(
        get(&server, Some(&ca), None, &[], "/", "zulip.example")
            .await
            .is_err()
    );
    assert_eq!(server.request_count(), 0);
    wait_for(|| server.tls_handshake_failures() == 3).await;
}

/// Waits (up to 5 s) for the server thread to catch up.
async fn wait_for(condition: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "condition not reached"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn silent_connections_never_complete_the_handshake() {
    let server = https(ServerConfig::default().https());
    server.set_silent(true);
    let ca = server.ca_cert_pem().expect("CA").to_owned();
    let attempt = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        get(
            &server,
            Some(&ca),
            None,
            &[],
            "/api/v1/server_settings",
            "127.0.0.1",
        ),
    )
    .await;
    assert!(attempt.is_err(), "timed out");
    assert_eq!(server.connections_accepted(), 1);
    server.set_silent(false);
    let answer = get(
        &server,
        Some(&ca),
        None,
        &[],
        "/api/v1/server_settings",
        "127.0.0.1",
    )
    .await
    .expect("normal again");
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn mutual_tls_requires_a_certificate_from_the_ca() {
    let server = https(ServerConfig::default().require_client_cert());
    let ca = server.ca_cert_pem().expect("CA").to_owned();
    assert!(
        get(
            &server,
            Some(&ca),
            None,
            &[],
            "/api/v1/attachments",
            "127.0.0.1"
        )
        .await
        .is_err(),
        "no client certificate"
    );
    let stranger = ClientIdentity::untrusted("stranger").expect("self-signed");
    assert!(
        get(
            &server,
            Some(&ca),
            Some(&stranger),
            &[],
            "/api/v1/attachments",
            "127.0.0.1"
        )
        .await
        .is_err(),
        "certificate from another issuer"
    );
    let identity = server.issue_client_cert("iago").expect("issued");
    assert!(identity.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(identity.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let answer = get(
        &server,
        Some(&ca),
        Some(&identity),
        &[b"h2"],
        "/api/v1/attachments",
        "127.0.0.1",
    )
    .await
    .expect("trusted client certificate");
    assert_eq!(answer.status, 200);
    assert_eq!(server.request_count(), 1);
    wait_for(|| server.tls_handshake_failures() == 2).await;
}

#[test]
fn pem_files_can_be_written_for_cert_bundles() {
    let server = https(ServerConfig::default().require_client_cert());
    let dir = std::env::temp_dir().join(format!("zulip-test-server-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca_path = dir.join("ca.pem");
    server.write_ca_cert_pem(&ca_path).expect("written");
    assert_eq!(
        std::fs::read_to_string(&ca_path).expect("read"),
        server.ca_cert_pem().expect("CA")
    );
    let identity = server.issue_client_cert("iago").expect("issued");
    identity
        .write_to(dir.join("client.pem"), dir.join("client.key"))
        .expect("written");
    assert_eq!(
        std::fs::read_to_string(dir.join("client.key")).expect("read"),
        identity.key_pem
    );
    assert!(
        identity
            .combined_pem()
            .contains("-----BEGIN PRIVATE KEY-----")
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");

    let plain = TestServer::start(ServerConfig::default());
    assert!(plain.ca_cert_pem().is_none());
    assert!(plain.issue_client_cert("x").is_none());
    assert!(
        plain
            .write_ca_cert_pem(std::env::temp_dir().join("never.pem"))
            .is_err()
    );
}
