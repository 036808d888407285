//! The server's address, normalised like the official Python client does it.

use std::fmt;
use std::str::FromStr;

use http::Uri;

/// A Zulip server's address, normalised.
///
/// The rules are the official Python client's:
/// - no scheme and the text starts with `localhost`: `http://` is prepended;
/// - no scheme otherwise: `https://` is prepended;
/// - trailing `/`s are stripped;
/// - `/api` is appended unless the path already ends with it.
///
/// API endpoints live at `{api_base}/v1/...`; uploaded files and temporary URLs live under the
/// [root](Site::root), not under `/api`. Unlike the Python client, the result must be a valid
/// `http` or `https` URL with a host, no user name or password, no query and no fragment:
/// anything else is a [`SiteError`], never a panic.
///
/// ```
/// use zulip_types::Site;
///
/// let site = Site::parse("chat.example.com/")?;
/// assert_eq!(site.root(), "https://chat.example.com");
/// assert_eq!(site.api_base(), "https://chat.example.com/api");
///
/// let dev = Site::parse("localhost:9991")?;
/// assert_eq!(dev.api_base(), "http://localhost:9991/api");
///
/// let prefixed = Site::parse("https://example.com/zulip/api/")?;
/// assert_eq!(prefixed.root(), "https://example.com/zulip");
///
/// assert!(Site::parse("ftp://example.com").is_err());
/// # Ok::<(), zulip_types::SiteError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Site {
    /// `{root}/api`.
    api_base: String,
}

impl Site {
    /// Normalises and validates a site as given in a zuliprc `site=` or `ZULIP_SITE`.
    ///
    /// # Errors
    /// [`SiteError`] when the result is not an `http(s)` URL with a host, or carries user info,
    /// a query or a fragment.
    pub fn parse(input: &str) -> Result<Self, SiteError> {
        let error = |kind| SiteError::new(input, kind);
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(error(SiteErrorKind::Empty));
        }
        let with_scheme = match scheme_of(trimmed) {
            Some(scheme) if scheme.eq_ignore_ascii_case("http") => {
                format!("http{}", &trimmed[scheme.len()..])
            }
            Some(scheme) if scheme.eq_ignore_ascii_case("https") => {
                format!("https{}", &trimmed[scheme.len()..])
            }
            Some(scheme) => {
                return Err(error(SiteErrorKind::UnsupportedScheme(scheme.to_owned())));
            }
            None if trimmed.starts_with("localhost") => format!("http://{trimmed}"),
            None => format!("https://{trimmed}"),
        };
        let root = with_scheme.trim_end_matches('/');
        let root = root.strip_suffix("/api").unwrap_or(root);

        let uri: Uri = root.parse().map_err(|_| error(SiteErrorKind::InvalidUrl))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            // e.g. `https:` alone, which `http::Uri` reads as a host and an empty port.
            return Err(error(SiteErrorKind::InvalidUrl));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| error(SiteErrorKind::MissingHost))?;
        if authority.as_str().contains('@') {
            return Err(error(SiteErrorKind::UserInfo));
        }
        if authority.host().is_empty() {
            return Err(error(SiteErrorKind::MissingHost));
        }
        // `http::Uri` accepts any text after the host's `:` (`javascript:alert(1)` is host
        // `javascript`, port `alert(1)`); a port must be a number below 65536.
        let port = authority.as_str().strip_prefix(authority.host());
        if !port.is_some_and(is_valid_port) {
            return Err(error(SiteErrorKind::InvalidUrl));
        }
        if uri.query().is_some() || root.contains('#') {
            return Err(error(SiteErrorKind::QueryOrFragment));
        }
        // `http::Uri` also takes `\`, `"`, `{`, `}`, `|`, `^`, `[`, `]` and non-ASCII bytes in a
        // path, which RFC 3986 does not: a browser reads `\` as `/`, a server may refuse the
        // request line, and upload URLs built on such a root would not read back
        // (found by the upload_path fuzz target).
        if !uri.path().bytes().all(is_path_byte) {
            return Err(error(SiteErrorKind::InvalidUrl));
        }
        Ok(Self {
            api_base: format!("{root}/api"),
        })
    }

    /// The server root, e.g. `https://chat.example.com`: where `/user_uploads/...` lives.
    #[must_use]
    pub fn root(&self) -> &str {
        self.api_base
            .strip_suffix("/api")
            .unwrap_or(self.api_base.as_str())
    }

    /// The API base, e.g. `https://chat.example.com/api`.
    #[must_use]
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The URL of an API v1 endpoint: `{api_base}/v1{path}` where `path` starts with `/`.
    #[must_use]
    pub fn endpoint_url(&self, path: &str) -> String {
        format!("{}/v1{path}", self.api_base)
    }
}

impl FromStr for Site {
    type Err = SiteError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Debug for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Site").field(&self.root()).finish()
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root())
    }
}

/// What follows the host in an authority: nothing, or `:` and a port number (0 – 65535).
fn is_valid_port(rest: &str) -> bool {
    match rest.strip_prefix(':') {
        None => rest.is_empty(),
        Some(digits) => {
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && digits.parse::<u16>().is_ok()
        }
    }
}

/// A byte RFC 3986 allows in a path: `pchar` (unreserved, sub-delims, `:`, `@`, escapes) or `/`.
fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/".contains(&byte)
}

/// `Some(scheme)` when `text` starts with `scheme://` (RFC 3986 scheme characters).
fn scheme_of(text: &str) -> Option<&str> {
    let end = text.find("://")?;
    let scheme = &text[..end];
    let mut chars = scheme.chars();
    let first_is_alpha = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_is_alpha && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then_some(scheme)
}

/// The most bytes of the input a [`SiteError`] repeats; a longer input is cut at a character
/// boundary and shown with an ellipsis and its length.
const MAX_ECHO: usize = 100;

/// A site that cannot be used.
///
/// Its message repeats the input (at most its first 100 bytes), unless the input holds an `@`
/// (it may then carry a password) or spans lines (the next lines of a zuliprc value may be other
/// settings): such an input is not repeated at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteError {
    /// The input cut to [`MAX_ECHO`] bytes, or `None` when it may hold a password (user info)
    /// and is not repeated.
    input: Option<String>,
    /// The input's length in bytes.
    input_len: usize,
    kind: SiteErrorKind,
}

/// What is wrong with a site.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SiteErrorKind {
    /// The site is empty.
    Empty,
    /// A scheme other than `http` or `https`.
    UnsupportedScheme(String),
    /// Not a URL.
    InvalidUrl,
    /// No host.
    MissingHost,
    /// A user name or password in the URL (credentials belong in the API key).
    UserInfo,
    /// A query (`?`) or fragment (`#`).
    QueryOrFragment,
}

impl SiteError {
    fn new(input: &str, kind: SiteErrorKind) -> Self {
        // Decided on the whole input: a cut one could lose the `@` and keep the password. An
        // input spanning lines (a zuliprc value with continuation lines) is not repeated either:
        // its other lines may be the file's next settings, the API key among them.
        let secret = input.contains('@') || input.contains(['\n', '\r']);
        let shown = (!secret).then(|| prefix(input, MAX_ECHO).to_owned());
        Self {
            input: shown,
            input_len: input.len(),
            kind,
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> &SiteErrorKind {
        &self.kind
    }
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.input {
            Some(input) => {
                f.write_str("invalid Zulip site ")?;
                write_cut(f, input, self.input_len)?;
                f.write_str(": ")?;
            }
            None => f.write_str("invalid Zulip site: ")?,
        }
        match &self.kind {
            SiteErrorKind::Empty => f.write_str("it is empty"),
            SiteErrorKind::UnsupportedScheme(scheme) => {
                f.write_str("scheme ")?;
                write_cut(f, prefix(scheme, MAX_ECHO), scheme.len())?;
                f.write_str(" is not http or https")
            }
            SiteErrorKind::InvalidUrl => f.write_str("it is not a valid URL"),
            SiteErrorKind::MissingHost => f.write_str("it has no host"),
            SiteErrorKind::UserInfo => {
                f.write_str("it contains a user name or password (use the API key instead)")
            }
            SiteErrorKind::QueryOrFragment => f.write_str("it contains a query or fragment"),
        }
    }
}

impl std::error::Error for SiteError {}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// `shown` quoted and escaped; when it is a cut of a text of `full_len` bytes, followed by an
/// ellipsis and that length: `"https://example.com/aaa"… (1048596 bytes)`.
fn write_cut(f: &mut fmt::Formatter<'_>, shown: &str, full_len: usize) -> fmt::Result {
    write!(f, "{shown:?}")?;
    if shown.len() < full_len {
        write!(f, "… ({full_len} bytes)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_follows_the_python_client() {
        let cases = [
            ("chat.example.com", "https://chat.example.com/api"),
            ("chat.example.com/", "https://chat.example.com/api"),
            ("chat.example.com///", "https://chat.example.com/api"),
            ("https://example.com//api//", "https://example.com//api"),
            (
                "https://chat.example.com/api",
                "https://chat.example.com/api",
            ),
            (
                "https://chat.example.com/api/",
                "https://chat.example.com/api",
            ),
            ("http://chat.example.com", "http://chat.example.com/api"),
            ("HTTPS://chat.example.com", "https://chat.example.com/api"),
            ("localhost", "http://localhost/api"),
            ("localhost:9991", "http://localhost:9991/api"),
            ("https://localhost:9991", "https://localhost:9991/api"),
            ("127.0.0.1:8080", "https://127.0.0.1:8080/api"),
            ("http://[::1]:8080", "http://[::1]:8080/api"),
            ("http://[::1]", "http://[::1]/api"),
            ("https://example.com:65535", "https://example.com:65535/api"),
            ("https://example.com/zulip", "https://example.com/zulip/api"),
            ("https://example.com/apis", "https://example.com/apis/api"),
            ("httpbin.example", "https://httpbin.example/api"),
            ("  chat.example.com  ", "https://chat.example.com/api"),
        ];
        for (input, api_base) in cases {
            let site = Site::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(site.api_base(), api_base, "{input}");
            assert_eq!(format!("{}/api", site.root()), api_base, "{input}");
        }
    }

    #[test]
    fn invalid_sites_are_errors() {
        let cases = [
            ("", SiteErrorKind::Empty),
            ("   ", SiteErrorKind::Empty),
            (
                "ftp://example.com",
                SiteErrorKind::UnsupportedScheme("ftp".into()),
            ),
            ("https://", SiteErrorKind::InvalidUrl),
            ("https:///path", SiteErrorKind::InvalidUrl),
            ("exa mple.com", SiteErrorKind::InvalidUrl),
            ("https://user:pw@example.com", SiteErrorKind::UserInfo),
            ("https://example.com/?a=b", SiteErrorKind::QueryOrFragment),
            ("https://example.com/#x", SiteErrorKind::QueryOrFragment),
            ("https://exämple.com", SiteErrorKind::InvalidUrl),
            // Ports that are not numbers below 65536 (found by the site fuzz target).
            ("javascript:alert(1)", SiteErrorKind::InvalidUrl),
            ("https:example.com", SiteErrorKind::InvalidUrl),
            ("https://example.com:99999", SiteErrorKind::InvalidUrl),
            ("https://example.com:-1", SiteErrorKind::InvalidUrl),
            ("https://example.com:+80", SiteErrorKind::InvalidUrl),
            ("https://example.com:", SiteErrorKind::InvalidUrl),
            ("http://[::1]:80a", SiteErrorKind::InvalidUrl),
            // Characters http::Uri takes in a path and RFC 3986 does not (found by the
            // upload_path fuzz target).
            ("https://example.com/a\\b", SiteErrorKind::InvalidUrl),
            ("https://example.com/zülip", SiteErrorKind::InvalidUrl),
            ("https://example.com/a\"b", SiteErrorKind::InvalidUrl),
            ("https://example.com/{a}|^[b]", SiteErrorKind::InvalidUrl),
        ];
        for (input, kind) in cases {
            match Site::parse(input) {
                Ok(site) => panic!("{input:?} parsed as {site:?}"),
                Err(error) => assert_eq!(error.kind(), &kind, "{input:?}: {error}"),
            }
        }
    }

    #[test]
    fn long_inputs_are_cut_in_errors() {
        // 99 ASCII bytes, then a 4-byte character across the 100-byte limit: it is left out
        // whole, never split.
        let input = format!("https://x.io/{}😀{}?", "a".repeat(86), "b".repeat(1000));
        let error = Site::parse(&input).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "invalid Zulip site \"https://x.io/{}\"… (1104 bytes): it contains a query or fragment",
                "a".repeat(86)
            )
        );
        // Exactly 100 bytes are shown whole.
        let hundred = format!("ftp://{}", "c".repeat(94));
        assert_eq!(
            Site::parse(&hundred).unwrap_err().to_string(),
            format!("invalid Zulip site {hundred:?}: scheme \"ftp\" is not http or https")
        );
        // A long scheme is cut too.
        let scheme = "s".repeat(150);
        let shown = Site::parse(&format!("{scheme}://x"))
            .unwrap_err()
            .to_string();
        assert!(
            shown.ends_with(&format!(
                ": scheme \"{}\"… (150 bytes) is not http or https",
                "s".repeat(100)
            )),
            "{shown}"
        );
        // An `@` beyond the cut still keeps the whole input out.
        let hidden = format!("https://{}:hunter2@example.com/?", "u".repeat(200));
        assert_eq!(
            Site::parse(&hidden).unwrap_err().to_string(),
            "invalid Zulip site: it contains a user name or password (use the API key instead)"
        );
    }

    #[test]
    fn user_info_is_not_repeated_in_errors() {
        let error = Site::parse("https://me:hunter2@example.com").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
    }

    #[test]
    fn a_value_spanning_lines_is_not_repeated_in_errors() {
        // A zuliprc `site` whose continuation line is an indented `key = ...`.
        for input in [
            "chat.example.com\nkey = s3cret",
            "chat.example.com\r\n  s3cret",
        ] {
            let error = Site::parse(input).unwrap_err();
            assert_eq!(
                error.to_string(),
                "invalid Zulip site: it is not a valid URL"
            );
            assert!(!format!("{error:?}").contains("s3cret"), "{error:?}");
        }
    }
}
