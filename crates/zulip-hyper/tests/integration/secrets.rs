//! The API key never appears in `Debug` or `Display` of the client, its builder, the
//! configuration, responses or any error.

use std::time::Duration;

use zulip_hyper::zulip_types::{Credentials, GetAttachments};
use zulip_hyper::{Client, Config, ConfigOptions, RetryPolicy};

use crate::support::{API_KEY, ATTACHMENTS, EMAIL, RawServer, TestServer, json};

/// The key, and its base64 forms inside `Basic base64(email:key)`.
fn assert_clean(shown: &str) {
    assert!(!shown.contains(API_KEY), "key printed: {shown}");
    assert!(
        !shown.contains("UzNjcjN0SzN5"),
        "encoded key printed: {shown}"
    );
    assert!(
        !shown.contains("aWFnb0B6dWxpcC5jb206"),
        "authorization printed: {shown}"
    );
}

#[tokio::test]
async fn the_api_key_is_never_printed() {
    let mut shown = Vec::new();
    let credentials = Credentials::new(EMAIL, API_KEY);
    let builder = Client::builder()
        .site("http://chat.example.com")
        .credentials(credentials.clone())
        .retry_policy(RetryPolicy::new());
    shown.push(format!("{builder:?}"));
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));
    shown.push(format!("{credentials:?} {credentials}"));

    // Server errors (401 with WWW-Authenticate), success responses with metadata.
    let server = TestServer::start(|request| {
        if request.uri.path().ends_with("attachments") {
            json(200, ATTACHMENTS)
        } else {
            let mut reply = json(
                401,
                r#"{"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}"#,
            );
            reply.headers_mut().insert(
                "www-authenticate",
                http::HeaderValue::from_static("Basic realm=\"zulip\""),
            );
            reply
        }
    })
    .await;
    let client = Client::builder()
        .site(server.url())
        .credentials(credentials.clone())
        .build()
        .unwrap();
    let ok = client.send_with_meta(&GetAttachments::new()).await.unwrap();
    shown.push(format!("{ok:?}"));
    let denied = client
        .request(
            http::Method::GET,
            "/users/me",
            zulip_hyper::zulip_types::Authentication::Basic,
            None,
        )
        .await
        .unwrap();
    let error = client
        .parse_response::<zulip_hyper::zulip_types::GetAttachmentsResponse>(&denied)
        .unwrap_err();
    shown.push(format!("{error} {error:?}"));

    // Transport errors: refused, timeout, TLS.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let refused = Client::builder()
        .site(format!("http://{closed}"))
        .credentials(credentials.clone())
        .build()
        .unwrap();
    let error = refused.send(&GetAttachments::new()).await.unwrap_err();
    shown.push(format!("{error} {error:?}"));

    let silent = RawServer::start(|stream| async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(stream);
    })
    .await;
    let slow = Client::builder()
        .site(silent.url())
        .credentials(credentials.clone())
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = slow.send(&GetAttachments::new()).await.unwrap_err();
    shown.push(format!("{error} {error:?}"));

    let pki = crate::support::Pki::new("secrets");
    let tls = Client::builder()
        .site(format!("https://{}", server.addr))
        .credentials(credentials.clone())
        .cert_bundle(pki.path("ca.pem"))
        .build()
        .unwrap();
    let error = tls.send(&GetAttachments::new()).await.unwrap_err();
    shown.push(format!("{error} {error:?}"));

    // Configuration, resolved and failing.
    let options = ConfigOptions::new()
        .api_key(API_KEY)
        .email(EMAIL)
        .site("x.example.com");
    shown.push(format!("{options:?}"));
    let config = Config::load_with(options, |_| None, None).unwrap();
    shown.push(format!("{config:?}"));
    let failing = ConfigOptions::new().api_key(API_KEY).email(EMAIL);
    let error = Config::load_with(failing, |_| None, None).unwrap_err();
    shown.push(format!("{error} {error:?}"));

    for text in &shown {
        assert_clean(text);
    }
}
