//! Who is asking: an email address and an API key, never printed.

use std::fmt;

use http::HeaderValue;

/// A Zulip API key. Its `Debug` and `Display` print `<redacted>`.
///
/// ```
/// use zulip_types::ApiKey;
///
/// let key = ApiKey::new("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");
/// assert_eq!(format!("{key} {key:?}"), "<redacted> <redacted>");
/// assert_eq!(key.expose(), "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself: only for putting it on the wire.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A user's email address and API key, sent as HTTP Basic authentication.
///
/// `Debug` and `Display` never show the key.
///
/// ```
/// use zulip_types::Credentials;
///
/// let credentials = Credentials::new("iago@zulip.com", "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");
/// assert_eq!(credentials.to_string(), "iago@zulip.com");
/// assert!(!format!("{credentials:?}").contains("gjA04"));
///
/// let header = credentials.authorization();
/// assert!(header.is_sensitive());
/// assert_eq!(header, "Basic aWFnb0B6dWxpcC5jb206Z2pBMDRaWWNxWEthbHZZTUE4T2VYU2Z6VU9McnRiWnY=");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    email: String,
    api_key: ApiKey,
}

impl Credentials {
    /// The email address (the Basic user name) and API key (the password).
    #[must_use]
    pub fn new(email: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            api_key: ApiKey::new(api_key),
        }
    }

    /// The email address.
    #[must_use]
    pub fn email(&self) -> &str {
        &self.email
    }

    /// The API key.
    #[must_use]
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// `Basic base64(email:api_key)`, marked sensitive so that HTTP stacks keep it out of logs
    /// and HPACK tables.
    #[must_use]
    pub fn authorization(&self) -> HeaderValue {
        let mut plain = Vec::with_capacity(self.email.len() + 1 + self.api_key.0.len());
        plain.extend_from_slice(self.email.as_bytes());
        plain.push(b':');
        plain.extend_from_slice(self.api_key.0.as_bytes());
        let mut value = b"Basic ".to_vec();
        base64_encode(&plain, &mut value);
        // Base64 output is ASCII, always a valid header value.
        let mut header =
            HeaderValue::from_bytes(&value).unwrap_or_else(|_| HeaderValue::from_static("Basic"));
        header.set_sensitive(true);
        header
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("api_key", &self.api_key)
            .finish()
    }
}

/// The email address only.
impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.email)
    }
}

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic requires.
fn base64_encode(input: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let symbol = |sextet: u32| {
        ALPHABET
            .get((sextet & 63) as usize)
            .copied()
            .unwrap_or(b'A')
    };
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        out.push(symbol(n >> 18));
        out.push(symbol(n >> 12));
        out.push(if chunk.len() > 1 {
            symbol(n >> 6)
        } else {
            b'='
        });
        out.push(if chunk.len() > 2 { symbol(n) } else { b'=' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            let mut out = Vec::new();
            base64_encode(plain.as_bytes(), &mut out);
            assert_eq!(out, encoded.as_bytes(), "{plain}");
        }
    }

    #[test]
    fn the_key_is_never_printed() {
        let secret = "s3cr3t-KEY-do-not-print";
        let credentials = Credentials::new("user@example.com", secret);
        let printed = [
            format!("{credentials}"),
            format!("{credentials:?}"),
            format!("{credentials:#?}"),
            format!("{}", credentials.api_key()),
            format!("{:?}", credentials.api_key()),
            format!("{:?}", credentials.authorization()),
        ];
        for text in printed {
            assert!(!text.contains(secret), "{text}");
            assert!(
                !text.contains("czNjcjN0"),
                "base64 of the key leaked: {text}"
            );
        }
        assert_eq!(
            format!("{credentials:?}"),
            r#"Credentials { email: "user@example.com", api_key: <redacted> }"#
        );
    }

    #[test]
    fn non_ascii_and_colons_are_encoded() {
        let credentials = Credentials::new("é@x", "a:b");
        assert_eq!(credentials.authorization(), "Basic w6lAeDphOmI=");
    }
}
