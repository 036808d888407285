//! Deletes one of your uploaded files by its attachment ID (see `GET /attachments`).
//!
//! ```text
//! cargo run -p zulip-hyper --example remove_attachment -- ID
//! cargo run -p zulip-hyper --example remove_attachment -- --demo [ID]   # a local test server
//! ```

use std::io::Write as _;
use std::process::ExitCode;

use zulip_hyper::zulip_types::{
    Credentials, GetAttachments, RemoveAttachment, RemoveAttachmentRejection,
};
use zulip_hyper::{Client, Config, Error};
use zulip_test_server::{DEMO_API_KEY, DEMO_EMAIL, ServerConfig, TestServer};

#[tokio::main]
async fn main() -> ExitCode {
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
    };
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let id = match args.first().map(|id| id.parse::<u64>()) {
        Some(Ok(id)) => id,
        Some(Err(_)) => {
            eprintln!("usage: remove_attachment [--demo] ID (a number)");
            return ExitCode::from(2);
        }
        // Demo without an ID: the first of the demo user's attachments.
        None if demo => match client.send(&GetAttachments::new()).await {
            Ok(list) => list.attachments.first().map_or(0, |a| a.id),
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        },
        None => {
            eprintln!("usage: remove_attachment [--demo] ID");
            return ExitCode::from(2);
        }
    };
    match client.send(&RemoveAttachment::new(id)).await {
        Ok(_) => {
            let _ = writeln!(std::io::stdout(), "removed attachment {id}");
            ExitCode::SUCCESS
        }
        Err(Error::Server(error))
            if RemoveAttachmentRejection::from_server_error(&error)
                == Some(RemoveAttachmentRejection::InvalidAttachment) =>
        {
            eprintln!("no attachment {id} of yours (it does not exist or is not yours)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
