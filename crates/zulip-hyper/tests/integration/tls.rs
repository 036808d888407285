//! TLS: CA bundles, unknown CAs, insecure mode, client certificates, an integrator's own
//! rustls configuration, ALPN. Certificates are made by rcgen (ring) for 127.0.0.1.

use std::sync::Arc;

use http::StatusCode;
use zulip_hyper::zulip_types::{Credentials, GetAttachments};
use zulip_hyper::{Client, ClientBuilder, Error};

use crate::support::{API_KEY, ATTACHMENTS, EMAIL, Pki, TestServer, json};

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .site(url)
        .credentials(Credentials::new(EMAIL, API_KEY))
}

async fn tls_server(pki: &Pki) -> TestServer {
    TestServer::start_tls(
        |_| json(200, ATTACHMENTS),
        pki.server_config(&[b"http/1.1"]),
    )
    .await
}

#[tokio::test]
async fn a_server_signed_by_the_cert_bundle_is_accepted() {
    let pki = Pki::new("bundle");
    let server = tls_server(&pki).await;
    let client = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .build()
        .unwrap();
    let response = client.send(&GetAttachments::new()).await.unwrap();
    assert_eq!(response.attachments.len(), 1);
    // Extra roots work too.
    let extra = builder(&server.url())
        .extra_root_certificates(pki.path("ca.pem"))
        .build()
        .unwrap();
    assert!(extra.send(&GetAttachments::new()).await.is_ok());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_unknown_ca_is_refused() {
    let pki = Pki::new("unknown");
    let other = Pki::new("other");
    let server = tls_server(&pki).await;
    let mut clients = vec![
        // Another CA's bundle does not know the server's CA.
        builder(&server.url())
            .cert_bundle(other.path("ca.pem"))
            .build()
            .unwrap(),
    ];
    if cfg!(any(feature = "webpki-roots", feature = "native-roots")) {
        // Nor do the built-in roots.
        clients.push(builder(&server.url()).build().unwrap());
    }
    for client in clients {
        let error = client.send(&GetAttachments::new()).await.unwrap_err();
        match &error {
            Error::Tls(transport) => {
                assert!(
                    matches!(
                        transport.tls_error(),
                        Some(rustls::Error::InvalidCertificate(
                            rustls::CertificateError::UnknownIssuer
                        ))
                    ),
                    "{transport:?}"
                );
            }
            other => panic!("expected a TLS error, got {other:?}"),
        }
        assert!(
            error.to_string().starts_with("TLS handshake failed: "),
            "{error}"
        );
    }
    assert!(
        server.requests().is_empty(),
        "no request crossed an unverified connection"
    );
}

#[tokio::test]
async fn insecure_mode_accepts_any_certificate_only_when_asked() {
    let pki = Pki::new("insecure");
    let server = tls_server(&pki).await;
    let client = builder(&server.url()).insecure(true).build().unwrap();
    assert!(client.send(&GetAttachments::new()).await.is_ok());
    let other = Pki::new("other");
    let secure = builder(&server.url())
        .cert_bundle(other.path("ca.pem"))
        .insecure(false)
        .build()
        .unwrap();
    assert!(matches!(
        secure.send(&GetAttachments::new()).await,
        Err(Error::Tls(_))
    ));
}

#[tokio::test]
async fn client_certificates_from_one_or_two_files() {
    let pki = Pki::new("mtls");
    let server = TestServer::start_tls(
        |_| json(200, ATTACHMENTS),
        pki.server_config_with_client_auth(),
    )
    .await;
    let separate = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .client_cert(pki.path("client.pem"))
        .client_cert_key(pki.path("client-key.pem"))
        .build()
        .unwrap();
    assert!(separate.send(&GetAttachments::new()).await.is_ok());

    let combined = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .client_cert(pki.path("client-combined.pem"))
        .build()
        .unwrap();
    assert!(combined.send(&GetAttachments::new()).await.is_ok());

    let without = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .build()
        .unwrap();
    assert!(without.send(&GetAttachments::new()).await.is_err());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_integrators_own_rustls_config() {
    let pki = Pki::new("custom");
    let server = tls_server(&pki).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let client = builder(&server.url())
        .tls_config(config.clone())
        .build()
        .unwrap();
    assert!(client.send(&GetAttachments::new()).await.is_ok());

    let conflict = builder(&server.url())
        .tls_config(config)
        .cert_bundle(pki.path("ca.pem"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&conflict, Error::Config(e) if e.key() == Some("tls_config")),
        "{conflict:?}"
    );
    assert!(conflict.to_string().contains("cert_bundle"), "{conflict}");
}

#[test]
fn unusable_certificate_files_name_the_file_and_setting() {
    let pki = Pki::new("files");
    let missing = pki.path("missing.pem");
    let error = builder("https://127.0.0.1:1")
        .cert_bundle(&missing)
        .build()
        .unwrap_err();
    match &error {
        Error::Config(config) => {
            assert_eq!(config.key(), Some("cert_bundle"));
            assert_eq!(config.path(), Some(missing.as_path()));
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("missing.pem"), "{error}");

    // A key file is not a certificate bundle.
    let not_certs = builder("https://127.0.0.1:1")
        .cert_bundle(pki.path("client-key.pem"))
        .build()
        .unwrap_err();
    assert!(
        not_certs.to_string().contains("no certificate"),
        "{not_certs}"
    );

    // A certificate file without its key, and no key file.
    let no_key = builder("https://127.0.0.1:1")
        .client_cert(pki.path("client.pem"))
        .build()
        .unwrap_err();
    let shown = no_key.to_string();
    assert!(shown.contains("client_cert_key"), "{shown}");
    assert!(!shown.contains("BEGIN CERTIFICATE-----\n"), "{shown}");

    // A key without a certificate.
    let key_only = builder("https://127.0.0.1:1")
        .client_cert_key(pki.path("client-key.pem"))
        .build()
        .unwrap_err();
    assert!(matches!(&key_only, Error::Config(e) if e.key() == Some("client_cert_key")));

    // Garbage PEM: the error does not repeat the file's contents.
    std::fs::write(
        pki.path("bad.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64 !!!\n",
    )
    .unwrap();
    let bad = builder("https://127.0.0.1:1")
        .cert_bundle(pki.path("bad.pem"))
        .build()
        .unwrap_err();
    assert!(!bad.to_string().contains("not base64"), "{bad}");
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn http2_is_negotiated_through_alpn() {
    let pki = Pki::new("h2");
    let server = TestServer::start_tls(
        |_| json(200, ATTACHMENTS),
        pki.server_config(&[b"h2", b"http/1.1"]),
    )
    .await;
    let client = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert!(client.send(&GetAttachments::new()).await.is_ok());
    }
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.version == http::Version::HTTP_2));
    assert_eq!(server.connections(), 1);

    let h1 = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .http2(false)
        .build()
        .unwrap();
    assert!(h1.send(&GetAttachments::new()).await.is_ok());
    assert_eq!(
        server.requests().last().unwrap().version,
        http::Version::HTTP_11
    );
}

#[tokio::test]
async fn without_http2_the_client_speaks_http1_over_tls() {
    let pki = Pki::new("h1");
    let server = TestServer::start_tls(
        |_| json(200, ATTACHMENTS),
        pki.server_config(&[b"http/1.1"]),
    )
    .await;
    let client = builder(&server.url())
        .cert_bundle(pki.path("ca.pem"))
        .build()
        .unwrap();
    let response = client.send_with_meta(&GetAttachments::new()).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(server.requests()[0].version, http::Version::HTTP_11);
}
