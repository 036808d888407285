//! All TLS configuration lives here: the crypto provider, root certificates, CA bundles,
//! client certificates, the integrator's own `rustls::ClientConfig`, insecure mode and ALPN.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::ConfigError;

/// Certificate files are small; anything larger is not one.
const MAX_PEM_FILE: u64 = 16 * 1024 * 1024;

/// TLS options of a [`ClientBuilder`](crate::ClientBuilder).
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    /// No certificate verification at all.
    pub(crate) insecure: bool,
    /// PEM certificates trusted instead of the built-in roots (the Python client's
    /// `cert_bundle`, requests' `verify=path`).
    pub(crate) cert_bundle: Option<PathBuf>,
    /// PEM certificates trusted in addition to the built-in roots.
    pub(crate) extra_roots: Vec<PathBuf>,
    /// PEM client certificate chain (and key, when `client_cert_key` is unset).
    pub(crate) client_cert: Option<PathBuf>,
    /// PEM private key of the client certificate.
    pub(crate) client_cert_key: Option<PathBuf>,
    /// The integrator's own configuration; excludes every option above.
    pub(crate) custom: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSettings")
            .field("insecure", &self.insecure)
            .field("cert_bundle", &self.cert_bundle)
            .field("extra_roots", &self.extra_roots)
            .field("client_cert", &self.client_cert)
            .field("client_cert_key", &self.client_cert_key)
            .field("custom", &self.custom.is_some())
            .finish()
    }
}

/// The crypto provider: always `ring`, chosen explicitly (never the process default).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The ALPN protocols offered: HTTP/1.1 always, HTTP/2 first when enabled.
pub(crate) fn alpn_protocols(http2: bool) -> Vec<Vec<u8>> {
    if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    }
}

/// Builds the rustls configuration. `needs_roots` is false for a plain-HTTP site, where having
/// no root certificate is not an error.
pub(crate) fn client_config(
    settings: &TlsSettings,
    http2: bool,
    needs_roots: bool,
) -> Result<ClientConfig, ConfigError> {
    if let Some(custom) = &settings.custom {
        let conflicting = [
            (settings.insecure, "insecure"),
            (settings.cert_bundle.is_some(), "cert_bundle"),
            (!settings.extra_roots.is_empty(), "extra_root_certificates"),
            (settings.client_cert.is_some(), "client_cert"),
            (settings.client_cert_key.is_some(), "client_cert_key"),
        ];
        if let Some((_, name)) = conflicting.iter().find(|(set, _)| *set) {
            return Err(ConfigError::new(
                "tls_config",
                format!("an own rustls ClientConfig cannot be combined with `{name}`"),
            ));
        }
        let mut config = ClientConfig::clone(custom);
        config.alpn_protocols = alpn_protocols(http2);
        return Ok(config);
    }

    // The client identity first: its files are read and checked whatever the roots.
    let identity = match &settings.client_cert {
        Some(cert_path) => {
            let certs = read_certificates(cert_path, "client_cert")?;
            let (key_path, key_setting) = match &settings.client_cert_key {
                Some(key_path) => (key_path.as_path(), "client_cert_key"),
                None => (cert_path.as_path(), "client_cert"),
            };
            let key = read_private_key(key_path, key_setting)?;
            Some((certs, key, key_path, key_setting))
        }
        None => {
            if let Some(key_path) = &settings.client_cert_key {
                return Err(ConfigError::file(
                    "client_cert_key",
                    key_path,
                    "a client certificate key without a client certificate (`client_cert`)",
                    None,
                ));
            }
            None
        }
    };

    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new("tls", format!("the crypto provider cannot be used: {e}")))?;

    let builder = if settings.insecure {
        warn_insecure();
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification {
                algorithms: provider.signature_verification_algorithms,
            }))
    } else {
        let mut roots = RootCertStore::empty();
        match &settings.cert_bundle {
            Some(bundle) => add_pem_roots(&mut roots, bundle, "cert_bundle")?,
            None => add_default_roots(&mut roots),
        }
        for extra in &settings.extra_roots {
            add_pem_roots(&mut roots, extra, "extra_root_certificates")?;
        }
        if roots.is_empty() && needs_roots {
            return Err(ConfigError::new(
                "tls",
                "no root certificates: enable the `webpki-roots` or `native-roots` feature of \
                 zulip-hyper, or give a `cert_bundle`",
            ));
        }
        builder.with_root_certificates(roots)
    };

    let mut config = match identity {
        Some((certs, key, key_path, key_setting)) => {
            builder.with_client_auth_cert(certs, key).map_err(|e| {
                ConfigError::file(
                    key_setting,
                    key_path,
                    "the client certificate and key cannot be used",
                    Some(Box::new(e)),
                )
            })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn_protocols(http2);
    Ok(config)
}

/// The built-in roots chosen by cargo features (both when both are enabled).
fn add_default_roots(roots: &mut RootCertStore) {
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        // Unreadable or unparsable platform certificates are skipped, as every client does.
        let native = rustls_native_certs::load_native_certs();
        let _ = roots.add_parsable_certificates(native.certs);
    }
    let _ = roots;
}

fn read_pem_file(path: &Path, setting: &'static str) -> Result<Vec<u8>, ConfigError> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| ConfigError::file(setting, path, "cannot open the file", Some(Box::new(e))))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ConfigError::file(setting, path, "cannot read the file", Some(Box::new(e))))?;
    if bytes.len() as u64 > MAX_PEM_FILE {
        return Err(ConfigError::file(
            setting,
            path,
            format!("larger than {MAX_PEM_FILE} bytes: not a PEM file"),
            None,
        ));
    }
    Ok(bytes)
}

/// A PEM error, described without repeating the file's contents.
fn pem_problem(error: &rustls::pki_types::pem::Error) -> &'static str {
    use rustls::pki_types::pem::Error;
    match error {
        Error::MissingSectionEnd { .. } => "invalid PEM: a section has no END line",
        Error::IllegalSectionStart { .. } => "invalid PEM: malformed BEGIN line",
        Error::Base64Decode(_) => "invalid PEM: bad base64",
        Error::NoItemsFound => "no PEM item of the expected kind",
        Error::SectionTooLarge => "invalid PEM: section too large",
        _ => "invalid PEM",
    }
}

fn read_certificates(
    path: &Path,
    setting: &'static str,
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let bytes = read_pem_file(path, setting)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ConfigError::file(setting, path, pem_problem(&e), None))?;
    if certs.is_empty() {
        return Err(ConfigError::file(
            setting,
            path,
            "no certificate (-----BEGIN CERTIFICATE-----) in the file",
            None,
        ));
    }
    Ok(certs)
}

fn read_private_key(
    path: &Path,
    setting: &'static str,
) -> Result<PrivateKeyDer<'static>, ConfigError> {
    let bytes = read_pem_file(path, setting)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
        let message = match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no private key (-----BEGIN ... PRIVATE KEY-----) in the file; give \
                 `client_cert_key` when the key is in a file of its own"
            }
            other => pem_problem(&other),
        };
        ConfigError::file(setting, path, message, None)
    })
}

fn add_pem_roots(
    roots: &mut RootCertStore,
    path: &Path,
    setting: &'static str,
) -> Result<(), ConfigError> {
    for (index, cert) in read_certificates(path, setting)?.into_iter().enumerate() {
        roots.add(cert).map_err(|e| {
            ConfigError::file(
                setting,
                path,
                format!("certificate #{} cannot be used as a root", index + 1),
                Some(Box::new(e)),
            )
        })?;
    }
    Ok(())
}

/// Insecure mode is announced every time a client is built with it: through `tracing` when
/// that feature is enabled, else once per process on standard error.
fn warn_insecure() {
    const MESSAGE: &str = "zulip-hyper: insecure mode enabled: the server's TLS certificate \
                           will not be verified, making the HTTPS connection potentially insecure";
    #[cfg(feature = "tracing")]
    tracing::warn!("{MESSAGE}");
    #[cfg(not(feature = "tracing"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| eprintln!("warning: {MESSAGE}"));
    }
}

/// Accepts any server certificate (insecure mode), but still checks that the server holds the
/// key of the certificate it sent, so the handshake itself stays sound.
#[derive(Debug)]
struct NoVerification {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The HTTPS connector over `tcp`. HTTP/1.1 always; HTTP/2 when ALPN negotiates it, which
/// only happens when `client_config` offered `h2` (the `http2` feature and option). The
/// configuration's ALPN list is used as it is.
pub(crate) fn https_connector(
    config: ClientConfig,
    tcp: crate::connector::TcpConnector,
) -> hyper_rustls::HttpsConnector<crate::connector::TcpConnector> {
    hyper_rustls::HttpsConnector::from((tcp, Arc::new(config)))
}
