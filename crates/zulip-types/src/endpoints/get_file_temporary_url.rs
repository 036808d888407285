//! `GET /api/v1/user_uploads/{realm_id_str}/{filename}`: a temporary URL for an uploaded file
//! that needs no authentication (Zulip 3.0, feature level 1, on).
//!
//! The file is named by an [`UploadPath`]: from a `path_id` (`2/ce/xyz/166050.jpg` is realm `2`
//! and file name `ce/xyz/166050.jpg`), from a `/user_uploads/...` URL, or from an absolute URL on
//! the same site. Each segment of the file name is percent-encoded, the slashes kept.
//!
//! Success is `{"result":"success","msg":"","url":"/user_uploads/temporary/<TOKEN>/<basename>"}`:
//! a **relative** URL valid for about 60 seconds (the docs' example has no basename: treat the URL
//! as opaque). A file that does not exist gives `404`, one the user may not see `403`, both with
//! an **HTML** body (or an image when `Accept` prefers one): [`ServerError`]s that
//! [`TemporaryUrlRejection::from_server_error`] names. Before feature level 1 the same route
//! served the file itself, which this parser reports as a [`ParseError`](crate::ParseError) of
//! kind `NotJson`.

use http::{Method, StatusCode};
use serde::{Deserialize, Deserializer};

use crate::api::{ObjectOnly, ResultTag, SuccessBody, parse_success};
use crate::upload_path::{UploadPath, UploadPathError, resolve_url};
use crate::{
    Authentication, BuildError, Endpoint, FeatureLevel, IncomingResponse, RequestContext,
    ResponseContext, ResponseError, ServerError, Site,
};

/// `GET /api/v1/user_uploads/{realm_id_str}/{filename}` (operation `get-file-temporary-url`,
/// feature level 1 on).
///
/// ```
/// use zulip_types::{Credentials, Endpoint, GetFileTemporaryUrl, RequestContext, Site};
///
/// let site = Site::parse("chat.example.com")?;
/// let context = RequestContext::new(site.clone())
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"));
/// let from_path_id = GetFileTemporaryUrl::from_path_id("2/ce/xyz/my file.jpg")?;
/// let request = from_path_id.try_into_http_request(&context)?;
/// assert_eq!(
///     request.uri(),
///     "https://chat.example.com/api/v1/user_uploads/2/ce/xyz/my%20file.jpg"
/// );
/// // The same file from the URL a message links to.
/// let from_url = GetFileTemporaryUrl::from_url("/user_uploads/2/ce/xyz/my%20file.jpg", &site)?;
/// assert_eq!(from_url, from_path_id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GetFileTemporaryUrl {
    path: UploadPath,
}

impl GetFileTemporaryUrl {
    /// A temporary URL for the file at `path`.
    #[must_use]
    pub fn new(path: UploadPath) -> Self {
        Self { path }
    }

    /// A temporary URL for the file with this `path_id` (see [`UploadPath::from_path_id`]).
    ///
    /// # Errors
    /// [`UploadPathError`] for a `path_id` that cannot be used safely.
    pub fn from_path_id(path_id: &str) -> Result<Self, UploadPathError> {
        UploadPath::from_path_id(path_id).map(Self::new)
    }

    /// A temporary URL for the file at this URL: `/user_uploads/...` or an absolute URL on
    /// `site` (see [`UploadPath::from_url`]).
    ///
    /// # Errors
    /// [`UploadPathError`] for another origin or a URL that cannot be used safely.
    pub fn from_url(url: &str, site: &Site) -> Result<Self, UploadPathError> {
        UploadPath::from_url(url, site).map(Self::new)
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &UploadPath {
        &self.path
    }
}

impl Endpoint for GetFileTemporaryUrl {
    const NAME: &'static str = "get-file-temporary-url";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/user_uploads/{realm_id_str}/{filename}";
    const AUTHENTICATION: Authentication = Authentication::Basic;
    type Response = GetFileTemporaryUrlResponse;

    fn try_into_http_request(
        &self,
        context: &RequestContext,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        context.build_request(
            Self::NAME,
            Self::METHOD,
            &format!("/user_uploads/{}", self.path.encoded_path()),
            Self::AUTHENTICATION,
            None,
        )
    }
}

/// The success response of [`GetFileTemporaryUrl`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetFileTemporaryUrlResponse {
    /// `url`: the temporary URL, **relative** to the server root, e.g.
    /// `/user_uploads/temporary/322F.../zulip.txt`. Opaque; valid about 60 seconds.
    pub url: String,
    /// `ignored_parameters_unsupported` (feature level 167 on).
    pub ignored_parameters_unsupported: Option<Vec<String>>,
}

impl GetFileTemporaryUrlResponse {
    /// A response with this URL.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ignored_parameters_unsupported: None,
        }
    }

    /// The absolute temporary URL on `site` (see [`resolve_url`]). Fetch it **without**
    /// credentials.
    ///
    /// # Errors
    /// [`UploadPathError`] when the URL would leave the site's origin or is not a URL.
    pub fn absolute_url(&self, site: &Site) -> Result<String, UploadPathError> {
        resolve_url(site, &self.url)
    }

    /// The JSON body a server at `level` sends for this response, keys sorted, no whitespace.
    #[must_use]
    pub fn to_wire_json(&self, level: FeatureLevel) -> Vec<u8> {
        let mut map = super::success_map(level, self.ignored_parameters_unsupported.as_deref());
        map.insert("url", self.url.clone().into());
        super::to_json(&map)
    }
}

impl IncomingResponse for GetFileTemporaryUrlResponse {
    fn try_from_http_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
        _context: &ResponseContext,
    ) -> Result<Self, ResponseError> {
        let raw: RawResponse = parse_success(response)?;
        Ok(raw.into())
    }
}

/// Reads the body alone (no status or `result` check), from a JSON object only.
impl<'de> Deserialize<'de> for GetFileTemporaryUrlResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ObjectOnly::<RawResponse>::deserialize(deserializer).map(|ObjectOnly(raw)| Self::from(raw))
    }
}

#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    result: ResultTag,
    url: String,
    #[serde(default)]
    ignored_parameters_unsupported: Option<Vec<String>>,
}

impl SuccessBody for RawResponse {
    fn result(&self) -> &ResultTag {
        &self.result
    }
}

impl From<RawResponse> for GetFileTemporaryUrlResponse {
    fn from(raw: RawResponse) -> Self {
        Self {
            url: raw.url,
            ignored_parameters_unsupported: raw.ignored_parameters_unsupported,
        }
    }
}

/// Why the server gave no temporary URL, read from a [`ServerError`] (decided by the status:
/// the bodies are HTML).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TemporaryUrlRejection {
    /// `404`: no such file (or, on a server without the endpoint, no such route).
    NotFound,
    /// `403`: the file exists and the user may not see it.
    Forbidden,
}

impl TemporaryUrlRejection {
    /// The rejection `error` is, if it is one of these. A Zulip JSON error with the same status
    /// (e.g. a deactivated user's `403` before feature level 76) is not one.
    #[must_use]
    pub fn from_server_error(error: &ServerError) -> Option<Self> {
        if error.zulip_error().is_some() {
            return None;
        }
        match error.status() {
            StatusCode::NOT_FOUND => Some(Self::NotFound),
            StatusCode::FORBIDDEN => Some(Self::Forbidden),
            _ => None,
        }
    }
}
