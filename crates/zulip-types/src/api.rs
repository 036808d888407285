//! The endpoint traits, and the one place where requests get their headers and responses get
//! their status and `result` checked.

use std::fmt;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, Visitor};

use crate::error::{ParseErrorKind, ResponseParts};
use crate::{BuildError, Credentials, FeatureLevel, ParseError, ResponseError, ServerError, Site};

/// The User-Agent sent unless the caller sets one: this crate's name and version.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// How an endpoint authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Authentication {
    /// No credentials are sent (e.g. `GET /server_settings`).
    None,
    /// HTTP Basic with the user's email address and API key.
    Basic,
}

/// A Zulip REST endpoint: its metadata, and how a value of it becomes an HTTP request.
///
/// A transport needs nothing else: build with [`Endpoint::try_into_http_request`], send, and
/// hand the answer to [`IncomingResponse::try_from_http_response`] of [`Endpoint::Response`].
pub trait Endpoint {
    /// The spec's `operationId`, e.g. `get-attachments`.
    const NAME: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template below `/api/v1`, as the spec writes it, e.g. `/attachments` or
    /// `/attachments/{attachment_id}`.
    const PATH: &'static str;
    /// How the endpoint authenticates.
    const AUTHENTICATION: Authentication;

    /// The typed success response.
    type Response: IncomingResponse;

    /// The HTTP request for this value.
    ///
    /// # Errors
    /// [`BuildError`] when the endpoint needs credentials and `context` has none, or a value
    /// cannot be put on the wire.
    fn try_into_http_request(
        &self,
        context: &RequestContext,
    ) -> Result<http::Request<Vec<u8>>, BuildError>;
}

/// A typed response read from status, headers and body.
pub trait IncomingResponse: Sized {
    /// Reads a response.
    ///
    /// Success needs a 2xx status **and** `"result": "success"`. Any other status, or
    /// `"result": "error"`, is a [`ServerError`]; a body that is not what the endpoint promises is
    /// a [`ParseError`] naming the JSON path.
    ///
    /// # Errors
    /// [`ResponseError::Server`] or [`ResponseError::Parse`].
    fn try_from_http_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
        context: &ResponseContext,
    ) -> Result<Self, ResponseError>;
}

/// What every request carries: the site, the credentials and the User-Agent.
///
/// ```
/// use zulip_types::{Credentials, RequestContext, Site};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?)
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"))
///     .with_user_agent("my-bot/1.0")?;
/// assert_eq!(context.user_agent(), "my-bot/1.0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RequestContext {
    site: Site,
    credentials: Option<Credentials>,
    user_agent: HeaderValue,
}

impl RequestContext {
    /// A context with no credentials and the [`DEFAULT_USER_AGENT`].
    #[must_use]
    pub fn new(site: Site) -> Self {
        Self {
            site,
            credentials: None,
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
        }
    }

    /// Sets the credentials.
    #[must_use]
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets the User-Agent. Zulip parses it as `name/version (details)`; a name and a version
    /// are recommended.
    ///
    /// # Errors
    /// [`BuildError::InvalidHeaderValue`] for characters HTTP does not allow in a header.
    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, BuildError> {
        self.user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| BuildError::InvalidHeaderValue { name: "User-Agent" })?;
        Ok(self)
    }

    /// The site.
    #[must_use]
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The credentials, if any.
    #[must_use]
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The User-Agent.
    #[must_use]
    pub fn user_agent(&self) -> &str {
        // Set from a `&str` or a static string: always visible ASCII.
        self.user_agent.to_str().unwrap_or(DEFAULT_USER_AGENT)
    }

    /// Builds a request to `{site}/api/v1{path_and_query}`: the one place where requests get
    /// their headers (`Accept: application/json`, `User-Agent`, and `Authorization` when the
    /// endpoint authenticates, marked sensitive).
    ///
    /// `path_and_query` must already be percent-encoded. This is also the escape hatch for
    /// endpoints this crate does not model yet.
    ///
    /// # Errors
    /// [`BuildError::MissingCredentials`] when `authentication` is Basic and there are no
    /// credentials; [`BuildError::Http`] when the URL is not a valid URI.
    pub fn build_request(
        &self,
        endpoint: &'static str,
        method: Method,
        path_and_query: &str,
        authentication: Authentication,
        body: Option<(HeaderValue, Vec<u8>)>,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(self.site.endpoint_url(path_and_query))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, self.user_agent.clone());
        match authentication {
            Authentication::None => {}
            Authentication::Basic => {
                let credentials = self
                    .credentials
                    .as_ref()
                    .ok_or(BuildError::MissingCredentials { endpoint })?;
                builder = builder.header(AUTHORIZATION, credentials.authorization());
            }
        }
        let body = match body {
            Some((content_type, bytes)) => {
                builder = builder.header(CONTENT_TYPE, content_type);
                bytes
            }
            None => Vec::new(),
        };
        Ok(builder.body(body)?)
    }
}

/// What the caller knows about the server when reading a response.
///
/// ```
/// use zulip_types::{FeatureLevel, ResponseContext};
///
/// // Unknown server: timestamps' units are decided by their magnitude.
/// let unknown = ResponseContext::new();
/// // Known server (from GET /server_settings): units follow its feature level.
/// let known = ResponseContext::new().with_feature_level(FeatureLevel::new(443));
/// assert_eq!(known.feature_level, Some(FeatureLevel::new(443)));
/// # let _ = unknown;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ResponseContext {
    /// The server's feature level, when known.
    pub feature_level: Option<FeatureLevel>,
}

impl ResponseContext {
    /// Nothing known about the server.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            feature_level: None,
        }
    }

    /// The server's feature level is known.
    #[must_use]
    pub const fn with_feature_level(mut self, level: FeatureLevel) -> Self {
        self.feature_level = Some(level);
        self
    }
}

/// The `result` key of a response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum ResultTag {
    Success,
    Error,
    Other(String),
    #[default]
    Missing,
}

impl<'de> Deserialize<'de> for ResultTag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagVisitor;
        impl Visitor<'_> for TagVisitor {
            type Value = ResultTag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<ResultTag, E> {
                Ok(match value {
                    "success" => ResultTag::Success,
                    "error" => ResultTag::Error,
                    other => ResultTag::Other(other.to_owned()),
                })
            }
        }
        deserializer.deserialize_str(TagVisitor)
    }
}

/// A raw success body that knows its `result` key.
pub(crate) trait SuccessBody {
    fn result(&self) -> &ResultTag;
}

/// Reads `T` from a JSON object only.
///
/// serde's derived `Deserialize` also reads a struct from a JSON array, field by field; no Zulip
/// server sends that, and an array longer than the struct was even reported as "not JSON"
/// (serde_json's "trailing characters"). Through this wrapper an array is a type error.
pub(crate) struct ObjectOnly<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

/// The shared status and `result` check, then the typed parse.
///
/// The hot path is one `serde_json` pass. Only when it fails is the body examined again: for
/// `"result": "error"` (a server error with a 2xx status), and then with path tracking so the
/// error names where the problem is.
pub(crate) fn parse_success<T, B>(response: &http::Response<B>) -> Result<T, ResponseError>
where
    T: DeserializeOwned + SuccessBody,
    B: AsRef<[u8]>,
{
    let parts = ResponseParts::new(response);
    if !parts.status.is_success() {
        return Err(ServerError::from_parts(&parts).into());
    }
    match serde_json::from_slice::<ObjectOnly<T>>(parts.body) {
        Ok(ObjectOnly(value)) => match value.result() {
            ResultTag::Success => Ok(value),
            ResultTag::Error => Err(error_with_success_status(&parts)),
            ResultTag::Other(result) => {
                Err(ParseError::unexpected_result(Some(result), &parts).into())
            }
            ResultTag::Missing => Err(ParseError::unexpected_result(None, &parts).into()),
        },
        Err(error) => Err(diagnose::<T>(&parts, &error)),
    }
}

/// [`parse_success`] with a fast path tried first: for a 2xx response, `fast` reads the body and
/// returns the value when it is a `"result": "success"` body it can read exactly as `R` would;
/// `None` leaves everything (the value, or the error with its JSON path) to the reference parse
/// `R`, whose value `convert` turns into `T`.
pub(crate) fn parse_success_or<'b, T, R, B>(
    response: &'b http::Response<B>,
    fast: impl FnOnce(&'b [u8]) -> Option<T>,
    convert: impl FnOnce(R) -> T,
) -> Result<T, ResponseError>
where
    R: DeserializeOwned + SuccessBody,
    B: AsRef<[u8]>,
{
    if response.status().is_success() {
        if let Some(value) = fast(response.body().as_ref()) {
            return Ok(value);
        }
    }
    parse_success::<R, B>(response).map(convert)
}

/// A success status whose body says `"result": "error"`: the server's error, provided the body
/// is JSON at all. The typed pass skips unknown keys without checking that their strings are
/// UTF-8, so a body it accepted can still be invalid JSON; that is a parse error.
fn error_with_success_status(parts: &ResponseParts<'_>) -> ResponseError {
    match serde_json::from_slice::<serde_json::Value>(parts.body) {
        Err(error) => {
            ParseError::from_json(ParseErrorKind::NotJson, String::new(), &error, parts).into()
        }
        Ok(_) => ServerError::from_parts(parts).into(),
    }
}

/// Why a success-status body failed to parse.
fn diagnose<T: DeserializeOwned>(
    parts: &ResponseParts<'_>,
    error: &serde_json::Error,
) -> ResponseError {
    if error.is_syntax() || error.is_eof() || error.is_io() {
        return ParseError::from_json(ParseErrorKind::NotJson, String::new(), error, parts).into();
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        result: ResultTag,
    }
    if let Ok(ObjectOnly(probe)) = serde_json::from_slice::<ObjectOnly<Probe>>(parts.body) {
        match probe.result {
            ResultTag::Success => {}
            ResultTag::Error => return error_with_success_status(parts),
            ResultTag::Other(result) => {
                return ParseError::unexpected_result(Some(&result), parts).into();
            }
            ResultTag::Missing => return ParseError::unexpected_result(None, parts).into(),
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(parts.body);
    match serde_path_to_error::deserialize::<_, ObjectOnly<T>>(&mut deserializer) {
        Err(located) => {
            let path = located.path().to_string();
            let path = if path == "." { String::new() } else { path };
            ParseError::from_json(ParseErrorKind::Shape, path, located.inner(), parts).into()
        }
        // Cannot happen (the same input failed above); report the first error unlocated.
        Ok(_) => ParseError::from_json(ParseErrorKind::Shape, String::new(), error, parts).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorBody, GetAttachmentsResponse, IncomingResponse, ResponseContext};

    fn parse(status: u16, body: &[u8]) -> Result<GetAttachmentsResponse, ResponseError> {
        let response = http::Response::builder().status(status).body(body).unwrap();
        GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())
    }

    #[test]
    fn a_2xx_error_body_that_is_not_json_is_a_parse_error() {
        // Invalid UTF-8 in keys the typed pass skips (found by the get_attachments fuzz target).
        let bodies: [&[u8]; 2] = [
            b"{\"result\":\"error\",\"msg\":\"x\",\"code\":\"B\xff\xffAD_REQUEST\"}",
            b"{\"result\":\"error\",\"attachments\":[],\"msg\":\"\xff\"}",
        ];
        for body in bodies {
            let error = parse(200, body).unwrap_err();
            let parse = error.as_parse().expect("a parse error");
            assert_eq!(parse.kind(), ParseErrorKind::NotJson, "{parse}");
            assert_eq!(parse.body(), Some(body));
        }
        // The same bodies with an error status stay server errors with the raw body.
        for body in bodies {
            let error = parse(400, body).unwrap_err();
            let server = error.as_server().expect("a server error");
            assert!(matches!(server.body(), ErrorBody::NotJson(_)));
        }
        // A valid 2xx error body is the server's error.
        let error = parse(200, br#"{"result":"error","msg":"x","code":"BAD_REQUEST"}"#);
        assert_eq!(error.unwrap_err().as_server().unwrap().msg(), Some("x"));
    }

    #[test]
    fn arrays_are_not_objects() {
        // serde's derived Deserialize reads structs from arrays positionally; Zulip never sends
        // them, and one longer than the struct was reported as "not JSON".
        let cases: [(&[u8], &str); 3] = [
            (br#"["success",[]]"#, ""),
            (
                br#"{"result":"success","msg":"","attachments":[[1,"a","p"]]}"#,
                "attachments[0]",
            ),
            (
                br#"{"result":"success","msg":"","attachments":[{"id":1,"name":"a","path_id":"p","messages":[[1,null,0,null]]}]}"#,
                "attachments[0].messages[0]",
            ),
        ];
        for (body, path) in cases {
            let error = parse(200, body).unwrap_err();
            let parse = error.as_parse().expect("a parse error");
            assert_eq!(parse.kind(), ParseErrorKind::Shape, "{parse}");
            assert_eq!(parse.path(), path, "{parse}");
            assert!(parse.detail().contains("expected a JSON object"), "{parse}");
        }
        assert!(serde_json::from_slice::<GetAttachmentsResponse>(br#"["success",[]]"#).is_err());
    }

    #[test]
    fn a_2xx_error_body_is_a_server_error() {
        let error = parse(200, br#"{"result":"error","msg":"x","code":"BAD_REQUEST"}"#);
        assert_eq!(error.unwrap_err().as_server().unwrap().msg(), Some("x"));
    }
}
