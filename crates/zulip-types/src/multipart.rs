//! `multipart/form-data` with exactly one file part (RFC 7578), the body of
//! `POST /user_uploads`.
//!
//! The body is a *prefix* (the opening boundary and the part's headers), the file's bytes, and a
//! *suffix* (the closing boundary):
//!
//! ```text
//! --{boundary}\r\n
//! Content-Disposition: form-data; name="filename"; filename="{percent-encoded name}"\r\n
//! Content-Type: {type}\r\n
//! \r\n
//! {file bytes}\r\n--{boundary}--\r\n
//! ```
//!
//! so a transport can stream a file of any size between the two without holding it, and still
//! send every byte this crate chose. [`MultipartForm::content_length`] gives the total.
//!
//! **The file name** is percent-encoded (RFC 7578 §4.2): every byte but ASCII letters, digits and
//! `-._~` becomes `%XX`, and Zulip percent-decodes the name (WIRE-NOTES). Quotes, backslashes,
//! CR/LF and other control characters, `/`, `;`, `&` (which Django HTML-unescapes), and non-ASCII
//! text therefore cannot break the header, and the server stores the name as given. A name that
//! is only `.` or `..` is encoded whole, since Django drops such names before Zulip sees them.
//!
//! **The boundary** has no randomness in this crate (no RNG, no clock):
//! - a streaming transport supplies random bytes ([`Boundary::from_random_bytes`], 160 bits): the
//!   file is not read twice to check for a collision, and none needs checking, because content
//!   that holds `\r\n--{boundary}` by chance has a probability of about `len / 2^160`, and content
//!   crafted to hold it would need the boundary before it is drawn;
//! - for a body built in memory, [`Boundary::for_content`] derives one from a hash of the content
//!   and checks it does not occur in it, so the whole request is deterministic;
//! - a boundary given by the caller ([`Boundary::new`]) is checked against the content whenever
//!   the content is in memory ([`MultipartForm::body`]).
//!
//! **The boundary never occurs in the part's headers** either. RFC 2046 only forbids
//! `CRLF--{boundary}`, which no header line can hold, but Django (Zulip's server) looks for
//! `--{boundary}` anywhere, and a file name such as `a--{boundary}.txt` keeps its dashes and
//! letters through percent-encoding. [`MultipartForm::new`] refuses a boundary found in the
//! headers, and [`Boundary::for_part`] (what [`UploadFile`](crate::UploadFile) uses) avoids
//! the headers as well as the content. Found by the `multipart` fuzz target.

use std::fmt;

use http::HeaderValue;

use crate::BuildError;

/// The form field name of the file part (the spec's `filename`; Zulip accepts any name).
pub const FILE_FIELD_NAME: &str = "filename";

/// The longest file name accepted, in bytes of UTF-8 (before encoding).
pub const MAX_FILENAME_LEN: usize = 4096;

/// The longest content type accepted, in bytes.
const MAX_CONTENT_TYPE_LEN: usize = 256;

/// A multipart boundary: 1 to 70 ASCII letters, digits and `'+-._` (characters that need no
/// quoting in `Content-Type`, RFC 2046 and RFC 9110), not ending with a space.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Boundary(String);

impl Boundary {
    /// The longest boundary RFC 2046 allows.
    pub const MAX_LEN: usize = 70;

    /// A boundary chosen by the caller.
    ///
    /// # Errors
    /// [`BuildError::InvalidParameter`] when it is empty, longer than 70 characters, or has a
    /// character other than ASCII letters, digits and `'+-._`.
    pub fn new(boundary: impl Into<String>) -> Result<Self, BuildError> {
        let boundary = boundary.into();
        let valid = !boundary.is_empty()
            && boundary.len() <= Self::MAX_LEN
            && boundary
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"'+-._".contains(&b));
        if valid {
            Ok(Self(boundary))
        } else {
            Err(BuildError::InvalidParameter {
                name: "boundary".to_owned(),
                reason: "1 to 70 ASCII letters, digits and '+-._ expected".to_owned(),
            })
        }
    }

    /// `zulip-rs-` and 40 hex digits from 20 random bytes (160 bits) the transport drew.
    #[must_use]
    pub fn from_random_bytes(bytes: &[u8; 20]) -> Self {
        let mut boundary = String::with_capacity(9 + 40);
        boundary.push_str("zulip-rs-");
        for byte in bytes {
            push_hex(&mut boundary, u64::from(*byte), 2);
        }
        Self(boundary)
    }

    /// A boundary derived from `content` that does not occur in it: `zulip-rs-` and 32 hex
    /// digits from a hash of the content. Deterministic: the same content gives the same
    /// boundary.
    ///
    /// # Errors
    /// [`BuildError::InvalidParameter`] in the astronomically unlikely case that every one of 16
    /// candidates occurs in the content.
    pub fn for_content(content: &[u8]) -> Result<Self, BuildError> {
        Self::avoiding(content, b"")
    }

    /// A boundary for `content` sent as `part`: [`Boundary::for_content`], and also absent from
    /// the part's headers (its encoded file name and its content type). The same content and
    /// part give the same boundary, the one [`Boundary::for_content`] gives unless that occurs
    /// in the headers.
    ///
    /// ```
    /// use zulip_types::{Boundary, FilePart};
    ///
    /// let plain = Boundary::for_content(b"hello")?;
    /// assert_eq!(Boundary::for_part(&FilePart::new("a.txt"), b"hello")?, plain);
    /// // A file name holding that boundary gets another one.
    /// let tricky = FilePart::new(format!("a--{plain}.txt"));
    /// assert_ne!(Boundary::for_part(&tricky, b"hello")?, plain);
    /// # Ok::<(), zulip_types::BuildError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Boundary::for_content`].
    pub fn for_part(part: &FilePart, content: &[u8]) -> Result<Self, BuildError> {
        Self::avoiding(content, &part_headers(part))
    }

    /// A boundary from a hash of `content`, absent from `content` and from `headers`.
    fn avoiding(content: &[u8], headers: &[u8]) -> Result<Self, BuildError> {
        let hash = fnv1a(content);
        for salt in 0..16_u64 {
            let mut state = hash ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut boundary = String::with_capacity(9 + 32);
            boundary.push_str("zulip-rs-");
            push_hex(&mut boundary, splitmix64(&mut state), 16);
            push_hex(&mut boundary, splitmix64(&mut state), 16);
            let candidate = Self(boundary);
            if !candidate.occurs_in(content) && !candidate.occurs_in(headers) {
                return Ok(candidate);
            }
        }
        Err(BuildError::InvalidParameter {
            name: "boundary".to_owned(),
            reason: "no boundary absent from the content was found".to_owned(),
        })
    }

    /// The boundary.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `--{boundary}` occurs anywhere in `content` (RFC 2046 asks that it does not).
    #[must_use]
    pub fn occurs_in(&self, content: &[u8]) -> bool {
        let needle_len = self.0.len() + 2;
        let mut start = 0;
        while let Some(rest) = content.get(start..) {
            let Some(offset) = rest.windows(2).position(|pair| pair == b"--") else {
                return false;
            };
            let at = start + offset;
            if content
                .get(at + 2..at + needle_len)
                .is_some_and(|tail| tail == self.0.as_bytes())
            {
                return true;
            }
            start = at + 1;
        }
        false
    }
}

impl fmt::Debug for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Boundary").field(&self.0).finish()
    }
}

impl fmt::Display for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn push_hex(out: &mut String, value: u64, digits: u32) {
    for shift in (0..digits).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        out.push(char::from_digit(u32::try_from(nibble).unwrap_or(0), 16).unwrap_or('0'));
    }
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64: spreads a state into well-mixed outputs.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The file part's metadata: its name and content type.
///
/// ```
/// use zulip_types::FilePart;
///
/// let part = FilePart::new("report.pdf");
/// assert_eq!(part.content_type(), Some("application/pdf"));
/// // Unknown extension: no Content-Type is sent and Zulip guesses from the name.
/// assert_eq!(FilePart::new("data.xyz123").content_type(), None);
/// let part = FilePart::new("notes").with_content_type("text/markdown; charset=utf-8");
/// assert_eq!(part.content_type(), Some("text/markdown; charset=utf-8"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FilePart {
    filename: String,
    content_type: Option<String>,
}

impl FilePart {
    /// A file named `filename` (any Unicode; the server stores it as given), its content type
    /// guessed from the extension by [`guess_content_type`].
    #[must_use]
    pub fn new(filename: impl Into<String>) -> Self {
        let filename = filename.into();
        let content_type = guess_content_type(&filename).map(str::to_owned);
        Self {
            filename,
            content_type,
        }
    }

    /// Sends this content type (checked when the body is built).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sends no content type: Zulip then guesses it from the name (Python's `mimetypes`), and
    /// falls back to `application/octet-stream`.
    #[must_use]
    pub fn without_content_type(mut self) -> Self {
        self.content_type = None;
        self
    }

    /// The file name.
    #[must_use]
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The content type sent, if any.
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

/// A `multipart/form-data` body with one file part, without the file: see the
/// [module documentation](self).
///
/// ```
/// use zulip_types::{Boundary, FilePart, MultipartForm};
///
/// let form = MultipartForm::new(&FilePart::new("a \"b\".txt"), Boundary::new("XyZ")?)?;
/// assert_eq!(form.content_type(), "multipart/form-data; boundary=XyZ");
/// assert_eq!(
///     form.prefix(),
///     b"--XyZ\r\nContent-Disposition: form-data; name=\"filename\"; \
///       filename=\"a%20%22b%22.txt\"\r\nContent-Type: text/plain\r\n\r\n"
/// );
/// assert_eq!(form.suffix(), b"\r\n--XyZ--\r\n");
/// assert_eq!(form.content_length(5), Some(form.prefix().len() as u64 + 5 + 11));
/// assert_eq!(form.body(b"hello")?.len(), form.content_length(5).unwrap() as usize);
/// # Ok::<(), zulip_types::BuildError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartForm {
    boundary: Boundary,
    prefix: Vec<u8>,
    suffix: Vec<u8>,
}

impl MultipartForm {
    /// The prefix and suffix around `part`'s content.
    ///
    /// # Errors
    /// [`BuildError::InvalidParameter`]: an empty file name or one longer than
    /// [`MAX_FILENAME_LEN`] bytes, a content type that is not printable ASCII with a `/`, or a
    /// boundary that occurs in the part's headers.
    pub fn new(part: &FilePart, boundary: Boundary) -> Result<Self, BuildError> {
        let invalid = |name: &str, reason: &str| BuildError::InvalidParameter {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        if part.filename.is_empty() {
            return Err(invalid("filename", "the file name is empty"));
        }
        if part.filename.len() > MAX_FILENAME_LEN {
            return Err(invalid("filename", "the file name is too long"));
        }
        if let Some(content_type) = &part.content_type {
            let valid = content_type.len() <= MAX_CONTENT_TYPE_LEN
                && content_type.contains('/')
                && !content_type.starts_with(['-', ' '])
                && content_type.bytes().all(|b| (0x20..0x7f).contains(&b));
            if !valid {
                return Err(invalid(
                    "content_type",
                    "printable ASCII with a `/` expected, e.g. `image/png`",
                ));
            }
        }
        let headers = part_headers(part);
        if boundary.occurs_in(&headers) {
            return Err(invalid(
                "boundary",
                "the boundary occurs in the part's headers (its file name or content type)",
            ));
        }
        let mut prefix = Vec::with_capacity(boundary.as_str().len() + 6 + headers.len());
        prefix.extend_from_slice(b"--");
        prefix.extend_from_slice(boundary.as_str().as_bytes());
        prefix.extend_from_slice(b"\r\n");
        prefix.extend_from_slice(&headers);
        prefix.extend_from_slice(b"\r\n");
        let mut suffix = Vec::with_capacity(boundary.as_str().len() + 8);
        suffix.extend_from_slice(b"\r\n--");
        suffix.extend_from_slice(boundary.as_str().as_bytes());
        suffix.extend_from_slice(b"--\r\n");
        Ok(Self {
            boundary,
            prefix,
            suffix,
        })
    }

    /// The boundary.
    #[must_use]
    pub fn boundary(&self) -> &Boundary {
        &self.boundary
    }

    /// The request's `Content-Type`: `multipart/form-data; boundary={boundary}`.
    #[must_use]
    pub fn content_type(&self) -> HeaderValue {
        let text = format!("multipart/form-data; boundary={}", self.boundary);
        // The boundary's characters are all valid in a header value.
        HeaderValue::from_str(&text)
            .unwrap_or_else(|_| HeaderValue::from_static("multipart/form-data"))
    }

    /// What comes before the file's bytes: the opening boundary and the part's headers.
    #[must_use]
    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// What comes after the file's bytes: the closing boundary.
    #[must_use]
    pub fn suffix(&self) -> &[u8] {
        &self.suffix
    }

    /// The body's length for a file of `file_len` bytes; `None` if it overflows `u64`.
    #[must_use]
    pub fn content_length(&self, file_len: u64) -> Option<u64> {
        let frame = u64::try_from(self.prefix.len() + self.suffix.len()).ok()?;
        file_len.checked_add(frame)
    }

    /// The whole body for `content` held in memory.
    ///
    /// # Errors
    /// [`BuildError::InvalidParameter`] when `--{boundary}` occurs in `content`.
    pub fn body(&self, content: &[u8]) -> Result<Vec<u8>, BuildError> {
        if self.boundary.occurs_in(content) {
            return Err(BuildError::InvalidParameter {
                name: "boundary".to_owned(),
                reason: "the boundary occurs in the file's content".to_owned(),
            });
        }
        let mut body = Vec::with_capacity(self.prefix.len() + content.len() + self.suffix.len());
        body.extend_from_slice(&self.prefix);
        body.extend_from_slice(content);
        body.extend_from_slice(&self.suffix);
        Ok(body)
    }
}

/// The part's header lines, each ending with CRLF: `Content-Disposition` with the encoded file
/// name, and `Content-Type` when there is one.
fn part_headers(part: &FilePart) -> Vec<u8> {
    let mut headers = Vec::with_capacity(100 + part.filename.len() * 3);
    headers.extend_from_slice(b"Content-Disposition: form-data; name=\"");
    headers.extend_from_slice(FILE_FIELD_NAME.as_bytes());
    headers.extend_from_slice(b"\"; filename=\"");
    headers.extend_from_slice(encode_filename(&part.filename).as_bytes());
    headers.extend_from_slice(b"\"\r\n");
    if let Some(content_type) = &part.content_type {
        headers.extend_from_slice(b"Content-Type: ");
        headers.extend_from_slice(content_type.as_bytes());
        headers.extend_from_slice(b"\r\n");
    }
    headers
}

/// The `filename=` value of the part: every byte but ASCII letters, digits and `-._~`
/// percent-encoded; a name of only dots (`.`, `..`) entirely.
///
/// ```
/// use zulip_types::encode_filename;
///
/// assert_eq!(encode_filename("Résumé 1.pdf"), "R%C3%A9sum%C3%A9%201.pdf");
/// assert_eq!(encode_filename("a\"b\r\n.txt"), "a%22b%0D%0A.txt");
/// assert_eq!(encode_filename(".."), "%2E%2E");
/// ```
#[must_use]
pub fn encode_filename(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    if name.bytes().all(|b| b == b'.') {
        for _ in 0..name.len() {
            out.push_str("%2E");
        }
    } else {
        crate::upload_path::encode_segment(&mut out, name);
    }
    out
}

/// A content type for common extensions (case-insensitive), `None` otherwise.
///
/// ```
/// assert_eq!(zulip_types::guess_content_type("photo.JPG"), Some("image/jpeg"));
/// assert_eq!(zulip_types::guess_content_type("README"), None);
/// ```
#[must_use]
pub fn guess_content_type(filename: &str) -> Option<&'static str> {
    let (_, extension) = filename.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    Some(match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "ico" => "image/vnd.microsoft.icon",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "tar" => "application/x-tar",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_checked() {
        assert!(Boundary::new("").is_err());
        assert!(Boundary::new("a".repeat(71)).is_err());
        assert!(Boundary::new("a b").is_err());
        assert!(Boundary::new("a\"b").is_err());
        assert!(Boundary::new("a;b").is_err());
        assert!(Boundary::new("a".repeat(70)).is_ok());
        assert_eq!(
            Boundary::from_random_bytes(&[0xab; 20]).as_str(),
            format!("zulip-rs-{}", "ab".repeat(20))
        );
    }

    #[test]
    fn occurrence_search() {
        let boundary = Boundary::new("xyz").unwrap();
        assert!(boundary.occurs_in(b"--xyz"));
        assert!(boundary.occurs_in(b"a\r\n--xyz--"));
        assert!(boundary.occurs_in(b"---xyz"));
        assert!(!boundary.occurs_in(b"-xyz--xy"));
        assert!(!boundary.occurs_in(b""));
        assert!(!boundary.occurs_in(b"--"));
    }

    #[test]
    fn boundaries_never_occur_in_the_headers() {
        // Found by the multipart fuzz target: a file name holding `--{boundary}`, which Django
        // would split the part at.
        let boundary = Boundary::for_content(b"").unwrap();
        let part = FilePart::new(format!("\u{1}--{boundary};"));
        let error = MultipartForm::new(&part, boundary.clone()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid parameter boundary: the boundary occurs in the part's headers (its file name or content type)"
        );
        let other = Boundary::for_part(&part, b"").unwrap();
        assert_ne!(other, boundary);
        assert!(MultipartForm::new(&part, other).is_ok());
        // The content type too.
        let typed = FilePart::new("a").with_content_type(format!("x/y--{boundary}"));
        assert!(MultipartForm::new(&typed, boundary.clone()).is_err());
        assert_ne!(Boundary::for_part(&typed, b"").unwrap(), boundary);
    }

    #[test]
    fn content_boundaries_avoid_the_content() {
        let content = b"some file content";
        let boundary = Boundary::for_content(content).unwrap();
        assert_eq!(boundary, Boundary::for_content(content).unwrap());
        // Content holding the first candidate gets another one.
        let mut tricky = b"--".to_vec();
        tricky.extend_from_slice(boundary.as_str().as_bytes());
        let other = Boundary::for_content(&tricky).unwrap();
        assert!(!other.occurs_in(&tricky));
    }
}
