//! `get_attachments`: the files you uploaded to Zulip, with the messages that use them. The Rust
//! twin of the Python client's `client.get_attachments()` example.
//!
//! ```text
//! cargo run --example get_attachments                    # a table
//! cargo run --example get_attachments -- --json          # the normalized JSON below
//! cargo run --example get_attachments -- --config ~/zuliprc-work
//! ```
//!
//! # Configuration
//!
//! Read like the official Python client reads it: for every setting, the option (`--site`,
//! `--email`, `--api-key`), else its environment variable (`ZULIP_SITE`, `ZULIP_EMAIL`,
//! `ZULIP_API_KEY`, ...), else the `[api]` section of the zuliprc (`--config`, else
//! `ZULIP_CONFIG`, else `~/.zuliprc`), which may also set `insecure`, `cert_bundle`,
//! `client_cert` and `client_cert_key`.
//!
//! When there is no configuration at all (no zuliprc, none of `ZULIP_CONFIG`, `ZULIP_EMAIL`,
//! `ZULIP_API_KEY`, `ZULIP_SITE`, no option), it starts the workspace's test server in-process
//! with sample data, says so on standard error, and runs against it: a newcomer sees it work
//! without a Zulip account. A configuration that exists but is broken is an error, never
//! replaced by the demo.
//!
//! # Output
//!
//! A table sorted by attachment ID: ID, size (B, KiB, MiB, ...), creation time in UTC
//! (RFC 3339), number of messages referencing the file, and the name last (cut to 60
//! characters, control and bidirectional-override characters shown as visible symbols: names
//! are chosen by whoever uploaded the file). `-` marks what the server does not send. Then the
//! upload space used by the whole organization.
//!
//! With `--json`, one JSON document whose shape does not depend on the server's version:
//!
//! ```json
//! {
//!   "attachments": [
//!     {
//!       "id": 1,
//!       "name": "166050.jpg",
//!       "path_id": "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
//!       "size": 571946,
//!       "create_time": 1588145417,
//!       "messages": [{ "id": 102, "date_sent": 1588145424 }]
//!     }
//!   ],
//!   "upload_space_used": 571946
//! }
//! ```
//!
//! - keys in this order, attachments sorted by `id`, messages in the server's order;
//! - `create_time` and `date_sent` are integer UNIX seconds (UTC, rounded towards the past),
//!   whatever the server sent (float milliseconds before Zulip 3.0, integer milliseconds
//!   before feature level 443, seconds from it);
//! - `size` and `create_time` are `null` when the server does not send them (Zulip 1.6; `size`
//!   may be `null` before 3.0); `date_sent` is `null` from feature level 472, which sends
//!   message IDs only; `upload_space_used` is `null` before Zulip 2.1;
//! - DEL, C1 controls and bidirectional controls in strings are written as `\uXXXX` escapes
//!   (C0 controls always are), so the output is safe to show in a terminal.
//!
//! Exit status: 0 on success; 1 with a one-line `error: ...` on standard error when the
//! configuration, the connection or the server fails (the API key is never printed); 2 for a
//! bad command line.

use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use zulip_hyper::zulip_types::{
    Attachment, Credentials, GetAttachments, GetAttachmentsResponse, ZuliprcErrorKind,
};
use zulip_hyper::{Client, Config, ConfigOptions, Error};
use zulip_test_server::{DEMO_API_KEY, DEMO_EMAIL, ServerConfig, TestServer};

const USER_AGENT: &str = concat!("zulip-rs-get-attachments/", env!("CARGO_PKG_VERSION"));

/// Names longer than this (in characters) are cut in the table.
const NAME_WIDTH: usize = 60;

/// The environment variables whose presence means "the user configured something".
const CONFIG_VARIABLES: [&str; 4] = ["ZULIP_CONFIG", "ZULIP_EMAIL", "ZULIP_API_KEY", "ZULIP_SITE"];

const USAGE: &str = "\
Lists the files you uploaded to Zulip.

Usage: get_attachments [--json] [--config <zuliprc>] [--site <url>] [--email <email>]
                       [--api-key <key>]

Options:
  --json               print normalized JSON instead of a table
  --config <zuliprc>   the configuration file (default: ZULIP_CONFIG, else ~/.zuliprc)
  --site <url>         the Zulip server (overrides ZULIP_SITE and the file)
  --email <email>      the account (overrides ZULIP_EMAIL and the file)
  --api-key <key>      its API key (overrides ZULIP_API_KEY and the file; prefer those)
  -h, --help           this help

Without any configuration it runs against a built-in demo server with sample data.
";

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {} (see --help)", printable(&message));
            return ExitCode::from(2);
        }
    };
    if args.help {
        let mut out = io::stdout().lock();
        return match out.write_all(USAGE.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // `get_attachments | head`: the reader left, nothing to say.
        Err(error)
            if error
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::FAILURE
        }
        Err(error) => {
            // One line, whatever the error says (server messages can hold newlines).
            eprintln!("error: {}", printable(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// The command line.
#[derive(Debug, Default)]
struct Args {
    json: bool,
    help: bool,
    config: Option<PathBuf>,
    site: Option<String>,
    email: Option<String>,
    api_key: Option<String>,
}

impl Args {
    fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Self, String> {
        let mut parsed = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let Some(text) = arg.to_str() else {
                return Err(format!("unexpected argument {}", arg.to_string_lossy()));
            };
            // `--name value` or `--name=value`.
            let (name, inline) = match text.split_once('=') {
                Some((name, value)) if name.starts_with("--") => {
                    (name, Some(OsString::from(value)))
                }
                _ => (text, None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let utf8 = |value: OsString, name: &str| {
                value
                    .into_string()
                    .map_err(|_| format!("{name}: not valid UTF-8"))
            };
            match name {
                "--json" if inline.is_none() => parsed.json = true,
                "-h" | "--help" if inline.is_none() => parsed.help = true,
                "--config" => parsed.config = Some(PathBuf::from(value(name)?)),
                "--site" => parsed.site = Some(utf8(value(name)?, name)?),
                "--email" => parsed.email = Some(utf8(value(name)?, name)?),
                "--api-key" => parsed.api_key = Some(utf8(value(name)?, name)?),
                _ => return Err(format!("unexpected argument {text}")),
            }
        }
        Ok(parsed)
    }

    /// Whether the command line configures anything (then the demo is never used).
    fn configures(&self) -> bool {
        self.config.is_some()
            || self.site.is_some()
            || self.email.is_some()
            || self.api_key.is_some()
    }

    fn options(&self) -> ConfigOptions {
        let mut options = ConfigOptions::new();
        if let Some(path) = &self.config {
            options = options.config_file(path);
        }
        if let Some(site) = &self.site {
            options = options.site(site);
        }
        if let Some(email) = &self.email {
            options = options.email(email);
        }
        if let Some(key) = &self.api_key {
            options = options.api_key(key);
        }
        options
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // The demo server, when there is one, lives until the end of this function.
    let (builder, _demo) = match Config::load(args.options()) {
        Ok(config) => (Client::builder().config(config), None),
        Err(error) if is_unconfigured(&error, args) => {
            let server = TestServer::try_start(ServerConfig::demo())?;
            eprintln!(
                "note: no Zulip configuration found (~/.zuliprc, ZULIP_CONFIG, ZULIP_EMAIL, \
                 ZULIP_API_KEY, ZULIP_SITE): running against a built-in demo server at {} with \
                 sample data. See README.md to use your own server.",
                server.site()
            );
            let builder = Client::builder()
                .site(server.site())
                .credentials(Credentials::new(DEMO_EMAIL, DEMO_API_KEY));
            (builder, Some(server))
        }
        Err(error) => return Err(error.into()),
    };
    let client = builder.user_agent(USER_AGENT).build()?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let response = runtime.block_on(client.send(&GetAttachments::new()))?;

    let mut attachments: Vec<&Attachment> = response.attachments.iter().collect();
    attachments.sort_by_key(|attachment| attachment.id);

    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        write_json(&mut out, &response, &attachments)?;
    } else {
        let owner = client
            .request_context()
            .credentials()
            .map_or("", |credentials| credentials.email());
        writeln!(
            out,
            "Attachments of {} on {}",
            printable(owner),
            printable(client.site().root())
        )?;
        writeln!(out)?;
        write_table(&mut out, &response, &attachments)?;
    }
    out.flush()?;
    Ok(())
}

/// No configuration exists at all: no file and no credentials anywhere, and nothing that says
/// the user meant to configure one (an option, or `ZULIP_CONFIG`/`ZULIP_EMAIL`/`ZULIP_API_KEY`/
/// `ZULIP_SITE`). Every other configuration error is reported as it is.
fn is_unconfigured(error: &Error, args: &Args) -> bool {
    let Error::Config(config) = error else {
        return false;
    };
    config
        .zuliprc()
        .is_some_and(|error| *error.kind() == ZuliprcErrorKind::MissingCredentials)
        && !args.configures()
        && CONFIG_VARIABLES
            .iter()
            .all(|name| std::env::var_os(name).is_none())
}

/// The table: aligned columns, the name last.
fn write_table(
    out: &mut impl Write,
    response: &GetAttachmentsResponse,
    attachments: &[&Attachment],
) -> io::Result<()> {
    let rows: Vec<[String; 5]> = attachments
        .iter()
        .map(|attachment| {
            [
                attachment.id.to_string(),
                attachment.size.map_or_else(|| "-".to_owned(), human_size),
                attachment
                    .create_time
                    .map_or_else(|| "-".to_owned(), |time| time.to_string()),
                attachment.messages.len().to_string(),
                truncate(&printable(&attachment.name), NAME_WIDTH),
            ]
        })
        .collect();
    let header = ["ID", "SIZE", "CREATED (UTC)", "MESSAGES", "NAME"];
    // Every column but the name is ASCII: its width is its length.
    let width = |column: usize| {
        rows.iter()
            .filter_map(|row| row.get(column))
            .map(String::len)
            .chain(header.get(column).map(|title| title.len()))
            .max()
            .unwrap_or(0)
    };
    let (id, size, created, messages) = (width(0), width(1), width(2), width(3));
    let line = |out: &mut dyn Write, row: [&str; 5]| {
        let [c0, c1, c2, c3, c4] = row;
        writeln!(
            out,
            "{c0:>id$}  {c1:>size$}  {c2:<created$}  {c3:>messages$}  {c4}"
        )
    };
    line(out, header)?;
    for [c0, c1, c2, c3, c4] in &rows {
        line(
            out,
            [
                c0.as_str(),
                c1.as_str(),
                c2.as_str(),
                c3.as_str(),
                c4.as_str(),
            ],
        )?;
    }
    writeln!(out)?;
    let count = match attachments.len() {
        1 => "1 attachment".to_owned(),
        n => format!("{n} attachments"),
    };
    let used = response
        .upload_space_used
        .map_or_else(|| "-".to_owned(), human_size);
    writeln!(
        out,
        "{count}. Upload space used by the whole organization: {used}"
    )
}

/// The normalized JSON (see the crate documentation), built with serde from the model.
fn write_json(
    out: &mut impl Write,
    response: &GetAttachmentsResponse,
    attachments: &[&Attachment],
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Report<'a> {
        attachments: Vec<AttachmentJson<'a>>,
        upload_space_used: Option<u64>,
    }
    #[derive(Serialize)]
    struct AttachmentJson<'a> {
        id: u64,
        name: &'a str,
        path_id: &'a str,
        size: Option<u64>,
        create_time: Option<i64>,
        messages: Vec<MessageJson>,
    }
    #[derive(Serialize)]
    struct MessageJson {
        id: u64,
        date_sent: Option<i64>,
    }

    let report = Report {
        attachments: attachments
            .iter()
            .map(|attachment| AttachmentJson {
                id: attachment.id,
                name: &attachment.name,
                path_id: &attachment.path_id,
                size: attachment.size,
                create_time: attachment.create_time.map(|time| time.as_unix_seconds()),
                messages: attachment
                    .messages
                    .iter()
                    .map(|message| MessageJson {
                        id: message.id,
                        date_sent: message.date_sent.map(|time| time.as_unix_seconds()),
                    })
                    .collect(),
            })
            .collect(),
        upload_space_used: response.upload_space_used,
    };
    let json = serde_json::to_string_pretty(&report).map_err(io::Error::other)?;
    // Outside strings JSON is ASCII, so escaping these characters anywhere keeps it valid and
    // equal; serde_json already escapes C0 controls.
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        if is_invisible_control(c) {
            safe.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            safe.push(c);
        }
    }
    writeln!(out, "{safe}")
}

/// `1023 B`, `1.0 KiB`, `558.5 KiB`, `45.2 MiB`...
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // Move on before one decimal would round up to 1024.0.
    while value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("EiB"))
}

/// DEL, C1 controls, bidirectional controls and line separators: characters that can move the
/// cursor, rewrite the terminal or reorder what is shown.
fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}'
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// The text with C0 controls shown as their Unicode control pictures (`␉`, `␛`, `␊`), DEL as
/// `␡`, and the other invisible controls as `�`, so it cannot act on the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\0'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if is_invisible_control(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// At most `max` characters, cut on a character boundary and ending with `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
