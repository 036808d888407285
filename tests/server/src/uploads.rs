//! Uploads: `POST /api/v1/user_uploads` read as a stream (multipart parsed on the fly, file
//! parts written to a temporary directory, never held in memory), file storage, temporary URLs
//! and serving the stored bytes.
//!
//! Behaviour follows Zulip's `upload_file_backend` and Django's multipart parser (WIRE-NOTES):
//! the reverse proxy's limit first (`413` HTML), then authentication and rate limiting, then
//! "You must specify a file to upload" / "You may only upload one file at a time", the size
//! limit ("Uploaded file is larger than the allowed limit of N MiB"), the realm quota
//! (`REALM_UPLOAD_QUOTA`), and the answer: `uri` always, `url` from FL 272, `filename` from
//! FL 285.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write as _};
use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_TYPE, HeaderValue};
use http::request::Parts;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::body::{self, Reply};
use crate::data::Attachment;
use crate::json::Json;
use crate::log::RequestRecord;
use crate::routes::{self, percent_decode};
use crate::state::{Shared, lock};
use crate::wire;

/// The path of the upload endpoint.
pub(crate) const UPLOAD_PATH: &str = "/api/v1/user_uploads";

/// Largest part header block accepted (Django's is similar).
const MAX_PART_HEADERS: usize = 16 * 1024;

/// A file kept by the server.
#[derive(Clone, Debug)]
pub(crate) struct StoredFile {
    pub(crate) disk: PathBuf,
    pub(crate) size: u64,
    pub(crate) content_type: String,
}

/// Where uploaded files live, and the temporary URLs handed out.
#[derive(Default)]
pub(crate) struct UploadStore {
    dir: Option<tempfile::TempDir>,
    pub(crate) files: HashMap<String, StoredFile>,
    pub(crate) tokens: HashMap<String, (String, Instant)>,
    counter: u64,
}

impl UploadStore {
    /// A new file in the storage directory (created on first use, removed with the server).
    fn new_file(&mut self) -> io::Result<(PathBuf, File)> {
        if self.dir.is_none() {
            self.dir = Some(
                tempfile::Builder::new()
                    .prefix("zulip-test-server-uploads-")
                    .tempdir()?,
            );
        }
        self.counter += 1;
        let dir = self
            .dir
            .as_ref()
            .map(|dir| dir.path().to_path_buf())
            .unwrap_or_default();
        let path = dir.join(format!("upload-{}", self.counter));
        let file = File::create(&path)?;
        Ok((path, file))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Forgets and deletes a stored file.
    pub(crate) fn remove(&mut self, path_id: &str) {
        if let Some(file) = self.files.remove(path_id) {
            let _ = std::fs::remove_file(file.disk);
        }
        self.tokens.retain(|_, (id, _)| id != path_id);
    }
}

/// Whether a request goes to the streaming upload handler.
pub(crate) fn is_upload(parts: &Parts) -> bool {
    parts.method == http::Method::POST && parts.uri.path() == UPLOAD_PATH
}

/// Reads (and discards) a whole body, keeping its length and its first `keep` bytes.
pub(crate) async fn drain(mut incoming: Incoming, keep: usize) -> Option<(u64, Bytes)> {
    let mut len = 0_u64;
    let mut kept = Vec::new();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.ok()?;
        if let Some(data) = frame.data_ref() {
            len += data.len() as u64;
            let room = keep.saturating_sub(kept.len());
            kept.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
        }
    }
    Some((len, Bytes::from(kept)))
}

/// Logs a request whose body was streamed.
pub(crate) fn record(shared: &Shared, connection_id: u64, parts: &Parts, len: u64, kept: Bytes) {
    shared.record(RequestRecord {
        connection_id,
        method: parts.method.as_str().to_owned(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        version: format!("{:?}", parts.version),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body_len: len,
        body: kept,
    });
}

fn proxy_413() -> Reply {
    let mut reply = body::html(413, wire::NGINX_413_HTML);
    reply
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    reply
}

/// `POST /api/v1/user_uploads`, body read as it arrives. `None` when the connection failed
/// while reading (it is then closed without an answer).
pub(crate) async fn receive(
    shared: &Shared,
    connection_id: u64,
    parts: &Parts,
    incoming: Incoming,
) -> Option<Reply> {
    let keep = shared.log_body_bytes;
    let proxy_limit = shared.max_request_body as u64;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The reverse proxy refuses before Zulip sees anything. The body is still read (and thrown
    // away) so that the client, still sending, reads the answer.
    if declared.is_some_and(|n| n > proxy_limit) {
        let (len, _) = drain(incoming, 0).await?;
        record(shared, connection_id, parts, len, Bytes::new());
        return Some(proxy_413());
    }
    let (user, decision) = match routes::authorize(shared, &parts.headers) {
        Ok(found) => found,
        Err(reply) => {
            let (len, kept) = drain(incoming, keep).await?;
            record(shared, connection_id, parts, len, kept);
            return Some(reply);
        }
    };
    let boundary = multipart_boundary(&parts.headers);
    let mut parser = boundary.map(|b| Parser::new(&b));
    let mut incoming = incoming;
    let mut len = 0_u64;
    let mut kept = Vec::new();
    let mut too_large = false;
    while let Some(frame) = incoming.frame().await {
        let frame = frame.ok()?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        len += data.len() as u64;
        let room = keep.saturating_sub(kept.len());
        kept.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
        if len > proxy_limit {
            too_large = true;
        }
        if too_large {
            parser = None;
            continue;
        }
        if let Some(parser) = &mut parser {
            parser.feed(data, shared);
        }
    }
    record(shared, connection_id, parts, len, Bytes::from(kept));
    if too_large {
        return Some(proxy_413());
    }
    let files = parser.map(|parser| parser.finish()).unwrap_or_default();
    let reply = finish_upload(shared, user, files, &parts.headers);
    Some(routes::with_rate_headers(reply, decision.as_ref()))
}

/// The checks after the body is in, and the new attachment.
fn finish_upload(
    shared: &Shared,
    user: usize,
    mut files: Vec<ReceivedFile>,
    _headers: &http::HeaderMap,
) -> Reply {
    let discard = |files: &[ReceivedFile]| {
        for file in files {
            let _ = std::fs::remove_file(&file.disk);
        }
    };
    let error = |msg: &str, code: &str| routes::error(shared, 400, msg, code, Vec::new());
    if files.is_empty() {
        return error("You must specify a file to upload", "BAD_REQUEST");
    }
    if files.len() > 1 {
        discard(&files);
        return error("You may only upload one file at a time", "BAD_REQUEST");
    }
    let Some(file) = files.pop() else {
        return error("You must specify a file to upload", "BAD_REQUEST");
    };
    let limit_mib = shared.max_file_upload_size_mib;
    if file.size > limit_mib.saturating_mul(1024 * 1024) {
        discard(&[file]);
        return error(
            &format!("Uploaded file is larger than the allowed limit of {limit_mib} MiB"),
            "BAD_REQUEST",
        );
    }
    let mut db = lock(&shared.db);
    let Some(realm_id) = db.users.get(user).map(|entry| entry.user.realm_id) else {
        discard(&[file]);
        return error("Invalid user", "BAD_REQUEST");
    };
    if let Some(quota) = shared.upload_quota {
        if db.upload_space_used(realm_id).saturating_add(file.size) > quota {
            drop(db);
            discard(&[file]);
            return error(
                "Upload would exceed your organization's upload quota.",
                "REALM_UPLOAD_QUOTA",
            );
        }
    }
    let mut store = lock(&shared.uploads);
    let id = db
        .users
        .iter()
        .flat_map(|entry| entry.user.attachments.iter().map(|a| a.id))
        .max()
        .unwrap_or(0)
        + 1;
    let serial = store.next();
    let path_id = format!(
        "{realm_id}/{:02x}/{}/{}",
        id % 256,
        random_component(id, serial),
        sanitize_name(&file.name)
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    store.files.insert(
        path_id.clone(),
        StoredFile {
            disk: file.disk,
            size: file.size,
            content_type: file.content_type,
        },
    );
    drop(store);
    if let Some(entry) = db.users.get_mut(user) {
        entry.user.attachments.push(Attachment::new(
            id,
            file.name.clone(),
            path_id.clone(),
            Some(file.size),
            now,
        ));
    }
    db.invalidate();
    drop(db);
    let url = format!("/user_uploads/{path_id}");
    let fl = shared.profile.fl();
    let mut data = vec![("uri".to_owned(), Json::str(url.as_str()))];
    if fl >= 272 {
        data.push(("url".to_owned(), Json::str(url.as_str())));
    }
    if fl >= 285 {
        data.push(("filename".to_owned(), Json::str(file.name.as_str())));
    }
    body::json(200, wire::success_body(&shared.profile, data, &[]))
}

/// 24 characters like Zulip's random path component, derived from the attachment's id.
fn random_component(id: u64, serial: u64) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut state = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ serial;
    let mut out = String::with_capacity(24);
    for _ in 0..24 {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.push(char::from(ALPHABET[(z % 64) as usize]));
    }
    out
}

/// Zulip's `sanitize_name` (without NFKC normalisation): keep word characters, whitespace,
/// `.` and `-`; runs of `-` and whitespace become one `-`; nothing left is `uploaded-file`.
pub(crate) fn sanitize_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || c.is_whitespace() || *c == '.' || *c == '-')
        .collect();
    let mut out = String::new();
    let mut in_run = false;
    for c in kept.trim().chars() {
        if c == '-' || c.is_whitespace() {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    if out.is_empty() || out == "." || out == ".." {
        "uploaded-file".to_owned()
    } else {
        out
    }
}

/// The `boundary` parameter of a `multipart/form-data` Content-Type.
fn multipart_boundary(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let mut params = split_params(value).into_iter();
    let media = params.next()?;
    if !media.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| unquote(value.trim()))
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// Splits `a; b="x;y"; c` on semicolons outside quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

/// A parameter value without its quotes and backslash escapes.
fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => value.to_owned(),
    }
}

/// Django's `sanitize_file_name`, then Zulip's percent-decoding: `None` when Django would not
/// see a file.
fn file_name_of(raw: &str) -> Option<String> {
    let unescaped = raw
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let last = unescaped.rsplit('/').next().unwrap_or("");
    let last = last.rsplit('\\').next().unwrap_or("");
    let printable: String = last.chars().filter(|c| !c.is_control()).collect();
    if printable.is_empty() || printable == "." || printable == ".." {
        return None;
    }
    Some(percent_decode(&printable, false))
}

/// A file part received.
#[derive(Debug)]
pub(crate) struct ReceivedFile {
    name: String,
    content_type: String,
    disk: PathBuf,
    size: u64,
}

/// The part being read.
enum Current {
    /// A form field (not a file): its bytes are counted and dropped.
    Field,
    File {
        name: String,
        content_type: String,
        disk: PathBuf,
        file: File,
        size: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the first delimiter.
    Preamble,
    /// Right after a delimiter: `--` ends, CRLF starts a part.
    AfterDelimiter,
    Headers,
    Body,
    Done,
    Malformed,
}

/// A streaming `multipart/form-data` parser holding at most one frame plus a delimiter (and a
/// part's headers) in memory.
struct Parser {
    delimiter: Vec<u8>,
    buffer: Vec<u8>,
    state: State,
    current: Option<Current>,
    files: Vec<ReceivedFile>,
}

impl Parser {
    fn new(boundary: &str) -> Parser {
        Parser {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            // The first delimiter has no CRLF before it: pretend it had.
            buffer: b"\r\n".to_vec(),
            state: State::Preamble,
            current: None,
            files: Vec::new(),
        }
    }

    fn feed(&mut self, data: &[u8], shared: &Shared) {
        if matches!(self.state, State::Done | State::Malformed) {
            return;
        }
        self.buffer.extend_from_slice(data);
        loop {
            let progressed = match self.state {
                State::Preamble => match find(&self.buffer, &self.delimiter) {
                    Some(at) => {
                        self.buffer.drain(..at + self.delimiter.len());
                        self.state = State::AfterDelimiter;
                        true
                    }
                    None => {
                        let keep = self.delimiter.len();
                        let cut = self.buffer.len().saturating_sub(keep);
                        self.buffer.drain(..cut);
                        false
                    }
                },
                State::AfterDelimiter => {
                    if self.buffer.len() < 2 {
                        false
                    } else if self.buffer.starts_with(b"--") {
                        self.buffer.clear();
                        self.state = State::Done;
                        false
                    } else if self.buffer.starts_with(b"\r\n") {
                        self.buffer.drain(..2);
                        self.state = State::Headers;
                        true
                    } else {
                        self.state = State::Malformed;
                        false
                    }
                }
                State::Headers => match find(&self.buffer, b"\r\n\r\n") {
                    Some(at) => {
                        let head = String::from_utf8_lossy(&self.buffer[..at]).into_owned();
                        self.buffer.drain(..at + 4);
                        self.start_part(&head, shared);
                        true
                    }
                    None => {
                        if self.buffer.len() > MAX_PART_HEADERS {
                            self.state = State::Malformed;
                        }
                        false
                    }
                },
                State::Body => match find(&self.buffer, &self.delimiter) {
                    Some(at) => {
                        let content: Vec<u8> = self.buffer.drain(..at).collect();
                        self.write(&content);
                        self.buffer.drain(..self.delimiter.len());
                        self.end_part();
                        self.state = State::AfterDelimiter;
                        true
                    }
                    None => {
                        let keep = self.delimiter.len() - 1;
                        let cut = self.buffer.len().saturating_sub(keep);
                        let content: Vec<u8> = self.buffer.drain(..cut).collect();
                        self.write(&content);
                        false
                    }
                },
                State::Done | State::Malformed => false,
            };
            if !progressed {
                break;
            }
        }
    }

    fn start_part(&mut self, head: &str, shared: &Shared) {
        let mut filename = None;
        let mut content_type = String::new();
        for line in head.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                for param in split_params(value).into_iter().skip(1) {
                    if let Some((key, value)) = param.split_once('=') {
                        if key.trim().eq_ignore_ascii_case("filename") {
                            filename = Some(unquote(value.trim()));
                        }
                    }
                }
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                content_type = value.trim().to_owned();
            }
        }
        self.current = match filename.as_deref().and_then(file_name_of) {
            Some(name) => match lock(&shared.uploads).new_file() {
                Ok((disk, file)) => {
                    if content_type.is_empty() {
                        content_type = "application/octet-stream".to_owned();
                    }
                    Some(Current::File {
                        name,
                        content_type,
                        disk,
                        file,
                        size: 0,
                    })
                }
                Err(_) => Some(Current::Field),
            },
            None => Some(Current::Field),
        };
        self.state = State::Body;
    }

    fn write(&mut self, content: &[u8]) {
        if let Some(Current::File { file, size, .. }) = &mut self.current {
            if file.write_all(content).is_ok() {
                *size += content.len() as u64;
            }
        }
    }

    fn end_part(&mut self) {
        if let Some(Current::File {
            name,
            content_type,
            disk,
            size,
            ..
        }) = self.current.take()
        {
            self.files.push(ReceivedFile {
                name,
                content_type,
                disk,
                size,
            });
        }
    }

    /// The complete file parts; none when the body was cut or malformed (Django then sees no
    /// file).
    fn finish(mut self) -> Vec<ReceivedFile> {
        if let Some(Current::File { disk, .. }) = self.current.take() {
            let _ = std::fs::remove_file(disk);
        }
        if self.state == State::Done {
            self.files
        } else {
            for file in &self.files {
                let _ = std::fs::remove_file(&file.disk);
            }
            Vec::new()
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Temporary URLs and serving files.

/// The attachment with this `path_id`, its owner and the owner's realm.
fn find_attachment(shared: &Shared, path_id: &str) -> Option<(usize, u64, Attachment)> {
    let db = lock(&shared.db);
    db.users.iter().enumerate().find_map(|(index, entry)| {
        entry
            .user
            .attachments
            .iter()
            .find(|a| a.path_id == path_id)
            .map(|a| (index, entry.user.realm_id, a.clone()))
    })
}

/// `GET /api/v1/user_uploads/{realm_id_str}/{filename...}`: a temporary URL (FL ≥ 1), or the
/// file itself (before FL 1, as Zulip 2.x served it on this route).
pub(crate) fn temporary_url(ctx: &mut routes::Ctx<'_>) -> Reply {
    let realm = ctx.path_param("realm_id_str").unwrap_or("").to_owned();
    let filename = ctx.path_param("filename").unwrap_or("").to_owned();
    // Zulip's route is `(\d*|unk)`.
    if !(realm == "unk" || realm.bytes().all(|b| b.is_ascii_digit())) {
        return body::html(404, wire::NOT_FOUND_HTML);
    }
    let path_id = format!("{realm}/{filename}");
    let Some((owner, owner_realm, attachment)) = find_attachment(ctx.shared, &path_id) else {
        return body::html(404, "<p>File not found.</p>");
    };
    let user = ctx.user.unwrap_or(usize::MAX);
    let user_realm = lock(&ctx.shared.db)
        .users
        .get(user)
        .map(|entry| entry.user.realm_id);
    let allowed =
        owner == user || (user_realm == Some(owner_realm) && !attachment.messages.is_empty());
    if !allowed {
        return body::html(403, "<p>You are not authorized to view this file.</p>");
    }
    if ctx.shared.profile.fl() < 1 {
        return serve_stored(ctx.shared, &path_id);
    }
    let mut store = lock(&ctx.shared.uploads);
    let serial = store.next();
    let token: String = format!("{path_id}:{serial}")
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    let expiry = Instant::now() + ctx.shared.temporary_url_lifetime;
    store
        .tokens
        .insert(token.clone(), (path_id.clone(), expiry));
    drop(store);
    let basename = path_id.rsplit('/').next().unwrap_or("");
    let url = format!("/user_uploads/temporary/{token}/{basename}");
    ctx.success(vec![("url".to_owned(), Json::str(url))])
}

/// `GET /user_uploads/temporary/{token}/{filename}` (no authentication): the file's bytes.
pub(crate) fn serve_temporary(ctx: &mut routes::Ctx<'_>) -> Reply {
    let token = ctx.path_param("token").unwrap_or("").to_owned();
    let filename = ctx.path_param("filename").unwrap_or("").to_owned();
    let path_id = {
        let mut store = lock(&ctx.shared.uploads);
        let now = Instant::now();
        store.tokens.retain(|_, (_, expiry)| *expiry > now);
        store.tokens.get(&token).map(|(path_id, _)| path_id.clone())
    };
    let Some(path_id) = path_id else {
        return ctx.error(400, "Invalid token", "BAD_REQUEST");
    };
    if path_id.rsplit('/').next() != Some(filename.as_str()) {
        return ctx.error(400, "Invalid filename", "BAD_REQUEST");
    }
    serve_stored(ctx.shared, &path_id)
}

/// The stored bytes, streamed from disk; 404 HTML when the server has no bytes for it (e.g.
/// attachments given in the configuration).
fn serve_stored(shared: &Shared, path_id: &str) -> Reply {
    let stored = lock(&shared.uploads).files.get(path_id).cloned();
    let Some(stored) = stored else {
        return body::html(404, "<p>File not found.</p>");
    };
    let Ok(file) = File::open(&stored.disk) else {
        return body::html(404, "<p>File not found.</p>");
    };
    let mut reply = http::Response::new(crate::body::ResponseBody::file(file, stored.size));
    if let Ok(value) = HeaderValue::from_str(&stored.content_type) {
        reply.headers_mut().insert(CONTENT_TYPE, value);
    }
    reply
}

/// `DELETE /api/v1/attachments/{attachment_id}`: only the owner's own attachments; anything
/// else is "Invalid attachment".
pub(crate) fn remove_attachment(ctx: &mut routes::Ctx<'_>) -> Reply {
    let id = ctx
        .path_param("attachment_id")
        .and_then(|id| id.parse::<u64>().ok());
    let Some(user) = ctx.user else {
        return ctx.error(401, "Not logged in", "UNAUTHORIZED");
    };
    let removed = {
        let mut db = lock(&ctx.shared.db);
        let removed = db.users.get_mut(user).and_then(|entry| {
            let at = entry
                .user
                .attachments
                .iter()
                .position(|a| Some(a.id) == id)?;
            Some(entry.user.attachments.remove(at))
        });
        if removed.is_some() {
            db.invalidate();
        }
        removed
    };
    match removed {
        Some(attachment) => {
            lock(&ctx.shared.uploads).remove(&attachment.path_id);
            ctx.success(Vec::new())
        }
        None => ctx.error(400, "Invalid attachment", "BAD_REQUEST"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized_like_zulip() {
        assert_eq!(sanitize_name("notes [draft] v2.txt"), "notes-draft-v2.txt");
        assert_eq!(sanitize_name("Résumé 2020.pdf"), "Résumé-2020.pdf");
        assert_eq!(sanitize_name("a  -- b"), "a-b");
        assert_eq!(sanitize_name("..."), "...");
        assert_eq!(sanitize_name("\"\""), "uploaded-file");
        assert_eq!(sanitize_name(".."), "uploaded-file");
    }

    #[test]
    fn file_names_follow_django_then_zulip() {
        assert_eq!(file_name_of("a%20b.txt").as_deref(), Some("a b.txt"));
        assert_eq!(file_name_of("dir/sub/a.txt").as_deref(), Some("a.txt"));
        assert_eq!(file_name_of("C:\\x\\a.txt").as_deref(), Some("a.txt"));
        assert_eq!(file_name_of("a%2Fb.txt").as_deref(), Some("a/b.txt"));
        assert_eq!(file_name_of("&amp;.txt").as_deref(), Some("&.txt"));
        assert_eq!(file_name_of("%2E%2E").as_deref(), Some(".."));
        assert_eq!(file_name_of(""), None);
        assert_eq!(file_name_of(".."), None);
        assert_eq!(file_name_of("a/"), None);
    }

    #[test]
    fn content_type_parameters() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=\"a;b\""),
        );
        assert_eq!(multipart_boundary(&headers).as_deref(), Some("a;b"));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Multipart/Form-Data;boundary=xyz"),
        );
        assert_eq!(multipart_boundary(&headers).as_deref(), Some("xyz"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(multipart_boundary(&headers), None);
        assert_eq!(
            split_params(r#"form-data; name="a"; filename="x\";y.txt""#),
            ["form-data", " name=\"a\"", r#" filename="x\";y.txt""#]
        );
        assert_eq!(unquote(r#""x\";y.txt""#), "x\";y.txt");
    }
}
