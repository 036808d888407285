//! The attachment lifecycle end to end: zulip-hyper (with zulip-types' builders and parsers)
//! against the workspace's Zulip-compatible test server, for several server versions.
//!
//! upload → listed by `GET /attachments` → temporary URL → download without credentials →
//! remove → gone; the server settings and the feature level learnt from them; refusals as typed
//! errors (size limit, quota, the proxy's 413 HTML page, someone else's attachment, 404/403 HTML).

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use zulip_hyper::{Client, Error, FileUpload, UploadProgress};
use zulip_test_server::{Preset, ServerConfig, TestServer, User, sample};
use zulip_types::{
    Attachment, Credentials, FeatureLevel, GetAttachments, GetFileTemporaryUrl, GetServerSettings,
    ParseErrorKind, RemoveAttachment, RemoveAttachmentRejection, TemporaryUrlRejection, UploadFile,
    UploadPath, UploadRejection,
};

const EMAIL: &str = "iago@zulip.com";
const KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

fn client(server: &TestServer, email: &str, key: &str) -> Client {
    Client::builder()
        .site(server.site())
        .credentials(Credentials::new(email, key))
        .build()
        .unwrap()
}

fn start(config: ServerConfig) -> (TestServer, Client) {
    let server = TestServer::start(
        config
            .user(User::new(EMAIL, KEY))
            .user(User::new("othello@zulip.com", "key2")),
    );
    let client = client(&server, EMAIL, KEY);
    (server, client)
}

async fn attachments(client: &Client) -> Vec<Attachment> {
    client
        .send(&GetAttachments::new())
        .await
        .unwrap()
        .attachments
}

/// Downloads an absolute URL without credentials.
async fn download(client: &Client, url: &str) -> http::Response<Bytes> {
    let request = http::Request::get(url).body(Vec::new()).unwrap();
    client.send_raw(request).await.unwrap()
}

fn server_error(error: Error) -> zulip_types::ServerError {
    match error {
        Error::Server(error) => error,
        other => panic!("not a server error: {other:?}"),
    }
}

#[tokio::test]
async fn upload_list_temporary_url_download_remove_gone() {
    for preset in [Preset::Zulip9_0, Preset::Zulip12_0] {
        let (server, client) = start(ServerConfig::preset(preset));
        client.learn_feature_level().await.unwrap();
        let site = client.site().clone();

        // Upload (in memory), with a hostile name.
        let name = "notes \"v2\"\r\n[draft] Résumé.txt";
        let uploaded = client
            .send(&UploadFile::new(name, b"first file".to_vec()))
            .await
            .unwrap();
        assert!(
            uploaded.url.starts_with("/user_uploads/2/"),
            "{}",
            uploaded.url
        );
        let expected_filename = (preset == Preset::Zulip12_0).then(|| name.to_owned());
        assert_eq!(uploaded.filename, expected_filename, "{preset:?}");
        let absolute = uploaded.absolute_url(&site).unwrap();
        assert!(
            absolute.starts_with(&format!("{}/user_uploads/2/", server.url())),
            "{absolute}"
        );

        // Listed, with the name as given and the size.
        let listed = attachments(&client).await;
        assert_eq!(listed.len(), 1);
        let attachment = &listed[0];
        assert_eq!(attachment.name, name);
        assert_eq!(attachment.size, Some(10));
        let path = UploadPath::from_path_id(&attachment.path_id).unwrap();
        assert_eq!(uploaded.upload_path(&site).unwrap(), path);
        assert!(attachment.create_time.is_some());

        // A temporary URL, from the path_id and from the upload's URL: the same file.
        let temporary = client
            .send(&GetFileTemporaryUrl::new(path.clone()))
            .await
            .unwrap();
        let from_url = client
            .send(&GetFileTemporaryUrl::from_url(&uploaded.url, &site).unwrap())
            .await
            .unwrap();
        assert!(
            temporary.url.starts_with("/user_uploads/temporary/"),
            "{}",
            temporary.url
        );
        assert_ne!(temporary.url, from_url.url, "each call makes a new token");
        let file = download(&client, &temporary.absolute_url(&site).unwrap()).await;
        assert_eq!(file.status(), 200);
        assert_eq!(file.body().as_ref(), b"first file");
        assert_eq!(file.headers()["content-type"], "text/plain");
        // Downloading sends no credentials.
        assert_eq!(server.last_request().unwrap().authorization(), None);

        // Remove: gone from the list, and from the file store.
        client
            .send(&RemoveAttachment::new(attachment.id))
            .await
            .unwrap();
        assert!(attachments(&client).await.is_empty());
        let missing = server_error(
            client
                .send(&GetFileTemporaryUrl::new(path))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            TemporaryUrlRejection::from_server_error(&missing),
            Some(TemporaryUrlRejection::NotFound)
        );
        let again = server_error(
            client
                .send(&RemoveAttachment::new(attachment.id))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            RemoveAttachmentRejection::from_server_error(&again),
            Some(RemoveAttachmentRejection::InvalidAttachment)
        );
    }
}

#[tokio::test]
async fn a_streamed_upload_reports_progress_and_reads_back() {
    let (server, client) = start(ServerConfig::preset(Preset::Zulip12_0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let seen: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
    let recorder = seen.clone();
    let upload = FileUpload::new(&path)
        .chunk_size(16 * 1024)
        .on_progress(move |progress| recorder.lock().unwrap().push(progress));
    let uploaded = client.upload_file(&upload).await.unwrap();
    assert_eq!(uploaded.filename.as_deref(), Some("data.bin"));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 300_000 / (16 * 1024), "{}", seen.len());
    let mut previous = 0;
    for progress in &seen {
        assert!(progress.sent > previous && progress.sent - previous <= 16 * 1024);
        assert_eq!(progress.total, 300_000);
        previous = progress.sent;
    }
    assert_eq!(previous, 300_000);
    let path_id = uploaded.upload_path(client.site()).unwrap().path_id();
    assert_eq!(server.uploaded_file(&path_id).unwrap(), content);
    // The part carried the guessed type (none for .bin: the server's fallback).
    let logged = server.last_request().unwrap();
    let head = String::from_utf8_lossy(&logged.body);
    assert!(head.contains("filename=\"data.bin\""), "{head}");
    assert!(
        logged.header("content-length").is_some(),
        "the length is announced"
    );

    // A name given explicitly, and a file that does not exist.
    let named = client
        .upload_file(&FileUpload::new(&path).filename("Ünïcödé 🚀.bin"))
        .await
        .unwrap();
    assert_eq!(named.filename.as_deref(), Some("Ünïcödé 🚀.bin"));
    let missing = client
        .upload_file(&FileUpload::new(dir.path().join("nope.bin")))
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::File { .. }), "{missing:?}");
}

#[tokio::test]
async fn refusals_are_typed_errors() {
    let (server, client) = start(
        ServerConfig::preset(Preset::Zulip12_0)
            .max_file_upload_size_mib(1)
            .upload_quota(Some(1_200_000))
            .max_request_body(2 * 1024 * 1024),
    );
    let rejection = |error: Error| UploadRejection::from_server_error(&server_error(error));
    let too_large = client
        .send(&UploadFile::new("big.bin", vec![0; 1024 * 1024 + 1]))
        .await
        .unwrap_err();
    assert_eq!(
        rejection(too_large),
        Some(UploadRejection::FileTooLarge { limit_mib: Some(1) })
    );
    client
        .send(&UploadFile::new("a.bin", vec![1; 1_000_000]))
        .await
        .unwrap();
    let quota = client
        .send(&UploadFile::new("b.bin", vec![2; 300_000]))
        .await
        .unwrap_err();
    assert_eq!(rejection(quota), Some(UploadRejection::QuotaExceeded));
    // Over the proxy's limit, streamed: nginx's HTML page, a typed 413.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.bin");
    std::fs::write(&path, vec![3; 3 * 1024 * 1024]).unwrap();
    let proxy = server_error(
        client
            .upload_file(&FileUpload::new(&path))
            .await
            .unwrap_err(),
    );
    assert_eq!(proxy.status(), 413);
    assert!(proxy.raw_body().unwrap().starts_with(b"<html>"));
    assert_eq!(
        UploadRejection::from_server_error(&proxy),
        Some(UploadRejection::ProxyTooLarge)
    );

    // Someone else's attachment: "Invalid attachment", and the file stays.
    let id = attachments(&client).await[0].id;
    let other = client_for(&server, "othello@zulip.com", "key2");
    let refused = server_error(other.send(&RemoveAttachment::new(id)).await.unwrap_err());
    assert_eq!(refused.status(), 400);
    assert_eq!(
        RemoveAttachmentRejection::from_server_error(&refused),
        Some(RemoveAttachmentRejection::InvalidAttachment)
    );
    assert_eq!(attachments(&client).await.len(), 1);
    // ... nor a temporary URL for it: 403 HTML.
    let path = UploadPath::from_path_id(&attachments(&client).await[0].path_id).unwrap();
    let forbidden = server_error(
        other
            .send(&GetFileTemporaryUrl::new(path))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        TemporaryUrlRejection::from_server_error(&forbidden),
        Some(TemporaryUrlRejection::Forbidden)
    );
    assert!(forbidden.raw_body().is_some());
}

fn client_for(server: &TestServer, email: &str, key: &str) -> Client {
    client(server, email, key)
}

#[tokio::test]
async fn before_feature_level_1_the_temporary_url_route_serves_the_file() {
    let (_server, client) = start(ServerConfig::preset(Preset::Zulip2_1));
    let settings = client.learn_feature_level().await.unwrap();
    assert_eq!(settings.zulip_feature_level, FeatureLevel::ZERO);
    let uploaded = client
        .send(&UploadFile::new("a.txt", b"old".to_vec()))
        .await
        .unwrap();
    assert_eq!(uploaded.filename, None);
    let request = GetFileTemporaryUrl::from_url(&uploaded.url, client.site()).unwrap();
    let error = client.send(&request).await.unwrap_err();
    match error {
        Error::Parse(parse) => {
            assert_eq!(parse.kind(), ParseErrorKind::NotJson);
            assert_eq!(parse.body(), Some(&b"old"[..]));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_settings_and_the_learnt_feature_level() {
    // A G2 server (milliseconds) with an upload from early 1970: 5 000 000 000 ms is below the
    // magnitude threshold, so without the feature level it reads as seconds (year 2128).
    let early = zulip_test_server::Attachment::new(
        7,
        "early.txt",
        "2/ab/early/early.txt",
        Some(1),
        5_000_000,
    );
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip9_0)
            .user(User::new(EMAIL, KEY).with_attachments(vec![early])),
    );
    let client = client(&server, EMAIL, KEY);
    let guessed = attachments(&client).await[0].create_time.unwrap();
    assert_eq!(
        guessed.as_unix_seconds(),
        5_000_000_000,
        "magnitude rule: seconds"
    );
    let settings = client.learn_feature_level().await.unwrap();
    assert_eq!(settings.zulip_feature_level, FeatureLevel::new(276));
    assert_eq!(client.feature_level(), Some(FeatureLevel::new(276)));
    let known = attachments(&client).await[0].create_time.unwrap();
    assert_eq!(
        known.as_unix_seconds(),
        5_000_000,
        "feature level 276: milliseconds"
    );
    // Clones share what was learnt.
    assert_eq!(client.clone().feature_level(), Some(FeatureLevel::new(276)));
    // The settings themselves: no credentials sent, realm fields present.
    let request = server.last_request().unwrap();
    assert_eq!(request.path(), "/api/v1/attachments");
    let settings = client.send(&GetServerSettings::new()).await.unwrap();
    assert_eq!(server.last_request().unwrap().authorization(), None);
    assert_eq!(settings.zulip_version, "9.0");
    assert_eq!(settings.realm_url.as_deref(), Some(server.url().as_str()));
    assert_eq!(
        settings.authentication_methods.get("openid connect"),
        Some(&false)
    );
    let external = settings.external_authentication_methods.unwrap();
    assert_eq!(external[0].display_icon, None);

    // A multi-realm root domain: realm fields absent; an old server: no feature level.
    let root = TestServer::start(ServerConfig::preset(Preset::Zulip12_0).without_realms());
    let settings = client_for(&root, EMAIL, KEY)
        .send(&GetServerSettings::new())
        .await
        .unwrap();
    assert_eq!(settings.realm_url, None);
    assert_eq!(settings.realm_name, None);
    assert_eq!(settings.zulip_feature_level, FeatureLevel::new(478));
    let old = TestServer::start(ServerConfig::preset(Preset::Zulip1_6));
    let settings = client_for(&old, EMAIL, KEY)
        .learn_feature_level()
        .await
        .unwrap();
    assert_eq!(settings.zulip_feature_level, FeatureLevel::ZERO);
    assert_eq!(
        settings.attachments_generation(),
        zulip_types::AttachmentsGeneration::G0
    );
}

#[tokio::test]
async fn sent_attachments_are_readable_by_the_realm() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new(EMAIL, KEY).with_attachments(sample::user_attachments(1)))
            .user(User::new("othello@zulip.com", "key2")),
    );
    let owner = client(&server, EMAIL, KEY);
    let sent = attachments(&owner)
        .await
        .into_iter()
        .find(|a| !a.messages.is_empty())
        .unwrap();
    let other = client_for(&server, "othello@zulip.com", "key2");
    let url = other
        .send(&GetFileTemporaryUrl::from_path_id(&sent.path_id).unwrap())
        .await
        .unwrap();
    assert!(
        url.absolute_url(other.site())
            .unwrap()
            .contains("/user_uploads/temporary/")
    );
}
