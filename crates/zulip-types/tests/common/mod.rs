//! Fixture loading shared by the integration tests.
//!
//! `tests/fixtures/get-attachments/*.json` are success bodies; `tests/fixtures/errors/*.http` are
//! whole responses (status line, headers, empty line, body). See `tests/fixtures/README.md`.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `tests/fixtures/{relative}`.
pub(crate) fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// The bytes of `tests/fixtures/{relative}`.
pub(crate) fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixture_path(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The file names in `tests/fixtures/{dir}` ending with `.{extension}`, sorted.
pub(crate) fn fixture_names(dir: &str, extension: &str) -> Vec<String> {
    let path = fixture_path(dir);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(&format!(".{extension}")))
        .collect();
    names.sort();
    names
}

/// A `200 OK` response with `Content-Type: application/json` and this body.
pub(crate) fn ok_json(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

/// `tests/fixtures/get-attachments/{name}` as a `200 OK` JSON response.
pub(crate) fn attachments_fixture(name: &str) -> http::Response<Vec<u8>> {
    ok_json(fixture_bytes(&format!("get-attachments/{name}")))
}

/// `tests/fixtures/errors/{name}` as a response.
pub(crate) fn http_fixture(name: &str) -> http::Response<Vec<u8>> {
    let bytes = fixture_bytes(&format!("errors/{name}"));
    parse_http(&bytes).unwrap_or_else(|error| panic!("errors/{name}: {error}"))
}

/// Reads the `.http` fixture format: `HTTP/1.1 <status> <reason>`, `Name: value` lines, an empty
/// line, then the body as is.
pub(crate) fn parse_http(bytes: &[u8]) -> Result<http::Response<Vec<u8>>, String> {
    let split = bytes
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .map(|at| (at, at + 2))
        .into_iter()
        .chain(
            bytes
                .windows(4)
                .position(|quad| quad == b"\r\n\r\n")
                .map(|at| (at, at + 4)),
        )
        .min_by_key(|&(at, _)| at)
        .ok_or("no empty line between head and body")?;
    let head = std::str::from_utf8(&bytes[..split.0]).map_err(|e| e.to_string())?;
    let body = bytes[split.1..].to_vec();
    let mut lines = head.lines().map(|line| line.trim_end_matches('\r'));
    let status_line = lines.next().ok_or("no status line")?;
    let mut words = status_line.splitn(3, ' ');
    if words.next() != Some("HTTP/1.1") {
        return Err(format!("bad status line {status_line:?}"));
    }
    let status: u16 = words
        .next()
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status in {status_line:?}"))?;
    let mut builder = http::Response::builder().status(status);
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(body).map_err(|e| e.to_string())
}
