//! A throw-away PKI made at start: a self-signed CA, a server certificate for `127.0.0.1` and
//! `localhost` signed by it, and client certificates on demand. rustls with the `ring` provider.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::config::TlsOptions;

fn tls_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("test server TLS setup: {e}"))
}

/// The CA and server certificate of one HTTPS server.
pub(crate) struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    server_cert: CertificateDer<'static>,
    server_key: Vec<u8>,
}

impl Pki {
    pub(crate) fn generate() -> io::Result<Pki> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "zulip-test-server CA");
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "zulip-rs tests");
        ca_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
        ];
        let ca_key = KeyPair::generate().map_err(tls_error)?;
        let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_error)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(tls_error)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().map_err(tls_error)?;
        let cert = params.signed_by(&key, &issuer).map_err(tls_error)?;

        Ok(Pki {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().clone(),
            issuer,
            server_cert: cert.der().clone(),
            server_key: key.serialize_der(),
        })
    }

    pub(crate) fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    pub(crate) fn issue_client(&self, common_name: &str) -> io::Result<ClientIdentity> {
        client_identity(common_name, Some(&self.issuer))
    }

    pub(crate) fn server_config(&self, options: TlsOptions) -> io::Result<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?;
        let builder = if options.require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca_der.clone()).map_err(tls_error)?;
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(tls_error)?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        let mut config = builder
            .with_single_cert(vec![self.server_cert.clone(), self.ca_der.clone()], key)
            .map_err(tls_error)?;
        config.alpn_protocols = if options.http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(config)
    }
}

fn client_identity(
    common_name: &str,
    issuer: Option<&Issuer<'static, KeyPair>>,
) -> io::Result<ClientIdentity> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate().map_err(tls_error)?;
    let cert = match issuer {
        Some(issuer) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, issuer)
        }
        None => params.self_signed(&key),
    }
    .map_err(tls_error)?;
    Ok(ClientIdentity {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// A client certificate and its private key (PKCS#8), both PEM, as a zuliprc's `client_cert`
/// and `client_cert_key` files hold them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIdentity {
    /// `-----BEGIN CERTIFICATE-----…`
    pub cert_pem: String,
    /// `-----BEGIN PRIVATE KEY-----…`
    pub key_pem: String,
}

impl ClientIdentity {
    /// A self-signed client certificate that no test server trusts: for mTLS refusal tests.
    pub fn untrusted(common_name: &str) -> io::Result<ClientIdentity> {
        client_identity(common_name, None)
    }

    /// Certificate then key in one PEM text (the form some clients take as one file).
    pub fn combined_pem(&self) -> String {
        format!("{}{}", self.cert_pem, self.key_pem)
    }

    /// Writes the certificate to `cert_path` and the key to `key_path`.
    pub fn write_to(
        &self,
        cert_path: impl AsRef<Path>,
        key_path: impl AsRef<Path>,
    ) -> io::Result<()> {
        std::fs::write(cert_path, &self.cert_pem)?;
        std::fs::write(key_path, &self.key_pem)
    }
}
