//! Where uploaded files live: `path_id`s, `/user_uploads/...` URLs, and absolute URLs that
//! always stay on the server's origin.
//!
//! An uploaded file is `{server root}/user_uploads/{path_id}` where `path_id` is
//! `{realm_id}/{...}/{name}`, e.g. `2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg` (WIRE-NOTES). The
//! realm part is digits, or `unk` on very old uploads (Zulip's route is `(\d*|unk)`). Everything
//! that turns such a path into a URL goes through [`UploadPath`], which never lets the result
//! leave the site's origin or its `/user_uploads/` tree:
//!
//! - from a `path_id` (raw text, as `GET /attachments` sends it): empty segments (`//host`,
//!   leading or trailing `/`), `.` and `..` segments, backslashes and control characters are
//!   rejected; everything else is **contained** by percent-encoding each segment, so `%2e%2e`
//!   becomes the literal file name `%252e%252e`, and `?`, `#` or `:` cannot start a query, a
//!   fragment or a scheme;
//! - from a URL (`/user_uploads/2/ce/...` or `https://site/user_uploads/2/ce/...`): segments are
//!   percent-decoded once and checked like a `path_id`'s, so `%2e%2e`, `%2F` and `%5C` are
//!   rejected; an absolute URL must be on the site's origin (scheme, host and port) and under
//!   its root.
//!
//! ```
//! use zulip_types::{Site, UploadPath};
//!
//! let site = Site::parse("chat.example.com")?;
//! let path = UploadPath::from_path_id("2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/Résumé 1.pdf")?;
//! assert_eq!(path.realm_id_str(), "2");
//! assert_eq!(path.filename(), "ce/DfOkzwdg_IwlrN3myw3KGtiJ/Résumé 1.pdf");
//! assert_eq!(
//!     path.file_url(&site),
//!     "https://chat.example.com/user_uploads/2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/R%C3%A9sum%C3%A9%201.pdf"
//! );
//! // The same file, from the URL a message links to.
//! assert_eq!(UploadPath::from_url(&path.file_url(&site), &site)?, path);
//! assert!(UploadPath::from_path_id("2/../../etc/passwd").is_err());
//! assert!(UploadPath::from_url("https://evil.example/user_uploads/2/a/b.txt", &site).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::fmt::Write as _;

use crate::{BuildError, Site};

/// The longest `path_id` accepted, in bytes (decoded, when read from a URL); a URL may be as
/// long as the site's root, `/user_uploads/` and three times this, every byte encoded. Real
/// ones are well under 300.
pub const MAX_UPLOAD_PATH_LEN: usize = 8 * 1024;

/// The most segments a file name may have (real ones have three).
const MAX_SEGMENTS: usize = 64;

/// A validated location of an uploaded file: the realm part and the file name's segments, both
/// decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UploadPath {
    realm: String,
    /// At least one, each non-empty, never `.` or `..`, without `/`, `\` or control characters.
    segments: Vec<String>,
}

impl UploadPath {
    /// Reads a `path_id` (e.g. `2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg`), as raw text: a `%`
    /// in it is a literal percent sign.
    ///
    /// # Errors
    /// [`UploadPathError`] for an empty or too long input, a realm that is not digits or `unk`, no
    /// file name, an empty, `.` or `..` segment, a backslash or a control character.
    pub fn from_path_id(path_id: &str) -> Result<Self, UploadPathError> {
        check_length(path_id)?;
        let mut parts = path_id.split('/');
        let realm = parts.next().unwrap_or_default();
        Self::from_parts(realm, parts.map(|part| Ok(part.to_owned())))
    }

    /// Reads the URL of an uploaded file: `/user_uploads/{realm}/{...}` (relative to the site's
    /// root, as Zulip writes it in messages and upload responses), or an absolute
    /// `{site root}/user_uploads/{realm}/{...}` on the site's origin. Segments are percent-decoded
    /// once.
    ///
    /// # Errors
    /// [`UploadPathError`]: another origin, user info, a query or fragment, a path not under
    /// `/user_uploads/`, invalid percent-encoding, an encoded `/` or `\`, and everything
    /// [`UploadPath::from_path_id`] refuses (checked after decoding, so `%2e%2e` is `..`).
    pub fn from_url(url: &str, site: &Site) -> Result<Self, UploadPathError> {
        if url.is_empty() {
            return Err(UploadPathErrorKind::Empty.into());
        }
        // The URL of any path this crate accepts, every byte of its path_id encoded (the
        // `file_url` of a long non-ASCII path_id; found by the upload_path fuzz target). The
        // decoded path_id is held to MAX_UPLOAD_PATH_LEN below.
        if url.len() > site.root().len() + "/user_uploads/".len() + 3 * MAX_UPLOAD_PATH_LEN {
            return Err(UploadPathErrorKind::TooLong.into());
        }
        check_characters(url)?;
        if url.contains(['?', '#']) {
            return Err(UploadPathErrorKind::QueryOrFragment.into());
        }
        let path = site_relative_path(url, site)?;
        let rest = path
            .strip_prefix("/user_uploads/")
            .ok_or(UploadPathErrorKind::NotUserUploads)?;
        let mut parts = rest.split('/');
        let realm = percent_decode(parts.next().unwrap_or_default())?;
        let path = Self::from_parts(&realm, parts.map(percent_decode))?;
        let path_id_len =
            path.realm.len() + path.segments.iter().map(|s| 1 + s.len()).sum::<usize>();
        if path_id_len > MAX_UPLOAD_PATH_LEN {
            return Err(UploadPathErrorKind::TooLong.into());
        }
        Ok(path)
    }

    fn from_parts(
        realm: &str,
        parts: impl Iterator<Item = Result<String, UploadPathError>>,
    ) -> Result<Self, UploadPathError> {
        let realm_ok = realm == "unk"
            || (!realm.is_empty()
                && realm.len() <= 20
                && realm.bytes().all(|b| b.is_ascii_digit()));
        if !realm_ok {
            return Err(if realm.is_empty() {
                UploadPathErrorKind::EmptySegment
            } else {
                UploadPathErrorKind::InvalidRealm
            }
            .into());
        }
        let mut segments = Vec::new();
        for part in parts {
            let segment = part?;
            check_segment(&segment)?;
            if segments.len() >= MAX_SEGMENTS {
                return Err(UploadPathErrorKind::TooLong.into());
            }
            segments.push(segment);
        }
        if segments.is_empty() {
            return Err(UploadPathErrorKind::MissingFilename.into());
        }
        Ok(Self {
            realm: realm.to_owned(),
            segments,
        })
    }

    /// The realm part, `realm_id_str` in the temporary-URL route: digits, or `unk`.
    #[must_use]
    pub fn realm_id_str(&self) -> &str {
        &self.realm
    }

    /// The file name below the realm, `filename` in the temporary-URL route, decoded, e.g.
    /// `ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg`.
    #[must_use]
    pub fn filename(&self) -> String {
        self.segments.join("/")
    }

    /// The last segment, e.g. `166050.jpg`.
    #[must_use]
    pub fn basename(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    /// The segments of the file name, decoded.
    pub fn segments(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.segments.iter().map(String::as_str)
    }

    /// The `path_id`: `{realm}/{filename}`.
    #[must_use]
    pub fn path_id(&self) -> String {
        format!("{}/{}", self.realm, self.filename())
    }

    /// The file name, each segment percent-encoded, slashes kept (what the temporary-URL route
    /// takes after the realm).
    #[must_use]
    pub fn encoded_filename(&self) -> String {
        let mut out = String::new();
        for (index, segment) in self.segments.iter().enumerate() {
            if index > 0 {
                out.push('/');
            }
            encode_segment(&mut out, segment);
        }
        out
    }

    /// `{realm}/{encoded filename}`: the `path_id` as a URL path.
    #[must_use]
    pub fn encoded_path(&self) -> String {
        format!("{}/{}", self.realm, self.encoded_filename())
    }

    /// The file's absolute URL, `{site root}/user_uploads/{encoded path}`: always on the site's
    /// origin and under its `/user_uploads/`. Fetching it needs a browser session or, on recent
    /// servers, a temporary URL ([`GetFileTemporaryUrl`](crate::GetFileTemporaryUrl)).
    #[must_use]
    pub fn file_url(&self, site: &Site) -> String {
        format!("{}/user_uploads/{}", site.root(), self.encoded_path())
    }
}

impl fmt::Display for UploadPath {
    /// The `path_id`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.realm)?;
        for segment in &self.segments {
            f.write_char('/')?;
            f.write_str(segment)?;
        }
        Ok(())
    }
}

/// Resolves a URL the server returned (an upload's `url`, a temporary URL) against the site's
/// root, the way WIRE-NOTES says: both are relative, `/user_uploads/...`.
///
/// A path starting with one `/` is joined to [`Site::root`]; an absolute `http(s)` URL is kept
/// when it is on the site's origin. Characters that cannot appear in a URI (non-ASCII, spaces,
/// `"`, `<`, `>`, ...) are percent-encoded; existing escapes, queries and fragments are kept as
/// they are (the URL is opaque). The result never leaves the site's origin.
///
/// ```
/// use zulip_types::{Site, resolve_url};
///
/// let site = Site::parse("https://chat.example.com")?;
/// assert_eq!(
///     resolve_url(&site, "/user_uploads/temporary/4E3A/zulip.txt")?,
///     "https://chat.example.com/user_uploads/temporary/4E3A/zulip.txt"
/// );
/// assert!(resolve_url(&site, "//evil.example/x").is_err());
/// assert!(resolve_url(&site, "https://evil.example/x").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`UploadPathError`]: empty or too long, a backslash or control character, a protocol-relative
/// URL (`//host`), another scheme or origin, user info, a path without a leading `/`, or a `.`
/// or `..` segment (also percent-encoded).
pub fn resolve_url(site: &Site, url: &str) -> Result<String, UploadPathError> {
    check_length(url)?;
    check_characters(url)?;
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let (before, after) = url.split_at(path_end);
    let path = site_relative_path(before, site)?;
    for segment in path.split('/').skip(1) {
        let decoded = percent_decode(segment)?;
        if decoded == "." || decoded == ".." {
            return Err(UploadPathErrorKind::DotSegment.into());
        }
    }
    let mut out = String::with_capacity(site.root().len() + url.len());
    out.push_str(site.root());
    encode_uri_text(&mut out, path);
    encode_uri_text(&mut out, after);
    Ok(out)
}

/// The path of `url` relative to the site's root: `url` itself when it starts with one `/`, the
/// part after the root for an absolute URL on the site's origin.
fn site_relative_path<'a>(url: &'a str, site: &Site) -> Result<&'a str, UploadPathError> {
    if url.is_empty() {
        return Err(UploadPathErrorKind::Empty.into());
    }
    if url.starts_with("//") {
        return Err(UploadPathErrorKind::InvalidUrl.into());
    }
    if url.starts_with('/') {
        return Ok(url);
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or(UploadPathErrorKind::InvalidUrl)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(UploadPathErrorKind::InvalidUrl.into());
    }
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(UploadPathErrorKind::OtherOrigin.into());
    }
    let root = Origin::of_root(site.root()).ok_or(UploadPathErrorKind::InvalidUrl)?;
    let theirs = Origin::new(&scheme, authority).ok_or(UploadPathErrorKind::InvalidUrl)?;
    if theirs != root.origin {
        return Err(UploadPathErrorKind::OtherOrigin.into());
    }
    let relative = path
        .strip_prefix(root.path)
        .filter(|relative| relative.is_empty() || relative.starts_with('/'))
        .ok_or(UploadPathErrorKind::NotUserUploads)?;
    Ok(relative)
}

/// Scheme, host (lower case) and effective port.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

struct RootParts<'a> {
    origin: Origin,
    path: &'a str,
}

impl Origin {
    fn new(scheme: &str, authority: &str) -> Option<Self> {
        let default = match scheme {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            let (host, after) = rest.split_once(']')?;
            let port = match after {
                "" => None,
                after => Some(after.strip_prefix(':')?),
            };
            (format!("[{host}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), Some(port)),
                None => (authority.to_owned(), None),
            }
        };
        let port = match port {
            None | Some("") => default,
            Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok()?,
            Some(_) => return None,
        };
        if host.is_empty() {
            return None;
        }
        Some(Self {
            scheme: scheme.to_owned(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The origin and path prefix of a site root such as `https://example.com:8443/zulip`.
    fn of_root(root: &str) -> Option<RootParts<'_>> {
        let (scheme, rest) = root.split_once("://")?;
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        Some(RootParts {
            origin: Self::new(&scheme.to_ascii_lowercase(), authority)?,
            path,
        })
    }
}

fn check_length(input: &str) -> Result<(), UploadPathError> {
    if input.is_empty() {
        return Err(UploadPathErrorKind::Empty.into());
    }
    if input.len() > MAX_UPLOAD_PATH_LEN {
        return Err(UploadPathErrorKind::TooLong.into());
    }
    Ok(())
}

fn check_characters(input: &str) -> Result<(), UploadPathError> {
    if input.contains('\\') {
        return Err(UploadPathErrorKind::Backslash.into());
    }
    if input.chars().any(char::is_control) {
        return Err(UploadPathErrorKind::ControlCharacter.into());
    }
    Ok(())
}

/// One decoded segment of a file name.
fn check_segment(segment: &str) -> Result<(), UploadPathError> {
    if segment.is_empty() {
        return Err(UploadPathErrorKind::EmptySegment.into());
    }
    if segment == "." || segment == ".." {
        return Err(UploadPathErrorKind::DotSegment.into());
    }
    if segment.contains('/') {
        return Err(UploadPathErrorKind::EncodedSeparator.into());
    }
    check_characters(segment)
}

/// Strict percent-decoding: `%` must start two hex digits, and the result must be UTF-8.
fn percent_decode(text: &str) -> Result<String, UploadPathError> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let digit = |at: usize| {
                bytes
                    .get(at)
                    .and_then(|&b| char::from(b).to_digit(16))
                    .ok_or(UploadPathErrorKind::InvalidPercentEncoding)
            };
            let value = digit(index + 1)? * 16 + digit(index + 2)?;
            out.push(u8::try_from(value).unwrap_or(b'%'));
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| UploadPathErrorKind::InvalidPercentEncoding.into())
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_escaped(out: &mut String, byte: u8) {
    out.push('%');
    for nibble in [byte >> 4, byte & 0xf] {
        out.push(char::from(
            HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
        ));
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode_segment(out: &mut String, segment: &str) {
    for &byte in segment.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            push_escaped(out, byte);
        }
    }
}

/// Percent-encodes what cannot appear in a URI, keeping reserved characters and escapes.
fn encode_uri_text(out: &mut String, text: &str) {
    for &byte in text.as_bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            push_escaped(out, byte);
        }
    }
}

/// A `path_id` or upload URL that cannot be used safely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPathError {
    kind: UploadPathErrorKind,
}

/// What is wrong with a `path_id` or upload URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadPathErrorKind {
    /// Nothing at all.
    Empty,
    /// A `path_id` longer than [`MAX_UPLOAD_PATH_LEN`] bytes, a URL longer than one can be,
    /// or too many segments.
    TooLong,
    /// The realm part is neither digits nor `unk`.
    InvalidRealm,
    /// A realm and no file name.
    MissingFilename,
    /// An empty segment: `//`, a leading or trailing `/`.
    EmptySegment,
    /// A `.` or `..` segment (also when percent-encoded).
    DotSegment,
    /// A percent-encoded `/` inside a segment.
    EncodedSeparator,
    /// A backslash (also when percent-encoded): some clients read it as `/`.
    Backslash,
    /// A control character (also when percent-encoded).
    ControlCharacter,
    /// A `%` not followed by two hex digits, or escapes that are not UTF-8.
    InvalidPercentEncoding,
    /// A query (`?`) or fragment (`#`) where a file path is expected.
    QueryOrFragment,
    /// A path that is not under the site root's `/user_uploads/`.
    NotUserUploads,
    /// An absolute URL on another scheme, host or port, or with user info.
    OtherOrigin,
    /// Not a URL this crate resolves: protocol-relative (`//host`), another scheme, no
    /// leading `/`.
    InvalidUrl,
}

impl UploadPathError {
    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> UploadPathErrorKind {
        self.kind
    }
}

impl From<UploadPathErrorKind> for UploadPathError {
    fn from(kind: UploadPathErrorKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for UploadPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unusable upload path: ")?;
        f.write_str(match self.kind {
            UploadPathErrorKind::Empty => "it is empty",
            UploadPathErrorKind::TooLong => "it is too long",
            UploadPathErrorKind::InvalidRealm => "the realm part is neither digits nor `unk`",
            UploadPathErrorKind::MissingFilename => "it has no file name",
            UploadPathErrorKind::EmptySegment => "it has an empty segment",
            UploadPathErrorKind::DotSegment => "it has a `.` or `..` segment",
            UploadPathErrorKind::EncodedSeparator => "a segment holds an encoded `/`",
            UploadPathErrorKind::Backslash => "it contains a backslash",
            UploadPathErrorKind::ControlCharacter => "it contains a control character",
            UploadPathErrorKind::InvalidPercentEncoding => "invalid percent-encoding",
            UploadPathErrorKind::QueryOrFragment => "it has a query or fragment",
            UploadPathErrorKind::NotUserUploads => "it is not under the site's /user_uploads/",
            UploadPathErrorKind::OtherOrigin => "it is on another origin",
            UploadPathErrorKind::InvalidUrl => "it is not a URL on the site",
        })
    }
}

impl std::error::Error for UploadPathError {}

/// A path that cannot be used is a parameter that cannot be put on the wire.
impl From<UploadPathError> for BuildError {
    fn from(error: UploadPathError) -> Self {
        Self::InvalidParameter {
            name: "path_id".to_owned(),
            reason: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Site {
        Site::parse(text).unwrap()
    }

    fn kind(result: Result<UploadPath, UploadPathError>) -> UploadPathErrorKind {
        result.unwrap_err().kind()
    }

    #[test]
    fn path_ids_split_into_realm_and_filename() {
        let path = UploadPath::from_path_id("2/ce/xyz/166050.jpg").unwrap();
        assert_eq!(path.realm_id_str(), "2");
        assert_eq!(path.filename(), "ce/xyz/166050.jpg");
        assert_eq!(path.basename(), "166050.jpg");
        assert_eq!(path.path_id(), "2/ce/xyz/166050.jpg");
        assert_eq!(path.to_string(), "2/ce/xyz/166050.jpg");
        let old = UploadPath::from_path_id("unk/ab/old.png").unwrap();
        assert_eq!(old.realm_id_str(), "unk");
    }

    #[test]
    fn origins_compare_scheme_host_and_effective_port() {
        let a = Origin::new("https", "Chat.Example.com").unwrap();
        assert_eq!(a, Origin::new("https", "chat.example.com:443").unwrap());
        assert_ne!(a, Origin::new("http", "chat.example.com").unwrap());
        assert_ne!(a, Origin::new("https", "chat.example.com:8443").unwrap());
        assert_eq!(
            Origin::new("http", "[::1]:8080").unwrap(),
            Origin::new("http", "[::1]:8080").unwrap()
        );
        assert!(Origin::new("https", "host:x").is_none());
        assert!(Origin::new("https", "").is_none());
        let root = Origin::of_root("https://example.com/zulip").unwrap();
        assert_eq!(root.path, "/zulip");
    }

    #[test]
    fn prefixed_sites_keep_their_prefix() {
        let site = site("https://example.com/zulip");
        let path = UploadPath::from_path_id("2/a/b.txt").unwrap();
        assert_eq!(
            path.file_url(&site),
            "https://example.com/zulip/user_uploads/2/a/b.txt"
        );
        assert_eq!(
            UploadPath::from_url("https://example.com/zulip/user_uploads/2/a/b.txt", &site)
                .unwrap(),
            path
        );
        assert_eq!(
            kind(UploadPath::from_url(
                "https://example.com/user_uploads/2/a/b.txt",
                &site
            )),
            UploadPathErrorKind::NotUserUploads
        );
        assert_eq!(
            kind(UploadPath::from_url(
                "https://example.com/zulipx/user_uploads/2/a/b.txt",
                &site
            )),
            UploadPathErrorKind::NotUserUploads
        );
    }

    #[test]
    fn long_non_ascii_paths_read_back_from_their_urls() {
        // Found by the upload_path fuzz target: an 8 KiB path_id of non-ASCII text has a URL
        // three times as long, which `from_url` used to refuse as too long.
        let site = site("chat.example.com");
        let path_id = format!("2/{}", "é".repeat((MAX_UPLOAD_PATH_LEN - 2) / 2));
        assert_eq!(path_id.len(), MAX_UPLOAD_PATH_LEN);
        let path = UploadPath::from_path_id(&path_id).unwrap();
        let url = path.file_url(&site);
        assert!(url.len() > 3 * MAX_UPLOAD_PATH_LEN - 10);
        assert_eq!(UploadPath::from_url(&url, &site).unwrap(), path);
        // Decoded, a path_id is still held to the limit.
        let longer = format!(
            "/user_uploads/2/{}",
            "%C3%A9".repeat(MAX_UPLOAD_PATH_LEN / 2)
        );
        assert_eq!(
            kind(UploadPath::from_url(&longer, &site)),
            UploadPathErrorKind::TooLong
        );
        let too_long = format!("/user_uploads/2/{}", "a".repeat(4 * MAX_UPLOAD_PATH_LEN));
        assert_eq!(
            kind(UploadPath::from_url(&too_long, &site)),
            UploadPathErrorKind::TooLong
        );
    }

    #[test]
    fn strict_percent_decoding() {
        assert_eq!(percent_decode("a%20b").unwrap(), "a b");
        assert_eq!(percent_decode("%C3%A9").unwrap(), "é");
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%ff").is_err());
    }
}
