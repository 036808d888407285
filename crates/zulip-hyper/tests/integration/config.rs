//! The file-reading helper: zuliprc files in temporary directories, the environment given as
//! a closure (the process environment is never modified).

use std::collections::HashMap;
use std::path::Path;

use zulip_hyper::zulip_types::{GetAttachments, ZuliprcErrorKind};
use zulip_hyper::{Client, Config, ConfigOptions, Error};

use crate::support::{API_KEY, ATTACHMENTS, EMAIL, Pki, TestServer, json};

fn env(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    move |name| map.get(name).cloned()
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[tokio::test]
async fn the_default_zuliprc_in_home_configures_a_working_client() {
    let server = TestServer::start(|_| json(200, ATTACHMENTS)).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".zuliprc"),
        format!(
            "[api]\nemail={EMAIL}\nkey={API_KEY}\nsite={}\n",
            server.url()
        ),
    )
    .unwrap();
    let config = Config::load_with(ConfigOptions::new(), no_env, Some(home.path())).unwrap();
    assert_eq!(
        config.resolved().config_file.as_deref(),
        Some(home.path().join(".zuliprc").as_path())
    );
    assert!(!format!("{config:?}").contains(API_KEY));
    let client = Client::from_config(config).unwrap();
    client.send(&GetAttachments::new()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(
        request.headers["authorization"],
        "Basic aWFnb0B6dWxpcC5jb206UzNjcjN0SzN5LU5ldmVyUHJpbnRNZS0wMTIzNDU2Nzg5"
    );
}

#[test]
fn zulip_config_and_environment_override_the_default_file() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".zuliprc"),
        "[api]\nemail=home@example.com\nkey=home\nsite=home.example.com\n",
    )
    .unwrap();
    let other = elsewhere.path().join("bot rc");
    std::fs::write(
        &other,
        "[api]\nemail=other@example.com\nkey=other\nsite=other.example.com\n",
    )
    .unwrap();
    let pairs = [
        ("ZULIP_CONFIG", other.display().to_string()),
        ("ZULIP_SITE", "env.example.com".to_owned()),
    ];
    let config = Config::load_with(ConfigOptions::new(), env(&pairs), Some(home.path())).unwrap();
    let resolved = config.resolved();
    assert_eq!(resolved.credentials.email(), "other@example.com");
    assert_eq!(resolved.site.root(), "https://env.example.com");
    assert_eq!(resolved.config_file.as_deref(), Some(other.as_path()));

    // An explicit file wins over ZULIP_CONFIG, `~` expanded with the home given.
    std::fs::create_dir(home.path().join("bots")).unwrap();
    std::fs::write(
        home.path().join("bots/rc"),
        "[api]\nemail=explicit@example.com\nkey=x\nsite=x.example.com\n",
    )
    .unwrap();
    let explicit = ConfigOptions::new().config_file("~/bots/rc");
    let config = Config::load_with(explicit, env(&pairs), Some(home.path())).unwrap();
    assert_eq!(
        config.resolved().credentials.email(),
        "explicit@example.com"
    );
}

#[test]
fn a_missing_file_is_only_an_error_when_credentials_are_missing() {
    let home = tempfile::tempdir().unwrap();
    let error = Config::load_with(ConfigOptions::new(), no_env, Some(home.path())).unwrap_err();
    let Error::Config(config_error) = &error else {
        panic!("{error:?}")
    };
    let zuliprc = config_error.zuliprc().unwrap();
    assert_eq!(zuliprc.kind(), &ZuliprcErrorKind::MissingCredentials);
    assert!(
        error
            .to_string()
            .contains(&home.path().join(".zuliprc").display().to_string()),
        "{error}"
    );

    let pairs = [
        ("ZULIP_EMAIL", EMAIL.to_owned()),
        ("ZULIP_API_KEY", API_KEY.to_owned()),
        ("ZULIP_SITE", "chat.example.com".to_owned()),
    ];
    let config = Config::load_with(ConfigOptions::new(), env(&pairs), Some(home.path())).unwrap();
    assert_eq!(config.resolved().config_file, None);
}

#[test]
fn bad_files_name_file_line_and_key_without_the_key_value() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".zuliprc");
    std::fs::write(
        &path,
        format!("[api]\nemail = {EMAIL}\nkey = {API_KEY}\nsite = x.example.com\ninsecure = yes\n"),
    )
    .unwrap();
    let error = Config::load_with(ConfigOptions::new(), no_env, Some(home.path())).unwrap_err();
    let Error::Config(config_error) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(config_error.path(), Some(path.as_path()));
    assert_eq!(config_error.line(), Some(5));
    assert_eq!(config_error.key(), Some("insecure"));
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(API_KEY), "{shown}");
    }

    std::fs::write(&path, format!("[api]\n{API_KEY}\n")).unwrap();
    let error = Config::load_with(ConfigOptions::new(), no_env, Some(home.path())).unwrap_err();
    assert!(error.to_string().contains(":2: "), "{error}");
    assert!(!format!("{error} {error:?}").contains(API_KEY));
}

#[test]
fn an_unreadable_config_file_is_an_error_naming_it() {
    let home = tempfile::tempdir().unwrap();
    // A directory where the file should be: it exists, yet cannot be read.
    std::fs::create_dir(home.path().join(".zuliprc")).unwrap();
    let error = Config::load_with(ConfigOptions::new(), no_env, Some(home.path())).unwrap_err();
    let Error::Config(config_error) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        config_error.path(),
        Some(home.path().join(".zuliprc").as_path())
    );
    assert!(error.to_string().contains("cannot read"), "{error}");
}

#[tokio::test]
async fn tls_settings_from_the_zuliprc_reach_the_transport() {
    let pki = Pki::new("zuliprc");
    let server = TestServer::start_tls(
        |_| json(200, ATTACHMENTS),
        pki.server_config_with_client_auth(),
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".zuliprc"),
        format!(
            "[api]\nemail={EMAIL}\nkey={API_KEY}\nsite={}\ncert_bundle={}\nclient_cert={}\nclient_cert_key={}\n",
            server.url(),
            pki.path("ca.pem").display(),
            pki.path("client.pem").display(),
            pki.path("client-key.pem").display(),
        ),
    )
    .unwrap();
    let config = Config::load_with(ConfigOptions::new(), no_env, Some(home.path())).unwrap();
    let client = Client::from_config(config).unwrap();
    client.send(&GetAttachments::new()).await.unwrap();

    // A cert_bundle that does not exist fails when the client is built, naming it.
    let missing = Path::new("/nonexistent/zulip-hyper-test/ca.pem");
    let pairs = [("ZULIP_CERT_BUNDLE", missing.display().to_string())];
    let config = Config::load_with(ConfigOptions::new(), env(&pairs), Some(home.path())).unwrap();
    let error = Client::from_config(config).unwrap_err();
    assert!(
        matches!(&error, Error::Config(e) if e.path() == Some(missing)),
        "{error:?}"
    );
}
