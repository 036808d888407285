//! Uploads a file, streamed, with a progress bar on standard error, and prints its URL.
//!
//! ```text
//! cargo run -p zulip-hyper --example upload_file -- FILE [NAME]          # ~/.zuliprc, ZULIP_*
//! cargo run -p zulip-hyper --example upload_file -- --demo FILE [NAME]   # a local test server
//! ```

use std::io::Write as _;
use std::process::ExitCode;

use zulip_hyper::zulip_types::{Credentials, UploadRejection};
use zulip_hyper::{Client, Config, Error, FileUpload, UploadProgress};
use zulip_test_server::{DEMO_API_KEY, DEMO_EMAIL, ServerConfig, TestServer};

fn bar(progress: UploadProgress) {
    let width = 40;
    let done = (progress.fraction() * width as f64) as usize;
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    eprint!(
        "\r[{}{}] {:5.1}% {:.1}/{:.1} MiB",
        "#".repeat(done),
        " ".repeat(width - done),
        progress.fraction() * 100.0,
        mib(progress.sent),
        mib(progress.total),
    );
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let demo = args.first().is_some_and(|a| a == "--demo");
    if demo {
        args.remove(0);
    }
    let Some(file) = args.first() else {
        eprintln!("usage: upload_file [--demo] FILE [NAME]");
        return ExitCode::from(2);
    };
    let server = demo.then(|| TestServer::start(ServerConfig::demo()));
    let client = match &server {
        Some(server) => Client::builder()
            .site(server.site())
            .credentials(Credentials::new(DEMO_EMAIL, DEMO_API_KEY))
            .build(),
        None => Config::from_env_and_file().and_then(Client::from_config),
    };
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let mut upload = FileUpload::new(file).on_progress(bar);
    if let Some(name) = args.get(1) {
        upload = upload.filename(name);
    }
    let result = client.upload_file(&upload).await;
    eprintln!();
    match result {
        Ok(uploaded) => {
            let url = uploaded
                .absolute_url(client.site())
                .unwrap_or_else(|_| uploaded.url.clone());
            let _ = writeln!(std::io::stdout(), "{url}");
            ExitCode::SUCCESS
        }
        Err(Error::Server(error)) => {
            match UploadRejection::from_server_error(&error) {
                Some(UploadRejection::FileTooLarge { limit_mib }) => {
                    eprintln!(
                        "refused: the file is larger than the server's limit ({limit_mib:?} MiB)"
                    )
                }
                Some(UploadRejection::ProxyTooLarge) => {
                    eprintln!("refused by the server's proxy: the file is too large")
                }
                Some(UploadRejection::QuotaExceeded) => {
                    eprintln!("refused: the organization's upload quota is used up")
                }
                _ => eprintln!("{error}"),
            }
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
