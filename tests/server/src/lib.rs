//! A Zulip-compatible test server for the zulip-rs workspace: the end-to-end tests, the examples
//! and the benchmarks run against it.
//!
//! It pretends to be a given Zulip version ([`Preset`]s cover every wire generation of
//! `GET /attachments`, G0 – G4) and answers exactly as such a server does, following
//! `WIRE-NOTES.md`: success bodies, error shapes and status codes per feature level, HTTP Basic
//! authentication, rate limiting with `X-RateLimit-*` headers and 429s, Django's HTML 404, the
//! JSON 405. Its JSON is written by hand ([`wire`], [`Json`]) and the crate does **not** depend
//! on `zulip-types`, so a bug there cannot cancel itself out in tests.
//!
//! Transport tests get HTTPS with a generated CA (and optional mutual TLS), HTTP/2 through ALPN,
//! and failure [`Mode`]s: hang, stalled body, delay, close, redirect, huge streamed body, canned
//! raw responses (nginx's 413/502/504 pages). Every request is logged ([`RequestRecord`]) and
//! connections are counted.
//!
//! ```
//! use std::io::{Read, Write};
//! use zulip_test_server::{Preset, ServerConfig, TestServer, User};
//!
//! let server = TestServer::start(
//!     ServerConfig::preset(Preset::Zulip2_1).user(User::new("iago@zulip.com", "key")),
//! );
//! let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
//! // "iago@zulip.com:key" in base64.
//! stream
//!     .write_all(
//!         b"GET /api/v1/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n\
//!           Authorization: Basic aWFnb0B6dWxpcC5jb206a2V5\r\nConnection: close\r\n\r\n",
//!     )
//!     .unwrap();
//! let mut response = String::new();
//! stream.read_to_string(&mut response).unwrap();
//! assert!(response.starts_with("HTTP/1.1 200 OK"));
//! assert!(response.ends_with(r#"{"result":"success","msg":"","attachments":[],"upload_space_used":0}
//! "#));
//! assert_eq!(server.last_request().unwrap().path(), "/api/v1/attachments");
//! ```
//!
//! Key order: by default bodies use the order real servers produce (`result`, `msg`, the
//! endpoint's data in the order Zulip's Python code builds it, `ignored_parameters_unsupported`
//! last) and end with `\n`; [`JsonStyle::SORTED_COMPACT`] gives the API documentation's sorted
//! keys instead. Parsers must not care.

#![deny(missing_docs)]

mod body;
mod config;
mod data;
mod json;
mod log;
mod modes;
mod routes;
pub mod sample;
mod server;
mod state;
mod tls;
mod uploads;
pub mod wire;

pub use config::{
    Generation, Preset, RateLimit, Realm, RetryAfter, ServerConfig, TlsOptions, User,
};
pub use data::{Attachment, SentMessage};
pub use json::{Json, JsonStyle, KeyOrder};
pub use log::RequestRecord;
pub use modes::{Mode, RawResponse};
pub use server::TestServer;
pub use tls::ClientIdentity;
pub use wire::Profile;

/// Email of the demo user of [`ServerConfig::demo`].
pub const DEMO_EMAIL: &str = "iago@zulip.com";

/// API key of the demo user of [`ServerConfig::demo`] (32 alphanumerics, like a real key).
pub const DEMO_API_KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
