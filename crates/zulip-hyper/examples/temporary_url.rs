//! Prints a temporary URL (valid about a minute, no login needed) for an uploaded file, given
//! its `path_id` (`2/ce/xyz/file.jpg`), its `/user_uploads/...` URL or its absolute URL.
//!
//! ```text
//! cargo run -p zulip-hyper --example temporary_url -- PATH_ID_OR_URL
//! cargo run -p zulip-hyper --example temporary_url -- --demo   # uploads a file to a local server first
//! ```

use std::io::Write as _;
use std::process::ExitCode;

use zulip_hyper::zulip_types::{
    Credentials, GetFileTemporaryUrl, TemporaryUrlRejection, UploadFile, UploadPath,
};
use zulip_hyper::{Client, Config, Error};
use zulip_test_server::{DEMO_API_KEY, DEMO_EMAIL, ServerConfig, TestServer};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let demo = args.first().is_some_and(|a| a == "--demo");
    if demo {
        args.remove(0);
    }
    let server = demo.then(|| TestServer::start(ServerConfig::demo()));
    let client = match &server {
        Some(server) => Client::builder()
            .site(server.site())
            .credentials(Credentials::new(DEMO_EMAIL, DEMO_API_KEY))
            .build(),
        None => Config::from_env_and_file().and_then(Client::from_config),
    }
    .map_err(|e| e.to_string())?;
    let input = match args.first() {
        Some(input) => input.clone(),
        None if demo => {
            let uploaded = client
                .send(&UploadFile::new(
                    "hello.txt",
                    b"Hello from zulip-rs!\n".to_vec(),
                ))
                .await
                .map_err(|e| e.to_string())?;
            uploaded.url
        }
        None => return Err("usage: temporary_url [--demo] PATH_ID_OR_URL".into()),
    };
    // A URL (relative or absolute) or a path_id: both are checked to stay on the site.
    let path = if input.starts_with('/') || input.contains("://") {
        UploadPath::from_url(&input, client.site())
    } else {
        UploadPath::from_path_id(&input)
    }
    .map_err(|e| format!("{input}: {e}"))?;
    let answer = match client.send(&GetFileTemporaryUrl::new(path)).await {
        Ok(answer) => answer,
        Err(Error::Server(error)) => {
            return Err(match TemporaryUrlRejection::from_server_error(&error) {
                Some(TemporaryUrlRejection::NotFound) => "no such file".into(),
                Some(TemporaryUrlRejection::Forbidden) => "you may not see this file".into(),
                _ => error.to_string(),
            });
        }
        Err(error) => return Err(error.to_string()),
    };
    let url = answer
        .absolute_url(client.site())
        .map_err(|e| e.to_string())?;
    let _ = writeln!(std::io::stdout(), "{url}");
    if demo {
        // Fetch it, without credentials, to show it works.
        let request = http::Request::get(&url)
            .body(Vec::new())
            .map_err(|e| e.to_string())?;
        let file = client.send_raw(request).await.map_err(|e| e.to_string())?;
        let _ = writeln!(
            std::io::stdout(),
            "{} {}",
            file.status(),
            String::from_utf8_lossy(file.body()).trim_end()
        );
    }
    Ok(())
}
