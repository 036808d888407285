//! Requests rendered for logs and tests, with secrets hidden.

use std::fmt;

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};

/// Renders a request as text with sensitive headers shown as `<redacted>`.
///
/// A header is hidden when it is marked sensitive or is `Authorization`, `Proxy-Authorization`
/// or `Cookie`. The body is shown when it is UTF-8, else its length.
///
/// ```
/// use zulip_types::{Credentials, Endpoint, GetAttachments, RequestContext, Site, redacted};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?)
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"))
///     .with_user_agent("example/1.0")?;
/// let request = GetAttachments::new().try_into_http_request(&context)?;
/// assert_eq!(
///     redacted(&request).to_string(),
///     "GET https://chat.example.com/api/v1/attachments\n\
///      accept: application/json\n\
///      user-agent: example/1.0\n\
///      authorization: <redacted>\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn redacted<B: AsRef<[u8]>>(request: &http::Request<B>) -> RedactedRequest<'_, B> {
    RedactedRequest(request)
}

/// See [`redacted`].
#[derive(Clone, Copy)]
pub struct RedactedRequest<'a, B>(&'a http::Request<B>);

impl<B: AsRef<[u8]>> fmt::Display for RedactedRequest<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request = self.0;
        writeln!(f, "{} {}", request.method(), request.uri())?;
        for (name, value) in request.headers() {
            let secret = value.is_sensitive()
                || name == AUTHORIZATION
                || name == PROXY_AUTHORIZATION
                || name == COOKIE;
            if secret {
                writeln!(f, "{name}: <redacted>")?;
            } else {
                writeln!(f, "{name}: {}", String::from_utf8_lossy(value.as_bytes()))?;
            }
        }
        let body = request.body().as_ref();
        if !body.is_empty() {
            match std::str::from_utf8(body) {
                Ok(text) => write!(f, "\n{text}")?,
                Err(_) => write!(f, "\n<{} bytes of binary body>", body.len())?,
            }
        }
        Ok(())
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for RedactedRequest<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
