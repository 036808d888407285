//! Shared helpers for cross-crate tests: the end-to-end tests (`tests/e2e_*.rs`) run
//! `zulip-hyper` and `zulip-types` over real TCP and TLS against `zulip-test-server`, and the
//! sans-IO proof (`tests/sans_io.rs`) drives `zulip-types` with [`std_http`], a second HTTP
//! stack written by hand over `std::net::TcpStream`.
//!
//! Every server here binds 127.0.0.1 on an ephemeral port and stops when dropped.
//!
//! The fuzz targets' shared code lives here too:
//! - [`fuzz_input`]: how a fuzz input or corpus file becomes a response;
//! - [`checks`]: the properties each fuzz target checks, replayed on stable Rust by
//!   `tests/fuzz_corpus.rs` over every committed seed and regression input.
//!
//! Those two modules are also compiled into the fuzz crate (`fuzz/src/lib.rs`, through
//! `#[path]`), so they may use only `zulip-types`, `http`, `serde` and `serde_json`.

pub mod checks;
pub mod fuzz_input;
pub mod std_http;

use std::time::Duration;

use zulip_hyper::ClientBuilder;
use zulip_hyper::zulip_types::{Credentials, GetAttachmentsResponse};
use zulip_test_server::{Attachment, Preset, RequestRecord, TestServer, User};

/// The test user's email.
pub const EMAIL: &str = "iago@zulip.com";

/// The test user's API key (32 alphanumerics, like a real one). No output may ever contain
/// it: see [`assert_no_secret`].
pub const API_KEY: &str = "Zk4v9QpL2mX7sR1tY8uW3eA6dF0gH5jN";

/// Generous limits for a loaded 2-core machine; tests never measure time.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// See [`CONNECT_TIMEOUT`].
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The test user, with no attachments.
#[must_use]
pub fn user() -> User {
    User::new(EMAIL, API_KEY)
}

/// The test user's credentials.
#[must_use]
pub fn credentials() -> Credentials {
    Credentials::new(EMAIL, API_KEY)
}

/// A client builder for `server` with the test user's credentials and generous timeouts.
pub fn client(server: &TestServer) -> ClientBuilder {
    zulip_hyper::Client::builder()
        .site(server.site())
        .credentials(credentials())
        .connect_timeout(CONNECT_TIMEOUT)
        .request_timeout(REQUEST_TIMEOUT)
}

/// Three attachments that exercise every generation: non-ASCII, quotes, brackets, a
/// backslash and an emoji in names; a size that old servers send as `null`; a file never sent
/// and files sent in one or two messages.
///
/// | id | size | created (UTC) | messages (sent) |
/// |---|---|---|---|
/// | 1 | 571946 | 2020-04-29T07:30:17Z (1588145417) | 102 (1588145424), 103 (1588231824) |
/// | 7 | unknown | 2020-09-13T12:26:40Z (1600000000) | none |
/// | 42 | 1023 | 2023-11-14T22:13:20Z (1700000000) | 5001 (1700000123) |
///
/// The organization's upload space used is 572969 (unknown sizes count 0).
#[must_use]
pub fn fixture_attachments() -> Vec<Attachment> {
    vec![
        Attachment::new(
            1,
            "166050.jpg",
            "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
            Some(571_946),
            1_588_145_417,
        )
        .with_message(102, 1_588_145_424)
        .with_message(103, 1_588_231_824),
        Attachment::new(
            7,
            FIXTURE_NAME_7,
            "2/4f/aBcDeFgHiJkLmNoPqRsTuVwX/Resume-Zoe-final-v2draft-.pdf",
            None,
            1_600_000_000,
        ),
        Attachment::new(
            42,
            "日本語の資料.docx",
            "2/a0/QwErTyUiOpAsDfGhJkLzXcVb/日本語の資料.docx",
            Some(1023),
            1_700_000_000,
        )
        .with_message(5001, 1_700_000_123),
    ]
}

/// The name of attachment 7 of [`fixture_attachments`].
pub const FIXTURE_NAME_7: &str = "Résumé – Zoë \"final\" [v2]\\draft 🎉.pdf";

/// One attachment reduced to plain values, for comparing with literals:
/// `(id, name, path_id, size, create_time in s, [(message id, date_sent in s)])`.
pub type Row = (
    u64,
    String,
    String,
    Option<u64>,
    Option<i64>,
    Vec<(u64, Option<i64>)>,
);

/// The attachments of a response as [`Row`]s, in the server's order.
#[must_use]
pub fn rows(response: &GetAttachmentsResponse) -> Vec<Row> {
    response
        .attachments
        .iter()
        .map(|a| {
            (
                a.id,
                a.name.clone(),
                a.path_id.clone(),
                a.size,
                a.create_time.map(|t| t.as_unix_seconds()),
                a.messages
                    .iter()
                    .map(|m| (m.id, m.date_sent.map(|t| t.as_unix_seconds())))
                    .collect(),
            )
        })
        .collect()
}

fn row(
    id: u64,
    name: &str,
    path_id: &str,
    size: Option<u64>,
    create_time: Option<i64>,
    messages: &[(u64, Option<i64>)],
) -> Row {
    (
        id,
        name.to_owned(),
        path_id.to_owned(),
        size,
        create_time,
        messages.to_vec(),
    )
}

/// What a server of `preset` must give for [`fixture_attachments`], written out by hand:
/// the attachments as [`Row`]s and `upload_space_used`.
#[must_use]
pub fn expected_fixture(preset: Preset) -> (Vec<Row>, Option<u64>) {
    const P1: &str = "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg";
    const N7: &str = "Résumé – Zoë \"final\" [v2]\\draft 🎉.pdf";
    const P7: &str = "2/4f/aBcDeFgHiJkLmNoPqRsTuVwX/Resume-Zoe-final-v2draft-.pdf";
    const N42: &str = "日本語の資料.docx";
    const P42: &str = "2/a0/QwErTyUiOpAsDfGhJkLzXcVb/日本語の資料.docx";
    let sent = [(102, Some(1588145424)), (103, Some(1588231824))];
    let sent42 = [(5001, Some(1700000123))];
    match preset {
        // G0: no size, no creation time, send times from the legacy numeric message `name`.
        Preset::Zulip1_6 => (
            vec![
                row(1, "166050.jpg", P1, None, None, &sent),
                row(7, N7, P7, None, None, &[]),
                row(42, N42, P42, None, None, &sent42),
            ],
            None,
        ),
        // G1: nullable size, float-ms times; no upload_space_used before 2.1.
        Preset::Zulip2_0 | Preset::Zulip2_1 | Preset::Zulip3_0Dev => (
            vec![
                row(1, "166050.jpg", P1, Some(571946), Some(1588145417), &sent),
                row(7, N7, P7, None, Some(1600000000), &[]),
                row(42, N42, P42, Some(1023), Some(1700000000), &sent42),
            ],
            (preset != Preset::Zulip2_0).then_some(572969),
        ),
        // G2 and G3: integer sizes (the unknown one is 0), integer ms then s.
        Preset::Zulip3_0 | Preset::Zulip9_0 | Preset::Zulip12_0Dev => (
            vec![
                row(1, "166050.jpg", P1, Some(571946), Some(1588145417), &sent),
                row(7, N7, P7, Some(0), Some(1600000000), &[]),
                row(42, N42, P42, Some(1023), Some(1700000000), &sent42),
            ],
            Some(572969),
        ),
        // G4: message IDs only.
        Preset::Zulip12_0 => (
            vec![
                row(
                    1,
                    "166050.jpg",
                    P1,
                    Some(571946),
                    Some(1588145417),
                    &[(102, None), (103, None)],
                ),
                row(7, N7, P7, Some(0), Some(1600000000), &[]),
                row(42, N42, P42, Some(1023), Some(1700000000), &[(5001, None)]),
            ],
            Some(572969),
        ),
    }
}

/// The `(email, API key)` of a request's `Authorization: Basic` header.
#[must_use]
pub fn basic_credentials(record: &RequestRecord) -> Option<(String, String)> {
    let value = record.authorization()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64_decode(encoded)?).ok()?;
    let (email, key) = decoded.split_once(':')?;
    Some((email.to_owned(), key.to_owned()))
}

/// Asserts that the request authenticated as the test user, without ever printing the key.
///
/// # Panics
/// When it did not.
pub fn assert_authenticated_as_test_user(record: &RequestRecord) {
    let credentials = basic_credentials(record);
    let email = credentials.as_ref().map(|(email, _)| email.as_str());
    assert_eq!(email, Some(EMAIL), "Basic credentials' email");
    assert!(
        credentials.is_some_and(|(_, key)| key == API_KEY),
        "the Basic credentials do not carry the test user's API key (not shown)"
    );
}

/// Asserts that `text` contains neither the test API key nor its Basic-encoded form, without
/// printing `text` (which would print the key on failure).
///
/// # Panics
/// When it does.
pub fn assert_no_secret(text: &str, what: &str) {
    let basic = base64_encode(format!("{EMAIL}:{API_KEY}").as_bytes());
    assert!(
        !text.contains(API_KEY) && !text.contains(&basic) && !text.contains(&API_KEY[..12]),
        "{what} contains the API key (output not shown)"
    );
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
#[must_use]
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut buffer = [0u8; 3];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let n = u32::from(buffer[0]) << 16 | u32::from(buffer[1]) << 8 | u32::from(buffer[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding; `None` on anything else.
#[must_use]
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let last = index + 1 == bytes.len() / 4;
        let padding = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (i, byte) in chunk.iter().enumerate() {
            let value = if i >= 4 - padding {
                0
            } else {
                ALPHABET.iter().position(|a| a == byte)? as u32
            };
            n = n << 6 | value;
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("iago@zulip.com:key", "aWFnb0B6dWxpcC5jb206a2V5"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Z!==", "Zm9v="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
